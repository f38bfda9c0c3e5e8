//! Correcting one person's attendance from the meeting page where it is
//! shown (更正): the mark as it stands, the new one and its reason, refused
//! when the meeting changed since it was read; the change goes to the audit
//! log with what it was before.

use super::*;

#[derive(Template)]
#[template(path = "meeting_attendance.html")]
pub(crate) struct AttendancePage {
    l: Layout,
    m: MeetingRow,
    a: AttendeeRow,
    form: AttendanceForm,
    choices: Vec<Presence>,
    errors: Errors,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct AttendanceForm {
    presence: String,
    reason: String,
    /// The meeting's version when the form was shown.
    version: String,
}

async fn attendance_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    member_id: i64,
    form: Option<AttendanceForm>,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_meeting::get(&state.store, &scope, id).await?;
    if m.is_cancelled() {
        return Err(AppError::Rule("会议已取消，不能更正出勤".into()));
    }
    let a = store_meeting::attendees(&state.store, &m)
        .await?
        .into_iter()
        .find(|a| a.member_id == member_id)
        .ok_or(AppError::NotFound)?;
    // The version always carries what is shown now: after a stale refusal
    // the form shows the meeting as it is and can be sent again.
    let form = match form {
        Some(f) => AttendanceForm { version: m.version.to_string(), ..f },
        None => AttendanceForm {
            presence: a.presence.as_str().to_string(),
            reason: a.reason.clone(),
            version: m.version.to_string(),
        },
    };
    render(&AttendancePage {
        l: Layout::new(ctx, format!("更正出勤：{}", a.name), "/meetings")
            .crumb("组织生活", "/meetings")
            .crumb(m.topic.clone(), format!("/meetings/{}", m.id))
            .crumb("更正出勤", ""),
        choices: [Presence::Present, Presence::Leave, Presence::Absent]
            .into_iter()
            .chain((a.presence == Presence::Pending).then_some(Presence::Pending))
            .collect(),
        m,
        a,
        form,
        errors,
    })
}

pub(crate) async fn attendance_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member_id)): Path<(i64, i64)>,
) -> Result<Response> {
    attendance_view(&state, &ctx, id, member_id, None, Errors::default()).await
}

pub(crate) async fn attendance_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member_id)): Path<(i64, i64)>,
    Form(f): Form<AttendanceForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let Ok(version) = f.version.trim().parse::<i64>() else {
        let e = Errors(vec![xianfeng_core::FieldError::new("version", "缺少记录的版本号，请刷新页面后重试")]);
        return attendance_view(&state, &ctx, id, member_id, Some(f), e).await;
    };
    let mark = AttendanceMark { member_id, presence: f.presence.clone(), reason: f.reason.clone() };
    match store_meeting::correct_attendance(&state.store, &scope.writer()?, &ctx.who(), id, &mark, version).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/meetings/{id}?ok=attendance&member={member_id}#attendee-table")).into_response())
        }
        Err(StoreError::Invalid(errs)) => attendance_view(&state, &ctx, id, member_id, Some(f), Errors(errs)).await,
        Err(StoreError::Stale) => {
            let e = Errors(vec![xianfeng_core::FieldError::new(
                "version",
                "会议记录在您打开后已被他人修改，下面是现在的情况，请核对后再保存",
            )]);
            attendance_view(&state, &ctx, id, member_id, Some(f), e).await
        }
        Err(e) => Err(e.into()),
    }
}
