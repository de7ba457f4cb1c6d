//! Standard-library types that serde sends as objects of fixed members:
//! `Duration` as `{"secs", "nanos"}`, `SystemTime` as
//! `{"secs_since_epoch", "nanos_since_epoch"}`. A field of one gets a row
//! per member below its own, as a section's fields would.

use crate::bounds::Bounds;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdStruct {
    Duration,
    SystemTime,
}

/// One member: its key, its bounds and its why-text.
pub struct Member {
    pub key: &'static str,
    pub bounds: Bounds,
    pub why: &'static str,
}

const NANOS: Bounds = Bounds {
    minimum: Some(0),
    maximum: Some(999_999_999),
    unique_items: false,
    items: None,
    max_length: None,
};
const SECONDS: Bounds = Bounds {
    minimum: Some(0),
    maximum: None,
    unique_items: false,
    items: None,
    max_length: None,
};

impl StdStruct {
    /// By the type's name as written: `Duration`, `std::time::Duration`,
    /// `core::time::Duration`. A longer path of another crate
    /// (`crate::stats::Duration`) is not one.
    pub fn from_path(path: &syn::Path) -> Option<StdStruct> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match segments.as_slice() {
            ["Duration"] | ["std" | "core", "time", "Duration"] => Some(StdStruct::Duration),
            ["SystemTime"] | ["std", "time", "SystemTime"] => Some(StdStruct::SystemTime),
            _ => None,
        }
    }

    /// The spelling in the chain's records (see `chain::tree`).
    pub fn word(self) -> &'static str {
        match self {
            StdStruct::Duration => "duration",
            StdStruct::SystemTime => "system_time",
        }
    }

    pub fn from_word(word: &str) -> Option<StdStruct> {
        [StdStruct::Duration, StdStruct::SystemTime]
            .into_iter()
            .find(|known| known.word() == word)
    }

    /// The type's path, for the assertion that the field's type is this one.
    pub fn rust_path(self) -> &'static str {
        match self {
            StdStruct::Duration => "::core::time::Duration",
            StdStruct::SystemTime => "::std::time::SystemTime",
        }
    }

    pub fn members(self) -> [Member; 2] {
        match self {
            StdStruct::Duration => [
                Member {
                    key: "secs",
                    bounds: SECONDS,
                    why: "Whole seconds of the duration (serde's shape of a `Duration`).",
                },
                Member {
                    key: "nanos",
                    bounds: NANOS,
                    why: "Nanoseconds past the whole seconds.",
                },
            ],
            StdStruct::SystemTime => [
                Member {
                    key: "secs_since_epoch",
                    bounds: SECONDS,
                    why: "Whole seconds since 1970-01-01 UTC (serde's shape of a `SystemTime`).",
                },
                Member {
                    key: "nanos_since_epoch",
                    bounds: NANOS,
                    why: "Nanoseconds past the whole seconds.",
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StdStruct;

    #[test]
    fn std_paths_only() {
        let path = |text| syn::parse_str::<syn::Path>(text).unwrap();
        assert_eq!(
            StdStruct::from_path(&path("Duration")),
            Some(StdStruct::Duration)
        );
        assert_eq!(
            StdStruct::from_path(&path("std::time::SystemTime")),
            Some(StdStruct::SystemTime)
        );
        assert_eq!(StdStruct::from_path(&path("crate::stats::Duration")), None);
        for std_struct in [StdStruct::Duration, StdStruct::SystemTime] {
            assert_eq!(StdStruct::from_word(std_struct.word()), Some(std_struct));
        }
    }
}
