//! The renderers the sites that publish a docs page use, run for real:
//! GitHub's cmark-gfm, Docusaurus's MDX compiler (both formats), mdBook,
//! and pulldown-cmark. Each takes a Markdown text and gives HTML.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use telemetry_workspace_tests::workspace_root;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// GitHub's renderer with the extensions github.com turns on.
    CmarkGfm,
    /// Docusaurus 3 with `markdown.format: 'md'` (or 'detect' on `.md`).
    DocusaurusMd,
    /// Docusaurus 3 with `markdown.format: 'mdx'` (its default).
    DocusaurusMdx,
    MdBook,
    PulldownCmark,
}

pub const ALL: [Tool; 5] = [
    Tool::CmarkGfm,
    Tool::DocusaurusMd,
    Tool::DocusaurusMdx,
    Tool::MdBook,
    Tool::PulldownCmark,
];

/// What `.ci/run` installs: a missing tool skips its part of the test
/// on a developer's machine, and fails it under `CI`.
#[track_caller]
fn missing(tool: Tool, how: &str) -> Option<String> {
    let why = format!("{tool:?} is not installed ({how})");
    assert!(std::env::var_os("CI").is_none(), "{why}; CI must run it");
    eprintln!("skipped: {why}");
    None
}

fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// The MDX compiler from `tests/mdx/package-lock.json`, installed once.
fn mdx_installed() -> bool {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = workspace_root().join("tests/mdx");
    if dir.join("node_modules/@mdx-js/mdx").is_dir() && dir.join("node_modules/rehype-raw").is_dir()
    {
        return true;
    }
    Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .status()
        .is_ok_and(|status| status.success())
}

/// The HTML `tool` makes of `markdown` (written to files in `work`), or
/// `None` when the tool is missing outside CI. Panics with the tool's
/// message when it refuses the text.
pub fn render(tool: Tool, markdown: &str, work: &Path) -> Option<String> {
    fs::create_dir_all(work).unwrap();
    let page = work.join("page.md");
    fs::write(&page, markdown).unwrap();
    let output = match tool {
        Tool::PulldownCmark => {
            // As the derive reads a page (`telemetry-derive/src/docs.rs`).
            let options = pulldown_cmark::Options::ENABLE_TABLES
                | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
            let parser = pulldown_cmark::Parser::new_ext(markdown, options);
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, parser);
            return Some(html);
        }
        Tool::CmarkGfm => {
            if !runs("cmark-gfm") {
                return missing(tool, "apt-get install cmark-gfm");
            }
            Command::new("cmark-gfm")
                .args(["--unsafe", "-e", "table", "-e", "autolink"])
                .args(["-e", "strikethrough", "-e", "tagfilter"])
                .arg(&page)
                .output()
        }
        Tool::DocusaurusMd | Tool::DocusaurusMdx => {
            if !mdx_installed() {
                return missing(tool, "npm ci --prefix tests/mdx");
            }
            let format = if tool == Tool::DocusaurusMd {
                "md"
            } else {
                "mdx"
            };
            Command::new("node")
                .arg(workspace_root().join("tests/mdx/render-mdx.mjs"))
                .args(["--format", format])
                .arg(&page)
                .output()
        }
        Tool::MdBook => {
            if !runs("mdbook") {
                return missing(tool, "cargo install mdbook --locked");
            }
            let book = work.join("book");
            let _ = fs::remove_dir_all(&book);
            fs::create_dir_all(book.join("src")).unwrap();
            fs::write(book.join("book.toml"), "[book]\ntitle = \"t\"\n").unwrap();
            fs::write(
                book.join("src/SUMMARY.md"),
                "# Summary\n\n- [Page](page.md)\n",
            )
            .unwrap();
            fs::write(book.join("src/page.md"), markdown).unwrap();
            let output = Command::new("mdbook").arg("build").arg(&book).output();
            if output.as_ref().is_ok_and(|o| o.status.success()) {
                let html = fs::read_to_string(book.join("book/page.html")).unwrap();
                return Some(main_of(&html).to_owned());
            }
            output
        }
    }
    .expect("the renderer runs");
    assert!(
        output.status.success(),
        "{tool:?} refused the page: {}\n{markdown}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).expect("HTML is UTF-8"))
}

/// The chapter's content in an mdBook page: its `<main>` element.
fn main_of(html: &str) -> &str {
    let start = html.find("<main>").expect("mdBook writes <main>") + "<main>".len();
    let end = html[start..]
        .find("</main>")
        .map_or(html.len(), |end| start + end);
    &html[start..end]
}

/// The inner HTML of every `<tag>` element, in document order (elements
/// of that tag are not nested in the HTML these tools write).
pub fn elements<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        // `<td>` or `<td style=...>`, not `<tdx>`.
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let Some(content) = after.find('>').map(|gt| &after[gt + 1..]) else {
            break;
        };
        let end = content.find(&close).expect("every element is closed");
        out.push(content[..end].trim());
        rest = &content[end..];
    }
    out
}

/// What a reader sees of some HTML: the text, tags left out and
/// character references decoded.
pub fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    decode(&text)
}

/// Decodes the character references HTML writers use.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|end| *end < 10);
        let decoded = end.and_then(|end| match &rest[1..end] {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            name => {
                let number = name.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match (decoded, end) {
            (Some(c), Some(end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
