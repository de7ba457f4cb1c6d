//! Serializing a day's event batch through the derives against the same
//! types deriving `serde::Serialize` with the same `#[serde]` attributes,
//! both with `serde_json` into a reused buffer: a list of records, each
//! flattening an internally tagged enum. Prints the median ratio of
//! alternating timed blocks (above 1.0: the derives are faster).
//!
//! `cargo bench -p event-stream --bench serialize`

use std::hint::black_box;
use std::time::{Duration, Instant};

use event_stream::{Command, Event, EventBatch, EventRecord, WorkerThreads};

/// The same wire shape, serialized by serde's own derive.
mod theirs {
    use std::time::Duration;

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct EventBatch {
        #[serde(rename = "schema_version")]
        pub schema_version: &'static str,
        pub editor_version: String,
        pub worker_threads: WorkerThreads,
        pub events: Vec<EventRecord>,
        pub collect_time: Duration,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub theme: Option<Theme>,
        pub session_nonce: String,
    }

    #[derive(serde::Serialize)]
    pub struct WorkerThreads(pub u16);

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct EventRecord {
        pub offset_secs: u32,
        #[serde(flatten)]
        pub event: Event,
    }

    #[derive(serde::Serialize)]
    #[serde(
        tag = "type",
        rename_all = "snake_case",
        rename_all_fields = "camelCase"
    )]
    pub enum Event {
        FileSaved {
            extension: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            size_kib: Option<u32>,
        },
        CommandRun {
            command: Command,
            duration_ms: u64,
        },
        Started,
    }

    #[derive(serde::Serialize, Clone, Copy)]
    #[serde(rename_all = "lowercase")]
    pub enum Command {
        Open,
        Save,
        Search,
        Format,
    }

    #[derive(serde::Serialize)]
    pub struct Theme {
        pub family: &'static str,
    }
}

const RECORDS: u32 = 500;

fn batches() -> (EventBatch, theirs::EventBatch) {
    let commands = [
        Command::Open,
        Command::Save,
        Command::Search,
        Command::Format,
    ];
    let their_commands = [
        theirs::Command::Open,
        theirs::Command::Save,
        theirs::Command::Search,
        theirs::Command::Format,
    ];
    let mut ours = Vec::new();
    let mut serde = Vec::new();
    for i in 0..RECORDS {
        let offset_secs = i * 60;
        let (event, theirs_event) = match i % 3 {
            0 => (
                Event::FileSaved {
                    extension: "rs".into(),
                    size_kib: (i % 2 == 0).then_some(i),
                },
                theirs::Event::FileSaved {
                    extension: "rs".into(),
                    size_kib: (i % 2 == 0).then_some(i),
                },
            ),
            1 => (
                Event::CommandRun {
                    command: commands[i as usize % 4],
                    duration_ms: u64::from(i) * 3,
                },
                theirs::Event::CommandRun {
                    command: their_commands[i as usize % 4],
                    duration_ms: u64::from(i) * 3,
                },
            ),
            _ => (Event::Started, theirs::Event::Started),
        };
        ours.push(EventRecord { offset_secs, event });
        serde.push(theirs::EventRecord {
            offset_secs,
            event: theirs_event,
        });
    }
    let collect_time = Duration::from_micros(1_500);
    let ours = EventBatch {
        editor_version: "3.2.0".into(),
        worker_threads: WorkerThreads(8),
        events: ours,
        collect_time,
        theme: None,
        session_nonce: "5d1c09e2b77f4a30".into(),
    };
    let serde = theirs::EventBatch {
        schema_version: "1.1",
        editor_version: "3.2.0".into(),
        worker_threads: theirs::WorkerThreads(8),
        events: serde,
        collect_time,
        theme: None,
        session_nonce: "5d1c09e2b77f4a30".into(),
    };
    (ours, serde)
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: just check.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let (ours, serde) = batches();
    assert_eq!(
        serde_json::to_vec(&ours).unwrap(),
        serde_json::to_vec(&serde).unwrap(),
        "the two batches must send the same bytes"
    );
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut time = |run: &dyn Fn(&mut Vec<u8>)| {
        let started = Instant::now();
        for _ in 0..if quick { 1 } else { 200 } {
            buffer.clear();
            run(&mut buffer);
        }
        started.elapsed().as_secs_f64()
    };
    let blocks = if quick { 1 } else { 41 };
    let mut ratios: Vec<f64> = (0..blocks)
        .map(|_| {
            let a = time(&|b| serde_json::to_writer(b, black_box(&ours)).unwrap());
            let b = time(&|b| serde_json::to_writer(b, black_box(&serde)).unwrap());
            b / a
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "event batch of {RECORDS} records: interleaved throughput ratio derive(Telemetry) / derive(Serialize) \
         (median of {blocks} alternating blocks): {:.3}",
        ratios[ratios.len() / 2]
    );
}
