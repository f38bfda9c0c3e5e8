//! QR check-in: rotating codes from the meeting secret, and the hours check-in is open.

use super::*;

/// Seconds a check-in code lives. The organizer's screen shows the new code
/// as the old one ends; a code is accepted for one more period (a scan that
/// takes a few seconds still counts).
pub const CHECKIN_CODE_SECONDS: i64 = 60;
/// Check-in opens this long before the meeting's start time.
pub const CHECKIN_OPENS_BEFORE_MINUTES: i64 = 30;
/// Check-in stays open until this long after the meeting day ends (meetings
/// that run late), or until the record is written, whichever comes first.
pub const CHECKIN_CLOSES_AFTER_DAY_HOURS: i64 = 2;

pub(crate) const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// The check-in code of a meeting for one period: six characters derived from
/// the meeting's secret (never shown) and the period number.
pub fn checkin_code(secret: &str, period: i64) -> String {
    let mac = crate::crypto::hmac_sm3_hex(secret.as_bytes(), format!("checkin:{period}").as_bytes());
    let bytes = hex::decode(&mac[..24]).unwrap_or_default();
    bytes.iter().take(6).map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect()
}

/// The code period a moment falls in.
pub fn checkin_period(now_ms: i64) -> i64 {
    now_ms.div_euclid(CHECKIN_CODE_SECONDS * 1000)
}

/// What a typed or scanned code is worth now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The current code, or the one just before it.
    Valid,
    /// A code of this meeting from earlier (a photo sent home, a stale screen).
    Expired,
    /// Not a code of this meeting.
    Wrong,
}

/// Checks a code against the meeting's secret at `now_ms`.
pub fn check_code(secret: &str, code: &str, now_ms: i64) -> CodeCheck {
    let code = crate::crypto::normalize_code(code);
    if code.len() != 6 || secret.is_empty() {
        return CodeCheck::Wrong;
    }
    let now = checkin_period(now_ms);
    let eq = |p: i64| crate::crypto::constant_time_eq(checkin_code(secret, p).as_bytes(), code.as_bytes());
    if eq(now) || eq(now - 1) {
        CodeCheck::Valid
    } else if (2..=24 * 60).any(|back| eq(now - back)) {
        CodeCheck::Expired
    } else {
        CodeCheck::Wrong
    }
}

/// When check-in is open, as Unix milliseconds [from, to): from half an hour
/// before the start time (midnight when no time was set) to two hours after
/// the meeting day ends, China time.
pub fn checkin_hours(planned_on: NaiveDate, start_time: &str) -> (i64, i64) {
    let start = chrono::NaiveTime::parse_from_str(start_time.trim(), "%H:%M").unwrap_or(chrono::NaiveTime::MIN);
    let china = |d: chrono::NaiveDateTime| d.and_utc().timestamp_millis() - 8 * 3_600_000;
    let from = china(planned_on.and_time(start)) - CHECKIN_OPENS_BEFORE_MINUTES * 60_000;
    let from = from.max(china(planned_on.and_time(chrono::NaiveTime::MIN)));
    let to = china(planned_on.and_time(chrono::NaiveTime::MIN)) + (24 + CHECKIN_CLOSES_AFTER_DAY_HOURS) * 3_600_000;
    (from, to)
}

/// Random token for a meeting's check-in QR code (128 bits, hex).
pub fn checkin_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}
