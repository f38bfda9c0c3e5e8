//! The honor roll and revoking an honor.

use super::*;
use xianfeng_core::key::Key;

#[derive(Template)]
#[template(path = "honors.html")]
pub(crate) struct HonorsPage {
    pub(crate) l: Layout,
    pub(crate) items: Vec<HonorRow>,
    pub(crate) labels: HashMap<String, &'static str>,
    pub(crate) committee: bool,
    pub(crate) message: String,
}

pub(crate) async fn honors_view(state: &AppState, ctx: &Ctx, ok: &str, message: String) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let items = camp::honors(&state.store, &scope, None).await?;
    render(&HonorsPage {
        l: Layout::new(ctx, "荣誉名录", "/honors").crumb("荣誉名录", "").flash(flash(ok)),
        items,
        labels: Honor::ALL.iter().map(|h| (h.as_str().to_string(), h.label())).collect(),
        committee: is_committee(ctx),
        message,
    })
}

pub(crate) async fn honors_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OkQ>) -> Result<Response> {
    honors_view(&state, &ctx, &q.ok, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RevokeForm {
    pub(crate) reason: String,
}

pub(crate) async fn revoke_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((c, id)): Path<(i64, i64)>,
    Form(f): Form<RevokeForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    match camp::revoke(&state.store, &scope, &ctx.who(), Key::new(c, id), &f.reason).await {
        Ok(()) => Ok(Redirect::to("/honors?ok=revoked").into_response()),
        Err(StoreError::Rule(m)) => honors_view(&state, &ctx, "", m).await,
        Err(StoreError::Invalid(e)) => honors_view(&state, &ctx, "", crate::form::messages(e)).await,
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn api_honors(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<camp::HonorRow>>> {
    let scope = ctx.org_scope()?;
    let items = camp::honors(&state.store, &scope, None).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

pub(crate) async fn api_revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((c, id)): Path<(i64, i64)>,
    Json(b): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    camp::revoke(&state.store, &scope, &ctx.who(), Key::new(c, id), b["reason"].as_str().unwrap_or("")).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}
