//! serde's `rename_all` rules, applied as serde applies them: to field
//! names written in snake_case and to variant names written in PascalCase.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

/// The spellings serde accepts, in its order.
const RULES: &[(&str, RenameRule)] = &[
    ("lowercase", RenameRule::Lower),
    ("UPPERCASE", RenameRule::Upper),
    ("PascalCase", RenameRule::Pascal),
    ("camelCase", RenameRule::Camel),
    ("snake_case", RenameRule::Snake),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
    ("kebab-case", RenameRule::Kebab),
    ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebab),
];

/// An unknown `rename_all` value, with the known ones.
pub struct UnknownRule(String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<String> = RULES.iter().map(|(name, _)| format!("{name:?}")).collect();
        write!(
            f,
            "unknown rename rule `rename_all = {:?}`, expected one of {}",
            self.0,
            known.join(", ")
        )
    }
}

impl RenameRule {
    pub fn from_str(text: &str) -> Result<RenameRule, UnknownRule> {
        RULES
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, rule)| *rule)
            .ok_or_else(|| UnknownRule(text.to_owned()))
    }

    /// A snake_case field name in this case.
    pub fn apply_to_field(self, field: &str) -> String {
        match self {
            RenameRule::Lower | RenameRule::Snake => field.to_owned(),
            RenameRule::Upper | RenameRule::ScreamingSnake => field.to_ascii_uppercase(),
            RenameRule::Kebab => field.replace('_', "-"),
            RenameRule::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
            RenameRule::Pascal => words_capitalized(field),
            RenameRule::Camel => lower_first(&words_capitalized(field)),
        }
    }

    /// A PascalCase variant name in this case.
    pub fn apply_to_variant(self, variant: &str) -> String {
        match self {
            RenameRule::Pascal => variant.to_owned(),
            RenameRule::Lower => variant.to_ascii_lowercase(),
            RenameRule::Upper => variant.to_ascii_uppercase(),
            RenameRule::Camel => lower_first(variant),
            RenameRule::Snake => underscored(variant),
            RenameRule::ScreamingSnake => underscored(variant).to_ascii_uppercase(),
            RenameRule::Kebab => underscored(variant).replace('_', "-"),
            RenameRule::ScreamingKebab => {
                underscored(variant).to_ascii_uppercase().replace('_', "-")
            }
        }
    }
}

/// `very_tasty` -> `VeryTasty`: each `_` dropped, the letter after it (and
/// the first) upper-cased.
fn words_capitalized(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper_next = true;
    for c in field.chars() {
        match c {
            '_' => upper_next = true,
            c if upper_next => {
                out.push(c.to_ascii_uppercase());
                upper_next = false;
            }
            c => out.push(c),
        }
    }
    out
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `VeryTasty` -> `very_tasty`: `_` before every upper-case letter but the
/// first, all lower-cased.
fn underscored(variant: &str) -> String {
    let mut out = String::with_capacity(variant.len() + 4);
    for (i, c) in variant.char_indices() {
        if i > 0 && c.is_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::RenameRule::{self, *};

    #[test]
    fn fields_in_every_case() {
        let cases: [(RenameRule, &str, &str); 8] = [
            (Lower, "very_tasty", "very_tasty"),
            (Upper, "very_tasty", "VERY_TASTY"),
            (Pascal, "very_tasty", "VeryTasty"),
            (Camel, "very_tasty", "veryTasty"),
            (Snake, "very_tasty", "very_tasty"),
            (ScreamingSnake, "z42", "Z42"),
            (Kebab, "very_tasty", "very-tasty"),
            (ScreamingKebab, "very_tasty", "VERY-TASTY"),
        ];
        for (rule, field, expected) in cases {
            assert_eq!(rule.apply_to_field(field), expected, "{rule:?}");
        }
        assert_eq!(Camel.apply_to_field("a"), "a");
    }

    #[test]
    fn variants_in_every_case() {
        let cases: [(RenameRule, &str); 8] = [
            (Lower, "verytasty"),
            (Upper, "VERYTASTY"),
            (Pascal, "VeryTasty"),
            (Camel, "veryTasty"),
            (Snake, "very_tasty"),
            (ScreamingSnake, "VERY_TASTY"),
            (Kebab, "very-tasty"),
            (ScreamingKebab, "VERY-TASTY"),
        ];
        for (rule, expected) in cases {
            assert_eq!(rule.apply_to_variant("VeryTasty"), expected, "{rule:?}");
        }
    }

    #[test]
    fn unknown_rules_list_the_known_ones() {
        let error = RenameRule::from_str("Title Case")
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("\"camelCase\", \"snake_case\""), "{error}");
    }
}
