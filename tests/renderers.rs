//! One corpus of awkward why-texts, blessed into a `.md` and an `.mdx`
//! page by a real build, and each page rendered by the tools the sites
//! that publish it use (`renderers/tools.rs`). Every why cell must read as
//! the text was written: the same as its own spelling rendered alone by the
//! same tool, and the same text on every tool and both formats.

#[path = "renderers/tools.rs"]
mod tools;

use telemetry_workspace_tests::{workspace_root, Scenario};
use tools::{elements, render, text_of, Tool};

/// Why-texts (as `///` comments), each with the text a reader must see.
const CORPUS: &[(&str, &str)] = &[
    (
        r"Pipes escaped, a \| b, and bare, c | d.",
        "Pipes escaped, a | b, and bare, c | d.",
    ),
    ("A pipe in code: `foo|bar`.", "A pipe in code: foo|bar."),
    (
        "How often the cache {hits}, and \\{escaped\\}.",
        "How often the cache {hits}, and {escaped}.",
    ),
    ("Requests answered in <5 ms.", "Requests answered in <5 ms."),
    ("One line<br>and another.", "One line<br>and another."),
    (
        "Which cache: <which>, and <Foo /> stays text.",
        "Which cache: <which>, and <Foo /> stays text.",
    ),
    ("Already an entity: &lt;tag>.", "Already an entity: <tag>."),
    (
        "(see <https://example.com/why>)",
        "(see https://example.com/why)",
    ),
    (
        "Mail <ops@example.com> or https://example.com/plain.",
        "Mail ops@example.com or https://example.com/plain.",
    ),
    (
        "An autolink with a pipe, <https://example.com/a|b_c>.",
        "An autolink with a pipe, https://example.com/a|b_c.",
    ),
    ("Salt &amp; pepper, R&D.", "Salt & pepper, R&D."),
    (
        "Code with `{braces} <and tags> &amp;` kept.",
        "Code with {braces} <and tags> &amp; kept.",
    ),
    (
        "Backticks: ``a ` b`` and one ` alone.",
        "Backticks: a ` b and one ` alone.",
    ),
    (
        "Emphasis *stays*, ~~strikes~~ and ~one~.",
        "Emphasis stays, strikes and one.",
    ),
    (
        "Emoji 🎉 and ünïcödé, 日本語.",
        "Emoji 🎉 and ünïcödé, 日本語.",
    ),
    (r"Ends in a backslash \", r"Ends in a backslash \"),
];

/// The throwaway crate's source: one field per corpus entry, and one whose
/// wire type has a pipe (`integer | null`) for the type column.
fn lib_rs(docs: &str) -> String {
    let mut fields = String::new();
    for (index, (why, _)) in CORPUS.iter().enumerate() {
        fields.push_str(&format!("    /// {why}\n    pub f{index}: u32,\n"));
    }
    format!(
        "#[derive(telemetry_core::Telemetry)]\n\
         #[telemetry(schema_version = \"1.0\", docs = \"{docs}\")]\n\
         pub struct Report {{\n{fields}\
         \x20   /// Absent before the first run.\n\
         \x20   pub maybe: Option<u32>,\n\
         }}\n"
    )
}

/// The why cell's Markdown of each corpus row, as the page holds it.
fn cell_sources(page: &str) -> Vec<String> {
    (0..CORPUS.len())
        .map(|index| {
            let start = format!("| `f{index}` | `integer` | ");
            let line = page
                .lines()
                .find_map(|line| line.strip_prefix(start.as_str()))
                .unwrap_or_else(|| panic!("no row for f{index}:\n{page}"));
            line.strip_suffix(" |")
                .expect("a row ends in a pipe")
                .to_owned()
        })
        .collect()
}

/// A cell's Markdown as a paragraph of its own: GFM's table drops the
/// backslash of `\|` before it reads the inline text, so the paragraph
/// does too.
fn alone(source: &str) -> String {
    source.replace(r"\|", "|")
}

fn check_page(tool: Tool, page: &str, name: &str) {
    let work = workspace_root().join("target/renderers").join(name);
    let Some(html) = render(tool, page, &work) else {
        return;
    };
    let cells = elements(&html, "td");
    assert_eq!(
        cells.len(),
        3 * (CORPUS.len() + 2),
        "{tool:?} on {name}: {html}"
    );
    let why_cells: Vec<&str> = cells.chunks(3).skip(1).map(|row| row[2]).collect();
    let sources = cell_sources(page);
    let paragraphs: Vec<String> = sources.iter().map(|source| alone(source)).collect();
    let Some(alone_html) = render(tool, &paragraphs.join("\n\n"), &work.join("alone")) else {
        return;
    };
    let alone = elements(&alone_html, "p");
    assert_eq!(alone.len(), CORPUS.len(), "{tool:?}: {alone_html}");
    for (index, (why, expected)) in CORPUS.iter().enumerate() {
        assert_eq!(
            why_cells[index], alone[index],
            "{tool:?} on {name}: the cell of {why:?} (written {:?}) renders unlike the text alone",
            sources[index]
        );
        assert_eq!(
            text_of(why_cells[index]),
            *expected,
            "{tool:?} on {name}: the cell of {why:?} (written {:?}) reads differently",
            sources[index]
        );
    }
    // The generated columns: a field name, and a type with a pipe in code.
    let last = &cells[cells.len() - 3..];
    assert_eq!(text_of(last[0]), "maybe", "{tool:?} on {name}");
    assert_eq!(text_of(last[1]), "integer | null", "{tool:?} on {name}");
}

#[test]
fn every_renderer_shows_the_why_texts_as_written() {
    let crate_ = Scenario::new("renderers");
    crate_.write("src/lib.rs", &lib_rs("docs/telemetry.md"));
    crate_.write(
        "docs/telemetry.md",
        "# Telemetry\n\nWhat we send, and why.\n",
    );
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let md = crate_.read("docs/telemetry.md").unwrap();

    crate_.write("src/lib.rs", &lib_rs("docs/telemetry.mdx"));
    crate_.write(
        "docs/telemetry.mdx",
        "---\ntitle: Telemetry\n---\n\n# Telemetry\n\nWhat we send, and why.\n",
    );
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let mdx = crate_.read("docs/telemetry.mdx").unwrap();
    drop(crate_);

    // The cells are spelled alike in both formats: only the markers differ.
    assert_eq!(cell_sources(&md), cell_sources(&mdx));
    for tool in tools::ALL {
        // A Docusaurus site that compiles `.md` pages as MDX needs
        // `docs_format = "mdx"` (the derive says so; `docs_formats.rs`).
        if tool != Tool::DocusaurusMdx {
            check_page(tool, &md, &format!("{tool:?}-md"));
        }
        check_page(tool, &mdx, &format!("{tool:?}-mdx"));
    }
}
