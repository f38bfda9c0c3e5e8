//! Member pages and API: roster with filters, detail, create, edit, status
//! changes, protected-field reveal, Excel import and export, my record.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use xianfeng_core::auth::MemberScope;
use xianfeng_core::member::{self as core_member, MemberInput, MemberStatus};
use xianfeng_core::org::OrgKind;
use xianfeng_store::member::{self as store_member, ImportReport, MemberDetail, MemberFilter, MemberRow, Protected};
use xianfeng_store::org::{self as store_org};
use xianfeng_store::{Page, StoreError};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::{Errors, opt_num, options};
use crate::layout::{Layout, Pager, flash_text, render};
use crate::session::Ctx;

mod api;
mod detail;
pub mod error_files;
mod excel;
mod form;
mod list;

pub(crate) use self::api::*;
pub(crate) use self::detail::*;
pub(crate) use self::excel::*;
pub(crate) use self::form::*;
pub(crate) use self::list::*;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/members", get(list_page))
        .route("/members/new", get(new_page).post(new_submit))
        .route("/members/export.xlsx", get(export))
        .route("/members/import", get(import_page).post(import_submit))
        .route("/members/import/template.xlsx", get(template))
        .route("/members/import/errors/{token}", get(errors_file))
        .route("/members/{id}", get(detail_page))
        .route("/members/{id}/edit", get(edit_page).post(edit_submit))
        .route("/members/{id}/status", post(status_submit))
        .route("/members/{id}/reveal", post(reveal_submit))
        .route("/me", get(me_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/members", get(api_list).post(api_create))
        .route("/members/count", get(api_count))
        .route("/members/export", get(export))
        .route("/members/import", post(api_import))
        .route("/members/import/template", get(template))
        .route("/members/{id}", get(api_get).put(api_update))
        .route("/members/{id}/history", get(api_history))
        .route("/members/{id}/status", post(api_status))
        .route("/members/{id}/reveal", post(api_reveal))
        .route("/me/member", get(api_me_member))
}

/// The list filter as typed into the form (numbers as text, so bad input
/// re-renders with a message instead of a 400).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub name: String,
    pub status: String,
    pub org_id: String,
    /// What was typed into the org filter's search.
    pub org_id_q: String,
    pub min_age: String,
    pub max_age: String,
    pub join_year: String,
    pub gender: String,
    pub ethnicity: String,
    pub sort: String,
    pub order: String,
    pub page: String,
    pub per_page: String,
}

impl ListQuery {
    pub(crate) fn filter(&self) -> std::result::Result<MemberFilter, String> {
        let num = |s: &str, label: &str| -> std::result::Result<Option<i32>, String> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                s.trim().parse::<i32>().map(Some).map_err(|_| format!("{label}应为数字"))
            }
        };
        Ok(MemberFilter {
            name: self.name.clone(),
            status: self.status.clone(),
            org_id: if self.org_id.trim().is_empty() {
                None
            } else {
                Some(self.org_id.trim().parse().map_err(|_| "组织编号应为数字".to_string())?)
            },
            min_age: num(&self.min_age, "最小年龄")?,
            max_age: num(&self.max_age, "最大年龄")?,
            join_year: num(&self.join_year, "入党年份")?,
            gender: self.gender.clone(),
            ethnicity: self.ethnicity.clone(),
            sort: self.sort.clone(),
            order: self.order.clone(),
            without_open_case: false,
        })
    }
    pub(crate) fn paging(&self) -> Result<(i64, i64)> {
        crate::form::paging(&self.page, &self.per_page, 20, 200)
    }
    /// The query string without page (for pager and export links).
    pub(crate) fn base(&self, sort: Option<(&str, &str)>) -> String {
        let (s, o) = sort.unwrap_or((&self.sort, &self.order));
        let pairs = [
            ("name", self.name.as_str()),
            ("status", self.status.as_str()),
            ("org_id", self.org_id.as_str()),
            ("min_age", self.min_age.as_str()),
            ("max_age", self.max_age.as_str()),
            ("join_year", self.join_year.as_str()),
            ("gender", self.gender.as_str()),
            ("ethnicity", self.ethnicity.as_str()),
            ("sort", s),
            ("order", o),
            ("per_page", self.per_page.as_str()),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_urlencoded::to_string(kept).unwrap_or_default()
    }
}

pub(crate) fn status_options(with_all: bool) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if with_all {
        v.push((String::new(), "在册（含发展对象等）".to_string()));
        v.push(("members".into(), "党员（正式+预备）".into()));
    }
    v.extend(MemberStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())));
    if with_all {
        v.push(("inactive".into(), "已转出/去世/出党".into()));
        v.push(("all".into(), "全部".into()));
    }
    v
}

#[derive(Template)]
#[template(path = "members.html")]
pub(crate) struct MembersPage {
    pub(crate) l: Layout,
    pub(crate) f: MemberFilter,
    pub(crate) q: ListQuery,
    pub(crate) org_id: String,
    pub(crate) min_age: String,
    pub(crate) max_age: String,
    pub(crate) join_year: String,
    pub(crate) status_options: Vec<(String, String)>,
    /// The 所在组织 filter (committee and unit administrators).
    pub(crate) org_filter: Option<crate::picker::Picker>,
    pub(crate) errors: crate::form::Errors,
    pub(crate) show_unit: bool,
    pub(crate) genders: Vec<&'static str>,
    pub(crate) under_name: String,
    pub(crate) filter_error: String,
    pub(crate) page: Page<MemberRow>,
    pub(crate) pager: Pager,
    pub(crate) offset: usize,
    pub(crate) query: String,
    pub(crate) can_write: bool,
}

impl MembersPage {
    pub(crate) fn sort_href(&self, key: &str) -> String {
        let order = if self.f.sort == key && self.f.order != "desc" { "desc" } else { "asc" };
        format!("/members?{}", self.q.base(Some((key, order))))
    }
    pub(crate) fn sort_mark(&self, key: &str) -> &'static str {
        let current = if self.f.sort.is_empty() { "org" } else { self.f.sort.as_str() };
        match (current == key, self.f.order == "desc") {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        }
    }
}

pub(crate) async fn scope_name(state: &AppState, scope: &MemberScope, f: &MemberFilter, ctx: &Ctx) -> Result<String> {
    if let (MemberScope::Subtree { org, .. }, Some(id)) = (scope, f.org_id) {
        return Ok(store_org::get(state.store.db.r(), org, id).await?.name);
    }
    Ok(ctx.actor()?.org.as_ref().map(|o| o.name.clone()).unwrap_or_default())
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "member",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::Members, 10, "党员名册", "/members", STAFF),
            MenuEntry::new(Section::Members, 20, "新增党员", "/members/new", STAFF),
            MenuEntry::new(Section::Members, 30, "批量导入", "/members/import", STAFF),
            MenuEntry::new(Section::Mine, 10, "我的档案", "/me", MEMBER),
        ],
        operations: &[
            ("get", "/me/member", "member", "我的党员档案（党员角色）", "", 200, "Member"),
            (
                "get",
                "/members",
                "member",
                "党员检索（姓名、状态、组织、年龄、入党年份；排序、分页）",
                "",
                200,
                "Page<MemberRow>",
            ),
            ("post", "/members", "member", "新增党员", "MemberInput", 201, "Member"),
            ("get", "/members/count", "member", "按条件计数", "", 200, "Count"),
            ("get", "/members/export", "member", "按当前条件导出 .xlsx（脱敏）", "", 200, "Xlsx"),
            (
                "post",
                "/members/import",
                "member",
                "导入 .xlsx（请求体为文件；全部成功或全部不写入）",
                "Xlsx",
                201,
                "ImportResult",
            ),
            ("get", "/members/import/template", "member", "下载导入模板", "", 200, "Xlsx"),
            ("get", "/members/{id}", "member", "党员详情（敏感字段脱敏）", "", 200, "Member"),
            ("put", "/members/{id}", "member", "修改党员（带 version 乐观锁）", "MemberUpdate", 200, "Member"),
            ("get", "/members/{id}/history", "member", "党员变更记录", "", 200, "Page<MemberChange>"),
            (
                "post",
                "/members/{id}/status",
                "member",
                "变更党籍状态（日期、原因；须带 version）",
                "StatusChange",
                200,
                "Member",
            ),
            (
                "post",
                "/members/{id}/reveal",
                "member",
                "查看完整敏感字段（按策略授权，记入审计）",
                "Reveal",
                200,
                "Revealed",
            ),
        ],
    }
};
