//! The page is read without the per-day rows (each value's count per day,
//! summed by `read_page`), yet draws exactly what the per-day rows draw:
//! the same HTML, byte for byte. The exports of every field, read
//! compactly and written as they are sent, are the bytes the per-day rows
//! give. In the full view and the public one, on both engines, for both
//! schemas, in several windows, with some counts spread over several
//! shards.

mod common;
mod dashboard_support;
#[path = "generated/mod.rs"]
mod generated;

use telemetry_receiver::dashboard::stream::{self, Format};
use telemetry_receiver::dashboard::{self, all_fields, export, PageData, Window};
use telemetry_receiver::store::Store;

use dashboard_support::Served;

const K: u32 = 10;

/// Moves one count of every seventh stored row to shard 5, as a second
/// writer would have: every read must sum the shards.
const SPREAD: &str = "INSERT INTO agg_counts (day, schema_version, field, kind, key, shard, count) \
     SELECT day, schema_version, field, kind, key, 5, 1 FROM agg_counts WHERE count > 1 AND length(key) % 7 = 3";
const TAKE: &str =
    "UPDATE agg_counts SET count = count - 1 WHERE shard = 0 AND count > 1 AND length(key) % 7 = 3";

/// The export of every field as the server streams it.
fn streamed<S: Store>(
    served: &Served<S>,
    window: Window,
    k: Option<u32>,
    format: Format,
) -> String {
    let receiver = &served.running.receiver;
    let all = served
        .running
        .block_on(all_fields::read_all(receiver, window, k))
        .unwrap();
    let bytes: Vec<u8> = stream::chunks(all, format)
        .flat_map(|chunk| chunk.unwrap())
        .collect();
    String::from_utf8(bytes).unwrap()
}

fn reads_agree<S: Store>(name: &str, served: &Served<S>) {
    let receiver = &served.running.receiver;
    let today = receiver.clock.today();
    let windows = [
        Window::last(7, today),
        Window::last(30, today),
        Window::last(365, today),
        Window::parse(
            &dashboard::WindowQuery {
                window: None,
                from: Some("2026-03-01".to_owned()),
                to: Some("2026-05-31".to_owned()),
            },
            today,
        )
        .unwrap(),
    ];
    for window in windows {
        let rows = served
            .running
            .block_on(dashboard::read(receiver, window, None))
            .unwrap();
        let page = served
            .running
            .block_on(dashboard::read_page(receiver, window))
            .unwrap();
        assert_eq!(
            dashboard::render(&page),
            dashboard::render(&PageData::from(&rows)),
            "{name} {}: the full page",
            window.label()
        );
        let public = dashboard::k_anonymous_page(page, K);
        let public_rows = dashboard::k_anonymous(rows.clone(), K);
        assert_eq!(
            dashboard::render(&public),
            dashboard::render(&PageData::from(&public_rows)),
            "{name} {}: the public page",
            window.label()
        );
        for (k, rows) in [(None, &rows), (Some(K), &public_rows)] {
            let what = format!("{name} {} k={k:?}", window.label());
            let json = serde_json::to_string(&export::json(rows)).unwrap();
            assert_eq!(
                streamed(served, window, k, Format::Json),
                json,
                "{what}: JSON"
            );
            let csv = export::csv(rows).unwrap();
            assert_eq!(streamed(served, window, k, Format::Csv), csv, "{what}: CSV");
        }
    }
}

#[test]
fn the_page_and_export_reads_give_what_the_per_day_rows_give() {
    let today = time::OffsetDateTime::from_unix_timestamp(common::NOON)
        .unwrap()
        .date();
    for (name, file) in [
        ("demo", dashboard_support::DEMO),
        ("nested", dashboard_support::NESTED),
    ] {
        let schema = dashboard_support::annotated(file, 90);
        // Few sessions a day: many values below k on some days, not others.
        let data = generated::generate(&schema, today, 400, 60);
        let served = dashboard_support::sqlite(&format!("reads-{name}"), &schema, K, |path| {
            generated::write_sqlite(path, &data);
            let connection = rusqlite::Connection::open(path).unwrap();
            connection
                .execute_batch(&format!("{SPREAD}; {TAKE};"))
                .unwrap();
        });
        reads_agree(&format!("SQLite {name}"), &served);
        drop(served);
        let served =
            dashboard_support::postgres(&format!("reads_{name}"), &schema, K, |runtime, url| {
                runtime.block_on(async {
                    generated::write_postgres(url, &data).await;
                    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                        .await
                        .unwrap();
                    tokio::spawn(connection);
                    client
                        .batch_execute(&format!("{SPREAD}; {TAKE};"))
                        .await
                        .unwrap();
                })
            });
        if let Some(served) = served {
            reads_agree(&format!("PostgreSQL {name}"), &served);
        }
    }
}
