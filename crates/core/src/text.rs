//! Small text helpers shared by every layer: masking and formatting for Chinese users.

/// Masks an ID-card number as 52**************** (the province code only).
///
/// Any more would complete the number: digits 7–14 are the birth date, which
/// rosters show and the database holds in the clear, and with the region code
/// (a handful per prefecture, guessable from 籍贯) and the last four, a
/// roster line was the whole number. With the province code only, a reader
/// who knows the birth date, gender and county still faces 500 numbers.
/// The full number is shown only through the audited reveal.
pub fn mask_id_card(id: &str) -> String {
    mask_middle(id, 2, 0)
}

/// Keeps the first `head` and last `tail` characters and stars the rest (all
/// stars when nothing would be hidden). Called for every row of an import.
fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let n = s.chars().count();
    if n <= head + tail {
        return "*".repeat(n);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        out.push(if i < head || i >= n - tail { c } else { '*' });
    }
    out
}

/// Masks a phone number as 138****5678 (first 3 and last 4 kept).
pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone, 3, 4)
}

/// Full-width ASCII forms (０-９, Ａ-Ｚ, ａ-ｚ, －, ：, …) and the ideographic
/// space as their ASCII characters: what a person typing with a Chinese input
/// method means in an ID number, a phone number or a date.
pub fn to_halfwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// The first control character of a text (tab, line feed and carriage return
/// allowed), for refusing it with the field named.
pub fn control_char(s: &str) -> Option<char> {
    s.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
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

/// Today's date in China (UTC+8), from the platform's one clock ([`crate::clock`]).
pub fn today_cn() -> chrono::NaiveDate {
    crate::clock::today()
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    crate::clock::now_ms()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_head_and_tail() {
        assert_eq!(mask_id_card("52010219900101123X"), "52****************");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
        assert_eq!(mask_phone("1234567"), "*******");
        assert_eq!(mask_phone("12345678"), "123*5678");
        assert_eq!(mask_id_card("5201021990"), "52********");
    }

    #[test]
    fn full_width_forms_become_ascii() {
        assert_eq!(to_halfwidth("５２０１０２１９９０\u{3000}ｘ－１"), "5201021990 x-1");
        assert_eq!(to_halfwidth("张伟"), "张伟");
        assert_eq!(control_char("第一行\n第二行\t"), None);
        assert_eq!(control_char("名\u{0}称"), Some('\u{0}'));
        assert_eq!(control_char("a\u{1}"), Some('\u{1}'));
        assert_eq!(control_char("a\u{85}"), Some('\u{85}'));
    }

    #[test]
    fn dates_in_chinese() {
        let d = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(date_zh(d), "2025年7月1日");
        assert_eq!(datetime_ms(0), "1970-01-01 08:00:00");
    }
}
