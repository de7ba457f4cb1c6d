-- PostgreSQL's batches leave their aggregates pending (see its 0006). One
-- SQLite file has one writer, whose transaction updates the aggregate rows
-- itself: nothing to create. The file keeps both engines' migrations in
-- step.
SELECT 1;
