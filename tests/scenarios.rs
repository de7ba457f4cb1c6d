//! The guard through a payload's whole life, with real `cargo build`s of a
//! throwaway crate: what a developer sees at each step.

use telemetry_workspace_tests::Scenario;

const DOCS: &str = "docs/telemetry.md";
const HISTORY: &str = "docs/Report.schema-history";

/// A `Report` payload at `version` with `(name, type, why)` fields.
fn payload(version: &str, fields: &[(&str, &str, &str)]) -> String {
    let mut out = format!(
        "use telemetry_core::{{Telemetry, TelemetryValue}};\n\n\
         #[derive(Clone, Copy, TelemetryValue)]\n\
         pub enum Tier {{ Memory, Postgres }}\n\n\
         #[derive(Telemetry)]\n\
         #[telemetry(schema_version = \"{version}\", docs = \"{DOCS}\")]\n\
         pub struct Report {{\n"
    );
    for (name, ty, why) in fields {
        let values = if *ty == "Tier" {
            "    #[telemetry(values = \"memory | postgres\")]\n"
        } else {
            ""
        };
        out.push_str(&format!("    /// {why}\n{values}    pub {name}: {ty},\n"));
    }
    out.push_str("}\n");
    out
}

const VERSION: (&str, &str, &str) = ("version", "String", "Which versions are in use.");
const TIER: (&str, &str, &str) = ("tier", "Tier", "How many installs run Tier 2.");
const CLUSTERS: (&str, &str, &str) = ("cluster_count", "u32", "How common federation is.");
const GPUS: (&str, &str, &str) = ("gpu_count", "u32", "How many nodes have GPUs.");

#[test]
fn lifecycle_of_a_payload() {
    let crate_ = Scenario::new("lifecycle");
    let lib = "src/lib.rs";

    // No docs page, no history: the build fails and says how to start.
    crate_.write(lib, &payload("1.0", &[VERSION, TIER, CLUSTERS]));
    crate_.build().assert_fails_with(&[
        "Report has no schema history yet",
        "docs page docs/telemetry.md does not exist",
        "TELEMETRY_BLESS=1 cargo build",
    ]);
    assert!(crate_.read(DOCS).is_none() && crate_.read(HISTORY).is_none());

    // Bless creates both; a plain build then passes.
    crate_.bless().assert_ok();
    let page = crate_.read(DOCS).expect("bless wrote the page");
    assert!(page.contains("| `tier` | `memory \\| postgres` | How many installs run Tier 2. |"));
    assert!(crate_.read(HISTORY).unwrap().contains(
        "[1.0]\nversion: string\ntier: \"memory\" | \"postgres\"\ncluster_count: integer\n"
    ));
    crate_.build().assert_ok();

    // Prose around the block is the author's; bless never touches it.
    let before = "# Telemetry\n\nWe collect   *very* little.\r\n\n";
    let after = "\n## Retention\n\n90 days.\n";
    crate_.write(DOCS, &format!("{before}{page}{after}"));
    crate_.build().assert_ok();

    // A new field without a version bump fails, with and without bless.
    crate_.write(lib, &payload("1.0", &[VERSION, TIER, CLUSTERS, GPUS]));
    let expected = [
        "fields of Report changed but schema_version is still \"1.0\"",
        "+ gpu_count: integer",
        "bump schema_version to \"1.1\"",
    ];
    crate_.build().assert_fails_with(&expected);
    crate_.bless().assert_fails_with(&expected);

    // A bump is not enough until bless records it.
    crate_.write(lib, &payload("1.1", &[VERSION, TIER, CLUSTERS, GPUS]));
    crate_.build().assert_fails_with(&[
        "schema_version \"1.1\" of Report is not recorded in docs/Report.schema-history",
        "+ gpu_count: integer",
    ]);
    crate_.bless().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    assert!(page.contains("Schema version: **1.1**"));
    assert!(page.contains("| `gpu_count` | `integer` | How many nodes have GPUs. |"));
    assert!(
        page.starts_with(before) && page.ends_with(after),
        "prose changed:\n{page}"
    );
    assert!(
        crate_.read(HISTORY).unwrap().contains("\n[1.0]\n")
            && crate_
                .read(HISTORY)
                .unwrap()
                .ends_with("gpu_count: integer\n")
    );
    crate_.build().assert_ok();

    // Editing only the docs page reruns the check (the page is a tracked
    // input), and a hand edit inside the block fails.
    crate_.write(
        DOCS,
        &page.replace("How many nodes have GPUs.", "GPU nodes."),
    );
    crate_.build().assert_fails_with(&[
        "docs/telemetry.md does not match Report: row 5 (`gpu_count`) differs",
        "found: | gpu_count | integer | GPU nodes. |",
    ]);
    crate_.write(DOCS, &page);
    crate_.build().assert_ok();

    // Re-aligning the table by hand is harmless.
    crate_.write(
        DOCS,
        &page.replace(
            "| `gpu_count` | `integer` |",
            "|   `gpu_count`   |  `integer`  |",
        ),
    );
    crate_.build().assert_ok();
    crate_.write(DOCS, &page);

    // A why-text change needs the docs updated, not a version bump.
    let reworded = ("gpu_count", "u32", "How many nodes carry a GPU.");
    crate_.write(lib, &payload("1.1", &[VERSION, TIER, CLUSTERS, reworded]));
    crate_
        .build()
        .assert_fails_with(&["row 5 (`gpu_count`) differs", "How many nodes carry a GPU."]);
    crate_.bless().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    assert!(page.contains("| `gpu_count` | `integer` | How many nodes carry a GPU. |"));
    assert!(page.contains("Schema version: **1.1**"));
    assert!(page.starts_with(before) && page.ends_with(after));
    crate_.build().assert_ok();

    // A type change is breaking: a minor bump is refused, even under bless.
    let retyped = ("cluster_count", "String", "How common federation is.");
    crate_.write(lib, &payload("1.2", &[VERSION, TIER, retyped, reworded]));
    let expected = [
        "schema_version \"1.2\" is a minor bump over \"1.1\"",
        "~ cluster_count: integer -> string",
        "use \"2.0\"",
    ];
    crate_.build().assert_fails_with(&expected);
    crate_.bless().assert_fails_with(&expected);
    crate_.write(lib, &payload("2.0", &[VERSION, TIER, retyped, reworded]));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();

    // The block ends with the changelog, newest first, built from the
    // history; the JSON Schema beside it accepts every recorded version.
    let page = crate_.read(DOCS).unwrap();
    assert!(
        page.contains(
            "Changes by version:\n\n\
             - **2.0**: `~ cluster_count: integer -> string`\n\
             - **1.1**: `+ gpu_count: integer`\n\
             - **1.0**: first version\n<!-- telemetry:end Report -->"
        ),
        "{page}"
    );
    let schema = crate_.read("docs/Report.schema.json").unwrap();
    for version in ["1.0", "1.1", "2.0"] {
        assert!(
            schema.contains(&format!("\"const\": \"{version}\"")),
            "{schema}"
        );
    }

    // Versions only go up.
    crate_.write(lib, &payload("1.5", &[VERSION, TIER, retyped, reworded]));
    crate_.bless().assert_fails_with(&[
        "schema_version \"1.5\" is not recorded, and versions only go up",
        "already records \"2.0\"",
    ]);

    // The history is the record of releases: three versions, in order.
    let history = crate_.read(HISTORY).unwrap();
    let sections: Vec<&str> = history.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(sections, ["[1.0]", "[1.1]", "[2.0]"]);
}

#[test]
fn bless_is_refused_on_ci_and_history_edits_are_tracked() {
    let crate_ = Scenario::new("ci");
    crate_.write("src/lib.rs", &payload("1.0", &[VERSION]));
    crate_
        .cargo_build(&[("TELEMETRY_BLESS", "1"), ("CI", "true")])
        .assert_fails_with(&["TELEMETRY_BLESS is ignored because CI is set"]);
    assert!(crate_.read(DOCS).is_none() && crate_.read(HISTORY).is_none());
    crate_.bless().assert_ok();
    // Under bless, CI is an input: setting it alone reruns the derive. (The
    // second bless writes nothing, so no file is newer than that build.)
    crate_.bless().assert_ok();
    crate_
        .cargo_build(&[("TELEMETRY_BLESS", "1"), ("CI", "true")])
        .assert_fails_with(&["TELEMETRY_BLESS is ignored because CI is set"]);
    crate_.build().assert_ok();

    // Tampering with a recorded version is caught, though only the
    // history file changed.
    let history = crate_.read(HISTORY).unwrap();
    crate_.write(
        HISTORY,
        &history.replace("version: string", "version: integer"),
    );
    crate_
        .build()
        .assert_fails_with(&["~ version: integer -> string"]);
    crate_.write(HISTORY, &history);
    crate_.build().assert_ok();
}

#[test]
fn a_retention_change_needs_bless_but_no_bump_and_shows_in_the_changelog() {
    let crate_ = Scenario::new("retention");
    let lib = "src/lib.rs";
    let keeping = |days: u32| {
        payload("1.0", &[VERSION]).replace(
            &format!("docs = \"{DOCS}\")]"),
            &format!("docs = \"{DOCS}\", raw_retention_days = {days})]"),
        )
    };
    crate_.write(lib, &keeping(90));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();

    crate_.write(lib, &keeping(30));
    crate_.build().assert_fails_with(&[
        "raw_retention_days of Report is 30 but docs/Report.schema-history records 90",
        "no version bump",
    ]);
    crate_.bless().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    assert!(
        page.contains("keeps each raw report for **30 days**"),
        "{page}"
    );
    assert!(
        page.contains("- **1.0**: first version; raw reports kept 90 days; raw reports kept 30 days (was 90 days)"),
        "{page}"
    );
    let history = crate_.read(HISTORY).unwrap();
    assert!(
        history.ends_with(
            "[1.0]\nversion: string\n! raw_retention_days = 90\n! raw_retention_days = 30\n"
        ),
        "{history}"
    );
    let schema = crate_.read("docs/Report.schema.json").unwrap();
    assert!(schema.contains("\"x-raw-retention-days\": 30"), "{schema}");
    crate_.build().assert_ok();
}

#[test]
fn two_payloads_share_one_page_and_a_rename_is_one_change() {
    let crate_ = Scenario::new("two-payloads");
    let source = |count_field: &str, version: &str, renamed_from: &str| {
        format!(
            "use telemetry_core::Telemetry;\n\n\
             #[derive(Telemetry)]\n\
             #[telemetry(schema_version = \"1.0\", docs = \"{DOCS}\")]\n\
             pub struct Daily {{\n    /// Which versions are in use.\n    pub version: String,\n}}\n\n\
             #[derive(Telemetry)]\n\
             #[telemetry(schema_version = \"{version}\", docs = \"{DOCS}\")]\n\
             pub struct Usage {{\n    /// How common federation is.\n{renamed_from}    pub {count_field}: u32,\n}}\n"
        )
    };
    crate_.write("src/lib.rs", &source("clusters", "1.0", ""));
    crate_.bless().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    assert!(
        page.contains("<!-- telemetry:begin Daily") && page.contains("<!-- telemetry:begin Usage")
    );
    assert!(crate_.read("docs/Daily.schema-history").is_some());
    assert!(crate_.read("docs/Usage.schema-history").is_some());
    crate_.build().assert_ok();

    let rename = "    #[telemetry(renamed_from = \"clusters\")]\n";
    crate_.write("src/lib.rs", &source("cluster_count", "1.1", rename));
    crate_.build().assert_fails_with(&[
        "~ clusters -> cluster_count (renamed)",
        "needs a major bump: use \"2.0\"",
    ]);
    crate_.write("src/lib.rs", &source("cluster_count", "2.0", rename));
    crate_.bless().assert_ok();
    let updated = crate_.read(DOCS).unwrap();
    let daily = |page: &str| {
        page[page.find("begin Daily").unwrap()..page.find("end Daily").unwrap()].to_owned()
    };
    assert_eq!(
        daily(&page),
        daily(&updated),
        "the other payload's block changed"
    );
    // The changelog and the history say what the build error said: one
    // rename, not an added and a removed field.
    assert!(
        updated.contains("- **2.0**: `~ clusters -> cluster_count (renamed)`\n"),
        "{updated}"
    );
    assert!(crate_
        .read("docs/Usage.schema-history")
        .unwrap()
        .ends_with("[2.0]\ncluster_count: integer\n~ clusters -> cluster_count\n"));
    crate_.build().assert_ok();
}

#[test]
fn a_payload_crate_builds_as_a_dependency_without_its_docs_files() {
    let crate_ = Scenario::new("dependency");
    let core = telemetry_workspace_tests::workspace_root().join("telemetry-core");
    // A payload crate as it may reach its users: no docs page, no history.
    crate_.write(
        "payload/Cargo.toml",
        &format!(
            "[package]\nname = \"payload\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\ntelemetry-core = {{ path = {core:?}, default-features = false }}\n"
        ),
    );
    crate_.write("payload/src/lib.rs", &payload("1.0", &[VERSION, TIER]));
    crate_.depend_on("payload", &crate_.path("payload"));
    crate_.write(
        "src/lib.rs",
        "use telemetry_core::Telemetry;\n\n\
         pub fn fields() -> usize {\n    payload::Report::FIELDS.len()\n}\n\n\
         pub const TABLE: &str = payload::Report::DOCS_TABLE;\n",
    );
    // Its users build it without them: the guard checks nothing, and
    // everything the derive generates is there. Bless writes nothing.
    crate_.build().assert_ok();
    crate_.bless().assert_ok();
    assert!(crate_.read("payload/docs/telemetry.md").is_none());
    // Its authors build it: the guard runs and asks for the files.
    crate_
        .cargo(&["build", "-p", "payload"], &[])
        .assert_fails_with(&["Report has no schema history yet"]);
    crate_
        .cargo(&["build", "-p", "payload"], &[("TELEMETRY_BLESS", "1")])
        .assert_ok();
    assert!(crate_.read("payload/docs/Report.schema-history").is_some());

    // Once the files exist, the check runs for every build that has them:
    // in the authors' workspace, `cargo build -p app` would otherwise skip
    // it (cargo then reuses that build for `cargo build -p payload`).
    crate_.write(
        "payload/src/lib.rs",
        &payload("1.0", &[VERSION, TIER, GPUS]),
    );
    crate_
        .build()
        .assert_fails_with(&["fields of Report changed", "+ gpu_count: integer"]);
}
