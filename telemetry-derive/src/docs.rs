//! The generated block of a docs page: rendering it, finding it between its
//! marker comments, replacing it, and comparing it as parsed markdown.
//!
//! Comparison parses both sides with pulldown-cmark and compares cell text,
//! so re-aligning columns or escaping by hand never fails a build; only a
//! difference a reader would see does.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::cell::{cell, escape_cell};
use crate::docs_format::DocsFormat;

/// One row of the docs table, already in display form.
pub struct DocsRow<'a> {
    pub name: &'a str,
    pub wire: String,
    pub why: std::borrow::Cow<'a, str>,
}

pub const TABLE_HEADER: [&str; 3] = ["Field", "Type", "Why it's collected"];

/// The markdown between the markers: a version line, the field table, and
/// the changelog (list items, newest first). The same for either format:
/// its cells read alike on every site (`cell.rs`), only the markers differ.
pub fn render_block(
    version: &str,
    retention: Option<u64>,
    rows: &[DocsRow<'_>],
    changelog: &[String],
) -> String {
    let mut out = format!("Schema version: **{version}**\n\n");
    if let Some(days) = retention {
        out.push_str(&retention_sentence(days));
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "| {} | {} | {} |\n| --- | --- | --- |\n",
        TABLE_HEADER[0], TABLE_HEADER[1], TABLE_HEADER[2]
    ));
    for row in rows {
        out.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            row.name,
            escape_cell(&row.wire),
            cell(&row.why)
        ));
    }
    if !changelog.is_empty() {
        out.push_str("\nChanges by version:\n\n");
        for entry in changelog {
            out.push_str(&format!("- {entry}\n"));
        }
    }
    out
}

/// The page's promise of `raw_retention_days`, in the generated block so
/// that it is written once, on the payload.
pub fn retention_sentence(days: u64) -> String {
    format!(
        "The receiver keeps each raw report for **{}**, then deletes it; only daily aggregates are kept longer.",
        day_count(days)
    )
}

/// `1 day`, `90 days`.
pub fn day_count(days: u64) -> String {
    let unit = if days == 1 { "day" } else { "days" };
    format!("{days} {unit}")
}

fn begin_marker(format: DocsFormat, payload: &str) -> String {
    format!("{} telemetry:begin {payload}", format.comment().0)
}

fn end_marker(format: DocsFormat, payload: &str) -> String {
    format!("{} telemetry:end {payload}", format.comment().0)
}

fn is_marker_line(format: DocsFormat, line: &str, marker: &str) -> bool {
    // Editors on Windows may start a page with a UTF-8 byte-order mark.
    let line = line.trim().trim_start_matches('\u{feff}');
    line.ends_with(format.comment().1)
        && line
            .strip_prefix(marker)
            .is_some_and(|rest| rest.starts_with([' ', ':', '-', '*']))
}

/// The marker lines bless writes around a payload's block.
pub fn wrap_block(format: DocsFormat, payload: &str, block: &str) -> String {
    let close = format.comment().1;
    format!(
        "{}: generated from the struct; edit the struct, then run TELEMETRY_BLESS=1 cargo build {close}\n{block}{} {close}\n",
        begin_marker(format, payload),
        end_marker(format, payload)
    )
}

/// The byte range of the block's content (between the marker lines), or
/// `None` when the page has no block for this payload.
pub fn locate_block(
    format: DocsFormat,
    page: &str,
    payload: &str,
) -> Result<Option<Range<usize>>, String> {
    let begin = begin_marker(format, payload);
    let end = end_marker(format, payload);
    let close = format.comment().1;
    let mut start = None;
    let mut found = None;
    let mut offset = 0;
    for (number, line) in page.split_inclusive('\n').enumerate() {
        let number = number + 1;
        if is_marker_line(format, line, &begin) {
            if start.is_some() || found.is_some() {
                return Err(format!(
                    "line {number} opens a second `{begin} {close}` block; keep one block per payload"
                ));
            }
            start = Some(offset + line.len());
        } else if is_marker_line(format, line, &end) {
            match start.take() {
                Some(content_start) => found = Some(content_start..offset),
                None => {
                    return Err(format!(
                    "line {number} closes `{end} {close}` without an opening `{begin} {close}` before it"
                ))
                }
            }
        }
        offset += line.len();
    }
    if start.is_some() {
        return Err(format!(
            "`{begin} {close}` is never closed by `{end} {close}`"
        ));
    }
    Ok(found)
}

/// The page with this payload's block set to `block`; prose outside the
/// markers is kept byte for byte. A page without the block gets it appended.
pub fn replace_block(
    format: DocsFormat,
    page: &str,
    payload: &str,
    block: &str,
) -> Result<String, String> {
    match locate_block(format, page, payload)? {
        Some(range) => Ok(format!(
            "{}{block}{}",
            &page[..range.start],
            &page[range.end..]
        )),
        None => {
            let mut out = page.to_owned();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(&wrap_block(format, payload, block));
            Ok(out)
        }
    }
}

/// What a reader sees of a block: its text (paragraphs and list items) and
/// its table's rows (header first), as plain text with markup and escapes
/// removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ParsedBlock {
    pub text: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn parse_block(markdown: &str) -> ParsedBlock {
    let mut parsed = ParsedBlock::default();
    let mut text = String::new();
    let mut row: Vec<String> = Vec::new();
    // Inside a list item, paragraphs (of a loose list) belong to the item.
    let mut item_depth = 0usize;
    // Strikethrough as GitHub, Docusaurus and mdBook read it, so `~~x~~`
    // compares as the `x` readers see.
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::Item) => {
                item_depth += 1;
                text.clear();
            }
            Event::End(TagEnd::Item) => {
                item_depth = item_depth.saturating_sub(1);
                parsed.text.push(normalize(&text));
                text.clear();
            }
            Event::Start(Tag::Paragraph) if item_depth == 0 => text.clear(),
            Event::End(TagEnd::Paragraph) if item_depth == 0 => parsed.text.push(normalize(&text)),
            Event::End(TagEnd::Paragraph) => text.push(' '),
            Event::Start(Tag::TableCell) => text.clear(),
            Event::Start(Tag::TableHead | Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableCell) => row.push(normalize(&text)),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                parsed.rows.push(std::mem::take(&mut row))
            }
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    parsed
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first difference a reader would see between the expected block and
/// the one on the page, described for an error message.
pub fn first_difference(expected: &ParsedBlock, found: &ParsedBlock) -> Option<String> {
    if expected.text != found.text {
        let index = expected
            .text
            .iter()
            .zip(&found.text)
            .take_while(|(want, have)| want == have)
            .count();
        let line = |lines: &[String]| {
            lines
                .get(index)
                .map_or_else(|| "nothing".to_owned(), |line| format!("{line:?}"))
        };
        return Some(format!(
            "the text reads {}, expected {}",
            line(&found.text),
            line(&expected.text)
        ));
    }
    if found.rows.is_empty() {
        return Some("the block has no field table".to_owned());
    }
    // Pipes inside a cell shown escaped, as the page has them: otherwise
    // `string | null` would read as two cells.
    let show = |row: &[String]| {
        let cells: Vec<String> = row.iter().map(|cell| cell.replace('|', r"\|")).collect();
        format!("| {} |", cells.join(" | "))
    };
    let has_row = |rows: &[Vec<String>], name: Option<&String>| {
        rows.iter().skip(1).any(|row| row.first() == name)
    };
    for (index, (want, have)) in expected.rows.iter().zip(&found.rows).enumerate() {
        if want != have {
            // A row added or removed in the middle shifts the rest: name
            // it, not the row that moved into its place.
            if index > 0 && !has_row(&found.rows, want.first()) {
                return Some(format!("the row {} is missing", show(want)));
            }
            if index > 0 && !has_row(&expected.rows, have.first()) {
                return Some(format!(
                    "the row {} is not a field of the payload",
                    show(have)
                ));
            }
            let what = if index == 0 {
                "the table header".to_owned()
            } else {
                format!("row {index} (`{}`)", want[0])
            };
            return Some(format!(
                "{what} differs:\n    expected: {}\n       found: {}",
                show(want),
                show(have)
            ));
        }
    }
    if let Some(missing) = expected.rows.get(found.rows.len()) {
        return Some(format!("the row {} is missing", show(missing)));
    }
    found
        .rows
        .get(expected.rows.len())
        .map(|extra| format!("the row {} is not a field of the payload", show(extra)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: DocsFormat = DocsFormat::Markdown;

    fn sample() -> String {
        render_block(
            "1.0",
            None,
            &[
                DocsRow {
                    name: "schema_version",
                    wire: "string".into(),
                    why: "Lets the receiver parse the right shape.".into(),
                },
                DocsRow {
                    name: "tier",
                    wire: "memory | postgres".into(),
                    why: r"Tier 2 \| persistence.".into(),
                },
            ],
            &[
                "**1.1**: `+ tier: memory | postgres`".to_owned(),
                "**1.0**: first version".to_owned(),
            ],
        )
    }

    #[test]
    fn rendered_block_parses_to_its_cells() {
        let parsed = parse_block(&sample());
        assert_eq!(
            parsed.text,
            [
                "Schema version: 1.0",
                "Changes by version:",
                "1.1: + tier: memory | postgres",
                "1.0: first version"
            ]
        );
        assert_eq!(
            parsed.rows,
            [
                vec!["Field", "Type", "Why it's collected"],
                vec![
                    "schema_version",
                    "string",
                    "Lets the receiver parse the right shape."
                ],
                vec!["tier", "memory | postgres", "Tier 2 | persistence."],
            ]
        );
    }

    #[test]
    fn realigned_columns_are_the_same_block() {
        let realigned = "Schema version:   **1.0**\n\n\
            | Field            | Type                  | Why it's collected |\n\
            |:-----------------|-----------------------|----|\n\
            | `schema_version` | `string`              | Lets the receiver parse the right shape. |\n\
            | `tier`           | `memory \\| postgres`  | Tier 2 \\| persistence.|\n\n\
            Changes by version:\n\n\
            * **1.1**: `+ tier: memory | postgres`\n\n\
            * **1.0**:   first version\n";
        assert_eq!(
            first_difference(&parse_block(&sample()), &parse_block(realigned)),
            None
        );
    }

    #[test]
    fn first_difference_names_the_row() {
        let edited = sample().replace("Tier 2", "Tier 3");
        let diff = first_difference(&parse_block(&sample()), &parse_block(&edited)).unwrap();
        assert!(diff.starts_with("row 2 (`tier`) differs"), "{diff}");
        assert!(diff.contains(r"expected: | tier | memory \| postgres | Tier 2 \| persistence. |"));
        assert!(diff.contains(r"found: | tier | memory \| postgres | Tier 3 \| persistence. |"));
        // A row added in the middle is named, not the one that moved down.
        let mut shifted = parse_block(&sample());
        let added = vec!["gpus".to_owned(), "integer".to_owned(), "GPUs.".to_owned()];
        shifted.rows.insert(2, added);
        let diff = first_difference(&parse_block(&sample()), &shifted).unwrap();
        assert_eq!(
            diff,
            "the row | gpus | integer | GPUs. | is not a field of the payload"
        );
        let diff = first_difference(&shifted, &parse_block(&sample())).unwrap();
        assert_eq!(diff, "the row | gpus | integer | GPUs. | is missing");

        let fewer = sample().replace(
            "| `tier` | `memory \\| postgres` | Tier 2 &#124; persistence. |\n",
            "",
        );
        let diff = first_difference(&parse_block(&sample()), &parse_block(&fewer)).unwrap();
        assert!(diff.contains("is missing"), "{diff}");

        let version = sample().replace("version: **1.0**", "version: **1.1**");
        let diff = first_difference(&parse_block(&sample()), &parse_block(&version)).unwrap();
        assert!(
            diff.contains("reads \"Schema version: 1.1\", expected \"Schema version: 1.0\""),
            "{diff}"
        );
        let short = sample().replace("- **1.0**: first version\n", "");
        let diff = first_difference(&parse_block(&sample()), &parse_block(&short)).unwrap();
        assert!(
            diff.contains("reads nothing, expected \"1.0: first version\""),
            "{diff}"
        );
    }

    #[test]
    fn replace_keeps_prose_byte_for_byte() {
        let page = format!(
            "# Title\r\n\nBefore.  \n\n{}\nAfter *prose*.\n",
            wrap_block(MD, "Report", "old\n")
        );
        let replaced = replace_block(MD, &page, "Report", "new\n").unwrap();
        assert_eq!(replaced, page.replace("old\n", "new\n"));
        assert_eq!(
            replace_block(MD, &replaced, "Report", "new\n").unwrap(),
            replaced
        );
    }

    #[test]
    fn missing_block_is_appended_and_others_untouched() {
        let page = wrap_block(MD, "Other", "other\n");
        let with_two = replace_block(MD, &page, "Report", "mine\n").unwrap();
        assert!(with_two.starts_with(&page));
        let range = locate_block(MD, &with_two, "Report").unwrap().unwrap();
        assert_eq!(&with_two[range], "mine\n");
        let range = locate_block(MD, &with_two, "Other").unwrap().unwrap();
        assert_eq!(&with_two[range], "other\n");
        // A payload whose name extends another's is a different block.
        assert_eq!(locate_block(MD, &with_two, "Oth").unwrap(), None);
    }

    #[test]
    fn a_byte_order_mark_before_the_first_marker_is_accepted() {
        let page = format!("\u{feff}{}", wrap_block(MD, "Report", "block\n"));
        let range = locate_block(MD, &page, "Report").unwrap().unwrap();
        assert_eq!(&page[range], "block\n");
        let replaced = replace_block(MD, &page, "Report", "new\n").unwrap();
        assert!(replaced.starts_with('\u{feff}'), "the mark is the author's");
    }

    #[test]
    fn mdx_pages_have_mdx_markers_and_the_same_cells() {
        let mdx = DocsFormat::Mdx;
        let rows = [DocsRow {
            name: "latency",
            wire: "integer".into(),
            why: "p99 <5 ms, `{as code}` and {braces}".into(),
        }];
        let block = render_block("1.0", None, &rows, &[]);
        assert!(
            block.contains(r"| p99 &lt;5 ms, `{as code}` and \{braces\} |"),
            "{block}"
        );
        let page = format!("# Telemetry\n\n{}", wrap_block(mdx, "Report", &block));
        assert!(
            page.contains("{/* telemetry:begin Report: generated"),
            "{page}"
        );
        assert!(page.ends_with("{/* telemetry:end Report */}\n"), "{page}");
        let range = locate_block(mdx, &page, "Report").unwrap().unwrap();
        assert_eq!(&page[range], block);
        // A Markdown page's markers are not an MDX page's.
        assert_eq!(locate_block(MD, &page, "Report").unwrap(), None);
    }

    #[test]
    fn broken_markers_are_errors() {
        let open = "<!-- telemetry:begin Report -->\nx\n";
        assert!(locate_block(MD, open, "Report")
            .unwrap_err()
            .contains("never closed"));
        let close = "<!-- telemetry:end Report -->\n";
        assert!(locate_block(MD, close, "Report")
            .unwrap_err()
            .contains("without an opening"));
        let twice = format!("{0}{0}", wrap_block(MD, "Report", "x\n"));
        assert!(locate_block(MD, &twice, "Report")
            .unwrap_err()
            .contains("second"));
    }

    #[test]
    fn the_retention_promise_is_a_sentence_of_the_block() {
        let rows = [DocsRow {
            name: "os",
            wire: "string".into(),
            why: "Which OS.".into(),
        }];
        let block = render_block("1.0", Some(90), &rows, &[]);
        let parsed = parse_block(&block);
        assert_eq!(
            parsed.text,
            [
                "Schema version: 1.0",
                "The receiver keeps each raw report for 90 days, then deletes it; only daily aggregates are kept longer."
            ]
        );
        // A changed promise is a difference a reader sees.
        let other = parse_block(&render_block("1.0", Some(30), &rows, &[]));
        assert!(first_difference(&parsed, &other).is_some());
    }
}
