-- ndrlink store, schema version 6: the content of each stored report.

-- SHA-256 of the message as ingested ("sha256:<hex>", as the content source
-- keys of `ndrlink ingest` and the socket). The same bytes arriving under
-- another source key (an IMAP mailbox rescanned after a UIDVALIDITY change,
-- the same file twice in a Maildir) are the same report: stored once.
-- NULL: stored before this version by a Maildir or IMAP source (reports
-- whose source key is their content key, from `ndrlink ingest` and the
-- socket, get it here).
ALTER TABLE reports ADD COLUMN content_sha256 TEXT;
UPDATE reports SET content_sha256 = source_key WHERE source_key LIKE 'sha256:%';
CREATE INDEX reports_content ON reports(content_sha256) WHERE content_sha256 IS NOT NULL;
