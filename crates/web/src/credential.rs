//! Activation and reset approval (security and audit administrators), the
//! owner's activation page, and the notice an owner acknowledges. The store
//! decides who may approve what (`xianfeng_store::credential`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use xianfeng_store::credential::{self as store_cred, Ticket};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::Errors;
use crate::layout::{Layout, fmt_ms, render};
use crate::session::{ClientIp, Ctx};

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin/credentials", get(tickets_page))
        .route("/admin/credentials/{id}/approve", post(approve_submit))
        .route("/activate", get(activate_page).post(activate_submit))
        .route("/me/notice", post(notice_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/credential-tickets", get(api_tickets))
        .route("/credential-tickets/{id}/approve", post(api_approve))
        .route("/auth/activate", post(api_activate))
        .route("/me/notice", post(api_notice))
}

struct TicketView {
    pending: bool,
    t: Ticket,
    requested_at: String,
    expires_at: String,
}

#[derive(Template)]
#[template(path = "credentials.html")]
struct TicketsPage {
    l: Layout,
    tickets: Vec<TicketView>,
    pager: crate::layout::Pager,
    secret: String,
    secret_user: String,
    error: String,
}

/// Tickets on a page of the list.
const TICKETS_PER_PAGE: i64 = 50;

async fn tickets_view(
    state: &AppState,
    ctx: &Ctx,
    page: &str,
    secret: (String, String),
    error: String,
) -> Result<Response> {
    let cap = ctx.actor()?.credential_approver()?;
    let (open, pager) = crate::layout::Pager::slice(
        store_cred::open_tickets(&state.store, &cap).await?,
        page,
        TICKETS_PER_PAGE,
        String::new(),
    )?;
    let tickets = open
        .into_iter()
        .map(|t| TicketView {
            pending: t.state == store_cred::TicketState::Pending,
            requested_at: fmt_ms(&t.requested_at),
            expires_at: fmt_ms(&t.expires_at),
            t,
        })
        .collect();
    render(&TicketsPage {
        l: Layout::new(ctx, "启用与重置审批", "/admin/credentials").crumb("安全管理", "").crumb("启用与重置审批", ""),
        tickets,
        pager,
        secret: secret.0,
        secret_user: secret.1,
        error,
    })
}

async fn tickets_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<crate::form::Paging>,
) -> Result<Response> {
    tickets_view(&state, &ctx, &q.page, Default::default(), String::new()).await
}

async fn approve_submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let cap = ctx.actor()?.credential_approver()?;
    match store_cred::approve(&state.store, &cap, &ctx.who(), id).await {
        Ok(part_b) => {
            let t = store_cred::open_tickets(&state.store, &cap).await?.into_iter().find(|t| t.id == id);
            tickets_view(&state, &ctx, "", (part_b, t.map(|t| t.username).unwrap_or_default()), String::new()).await
        }
        Err(xianfeng_store::StoreError::Rule(m)) => tickets_view(&state, &ctx, "", Default::default(), m).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "activate.html")]
struct ActivatePage {
    errors: Errors,
    error: String,
    username: String,
    done: bool,
    policy_hint: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActivateForm {
    pub username: String,
    pub part_a: String,
    pub part_b: String,
    pub password: String,
    pub password2: String,
}

async fn activate_page(State(state): State<AppState>) -> Result<Response> {
    let policy: xianfeng_core::rules::SecurityPolicy = state.store.rule().await?;
    render(&ActivatePage {
        errors: Errors::default(),
        error: String::new(),
        username: String::new(),
        done: false,
        policy_hint: crate::auth::policy_hint(&policy),
    })
}

/// One activation attempt through the sign-in brake: wrong codes count
/// against the address like wrong passwords.
async fn activate(state: &AppState, ip: &str, f: &ActivateForm) -> Result<()> {
    if f.password != f.password2 {
        return Err(AppError::Invalid(vec![xianfeng_core::FieldError::new("password2", "两次输入的密码不一致")]));
    }
    let policy: xianfeng_core::rules::SecurityPolicy = state.store.rule().await?;
    let attempt = state.login_throttle.admit(ip, xianfeng_core::text::now_ms(), &policy)?;
    let r = store_cred::activate(&state.store, &f.username, &f.part_a, &f.part_b, &f.password, ip).await;
    if matches!(r, Err(xianfeng_store::StoreError::Rule(_))) {
        attempt.failed();
    }
    Ok(r?)
}

async fn activate_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(f): Form<ActivateForm>,
) -> Result<Response> {
    let policy: xianfeng_core::rules::SecurityPolicy = state.store.rule().await?;
    let page = |errors: Errors, error: String, done: bool| ActivatePage {
        errors,
        error,
        username: f.username.clone(),
        done,
        policy_hint: crate::auth::policy_hint(&policy),
    };
    match activate(&state, &ip, &f).await {
        Ok(()) => render(&page(Errors::default(), String::new(), true)),
        Err(AppError::Invalid(e)) => {
            let mut res = render(&page(Errors(e), String::new(), false))?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e @ (AppError::Rule(_) | AppError::Throttled(_))) => {
            let status = e.status();
            let mut res = render(&page(Errors::default(), e.to_string(), false))?;
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

async fn notice_submit(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    store_cred::acknowledge_notice(&state.store, ctx.session.user.id).await?;
    Ok(Redirect::to("/").into_response())
}

async fn api_tickets(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(p): axum::extract::Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<store_cred::Ticket>>> {
    let cap = ctx.actor()?.credential_approver()?;
    let items = store_cred::open_tickets(&state.store, &cap).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

async fn api_approve(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>> {
    let cap = ctx.actor()?.credential_approver()?;
    let part_b = store_cred::approve(&state.store, &cap, &ctx.who(), id).await?;
    Ok(Json(serde_json::json!({ "ticket_id": id, "activation_code_part_b": part_b })))
}

async fn api_activate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(f): Json<ActivateForm>,
) -> Result<Json<serde_json::Value>> {
    activate(&state, &ip, &f).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

async fn api_notice(State(state): State<AppState>, ctx: Ctx) -> Result<Json<serde_json::Value>> {
    store_cred::acknowledge_notice(&state.store, ctx.session.user.id).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "credential",
        pages,
        api,
        menu: &[
            MenuEntry::new(
                Section::Security,
                20,
                "启用与重置审批",
                "/admin/credentials",
                Audience::Roles(&[Role::SecurityAdmin]),
            ),
            MenuEntry::new(
                Section::Audit,
                30,
                "启用与重置审批",
                "/admin/credentials",
                Audience::Roles(&[Role::AuditAdmin]),
            ),
        ],
        operations: &[
            (
                "get",
                "/credential-tickets",
                "users",
                "待批准和待启用的启用单（安全管理员、审计管理员）",
                "",
                200,
                "Page<CredentialTicket>",
            ),
            (
                "post",
                "/credential-tickets/{id}/approve",
                "users",
                "批准启用单，返回启用码后半段（另一位管理员）",
                "",
                200,
                "ActivationPartB",
            ),
            ("post", "/auth/activate", "auth", "本人持两段启用码设置密码（无需会话）", "Activate", 200, "Ok"),
            ("post", "/me/notice", "auth", "确认已知晓账号启用或重置的提示", "", 200, "Ok"),
        ],
    }
};
