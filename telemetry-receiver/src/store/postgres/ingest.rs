//! One group-commit batch in one PostgreSQL transaction.

use futures_util::future::try_join_all;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Statement};

use super::connections::IngestStatements;
use crate::aggregate::{DAY_CAP, OTHER};
use crate::clock::day_text;
use crate::store::batch::{insert_order, Totals};
use crate::store::{Ingest, Outcome, Stored};

/// A deadlock or a serialization failure: the transaction was rolled back
/// and may simply run again.
pub(super) fn retryable(err: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// One batch in one transaction: the raw inserts in key order, then the
/// summed aggregates in their order (see [`crate::store::batch`]), each group
/// pipelined in one round trip.
pub(super) async fn store_batch(
    client: &mut Client,
    prepared: &IngestStatements,
    shard: &i16,
    batch: &[Ingest],
) -> Result<Stored, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let order = insert_order(batch);
    let days: Vec<String> = batch.iter().map(|ingest| day_text(ingest.day)).collect();
    let rows: Vec<[&(dyn ToSql + Sync); 4]> = order
        .iter()
        .map(|&i| {
            let ingest = &batch[i];
            [
                &days[i] as &(dyn ToSql + Sync),
                &ingest.session_key,
                &ingest.version,
                &ingest.body,
            ]
        })
        .collect();
    let inserts = rows.iter().map(|row| tx.execute(&prepared.raw, row));
    let inserted = try_join_all(inserts).await?;
    let mut outcomes = vec![Outcome::Duplicate; batch.len()];
    let mut totals = Totals::default();
    for (&i, rows) in order.iter().zip(inserted) {
        if rows == 1 {
            outcomes[i] = Outcome::Stored;
            totals.add(&batch[i]);
        }
    }
    // Each update, and for a capped key the key it asked to count.
    type Update<'a> = (
        &'a Statement,
        Vec<&'a (dyn ToSql + Sync)>,
        Option<&'a String>,
    );
    let mut updates: Vec<Update<'_>> = Vec::new();
    for ((day, version), amount) in &totals.sessions {
        updates.push((&prepared.sessions, vec![day, version, shard, amount], None));
    }
    for ((day, version, field, kind, key), count) in &totals.counts {
        updates.push(if count.capped {
            let params: Vec<&(dyn ToSql + Sync)> = vec![
                day,
                version,
                field,
                kind,
                key,
                &DAY_CAP,
                &OTHER,
                &count.amount,
                shard,
            ];
            (&prepared.capped, params, Some(key))
        } else {
            let params: Vec<&(dyn ToSql + Sync)> =
                vec![day, version, field, kind, key, shard, &count.amount];
            (&prepared.count, params, None)
        });
    }
    for ((day, version, field), n) in &totals.numbers {
        let params: Vec<&(dyn ToSql + Sync)> =
            vec![day, version, field, shard, &n.count, &n.sum, &n.min, &n.max];
        updates.push((&prepared.number, params, None));
    }
    let pipelined = updates
        .iter()
        .map(|(statement, params, _)| tx.query(*statement, params));
    let answers = try_join_all(pipelined).await?;
    let mut folded = 0;
    for ((_, _, asked), rows) in updates.iter().zip(&answers) {
        if let (Some(asked), Some(row)) = (asked, rows.first()) {
            folded += u64::from(row.get::<_, &str>(0) != asked.as_str());
        }
    }
    tx.commit().await?;
    Ok(Stored { outcomes, folded })
}
