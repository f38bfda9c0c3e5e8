//! The org API (JSON).

use super::*;

/// Query parameters arrive as text; numbers are parsed here so a bad value
/// gets a clear message.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ListQ {
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) district: String,
    pub(crate) under: String,
    pub(crate) include_dissolved: String,
    pub(crate) page: String,
    pub(crate) per_page: String,
}

pub(crate) async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQ>,
) -> Result<Json<xianfeng_store::Page<OrgRow>>> {
    let scope = ctx.org_scope()?;
    let num = |s: &str, label: &str| -> Result<Option<i64>> {
        if s.trim().is_empty() {
            Ok(None)
        } else {
            s.trim().parse().map(Some).map_err(|_| AppError::BadRequest(format!("{label}应为数字")))
        }
    };
    let filter = OrgFilter {
        name: q.name.clone(),
        kind: q.kind.clone(),
        district: q.district.clone(),
        under: num(&q.under, "under")?,
        include_dissolved: q.include_dissolved == "true",
    };
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 20, 200)?;
    Ok(Json(store_org::search(&state.store, &scope, &filter, page, per_page).await?))
}

#[derive(Serialize)]
pub(crate) struct OrgDetail {
    #[serde(flatten)]
    pub(crate) org: OrgRow,
    pub(crate) health: store_org::OrgHealth,
    pub(crate) posts: Vec<PostJson>,
}

#[derive(Serialize)]
pub(crate) struct PostJson {
    pub(crate) id: i64,
    pub(crate) member_id: i64,
    pub(crate) member_name: String,
    pub(crate) post: String,
    pub(crate) post_label: &'static str,
}

pub(crate) async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<OrgDetail>> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    let health = store_org::health(&state.store, &org).await?;
    let posts = store_org::posts(state.store.db.r(), &org)
        .await?
        .into_iter()
        .map(|p| PostJson {
            id: p.id,
            member_id: p.member_id,
            member_name: p.member_name.clone(),
            post_label: post_label(&p.post),
            post: p.post,
        })
        .collect();
    Ok(Json(OrgDetail { org, health, posts }))
}

pub(crate) async fn api_children(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<OrgRow>>> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    let items = store_org::children(state.store.db.r(), &scope, &org, false).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

pub(crate) async fn api_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<store_org::OrgHistoryRow>>> {
    let scope = ctx.org_scope()?;
    let items = store_org::history_of(&state.store, &scope, id).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

#[derive(Deserialize)]
pub(crate) struct CreateJson {
    pub(crate) parent_id: i64,
    #[serde(flatten)]
    pub(crate) input: OrgInput,
}

pub(crate) async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(f): Json<CreateJson>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let o = store_org::create(&state.store, &scope.writer()?, &ctx.who(), f.parent_id, &f.input).await?;
    Ok((StatusCode::CREATED, Json(o)).into_response())
}

pub(crate) async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<serde_json::Value>,
) -> Result<Json<OrgRow>> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    // PATCH: start from the stored values, apply the fields sent.
    let mut input = serde_json::to_value(input_of(&org)).map_err(|e| AppError::Internal(e.to_string()))?;
    if let (Some(obj), Some(patch)) = (input.as_object_mut(), f.as_object()) {
        for (k, v) in patch {
            if obj.contains_key(k) {
                obj.insert(k.clone(), v.clone());
            }
        }
    }
    let input: OrgInput =
        serde_json::from_value(input).map_err(|e| AppError::BadRequest(format!("请求格式错误：{e}")))?;
    Ok(Json(store_org::update(&state.store, &scope.writer()?, &ctx.who(), id, &input).await?))
}

#[derive(Deserialize)]
pub(crate) struct MoveJson {
    pub(crate) parent_id: i64,
    #[serde(default)]
    pub(crate) reason: String,
}

pub(crate) async fn api_move(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<MoveJson>,
) -> Result<Json<OrgRow>> {
    let scope = ctx.org_scope()?;
    Ok(Json(store_org::move_to(&state.store, &scope.writer()?, &ctx.who(), id, f.parent_id, &f.reason).await?))
}

pub(crate) async fn api_dissolve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<DissolveForm>,
) -> Result<Json<OrgRow>> {
    let scope = ctx.org_scope()?;
    let d = dissolve_date(&f.date)?;
    Ok(Json(store_org::dissolve(&state.store, &scope.writer()?, &ctx.who(), id, d, &f.reason).await?))
}

pub(crate) async fn api_add_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<PostForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    store_org::set_post(&state.store, &scope.writer()?, &ctx.who(), id, f.member_id, &f.post, f.since).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "ok": true }))).into_response())
}

pub(crate) async fn api_remove_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, post_id)): Path<(i64, i64)>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    store_org::remove_post(&state.store, &scope.writer()?, &ctx.who(), id, post_id).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}
