//! One group-commit batch in one PostgreSQL transaction, in a few
//! statements whatever its size: each table's rows go as arrays
//! (`unnest`), so a batch of ten costs the server about what a batch of
//! one does. Only a capped key the day has not seen yet takes a statement
//! of its own (the cap is decided row by row).

use std::collections::HashSet;
use std::sync::LazyLock;

use futures_util::future::try_join_all;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

use super::connections::IngestStatements;
use super::known_keys::KnownKeys;
use crate::aggregate::{DAY_CAP, OTHER};
use crate::clock::day_text;
use crate::store::batch::{insert_order, CountKey, Numbers, Totals};
use crate::store::sql::{Dialect, COUNTS_MERGE, SESSIONS_MERGE};
use crate::store::{Ingest, Outcome, Stored};

/// The raw reports of a batch, in key order: those that were not there
/// yet come back (a retry's and a second copy in the batch do not).
pub(super) const RAW_INSERT: &str = "INSERT INTO raw_reports (day, session_key, schema_version, body) \
     SELECT day::date, session_key, schema_version, body \
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(day, session_key, schema_version, body) \
     ON CONFLICT DO NOTHING RETURNING to_char(day, 'YYYY-MM-DD'), session_key";

/// A batch's session counts: days, versions, amounts; the shard.
pub(super) static SESSIONS_UPSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO agg_sessions (day, schema_version, shard, sessions) \
         SELECT day, schema_version, $4::smallint, sessions FROM unnest($1::text[], $2::text[], $3::bigint[]) \
         AS t(day, schema_version, sessions) {SESSIONS_MERGE}"
    )
});

/// A batch's counts that need no cap decision: days, versions, fields,
/// kinds, keys, amounts; the shard. Each key once (the batch sums them).
pub(super) static COUNTS_UPSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO agg_counts (day, schema_version, field, kind, key, shard, count) \
         SELECT day, schema_version, field, kind, key, $7::smallint, count \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) \
         AS t(day, schema_version, field, kind, key, count) {COUNTS_MERGE}"
    )
});

/// Which of a batch's capped keys the day has already counted (in any
/// shard): their positions, from 1. Those are counted without a cap
/// decision; the others run the capped upsert one by one.
pub(super) const KNOWN_KEYS: &str = "SELECT t.at FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) \
     WITH ORDINALITY AS t(day, schema_version, field, kind, key, at) \
     WHERE EXISTS (SELECT 1 FROM agg_counts a WHERE a.day = t.day AND a.schema_version = t.schema_version \
     AND a.field = t.field AND a.kind = t.kind AND a.key = t.key)";

/// A batch's number statistics: days, versions, fields, counts, sums,
/// minima, maxima; the shard.
pub(super) static NUMBERS_UPSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO agg_numbers (day, schema_version, field, shard, count, sum, min, max) \
         SELECT day, schema_version, field, $8::smallint, count, sum, min, max \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[]) \
         AS t(day, schema_version, field, count, sum, min, max) {}",
        Dialect::Postgres.numbers_merge()
    )
});

/// A deadlock or a serialization failure: the transaction was rolled back
/// and may simply run again.
pub(super) fn retryable(err: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// Counts as the columns [`COUNTS_UPSERT`] and [`KNOWN_KEYS`] take.
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

/// One batch in one transaction, in two round trips: the transaction's
/// start, the raw inserts (in key order) and the lookup of the capped keys
/// go together, then the summed aggregates (in their order, see
/// [`crate::store::batch`]) with the commit. On PostgreSQL a statement
/// that fails aborts its transaction, and the `COMMIT` sent after it then
/// rolls back, so nothing of a failed batch is kept.
pub(super) async fn store_batch(
    client: &mut Client,
    prepared: &IngestStatements,
    known_keys: &KnownKeys,
    shard: &i16,
    batch: &[Ingest],
) -> Result<Stored, tokio_postgres::Error> {
    let client: &Client = client;
    let order = insert_order(batch);
    let days: Vec<String> = order.iter().map(|&i| day_text(batch[i].day)).collect();
    let column = |pick: fn(&Ingest) -> &str| -> Vec<&str> {
        order.iter().map(|&i| pick(&batch[i])).collect()
    };
    // What the batch adds if all of it is new, as nearly every batch is:
    // its capped keys can then be looked up beside the raw inserts.
    let mut totals = Totals::default();
    for &i in &order {
        totals.add(&batch[i]);
    }
    let capped_rows: Vec<CountRow> = totals
        .counts
        .iter()
        .filter(|(_, count)| count.capped)
        .map(|(key, count)| (key, count.amount, count.capped))
        .collect();
    let (recalled_under, remembered, unremembered) = known_keys.recall(capped_rows, |row| row.0);
    let (keys, versions, bodies) = (
        column(|ingest| &ingest.session_key),
        column(|ingest| &ingest.version),
        column(|ingest| &ingest.body),
    );
    let raw_params: [&(dyn ToSql + Sync); 4] = [&days, &keys, &versions, &bodies];
    let opened = async {
        let (_, inserted, generation, mut known) = tokio::try_join!(
            client.batch_execute("BEGIN"),
            client.query(&prepared.raw, &raw_params),
            // Read before the lookup: see [`KnownKeys`].
            client.query_one(&prepared.generation, &[]),
            look_up(client, prepared, &unremembered),
        )?;
        let generation: i64 = generation.get(0);
        if recalled_under == Some(generation) {
            known_keys.remember(generation, known.iter().copied());
            known.extend(remembered.iter().map(|row| row.0));
        } else {
            // A fold since they were read: look them up again.
            known.extend(look_up(client, prepared, &remembered).await?);
            known_keys.remember(generation, known.iter().copied());
        }
        Ok::<_, tokio_postgres::Error>((inserted, known))
    };
    let (inserted, known) = match opened.await {
        Ok(opened) => opened,
        Err(err) => {
            // Nothing was sent to end the transaction: end it here. If the
            // connection broke, it is made again before its next use.
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(err);
        }
    };
    let known: HashSet<&CountKey> = known.into_iter().collect();
    let mut new: HashSet<(&str, &str)> = inserted
        .iter()
        .map(|row| (row.get::<_, &str>(0), row.get::<_, &str>(1)))
        .collect();
    let all_new = inserted.len() == batch.len();
    let mut outcomes = vec![Outcome::Duplicate; batch.len()];
    let mut recounted = Totals::default();
    for (&i, day) in order.iter().zip(&days) {
        // The first of a key's copies in the batch is the one stored.
        if new.remove(&(day.as_str(), batch[i].session_key.as_str())) {
            outcomes[i] = Outcome::Stored;
            if !all_new {
                recounted.add(&batch[i]);
            }
        }
    }
    let totals = if all_new { &totals } else { &recounted };
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
    Ok(Stored {
        outcomes,
        folded: folded.into_iter().sum(),
    })
}
