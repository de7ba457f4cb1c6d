//! Rust type -> wire type. A derive sees only the tokens of its own item, so
//! this goes by the type's spelling; custom value enums are recognised by the
//! `values` the field states, and checked against the enum at compile time.

use syn::{GenericArgument, PathArguments, Type};

use crate::bounds::{Bounds, DEFAULT_MAX_LENGTH};
use crate::privacy;
use crate::shape::{StringFormat, WireType};
use crate::std_struct::StdStruct;

pub const SUPPORTED: &str = "String, &'static str, Box<str>, Arc<str>, Rc<str>, Cow<str>, \
integers (u8..u128, i8..i128, usize, isize, NonZeroU8..NonZeroUsize, NonZeroI8..NonZeroIsize), \
f32, f64, bool, serde_json::Value (with #[telemetry(free_form = \"..\")]), std::time::Duration, \
std::time::SystemTime, chrono::DateTime<Utc> and NaiveDate (telemetry-core's `chrono` feature), \
uuid::Uuid (its `uuid` feature, with #[telemetry(reviewed = \"..\")]), Option<T>, Vec<T>, [T; N], BTreeSet<T>, BTreeMap<String, T>, Box<T>, Arc<T>, Rc<T>, \
structs and enums with data deriving TelemetrySection, \
and enums deriving TelemetryValue";

/// A field type's wire type, the value-enum types inside it whose variant
/// lists must be checked against the stated `values`, and the section
/// type inside it, if any.
pub struct Classified<'a> {
    pub wire: WireType,
    /// The identifying type's name (`IpAddr`), for the privacy lint.
    pub identifying: Option<&'static str>,
    pub value_enums: Vec<&'a Type>,
    /// The path of a `TelemetrySection` struct (`SystemInfo` in
    /// `Vec<SystemInfo>`). A field holds at most one: map keys are strings.
    pub section: Option<&'a syn::Path>,
    /// The bounds of the integer type inside it (`u32` in `Vec<u32>`).
    pub bounds: Bounds,
    /// The `Duration` or `SystemTime` inside it, with its path as written.
    pub std_struct: Option<(StdStruct, &'a syn::Path)>,
}

/// What the type walk collects besides the wire type.
#[derive(Default)]
struct Found<'a> {
    value_enums: Vec<&'a Type>,
    section: Option<&'a syn::Path>,
    bounds: Bounds,
    std_struct: Option<(StdStruct, &'a syn::Path)>,
    free_form: bool,
}

/// A field type's wire type. An identifying type (`IpAddr`, `Uuid`) is the
/// string it serializes to; the privacy lint refuses it unless reviewed.
/// `free_form`: the field is marked `#[telemetry(free_form = "..")]`, so a
/// bare `Value` is taken for `serde_json::Value` (without it, for a section).
pub fn classify<'a>(
    ty: &'a Type,
    values: Option<&[String]>,
    free_form: bool,
) -> Result<Classified<'a>, syn::Error> {
    let mut found = Found::default();
    let identifying = privacy::identifying_type(ty);
    found.free_form = free_form;
    let wire = match identifying {
        Some("Uuid") => WireType::Formatted(StringFormat::Uuid),
        Some(_) => WireType::String,
        None => classify_inner(ty, values, &mut found)?,
    };
    if matches!(wire.innermost(), WireType::String) || wire.holds_map() {
        found.bounds.max_length = Some(DEFAULT_MAX_LENGTH);
    }
    Ok(Classified {
        wire,
        identifying,
        value_enums: found.value_enums,
        section: found.section,
        bounds: found.bounds,
        std_struct: found.std_struct,
    })
}

fn classify_inner<'a>(
    ty: &'a Type,
    values: Option<&[String]>,
    found: &mut Found<'a>,
) -> Result<WireType, syn::Error> {
    let unsupported = |what: String| syn::Error::new_spanned(ty, what);
    match ty {
        Type::Group(group) => classify_inner(&group.elem, values, found),
        Type::Paren(paren) => classify_inner(&paren.elem, values, found),
        Type::Reference(reference) if is_ident(&reference.elem, "str") => Ok(WireType::String),
        Type::Array(array) => {
            let item = classify_inner(&array.elem, values, found)?;
            if !item.holds_list() {
                found.bounds.items = match &array.len {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Int(len),
                        ..
                    }) => len.base10_parse().ok(),
                    // A named constant: its value is not in the tokens.
                    _ => None,
                };
            }
            Ok(WireType::Array(Box::new(item)))
        }
        Type::Path(path) if path.qself.is_none() => {
            let Some(segment) = path.path.segments.last() else {
                return Err(unsupported(
                    "an empty type path has no wire type".to_owned(),
                ));
            };
            let name = segment.ident.to_string();
            let args = generic_types(&segment.arguments);
            // Looked up only for the names it can be (this runs per field).
            let std_struct = match (name.as_str(), args.is_empty()) {
                ("Duration" | "SystemTime", true) => StdStruct::from_path(&path.path),
                _ => None,
            };
            match (name.as_str(), args.as_slice()) {
                ("String", []) => Ok(WireType::String),
                ("bool", []) => Ok(WireType::Boolean),
                ("f32" | "f64", []) => Ok(WireType::Number),
                (
                    "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64"
                    | "i128" | "isize",
                    [],
                ) => {
                    found.bounds = Bounds::of_type(&name);
                    Ok(WireType::Integer)
                }
                (
                    "NonZeroU8" | "NonZeroU16" | "NonZeroU32" | "NonZeroU64" | "NonZeroU128"
                    | "NonZeroUsize" | "NonZeroI8" | "NonZeroI16" | "NonZeroI32" | "NonZeroI64"
                    | "NonZeroI128" | "NonZeroIsize",
                    [],
                ) => {
                    found.bounds = Bounds::of_type(&name);
                    Ok(WireType::Integer)
                }
                // Serialized as what they point at, as serde does.
                ("Box" | "Arc" | "Rc" | "Cow", [inner]) if is_ident(inner, "str") => {
                    Ok(WireType::String)
                }
                ("Box" | "Arc" | "Rc", [inner]) => classify_inner(inner, values, found),
                // A set serializes as a sequence, in its (sorted) order.
                ("Vec" | "BTreeSet", [item]) => {
                    let item = classify_inner(item, values, found)?;
                    if name == "BTreeSet" && !item.holds_list() {
                        found.bounds.unique_items = true;
                    }
                    Ok(WireType::Array(Box::new(item)))
                }
                ("BTreeMap", [key, value]) => {
                    if !is_ident(key, "String") {
                        return Err(syn::Error::new_spanned(
                            key,
                            "map keys must be `String`: JSON object keys are strings; use `BTreeMap<String, V>`",
                        ));
                    }
                    Ok(WireType::Map(Box::new(classify_inner(value, values, found)?)))
                }
                ("HashMap" | "HashSet", _) => Err(unsupported(format!(
                    "`{name}` iterates in a random order, so two reports of the same data would differ byte for byte; \
                     use `BTreeMap<String, V>` (or `BTreeSet<T>` for a set)"
                ))),
                ("Option", [inner]) => match classify_inner(inner, values, found)? {
                    WireType::Nullable(_) => Err(unsupported(
                        "`Option<Option<T>>` would send `null` for two different things; use one `Option`"
                            .to_owned(),
                    )),
                    inner => Ok(WireType::Nullable(Box::new(inner))),
                },
                // chrono's, with telemetry-core's `chrono` feature (serde's
                // strings).
                ("DateTime", [zone]) if is_ident(zone, "Utc") || is_path(zone, &["chrono", "Utc"]) => {
                    Ok(WireType::Formatted(StringFormat::DateTime))
                }
                ("NaiveDate", []) => Ok(WireType::Formatted(StringFormat::Date)),
                // Any JSON; `check` asks for the reason it cannot identify
                // anyone.
                (_, []) if is_json_value(&path.path, found.free_form) => Ok(WireType::Any),
                // Sent by serde as objects of fixed members.
                (_, []) if std_struct.is_some() => {
                    found.std_struct = std_struct.map(|s| (s, &path.path));
                    Ok(WireType::Object)
                }
                // Never sections: a primitive, or a standard-library type
                // (the standard library derives no TelemetrySection).
                ("char" | "str", []) => Err(unsupported(format!(
                    "`{name}` has no wire type; send a `String`. Supported: {SUPPORTED}"
                ))),
                (_, []) if path.path.segments.len() == 1 && STD_WITHOUT_WIRE_TYPE.contains(&name.as_str()) => {
                    Err(unsupported(format!(
                        "`{name}` has no wire type (the standard library's `{name}` cannot be sent as telemetry). \
                         Supported: {SUPPORTED}. A section of your own named `{name}`: name it by a longer path \
                         (`crate::stats::{name}`)"
                    )))
                }
                (_, []) if from_std(&path.path) => Err(unsupported(format!(
                    "`{}` has no wire type. Supported: {SUPPORTED}",
                    type_text(ty)
                ))),
                (_, []) if plain_path(&path.path) => match values {
                    Some(values) => {
                        found.value_enums.push(ty);
                        Ok(WireType::Enum(values.to_vec()))
                    }
                    // Any other named type is taken for a section; the
                    // derive asserts that it is one, with a message that
                    // says what to derive.
                    None => {
                        found.section = Some(&path.path);
                        Ok(WireType::Object)
                    }
                },
                _ => Err(unsupported(format!(
                    "`{}` has no wire type. Supported: {SUPPORTED}",
                    type_text(ty)
                ))),
            }
        }
        _ => Err(unsupported(format!(
            "`{}` has no wire type. Supported: {SUPPORTED}",
            type_text(ty)
        ))),
    }
}

/// Standard-library types that a `use` brings in under a bare name and
/// that have no wire type: by that name alone they would be taken for a
/// section, and refused with a message about a missing derive.
const STD_WITHOUT_WIRE_TYPE: &[&str] = &[
    "Instant",
    "PathBuf",
    "Path",
    "OsString",
    "OsStr",
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell",
    "VecDeque",
    "LinkedList",
    "BinaryHeap",
    "ThreadId",
    "TcpStream",
    "UdpSocket",
];

/// A type as its author would write it, for a message: `Box<Inner>`,
/// `(u32, u32)`, `&'static str` (tokens print with a space between each).
pub fn type_text(ty: &Type) -> String {
    let mut text = quote::quote!(#ty).to_string();
    for (spaced, tight) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ::", "::"),
        (":: ", "::"),
        (" ,", ","),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
        ("& ", "&"),
    ] {
        text = text.replace(spaced, tight);
    }
    text
}

/// A path into the standard library: `std::time::Duration`.
fn from_std(path: &syn::Path) -> bool {
    path.segments.len() > 1
        && matches!(
            path.segments[0].ident.to_string().as_str(),
            "std" | "core" | "alloc"
        )
}

/// `serde_json::Value`, or a bare `Value` on a field marked free-form.
fn is_json_value(path: &syn::Path, free_form: bool) -> bool {
    let last = path.segments.last().is_some_and(|s| s.ident == "Value");
    match path.segments.len() {
        1 => last && free_form,
        2 => last && path.segments[0].ident == "serde_json",
        _ => false,
    }
}

/// A path with no generic arguments anywhere: `a::b::Name`.
fn plain_path(path: &syn::Path) -> bool {
    path.segments
        .iter()
        .all(|segment| segment.arguments.is_none())
}

fn generic_types(arguments: &PathArguments) -> Vec<&Type> {
    match arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn is_path(ty: &Type, segments: &[&str]) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path.path.segments.len() == segments.len()
                && path
                    .path
                    .segments
                    .iter()
                    .zip(segments)
                    .all(|(s, name)| s.ident == name)
        }
        _ => false,
    }
}

fn is_ident(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(path) => path.qself.is_none() && path.path.is_ident(name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire_of(ty: &str, values: Option<&[&str]>) -> Result<String, String> {
        let ty: Type = syn::parse_str(ty).unwrap();
        let values: Option<Vec<String>> = values.map(|v| v.iter().map(|s| s.to_string()).collect());
        classify(&ty, values.as_deref(), false)
            .map(|c| c.wire.canonical())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn types_are_named_as_written() {
        for written in [
            "Box<Inner>",
            "(u32, u32)",
            "&'static str",
            "std::rc::Rc<Vec<a::B>>",
            "[u8; 4]",
            "HashMap<String, u32>",
        ] {
            let ty: Type = syn::parse_str(written).unwrap();
            assert_eq!(type_text(&ty), written);
        }
        assert_eq!(
            wire_of("RefCell<Inner>", None).unwrap_err(),
            format!("`RefCell<Inner>` has no wire type. Supported: {SUPPORTED}")
        );
    }

    #[test]
    fn known_types() {
        assert_eq!(wire_of("String", None).unwrap(), "string");
        assert_eq!(wire_of("std::string::String", None).unwrap(), "string");
        assert_eq!(wire_of("&'static str", None).unwrap(), "string");
        assert_eq!(wire_of("u64", None).unwrap(), "integer");
        assert_eq!(wire_of("f64", None).unwrap(), "number");
        assert_eq!(wire_of("bool", None).unwrap(), "boolean");
        assert_eq!(wire_of("Vec<Vec<String>>", None).unwrap(), "string[][]");
        assert_eq!(
            wire_of("BTreeMap<String, u32>", None).unwrap(),
            "map<string, integer>"
        );
    }

    #[test]
    fn chrono_and_uuid_are_formatted_strings() {
        for (ty, wire) in [
            ("chrono::DateTime<chrono::Utc>", "string(date-time)"),
            ("Option<DateTime<Utc>>", "string(date-time) | null"),
            ("Vec<NaiveDate>", "string(date)[]"),
            ("uuid::Uuid", "string(uuid)"),
        ] {
            assert_eq!(wire_of(ty, None).unwrap(), wire, "{ty}");
        }
        assert!(wire_of("DateTime<Local>", None)
            .unwrap_err()
            .contains("has no wire type"));
    }

    #[test]
    fn json_values_are_any() {
        let ty: Type = syn::parse_str("BTreeMap<String, serde_json::Value>").unwrap();
        assert_eq!(
            classify(&ty, None, false).unwrap().wire.canonical(),
            "map<string, any>"
        );
        let bare: Type = syn::parse_str("Value").unwrap();
        assert_eq!(classify(&bare, None, true).unwrap().wire.canonical(), "any");
        assert!(classify(&bare, None, false).unwrap().section.is_some());
    }

    #[test]
    fn sets_arrays_and_strings_are_bounded() {
        let bounds = |ty: &str| {
            let ty: Type = syn::parse_str(ty).unwrap();
            classify(&ty, None, false).unwrap().bounds.spell()
        };
        assert_eq!(bounds("BTreeSet<u8>"), "0..255 unique");
        assert_eq!(bounds("[u16; 3]"), "0..65535 items=3");
        assert_eq!(bounds("Vec<[u16; 2]>"), "0..65535 items=2");
        assert_eq!(bounds("[Vec<u8>; 2]"), "0..255");
        assert_eq!(
            bounds("Option<BTreeSet<String>>"),
            ".. unique max_length=256"
        );
        assert_eq!(
            bounds("BTreeMap<String, u32>"),
            "0..4294967295 max_length=256"
        );
        assert_eq!(bounds("Arc<str>"), ".. max_length=256");
        assert_eq!(bounds("uuid::Uuid"), "..");
    }

    #[test]
    fn pointers_sets_arrays_and_non_zero_integers() {
        for (ty, wire) in [
            ("Box<str>", "string"),
            ("std::sync::Arc<str>", "string"),
            ("Rc<str>", "string"),
            ("Cow<'static, str>", "string"),
            ("Box<u32>", "integer"),
            ("Arc<Vec<String>>", "string[]"),
            ("BTreeSet<String>", "string[]"),
            ("[u16; 4]", "integer[]"),
            ("std::num::NonZeroU32", "integer"),
            ("Option<NonZeroI64>", "integer | null"),
        ] {
            assert_eq!(wire_of(ty, None).unwrap(), wire, "{ty}");
        }
        let ty: Type = syn::parse_str("NonZeroU8").unwrap();
        assert_eq!(classify(&ty, None, false).unwrap().bounds.spell(), "1..255");
        let ty: Type = syn::parse_str("Box<SystemInfo>").unwrap();
        assert!(classify(&ty, None, false).unwrap().section.is_some());
    }

    #[test]
    fn value_enums_take_the_stated_values() {
        assert_eq!(
            wire_of("Vec<Tier>", Some(&["memory", "postgres"])).unwrap(),
            r#"("memory" | "postgres")[]"#
        );
        let ty: Type = syn::parse_str("BTreeMap<String, Tier>").unwrap();
        let values = ["a".to_owned()];
        assert_eq!(
            classify(&ty, Some(&values), false)
                .unwrap()
                .value_enums
                .len(),
            1
        );
    }

    #[test]
    fn options_and_sections() {
        assert_eq!(wire_of("Option<u32>", None).unwrap(), "integer | null");
        assert_eq!(
            wire_of("Vec<Option<String>>", None).unwrap(),
            "(string | null)[]"
        );
        assert_eq!(
            wire_of("Option<Tier>", Some(&["a", "b"])).unwrap(),
            r#""a" | "b" | null"#
        );
        for (ty, wire) in [
            ("SystemInfo", "object"),
            ("crate::system::SystemInfo", "object"),
            ("Option<Vec<GpuDevice>>", "object[] | null"),
            ("BTreeMap<String, Cluster>", "map<string, object>"),
        ] {
            let parsed: Type = syn::parse_str(ty).unwrap();
            let classified = classify(&parsed, None, false).unwrap();
            assert_eq!(classified.wire.canonical(), wire);
            assert!(classified.section.is_some(), "{ty}");
        }
    }

    #[test]
    fn rejected_types_say_why() {
        assert!(wire_of("HashMap<String, u32>", None)
            .unwrap_err()
            .contains("BTreeMap<String, V>"));
        assert!(wire_of("Option<Option<u32>>", None)
            .unwrap_err()
            .contains("one `Option`"));
        assert!(wire_of("BTreeMap<u32, u32>", None)
            .unwrap_err()
            .contains("keys must be `String`"));
        assert!(wire_of("(u32, u32)", None)
            .unwrap_err()
            .contains("Supported:"));
        assert!(wire_of("Box<[u8]>", None)
            .unwrap_err()
            .starts_with("`[u8]` has no wire type"));
        assert!(wire_of("char", None)
            .unwrap_err()
            .starts_with("`char` has no wire type; send a `String`"));
        for std_type in ["std::path::PathBuf", "::core::cell::Cell"] {
            let error = wire_of(std_type, None).unwrap_err();
            assert!(
                error.starts_with(&format!("`{std_type}` has no wire type")),
                "{error}"
            );
        }
        assert!(wire_of("Instant", None)
            .unwrap_err()
            .starts_with("`Instant` has no wire type (the standard library's"));
        assert_eq!(wire_of("crate::clock::Instant", None).unwrap(), "object");
        // Any other crate's type may be a section, the payload's own or a
        // dependency's.
        let duration: Type = syn::parse_str("Option<Duration>").unwrap();
        let classified = classify(&duration, None, false).unwrap();
        assert_eq!(classified.wire.canonical(), "object | null");
        assert!(classified.section.is_none() && classified.std_struct.is_some());
        assert_eq!(wire_of("crate::stats::Duration", None).unwrap(), "object");
        assert_eq!(wire_of("sections::hw::CpuInfo", None).unwrap(), "object");
    }
}
