//! Recruitment (发展党员) pages and API: the pipeline dashboard, the case list,
//! opening a case for an applicant, a case's 25 steps with the next step's
//! form (refusals name the rule and the first possible date), the higher
//! committee's approval and send-back, documents, and yearly plans.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use xianfeng_core::FieldError;
use xianfeng_core::member::{MemberStatus, parse_date};
use xianfeng_core::recruitment::{self as core_rec, Action, Event, Needs, Outcome, StepData, Votes};
use xianfeng_core::text::today_cn;
use xianfeng_store::StoreError;
use xianfeng_store::member::MemberFilter;
use xianfeng_store::recruitment::{self as store_rec, CaseDetail, CaseFilter, CaseRow, Pipeline, PlanRow};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::{Errors, opt_num};
use crate::layout::{Layout, fmt_ms, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/recruitment", get(pipeline_page))
        .route("/recruitment/cases", get(cases_page))
        .route("/recruitment/new", get(new_page).post(new_submit))
        .route("/recruitment/cases/{id}", get(case_page))
        .route("/recruitment/cases/{id}/steps", post(step_submit))
        .route("/recruitment/cases/{id}/documents", post(document_upload))
        .route("/recruitment/cases/{id}/documents/{doc}", get(document_download))
        .route("/recruitment/plans", get(plans_page).post(plan_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/recruitment/pipeline", get(api_pipeline))
        .route("/recruitment/cases", get(api_cases).post(api_start))
        .route("/recruitment/cases/{id}", get(api_case))
        .route("/recruitment/cases/{id}/events", post(api_event))
        .route("/recruitment/cases/{id}/documents", post(api_document_upload))
        .route("/recruitment/cases/{id}/documents/{doc}", get(document_download))
        .route("/recruitment/plans", get(api_plans).put(api_set_plan))
        .route("/recruitment/steps", get(api_steps))
}

fn flash(code: &str) -> &'static str {
    match code {
        "started" => "发展党员档案已建立",
        "done" => "已办理",
        "submitted" => "已报上级党委",
        "approved" => "已审批通过",
        "returned" => "已打回",
        "uploaded" => "材料已上传",
        "plan" => "发展计划已保存",
        _ => "",
    }
}

fn year_of(s: &str) -> Result<i32> {
    crate::form::year_or(s, today_cn().year())
}

// ----- pipeline -----

#[derive(Deserialize, Default)]
#[serde(default)]
struct YearQ {
    year: String,
    ok: String,
}

#[derive(Template)]
#[template(path = "recruitment.html")]
struct PipelinePage {
    l: Layout,
    p: Pipeline,
    overdue: Vec<CaseRow>,
    soon: Vec<CaseRow>,
    warn_days: i64,
    can_plan: bool,
}

async fn pipeline_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let ms = ctx.member_scope(&state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    let p = store_rec::pipeline(&state.store, &scope, year_of(&q.year)?).await?;
    let overdue = store_rec::cases(&state.store, &ms, &CaseFilter { overdue: true, ..Default::default() }, 50).await?;
    let soon = store_rec::cases(&state.store, &ms, &CaseFilter { due_soon: true, ..Default::default() }, 50).await?;
    let rules: core_rec::RecruitmentRules = state.store.rule().await?;
    render(&PipelinePage {
        l: Layout::new(&ctx, format!("发展党员 — {}年", p.year), "/recruitment").crumb("发展党员", ""),
        p,
        overdue,
        soon,
        warn_days: rules.warn_days,
        can_plan: ctx.actor()?.higher_committee().is_some(),
    })
}

async fn api_pipeline(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQ>) -> Result<Json<Pipeline>> {
    let scope = ctx.org_scope()?;
    if !ctx.member_scope(&state).await?.can_write() {
        return Err(AppError::Forbidden);
    }
    Ok(Json(store_rec::pipeline(&state.store, &scope, year_of(&q.year)?).await?))
}

// ----- case list -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CasesQ {
    org_id: String,
    status: String,
    state: String,
    overdue: String,
    due_soon: String,
    ready: String,
    name: String,
}

impl CasesQ {
    fn filter(&self) -> Result<CaseFilter> {
        Ok(CaseFilter {
            org_id: match self.org_id.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| AppError::BadRequest("org_id应为数字".into()))?),
            },
            status: self.status.clone(),
            state: self.state.clone(),
            overdue: matches!(self.overdue.as_str(), "1" | "true"),
            due_soon: matches!(self.due_soon.as_str(), "1" | "true"),
            ready: matches!(self.ready.as_str(), "1" | "true"),
            name: self.name.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "recruitment_cases.html")]
struct CasesPage {
    l: Layout,
    q: CasesQ,
    items: Vec<CaseRow>,
    statuses: Vec<(&'static str, &'static str)>,
    today: NaiveDate,
}

const PIPELINE_STATUSES: [MemberStatus; 4] =
    [MemberStatus::Applicant, MemberStatus::Activist, MemberStatus::Candidate, MemberStatus::Probationary];

async fn cases_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CasesQ>) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    let items = store_rec::cases(&state.store, &ms, &q.filter()?, 1000).await?;
    render(&CasesPage {
        l: Layout::new(&ctx, "发展党员名册", "/recruitment/cases")
            .crumb("发展党员", "/recruitment")
            .crumb("发展党员名册", ""),
        q,
        items,
        statuses: PIPELINE_STATUSES.iter().map(|s| (s.as_str(), s.label())).collect(),
        today: today_cn(),
    })
}

async fn api_cases(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CasesQ>,
) -> Result<Json<serde_json::Value>> {
    let ms = ctx.member_scope(&state).await?;
    let items = store_rec::cases(&state.store, &ms, &q.filter()?, 5000).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

// ----- open a case -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewForm {
    member_id: String,
    applied_on: String,
    responsible: String,
    note: String,
}

#[derive(Template)]
#[template(path = "recruitment_new.html")]
struct NewPage {
    l: Layout,
    form: NewForm,
    errors: Errors,
    applicants: Vec<(String, String)>,
}

async fn new_view(state: &AppState, ctx: &Ctx, form: NewForm, errors: Errors) -> Result<Response> {
    let ms = ctx.member_scope(state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    let f = MemberFilter { status: "applicant".into(), ..Default::default() };
    let all = xianfeng_store::member::list_all(&state.store, &ms, &f, 2000).await?;
    let open: std::collections::HashSet<i64> = store_rec::cases(&state.store, &ms, &CaseFilter::default(), 5000)
        .await?
        .into_iter()
        .map(|c| c.member_id)
        .collect();
    let applicants = all
        .into_iter()
        .filter(|m| !open.contains(&m.id))
        .map(|m| (m.id.to_string(), format!("{}（{}）", m.name, m.org_name)))
        .collect();
    render(&NewPage {
        l: Layout::new(ctx, "建立发展党员档案", "/recruitment/new")
            .crumb("发展党员", "/recruitment")
            .crumb("建立发展党员档案", ""),
        form,
        errors,
        applicants,
    })
}

async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(f): Query<NewForm>) -> Result<Response> {
    new_view(&state, &ctx, f, Errors::default()).await
}

fn parse_new(f: &NewForm) -> std::result::Result<(i64, NaiveDate), Vec<FieldError>> {
    let mut errs = Vec::new();
    let id = f.member_id.trim().parse::<i64>().ok();
    if id.is_none() {
        errs.push(FieldError::new("member_id", "请选择入党申请人"));
    }
    let on = parse_date(&f.applied_on);
    if on.is_none() {
        errs.push(FieldError::new("applied_on", "请按 2025-07-01 的格式填写递交入党申请书的日期"));
    }
    match (id, on) {
        (Some(i), Some(d)) if errs.is_empty() => Ok((i, d)),
        _ => Err(errs),
    }
}

async fn new_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewForm>) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let (id, on) = match parse_new(&f) {
        Ok(x) => x,
        Err(errs) => return new_view(&state, &ctx, f, Errors(errs)).await,
    };
    let data = StepData { responsible: f.responsible.trim().into(), note: f.note.trim().into(), ..Default::default() };
    match store_rec::start(&state.store, &ms, &ctx.who(), id, on, data).await {
        Ok(c) => Ok(Redirect::to(&format!("/recruitment/cases/{}?ok=started", c.id)).into_response()),
        Err(StoreError::Rule(m)) => new_view(&state, &ctx, f, Errors(vec![FieldError::new("applied_on", m)])).await,
        Err(StoreError::Invalid(errs)) => new_view(&state, &ctx, f, Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct StartJson {
    member_id: i64,
    applied_on: NaiveDate,
    #[serde(default)]
    data: StepData,
}

async fn api_start(State(state): State<AppState>, ctx: Ctx, Json(b): Json<StartJson>) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let c = store_rec::start(&state.store, &ms, &ctx.who(), b.member_id, b.applied_on, b.data).await?;
    Ok((axum::http::StatusCode::CREATED, Json(c)).into_response())
}

// ----- a case -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct StepForm {
    version: String,
    step: String,
    action: String,
    on: String,
    responsible: String,
    note: String,
    people: String,
    hours: String,
    notice_from: String,
    notice_to: String,
    entitled: String,
    present: String,
    votes_for: String,
    against: String,
    abstain: String,
    outcome: String,
    extend_months: String,
    return_to: String,
}

impl StepForm {
    /// The event the form describes; malformed fields are named.
    fn event(&self) -> std::result::Result<Event, Vec<FieldError>> {
        let mut errs = Vec::new();
        let step = self.step.trim().parse::<u8>().ok().filter(|s| core_rec::step(*s).is_some());
        if step.is_none() {
            errs.push(FieldError::new("step", "步骤无效"));
        }
        let action = Action::parse(self.action.trim());
        if action.is_none() {
            errs.push(FieldError::new("action", "操作无效"));
        }
        let on = parse_date(&self.on);
        if on.is_none() {
            errs.push(FieldError::new("on", "请按 2025-07-01 的格式填写日期"));
        }
        let mut num = |field: &str, label: &str, v: &str| -> Option<u32> {
            if v.trim().is_empty() {
                return None;
            }
            let n = v.trim().parse::<u32>().ok();
            if n.is_none() {
                errs.push(FieldError::new(field, format!("{label}应为整数")));
            }
            n
        };
        let hours = num("hours", "学时", &self.hours);
        let extend_months = num("extend_months", "延长月数", &self.extend_months);
        let return_to = num("return_to", "打回步骤", &self.return_to).map(|n| n as u8);
        let counts = [
            num("entitled", "应到人数", &self.entitled),
            num("present", "实到人数", &self.present),
            num("votes_for", "赞成人数", &self.votes_for),
            num("against", "反对人数", &self.against),
            num("abstain", "弃权人数", &self.abstain),
        ];
        let votes = counts.iter().any(Option::is_some).then(|| Votes {
            entitled: counts[0].unwrap_or(0),
            present: counts[1].unwrap_or(0),
            for_: counts[2].unwrap_or(0),
            against: counts[3].unwrap_or(0),
            abstain: counts[4].unwrap_or(0),
        });
        let mut date = |field: &str, v: &str| -> Option<NaiveDate> {
            if v.trim().is_empty() {
                return None;
            }
            let d = parse_date(v);
            if d.is_none() {
                errs.push(FieldError::new(field, "请按 2025-07-01 的格式填写日期"));
            }
            d
        };
        let notice_from = date("notice_from", &self.notice_from);
        let notice_to = date("notice_to", &self.notice_to);
        let outcome = match self.outcome.trim() {
            "" => None,
            o => {
                let x = Outcome::parse(o);
                if x.is_none() {
                    errs.push(FieldError::new("outcome", "审批结果无效"));
                }
                x
            }
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Event {
            step: step.unwrap_or(1),
            action: action.unwrap_or(Action::Record),
            on: on.unwrap_or_default(),
            data: StepData {
                responsible: self.responsible.trim().into(),
                note: self.note.trim().into(),
                people: self.people.trim().into(),
                hours,
                notice_from,
                notice_to,
                votes,
                outcome,
                extend_months,
                return_to,
            },
        })
    }
}

/// A step's line on the case page.
struct StepLine {
    no: u8,
    stage: &'static str,
    stage_start: bool,
    label: &'static str,
    by_higher: bool,
    done: String,
    /// "done" | "pending" | "next" | ""
    state: &'static str,
}

#[derive(Template)]
#[template(path = "recruitment_case.html")]
struct CasePage {
    l: Layout,
    d: CaseDetail,
    steps: Vec<StepLine>,
    /// The next step's form, when the caller may act on it.
    next: Option<NextForm>,
    /// The pending approval the caller may decide.
    decide: Option<(u8, &'static str, Vec<u8>)>,
    form: StepForm,
    errors: Errors,
    message: String,
    today: String,
}

struct NextForm {
    no: u8,
    label: &'static str,
    action: &'static str,
    action_label: &'static str,
    needs: &'static str,
    earliest: String,
}

fn needs_name(n: Needs) -> &'static str {
    match n {
        Needs::Nothing => "",
        Needs::Mentors => "mentors",
        Needs::Sponsors => "sponsors",
        Needs::Hours => "hours",
        Needs::Notice => "notice",
        Needs::Votes => "votes",
        Needs::Outcome => "outcome",
    }
}

async fn case_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    ok: &str,
    form: StepForm,
    errors: Errors,
    message: String,
) -> Result<Response> {
    let ms = ctx.member_scope(state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    let higher = ctx.actor()?.higher_committee();
    let d = store_rec::get(&state.store, &ms, higher.as_ref(), id).await?;
    let c = &d.case;
    let open = c.state == "open";
    let mut steps = Vec::new();
    for s in core_rec::STEPS.iter() {
        let done = d.done_on(&s.no);
        let st = if done.is_some() {
            "done"
        } else if open && c.pending_step == Some(i64::from(s.no)) {
            "pending"
        } else if open && c.next_step == i64::from(s.no) {
            "next"
        } else {
            ""
        };
        steps.push(StepLine {
            no: s.no,
            stage: core_rec::STAGES[usize::from(s.stage) - 1],
            stage_start: core_rec::stage_start(s.stage) == s.no,
            label: s.label,
            by_higher: s.by_higher || s.approval,
            done: done.map(|x| x.to_string()).unwrap_or_default(),
            state: st,
        });
    }
    let next = match (open, c.pending_step, core_rec::step(c.next_step as u8)) {
        (true, None, Some(s)) if !s.by_higher || d.higher => Some(NextForm {
            no: s.no,
            label: s.label,
            action: if s.approval { "submit" } else { "record" },
            action_label: if s.approval { "报上级党委" } else { "办理" },
            needs: if s.approval && s.needs == Needs::Outcome { "" } else { needs_name(s.needs) },
            earliest: c.earliest_text(),
        }),
        _ => None,
    };
    let decide = match (open, c.pending_step) {
        (true, Some(p)) if d.higher => {
            let p = p as u8;
            let def = core_rec::step(p).ok_or(AppError::NotFound)?;
            let lowest = core_rec::stage_start(def.stage);
            Some((p, def.label, (lowest..=p).collect()))
        }
        _ => None,
    };
    let title = format!("发展党员档案 — {}", c.name);
    render(&CasePage {
        l: Layout::new(ctx, title, "/recruitment/cases")
            .crumb("发展党员", "/recruitment")
            .crumb("发展党员名册", "/recruitment/cases")
            .crumb(c.name.clone(), "")
            .flash(flash(ok)),
        steps,
        next,
        decide,
        form,
        errors,
        message,
        today: today_cn().to_string(),
        d,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OkQ {
    ok: String,
}

async fn case_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQ>,
) -> Result<Response> {
    case_view(&state, &ctx, id, &q.ok, StepForm::default(), Errors::default(), String::new()).await
}

async fn step_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let higher = ctx.actor()?.higher_committee();
    let e = match f.event() {
        Ok(e) => e,
        Err(errs) => return case_view(&state, &ctx, id, "", f, Errors(errs), String::new()).await,
    };
    let ok = match e.action {
        Action::Record => "done",
        Action::Submit => "submitted",
        Action::Approve => "approved",
        Action::Return => "returned",
    };
    let Ok(version) = f.version.trim().parse::<i64>() else {
        let why = "缺少档案的版本号，请刷新页面后重试".to_string();
        return case_view(&state, &ctx, id, "", f, Errors::default(), why).await;
    };
    match store_rec::act(&state.store, &ms, higher.as_ref(), &ctx.who(), id, e, Some(version)).await {
        Ok(_) => Ok(Redirect::to(&format!("/recruitment/cases/{id}?ok={ok}")).into_response()),
        Err(StoreError::Rule(m)) => case_view(&state, &ctx, id, "", f, Errors::default(), m).await,
        Err(StoreError::Invalid(errs)) => case_view(&state, &ctx, id, "", f, Errors(errs), String::new()).await,
        Err(StoreError::Stale) => {
            case_view(&state, &ctx, id, "", f, Errors::default(), "该档案已被他人更新，请核对后重试".into()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn api_case(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<CaseDetail>> {
    let ms = ctx.member_scope(&state).await?;
    let higher = ctx.actor()?.higher_committee();
    Ok(Json(store_rec::get(&state.store, &ms, higher.as_ref(), id).await?))
}

/// A step as the API takes it, with the version of the case it acts on.
#[derive(Deserialize)]
struct EventJson {
    #[serde(flatten)]
    event: Event,
    version: i64,
}

async fn api_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<EventJson>,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let higher = ctx.actor()?.higher_committee();
    let d = store_rec::act(&state.store, &ms, higher.as_ref(), &ctx.who(), id, b.event, Some(b.version)).await?;
    Ok((axum::http::StatusCode::CREATED, Json(d)).into_response())
}

async fn api_steps(_signed_in: Ctx) -> Json<serde_json::Value> {
    let steps: Vec<_> = core_rec::STEPS
        .iter()
        .map(|s| {
            serde_json::json!({
                "no": s.no, "stage": s.stage, "stage_label": core_rec::STAGES[usize::from(s.stage) - 1],
                "label": s.label, "by_higher": s.by_higher, "approval": s.approval, "needs": needs_name(s.needs),
            })
        })
        .collect();
    Json(serde_json::json!({ "steps": steps }))
}

// ----- documents -----

#[derive(Deserialize, Default)]
#[serde(default)]
struct DocQ {
    step: String,
    name: String,
}

async fn document_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DocQ>,
    multipart: axum::extract::Multipart,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let step = q.step.trim().parse::<u8>().unwrap_or(0);
    let fail = |m: String| Errors(vec![FieldError::new("file", m)]);
    let (name, data) = match crate::upload::file_field(multipart).await {
        Ok(Some(f)) => f,
        Ok(None) => {
            return case_view(
                &state,
                &ctx,
                id,
                "",
                StepForm::default(),
                fail("请选择要上传的文件".into()),
                String::new(),
            )
            .await;
        }
        Err(AppError::TooLarge(m)) | Err(AppError::BadRequest(m)) => {
            return case_view(&state, &ctx, id, "", StepForm::default(), fail(m), String::new()).await;
        }
        Err(e) => return Err(e),
    };
    match store_rec::add_document(&state.store, &ms, &ctx.who(), id, step, &name, data).await {
        Ok(_) => Ok(Redirect::to(&format!("/recruitment/cases/{id}?ok=uploaded#documents")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            case_view(&state, &ctx, id, "", StepForm::default(), Errors(errs), String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Upload as multipart field "file" with ?step=N.
async fn api_document_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DocQ>,
    multipart: axum::extract::Multipart,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let step = q.step.trim().parse::<u8>().map_err(|_| AppError::BadRequest("请用 ?step= 指明材料所属步骤".into()))?;
    let (name, data) = crate::upload::file_field(multipart)
        .await?
        .ok_or_else(|| AppError::Unprocessable("缺少文件字段 file".into()))?;
    let name = if q.name.trim().is_empty() { name } else { q.name.clone() };
    let d = store_rec::add_document(&state.store, &ms, &ctx.who(), id, step, &name, data).await?;
    Ok((axum::http::StatusCode::CREATED, Json(d)).into_response())
}

async fn document_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let (a, data) = store_rec::document(&state.store, &ms, id, doc).await?;
    crate::layout::download(
        &state,
        &ctx,
        "recruitment_document",
        format!("{id}/{doc}"),
        &a.file_name,
        &a.content_type,
        data,
    )
    .await
}

// ----- plans -----

#[derive(Template)]
#[template(path = "recruitment_plans.html")]
struct PlansPage {
    l: Layout,
    year: i32,
    units: Vec<(i64, String, String, String)>,
    errors: Errors,
}

async fn plans_view(state: &AppState, ctx: &Ctx, year: i32, ok: &str, errors: Errors) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if ctx.actor()?.higher_committee().is_none() {
        return Err(AppError::Forbidden);
    }
    let plans: Vec<PlanRow> = store_rec::plans(&state.store, &scope, year).await?;
    let f = xianfeng_store::org::OrgFilter { kind: "unit".into(), ..Default::default() };
    let units = xianfeng_store::org::search(&state.store, &scope, &f, 1, 1000).await?.items;
    let units = units
        .into_iter()
        .map(|u| {
            let p = plans.iter().find(|p| p.committee_id == u.id);
            (
                u.id,
                u.name,
                p.map(|p| p.planned.to_string()).unwrap_or_default(),
                p.map(|p| format!("{} {}", p.set_by, fmt_ms(&p.set_at))).unwrap_or_default(),
            )
        })
        .collect();
    render(&PlansPage {
        l: Layout::new(ctx, format!("{year}年发展党员计划"), "/recruitment/plans")
            .crumb("发展党员", "/recruitment")
            .crumb("年度发展计划", "")
            .flash(flash(ok)),
        year,
        units,
        errors,
    })
}

async fn plans_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQ>) -> Result<Response> {
    plans_view(&state, &ctx, year_of(&q.year)?, &q.ok, Errors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlanForm {
    unit_id: String,
    year: String,
    planned: String,
    note: String,
}

async fn plan_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PlanForm>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let year = year_of(&f.year)?;
    let unit: i64 = opt_num(&f.unit_id).ok_or_else(|| AppError::BadRequest("unit_id应为数字".into()))?;
    let Some(planned) = opt_num::<i64>(&f.planned) else {
        return plans_view(&state, &ctx, year, "", Errors(vec![FieldError::new("planned", "计划人数应为整数")])).await;
    };
    match store_rec::set_plan(&state.store, &scope, &ctx.who(), unit, year, planned, &f.note).await {
        Ok(_) => Ok(Redirect::to(&format!("/recruitment/plans?year={year}&ok=plan")).into_response()),
        Err(StoreError::Invalid(errs)) => plans_view(&state, &ctx, year, "", Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

async fn api_plans(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQ>) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let items = store_rec::plans(&state.store, &scope, year_of(&q.year)?).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

#[derive(Deserialize)]
struct PlanJson {
    unit_id: i64,
    year: i32,
    planned: i64,
    #[serde(default)]
    note: String,
}

async fn api_set_plan(State(state): State<AppState>, ctx: Ctx, Json(b): Json<PlanJson>) -> Result<Json<PlanRow>> {
    let scope = ctx.org_scope()?;
    Ok(Json(store_rec::set_plan(&state.store, &scope, &ctx.who(), b.unit_id, b.year, b.planned, &b.note).await?))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "recruitment",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::Recruitment, 10, "发展党员总览", "/recruitment", STAFF),
            MenuEntry::new(Section::Recruitment, 20, "发展党员名册", "/recruitment/cases", STAFF),
            MenuEntry::new(Section::Recruitment, 30, "建立发展档案", "/recruitment/new", STAFF),
            MenuEntry::new(Section::Recruitment, 40, "年度发展计划", "/recruitment/plans", COMMITTEE_AND_UNITS),
        ],
        operations: &[
            ("get", "/recruitment/steps", "recruitment", "发展党员的5个阶段25个步骤及各步骤需填写的内容", "", 200),
            (
                "get",
                "/recruitment/pipeline",
                "recruitment",
                "发展党员总览：各单位各阶段人数、本年接收与计划、到期与逾期（year）",
                "",
                200,
            ),
            (
                "get",
                "/recruitment/cases",
                "recruitment",
                "发展党员档案（org_id、status、state=open/completed/closed/all、overdue=1、due_soon=1、name）",
                "",
                200,
            ),
            (
                "post",
                "/recruitment/cases",
                "recruitment",
                "为入党申请人建立发展档案（第1步：递交入党申请书）",
                "RecruitmentStart",
                201,
            ),
            (
                "get",
                "/recruitment/cases/{id}",
                "recruitment",
                "发展档案：各步骤、办理记录、材料、下一步最早可办日期与期限",
                "",
                200,
            ),
            (
                "post",
                "/recruitment/cases/{id}/events",
                "recruitment",
                "办理、报批、审批或打回一个步骤（过早办理时以 rule 错误说明依据和最早日期）",
                "RecruitmentEvent",
                201,
            ),
            (
                "post",
                "/recruitment/cases/{id}/documents",
                "recruitment",
                "上传步骤材料（multipart 字段 file；?step=N）",
                "Multipart",
                201,
            ),
            ("get", "/recruitment/cases/{id}/documents/{doc}", "recruitment", "下载材料", "", 200),
            ("get", "/recruitment/plans", "recruitment", "各单位年度发展计划（year）", "", 200),
            ("put", "/recruitment/plans", "recruitment", "设置单位年度发展计划", "RecruitmentPlan", 200),
        ],
    }
};
