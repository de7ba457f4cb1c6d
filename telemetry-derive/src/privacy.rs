//! The privacy lint: every rule about what a field may not carry, with one
//! copy of each message. A telemetry page promises no names, addresses,
//! tokens or install IDs; a field whose name or type suggests one is
//! refused unless a person reviewed it (`#[telemetry(reviewed = "...")]`,
//! whose reason the page shows).
//!
//! Pure: it reads a field's name, type and wire type and returns the
//! error; `check` records it. `wire` asks [`identifying_type`] too, so such
//! a type, once reviewed, is sent as the string it serializes to.

use syn::{Ident, LitStr, Type};

use crate::shape::WireType;

/// Types that identify a machine, a connection or an install.
const IDENTIFYING_TYPES: &[&str] = &[
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "SocketAddr",
    "SocketAddrV4",
    "SocketAddrV6",
    "Uuid",
];

/// How a flagged field is let through, the end of each message.
const REVIEW_HINT: &str =
    "remove it, or if a person has checked that it cannot link sessions, say why: \
#[telemetry(reviewed = \"<reason>\")] (the reason is shown on the docs page)";

/// The privacy finding for one field, if any: an identifying type (at the
/// type), an identifying word in the wire name (at the field), or an empty
/// review reason. `identifying`: the type's [`identifying_type`], found when it was
/// classified.
pub fn check_field(
    ident: &Ident,
    wire_name: &str,
    (ty, identifying): (&Type, Option<&str>),
    wire: Option<&WireType>,
    reviewed: Option<&LitStr>,
) -> Option<syn::Error> {
    if let Some(reason) = reviewed {
        return reason.value().trim().is_empty().then(|| {
            syn::Error::new_spanned(
                reason,
                format!("`reviewed` on field `{ident}` needs the reason a reader of the docs page will see"),
            )
        });
    }
    if let Some(name) = identifying {
        return Some(syn::Error::new_spanned(
            ty,
            format!(
                "`{name}` identifies a machine, a connection or an install, and a telemetry page promises never \
                 to collect such values; {REVIEW_HINT}"
            ),
        ));
    }
    // A field whose type was refused already has its error; a boolean or
    // a closed list of values cannot identify anyone, whatever its name.
    let wire = wire?;
    if is_closed(wire) {
        return None;
    }
    name_finding(ident, wire_name)
}

/// Whether values of `wire` are a closed set, which cannot identify anyone.
pub fn is_closed(wire: &WireType) -> bool {
    matches!(wire.innermost(), WireType::Boolean | WireType::Enum(_))
}

/// Whether the name lint of a field holding a section's path waits for the
/// chain, which knows what the path holds: the payload's derive lints it
/// then (`name_finding`), unless it is a closed list of values.
pub fn name_waits_for_chain(wire_name: &str, holds_section_path: bool, reviewed: bool) -> bool {
    !reviewed && holds_section_path && identifying_word(wire_name).is_some()
}

/// The error for a field whose wire name holds an identifying word.
pub fn name_finding(ident: &Ident, wire_name: &str) -> Option<syn::Error> {
    let word = identifying_word(wire_name)?;
    Some(syn::Error::new_spanned(
        ident,
        format!(
            "field `{ident}` looks like an identifier (`{word}`), and a telemetry page promises no names, \
             namespaces, labels, annotations, addresses, tokens, user or install IDs; {REVIEW_HINT}"
        ),
    ))
}

/// The name of an identifying type (`IpAddr`), by its last path segment.
pub fn identifying_type(ty: &Type) -> Option<&'static str> {
    let Type::Path(path) = ty else { return None };
    // One string per field, not one per comparison: an ident compares to
    // text through a string of its own.
    let last = path.path.segments.last()?.ident.to_string();
    IDENTIFYING_TYPES
        .iter()
        .find(|name| **name == last)
        .copied()
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
#[allow(clippy::manual_is_ascii_check)] // Patterns compile to no calls unoptimized.
fn identifying_word_ascii(name: &[u8]) -> Option<&'static str> {
    // An indexed loop with the length compared first: most candidates are
    // no word's length, and an iterator's calls cost more than that test.
    let known = |word: &[u8]| {
        let mut at = 0;
        while at < IDENTIFYING_WORDS.len() {
            let known = IDENTIFYING_WORDS[at];
            if known.len() == word.len() && known.as_bytes().eq_ignore_ascii_case(word) {
                return Some(known);
            }
            at += 1;
        }
        None
    };
    let mut start = 0;
    let mut previous_lower = false;
    let mut at = 0;
    while at < name.len() {
        let byte = name[at];
        let upper = matches!(byte, b'A'..=b'Z');
        let lower_or_digit = matches!(byte, b'a'..=b'z' | b'0'..=b'9');
        if !(upper || lower_or_digit) || (upper && previous_lower) {
            if let Some(word) = known(&name[start..at]) {
                return Some(word);
            }
            start = if upper || lower_or_digit { at } else { at + 1 };
        }
        previous_lower = lower_or_digit;
        at += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

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

    fn finding(field: &str, ty: &str, wire: WireType) -> Option<String> {
        let ident = syn::parse_str::<Ident>(field).unwrap();
        let ty: Type = syn::parse_str(ty).unwrap();
        check_field(
            &ident,
            field,
            (&ty, identifying_type(&ty)),
            Some(&wire),
            None,
        )
        .map(|e| e.to_string())
    }

    #[test]
    fn booleans_and_value_lists_cannot_identify_anyone() {
        assert!(finding("http_addr", "bool", WireType::Boolean).is_none());
        let tiers = WireType::Enum(vec!["a".into()]);
        assert!(finding("user_tier", "Tier", WireType::Array(Box::new(tiers))).is_none());
        assert!(finding("http_addr", "String", WireType::String)
            .unwrap()
            .contains("looks like an identifier (`addr`)"));
        assert!(finding("peer", "std::net::IpAddr", WireType::String)
            .unwrap()
            .starts_with("`IpAddr` identifies a machine"));
    }
}
