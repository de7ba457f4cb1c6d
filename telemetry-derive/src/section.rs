//! Code generation for `#[derive(TelemetrySection)]`: a struct nested in a
//! payload. It serializes as a JSON object, implements the marker trait the
//! payload's derive asserts, and defines the hidden macro through which the
//! payload's guard sees its fields (see `nested`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::{Kind, Payload};
use crate::check::check_payload;
use crate::ctxt::Ctxt;
use crate::expand::{impl_serialize, section_paths, struct_checks};
use crate::fallback;
use crate::nested::{self, Export, Mode};
use crate::tree;

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let section = Payload::from_ast(&cx, input, Kind::Section);
    if let Some(section) = &section {
        check_payload(&cx, section);
    }
    let export = Export::of(input);
    let (Some(section), false) = (section, cx.has_errors()) else {
        // The macro still exists, marked poisoned, so a payload holding
        // this section reports nothing more than these errors.
        let poisoned = tree::write_item(&input.ident, true, &[]);
        let shape_macro =
            nested::define_section_macro(&input.ident, &export, poisoned, TokenStream::new());
        let stubs = fallback::section(input, cx.check().err());
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
    let serialize = impl_serialize(&section, None);
    let checks = struct_checks(&section, &paths);
    let name = section.ident;
    quote! {
        #serialize
        #[automatically_derived]
        impl ::telemetry_core::TelemetrySection for #name {}
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
            Mode::Payload { .. } => match finished.tree() {
                Ok(tree) => crate::expand::finish_payload(&finished.mode, &tree),
                Err(error) => fallback::derived(Some(error)),
            },
        },
    }
}
