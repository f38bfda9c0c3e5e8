//! Discipline cases (纪检监察) pages and API, for discipline staff only:
//! the case register with filters, recording a case (linked to the member
//! record when the person is a party member), one case, and the statistics by
//! year, category and cadre rank.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_core::FieldError;
use xianfeng_core::auth::DisciplineScope;
use xianfeng_core::discipline::{CadreRank, CaseInput, CaseKind, Category, StatsTable, stats_table};
use xianfeng_core::key::Key;
use xianfeng_core::member::parse_date;
use xianfeng_core::text::today_cn;
use xianfeng_store::StoreError;
use xianfeng_store::discipline::{self as store_d, Candidate, CaseFilter, CaseRow, StatRow};

use crate::AppState;
use crate::error::Result;
use crate::form::{Errors, Paging, opt_num};
use crate::layout::{Layout, Pager, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/discipline", get(list_page))
        .route("/discipline/new", get(new_page).post(new_submit))
        .route("/discipline/stats", get(stats_page))
        .route("/discipline/{committee_id}/{id}", get(detail_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/discipline-cases", get(api_list).post(api_create))
        .route("/discipline-cases/{committee_id}/{id}", get(api_get))
        .route("/discipline-stats", get(api_stats))
}

fn scope(ctx: &Ctx) -> Result<DisciplineScope> {
    Ok(ctx.actor()?.discipline_scope()?)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    year: String,
    category: String,
    unit_id: String,
    name: String,
    ok: String,
}

impl ListQ {
    fn filter(&self) -> Result<CaseFilter> {
        Ok(CaseFilter {
            year: if self.year.trim().is_empty() { None } else { Some(crate::form::year_or(&self.year, 0)?) },
            category: self.category.trim().to_string(),
            unit_id: opt_num(&self.unit_id),
            name: self.name.clone(),
        })
    }
    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> =
            [("year", &self.year), ("category", &self.category), ("unit_id", &self.unit_id), ("name", &self.name)]
                .into_iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k, v.trim()))
                .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

fn categories() -> Vec<(&'static str, &'static str)> {
    Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect()
}

#[derive(Template)]
#[template(path = "discipline.html")]
struct ListPage {
    l: Layout,
    q: ListQ,
    items: Vec<CaseRow>,
    pager: Pager,
    units: Vec<(i64, String)>,
    categories: Vec<(&'static str, &'static str)>,
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQ>,
    Query(p): Query<Paging>,
) -> Result<Response> {
    let scope = scope(&ctx)?;
    let (page, per_page) = p.get(20, 200)?;
    let (items, total) = store_d::list(&state.store, &scope, &q.filter()?, page, per_page).await?;
    let units = if scope.orgs().committee_id().is_none() { store_d::orgs(&state.store, &scope).await? } else { vec![] };
    render(&ListPage {
        l: Layout::new(&ctx, "纪检案件登记", "/discipline").crumb("纪检案件登记", "").flash(if q.ok == "created" {
            "案件已登记"
        } else {
            ""
        }),
        pager: Pager::new(page, per_page, total, q.query_string()),
        q,
        items,
        units,
        categories: categories(),
    })
}

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQ>,
    Query(p): Query<Paging>,
) -> Result<Json<serde_json::Value>> {
    let scope = scope(&ctx)?;
    let (page, per_page) = p.get(20, 200)?;
    let (items, total) = store_d::list(&state.store, &scope, &q.filter()?, page, per_page).await?;
    Ok(Json(serde_json::json!({ "items": items, "total": total, "page": page, "per_page": per_page })))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CaseForm {
    person_name: String,
    member_id: String,
    org_id: String,
    cadre_rank: String,
    kind: String,
    decided_on: String,
    decided_by: String,
    document_no: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "discipline_new.html")]
struct NewPage {
    l: Layout,
    form: CaseForm,
    errors: Errors,
    orgs: Vec<(String, String)>,
    ranks: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    candidates: Vec<Candidate>,
}

async fn new_view(state: &AppState, ctx: &Ctx, form: CaseForm, errors: Errors) -> Result<Response> {
    let scope = scope(ctx)?;
    let orgs = store_d::orgs(&state.store, &scope).await?.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
    // Several members of that name: the form offers them to choose from.
    let candidates = match (errors.has("member_id"), opt_num::<i64>(&form.org_id)) {
        (true, Some(org)) => store_d::candidates(&state.store, &scope, org, &form.person_name).await?,
        _ => Vec::new(),
    };
    render(&NewPage {
        l: Layout::new(ctx, "登记纪检案件", "/discipline").crumb("纪检案件登记", "/discipline").crumb("登记", ""),
        form,
        errors,
        orgs,
        ranks: CadreRank::ALL.iter().map(|r| (r.as_str().to_string(), r.label().to_string())).collect(),
        kinds: CaseKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), format!("{}（{}）", k.label(), k.category().label())))
            .collect(),
        candidates,
    })
}

async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    new_view(&state, &ctx, CaseForm::default(), Errors::default()).await
}

async fn new_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<CaseForm>) -> Result<Response> {
    let scope = scope(&ctx)?;
    let decided_on = parse_date(&f.decided_on);
    if decided_on.is_none() && !f.decided_on.trim().is_empty() {
        let e = FieldError::new("decided_on", "决定日期请按 2025-07-01 的格式填写");
        return new_view(&state, &ctx, f, Errors(vec![e])).await;
    }
    let input = CaseInput {
        person_name: f.person_name.clone(),
        member_id: opt_num(&f.member_id),
        org_id: opt_num(&f.org_id),
        cadre_rank: f.cadre_rank.clone(),
        kind: f.kind.clone(),
        decided_on,
        decided_by: f.decided_by.clone(),
        document_no: f.document_no.clone(),
        summary: f.summary.clone(),
    };
    match store_d::create(&state.store, &scope, &ctx.who(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/discipline/{}/{}?ok=created", c.committee_id, c.id)).into_response()),
        Err(StoreError::Invalid(errs)) => new_view(&state, &ctx, f, Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(b): Json<CaseInput>) -> Result<Response> {
    let scope = scope(&ctx)?;
    let c = store_d::create(&state.store, &scope, &ctx.who(), &b).await?;
    Ok((axum::http::StatusCode::CREATED, Json(c)).into_response())
}

#[derive(Template)]
#[template(path = "discipline_case.html")]
struct DetailPage {
    l: Layout,
    c: CaseRow,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OkQ {
    ok: String,
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((committee_id, id)): Path<(i64, i64)>,
    Query(q): Query<OkQ>,
) -> Result<Response> {
    let scope = scope(&ctx)?;
    let c = store_d::get(&state.store, &scope, &ctx.who(), Key::new(committee_id, id)).await?;
    render(&DetailPage {
        l: Layout::new(&ctx, format!("纪检案件 — {}", c.person_name), "/discipline")
            .crumb("纪检案件登记", "/discipline")
            .crumb(c.person_name.clone(), "")
            .flash(if q.ok == "created" { "案件已登记" } else { "" }),
        c,
    })
}

async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((committee_id, id)): Path<(i64, i64)>,
) -> Result<Json<CaseRow>> {
    let scope = scope(&ctx)?;
    Ok(Json(store_d::get(&state.store, &scope, &ctx.who(), Key::new(committee_id, id)).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatsQ {
    from: String,
    to: String,
}

impl StatsQ {
    /// Default: the last five years up to this one.
    fn years(&self) -> Result<(i32, i32)> {
        let this = today_cn().year();
        let to = crate::form::year_or(&self.to, this)?;
        let from = crate::form::year_or(&self.from, to - 4)?;
        if from > to {
            return Err(crate::error::AppError::BadRequest("起始年份不能晚于截止年份".into()));
        }
        Ok((from, to))
    }
}

#[derive(Template)]
#[template(path = "discipline_stats.html")]
struct StatsPage {
    l: Layout,
    from: i32,
    to: i32,
    t: StatsTable,
}

async fn stats_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<StatsQ>) -> Result<Response> {
    let scope = scope(&ctx)?;
    let (from, to) = q.years()?;
    let rows = store_d::stats(&state.store, &scope, from, to).await?;
    let t = stats_table(rows.iter().map(|r| (r.year as i32, r.category, r.cadre_rank, r.cases)), from, to);
    render(&StatsPage {
        l: Layout::new(&ctx, "纪检统计", "/discipline/stats").crumb("纪检统计", ""), from, to, t
    })
}

async fn api_stats(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StatsQ>,
    Query(p): Query<Paging>,
) -> Result<Json<serde_json::Value>> {
    let scope = scope(&ctx)?;
    let (from, to) = q.years()?;
    let items: Vec<StatRow> = store_d::stats(&state.store, &scope, from, to).await?;
    let page = crate::form::page_of(items, &p)?;
    Ok(Json(
        serde_json::json!({ "from": from, "to": to, "items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page }),
    ))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "discipline",
        pages,
        api,
        menu: &[
            MenuEntry::new(
                Section::Discipline,
                10,
                "案件登记",
                "/discipline",
                Audience::Roles(&[Role::DisciplineStaff]),
            ),
            MenuEntry::new(
                Section::Discipline,
                20,
                "纪检统计",
                "/discipline/stats",
                Audience::Roles(&[Role::DisciplineStaff]),
            ),
        ],
        operations: &[
            (
                "get",
                "/discipline-cases",
                "discipline",
                "纪检案件（仅纪检专员；year、category=party_sanction/government_sanction/handling、unit_id、name、page、per_page）",
                "",
                200,
                "Page<DisciplineCaseRow>",
            ),
            (
                "post",
                "/discipline-cases",
                "discipline",
                "登记纪检案件（仅纪检专员）",
                "DisciplineCase",
                201,
                "DisciplineCaseRow",
            ),
            (
                "get",
                "/discipline-cases/{committee_id}/{id}",
                "discipline",
                "一件纪检案件（仅纪检专员）",
                "",
                200,
                "DisciplineCaseRow",
            ),
            (
                "get",
                "/discipline-stats",
                "discipline",
                "纪检统计：按年度、类别、职级的人数（仅纪检专员；from、to）",
                "",
                200,
                "DisciplineStats",
            ),
        ],
    }
};
