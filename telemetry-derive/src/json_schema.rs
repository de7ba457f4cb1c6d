//! JSON Schema (draft 2020-12) from recorded shapes, for receivers to
//! validate reports with any validator. Generated from the same shapes as
//! the history, so it cannot say anything the history does not, except the
//! range of each integer field's current Rust type (`minimum: 0` for an
//! unsigned one), which is not part of the wire shape: it applies to every
//! recorded version where that path is an integer.

use std::collections::BTreeMap;

use crate::json::JsonWriter;
use crate::range::IntegerRange;
use crate::shape::{Shape, ShapeField, WireType, SCHEMA_VERSION_KEY};
use crate::version::Version;

/// Integer ranges by field path (see [`IntegerRange`]). A map: every
/// field of every recorded version looks its path up.
pub type Ranges<'a> = &'a BTreeMap<String, IntegerRange>;

fn range_of(ranges: Ranges, path: &str) -> IntegerRange {
    ranges.get(path).copied().unwrap_or_default()
}

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A field and the fields nested below it, rebuilt from a shape's paths.
struct Node<'a> {
    /// The field's own name: its path below its parent.
    key: &'a str,
    /// Its full path.
    path: &'a str,
    wire: &'a WireType,
    children: Vec<Node<'a>>,
}

/// The fields of `fields[*pos..]` whose paths start with `prefix`, as a
/// tree. Shapes list parents before children (the history keeps the
/// order the derive writes), so one pass rebuilds the nesting.
fn nodes<'a>(fields: &'a [ShapeField], pos: &mut usize, prefix: &str) -> Vec<Node<'a>> {
    let mut found = Vec::new();
    while let Some(field) = fields.get(*pos) {
        let Some(key) = field.name.strip_prefix(prefix) else {
            break;
        };
        *pos += 1;
        let children = match field.wire.child_separator() {
            Some(separator) => nodes(fields, pos, &format!("{}{separator}", field.name)),
            None => Vec::new(),
        };
        found.push(Node {
            key,
            path: &field.name,
            wire: &field.wire,
            children,
        });
    }
    found
}

/// `wire`'s schema; `children` are the fields of the object inside it, and
/// `range` bounds the integer inside it.
fn write_wire(
    w: &mut JsonWriter,
    wire: &WireType,
    children: &[Node],
    range: IntegerRange,
    ranges: Ranges,
) {
    // Whether the key is there is the object's `required`; when it is,
    // its value is the inner type's.
    if let WireType::MayBeAbsent(inner) = wire {
        return write_wire(w, inner, children, range, ranges);
    }
    w.open('{');
    match wire {
        WireType::String => w.key_string("type", "string"),
        WireType::Formatted(format) => {
            w.key_string("type", "string");
            w.key_string("format", format.name());
        }
        WireType::Integer => {
            w.key_string("type", "integer");
            for (key, bound) in [("minimum", range.minimum), ("maximum", range.maximum)] {
                if let Some(bound) = bound {
                    w.key(key);
                    w.number(bound);
                }
            }
        }
        WireType::Number => w.key_string("type", "number"),
        WireType::Boolean => w.key_string("type", "boolean"),
        WireType::Array(item) => {
            w.key_string("type", "array");
            w.key("items");
            write_wire(w, item, children, range, ranges);
        }
        WireType::Map(value) => {
            w.key_string("type", "object");
            w.key("additionalProperties");
            write_wire(w, value, children, range, ranges);
        }
        WireType::Enum(values) => {
            w.key("enum");
            w.open('[');
            for value in values {
                w.item();
                w.string(value);
            }
            w.close(']');
        }
        WireType::Nullable(inner) => {
            w.key("anyOf");
            w.open('[');
            w.item();
            write_wire(w, inner, children, range, ranges);
            w.item();
            w.open('{');
            w.key_string("type", "null");
            w.close('}');
            w.close(']');
        }
        WireType::Object if is_variants(children) => {
            let variants: Vec<&Node> = children.iter().collect();
            write_variants(w, &variants, ranges, true)
        }
        WireType::Object => write_object_body(w, &[], children, ranges, true),
        // Any JSON: the empty schema.
        WireType::Any => {}
        // Written above, without a level of its own.
        WireType::MayBeAbsent(_) => {}
    }
    w.close('}');
}

/// An object's keys inside its open `{`: exactly `fixed` (constant keys:
/// the report's `schema_version`, a variant's tag) and `fields`, all
/// required but those that may be absent. A flattened enum's variants
/// among `fields` are one alternative each, and with them the object is
/// closed by `unevaluatedProperties` (draft 2020-12), which sees the keys
/// of the alternative that matched. `closed: false` leaves the object
/// open, for an alternative of a flattened enum: its holder closes it.
fn write_object_body(
    w: &mut JsonWriter,
    fixed: &[(&str, &str)],
    fields: &[Node],
    ranges: Ranges,
    closed: bool,
) {
    let (variants, fields): (Vec<&Node>, Vec<&Node>) =
        fields.iter().partition(|node| parse_step(node.key).is_some());
    w.key_string("type", "object");
    w.key("properties");
    w.open('{');
    for (key, value) in fixed {
        w.key(key);
        w.open('{');
        w.key_string("const", value);
        w.close('}');
    }
    for field in &fields {
        w.key(field.key);
        let range = range_of(ranges, field.path);
        write_wire(w, field.wire, &field.children, range, ranges);
    }
    w.close('}');
    w.key("required");
    w.open('[');
    for (key, _) in fixed {
        w.item();
        w.string(key);
    }
    for field in &fields {
        if !matches!(field.wire, WireType::MayBeAbsent(_)) {
            w.item();
            w.string(field.key);
        }
    }
    w.close(']');
    let enums = flattened_enums(&variants);
    match enums.as_slice() {
        [] => {}
        [only] => write_variants(w, only, ranges, false),
        several => {
            w.key("allOf");
            w.open('[');
            for variants in several {
                w.item();
                w.open('{');
                write_variants(w, variants, ranges, false);
                w.close('}');
            }
            w.close(']');
        }
    }
    if closed {
        let keyword = match enums.is_empty() {
            true => "additionalProperties",
            false => "unevaluatedProperties",
        };
        w.key(keyword);
        w.boolean(false);
    }
}

/// The variants of the enums flattened into one object, one list per
/// enum, told apart by their representation and tag (two enums of serde's
/// default tagging flattened into one struct read as one).
fn flattened_enums<'n, 'a>(variants: &[&'n Node<'a>]) -> Vec<Vec<&'n Node<'a>>> {
    let mut enums: Vec<(String, Vec<&Node>)> = Vec::new();
    for node in variants {
        let kind = match parse_step(node.key) {
            Some(Step::Internal { tag, .. } | Step::Adjacent { tag, .. }) => format!("tag {tag}"),
            Some(Step::Untagged(_)) => "untagged".to_owned(),
            Some(Step::External(_)) | None => "external".to_owned(),
        };
        match enums.iter_mut().find(|(seen, _)| *seen == kind) {
            Some((_, list)) => list.push(node),
            None => enums.push((kind, vec![node])),
        }
    }
    enums.into_iter().map(|(_, list)| list).collect()
}

/// A section enum's variant, read back from its path step (see
/// `ast::variants`).
#[derive(Debug, PartialEq, Eq)]
enum Step<'a> {
    External(&'a str),
    Internal {
        tag: &'a str,
        name: &'a str,
    },
    Adjacent {
        tag: &'a str,
        name: &'a str,
        content: &'a str,
    },
    Untagged(&'a str),
}

fn parse_step(key: &str) -> Option<Step<'_>> {
    let inner = key.strip_prefix('(')?.strip_suffix(')')?;
    if let Some(name) = inner.strip_prefix("untagged ") {
        return Some(Step::Untagged(name));
    }
    let Some((tag, rest)) = inner.split_once(" = \"") else {
        return Some(Step::External(inner));
    };
    match rest.split_once("\", content = \"") {
        Some((name, content)) => Some(Step::Adjacent {
            tag,
            name,
            content: content.strip_suffix('"')?,
        }),
        None => Some(Step::Internal {
            tag,
            name: rest.strip_suffix('"')?,
        }),
    }
}

/// Whether an object's children are an enum's variants.
fn is_variants(children: &[Node]) -> bool {
    !children.is_empty() && children.iter().all(|node| parse_step(node.key).is_some())
}

/// One alternative per variant; tagged ones are told apart by their tag
/// (`oneOf`), untagged ones by their shapes (`anyOf`, as serde takes the
/// first that fits). `closed`: the enum is the whole value, so each
/// alternative is closed; else it is flattened into an object, which
/// closes them all (see [`write_object_body`]), and a unit variant of
/// serde's default tagging is a key with `null`, as serde flattens it.
fn write_variants(w: &mut JsonWriter, variants: &[&Node], ranges: Ranges, closed: bool) {
    let untagged = variants
        .iter()
        .all(|node| matches!(parse_step(node.key), Some(Step::Untagged(_))));
    w.key(if untagged { "anyOf" } else { "oneOf" });
    w.open('[');
    for node in variants {
        w.item();
        // A unit variant's row holds its name as its one value.
        let unit = matches!(node.wire, WireType::Enum(_));
        let range = range_of(ranges, node.path);
        let one_key = |w: &mut JsonWriter, fixed: &[(&str, &str)], key: &str, unit: bool| {
            w.open('{');
            w.key_string("type", "object");
            w.key("properties");
            w.open('{');
            for (tag, name) in fixed {
                w.key(tag);
                w.open('{');
                w.key_string("const", name);
                w.close('}');
            }
            w.key(key);
            match unit {
                true => {
                    w.open('{');
                    w.key_string("type", "null");
                    w.close('}');
                }
                false => write_wire(w, node.wire, &node.children, range, ranges),
            }
            w.close('}');
            w.key("required");
            w.open('[');
            for (tag, _) in fixed {
                w.item();
                w.string(tag);
            }
            w.item();
            w.string(key);
            w.close(']');
            if closed {
                w.key("additionalProperties");
                w.boolean(false);
            }
            w.close('}');
        };
        let object = |w: &mut JsonWriter, fixed: &[(&str, &str)], fields: &[Node]| {
            w.open('{');
            write_object_body(w, fixed, fields, ranges, closed);
            w.close('}');
        };
        match parse_step(node.key) {
            Some(Step::External(name)) if unit && !closed => one_key(w, &[], name, true),
            Some(Step::External(_)) if unit => write_wire(w, node.wire, &[], range, ranges),
            Some(Step::External(name)) => one_key(w, &[], name, false),
            Some(Step::Internal { tag, name }) if unit => object(w, &[(tag, name)], &[]),
            Some(Step::Internal { tag, name }) => object(w, &[(tag, name)], &node.children),
            Some(Step::Adjacent { tag, name, .. }) if unit => object(w, &[(tag, name)], &[]),
            Some(Step::Adjacent { tag, name, content }) => {
                one_key(w, &[(tag, name)], content, false)
            }
            // A flattened untagged variant's fields are the holder's.
            Some(Step::Untagged(_)) if !closed && node.wire.child_separator().is_some() => {
                object(w, &[], &node.children)
            }
            Some(Step::Untagged(_)) | None => {
                write_wire(w, node.wire, &node.children, range, ranges)
            }
        }
    }
    w.close(']');
}

/// The rest of one version's schema, inside an open object after its head.
fn write_version_body(w: &mut JsonWriter, version: &Version, shape: &Shape, ranges: Ranges) {
    let fields = nodes(&shape.fields, &mut 0, "");
    write_object_body(
        w,
        &[(SCHEMA_VERSION_KEY, version.as_str())],
        &fields,
        ranges,
        true,
    );
}

/// One version's entries after its title, rendered once for both the
/// payload's `JSON_SCHEMA` and the schema file: a large payload's rendering
/// is a cost worth paying once (docs/performance.md).
pub fn version_body(version: &Version, shape: &Shape, ranges: Ranges) -> String {
    let mut w = JsonWriter::entries_at(1);
    write_version_body(&mut w, version, shape, ranges);
    w.into_text()
}

/// The schema of one version, standalone (the payload's `JSON_SCHEMA`),
/// from its [`version_body`].
pub fn render_version(payload: &str, version: &Version, body: &str) -> String {
    let mut w = JsonWriter::new();
    w.open('{');
    w.key_string("$schema", DRAFT);
    w.key_string("title", &format!("{payload} {version}"));
    w.splice(body);
    w.close('}');
    w.finish()
}

/// The version being built, for [`render_file`]: its recorded release is
/// written from `body` when it records `shape`.
pub struct Current<'a> {
    pub version: &'a Version,
    pub shape: &'a Shape,
    pub body: &'a str,
}

/// The schema file beside the history: a report of any recorded version
/// is valid, and only those.
pub fn render_file(
    payload: &str,
    releases: &[(Version, Shape)],
    ranges: Ranges,
    current: Option<&Current>,
) -> String {
    let mut w = JsonWriter::new();
    w.open('{');
    w.key_string("$schema", DRAFT);
    w.key_string(
        "title",
        &format!("{payload} reports, every recorded schema_version"),
    );
    w.key_string(
        "description",
        "Generated by `TELEMETRY_BLESS=1 cargo build` from the schema history; do not edit.",
    );
    w.key("oneOf");
    w.open('[');
    for (version, shape) in releases {
        w.item();
        w.open('{');
        w.key_string("title", &format!("{payload} {version}"));
        match current {
            // Two levels deeper than standalone: four more spaces a line.
            Some(current) if current.version == version && current.shape.fields == shape.fields => {
                w.splice(&current.body.replace('\n', "\n    "))
            }
            _ => write_version_body(&mut w, version, shape, ranges),
        }
        w.close('}');
    }
    w.close(']');
    w.close('}');
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn render_standalone(version: &Version, shape: &Shape, ranges: Ranges) -> String {
        render_version("Report", version, &version_body(version, shape, ranges))
    }

    #[test]
    fn a_version_is_closed_and_fully_required() {
        let shape = Shape::of(&[
            ("tier", WireType::Enum(vec!["a".into(), "b".into()])),
            ("counts", WireType::Map(Box::new(WireType::Integer))),
        ]);
        let text = render_standalone(&Version::parse("1.2").unwrap(), &shape, &BTreeMap::new());
        let schema: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(schema["$schema"], DRAFT);
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(
            schema["required"],
            json!(["schema_version", "tier", "counts"])
        );
        assert_eq!(
            schema["properties"]["schema_version"],
            json!({ "const": "1.2" })
        );
        assert_eq!(schema["properties"]["tier"], json!({ "enum": ["a", "b"] }));
        assert_eq!(
            schema["properties"]["counts"],
            json!({ "type": "object", "additionalProperties": { "type": "integer" } })
        );
    }

    #[test]
    fn sections_are_closed_objects_at_every_level() {
        let wire = |text| WireType::parse_canonical(text).unwrap();
        let shape = Shape::of(&[
            ("system", wire("object")),
            ("system.distribution", wire("string | null")),
            ("system.cpu", wire("object")),
            ("system.cpu.cores", wire("integer")),
            ("gpus", wire("object[] | null")),
            ("gpus[].model", wire("string")),
            ("clusters", wire("map<string, object>")),
            ("clusters.*.nodes", wire("integer")),
            ("count", wire("integer")),
        ]);
        let ranges =
            BTreeMap::from([("clusters.*.nodes".to_owned(), IntegerRange::of_type("u16"))]);
        let text = render_standalone(&Version::parse("1.0").unwrap(), &shape, &ranges);
        let schema: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            schema["required"],
            json!(["schema_version", "system", "gpus", "clusters", "count"])
        );
        let system = &schema["properties"]["system"];
        assert_eq!(system["additionalProperties"], false);
        assert_eq!(system["required"], json!(["distribution", "cpu"]));
        assert_eq!(
            system["properties"]["distribution"],
            json!({ "anyOf": [{ "type": "string" }, { "type": "null" }] })
        );
        assert_eq!(
            system["properties"]["cpu"],
            json!({
                "type": "object",
                "properties": { "cores": { "type": "integer" } },
                "required": ["cores"],
                "additionalProperties": false
            })
        );
        let gpus = &schema["properties"]["gpus"]["anyOf"][0];
        assert_eq!(gpus["type"], "array");
        assert_eq!(gpus["items"]["required"], json!(["model"]));
        let clusters = &schema["properties"]["clusters"]["additionalProperties"];
        assert_eq!(
            clusters["properties"]["nodes"],
            json!({ "type": "integer", "minimum": 0, "maximum": 65535 })
        );
        assert_eq!(
            schema["properties"]["count"],
            json!({ "type": "integer" }),
            "no range given"
        );
    }

    #[test]
    fn the_file_lists_every_version() {
        let shape = Shape::default();
        let releases = [
            (Version::parse("1.0").unwrap(), shape.clone()),
            (Version::parse("2.0").unwrap(), shape),
        ];
        let file: Value =
            serde_json::from_str(&render_file("Report", &releases, &BTreeMap::new(), None))
                .unwrap();
        let consts: Vec<&Value> = file["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| &v["properties"]["schema_version"]["const"])
            .collect();
        assert_eq!(consts, ["1.0", "2.0"]);
    }

    #[test]
    fn the_spliced_body_is_what_rendering_writes() {
        let wire = |text| WireType::parse_canonical(text).unwrap();
        let shape = Shape::of(&[
            ("system", wire("object")),
            ("system.cores", wire("integer | null")),
            ("gpus", wire("object[]")),
            ("gpus[].model", wire("string")),
        ]);
        let older = Shape::of(&[
            ("system", wire("object")),
            ("system.cores", wire("integer")),
        ]);
        let ranges = BTreeMap::from([("system.cores".to_owned(), IntegerRange::of_type("u8"))]);
        let [v1, v2] = ["1.0", "1.1"].map(|v| Version::parse(v).unwrap());
        let releases = [(v1, older), (v2.clone(), shape.clone())];
        let body = version_body(&v2, &shape, &ranges);
        let current = Current {
            version: &v2,
            shape: &shape,
            body: &body,
        };
        let rendered = render_file("Report", &releases, &ranges, None);
        assert_eq!(
            render_file("Report", &releases, &ranges, Some(&current)),
            rendered
        );
        // The standalone schema is the file's entry for that version.
        let file: Value = serde_json::from_str(&rendered).unwrap();
        let mut standalone: Value =
            serde_json::from_str(&render_version("Report", &v2, &body)).unwrap();
        standalone.as_object_mut().unwrap().remove("$schema");
        assert_eq!(file["oneOf"][1], standalone);
    }
}
