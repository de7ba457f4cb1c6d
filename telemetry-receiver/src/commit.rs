//! Group commit: reports that arrive together are stored in one
//! transaction, and each one's answer waits for that transaction's commit.
//!
//! The handlers queue their reports; a few writers (as many as the store
//! can commit at once, [`Store::writers`]) each take whatever is queued,
//! up to [`MAX_BATCH`], and store it as one batch. Nothing waits for a
//! batch to fill: while one commit runs, the reports arriving meanwhile
//! queue up and become the next batch, so batches grow with the load and a
//! lone report is stored at once. A batch that fails is answered with the
//! error for every report in it; none of them was stored.
//!
//! [`Store::writers`]: crate::store::Store::writers

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot, Mutex};

use crate::monitoring;
use crate::store::{Ingest, Outcome, StoreError, Stored};

/// The most reports one transaction stores.
pub const MAX_BATCH: usize = 256;

/// How a batch is stored: the store's `ingest_batch`, boxed, so this module
/// needs no store type.
pub type IngestBatch = Arc<
    dyn Fn(Vec<Ingest>) -> Pin<Box<dyn Future<Output = Result<Stored, StoreError>> + Send>>
        + Send
        + Sync,
>;

/// A report waiting for its batch's commit.
struct Pending {
    ingest: Ingest,
    answer: oneshot::Sender<Result<Outcome, StoreError>>,
}

/// The queue in front of the writers.
pub struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts `writers` writers on the current runtime.
    pub fn start(writers: usize, ingest: IngestBatch) -> GroupCommit {
        let writers = writers.max(1);
        // Bounded, so a flood waits in the handlers (and, past the
        // connection bound, in the kernel) rather than in memory here.
        let (queue, waiting) = mpsc::channel(MAX_BATCH * writers * 2);
        let waiting = Arc::new(Mutex::new(waiting));
        for _ in 0..writers {
            tokio::spawn(writer(Arc::clone(&waiting), Arc::clone(&ingest)));
        }
        GroupCommit { queue }
    }

    /// Stores `ingest` in the next batch; answers once that batch has
    /// committed (or failed).
    pub async fn submit(&self, ingest: Ingest) -> Result<Outcome, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(Pending { ingest, answer })
            .await
            .map_err(|_| StoreError("the group-commit writers have stopped".to_owned()))?;
        answered
            .await
            .map_err(|_| StoreError("the group-commit writer stopped mid-batch".to_owned()))?
    }
}

/// One writer: takes what is queued, stores it, answers each report.
async fn writer(waiting: Arc<Mutex<mpsc::Receiver<Pending>>>, ingest: IngestBatch) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        {
            // One writer gathers at a time; the others are committing.
            let mut queue = waiting.lock().await;
            if queue.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return; // The queue is closed: the receiver is gone.
            }
        }
        let (reports, answers): (Vec<Ingest>, Vec<_>) = batch
            .drain(..)
            .map(|pending| (pending.ingest, pending.answer))
            .unzip();
        let size = reports.len();
        let started = Instant::now();
        let stored = ingest(reports).await;
        monitoring::batch_committed(size, started.elapsed(), stored.as_ref().ok());
        match stored {
            Ok(stored) => {
                for (answer, outcome) in answers.into_iter().zip(stored.outcomes) {
                    let _ = answer.send(Ok(outcome));
                }
            }
            Err(err) => {
                // Logged once for the batch, with the store's reason only.
                tracing::warn!("a batch of {size} reports was not stored: {err}");
                for answer in answers {
                    let _ = answer.send(Err(err.clone()));
                }
            }
        }
    }
}
