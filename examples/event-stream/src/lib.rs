//! A third example payload: the daily batch of an editor's events, the
//! shape most telemetry has. It was a set of serde types; moving it over
//! replaced `Serialize` in each derive list and added the why-texts, and
//! every `#[serde]` attribute stayed, so the JSON is what it was (plus
//! `schema_version`). Its page is `docs/telemetry.md`.

use std::time::Duration;

use telemetry_core::{Telemetry, TelemetrySection, TelemetryValue};

/// The batch an editor sends once a day when telemetry is enabled.
#[derive(Clone, Debug, Telemetry)]
#[telemetry(schema_version = "1.1", docs = "docs/telemetry.md")]
#[serde(rename_all = "camelCase")]
pub struct EventBatch {
    /// Which release runs, to know where fixes matter most.
    pub editor_version: String,
    /// Worker threads the editor chose, to tune the default.
    pub worker_threads: WorkerThreads,
    /// The day's events, oldest first, to see which features are used.
    pub events: Vec<EventRecord>,
    /// How long the batch took to collect, to keep it cheap.
    pub collect_time: Duration,
    /// The theme family, left out when the user never chose one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// Random for each process start and never stored, so the receiver can
    /// drop one session's duplicate reports.
    pub session_nonce: String,
}

/// A count of threads, a newtype in the editor's own code.
#[derive(Clone, Copy, Debug, TelemetrySection)]
pub struct WorkerThreads(pub u16);

/// One event as the editor logs it: when, then the event's own keys.
#[derive(Clone, Debug, TelemetrySection)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    /// Seconds since the batch began, to see how events cluster in a day.
    pub offset_secs: u32,
    #[serde(flatten)]
    pub event: Event,
}

/// One thing that happened, tagged by its `type`.
#[derive(Clone, Debug, TelemetrySection)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// A file was saved, to know which languages to support first.
    FileSaved {
        /// The file's extension, never its name.
        extension: String,
        /// Its size bucket in KiB, absent for unsaved buffers.
        #[serde(skip_serializing_if = "Option::is_none")]
        size_kib: Option<u32>,
    },
    /// A command ran, to know which commands to keep fast.
    CommandRun {
        /// The command's identifier from the editor's fixed list.
        // The enum's derive carries its values here: no `values` needed.
        command: Command,
        /// How long it took, in milliseconds.
        duration_ms: u64,
    },
    /// The editor started.
    Started,
}

/// The commands the editor counts.
#[derive(Clone, Copy, Debug, TelemetryValue)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    Open,
    Save,
    Search,
    Format,
}

/// Light or dark.
#[derive(Clone, Copy, Debug, TelemetryValue)]
#[serde(rename_all = "lowercase")]
pub enum ThemeFamily {
    Light,
    Dark,
}

/// The theme the user chose.
#[derive(Clone, Copy, Debug, TelemetrySection)]
pub struct Theme {
    /// Light or dark, to know which to polish first.
    #[telemetry(values = "light | dark")]
    pub family: ThemeFamily,
}

impl EventBatch {
    /// A batch with one event of each kind, for the tests and the page.
    pub fn example(session_nonce: &str) -> EventBatch {
        EventBatch {
            editor_version: "3.2.0".into(),
            worker_threads: WorkerThreads(8),
            events: [
                Event::Started,
                Event::FileSaved {
                    extension: "rs".into(),
                    size_kib: Some(12),
                },
                Event::FileSaved {
                    extension: "md".into(),
                    size_kib: None,
                },
                Event::CommandRun {
                    command: Command::Format,
                    duration_ms: 41,
                },
            ]
            .into_iter()
            .zip([0, 95, 180, 3_600])
            .map(|(event, offset_secs)| EventRecord { offset_secs, event })
            .collect(),
            collect_time: Duration::from_micros(1_500),
            theme: None,
            session_nonce: session_nonce.into(),
        }
    }
}
