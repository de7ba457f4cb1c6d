//! One group-commit batch in one PostgreSQL transaction, whatever its
//! size: the raw reports go as arrays (`unnest`), and the batch's
//! aggregates as one pending row, which a fold adds to the aggregate
//! tables a moment later (see [`super::pending`]). Updating the aggregate
//! rows here cost the server more than the rest of the batch.
//!
//! A batch whose reports are all new, as nearly every one is, takes one
//! statement and one round trip. One with a report already stored (a
//! retry after a lost answer, or two copies in the batch) takes the slow
//! path: two round trips, so that its pending row counts only the new ones.

use std::collections::HashSet;

use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

use super::connections::begin_with;
use super::statements::IngestStatements;
use crate::clock::day_text;
use crate::store::batch::{insert_order, Totals};
use crate::store::pending::encode;
use crate::store::{Ingest, Outcome, Stored};

/// What `BATCH_OF_NEW` ([`super::statements`]) answers when a report of
/// the batch was there already.
fn not_all_new(err: &tokio_postgres::Error) -> bool {
    err.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::CHECK_VIOLATION
            && db.constraint() == Some("a_stored_report_sends_its_batch_down_the_slow_path")
    })
}

/// A deadlock or a serialization failure: the transaction was rolled back
/// and may simply run again.
pub(super) fn retryable(err: &tokio_postgres::Error) -> bool {
    err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// One batch in one transaction: in one round trip if all its reports
/// are new, else in two.
pub(super) async fn store_batch(
    client: &mut Client,
    prepared: &IngestStatements,
    batch: &[Ingest],
) -> Result<Stored, tokio_postgres::Error> {
    let client: &Client = client;
    let order = insert_order(batch);
    let columns = Columns::of(batch, &order);
    let mut totals = Totals::default();
    for ingest in batch {
        totals.add(ingest);
    }
    let (pending, size) = (encode(&totals), batch.len() as i64);
    let [days, keys, versions, bodies] = columns.params();
    let params: [&(dyn ToSql + Sync); 6] = [days, keys, versions, bodies, &pending, &size];
    match client.execute(&prepared.batch_of_new, &params).await {
        Ok(_) => Ok(Stored {
            outcomes: vec![Outcome::Stored; batch.len()],
            folded: 0,
        }),
        Err(err) if not_all_new(&err) => {
            store_some_new(client, prepared, batch, &order, &columns).await
        }
        Err(err) => Err(err),
    }
}

/// The raw-report columns of a batch, in key order.
struct Columns<'b> {
    days: Vec<String>,
    keys: Vec<&'b str>,
    versions: Vec<&'b str>,
    bodies: Vec<&'b str>,
}

impl<'b> Columns<'b> {
    fn of(batch: &'b [Ingest], order: &[usize]) -> Columns<'b> {
        let column = |pick: fn(&Ingest) -> &str| -> Vec<&str> {
            order.iter().map(|&i| pick(&batch[i])).collect()
        };
        Columns {
            days: order.iter().map(|&i| day_text(batch[i].day)).collect(),
            keys: column(|ingest| &ingest.session_key),
            versions: column(|ingest| &ingest.version),
            bodies: column(|ingest| &ingest.body),
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 4] {
        [&self.days, &self.keys, &self.versions, &self.bodies]
    }
}

/// The slow path, for a batch with a report already stored: the
/// transaction's start with the raw inserts (in key order), then the
/// aggregates of the reports that were new, as one pending row, with the
/// commit. On PostgreSQL a statement that fails aborts its transaction,
/// and the `COMMIT` sent after it then rolls back, so nothing of a failed
/// batch is kept.
async fn store_some_new(
    client: &Client,
    prepared: &IngestStatements,
    batch: &[Ingest],
    order: &[usize],
    columns: &Columns<'_>,
) -> Result<Stored, tokio_postgres::Error> {
    let inserted = begin_with(client, &prepared.raw, &columns.params()).await?;
    let mut new: HashSet<(&str, &str)> = inserted
        .iter()
        .map(|row| (row.get::<_, &str>(0), row.get::<_, &str>(1)))
        .collect();
    let mut outcomes = vec![Outcome::Duplicate; batch.len()];
    let mut totals = Totals::default();
    for (&i, day) in order.iter().zip(&columns.days) {
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
