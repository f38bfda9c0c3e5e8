//! Moving and dissolving an org, appointing and removing post holders.

use super::*;

#[derive(Template)]
#[template(path = "org_move.html")]
pub(crate) struct MovePage {
    pub(crate) l: Layout,
    pub(crate) org_id: i64,
    pub(crate) org_name: String,
    pub(crate) reason: String,
    /// The new parent, chosen by name among the orgs that may hold this kind.
    pub(crate) parent: crate::picker::Picker,
    pub(crate) errors: Errors,
}

#[derive(Deserialize, Default)]
pub(crate) struct MoveForm {
    #[serde(default)]
    pub(crate) parent_id: String,
    /// What was typed into the parent picker's search.
    #[serde(default)]
    pub(crate) parent_id_q: String,
    #[serde(default)]
    pub(crate) reason: String,
}

pub(crate) async fn move_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: MoveForm,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    // Possible new parents: orgs in scope of a kind that may hold this kind
    // (the store refuses the org itself, its subtree and its present parent).
    let kinds: Vec<OrgKind> =
        OrgKind::ALL.iter().filter(|k| k.allowed_children().contains(&org.kind())).copied().collect();
    let p = crate::picker::Picker::new("parent_id", "新的上级组织", "上级组织")
        .required()
        .placeholder("上级组织名称中的几个字");
    let source = crate::picker::OrgSource::Scope(&scope);
    let parent = crate::picker::orgs(&state.store, source, &kinds, p, &form.parent_id, &form.parent_id_q).await?;
    let l = crumbs(state, ctx, &org, Layout::new(ctx, format!("迁移 {}", org.name), "/orgs"), true).await?;
    render(&MovePage {
        l: l.crumb("迁移", ""),
        org_id: org.id,
        org_name: org.name,
        reason: form.reason,
        parent,
        errors,
    })
}

pub(crate) async fn move_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    move_view(&state, &ctx, id, MoveForm::default(), Errors::default()).await
}

pub(crate) async fn move_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if crate::picker::searching(&[&f.parent_id_q]) {
        return move_view(&state, &ctx, id, f, Errors::default()).await;
    }
    let Ok(parent) = f.parent_id.trim().parse::<i64>() else {
        return move_view(
            &state,
            &ctx,
            id,
            f,
            Errors(vec![xianfeng_core::FieldError::new("parent_id", "请选择新的上级组织")]),
        )
        .await;
    };
    match store_org::move_to(&state.store, &scope.writer()?, &ctx.who(), id, parent, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?ok=moved")).into_response()),
        Err(StoreError::Invalid(e)) => move_view(&state, &ctx, id, f, Errors(e)).await,
        Err(StoreError::Rule(m)) => {
            move_view(&state, &ctx, id, f, Errors(vec![xianfeng_core::FieldError::new("_", m)])).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Serialize, Default)]
pub struct DissolveForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub reason: String,
}

pub(crate) fn dissolve_date(s: &str) -> Result<chrono::NaiveDate> {
    if s.trim().is_empty() {
        return Ok(xianfeng_core::text::today_cn());
    }
    xianfeng_core::member::parse_date(s)
        .ok_or_else(|| AppError::Invalid(vec![xianfeng_core::FieldError::new("date", "撤销日期格式应为 2025-07-01")]))
}

pub(crate) async fn dissolve_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DissolveForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let result = match dissolve_date(&f.date) {
        Ok(d) => store_org::dissolve(&state.store, &scope.writer()?, &ctx.who(), id, d, &f.reason)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?ok=dissolved")).into_response()),
        Err(AppError::Invalid(e)) => org_view(&state, &ctx, id, &FlashQ::default(), Errors(e), "").await,
        Err(AppError::Rule(m)) => {
            org_view(
                &state,
                &ctx,
                id,
                &FlashQ::default(),
                Errors(vec![xianfeng_core::FieldError::new("_", format!("撤销未完成：{m}"))]),
                "",
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Serialize)]
pub struct PostForm {
    pub member_id: i64,
    pub post: String,
    #[serde(default)]
    pub since: Option<chrono::NaiveDate>,
}

pub(crate) async fn post_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PostForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    store_org::set_post(&state.store, &scope.writer()?, &ctx.who(), id, f.member_id, &f.post, f.since).await?;
    Ok(Redirect::to(&format!("/orgs/{id}?ok=saved")).into_response())
}

pub(crate) async fn post_remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, post_id)): Path<(i64, i64)>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    store_org::remove_post(&state.store, &scope.writer()?, &ctx.who(), id, post_id).await?;
    Ok(Redirect::to(&format!("/orgs/{id}?ok=saved")).into_response())
}
