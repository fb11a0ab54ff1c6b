-- ndrlink store, schema version 4: the SMTP relay (and ndrlink probe).

-- One row per RCPT (or DATA) refusal the relay or the probe saw: the
-- report's "refused" figures. A refused recipient never gets an acceptance
-- (its reserved acceptance id stays unused: a bounce naming it is unmatched).
CREATE TABLE refusals (
  id              INTEGER PRIMARY KEY,
  recipient       TEXT    NOT NULL,
  recipient_key   TEXT    NOT NULL,            -- lower case
  domain          TEXT    NOT NULL,            -- lower-case domain of recipient
  reply_code      INTEGER NOT NULL CHECK (reply_code BETWEEN 400 AND 599),
  enhanced_status TEXT,
  reply_text      TEXT,
  mx_host         TEXT,
  sender          TEXT,
  stage           TEXT    NOT NULL CHECK (stage IN ('rcpt', 'data')),
  refused_at      TEXT    NOT NULL,
  source          TEXT    NOT NULL             -- relay | probe
);
CREATE INDEX refusals_refused ON refusals(refused_at);

-- A 2xx RCPT whose message did not go out: data_reply_code/text hold the
-- upstream's refusal of DATA (or of the final dot); a NULL code with a
-- text means the relay never completed DATA (client gone, RSET, QUIT, an
-- upstream failure) and the text says why. NULL/NULL: DATA accepted, or
-- not relayed (recorded by cli, import, socket).
ALTER TABLE acceptances ADD COLUMN data_reply_code INTEGER CHECK (data_reply_code BETWEEN 400 AND 599);
ALTER TABLE acceptances ADD COLUMN data_reply_text TEXT;
