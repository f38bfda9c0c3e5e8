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
    org: crate::picker::Picker,
    kind_options: Vec<(String, String)>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PlanQ {
    org_id: String,
    kind: String,
}

/// The kinds of meeting an org holds (every kind while no org is chosen).
pub(crate) fn kind_options(kinds: &MeetingKinds, org: Option<OrgKind>) -> Vec<(String, String)> {
    kinds
        .kinds
        .iter()
        .filter(|k| org.is_none_or(|o| k.applies_to.may_hold(o)))
        .map(|k| (k.id.clone(), format!("{}（{}，{}）", k.label, k.applies_to.label(), k.frequency_label())))
        .collect()
}

/// The orgs that hold meetings, for the pickers of the plan and 补录 forms.
pub(crate) const MEETING_ORGS: [OrgKind; 4] = [OrgKind::Unit, OrgKind::GeneralBranch, OrgKind::Branch, OrgKind::Group];

pub(crate) async fn plan_view(
    state: &AppState,
    ctx: &Ctx,
    form: PlanInput,
    org_id: &str,
    org_q: &str,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let kinds = kinds_today(state).await?;
    let org = crate::picker::orgs(
        &state.store,
        crate::picker::OrgSource::Scope(&scope),
        &MEETING_ORGS,
        crate::picker::Picker::new("org_id", "召开组织", "党组织").required(),
        org_id,
        org_q,
    )
    .await?;
    let org_kind = match org.value().parse::<i64>() {
        Ok(id) => store_org::get(state.store.db.r(), &scope, id).await.ok().map(|o| o.kind()),
        Err(_) => None,
    };
    render(&PlanPage {
        l: Layout::new(ctx, "安排会议", "/meetings").crumb("组织生活", "/meetings").crumb("安排会议", ""),
        kind_options: kind_options(&kinds, org_kind),
        form,
        org,
        errors,
    })
}

pub(crate) async fn plan_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PlanQ>) -> Result<Response> {
    let form = PlanInput { kind: q.kind, planned_on: today_cn().to_string(), ..Default::default() };
    plan_view(&state, &ctx, form, &q.org_id, "", Errors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PlanForm {
    org_id: String,
    /// The org picker's search text: search, do not save.
    org_id_q: String,
    #[serde(flatten)]
    input: PlanInput,
}

pub(crate) async fn plan_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PlanForm>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if crate::picker::searching(&[&f.org_id_q]) {
        return plan_view(&state, &ctx, f.input, &f.org_id, &f.org_id_q, Errors::default()).await;
    }
    let Ok(org_id) = f.org_id.trim().parse::<i64>() else {
        let errors = Errors(vec![xianfeng_core::FieldError::new("org_id", "请选择召开会议的组织")]);
        return plan_view(&state, &ctx, f.input, &f.org_id, "", errors).await;
    };
    match store_meeting::plan(&state.store, &scope.writer()?, &ctx.who(), org_id, &f.input).await {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}?ok=planned", m.id)).into_response()),
        Err(StoreError::Invalid(errs)) => plan_view(&state, &ctx, f.input, &f.org_id, "", Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}
