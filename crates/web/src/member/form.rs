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
    pub(crate) gender_options: Vec<(String, String)>,
    pub(crate) ethnicity_options: Vec<(String, String)>,
    pub(crate) education_options: Vec<(String, String)>,
    pub(crate) category_options: Vec<(String, String)>,
    pub(crate) rank_options: Vec<(String, String)>,
    pub(crate) status_options: Vec<(String, String)>,
    pub(crate) branch: crate::picker::Picker,
    pub(crate) group_options: Vec<(String, String)>,
    pub(crate) group_hint: &'static str,
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
    org_q: &str,
    errors: Errors,
    edit: Option<&MemberDetail>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let branch = crate::picker::orgs(
        &state.store,
        crate::picker::OrgSource::Scope(&scope),
        &[OrgKind::Branch],
        crate::picker::Picker::new("org_id", "所在党支部", "党支部").required(),
        &f.org_id,
        org_q,
    )
    .await?;
    let mut group_options = Vec::new();
    let chosen_branch = branch.value().parse::<i64>().ok();
    if let Some(id) = chosen_branch {
        match xianfeng_store::org::get(state.store.db.r(), &scope, id).await {
            Ok(b) if b.kind() == OrgKind::Branch => {
                group_options = xianfeng_store::org::children(state.store.db.r(), &scope, &b, false)
                    .await?
                    .into_iter()
                    .filter(|g| g.kind() == OrgKind::Group)
                    .map(|g| (g.id.to_string(), g.name))
                    .collect();
            }
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let group_hint = match (chosen_branch, group_options.is_empty()) {
        (None, _) => "先选定党支部，再选党小组",
        (Some(_), true) => "该党支部未设党小组",
        (Some(_), false) => "",
    };
    let f = MemberInput { org_id: branch.value().to_string(), ..f };
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
        gender_options: options(&core_member::GENDERS),
        ethnicity_options: options(&core_member::ETHNICITIES),
        education_options: options(&core_member::EDUCATIONS),
        category_options: options(&core_member::CATEGORIES),
        rank_options: options(&core_member::CADRE_RANKS),
        status_options: status_options(false),
        branch,
        group_options,
        group_hint,
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
    form_view(&state, &ctx, f, "", Errors::default(), None).await
}

#[derive(Deserialize)]
pub(crate) struct MemberForm {
    #[serde(flatten)]
    pub(crate) input: MemberInput,
    #[serde(default)]
    pub(crate) version: String,
    /// The branch picker's search text: when given, the form searches and
    /// comes back with every entry kept, and nothing is saved.
    #[serde(default)]
    pub(crate) org_id_q: String,
}

pub(crate) async fn new_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<MemberForm>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    scope.writer()?;
    if crate::picker::searching(&[&f.org_id_q]) {
        return form_view(&state, &ctx, f.input, &f.org_id_q, Errors::default(), None).await;
    }
    match store_member::create(&state.store, &scope.writer()?, &ctx.who(), &f.input).await {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}?ok=created", m.id)).into_response()),
        Err(StoreError::Invalid(e)) => form_view(&state, &ctx, f.input, "", Errors(e), None).await,
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_member::get(&state.store, &scope, id).await?;
    form_view(&state, &ctx, m.to_input(), "", Errors::default(), Some(&m)).await
}

pub(crate) async fn edit_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if crate::picker::searching(&[&f.org_id_q]) {
        scope.writer()?;
        let m = store_member::get(&state.store, &scope, id).await?;
        return form_view(&state, &ctx, f.input, &f.org_id_q, Errors::default(), Some(&m)).await;
    }
    let version = opt_num::<i64>(&f.version).unwrap_or(0);
    match store_member::update(&state.store, &scope.writer()?, &ctx.who(), id, &f.input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let m = store_member::get(&state.store, &scope, id).await?;
            form_view(&state, &ctx, f.input, "", Errors(e), Some(&m)).await
        }
        Err(StoreError::Stale) => {
            let m = store_member::get(&state.store, &scope, id).await?;
            let e = vec![xianfeng_core::FieldError::new(
                "_",
                "该党员信息已被他人修改，请核对后重新保存（下方显示的是您填写的内容）",
            )];
            let mut detail = m.clone();
            detail.version = m.version;
            form_view(&state, &ctx, f.input, "", Errors(e), Some(&detail)).await
        }
        Err(e) => Err(e.into()),
    }
}
