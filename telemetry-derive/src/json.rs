//! A small ordered JSON tree and its pretty printer. The derive writes JSON
//! Schemas on every build; building `serde_json::Value` maps and sorting
//! their keys cost more than the rest of the guard in an unoptimized proc
//! macro, and declaration order reads better in a review anyway.

/// A JSON value whose objects keep their keys in insertion order.
pub enum Json {
    Str(String),
    Bool(bool),
    List(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// An object from `(key, value)` pairs.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn str(text: impl Into<String>) -> Json {
        Json::Str(text.into())
    }

    /// Two-space indented, one key or item per line, newline at the end:
    /// the layout of `serde_json::to_string_pretty`.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    // Plain loops and whole-string pushes: this runs on every build in an
    // unoptimized proc macro, where per-character iterator chains are slow.
    fn write(&self, out: &mut String, depth: usize) {
        match self {
            Json::Str(text) => push_quoted(out, text),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::List(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(pairs) if pairs.is_empty() => out.push_str("{}"),
            Json::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write(out, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            Json::Object(pairs) => {
                out.push('{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    push_quoted(out, key);
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
        }
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
    fn pretty_matches_serde_json_layout() {
        let value = Json::object([
            ("b", Json::str("x\"y\\z\n\u{1}é")),
            (
                "a",
                Json::List(vec![
                    Json::Bool(true),
                    Json::object::<&str>([]),
                    Json::List(vec![]),
                ]),
            ),
            ("c", Json::object([("d", Json::Bool(false))])),
        ]);
        let ours = value.pretty();
        let parsed: serde_json::Value = serde_json::from_str(&ours).unwrap();
        assert_eq!(parsed["b"], "x\"y\\z\n\u{1}é");
        // serde_json sorts keys; compare on a tree with the same order.
        let sorted = Json::object([
            (
                "a",
                Json::List(vec![
                    Json::Bool(true),
                    Json::object::<&str>([]),
                    Json::List(vec![]),
                ]),
            ),
            ("b", Json::str("x\"y\\z\n\u{1}é")),
            ("c", Json::object([("d", Json::Bool(false))])),
        ]);
        assert_eq!(
            sorted.pretty(),
            serde_json::to_string_pretty(&parsed).unwrap() + "\n"
        );
    }

    #[test]
    fn deep_nesting_keeps_its_indentation() {
        let mut value = Json::Bool(true);
        for _ in 0..40 {
            value = Json::List(vec![value]);
        }
        let ours = value.pretty();
        let parsed: serde_json::Value = serde_json::from_str(&ours).unwrap();
        assert_eq!(ours, serde_json::to_string_pretty(&parsed).unwrap() + "\n");
    }
}
