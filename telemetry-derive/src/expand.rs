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
use crate::guard::{self, GuardOutput, BLESS_VAR, CI_VAR};
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
                name: field.wire_name.clone(),
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
    let json_schema = json_schema::render_version(&payload.name, &version, &shape);
    let telemetry = impl_telemetry(&payload, version.as_str(), &rows, &guarded, &json_schema);
    let value_checks = value_checks(&payload);
    // Only when there are checks: every item is one more body to check and
    // evaluate, which for a small payload costs more than its fields do.
    let value_checks = (!value_checks.is_empty()).then(|| quote!(const _: () = { #value_checks };));
    quote! {
        #errors
        #serialize
        #telemetry
        #value_checks
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

/// `impl Serialize`: the calls serde's derive makes, in declaration order,
/// `schema_version` first. Written as source (see `tokens`); rustc reports
/// a field type without `Serialize` at the derive either way.
fn impl_serialize(payload: &Payload, version: &str) -> TokenStream {
    let name = &payload.name;
    let mut source = String::with_capacity(200 + 100 * payload.fields.len());
    source.push_str(
        "#[automatically_derived] impl ::telemetry_core::__private::serde::Serialize for ",
    );
    source.push_str(name);
    source.push_str(
        " { fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> \
         where __S: ::telemetry_core::__private::serde::Serializer { \
         use ::telemetry_core::__private::serde::ser::SerializeStruct as _Fields; \
         let mut state = ::telemetry_core::__private::serde::Serializer::serialize_struct(serializer, ",
    );
    tokens::push_str_literal(&mut source, name);
    source.push_str(&format!(", {})?;", payload.fields.len() + 1));
    source.push_str("_Fields::serialize_field(&mut state, ");
    tokens::push_str_literal(&mut source, SCHEMA_VERSION_KEY);
    source.push_str(", ");
    tokens::push_str_literal(&mut source, version);
    source.push_str(")?;");
    for field in &payload.fields {
        source.push_str("_Fields::serialize_field(&mut state, ");
        tokens::push_str_literal(&mut source, &field.wire_name);
        source.push_str(", &self.");
        source.push_str(&field.ident.to_string());
        source.push_str(")?;");
    }
    source.push_str("_Fields::end(state) } }");
    tokens::parse_generated(&source)
}

/// `impl Telemetry`, written as source: it is mostly user text in bulk
/// (see `tokens`).
fn impl_telemetry(
    payload: &Payload,
    version: &str,
    rows: &[DocsRow],
    guarded: &GuardOutput,
    json_schema: &str,
) -> TokenStream {
    let name = &payload.name;
    let block = &guarded.block;
    let mut source = String::with_capacity(block.len() + json_schema.len() + 100 * rows.len());
    source.push_str("#[automatically_derived] impl ::telemetry_core::Telemetry for ");
    source.push_str(name);
    source.push_str(" { const __DERIVED: ::telemetry_core::__private::Derived = {");
    push_tracking(&mut source, &guarded.tracked);
    // One path to resolve instead of one per row.
    source.push_str("use ::telemetry_core::FieldInfo as F;");
    source.push_str("::telemetry_core::__private::Derived { name: ");
    tokens::push_str_literal(&mut source, name);
    source.push_str(", schema_version: ");
    tokens::push_str_literal(&mut source, version);
    source.push_str(", endpoint: ");
    match &payload.attrs.endpoint {
        Some(url) => {
            source.push_str("::core::option::Option::Some(");
            tokens::push_str_literal(&mut source, &url.value());
            source.push(')');
        }
        None => source.push_str("::core::option::Option::None"),
    }
    source.push_str(", fields: &[");
    for DocsRow { name, wire, why } in rows {
        source.push_str("F { name: ");
        tokens::push_str_literal(&mut source, name);
        source.push_str(", wire_type: ");
        tokens::push_str_literal(&mut source, wire);
        source.push_str(", why: ");
        tokens::push_str_literal(&mut source, why);
        source.push_str(" },");
    }
    source.push_str("], docs_table: ");
    tokens::push_str_literal(&mut source, block);
    source.push_str(", json_schema: ");
    tokens::push_str_literal(&mut source, json_schema);
    source.push_str(" } }; }");
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
/// reruns the derive. Expansion is what records them: the constant they
/// sit in need never be evaluated.
fn push_tracking(source: &mut String, files: &[std::path::PathBuf]) {
    let mut files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    files.sort();
    for file in &files {
        source.push_str("::core::include_bytes!(");
        tokens::push_str_literal(source, file);
        source.push_str(");");
    }
    for var in [BLESS_VAR, CI_VAR] {
        source.push_str("::core::option_env!(");
        tokens::push_str_literal(source, var);
        source.push_str(");");
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
