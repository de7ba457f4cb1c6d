//! The PostgreSQL store. Raw reports sit in a table partitioned by day, so
//! retention drops whole partitions instead of deleting rows. The
//! connection is made again after it breaks: while the database is
//! unreachable every ingest fails (the receiver answers 503), and the next
//! one after it is back succeeds.

mod connections;
mod ingest;
mod maintenance;
mod pending;
mod reads;
mod statements;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use time::{Date, Duration};
use tokio::sync::Mutex;

use super::sql::Dialect;
use super::window::CountSink;
use super::{CountRow, Fold, Ingest, NumberRow, SessionRow, Store, StoreError, Stored};
use crate::clock::day_text;
use connections::{error, sql, Connections};
use ingest::{retryable, store_batch};

pub struct PostgresStore {
    connections: Connections,
    /// Day partitions known to exist. Held while one is created, so
    /// concurrent first reports of a day do not race to create it.
    partitions: Mutex<HashSet<String>>,
    /// See [`PostgresStore::with_writers`].
    writers: usize,
    /// Keys the day's cap counted as `(other)` in folds since the last
    /// [`Store::settle`], which answers them.
    folded: AtomicU64,
}

/// Batches committed at once unless told otherwise. One: a batch takes
/// every report that arrived during the last commit and those its
/// answers bring back (see [`crate::commit`]), so a second writer would
/// only split them into smaller batches and more commits.
pub const DEFAULT_WRITERS: u8 = 1;

/// `raw_reports_20261125`.
fn partition_name(day: Date) -> String {
    format!("raw_reports_{}", day_text(day).replace('-', ""))
}

/// The advisory lock the migrations run under: receivers started together
/// on a fresh database run them once, one after the other.
const MIGRATION_LOCK: i64 = 0x7465_6c65_6d69_6772; // "telemigr"
/// The advisory lock a day partition is created under.
const PARTITION_LOCK: i64 = 0x7465_6c65_7061_7274; // "teleprt"
/// The longest a group-commit writer under load waits for the rest of its
/// batch, from its first report: about the time a sender takes to answer a
/// `202` with its next report, and less than a batch's commit.
pub const LINGER: std::time::Duration = std::time::Duration::from_millis(2);
/// How often a batch that lost a deadlock (or a serialization failure) to
/// a concurrent one is tried again: nothing of it was committed.
const ATTEMPTS: usize = 3;

impl PostgresStore {
    /// Commits up to `writers` batches at once (1 to the store's
    /// connections, 4). Fewer make bigger batches, so fewer commits for
    /// the same reports; more overlap one batch's commit with the next
    /// one's gathering, which can pay where a commit waits on a slow
    /// network rather than on the server's CPU.
    pub fn with_writers(mut self, writers: usize) -> PostgresStore {
        self.writers = writers.clamp(1, self.connections.len());
        self
    }

    /// Connects to `url` (`postgres://user@host/db`) and runs the
    /// migrations, in one transaction under an advisory lock: another
    /// receiver starting at the same moment waits, then finds them done.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let store = PostgresStore {
            connections: Connections::new(url),
            partitions: Mutex::default(),
            writers: usize::from(DEFAULT_WRITERS),
            folded: AtomicU64::new(0),
        };
        let mut slot = store.connections.first().await;
        let client = &mut store.connections.connected(&mut slot).await?.client;
        let tx = client.transaction().await.map_err(error)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(error)?;
        tx.batch_execute(&sql().migrations_table)
            .await
            .map_err(error)?;
        let done: i64 = tx
            .query_one(&sql().migrations_done, &[])
            .await
            .map_err(error)?
            .get(0);
        for (version, migration) in Dialect::Postgres.pending_migrations(done) {
            tx.batch_execute(migration).await.map_err(error)?;
            tx.execute(&sql().migration_record, &[&version])
                .await
                .map_err(error)?;
        }
        tx.commit().await.map_err(error)?;
        drop(slot);
        Ok(store)
    }

    /// Folds the pending aggregates of every batch committed so far into
    /// the shard of the connection that folds (see `postgres/pending.rs`);
    /// the reads do this first. The keys the cap counted as `(other)` wait
    /// in [`PostgresStore::folded`] for the next [`Store::settle`].
    async fn fold_pending(&self) -> Result<(), StoreError> {
        let folded = self
            .connections
            .query(|connection| {
                Box::pin(async move {
                    let prepared = connection.ingest_statements().await?;
                    let shard = connection.shard;
                    let mut attempt = 1;
                    loop {
                        let client = &mut connection.client;
                        match pending::fold_pending(client, &prepared, &shard).await {
                            Err(err) if attempt < ATTEMPTS && retryable(&err) => attempt += 1,
                            done => return done,
                        }
                    }
                })
            })
            .await?;
        self.folded.fetch_add(folded, Ordering::Relaxed);
        Ok(())
    }

    /// Creates the raw table's partition of `day` unless it is known: under
    /// an advisory lock and `IF NOT EXISTS`, so receivers creating the same
    /// day at once all succeed; an "already exists" from a creator that
    /// does not take the lock counts as done too.
    async fn ensure_partition(&self, day: Date) -> Result<(), StoreError> {
        let partition = partition_name(day);
        let mut known = self.partitions.lock().await;
        if known.contains(&partition) {
            return Ok(());
        }
        let create = format!(
            "CREATE TABLE IF NOT EXISTS {partition} PARTITION OF raw_reports FOR VALUES FROM ('{}') TO ('{}')",
            day_text(day),
            day_text(day + Duration::days(1)),
        );
        let created = self
            .connections
            .query(move |connection| {
                Box::pin(async move {
                    let tx = connection.client.transaction().await?;
                    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PARTITION_LOCK])
                        .await?;
                    tx.batch_execute(&create).await?;
                    tx.commit().await
                })
            })
            .await;
        match created {
            Err(err) if already_exists(&err) => {}
            other => other?,
        }
        known.insert(partition);
        Ok(())
    }
}

/// `duplicate_table`, `duplicate_object`, or the catalog's unique index
/// on type names: what a concurrent `CREATE TABLE` of the same table gives.
fn already_exists(err: &StoreError) -> bool {
    ["42P07", "42710", "23505"]
        .iter()
        .any(|code| err.0.contains(&format!("SQLSTATE {code}")))
}

impl Store for PostgresStore {
    async fn ingest_batch(&self, batch: Vec<Ingest>) -> Result<Stored, StoreError> {
        let mut days: Vec<Date> = batch.iter().map(|ingest| ingest.day).collect();
        days.sort();
        days.dedup();
        for day in days {
            self.ensure_partition(day).await?;
        }
        self.connections
            .query(move |connection| {
                Box::pin(async move {
                    let prepared = connection.ingest_statements().await?;
                    let mut attempt = 1;
                    loop {
                        let client = &mut connection.client;
                        match store_batch(client, &prepared, &batch).await {
                            Err(err) if attempt < ATTEMPTS && retryable(&err) => attempt += 1,
                            done => return done,
                        }
                    }
                })
            })
            .await
    }

    /// Folds what every batch committed so far left pending (see
    /// `postgres/pending.rs`): how many keys the day's cap counted as
    /// `(other)`, since the last settle.
    async fn settle(&self) -> Result<u64, StoreError> {
        self.fold_pending().await?;
        Ok(self.folded.swap(0, Ordering::Relaxed))
    }

    fn writers(&self) -> usize {
        self.writers
    }

    /// Each batch costs the server a transaction's statements and its
    /// commit, so under load it pays to wait for the senders the last
    /// commit answered: their next reports arrive within a couple of
    /// milliseconds (see docs/performance.md).
    fn linger(&self) -> std::time::Duration {
        LINGER
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.connections
            .query(|connection| {
                Box::pin(async move { connection.client.simple_query("SELECT 1").await.map(drop) })
            })
            .await
    }

    async fn prepare_days(&self, from: Date, days: i64) -> Result<(), StoreError> {
        for n in 0..days {
            self.ensure_partition(from + Duration::days(n)).await?;
        }
        Ok(())
    }

    async fn counts(&self, field: &str, from: Date, to: Date) -> Result<Vec<CountRow>, StoreError> {
        self.fold_pending().await?;
        reads::counts(&self.connections, field, from, to).await
    }

    async fn numbers(
        &self,
        field: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<NumberRow>, StoreError> {
        self.fold_pending().await?;
        reads::numbers(&self.connections, field, from, to).await
    }

    async fn all_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, CountRow)>, StoreError> {
        self.fold_pending().await?;
        reads::all_counts(&self.connections, from, to).await
    }

    async fn scan_counts<K: CountSink>(
        &self,
        from: Date,
        to: Date,
        sink: K,
    ) -> Result<K, StoreError> {
        self.fold_pending().await?;
        reads::scan_counts(&self.connections, from, to, sink).await
    }

    async fn all_numbers(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, NumberRow)>, StoreError> {
        self.fold_pending().await?;
        reads::all_numbers(&self.connections, from, to).await
    }

    async fn sessions(&self, from: Date, to: Date) -> Result<Vec<SessionRow>, StoreError> {
        self.fold_pending().await?;
        reads::sessions(&self.connections, from, to).await
    }

    /// Drops the partitions of days before `day`.
    async fn delete_raw_before(&self, day: Date) -> Result<(), StoreError> {
        let cutoff = partition_name(day);
        let dropped = self.connections
            .query(move |connection| {
                Box::pin(async move {
                    let client = &connection.client;
                    let children = client
                        .query(
                            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                             JOIN pg_class p ON p.oid = i.inhparent \
                             WHERE p.relname = 'raw_reports' AND p.relnamespace = c.relnamespace \
                             AND pg_table_is_visible(p.oid)",
                            &[],
                        )
                        .await?;
                    let mut dropped = Vec::new();
                    for child in children {
                        let name: String = child.get(0);
                        // Names sort as their days do: raw_reports_YYYYMMDD.
                        if name < cutoff && name.starts_with("raw_reports_") {
                            client.batch_execute(&format!("DROP TABLE {name}")).await?;
                            dropped.push(name);
                        }
                    }
                    Ok(dropped)
                })
            })
            .await?;
        let mut known = self.partitions.lock().await;
        for name in dropped {
            known.remove(&name);
        }
        Ok(())
    }

    async fn counts_between(
        &self,
        from: Date,
        before: Date,
        fields: &[String],
        kind: &'static str,
    ) -> Result<Vec<(String, CountRow)>, StoreError> {
        self.fold_pending().await?;
        reads::counts_between(&self.connections, from, before, fields, kind).await
    }

    async fn fold(&self, folds: Vec<Fold>) -> Result<(), StoreError> {
        maintenance::fold(&self.connections, folds).await
    }

    async fn compact_before(&self, day: Date) -> Result<(), StoreError> {
        self.fold_pending().await?;
        maintenance::compact_before(&self.connections, day).await
    }

    async fn generation(&self) -> Result<i64, StoreError> {
        let rows = self
            .connections
            .select(&sql().generation, Vec::new())
            .await?;
        rows.first()
            .map(|row| row.get(0))
            .ok_or_else(|| StoreError("postgres: agg_generation has no row".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_day;

    #[test]
    fn partition_names_sort_as_days() {
        let day = parse_day("2026-11-25").unwrap();
        assert_eq!(partition_name(day), "raw_reports_20261125");
        assert!(
            partition_name(parse_day("2026-02-01").unwrap())
                < partition_name(parse_day("2026-11-25").unwrap())
        );
    }
}
