//! `#[serde(...)]` on a struct and its fields, read as serde's own derive
//! reads it, so an existing serde type moves over by swapping one word in
//! its derive list and sends the same JSON.
//!
//! Every key serde accepts is one of three kinds here: it changes what is
//! serialized and the derive follows it (`rename`, `rename_all`, `skip`,
//! `skip_serializing`, `skip_serializing_if`, `tag` on a struct); it only
//! changes deserialization and is accepted as it is (`default`, `alias`,
//! ...); or its output cannot be known at compile time (`with`,
//! `serialize_with`, `into`, ...), so the page could not promise what it
//! writes, and it is refused with what to write instead.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr};

use crate::attr::skip_value;
use crate::case::RenameRule;
use crate::ctxt::Ctxt;

/// What serde writes differently for a struct.
#[derive(Default)]
pub struct Container {
    /// `rename_all` (or its `serialize = ".."` form): the fields' case.
    pub rename_all: Option<RenameRule>,
    /// The struct's serialized name: serde's `serialize_struct` name, and
    /// the value of `tag`.
    pub rename: Option<LitStr>,
    /// `tag = "type"` on a struct: serde writes `"type": "<name>"` first.
    pub tag: Option<LitStr>,
    /// `transparent`: sent as its one field.
    pub transparent: bool,
    /// On an enum: `content = ".."` beside `tag` (adjacent tagging).
    pub content: Option<LitStr>,
    /// On an enum: `untagged`, where it was written.
    pub untagged: Option<syn::Path>,
    /// On an enum: the case of every struct variant's fields.
    pub rename_all_fields: Option<RenameRule>,
}

/// What serde writes differently for a field.
#[derive(Default)]
pub struct Field {
    pub rename: Option<LitStr>,
    /// `skip` or `skip_serializing`: never sent.
    pub skip: bool,
    /// `skip_serializing_if = "path"`: left out when `path(&field)` holds.
    pub skip_serializing_if: Option<syn::ExprPath>,
    /// `flatten`: a section's fields written as the holder's own.
    pub flatten: bool,
}

/// What serde writes differently for a unit variant of a value enum.
#[derive(Default)]
pub struct Variant {
    pub rename: Option<LitStr>,
    /// `skip` or `skip_serializing`: serde refuses to send it.
    pub skip: bool,
    /// The case of this struct variant's fields.
    pub rename_all: Option<RenameRule>,
}

impl Variant {
    /// `data`: a variant of a section enum, which may be skipped and may
    /// rename its fields; a value enum's may do neither.
    pub fn from_attrs(cx: &Ctxt, attrs: &[&Attribute], data: bool) -> Variant {
        let mut out = Variant::default();
        for_each_key(cx, attrs, |key, meta| {
            match key {
                "rename" => set_once(cx, &mut out.rename, meta)?,
                "skip" | "skip_serializing" if data => out.skip = true,
                "rename_all" if data => rename_rule(cx, meta, &mut out.rename_all)?,
                "skip" | "skip_serializing" => cx.syn_error(meta.error(
                    "a TelemetryValue variant cannot be skipped: serde would fail at run time when sending it; \
                     remove the variant or the attribute",
                )),
                _ => return Ok(false),
            }
            Ok(true)
        });
        out
    }
}

/// Keys that only change deserialization.
const DESERIALIZE_ONLY: &[&str] = &[
    "default",
    "alias",
    "deny_unknown_fields",
    "borrow",
    "bound",
    "other",
    "expecting",
    "skip_deserializing",
    "deserialize_with",
    "crate",
    "variant_identifier",
    "field_identifier",
];

/// Keys whose output the derive cannot see, and what to write instead.
fn unknowable(key: &str) -> Option<String> {
    let why = "the derive cannot see what it writes, so the docs page, the history and the JSON Schema could not promise it";
    let instead = match key {
        "with" | "serialize_with" => {
            "give the field a type that serializes as you want (a section, a value enum, or a newtype section)"
        }
        "getter" | "remote" => "derive on a type of your own that holds the data",
        "into" | "from" | "try_from" => {
            "derive on the type it converts to, and send that type in the payload"
        }
        _ => return None,
    };
    Some(format!(
        "`#[serde({key} = ..)]` is not supported: {why}; {instead}"
    ))
}

impl Container {
    pub fn from_attrs(cx: &Ctxt, attrs: &[&Attribute]) -> Container {
        let mut out = Container::default();
        for_each_key(cx, attrs, |key, meta| {
            match key {
                "rename_all" => rename_rule(cx, meta, &mut out.rename_all)?,
                "rename_all_fields" => rename_rule(cx, meta, &mut out.rename_all_fields)?,
                "rename" => set_once(cx, &mut out.rename, meta)?,
                "tag" => set_once(cx, &mut out.tag, meta)?,
                "content" => set_once(cx, &mut out.content, meta)?,
                "untagged" => out.untagged = Some(meta.path.clone()),
                "transparent" => out.transparent = true,
                _ => return Ok(false),
            }
            Ok(true)
        });
        out
    }
}

impl Field {
    pub fn from_attrs(cx: &Ctxt, attrs: &[&Attribute]) -> Field {
        let mut out = Field::default();
        for_each_key(cx, attrs, |key, meta| {
            match key {
                "rename" => set_once(cx, &mut out.rename, meta)?,
                "skip" | "skip_serializing" => out.skip = true,
                "flatten" => out.flatten = true,
                "skip_serializing_if" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    match function_path(&lit) {
                        Ok(path) => out.skip_serializing_if = Some(path),
                        Err(_) => cx.error_spanned_by(
                            &lit,
                            "`skip_serializing_if` takes the path of a function, e.g. \"Option::is_none\"",
                        ),
                    }
                }
                _ => return Ok(false),
            }
            Ok(true)
        });
        out
    }
}

/// Calls `apply` with each key of every `#[serde(...)]`; `apply` answers
/// whether it took the key. A key it did not take is accepted when it only
/// changes deserialization, and an error otherwise.
fn for_each_key(
    cx: &Ctxt,
    attrs: &[&Attribute],
    mut apply: impl FnMut(&str, &ParseNestedMeta) -> syn::Result<bool>,
) {
    for attr in attrs {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if apply(&key, &meta)? {
                return Ok(());
            }
            if !DESERIALIZE_ONLY.contains(&key.as_str()) {
                let message =
                    unknowable(&key).unwrap_or_else(|| format!("unknown serde attribute `{key}`"));
                cx.syn_error(meta.error(message));
            }
            skip_value(&meta)
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
}

/// `key = "x"`, or `key(serialize = "x", deserialize = "y")`: the
/// serializing side; `given` says whether the key came before.
fn serialize_name(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    given: &mut bool,
) -> syn::Result<Option<LitStr>> {
    let mut found = None;
    if meta.input.peek(syn::Token![=]) {
        found = Some(meta.value()?.parse::<LitStr>()?);
    } else {
        meta.parse_nested_meta(|inner| {
            let value: LitStr = inner.value()?.parse()?;
            if inner.path.is_ident("serialize") {
                found = Some(value);
            }
            Ok(())
        })?;
    }
    if found.is_some() && std::mem::replace(given, true) {
        cx.error_spanned_by(&meta.path, "given twice in #[serde(...)]; keep one");
        return Ok(None);
    }
    Ok(found)
}

/// `rename_all = ".."` or its `serialize = ".."` form, as a rule.
fn rename_rule(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    slot: &mut Option<RenameRule>,
) -> syn::Result<()> {
    if let Some(lit) = serialize_name(cx, meta, &mut slot.is_some())? {
        match RenameRule::from_str(&lit.value()) {
            Ok(rule) => *slot = Some(rule),
            Err(why) => cx.error_spanned_by(&lit, why),
        }
    }
    Ok(())
}

fn set_once(cx: &Ctxt, slot: &mut Option<LitStr>, meta: &ParseNestedMeta) -> syn::Result<()> {
    // `key(deserialize = "..")` alone changes nothing that is sent.
    let mut given = slot.is_some();
    if let Some(lit) = serialize_name(cx, meta, &mut given)? {
        *slot = Some(lit);
    }
    Ok(())
}

/// The path a `skip_serializing_if` string names, spanned at the string.
/// A plain `a::b::c` (nearly every one) is read here: `LitStr::parse` lexes
/// the text as a new source file through the compiler, some 150,000
/// instructions each; anything else (generics, a keyword) goes that way.
fn function_path(lit: &LitStr) -> syn::Result<syn::ExprPath> {
    let text = lit.value();
    let (leading_colon, rest) = match text.strip_prefix("::") {
        Some(rest) => (Some(syn::Token![::](lit.span())), rest),
        None => (None, text.as_str()),
    };
    let plain = |segment: &str| {
        segment.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && segment != "_"
            && !KEYWORDS.contains(&segment)
    };
    if !rest.split("::").all(plain) {
        return lit.parse();
    }
    let mut segments = syn::punctuated::Punctuated::new();
    for (i, segment) in rest.split("::").enumerate() {
        if i > 0 {
            segments.push_punct(syn::Token![::](lit.span()));
        }
        segments.push_value(syn::PathSegment::from(syn::Ident::new(segment, lit.span())));
    }
    Ok(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: syn::Path {
            leading_colon,
            segments,
        },
    })
}

/// Rust's keywords, which a plain path segment is not (`self`, `super`,
/// `crate` and `Self` among them: `LitStr::parse` reads those paths).
const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `#[serde(skip_serializing_if = "Option::is_none")]` on an
/// `Option`: then `null` is never sent, only the key left out.
pub fn skips_none(path: &syn::ExprPath) -> bool {
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    matches!(
        segments
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["Option", "is_none"] | [_, "option", "Option", "is_none"]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn function_paths_read_by_hand_equal_syns() {
        for text in [
            "Option::is_none",
            "std::ops::Not::not",
            "::core::option::Option::is_none",
            "is_zero",
            "_private::skip",
            "Vec::<u8>::is_empty",
            "self::is_default",
            "crate::skip",
        ] {
            let lit = LitStr::new(text, proc_macro2::Span::call_site());
            let ours = function_path(&lit).unwrap().into_token_stream().to_string();
            let syns = lit
                .parse::<syn::ExprPath>()
                .unwrap()
                .into_token_stream()
                .to_string();
            assert_eq!(ours, syns, "{text}");
        }
        for text in ["", "a::", "::", "a b", "fn", "1a", "a::<"] {
            let lit = LitStr::new(text, proc_macro2::Span::call_site());
            assert!(function_path(&lit).is_err(), "{text:?}");
        }
    }
}
