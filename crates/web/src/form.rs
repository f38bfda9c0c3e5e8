//! Form helpers: field errors for templates, option lists, query parsing.

use serde::Deserialize;
use xianfeng_core::FieldError;

/// Field errors as templates need them.
#[derive(Debug, Default, Clone)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }
    pub fn get(&self, field: &str) -> String {
        self.0.iter().filter(|e| e.field == field).map(|e| e.message.as_str()).collect::<Vec<_>>().join("；")
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Errors of fields not shown on the form.
    pub fn others(&self, shown: &[&str]) -> Vec<String> {
        self.0.iter().filter(|e| !shown.contains(&e.field.as_str())).map(|e| e.message.clone()).collect()
    }
}

/// (value, label) options from a list of labels used as values.
pub fn options(labels: &[&str]) -> Vec<(String, String)> {
    labels.iter().map(|l| (l.to_string(), l.to_string())).collect()
}

/// Paging parameters shared by lists.
#[derive(Debug, Clone, Deserialize)]
pub struct Paging {
    #[serde(default = "one")]
    pub page: i64,
    #[serde(default = "twenty")]
    pub per_page: i64,
}

fn one() -> i64 {
    1
}
fn twenty() -> i64 {
    20
}

impl Paging {
    pub fn clamp(&self) -> (i64, i64) {
        (self.page.max(1), self.per_page.clamp(1, 200))
    }
}

/// Parses an optional number typed into a form ("" means none).
pub fn opt_num<T: std::str::FromStr>(s: &str) -> Option<T> {
    let s = s.trim();
    if s.is_empty() { None } else { s.parse().ok() }
}

/// A CSRF token field, for forms that deserialize into structs.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// The messages of field errors as one Chinese sentence (for a page's alert).
pub fn messages(errs: Vec<FieldError>) -> String {
    errs.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；")
}

/// A year typed in a query ("" = `default`), 2000–2100.
pub fn year_or(s: &str, default: i32) -> crate::error::Result<i32> {
    match s.trim() {
        "" => Ok(default),
        y => y
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| crate::error::AppError::BadRequest("年份无效".into())),
    }
}
