//! Member input validation and status transitions.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn good() -> MemberInput {
    MemberInput {
        name: "张三".into(),
        gender: "男".into(),
        ethnicity: "苗族".into(),
        birth_date: "1990-01-01".into(),
        id_card: idcard::compose(520102, d(1990, 1, 1), 131),
        education: "大学本科".into(),
        status: "full".into(),
        join_date: "2015-07-01".into(),
        full_date: "2016-07-01".into(),
        org_id: "7".into(),
        phone: "13812345678".into(),
        ..Default::default()
    }
}

#[test]
fn dates_parse_in_the_forms_people_type() {
    let d = NaiveDate::from_ymd_opt(2025, 7, 1);
    for s in ["2025-07-01", " 2025-7-1 ", "2025/07/01", "2025.7.1", "20250701", "2025年7月1日"] {
        assert_eq!(parse_date(s), d, "{s}");
    }
    for s in ["2025-02-30", "2025-13-01", "2025-07-01-1", "2025-0a-01", ""] {
        assert_eq!(parse_date(s), None, "{s}");
    }
}

#[test]
fn a_good_record_passes() {
    let v = validate(&good(), d(2025, 1, 1)).unwrap();
    assert_eq!(v.status, MemberStatus::Full);
    assert_eq!(v.org_id, 7);
}

#[test]
fn bad_id_number_names_the_field() {
    let mut m = good();
    m.id_card = "520102199001011310".into();
    let Error::Invalid(errs) = validate(&m, d(2025, 1, 1)).unwrap_err() else { panic!() };
    assert_eq!(errs[0].field, "id_card");
    assert!(errs[0].message.contains("公民身份号码"));
}

#[test]
fn birth_date_must_match_id() {
    let mut m = good();
    m.birth_date = "1990-01-02".into();
    let Error::Invalid(errs) = validate(&m, d(2025, 1, 1)).unwrap_err() else { panic!() };
    assert!(errs.iter().any(|e| e.field == "birth_date" && e.message.contains("不一致")));
}

#[test]
fn joined_before_eighteen_is_refused() {
    let mut m = good();
    m.join_date = "2007-01-01".into();
    let Error::Invalid(errs) = validate(&m, d(2025, 1, 1)).unwrap_err() else { panic!() };
    assert!(errs.iter().any(|e| e.field == "join_date" && e.message.contains("18")));
}

#[test]
fn required_fields_are_all_reported() {
    let Error::Invalid(errs) = validate(&MemberInput::default(), d(2025, 1, 1)).unwrap_err() else { panic!() };
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    for f in ["name", "gender", "ethnicity", "id_card", "status", "org_id"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

#[test]
fn full_member_needs_dates_in_order() {
    let mut m = good();
    m.full_date = "2014-01-01".into();
    let Error::Invalid(errs) = validate(&m, d(2025, 1, 1)).unwrap_err() else { panic!() };
    assert!(errs.iter().any(|e| e.field == "full_date"));
    let mut m = good();
    m.full_date = String::new();
    assert!(validate(&m, d(2025, 1, 1)).is_err());
}

#[test]
fn transitions() {
    assert!(check_transition(MemberStatus::Probationary, MemberStatus::Full).is_ok());
    assert!(check_transition(MemberStatus::Applicant, MemberStatus::Full).is_err());
    assert!(check_transition(MemberStatus::Deceased, MemberStatus::Full).is_err());
    assert!(check_transition(MemberStatus::Full, MemberStatus::Full).is_err());
}

#[test]
fn age_bounds() {
    let on = d(2025, 6, 15);
    let (earliest, latest) = birth_bounds(Some(30), Some(40), on);
    // Aged 30 on 2025-06-15: born on or before 1995-06-15.
    assert_eq!(latest, Some(d(1995, 6, 15)));
    // Aged at most 40: born after 1984-06-15.
    assert_eq!(earliest, Some(d(1984, 6, 16)));
    assert_eq!(age_on(d(1995, 6, 15), on), 30);
    assert_eq!(age_on(d(1984, 6, 16), on), 40);
    assert_eq!(age_on(d(1984, 6, 15), on), 41);
}

#[test]
fn fifty_six_distinct_ethnic_groups() {
    let set: std::collections::HashSet<_> = ETHNICITIES.iter().collect();
    assert_eq!(set.len(), 56);
}

#[test]
fn phones() {
    assert!(check_phone("13812345678"));
    assert!(check_phone("0851-86812345"));
    assert!(!check_phone("12345"));
}

#[test]
fn a_roster_month_is_read_and_a_birth_month_takes_its_day_from_the_id_number() {
    for s in ["1985.03", "1985-3", "1985/03", "1985年3月", "198503", "１９８５．０３"] {
        assert_eq!(parse_month(s), Some((1985, 3)), "{s}");
    }
    for s in ["1985", "1985.13", "85.03", "1985.03.12", "19850312", "三月"] {
        assert_eq!(parse_month(s), None, "{s}");
    }
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let id = crate::idcard::compose(520102, NaiveDate::from_ymd_opt(1985, 3, 11).unwrap(), 131);
    let input = |birth: &str, join: &str| MemberInput {
        name: "王一".into(),
        gender: "男".into(),
        ethnicity: "汉族".into(),
        birth_date: birth.into(),
        id_card: id.clone(),
        status: "正式党员".into(),
        join_date: join.into(),
        full_date: "2011-07-01".into(),
        org_id: "1".into(),
        ..Default::default()
    };
    let v = validate(&input("1985.03", "2010-07-01"), today).expect("the month agrees");
    assert_eq!(v.birth_date, NaiveDate::from_ymd_opt(1985, 3, 11).unwrap(), "the day comes from the ID number");
    let messages = |e: Error| match e {
        Error::Invalid(v) => v.into_iter().map(|f| f.message).collect::<Vec<_>>().join("；"),
        other => other.to_string(),
    };
    let e = messages(validate(&input("1985.04", "2010-07-01"), today).unwrap_err());
    assert!(e.contains("出生年月与公民身份号码中的出生日期不一致"), "{e}");
    let e = messages(validate(&input("1985.03", "2010.07"), today).unwrap_err());
    assert!(e.contains("入党日期须写到日"), "a join date is not made up: {e}");
}
