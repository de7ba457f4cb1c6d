// A field the privacy lint flags compiles once a person states why it is
// fine, and the reason is shown in its docs row. The page and history are
// fixtures in tests/ui/pages (trybuild builds in target/tests/trybuild/<crate>).
use std::net::{IpAddr, Ipv4Addr};
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "../../../../tests/ui/pages/guard.md")]
pub struct Reviewed {
    /// How many namespaces the graph spans.
    #[telemetry(reviewed = "a count of namespaces, never their names")]
    pub namespace_count: u32,
    /// The address the API listens on, to learn how often it is exposed.
    #[telemetry(reviewed = "only 0.0.0.0 or 127.0.0.1 is ever reported")]
    pub listen_ip: IpAddr,
}

fn main() {
    let report = Reviewed {
        namespace_count: 12,
        listen_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"schema_version":"1.0","namespace_count":12,"listen_ip":"127.0.0.1"}"#
    );
    assert!(Reviewed::DOCS_TABLE.contains("*(Reviewed: a count of namespaces, never their names)*"));
    assert_eq!(Reviewed::FIELDS[2].wire_type, "string");
}
