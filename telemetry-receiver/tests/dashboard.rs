//! The dashboard in a real headless browser (Debian's `chromium`): the page
//! loads with no console message at all (it has no script; a failed load
//! or a parse error would show there), and a screenshot shows the charts.
//! Then on 400 days of generated aggregates for the demo's schema and the
//! nested example's: every field has its view in every window, and a
//! screenshot of each window is kept (under the test's target dir) to be
//! looked at.

mod common;
mod dashboard_support;
#[path = "generated/mod.rs"]
mod generated;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

/// Runs chromium headless on `url` with `extra` flags, for at most 60 s;
/// its stderr.
fn run_chromium(chromium: &Path, profile: &Path, url: &str, extra: &[String]) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(
            if extra.iter().any(|flag| flag.starts_with("--window-size")) {
                None
            } else {
                Some("--window-size=1280,2200")
            },
        )
        .args(extra)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "chromium took over 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_dashboard_loads_without_console_errors_and_shows_the_charts() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed; .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let running = common::sqlite("dashboard");
    // Five days of reports, two versions' worth of values.
    for day in 0..5 {
        for i in 0..(4 + 2 * day) {
            let mut report = common::report(&format!("d{day}-{i}"));
            report["tier"] = json!(if i % 3 == 0 { "postgres" } else { "memory" });
            report["cluster_count"] = json!(1 + i * i);
            assert_eq!(running.post(&report).0, 202);
        }
        running.clock.advance_days(1);
    }
    let (status, page) = running.get("/");
    assert_eq!(status, 200);
    assert!(
        page.matches("<svg").count() >= 4,
        "sessions, tier, resource_bucket, cluster_count"
    );

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let screenshot = dir.join("dashboard.png");
    let stderr = run_chromium(
        &chromium,
        &dir.join("profile"),
        &format!("{}/", running.base),
        &[format!("--screenshot={}", screenshot.display())],
    );
    let console: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE("))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let png = std::fs::read(&screenshot)
        .unwrap_or_else(|_| panic!("no screenshot; chromium said:\n{stderr}"));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a blank screenshot?"
    );
    eprintln!("screenshot: {}", screenshot.display());
}

/// Console messages in chromium's stderr.
fn console(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE("))
        .collect()
}

fn four_hundred_days(chromium: &Path, name: &str, schema_file: &str) {
    let schema = dashboard_support::annotated(schema_file, 90);
    let today = time::OffsetDateTime::from_unix_timestamp(common::NOON)
        .unwrap()
        .date();
    let data = generated::generate(&schema, today, 400, 120);
    let served = dashboard_support::sqlite(name, &schema, 10, |path| {
        generated::write_sqlite(path, &data)
    });
    let fields = served.field_names();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("dashboard-400-days")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let windows = [
        ("7", "window=7"),
        ("30", "window=30"),
        ("90", "window=90"),
        ("365", "window=365"),
        ("range", "from=2026-03-01&to=2026-05-31"),
    ];
    for (label, query) in windows {
        let (status, page) = served.running.get(&format!("/?{query}"));
        assert_eq!(status, 200, "{query}: {page}");
        for field in &fields {
            assert!(
                page.contains(&format!("<section id=\"{field}\">"))
                    && page.contains(&dashboard_support::why(field)),
                "{name} {query}: no captioned view of {field}"
            );
        }
        assert!(
            !page.contains("Nothing in this window"),
            "{name} {query}: an empty view"
        );
        // Tall enough for the whole page: one screen per view, roughly.
        let height = 900 + 560 * fields.len();
        let screenshot = dir.join(format!("{label}.png"));
        let stderr = run_chromium(
            chromium,
            &dir.join("profile"),
            &format!("{}/?{query}", served.running.base),
            &[
                format!("--screenshot={}", screenshot.display()),
                format!("--window-size=1280,{height}"),
            ],
        );
        assert!(
            console(&stderr).is_empty(),
            "{name} {query}: {:#?}",
            console(&stderr)
        );
        let png = std::fs::read(&screenshot)
            .unwrap_or_else(|_| panic!("no screenshot; chromium said:\n{stderr}"));
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 50_000,
            "a blank screenshot?"
        );
        eprintln!("screenshot: {}", screenshot.display());
    }
}

#[test]
fn four_hundred_days_of_both_schemas_show_every_field_in_every_window() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed; .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    four_hundred_days(&chromium, "demo", dashboard_support::DEMO);
    four_hundred_days(&chromium, "nested", dashboard_support::NESTED);
}
