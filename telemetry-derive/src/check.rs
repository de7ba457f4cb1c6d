//! Validation of a parsed payload or value enum, apart from code generation.
//! Every problem is recorded in the context; nothing stops at the first.

use std::collections::HashMap;

use crate::ast::{Kind, Payload, ValueEnum};
use crate::attr;
use crate::ctxt::Ctxt;
use crate::docs_format::DocsFormat;
use crate::version::Version;

/// The key the derive injects; no field may claim it.
pub const SCHEMA_VERSION_KEY: &str = "schema_version";

/// Checks a payload or section; returns a payload's parsed version when it
/// has a valid one (a section has none).
pub fn check_payload(cx: &Ctxt, payload: &Payload) -> Option<Version> {
    let version = match payload.kind {
        Kind::Payload => check_container(cx, payload),
        Kind::Section => None,
    };
    // Nested fields are named by path (`system.cpu.cores`), so `.` cannot
    // be part of a name once there is nesting.
    let nested =
        payload.kind == Kind::Section || payload.fields.iter().any(|f| f.section.is_some());
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    for field in &payload.fields {
        let name = field.ident;
        let wire_name = field.wire_name.as_str();
        if wire_name == SCHEMA_VERSION_KEY {
            cx.error_spanned_by(
                name,
                format!(
                    "field `{name}` would send `schema_version`, which the derive already sends from \
                     #[telemetry(schema_version = \"...\")]; remove the field (or rename it): the version has one source"
                ),
            );
        }
        if field.why.is_empty() {
            cx.error_spanned_by(
                name,
                format!(
                    "field `{name}` has no `///` doc comment; it is the \"Why it's collected\" column of the docs page: \
                     add `/// <why this is collected>` above the field"
                ),
            );
        }
        if let Some(rename) = &field.attrs.rename {
            if !is_wire_name(wire_name) {
                cx.error_spanned_by(
                    rename,
                    format!(
                        "field `{name}` is renamed to {wire_name:?}; a wire name is letters, digits, `_`, `-` and `.`"
                    ),
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
        if let (Kind::Section, Some(section)) = (payload.kind, field.section) {
            // `Name`, `self::Name` or `Self`; a longer path may name another
            // module's section of the same name (`gpu::Info` in `Info`).
            let segments: Vec<&syn::Ident> = section.segments.iter().map(|s| &s.ident).collect();
            let holds_itself = match segments.as_slice() {
                [only] => *only == payload.ident || *only == "Self",
                [first, last] => *first == "self" && *last == payload.ident,
                _ => false,
            };
            if holds_itself {
                cx.error_spanned_by(
                    section,
                    format!(
                        "section `{}` contains itself in field `{name}`, so its docs table would never end; \
                         give the nested data a section type of its own",
                        payload.ident
                    ),
                );
            }
        }
        match seen.get(wire_name) {
            Some(first) => cx.error_spanned_by(
                name,
                format!(
                    "field `{name}` is sent as `{wire_name}`, which field `{first}` already uses; \
                     give one of them another #[telemetry(rename = \"...\")]"
                ),
            ),
            None => {
                seen.insert(wire_name, name);
            }
        }
        if let (Some(values), Some(_), true) = (
            &field.attrs.values,
            &field.wire,
            field.value_enums.is_empty(),
        ) {
            cx.error_spanned_by(
                values,
                format!(
                    "`values` lists the wire strings of a TelemetryValue enum, but field `{name}` holds none; remove it"
                ),
            );
        }
        match (&field.attrs.reviewed, identifying_word(wire_name)) {
            // A field whose type was refused already has its error.
            (None, Some(word)) if field.wire.is_some() => cx.error_spanned_by(
                name,
                format!(
                    "field `{name}` looks like an identifier (`{word}`), and a telemetry page promises no names, \
                     namespaces, labels, annotations, addresses, tokens, user or install IDs; remove it, or if a person \
                     has checked that it is coarse and cannot link sessions, say why: \
                     #[telemetry(reviewed = \"<reason>\")] (the reason is shown on the docs page)"
                ),
            ),
            (Some(reason), _) if reason.value().trim().is_empty() => cx.error_spanned_by(
                reason,
                format!("`reviewed` on field `{name}` needs the reason a reader of the docs page will see"),
            ),
            _ => {}
        }
        if let Some(from) = &field.attrs.renamed_from {
            let from = (from, from.value());
            if from.1 == wire_name || !is_wire_name(&from.1) {
                cx.error_spanned_by(
                    from.0,
                    format!(
                        "`renamed_from` names the field's previous wire name, which must differ from `{wire_name}` \
                         and be letters, digits, `_`, `-` and `.`"
                    ),
                );
            }
        }
    }
    version
}

fn check_container(cx: &Ctxt, payload: &Payload) -> Option<Version> {
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

/// Words in a field name that suggest it identifies something.
const IDENTIFYING_WORDS: &[&str] = &[
    "ip",
    "ips",
    "ipv4",
    "ipv6",
    "address",
    "addresses",
    "addr",
    "mac",
    "uuid",
    "uuids",
    "guid",
    "id",
    "ids",
    "hostname",
    "hostnames",
    "host",
    "hosts",
    "email",
    "emails",
    "user",
    "users",
    "username",
    "usernames",
    "account",
    "namespace",
    "namespaces",
    "label",
    "labels",
    "annotation",
    "annotations",
    "token",
    "tokens",
    "password",
    "secret",
    "secrets",
    "serial",
];

/// The first word of `name` (split at `_`, `-`, `.` and camelCase) that
/// suggests an identifier.
pub fn identifying_word(name: &str) -> Option<&'static str> {
    if name.is_ascii() {
        identifying_word_ascii(name.as_bytes())
    } else {
        identifying_word_unicode(name)
    }
}

/// Wire names are ASCII: split in place and compare without allocating,
/// since this runs for every field on every build, unoptimized.
fn identifying_word_ascii(name: &[u8]) -> Option<&'static str> {
    let known = |word: &[u8]| {
        IDENTIFYING_WORDS
            .iter()
            .find(|w| w.len() == word.len() && w.as_bytes().eq_ignore_ascii_case(word))
            .copied()
    };
    let mut start = 0;
    let mut previous_lower = false;
    for (i, &b) in name.iter().enumerate() {
        let alphanumeric = b.is_ascii_alphanumeric();
        if !alphanumeric || (b.is_ascii_uppercase() && previous_lower) {
            if let Some(word) = known(&name[start..i]) {
                return Some(word);
            }
            start = if alphanumeric { i } else { i + 1 };
        }
        previous_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
    }
    known(&name[start..])
}

fn identifying_word_unicode(name: &str) -> Option<&'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() || (c.is_uppercase() && previous_lower) {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    words.push(word);
    words
        .iter()
        .find_map(|word| IDENTIFYING_WORDS.iter().find(|w| **w == word).copied())
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
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
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
    use super::{
        check_endpoint, identifying_word, identifying_word_ascii, identifying_word_unicode,
    };

    proptest::proptest! {
        #[test]
        fn the_ascii_split_agrees_with_the_general_one(
            name in "([a-zA-Z0-9_.-]|ip|IP|Ip|uuid|Uuid|user|host|name)*",
        ) {
            proptest::prop_assert_eq!(
                identifying_word_ascii(name.as_bytes()),
                identifying_word_unicode(&name)
            );
        }
    }

    #[test]
    fn identifier_words_are_whole_words() {
        assert_eq!(identifying_word("client_ip"), Some("ip"));
        assert_eq!(identifying_word("namespaceNames"), Some("namespace"));
        assert_eq!(identifying_word("install-uuid"), Some("uuid"));
        assert_eq!(identifying_word("node_labels"), Some("labels"));
        for fine in [
            "kubeatlas_version",
            "k8s_version",
            "os",
            "arch",
            "tier",
            "resource_bucket",
            "enabled_packs",
            "cluster_count",
            "platform_distribution",
            "session_nonce",
            "zip_count",
            "tokenizer_kind",
        ] {
            assert_eq!(identifying_word(fine), None, "{fine}");
        }
    }

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
