//! A meeting's page, its QR code and the check-in screen shown in the room.

use super::*;

#[derive(Template)]
#[template(path = "meeting.html")]
pub(crate) struct DetailPage {
    l: Layout,
    m: MeetingRow,
    kind_label: String,
    attendees: Vec<AttendeeRow>,
    observers: Vec<Observer>,
    checked_in: i64,
    checkin_url: String,
    can_write: bool,
    is_listed: bool,
    first_agenda: bool,
    attachments: Vec<store_meeting::AttachmentRow>,
    tasks: Vec<xianfeng_store::first_agenda::TaskRow>,
    owners: Vec<xianfeng_store::first_agenda::OwnerOption>,
    task_form: xianfeng_store::first_agenda::TaskInput,
    errors: Errors,
}

/// The absolute check-in link the QR code carries.
pub(crate) fn checkin_url(state: &AppState, headers: &HeaderMap, m: &MeetingRow) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let scheme = if state.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}/checkin/{}?t={}", m.id, store_meeting::current_code(m))
}

pub(crate) async fn detail_view(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    flash_code: &str,
    errors: Errors,
) -> Result<Response> {
    detail_view_with(state, ctx, headers, id, flash_code, errors, Default::default()).await
}

pub(crate) async fn detail_view_with(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    flash_code: &str,
    errors: Errors,
    task_form: xianfeng_store::first_agenda::TaskInput,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let kinds = store_meeting::kinds_on(&state.store, m.planned_on).await?;
    let kind = kinds.find(&m.kind);
    let attendees = store_meeting::attendees(&state.store, &m).await?;
    let observers = store_meeting::observers(&state.store, &m).await?;
    let checked_in = attendees.iter().filter(|a| a.presence == Presence::Present).count() as i64;
    let kind_label = store_meeting::kind_label(&kinds, &m.kind);
    let first_agenda = kind.is_some_and(|k| k.first_agenda);
    let (tasks, owners) = if first_agenda {
        (
            xianfeng_store::first_agenda::of_meeting(&state.store, &m).await?,
            xianfeng_store::first_agenda::owner_options(&state.store, &m).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let attachments = store_meeting::attachments(&state.store, &m).await?;
    let title = format!("{}：{}", kind_label, m.topic);
    let l = Layout::new(ctx, title, "/meetings")
        .crumb("组织生活", "/meetings")
        .crumb(m.org_name.clone(), format!("/meetings?org_id={}", m.org_id))
        .crumb(kind_label.clone(), "")
        .flash(match flash_code {
            // The confirmation names the record and what it says.
            "recorded" => format!(
                "“{}”会议记录已保存：应到 {} 人，出席 {} 人，请假 {} 人，缺席 {} 人",
                m.topic, m.expected_count, m.present_count, m.leave_count, m.absent_count
            ),
            code => match code.strip_prefix("attendance:").and_then(|id| id.parse::<i64>().ok()) {
                Some(who) => attendees
                    .iter()
                    .find(|a| a.member_id == who)
                    .map(|a| format!("已更正{}的出勤：{}", a.name, a.presence_label()))
                    .unwrap_or_default(),
                None => flash(code).to_string(),
            },
        });
    render(&DetailPage {
        l,
        checkin_url: checkin_url(state, headers, &m),
        is_listed: kind.is_some_and(|k| k.invitees == xianfeng_core::meeting::Invitees::Listed),
        can_write: scope.can_write(),
        m,
        kind_label,
        attendees,
        observers,
        checked_in,
        first_agenda,
        attachments,
        tasks,
        owners,
        task_form,
        errors,
    })
}

pub(crate) async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(fq): Query<FlashQ>,
) -> Result<Response> {
    let code = if fq.ok == "attendance" { format!("attendance:{}", fq.member) } else { fq.ok };
    detail_view(&state, &ctx, &headers, id, &code, Errors::default()).await
}

pub(crate) async fn qr_svg(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    // Only the organizers see the code: a member who could read it could check in from home.
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_meeting::get(&state.store, &scope, id).await?;
    let svg = qr_code_svg(&checkin_url(&state, &headers, &m))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-store")], svg).into_response())
}

#[derive(Template)]
#[template(path = "checkin_screen.html")]
pub(crate) struct CheckinScreen {
    m: MeetingRow,
    kind_label: String,
    qr: String,
    code: String,
    url: String,
    checked_in: i64,
    refresh: i64,
}

/// The organizer's projection page: the current code as a large QR code and
/// as six characters, reloading itself before the code changes (no script).
pub(crate) async fn checkin_screen(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_meeting::get(&state.store, &scope, id).await?;
    if !m.checkin_possible() {
        return Err(AppError::Rule("本次会议已结束签到".into()));
    }
    let kinds = store_meeting::kinds_on(&state.store, m.planned_on).await?;
    let url = checkin_url(&state, &headers, &m);
    let period_ms = xianfeng_core::meeting::CHECKIN_CODE_SECONDS * 1000;
    let left = period_ms - xianfeng_core::text::now_ms().rem_euclid(period_ms);
    render(&CheckinScreen {
        kind_label: store_meeting::kind_label(&kinds, &m.kind),
        qr: qr_code_svg(&url)?,
        code: store_meeting::current_code(&m),
        checked_in: store_meeting::checked_in_count(&state.store, &m).await?,
        refresh: (left / 1000).clamp(1, 60),
        url,
        m,
    })
}

/// Renders a QR code as SVG (dark modules on white, with the quiet zone).
pub fn qr_code_svg(text: &str) -> Result<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(format!("二维码生成失败：{e}")))?;
    Ok(code.render::<svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}
