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
use crate::layout::{Layout, Pager, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/ranking", get(ranking_page))
        .route("/ranking/export.xlsx", get(export))
        .route("/ranking/{org_id}", get(explain_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/ranking", get(api_ranking))
        .route("/ranking/export.xlsx", get(export))
        .route("/ranking/{org_id}", get(api_explain))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RankQ {
    year: String,
    org_id: String,
    tail: String,
    name: String,
    moved: String,
    page: String,
    per_page: String,
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
    /// The filters as a query string, for the export link.
    query: String,
    /// This page of the branches the filters select, and its pager.
    rows: Vec<store_rank::RankRow>,
    pager: Pager,
}

async fn ranking_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RankQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let mut r = store_rank::ranking(&state.store, &scope, q.year()?, &q.filter()?).await?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 100, 500)?;
    let total = r.rows.len() as i64;
    let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
    let rows: Vec<_> = std::mem::take(&mut r.rows).into_iter().skip(skip).take(per_page as usize).collect();
    let base = serde_urlencoded::to_string([
        ("year", r.year.to_string().as_str()),
        ("org_id", q.org_id.as_str()),
        ("name", q.name.as_str()),
        ("tail", q.tail.as_str()),
        ("moved", q.moved.as_str()),
        ("per_page", per_page.to_string().as_str()),
    ])
    .unwrap_or_default();
    render(&RankingPage {
        rows,
        pager: Pager::new(page, per_page, total, base),
        l: Layout::new(&ctx, format!("排队抓尾 — {}年", r.year), "/ranking").crumb("排队抓尾", ""),
        weights: r.rules.in_words(),
        moves: MoveFilter::ALL,
        query: serde_urlencoded::to_string([
            ("year", r.year.to_string().as_str()),
            ("org_id", q.org_id.as_str()),
            ("name", q.name.as_str()),
            ("tail", q.tail.as_str()),
            ("moved", q.moved.as_str()),
        ])
        .unwrap_or_default(),
        r,
        q,
    })
}

/// The ranking as a paged list (`items` are the ranked branches, in rank
/// order) with the year's figures and the rules beside it.
async fn api_ranking(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RankQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let mut r: Ranking = store_rank::ranking(&state.store, &scope, q.year()?, &q.filter()?).await?;
    let page = crate::form::page_of(std::mem::take(&mut r.rows), &p)?;
    let mut v = serde_json::to_value(&r).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(m) = v.as_object_mut() {
        m.remove("rows");
        m.insert("items".into(), serde_json::to_value(&page.items).map_err(|e| AppError::Internal(e.to_string()))?);
        m.insert("total".into(), page.total.into());
        m.insert("page".into(), page.page.into());
        m.insert("per_page".into(), page.per_page.into());
    }
    Ok(Json(v))
}

/// The ranking as filtered on the page, as .xlsx (for the committee's
/// meetings and reports): one sheet, the same rows and columns as the table.
async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RankQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let r = store_rank::ranking(&state.store, &scope, q.year()?, &q.filter()?).await?;
    let scope_name = ctx.actor()?.org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let mut filters = Vec::new();
    if !q.name.trim().is_empty() {
        filters.push(format!("名称含“{}”", q.name.trim()));
    }
    if let Some(m) = MoveFilter::parse(&q.moved) {
        filters.push(m.label().to_string());
    }
    if matches!(q.tail.as_str(), "1" | "true") {
        filters.push("只看末位".into());
    }
    if !q.org_id.trim().is_empty() {
        filters.push(format!("组织编号 {}", q.org_id.trim()));
    }
    let bytes = ranking_workbook(&r, &scope_name, &filters.join("，"), &r.rules.in_words())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = crate::xlsx::safe_file_name(&format!(
        "排队抓尾_{}年_{scope_name}_{}.xlsx",
        r.year,
        today_cn().format("%Y%m%d")
    ));
    crate::layout::download(&state, &ctx, "ranking_export", r.year, &name, crate::layout::XLSX, bytes).await
}

fn ranking_workbook(
    r: &Ranking,
    scope_name: &str,
    filters: &str,
    weights: &str,
) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Workbook;
    const COLUMNS: [(&str, f64); 15] = [
        ("全省名次", 9.0),
        ("并列", 7.0),
        ("较上年", 9.0),
        ("上年名次", 9.0),
        ("单位内名次", 10.0),
        ("党支部", 28.0),
        ("单位", 24.0),
        ("得分", 9.0),
        ("组织生活落实率", 12.0),
        ("出勤率", 9.0),
        ("党费按月交纳率", 12.0),
        ("发展党员按期办理率", 14.0),
        ("第一议题任务落实率", 14.0),
        ("末位", 7.0),
        ("上年末位", 9.0),
    ];
    let f = crate::xlsx::TableFormats::default();
    let score = f.num.clone().set_num_format("0.00");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("排队抓尾")?;
    let scope = scope_name.trim();
    let heading = if scope.is_empty() {
        format!("{}年度党支部排队抓尾", r.year)
    } else {
        format!("{}年度党支部排队抓尾 — {scope}", r.year)
    };
    let filters = if filters.trim().is_empty() { "无" } else { filters };
    let info = [
        format!(
            "截至 {}\u{3000}全省参与排名 {} 个，末位 {} 个\u{3000}本表 {} 个\u{3000}筛选：{filters}",
            r.as_of,
            r.ranked,
            r.tail,
            r.rows.len()
        ),
        format!("指标：{weights}"),
    ];
    let header = crate::xlsx::table_top(ws, &f, &heading, &info, &COLUMNS)?;
    let yes = |b: bool| if b { "末位" } else { "" };
    for (i, x) in r.rows.iter().enumerate() {
        let row = header + 1 + i as u32;
        ws.write_number_with_format(row, 0, f64::from(x.rank), &f.num)?;
        let tied = if x.tied > 1 { format!("{}个", x.tied) } else { String::new() };
        ws.write_string_with_format(row, 1, tied, &f.num)?;
        ws.write_string_with_format(row, 2, x.movement.label(), &f.num)?;
        match x.prev_rank {
            Some(p) => ws.write_number_with_format(row, 3, f64::from(p), &f.num)?,
            None => ws.write_string_with_format(row, 3, "", &f.num)?,
        };
        ws.write_number_with_format(row, 4, f64::from(x.unit_rank), &f.num)?;
        ws.write_string_with_format(row, 5, &x.name, &f.cell)?;
        ws.write_string_with_format(row, 6, &x.unit_name, &f.cell)?;
        ws.write_number_with_format(row, 7, x.score, &score)?;
        for (c, source) in ["meeting", "attendance", "dues", "recruitment", "tasks"].iter().enumerate() {
            ws.write_string_with_format(row, 8 + c as u16, x.rate(source), &f.num)?;
        }
        ws.write_string_with_format(row, 13, yes(x.tail), &f.cell)?;
        ws.write_string_with_format(row, 14, yes(x.prev_tail == Some(true)), &f.cell)?;
    }
    crate::xlsx::table_print(ws, header, r.rows.len(), (COLUMNS.len() - 1) as u16, 0)?;
    wb.save_to_buffer()
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

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "ranking",
        pages,
        api,
        menu: &[MenuEntry::new(Section::Evaluation, 10, "排队抓尾", "/ranking", STAFF)],
        operations: &[
            (
                "get",
                "/ranking",
                "ranking",
                "排队抓尾：全省党支部排名（year、org_id、tail=1、name、moved=up/down/into_tail/out_of_tail；名次为全省名次，tied 为并列该名次的党支部数；prev_rank、prev_tail、prev_score、movement 为较上年，得分未变为 same）",
                "",
                200,
                "Ranking",
            ),
            (
                "get",
                "/ranking/export.xlsx",
                "ranking",
                "排队抓尾排名表 .xlsx（与 /ranking 相同的筛选）",
                "",
                200,
                "Xlsx",
            ),
            (
                "get",
                "/ranking/{org_id}",
                "ranking",
                "一个党支部的得分构成（各指标分子、分母、比率、有效权重、得分）与历年排名",
                "",
                200,
                "RankingDetail",
            ),
        ],
    }
};
