-- ndrlink store, schema version 5: the token a relayed copy was tagged with.

-- The relay tags each upstream copy of a message (one upstream transaction)
-- with the VERP token of its first recipient's acceptance: in the VERP
-- return path, the X-Ndrlink-Id header and the ENVID. copy_token holds that
-- token on every acceptance the copy carried, so a bounce that names the
-- token links to the acceptance of the recipient it reports, not only to
-- the first one. NULL: not relayed (cli, import, socket, probe), or relayed
-- before this version.
ALTER TABLE acceptances ADD COLUMN copy_token TEXT;
CREATE INDEX acceptances_copy_token ON acceptances(copy_token) WHERE copy_token IS NOT NULL;
