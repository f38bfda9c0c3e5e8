//! The sign-in, account and role API (JSON).

use super::*;

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

pub(crate) fn me_view(s: &store_auth::Session) -> MeView {
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

pub(crate) async fn api_login(
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

pub(crate) async fn api_logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    store_auth::logout(&state.store, &ctx.token, &ctx.who()).await?;
    Ok(([(header::SET_COOKIE, session_cookie("", state.secure_cookies))], Json(serde_json::json!({ "ok": true })))
        .into_response())
}

pub(crate) async fn api_me(ctx: Ctx) -> Json<MeView> {
    Json(me_view(&ctx.session))
}

pub(crate) async fn api_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<PasswordForm>,
) -> Result<Response> {
    let (token, csrf) = change_password(&state, &ctx, &f).await?;
    Ok((
        [(header::SET_COOKIE, session_cookie(&token, state.secure_cookies))],
        Json(serde_json::json!({ "ok": true, "csrf_token": csrf })),
    )
        .into_response())
}

pub(crate) async fn api_switch_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>> {
    let id = f.get("role_id").and_then(|v| v.as_i64()).ok_or_else(|| AppError::Unprocessable("缺少 role_id".into()))?;
    store_auth::switch_role(&state.store, &ctx.token, ctx.session.user.id, id).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

#[derive(Serialize)]
pub(crate) struct UserJson {
    #[serde(flatten)]
    pub(crate) user: store_auth::UserRow,
    pub(crate) roles: Vec<RoleRow>,
}

pub(crate) async fn api_users(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<crate::form::Paging>,
    Query(f): Query<UsersFilter>,
) -> Result<Json<xianfeng_store::Page<UserJson>>> {
    let a = ctx.actor()?;
    let (page, per_page) = p.api()?;
    let found = match (a.user_admin(), a.security_admin()) {
        (Ok(admin), _) => store_auth::users(&state.store, &admin, &f.q, page, per_page).await?,
        (_, Ok(admin)) => store_auth::users(&state.store, &admin, &f.q, page, per_page).await?,
        _ => return Err(AppError::Forbidden),
    };
    let items = found.items.into_iter().map(|(user, roles)| UserJson { user, roles }).collect();
    Ok(Json(xianfeng_store::Page { items, total: found.total, page: found.page, per_page: found.per_page }))
}

/// The account list's filter: a part of the user name or name.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct UsersFilter {
    pub(crate) q: String,
}

#[derive(Deserialize)]
pub(crate) struct NewUserJson {
    pub(crate) username: String,
    pub(crate) display_name: String,
}

pub(crate) async fn api_create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<NewUserJson>,
) -> Result<Response> {
    let cap = ctx.actor()?.user_admin()?;
    let (u, opened) =
        store_auth::create_user(&state.store, cap, &ctx.who(), &f.username, &f.display_name, None).await?;
    let opened = opened.ok_or_else(|| AppError::Internal("新账号未生成启用单".into()))?;
    let body = serde_json::json!({ "user": u, "ticket_id": opened.ticket_id, "activation_code_part_a": opened.part_a });
    Ok((axum::http::StatusCode::CREATED, Json(body)).into_response())
}

pub(crate) async fn api_user_active(
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

pub(crate) async fn api_user_reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let cap = ctx.actor()?.user_admin()?;
    let opened = xianfeng_store::credential::reset_password(&state.store, cap, &ctx.who(), id).await?;
    Ok(Json(serde_json::json!({ "ticket_id": opened.ticket_id, "activation_code_part_a": opened.part_a })))
}

#[derive(Deserialize)]
pub(crate) struct GrantJson {
    pub(crate) role: String,
    pub(crate) org_id: Option<i64>,
    pub(crate) member_id: Option<i64>,
}

pub(crate) async fn api_grant(
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

pub(crate) async fn api_revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let cap = ctx.actor()?.security_admin()?;
    store_auth::revoke_role(&state.store, cap, &ctx.who(), id).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}
