//! The PostgreSQL store. Raw reports sit in a table partitioned by day, so
//! retention drops whole partitions instead of deleting rows. The
//! connection is made again after it breaks: while the database is
//! unreachable every ingest fails (the receiver answers 503), and the next
//! one after it is back succeeds.

mod connections;

use std::collections::HashSet;

use futures_util::future::try_join_all;

use time::{Date, Duration};
use tokio::sync::Mutex;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement};

use super::sql::Dialect;
use super::{CountRow, Fold, Ingest, NumberRow, Outcome, SessionRow, Store, StoreError};
use crate::aggregate::{Observation, DAY_CAP, OTHER, VALUE};
use crate::clock::day_text;
use connections::{error, sql, Connections};

pub struct PostgresStore {
    connections: Connections,
    /// Day partitions known to exist. Held while one is created, so
    /// concurrent first reports of a day do not race to create it.
    partitions: Mutex<HashSet<String>>,
}

/// `raw_reports_20261125`.
fn partition_name(day: Date) -> String {
    format!("raw_reports_{}", day_text(day).replace('-', ""))
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host/db`) and runs the
    /// migrations.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let store = PostgresStore {
            connections: Connections::new(url),
            partitions: Mutex::default(),
        };
        let mut slot = store.connections.first().await;
        let client = &mut store.connections.connected(&mut slot).await?.client;
        client
            .batch_execute(&sql().migrations_table)
            .await
            .map_err(error)?;
        let done: i64 = client
            .query_one(&sql().migrations_done, &[])
            .await
            .map_err(error)?
            .get(0);
        for (version, migration) in Dialect::Postgres.pending_migrations(done) {
            let tx = client.transaction().await.map_err(error)?;
            tx.batch_execute(migration).await.map_err(error)?;
            tx.execute(&sql().migration_record, &[&version])
                .await
                .map_err(error)?;
            tx.commit().await.map_err(error)?;
        }
        drop(slot);
        Ok(store)
    }

    /// Creates the raw table's partition of `day` unless it is known.
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
        self.connections
            .query(move |connection| {
                Box::pin(async move { connection.client.batch_execute(&create).await })
            })
            .await?;
        known.insert(partition);
        Ok(())
    }
}

impl Store for PostgresStore {
    async fn ingest(&self, ingest: Ingest) -> Result<Outcome, StoreError> {
        self.ensure_partition(ingest.day).await?;
        self.connections
            .query(move |connection| {
                Box::pin(async move {
                    let prepared = connection.ingest_statements().await?;
                    let tx = connection.client.transaction().await?;
                    let day = day_text(ingest.day);
                    let inserted = tx
                        .execute(
                            &prepared.raw,
                            &[&day, &ingest.session_key, &ingest.version, &ingest.body],
                        )
                        .await?;
                    if inserted == 0 {
                        tx.commit().await?;
                        return Ok(Outcome::Duplicate);
                    }
                    // One round trip for all the aggregate updates: the
                    // statements are pipelined on the connection.
                    let mut updates: Vec<(&Statement, Vec<&(dyn ToSql + Sync)>)> =
                        vec![(&prepared.sessions, vec![&day, &ingest.version])];
                    for observation in &ingest.observations {
                        updates.push(match observation {
                            Observation::Count {
                                field,
                                kind,
                                key,
                                amount,
                            } => (
                                &prepared.count,
                                vec![&day, &ingest.version, field, kind, key, amount],
                            ),
                            Observation::FreeForm { field, key } => (
                                &prepared.free_form,
                                vec![&day, &ingest.version, field, &VALUE, key, &DAY_CAP, &OTHER],
                            ),
                            Observation::Number { field, value } => {
                                (&prepared.number, vec![&day, &ingest.version, field, value])
                            }
                        });
                    }
                    let pipelined = updates
                        .iter()
                        .map(|(statement, params)| tx.execute(*statement, params));
                    try_join_all(pipelined).await?;
                    tx.commit().await?;
                    Ok(Outcome::Stored)
                })
            })
            .await
    }

    async fn counts(&self, field: &str, from: Date, to: Date) -> Result<Vec<CountRow>, StoreError> {
        let rows = self
            .connections
            .select(
                &sql().counts,
                vec![
                    Box::new(field.to_owned()),
                    Box::new(day_text(from)),
                    Box::new(day_text(to)),
                ],
            )
            .await?;
        Ok(rows.iter().map(|row| count_row(row, 0)).collect())
    }

    async fn numbers(
        &self,
        field: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<NumberRow>, StoreError> {
        let rows = self
            .connections
            .select(
                &sql().numbers,
                vec![
                    Box::new(field.to_owned()),
                    Box::new(day_text(from)),
                    Box::new(day_text(to)),
                ],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| NumberRow {
                day: row.get(0),
                schema_version: row.get(1),
                count: row.get(2),
                sum: row.get(3),
                min: row.get(4),
                max: row.get(5),
            })
            .collect())
    }

    async fn all_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, CountRow)>, StoreError> {
        let rows = self
            .connections
            .select(
                &super::window::statements(Dialect::Postgres).all_counts,
                vec![Box::new(day_text(from)), Box::new(day_text(to))],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get(0), count_row(row, 1)))
            .collect())
    }

    async fn all_numbers(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, NumberRow)>, StoreError> {
        let rows = self
            .connections
            .select(
                &super::window::statements(Dialect::Postgres).all_numbers,
                vec![Box::new(day_text(from)), Box::new(day_text(to))],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                let number = NumberRow {
                    day: row.get(1),
                    schema_version: row.get(2),
                    count: row.get(3),
                    sum: row.get(4),
                    min: row.get(5),
                    max: row.get(6),
                };
                (row.get(0), number)
            })
            .collect())
    }

    async fn sessions(&self, from: Date, to: Date) -> Result<Vec<SessionRow>, StoreError> {
        let rows = self
            .connections
            .select(
                &sql().sessions,
                vec![Box::new(day_text(from)), Box::new(day_text(to))],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| SessionRow {
                day: row.get(0),
                schema_version: row.get(1),
                sessions: row.get(2),
            })
            .collect())
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

    async fn value_counts_before(
        &self,
        day: Date,
        fields: &[String],
    ) -> Result<Vec<(String, CountRow)>, StoreError> {
        let rows = self
            .connections
            .select(
                &sql().value_counts_before,
                vec![
                    Box::new(day_text(day)),
                    Box::new(fields.to_vec()),
                    Box::new(VALUE),
                ],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get(0), count_row(row, 1)))
            .collect())
    }

    async fn fold(&self, folds: Vec<Fold>) -> Result<(), StoreError> {
        self.connections
            .query(move |connection| {
                Box::pin(async move {
                    let tx = connection.client.transaction().await?;
                    for fold in &folds {
                        tx.execute(
                            &sql().fold_delete,
                            &[
                                &fold.day,
                                &fold.schema_version,
                                &fold.field,
                                &VALUE,
                                &fold.keys,
                            ],
                        )
                        .await?;
                        tx.execute(
                            &sql().count_upsert,
                            &[
                                &fold.day,
                                &fold.schema_version,
                                &fold.field,
                                &VALUE,
                                &OTHER,
                                &fold.total,
                            ],
                        )
                        .await?;
                    }
                    tx.commit().await
                })
            })
            .await
    }
}

/// A [`CountRow`] from `day, schema_version, kind, key, count` at `first`.
fn count_row(row: &Row, first: usize) -> CountRow {
    CountRow {
        day: row.get(first),
        schema_version: row.get(first + 1),
        kind: row.get(first + 2),
        key: row.get(first + 3),
        count: row.get(first + 4),
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
