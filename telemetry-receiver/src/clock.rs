//! Time, through a clock the tests can set: retention is tested by moving
//! the clock, never by sleeping. Days are UTC calendar days.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::{Date, OffsetDateTime};

/// Where the receiver reads the time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;

    /// Today, in UTC.
    fn today(&self) -> Date {
        self.now().date()
    }
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until moved: for tests.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock at `unix_seconds`.
    pub fn at(unix_seconds: i64) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(unix_seconds)))
    }

    /// Moves the clock by `days`.
    pub fn advance_days(&self, days: i64) {
        self.0.fetch_add(days * 86_400, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0.load(Ordering::SeqCst))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// `2026-11-25`.
pub fn day_text(day: Date) -> String {
    day.to_string()
}

/// Reads `2026-11-25`.
pub fn parse_day(text: &str) -> Result<Date, String> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("`{text}` is not a day: use YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_a_manual_clock_moves_by_days() {
        let clock = ManualClock::at(1_790_000_000);
        let day = clock.today();
        assert_eq!(parse_day(&day_text(day)), Ok(day));
        clock.advance_days(91);
        assert_eq!((clock.today() - day).whole_days(), 91);
        assert!(parse_day("2026-13-01").is_err());
    }
}
