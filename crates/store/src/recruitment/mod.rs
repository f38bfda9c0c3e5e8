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
    self as core_rec, Action, CaseStanding, CaseState, Event, Level, Outcome, RecruitmentRules, StepData, step_label,
};
use xianfeng_core::rules::RuleSet;
use xianfeng_core::states::sql;
use xianfeng_core::text::{now_ms, today_cn};

use crate::attachment;
use crate::audit::{Event as AuditEvent, append};
use crate::db::{Q, Tx};
use crate::member::{add_history, member_scope_where};
use crate::org::scope_where;
use crate::{Result, Store, StoreError, Who, q};

mod cases;
mod pipeline;

pub use self::cases::*;
pub use self::pipeline::*;

pub use xianfeng_core::recruitment::DOCUMENTS_PER_CASE;

pub(crate) const COLS: &str = "c.committee_id, c.id, c.member_id, m.name, m.gender, m.birth_date, c.org_id, o.name AS org_name, o.path AS org_path, \
    c.state, c.person_status, c.next_step, c.pending_step, c.applied_on, c.activist_on, c.candidate_on, c.admitted_on, \
    c.probation_end, c.full_on, c.last_on, c.earliest_on, c.due_step, c.due_on, c.events, c.version";
pub(crate) const FROM: &str = " FROM recruitment_cases c JOIN members m ON m.committee_id = c.committee_id AND m.id = c.member_id \
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
    pub state: CaseStanding,
    pub person_status: MemberStatus,
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
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::RecruitmentCase> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

impl CaseRow {
    pub fn status_label(&self) -> &'static str {
        self.person_status.label()
    }
    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }
    pub fn next_label(&self) -> String {
        if self.state != CaseStanding::Open {
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
        self.state == CaseStanding::Open && self.due_on.is_some_and(|d| d < today)
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
    pub action: Action,
    pub on_date: NaiveDate,
    pub responsible: String,
    pub data: String,
    pub summary: String,
    pub actor: String,
    pub actor_level: Level,
    pub created_at: i64,
}

impl EventRow {
    pub fn event(&self) -> Result<Event> {
        let data: StepData =
            serde_json::from_str(&self.data).map_err(|e| StoreError::Rule(format!("事件数据无法读取：{e}")))?;
        Ok(Event { step: self.step as u8, action: self.action, on: self.on_date, data })
    }
    pub fn step_label(&self) -> &'static str {
        step_label(self.step as u8)
    }
    pub fn action_label(&self) -> &'static str {
        self.action.label()
    }
    pub fn recorded_at(&self) -> String {
        xianfeng_core::text::datetime_ms(self.created_at)
    }
    pub fn level_label(&self) -> &'static str {
        self.actor_level.label()
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
pub(crate) struct Derived {
    pub(crate) state: CaseStanding,
    pub(crate) status: MemberStatus,
    pub(crate) earliest: Option<NaiveDate>,
    pub(crate) due_step: Option<i64>,
    pub(crate) due_on: Option<NaiveDate>,
}

impl Derived {
    pub(crate) fn of(st: &CaseState, today_rules: &RecruitmentRules) -> Derived {
        let deadline = st.deadline(today_rules);
        Derived {
            state: st.standing(),
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
#[tracing::instrument(skip_all)]
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
            dv.state.as_str().into(),
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
pub(crate) fn replay(rules: &RuleSet, birth: NaiveDate, events: &[Event]) -> CaseState {
    let mut st = CaseState::new(birth);
    for e in events {
        st.apply(e, &rules.get::<RecruitmentRules>(e.on));
    }
    st
}
