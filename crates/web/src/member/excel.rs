//! Export, import template and import of member records (.xlsx).

use super::*;

pub(crate) const EXPORT_CAP: i64 = 200_000;

pub(crate) fn describe_filter(f: &MemberFilter) -> String {
    let mut parts = Vec::new();
    if !f.name.is_empty() {
        parts.push(format!("姓名含“{}”", f.name));
    }
    let status = status_options(true).into_iter().find(|(k, _)| *k == f.status).map(|(_, v)| v).unwrap_or_default();
    if !status.is_empty() {
        parts.push(status);
    }
    if let Some(a) = f.min_age {
        parts.push(format!("{a}岁以上"));
    }
    if let Some(a) = f.max_age {
        parts.push(format!("{a}岁以下"));
    }
    if let Some(y) = f.join_year {
        parts.push(format!("{y}年入党"));
    }
    if !f.gender.is_empty() {
        parts.push(f.gender.clone());
    }
    if parts.is_empty() { "无".into() } else { parts.join("，") }
}

/// Exports exactly what the filters show, masked; audited.
pub(crate) async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let f = q.filter().map_err(AppError::BadRequest)?;
    let rows = store_member::list_all(&state.store, &scope, &f, EXPORT_CAP).await?;
    let name = scope_name(&state, &scope, &f, &ctx).await?;
    let today = xianfeng_core::text::today_cn();
    let bytes = crate::xlsx::members_export(&rows, &name, &describe_filter(&f), today)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let file = crate::xlsx::export_file_name(&name, today);
    crate::layout::download(
        &state,
        &ctx,
        "member_export",
        format!("{}条", rows.len()),
        &file,
        crate::layout::XLSX,
        bytes,
    )
    .await
}

pub(crate) async fn template(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    ctx.actor()?;
    crate::layout::download(
        &state,
        &ctx,
        "member_template",
        "",
        "党员信息导入模板.xlsx",
        crate::layout::XLSX,
        crate::xlsx::members_template(),
    )
    .await
}

#[derive(Template)]
#[template(path = "member_import.html")]
pub(crate) struct ImportPage {
    pub(crate) l: Layout,
    pub(crate) report: Option<ImportReport>,
    pub(crate) file_error: String,
    /// Where the uploaded roster with its problems marked is fetched.
    pub(crate) errors_file: Option<String>,
    pub(crate) max_mb: usize,
    pub(crate) max_rows: usize,
}

pub(crate) fn import_page_of(
    state: &AppState,
    ctx: &Ctx,
    report: Option<ImportReport>,
    file_error: String,
) -> Result<Response> {
    import_page_with(state, ctx, report, file_error, None)
}

fn import_page_with(
    state: &AppState,
    ctx: &Ctx,
    report: Option<ImportReport>,
    file_error: String,
    errors_file: Option<String>,
) -> Result<Response> {
    let ok = report.as_ref().map(|r| r.errors.is_empty()).unwrap_or(true) && file_error.is_empty();
    let mut res = render(&ImportPage {
        l: Layout::new(ctx, "批量导入党员", "/members/import").crumb("党员管理", "").crumb("批量导入", ""),
        report,
        file_error,
        errors_file,
        max_mb: state.import_limits.max_file_bytes / (1024 * 1024),
        max_rows: state.import_limits.max_rows,
    })?;
    if !ok {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub(crate) async fn import_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    import_page_of(&state, &ctx, None, String::new())
}

/// Parses and imports one uploaded file: all rows or none.
pub(crate) async fn run_import(state: &AppState, ctx: &Ctx, bytes: &[u8], file_name: &str) -> Result<ImportReport> {
    let scope = ctx.member_scope(state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let limits = *state.import_limits;
    let who = ctx.who();
    Ok(store_member::import_file(&state.store, &scope.writer()?, &who, bytes.to_vec(), file_name, limits, &mut |_| {})
        .await?)
}

pub(crate) async fn import_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    mut multipart: Multipart,
) -> Result<Response> {
    let mut file: Option<(String, Bytes)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload.xlsx").to_string();
            let limit = state.import_limits.max_file_bytes;
            let data =
                field.bytes().await.map_err(|_| AppError::TooLarge(format!("文件超过{}MB", limit / 1024 / 1024)))?;
            if data.len() > limit {
                return import_page_of(
                    &state,
                    &ctx,
                    None,
                    format!("文件超过{}MB，请拆分后分批导入", limit / 1024 / 1024),
                );
            }
            file = Some((name, data));
        }
    }
    let Some((name, data)) = file else {
        return import_page_of(&state, &ctx, None, "请选择要上传的 .xlsx 文件".into());
    };
    if data.is_empty() {
        return import_page_of(&state, &ctx, None, "上传的文件是空的".into());
    }
    match run_import(&state, &ctx, &data, &name).await {
        Ok(report) if !report.errors.is_empty() => {
            // The roster back with its problems marked, to correct in place.
            let limits = *state.import_limits;
            let errors = report.errors.clone();
            let annotated =
                tokio::task::spawn_blocking(move || crate::xlsx::annotate_errors(&data, &limits, &errors)).await;
            let link = match annotated {
                Ok(Ok(bytes)) => {
                    let token = state.import_error_files.keep(
                        ctx.actor()?.user_id,
                        crate::xlsx::annotated_file_name(&name),
                        bytes,
                    );
                    Some(format!("/members/import/errors/{token}"))
                }
                _ => None,
            };
            import_page_with(&state, &ctx, Some(report), String::new(), link)
        }
        Ok(report) => import_page_of(&state, &ctx, Some(report), String::new()),
        Err(AppError::BadRequest(m)) | Err(AppError::TooLarge(m)) => import_page_of(&state, &ctx, None, m),
        Err(e) => Err(e),
    }
}

/// The uploaded roster with its problems marked (for its uploader, for an hour).
pub(crate) async fn errors_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response> {
    let user = ctx.actor()?.user_id;
    let Some((name, bytes)) = state.import_error_files.get(user, &token) else {
        return Err(AppError::NotFound);
    };
    crate::layout::download(&state, &ctx, "import_errors", "", &name, crate::layout::XLSX, bytes).await
}
