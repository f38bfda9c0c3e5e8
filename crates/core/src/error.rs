//! The core layer's one error type.

use serde::Serialize;

/// A validation problem on one named field, with a Chinese message for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The identifier of the field (form input name / JSON key).
    pub field: String,
    /// A Chinese message that names the field and says what is wrong.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input failed validation; every problem is listed.
    #[error("输入有误：{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<FieldError>),
    /// The caller's role may not do this at all.
    #[error("无权进行此操作")]
    Forbidden,
    /// A rule forbids this step (the message says which rule).
    #[error("{0}")]
    Rule(String),
    /// Encryption or key problems.
    #[error("加密处理失败：{0}")]
    Crypto(String),
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, message)])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
