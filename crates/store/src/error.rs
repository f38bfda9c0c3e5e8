//! The store layer's one error type.

use xianfeng_core::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    /// Not found, or outside the caller's scope (the two are indistinguishable on purpose).
    #[error("记录不存在")]
    NotFound,
    #[error("无权进行此操作")]
    Forbidden,
    #[error("输入有误")]
    Invalid(Vec<FieldError>),
    /// A business rule refused the change; the message says why.
    #[error("{0}")]
    Rule(String),
    /// The record changed since it was read (optimistic concurrency).
    #[error("记录已被他人修改，请刷新后重试")]
    Stale,
    #[error("{0}")]
    Crypto(String),
    #[error("配置错误：{0}")]
    Config(String),
    /// A stored value the program cannot read (an unknown state code): a
    /// defect or tampering, never silently a default.
    #[error("数据无法读取：{0}")]
    Unreadable(String),
    /// An uploaded file refused as a whole (too large, not a workbook, no header …).
    #[error("{0}")]
    File(#[from] crate::xlsx::XlsxError),
    /// A worker of a long operation stopped unexpectedly (for the log).
    #[error("内部错误：{0}")]
    Internal(String),
}

impl From<xianfeng_core::states::UnknownState> for StoreError {
    fn from(e: xianfeng_core::states::UnknownState) -> Self {
        StoreError::Unreadable(e.to_string())
    }
}

impl From<xianfeng_core::Error> for StoreError {
    fn from(e: xianfeng_core::Error) -> Self {
        use xianfeng_core::Error as E;
        match e {
            E::Invalid(v) => StoreError::Invalid(v),
            E::Forbidden => StoreError::Forbidden,
            E::Rule(m) => StoreError::Rule(m),
            E::Crypto(m) => StoreError::Crypto(m),
        }
    }
}

impl StoreError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![FieldError::new(field, message)])
    }
}
