//! Code generation for `#[derive(TelemetryValue)]`: an enum of unit
//! variants sent as fixed strings, with its variant list as a const.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::ValueEnum;
use crate::attr::Container;
use crate::check::check_value_enum;
use crate::crate_path::CratePath;
use crate::ctxt::Ctxt;
use crate::fallback;

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = Container::from_value_enum_attrs(&cx, &input.attrs);
    let krate = CratePath::new(&cx, attrs.krate.as_ref());
    let value_enum = ValueEnum::from_ast(&cx, input);
    if let Some(value_enum) = &value_enum {
        check_value_enum(&cx, value_enum);
    }
    let value_enum = match (cx.check(), value_enum) {
        (Ok(()), Some(value_enum)) => value_enum,
        (errors, _) => return fallback::telemetry_value(input, &krate, errors.err()),
    };
    let ident = value_enum.ident;
    let wires: Vec<&str> = value_enum
        .variants
        .iter()
        .map(|v| v.wire.as_str())
        .collect();
    let arms = value_enum.variants.iter().map(|variant| {
        let variant_ident = variant.ident;
        let wire = &variant.wire;
        quote!(#ident::#variant_ident => #wire)
    });
    quote! {
        #[automatically_derived]
        impl #krate::TelemetryValue for #ident {
            const VALUES: &'static [&'static str] = &[#(#wires),*];
            fn wire_str(&self) -> &'static str {
                match self {
                    #(#arms,)*
                }
            }
        }
        #[automatically_derived]
        impl #krate::__private::serde::Serialize for #ident {
            fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: #krate::__private::serde::Serializer,
            {
                serializer.serialize_str(#krate::TelemetryValue::wire_str(self))
            }
        }
    }
}
