//! Recording a meeting (minutes, attendance, observers), corrections, added
//! attendees and cancelling; each re-tallies the org's year in its transaction.

use super::*;
use xianfeng_core::auth::OrgWrite;
use xianfeng_core::states::sql;
use xianfeng_core::states::sql_in;

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

pub(crate) fn check_mark(mark: &AttendanceMark) -> Result<Presence> {
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
#[tracing::instrument(skip_all)]
pub async fn record(store: &Store, scope: &OrgWrite, who: &Who, id: i64, input: &RecordInput) -> Result<MeetingRow> {
    let m = get(store, scope, id).await?;
    if m.status == MeetingStatus::Cancelled {
        return Err(StoreError::Rule("会议已取消，不能记录".into()));
    }
    if input.version < 1 {
        return Err(StoreError::invalid("version", "缺少记录的版本号（version），请刷新页面后重试"));
    }
    if input.version != m.version {
        return Err(StoreError::Stale);
    }
    let o = org::get(store.db.r(), scope, m.org_id).await?;
    let checked = check_record(store, &o, &m.kind, m.planned_on, m.quorum, input).await?;
    let mut tx = store.db.begin().await?;
    // The version is taken inside the transaction: of two saves made from the
    // same version, the second finds it gone and is refused, never applied.
    take_version(&mut tx, &m, input.version).await?;
    write_record(&mut tx, store, who, &m, &checked, input).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Records a meeting that was held without being planned here first (补录),
/// in one transaction: the plan (its expected attendees drawn as for any
/// plan) and the record together, or neither. The date is the day it was held.
#[tracing::instrument(skip_all)]
pub async fn record_held(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    org_id: i64,
    plan: &PlanInput,
    input: &RecordInput,
) -> Result<MeetingRow> {
    let plan = PlanInput { planned_on: input.held_on.clone(), ..plan.clone() };
    // Every mistake at once: the plan's (its date named as the held date) and the record's.
    let mut errors = Vec::new();
    let planned = match checked_plan(store, scope, org_id, &plan).await {
        Ok(p) => Some(p),
        Err(StoreError::Invalid(e)) => {
            errors.extend(e.into_iter().filter(|e| e.field != "planned_on"));
            None
        }
        Err(e) => return Err(e),
    };
    let o = org::get(store.db.r(), scope, org_id).await?;
    let day = core_meeting::parse_day(&input.held_on).unwrap_or_else(today_cn);
    let quorum = kinds_on(store, day).await?.find(plan.kind.trim()).map(|k| k.quorum).unwrap_or_default();
    let checked = match check_record(store, &o, plan.kind.trim(), day, quorum, input).await {
        Ok(c) => Some(c),
        Err(StoreError::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let (Some((o, p)), Some(checked), true) = (planned, checked, errors.is_empty()) else {
        // The topic is checked by both: say each field once.
        let mut seen = std::collections::HashSet::new();
        errors.retain(|e| e.field == "attendance" || seen.insert(e.field.clone()));
        return Err(StoreError::Invalid(errors));
    };
    let mut tx = store.db.begin().await?;
    let id = insert_plan(&mut tx, store, who, &o, &p).await?;
    let mut q = scoped(&OrgScope::clone(scope), COLS);
    q.push(" AND m.committee_id = ").bind(o.committee_id).push(" AND m.id = ").bind(id);
    let m: MeetingRow = tx.c().fetch_one(q).await?;
    take_version(&mut tx, &m, m.version).await?;
    write_record(&mut tx, store, who, &m, &checked, input).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// A record's fields, checked.
pub(crate) struct CheckedRecord {
    held_on: NaiveDate,
    topic: String,
    observers: Vec<Observer>,
    marks: Vec<(i64, Presence, String)>,
    quorum: Quorum,
}

/// Checks a record of a meeting of this kind in this org: every mistake at once.
async fn check_record(
    store: &Store,
    o: &OrgRow,
    kind_id: &str,
    planned_on: NaiveDate,
    quorum: Quorum,
    input: &RecordInput,
) -> Result<CheckedRecord> {
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
    let kinds = kinds_on(store, held_on.unwrap_or(planned_on)).await?;
    let kind = kinds.find(kind_id).cloned();
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
    Ok(CheckedRecord {
        held_on: held_on.expect("checked"),
        topic,
        observers,
        marks,
        quorum: kind.as_ref().map(|k| k.quorum).unwrap_or(quorum),
    })
}

/// Writes a checked record over a meeting whose version the caller has taken.
async fn write_record(
    tx: &mut Tx,
    store: &Store,
    who: &Who,
    m: &MeetingRow,
    c: &CheckedRecord,
    input: &RecordInput,
) -> Result<()> {
    let CheckedRecord { held_on, topic, observers, marks, quorum } = c;
    let (held_on, quorum, id) = (*held_on, *quorum, m.id);
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
    for (member_id, p, reason) in marks {
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
                if m.status == MeetingStatus::Held { "correction" } else { "record" },
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
            format!("UPDATE meeting_attendees SET presence = {absent} WHERE committee_id = $1 AND meeting_id = $2 AND presence = {pending}", absent = sql(Presence::Absent), pending = sql(Presence::Pending)),
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
    let h = headcount_tx(tx, m.committee_id, m.id).await?;
    let met = core_meeting::quorum_met(quorum, &h);
    tx.c()
        .execute(q!(
            format!("UPDATE meetings SET status = {held}, held_on = $1, topic = $2, place = $3, host = $4, recorder = $5, minutes = $6, decisions = $7, \
             first_agenda = $8, quorum = $9, expected_count = $10, present_count = $11, leave_count = $12, absent_count = $13, voting_total = $14, \
             voting_present = $15, committee_total = $16, committee_present = $17, observer_count = $18, quorum_met = $19, counted = $20, \
             checkin_open = FALSE, updated_at = $21 WHERE committee_id = $22 AND id = $23", held = sql(MeetingStatus::Held)),
            held_on, topic.clone(), input.place.trim(), input.host.trim(), input.recorder.trim(), input.minutes.trim(),
            input.decisions.trim(), input.first_agenda.trim(), quorum.as_str(), h.expected, h.present, h.leave, h.absent,
            h.voting_total, h.voting_present, h.committee_total, h.committee_present, observers.len() as i64, met, met,
            now, m.committee_id, m.id
        ))
        .await?;
    retally(tx, m.committee_id, m.org_id, held_on.year()).await?;
    super::counts::recount(tx, m.committee_id, m.org_id, m.planned_on.year()).await?;
    if let Some(old) = m.held_on
        && old.year() != held_on.year()
    {
        retally(tx, m.committee_id, m.org_id, old.year()).await?;
    }
    let action = if m.status == MeetingStatus::Held { "correct" } else { "record" };
    // What changed, by field name and counts only: the audit administrator
    // sees that minutes were edited, not what they say or who was absent.
    let fields: Vec<&str> = [
        ("召开日期", m.held_on != Some(held_on)),
        ("主题", m.topic != *topic),
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
    append(tx, &store.keys.audit_key, who, Event::ok(action, "meeting", id).detail(parts.join("；"))).await?;
    Ok(())
}

pub(crate) async fn headcount_tx(tx: &mut Tx, committee_id: i64, meeting_id: i64) -> Result<core_meeting::Headcount> {
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
#[tracing::instrument(skip_all)]
pub async fn correct_attendance(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    id: i64,
    mark: &AttendanceMark,
    version: i64,
) -> Result<MeetingRow> {
    let p = check_mark(mark)?;
    let m = get(store, scope, id).await?;
    if m.status == MeetingStatus::Cancelled {
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
    if m.status == MeetingStatus::Held {
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
pub(crate) async fn take_version(tx: &mut Tx, m: &MeetingRow, seen: i64) -> Result<()> {
    tx.update_versioned(q!(
            "UPDATE meetings SET version = version + 1, updated_at = $1 WHERE committee_id = $2 AND id = $3 AND version = $4",
            now_ms(),
            m.committee_id,
            m.id,
            seen
        )).await?;
    Ok(())
}

/// Recomputes a held meeting's headcounts, quorum and whether it counts, then re-tallies.
/// The caller has already taken the version (one change, one version).
pub(crate) async fn refresh_counts(tx: &mut Tx, m: &MeetingRow) -> Result<()> {
    let h = headcount_tx(tx, m.committee_id, m.id).await?;
    let met = core_meeting::quorum_met(m.quorum, &h);
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
#[tracing::instrument(skip_all)]
pub async fn add_attendees(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    id: i64,
    member_ids: &[i64],
    version: Option<i64>,
) -> Result<usize> {
    let m = get(store, scope, id).await?;
    if m.status == MeetingStatus::Cancelled {
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
                format!(
                    "SELECT p.status FROM members p JOIN orgs o ON o.committee_id = p.committee_id AND o.id = p.org_id \
                 WHERE p.committee_id = $1 AND p.id = $2 AND o.path LIKE $3 AND p.status IN {members}",
                    members = sql_in(&MemberStatus::MEMBERS)
                ),
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
                p.status == MemberStatus::Full.as_str()
            ))
            .await? as usize;
    }
    if m.status == MeetingStatus::Held {
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
#[tracing::instrument(skip_all)]
pub async fn cancel(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    id: i64,
    reason: &str,
    version: Option<i64>,
) -> Result<MeetingRow> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid("reason", "请填写取消原因"));
    }
    let m = get(store, scope, id).await?;
    if m.status == MeetingStatus::Cancelled {
        return Err(StoreError::Rule("会议已经取消".into()));
    }
    let mut tx = store.db.begin().await?;
    // The version read above, taken inside the transaction: a record or a
    // cancel saved meanwhile wins, this one is told to reload.
    tx.update_versioned(q!(
            format!("UPDATE meetings SET status = {cancelled}, counted = FALSE, checkin_open = FALSE, cancel_reason = $1, version = version + 1, updated_at = $2 \
             WHERE committee_id = $3 AND id = $4 AND version = $5", cancelled = sql(MeetingStatus::Cancelled)),
            reason, now_ms(), m.committee_id, m.id, version.unwrap_or(m.version)
        )).await?;
    if let Some(d) = m.held_on {
        retally(&mut tx, m.committee_id, m.org_id, d.year()).await?;
    }
    super::counts::recount(&mut tx, m.committee_id, m.org_id, m.planned_on.year()).await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("cancel", "meeting", id).detail(reason.to_string())).await?;
    tx.commit().await?;
    get(store, scope, id).await
}
