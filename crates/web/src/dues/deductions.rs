//! A unit's deduction items (扣除项目) for the dues base.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ItemsQ {
    pub(crate) unit_id: String,
    pub(crate) ok: String,
}

#[derive(Template)]
#[template(path = "dues_deductions.html")]
pub(crate) struct ItemsPage {
    pub(crate) l: Layout,
    pub(crate) unit_id: i64,
    pub(crate) unit_name: String,
    pub(crate) units: Vec<(i64, String)>,
    pub(crate) text: String,
    pub(crate) configured: bool,
    pub(crate) errors: Errors,
}

pub(crate) async fn items_view(
    state: &AppState,
    ctx: &Ctx,
    unit_id: Option<i64>,
    text: Option<String>,
    errors: Errors,
    flash: &str,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let units: Vec<(i64, String)> = xianfeng_store::org::search(
        &state.store,
        &scope,
        &xianfeng_store::org::OrgFilter { kind: "unit".into(), ..Default::default() },
        1,
        500,
    )
    .await?
    .items
    .into_iter()
    .map(|o| (o.id, o.name))
    .collect();
    let own = ctx.actor()?.org.as_ref().map(|o| o.committee_id);
    let unit_id = unit_id.or(own.filter(|c| units.iter().any(|u| u.0 == *c))).or(units.first().map(|u| u.0));
    let Some(unit_id) = unit_id else { return Err(AppError::Forbidden) };
    let (unit, rows) = store_dues::all_items(&state.store, &scope, unit_id).await?;
    let active = store_dues::items_of(&state.store, &scope, unit.committee_id).await?;
    render(&ItemsPage {
        l: Layout::new(ctx, format!("党费扣除项目 — {}", unit.name), "/dues/deductions")
            .crumb("党费管理", "/dues")
            .crumb("扣除项目", "")
            .flash(flash),
        unit_id: unit.id,
        unit_name: unit.name,
        units,
        text: text.unwrap_or_else(|| active.iter().map(|i| i.name.clone()).collect::<Vec<_>>().join("\n")),
        configured: !rows.is_empty(),
        errors,
    })
}

pub(crate) async fn items_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ItemsQ>) -> Result<Response> {
    items_view(&state, &ctx, q.unit_id.trim().parse().ok(), None, Errors::default(), flash_text(&q.ok)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ItemsForm {
    pub(crate) unit_id: String,
    pub(crate) items: String,
}

pub(crate) async fn items_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ItemsForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let unit_id: i64 = f.unit_id.trim().parse().map_err(|_| AppError::BadRequest("unit_id应为数字".into()))?;
    let names: Vec<String> = f.items.lines().map(|l| l.trim().to_string()).collect();
    match store_dues::set_items(&state.store, &scope.writer()?, &ctx.who(), unit_id, &names).await {
        Ok(_) => Ok(Redirect::to(&format!("/dues/deductions?unit_id={unit_id}&ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => items_view(&state, &ctx, Some(unit_id), Some(f.items), Errors(e), "").await,
        Err(e) => Err(e.into()),
    }
}
