//! Secretaries' annual review pages and API (书记抓党建述职评议).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_core::auth::Role;
use xianfeng_core::key::Key;
use xianfeng_core::text::today_cn;
use xianfeng_store::StoreError;
use xianfeng_store::secretary_review::{self as sr, Rating, ReportMode, ReportResult, ReviewRow, ReviewState};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::layout::{Layout, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/secretary-reviews", get(list_page).post(open_submit))
        .route("/secretary-reviews/{id}", get(detail_page))
        .route("/secretary-reviews/{id}/{action}", post(action_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/secretary-reviews", get(api_list).post(api_open))
        .route("/secretary-reviews/{id}", get(api_get))
        .route("/secretary-reviews/{id}/{action}", post(api_action))
}

fn flash(code: &str) -> &'static str {
    match code {
        "opened" => "述职评议已开始",
        "submitted" => "述职报告已提交",
        "rated" => "测评已保存",
        "closed" => "述职评议已结束",
        _ => "",
    }
}

fn is_committee(ctx: &Ctx) -> bool {
    ctx.actor().is_ok_and(|a| a.role == Role::CommitteeAdmin)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OkQ {
    ok: String,
    page: String,
}

/// Reviews on a page of the list.
const REVIEWS_PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "secretary_reviews.html")]
struct ListPage {
    l: Layout,
    items: Vec<ReviewRow>,
    pager: crate::layout::Pager,
    committee: bool,
    year: i32,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OkQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let (items, pager) =
        crate::layout::Pager::slice(sr::list(&state.store, &scope).await?, &q.page, REVIEWS_PER_PAGE, String::new())?;
    render(&ListPage {
        l: Layout::new(&ctx, "书记述职评议", "/secretary-reviews").crumb("书记述职评议", "").flash(flash(&q.ok)),
        items,
        pager,
        committee: is_committee(&ctx),
        year: today_cn().year() - 1,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OpenForm {
    year: String,
}

async fn open_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<OpenForm>) -> Result<Response> {
    let year = f.year.trim().parse().map_err(|_| AppError::BadRequest("年度无效".into()))?;
    let r = sr::open(&state.store, &ctx.org_scope()?, &ctx.who(), year).await?;
    Ok(Redirect::to(&format!("/secretary-reviews/{}?ok=opened", r.id)).into_response())
}

#[derive(Template)]
#[template(path = "secretary_review.html")]
struct DetailPage {
    l: Layout,
    r: ReviewRow,
    results: Vec<ReportResult>,
    results_pager: crate::layout::Pager,
    /// The unit whose secretary reports: a picker (a select when few).
    unit: Option<crate::picker::Picker>,
    kept: ActionForm,
    errors: crate::form::Errors,
    committee: bool,
    show_counts: bool,
    ratings: [Rating; 4],
    modes: [ReportMode; 2],
    message: String,
}

/// Reports on a page of a review.
const REPORTS_PER_PAGE: i64 = 50;

async fn detail_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    q: &OkQ,
    message: String,
    kept: ActionForm,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let ok = q.ok.as_str();
    let r = sr::get(&state.store, &scope, id).await?;
    let (results, results_pager) = crate::layout::Pager::slice(
        sr::results(&state.store, &scope, id).await?,
        &q.page,
        REPORTS_PER_PAGE,
        String::new(),
    )?;
    let unit = if r.state == ReviewState::Open {
        use crate::picker::{OrgSource, Picker};
        let p = Picker::new("unit_id", "单位", "单位").required().placeholder("单位名称中的几个字");
        let kinds = [xianfeng_core::org::OrgKind::Unit];
        Some(
            crate::picker::orgs(&state.store, OrgSource::Scope(&scope), &kinds, p, &kept.unit_id, &kept.unit_id_q)
                .await?,
        )
    } else {
        None
    };
    let committee = is_committee(ctx);
    render(&DetailPage {
        l: Layout::new(ctx, r.title.clone(), "/secretary-reviews")
            .crumb("书记述职评议", "/secretary-reviews")
            .crumb(r.title.clone(), "")
            .flash(flash(ok)),
        show_counts: committee || r.state == ReviewState::Closed,
        r,
        results,
        results_pager,
        unit,
        kept,
        errors: Default::default(),
        committee,
        ratings: Rating::ALL,
        modes: ReportMode::ALL,
        message,
    })
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQ>,
) -> Result<Response> {
    detail_view(&state, &ctx, id, &q, String::new(), ActionForm::default()).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ActionForm {
    unit_id: String,
    /// What was typed into the unit picker's search.
    unit_id_q: String,
    secretary: String,
    mode: String,
    report: String,
    committee_id: String,
    report_id: String,
    rating: String,
}

async fn run(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    action: &str,
    f: &ActionForm,
) -> std::result::Result<&'static str, StoreError> {
    let scope = ctx.org_scope().map_err(|_| StoreError::Forbidden)?;
    let who = ctx.who();
    let num = |s: &str, field: &str| s.trim().parse::<i64>().map_err(|_| StoreError::invalid(field, "编号无效"));
    match action {
        "reports" => {
            sr::submit(
                &state.store,
                &scope.writer()?,
                &who,
                id,
                num(&f.unit_id, "unit_id")?,
                &f.secretary,
                &f.mode,
                &f.report,
            )
            .await?;
            Ok("submitted")
        }
        "ratings" => {
            if !scope.can_write() {
                return Err(StoreError::Forbidden);
            }
            let me = ctx.actor().map_err(|_| StoreError::Forbidden)?.myself();
            sr::rate(
                &state.store,
                &who,
                &me,
                id,
                Key::new(num(&f.committee_id, "committee_id")?, num(&f.report_id, "report_id")?),
                &f.rating,
            )
            .await?;
            Ok("rated")
        }
        "close" => {
            sr::close(&state.store, &scope, &who, id).await?;
            Ok("closed")
        }
        _ => Err(StoreError::NotFound),
    }
}

async fn action_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Result<Response> {
    let none = OkQ::default();
    if action == "reports" && crate::picker::searching(&[&f.unit_id_q]) {
        return detail_view(&state, &ctx, id, &none, String::new(), f).await;
    }
    match run(&state, &ctx, id, &action, &f).await {
        Ok(code) => Ok(Redirect::to(&format!("/secretary-reviews/{id}?ok={code}")).into_response()),
        Err(StoreError::Rule(m)) => detail_view(&state, &ctx, id, &none, m, f).await,
        Err(StoreError::Invalid(e)) => detail_view(&state, &ctx, id, &none, crate::form::messages(e), f).await,
        Err(e) => Err(e.into()),
    }
}

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<xianfeng_store::secretary_review::ReviewRow>>> {
    let scope = ctx.org_scope()?;
    let items = sr::list(&state.store, &scope).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

async fn api_open(State(state): State<AppState>, ctx: Ctx, Json(b): Json<serde_json::Value>) -> Result<Response> {
    let year = b["year"].as_i64().ok_or_else(|| AppError::Unprocessable("缺少 year".into()))? as i32;
    let r = sr::open(&state.store, &ctx.org_scope()?, &ctx.who(), year).await?;
    Ok((axum::http::StatusCode::CREATED, Json(r)).into_response())
}

async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let r = sr::get(&state.store, &scope, id).await?;
    let mut results = sr::results(&state.store, &scope, id).await?;
    if !(is_committee(&ctx) || r.state == ReviewState::Closed) {
        for x in &mut results {
            x.counts = [0; 4];
            x.total = 0;
        }
    }
    Ok(Json(serde_json::json!({ "review": r, "reports": results })))
}

async fn api_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Json(b): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>> {
    let t = |k: &str| match &b[k] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        v => v.to_string(),
    };
    let f = ActionForm {
        unit_id: t("unit_id"),
        secretary: t("secretary"),
        mode: t("mode"),
        report: t("report"),
        committee_id: t("committee_id"),
        report_id: t("report_id"),
        rating: t("rating"),
        unit_id_q: String::new(),
    };
    let code = run(&state, &ctx, id, &action, &f).await?;
    Ok(Json(serde_json::json!({ "ok": true, "done": code })))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "secretary_review",
        pages,
        api,
        menu: &[MenuEntry::new(Section::Evaluation, 50, "书记述职评议", "/secretary-reviews", STAFF)],
        operations: &[
            ("get", "/secretary-reviews", "campaign", "书记述职评议列表", "", 200, "Page<SecretaryReview>"),
            (
                "post",
                "/secretary-reviews",
                "campaign",
                "开始一年的述职评议（工委；year）",
                "SecretaryReviewOpen",
                201,
                "SecretaryReview",
            ),
            (
                "get",
                "/secretary-reviews/{id}",
                "campaign",
                "述职报告与测评结果（工委随时可见，其他人评议结束后可见）",
                "",
                200,
                "SecretaryReviewDetail",
            ),
            (
                "post",
                "/secretary-reviews/{id}/{action}",
                "campaign",
                "action=reports（unit_id、secretary、mode=written/in_person、report）/ratings（committee_id、report_id、rating=good/fairly_good/average/poor）/close",
                "SecretaryReviewAction",
                200,
                "Done",
            ),
        ],
    }
};
