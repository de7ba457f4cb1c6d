//! A loopback TCP relay to PostgreSQL that a test can cut and restore.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// A loopback TCP relay to PostgreSQL that the test can cut and restore,
/// standing for the network to the database. Bounded: stops when dropped.
pub struct Relay {
    pub port: u16,
    up: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    /// Connections being relayed.
    open: Arc<AtomicUsize>,
}

impl Relay {
    pub fn start() -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let relay = Relay {
            port: listener.local_addr().unwrap().port(),
            up: Arc::new(AtomicBool::new(true)),
            stop: Arc::default(),
            open: Arc::default(),
        };
        let (up, stop) = (Arc::clone(&relay.up), Arc::clone(&relay.stop));
        let open = Arc::clone(&relay.open);
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                if !up.load(Ordering::SeqCst) {
                    continue; // Dropped: the connection is closed at once.
                }
                let (up, stop, open) = (Arc::clone(&up), Arc::clone(&stop), Arc::clone(&open));
                open.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || {
                    relay_connection(client, &up, &stop);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        relay
    }

    /// Restores the relay, or cuts it: then returns once no connection is
    /// relayed any more (each notices within some 40 ms), so nothing sent
    /// after the cut gets through.
    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(5);
        while !up && self.open.load(Ordering::SeqCst) > 0 {
            assert!(
                Instant::now() < deadline,
                "the relay's connections did not close"
            );
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Copies both ways until either side closes or the relay goes down.
fn relay_connection(client: TcpStream, up: &AtomicBool, stop: &AtomicBool) {
    let Ok(server) = TcpStream::connect("127.0.0.1:5432") else {
        return;
    };
    for stream in [&client, &server] {
        let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    }
    let (client, server) = (&client, &server);
    let mut buf = [0u8; 16 * 1024];
    while up.load(Ordering::SeqCst) && !stop.load(Ordering::SeqCst) {
        for (mut from, mut to) in [(client, server), (server, client)] {
            match from.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
                Err(err)
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return,
            }
        }
    }
}
