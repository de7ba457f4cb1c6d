//! JSON Schema (draft 2020-12) from recorded shapes, for receivers to
//! validate reports with any validator. Generated from the same shapes as
//! the history, so it cannot say anything the history does not, except the
//! bounds of each integer field's current Rust type (`minimum: 0` for an
//! unsigned one), which is not part of the wire shape: it applies to every
//! recorded version where that path is an integer.

use std::collections::BTreeMap;

use crate::bounds::Bounds;
use crate::json::JsonWriter;
use crate::shape::{Shape, ShapeField, WireType, SCHEMA_VERSION_KEY};
use crate::version::Version;
use variants::{flattened_enums, is_variants, parse_step, write_variants};

mod variants;

/// What the current Rust type of a field says beyond its recorded shape:
/// its bounds and its why-text, the property's `description`. They apply
/// to every recorded version where the path is (a field's type and why
/// can change without a version bump).
#[derive(Clone, Debug, Default)]
pub struct Notes {
    pub bounds: Bounds,
    pub why: String,
}

/// [`Notes`] by field path. A map: every field of every recorded version
/// looks its path up.
pub type NotesByPath<'a> = &'a BTreeMap<String, Notes>;

fn bounds_at(by_path: NotesByPath, path: &str) -> Bounds {
    by_path
        .get(path)
        .map(|notes| notes.bounds)
        .unwrap_or_default()
}

/// The schema file's key for `raw_retention_days`.
pub const RETENTION_KEY: &str = "x-raw-retention-days";

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
/// `bounds` what its Rust type bounds (see [`Bounds`]).
fn write_wire(
    w: &mut JsonWriter,
    wire: &WireType,
    children: &[Node],
    bounds: Bounds,
    by_path: NotesByPath,
) {
    // Whether the key is there is the object's `required`; when it is,
    // its value is the inner type's.
    if let WireType::MayBeAbsent(inner) = wire {
        return write_wire(w, inner, children, bounds, by_path);
    }
    w.open('{');
    write_wire_keys(w, wire, children, bounds, by_path);
    w.close('}');
}

/// A field's schema: its why-text as the `description`, then its type's.
fn write_field(w: &mut JsonWriter, field: &Node, by_path: NotesByPath) {
    let notes = by_path.get(field.path);
    let wire = match field.wire {
        WireType::MayBeAbsent(inner) => inner,
        wire => wire,
    };
    w.open('{');
    if let Some(notes) = notes.filter(|notes| !notes.why.is_empty()) {
        w.key_string("description", &notes.why);
    }
    let bounds = notes.map(|notes| notes.bounds).unwrap_or_default();
    write_wire_keys(w, wire, &field.children, bounds, by_path);
    w.close('}');
}

/// The keys of `wire`'s schema, inside its open `{` (see [`write_wire`]).
fn write_wire_keys(
    w: &mut JsonWriter,
    wire: &WireType,
    children: &[Node],
    bounds: Bounds,
    by_path: NotesByPath,
) {
    match wire {
        WireType::String => {
            w.key_string("type", "string");
            if let Some(max) = bounds.max_length {
                w.key("maxLength");
                w.number(max);
            }
        }
        WireType::Formatted(format) => {
            w.key_string("type", "string");
            w.key_string("format", format.name());
        }
        WireType::Integer => {
            w.key_string("type", "integer");
            for (key, bound) in [("minimum", bounds.minimum), ("maximum", bounds.maximum)] {
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
            write_wire(w, item, children, bounds, by_path);
            // The list bounds are the innermost list's.
            if !item.holds_list() {
                if bounds.unique_items {
                    w.key("uniqueItems");
                    w.boolean(true);
                }
                if let Some(length) = bounds.items {
                    for key in ["minItems", "maxItems"] {
                        w.key(key);
                        w.number(length);
                    }
                }
            }
        }
        WireType::Map(value) => {
            w.key_string("type", "object");
            if let Some(max) = bounds.max_length {
                w.key("propertyNames");
                w.open('{');
                w.key("maxLength");
                w.number(max);
                w.close('}');
            }
            w.key("additionalProperties");
            write_wire(w, value, children, bounds, by_path);
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
            write_wire(w, inner, children, bounds, by_path);
            w.item();
            w.open('{');
            w.key_string("type", "null");
            w.close('}');
            w.close(']');
        }
        WireType::Object if is_variants(children) => {
            let variants: Vec<&Node> = children.iter().collect();
            write_variants(w, &variants, by_path, true)
        }
        WireType::Object => write_object_body(w, &[], children, by_path, true),
        // Any JSON: the empty schema.
        WireType::Any => {}
        // Written by the callers, without a level of its own.
        WireType::MayBeAbsent(inner) => write_wire_keys(w, inner, children, bounds, by_path),
    }
}

/// Constant keys (the report's `schema_version`, a variant's tag) as
/// `const` properties, inside an open `properties`.
fn write_consts(w: &mut JsonWriter, fixed: &[(&str, &str)]) {
    for (key, value) in fixed {
        w.key(key);
        w.open('{');
        w.key_string("const", value);
        w.close('}');
    }
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
    by_path: NotesByPath,
    closed: bool,
) {
    let (variants, fields): (Vec<&Node>, Vec<&Node>) = fields
        .iter()
        .partition(|node| parse_step(node.key).is_some());
    w.key_string("type", "object");
    w.key("properties");
    w.open('{');
    write_consts(w, fixed);
    for field in &fields {
        w.key(field.key);
        write_field(w, field, by_path);
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
        [only] => write_variants(w, only, by_path, false),
        several => {
            w.key("allOf");
            w.open('[');
            for variants in several {
                w.item();
                w.open('{');
                write_variants(w, variants, by_path, false);
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

/// The rest of one version's schema, inside an open object after its head.
fn write_version_body(w: &mut JsonWriter, version: &Version, shape: &Shape, by_path: NotesByPath) {
    let fields = nodes(&shape.fields, &mut 0, "");
    write_object_body(
        w,
        &[(SCHEMA_VERSION_KEY, version.as_str())],
        &fields,
        by_path,
        true,
    );
}

/// One version's entries after its title, rendered once for both the
/// payload's `JSON_SCHEMA` and the schema file: a large payload's rendering
/// is a cost worth paying once (docs/performance.md).
pub fn version_body(version: &Version, shape: &Shape, by_path: NotesByPath) -> String {
    let mut w = JsonWriter::entries_at(1);
    write_version_body(&mut w, version, shape, by_path);
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
    by_path: NotesByPath,
    retention: Option<u64>,
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
    // The page's promise, for the receiver to take as its default (an
    // annotation to validators: `x-` keywords are ignored).
    if let Some(days) = retention {
        w.key(RETENTION_KEY);
        w.number(days);
    }
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
            _ => write_version_body(&mut w, version, shape, by_path),
        }
        w.close('}');
    }
    w.close(']');
    w.close('}');
    w.finish()
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
