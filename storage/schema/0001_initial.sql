-- ndrlink store, schema version 1. Times are ISO 8601 UTC text
-- ("2026-12-04T15:04:05Z"): sortable, and readable in the sqlite3 shell.

-- One row per (message, recipient) a server accepted at RCPT time.
CREATE TABLE acceptances (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: VERP tokens name it
  recipient       TEXT    NOT NULL,            -- as recorded
  recipient_key   TEXT    NOT NULL,            -- lower case, for matching
  domain          TEXT    NOT NULL,            -- lower-case domain of recipient
  reply_code      INTEGER NOT NULL CHECK (reply_code BETWEEN 200 AND 599),
  enhanced_status TEXT,                        -- e.g. 2.1.5
  reply_text      TEXT,
  mx_host         TEXT,
  sender          TEXT,
  message_id      TEXT,                        -- "<...>" of the accepted message
  envid           TEXT,                        -- ENVID sent with MAIL FROM
  verp_token      TEXT,                        -- HMAC token of this acceptance (unique: it encodes id)
  accepted_at     TEXT    NOT NULL,
  source          TEXT    NOT NULL,            -- cli | import | socket | relay
  state           TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending','delayed','bounced','delivered','presumed_delivered')),
  state_at        TEXT    NOT NULL,
  reason          TEXT,                        -- reason of the report that decided the state
  hard            INTEGER CHECK (hard IN (0, 1)),
  resolved_by     INTEGER REFERENCES report_recipients(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX acceptances_message_recipient ON acceptances(message_id, recipient_key)
  WHERE message_id IS NOT NULL;
CREATE INDEX acceptances_recipient ON acceptances(recipient_key, accepted_at);
CREATE INDEX acceptances_envid ON acceptances(envid) WHERE envid IS NOT NULL;
CREATE INDEX acceptances_state ON acceptances(state, accepted_at);
CREATE INDEX acceptances_resolved_by ON acceptances(resolved_by) WHERE resolved_by IS NOT NULL;

-- One row per inbound message (bounce, DSN, feedback report, auto-reply).
CREATE TABLE reports (
  id                  INTEGER PRIMARY KEY,
  source_key          TEXT NOT NULL UNIQUE,    -- maildir name, imap:<acct>:<uidvalidity>:<uid>, or sha256:<hex>
  kind                TEXT NOT NULL CHECK (kind IN ('dsn','ndr','arf','autoreply','none','unparsable')),
  family              TEXT,
  reporting_mta       TEXT,
  original_message_id TEXT,
  envid               TEXT,
  verp_token          TEXT,
  ndrlink_id          TEXT,
  subject             TEXT,
  from_address        TEXT,
  arrival_date        TEXT,
  received_at         TEXT NOT NULL,
  parse_error         TEXT,
  raw                 BLOB                     -- optional copy of the message
);
CREATE INDEX reports_received ON reports(received_at);

-- One row per recipient result of a report, and what it was linked to.
CREATE TABLE report_recipients (
  id                 INTEGER PRIMARY KEY,
  report_id          INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  position           INTEGER NOT NULL,
  recipient          TEXT,
  original_recipient TEXT,
  action             TEXT,
  status             TEXT,
  reply_code         TEXT,
  reason             TEXT,
  hard               INTEGER NOT NULL DEFAULT 0 CHECK (hard IN (0, 1)),
  diagnostic         TEXT,
  remote_mta         TEXT,
  feedback_type      TEXT,
  acceptance_id      INTEGER REFERENCES acceptances(id) ON DELETE SET NULL,
  link_method        TEXT CHECK (link_method IN ('verp','header','envid','message_id','recipient')),
  link_confidence    REAL,
  suspicious         TEXT,                     -- why the evidence was distrusted (forged token ...)
  UNIQUE (report_id, position)
);
CREATE INDEX report_recipients_acceptance ON report_recipients(acceptance_id);
CREATE INDEX report_recipients_unmatched ON report_recipients(report_id) WHERE acceptance_id IS NULL;

-- Append-only history of every state change of an acceptance.
CREATE TABLE events (
  id                  INTEGER PRIMARY KEY,
  acceptance_id       INTEGER NOT NULL REFERENCES acceptances(id) ON DELETE CASCADE,
  at                  TEXT NOT NULL,
  from_state          TEXT,
  to_state            TEXT NOT NULL,
  why                 TEXT NOT NULL,
  report_recipient_id INTEGER REFERENCES report_recipients(id) ON DELETE SET NULL
);
CREATE INDEX events_acceptance ON events(acceptance_id, id);
CREATE INDEX events_report_recipient ON events(report_recipient_id) WHERE report_recipient_id IS NOT NULL;

-- Cursor of each IMAP mailbox: rescan when uidvalidity changes.
CREATE TABLE source_state (
  source      TEXT PRIMARY KEY,                -- imap:<account>:<mailbox>
  uidvalidity INTEGER NOT NULL,
  last_uid    INTEGER NOT NULL,
  updated_at  TEXT NOT NULL
);

-- Views for people with the sqlite3 shell.
CREATE VIEW acceptance_status AS
SELECT a.id, a.recipient, a.domain, a.reply_code, a.message_id, a.accepted_at, a.state, a.state_at,
       a.reason, a.hard, rr.link_method, rr.link_confidence, rr.report_id
FROM acceptances a LEFT JOIN report_recipients rr ON rr.id = a.resolved_by;

CREATE VIEW address_outcome AS
SELECT recipient_key AS recipient, domain,
       count(*) AS acceptances,
       sum(state = 'bounced') AS bounced,
       sum(state = 'bounced' AND hard = 1) AS hard_bounced,
       sum(state = 'delivered') AS delivered,
       sum(state = 'presumed_delivered') AS presumed_delivered,
       sum(state IN ('pending','delayed')) AS pending,
       max(accepted_at) AS last_accepted_at,
       (SELECT a2.state FROM acceptances a2 WHERE a2.recipient_key = a.recipient_key
         ORDER BY a2.accepted_at DESC, a2.id DESC LIMIT 1) AS latest_state
FROM acceptances a GROUP BY recipient_key;

CREATE VIEW domain_daily AS
SELECT domain, substr(accepted_at, 1, 10) AS day,
       count(*) AS accepted,
       sum(reply_code = 250) AS accepted_250,
       sum(reply_code = 251) AS accepted_251,
       sum(reply_code = 252) AS accepted_252,
       sum(state = 'bounced') AS bounced,
       sum(state = 'bounced' AND hard = 1) AS hard_bounced,
       sum(state = 'delivered') AS delivered,
       sum(state = 'presumed_delivered') AS presumed_delivered,
       sum(state IN ('pending','delayed')) AS pending
FROM acceptances GROUP BY domain, day;

CREATE VIEW unmatched_reports AS
SELECT r.id AS report_id, r.source_key, r.kind, r.received_at, r.original_message_id,
       rr.recipient, rr.action, rr.status, rr.reason, rr.suspicious
FROM report_recipients rr JOIN reports r ON r.id = rr.report_id
WHERE rr.acceptance_id IS NULL;
