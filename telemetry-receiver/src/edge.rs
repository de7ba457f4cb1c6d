//! The HTTP connections, with bounds of their own (`axum::serve` has
//! none): hyper's HTTP/1 server with a timer, so
//!
//! - a request whose headers have not all arrived within
//!   [`Limits::header_timeout`] is closed (a half-sent request line, a
//!   slow trickle of headers, an idle keep-alive connection);
//! - headers larger than [`Limits::max_header_bytes`] in total are
//!   answered `431` and the connection closed;
//! - at most [`Limits::max_connections`] connections are served at once:
//!   past it the receiver stops accepting, so new connections wait in the
//!   kernel's listen backlog (and are refused once that is full) until a
//!   served one closes;
//! - on shutdown it stops accepting, lets the requests in flight finish
//!   (closing idle connections at once), and gives up on what is still
//!   running after [`Limits::shutdown_grace`].
//!
//! A body's own timeout is the handler's (`server::BODY_TIMEOUT`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The bounds of the HTTP edge.
#[derive(Clone, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub max_header_bytes: usize,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

/// Seconds a request's headers may take to arrive.
pub const HEADER_TIMEOUT_SECS: u64 = 5;
/// The largest total size of a request's line and headers.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 1024;
/// Seconds the requests in flight get to finish on shutdown.
pub const SHUTDOWN_GRACE_SECS: u64 = 10;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(HEADER_TIMEOUT_SECS),
            max_header_bytes: MAX_HEADER_BYTES,
            max_connections: MAX_CONNECTIONS,
            shutdown_grace: Duration::from_secs(SHUTDOWN_GRACE_SECS),
        }
    }
}

/// What a shutdown left behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// Every request in flight finished.
    Clean,
    /// Some were still running after the grace period.
    GaveUp,
}

/// Serves `app` on `listener` until `stop` completes, then shuts down as
/// the module says.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> Shutdown {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(limits.max_header_bytes);
    tokio::pin!(stop);
    loop {
        // The permit first: past the bound, nothing more is accepted.
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // Never closed; stop rather than spin.
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors, most often: wait a little
                    // rather than spin. The peer's address is not logged.
                    tracing::warn!("cannot accept a connection: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A closed or timed-out connection is no error of the
            // receiver's: nothing to log.
            let _ = connection.await;
            drop(permit);
        });
    }
    // New connections are refused from here on.
    drop(listener);
    match tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await {
        Ok(()) => Shutdown::Clean,
        Err(_) => Shutdown::GaveUp,
    }
}
