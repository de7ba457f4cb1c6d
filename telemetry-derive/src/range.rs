//! The range of an integer field's Rust type, for the JSON Schema.

/// The values an integer field's Rust type can hold, where a JSON number
/// holds the bound exactly: `u32` is `0..4294967295`, `u64` is `0..`. Not
/// part of the wire shape (the history says `integer`), so changing `u32`
/// to `u64` needs no version bump; the JSON Schema uses it, so receivers
/// refuse a value the type cannot hold, such as a negative count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IntegerRange {
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

impl IntegerRange {
    /// The range of a Rust integer type by name (`NonZeroU32` too: zero
    /// excluded, which a JSON Schema can say for the unsigned ones as
    /// `minimum: 1`); unbounded for any other.
    pub fn of_type(name: &str) -> IntegerRange {
        if let Some(unsigned) = name.strip_prefix("NonZeroU") {
            let range = IntegerRange::of_type(&format!("u{unsigned}"));
            return IntegerRange {
                minimum: Some(1),
                ..range
            };
        }
        if let Some(signed) = name.strip_prefix("NonZeroI") {
            return IntegerRange::of_type(&format!("i{signed}"));
        }
        let (minimum, maximum) = match name {
            "u8" => (Some(0), Some(u8::MAX.into())),
            "u16" => (Some(0), Some(u16::MAX.into())),
            "u32" => (Some(0), Some(u32::MAX.into())),
            "u64" | "u128" | "usize" => (Some(0), None),
            "i8" => (Some(i8::MIN.into()), Some(i8::MAX.into())),
            "i16" => (Some(i16::MIN.into()), Some(i16::MAX.into())),
            "i32" => (Some(i32::MIN.into()), Some(i32::MAX.into())),
            _ => (None, None),
        };
        IntegerRange { minimum, maximum }
    }

    /// `min..max` with either side left empty when unbounded.
    pub fn spell(&self) -> String {
        let side = |bound: Option<i64>| bound.map(|b| b.to_string()).unwrap_or_default();
        format!("{}..{}", side(self.minimum), side(self.maximum))
    }

    /// Reads [`IntegerRange::spell`].
    pub fn parse(text: &str) -> Result<IntegerRange, String> {
        let (minimum, maximum) = text
            .split_once("..")
            .ok_or_else(|| format!("`{text}` is not a `min..max` range"))?;
        let side = |bound: &str| match bound {
            "" => Ok(None),
            bound => bound
                .parse()
                .map(Some)
                .map_err(|_| format!("`{bound}` is not an integer bound")),
        };
        Ok(IntegerRange {
            minimum: side(minimum)?,
            maximum: side(maximum)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ranges_by_type_and_spelling() {
        assert_eq!(IntegerRange::of_type("u32").spell(), "0..4294967295");
        assert_eq!(IntegerRange::of_type("u64").spell(), "0..");
        assert_eq!(IntegerRange::of_type("i8").spell(), "-128..127");
        assert_eq!(IntegerRange::of_type("i64").spell(), "..");
        assert_eq!(IntegerRange::of_type("NonZeroU8").spell(), "1..255");
        assert_eq!(IntegerRange::of_type("NonZeroUsize").spell(), "1..");
        assert_eq!(IntegerRange::of_type("NonZeroI16").spell(), "-32768..32767");
        for name in ["u8", "usize", "i32", "i128", "String"] {
            let range = IntegerRange::of_type(name);
            assert_eq!(IntegerRange::parse(&range.spell()), Ok(range));
        }
        assert!(IntegerRange::parse("1-2").is_err());
        assert!(IntegerRange::parse("a..").is_err());
    }
}
