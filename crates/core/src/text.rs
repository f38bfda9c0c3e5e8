//! Small text helpers shared by every layer: masking and formatting for Chinese users.

/// Masks an ID-card number as 520102********1234 (first 6 and last 4 kept).
pub fn mask_id_card(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// Masks a phone number as 138****5678 (first 3 and last 4 kept).
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// 2025年7月1日, the date form used in documents.
pub fn date_zh(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Formats a Unix time in milliseconds as local China time (UTC+8), 2025-07-01 09:30:05.
pub fn datetime_ms(ms: i64) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.with_timezone(&offset).format("%Y-%m-%d %H:%M:%S").to_string(),
        None => String::new(),
    }
}

/// Today's date in China (UTC+8).
pub fn today_cn() -> chrono::NaiveDate {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::Utc::now().with_timezone(&offset).date_naive()
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_head_and_tail() {
        assert_eq!(mask_id_card("52010219900101123X"), "520102********123X");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn dates_in_chinese() {
        let d = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(date_zh(d), "2025年7月1日");
        assert_eq!(datetime_ms(0), "1970-01-01 08:00:00");
    }
}
