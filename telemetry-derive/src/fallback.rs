//! What a derive emits when its input is invalid: the errors, plus impls
//! with the right signatures, so the user sees the real errors and not a
//! cascade of "trait not implemented" follow-ups (as thiserror does).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

fn errors(error: Option<syn::Error>) -> TokenStream {
    error.map(|e| e.to_compile_error()).unwrap_or_default()
}

fn impl_serialize(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        impl #impl_generics ::telemetry_core::__private::serde::Serialize for #ident #ty_generics #where_clause {
            fn serialize<__S>(&self, _: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: ::telemetry_core::__private::serde::Serializer,
            {
                ::core::unreachable!()
            }
        }
    }
}

pub fn telemetry(input: &DeriveInput, error: Option<syn::Error>) -> TokenStream {
    let errors = errors(error);
    let serialize = impl_serialize(input);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors
        #serialize
        impl #impl_generics ::telemetry_core::Telemetry for #ident #ty_generics #where_clause {
            const NAME: &'static str = "";
            const SCHEMA_VERSION: &'static str = "";
            const ENDPOINT: ::core::option::Option<&'static str> = ::core::option::Option::None;
            const FIELDS: &'static [::telemetry_core::FieldInfo] = &[];
            const DOCS_TABLE: &'static str = "";
            const JSON_SCHEMA: &'static str = "";
        }
    }
}

pub fn telemetry_value(input: &DeriveInput, error: Option<syn::Error>) -> TokenStream {
    let errors = errors(error);
    let serialize = impl_serialize(input);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors
        #serialize
        impl #impl_generics ::telemetry_core::TelemetryValue for #ident #ty_generics #where_clause {
            const VALUES: &'static [&'static str] = &[];
            fn wire_str(&self) -> &'static str {
                ::core::unreachable!()
            }
        }
    }
}
