//! `#[telemetry(...)]` attributes on payload structs, their fields, and
//! value-enum variants. Each key is read once; unknown and repeated keys get
//! messages of their own.

use syn::meta::ParseNestedMeta;
use syn::{token, Attribute, Expr, LitInt, LitStr, Token};

use crate::ctxt::Ctxt;
use crate::tokens::str_value;

/// The attribute's path: `#[telemetry(...)]`.
pub const TELEMETRY: &str = "telemetry";
/// serde's, which `serde_attr` reads.
pub const SERDE: &str = "serde";

// Keys on a payload struct.
pub const SCHEMA_VERSION: &str = "schema_version";
pub const RAW_RETENTION_DAYS: &str = "raw_retention_days";
pub const DOCS: &str = "docs";
pub const ENDPOINT: &str = "endpoint";
pub const DOCS_FORMAT: &str = "docs_format";
// On a payload, a section or a value enum.
pub const CRATE: &str = "crate";
// Keys on a payload field.
pub const RENAME: &str = "rename";
pub const VALUES: &str = "values";
pub const RENAMED_FROM: &str = "renamed_from";
pub const REVIEWED: &str = "reviewed";
pub const FREE_FORM: &str = "free_form";
pub const MAX_LENGTH: &str = "max_length";

/// One key a place accepts: its name, and the slot it fills, as an enum
/// so each place's dispatch is an exhaustive `match` (a new key cannot
/// land in another key's slot).
type Keys<K> = &'static [(&'static str, K)];

#[derive(Clone, Copy)]
enum ContainerKey {
    SchemaVersion,
    Docs,
    Endpoint,
    DocsFormat,
    Crate,
    RawRetentionDays,
}

const CONTAINER_KEYS: Keys<ContainerKey> = &[
    (SCHEMA_VERSION, ContainerKey::SchemaVersion),
    (DOCS, ContainerKey::Docs),
    (ENDPOINT, ContainerKey::Endpoint),
    (DOCS_FORMAT, ContainerKey::DocsFormat),
    (CRATE, ContainerKey::Crate),
    (RAW_RETENTION_DAYS, ContainerKey::RawRetentionDays),
];

/// The one key of a section and of a value enum.
#[derive(Clone, Copy)]
struct CrateKey;
const CRATE_KEYS: Keys<CrateKey> = &[(CRATE, CrateKey)];

#[derive(Clone, Copy)]
enum FieldKey {
    Rename,
    Values,
    RenamedFrom,
    Reviewed,
    FreeForm,
    MaxLength,
}

const FIELD_KEYS: Keys<FieldKey> = &[
    (RENAME, FieldKey::Rename),
    (VALUES, FieldKey::Values),
    (RENAMED_FROM, FieldKey::RenamedFrom),
    (REVIEWED, FieldKey::Reviewed),
    (FREE_FORM, FieldKey::FreeForm),
    (MAX_LENGTH, FieldKey::MaxLength),
];

/// The one key of a value-enum variant.
#[derive(Clone, Copy)]
struct RenameKey;
const VARIANT_KEYS: Keys<RenameKey> = &[(RENAME, RenameKey)];

fn names<K>(keys: Keys<K>) -> Vec<&'static str> {
    keys.iter().map(|(name, _)| *name).collect()
}

/// `#[telemetry(...)]` on the payload struct, or on a section or value
/// enum (which take only `crate`).
#[derive(Default)]
pub struct Container {
    pub schema_version: Option<LitStr>,
    pub docs: Option<LitStr>,
    pub endpoint: Option<LitStr>,
    /// `markdown` or `mdx`; by default the docs page's extension decides.
    pub docs_format: Option<LitStr>,
    /// The path of telemetry-core, when not `::telemetry_core`.
    pub krate: Option<LitStr>,
    /// How long the receiver keeps raw reports, as the page promises.
    pub raw_retention_days: Option<LitInt>,
}

/// `#[telemetry(...)]` on a payload field.
#[derive(Default)]
pub struct Field {
    pub rename: Option<LitStr>,
    pub values: Option<LitStr>,
    pub renamed_from: Option<LitStr>,
    /// Why a field the privacy lint flags is fine to send.
    pub reviewed: Option<LitStr>,
    /// Why a `serde_json::Value`'s contents cannot identify anyone.
    pub free_form: Option<LitStr>,
    /// The longest string the field's strings (and map keys) may be.
    pub max_length: Option<LitInt>,
}

/// `#[telemetry(...)]` on a `TelemetryValue` variant.
#[derive(Default)]
pub struct Variant {
    pub rename: Option<LitStr>,
}

impl Container {
    /// A payload's keys.
    pub fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = Container::default();
        for_each_key(
            cx,
            &split(attrs).telemetry,
            "a payload struct",
            CONTAINER_KEYS,
            |key, name, meta| {
                let slot = match key {
                    ContainerKey::SchemaVersion => &mut out.schema_version,
                    ContainerKey::Docs => &mut out.docs,
                    ContainerKey::Endpoint => &mut out.endpoint,
                    ContainerKey::DocsFormat => &mut out.docs_format,
                    ContainerKey::Crate => &mut out.krate,
                    ContainerKey::RawRetentionDays => {
                        return set_once_count(cx, &mut out.raw_retention_days, name, 90, meta)
                    }
                };
                set_once(cx, slot, name, meta)
            },
        );
        out
    }

    /// A section's keys: only `crate`. The payload that holds a section
    /// owns the version, the page and the endpoint; each of those keys
    /// given here gets that message.
    pub fn from_section_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = Container::default();
        let unknown = |name: &str| {
            if CONTAINER_KEYS.iter().any(|(key, _)| *key == name) {
                format!(
                    "a section has no `{name}`: the payload that contains it owns it; \
                     remove it here and keep it on the #[derive(Telemetry)] struct"
                )
            } else {
                format!(
                    "{} (its fields take: {})",
                    unknown_key_message(name, "a section struct", &names(CRATE_KEYS)),
                    names(FIELD_KEYS).join(", ")
                )
            }
        };
        visit_keys(
            cx,
            &split(attrs).telemetry,
            CRATE_KEYS,
            unknown,
            |CrateKey, name, meta| set_once(cx, &mut out.krate, name, meta),
        );
        out
    }

    /// A value enum's keys: only `crate` (its variants take `rename`).
    pub fn from_value_enum_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = Container::default();
        read_only_key(
            cx,
            attrs,
            "a TelemetryValue enum",
            CRATE_KEYS,
            &mut out.krate,
        );
        out
    }
}

impl Field {
    /// From the field's `#[telemetry(...)]` attributes (see [`split`]).
    pub fn from_attrs(cx: &Ctxt, attrs: &[&Attribute]) -> Self {
        let mut out = Field::default();
        for_each_key(
            cx,
            attrs,
            "a payload field",
            FIELD_KEYS,
            |key, name, meta| {
                let slot = match key {
                    FieldKey::Rename => &mut out.rename,
                    FieldKey::Values => &mut out.values,
                    FieldKey::RenamedFrom => &mut out.renamed_from,
                    FieldKey::Reviewed => &mut out.reviewed,
                    FieldKey::FreeForm => &mut out.free_form,
                    FieldKey::MaxLength => {
                        return set_once_count(cx, &mut out.max_length, name, 1024, meta)
                    }
                };
                set_once(cx, slot, name, meta)
            },
        );
        out
    }
}

impl Variant {
    pub fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = Variant::default();
        read_only_key(
            cx,
            attrs,
            "a TelemetryValue variant",
            VARIANT_KEYS,
            &mut out.rename,
        );
        out
    }
}

/// Reads the one key `known` holds, on `place`, into `slot`.
fn read_only_key<K: Copy>(
    cx: &Ctxt,
    attrs: &[Attribute],
    place: &str,
    known: Keys<K>,
    slot: &mut Option<LitStr>,
) {
    for_each_key(
        cx,
        &split(attrs).telemetry,
        place,
        known,
        |_, name, meta| set_once(cx, slot, name, meta),
    );
}

/// An item's attributes that this crate reads.
pub struct Split<'a> {
    /// `#[doc = ...]`, which `///` comments become.
    pub docs: Vec<&'a Attribute>,
    /// `#[telemetry(...)]`.
    pub telemetry: Vec<&'a Attribute>,
    /// `#[serde(...)]` (see `serde_attr`).
    pub serde: Vec<&'a Attribute>,
}

/// Sorts `attrs` by name, asking the compiler for each name once (a field's
/// doc comments would otherwise be asked twice, and every field has them).
pub fn split(attrs: &[Attribute]) -> Split<'_> {
    let mut split = Split {
        docs: Vec::new(),
        telemetry: Vec::new(),
        serde: Vec::new(),
    };
    for attr in attrs {
        let Some(ident) = attr.path().get_ident() else {
            continue;
        };
        match ident.to_string().as_str() {
            "doc" => split.docs.push(attr),
            TELEMETRY => split.telemetry.push(attr),
            SERDE => split.serde.push(attr),
            _ => {}
        }
    }
    split
}

/// Calls `apply` with each known key of every `#[telemetry(...)]` in
/// `attrs`, and records an error for each unknown one.
fn for_each_key<K: Copy>(
    cx: &Ctxt,
    attrs: &[&Attribute],
    place: &str,
    known: Keys<K>,
    apply: impl FnMut(K, &'static str, &ParseNestedMeta) -> syn::Result<()>,
) {
    let unknown = |name: &str| unknown_key_message(name, place, &names(known));
    visit_keys(cx, attrs, known, unknown, apply);
}

/// [`for_each_key`] with the unknown keys' message of the caller's own.
fn visit_keys<K: Copy>(
    cx: &Ctxt,
    attrs: &[&Attribute],
    known: Keys<K>,
    unknown: impl Fn(&str) -> String,
    mut apply: impl FnMut(K, &'static str, &ParseNestedMeta) -> syn::Result<()>,
) {
    for attr in attrs {
        let result = attr.parse_nested_meta(|meta| {
            let name = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match known.iter().find(|(key, _)| *key == name) {
                Some((key, slot)) => apply(*slot, key, &meta),
                None => {
                    // Recorded, not returned: the keys after it still count,
                    // so one typo does not cascade into "missing" errors.
                    cx.syn_error(meta.error(unknown(&name)));
                    skip_value(&meta)
                }
            }
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
}

fn set_once(
    cx: &Ctxt,
    slot: &mut Option<LitStr>,
    key: &str,
    meta: &ParseNestedMeta,
) -> syn::Result<()> {
    let input = meta.value()?;
    if !input.peek(LitStr) {
        cx.error_spanned_by(
            input.parse::<Expr>()?,
            format!("`{key}` takes a string: #[telemetry({key} = \"...\")]"),
        );
        return Ok(());
    }
    let value: LitStr = input.parse()?;
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("`{key}` is given twice; keep one"));
    } else {
        *slot = Some(value);
    }
    Ok(())
}

/// A key taking a positive integer: `max_length = 1024`; `example` is
/// the value its error message suggests.
fn set_once_count(
    cx: &Ctxt,
    slot: &mut Option<LitInt>,
    key: &str,
    example: u64,
    meta: &ParseNestedMeta,
) -> syn::Result<()> {
    let input = meta.value()?;
    let value = match input.parse::<Expr>()? {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(value),
            ..
        }) if value.base10_parse::<u64>().is_ok_and(|count| count > 0) => value,
        other => {
            cx.error_spanned_by(
                other,
                format!("`{key}` takes a positive whole number: #[telemetry({key} = {example})]"),
            );
            return Ok(());
        }
    };
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("`{key}` is given twice; keep one"));
    } else {
        *slot = Some(value);
    }
    Ok(())
}

/// Consumes an unknown key's `= value` or `(...)`, if any.
pub fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(token::Paren) {
        meta.input.parse::<proc_macro2::Group>()?;
    }
    Ok(())
}

fn unknown_key_message(name: &str, place: &str, known: &[&str]) -> String {
    let suggestion = known
        .iter()
        .map(|key| (edit_distance(name, key), key))
        .filter(|(distance, key)| *distance <= (key.len() / 3).max(2))
        .min()
        .map(|(_, key)| format!(" (did you mean `{key}`?)"))
        .unwrap_or_default();
    format!(
        "unknown telemetry attribute `{name}`{suggestion}; the keys on {place} are: {}",
        known.join(", ")
    )
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Splits `values = "a | b"` into its trimmed values.
pub fn split_values(text: &str) -> Result<Vec<String>, String> {
    let values: Vec<String> = text.split('|').map(|v| v.trim().to_owned()).collect();
    if values.iter().any(String::is_empty) {
        return Err(format!(
            "`values = {text:?}` has an empty value: list the enum's wire strings as \"a | b\""
        ));
    }
    Ok(values)
}

/// The `///` lines of an item, in order, from its `#[doc]` attributes
/// (see [`split`]).
pub fn doc_lines(doc_attrs: &[&Attribute]) -> Vec<String> {
    doc_attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(str_value(s)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_near_misses_only() {
        let message =
            unknown_key_message("schema_versoin", "a payload struct", &names(CONTAINER_KEYS));
        assert!(
            message.contains("did you mean `schema_version`?"),
            "{message}"
        );
        let message = unknown_key_message("doc", "a payload struct", &names(CONTAINER_KEYS));
        assert!(message.contains("did you mean `docs`?"), "{message}");
        let message = unknown_key_message("colour", "a payload field", &names(FIELD_KEYS));
        assert!(!message.contains("did you mean"), "{message}");
        assert!(
            message.ends_with("rename, values, renamed_from, reviewed, free_form, max_length"),
            "{message}"
        );
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn values_are_split_and_trimmed() {
        assert_eq!(split_values(" a |b| <1K ").unwrap(), ["a", "b", "<1K"]);
        assert!(split_values("a || b").unwrap_err().contains("empty value"));
    }
}
