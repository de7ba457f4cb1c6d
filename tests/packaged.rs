//! A server crate whose docs page lives outside the crate directory
//! (`docs = "../docs/telemetry.md"`, the docs site in its own folder), as
//! cargo packages it: `cargo package` and its verify step, then a build of
//! the unpacked `.crate` as `cargo install` does. Built from the package
//! (cargo writes `Cargo.toml.orig` beside its manifest) the guard checks
//! and writes nothing; built from its source directory it still checks.
//!
//! The packaged manifest names telemetry-core by version, from crates.io;
//! a `[patch.crates-io]` in `.cargo/config.toml` above the crate points it
//! at this workspace (cargo reads config up the tree from where it runs,
//! the verify step included).

use std::fs;
use std::process::Command;

use telemetry_workspace_tests::{workspace_root, Scenario};

fn server_manifest() -> String {
    let core = workspace_root().join("telemetry-core");
    format!(
        "[package]\nname = \"packaged-server\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         license = \"MIT\"\ndescription = \"A server whose docs site is its own folder\"\n\n\
         [dependencies]\n\
         telemetry-core = {{ version = \"0.1.0\", path = {core:?}, default-features = false }}\n\n\
         [workspace]\n"
    )
}

fn lib_rs(why: &str) -> String {
    format!(
        "#[derive(telemetry_core::Telemetry)]\n\
         #[telemetry(schema_version = \"1.0\", docs = \"../docs/telemetry.md\")]\n\
         pub struct Report {{\n\
         \x20   /// {why}\n\
         \x20   pub cluster_count: u32,\n\
         }}\n"
    )
}

#[test]
fn a_packaged_crate_without_its_docs_builds_and_its_source_still_checks() {
    let scenario = Scenario::new("packaged-docs-outside");
    // The scenario's own root crate is not part of this layout.
    fs::remove_file(scenario.path("Cargo.toml")).unwrap();
    let core = workspace_root().join("telemetry-core");
    scenario.write(
        ".cargo/config.toml",
        &format!("[patch.crates-io]\ntelemetry-core = {{ path = {core:?} }}\n"),
    );
    scenario.write("server/Cargo.toml", &server_manifest());
    scenario.write(
        "server/src/lib.rs",
        &lib_rs("How many clusters, to size the index."),
    );
    fs::copy(
        workspace_root().join("Cargo.lock"),
        scenario.path("server/Cargo.lock"),
    )
    .unwrap();

    // The authors bless from the source directory: the page and its
    // history are written beside it, at the repository root.
    scenario
        .cargo_in("server", &["build"], &[("TELEMETRY_BLESS", "1")])
        .assert_ok();
    let page = scenario
        .read("docs/telemetry.md")
        .expect("bless wrote the page");
    assert!(
        page.contains("| `cluster_count` | `integer` | How many clusters"),
        "{page}"
    );
    assert!(scenario.path("docs/Report.schema-history").is_file());

    // `cargo package` with its verify step: cargo builds the packaged
    // crate as the primary package, without `../docs`, under bless too
    // (the variable is the user's, the package is not theirs to bless).
    let package = scenario.target().join("package");
    let _ = fs::remove_dir_all(&package);
    scenario
        .cargo_in(
            "server",
            &["package", "--allow-dirty"],
            &[("TELEMETRY_BLESS", "1")],
        )
        .assert_ok();
    let unpacked = package.join("packaged-server-0.1.0");
    assert!(
        unpacked.join("Cargo.toml.orig").is_file(),
        "cargo's marker is there"
    );
    assert!(!package.join("docs").exists(), "the verify step wrote docs");

    // The `.crate` unpacked where `cargo install` would build it.
    let crate_file = package.join("packaged-server-0.1.0.crate");
    fs::create_dir_all(scenario.path("unpacked")).unwrap();
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(&crate_file)
        .arg("-C")
        .arg(scenario.path("unpacked"))
        .status()
        .expect("tar runs");
    assert!(untar.success());
    let installed = "unpacked/packaged-server-0.1.0";
    assert!(scenario.path(installed).join("Cargo.toml.orig").is_file());
    assert_eq!(scenario.read("unpacked/docs/telemetry.md"), None);
    // Its own workspace, as cargo gives the crates it installs.
    let manifest = scenario.read(&format!("{installed}/Cargo.toml")).unwrap();
    scenario.write(
        &format!("{installed}/Cargo.toml"),
        &format!("{manifest}\n[workspace]\n"),
    );
    for env in [&[][..], &[("TELEMETRY_BLESS", "1")]] {
        let build = scenario.cargo_in(installed, &["build"], env);
        build.assert_ok();
        assert!(
            !build.stderr.contains("has no schema history yet"),
            "{}",
            build.stderr
        );
    }
    assert!(
        !scenario.path("unpacked/docs").exists(),
        "nothing is written"
    );

    // A why-text changed without bless: the source directory still checks.
    scenario.write("server/src/lib.rs", &lib_rs("How many clusters."));
    scenario
        .cargo_in("server", &["build"], &[])
        .assert_fails_with(&[
            "../docs/telemetry.md does not match Report",
            "(`cluster_count`) differs",
        ]);
    // And the packaged copy, without its docs, still builds as it is.
    scenario.cargo_in(installed, &["build"], &[]).assert_ok();
}
