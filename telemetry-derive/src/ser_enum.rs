//! `impl Serialize` for a section enum: one match arm per variant, writing
//! what serde's derive writes in each of its four representations (see
//! `ast::variants`). Enums are small next to payloads, so this is plain
//! `quote!` throughout.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ast::{Field, Repr, Struct, Style, Variant};
use crate::crate_path::CratePath;
use crate::ser::{impl_block, key_count};

pub fn impl_serialize(
    item: &Struct,
    repr: &Repr,
    variants: &[Variant],
    krate: &CratePath,
) -> TokenStream {
    let name = item.ident;
    let arms = variants
        .iter()
        .map(|variant| arm(item, repr, variant, krate));
    // An enum without variants has no value to match.
    let body = if variants.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#arms)* })
    };
    impl_block(krate, name, body)
}

fn arm(item: &Struct, repr: &Repr, variant: &Variant, krate: &CratePath) -> TokenStream {
    let (enum_ident, ident) = (item.ident, variant.ident);
    let enum_name = item.serialized_name();
    let (name, index) = (&variant.name, variant.index);
    let fields = &item.fields[variant.fields.clone()];
    let pattern = match variant.style {
        Style::Unit => quote!(#enum_ident::#ident),
        Style::Newtype => quote!(#enum_ident::#ident(__value)),
        Style::Struct => {
            let bound = fields.iter().map(|field| &field.member);
            quote!(#enum_ident::#ident { #(#bound,)* .. })
        }
    };
    if variant.skipped {
        let variant_text = ident.to_string();
        return quote! {
            #pattern => #krate::__private::skipped_variant::<__S>(#enum_name, #variant_text),
        };
    }
    let p = quote!(#krate::__private);
    let body = match (repr, variant.style) {
        (Repr::External, Style::Unit) => quote! {
            #p::serde::Serializer::serialize_unit_variant(serializer, #enum_name, #index, #name)
        },
        (Repr::External, Style::Newtype) => quote! {
            #p::serde::Serializer::serialize_newtype_variant(serializer, #enum_name, #index, #name, __value)
        },
        // As a newtype variant holding the fields' struct, which JSON
        // writes exactly as serde's struct variant (`{"name": {..}}`), but
        // which a `#[serde(flatten)]` holder can take as one entry: a
        // struct variant's fields come one by one, after its key.
        (Repr::External, Style::Struct) => {
            let content_struct = content_struct(fields, &ident.to_string(), krate);
            let built = fields.iter().map(|field| &field.member);
            quote! {
                #content_struct
                #p::serde::Serializer::serialize_newtype_variant(
                    serializer, #enum_name, #index, #name, &__Content { #(#built,)* },
                )
            }
        }
        (Repr::Internal { tag }, Style::Unit) => quote! {
            let mut fields = #p::begin(serializer, #enum_name, 1);
            #p::field(&mut fields, #tag, #name);
            #p::end(fields)
        },
        (Repr::Internal { tag }, Style::Struct) => {
            let len = len(fields, 1);
            let calls = calls(fields);
            quote! {
                #[allow(unused_imports)]
                use #p::{field as _field, skip_field as _skip};
                let mut fields = #p::begin(serializer, #enum_name, #len);
                _field(&mut fields, #tag, #name);
                #calls
                #p::end(fields)
            }
        }
        (Repr::Adjacent { tag, .. }, Style::Unit) => quote! {
            let mut fields = #p::begin(serializer, #enum_name, 1);
            #p::field(&mut fields, #tag, #name);
            #p::end(fields)
        },
        (Repr::Adjacent { tag, content }, Style::Newtype) => quote! {
            let mut fields = #p::begin(serializer, #enum_name, 2);
            #p::field(&mut fields, #tag, #name);
            #p::field(&mut fields, #content, __value);
            #p::end(fields)
        },
        (Repr::Adjacent { tag, content }, Style::Struct) => {
            let content_struct = content_struct(fields, &ident.to_string(), krate);
            let built = fields.iter().map(|field| &field.member);
            quote! {
                #content_struct
                let mut fields = #p::begin(serializer, #enum_name, 2);
                #p::field(&mut fields, #tag, #name);
                #p::field(&mut fields, #content, &__Content { #(#built,)* });
                #p::end(fields)
            }
        }
        (Repr::Untagged, Style::Newtype) => quote! {
            #p::serde::Serialize::serialize(__value, serializer)
        },
        (Repr::Untagged, Style::Struct) => {
            let len = len(fields, 0);
            let calls = calls(fields);
            let variant_text = ident.to_string();
            quote! {
                #[allow(unused_imports)]
                use #p::{field as _field, skip_field as _skip};
                let mut fields = #p::begin(serializer, #variant_text, #len);
                #calls
                #p::end(fields)
            }
        }
        // The tag, then the held section's keys, as serde writes them.
        (Repr::Internal { tag }, Style::Newtype) => quote! {
            let mut entries = #p::begin_map(serializer);
            #p::entry(&mut entries, #tag, #name);
            #p::flatten(&mut entries, __value);
            #p::end_map(entries)
        },
        // Refused by `check`; never reached.
        (Repr::Untagged, Style::Unit) => quote! {
            #p::skipped_variant::<__S>(#enum_name, #name)
        },
    };
    quote!(#pattern => { #body })
}

/// The key count of an arm's fields, reached by their bindings.
fn len(fields: &[Field], extra: usize) -> TokenStream {
    key_count(fields, extra, |field| {
        let binding = &field.member;
        quote!(#binding)
    })
}

/// One call per field, on the bindings of the arm's pattern.
fn calls(fields: &[Field]) -> TokenStream {
    fields
        .iter()
        .map(|field| {
            let (binding, key) = (&field.member, &field.key);
            match &field.serde.skip_serializing_if {
                None => quote!(_field(&mut fields, #key, #binding);),
                Some(skip_if) => quote! {
                    if #skip_if(#binding) {
                        _skip(&mut fields, #key);
                    } else {
                        _field(&mut fields, #key, #binding);
                    }
                },
            }
        })
        .collect()
}

/// A struct variant's content (adjacently or externally tagged): a struct
/// of references to the fields, as serde's derive makes one.
fn content_struct(fields: &[Field], variant: &str, krate: &CratePath) -> TokenStream {
    let members: Vec<_> = fields.iter().map(|field| &field.member).collect();
    let types = fields.iter().map(|field| field.ty);
    let len = len(fields, 0);
    let calls = calls(fields);
    let unpack = format_ident!("__Content");
    quote! {
        struct #unpack<'__a> { #(#members: &'__a #types,)* }
        impl #krate::__private::serde::Serialize for #unpack<'_> {
            fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: #krate::__private::serde::Serializer,
            {
                #[allow(unused_imports)]
                use #krate::__private::{field as _field, skip_field as _skip};
                let #unpack { #(#members,)* } = *self;
                let mut fields = #krate::__private::begin(serializer, #variant, #len);
                #calls
                #krate::__private::end(fields)
            }
        }
    }
}
