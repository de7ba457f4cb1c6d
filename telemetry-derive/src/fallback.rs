//! What a derive emits when its input is invalid: the errors, plus impls
//! with the right signatures, so the user sees the real errors and not a
//! cascade of "trait not implemented" follow-ups (as thiserror does).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::chain;
use crate::crate_path::CratePath;

/// The errors, a stub `Serialize`, and a stub impl of `trait_path` with
/// `items` as its body.
fn stubs(
    input: &DeriveInput,
    krate: &CratePath,
    error: Option<syn::Error>,
    trait_path: TokenStream,
    items: TokenStream,
) -> TokenStream {
    let errors = error.map(|e| e.to_compile_error()).unwrap_or_default();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors
        impl #impl_generics #krate::__private::serde::Serialize for #ident #ty_generics #where_clause {
            fn serialize<__S>(&self, _: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: #krate::__private::serde::Serializer,
            {
                ::core::unreachable!()
            }
        }
        impl #impl_generics #trait_path for #ident #ty_generics #where_clause {
            #items
        }
    }
}

pub fn telemetry(input: &DeriveInput, krate: &CratePath, error: Option<syn::Error>) -> TokenStream {
    let derived = derived(krate, None);
    let items = quote! {
        const __DERIVED: #krate::__private::Derived = #derived;
    };
    stubs(input, krate, error, quote!(#krate::Telemetry), items)
}

/// An empty `Derived` expression after the errors, where a payload's
/// constant cannot be computed.
pub fn derived(krate: &CratePath, error: Option<syn::Error>) -> TokenStream {
    let errors = error.map(|e| e.to_compile_error()).unwrap_or_default();
    quote!({
        #errors
        #krate::__private::Derived {
            name: "",
            schema_version: "",
            endpoint: ::core::option::Option::None,
            fields: &[],
            docs_table: "",
            json_schema: "",
        }
    })
}

pub fn section(input: &DeriveInput, krate: &CratePath, error: Option<syn::Error>) -> TokenStream {
    let stubs = stubs(
        input,
        krate,
        error,
        quote!(#krate::TelemetrySection),
        TokenStream::new(),
    );
    let nested = chain::nested_marker(input, krate);
    quote!(#stubs #nested)
}

pub fn telemetry_value(
    input: &DeriveInput,
    krate: &CratePath,
    error: Option<syn::Error>,
) -> TokenStream {
    let items = quote! {
        const VALUES: &'static [&'static str] = &[];
        fn wire_str(&self) -> &'static str {
            ::core::unreachable!()
        }
    };
    let stubs = stubs(input, krate, error, quote!(#krate::TelemetryValue), items);
    let nested = chain::nested_marker(input, krate);
    quote!(#stubs #nested)
}
