//! What the schema file says about its fields beyond their types: each
//! field's why-text (the property's `description`, as bless writes it) and
//! the raw retention the page promises (`x-raw-retention-days` at the
//! file's root). Both are read here, once, so the dashboard and the
//! command line take them from the file instead of restating them.

use std::collections::BTreeMap;

use serde_json::Value;

/// The root key bless writes `#[telemetry(raw_retention_days = N)]` to.
pub const RAW_RETENTION_KEY: &str = "x-raw-retention-days";

/// The `description` of every field, by the same dotted paths as the
/// aggregates (`system.cpu.cores`, `collections[].on_disk`). A later
/// version's text wins over an earlier one's (versions are listed oldest
/// first).
pub fn descriptions(file: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in file["oneOf"].as_array().into_iter().flatten() {
        walk(&entry["properties"], "", &mut out);
    }
    out
}

/// The days of raw retention the file promises: `None` when it states
/// none, an error when it states something that is not a whole number of
/// days above 0.
pub fn raw_retention_days(file: &Value) -> Result<Option<i64>, String> {
    match file.get(RAW_RETENTION_KEY) {
        None => Ok(None),
        Some(days) => days
            .as_i64()
            .filter(|days| *days > 0)
            .map(Some)
            .ok_or_else(|| {
                format!("`{RAW_RETENTION_KEY}` is {days}, not a number of days above 0")
            }),
    }
}

fn walk(properties: &Value, prefix: &str, out: &mut BTreeMap<String, String>) {
    let Some(properties) = properties.as_object() else {
        return;
    };
    for (name, schema) in properties {
        let path = format!("{prefix}{name}");
        // The description sits on the property, or on the non-null arm of
        // an `Option`'s `anyOf`.
        let inner = non_null(schema);
        if let Some(text) = schema["description"]
            .as_str()
            .or_else(|| inner["description"].as_str())
        {
            out.insert(path.clone(), text.to_owned());
        }
        if inner.get("properties").is_some() {
            walk(&inner["properties"], &format!("{path}."), out);
        } else if inner["type"] == "array" {
            let items = non_null(&inner["items"]);
            walk(&items["properties"], &format!("{path}[]."), out);
        }
    }
}

fn non_null(schema: &Value) -> &Value {
    match schema["anyOf"].as_array().map(Vec::as_slice) {
        Some([inner, null]) if null["type"] == "null" => inner,
        _ => schema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn descriptions_are_read_at_every_depth() {
        let file = json!({"oneOf": [{"properties": {
            "os": {"type": "string", "description": "which OSes to build for"},
            "system": {"type": "object", "properties": {
                "cores": {"anyOf": [{"type": "integer", "description": "to size defaults"}, {"type": "null"}]}
            }},
            "gpus": {"type": "array", "items": {"type": "object", "properties": {
                "model": {"type": "string", "description": "which GPUs to test"}
            }}},
            "tier": {"enum": ["a"]}
        }}]});
        let found = descriptions(&file);
        assert_eq!(found["os"], "which OSes to build for");
        assert_eq!(found["system.cores"], "to size defaults");
        assert_eq!(found["gpus[].model"], "which GPUs to test");
        assert!(!found.contains_key("tier"), "no description, no caption");
    }

    #[test]
    fn the_retention_is_a_number_of_days_or_absent() {
        assert_eq!(raw_retention_days(&json!({})), Ok(None));
        assert_eq!(
            raw_retention_days(&json!({"x-raw-retention-days": 30})),
            Ok(Some(30))
        );
        for bad in [json!(0), json!("90"), json!(1.5)] {
            let err = raw_retention_days(&json!({ "x-raw-retention-days": bad })).unwrap_err();
            assert!(err.contains("x-raw-retention-days"), "{err}");
        }
    }
}
