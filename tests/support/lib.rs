//! Helpers for the workspace-level tests: throwaway crates that depend on
//! this workspace by path and are built with a real `cargo build`.
//!
//! Every scenario crate shares one target dir of its own
//! (`target/scenarios/target`), kept between runs: only the first build
//! compiles the dependencies, and no build waits on the lock of the outer
//! `cargo test`'s target dir. Builds run `--offline` with a copy of the
//! workspace's `Cargo.lock`, so they use exactly the crates already fetched.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

/// A package `name` depending on this workspace's telemetry-core.
fn manifest(name: &str) -> String {
    let core = workspace_root().join("telemetry-core");
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\ntelemetry-core = {{ path = {core:?}, default-features = false }}\n"
    )
}

/// The workspace root.
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Scenarios share a target dir; one cargo at a time keeps their output
/// apart (cargo would serialize them on the lock anyway).
static SHARED_TARGET: Mutex<()> = Mutex::new(());

/// A throwaway crate under `target/scenarios/<name>`.
pub struct Scenario {
    dir: PathBuf,
    target: PathBuf,
    _lock: MutexGuard<'static, ()>,
}

/// What one `cargo build` did.
#[derive(Debug)]
pub struct Build {
    pub success: bool,
    pub stderr: String,
}

impl Build {
    /// Panics with the compiler output unless the build passed.
    #[track_caller]
    pub fn assert_ok(&self) {
        assert!(self.success, "build failed:\n{}", self.stderr);
    }

    /// Panics unless the build failed with every `parts` in its errors.
    #[track_caller]
    pub fn assert_fails_with(&self, parts: &[&str]) {
        assert!(
            !self.success,
            "build passed, expected it to fail with {parts:?}"
        );
        for part in parts {
            assert!(
                self.stderr.contains(part),
                "the errors lack {part:?}:\n{}",
                self.stderr
            );
        }
    }
}

impl Scenario {
    /// A fresh crate named `name` (its previous files are removed; the
    /// shared target dir is kept).
    pub fn new(name: &str) -> Scenario {
        let lock = SHARED_TARGET.lock().unwrap_or_else(|e| e.into_inner());
        let base = workspace_root().join("target").join("scenarios");
        let dir = base.join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).unwrap();
        let manifest = manifest(&format!("scenario-{name}")) + "\n[workspace]\n";
        fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        Scenario {
            dir,
            target: base.join("target"),
            _lock: lock,
        }
    }

    /// The manifest of a library crate `name` in the directory `name/`
    /// beside `src/`, depending on telemetry-core (its sources are the
    /// caller's to write).
    pub fn write_library_manifest(&self, name: &str) {
        self.write(&format!("{name}/Cargo.toml"), &manifest(name));
    }

    /// Adds `[dependencies] name = { path = dir }` to the manifest.
    pub fn depend_on(&self, name: &str, dir: &Path) {
        let manifest = self.path("Cargo.toml");
        let text = fs::read_to_string(&manifest).unwrap();
        let line = format!("{name} = {{ path = {dir:?} }}\n");
        fs::write(
            manifest,
            text.replace("\n\n[workspace]", &format!("\n{line}\n[workspace]")),
        )
        .unwrap();
    }

    /// The shared target dir its builds use.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The crate's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    pub fn write(&self, relative: &str, contents: &str) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    /// A file's contents, or `None` when it does not exist.
    pub fn read(&self, relative: &str) -> Option<String> {
        fs::read_to_string(self.path(relative)).ok()
    }

    /// `cargo build`, checking only.
    pub fn build(&self) -> Build {
        self.cargo_build(&[])
    }

    /// `TELEMETRY_BLESS=1 cargo build`.
    pub fn bless(&self) -> Build {
        self.cargo_build(&[("TELEMETRY_BLESS", "1")])
    }

    /// `cargo build` with extra environment variables.
    pub fn cargo_build(&self, env: &[(&str, &str)]) -> Build {
        self.cargo(&["build"], env)
    }

    /// `cargo <args>` (offline, quiet, no colour) with extra environment
    /// variables.
    pub fn cargo(&self, args: &[&str], env: &[(&str, &str)]) -> Build {
        self.cargo_in(".", args, env)
    }

    /// `cargo <args>` as `cargo`, run in the crate's directory `dir`.
    pub fn cargo_in(&self, dir: &str, args: &[&str], env: &[(&str, &str)]) -> Build {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .args(args)
            .args(["--offline", "--quiet", "--color", "never"])
            .current_dir(self.dir.join(dir))
            .env("CARGO_TARGET_DIR", &self.target)
            // The outer run's settings must not leak into the scenario: CI
            // refuses bless, and bless is what the scenario controls.
            .env_remove("CI")
            .env_remove("TELEMETRY_BLESS")
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("CARGO_PRIMARY_PACKAGE");
        command.envs(env.iter().copied());
        let output = command.output().expect("cargo runs");
        Build {
            success: output.status.success(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
