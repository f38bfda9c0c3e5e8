//! A case materials: upload and download.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct DocQ {
    pub(crate) step: String,
    pub(crate) name: String,
}

pub(crate) async fn document_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DocQ>,
    multipart: axum::extract::Multipart,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let step = q.step.trim().parse::<u8>().unwrap_or(0);
    let fail = |m: String| Errors(vec![FieldError::new("file", m)]);
    let (name, data) = match crate::upload::file_field(multipart).await {
        Ok(Some(f)) => f,
        Ok(None) => {
            return case_view(
                &state,
                &ctx,
                id,
                "",
                StepForm::default(),
                fail("请选择要上传的文件".into()),
                String::new(),
            )
            .await;
        }
        Err(AppError::TooLarge(m)) | Err(AppError::BadRequest(m)) => {
            return case_view(&state, &ctx, id, "", StepForm::default(), fail(m), String::new()).await;
        }
        Err(e) => return Err(e),
    };
    match store_rec::add_document(&state.store, &ms.writer()?, &ctx.who(), id, step, &name, data).await {
        Ok(_) => Ok(Redirect::to(&format!("/recruitment/cases/{id}?ok=uploaded#documents")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            case_view(&state, &ctx, id, "", StepForm::default(), Errors(errs), String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Upload as multipart field "file" with ?step=N.
pub(crate) async fn api_document_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DocQ>,
    multipart: axum::extract::Multipart,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let step = q.step.trim().parse::<u8>().map_err(|_| AppError::BadRequest("请用 ?step= 指明材料所属步骤".into()))?;
    let (name, data) = crate::upload::file_field(multipart)
        .await?
        .ok_or_else(|| AppError::Unprocessable("缺少文件字段 file".into()))?;
    let name = if q.name.trim().is_empty() { name } else { q.name.clone() };
    let d = store_rec::add_document(&state.store, &ms.writer()?, &ctx.who(), id, step, &name, data).await?;
    Ok((axum::http::StatusCode::CREATED, Json(d)).into_response())
}

pub(crate) async fn document_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let (a, data) = store_rec::document(&state.store, &ms, id, doc).await?;
    crate::layout::download(
        &state,
        &ctx,
        "recruitment_document",
        format!("{id}/{doc}"),
        &a.file_name,
        &a.content_type,
        data,
    )
    .await
}

// ----- plans -----
