//! The background reporter: off unless enabled, then a first report at a
//! random time 5 to 65 minutes after start and one a day after that (see
//! `schedule`), each sent once, from a thread of its own that the server
//! never waits for.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::endpoint::{Endpoint, EndpointError};
use crate::proxy::{self, ProxySetting};
use crate::schedule::{os_random, Schedule};
use crate::send::{self, SendError, TestRoots, SEND_TIMEOUT};
use crate::{Preview, Telemetry, TelemetryConfig, PREVIEW_PATH};
/// The environment variable of the <https://consoledonottrack.com>
/// convention: set to anything but `0` or `false`, it disables sending.
pub const DO_NOT_TRACK: &str = "DO_NOT_TRACK";
/// The name of the reporter's thread, as the OS shows it.
pub const THREAD_NAME: &str = "telemetry-send";

/// A running (or disabled) reporter. Dropping it stops the schedule without
/// waiting: a send in flight finishes or times out on its own thread.
#[derive(Debug)]
pub struct Reporter {
    worker: Option<Worker>,
}

#[derive(Debug)]
struct Worker {
    stop: Arc<StopSignal>,
    thread: JoinHandle<()>,
}

/// Configures a [`Reporter`] before [`ReporterBuilder::start`].
///
/// The methods whose docs begin "Test seam" exist only with the `test-seam`
/// feature, which is for tests (a `[dev-dependencies]` entry), never for a
/// production build.
pub struct ReporterBuilder<T> {
    app: String,
    preview: Preview<T>,
    endpoint: Result<Endpoint, EndpointError>,
    schedule: Schedule,
    timeout: Duration,
    test_roots: TestRoots,
    preview_url: String,
    disable_hint: String,
}

impl Reporter {
    /// Starts reporting `preview`'s payload if `config.enabled`, under the
    /// metric prefix `app`: `<app>_telemetry_send_errors_total`,
    /// `<app>_telemetry_reports_sent_total` and
    /// `<app>_telemetry_last_success_timestamp_seconds`, all exported at 0
    /// from the start, enabled or not.
    ///
    /// Disabled, this returns at once and nothing runs: no thread, no
    /// socket, no DNS lookup. The payload type must carry its endpoint:
    /// `#[telemetry(endpoint = "https://...")]`.
    pub fn start<T: Telemetry + 'static>(
        config: &TelemetryConfig,
        app: &str,
        preview: Preview<T>,
    ) -> Reporter {
        Reporter::builder(app, preview).start(config)
    }

    /// A builder, for the startup line's preview URL and disable hint.
    pub fn builder<T: Telemetry + 'static>(app: &str, preview: Preview<T>) -> ReporterBuilder<T> {
        const {
            assert!(
                T::ENDPOINT.is_some(),
                "the payload has no endpoint: add #[telemetry(endpoint = \"https://...\")] to it"
            )
        };
        ReporterBuilder {
            app: app.to_owned(),
            preview,
            endpoint: Endpoint::compiled(T::ENDPOINT.unwrap_or_default()),
            schedule: Schedule::PRODUCTION,
            timeout: SEND_TIMEOUT,
            test_roots: TestRoots::default(),
            preview_url: PREVIEW_PATH.to_owned(),
            disable_hint: "set telemetry.enabled = false".to_owned(),
        }
    }

    /// Whether the reporter thread runs. `false` when disabled.
    pub fn is_running(&self) -> bool {
        self.worker
            .as_ref()
            .is_some_and(|w| !w.thread.is_finished())
    }

    /// Stops the schedule; same as dropping. Never waits for a send.
    pub fn shutdown(self) {}
}

impl Drop for Reporter {
    fn drop(&mut self) {
        if let Some(worker) = &self.worker {
            worker.stop.raise();
        }
    }
}

impl<T: Telemetry + 'static> ReporterBuilder<T> {
    /// The full preview URL the startup line names, e.g.
    /// `http://localhost:8080/api/v1/telemetry/preview`.
    pub fn preview_url(mut self, url: impl Into<String>) -> Self {
        self.preview_url = url.into();
        self
    }

    /// How the startup line tells users to turn telemetry off, e.g.
    /// `helm upgrade ... --set telemetry.enabled=false`.
    pub fn disable_hint(mut self, hint: impl Into<String>) -> Self {
        self.disable_hint = hint.into();
        self
    }

    /// Test seam: send to a loopback receiver (127.0.0.0/8 or `[::1]`, as a
    /// literal address) instead of the payload's endpoint. Any other address
    /// is refused.
    #[cfg(feature = "test-seam")]
    #[cfg_attr(docsrs, doc(cfg(feature = "test-seam")))]
    pub fn loopback_endpoint(mut self, url: &str) -> Result<Self, EndpointError> {
        self.endpoint = Ok(Endpoint::loopback(url)?);
        Ok(self)
    }

    /// Test seam: fixed, shorter delays and timeout instead of the
    /// production schedule ([`FIRST_REPORT_EARLIEST`](crate::FIRST_REPORT_EARLIEST)
    /// to [`FIRST_REPORT_LATEST`](crate::FIRST_REPORT_LATEST), then
    /// [`REPORT_INTERVAL`](crate::REPORT_INTERVAL) ±
    /// [`REPORT_INTERVAL_JITTER`](crate::REPORT_INTERVAL_JITTER)) and 10 s
    /// timeout.
    #[cfg(feature = "test-seam")]
    #[cfg_attr(docsrs, doc(cfg(feature = "test-seam")))]
    pub fn timings(
        mut self,
        first_report_after: Duration,
        interval: Duration,
        timeout: Duration,
    ) -> Self {
        self.schedule = Schedule {
            first_earliest: first_report_after,
            first_latest: first_report_after,
            interval,
            jitter: Duration::ZERO,
        };
        self.timeout = timeout;
        self
    }

    /// Test seam: the first report at a random time in
    /// `earliest..=latest`, as in production but shorter.
    #[cfg(feature = "test-seam")]
    #[cfg_attr(docsrs, doc(cfg(feature = "test-seam")))]
    pub fn first_report_window(mut self, earliest: Duration, latest: Duration) -> Self {
        self.schedule.first_earliest = earliest;
        self.schedule.first_latest = latest.max(earliest);
        self
    }

    /// Test seam: trust these PEM certificates, and only them, as roots for
    /// a loopback TLS receiver. Without the seam, reports are verified
    /// against the bundled roots and nothing else.
    #[cfg(feature = "test-seam")]
    #[cfg_attr(docsrs, doc(cfg(feature = "test-seam")))]
    pub fn trust_test_roots(mut self, pem: &[u8]) -> Result<Self, String> {
        self.test_roots = TestRoots::from_pem(pem)?;
        Ok(self)
    }

    /// Starts the reporter if `config.enabled` (and `DO_NOT_TRACK` is not
    /// set), logging one line that says what happens.
    pub fn start(self, config: &TelemetryConfig) -> Reporter {
        let metrics = Metrics::new(&self.app);
        if !config.enabled {
            tracing::info!(app = %self.app, "telemetry is disabled: nothing is sent");
            return Reporter { worker: None };
        }
        if do_not_track() {
            tracing::info!(
                app = %self.app,
                "telemetry is enabled in the config, but DO_NOT_TRACK is set: nothing is sent"
            );
            return Reporter { worker: None };
        }
        let endpoint = match self.endpoint {
            Ok(endpoint) => endpoint,
            Err(err) => {
                tracing::warn!(app = %self.app, "telemetry is not started: {err}");
                return Reporter { worker: None };
            }
        };
        let proxy = match proxy::from_env(endpoint.host(), |name| std::env::var(name).ok()) {
            Ok(proxy) => proxy,
            Err(err) => {
                tracing::warn!(app = %self.app, "telemetry is not started: {err}");
                return Reporter { worker: None };
            }
        };
        let first_delay = self.schedule.first_delay(os_random());
        let through = proxy
            .as_ref()
            .map(|proxy| format!(" through the proxy {}", proxy.shown))
            .unwrap_or_default();
        tracing::info!(
            app = %self.app,
            "telemetry is enabled: one anonymous report a day goes to {}{through}, the first in {} \
             (a random time {} to {} minutes after start); see exactly what is sent at {}; to disable, {}",
            endpoint.as_str(),
            minutes(first_delay),
            self.schedule.first_earliest.as_secs() / 60,
            self.schedule.first_latest.as_secs() / 60,
            self.preview_url,
            self.disable_hint,
        );
        let stop = Arc::new(StopSignal::default());
        let job = Job {
            app: self.app,
            preview: self.preview,
            endpoint,
            proxy,
            test_roots: self.test_roots,
            schedule: self.schedule,
            first_delay,
            timeout: self.timeout,
            metrics,
        };
        let thread_stop = Arc::clone(&stop);
        match thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || job.run(&thread_stop))
        {
            Ok(thread) => Reporter {
                worker: Some(Worker { stop, thread }),
            },
            Err(err) => {
                tracing::warn!("telemetry is not started: cannot spawn its thread: {err}");
                Reporter { worker: None }
            }
        }
    }
}

fn do_not_track() -> bool {
    std::env::var(DO_NOT_TRACK).is_ok_and(|value| {
        let value = value.trim();
        !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false")
    })
}

/// `2 min 5 s`, `37 min`: a delay for the startup line.
fn minutes(delay: Duration) -> String {
    let (minutes, seconds) = (delay.as_secs() / 60, delay.as_secs() % 60);
    match (minutes, seconds) {
        (0, _) => format!("{} ms", delay.as_millis()),
        (_, 0) => format!("{minutes} min"),
        _ => format!("{minutes} min {seconds} s"),
    }
}

/// The reporter's metrics, by name.
struct Metrics {
    send_errors: String,
    reports_sent: String,
    last_success: String,
}

impl Metrics {
    /// The names under `app`, each exported at 0 so a dashboard sees them
    /// before the first report.
    fn new(app: &str) -> Metrics {
        let metrics = Metrics {
            send_errors: format!("{app}_telemetry_send_errors_total"),
            reports_sent: format!("{app}_telemetry_reports_sent_total"),
            last_success: format!("{app}_telemetry_last_success_timestamp_seconds"),
        };
        metrics::counter!(metrics.send_errors.clone()).increment(0);
        metrics::counter!(metrics.reports_sent.clone()).increment(0);
        metrics::gauge!(metrics.last_success.clone()).set(0.0);
        metrics
    }

    fn sent(&self) {
        metrics::counter!(self.reports_sent.clone()).increment(1);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        metrics::gauge!(self.last_success.clone()).set(now.as_secs_f64().floor());
    }

    fn failed(&self) {
        metrics::counter!(self.send_errors.clone()).increment(1);
    }
}

/// Everything the reporter thread owns.
struct Job<T> {
    app: String,
    preview: Preview<T>,
    endpoint: Endpoint,
    proxy: Option<ProxySetting>,
    test_roots: TestRoots,
    schedule: Schedule,
    first_delay: Duration,
    timeout: Duration,
    metrics: Metrics,
}

impl<T: Telemetry> Job<T> {
    fn run(self, stop: &StopSignal) {
        let agent = send::agent(
            self.timeout,
            &format!("{}-telemetry", self.app),
            self.proxy.as_ref(),
            &self.test_roots,
        );
        let mut wait = self.first_delay;
        while !stop.wait(wait) {
            self.report_once(&agent);
            wait = self.schedule.next_delay(os_random());
        }
    }

    fn report_once(&self, agent: &ureq::Agent) {
        let result = catch_unwind(AssertUnwindSafe(|| self.preview.bytes()))
            .map_err(|_| SendError::Snapshot)
            .and_then(|body| send::send(agent, &self.endpoint, &body));
        match result {
            Ok(()) => {
                self.metrics.sent();
                tracing::debug!(app = %self.app, "telemetry report sent");
            }
            Err(err) => {
                self.metrics.failed();
                tracing::warn!(
                    app = %self.app,
                    endpoint = self.endpoint.as_str(),
                    "telemetry report failed and will not be retried: {err}"
                );
            }
        }
    }
}

/// A flag the reporter thread sleeps on, so stopping wakes it at once.
#[derive(Debug, Default)]
struct StopSignal {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl StopSignal {
    fn raise(&self) {
        *self.stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Sleeps up to `timeout`; `true` when stopped.
    fn wait(&self, timeout: Duration) -> bool {
        let guard = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, timeout, |stopped| !*stopped)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}
