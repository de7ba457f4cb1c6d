//! Group commit: a failure in the middle of a batch answers 503 to every
//! report of that batch and stores none of them; every 202 is stored
//! exactly once, as a restarted receiver finds.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use common::relay::Relay;
use common::{count_in, execute, post_text, report, Database, Running};
use telemetry_receiver::aggregate::{Observation, VALUE};
use telemetry_receiver::store::postgres::PostgresStore;
use telemetry_receiver::store::{Ingest, Outcome, Store};

/// Where a poisoned report makes its batch fail.
#[derive(Clone, Copy, Debug)]
enum Poison {
    /// Its raw insert, the batch's first statement.
    RawInsert,
    /// What it adds to the aggregates, the batch's last statements (sent
    /// with the batch's `COMMIT` on PostgreSQL): on SQLite its number
    /// statistics, on PostgreSQL the batch's pending row.
    Aggregate,
}

/// The `cluster_count` of a poisoned report, which the aggregate trigger
/// refuses (no other report has it).
const POISONED_COUNT: i64 = 424_242;
/// The `kubeatlas_version` of a poisoned report: what the trigger on
/// PostgreSQL's pending rows looks for (their numbers are not spelled out).
const POISONED_VERSION: &str = "0.424242.0";

/// A trigger that fails whatever batch a poisoned report joins: its raw
/// insert (nonces starting with `poison`) or the write of its aggregates
/// (a `cluster_count` of [`POISONED_COUNT`] in SQLite's number
/// statistics, [`POISONED_VERSION`] in PostgreSQL's pending row).
fn poison_trigger(database: &Database, poison: Poison) {
    let (table, when) = match (poison, database) {
        (Poison::RawInsert, _) => ("raw_reports", "NEW.session_key LIKE 'poison%'".to_owned()),
        (Poison::Aggregate, Database::Sqlite(_)) => {
            ("agg_numbers", format!("NEW.max >= {POISONED_COUNT}"))
        }
        (Poison::Aggregate, Database::Postgres(_)) => (
            "agg_pending",
            format!("NEW.totals LIKE '%{POISONED_VERSION}%'"),
        ),
    };
    let sql = match database {
        Database::Sqlite(_) => ["INSERT", "UPDATE"]
            .map(|event| {
                format!(
                    "CREATE TRIGGER poison_{event} BEFORE {event} ON {table} \
                     WHEN {when} BEGIN SELECT RAISE(ABORT, 'injected'); END;"
                )
            })
            .join(" "),
        Database::Postgres(_) => format!(
            "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF {when} THEN RAISE EXCEPTION 'injected'; END IF; \
             RETURN NEW; END $$; \
             CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION refuse_poison();"
        ),
    };
    execute(database, &sql);
}

fn stored(database: &Database, nonce: &str) -> i64 {
    count_in(
        database,
        &format!("SELECT COUNT(*) FROM raw_reports WHERE session_key = '{nonce}'"),
    )
}

fn failure_mid_batch(running: Running<impl Store>, poison: Poison) {
    poison_trigger(&running.database, poison);
    let senders = 32;
    let mut answers = Vec::new();
    // Rounds of 32 reports sent at the same instant, 4 of them poisoned:
    // they queue together, so batches hold several reports.
    for round in 0..5 {
        let barrier = Arc::new(Barrier::new(senders));
        let threads: Vec<_> = (0..senders)
            .map(|sender| {
                let (base, barrier) = (running.base.clone(), Arc::clone(&barrier));
                thread::spawn(move || {
                    let kind = if sender % 8 == 0 { "poison" } else { "fine" };
                    let nonce = format!("{kind}-{round}-{sender}");
                    let mut body = report(&nonce);
                    if kind == "poison" {
                        body["cluster_count"] = POISONED_COUNT.into();
                        body["kubeatlas_version"] = POISONED_VERSION.into();
                    }
                    let body = body.to_string();
                    barrier.wait();
                    (nonce, post_text(&base, &body).0)
                })
            })
            .collect();
        answers.extend(threads.into_iter().map(|t| t.join().unwrap()));
    }
    let database = &running.database;
    let mut innocent_refused = 0;
    for (nonce, status) in &answers {
        match status {
            202 => assert_eq!(stored(database, nonce), 1, "{nonce}"),
            503 => {
                assert_eq!(stored(database, nonce), 0, "{nonce}: refused yet stored");
                innocent_refused += usize::from(nonce.starts_with("fine"));
            }
            other => panic!("{nonce}: {other}"),
        }
        if nonce.starts_with("poison") {
            assert_eq!(*status, 503, "{nonce}");
        }
    }
    assert!(
        innocent_refused > 0,
        "no batch held a poisoned report with others: {answers:?}"
    );
    let raw = count_in(database, "SELECT COUNT(*) FROM raw_reports");
    assert_eq!(
        count_in(database, "SELECT SUM(sessions) FROM agg_sessions"),
        raw
    );
    // The failed transactions left nothing open: the next report is stored.
    assert_eq!(running.post(&report("after")).0, 202, "{poison:?}");
    assert_eq!(stored(database, "after"), 1);
    eprintln!(
        "{poison:?}: {} reports, {innocent_refused} refused with a poisoned batch",
        answers.len()
    );
}

fn failure_in_raw_insert(running: Running<impl Store>) {
    failure_mid_batch(running, Poison::RawInsert);
}

fn failure_in_aggregates(running: Running<impl Store>) {
    failure_mid_batch(running, Poison::Aggregate);
}

#[test]
fn a_failure_mid_batch_refuses_the_whole_batch_and_stores_none_of_it() {
    on_both_engines!("mid_batch", failure_in_raw_insert);
}

#[test]
fn a_failure_in_a_batch_s_aggregates_refuses_the_whole_batch() {
    on_both_engines!("mid_batch_aggregates", failure_in_aggregates);
}

/// One batch holding a session twice, and a session an earlier batch
/// stored: the first copy is stored, the others are duplicates, and the
/// aggregates count each session once.
fn copies_in_one_batch(running: Running<impl Store>) {
    let ingest = |nonce: &str| Ingest {
        day: running.receiver.clock.today(),
        version: "1.0".to_owned(),
        session_key: nonce.to_owned(),
        body: "{}".to_owned(),
        observations: vec![
            Observation::Count {
                field: "tier".to_owned(),
                kind: VALUE,
                key: "memory".to_owned(),
                amount: 1,
            },
            Observation::Capped {
                field: "os".to_owned(),
                kind: VALUE,
                key: format!("os-of-{nonce}"),
                amount: 1,
            },
            Observation::Number {
                field: "cluster_count".to_owned(),
                value: 2.0,
            },
        ],
    };
    let store = &running.receiver.store;
    let earlier = running
        .block_on(store.ingest_batch(vec![ingest("a")]))
        .unwrap();
    assert_eq!(earlier.outcomes, [Outcome::Stored]);
    let batch = vec![ingest("b"), ingest("a"), ingest("b"), ingest("c")];
    let stored = running.block_on(store.ingest_batch(batch)).unwrap();
    use Outcome::{Duplicate, Stored};
    assert_eq!(stored.outcomes, [Stored, Duplicate, Duplicate, Stored]);
    let sum = |sql: &str| count_in(&running.database, sql);
    assert_eq!(sum("SELECT COUNT(*) FROM raw_reports"), 3);
    assert_eq!(sum("SELECT SUM(sessions) FROM agg_sessions"), 3);
    assert_eq!(
        sum("SELECT SUM(count) FROM agg_counts WHERE field = 'tier' AND key = 'memory'"),
        3
    );
    assert_eq!(
        sum("SELECT COUNT(DISTINCT key) FROM agg_counts WHERE field = 'os'"),
        3
    );
    assert_eq!(
        sum("SELECT CAST(SUM(count) AS BIGINT) FROM agg_numbers WHERE field = 'cluster_count'"),
        3
    );
}

#[test]
fn copies_of_a_session_in_one_batch_are_stored_once() {
    on_both_engines!("copies", copies_in_one_batch);
}

#[test]
fn the_database_cut_under_load_loses_no_acknowledged_report() {
    let Some(url) = common::postgres_database("cut") else {
        return;
    };
    let relay = Relay::start();
    let through_relay = url.replace("127.0.0.1:5432", &format!("127.0.0.1:{}", relay.port));
    let runtime = common::runtime();
    let store = runtime
        .block_on(PostgresStore::connect(&through_relay))
        .unwrap();
    let database = Database::Postgres(url.clone());
    let running = common::serve(runtime, database, || store);
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..8)
        .map(|sender| {
            let (base, stop) = (running.base.clone(), Arc::clone(&stop));
            thread::spawn(move || {
                let mut answers = Vec::new();
                for i in 0..3_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let nonce = format!("c{sender}-{i}");
                    answers.push((
                        nonce.clone(),
                        post_text(&base, &report(&nonce).to_string()).0,
                    ));
                }
                answers
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(400));
    relay.set_up(false);
    thread::sleep(Duration::from_millis(300));
    relay.set_up(true);
    thread::sleep(Duration::from_millis(600));
    stop.store(true, Ordering::SeqCst);
    let answers: Vec<(String, u16)> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    drop(running);

    // Restarted: a receiver of its own on the same database.
    let restarted = common::postgres_on(&url);
    let database = &restarted.database;
    let refused = answers.iter().filter(|(_, status)| *status == 503).count();
    assert!(refused > 0, "the cut refused nothing");
    let mut refused_yet_stored = 0;
    for (nonce, status) in &answers {
        match status {
            202 => assert_eq!(stored(database, nonce), 1, "acknowledged {nonce}"),
            // A commit the cut interrupted after the server took it is
            // stored though refused: the sender's retry is a duplicate.
            503 => refused_yet_stored += stored(database, nonce),
            other => panic!("{nonce}: {other}"),
        }
    }
    let raw = count_in(database, "SELECT COUNT(*) FROM raw_reports");
    assert_eq!(
        count_in(database, "SELECT SUM(sessions) FROM agg_sessions"),
        raw
    );
    assert_eq!(
        count_in(
            database,
            "SELECT SUM(count) FROM agg_counts WHERE field = 'tier'"
        ),
        raw
    );
    eprintln!(
        "{} reports, {refused} refused during the cut ({refused_yet_stored} of them committed as the cut came)",
        answers.len()
    );
    assert_eq!(restarted.post(&report("after")).0, 202);
}

/// PostgreSQL's pending aggregates: a row that does not read back (only a
/// hand could write one) is dropped with an error in the log instead of
/// stopping every fold after it, and the batches beside it are counted.
#[test]
fn an_unreadable_pending_row_does_not_stop_the_folds() {
    let Some(running) = common::postgres("unreadable_pending") else {
        return;
    };
    assert_eq!(running.post(&report("before")).0, 202);
    execute(
        &running.database,
        "INSERT INTO agg_pending (totals) VALUES ('not json')",
    );
    assert_eq!(running.post(&report("after")).0, 202);
    // `count_in` waits until nothing is pending: the receiver's folds took
    // the bad row with the good one.
    assert_eq!(
        count_in(&running.database, "SELECT SUM(sessions) FROM agg_sessions"),
        2
    );
}
