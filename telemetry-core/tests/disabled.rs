//! Disabled means nothing runs. Alone in its binary, so no other test's
//! reporter thread can be mistaken for one.

mod common;

use std::time::Duration;

use common::fake_receiver::Receiver;
use common::log_capture::log_lines;
use common::payload;
use common::wait_for;
use telemetry_core::THREAD_NAME;

/// The names of this process's threads, as the OS lists them.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
                .map(|name| name.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn disabled_reporter_starts_no_thread_and_sends_nothing() {
    let receiver = Receiver::accepting();
    let reporter = payload::reporter("disabled", &receiver.url("http"), false, payload::EAGER);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(receiver.connections(), 0);
    assert!(!reporter.is_running());
    if cfg!(target_os = "linux") {
        assert!(
            !thread_names().iter().any(|name| name == THREAD_NAME),
            "{:?}",
            thread_names()
        );
    }
    assert!(log_lines("disabled", tracing::Level::INFO)[0].contains("telemetry is disabled"));

    // The same reporter enabled does start its thread: the check above can fail.
    // One report, then none for an hour: the receiver sees exactly one.
    let once = [
        Duration::ZERO,
        Duration::from_secs(3600),
        Duration::from_millis(200),
    ];
    let enabled = payload::reporter("enabled", &receiver.url("http"), true, once);
    assert!(enabled.is_running());
    if cfg!(target_os = "linux") {
        // The thread names itself once it runs.
        let named = || thread_names().iter().any(|name| name == THREAD_NAME);
        assert!(
            wait_for(Duration::from_secs(5), named),
            "{:?}",
            thread_names()
        );
    }
    assert!(wait_for(Duration::from_secs(5), || receiver.connections() == 1));
}
