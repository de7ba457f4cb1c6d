//! The wire shape of a payload: field names, wire types and allowed values.
//!
//! Pure data and text, no tokens: the history file, the docs table and the
//! guard all speak in these terms. Two spellings of a wire type exist:
//! the canonical one (enum values JSON-quoted, so any string round-trips)
//! used in the history file, and the display one (values bare) used in the
//! docs table, matching how published telemetry pages write them.

use std::cmp::Ordering;
use std::fmt;

/// The JSON type a field has on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireType {
    String,
    Integer,
    Number,
    Boolean,
    /// A JSON array of the inner type.
    Array(Box<WireType>),
    /// A JSON object with string keys and values of the inner type.
    Map(Box<WireType>),
    /// A string restricted to these values, in declaration order.
    Enum(Vec<String>),
    /// A JSON object with fixed keys: a section. Its fields are shape
    /// fields of their own, named by path below this one.
    Object,
    /// The inner type, or `null` (an `Option`): the key is always sent.
    Nullable(Box<WireType>),
}

/// One field of a recorded or current shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeField {
    pub name: String,
    pub wire: WireType,
}

/// The fields of one schema version, in declaration order. Order is kept
/// for readable output only; comparisons go by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub fields: Vec<ShapeField>,
    /// `(current name, previous name)` of the fields this version renamed
    /// from the version before it (`renamed_from`), so its changelog
    /// entry reads as the build error did: one rename, not an add and a
    /// remove.
    pub renames: Vec<(String, String)>,
}

impl Shape {
    /// A shape from `(name, wire type)` pairs, in order.
    #[cfg(test)]
    pub fn of(fields: &[(&str, WireType)]) -> Shape {
        Shape {
            fields: fields
                .iter()
                .map(|(name, wire)| ShapeField {
                    name: (*name).to_owned(),
                    wire: wire.clone(),
                })
                .collect(),
            renames: Vec::new(),
        }
    }
}

/// The values an integer field's Rust type can hold, where a JSON number
/// holds the bound exactly: `u32` is `0..4294967295`, `u64` is `0..`. Not
/// part of the wire shape (the history says `integer`), so changing `u32`
/// to `u64` needs no version bump; the JSON Schema uses it, so receivers
/// refuse a value the type cannot hold, such as a negative count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IntegerRange {
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

impl IntegerRange {
    /// The range of a Rust integer type by name; unbounded for any other.
    pub fn of_type(name: &str) -> IntegerRange {
        let (minimum, maximum) = match name {
            "u8" => (Some(0), Some(u8::MAX.into())),
            "u16" => (Some(0), Some(u16::MAX.into())),
            "u32" => (Some(0), Some(u32::MAX.into())),
            "u64" | "u128" | "usize" => (Some(0), None),
            "i8" => (Some(i8::MIN.into()), Some(i8::MAX.into())),
            "i16" => (Some(i16::MIN.into()), Some(i16::MAX.into())),
            "i32" => (Some(i32::MIN.into()), Some(i32::MAX.into())),
            _ => (None, None),
        };
        IntegerRange { minimum, maximum }
    }

    /// `min..max` with either side left empty when unbounded.
    pub fn spell(&self) -> String {
        let side = |bound: Option<i64>| bound.map(|b| b.to_string()).unwrap_or_default();
        format!("{}..{}", side(self.minimum), side(self.maximum))
    }

    /// Reads [`IntegerRange::spell`].
    pub fn parse(text: &str) -> Result<IntegerRange, String> {
        let (minimum, maximum) = text
            .split_once("..")
            .ok_or_else(|| format!("`{text}` is not a `min..max` range"))?;
        let side = |bound: &str| match bound {
            "" => Ok(None),
            bound => bound
                .parse()
                .map(Some)
                .map_err(|_| format!("`{bound}` is not an integer bound")),
        };
        Ok(IntegerRange {
            minimum: side(minimum)?,
            maximum: side(maximum)?,
        })
    }
}

impl WireType {
    /// The history-file spelling: `("a" | "b")[]`, `map<string, integer>`.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, true);
        out
    }

    /// The docs-table spelling: `(a | b)[]`, `map<string, integer>`.
    pub fn display(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, false);
        out
    }

    fn write(&self, out: &mut String, quoted: bool) {
        match self {
            WireType::String => out.push_str("string"),
            WireType::Integer => out.push_str("integer"),
            WireType::Number => out.push_str("number"),
            WireType::Boolean => out.push_str("boolean"),
            WireType::Object => out.push_str("object"),
            WireType::Nullable(inner) => {
                inner.write(out, quoted);
                out.push_str(" | null");
            }
            WireType::Array(inner) => {
                let parens = matches!(**inner, WireType::Enum(_) | WireType::Nullable(_));
                if parens {
                    out.push('(');
                }
                inner.write(out, quoted);
                if parens {
                    out.push(')');
                }
                out.push_str("[]");
            }
            WireType::Map(inner) => {
                out.push_str("map<string, ");
                inner.write(out, quoted);
                out.push('>');
            }
            WireType::Enum(values) => {
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" | ");
                    }
                    if quoted {
                        out.push_str(&crate::json::quote(value));
                    } else {
                        out.push_str(value);
                    }
                }
            }
        }
    }

    /// The suffix between a field's path and its children's names: `[]`
    /// per array, `.*` per map, then `.`; `None` when no object is inside.
    /// `gpu_devices: object[]` has children `gpu_devices[].model`.
    pub fn child_separator(&self) -> Option<String> {
        let mut separator = String::new();
        let mut wire = self;
        loop {
            match wire {
                WireType::Object => {
                    separator.push('.');
                    return Some(separator);
                }
                WireType::Nullable(inner) => wire = inner,
                WireType::Array(inner) => {
                    separator.push_str("[]");
                    wire = inner;
                }
                WireType::Map(inner) => {
                    separator.push_str(".*");
                    wire = inner;
                }
                _ => return None,
            }
        }
    }

    /// Parses the canonical spelling written by [`WireType::canonical`].
    pub fn parse_canonical(text: &str) -> Result<WireType, String> {
        // Most history lines hold a scalar: skip the parser for those.
        match text.trim() {
            "string" => return Ok(WireType::String),
            "integer" => return Ok(WireType::Integer),
            "number" => return Ok(WireType::Number),
            "boolean" => return Ok(WireType::Boolean),
            "object" => return Ok(WireType::Object),
            _ => {}
        }
        let mut parser = TypeParser { text, pos: 0 };
        let wire = parser.parse_type()?;
        parser.skip_spaces();
        if parser.pos != text.len() {
            return Err(format!(
                "unexpected `{}` after wire type",
                &text[parser.pos..]
            ));
        }
        Ok(wire)
    }
}

impl fmt::Display for WireType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

struct TypeParser<'a> {
    text: &'a str,
    pos: usize,
}

impl TypeParser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_spaces(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    /// `T`, `T[]`..., optionally followed by `| null`.
    fn parse_type(&mut self) -> Result<WireType, String> {
        let mut wire = self.parse_primary()?;
        while self.eat("[]") {
            wire = WireType::Array(Box::new(wire));
        }
        if self.eat_null() {
            wire = WireType::Nullable(Box::new(wire));
        }
        Ok(wire)
    }

    /// `| null`, without consuming a `|` that starts another enum value.
    fn eat_null(&mut self) -> bool {
        let start = self.pos;
        if self.eat("|") && self.eat("null") {
            return true;
        }
        self.pos = start;
        false
    }

    fn parse_primary(&mut self) -> Result<WireType, String> {
        self.skip_spaces();
        for (word, wire) in [
            ("string", WireType::String),
            ("integer", WireType::Integer),
            ("number", WireType::Number),
            ("boolean", WireType::Boolean),
            ("object", WireType::Object),
        ] {
            if self.eat(word) {
                return Ok(wire);
            }
        }
        if self.eat("map<string,") {
            let inner = self.parse_type()?;
            if !self.eat(">") {
                return Err("expected `>` to close `map<string, ...`".to_owned());
            }
            return Ok(WireType::Map(Box::new(inner)));
        }
        if self.eat("(") {
            let inner = self.parse_type()?;
            if !self.eat(")") {
                return Err("expected `)` to close `(`".to_owned());
            }
            return Ok(inner);
        }
        if self.rest().starts_with('"') {
            return self.parse_enum();
        }
        Err(format!(
            "expected a wire type (string, integer, number, boolean, object, T[], map<string, T>, T | null or \"value\" | ...), found `{}`",
            self.rest()
        ))
    }

    fn parse_enum(&mut self) -> Result<WireType, String> {
        let mut values = vec![self.parse_quoted()?];
        loop {
            let start = self.pos;
            if !self.eat("|") {
                break;
            }
            self.skip_spaces();
            if !self.rest().starts_with('"') {
                // `| null` after the values belongs to the caller.
                self.pos = start;
                break;
            }
            values.push(self.parse_quoted()?);
        }
        Ok(WireType::Enum(values))
    }

    fn parse_quoted(&mut self) -> Result<String, String> {
        self.skip_spaces();
        let rest = self.rest();
        if !rest.starts_with('"') {
            return Err(format!("expected a quoted value, found `{rest}`"));
        }
        let mut escaped = false;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    let literal = &rest[..=i];
                    let value = crate::json::unquote(literal)
                        .map_err(|e| format!("bad quoted value {literal}: {e}"))?;
                    self.pos += i + 1;
                    return Ok(value);
                }
                _ => {}
            }
        }
        Err(format!("unterminated quoted value `{rest}`"))
    }
}

/// A `schema_version`: dotted non-negative integers such as `1.0` or `2.1.3`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    text: String,
    parts: Vec<u64>,
}

impl Version {
    pub fn parse(text: &str) -> Result<Version, String> {
        let parts = text
            .split('.')
            .map(|part| {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                part.parse::<u64>().ok()
            })
            .collect::<Option<Vec<u64>>>();
        match parts {
            Some(parts) if parts.len() >= 2 => Ok(Version {
                text: text.to_owned(),
                parts,
            }),
            _ => Err(format!(
                "`{text}` is not a schema version: use dotted numbers such as \"1.0\" or \"2.1\""
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first number: a breaking change must increase it.
    pub fn major(&self) -> u64 {
        self.parts[0]
    }

    /// The smallest version above `self` with the same major number.
    pub fn next_minor(&self) -> String {
        format!("{}.{}", self.parts[0], self.parts[1] + 1)
    }

    /// The smallest version with a higher major number.
    pub fn next_major(&self) -> String {
        format!("{}.0", self.parts[0] + 1)
    }
}

impl Ord for Version {
    /// Numeric, component by component; missing components count as zero,
    /// so `1.0` and `1.0.0` compare equal.
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.parts.len().max(other.parts.len());
        (0..len)
            .map(|i| {
                let a = self.parts.get(i).copied().unwrap_or(0);
                let b = other.parts.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Joins the lines of a `///` comment into one table cell: whitespace
/// (line breaks included) collapsed to single spaces, `|` escaped so it
/// cannot split the cell. One pass, no intermediate strings: this runs for
/// every field on every build, in an unoptimized proc macro.
pub fn why_cell(doc_lines: &[String]) -> String {
    let mut out = String::with_capacity(doc_lines.iter().map(String::len).sum());
    let mut space_before_next = false;
    for line in doc_lines {
        for c in line.chars() {
            if c.is_whitespace() {
                space_before_next = !out.is_empty();
                continue;
            }
            if space_before_next {
                out.push(' ');
                space_before_next = false;
            }
            if c == '|' {
                out.push('\\');
            }
            out.push(c);
        }
        space_before_next = !out.is_empty();
    }
    out
}

/// Escapes `|` for use inside a table cell.
pub fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enum_of(values: &[&str]) -> WireType {
        WireType::Enum(values.iter().map(|v| v.to_string()).collect())
    }

    #[test]
    fn canonical_and_display_spellings() {
        let tiers = enum_of(&["memory", "postgres"]);
        assert_eq!(tiers.canonical(), r#""memory" | "postgres""#);
        assert_eq!(tiers.display(), "memory | postgres");
        let array = WireType::Array(Box::new(tiers));
        assert_eq!(array.canonical(), r#"("memory" | "postgres")[]"#);
        assert_eq!(array.display(), "(memory | postgres)[]");
        let map = WireType::Map(Box::new(WireType::Array(Box::new(WireType::Integer))));
        assert_eq!(map.canonical(), "map<string, integer[]>");
    }

    #[test]
    fn canonical_round_trips_awkward_values() {
        for wire in [
            enum_of(&["<1K", "1K-5K", "a | b", "quote\"d", "back\\slash", ")"]),
            WireType::Map(Box::new(WireType::Array(Box::new(enum_of(&["x"]))))),
            WireType::Array(Box::new(WireType::Array(Box::new(WireType::Boolean)))),
            WireType::Nullable(Box::new(enum_of(&["a", "null"]))),
            WireType::Array(Box::new(WireType::Nullable(Box::new(WireType::Object)))),
            WireType::Nullable(Box::new(WireType::Array(Box::new(enum_of(&["x"]))))),
            WireType::Map(Box::new(WireType::Nullable(Box::new(WireType::Integer)))),
            WireType::Nullable(Box::new(WireType::Map(Box::new(WireType::Object)))),
        ] {
            assert_eq!(WireType::parse_canonical(&wire.canonical()), Ok(wire));
        }
    }

    #[test]
    fn nullable_and_object_spellings() {
        let nullable = |wire| WireType::Nullable(Box::new(wire));
        assert_eq!(nullable(WireType::Integer).canonical(), "integer | null");
        assert_eq!(
            nullable(enum_of(&["a", "b"])).canonical(),
            r#""a" | "b" | null"#
        );
        assert_eq!(nullable(enum_of(&["a", "b"])).display(), "a | b | null");
        assert_eq!(
            WireType::Array(Box::new(nullable(WireType::Object))).canonical(),
            "(object | null)[]"
        );
        assert_eq!(
            nullable(WireType::Array(Box::new(WireType::Object))).canonical(),
            "object[] | null"
        );
        let err = WireType::parse_canonical("integer | null | null").unwrap_err();
        assert!(err.contains("unexpected"), "{err}");
    }

    #[test]
    fn child_separators_follow_the_containers() {
        let parse = |text| WireType::parse_canonical(text).unwrap();
        assert_eq!(parse("object").child_separator().as_deref(), Some("."));
        assert_eq!(
            parse("object | null").child_separator().as_deref(),
            Some(".")
        );
        assert_eq!(parse("object[]").child_separator().as_deref(), Some("[]."));
        assert_eq!(
            parse("map<string, object[] | null>")
                .child_separator()
                .as_deref(),
            Some(".*[].")
        );
        assert_eq!(parse("integer[]").child_separator(), None);
    }

    #[test]
    fn canonical_parse_errors_name_the_problem() {
        let err = WireType::parse_canonical("strin").unwrap_err();
        assert!(err.contains("expected a wire type"), "{err}");
        let err = WireType::parse_canonical("string extra").unwrap_err();
        assert!(err.contains("unexpected `extra`"), "{err}");
        let err = WireType::parse_canonical("\"open").unwrap_err();
        assert!(err.contains("unterminated"), "{err}");
        let err = WireType::parse_canonical("map<string, integer").unwrap_err();
        assert!(err.contains("`>`"), "{err}");
    }

    #[test]
    fn integer_ranges_by_type_and_spelling() {
        assert_eq!(IntegerRange::of_type("u32").spell(), "0..4294967295");
        assert_eq!(IntegerRange::of_type("u64").spell(), "0..");
        assert_eq!(IntegerRange::of_type("i8").spell(), "-128..127");
        assert_eq!(IntegerRange::of_type("i64").spell(), "..");
        for name in ["u8", "usize", "i32", "i128", "String"] {
            let range = IntegerRange::of_type(name);
            assert_eq!(IntegerRange::parse(&range.spell()), Ok(range));
        }
        assert!(IntegerRange::parse("1-2").is_err());
        assert!(IntegerRange::parse("a..").is_err());
    }

    #[test]
    fn versions_compare_numerically() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("1.10") > v("1.9"));
        assert!(v("2.0") > v("1.99"));
        assert_eq!(v("1.0").cmp(&v("1.0.0")), Ordering::Equal);
        assert_eq!(v("1.4").next_minor(), "1.5");
        assert_eq!(v("1.4").next_major(), "2.0");
        for bad in ["1", "", "1.", "v1.0", "1.x", "1..0", " 1.0", "-1.0"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn why_cell_joins_lines_and_escapes_pipes() {
        let lines = [
            " First line,".to_owned(),
            "".to_owned(),
            " a | b ".to_owned(),
        ];
        assert_eq!(why_cell(&lines), r"First line, a \| b");
        assert_eq!(escape_cell("a|b"), r"a\|b");
    }

    proptest::proptest! {
        #[test]
        fn why_cell_matches_split_and_join(lines in proptest::collection::vec("\\PC{0,20}|[ \t\r\n|a]{0,8}", 0..4)) {
            let words: Vec<&str> = lines.iter().flat_map(|line| line.split_whitespace()).collect();
            proptest::prop_assert_eq!(why_cell(&lines), escape_cell(&words.join(" ")));
        }
    }
}
