//! The text of one docs-table cell, as the why-texts and review reasons
//! become, spelled so that every site that publishes the page shows it the
//! same: GitHub (cmark-gfm), Docusaurus (remark-gfm, `.md` or MDX), mdBook
//! and pulldown-cmark. `tests/renderers.rs` renders a corpus with each.
//!
//! A why-text is Markdown, as rustdoc reads the `///` comment it comes
//! from: code spans, emphasis, escapes, entities and autolinks keep their
//! meaning. What the sites disagree on is spelled another way: `|` as
//! `&#124;` (remark-gfm splits a cell at the `|` of `\\|`), `<` as `&lt;`
//! (raw HTML is a tag on a `.md` page and JSX or an error in MDX, so it is
//! shown as text everywhere), `{` and `}` escaped (MDX expressions), and
//! `<https://...>` as `[https://...](https://...)` (MDX has no autolinks).

/// Joins the lines of a `///` comment into one line: whitespace (line
/// breaks included) collapsed to single spaces. The text stays as written:
/// it is what `FieldInfo::why` holds; `cell` spells it for a page.
pub fn why_cell(doc_lines: &[String]) -> String {
    let mut out = String::with_capacity(doc_lines.iter().map(String::len).sum());
    for line in doc_lines {
        match plain_line(line) {
            Some("") => {}
            Some(text) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(text);
            }
            None => {
                for word in line.split_whitespace() {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(word);
                }
            }
        }
    }
    out
}

/// A doc line without its outer spaces when nothing inside needs
/// collapsing: ASCII, single spaces between words. Most lines are, and
/// this runs for every field on every build, in a proc macro that cargo
/// compiles unoptimized: an indexed loop, and one copy instead of one per
/// word or character.
fn plain_line(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let (mut start, mut end) = (0, bytes.len());
    while start < end && bytes[start] == b' ' {
        start += 1;
    }
    while end > start && bytes[end - 1] == b' ' {
        end -= 1;
    }
    let mut at = start;
    let mut after_space = false;
    while at < end {
        let byte = bytes[at];
        // Other whitespace, or a space after a space, needs collapsing; a
        // control character or non-ASCII text goes the careful way too.
        if !matches!(byte, b' '..=b'~') || (byte == b' ' && after_space) {
            return None;
        }
        after_space = byte == b' ';
        at += 1;
    }
    Some(&line[start..end])
}

/// Escapes `|` for a generated code span in a table cell (field names and
/// types): every table reader drops the backslash of `\|` inside a cell's
/// code span, GitHub's spec says so and remark-gfm, pulldown-cmark and
/// mdBook do it too (`tests/renderers.rs`).
pub fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// One piece of a why-text: a code span (backticks included) or text.
enum Piece<'a> {
    Code(&'a str),
    Text(&'a str),
}

/// Whether `text` holds one of the ASCII `bytes`. A table and a plain loop
/// on purpose: this runs for every why-text on every build, in a proc macro
/// that cargo compiles unoptimized, where `str::contains` with a
/// `[char; N]` pattern cost some 37,000 instructions a why-text (75 M of
/// the 1000-field benchmark's rebuild).
fn holds_any(text: &str, bytes: &[u8]) -> bool {
    let mut wanted = [false; 128];
    for &byte in bytes {
        wanted[byte as usize] = true;
    }
    // Indexing, not an iterator: it compiles to no calls even unoptimized.
    let text = text.as_bytes();
    let mut at = 0;
    while at < text.len() {
        if text[at] < 128 && wanted[text[at] as usize] {
            return true;
        }
        at += 1;
    }
    false
}

/// Splits `text` into code spans and the text between them, as CommonMark
/// does: a run of backticks opens a span closed by the next run of the same
/// length; an escaped backtick or one never closed is text.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    let mut escaped = false;
    while let Some(c) = text[at..].chars().next() {
        if c == '`' && !escaped {
            let run = text[at..].len() - text[at..].trim_start_matches('`').len();
            match closing_fence(&text[at + run..], run) {
                Some(end) => {
                    if text_start < at {
                        out.push(Piece::Text(&text[text_start..at]));
                    }
                    let span_end = at + run + end + run;
                    out.push(Piece::Code(&text[at..span_end]));
                    at = span_end;
                    text_start = at;
                }
                None => at += run,
            }
            continue;
        }
        escaped = c == '\\' && !escaped;
        at += c.len_utf8();
    }
    if text_start < text.len() {
        out.push(Piece::Text(&text[text_start..]));
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

/// Why `text` cannot be spelled in a cell that reads the same on every
/// site, and what to write instead; `None` when it can.
pub fn refusal(text: &str) -> Option<String> {
    // Both refusals need one of these (most why-texts hold none).
    if !holds_any(text, b"|<{}&") {
        return None;
    }
    for piece in pieces(text) {
        match piece {
            // GitHub and pulldown-cmark read `\\|` in a cell's code span as
            // `\|`; remark-gfm ends the cell there. No spelling shows a
            // backslash before a pipe in code on both.
            Piece::Code(code) if code.contains("\\|") => {
                return Some(format!(
                    "{code} holds `\\|`: inside a table cell no spelling of a backslash before a pipe in code \
                     reads the same on GitHub and on Docusaurus; write the pipe in its own code span \
                     (`a\\` `|` `b`) or describe it in words"
                ))
            }
            Piece::Code(_) => {}
            Piece::Text(text) => {
                let text = without_autolinks(text);
                if let Some(word) = text.split_whitespace().find(|word| bare_url_breaks(word)) {
                    let url = word.trim_end_matches(['.', ',', ')', ';', ':']);
                    return Some(format!(
                        "the bare URL {url} holds `|`, `<`, `{{`, `}}` or a character reference, which a table cell \
                         must escape: GitHub and Docusaurus link the escape as written, mdBook shows the character; \
                         write it as an autolink, <{url}>, or end the URL before that character"
                    ));
                }
            }
        }
    }
    None
}

/// `text` with its autolinks left out: they are links of their own, not
/// the bare URLs that `bare_url_breaks` looks for.
fn without_autolinks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        match autolink(&rest[start..]) {
            Some((_, length)) => {
                out.push(' ');
                rest = &rest[start + length..];
            }
            None => {
                out.push('<');
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `word` is a bare URL (GitHub's autolink literal) whose link text
/// would keep the escape that a character in it needs.
fn bare_url_breaks(word: &str) -> bool {
    let Some(start) = word.find("://").or_else(|| word.find("www.")) else {
        return false;
    };
    let url = &word[start..];
    url.contains(['|', '<', '{', '}']) || url.split('&').skip(1).any(starts_entity)
}

/// Whether the text after a `&` makes it a character reference.
fn starts_entity(after: &str) -> bool {
    let name = after.strip_prefix('#').unwrap_or(after);
    let end = name.find(';').unwrap_or(0);
    end > 0 && name[..end].chars().all(|c| c.is_ascii_alphanumeric())
}

/// A field's or variant's `///` lines as one span for an error. The tokens
/// are made only when an error is reported: quoting every field's doc
/// attributes up front cost more than all the checks on a build.
pub struct DocSpan<'a>(pub &'a [&'a syn::Attribute]);

impl quote::ToTokens for DocSpan<'_> {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        for doc in self.0 {
            doc.to_tokens(tokens);
        }
    }
}

/// Reports at `at` (the doc comment or the attribute that holds `text`)
/// what `refusal` finds in `what`'s text (`field \`name\``).
pub fn check(
    cx: &crate::ctxt::Ctxt,
    at: impl quote::ToTokens,
    what: impl std::fmt::Display,
    text: &str,
) {
    if let Some(why) = refusal(text) {
        cx.error_spanned_by(
            at,
            format!("the docs page cannot show the why-text of {what} as written: {why}"),
        );
    }
}

/// The cell's Markdown for a why-text `refusal` accepted: code spans as
/// written (a `|` in them as `\|`), the text between them escaped.
pub fn cell(text: &str) -> String {
    // Nothing to spell differently: a code span needs a backtick, and the
    // text between spans changes only at these.
    if !holds_any(text, b"`\\<|{}") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for piece in pieces(text) {
        match piece {
            Piece::Code(code) => out.push_str(&escape_cell(code)),
            Piece::Text(text) => push_text(&mut out, text),
        }
    }
    out
}

fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let next = rest.get(1..).and_then(|after| after.chars().next());
        match c {
            // An escape pair stays one: `\|` and `\<` become the entity,
            // whose meaning is the same; others (`\{`, `\*`) are kept.
            '\\' if next.is_some_and(|n| n.is_ascii_punctuation()) => {
                match next {
                    Some('|') => out.push_str("&#124;"),
                    Some('<') => out.push_str("&lt;"),
                    Some(n) => {
                        out.push('\\');
                        out.push(n);
                    }
                    None => {}
                }
                rest = &rest[2..];
                continue;
            }
            '<' => {
                if let Some((link, length)) = autolink(rest) {
                    out.push_str(&link);
                    rest = &rest[length..];
                    continue;
                }
                out.push_str("&lt;");
            }
            '|' => out.push_str("&#124;"),
            '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
}

/// A CommonMark autolink at the start of `text` (`<scheme:...>` or
/// `<user@host>`) as an inline link showing the same text, and the length
/// it takes; MDX reads `<` as JSX, so the autolink itself cannot stay.
fn autolink(text: &str) -> Option<(String, usize)> {
    let end = text.find('>')?;
    let inner = &text[1..end];
    if inner.is_empty() || inner.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<')
    {
        return None;
    }
    let is_uri = inner.split_once(':').is_some_and(|(scheme, _)| {
        (2..=32).contains(&scheme.len())
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
    });
    let is_email = !is_uri && is_email(inner);
    if !is_uri && !is_email {
        return None;
    }
    // The link text is literal, as an autolink's is: every punctuation
    // character that could mean something is escaped, `|` spelled as an
    // entity for the table.
    let mut label = String::with_capacity(inner.len() + 8);
    for c in inner.chars() {
        match c {
            '|' => label.push_str("&#124;"),
            c if c.is_ascii_punctuation()
                && !matches!(
                    c,
                    ':' | '/' | '.' | '-' | '@' | '?' | '=' | '%' | '+' | '#' | ',' | ';'
                ) =>
            {
                label.push('\\');
                label.push(c);
            }
            c => label.push(c),
        }
    }
    let destination = if is_email {
        format!("mailto:{label}")
    } else {
        label.clone()
    };
    Some((format!("[{label}]({destination})"), end + 1))
}

/// CommonMark's email autolink, roughly: a local part, `@`, a host of
/// dotted labels.
fn is_email(text: &str) -> bool {
    let Some((local, host)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c))
        && !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
#[path = "cell_tests.rs"]
mod tests;
