//! One group-commit batch in one PostgreSQL transaction of two round
//! trips whatever its size: the raw reports go as arrays (`unnest`), and
//! the batch's aggregates as one pending row, which a fold adds to the
//! aggregate tables a moment later (see [`super::pending`]). Updating the
//! aggregate rows here cost the server more than the rest of the batch.

use std::collections::HashSet;

use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

use super::connections::IngestStatements;
use crate::clock::day_text;
use crate::store::batch::{insert_order, Totals};
use crate::store::pending::encode;
use crate::store::{Ingest, Outcome, Stored};

/// The raw reports of a batch, in key order: those that were not there
/// yet come back (a retry's and a second copy in the batch do not).
pub(super) const RAW_INSERT: &str = "INSERT INTO raw_reports (day, session_key, schema_version, body) \
     SELECT day::date, session_key, schema_version, body \
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(day, session_key, schema_version, body) \
     ON CONFLICT DO NOTHING RETURNING to_char(day, 'YYYY-MM-DD'), session_key";

/// A deadlock or a serialization failure: the transaction was rolled back
/// and may simply run again.
pub(super) fn retryable(err: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// One batch in one transaction, in two round trips: the transaction's
/// start with the raw inserts (in key order), then the aggregates of the
/// reports that were new, as one pending row, with the commit. On
/// PostgreSQL a statement that fails aborts its transaction, and the
/// `COMMIT` sent after it then rolls back, so nothing of a failed batch is
/// kept.
pub(super) async fn store_batch(
    client: &mut Client,
    prepared: &IngestStatements,
    batch: &[Ingest],
) -> Result<Stored, tokio_postgres::Error> {
    let client: &Client = client;
    let order = insert_order(batch);
    let days: Vec<String> = order.iter().map(|&i| day_text(batch[i].day)).collect();
    let column = |pick: fn(&Ingest) -> &str| -> Vec<&str> {
        order.iter().map(|&i| pick(&batch[i])).collect()
    };
    let (keys, versions, bodies) = (
        column(|ingest| &ingest.session_key),
        column(|ingest| &ingest.version),
        column(|ingest| &ingest.body),
    );
    let raw_params: [&(dyn ToSql + Sync); 4] = [&days, &keys, &versions, &bodies];
    let inserted = match tokio::try_join!(
        client.batch_execute("BEGIN"),
        client.query(&prepared.raw, &raw_params),
    ) {
        Ok((_, inserted)) => inserted,
        Err(err) => {
            // Nothing was sent to end the transaction: end it here. If the
            // connection broke, it is made again before its next use.
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(err);
        }
    };
    let mut new: HashSet<(&str, &str)> = inserted
        .iter()
        .map(|row| (row.get::<_, &str>(0), row.get::<_, &str>(1)))
        .collect();
    let mut outcomes = vec![Outcome::Duplicate; batch.len()];
    let mut totals = Totals::default();
    for (&i, day) in order.iter().zip(&days) {
        // The first of a key's copies in the batch is the one stored.
        if new.remove(&(day.as_str(), batch[i].session_key.as_str())) {
            outcomes[i] = Outcome::Stored;
            totals.add(&batch[i]);
        }
    }
    if totals.sessions.is_empty() {
        client.batch_execute("COMMIT").await?;
    } else {
        let pending = encode(&totals);
        let params: [&(dyn ToSql + Sync); 1] = [&pending];
        // Pipelined: one round trip for the pending row and the commit.
        tokio::try_join!(
            client.execute(&prepared.pending, &params),
            client.batch_execute("COMMIT"),
        )?;
    }
    // Keys go to `(other)` when the batch is folded, not here.
    Ok(Stored {
        outcomes,
        folded: 0,
    })
}
