//! The exports of one window: JSON (the shape `/v1/aggregates` answers,
//! one object per field) and CSV (one row per count or number statistic).
//! Both are written from the same [`WindowData`] the page is drawn from,
//! after the public filter where it applies, so they agree with it.
//!
//! The CSV is written with the `csv` crate: keys are whatever senders put
//! in free-form strings (commas, quotes, line breaks), and its writer
//! quotes them as RFC 4180 readers expect.

use serde::Serialize;

use super::data::{FieldData, NumberStats, WindowData};
use crate::store::{CountRow, SessionRow};

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

/// The CSV record of one day's sessions of a version.
pub fn session_record<'a>(row: &'a SessionRow, count: &'a str) -> [&'a str; 9] {
    [
        "",
        "sessions",
        &row.day,
        &row.schema_version,
        "",
        count,
        "",
        "",
        "",
    ]
}

/// The CSV record of one count (a value, a string, a list element, a map
/// key) of `path`: `[kind, day, schema_version, key]` and the count.
pub fn count_record<'a>(path: &'a str, text: [&'a str; 4], count: &'a str) -> [&'a str; 9] {
    let [kind, day, schema_version, key] = text;
    [path, kind, day, schema_version, key, count, "", "", ""]
}

/// The CSV records of a number field's statistics.
pub fn write_number_records<W: std::io::Write>(
    writer: &mut csv::Writer<W>,
    path: &str,
    numbers: &[NumberStats],
) -> csv::Result<()> {
    let optional = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    for row in numbers {
        writer.write_record([
            path,
            "number",
            &row.day,
            &row.schema_version,
            "",
            &row.count.to_string(),
            &optional(row.sum),
            &optional(row.min),
            &optional(row.max),
        ])?;
    }
    Ok(())
}

/// One field as `/v1/aggregates` answers it.
#[derive(Serialize)]
pub struct FieldExport<'a> {
    pub field: &'a str,
    pub kind: &'static str,
    pub description: Option<&'a str>,
    pub from: String,
    pub to: String,
    pub counts: &'a [CountRow],
    pub numbers: &'a [NumberStats],
    /// The public view's k; absent on the full view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<u32>,
}

/// Every field of a window, and its sessions.
#[derive(Serialize)]
pub struct Export<'a> {
    pub title: &'a str,
    pub from: String,
    pub to: String,
    pub sessions: &'a [SessionRow],
    pub fields: Vec<FieldExport<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<u32>,
}

/// One field as `/v1/aggregates` answers it. Serialized straight from the
/// rows (no `serde_json::Value` in between: building one was most of an
/// export's time).
pub fn field_json<'a>(data: &'a WindowData, field: &'a FieldData) -> FieldExport<'a> {
    FieldExport {
        field: &field.path,
        kind: field.kind.name(),
        description: field.description.as_deref(),
        from: data.window.from.to_string(),
        to: data.window.to.to_string(),
        counts: &field.counts,
        numbers: &field.numbers,
        k: data.public_k,
    }
}

/// Every field of `data` (and the sessions), as the JSON export.
pub fn json(data: &WindowData) -> Export<'_> {
    Export {
        title: &data.title,
        from: data.window.from.to_string(),
        to: data.window.to.to_string(),
        sessions: &data.sessions,
        fields: data
            .fields
            .iter()
            .map(|field| field_json(data, field))
            .collect(),
        k: data.public_k,
    }
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
            .write_record(session_record(row, &count))
            .map_err(error)?;
    }
    for field in &data.fields {
        for row in &field.counts {
            let count = row.count.to_string();
            let text = [&*row.kind, &row.day, &row.schema_version, &row.key];
            writer
                .write_record(count_record(&field.path, text, &count))
                .map_err(error)?;
        }
        write_number_records(&mut writer, &field.path, &field.numbers).map_err(error)?;
    }
    let bytes = writer.into_inner().map_err(|err| format!("csv: {err}"))?;
    String::from_utf8(bytes).map_err(|err| format!("csv: {err}"))
}
