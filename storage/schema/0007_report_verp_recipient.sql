-- ndrlink store, schema version 7: the recipient an XVERP return path names.

-- A relay whose upstream offers XVERP (relay.xverp) sends each copy with one
-- fixed return path and lets the upstream give every recipient its own:
-- "bounces+user=example.com@verp.example". A report arriving there names
-- that recipient, as found (the report's own fields may show it rewritten).
-- NULL: none, or stored before this version.
ALTER TABLE reports ADD COLUMN verp_recipient TEXT;
