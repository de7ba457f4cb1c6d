//! The field tree that crosses from one derive to another.
//!
//! A derive sees only its own item, so a section's fields reach the payload
//! as tokens: each `#[derive(TelemetrySection)]` defines a hidden macro
//! carrying its fields in the form below (see `nested`), and the payload's
//! derive collects them. This module is that form: writing it, reading it
//! back, and flattening a tree into the dotted paths the history, the docs
//! table and the diff speak in.
//!
//! ```text
//! section := Name poisoned { field* } [ { section }* ]
//! field   := ident "wire_name" "why" "renamed_from" "wire type" (child | _) ;
//! ```
//!
//! `child` indexes the trailing list: the sections of the fields, in the
//! order they were visited. The field's ident keeps its span, so an error
//! about a nested field points at that field in its own file.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::{braced, bracketed, LitBool, LitInt, LitStr, Token};

use crate::ast::Payload;
use crate::expand::same_path;
use crate::shape::{Shape, ShapeField, WireType};

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
    /// Index into the section's `children` when the wire type holds an
    /// object.
    pub child: Option<usize>,
}

/// A struct's own fields, read from its derive input; `paths` are its
/// distinct section paths, which the fields' `child` indices point into.
pub fn fields_of(payload: &Payload, paths: &[&syn::Path]) -> Vec<TreeField> {
    payload
        .fields
        .iter()
        .map(|field| TreeField {
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
            child: field
                .section
                .and_then(|path| paths.iter().position(|seen| same_path(seen, path))),
        })
        .collect()
}

/// `Name poisoned { fields }`: a struct's own part of its section data,
/// before its children are known.
pub fn write_item(name: &Ident, poisoned: bool, fields: &[TreeField]) -> TokenStream {
    let mut body = TokenStream::new();
    for field in fields {
        body.extend([TokenTree::Ident(field.ident.clone())]);
        let wire = field.wire.canonical();
        for text in [&field.wire_name, &field.why, &field.renamed_from, &wire] {
            body.extend([TokenTree::Literal(Literal::string(text))]);
        }
        body.extend([
            match field.child {
                Some(index) => TokenTree::Literal(Literal::usize_unsuffixed(index)),
                None => TokenTree::Ident(Ident::new("_", Span::call_site())),
            },
            TokenTree::Punct(Punct::new(';', Spacing::Alone)),
        ]);
    }
    let poisoned = if poisoned { "true" } else { "false" };
    [
        TokenTree::Ident(name.clone()),
        TokenTree::Ident(Ident::new(poisoned, Span::call_site())),
        TokenTree::Group(Group::new(Delimiter::Brace, body)),
    ]
    .into_iter()
    .collect()
}

impl Parse for Section {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let (name, poisoned, fields) = parse_item(input)?;
        let content;
        bracketed!(content in input);
        let mut children = Vec::new();
        while !content.is_empty() {
            let child;
            braced!(child in content);
            children.push(child.parse()?);
        }
        Ok(Section {
            name,
            poisoned,
            fields,
            children,
        })
    }
}

/// `Name poisoned { fields }`, as [`write_item`] writes it.
pub fn parse_item(input: ParseStream) -> syn::Result<(Ident, bool, Vec<TreeField>)> {
    let name: Ident = input.parse()?;
    let poisoned: LitBool = input.parse()?;
    let content;
    braced!(content in input);
    let mut fields = Vec::new();
    while !content.is_empty() {
        fields.push(content.parse()?);
    }
    Ok((name, poisoned.value, fields))
}

impl Parse for TreeField {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident: Ident = input.parse()?;
        let wire_name: LitStr = input.parse()?;
        let why: LitStr = input.parse()?;
        let renamed_from: LitStr = input.parse()?;
        let wire: LitStr = input.parse()?;
        let child = if input.peek(Token![_]) {
            input.parse::<Token![_]>()?;
            None
        } else {
            Some(input.parse::<LitInt>()?.base10_parse()?)
        };
        input.parse::<Token![;]>()?;
        let wire = WireType::parse_canonical(&wire.value())
            .map_err(|why| syn::Error::new(ident.span(), why))?;
        Ok(TreeField {
            ident,
            wire_name: wire_name.value(),
            why: why.value(),
            renamed_from: renamed_from.value(),
            wire,
            child,
        })
    }
}

/// One row of the flattened tree: a field at its full path.
pub struct FlatField {
    /// `system.cpu.cores`, `gpu_devices[].model`, `clusters.*.nodes`.
    pub path: String,
    pub wire: WireType,
    pub why: String,
    /// Where the field is declared.
    pub span: Span,
    /// The path it had before a `renamed_from` on it or on a section
    /// holding it; `None` when neither was renamed.
    pub renamed_from: Option<String>,
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
        let path = format!("{prefix}{}", field.wire_name);
        let old_name = match field.renamed_from.as_str() {
            "" => &field.wire_name,
            from => from,
        };
        let renamed_from = match (old_prefix, field.renamed_from.is_empty()) {
            (None, true) => None,
            (old_prefix, _) => Some(format!("{}{old_name}", old_prefix.unwrap_or(prefix))),
        };
        out.push(FlatField {
            path: path.clone(),
            wire: field.wire.clone(),
            why: field.why.clone(),
            span: field.ident.span(),
            renamed_from: renamed_from.clone(),
        });
        let (Some(section), Some(separator)) = (
            field.child.and_then(|index| children.get(index)),
            field.wire.child_separator(),
        ) else {
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
mod tests {
    use super::*;

    fn parse(tokens: &str) -> Section {
        syn::parse_str(tokens).unwrap()
    }

    #[test]
    fn nested_sections_flatten_to_paths_in_order() {
        let tree = parse(
            r#"Report false {
                system "system" "Platform." "" "object" 0;
                gpus "gpu_devices" "GPUs." "" "object[] | null" 1;
                count "count" "Count." "" "integer | null" _;
            } [
                { SystemInfo false {
                    distribution "distribution" "Distro." "" "string | null" _;
                    cpu "cpu" "CPU." "" "object" 0;
                } [ { CpuInfo false { cores "cores" "Cores." "" "integer" _; } [] } ] }
                { GpuDevice false { model "model" "Model." "" "string" _; } [] }
            ]"#,
        );
        let flat = flatten(&tree.fields, &tree.children);
        let paths: Vec<(&str, String)> = flat
            .iter()
            .map(|f| (f.path.as_str(), f.wire.canonical()))
            .collect();
        assert_eq!(
            paths,
            [
                ("system", "object".to_owned()),
                ("system.distribution", "string | null".to_owned()),
                ("system.cpu", "object".to_owned()),
                ("system.cpu.cores", "integer".to_owned()),
                ("gpu_devices", "object[] | null".to_owned()),
                ("gpu_devices[].model", "string".to_owned()),
                ("count", "integer | null".to_owned()),
            ]
        );
        assert!(flat.iter().all(|f| f.renamed_from.is_none()));
        assert!(!any_poisoned(&tree.children));
    }

    #[test]
    fn a_renamed_section_renames_everything_below_it() {
        let tree = parse(
            r#"Report false {
                clusters "clusters" "Per cluster." "fleet" "map<string, object>" 0;
            } [ { Cluster true {
                nodes "node_count" "Nodes." "nodes" "integer" _;
                kind "kind" "Kind." "" "string" _;
            } [] } ]"#,
        );
        let flat = flatten(&tree.fields, &tree.children);
        let renames: Vec<(&str, Option<&str>)> = flat
            .iter()
            .map(|f| (f.path.as_str(), f.renamed_from.as_deref()))
            .collect();
        assert_eq!(
            renames,
            [
                ("clusters", Some("fleet")),
                ("clusters.*.node_count", Some("fleet.*.nodes")),
                ("clusters.*.kind", Some("fleet.*.kind")),
            ]
        );
        assert!(any_poisoned(&tree.children));
    }

    #[test]
    fn malformed_data_is_an_error_not_a_panic() {
        for text in [
            "Report false { a \"a\" \"w\" \"\" \"strung\" _; } []",
            "Report false { a \"a\" \"w\" \"\" \"string\" ; } []",
            "Report { } []",
        ] {
            assert!(syn::parse_str::<Section>(text).is_err(), "{text}");
        }
    }
}
