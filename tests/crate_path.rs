//! `#[telemetry(crate = "...")]`: the derives' generated code names
//! telemetry-core by that path, for crates that reach it through a facade
//! or under another name. Real `cargo build`s of throwaway crates that do
//! not have telemetry-core as `telemetry_core` at all.

use telemetry_workspace_tests::{workspace_root, Scenario};

const DOCS: &str = "docs/telemetry.md";

/// A payload holding a section (which holds one from a module below it)
/// and a value enum; every derive names the runtime `path`, except the
/// innermost section's when `cpu_path` is `None`.
fn lib_rs(path: &str, cpu_path: Option<&str>) -> String {
    let attr = |path: &str| format!("#[telemetry(crate = \"{path}\")]");
    let cpu_attr = cpu_path.map(attr).unwrap_or_default();
    let runtime = path.trim_start_matches("::");
    format!(
        "use {runtime}::{{Telemetry, TelemetrySection, TelemetryValue}};\n\n\
         #[derive(Telemetry)]\n\
         #[telemetry(schema_version = \"1.0\", docs = \"{DOCS}\", crate = \"{path}\")]\n\
         pub struct Report {{\n\
         \x20   /// Platform facts, to decide which builds to ship.\n\
         \x20   pub system: System,\n\
         \x20   /// The storage tier, to know where to invest in persistence.\n\
         \x20   #[telemetry(values = \"memory | postgres\")]\n\
         \x20   pub tier: Tier,\n\
         }}\n\n\
         #[derive(TelemetrySection)]\n\
         {attr}\n\
         pub struct System {{\n\
         \x20   /// The processor, to pick the SIMD paths worth maintaining.\n\
         \x20   pub cpu: hw::Cpu,\n\
         }}\n\n\
         #[derive(TelemetryValue)]\n\
         {attr}\n\
         pub enum Tier {{ Memory, Postgres }}\n\n\
         pub mod hw {{\n\
         \x20   #[derive({runtime}::TelemetrySection)]\n\
         \x20   {cpu_attr}\n\
         \x20   pub struct Cpu {{\n\
         \x20       /// Cores, to size default thread pools.\n\
         \x20       pub cores: u32,\n\
         \x20   }}\n\
         }}\n",
        attr = attr(path),
    )
}

/// Points the crate's only dependency at telemetry-core as `dependency`.
fn manifest(crate_: &Scenario, dependency: &str) {
    crate_.write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"scenario-crate-path\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\n{dependency}\n\n[workspace]\n"
        ),
    );
}

#[test]
fn the_runtime_through_a_facade_or_under_another_name() {
    let crate_ = Scenario::new("crate-path");
    let core = workspace_root().join("telemetry-core");

    // A facade crate re-exporting telemetry-core, the only dependency.
    crate_.write_library_manifest("facade");
    crate_.write(
        "facade/src/lib.rs",
        "pub use telemetry_core as telemetry;\n",
    );
    manifest(&crate_, "facade = { path = \"facade\" }");
    crate_.write("src/lib.rs", &lib_rs("::facade::telemetry", None));
    // Without the attribute, the generated code's `::telemetry_core` is
    // not found, at the derive that lacks it.
    crate_.build().assert_fails_with(&[
        "cannot find `telemetry_core` in the crate root",
        "--> src/lib.rs:25:14",
    ]);
    crate_.write(
        "src/lib.rs",
        &lib_rs("::facade::telemetry", Some("::facade::telemetry")),
    );
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let page = crate_.read(DOCS).unwrap();
    assert!(
        page.contains("| `system.cpu.cores` | `integer` | Cores, to size default thread pools. |"),
        "{page}"
    );

    // A renamed dependency: the same crate, telemetry-core as `tc`.
    manifest(
        &crate_,
        &format!(
            "tc = {{ package = \"telemetry-core\", path = {core:?}, default-features = false }}"
        ),
    );
    crate_.write("src/lib.rs", &lib_rs("tc", Some("tc")));
    crate_.build().assert_ok();
}
