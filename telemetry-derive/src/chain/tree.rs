//! The field tree that crosses from one derive to another.
//!
//! A derive sees only its own item, so a section's fields reach the payload
//! as tokens: each `#[derive(TelemetrySection)]` defines a hidden macro
//! carrying its fields in the form below (see `chain`), and the payload's
//! derive collects them. This module is that form: writing it, reading it
//! back, and flattening a tree into the dotted paths the history, the docs
//! table and the diff speak in.
//!
//! ```text
//! section := Name poisoned "records" [ ident* ] [ { section }* ]
//! records := one line per field:
//!            wire_name TAB why TAB renamed_from TAB wire_type TAB bounds TAB (child | _)
//! ```
//!
//! The idents are the fields' own, one per record in order: they keep their
//! spans, so an error about a nested field points at that field in its own
//! file. `child` indexes the trailing list: the sections of the fields, in
//! the order they were visited.
//!
//! The records are one raw string literal, lexed by the compiler and read
//! back by slicing (see `tokens`): a large payload's fields cross this form
//! once per section, in an unoptimized proc macro, and one literal costs a
//! fraction of one per text. No text holds a tab or a line break: names are
//! checked, why-texts have their whitespace collapsed, and wire types are
//! written with JSON escapes.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use syn::LitStr;

use crate::ast::{same_path, Field, Struct, Style, FLATTENED};
use crate::bounds::Bounds;
use crate::shape::{Shape, ShapeField, WireType};
use crate::std_struct::StdStruct;
use crate::tokens::{self, verbatim_contents};

/// A struct's fields as carried between derives.
pub struct Section {
    pub name: Ident,
    /// The struct (or a section inside it) had errors of its own, already
    /// reported: the payload's guard must not add follow-ups.
    pub poisoned: bool,
    pub fields: Vec<TreeField>,
    /// The sections of `fields`, indexed by [`TreeField::child`].
    pub children: Vec<Section>,
}

pub struct TreeField {
    /// The field in the user's source.
    pub ident: Ident,
    pub wire_name: String,
    /// The docs table's why cell.
    pub why: String,
    /// The recorded name this field replaces; empty when none.
    pub renamed_from: String,
    pub wire: WireType,
    /// The integer type's bounds (see [`Bounds`]).
    pub bounds: Bounds,
    /// Index into the section's `children` when the wire type holds an
    /// object.
    pub child: Option<usize>,
    /// The standard-library struct the wire type's object is, if so: its
    /// members are rows below this one (the record's child column names
    /// it: `duration`, `system_time`).
    pub std_struct: Option<StdStruct>,
    /// The privacy lint of its name waits for the payload's derive, which
    /// sees what the section path holds (`privacy::name_waits_for_chain`);
    /// a `?` after the child index.
    pub lint_name: bool,
}

impl TreeField {
    /// A row the derive writes itself (a struct's tag, a variant's own
    /// row): no rename, no bounds, nothing below it.
    fn generated(ident: &Ident, wire_name: String, why: String, wire: WireType) -> TreeField {
        TreeField {
            ident: ident.clone(),
            wire_name,
            why,
            renamed_from: String::new(),
            wire,
            bounds: Bounds::default(),
            child: None,
            std_struct: None,
            lint_name: false,
        }
    }
}

/// A struct's own fields, read from its derive input; `paths` are its
/// distinct section paths, which the fields' `child` indices point into.
/// A `#[serde(tag = "..")]` is the first: a key whose one value is the
/// struct's name.
pub fn fields_of(item: &Struct, paths: &[&syn::Path]) -> Vec<TreeField> {
    let tag = item.serde.tag.as_ref().map(|tag| {
        let name = item.serialized_name();
        let why = format!("The kind of record, always `{name}` (serde's `tag`).");
        TreeField::generated(item.ident, tag.value(), why, WireType::Enum(vec![name]))
    });
    let to_tree = |field: &Field| TreeField {
        ident: field.ident.clone(),
        wire_name: field.wire_name.clone(),
        why: field.why_row(),
        renamed_from: field
            .attrs
            .renamed_from
            .as_ref()
            .map(LitStr::value)
            .unwrap_or_default(),
        wire: field.wire.clone().unwrap_or(WireType::String),
        bounds: field.bounds,
        child: field
            .section
            .and_then(|path| paths.iter().position(|seen| same_path(seen, path))),
        std_struct: field.std_struct.map(|(std_struct, _)| std_struct),
        lint_name: crate::privacy::name_waits_for_chain(
            &field.key,
            field.section.is_some(),
            field.attrs.reviewed.is_some(),
        ),
    };
    let Some((repr, variants)) = &item.variants else {
        return tag
            .into_iter()
            .chain(item.fields.iter().map(to_tree))
            .collect();
    };
    // A variant's own row, then its fields; a newtype variant's one field
    // is its row.
    let mut out = Vec::with_capacity(item.fields.len() + variants.len());
    for variant in variants.iter().filter(|variant| !variant.skipped) {
        let row = |wire| {
            let why = match variant.why.as_str() {
                "" => format!("Sent as `{}`, without data.", variant.name),
                why => why.to_owned(),
            };
            TreeField::generated(variant.ident, repr.step(&variant.name), why, wire)
        };
        match variant.style {
            Style::Unit => out.push(row(WireType::Enum(vec![variant.name.clone()]))),
            Style::Struct => out.push(row(WireType::Object)),
            Style::Newtype => {}
        }
        out.extend(item.fields[variant.fields.clone()].iter().map(to_tree));
    }
    out
}

/// A value enum's data: one record without a name, like a newtype's, so
/// a field holding the enum takes its values in place of the object.
pub fn write_value_enum(name: &Ident, values: Vec<String>) -> TokenStream {
    let only = TreeField::generated(name, String::new(), String::new(), WireType::Enum(values));
    write_item(name, false, &[only])
}

/// `Name poisoned "records" [ idents ]`: a struct's own part of its
/// section data, before its children are known.
pub fn write_item(name: &Ident, poisoned: bool, fields: &[TreeField]) -> TokenStream {
    let mut records = String::with_capacity(160 * fields.len());
    for field in fields {
        let (wire, bounds) = (field.wire.canonical(), field.bounds.spell());
        for text in [
            &field.wire_name,
            &field.why,
            &field.renamed_from,
            &wire,
            &bounds,
        ] {
            records.push_str(text);
            records.push('\t');
        }
        match (field.child, field.std_struct) {
            (Some(index), _) => {
                records.push_str(&index.to_string());
                if field.lint_name {
                    records.push('?');
                }
            }
            (None, Some(std_struct)) => records.push_str(std_struct.word()),
            (None, None) => records.push('_'),
        }
        records.push('\n');
    }
    let mut literal = String::with_capacity(records.len() + 8);
    tokens::push_str_literal(&mut literal, &records);
    let idents: TokenStream = fields
        .iter()
        .map(|field| TokenTree::Ident(field.ident.clone()))
        .collect();
    let poisoned = if poisoned { "true" } else { "false" };
    let mut out: TokenStream = [
        TokenTree::Ident(name.clone()),
        TokenTree::Ident(Ident::new(poisoned, Span::call_site())),
    ]
    .into_iter()
    .collect();
    out.extend(tokens::parse_generated(&literal));
    out.extend([TokenTree::Group(Group::new(Delimiter::Bracket, idents))]);
    out
}

/// Reads [`write_item`]'s form from `tokens`, and with `children`, the
/// `[ { section }* ]` list after it. The error names what was expected.
pub fn read_section(
    tokens: &mut impl Iterator<Item = TokenTree>,
    children: bool,
) -> Result<Section, String> {
    let name = match tokens.next() {
        Some(TokenTree::Ident(name)) => name,
        _ => return Err("a section name".to_owned()),
    };
    let poisoned = match tokens.next() {
        Some(TokenTree::Ident(flag)) => flag == "true",
        _ => return Err("`true` or `false`".to_owned()),
    };
    let records = match tokens.next() {
        Some(TokenTree::Literal(records)) => literal_text(records)?,
        _ => return Err("the field records".to_owned()),
    };
    let idents = group(tokens, Delimiter::Bracket)?;
    let fields = read_fields(records, idents)?;
    let children = if children {
        read_sections(group(tokens, Delimiter::Bracket)?)?
    } else {
        Vec::new()
    };
    Ok(Section {
        name,
        poisoned,
        fields,
        children,
    })
}

/// `{ section }*`.
pub fn read_sections(tokens: TokenStream) -> Result<Vec<Section>, String> {
    tokens
        .into_iter()
        .map(|child| match child {
            TokenTree::Group(child) if child.delimiter() == Delimiter::Brace => {
                read_section(&mut child.stream().into_iter(), true)
            }
            _ => Err("`{ section }`".to_owned()),
        })
        .collect()
}

fn group(
    tokens: &mut impl Iterator<Item = TokenTree>,
    delimiter: Delimiter,
) -> Result<TokenStream, String> {
    match tokens.next() {
        Some(TokenTree::Group(group)) if group.delimiter() == delimiter => Ok(group.stream()),
        _ => Err(format!("a {delimiter:?} group")),
    }
}

fn read_fields(records: String, idents: TokenStream) -> Result<Vec<TreeField>, String> {
    let mut records = records.lines();
    let mut fields = Vec::new();
    for ident in idents {
        let TokenTree::Ident(ident) = ident else {
            return Err("a field ident".to_owned());
        };
        let record = records.next().ok_or("a record for each ident")?;
        let mut columns = record.split('\t');
        let mut column = || columns.next().ok_or("six tab-separated columns");
        let (wire_name, why, renamed_from, wire, bounds, child) = (
            column()?,
            column()?,
            column()?,
            column()?,
            column()?,
            column()?,
        );
        let (child, lint_name) = match child.strip_suffix('?') {
            Some(index) => (index, true),
            None => (child, false),
        };
        fields.push(TreeField {
            ident,
            wire_name: wire_name.to_owned(),
            why: why.to_owned(),
            renamed_from: renamed_from.to_owned(),
            wire: WireType::parse_canonical(wire)?,
            bounds: Bounds::parse(bounds)?,
            child: match child {
                "_" => None,
                word if StdStruct::from_word(word).is_some() => None,
                index => Some(
                    index
                        .parse()
                        .map_err(|_| "a child index, a std struct or `_`")?,
                ),
            },
            std_struct: StdStruct::from_word(child),
            lint_name,
        });
    }
    match records.next() {
        None => Ok(fields),
        Some(_) => Err("as many idents as records".to_owned()),
    }
}

/// The value of a string literal this crate wrote: sliced out of a raw
/// literal, unescaped only in the rare escaped one.
fn literal_text(literal: Literal) -> Result<String, String> {
    let repr = literal.to_string();
    if let Some(text) = verbatim_contents(&repr) {
        return Ok(text.to_owned());
    }
    match syn::Lit::new(literal) {
        syn::Lit::Str(lit) => Ok(lit.value()),
        _ => Err("a string literal".to_owned()),
    }
}

/// One row of the flattened tree: a field at its full path.
pub struct FlatField {
    /// `system.cpu.cores`, `gpu_devices[].model`, `clusters.*.nodes`.
    pub path: String,
    pub wire: WireType,
    pub why: String,
    pub bounds: Bounds,
    /// Where the field is declared.
    pub span: Span,
    /// The path it had before a `renamed_from` on it or on a section
    /// holding it; `None` when neither was renamed.
    pub renamed_from: Option<String>,
    /// The field's ident and wire name when its name is still to be linted:
    /// it waited for the chain, which showed no closed list of values.
    pub lint_name: Option<(Ident, String)>,
}

/// The fields of `fields` and every section below them, parents before
/// children, each at its full path.
pub fn flatten(fields: &[TreeField], children: &[Section]) -> Vec<FlatField> {
    let mut out = Vec::new();
    flatten_into(&mut out, fields, children, "", None);
    out
}

fn flatten_into(
    out: &mut Vec<FlatField>,
    fields: &[TreeField],
    children: &[Section],
    prefix: &str,
    old_prefix: Option<&str>,
) {
    for field in fields {
        // A flattened section's fields are the holder's, at its prefix.
        if field.wire_name == FLATTENED {
            if let Some(section) = field.child.and_then(|index| children.get(index)) {
                flatten_into(out, &section.fields, &section.children, prefix, old_prefix);
            }
            continue;
        }
        let path = format!("{prefix}{}", field.wire_name);
        let old_name = match field.renamed_from.as_str() {
            "" => &field.wire_name,
            from => from,
        };
        let renamed_from = match (old_prefix, field.renamed_from.is_empty()) {
            (None, true) => None,
            (old_prefix, _) => Some(format!("{}{old_name}", old_prefix.unwrap_or(prefix))),
        };
        // A newtype section is its one field's value, in the place of the
        // object: `Vec<Threads>` of `struct Threads(u32)` is `integer[]`.
        let (mut wire, mut bounds) = (field.wire.clone(), field.bounds);
        let mut section = field.child.and_then(|index| children.get(index));
        while let Some(newtype) = section.and_then(Section::newtype_field) {
            wire = wire.with_object_as(&newtype.wire);
            bounds = newtype.bounds;
            section = newtype.child.and_then(|index| section?.children.get(index));
        }
        let lint_name = (field.lint_name && !crate::privacy::is_closed(&wire))
            .then(|| (field.ident.clone(), field.wire_name.clone()));
        out.push(FlatField {
            path: path.clone(),
            wire: wire.clone(),
            why: field.why.clone(),
            bounds,
            span: field.ident.span(),
            renamed_from: renamed_from.clone(),
            lint_name,
        });
        if let (Some(std_struct), Some(separator)) = (field.std_struct, wire.child_separator()) {
            for member in std_struct.members() {
                out.push(FlatField {
                    path: format!("{path}{separator}{}", member.key),
                    wire: WireType::Integer,
                    why: member.why.to_owned(),
                    bounds: member.bounds,
                    span: field.ident.span(),
                    renamed_from: renamed_from
                        .as_ref()
                        .map(|old| format!("{old}{separator}{}", member.key)),
                    lint_name: None,
                });
            }
        }
        let (Some(section), Some(separator)) = (section, wire.child_separator()) else {
            continue;
        };
        let old = renamed_from.map(|old| format!("{old}{separator}"));
        flatten_into(
            out,
            &section.fields,
            &section.children,
            &format!("{path}{separator}"),
            old.as_deref(),
        );
    }
}

impl Section {
    /// The one field of a newtype section, which has no wire name.
    fn newtype_field(&self) -> Option<&TreeField> {
        match self.fields.as_slice() {
            [only] if only.wire_name.is_empty() => Some(only),
            _ => None,
        }
    }
}

/// Whether any field of `fields` or of a section below is `#[serde(flatten)]`.
pub fn any_flattened(fields: &[TreeField], children: &[Section]) -> bool {
    fields.iter().any(|field| field.wire_name == FLATTENED)
        || children
            .iter()
            .any(|child| any_flattened(&child.fields, &child.children))
}

/// Whether any section in the tree had errors of its own.
pub fn any_poisoned(children: &[Section]) -> bool {
    children
        .iter()
        .any(|child| child.poisoned || any_poisoned(&child.children))
}

/// The wire shape of flattened fields.
pub fn shape_of(flat: &[FlatField]) -> Shape {
    Shape {
        fields: flat
            .iter()
            .map(|field| ShapeField {
                name: field.path.clone(),
                wire: field.wire.clone(),
            })
            .collect(),
        renames: Vec::new(),
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
