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

fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    if !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
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

    #[test]
    fn quote_escapes_what_json_requires() {
        let text = "plain \"quoted\" back\\slash \u{7} é";
        let parsed: String = serde_json::from_str(&quote(text)).unwrap();
        assert_eq!(parsed, text);
        assert_eq!(quote("plain"), "\"plain\"");
    }
}
