//! The guard's rules as a pure function of the payload and the files'
//! contents: whether to check at all, what is wrong, and what bless would
//! write. No I/O here, so the whole lifecycle is unit-testable; `guard.rs`
//! does the reading and writing.

use crate::diff::{changelog, compare, describe, Change};
use crate::docs::{
    first_difference, locate_block, parse_block, render_block, replace_block, wrap_block, DocsRow,
};
use crate::docs_format::DocsFormat;
use crate::history::{append_retention, append_version, parse_history, History, RetentionChange};
use crate::json_schema;
use crate::shape::Shape;
use crate::version::Version;

pub const BLESS_COMMAND: &str = "TELEMETRY_BLESS=1 cargo build";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bless {
    /// Check only.
    Off,
    /// Check, and write the docs block, history and JSON Schema when
    /// everything else holds.
    On,
    /// Asked for, but `CI` is set: check only, and say so.
    RefusedOnCi,
}

/// Who builds the payload's crate: it decides what missing files mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    /// The payload's authors: the crate is cargo's primary package, built
    /// from its own source tree. A missing file is an error (bless makes it).
    Authors,
    /// Anyone else: a dependency build, or a build of the crate's package
    /// (the verify step of `cargo publish`, a registry or vendored copy),
    /// which may not ship the docs files and whose builders cannot bless.
    Others,
}

/// Why the guard checked nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// A section of the payload had errors of its own, already reported:
    /// checking the page against a partial tree would only add follow-ups.
    SectionErrors,
    /// The docs page or history is absent and [`Builder::Others`] builds.
    NotTheAuthors,
}

pub struct GuardInput<'a> {
    pub payload: &'a str,
    pub builder: Builder,
    /// Whether any section of the payload reported errors of its own.
    pub sections_have_errors: bool,
    pub format: DocsFormat,
    pub version: &'a Version,
    pub shape: &'a Shape,
    /// (current wire name, recorded name) pairs from `renamed_from`.
    pub renames: &'a [(String, String)],
    /// Bounds by path (integer ranges, set and array lengths, string lengths), for the JSON Schema.
    pub bounds: crate::json_schema::NotesByPath<'a>,
    /// `raw_retention_days`: stated in the block and the schema file.
    pub retention: Option<u64>,
    /// This version's JSON Schema entries (`json_schema::version_body`).
    pub schema_body: &'a str,
    /// The rows of the docs table, `schema_version` first.
    pub rows: &'a [DocsRow<'a>],
    /// Paths as shown in messages.
    pub docs_path: &'a str,
    pub history_path: &'a str,
    pub schema_path: &'a str,
    /// File contents; `None` when the file does not exist.
    pub docs: Option<&'a str>,
    pub history: Option<&'a str>,
    pub schema: Option<&'a str>,
    pub bless: Bless,
}

/// Where a finding points in the user's code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Site {
    /// The `schema_version = "..."` literal.
    Version,
    /// The `docs = "..."` literal.
    Docs,
    /// The field at this path, wherever it is declared (a section's field
    /// may be in another file).
    Field(String),
}

#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    pub site: Site,
    pub message: String,
}

/// The outcome: the docs block the payload generates, findings, and (under
/// bless, with no findings) the files' new contents.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Set when nothing was checked; the block is then the table alone.
    pub skipped: Option<Skipped>,
    pub block: String,
    pub findings: Vec<Finding>,
    pub write_docs: Option<String>,
    pub write_history: Option<String>,
    pub write_schema: Option<String>,
}

pub fn evaluate(input: &GuardInput) -> Verdict {
    let skip = |why| Verdict {
        skipped: Some(why),
        block: render_block(input.version.as_str(), input.retention, input.rows, &[]),
        ..Verdict::default()
    };
    if input.sections_have_errors {
        return skip(Skipped::SectionErrors);
    }
    if (input.docs.is_none() || input.history.is_none()) && input.builder == Builder::Others {
        return skip(Skipped::NotTheAuthors);
    }
    let mut verdict = Verdict::default();
    let blessing = input.bless == Bless::On;
    if input.bless == Bless::RefusedOnCi {
        verdict.findings.push(Finding {
            site: Site::Version,
            message: format!(
                "TELEMETRY_BLESS is ignored because CI is set: CI only checks. Run `{BLESS_COMMAND}` locally \
                 and commit {}, {} and {} with the change",
                input.docs_path, input.history_path, input.schema_path
            ),
        });
    }
    let history = match input.history.map(parse_history) {
        None => Some(History::default()),
        Some(Ok(history)) => Some(history),
        Some(Err(why)) => {
            verdict.findings.push(Finding {
                site: Site::Version,
                message: format!(
                    "{} cannot be read: {why}. It is append-only and written by `{BLESS_COMMAND}`; \
                     restore it from version control",
                    input.history_path
                ),
            });
            None
        }
    };
    let releases = history
        .as_ref()
        .map(|history| releases_after(history, input.version, &shape_to_record(input, history)))
        .unwrap_or_default();
    let retention_changes = history
        .as_ref()
        .map(|history| retention_changes_after(history, input.retention, releases.len()))
        .unwrap_or_default();
    let block = render_block(
        input.version.as_str(),
        input.retention,
        input.rows,
        &changelog(&releases, &retention_changes),
    );
    if let Some(history) = &history {
        let before = verdict.findings.len();
        check_history(input, history, blessing, &mut verdict);
        check_retention(input, history, blessing, &mut verdict);
        if verdict.findings.len() == before {
            check_schema_file(input, &releases, blessing, &mut verdict);
        }
    }
    check_docs(input, &block, blessing, &mut verdict);
    verdict.block = block;
    if !verdict.findings.is_empty() {
        verdict.write_docs = None;
        verdict.write_history = None;
        verdict.write_schema = None;
    }
    verdict
}

/// The recorded versions, plus the current one if bless would record it.
fn releases_after(history: &History, version: &Version, shape: &Shape) -> Vec<(Version, Shape)> {
    let mut releases = history.versions.clone();
    let above_all = history.latest().is_none_or(|(latest, _)| version > latest);
    if history.get(version).is_none() && above_all {
        releases.push((version.clone(), shape.clone()));
    }
    releases
}

/// The recorded retention changes, plus the current retention if bless
/// would record it (it belongs to the last of `releases`).
fn retention_changes_after(
    history: &History,
    retention: Option<u64>,
    releases: usize,
) -> Vec<RetentionChange> {
    let mut changes = history.retention_changes.clone();
    if history.retention() != retention {
        changes.push(RetentionChange {
            version: releases.saturating_sub(1),
            days: retention,
        });
    }
    changes
}

/// `raw_retention_days` changes the page but not the wire shape: no bump,
/// but the history records it so that the changelog shows it.
fn check_retention(input: &GuardInput, history: &History, blessing: bool, verdict: &mut Verdict) {
    let recorded = history.retention();
    if recorded == input.retention {
        return;
    }
    if blessing {
        let text = verdict
            .write_history
            .take()
            .or_else(|| input.history.map(str::to_owned))
            .unwrap_or_default();
        verdict.write_history = Some(append_retention(&text, input.retention));
        return;
    }
    let days = |days: Option<u64>| match days {
        Some(days) => format!("{days}"),
        None => "unstated".to_owned(),
    };
    verdict.fail_at_version(format!(
        "raw_retention_days of {} is {} but {} records {}: run `{BLESS_COMMAND}` to record the change \
         (no version bump: the reports do not change) and update {}, then commit both",
        input.payload,
        days(input.retention),
        input.history_path,
        days(recorded),
        input.docs_path
    ));
}

/// The current shape as bless records it: with the renames that apply
/// against the latest recorded version.
fn shape_to_record(input: &GuardInput, history: &History) -> Shape {
    let mut shape = input.shape.clone();
    if let Some((_, latest)) = history.latest() {
        shape.renames = compare(latest, input.shape, input.renames)
            .into_iter()
            .filter_map(|change| match change {
                Change::Renamed { from, to, .. } => Some((to, from)),
                _ => None,
            })
            .collect();
    }
    shape
}

fn check_history(input: &GuardInput, history: &History, blessing: bool, verdict: &mut Verdict) {
    let GuardInput {
        payload,
        version,
        history_path,
        ..
    } = *input;
    let append = || {
        append_version(
            input.history,
            payload,
            version,
            &shape_to_record(input, history),
        )
    };
    let Some((latest_version, latest_shape)) = history.latest() else {
        if blessing {
            verdict.write_history = Some(append());
        } else {
            verdict.fail_at_version(format!(
                "{payload} has no schema history yet ({history_path}): run `{BLESS_COMMAND}` to record \
                 version {version} and write the docs page, then review and commit both"
            ));
        }
        return;
    };
    if let Some(recorded) = history.get(version) {
        let changes = compare(recorded, input.shape, input.renames);
        if !changes.is_empty() {
            let bump = suggested_bump(latest_version, &changes);
            verdict.fail_at_version(format!(
                "fields of {payload} changed but schema_version is still \"{version}\", whose shape is recorded in {history_path}:\n{}\n\
                 bump schema_version to \"{bump}\" and run `{BLESS_COMMAND}`; a recorded version never changes",
                describe(&changes)
            ));
            verdict.fail_at_fields(&changes, |line| {
                format!(
                    "`{line}`: this field differs from its recorded shape in schema_version \"{version}\"; \
                     bump schema_version to \"{bump}\" and run `{BLESS_COMMAND}`"
                )
            });
        }
        return;
    }
    if version <= latest_version {
        return verdict.fail_at_version(format!(
            "schema_version \"{version}\" is not recorded, and versions only go up: {history_path} already records \
             \"{latest_version}\"; use a version greater than \"{latest_version}\""
        ));
    }
    let changes = compare(latest_shape, input.shape, input.renames);
    let breaking: Vec<Change> = changes
        .iter()
        .filter(|c| c.is_breaking())
        .cloned()
        .collect();
    if !breaking.is_empty() && version.major() <= latest_version.major() {
        let major = latest_version.next_major();
        verdict.fail_at_version(format!(
            "schema_version \"{version}\" is a minor bump over \"{latest_version}\", but these changes break receivers:\n{}\n\
             a removed field, a changed type or a changed value list needs a major bump: use \"{major}\"",
            describe(&breaking),
        ));
        verdict.fail_at_fields(&breaking, |line| {
            format!(
                "`{line}` breaks receivers of \"{latest_version}\", so schema_version \"{version}\" needs a major bump: \
                 use \"{major}\""
            )
        });
        return;
    }
    if blessing {
        verdict.write_history = Some(append());
    } else {
        let since = if changes.is_empty() {
            " (no field changes)".to_owned()
        } else {
            format!(
                ", changes since \"{latest_version}\":\n{}\n",
                describe(&changes)
            )
        };
        verdict.fail_at_version(format!(
            "schema_version \"{version}\" of {payload} is not recorded in {history_path}{since}\
             run `{BLESS_COMMAND}` to record it and update {}, then commit both",
            input.docs_path
        ));
    }
}

impl Verdict {
    fn fail_at_version(&mut self, message: String) {
        self.findings.push(Finding {
            site: Site::Version,
            message,
        });
    }

    /// One finding at each changed field that is still declared, so the
    /// error also shows where the change is (a nested field's own file).
    fn fail_at_fields(&mut self, changes: &[Change], message: impl Fn(&str) -> String) {
        for change in changes {
            if let Some(path) = change.current_name() {
                self.findings.push(Finding {
                    site: Site::Field(path.to_owned()),
                    message: message(&change.line()),
                });
            }
        }
    }
}

fn suggested_bump(latest: &Version, changes: &[Change]) -> String {
    if changes.iter().any(Change::is_breaking) {
        latest.next_major()
    } else {
        latest.next_minor()
    }
}

fn check_schema_file(
    input: &GuardInput,
    releases: &[(Version, Shape)],
    blessing: bool,
    verdict: &mut Verdict,
) {
    let current = json_schema::Current {
        version: input.version,
        shape: input.shape,
        body: input.schema_body,
    };
    let expected = json_schema::render_file(
        input.payload,
        releases,
        input.bounds,
        input.retention,
        Some(&current),
    );
    if input.schema == Some(expected.as_str()) {
        return;
    }
    if blessing {
        verdict.write_schema = Some(expected);
        return;
    }
    let state = if input.schema.is_some() {
        "is out of date"
    } else {
        "does not exist"
    };
    verdict.findings.push(Finding {
        site: Site::Docs,
        message: format!(
            "the JSON Schema {} {state}: it is generated from {}; run `{BLESS_COMMAND}` and commit it",
            input.schema_path, input.history_path
        ),
    });
}

fn check_docs(input: &GuardInput, block: &str, blessing: bool, verdict: &mut Verdict) {
    let GuardInput {
        payload, docs_path, ..
    } = *input;
    let mut fail = |message: String| {
        verdict.findings.push(Finding {
            site: Site::Docs,
            message,
        })
    };
    let Some(page) = input.docs else {
        if blessing {
            verdict.write_docs = Some(wrap_block(input.format, payload, block));
        } else {
            fail(format!(
                "docs page {docs_path} does not exist: run `{BLESS_COMMAND}` to create it with the generated \
                 table of {payload}, then write the page's prose around the markers"
            ));
        }
        return;
    };
    let found = match locate_block(input.format, page, payload) {
        Ok(found) => found,
        Err(why) => return fail(format!("{docs_path}: {why}")),
    };
    let stale = match &found {
        None => Some(format!(
            "{docs_path} has no generated block for {payload}: run `{BLESS_COMMAND}` to append it \
             (then move it where it belongs; prose outside the markers is never touched)"
        )),
        // The page as bless wrote it: no markdown to parse (the common case,
        // and the costly part of an unoptimized proc macro).
        Some(range) if &page[range.clone()] == block => None,
        Some(range) => first_difference(&parse_block(block), &parse_block(&page[range.clone()])).map(|diff| {
            format!(
                "{docs_path} does not match {payload}: {diff}\n\
                 run `{BLESS_COMMAND}` to regenerate the block between its markers, review the diff, and commit it"
            )
        }),
    };
    match stale {
        None => {}
        Some(_) if blessing => match replace_block(input.format, page, payload, block) {
            Ok(updated) => verdict.write_docs = Some(updated),
            Err(why) => fail(format!("{docs_path}: {why}")),
        },
        Some(message) => fail(message),
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
