//! The loopback listener under every fake server: 127.0.0.1 on an
//! ephemeral port, bounded in time so no test leaves it running.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// A loopback listener on an ephemeral port: `on_connection` gets each
/// connection, counted in `connections`, until `stop` or 30 s at the latest.
pub fn listen(
    connections: &Arc<AtomicUsize>,
    stop: &Arc<AtomicBool>,
    mut on_connection: impl FnMut(TcpStream) + Send + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let (connections, stop) = (Arc::clone(connections), Arc::clone(stop));
    thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    connections.fetch_add(1, Ordering::SeqCst);
                    on_connection(stream);
                }
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    addr
}

/// An address where nothing listens: connecting is refused.
pub fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/v1/report")
}
