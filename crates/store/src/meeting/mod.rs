//! Meetings of every kind: planning, recording with attendance and observers,
//! QR check-in, corrections, attachments and first-agenda tasks. Every write
//! that changes whether or how a meeting counts re-tallies its org's year in
//! the same transaction, so compliance never waits on a batch job.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use xianfeng_core::auth::{Attendee, OrgScope, OrgWrite};
use xianfeng_core::meeting::{
    self as core_meeting, AttendeeFacts, Invitees, MeetingKind, MeetingKinds, MeetingStatus, Observer, PlanInput,
    Presence, Quorum, Tally,
};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::rules::OrgRules;
use xianfeng_core::text::{now_ms, today_cn};

use crate::audit::{Event, append};
use crate::db::{Q, Tx};
use crate::org::{self, OrgRow, scope_where};
use crate::{Page, Result, Store, StoreError, Who, q};

mod attachments;
mod checkin;
mod counts;
mod plan;
mod record;
mod tally;

pub use self::attachments::*;
pub use self::checkin::*;
pub use self::counts::*;
pub use self::plan::*;
pub use self::record::*;
pub use self::tally::*;
use xianfeng_core::org::Post;
use xianfeng_core::states::sql;

pub const COLS: &str = "m.committee_id, m.id, m.org_id, o.name AS org_name, o.path AS org_path, m.kind, m.status, m.planned_on, m.held_on, \
    m.start_time, m.place, m.topic, m.host, m.recorder, m.minutes, m.decisions, m.first_agenda, m.quorum, m.expected_count, \
    m.present_count, m.leave_count, m.absent_count, m.voting_total, m.voting_present, m.committee_total, m.committee_present, \
    m.observer_count, m.quorum_met, m.counted, m.checkin_token, m.checkin_open, m.checkin_refused, m.cancel_reason, m.version, m.created_by, \
    m.created_at, m.updated_at";

/// A meeting with its org's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub committee_id: i64,
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    pub kind: String,
    pub status: MeetingStatus,
    pub planned_on: NaiveDate,
    pub held_on: Option<NaiveDate>,
    pub start_time: String,
    pub place: String,
    pub topic: String,
    pub host: String,
    pub recorder: String,
    pub minutes: String,
    pub decisions: String,
    pub first_agenda: String,
    pub quorum: Quorum,
    pub expected_count: i64,
    pub present_count: i64,
    pub leave_count: i64,
    pub absent_count: i64,
    pub voting_total: i64,
    pub voting_present: i64,
    pub committee_total: i64,
    pub committee_present: i64,
    pub observer_count: i64,
    pub quorum_met: bool,
    pub counted: bool,
    #[serde(skip)]
    pub checkin_token: String,
    pub checkin_open: bool,
    /// Check-ins refused (expired or wrong code, outside the hours).
    pub checkin_refused: i64,
    pub cancel_reason: String,
    pub version: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MeetingRow {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::Meeting> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

impl MeetingRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn is_held(&self) -> bool {
        self.status == MeetingStatus::Held
    }
    pub fn is_cancelled(&self) -> bool {
        self.status == MeetingStatus::Cancelled
    }
    pub fn headcount(&self) -> core_meeting::Headcount {
        core_meeting::Headcount {
            expected: self.expected_count,
            present: self.present_count,
            leave: self.leave_count,
            absent: self.absent_count,
            voting_total: self.voting_total,
            voting_present: self.voting_present,
            committee_total: self.committee_total,
            committee_present: self.committee_present,
        }
    }
    pub fn quorum_note(&self) -> String {
        if self.is_held() { core_meeting::quorum_note(self.quorum, &self.headcount()) } else { String::new() }
    }
    /// Attendance rate in per cent of those expected (0 when nobody was expected).
    pub fn attendance_rate(&self) -> f64 {
        if self.expected_count == 0 { 0.0 } else { self.present_count as f64 * 100.0 / self.expected_count as f64 }
    }
    pub fn date(&self) -> NaiveDate {
        self.held_on.unwrap_or(self.planned_on)
    }
    pub fn held_on_text(&self) -> String {
        self.held_on.map(|d| d.to_string()).unwrap_or_default()
    }
    /// Whether members may check in now.
    pub fn checkin_possible(&self) -> bool {
        self.status == MeetingStatus::Planned && self.checkin_open
    }
}

/// One expected attendee with the member's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttendeeRow {
    pub member_id: i64,
    pub name: String,
    pub member_status: MemberStatus,
    pub voting: bool,
    pub committee_member: bool,
    pub presence: Presence,
    pub reason: String,
    pub checked_in_at: Option<i64>,
    pub source: String,
}

impl AttendeeRow {
    pub fn presence_label(&self) -> &'static str {
        self.presence.label()
    }
    pub fn checked_in_text(&self) -> String {
        self.checked_in_at.map(xianfeng_core::text::datetime_ms).unwrap_or_default()
    }
    /// Whether the attendee's presence has this code (for the record form's radio buttons).
    pub fn is(&self, p: &str) -> bool {
        self.presence.as_str() == p
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MeetingFilter {
    pub org_id: Option<i64>,
    pub kind: String,
    pub status: String,
    pub year: Option<i32>,
    pub q: String,
}

fn scoped(scope: &OrgScope, cols: &str) -> Q {
    let mut q = Q::new(format!(
        "SELECT {cols} FROM meetings m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id WHERE 1 = 1"
    ));
    scope_where(&mut q, scope, "o");
    q
}

fn apply_filter(q: &mut Q, f: &MeetingFilter, sub_path: Option<&str>) {
    if let Some(p) = sub_path {
        q.push(" AND o.path LIKE ").bind(format!("{p}%"));
    }
    if !f.kind.is_empty() {
        q.push(" AND m.kind = ").bind(f.kind.clone());
    }
    if !f.status.is_empty() {
        q.push(" AND m.status = ").bind(f.status.clone());
    }
    if let Some(y) = f.year {
        let from = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
        let to = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or_default();
        q.push(" AND m.planned_on BETWEEN ").bind(from).push(" AND ").bind(to);
    }
    if !f.q.trim().is_empty() {
        q.push(" AND m.topic LIKE ").bind(format!("%{}%", crate::db::like_escape(f.q.trim()))).push(" ESCAPE '\\'");
    }
}

/// Meetings in scope (optionally within one org's subtree), newest first.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &OrgScope,
    f: &MeetingFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<MeetingRow>> {
    let sub = match f.org_id {
        Some(id) => Some(org::get(store.db.r(), scope, id).await?.path),
        None => None,
    };
    // The total from the count rollup unless words of the topic narrow it
    // (a province's year is a few thousand rollup rows, not 200,000 meetings).
    let total = if f.q.trim().is_empty() {
        counts::total(store, scope, f, sub.as_deref()).await?
    } else {
        let mut count = scoped(scope, "COUNT(*) AS v");
        apply_filter(&mut count, f, sub.as_deref());
        store.db.r().fetch_scalar_i64(count).await?
    };
    let mut q = scoped(scope, COLS);
    apply_filter(&mut q, f, sub.as_deref());
    q.push(" ORDER BY m.planned_on DESC, m.id DESC LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
    let items = store.db.r().fetch_all(q).await?;
    Ok(Page { items, total, page, per_page })
}

/// The first meeting of a kind an org has planned but not yet recorded, on
/// or before `until`: where a reminder that the meeting is due should lead
/// (to its record, not to planning it a second time).
#[tracing::instrument(skip_all)]
pub async fn planned(
    store: &Store,
    scope: &OrgScope,
    org_id: i64,
    kind: &str,
    until: NaiveDate,
) -> Result<Option<MeetingRow>> {
    let mut q = scoped(scope, COLS);
    q.push(" AND m.org_id = ").bind(org_id).push(" AND m.kind = ").bind(kind.to_string());
    q.push(&format!(" AND m.status = {} AND m.planned_on <= ", sql(MeetingStatus::Planned))).bind(until);
    q.push(" ORDER BY m.planned_on, m.id LIMIT 1");
    store.db.r().fetch_optional(q).await
}

/// One meeting in scope, or NotFound.
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &OrgScope, id: i64) -> Result<MeetingRow> {
    let mut q = scoped(scope, COLS);
    q.push(" AND m.id = ").bind(id);
    store.db.r().fetch_one(q).await
}

#[tracing::instrument(skip_all)]
pub async fn attendees(store: &Store, m: &MeetingRow) -> Result<Vec<AttendeeRow>> {
    store
        .db
        .r()
        .fetch_all(q!(
            "SELECT a.member_id, p.name, p.status AS member_status, a.voting, a.committee_member, a.presence, a.reason, a.checked_in_at, a.source \
             FROM meeting_attendees a JOIN members p ON p.committee_id = a.committee_id AND p.id = a.member_id \
             WHERE a.committee_id = $1 AND a.meeting_id = $2 ORDER BY a.committee_member DESC, p.name, a.member_id",
            m.committee_id,
            m.id
        ))
        .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
struct ObserverDb {
    name: String,
    org_name: String,
    position: String,
}

#[tracing::instrument(skip_all)]
pub async fn observers(store: &Store, m: &MeetingRow) -> Result<Vec<Observer>> {
    let rows: Vec<ObserverDb> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT name, org_name, position FROM meeting_observers WHERE committee_id = $1 AND meeting_id = $2 ORDER BY seq",
            m.committee_id,
            m.id
        ))
        .await?;
    Ok(rows.into_iter().map(|r| Observer { name: r.name, org_name: r.org_name, position: r.position }).collect())
}

/// The meeting-kind rules in force on a date.
#[tracing::instrument(skip_all)]
pub async fn kinds_on(store: &Store, day: NaiveDate) -> Result<MeetingKinds> {
    Ok(store.rules().await?.get::<MeetingKinds>(day))
}

/// Kind label for display (from the rules in force today, else the id).
pub fn kind_label(kinds: &MeetingKinds, id: &str) -> String {
    kinds.find(id).map(|k| k.label.clone()).unwrap_or_else(|| id.to_string())
}

#[derive(sqlx::FromRow)]
struct Invitee {
    id: i64,
    name: String,
    status: MemberStatus,
    committee_post: bool,
}

/// The members a meeting of this kind in this org expects (its 应到人员):
/// the org's full and probationary members, a group's own, or the committee.
async fn invitees(c: crate::db::Conn<'_>, org: &OrgRow, kind: &MeetingKind) -> Result<Vec<Invitee>> {
    let statuses = format!("({}, {})", sql(MemberStatus::Full), sql(MemberStatus::Probationary));
    let committee_post = format!(
        "EXISTS (SELECT 1 FROM org_posts p WHERE p.committee_id = m.committee_id AND p.org_id = $2 AND p.member_id = m.id AND p.post <> {group_leader})",
        group_leader = sql(Post::GroupLeader)
    );
    let cols = "m.id, m.name, m.status";
    let sql = match kind.invitees {
        Invitees::Listed => return Ok(Vec::new()),
        Invitees::AllMembers if org.kind() == xianfeng_core::org::OrgKind::Group => format!(
            "SELECT {cols}, {committee_post} AS committee_post FROM members m WHERE m.committee_id = $1 AND m.group_id = $2 AND m.status IN {statuses} ORDER BY m.id"
        ),
        Invitees::AllMembers => format!(
            "SELECT {cols}, {committee_post} AS committee_post FROM members m WHERE m.committee_id = $1 AND m.org_id = $2 AND m.status IN {statuses} ORDER BY m.id"
        ),
        Invitees::Committee => format!(
            "SELECT {cols}, TRUE AS committee_post FROM members m WHERE m.committee_id = $1 AND m.status IN {statuses} AND {committee_post} ORDER BY m.id"
        ),
    };
    c.fetch_all(q!(sql, org.committee_id, org.id)).await
}

/// Who a meeting of this kind would expect if planned in this org now, as
/// unmarked attendees: the form that records a meeting held without a plan
/// lists them before anything is written.
#[tracing::instrument(skip_all)]
pub async fn would_invite(
    store: &Store,
    scope: &OrgWrite,
    org_id: i64,
    kind: &MeetingKind,
) -> Result<Vec<AttendeeRow>> {
    let o = org::get(store.db.r(), scope, org_id).await?;
    Ok(invitees(store.db.r(), &o, kind)
        .await?
        .into_iter()
        .map(|i| AttendeeRow {
            member_id: i.id,
            name: i.name,
            member_status: i.status,
            voting: i.status == MemberStatus::Full,
            committee_member: i.committee_post,
            presence: Presence::Pending,
            reason: String::new(),
            checked_in_at: None,
            source: "plan".into(),
        })
        .collect())
}

/// Whether a branch has a committee under the org rules (filled committee posts).
pub fn has_committee(posts: i64, rules: &OrgRules) -> bool {
    posts >= rules.committee_min_size
}
