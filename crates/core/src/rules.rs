//! Rules as data: versioned rows with effective dates. The platform ships the
//! national defaults of shared/RULES.md as the first version of each rule; the
//! working committee adds later versions without code. Code only knows the
//! shape of each rule and asks which version is in force on a date.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::auth::RevealPolicy;
use crate::dues::DuesRules;
use crate::meeting::MeetingKinds;
use crate::ranking::RankingRules;
use crate::recruitment::RecruitmentRules;
use crate::transfer::TransferRules;

/// One stored version of one rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RuleRow {
    pub key: String,
    pub effective_from: NaiveDate,
    pub value: serde_json::Value,
    /// Where the rule comes from (document number, or who changed it).
    pub source: String,
}

/// A typed rule: its key, its source and its national default.
pub trait Rule: Serialize + DeserializeOwned + Default + Clone {
    const KEY: &'static str;
    /// Chinese name shown on the rules page.
    const LABEL: &'static str;
    const SOURCE: &'static str;
    const DEFAULT_FROM: (i32, u32, u32);
    /// Checks a proposed new value; messages in Chinese.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
    /// Checks the effective date of a proposed version; messages in Chinese.
    fn check_date(&self, _effective_from: NaiveDate) -> Result<(), String> {
        Ok(())
    }
}

/// All versions of all rules, as loaded from the store.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rows: Vec<RuleRow>,
}

impl RuleSet {
    pub fn new(mut rows: Vec<RuleRow>) -> Self {
        rows.sort_by(|a, b| (a.key.as_str(), a.effective_from).cmp(&(b.key.as_str(), b.effective_from)));
        Self { rows }
    }

    /// A rule set whose every row is a version of a known rule that reads as
    /// that rule (its shape: an older version need not pass checks added
    /// later). A stored version that cannot be read — a hand edit, or a rule
    /// whose shape changed without a migration — is an error naming the rule
    /// and its date, never silently the national default.
    pub fn checked(rows: Vec<RuleRow>) -> Result<Self, String> {
        for r in &rows {
            readable(&r.key, &r.value).map_err(|e| {
                format!("规则“{}”自 {} 起的版本无法读取（{e}），请先更正该规则", label(&r.key), r.effective_from)
            })?;
        }
        Ok(Self::new(rows))
    }

    /// The version of rule R in force on `on`; the built-in default if none is
    /// stored yet. A loaded set is checked ([`RuleSet::checked`]), so every
    /// stored version reads.
    pub fn get<R: Rule>(&self, on: NaiveDate) -> R {
        self.rows
            .iter()
            .rfind(|r| r.key == R::KEY && r.effective_from <= on)
            .and_then(|r| serde_json::from_value(r.value.clone()).ok())
            .unwrap_or_default()
    }

    pub fn rows(&self) -> &[RuleRow] {
        &self.rows
    }
}

fn default_row<R: Rule>() -> RuleRow {
    let (y, m, d) = R::DEFAULT_FROM;
    RuleRow {
        key: R::KEY.to_string(),
        effective_from: NaiveDate::from_ymd_opt(y, m, d).expect("valid default date"),
        value: serde_json::to_value(R::default()).expect("rule serializes"),
        source: R::SOURCE.to_string(),
    }
}

/// The national defaults every new installation starts from.
pub fn national_defaults() -> Vec<RuleRow> {
    vec![
        default_row::<OrgRules>(),
        default_row::<SecurityPolicy>(),
        default_row::<RevealPolicy>(),
        default_row::<MeetingKinds>(),
        default_row::<DuesRules>(),
        default_row::<RecruitmentRules>(),
        default_row::<TransferRules>(),
        default_row::<RankingRules>(),
    ]
}

/// Validates a JSON value proposed for a rule key from a date, returning the normalized value.
pub fn check_value(
    key: &str,
    value: &serde_json::Value,
    effective_from: NaiveDate,
) -> Result<serde_json::Value, String> {
    fn typed<R: Rule>(value: &serde_json::Value, from: NaiveDate) -> Result<serde_json::Value, String> {
        let r: R = serde_json::from_value(value.clone()).map_err(|e| format!("规则内容格式不正确：{e}"))?;
        r.check()?;
        r.check_date(from)?;
        Ok(serde_json::to_value(r).expect("rule serializes"))
    }
    match key {
        OrgRules::KEY => typed::<OrgRules>(value, effective_from),
        SecurityPolicy::KEY => typed::<SecurityPolicy>(value, effective_from),
        RevealPolicy::KEY => typed::<RevealPolicy>(value, effective_from),
        MeetingKinds::KEY => typed::<MeetingKinds>(value, effective_from),
        DuesRules::KEY => typed::<DuesRules>(value, effective_from),
        RecruitmentRules::KEY => typed::<RecruitmentRules>(value, effective_from),
        TransferRules::KEY => typed::<TransferRules>(value, effective_from),
        RankingRules::KEY => typed::<RankingRules>(value, effective_from),
        _ => Err(format!("未知的规则：{key}")),
    }
}

/// Whether a stored value reads as the rule its key names.
fn readable(key: &str, value: &serde_json::Value) -> Result<(), String> {
    fn shape<R: Rule>(value: &serde_json::Value) -> Result<(), String> {
        serde_json::from_value::<R>(value.clone()).map(|_| ()).map_err(|e| e.to_string())
    }
    match key {
        OrgRules::KEY => shape::<OrgRules>(value),
        SecurityPolicy::KEY => shape::<SecurityPolicy>(value),
        RevealPolicy::KEY => shape::<RevealPolicy>(value),
        MeetingKinds::KEY => shape::<MeetingKinds>(value),
        DuesRules::KEY => shape::<DuesRules>(value),
        RecruitmentRules::KEY => shape::<RecruitmentRules>(value),
        TransferRules::KEY => shape::<TransferRules>(value),
        RankingRules::KEY => shape::<RankingRules>(value),
        _ => Err("未知的规则".into()),
    }
}

/// Label of a known rule key.
pub fn label(key: &str) -> &'static str {
    match key {
        OrgRules::KEY => OrgRules::LABEL,
        SecurityPolicy::KEY => SecurityPolicy::LABEL,
        RevealPolicy::KEY => RevealPolicy::LABEL,
        MeetingKinds::KEY => MeetingKinds::LABEL,
        DuesRules::KEY => DuesRules::LABEL,
        RecruitmentRules::KEY => RecruitmentRules::LABEL,
        TransferRules::KEY => TransferRules::LABEL,
        RankingRules::KEY => RankingRules::LABEL,
        _ => "未知规则",
    }
}

/// Organization rules (中国共产党支部工作条例（试行）, 2018).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct OrgRules {
    /// A branch needs at least this many full members.
    pub branch_min_full_members: i64,
    /// From this many full members a branch elects a committee.
    pub committee_threshold_full_members: i64,
    /// A branch usually has at most this many members.
    pub branch_max_members: i64,
    /// A branch counts as having a committee with at least this many committee posts filled.
    pub committee_min_size: i64,
    pub branch_term_years: i64,
    pub general_branch_term_years: i64,
    pub party_committee_term_years: i64,
    /// Elections due within this many days are shown as due soon.
    pub election_due_soon_days: i64,
}

impl Default for OrgRules {
    fn default() -> Self {
        Self {
            branch_min_full_members: 3,
            committee_threshold_full_members: 7,
            branch_max_members: 50,
            committee_min_size: 3,
            branch_term_years: 3,
            general_branch_term_years: 3,
            party_committee_term_years: 5,
            election_due_soon_days: 90,
        }
    }
}

impl Rule for OrgRules {
    const KEY: &'static str = "org";
    const LABEL: &'static str = "党组织设置与任期";
    const SOURCE: &'static str = "《中国共产党支部工作条例（试行）》（2018）";
    const DEFAULT_FROM: (i32, u32, u32) = (2018, 10, 28);
    fn check(&self) -> Result<(), String> {
        if self.branch_min_full_members < 1 || self.branch_max_members < self.branch_min_full_members {
            return Err("支部人数上下限不合理".into());
        }
        if [self.branch_term_years, self.general_branch_term_years, self.party_committee_term_years]
            .iter()
            .any(|y| !(1..=10).contains(y))
        {
            return Err("任期年限应在1至10年之间".into());
        }
        Ok(())
    }
}

/// Security policy (等保2.0 level 3 practice).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SecurityPolicy {
    pub password_min_length: i64,
    pub password_min_classes: i64,
    pub password_expiry_days: i64,
    pub password_history: i64,
    pub lock_after_failures: i64,
    pub lock_minutes: i64,
    pub idle_timeout_minutes: i64,
    pub audit_retention_days: i64,
    /// A session ends this many hours after sign-in, however active.
    pub session_max_hours: i64,
    /// Failed sign-ins one network address may make within `lock_minutes`
    /// (whatever the usernames) before it must wait.
    pub address_failures: i64,
    /// Refused applications one person may make to one campaign a day when
    /// the campaign carries the no-sanction condition (probing for sanctions).
    pub campaign_refusals_per_day: i64,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        Self {
            password_min_length: 8,
            password_min_classes: 3,
            password_expiry_days: 90,
            password_history: 5,
            lock_after_failures: 5,
            lock_minutes: 15,
            idle_timeout_minutes: 30,
            audit_retention_days: 184,
            session_max_hours: 12,
            address_failures: 30,
            campaign_refusals_per_day: 3,
        }
    }
}

impl Rule for SecurityPolicy {
    const KEY: &'static str = "security";
    const LABEL: &'static str = "安全策略";
    const SOURCE: &'static str = "GB/T 22239-2019 第三级实践；《网络安全法》第二十一条";
    const DEFAULT_FROM: (i32, u32, u32) = (2019, 12, 1);
    fn check(&self) -> Result<(), String> {
        if self.password_min_length < 8 {
            return Err("密码最小长度不得低于8位".into());
        }
        if !(3..=4).contains(&self.password_min_classes) {
            return Err("密码字符类别数应为3或4".into());
        }
        if self.audit_retention_days < 184 {
            return Err("审计日志保存期不得少于184天（六个月）".into());
        }
        if self.lock_after_failures < 1 || self.lock_minutes < 1 || self.idle_timeout_minutes < 1 {
            return Err("锁定与超时参数须为正数".into());
        }
        if !(1..=24).contains(&self.session_max_hours) {
            return Err("会话最长有效期应为1至24小时".into());
        }
        if self.campaign_refusals_per_day < 1 {
            return Err("评选申报每日未通过次数上限须为正数".into());
        }
        if self.address_failures < self.lock_after_failures {
            return Err("同一地址的失败登录上限不得小于单个账号的锁定次数".into());
        }
        Ok(())
    }
}

impl Rule for RevealPolicy {
    const KEY: &'static str = "reveal";
    const LABEL: &'static str = "敏感字段查看权限";
    const SOURCE: &'static str = "平台默认（安全管理员可调整）";
    const DEFAULT_FROM: (i32, u32, u32) = (2019, 12, 1);
    fn check(&self) -> Result<(), String> {
        use crate::auth::Role;
        let allowed = [Role::CommitteeAdmin, Role::UnitAdmin, Role::BranchSecretary];
        if self.id_card.iter().chain(&self.phone).any(|r| !allowed.contains(r)) {
            return Err("只有工委管理员、单位党务管理员、支部书记可被授权查看敏感字段".into());
        }
        Ok(())
    }
}

/// Convenience: read one typed rule straight from rows (used by tests and seeds).
pub fn in_force<R: Rule>(rows: &[RuleRow], on: NaiveDate) -> R {
    RuleSet::new(rows.to_vec()).get(on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn later_version_applies_from_its_date() {
        let mut rows = national_defaults();
        let changed = OrgRules { branch_max_members: 40, ..Default::default() };
        rows.push(RuleRow {
            key: "org".into(),
            effective_from: d(2025, 7, 1),
            value: serde_json::to_value(&changed).unwrap(),
            source: "test".into(),
        });
        let set = RuleSet::new(rows);
        assert_eq!(set.get::<OrgRules>(d(2025, 6, 30)).branch_max_members, 50);
        assert_eq!(set.get::<OrgRules>(d(2025, 7, 1)).branch_max_members, 40);
        assert_eq!(set.get::<OrgRules>(d(2026, 1, 1)).branch_max_members, 40);
    }

    #[test]
    fn defaults_match_national_rules() {
        let set = RuleSet::new(national_defaults());
        let s: SecurityPolicy = set.get(d(2025, 1, 1));
        assert_eq!(
            (s.password_min_length, s.lock_after_failures, s.lock_minutes, s.idle_timeout_minutes),
            (8, 5, 15, 30)
        );
        assert_eq!(s.audit_retention_days, 184);
        let o: OrgRules = set.get(d(2025, 1, 1));
        assert_eq!((o.branch_min_full_members, o.committee_threshold_full_members, o.branch_max_members), (3, 7, 50));
    }

    #[test]
    fn bad_values_are_refused() {
        let mut s = serde_json::to_value(SecurityPolicy::default()).unwrap();
        s["audit_retention_days"] = 30.into();
        assert!(check_value("security", &s, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).unwrap_err().contains("184"));
        assert!(check_value("nope", &s, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).is_err());
    }
}
