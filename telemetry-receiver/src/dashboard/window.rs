//! The days a page, an API answer or an export covers: the last 7, 30, 90
//! or 365 days (`?window=30`), or a range (`?from=2026-01-01&to=2026-03-31`),
//! both ends included, in UTC days.

use serde::Deserialize;
use time::{Date, Duration};

use crate::clock::parse_day;

/// The windows the page links to, in days.
pub const PRESETS: [i64; 4] = [7, 30, 90, 365];
/// The window when none is asked for.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest window served: ten years, so a typo in a year cannot ask
/// for a scan of centuries.
pub const MAX_DAYS: i64 = 3660;

/// A window as the query string gives it; every part optional.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WindowQuery {
    /// `7`, `30`, `90`, `365` or any number of days up to [`MAX_DAYS`],
    /// ending today.
    pub window: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Days `from..=to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: Date,
    pub to: Date,
    /// The number of days when asked as `?window=N`, for the links.
    pub last_days: Option<i64>,
}

impl Window {
    /// The last `days` days, today included.
    pub fn last(days: i64, today: Date) -> Window {
        Window {
            from: today - Duration::days(days - 1),
            to: today,
            last_days: Some(days),
        }
    }

    /// Reads a query: `window`, or `from` and `to` (by default the start
    /// of the last [`DEFAULT_DAYS`] days and today). The error says what
    /// is wrong, for a 400.
    pub fn parse(query: &WindowQuery, today: Date) -> Result<Window, String> {
        if let Some(text) = &query.window {
            if query.from.is_some() || query.to.is_some() {
                return Err("give either window=<days> or from/to, not both".to_owned());
            }
            let days = text
                .parse::<i64>()
                .ok()
                .filter(|days| (1..=MAX_DAYS).contains(days))
                .ok_or_else(|| format!("window={text}: a number of days from 1 to {MAX_DAYS}"))?;
            return Ok(Window::last(days, today));
        }
        if query.from.is_none() && query.to.is_none() {
            return Ok(Window::last(DEFAULT_DAYS, today));
        }
        let day = |text: &Option<String>, default: Date| match text {
            Some(text) => parse_day(text),
            None => Ok(default),
        };
        let from = day(&query.from, today - Duration::days(DEFAULT_DAYS - 1))?;
        let to = day(&query.to, today)?;
        if from > to {
            return Err(format!("from={from} is after to={to}"));
        }
        let window = Window {
            from,
            to,
            last_days: None,
        };
        if window.days() > MAX_DAYS {
            return Err(format!("at most {MAX_DAYS} days at once"));
        }
        Ok(window)
    }

    /// How many days it covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }

    /// The index of `day` in the window, if it is inside.
    pub fn index(&self, day: Date) -> Option<usize> {
        if day < self.from || day > self.to {
            return None;
        }
        usize::try_from((day - self.from).whole_days()).ok()
    }

    /// The day at `index`.
    pub fn day(&self, index: usize) -> Date {
        self.from + Duration::days(index as i64)
    }

    /// The query string that asks for this window again.
    pub fn query(&self) -> String {
        match self.last_days {
            Some(days) => format!("window={days}"),
            None => format!("from={}&to={}", self.from, self.to),
        }
    }

    /// How the page names it.
    pub fn label(&self) -> String {
        match self.last_days {
            Some(days) => format!("the last {days} days ({} to {})", self.from, self.to),
            None => format!("{} to {}", self.from, self.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(window: Option<&str>, from: Option<&str>, to: Option<&str>) -> WindowQuery {
        WindowQuery {
            window: window.map(str::to_owned),
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        }
    }

    #[test]
    fn windows_end_today_and_ranges_are_inclusive() {
        let today = parse_day("2026-11-30").unwrap();
        let last7 = Window::parse(&query(Some("7"), None, None), today).unwrap();
        assert_eq!(
            (last7.from.to_string(), last7.days()),
            ("2026-11-24".to_owned(), 7)
        );
        assert_eq!(last7.query(), "window=7");
        let default = Window::parse(&query(None, None, None), today).unwrap();
        assert_eq!(default.days(), DEFAULT_DAYS);
        let range =
            Window::parse(&query(None, Some("2026-01-01"), Some("2026-01-31")), today).unwrap();
        assert_eq!(range.days(), 31);
        assert_eq!(range.query(), "from=2026-01-01&to=2026-01-31");
        assert_eq!(range.index(parse_day("2026-01-31").unwrap()), Some(30));
        assert_eq!(range.index(parse_day("2026-02-01").unwrap()), None);
    }

    #[test]
    fn a_bad_window_says_what_is_wrong() {
        let today = parse_day("2026-11-30").unwrap();
        let refused = |q| Window::parse(&q, today).unwrap_err();
        assert!(refused(query(Some("0"), None, None)).contains("from 1 to"));
        assert!(refused(query(Some("x"), None, None)).contains("window=x"));
        assert!(refused(query(Some("7"), Some("2026-01-01"), None)).contains("not both"));
        assert!(refused(query(None, Some("2026-02-01"), Some("2026-01-01"))).contains("after"));
        assert!(refused(query(None, Some("2026-13-01"), None)).contains("YYYY-MM-DD"));
        assert!(refused(query(None, Some("1900-01-01"), None)).contains("at most"));
    }
}
