//! Derive macros behind [`telemetry-core`](https://docs.rs/telemetry-core):
//! `#[derive(Telemetry)]` for a payload struct, `#[derive(TelemetrySection)]`
//! for the structs nested in it, and `#[derive(TelemetryValue)]` for the
//! enums it sends as fixed strings. Use them through telemetry-core,
//! which re-exports all three and defines the traits they implement.
//!
//! All compile-time logic lives here: attribute parsing, Rust type to wire
//! type, table rendering, docs-page parsing, schema history comparison and
//! code generation.
//!
//! # Layout
//!
//! The modules in the order a derive runs through them; each uses only
//! modules above it (a test over the `use` lines keeps it so).
//!
//! - Pure data and text, used throughout: `shape` (wire types and shapes),
//!   `std_struct` (`Duration`, `SystemTime`: serde's objects),
//!   `cell` (a docs-table cell), `bounds`, `version`, `json`, `docs_format`,
//!   `tokens` (string literals in bulk, both ways).
//! - Parse: `ctxt` (errors, collected), `attr` (`#[telemetry(...)]`),
//!   `serde_attr` (`#[serde(...)]`, as serde reads it) with `case` (its
//!   `rename_all` rules), `crate_path`, `privacy` (what no field may carry), `wire` (Rust type to
//!   wire type), `ast` (the input as this crate sees it).
//! - Check: `check`, every rule on a field or struct, from one entry point
//!   per item kind.
//! - Chain across items: `chain`, how a payload's derive learns the fields
//!   of the sections it holds, and `chain::tree`, the data that crosses.
//! - Guard: `diff`, `history`, `docs`, `json_schema` (pure pieces),
//!   `rules` (every rule and gate, a pure function), `guard` (its I/O).
//! - Generate: `ser` (the serialization every struct derive emits; a
//!   section enum's in `ser_enum`),
//!   `fallback` (stubs after errors), then one module per derive:
//!   `payload`, `section`, `value`.

#![forbid(unsafe_code)]

mod bounds;
mod cell;
mod docs_format;
mod json;
mod shape;
mod std_struct;
mod tokens;
mod version;

mod attr;
mod case;
mod crate_path;
mod ctxt;
mod privacy;
mod serde_attr;
mod wire;

mod ast;
mod check;

mod chain;

mod diff;
mod docs;
mod guard;
mod history;
mod json_schema;
mod rules;

mod fallback;
mod payload;
mod section;
mod ser;
mod ser_enum;
mod value;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `Serialize` and `Telemetry` for a payload struct, and checks it
/// against its docs page and schema history. See telemetry-core's docs.
#[proc_macro_derive(Telemetry, attributes(telemetry, serde))]
pub fn derive_telemetry(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    payload::derive(&input).into()
}

/// Derives `Serialize` and `TelemetrySection` for a struct nested in a
/// payload, and the hidden macro that shows its fields to the payload's
/// guard. See telemetry-core's docs.
#[proc_macro_derive(TelemetrySection, attributes(telemetry, serde))]
pub fn derive_telemetry_section(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    section::derive(&input).into()
}

/// One step of the derives' walk over sections. Internal: invoked only by
/// the code the derives generate.
#[doc(hidden)]
#[proc_macro]
pub fn __resume(input: TokenStream) -> TokenStream {
    match chain::resume(input.into()) {
        chain::Resumed::Tokens(tokens) => tokens.into(),
        chain::Resumed::Payload(attrs, tree) => payload::finish_chain(&attrs, tree).into(),
    }
}

/// Derives `Serialize` and `TelemetryValue` for an enum of unit variants,
/// each sent as a fixed wire string. See telemetry-core's docs.
#[proc_macro_derive(TelemetryValue, attributes(telemetry, serde))]
pub fn derive_telemetry_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    value::derive(&input).into()
}
