//! Loopback receivers that answer, fail or misbehave on purpose. Each
//! handles its connections one at a time and stops when dropped or after
//! 30 s at the latest.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::listener::listen;
use super::tls;

/// What a receiver does with each connection.
#[derive(Clone)]
pub enum Behaviour {
    /// Reads the request and answers with this status line and headers.
    Answer(String),
    /// Reads a few bytes and closes with the rest unread, which resets the
    /// connection mid-request.
    Reset,
    /// Reads the request and never answers (until `Duration` or drop).
    Hang(Duration),
    /// Speaks TLS with a self-signed certificate no client trusts.
    UntrustedTls,
    /// Speaks TLS with a certificate for 127.0.0.1 signed by the test CA
    /// ([`tls::TEST_CA`]), reads the request and answers 204.
    TrustedTls,
}

pub struct Receiver {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
}

impl Receiver {
    pub fn start(behaviour: Behaviour) -> Receiver {
        let (connections, bodies, stop) = (Arc::default(), Arc::default(), Arc::default());
        let (recorded, stopped) = (Arc::clone(&bodies), Arc::clone(&stop));
        // One connection at a time, as the module says.
        let addr = listen(&connections, &stop, move |stream| {
            let _ = handle(stream, &behaviour, &recorded, &stopped);
        });
        Receiver {
            addr,
            connections,
            bodies,
            stop,
        }
    }

    /// A receiver that accepts every report with 204 No Content.
    pub fn accepting() -> Receiver {
        Receiver::start(Behaviour::Answer("HTTP/1.1 204 No Content".into()))
    }

    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://{}/v1/report", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.bodies.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn handle(
    mut stream: TcpStream,
    behaviour: &Behaviour,
    bodies: &Mutex<Vec<Vec<u8>>>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    match behaviour {
        Behaviour::Answer(head) => {
            bodies.lock().unwrap().push(read_request(&mut stream)?);
            stream.write_all(
                format!("{head}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes(),
            )
        }
        Behaviour::Reset => {
            let mut few = [0u8; 8];
            stream.read_exact(&mut few)?;
            Ok(()) // Dropped with unread bytes: the kernel sends RST.
        }
        Behaviour::Hang(duration) => {
            bodies.lock().unwrap().push(read_request(&mut stream)?);
            let until = Instant::now() + *duration;
            while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(10));
            }
            Ok(())
        }
        Behaviour::UntrustedTls => tls::untrusted_tls(stream),
        Behaviour::TrustedTls => {
            let mut tls = rustls::StreamOwned::new(
                rustls::ServerConnection::new(tls::trusted_tls_config())
                    .map_err(std::io::Error::other)?,
                stream,
            );
            bodies.lock().unwrap().push(read_request(&mut tls)?);
            tls.write_all(
                b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )?;
            tls.flush()
        }
    }
}

/// Reads one HTTP/1.1 request and returns its body.
fn read_request(stream: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                let n = stream.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            return Ok(data[end + 4..].to_vec());
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(Vec::new());
        }
        data.extend_from_slice(&buf[..n]);
    }
}
