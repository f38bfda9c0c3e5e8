//! Adding and editing a member record.

use super::*;

#[derive(Template)]
#[template(path = "member_form.html")]
pub(crate) struct MemberFormPage {
    pub(crate) l: Layout,
    pub(crate) f: MemberInput,
    pub(crate) errors: Errors,
    pub(crate) creating: bool,
    pub(crate) version: i64,
    pub(crate) action: String,
    pub(crate) back: String,
    pub(crate) shown: Vec<&'static str>,
    pub(crate) id_hint: &'static str,
    pub(crate) phone_hint: &'static str,
    pub(crate) branch_hint: String,
    pub(crate) gender_options: Vec<(String, String)>,
    pub(crate) ethnicity_options: Vec<(String, String)>,
    pub(crate) education_options: Vec<(String, String)>,
    pub(crate) category_options: Vec<(String, String)>,
    pub(crate) rank_options: Vec<(String, String)>,
    pub(crate) status_options: Vec<(String, String)>,
    pub(crate) branch_options: Vec<(String, String)>,
    pub(crate) group_options: Vec<(String, String)>,
}

pub(crate) const SHOWN: [&str; 18] = [
    "name",
    "gender",
    "ethnicity",
    "id_card",
    "birth_date",
    "education",
    "category",
    "phone",
    "position",
    "cadre_rank",
    "native_place",
    "address",
    "community",
    "status",
    "join_date",
    "full_date",
    "org_id",
    "group_id",
];

pub(crate) async fn form_view(
    state: &AppState,
    ctx: &Ctx,
    f: MemberInput,
    errors: Errors,
    edit: Option<&MemberDetail>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let orgs = store_member::branch_lookup(&state.store, &scope).await?;
    let branches: Vec<_> = orgs.iter().filter(|o| o.kind() == OrgKind::Branch).collect();
    let branch_options = if branches.len() <= 600 {
        let mut v: Vec<(String, String)> = branches.iter().map(|b| (b.id.to_string(), b.name.clone())).collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    } else {
        Vec::new()
    };
    let chosen_branch = opt_num::<i64>(&f.org_id);
    let group_options = orgs
        .iter()
        .filter(|o| o.kind() == OrgKind::Group && (chosen_branch.is_none() || o.parent_id == chosen_branch))
        .take(600)
        .map(|g| {
            let parent = orgs.iter().find(|b| Some(b.id) == g.parent_id).map(|b| b.name.as_str()).unwrap_or("");
            (g.id.to_string(), format!("{parent} / {}", g.name))
        })
        .collect();
    let branch_hint = match chosen_branch.and_then(|id| branches.iter().find(|b| b.id == id)) {
        Some(b) => b.name.clone(),
        None => "填写党支部的组织编号（可在组织架构中查看）".into(),
    };
    let (title, action, back, creating, version) = match edit {
        Some(m) => (
            format!("编辑 {}", m.name),
            format!("/members/{}/edit", m.id),
            format!("/members/{}", m.id),
            false,
            m.version,
        ),
        None => ("新增党员".to_string(), "/members/new".to_string(), "/members".to_string(), true, 0),
    };
    let mut l = Layout::new(ctx, title, "/members").crumb("党员管理", "").crumb("党员名册", "/members");
    if let Some(m) = edit {
        l = l.crumb(m.name.clone(), format!("/members/{}", m.id));
    }
    let mut res = render(&MemberFormPage {
        l: l.crumb(if creating { "新增" } else { "编辑" }, ""),
        f,
        creating,
        version,
        action,
        back,
        shown: SHOWN.to_vec(),
        id_hint: if creating {
            "18位，末位可为X；保存后加密存储"
        } else {
            "不修改请留空；保存后加密存储"
        },
        phone_hint: if creating { "" } else { "不修改请留空" },
        branch_hint,
        gender_options: options(&core_member::GENDERS),
        ethnicity_options: options(&core_member::ETHNICITIES),
        education_options: options(&core_member::EDUCATIONS),
        category_options: options(&core_member::CATEGORIES),
        rank_options: options(&core_member::CADRE_RANKS),
        status_options: status_options(false),
        branch_options,
        group_options,
        errors: errors.clone(),
    })?;
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
pub(crate) struct NewQ {
    #[serde(default)]
    pub(crate) org_id: String,
}

pub(crate) async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewQ>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let f = MemberInput { org_id: q.org_id, status: "full".into(), ..Default::default() };
    form_view(&state, &ctx, f, Errors::default(), None).await
}

#[derive(Deserialize)]
pub(crate) struct MemberForm {
    #[serde(flatten)]
    pub(crate) input: MemberInput,
    #[serde(default)]
    pub(crate) version: String,
}

pub(crate) async fn new_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<MemberForm>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    match store_member::create(&state.store, &scope.writer()?, &ctx.who(), &f.input).await {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}?ok=created", m.id)).into_response()),
        Err(StoreError::Invalid(e)) => form_view(&state, &ctx, f.input, Errors(e), None).await,
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_member::get(&state.store, &scope, id).await?;
    form_view(&state, &ctx, m.to_input(), Errors::default(), Some(&m)).await
}

pub(crate) async fn edit_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let version = opt_num::<i64>(&f.version).unwrap_or(0);
    match store_member::update(&state.store, &scope.writer()?, &ctx.who(), id, &f.input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let m = store_member::get(&state.store, &scope, id).await?;
            form_view(&state, &ctx, f.input, Errors(e), Some(&m)).await
        }
        Err(StoreError::Stale) => {
            let m = store_member::get(&state.store, &scope, id).await?;
            let e = vec![xianfeng_core::FieldError::new(
                "_",
                "该党员信息已被他人修改，请核对后重新保存（下方显示的是您填写的内容）",
            )];
            let mut detail = m.clone();
            detail.version = m.version;
            form_view(&state, &ctx, f.input, Errors(e), Some(&detail)).await
        }
        Err(e) => Err(e.into()),
    }
}
