//! Recording a meeting that was held without a plan here (补录): one form
//! for when, where, who chaired, the minutes and everyone's attendance,
//! saved in one transaction (`store::meeting::record_held`).

use super::*;
use crate::picker::{self, OrgSource, Picker};
use xianfeng_store::org::OrgRow;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct HeldQ {
    org_id: String,
    org_id_q: String,
    kind: String,
}

#[derive(Template)]
#[template(path = "meeting_held.html")]
pub(crate) struct HeldPage {
    l: Layout,
    /// The org, once chosen (until then the page asks for it and the kind).
    org: Option<OrgRow>,
    org_picker: Option<Picker>,
    kind_options: Vec<(String, String)>,
    kind_id: String,
    kind_label: String,
    /// The other kinds the org holds, as links that redraw the form.
    other_kinds: Vec<(String, String)>,
    start_time: String,
    first_agenda: bool,
    observers_allowed: bool,
    form: RecordInput,
    observers_text: String,
    attendees: Vec<AttendeeRow>,
    defaults_note: String,
    errors: Errors,
}

impl Marks for HeldPage {}

/// What the held form sent besides the record.
struct HeldForm {
    org_id: String,
    kind: String,
    start_time: String,
    record: RecordInput,
}

fn parse_held_form(pairs: &[(String, String)]) -> HeldForm {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    HeldForm {
        org_id: get("org_id"),
        kind: get("kind"),
        start_time: get("start_time"),
        record: parse_record_form(pairs),
    }
}

/// The secretary's own branch when nothing was chosen: a secretary records
/// for one branch, so the first step is skipped.
fn default_org(ctx: &Ctx) -> Result<String> {
    let actor = ctx.actor()?;
    Ok(match (&actor.role, &actor.org) {
        (xianfeng_core::auth::Role::BranchSecretary, Some(o)) => o.id.to_string(),
        _ => String::new(),
    })
}

async fn held_view(
    state: &AppState,
    ctx: &Ctx,
    q: HeldQ,
    sent: Option<HeldForm>,
    mut errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let writer = scope.writer()?;
    let kinds = kinds_today(state).await?;
    let org_id = if q.org_id.trim().is_empty() && q.org_id_q.trim().is_empty() { default_org(ctx)? } else { q.org_id };
    let org = match form::opt_num::<i64>(&org_id) {
        Some(id) if !picker::searching(&[&q.org_id_q]) => Some(store_org::get(state.store.db.r(), &scope, id).await?),
        _ => None,
    };
    let kind =
        org.as_ref().and_then(|o| kinds.find(q.kind.trim()).filter(|k| k.applies_to.may_hold(o.kind())).cloned());
    if let (Some(o), None, false) = (&org, &kind, q.kind.trim().is_empty()) {
        errors.0.push(xianfeng_core::FieldError::new("kind", format!("{}不召开这类会议，请重新选择会议类型", o.name)));
    }
    let l = Layout::new(ctx, "补录会议", "/meetings/held").crumb("组织生活", "/meetings").crumb("补录会议", "");
    let (Some(o), Some(kind)) = (org.clone(), kind) else {
        // First step: which org, and which kind of meeting.
        let org_picker = picker::orgs(
            &state.store,
            OrgSource::Scope(&scope),
            &MEETING_ORGS,
            Picker::new("org_id", "召开组织", "党组织").required(),
            &org_id,
            &q.org_id_q,
        )
        .await?;
        return render(&HeldPage {
            l,
            org: None,
            org_picker: Some(org_picker),
            kind_options: kind_options(&kinds, org.as_ref().map(|o| o.kind())),
            kind_id: q.kind,
            kind_label: String::new(),
            other_kinds: Vec::new(),
            start_time: String::new(),
            first_agenda: false,
            observers_allowed: false,
            form: RecordInput::default(),
            observers_text: String::new(),
            attendees: Vec::new(),
            defaults_note: String::new(),
            errors,
        });
    };
    let mut attendees = store_meeting::would_invite(&state.store, &writer, o.id, &kind).await?;
    let mut defaults_note = String::new();
    let (form, start_time) = match sent {
        Some(f) => {
            for a in &mut attendees {
                if let Some(mk) = f.record.attendance.iter().find(|x| x.member_id == a.member_id) {
                    if let Some(p) = Presence::parse(&mk.presence) {
                        a.presence = p;
                    }
                    a.reason = mk.reason.clone();
                }
            }
            (f.record, f.start_time)
        }
        None => {
            defaults_note = default_marks(&mut attendees);
            let form = RecordInput { held_on: today_cn().to_string(), ..Default::default() };
            (form, String::new())
        }
    };
    render(&HeldPage {
        l,
        other_kinds: kinds
            .kinds
            .iter()
            .filter(|k| k.id != kind.id && k.applies_to.may_hold(o.kind()))
            .map(|k| (k.id.clone(), k.label.clone()))
            .collect(),
        org: Some(o),
        org_picker: None,
        kind_options: Vec::new(),
        kind_id: kind.id.clone(),
        kind_label: kind.label.clone(),
        start_time,
        first_agenda: kind.first_agenda,
        observers_allowed: kind.observers,
        observers_text: form.observers.clone(),
        form,
        attendees,
        defaults_note,
        errors,
    })
}

pub(crate) async fn held_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HeldQ>) -> Result<Response> {
    held_view(&state, &ctx, q, None, Errors::default()).await
}

pub(crate) async fn held_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let f = parse_held_form(&pairs);
    let q = HeldQ { org_id: f.org_id.clone(), org_id_q: String::new(), kind: f.kind.clone() };
    let Some(org_id) = form::opt_num::<i64>(&f.org_id) else {
        let errors = Errors(vec![xianfeng_core::FieldError::new("org_id", "请选择召开会议的组织")]);
        return held_view(&state, &ctx, q, None, errors).await;
    };
    let plan = PlanInput { kind: f.kind.clone(), start_time: f.start_time.clone(), ..Default::default() };
    let plan = PlanInput {
        topic: f.record.topic.clone(),
        place: f.record.place.clone(),
        host: f.record.host.clone(),
        recorder: f.record.recorder.clone(),
        ..plan
    };
    match store_meeting::record_held(&state.store, &scope.writer()?, &ctx.who(), org_id, &plan, &f.record).await {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}?ok=recorded", m.id)).into_response()),
        Err(StoreError::Invalid(errs)) => held_view(&state, &ctx, q, Some(f), Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

/// The API's 补录: the plan's fields and the record's in one body.
#[derive(Deserialize)]
pub(crate) struct ApiHeld {
    org_id: i64,
    kind: String,
    #[serde(default)]
    start_time: String,
    #[serde(flatten)]
    record: RecordInput,
}

pub(crate) async fn api_held(State(state): State<AppState>, ctx: Ctx, Json(b): Json<ApiHeld>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let plan = PlanInput {
        kind: b.kind,
        start_time: b.start_time,
        topic: b.record.topic.clone(),
        place: b.record.place.clone(),
        host: b.record.host.clone(),
        recorder: b.record.recorder.clone(),
        ..Default::default()
    };
    let m = store_meeting::record_held(&state.store, &scope.writer()?, &ctx.who(), b.org_id, &plan, &b.record).await?;
    Ok((axum::http::StatusCode::CREATED, Json(m)).into_response())
}
