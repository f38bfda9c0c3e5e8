//! Annual recruitment plans.

use super::*;

#[derive(Template)]
#[template(path = "recruitment_plans.html")]
pub(crate) struct PlansPage {
    pub(crate) l: Layout,
    pub(crate) year: i32,
    pub(crate) units: Vec<(i64, String, String, String)>,
    pub(crate) errors: Errors,
    /// The unit name filter and the page, kept by each row's save.
    pub(crate) name: String,
    pub(crate) page: i64,
    pub(crate) pager: crate::layout::Pager,
}

/// Units on a page of the plans.
const UNITS_PER_PAGE: i64 = 50;

pub(crate) async fn plans_view(state: &AppState, ctx: &Ctx, year: i32, q: &YearQ, errors: Errors) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if ctx.actor()?.higher_committee().is_none() {
        return Err(AppError::Forbidden);
    }
    let (page, per_page) = crate::form::paging(&q.page, "", UNITS_PER_PAGE, UNITS_PER_PAGE)?;
    let plans: Vec<PlanRow> = store_rec::plans(&state.store, &scope, year).await?;
    let name = q.name.trim().to_string();
    let f = xianfeng_store::org::OrgFilter { kind: "unit".into(), name: name.clone(), ..Default::default() };
    let found = xianfeng_store::org::search(&state.store, &scope, &f, page, per_page).await?;
    let base = serde_urlencoded::to_string([("year", year.to_string()), ("name", name.clone())]).unwrap_or_default();
    let pager = crate::layout::Pager::new(page, per_page, found.total, base);
    let units = found
        .items
        .into_iter()
        .map(|u| {
            let p = plans.iter().find(|p| p.committee_id == u.id);
            (
                u.id,
                u.name,
                p.map(|p| p.planned.to_string()).unwrap_or_default(),
                p.map(|p| format!("{} {}", p.set_by, fmt_ms(&p.set_at))).unwrap_or_default(),
            )
        })
        .collect();
    render(&PlansPage {
        l: Layout::new(ctx, format!("{year}年发展党员计划"), "/recruitment/plans")
            .crumb("发展党员", "/recruitment")
            .crumb("年度发展计划", "")
            .flash(flash(&q.ok)),
        year,
        units,
        errors,
        name,
        page,
        pager,
    })
}

pub(crate) async fn plans_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQ>) -> Result<Response> {
    plans_view(&state, &ctx, year_of(&q.year)?, &q, Errors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PlanForm {
    pub(crate) unit_id: String,
    pub(crate) year: String,
    pub(crate) planned: String,
    pub(crate) note: String,
    /// The list's filter and page, to come back to the same rows.
    pub(crate) name: String,
    pub(crate) page: String,
}

pub(crate) async fn plan_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PlanForm>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let year = year_of(&f.year)?;
    let unit: i64 = opt_num(&f.unit_id).ok_or_else(|| AppError::BadRequest("unit_id应为数字".into()))?;
    // The page to come back to is checked like the list's own, before anything is saved.
    let (page, _) = crate::form::paging(&f.page, "", UNITS_PER_PAGE, UNITS_PER_PAGE)?;
    let back = YearQ { name: f.name.clone(), page: page.to_string(), ..Default::default() };
    let Some(planned) = opt_num::<i64>(&f.planned) else {
        return plans_view(&state, &ctx, year, &back, Errors(vec![FieldError::new("planned", "计划人数应为整数")]))
            .await;
    };
    match store_rec::set_plan(&state.store, &scope.writer()?, &ctx.who(), unit, year, planned, &f.note).await {
        Ok(_) => {
            let q = serde_urlencoded::to_string([
                ("year", year.to_string()),
                ("name", f.name.trim().to_string()),
                ("page", page.to_string()),
                ("ok", "plan".to_string()),
            ])
            .unwrap_or_default();
            Ok(Redirect::to(&format!("/recruitment/plans?{q}")).into_response())
        }
        Err(StoreError::Invalid(errs)) => plans_view(&state, &ctx, year, &back, Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn api_plans(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<xianfeng_store::recruitment::PlanRow>>> {
    let scope = ctx.org_scope()?;
    let items = store_rec::plans(&state.store, &scope, year_of(&q.year)?).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

#[derive(Deserialize)]
pub(crate) struct PlanJson {
    pub(crate) unit_id: i64,
    pub(crate) year: i32,
    pub(crate) planned: i64,
    #[serde(default)]
    pub(crate) note: String,
}

pub(crate) async fn api_set_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(b): Json<PlanJson>,
) -> Result<Json<PlanRow>> {
    let scope = ctx.org_scope()?;
    Ok(Json(
        store_rec::set_plan(&state.store, &scope.writer()?, &ctx.who(), b.unit_id, b.year, b.planned, &b.note).await?,
    ))
}
