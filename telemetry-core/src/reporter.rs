//! The background reporter: off unless enabled, then one report soon after
//! start and one a day, each sent once, from a thread of its own that the
//! server never waits for.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::endpoint::{Endpoint, EndpointError};
use crate::send::{self, SendError, SEND_TIMEOUT};
use crate::{Preview, Telemetry, TelemetryConfig, PREVIEW_PATH};

/// How long after start the first report goes out.
pub const FIRST_REPORT_AFTER: Duration = Duration::from_secs(60);
/// How often reports go out after the first.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
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
pub struct ReporterBuilder<T> {
    app: String,
    preview: Preview<T>,
    endpoint: Result<Endpoint, EndpointError>,
    timings: Timings,
    preview_url: String,
    disable_hint: String,
}

#[derive(Clone, Copy, Debug)]
struct Timings {
    first_report_after: Duration,
    interval: Duration,
    timeout: Duration,
}

impl Reporter {
    /// Starts reporting `preview`'s payload if `config.enabled`, under the
    /// metric prefix `app` (`<app>_telemetry_send_errors_total`).
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
            timings: Timings {
                first_report_after: FIRST_REPORT_AFTER,
                interval: REPORT_INTERVAL,
                timeout: SEND_TIMEOUT,
            },
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
    pub fn loopback_endpoint(mut self, url: &str) -> Result<Self, EndpointError> {
        self.endpoint = Ok(Endpoint::loopback(url)?);
        Ok(self)
    }

    /// Test seam: shorter delays and timeout than the production
    /// [`FIRST_REPORT_AFTER`], [`REPORT_INTERVAL`] and 10 s timeout.
    #[cfg(feature = "test-seam")]
    pub fn timings(
        mut self,
        first_report_after: Duration,
        interval: Duration,
        timeout: Duration,
    ) -> Self {
        self.timings = Timings {
            first_report_after,
            interval,
            timeout,
        };
        self
    }

    /// Starts the reporter if `config.enabled` (and `DO_NOT_TRACK` is not
    /// set), logging one line that says what happens.
    pub fn start(self, config: &TelemetryConfig) -> Reporter {
        let error_counter = format!("{}_telemetry_send_errors_total", self.app);
        metrics::counter!(error_counter.clone()).increment(0);
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
        tracing::info!(
            app = %self.app,
            "telemetry is enabled: one anonymous report a day goes to {}; see exactly what is sent at {}; to disable, {}",
            endpoint.as_str(),
            self.preview_url,
            self.disable_hint,
        );
        let stop = Arc::new(StopSignal::default());
        let job = Job {
            app: self.app,
            preview: self.preview,
            endpoint,
            timings: self.timings,
            error_counter,
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

/// Everything the reporter thread owns.
struct Job<T> {
    app: String,
    preview: Preview<T>,
    endpoint: Endpoint,
    timings: Timings,
    error_counter: String,
}

impl<T: Telemetry> Job<T> {
    fn run(self, stop: &StopSignal) {
        let agent = send::agent(self.timings.timeout, &format!("{}-telemetry", self.app));
        let mut wait = self.timings.first_report_after;
        while !stop.wait(wait) {
            self.report_once(&agent);
            wait = self.timings.interval;
        }
    }

    fn report_once(&self, agent: &ureq::Agent) {
        let result = catch_unwind(AssertUnwindSafe(|| self.preview.bytes()))
            .map_err(|_| SendError::Snapshot)
            .and_then(|body| send::send(agent, &self.endpoint, &body));
        match result {
            Ok(()) => tracing::debug!(app = %self.app, "telemetry report sent"),
            Err(err) => {
                metrics::counter!(self.error_counter.clone()).increment(1);
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
