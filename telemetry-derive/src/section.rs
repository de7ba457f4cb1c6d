//! Code generation for `#[derive(TelemetrySection)]`: a struct nested in a
//! payload. It serializes as a JSON object, implements the marker trait the
//! payload's derive asserts, and defines the hidden macro through which the
//! payload's guard sees its fields (see `nested`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::{Kind, Payload};
use crate::attr::Container;
use crate::check::check_payload;
use crate::crate_path::CratePath;
use crate::ctxt::Ctxt;
use crate::expand::{impl_serialize, section_paths, struct_checks};
use crate::fallback;
use crate::nested::{self, Export, Mode};
use crate::tree;

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = Container::from_section_attrs(&cx, &input.attrs);
    let krate = CratePath::new(&cx, attrs.krate.as_ref());
    let section = Payload::from_ast(&cx, input, Kind::Section, attrs);
    if let Some(section) = &section {
        check_payload(&cx, section);
    }
    let export = Export::of(input, krate.clone());
    let (Some(section), false) = (section, cx.has_errors()) else {
        // The macro still exists, marked poisoned, so a payload holding
        // this section reports nothing more than these errors.
        let poisoned = tree::write_item(&input.ident, true, &[]);
        let shape_macro =
            nested::define_section_macro(&input.ident, &export, poisoned, TokenStream::new());
        let stubs = fallback::section(input, &krate, cx.check().err());
        return quote!(#stubs #shape_macro);
    };
    let _ = cx.check();
    let paths = section_paths(&section);
    let item = tree::write_item(section.ident, false, &tree::fields_of(&section, &paths));
    let shape_macro = if paths.is_empty() {
        nested::define_section_macro(section.ident, &export, item, TokenStream::new())
    } else {
        nested::start(&Mode::Section(export), item, &paths)
    };
    let serialize = impl_serialize(&section, &krate, None);
    let checks = struct_checks(&section, &krate, &paths);
    let name = section.ident;
    quote! {
        #serialize
        #[automatically_derived]
        impl #krate::TelemetrySection for #name {}
        #checks
        #shape_macro
    }
}

/// `resume!`: one step of a chain over sections, or its end.
pub fn resume(input: TokenStream) -> TokenStream {
    match nested::step(input) {
        Err(error) => error.to_compile_error(),
        Ok(Ok(next)) => next,
        Ok(Err(finished)) => match &finished.mode {
            Mode::Section(export) => match finished.name() {
                Ok(name) => nested::define_section_macro(
                    &name,
                    export,
                    finished.item.clone(),
                    finished.children.clone(),
                ),
                Err(error) => error.to_compile_error(),
            },
            Mode::Payload(attrs) => match finished.tree() {
                Ok(tree) => crate::expand::finish_payload(attrs, &tree),
                Err(error) => fallback::derived(&attrs.krate, Some(error)),
            },
        },
    }
}
