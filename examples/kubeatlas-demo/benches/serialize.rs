//! Serializing the KubeAtlas report through `#[derive(Telemetry)]` against
//! an identical struct with `#[derive(serde::Serialize)]`, both with
//! `serde_json` into a reused buffer. Prints the throughput ratio at the end
//! (above 1.0: the derive is faster).
//!
//! `cargo bench -p kubeatlas-demo --bench serialize`

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, Criterion, Throughput};
use kubeatlas_demo::payload::{KubeAtlasReport, Tier};
use telemetry_core::ResourceBucket;

/// The same wire shape, serialized by serde's own derive.
#[derive(serde::Serialize)]
struct SerdeReport {
    schema_version: &'static str,
    kubeatlas_version: String,
    k8s_version: String,
    os: String,
    arch: String,
    tier: Tier,
    resource_bucket: ResourceBucket,
    enabled_packs: Vec<String>,
    cluster_count: u32,
    platform_distribution: BTreeMap<String, u32>,
    session_nonce: String,
}

fn reports() -> (KubeAtlasReport, SerdeReport) {
    let platforms = BTreeMap::from([
        ("eks".to_owned(), 2),
        ("kind".to_owned(), 1),
        ("gke".to_owned(), 4),
    ]);
    let ours = KubeAtlasReport {
        kubeatlas_version: "2.4.1".into(),
        k8s_version: "v1.31.2".into(),
        os: "linux".into(),
        arch: "x86_64".into(),
        tier: Tier::Postgres,
        resource_bucket: ResourceBucket::From5KTo10K,
        enabled_packs: vec!["cis-benchmark".to_owned(), "pod-security".to_owned()],
        cluster_count: 7,
        platform_distribution: platforms,
        session_nonce: "00112233445566778899aabbccddeeff".into(),
    };
    let serde = SerdeReport {
        schema_version: "1.0",
        kubeatlas_version: ours.kubeatlas_version.clone(),
        k8s_version: ours.k8s_version.clone(),
        os: ours.os.clone(),
        arch: ours.arch.clone(),
        tier: ours.tier,
        resource_bucket: ours.resource_bucket,
        enabled_packs: ours.enabled_packs.clone(),
        cluster_count: ours.cluster_count,
        platform_distribution: ours.platform_distribution.clone(),
        session_nonce: ours.session_nonce.clone(),
    };
    (ours, serde)
}

const GROUP: &str = "serialize_kubeatlas_report";

fn serialize(c: &mut Criterion) {
    let (ours, serde) = reports();
    let bytes = serde_json::to_vec(&ours).unwrap();
    assert_eq!(
        bytes,
        serde_json::to_vec(&serde).unwrap(),
        "the two structs must send the same bytes"
    );
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    let mut buffer = Vec::with_capacity(1024);
    group.bench_function("derive_telemetry", |b| {
        b.iter(|| {
            buffer.clear();
            serde_json::to_writer(&mut buffer, black_box(&ours)).unwrap();
            black_box(buffer.len())
        })
    });
    group.bench_function("derive_serialize", |b| {
        b.iter(|| {
            buffer.clear();
            serde_json::to_writer(&mut buffer, black_box(&serde)).unwrap();
            black_box(buffer.len())
        })
    });
    group.finish();
}

criterion_group!(benches, serialize);

/// Criterion's estimate of one iteration (the slope it reports, else the
/// mean), in nanoseconds.
fn mean_ns(id: &str) -> Option<f64> {
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../target").to_owned());
    let path = format!("{target}/criterion/{GROUP}/{id}/new/estimates.json");
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    ["slope", "mean"]
        .iter()
        .find_map(|estimate| estimates[estimate]["point_estimate"].as_f64())
}

/// Alternates blocks of the two serializations and returns the median of
/// the per-block time ratios (serde / ours): robust to the machine's speed
/// drifting between criterion's two long runs.
fn interleaved_ratio() -> f64 {
    let (ours, serde) = reports();
    let mut buffer = Vec::with_capacity(1024);
    let mut time = |run: &dyn Fn(&mut Vec<u8>)| {
        let started = std::time::Instant::now();
        for _ in 0..20_000 {
            buffer.clear();
            run(&mut buffer);
        }
        started.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..41)
        .map(|_| {
            let a = time(&|b| serde_json::to_writer(b, black_box(&ours)).unwrap());
            let b = time(&|b| serde_json::to_writer(b, black_box(&serde)).unwrap());
            b / a
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if let (Some(ours), Some(serde)) = (mean_ns("derive_telemetry"), mean_ns("derive_serialize")) {
        println!(
            "throughput ratio derive(Telemetry) / derive(Serialize): {:.3} ({ours:.1} ns vs {serde:.1} ns per report)",
            serde / ours
        );
    }
    println!(
        "interleaved throughput ratio (median of 41 alternating blocks): {:.3}",
        interleaved_ratio()
    );
}
