-- A batch's aggregates, committed with its raw reports and added to the
-- aggregate tables a moment later (every second, and before every read)
-- by whichever receiver folds next: a batch then writes one row here
-- instead of updating a row per key, which was most of a batch's cost to
-- the server. One line of JSON a batch (see src/store/pending.rs). No key:
-- rows are only ever inserted, and taken by a fold as a whole.
CREATE TABLE agg_pending (
    totals TEXT NOT NULL
);
