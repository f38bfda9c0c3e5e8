//! Party dues: each member's dues setting (type and base) as versioned rows by
//! month, and the roster of monthly dues computed from them under the dues
//! rule in force for that month. (Cycles and payments build on this.)

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use xianfeng_core::FieldError;
use xianfeng_core::auth::MemberScope;
use xianfeng_core::dues::{self as core_dues, DuesBase, DuesRules, Fen, MemberType};
use xianfeng_core::text::now_ms;

use crate::audit::{Event, append};
use crate::db::Q;
use crate::member::member_scope_where;
use crate::{Result, Store, StoreError, Who, q};

/// One version of a member's dues setting.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BaseRow {
    pub member_id: i64,
    pub effective_from: NaiveDate,
    pub member_type: String,
    pub base_fen: i64,
    pub fixed_fen: i64,
    pub note: String,
    pub set_by: String,
    pub set_at: i64,
}

impl BaseRow {
    pub fn member_type(&self) -> Option<MemberType> {
        MemberType::parse(&self.member_type)
    }
    pub fn type_label(&self) -> &'static str {
        self.member_type().map(|t| t.label()).unwrap_or("")
    }
    pub fn base(&self) -> DuesBase {
        DuesBase {
            member_type: self.member_type().unwrap_or(MemberType::Salaried),
            base: Fen(self.base_fen),
            fixed: Fen(self.fixed_fen),
        }
    }
    pub fn base_text(&self) -> String {
        if self.member_type().is_some_and(|t| t.has_base()) { Fen(self.base_fen).to_string() } else { "—".into() }
    }
    pub fn month(&self) -> String {
        self.effective_from.format("%Y-%m").to_string()
    }
}

/// The first day of a month typed as 2025-07 (or any date in it).
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let d = xianfeng_core::member::parse_date(&format!("{s}-01")).or_else(|| xianfeng_core::member::parse_date(s))?;
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
}

/// What a secretary sets for a member.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BaseInput {
    pub member_type: String,
    /// Yuan, as typed ("8,000.00").
    pub base: String,
    /// Yuan, for farmers.
    pub fixed: String,
    /// The first month it applies to: 2025-07.
    pub effective_month: String,
    pub note: String,
}

/// Records a member's dues setting from a month on (a later setting of the
/// same month replaces it); audited.
pub async fn set_base(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    member_id: i64,
    input: &BaseInput,
) -> Result<BaseRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = crate::member::get(store, scope, member_id).await?;
    let mut errors = Vec::new();
    let t = MemberType::parse(input.member_type.trim());
    if t.is_none() {
        errors.push(FieldError::new("member_type", "请选择党员类别"));
    }
    let month = parse_month(&input.effective_month);
    if month.is_none() {
        errors.push(FieldError::new("effective_month", "请按 2025-07 的格式填写起始月份"));
    }
    let mut base = Fen(0);
    let mut fixed = Fen(0);
    if let Some(t) = t {
        if t.has_base() {
            match Fen::parse(&input.base) {
                Some(b) => base = b,
                None => errors.push(FieldError::new("base", format!("请填写{}（元，最多两位小数）", t.base_label()))),
            }
        } else if t == MemberType::Farmer {
            match Fen::parse(&input.fixed) {
                Some(f) => fixed = f,
                None => errors.push(FieldError::new("fixed", "请填写每月交纳金额（元）")),
            }
        }
    }
    if input.note.chars().count() > 200 {
        errors.push(FieldError::new("note", "备注不能超过200字"));
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let (t, month) = (t.expect("checked"), month.expect("checked"));
    let rules: DuesRules = store.rules().await?.get::<DuesRules>(month);
    let setting = DuesBase { member_type: t, base, fixed };
    let due = core_dues::monthly_due(&rules, &setting).map_err(|msg| StoreError::invalid("fixed", msg))?;
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "DELETE FROM dues_bases WHERE committee_id = $1 AND member_id = $2 AND effective_from = $3",
            m.committee_id,
            m.id,
            month
        ))
        .await?;
    tx.c()
        .execute(q!(
            "INSERT INTO dues_bases (committee_id, member_id, effective_from, member_type, base_fen, fixed_fen, note, set_by, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            m.committee_id, m.id, month, t.as_str(), base.0, fixed.0, input.note.trim(), who.username.clone(), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("update", "dues_base", m.id).detail(format!(
            "{}起 {}，月缴{}",
            month.format("%Y-%m"),
            t.label(),
            due.amount
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(bases_of(store, scope, member_id).await?.into_iter().find(|b| b.effective_from == month).expect("just written"))
}

/// Every version of a member's setting, newest first.
pub async fn bases_of(store: &Store, scope: &MemberScope, member_id: i64) -> Result<Vec<BaseRow>> {
    let m = crate::member::get(store, scope, member_id).await?;
    store
        .db
        .r()
        .fetch_all(q!(
            "SELECT member_id, effective_from, member_type, base_fen, fixed_fen, note, set_by, set_at FROM dues_bases \
             WHERE committee_id = $1 AND member_id = $2 ORDER BY effective_from DESC",
            m.committee_id,
            m.id
        ))
        .await
}

/// One line of the dues roster for a month.
#[derive(Debug, Clone, Serialize)]
pub struct RosterLine {
    pub member_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub status: String,
    /// None: no setting yet for this month.
    pub member_type: Option<MemberType>,
    pub base: Option<Fen>,
    pub due: Option<Fen>,
    pub explanation: String,
    pub since: Option<NaiveDate>,
}

impl RosterLine {
    pub fn type_label(&self) -> &'static str {
        self.member_type.map(|t| t.label()).unwrap_or("未设置")
    }
    pub fn base_text(&self) -> String {
        match (self.member_type, self.base) {
            (Some(t), Some(b)) if t.has_base() => b.to_string(),
            (Some(_), _) => "—".into(),
            _ => String::new(),
        }
    }
    pub fn due_text(&self) -> String {
        self.due.map(|d| d.to_string()).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Roster {
    pub month: NaiveDate,
    pub items: Vec<RosterLine>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Over the whole roster, not the page.
    pub members: usize,
    pub without_setting: usize,
    pub total_due: Fen,
}

/// The monthly dues of the members (full and probationary) in scope, under
/// an org if given, each computed from their setting in force that month.
pub async fn roster(
    store: &Store,
    scope: &MemberScope,
    org_id: Option<i64>,
    month: NaiveDate,
    missing_only: bool,
    page: i64,
    per_page: i64,
) -> Result<Roster> {
    #[derive(sqlx::FromRow)]
    struct Row {
        member_id: i64,
        name: String,
        org_id: i64,
        org_name: String,
        status: String,
        member_type: Option<String>,
        base_fen: Option<i64>,
        fixed_fen: Option<i64>,
        effective_from: Option<NaiveDate>,
    }
    let mut q = Q::new(
        "SELECT m.id AS member_id, m.name, m.org_id, o.name AS org_name, m.status, b.member_type, b.base_fen, b.fixed_fen, b.effective_from \
         FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
         LEFT JOIN dues_bases b ON b.committee_id = m.committee_id AND b.member_id = m.id AND b.effective_from = \
         (SELECT MAX(b2.effective_from) FROM dues_bases b2 WHERE b2.committee_id = m.committee_id AND b2.member_id = m.id AND b2.effective_from <= ",
    );
    q.bind(month).push(") WHERE m.status IN ('full', 'probationary')");
    member_scope_where(&mut q, scope);
    if let Some(id) = org_id {
        let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::NotFound) };
        let under = crate::org::get(store.db.r(), org, id).await?;
        q.push(" AND o.path LIKE ").bind(format!("{}%", under.path));
    }
    q.push(" ORDER BY o.path, m.name, m.id");
    let rows: Vec<Row> = store.db.r().fetch_all(q).await?;
    let rules: DuesRules = store.rules().await?.get::<DuesRules>(month);
    let mut lines: Vec<RosterLine> = rows
        .into_iter()
        .map(|r| {
            let t = r.member_type.as_deref().and_then(MemberType::parse);
            let due = t.map(|t| {
                core_dues::monthly_due(
                    &rules,
                    &DuesBase {
                        member_type: t,
                        base: Fen(r.base_fen.unwrap_or(0)),
                        fixed: Fen(r.fixed_fen.unwrap_or(0)),
                    },
                )
            });
            let (due, explanation) = match due {
                Some(Ok(d)) => (Some(d.amount), d.explanation),
                Some(Err(msg)) => (None, msg),
                None => (None, String::new()),
            };
            RosterLine {
                member_id: r.member_id,
                name: r.name,
                org_id: r.org_id,
                org_name: r.org_name,
                status: r.status,
                member_type: t,
                base: r.base_fen.map(Fen),
                due,
                explanation,
                since: r.effective_from,
            }
        })
        .collect();
    let members = lines.len();
    let without_setting = lines.iter().filter(|l| l.member_type.is_none()).count();
    let total_due = Fen(lines.iter().filter_map(|l| l.due).map(|d| d.0).sum());
    if missing_only {
        lines.retain(|l| l.member_type.is_none());
    }
    let total = lines.len() as i64;
    let items = lines.into_iter().skip(((page - 1).max(0) * per_page) as usize).take(per_page as usize).collect();
    Ok(Roster { month, items, total, page, per_page, members, without_setting, total_due })
}
