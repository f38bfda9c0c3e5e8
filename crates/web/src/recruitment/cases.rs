//! The case list and opening a case.

use super::*;
use crate::layout::Pager;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct CasesQ {
    pub(crate) org_id: String,
    pub(crate) status: String,
    pub(crate) state: String,
    pub(crate) overdue: String,
    pub(crate) due_soon: String,
    pub(crate) ready: String,
    pub(crate) name: String,
    /// The org picker's search text.
    pub(crate) org_id_q: String,
    pub(crate) page: String,
    pub(crate) per_page: String,
}

impl CasesQ {
    pub(crate) fn filter(&self) -> Result<CaseFilter> {
        Ok(CaseFilter {
            org_id: match self.org_id.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| AppError::BadRequest("org_id应为数字".into()))?),
            },
            status: self.status.clone(),
            state: self.state.clone(),
            overdue: matches!(self.overdue.as_str(), "1" | "true"),
            due_soon: matches!(self.due_soon.as_str(), "1" | "true"),
            ready: matches!(self.ready.as_str(), "1" | "true"),
            name: self.name.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "recruitment_cases.html")]
pub(crate) struct CasesPage {
    pub(crate) l: Layout,
    pub(crate) q: CasesQ,
    pub(crate) items: Vec<CaseRow>,
    pub(crate) statuses: Vec<(&'static str, &'static str)>,
    pub(crate) today: NaiveDate,
    /// The unit or branch the list is narrowed to, chosen by name.
    pub(crate) org: crate::picker::Picker,
    pub(crate) pager: Pager,
    pub(crate) errors: Errors,
}

pub(crate) const PIPELINE_STATUSES: [MemberStatus; 4] =
    [MemberStatus::Applicant, MemberStatus::Activist, MemberStatus::Candidate, MemberStatus::Probationary];

pub(crate) async fn cases_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CasesQ>) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    let scope = ctx.org_scope()?;
    let mut f = q.filter()?;
    let org =
        crate::picker::list_filter(&state.store, &scope, "单位或党支部", &q.org_id, &q.org_id_q, &mut f.org_id).await?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 500)?;
    let found = store_rec::cases(&state.store, &ms, &f, page, per_page).await?;
    let base = serde_urlencoded::to_string([
        ("org_id", org.value()),
        ("status", q.status.as_str()),
        ("state", q.state.as_str()),
        ("overdue", q.overdue.as_str()),
        ("due_soon", q.due_soon.as_str()),
        ("ready", q.ready.as_str()),
        ("name", q.name.as_str()),
        ("per_page", per_page.to_string().as_str()),
    ])
    .unwrap_or_default();
    render(&CasesPage {
        l: Layout::new(&ctx, "发展党员名册", "/recruitment/cases")
            .crumb("发展党员", "/recruitment")
            .crumb("发展党员名册", ""),
        q,
        items: found.items,
        org,
        pager: Pager::new(page, per_page, found.total, base),
        errors: Errors::default(),
        statuses: PIPELINE_STATUSES.iter().map(|s| (s.as_str(), s.label())).collect(),
        today: today_cn(),
    })
}

pub(crate) async fn api_cases(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CasesQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<store_rec::CaseRow>>> {
    let ms = ctx.member_scope(&state).await?;
    let (page, per_page) = p.api()?;
    Ok(Json(store_rec::cases(&state.store, &ms, &q.filter()?, page, per_page).await?))
}

// ----- open a case -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct NewForm {
    pub(crate) member_id: String,
    /// What was typed into the applicant picker's search.
    pub(crate) member_id_q: String,
    pub(crate) applied_on: String,
    pub(crate) responsible: String,
    pub(crate) note: String,
}

#[derive(Template)]
#[template(path = "recruitment_new.html")]
pub(crate) struct NewPage {
    pub(crate) l: Layout,
    pub(crate) form: NewForm,
    pub(crate) errors: Errors,
    pub(crate) applicant: crate::picker::Picker,
    /// No applicant in scope is without an open case.
    pub(crate) none_left: bool,
}

pub(crate) async fn new_view(state: &AppState, ctx: &Ctx, form: NewForm, errors: Errors) -> Result<Response> {
    let ms = ctx.member_scope(state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    // Applicants with no case open yet, found by name.
    let among = MemberFilter { status: "applicant".into(), without_open_case: true, ..Default::default() };
    let p = crate::picker::Picker::new("member_id", "入党申请人", "入党申请人").required().placeholder("输入姓名");
    let applicant =
        crate::picker::members_among(&state.store, &ms, &among, p, &form.member_id, &form.member_id_q).await?;
    let none_left = xianfeng_store::member::list(&state.store, &ms, &among, 1, 1).await?.total == 0;
    render(&NewPage {
        l: Layout::new(ctx, "建立发展党员档案", "/recruitment/new")
            .crumb("发展党员", "/recruitment")
            .crumb("建立发展党员档案", ""),
        form,
        errors,
        applicant,
        none_left,
    })
}

pub(crate) async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(f): Query<NewForm>) -> Result<Response> {
    new_view(&state, &ctx, f, Errors::default()).await
}

pub(crate) fn parse_new(f: &NewForm) -> std::result::Result<(i64, NaiveDate), Vec<FieldError>> {
    let mut errs = Vec::new();
    let id = f.member_id.trim().parse::<i64>().ok();
    if id.is_none() {
        errs.push(FieldError::new("member_id", "请选择入党申请人"));
    }
    let on = parse_date(&f.applied_on);
    if on.is_none() {
        errs.push(FieldError::new("applied_on", "请按 2025-07-01 的格式填写递交入党申请书的日期"));
    }
    match (id, on) {
        (Some(i), Some(d)) if errs.is_empty() => Ok((i, d)),
        _ => Err(errs),
    }
}

pub(crate) async fn new_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewForm>) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    if crate::picker::searching(&[&f.member_id_q]) {
        return new_view(&state, &ctx, f, Errors::default()).await;
    }
    let (id, on) = match parse_new(&f) {
        Ok(x) => x,
        Err(errs) => return new_view(&state, &ctx, f, Errors(errs)).await,
    };
    let data = StepData { responsible: f.responsible.trim().into(), note: f.note.trim().into(), ..Default::default() };
    match store_rec::start(&state.store, &ms.writer()?, &ctx.who(), id, on, data).await {
        Ok(c) => Ok(Redirect::to(&format!("/recruitment/cases/{}?ok=started", c.id)).into_response()),
        Err(StoreError::Rule(m)) => new_view(&state, &ctx, f, Errors(vec![FieldError::new("applied_on", m)])).await,
        Err(StoreError::Invalid(errs)) => new_view(&state, &ctx, f, Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct StartJson {
    pub(crate) member_id: i64,
    pub(crate) applied_on: NaiveDate,
    #[serde(default)]
    pub(crate) data: StepData,
}

pub(crate) async fn api_start(State(state): State<AppState>, ctx: Ctx, Json(b): Json<StartJson>) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let c = store_rec::start(&state.store, &ms.writer()?, &ctx.who(), b.member_id, b.applied_on, b.data).await?;
    Ok((axum::http::StatusCode::CREATED, Json(c)).into_response())
}

// ----- a case -----
