//! The dues API (JSON).

use super::*;

pub(crate) async fn api_roster(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RosterQ>,
) -> Result<Json<Roster>> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 200)?;
    Ok(Json(store_dues::roster(&state.store, &scope, q.org()?, q.month()?, q.missing == "1", page, per_page).await?))
}

pub(crate) async fn api_bases(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<xianfeng_store::dues::BaseRow>>> {
    let scope = ctx.member_scope(&state).await?;
    let items = store_dues::bases_of(&state.store, &scope, id).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

pub(crate) async fn api_set_base(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<BaseInput>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let row = store_dues::set_base(&state.store, &scope.writer()?, &ctx.who(), id, &b).await?;
    Ok((axum::http::StatusCode::CREATED, Json(row)).into_response())
}

/// Which page of the charges `/api/v1/me/dues` answers (`page` and
/// `per_page` page the settings).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct ChargesPaging {
    pub(crate) charges_page: String,
    pub(crate) charges_per_page: String,
}

pub(crate) async fn api_mine(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<crate::form::Paging>,
    Query(cp): Query<ChargesPaging>,
) -> Result<Json<serde_json::Value>> {
    let (charges_page, charges_per_page) = crate::form::paging(
        &cp.charges_page,
        &cp.charges_per_page,
        crate::form::API_PER_PAGE,
        crate::form::API_MAX_PER_PAGE,
    )?;
    let history = my_history(&state, &ctx).await?;
    let items: Vec<serde_json::Value> =
        history.into_iter().map(|(b, due)| serde_json::json!({ "setting": b, "due": due })).collect();
    let id = ctx.actor()?.member_id.ok_or(AppError::Forbidden)?;
    let scope = ctx.member_scope(&state).await?;
    let mine = store_dues::my_charges(&state.store, &scope, id, charges_page, charges_per_page).await?;
    let page = crate::form::page_of(items, &p)?;
    Ok(Json(serde_json::json!({
        "items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page,
        "charges": mine.charges, "unpaid": mine.unpaid,
    })))
}

#[derive(Template)]
#[template(path = "dues_summary.html")]
pub(crate) struct SummaryPage {
    pub(crate) l: Layout,
    pub(crate) month: String,
    pub(crate) total: store_dues::SummaryRow,
    pub(crate) rows: Vec<store_dues::SummaryRow>,
    pub(crate) org_id: i64,
}

pub(crate) fn summary_args(ctx: &Ctx, q: &CycleQ) -> Result<(i64, chrono::NaiveDate)> {
    let month = q.month()?;
    let org_id = match q.org()? {
        Some(id) => id,
        None => ctx.actor()?.org.as_ref().map(|o| o.id).ok_or(AppError::Forbidden)?,
    };
    Ok((org_id, month))
}

pub(crate) async fn summary_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CycleQ>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let (org_id, month) = summary_args(&ctx, &q)?;
    let (total, rows) = store_dues::summary(&state.store, &scope, org_id, month).await?;
    render(&SummaryPage {
        l: Layout::new(&ctx, format!("党费收缴汇总 — {}", total.name), "/dues/summary")
            .crumb("党费管理", "/dues")
            .crumb("收缴汇总", ""),
        month: month.format("%Y-%m").to_string(),
        total,
        rows,
        org_id,
    })
}

pub(crate) async fn api_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CycleQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let (org_id, month) = summary_args(&ctx, &q)?;
    let (sum, rows) = store_dues::summary(&state.store, &scope, org_id, month).await?;
    let page = crate::form::page_of(rows, &p)?;
    Ok(Json(
        serde_json::json!({ "items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page, "sum": sum }),
    ))
}
