//! Each member's dues setting (type and base) by month, and the monthly roster.

use super::*;
use xianfeng_core::auth::MemberWrite;
use xianfeng_core::member::MemberStatus;
use xianfeng_core::states::sql_in;

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
#[tracing::instrument(skip_all)]
pub async fn set_base(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    member_id: i64,
    input: &BaseInput,
) -> Result<BaseRow> {
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
        let items: Vec<String> = active_items(store, m.committee_id).await?.into_iter().map(|i| i.name).collect();
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
#[tracing::instrument(skip_all)]
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
pub(crate) async fn roster_query(
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
    q.bind(month).push(&format!(") WHERE m.status IN {members}", members = sql_in(&MemberStatus::MEMBERS)));
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
#[tracing::instrument(skip_all)]
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
    let mut gq =
        roster_query(store, scope, org_id, month, "b.member_type, b.base_fen, b.fixed_fen, COUNT(*) AS n").await?;
    gq.push(" GROUP BY b.member_type, b.base_fen, b.fixed_fen");
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
    // The totals and the page at once, over two connections.
    let (groups, rows) = tokio::join!(store.db.r().fetch_all::<Group>(gq), store.db.r().fetch_all::<Row>(q));
    let (groups, rows) = (groups?, rows?);
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
