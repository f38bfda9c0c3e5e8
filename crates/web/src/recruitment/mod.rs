//! Recruitment (发展党员) pages and API: the pipeline dashboard, the case list,
//! opening a case for an applicant, a case's 25 steps with the next step's
//! form (refusals name the rule and the first possible date), the higher
//! committee's approval and send-back, documents, and yearly plans.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use xianfeng_core::FieldError;
use xianfeng_core::member::{MemberStatus, parse_date};
use xianfeng_core::recruitment::{self as core_rec, Action, CaseStanding, Event, Needs, Outcome, StepData, Votes};
use xianfeng_core::text::today_cn;
use xianfeng_store::StoreError;
use xianfeng_store::member::MemberFilter;
use xianfeng_store::recruitment::{self as store_rec, CaseDetail, CaseFilter, CaseRow, Pipeline, PlanRow};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::{Errors, opt_num};
use crate::layout::{Layout, fmt_ms, render};
use crate::session::Ctx;

mod case;
mod cases;
mod documents;
mod plans;

pub(crate) use self::case::*;
pub(crate) use self::cases::*;
pub(crate) use self::documents::*;
pub(crate) use self::plans::*;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/recruitment", get(pipeline_page))
        .route("/recruitment/cases", get(cases_page))
        .route("/recruitment/new", get(new_page).post(new_submit))
        .route("/recruitment/cases/{id}", get(case_page))
        .route("/recruitment/cases/{id}/steps", post(step_submit))
        .route("/recruitment/cases/{id}/documents", post(document_upload))
        .route("/recruitment/cases/{id}/documents/{doc}", get(document_download))
        .route("/recruitment/plans", get(plans_page).post(plan_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/recruitment/pipeline", get(api_pipeline))
        .route("/recruitment/cases", get(api_cases).post(api_start))
        .route("/recruitment/cases/{id}", get(api_case))
        .route("/recruitment/cases/{id}/events", post(api_event))
        .route("/recruitment/cases/{id}/documents", post(api_document_upload))
        .route("/recruitment/cases/{id}/documents/{doc}", get(document_download))
        .route("/recruitment/plans", get(api_plans).put(api_set_plan))
        .route("/recruitment/steps", get(api_steps))
}

pub(crate) fn flash(code: &str) -> &'static str {
    match code {
        "started" => "发展党员档案已建立",
        "done" => "已办理",
        "submitted" => "已报上级党委",
        "approved" => "已审批通过",
        "returned" => "已打回",
        "uploaded" => "材料已上传",
        "plan" => "发展计划已保存",
        _ => "",
    }
}

pub(crate) fn year_of(s: &str) -> Result<i32> {
    crate::form::year_or(s, today_cn().year())
}

// ----- pipeline -----

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct YearQ {
    pub(crate) year: String,
    pub(crate) ok: String,
    /// On the plans page: units whose name contains this, and the page.
    pub(crate) name: String,
    pub(crate) page: String,
}

#[derive(Template)]
#[template(path = "recruitment.html")]
pub(crate) struct PipelinePage {
    pub(crate) l: Layout,
    pub(crate) p: Pipeline,
    pub(crate) overdue: Vec<CaseRow>,
    pub(crate) soon: Vec<CaseRow>,
    pub(crate) warn_days: i64,
    pub(crate) can_plan: bool,
}

pub(crate) async fn pipeline_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let ms = ctx.member_scope(&state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    let p = store_rec::pipeline(&state.store, &scope, year_of(&q.year)?).await?;
    let overdue =
        store_rec::cases(&state.store, &ms, &CaseFilter { overdue: true, ..Default::default() }, 1, 50).await?.items;
    let soon =
        store_rec::cases(&state.store, &ms, &CaseFilter { due_soon: true, ..Default::default() }, 1, 50).await?.items;
    let rules: core_rec::RecruitmentRules = state.store.rule().await?;
    render(&PipelinePage {
        l: Layout::new(&ctx, format!("发展党员 — {}年", p.year), "/recruitment").crumb("发展党员", ""),
        p,
        overdue,
        soon,
        warn_days: rules.warn_days,
        can_plan: ctx.actor()?.higher_committee().is_some(),
    })
}

pub(crate) async fn api_pipeline(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    if !ctx.member_scope(&state).await?.can_write() {
        return Err(AppError::Forbidden);
    }
    let all: Pipeline = store_rec::pipeline(&state.store, &scope, year_of(&q.year)?).await?;
    let page = crate::form::page_of(all.rows, &p)?;
    Ok(Json(serde_json::json!({
        "year": all.year, "sum": all.total,
        "items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page,
    })))
}

// ----- case list -----

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "recruitment",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::Recruitment, 10, "发展党员总览", "/recruitment", STAFF),
            MenuEntry::new(Section::Recruitment, 20, "发展党员名册", "/recruitment/cases", STAFF),
            MenuEntry::new(Section::Recruitment, 30, "建立发展档案", "/recruitment/new", STAFF),
            MenuEntry::new(Section::Recruitment, 40, "年度发展计划", "/recruitment/plans", COMMITTEE_AND_UNITS),
        ],
        operations: &[
            (
                "get",
                "/recruitment/steps",
                "recruitment",
                "发展党员的5个阶段25个步骤及各步骤需填写的内容",
                "",
                200,
                "Page<RecruitmentStep>",
            ),
            (
                "get",
                "/recruitment/pipeline",
                "recruitment",
                "发展党员总览：各单位各阶段人数、本年接收与计划、到期与逾期（year）",
                "",
                200,
                "Pipeline",
            ),
            (
                "get",
                "/recruitment/cases",
                "recruitment",
                "发展党员档案（org_id、status、state=open/completed/closed/all、overdue=1、due_soon=1、name）",
                "",
                200,
                "Page<RecruitmentCase>",
            ),
            (
                "post",
                "/recruitment/cases",
                "recruitment",
                "为入党申请人建立发展档案（第1步：递交入党申请书）",
                "RecruitmentStart",
                201,
                "RecruitmentCase",
            ),
            (
                "get",
                "/recruitment/cases/{id}",
                "recruitment",
                "发展档案：各步骤、办理记录、材料、下一步最早可办日期与期限",
                "",
                200,
                "RecruitmentCaseDetail",
            ),
            (
                "post",
                "/recruitment/cases/{id}/events",
                "recruitment",
                "办理、报批、审批或打回一个步骤（过早办理时以 rule 错误说明依据和最早日期）",
                "RecruitmentEvent",
                201,
                "RecruitmentCaseDetail",
            ),
            (
                "post",
                "/recruitment/cases/{id}/documents",
                "recruitment",
                "上传步骤材料（multipart 字段 file；?step=N）",
                "Multipart",
                201,
                "RecruitmentDocument",
            ),
            ("get", "/recruitment/cases/{id}/documents/{doc}", "recruitment", "下载材料", "", 200, "File"),
            (
                "get",
                "/recruitment/plans",
                "recruitment",
                "各单位年度发展计划（year）",
                "",
                200,
                "Page<RecruitmentPlanRow>",
            ),
            (
                "put",
                "/recruitment/plans",
                "recruitment",
                "设置单位年度发展计划",
                "RecruitmentPlan",
                200,
                "RecruitmentPlanRow",
            ),
        ],
    }
};
