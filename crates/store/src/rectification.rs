//! Rectification (整改) of branches in the tail of a year's ranking: a plan
//! (problems, measures, owner, deadline), progress notes, submission by the
//! branch, and verification by its unit — lifted, or returned to work on.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use xianfeng_core::auth::{HigherCommittee, OrgScope};
use xianfeng_core::org::OrgKind;
pub use xianfeng_core::ranking::{RectificationEntry, RectificationState, RectificationStep as Step};
use xianfeng_core::text::{now_ms, today_cn};

use crate::audit::{Event, append};
use crate::db::{Q, Tx};
use crate::org::scope_where;
use crate::{Result, Store, StoreError, Who, q};
use xianfeng_core::auth::OrgWrite;

const COLS: &str = "r.committee_id, r.id, r.org_id, o.name AS org_name, u.name AS unit_name, o.path AS org_path, r.year, r.score_x100, r.rank_at_flag, \
    r.problems, r.measures, r.owner, r.deadline, r.state, r.lifted_on, r.created_by, r.created_at, r.version";
const FROM: &str = " FROM rectifications r JOIN orgs o ON o.committee_id = r.committee_id AND o.id = r.org_id \
    JOIN orgs u ON u.committee_id = r.committee_id AND u.id = r.committee_id";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Rectification {
    pub committee_id: i64,
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// The unit the branch belongs to.
    pub unit_name: String,
    #[serde(skip)]
    pub org_path: String,
    pub year: i64,
    pub score_x100: i64,
    pub rank_at_flag: i64,
    pub problems: String,
    pub measures: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub state: RectificationState,
    pub lifted_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

impl Rectification {
    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }
    pub fn overdue_on(&self, today: NaiveDate) -> bool {
        self.state != RectificationState::Lifted && self.deadline < today
    }
    pub fn score_text(&self) -> String {
        format!("{:.2}", self.score_x100 as f64 / 100.0)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub kind: RectificationEntry,
    pub on_date: NaiveDate,
    pub note: String,
    pub actor: String,
    pub created_at: i64,
}

impl Entry {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub r: Rectification,
    pub entries: Vec<Entry>,
    /// Whether the caller may verify (the unit above the branch).
    pub can_verify: bool,
}

/// The board's counts: plans in progress, awaiting the unit's verification,
/// lifted, and past their deadline without being lifted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Counts {
    pub open: i64,
    pub submitted: i64,
    pub lifted: i64,
    pub overdue: i64,
}

impl Counts {
    pub fn total(&self) -> i64 {
        self.open + self.submitted + self.lifted
    }
}

/// Which plans a board or export shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The ranking year the branches were flagged in; every year when `None`.
    pub year: Option<i32>,
    /// "" or "all" = every state; open | submitted | lifted.
    pub state: String,
    /// Only branches under this org (inside the scope).
    pub org_id: Option<i64>,
    /// Part of the branch's or its unit's name.
    pub name: String,
}

/// `select` (the query so far, up to its select list) over the plans `f`
/// selects, state aside (the counts are over every state).
async fn selected(store: &Store, scope: &OrgScope, f: &Filter, mut q: Q) -> Result<Q> {
    q.push(FROM).push(" WHERE 1 = 1");
    scope_where(&mut q, scope, "o");
    if let Some(y) = f.year {
        q.push(" AND r.year = ").bind(i64::from(y));
    }
    if let Some(id) = f.org_id {
        let under = crate::org::get(store.db.r(), scope, id).await?;
        q.push(" AND o.path LIKE ").bind(format!("{}%", under.path));
    }
    let name = f.name.trim();
    if !name.is_empty() {
        let pattern = format!("%{}%", crate::db::like_escape(name));
        q.push(" AND (o.name LIKE ").bind(pattern.clone()).push(" ESCAPE '\\' OR u.name LIKE ").bind(pattern);
        q.push(" ESCAPE '\\')");
    }
    Ok(q)
}

/// How many plans `f` selects in each state (its `state` aside), and how
/// many of them are past their deadline on `today`.
#[tracing::instrument(skip_all)]
pub async fn counts(store: &Store, scope: &OrgScope, f: &Filter, today: NaiveDate) -> Result<Counts> {
    let sum = |cond: &str, name: &str| {
        format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {name}, ")
    };
    let state_is = |st: RectificationState| format!("r.state = '{}'", st.as_str());
    let mut q = Q::new("SELECT ");
    q.push(&sum(&state_is(RectificationState::Open), "open"))
        .push(&sum(&state_is(RectificationState::Submitted), "submitted"))
        .push(&sum(&state_is(RectificationState::Lifted), "lifted"))
        .push(&format!(
            "CAST(COALESCE(SUM(CASE WHEN r.state <> '{}' AND r.deadline < ",
            RectificationState::Lifted.as_str()
        ))
        .bind(today)
        .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue");
    let q = selected(store, scope, f, q).await?;
    store.db.r().fetch_one(q).await
}

/// Plans of branches in scope, one page of those `f` selects (the tail's
/// order: latest year first, then the tree), and how many it selects in all.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &OrgScope,
    f: &Filter,
    page: i64,
    per_page: i64,
) -> Result<crate::Page<Rectification>> {
    let mut q = selected(store, scope, f, Q::new(format!("SELECT {COLS}"))).await?;
    match f.state.as_str() {
        "" | "all" => {}
        code => {
            let st = RectificationState::parse(code)
                .ok_or_else(|| StoreError::invalid("state", "状态应为 open、submitted 或 lifted"))?;
            q.push(" AND r.state = ").bind(st.as_str());
        }
    }
    crate::fetch_page(store, q, "r.year DESC, o.path", page, per_page).await
}

/// The branches that have a plan for `year` in scope (to find the tail's
/// branches still without one).
#[tracing::instrument(skip_all)]
pub async fn planned_org_ids(store: &Store, scope: &OrgScope, year: i32) -> Result<Vec<i64>> {
    #[derive(sqlx::FromRow)]
    struct Id {
        org_id: i64,
    }
    let f = Filter { year: Some(year), ..Default::default() };
    let q = selected(store, scope, &f, Q::new("SELECT r.org_id")).await?;
    Ok(store.db.r().fetch_all::<Id>(q).await?.into_iter().map(|r| r.org_id).collect())
}

async fn row(c: crate::db::Conn<'_>, scope: &OrgScope, id: i64) -> Result<Rectification> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE r.id = "));
    q.bind(id);
    scope_where(&mut q, scope, "o");
    c.fetch_one(q).await
}

#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &OrgScope, higher: Option<&HigherCommittee>, id: i64) -> Result<Detail> {
    let r = row(store.db.r(), scope, id).await?;
    let entries = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT seq, kind, on_date, note, actor, created_at FROM rectification_entries \
             WHERE committee_id = $1 AND rectification_id = $2 ORDER BY seq",
            r.committee_id,
            r.id
        ))
        .await?;
    let can_verify = higher.is_some_and(|h| h.covers(&r.org_path));
    Ok(Detail { r, entries, can_verify })
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanInput {
    pub org_id: i64,
    pub year: i32,
    pub problems: String,
    pub measures: String,
    pub owner: String,
    pub deadline: Option<NaiveDate>,
}

/// Opens the rectification plan of a branch in the tail of the year's ranking.
#[tracing::instrument(skip_all)]
pub async fn open(store: &Store, scope: &OrgWrite, who: &Who, p: &PlanInput) -> Result<Rectification> {
    let org = crate::org::get(store.db.r(), scope, p.org_id).await?;
    if org.kind() != OrgKind::Branch {
        return Err(StoreError::invalid("org_id", "整改对象应为党支部"));
    }
    let mut errs = Vec::new();
    for (field, value, label) in
        [("problems", &p.problems, "存在问题"), ("measures", &p.measures, "整改措施"), ("owner", &p.owner, "责任人")]
    {
        if value.trim().is_empty() {
            errs.push(xianfeng_core::FieldError::new(field, format!("请填写{label}")));
        }
    }
    let today = today_cn();
    match p.deadline {
        None => errs.push(xianfeng_core::FieldError::new("deadline", "请填写整改时限")),
        Some(d) if d < today => errs.push(xianfeng_core::FieldError::new("deadline", "整改时限不能早于今天")),
        _ => {}
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let root = crate::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    let (_, rows) = crate::ranking::compute(store, &root, p.year).await?;
    let Some(placed) = rows.into_iter().find(|r| r.org_id == org.id) else {
        return Err(StoreError::Rule(format!("{}在{}年没有排名，无需整改", org.name, p.year)));
    };
    if !placed.tail {
        return Err(StoreError::Rule(format!(
            "{}在{}年排名第{}（{:.2}分），不在末位，无需整改",
            org.name, p.year, placed.rank, placed.score
        )));
    }
    let mut tx = store.db.begin().await?;
    let exists = tx
        .c()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM rectifications WHERE committee_id = $1 AND org_id = $2 AND year = $3",
            org.committee_id,
            org.id,
            i64::from(p.year)
        ))
        .await?;
    if exists > 0 {
        return Err(StoreError::Rule(format!("{}已有{}年的整改方案", org.name, p.year)));
    }
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO rectifications (committee_id, id, org_id, year, score_x100, rank_at_flag, problems, measures, owner, deadline, \
             state, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12, $13)",
            org.committee_id, id, org.id, i64::from(p.year), (placed.score * 100.0).round() as i64, i64::from(placed.rank),
            p.problems.trim(), p.measures.trim(), p.owner.trim(), p.deadline, who.username.clone(), now, now
        ))
        .await?;
    entry(&mut tx, org.committee_id, id, RectificationEntry::Plan, p.measures.trim(), who).await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("rectification_open", "org", org.id).detail(format!("{}年末位整改", p.year)),
    )
    .await?;
    tx.commit().await?;
    row(store.db.r(), scope, id).await
}

async fn entry(tx: &mut Tx, committee_id: i64, id: i64, kind: RectificationEntry, note: &str, who: &Who) -> Result<()> {
    let seq = tx
        .c()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM rectification_entries WHERE committee_id = $1 AND rectification_id = $2",
            committee_id,
            id
        ))
        .await?
        + 1;
    tx.c()
        .execute(q!(
            "INSERT INTO rectification_entries (committee_id, rectification_id, seq, kind, on_date, note, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            committee_id, id, seq, kind.as_str(), today_cn(), note, who.username.clone(), now_ms()
        ))
        .await?;
    Ok(())
}

/// Moves a rectification on: progress and submission by the branch's side,
/// verification (lift or return) only by the unit above the branch.
#[tracing::instrument(skip_all)]
pub async fn step(
    store: &Store,
    scope: &OrgWrite,
    higher: Option<&HigherCommittee>,
    who: &Who,
    id: i64,
    step: Step,
    note: &str,
    version: Option<i64>,
) -> Result<Detail> {
    let r = row(store.db.r(), scope, id).await?;
    // Pages and the API name the version they saw; the write below takes it again in its transaction.
    if version.is_some_and(|v| v != r.version) {
        return Err(StoreError::Stale);
    }
    if note.trim().is_empty() {
        return Err(StoreError::invalid("note", "请填写情况说明"));
    }
    let verifier = higher.is_some_and(|h| h.covers(&r.org_path));
    let next = step.next(r.state, verifier).map_err(|why| StoreError::Rule(why.into()))?;
    let mut tx = store.db.begin().await?;
    let lifted = (next == RectificationState::Lifted).then(today_cn);
    tx.update_versioned(q!(
        "UPDATE rectifications SET state = $1, lifted_on = $2, updated_at = $3, version = version + 1 \
             WHERE committee_id = $4 AND id = $5 AND version = $6",
        next.as_str(),
        lifted,
        now_ms(),
        r.committee_id,
        r.id,
        r.version
    ))
    .await?;
    entry(&mut tx, r.committee_id, r.id, step.entry(), note.trim(), who).await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("rectification", "org", r.org_id).detail(format!("{} {}：{}", r.year, step.as_str(), note.trim())),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, higher, id).await
}
