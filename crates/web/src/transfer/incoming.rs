//! Arrivals from outside the province: registering a member who brings a
//! letter from another province's party organization.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct IncomingForm {
    name: String,
    gender: String,
    ethnicity: String,
    birth_date: String,
    id_card: String,
    phone: String,
    education: String,
    status: String,
    join_date: String,
    full_date: String,
    org_id: String,
    /// The branch picker's search text (a form carrying it searches, not saves).
    org_id_q: String,
    from_org_name: String,
    letter_no: String,
    valid_until: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "transfer_incoming.html")]
struct IncomingPage {
    l: Layout,
    form: IncomingForm,
    errors: Errors,
    branch: crate::picker::Picker,
    statuses: Vec<(String, String)>,
}

async fn incoming_view(state: &AppState, ctx: &Ctx, form: IncomingForm, errors: Errors) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let branch = crate::picker::orgs(
        &state.store,
        crate::picker::OrgSource::Scope(&scope),
        &[OrgKind::Branch],
        crate::picker::Picker::new("org_id", "接收党支部", "党支部").required(),
        &form.org_id,
        &form.org_id_q,
    )
    .await?;
    let form = IncomingForm { org_id: branch.value().to_string(), org_id_q: String::new(), ..form };
    render(&IncomingPage {
        l: Layout::new(ctx, "省外转入登记", "/transfers/incoming")
            .crumb("组织关系转接", "/transfers")
            .crumb("省外转入登记", ""),
        form,
        errors,
        branch,
        statuses: vec![("full".into(), "正式党员".into()), ("probationary".into(), "预备党员".into())],
    })
}

pub(super) async fn incoming_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let f = IncomingForm { ethnicity: "汉族".into(), status: "full".into(), ..Default::default() };
    incoming_view(&state, &ctx, f, Errors::default()).await
}

pub(super) async fn incoming_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<IncomingForm>,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    if crate::picker::searching(&[&f.org_id_q]) {
        return incoming_view(&state, &ctx, f, Errors::default()).await;
    }
    let valid_until = match f.valid_until.trim() {
        "" => None,
        s => match parse_date(s) {
            Some(d) => Some(d),
            None => {
                let e = Errors(vec![FieldError::new("valid_until", "请按 2025-07-01 的格式填写日期")]);
                return incoming_view(&state, &ctx, f, e).await;
            }
        },
    };
    let r = IncomingRequest {
        member: MemberInput {
            name: f.name.clone(),
            gender: f.gender.clone(),
            ethnicity: f.ethnicity.clone(),
            birth_date: f.birth_date.clone(),
            id_card: f.id_card.clone(),
            phone: f.phone.clone(),
            education: f.education.clone(),
            status: f.status.clone(),
            join_date: f.join_date.clone(),
            full_date: f.full_date.clone(),
            org_id: f.org_id.clone(),
            ..Default::default()
        },
        from_org_name: f.from_org_name.clone(),
        letter_no: f.letter_no.clone(),
        valid_until,
        reason: f.reason.clone(),
    };
    match store_tr::register_incoming(&state.store, &ms.writer()?, &ctx.who(), &r).await {
        Ok(t) => Ok(Redirect::to(&format!("/transfers/{}?ok=registered", t.id)).into_response()),
        Err(StoreError::Invalid(errs)) => incoming_view(&state, &ctx, f, Errors(errs)).await,
        Err(StoreError::Rule(m)) => {
            incoming_view(&state, &ctx, f, Errors(vec![FieldError::new("from_org_name", m)])).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn api_incoming(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(r): Json<IncomingRequest>,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let t = store_tr::register_incoming(&state.store, &ms.writer()?, &ctx.who(), &r).await?;
    Ok((axum::http::StatusCode::CREATED, Json(t)).into_response())
}
