//! What a field's Rust type bounds beyond its wire type, for the JSON
//! Schema: an integer's range, a set's distinct items, an array's fixed
//! length, a string's length.

/// A string's default longest length in characters (`maxLength`), and a
/// map's longest key: long enough for any version, platform or name a
/// page lists, short enough that a sender cannot make a receiver keep
/// kilobytes per value. A field changes it with
/// `#[telemetry(max_length = N)]`.
pub const DEFAULT_MAX_LENGTH: u64 = 256;

/// What a field's Rust type can hold beyond its wire type. None of it is
/// part of the wire shape (the history says `integer`, `string[]`), so
/// changing `u32` to `u64`, or a `max_length`, needs no version bump; the
/// JSON Schema uses it, so receivers refuse a value the type cannot hold,
/// such as a negative count.
///
/// The integer range applies to the integer inside the type, and the list
/// bounds to its innermost list (`[u16; 2]` in `Vec<[u16; 2]>`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    /// Where a JSON number holds the bound exactly: `u32` is
    /// `0..4294967295`, `u64` is `0..`.
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    /// The list is a `BTreeSet`: its items are distinct.
    pub unique_items: bool,
    /// The list is an array `[T; N]` of this length.
    pub items: Option<u64>,
    /// The longest string inside, and the longest map key.
    pub max_length: Option<u64>,
}

impl Bounds {
    /// The bounds of a Rust integer type by name (`NonZeroU32` too: zero
    /// excluded, which a JSON Schema can say for the unsigned ones as
    /// `minimum: 1`); unbounded for any other.
    pub fn of_type(name: &str) -> Bounds {
        if let Some(unsigned) = name.strip_prefix("NonZeroU") {
            let bounds = Bounds::of_type(&format!("u{unsigned}"));
            return Bounds {
                minimum: Some(1),
                ..bounds
            };
        }
        if let Some(signed) = name.strip_prefix("NonZeroI") {
            return Bounds::of_type(&format!("i{signed}"));
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
        Bounds {
            minimum,
            maximum,
            ..Bounds::default()
        }
    }

    /// `min..max` with either side left empty when unbounded, then
    /// ` unique`, ` items=N`, ` max_length=N` where set.
    pub fn spell(&self) -> String {
        let side = |bound: Option<i64>| bound.map(|b| b.to_string()).unwrap_or_default();
        let mut text = format!("{}..{}", side(self.minimum), side(self.maximum));
        if self.unique_items {
            text.push_str(" unique");
        }
        for (key, value) in [("items", self.items), ("max_length", self.max_length)] {
            if let Some(value) = value {
                text.push_str(&format!(" {key}={value}"));
            }
        }
        text
    }

    /// Reads [`Bounds::spell`].
    pub fn parse(text: &str) -> Result<Bounds, String> {
        let mut words = text.split(' ');
        let range = words.next().unwrap_or_default();
        let (minimum, maximum) = range
            .split_once("..")
            .ok_or_else(|| format!("`{range}` is not a `min..max` range"))?;
        let side = |bound: &str| match bound {
            "" => Ok(None),
            bound => bound
                .parse()
                .map(Some)
                .map_err(|_| format!("`{bound}` is not an integer bound")),
        };
        let mut bounds = Bounds {
            minimum: side(minimum)?,
            maximum: side(maximum)?,
            ..Bounds::default()
        };
        for word in words {
            let count = |value: &str| {
                value
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("`{value}` is not a count"))
            };
            match word.split_once('=') {
                None if word == "unique" => bounds.unique_items = true,
                Some(("items", value)) => bounds.items = count(value)?,
                Some(("max_length", value)) => bounds.max_length = count(value)?,
                _ => return Err(format!("`{word}` is not a bound")),
            }
        }
        Ok(bounds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ranges_by_type_and_spelling() {
        assert_eq!(Bounds::of_type("u32").spell(), "0..4294967295");
        assert_eq!(Bounds::of_type("u64").spell(), "0..");
        assert_eq!(Bounds::of_type("i8").spell(), "-128..127");
        assert_eq!(Bounds::of_type("i64").spell(), "..");
        assert_eq!(Bounds::of_type("NonZeroU8").spell(), "1..255");
        assert_eq!(Bounds::of_type("NonZeroUsize").spell(), "1..");
        assert_eq!(Bounds::of_type("NonZeroI16").spell(), "-32768..32767");
        for name in ["u8", "usize", "i32", "i128", "String"] {
            let bounds = Bounds::of_type(name);
            assert_eq!(Bounds::parse(&bounds.spell()), Ok(bounds));
        }
        let list = Bounds {
            unique_items: true,
            items: Some(3),
            max_length: Some(64),
            ..Bounds::of_type("u8")
        };
        assert_eq!(list.spell(), "0..255 unique items=3 max_length=64");
        assert_eq!(Bounds::parse(&list.spell()), Ok(list));
        assert!(Bounds::parse("1.. often").is_err());
        assert!(Bounds::parse("1-2").is_err());
        assert!(Bounds::parse("a..").is_err());
    }
}
