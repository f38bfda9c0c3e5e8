//! Cases: the list, one case, starting a case, acting on a step, materials.

use super::*;
use xianfeng_core::auth::MemberWrite;

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
#[tracing::instrument(skip_all)]
pub async fn cases(
    store: &Store,
    scope: &MemberScope,
    f: &CaseFilter,
    page: i64,
    per_page: i64,
) -> Result<crate::Page<CaseRow>> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE 1 = 1"));
    member_scope_where(&mut q, scope);
    match f.state.as_str() {
        "all" => {}
        code => {
            let st = if code.is_empty() { Some(CaseStanding::Open) } else { CaseStanding::parse(code) };
            let st = st.ok_or_else(|| StoreError::invalid("state", "状态应为 open、completed、closed 或 all"))?;
            q.push(" AND c.state = ").bind(st.as_str());
        }
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
    crate::fetch_page(store, q, "o.path, c.next_step DESC, c.id", page, per_page).await
}

pub(crate) async fn case_row(c: crate::db::Conn<'_>, scope: &MemberScope, id: i64) -> Result<CaseRow> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE c.id = "));
    q.bind(id);
    member_scope_where(&mut q, scope);
    c.fetch_one(q).await
}

pub(crate) async fn events_of(c: crate::db::Conn<'_>, committee_id: i64, case_id: i64) -> Result<Vec<EventRow>> {
    c.fetch_all(q!(
        "SELECT seq, step, action, on_date, responsible, data, summary, actor, actor_level, created_at \
         FROM recruitment_events WHERE committee_id = $1 AND case_id = $2 ORDER BY seq",
        committee_id,
        case_id
    ))
    .await
}

/// The case of a person, if any (the latest).
#[tracing::instrument(skip_all)]
pub async fn case_of_member(store: &Store, scope: &MemberScope, member_id: i64) -> Result<Option<CaseRow>> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE c.member_id = "));
    q.bind(member_id);
    member_scope_where(&mut q, scope);
    q.push(" ORDER BY c.id DESC LIMIT 1");
    store.db.r().fetch_optional(q).await
}

/// A case with its history, in scope.
#[tracing::instrument(skip_all)]
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
#[tracing::instrument(skip_all)]
pub async fn start(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    member_id: i64,
    applied_on: NaiveDate,
    data: StepData,
) -> Result<CaseRow> {
    let m = crate::member::get(store, scope, member_id).await?;
    if m.status != MemberStatus::Applicant {
        return Err(StoreError::Rule(format!(
            "{}的党籍状态是“{}”，只有入党申请人才能建立发展党员档案",
            m.name,
            m.status.label()
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
            "SELECT COUNT(*) AS v FROM recruitment_cases WHERE committee_id = $1 AND member_id = $2 AND state = $3",
            m.committee_id,
            member_id,
            CaseStanding::Open.as_str()
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
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9)",
            m.committee_id, id, member_id, m.org_id, CaseStanding::Open.as_str(), MemberStatus::Applicant.as_str(),
            applied_on, now, now
        ))
        .await?;
    let case =
        Loaded { committee_id: m.committee_id, id, member_id, birth: m.birth_date, version: 1, status: m.status };
    append_event(&mut tx, store, &rules, who, &case, Vec::new(), e, Level::Branch).await?;
    tx.commit().await?;
    case_row(store.db.r(), scope, id).await
}

pub(crate) struct Loaded {
    pub(crate) committee_id: i64,
    pub(crate) id: i64,
    pub(crate) member_id: i64,
    pub(crate) birth: NaiveDate,
    pub(crate) version: i64,
    /// The member's current status.
    pub(crate) status: MemberStatus,
}

/// Appends a checked event, re-derives the case and moves the member's status.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn append_event(
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
            summary.clone(), who.username.clone(), level.as_str(), now_ms()
        ))
        .await?;
    let (step, action, on) = (e.step, e.action, e.on);
    events.push(e);
    let st = replay(rules, case.birth, &events);
    let dv = Derived::of(&st, &rules.get(today_cn()));
    let status = dv.status;
    tx.update_versioned(q!(
            "UPDATE recruitment_cases SET state = $1, person_status = $2, next_step = $3, pending_step = $4, activist_on = $5, \
             candidate_on = $6, admitted_on = $7, probation_end = $8, full_on = $9, last_on = $10, earliest_on = $11, \
             due_step = $12, due_on = $13, events = $14, version = version + 1, updated_at = $15 \
             WHERE committee_id = $16 AND id = $17 AND version = $18",
            dv.state.as_str(), status.as_str(), i64::from(st.next_step), st.pending.map(|p| i64::from(p.0)), st.done[3], st.done[7],
            st.admitted_on, st.probation_end, st.full_on, st.last_on, dv.earliest,
            dv.due_step, dv.due_on, seq, now_ms(),
            case.committee_id, case.id, case.version
        )).await?;
    if status != case.status {
        let (join, full) = (st.admitted_on, st.full_on);
        tx.c()
            .execute(q!(
                "UPDATE members SET status = $1, join_date = COALESCE($2, join_date), full_date = COALESCE($3, full_date), \
                 version = version + 1, updated_at = $4 WHERE committee_id = $5 AND id = $6",
                status.as_str(), join, full, now_ms(), case.committee_id, case.member_id
            ))
            .await?;
        crate::member::counts::recount_member(tx, case.committee_id, case.member_id).await?;
        add_history(
            tx,
            case.committee_id,
            case.member_id,
            who,
            "status",
            "status",
            case.status.as_str(),
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
#[tracing::instrument(skip_all)]
pub async fn act(
    store: &Store,
    scope: &MemberWrite,
    higher: Option<&HigherCommittee>,
    who: &Who,
    case_id: i64,
    e: Event,
    version: Option<i64>,
) -> Result<CaseDetail> {
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
    let status: MemberStatus = tx
        .c()
        .fetch_one::<(MemberStatus,)>(q!(
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
#[tracing::instrument(skip_all)]
pub async fn add_document(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    case_id: i64,
    step: u8,
    file_name: &str,
    data: Vec<u8>,
) -> Result<DocumentRow> {
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
#[tracing::instrument(skip_all)]
pub async fn document(store: &Store, scope: &MemberScope, case_id: i64, id: i64) -> Result<(DocumentRow, Vec<u8>)> {
    let c = case_row(store.db.r(), scope, case_id).await?;
    let (a, data) = attachment::fetch(store.db.r(), c.committee_id, Owner::RecruitmentCase, c.id, id).await?;
    Ok((a.into(), data))
}
