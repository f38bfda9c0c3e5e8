//! Resident ID-card numbers (GB 11643-1999): structure, checksum, birth date, gender.

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level codes that may open an ID number.
const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82,
];

/// A checked 18-character ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCard {
    pub number: String,
    pub birth_date: NaiveDate,
    /// "男" or "女", from the 17th digit (odd: male).
    pub gender: &'static str,
}

/// The check character GB 11643 assigns to the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

/// Parses and checks an ID number. The error is a Chinese sentence for the user.
/// Full-width digits and letters (５２０１…Ｘ) are read as their ASCII forms;
/// any other character is refused, never sliced through.
pub fn parse(input: &str) -> Result<IdCard, String> {
    let number: String = crate::text::to_halfwidth(input).trim().to_uppercase();
    if number.chars().count() != 18 {
        return Err(format!("公民身份号码应为18位，当前为{}位", number.chars().count()));
    }
    if !number.is_ascii() {
        return Err("公民身份号码只能包含数字和X".into());
    }
    let (body, last) = number.split_at(17);
    if !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err("公民身份号码前17位应为数字".into());
    }
    let last = last.chars().next().unwrap_or(' ');
    if !(last.is_ascii_digit() || last == 'X') {
        return Err("公民身份号码最后一位应为数字或X".into());
    }
    let province: u32 = body[..2].parse().unwrap_or(0);
    if !PROVINCES.contains(&province) {
        return Err("公民身份号码的地区码无效".into());
    }
    let birth =
        NaiveDate::parse_from_str(&body[6..14], "%Y%m%d").map_err(|_| "公民身份号码中的出生日期无效".to_string())?;
    if birth < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") {
        return Err("公民身份号码中的出生日期无效".into());
    }
    let expected = check_char(body).expect("17 digits checked above");
    if expected != last {
        return Err("公民身份号码校验位不正确，请核对号码".into());
    }
    let gender_digit = body.as_bytes()[16] - b'0';
    Ok(IdCard { number: number.clone(), birth_date: birth, gender: if gender_digit % 2 == 1 { "男" } else { "女" } })
}

/// Builds a valid number from region, birth date and sequence (demo data and tests).
pub fn compose(region: u32, birth: NaiveDate, seq: u32) -> String {
    let body = format!("{:06}{}{:03}", region % 1_000_000, birth.format("%Y%m%d"), seq % 1000);
    let check = check_char(&body).expect("composed body is 17 digits");
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_number() {
        // Sample from GB 11643's worked example: 11010519491231002X.
        let id = parse("11010519491231002x").unwrap();
        assert_eq!(id.number, "11010519491231002X");
        assert_eq!(id.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.gender, "女");
    }

    #[test]
    fn wrong_checksum_is_refused_in_chinese() {
        let err = parse("110105194912310021").unwrap_err();
        assert!(err.contains("校验位"), "{err}");
    }

    #[test]
    fn wrong_length_names_the_length() {
        assert!(parse("5201021990").unwrap_err().contains("18位"));
    }

    #[test]
    fn bad_date_and_region() {
        let body = "52010219901301123";
        let n = format!("{body}{}", check_char(body).unwrap());
        assert!(parse(&n).unwrap_err().contains("出生日期"));
        let body = "99010219900101123";
        let n = format!("{body}{}", check_char(body).unwrap());
        assert!(parse(&n).unwrap_err().contains("地区码"));
    }

    #[test]
    fn full_width_and_foreign_characters_never_panic() {
        let id = parse("１１０１０５１９４９１２３１００２ｘ").unwrap();
        assert_eq!(id.number, "11010519491231002X");
        for bad in [
            "11010５19491231002X",
            "1101051949123100２é",
            "张11010519491231002",
            "1101051949123😀02X",
            "\u{0}10105194912310021",
        ] {
            let r = std::panic::catch_unwind(|| parse(bad));
            assert!(r.is_ok(), "no panic on {bad:?}");
        }
        assert!(parse("1101051949123100é2").unwrap_err().contains("数字"));
        assert!(parse("11010519491231002é").unwrap_err().contains("数字"));
    }

    #[test]
    fn composed_numbers_parse_back() {
        let birth = NaiveDate::from_ymd_opt(1985, 2, 28).unwrap();
        for seq in 0..50 {
            let n = compose(520102, birth, seq);
            let id = parse(&n).unwrap();
            assert_eq!(id.birth_date, birth);
        }
    }
}
