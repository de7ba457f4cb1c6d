//! The schema history file: every released version's wire shape, oldest
//! first, in a line format that reads well in a code review diff:
//!
//! ```text
//! # Schema history of KubeAtlasReport. ...
//!
//! [1.0]
//! kubeatlas_version: string
//! tier: "memory" | "postgres"
//!
//! [2.0]
//! app_version: string
//! tier: "memory" | "postgres"
//! ~ kubeatlas_version -> app_version
//! ```
//!
//! A `~ old -> new` line records a `renamed_from` rename against the
//! version before. A `! raw_retention_days = 30` line (or `= none`) records
//! that the payload's `raw_retention_days` changed during the life of the
//! version whose section holds it: retention is not part of the wire
//! shape, so it changes without a version bump, but the changelog shows
//! it. The file is append-only: bless adds a section or a retention line at
//! its end and never rewrites what is there.

use std::collections::BTreeSet;

use crate::shape::{Shape, ShapeField, WireType};
use crate::version::Version;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct History {
    /// Recorded versions, strictly increasing.
    pub versions: Vec<(Version, Shape)>,
    /// Every retention line, in file order.
    pub retention_changes: Vec<RetentionChange>,
}

/// A `! raw_retention_days = ..` line of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionChange {
    /// The index in [`History::versions`] of the version it belongs to.
    pub version: usize,
    /// The days stated from then on; `None` when the payload stopped
    /// stating a retention.
    pub days: Option<u64>,
}

const RETENTION_LINE: &str = "! raw_retention_days =";

impl History {
    pub fn get(&self, version: &Version) -> Option<&Shape> {
        self.versions
            .iter()
            .find(|(recorded, _)| recorded.as_str() == version.as_str())
            .map(|(_, shape)| shape)
    }

    pub fn latest(&self) -> Option<&(Version, Shape)> {
        self.versions.last()
    }

    /// The retention the history last recorded (`None` if never).
    pub fn retention(&self) -> Option<u64> {
        self.retention_changes.last().and_then(|change| change.days)
    }
}

pub fn parse_history(text: &str) -> Result<History, String> {
    let mut history = History::default();
    let mut names = BTreeSet::new();
    for (number, raw) in text.lines().enumerate() {
        let number = number + 1;
        let line = raw.trim();
        let fail = |why: String| format!("line {number}: {why}");
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(inner) = line.strip_prefix('[') {
            let text = inner
                .strip_suffix(']')
                .ok_or_else(|| fail(format!("`{line}` should be `[version]`")))?;
            let version = Version::parse(text).map_err(fail)?;
            if let Some((last, _)) = history.latest() {
                if version <= *last {
                    return Err(fail(format!(
                        "version {version} must be greater than {last} above it: the history is append-only"
                    )));
                }
            }
            history.versions.push((version, Shape::default()));
            names.clear();
            continue;
        }
        if let Some(days) = line.strip_prefix('!') {
            let days = days
                .trim()
                .strip_prefix("raw_retention_days")
                .and_then(|rest| rest.trim().strip_prefix('='))
                .map(str::trim)
                .and_then(|days| match days {
                    "none" => Some(None),
                    days => days.parse().ok().map(Some),
                })
                .ok_or_else(|| {
                    fail(format!(
                        "`{line}` should be `{RETENTION_LINE} <days>` or `{RETENTION_LINE} none`"
                    ))
                })?;
            let version =
                history.versions.len().checked_sub(1).ok_or_else(|| {
                    fail("a retention line comes before any `[version]`".to_owned())
                })?;
            history
                .retention_changes
                .push(RetentionChange { version, days });
            continue;
        }
        if let Some(rename) = line.strip_prefix('~') {
            let (from, to) = rename
                .split_once("->")
                .map(|(from, to)| (from.trim(), to.trim()))
                .filter(|(from, to)| !from.is_empty() && !to.is_empty())
                .ok_or_else(|| fail(format!("`{line}` should be `~ old_name -> new_name`")))?;
            let (_, shape) = history
                .versions
                .last_mut()
                .ok_or_else(|| fail("a rename line comes before any `[version]`".to_owned()))?;
            shape.renames.push((to.to_owned(), from.to_owned()));
            continue;
        }
        let (name, wire) = line
            .split_once(':')
            .ok_or_else(|| fail(format!("`{line}` should be `field: wire type`")))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(fail("a field line needs a name before `:`".to_owned()));
        }
        let wire = WireType::parse_canonical(wire).map_err(fail)?;
        let (_, shape) = history
            .versions
            .last_mut()
            .ok_or_else(|| fail("a field line comes before any `[version]`".to_owned()))?;
        if !names.insert(name) {
            return Err(fail(format!("field `{name}` is listed twice")));
        }
        shape.fields.push(ShapeField {
            name: name.to_owned(),
            wire,
        });
    }
    Ok(history)
}

pub fn header(payload: &str) -> String {
    format!(
        "# Schema history of {payload}: the wire shape of every released schema_version.\n\
         # Append-only. Written by `TELEMETRY_BLESS=1 cargo build`; review it with the docs page.\n"
    )
}

pub fn render_version(version: &Version, shape: &Shape) -> String {
    let mut out = format!("\n[{version}]\n");
    for field in &shape.fields {
        out.push_str(&format!("{}: {}\n", field.name, field.wire.canonical()));
    }
    for (to, from) in &shape.renames {
        out.push_str(&format!("~ {from} -> {to}\n"));
    }
    out
}

/// `text` with a line break at its end, where it has text, for a line
/// to follow.
fn ending_its_line(mut text: String) -> String {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The history with a retention line at its end: the change belongs to
/// the version recorded last.
pub fn append_retention(existing: &str, days: Option<u64>) -> String {
    let mut out = ending_its_line(existing.to_owned());
    match days {
        Some(days) => out.push_str(&format!("{RETENTION_LINE} {days}\n")),
        None => out.push_str(&format!("{RETENTION_LINE} none\n")),
    }
    out
}

/// The history with one more version at its end; a missing file starts
/// with the header.
pub fn append_version(
    existing: Option<&str>,
    payload: &str,
    version: &Version,
    shape: &Shape,
) -> String {
    let mut out = ending_its_line(match existing {
        Some(text) => text.to_owned(),
        None => header(payload),
    });
    out.push_str(&render_version(version, shape));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn assert_parse_error(text: &str, expected: &str) {
        let err = parse_history(text).unwrap_err();
        assert!(err.contains(expected), "error {err:?} lacks {expected:?}");
    }

    #[test]
    fn append_then_parse_is_identity() {
        let v1 = Version::parse("1.0").unwrap();
        let v2 = Version::parse("1.1").unwrap();
        let s1 = Shape::of(&[
            ("version", WireType::String),
            (
                "tier",
                WireType::Enum(vec!["memory".into(), "postgres".into()]),
            ),
        ]);
        let s2 = Shape::of(&[("count", WireType::Map(Box::new(WireType::Integer)))]);
        let text = append_version(None, "Report", &v1, &s1);
        let text = append_version(Some(&text), "Report", &v2, &s2);
        assert_eq!(
            text,
            format!(
                "{}\n[1.0]\nversion: string\ntier: \"memory\" | \"postgres\"\n\n[1.1]\ncount: map<string, integer>\n",
                header("Report")
            )
        );
        let history = parse_history(&text).unwrap();
        assert_eq!(history.versions, vec![(v1.clone(), s1.clone()), (v2, s2)]);
        assert_eq!(history.get(&v1), Some(&s1));
    }

    #[test]
    fn errors_carry_line_numbers() {
        assert_parse_error("[1.0]\nname string\n", "line 2: `name string` should be");
        assert_parse_error("name: string\n", "line 1: a field line comes before");
        assert_parse_error("[1.0\n", "line 1: `[1.0` should be `[version]`");
        assert_parse_error("[one]\n", "line 1: `one` is not a schema version");
        assert_parse_error(
            "[1.1]\n[1.0]\n",
            "line 2: version 1.0 must be greater than 1.1",
        );
        assert_parse_error(
            "[1.0]\na: string\na: integer\n",
            "line 3: field `a` is listed twice",
        );
        assert_parse_error("[1.0]\na: strung\n", "line 2: expected a wire type");
        assert_parse_error("[1.0]\n: string\n", "line 2: a field line needs a name");
    }

    #[test]
    fn renames_are_recorded_with_their_version() {
        let v2 = Version::parse("2.0").unwrap();
        let mut shape = Shape::of(&[("app_version", WireType::String)]);
        shape.renames = vec![("app_version".to_owned(), "version".to_owned())];
        let text = append_version(None, "Report", &v2, &shape);
        assert!(text.ends_with("[2.0]\napp_version: string\n~ version -> app_version\n"));
        assert_eq!(parse_history(&text).unwrap().versions, vec![(v2, shape)]);
        assert_parse_error("[1.0]\n~ version\n", "line 2: `~ version` should be");
        assert_parse_error("~ a -> b\n", "line 1: a rename line comes before");
    }

    #[test]
    fn retention_lines_belong_to_the_version_above_them() {
        let v1 = Version::parse("1.0").unwrap();
        let shape = Shape::of(&[("a", WireType::Integer)]);
        let text = append_version(None, "Report", &v1, &shape);
        let text = append_retention(&text, Some(90));
        let text = append_version(
            Some(&text),
            "Report",
            &Version::parse("1.1").unwrap(),
            &shape,
        );
        let text = append_retention(&text, Some(30));
        let text = append_retention(&text, None);
        assert!(text.contains("[1.0]\na: integer\n! raw_retention_days = 90\n\n[1.1]\n"));
        let history = parse_history(&text).unwrap();
        assert_eq!(
            history.retention_changes,
            [
                RetentionChange {
                    version: 0,
                    days: Some(90)
                },
                RetentionChange {
                    version: 1,
                    days: Some(30)
                },
                RetentionChange {
                    version: 1,
                    days: None
                },
            ]
        );
        assert_eq!(history.retention(), None);
        assert_parse_error(
            "[1.0]\n! raw_retention_days = soon\n",
            "line 2: `! raw_retention_days = soon` should be",
        );
        assert_parse_error(
            "! raw_retention_days = 9\n",
            "line 1: a retention line comes before",
        );
    }

    #[test]
    fn comments_and_blank_lines_are_ignored() {
        let history = parse_history("# c\n\n  [2.0]  \n # x\n a : integer \n").unwrap();
        assert_eq!(
            history.versions[0].1,
            Shape::of(&[("a", WireType::Integer)])
        );
    }
}
