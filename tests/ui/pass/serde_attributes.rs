// Existing serde attributes keep their meaning: the same JSON as serde's
// derive (the equivalence is property-tested in tests/serde_equivalence.rs);
// here, that each one is accepted and what the derive records for it.
use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::Arc;

use telemetry_core::{TelemetrySection, TelemetryValue};

#[derive(TelemetryValue)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Tier {
    InMemory,
    #[serde(rename = "pg")]
    Postgres,
}

#[derive(TelemetrySection)]
#[serde(rename_all = "camelCase", tag = "type", rename = "sync_done", deny_unknown_fields)]
pub struct SyncFinished {
    /// How long the sync took, to find slow clusters.
    pub duration_ms: u64,
    /// Retries, absent when there were none.
    #[serde(skip_serializing_if = "Option::is_none", default, alias = "retry")]
    pub retry_count: Option<NonZeroU32>,
    /// Which storage tier ran it.
    #[telemetry(values = "IN-MEMORY | pg")]
    pub tier: Tier,
    /// Sent under serde's own name for it.
    #[serde(rename = "API-version")]
    pub api_version: Arc<str>,
    /// Distinct rule packs seen.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub packs: BTreeSet<String>,
    /// Kept in memory only.
    #[serde(skip)]
    pub scratch: std::collections::HashMap<String, u32>,
    /// Samples, a fixed number.
    pub samples: [u16; 3],
}

fn main() {
    let event = SyncFinished {
        duration_ms: 12,
        retry_count: None,
        tier: Tier::InMemory,
        api_version: "v1".into(),
        packs: BTreeSet::new(),
        scratch: Default::default(),
        samples: [1, 2, 3],
    };
    assert_eq!(
        serde_json::to_string(&event).unwrap(),
        r#"{"type":"sync_done","durationMs":12,"tier":"IN-MEMORY","API-version":"v1","samples":[1,2,3]}"#
    );
    assert_eq!(<Tier as TelemetryValue>::VALUES, ["IN-MEMORY", "pg"]);
}
