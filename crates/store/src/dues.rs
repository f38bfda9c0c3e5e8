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

/// Restricts a query over orgs alias `o` to the subtree of `org_id` (an org
/// inside the caller's scope), when one is given.
async fn under_org(store: &Store, scope: &MemberScope, q: &mut Q, org_id: Option<i64>) -> Result<()> {
    if let Some(id) = org_id {
        let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::NotFound) };
        let under = crate::org::get(store.db.r(), org, id).await?;
        q.push(" AND o.path LIKE ").bind(format!("{}%", under.path));
    }
    Ok(())
}

/// Joins each member `m` to the dues setting `b` in force in a month: push
/// this, bind the month, then close with ")".
const SETTING_IN_FORCE: &str = " LEFT JOIN dues_bases b ON b.committee_id = m.committee_id AND b.member_id = m.id AND b.effective_from = \
    (SELECT MAX(b2.effective_from) FROM dues_bases b2 WHERE b2.committee_id = m.committee_id AND b2.member_id = m.id AND b2.effective_from <= ";

/// The due of a stored setting under the rules (None when there is no setting).
fn due_of(
    rules: &DuesRules,
    member_type: Option<&str>,
    base_fen: Option<i64>,
    fixed_fen: Option<i64>,
) -> Option<Result<core_dues::Due, String>> {
    let t = member_type.and_then(MemberType::parse)?;
    Some(core_dues::monthly_due(
        rules,
        &DuesBase { member_type: t, base: Fen(base_fen.unwrap_or(0)), fixed: Fen(fixed_fen.unwrap_or(0)) },
    ))
}

/// One version of a member's dues setting.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BaseRow {
    pub member_id: i64,
    pub effective_from: NaiveDate,
    pub member_type: String,
    pub base_fen: i64,
    pub fixed_fen: i64,
    /// The gross wage and "item:amount;…" deductions the base came from (0 / "" when typed directly).
    pub gross_fen: i64,
    pub deductions: String,
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
    /// "应发¥12,000.00，扣除养老保险¥960.00、…" or "".
    pub fn derivation(&self) -> String {
        if self.gross_fen == 0 {
            return String::new();
        }
        let parts: Vec<String> = self
            .deductions
            .split(';')
            .filter_map(|p| p.split_once(':'))
            .map(|(n, a)| format!("{n}{}", Fen::parse(a).unwrap_or_default()))
            .collect();
        format!("应发{}，扣除{}", Fen(self.gross_fen), if parts.is_empty() { "无".into() } else { parts.join("、") })
    }
}

/// A unit's deduction item.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub name: String,
    pub sort_order: i64,
    pub active: bool,
}

/// The unit's active deduction items; the national list when it has configured none.
pub async fn items_of(store: &Store, committee_id: i64) -> Result<Vec<ItemRow>> {
    let rows: Vec<ItemRow> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT id, name, sort_order, active FROM dues_deduction_items WHERE committee_id = $1 ORDER BY sort_order, id",
            committee_id
        ))
        .await?;
    if rows.is_empty() {
        return Ok(core_dues::DEFAULT_DEDUCTIONS
            .iter()
            .enumerate()
            .map(|(i, n)| ItemRow { id: 0, name: n.to_string(), sort_order: i as i64, active: true })
            .collect());
    }
    Ok(rows.into_iter().filter(|r| r.active).collect())
}

/// Every configured item of a unit, active or not (for its settings page).
pub async fn all_items(
    store: &Store,
    scope: &xianfeng_core::auth::OrgScope,
    unit_id: i64,
) -> Result<(crate::org::OrgRow, Vec<ItemRow>)> {
    let unit = crate::org::get(store.db.r(), scope, unit_id).await?;
    if unit.kind() != xianfeng_core::org::OrgKind::Unit {
        return Err(StoreError::invalid("unit_id", "扣除项目按单位设置"));
    }
    let rows: Vec<ItemRow> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT id, name, sort_order, active FROM dues_deduction_items WHERE committee_id = $1 ORDER BY sort_order, id",
            unit.committee_id
        ))
        .await?;
    Ok((unit, rows))
}

/// Replaces a unit's deduction items by the list given (names in order); items
/// no longer listed are kept inactive, so old settings still read.
pub async fn set_items(
    store: &Store,
    scope: &xianfeng_core::auth::OrgScope,
    who: &Who,
    unit_id: i64,
    names: &[String],
) -> Result<Vec<ItemRow>> {
    let (unit, existing) = all_items(store, scope, unit_id).await?;
    if !scope.can_write() || !scope.contains(&unit.path) {
        return Err(StoreError::Forbidden);
    }
    let mut clean: Vec<String> = Vec::new();
    for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if n.chars().count() > 20 {
            return Err(StoreError::invalid("items", format!("扣除项目“{n}”不能超过20个字")));
        }
        if !clean.iter().any(|c| c == n) {
            clean.push(n.to_string());
        }
    }
    if clean.len() > 20 {
        return Err(StoreError::invalid("items", "扣除项目不能超过20项"));
    }
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!("UPDATE dues_deduction_items SET active = FALSE WHERE committee_id = $1", unit.committee_id))
        .await?;
    for (i, n) in clean.iter().enumerate() {
        match existing.iter().find(|e| &e.name == n) {
            Some(e) => {
                tx.c()
                    .execute(q!(
                        "UPDATE dues_deduction_items SET active = TRUE, sort_order = $1 WHERE committee_id = $2 AND id = $3",
                        i as i64,
                        unit.committee_id,
                        e.id
                    ))
                    .await?;
            }
            None => {
                let id = tx.alloc_id().await?;
                tx.c()
                    .execute(q!(
                        "INSERT INTO dues_deduction_items (committee_id, id, name, sort_order, active) VALUES ($1, $2, $3, $4, TRUE)",
                        unit.committee_id,
                        id,
                        n.clone(),
                        i as i64
                    ))
                    .await?;
            }
        }
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("config_change", "dues_deduction_items", unit.id).detail(clean.join("、")),
    )
    .await?;
    tx.commit().await?;
    items_of(store, unit.committee_id).await
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
    /// Optional, for salaried members: the gross monthly wage (yuan) and the
    /// unit's deduction items (name → yuan); the base is then computed from them.
    pub gross: String,
    pub deductions: std::collections::BTreeMap<String, String>,
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
    let mut gross = Fen(0);
    let mut deductions: Vec<(String, Fen)> = Vec::new();
    let from_wage = t.is_some_and(|t| t != MemberType::Retired && t.has_base()) && !input.gross.trim().is_empty();
    if from_wage {
        let items: Vec<String> = items_of(store, m.committee_id).await?.into_iter().map(|i| i.name).collect();
        match Fen::parse(&input.gross) {
            Some(g) => gross = g,
            None => errors.push(FieldError::new("gross", "应发工资请填写金额（元，最多两位小数）")),
        }
        for (name, amount) in &input.deductions {
            if !amount.trim().is_empty() && !items.contains(name) {
                errors.push(FieldError::new("deductions", format!("“{name}”不是本单位设置的扣除项目")));
            }
        }
        // In the unit's order of items.
        for name in &items {
            let Some(amount) = input.deductions.get(name).filter(|a| !a.trim().is_empty()) else { continue };
            match Fen::parse(amount) {
                Some(f) => deductions.push((name.clone(), f)),
                None => errors.push(FieldError::new("deductions", format!("{name}请填写金额（元）"))),
            }
        }
        if errors.is_empty() {
            match core_dues::base_from(gross, &deductions) {
                Ok(b) => base = b,
                Err(msg) => errors.push(FieldError::new("deductions", msg)),
            }
        }
    } else if let Some(t) = t {
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
    let deductions_text = deductions.iter().map(|(n, f)| format!("{n}:{}", f.plain())).collect::<Vec<_>>().join(";");
    tx.c()
        .execute(q!(
            "INSERT INTO dues_bases (committee_id, member_id, effective_from, member_type, base_fen, fixed_fen, note, set_by, set_at, gross_fen, deductions) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            m.committee_id, m.id, month, t.as_str(), base.0, fixed.0, input.note.trim(), who.username.clone(), now_ms(),
            gross.0, deductions_text
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
            "SELECT member_id, effective_from, member_type, base_fen, fixed_fen, gross_fen, deductions, note, set_by, set_at FROM dues_bases \
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

/// `SELECT {cols}` over the members (full and probationary) in scope, under
/// an org if given, each joined to the dues setting `b` in force in the month.
async fn roster_query(
    store: &Store,
    scope: &MemberScope,
    org_id: Option<i64>,
    month: NaiveDate,
    cols: &str,
) -> Result<Q> {
    let mut q = Q::new(format!(
        "SELECT {cols} FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id"
    ));
    q.push(SETTING_IN_FORCE);
    q.bind(month).push(") WHERE m.status IN ('full', 'probationary')");
    member_scope_where(&mut q, scope);
    under_org(store, scope, &mut q, org_id).await?;
    Ok(q)
}

/// The monthly dues of the members (full and probationary) in scope, under
/// an org if given, each computed from their setting in force that month.
///
/// The totals come from the settings grouped (type, base, fixed), each due
/// computed once and multiplied; only the page's members are read whole. A
/// province (47,000 members) no longer goes through the page as rows.
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
    #[derive(sqlx::FromRow)]
    struct Group {
        member_type: Option<String>,
        base_fen: Option<i64>,
        fixed_fen: Option<i64>,
        n: i64,
    }
    let rules: DuesRules = store.rules().await?.get::<DuesRules>(month);
    let mut q =
        roster_query(store, scope, org_id, month, "b.member_type, b.base_fen, b.fixed_fen, COUNT(*) AS n").await?;
    q.push(" GROUP BY b.member_type, b.base_fen, b.fixed_fen");
    let groups: Vec<Group> = store.db.r().fetch_all(q).await?;
    let (mut members, mut without_setting, mut total_due) = (0usize, 0usize, 0i64);
    for g in &groups {
        let n = g.n as usize;
        members += n;
        match due_of(&rules, g.member_type.as_deref(), g.base_fen, g.fixed_fen) {
            None => without_setting += n,
            Some(Ok(d)) => total_due += d.amount.0 * g.n,
            Some(Err(_)) => {}
        }
    }
    let total = if missing_only { without_setting } else { members } as i64;

    let mut q = roster_query(
        store,
        scope,
        org_id,
        month,
        "m.id AS member_id, m.name, m.org_id, o.name AS org_name, m.status, b.member_type, b.base_fen, b.fixed_fen, b.effective_from",
    )
    .await?;
    if missing_only {
        // No setting, or one whose type this version does not know (as `due_of` reads it).
        q.push(" AND (b.member_type IS NULL OR b.member_type NOT IN ");
        q.push_row(MemberType::ALL.iter().map(|t| t.as_str().to_string().into()).collect());
        q.push(")");
    }
    q.push(" ORDER BY o.path, m.name, m.id LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1).max(0) * per_page);
    let rows: Vec<Row> = store.db.r().fetch_all(q).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let t = r.member_type.as_deref().and_then(MemberType::parse);
            let (due, explanation) = match due_of(&rules, r.member_type.as_deref(), r.base_fen, r.fixed_fen) {
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
    Ok(Roster { month, items, total, page, per_page, members, without_setting, total_due: Fen(total_due) })
}

// ----- monthly cycles and payments -----

/// A unit's cycle for a month, with the totals of the charges in the caller's scope.
#[derive(Debug, Clone, Serialize)]
pub struct CycleRow {
    pub committee_id: i64,
    pub unit_name: String,
    pub month: NaiveDate,
    pub status: String,
    pub members: i64,
    pub expected_fen: i64,
    pub paid_fen: i64,
    pub paid_members: i64,
}

impl CycleRow {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "collecting" => "收缴中",
            "settled" => "已结算",
            _ => "",
        }
    }
    pub fn expected_text(&self) -> String {
        Fen(self.expected_fen).to_string()
    }
    pub fn paid_text(&self) -> String {
        Fen(self.paid_fen).to_string()
    }
}

/// What opening a month did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OpenReport {
    pub units_opened: usize,
    pub units_already_open: usize,
    pub charges: usize,
    pub expected: Fen,
    /// Members left out because they have no dues setting for the month.
    pub without_setting: usize,
}

/// Whether the scope covers whole units (the province or one unit): opening and
/// settling a month is the unit's business, not a branch's.
pub fn may_run_cycles(scope: &MemberScope) -> bool {
    match scope {
        MemberScope::Subtree { org, .. } => org.can_write() && org.path_prefix().matches('/').count() <= 3,
        MemberScope::SelfOnly { .. } => false,
    }
}

/// The units (committees) a subtree scope covers.
async fn units_in(store: &Store, scope: &MemberScope) -> Result<Vec<(i64, String)>> {
    #[derive(sqlx::FromRow)]
    struct U {
        id: i64,
        name: String,
    }
    let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::Forbidden) };
    let mut q = Q::new("SELECT o.id, o.name FROM orgs o WHERE o.kind = 'unit'");
    crate::org::scope_where(&mut q, org, "o");
    if !org.is_whole_tree()
        && let Some(c) = org.committee_id()
    {
        // A unit admin or branch secretary: their own unit.
        q = Q::new("SELECT o.id, o.name FROM orgs o WHERE o.kind = 'unit' AND o.id = ");
        q.bind(c);
    }
    q.push(" ORDER BY o.sort_order, o.id");
    Ok(store.db.r().fetch_all::<U>(q).await?.into_iter().map(|u| (u.id, u.name)).collect())
}

/// Opens the month's cycle for every unit in scope that has none yet: each
/// member's charge is computed from their setting and the rule in force that
/// month, in one transaction. Opening again is harmless.
pub async fn open_cycle(store: &Store, scope: &MemberScope, who: &Who, month: NaiveDate) -> Result<OpenReport> {
    if !may_run_cycles(scope) {
        return Err(StoreError::Forbidden);
    }
    let month = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("valid");
    let units = units_in(store, scope).await?;
    let open: Vec<i64> = {
        #[derive(sqlx::FromRow)]
        struct C {
            committee_id: i64,
        }
        store
            .db
            .r()
            .fetch_all::<C>(q!("SELECT committee_id FROM dues_cycles WHERE month = $1", month))
            .await?
            .into_iter()
            .map(|c| c.committee_id)
            .collect()
    };
    let todo: Vec<i64> = units.iter().map(|u| u.0).filter(|c| !open.contains(c)).collect();
    let mut report = OpenReport { units_already_open: units.len() - todo.len(), ..Default::default() };
    if todo.is_empty() {
        return Ok(report);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        committee_id: i64,
        member_id: i64,
        org_id: i64,
        member_type: Option<String>,
        base_fen: Option<i64>,
        fixed_fen: Option<i64>,
    }
    let rules: DuesRules = store.rules().await?.get::<DuesRules>(month);
    let now = now_ms();
    let mut tx = store.db.begin().await?;
    let mut cycles = Vec::new();
    for chunk in todo.chunks(200) {
        let list = chunk.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
        let mut q = Q::new(
            "SELECT m.committee_id, m.id AS member_id, m.org_id, b.member_type, b.base_fen, b.fixed_fen FROM members m",
        );
        q.push(SETTING_IN_FORCE);
        q.bind(month).push(&format!(") WHERE m.committee_id IN ({list}) AND m.status IN ('full', 'probationary')"));
        let rows: Vec<Row> = tx.c().fetch_all(q).await?;
        let mut per_unit: std::collections::HashMap<i64, (i64, i64)> = chunk.iter().map(|c| (*c, (0, 0))).collect();
        let mut charges = Vec::new();
        for r in rows {
            let Some(Ok(due)) = due_of(&rules, r.member_type.as_deref(), r.base_fen, r.fixed_fen) else {
                report.without_setting += 1;
                continue;
            };
            let e = per_unit.entry(r.committee_id).or_default();
            e.0 += 1;
            e.1 += due.amount.0;
            charges.push(vec![
                r.committee_id.into(),
                r.member_id.into(),
                month.into(),
                r.org_id.into(),
                due.amount.0.into(),
            ]);
        }
        report.charges += charges.len();
        crate::bulk::insert_rows(&mut tx, "dues_charges", "committee_id, member_id, month, org_id, due_fen", charges)
            .await?;
        for c in chunk {
            crate::generation::bump_facts(&mut tx, *c).await?;
            let (n, fen) = per_unit.get(c).copied().unwrap_or_default();
            report.expected = Fen(report.expected.0 + fen);
            cycles.push(vec![
                (*c).into(),
                month.into(),
                "collecting".into(),
                n.into(),
                fen.into(),
                who.username.clone().into(),
                now.into(),
            ]);
        }
    }
    report.units_opened = cycles.len();
    crate::bulk::insert_rows(
        &mut tx,
        "dues_cycles",
        "committee_id, month, status, members, expected_fen, opened_by, opened_at",
        cycles,
    )
    .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("open", "dues_cycle", month.format("%Y-%m")).detail(format!(
            "开启{}个单位的党费收缴，{}人，应缴{}",
            report.units_opened, report.charges, report.expected
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// The cycles of a month in scope, with what has been collected so far.
pub async fn cycles(store: &Store, scope: &MemberScope, month: NaiveDate) -> Result<Vec<CycleRow>> {
    #[derive(sqlx::FromRow)]
    struct Status {
        committee_id: i64,
        unit_name: String,
        status: String,
    }
    #[derive(sqlx::FromRow)]
    struct Totals {
        committee_id: i64,
        members: i64,
        expected_fen: i64,
        paid_fen: i64,
        paid_members: i64,
    }
    let units = units_in(store, scope).await?;
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let list = units.iter().map(|u| u.0.to_string()).collect::<Vec<_>>().join(",");
    let mut q = Q::new(format!(
        "SELECT c.committee_id, o.name AS unit_name, c.status FROM dues_cycles c \
         JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.committee_id \
         WHERE c.committee_id IN ({list}) AND c.month = "
    ));
    q.bind(month).push(" ORDER BY o.sort_order, o.id");
    let statuses: Vec<Status> = store.db.r().fetch_all(q).await?;
    // Totals count only the charges inside the caller's scope (a branch sees its own).
    let mut q = Q::new(
        "SELECT c.committee_id, COUNT(*) AS members, CAST(SUM(c.due_fen) AS BIGINT) AS expected_fen, \
         CAST(COALESCE(SUM(c.paid_fen), 0) AS BIGINT) AS paid_fen, \
         CAST(SUM(CASE WHEN c.paid_on IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS paid_members \
         FROM dues_charges c JOIN members m ON m.committee_id = c.committee_id AND m.id = c.member_id \
         JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE c.month = ",
    );
    q.bind(month);
    member_scope_where(&mut q, scope);
    q.push(" GROUP BY c.committee_id");
    let totals: std::collections::HashMap<i64, Totals> =
        store.db.r().fetch_all::<Totals>(q).await?.into_iter().map(|t| (t.committee_id, t)).collect();
    Ok(statuses
        .into_iter()
        .map(|s| {
            let t = totals.get(&s.committee_id);
            CycleRow {
                committee_id: s.committee_id,
                unit_name: s.unit_name,
                month,
                status: s.status,
                members: t.map(|t| t.members).unwrap_or(0),
                expected_fen: t.map(|t| t.expected_fen).unwrap_or(0),
                paid_fen: t.map(|t| t.paid_fen).unwrap_or(0),
                paid_members: t.map(|t| t.paid_members).unwrap_or(0),
            }
        })
        .collect())
}

/// One member's charge.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChargeRow {
    pub member_id: i64,
    pub name: String,
    pub org_name: String,
    pub month: NaiveDate,
    pub due_fen: i64,
    pub paid_fen: Option<i64>,
    pub paid_on: Option<NaiveDate>,
    pub method: String,
    pub note: String,
}

impl ChargeRow {
    pub fn due_text(&self) -> String {
        Fen(self.due_fen).to_string()
    }
    pub fn due_plain(&self) -> String {
        Fen(self.due_fen).plain()
    }
    pub fn paid_text(&self) -> String {
        self.paid_fen.map(|f| Fen(f).to_string()).unwrap_or_default()
    }
    pub fn method_label(&self) -> &'static str {
        core_dues::method_label(&self.method)
    }
    pub fn paid(&self) -> bool {
        self.paid_on.is_some()
    }
}

/// The month's charges in scope (under an org if given), unpaid first.
pub async fn charges(
    store: &Store,
    scope: &MemberScope,
    org_id: Option<i64>,
    month: NaiveDate,
) -> Result<Vec<ChargeRow>> {
    let mut q = Q::new(
        "SELECT c.member_id, m.name, o.name AS org_name, c.month, c.due_fen, c.paid_fen, c.paid_on, c.method, c.note \
         FROM dues_charges c JOIN members m ON m.committee_id = c.committee_id AND m.id = c.member_id \
         JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE c.month = ",
    );
    q.bind(month);
    member_scope_where(&mut q, scope);
    under_org(store, scope, &mut q, org_id).await?;
    q.push(" ORDER BY CASE WHEN c.paid_on IS NULL THEN 0 ELSE 1 END, o.path, m.name LIMIT 2000");
    store.db.r().fetch_all(q).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PaymentInput {
    /// Yuan, as typed.
    pub amount: String,
    pub paid_on: String,
    pub method: String,
    /// Required for back payments beyond the rule's months.
    pub reason: String,
}

/// Records a member's payment for a month (once; corrections go through the audit trail).
pub async fn record_payment(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    member_id: i64,
    month: NaiveDate,
    input: &PaymentInput,
) -> Result<ChargeRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = crate::member::get(store, scope, member_id).await?;
    let month = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("valid");
    #[derive(sqlx::FromRow)]
    struct C {
        due_fen: i64,
        paid_on: Option<NaiveDate>,
    }
    let c: C = store
        .db
        .r()
        .fetch_optional(q!(
            "SELECT due_fen, paid_on FROM dues_charges WHERE committee_id = $1 AND member_id = $2 AND month = $3",
            m.committee_id,
            m.id,
            month
        ))
        .await?
        .ok_or_else(|| {
            StoreError::Rule(format!("{}的党费收缴尚未开启，或该党员当月无应缴记录", month.format("%Y年%m月")))
        })?;
    if c.paid_on.is_some() {
        return Err(StoreError::Rule("该月党费已登记缴纳".into()));
    }
    let mut errors = Vec::new();
    let amount = Fen::parse(&input.amount);
    if amount.is_none() {
        errors.push(FieldError::new("amount", "请填写缴费金额（元，最多两位小数）"));
    }
    let paid_on = xianfeng_core::member::parse_date(input.paid_on.trim());
    if paid_on.is_none() {
        errors.push(FieldError::new("paid_on", "请按 2025-07-01 的格式填写缴费日期"));
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let (amount, paid_on) = (amount.expect("checked"), paid_on.expect("checked"));
    let rules: DuesRules = store.rules().await?.get::<DuesRules>(month);
    core_dues::check_payment(
        &rules,
        month,
        Fen(c.due_fen),
        amount,
        paid_on,
        xianfeng_core::text::today_cn(),
        input.method.trim(),
        &input.reason,
    )?;
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "UPDATE dues_charges SET paid_fen = $1, paid_on = $2, method = $3, note = $4, recorded_by = $5, recorded_at = $6, on_time = $7 \
             WHERE committee_id = $8 AND member_id = $9 AND month = $10 AND paid_on IS NULL",
            amount.0, paid_on, input.method.trim(), input.reason.trim(), who.username.clone(), now_ms(),
            i64::from(core_dues::paid_on_time(month, paid_on)), m.committee_id, m.id, month
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Rule("该月党费已登记缴纳".into()));
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("payment", "dues_charge", m.id).detail(format!(
            "{} {} {}（{}）{}",
            month.format("%Y-%m"),
            amount,
            paid_on,
            core_dues::method_label(input.method.trim()),
            input.reason.trim()
        )),
    )
    .await?;
    crate::generation::bump_facts(&mut tx, m.committee_id).await?;
    tx.commit().await?;
    Ok(charges(store, scope, None, month).await?.into_iter().find(|c| c.member_id == member_id).expect("just recorded"))
}

/// Closes a unit's month: payments for it are then back payments.
pub async fn settle(store: &Store, scope: &MemberScope, who: &Who, month: NaiveDate) -> Result<usize> {
    if !may_run_cycles(scope) {
        return Err(StoreError::Forbidden);
    }
    let units = units_in(store, scope).await?;
    let mut tx = store.db.begin().await?;
    let mut n = 0;
    for (id, _) in &units {
        n += tx
            .c()
            .execute(q!(
                "UPDATE dues_cycles SET status = 'settled', settled_by = $1, settled_at = $2 WHERE committee_id = $3 AND month = $4 AND status = 'collecting'",
                who.username.clone(), now_ms(), *id, month
            ))
            .await? as usize;
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("settle", "dues_cycle", month.format("%Y-%m")).detail(format!("结算{n}个单位")),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// A member in arrears.
#[derive(Debug, Clone, Serialize)]
pub struct ArrearLine {
    pub member_id: i64,
    pub name: String,
    pub org_name: String,
    pub unpaid: Vec<NaiveDate>,
    pub owed: Fen,
    pub consecutive: i64,
    /// "" | "warn" (≥ warn months) | "lapse" (≥ lapse months: possible 自行脱党, people decide).
    pub flag: &'static str,
}

impl ArrearLine {
    pub fn months_text(&self) -> String {
        self.unpaid.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>().join("、")
    }
    pub fn flag_label(&self) -> &'static str {
        match self.flag {
            "lapse" => "连续未缴已达标记月数（按规定应视为自行脱党，由党组织研究认定）",
            "warn" => "连续未缴，需提醒",
            _ => "",
        }
    }
}

/// Members with unpaid charges in scope, most consecutive months first. Reads
/// only the unpaid charges (a partial index) and each unit's latest month.
pub async fn arrears(store: &Store, scope: &MemberScope, org_id: Option<i64>) -> Result<Vec<ArrearLine>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        committee_id: i64,
        member_id: i64,
        name: String,
        org_name: String,
        month: NaiveDate,
        due_fen: i64,
    }
    #[derive(sqlx::FromRow)]
    struct Latest {
        committee_id: i64,
        month: NaiveDate,
    }
    let mut q = Q::new(
        "SELECT c.committee_id, c.member_id, m.name, o.name AS org_name, c.month, c.due_fen \
         FROM dues_charges c JOIN members m ON m.committee_id = c.committee_id AND m.id = c.member_id \
         JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE c.paid_on IS NULL",
    );
    member_scope_where(&mut q, scope);
    under_org(store, scope, &mut q, org_id).await?;
    let rows: Vec<Row> = store.db.r().fetch_all(q).await?;
    let latest: std::collections::HashMap<i64, NaiveDate> = store
        .db
        .r()
        .fetch_all::<Latest>(q!("SELECT committee_id, MAX(month) AS month FROM dues_cycles GROUP BY committee_id"))
        .await?
        .into_iter()
        .map(|l| (l.committee_id, l.month))
        .collect();
    let rules: DuesRules = store.rules().await?.get::<DuesRules>(xianfeng_core::text::today_cn());
    let mut by_member: std::collections::BTreeMap<(i64, i64), ArrearLine> = std::collections::BTreeMap::new();
    for r in rows {
        let line = by_member.entry((r.committee_id, r.member_id)).or_insert_with(|| ArrearLine {
            member_id: r.member_id,
            name: r.name.clone(),
            org_name: r.org_name.clone(),
            unpaid: Vec::new(),
            owed: Fen(0),
            consecutive: 0,
            flag: "",
        });
        line.unpaid.push(r.month);
        line.owed = Fen(line.owed.0 + r.due_fen);
    }
    let mut out: Vec<ArrearLine> = by_member
        .into_iter()
        .map(|((committee, _), mut l)| {
            l.unpaid.sort();
            l.consecutive =
                latest.get(&committee).map(|m| core_dues::consecutive_unpaid_to(&l.unpaid, *m)).unwrap_or(0);
            l.flag = if l.consecutive >= rules.lapse_unpaid_months {
                "lapse"
            } else if l.consecutive >= rules.warn_unpaid_months {
                "warn"
            } else {
                ""
            };
            l
        })
        .collect();
    out.sort_by_key(|l| (std::cmp::Reverse(l.consecutive), l.org_name.clone(), l.name.clone()));
    Ok(out)
}

/// A member's own charges and payments, newest first (self-service).
pub async fn my_charges(store: &Store, scope: &MemberScope, member_id: i64) -> Result<Vec<ChargeRow>> {
    let m = crate::member::get(store, scope, member_id).await?;
    // Charges stay with the unit that collected them; a member who moved reads them all.
    let prior = crate::transfer::prior_of(store, m.committee_id, m.id).await?;
    let mut q = Q::new(
        "SELECT c.member_id, '' AS name, o.name AS org_name, c.month, c.due_fen, c.paid_fen, c.paid_on, c.method, c.note \
         FROM dues_charges c JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE c.member_id = ",
    );
    q.bind(m.id).push(" AND c.committee_id IN ");
    q.push_row(crate::transfer::committees_of(m.committee_id, &prior).iter().map(|c| (*c).into()).collect());
    q.push(" ORDER BY c.month DESC LIMIT 120");
    let mut rows: Vec<ChargeRow> = store.db.r().fetch_all(q).await?;
    for r in &mut rows {
        r.name = m.name.clone();
    }
    Ok(rows)
}

/// One row of the monthly summary: a child org of the viewed org (or the org itself).
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub org_id: i64,
    pub name: String,
    pub members: i64,
    pub paid_members: i64,
    pub expected: Fen,
    pub paid: Fen,
}

impl SummaryRow {
    pub fn rate_text(&self) -> String {
        if self.members == 0 {
            "—".into()
        } else {
            format!("{:.1}%", self.paid_members as f64 * 100.0 / self.members as f64)
        }
    }
}

/// The month's dues rolled up to the children of `org_id` (branch → unit → province).
pub async fn summary(
    store: &Store,
    scope: &MemberScope,
    org_id: i64,
    month: NaiveDate,
) -> Result<(SummaryRow, Vec<SummaryRow>)> {
    let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::Forbidden) };
    let root = crate::org::get(store.db.r(), org, org_id).await?;
    #[derive(sqlx::FromRow)]
    struct Agg {
        path: String,
        members: i64,
        paid_members: i64,
        expected: i64,
        paid: i64,
    }
    let mut q = Q::new(
        "SELECT o.path, COUNT(*) AS members, CAST(SUM(CASE WHEN c.paid_on IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS paid_members, \
         CAST(SUM(c.due_fen) AS BIGINT) AS expected, CAST(COALESCE(SUM(c.paid_fen), 0) AS BIGINT) AS paid \
         FROM dues_charges c JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE c.month = ",
    );
    q.bind(month);
    crate::org::scope_where(&mut q, org, "o");
    if root.kind() != xianfeng_core::org::OrgKind::WorkingCommittee {
        q.push(" AND o.committee_id = ").bind(root.committee_id);
    }
    q.push(" AND o.path LIKE ").bind(format!("{}%", root.path)).push(" GROUP BY o.path");
    let aggs: Vec<Agg> = store.db.r().fetch_all(q).await?;
    let kids = crate::org::children(store.db.r(), org, &root, false).await?;
    let mut total = SummaryRow {
        org_id: root.id,
        name: root.name.clone(),
        members: 0,
        paid_members: 0,
        expected: Fen(0),
        paid: Fen(0),
    };
    let mut rows: Vec<SummaryRow> = kids
        .iter()
        .map(|k| SummaryRow {
            org_id: k.id,
            name: k.name.clone(),
            members: 0,
            paid_members: 0,
            expected: Fen(0),
            paid: Fen(0),
        })
        .collect();
    let mut own = SummaryRow {
        org_id: root.id,
        name: format!("{}（本级）", root.name),
        members: 0,
        paid_members: 0,
        expected: Fen(0),
        paid: Fen(0),
    };
    for a in aggs {
        let add = |r: &mut SummaryRow| {
            r.members += a.members;
            r.paid_members += a.paid_members;
            r.expected = Fen(r.expected.0 + a.expected);
            r.paid = Fen(r.paid.0 + a.paid);
        };
        add(&mut total);
        match kids.iter().position(|k| a.path.starts_with(&k.path)) {
            Some(i) => add(&mut rows[i]),
            None => add(&mut own),
        }
    }
    if own.members > 0 {
        rows.insert(0, own);
    }
    rows.retain(|r| r.members > 0);
    Ok((total, rows))
}
