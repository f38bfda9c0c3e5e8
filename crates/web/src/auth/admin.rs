//! Accounts and role grants (system and security administrators).

use super::*;
use xianfeng_core::org::OrgKind;

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
    pub(crate) pager: crate::layout::Pager,
    pub(crate) q: RolesQ,
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
    q: RolesQ,
    errors: Errors,
    form: NewUserForm,
    secret: (String, String),
    flash: &str,
) -> Result<Response> {
    let admin = ctx.actor()?.user_admin()?;
    let now = now_ms();
    // Just made or reset: the list shows that account.
    let q = if secret.1.is_empty() { q } else { RolesQ { q: secret.1.clone(), page: String::new() } };
    let (page, per_page) = crate::form::paging(&q.page, "", ROLES_PER_PAGE, ROLES_PER_PAGE)?;
    let found = store_auth::users(&state.store, &admin, &q.q, page, per_page).await?;
    let base = serde_urlencoded::to_string([("q", q.q.as_str())]).unwrap_or_default();
    let pager = crate::layout::Pager::new(found.page, found.per_page, found.total, base);
    let users = found
        .items
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
        pager,
        q,
        errors,
        form_username: form.username,
        form_display_name: form.display_name,
        secret: secret.0,
        secret_user: secret.1,
    })
}

pub(crate) async fn users_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RolesQ>) -> Result<Response> {
    users_view(&state, &ctx, q, Errors::default(), NewUserForm::default(), Default::default(), "").await
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
                RolesQ::default(),
                Errors::default(),
                NewUserForm::default(),
                (opened.map(|o| o.part_a).unwrap_or_default(), u.username),
                "账号已创建，待安全管理员批准后由本人启用",
            )
            .await
        }
        Err(xianfeng_store::StoreError::Invalid(e)) => {
            users_view(&state, &ctx, RolesQ::default(), Errors(e), f, Default::default(), "").await
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
        RolesQ::default(),
        Errors::default(),
        NewUserForm::default(),
        (opened.part_a, u.username),
        "密码已重置：原密码已失效，待安全管理员批准后由本人设置新密码",
    )
    .await
}

// ----- role administration (security administrator) -----

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct GrantForm {
    pub(crate) user_id: String,
    pub(crate) role: String,
    pub(crate) org_id: String,
    pub(crate) member_id: String,
    /// The pickers' search texts: a form carrying one searches, not grants.
    pub(crate) user_id_q: String,
    pub(crate) org_id_q: String,
    pub(crate) member_id_q: String,
}

/// The account and role lists' filter and page, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct RolesQ {
    pub(crate) q: String,
    pub(crate) page: String,
}

/// Accounts and roles listed a page at a time.
const ROLES_PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "roles.html")]
pub(crate) struct RolesPage {
    pub(crate) l: Layout,
    pub(crate) list: xianfeng_store::Page<xianfeng_store::auth::RoleListRow>,
    pub(crate) pager: crate::layout::Pager,
    pub(crate) q: RolesQ,
    pub(crate) errors: Errors,
    pub(crate) form: GrantForm,
    pub(crate) user: crate::picker::Picker,
    pub(crate) org: crate::picker::Picker,
    pub(crate) member: crate::picker::Picker,
    pub(crate) role_options: Vec<(String, String)>,
}

pub(crate) async fn roles_view(
    state: &AppState,
    ctx: &Ctx,
    errors: Errors,
    form: GrantForm,
    q: RolesQ,
    flash: &str,
) -> Result<Response> {
    use crate::picker::{self, OrgSource, Picker};
    let admin = ctx.actor()?.security_admin()?;
    let (page, per_page) = crate::form::paging(&q.page, "", ROLES_PER_PAGE, ROLES_PER_PAGE)?;
    let list = store_auth::role_list(&state.store, &admin, &q.q, page, per_page).await?;
    let base = serde_urlencoded::to_string([("q", q.q.as_str())]).unwrap_or_default();
    let pager = crate::layout::Pager::new(list.page, list.per_page, list.total, base);
    let store = &state.store;
    let user = picker::users(
        store,
        &admin,
        Picker::new("user_id", "账号", "账号").required().placeholder("姓名或用户名"),
        &form.user_id,
        &form.user_id_q,
    )
    .await?;
    let org = picker::orgs(
        store,
        OrgSource::Binding(&admin),
        &[OrgKind::WorkingCommittee, OrgKind::Unit, OrgKind::PartyCommittee, OrgKind::GeneralBranch, OrgKind::Branch],
        Picker::new("org_id", "绑定组织", "组织")
            .placeholder("单位或党组织名称")
            .hint("工委管理员、单位党务管理员、支部书记、纪检专员须选择"),
        &form.org_id,
        &form.org_id_q,
    )
    .await?;
    let member = picker::binding_members(
        store,
        &admin,
        Picker::new("member_id", "绑定党员", "党员").placeholder("输入姓名").hint("党员角色须选择"),
        &form.member_id,
        &form.member_id_q,
    )
    .await?;
    let form = GrantForm {
        user_id: user.value().to_string(),
        org_id: org.value().to_string(),
        member_id: member.value().to_string(),
        user_id_q: String::new(),
        org_id_q: String::new(),
        member_id_q: String::new(),
        ..form
    };
    render(&RolesPage {
        l: Layout::new(ctx, "角色授权", "/admin/roles").crumb("安全管理", "").crumb("角色授权", "").flash(flash),
        list,
        pager,
        q,
        errors,
        form,
        user,
        org,
        member,
        role_options: Role::ALL.iter().map(|r| (r.as_str().to_string(), r.label().to_string())).collect(),
    })
}

pub(crate) async fn roles_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RolesQ>) -> Result<Response> {
    roles_view(&state, &ctx, Errors::default(), GrantForm::default(), q, "").await
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
    if crate::picker::searching(&[&f.user_id_q, &f.org_id_q, &f.member_id_q]) {
        return roles_view(&state, &ctx, Errors::default(), f, RolesQ::default(), "").await;
    }
    let result = match parse_grant(&f) {
        Ok((u, r, o, m)) => {
            store_auth::grant_role(&state.store, cap, &ctx.who(), u, r, o, m).await.map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            roles_view(&state, &ctx, Errors::default(), GrantForm::default(), RolesQ::default(), flash_text("granted"))
                .await
        }
        Err(AppError::Invalid(e)) => roles_view(&state, &ctx, Errors(e), f, RolesQ::default(), "").await,
        Err(AppError::Rule(m)) => {
            let e = Errors(vec![xianfeng_core::FieldError::new("_", m)]);
            roles_view(&state, &ctx, e, f, RolesQ::default(), "").await
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
