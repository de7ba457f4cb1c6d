//! Opt-in, schema-first telemetry for Rust servers.
//!
//! A server that sends telemetry publishes a page promising exactly what is
//! sent and why. This crate makes the payload struct the single source of
//! truth for that page: `#[derive(Telemetry)]` serializes the struct, renders
//! its field table, and fails the build when the fields change without a
//! `schema_version` bump or when the docs page does not match. At run time
//! it gives the server what such a page promises: off by default, one fixed
//! HTTPS endpoint, one fire-and-forget report a day, and a live preview of
//! exactly what is sent.
//!
//! ```toml
//! [dependencies]
//! telemetry-core = { version = "0.1", features = ["axum"] }
//! ```
//!
//! # The payload
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
//! Every field needs a `///` comment: it is the "Why it's collected" column.
//! Wire types come from Rust types: `String` is `string`, integers are
//! `integer`, `f32`/`f64` are `number`, `bool` is `boolean`, `Option<T>` is
//! `T | null` (the key is always sent), `Vec<T>` is `T[]`,
//! `BTreeMap<String, V>` is a map, a [`TelemetryValue`] enum is its list of
//! values (which its derive brings; stated on the field with `values`, they
//! are checked against the enum), and
//! a [`TelemetrySection`] struct is an object. `HashMap` is refused (its
//! order would make the report bytes differ run to run), and so is anything
//! else without a fixed wire type. A privacy lint refuses fields whose type
//! or name looks like an identifier (`IpAddr`, `Uuid`, `hostname`, `email`,
//! ...) unless a person reviewed them: `#[telemetry(reviewed = "a count,
//! never a name")]`. [`derive@Telemetry`] lists every attribute.
//!
//! # The docs page and its history
//!
//! The docs page (`docs/example.md` here, relative to the crate's
//! `Cargo.toml`) holds the generated field table between marker comments;
//! write your prose around them. A schema history file beside it
//! (`docs/Report.schema-history`) records every released version's shape,
//! and a JSON Schema (`docs/Report.schema.json`) that validates a report of
//! any recorded version, for receivers.
//!
//! The first `cargo build` fails and says to bless: `TELEMETRY_BLESS=1 cargo
//! build` writes the block, the history and the schema; commit them. From
//! then on every build checks them. To change the payload:
//!
//! 1. Change the struct. The build now fails and lists the change,
//!    diff-style: `+ gpu_count: integer`, `- tier`,
//!    `~ cluster_count: integer -> string`.
//! 2. Bump `schema_version`: minor (`1.0` to `1.1`) for an added field, an
//!    added value or an added enum variant; major (`2.0`) for a removed
//!    field, a changed type, or a value removed or renamed.
//!    `#[telemetry(renamed_from = "old")]` reports a rename as one change.
//! 3. Run `TELEMETRY_BLESS=1 cargo build`: it rewrites the block and appends
//!    the new version to the history, never rewriting a recorded version.
//! 4. Review the diff of the page and the history, and commit them with the
//!    struct.
//!
//! Editing only a `///` comment changes the page but not the wire shape:
//! bless, no bump. With `CI` set, bless is refused. When your crate is built
//! as someone else's dependency without its page and history (a published
//! crate that does not ship them), the derive checks and writes nothing.
//!
//! # Sections: nested payloads
//!
//! A struct deriving [`TelemetrySection`] can be a field of the payload or
//! of another section, as `S`, `Option<S>`, `Vec<S>` or
//! `BTreeMap<String, S>`. It is sent as a JSON object; its fields follow the
//! payload's field rules, and are on the page and under the guard by their
//! paths: `system.cpu.cores`, `gpu_devices[].model` (`[]` for every item of
//! a list), `clusters.*.nodes` (`*` for every value of a map).
//!
//! ```
//! use telemetry_core::{Telemetry, TelemetrySection};
//!
//! #[derive(TelemetrySection)]
//! pub struct SystemInfo {
//!     /// Linux distribution family, absent where it cannot be read.
//!     pub distribution: Option<String>,
//!     /// The processor, to pick the SIMD paths worth maintaining.
//!     pub cpu: CpuInfo,
//! }
//!
//! #[derive(TelemetrySection)]
//! pub struct CpuInfo {
//!     /// Cores, to size default thread pools.
//!     pub cores: u32,
//! }
//!
//! #[derive(TelemetrySection)]
//! pub struct GpuDevice {
//!     /// The model family, to know which generations to test on.
//!     pub model: String,
//! }
//!
//! #[derive(Telemetry)]
//! #[telemetry(schema_version = "1.0", docs = "docs/nested.md")]
//! pub struct NodeReport {
//!     /// Platform facts, to decide which builds to ship.
//!     pub system: SystemInfo,
//!     /// GPU models in use, to decide which accelerators to support.
//!     pub gpu_devices: Vec<GpuDevice>,
//!     /// Collections per node, absent before the node has loaded.
//!     pub collection_count: Option<u32>,
//! }
//!
//! let report = NodeReport {
//!     system: SystemInfo { distribution: None, cpu: CpuInfo { cores: 8 } },
//!     gpu_devices: vec![GpuDevice { model: "A100".into() }],
//!     collection_count: Some(3),
//! };
//! assert_eq!(
//!     serde_json::to_string(&report).unwrap(),
//!     r#"{"schema_version":"1.0","system":{"distribution":null,"cpu":{"cores":8}},"gpu_devices":[{"model":"A100"}],"collection_count":3}"#,
//! );
//! let paths: Vec<_> = NodeReport::FIELDS.iter().map(|f| f.name).collect();
//! assert!(paths.contains(&"system.cpu.cores") && paths.contains(&"gpu_devices[].model"));
//! ```
//!
//! A section takes no `#[telemetry(...)]` keys but `crate`: the payload
//! holding it owns the version, the page and the endpoint. It may be
//! declared anywhere, in any module or in another crate (if `pub` there);
//! name it by its struct's name or a `use` of it, not through a `type`
//! alias. See [`derive@TelemetrySection`].
//!
//! # Docs pages in MDX
//!
//! Docusaurus 3 and other MDX sites compile pages as MDX, where `<!-- -->`
//! is a syntax error and `{`, `}` and `<` in text start expressions and
//! tags. A page whose name ends in `.mdx` gets `{/* telemetry:begin ... */}`
//! markers; the table's cells are spelled to read the same on GitHub,
//! Docusaurus and mdBook in either format. A `.md` page that your site
//! compiles as MDX takes `#[telemetry(docs_format = "mdx")]` (the build
//! says so where it finds the site's `docusaurus.config.*` up the tree);
//! `docs_format = "markdown"` (CommonMark, HTML-comment markers) is the
//! default for every other page.
//!
//! # The runtime: preview, reporter, preview endpoint
//!
//! A [`Preview`] builds the report from the server's state, exactly as the
//! next send would; the [`Reporter`] sends it once a day if the user turned
//! telemetry on; [`axum::preview_router`] serves the preview at
//! [`PREVIEW_PATH`] so users can see what is sent.
//!
//! ```
//! # #[cfg(all(feature = "reporter", feature = "axum"))]
//! # fn main() {
//! use std::sync::Arc;
//! use telemetry_core::{Preview, Reporter, Telemetry, TelemetryConfig, TelemetryValue};
//!
//! #[derive(Clone, Copy, TelemetryValue)]
//! pub enum Tier {
//!     Memory,
//!     Postgres,
//! }
//!
//! #[derive(Telemetry)]
//! #[telemetry(
//!     schema_version = "1.0",
//!     docs = "docs/example.md",
//!     endpoint = "https://telemetry.example.com/v1/report"
//! )]
//! pub struct Report {
//!     /// Which versions are in use, to know where to focus fixes.
//!     pub version: String,
//!     /// How many installs run Tier 2, to know where to invest in persistence.
//!     #[telemetry(values = "memory | postgres")]
//!     pub tier: Tier,
//!     /// Cluster counts by platform family (counts only, no names).
//!     pub platforms: std::collections::BTreeMap<String, u32>,
//! }
//!
//! struct State {
//!     tier: Tier,
//! }
//!
//! let state = Arc::new(State { tier: Tier::Memory });
//! let preview = Preview::new(move || Report {
//!     version: env!("CARGO_PKG_VERSION").to_owned(),
//!     tier: state.tier,
//!     platforms: Default::default(),
//! });
//!
//! // From the server's own config (`telemetry.enabled`): off by default.
//! let config = TelemetryConfig::default();
//! let reporter = Reporter::builder("myapp", preview.clone())
//!     .preview_url("http://localhost:8080/api/v1/telemetry/preview")
//!     .disable_hint("set telemetry.enabled = false")
//!     .start(&config);
//! assert!(!reporter.is_running()); // Disabled: no thread, no socket.
//!
//! let app: axum::Router = axum::Router::new()
//!     // ... the server's own routes ...
//!     .merge(telemetry_core::axum::preview_router(preview));
//! # let _ = app;
//! # }
//! # #[cfg(not(all(feature = "reporter", feature = "axum")))]
//! # fn main() {}
//! ```
//!
//! - [`TelemetryConfig`] defaults to disabled; disabled, the reporter starts
//!   no thread and opens no socket. `DO_NOT_TRACK=1` ([`DO_NOT_TRACK`])
//!   disables sending whatever the config says.
//! - The endpoint comes only from `#[telemetry(endpoint = "https://...")]`:
//!   fixed at compile time, not configurable.
//! - The first report goes out at a random moment between
//!   [`FIRST_REPORT_EARLIEST`] (5 min) and [`FIRST_REPORT_LATEST`] (65 min)
//!   after start, then every [`REPORT_INTERVAL`] (24 h) ±
//!   [`REPORT_INTERVAL_JITTER`] (1 h). Each send is one HTTPS POST with a
//!   [`SEND_TIMEOUT`] (10 s) total timeout, no retry, no redirects; the
//!   server never waits for it.
//! - Outcomes are counted through the `metrics` facade:
//!   `<app>_telemetry_send_errors_total`,
//!   `<app>_telemetry_reports_sent_total`,
//!   `<app>_telemetry_last_success_timestamp_seconds`, and one `tracing`
//!   line says at startup what happens.
//! - An egress proxy ([`PROXY_VARS`], bypassed by [`NO_PROXY_VARS`]) is
//!   used only as a `CONNECT` tunnel: the certificate is still checked
//!   against the bundled roots.
//! - For a receiver to count a session once, the payload can carry a
//!   `session_nonce: String` field from [`SessionNonce::current`]: random
//!   per process start, never written anywhere, so sessions cannot be
//!   joined across restarts.
//!
//! Without `axum`, serve [`Preview::bytes`] at [`PREVIEW_PATH`] from your own
//! framework.
//!
//! # Cargo features
//!
//! - `reporter` (default): the background [`Reporter`]; implies `runtime`.
//! - `runtime`: [`Preview`] and [`SessionNonce`]. Without it (and without
//!   `reporter`, i.e. `default-features = false`) the crate only derives,
//!   which keeps a crate that only defines its payload to serde and the
//!   derive as dependencies.
//! - `axum`: the [`axum`](mod@crate::axum) module, `GET
//!   /api/v1/telemetry/preview` as an axum router; implies `runtime`.
//! - `test-seam`: **for tests only**, never in a production build. Adds the
//!   [`ReporterBuilder`] methods marked "Test seam", which point the
//!   reporter at a literal loopback address (127.0.0.0/8 or `[::1]`, and
//!   nothing else), trust a test CA for it, and shorten its timings. Enable
//!   it in `[dev-dependencies]` only; implies `reporter`.
//!
//! The three derives, [`derive@Telemetry`], [`derive@TelemetrySection`] and
//! [`derive@TelemetryValue`], come from the `telemetry-derive` crate and are
//! re-exported here with every feature set: depend on this crate only.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Lets the derives' `::telemetry_core::...` paths resolve inside this crate.
extern crate self as telemetry_core;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
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
#[cfg_attr(docsrs, doc(cfg(feature = "reporter")))]
pub use endpoint::EndpointError;
#[cfg(feature = "runtime")]
#[cfg_attr(docsrs, doc(cfg(feature = "runtime")))]
pub use nonce::SessionNonce;
#[cfg(feature = "runtime")]
#[cfg_attr(docsrs, doc(cfg(feature = "runtime")))]
pub use preview::{Preview, PREVIEW_PATH};
#[cfg(feature = "reporter")]
#[cfg_attr(docsrs, doc(cfg(feature = "reporter")))]
pub use proxy::{NO_PROXY_VARS, PROXY_VARS};
#[cfg(feature = "reporter")]
#[cfg_attr(docsrs, doc(cfg(feature = "reporter")))]
pub use reporter::{Reporter, ReporterBuilder, DO_NOT_TRACK, THREAD_NAME};
#[cfg(feature = "reporter")]
#[cfg_attr(docsrs, doc(cfg(feature = "reporter")))]
pub use schedule::{
    FIRST_REPORT_EARLIEST, FIRST_REPORT_LATEST, REPORT_INTERVAL, REPORT_INTERVAL_JITTER,
};
#[cfg(feature = "reporter")]
#[cfg_attr(docsrs, doc(cfg(feature = "reporter")))]
pub use send::SEND_TIMEOUT;

/// Derives [`Telemetry`] and `serde::Serialize` for a payload struct.
///
/// Struct attributes, in `#[telemetry(...)]`:
/// - `schema_version = "1.0"` (required): dotted numbers, sent first as
///   `schema_version`. Bump it whenever the wire shape changes.
/// - `docs = "docs/telemetry.md"` (required): the docs page, relative to
///   the crate's `Cargo.toml`. Its generated block must match the struct.
/// - `endpoint = "https://..."`: where reports go; fixed at compile time.
/// - `raw_retention_days = 90`: how long the receiver keeps a raw report.
///   The generated block states it, the schema file records it as
///   `x-raw-retention-days`, and telemetry-receiver takes it as its default
///   (and refuses to start told to keep reports longer). Changing it
///   changes the page (bless), not the wire shape: no version bump.
/// - `docs_format = "mdx"` or `"markdown"`: how the docs site compiles the
///   page; by default `.mdx` pages are MDX (`{/* */}` markers) and every
///   other page CommonMark.
/// - `crate = "my_facade::telemetry"`: the path the generated code names
///   this crate by, when your crate reaches it through a facade crate's
///   re-export or under another name (`tc = { package = "telemetry-core",
///   .. }`: `crate = "tc"`); `::telemetry_core` by default. Each derive
///   takes it: the payload, each section and each value enum.
///
/// Field attributes: `rename = "wire_name"`, `values = "a | b"` (optional on
/// [`TelemetryValue`] enum fields, whose derive brings the values; checked
/// against the enum at compile time), `renamed_from = "old_name"` (reports a
/// rename as one change), `reviewed = "reason"` (for a field the privacy
/// lint flags), `free_form = "reason"` (for a `serde_json::Value`),
/// `max_length = N` (the longest string or map key the JSON Schema allows;
/// 256 by default). Every field needs a `///`
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
    note = "a struct, an enum with data or a newtype nested in a payload needs #[derive(TelemetrySection)]; \
            an enum of unit variants sent as fixed strings derives TelemetryValue"
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
#[path = "private.rs"]
pub mod __private;
