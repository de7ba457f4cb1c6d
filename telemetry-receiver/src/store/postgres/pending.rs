//! Folding the batches' pending aggregates into the aggregate tables.
//!
//! A batch commits its raw reports and one `agg_pending` row (its
//! aggregates as text, [`crate::store::pending`]); a fold takes pending
//! rows, sums them and adds them to the tables, in one transaction, so
//! every stored report is counted exactly once, whichever receiver folds
//! and whenever it does. Each receiver folds every second, and before
//! every read of the aggregates, so a read sees every report acknowledged
//! before it. Two folds at once take different rows: one that reaches
//! rows another has taken waits for it, then skips them.
//!
//! Rows go as arrays (`unnest`), one statement per table whatever the
//! number of batches folded. Only a capped key the day has not counted yet
//! takes a statement of its own: whether it is counted or goes to
//! `(other)` is decided row by row.

use std::collections::HashSet;

use futures_util::future::try_join_all;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

use super::connections::begin_with;
use super::statements::{IngestStatements, TAKEN_AT_MOST};
use crate::aggregate::{DAY_CAP, OTHER};
use crate::store::batch::{CountKey, Numbers, Totals};
use crate::store::pending::add_to;

/// Counts as the columns `COUNTS_UPSERT` and `KNOWN_KEYS` take ([`super::statements`]).
#[derive(Default)]
struct CountColumns<'a> {
    days: Vec<&'a str>,
    versions: Vec<&'a str>,
    fields: Vec<&'a str>,
    kinds: Vec<&'a str>,
    keys: Vec<&'a str>,
    amounts: Vec<i64>,
}

/// A summed count as a batch holds it: key, amount, whether capped.
type CountRow<'a> = (&'a CountKey, i64, bool);

impl<'a> CountColumns<'a> {
    fn of(rows: &[CountRow<'a>]) -> CountColumns<'a> {
        let mut columns = CountColumns::default();
        for row in rows {
            columns.push(*row);
        }
        columns
    }

    fn push(&mut self, ((day, version, field, kind, key), amount, _): CountRow<'a>) {
        self.days.push(day);
        self.versions.push(version);
        self.fields.push(field);
        self.kinds.push(kind);
        self.keys.push(key);
        self.amounts.push(amount);
    }

    fn keys(&self) -> [&(dyn ToSql + Sync); 5] {
        [
            &self.days,
            &self.versions,
            &self.fields,
            &self.kinds,
            &self.keys,
        ]
    }
}

/// Which of `rows` (capped keys) the day has already counted, in any shard.
async fn look_up<'k>(
    client: &Client,
    prepared: &IngestStatements,
    rows: &[CountRow<'k>],
) -> Result<Vec<&'k CountKey>, tokio_postgres::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let columns = CountColumns::of(rows);
    let found = client.query(&prepared.known_keys, &columns.keys()).await?;
    Ok(found
        .iter()
        .map(|row| rows[row.get::<_, i64>(0) as usize - 1].0)
        .collect())
}

/// Folds every pending row committed before it started, in transactions
/// of [`TAKEN_AT_MOST`] rows: how many keys the day's cap counted as
/// `(other)`.
pub(super) async fn fold_pending(
    client: &mut Client,
    prepared: &IngestStatements,
    shard: &i16,
) -> Result<u64, tokio_postgres::Error> {
    let mut folded = 0;
    loop {
        let (taken, folded_now) = fold_some(client, prepared, shard).await?;
        folded += folded_now;
        if taken < TAKEN_AT_MOST {
            return Ok(folded);
        }
    }
}

/// One transaction: takes pending rows and adds them to the tables. How
/// many rows it took, and how many keys went to `(other)`.
async fn fold_some(
    client: &mut Client,
    prepared: &IngestStatements,
    shard: &i16,
) -> Result<(usize, u64), tokio_postgres::Error> {
    let client: &Client = client;
    let taken = begin_with(client, &prepared.take_pending, &[]).await?;
    if taken.is_empty() {
        client.batch_execute("COMMIT").await?;
        return Ok((0, 0));
    }
    let mut totals = Totals::default();
    for row in &taken {
        if let Err(err) = add_to(&mut totals, row.get(0)) {
            // Only a row written by hand can be unreadable. Kept, it would
            // stop every fold after it; dropped, it is said.
            tracing::error!("dropped a pending row of agg_pending: {err}");
        }
    }
    match add_totals(client, prepared, shard, &totals).await {
        Ok(folded) => Ok((taken.len(), folded)),
        Err(err) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(err)
        }
    }
}

/// Adds `totals` to the tables and commits, in two round trips: the
/// lookup of the capped keys, then every table's rows (in [`Totals`]'
/// order, see [`crate::store::batch`]) with the commit. On PostgreSQL a
/// statement that fails aborts its transaction, and the `COMMIT` sent
/// after it then rolls back, so nothing of a failed fold is kept and its
/// pending rows stay for the next one.
async fn add_totals(
    client: &Client,
    prepared: &IngestStatements,
    shard: &i16,
    totals: &Totals,
) -> Result<u64, tokio_postgres::Error> {
    let capped_rows: Vec<CountRow> = totals
        .counts
        .iter()
        .filter(|(_, count)| count.capped)
        .map(|(key, count)| (key, count.amount, count.capped))
        .collect();
    let known: HashSet<&CountKey> = look_up(client, prepared, &capped_rows)
        .await?
        .into_iter()
        .collect();
    let (unknown, plain_rows): (Vec<CountRow>, Vec<CountRow>) = totals
        .counts
        .iter()
        .map(|(key, count)| (key, count.amount, count.capped))
        .partition(|(key, _, capped)| *capped && !known.contains(key));
    let plain = CountColumns::of(&plain_rows);
    let sessions: (Vec<&str>, Vec<&str>, Vec<i64>) = (
        totals
            .sessions
            .keys()
            .map(|(day, _)| day.as_str())
            .collect(),
        totals
            .sessions
            .keys()
            .map(|(_, version)| version.as_str())
            .collect(),
        totals.sessions.values().copied().collect(),
    );
    let numbers = &totals.numbers;
    let number_keys = |pick: fn(&(String, String, String)) -> &str| -> Vec<&str> {
        numbers.keys().map(pick).collect()
    };
    let number_stats =
        |pick: fn(&Numbers) -> f64| -> Vec<f64> { numbers.values().map(pick).collect() };
    let number_counts: Vec<i64> = numbers.values().map(|n| n.count).collect();
    let (number_days, number_versions, number_fields) = (
        number_keys(|key| &key.0),
        number_keys(|key| &key.1),
        number_keys(|key| &key.2),
    );
    let (sums, minima, maxima) = (
        number_stats(|n| n.sum),
        number_stats(|n| n.min),
        number_stats(|n| n.max),
    );
    let plain_params: [&(dyn ToSql + Sync); 7] = {
        let [day, version, field, kind, key] = plain.keys();
        [day, version, field, kind, key, &plain.amounts, shard]
    };
    let session_params: [&(dyn ToSql + Sync); 4] = [&sessions.0, &sessions.1, &sessions.2, shard];
    let number_params: [&(dyn ToSql + Sync); 8] = [
        &number_days,
        &number_versions,
        &number_fields,
        &number_counts,
        &sums,
        &minima,
        &maxima,
        shard,
    ];
    // A key new today: whether it is counted or folded into `(other)` is
    // decided by the capped upsert, which returns the key it counted.
    let capped_updates = unknown
        .iter()
        .map(|((day, version, field, kind, key), amount, _)| {
            let params: [&(dyn ToSql + Sync); 9] = [
                day, version, field, kind, key, &DAY_CAP, &OTHER, amount, shard,
            ];
            async move {
                let row = client.query_one(&prepared.capped, &params).await?;
                Ok::<_, tokio_postgres::Error>(u64::from(row.get::<_, &str>(0) != key.as_str()))
            }
        });
    // Pipelined: one round trip for every table's rows and the commit.
    let (_, _, _, folded, _) = tokio::try_join!(
        client.execute(&prepared.sessions, &session_params),
        client.execute(&prepared.count, &plain_params),
        client.execute(&prepared.number, &number_params),
        try_join_all(capped_updates),
        client.batch_execute("COMMIT"),
    )?;
    Ok(folded.into_iter().sum())
}
