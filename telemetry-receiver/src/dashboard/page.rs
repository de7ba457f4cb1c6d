//! The page's HTML, drawn from the views alone: for each field its
//! why-text as the caption, a table, a chart, and links to its exports;
//! links to the other windows at the top. No script: forms and links do
//! everything.

use std::fmt::Write;

use super::charts::{self, Scale};
use super::summary::PageData;
use super::views::{self, Body, Share, View};
use super::window::PRESETS;

const STYLE: &str = "body{font-family:sans-serif;margin:2em;color:#222;max-width:60em}\
    section{margin:0 0 2.5em}h2{font-size:1.1em;margin-bottom:.2em}\
    .why{font-style:italic;margin:.2em 0 .6em}table{border-collapse:collapse;margin:.5em 0}\
    td,th{padding:.15em .8em;border-bottom:1px solid #ddd;text-align:left}\
    td.n{text-align:right;font-variant-numeric:tabular-nums}nav a{margin-right:.8em}\
    nav a[aria-current]{font-weight:bold;color:#000;text-decoration:none}.links{font-size:.9em}.note{font-size:.9em;color:#555}";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `field=<path>`, encoded for a query string.
fn field_query(path: &str) -> String {
    serde_urlencoded::to_string([("field", path)]).unwrap_or_default()
}

/// A count as the page prints it: a whole number.
fn integer(n: i64) -> String {
    n.to_string()
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A measured number: whole when it is one or large, else 2 decimals.
fn number(value: f64) -> String {
    if value.fract() == 0.0 || value.abs() >= 100.0 {
        format!("{}", value.round() as i64)
    } else {
        format!("{value:.2}")
    }
}

/// The page.
pub fn render(data: &PageData) -> String {
    let window = &data.window;
    let (sessions, views) = views::views(data);
    let mut html = String::new();
    let title = escape(&data.title);
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"icon\" href=\"data:,\"><style>{STYLE}</style></head><body><h1>{title}</h1>\
         <p>{sessions_total} sessions in {label} (UTC days). Raw reports are kept {days} days; \
         these per-day aggregates are kept.</p>",
        sessions_total = integer(sessions.total),
        label = escape(&window.label()),
        days = data.raw_retention_days,
    );
    if let Some(k) = data.public_k {
        let _ = write!(
            html,
            "<p class=\"note\">Public view: a value that fewer than {k} sessions sent on any \
             one day of the window is shown only inside <code>(other)</code>, in every table, \
             chart and export; the smallest and largest numbers are left out.</p>"
        );
    }
    html.push_str("<nav>Window: ");
    for days in PRESETS {
        let current = window.last_days == Some(days);
        let _ = write!(
            html,
            "<a href=\"?window={days}\"{}>{days} days</a>",
            if current {
                " aria-current=\"page\""
            } else {
                ""
            }
        );
    }
    let _ = write!(
        html,
        "</nav><form method=\"get\" action=\"\"><label>From <input type=\"date\" name=\"from\" \
         value=\"{from}\"></label> <label>to <input type=\"date\" name=\"to\" value=\"{to}\">\
         </label> <button type=\"submit\">Show</button></form>\
         <p class=\"links\">All fields of this window: <a href=\"/v1/export.csv?{q}\">CSV</a> \
         <a href=\"/v1/export.json?{q}\">JSON</a></p>",
        from = window.from,
        to = window.to,
        q = escape(&window.query()),
    );

    html.push_str(
        "<section id=\"schema_version\"><h2><code>schema_version</code></h2>\
        <p class=\"why\">Sessions per day, by the version of the report they sent.</p>",
    );
    table(
        &mut html,
        &["version", "sessions", "share"],
        &sessions.table,
    );
    html.push_str(&charts::lines(
        &sessions.per_day,
        window.from,
        window.days() as usize,
        Scale::Count,
    ));
    let _ = write!(
        html,
        "<p class=\"links\"><a href=\"/v1/sessions?{}\">JSON</a></p></section>",
        escape(&window.query())
    );
    for view in &views {
        field_view(&mut html, data, view);
    }
    html.push_str("</body></html>");
    html
}

fn table(html: &mut String, headers: &[&str; 3], rows: &[Share]) {
    if rows.is_empty() {
        html.push_str("<p class=\"note\">Nothing in this window.</p>");
        return;
    }
    html.push_str("<table><thead><tr>");
    for header in headers {
        let _ = write!(html, "<th>{header}</th>");
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        let _ = write!(
            html,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&row.key),
            integer(row.count),
            percent(row.share)
        );
    }
    html.push_str("</tbody></table>");
}

fn field_view(html: &mut String, data: &PageData, view: &View) {
    let window = &data.window;
    let _ = write!(
        html,
        "<section id=\"{id}\"><h2><code>{path}</code> <small>({kind})</small></h2>",
        id = escape(&view.path),
        path = escape(&view.path),
        kind = view.kind.name(),
    );
    if let Some(why) = &view.description {
        let _ = write!(html, "<p class=\"why\">{}</p>", escape(why));
    }
    let days = window.days() as usize;
    // Inside a list of records a report counts once per record, so the
    // counts are of records, their share per session (it can pass 100%).
    let in_list = view.path.contains("[]");
    let values = if in_list {
        ["value", "records", "per session"]
    } else {
        ["value", "sessions", "share of sessions"]
    };
    match &view.body {
        Body::Values {
            table: rows,
            over_time,
        } => {
            table(html, &values, rows);
            if !over_time.is_empty() {
                html.push_str(if in_list {
                    "<p class=\"note\">Records per session, each day:</p>"
                } else {
                    "<p class=\"note\">Share of each day's sessions:</p>"
                });
                html.push_str(&charts::lines(over_time, window.from, days, Scale::Share));
            }
        }
        Body::Elements { table: rows } => {
            table(html, &["element", "sessions", "share of sessions"], rows)
        }
        Body::Sums { table: rows } => table(html, &["key", "sum", "share of the total"], rows),
        Body::Boolean {
            table: rows,
            true_share,
        } => {
            table(html, &values, rows);
            if !true_share.is_empty() {
                html.push_str(
                    "<p class=\"note\">Share of <code>true</code> among the day's answers:</p>",
                );
                html.push_str(&charts::lines(true_share, window.from, days, Scale::Share));
            }
        }
        Body::Numbers {
            buckets,
            percentiles,
            count,
            mean,
            min,
            max,
            folded,
        } => {
            let _ = write!(html, "<p>{} values", integer(*count));
            if let Some(mean) = mean {
                let _ = write!(html, "; mean {}", number(*mean));
            }
            for (p, estimate) in percentiles {
                let _ = write!(
                    html,
                    "; p{} ≈ {}",
                    (p * 100.0).round() as i64,
                    number(*estimate)
                );
            }
            if let (Some(min), Some(max)) = (min, max) {
                let _ = write!(html, "; min {}, max {}", number(*min), number(*max));
            }
            html.push_str(".</p>");
            if !buckets.is_empty() {
                html.push_str(&charts::bars(buckets));
            }
            html.push_str(
                "<p class=\"note\">The percentiles are estimated from the log2 buckets: the \
                 bucket holding the p-th percent of values is found from the cumulative counts, \
                 and the value is interpolated linearly inside it, so each estimate is within \
                 its bucket, a factor of 2.",
            );
            if *folded > 0 {
                let _ = write!(
                    html,
                    " {} values in buckets too rare to show are left out of them.",
                    integer(*folded)
                );
            }
            html.push_str("</p>");
        }
    }
    let q = escape(&format!("{}&{}", window.query(), field_query(&view.path)));
    let _ = write!(
        html,
        "<p class=\"links\">Export: <a href=\"/v1/export.csv?{q}\">CSV</a> \
         <a href=\"/v1/export.json?{q}\">JSON</a> · <a href=\"/v1/aggregates?{q}\">API</a></p>\
         </section>"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_day;
    use crate::dashboard::data::{FieldData, WindowData};
    use crate::dashboard::Window;
    use crate::schema::FieldKind;
    use crate::store::{CountRow, SessionRow};

    #[test]
    fn a_view_is_captioned_escaped_and_counts_whole_numbers() {
        let day = "2026-11-30".to_owned();
        let data = WindowData {
            title: "Reports <of> A & B".to_owned(),
            window: Window::last(7, parse_day(&day).unwrap()),
            raw_retention_days: 30,
            public_k: Some(10),
            sessions: vec![SessionRow {
                day: day.clone(),
                schema_version: "1.0".to_owned(),
                sessions: 3000,
            }],
            fields: vec![FieldData {
                path: "os".to_owned(),
                kind: FieldKind::Value { free_form: true },
                description: Some("which OSes to <build> for".to_owned()),
                counts: vec![CountRow {
                    day,
                    schema_version: "1.0".to_owned(),
                    kind: "value".to_owned(),
                    key: "linux \"x\"".to_owned(),
                    count: 3000,
                }],
                numbers: Vec::new(),
            }],
        };
        let html = render(&PageData::from(&data));
        assert!(
            html.contains("<title>Reports &lt;of&gt; A &amp; B</title>"),
            "{html}"
        );
        assert!(html.contains("<p class=\"why\">which OSes to &lt;build&gt; for</p>"));
        assert!(html.contains("<code>linux &quot;x&quot;</code></td><td class=\"n\">3000</td>"));
        assert!(
            html.contains("100.0%") && !html.contains("3000.0"),
            "{html}"
        );
        assert!(html.contains("Raw reports are kept 30 days"));
        assert!(html.contains("fewer than 10 sessions"));
        assert!(html.contains("<a href=\"?window=7\" aria-current=\"page\">"));
        assert!(html.contains("/v1/export.csv?window=7&amp;field=os"));
    }
}
