//! The two page formats a docs block can live in. A `.md` page is
//! CommonMark with HTML-comment markers. A `.mdx` page (Docusaurus compiles
//! its pages as MDX) cannot hold `<!-- -->`: its markers are `{/* ... */}`.
//! The cells are spelled alike in both (`cell.rs`).

use std::fs;
use std::path::{Path, PathBuf};

/// How the docs page is compiled by the site that publishes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocsFormat {
    Markdown,
    Mdx,
}

impl DocsFormat {
    /// The format `docs_format` names, or else the page's extension says:
    /// `.mdx` is MDX, anything else Markdown.
    pub fn of(docs_path: &str, named: Option<&str>) -> Result<DocsFormat, String> {
        match named {
            Some("markdown") => Ok(DocsFormat::Markdown),
            Some("mdx") => Ok(DocsFormat::Mdx),
            Some(other) => Err(format!(
                "`docs_format = {other:?}` is not a format: use \"markdown\" (CommonMark, `<!-- -->` markers) \
                 or \"mdx\" (MDX, as Docusaurus compiles pages: `{{/* */}}` markers)"
            )),
            None if docs_path.ends_with(".mdx") => Ok(DocsFormat::Mdx),
            None => Ok(DocsFormat::Markdown),
        }
    }

    /// How a marker comment opens and closes.
    pub fn comment(self) -> (&'static str, &'static str) {
        match self {
            DocsFormat::Markdown => ("<!--", "-->"),
            DocsFormat::Mdx => ("{/*", "*/}"),
        }
    }
}

/// The names Docusaurus 3 looks for its site config under.
const DOCUSAURUS_CONFIGS: [&str; 6] = [
    "docusaurus.config.js",
    "docusaurus.config.ts",
    "docusaurus.config.mjs",
    "docusaurus.config.cjs",
    "docusaurus.config.mts",
    "docusaurus.config.cts",
];

/// The config of the Docusaurus site a `.md` page at `page` belongs to,
/// when that site compiles the page as MDX: the nearest config up the
/// tree from the page does not set `format: 'md'` or `'detect'` (its
/// default, and the classic template's, is 'mdx'), and the page's front
/// matter does not say `format: md` or `detect`. Then the page's
/// `<!-- -->` markers would break the site's build. A heuristic reading of
/// the config (it is code): `format: 'md'` anywhere in it counts.
pub fn docusaurus_mdx_site(page: &Path, contents: Option<&str>) -> Option<PathBuf> {
    let front_matter = contents.and_then(front_matter_format);
    if matches!(front_matter, Some("md" | "detect")) {
        return None;
    }
    // `docs = "../docs/x.md"`: the site is up the tree from where the
    // page really is, not from the crate's directory.
    let dir = page.parent()?;
    let dir = dir
        .ancestors()
        .find_map(|existing| fs::canonicalize(existing).ok())
        .unwrap_or_else(|| dir.to_path_buf());
    let config = dir.ancestors().find_map(|dir| {
        DOCUSAURUS_CONFIGS
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
    })?;
    let text = fs::read_to_string(&config).unwrap_or_default();
    match front_matter == Some("mdx") || !sets_markdown_format(&text) {
        true => Some(config),
        false => None,
    }
}

/// The `format:` a page's YAML front matter names, unquoted.
fn front_matter_format(page: &str) -> Option<&str> {
    let page = page.trim_start_matches('\u{feff}');
    let body = page
        .strip_prefix("---\n")
        .or_else(|| page.strip_prefix("---\r\n"))?;
    let end = body.find("\n---")?;
    body[..end].lines().find_map(|line| {
        let value = line.strip_prefix("format:")?.trim();
        Some(value.trim_matches(['"', '\'']))
    })
}

/// Whether a Docusaurus config sets `format: 'md'` or `'detect'` (in its
/// `markdown` options), quoted either way.
fn sets_markdown_format(config: &str) -> bool {
    config.match_indices("format").any(|(at, _)| {
        let rest = config[at + "format".len()..].trim_start();
        let Some(value) = rest.strip_prefix(':').map(str::trim_start) else {
            return false;
        };
        ["md", "detect"].iter().any(|format| {
            ['"', '\'', '`'].iter().any(|quote| {
                value
                    .strip_prefix(*quote)
                    .and_then(|v| v.strip_prefix(format))
                    .is_some_and(|v| v.starts_with(*quote))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_or_the_attribute_names_the_format() {
        assert_eq!(
            DocsFormat::of("docs/telemetry.mdx", None),
            Ok(DocsFormat::Mdx)
        );
        assert_eq!(
            DocsFormat::of("docs/telemetry.md", None),
            Ok(DocsFormat::Markdown)
        );
        assert_eq!(
            DocsFormat::of("docs/telemetry.md", Some("mdx")),
            Ok(DocsFormat::Mdx)
        );
        assert!(DocsFormat::of("docs/telemetry.md", Some("rst"))
            .unwrap_err()
            .contains("\"markdown\""));
    }

    #[test]
    fn a_docusaurus_site_up_the_tree_that_compiles_md_as_mdx() {
        let root =
            std::env::temp_dir().join(format!("telemetry-docusaurus-{}", std::process::id()));
        let page = root.join("site/docs/telemetry.md");
        fs::create_dir_all(page.parent().unwrap()).unwrap();
        let config = root.join("site/docusaurus.config.ts");
        let found = |contents| docusaurus_mdx_site(&page, contents);

        assert_eq!(found(None), None, "no site");
        fs::write(
            &config,
            "export default { title: 'x', markdown: { mermaid: true } };",
        )
        .unwrap();
        assert_eq!(found(None), Some(fs::canonicalize(&config).unwrap()));
        assert_eq!(found(Some("---\nformat: md\n---\n# T\n")), None);
        assert!(found(Some("---\ntitle: T\n---\n")).is_some());
        fs::write(
            &config,
            "export default { markdown: { format: \"detect\" } };",
        )
        .unwrap();
        assert_eq!(found(None), None);
        assert!(found(Some("---\nformat: 'mdx'\n---\n")).is_some());
        fs::write(&config, "module.exports = { markdown: {format:'md'} };").unwrap();
        assert_eq!(found(None), None);
        // Through `..`: the page's real place counts, not the path's text.
        let crate_dir = root.join("site/crate");
        fs::create_dir_all(&crate_dir).unwrap();
        fs::write(crate_dir.join("docusaurus.config.js"), "export default {};").unwrap();
        assert_eq!(
            docusaurus_mdx_site(&crate_dir.join("../docs/telemetry.md"), None),
            None
        );
        let _ = fs::remove_dir_all(&root);
    }
}
