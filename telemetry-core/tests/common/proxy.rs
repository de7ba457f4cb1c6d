//! A loopback CONNECT proxy for the proxy tests. It binds 127.0.0.1,
//! relays only to the address a CONNECT names (a loopback receiver in
//! every test), and stops when dropped or after 30 s at the latest.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::listener::listen;
use super::tls;

/// What the proxy does after answering a CONNECT.
#[derive(Clone, Copy)]
pub enum ProxyMode {
    /// Relays bytes both ways: TLS runs end to end through the tunnel.
    Tunnel,
    /// Answers in the endpoint's name itself, with a certificate of its
    /// own: the client's TLS check must refuse it.
    AnswerItself,
    /// Refuses the tunnel with this status line (a 407, a redirect, ...).
    Refuse(&'static str),
}

pub struct ConnectProxy {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    targets: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl ConnectProxy {
    pub fn start(mode: ProxyMode) -> ConnectProxy {
        let (connections, targets, stop) = (Arc::default(), Arc::default(), Arc::default());
        let recorded = Arc::clone(&targets);
        let addr = listen(&connections, &stop, move |stream| {
            let targets = Arc::clone(&recorded);
            thread::spawn(move || {
                let _ = serve(stream, mode, &targets);
            });
        });
        ConnectProxy {
            addr,
            connections,
            targets,
            stop,
        }
    }

    /// `http://user:secret@127.0.0.1:port`: with credentials, which the
    /// startup line must not show.
    pub fn url_with_credentials(&self) -> String {
        format!("http://telemetry:s3cret@{}", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The `host:port` of every CONNECT request.
    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(
    mut client: TcpStream,
    mode: ProxyMode,
    targets: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(5)))?;
    let head = read_head(&mut client)?;
    let target = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("CONNECT "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default()
        .to_owned();
    targets.lock().unwrap().push(target.clone());
    if target.is_empty() {
        return client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n");
    }
    match mode {
        ProxyMode::Refuse(status) => client.write_all(
            format!("{status}\r\nlocation: http://127.0.0.1:9/\r\ncontent-length: 0\r\n\r\n")
                .as_bytes(),
        ),
        ProxyMode::AnswerItself => {
            client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
            tls::untrusted_tls(client)
        }
        ProxyMode::Tunnel => {
            let upstream = TcpStream::connect(&target)?;
            upstream.set_read_timeout(Some(Duration::from_secs(5)))?;
            client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
            let (mut client_read, mut upstream_write) =
                (client.try_clone()?, upstream.try_clone()?);
            let upward =
                thread::spawn(move || std::io::copy(&mut client_read, &mut upstream_write));
            let (mut upstream_read, mut client_write) = (upstream, client);
            let _ = std::io::copy(&mut upstream_read, &mut client_write);
            let _ = upward.join();
            Ok(())
        }
    }
}

/// The request head, up to and without the blank line.
fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}
