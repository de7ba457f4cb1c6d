//! The guard's I/O: reads the docs page and history beside the crate's
//! manifest, runs the rules, performs bless writes, and turns findings into
//! errors spanned at the attribute they concern.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use syn::LitStr;

use crate::chain::tree::FlatField;
use crate::ctxt::Ctxt;
use crate::docs::{render_block, DocsRow};
use crate::docs_format::{docusaurus_mdx_site, DocsFormat};
use crate::rules::{evaluate, Bless, Builder, GuardInput, Site, Skipped};
use crate::shape::Shape;
use crate::version::Version;

pub const BLESS_VAR: &str = "TELEMETRY_BLESS";
pub const CI_VAR: &str = "CI";
/// Set by cargo for the packages the user asked to build; unset when the
/// crate is built as someone else's dependency.
pub const PRIMARY_VAR: &str = "CARGO_PRIMARY_PACKAGE";
/// What cargo writes beside the manifest of every packaged crate (the
/// verify step of `cargo publish`, a registry or vendored copy).
const PACKAGED_MANIFEST: &str = "Cargo.toml.orig";

/// What the guard hands to code generation.
pub struct GuardOutput {
    /// The docs block (`DOCS_TABLE`), changelog included.
    pub block: String,
    /// Absolute paths of the files it read that exist, to track.
    pub tracked: Vec<PathBuf>,
    /// The environment variables its result depended on, to track. Only
    /// those: each tracked variable is one more expression for the
    /// compiler to check, and one that did not matter cannot change the
    /// result when it changes.
    pub tracked_env: Vec<&'static str>,
}

/// The payload the guard checks, with the places its errors point at.
pub struct Target<'a> {
    pub name: &'a str,
    pub version_lit: &'a LitStr,
    pub docs_lit: Option<&'a LitStr>,
    pub format: DocsFormat,
    /// Every field at every depth, where it is declared.
    pub fields: &'a [FlatField],
    /// The integer fields' bounds, for the JSON Schema file.
    pub bounds: crate::json_schema::NotesByPath<'a>,
    /// How long the receiver keeps raw reports, as the page promises.
    pub retention: Option<u64>,
    /// Whether a section of the payload reported errors of its own.
    pub sections_have_errors: bool,
    /// This version's JSON Schema entries, for the JSON Schema file.
    pub schema_body: &'a str,
}

/// Runs the guard for one payload; `None` when a section's errors stopped
/// it, so the payload emits nothing more.
pub fn run(
    cx: &Ctxt,
    payload: &Target,
    version: &Version,
    shape: &Shape,
    rows: &[DocsRow],
) -> Option<GuardOutput> {
    // Without the files there is no changelog: the table alone.
    let output = |tracked_env: Vec<&'static str>| GuardOutput {
        block: render_block(version.as_str(), payload.retention, rows, &[]),
        tracked: Vec::new(),
        tracked_env,
    };
    let (Some(docs_lit), version_lit) = (payload.docs_lit, payload.version_lit) else {
        return Some(output(Vec::new()));
    };

    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        cx.error_spanned_by(
            docs_lit,
            "CARGO_MANIFEST_DIR is not set, so the docs page cannot be found: build with cargo",
        );
        return Some(output(Vec::new()));
    };
    let name = payload.name;
    let docs_relative = docs_lit.value();
    let [docs, history, schema] = [
        PathBuf::from(&docs_relative),
        sibling(Path::new(&docs_relative), name, HISTORY_SUFFIX),
        sibling(Path::new(&docs_relative), name, SCHEMA_SUFFIX),
    ]
    .map(|relative| TrackedFile::read(cx, docs_lit, Path::new(&manifest_dir), relative));
    if cx.has_errors() {
        return Some(output(Vec::new()));
    }
    // The guard is the payload's authors' check: see `Builder`. With the
    // files present, anyone's build checks them (in the authors' workspace
    // under `cargo build -p app` the payload crate is not primary either,
    // and cargo reuses that build when it is).
    let files_missing = docs.contents.is_none() || history.contents.is_none();
    let packaged = Path::new(&manifest_dir).join(PACKAGED_MANIFEST).is_file();
    let builder = if std::env::var_os(PRIMARY_VAR).is_some() && !packaged {
        Builder::Authors
    } else {
        Builder::Others
    };
    // A `.md` page a Docusaurus site compiles as MDX breaks that site's
    // build at its `<!--` markers: say so before writing one.
    if builder == Builder::Authors && payload.format == DocsFormat::Markdown {
        if let Some(config) = docusaurus_mdx_site(&docs.absolute, docs.contents.as_deref()) {
            let config = config.display();
            cx.error_spanned_by(
                docs_lit,
                format!(
                    "{} is a `.md` page of the Docusaurus site {config}, which compiles it as MDX \
                     (`markdown.format` is 'mdx' unless the config says otherwise), where the `<!-- -->` \
                     markers of a Markdown page break the site's build; add `docs_format = \"mdx\"` to \
                     #[telemetry(...)], or set `markdown: {{ format: 'detect' }}` in the config (or \
                     `format: md` in the page's front matter) to have the site read it as CommonMark",
                    docs.shown
                ),
            );
            return Some(output(tracked_env(files_missing, Bless::Off)));
        }
    }
    let renames: Vec<(String, String)> = payload
        .fields
        .iter()
        .filter_map(|f| Some((f.path.clone(), f.renamed_from.clone()?)))
        .collect();
    let bless = bless_mode();
    let verdict = evaluate(&GuardInput {
        payload: name,
        builder,
        sections_have_errors: payload.sections_have_errors,
        format: payload.format,
        version,
        shape,
        renames: &renames,
        bounds: payload.bounds,
        retention: payload.retention,
        schema_body: payload.schema_body,
        rows,
        docs_path: &docs.shown,
        history_path: &history.shown,
        schema_path: &schema.shown,
        docs: docs.contents.as_deref(),
        history: history.contents.as_deref(),
        schema: schema.contents.as_deref(),
        bless,
    });
    match verdict.skipped {
        Some(Skipped::SectionErrors) => return None,
        Some(Skipped::NotTheAuthors) => {
            return Some(GuardOutput {
                block: verdict.block,
                tracked: Vec::new(),
                tracked_env: tracked_env(true, Bless::Off),
            })
        }
        None => {}
    }
    for finding in &verdict.findings {
        match &finding.site {
            Site::Version => cx.error_spanned_by(version_lit, &finding.message),
            Site::Docs => cx.error_spanned_by(docs_lit, &finding.message),
            Site::Field(path) => {
                if let Some(field) = payload.fields.iter().find(|f| &f.path == path) {
                    cx.error_spanned_at(field.span, &finding.message);
                }
            }
        }
    }
    for (file, contents) in [
        (&docs, &verdict.write_docs),
        (&history, &verdict.write_history),
        (&schema, &verdict.write_schema),
    ] {
        if let Some(contents) = contents {
            if let Err(err) = write_atomically(&file.absolute, contents) {
                cx.error_spanned_by(
                    docs_lit,
                    format!("bless could not write {}: {err}", file.shown),
                );
            }
        }
    }
    Some(GuardOutput {
        block: verdict.block,
        tracked: [docs, history, schema]
            .into_iter()
            .map(|file| file.absolute)
            .filter(|path| path.is_file())
            .collect(),
        tracked_env: tracked_env(files_missing, bless),
    })
}

/// The variables a run of the guard depended on: `TELEMETRY_BLESS`
/// always; `CI` only under bless, where it refuses the writes;
/// `CARGO_PRIMARY_PACKAGE` only when a file is missing, where it decides
/// between "check nothing" and "report the missing file".
fn tracked_env(files_missing: bool, bless: Bless) -> Vec<&'static str> {
    let mut vars = vec![BLESS_VAR];
    if bless != Bless::Off {
        vars.push(CI_VAR);
    }
    if files_missing {
        vars.push(PRIMARY_VAR);
    }
    vars
}

/// A file the guard reads, with the path its messages show.
struct TrackedFile {
    absolute: PathBuf,
    shown: String,
    contents: Option<String>,
}

impl TrackedFile {
    fn read(cx: &Ctxt, docs_lit: &LitStr, manifest_dir: &Path, relative: PathBuf) -> TrackedFile {
        let absolute = manifest_dir.join(&relative);
        let shown = relative.display().to_string();
        let contents = match fs::read_to_string(&absolute) {
            Ok(text) => Some(text),
            Err(err) if err.kind() == io::ErrorKind::NotFound => None,
            Err(err) => {
                cx.error_spanned_by(docs_lit, format!("cannot read {shown}: {err}"));
                None
            }
        };
        TrackedFile {
            absolute,
            shown,
            contents,
        }
    }
}

const HISTORY_SUFFIX: &str = "schema-history";
const SCHEMA_SUFFIX: &str = "schema.json";

/// The history and JSON Schema sit next to the docs page, one per payload:
/// `docs/<Payload>.schema-history`, `docs/<Payload>.schema.json`.
fn sibling(docs: &Path, payload: &str, suffix: &str) -> PathBuf {
    docs.with_file_name(format!("{payload}.{suffix}"))
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
