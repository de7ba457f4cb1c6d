//! The serialization code every struct derive emits, payload and section
//! alike: `impl Serialize` and the compile-time checks on the struct's
//! field types (value lists, section types).
//!
//! The fixed skeleton is `quote!`; what grows with the field count (one
//! call per field) is written as source text and lexed in one call, which
//! is measurably cheaper in an unoptimized proc macro (see `tokens` and
//! docs/performance.md).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::ast::Struct;
use crate::crate_path::CratePath;
use crate::shape::{WireType, SCHEMA_VERSION_KEY};
use crate::tokens;
use crate::wire::type_text;

/// `impl Serialize`: the calls serde's derive makes, in declaration order,
/// a payload's `schema_version` first.
///
/// There is no `?`: in a function generic over the serializer each `?`
/// makes the compiler prove `FromResidual` and `From` for the projected
/// error types, a cost per field (docs/performance.md). Each field is one
/// call of a helper that records the first error and skips the fields
/// after it, so nothing is written after a failure, as with `?`.
pub fn impl_serialize(item: &Struct, krate: &CratePath, version: Option<&str>) -> TokenStream {
    let name = item.ident;
    let name_text = &item.name;
    let len = item.fields.len() + usize::from(version.is_some());
    let calls = field_calls(item, version);
    quote! {
        #[automatically_derived]
        impl #krate::__private::serde::Serialize for #name {
            fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: #krate::__private::serde::Serializer,
            {
                use #krate::__private::serialize_field as _field;
                let mut state = match #krate::__private::serde::Serializer::serialize_struct(serializer, #name_text, #len) {
                    ::core::result::Result::Ok(state) => state,
                    ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
                };
                let mut failed = ::core::option::Option::None;
                #calls
                match failed {
                    ::core::option::Option::None => #krate::__private::serde::ser::SerializeStruct::end(state),
                    ::core::option::Option::Some(error) => ::core::result::Result::Err(error),
                }
            }
        }
    }
}

/// `_field(&mut state, &mut failed, "key", &self.field);` per field, as
/// one lexed text.
fn field_calls(item: &Struct, version: Option<&str>) -> TokenStream {
    let mut source = String::with_capacity(60 + 60 * item.fields.len());
    let mut call = |key: &str, value: &str| {
        source.push_str("_field(&mut state, &mut failed, ");
        tokens::push_str_literal(&mut source, key);
        source.push_str(", ");
        source.push_str(value);
        source.push_str(");");
    };
    if let Some(version) = version {
        let mut literal = String::new();
        tokens::push_str_literal(&mut literal, version);
        call(SCHEMA_VERSION_KEY, &literal);
    }
    for field in &item.fields {
        call(&field.wire_name, &format!("&self.{}", field.ident));
    }
    tokens::parse_generated(&source)
}

/// The value-list assertions and the assertions that `paths` are sections,
/// in one item (every item is one more body for the compiler to check).
pub fn struct_checks(
    item: &Struct,
    krate: &CratePath,
    paths: &[&syn::Path],
) -> Option<TokenStream> {
    let value_checks = value_checks(item, krate);
    let section_asserts = section_asserts(krate, paths);
    let checks = quote!(#value_checks #section_asserts);
    (!checks.is_empty()).then(|| quote!(const _: () = { #checks };))
}

/// One statement per section type, failing to compile with the
/// `TelemetrySection` diagnostic, at the field's type, when it is not one.
pub fn section_asserts(krate: &CratePath, paths: &[&syn::Path]) -> TokenStream {
    paths
        .iter()
        .map(|path| {
            let span = syn::spanned::Spanned::span(path);
            quote_spanned! {span=>
                #krate::__private::assert_section::<#path>();
            }
        })
        .collect()
}

/// For each value-enum field, a const assertion that the stated `values`
/// are the enum's wire strings, in order: neither side can drift.
fn value_checks(item: &Struct, krate: &CratePath) -> TokenStream {
    item.fields
        .iter()
        .filter_map(|field| Some((field, field.attrs.values.as_ref()?)))
        .flat_map(|(field, values_lit)| {
            let Some(WireType::Enum(values)) = field.wire.as_ref().map(WireType::innermost) else {
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
                        type_text(ty)
                    );
                    quote_spanned! {values_lit.span()=>
                        if !#krate::__private::same_values(
                            <#ty as #krate::TelemetryValue>::VALUES,
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
