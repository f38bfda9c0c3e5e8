//! Recording a meeting: minutes and attendance, cancelling, adding attendees.

use super::*;

#[derive(Template)]
#[template(path = "meeting_record.html")]
pub(crate) struct RecordPage {
    l: Layout,
    m: MeetingRow,
    kind_label: String,
    first_agenda: bool,
    observers_allowed: bool,
    form: RecordInput,
    observers_text: String,
    attendees: Vec<AttendeeRow>,
    /// How the marks were first set, in words (shown above the list).
    defaults_note: String,
    errors: Errors,
}

/// The attendance table's marks, for the pages that include
/// meeting_record_fields.html.
pub(crate) trait Marks {
    /// The marks a person can be given, in the order shown.
    fn marks(&self) -> [Presence; 3] {
        [Presence::Present, Presence::Leave, Presence::Absent]
    }
    /// Whether `a` is marked `p` (a person never marked counts as absent).
    fn marked(&self, a: &AttendeeRow, p: &Presence) -> bool {
        a.presence == *p || (*p == Presence::Absent && a.presence == Presence::Pending)
    }
}

impl Marks for RecordPage {}

/// First marks of a record form: with check-ins, those who checked in are
/// present and the rest absent until marked; without any, everyone is
/// present and the secretary marks the exceptions (全部出席, then who was on
/// leave or absent). Returns what the page says about it.
pub(crate) fn default_marks(attendees: &mut [AttendeeRow]) -> String {
    let checked_in = attendees.iter().filter(|a| a.presence == Presence::Present).count();
    let pending = attendees.iter().filter(|a| a.presence == Presence::Pending).count();
    if pending == 0 {
        return String::new();
    }
    let fill = if checked_in > 0 { Presence::Absent } else { Presence::Present };
    for a in attendees.iter_mut().filter(|a| a.presence == Presence::Pending) {
        a.presence = fill;
    }
    if checked_in > 0 {
        format!("已扫码签到的 {checked_in} 人记为出席，其余 {pending} 人先记为缺席：请标出其中出席和请假的。")
    } else {
        format!("全部 {pending} 人先记为出席：请只标出请假和缺席的，请假须填写原因。")
    }
}

pub(crate) async fn record_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: Option<RecordInput>,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let kinds = store_meeting::kinds_on(&state.store, m.planned_on).await?;
    let kind = kinds.find(&m.kind);
    let mut attendees = store_meeting::attendees(&state.store, &m).await?;
    let observers = store_meeting::observers(&state.store, &m).await?;
    let observers_text =
        observers.iter().map(|o| format!("{}，{}，{}", o.name, o.org_name, o.position)).collect::<Vec<_>>().join("\n");
    let mut defaults_note = String::new();
    let form = match form {
        Some(f) => {
            // Keep what the user marked.
            for a in &mut attendees {
                if let Some(mk) = f.attendance.iter().find(|x| x.member_id == a.member_id) {
                    if let Some(p) = Presence::parse(&mk.presence) {
                        a.presence = p;
                    }
                    a.reason = mk.reason.clone();
                }
            }
            f
        }
        None => RecordInput {
            held_on: {
                defaults_note = default_marks(&mut attendees);
                m.held_on.unwrap_or(m.planned_on.min(today_cn())).to_string()
            },
            topic: m.topic.clone(),
            place: m.place.clone(),
            host: m.host.clone(),
            recorder: m.recorder.clone(),
            minutes: m.minutes.clone(),
            decisions: m.decisions.clone(),
            first_agenda: m.first_agenda.clone(),
            observers: observers_text.clone(),
            attendance: Vec::new(),
            version: m.version,
        },
    };
    let kind_label = store_meeting::kind_label(&kinds, &m.kind);
    let l = Layout::new(ctx, format!("记录会议：{}", m.topic), "/meetings")
        .crumb("组织生活", "/meetings")
        .crumb(kind_label.clone(), format!("/meetings/{}", m.id))
        .crumb("会议记录", "");
    render(&RecordPage {
        l,
        first_agenda: kind.is_some_and(|k| k.first_agenda),
        observers_allowed: kind.is_some_and(|k| k.observers),
        observers_text: form.observers.clone(),
        kind_label,
        m,
        form,
        attendees,
        defaults_note,
        errors,
    })
}

pub(crate) async fn record_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    record_view(&state, &ctx, id, None, Errors::default()).await
}

/// The record form: fixed fields plus `p_<member id>` (presence) and `r_<member id>` (reason).
pub(crate) fn parse_record_form(pairs: &[(String, String)]) -> RecordInput {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut attendance = Vec::new();
    for (k, v) in pairs {
        if let Some(id) = k.strip_prefix("p_").and_then(|s| s.parse::<i64>().ok()) {
            attendance.push(AttendanceMark { member_id: id, presence: v.clone(), reason: get(&format!("r_{id}")) });
        }
    }
    RecordInput {
        held_on: get("held_on"),
        topic: get("topic"),
        place: get("place"),
        host: get("host"),
        recorder: get("recorder"),
        minutes: get("minutes"),
        decisions: get("decisions"),
        first_agenda: get("first_agenda"),
        observers: get("observers"),
        attendance,
        version: get("version").parse().unwrap_or(0),
    }
}

pub(crate) async fn record_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let input = parse_record_form(&pairs);
    match store_meeting::record(&state.store, &scope.writer()?, &ctx.who(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=recorded")).into_response()),
        Err(StoreError::Invalid(errs)) => record_view(&state, &ctx, id, Some(input), Errors(errs)).await,
        Err(StoreError::Stale) => {
            let errs = vec![xianfeng_core::FieldError::new("version", "会议记录已被他人修改，请核对后重新保存")];
            record_view(&state, &ctx, id, None, Errors(errs)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ReasonForm {
    reason: String,
    version: String,
}

pub(crate) async fn cancel_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let version = match form::form_version(&f.version, "会议") {
        Ok(v) => v,
        Err(e) => return detail_view(&state, &ctx, &headers, id, "", Errors(vec![e])).await,
    };
    match store_meeting::cancel(&state.store, &scope.writer()?, &ctx.who(), id, &f.reason, Some(version)).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=cancelled")).into_response()),
        Err(StoreError::Invalid(errs)) => detail_view(&state, &ctx, &headers, id, "", Errors(errs)).await,
        Err(StoreError::Stale) => detail_view(&state, &ctx, &headers, id, "", stale_meeting()).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NamesForm {
    names: String,
    version: String,
}

/// Adds attendees by name (one or more, separated by commas or spaces), resolved inside the meeting org.
pub(crate) async fn attendees_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<NamesForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let version = match form::form_version(&f.version, "会议") {
        Ok(v) => v,
        Err(e) => return detail_view(&state, &ctx, &headers, id, "", Errors(vec![e])).await,
    };
    let mscope = ctx.member_scope(&state).await?;
    let mut ids = Vec::new();
    let mut errs = Vec::new();
    for name in f.names.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let filter = xianfeng_store::member::MemberFilter {
            name: name.to_string(),
            org_id: Some(m.org_id),
            ..Default::default()
        };
        let found = xianfeng_store::member::list(&state.store, &mscope, &filter, 1, 5).await?;
        let exact: Vec<_> = found.items.iter().filter(|p| p.name == name).collect();
        match exact.len() {
            1 => ids.push(exact[0].id),
            0 => errs.push(format!("未在{}找到党员“{name}”", m.org_name)),
            _ => errs.push(format!("“{name}”有重名，请到党员名册核对后逐一添加")),
        }
    }
    if !errs.is_empty() {
        let errors = Errors(vec![xianfeng_core::FieldError::new("names", errs.join("；"))]);
        return detail_view(&state, &ctx, &headers, id, "", errors).await;
    }
    match store_meeting::add_attendees(&state.store, &scope.writer()?, &ctx.who(), id, &ids, Some(version)).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=attendees")).into_response()),
        Err(StoreError::Invalid(errs)) => detail_view(&state, &ctx, &headers, id, "", Errors(errs)).await,
        Err(StoreError::Stale) => detail_view(&state, &ctx, &headers, id, "", stale_meeting()).await,
        Err(e) => Err(e.into()),
    }
}

/// What a page says when the meeting changed after it was shown: the user
/// sees the meeting as it is now and decides again.
pub(crate) fn stale_meeting() -> Errors {
    Errors(vec![xianfeng_core::FieldError::new("version", "会议已被他人修改，以下为最新情况，请核对后重新操作")])
}
