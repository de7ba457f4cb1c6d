//! A streaming JSON writer with the layout of `serde_json::to_string_pretty`.
//! The derive writes JSON Schemas on every build. Building a tree first
//! (`serde_json::Value` maps, later an ordered tree of our own) and dropping
//! it again cost more than the rest of the guard in an unoptimized proc
//! macro; writing straight into one `String` costs a few pushes per value.
//! Keys come out in the order they are written, which reads better in a
//! review than sorted keys.

/// Writes one JSON value, two-space indented, one key or item per line.
pub struct JsonWriter {
    out: String,
    depth: usize,
    /// Whether the innermost open container has no entries yet.
    empty: bool,
}

impl JsonWriter {
    pub fn new() -> JsonWriter {
        JsonWriter {
            out: String::new(),
            depth: 0,
            empty: true,
        }
    }

    /// A writer for entries to be spliced into an object at `depth`, after
    /// an entry already written there (see [`JsonWriter::splice`]).
    pub fn entries_at(depth: usize) -> JsonWriter {
        JsonWriter {
            out: String::new(),
            depth,
            empty: false,
        }
    }

    /// Appends entries written by an [`JsonWriter::entries_at`] writer of
    /// this writer's depth.
    pub fn splice(&mut self, entries: &str) {
        self.out.push_str(entries);
        self.empty = false;
    }

    /// The text written, as it is (for [`JsonWriter::splice`]).
    pub fn into_text(self) -> String {
        self.out
    }

    /// Opens an object (`'{'`) or an array (`'['`) where a value goes.
    pub fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    /// Closes the innermost container: `"}"` or `"]"`, on its own line
    /// unless the container is empty (`{}`, `[]`).
    pub fn close(&mut self, bracket: char) {
        self.depth -= 1;
        if !self.empty {
            newline(&mut self.out, self.depth);
        }
        self.out.push(bracket);
        // The container just closed is an entry of its parent.
        self.empty = false;
    }

    /// Starts an object entry; its value is written next.
    pub fn key(&mut self, key: &str) {
        self.entry();
        push_quoted(&mut self.out, key);
        self.out.push_str(": ");
    }

    /// Starts an array item; its value is written next.
    pub fn item(&mut self) {
        self.entry();
    }

    /// A string value.
    pub fn string(&mut self, text: &str) {
        push_quoted(&mut self.out, text);
    }

    /// An integer value.
    pub fn number(&mut self, value: impl std::fmt::Display) {
        self.out.push_str(&value.to_string());
    }

    /// A boolean value.
    pub fn boolean(&mut self, value: bool) {
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// `"key": "text"` in one call, the most common entry.
    pub fn key_string(&mut self, key: &str, text: &str) {
        self.key(key);
        self.string(text);
    }

    /// The text written, with the final newline of a file.
    pub fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }

    fn entry(&mut self) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        newline(&mut self.out, self.depth);
    }
}

fn newline(out: &mut String, depth: usize) {
    // One push for the line break and the indentation.
    const INDENT: &str = "\n                                                                ";
    let width = 1 + 2 * depth;
    if width <= INDENT.len() {
        out.push_str(&INDENT[..width]);
    } else {
        out.push('\n');
        out.push_str(&" ".repeat(2 * depth));
    }
}

/// `text` as a JSON string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

/// The value of the JSON string literal `literal` (quotes included). Kept
/// here rather than calling serde_json so the proc macro does not link it.
pub fn unquote(literal: &str) -> Result<String, String> {
    let inner = literal
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .ok_or("a JSON string starts and ends with `\"`")?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {}
            '"' => return Err("unescaped `\"` inside a JSON string".to_owned()),
            c if (c as u32) < 0x20 => {
                return Err(format!(
                    "control character U+{:04X} must be escaped",
                    c as u32
                ))
            }
            c => {
                out.push(c);
                continue;
            }
        }
        let escaped = match chars.next() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let high = hex4(&mut chars)?;
                let code = if (0xD800..0xDC00).contains(&high) {
                    // A surrogate pair: `\uD83D\uDE00`.
                    if chars.next() != Some('\\') || chars.next() != Some('u') {
                        return Err("unpaired surrogate in a JSON string".to_owned());
                    }
                    let low = hex4(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err("unpaired surrogate in a JSON string".to_owned());
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                char::from_u32(code).ok_or("unpaired surrogate in a JSON string")?
            }
            Some(other) => return Err(format!("unknown escape `\\{other}` in a JSON string")),
            None => return Err("a JSON string ends in `\\`".to_owned()),
        };
        out.push(escaped);
    }
    Ok(out)
}

fn hex4(chars: &mut std::str::Chars) -> Result<u32, String> {
    let digits: String = chars.take(4).collect();
    match u32::from_str_radix(&digits, 16) {
        Ok(code) if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(code),
        _ => Err(format!("`\\u{digits}` needs four hex digits")),
    }
}

/// Whether a JSON string must escape some of `text`. Indexing, not an
/// iterator: unoptimized, as cargo builds a proc macro, it makes no calls
/// (every key and string of the schema file passes here on every build).
fn needs_escape(text: &str) -> bool {
    let text = text.as_bytes();
    let mut at = 0;
    while at < text.len() {
        if matches!(text[at], b'"' | b'\\' | 0..0x20) {
            return true;
        }
        at += 1;
    }
    false
}

fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    if !needs_escape(text) {
        out.push_str(text);
    } else {
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_serde_json_pretty() {
        // Keys in sorted order, so serde_json's sorted map prints the same.
        let mut w = JsonWriter::new();
        w.open('{');
        w.key("a");
        w.open('[');
        w.item();
        w.boolean(true);
        w.item();
        w.open('{');
        w.close('}');
        w.item();
        w.open('[');
        w.close(']');
        w.close(']');
        w.key_string("b", "x\"y\\z\n\u{1}é\t\r");
        w.key("c");
        w.open('{');
        w.key("d");
        w.boolean(false);
        w.close('}');
        w.close('}');
        let ours = w.finish();
        let parsed: serde_json::Value = serde_json::from_str(&ours).unwrap();
        assert_eq!(parsed["b"], "x\"y\\z\n\u{1}é\t\r");
        assert_eq!(ours, serde_json::to_string_pretty(&parsed).unwrap() + "\n");
    }

    #[test]
    fn deep_nesting_keeps_its_indentation() {
        let mut w = JsonWriter::new();
        for _ in 0..40 {
            w.open('[');
            w.item();
        }
        w.boolean(true);
        for _ in 0..40 {
            w.close(']');
        }
        let ours = w.finish();
        let parsed: serde_json::Value = serde_json::from_str(&ours).unwrap();
        assert_eq!(ours, serde_json::to_string_pretty(&parsed).unwrap() + "\n");
    }

    proptest::proptest! {
        #[test]
        fn unquote_reverses_quote(text in "\\PC*|[\"\\\\\u{0}-\u{1f}é😀]*") {
            proptest::prop_assert_eq!(unquote(&quote(&text)).unwrap(), text);
        }

        #[test]
        fn unquote_agrees_with_serde_json(literal in "\"([a-z\"/]|\\\\[\"\\\\/bfnrtux]|\\\\u[0-9a-fA-FdD]{4}|\u{1}|é)*\"") {
            let ours = unquote(&literal);
            let theirs = serde_json::from_str::<String>(&literal);
            proptest::prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{} {:?}", literal, ours);
            if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
                proptest::prop_assert_eq!(ours, theirs);
            }
        }
    }

    #[test]
    fn quote_escapes_what_json_requires() {
        let text = "plain \"quoted\" back\\slash \u{7} é";
        let parsed: String = serde_json::from_str(&quote(text)).unwrap();
        assert_eq!(parsed, text);
        assert_eq!(quote("plain"), "\"plain\"");
    }
}
