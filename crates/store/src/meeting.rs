//! Meetings of every kind: planning, recording with attendance and observers,
//! QR check-in, corrections, attachments and first-agenda tasks. Every write
//! that changes whether or how a meeting counts re-tallies its org's year in
//! the same transaction, so compliance never waits on a batch job.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use xianfeng_core::auth::{Attendee, OrgScope};
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
    pub status: String,
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
    pub quorum: String,
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
    pub fn status(&self) -> MeetingStatus {
        MeetingStatus::parse(&self.status).unwrap_or(MeetingStatus::Planned)
    }
    pub fn status_label(&self) -> &'static str {
        self.status().label()
    }
    pub fn quorum(&self) -> Quorum {
        Quorum::parse(&self.quorum).unwrap_or_default()
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
        if self.status() == MeetingStatus::Held {
            core_meeting::quorum_note(self.quorum(), &self.headcount())
        } else {
            String::new()
        }
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
        self.status() == MeetingStatus::Planned && self.checkin_open
    }
}

/// One expected attendee with the member's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttendeeRow {
    pub member_id: i64,
    pub name: String,
    pub member_status: String,
    pub voting: bool,
    pub committee_member: bool,
    pub presence: String,
    pub reason: String,
    pub checked_in_at: Option<i64>,
    pub source: String,
}

impl AttendeeRow {
    pub fn presence(&self) -> Presence {
        Presence::parse(&self.presence).unwrap_or(Presence::Pending)
    }
    pub fn presence_label(&self) -> &'static str {
        self.presence().label()
    }
    pub fn checked_in_text(&self) -> String {
        self.checked_in_at.map(xianfeng_core::text::datetime_ms).unwrap_or_default()
    }
    pub fn is(&self, p: &str) -> bool {
        self.presence == p
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
    // The whole province with no org filter counts the meetings alone: an
    // org is never deleted (it is dissolved), so the join would only cost
    // (360 ms against 20–75 ms over the demo's million meetings).
    let mut count = if scope.is_whole_tree() && sub.is_none() {
        Q::new("SELECT COUNT(*) AS v FROM meetings m WHERE 1 = 1")
    } else {
        scoped(scope, "COUNT(*) AS v")
    };
    apply_filter(&mut count, f, sub.as_deref());
    let total = store.db.r().fetch_scalar_i64(count).await?;
    let mut q = scoped(scope, COLS);
    apply_filter(&mut q, f, sub.as_deref());
    q.push(" ORDER BY m.planned_on DESC, m.id DESC LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
    let items = store.db.r().fetch_all(q).await?;
    Ok(Page { items, total, page, per_page })
}

/// One meeting in scope, or NotFound.
pub async fn get(store: &Store, scope: &OrgScope, id: i64) -> Result<MeetingRow> {
    let mut q = scoped(scope, COLS);
    q.push(" AND m.id = ").bind(id);
    store.db.r().fetch_one(q).await
}

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
    status: String,
    committee_post: bool,
}

async fn invitees(tx: &mut Tx, org: &OrgRow, kind: &MeetingKind) -> Result<Vec<Invitee>> {
    let statuses = "('full', 'probationary')";
    let committee_post = "EXISTS (SELECT 1 FROM org_posts p WHERE p.committee_id = m.committee_id AND p.org_id = $2 AND p.member_id = m.id AND p.post <> 'group_leader')";
    let sql = match kind.invitees {
        Invitees::Listed => return Ok(Vec::new()),
        Invitees::AllMembers if org.kind() == xianfeng_core::org::OrgKind::Group => format!(
            "SELECT m.id, m.status, {committee_post} AS committee_post FROM members m WHERE m.committee_id = $1 AND m.group_id = $2 AND m.status IN {statuses} ORDER BY m.id"
        ),
        Invitees::AllMembers => format!(
            "SELECT m.id, m.status, {committee_post} AS committee_post FROM members m WHERE m.committee_id = $1 AND m.org_id = $2 AND m.status IN {statuses} ORDER BY m.id"
        ),
        Invitees::Committee => format!(
            "SELECT m.id, m.status, TRUE AS committee_post FROM members m WHERE m.committee_id = $1 AND m.status IN {statuses} AND {committee_post} ORDER BY m.id"
        ),
    };
    tx.c().fetch_all(q!(sql, org.committee_id, org.id)).await
}

/// Plans a meeting; expected attendees are prefilled from the org's members.
pub async fn plan(store: &Store, scope: &OrgScope, who: &Who, org_id: i64, input: &PlanInput) -> Result<MeetingRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let o = org::get(store.db.r(), scope, org_id).await?;
    if !o.active {
        return Err(StoreError::Rule("该组织已撤销，不能安排会议".into()));
    }
    let day = core_meeting::parse_day(&input.planned_on).unwrap_or_else(today_cn);
    let kinds = kinds_on(store, day).await?;
    let p = core_meeting::validate_plan(input, &kinds, o.kind())?;
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO meetings (committee_id, id, org_id, kind, status, planned_on, start_time, place, topic, host, recorder, quorum, checkin_token, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'planned', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
            o.committee_id, id, o.id, p.kind.id.clone(), p.planned_on, p.start_time, p.place, p.topic.clone(), p.host,
            p.recorder, p.kind.quorum.as_str(), core_meeting::checkin_token(), who.username.clone(), now
        ))
        .await?;
    let people = invitees(&mut tx, &o, &p.kind).await?;
    for chunk in people.chunks(200) {
        let mut q = Q::new(
            "INSERT INTO meeting_attendees (committee_id, meeting_id, member_id, voting, committee_member, presence, source) VALUES ",
        );
        for (i, m) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push_row(vec![
                o.committee_id.into(),
                id.into(),
                m.id.into(),
                (m.status == MemberStatus::Full.as_str()).into(),
                m.committee_post.into(),
                Presence::Pending.as_str().into(),
                "plan".into(),
            ]);
        }
        tx.c().execute(q).await?;
    }
    tx.c()
        .execute(q!(
            "UPDATE meetings SET expected_count = $1 WHERE committee_id = $2 AND id = $3",
            people.len() as i64,
            o.committee_id,
            id
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("create", "meeting", id).detail(format!("{}：{}（{}）", p.kind.label, p.topic, p.planned_on)),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// What the secretary records after the meeting.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RecordInput {
    pub held_on: String,
    pub topic: String,
    pub place: String,
    pub host: String,
    pub recorder: String,
    pub minutes: String,
    pub decisions: String,
    pub first_agenda: String,
    /// One observer per line: 姓名，单位，职务.
    pub observers: String,
    /// Attendance per member; members not listed keep their current mark
    /// (an unmarked "pending" becomes absent).
    pub attendance: Vec<AttendanceMark>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct AttendanceMark {
    pub member_id: i64,
    pub presence: String,
    pub reason: String,
}

fn check_mark(mark: &AttendanceMark) -> Result<Presence> {
    let p = Presence::parse(&mark.presence)
        .ok_or_else(|| StoreError::invalid("attendance", format!("出勤情况“{}”无效", mark.presence)))?;
    if p == Presence::Leave && mark.reason.trim().is_empty() {
        return Err(StoreError::invalid("attendance", "请假须填写原因"));
    }
    if mark.reason.chars().count() > 100 {
        return Err(StoreError::invalid("attendance", "原因不能超过100个字"));
    }
    Ok(p)
}

/// Records (or corrects) a held meeting: minutes, attendance, observers.
pub async fn record(store: &Store, scope: &OrgScope, who: &Who, id: i64, input: &RecordInput) -> Result<MeetingRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = get(store, scope, id).await?;
    if m.status() == MeetingStatus::Cancelled {
        return Err(StoreError::Rule("会议已取消，不能记录".into()));
    }
    if input.version < 1 {
        return Err(StoreError::invalid("version", "缺少记录的版本号（version），请刷新页面后重试"));
    }
    if input.version != m.version {
        return Err(StoreError::Stale);
    }
    let o = org::get(store.db.r(), scope, m.org_id).await?;
    let mut errors = Vec::new();
    let held_on = match core_meeting::parse_day(&input.held_on) {
        Some(d) => Some(d),
        None => {
            errors.push(xianfeng_core::FieldError::new("held_on", "请按 2025-07-01 的格式填写召开日期"));
            None
        }
    };
    if let Some(d) = held_on
        && let Err(xianfeng_core::Error::Invalid(mut e)) = core_meeting::check_held_on(d, today_cn(), o.established_on)
    {
        errors.append(&mut e);
    }
    let kinds = kinds_on(store, held_on.unwrap_or(m.planned_on)).await?;
    let kind = kinds.find(&m.kind).cloned();
    let topic = input.topic.trim().to_string();
    if topic.is_empty() {
        errors.push(xianfeng_core::FieldError::new("topic", "请填写会议主题"));
    }
    if input.minutes.trim().is_empty() {
        errors.push(xianfeng_core::FieldError::new("minutes", "请填写会议记录（主要内容）"));
    } else if input.minutes.chars().count() > 20_000 {
        errors.push(xianfeng_core::FieldError::new("minutes", "会议记录不能超过20000字"));
    }
    if kind.as_ref().is_some_and(|k| k.first_agenda) && input.first_agenda.trim().is_empty() {
        errors.push(xianfeng_core::FieldError::new("first_agenda", "请填写第一议题学习的内容"));
    }
    let observers = match core_meeting::parse_observers(&input.observers) {
        Ok(o) => o,
        Err(xianfeng_core::Error::Invalid(mut e)) => {
            errors.append(&mut e);
            Vec::new()
        }
        Err(e) => return Err(e.into()),
    };
    let mut marks = Vec::new();
    for mark in &input.attendance {
        match check_mark(mark) {
            Ok(p) => marks.push((mark.member_id, p, mark.reason.trim().to_string())),
            Err(StoreError::Invalid(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let held_on = held_on.expect("checked");
    let quorum = kind.as_ref().map(|k| k.quorum).unwrap_or(m.quorum());
    let mut tx = store.db.begin().await?;
    // The version is taken inside the transaction: of two saves made from the
    // same version, the second finds it gone and is refused, never applied.
    take_version(&mut tx, &m, input.version).await?;
    let now = now_ms();
    #[derive(sqlx::FromRow)]
    struct Current {
        member_id: i64,
        presence: String,
        reason: String,
    }
    let before: std::collections::HashMap<i64, (String, String)> = tx
        .c()
        .fetch_all::<Current>(q!(
            "SELECT member_id, presence, reason FROM meeting_attendees WHERE committee_id = $1 AND meeting_id = $2",
            m.committee_id,
            m.id
        ))
        .await?
        .into_iter()
        .map(|c| (c.member_id, (c.presence, c.reason)))
        .collect();
    // Transitions "请假 → 出席" with how many took each; reasons changed alone.
    let mut moves: std::collections::BTreeMap<(String, String), i64> = Default::default();
    let mut reasons_changed = 0;
    for (member_id, p, reason) in &marks {
        let Some((old_p, old_r)) = before.get(member_id) else {
            return Err(StoreError::invalid("attendance", format!("党员（{member_id}）不在本次会议的应到人员名单中")));
        };
        if old_p == p.as_str() && old_r == reason {
            continue;
        }
        tx.c()
            .execute(q!(
                "UPDATE meeting_attendees SET presence = $1, reason = $2, source = CASE WHEN presence = $1 THEN source ELSE $3 END \
                 WHERE committee_id = $4 AND meeting_id = $5 AND member_id = $6",
                p.as_str(),
                reason.clone(),
                if m.status() == MeetingStatus::Held { "correction" } else { "record" },
                m.committee_id,
                m.id,
                *member_id
            ))
            .await?;
        if old_p == p.as_str() {
            reasons_changed += 1;
        } else {
            let old_label = Presence::parse(old_p).map(|x| x.label()).unwrap_or("未知").to_string();
            *moves.entry((old_label, p.label().to_string())).or_default() += 1;
        }
    }
    tx.c()
        .execute(q!(
            "UPDATE meeting_attendees SET presence = 'absent' WHERE committee_id = $1 AND meeting_id = $2 AND presence = 'pending'",
            m.committee_id,
            m.id
        ))
        .await?;
    tx.c()
        .execute(q!("DELETE FROM meeting_observers WHERE committee_id = $1 AND meeting_id = $2", m.committee_id, m.id))
        .await?;
    for (i, ob) in observers.iter().enumerate() {
        tx.c()
            .execute(q!(
                "INSERT INTO meeting_observers (committee_id, meeting_id, seq, name, org_name, position) VALUES ($1, $2, $3, $4, $5, $6)",
                m.committee_id, m.id, i as i64 + 1, ob.name.clone(), ob.org_name.clone(), ob.position.clone()
            ))
            .await?;
    }
    let h = headcount_tx(&mut tx, m.committee_id, m.id).await?;
    let met = core_meeting::quorum_met(quorum, &h);
    tx.c()
        .execute(q!(
            "UPDATE meetings SET status = 'held', held_on = $1, topic = $2, place = $3, host = $4, recorder = $5, minutes = $6, decisions = $7, \
             first_agenda = $8, quorum = $9, expected_count = $10, present_count = $11, leave_count = $12, absent_count = $13, voting_total = $14, \
             voting_present = $15, committee_total = $16, committee_present = $17, observer_count = $18, quorum_met = $19, counted = $20, \
             checkin_open = FALSE, updated_at = $21 WHERE committee_id = $22 AND id = $23",
            held_on, topic.clone(), input.place.trim(), input.host.trim(), input.recorder.trim(), input.minutes.trim(),
            input.decisions.trim(), input.first_agenda.trim(), quorum.as_str(), h.expected, h.present, h.leave, h.absent,
            h.voting_total, h.voting_present, h.committee_total, h.committee_present, observers.len() as i64, met, met,
            now, m.committee_id, m.id
        ))
        .await?;
    retally(&mut tx, m.committee_id, m.org_id, held_on.year()).await?;
    if let Some(old) = m.held_on
        && old.year() != held_on.year()
    {
        retally(&mut tx, m.committee_id, m.org_id, old.year()).await?;
    }
    let action = if m.status() == MeetingStatus::Held { "correct" } else { "record" };
    // What changed, by field name and counts only: the audit administrator
    // sees that minutes were edited, not what they say or who was absent.
    let fields: Vec<&str> = [
        ("召开日期", m.held_on != Some(held_on)),
        ("主题", m.topic != topic),
        ("地点", m.place != input.place.trim()),
        ("主持人", m.host != input.host.trim()),
        ("记录人", m.recorder != input.recorder.trim()),
        ("会议记录", m.minutes != input.minutes.trim()),
        ("决议事项", m.decisions != input.decisions.trim()),
        ("第一议题", m.first_agenda != input.first_agenda.trim()),
        ("列席人员", m.observer_count != observers.len() as i64),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect();
    let mut parts = Vec::new();
    parts.push(if fields.is_empty() {
        "内容未改动".to_string()
    } else {
        format!("改动：{}", fields.join("、"))
    });
    if moves.is_empty() && reasons_changed == 0 {
        parts.push("出勤未改动".into());
    } else {
        let mut m = moves.iter().map(|((a, b), n)| format!("{a}→{b} {n}人")).collect::<Vec<_>>();
        if reasons_changed > 0 {
            m.push(format!("仅改事由 {reasons_changed}人"));
        }
        parts.push(format!("出勤变动：{}", m.join("，")));
    }
    parts.push(format!("应到{} 实到{} 请假{}", h.expected, h.present, h.leave));
    parts.push(if met { "计入".into() } else { "未达法定人数，不计入".into() });
    append(&mut tx, &store.keys.audit_key, who, Event::ok(action, "meeting", id).detail(parts.join("；"))).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

async fn headcount_tx(tx: &mut Tx, committee_id: i64, meeting_id: i64) -> Result<core_meeting::Headcount> {
    #[derive(sqlx::FromRow)]
    struct F {
        voting: bool,
        committee_member: bool,
        presence: String,
    }
    let rows: Vec<F> = tx
        .c()
        .fetch_all(q!(
            "SELECT voting, committee_member, presence FROM meeting_attendees WHERE committee_id = $1 AND meeting_id = $2",
            committee_id,
            meeting_id
        ))
        .await?;
    let facts: Vec<AttendeeFacts> = rows
        .iter()
        .map(|r| AttendeeFacts {
            voting: r.voting,
            committee: r.committee_member,
            presence: Presence::parse(&r.presence).unwrap_or(Presence::Pending),
        })
        .collect();
    Ok(core_meeting::headcount(&facts))
}

/// Corrects one person's attendance after the meeting (audited with the old and new mark).
pub async fn correct_attendance(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    id: i64,
    mark: &AttendanceMark,
    version: i64,
) -> Result<MeetingRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let p = check_mark(mark)?;
    let m = get(store, scope, id).await?;
    if m.status() == MeetingStatus::Cancelled {
        return Err(StoreError::Rule("会议已取消，不能更正出勤".into()));
    }
    if version != m.version {
        return Err(StoreError::Stale);
    }
    let mut tx = store.db.begin().await?;
    // The version the corrector saw, taken inside the transaction.
    take_version(&mut tx, &m, version).await?;
    #[derive(sqlx::FromRow)]
    struct Old {
        presence: String,
    }
    let old: Old = tx
        .c()
        .fetch_optional(q!(
            "SELECT presence FROM meeting_attendees WHERE committee_id = $1 AND meeting_id = $2 AND member_id = $3",
            m.committee_id,
            m.id,
            mark.member_id
        ))
        .await?
        .ok_or_else(|| StoreError::invalid("member_id", "该党员不在本次会议的应到人员名单中"))?;
    tx.c()
        .execute(q!(
            "UPDATE meeting_attendees SET presence = $1, reason = $2, source = 'correction' WHERE committee_id = $3 AND meeting_id = $4 AND member_id = $5",
            p.as_str(), mark.reason.trim(), m.committee_id, m.id, mark.member_id
        ))
        .await?;
    if m.status() == MeetingStatus::Held {
        refresh_counts(&mut tx, &m).await?;
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("correct_attendance", "meeting", id).detail(format!(
            "党员{}：{} → {}{}",
            mark.member_id,
            Presence::parse(&old.presence).map(|p| p.label()).unwrap_or(""),
            p.label(),
            if mark.reason.trim().is_empty() { String::new() } else { format!("（{}）", mark.reason.trim()) }
        )),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Optimistic locking for a meeting, inside the caller's transaction: the
/// version the author saw is taken (bumped) if it is still current; otherwise
/// the change is refused as stale and the transaction applies nothing. One
/// change, one version.
async fn take_version(tx: &mut Tx, m: &MeetingRow, seen: i64) -> Result<()> {
    let n = tx
        .c()
        .execute(q!(
            "UPDATE meetings SET version = version + 1, updated_at = $1 WHERE committee_id = $2 AND id = $3 AND version = $4",
            now_ms(),
            m.committee_id,
            m.id,
            seen
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Recomputes a held meeting's headcounts, quorum and whether it counts, then re-tallies.
/// The caller has already taken the version (one change, one version).
async fn refresh_counts(tx: &mut Tx, m: &MeetingRow) -> Result<()> {
    let h = headcount_tx(tx, m.committee_id, m.id).await?;
    let met = core_meeting::quorum_met(m.quorum(), &h);
    tx.c()
        .execute(q!(
            "UPDATE meetings SET expected_count = $1, present_count = $2, leave_count = $3, absent_count = $4, voting_total = $5, voting_present = $6, \
             committee_total = $7, committee_present = $8, quorum_met = $9, counted = $10, updated_at = $11 \
             WHERE committee_id = $12 AND id = $13",
            h.expected, h.present, h.leave, h.absent, h.voting_total, h.voting_present, h.committee_total,
            h.committee_present, met, met, now_ms(), m.committee_id, m.id
        ))
        .await?;
    if let Some(d) = m.held_on {
        retally(tx, m.committee_id, m.org_id, d.year()).await?;
    }
    Ok(())
}

/// Adds members of the org's subtree as expected attendees (for listed kinds).
///
/// `version` is the meeting version the page or client showed (required at
/// the web boundary); `None` is for the console and demo, which act on the
/// version they just read.
pub async fn add_attendees(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    id: i64,
    member_ids: &[i64],
    version: Option<i64>,
) -> Result<usize> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = get(store, scope, id).await?;
    if m.status() == MeetingStatus::Cancelled {
        return Err(StoreError::Rule("会议已取消".into()));
    }
    let mut tx = store.db.begin().await?;
    // Taken inside the transaction: an attendee list added to a meeting that
    // someone else changed meanwhile is refused, the adder reloads.
    take_version(&mut tx, &m, version.unwrap_or(m.version)).await?;
    let mut added = 0;
    for mid in member_ids {
        #[derive(sqlx::FromRow)]
        struct P {
            status: String,
        }
        let p: Option<P> = tx
            .c()
            .fetch_optional(q!(
                "SELECT p.status FROM members p JOIN orgs o ON o.committee_id = p.committee_id AND o.id = p.org_id \
                 WHERE p.committee_id = $1 AND p.id = $2 AND o.path LIKE $3 AND p.status IN ('full', 'probationary')",
                m.committee_id,
                *mid,
                format!("{}%", m.org_path)
            ))
            .await?;
        let Some(p) = p else {
            return Err(StoreError::invalid("member_ids", format!("党员（{mid}）不在本组织范围内")));
        };
        added += tx
            .c()
            .execute(q!(
                "INSERT INTO meeting_attendees (committee_id, meeting_id, member_id, voting, committee_member, presence, source) \
                 VALUES ($1, $2, $3, $4, FALSE, 'pending', 'listed') ON CONFLICT (committee_id, meeting_id, member_id) DO NOTHING",
                m.committee_id,
                m.id,
                *mid,
                p.status == "full"
            ))
            .await? as usize;
    }
    if m.status() == MeetingStatus::Held {
        refresh_counts(&mut tx, &m).await?;
    } else {
        tx.c()
            .execute(q!(
                "UPDATE meetings SET expected_count = (SELECT COUNT(*) FROM meeting_attendees a WHERE a.committee_id = $1 AND a.meeting_id = $2) WHERE committee_id = $1 AND id = $2",
                m.committee_id,
                m.id
            ))
            .await?;
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("add_attendees", "meeting", id).detail(format!("新增应到人员{added}人")),
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Cancels a planned or held meeting (it stops counting).
///
/// `version` is the meeting version the canceller saw (required at the web
/// boundary); `None` is for the console and demo.
pub async fn cancel(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    id: i64,
    reason: &str,
    version: Option<i64>,
) -> Result<MeetingRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid("reason", "请填写取消原因"));
    }
    let m = get(store, scope, id).await?;
    if m.status() == MeetingStatus::Cancelled {
        return Err(StoreError::Rule("会议已经取消".into()));
    }
    let mut tx = store.db.begin().await?;
    // The version read above, taken inside the transaction: a record or a
    // cancel saved meanwhile wins, this one is told to reload.
    let n = tx
        .c()
        .execute(q!(
            "UPDATE meetings SET status = 'cancelled', counted = FALSE, checkin_open = FALSE, cancel_reason = $1, version = version + 1, updated_at = $2 \
             WHERE committee_id = $3 AND id = $4 AND version = $5",
            reason, now_ms(), m.committee_id, m.id, version.unwrap_or(m.version)
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Stale);
    }
    if let Some(d) = m.held_on {
        retally(&mut tx, m.committee_id, m.org_id, d.year()).await?;
    }
    append(&mut tx, &store.keys.audit_key, who, Event::ok("cancel", "meeting", id).detail(reason.to_string())).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

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

async fn checkin_view(store: &Store, me: &Attendee, id: i64, token: &str) -> Result<CheckinView> {
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
async fn refuse_code(store: &Store, v: &CheckinView, code: &str) -> Result<Option<String>> {
    let now = now_ms();
    let (from, to) = core_meeting::checkin_hours(v.planned_on, &v.start_time);
    let why = if now < from {
        if v.planned_on > today_cn() {
            format!("会议定于{}召开，届时再签到", v.planned_on)
        } else {
            format!("签到将于会议开始前{}分钟开放", core_meeting::CHECKIN_OPENS_BEFORE_MINUTES)
        }
    } else if now >= to {
        "本次会议的签到时间已过；如需更正出勤，请联系会议记录人".to_string()
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
            "UPDATE meeting_attendees SET presence = 'present', checked_in_at = $1, source = 'qr' \
             WHERE committee_id = $2 AND meeting_id = $3 AND member_id = $4 AND presence <> 'present'",
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
                    me.committee_id(), id, me.member_id(), person.status == "full", now
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
pub async fn checked_in_count(store: &Store, m: &MeetingRow) -> Result<i64> {
    store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM meeting_attendees WHERE committee_id = $1 AND meeting_id = $2 AND presence = 'present'",
            m.committee_id,
            m.id
        ))
        .await
}

/// Rebuilds one org's tally for a year from its counted meetings.
pub async fn retally(tx: &mut Tx, committee_id: i64, org_id: i64, year: i32) -> Result<()> {
    #[derive(sqlx::FromRow)]
    struct TallySource {
        kind: String,
        held_on: NaiveDate,
        present_count: i64,
        expected_count: i64,
    }
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let rows: Vec<TallySource> = tx
        .c()
        .fetch_all(q!(
            "SELECT kind, held_on, present_count, expected_count FROM meetings WHERE committee_id = $1 AND org_id = $2 AND counted = TRUE AND held_on BETWEEN $3 AND $4",
            committee_id, org_id, from, to
        ))
        .await?;
    let mut t = Tally::default();
    for r in rows {
        t.add(&r.kind, r.held_on.month(), 1, r.present_count, r.expected_count);
    }
    crate::generation::bump_meetings(tx, committee_id).await?;
    tx.c()
        .execute(q!(
            "DELETE FROM meeting_tallies WHERE committee_id = $1 AND org_id = $2 AND year = $3",
            committee_id,
            org_id,
            year as i64
        ))
        .await?;
    if !t.kinds.is_empty() {
        tx.c()
            .execute(q!(
                "INSERT INTO meeting_tallies (committee_id, org_id, year, tally) VALUES ($1, $2, $3, $4)",
                committee_id,
                org_id,
                year as i64,
                t.encode()
            ))
            .await?;
    }
    Ok(())
}

/// Rebuilds every tally from the meetings (after bulk loads, or on purpose).
/// Reads the meetings once, one committee at a time.
pub async fn rebuild_tallies(store: &Store) -> Result<usize> {
    #[derive(sqlx::FromRow)]
    struct C {
        committee_id: i64,
    }
    #[derive(sqlx::FromRow)]
    struct TallySource {
        org_id: i64,
        kind: String,
        held_on: NaiveDate,
        present_count: i64,
        expected_count: i64,
    }
    let committees: Vec<C> =
        store.db.r().fetch_all(q!("SELECT DISTINCT committee_id FROM meetings ORDER BY committee_id")).await?;
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("DELETE FROM meeting_tallies")).await?;
    let mut written = 0;
    for c in committees {
        let rows: Vec<TallySource> = tx
            .c()
            .fetch_all(q!(
                "SELECT org_id, kind, held_on, present_count, expected_count FROM meetings WHERE committee_id = $1 AND counted = TRUE AND held_on IS NOT NULL",
                c.committee_id
            ))
            .await?;
        let mut by: HashMap<(i64, i32), Tally> = HashMap::new();
        for r in rows {
            by.entry((r.org_id, r.held_on.year())).or_default().add(
                &r.kind,
                r.held_on.month(),
                1,
                r.present_count,
                r.expected_count,
            );
        }
        let mut items: Vec<((i64, i32), Tally)> = by.into_iter().collect();
        items.sort_by_key(|(k, _)| *k);
        for chunk in items.chunks(500) {
            let mut q = Q::new("INSERT INTO meeting_tallies (committee_id, org_id, year, tally) VALUES ");
            for (i, ((org_id, year), t)) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push_row(vec![c.committee_id.into(), (*org_id).into(), (*year as i64).into(), t.encode().into()]);
            }
            tx.c().execute(q).await?;
            written += chunk.len();
        }
    }
    crate::generation::bump_all(&mut tx).await?;
    tx.commit().await?;
    Ok(written)
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
    pub status: String,
    pub presence: String,
    pub checked_in_at: Option<i64>,
}

impl MyMeetingRow {
    pub fn presence_label(&self) -> &'static str {
        Presence::parse(&self.presence).map(|p| p.label()).unwrap_or("")
    }
    pub fn status_label(&self) -> &'static str {
        MeetingStatus::parse(&self.status).map(|s| s.label()).unwrap_or("")
    }
}

pub async fn my_meetings(store: &Store, me: &Attendee, limit: i64) -> Result<Vec<MyMeetingRow>> {
    // Attendance stays with the meetings; a member who moved units reads their earlier units' too.
    let prior = crate::transfer::prior_of(store, me.committee_id(), me.member_id()).await?;
    let mut q = Q::new(
        "SELECT m.id, o.name AS org_name, m.kind, m.topic, m.planned_on, m.held_on, m.status, a.presence, a.checked_in_at \
         FROM meeting_attendees a JOIN meetings m ON m.committee_id = a.committee_id AND m.id = a.meeting_id \
         JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id WHERE a.member_id = ",
    );
    q.bind(me.member_id()).push(" AND a.committee_id IN ");
    q.push_row(crate::transfer::committees_of(me.committee_id(), &prior).iter().map(|c| (*c).into()).collect());
    q.push(" ORDER BY m.planned_on DESC, m.id DESC LIMIT ").bind(limit);
    store.db.r().fetch_all(q).await
}

/// Whether a branch has a committee under the org rules (filled committee posts).
pub fn has_committee(posts: i64, rules: &OrgRules) -> bool {
    posts >= rules.committee_min_size
}

/// An attachment's metadata (the bytes are read only for download).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub meeting_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

impl AttachmentRow {
    pub fn size_text(&self) -> String {
        if self.size >= 1024 * 1024 {
            format!("{:.1} MB", self.size as f64 / 1024.0 / 1024.0)
        } else {
            format!("{} KB", (self.size + 1023) / 1024)
        }
    }
    pub fn uploaded_text(&self) -> String {
        xianfeng_core::text::datetime_ms(self.uploaded_at)
    }
}

pub async fn attachments(store: &Store, m: &MeetingRow) -> Result<Vec<AttachmentRow>> {
    store
        .db
        .r()
        .fetch_all(q!(
            "SELECT id, meeting_id, file_name, content_type, size, uploaded_by, uploaded_at FROM meeting_attachments \
             WHERE committee_id = $1 AND meeting_id = $2 ORDER BY id",
            m.committee_id,
            m.id
        ))
        .await
}

/// Stores an attachment after checking its type by content and its size.
pub async fn add_attachment(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    meeting_id: i64,
    file_name: &str,
    data: Vec<u8>,
) -> Result<AttachmentRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = get(store, scope, meeting_id).await?;
    let name = core_meeting::clean_file_name(file_name);
    let t = core_meeting::sniff_attachment(&name, &data).map_err(|msg| StoreError::invalid("file", msg))?;
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM meeting_attachments WHERE committee_id = $1 AND meeting_id = $2",
            m.committee_id,
            m.id
        ))
        .await?;
    if n >= core_meeting::ATTACHMENTS_PER_MEETING {
        return Err(StoreError::invalid(
            "file",
            format!("每次会议最多{}个附件，请先删除不需要的附件", core_meeting::ATTACHMENTS_PER_MEETING),
        ));
    }
    let id = tx.alloc_id().await?;
    let size = data.len() as i64;
    tx.c()
        .execute(q!(
            "INSERT INTO meeting_attachments (committee_id, id, meeting_id, file_name, content_type, size, data, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            m.committee_id, id, m.id, name.clone(), t.content_type, size, data, who.username.clone(), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("upload", "meeting", m.id).detail(format!("附件 {name}（{}，{size} 字节）", t.label)),
    )
    .await?;
    tx.commit().await?;
    Ok(AttachmentRow {
        id,
        meeting_id: m.id,
        file_name: name,
        content_type: t.content_type.to_string(),
        size,
        uploaded_by: who.username.clone(),
        uploaded_at: now_ms(),
    })
}

/// An attachment with its bytes, for download (in scope only).
pub async fn attachment(store: &Store, scope: &OrgScope, meeting_id: i64, id: i64) -> Result<(AttachmentRow, Vec<u8>)> {
    #[derive(sqlx::FromRow)]
    struct Full {
        id: i64,
        meeting_id: i64,
        file_name: String,
        content_type: String,
        size: i64,
        uploaded_by: String,
        uploaded_at: i64,
        data: Vec<u8>,
    }
    let m = get(store, scope, meeting_id).await?;
    let f: Full = store
        .db
        .r()
        .fetch_one(q!(
            "SELECT id, meeting_id, file_name, content_type, size, uploaded_by, uploaded_at, data FROM meeting_attachments \
             WHERE committee_id = $1 AND meeting_id = $2 AND id = $3",
            m.committee_id,
            m.id,
            id
        ))
        .await?;
    Ok((
        AttachmentRow {
            id: f.id,
            meeting_id: f.meeting_id,
            file_name: f.file_name,
            content_type: f.content_type,
            size: f.size,
            uploaded_by: f.uploaded_by,
            uploaded_at: f.uploaded_at,
        },
        f.data,
    ))
}

pub async fn delete_attachment(store: &Store, scope: &OrgScope, who: &Who, meeting_id: i64, id: i64) -> Result<()> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = get(store, scope, meeting_id).await?;
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "DELETE FROM meeting_attachments WHERE committee_id = $1 AND meeting_id = $2 AND id = $3",
            m.committee_id,
            m.id,
            id
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("delete", "meeting_attachment", id).detail(format!("会议 {}", m.id)),
    )
    .await?;
    tx.commit().await
}
