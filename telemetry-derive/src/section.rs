//! Code generation for `#[derive(TelemetrySection)]`: a struct nested in a
//! payload. It serializes as a JSON object, implements the marker trait the
//! payload's derive asserts, and defines the hidden macro through which the
//! payload's guard sees its fields (see `chain`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::{Kind, Struct};
use crate::attr::Container;
use crate::chain::{self, tree, Export, Mode};
use crate::check::check_struct;
use crate::crate_path::CratePath;
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::ser::{impl_serialize, struct_checks};
use crate::ser_enum;

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = Container::from_section_attrs(&cx, &input.attrs);
    let krate = CratePath::new(&cx, attrs.krate.as_ref());
    let section = Struct::from_ast(&cx, input, Kind::Section, attrs);
    if let Some(section) = &section {
        check_struct(&cx, section);
    }
    let export = Export::of(input, krate.clone());
    let section = match (cx.check(), section) {
        (Ok(()), Some(section)) => section,
        (errors, _) => {
            // The macro still exists, marked poisoned, so a payload holding
            // this section reports nothing more than these errors.
            let poisoned = tree::write_item(&input.ident, true, &[]);
            let shape_macro =
                chain::define_section_macro(&input.ident, &export, poisoned, TokenStream::new());
            let stubs = fallback::section(input, &krate, errors.err());
            return quote!(#stubs #shape_macro);
        }
    };
    let paths = section.section_paths();
    let item = tree::write_item(section.ident, false, &tree::fields_of(&section, &paths));
    let shape_macro = if paths.is_empty() {
        chain::define_section_macro(section.ident, &export, item, TokenStream::new())
    } else {
        chain::start(&Mode::Section(export), item, &paths)
    };
    let serialize = match &section.variants {
        Some((repr, variants)) => ser_enum::impl_serialize(&section, repr, variants, &krate),
        None => impl_serialize(&section, &krate, None),
    };
    let checks = struct_checks(&section, &krate, &paths);
    let name = section.ident;
    let nested = chain::nested_marker(input, &krate);
    quote! {
        #serialize
        #[automatically_derived]
        impl #krate::TelemetrySection for #name {}
        #nested
        #checks
        #shape_macro
    }
}
