//! QR check-in on a member's phone, and a member's own meetings.

use super::*;
use xianfeng_core::states::sql;

/// The outcome of a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckinOutcome {
    /// Recorded now.
    CheckedIn,
    /// Already recorded earlier; nothing changed.
    Already,
}

/// What a member sees before confirming a check-in.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CheckinView {
    pub committee_id: i64,
    pub id: i64,
    pub org_name: String,
    pub kind: String,
    pub topic: String,
    pub planned_on: NaiveDate,
    pub start_time: String,
    pub place: String,
    pub status: String,
    pub checkin_open: bool,
    #[serde(skip)]
    pub checkin_token: String,
    #[serde(skip)]
    pub org_path: String,
}

pub(crate) async fn checkin_view(store: &Store, me: &Attendee, id: i64, token: &str) -> Result<CheckinView> {
    let v: CheckinView = store
        .db
        .r()
        .fetch_optional(q!(
            "SELECT m.committee_id, m.id, o.name AS org_name, m.kind, m.topic, m.planned_on, m.start_time, m.place, m.status, m.checkin_open, m.checkin_token, o.path AS org_path \
             FROM meetings m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id WHERE m.committee_id = $1 AND m.id = $2",
            me.committee_id(),
            id
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    // A meeting without a secret (recorded from the start) takes no check-in.
    if v.checkin_token.is_empty() {
        return Err(StoreError::NotFound);
    }
    let _ = token;
    Ok(v)
}

/// The check-in code to show on the organizer's screen now.
pub fn current_code(m: &MeetingRow) -> String {
    core_meeting::checkin_code(&m.checkin_token, core_meeting::checkin_period(now_ms()))
}

/// Why a code is not accepted now, if it is not: the hours, then the code.
/// Refusals are counted on the meeting for its organizer.
/// Why check-in is not open now, if it is not: before the meeting's hours,
/// after them, or the meeting no longer taking check-ins. The confirmation
/// page says it before anyone taps.
pub fn closed_now(v: &CheckinView) -> Option<String> {
    if v.status != MeetingStatus::Planned.as_str() || !v.checkin_open {
        return Some("本次会议已结束签到；如需更正出勤，请联系会议记录人".into());
    }
    let now = now_ms();
    let (from, to) = core_meeting::checkin_hours(v.planned_on, &v.start_time);
    if now < from {
        Some(if v.planned_on > today_cn() {
            format!("会议定于{}召开，届时再签到", v.planned_on)
        } else {
            format!("签到将于会议开始前{}分钟开放", core_meeting::CHECKIN_OPENS_BEFORE_MINUTES)
        })
    } else if now >= to {
        Some("本次会议的签到时间已过；如需更正出勤，请联系会议记录人".to_string())
    } else {
        None
    }
}

pub(crate) async fn refuse_code(store: &Store, v: &CheckinView, code: &str) -> Result<Option<String>> {
    let now = now_ms();
    let why = if let Some(closed) = closed_now(v) {
        closed
    } else {
        match core_meeting::check_code(&v.checkin_token, code, now) {
            core_meeting::CodeCheck::Valid => return Ok(None),
            core_meeting::CodeCheck::Expired => {
                "签到码已过期：请扫描会场屏幕上正在显示的二维码（每分钟更新）".to_string()
            }
            core_meeting::CodeCheck::Wrong => "签到码不正确：请扫描会场屏幕上的二维码".to_string(),
        }
    };
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "UPDATE meetings SET checkin_refused = checkin_refused + 1 WHERE committee_id = $1 AND id = $2",
            v.committee_id,
            v.id
        ))
        .await?;
    tx.commit().await?;
    Ok(Some(why))
}

/// The meeting behind a check-in code, for the confirmation page.
#[tracing::instrument(skip_all)]
pub async fn checkin_preview(
    store: &Store,
    me: &Attendee,
    id: i64,
    token: &str,
) -> Result<(CheckinView, Option<String>)> {
    let v = checkin_view(store, me, id, token).await?;
    // Only a code of this meeting (current or expired) shows it.
    if core_meeting::check_code(&v.checkin_token, token, now_ms()) == core_meeting::CodeCheck::Wrong {
        return Err(StoreError::NotFound);
    }
    let presence: Option<String> = {
        #[derive(sqlx::FromRow)]
        struct P {
            presence: String,
        }
        let p: Option<P> = store
            .db
            .r()
            .fetch_optional(q!(
                "SELECT presence FROM meeting_attendees WHERE committee_id = $1 AND meeting_id = $2 AND member_id = $3",
                me.committee_id(),
                id,
                me.member_id()
            ))
            .await?;
        p.map(|p| p.presence)
    };
    Ok((v, presence))
}

/// Checks a member in. Idempotent: a second scan changes nothing and says so.
#[tracing::instrument(skip_all)]
pub async fn checkin(store: &Store, me: &Attendee, who: &Who, id: i64, token: &str) -> Result<CheckinOutcome> {
    let v = checkin_view(store, me, id, token).await?;
    if v.status != MeetingStatus::Planned.as_str() || !v.checkin_open {
        return Err(StoreError::Rule("本次会议已结束签到；如需更正出勤，请联系会议记录人".into()));
    }
    if let Some(why) = refuse_code(store, &v, token).await? {
        return Err(StoreError::Rule(why));
    }
    #[derive(sqlx::FromRow)]
    struct Me {
        status: String,
        path: String,
    }
    let person: Me = store
        .db
        .r()
        .fetch_one(q!(
            "SELECT p.status, o.path FROM members p JOIN orgs o ON o.committee_id = p.committee_id AND o.id = p.org_id WHERE p.committee_id = $1 AND p.id = $2",
            me.committee_id(),
            me.member_id()
        ))
        .await?;
    let mut tx = store.db.begin().await?;
    let now = now_ms();
    // Expected attendees flip from pending (or absent) to present once.
    let n = tx
        .c()
        .execute(q!(
            format!(
                "UPDATE meeting_attendees SET presence = {present}, checked_in_at = $1, source = 'qr' \
             WHERE committee_id = $2 AND meeting_id = $3 AND member_id = $4 AND presence <> {present}",
                present = sql(Presence::Present)
            ),
            now,
            me.committee_id(),
            id,
            me.member_id()
        ))
        .await?;
    let outcome = if n == 1 {
        CheckinOutcome::CheckedIn
    } else {
        let listed = tx
            .c()
            .fetch_scalar_i64(q!(
                "SELECT COUNT(*) AS v FROM meeting_attendees WHERE committee_id = $1 AND meeting_id = $2 AND member_id = $3",
                me.committee_id(),
                id,
                me.member_id()
            ))
            .await?;
        if listed > 0 {
            CheckinOutcome::Already
        } else {
            // Not on the list: members of the meeting org's subtree may join (e.g. a unit-wide lecture).
            if !person.path.starts_with(&v.org_path) || !matches!(person.status.as_str(), "full" | "probationary") {
                return Err(StoreError::Rule("您不在本次会议的应到人员范围内，请联系会议记录人".into()));
            }
            let added = tx
                .c()
                .execute(q!(
                    "INSERT INTO meeting_attendees (committee_id, meeting_id, member_id, voting, committee_member, presence, checked_in_at, source) \
                     VALUES ($1, $2, $3, $4, FALSE, 'present', $5, 'qr') ON CONFLICT (committee_id, meeting_id, member_id) DO NOTHING",
                    me.committee_id(), id, me.member_id(), person.status == MemberStatus::Full.as_str(), now
                ))
                .await?;
            if added == 1 {
                tx.c()
                    .execute(q!(
                        "UPDATE meetings SET expected_count = expected_count + 1 WHERE committee_id = $1 AND id = $2",
                        me.committee_id(),
                        id
                    ))
                    .await?;
                CheckinOutcome::CheckedIn
            } else {
                CheckinOutcome::Already
            }
        }
    };
    if outcome == CheckinOutcome::CheckedIn {
        append(&mut tx, &store.keys.audit_key, who, Event::ok("check_in", "meeting", id)).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Live count of check-ins of a planned meeting.
#[tracing::instrument(skip_all)]
pub async fn checked_in_count(store: &Store, m: &MeetingRow) -> Result<i64> {
    store
        .db
        .r()
        .fetch_scalar_i64(q!(
            format!("SELECT COUNT(*) AS v FROM meeting_attendees WHERE committee_id = $1 AND meeting_id = $2 AND presence = {present}", present = sql(Presence::Present)),
            m.committee_id,
            m.id
        ))
        .await
}

/// A member's own meetings (self-service), newest first.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MyMeetingRow {
    pub id: i64,
    pub org_name: String,
    pub kind: String,
    pub topic: String,
    pub planned_on: NaiveDate,
    pub held_on: Option<NaiveDate>,
    pub status: MeetingStatus,
    pub presence: Presence,
    pub checked_in_at: Option<i64>,
}

impl MyMeetingRow {
    pub fn is_cancelled(&self) -> bool {
        self.status == MeetingStatus::Cancelled
    }
    pub fn presence_label(&self) -> &'static str {
        self.presence.label()
    }
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
}

#[tracing::instrument(skip_all)]
pub async fn my_meetings(store: &Store, me: &Attendee, page: i64, per_page: i64) -> Result<crate::Page<MyMeetingRow>> {
    // Attendance stays with the meetings; a member who moved units reads their earlier units' too.
    let prior = crate::transfer::prior_of(store, me.committee_id(), me.member_id()).await?;
    let mut q = Q::new(
        "SELECT m.id, o.name AS org_name, m.kind, m.topic, m.planned_on, m.held_on, m.status, a.presence, a.checked_in_at \
         FROM meeting_attendees a JOIN meetings m ON m.committee_id = a.committee_id AND m.id = a.meeting_id \
         JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id WHERE a.member_id = ",
    );
    q.bind(me.member_id()).push(" AND a.committee_id IN ");
    q.push_row(crate::transfer::committees_of(me.committee_id(), &prior).iter().map(|c| (*c).into()).collect());
    crate::fetch_page(store, q, "m.planned_on DESC, m.id DESC", page, per_page).await
}
