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
use telemetry_receiver::dashboard::{self, all_fields, export, PageData, Window, WindowData};
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
    // Twice: the second time, the past days come from what the first kept
    // (and the 365 days' the first time, from what the shorter ones kept).
    for window in windows.into_iter().chain(windows) {
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
                    let client = common::postgres_client(url).await.unwrap();
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

/// The page of `window` as the receiver reads it (past days kept or
/// not), as the per-day rows draw it, and those rows.
fn drawn<S: Store>(served: &Served<S>, window: Window) -> (String, String, WindowData) {
    let receiver = &served.running.receiver;
    let page = served
        .running
        .block_on(dashboard::read_page(receiver, window))
        .unwrap();
    let rows = served
        .running
        .block_on(dashboard::read(receiver, window, None))
        .unwrap();
    let expected = dashboard::render(&PageData::from(&rows));
    (dashboard::render(&page), expected, rows)
}

/// What the dashboard keeps of past days is read again once another
/// receiver's maintenance has folded one of them (a second store on the
/// same database, as a second receiver has), and today's counts are read
/// from the store each time.
fn a_fold_elsewhere_is_read<S: Store, O: Store>(name: &str, served: &Served<S>, other: O) {
    let receiver = &served.running.receiver;
    let window = Window::last(365, receiver.clock.today());
    let read = || drawn(served, window);
    let (kept, expected, rows) = read();
    assert_eq!(kept, expected, "{name}: before the fold");
    // A value of a day well past, folded into `(other)` by the other store.
    let ten_days_ago = (receiver.clock.today() - time::Duration::days(10)).to_string();
    let (field, row) = rows
        .fields
        .iter()
        .find_map(|field| {
            let row = field.counts.iter().find(|row| {
                row.day == ten_days_ago && row.kind == "value" && row.key != "(other)"
            })?;
            Some((field.path.clone(), row.clone()))
        })
        .expect("a value ten days ago");
    served
        .running
        .block_on(other.fold(vec![telemetry_receiver::store::Fold {
            day: row.day.clone(),
            schema_version: row.schema_version.clone(),
            field: field.clone(),
            kind: row.kind.clone(),
            keys: vec![row.key.clone()],
            total: row.count,
        }]))
        .unwrap();
    let (after, expected, rows) = read();
    assert_eq!(after, expected, "{name}: after the fold");
    assert_ne!(after, kept, "{name}: the fold shows");
    let folded = rows.fields.iter().find(|f| f.path == field).unwrap();
    assert!(
        !folded.counts.iter().any(|r| r.day == row.day
            && r.key == row.key
            && r.schema_version == row.schema_version),
        "{name}: {field} {} left the day",
        row.key
    );
}

#[test]
fn what_the_dashboard_keeps_of_past_days_follows_a_fold_by_another_receiver() {
    let today = time::OffsetDateTime::from_unix_timestamp(common::NOON)
        .unwrap()
        .date();
    let schema = dashboard_support::annotated(dashboard_support::DEMO, 90);
    let data = generated::generate(&schema, today, 40, 60);
    let served = dashboard_support::sqlite("kept-fold", &schema, K, |path| {
        generated::write_sqlite(path, &data);
    });
    let common::Database::Sqlite(path) = &served.running.database else {
        unreachable!()
    };
    let other = telemetry_receiver::store::sqlite::SqliteStore::open(path).unwrap();
    a_fold_elsewhere_is_read("SQLite", &served, other);
    drop(served);
    let served = dashboard_support::postgres("kept_fold", &schema, K, |runtime, url| {
        runtime.block_on(generated::write_postgres(url, &data))
    });
    if let Some(served) = served {
        let common::Database::Postgres(url) = &served.running.database else {
            unreachable!()
        };
        let other = served
            .running
            .block_on(telemetry_receiver::store::postgres::PostgresStore::connect(
                url,
            ))
            .unwrap();
        a_fold_elsewhere_is_read("PostgreSQL", &served, other);
    }
}

/// Past the bound on rows kept, the page is still what the store has:
/// what is kept is replaced by what the read asks for, or, if that alone
/// is past the bound, the read goes to the store and nothing is kept.
#[test]
fn what_is_kept_of_past_days_stays_within_its_bound() {
    let today = time::OffsetDateTime::from_unix_timestamp(common::NOON)
        .unwrap()
        .date();
    let schema = dashboard_support::annotated(dashboard_support::DEMO, 90);
    let data = generated::generate(&schema, today, 120, 60);
    let served = dashboard_support::sqlite("kept-bound", &schema, K, |path| {
        generated::write_sqlite(path, &data);
    });
    let receiver = &served.running.receiver;
    let page = |window: Window| {
        let (kept, expected, _) = drawn(&served, window);
        assert_eq!(kept, expected, "{}", window.label());
        served.running.block_on(receiver.past_days.kept_rows())
    };
    let last = |days: i64| Window::last(days, today);
    let thirty = page(last(30));
    assert!(thirty > 0, "thirty days are kept");
    // Room for the thirty days and a bit: ninety days do not fit, ten
    // days are within what is kept.
    let bound = thirty + thirty / 2;
    receiver.past_days.set_max_rows(bound);
    assert_eq!(
        page(last(10)),
        thirty,
        "ten days of the thirty: nothing read"
    );
    assert_eq!(page(last(90)), 0, "ninety days: from the store, none kept");
    let forty = page(last(40));
    assert!(forty > thirty && forty <= bound, "{forty}");
    // Older days that do not fit beside the forty replace them.
    let days_ago = |n: i64| Some((today - time::Duration::days(n)).to_string());
    let query = dashboard::WindowQuery {
        window: None,
        from: days_ago(79),
        to: days_ago(50),
    };
    let older = page(Window::parse(&query, today).unwrap());
    assert!(older > 0 && older < forty, "{older}");
}
