//! The pipeline dashboard against the annual plans.

use super::*;
use xianfeng_core::auth::OrgWrite;

/// One unit's line on the pipeline dashboard.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PipelineRow {
    pub committee_id: i64,
    pub unit_name: String,
    pub applicants: i64,
    pub activists: i64,
    pub candidates: i64,
    pub probationary: i64,
    /// Admitted as probationary members this year (approved, dated by the branch vote).
    pub admitted: i64,
    /// Made full members this year.
    pub made_full: i64,
    pub planned: Option<i64>,
    pub overdue: i64,
    pub due_soon: i64,
}

impl PipelineRow {
    pub fn in_pipeline(&self) -> i64 {
        self.applicants + self.activists + self.candidates + self.probationary
    }
    pub fn plan_text(&self) -> String {
        match self.planned {
            Some(p) if p > 0 => format!("{}/{}（{}%）", self.admitted, p, self.admitted * 100 / p),
            Some(_) => format!("{}/0", self.admitted),
            None => format!("{}/未定", self.admitted),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Pipeline {
    pub year: i32,
    pub rows: Vec<PipelineRow>,
    pub total: PipelineRow,
}

#[derive(sqlx::FromRow)]
pub(crate) struct Count {
    pub(crate) committee_id: i64,
    pub(crate) unit_name: String,
    pub(crate) n: i64,
}

/// Each unit's people per stage, admissions against the yearly plan, and
/// overdue and upcoming deadlines: the pipeline dashboard.
#[tracing::instrument(skip_all)]
pub async fn pipeline(store: &Store, scope: &OrgScope, year: i32) -> Result<Pipeline> {
    let today = today_cn();
    let rules: RecruitmentRules = store.rule().await?;
    let soon = today + chrono::Duration::days(rules.warn_days);
    let (y0, y1) = crate::year_bounds(year)?;
    // One pass over the scope's cases, every figure a conditional count per unit.
    let open = sql(CaseStanding::Open);
    let at =
        |s: MemberStatus| format!("SUM(CASE WHEN c.state = {open} AND c.person_status = {} THEN 1 ELSE 0 END)", sql(s));
    let mut q = Q::new(format!(
        "SELECT c.committee_id, u.name AS unit_name, {} AS applicants, {} AS activists, {} AS candidates, \
         {} AS probationary, SUM(CASE WHEN c.admitted_on >= ",
        at(MemberStatus::Applicant),
        at(MemberStatus::Activist),
        at(MemberStatus::Candidate),
        at(MemberStatus::Probationary),
    ));
    q.bind(y0).push(" AND c.admitted_on < ").bind(y1);
    q.push(" THEN 1 ELSE 0 END) AS admitted, SUM(CASE WHEN c.full_on >= ").bind(y0);
    q.push(" AND c.full_on < ").bind(y1);
    q.push(&format!(" THEN 1 ELSE 0 END) AS made_full, SUM(CASE WHEN c.state = {open} AND c.due_on < ")).bind(today);
    q.push(&format!(" THEN 1 ELSE 0 END) AS overdue, SUM(CASE WHEN c.state = {open} AND c.due_on >= ")).bind(today);
    q.push(" AND c.due_on <= ").bind(soon);
    q.push(" THEN 1 ELSE 0 END) AS due_soon FROM recruitment_cases c JOIN orgs u ON u.committee_id = c.committee_id AND u.id = c.committee_id");
    if !scope.is_whole_tree() {
        q.push(" JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE 1 = 1");
        scope_where(&mut q, scope, "o");
    }
    q.push(" GROUP BY c.committee_id, u.name");
    #[derive(sqlx::FromRow)]
    struct Line {
        committee_id: i64,
        unit_name: String,
        applicants: i64,
        activists: i64,
        candidates: i64,
        probationary: i64,
        admitted: i64,
        made_full: i64,
        overdue: i64,
        due_soon: i64,
    }
    let lines: Vec<Line> = store.db.r().fetch_all(q).await?;
    let mut rows: BTreeMap<i64, PipelineRow> = lines
        .into_iter()
        .map(|l| {
            (
                l.committee_id,
                PipelineRow {
                    committee_id: l.committee_id,
                    unit_name: l.unit_name,
                    applicants: l.applicants,
                    activists: l.activists,
                    candidates: l.candidates,
                    probationary: l.probationary,
                    admitted: l.admitted,
                    made_full: l.made_full,
                    planned: None,
                    overdue: l.overdue,
                    due_soon: l.due_soon,
                },
            )
        })
        .collect();
    // Plans of the units in scope, also those with no case yet.
    let mut q = Q::new(
        "SELECT p.committee_id, u.name AS unit_name, p.planned AS n FROM recruitment_plans p \
        JOIN orgs u ON u.committee_id = p.committee_id AND u.id = p.committee_id WHERE p.year = ",
    );
    q.bind(i64::from(year));
    scope_where(&mut q, scope, "u");
    for p in store.db.r().fetch_all::<Count>(q).await? {
        rows.entry(p.committee_id)
            .or_insert_with(|| PipelineRow {
                committee_id: p.committee_id,
                unit_name: p.unit_name.clone(),
                ..Default::default()
            })
            .planned = Some(p.n);
    }
    let mut rows: Vec<PipelineRow> = rows.into_values().collect();
    rows.sort_by(|a, b| a.unit_name.cmp(&b.unit_name));
    let mut total = PipelineRow { unit_name: "合计".into(), ..Default::default() };
    for r in &rows {
        total.applicants += r.applicants;
        total.activists += r.activists;
        total.candidates += r.candidates;
        total.probationary += r.probationary;
        total.admitted += r.admitted;
        total.made_full += r.made_full;
        total.overdue += r.overdue;
        total.due_soon += r.due_soon;
        if let Some(p) = r.planned {
            total.planned = Some(total.planned.unwrap_or(0) + p);
        }
    }
    Ok(Pipeline { year, rows, total })
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanRow {
    pub committee_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub planned: i64,
    pub note: String,
    pub set_by: String,
    pub set_at: i64,
}

/// Yearly plans of the units in scope.
#[tracing::instrument(skip_all)]
pub async fn plans(store: &Store, scope: &OrgScope, year: i32) -> Result<Vec<PlanRow>> {
    let mut q = Q::new(
        "SELECT p.committee_id, u.name AS unit_name, p.year, p.planned, p.note, p.set_by, p.set_at FROM recruitment_plans p \
         JOIN orgs u ON u.committee_id = p.committee_id AND u.id = p.committee_id WHERE p.year = ",
    );
    q.bind(i64::from(year));
    scope_where(&mut q, scope, "u");
    q.push(" ORDER BY u.name");
    store.db.r().fetch_all(q).await
}

/// Sets a unit's recruitment plan for a year. The unit must be inside the
/// caller's scope (a unit or the working committee sets it; a branch cannot).
#[tracing::instrument(skip_all)]
pub async fn set_plan(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    unit_id: i64,
    year: i32,
    planned: i64,
    note: &str,
) -> Result<PlanRow> {
    let unit = crate::org::get(store.db.r(), scope, unit_id).await?;
    if unit.id != unit.committee_id {
        return Err(StoreError::invalid("unit_id", "发展计划按单位制定，请选择单位"));
    }
    let this_year = today_cn().year();
    if year < this_year - 1 || year > this_year + 1 {
        return Err(StoreError::invalid("year", format!("只能制定{}至{}年的计划", this_year - 1, this_year + 1)));
    }
    if !(0..=10_000).contains(&planned) {
        return Err(StoreError::invalid("planned", "计划人数应在0至10000之间"));
    }
    let mut tx = store.db.begin().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO recruitment_plans (committee_id, year, planned, note, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (committee_id, year) DO UPDATE SET planned = excluded.planned, note = excluded.note, set_by = excluded.set_by, set_at = excluded.set_at",
            unit.id, i64::from(year), planned, note.trim(), who.username.clone(), now
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        AuditEvent::ok("plan", "org", unit.id).detail(format!("{year}年发展党员计划 {planned} 人")),
    )
    .await?;
    tx.commit().await?;
    Ok(PlanRow {
        committee_id: unit.id,
        unit_name: unit.name,
        year: i64::from(year),
        planned,
        note: note.trim().to_string(),
        set_by: who.username.clone(),
        set_at: now,
    })
}

/// Checks an outcome name from a form or the API.
pub fn parse_outcome(s: &str) -> Result<Option<Outcome>> {
    match s.trim() {
        "" => Ok(None),
        x => Outcome::parse(x)
            .map(Some)
            .ok_or_else(|| StoreError::invalid("outcome", "审批结果应为 full、extend 或 disqualify")),
    }
}
