-- A batch's aggregates, committed with its raw reports and added to the
-- aggregate tables a moment later (every second, and before every read)
-- by whichever receiver folds next: a batch then writes one row here
-- instead of updating a row per key, which was most of a batch's cost to
-- the server. One line of JSON a batch (see src/store/pending.rs). No key:
-- rows are only ever inserted, and taken by a fold as a whole.
--
-- A batch of new reports writes its raw rows and its pending row in one
-- statement, which writes '' instead when a report was stored already (a
-- retry): the check then fails the statement, nothing of it is kept, and
-- the receiver stores the batch again the slow way. So the database's log
-- names this constraint once for each such batch.
CREATE TABLE agg_pending (
    totals TEXT NOT NULL,
    CONSTRAINT a_stored_report_sends_its_batch_down_the_slow_path CHECK (totals <> '')
);
