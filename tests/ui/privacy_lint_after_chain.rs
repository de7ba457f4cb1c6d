//! A field holding a section's path is linted by name once the chain has
//! told what the path holds: a closed list of values passes whatever its
//! name; a section or a newtype of a string does not. A field of a std
//! struct (`Duration`) is no section path: linted by its own derive.
use telemetry_core::{Telemetry, TelemetrySection, TelemetryValue};

#[derive(Clone, Copy, TelemetryValue)]
pub enum Store {
    Memory,
    Postgres,
}

#[derive(TelemetrySection)]
pub struct HostName(String);

#[derive(TelemetrySection)]
pub struct Account {
    /// Which plan the install is on.
    pub plan: Store,
    /// How long a user waits for the first page.
    pub user_wait: std::time::Duration,
}

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Which store each host uses: a closed list, whatever the name says.
    pub host_store: Store,
    /// The same, per label: still a closed list.
    pub label_stores: Option<Vec<Store>>,
    /// The machine's name: a string behind a newtype.
    pub host_name: HostName,
    /// The install's account.
    pub account: Account,
    /// A reviewed one passes.
    #[telemetry(reviewed = "the plan is one of two values")]
    pub user_account: Account,
}

fn main() {}
