//! Transfer pages and API (组织关系转接): the list (waiting for me, in
//! progress, all), asking for a transfer, registering an arrival from outside
//! the province, and each transfer with the sending and receiving sides'
//! decisions.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use xianfeng_core::FieldError;
use xianfeng_core::member::{MemberInput, parse_date};
use xianfeng_core::org::OrgKind;
use xianfeng_store::StoreError;
use xianfeng_store::transfer::{
    self as store_tr, Destination, IncomingRequest, TransferFilter, TransferRequest, TransferRow, TransferView,
};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::Errors;
use crate::layout::{Layout, render};
use crate::session::Ctx;

mod incoming;

use self::incoming::*;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/transfers", get(list_page))
        .route("/transfers/new", get(new_page).post(new_submit))
        .route("/transfers/incoming", get(incoming_page).post(incoming_submit))
        .route("/transfers/{id}", get(detail_page))
        .route("/transfers/{id}/approve", post(approve_submit))
        .route("/transfers/{id}/reject", post(reject_submit))
        .route("/transfers/{id}/cancel", post(cancel_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/transfers", get(api_list).post(api_request))
        .route("/transfers/incoming", post(api_incoming))
        .route("/transfers/{id}", get(api_get))
        .route("/transfers/{id}/approve", post(api_approve))
        .route("/transfers/{id}/reject", post(api_reject))
        .route("/transfers/{id}/cancel", post(api_cancel))
        .route("/transfer-destinations", get(api_destinations))
}

fn flash(code: &str) -> &'static str {
    match code {
        "requested" => "转接申请已提交，等待转出方审批",
        "registered" => "转入登记已提交，等待接收审批",
        "approved" => "已审批",
        "rejected" => "已退回",
        "cancelled" => "已撤销",
        _ => "",
    }
}

// ----- list -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    state: String,
    mine: String,
    /// Part of the member's name.
    name: String,
    /// Only transfers from or to an org under this one.
    org_id: String,
    /// The org picker's search text.
    org_id_q: String,
    ok: String,
    page: String,
    per_page: String,
}

impl ListQ {
    fn filter(&self) -> Result<TransferFilter> {
        Ok(TransferFilter {
            state: self.state.clone(),
            mine: matches!(self.mine.as_str(), "1" | "true"),
            name: self.name.clone(),
            org_id: match self.org_id.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| AppError::BadRequest("org_id应为数字".into()))?),
            },
        })
    }
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct ListPage {
    l: Layout,
    q: ListQ,
    items: Vec<TransferView>,
    /// The unit or branch the list is narrowed to, chosen by name.
    org: crate::picker::Picker,
    pager: crate::layout::Pager,
    errors: crate::form::Errors,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let mut f = q.filter()?;
    let org =
        crate::picker::list_filter(&state.store, &scope, "单位或党支部", &q.org_id, &q.org_id_q, &mut f.org_id).await?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 500)?;
    let found = store_tr::list(&state.store, &scope, &f, page, per_page).await?;
    let base = serde_urlencoded::to_string([
        ("state", q.state.as_str()),
        ("mine", q.mine.as_str()),
        ("name", q.name.as_str()),
        ("org_id", org.value()),
        ("per_page", per_page.to_string().as_str()),
    ])
    .unwrap_or_default();
    render(&ListPage {
        l: Layout::new(&ctx, "组织关系转接", "/transfers").crumb("组织关系转接", "").flash(flash(&q.ok)),
        pager: crate::layout::Pager::new(page, per_page, found.total, base),
        items: found.items,
        org,
        q,
        errors: Default::default(),
    })
}

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<store_tr::TransferView>>> {
    let scope = ctx.org_scope()?;
    let (page, per_page) = p.api()?;
    Ok(Json(store_tr::list(&state.store, &scope, &q.filter()?, page, per_page).await?))
}

// ----- ask for a transfer -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewForm {
    member_id: String,
    /// The pickers' search texts (a form carrying one searches, not saves).
    member_id_q: String,
    to_org_id_q: String,
    to_org_id: String,
    to_org_name: String,
    letter_no: String,
    reason: String,
    requested_on: String,
}

#[derive(Template)]
#[template(path = "transfer_new.html")]
struct NewPage {
    l: Layout,
    form: NewForm,
    errors: Errors,
    member: crate::picker::Picker,
    destination: crate::picker::Picker,
}

async fn new_view(state: &AppState, ctx: &Ctx, form: NewForm, errors: Errors) -> Result<Response> {
    let ms = ctx.member_scope(state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    use crate::picker::{self, OrgSource, Picker};
    let member = picker::members(
        &state.store,
        &ms,
        "members",
        Picker::new("member_id", "党员", "党员").required().placeholder("输入姓名"),
        &form.member_id,
        &form.member_id_q,
    )
    .await?;
    let destination = picker::orgs(
        &state.store,
        OrgSource::Destinations,
        &[OrgKind::Branch],
        Picker::new("to_org_id", "接收党支部（省直机关内）", "党支部")
            .placeholder("单位或党支部名称，如：教育厅")
            .hint("转出省直机关的不选，填写下方接收党组织和介绍信编号"),
        &form.to_org_id,
        &form.to_org_id_q,
    )
    .await?;
    let form = NewForm {
        member_id: member.value().to_string(),
        to_org_id: destination.value().to_string(),
        member_id_q: String::new(),
        to_org_id_q: String::new(),
        ..form
    };
    render(&NewPage {
        l: Layout::new(ctx, "申请组织关系转出", "/transfers/new")
            .crumb("组织关系转接", "/transfers")
            .crumb("申请转出", ""),
        form,
        errors,
        member,
        destination,
    })
}

async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(f): Query<NewForm>) -> Result<Response> {
    new_view(&state, &ctx, f, Errors::default()).await
}

fn parse_request(f: &NewForm) -> std::result::Result<TransferRequest, Vec<FieldError>> {
    let mut errs = Vec::new();
    let member_id = f.member_id.trim().parse::<i64>().unwrap_or_else(|_| {
        errs.push(FieldError::new("member_id", "请选择党员"));
        0
    });
    let to_org_id = match f.to_org_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errs.push(FieldError::new("to_org_id", "接收党支部无效"));
                None
            }
        },
    };
    let requested_on = match f.requested_on.trim() {
        "" => None,
        s => {
            let d = parse_date(s);
            if d.is_none() {
                errs.push(FieldError::new("requested_on", "请按 2025-07-01 的格式填写日期"));
            }
            d
        }
    };
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(TransferRequest {
        member_id,
        to_org_id,
        to_org_name: f.to_org_name.clone(),
        letter_no: f.letter_no.clone(),
        reason: f.reason.clone(),
        requested_on,
    })
}

async fn new_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewForm>) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    if crate::picker::searching(&[&f.member_id_q, &f.to_org_id_q]) {
        return new_view(&state, &ctx, f, Errors::default()).await;
    }
    let r = match parse_request(&f) {
        Ok(r) => r,
        Err(errs) => return new_view(&state, &ctx, f, Errors(errs)).await,
    };
    match store_tr::request(&state.store, &ms.writer()?, &ctx.who(), &r).await {
        Ok(t) => Ok(Redirect::to(&format!("/transfers/{}?ok=requested", t.id)).into_response()),
        Err(StoreError::Invalid(errs)) => new_view(&state, &ctx, f, Errors(errs)).await,
        Err(StoreError::Rule(m)) => new_view(&state, &ctx, f, Errors(vec![FieldError::new("member_id", m)])).await,
        Err(e) => Err(e.into()),
    }
}

async fn api_request(State(state): State<AppState>, ctx: Ctx, Json(r): Json<TransferRequest>) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let t = store_tr::request(&state.store, &ms.writer()?, &ctx.who(), &r).await?;
    Ok((axum::http::StatusCode::CREATED, Json(t)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FindQ {
    q: String,
}

async fn api_destinations(
    State(_s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FindQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<Destination>>> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let (page, per_page) = p.api()?;
    Ok(Json(store_tr::destinations(&_s.store, &q.q, page, per_page).await?))
}

// ----- one transfer -----

#[derive(Template)]
#[template(path = "transfer.html")]
struct DetailPage {
    l: Layout,
    v: TransferView,
    t: TransferRow,
    message: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OkQ {
    ok: String,
}

async fn detail_view(state: &AppState, ctx: &Ctx, id: i64, ok: &str, message: String) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let v = store_tr::get(&state.store, &scope, id).await?;
    render(&DetailPage {
        l: Layout::new(ctx, format!("组织关系转接 — {}", v.t.member_name), "/transfers")
            .crumb("组织关系转接", "/transfers")
            .crumb(v.t.member_name.clone(), "")
            .flash(flash(ok)),
        t: v.t.clone(),
        v,
        message,
    })
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQ>,
) -> Result<Response> {
    detail_view(&state, &ctx, id, &q.ok, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecideForm {
    letter_no: String,
    reason: String,
    version: String,
}

async fn decided(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    r: std::result::Result<TransferView, StoreError>,
    ok: &str,
) -> Result<Response> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/transfers/{id}?ok={ok}")).into_response()),
        Err(StoreError::Rule(m)) => detail_view(state, ctx, id, "", m).await,
        Err(StoreError::Invalid(errs)) => detail_view(state, ctx, id, "", crate::form::messages(errs)).await,
        Err(StoreError::Stale) => detail_view(state, ctx, id, "", "该转接已被他人处理，请核对后重试".into()).await,
        Err(e) => Err(e.into()),
    }
}

async fn approve_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    // The version the page showed: a decision is about what the decider saw.
    let Ok(version) = f.version.trim().parse::<i64>() else { return missing_version(&state, &ctx, id).await };
    let r = store_tr::approve(&state.store, &scope.writer()?, &ctx.who(), id, &f.letter_no, Some(version)).await;
    decided(&state, &ctx, id, r, "approved").await
}

async fn missing_version(state: &AppState, ctx: &Ctx, id: i64) -> Result<Response> {
    detail_view(state, ctx, id, "", "缺少转接记录的版本号，请刷新页面后重试".into()).await
}

/// The version an API client read, which every decision names.
fn required_version(v: Option<i64>) -> Result<i64> {
    v.ok_or_else(|| {
        AppError::Invalid(vec![xianfeng_core::FieldError::new("version", "缺少转接记录的版本号（version）")])
    })
}

async fn reject_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let Ok(version) = f.version.trim().parse::<i64>() else { return missing_version(&state, &ctx, id).await };
    let r = store_tr::reject(&state.store, &scope.writer()?, &ctx.who(), id, &f.reason, version).await;
    decided(&state, &ctx, id, r, "rejected").await
}

async fn cancel_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let Ok(version) = f.version.trim().parse::<i64>() else { return missing_version(&state, &ctx, id).await };
    let r = store_tr::cancel(&state.store, &scope.writer()?, &ctx.who(), id, version).await;
    decided(&state, &ctx, id, r, "cancelled").await
}

async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<TransferView>> {
    let scope = ctx.org_scope()?;
    Ok(Json(store_tr::get(&state.store, &scope, id).await?))
}

#[derive(Deserialize)]
struct DecideJson {
    #[serde(default)]
    letter_no: String,
    #[serde(default)]
    reason: String,
    /// The version the client read: every decision names it.
    #[serde(default)]
    version: Option<i64>,
}

async fn api_approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<DecideJson>,
) -> Result<Json<TransferView>> {
    let scope = ctx.org_scope()?;
    let version = required_version(b.version)?;
    Ok(Json(store_tr::approve(&state.store, &scope.writer()?, &ctx.who(), id, &b.letter_no, Some(version)).await?))
}

async fn api_reject(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<DecideJson>,
) -> Result<Json<TransferView>> {
    let scope = ctx.org_scope()?;
    let version = required_version(b.version)?;
    Ok(Json(store_tr::reject(&state.store, &scope.writer()?, &ctx.who(), id, &b.reason, version).await?))
}

async fn api_cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<DecideJson>,
) -> Result<Json<TransferView>> {
    let scope = ctx.org_scope()?;
    let version = required_version(b.version)?;
    Ok(Json(store_tr::cancel(&state.store, &scope.writer()?, &ctx.who(), id, version).await?))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "transfer",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::Transfers, 10, "转接办理", "/transfers", STAFF),
            MenuEntry::new(Section::Transfers, 20, "申请转出", "/transfers/new", STAFF),
            MenuEntry::new(Section::Transfers, 30, "省外转入登记", "/transfers/incoming", STAFF),
        ],
        operations: &[
            (
                "get",
                "/transfers",
                "transfer",
                "组织关系转接（state=pending_out/pending_in/done/rejected/cancelled/all，空为办理中；mine=1 只看待我方审批）",
                "",
                200,
                "Page<TransferView>",
            ),
            (
                "post",
                "/transfers",
                "transfer",
                "申请转出（省直机关内给 to_org_id；转出省直机关给 to_org_name 和 letter_no）",
                "TransferRequest",
                201,
                "Transfer",
            ),
            (
                "post",
                "/transfers/incoming",
                "transfer",
                "省外转入登记（凭介绍信，审批接收后建档）",
                "TransferIncoming",
                201,
                "Transfer",
            ),
            ("get", "/transfers/{id}", "transfer", "一项转接及我方是转出方还是接收方", "", 200, "TransferView"),
            (
                "post",
                "/transfers/{id}/approve",
                "transfer",
                "转出方或接收方审批（党费须已缴清；介绍信须在有效期内）",
                "TransferDecision",
                200,
                "TransferView",
            ),
            (
                "post",
                "/transfers/{id}/reject",
                "transfer",
                "退回（须填写原因）",
                "TransferDecision",
                200,
                "TransferView",
            ),
            (
                "post",
                "/transfers/{id}/cancel",
                "transfer",
                "发起方撤销尚未审批的转接（须带 version）",
                "TransferDecision",
                200,
                "TransferView",
            ),
            (
                "get",
                "/transfer-destinations",
                "transfer",
                "可转入的党支部（q=名称）",
                "",
                200,
                "Page<TransferDestination>",
            ),
        ],
    }
};
