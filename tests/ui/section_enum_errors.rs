use telemetry_core::TelemetrySection;

#[derive(TelemetrySection)]
#[serde(tag = "type")]
pub enum Internal {
    NoWhy {
        /// A field.
        count: u32,
    },
    /// One unnamed value, internally tagged.
    Bare(u32),
    /// Two unnamed values.
    Pair(u32, u32),
    /// Renamed onto another.
    #[serde(rename = "Other")]
    First {
        /// A field.
        a: u32,
    },
    /// The other.
    Other {
        /// The tag's own name.
        r#type: String,
    },
}

#[derive(TelemetrySection)]
#[serde(untagged)]
pub enum Untagged {
    /// A value.
    Value(u32),
    Nothing,
}

#[derive(TelemetrySection)]
#[serde(content = "c")]
pub enum ContentOnly {
    /// A value.
    Value(u32),
}

fn main() {}
