//! Accounts and role grants (system and security administrators).

use super::*;

pub(crate) struct UserView {
    pub(crate) id: i64,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) roles: Vec<String>,
    pub(crate) active: bool,
    pub(crate) locked: bool,
    pub(crate) must_change: bool,
    pub(crate) awaiting: bool,
    pub(crate) created: String,
}

#[derive(Template)]
#[template(path = "users.html")]
pub(crate) struct UsersPage {
    pub(crate) l: Layout,
    pub(crate) users: Vec<UserView>,
    pub(crate) errors: Errors,
    pub(crate) form_username: String,
    pub(crate) form_display_name: String,
    pub(crate) secret: String,
    pub(crate) secret_user: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct NewUserForm {
    #[serde(default)]
    pub(crate) username: String,
    #[serde(default)]
    pub(crate) display_name: String,
}

pub(crate) async fn users_view(
    state: &AppState,
    ctx: &Ctx,
    errors: Errors,
    form: NewUserForm,
    secret: (String, String),
    flash: &str,
) -> Result<Response> {
    let admin = ctx.actor()?.user_admin()?;
    let now = now_ms();
    let users = store_auth::list_users(&state.store, &admin)
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

pub(crate) async fn users_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    users_view(&state, &ctx, Errors::default(), NewUserForm::default(), Default::default(), "").await
}

pub(crate) async fn users_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<NewUserForm>,
) -> Result<Response> {
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
pub(crate) struct ActiveForm {
    pub(crate) active: bool,
}

pub(crate) async fn users_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> Result<Response> {
    let cap = ctx.actor()?.user_admin()?;
    store_auth::set_active(&state.store, cap, &ctx.who(), id, f.active).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub(crate) async fn users_reset(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
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

pub(crate) struct RoleView {
    pub(crate) id: i64,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) role_label: String,
    pub(crate) binding: String,
    pub(crate) granted_by: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct GrantForm {
    #[serde(default)]
    pub(crate) user_id: String,
    #[serde(default)]
    pub(crate) role: String,
    #[serde(default)]
    pub(crate) org_id: String,
    #[serde(default)]
    pub(crate) member_id: String,
}

#[derive(Template)]
#[template(path = "roles.html")]
pub(crate) struct RolesPage {
    pub(crate) l: Layout,
    pub(crate) rows: Vec<RoleView>,
    pub(crate) errors: Errors,
    pub(crate) form: GrantForm,
    pub(crate) user_options: Vec<(String, String)>,
    pub(crate) role_options: Vec<(String, String)>,
}

pub(crate) async fn binding_label(state: &AppState, r: &RoleRow) -> String {
    match (r.org_id, r.member_id) {
        (_, Some(m)) => format!("党员档案 {m}"),
        (Some(o), None) => match xianfeng_store::org::anchor_of(state.store.db.r(), o).await {
            Ok(org) => format!("{}（{}）", org.name, org.id),
            Err(_) => format!("组织 {o}"),
        },
        _ => "全局".into(),
    }
}

pub(crate) async fn roles_view(
    state: &AppState,
    ctx: &Ctx,
    errors: Errors,
    form: GrantForm,
    flash: &str,
) -> Result<Response> {
    let admin = ctx.actor()?.security_admin()?;
    let all = store_auth::list_users(&state.store, &admin).await?;
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

pub(crate) async fn roles_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    roles_view(&state, &ctx, Errors::default(), GrantForm::default(), "").await
}

pub(crate) fn parse_grant(f: &GrantForm) -> Result<(i64, Role, Option<i64>, Option<i64>)> {
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

pub(crate) async fn roles_grant(State(state): State<AppState>, ctx: Ctx, Form(f): Form<GrantForm>) -> Result<Response> {
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

pub(crate) async fn roles_revoke(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let cap = ctx.actor()?.security_admin()?;
    store_auth::revoke_role(&state.store, cap, &ctx.who(), id).await?;
    Ok(Redirect::to("/admin/roles").into_response())
}

// ----- API -----
