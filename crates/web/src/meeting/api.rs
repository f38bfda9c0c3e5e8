//! The meeting API (JSON).

use super::*;

pub(crate) async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQ>,
) -> Result<Json<Page<MeetingRow>>> {
    let scope = ctx.org_scope()?;
    let (page, per_page) = q.paging()?;
    Ok(Json(store_meeting::list(&state.store, &scope, &q.filter()?, page, per_page).await?))
}

#[derive(Deserialize)]
pub(crate) struct ApiPlan {
    org_id: i64,
    #[serde(flatten)]
    input: PlanInput,
}

pub(crate) async fn api_plan(State(state): State<AppState>, ctx: Ctx, Json(b): Json<ApiPlan>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let m = store_meeting::plan(&state.store, &scope.writer()?, &ctx.who(), b.org_id, &b.input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(m)).into_response())
}

#[derive(Serialize)]
pub(crate) struct MeetingDetail {
    #[serde(flatten)]
    meeting: MeetingRow,
    kind_label: String,
    quorum_note: String,
    attendees: Vec<AttendeeRow>,
    observers: Vec<Observer>,
    /// For those who manage the meeting: the check-in link the QR code carries.
    checkin_url: Option<String>,
}

pub(crate) async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<MeetingDetail>> {
    let scope = ctx.org_scope()?;
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let kinds = store_meeting::kinds_on(&state.store, m.planned_on).await?;
    Ok(Json(MeetingDetail {
        kind_label: store_meeting::kind_label(&kinds, &m.kind),
        quorum_note: m.quorum_note(),
        attendees: store_meeting::attendees(&state.store, &m).await?,
        observers: store_meeting::observers(&state.store, &m).await?,
        checkin_url: scope.can_write().then(|| checkin_url(&state, &headers, &m)),
        meeting: m,
    }))
}

pub(crate) async fn api_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<RecordInput>,
) -> Result<Json<MeetingRow>> {
    let scope = ctx.org_scope()?;
    Ok(Json(store_meeting::record(&state.store, &scope.writer()?, &ctx.who(), id, &b).await?))
}

pub(crate) async fn api_cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiCancel>,
) -> Result<Json<MeetingRow>> {
    let scope = ctx.org_scope()?;
    let version = form::api_version(b.version, "会议").map_err(|e| AppError::Invalid(vec![e]))?;
    Ok(Json(store_meeting::cancel(&state.store, &scope.writer()?, &ctx.who(), id, &b.reason, Some(version)).await?))
}

/// A cancellation names the version of the meeting the client read.
#[derive(Deserialize)]
pub(crate) struct ApiCancel {
    #[serde(default)]
    reason: String,
    version: Option<i64>,
}

/// One person's correction, with the version of the meeting it corrects.
#[derive(Deserialize)]
pub(crate) struct CorrectionJson {
    #[serde(flatten)]
    mark: AttendanceMark,
    version: i64,
}

pub(crate) async fn api_correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<CorrectionJson>,
) -> Result<Json<MeetingRow>> {
    let scope = ctx.org_scope()?;
    Ok(Json(
        store_meeting::correct_attendance(&state.store, &scope.writer()?, &ctx.who(), id, &b.mark, b.version).await?,
    ))
}

#[derive(Deserialize)]
pub(crate) struct ApiAttendees {
    member_ids: Vec<i64>,
    /// The version of the meeting the client read.
    version: Option<i64>,
}

pub(crate) async fn api_add_attendees(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiAttendees>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let version = form::api_version(b.version, "会议").map_err(|e| AppError::Invalid(vec![e]))?;
    let added =
        store_meeting::add_attendees(&state.store, &scope.writer()?, &ctx.who(), id, &b.member_ids, Some(version))
            .await?;
    Ok(Json(serde_json::json!({ "added": added })))
}

#[derive(Deserialize)]
pub(crate) struct ApiCheckin {
    token: String,
}

pub(crate) async fn api_checkin(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiCheckin>,
) -> Result<Json<serde_json::Value>> {
    let me = ctx.actor()?.attendee()?;
    let o = store_meeting::checkin(&state.store, &me, &ctx.who(), id, &b.token).await?;
    Ok(Json(serde_json::json!({ "outcome": o, "meeting_id": id })))
}

pub(crate) async fn api_kinds(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<xianfeng_core::meeting::MeetingKind>>> {
    ctx.actor()?;
    Ok(Json(crate::form::page_of(kinds_today(&state).await?.kinds, &p)?))
}

pub(crate) async fn api_my_meetings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<store_meeting::MyMeetingRow>>> {
    let me = ctx.actor()?.attendee()?;
    let (page, per_page) = p.api()?;
    Ok(Json(store_meeting::my_meetings(&state.store, &me, page, per_page).await?))
}
