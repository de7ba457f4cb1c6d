//! A minimal global `tracing` layer, so tests read the reporter's log
//! lines. One per test binary: the subscriber is process-wide.

use std::sync::{Arc, Mutex, OnceLock};

/// Log lines by level, for every thread: a minimal global `tracing` layer.
#[derive(Default)]
struct LogRecorder {
    lines: Mutex<Vec<(tracing::Level, String)>>,
}

/// Installs the recorder (once).
pub fn install() {
    recorder();
}

/// The recorder, installed on first use.
fn recorder() -> &'static LogRecorder {
    static RECORDER: OnceLock<Arc<LogRecorder>> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let logs = Arc::new(LogRecorder::default());
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(LogLayer(Arc::clone(&logs)));
        tracing::subscriber::set_global_default(subscriber)
            .expect("one subscriber per test binary");
        logs
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

/// The log lines at `level` that name `app`.
pub fn log_lines(app: &str, level: tracing::Level) -> Vec<String> {
    let tag = format!("app={app} ");
    recorder()
        .lines
        .lock()
        .unwrap()
        .iter()
        .filter(|(l, line)| *l == level && format!("{line} ").contains(&tag))
        .map(|(_, line)| line.clone())
        .collect()
}
