//! Meeting attachments: upload, download, delete (page and API).

use super::*;

pub(crate) async fn attachment_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let field_error = |m: String| Errors(vec![xianfeng_core::FieldError::new("file", m)]);
    let (name, data) = match crate::upload::file_field(multipart).await {
        Ok(Some(f)) => f,
        Ok(None) => return detail_view(&state, &ctx, &headers, id, "", field_error("请选择要上传的文件".into())).await,
        Err(AppError::TooLarge(m)) | Err(AppError::BadRequest(m)) => {
            return detail_view(&state, &ctx, &headers, id, "", field_error(m)).await;
        }
        Err(e) => return Err(e),
    };
    match store_meeting::add_attachment(&state.store, &scope.writer()?, &ctx.who(), id, &name, data).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=uploaded#attachments")).into_response()),
        Err(StoreError::Invalid(errs)) => detail_view(&state, &ctx, &headers, id, "", Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

/// Sends an attachment as a download with the type found at upload; never inline HTML.
pub(crate) async fn attachment_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (a, data) = store_meeting::attachment(&state.store, &scope, id, aid).await?;
    crate::layout::download(
        &state,
        &ctx,
        "meeting_attachment",
        format!("{id}/{aid}"),
        &a.file_name,
        &a.content_type,
        data,
    )
    .await
}

pub(crate) async fn attachment_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    store_meeting::delete_attachment(&state.store, &scope.writer()?, &ctx.who(), id, aid).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?ok=deleted#attachments")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NameQ {
    name: String,
}

/// Upload as multipart field "file", or as the raw request body with ?name=FILE.
pub(crate) async fn api_attachment_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NameQ>,
    req: axum::extract::Request,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (name, data) = crate::upload::file_from_request(&state, req, &q.name).await?;
    let a = store_meeting::add_attachment(&state.store, &scope.writer()?, &ctx.who(), id, &name, data).await?;
    Ok((axum::http::StatusCode::CREATED, Json(a)).into_response())
}

pub(crate) async fn api_attachment_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, aid)): Path<(i64, i64)>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    store_meeting::delete_attachment(&state.store, &scope.writer()?, &ctx.who(), id, aid).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}
