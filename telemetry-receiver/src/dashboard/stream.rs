//! The exports of every field written a chunk at a time, as the response
//! is sent: the same bytes as [`super::export::csv`] and
//! [`super::export::json`] write for the same rows (their tests compare
//! them), without holding the whole text (megabytes) at once.

use std::io::{self, Write};

use super::all_fields::{AllFields, CountText};

/// Items (rows, mostly) written per chunk: some tens of KiB.
const ITEMS_PER_CHUNK: usize = 1024;

/// The two exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// Where the writing is: each step writes one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Head,
    Session(usize),
    SessionsEnd,
    FieldOpen(usize),
    /// A field and the index of a row of its range.
    Count(usize, usize),
    FieldClose(usize),
    Tail,
    Done,
}

fn next(all: &AllFields, at: At) -> At {
    let field_open = |field: usize| match all.fields.get(field) {
        Some(_) => At::FieldOpen(field),
        None => At::Tail,
    };
    let first_count = |field: usize| {
        let rows = &all.fields[field].rows;
        match rows.is_empty() {
            true => At::FieldClose(field),
            false => At::Count(field, rows.start),
        }
    };
    match at {
        At::Head if all.sessions.is_empty() => At::SessionsEnd,
        At::Head => At::Session(0),
        At::Session(i) if i + 1 < all.sessions.len() => At::Session(i + 1),
        At::Session(_) => At::SessionsEnd,
        At::SessionsEnd => field_open(0),
        At::FieldOpen(field) => first_count(field),
        At::Count(field, i) if i + 1 < all.fields[field].rows.end => At::Count(field, i + 1),
        At::Count(field, _) => At::FieldClose(field),
        At::FieldClose(field) => field_open(field + 1),
        At::Tail | At::Done => At::Done,
    }
}

/// The export of `all` in `format`, chunk by chunk.
pub fn chunks(all: AllFields, format: Format) -> impl Iterator<Item = io::Result<Vec<u8>>> {
    let mut at = At::Head;
    std::iter::from_fn(move || {
        if at == At::Done {
            return None;
        }
        Some(match format {
            Format::Csv => csv_chunk(&all, &mut at),
            Format::Json => json_chunk(&all, &mut at),
        })
    })
}

fn csv_chunk(all: &AllFields, at: &mut At) -> io::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for _ in 0..ITEMS_PER_CHUNK {
        if *at == At::Done {
            break;
        }
        csv_item(all, *at, &mut writer)?;
        *at = next(all, *at);
    }
    writer.into_inner().map_err(|err| err.into_error())
}

/// As [`super::export::csv`] writes it.
fn csv_item(all: &AllFields, at: At, writer: &mut csv::Writer<Vec<u8>>) -> io::Result<()> {
    use super::export::{count_record, session_record, write_number_records, CSV_HEADER};
    match at {
        At::Head => writer.write_record(CSV_HEADER)?,
        At::Session(i) => {
            let row = &all.sessions[i];
            writer.write_record(session_record(row, &row.sessions.to_string()))?;
        }
        At::Count(field, i) => {
            let row = all.text(&all.rows[i]);
            let text = [row.kind, row.day, row.schema_version, row.key];
            let count = row.count.to_string();
            writer.write_record(count_record(&all.fields[field].path, text, &count))?;
        }
        At::FieldClose(field) => {
            let field = &all.fields[field];
            write_number_records(writer, &field.path, &field.numbers)?;
        }
        At::SessionsEnd | At::FieldOpen(_) | At::Tail | At::Done => {}
    }
    Ok(())
}

fn json_chunk(all: &AllFields, at: &mut At) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for _ in 0..ITEMS_PER_CHUNK {
        if *at == At::Done {
            break;
        }
        json_item(all, *at, &mut out)?;
        *at = next(all, *at);
    }
    Ok(out)
}

/// As `serde_json` writes [`super::export::json`]'s answer.
fn json_item(all: &AllFields, at: At, out: &mut Vec<u8>) -> io::Result<()> {
    let (from, to) = (all.window.from, all.window.to);
    let k = |out: &mut Vec<u8>| match all.public_k {
        Some(k) => write!(out, ",\"k\":{k}"),
        None => Ok(()),
    };
    match at {
        At::Head => {
            out.extend_from_slice(b"{\"title\":");
            serde_json::to_writer(&mut *out, &all.title)?;
            write!(out, ",\"from\":\"{from}\",\"to\":\"{to}\",\"sessions\":[")?;
        }
        At::Session(i) => {
            if i > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut *out, &all.sessions[i])?;
        }
        At::SessionsEnd => out.extend_from_slice(b"],\"fields\":["),
        At::FieldOpen(field) => {
            if field > 0 {
                out.push(b',');
            }
            let part = &all.fields[field];
            out.extend_from_slice(b"{\"field\":");
            serde_json::to_writer(&mut *out, &part.path)?;
            out.extend_from_slice(b",\"kind\":");
            serde_json::to_writer(&mut *out, part.kind)?;
            out.extend_from_slice(b",\"description\":");
            serde_json::to_writer(&mut *out, &part.description)?;
            write!(out, ",\"from\":\"{from}\",\"to\":\"{to}\",\"counts\":[")?;
        }
        At::Count(field, i) => {
            if i > all.fields[field].rows.start {
                out.push(b',');
            }
            let row: CountText<'_> = all.text(&all.rows[i]);
            serde_json::to_writer(&mut *out, &row)?;
        }
        At::FieldClose(field) => {
            out.extend_from_slice(b"],\"numbers\":");
            serde_json::to_writer(&mut *out, &all.fields[field].numbers)?;
            k(out)?;
            out.push(b'}');
        }
        At::Tail => {
            out.push(b']');
            k(out)?;
            out.push(b'}');
        }
        At::Done => {}
    }
    Ok(())
}
