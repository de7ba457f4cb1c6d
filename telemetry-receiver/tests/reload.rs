//! SIGHUP re-reads the schema file: a newly recorded `schema_version` is
//! accepted without a restart, and a file that does not parse keeps the
//! schemas in force.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::binary::{post, work_dir, Binary};
use common::report;
use serde_json::{json, Value};

/// The KubeAtlas schema file, with a `2.0` recorded too when `with_two`.
fn schema_file(with_two: bool) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/KubeAtlasReport.schema.json"
    );
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    if with_two {
        let mut two = file["oneOf"][0].clone();
        two["properties"]["schema_version"] = json!({ "const": "2.0" });
        file["oneOf"].as_array_mut().unwrap().push(two);
    }
    file.to_string()
}

fn report_of_two(nonce: &str) -> String {
    let mut two = report(nonce);
    two["schema_version"] = json!("2.0");
    two.to_string()
}

/// Waits (at most 10 s) for `condition`.
fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn sighup_reloads_the_schema_file_and_a_bad_one_keeps_the_old() {
    let dir = work_dir("reload");
    let schema = dir.join("KubeAtlasReport.schema.json");
    std::fs::write(&schema, schema_file(false)).unwrap();
    let db = format!("sqlite://{}", dir.join("reports.db").display());
    let receiver = Binary::start_with_schema(&db, &schema, &dir, &[]);
    assert_eq!(post(&receiver.addr, &report_of_two("early")), 400);

    std::fs::write(&schema, schema_file(true)).unwrap();
    receiver.signal("HUP");
    let mut i = 0;
    assert!(
        eventually(|| {
            i += 1;
            post(&receiver.addr, &report_of_two(&format!("two-{i}"))) == 202
        }),
        "2.0 not accepted after SIGHUP"
    );

    std::fs::write(&schema, "{ not a schema").unwrap();
    receiver.signal("HUP");
    let logs = || std::fs::read_to_string(&receiver.log).unwrap();
    assert!(
        eventually(|| logs().contains("kept the schemas in force")),
        "{}",
        logs()
    );
    assert_eq!(post(&receiver.addr, &report_of_two("still")), 202);
    assert_eq!(post(&receiver.addr, &report("one").to_string()), 202);
}
