-- ndrlink store, schema version 2: lookups by address and by original
-- Message-ID over reports (ndrlink status on unmatched reports, forensic
-- queries), and a view of the evidence that was distrusted.
CREATE INDEX report_recipients_recipient ON report_recipients(lower(recipient));
CREATE INDEX reports_original_message_id ON reports(original_message_id) WHERE original_message_id IS NOT NULL;

-- Reports whose tokens failed verification or named no acceptance: forged
-- or altered bounces. They never change an acceptance's state.
CREATE VIEW suspicious_reports AS
SELECT r.id AS report_id, r.source_key, r.kind, r.received_at, r.from_address, r.verp_token, r.ndrlink_id,
       rr.recipient, rr.reason, rr.suspicious
FROM report_recipients rr JOIN reports r ON r.id = rr.report_id
WHERE rr.suspicious IS NOT NULL;
