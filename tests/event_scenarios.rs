//! An event stream moved over from serde types, through its life, with
//! real `cargo build`s of a throwaway crate: a list of records, each
//! flattening a tagged enum of events, with `rename_all`,
//! `skip_serializing_if`, a newtype and a `Duration`; a
//! variant added (minor), a field added inside a variant without a bump
//! (fails at the field, naming the variant), a variant removed (major), the
//! tagging changed (major), a key made may-be-absent (major).

use telemetry_workspace_tests::Scenario;

const DOCS: &str = "docs/telemetry.md";
const HISTORY: &str = "docs/EventBatch.schema-history";

/// The crate's source: the batch at `version`, the enum with `tag`, its
/// `extra` variants and `crash_fields`, and the `duration` field's
/// attributes.
struct Source<'a> {
    version: &'a str,
    tag: &'a str,
    extra_variants: &'a str,
    crash_fields: &'a str,
    duration_attr: &'a str,
}

impl Source<'_> {
    fn render(&self) -> String {
        let Source {
            version,
            tag,
            extra_variants,
            crash_fields,
            duration_attr,
        } = self;
        format!(
            "use std::time::Duration;\n\
             use telemetry_core::{{Telemetry, TelemetrySection}};\n\n\
             #[derive(Telemetry)]\n\
             #[telemetry(schema_version = \"{version}\", docs = \"{DOCS}\")]\n\
             #[serde(rename_all = \"camelCase\")]\n\
             pub struct EventBatch {{\n\
             \x20   /// Worker threads, to tune the default.\n\
             \x20   pub worker_threads: Threads,\n\
             \x20   /// The day's events, to see which features are used.\n\
             \x20   pub events: Vec<Record>,\n\
             \x20   /// How long collecting took, to keep it cheap.\n\
             \x20   {duration_attr}\n\
             \x20   pub collect_time: Option<Duration>,\n\
             }}\n\n\
             #[derive(TelemetrySection)]\n\
             pub struct Threads(pub u16);\n\n\
             #[derive(TelemetrySection)]\n\
             #[serde(rename_all = \"camelCase\")]\n\
             pub struct Record {{\n\
             \x20   /// Seconds into the day, to see when the editor is busy.\n\
             \x20   pub at_secs: u32,\n\
             \x20   #[serde(flatten)]\n\
             \x20   pub event: Event,\n\
             }}\n\n\
             #[derive(TelemetrySection)]\n\
             #[serde({tag}, rename_all = \"snake_case\")]\n\
             pub enum Event {{\n\
             \x20   /// A file was saved, to know which languages matter.\n\
             \x20   FileSaved {{\n\
             \x20       /// The extension, never the name.\n\
             \x20       extension: String,\n\
             \x20       /// Its size in KiB, absent for unsaved buffers.\n\
             \x20       #[serde(skip_serializing_if = \"Option::is_none\")]\n\
             \x20       size_kib: Option<u32>,\n\
             \x20   }},\n\
             \x20   /// The editor crashed, to find unstable builds.\n\
             \x20   Crashed {{\n\
             \x20       /// The exit code.\n\
             \x20       code: i32,\n\
             {crash_fields}\
             \x20   }},\n\
             {extra_variants}\
             \x20   Started,\n\
             }}\n"
        )
    }
}

const SIGNAL: &str = "        /// The signal, where one stopped it.\n        signal: u8,\n";
const COMMAND_RUN: &str = "    /// A command ran, to keep common ones fast.\n    CommandRun {\n        /// How long it took.\n        duration_ms: u64,\n    },\n";

#[test]
fn an_event_stream_through_its_life() {
    let crate_ = Scenario::new("event-lifecycle");
    let mut source = Source {
        version: "1.0",
        tag: "tag = \"type\"",
        extra_variants: "",
        crash_fields: "",
        duration_attr: "",
    };
    crate_.write("src/lib.rs", &source.render());
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    for row in [
        "| `workerThreads` | `integer` | Worker threads, to tune the default. |",
        "| `events[].(type = \"file_saved\")` | `object` | A file was saved, to know which languages matter. |",
        "| `events[].(type = \"file_saved\").size_kib` | `integer \\| absent` | Its size in KiB, absent for unsaved buffers. |",
        "| `events[].atSecs` | `integer` | Seconds into the day, to see when the editor is busy. |",
        "| `events[].(type = \"started\")` | `started` |",
        "| `collectTime.secs` | `integer` |",
    ] {
        assert!(page.contains(row), "{row} missing from:\n{page}");
    }

    // A variant added without a bump fails; with a minor bump it blesses.
    source.extra_variants = COMMAND_RUN;
    crate_.write("src/lib.rs", &source.render());
    crate_.build().assert_fails_with(&[
        "+ events[].(type = \"command_run\"): object",
        "+ events[].(type = \"command_run\").duration_ms: integer",
        "bump schema_version to \"1.1\"",
    ]);
    source.version = "1.1";
    crate_.write("src/lib.rs", &source.render());
    crate_.bless().assert_ok();

    // A field added inside a variant without a bump fails at the field,
    // naming the variant's path.
    source.crash_fields = SIGNAL;
    crate_.write("src/lib.rs", &source.render());
    crate_.build().assert_fails_with(&[
        "+ events[].(type = \"crashed\").signal: integer",
        "--> src/lib.rs:45:9",
    ]);
    source.crash_fields = "";

    // A variant removed needs a major bump.
    source.extra_variants = "";
    source.version = "1.2";
    crate_.write("src/lib.rs", &source.render());
    crate_.bless().assert_fails_with(&[
        "- events[].(type = \"command_run\")",
        "needs a major bump: use \"2.0\"",
    ]);
    source.version = "2.0";
    crate_.write("src/lib.rs", &source.render());
    crate_.bless().assert_ok();

    // The tagging changed (internal to adjacent) is breaking: every
    // variant's old rows are gone.
    source.tag = "tag = \"type\", content = \"data\"";
    source.version = "2.1";
    crate_.write("src/lib.rs", &source.render());
    crate_.bless().assert_fails_with(&[
        "- events[].(type = \"file_saved\").extension",
        "needs a major bump: use \"3.0\"",
    ]);
    source.version = "3.0";
    crate_.write("src/lib.rs", &source.render());
    crate_.bless().assert_ok();

    // An always-present key made may-be-absent is breaking too.
    source.duration_attr = "#[serde(skip_serializing_if = \"Option::is_none\")]";
    source.version = "3.1";
    crate_.write("src/lib.rs", &source.render());
    crate_.bless().assert_fails_with(&[
        "~ collectTime: object | null -> object | absent",
        "needs a major bump: use \"4.0\"",
    ]);
    source.version = "4.0";
    crate_.write("src/lib.rs", &source.render());
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let history = crate_.read(HISTORY).unwrap();
    for version in ["[1.0]", "[1.1]", "[2.0]", "[3.0]", "[4.0]"] {
        assert!(
            history.contains(version),
            "{version} missing from:\n{history}"
        );
    }
}

/// The crate of [`values_travel_with_the_enum`]: a value enum in its own
/// module with `variants`, held by a field that states no values.
fn tier_crate(version: &str, variants: &str) -> String {
    format!(
        "use telemetry_core::Telemetry;\n\n\
         mod tier {{\n\
         \x20   #[derive(telemetry_core::TelemetryValue)]\n\
         \x20   #[serde(rename_all = \"kebab-case\")]\n\
         \x20   pub enum Tier {{\n{variants}\x20   }}\n\
         }}\n\n\
         #[derive(Telemetry)]\n\
         #[telemetry(schema_version = \"{version}\", docs = \"{DOCS}\")]\n\
         pub struct Report {{\n\
         \x20   /// Where the graph is kept, to know which backends to maintain.\n\
         \x20   pub tiers: Vec<tier::Tier>,\n\
         }}\n"
    )
}

/// A value enum's derive carries its values to the field that holds it:
/// the page and schema list them with no `values` on the field, a value
/// added is a minor change and one removed a major one.
#[test]
fn values_travel_with_the_enum() {
    let crate_ = Scenario::new("value-enum-values");
    let two = "        InMemory,\n        Postgres,\n";
    let three = "        InMemory,\n        Postgres,\n        SqliteFile,\n";
    crate_.write("src/lib.rs", &tier_crate("1.0", two));
    crate_.bless().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    let row = "| `tiers` | `(in-memory \\| postgres)[]` |";
    assert!(page.contains(row), "{row} missing from:\n{page}");
    let schema = crate_.read("docs/Report.schema.json").unwrap();
    assert!(schema.contains("\"in-memory\",\n"), "{schema}");

    crate_.write("src/lib.rs", &tier_crate("1.0", three));
    crate_.build().assert_fails_with(&[
        "~ tiers: (\"in-memory\" | \"postgres\")[] -> (\"in-memory\" | \"postgres\" | \"sqlite-file\")[]",
        "bump schema_version to \"1.1\"",
    ]);
    crate_.write("src/lib.rs", &tier_crate("1.1", three));
    crate_.bless().assert_ok();

    crate_.write("src/lib.rs", &tier_crate("1.2", two));
    crate_
        .bless()
        .assert_fails_with(&["needs a major bump: use \"2.0\""]);
    crate_.write("src/lib.rs", &tier_crate("2.0", two));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
}
