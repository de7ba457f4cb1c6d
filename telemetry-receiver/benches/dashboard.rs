//! How long the dashboard and each export take for a 365-day window over
//! 400 days of generated aggregates, on SQLite and on PostgreSQL, for the
//! demo's schema and the nested example's. A benchmark, not a test:
//! `cargo bench -p telemetry-receiver --bench dashboard [-- --sessions 1000 --runs 20 [--phases]]`
//! (`--phases`: only the in-process steps: store reads, filter, page, exports).
//! Each figure is the time from request to the last byte over loopback,
//! so it bounds the server's time from above. Results go in
//! docs/performance.md.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/dashboard_support/mod.rs"]
mod dashboard_support;
#[path = "../tests/generated/mod.rs"]
mod generated;

use std::time::{Duration, Instant};

use telemetry_receiver::store::Store;

use dashboard_support::{get, Served};

/// The median and the slowest of `runs` GETs of `url`, and the body size.
fn time(url: &str, runs: usize) -> (Duration, Duration, usize) {
    let (status, body) = get(url); // warm-up: caches, prepared statements
    assert_eq!(status, 200, "{url}: {body}");
    let mut took: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let (status, _) = get(url);
            assert_eq!(status, 200);
            started.elapsed()
        })
        .collect();
    took.sort();
    (took[runs / 2], took[runs - 1], body.len())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Where the time of a page of every field goes, in the server's process:
/// the store's reads, the public filter, the page, each export of every
/// field (public view), and the read of every per-day row the page and
/// exports were drawn from before.
fn phases<S: Store>(engine: &str, schema: &str, served: &Served<S>, runs: usize) {
    use telemetry_receiver::dashboard::{self, all_fields, stream, Window};
    let receiver = &served.running.receiver;
    let window = Window::last(365, receiver.clock.today());
    let median = |mut took: Vec<Duration>| {
        took.sort();
        took[took.len() / 2]
    };
    let timed = |work: &mut dyn FnMut()| {
        median(
            (0..runs)
                .map(|_| {
                    let started = Instant::now();
                    work();
                    started.elapsed()
                })
                .collect(),
        )
    };
    let read = || {
        served
            .running
            .block_on(dashboard::read(receiver, window, None))
            .unwrap()
    };
    let read_page = || {
        served
            .running
            .block_on(dashboard::read_page(receiver, window))
            .unwrap()
    };
    let read_all = || {
        served
            .running
            .block_on(all_fields::read_all(receiver, window, Some(10)))
            .unwrap()
    };
    let write = |format| {
        for chunk in stream::chunks(read_all(), format) {
            drop(chunk.unwrap());
        }
    };
    // The first read after a start or a fold: a fold of nothing changes
    // the store's generation, so the past days are read from the store.
    let forget = || {
        served
            .running
            .block_on(receiver.store.fold(Vec::new()))
            .unwrap()
    };
    let cold = |work: &mut dyn FnMut()| {
        median(
            (0..runs)
                .map(|_| {
                    forget();
                    let started = Instant::now();
                    work();
                    started.elapsed()
                })
                .collect(),
        )
    };
    let page = read_page();
    let public_page = dashboard::k_anonymous_page(page.clone(), 10);
    let rows: usize = read().fields.iter().map(|f| f.counts.len()).sum();
    let steps: [(&str, Duration); 9] = [
        (
            "read of every per-day row (as before)",
            timed(&mut || drop(read())),
        ),
        (
            "page: read, past days from the store (after a fold)",
            cold(&mut || drop(read_page())),
        ),
        (
            "exports: read, past days from the store (after a fold)",
            cold(&mut || drop(read_all())),
        ),
        (
            "page: read (past days kept)",
            timed(&mut || drop(read_page())),
        ),
        (
            "page: public filter",
            timed(&mut || drop(dashboard::k_anonymous_page(page.clone(), 10))),
        ),
        (
            "page: views, SVG, HTML",
            timed(&mut || drop(dashboard::render(&public_page))),
        ),
        (
            "exports: read (past days kept), public filter",
            timed(&mut || drop(read_all())),
        ),
        (
            "exports: read and CSV",
            timed(&mut || write(stream::Format::Csv)),
        ),
        (
            "exports: read and JSON",
            timed(&mut || write(stream::Format::Json)),
        ),
    ];
    for (step, took) in steps {
        println!(
            "| {engine} | {schema} | in process, {rows} count rows | {step} | {} | | |",
            ms(took)
        );
    }
}

fn report<S: Store>(engine: &str, schema: &str, served: &Served<S>, runs: usize) {
    phases(engine, schema, served, runs);
    let fields = served.field_names();
    for (base, view) in [(&served.running.base, "full"), (&served.public, "public")] {
        let mut rows = vec![
            ("dashboard", format!("{base}/?window=365")),
            (
                "export.csv, all fields",
                format!("{base}/v1/export.csv?window=365"),
            ),
            (
                "export.json, all fields",
                format!("{base}/v1/export.json?window=365"),
            ),
        ];
        for endpoint in ["export.csv", "export.json", "aggregates"] {
            // The slowest field stands for all.
            let slowest = fields
                .iter()
                .map(|field| {
                    let url = format!("{base}/v1/{endpoint}?window=365&field={field}");
                    (time(&url, 3).0, url)
                })
                .max()
                .map(|(_, url)| url)
                .unwrap_or_default();
            let label = match endpoint {
                "export.csv" => "export.csv, slowest field",
                "export.json" => "export.json, slowest field",
                _ => "aggregates, slowest field",
            };
            rows.push((label, slowest));
        }
        for (what, url) in rows {
            let (p50, max, bytes) = time(&url, runs);
            println!(
                "| {engine} | {schema} | {view} | {what} | {} | {} | {} KiB |",
                ms(p50),
                ms(max),
                bytes / 1024
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(default)
    };
    let (sessions, runs) = (flag("--sessions", 1000), flag("--runs", 20));
    // Only the in-process steps, no HTTP: quicker, to see where time goes.
    let only_phases = args.iter().any(|a| a == "--phases");

    let today = time::OffsetDateTime::from_unix_timestamp(common::NOON)
        .unwrap()
        .date();
    println!("400 days, about {sessions} sessions a day, {runs} runs each, 365-day window");
    println!("| engine | schema | view | answer | median | slowest | size |");
    println!("|---|---|---|---|---|---|---|");
    for (name, file) in [
        ("demo", dashboard_support::DEMO),
        ("nested", dashboard_support::NESTED),
    ] {
        let schema = dashboard_support::annotated(file, 90);
        let data = generated::generate(&schema, today, 400, sessions);
        let served = dashboard_support::sqlite(&format!("bench-{name}"), &schema, 10, |path| {
            generated::write_sqlite(path, &data)
        });
        if only_phases {
            phases("SQLite", name, &served, runs);
        } else {
            report("SQLite", name, &served, runs);
        }
        drop(served);
        let pg =
            dashboard_support::postgres(&format!("bench_{name}"), &schema, 10, |runtime, url| {
                runtime.block_on(generated::write_postgres(url, &data))
            });
        match pg {
            Some(served) if only_phases => phases("PostgreSQL", name, &served, runs),
            Some(served) => report("PostgreSQL", name, &served, runs),
            None => println!("(PostgreSQL skipped: no server at {})", common::POSTGRES),
        }
    }
}
