use telemetry_core::Telemetry;

// What no docs site shows alike in a table cell: a backslash before a pipe
// inside code, and a bare URL holding a character that needs escaping.
#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// The separator, `a\|b`, as the config file spells it.
    pub separator: String,
    /// Where the data goes,
    /// https://example.com/ingest|v2 for the second version.
    pub endpoint_kind: u32,
    /// Reviewed: fine as it is.
    #[telemetry(reviewed = "written `x\\|y` in the audit")]
    pub cluster_name_len: u32,
}

fn main() {}
