//! The embedded store: one SQLite file, in WAL mode with full fsync on
//! commit, so an acknowledged report survives a crash.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::types::Type;
use rusqlite::{params, Connection};
use time::Date;

use super::batch::Totals;
use super::sql::{Dialect, Statements};
use super::window::{CountSink, StoredCount};
use super::{CountRow, Fold, Ingest, NumberRow, Outcome, SessionRow, Store, StoreError, Stored};
use crate::aggregate::{DAY_CAP, OTHER};
use crate::clock::day_text;

/// The shared statements, in SQLite's dialect.
fn sql() -> &'static Statements {
    Dialect::Sqlite.statements()
}

#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

fn error(err: impl std::fmt::Display) -> StoreError {
    StoreError(format!("sqlite: {err}"))
}

impl SqliteStore {
    /// Opens (or creates) the database file and runs the migrations.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let connection = Connection::open(path).map_err(error)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
            )
            .map_err(error)?;
        migrate(&connection)?;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` with the connection on a blocking thread.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().unwrap_or_else(|e| e.into_inner());
            work(&mut connection)
        })
        .await
        .map_err(error)?
        .map_err(error)
    }
}

fn migrate(connection: &Connection) -> Result<(), StoreError> {
    connection
        .execute_batch(&sql().migrations_table)
        .map_err(error)?;
    let done: i64 = connection
        .query_row(&sql().migrations_done, [], |row| row.get(0))
        .map_err(error)?;
    for (version, migration) in Dialect::Sqlite.pending_migrations(done) {
        let tx = connection.unchecked_transaction().map_err(error)?;
        tx.execute_batch(migration).map_err(error)?;
        tx.execute(&sql().migration_record, [version])
            .map_err(error)?;
        tx.commit().map_err(error)?;
    }
    Ok(())
}

/// A [`CountRow`] from `day, schema_version, kind, key, count` at `first`.
fn count_row(row: &rusqlite::Row, first: usize) -> rusqlite::Result<CountRow> {
    Ok(CountRow {
        day: row.get(first)?,
        schema_version: row.get(first + 1)?,
        kind: row.get(first + 2)?,
        key: row.get(first + 3)?,
        count: row.get(first + 4)?,
    })
}

/// The aggregates' shard: one file has one writer.
const SHARD: i64 = 0;

/// Adds a batch's totals to the aggregates; how many capped keys were
/// counted as `(other)`.
fn apply(tx: &rusqlite::Transaction<'_>, totals: &Totals) -> rusqlite::Result<u64> {
    let mut sessions = tx.prepare_cached(&sql().sessions_upsert)?;
    for ((day, version), amount) in &totals.sessions {
        sessions.execute(params![day, version, SHARD, amount])?;
    }
    let mut folded = 0;
    for ((day, version, field, kind, key), count) in &totals.counts {
        if count.capped {
            let counted: String = tx.prepare_cached(&sql().capped_upsert)?.query_row(
                params![
                    day,
                    version,
                    field,
                    kind,
                    key,
                    DAY_CAP,
                    OTHER,
                    count.amount,
                    SHARD
                ],
                |row| row.get(0),
            )?;
            folded += u64::from(counted != *key);
        } else {
            tx.prepare_cached(&sql().count_upsert)?.execute(params![
                day,
                version,
                field,
                kind,
                key,
                SHARD,
                count.amount
            ])?;
        }
    }
    let mut numbers = tx.prepare_cached(&sql().number_upsert)?;
    for ((day, version, field), n) in &totals.numbers {
        numbers.execute(params![
            day, version, field, SHARD, n.count, n.sum, n.min, n.max
        ])?;
    }
    Ok(folded)
}

impl Store for SqliteStore {
    async fn ingest_batch(&self, batch: Vec<Ingest>) -> Result<Stored, StoreError> {
        self.with(move |connection| {
            let tx = connection.transaction()?;
            let mut outcomes = vec![Outcome::Duplicate; batch.len()];
            let mut totals = Totals::default();
            // Cached per connection: preparing these statements anew for
            // every report took about a third of ingest time
            // (docs/performance.md, the receiver's benchmark).
            let mut raw = tx.prepare_cached(&sql().raw_insert)?;
            for (index, ingest) in batch.iter().enumerate() {
                let inserted = raw.execute(params![
                    day_text(ingest.day),
                    ingest.session_key,
                    ingest.version,
                    ingest.body
                ])?;
                if inserted == 1 {
                    outcomes[index] = Outcome::Stored;
                    totals.add(ingest);
                }
            }
            drop(raw);
            let folded = apply(&tx, &totals)?;
            tx.commit()?;
            Ok(Stored { outcomes, folded })
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.with(|connection| connection.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    async fn counts(&self, field: &str, from: Date, to: Date) -> Result<Vec<CountRow>, StoreError> {
        let (field, from, to) = (field.to_owned(), day_text(from), day_text(to));
        self.with(move |connection| {
            let mut statement = connection.prepare(&sql().counts)?;
            let rows = statement.query_map(params![field, from, to], |row| count_row(row, 0))?;
            rows.collect()
        })
        .await
    }

    async fn numbers(
        &self,
        field: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<NumberRow>, StoreError> {
        let (field, from, to) = (field.to_owned(), day_text(from), day_text(to));
        self.with(move |connection| {
            let mut statement = connection.prepare(&sql().numbers)?;
            let rows = statement.query_map(params![field, from, to], |row| {
                Ok(NumberRow {
                    day: row.get(0)?,
                    schema_version: row.get(1)?,
                    count: row.get(2)?,
                    sum: row.get(3)?,
                    min: row.get(4)?,
                    max: row.get(5)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn all_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, CountRow)>, StoreError> {
        let (from, to) = (day_text(from), day_text(to));
        self.with(move |connection| {
            let mut statement = connection
                .prepare_cached(&super::window::statements(Dialect::Sqlite).all_counts)?;
            let rows = statement.query_map(params![from, to], |row| {
                Ok((row.get(0)?, count_row(row, 1)?))
            })?;
            rows.collect()
        })
        .await
    }

    async fn scan_counts<K: CountSink>(
        &self,
        from: Date,
        to: Date,
        mut sink: K,
    ) -> Result<K, StoreError> {
        let (from, to) = (day_text(from), day_text(to));
        self.with(move |connection| {
            let mut statement = connection
                .prepare_cached(&super::window::statements(Dialect::Sqlite).scan_counts)?;
            let mut rows = statement.query(params![from, to])?;
            while let Some(row) = rows.next()? {
                // Borrowed: no string is copied for a row the sink only adds up.
                let text = |index: usize| {
                    row.get_ref(index)?.as_str().map_err(|err| {
                        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(err))
                    })
                };
                sink.add(StoredCount {
                    field: text(0)?,
                    day: text(1)?,
                    schema_version: text(2)?,
                    kind: text(3)?,
                    key: text(4)?,
                    count: row.get(5)?,
                });
            }
            Ok(sink)
        })
        .await
    }

    async fn all_numbers(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, NumberRow)>, StoreError> {
        let (from, to) = (day_text(from), day_text(to));
        self.with(move |connection| {
            let mut statement = connection
                .prepare_cached(&super::window::statements(Dialect::Sqlite).all_numbers)?;
            let rows = statement.query_map(params![from, to], |row| {
                Ok((
                    row.get(0)?,
                    NumberRow {
                        day: row.get(1)?,
                        schema_version: row.get(2)?,
                        count: row.get(3)?,
                        sum: row.get(4)?,
                        min: row.get(5)?,
                        max: row.get(6)?,
                    },
                ))
            })?;
            rows.collect()
        })
        .await
    }

    async fn sessions(&self, from: Date, to: Date) -> Result<Vec<SessionRow>, StoreError> {
        let (from, to) = (day_text(from), day_text(to));
        self.with(move |connection| {
            let mut statement = connection.prepare(&sql().sessions)?;
            let rows = statement.query_map(params![from, to], |row| {
                Ok(SessionRow {
                    day: row.get(0)?,
                    schema_version: row.get(1)?,
                    sessions: row.get(2)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn delete_raw_before(&self, day: Date) -> Result<(), StoreError> {
        let day = day_text(day);
        self.with(move |connection| {
            connection.execute("DELETE FROM raw_reports WHERE day < ?1", [day])?;
            Ok(())
        })
        .await
    }

    async fn counts_between(
        &self,
        from: Date,
        before: Date,
        fields: &[String],
        kind: &'static str,
    ) -> Result<Vec<(String, CountRow)>, StoreError> {
        let (from, before, fields) = (day_text(from), day_text(before), fields.to_vec());
        self.with(move |connection| {
            // One field per execution: SQLite binds no lists.
            let mut statement = connection.prepare(&sql().value_counts_between)?;
            let mut out = Vec::new();
            for field in &fields {
                let rows = statement.query_map(params![from, before, field, kind], |row| {
                    Ok((row.get(0)?, count_row(row, 1)?))
                })?;
                for row in rows {
                    out.push(row?);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn fold(&self, folds: Vec<Fold>) -> Result<(), StoreError> {
        self.with(move |connection| {
            let tx = connection.transaction()?;
            for fold in &folds {
                // One key per execution: SQLite binds no lists.
                for key in &fold.keys {
                    tx.execute(
                        &sql().fold_delete,
                        params![fold.day, fold.schema_version, fold.field, fold.kind, key],
                    )?;
                }
                tx.execute(
                    &sql().count_upsert,
                    params![
                        fold.day,
                        fold.schema_version,
                        fold.field,
                        fold.kind,
                        OTHER,
                        SHARD,
                        fold.total
                    ],
                )?;
            }
            tx.execute(&sql().generation_bump, [])?;
            tx.commit()
        })
        .await
    }

    async fn generation(&self) -> Result<i64, StoreError> {
        self.with(|connection| connection.query_row(&sql().generation, [], |row| row.get(0)))
            .await
    }
}
