-- ndrlink store, schema version 3: the daily report (ndrlink report).
-- Its aggregates scan one period's acceptances by accepted_at; this index
-- covers every column they group or count, so a day of a million
-- acceptances is read from the index alone, in order.
CREATE INDEX acceptances_report ON acceptances(accepted_at, reply_code, state, hard, domain);
