//! Validation of a parsed payload, section or value enum, apart from code
//! generation. Every rule is a named function called from one of the
//! entry points ([`check_struct`], [`check_value_enum`]), as serde's
//! `check.rs` does; every problem is recorded in the context, and nothing
//! stops at the first.

// Ordered maps for names: the names of an enum's fields carry their
// variant's path, and unoptimized (as cargo builds a proc macro) hashing a
// long name costs more than a B-tree's comparisons (measured at 200 variants).
use std::collections::BTreeMap;

use crate::ast::{Field, Kind, Repr, Struct, Style, ValueEnum};
use crate::attr;
use crate::ctxt::Ctxt;
use crate::docs_format::DocsFormat;
use crate::privacy;
use crate::shape::{WireType, SCHEMA_VERSION_KEY};
use crate::version::Version;
use crate::wire::type_text;

/// Checks a payload or section; returns a payload's parsed version when it
/// has a valid one (a section has none).
pub fn check_struct(cx: &Ctxt, item: &Struct) -> Option<Version> {
    let version = match item.kind {
        Kind::Payload => check_container(cx, item),
        Kind::Section => None,
    };
    // Nested fields are named by path (`system.cpu.cores`), so `.` cannot
    // be part of a name once there is nesting.
    let nested = item.kind == Kind::Section || item.fields.iter().any(|f| f.section.is_some());
    let mut wire_names = BTreeMap::new();
    check_tag(cx, item);
    check_enum(cx, item);
    check_newtype(cx, item);
    for field in &item.fields {
        check_not_schema_version(cx, field);
        // A newtype's value is described by the field that holds it, a
        // flattened section's by its own fields.
        if !item.newtype && !field.serde.flatten {
            check_has_why(cx, field);
        }
        check_rename(cx, field, nested);
        check_not_holding_itself(cx, item, field);
        if !field.serde.flatten {
            check_wire_name_unused(cx, field, &mut wire_names);
        }
        check_values_has_enum(cx, field);
        check_free_form(cx, field);
        if field.attrs.free_form.is_none() {
            check_privacy(cx, field, item.newtype);
        }
        check_renamed_from(cx, field);
    }
    version
}

/// serde's `tag` on a struct is one more key: it may not be another's.
fn check_tag(cx: &Ctxt, item: &Struct) {
    let Some(tag) = &item.serde.tag else {
        return;
    };
    let key = tag.value();
    if key == SCHEMA_VERSION_KEY && item.kind == Kind::Payload {
        cx.error_spanned_by(
            tag,
            "#[serde(tag = \"schema_version\")] would send `schema_version` twice; the derive sends it first, from the attribute: choose another tag",
        );
    }
    if !is_wire_name(&key) || key.contains('.') {
        cx.error_spanned_by(
            tag,
            format!("#[serde(tag = {key:?})] is a wire key: letters, digits, `_` and `-`"),
        );
    }
    // An enum's tag shares an object with its fields only when internal.
    let shares_object = match &item.variants {
        None => true,
        Some((repr, _)) => matches!(repr, Repr::Internal { .. }),
    };
    let clashing = item
        .fields
        .iter()
        .filter(|field| shares_object && field.key == key);
    for field in clashing {
        cx.error_spanned_by(
            field.ident,
            format!(
                "field `{}` is sent as `{key}`, which #[serde(tag = {key:?})] already sends; rename one of them",
                field.ident
            ),
        );
    }
}

fn check_newtype(cx: &Ctxt, item: &Struct) {
    if item.serde.transparent && item.kind == Kind::Payload {
        cx.error_spanned_by(
            item.ident,
            "#[serde(transparent)] would send the payload as its one field, but a report is an object \
             with `schema_version` first; remove it",
        );
    }
    if item.serde.transparent && item.declared_fields != 1 {
        cx.error_spanned_by(
            item.ident,
            "#[serde(transparent)] needs exactly one field, as serde says",
        );
    }
    if item.serde.tag.is_some() && item.newtype {
        cx.error_spanned_by(
            item.ident,
            "#[serde(tag)] is for structs with named fields; a newtype is sent as its value",
        );
    }
    if item.newtype && item.fields.is_empty() {
        cx.error_spanned_by(
            item.ident,
            "this newtype's one field is skipped, so it would send nothing; remove the skip",
        );
    }
}

/// serde's enum attributes, and each variant of a section enum.
fn check_enum(cx: &Ctxt, item: &Struct) {
    let serde = &item.serde;
    let Some((repr, variants)) = &item.variants else {
        for (given, key) in [
            (serde.content.as_ref().map(|lit| lit.span()), "content"),
            (
                serde.untagged.as_ref().map(syn::spanned::Spanned::span),
                "untagged",
            ),
        ] {
            if let Some(span) = given {
                cx.error_spanned_at(
                    span,
                    format!("#[serde({key})] can only be used on enums, as serde says"),
                );
            }
        }
        return;
    };
    if let (Some(content), None) = (&serde.content, &serde.tag) {
        cx.error_spanned_by(
            content,
            "#[serde(content = \"..\")] needs a `tag` beside it, as serde says",
        );
    }
    if let (Some(untagged), Some(_)) = (&serde.untagged, &serde.tag) {
        cx.error_spanned_by(
            untagged,
            "an enum cannot be both untagged and tagged; keep one",
        );
    }
    let mut names = BTreeMap::new();
    for variant in variants.iter().filter(|variant| !variant.skipped) {
        let ident = variant.ident;
        if variant.style != Style::Unit && variant.why.is_empty() {
            cx.error_spanned_by(
                ident,
                format!(
                    "variant `{ident}` carries data but has no `///` doc comment; it is the variant's row on the \
                     docs page: add `/// <why this event is collected>` above it"
                ),
            );
        }
        if !is_wire_name(&variant.name) || variant.name.contains('.') {
            cx.error_spanned_by(
                ident,
                format!("variant `{ident}` is sent as {:?}; a variant name is letters, digits, `_` and `-`", variant.name),
            );
        }
        if let Some(first) = names.insert(variant.name.as_str(), ident) {
            cx.error_spanned_by(
                ident,
                format!("variants `{first}` and `{ident}` are both sent as \"{}\"; a receiver could not tell them apart", variant.name),
            );
        }
        match (repr, variant.style) {
            // Serde writes the tag among the held value's own keys, so
            // that value must be an object: a section.
            (Repr::Internal { .. }, Style::Newtype) => {
                let held = &item.fields[variant.fields.clone()];
                if let [field] = held {
                    if field.section.is_none() || field.wire != Some(WireType::Object) {
                        cx.error_spanned_by(
                            field.ty,
                            format!(
                                "variant `{ident}` of an internally tagged enum holds `{}`, but serde writes the tag \
                                 among the keys of the value it holds, so it must be a struct deriving TelemetrySection; \
                                 name its fields (`{ident} {{ .. }}`), or tag the enum adjacently: \
                                 #[serde(tag = \"..\", content = \"..\")]",
                                type_text(field.ty)
                            ),
                        );
                    }
                }
            }
            (Repr::Untagged, Style::Unit) => cx.error_spanned_by(
                ident,
                format!("unit variant `{ident}` of an untagged enum is sent as `null`; give it data or tag the enum"),
            ),
            _ => {}
        }
    }
}

fn check_not_schema_version(cx: &Ctxt, field: &Field) {
    let name = field.ident;
    if field.wire_name == SCHEMA_VERSION_KEY {
        cx.error_spanned_by(
            name,
            format!(
                "field `{name}` would send `schema_version`, which the derive already sends from \
                 #[telemetry(schema_version = \"...\")]; remove the field (or rename it): the version has one source"
            ),
        );
    }
}

fn check_has_why(cx: &Ctxt, field: &Field) {
    let name = field.ident;
    if field.why.is_empty() {
        cx.error_spanned_by(
            name,
            format!(
                "field `{name}` has no `///` doc comment; it is the \"Why it's collected\" column of the docs page: \
                 add `/// <why this is collected>` above the field"
            ),
        );
    }
}

fn check_rename(cx: &Ctxt, field: &Field, nested: bool) {
    let (name, wire_name) = (field.ident, field.key.as_str());
    let Some(rename) = field.attrs.rename.as_ref().or(field.serde.rename.as_ref()) else {
        return;
    };
    if !is_wire_name(wire_name) {
        cx.error_spanned_by(
            rename,
            format!("field `{name}` is renamed to {wire_name:?}; a wire name is letters, digits, `_`, `-` and `.`"),
        );
    } else if nested && wire_name.contains('.') {
        cx.error_spanned_by(
            rename,
            format!(
                "field `{name}` is renamed to {wire_name:?}, but with sections `.` separates the path of a \
                 nested field (`system.cpu.cores`); use letters, digits, `_` and `-`"
            ),
        );
    }
}

/// `Name`, `self::Name` or `Self` in a section's own field; a longer path
/// may name another module's section of the same name (`gpu::Info` in
/// `Info`).
fn check_not_holding_itself(cx: &Ctxt, item: &Struct, field: &Field) {
    let (Kind::Section, Some(section)) = (item.kind, field.section) else {
        return;
    };
    let segments: Vec<&syn::Ident> = section.segments.iter().map(|s| &s.ident).collect();
    let holds_itself = match segments.as_slice() {
        [only] => *only == item.ident || *only == "Self",
        [first, last] => *first == "self" && *last == item.ident,
        _ => false,
    };
    if holds_itself {
        cx.error_spanned_by(
            section,
            format!(
                "section `{}` contains itself in field `{}`, so its docs table would never end; \
                 give the nested data a section type of its own",
                item.ident, field.ident
            ),
        );
    }
}

fn check_values_has_enum(cx: &Ctxt, field: &Field) {
    if let (Some(values), Some(_), true) = (
        &field.attrs.values,
        &field.wire,
        field.value_enums.is_empty(),
    ) {
        cx.error_spanned_by(
            values,
            format!(
                "`values` lists the wire strings of a TelemetryValue enum, but field `{}` holds none; remove it",
                field.ident
            ),
        );
    }
}

/// Two names are not linted here: a newtype's one value has none of its
/// own on the wire (the field holding it is linted instead), and a field
/// holding a section path is linted once the chain shows what the path
/// holds (`privacy::name_waits_for_chain`: a value enum passes).
fn check_privacy(cx: &Ctxt, field: &Field, in_newtype: bool) {
    let name_linted_here = !in_newtype && field.section.is_none();
    if let Some(error) = privacy::check_field(
        field.ident,
        if name_linted_here { &field.key } else { "" },
        (field.ty, field.identifying),
        field.wire.as_ref(),
        field.attrs.reviewed.as_ref(),
    ) {
        cx.syn_error(error);
    }
}

/// A `serde_json::Value` can hold anything, so the page cannot list what
/// it sends: only with a reason, shown on the page, that it cannot identify
/// anyone.
fn check_free_form(cx: &Ctxt, field: &Field) {
    let holds_any = field
        .wire
        .as_ref()
        .is_some_and(|wire| *wire.innermost() == WireType::Any);
    match (&field.attrs.free_form, holds_any) {
        (None, true) => cx.error_spanned_by(
            field.ty,
            format!(
                "field `{}` holds a `serde_json::Value`, which can carry anything, so the docs page could not say \
                 what is sent; send a section with typed fields, or say why its contents cannot identify anyone: \
                 #[telemetry(free_form = \"<reason>\")] (the reason is shown on the docs page)",
                field.ident
            ),
        ),
        (Some(reason), false) => cx.error_spanned_by(
            reason,
            format!("`free_form` on field `{}` is for a `serde_json::Value`; remove it", field.ident),
        ),
        (Some(reason), true) if reason.value().trim().is_empty() => cx.error_spanned_by(
            reason,
            format!("`free_form` on field `{}` needs the reason a reader of the docs page will see", field.ident),
        ),
        _ => {}
    }
}

fn check_renamed_from(cx: &Ctxt, field: &Field) {
    let Some(from) = &field.attrs.renamed_from else {
        return;
    };
    let (old, wire_name) = (from.value(), &field.key);
    if old == *wire_name || !is_wire_name(&old) {
        cx.error_spanned_by(
            from,
            format!(
                "`renamed_from` names the field's previous wire name, which must differ from `{wire_name}` \
                 and be letters, digits, `_`, `-` and `.`"
            ),
        );
    }
}

/// `seen`: the wire names of the fields before this one.
fn check_wire_name_unused<'a>(
    cx: &Ctxt,
    field: &'a Field<'a>,
    seen: &mut BTreeMap<&'a str, &'a syn::Ident>,
) {
    let (name, wire_name) = (field.ident, field.wire_name.as_str());
    match seen.entry(wire_name) {
        std::collections::btree_map::Entry::Occupied(first) => cx.error_spanned_by(
            name,
            format!(
                "field `{name}` is sent as `{wire_name}`, which field `{}` already uses; \
                 give one of them another #[telemetry(rename = \"...\")]",
                first.get()
            ),
        ),
        std::collections::btree_map::Entry::Vacant(slot) => {
            slot.insert(name);
        }
    }
}

fn check_container(cx: &Ctxt, payload: &Struct) -> Option<Version> {
    let ident = payload.ident;
    if payload.attrs.docs.is_none() {
        cx.error_spanned_by(
            ident,
            format!(
                "`{ident}` needs its docs page: add #[telemetry(docs = \"docs/telemetry.md\")] \
                 (relative to the crate's Cargo.toml; TELEMETRY_BLESS=1 cargo build creates it)"
            ),
        );
    }
    if let (Some(docs), Some(format)) = (&payload.attrs.docs, &payload.attrs.docs_format) {
        if let Err(why) = DocsFormat::of(&docs.value(), Some(&format.value())) {
            cx.error_spanned_by(format, why);
        }
    }
    if let Some(endpoint) = &payload.attrs.endpoint {
        if let Err(why) = check_endpoint(&endpoint.value()) {
            cx.error_spanned_by(endpoint, why);
        }
    }
    match &payload.attrs.schema_version {
        None => {
            cx.error_spanned_by(
                ident,
                format!(
                    "`{ident}` needs a schema version: add #[telemetry(schema_version = \"1.0\")] \
                     and bump it whenever the fields change"
                ),
            );
            None
        }
        Some(lit) => match Version::parse(&lit.value()) {
            Ok(version) => Some(version),
            Err(why) => {
                cx.error_spanned_by(lit, why);
                None
            }
        },
    }
}

fn is_wire_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The endpoint must be an `https://host/...` URL: reports travel encrypted.
pub fn check_endpoint(url: &str) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Err(format!(
            "endpoint `{url}` must start with `https://`: reports are only sent encrypted"
        ));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(['@', ' ']) {
        return Err(format!(
            "endpoint `{url}` needs a host and no user info, e.g. \"https://telemetry.example.com/v1/report\""
        ));
    }
    Ok(())
}

pub fn check_value_enum(cx: &Ctxt, value_enum: &ValueEnum) {
    let mut seen: BTreeMap<&str, &syn::Ident> = BTreeMap::new();
    for variant in &value_enum.variants {
        if variant.wire.is_empty() {
            cx.error_spanned_by(
                &variant.span_source,
                format!("variant `{}` has an empty wire string", variant.ident),
            );
        }
        if variant.wire.contains(['|', '`'])
            || variant.wire.chars().any(char::is_control)
            || variant.wire.trim() != variant.wire
        {
            cx.error_spanned_by(
                &variant.span_source,
                format!(
                    "the wire string of `{}` has `|`, a backtick, a control character or surrounding spaces, which cannot be \
                     written in #[telemetry({} = \"a | b\")] or the docs table; choose another",
                    variant.ident,
                    attr::VALUES
                ),
            );
        }
        match seen.get(variant.wire.as_str()) {
            Some(first) => cx.error_spanned_by(
                &variant.span_source,
                format!(
                    "variants `{first}` and `{}` are both sent as \"{}\"; a receiver could not tell them apart",
                    variant.ident, variant.wire
                ),
            ),
            None => {
                seen.insert(&variant.wire, variant.ident);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_endpoint;

    #[test]
    fn endpoints_must_be_https_with_a_host() {
        assert!(check_endpoint("https://telemetry.kubeatlas.dev/v1/report").is_ok());
        assert!(check_endpoint("http://telemetry.kubeatlas.dev")
            .unwrap_err()
            .contains("https://"));
        assert!(check_endpoint("https:///path")
            .unwrap_err()
            .contains("needs a host"));
        assert!(check_endpoint("https://user@host/")
            .unwrap_err()
            .contains("user info"));
    }
}
