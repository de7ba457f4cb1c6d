//! The serialization code every struct derive emits, payload and section
//! alike: `impl Serialize` and the compile-time checks on the struct's
//! field types (value lists, section types).
//!
//! The fixed skeleton is `quote!`; what grows with the field count (one
//! call per field) is written as source text and lexed in one call, which
//! is measurably cheaper in an unoptimized proc macro (see `tokens` and
//! docs/performance.md).

use proc_macro2::{Delimiter, Group, TokenStream};
use quote::{quote, quote_spanned};

use crate::ast::{Field, Struct};
use crate::crate_path::CratePath;
use crate::shape::{WireType, SCHEMA_VERSION_KEY};
use crate::tokens;
use crate::wire::type_text;

/// `impl Serialize`: the calls serde's derive makes, in declaration order,
/// a payload's `schema_version` first.
///
/// There is no `?`: in a function generic over the serializer each `?`
/// makes the compiler prove `FromResidual` and `From` for the projected
/// error types, a cost per field (docs/performance.md). The state and the
/// first error live in telemetry-core's `__private::Fields`, so the
/// skeleton is short and each field one call of `__private::field`.
pub fn impl_serialize(item: &Struct, krate: &CratePath, version: Option<&str>) -> TokenStream {
    if item.newtype {
        return impl_serialize_newtype(item, krate);
    }
    let name = item.ident;
    let name_text = item.serialized_name();
    let extra = usize::from(version.is_some()) + usize::from(item.serde.tag.is_some());
    let len = key_count(&item.fields, extra, |field| {
        let ident = field.ident;
        quote!(&self.#ident)
    });
    let calls = field_calls(item, version);
    let skip = item
        .fields
        .iter()
        .any(|field| field.serde.skip_serializing_if.is_some())
        .then(|| quote!(use #krate::__private::skip_field as _skip;));
    // With `#[serde(flatten)]` the struct is a map, as serde writes it;
    // the calls are the same, by the same names.
    let (mut body, end) = if item.has_flatten() {
        let skip = skip.map(|_| quote!(use #krate::__private::skip_entry as _skip;));
        let body = quote! {
            use #krate::__private::{entry as _field, flatten as _flatten};
            #skip
            let mut fields = #krate::__private::begin_map(serializer);
        };
        (body, quote!(#krate::__private::end_map(fields)))
    } else {
        let body = quote! {
            use #krate::__private::field as _field;
            #skip
            let mut fields = #krate::__private::begin(serializer, #name_text, #len);
        };
        (body, quote!(#krate::__private::end(fields)))
    };
    // One splice of the calls; the body then goes in as one group.
    body.extend(calls.into_iter().chain([end]));
    impl_block(krate, name, body)
}

/// `impl Serialize for name` around the body of its `serialize`, which
/// sees `self` and `serializer: __S`. The body goes in as one group, so a
/// long one is not copied again.
pub fn impl_block(krate: &CratePath, name: &syn::Ident, body: TokenStream) -> TokenStream {
    let body = Group::new(Delimiter::Brace, body);
    quote! {
        #[automatically_derived]
        impl #krate::__private::serde::Serialize for #name {
            fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: #krate::__private::serde::Serializer,
            #body
        }
    }
}

/// A newtype as serde sends it: `serialize_newtype_struct` with its one
/// field, or that field itself under `#[serde(transparent)]`.
fn impl_serialize_newtype(item: &Struct, krate: &CratePath) -> TokenStream {
    let name = item.ident;
    let body = match item.fields.first() {
        Some(field) if item.serde.transparent => {
            let member = &field.member;
            quote!(#krate::__private::serde::Serialize::serialize(&self.#member, serializer))
        }
        Some(field) => {
            let (member, name_text) = (&field.member, item.serialized_name());
            quote!(#krate::__private::serde::Serializer::serialize_newtype_struct(serializer, #name_text, &self.#member))
        }
        // A skipped newtype field leaves nothing to send: serde writes the
        // unit struct.
        None => {
            let name_text = item.serialized_name();
            quote!(#krate::__private::serde::Serializer::serialize_unit_struct(serializer, #name_text))
        }
    };
    impl_block(krate, name, body)
}

/// The number of keys `serialize_struct` is told, as serde counts them:
/// `extra` keys before the fields (version, tag), then each field, one
/// left out by `skip_serializing_if` counted only when sent. `value`
/// spells how the generated code reaches a field (`&self.name`, or an
/// enum arm's binding).
pub fn key_count(
    fields: &[Field],
    extra: usize,
    value: impl Fn(&Field) -> TokenStream,
) -> TokenStream {
    let fixed = extra
        + fields
            .iter()
            .filter(|field| field.serde.skip_serializing_if.is_none())
            .count();
    let optional = fields.iter().filter_map(|field| {
        let skip_if = field.serde.skip_serializing_if.as_ref()?;
        let value = value(field);
        Some(quote!(+ if #skip_if(#value) { 0 } else { 1 }))
    });
    quote!(#fixed #(#optional)*)
}

/// `_field(&mut fields, "key", &self.field);` per field, as
/// one lexed text; a field with `skip_serializing_if` is sent, or skipped
/// as serde skips it, by its predicate.
///
/// The parts come back as a list, for the caller to splice in one step:
/// each splice of a long token stream copies it.
fn field_calls(item: &Struct, version: Option<&str>) -> Vec<TokenStream> {
    let mut source = String::with_capacity(60 + 60 * item.fields.len());
    if let Some(version) = version {
        push_call(&mut source, SCHEMA_VERSION_KEY, |source| {
            tokens::push_str_literal(source, version)
        });
    }
    if let Some(tag) = &item.serde.tag {
        push_call(&mut source, &tag.value(), |source| {
            tokens::push_str_literal(source, &item.serialized_name())
        });
    }
    let mut calls = Vec::new();
    for field in &item.fields {
        let ident = field.ident;
        if field.serde.flatten {
            source.push_str("_flatten(&mut fields, &self.");
            source.push_str(&ident.to_string());
            source.push_str(");");
            continue;
        }
        let Some(skip_if) = &field.serde.skip_serializing_if else {
            push_call(&mut source, &field.wire_name, |source| {
                source.push_str("&self.");
                source.push_str(&ident.to_string());
            });
            continue;
        };
        // The predicate's path keeps its span, so an error in it points at
        // the attribute.
        calls.push(tokens::parse_generated(&std::mem::take(&mut source)));
        let key = &field.wire_name;
        calls.push(quote! {
            if #skip_if(&self.#ident) {
                _skip(&mut fields, #key);
            } else {
                _field(&mut fields, #key, &self.#ident);
            }
        });
    }
    calls.push(tokens::parse_generated(&source));
    calls
}

fn push_call(source: &mut String, key: &str, value: impl FnOnce(&mut String)) {
    source.push_str("_field(&mut fields, ");
    tokens::push_str_literal(source, key);
    source.push_str(", ");
    value(source);
    source.push_str(");");
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
    let std_asserts = std_struct_asserts(item, krate);
    let checks = quote!(#value_checks #section_asserts #std_asserts);
    (!checks.is_empty()).then(|| quote!(const _: () = { #checks };))
}

/// One statement per section type, failing to compile with the
/// `Nested` diagnostic, at the field's type, when it is neither a section
/// nor a value enum.
pub fn section_asserts(krate: &CratePath, paths: &[&syn::Path]) -> TokenStream {
    paths
        .iter()
        .map(|path| {
            let span = syn::spanned::Spanned::span(path);
            quote_spanned! {span=>
                #krate::__private::assert_nested::<#path>();
            }
        })
        .collect()
}

/// A type taken for `Duration` or `SystemTime` by its name must be that
/// type: one of the user's own, named alike, fails here with a message
/// saying how to send it as a section.
fn std_struct_asserts(item: &Struct, krate: &CratePath) -> TokenStream {
    item.fields
        .iter()
        .filter_map(|field| field.std_struct)
        .map(|(std_struct, path)| {
            let expected = tokens::parse_generated(std_struct.rust_path());
            let span = syn::spanned::Spanned::span(path);
            quote_spanned! {span=>
                #krate::__private::assert_is::<#path, #expected>();
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
                        if !#krate::__private::values_agree(
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
