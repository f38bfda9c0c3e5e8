//! The member API (JSON).

use super::*;

pub(crate) async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<MemberRow>>> {
    let scope = ctx.member_scope(&state).await?;
    let f = q.filter().map_err(AppError::BadRequest)?;
    let (page, per_page) = q.paging()?;
    Ok(Json(store_member::list(&state.store, &scope, &f, page, per_page).await?))
}

pub(crate) async fn api_count(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let f = q.filter().map_err(AppError::BadRequest)?;
    Ok(Json(serde_json::json!({ "total": store_member::count(&state.store, &scope, &f).await? })))
}

pub(crate) async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<MemberDetail>> {
    let scope = ctx.member_scope(&state).await?;
    Ok(Json(store_member::get(&state.store, &scope, id).await?))
}

pub(crate) async fn api_me_member(State(state): State<AppState>, ctx: Ctx) -> Result<Json<MemberDetail>> {
    let id = ctx.actor()?.member_id.ok_or(AppError::NotFound)?;
    let scope = ctx.member_scope(&state).await?;
    Ok(Json(store_member::get(&state.store, &scope, id).await?))
}

pub(crate) async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<MemberInput>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let m = store_member::create(&state.store, &scope.writer()?, &ctx.who(), &f).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct UpdateJson {
    #[serde(flatten)]
    pub(crate) input: MemberInput,
    pub(crate) version: i64,
}

pub(crate) async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<UpdateJson>,
) -> Result<Json<MemberDetail>> {
    let scope = ctx.member_scope(&state).await?;
    Ok(Json(store_member::update(&state.store, &scope.writer()?, &ctx.who(), id, &f.input, f.version).await?))
}

pub(crate) async fn api_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<xianfeng_store::member::HistoryRow>>> {
    let scope = ctx.member_scope(&state).await?;
    let items = store_member::history(&state.store, &scope, id).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

pub(crate) async fn api_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiStatus>,
) -> Result<Json<MemberDetail>> {
    let scope = ctx.member_scope(&state).await?;
    let version = crate::form::api_version(b.version, "党员信息").map_err(|e| AppError::Invalid(vec![e]))?;
    let (to, date) = parse_status(&b.form)?;
    let d = store_member::change_status(
        &state.store,
        &scope.writer()?,
        &ctx.who(),
        id,
        to,
        date,
        &b.form.reason,
        Some(version),
    )
    .await?;
    Ok(Json(d))
}

/// A status change from the page, with the member version the page showed.
#[derive(Deserialize, Default)]
pub(crate) struct StatusPost {
    #[serde(flatten)]
    pub(crate) form: StatusForm,
    #[serde(default)]
    pub(crate) version: String,
}

/// A status change through the API names the member version the client read.
#[derive(Deserialize)]
pub(crate) struct ApiStatus {
    #[serde(flatten)]
    pub(crate) form: StatusForm,
    pub(crate) version: Option<i64>,
}

pub(crate) async fn api_reveal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let name = f.get("field").and_then(|v| v.as_str()).unwrap_or("");
    let field = Protected::parse(name).ok_or_else(|| AppError::BadRequest("field 应为 id_card 或 phone".into()))?;
    let value = store_member::reveal(&state.store, &scope, &ctx.who(), id, field).await?;
    Ok(Json(serde_json::json!({ "field": field.as_str(), "value": value })))
}

/// Upload the .xlsx as the raw request body (or as multipart field "file").
pub(crate) async fn api_import(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response> {
    if body.len() > state.import_limits.max_file_bytes {
        return Err(AppError::TooLarge(format!("文件超过{}MB", state.import_limits.max_file_bytes / 1024 / 1024)));
    }
    let name = headers.get("x-file-name").and_then(|v| v.to_str().ok()).unwrap_or("api-upload.xlsx").to_string();
    let report = run_import(&state, &ctx, &body, &name).await?;
    if report.errors.is_empty() {
        return Ok((StatusCode::CREATED, Json(report)).into_response());
    }
    // Refused rows: the error envelope every client reads, with the report
    // (each row and column) beside it.
    let first = &report.errors[0];
    let message =
        format!("未导入：共{}处错误，例如第{}行“{}”：{}", report.errors.len(), first.row, first.column, first.reason);
    let mut body = serde_json::to_value(&report).map_err(|e| AppError::Internal(e.to_string()))?;
    body["error"] = serde_json::json!({ "code": "invalid", "message": message });
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
}
