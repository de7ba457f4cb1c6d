//! What a derive emits when its input is invalid: the errors, plus impls
//! with the right signatures, so the user sees the real errors and not a
//! cascade of "trait not implemented" follow-ups (as thiserror does).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

/// The errors, a stub `Serialize`, and a stub impl of `trait_path` with
/// `items` as its body.
fn stubs(
    input: &DeriveInput,
    error: Option<syn::Error>,
    trait_path: TokenStream,
    items: TokenStream,
) -> TokenStream {
    let errors = error.map(|e| e.to_compile_error()).unwrap_or_default();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors
        impl #impl_generics ::telemetry_core::__private::serde::Serialize for #ident #ty_generics #where_clause {
            fn serialize<__S>(&self, _: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: ::telemetry_core::__private::serde::Serializer,
            {
                ::core::unreachable!()
            }
        }
        impl #impl_generics #trait_path for #ident #ty_generics #where_clause {
            #items
        }
    }
}

pub fn telemetry(input: &DeriveInput, error: Option<syn::Error>) -> TokenStream {
    let derived = derived(None);
    let items = quote! {
        const __DERIVED: ::telemetry_core::__private::Derived = #derived;
    };
    stubs(input, error, quote!(::telemetry_core::Telemetry), items)
}

/// An empty `Derived` expression after the errors, where a payload's
/// constant cannot be computed.
pub fn derived(error: Option<syn::Error>) -> TokenStream {
    let errors = error.map(|e| e.to_compile_error()).unwrap_or_default();
    quote!({
        #errors
        ::telemetry_core::__private::Derived {
            name: "",
            schema_version: "",
            endpoint: ::core::option::Option::None,
            fields: &[],
            docs_table: "",
            json_schema: "",
        }
    })
}

pub fn section(input: &DeriveInput, error: Option<syn::Error>) -> TokenStream {
    stubs(
        input,
        error,
        quote!(::telemetry_core::TelemetrySection),
        TokenStream::new(),
    )
}

pub fn telemetry_value(input: &DeriveInput, error: Option<syn::Error>) -> TokenStream {
    let items = quote! {
        const VALUES: &'static [&'static str] = &[];
        fn wire_str(&self) -> &'static str {
            ::core::unreachable!()
        }
    };
    stubs(
        input,
        error,
        quote!(::telemetry_core::TelemetryValue),
        items,
    )
}
