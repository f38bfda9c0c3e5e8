//! Input checks shared by every route, and the envelope for every refusal.
//!
//! `guard` runs before any handler:
//! - a query string that is not `key=value&…` is refused (400);
//! - a JSON body that is not JSON is refused (400) before a handler sees it;
//! - a control character (NUL, U+0001, …; tab and line breaks allowed) in any
//!   query value, form field or JSON string is refused (422) with the field named;
//! - a handler that panics answers 500 instead of dropping the connection.
//!
//! Afterwards, any error response that did not come from [`AppError`] —
//! axum's own rejections (malformed JSON, wrong types, missing fields, wrong
//! content type, bad path or query values, duplicated fields, body too
//! large, wrong method) — is rewritten: the API answers
//! `{"error": {"code", "message"}}` with a Chinese message and the right
//! status, pages answer the error page.

use std::panic::AssertUnwindSafe;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt as _;
use xianfeng_core::FieldError;
use xianfeng_core::text::control_char;

use crate::error::{AppError, ErrorBody};

/// The largest JSON or form body read whole (uploads are multipart, not this).
pub const MAX_TEXT_BODY: usize = 4 * 1024 * 1024;

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn media_type(req: &Request) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn control_error(field: &str) -> AppError {
    let name = if field.is_empty() { "提交的内容".to_string() } else { format!("“{field}”") };
    AppError::Invalid(vec![FieldError::new(field, format!("{name}含有不可见的控制字符，请删除后重试"))])
}

/// Every string of a JSON value (keys too), with its path, for the first one
/// holding a control character.
fn json_control(v: &serde_json::Value, path: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) => control_char(s).map(|_| path.to_string()),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, x)| json_control(x, &format!("{path}[{i}]")))
        }
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            if control_char(k).is_some() { Some(p) } else { json_control(x, &p) }
        }),
        _ => None,
    }
}

fn pairs_control(pairs: &[(String, String)]) -> Option<String> {
    pairs.iter().find(|(k, v)| control_char(k).is_some() || control_char(v).is_some()).map(|(k, _)| k.clone())
}

/// The checks before the handler; the request comes back whole when it passes.
async fn check(req: Request) -> Result<Request, AppError> {
    if let Some(q) = req.uri().query() {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(q).map_err(|_| AppError::BadRequest("查询参数格式有误".into()))?;
        if let Some(field) = pairs_control(&pairs) {
            return Err(control_error(&field));
        }
    }
    let media = media_type(&req);
    let json = media == "application/json" || media.ends_with("+json");
    let form = media == "application/x-www-form-urlencoded";
    if !json && !form {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, MAX_TEXT_BODY)
        .await
        .map_err(|_| AppError::TooLarge(format!("请求内容过大（不超过{}MB）", MAX_TEXT_BODY / 1024 / 1024)))?;
    if json && !bytes.is_empty() {
        let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            AppError::BadRequest(format!("请求内容不是有效的JSON（第{}行第{}列）", e.line(), e.column()))
        })?;
        if let Some(field) = json_control(&v, "") {
            return Err(control_error(&field));
        }
    }
    if form {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest("表单内容格式有误".into()))?;
        if let Some(field) = pairs_control(&pairs) {
            return Err(control_error(&field));
        }
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The middleware: checks, runs the handler (a panic becomes a 500), and puts
/// every refusal into the envelope or the error page.
pub async fn guard(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let req = match check(req).await {
        Ok(r) => r,
        Err(e) => return respond(api, e),
    };
    let res = match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(res) => res,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            return respond(api, AppError::Internal(format!("处理请求时出错：{what}")));
        }
    };
    if res.status().as_u16() < 400 || res.extensions().get::<ErrorBody>().is_some() {
        return res;
    }
    let content_type =
        res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    // A handler's own answer (an import's row errors as JSON, a page) stays.
    if (api && content_type.starts_with("application/json")) || (!api && content_type.starts_with("text/html")) {
        return res;
    }
    let status = res.status();
    let allow = res.headers().get(header::ALLOW).cloned();
    let text = axum::body::to_bytes(res.into_body(), 64 * 1024).await.unwrap_or_default();
    let err = translate(status, &String::from_utf8_lossy(&text));
    let mut out = respond(api, err);
    *out.status_mut() = status;
    if let Some(a) = allow {
        out.headers_mut().insert(header::ALLOW, a);
    }
    out
}

/// An error as the API's envelope or as a page.
fn respond(api: bool, e: AppError) -> Response {
    if api {
        return e.into_response();
    }
    let body = e.body();
    let title = match body.code {
        "not_found" => "页面不存在",
        "internal" => "系统繁忙",
        _ => "操作未完成",
    };
    if let AppError::Internal(detail) = &e {
        tracing::error!(%detail, "internal error");
    }
    let mut res = crate::error_page(e.status(), title, &body.message);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A rejection of axum's (English plain text) as one of ours, in Chinese.
fn translate(status: StatusCode, text: &str) -> AppError {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMediaType("请求内容类型有误：接口应为 application/json，表单应为表单提交".into())
        }
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge("请求内容过大".into()),
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
        StatusCode::FORBIDDEN => AppError::Forbidden,
        s if s.is_server_error() => AppError::Internal(text.chars().take(300).collect()),
        StatusCode::UNPROCESSABLE_ENTITY => AppError::Unprocessable(format!("请求内容有误：{}", serde_reason(text))),
        // An upload sent as anything but multipart/form-data.
        _ if text.contains("multipart/form-data") => {
            AppError::UnsupportedMediaType("请求内容类型有误：上传文件应为 multipart/form-data（字段 file）".into())
        }
        _ => {
            let lower = text.to_ascii_lowercase();
            let what = if lower.contains("query") {
                "查询参数有误"
            } else if lower.contains("url") || lower.contains("path") {
                "地址中的参数无效"
            } else if lower.contains("json") {
                "请求内容不是有效的JSON"
            } else {
                "请求格式有误"
            };
            let reason = serde_reason(text);
            AppError::BadRequest(if reason == "格式有误" { what.to_string() } else { format!("{what}：{reason}") })
        }
    }
}

/// The field and the reason of a serde message, in Chinese: "name: missing
/// field `x` at line 1 column 2" → "缺少必填字段“x”".
fn serde_reason(text: &str) -> String {
    let msg = text.rsplit_once("target type: ").map(|(_, m)| m).unwrap_or(text);
    let msg = msg.rsplit_once(" at line ").map(|(m, _)| m).unwrap_or(msg);
    let ticked = |m: &str| m.split('`').nth(1).unwrap_or("").to_string();
    // serde_path_to_error puts "path: " before the message.
    let (path, m) = match msg.split_once(": ") {
        Some((p, m)) if !p.contains(' ') && !p.is_empty() && p != "." => (p.to_string(), m),
        _ => (String::new(), msg),
    };
    let at = if path.is_empty() { String::new() } else { format!("字段“{path}”") };
    if m.contains("missing field") {
        format!("缺少必填字段“{}”", ticked(m))
    } else if m.contains("unknown field") {
        format!("不认识的字段“{}”", ticked(m))
    } else if m.contains("duplicate field") {
        format!("字段“{}”重复", ticked(m))
    } else if m.contains("invalid type") {
        let expected = m.rsplit_once("expected ").map(|(_, e)| e).unwrap_or("");
        format!("{at}类型有误（应为{}）", expected_zh(expected))
    } else if m.contains("invalid digit")
        || m.contains("too large")
        || m.contains("too small")
        || m.contains("Cannot parse")
    {
        format!("{at}应为有效的整数")
    } else if m.contains("unknown variant") || m.contains("invalid value") {
        format!("{at}取值无效")
    } else if m.contains("EOF") || m.contains("expected value") {
        "请求内容不完整或不是有效的JSON".to_string()
    } else if !at.is_empty() {
        format!("{at}格式有误")
    } else {
        "格式有误".to_string()
    }
}

fn expected_zh(e: &str) -> &'static str {
    let e = e.to_ascii_lowercase();
    if e.contains("string") {
        "文本"
    } else if e.contains("bool") {
        "true 或 false"
    } else if e.contains("i64") || e.contains("i32") || e.contains("u32") || e.contains("u64") || e.contains("integer")
    {
        "整数"
    } else if e.contains("f64") || e.contains("number") {
        "数字"
    } else if e.contains("sequence") || e.contains("vec") {
        "数组"
    } else if e.contains("struct") || e.contains("map") {
        "对象"
    } else {
        "正确的类型"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_in_chinese() {
        let m = "Failed to deserialize the JSON body into the target type: missing field `name` at line 1 column 2";
        assert_eq!(serde_reason(m), "缺少必填字段“name”");
        let m = "Failed to deserialize the JSON body into the target type: version: invalid type: string \"a\", expected i64 at line 1 column 15";
        assert_eq!(serde_reason(m), "字段“version”类型有误（应为整数）");
        assert_eq!(serde_reason("Failed to deserialize query string: duplicate field `page`"), "字段“page”重复");
        assert!(serde_reason("Invalid URL: Cannot parse `abc` to a `i64`").contains("整数"));
        assert_eq!(serde_reason("something else"), "格式有误");
        let e = translate(StatusCode::BAD_REQUEST, "Invalid `boundary` for `multipart/form-data` request");
        assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn control_characters_are_found_with_their_path() {
        let v: serde_json::Value = serde_json::json!({"a": "ok", "b": [{"c": "x\u{1}"}]});
        assert_eq!(json_control(&v, "").as_deref(), Some("b[0].c"));
        let v: serde_json::Value = serde_json::json!({"a": "第一行\n第二行"});
        assert_eq!(json_control(&v, ""), None);
    }
}
