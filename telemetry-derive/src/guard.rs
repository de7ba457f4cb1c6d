//! The guard's I/O: reads the docs page and history beside the crate's
//! manifest, runs the rules, performs bless writes, and turns findings into
//! errors spanned at the attribute they concern.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ast::Payload;
use crate::ctxt::Ctxt;
use crate::rules::{evaluate, Bless, GuardInput, Site};
use crate::shape::{Shape, Version};

pub const BLESS_VAR: &str = "TELEMETRY_BLESS";
pub const CI_VAR: &str = "CI";

/// Runs the guard for one payload. Returns the absolute paths of the files
/// it read that exist, for the generated code to track.
pub fn run(
    cx: &Ctxt,
    payload: &Payload,
    version: &Version,
    shape: &Shape,
    block: &str,
) -> Vec<PathBuf> {
    let (Some(docs_lit), Some(version_lit)) = (&payload.attrs.docs, &payload.attrs.schema_version)
    else {
        return Vec::new();
    };
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        cx.error_spanned_by(
            docs_lit,
            "CARGO_MANIFEST_DIR is not set, so the docs page cannot be found: build with cargo",
        );
        return Vec::new();
    };
    let name = payload.ident.to_string();
    let docs_relative = docs_lit.value();
    let history_relative = history_path(Path::new(&docs_relative), &name);
    let docs_path = Path::new(&manifest_dir).join(&docs_relative);
    let history_path = Path::new(&manifest_dir).join(&history_relative);

    let read = |path: &Path, shown: &str| match fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => {
            cx.error_spanned_by(docs_lit, format!("cannot read {shown}: {err}"));
            None
        }
    };
    let history_shown = history_relative.display().to_string();
    let docs = read(&docs_path, &docs_relative);
    let history = read(&history_path, &history_shown);
    if cx.has_errors() {
        return Vec::new();
    }
    let renames: Vec<(String, String)> = payload
        .fields
        .iter()
        .filter_map(|f| Some((f.wire_name(), f.attrs.renamed_from.as_ref()?.value())))
        .collect();
    let verdict = evaluate(&GuardInput {
        payload: &name,
        version,
        shape,
        renames: &renames,
        block,
        docs_path: &docs_relative,
        history_path: &history_shown,
        docs: docs.as_deref(),
        history: history.as_deref(),
        bless: bless_mode(),
    });
    for finding in &verdict.findings {
        match finding.site {
            Site::Version => cx.error_spanned_by(version_lit, &finding.message),
            Site::Docs => cx.error_spanned_by(docs_lit, &finding.message),
        }
    }
    for (path, contents, shown) in [
        (&docs_path, &verdict.write_docs, docs_relative.as_str()),
        (
            &history_path,
            &verdict.write_history,
            history_shown.as_str(),
        ),
    ] {
        if let Some(contents) = contents {
            if let Err(err) = write_atomically(path, contents) {
                cx.error_spanned_by(docs_lit, format!("bless could not write {shown}: {err}"));
            }
        }
    }
    [docs_path, history_path]
        .into_iter()
        .filter(|path| path.is_file())
        .collect()
}

/// The history file sits next to the docs page, one per payload.
pub fn history_path(docs: &Path, payload: &str) -> PathBuf {
    docs.with_file_name(format!("{payload}.schema-history"))
}

fn bless_mode() -> Bless {
    let set = |name: &str| {
        std::env::var_os(name)
            .is_some_and(|value| !value.is_empty() && value != "0" && value != OsStr::new("false"))
    };
    match (set(BLESS_VAR), set(CI_VAR)) {
        (false, _) => Bless::Off,
        (true, false) => Bless::On,
        (true, true) => Bless::RefusedOnCi,
    }
}

/// Writes through a temporary file and a rename, so a reader (or a second
/// rustc expanding the same derive for the tests) never sees half a file.
/// Writing what is already there does nothing.
fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    if fs::read(path).is_ok_and(|existing| existing == contents.as_bytes()) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = path.with_file_name(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::write(&temporary, contents)?;
    fs::rename(&temporary, path).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}
