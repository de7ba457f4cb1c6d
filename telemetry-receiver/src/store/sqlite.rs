//! The embedded store: one SQLite file, in WAL mode with full fsync on
//! commit, so an acknowledged report survives a crash.

use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use time::Date;

use super::{
    free_form_upsert, CountRow, Fold, Ingest, NumberRow, Outcome, SessionRow, Store, StoreError,
    MIGRATIONS,
};
use crate::aggregate::{Observation, DAY_CAP, OTHER, VALUE};
use crate::clock::day_text;

/// A free-form string's count, under the day's cap (see `free_form_upsert`).
static FREE_FORM: LazyLock<String> = LazyLock::new(|| free_form_upsert(|n| format!("?{n}")));

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
    let raw = "CREATE TABLE raw_reports (day TEXT NOT NULL, session_key TEXT NOT NULL, \
               schema_version TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (day, session_key))";
    connection
        .execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        .map_err(error)?;
    let done: i64 = connection
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |row| {
            row.get(0)
        })
        .map_err(error)?;
    for (version, sql) in std::iter::once(raw)
        .chain(MIGRATIONS.iter().copied())
        .enumerate()
    {
        if (version as i64) < done {
            continue;
        }
        let tx = connection.unchecked_transaction().map_err(error)?;
        tx.execute_batch(sql).map_err(error)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES (?1)",
            [version as i64],
        )
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

impl Store for SqliteStore {
    async fn ingest(&self, ingest: Ingest) -> Result<Outcome, StoreError> {
        self.with(move |connection| {
            let tx = connection.transaction()?;
            let day = day_text(ingest.day);
            // Cached per connection: preparing these statements anew for
            // every report took about a third of ingest time
            // (docs/performance.md, the receiver's benchmark).
            let inserted = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO raw_reports (day, session_key, schema_version, body) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![day, ingest.session_key, ingest.version, ingest.body])?;
            if inserted == 0 {
                return Ok(Outcome::Duplicate);
            }
            tx.prepare_cached(
                "INSERT INTO agg_sessions (day, schema_version, sessions) VALUES (?1, ?2, 1) \
                 ON CONFLICT (day, schema_version) DO UPDATE SET sessions = sessions + 1",
            )?
            .execute(params![day, ingest.version])?;
            for observation in &ingest.observations {
                match observation {
                    Observation::Count { field, kind, key, amount } => tx
                        .prepare_cached(
                            "INSERT INTO agg_counts (day, schema_version, field, kind, key, count) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (day, schema_version, field, kind, key) \
                             DO UPDATE SET count = count + excluded.count",
                        )?
                        .execute(params![day, ingest.version, field, kind, key, amount])?,
                    Observation::FreeForm { field, key } => tx
                        .prepare_cached(FREE_FORM.as_str())?
                        .execute(params![day, ingest.version, field, VALUE, key, DAY_CAP, OTHER])?,
                    Observation::Number { field, value } => tx
                        .prepare_cached(
                            "INSERT INTO agg_numbers (day, schema_version, field, count, sum, min, max) \
                             VALUES (?1, ?2, ?3, 1, ?4, ?4, ?4) ON CONFLICT (day, schema_version, field) \
                             DO UPDATE SET count = count + 1, sum = sum + excluded.sum, \
                             min = min(min, excluded.min), max = max(max, excluded.max)",
                        )?
                        .execute(params![day, ingest.version, field, value])?,
                };
            }
            tx.commit()?;
            Ok(Outcome::Stored)
        })
        .await
    }

    async fn counts(&self, field: &str, from: Date, to: Date) -> Result<Vec<CountRow>, StoreError> {
        let (field, from, to) = (field.to_owned(), day_text(from), day_text(to));
        self.with(move |connection| {
            let mut statement = connection.prepare(
                "SELECT day, schema_version, kind, key, count FROM agg_counts \
                 WHERE field = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day, schema_version, kind, count DESC, key",
            )?;
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
            let mut statement = connection.prepare(
                "SELECT day, schema_version, count, sum, min, max FROM agg_numbers \
                 WHERE field = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day, schema_version",
            )?;
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

    async fn sessions(&self, from: Date, to: Date) -> Result<Vec<SessionRow>, StoreError> {
        let (from, to) = (day_text(from), day_text(to));
        self.with(move |connection| {
            let mut statement = connection.prepare(
                "SELECT day, schema_version, sessions FROM agg_sessions \
                 WHERE day >= ?1 AND day <= ?2 ORDER BY day, schema_version",
            )?;
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

    async fn raw_count(&self) -> Result<i64, StoreError> {
        self.with(|connection| {
            connection
                .query_row("SELECT COUNT(*) FROM raw_reports", [], |row| row.get(0))
                .optional()
                .map(Option::unwrap_or_default)
        })
        .await
    }

    async fn value_counts_before(
        &self,
        day: Date,
        fields: &[String],
    ) -> Result<Vec<(String, CountRow)>, StoreError> {
        let (day, fields) = (day_text(day), fields.to_vec());
        self.with(move |connection| {
            let mut statement = connection.prepare(
                "SELECT field, day, schema_version, kind, key, count FROM agg_counts \
                 WHERE day < ?1 AND field = ?2 AND kind = ?3",
            )?;
            let mut out = Vec::new();
            for field in &fields {
                let rows = statement.query_map(params![day, field, VALUE], |row| {
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
                for key in &fold.keys {
                    tx.execute(
                        "DELETE FROM agg_counts WHERE day = ?1 AND schema_version = ?2 AND field = ?3 \
                         AND kind = ?4 AND key = ?5",
                        params![fold.day, fold.schema_version, fold.field, VALUE, key],
                    )?;
                }
                tx.execute(
                    "INSERT INTO agg_counts (day, schema_version, field, kind, key, count) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (day, schema_version, field, kind, key) \
                     DO UPDATE SET count = count + excluded.count",
                    params![fold.day, fold.schema_version, fold.field, VALUE, OTHER, fold.total],
                )?;
            }
            tx.commit()
        })
        .await
    }
}
