//! The derive input as this crate sees it. Nodes keep the `syn` node they came
//! from so every error can point at the exact field or attribute.

use syn::{Data, DeriveInput, Fields, Ident, Type};

use crate::attr;
use crate::ctxt::Ctxt;
use crate::shape::{why_cell, WireType};
use crate::wire;

/// A `#[derive(Telemetry)]` struct with named fields.
pub struct Payload<'a> {
    pub ident: &'a Ident,
    /// `ident` as text: the docs block, history and schema are keyed by it.
    pub name: String,
    pub attrs: attr::Container,
    pub fields: Vec<Field<'a>>,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub attrs: attr::Field,
    /// The key on the wire: `rename` if given, else the field name.
    pub wire_name: String,
    /// The joined `///` comment, `|` escaped; empty when there is none.
    pub why: String,
    /// `None` when the type has no wire type (an error is recorded).
    pub wire: Option<WireType>,
    /// Value-enum types inside the field type, checked against `values`.
    pub value_enums: Vec<&'a Type>,
}

impl<'a> Payload<'a> {
    /// Reads the struct, recording errors for anything that is not a
    /// non-generic struct with named fields. `None` when no payload can be
    /// formed at all.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Payload<'a>> {
        let attrs = attr::Container::from_attrs(cx, &input.attrs);
        let generics = &input.generics;
        if generics.lifetimes().next().is_some() {
            cx.error_spanned_by(
                generics,
                "a telemetry payload cannot borrow: remove the lifetime parameter and own the data (String, Vec<T>)",
            );
        } else if !generics.params.is_empty() {
            cx.error_spanned_by(
                generics,
                "a telemetry payload cannot be generic: its docs page promises one concrete set of fields; remove the type parameters",
            );
        }
        if !generics.params.is_empty() {
            // Field types naming the parameters would only repeat the error.
            return None;
        }
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => named,
                Fields::Unnamed(_) => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Telemetry)] needs named fields: each field name is a documented wire key; \
                         use `struct Name { field: Type, .. }`",
                    );
                    return None;
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Telemetry)] on a unit struct would send nothing but the version; \
                         add the named fields the report carries",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_at(
                    data.enum_token.span,
                    "#[derive(Telemetry)] is for the payload struct; for an enum used as a field value, \
                     use #[derive(TelemetryValue)]",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_at(
                    data.union_token.span,
                    "#[derive(Telemetry)] is for structs with named fields, not unions",
                );
                return None;
            }
        };
        let fields = named
            .named
            .iter()
            .filter_map(|field| Field::from_ast(cx, field))
            .collect();
        Some(Payload {
            ident: &input.ident,
            name: input.ident.to_string(),
            attrs,
            fields,
        })
    }
}

impl<'a> Field<'a> {
    fn from_ast(cx: &Ctxt, field: &'a syn::Field) -> Option<Field<'a>> {
        let ident = field.ident.as_ref()?;
        let split = attr::split(&field.attrs);
        let attrs = attr::Field::from_attrs(cx, &split.telemetry);
        let values = attrs.values.as_ref().and_then(|lit| {
            attr::split_values(&lit.value())
                .map_err(|message| cx.error_spanned_by(lit, message))
                .ok()
        });
        let reviewed = attrs.reviewed.is_some();
        let (wire, value_enums) = match wire::classify(&field.ty, values.as_deref(), reviewed) {
            Ok(classified) => (Some(classified.wire), classified.value_enums),
            Err(err) => {
                cx.syn_error(err);
                (None, Vec::new())
            }
        };
        Some(Field {
            ident,
            wire_name: match &attrs.rename {
                Some(rename) => rename.value(),
                None => ident.to_string(),
            },
            why: why_cell(&attr::doc_lines(&split.docs)),
            attrs,
            wire,
            value_enums,
        })
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
        let variants = data
            .variants
            .iter()
            .map(|variant| {
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
                let (wire, span_source) = match &attrs.rename {
                    Some(lit) => (lit.value(), quote::quote!(#lit)),
                    None => {
                        let ident = &variant.ident;
                        (snake_case(&ident.to_string()), quote::quote!(#ident))
                    }
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
    #[test]
    fn snake_case_of_variant_names() {
        assert_eq!(super::snake_case("Memory"), "memory");
        assert_eq!(super::snake_case("PostgresTier"), "postgres_tier");
        assert_eq!(super::snake_case("already_snake"), "already_snake");
    }
}
