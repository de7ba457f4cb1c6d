// Sections serialize as JSON objects and `Option` as the value or `null`,
// key always sent; the field table lists every field by its dotted path.
// The payload matches the recorded fixture (tests/ui/pages), so it builds.
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "../../../../tests/ui/pages/guard.md")]
pub struct NestedChanged {
    /// Platform facts, to decide which builds to ship.
    pub system: platform::SystemInfo,
}

mod platform {
    use telemetry_core::TelemetrySection;

    #[derive(TelemetrySection)]
    pub struct SystemInfo {
        /// Linux distribution family, absent where it cannot be read.
        pub distribution: Option<String>,
        /// The processor, to pick the SIMD paths worth maintaining.
        pub cpu: CpuInfo,
    }

    #[derive(TelemetrySection)]
    pub struct CpuInfo {
        /// Cores, to size default thread pools.
        pub cores: u32,
    }
}

// Two sections a `macro_rules!` makes from one name token, in two modules:
// their hidden macros, both at the crate root, still get distinct names.
macro_rules! twin_sections {
    ($name:ident) => {
        mod first {
            #[derive(telemetry_core::TelemetrySection)]
            pub struct $name {
                /// Cores.
                pub cores: u32,
            }
        }
        mod second {
            #[derive(telemetry_core::TelemetrySection)]
            pub struct $name {
                /// Threads.
                pub threads: u32,
            }
        }
    };
}
twin_sections!(Twin);

fn main() {
    let _ = (first::Twin { cores: 1 }.cores, second::Twin { threads: 2 }.threads);
    let report = NestedChanged {
        system: platform::SystemInfo {
            distribution: None,
            cpu: platform::CpuInfo { cores: 8 },
        },
    };
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"schema_version":"1.0","system":{"distribution":null,"cpu":{"cores":8}}}"#
    );
    let paths: Vec<(&str, &str)> = NestedChanged::FIELDS
        .iter()
        .map(|field| (field.name, field.wire_type))
        .collect();
    assert_eq!(
        paths,
        [
            ("schema_version", "string"),
            ("system", "object"),
            ("system.distribution", "string | null"),
            ("system.cpu", "object"),
            ("system.cpu.cores", "integer"),
        ]
    );
    assert!(NestedChanged::JSON_SCHEMA.contains(r#""additionalProperties": false"#));
}
