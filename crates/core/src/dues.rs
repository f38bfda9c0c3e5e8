//! Party dues (党费): exact money in fen, member types, brackets as versioned
//! rule data (中组发〔2008〕3号), and the monthly due computed from a base.
//!
//! The rounding rule, stated once: the due is base × rate, computed exactly in
//! fen × basis points, then rounded half up to the fen (0.005 yuan and more
//! rounds up). No floating point anywhere.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::Rule;

/// An amount of money in fen (0.01 yuan), exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub fn yuan(y: i64) -> Fen {
        Fen(y * 100)
    }
    /// Parses a yuan amount as typed: "8000", "8,000.5", "¥1,234.50", "1234.5元".
    /// More than two decimals, signs and other characters are refused.
    pub fn parse(s: &str) -> Option<Fen> {
        let t: String = s
            .trim()
            .trim_start_matches(['¥', '￥'])
            .trim_end_matches('元')
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let t = t.trim();
        if t.is_empty() {
            return None;
        }
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
            return None;
        }
        if !frac.chars().all(|c| c.is_ascii_digit()) || int.len() > 12 {
            return None;
        }
        let yuan: i64 = int.parse().ok()?;
        let fen: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        Some(Fen(yuan * 100 + fen))
    }
    /// "1234.50" (for forms and exports).
    pub fn plain(&self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl std::fmt::Display for Fen {
    /// "¥1,234.50"
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.abs();
        let yuan = (a / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}¥{grouped}.{:02}", a % 100)
    }
}

crate::state_enum! {
    /// A unit's monthly dues cycle: collecting until the unit settles it.
    pub enum CycleStatus ("收缴状态") {
        Collecting = ("collecting", "收缴中"),
        Settled = ("settled", "已结算"),
    }
}

crate::state_enum! {
    /// How a member's dues are determined.
    pub enum MemberType ("党员类别") {
        /// 在职: monthly wage after tax and the unit's deductions, salaried brackets.
        Salaried = ("salaried", "在职（工资收入）"),
        /// 年薪制: last year's monthly average, salaried brackets.
        AnnualSalary = ("annual_salary", "年薪制"),
        /// 离退休: pension, retired brackets.
        Retired = ("retired", "离退休"),
        /// 学生
        Student = ("student", "学生"),
        /// 下岗失业
        LaidOff = ("laid_off", "下岗失业"),
        /// 享受低保
        Relief = ("relief", "享受低保"),
        /// 农民: a fixed amount within the rule's range.
        Farmer = ("farmer", "农民"),
    }
}

impl MemberType {
    /// Whether the due is a percentage of a base (else a fixed amount).
    pub fn has_base(self) -> bool {
        matches!(self, MemberType::Salaried | MemberType::AnnualSalary | MemberType::Retired)
    }
    /// What the base is called on forms.
    pub fn base_label(self) -> &'static str {
        match self {
            MemberType::Salaried => "税后月工资收入（扣除单位规定项目后）",
            MemberType::AnnualSalary => "上年度月平均收入（税后）",
            MemberType::Retired => "月离退休费",
            _ => "",
        }
    }
}

/// One bracket: bases up to and including `up_to` (None: no upper bound) pay `rate_bp` basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bracket {
    pub up_to: Option<Fen>,
    /// Rate in basis points: 0.5 % = 50.
    pub rate_bp: i64,
}

/// The dues rule (党费收缴标准).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DuesRules {
    pub salaried: Vec<Bracket>,
    pub retired: Vec<Bracket>,
    /// Fixed monthly amounts.
    pub student: Fen,
    pub laid_off: Fen,
    pub relief: Fen,
    pub farmer_min: Fen,
    pub farmer_max: Fen,
    /// Back payments normally reach back at most this many months.
    pub back_pay_months: i64,
    /// Consecutive unpaid months flagged as a warning, and as possible 自行脱党.
    pub warn_unpaid_months: i64,
    pub lapse_unpaid_months: i64,
}

impl Default for DuesRules {
    fn default() -> Self {
        let b = |up_to: Option<i64>, rate_bp| Bracket { up_to: up_to.map(Fen::yuan), rate_bp };
        DuesRules {
            salaried: vec![b(Some(3000), 50), b(Some(5000), 100), b(Some(10000), 150), b(None, 200)],
            retired: vec![b(Some(5000), 50), b(None, 100)],
            student: Fen(20),
            laid_off: Fen(20),
            relief: Fen(20),
            farmer_min: Fen(20),
            farmer_max: Fen(100),
            back_pay_months: 6,
            warn_unpaid_months: 3,
            lapse_unpaid_months: 6,
        }
    }
}

fn check_brackets(name: &str, b: &[Bracket]) -> Result<(), String> {
    if b.is_empty() || b.last().is_some_and(|x| x.up_to.is_some()) {
        return Err(format!("{name}的最后一档须不设上限"));
    }
    let mut prev = Fen(0);
    for (i, x) in b.iter().enumerate() {
        if !(1..=10_000).contains(&x.rate_bp) {
            return Err(format!("{name}第{}档的比例应在0.01%至100%之间", i + 1));
        }
        if let Some(u) = x.up_to {
            if u <= prev {
                return Err(format!("{name}各档上限须逐档递增"));
            }
            prev = u;
        } else if i + 1 != b.len() {
            return Err(format!("{name}只有最后一档可以不设上限"));
        }
    }
    Ok(())
}

impl Rule for DuesRules {
    const KEY: &'static str = "dues";
    const LABEL: &'static str = "党费收缴标准";
    const SOURCE: &'static str = "中组发〔2008〕3号《关于中国共产党党费收缴、使用和管理的规定》";
    const DEFAULT_FROM: (i32, u32, u32) = (2008, 4, 1);
    fn check(&self) -> Result<(), String> {
        check_brackets("在职党员", &self.salaried)?;
        check_brackets("离退休党员", &self.retired)?;
        for (label, f) in [("学生", self.student), ("下岗失业", self.laid_off), ("低保", self.relief)] {
            if f.0 < 0 {
                return Err(format!("{label}党员的党费不能为负"));
            }
        }
        if self.farmer_min.0 < 0 || self.farmer_max < self.farmer_min {
            return Err("农民党员党费的范围不合理".into());
        }
        if !(1..=24).contains(&self.back_pay_months) || self.warn_unpaid_months < 1 || self.lapse_unpaid_months < 1 {
            return Err("补交月数与未缴提醒月数须为正数".into());
        }
        Ok(())
    }
    fn check_date(&self, effective_from: NaiveDate) -> Result<(), String> {
        use chrono::Datelike;
        if effective_from.day() != 1 {
            return Err("党费按月计算，生效日期须为某月1日".into());
        }
        Ok(())
    }
}

/// The rate for a base under brackets.
pub fn rate_for(brackets: &[Bracket], base: Fen) -> i64 {
    brackets.iter().find(|b| b.up_to.is_none_or(|u| base <= u)).map(|b| b.rate_bp).unwrap_or(0)
}

/// base × rate_bp / 10,000, rounded half up to the fen.
pub fn apply_rate(base: Fen, rate_bp: i64) -> Fen {
    let num = base.0 as i128 * rate_bp as i128;
    Fen(((num + 5_000) / 10_000) as i64)
}

/// A member's dues setting for a month: type, base (for typed bases) or fixed amount (farmers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuesBase {
    pub member_type: MemberType,
    pub base: Fen,
    /// For farmers: the amount chosen within the rule's range.
    pub fixed: Fen,
}

/// How a due was computed, for the record and the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub amount: Fen,
    pub rate_bp: i64,
    /// "8,000.00 × 1.5% = 120.00" or "学生党员按月0.20元".
    pub explanation: String,
}

pub fn rate_text(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else {
        format!("{}.{}%", bp / 100, format!("{:02}", bp % 100).trim_end_matches('0'))
    }
}

/// The monthly due under the rules in force.
pub fn monthly_due(rules: &DuesRules, b: &DuesBase) -> Result<Due, String> {
    let fixed =
        |amount: Fen, who: &str| Due { amount, rate_bp: 0, explanation: format!("{who}党员按月{}", amount) };
    Ok(match b.member_type {
        MemberType::Salaried | MemberType::AnnualSalary | MemberType::Retired => {
            if b.base.0 < 0 {
                return Err("基数不能为负".into());
            }
            let brackets = if b.member_type == MemberType::Retired { &rules.retired } else { &rules.salaried };
            let rate = rate_for(brackets, b.base);
            let amount = apply_rate(b.base, rate);
            Due { amount, rate_bp: rate, explanation: format!("{} × {} = {}", b.base, rate_text(rate), amount) }
        }
        MemberType::Student => fixed(rules.student, "学生"),
        MemberType::LaidOff => fixed(rules.laid_off, "下岗失业"),
        MemberType::Relief => fixed(rules.relief, "享受低保"),
        MemberType::Farmer => {
            if b.fixed < rules.farmer_min || b.fixed > rules.farmer_max {
                return Err(format!("农民党员每月交纳{}至{}", rules.farmer_min, rules.farmer_max));
            }
            fixed(b.fixed, "农民")
        }
    })
}

/// How a payment was made.
pub const PAYMENT_METHODS: [(&str, &str); 5] =
    [("cash", "现金"), ("transfer", "银行转账"), ("wechat", "微信"), ("alipay", "支付宝"), ("payroll", "工资代扣")];

/// Whether a payment for `month` made on `paid_on` was made within the month (or ahead of it).
pub fn paid_on_time(month: NaiveDate, paid_on: NaiveDate) -> bool {
    use chrono::Datelike;
    month.checked_add_months(chrono::Months::new(1)).is_some_and(|next| paid_on < next.with_day(1).unwrap_or(next))
}

pub fn method_label(id: &str) -> &'static str {
    PAYMENT_METHODS.iter().find(|(k, _)| *k == id).map(|(_, v)| *v).unwrap_or("")
}

/// Whole months from `from` to `to` (both taken as months): Jan→Jul = 6.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    use chrono::Datelike;
    (to.year() as i64 * 12 + to.month() as i64) - (from.year() as i64 * 12 + from.month() as i64)
}

/// Checks a payment for `month`'s due: not in the future, at least the due,
/// a known method, and a reason when it reaches back further than the rule allows.
pub fn check_payment(
    rules: &DuesRules,
    month: NaiveDate,
    due: Fen,
    amount: Fen,
    paid_on: NaiveDate,
    today: NaiveDate,
    method: &str,
    reason: &str,
) -> Result<(), crate::Error> {
    let mut errors = Vec::new();
    if paid_on > today {
        errors.push(crate::FieldError::new("paid_on", "缴费日期不能晚于今天"));
    }
    if amount < due {
        errors.push(crate::FieldError::new("amount", format!("缴费金额少于应缴的{due}")));
    }
    if method_label(method).is_empty() {
        errors.push(crate::FieldError::new("method", "请选择缴费方式"));
    }
    let back = months_between(month, paid_on);
    if back > rules.back_pay_months && reason.trim().is_empty() {
        errors.push(crate::FieldError::new(
            "reason",
            format!("补交{}个月前的党费（超过{}个月）须说明原因", back, rules.back_pay_months),
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(crate::Error::Invalid(errors)) }
}

/// Consecutive unpaid months ending at `latest` (the unit's latest month),
/// from the unpaid months alone: a paid or uncharged month breaks the run.
pub fn consecutive_unpaid_to(unpaid: &[NaiveDate], latest: NaiveDate) -> i64 {
    let mut n = 0;
    let mut month = latest;
    while unpaid.contains(&month) {
        n += 1;
        match month.checked_sub_months(chrono::Months::new(1)) {
            Some(m) => month = m,
            None => break,
        }
    }
    n
}

/// Consecutive unpaid months up to the latest charged month, given each
/// charged month and whether it was paid (any order).
pub fn consecutive_unpaid(mut charges: Vec<(NaiveDate, bool)>) -> i64 {
    charges.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut n = 0;
    let mut expect: Option<NaiveDate> = None;
    for (month, paid) in charges {
        if paid {
            break;
        }
        if let Some(e) = expect
            && months_between(month, e) != 1
        {
            break;
        }
        n += 1;
        expect = Some(month);
    }
    n
}

/// Deduction items a unit starts from when it has configured none (the items
/// 中组发〔2008〕3号 names for the salaried base).
pub const DEFAULT_DEDUCTIONS: [&str; 6] = ["养老保险", "医疗保险", "失业保险", "住房公积金", "职业年金", "个人所得税"];

/// The base from a gross monthly wage and its deductions (never below zero).
pub fn base_from(gross: Fen, deductions: &[(String, Fen)]) -> Result<Fen, String> {
    let total: i64 = deductions.iter().map(|(_, f)| f.0).sum();
    if total > gross.0 {
        return Err(format!("扣除合计{}超过了应发工资{}", Fen(total), gross));
    }
    Ok(Fen(gross.0 - total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(t: MemberType, base: &str) -> Fen {
        let b = DuesBase { member_type: t, base: Fen::parse(base).unwrap(), fixed: Fen(0) };
        monthly_due(&DuesRules::default(), &b).unwrap().amount
    }

    #[test]
    fn a_payment_counts_as_on_time_within_its_month_or_ahead() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(paid_on_time(d("2025-02-01"), d("2025-02-28")));
        assert!(paid_on_time(d("2025-02-01"), d("2025-01-20")), "paid ahead");
        assert!(!paid_on_time(d("2025-02-01"), d("2025-03-01")));
        assert!(paid_on_time(d("2025-12-01"), d("2025-12-31")));
        assert!(!paid_on_time(d("2025-12-01"), d("2026-01-01")));
    }

    #[test]
    fn money_parses_and_prints_exactly() {
        assert_eq!(Fen::parse("8000"), Some(Fen(800_000)));
        assert_eq!(Fen::parse("¥8,000.5"), Some(Fen(800_050)));
        assert_eq!(Fen::parse("1234.56元"), Some(Fen(123_456)));
        assert_eq!(Fen::parse("0.01"), Some(Fen(1)));
        for bad in ["", "-1", "1.234", "abc", "1e3", "1..2", ".5"] {
            assert_eq!(Fen::parse(bad), None, "{bad}");
        }
        assert_eq!(Fen(123_450).to_string(), "¥1,234.50");
        assert_eq!(Fen(100_000_000).to_string(), "¥1,000,000.00");
        assert_eq!(Fen(5).to_string(), "¥0.05");
        assert_eq!(Fen(123_450).plain(), "1234.50");
    }

    #[test]
    fn salaried_brackets_at_their_boundaries() {
        use MemberType::Salaried as S;
        assert_eq!(due(S, "8000"), Fen::parse("120.00").unwrap(), "the rule's own example");
        assert_eq!(due(S, "3000.00"), Fen(1500), "3000.00 is in the first bracket: 0.5%");
        assert_eq!(due(S, "3000.01"), Fen(3000), "3000.01 × 1% = 30.0001 → 30.00");
        assert_eq!(due(S, "5000"), Fen(5000), "5000 × 1%");
        assert_eq!(due(S, "5000.01"), Fen(7500), "5000.01 × 1.5% = 75.00015 → 75.00");
        assert_eq!(due(S, "10000"), Fen(15000), "10000 × 1.5%");
        assert_eq!(due(S, "10000.01"), Fen(20000), "10000.01 × 2% = 200.0002 → 200.00");
        assert_eq!(due(MemberType::AnnualSalary, "12000"), Fen(24000));
    }

    #[test]
    fn rounding_is_half_up_to_the_fen() {
        // 2999.99 × 0.5% = 14.99995 → 15.00; 1000.90 × 0.5% = 5.0045 → 5.00; 1001.00 × 0.5% = 5.005 → 5.01.
        assert_eq!(due(MemberType::Salaried, "2999.99"), Fen(1500));
        assert_eq!(due(MemberType::Salaried, "1000.90"), Fen(500));
        assert_eq!(due(MemberType::Salaried, "1001.00"), Fen(501));
        assert_eq!(apply_rate(Fen(1), 5000), Fen(1), "0.005 yuan rounds up");
        assert_eq!(apply_rate(Fen(1), 4999), Fen(0));
    }

    #[test]
    fn retirees_students_and_farmers() {
        assert_eq!(due(MemberType::Retired, "5000"), Fen(2500));
        assert_eq!(due(MemberType::Retired, "5000.01"), Fen(5000));
        assert_eq!(due(MemberType::Student, "0"), Fen(20));
        assert_eq!(due(MemberType::LaidOff, "0"), Fen(20));
        assert_eq!(due(MemberType::Relief, "0"), Fen(20));
        let r = DuesRules::default();
        let farmer = |f| monthly_due(&r, &DuesBase { member_type: MemberType::Farmer, base: Fen(0), fixed: Fen(f) });
        assert_eq!(farmer(50).unwrap().amount, Fen(50));
        assert!(farmer(10).unwrap_err().contains("¥0.20"));
        assert!(farmer(101).is_err());
        let d = monthly_due(&r, &DuesBase { member_type: MemberType::Salaried, base: Fen(800_000), fixed: Fen(0) })
            .unwrap();
        assert_eq!(d.explanation, "¥8,000.00 × 1.5% = ¥120.00");
        assert_eq!(rate_text(50), "0.5%");
        assert_eq!(rate_text(125), "1.25%");
    }

    #[test]
    fn payments_and_back_payments() {
        let r = DuesRules::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let ok = check_payment(
            &r,
            d("2025-01-01"),
            Fen(12_000),
            Fen(12_000),
            d("2025-07-20"),
            d("2025-08-01"),
            "wechat",
            "",
        );
        assert!(ok.is_ok(), "six months back is allowed without a reason");
        let Err(crate::Error::Invalid(e)) = check_payment(
            &r,
            d("2025-01-01"),
            Fen(12_000),
            Fen(12_000),
            d("2025-08-01"),
            d("2025-08-01"),
            "wechat",
            "",
        ) else {
            panic!()
        };
        assert_eq!(e[0].field, "reason");
        assert!(
            check_payment(
                &r,
                d("2025-01-01"),
                Fen(12_000),
                Fen(12_000),
                d("2025-08-01"),
                d("2025-08-01"),
                "wechat",
                "长期外派"
            )
            .is_ok()
        );
        let Err(crate::Error::Invalid(e)) =
            check_payment(&r, d("2025-07-01"), Fen(12_000), Fen(11_999), d("2025-08-02"), d("2025-08-01"), "x", "")
        else {
            panic!()
        };
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["paid_on", "amount", "method"]);
    }

    #[test]
    fn consecutive_unpaid_months_end_at_the_latest() {
        let d = |m: u32| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        assert_eq!(consecutive_unpaid(vec![(d(1), true), (d(2), false), (d(3), false), (d(4), false)]), 3);
        assert_eq!(consecutive_unpaid(vec![(d(4), true), (d(3), false)]), 0);
        assert_eq!(consecutive_unpaid(vec![(d(1), false), (d(3), false)]), 1, "a gap breaks the run");
        assert_eq!(consecutive_unpaid(vec![]), 0);
        assert_eq!(consecutive_unpaid_to(&[d(2), d(3), d(4)], d(4)), 3);
        assert_eq!(consecutive_unpaid_to(&[d(2), d(3)], d(4)), 0, "April was paid");
        assert_eq!(consecutive_unpaid_to(&[d(1), d(3), d(4)], d(4)), 2, "February was paid");
        assert_eq!(months_between(d(1), NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()), 12);
    }

    #[test]
    fn the_base_is_the_wage_less_the_units_deductions() {
        let d = |n: &str, y: &str| (n.to_string(), Fen::parse(y).unwrap());
        let base = base_from(
            Fen::parse("12000").unwrap(),
            &[d("养老保险", "960"), d("住房公积金", "1440"), d("个人所得税", "1600")],
        )
        .unwrap();
        assert_eq!(base, Fen::parse("8000").unwrap());
        assert!(base_from(Fen(100), &[d("x", "2")]).unwrap_err().contains("超过"));
    }

    #[test]
    fn bad_brackets_are_refused() {
        let mut r = DuesRules::default();
        r.check().unwrap();
        r.salaried[1].up_to = Some(Fen::yuan(2000));
        assert!(r.check().unwrap_err().contains("递增"));
        let mut r = DuesRules::default();
        r.salaried.pop();
        assert!(r.check().unwrap_err().contains("不设上限"));
        let r = DuesRules::default();
        assert!(r.check_date(NaiveDate::from_ymd_opt(2025, 7, 2).unwrap()).is_err());
    }
}
