//! What a sender cannot make the receiver keep, on SQLite and PostgreSQL:
//! invented list elements and map keys past the day's cap, a string past
//! its schema's `maxLength`, a key twice in one object.

mod common;

use common::{count_in, execute, report, Running};
use serde_json::{json, Value};
use telemetry_receiver::aggregate::{DAY_CAP, OTHER, TOP_VALUES};
use telemetry_receiver::schema::Schemas;
use telemetry_receiver::store::Store;

/// The longest `kubeatlas_version` the test's schema file allows.
const MAX_VERSION_CHARS: u64 = 64;

/// The KubeAtlas schema with a `maxLength` on `kubeatlas_version`, as the
/// derive writes it, in a file of the test's own.
fn schemas_with_max_length(name: &str) -> Schemas {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/KubeAtlasReport.schema.json"
    );
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for version in file["oneOf"].as_array_mut().unwrap() {
        version["properties"]["kubeatlas_version"]["maxLength"] = json!(MAX_VERSION_CHARS);
    }
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("receiver-limits");
    std::fs::create_dir_all(&dir).unwrap();
    // One file per test: the tests run at the same time.
    let written = dir.join(format!("{name}.schema.json"));
    std::fs::write(&written, file.to_string()).unwrap();
    Schemas::parse(&std::fs::read_to_string(&written).unwrap()).unwrap()
}

/// Runs `test` on SQLite, then PostgreSQL, with the test's schema file.
macro_rules! both {
    ($name:literal, $test:path) => {{
        $test(common::sqlite_with($name, schemas_with_max_length($name)));
        if let Some(running) = common::postgres_with($name, schemas_with_max_length($name)) {
            $test(running);
        }
    }};
}

fn keys_and_total(running: &Running<impl Store>, field: &str) -> (i64, i64) {
    let rows = count_in(
        &running.database,
        &format!("SELECT COUNT(DISTINCT key) FROM agg_counts WHERE field = '{field}'"),
    );
    let total = count_in(
        &running.database,
        &format!("SELECT SUM(count) FROM agg_counts WHERE field = '{field}'"),
    );
    (rows, total)
}

fn capped(running: Running<impl Store>) {
    // Six reports of 200 invented elements and 200 invented keys each:
    // 1,200 distinct of each, over the cap.
    let per_report = 200;
    for sender in 0..6 {
        let mut one = report(&format!("inventor{sender}"));
        let invented: Vec<String> = (0..per_report)
            .map(|i| format!("pack-{sender}-{i:03}"))
            .collect();
        one["enabled_packs"] = json!(invented);
        one["platform_distribution"] = invented.iter().map(|key| (key.clone(), json!(1))).collect();
        assert_eq!(running.post(&one).0, 202);
    }
    let bound = DAY_CAP + 1; // The cap's keys and (other).
    for field in ["enabled_packs", "platform_distribution"] {
        let (keys, total) = keys_and_total(&running, field);
        assert_eq!(
            keys, bound,
            "{field}: at most the cap and (other) while the day runs"
        );
        assert_eq!(total, 6 * per_report, "{field}: nothing lost");
        let other = count_in(
            &running.database,
            &format!(
                "SELECT SUM(count) FROM agg_counts WHERE field = '{field}' AND key = '{OTHER}'"
            ),
        );
        assert_eq!(other, 6 * per_report - DAY_CAP, "{field}");
    }
    let rows = |query: &str| count_in(&running.database, &format!("SELECT COUNT(*) FROM {query}"));
    if matches!(running.database, common::Database::Postgres(_)) {
        // Each fold of pending aggregates writes the shard of the
        // connection that runs it: as folds on two connections would,
        // spread the day's rows over a second shard (adding nothing).
        execute(
            &running.database,
            "INSERT INTO agg_sessions SELECT day, schema_version, 0, 31 FROM agg_sessions; \
             INSERT INTO agg_counts SELECT day, schema_version, field, kind, key, 0, 31 \
             FROM agg_counts WHERE field = 'os'; \
             INSERT INTO agg_numbers SELECT day, schema_version, field, 0, 0, min, max, 31 \
             FROM agg_numbers WHERE field = 'cluster_count'",
        );
        assert!(rows("agg_sessions") > 1, "{}", rows("agg_sessions"));
        assert!(rows("agg_counts WHERE field = 'os'") > 1);
    }
    // The day's end keeps the 100 most frequent and (other), one row each.
    running.clock.advance_days(1);
    running.maintain();
    for field in ["enabled_packs", "platform_distribution"] {
        assert_eq!(
            keys_and_total(&running, field),
            (TOP_VALUES as i64 + 1, 6 * per_report)
        );
        let field_rows = rows(&format!("agg_counts WHERE field = '{field}'"));
        assert_eq!(field_rows, TOP_VALUES as i64 + 1, "{field}: one row a key");
    }
    // Past days' rows of several writers merge into one, sums unchanged.
    assert_eq!(rows("agg_sessions"), 1);
    assert_eq!(
        count_in(&running.database, "SELECT SUM(sessions) FROM agg_sessions"),
        6
    );
    assert_eq!(rows("agg_counts WHERE field = 'os'"), 1);
    assert_eq!(
        count_in(
            &running.database,
            "SELECT SUM(count) FROM agg_counts WHERE field = 'os'"
        ),
        6
    );
    assert_eq!(rows("agg_numbers WHERE field = 'cluster_count'"), 1);
}

#[test]
fn invented_list_elements_and_map_keys_are_capped_per_day() {
    both!("capped", capped);
}

fn folded_key(running: Running<impl Store>) {
    // 1,000 invented elements, the day's cap, each counted twice.
    for copy in 0..2 {
        for sender in 0..5 {
            let mut one = report(&format!("inventor{copy}-{sender}"));
            let invented: Vec<String> = (0..200).map(|i| format!("pack-{sender}-{i:03}")).collect();
            one["enabled_packs"] = json!(invented);
            assert_eq!(running.post(&one).0, 202);
        }
    }
    // One key past the cap, as batches committing at once can leave, then
    // counted once: the least frequent key of the day.
    execute(
        &running.database,
        "INSERT INTO agg_counts (day, schema_version, field, kind, key, shard, count) \
         SELECT day, schema_version, field, kind, 'ghost', 0, 0 FROM agg_counts \
         WHERE field = 'enabled_packs' LIMIT 1",
    );
    let ghost = |nonce: &str| {
        let mut one = report(nonce);
        one["enabled_packs"] = json!(["ghost"]);
        assert_eq!(running.post(&one).0, 202);
    };
    let ghosts = "SELECT COUNT(*) FROM agg_counts WHERE field = 'enabled_packs' AND key = 'ghost'";
    ghost("ghost-1");
    let counted = "SELECT SUM(count) FROM agg_counts WHERE key = 'ghost'";
    assert_eq!(
        count_in(&running.database, counted),
        1,
        "counted: the day had it"
    );
    // The maintenance job folds the running day back to its cap.
    running.maintain();
    assert_eq!(count_in(&running.database, ghosts), 0, "folded");
    // The key is gone: a receiver that remembered it counted must not
    // count it again, past the cap.
    ghost("ghost-2");
    assert_eq!(
        count_in(&running.database, ghosts),
        0,
        "counted again past the cap"
    );
    assert_eq!(
        keys_and_total(&running, "enabled_packs"),
        (DAY_CAP + 1, 2 * DAY_CAP + 2)
    );
}

#[test]
fn a_key_folded_while_the_day_runs_is_not_counted_again() {
    both!("folded_key", folded_key);
}

fn max_length(running: Running<impl Store>) {
    let mut long = report("long");
    long["kubeatlas_version"] = json!("9".repeat(60 * 1024 - 400));
    let (status, answer) = running.post(&long);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["field"], "/kubeatlas_version");
    let message = answer["error"].as_str().unwrap();
    assert!(message.starts_with("/kubeatlas_version: "), "{message}");
    assert!(message.len() < 1024, "the value is not sent back whole");
    let mut longest = report("longest");
    longest["kubeatlas_version"] = json!("v".repeat(MAX_VERSION_CHARS as usize));
    assert_eq!(running.post(&longest).0, 202, "at maxLength is accepted");
    assert_eq!(running.raw_count(), 1);
}

#[test]
fn a_string_over_its_max_length_is_refused_naming_the_field() {
    both!("max_length", max_length);
}

fn duplicate_keys(running: Running<impl Store>) {
    let text = report("twice").to_string();
    let top = text.replacen(
        "\"tier\":\"memory\"",
        "\"tier\":\"memory\",\"tier\":\"postgres\"",
        1,
    );
    let nested = text.replacen("\"eks\":2", "\"eks\":2,\"eks\":7", 1);
    assert_ne!(top, text);
    assert_ne!(nested, text);
    for (body, field, key) in [
        (top, "/tier", "tier"),
        (nested, "/platform_distribution/eks", "eks"),
    ] {
        let (status, answer) = common::post_text(&running.base, &body);
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["field"], field, "{answer}");
        let message = answer["error"].as_str().unwrap();
        assert!(message.contains(&format!("{key:?}")), "{message}");
    }
    assert_eq!(running.raw_count(), 0, "nothing was stored");
    assert_eq!(running.post(&report("twice")).0, 202);
}

#[test]
fn a_key_twice_is_refused_at_the_top_and_inside_a_section() {
    both!("duplicate_keys", duplicate_keys);
}
