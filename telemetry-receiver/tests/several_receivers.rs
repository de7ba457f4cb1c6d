//! Three receivers on one PostgreSQL database, in one process: started at
//! the same moment on a fresh database, sent the same reports at once,
//! then taken across midnight (a shared test clock) under load.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{count_in, post_text, report, Database, Running};
use telemetry_receiver::clock::ManualClock;
use telemetry_receiver::store::postgres::PostgresStore;

/// Three receivers on `url`, their stores connected all at once, each
/// with one group-commit writer (as the README advises for several
/// receivers on one database).
fn three_receivers(url: &str, clock: &ManualClock) -> Vec<Running<PostgresStore>> {
    let runtime = common::runtime();
    let stores = runtime.block_on(async {
        let (a, b, c) = tokio::join!(
            PostgresStore::connect(url),
            PostgresStore::connect(url),
            PostgresStore::connect(url)
        );
        [a, b, c]
    });
    drop(runtime);
    stores
        .into_iter()
        .map(|store| {
            let store = store.unwrap_or_else(|err| panic!("a receiver did not come up: {err}"));
            let database = Database::Postgres(url.to_owned());
            common::serve_with(
                common::runtime(),
                database,
                || store,
                clock.clone(),
                common::schemas(),
            )
        })
        .collect()
}

#[test]
fn three_receivers_on_one_database_store_each_report_once_through_midnight() {
    let Some(url) = common::postgres_database("three") else {
        return;
    };
    let clock = ManualClock::at(common::NOON);
    let receivers = three_receivers(&url, &clock);
    let bases: Vec<String> = receivers.iter().map(|r| r.base.clone()).collect();
    let database = Database::Postgres(url.clone());

    // The same 150 reports to all three at once: one thread per receiver,
    // each sending the same nonces in the same order.
    let nonces = 150;
    let statuses: Vec<Vec<u16>> = bases
        .iter()
        .map(|base| {
            let base = base.clone();
            thread::spawn(move || {
                (0..nonces)
                    .map(|i| post_text(&base, &report(&format!("same-{i}")).to_string()).0)
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|sender| sender.join().unwrap())
        .collect();
    for statuses in &statuses {
        assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    }
    let raw = count_in(&database, "SELECT COUNT(*) FROM raw_reports");
    assert_eq!(raw, nonces);
    assert_eq!(
        count_in(
            &database,
            "SELECT COUNT(*) FROM (SELECT session_key FROM raw_reports GROUP BY session_key HAVING COUNT(*) > 1) t"
        ),
        0,
        "a nonce stored twice"
    );
    for total in [
        "SELECT SUM(sessions) FROM agg_sessions",
        "SELECT SUM(count) FROM agg_counts WHERE field = 'tier'",
        "SELECT SUM(count) FROM agg_numbers WHERE field = 'cluster_count'",
    ] {
        assert_eq!(count_in(&database, total), raw, "{total}");
    }

    // Under load from six senders spread over the three, the clock moves
    // to the next day: its partition is made by whichever receivers get
    // there first, at the same moment, and nobody answers 503.
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let senders: Vec<_> = (0..6)
        .map(|sender| {
            let (bases, stop, answers) = (bases.clone(), Arc::clone(&stop), Arc::clone(&answers));
            thread::spawn(move || {
                for i in 0..3_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let base = &bases[(sender + i) % bases.len()];
                    let status =
                        post_text(base, &report(&format!("load-{sender}-{i}")).to_string()).0;
                    answers.lock().unwrap().push(status);
                }
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(400));
    clock.advance_days(1);
    thread::sleep(Duration::from_millis(600));
    stop.store(true, Ordering::SeqCst);
    for sender in senders {
        sender.join().unwrap();
    }
    let answers = answers.lock().unwrap().clone();
    assert!(
        answers.len() > 30,
        "the load was too light to mean anything"
    );
    assert!(
        answers.iter().all(|s| *s == 202),
        "not all 202: {answers:?}"
    );
    let next_day = count_in(&database, "SELECT COUNT(*) FROM raw_reports_20261126");
    assert!(next_day > 0, "no report in the next day's partition");
    assert_eq!(
        count_in(
            &database,
            "SELECT SUM(sessions) FROM agg_sessions WHERE day = '2026-11-26'"
        ),
        next_day
    );
    assert_eq!(
        count_in(&database, "SELECT COUNT(*) FROM raw_reports"),
        raw + answers.len() as i64
    );

    // The maintenance job makes the coming days' partitions ahead.
    receivers[0].maintain();
    for partition in ["raw_reports_20261127", "raw_reports_20261128"] {
        let exists = count_in(
            &database,
            &format!("SELECT COUNT(*) FROM pg_class WHERE relname = '{partition}'"),
        );
        assert_eq!(exists, 1, "{partition}");
    }
}
