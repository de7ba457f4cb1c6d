//! The recorded schemas: `<Payload>.schema.json` as bless writes it, one
//! entry per `schema_version` under `oneOf`. Each version gets a validator
//! and the list of fields the aggregates are kept for, derived from the
//! schema alone (no per-payload code).

use std::collections::BTreeMap;

use serde_json::Value;

pub mod annotations;

/// How one field is aggregated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A value list or a string: counts per value (strings keep their 100
    /// most frequent values a day, see `store`).
    Value { free_form: bool },
    /// An integer or a number: count, sum, min, max and a log-scale histogram.
    Number,
    /// A boolean: true and false counts.
    Boolean,
    /// A list of strings: counts per element.
    Elements,
    /// A map of numbers: the sum per key.
    MapSum,
}

impl FieldKind {
    /// How the aggregates endpoint names the kind.
    pub fn name(&self) -> &'static str {
        match self {
            FieldKind::Value { free_form: false } => "value list",
            FieldKind::Value { free_form: true } => "string",
            FieldKind::Number => "number",
            FieldKind::Boolean => "boolean",
            FieldKind::Elements => "string list",
            FieldKind::MapSum => "map of numbers",
        }
    }
}

/// A field aggregates are kept for, by its dotted path (`system.cpu.cores`,
/// `gpu_devices[].model`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub path: String,
    pub kind: FieldKind,
}

/// One recorded version.
pub struct Version {
    pub version: String,
    pub fields: Vec<FieldSpec>,
    pub validator: jsonschema::Validator,
}

/// Every recorded version of one payload.
pub struct Schemas {
    pub title: String,
    pub versions: BTreeMap<String, Version>,
    /// Every field path of every version and its kind, for reading
    /// aggregates, the dashboard and the retention job.
    pub fields: BTreeMap<String, FieldKind>,
    /// Each field's why-text (its `description`), by dotted path.
    pub descriptions: BTreeMap<String, String>,
    /// The raw retention the file promises (`x-raw-retention-days`), if it
    /// states one.
    pub raw_retention_days: Option<i64>,
}

impl Schemas {
    /// Reads a schema file's text.
    pub fn parse(text: &str) -> Result<Schemas, String> {
        let file: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let entries = file["oneOf"]
            .as_array()
            .ok_or("no `oneOf` list of versions: is this a schema file bless wrote?")?;
        let mut versions = BTreeMap::new();
        for entry in entries {
            let version = entry["properties"]["schema_version"]["const"]
                .as_str()
                .ok_or("a version without `properties.schema_version.const`")?
                .to_owned();
            let mut standalone = entry.clone();
            standalone["$schema"] = file["$schema"].clone();
            let validator = jsonschema::validator_for(&standalone)
                .map_err(|e| format!("schema_version {version}: {e}"))?;
            let mut fields = Vec::new();
            collect_fields(&entry["properties"], "", &mut fields);
            fields.retain(|field| field.path != "schema_version" && field.path != NONCE);
            versions.insert(
                version.clone(),
                Version {
                    version,
                    fields,
                    validator,
                },
            );
        }
        if versions.is_empty() {
            return Err("the schema file records no version".to_owned());
        }
        let fields = versions
            .values()
            .flat_map(|version| version.fields.iter())
            .map(|field| (field.path.clone(), field.kind.clone()))
            .collect();
        Ok(Schemas {
            title: file["title"].as_str().unwrap_or("reports").to_owned(),
            versions,
            fields,
            descriptions: annotations::descriptions(&file),
            raw_retention_days: annotations::raw_retention_days(&file)?,
        })
    }
}

/// The field that de-duplicates one session's reports; never aggregated.
pub const NONCE: &str = "session_nonce";

/// The fields of an object's `properties`, below `prefix`.
fn collect_fields(properties: &Value, prefix: &str, out: &mut Vec<FieldSpec>) {
    let Some(properties) = properties.as_object() else {
        return;
    };
    for (name, schema) in properties {
        collect_field(schema, &format!("{prefix}{name}"), out);
    }
}

fn collect_field(schema: &Value, path: &str, out: &mut Vec<FieldSpec>) {
    let schema = without_null(schema);
    let push = |out: &mut Vec<FieldSpec>, kind| {
        out.push(FieldSpec {
            path: path.to_owned(),
            kind,
        })
    };
    if schema.get("enum").is_some() {
        return push(out, FieldKind::Value { free_form: false });
    }
    match schema["type"].as_str() {
        Some("string") => push(out, FieldKind::Value { free_form: true }),
        Some("integer" | "number") => push(out, FieldKind::Number),
        Some("boolean") => push(out, FieldKind::Boolean),
        Some("array") => {
            let items = without_null(&schema["items"]);
            if items["type"] == "string" || items.get("enum").is_some() {
                push(out, FieldKind::Elements);
            } else if items["type"] == "object" {
                collect_fields(&items["properties"], &format!("{path}[]."), out);
            }
        }
        Some("object") if schema.get("properties").is_some() => {
            collect_fields(&schema["properties"], &format!("{path}."), out);
        }
        Some("object") => {
            let values = without_null(&schema["additionalProperties"]);
            if matches!(values["type"].as_str(), Some("integer" | "number")) {
                push(out, FieldKind::MapSum);
            }
        }
        _ => {}
    }
}

/// `T` of `anyOf: [T, {type: null}]` (an `Option`), else the schema itself.
fn without_null(schema: &Value) -> &Value {
    match schema["anyOf"].as_array().map(Vec::as_slice) {
        Some([inner, null]) if null["type"] == "null" => inner,
        _ => schema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_kinds_come_from_the_schema() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/vectordb-report/docs/NodeReport.schema.json"
        ))
        .unwrap();
        let schemas = Schemas::parse(&text).unwrap();
        let fields = &schemas.versions["1.0"].fields;
        let kind = |path: &str| {
            fields
                .iter()
                .find(|f| f.path == path)
                .map(|f| f.kind.clone())
        };
        assert_eq!(
            kind("app.flavour"),
            Some(FieldKind::Value { free_form: false })
        );
        assert_eq!(
            kind("app.version"),
            Some(FieldKind::Value { free_form: true })
        );
        assert_eq!(kind("app.startup_ms"), Some(FieldKind::Number));
        assert_eq!(kind("system.cpu.simd"), Some(FieldKind::Elements));
        assert_eq!(
            kind("system.gpu_devices[].model"),
            Some(FieldKind::Value { free_form: true })
        );
        assert_eq!(kind("collections[].on_disk"), Some(FieldKind::Boolean));
        assert_eq!(kind("requests_by_api"), Some(FieldKind::MapSum));
        assert_eq!(kind("session_nonce"), None, "the nonce is never aggregated");
    }

    #[test]
    fn a_file_that_is_not_a_schema_file_is_refused() {
        let refused = |text: &str| Schemas::parse(text).err().unwrap_or_default();
        assert!(refused("{}").contains("oneOf"));
        assert!(refused("[").contains("not JSON"));
        assert!(refused(r#"{"oneOf": []}"#).contains("no version"));
    }
}
