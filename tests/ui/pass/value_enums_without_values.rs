// A value enum carries its values to the field that holds it, as a section
// carries its fields: `values` is optional, and checked where written. The
// page and history are fixtures in tests/ui/pages.
use std::collections::BTreeMap;

use telemetry_core::{Telemetry, TelemetrySection, TelemetryValue};

mod kinds {
    #[derive(telemetry_core::TelemetryValue)]
    #[serde(rename_all = "kebab-case")]
    pub enum StorageTier {
        InMemory,
        #[serde(rename = "pg")]
        Postgres,
    }
}

#[derive(TelemetryValue)]
pub enum Arch {
    X86_64,
    Aarch64,
}

#[derive(TelemetrySection)]
pub struct Node {
    /// The processor family, to know which builds to ship.
    pub arch: Arch,
}

#[derive(TelemetrySection)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A sync ended, to see which tiers sync slowly.
    SyncDone {
        /// Which tier synced.
        tier: kinds::StorageTier,
    },
}

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "../../../../tests/ui/pages/guard.md")]
pub struct ValueEnumsCarried {
    /// Where the graph is kept, to know which backends to maintain.
    pub tier: kinds::StorageTier,
    /// The tier after a migration, if one ran.
    pub next_tier: Option<kinds::StorageTier>,
    /// Every node's processor, to size the build matrix.
    pub archs: Vec<Arch>,
    /// Tiers per cluster, to see mixed deployments.
    pub tiers: BTreeMap<String, kinds::StorageTier>,
    /// The nodes, to know which builds to ship.
    pub nodes: Vec<Node>,
    /// Recent events, to see what the server does.
    pub events: Vec<Event>,
    /// Stated values are still checked against the enum.
    #[telemetry(values = "x86_64 | aarch64")]
    pub main_arch: Arch,
}

fn main() {
    let wire: Vec<(&str, &str)> = ValueEnumsCarried::FIELDS
        .iter()
        .map(|field| (field.name, field.wire_type))
        .collect();
    assert_eq!(
        wire,
        [
            ("schema_version", "string"),
            ("tier", "in-memory | pg"),
            ("next_tier", "in-memory | pg | null"),
            ("archs", "(x86_64 | aarch64)[]"),
            ("tiers", "map<string, in-memory | pg>"),
            ("nodes", "object[]"),
            ("nodes[].arch", "x86_64 | aarch64"),
            ("events", "object[]"),
            ("events[].(type = \"sync_done\")", "object"),
            ("events[].(type = \"sync_done\").tier", "in-memory | pg"),
            ("main_arch", "x86_64 | aarch64"),
        ]
    );
    let schema: serde_json::Value = serde_json::from_str(ValueEnumsCarried::JSON_SCHEMA).unwrap();
    let tier = &schema["properties"]["tier"];
    assert_eq!(tier["enum"], serde_json::json!(["in-memory", "pg"]), "{schema:#}");
    let report = ValueEnumsCarried {
        tier: kinds::StorageTier::Postgres,
        next_tier: None,
        archs: vec![Arch::Aarch64],
        tiers: BTreeMap::new(),
        nodes: vec![Node { arch: Arch::X86_64 }],
        events: vec![Event::SyncDone { tier: kinds::StorageTier::InMemory }],
        main_arch: Arch::X86_64,
    };
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"schema_version":"1.0","tier":"pg","next_tier":null,"archs":["aarch64"],"tiers":{},"nodes":[{"arch":"x86_64"}],"events":[{"type":"sync_done","tier":"in-memory"}],"main_arch":"x86_64"}"#
    );
}
