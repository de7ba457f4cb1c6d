//! The derive input as this crate sees it. Nodes keep the `syn` node they came
//! from so every error can point at the exact field or attribute.

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident, Type};

use crate::attr;
use crate::bounds::Bounds;
use crate::case::RenameRule;
use crate::cell::{self, why_cell};
use crate::ctxt::Ctxt;
use crate::serde_attr;
use crate::shape::WireType;
use crate::std_struct::StdStruct;

/// The wire name of a `#[serde(flatten)]` field, which has none of its
/// own: its section's fields are the holder's. No real name is `..` (with
/// sections `.` is refused in names).
pub const FLATTENED: &str = "..";
use crate::wire;

mod variants;
pub use variants::{Repr, Style, Variant};

/// Which derive a struct is read for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `#[derive(Telemetry)]`: the report, which owns the version and page.
    Payload,
    /// `#[derive(TelemetrySection)]`: a struct nested inside a report.
    Section,
}

impl Kind {
    /// `#[derive(...)]` as the user wrote it, for messages.
    pub fn derive(self) -> &'static str {
        match self {
            Kind::Payload => "#[derive(Telemetry)]",
            Kind::Section => "#[derive(TelemetrySection)]",
        }
    }

    /// What the struct is, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Payload => "a telemetry payload",
            Kind::Section => "a telemetry section",
        }
    }
}

/// A `#[derive(Telemetry)]` or `#[derive(TelemetrySection)]` struct with
/// named fields: a payload or a section, as `kind` says.
pub struct Struct<'a> {
    pub kind: Kind,
    pub ident: &'a Ident,
    /// Always empty on a section (its keys are refused).
    pub attrs: attr::Container,
    pub serde: serde_attr::Container,
    /// A newtype section (`struct Threads(u32);`, or `#[serde(transparent)]`):
    /// sent as its one field's value, which has no wire name.
    pub newtype: bool,
    /// How many fields the struct declares, skipped ones too.
    pub declared_fields: usize,
    /// The fields sent: those serde skips are not. An enum's are its
    /// variants', named by their paths below it (see `variants`).
    pub fields: Vec<Field<'a>>,
    /// A section enum's representation and variants.
    pub variants: Option<(Repr, Vec<Variant<'a>>)>,
}

pub struct Field<'a> {
    /// The field's name; a newtype's unnamed field has its struct's.
    pub ident: &'a Ident,
    /// How the generated code reaches it: `self.name`, `self.0`.
    pub member: syn::Member,
    /// Its key in its own struct or variant, as serde names it.
    pub key: String,
    pub serde: serde_attr::Field,
    /// The field's type as written, for the rules that look at it.
    pub ty: &'a Type,
    pub attrs: attr::Field,
    /// The key on the wire: `rename` if given, else the field name.
    pub wire_name: String,
    /// The joined `///` comment, `|` escaped; empty when there is none.
    pub why: String,
    /// `None` when the type has no wire type (an error is recorded).
    pub wire: Option<WireType>,
    /// Value-enum types inside the field type, checked against `values`.
    pub value_enums: Vec<&'a Type>,
    /// The section struct inside the field type (`SystemInfo` in
    /// `Option<SystemInfo>`), whose fields the guard checks too.
    pub section: Option<&'a syn::Path>,
    /// The bounds of the field's integer type, for the JSON Schema.
    pub bounds: Bounds,
    /// The name of the identifying type it is (`IpAddr`), if so.
    pub identifying: Option<&'static str>,
    /// The `Duration` or `SystemTime` inside its type, with its path.
    pub std_struct: Option<(StdStruct, &'a syn::Path)>,
}

impl<'a> Struct<'a> {
    /// Reads the struct, whose own `#[telemetry(...)]` keys the derive has
    /// read first (`attrs`: it needs `crate` even when this fails),
    /// recording errors for anything that is not a non-generic struct with
    /// named fields. `None` when no payload can be formed at all.
    pub fn from_ast(
        cx: &Ctxt,
        input: &'a DeriveInput,
        kind: Kind,
        attrs: attr::Container,
    ) -> Option<Struct<'a>> {
        let generics = &input.generics;
        let noun = kind.noun();
        let derive = kind.derive();
        if generics.lifetimes().next().is_some() {
            cx.error_spanned_by(
                generics,
                format!("{noun} cannot borrow: remove the lifetime parameter and own the data (String, Vec<T>)"),
            );
        } else if !generics.params.is_empty() {
            cx.error_spanned_by(
                generics,
                format!("{noun} cannot be generic: its docs page promises one concrete set of fields; remove the type parameters"),
            );
        }
        if !generics.params.is_empty() {
            // Field types naming the parameters would only repeat the error.
            return None;
        }
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => &named.named,
                // A newtype section is sent as what it holds, as serde sends it.
                Fields::Unnamed(unnamed) if kind == Kind::Section && unnamed.unnamed.len() == 1 => {
                    &unnamed.unnamed
                }
                Fields::Unnamed(_) => {
                    let newtype = match kind {
                        Kind::Payload => "",
                        Kind::Section => " (or a newtype of one value, `struct Name(Type);`)",
                    };
                    cx.error_spanned_by(
                        &input.ident,
                        format!(
                            "{derive} needs named fields: each field name is a documented wire key; \
                             use `struct Name {{ field: Type, .. }}`{newtype}"
                        ),
                    );
                    return None;
                }
                Fields::Unit => {
                    let would_send = match kind {
                        Kind::Payload => "nothing but the version",
                        Kind::Section => "an empty object",
                    };
                    cx.error_spanned_by(
                        &input.ident,
                        format!(
                            "{derive} on a unit struct would send {would_send}; \
                             add the named fields the report carries"
                        ),
                    );
                    return None;
                }
            },
            Data::Enum(data) if kind == Kind::Section => {
                let serde = serde_attr::Container::from_attrs(cx, &attr::split(&input.attrs).serde);
                let mut fields = Vec::new();
                let variants = variants::from_ast(cx, data, &serde, &mut fields);
                let repr = Repr::of(&serde);
                return Some(Struct {
                    kind,
                    ident: &input.ident,
                    attrs,
                    serde,
                    newtype: false,
                    declared_fields: fields.len(),
                    fields,
                    variants: Some((repr, variants)),
                });
            }
            Data::Enum(data) => {
                cx.error_spanned_at(
                    data.enum_token.span,
                    format!(
                        "{derive} is for structs; an enum in the payload derives TelemetrySection \
                         (variants with data) or TelemetryValue (unit variants only)"
                    ),
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_at(
                    data.union_token.span,
                    format!("{derive} is for structs with named fields, not unions"),
                );
                return None;
            }
        };
        let serde = serde_attr::Container::from_attrs(cx, &attr::split(&input.attrs).serde);
        let fields: Vec<Field> = named
            .iter()
            .filter_map(|field| Field::from_ast(cx, field, &input.ident, serde.rename_all))
            .collect();
        // A newtype, or `#[serde(transparent)]` on one field: sent as the
        // field's value, without a key.
        let newtype = named.iter().next().is_some_and(|f| f.ident.is_none())
            || (serde.transparent && named.len() == 1);
        let mut fields = fields;
        if newtype {
            for field in &mut fields {
                field.wire_name.clear();
            }
        }
        Some(Struct {
            kind,
            ident: &input.ident,
            attrs,
            serde,
            newtype,
            declared_fields: named.len(),
            fields,
            variants: None,
        })
    }
}

impl<'a> Struct<'a> {
    /// Whether a field is `#[serde(flatten)]`: the struct is then written
    /// as a map, as serde writes it.
    pub fn has_flatten(&self) -> bool {
        self.fields.iter().any(|field| field.serde.flatten)
    }

    /// The name serde gives the struct: `serialize_struct`'s, and the
    /// value of its `tag`.
    pub fn serialized_name(&self) -> String {
        match &self.serde.rename {
            Some(rename) => rename.value(),
            None => self.ident.unraw().to_string(),
        }
    }

    /// The distinct section paths of the fields, in field order: the
    /// order of the chain over them, and the indices its data refers to.
    pub fn section_paths(&self) -> Vec<&'a syn::Path> {
        let mut paths: Vec<&syn::Path> = Vec::new();
        for path in self.fields.iter().filter_map(|field| field.section) {
            if !paths.iter().any(|seen| same_path(seen, path)) {
                paths.push(path);
            }
        }
        paths
    }
}

/// Whether two paths are spelled alike (the compiler decides whether they
/// name the same type; a derive can only compare spellings).
pub fn same_path(a: &syn::Path, b: &syn::Path) -> bool {
    a.leading_colon.is_some() == b.leading_colon.is_some()
        && a.segments.len() == b.segments.len()
        && a.segments
            .iter()
            .zip(&b.segments)
            .all(|(x, y)| x.ident == y.ident)
}

impl<'a> Field<'a> {
    /// `None` for a field serde never sends (`skip`, `skip_serializing`).
    /// `owner`: the struct, whose name stands for a newtype's unnamed field
    /// in messages and spans.
    fn from_ast(
        cx: &Ctxt,
        field: &'a syn::Field,
        owner: &'a Ident,
        rename_all: Option<RenameRule>,
    ) -> Option<Field<'a>> {
        let (ident, member) = match &field.ident {
            Some(ident) => (ident, syn::Member::Named(ident.clone())),
            None => (owner, syn::Member::Unnamed(syn::Index::from(0))),
        };
        let split = attr::split(&field.attrs);
        let serde = serde_attr::Field::from_attrs(cx, &split.serde);
        if serde.skip {
            return None;
        }
        let attrs = attr::Field::from_attrs(cx, &split.telemetry);
        let values = attrs.values.as_ref().and_then(|lit| {
            attr::split_values(&lit.value())
                .map_err(|message| cx.error_spanned_by(lit, message))
                .ok()
        });
        let (wire, value_enums, section, mut bounds, identifying, std_struct) =
            match wire::classify(&field.ty, values.as_deref(), attrs.free_form.is_some()) {
                Ok(classified) => (
                    Some(classified.wire),
                    classified.value_enums,
                    classified.section,
                    classified.bounds,
                    classified.identifying,
                    classified.std_struct,
                ),
                Err(err) => {
                    cx.syn_error(err);
                    (None, Vec::new(), None, Bounds::default(), None, None)
                }
            };
        if let Some(lit) = &attrs.max_length {
            match bounds.max_length {
                Some(_) => bounds.max_length = lit.base10_parse().ok(),
                None if wire.is_some() => cx.error_spanned_by(
                    lit,
                    format!(
                        "`max_length` bounds the strings of field `{ident}` and the keys of its maps, but it holds neither; remove it"
                    ),
                ),
                None => {}
            }
        }
        if let (Some(ours), Some(_)) = (&attrs.rename, &serde.rename) {
            cx.error_spanned_by(
                ours,
                format!(
                    "field `{ident}` is renamed twice, by #[telemetry(rename)] and #[serde(rename)]; keep the serde one"
                ),
            );
        }
        // `r#type` is sent as `type`, as serde sends it.
        let wire_name = match (&serde.rename, &attrs.rename, rename_all) {
            (Some(rename), _, _) | (None, Some(rename), _) => rename.value(),
            (None, None, Some(rule)) => rule.apply_to_field(&ident.unraw().to_string()),
            (None, None, None) => ident.unraw().to_string(),
        };
        if serde.flatten && !(section.is_some() && wire == Some(WireType::Object)) {
            cx.error_spanned_by(
                &field.ty,
                format!(
                    "#[serde(flatten)] on field `{ident}` holds a section: a struct deriving TelemetrySection, \
                     by its path (not an Option, a list or a map, whose keys the page could not list)"
                ),
            );
        }
        let wire_name = match serde.flatten {
            true => FLATTENED.to_owned(),
            false => wire_name,
        };
        let wire = wire.map(|wire| match &serde.skip_serializing_if {
            None => wire,
            // `Option::is_none` leaves the key out instead of sending null.
            Some(path) => match wire {
                WireType::Nullable(inner) if serde_attr::skips_none(path) => {
                    WireType::MayBeAbsent(inner)
                }
                wire => WireType::MayBeAbsent(Box::new(wire)),
            },
        });
        let why = why_cell(&attr::doc_lines(&split.docs));
        let what = FieldName(ident);
        cell::check(cx, cell::DocSpan(&split.docs), what, &why);
        for reason in [&attrs.reviewed, &attrs.free_form].into_iter().flatten() {
            cell::check(cx, reason, what, &reason.value());
        }
        Some(Field {
            ident,
            member,
            key: wire_name.clone(),
            serde,
            ty: &field.ty,
            wire_name,
            why,
            attrs,
            wire,
            value_enums,
            section,
            bounds,
            identifying,
            std_struct,
        })
    }

    /// The docs table's why cell: the `///` text, and a review reason
    /// where the reader looks for why the field exists (whitespace
    /// collapsed; `cell::cell` spells it for the page).
    pub fn why_row(&self) -> String {
        let mut row = self.why.clone();
        if let Some(reason) = &self.attrs.reviewed {
            row.push_str(&format!(" *(Reviewed: {})*", why_cell(&[reason.value()])));
        }
        if let Some(reason) = &self.attrs.free_form {
            row.push_str(&format!(
                " *(Free-form: {}; the build cannot check what it holds)*",
                why_cell(&[reason.value()])
            ));
        }
        row
    }
}

/// "field `name`" for a message, written only when one is reported.
#[derive(Clone, Copy)]
struct FieldName<'a>(&'a Ident);

impl std::fmt::Display for FieldName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "field `{}`", self.0.unraw())
    }
}

/// A `#[derive(TelemetryValue)]` enum of unit variants.
pub struct ValueEnum<'a> {
    pub ident: &'a Ident,
    pub variants: Vec<ValueVariant<'a>>,
}

pub struct ValueVariant<'a> {
    pub ident: &'a Ident,
    pub wire: String,
    /// Where errors about this variant's wire string point.
    pub span_source: proc_macro2::TokenStream,
}

impl<'a> ValueEnum<'a> {
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<ValueEnum<'a>> {
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "a TelemetryValue enum cannot have generic or lifetime parameters",
            );
        }
        let Data::Enum(data) = &input.data else {
            cx.error_spanned_by(
                &input.ident,
                "#[derive(TelemetryValue)] is for enums of unit variants, each sent as a fixed string",
            );
            return None;
        };
        if data.variants.is_empty() {
            cx.error_spanned_by(
                &input.ident,
                "a TelemetryValue enum needs at least one variant: its variants are the allowed wire values",
            );
        }
        // With a `#[serde]` attribute anywhere on the enum its wire strings
        // are exactly serde's (the variant's name unless renamed); without
        // one, this crate's snake_case default stays.
        let serde_attrs = attr::split(&input.attrs).serde;
        let serde = serde_attr::Container::from_attrs(cx, &serde_attrs);
        if let Some(tag) = &serde.tag {
            cx.error_spanned_by(
                tag,
                "#[serde(tag)] sends each variant as an object, but a TelemetryValue is sent as a string; remove it",
            );
        }
        let serde_variants: Vec<(serde_attr::Variant, bool)> = data
            .variants
            .iter()
            .map(|variant| {
                let attrs = attr::split(&variant.attrs).serde;
                (
                    serde_attr::Variant::from_attrs(cx, &attrs, false),
                    !attrs.is_empty(),
                )
            })
            .collect();
        let follows_serde = serde.rename_all.is_some()
            || !serde_attrs.is_empty()
            || serde_variants.iter().any(|(_, given)| *given);
        let variants = data
            .variants
            .iter()
            .zip(serde_variants)
            .map(|(variant, (serde_variant, _))| {
                if !matches!(variant.fields, Fields::Unit) {
                    cx.error_spanned_by(
                        variant,
                        format!(
                            "variant `{}` carries data, but a TelemetryValue is sent as a fixed string; make it a unit variant",
                            variant.ident
                        ),
                    );
                }
                let attrs = attr::Variant::from_attrs(cx, &variant.attrs);
                if let (Some(ours), Some(_)) = (&attrs.rename, &serde_variant.rename) {
                    cx.error_spanned_by(
                        ours,
                        format!(
                            "variant `{}` is renamed twice, by #[telemetry(rename)] and #[serde(rename)]; keep the serde one",
                            variant.ident
                        ),
                    );
                }
                let ident = &variant.ident;
                let name = ident.unraw().to_string();
                let (wire, span_source) = match (serde_variant.rename.as_ref().or(attrs.rename.as_ref()), serde.rename_all) {
                    (Some(lit), _) => (lit.value(), quote::quote!(#lit)),
                    (None, Some(rule)) => (rule.apply_to_variant(&name), quote::quote!(#ident)),
                    (None, None) if follows_serde => (name, quote::quote!(#ident)),
                    (None, None) => (snake_case(&name), quote::quote!(#ident)),
                };
                ValueVariant {
                    ident: &variant.ident,
                    wire,
                    span_source,
                }
            })
            .collect();
        Some(ValueEnum {
            ident: &input.ident,
            variants,
        })
    }
}

/// `PostgresTier` -> `postgres_tier`: the default wire string of a variant.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_reason_stays_in_its_table_cell() {
        let input: DeriveInput = syn::parse_str(
            "struct Report {\n\
                 /// How many namespaces.\n\
                 #[telemetry(reviewed = \"a count,\\n   never | names\")]\n\
                 namespace_count: u32,\n\
             }",
        )
        .unwrap();
        let cx = Ctxt::new();
        let payload = Struct::from_ast(
            &cx,
            &input,
            Kind::Payload,
            attr::Container::from_attrs(&cx, &input.attrs),
        )
        .unwrap();
        assert_eq!(
            payload.fields[0].why_row(),
            "How many namespaces. *(Reviewed: a count, never | names)*"
        );
        assert!(cx.check().is_ok());
    }

    #[test]
    fn snake_case_of_variant_names() {
        assert_eq!(super::snake_case("Memory"), "memory");
        assert_eq!(super::snake_case("PostgresTier"), "postgres_tier");
        assert_eq!(super::snake_case("already_snake"), "already_snake");
    }
}
