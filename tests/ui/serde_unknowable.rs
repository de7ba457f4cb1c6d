use telemetry_core::TelemetrySection;

fn as_text<S: serde::Serializer>(value: &u32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_string())
}

#[derive(TelemetrySection)]
#[serde(into = "String")]
pub struct Stats {
    /// Cores, sent by a function the derive cannot read.
    #[serde(serialize_with = "as_text")]
    pub cores: u32,
    /// Threads, the same.
    #[serde(with = "module")]
    pub threads: u32,
    /// Flattened, but not a section by its path.
    #[serde(flatten)]
    pub inner: Option<Inner>,
    /// A key serde does not have.
    #[serde(skip_if_empty)]
    pub tags: Vec<String>,
}

#[derive(TelemetrySection)]
pub struct Inner {
    /// A count.
    pub count: u32,
}

fn main() {}
