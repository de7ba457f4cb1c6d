//! The PostgreSQL store's connections: a few, taken in turn, each made
//! again after it breaks and holding the ingest statements once prepared
//! on it.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row, Statement};

use super::statements::{self, IngestStatements};
use crate::store::sql::{Dialect, Statements};
use crate::store::StoreError;

/// A few connections, taken in turn: one serializes every ingest behind
/// one transaction's round trips.
pub(super) struct Connections {
    url: String,
    slots: Vec<Mutex<Option<Connection>>>,
    next: AtomicUsize,
}

/// Connections per store.
const CONNECTIONS: usize = 4;

/// One connection, and the ingest statements once prepared on it.
pub(super) struct Connection {
    pub(super) client: Client,
    /// The aggregates' shard this connection writes: see [`claim_shard`].
    pub(super) shard: i16,
    ingest: Option<IngestStatements>,
}

/// Shards of the aggregate rows: as many writers (connections, over all
/// receivers on the database) as this commit without waiting on a row
/// another holds.
pub(super) const SHARDS: i16 = 32;
/// The advisory-lock class of the shard locks (the object is the shard).
const SHARD_LOCK_CLASS: i32 = 0x7465_6c65; // "tele"

/// A shard no other open connection writes, held (a session advisory
/// lock) until this connection closes, when the server releases it; if
/// all are taken, one at random (writers then share it and wait on each
/// other's rows, which is slower but still correct).
async fn claim_shard(client: &Client) -> Result<i16, tokio_postgres::Error> {
    for shard in 0..SHARDS {
        let claimed: bool = client
            .query_one(
                "SELECT pg_try_advisory_lock($1, $2)",
                &[&SHARD_LOCK_CLASS, &i32::from(shard)],
            )
            .await?
            .get(0);
        if claimed {
            return Ok(shard);
        }
    }
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    Ok(i16::from(byte[0]) % SHARDS)
}

impl Connection {
    pub(super) async fn ingest_statements(
        &mut self,
    ) -> Result<IngestStatements, tokio_postgres::Error> {
        if let Some(prepared) = &self.ingest {
            return Ok(prepared.clone());
        }
        let prepared = statements::prepare(&self.client).await?;
        self.ingest = Some(prepared.clone());
        Ok(prepared)
    }
}

/// Starts a transaction and runs its first query, in one round trip. If
/// either fails, nothing was sent to end the transaction, so it is rolled
/// back here (if the connection broke, it is made again before its next
/// use).
pub(super) async fn begin_with(
    client: &Client,
    first: &Statement,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    match tokio::try_join!(client.batch_execute("BEGIN"), client.query(first, params)) {
        Ok((_, rows)) => Ok(rows),
        Err(err) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(err)
        }
    }
}

/// The error as an operator needs it: the server's own message and its
/// SQLSTATE (tokio-postgres alone prints only `db error`), or, for an
/// error of the client or the network, its text and causes. Never the
/// server's DETAIL, which may quote a row's values.
pub(super) fn error(err: tokio_postgres::Error) -> StoreError {
    if let Some(db) = err.as_db_error() {
        return StoreError(format!(
            "postgres: {} (SQLSTATE {})",
            db.message(),
            db.code().code()
        ));
    }
    let mut text = format!("postgres: {err}");
    let mut cause = std::error::Error::source(&err);
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    StoreError(text)
}

/// The shared statements, in PostgreSQL's dialect.
pub(super) fn sql() -> &'static Statements {
    Dialect::Postgres.statements()
}

impl Connections {
    pub(super) fn new(url: &str) -> Connections {
        Connections {
            url: url.to_owned(),
            slots: (0..CONNECTIONS).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// How many connections there are.
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The first connection's slot, for the migrations at start.
    pub(super) async fn first(&self) -> MutexGuard<'_, Option<Connection>> {
        self.slots[0].lock().await
    }

    /// The connection, made again if there is none or it broke (a new one
    /// prepares its ingest statements again on its first report).
    pub(super) async fn connected<'a>(
        &self,
        slot: &'a mut Option<Connection>,
    ) -> Result<&'a mut Connection, StoreError> {
        if slot.as_ref().is_some_and(|open| open.client.is_closed()) {
            *slot = None;
        }
        if slot.is_none() {
            let (client, connection) = tokio_postgres::connect(&self.url, NoTls)
                .await
                .map_err(error)?;
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::warn!("postgres connection closed: {err}");
                }
            });
            let shard = claim_shard(&client).await.map_err(error)?;
            *slot = Some(Connection {
                client,
                shard,
                ingest: None,
            });
        }
        slot.as_mut()
            .ok_or_else(|| StoreError("postgres: no connection".to_owned()))
    }

    /// One SELECT with owned parameters.
    pub(super) async fn select(
        &self,
        sql: &'static str,
        params: Vec<Box<dyn ToSql + Sync + Send>>,
    ) -> Result<Vec<Row>, StoreError> {
        self.query(move |connection| {
            Box::pin(async move {
                let params: Vec<&(dyn ToSql + Sync)> = params
                    .iter()
                    .map(|param| param.as_ref() as &(dyn ToSql + Sync))
                    .collect();
                connection.client.query(sql, &params).await
            })
        })
        .await
    }

    /// Runs `work` on the next connection in turn, made again first if it
    /// broke; a connection that breaks during `work` is dropped.
    pub(super) async fn query<T>(
        &self,
        work: impl for<'c> FnOnce(
            &'c mut Connection,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<T, tokio_postgres::Error>> + Send + 'c>,
        >,
    ) -> Result<T, StoreError> {
        // A free connection if there is one, else the next in turn.
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let free = (0..self.slots.len())
            .find_map(|n| self.slots[(turn + n) % self.slots.len()].try_lock().ok());
        let mut slot = match free {
            Some(slot) => slot,
            None => self.slots[turn].lock().await,
        };
        let connection = self.connected(&mut slot).await?;
        let result = work(connection).await;
        if result.is_err() && connection.client.is_closed() {
            *slot = None;
        }
        result.map_err(error)
    }
}
