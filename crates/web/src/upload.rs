//! Receiving an uploaded file, once for every area that takes attachments
//! (meetings, recruitment materials and every later area). The limit and the
//! content sniffing are core's; storing is the area's store operation.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

use crate::AppState;
use crate::error::{AppError, Result};

fn too_large() -> AppError {
    let limit = xianfeng_core::attachment::MAX_BYTES;
    AppError::TooLarge(format!("附件不能超过{}MB", limit / 1024 / 1024))
}

/// Reads the "file" field of a multipart upload (size-limited while reading).
/// `None` when the form has no file field.
pub async fn file_field(mut multipart: Multipart) -> Result<Option<(String, Vec<u8>)>> {
    let limit = xianfeng_core::attachment::MAX_BYTES;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("附件").to_string();
            let data = field.bytes().await.map_err(|_| too_large())?;
            if data.len() > limit {
                return Err(too_large());
            }
            return Ok(Some((name, data.to_vec())));
        }
    }
    Ok(None)
}

/// An API upload: the multipart field "file", or the raw request body named by
/// `name` (the query's ?name=FILE; "附件" when empty).
pub async fn file_from_request(state: &AppState, req: Request, name: &str) -> Result<(String, Vec<u8>)> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mp = Multipart::from_request(req, state).await.map_err(|e| AppError::BadRequest(e.body_text()))?;
        return file_field(mp).await?.ok_or_else(|| AppError::Unprocessable("缺少文件字段 file".into()));
    }
    let limit = xianfeng_core::attachment::MAX_BYTES;
    let body = axum::body::to_bytes(req.into_body(), limit + 1).await.map_err(|_| too_large())?;
    let name = if name.trim().is_empty() { "附件".to_string() } else { name.to_string() };
    Ok((name, body.to_vec()))
}
