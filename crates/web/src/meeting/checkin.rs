//! Check-in on a member's phone and the member's own meetings.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TokenQ {
    t: String,
}

#[derive(Template)]
#[template(path = "checkin.html")]
pub(crate) struct CheckinPage {
    l: Layout,
    view: Option<store_meeting::CheckinView>,
    kind_label: String,
    token: String,
    done: bool,
    already: bool,
    /// Check-in is not open to this member now: the page says why, no button.
    closed: bool,
    message: String,
}

impl CheckinPage {
    /// A page that shows no meeting, only why and what to do.
    fn refused(l: Layout, message: &str) -> CheckinPage {
        CheckinPage {
            l,
            view: None,
            kind_label: String::new(),
            token: String::new(),
            done: false,
            already: false,
            closed: true,
            message: message.to_string(),
        }
    }
}

pub(crate) async fn checkin_render(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    token: &str,
    done: bool,
    already: bool,
    message: String,
) -> Result<Response> {
    let l = Layout::new(ctx, "会议签到", "/me/meetings").crumb("会议签到", "");
    let me = match ctx.actor()?.attendee() {
        Ok(me) => me,
        Err(_) => {
            return render(&CheckinPage::refused(l, "签到须以“党员”角色进行：请在页面顶部切换角色后重新扫码。"));
        }
    };
    let (view, presence) = match store_meeting::checkin_preview(&state.store, &me, id, token).await {
        Ok(found) => found,
        // A code of no meeting of the member's: say what to do, not a bare 404.
        Err(StoreError::NotFound) => {
            let mut res = render(&CheckinPage::refused(
                l,
                "这个签到二维码无效或已更换：请重新扫描会场屏幕上正在显示的二维码；会后补记出勤请联系会议记录人。",
            ))?;
            *res.status_mut() = axum::http::StatusCode::NOT_FOUND;
            return Ok(res);
        }
        Err(e) => return Err(e.into()),
    };
    let kinds = store_meeting::kinds_on(&state.store, view.planned_on).await?;
    let already = already || (!done && presence.as_deref() == Some(Presence::Present.as_str()));
    // Not open (too early, too late, closed): said before anyone taps.
    let message = match store_meeting::closed_now(&view) {
        Some(why) if message.is_empty() && !already && !done => why,
        _ => message,
    };
    let closed = !done && !already && !message.is_empty();
    render(&CheckinPage {
        l,
        kind_label: store_meeting::kind_label(&kinds, &view.kind),
        view: Some(view),
        token: token.to_string(),
        done,
        already,
        closed,
        message,
    })
}

pub(crate) async fn checkin_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<TokenQ>,
) -> Result<Response> {
    checkin_render(&state, &ctx, id, &q.t, false, false, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TokenForm {
    t: String,
}

pub(crate) async fn checkin_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> Result<Response> {
    let me = ctx.actor()?.attendee()?;
    match store_meeting::checkin(&state.store, &me, &ctx.who(), id, &f.t).await {
        Ok(o) => checkin_render(&state, &ctx, id, &f.t, true, o == CheckinOutcome::Already, String::new()).await,
        Err(StoreError::Rule(msg)) => checkin_render(&state, &ctx, id, &f.t, false, false, msg).await,
        Err(e) => Err(e.into()),
    }
}

// ----- my meetings -----

#[derive(Template)]
#[template(path = "my_meetings.html")]
pub(crate) struct MyMeetingsPage {
    l: Layout,
    rows: Vec<(store_meeting::MyMeetingRow, String)>,
    pager: crate::layout::Pager,
}

/// A member's meetings on a page of 我的组织生活.
const MY_MEETINGS_PER_PAGE: i64 = 30;

pub(crate) async fn my_meetings_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<crate::form::Paging>,
) -> Result<Response> {
    let me = ctx.actor()?.attendee()?;
    let (page, per_page) = q.get(MY_MEETINGS_PER_PAGE, MY_MEETINGS_PER_PAGE)?;
    let kinds = kinds_today(&state).await?;
    let found = store_meeting::my_meetings(&state.store, &me, page, per_page).await?;
    render(&MyMeetingsPage {
        l: Layout::new(&ctx, "我的组织生活", "/me/meetings").crumb("我的组织生活", ""),
        pager: crate::layout::Pager::new(page, per_page, found.total, String::new()),
        rows: found
            .items
            .into_iter()
            .map(|r| {
                let k = store_meeting::kind_label(&kinds, &r.kind);
                (r, k)
            })
            .collect(),
    })
}
