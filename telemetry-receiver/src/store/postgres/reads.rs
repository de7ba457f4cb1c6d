//! What the PostgreSQL store answers the dashboard, the exports and the
//! maintenance job: the aggregate rows of a window, summed over shards by
//! the shared statements ([`crate::store::sql`]). The store folds what is
//! pending before each of these (see `mod.rs`).

use futures_util::TryStreamExt;
use time::Date;
use tokio_postgres::Row;

use super::connections::{sql, Connections};
use crate::clock::day_text;
use crate::store::sql::Dialect;
use crate::store::window::{self, CountSink, StoredCount};
use crate::store::{CountRow, NumberRow, SessionRow, StoreError};

pub(super) async fn counts(
    connections: &Connections,
    field: &str,
    from: Date,
    to: Date,
) -> Result<Vec<CountRow>, StoreError> {
    let rows = connections
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

pub(super) async fn numbers(
    connections: &Connections,
    field: &str,
    from: Date,
    to: Date,
) -> Result<Vec<NumberRow>, StoreError> {
    let rows = connections
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

pub(super) async fn all_counts(
    connections: &Connections,
    from: Date,
    to: Date,
) -> Result<Vec<(String, CountRow)>, StoreError> {
    let rows = connections
        .select(
            &window::statements(Dialect::Postgres).all_counts,
            vec![Box::new(day_text(from)), Box::new(day_text(to))],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| (row.get(0), count_row(row, 1)))
        .collect())
}

pub(super) async fn scan_counts<K: CountSink>(
    connections: &Connections,
    from: Date,
    to: Date,
    mut sink: K,
) -> Result<K, StoreError> {
    let (from, to) = (day_text(from), day_text(to));
    connections
        .query(move |connection| {
            Box::pin(async move {
                let sql = &window::statements(Dialect::Postgres).scan_counts;
                // Row by row as they arrive: the sink keeps what it
                // needs, the rows are not collected.
                let rows = connection
                    .client
                    .query_raw(sql.as_str(), [&from, &to])
                    .await?;
                futures_util::pin_mut!(rows);
                while let Some(row) = rows.try_next().await? {
                    sink.add(StoredCount {
                        field: row.try_get(0)?,
                        day: row.try_get(1)?,
                        schema_version: row.try_get(2)?,
                        kind: row.try_get(3)?,
                        key: row.try_get(4)?,
                        count: row.try_get(5)?,
                    });
                }
                Ok(sink)
            })
        })
        .await
}

pub(super) async fn all_numbers(
    connections: &Connections,
    from: Date,
    to: Date,
) -> Result<Vec<(String, NumberRow)>, StoreError> {
    let rows = connections
        .select(
            &window::statements(Dialect::Postgres).all_numbers,
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

pub(super) async fn sessions(
    connections: &Connections,
    from: Date,
    to: Date,
) -> Result<Vec<SessionRow>, StoreError> {
    let rows = connections
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

pub(super) async fn counts_between(
    connections: &Connections,
    from: Date,
    before: Date,
    fields: &[String],
    kind: &'static str,
) -> Result<Vec<(String, CountRow)>, StoreError> {
    let rows = connections
        .select(
            &sql().value_counts_between,
            vec![
                Box::new(day_text(from)),
                Box::new(day_text(before)),
                Box::new(fields.to_vec()),
                Box::new(kind),
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| (row.get(0), count_row(row, 1)))
        .collect())
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
