//! Recruitment (发展党员) cases: each case's events are the record; the case row
//! keeps what their replay derives (status, next step, first possible date,
//! deadline) so lists and the pipeline dashboard are plain indexed queries.
//! Every write checks the event in core, appends it, re-derives the case and
//! moves the person's member status in the same transaction.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use xianfeng_core::attachment::Owner;
use xianfeng_core::auth::{HigherCommittee, MemberScope, OrgScope};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::recruitment::{
    self as core_rec, Action, CaseState, Event, Level, Outcome, RecruitmentRules, StepData, step_label,
};
use xianfeng_core::rules::RuleSet;
use xianfeng_core::text::{now_ms, today_cn};

use crate::attachment;
use crate::audit::{Event as AuditEvent, append};
use crate::db::{Q, Tx};
use crate::member::{add_history, member_scope_where};
use crate::org::scope_where;
use crate::{Result, Store, StoreError, Who, q};

pub use xianfeng_core::recruitment::DOCUMENTS_PER_CASE;

const COLS: &str = "c.committee_id, c.id, c.member_id, m.name, m.gender, m.birth_date, c.org_id, o.name AS org_name, o.path AS org_path, \
    c.state, c.person_status, c.next_step, c.pending_step, c.applied_on, c.activist_on, c.candidate_on, c.admitted_on, \
    c.probation_end, c.full_on, c.last_on, c.earliest_on, c.due_step, c.due_on, c.events, c.version";
const FROM: &str = " FROM recruitment_cases c JOIN members m ON m.committee_id = c.committee_id AND m.id = c.member_id \
    JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id";

/// One case as listed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub committee_id: i64,
    pub id: i64,
    pub member_id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    /// open | completed | closed
    pub state: String,
    pub person_status: String,
    pub next_step: i64,
    pub pending_step: Option<i64>,
    pub applied_on: NaiveDate,
    pub activist_on: Option<NaiveDate>,
    pub candidate_on: Option<NaiveDate>,
    pub admitted_on: Option<NaiveDate>,
    pub probation_end: Option<NaiveDate>,
    pub full_on: Option<NaiveDate>,
    pub last_on: Option<NaiveDate>,
    pub earliest_on: Option<NaiveDate>,
    pub due_step: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub events: i64,
    pub version: i64,
}

impl CaseRow {
    pub fn status_label(&self) -> &'static str {
        MemberStatus::parse(&self.person_status).map(|s| s.label()).unwrap_or("")
    }
    pub fn state_label(&self) -> &'static str {
        match self.state.as_str() {
            "open" => "进行中",
            "completed" => "已归档",
            _ => "已终止",
        }
    }
    pub fn next_label(&self) -> String {
        if self.state != "open" {
            return self.state_label().to_string();
        }
        match self.pending_step {
            Some(p) => format!("第{}步“{}”待上级党委审批", p, step_label(p as u8)),
            None => format!("第{}步“{}”", self.next_step, step_label(self.next_step as u8)),
        }
    }
    pub fn stage_label(&self) -> &'static str {
        core_rec::step(self.next_step as u8).map(|s| core_rec::STAGES[usize::from(s.stage) - 1]).unwrap_or("已完成")
    }
    /// Whether the deadline has passed on `today`.
    pub fn overdue_on(&self, today: NaiveDate) -> bool {
        self.state == "open" && self.due_on.is_some_and(|d| d < today)
    }
    pub fn due_text(&self) -> String {
        match (self.due_step, self.due_on) {
            (Some(s), Some(d)) => format!("第{}步“{}”应于 {} 前办理", s, step_label(s as u8), d),
            _ => String::new(),
        }
    }
    pub fn earliest_text(&self) -> String {
        self.earliest_on.map(|d| d.to_string()).unwrap_or_default()
    }
}

/// One event as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub seq: i64,
    pub step: i64,
    pub action: String,
    pub on_date: NaiveDate,
    pub responsible: String,
    pub data: String,
    pub summary: String,
    pub actor: String,
    pub actor_level: String,
    pub created_at: i64,
}

impl EventRow {
    pub fn event(&self) -> Result<Event> {
        let data: StepData =
            serde_json::from_str(&self.data).map_err(|e| StoreError::Rule(format!("事件数据无法读取：{e}")))?;
        let action = Action::parse(&self.action).ok_or_else(|| StoreError::Rule("事件类型无效".into()))?;
        Ok(Event { step: self.step as u8, action, on: self.on_date, data })
    }
    pub fn step_label(&self) -> &'static str {
        step_label(self.step as u8)
    }
    pub fn action_label(&self) -> &'static str {
        Action::parse(&self.action).map(|a| a.label()).unwrap_or("")
    }
    pub fn recorded_at(&self) -> String {
        xianfeng_core::text::datetime_ms(self.created_at)
    }
    pub fn level_label(&self) -> &'static str {
        if self.actor_level == "higher" { "上级党委" } else { "党支部" }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub case_id: i64,
    pub step: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// A case with its history, documents and what the rules say about its next step.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDetail {
    pub case: CaseRow,
    pub events: Vec<EventRow>,
    pub documents: Vec<DocumentRow>,
    /// Effective date of each step 1..=25 (index 0 = step 1), after send-backs.
    pub done: Vec<Option<NaiveDate>>,
    /// The rule behind the first possible date of the next step.
    pub earliest_rule: String,
    pub due_rule: String,
    /// Whether the caller may act as the higher committee on this case.
    pub higher: bool,
}

impl CaseDetail {
    pub fn done_on(&self, step: &u8) -> Option<NaiveDate> {
        self.done.get(usize::from(*step).wrapping_sub(1)).copied().flatten()
    }
}

/// What the case row keeps of a case's state, judged under today's rules.
struct Derived {
    state: &'static str,
    status: MemberStatus,
    earliest: Option<NaiveDate>,
    due_step: Option<i64>,
    due_on: Option<NaiveDate>,
}

impl Derived {
    fn of(st: &CaseState, today_rules: &RecruitmentRules) -> Derived {
        let deadline = st.deadline(today_rules);
        Derived {
            state: if st.completed() {
                "completed"
            } else if st.ended() {
                "closed"
            } else {
                "open"
            },
            status: st.person_status(),
            earliest: st.earliest(today_rules).map(|x| x.0),
            due_step: deadline.as_ref().map(|x| i64::from(x.0)),
            due_on: deadline.map(|x| x.1),
        }
    }
}

/// A case written in bulk (demo data, migration from another system): its
/// events must already pass the rules; the person's status must be what they derive.
pub struct NewCase {
    pub committee_id: i64,
    pub member_id: i64,
    pub org_id: i64,
    pub birth: NaiveDate,
    pub events: Vec<Event>,
}

/// Writes cases and their events in a few statements. Returns the number of
/// events written. Refuses (with the case's position) an event the rules refuse.
pub async fn insert_bulk(tx: &mut Tx, rules: &RuleSet, actor: &str, cases: &[NewCase]) -> Result<usize> {
    use crate::db::Arg;
    let ids = tx.alloc_ids(cases.len() as i64).await?;
    let today = today_cn();
    let now = now_ms();
    let mut case_rows: Vec<Vec<Arg>> = Vec::with_capacity(cases.len());
    let mut event_rows: Vec<Vec<Arg>> = Vec::new();
    for (c, id) in cases.iter().zip(ids) {
        let mut st = CaseState::new(c.birth);
        for (i, e) in c.events.iter().enumerate() {
            let r: RecruitmentRules = rules.get(e.on);
            let def = core_rec::step(e.step).ok_or_else(|| StoreError::Rule("步骤编号无效".into()))?;
            let level = if def.by_higher || matches!(e.action, Action::Approve | Action::Return) {
                Level::Higher
            } else {
                Level::Branch
            };
            core_rec::check(&st, &r, e, level, today).map_err(|x| {
                StoreError::Rule(format!("成员{}第{}个事件（第{}步）：{}", c.member_id, i + 1, e.step, x.message))
            })?;
            st.apply(e, &r);
            let data = serde_json::to_string(&e.data).map_err(|x| StoreError::Rule(x.to_string()))?;
            event_rows.push(vec![
                c.committee_id.into(),
                id.into(),
                (i as i64 + 1).into(),
                i64::from(e.step).into(),
                e.action.as_str().into(),
                e.on.into(),
                e.data.responsible.clone().into(),
                data.into(),
                core_rec::describe(e).into(),
                actor.into(),
                if level == Level::Higher { "higher" } else { "branch" }.into(),
                now.into(),
            ]);
        }
        let dv = Derived::of(&st, &rules.get(today));
        let applied = st.applied_on().ok_or_else(|| StoreError::Rule("发展档案须从第1步开始".into()))?;
        case_rows.push(vec![
            c.committee_id.into(),
            id.into(),
            c.member_id.into(),
            c.org_id.into(),
            dv.state.into(),
            dv.status.as_str().into(),
            i64::from(st.next_step).into(),
            st.pending.map(|p| i64::from(p.0)).into(),
            applied.into(),
            st.done[3].into(),
            st.done[7].into(),
            st.admitted_on.into(),
            st.probation_end.into(),
            st.full_on.into(),
            st.last_on.into(),
            dv.earliest.into(),
            dv.due_step.into(),
            dv.due_on.into(),
            (c.events.len() as i64).into(),
            now.into(),
            now.into(),
        ]);
    }
    crate::bulk::insert_rows(
        tx,
        "recruitment_cases",
        "committee_id, id, member_id, org_id, state, person_status, next_step, pending_step, applied_on, activist_on, candidate_on, \
         admitted_on, probation_end, full_on, last_on, earliest_on, due_step, due_on, events, created_at, updated_at",
        case_rows,
    )
    .await?;
    let n = event_rows.len();
    let mut committees: Vec<i64> = cases.iter().map(|c| c.committee_id).collect();
    committees.sort_unstable();
    committees.dedup();
    for c in committees {
        crate::generation::bump_facts(tx, c).await?;
    }
    crate::bulk::insert_rows(
        tx,
        "recruitment_events",
        "committee_id, case_id, seq, step, action, on_date, responsible, data, summary, actor, actor_level, created_at",
        event_rows,
    )
    .await?;
    Ok(n)
}

/// Replays events under the rules in force on each event's date.
fn replay(rules: &RuleSet, birth: NaiveDate, events: &[Event]) -> CaseState {
    let mut st = CaseState::new(birth);
    for e in events {
        st.apply(e, &rules.get::<RecruitmentRules>(e.on));
    }
    st
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct CaseFilter {
    pub org_id: Option<i64>,
    /// A person status (applicant, activist, candidate, probationary).
    pub status: String,
    /// open (default) | completed | closed | all
    pub state: String,
    /// Only cases whose deadline has passed.
    pub overdue: bool,
    /// Only cases whose deadline falls within the warning window.
    pub due_soon: bool,
    /// Only cases whose next step became possible in the last 30 days (a timer ran out).
    pub ready: bool,
    /// Substring of the name.
    pub name: String,
}

/// Cases in scope.
pub async fn cases(store: &Store, scope: &MemberScope, f: &CaseFilter, limit: i64) -> Result<Vec<CaseRow>> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE 1 = 1"));
    member_scope_where(&mut q, scope);
    match f.state.as_str() {
        "" | "open" => {
            q.push(" AND c.state = 'open'");
        }
        "completed" | "closed" => {
            q.push(" AND c.state = ").bind(f.state.clone());
        }
        "all" => {}
        _ => return Err(StoreError::invalid("state", "状态应为 open、completed、closed 或 all")),
    }
    if !f.status.is_empty() {
        let st = MemberStatus::parse(&f.status).ok_or_else(|| StoreError::invalid("status", "发展阶段无效"))?;
        q.push(" AND c.person_status = ").bind(st.as_str());
    }
    if let Some(id) = f.org_id {
        let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::NotFound) };
        let under = crate::org::get(store.db.r(), org, id).await?;
        q.push(" AND o.path LIKE ").bind(format!("{}%", under.path));
    }
    let today = today_cn();
    if f.overdue {
        q.push(" AND c.due_on < ").bind(today);
    }
    if f.due_soon {
        let rules: RecruitmentRules = store.rule().await?;
        q.push(" AND c.due_on >= ").bind(today);
        q.push(" AND c.due_on <= ").bind(today + chrono::Duration::days(rules.warn_days));
    }
    if f.ready {
        q.push(" AND c.pending_step IS NULL AND c.earliest_on <= ").bind(today);
        q.push(" AND c.earliest_on >= ").bind(today - chrono::Duration::days(30));
    }
    if !f.name.trim().is_empty() {
        q.push(" AND m.name LIKE ").bind(format!("%{}%", f.name.trim()));
    }
    q.push(" ORDER BY o.path, c.next_step DESC, c.id LIMIT ").bind(limit.clamp(1, 5000));
    store.db.r().fetch_all(q).await
}

async fn case_row(c: crate::db::Conn<'_>, scope: &MemberScope, id: i64) -> Result<CaseRow> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE c.id = "));
    q.bind(id);
    member_scope_where(&mut q, scope);
    c.fetch_one(q).await
}

async fn events_of(c: crate::db::Conn<'_>, committee_id: i64, case_id: i64) -> Result<Vec<EventRow>> {
    c.fetch_all(q!(
        "SELECT seq, step, action, on_date, responsible, data, summary, actor, actor_level, created_at \
         FROM recruitment_events WHERE committee_id = $1 AND case_id = $2 ORDER BY seq",
        committee_id,
        case_id
    ))
    .await
}

/// The case of a person, if any (the latest).
pub async fn case_of_member(store: &Store, scope: &MemberScope, member_id: i64) -> Result<Option<CaseRow>> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE c.member_id = "));
    q.bind(member_id);
    member_scope_where(&mut q, scope);
    q.push(" ORDER BY c.id DESC LIMIT 1");
    store.db.r().fetch_optional(q).await
}

/// A case with its history, in scope.
pub async fn get(store: &Store, scope: &MemberScope, higher: Option<&HigherCommittee>, id: i64) -> Result<CaseDetail> {
    let case = case_row(store.db.r(), scope, id).await?;
    let events = events_of(store.db.r(), case.committee_id, id).await?;
    let documents = attachment::list(store.db.r(), case.committee_id, Owner::RecruitmentCase, id)
        .await?
        .into_iter()
        .map(DocumentRow::from)
        .collect();
    let rules = store.rules().await?;
    let evs = events.iter().map(EventRow::event).collect::<Result<Vec<_>>>()?;
    let st = replay(&rules, case.birth_date, &evs);
    let now_rules: RecruitmentRules = rules.get(today_cn());
    Ok(CaseDetail {
        done: st.done[1..].to_vec(),
        earliest_rule: st.earliest(&now_rules).map(|x| x.1).unwrap_or_default(),
        due_rule: st.deadline(&now_rules).map(|x| x.2).unwrap_or_default(),
        higher: higher.is_some_and(|h| h.covers(&case.org_path)),
        case,
        events,
        documents,
    })
}

/// Opens a case for an applicant (入党申请人) in scope with step 1, the application.
pub async fn start(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    member_id: i64,
    applied_on: NaiveDate,
    data: StepData,
) -> Result<CaseRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = crate::member::get(store, scope, member_id).await?;
    if m.status != MemberStatus::Applicant.as_str() {
        return Err(StoreError::Rule(format!(
            "{}的党籍状态是“{}”，只有入党申请人才能建立发展党员档案",
            m.name,
            MemberStatus::parse(&m.status).map(|s| s.label()).unwrap_or("")
        )));
    }
    let rules = store.rules().await?;
    let e = Event { step: 1, action: Action::Record, on: applied_on, data };
    let st = CaseState::new(m.birth_date);
    core_rec::check(&st, &rules.get(applied_on), &e, Level::Branch, today_cn())
        .map_err(|r| StoreError::Rule(r.message))?;
    let mut tx = store.db.begin().await?;
    let open = tx
        .c()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM recruitment_cases WHERE committee_id = $1 AND member_id = $2 AND state = 'open'",
            m.committee_id,
            member_id
        ))
        .await?;
    if open > 0 {
        return Err(StoreError::Rule(format!("{}已有进行中的发展党员档案", m.name)));
    }
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO recruitment_cases (committee_id, id, member_id, org_id, state, person_status, next_step, applied_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'open', 'applicant', 1, $5, $6, $7)",
            m.committee_id, id, member_id, m.org_id, applied_on, now, now
        ))
        .await?;
    let case = Loaded {
        committee_id: m.committee_id,
        id,
        member_id,
        birth: m.birth_date,
        version: 1,
        status: m.status.clone(),
    };
    append_event(&mut tx, store, &rules, who, &case, Vec::new(), e, Level::Branch).await?;
    tx.commit().await?;
    case_row(store.db.r(), scope, id).await
}

struct Loaded {
    committee_id: i64,
    id: i64,
    member_id: i64,
    birth: NaiveDate,
    version: i64,
    /// The member's current status.
    status: String,
}

/// Appends a checked event, re-derives the case and moves the member's status.
#[allow(clippy::too_many_arguments)]
async fn append_event(
    tx: &mut Tx,
    store: &Store,
    rules: &RuleSet,
    who: &Who,
    case: &Loaded,
    mut events: Vec<Event>,
    e: Event,
    level: Level,
) -> Result<CaseState> {
    let seq = events.len() as i64 + 1;
    let summary = core_rec::describe(&e);
    let data = serde_json::to_string(&e.data).map_err(|x| StoreError::Rule(x.to_string()))?;
    tx.c()
        .execute(q!(
            "INSERT INTO recruitment_events (committee_id, case_id, seq, step, action, on_date, responsible, data, summary, actor, actor_level, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            case.committee_id, case.id, seq, i64::from(e.step), e.action.as_str(), e.on, e.data.responsible.clone(), data,
            summary.clone(), who.username.clone(), if level == Level::Higher { "higher" } else { "branch" }, now_ms()
        ))
        .await?;
    let (step, action, on) = (e.step, e.action, e.on);
    events.push(e);
    let st = replay(rules, case.birth, &events);
    let dv = Derived::of(&st, &rules.get(today_cn()));
    let status = dv.status;
    let updated = tx
        .c()
        .execute(q!(
            "UPDATE recruitment_cases SET state = $1, person_status = $2, next_step = $3, pending_step = $4, activist_on = $5, \
             candidate_on = $6, admitted_on = $7, probation_end = $8, full_on = $9, last_on = $10, earliest_on = $11, \
             due_step = $12, due_on = $13, events = $14, version = version + 1, updated_at = $15 \
             WHERE committee_id = $16 AND id = $17 AND version = $18",
            dv.state, status.as_str(), i64::from(st.next_step), st.pending.map(|p| i64::from(p.0)), st.done[3], st.done[7],
            st.admitted_on, st.probation_end, st.full_on, st.last_on, dv.earliest,
            dv.due_step, dv.due_on, seq, now_ms(),
            case.committee_id, case.id, case.version
        ))
        .await?;
    if updated != 1 {
        return Err(StoreError::Stale);
    }
    if status.as_str() != case.status {
        let (join, full) = (st.admitted_on, st.full_on);
        tx.c()
            .execute(q!(
                "UPDATE members SET status = $1, join_date = COALESCE($2, join_date), full_date = COALESCE($3, full_date), \
                 version = version + 1, updated_at = $4 WHERE committee_id = $5 AND id = $6",
                status.as_str(), join, full, now_ms(), case.committee_id, case.member_id
            ))
            .await?;
        add_history(
            tx,
            case.committee_id,
            case.member_id,
            who,
            "status",
            "status",
            &case.status,
            status.as_str(),
            Some(on),
            &format!("发展党员第{}步“{}”", step, step_label(step)),
        )
        .await?;
        crate::generation::bump_orgs(tx, case.committee_id).await?;
    }
    crate::generation::bump_facts(tx, case.committee_id).await?;
    append(
        tx,
        &store.keys.audit_key,
        who,
        AuditEvent::ok("recruitment", "member", case.member_id).detail(format!(
            "第{}步“{}”{}：{} {}",
            step,
            step_label(step),
            action.label(),
            on,
            summary
        )),
    )
    .await?;
    Ok(st)
}

/// Records, submits, approves or sends back a step of a case in scope. The
/// higher committee's steps need `higher` covering the case's branch.
pub async fn act(
    store: &Store,
    scope: &MemberScope,
    higher: Option<&HigherCommittee>,
    who: &Who,
    case_id: i64,
    e: Event,
    version: Option<i64>,
) -> Result<CaseDetail> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let rules = store.rules().await?;
    let mut tx = store.db.begin().await?;
    let row = case_row(tx.c(), scope, case_id).await?;
    // A person acts on the version they saw (pages and API always say it);
    // the write below takes the version again inside this transaction.
    if version.is_some_and(|v| v != row.version) {
        return Err(StoreError::Stale);
    }
    let level = if higher.is_some_and(|h| h.covers(&row.org_path)) { Level::Higher } else { Level::Branch };
    let stored = events_of(tx.c(), row.committee_id, case_id).await?;
    let events = stored.iter().map(EventRow::event).collect::<Result<Vec<_>>>()?;
    let st = replay(&rules, row.birth_date, &events);
    let r: RecruitmentRules = rules.get(e.on);
    core_rec::check(&st, &r, &e, level, today_cn()).map_err(|x| StoreError::Rule(x.message))?;
    let status: String = tx
        .c()
        .fetch_one::<(String,)>(q!(
            "SELECT status FROM members WHERE committee_id = $1 AND id = $2",
            row.committee_id,
            row.member_id
        ))
        .await?
        .0;
    let case = Loaded {
        committee_id: row.committee_id,
        id: row.id,
        member_id: row.member_id,
        birth: row.birth_date,
        version: row.version,
        status,
    };
    append_event(&mut tx, store, &rules, who, &case, events, e, level).await?;
    tx.commit().await?;
    get(store, scope, higher, case_id).await
}

/// Attaches a document (application, talk record, review …) to a step of a case.
pub async fn add_document(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    case_id: i64,
    step: u8,
    file_name: &str,
    data: Vec<u8>,
) -> Result<DocumentRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    if core_rec::step(step).is_none() {
        return Err(StoreError::invalid("step", "步骤编号应在1至25之间"));
    }
    let c = case_row(store.db.r(), scope, case_id).await?;
    let mut tx = store.db.begin().await?;
    let added =
        attachment::add(&mut tx, who, c.committee_id, Owner::RecruitmentCase, c.id, i64::from(step), file_name, data)
            .await?;
    let a = added.attachment;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        AuditEvent::ok("upload", "recruitment", c.id)
            .detail(format!("第{step}步材料 {}（{} 字节）", a.file_name, a.size)),
    )
    .await?;
    tx.commit().await?;
    Ok(a.into())
}

impl From<attachment::Attachment> for DocumentRow {
    fn from(a: attachment::Attachment) -> Self {
        DocumentRow {
            id: a.id,
            case_id: a.owner_id,
            step: a.slot,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            uploaded_by: a.uploaded_by,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// A document with its bytes, in scope.
pub async fn document(store: &Store, scope: &MemberScope, case_id: i64, id: i64) -> Result<(DocumentRow, Vec<u8>)> {
    let c = case_row(store.db.r(), scope, case_id).await?;
    let (a, data) = attachment::fetch(store.db.r(), c.committee_id, Owner::RecruitmentCase, c.id, id).await?;
    Ok((a.into(), data))
}

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
struct Count {
    committee_id: i64,
    unit_name: String,
    n: i64,
}

/// Each unit's people per stage, admissions against the yearly plan, and
/// overdue and upcoming deadlines: the pipeline dashboard.
pub async fn pipeline(store: &Store, scope: &OrgScope, year: i32) -> Result<Pipeline> {
    let today = today_cn();
    let rules: RecruitmentRules = store.rule().await?;
    let soon = today + chrono::Duration::days(rules.warn_days);
    let (y0, y1) = crate::year_bounds(year)?;
    // One pass over the scope's cases, every figure a conditional count per unit.
    let mut q = Q::new(
        "SELECT c.committee_id, u.name AS unit_name, \
         SUM(CASE WHEN c.state = 'open' AND c.person_status = 'applicant' THEN 1 ELSE 0 END) AS applicants, \
         SUM(CASE WHEN c.state = 'open' AND c.person_status = 'activist' THEN 1 ELSE 0 END) AS activists, \
         SUM(CASE WHEN c.state = 'open' AND c.person_status = 'candidate' THEN 1 ELSE 0 END) AS candidates, \
         SUM(CASE WHEN c.state = 'open' AND c.person_status = 'probationary' THEN 1 ELSE 0 END) AS probationary, \
         SUM(CASE WHEN c.admitted_on >= ",
    );
    q.bind(y0).push(" AND c.admitted_on < ").bind(y1);
    q.push(" THEN 1 ELSE 0 END) AS admitted, SUM(CASE WHEN c.full_on >= ").bind(y0);
    q.push(" AND c.full_on < ").bind(y1);
    q.push(" THEN 1 ELSE 0 END) AS made_full, SUM(CASE WHEN c.state = 'open' AND c.due_on < ").bind(today);
    q.push(" THEN 1 ELSE 0 END) AS overdue, SUM(CASE WHEN c.state = 'open' AND c.due_on >= ").bind(today);
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
pub async fn set_plan(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    unit_id: i64,
    year: i32,
    planned: i64,
    note: &str,
) -> Result<PlanRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
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
