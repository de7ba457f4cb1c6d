//! A minimal global `metrics` recorder, so tests read the reporter's
//! counters. One per test binary: the recorder is process-wide.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

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

/// Installs the recorder (once).
pub fn install() {
    recorder();
}

/// The recorder, installed on first use.
fn recorder() -> &'static CounterRecorder {
    static RECORDER: OnceLock<&'static CounterRecorder> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let recorder: &'static CounterRecorder = Box::leak(Box::default());
        metrics::set_global_recorder(recorder).expect("one recorder per test binary");
        recorder
    })
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
    recorder()
        .counters
        .lock()
        .unwrap()
        .get(name)
        .map(|c| c.load(Ordering::SeqCst))
}
