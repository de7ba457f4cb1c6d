//! `schema_version` values and their order.

use std::cmp::Ordering;
use std::fmt;

/// A `schema_version`: dotted non-negative integers such as `1.0` or `2.1.3`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    text: String,
    parts: Vec<u64>,
}

impl Version {
    pub fn parse(text: &str) -> Result<Version, String> {
        let parts = text
            .split('.')
            .map(|part| {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                part.parse::<u64>().ok()
            })
            .collect::<Option<Vec<u64>>>();
        match parts {
            Some(parts) if parts.len() >= 2 => Ok(Version {
                text: text.to_owned(),
                parts,
            }),
            _ => Err(format!(
                "`{text}` is not a schema version: use dotted numbers such as \"1.0\" or \"2.1\""
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first number: a breaking change must increase it.
    pub fn major(&self) -> u64 {
        self.parts[0]
    }

    /// The smallest version above `self` with the same major number.
    pub fn next_minor(&self) -> String {
        format!("{}.{}", self.parts[0], self.parts[1] + 1)
    }

    /// The smallest version with a higher major number.
    pub fn next_major(&self) -> String {
        format!("{}.0", self.parts[0] + 1)
    }
}

impl Ord for Version {
    /// Numeric, component by component; missing components count as zero,
    /// so `1.0` and `1.0.0` compare equal.
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.parts.len().max(other.parts.len());
        (0..len)
            .map(|i| {
                let a = self.parts.get(i).copied().unwrap_or(0);
                let b = other.parts.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("1.10") > v("1.9"));
        assert!(v("2.0") > v("1.99"));
        assert_eq!(v("1.0").cmp(&v("1.0.0")), Ordering::Equal);
        assert_eq!(v("1.4").next_minor(), "1.5");
        assert_eq!(v("1.4").next_major(), "2.0");
        for bad in ["1", "", "1.", "v1.0", "1.x", "1..0", " 1.0", "-1.0"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
