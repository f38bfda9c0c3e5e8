//! Organizational life pages and API: plan, record, check in, correct,
//! compliance with drill-down.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use xianfeng_core::compliance::{DueItem, Period};
use xianfeng_core::meeting::{MeetingKind, MeetingKinds, Observer, PlanInput, Presence};
use xianfeng_core::org::OrgKind;
use xianfeng_core::text::today_cn;
use xianfeng_store::compliance::{self as store_compliance, MissingRow};
use xianfeng_store::meeting::{
    self as store_meeting, AttendanceMark, AttendeeRow, CheckinOutcome, MeetingFilter, MeetingRow, RecordInput,
};
use xianfeng_store::org::{self as store_org, OrgFilter, OrgRow};
use xianfeng_store::{Page, StoreError};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::{self, Errors};
use crate::layout::{Layout, Pager, flash_text, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list_page).post(plan_submit))
        .route("/meetings/new", get(plan_page))
        .route("/meetings/{id}", get(detail_page))
        .route("/meetings/{id}/record", get(record_page).post(record_submit))
        .route("/meetings/{id}/cancel", post(cancel_submit))
        .route("/meetings/{id}/attendees", post(attendees_submit))
        .route("/meetings/{id}/qr.svg", get(qr_svg))
        .route("/meetings/{id}/checkin-screen", get(checkin_screen))
        .route("/checkin/{id}", get(checkin_page).post(checkin_submit))
        .route("/compliance", get(compliance_page))
        .route("/compliance/missing", get(missing_page))
        .route("/me/meetings", get(my_meetings_page))
        .route("/rules/meeting-kinds", get(kinds_page).post(kinds_submit))
        .route("/meetings/{id}/tasks", post(task_add_submit))
        .route("/first-agenda", get(tasks_page))
        .route("/first-agenda/tasks/{id}", post(task_update_submit))
        .route("/meetings/{id}/attachments", post(attachment_upload))
        .route("/meetings/{id}/attachments/{aid}", get(attachment_download))
        .route("/meetings/{id}/attachments/{aid}/delete", post(attachment_delete))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(api_list).post(api_plan))
        .route("/meetings/{id}", get(api_get))
        .route("/meetings/{id}/record", post(api_record))
        .route("/meetings/{id}/cancel", post(api_cancel))
        .route("/meetings/{id}/attendance", post(api_correct))
        .route("/meetings/{id}/attendees", post(api_add_attendees))
        .route("/meetings/{id}/checkins", post(api_checkin))
        .route("/meeting-kinds", get(api_kinds))
        .route("/compliance", get(api_compliance))
        .route("/compliance/missing", get(api_missing))
        .route("/compliance/due", get(api_due))
        .route("/me/meetings", get(api_my_meetings))
        .route("/meetings/{id}/tasks", post(api_task_add))
        .route("/first-agenda-tasks", get(api_tasks))
        .route("/first-agenda-tasks/{id}", axum::routing::patch(api_task_update))
        .route("/me/tasks", get(api_my_tasks))
        .route("/meetings/{id}/attachments", post(api_attachment_upload))
        .route("/meetings/{id}/attachments/{aid}", get(attachment_download).delete(api_attachment_delete))
}

fn flash(code: &str) -> &'static str {
    match code {
        "planned" => "会议已安排",
        "recorded" => "会议记录已保存",
        "cancelled" => "会议已取消",
        "attendees" => "应到人员已更新",
        "task" => "落实任务已登记",
        "uploaded" => "附件已上传",
        "deleted" => "附件已删除",
        "task_updated" => "落实任务已更新",
        other => flash_text(other),
    }
}

#[derive(Deserialize, Default)]
struct FlashQ {
    #[serde(default)]
    ok: String,
}

async fn kinds_today(state: &AppState) -> Result<MeetingKinds> {
    Ok(store_meeting::kinds_on(&state.store, today_cn()).await?)
}

// ----- list -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    org_id: String,
    kind: String,
    status: String,
    year: String,
    q: String,
    page: String,
    per_page: String,
}

impl ListQ {
    fn filter(&self) -> Result<MeetingFilter> {
        let num = |s: &str, label: &str| -> Result<Option<i64>> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                s.trim().parse().map(Some).map_err(|_| AppError::BadRequest(format!("{label}应为数字")))
            }
        };
        Ok(MeetingFilter {
            org_id: num(&self.org_id, "org_id")?,
            kind: self.kind.trim().to_string(),
            status: self.status.trim().to_string(),
            year: num(&self.year, "year")?.map(|y| y as i32),
            q: self.q.clone(),
        })
    }
    fn paging(&self) -> Result<(i64, i64)> {
        crate::form::paging(&self.page, &self.per_page, 20, 200)
    }
}

struct ListRow {
    m: MeetingRow,
    kind_label: String,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    l: Layout,
    q: ListQ,
    rows: Vec<ListRow>,
    total: i64,
    offset: usize,
    pager: Pager,
    kind_options: Vec<(String, String)>,
    can_write: bool,
    under_name: String,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(mut q): Query<ListQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    // Without any filter the list opens on this year (a province holds a million meetings).
    if q.year.trim().is_empty()
        && q.org_id.trim().is_empty()
        && q.kind.is_empty()
        && q.status.is_empty()
        && q.q.is_empty()
    {
        q.year = today_cn().year().to_string();
    }
    let f = q.filter()?;
    let (page, per_page) = q.paging()?;
    let list = store_meeting::list(&state.store, &scope, &f, page, per_page).await?;
    let kinds = kinds_today(&state).await?;
    let under_name = match f.org_id {
        Some(id) => store_org::get(state.store.db.r(), &scope, id).await?.name,
        None => String::new(),
    };
    let base = serde_urlencoded::to_string([
        ("org_id", q.org_id.as_str()),
        ("kind", q.kind.as_str()),
        ("status", q.status.as_str()),
        ("year", q.year.as_str()),
        ("q", q.q.as_str()),
    ])
    .unwrap_or_default();
    render(&ListPage {
        l: Layout::new(&ctx, "会议活动", "/meetings").crumb("组织生活", "/meetings").crumb("会议活动", ""),
        rows: list
            .items
            .into_iter()
            .map(|m| ListRow { kind_label: store_meeting::kind_label(&kinds, &m.kind), m })
            .collect(),
        total: list.total,
        offset: ((page - 1) * per_page) as usize,
        pager: Pager::new(page, per_page, list.total, base),
        kind_options: kinds.kinds.iter().map(|k| (k.id.clone(), k.label.clone())).collect(),
        can_write: scope.can_write(),
        under_name,
        q,
    })
}

// ----- plan -----

#[derive(Template)]
#[template(path = "meeting_plan.html")]
struct PlanPage {
    l: Layout,
    form: PlanInput,
    org_id: String,
    org_options: Vec<(String, String)>,
    kind_options: Vec<(String, String)>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlanQ {
    org_id: String,
    kind: String,
}

/// Orgs the user may plan meetings for (capped; larger scopes start from an org page).
async fn org_options(state: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>> {
    let scope = ctx.org_scope()?;
    let page = store_org::search(&state.store, &scope, &OrgFilter::default(), 1, 400).await?;
    Ok(page
        .items
        .into_iter()
        .filter(|o| o.kind() != OrgKind::WorkingCommittee)
        .map(|o| (o.id.to_string(), format!("{}（{}）", o.name, o.kind_label())))
        .collect())
}

async fn plan_view(state: &AppState, ctx: &Ctx, form: PlanInput, org_id: String, errors: Errors) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let kinds = kinds_today(state).await?;
    let org = match org_id.trim().parse::<i64>() {
        Ok(id) => Some(store_org::get(state.store.db.r(), &scope, id).await?),
        Err(_) => None,
    };
    let kind_options = kinds
        .kinds
        .iter()
        .filter(|k| org.as_ref().is_none_or(|o| k.applies_to.may_hold(o.kind())))
        .map(|k| (k.id.clone(), format!("{}（{}，{}）", k.label, k.applies_to.label(), k.frequency_label())))
        .collect();
    let org_options = match &org {
        Some(o) => vec![(o.id.to_string(), format!("{}（{}）", o.name, o.kind_label()))],
        None => org_options(state, ctx).await?,
    };
    render(&PlanPage {
        l: Layout::new(ctx, "安排会议", "/meetings").crumb("组织生活", "/meetings").crumb("安排会议", ""),
        form,
        org_id,
        org_options,
        kind_options,
        errors,
    })
}

async fn plan_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PlanQ>) -> Result<Response> {
    let form = PlanInput { kind: q.kind, planned_on: today_cn().to_string(), ..Default::default() };
    plan_view(&state, &ctx, form, q.org_id, Errors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlanForm {
    org_id: String,
    #[serde(flatten)]
    input: PlanInput,
}

async fn plan_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PlanForm>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let Ok(org_id) = f.org_id.trim().parse::<i64>() else {
        let errors = Errors(vec![xianfeng_core::FieldError::new("org_id", "请选择召开会议的组织")]);
        return plan_view(&state, &ctx, f.input, f.org_id, errors).await;
    };
    match store_meeting::plan(&state.store, &scope, &ctx.who(), org_id, &f.input).await {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}?ok=planned", m.id)).into_response()),
        Err(StoreError::Invalid(errs)) => plan_view(&state, &ctx, f.input, f.org_id, Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

// ----- detail -----

#[derive(Template)]
#[template(path = "meeting.html")]
struct DetailPage {
    l: Layout,
    m: MeetingRow,
    kind_label: String,
    attendees: Vec<AttendeeRow>,
    observers: Vec<Observer>,
    checked_in: i64,
    checkin_url: String,
    can_write: bool,
    is_listed: bool,
    first_agenda: bool,
    attachments: Vec<store_meeting::AttachmentRow>,
    tasks: Vec<xianfeng_store::first_agenda::TaskRow>,
    owners: Vec<xianfeng_store::first_agenda::OwnerOption>,
    task_form: xianfeng_store::first_agenda::TaskInput,
    errors: Errors,
}

/// The absolute check-in link the QR code carries.
fn checkin_url(state: &AppState, headers: &HeaderMap, m: &MeetingRow) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let scheme = if state.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}/checkin/{}?t={}", m.id, store_meeting::current_code(m))
}

async fn detail_view(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    flash_code: &str,
    errors: Errors,
) -> Result<Response> {
    detail_view_with(state, ctx, headers, id, flash_code, errors, Default::default()).await
}

async fn detail_view_with(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    flash_code: &str,
    errors: Errors,
    task_form: xianfeng_store::first_agenda::TaskInput,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let kinds = store_meeting::kinds_on(&state.store, m.planned_on).await?;
    let kind = kinds.find(&m.kind);
    let attendees = store_meeting::attendees(&state.store, &m).await?;
    let observers = store_meeting::observers(&state.store, &m).await?;
    let checked_in = attendees.iter().filter(|a| a.presence() == Presence::Present).count() as i64;
    let kind_label = store_meeting::kind_label(&kinds, &m.kind);
    let first_agenda = kind.is_some_and(|k| k.first_agenda);
    let (tasks, owners) = if first_agenda {
        (
            xianfeng_store::first_agenda::of_meeting(&state.store, &m).await?,
            xianfeng_store::first_agenda::owner_options(&state.store, &m).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let attachments = store_meeting::attachments(&state.store, &m).await?;
    let title = format!("{}：{}", kind_label, m.topic);
    let l = Layout::new(ctx, title, "/meetings")
        .crumb("组织生活", "/meetings")
        .crumb(m.org_name.clone(), format!("/meetings?org_id={}", m.org_id))
        .crumb(kind_label.clone(), "")
        .flash(flash(flash_code));
    render(&DetailPage {
        l,
        checkin_url: checkin_url(state, headers, &m),
        is_listed: kind.is_some_and(|k| k.invitees == xianfeng_core::meeting::Invitees::Listed),
        can_write: scope.can_write(),
        m,
        kind_label,
        attendees,
        observers,
        checked_in,
        first_agenda,
        attachments,
        tasks,
        owners,
        task_form,
        errors,
    })
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(fq): Query<FlashQ>,
) -> Result<Response> {
    detail_view(&state, &ctx, &headers, id, &fq.ok, Errors::default()).await
}

async fn qr_svg(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, Path(id): Path<i64>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    // Only the organizers see the code: a member who could read it could check in from home.
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let svg = qr_code_svg(&checkin_url(&state, &headers, &m))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-store")], svg).into_response())
}

#[derive(Template)]
#[template(path = "checkin_screen.html")]
struct CheckinScreen {
    m: MeetingRow,
    kind_label: String,
    qr: String,
    code: String,
    url: String,
    checked_in: i64,
    refresh: i64,
}

/// The organizer's projection page: the current code as a large QR code and
/// as six characters, reloading itself before the code changes (no script).
async fn checkin_screen(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_meeting::get(&state.store, &scope, id).await?;
    if !m.checkin_possible() {
        return Err(AppError::Rule("本次会议已结束签到".into()));
    }
    let kinds = store_meeting::kinds_on(&state.store, m.planned_on).await?;
    let url = checkin_url(&state, &headers, &m);
    let period_ms = xianfeng_core::meeting::CHECKIN_CODE_SECONDS * 1000;
    let left = period_ms - xianfeng_core::text::now_ms().rem_euclid(period_ms);
    render(&CheckinScreen {
        kind_label: store_meeting::kind_label(&kinds, &m.kind),
        qr: qr_code_svg(&url)?,
        code: store_meeting::current_code(&m),
        checked_in: store_meeting::checked_in_count(&state.store, &m).await?,
        refresh: (left / 1000).clamp(1, 60),
        url,
        m,
    })
}

/// Renders a QR code as SVG (dark modules on white, with the quiet zone).
pub fn qr_code_svg(text: &str) -> Result<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(format!("二维码生成失败：{e}")))?;
    Ok(code.render::<svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}

// ----- record -----

#[derive(Template)]
#[template(path = "meeting_record.html")]
struct RecordPage {
    l: Layout,
    m: MeetingRow,
    kind_label: String,
    first_agenda: bool,
    observers_allowed: bool,
    form: RecordInput,
    observers_text: String,
    attendees: Vec<AttendeeRow>,
    errors: Errors,
}

async fn record_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: Option<RecordInput>,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let kinds = store_meeting::kinds_on(&state.store, m.planned_on).await?;
    let kind = kinds.find(&m.kind);
    let mut attendees = store_meeting::attendees(&state.store, &m).await?;
    let observers = store_meeting::observers(&state.store, &m).await?;
    let observers_text =
        observers.iter().map(|o| format!("{}，{}，{}", o.name, o.org_name, o.position)).collect::<Vec<_>>().join("\n");
    let form = match form {
        Some(f) => {
            // Keep what the user marked.
            for a in &mut attendees {
                if let Some(mk) = f.attendance.iter().find(|x| x.member_id == a.member_id) {
                    a.presence = mk.presence.clone();
                    a.reason = mk.reason.clone();
                }
            }
            f
        }
        None => RecordInput {
            held_on: m.held_on.unwrap_or(m.planned_on.min(today_cn())).to_string(),
            topic: m.topic.clone(),
            place: m.place.clone(),
            host: m.host.clone(),
            recorder: m.recorder.clone(),
            minutes: m.minutes.clone(),
            decisions: m.decisions.clone(),
            first_agenda: m.first_agenda.clone(),
            observers: observers_text.clone(),
            attendance: Vec::new(),
            version: m.version,
        },
    };
    let kind_label = store_meeting::kind_label(&kinds, &m.kind);
    let l = Layout::new(ctx, format!("记录会议：{}", m.topic), "/meetings")
        .crumb("组织生活", "/meetings")
        .crumb(kind_label.clone(), format!("/meetings/{}", m.id))
        .crumb("会议记录", "");
    render(&RecordPage {
        l,
        first_agenda: kind.is_some_and(|k| k.first_agenda),
        observers_allowed: kind.is_some_and(|k| k.observers),
        observers_text: form.observers.clone(),
        kind_label,
        m,
        form,
        attendees,
        errors,
    })
}

async fn record_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    record_view(&state, &ctx, id, None, Errors::default()).await
}

/// The record form: fixed fields plus `p_<member id>` (presence) and `r_<member id>` (reason).
fn parse_record_form(pairs: &[(String, String)]) -> RecordInput {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut attendance = Vec::new();
    for (k, v) in pairs {
        if let Some(id) = k.strip_prefix("p_").and_then(|s| s.parse::<i64>().ok()) {
            attendance.push(AttendanceMark { member_id: id, presence: v.clone(), reason: get(&format!("r_{id}")) });
        }
    }
    RecordInput {
        held_on: get("held_on"),
        topic: get("topic"),
        place: get("place"),
        host: get("host"),
        recorder: get("recorder"),
        minutes: get("minutes"),
        decisions: get("decisions"),
        first_agenda: get("first_agenda"),
        observers: get("observers"),
        attendance,
        version: get("version").parse().unwrap_or(0),
    }
}

async fn record_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let input = parse_record_form(&pairs);
    match store_meeting::record(&state.store, &scope, &ctx.who(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=recorded")).into_response()),
        Err(StoreError::Invalid(errs)) => record_view(&state, &ctx, id, Some(input), Errors(errs)).await,
        Err(StoreError::Stale) => {
            let errs = vec![xianfeng_core::FieldError::new("version", "会议记录已被他人修改，请核对后重新保存")];
            record_view(&state, &ctx, id, None, Errors(errs)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReasonForm {
    reason: String,
    version: String,
}

async fn cancel_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let version = match form::form_version(&f.version, "会议") {
        Ok(v) => v,
        Err(e) => return detail_view(&state, &ctx, &headers, id, "", Errors(vec![e])).await,
    };
    match store_meeting::cancel(&state.store, &scope, &ctx.who(), id, &f.reason, Some(version)).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=cancelled")).into_response()),
        Err(StoreError::Invalid(errs)) => detail_view(&state, &ctx, &headers, id, "", Errors(errs)).await,
        Err(StoreError::Stale) => detail_view(&state, &ctx, &headers, id, "", stale_meeting()).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NamesForm {
    names: String,
    version: String,
}

/// Adds attendees by name (one or more, separated by commas or spaces), resolved inside the meeting org.
async fn attendees_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<NamesForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let version = match form::form_version(&f.version, "会议") {
        Ok(v) => v,
        Err(e) => return detail_view(&state, &ctx, &headers, id, "", Errors(vec![e])).await,
    };
    let mscope = ctx.member_scope(&state).await?;
    let mut ids = Vec::new();
    let mut errs = Vec::new();
    for name in f.names.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let filter = xianfeng_store::member::MemberFilter {
            name: name.to_string(),
            org_id: Some(m.org_id),
            ..Default::default()
        };
        let found = xianfeng_store::member::list(&state.store, &mscope, &filter, 1, 5).await?;
        let exact: Vec<_> = found.items.iter().filter(|p| p.name == name).collect();
        match exact.len() {
            1 => ids.push(exact[0].id),
            0 => errs.push(format!("未在{}找到党员“{name}”", m.org_name)),
            _ => errs.push(format!("“{name}”有重名，请到党员名册核对后逐一添加")),
        }
    }
    if !errs.is_empty() {
        let errors = Errors(vec![xianfeng_core::FieldError::new("names", errs.join("；"))]);
        return detail_view(&state, &ctx, &headers, id, "", errors).await;
    }
    match store_meeting::add_attendees(&state.store, &scope, &ctx.who(), id, &ids, Some(version)).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=attendees")).into_response()),
        Err(StoreError::Invalid(errs)) => detail_view(&state, &ctx, &headers, id, "", Errors(errs)).await,
        Err(StoreError::Stale) => detail_view(&state, &ctx, &headers, id, "", stale_meeting()).await,
        Err(e) => Err(e.into()),
    }
}

/// What a page says when the meeting changed after it was shown: the user
/// sees the meeting as it is now and decides again.
fn stale_meeting() -> Errors {
    Errors(vec![xianfeng_core::FieldError::new("version", "会议已被他人修改，以下为最新情况，请核对后重新操作")])
}

// ----- check-in (phone first) -----

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenQ {
    t: String,
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    l: Layout,
    view: Option<store_meeting::CheckinView>,
    kind_label: String,
    token: String,
    done: bool,
    already: bool,
    message: String,
}

async fn checkin_render(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    token: &str,
    done: bool,
    already: bool,
    message: String,
) -> Result<Response> {
    let l = Layout::new(ctx, "会议签到", "/me/meetings").crumb("会议签到", "");
    let me = match ctx.actor()?.attendee() {
        Ok(me) => me,
        Err(_) => {
            let message = "签到须以“党员”角色进行：请在页面顶部切换角色后重新扫码。".to_string();
            return render(&CheckinPage {
                l,
                view: None,
                kind_label: String::new(),
                token: String::new(),
                done,
                already,
                message,
            });
        }
    };
    let (view, presence) = store_meeting::checkin_preview(&state.store, &me, id, token).await?;
    let kinds = store_meeting::kinds_on(&state.store, view.planned_on).await?;
    let already = already || (!done && presence.as_deref() == Some("present"));
    render(&CheckinPage {
        l,
        kind_label: store_meeting::kind_label(&kinds, &view.kind),
        view: Some(view),
        token: token.to_string(),
        done,
        already,
        message,
    })
}

async fn checkin_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<TokenQ>,
) -> Result<Response> {
    checkin_render(&state, &ctx, id, &q.t, false, false, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    t: String,
}

async fn checkin_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> Result<Response> {
    let me = ctx.actor()?.attendee()?;
    match store_meeting::checkin(&state.store, &me, &ctx.who(), id, &f.t).await {
        Ok(o) => checkin_render(&state, &ctx, id, &f.t, true, o == CheckinOutcome::Already, String::new()).await,
        Err(StoreError::Rule(msg)) => checkin_render(&state, &ctx, id, &f.t, false, false, msg).await,
        Err(e) => Err(e.into()),
    }
}

// ----- my meetings -----

#[derive(Template)]
#[template(path = "my_meetings.html")]
struct MyMeetingsPage {
    l: Layout,
    rows: Vec<(store_meeting::MyMeetingRow, String)>,
}

async fn my_meetings_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let me = ctx.actor()?.attendee()?;
    let kinds = kinds_today(&state).await?;
    let rows = store_meeting::my_meetings(&state.store, &me, 100).await?;
    render(&MyMeetingsPage {
        l: Layout::new(&ctx, "我的组织生活", "/me/meetings").crumb("我的组织生活", ""),
        rows: rows
            .into_iter()
            .map(|r| {
                let k = store_meeting::kind_label(&kinds, &r.kind);
                (r, k)
            })
            .collect(),
    })
}

// ----- compliance -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ComplianceQ {
    org_id: String,
    year: String,
    /// "" for the year, "q1".."q4" or "m1".."m12".
    period: String,
    by: String,
    kind: String,
}

async fn compliance_args(state: &AppState, ctx: &Ctx, q: &ComplianceQ) -> Result<(OrgRow, Period)> {
    let scope = ctx.org_scope()?;
    let org = match q.org_id.trim().parse::<i64>() {
        Ok(id) => store_org::get(state.store.db.r(), &scope, id).await?,
        Err(_) if q.org_id.trim().is_empty() => {
            let a = ctx.actor()?.org.as_ref().ok_or(AppError::Forbidden)?;
            store_org::get(state.store.db.r(), &scope, a.id).await?
        }
        Err(_) => return Err(AppError::BadRequest("org_id应为数字".into())),
    };
    let this_year = today_cn().year();
    let year = match q.year.trim() {
        "" => this_year,
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=this_year + 1).contains(y))
            .ok_or_else(|| AppError::BadRequest(format!("年度应为2000至{}之间的数字", this_year + 1)))?,
    };
    let period = Period::parse(year, &q.period)
        .ok_or_else(|| AppError::BadRequest("period 应为空（全年）、q1–q4（季度）或 m1–m12（月份）".into()))?;
    Ok((org, period))
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    l: Layout,
    v: store_compliance::View,
    years: Vec<i32>,
    periods: Vec<(String, String)>,
    can_by_district: bool,
    by: String,
}

async fn compliance_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ComplianceQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (org, period) = compliance_args(&state, &ctx, &q).await?;
    let year = period.year;
    let v = store_compliance::view(&state.store, &scope, org.id, period, q.by == "district").await?;
    let lineage = store_org::lineage(state.store.db.r(), &scope, &org).await?;
    let this_year = today_cn().year();
    let mut l =
        Layout::new(&ctx, format!("组织生活落实情况 — {}", org.name), "/compliance").crumb("组织生活", "/meetings");
    for o in &lineage {
        l = l.crumb(
            o.name.clone(),
            if o.id == org.id { String::new() } else { format!("/compliance?org_id={}&year={year}", o.id) },
        );
    }
    render(&CompliancePage {
        l,
        years: (this_year - 5..=this_year).rev().collect(),
        periods: period_options(),
        can_by_district: org.kind() == OrgKind::WorkingCommittee,
        by: q.by.clone(),
        v,
    })
}

/// The period choices of the compliance page: the year, its quarters and months.
fn period_options() -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "全年".to_string())];
    out.extend((1..=4).map(|q| (format!("q{q}"), format!("第{q}季度"))));
    out.extend((1..=12).map(|m| (format!("m{m}"), format!("{m}月"))));
    out
}

#[derive(Template)]
#[template(path = "compliance_missing.html")]
struct MissingPage {
    l: Layout,
    org: OrgRow,
    period_label: String,
    kind_label: String,
    rows: Vec<MissingRow>,
    more: usize,
}

async fn missing_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ComplianceQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (org, period) = compliance_args(&state, &ctx, &q).await?;
    let year = period.year;
    let mut rows = store_compliance::missing(&state.store, &scope, org.id, period, q.kind.trim()).await?;
    let kinds = kinds_today(&state).await?;
    let more = rows.len().saturating_sub(2000);
    rows.truncate(2000);
    let l = Layout::new(&ctx, format!("未按要求召开的会议 — {}", org.name), "/compliance")
        .crumb("组织生活", "/meetings")
        .crumb(
            format!("{}落实情况", period.label()),
            format!("/compliance?org_id={}&year={year}&period={}", org.id, period.code()),
        )
        .crumb("缺少的会议", "");
    render(&MissingPage {
        l,
        kind_label: if q.kind.trim().is_empty() {
            "全部类型".into()
        } else {
            store_meeting::kind_label(&kinds, q.kind.trim())
        },
        org,
        period_label: period.label(),
        rows,
        more,
    })
}

/// Due and overdue items for the home page of a secretary (their branch and its groups).
pub async fn due_for_home(state: &AppState, ctx: &Ctx) -> Result<Vec<(String, DueItem)>> {
    let a = ctx.actor()?;
    let Some(org) = a.org.as_ref() else { return Ok(Vec::new()) };
    let scope = ctx.org_scope()?;
    Ok(store_compliance::due(&state.store, &scope, org.id).await?)
}

// ----- API -----

async fn api_list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQ>) -> Result<Json<Page<MeetingRow>>> {
    let scope = ctx.org_scope()?;
    let (page, per_page) = q.paging()?;
    Ok(Json(store_meeting::list(&state.store, &scope, &q.filter()?, page, per_page).await?))
}

#[derive(Deserialize)]
struct ApiPlan {
    org_id: i64,
    #[serde(flatten)]
    input: PlanInput,
}

async fn api_plan(State(state): State<AppState>, ctx: Ctx, Json(b): Json<ApiPlan>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let m = store_meeting::plan(&state.store, &scope, &ctx.who(), b.org_id, &b.input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(m)).into_response())
}

#[derive(Serialize)]
struct MeetingDetail {
    #[serde(flatten)]
    meeting: MeetingRow,
    kind_label: String,
    quorum_note: String,
    attendees: Vec<AttendeeRow>,
    observers: Vec<Observer>,
    /// For those who manage the meeting: the check-in link the QR code carries.
    checkin_url: Option<String>,
}

async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<MeetingDetail>> {
    let scope = ctx.org_scope()?;
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let kinds = store_meeting::kinds_on(&state.store, m.planned_on).await?;
    Ok(Json(MeetingDetail {
        kind_label: store_meeting::kind_label(&kinds, &m.kind),
        quorum_note: m.quorum_note(),
        attendees: store_meeting::attendees(&state.store, &m).await?,
        observers: store_meeting::observers(&state.store, &m).await?,
        checkin_url: scope.can_write().then(|| checkin_url(&state, &headers, &m)),
        meeting: m,
    }))
}

async fn api_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<RecordInput>,
) -> Result<Json<MeetingRow>> {
    let scope = ctx.org_scope()?;
    Ok(Json(store_meeting::record(&state.store, &scope, &ctx.who(), id, &b).await?))
}

async fn api_cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiCancel>,
) -> Result<Json<MeetingRow>> {
    let scope = ctx.org_scope()?;
    let version = form::api_version(b.version, "会议").map_err(|e| AppError::Invalid(vec![e]))?;
    Ok(Json(store_meeting::cancel(&state.store, &scope, &ctx.who(), id, &b.reason, Some(version)).await?))
}

/// A cancellation names the version of the meeting the client read.
#[derive(Deserialize)]
struct ApiCancel {
    #[serde(default)]
    reason: String,
    version: Option<i64>,
}

/// One person's correction, with the version of the meeting it corrects.
#[derive(Deserialize)]
struct CorrectionJson {
    #[serde(flatten)]
    mark: AttendanceMark,
    version: i64,
}

async fn api_correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<CorrectionJson>,
) -> Result<Json<MeetingRow>> {
    let scope = ctx.org_scope()?;
    Ok(Json(store_meeting::correct_attendance(&state.store, &scope, &ctx.who(), id, &b.mark, b.version).await?))
}

#[derive(Deserialize)]
struct ApiAttendees {
    member_ids: Vec<i64>,
    /// The version of the meeting the client read.
    version: Option<i64>,
}

async fn api_add_attendees(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiAttendees>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let version = form::api_version(b.version, "会议").map_err(|e| AppError::Invalid(vec![e]))?;
    let added =
        store_meeting::add_attendees(&state.store, &scope, &ctx.who(), id, &b.member_ids, Some(version)).await?;
    Ok(Json(serde_json::json!({ "added": added })))
}

#[derive(Deserialize)]
struct ApiCheckin {
    token: String,
}

async fn api_checkin(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiCheckin>,
) -> Result<Json<serde_json::Value>> {
    let me = ctx.actor()?.attendee()?;
    let o = store_meeting::checkin(&state.store, &me, &ctx.who(), id, &b.token).await?;
    Ok(Json(serde_json::json!({ "outcome": o, "meeting_id": id })))
}

async fn api_kinds(State(state): State<AppState>, ctx: Ctx) -> Result<Json<MeetingKinds>> {
    ctx.actor()?;
    Ok(Json(kinds_today(&state).await?))
}

async fn api_compliance(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ComplianceQ>,
) -> Result<Json<store_compliance::View>> {
    let scope = ctx.org_scope()?;
    let (org, period) = compliance_args(&state, &ctx, &q).await?;
    Ok(Json(store_compliance::view(&state.store, &scope, org.id, period, q.by == "district").await?))
}

async fn api_missing(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ComplianceQ>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let (org, period) = compliance_args(&state, &ctx, &q).await?;
    let rows = store_compliance::missing(&state.store, &scope, org.id, period, q.kind.trim()).await?;
    Ok(Json(serde_json::json!({ "total": rows.len(), "items": rows })))
}

async fn api_due(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ComplianceQ>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let (org, _) = compliance_args(&state, &ctx, &q).await?;
    let items: Vec<serde_json::Value> = store_compliance::due(&state.store, &scope, org.id)
        .await?
        .into_iter()
        .map(|(name, item)| {
            let mut v = serde_json::to_value(item).unwrap_or_default();
            v["org_name"] = serde_json::Value::String(name);
            v
        })
        .collect();
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

async fn api_my_meetings(State(state): State<AppState>, ctx: Ctx) -> Result<Json<serde_json::Value>> {
    let me = ctx.actor()?.attendee()?;
    let rows = store_meeting::my_meetings(&state.store, &me, 200).await?;
    Ok(Json(serde_json::json!({ "total": rows.len(), "items": rows })))
}

// ----- meeting kinds (rules as data) -----

struct KindRow {
    idx: usize,
    kind: MeetingKind,
    is_new: bool,
}

#[derive(Template)]
#[template(path = "meeting_kinds.html")]
struct KindsPage {
    l: Layout,
    versions: Vec<(String, String, String, bool)>,
    rows: Vec<KindRow>,
    count: usize,
    applies: Vec<(&'static str, &'static str)>,
    cycles: Vec<(&'static str, &'static str)>,
    quorums: Vec<(&'static str, &'static str)>,
    invitees: Vec<(&'static str, &'static str)>,
    effective_from: String,
    source: String,
    errors: Vec<String>,
    editable: bool,
}

fn blank_kind() -> MeetingKind {
    MeetingKind {
        id: String::new(),
        label: String::new(),
        applies_to: xianfeng_core::meeting::AppliesTo::Branch,
        cycle: xianfeng_core::meeting::Cycle::Month,
        times: 1,
        quorum: Default::default(),
        invitees: Default::default(),
        observers: false,
        first_agenda: false,
        three_meetings: false,
    }
}

async fn kinds_view(
    state: &AppState,
    ctx: &Ctx,
    form: Option<(Vec<MeetingKind>, String, String)>,
    errors: Vec<String>,
) -> Result<Response> {
    kinds_view_inner(state, ctx, form, errors, "").await
}

async fn kinds_view_inner(
    state: &AppState,
    ctx: &Ctx,
    form: Option<(Vec<MeetingKind>, String, String)>,
    errors: Vec<String>,
    flash_msg: &str,
) -> Result<Response> {
    use xianfeng_core::meeting::{AppliesTo, Cycle, Invitees, Quorum};
    use xianfeng_core::rules::Rule;
    let actor = ctx.actor()?;
    if actor.role != xianfeng_core::auth::Role::CommitteeAdmin {
        return Err(AppError::Forbidden);
    }
    let set = state.store.reload_rules().await?;
    let today = today_cn();
    let rows: Vec<&xianfeng_core::rules::RuleRow> = set.rows().iter().filter(|r| r.key == MeetingKinds::KEY).collect();
    let current = rows.iter().rfind(|r| r.effective_from <= today).map(|r| r.effective_from);
    let versions = rows
        .iter()
        .rev()
        .map(|r| {
            let k: MeetingKinds = serde_json::from_value(r.value.clone()).unwrap_or_default();
            let text = k
                .kinds
                .iter()
                .map(|k| format!("{}（{}）{}", k.label, k.applies_to.label(), k.frequency_label()))
                .collect::<Vec<_>>()
                .join("；");
            (r.effective_from.to_string(), text, r.source.clone(), Some(r.effective_from) == current)
        })
        .collect();
    let next_month = {
        let (y, m) = if today.month() == 12 { (today.year() + 1, 1) } else { (today.year(), today.month() + 1) };
        chrono::NaiveDate::from_ymd_opt(y, m, 1).expect("valid").to_string()
    };
    let (kinds, effective_from, source) = match form {
        Some(f) => f,
        None => {
            let latest: MeetingKinds =
                rows.last().and_then(|r| serde_json::from_value(r.value.clone()).ok()).unwrap_or_default();
            (latest.kinds, next_month, String::new())
        }
    };
    let mut krows: Vec<KindRow> =
        kinds.into_iter().enumerate().map(|(idx, kind)| KindRow { idx, kind, is_new: false }).collect();
    let n = krows.len();
    krows.push(KindRow { idx: n, kind: blank_kind(), is_new: true });
    render(&KindsPage {
        l: Layout::new(ctx, "会议类型与频次", "/rules")
            .crumb("业务规则", "/rules")
            .crumb("会议类型与频次", "")
            .flash(flash_msg),
        versions,
        count: krows.len(),
        rows: krows,
        applies: AppliesTo::ALL.iter().map(|a| (a.as_str(), a.label())).collect(),
        cycles: Cycle::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        quorums: Quorum::ALL.iter().map(|q| (q.as_str(), q.label())).collect(),
        invitees: Invitees::ALL.iter().map(|q| (q.as_str(), q.label())).collect(),
        effective_from,
        source,
        errors,
        editable: xianfeng_store::rules::may_change(actor, MeetingKinds::KEY),
    })
}

async fn kinds_page(State(state): State<AppState>, ctx: Ctx, Query(fq): Query<FlashQ>) -> Result<Response> {
    kinds_view_inner(&state, &ctx, None, Vec::new(), flash(&fq.ok)).await
}

/// Reads the kinds table of the editor: fields `<name>_<row>`; a row with an
/// empty id is skipped, a row marked `remove_<row>` is dropped.
fn kinds_from_form(pairs: &[(String, String)]) -> (Vec<MeetingKind>, Vec<String>) {
    use xianfeng_core::meeting::{AppliesTo, Cycle, Invitees, Quorum};
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let rows: usize = get("rows").parse().unwrap_or(0).min(200);
    let mut kinds = Vec::new();
    let mut errors = Vec::new();
    for i in 0..rows {
        let id = get(&format!("id_{i}"));
        if id.is_empty() && get(&format!("label_{i}")).is_empty() {
            continue;
        }
        if !get(&format!("remove_{i}")).is_empty() {
            continue;
        }
        let times = get(&format!("times_{i}"));
        let times: i64 = match times.parse() {
            Ok(t) => t,
            Err(_) => {
                errors.push(format!("第{}行：次数应为整数", i + 1));
                1
            }
        };
        kinds.push(MeetingKind {
            id,
            label: get(&format!("label_{i}")),
            applies_to: AppliesTo::parse(&get(&format!("applies_to_{i}"))).unwrap_or(AppliesTo::Branch),
            cycle: Cycle::parse(&get(&format!("cycle_{i}"))).unwrap_or(Cycle::Month),
            times,
            quorum: Quorum::parse(&get(&format!("quorum_{i}"))).unwrap_or_default(),
            invitees: Invitees::parse(&get(&format!("invitees_{i}"))).unwrap_or_default(),
            observers: !get(&format!("observers_{i}")).is_empty(),
            first_agenda: !get(&format!("first_agenda_{i}")).is_empty(),
            three_meetings: !get(&format!("three_meetings_{i}")).is_empty(),
        });
    }
    (kinds, errors)
}

async fn kinds_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    use xianfeng_core::rules::Rule;
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let (kinds, mut errors) = kinds_from_form(&pairs);
    let from_text = get("effective_from");
    let source = get("source");
    let from = xianfeng_core::member::parse_date(&from_text);
    if from.is_none() {
        errors.push("请按 2025-07-01 的格式填写生效日期".into());
    }
    if !errors.is_empty() {
        return kinds_view(&state, &ctx, Some((kinds, from_text, source)), errors).await;
    }
    let value =
        serde_json::to_value(MeetingKinds { kinds: kinds.clone() }).map_err(|e| AppError::Internal(e.to_string()))?;
    let r = xianfeng_store::rules::add_version(
        &state.store,
        ctx.actor()?,
        &ctx.who(),
        MeetingKinds::KEY,
        from.expect("checked"),
        &value,
        &source,
    )
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/rules/meeting-kinds?ok=rule").into_response()),
        Err(StoreError::Invalid(e)) => {
            kinds_view(&state, &ctx, Some((kinds, from_text, source)), e.into_iter().map(|e| e.message).collect()).await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- 第一议题 follow-up tasks -----

use xianfeng_store::first_agenda::{self as store_tasks, TaskFilter, TaskInput, TaskUpdate};

#[derive(Deserialize, Default)]
#[serde(default)]
struct TaskForm {
    title: String,
    owner_user_id: String,
    owner_name: String,
    due_on: String,
}

impl TaskForm {
    fn input(&self) -> TaskInput {
        TaskInput {
            title: self.title.clone(),
            owner_user_id: self.owner_user_id.trim().parse().ok(),
            owner_name: self.owner_name.clone(),
            due_on: self.due_on.clone(),
        }
    }
}

async fn task_add_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<TaskForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    match store_tasks::add(&state.store, &scope, &ctx.who(), id, &f.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=task#tasks")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            detail_view_with(&state, &ctx, &headers, id, "", Errors(errs), f.input()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TaskUpdateForm {
    status: String,
    evidence: String,
    back: String,
}

async fn task_update_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TaskUpdateForm>,
) -> Result<Response> {
    let actor = ctx.actor()?;
    let scope = ctx.org_scope().ok();
    let input = TaskUpdate { status: f.status.clone(), evidence: f.evidence.clone() };
    let back =
        if f.back.starts_with('/') && !f.back.starts_with("//") { f.back.clone() } else { "/first-agenda".into() };
    match store_tasks::update(&state.store, scope.as_ref(), actor.user_id, &ctx.who(), id, &input).await {
        Ok(_) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(Redirect::to(&format!("{back}{sep}ok=task_updated")).into_response())
        }
        Err(StoreError::Invalid(errs)) => tasks_view(&state, &ctx, &TaskFilter::default(), Errors(errs), "").await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "first_agenda.html")]
struct TasksPage {
    l: Layout,
    summary: store_tasks::TaskSummary,
    mine: Vec<store_tasks::TaskRow>,
    status: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TasksQ {
    org_id: String,
    status: String,
    ok: String,
}

async fn tasks_view(state: &AppState, ctx: &Ctx, f: &TaskFilter, errors: Errors, flash_code: &str) -> Result<Response> {
    let actor = ctx.actor()?;
    let summary = match ctx.org_scope() {
        Ok(scope) => store_tasks::summary(&state.store, &scope, f).await?,
        Err(_) => store_tasks::TaskSummary { items: Vec::new(), total: 0, open: 0, overdue: 0, done: 0 },
    };
    let mine = store_tasks::mine(&state.store, actor.user_id).await?;
    render(&TasksPage {
        l: Layout::new(ctx, "第一议题落实", "/first-agenda")
            .crumb("组织生活", "/meetings")
            .crumb("第一议题落实", "")
            .flash(flash(flash_code)),
        summary,
        mine,
        status: f.status.clone(),
        errors,
    })
}

async fn tasks_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<TasksQ>) -> Result<Response> {
    let f = TaskFilter { org_id: q.org_id.trim().parse().ok(), status: q.status.clone() };
    tasks_view(&state, &ctx, &f, Errors::default(), &q.ok).await
}

async fn api_task_add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<TaskInput>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let t = store_tasks::add(&state.store, &scope, &ctx.who(), id, &b).await?;
    Ok((axum::http::StatusCode::CREATED, Json(t)).into_response())
}

async fn api_task_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<TaskUpdate>,
) -> Result<Json<store_tasks::TaskRow>> {
    let actor = ctx.actor()?;
    let scope = ctx.org_scope().ok();
    Ok(Json(store_tasks::update(&state.store, scope.as_ref(), actor.user_id, &ctx.who(), id, &b).await?))
}

async fn api_tasks(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TasksQ>,
) -> Result<Json<store_tasks::TaskSummary>> {
    let scope = ctx.org_scope()?;
    let f = TaskFilter { org_id: q.org_id.trim().parse().ok(), status: q.status.clone() };
    Ok(Json(store_tasks::summary(&state.store, &scope, &f).await?))
}

async fn api_my_tasks(State(state): State<AppState>, ctx: Ctx) -> Result<Json<serde_json::Value>> {
    let actor = ctx.actor()?;
    let items = store_tasks::mine(&state.store, actor.user_id).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

// ----- attachments -----

/// Reads the "file" field of a multipart upload (size-limited while reading).
pub(crate) async fn upload_field(mut multipart: axum::extract::Multipart) -> Result<Option<(String, Vec<u8>)>> {
    let limit = xianfeng_core::meeting::ATTACHMENT_MAX_BYTES;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("附件").to_string();
            let data = field
                .bytes()
                .await
                .map_err(|_| AppError::TooLarge(format!("附件不能超过{}MB", limit / 1024 / 1024)))?;
            if data.len() > limit {
                return Err(AppError::TooLarge(format!("附件不能超过{}MB", limit / 1024 / 1024)));
            }
            return Ok(Some((name, data.to_vec())));
        }
    }
    Ok(None)
}

async fn attachment_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let field_error = |m: String| Errors(vec![xianfeng_core::FieldError::new("file", m)]);
    let (name, data) = match upload_field(multipart).await {
        Ok(Some(f)) => f,
        Ok(None) => return detail_view(&state, &ctx, &headers, id, "", field_error("请选择要上传的文件".into())).await,
        Err(AppError::TooLarge(m)) | Err(AppError::BadRequest(m)) => {
            return detail_view(&state, &ctx, &headers, id, "", field_error(m)).await;
        }
        Err(e) => return Err(e),
    };
    match store_meeting::add_attachment(&state.store, &scope, &ctx.who(), id, &name, data).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=uploaded#attachments")).into_response()),
        Err(StoreError::Invalid(errs)) => detail_view(&state, &ctx, &headers, id, "", Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

/// Sends an attachment as a download with the type found at upload; never inline HTML.
async fn attachment_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (a, data) = store_meeting::attachment(&state.store, &scope, id, aid).await?;
    crate::layout::download(
        &state,
        &ctx,
        "meeting_attachment",
        format!("{id}/{aid}"),
        &a.file_name,
        &a.content_type,
        data,
    )
    .await
}

async fn attachment_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    store_meeting::delete_attachment(&state.store, &scope, &ctx.who(), id, aid).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?ok=deleted#attachments")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NameQ {
    name: String,
}

/// Upload as multipart field "file", or as the raw request body with ?name=FILE.
async fn api_attachment_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NameQ>,
    req: axum::extract::Request,
) -> Result<Response> {
    use axum::extract::FromRequest;
    let scope = ctx.org_scope()?;
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (name, data) = if is_multipart {
        let mp = axum::extract::Multipart::from_request(req, &state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        upload_field(mp).await?.ok_or_else(|| AppError::Unprocessable("缺少文件字段 file".into()))?
    } else {
        let limit = xianfeng_core::meeting::ATTACHMENT_MAX_BYTES;
        let body = axum::body::to_bytes(req.into_body(), limit + 1)
            .await
            .map_err(|_| AppError::TooLarge(format!("附件不能超过{}MB", limit / 1024 / 1024)))?;
        (if q.name.trim().is_empty() { "附件".to_string() } else { q.name.clone() }, body.to_vec())
    };
    let a = store_meeting::add_attachment(&state.store, &scope, &ctx.who(), id, &name, data).await?;
    Ok((axum::http::StatusCode::CREATED, Json(a)).into_response())
}

async fn api_attachment_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    store_meeting::delete_attachment(&state.store, &scope, &ctx.who(), id, aid).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}
