use crate::TelemetryValue;

/// An order of magnitude of a count, never the count itself:
/// `<1K | 1K-5K | 5K-10K | >10K`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, TelemetryValue)]
pub enum ResourceBucket {
    /// Fewer than 1,000.
    #[telemetry(rename = "<1K")]
    Under1K,
    /// 1,000 to 4,999.
    #[telemetry(rename = "1K-5K")]
    From1KTo5K,
    /// 5,000 to 9,999.
    #[telemetry(rename = "5K-10K")]
    From5KTo10K,
    /// 10,000 or more.
    #[telemetry(rename = ">10K")]
    Over10K,
}

impl ResourceBucket {
    /// The bucket a count falls in.
    ///
    /// ```
    /// # use telemetry_core::ResourceBucket;
    /// assert_eq!(ResourceBucket::from_count(4_200), ResourceBucket::From1KTo5K);
    /// ```
    pub fn from_count(count: u64) -> ResourceBucket {
        match count {
            0..=999 => ResourceBucket::Under1K,
            1_000..=4_999 => ResourceBucket::From1KTo5K,
            5_000..=9_999 => ResourceBucket::From5KTo10K,
            _ => ResourceBucket::Over10K,
        }
    }

    /// The bucket's wire string, e.g. `"1K-5K"`.
    pub fn as_str(self) -> &'static str {
        self.wire_str()
    }
}

#[cfg(test)]
mod tests {
    use super::ResourceBucket::{self, *};

    #[test]
    fn boundaries() {
        for (count, bucket) in [
            (0, Under1K),
            (999, Under1K),
            (1_000, From1KTo5K),
            (4_999, From1KTo5K),
            (5_000, From5KTo10K),
            (9_999, From5KTo10K),
            (10_000, Over10K),
            (u64::MAX, Over10K),
        ] {
            assert_eq!(ResourceBucket::from_count(count), bucket, "count {count}");
        }
    }

    #[test]
    fn wire_strings() {
        let wires: Vec<&str> = [Under1K, From1KTo5K, From5KTo10K, Over10K]
            .iter()
            .map(|b| b.as_str())
            .collect();
        assert_eq!(wires, ["<1K", "1K-5K", "5K-10K", ">10K"]);
        assert_eq!(serde_json::to_string(&Over10K).unwrap(), r#"">10K""#);
    }
}
