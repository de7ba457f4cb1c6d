//! Blessed pages as the sites that publish them compile them: an `.mdx`
//! page through the real MDX 3 compiler (Node.js, `tests/mdx`), a `.md`
//! page through a CommonMark renderer (pulldown-cmark, with tables).

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use telemetry_workspace_tests::{workspace_root, Scenario};

/// Why-texts that MDX would read as expressions and tags if unescaped.
fn lib_rs(docs: &str, format: &str) -> String {
    format!(
        "#[derive(telemetry_core::Telemetry)]\n\
         #[telemetry(schema_version = \"1.0\", docs = \"{docs}\"{format})]\n\
         pub struct Report {{\n\
         \x20   /// Requests answered in <5 ms, to know how often the cache {{hits}}.\n\
         \x20   pub fast_requests: u32,\n\
         \x20   /// The config format, `{{as code}}` stays code.\n\
         \x20   pub config_format: String,\n\
         }}\n"
    )
}

/// Installs the MDX compiler from `tests/mdx/package-lock.json` once, with
/// npm; whether it is there.
fn mdx_compiler_installed(dir: &Path) -> bool {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if dir.join("node_modules/@mdx-js/mdx").is_dir() && dir.join("node_modules/rehype-raw").is_dir()
    {
        return true;
    }
    Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--prefix"])
        .arg(dir)
        .status()
        .is_ok_and(|status| status.success())
}

/// The HTML the MDX compiler makes of `page`, or why it refused it. `None`
/// where Node.js and npm cannot be had (never under `CI`).
fn compile_mdx(page: &Path) -> Option<Result<String, String>> {
    let dir = workspace_root().join("tests/mdx");
    if !mdx_compiler_installed(&dir) {
        let why = "the MDX compiler could not be installed (`npm ci --prefix tests/mdx`)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{why}; CI must run this test"
        );
        eprintln!("skipped: {why}");
        return None;
    }
    let output = Command::new("node")
        .arg(dir.join("render-mdx.mjs"))
        .arg(page)
        .output()
        .expect("node runs");
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    Some(if output.status.success() {
        Ok(text(output.stdout))
    } else {
        Err(text(output.stderr))
    })
}

#[test]
fn an_mdx_page_compiles_with_the_mdx_compiler() {
    let crate_ = Scenario::new("mdx");
    crate_.write("src/lib.rs", &lib_rs("docs/telemetry.mdx", ""));
    crate_.write(
        "docs/telemetry.mdx",
        "---\ntitle: Telemetry\n---\n\n# Telemetry\n\nWhat we send, and why.\n",
    );
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    let page = crate_.read("docs/telemetry.mdx").unwrap();
    assert!(
        page.contains("{/* telemetry:begin Report: generated")
            && page.contains("{/* telemetry:end Report */}")
            && !page.contains("<!--"),
        "{page}"
    );
    let Some(html) = compile_mdx(&crate_.path("docs/telemetry.mdx")) else {
        return;
    };
    let html =
        html.unwrap_or_else(|why| panic!("the MDX compiler refused the page: {why}\n{page}"));
    for cell in [
        "<td>Requests answered in &lt;5 ms, to know how often the cache {hits}.</td>",
        "<td>The config format, <code>{as code}</code> stays code.</td>",
        "<td><code>fast_requests</code></td>",
    ] {
        assert!(html.contains(cell), "{cell} not in {html}");
    }
    assert!(
        !html.contains("telemetry:begin"),
        "a marker is visible: {html}"
    );

    // The same page with HTML-comment markers is not MDX: the check can fail.
    let markdown_page = page.replace("{/*", "<!--").replace("*/}", "-->");
    crate_.write("docs/broken.mdx", &markdown_page);
    let refused = compile_mdx(&crate_.path("docs/broken.mdx")).unwrap();
    assert!(refused.unwrap_err().contains("to create a comment in MDX"));

    // A hand edit inside the MDX block is caught like on a Markdown page.
    crate_.write("docs/telemetry.mdx", &page.replace("stays code", "is code"));
    crate_.build().assert_fails_with(&[
        "docs/telemetry.mdx does not match Report",
        "(`config_format`) differs",
    ]);
}

#[test]
fn docs_format_mdx_on_a_md_page_and_the_commonmark_rendering() {
    let crate_ = Scenario::new("mdx-attribute");
    // A Docusaurus site compiles `.md` pages as MDX too.
    crate_.write(
        "src/lib.rs",
        &lib_rs("docs/telemetry.md", ", docs_format = \"mdx\""),
    );
    crate_.bless().assert_ok();
    let page = crate_.read("docs/telemetry.md").unwrap();
    assert!(page.starts_with("{/* telemetry:begin Report"), "{page}");
    if let Some(html) = compile_mdx(&crate_.path("docs/telemetry.md")) {
        html.unwrap_or_else(|why| panic!("the MDX compiler refused the page: {why}\n{page}"));
    }

    // A plain `.md` page stays CommonMark: comments for markers, the table
    // renders, and the texts are as written.
    crate_.write("src/lib.rs", &lib_rs("docs/plain.md", ""));
    crate_.bless().assert_ok();
    let page = crate_.read("docs/plain.md").unwrap();
    assert!(page.starts_with("<!-- telemetry:begin Report"), "{page}");
    let parser = pulldown_cmark::Parser::new_ext(&page, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    assert!(html.contains("<table>"), "{html}");
    assert!(
        html.contains(
            "<td>Requests answered in &lt;5 ms, to know how often the cache {hits}.</td>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<!-- telemetry:begin Report"),
        "markers stay comments: {html}"
    );
}

#[test]
fn an_unknown_docs_format_is_refused() {
    let crate_ = Scenario::new("docs-format-unknown");
    crate_.write(
        "src/lib.rs",
        &lib_rs("docs/telemetry.md", ", docs_format = \"rst\""),
    );
    crate_
        .build()
        .assert_fails_with(&["`docs_format = \"rst\"` is not a format"]);
}

#[test]
fn a_md_page_of_a_docusaurus_site_that_compiles_it_as_mdx_is_named() {
    let crate_ = Scenario::new("docusaurus-site");
    // The classic template's config: no `markdown.format`, so 'mdx'.
    crate_.write(
        "website/docusaurus.config.js",
        "export default { title: 'Example', presets: [['classic', {}]] };\n",
    );
    crate_.write("src/lib.rs", &lib_rs("website/docs/telemetry.md", ""));
    let refused = crate_.bless();
    refused.assert_fails_with(&[
        "website/docs/telemetry.md is a `.md` page of the Docusaurus site",
        "docusaurus.config.js, which compiles it as MDX",
        "add `docs_format = \"mdx\"`",
    ]);
    assert_eq!(
        crate_.read("website/docs/telemetry.md"),
        None,
        "nothing written"
    );

    // What the message says to do works: the page is MDX and compiles.
    crate_.write(
        "src/lib.rs",
        &lib_rs("website/docs/telemetry.md", ", docs_format = \"mdx\""),
    );
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
    if let Some(html) = compile_mdx(&crate_.path("website/docs/telemetry.md")) {
        html.unwrap_or_else(|why| panic!("the MDX compiler refused the page: {why}"));
    }

    // A site that reads `.md` pages as CommonMark takes a Markdown page.
    crate_.write(
        "website/docusaurus.config.js",
        "export default { markdown: { format: 'detect' } };\n",
    );
    crate_.write("src/lib.rs", &lib_rs("website/docs/plain.md", ""));
    crate_.bless().assert_ok();
    crate_.build().assert_ok();
}
