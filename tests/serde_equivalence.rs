//! The same types deriving serde's `Serialize` and ours give the same JSON,
//! for every serde attribute the derives follow, over generated data.
//!
//! Each type is written once, in a macro, and derived twice: by serde
//! (`theirs`) and by telemetry-core (`ours`).

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::sync::Arc;

use proptest::prelude::*;

macro_rules! types {
    ($section:path, $value:path, [$($tier_attr:tt)*], [$($free_attr:tt)*], [$($review_attr:tt)*]) => {
        use std::collections::{BTreeMap, BTreeSet};
        use std::num::NonZeroU32;
        use std::sync::Arc;

        #[derive($value, Clone, Copy)]
        #[serde(rename_all = "kebab-case")]
        pub enum Tier {
            InMemory,
            #[serde(rename = "pg")]
            Postgres,
            SqliteFile,
        }

        // `scratch` and `cache` are only there to be skipped.
        #[allow(dead_code)]
        #[derive($section, Clone)]
        #[serde(rename_all = "camelCase", tag = "kind", rename = "sync")]
        pub struct Event {
            /// How long it took.
            pub duration_ms: u64,
            /// Retries, left out when there were none.
            #[serde(skip_serializing_if = "Option::is_none", default)]
            pub retry_count: Option<NonZeroU32>,
            /// Left out when empty.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub rule_packs: Vec<String>,
            /// Sent as null when absent.
            pub exit_code: Option<i32>,
            /// Under its own name.
            #[serde(rename = "API_version", alias = "api")]
            pub api_version: Arc<str>,
            /// Never sent.
            #[serde(skip)]
            pub scratch: u8,
            /// Never sent either.
            #[serde(skip_serializing, default)]
            pub cache: u8,
            /// A storage tier.
            $($tier_attr)*
            pub tier: Tier,
            /// A set, in order.
            pub platforms: BTreeSet<String>,
            /// A fixed number of samples.
            pub samples: [u16; 2],
            /// Counts by kind.
            pub counts: BTreeMap<String, Box<u32>>,
            #[serde(flatten)]
            pub common: Common,
            /// The event, externally tagged.
            pub external: External,
            /// The event, internally tagged.
            pub internal: Internal,
            /// The event, adjacently tagged.
            pub adjacent: Vec<Adjacent>,
            /// The event, untagged.
            pub untagged: Option<Untagged>,
        }

        #[derive($section, Clone)]
        pub struct Common {
            /// Nodes, flattened into each event.
            pub node_count: u32,
            #[serde(flatten)]
            pub place: Place,
        }

        #[derive($section, Clone)]
        #[serde(rename_all = "UPPERCASE")]
        pub struct Place {
            /// Flattened twice over.
            pub arch: String,
            /// Left out when empty.
            #[serde(skip_serializing_if = "String::is_empty")]
            pub zone_kind: String,
        }

        /// Events in serde's default, external tagging.
        #[derive($section, Clone)]
        #[serde(rename_all = "snake_case")]
        pub enum External {
            /// A file was saved.
            FileSaved {
                /// Which kinds of files.
                extension: String,
                /// Its size, when known.
                #[serde(skip_serializing_if = "Option::is_none")]
                size: Option<u32>,
            },
            /// How many workers, as a bare value.
            Workers(u32),
            Started,
        }

        #[derive($section, Clone)]
        #[serde(tag = "type", rename_all_fields = "camelCase")]
        pub enum Internal {
            /// A sync finished.
            SyncDone {
                /// How long it took.
                took_ms: u64,
                /// Which packs ran.
                rule_packs: Vec<String>,
            },
            Idle,
            /// Where it ran, the tag among the place's own keys.
            Placed(Place),
            /// The process stopped.
            #[serde(rename = "crash")]
            Crashed {
                /// How it stopped.
                exit_code: i32,
            },
        }

        #[derive($section, Clone)]
        #[serde(tag = "t", content = "c")]
        pub enum Adjacent {
            /// A query ran.
            Query {
                /// How long it took.
                #[serde(rename = "ms")]
                millis: u32,
                /// Whether the cache answered.
                cached: bool,
            },
            /// A count.
            Count(u64),
            Nothing,
        }

        #[derive($section, Clone)]
        #[serde(untagged)]
        pub enum Untagged {
            /// A number.
            Number(f64),
            /// A labelled point.
            Point {
                /// Across.
                x: i32,
                /// Down.
                y: i32,
            },
        }

        #[derive($section, Clone)]
        pub struct MaxThreads(pub usize);

        /// An event as a log line: its place, then two enums' keys.
        #[derive($section, Clone)]
        #[serde(rename_all = "camelCase")]
        pub struct Record {
            /// Its place in the batch.
            pub seq_no: u32,
            #[serde(flatten)]
            pub what: Internal,
            #[serde(flatten)]
            pub external: External,
        }

        #[derive($section, Clone)]
        #[serde(transparent)]
        pub struct Flavour {
            pub text: String,
        }

        #[derive($section, Clone)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub struct Batch {
            /// Worker threads, a newtype.
            pub max_threads: MaxThreads,
            /// Maybe a newtype.
            pub spare_threads: Option<MaxThreads>,
            /// A transparent struct.
            pub flavour: Flavour,
            /// How long the batch took.
            pub took: std::time::Duration,
            /// When the batch was sent.
            pub sent_at: std::time::SystemTime,
            /// Each event's wait, if known.
            pub waits: Vec<Option<std::time::Duration>>,
            /// Settings as the user wrote them.
            $($free_attr)*
            pub settings: BTreeMap<String, serde_json::Value>,
            /// When the batch started.
            pub started_at: chrono::DateTime<chrono::Utc>,
            /// The day it covers.
            pub day: Option<chrono::NaiveDate>,
            /// A random batch id.
            $($review_attr)*
            pub batch: uuid::Uuid,
            /// The events.
            pub event_list: Vec<Event>,
            /// The events as records, each flattening two enums.
            pub records: Vec<Record>,
            /// The last event, if any.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub last_event: Option<Box<Event>>,
        }
    };
}

mod ours {
    use telemetry_core::{TelemetrySection, TelemetryValue};
    types!(
        TelemetrySection,
        TelemetryValue,
        [#[telemetry(values = "in-memory | pg | sqlite-file")]],
        [#[telemetry(free_form = "only the keys and values of documented settings")]],
        [#[telemetry(reviewed = "random per batch, never stored")]]
    );
}

mod theirs {
    use serde::Serialize;
    types!(Serialize, Serialize, [], [], []);
}

/// The fields of one event, from which both derives' values are built.
#[derive(Clone, Debug)]
struct EventData {
    duration_ms: u64,
    retry_count: Option<NonZeroU32>,
    rule_packs: Vec<String>,
    exit_code: Option<i32>,
    api_version: String,
    tier: u8,
    platforms: BTreeSet<String>,
    samples: [u16; 2],
    counts: BTreeMap<String, u32>,
}

macro_rules! build_event {
    ($module:ident, $data:expr) => {{
        let data: &EventData = $data;
        $module::Event {
            duration_ms: data.duration_ms,
            retry_count: data.retry_count,
            rule_packs: data.rule_packs.clone(),
            exit_code: data.exit_code,
            api_version: Arc::from(data.api_version.as_str()),
            scratch: 7,
            cache: 9,
            tier: match data.tier % 3 {
                0 => $module::Tier::InMemory,
                1 => $module::Tier::Postgres,
                _ => $module::Tier::SqliteFile,
            },
            platforms: data.platforms.clone(),
            samples: data.samples,
            counts: data
                .counts
                .iter()
                .map(|(k, v)| (k.clone(), Box::new(*v)))
                .collect(),
            external: match data.tier % 3 {
                0 => $module::External::FileSaved {
                    extension: data.api_version.clone(),
                    size: data.retry_count.map(NonZeroU32::get),
                },
                1 => $module::External::Workers(data.samples[0].into()),
                _ => $module::External::Started,
            },
            internal: match data.tier % 4 {
                0 => $module::Internal::SyncDone {
                    took_ms: data.duration_ms,
                    rule_packs: data.rule_packs.clone(),
                },
                1 => $module::Internal::Idle,
                2 => $module::Internal::Placed($module::Place {
                    arch: data.api_version.clone(),
                    zone_kind: data.rule_packs.concat(),
                }),
                _ => $module::Internal::Crashed {
                    exit_code: data.exit_code.unwrap_or(-1),
                },
            },
            adjacent: vec![
                $module::Adjacent::Query {
                    millis: data.samples[1].into(),
                    cached: data.tier % 2 == 0,
                },
                $module::Adjacent::Count(data.duration_ms),
                $module::Adjacent::Nothing,
            ],
            untagged: match data.tier % 3 {
                0 => None,
                1 => Some($module::Untagged::Number(f64::from(data.samples[0]) / 4.0)),
                _ => Some($module::Untagged::Point {
                    x: data.exit_code.unwrap_or(0),
                    y: -1,
                }),
            },
            common: $module::Common {
                node_count: data.samples[0].into(),
                place: $module::Place {
                    arch: data.api_version.chars().rev().collect(),
                    zone_kind: data.rule_packs.concat(),
                },
            },
        }
    }};
}

macro_rules! build_batch {
    ($module:ident, $events:expr, $last:expr) => {{
        let events: &[EventData] = $events;
        let last: &Option<EventData> = $last;
        $module::Batch {
            max_threads: $module::MaxThreads(events.len()),
            spare_threads: last.as_ref().map(|e| $module::MaxThreads(e.tier.into())),
            flavour: $module::Flavour {
                text: events
                    .first()
                    .map(|e| e.api_version.clone())
                    .unwrap_or_default(),
            },
            took: std::time::Duration::from_nanos(
                events
                    .iter()
                    .map(|e| e.duration_ms)
                    .fold(0, u64::wrapping_add),
            ),
            sent_at: std::time::UNIX_EPOCH
                + std::time::Duration::from_millis(events.len() as u64 * 1_234_567),
            waits: events
                .iter()
                .map(|e| {
                    e.retry_count
                        .map(|n| std::time::Duration::from_micros(n.get().into()))
                })
                .collect(),
            started_at: chrono::DateTime::from_timestamp(events.len() as i64 * 86_399, 17).unwrap(),
            day: chrono::NaiveDate::from_yo_opt(2026, 1 + events.len() as u32),
            batch: uuid::Uuid::from_u128(events.iter().map(|e| u128::from(e.duration_ms)).sum()),
            settings: events
                .iter()
                .map(|e| (e.api_version.clone(), serde_json::json!({ "n": e.duration_ms, "on": e.exit_code })))
                .collect(),
            event_list: events.iter().map(|e| build_event!($module, e)).collect(),
            records: events
                .iter()
                .zip(0..)
                .map(|(e, seq_no)| {
                    let event = build_event!($module, e);
                    $module::Record {
                        seq_no,
                        what: event.internal,
                        external: event.external,
                    }
                })
                .collect(),
            last_event: last.as_ref().map(|e| Box::new(build_event!($module, e))),
        }
    }};
}

fn event_data() -> impl Strategy<Value = EventData> {
    (
        any::<u64>(),
        proptest::option::of(1..u32::MAX),
        proptest::collection::vec("[a-z\"\\\\ é]{0,6}", 0..3),
        any::<Option<i32>>(),
        "\\PC{0,8}",
        any::<u8>(),
        proptest::collection::btree_set("[a-z]{1,4}", 0..3),
        any::<[u16; 2]>(),
        proptest::collection::btree_map("[a-z]{1,4}", any::<u32>(), 0..3),
    )
        .prop_map(
            |(
                duration_ms,
                retry,
                rule_packs,
                exit_code,
                api_version,
                tier,
                platforms,
                samples,
                counts,
            )| {
                EventData {
                    duration_ms,
                    retry_count: retry.and_then(NonZeroU32::new),
                    rule_packs,
                    exit_code,
                    api_version,
                    tier,
                    platforms,
                    samples,
                    counts,
                }
            },
        )
}

proptest! {
    #[test]
    fn the_same_json_as_serde(
        events in proptest::collection::vec(event_data(), 0..4),
        last in proptest::option::of(event_data()),
    ) {
        let ours = serde_json::to_value(build_batch!(ours, &events, &last)).unwrap();
        let theirs = serde_json::to_value(build_batch!(theirs, &events, &last)).unwrap();
        prop_assert_eq!(&ours, &theirs);
        // And byte for byte, key order included.
        prop_assert_eq!(
            serde_json::to_string(&build_batch!(ours, &events, &last)).unwrap(),
            serde_json::to_string(&build_batch!(theirs, &events, &last)).unwrap()
        );
    }
}

#[test]
fn a_sample_reads_as_serde_writes_it() {
    let data = EventData {
        duration_ms: 5,
        retry_count: None,
        rule_packs: Vec::new(),
        exit_code: None,
        api_version: "v2".into(),
        tier: 1,
        platforms: BTreeSet::from(["eks".to_owned()]),
        samples: [1, 2],
        counts: BTreeMap::new(),
    };
    let ours = serde_json::to_string(&build_event!(ours, &data)).unwrap();
    assert_eq!(
        ours,
        r#"{"kind":"sync","durationMs":5,"exitCode":null,"API_version":"v2","tier":"pg","platforms":["eks"],"samples":[1,2],"counts":{},"node_count":1,"ARCH":"2v","external":{"workers":1},"internal":{"type":"Idle"},"adjacent":[{"t":"Query","c":{"ms":2,"cached":false}},{"t":"Count","c":5},{"t":"Nothing"}],"untagged":0.25}"#
    );
    assert_eq!(
        ours,
        serde_json::to_string(&build_event!(theirs, &data)).unwrap()
    );
}
