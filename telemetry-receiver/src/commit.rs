//! Group commit: reports that arrive together are stored in one
//! transaction, and each one's answer waits for that transaction's commit.
//!
//! The handlers queue their reports; a few writers (as many as the store
//! can commit at once, [`Store::writers`]) each take whatever is queued,
//! up to [`MAX_BATCH`], and store it as one batch. While one commit runs,
//! the reports arriving meanwhile queue up and become the next batch, so
//! batches grow with the load and a lone report is stored at once.
//!
//! Where a commit costs the database much work whatever the batch's size
//! (PostgreSQL), a writer under load also waits a little (the store's
//! [`Store::linger`] at most) for the reports its last commit answered:
//! their senders' next reports arrive just after the commit. Without the
//! wait, senders that each keep one report in flight split into two halves
//! that take turns, each half a batch, so there are twice the commits for
//! the same reports. Where a commit is cheap (SQLite), taking turns is
//! faster: one half's requests are read while the other half commits. A
//! writer whose last batch was a single report never waits. A batch that
//! fails is answered with the error for every report in it; none of them
//! was stored.
//!
//! [`Store::writers`]: crate::store::Store::writers
//! [`Store::linger`]: crate::store::Store::linger

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, Mutex};
use tokio::time::timeout_at;

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
    /// Starts `writers` writers on the current runtime, each waiting up to
    /// `linger` under load for the rest of its batch (see the module's
    /// documentation).
    pub fn start(writers: usize, linger: Duration, ingest: IngestBatch) -> GroupCommit {
        let writers = writers.max(1);
        // Bounded, so a flood waits in the handlers (and, past the
        // connection bound, in the kernel) rather than in memory here.
        let (queue, waiting) = mpsc::channel(MAX_BATCH * writers * 2);
        let waiting = Arc::new(Mutex::new(waiting));
        for _ in 0..writers {
            tokio::spawn(writer(Arc::clone(&waiting), linger, Arc::clone(&ingest)));
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
async fn writer(
    waiting: Arc<Mutex<mpsc::Receiver<Pending>>>,
    linger: Duration,
    ingest: IngestBatch,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut answered = 0;
    loop {
        {
            // One writer gathers at a time; the others are committing.
            let mut queue = waiting.lock().await;
            if !gather(&mut queue, &mut batch, answered, linger).await {
                return; // The queue is closed: the receiver is gone.
            }
        }
        let (reports, answers): (Vec<Ingest>, Vec<_>) = batch
            .drain(..)
            .map(|pending| (pending.ingest, pending.answer))
            .unzip();
        let size = reports.len();
        answered = size;
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

/// Takes the next batch into `batch`: what is queued, and, under load, the
/// reports expected back from the `answered` ones, until they are there or
/// `linger` has passed since the first. False once the queue is closed.
async fn gather(
    queue: &mut mpsc::Receiver<Pending>,
    batch: &mut Vec<Pending>,
    answered: usize,
    linger: Duration,
) -> bool {
    let expected = match answered {
        0 | 1 => 0,
        _ if linger.is_zero() => 0,
        answered => (queue.len() + answered).min(MAX_BATCH),
    };
    if queue.recv_many(batch, MAX_BATCH).await == 0 {
        return false;
    }
    let deadline = tokio::time::Instant::now() + linger;
    while batch.len() < expected {
        let room = MAX_BATCH - batch.len();
        match timeout_at(deadline, queue.recv_many(batch, room)).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::{sleep, Instant};

    const LINGER: Duration = Duration::from_millis(2);

    fn pending() -> Pending {
        let ingest = Ingest {
            day: crate::clock::parse_day("2026-12-01").unwrap(),
            version: "1.0".to_owned(),
            session_key: "nonce".to_owned(),
            body: String::new(),
            observations: Vec::new(),
        };
        Pending {
            ingest,
            answer: oneshot::channel().0,
        }
    }

    /// A queue holding `queued` reports, and its sending end.
    fn queue(queued: usize) -> (mpsc::Sender<Pending>, mpsc::Receiver<Pending>) {
        let (send, receive) = mpsc::channel(MAX_BATCH);
        for _ in 0..queued {
            send.try_send(pending()).unwrap();
        }
        (send, receive)
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_lone_report_the_next_is_taken_at_once() {
        let (_send, mut receive) = queue(1);
        let (mut batch, started) = (Vec::new(), Instant::now());
        assert!(gather(&mut receive, &mut batch, 1, LINGER).await);
        assert_eq!((batch.len(), started.elapsed()), (1, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn under_load_a_batch_waits_for_the_reports_its_answers_bring_back() {
        // Two reports queued during the last commit, which answered three.
        let (send, mut receive) = queue(2);
        tokio::spawn(async move {
            sleep(Duration::from_millis(1)).await;
            for _ in 0..3 {
                send.send(pending()).await.unwrap();
                tokio::task::yield_now().await;
            }
        });
        let (mut batch, started) = (Vec::new(), Instant::now());
        assert!(gather(&mut receive, &mut batch, 3, LINGER).await);
        assert_eq!(batch.len(), 5, "the queued two and the three answered");
        assert_eq!(started.elapsed(), Duration::from_millis(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_waits_no_longer_than_the_linger() {
        let (_send, mut receive) = queue(1);
        let (mut batch, started) = (Vec::new(), Instant::now());
        assert!(gather(&mut receive, &mut batch, 40, LINGER).await);
        assert_eq!((batch.len(), started.elapsed()), (1, LINGER));
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_linger_a_batch_is_what_is_queued() {
        let (_send, mut receive) = queue(1);
        let (mut batch, started) = (Vec::new(), Instant::now());
        assert!(gather(&mut receive, &mut batch, 40, Duration::ZERO).await);
        assert_eq!((batch.len(), started.elapsed()), (1, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_queue_ends_the_writer() {
        let (send, mut receive) = queue(0);
        drop(send);
        assert!(!gather(&mut receive, &mut Vec::new(), 3, LINGER).await);
    }
}
