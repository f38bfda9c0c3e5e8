//! The web layer's one error type. Every handler returns `Result<_, AppError>`;
//! API routes answer {"error": {"code", "message"}}, page routes an HTML page
//! (see `pages_errors`), both with the right status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use xianfeng_core::FieldError;
use xianfeng_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("请先登录")]
    Unauthenticated,
    #[error("{0}")]
    Credentials(String),
    #[error("请先修改密码")]
    PasswordChange,
    #[error("无权进行此操作")]
    Forbidden,
    #[error("页面或记录不存在")]
    NotFound,
    #[error("输入有误")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Rule(String),
    #[error("记录已被他人修改，请刷新后重试")]
    Stale,
    #[error("{0}")]
    BadRequest(String),
    #[error("安全校验失败（CSRF），请刷新页面后重试")]
    Csrf,
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Throttled(String),
    #[error("不支持该请求方法")]
    MethodNotAllowed,
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A request body the handler could not read (wrong type, missing field).
    #[error("{0}")]
    Unprocessable(String),
    #[error("服务器内部错误，请稍后重试")]
    Internal(String),
}

/// The error as carried to the response layer.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::Credentials(_) => StatusCode::UNAUTHORIZED,
            AppError::PasswordChange | AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) | AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Rule(_) | AppError::Stale => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Credentials(_) => "invalid_credentials",
            AppError::PasswordChange => "password_change_required",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::Rule(_) => "rule",
            AppError::Stale => "stale",
            AppError::BadRequest(_) => "bad_request",
            AppError::Csrf => "csrf",
            AppError::TooLarge(_) => "too_large",
            AppError::Throttled(_) => "throttled",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Unprocessable(_) => "invalid",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (message, fields) = match self {
            AppError::Invalid(f) => (f.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；"), f.clone()),
            other => (other.to_string(), Vec::new()),
        };
        ErrorBody { code: self.code(), message, fields }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Invalid(v) => AppError::Invalid(v),
            StoreError::Rule(m) => AppError::Rule(m),
            StoreError::Stale => AppError::Stale,
            StoreError::Config(m) => AppError::BadRequest(m),
            StoreError::Crypto(m) => AppError::Internal(m),
            StoreError::Unreadable(m) | StoreError::Internal(m) => AppError::Internal(m),
            StoreError::File(e) => match e.kind() {
                xianfeng_store::xlsx::FileRefusal::TooLarge => AppError::TooLarge(e.to_string()),
                xianfeng_store::xlsx::FileRefusal::Fixable => AppError::Unprocessable(e.to_string()),
                xianfeng_store::xlsx::FileRefusal::Fault => AppError::Internal(format!("{e:?}")),
            },
            StoreError::Db(e) => AppError::Internal(e.to_string()),
        }
    }
}

impl From<xianfeng_core::Error> for AppError {
    fn from(e: xianfeng_core::Error) -> Self {
        AppError::from(StoreError::from(e))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("模板渲染失败：{e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let body = self.body();
        let mut res = (self.status(), Json(serde_json::json!({ "error": body.clone() }))).into_response();
        res.extensions_mut().insert(body);
        res
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
