//! The one clock of the platform. Every "today" and "now" — rules, deadlines,
//! sessions, audit times — reads it, so the whole process can be moved to
//! another date at once.
//!
//! `XIANFENG_TODAY=2028-02-29` (read once, at the first call) shifts the clock
//! by whole days so that today in China (UTC+8) is that date; time keeps
//! running from the real time of day, so timeouts and ordering still work.
//! CI runs the date-sensitive suites at a month end, a year end, 29 February
//! and the first of a month this way, and once at the real date. A server
//! started with it says so in its log.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDate;

/// The environment variable that moves the clock.
pub const ENV: &str = "XIANFENG_TODAY";

const CHINA: i32 = 8 * 3600;
const DAY_MS: i64 = 86_400_000;

/// Offset added to the real time, in milliseconds (whole days).
static OFFSET_MS: AtomicI64 = AtomicI64::new(0);
static INIT: OnceLock<Option<NaiveDate>> = OnceLock::new();

fn real_now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn date_of(ms: i64) -> NaiveDate {
    let offset = chrono::FixedOffset::east_opt(CHINA).expect("valid offset");
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&offset).date_naive()).unwrap_or_default()
}

/// Parses the environment's date once and applies it.
fn init() {
    INIT.get_or_init(|| {
        let wanted = std::env::var(ENV).ok().and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok());
        if let Some(d) = wanted {
            shift_to(d);
        }
        wanted
    });
}

fn shift_to(d: NaiveDate) {
    OFFSET_MS.store(offset_to(d, real_now_ms()), Ordering::SeqCst);
}

/// The whole-day offset that makes `real_ms` fall on `d` in China.
fn offset_to(d: NaiveDate, real_ms: i64) -> i64 {
    d.signed_duration_since(date_of(real_ms)).num_days() * DAY_MS
}

/// The date the clock was moved to by the environment, if it was.
pub fn moved_to() -> Option<NaiveDate> {
    init();
    INIT.get().copied().flatten()
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    init();
    real_now_ms() + OFFSET_MS.load(Ordering::Relaxed)
}

/// Today's date in China (UTC+8).
pub fn today() -> NaiveDate {
    date_of(now_ms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_lands_on_the_wanted_date_at_any_time_of_day() {
        let d = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        // 2026-12-02 00:00:30, 12:00 and 23:59:30 in China.
        let base = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap().and_hms_opt(0, 0, 30).unwrap();
        let start = base.and_utc().timestamp_millis() - i64::from(CHINA) * 1000;
        for extra in [0, 12 * 3_600_000, 86_340_000] {
            let real = start + extra;
            assert_eq!(date_of(real + offset_to(d, real)), d);
            assert_eq!(date_of(real + offset_to(date_of(real), real)), date_of(real), "no move when today is asked");
        }
    }

    #[test]
    fn the_clock_follows_the_environment() {
        // The process's clock is today unless XIANFENG_TODAY moved it.
        let expected = moved_to().unwrap_or_else(|| date_of(real_now_ms()));
        assert_eq!(today(), expected);
    }
}
