//! Sections and optional values through a payload's life, with real
//! `cargo build`s of throwaway crates: the guard holds at every depth,
//! wherever a section is declared.

use telemetry_workspace_tests::Scenario;

const DOCS: &str = "docs/telemetry.md";
const HISTORY: &str = "docs/NodeReport.schema-history";
const SCHEMA: &str = "docs/NodeReport.schema.json";

/// The payload, declared before the section that follows it in the same
/// file and before the module holding the others.
fn lib_rs(version: &str) -> String {
    format!(
        "use telemetry_core::{{Telemetry, TelemetrySection}};\n\
         use system::SystemInfo;\n\n\
         mod system;\n\n\
         #[derive(Telemetry)]\n\
         #[telemetry(schema_version = \"{version}\", docs = \"{DOCS}\")]\n\
         pub struct NodeReport {{\n\
         \x20   /// Platform facts, to decide which builds to ship.\n\
         \x20   pub system: SystemInfo,\n\
         \x20   /// GPU models in use, to decide which accelerators to support.\n\
         \x20   pub gpu_devices: Vec<GpuDevice>,\n\
         \x20   /// Collections per node, absent before the node has loaded.\n\
         \x20   pub collection_count: Option<u32>,\n\
         }}\n\n\
         #[derive(TelemetrySection)]\n\
         pub struct GpuDevice {{\n\
         \x20   /// The model, to decide which accelerators to support.\n\
         \x20   pub model: String,\n\
         }}\n"
    )
}

/// `src/system.rs`: a section holding one from a module below it.
fn system_rs(distribution: &str) -> String {
    format!(
        "pub mod cpu;\n\n\
         #[derive(telemetry_core::TelemetrySection)]\n\
         pub struct SystemInfo {{\n\
         \x20   /// Linux distribution family, absent where it cannot be read.\n\
         \x20   pub distribution: {distribution},\n\
         \x20   /// The processor, to pick the SIMD paths worth maintaining.\n\
         \x20   pub cpu: cpu::CpuInfo,\n\
         }}\n"
    )
}

/// `src/system/cpu.rs`: the third level, with `extra` fields.
fn cpu_rs(extra: &str) -> String {
    format!(
        "use telemetry_core::TelemetrySection;\n\n\
         #[derive(TelemetrySection)]\n\
         pub struct CpuInfo {{\n\
         \x20   /// Cores, to size default thread pools.\n\
         \x20   pub cores: u32,\n{extra}}}\n"
    )
}

const THREADS: &str =
    "    /// Threads per core, to tell SMT machines apart.\n    pub threads_per_core: u32,\n";

#[test]
fn three_levels_across_modules_through_minor_and_major_bumps() {
    let crate_ = Scenario::new("nested-lifecycle");
    crate_.write("src/lib.rs", &lib_rs("1.0"));
    crate_.write("src/system.rs", &system_rs("Option<String>"));
    crate_.write("src/system/cpu.rs", &cpu_rs(""));
    crate_
        .build()
        .assert_fails_with(&["NodeReport has no schema history yet"]);
    crate_.bless().assert_ok();
    crate_.build().assert_ok();

    // One row per field, dotted paths below their section's own row.
    let page = crate_.read(DOCS).unwrap();
    for row in [
        "| `system` | `object` | Platform facts, to decide which builds to ship. |",
        "| `system.distribution` | `string \\| null` | Linux distribution family, absent where it cannot be read. |",
        "| `system.cpu.cores` | `integer` | Cores, to size default thread pools. |",
        "| `gpu_devices` | `object[]` | GPU models in use, to decide which accelerators to support. |",
        "| `gpu_devices[].model` | `string` | The model, to decide which accelerators to support. |",
        "| `collection_count` | `integer \\| null` | Collections per node, absent before the node has loaded. |",
    ] {
        assert!(page.contains(row), "{row} missing from:\n{page}");
    }
    assert!(crate_.read(HISTORY).unwrap().contains(
        "[1.0]\nsystem: object\nsystem.distribution: string | null\nsystem.cpu: object\n\
         system.cpu.cores: integer\ngpu_devices: object[]\ngpu_devices[].model: string\n\
         collection_count: integer | null\n"
    ));
    let schema: serde_json::Value = serde_json::from_str(&crate_.read(SCHEMA).unwrap()).unwrap();
    let v1 = &schema["oneOf"][0];
    let cpu = &v1["properties"]["system"]["properties"]["cpu"];
    assert_eq!(cpu["additionalProperties"], false);
    assert_eq!(cpu["required"], serde_json::json!(["cores"]));
    assert_eq!(
        v1["properties"]["gpu_devices"]["items"]["additionalProperties"],
        false
    );

    // A field added two levels down, in another file, without a bump: the
    // payload's build fails, names the full path and points at the field.
    crate_.write("src/system/cpu.rs", &cpu_rs(THREADS));
    let expected = [
        "fields of NodeReport changed but schema_version is still \"1.0\"",
        "+ system.cpu.threads_per_core: integer",
        "bump schema_version to \"1.1\"",
        "--> src/system/cpu.rs:8:",
    ];
    crate_.build().assert_fails_with(&expected);
    crate_.bless().assert_fails_with(&expected);

    // An addition is a minor bump.
    crate_.write("src/lib.rs", &lib_rs("1.1"));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    assert!(page.contains("- **1.1**: `+ system.cpu.threads_per_core: integer`"));
    assert!(page.contains("| `system.cpu.threads_per_core` | `integer` |"));

    // The page is tracked for nested rows too: a hand edit fails.
    crate_.write(DOCS, &page.replace("to tell SMT machines apart", "for SMT"));
    crate_.build().assert_fails_with(&[
        "does not match NodeReport",
        "(`system.cpu.threads_per_core`) differs",
    ]);
    crate_.write(DOCS, &page);
    crate_.build().assert_ok();

    // Optional -> required breaks receivers: a minor bump is refused.
    crate_.write("src/system.rs", &system_rs("String"));
    crate_.write("src/lib.rs", &lib_rs("1.2"));
    let expected = [
        "schema_version \"1.2\" is a minor bump over \"1.1\"",
        "~ system.distribution: string | null -> string",
        "use \"2.0\"",
        "--> src/system.rs:6:",
    ];
    crate_.build().assert_fails_with(&expected);
    crate_.bless().assert_fails_with(&expected);
    crate_.write("src/lib.rs", &lib_rs("2.0"));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();

    // Required -> optional is breaking too.
    crate_.write("src/system.rs", &system_rs("Option<String>"));
    crate_.write("src/lib.rs", &lib_rs("2.1"));
    crate_.build().assert_fails_with(&[
        "~ system.distribution: string -> string | null",
        "use \"3.0\"",
    ]);

    let history = crate_.read(HISTORY).unwrap();
    let sections: Vec<&str> = history.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(sections, ["[1.0]", "[1.1]", "[2.0]"]);
}

#[test]
fn one_section_shared_by_two_payloads_and_two_fields() {
    let crate_ = Scenario::new("nested-shared");
    let source = |extra: &str| {
        format!(
            "use telemetry_core::{{Telemetry, TelemetrySection}};\n\n\
             #[derive(Telemetry)]\n\
             #[telemetry(schema_version = \"1.0\", docs = \"{DOCS}\")]\n\
             pub struct Daily {{\n\
             \x20   /// The build running now.\n    pub current: shared::Build,\n\
             \x20   /// The build before the last upgrade, if any.\n    pub previous: Option<shared::Build>,\n\
             }}\n\n\
             #[derive(Telemetry)]\n\
             #[telemetry(schema_version = \"1.0\", docs = \"{DOCS}\")]\n\
             pub struct Fleet {{\n\
             \x20   /// Builds per node pool.\n    pub pools: std::collections::BTreeMap<String, Vec<shared::Build>>,\n\
             }}\n\n\
             pub mod shared {{\n\
             \x20   #[derive(super::TelemetrySection)]\n\
             \x20   pub struct Build {{\n\
             \x20       /// The release, to know which ones are in use.\n        pub version: String,\n{extra}\
             \x20   }}\n\
             }}\n"
        )
    };
    crate_.write("src/lib.rs", &source(""));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    for row in [
        "| `current.version` | `string` |",
        "| `previous` | `object \\| null` |",
        "| `previous.version` | `string` |",
        "| `pools` | `map<string, object[]>` |",
        "| `pools.*[].version` | `string` |",
    ] {
        assert!(page.contains(row), "{row} missing from:\n{page}");
    }

    // A change to the shared section fails both payloads, at each place.
    let extra = "        /// Whether it is a nightly build.\n        pub nightly: bool,\n";
    crate_.write("src/lib.rs", &source(extra));
    crate_.build().assert_fails_with(&[
        "fields of Daily changed",
        "+ current.nightly: boolean",
        "+ previous.nightly: boolean",
        "fields of Fleet changed",
        "+ pools.*[].nightly: boolean",
    ]);
}

#[test]
fn a_nested_rename_is_one_breaking_change() {
    let crate_ = Scenario::new("nested-rename");
    let source = |version: &str, field: &str, attr: &str| {
        format!(
            "use telemetry_core::{{Telemetry, TelemetrySection}};\n\n\
             #[derive(Telemetry)]\n\
             #[telemetry(schema_version = \"{version}\", docs = \"{DOCS}\")]\n\
             pub struct Report {{\n\
             \x20   /// Processor facts.\n    pub cpu: Option<CpuInfo>,\n\
             }}\n\n\
             #[derive(TelemetrySection)]\n\
             pub struct CpuInfo {{\n\
             \x20   /// Cores, to size default thread pools.\n{attr}    pub {field}: u32,\n\
             }}\n"
        )
    };
    crate_.write("src/lib.rs", &source("1.0", "cores", ""));
    crate_.bless().assert_ok();
    let attr = "    #[telemetry(renamed_from = \"cores\")]\n";
    crate_.write("src/lib.rs", &source("1.1", "core_count", attr));
    crate_.build().assert_fails_with(&[
        "~ cpu.cores -> cpu.core_count (renamed)",
        "needs a major bump: use \"2.0\"",
    ]);
    crate_.write("src/lib.rs", &source("2.0", "core_count", attr));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
}

/// `sections/src/lib.rs`: a library of sections, one holding another from
/// a module below it, reached through a re-export.
fn sections_crate_rs(cache_fields: &str) -> String {
    format!(
        "pub mod hw {{\n\
         \x20   #[derive(telemetry_core::TelemetrySection)]\n\
         \x20   pub struct CpuInfo {{\n\
         \x20       /// Cores, to size default thread pools.\n\
         \x20       pub cores: u32,\n\
         \x20       /// Cache levels, to tune block sizes.\n\
         \x20       pub caches: Vec<Cache>,\n\
         \x20   }}\n\n\
         \x20   #[derive(telemetry_core::TelemetrySection)]\n\
         \x20   pub struct Cache {{\n{cache_fields}\x20   }}\n\
         }}\n\n\
         pub use hw::CpuInfo;\n"
    )
}

const CACHE_SIZE: &str = "        /// Size in KiB, to tune block sizes.\n        pub kib: u32,\n";
const CACHE_LINE: &str =
    "        /// Line size in bytes, absent where unknown.\n        pub line: Option<u16>,\n";

#[test]
fn a_section_from_another_crate() {
    let crate_ = Scenario::new("nested-other-crate");
    crate_.write_library_manifest("sections");
    crate_.write("sections/src/lib.rs", &sections_crate_rs(CACHE_SIZE));
    crate_.depend_on("sections", &crate_.path("sections"));
    let payload = |version: &str| {
        format!(
            "#[derive(telemetry_core::Telemetry)]\n\
             #[telemetry(schema_version = \"{version}\", docs = \"{DOCS}\")]\n\
             pub struct NodeReport {{\n    /// Processor facts.\n    pub cpu: sections::CpuInfo,\n}}\n"
        )
    };
    crate_.write("src/lib.rs", &payload("1.0"));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let history = crate_.read(HISTORY).unwrap();
    assert!(
        history.contains("cpu.cores: integer\ncpu.caches: object[]\ncpu.caches[].kib: integer\n"),
        "{history}"
    );

    // A field added in the other crate fails the payload's build, by path.
    crate_.write(
        "sections/src/lib.rs",
        &sections_crate_rs(&format!("{CACHE_SIZE}{CACHE_LINE}")),
    );
    crate_.build().assert_fails_with(&[
        "+ cpu.caches[].line: integer | null",
        "bump schema_version to \"1.1\"",
    ]);
    crate_.write("src/lib.rs", &payload("1.1"));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    assert!(
        page.contains("| `cpu.caches[].line` | `integer \\| null` | Line size in bytes, absent where unknown. |"),
        "{page}"
    );
}

#[test]
fn sections_of_one_name_in_different_modules() {
    let crate_ = Scenario::new("nested-same-names");
    // `Info` at the root (after the payload), an `Info` in a module below
    // that holds a third `Info` from its own child, and a module whose
    // `Info` shadows the root's for its own payload.
    crate_.write(
        "src/lib.rs",
        &format!(
            "use telemetry_core::{{Telemetry, TelemetrySection}};\n\n\
             #[derive(Telemetry)]\n\
             #[telemetry(schema_version = \"1.0\", docs = \"{DOCS}\")]\n\
             pub struct Outer {{\n\
             \x20   /// The root's info.\n    pub info: Info,\n\
             \x20   /// The module's info.\n    pub module_info: module::Info,\n\
             }}\n\n\
             #[derive(TelemetrySection)]\n\
             pub struct Info {{\n    /// A count.\n    pub count: u32,\n}}\n\n\
             pub mod module {{\n\
             \x20   #[derive(telemetry_core::TelemetrySection)]\n\
             \x20   pub struct Info {{\n        /// A name.\n        pub name: String,\n        /// The child's info.\n        pub inner: child::Info,\n    }}\n\n\
             \x20   pub mod child {{\n\
             \x20       #[derive(telemetry_core::TelemetrySection)]\n\
             \x20       pub struct Info {{\n            /// A flag.\n            pub flag: bool,\n        }}\n\
             \x20   }}\n\n\
             \x20   #[derive(telemetry_core::Telemetry)]\n\
             \x20   #[telemetry(schema_version = \"1.0\", docs = \"{DOCS}\")]\n\
             \x20   pub struct Inner {{\n        /// This module's info.\n        pub info: Info,\n        /// The root's info.\n        pub root: super::Info,\n    }}\n\
             }}\n"
        ),
    );
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    for row in [
        "| `info.count` | `integer` | A count. |",
        "| `module_info.name` | `string` | A name. |",
        "| `module_info.inner.flag` | `boolean` | A flag. |",
        "| `info.inner.flag` | `boolean` | A flag. |",
        "| `root.count` | `integer` | A count. |",
    ] {
        assert!(page.contains(row), "{row} missing from:\n{page}");
    }
}
