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

/// Paging parameters shared by lists, as typed (checked by [`paging`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Paging {
    pub page: String,
    pub per_page: String,
}

impl Paging {
    /// The page of a JSON API list: 50 rows unless asked, at most 200.
    pub fn api(&self) -> crate::error::Result<(i64, i64)> {
        self.get(API_PER_PAGE, API_MAX_PER_PAGE)
    }

    pub fn get(&self, default_per_page: i64, max_per_page: i64) -> crate::error::Result<(i64, i64)> {
        paging(&self.page, &self.per_page, default_per_page, max_per_page)
    }
}

/// Rows on a page of a JSON API list, unless `per_page` asks otherwise.
pub const API_PER_PAGE: i64 = 50;
/// The most rows a JSON API list answers at once.
pub const API_MAX_PER_PAGE: i64 = 200;

/// One page of a list the store returns whole because it is small by nature
/// (a unit's plans, the rule versions, one member's history), answered like
/// every other list: `{items, total, page, per_page}`.
pub fn page_of<T>(items: Vec<T>, paging: &Paging) -> crate::error::Result<xianfeng_store::Page<T>> {
    let (page, per_page) = paging.api()?;
    let total = items.len() as i64;
    let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
    let items = items.into_iter().skip(skip).take(per_page as usize).collect();
    Ok(xianfeng_store::Page { items, total, page, per_page })
}

/// The highest page number a list accepts.
pub const MAX_PAGE: i64 = 100_000;

/// Checks `page` and `per_page` as typed ("" means the first page and the
/// list's default size). Anything else — 0, negative, not a number, a page
/// past 100,000, more rows than the list allows — is refused with 400, never
/// coerced. Full-width digits are read as digits.
pub fn paging(
    page: &str,
    per_page: &str,
    default_per_page: i64,
    max_per_page: i64,
) -> crate::error::Result<(i64, i64)> {
    use crate::error::AppError;
    let read = |s: &str| -> Option<Option<i64>> {
        let s = xianfeng_core::text::to_halfwidth(s);
        let s = s.trim();
        if s.is_empty() {
            return Some(None);
        }
        if s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().map(Some)
    };
    let page = match read(page) {
        Some(None) => 1,
        Some(Some(p)) if (1..=MAX_PAGE).contains(&p) => p,
        _ => return Err(AppError::BadRequest(format!("页码应为1至{MAX_PAGE}之间的整数"))),
    };
    let per_page = match read(per_page) {
        Some(None) => default_per_page,
        Some(Some(n)) if (1..=max_per_page).contains(&n) => n,
        _ => return Err(AppError::BadRequest(format!("每页条数应为1至{max_per_page}之间的整数"))),
    };
    Ok((page, per_page))
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

/// The version a page showed, from its hidden `version` field: a change names
/// the version its author saw, or it is refused (the store answers a stale
/// one with 409). `what` names the record in the message, e.g. "会议".
pub fn form_version(raw: &str, what: &str) -> Result<i64, FieldError> {
    xianfeng_core::text::to_halfwidth(raw.trim())
        .parse::<i64>()
        .map_err(|_| FieldError::new("version", format!("缺少{what}的版本号，请刷新页面后重试")))
}

/// The version an API client read, which every change names.
pub fn api_version(v: Option<i64>, what: &str) -> Result<i64, FieldError> {
    v.ok_or_else(|| FieldError::new("version", format!("缺少{what}的版本号（version）")))
}

/// A date field's value for a native date picker: "" or the date as
/// 2026-12-21 however it was typed (2026/12/21, 20261221, full-width digits).
/// None when it is no date at all: the field then shows the text as typed,
/// beside its error, instead of a picker that would drop it.
pub fn date_picker_value(typed: &str) -> Option<String> {
    if typed.trim().is_empty() {
        return Some(String::new());
    }
    xianfeng_core::member::parse_date(typed).map(|d| d.to_string())
}

#[cfg(test)]
mod date_tests {
    use super::date_picker_value;

    #[test]
    fn a_date_field_keeps_what_was_typed() {
        assert_eq!(date_picker_value("20261221").as_deref(), Some("2026-12-21"));
        assert_eq!(date_picker_value("2026/12/21").as_deref(), Some("2026-12-21"));
        assert_eq!(date_picker_value("２０２６-１２-２１").as_deref(), Some("2026-12-21"));
        assert_eq!(date_picker_value(" ").as_deref(), Some(""));
        assert_eq!(date_picker_value("2026-13-45"), None, "not a date: shown as typed");
    }
}
