//! Opt-in, schema-first telemetry for Rust servers.
//!
//! A server that sends telemetry publishes a page promising exactly what is
//! sent and why. This crate makes the payload struct the single source of
//! truth for that page: `#[derive(Telemetry)]` serializes the struct, renders
//! its field table, and fails the build when the fields change without a
//! `schema_version` bump or when the docs page does not match.
//!
//! ```
//! use std::collections::BTreeMap;
//! use telemetry_core::{Telemetry, TelemetryValue};
//!
//! /// Where the server keeps its graph.
//! #[derive(Clone, Copy, TelemetryValue)]
//! pub enum Tier {
//!     Memory,
//!     Postgres,
//! }
//!
//! #[derive(Telemetry)]
//! #[telemetry(schema_version = "1.0", docs = "docs/example.md")]
//! pub struct Report {
//!     /// Which versions are in use, to know where to focus fixes.
//!     pub version: String,
//!     /// How many installs run Tier 2, to know where to invest in persistence.
//!     #[telemetry(values = "memory | postgres")]
//!     pub tier: Tier,
//!     /// Cluster counts by platform family (counts only, no names).
//!     pub platforms: BTreeMap<String, u32>,
//! }
//!
//! let report = Report {
//!     version: "2.4.1".into(),
//!     tier: Tier::Postgres,
//!     platforms: BTreeMap::from([("eks".to_owned(), 2)]),
//! };
//! assert_eq!(
//!     serde_json::to_string(&report).unwrap(),
//!     r#"{"schema_version":"1.0","version":"2.4.1","tier":"postgres","platforms":{"eks":2}}"#,
//! );
//! assert_eq!(Report::FIELDS[2].wire_type, "memory | postgres");
//! assert!(Report::DOCS_TABLE.contains("| `tier` | `memory \\| postgres` |"));
//! ```
//!
//! The docs page (`docs/example.md` here, relative to the crate's
//! `Cargo.toml`) holds the generated table between marker comments, and a
//! schema history file beside it records every released version's shape.
//! `TELEMETRY_BLESS=1 cargo build` writes both; every other build checks them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Lets the derives' `::telemetry_core::...` paths resolve inside this crate.
extern crate self as telemetry_core;

#[cfg(feature = "axum")]
pub mod axum;
mod bucket;
mod config;
#[cfg(feature = "reporter")]
mod endpoint;
#[cfg(feature = "runtime")]
mod nonce;
#[cfg(feature = "runtime")]
mod preview;
#[cfg(feature = "reporter")]
mod proxy;
#[cfg(feature = "reporter")]
mod reporter;
#[cfg(feature = "reporter")]
mod schedule;
#[cfg(feature = "reporter")]
mod send;

pub use bucket::ResourceBucket;
pub use config::TelemetryConfig;
#[cfg(feature = "reporter")]
pub use endpoint::EndpointError;
#[cfg(feature = "runtime")]
pub use nonce::SessionNonce;
#[cfg(feature = "runtime")]
pub use preview::{Preview, PREVIEW_PATH};
#[cfg(feature = "reporter")]
pub use proxy::{NO_PROXY_VARS, PROXY_VARS};
#[cfg(feature = "reporter")]
pub use reporter::{Reporter, ReporterBuilder, DO_NOT_TRACK, THREAD_NAME};
#[cfg(feature = "reporter")]
pub use schedule::{
    FIRST_REPORT_EARLIEST, FIRST_REPORT_LATEST, REPORT_INTERVAL, REPORT_INTERVAL_JITTER,
};
#[cfg(feature = "reporter")]
pub use send::SEND_TIMEOUT;

/// Derives [`Telemetry`] and `serde::Serialize` for a payload struct.
///
/// Struct attributes, in `#[telemetry(...)]`:
/// - `schema_version = "1.0"` (required): dotted numbers, sent first as
///   `schema_version`. Bump it whenever the wire shape changes.
/// - `docs = "docs/telemetry.md"` (required): the docs page, relative to
///   the crate's `Cargo.toml`. Its generated block must match the struct.
/// - `endpoint = "https://..."`: where reports go; fixed at compile time.
/// - `docs_format = "mdx"` or `"markdown"`: how the docs site compiles the
///   page; by default `.mdx` pages are MDX (`{/* */}` markers, escaped
///   text) and every other page CommonMark.
/// - `crate = "my_facade::telemetry"`: the path the generated code names
///   this crate by, when your crate reaches it through a facade crate's
///   re-export or under another name (`tc = { package = "telemetry-core",
///   .. }`: `crate = "tc"`); `::telemetry_core` by default. Each derive
///   takes it: the payload, each section and each value enum.
///
/// Field attributes: `rename = "wire_name"`, `values = "a | b"` (required on
/// [`TelemetryValue`] enum fields; checked against the enum at compile time),
/// `renamed_from = "old_name"` (reports a rename as one change), `reviewed =
/// "reason"` (for a field the privacy lint flags). Every field needs a `///`
/// comment: it is the "Why it's collected" column. A field may be an
/// `Option<T>` (sent as `null` when absent) or a [`TelemetrySection`]
/// struct (see [`derive@TelemetrySection`]).
pub use telemetry_derive::Telemetry;

/// Derives [`TelemetrySection`] and `serde::Serialize` for a struct nested
/// in a payload: a field of type `S`, `Option<S>`, `Vec<S>` or
/// `BTreeMap<String, S>` (in the payload or in another section) is then sent
/// as a JSON object, and its fields are on the docs page and under the
/// guard as dotted paths (`system.cpu.cores`, `gpu_devices[].model`,
/// `clusters.*.nodes`).
///
/// Its fields follow the payload's field rules and take the same field
/// attributes. The struct itself takes only `crate` (see
/// [`derive@Telemetry`]): the payload holding it owns the version, the page
/// and the endpoint. The
/// section may be declared anywhere: in any module and source order, or in
/// another crate if it is `pub` there. Name it by its struct's name or a
/// `use` of it, not through a `type` alias.
pub use telemetry_derive::TelemetrySection;

/// Derives [`TelemetryValue`] and `serde::Serialize` for an enum of unit
/// variants. A variant is sent as its name in snake case, or as
/// `#[telemetry(rename = "<1K")]`. The enum itself takes only `crate` (see
/// [`derive@Telemetry`]).
pub use telemetry_derive::TelemetryValue;

/// A telemetry payload: implemented by `#[derive(Telemetry)]`.
///
/// The derive writes one hidden constant; the public ones read from it.
/// (One constant is one item for the compiler to check instead of six,
/// which is measurable in the build time of a small payload.)
pub trait Telemetry: serde::Serialize {
    #[doc(hidden)]
    const __DERIVED: __private::Derived;
    /// The struct's name, which keys its block on the docs page.
    const NAME: &'static str = Self::__DERIVED.name;
    /// The `schema_version` sent as the first key of every report.
    const SCHEMA_VERSION: &'static str = Self::__DERIVED.schema_version;
    /// Where reports are sent, from `#[telemetry(endpoint = "https://...")]`.
    const ENDPOINT: Option<&'static str> = Self::__DERIVED.endpoint;
    /// Every wire field in order, `schema_version` first.
    const FIELDS: &'static [FieldInfo] = Self::__DERIVED.fields;
    /// The markdown block (version line and field table) that the docs page
    /// carries between this payload's markers.
    const DOCS_TABLE: &'static str = Self::__DERIVED.docs_table;
    /// The JSON Schema (draft 2020-12) of this version's reports: every
    /// field required, no others allowed, value lists as enums. The file
    /// `<Payload>.schema.json` beside the history covers every recorded
    /// version.
    const JSON_SCHEMA: &'static str = Self::__DERIVED.json_schema;
}

/// One row of a payload's field table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// The key on the wire.
    pub name: &'static str,
    /// The wire type as the docs page shows it: `string`, `integer`,
    /// `string[]`, `map<string, integer>`, `memory | postgres`, ...
    pub wire_type: &'static str,
    /// Why it is collected: the field's `///` comment.
    pub why: &'static str,
}

/// A struct sent as a JSON object inside a payload: implemented by
/// `#[derive(TelemetrySection)]`, and asserted by the derives for every
/// struct-typed field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a telemetry section",
    label = "this field type does not derive TelemetrySection",
    note = "a struct nested in a payload needs #[derive(TelemetrySection)]; \
            an enum sent as one of fixed strings derives TelemetryValue and its field states the values: \
            #[telemetry(values = \"a | b\")]"
)]
pub trait TelemetrySection: serde::Serialize {}

/// An enum sent as one of a fixed set of strings: implemented by
/// `#[derive(TelemetryValue)]`.
pub trait TelemetryValue: serde::Serialize {
    /// Every variant's wire string, in declaration order.
    const VALUES: &'static [&'static str];
    /// This variant's wire string.
    fn wire_str(&self) -> &'static str;
}

#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use telemetry_derive::__resume as resume;

    use crate::FieldInfo;

    /// Fails to compile unless `T` is a section; the derives call it in
    /// const context for each struct-typed field.
    pub const fn assert_section<T: crate::TelemetrySection + ?Sized>() {}

    /// One field of a derived `Serialize`, in place of serde's
    /// `serialize_field(..)?`: once a field has failed, the rest are
    /// skipped and the caller returns the first error. Far cheaper to
    /// compile than `?` (see telemetry-derive's `impl_serialize`).
    pub fn serialize_field<S, T>(
        state: &mut S,
        failed: &mut Option<S::Error>,
        key: &'static str,
        value: &T,
    ) where
        S: serde::ser::SerializeStruct,
        T: serde::Serialize + ?Sized,
    {
        if failed.is_none() {
            if let Err(error) = state.serialize_field(key, value) {
                *failed = Some(error);
            }
        }
    }

    /// A field left out by `#[serde(skip_serializing_if = "..")]`, told to
    /// the serializer as serde's derive tells it.
    pub fn skip_field<S>(state: &mut S, failed: &mut Option<S::Error>, key: &'static str)
    where
        S: serde::ser::SerializeStruct,
    {
        if failed.is_none() {
            if let Err(error) = state.skip_field(key) {
                *failed = Some(error);
            }
        }
    }

    /// What `#[derive(Telemetry)]` generates, behind [`crate::Telemetry`]'s
    /// constants of the same names.
    pub struct Derived {
        pub name: &'static str,
        pub schema_version: &'static str,
        pub endpoint: Option<&'static str>,
        pub fields: &'static [FieldInfo],
        pub docs_table: &'static str,
        pub json_schema: &'static str,
    }

    /// Whether two value lists are equal; usable in const context, where the
    /// derive checks a field's stated `values` against its enum.
    pub const fn same_values(a: &[&str], b: &[&str]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            let (x, y) = (a[i].as_bytes(), b[i].as_bytes());
            if x.len() != y.len() {
                return false;
            }
            let mut j = 0;
            while j < x.len() {
                if x[j] != y[j] {
                    return false;
                }
                j += 1;
            }
            i += 1;
        }
        true
    }
}
