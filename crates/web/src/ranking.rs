//! 排队抓尾 pages and API: the province-wide ranking of branches with filters,
//! and each branch's score explained down to the records behind it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_core::ranking::MoveFilter;
use xianfeng_core::text::today_cn;
use xianfeng_store::ranking::{self as store_rank, Explanation, RankFilter, Ranking};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::layout::{Layout, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new().route("/ranking", get(ranking_page)).route("/ranking/{org_id}", get(explain_page))
}

pub fn api() -> Router<AppState> {
    Router::new().route("/ranking", get(api_ranking)).route("/ranking/{org_id}", get(api_explain))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RankQ {
    year: String,
    org_id: String,
    tail: String,
    name: String,
    moved: String,
}

impl RankQ {
    fn year(&self) -> Result<i32> {
        crate::form::year_or(&self.year, today_cn().year())
    }
    fn filter(&self) -> Result<RankFilter> {
        Ok(RankFilter {
            org_id: match self.org_id.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| AppError::BadRequest("org_id应为数字".into()))?),
            },
            tail_only: matches!(self.tail.as_str(), "1" | "true"),
            name: self.name.clone(),
            moved: match self.moved.trim() {
                "" => None,
                s => {
                    Some(MoveFilter::parse(s).ok_or_else(|| {
                        AppError::BadRequest("升降筛选应为 up、down、into_tail 或 out_of_tail".into())
                    })?)
                }
            },
        })
    }
}

#[derive(Template)]
#[template(path = "ranking.html")]
struct RankingPage {
    l: Layout,
    r: Ranking,
    q: RankQ,
    weights: String,
    moves: [MoveFilter; 4],
}

fn weights_text(r: &xianfeng_core::ranking::RankingRules) -> String {
    let parts: Vec<String> = r
        .indicators
        .iter()
        .map(|i| format!("{}{}分（{:.0}%满分）", i.source.label(), i.weight, i.target * 100.0))
        .collect();
    format!("{}；末位：排名后{}%或得分低于{}分", parts.join("，"), r.tail_percent, r.tail_below)
}

async fn ranking_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RankQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let r = store_rank::ranking(&state.store, &scope, q.year()?, &q.filter()?).await?;
    render(&RankingPage {
        l: Layout::new(&ctx, format!("排队抓尾 — {}年", r.year), "/ranking").crumb("排队抓尾", ""),
        weights: weights_text(&r.rules),
        moves: MoveFilter::ALL,
        r,
        q,
    })
}

async fn api_ranking(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RankQ>) -> Result<Json<Ranking>> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    Ok(Json(store_rank::ranking(&state.store, &scope, q.year()?, &q.filter()?).await?))
}

#[derive(Template)]
#[template(path = "ranking_branch.html")]
struct ExplainPage {
    l: Layout,
    e: Explanation,
    org_id: i64,
    year: i32,
    total: String,
}

async fn explain_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Query(q): Query<RankQ>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let year = q.year()?;
    let e = store_rank::explain(&state.store, &scope, org_id, year).await?;
    let total = format!("{:.2}", e.score.score);
    render(&ExplainPage {
        l: Layout::new(&ctx, format!("{} — {}年得分", e.name, year), "/ranking")
            .crumb("排队抓尾", format!("/ranking?year={year}"))
            .crumb(e.name.clone(), ""),
        e,
        org_id,
        year,
        total,
    })
}

async fn api_explain(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Query(q): Query<RankQ>,
) -> Result<Json<Explanation>> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    Ok(Json(store_rank::explain(&state.store, &scope, org_id, q.year()?).await?))
}
