//! A section enum's variants in the schema: read back from their path
//! steps (see `ast::variants`), one alternative each.

use super::{bounds_at, write_consts, write_object_body, write_wire, Node, NotesByPath};
use crate::json::JsonWriter;
use crate::shape::WireType;

/// The variants of the enums flattened into one object, one list per
/// enum, told apart by their representation and tag (two enums of serde's
/// default tagging flattened into one struct read as one).
pub fn flattened_enums<'n, 'a>(variants: &[&'n Node<'a>]) -> Vec<Vec<&'n Node<'a>>> {
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
pub enum Step<'a> {
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

pub fn parse_step(key: &str) -> Option<Step<'_>> {
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
pub fn is_variants(children: &[Node]) -> bool {
    !children.is_empty() && children.iter().all(|node| parse_step(node.key).is_some())
}

/// One alternative per variant; tagged ones are told apart by their tag
/// (`oneOf`), untagged ones by their shapes (`anyOf`, as serde takes the
/// first that fits). `closed`: the enum is the whole value, so each
/// alternative is closed; else it is flattened into an object, which
/// closes them all (see [`write_object_body`]), and a unit variant of
/// serde's default tagging is a key with `null`, as serde flattens it.
pub fn write_variants(w: &mut JsonWriter, variants: &[&Node], by_path: NotesByPath, closed: bool) {
    let untagged = variants
        .iter()
        .all(|node| matches!(parse_step(node.key), Some(Step::Untagged(_))));
    w.key(if untagged { "anyOf" } else { "oneOf" });
    w.open('[');
    for node in variants {
        w.item();
        // A unit variant's row holds its name as its one value.
        let unit = matches!(node.wire, WireType::Enum(_));
        let bounds = bounds_at(by_path, node.path);
        let one_key = |w: &mut JsonWriter, fixed: &[(&str, &str)], key: &str, unit: bool| {
            w.open('{');
            w.key_string("type", "object");
            w.key("properties");
            w.open('{');
            write_consts(w, fixed);
            w.key(key);
            match unit {
                true => {
                    w.open('{');
                    w.key_string("type", "null");
                    w.close('}');
                }
                false => write_wire(w, node.wire, &node.children, bounds, by_path),
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
            write_object_body(w, fixed, fields, by_path, closed);
            w.close('}');
        };
        match parse_step(node.key) {
            Some(Step::External(name)) if unit && !closed => one_key(w, &[], name, true),
            Some(Step::External(_)) if unit => write_wire(w, node.wire, &[], bounds, by_path),
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
                write_wire(w, node.wire, &node.children, bounds, by_path)
            }
        }
    }
    w.close(']');
}
