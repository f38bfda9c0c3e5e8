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
struct LoginPage {
    error: String,
    username: String,
    next: String,
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
struct NextQ {
    next: String,
}

async fn login_page(
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

async fn login_submit(
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
async fn attempt(state: &AppState, ip: &str, f: &LoginForm) -> Result<(LoginOutcome, SecurityPolicy)> {
    let policy: SecurityPolicy = state.store.rule().await?;
    let admitted = state.login_throttle.admit(ip, now_ms(), &policy)?;
    let outcome = store_auth::login(&state.store, &f.username, &f.password, ip).await?;
    if !matches!(outcome, LoginOutcome::Ok { .. }) {
        admitted.failed();
    }
    Ok((outcome, policy))
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    store_auth::logout(&state.store, &ctx.token, &ctx.who()).await?;
    Ok(([(header::SET_COOKIE, session_cookie("", state.secure_cookies))], Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    errors: Errors,
    forced: bool,
    reason: String,
    policy_hint: String,
}

pub fn policy_hint(p: &SecurityPolicy) -> String {
    format!(
        "至少{}位，包含大写字母、小写字母、数字、特殊字符中的至少{}类；不能与最近{}次密码相同",
        p.password_min_length, p.password_min_classes, p.password_history
    )
}

async fn password_page_with(state: &AppState, ctx: &Ctx, errors: Errors) -> Result<Response> {
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

async fn password_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
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

async fn change_password(state: &AppState, ctx: &Ctx, f: &PasswordForm) -> Result<(String, String)> {
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
    fn new_password_checked(&self) -> Result<String> {
        if self.password.is_empty() {
            return Err(AppError::Invalid(vec![xianfeng_core::FieldError::new("password", "请输入新密码")]));
        }
        Ok(self.password.clone())
    }
}

async fn password_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PasswordForm>) -> Result<Response> {
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
struct RoleForm {
    role_id: i64,
}

async fn switch_role(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RoleForm>) -> Result<Response> {
    store_auth::switch_role(&state.store, &ctx.token, ctx.session.user.id, f.role_id).await?;
    Ok(Redirect::to("/").into_response())
}

// ----- account administration (system administrator) -----

struct UserView {
    id: i64,
    username: String,
    display_name: String,
    roles: Vec<String>,
    active: bool,
    locked: bool,
    must_change: bool,
    awaiting: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserView>,
    errors: Errors,
    form_username: String,
    form_display_name: String,
    secret: String,
    secret_user: String,
}

#[derive(Deserialize, Default)]
struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
}

async fn users_view(
    state: &AppState,
    ctx: &Ctx,
    errors: Errors,
    form: NewUserForm,
    secret: (String, String),
    flash: &str,
) -> Result<Response> {
    ctx.actor()?.user_admin()?;
    let now = now_ms();
    let users = store_auth::list_users(&state.store)
        .await?
        .into_iter()
        .map(|(u, r)| UserView {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: r.iter().map(|r| r.label().to_string()).collect(),
            active: u.active,
            locked: u.is_locked(now),
            must_change: u.must_change_password,
            awaiting: u.password_hash == xianfeng_store::credential::NO_PASSWORD,
            created: datetime_ms(u.created_at),
        })
        .collect();
    render(&UsersPage {
        l: Layout::new(ctx, "用户管理", "/admin/users").crumb("系统管理", "").crumb("用户管理", "").flash(flash),
        users,
        errors,
        form_username: form.username,
        form_display_name: form.display_name,
        secret: secret.0,
        secret_user: secret.1,
    })
}

async fn users_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    users_view(&state, &ctx, Errors::default(), NewUserForm::default(), Default::default(), "").await
}

async fn users_create(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewUserForm>) -> Result<Response> {
    let cap = ctx.actor()?.user_admin()?;
    match store_auth::create_user(&state.store, cap, &ctx.who(), &f.username, &f.display_name, None).await {
        Ok((u, opened)) => {
            users_view(
                &state,
                &ctx,
                Errors::default(),
                NewUserForm::default(),
                (opened.map(|o| o.part_a).unwrap_or_default(), u.username),
                "账号已创建，待安全管理员批准后由本人启用",
            )
            .await
        }
        Err(xianfeng_store::StoreError::Invalid(e)) => {
            users_view(&state, &ctx, Errors(e), f, Default::default(), "").await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    active: bool,
}

async fn users_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> Result<Response> {
    let cap = ctx.actor()?.user_admin()?;
    store_auth::set_active(&state.store, cap, &ctx.who(), id, f.active).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn users_reset(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let cap = ctx.actor()?.user_admin()?;
    let opened = xianfeng_store::credential::reset_password(&state.store, cap, &ctx.who(), id).await?;
    let u = store_auth::user_by_id(&state.store, id).await?;
    users_view(
        &state,
        &ctx,
        Errors::default(),
        NewUserForm::default(),
        (opened.part_a, u.username),
        "密码已重置：原密码已失效，待安全管理员批准后由本人设置新密码",
    )
    .await
}

// ----- role administration (security administrator) -----

struct RoleView {
    id: i64,
    username: String,
    display_name: String,
    role_label: String,
    binding: String,
    granted_by: String,
}

#[derive(Deserialize, Default)]
struct GrantForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    member_id: String,
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    l: Layout,
    rows: Vec<RoleView>,
    errors: Errors,
    form: GrantForm,
    user_options: Vec<(String, String)>,
    role_options: Vec<(String, String)>,
}

async fn binding_label(state: &AppState, r: &RoleRow) -> String {
    match (r.org_id, r.member_id) {
        (_, Some(m)) => format!("党员档案 {m}"),
        (Some(o), None) => match xianfeng_store::org::anchor_of(state.store.db.r(), o).await {
            Ok(org) => format!("{}（{}）", org.name, org.id),
            Err(_) => format!("组织 {o}"),
        },
        _ => "全局".into(),
    }
}

async fn roles_view(state: &AppState, ctx: &Ctx, errors: Errors, form: GrantForm, flash: &str) -> Result<Response> {
    ctx.actor()?.security_admin()?;
    let all = store_auth::list_users(&state.store).await?;
    let mut rows = Vec::new();
    for (u, roles) in &all {
        for r in roles {
            rows.push(RoleView {
                id: r.id,
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                role_label: r.label().to_string(),
                binding: binding_label(state, r).await,
                granted_by: r.granted_by.clone(),
            });
        }
    }
    render(&RolesPage {
        l: Layout::new(ctx, "角色授权", "/admin/roles").crumb("安全管理", "").crumb("角色授权", "").flash(flash),
        rows,
        errors,
        form,
        user_options: all
            .iter()
            .map(|(u, _)| (u.id.to_string(), format!("{}（{}）", u.display_name, u.username)))
            .collect(),
        role_options: Role::ALL.iter().map(|r| (r.as_str().to_string(), r.label().to_string())).collect(),
    })
}

async fn roles_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    roles_view(&state, &ctx, Errors::default(), GrantForm::default(), "").await
}

fn parse_grant(f: &GrantForm) -> Result<(i64, Role, Option<i64>, Option<i64>)> {
    let mut errs = Vec::new();
    let user_id = opt_num::<i64>(&f.user_id);
    if user_id.is_none() {
        errs.push(xianfeng_core::FieldError::new("user_id", "请选择账号"));
    }
    let role = Role::parse(&f.role);
    if role.is_none() {
        errs.push(xianfeng_core::FieldError::new("role", "请选择角色"));
    }
    let org_id = opt_num::<i64>(&f.org_id);
    if !f.org_id.trim().is_empty() && org_id.is_none() {
        errs.push(xianfeng_core::FieldError::new("org_id", "组织编号应为数字"));
    }
    let member_id = opt_num::<i64>(&f.member_id);
    if !f.member_id.trim().is_empty() && member_id.is_none() {
        errs.push(xianfeng_core::FieldError::new("member_id", "党员编号应为数字"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok((user_id.expect("checked"), role.expect("checked"), org_id, member_id))
}

async fn roles_grant(State(state): State<AppState>, ctx: Ctx, Form(f): Form<GrantForm>) -> Result<Response> {
    let cap = ctx.actor()?.security_admin()?;
    let result = match parse_grant(&f) {
        Ok((u, r, o, m)) => {
            store_auth::grant_role(&state.store, cap, &ctx.who(), u, r, o, m).await.map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => roles_view(&state, &ctx, Errors::default(), GrantForm::default(), flash_text("granted")).await,
        Err(AppError::Invalid(e)) => roles_view(&state, &ctx, Errors(e), f, "").await,
        Err(AppError::Rule(m)) => {
            roles_view(&state, &ctx, Errors(vec![xianfeng_core::FieldError::new("_", m)]), f, "").await
        }
        Err(e) => Err(e),
    }
}

async fn roles_revoke(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let cap = ctx.actor()?.security_admin()?;
    store_auth::revoke_role(&state.store, cap, &ctx.who(), id).await?;
    Ok(Redirect::to("/admin/roles").into_response())
}

// ----- API -----

#[derive(Serialize)]
pub struct MeView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub password_expired: bool,
    pub roles: Vec<RoleRow>,
    pub current_role: Option<String>,
    pub org: Option<xianfeng_core::auth::OrgAnchor>,
    pub member_id: Option<i64>,
}

fn me_view(s: &store_auth::Session) -> MeView {
    MeView {
        id: s.user.id,
        username: s.user.username.clone(),
        display_name: s.user.display_name.clone(),
        must_change_password: s.user.must_change_password,
        password_expired: s.password_expired,
        roles: s.roles.clone(),
        current_role: s.actor.as_ref().map(|a| a.role.as_str().to_string()),
        org: s.actor.as_ref().and_then(|a| a.org.clone()),
        member_id: s.actor.as_ref().and_then(|a| a.member_id),
    }
}

async fn api_login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(f): Json<LoginForm>,
) -> Result<Response> {
    let (outcome, policy) = attempt(&state, &ip, &f).await?;
    match outcome {
        LoginOutcome::Ok { token, csrf, .. } => {
            let s = store_auth::session(&state.store, &token).await?.ok_or(AppError::Unauthenticated)?;
            let body = serde_json::json!({ "user": me_view(&s), "csrf_token": csrf });
            Ok(([(header::SET_COOKIE, session_cookie(&token, state.secure_cookies))], Json(body)).into_response())
        }
        _ => Err(AppError::Credentials(refused_message(&policy))),
    }
}

async fn api_logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    store_auth::logout(&state.store, &ctx.token, &ctx.who()).await?;
    Ok(([(header::SET_COOKIE, session_cookie("", state.secure_cookies))], Json(serde_json::json!({ "ok": true })))
        .into_response())
}

async fn api_me(ctx: Ctx) -> Json<MeView> {
    Json(me_view(&ctx.session))
}

async fn api_password(State(state): State<AppState>, ctx: Ctx, Json(f): Json<PasswordForm>) -> Result<Response> {
    let (token, csrf) = change_password(&state, &ctx, &f).await?;
    Ok((
        [(header::SET_COOKIE, session_cookie(&token, state.secure_cookies))],
        Json(serde_json::json!({ "ok": true, "csrf_token": csrf })),
    )
        .into_response())
}

async fn api_switch_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>> {
    let id = f.get("role_id").and_then(|v| v.as_i64()).ok_or_else(|| AppError::Unprocessable("缺少 role_id".into()))?;
    store_auth::switch_role(&state.store, &ctx.token, ctx.session.user.id, id).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

#[derive(Serialize)]
struct UserJson {
    #[serde(flatten)]
    user: store_auth::UserRow,
    roles: Vec<RoleRow>,
}

async fn api_users(State(state): State<AppState>, ctx: Ctx) -> Result<Json<serde_json::Value>> {
    let a = ctx.actor()?;
    if a.user_admin().is_err() && a.security_admin().is_err() {
        return Err(AppError::Forbidden);
    }
    let items: Vec<UserJson> =
        store_auth::list_users(&state.store).await?.into_iter().map(|(user, roles)| UserJson { user, roles }).collect();
    let total = items.len();
    Ok(Json(serde_json::json!({ "items": items, "total": total, "page": 1, "per_page": total })))
}

#[derive(Deserialize)]
struct NewUserJson {
    username: String,
    display_name: String,
}

async fn api_create_user(State(state): State<AppState>, ctx: Ctx, Json(f): Json<NewUserJson>) -> Result<Response> {
    let cap = ctx.actor()?.user_admin()?;
    let (u, opened) =
        store_auth::create_user(&state.store, cap, &ctx.who(), &f.username, &f.display_name, None).await?;
    let opened = opened.ok_or_else(|| AppError::Internal("新账号未生成启用单".into()))?;
    let body = serde_json::json!({ "user": u, "ticket_id": opened.ticket_id, "activation_code_part_a": opened.part_a });
    Ok((axum::http::StatusCode::CREATED, Json(body)).into_response())
}

async fn api_user_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>> {
    let cap = ctx.actor()?.user_admin()?;
    let active =
        f.get("active").and_then(|v| v.as_bool()).ok_or_else(|| AppError::Unprocessable("缺少 active".into()))?;
    store_auth::set_active(&state.store, cap, &ctx.who(), id, active).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

async fn api_user_reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let cap = ctx.actor()?.user_admin()?;
    let opened = xianfeng_store::credential::reset_password(&state.store, cap, &ctx.who(), id).await?;
    Ok(Json(serde_json::json!({ "ticket_id": opened.ticket_id, "activation_code_part_a": opened.part_a })))
}

#[derive(Deserialize)]
struct GrantJson {
    role: String,
    org_id: Option<i64>,
    member_id: Option<i64>,
}

async fn api_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(user_id): Path<i64>,
    Json(f): Json<GrantJson>,
) -> Result<Response> {
    let cap = ctx.actor()?.security_admin()?;
    let role = Role::parse(&f.role)
        .ok_or_else(|| AppError::Invalid(vec![xianfeng_core::FieldError::new("role", "角色无效")]))?;
    let row = store_auth::grant_role(&state.store, cap, &ctx.who(), user_id, role, f.org_id, f.member_id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(row)).into_response())
}

async fn api_revoke(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>> {
    let cap = ctx.actor()?.security_admin()?;
    store_auth::revoke_role(&state.store, cap, &ctx.who(), id).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

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
            ("post", "/auth/login", "auth", "登录，开始会话（返回 csrf_token）", "Login", 200),
            ("post", "/auth/logout", "auth", "退出登录", "", 200),
            ("get", "/me", "auth", "当前用户、角色与管理范围", "", 200),
            ("post", "/me/password", "auth", "修改密码（所有会话失效，返回新会话）", "PasswordChange", 200),
            ("put", "/me/role", "auth", "切换当前角色", "RoleSwitch", 200),
            ("get", "/users", "users", "账号列表（系统管理员、安全管理员）", "", 200),
            ("post", "/users", "users", "新建账号，返回启用码前半段；须另一位管理员批准（系统管理员）", "NewUser", 201),
            ("post", "/users/{id}/active", "users", "启用或停用账号（系统管理员）", "Active", 200),
            (
                "post",
                "/users/{id}/password-reset",
                "users",
                "重置密码：原密码失效，返回启用码前半段（系统管理员）",
                "",
                200,
            ),
            ("post", "/users/{id}/roles", "users", "授予角色（安全管理员）", "Grant", 201),
            ("delete", "/roles/{id}", "users", "撤销角色（安全管理员）", "", 200),
        ],
    }
};
