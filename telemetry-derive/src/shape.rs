//! The wire shape of a payload: field names, wire types and allowed values.
//!
//! Pure data and text, no tokens: the history file, the docs table and the
//! guard all speak in these terms. Two spellings of a wire type exist:
//! the canonical one (enum values JSON-quoted, so any string round-trips)
//! used in the history file, and the display one (values bare) used in the
//! docs table, matching how published telemetry pages write them.

use std::fmt;

/// The key the payload's derive injects first; no field may claim it.
pub const SCHEMA_VERSION_KEY: &str = "schema_version";

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
    /// A string in a known format: `string(date-time)`, `string(date)`,
    /// `string(uuid)` (JSON Schema's `format`).
    Formatted(StringFormat),
    /// Any JSON at all: a `serde_json::Value` the author marked free-form.
    /// The guard cannot see inside it.
    Any,
    /// The inner type, or the key left out (`skip_serializing_if`). Only
    /// ever a field's outermost type: a key, not a value, is absent.
    MayBeAbsent(Box<WireType>),
}

/// The string formats of the ecosystem types the derive knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringFormat {
    /// RFC 3339 with an offset: `chrono::DateTime<Utc>`.
    DateTime,
    /// `2024-05-01`: `chrono::NaiveDate`.
    Date,
    /// `uuid::Uuid`.
    Uuid,
}

impl StringFormat {
    const ALL: [StringFormat; 3] = [
        StringFormat::DateTime,
        StringFormat::Date,
        StringFormat::Uuid,
    ];

    /// JSON Schema's name for it.
    pub fn name(self) -> &'static str {
        match self {
            StringFormat::DateTime => "date-time",
            StringFormat::Date => "date",
            StringFormat::Uuid => "uuid",
        }
    }
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
            WireType::Any => out.push_str("any"),
            WireType::Formatted(format) => {
                out.push_str("string(");
                out.push_str(format.name());
                out.push(')');
            }
            WireType::Nullable(inner) => {
                inner.write(out, quoted);
                out.push_str(" | null");
            }
            WireType::MayBeAbsent(inner) => {
                inner.write(out, quoted);
                out.push_str(" | absent");
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

    /// The type of each value inside lists, maps and options: `Tier` in
    /// `Option<Vec<Tier>>`.
    pub fn innermost(&self) -> &WireType {
        match self {
            WireType::Array(inner)
            | WireType::Map(inner)
            | WireType::Nullable(inner)
            | WireType::MayBeAbsent(inner) => inner.innermost(),
            other => other,
        }
    }

    /// Whether this type is `old` with values added to its value lists
    /// (and nothing else changed): every value of `old` is one of this.
    pub fn adds_values_to(&self, old: &WireType) -> bool {
        match (self, old) {
            (WireType::Enum(new), WireType::Enum(old)) => {
                new.len() > old.len() && old.iter().all(|value| new.contains(value))
            }
            (WireType::Array(new), WireType::Array(old))
            | (WireType::Map(new), WireType::Map(old))
            | (WireType::Nullable(new), WireType::Nullable(old))
            | (WireType::MayBeAbsent(new), WireType::MayBeAbsent(old)) => new.adds_values_to(old),
            _ => false,
        }
    }

    /// Whether a list is inside this type (or is it).
    pub fn holds_list(&self) -> bool {
        match self {
            WireType::Array(_) => true,
            WireType::Map(inner) | WireType::Nullable(inner) | WireType::MayBeAbsent(inner) => {
                inner.holds_list()
            }
            _ => false,
        }
    }

    /// Whether a map is inside this type (or is it).
    pub fn holds_map(&self) -> bool {
        match self {
            WireType::Map(_) => true,
            WireType::Array(inner) | WireType::Nullable(inner) | WireType::MayBeAbsent(inner) => {
                inner.holds_map()
            }
            _ => false,
        }
    }

    /// This type with its object replaced by `inner` (what a newtype
    /// section holds): `object[]` with `integer` is `integer[]`. One `null`
    /// stands for both `Option`s of `Option<Newtype(Option<T>)>`, as on the
    /// wire.
    pub fn with_object_as(&self, inner: &WireType) -> WireType {
        let wrap = |build: fn(Box<WireType>) -> WireType, of: &WireType| {
            build(Box::new(of.with_object_as(inner)))
        };
        match self {
            WireType::Object => inner.clone(),
            WireType::Nullable(of) => match of.with_object_as(inner) {
                nullable @ WireType::Nullable(_) => nullable,
                other => WireType::Nullable(Box::new(other)),
            },
            WireType::Array(of) => wrap(WireType::Array, of),
            WireType::Map(of) => wrap(WireType::Map, of),
            WireType::MayBeAbsent(of) => wrap(WireType::MayBeAbsent, of),
            other => other.clone(),
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
                WireType::Nullable(inner) | WireType::MayBeAbsent(inner) => wire = inner,
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
    /// A scalar, `T[]`, `map<string, T>` or `T | absent` of a scalar `T`,
    /// as [`WireType::canonical`] spells them; `None` for anything else.
    fn simple_canonical(text: &str) -> Option<WireType> {
        let scalar = |text: &str| match text {
            "string" => Some(WireType::String),
            "integer" => Some(WireType::Integer),
            "number" => Some(WireType::Number),
            "boolean" => Some(WireType::Boolean),
            "object" => Some(WireType::Object),
            "any" => Some(WireType::Any),
            _ => None,
        };
        if let Some(item) = text.strip_suffix("[]") {
            return scalar(item).map(|item| WireType::Array(Box::new(item)));
        }
        if let Some(value) = text.strip_prefix("map<string, ") {
            let value = scalar(value.strip_suffix('>')?)?;
            return Some(WireType::Map(Box::new(value)));
        }
        if let Some(present) = text.strip_suffix(" | absent") {
            return scalar(present).map(|present| WireType::MayBeAbsent(Box::new(present)));
        }
        scalar(text)
    }

    pub fn parse_canonical(text: &str) -> Result<WireType, String> {
        // Most history lines and chain records hold a scalar, a list or a
        // map of one, or one that may be absent: skip the parser for those.
        let text = text.trim();
        if let Some(wire) = Self::simple_canonical(text) {
            return Ok(wire);
        }
        let mut parser = TypeParser { text, pos: 0 };
        let mut wire = parser.parse_type()?;
        if parser.eat_after_pipe("absent") {
            wire = WireType::MayBeAbsent(Box::new(wire));
        }
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
        if self.eat_after_pipe("null") {
            wire = WireType::Nullable(Box::new(wire));
        }
        Ok(wire)
    }

    /// `| word`, without consuming a `|` that starts another enum value
    /// or another word.
    fn eat_after_pipe(&mut self, word: &str) -> bool {
        let start = self.pos;
        if self.eat("|") && self.eat(word) {
            return true;
        }
        self.pos = start;
        false
    }

    fn parse_primary(&mut self) -> Result<WireType, String> {
        self.skip_spaces();
        for format in StringFormat::ALL {
            if self.eat(&format!("string({})", format.name())) {
                return Ok(WireType::Formatted(format));
            }
        }
        for (word, wire) in [
            ("string", WireType::String),
            ("integer", WireType::Integer),
            ("number", WireType::Number),
            ("boolean", WireType::Boolean),
            ("object", WireType::Object),
            ("any", WireType::Any),
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
            WireType::MayBeAbsent(Box::new(WireType::Integer)),
            WireType::Map(Box::new(WireType::Any)),
            WireType::Array(Box::new(WireType::Formatted(StringFormat::Date))),
            WireType::Nullable(Box::new(WireType::Formatted(StringFormat::DateTime))),
            WireType::MayBeAbsent(Box::new(WireType::Nullable(Box::new(enum_of(&["a"]))))),
            WireType::MayBeAbsent(Box::new(WireType::Array(Box::new(WireType::Object)))),
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
}
