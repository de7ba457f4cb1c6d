//! Code generation for `#[derive(TelemetryValue)]`: an enum of unit
//! variants sent as fixed strings, with its variant list as a const, and
//! the hidden macro that carries the list to the derive of a field holding
//! the enum (see `chain`), as a section's carries its fields.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::ValueEnum;
use crate::attr::Container;
use crate::chain::{self, tree, Export};
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
    let export = Export::of(input, krate.clone());
    let value_enum = match (cx.check(), value_enum) {
        (Ok(()), Some(value_enum)) => value_enum,
        (errors, _) => {
            // Poisoned, as a failed section's: a field holding this enum
            // reports nothing more than these errors.
            let poisoned = tree::write_item(&input.ident, true, &[]);
            let values_macro =
                chain::define_section_macro(&input.ident, &export, poisoned, TokenStream::new());
            let stubs = fallback::telemetry_value(input, &krate, errors.err());
            return quote!(#stubs #values_macro);
        }
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
    let values = value_enum.variants.iter().map(|v| v.wire.clone()).collect();
    let values_macro = chain::define_section_macro(
        ident,
        &export,
        tree::write_value_enum(ident, values),
        TokenStream::new(),
    );
    let nested = chain::nested_marker(input, &krate);
    quote! {
        #nested
        #values_macro
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
