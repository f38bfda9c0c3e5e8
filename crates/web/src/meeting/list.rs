//! The meeting list and planning a meeting.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct ListQ {
    org_id: String,
    kind: String,
    status: String,
    year: String,
    q: String,
    page: String,
    per_page: String,
}

impl ListQ {
    pub(crate) fn filter(&self) -> Result<MeetingFilter> {
        let num = |s: &str, label: &str| -> Result<Option<i64>> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                s.trim().parse().map(Some).map_err(|_| AppError::BadRequest(format!("{label}应为数字")))
            }
        };
        Ok(MeetingFilter {
            org_id: num(&self.org_id, "org_id")?,
            kind: self.kind.trim().to_string(),
            status: self.status.trim().to_string(),
            year: num(&self.year, "year")?.map(|y| y as i32),
            q: self.q.clone(),
        })
    }
    pub(crate) fn paging(&self) -> Result<(i64, i64)> {
        crate::form::paging(&self.page, &self.per_page, 20, 200)
    }
}

pub(crate) struct ListRow {
    m: MeetingRow,
    kind_label: String,
}

#[derive(Template)]
#[template(path = "meetings.html")]
pub(crate) struct ListPage {
    l: Layout,
    q: ListQ,
    rows: Vec<ListRow>,
    total: i64,
    offset: usize,
    pager: Pager,
    kind_options: Vec<(String, String)>,
    can_write: bool,
    under_name: String,
}

pub(crate) async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(mut q): Query<ListQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    // Without any filter the list opens on this year (a province holds a million meetings).
    if q.year.trim().is_empty()
        && q.org_id.trim().is_empty()
        && q.kind.is_empty()
        && q.status.is_empty()
        && q.q.is_empty()
    {
        q.year = today_cn().year().to_string();
    }
    let f = q.filter()?;
    let (page, per_page) = q.paging()?;
    let list = store_meeting::list(&state.store, &scope, &f, page, per_page).await?;
    let kinds = kinds_today(&state).await?;
    let under_name = match f.org_id {
        Some(id) => store_org::get(state.store.db.r(), &scope, id).await?.name,
        None => String::new(),
    };
    let base = serde_urlencoded::to_string([
        ("org_id", q.org_id.as_str()),
        ("kind", q.kind.as_str()),
        ("status", q.status.as_str()),
        ("year", q.year.as_str()),
        ("q", q.q.as_str()),
    ])
    .unwrap_or_default();
    render(&ListPage {
        l: Layout::new(&ctx, "会议活动", "/meetings").crumb("组织生活", "/meetings").crumb("会议活动", ""),
        rows: list
            .items
            .into_iter()
            .map(|m| ListRow { kind_label: store_meeting::kind_label(&kinds, &m.kind), m })
            .collect(),
        total: list.total,
        offset: ((page - 1) * per_page) as usize,
        pager: Pager::new(page, per_page, list.total, base),
        kind_options: kinds.kinds.iter().map(|k| (k.id.clone(), k.label.clone())).collect(),
        can_write: scope.can_write(),
        under_name,
        q,
    })
}

// ----- plan -----

#[derive(Template)]
#[template(path = "meeting_plan.html")]
pub(crate) struct PlanPage {
    l: Layout,
    form: PlanInput,
    org_id: String,
    org_options: Vec<(String, String)>,
    kind_options: Vec<(String, String)>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PlanQ {
    org_id: String,
    kind: String,
}

/// Orgs the user may plan meetings for (capped; larger scopes start from an org page).
pub(crate) async fn org_options(state: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>> {
    let scope = ctx.org_scope()?;
    let page = store_org::search(&state.store, &scope, &OrgFilter::default(), 1, 400).await?;
    Ok(page
        .items
        .into_iter()
        .filter(|o| o.kind() != OrgKind::WorkingCommittee)
        .map(|o| (o.id.to_string(), format!("{}（{}）", o.name, o.kind_label())))
        .collect())
}

pub(crate) async fn plan_view(
    state: &AppState,
    ctx: &Ctx,
    form: PlanInput,
    org_id: String,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let kinds = kinds_today(state).await?;
    let org = match org_id.trim().parse::<i64>() {
        Ok(id) => Some(store_org::get(state.store.db.r(), &scope, id).await?),
        Err(_) => None,
    };
    let kind_options = kinds
        .kinds
        .iter()
        .filter(|k| org.as_ref().is_none_or(|o| k.applies_to.may_hold(o.kind())))
        .map(|k| (k.id.clone(), format!("{}（{}，{}）", k.label, k.applies_to.label(), k.frequency_label())))
        .collect();
    let org_options = match &org {
        Some(o) => vec![(o.id.to_string(), format!("{}（{}）", o.name, o.kind_label()))],
        None => org_options(state, ctx).await?,
    };
    render(&PlanPage {
        l: Layout::new(ctx, "安排会议", "/meetings").crumb("组织生活", "/meetings").crumb("安排会议", ""),
        form,
        org_id,
        org_options,
        kind_options,
        errors,
    })
}

pub(crate) async fn plan_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PlanQ>) -> Result<Response> {
    let form = PlanInput { kind: q.kind, planned_on: today_cn().to_string(), ..Default::default() };
    plan_view(&state, &ctx, form, q.org_id, Errors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PlanForm {
    org_id: String,
    #[serde(flatten)]
    input: PlanInput,
    /// "record": the meeting was held already; go on to its record form.
    #[serde(default)]
    then: String,
}

pub(crate) async fn plan_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PlanForm>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let Ok(org_id) = f.org_id.trim().parse::<i64>() else {
        let errors = Errors(vec![xianfeng_core::FieldError::new("org_id", "请选择召开会议的组织")]);
        return plan_view(&state, &ctx, f.input, f.org_id, errors).await;
    };
    match store_meeting::plan(&state.store, &scope.writer()?, &ctx.who(), org_id, &f.input).await {
        // Held already: straight on to its record, everyone present to start with.
        Ok(m) if f.then == "record" => Ok(Redirect::to(&format!("/meetings/{}/record", m.id)).into_response()),
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}?ok=planned", m.id)).into_response()),
        Err(StoreError::Invalid(errs)) => plan_view(&state, &ctx, f.input, f.org_id, Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}
