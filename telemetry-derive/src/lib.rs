//! Derive macros behind [`telemetry-core`](https://docs.rs/telemetry-core):
//! `#[derive(Telemetry)]` for a payload struct, `#[derive(TelemetrySection)]`
//! for the structs nested in it, and `#[derive(TelemetryValue)]` for the
//! enums it sends as fixed strings. Use them through telemetry-core,
//! which re-exports all three and defines the traits they implement.
//!
//! All compile-time logic lives here: attribute parsing, Rust type to wire
//! type, table rendering, docs-page parsing, schema history comparison and
//! code generation. Parsing (`ast`, `attr`), checking (`check`, `rules`) and
//! generation (`expand`, `section`, `value`) are kept apart; the pure parts
//! (`shape`, `tree`, `docs`, `history`, `diff`, `rules`) take and return
//! plain data. `nested` is how a payload's derive sees its sections.

#![forbid(unsafe_code)]

mod ast;
mod attr;
mod check;
mod crate_path;
mod ctxt;
mod diff;
mod docs;
mod docs_format;
mod expand;
mod fallback;
mod guard;
mod history;
mod json;
mod json_schema;
mod nested;
mod range;
mod rules;
mod section;
mod shape;
mod tokens;
mod tree;
mod value;
mod version;
mod wire;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `Serialize` and `Telemetry` for a payload struct, and checks it
/// against its docs page and schema history. See telemetry-core's docs.
#[proc_macro_derive(Telemetry, attributes(telemetry))]
pub fn derive_telemetry(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}

/// Derives `Serialize` and `TelemetrySection` for a struct nested in a
/// payload, and the hidden macro that shows its fields to the payload's
/// guard. See telemetry-core's docs.
#[proc_macro_derive(TelemetrySection, attributes(telemetry))]
pub fn derive_telemetry_section(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    section::derive(&input).into()
}

/// One step of the derives' walk over sections. Internal: invoked only by
/// the code the derives generate.
#[doc(hidden)]
#[proc_macro]
pub fn __resume(input: TokenStream) -> TokenStream {
    section::resume(input.into()).into()
}

/// Derives `Serialize` and `TelemetryValue` for an enum of unit variants,
/// each sent as a fixed wire string. See telemetry-core's docs.
#[proc_macro_derive(TelemetryValue, attributes(telemetry))]
pub fn derive_telemetry_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    value::derive(&input).into()
}
