//! Derive macros behind [`telemetry-core`](https://docs.rs/telemetry-core):
//! `#[derive(Telemetry)]` for a payload struct and `#[derive(TelemetryValue)]`
//! for the enums it sends as fixed strings. Use them through telemetry-core,
//! which re-exports both and defines the traits they implement.
//!
//! All compile-time logic lives here: attribute parsing, Rust type to wire
//! type, table rendering, docs-page parsing, schema history comparison and
//! code generation. Parsing (`ast`, `attr`), checking (`check`, `rules`) and
//! generation (`expand`, `value`) are kept apart; the pure parts (`shape`,
//! `docs`, `history`, `diff`, `rules`) take and return plain data.

#![forbid(unsafe_code)]

mod ast;
mod attr;
mod check;
mod ctxt;
mod diff;
mod docs;
mod expand;
mod fallback;
mod guard;
mod history;
mod json;
mod json_schema;
mod rules;
mod shape;
mod tokens;
mod value;
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

/// Derives `Serialize` and `TelemetryValue` for an enum of unit variants,
/// each sent as a fixed wire string. See telemetry-core's docs.
#[proc_macro_derive(TelemetryValue, attributes(telemetry))]
pub fn derive_telemetry_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    value::derive(&input).into()
}
