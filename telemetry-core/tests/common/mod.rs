//! Shared by the runtime tests: a payload, loopback receivers that misbehave
//! on purpose, and recorders for metrics and log lines.
//!
//! Every receiver binds 127.0.0.1 on an ephemeral port, handles connections
//! one at a time, and stops when dropped or after 30 s at the latest.

#![allow(dead_code)] // Each test binary uses a different part.

pub mod proxy;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use telemetry_core::{Preview, Reporter, SessionNonce, Telemetry, TelemetryConfig};

/// The payload of the runtime tests; its page is `tests/fixtures/telemetry.md`.
#[derive(Telemetry)]
#[telemetry(
    schema_version = "1.0",
    docs = "tests/fixtures/telemetry.md",
    endpoint = "https://telemetry.invalid/v1/report"
)]
pub struct TestReport {
    /// Which versions are in use.
    pub version: String,
    /// Random per process start, never stored.
    pub session_nonce: String,
}

pub fn preview() -> Preview<TestReport> {
    Preview::new(|| TestReport {
        version: "1.2.3".into(),
        session_nonce: SessionNonce::current().to_hex(),
    })
}

/// A reporter for `app` sending the test payload to a loopback `url`: the
/// first report after `first`, then every `interval`, each with `timeout`.
pub fn reporter(
    app: &str,
    url: &str,
    enabled: bool,
    [first, interval, timeout]: [Duration; 3],
) -> Reporter {
    observe();
    Reporter::builder(app, preview())
        .loopback_endpoint(url)
        .expect("loopback is allowed")
        .timings(first, interval, timeout)
        .start(&TelemetryConfig { enabled })
}

/// Timings under which an enabled reporter would send at once and then every
/// 50 ms: silence over a 500 ms window means nothing was sent.
pub const EAGER: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_millis(50),
    Duration::from_millis(200),
];

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
    /// ([`proxy::TEST_CA`]), reads the request and answers 204.
    TrustedTls,
}

pub struct Receiver {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
}

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

/// An address where nothing listens: connecting is refused.
pub fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/v1/report")
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
        Behaviour::UntrustedTls => untrusted_tls(stream),
        Behaviour::TrustedTls => {
            let mut tls = rustls::StreamOwned::new(
                rustls::ServerConnection::new(proxy::trusted_tls_config())
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

/// Speaks TLS on `stream` with a self-signed certificate; fails, as the
/// client rejects the certificate.
pub fn untrusted_tls(stream: TcpStream) -> std::io::Result<()> {
    let mut tls = rustls::StreamOwned::new(
        rustls::ServerConnection::new(tls_config()).map_err(std::io::Error::other)?,
        stream,
    );
    let mut buf = [0u8; 1024];
    tls.read(&mut buf).map(drop)
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

fn tls_config() -> Arc<rustls::ServerConfig> {
    static CONFIG: OnceLock<Arc<rustls::ServerConfig>> = OnceLock::new();
    Arc::clone(CONFIG.get_or_init(|| {
        server_config(
            include_bytes!("../fixtures/untrusted-cert.pem"),
            include_bytes!("../fixtures/untrusted-key.pem"),
        )
    }))
}

/// A TLS server config with one certificate and its key, both PEM.
pub fn server_config(cert: &[u8], key: &[u8]) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let cert = CertificateDer::from_pem_slice(cert).unwrap();
    let key = PrivateKeyDer::from_pem_slice(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    Arc::new(config)
}

/// Counters by name, for every thread: a minimal global `metrics` recorder.
#[derive(Default)]
struct CounterRecorder {
    counters: Mutex<HashMap<String, Arc<AtomicU64>>>,
}

impl metrics::Recorder for CounterRecorder {
    fn describe_counter(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn describe_gauge(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn describe_histogram(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn register_counter(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Counter {
        let mut counters = self.counters.lock().unwrap();
        let counter = counters.entry(key.name().to_owned()).or_default();
        metrics::Counter::from_arc(Arc::clone(counter))
    }
    fn register_gauge(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Gauge {
        // A gauge keeps its f64's bits in the same map.
        let mut counters = self.counters.lock().unwrap();
        let gauge = counters.entry(key.name().to_owned()).or_default();
        metrics::Gauge::from_arc(Arc::clone(gauge))
    }
    fn register_histogram(
        &self,
        _: &metrics::Key,
        _: &metrics::Metadata<'_>,
    ) -> metrics::Histogram {
        metrics::Histogram::noop()
    }
}

/// Log lines by level, for every thread: a minimal global `tracing` layer.
#[derive(Default)]
struct LogRecorder {
    lines: Mutex<Vec<(tracing::Level, String)>>,
}

struct Observers {
    metrics: &'static CounterRecorder,
    logs: Arc<LogRecorder>,
}

fn observers() -> &'static Observers {
    static OBSERVERS: OnceLock<Observers> = OnceLock::new();
    OBSERVERS.get_or_init(|| {
        let metrics: &'static CounterRecorder = Box::leak(Box::default());
        metrics::set_global_recorder(metrics).expect("one recorder per test binary");
        let logs = Arc::new(LogRecorder::default());
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(LogLayer(Arc::clone(&logs)));
        tracing::subscriber::set_global_default(subscriber)
            .expect("one subscriber per test binary");
        Observers { metrics, logs }
    })
}

struct LogLayer(Arc<LogRecorder>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for LogLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!(" {}={:?}", field.name(), value));
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.push_str(&format!(" {}={}", field.name(), value));
            }
        }
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.0
            .lines
            .lock()
            .unwrap()
            .push((*event.metadata().level(), fields.0));
    }
}

/// Installs the recorders; call before starting a reporter.
pub fn observe() {
    observers();
}

/// The value of `<app>_telemetry_send_errors_total`.
pub fn send_errors(app: &str) -> u64 {
    metric(&format!("{app}_telemetry_send_errors_total")).unwrap_or(0)
}

/// The value of `<app>_telemetry_reports_sent_total`.
pub fn reports_sent(app: &str) -> u64 {
    metric(&format!("{app}_telemetry_reports_sent_total")).unwrap_or(0)
}

/// The value of `<app>_telemetry_last_success_timestamp_seconds`.
pub fn last_success(app: &str) -> Option<f64> {
    metric(&format!("{app}_telemetry_last_success_timestamp_seconds")).map(f64::from_bits)
}

/// A counter's value (a gauge's f64 bits), if it was registered at all.
pub fn metric(name: &str) -> Option<u64> {
    observers()
        .metrics
        .counters
        .lock()
        .unwrap()
        .get(name)
        .map(|c| c.load(Ordering::SeqCst))
}

/// The log lines at `level` that name `app`.
pub fn log_lines(app: &str, level: tracing::Level) -> Vec<String> {
    let tag = format!("app={app} ");
    observers()
        .logs
        .lines
        .lock()
        .unwrap()
        .iter()
        .filter(|(l, line)| *l == level && format!("{line} ").contains(&tag))
        .map(|(_, line)| line.clone())
        .collect()
}

/// Polls `condition` every 10 ms for at most `limit`.
pub fn wait_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(10));
    }
    condition()
}
