//! Monthly cycles: opening a month's charges, payments, settling.

use super::*;
use xianfeng_core::auth::MemberWrite;
use xianfeng_core::dues::CycleStatus;
use xianfeng_core::member::MemberStatus;
use xianfeng_core::org::OrgKind;
use xianfeng_core::states::sql;
use xianfeng_core::states::sql_in;

/// A unit's cycle for a month, with the totals of the charges in the caller's scope.
#[derive(Debug, Clone, Serialize)]
pub struct CycleRow {
    pub committee_id: i64,
    pub unit_name: String,
    pub month: NaiveDate,
    pub status: CycleStatus,
    pub members: i64,
    pub expected_fen: i64,
    pub paid_fen: i64,
    pub paid_members: i64,
}

impl CycleRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
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
pub(crate) async fn units_in(store: &Store, scope: &MemberScope) -> Result<Vec<(i64, String)>> {
    #[derive(sqlx::FromRow)]
    struct U {
        id: i64,
        name: String,
    }
    let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::Forbidden) };
    let mut q = Q::new(format!("SELECT o.id, o.name FROM orgs o WHERE o.kind = {unit}", unit = sql(OrgKind::Unit)));
    crate::org::scope_where(&mut q, org, "o");
    if !org.is_whole_tree()
        && let Some(c) = org.committee_id()
    {
        // A unit admin or branch secretary: their own unit.
        q = Q::new(format!(
            "SELECT o.id, o.name FROM orgs o WHERE o.kind = {unit} AND o.id = ",
            unit = sql(OrgKind::Unit)
        ));
        q.bind(c);
    }
    q.push(" ORDER BY o.sort_order, o.id");
    Ok(store.db.r().fetch_all::<U>(q).await?.into_iter().map(|u| (u.id, u.name)).collect())
}

/// Opens the month's cycle for every unit in scope that has none yet: each
/// member's charge is computed from their setting and the rule in force that
/// month, in one transaction. Opening again is harmless.
#[tracing::instrument(skip_all)]
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
    let mut opened: Vec<i64> = Vec::new();
    for chunk in todo.chunks(200) {
        let list = chunk.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
        let mut q = Q::new(
            "SELECT m.committee_id, m.id AS member_id, m.org_id, b.member_type, b.base_fen, b.fixed_fen FROM members m",
        );
        q.push(SETTING_IN_FORCE);
        q.bind(month).push(&format!(
            ") WHERE m.committee_id IN ({list}) AND m.status IN {members}",
            members = sql_in(&MemberStatus::MEMBERS)
        ));
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
            super::tally::recount_month(&mut tx, *c, month).await?;
            opened.push(*c);
            crate::generation::bump_facts(&mut tx, *c).await?;
            let (n, fen) = per_unit.get(c).copied().unwrap_or_default();
            report.expected = Fen(report.expected.0 + fen);
            cycles.push(vec![
                (*c).into(),
                month.into(),
                CycleStatus::Collecting.as_str().into(),
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
    for c in &opened {
        super::owed::recount_unit(&mut tx, *c).await?;
    }
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
#[tracing::instrument(skip_all)]
pub async fn cycles(store: &Store, scope: &MemberScope, month: NaiveDate) -> Result<Vec<CycleRow>> {
    #[derive(sqlx::FromRow)]
    struct Status {
        committee_id: i64,
        unit_name: String,
        status: CycleStatus,
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

/// Which of a month's charges a list shows.
#[derive(Debug, Clone, Default)]
pub struct ChargeFilter {
    /// Under this org (its subtree).
    pub org_id: Option<i64>,
    /// Part of the member's name.
    pub name: String,
    /// Only the charges not paid yet.
    pub unpaid: bool,
}

impl ChargeFilter {
    pub fn under(org_id: Option<i64>) -> ChargeFilter {
        ChargeFilter { org_id, ..Default::default() }
    }
}

/// The month's charges in scope that the filter selects, unpaid first, a page at a time.
#[tracing::instrument(skip_all)]
pub async fn charges(
    store: &Store,
    scope: &MemberScope,
    month: NaiveDate,
    f: &ChargeFilter,
    page: i64,
    per_page: i64,
) -> Result<crate::Page<ChargeRow>> {
    let mut q = Q::new(format!("{CHARGE_SELECT} WHERE c.month = "));
    q.bind(month);
    member_scope_where(&mut q, scope);
    under_org(store, scope, &mut q, f.org_id).await?;
    if !f.name.trim().is_empty() {
        q.push(" AND m.name LIKE ").bind(format!("%{}%", crate::db::like_escape(f.name.trim()))).push(" ESCAPE '\\'");
    }
    if f.unpaid {
        q.push(" AND c.paid_on IS NULL");
    }
    crate::fetch_page(
        store,
        q,
        "CASE WHEN c.paid_on IS NULL THEN 0 ELSE 1 END, o.path, m.name, c.member_id",
        page,
        per_page,
    )
    .await
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
#[tracing::instrument(skip_all)]
pub async fn record_payment(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    member_id: i64,
    month: NaiveDate,
    input: &PaymentInput,
) -> Result<ChargeRow> {
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
    let (amount, paid_on) = amount_and_date(&input.amount, &input.paid_on)?;
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
    super::tally::recount_charge(&mut tx, m.committee_id, month, m.id).await?;
    super::owed::recount_member(&mut tx, m.committee_id, m.id).await?;
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
    charge_of(store, m.committee_id, member_id, month).await
}

/// One member's charge of a month, in scope.
#[tracing::instrument(skip_all)]
pub async fn charge(store: &Store, scope: &MemberScope, member_id: i64, month: NaiveDate) -> Result<ChargeRow> {
    let mut q = Q::new(format!("{CHARGE_SELECT} WHERE c.month = "));
    q.bind(month).push(" AND c.member_id = ").bind(member_id);
    member_scope_where(&mut q, scope);
    store.db.r().fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

/// One member's charge of a month (the member was read through a scope).
pub(crate) async fn charge_of(store: &Store, committee_id: i64, member_id: i64, month: NaiveDate) -> Result<ChargeRow> {
    let mut q = Q::new(format!("{CHARGE_SELECT} WHERE c.committee_id = "));
    q.bind(committee_id).push(" AND c.member_id = ").bind(member_id).push(" AND c.month = ").bind(month);
    store.db.r().fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

const CHARGE_SELECT: &str = "SELECT c.member_id, m.name, o.name AS org_name, c.month, c.due_fen, c.paid_fen, c.paid_on, c.method, c.note \
     FROM dues_charges c JOIN members m ON m.committee_id = c.committee_id AND m.id = c.member_id \
     JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id";

/// Closes a unit's month: payments for it are then back payments.
#[tracing::instrument(skip_all)]
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
                format!("UPDATE dues_cycles SET status = {settled}, settled_by = $1, settled_at = $2 WHERE committee_id = $3 AND month = $4 AND status = {collecting}", settled = sql(CycleStatus::Settled), collecting = sql(CycleStatus::Collecting)),
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

/// A payment's amount (yuan, at most two decimals) and date as typed, each
/// refused with its own message (both at once when both are wrong).
pub(crate) fn amount_and_date(amount: &str, paid_on: &str) -> Result<(Fen, NaiveDate)> {
    let amount_read = Fen::parse(amount);
    let date_read = xianfeng_core::member::parse_date(paid_on.trim());
    match (amount_read, date_read) {
        (Some(a), Some(d)) => Ok((a, d)),
        (a, d) => {
            let mut errors = Vec::new();
            if a.is_none() {
                errors.push(FieldError::new("amount", "请填写缴费金额（元，最多两位小数）"));
            }
            if d.is_none() {
                errors.push(FieldError::new("paid_on", "请按 2025-07-01 的格式填写缴费日期"));
            }
            Err(StoreError::Invalid(errors))
        }
    }
}
