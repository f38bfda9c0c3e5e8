//! Campaign pages and API (评选): the list, a new campaign, one campaign's
//! applications, panel scoring, results under quotas with the tie rule,
//! publicity and objections, naming; and the honors register with revocation.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_core::auth::Role;
use xianfeng_core::campaign::{CampaignState, Criterion, Eligibility, Honor, ObjectionState, Subject, TIE_RULE, Tier};
use xianfeng_core::member::parse_date;
use xianfeng_core::text::today_cn;
use xianfeng_store::StoreError;
use xianfeng_store::campaign::{
    self as camp, ApplicationRow, CampaignInput, CampaignRow, HonorRow, ObjectionRow, ResultRow,
};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::layout::{Layout, render};
use crate::session::Ctx;

mod actions;
mod detail;
mod honors;

pub(crate) use self::actions::*;
pub(crate) use self::detail::*;
pub(crate) use self::honors::*;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list_page).post(create_submit))
        .route("/campaigns/{id}", get(detail_page))
        .route("/campaigns/{id}/notice.docx", get(notice_docx))
        .route("/campaigns/{id}/{action}", post(action_submit))
        .route("/honors", get(honors_page))
        .route("/honors/{committee_id}/{id}/revoke", post(revoke_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(api_list).post(api_create))
        .route("/campaigns/{id}", get(api_get))
        .route("/campaigns/{id}/notice.docx", get(notice_docx))
        .route("/campaigns/{id}/{action}", post(api_action))
        .route("/honors", get(api_honors))
        .route("/honors/{committee_id}/{id}/revoke", post(api_revoke))
}

pub(crate) fn flash(code: &str) -> &'static str {
    match code {
        "created" => "评选已建立",
        "applied" => "已申报",
        "closed" => "已截止申报，进入评审",
        "reviewers" => "评审组已设置",
        "scored" => "评分已保存",
        "published" => "结果已公示",
        "objected" => "异议已提交",
        "objection" => "异议已办结",
        "named" => "已命名",
        "revoked" => "已摘牌",
        _ => "",
    }
}

pub(crate) fn is_committee(ctx: &Ctx) -> bool {
    ctx.actor().is_ok_and(|a| a.role == Role::CommitteeAdmin)
}

// ----- list and create -----

#[derive(Template)]
#[template(path = "campaigns.html")]
pub(crate) struct ListPage {
    pub(crate) l: Layout,
    pub(crate) items: Vec<CampaignRow>,
    pub(crate) pager: crate::layout::Pager,
    pub(crate) committee: bool,
    pub(crate) honors: Vec<(&'static str, &'static str)>,
    pub(crate) message: String,
    pub(crate) year: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OkQ {
    pub(crate) ok: String,
    pub(crate) page: String,
}

/// Campaigns on a page of the list.
const CAMPAIGNS_PER_PAGE: i64 = 20;

pub(crate) async fn list_view(state: &AppState, ctx: &Ctx, q: &OkQ, message: String) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (items, pager) = crate::layout::Pager::slice(
        camp::list(&state.store, &scope).await?,
        &q.page,
        CAMPAIGNS_PER_PAGE,
        String::new(),
    )?;
    let ok = q.ok.as_str();
    render(&ListPage {
        l: Layout::new(ctx, "评选表彰", "/campaigns").crumb("评选表彰", "").flash(flash(ok)),
        items,
        pager,
        committee: is_committee(ctx),
        honors: Honor::ALL.iter().map(|h| (h.as_str(), h.label())).collect(),
        message,
        year: today_cn().year(),
    })
}

pub(crate) async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OkQ>) -> Result<Response> {
    list_view(&state, &ctx, &q, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CreateForm {
    /// "none": no eligibility conditions; otherwise the honor's defaults.
    pub(crate) conditions: String,
    /// One criterion per line: 名称｜分值｜评分细则 (empty: the honor's).
    pub(crate) criteria: String,
    pub(crate) honor: String,
    pub(crate) year: String,
    pub(crate) title: String,
    pub(crate) apply_until: String,
    pub(crate) tier0: String,
    pub(crate) quota0: String,
    pub(crate) tier1: String,
    pub(crate) quota1: String,
}

/// Criteria typed one per line as 名称｜分值｜评分细则 (| or ｜); none typed: the honor's.
pub(crate) fn parse_criteria(text: &str) -> std::result::Result<Vec<Criterion>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            match parts.as_slice() {
                [name, weight, guide @ ..] if !name.is_empty() => Ok(Criterion {
                    name: name.to_string(),
                    weight: weight.parse().map_err(|_| format!("评选标准第{}行的分值应为整数：{line}", i + 1))?,
                    guide: guide.join("｜"),
                }),
                _ => Err(format!("评选标准第{}行应写作“名称｜分值｜评分细则”：{line}", i + 1)),
            }
        })
        .collect()
}

/// The eligibility chosen on the form: None = the honor's defaults.
pub(crate) fn conditions(choice: &str, honor: &str) -> Option<Vec<String>> {
    let sanction = || Eligibility::NoSanction.as_str().to_string();
    match choice {
        "none" => Some(Vec::new()),
        "no_sanction" => Some(vec![sanction()]),
        "default_no_sanction" => {
            let mut v: Vec<String> = Honor::parse(honor)
                .map(|h| h.default_eligibility().iter().map(|e| e.as_str().to_string()).collect())
                .unwrap_or_default();
            if !v.contains(&sanction()) {
                v.push(sanction());
            }
            Some(v)
        }
        _ => None,
    }
}

pub(crate) async fn create_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CreateForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let mut tiers = Vec::new();
    for (n, q) in [(&f.tier0, &f.quota0), (&f.tier1, &f.quota1)] {
        if !n.trim().is_empty() {
            match q.trim().parse::<u32>() {
                Ok(quota) => tiers.push(Tier { name: n.trim().into(), quota }),
                Err(_) => {
                    return list_view(&state, &ctx, &OkQ::default(), format!("“{}”的名额应为整数", n.trim())).await;
                }
            }
        }
    }
    let criteria = match parse_criteria(&f.criteria) {
        Ok(c) => c,
        Err(m) => return list_view(&state, &ctx, &OkQ::default(), m).await,
    };
    let input = CampaignInput {
        honor: f.honor.clone(),
        year: f.year.trim().parse().unwrap_or_else(|_| today_cn().year()),
        title: f.title.clone(),
        criteria,
        tiers,
        eligibility: conditions(&f.conditions, &f.honor),
        apply_until: parse_date(&f.apply_until),
    };
    match camp::create(&state.store, &scope, &ctx.who(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/campaigns/{}?ok=created", c.id)).into_response()),
        Err(StoreError::Invalid(e)) => list_view(&state, &ctx, &OkQ::default(), crate::form::messages(e)).await,
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<camp::CampaignRow>>> {
    let scope = ctx.org_scope()?;
    let items = camp::list(&state.store, &scope).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

pub(crate) async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(b): Json<CampaignInput>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let c = camp::create(&state.store, &scope, &ctx.who(), &b).await?;
    Ok((axum::http::StatusCode::CREATED, Json(c)).into_response())
}

// ----- one campaign -----

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "campaign",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::Evaluation, 30, "评选表彰", "/campaigns", STAFF),
            MenuEntry::new(Section::Evaluation, 40, "荣誉名录", "/honors", STAFF),
        ],
        operations: &[
            ("get", "/campaigns", "campaign", "评选列表", "", 200, "Page<Campaign>"),
            (
                "post",
                "/campaigns",
                "campaign",
                "新建评选（工委；honor、year、apply_until，标准与等次默认按荣誉）",
                "CampaignInput",
                201,
                "Campaign",
            ),
            (
                "get",
                "/campaigns/{id}",
                "campaign",
                "评选、结果（得分、名次、等次、同分说明）与同分规则",
                "",
                200,
                "CampaignDetail",
            ),
            (
                "get",
                "/campaigns/{id}/notice.docx",
                "campaign",
                "拟命名对象公示文件 .docx（公示后，工委）",
                "",
                200,
                "Docx",
            ),
            (
                "post",
                "/campaigns/{id}/{action}",
                "campaign",
                "评选操作 action=apply（subject_id、points、evidence）/close（version）/reviewers（reviewers）/score（committee_id、application_id、points）/publish（notice_from、notice_to、version）/object（committee_id、application_id、text）/objection（committee_id、objection_id、upheld、finding）/name（version）",
                "CampaignAction",
                200,
                "Done",
            ),
            (
                "get",
                "/honors",
                "campaign",
                "荣誉名录（范围内；year、honor、unit_id、name：获得者名称中的字、page、per_page）",
                "",
                200,
                "Page<Honor>",
            ),
            ("post", "/honors/{committee_id}/{id}/revoke", "campaign", "摘牌（reason）", "Revoke", 200, "Ok"),
        ],
    }
};
