//! Member records: the national baseline fields, the status life cycle and
//! validation with Chinese messages that name the field.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError};
use crate::idcard;

crate::state_enum! {
    pub enum MemberStatus ("党籍状态") {
        Applicant = ("applicant", "入党申请人"),
        Activist = ("activist", "入党积极分子"),
        Candidate = ("candidate", "发展对象"),
        Probationary = ("probationary", "预备党员"),
        Full = ("full", "正式党员"),
        TransferredOut = ("transferred_out", "已转出"),
        Deceased = ("deceased", "已去世"),
        Left = ("left", "已出党"),
    }
}

impl MemberStatus {
    /// Parses the identifier or the Chinese label (imports use labels).
    pub fn parse_any(s: &str) -> Option<MemberStatus> {
        let s = s.trim();
        Self::parse(s).or_else(|| MemberStatus::ALL.into_iter().find(|k| k.label() == s))
    }

    /// Party members: full and probationary (for SQL lists).
    pub const MEMBERS: [MemberStatus; 2] = [MemberStatus::Probationary, MemberStatus::Full];
    /// Still on a branch's roll, members and the people on the way to membership.
    pub const ON_ROLL: [MemberStatus; 5] = [
        MemberStatus::Applicant,
        MemberStatus::Activist,
        MemberStatus::Candidate,
        MemberStatus::Probationary,
        MemberStatus::Full,
    ];
    /// Off the roll: transferred out, deceased, left.
    pub const OFF_ROLL: [MemberStatus; 3] = [MemberStatus::TransferredOut, MemberStatus::Deceased, MemberStatus::Left];
    /// On the way to membership: applicants, activists, candidates.
    pub const IN_PIPELINE: [MemberStatus; 3] =
        [MemberStatus::Applicant, MemberStatus::Activist, MemberStatus::Candidate];

    /// Counted as a party member (full or probationary).
    pub fn is_member(self) -> bool {
        matches!(self, MemberStatus::Probationary | MemberStatus::Full)
    }

    /// Still on a branch's roll (not transferred out, deceased or left).
    pub fn is_active(self) -> bool {
        !matches!(self, MemberStatus::TransferredOut | MemberStatus::Deceased | MemberStatus::Left)
    }

    /// Statuses reachable from this one. Recruitment (#4) will drive the early
    /// stages with its timers; the record keeps every change as history.
    pub fn next(self) -> &'static [MemberStatus] {
        use MemberStatus::*;
        match self {
            Applicant => &[Activist, Left],
            Activist => &[Candidate, Applicant, Left],
            Candidate => &[Probationary, Activist, Left],
            Probationary => &[Full, Left, TransferredOut, Deceased],
            Full => &[TransferredOut, Deceased, Left],
            TransferredOut => &[Full, Probationary],
            Deceased => &[],
            Left => &[],
        }
    }
}

/// Checks a status change; the message says what is allowed.
pub fn check_transition(from: MemberStatus, to: MemberStatus) -> Result<(), Error> {
    if from == to {
        return Err(Error::invalid("status", format!("党籍状态已是“{}”", to.label())));
    }
    if from.next().contains(&to) {
        Ok(())
    } else {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.label()).collect();
        Err(Error::invalid(
            "status",
            if allowed.is_empty() {
                format!("“{}”状态不能再变更", from.label())
            } else {
                format!("“{}”不能直接变更为“{}”，可变更为：{}", from.label(), to.label(), allowed.join("、"))
            },
        ))
    }
}

pub const GENDERS: [&str; 2] = ["男", "女"];

/// The 56 ethnic groups, Han first, then Guizhou's larger minorities.
pub const ETHNICITIES: [&str; 56] = [
    "汉族",
    "苗族",
    "布依族",
    "侗族",
    "土家族",
    "彝族",
    "仡佬族",
    "水族",
    "回族",
    "白族",
    "瑶族",
    "壮族",
    "畲族",
    "毛南族",
    "蒙古族",
    "仫佬族",
    "满族",
    "羌族",
    "藏族",
    "维吾尔族",
    "朝鲜族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "高山族",
    "拉祜族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "基诺族",
    "布朗族",
    "撒拉族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
];

pub const EDUCATIONS: [&str; 9] =
    ["研究生（博士）", "研究生（硕士）", "大学本科", "大学专科", "中等专科", "高中", "初中", "小学", "其他"];

/// 人员类别 / job category (national baseline).
pub const CATEGORIES: [&str; 6] =
    ["公务员", "参照公务员法管理人员", "事业单位管理人员", "专业技术人员", "工勤人员", "离退休人员"];

pub const CADRE_RANKS: [&str; 7] = ["厅级", "处级", "科级", "科员", "办事员", "无", "其他"];

/// Whether a rank counts as 处级 in discipline statistics (else 科级及以下).
pub fn is_division_level(rank: &str) -> bool {
    matches!(rank, "厅级" | "处级")
}

/// What a user submits for a member, as text from a form, JSON or a spreadsheet row.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct MemberInput {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_card: String,
    pub education: String,
    pub category: String,
    pub phone: String,
    pub position: String,
    pub cadre_rank: String,
    pub native_place: String,
    pub address: String,
    pub community: String,
    pub join_date: String,
    pub full_date: String,
    pub status: String,
    pub org_id: String,
    pub group_id: String,
}

/// A member record that passed validation, ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidMember {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    /// The full number; the store encrypts it.
    pub id_card: String,
    pub education: String,
    pub category: String,
    /// The full number or empty; the store encrypts it.
    pub phone: String,
    pub position: String,
    pub cadre_rank: String,
    pub native_place: String,
    pub address: String,
    pub community: String,
    pub join_date: Option<NaiveDate>,
    pub full_date: Option<NaiveDate>,
    pub status: MemberStatus,
    pub org_id: i64,
    pub group_id: Option<i64>,
}

/// The Chinese label of each input field, for messages and spreadsheet headers.
pub const FIELD_LABELS: [(&str, &str); 18] = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("ethnicity", "民族"),
    ("birth_date", "出生日期"),
    ("id_card", "公民身份号码"),
    ("education", "学历"),
    ("category", "人员类别"),
    ("phone", "联系电话"),
    ("position", "工作岗位"),
    ("cadre_rank", "职级"),
    ("native_place", "籍贯"),
    ("address", "家庭住址"),
    ("community", "居住地社区"),
    ("join_date", "入党日期"),
    ("full_date", "转正日期"),
    ("status", "党籍状态"),
    ("org_id", "所在党支部"),
    ("group_id", "所在党小组"),
];

/// Other names rosters give the columns (a branch's own 党员花名册, other
/// systems' exports), read as the field they mean. The import template's
/// 填写说明 lists them.
pub const HEADER_ALIASES: [(&str, &str); 32] = [
    ("身份证号码", "id_card"),
    ("身份证号", "id_card"),
    ("公民身份证号码", "id_card"),
    ("身份证", "id_card"),
    ("出生年月", "birth_date"),
    ("出生年月日", "birth_date"),
    ("出生时间", "birth_date"),
    ("文化程度", "education"),
    ("学历学位", "education"),
    ("手机号码", "phone"),
    ("手机号", "phone"),
    ("手机", "phone"),
    ("联系方式", "phone"),
    ("职务", "position"),
    ("工作单位及职务", "position"),
    ("职务职级", "cadre_rank"),
    ("家庭地址", "address"),
    ("家庭住址（现居住地）", "address"),
    ("现居住地", "address"),
    ("居住社区", "community"),
    ("报到社区", "community"),
    ("入党时间", "join_date"),
    ("入党年月", "join_date"),
    ("转正时间", "full_date"),
    ("转正年月", "full_date"),
    ("党员类别", "status"),
    ("党籍", "status"),
    ("所在支部", "org_id"),
    ("所属支部", "org_id"),
    ("所属党支部", "org_id"),
    ("党支部", "org_id"),
    ("党小组", "group_id"),
];

/// The field a roster's column header names: its label or one of its
/// [`HEADER_ALIASES`].
pub fn field_of_header(header: &str) -> Option<&'static str> {
    let label = FIELD_LABELS.iter().find(|(_, label)| *label == header).map(|(k, _)| *k);
    label.or_else(|| HEADER_ALIASES.iter().find(|(alias, _)| *alias == header).map(|(_, k)| *k))
}

pub fn field_label(field: &str) -> &'static str {
    FIELD_LABELS.iter().find(|(k, _)| *k == field).map(|(_, v)| *v).unwrap_or("字段")
}

/// A month typed as 1985.03, 1985-3, 1985/03, 1985年3月 or 198503 (full-width
/// digits too): the year and the month, for fields a roster keeps to the month.
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let s = crate::text::to_halfwidth(s.trim());
    let s = s.strip_suffix('月').unwrap_or(&s);
    let (y, m) = match s.split_once(['.', '-', '/', '年']) {
        Some((y, m)) => (y, m),
        None if s.len() == 6 => s.split_at(4),
        None => return None,
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if y.len() != 4 || !digits(y) || m.len() > 2 || !digits(m) {
        return None;
    }
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// Parses a date typed as 2025-07-01, 2025/7/1, 2025.7.1 or 20250701.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let wide;
    let s = if s.is_ascii() {
        s.trim()
    } else {
        wide = crate::text::to_halfwidth(s);
        wide.trim()
    };
    // The common form (2025-07-01, 2025-7-1) without the format machinery:
    // an import parses several dates per row.
    let mut parts = s.split('-');
    if let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) {
        let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
            lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
        };
        if digits(y, 4..=4) && digits(m, 1..=2) && digits(d, 1..=2) {
            return NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Whether a phone number looks real: an 11-digit mobile or a landline.
pub fn check_phone(phone: &str) -> bool {
    let p = crate::text::to_halfwidth(phone);
    let p = p.trim();
    let mobile = p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit());
    let landline =
        (7..=16).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit() || b == b'-') && p.starts_with('0');
    mobile || landline
}

/// Validates a member. `org_is_branch` tells whether org_id names a branch in
/// the caller's scope (the store resolves it); every problem is reported.
pub fn validate(input: &MemberInput, today: NaiveDate) -> Result<ValidMember, Error> {
    let mut errs: Vec<FieldError> = Vec::new();
    let req = |field: &str, v: &str, errs: &mut Vec<FieldError>| {
        if v.trim().is_empty() {
            errs.push(FieldError::new(field, format!("{}为必填项", field_label(field))));
            false
        } else {
            true
        }
    };

    let name = input.name.trim().to_string();
    if req("name", &name, &mut errs) && name.chars().count() > 50 {
        errs.push(FieldError::new("name", "姓名不能超过50个字"));
    }
    let gender = input.gender.trim().to_string();
    if req("gender", &gender, &mut errs) && !GENDERS.contains(&gender.as_str()) {
        errs.push(FieldError::new("gender", "性别应为“男”或“女”"));
    }
    let ethnicity = input.ethnicity.trim().to_string();
    if req("ethnicity", &ethnicity, &mut errs) && !ETHNICITIES.contains(&ethnicity.as_str()) {
        errs.push(FieldError::new("ethnicity", format!("民族“{ethnicity}”不在56个民族名称中")));
    }
    let education = input.education.trim().to_string();
    if !education.is_empty() && !EDUCATIONS.contains(&education.as_str()) {
        errs.push(FieldError::new("education", format!("学历应为：{}", EDUCATIONS.join("、"))));
    }
    let category = input.category.trim().to_string();
    if !category.is_empty() && !CATEGORIES.contains(&category.as_str()) {
        errs.push(FieldError::new("category", format!("人员类别应为：{}", CATEGORIES.join("、"))));
    }
    let cadre_rank = input.cadre_rank.trim().to_string();
    if !cadre_rank.is_empty() && !CADRE_RANKS.contains(&cadre_rank.as_str()) {
        errs.push(FieldError::new("cadre_rank", format!("职级应为：{}", CADRE_RANKS.join("、"))));
    }

    let mut id_parsed = None;
    let id_text = input.id_card.trim();
    if req("id_card", id_text, &mut errs) {
        match idcard::parse(id_text) {
            Ok(id) => id_parsed = Some(id),
            Err(msg) => errs.push(FieldError::new("id_card", msg)),
        }
    }

    let birth_date = if input.birth_date.trim().is_empty() {
        id_parsed.as_ref().map(|i| i.birth_date)
    } else {
        match (parse_date(&input.birth_date), parse_month(&input.birth_date), id_parsed.as_ref()) {
            (Some(d), _, _) => Some(d),
            // 出生年月 (1985.03, 1985年3月): the day comes from the ID number,
            // when the month agrees with it.
            (None, Some((y, m)), Some(id)) if (id.birth_date.year(), id.birth_date.month()) == (y, m) => {
                Some(id.birth_date)
            }
            (None, Some(_), Some(_)) => {
                errs.push(FieldError::new("birth_date", "出生年月与公民身份号码中的出生日期不一致"));
                None
            }
            (None, _, _) => {
                errs.push(FieldError::new("birth_date", "出生日期格式应为 2025-07-01（或只写年月，如 1985.03）"));
                None
            }
        }
    };
    if birth_date.is_none() && input.birth_date.trim().is_empty() && input.id_card.trim().is_empty() {
        errs.push(FieldError::new("birth_date", "出生日期为必填项"));
    }
    if let (Some(b), Some(id)) = (birth_date, id_parsed.as_ref())
        && b != id.birth_date
    {
        errs.push(FieldError::new("birth_date", "出生日期与公民身份号码中的出生日期不一致"));
    }
    if let (Some(id), true) = (id_parsed.as_ref(), GENDERS.contains(&gender.as_str()))
        && id.gender != gender
    {
        errs.push(FieldError::new("gender", "性别与公民身份号码不一致"));
    }
    if let Some(b) = birth_date {
        if b > today {
            errs.push(FieldError::new("birth_date", "出生日期不能晚于今天"));
        } else if age_on(b, today) > 120 {
            errs.push(FieldError::new("birth_date", "出生日期不合理（年龄超过120岁）"));
        }
    }

    let status_text = input.status.trim();
    let status = if req("status", status_text, &mut errs) {
        match MemberStatus::parse_any(status_text) {
            Some(s) => Some(s),
            None => {
                errs.push(FieldError::new("status", format!("党籍状态“{status_text}”无效")));
                None
            }
        }
    } else {
        None
    };

    let parse_opt_date = |field: &str, s: &str, errs: &mut Vec<FieldError>| -> Option<NaiveDate> {
        if s.trim().is_empty() {
            return None;
        }
        let d = parse_date(s);
        if d.is_none() {
            let label = field_label(field);
            errs.push(FieldError::new(
                field,
                match parse_month(s) {
                    // The day matters here (probation, 党龄): it is not made up.
                    Some((y, m)) => {
                        format!("{label}须写到日，如 {y}-{m:02}-01；花名册只记到月的，请按入党志愿书或党员档案补全")
                    }
                    None => format!("{label}格式应为 2025-07-01"),
                },
            ));
        }
        d
    };
    let join_date = parse_opt_date("join_date", &input.join_date, &mut errs);
    let full_date = parse_opt_date("full_date", &input.full_date, &mut errs);

    if let Some(s) = status {
        let needs_join = matches!(s, MemberStatus::Probationary | MemberStatus::Full);
        if needs_join && join_date.is_none() && input.join_date.trim().is_empty() {
            errs.push(FieldError::new("join_date", format!("{}须填写入党日期", s.label())));
        }
        if s == MemberStatus::Full && full_date.is_none() && input.full_date.trim().is_empty() {
            errs.push(FieldError::new("full_date", "正式党员须填写转正日期"));
        }
        if matches!(s, MemberStatus::Applicant | MemberStatus::Activist | MemberStatus::Candidate)
            && join_date.is_some()
        {
            errs.push(FieldError::new("join_date", format!("{}尚未入党，不应填写入党日期", s.label())));
        }
        if s == MemberStatus::Probationary && full_date.is_some() {
            errs.push(FieldError::new("full_date", "预备党员尚未转正，不应填写转正日期"));
        }
    }
    if let Some(j) = join_date {
        if j > today {
            errs.push(FieldError::new("join_date", "入党日期不能晚于今天"));
        }
        if let Some(b) = birth_date
            && age_on(b, j) < 18
        {
            errs.push(FieldError::new("join_date", "入党时应年满18周岁，请核对入党日期与出生日期"));
        }
    }
    if let Some(f) = full_date {
        if f > today {
            errs.push(FieldError::new("full_date", "转正日期不能晚于今天"));
        }
        match join_date {
            Some(j) if f < j => errs.push(FieldError::new("full_date", "转正日期不能早于入党日期")),
            None => errs.push(FieldError::new("join_date", "填写转正日期时须同时填写入党日期")),
            _ => {}
        }
    }

    let phone = crate::text::to_halfwidth(&input.phone).trim().to_string();
    if !phone.is_empty() && !check_phone(&phone) {
        errs.push(FieldError::new("phone", "联系电话应为11位手机号或以0开头的固定电话"));
    }

    let org_id = match input.org_id.trim().parse::<i64>() {
        Ok(v) if v > 0 => Some(v),
        _ => {
            errs.push(FieldError::new("org_id", "请选择所在党支部"));
            None
        }
    };
    let group_id = match input.group_id.trim() {
        "" => None,
        g => match g.parse::<i64>() {
            Ok(v) if v > 0 => Some(v),
            _ => {
                errs.push(FieldError::new("group_id", "所在党小组无效"));
                None
            }
        },
    };

    for (field, v, max) in [
        ("position", &input.position, 100),
        ("native_place", &input.native_place, 50),
        ("address", &input.address, 200),
        ("community", &input.community, 100),
    ] {
        if v.trim().chars().count() > max {
            errs.push(FieldError::new(field, format!("{}不能超过{}个字", field_label(field), max)));
        }
    }

    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    Ok(ValidMember {
        name,
        gender,
        ethnicity,
        birth_date: birth_date.expect("checked"),
        id_card: id_parsed.expect("checked").number,
        education,
        category,
        phone,
        position: input.position.trim().to_string(),
        cadre_rank,
        native_place: input.native_place.trim().to_string(),
        address: input.address.trim().to_string(),
        community: input.community.trim().to_string(),
        join_date,
        full_date,
        status: status.expect("checked"),
        org_id: org_id.expect("checked"),
        group_id,
    })
}

/// Birth-date bounds for an age range on a date: members aged within
/// [min_age, max_age] were born in [earliest, latest].
pub fn birth_bounds(
    min_age: Option<i32>,
    max_age: Option<i32>,
    on: NaiveDate,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let shift = |years: i32| {
        on.with_year(on.year() - years).or_else(|| (on - chrono::Days::new(1)).with_year(on.year() - years))
    };
    // Born on or before this date => age >= min_age.
    let latest = min_age.and_then(shift);
    // Born after this date => age <= max_age.
    let earliest = max_age.and_then(|a| shift(a + 1)).map(|d| d + chrono::Days::new(1));
    (earliest, latest)
}

#[cfg(test)]
mod tests;
