//! Sign-in, sign-out, password changes, role switching; account and role
//! administration for the system and security administrators.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post, put};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use xianfeng_core::auth::Role;
use xianfeng_core::rules::SecurityPolicy;
use xianfeng_core::text::{datetime_ms, now_ms};
use xianfeng_store::auth::{self as store_auth, LoginOutcome, RoleRow};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::{Errors, opt_num};
use crate::layout::{Layout, flash_text, render};
use crate::session::{ClientIp, Ctx, cookie_value, session_cookie};

mod admin;
mod api;

pub(crate) use self::admin::*;
pub(crate) use self::api::*;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/password", get(password_page).post(password_submit))
        .route("/role", post(switch_role))
        .route("/admin/users", get(users_page).post(users_create))
        .route("/admin/users/{id}/active", post(users_active))
        .route("/admin/users/{id}/reset", post(users_reset))
        .route("/admin/roles", get(roles_page).post(roles_grant))
        .route("/admin/roles/{id}/revoke", post(roles_revoke))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(api_login))
        .route("/auth/logout", post(api_logout))
        .route("/me", get(api_me))
        .route("/me/password", post(api_password))
        .route("/me/role", put(api_switch_role))
        .route("/users", get(api_users).post(api_create_user))
        .route("/users/{id}/active", post(api_user_active))
        .route("/users/{id}/password-reset", post(api_user_reset))
        .route("/users/{id}/roles", post(api_grant))
        .route("/roles/{id}", delete(api_revoke))
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    pub(crate) error: String,
    pub(crate) username: String,
    pub(crate) next: String,
}

/// A path on this site to return to after signing in; anything else (another
/// site, `//host`, `/\\host`, a tab or line break that a browser drops, the
/// login page itself) is ignored. Characters outside ASCII come back
/// percent-encoded, ready for a Location header.
pub fn safe_next(next: &str) -> Option<String> {
    let mut chars = next.chars();
    let ok = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        && !next.starts_with("/login");
    ok.then(|| {
        next.chars()
            .map(|c| if c.is_ascii() { c.to_string() } else { urlencoding::encode(&c.to_string()).into_owned() })
            .collect()
    })
}

/// The one answer to every refused sign-in: an unknown name, a wrong
/// password, a locked or disabled account all read the same.
pub fn refused_message(p: &SecurityPolicy) -> String {
    format!(
        "用户名或密码错误，或账号暂不可用。连续输错{}次，账号将锁定{}分钟；如需帮助请联系系统管理员。",
        p.lock_after_failures, p.lock_minutes
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NextQ {
    pub(crate) next: String,
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<NextQ>,
) -> Result<Response> {
    let next = safe_next(&q.next).unwrap_or_default();
    if let Some(t) = cookie_value(&headers, crate::session::COOKIE)
        && store_auth::session(&state.store, &t).await?.is_some()
    {
        return Ok(Redirect::to(if next.is_empty() { "/" } else { &next }).into_response());
    }
    render(&LoginPage { error: String::new(), username: String::new(), next })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(f): Form<LoginForm>,
) -> Result<Response> {
    let next = safe_next(&f.next).unwrap_or_default();
    let (outcome, policy) = match attempt(&state, &ip, &f).await {
        Ok(r) => r,
        Err(e @ AppError::Throttled(_)) => {
            let mut res = render(&LoginPage { error: e.to_string(), username: f.username, next })?;
            *res.status_mut() = e.status();
            return Ok(res);
        }
        Err(e) => return Err(e),
    };
    match outcome {
        LoginOutcome::Ok { token, must_change, expired, .. } => {
            let to = if must_change || expired {
                "/password".to_string()
            } else if next.is_empty() {
                "/".to_string()
            } else {
                next
            };
            Ok(([(header::SET_COOKIE, session_cookie(&token, state.secure_cookies))], Redirect::to(&to))
                .into_response())
        }
        _ => {
            let mut res = render(&LoginPage { error: refused_message(&policy), username: f.username, next })?;
            *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(res)
        }
    }
}

/// One sign-in attempt through the address throttle; a refusal counts
/// against the address.
pub(crate) async fn attempt(state: &AppState, ip: &str, f: &LoginForm) -> Result<(LoginOutcome, SecurityPolicy)> {
    let policy: SecurityPolicy = state.store.rule().await?;
    let admitted = state.login_throttle.admit(ip, now_ms(), &policy)?;
    let outcome = store_auth::login(&state.store, &f.username, &f.password, ip).await?;
    if !matches!(outcome, LoginOutcome::Ok { .. }) {
        admitted.failed();
    }
    Ok((outcome, policy))
}

pub(crate) async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    store_auth::logout(&state.store, &ctx.token, &ctx.who()).await?;
    Ok(([(header::SET_COOKIE, session_cookie("", state.secure_cookies))], Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
pub(crate) struct PasswordPage {
    pub(crate) l: Layout,
    pub(crate) errors: Errors,
    pub(crate) forced: bool,
    pub(crate) reason: String,
    pub(crate) policy_hint: String,
}

pub fn policy_hint(p: &SecurityPolicy) -> String {
    format!(
        "至少{}位，包含大写字母、小写字母、数字、特殊字符中的至少{}类；不能与最近{}次密码相同",
        p.password_min_length, p.password_min_classes, p.password_history
    )
}

pub(crate) async fn password_page_with(state: &AppState, ctx: &Ctx, errors: Errors) -> Result<Response> {
    let policy: SecurityPolicy = state.store.rule().await?;
    let s = &ctx.session;
    let (forced, reason) = if s.user.must_change_password {
        (true, "首次登录或密码被重置，请先修改密码。".to_string())
    } else if s.password_expired {
        (true, format!("密码已超过{}天未修改，请修改后继续使用。", policy.password_expiry_days))
    } else {
        (false, String::new())
    };
    render(&PasswordPage {
        l: Layout::new(ctx, "修改密码", "/password").crumb("修改密码", ""),
        errors,
        forced,
        reason,
        policy_hint: policy_hint(&policy),
    })
}

pub(crate) async fn password_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    password_page_with(&state, &ctx, Errors::default()).await
}

#[derive(Deserialize, Serialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub old_password: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password2: Option<String>,
}

pub(crate) async fn change_password(state: &AppState, ctx: &Ctx, f: &PasswordForm) -> Result<(String, String)> {
    if let Some(p2) = &f.password2
        && *p2 != f.password
    {
        return Err(AppError::Invalid(vec![xianfeng_core::FieldError::new("password2", "两次输入的新密码不一致")]));
    }
    store_auth::change_password(
        &state.store,
        &ctx.who(),
        ctx.session.user.id,
        &f.old_password,
        &f.new_password_checked()?,
    )
    .await?;
    // Every session ended; open a fresh one for this browser.
    let pair = store_auth::open_session(&state.store, ctx.session.user.id, ctx.session.row.role_id, &ctx.ip).await?;
    Ok(pair)
}

impl PasswordForm {
    pub(crate) fn new_password_checked(&self) -> Result<String> {
        if self.password.is_empty() {
            return Err(AppError::Invalid(vec![xianfeng_core::FieldError::new("password", "请输入新密码")]));
        }
        Ok(self.password.clone())
    }
}

pub(crate) async fn password_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> Result<Response> {
    match change_password(&state, &ctx, &f).await {
        Ok((token, _)) => {
            Ok(([(header::SET_COOKIE, session_cookie(&token, state.secure_cookies))], Redirect::to("/?ok=password"))
                .into_response())
        }
        Err(AppError::Invalid(errs)) => password_page_with(&state, &ctx, Errors(errs)).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct RoleForm {
    pub(crate) role_id: i64,
}

pub(crate) async fn switch_role(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RoleForm>) -> Result<Response> {
    store_auth::switch_role(&state.store, &ctx.token, ctx.session.user.id, f.role_id).await?;
    Ok(Redirect::to("/").into_response())
}

// ----- account administration (system administrator) -----

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "auth",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::System, 20, "用户管理", "/admin/users", Audience::Roles(&[Role::SystemAdmin])),
            MenuEntry::new(Section::Security, 10, "角色授权", "/admin/roles", Audience::Roles(&[Role::SecurityAdmin])),
            MenuEntry::new(Section::Account, 10, "修改密码", "/password", Audience::Everyone),
        ],
        operations: &[
            ("post", "/auth/login", "auth", "登录，开始会话（返回 csrf_token）", "Login", 200, "Session"),
            ("post", "/auth/logout", "auth", "退出登录", "", 200, "Ok"),
            ("get", "/me", "auth", "当前用户、角色与管理范围", "", 200, "Me"),
            (
                "post",
                "/me/password",
                "auth",
                "修改密码（所有会话失效，返回新会话）",
                "PasswordChange",
                200,
                "PasswordChanged",
            ),
            ("put", "/me/role", "auth", "切换当前角色", "RoleSwitch", 200, "Ok"),
            ("get", "/users", "users", "账号列表（q：姓名或用户名；系统管理员、安全管理员）", "", 200, "Page<User>"),
            (
                "post",
                "/users",
                "users",
                "新建账号，返回启用码前半段；须另一位管理员批准（系统管理员）",
                "NewUser",
                201,
                "NewUserOpened",
            ),
            ("post", "/users/{id}/active", "users", "启用或停用账号（系统管理员）", "Active", 200, "Ok"),
            (
                "post",
                "/users/{id}/password-reset",
                "users",
                "重置密码：原密码失效，返回启用码前半段（系统管理员）",
                "",
                200,
                "ActivationPartA",
            ),
            ("post", "/users/{id}/roles", "users", "授予角色（安全管理员）", "Grant", 201, "RoleBinding"),
            ("delete", "/roles/{id}", "users", "撤销角色（安全管理员）", "", 200, "Ok"),
        ],
    }
};
