//! The two page formats a docs block can live in. A `.md` page is
//! CommonMark with HTML-comment markers. A `.mdx` page (Docusaurus compiles
//! its pages as MDX) cannot hold `<!-- -->`, and reads `{`, `}` and `<` in
//! text as JSX: its markers are `{/* ... */}` and the why-texts are escaped.

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

    /// Text written into the block's table cells, made safe for the format.
    pub fn text(self, text: &str) -> std::borrow::Cow<'_, str> {
        match self {
            DocsFormat::Markdown => text.into(),
            DocsFormat::Mdx => escape_mdx(text).into(),
        }
    }
}

/// Escapes `{`, `}` and `<` outside code spans, which MDX would read as an
/// expression or a JSX tag; a Markdown backslash escape keeps them text.
/// Code spans (a run of backticks to the next run of the same length) are
/// literal in MDX too, and characters the author already escaped stay as
/// they are.
pub fn escape_mdx(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    let mut escaped = false;
    while let Some(c) = rest.chars().next() {
        if c == '`' && !escaped {
            let run = rest.len() - rest.trim_start_matches('`').len();
            let fence = &rest[..run];
            let after = &rest[run..];
            match closing_fence(after, run) {
                Some(end) => {
                    let span = run + end + run;
                    out.push_str(&rest[..span]);
                    rest = &rest[span..];
                }
                None => {
                    out.push_str(fence);
                    rest = after;
                }
            }
            continue;
        }
        if matches!(c, '{' | '}' | '<') && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Where a run of exactly `run` backticks starts in `text`.
fn closing_fence(text: &str, run: usize) -> Option<usize> {
    let mut offset = 0;
    while let Some(start) = text[offset..].find('`') {
        let start = offset + start;
        let length = text[start..].len() - text[start..].trim_start_matches('`').len();
        if length == run {
            return Some(start);
        }
        offset = start + length;
    }
    None
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
    fn mdx_escapes_outside_code_spans_only() {
        assert_eq!(
            escape_mdx("p99 <5 ms for {braces}"),
            r"p99 \<5 ms for \{braces\}"
        );
        assert_eq!(escape_mdx("`{code}` and {text}"), r"`{code}` and \{text\}");
        assert_eq!(escape_mdx("``a ` {b}`` {c}"), r"``a ` {b}`` \{c\}");
        assert_eq!(escape_mdx("unclosed ` {x}"), r"unclosed ` \{x\}");
        assert_eq!(escape_mdx(r"already \{ escaped"), r"already \{ escaped");
        assert_eq!(escape_mdx(r"a \\{ b"), r"a \\\{ b");
        assert_eq!(escape_mdx("plain, ünïcode"), "plain, ünïcode");
    }
}
