//! When reports go out. A fleet that restarts together must not send
//! together, and a process that crash-loops must not send on every start:
//! the first report waits a random 5 to 65 minutes (a process that lives
//! less than 5 minutes never reports), later ones come every 24 hours plus
//! or minus a random hour. The randomness comes from the OS.

use std::time::Duration;

/// The earliest a first report goes out after start.
pub const FIRST_REPORT_EARLIEST: Duration = Duration::from_secs(5 * 60);
/// The latest a first report goes out after start.
pub const FIRST_REPORT_LATEST: Duration = Duration::from_secs(65 * 60);
/// The mean time between two reports after the first.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// How far one interval may be from [`REPORT_INTERVAL`], either way.
pub const REPORT_INTERVAL_JITTER: Duration = Duration::from_secs(60 * 60);

/// The reporter's delays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub first_earliest: Duration,
    pub first_latest: Duration,
    pub interval: Duration,
    pub jitter: Duration,
}

impl Schedule {
    pub(crate) const PRODUCTION: Schedule = Schedule {
        first_earliest: FIRST_REPORT_EARLIEST,
        first_latest: FIRST_REPORT_LATEST,
        interval: REPORT_INTERVAL,
        jitter: REPORT_INTERVAL_JITTER,
    };

    /// The delay before the first report.
    pub(crate) fn first_delay(&self, random: u64) -> Duration {
        between(self.first_earliest, self.first_latest, random)
    }

    /// The delay before each later report.
    pub(crate) fn next_delay(&self, random: u64) -> Duration {
        between(
            self.interval.saturating_sub(self.jitter),
            self.interval.saturating_add(self.jitter),
            random,
        )
    }
}

/// A point of `[low, high]` picked by `random`, to the millisecond.
fn between(low: Duration, high: Duration, random: u64) -> Duration {
    let span = high.saturating_sub(low).as_millis() as u64;
    match span.checked_add(1) {
        Some(choices) => low + Duration::from_millis(random % choices),
        None => low + Duration::from_millis(random),
    }
}

/// A random number from the OS; if the OS has none to give, the middle of
/// every window (a fleet then still spreads by its start times).
pub(crate) fn os_random() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => u64::MAX / 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_inside_their_windows() {
        let schedule = Schedule::PRODUCTION;
        for random in [0, 1, 59_999, 3_600_000, 3_600_001, u64::MAX / 3, u64::MAX] {
            let first = schedule.first_delay(random);
            assert!(
                (FIRST_REPORT_EARLIEST..=FIRST_REPORT_LATEST).contains(&first),
                "{first:?}"
            );
            let next = schedule.next_delay(random);
            assert!(
                (REPORT_INTERVAL - REPORT_INTERVAL_JITTER
                    ..=REPORT_INTERVAL + REPORT_INTERVAL_JITTER)
                    .contains(&next),
                "{next:?}"
            );
        }
        assert_eq!(schedule.first_delay(0), FIRST_REPORT_EARLIEST);
        assert_eq!(schedule.first_delay(3_600_000), FIRST_REPORT_LATEST);
    }

    #[test]
    fn the_os_spreads_a_fleet() {
        let firsts: std::collections::BTreeSet<Duration> = (0..50)
            .map(|_| Schedule::PRODUCTION.first_delay(os_random()))
            .collect();
        assert!(
            firsts.len() > 40,
            "50 starts, {} distinct first delays",
            firsts.len()
        );
    }

    #[test]
    fn a_fixed_schedule_is_fixed() {
        let fixed = Schedule {
            first_earliest: Duration::from_millis(30),
            first_latest: Duration::from_millis(30),
            interval: Duration::from_millis(50),
            jitter: Duration::ZERO,
        };
        assert_eq!(fixed.first_delay(u64::MAX), Duration::from_millis(30));
        assert_eq!(fixed.next_delay(12345), Duration::from_millis(50));
    }
}
