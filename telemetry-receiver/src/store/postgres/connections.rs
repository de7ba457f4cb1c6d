//! The PostgreSQL store's connections: a few, taken in turn, each made
//! again after it breaks and holding the ingest statements once prepared
//! on it.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row, Statement};

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
    ingest: Option<IngestStatements>,
}

/// The statements every report runs, prepared once per connection: a
/// statement sent as text is parsed and planned by the server each time.
#[derive(Clone)]
pub(super) struct IngestStatements {
    pub(super) raw: Statement,
    pub(super) sessions: Statement,
    pub(super) count: Statement,
    pub(super) free_form: Statement,
    pub(super) number: Statement,
}

impl Connection {
    pub(super) async fn ingest_statements(
        &mut self,
    ) -> Result<IngestStatements, tokio_postgres::Error> {
        if let Some(prepared) = &self.ingest {
            return Ok(prepared.clone());
        }
        let client = &self.client;
        let sql = sql();
        let (raw, sessions, count, free_form, number) = tokio::try_join!(
            client.prepare(&sql.raw_insert),
            client.prepare(&sql.sessions_upsert),
            client.prepare(&sql.count_upsert),
            client.prepare(&sql.free_form_upsert),
            client.prepare(&sql.number_upsert),
        )?;
        let prepared = IngestStatements {
            raw,
            sessions,
            count,
            free_form,
            number,
        };
        self.ingest = Some(prepared.clone());
        Ok(prepared)
    }
}

pub(super) fn error(err: impl std::fmt::Display) -> StoreError {
    StoreError(format!("postgres: {err}"))
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
            *slot = Some(Connection {
                client,
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
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let mut slot = self.slots[turn].lock().await;
        let connection = self.connected(&mut slot).await?;
        let result = work(connection).await;
        if result.is_err() && connection.client.is_closed() {
            *slot = None;
        }
        result.map_err(error)
    }
}
