-- ndrlink store, schema version 3: the daily report (ndrlink report).
-- Its aggregates read one period's acceptances by accepted_at. Rows are
-- recorded in time order, so the table rows of a period lie together and
-- this narrow index is as fast as a covering one (bench/report_bench.cpp)
-- at a fraction of the cost to every insert and state change.
CREATE INDEX acceptances_accepted ON acceptances(accepted_at);
