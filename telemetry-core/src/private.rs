//! What the derives' generated code calls: not part of the API, and may
//! change in any release.

pub use serde;
pub use telemetry_derive::__resume as resume;

#[path = "flatten.rs"]
mod flatten;
use flatten::FlatMapSerializer;

use crate::FieldInfo;

/// A type whose data reaches a holder's derive through the chain: a
/// section (struct or enum with data) or a value enum, whose values then
/// need no `values` on the field. Both derives implement it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a telemetry section or value",
    label = "this field type derives neither TelemetrySection nor TelemetryValue",
    note = "a struct, an enum with data or a newtype nested in a payload needs #[derive(TelemetrySection)]; \
            an enum of unit variants sent as fixed strings needs #[derive(TelemetryValue)]"
)]
pub trait Nested {}

/// Fails to compile unless `T` is a section or a value enum; the derives
/// call it in const context for each field type they take for one.
pub const fn assert_nested<T: Nested + ?Sized>() {}

/// `T` is `U`: a type the derive took for a standard one by its name.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is sent as serde sends `{U}`, but it is not that type",
    label = "taken for the standard type by its name",
    note = "a type of your own with this name is sent as a section: name it by a longer path (`crate::stats::Duration`) and derive TelemetrySection on it"
)]
pub trait Is<U: ?Sized> {}
impl<T: ?Sized> Is<T> for T {}

/// Fails to compile unless `T` is `U`.
pub const fn assert_is<T: Is<U> + ?Sized, U: ?Sized>() {}

/// A struct being written by a derived `Serialize`: serde's state, or
/// the first error. Each field is one call of [`field`], in place of
/// serde's `serialize_field(..)?`: once a write has failed the rest are
/// skipped, and [`end`] returns that error, so nothing is written after
/// a failure, as with `?`. Far cheaper to compile than `?` (see
/// telemetry-derive's `ser`).
pub struct Fields<S: serde::Serializer>(Result<S::SerializeStruct, S::Error>);

/// `serialize_struct`, the start of every derived `Serialize`.
pub fn begin<S: serde::Serializer>(serializer: S, name: &'static str, len: usize) -> Fields<S> {
    Fields(serializer.serialize_struct(name, len))
}

/// One field.
pub fn field<S, T>(fields: &mut Fields<S>, key: &'static str, value: &T)
where
    S: serde::Serializer,
    T: serde::Serialize + ?Sized,
{
    use serde::ser::SerializeStruct;
    if let Ok(state) = &mut fields.0 {
        if let Err(error) = state.serialize_field(key, value) {
            fields.0 = Err(error);
        }
    }
}

/// A field left out by `#[serde(skip_serializing_if = "..")]`, told to
/// the serializer as serde's derive tells it.
pub fn skip_field<S: serde::Serializer>(fields: &mut Fields<S>, key: &'static str) {
    use serde::ser::SerializeStruct;
    if let Ok(state) = &mut fields.0 {
        if let Err(error) = state.skip_field(key) {
            fields.0 = Err(error);
        }
    }
}

/// The end of every derived `Serialize`: the struct closed, or the
/// first error.
pub fn end<S: serde::Serializer>(fields: Fields<S>) -> Result<S::Ok, S::Error> {
    match fields.0 {
        Ok(state) => serde::ser::SerializeStruct::end(state),
        Err(error) => Err(error),
    }
}

/// A skipped variant, which serde refuses to send with this error.
pub fn skipped_variant<S: serde::Serializer>(name: &str, variant: &str) -> Result<S::Ok, S::Error> {
    Err(serde::ser::Error::custom(format_args!(
        "the enum variant {name}::{variant} cannot be serialized"
    )))
}

/// A struct with `#[serde(flatten)]` fields being written, as serde's
/// derive writes it: a map, the flattened sections' fields entries of it.
/// The same calls as [`Fields`], by the same names in generated code.
pub struct Entries<S: serde::Serializer>(Result<S::SerializeMap, S::Error>);

/// `serialize_map` of no known length, as serde's derive does with flatten.
pub fn begin_map<S: serde::Serializer>(serializer: S) -> Entries<S> {
    Entries(serializer.serialize_map(None))
}

/// One field, as a map entry.
pub fn entry<S, T>(entries: &mut Entries<S>, key: &'static str, value: &T)
where
    S: serde::Serializer,
    T: serde::Serialize + ?Sized,
{
    use serde::ser::SerializeMap;
    if let Ok(map) = &mut entries.0 {
        if let Err(error) = map.serialize_entry(key, value) {
            entries.0 = Err(error);
        }
    }
}

/// A field left out of a map: nothing to tell the serializer.
pub fn skip_entry<S: serde::Serializer>(_: &mut Entries<S>, _: &'static str) {}

/// A flattened section: its fields as entries.
pub fn flatten<S, T>(entries: &mut Entries<S>, value: &T)
where
    S: serde::Serializer,
    T: serde::Serialize + ?Sized,
{
    if let Ok(map) = &mut entries.0 {
        if let Err(error) = value.serialize(FlatMapSerializer(map)) {
            entries.0 = Err(error);
        }
    }
}

/// The end of a map-written struct: closed, or the first error.
pub fn end_map<S: serde::Serializer>(entries: Entries<S>) -> Result<S::Ok, S::Error> {
    match entries.0 {
        Ok(map) => serde::ser::SerializeMap::end(map),
        Err(error) => Err(error),
    }
}

/// What `#[derive(Telemetry)]` generates, behind [`crate::Telemetry`]'s
/// constants of the same names.
pub struct Derived {
    pub name: &'static str,
    pub schema_version: &'static str,
    pub endpoint: Option<&'static str>,
    pub fields: &'static [FieldInfo],
    pub docs_table: &'static str,
    pub json_schema: &'static str,
}

/// Whether a field's stated `values` are its enum's; usable in const
/// context, where the derive checks them. An enum without values is one
/// whose own derive failed (it needs at least one variant): its errors
/// are reported, and the field's check adds none.
pub const fn values_agree(enum_values: &[&str], stated: &[&str]) -> bool {
    enum_values.is_empty() || same_values(enum_values, stated)
}

/// Whether two value lists are equal, in const context.
pub const fn same_values(a: &[&str], b: &[&str]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        let (x, y) = (a[i].as_bytes(), b[i].as_bytes());
        if x.len() != y.len() {
            return false;
        }
        let mut j = 0;
        while j < x.len() {
            if x[j] != y[j] {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}
