//! The KubeAtlas report on the wire: exact bytes for a fixed report.

use std::collections::BTreeMap;

use kubeatlas_demo::payload::{KubeAtlasReport, Tier};
use telemetry_core::{ResourceBucket, Telemetry};

fn fixed_report() -> KubeAtlasReport {
    KubeAtlasReport {
        kubeatlas_version: "2.4.1".into(),
        k8s_version: "v1.31.2".into(),
        os: "linux".into(),
        arch: "x86_64".into(),
        tier: Tier::Postgres,
        resource_bucket: ResourceBucket::from_count(5_000),
        enabled_packs: vec!["cis-benchmark".into(), "pod-security".into()],
        cluster_count: 3,
        platform_distribution: BTreeMap::from([("kind".into(), 1), ("eks".into(), 2)]),
        session_nonce: "00112233445566778899aabbccddeeff".into(),
    }
}

#[test]
fn serializes_in_declaration_order_with_schema_version_first() {
    let json = serde_json::to_string(&fixed_report()).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"schema_version":"1.0","kubeatlas_version":"2.4.1","k8s_version":"v1.31.2","#,
            r#""os":"linux","arch":"x86_64","tier":"postgres","resource_bucket":"5K-10K","#,
            r#""enabled_packs":["cis-benchmark","pod-security"],"cluster_count":3,"#,
            r#""platform_distribution":{"eks":2,"kind":1},"#,
            r#""session_nonce":"00112233445566778899aabbccddeeff"}"#
        )
    );
}

#[test]
fn field_table_lists_every_wire_field_with_its_type() {
    let table: Vec<(&str, &str)> = KubeAtlasReport::FIELDS
        .iter()
        .map(|field| (field.name, field.wire_type))
        .collect();
    assert_eq!(
        table,
        [
            ("schema_version", "string"),
            ("kubeatlas_version", "string"),
            ("k8s_version", "string"),
            ("os", "string"),
            ("arch", "string"),
            ("tier", "memory | postgres"),
            ("resource_bucket", "<1K | 1K-5K | 5K-10K | >10K"),
            ("enabled_packs", "string[]"),
            ("cluster_count", "integer"),
            ("platform_distribution", "map<string, integer>"),
            ("session_nonce", "string"),
        ]
    );
    assert!(KubeAtlasReport::FIELDS.iter().all(|f| !f.why.is_empty()));
    assert_eq!(KubeAtlasReport::SCHEMA_VERSION, "1.0");
    assert_eq!(
        KubeAtlasReport::ENDPOINT,
        Some("https://telemetry.kubeatlas.example/v1/report")
    );
}

#[test]
fn snapshot_carries_this_process_nonce() {
    let report = KubeAtlasReport::snapshot(&Default::default());
    assert_eq!(
        report.session_nonce,
        telemetry_core::SessionNonce::current().to_hex()
    );
    assert_eq!(report.cluster_count, 3);
}
