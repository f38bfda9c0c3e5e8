//! Compliance of organizational life (组织生活落实情况): the province-to-branch
//! view with drill-down, the meetings missing, and what is due next.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_core::compliance::{DueItem, Period};
use xianfeng_core::org::OrgKind;
use xianfeng_core::text::today_cn;
use xianfeng_store::compliance::{self as store_compliance, MissingRow};
use xianfeng_store::meeting as store_meeting;
use xianfeng_store::org::{self as store_org, OrgRow};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::layout::{Layout, render};
use crate::meeting::kinds_today;
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new().route("/compliance", get(compliance_page)).route("/compliance/missing", get(missing_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/compliance", get(api_compliance))
        .route("/compliance/missing", get(api_missing))
        .route("/compliance/due", get(api_due))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ComplianceQ {
    org_id: String,
    year: String,
    /// "" for the year, "q1".."q4" or "m1".."m12".
    period: String,
    by: String,
    kind: String,
}

/// The missing meetings' own filter and page, beside [`ComplianceQ`].
#[derive(Deserialize, Default)]
#[serde(default)]
struct MissingQ {
    /// Part of the org's name.
    name: String,
    page: String,
    per_page: String,
}

/// The missing meetings whose org's name contains `name`.
fn named(rows: Vec<MissingRow>, name: &str) -> Vec<MissingRow> {
    let name = name.trim();
    if name.is_empty() { rows } else { rows.into_iter().filter(|r| r.org_name.contains(name)).collect() }
}

async fn compliance_args(state: &AppState, ctx: &Ctx, q: &ComplianceQ) -> Result<(OrgRow, Period)> {
    let scope = ctx.org_scope()?;
    let org = match q.org_id.trim().parse::<i64>() {
        Ok(id) => store_org::get(state.store.db.r(), &scope, id).await?,
        Err(_) if q.org_id.trim().is_empty() => {
            let a = ctx.actor()?.org.as_ref().ok_or(AppError::Forbidden)?;
            store_org::get(state.store.db.r(), &scope, a.id).await?
        }
        Err(_) => return Err(AppError::BadRequest("org_id应为数字".into())),
    };
    let this_year = today_cn().year();
    let year = match q.year.trim() {
        "" => this_year,
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=this_year + 1).contains(y))
            .ok_or_else(|| AppError::BadRequest(format!("年度应为2000至{}之间的数字", this_year + 1)))?,
    };
    let period = Period::parse(year, &q.period)
        .ok_or_else(|| AppError::BadRequest("period 应为空（全年）、q1–q4（季度）或 m1–m12（月份）".into()))?;
    Ok((org, period))
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    l: Layout,
    v: store_compliance::View,
    years: Vec<i32>,
    periods: Vec<(String, String)>,
    can_by_district: bool,
    by: String,
}

async fn compliance_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ComplianceQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (org, period) = compliance_args(&state, &ctx, &q).await?;
    let year = period.year;
    let v = store_compliance::view(&state.store, &scope, org.id, period, q.by == "district").await?;
    let lineage = store_org::lineage(state.store.db.r(), &scope, &org).await?;
    let this_year = today_cn().year();
    let mut l =
        Layout::new(&ctx, format!("组织生活落实情况 — {}", org.name), "/compliance").crumb("组织生活", "/meetings");
    for o in &lineage {
        l = l.crumb(
            o.name.clone(),
            if o.id == org.id { String::new() } else { format!("/compliance?org_id={}&year={year}", o.id) },
        );
    }
    render(&CompliancePage {
        l,
        years: (this_year - 5..=this_year).rev().collect(),
        periods: period_options(),
        can_by_district: org.kind() == OrgKind::WorkingCommittee,
        by: q.by.clone(),
        v,
    })
}

/// The period choices of the compliance page: the year, its quarters and months.
fn period_options() -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "全年".to_string())];
    out.extend((1..=4).map(|q| (format!("q{q}"), format!("第{q}季度"))));
    out.extend((1..=12).map(|m| (format!("m{m}"), format!("{m}月"))));
    out
}

#[derive(Template)]
#[template(path = "compliance_missing.html")]
struct MissingPage {
    l: Layout,
    org: OrgRow,
    period_label: String,
    kind_label: String,
    rows: Vec<MissingRow>,
    /// The page's first row's number.
    first: usize,
    q: ComplianceQ,
    name: String,
    pager: crate::layout::Pager,
}

async fn missing_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ComplianceQ>,
    Query(mq): Query<MissingQ>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (org, period) = compliance_args(&state, &ctx, &q).await?;
    let year = period.year;
    // Computed from the tallies kept per org (no meeting is read), then paged.
    let rows = named(store_compliance::missing(&state.store, &scope, org.id, period, q.kind.trim()).await?, &mq.name);
    let (page, per_page) = crate::form::paging(&mq.page, &mq.per_page, 50, 500)?;
    let total = rows.len();
    let first = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let rows: Vec<MissingRow> =
        rows.into_iter().skip(first).take(usize::try_from(per_page).unwrap_or(usize::MAX)).collect();
    let kinds = kinds_today(&state).await?;
    let base = serde_urlencoded::to_string([
        ("org_id", org.id.to_string().as_str()),
        ("year", year.to_string().as_str()),
        ("period", period.code().as_str()),
        ("kind", q.kind.trim()),
        ("name", mq.name.trim()),
        ("per_page", per_page.to_string().as_str()),
    ])
    .unwrap_or_default();
    let l = Layout::new(&ctx, format!("未按要求召开的会议 — {}", org.name), "/compliance")
        .crumb("组织生活", "/meetings")
        .crumb(
            format!("{}落实情况", period.label()),
            format!("/compliance?org_id={}&year={year}&period={}", org.id, period.code()),
        )
        .crumb("缺少的会议", "");
    render(&MissingPage {
        l,
        kind_label: if q.kind.trim().is_empty() {
            "全部类型".into()
        } else {
            store_meeting::kind_label(&kinds, q.kind.trim())
        },
        pager: crate::layout::Pager::new(page, per_page, total as i64, base),
        org,
        period_label: period.label(),
        rows,
        first,
        name: mq.name,
        q: ComplianceQ { year: year.to_string(), period: period.code(), ..q },
    })
}

/// Due and overdue items for the home page of a secretary (their branch and its groups).
pub async fn due_for_home(state: &AppState, ctx: &Ctx) -> Result<Vec<(String, DueItem)>> {
    let a = ctx.actor()?;
    let Some(org) = a.org.as_ref() else { return Ok(Vec::new()) };
    let scope = ctx.org_scope()?;
    Ok(store_compliance::due(&state.store, &scope, org.id).await?)
}

// ----- API -----

async fn api_compliance(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ComplianceQ>,
) -> Result<Json<store_compliance::View>> {
    let scope = ctx.org_scope()?;
    let (org, period) = compliance_args(&state, &ctx, &q).await?;
    Ok(Json(store_compliance::view(&state.store, &scope, org.id, period, q.by == "district").await?))
}

async fn api_missing(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ComplianceQ>,
    Query(mq): Query<MissingQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<xianfeng_store::compliance::MissingRow>>> {
    let scope = ctx.org_scope()?;
    let (org, period) = compliance_args(&state, &ctx, &q).await?;
    let rows = named(store_compliance::missing(&state.store, &scope, org.id, period, q.kind.trim()).await?, &mq.name);
    Ok(Json(crate::form::page_of(rows, &p)?))
}

async fn api_due(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ComplianceQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<serde_json::Value>>> {
    let scope = ctx.org_scope()?;
    let (org, _) = compliance_args(&state, &ctx, &q).await?;
    let items: Vec<serde_json::Value> = store_compliance::due(&state.store, &scope, org.id)
        .await?
        .into_iter()
        .map(|(name, item)| {
            let mut v = serde_json::to_value(item).unwrap_or_default();
            v["org_name"] = serde_json::Value::String(name);
            v
        })
        .collect();
    Ok(Json(crate::form::page_of(items, &p)?))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "compliance",
        pages,
        api,
        menu: &[MenuEntry::new(Section::OrgLife, 30, "落实情况", "/compliance", STAFF)],
        operations: &[
            (
                "get",
                "/compliance",
                "compliance",
                "组织生活落实情况：应开与已开，按下级组织或片区汇总",
                "",
                200,
                "Compliance",
            ),
            (
                "get",
                "/compliance/missing",
                "compliance",
                "未按要求召开的会议（逐组织、逐周期）",
                "",
                200,
                "Page<ComplianceMissing>",
            ),
            ("get", "/compliance/due", "compliance", "本期待开与逾期的会议", "", 200, "Page<ComplianceDue>"),
        ],
    }
};
