//! Rectification board (整改台账) pages and API: tail branches without a plan,
//! plans in progress, waiting for verification and lifted; each plan's entries.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use xianfeng_core::FieldError;
use xianfeng_core::member::parse_date;
use xianfeng_core::text::today_cn;
use xianfeng_store::StoreError;
use xianfeng_store::ranking::{RankFilter, RankRow};
use xianfeng_store::rectification::{self as store_rect, Detail, PlanInput, Rectification, RectificationState, Step};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::Errors;
use crate::layout::{Layout, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/rectifications", get(board_page))
        .route("/rectifications/export.xlsx", get(export))
        .route("/rectifications/new", get(new_page).post(new_submit))
        .route("/rectifications/{id}", get(detail_page))
        .route("/rectifications/{id}/steps", post(step_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/rectifications", get(api_list).post(api_open))
        .route("/rectifications/export.xlsx", get(export))
        .route("/rectifications/{id}", get(api_get))
        .route("/rectifications/{id}/steps", post(api_step))
}

fn flash(code: &str) -> &'static str {
    match code {
        "opened" => "整改方案已建立",
        "progress" => "已记录整改进展",
        "submit" => "已申请验收",
        "lift" => "已验收销号",
        "return" => "已退回继续整改",
        _ => "",
    }
}

/// The ranking year a board shows: last year (a full year of records) unless given.
fn year_of(s: &str) -> Result<i32> {
    crate::form::year_or(s, today_cn().year() - 1)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct BoardQ {
    year: String,
    state: String,
    /// Only branches under this unit or branch (the picker's value).
    org_id: String,
    /// The org picker's search text.
    org_id_q: String,
    /// Part of the branch's or its unit's name.
    name: String,
    ok: String,
    page: String,
    per_page: String,
}

impl BoardQ {
    fn filter(&self, year: Option<i32>) -> Result<store_rect::Filter> {
        Ok(store_rect::Filter {
            year,
            state: self.state.clone(),
            org_id: match self.org_id.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| AppError::BadRequest("org_id应为数字".into()))?),
            },
            name: self.name.clone(),
        })
    }
}

/// Tail branches without a plan shown on the board; the rest are on the
/// ranking's tail list, which the board links to with their number.
const WITHOUT_PLAN_SHOWN: usize = 20;

#[derive(Template)]
#[template(path = "rectifications.html")]
struct BoardPage {
    l: Layout,
    year: i32,
    q: BoardQ,
    items: Vec<Rectification>,
    /// The first tail branches without a plan, and how many there are.
    without_plan: Vec<RankRow>,
    without_plan_total: usize,
    today: NaiveDate,
    counts: store_rect::Counts,
    org: crate::picker::Picker,
    pager: crate::layout::Pager,
    errors: Errors,
    export_query: String,
}

async fn board_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BoardQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let year = year_of(&q.year)?;
    let mut f = q.filter(Some(year))?;
    let org =
        crate::picker::list_filter(&state.store, &scope, "单位或党支部", &q.org_id, &q.org_id_q, &mut f.org_id).await?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 500)?;
    let found = store_rect::list(&state.store, &scope, &f, page, per_page).await?;
    // The counts are over every state, whatever the table shows.
    let counts =
        store_rect::counts(&state.store, &scope, &store_rect::Filter { state: String::new(), ..f.clone() }, today_cn())
            .await?;
    let tail = xianfeng_store::ranking::ranking(
        &state.store,
        &scope,
        year,
        &RankFilter { tail_only: true, org_id: f.org_id, name: f.name.clone(), ..Default::default() },
    )
    .await?;
    let planned = store_rect::planned_org_ids(&state.store, &scope, year).await?;
    let without: Vec<RankRow> = tail.rows.into_iter().filter(|t| !planned.contains(&t.org_id)).collect();
    let without_plan_total = without.len();
    let base = serde_urlencoded::to_string([
        ("year", year.to_string().as_str()),
        ("state", q.state.as_str()),
        ("org_id", org.value()),
        ("name", q.name.as_str()),
        ("per_page", per_page.to_string().as_str()),
    ])
    .unwrap_or_default();
    render(&BoardPage {
        l: Layout::new(&ctx, format!("整改台账 — {year}年排队抓尾"), "/rectifications")
            .crumb("整改台账", "")
            .flash(flash(&q.ok)),
        year,
        counts,
        export_query: base.clone(),
        pager: crate::layout::Pager::new(page, per_page, found.total, base),
        items: found.items,
        without_plan: without.into_iter().take(WITHOUT_PLAN_SHOWN).collect(),
        without_plan_total,
        org,
        q,
        today: today_cn(),
        errors: Errors::default(),
    })
}

/// 整改台账 for a year as .xlsx: every plan the board's filter selects, with
/// its problems, measures, owner, deadline, state and the day it was lifted.
async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BoardQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let year = year_of(&q.year)?;
    let items =
        store_rect::list(&state.store, &scope, &q.filter(Some(year))?, 1, xianfeng_store::EVERY_ROW).await?.items;
    let scope_name = ctx.actor()?.org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let bytes = board_workbook(&items, year, &scope_name, today_cn()).map_err(|e| AppError::Internal(e.to_string()))?;
    let name =
        crate::xlsx::safe_file_name(&format!("整改台账_{year}年_{scope_name}_{}.xlsx", today_cn().format("%Y%m%d")));
    crate::layout::download(&state, &ctx, "rectification_ledger", year, &name, crate::layout::XLSX, bytes).await
}

fn board_workbook(
    items: &[Rectification],
    year: i32,
    scope_name: &str,
    today: NaiveDate,
) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Workbook;
    const COLUMNS: [(&str, f64); 12] = [
        ("序号", 6.0),
        ("单位", 22.0),
        ("党支部", 24.0),
        ("名次", 7.0),
        ("得分", 8.0),
        ("存在问题", 36.0),
        ("整改措施", 36.0),
        ("责任人", 10.0),
        ("整改时限", 11.0),
        ("状态", 11.0),
        ("销号日期", 11.0),
        ("逾期", 6.0),
    ];
    let f = crate::xlsx::TableFormats::default();
    let in_state = |st: RectificationState| items.iter().filter(|r| r.state == st).count();
    let overdue = items.iter().filter(|r| r.overdue_on(today)).count();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("整改台账")?;
    let scope = scope_name.trim();
    let heading = if scope.is_empty() {
        format!("{year}年排队抓尾整改台账")
    } else {
        format!("{year}年排队抓尾整改台账 — {scope}")
    };
    let info = [format!(
        "数据日期：{today}\u{3000}共 {} 项：整改中 {}，待单位验收 {}，已销号 {}；逾期未销号 {}",
        items.len(),
        in_state(RectificationState::Open),
        in_state(RectificationState::Submitted),
        in_state(RectificationState::Lifted),
        overdue
    )];
    let header = crate::xlsx::table_top(ws, &f, &heading, &info, &COLUMNS)?;
    let (cell, num) = (&f.wrap, &f.num);
    for (i, r) in items.iter().enumerate() {
        let row = header + 1 + i as u32;
        ws.write_number_with_format(row, 0, (i + 1) as f64, num)?;
        ws.write_string_with_format(row, 1, &r.unit_name, cell)?;
        ws.write_string_with_format(row, 2, &r.org_name, cell)?;
        ws.write_number_with_format(row, 3, r.rank_at_flag as f64, num)?;
        ws.write_string_with_format(row, 4, r.score_text(), num)?;
        ws.write_string_with_format(row, 5, &r.problems, cell)?;
        ws.write_string_with_format(row, 6, &r.measures, cell)?;
        ws.write_string_with_format(row, 7, &r.owner, cell)?;
        ws.write_string_with_format(row, 8, r.deadline.to_string(), cell)?;
        ws.write_string_with_format(row, 9, r.state_label(), cell)?;
        ws.write_string_with_format(row, 10, r.lifted_on.map(|d| d.to_string()).unwrap_or_default(), cell)?;
        ws.write_string_with_format(row, 11, if r.overdue_on(today) { "是" } else { "" }, cell)?;
    }
    crate::xlsx::table_print(ws, header, items.len(), (COLUMNS.len() - 1) as u16, 0)?;
    wb.save_to_buffer()
}

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BoardQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<Rectification>>> {
    let scope = ctx.org_scope()?;
    let year = if q.year.trim().is_empty() { None } else { Some(year_of(&q.year)?) };
    let (page, per_page) = p.api()?;
    Ok(Json(store_rect::list(&state.store, &scope, &q.filter(year)?, page, per_page).await?))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewForm {
    org_id: String,
    year: String,
    problems: String,
    measures: String,
    owner: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "rectification_new.html")]
struct NewPage {
    l: Layout,
    form: NewForm,
    errors: Errors,
    branch: String,
}

async fn new_view(state: &AppState, ctx: &Ctx, form: NewForm, errors: Errors) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let id: i64 = form.org_id.trim().parse().map_err(|_| AppError::BadRequest("org_id应为数字".into()))?;
    let org = xianfeng_store::org::get(state.store.db.r(), &scope, id).await?;
    render(&NewPage {
        l: Layout::new(ctx, "制定整改方案", "/rectifications")
            .crumb("整改台账", "/rectifications")
            .crumb("制定整改方案", ""),
        branch: org.name,
        form,
        errors,
    })
}

async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(f): Query<NewForm>) -> Result<Response> {
    new_view(&state, &ctx, f, Errors::default()).await
}

async fn new_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewForm>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let deadline = parse_date(&f.deadline);
    if deadline.is_none() && !f.deadline.trim().is_empty() {
        return new_view(&state, &ctx, f, Errors(vec![FieldError::new("deadline", "请按 2025-07-01 的格式填写日期")]))
            .await;
    }
    let p = PlanInput {
        org_id: f.org_id.trim().parse().map_err(|_| AppError::BadRequest("org_id应为数字".into()))?,
        year: year_of(&f.year)?,
        problems: f.problems.clone(),
        measures: f.measures.clone(),
        owner: f.owner.clone(),
        deadline,
    };
    match store_rect::open(&state.store, &scope.writer()?, &ctx.who(), &p).await {
        Ok(r) => Ok(Redirect::to(&format!("/rectifications/{}?ok=opened", r.id)).into_response()),
        Err(StoreError::Invalid(errs)) => new_view(&state, &ctx, f, Errors(errs)).await,
        Err(StoreError::Rule(m)) => new_view(&state, &ctx, f, Errors(vec![FieldError::new("org", m)])).await,
        Err(e) => Err(e.into()),
    }
}

async fn api_open(State(state): State<AppState>, ctx: Ctx, Json(p): Json<PlanInput>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let r = store_rect::open(&state.store, &scope.writer()?, &ctx.who(), &p).await?;
    Ok((axum::http::StatusCode::CREATED, Json(r)).into_response())
}

#[derive(Template)]
#[template(path = "rectification.html")]
struct DetailPage {
    l: Layout,
    d: Detail,
    message: String,
    today: NaiveDate,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OkQ {
    ok: String,
}

async fn detail_view(state: &AppState, ctx: &Ctx, id: i64, ok: &str, message: String) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let higher = ctx.actor()?.higher_committee();
    let d = store_rect::get(&state.store, &scope, higher.as_ref(), id).await?;
    render(&DetailPage {
        l: Layout::new(ctx, format!("整改 — {}（{}年）", d.r.org_name, d.r.year), "/rectifications")
            .crumb("整改台账", format!("/rectifications?year={}", d.r.year))
            .crumb(d.r.org_name.clone(), "")
            .flash(flash(ok)),
        d,
        message,
        today: today_cn(),
    })
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQ>,
) -> Result<Response> {
    detail_view(&state, &ctx, id, &q.ok, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    version: String,
    step: String,
    note: String,
}

async fn step_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let higher = ctx.actor()?.higher_committee();
    let step = Step::parse(f.step.trim()).ok_or_else(|| AppError::BadRequest("操作无效".into()))?;
    let Ok(version) = f.version.trim().parse::<i64>() else {
        return detail_view(&state, &ctx, id, "", "缺少整改记录的版本号，请刷新页面后重试".into()).await;
    };
    match store_rect::step(
        &state.store,
        &scope.writer()?,
        higher.as_ref(),
        &ctx.who(),
        id,
        step,
        &f.note,
        Some(version),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/rectifications/{id}?ok={}", f.step.trim())).into_response()),
        Err(StoreError::Rule(m)) => detail_view(&state, &ctx, id, "", m).await,
        Err(StoreError::Invalid(errs)) => detail_view(&state, &ctx, id, "", crate::form::messages(errs)).await,
        Err(StoreError::Stale) => {
            detail_view(&state, &ctx, id, "", "该整改记录已被他人更新，请核对后重试".into()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Detail>> {
    let scope = ctx.org_scope()?;
    let higher = ctx.actor()?.higher_committee();
    Ok(Json(store_rect::get(&state.store, &scope, higher.as_ref(), id).await?))
}

#[derive(Deserialize)]
struct StepJson {
    step: Step,
    #[serde(default)]
    note: String,
    /// The version of the plan the step acts on.
    version: i64,
}

async fn api_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<StepJson>,
) -> Result<Json<Detail>> {
    let scope = ctx.org_scope()?;
    let higher = ctx.actor()?.higher_committee();
    Ok(Json(
        store_rect::step(
            &state.store,
            &scope.writer()?,
            higher.as_ref(),
            &ctx.who(),
            id,
            b.step,
            &b.note,
            Some(b.version),
        )
        .await?,
    ))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "rectification",
        pages,
        api,
        menu: &[MenuEntry::new(Section::Evaluation, 20, "整改台账", "/rectifications", STAFF)],
        operations: &[
            (
                "get",
                "/rectifications",
                "ranking",
                "整改台账（year、state=open/submitted/lifted、org_id、name、page、per_page）",
                "",
                200,
                "Page<Rectification>",
            ),
            (
                "get",
                "/rectifications/export.xlsx",
                "ranking",
                "整改台账 .xlsx（year、state、org_id、name：与页面的筛选相同）",
                "",
                200,
                "Xlsx",
            ),
            (
                "post",
                "/rectifications",
                "ranking",
                "为末位党支部建立整改方案（org_id、year、problems、measures、owner、deadline）",
                "RectificationPlan",
                201,
                "Rectification",
            ),
            ("get", "/rectifications/{id}", "ranking", "整改方案及记录", "", 200, "RectificationDetail"),
            (
                "post",
                "/rectifications/{id}/steps",
                "ranking",
                "整改进展、申请验收（党支部）；验收销号或退回（上级单位）",
                "RectificationStep",
                200,
                "RectificationDetail",
            ),
        ],
    }
};
