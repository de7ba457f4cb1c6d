//! The exports of one window: JSON (the shape `/v1/aggregates` answers,
//! one object per field) and CSV (one row per count or number statistic).
//! Both are written from the same [`WindowData`] the page is drawn from,
//! after the public filter where it applies, so they agree with it.
//!
//! The CSV is written with the `csv` crate: keys are whatever senders put
//! in free-form strings (commas, quotes, line breaks), and its writer
//! quotes them as RFC 4180 readers expect.

use serde_json::{json, Value};

use super::data::{FieldData, WindowData};

/// The CSV's columns, in order.
pub const CSV_HEADER: [&str; 9] = [
    "field",
    "kind",
    "day",
    "schema_version",
    "key",
    "count",
    "sum",
    "min",
    "max",
];

/// One field as `/v1/aggregates` answers it.
pub fn field_json(data: &WindowData, field: &FieldData) -> Value {
    let mut answer = json!({
        "field": field.path,
        "kind": field.kind.name(),
        "description": field.description,
        "from": data.window.from.to_string(),
        "to": data.window.to.to_string(),
        "counts": field.counts,
        "numbers": field.numbers,
    });
    if let Some(k) = data.public_k {
        answer["k"] = json!(k);
    }
    answer
}

/// Every field of `data` (and the sessions), as the JSON export.
pub fn json(data: &WindowData) -> Value {
    let mut answer = json!({
        "title": data.title,
        "from": data.window.from.to_string(),
        "to": data.window.to.to_string(),
        "sessions": data.sessions,
        "fields": data.fields.iter().map(|field| field_json(data, field)).collect::<Vec<_>>(),
    });
    if let Some(k) = data.public_k {
        answer["k"] = json!(k);
    }
    answer
}

/// The CSV export: a header, then the sessions (`kind` `sessions`, no
/// field), then each field's counts (`kind` `value`, `sum` or
/// `histogram`, with `key` and `count`) and number statistics (`kind`
/// `number`: `count`, `sum`, `min`, `max`; `min` and `max` empty in the
/// public view, `sum` too where fewer than k values came that day).
pub fn csv(data: &WindowData) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let error = |err: csv::Error| format!("csv: {err}");
    writer.write_record(CSV_HEADER).map_err(error)?;
    for row in &data.sessions {
        let count = row.sessions.to_string();
        writer
            .write_record([
                "",
                "sessions",
                &row.day,
                &row.schema_version,
                "",
                &count,
                "",
                "",
                "",
            ])
            .map_err(error)?;
    }
    let optional = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    for field in &data.fields {
        for row in &field.counts {
            let count = row.count.to_string();
            writer
                .write_record([
                    &field.path,
                    &row.kind,
                    &row.day,
                    &row.schema_version,
                    &row.key,
                    &count,
                    "",
                    "",
                    "",
                ])
                .map_err(error)?;
        }
        for row in &field.numbers {
            writer
                .write_record([
                    field.path.as_str(),
                    "number",
                    &row.day,
                    &row.schema_version,
                    "",
                    &row.count.to_string(),
                    &optional(row.sum),
                    &optional(row.min),
                    &optional(row.max),
                ])
                .map_err(error)?;
        }
    }
    let bytes = writer.into_inner().map_err(|err| format!("csv: {err}"))?;
    String::from_utf8(bytes).map_err(|err| format!("csv: {err}"))
}
