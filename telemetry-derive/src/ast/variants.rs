//! A `#[derive(TelemetrySection)]` enum: its variants, in serde's four
//! representations.
//!
//! A variant is written on the page as one unit, a path step that says how
//! serde tags it, then its fields below it:
//!
//! ```text
//! external (serde's default)   events[].(file_saved).extension
//! tag = "type"                 events[].(type = "file_saved").extension
//! tag = "t", content = "c"     events[].(t = "file_saved", content = "c").extension
//! untagged                     events[].(untagged file_saved).extension
//! ```
//!
//! So the variants' fields are the enum's fields, named by those paths:
//! the chain, the history and the guard treat them as any section's (a
//! variant added is rows added, a minor bump; one removed or renamed, or
//! the tagging changed, is rows removed, a major one), and the JSON Schema
//! reads the notation back (see `json_schema`).

use std::ops::Range;

use syn::ext::IdentExt;
use syn::{DataEnum, Fields, Ident};

use super::Field;
use crate::attr;
use crate::cell::why_cell;
use crate::ctxt::Ctxt;
use crate::serde_attr;

/// How serde tags the variants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repr {
    External,
    Internal { tag: String },
    Adjacent { tag: String, content: String },
    Untagged,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Unit,
    Struct,
    /// One unnamed field: sent as its value, in the variant's place.
    Newtype,
}

pub struct Variant<'a> {
    pub ident: &'a Ident,
    /// The name serde sends: `rename`, else the enum's `rename_all` rule.
    pub name: String,
    /// Its position among all variants, skipped ones included, as serde
    /// counts them.
    pub index: u32,
    pub style: Style,
    /// The joined `///` comment, as a cell; empty when there is none.
    pub why: String,
    /// `#[serde(skip)]`: serde refuses to send it, and so does the derive.
    pub skipped: bool,
    /// Its fields in the enum's list of fields.
    pub fields: Range<usize>,
}

impl Repr {
    pub fn of(serde: &serde_attr::Container) -> Repr {
        match (&serde.tag, &serde.content, &serde.untagged) {
            (_, _, Some(_)) => Repr::Untagged,
            (Some(tag), Some(content), None) => Repr::Adjacent {
                tag: tag.value(),
                content: content.value(),
            },
            (Some(tag), None, None) => Repr::Internal { tag: tag.value() },
            (None, _, None) => Repr::External,
        }
    }

    /// The path step of a variant named `name`.
    pub fn step(&self, name: &str) -> String {
        match self {
            Repr::External => format!("({name})"),
            Repr::Internal { tag } => format!("({tag} = \"{name}\")"),
            Repr::Adjacent { tag, content } => {
                format!("({tag} = \"{name}\", content = \"{content}\")")
            }
            Repr::Untagged => format!("(untagged {name})"),
        }
    }
}

/// The variants, and every variant's fields pushed onto `fields`, named by
/// their paths below the enum.
pub fn from_ast<'a>(
    cx: &Ctxt,
    data: &'a DataEnum,
    serde: &serde_attr::Container,
    fields: &mut Vec<Field<'a>>,
) -> Vec<Variant<'a>> {
    let repr = Repr::of(serde);
    let mut variants = Vec::new();
    for (index, variant) in data.variants.iter().enumerate() {
        let split = attr::split(&variant.attrs);
        let variant_serde = serde_attr::Variant::from_attrs(cx, &split.serde, true);
        let name = match (&variant_serde.rename, serde.rename_all) {
            (Some(rename), _) => rename.value(),
            (None, Some(rule)) => rule.apply_to_variant(&variant.ident.unraw().to_string()),
            (None, None) => variant.ident.unraw().to_string(),
        };
        let mut refused = false;
        let style = match &variant.fields {
            Fields::Unit => Style::Unit,
            Fields::Named(_) => Style::Struct,
            Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => Style::Newtype,
            Fields::Unnamed(_) => {
                refused = true;
                cx.error_spanned_by(
                    &variant.ident,
                    format!(
                        "variant `{}` holds several unnamed values, which serde sends as a list the page could \
                         not name; give them names (`{} {{ a: A, b: B }}`)",
                        variant.ident, variant.ident
                    ),
                );
                Style::Unit
            }
        };
        let why = why_cell(&attr::doc_lines(&split.docs));
        crate::cell::check(
            cx,
            crate::cell::DocSpan(&split.docs),
            format_args!("variant `{}`", variant.ident),
            &why,
        );
        let step = repr.step(&name);
        let rename_fields = variant_serde.rename_all.or(serde.rename_all_fields);
        let start = fields.len();
        // A refused variant's values would only add follow-up errors.
        if !variant_serde.skip && !refused {
            for field in variant.fields.iter() {
                let Some(mut field) = Field::from_ast(cx, field, &variant.ident, rename_fields)
                else {
                    continue;
                };
                field.wire_name = match style {
                    // The value stands in the variant's own row.
                    Style::Newtype => step.clone(),
                    _ => format!("{step}.{}", field.key),
                };
                if style == Style::Newtype {
                    field.why = why.clone();
                }
                fields.push(field);
            }
        }
        variants.push(Variant {
            ident: &variant.ident,
            name,
            index: index as u32,
            style,
            why,
            skipped: variant_serde.skip,
            fields: start..fields.len(),
        });
    }
    variants
}
