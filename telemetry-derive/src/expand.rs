//! Code generation for `#[derive(Telemetry)]`: `Serialize`, `Telemetry`,
//! the value-list assertions and the file tracking that reruns the guard.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;

use crate::ast::Payload;
use crate::check::{check_payload, SCHEMA_VERSION_KEY};
use crate::ctxt::Ctxt;
use crate::docs::DocsRow;
use crate::fallback;
use crate::guard::{self, BLESS_VAR, CI_VAR};
use crate::json_schema;
use crate::shape::{why_cell, Shape, ShapeField, WireType};
use crate::tokens;

/// The why-text of the injected `schema_version` row.
pub const SCHEMA_VERSION_WHY: &str = "Lets the receiver parse the right shape.";

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let payload = Payload::from_ast(&cx, input);
    let version = payload
        .as_ref()
        .and_then(|payload| check_payload(&cx, payload));
    let (Some(payload), Some(version), false) = (payload, version, cx.has_errors()) else {
        return fallback::telemetry(input, cx.check().err());
    };
    let shape = Shape {
        fields: payload
            .fields
            .iter()
            .map(|field| ShapeField {
                name: field.wire_name(),
                wire: field.wire.clone().unwrap_or(WireType::String),
            })
            .collect(),
    };
    let rows = docs_rows(&payload, &shape);
    // The guard's errors leave the generated impls intact, so they are the
    // only errors the user sees.
    let guarded = guard::run(&cx, &payload, &version, &shape, &rows);
    let errors = cx.check().err().map(|e| e.to_compile_error());
    let serialize = impl_serialize(&payload, version.as_str());
    let json_schema = json_schema::render_version(&payload.ident.to_string(), &version, &shape);
    let telemetry = impl_telemetry(
        &payload,
        version.as_str(),
        &rows,
        &guarded.block,
        &json_schema,
    );
    let value_checks = value_checks(&payload);
    // Every const item is one more body to type-check and evaluate, and at
    // ten fields such bodies cost more than the fields: one each, or none.
    let value_checks = (!value_checks.is_empty()).then(|| quote!(const _: () = { #value_checks };));
    let tracking = tracking(&guarded.tracked);
    quote! {
        #errors
        #serialize
        #telemetry
        #value_checks
        #tracking
    }
}

fn docs_rows<'a>(payload: &'a Payload, shape: &'a Shape) -> Vec<DocsRow<'a>> {
    let mut rows = vec![DocsRow {
        name: SCHEMA_VERSION_KEY,
        wire: WireType::String.display(),
        why: SCHEMA_VERSION_WHY.into(),
    }];
    rows.extend(
        payload
            .fields
            .iter()
            .zip(&shape.fields)
            .map(|(field, shaped)| DocsRow {
                name: &shaped.name,
                wire: shaped.wire.display(),
                why: match &field.attrs.reviewed {
                    // Shown where the reader looks for the reason a field exists.
                    // The reason is a cell too: whitespace collapsed, `|` escaped.
                    Some(reason) => format!(
                        "{} *(Reviewed: {})*",
                        field.why,
                        why_cell(&[reason.value()])
                    )
                    .into(),
                    None => field.why.as_str().into(),
                },
            }),
    );
    rows
}

fn impl_serialize(payload: &Payload, version: &str) -> TokenStream {
    let ident = payload.ident;
    let name = ident.to_string();
    let len = payload.fields.len() + 1;
    let fields = payload.fields.iter().map(|field| {
        let member = field.ident;
        let wire_name = field.wire_name();
        quote! {
            _serde::ser::SerializeStruct::serialize_field(&mut state, #wire_name, &self.#member)?;
        }
    });
    quote! {
        #[automatically_derived]
        impl ::telemetry_core::__private::serde::Serialize for #ident {
            fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: ::telemetry_core::__private::serde::Serializer,
            {
                use ::telemetry_core::__private::serde as _serde;
                let mut state = _serde::Serializer::serialize_struct(serializer, #name, #len)?;
                _serde::ser::SerializeStruct::serialize_field(&mut state, #SCHEMA_VERSION_KEY, #version)?;
                #(#fields)*
                _serde::ser::SerializeStruct::end(state)
            }
        }
    }
}

fn impl_telemetry(
    payload: &Payload,
    version: &str,
    rows: &[DocsRow],
    block: &str,
    json_schema: &str,
) -> TokenStream {
    let ident = payload.ident;
    let name = ident.to_string();
    let endpoint = match &payload.attrs.endpoint {
        Some(url) => quote!(::core::option::Option::Some(#url)),
        None => quote!(::core::option::Option::None),
    };
    let fields = fields_array(rows);
    let block = tokens::str_literal(block);
    let json_schema = tokens::str_literal(json_schema);
    quote! {
        #[automatically_derived]
        impl ::telemetry_core::Telemetry for #ident {
            const NAME: &'static str = #name;
            const SCHEMA_VERSION: &'static str = #version;
            const ENDPOINT: ::core::option::Option<&'static str> = #endpoint;
            const FIELDS: &'static [::telemetry_core::FieldInfo] = #fields;
            const DOCS_TABLE: &'static str = #block;
            const JSON_SCHEMA: &'static str = #json_schema;
        }
    }
}

/// `&[FieldInfo { .. }, ..]`, one entry per docs row.
fn fields_array(rows: &[DocsRow]) -> TokenStream {
    let mut source = String::from("&[");
    for DocsRow { name, wire, why } in rows {
        source.push_str("::telemetry_core::FieldInfo{name:");
        tokens::push_str_literal(&mut source, name);
        source.push_str(",wire_type:");
        tokens::push_str_literal(&mut source, wire);
        source.push_str(",why:");
        tokens::push_str_literal(&mut source, why);
        source.push_str("},");
    }
    source.push(']');
    tokens::parse_generated(&source)
}

/// For each value-enum field, a const assertion that the stated `values`
/// are the enum's wire strings, in order: neither side can drift.
fn value_checks(payload: &Payload) -> TokenStream {
    payload
        .fields
        .iter()
        .filter_map(|field| Some((field, field.attrs.values.as_ref()?)))
        .flat_map(|(field, values_lit)| {
            let Some(WireType::Enum(values)) = innermost(field.wire.as_ref()) else {
                return Vec::new();
            };
            field
                .value_enums
                .iter()
                .map(|ty| {
                    let message = format!(
                        "#[telemetry(values = {:?})] on field `{}` does not match the TelemetryValue variants of `{}`: \
                         list its wire strings in declaration order",
                        values_lit.value(),
                        field.ident,
                        quote!(#ty).to_string().replace(' ', "")
                    );
                    quote_spanned! {values_lit.span()=>
                        if !::telemetry_core::__private::same_values(
                            <#ty as ::telemetry_core::TelemetryValue>::VALUES,
                            &[#(#values),*],
                        ) {
                            ::core::panic!(#message);
                        }
                    }
                })
                .collect()
        })
        .collect()
}

fn innermost(wire: Option<&WireType>) -> Option<&WireType> {
    match wire? {
        WireType::Array(inner) | WireType::Map(inner) => innermost(Some(inner)),
        other => Some(other),
    }
}

/// Cargo does not know a proc macro read a file or variable; rustc does
/// know what `include_bytes!` and `option_env!` read, so changing either
/// reruns the derive.
fn tracking(files: &[std::path::PathBuf]) -> TokenStream {
    let mut files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    files.sort();
    let byte_slices = files.iter().map(|_| quote!(&[u8]));
    quote! {
        const _: (#(#byte_slices,)* ::core::option::Option<&str>, ::core::option::Option<&str>) = (
            #(::core::include_bytes!(#files),)*
            ::core::option_env!(#BLESS_VAR),
            ::core::option_env!(#CI_VAR),
        );
    }
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
        let payload = Payload::from_ast(&cx, &input).unwrap();
        let shape = Shape {
            fields: vec![ShapeField {
                name: "namespace_count".into(),
                wire: WireType::Integer,
            }],
        };
        let rows = docs_rows(&payload, &shape);
        assert_eq!(
            rows[1].why,
            r"How many namespaces. *(Reviewed: a count, never \| names)*"
        );
        let _ = cx.check();
    }
}
