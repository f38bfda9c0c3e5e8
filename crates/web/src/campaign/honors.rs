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
    pub(crate) q: HonorsQ,
    /// The unit the register is narrowed to, chosen by name (the committee's).
    pub(crate) unit: Option<crate::picker::Picker>,
    pub(crate) pager: crate::layout::Pager,
    pub(crate) errors: crate::form::Errors,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct HonorsQ {
    pub(crate) ok: String,
    pub(crate) year: String,
    pub(crate) honor: String,
    pub(crate) unit_id: String,
    /// The unit picker's search text.
    pub(crate) unit_id_q: String,
    /// Part of the holder's name.
    pub(crate) name: String,
    pub(crate) page: String,
    pub(crate) per_page: String,
}

impl HonorsQ {
    fn filter(&self) -> Result<camp::HonorFilter> {
        let num = |s: &str, what: &str| -> Result<Option<i64>> {
            match s.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| AppError::BadRequest(format!("{what}应为数字"))),
            }
        };
        Ok(camp::HonorFilter {
            campaign_id: None,
            year: num(&self.year, "年度")?.map(|y| y.clamp(1900, 9999) as i32),
            honor: self.honor.trim().to_string(),
            unit_id: num(&self.unit_id, "unit_id")?,
            name: self.name.clone(),
        })
    }
}

pub(crate) async fn honors_view(state: &AppState, ctx: &Ctx, q: HonorsQ, message: String) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let committee = is_committee(ctx);
    let mut f = q.filter()?;
    // Only the committee's register spans units.
    let unit = if scope.committee_id().is_none() {
        let p = crate::picker::Picker::new("unit_id", "单位", "单位").placeholder("单位名称中的几个字");
        let kinds = [xianfeng_core::org::OrgKind::Unit];
        let source = crate::picker::OrgSource::Scope(&scope);
        Some(crate::picker::orgs(&state.store, source, &kinds, p, &q.unit_id, &q.unit_id_q).await?)
    } else {
        None
    };
    if crate::picker::searching(&[&q.unit_id_q]) {
        f.unit_id = None;
    }
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 500)?;
    let found = camp::register(&state.store, &scope, &f, page, per_page).await?;
    let base = serde_urlencoded::to_string([
        ("year", q.year.as_str()),
        ("honor", q.honor.as_str()),
        ("unit_id", unit.as_ref().map(|u| u.value()).unwrap_or_default()),
        ("name", q.name.as_str()),
        ("per_page", per_page.to_string().as_str()),
    ])
    .unwrap_or_default();
    render(&HonorsPage {
        l: Layout::new(ctx, "荣誉名录", "/honors").crumb("荣誉名录", "").flash(flash(&q.ok)),
        pager: crate::layout::Pager::new(page, per_page, found.total, base),
        items: found.items,
        labels: Honor::ALL.iter().map(|h| (h.as_str().to_string(), h.label())).collect(),
        committee,
        message,
        unit,
        q,
        errors: Default::default(),
    })
}

pub(crate) async fn honors_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HonorsQ>) -> Result<Response> {
    honors_view(&state, &ctx, q, String::new()).await
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
        Err(StoreError::Rule(m)) => honors_view(&state, &ctx, HonorsQ::default(), m).await,
        Err(StoreError::Invalid(e)) => honors_view(&state, &ctx, HonorsQ::default(), crate::form::messages(e)).await,
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn api_honors(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HonorsQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<camp::HonorRow>>> {
    let scope = ctx.org_scope()?;
    let (page, per_page) = p.api()?;
    Ok(Json(camp::register(&state.store, &scope, &q.filter()?, page, per_page).await?))
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
