//! Reports derived from the records (the `report` area owns no data): the
//! central-group study bulletin (定期通报) for a period and a set of units.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use xianfeng_core::auth::OrgScope;
use xianfeng_core::compliance::slots;
use xianfeng_core::meeting::{AppliesTo, MeetingKinds};

use crate::db::Q;
use crate::org::scope_where;
use crate::{Result, Store, StoreError, q};
use xianfeng_core::meeting::MeetingStatus;
use xianfeng_core::org::OrgKind;
use xianfeng_core::states::sql;

/// One central-group session in the bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub meeting_id: i64,
    pub held_on: NaiveDate,
    pub topic: String,
    pub expected: i64,
    pub present: i64,
    pub observers: Vec<String>,
}

/// One unit's line in the bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct UnitLine {
    pub unit_id: i64,
    pub unit_name: String,
    pub district: String,
    /// Sessions due in cycles that lie within the period.
    pub expected: u32,
    pub held: u32,
    pub present: i64,
    pub attendees: i64,
    pub observers: usize,
    /// Cycles within the period with fewer sessions than due, e.g. "2025年第2季度".
    pub short_cycles: Vec<String>,
    pub sessions: Vec<Session>,
}

impl UnitLine {
    pub fn attendance_rate(&self) -> f64 {
        if self.attendees == 0 { 0.0 } else { self.present as f64 * 100.0 / self.attendees as f64 }
    }
    pub fn fell_short(&self) -> bool {
        !self.short_cycles.is_empty()
    }
    pub fn rate_text(&self) -> String {
        if self.attendees == 0 { "—".into() } else { format!("{:.1}%", self.attendance_rate()) }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Bulletin {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The kinds reported (central-group study), their labels.
    pub kind_labels: Vec<String>,
    pub units: Vec<UnitLine>,
}

impl Bulletin {
    pub fn sessions(&self) -> u32 {
        self.units.iter().map(|u| u.held).sum()
    }
    pub fn observers(&self) -> usize {
        self.units.iter().map(|u| u.observers).sum()
    }
    pub fn attendance_rate(&self) -> f64 {
        let (p, e) = self.units.iter().fold((0, 0), |(p, e), u| (p + u.present, e + u.attendees));
        if e == 0 { 0.0 } else { p as f64 * 100.0 / e as f64 }
    }
    pub fn short_units(&self) -> Vec<&UnitLine> {
        self.units.iter().filter(|u| u.fell_short()).collect()
    }
    /// "2025年第一季度", "2025年度", "2025年1月1日至2025年6月30日".
    pub fn period_label(&self) -> String {
        period_label(self.from, self.to)
    }
}

pub fn period_label(from: NaiveDate, to: NaiveDate) -> String {
    let last = |y, m| xianfeng_core::compliance::last_day_of(y, m);
    if from.year() == to.year() && from.day() == 1 && to == last(to.year(), to.month()) {
        let (a, b) = (from.month(), to.month());
        if a == 1 && b == 12 {
            return format!("{}年度", from.year());
        }
        if b == a + 2 && a % 3 == 1 {
            return format!("{}年第{}季度", from.year(), ["一", "二", "三", "四"][(a as usize - 1) / 3]);
        }
        if a == 1 && b == 6 {
            return format!("{}年上半年", from.year());
        }
        if a == 7 && b == 12 {
            return format!("{}年下半年", from.year());
        }
        if a == b {
            return format!("{}年{}月", from.year(), a);
        }
    }
    format!("{}至{}", xianfeng_core::text::date_zh(from), xianfeng_core::text::date_zh(to))
}

/// The central-group bulletin for units in scope (all of them, or the ids given).
#[tracing::instrument(skip_all)]
pub async fn central_group_bulletin(
    store: &Store,
    scope: &OrgScope,
    from: NaiveDate,
    to: NaiveDate,
    unit_ids: &[i64],
) -> Result<Bulletin> {
    if to < from {
        return Err(StoreError::invalid("to", "结束日期不能早于开始日期"));
    }
    if (to - from).num_days() > 3 * 366 {
        return Err(StoreError::invalid("to", "通报期间不能超过三年"));
    }
    let rules = store.rules().await?;
    let kinds_now = rules.get::<MeetingKinds>(to);
    let kind_ids: Vec<String> = kinds_now
        .kinds
        .iter()
        .filter(|k| k.applies_to == AppliesTo::Unit && k.observers && !k.first_agenda)
        .map(|k| k.id.clone())
        .collect();
    let kind_labels = kinds_now.kinds.iter().filter(|k| kind_ids.contains(&k.id)).map(|k| k.label.clone()).collect();

    #[derive(sqlx::FromRow)]
    struct Unit {
        id: i64,
        name: String,
        district: String,
        established_on: Option<NaiveDate>,
    }
    let mut q = Q::new(format!(
        "SELECT o.id, o.name, o.district, o.established_on FROM orgs o WHERE o.kind = {unit} AND o.active = TRUE",
        unit = sql(OrgKind::Unit)
    ));
    scope_where(&mut q, scope, "o");
    if !unit_ids.is_empty() {
        q.push(" AND o.id IN (");
        for (i, id) in unit_ids.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(*id);
        }
        q.push(")");
    }
    q.push(" ORDER BY o.sort_order, o.id");
    let units: Vec<Unit> = store.db.r().fetch_all(q).await?;

    #[derive(sqlx::FromRow)]
    struct M {
        committee_id: i64,
        id: i64,
        org_id: i64,
        held_on: NaiveDate,
        topic: String,
        expected_count: i64,
        present_count: i64,
    }
    #[derive(sqlx::FromRow)]
    struct Ob {
        committee_id: i64,
        meeting_id: i64,
        name: String,
        org_name: String,
    }
    // Cycles of the reported kinds that lie within the period.
    let mut due: Vec<(NaiveDate, NaiveDate, String, u32, String)> = Vec::new();
    for y in from.year()..=to.year() {
        for s in slots(&rules, y) {
            if kind_ids.contains(&s.kind) && s.first_day(y) >= from && s.last_day(y) <= to {
                due.push((s.first_day(y), s.last_day(y), s.kind.clone(), s.expected, s.label(y)));
            }
        }
    }
    let mut lines = Vec::new();
    for u in units {
        let mut mq = Q::new(format!(
            "SELECT committee_id, id, org_id, held_on, topic, expected_count, present_count FROM meetings \
             WHERE status = {held} AND counted = TRUE AND committee_id = ",
            held = sql(MeetingStatus::Held)
        ));
        mq.bind(u.id).push(" AND org_id = ").bind(u.id).push(" AND held_on BETWEEN ").bind(from).push(" AND ").bind(to);
        mq.push(" AND kind IN (");
        for (i, k) in kind_ids.iter().enumerate() {
            if i > 0 {
                mq.push(", ");
            }
            mq.bind(k.clone());
        }
        if kind_ids.is_empty() {
            mq.push("''");
        }
        mq.push(") ORDER BY held_on, id");
        let meetings: Vec<M> = store.db.r().fetch_all(mq).await?;
        let obs: Vec<Ob> = store
            .db
            .r()
            .fetch_all(q!(
                "SELECT b.committee_id, b.meeting_id, b.name, b.org_name FROM meeting_observers b JOIN meetings m ON m.committee_id = b.committee_id AND m.id = b.meeting_id \
                 WHERE b.committee_id = $1 AND m.org_id = $1 AND m.held_on BETWEEN $2 AND $3 ORDER BY b.meeting_id, b.seq",
                u.id,
                from,
                to
            ))
            .await?;
        let mut by_meeting: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for o in obs {
            let _ = o.committee_id;
            let label = if o.org_name.is_empty() { o.name } else { format!("{}（{}）", o.name, o.org_name) };
            by_meeting.entry(o.meeting_id).or_default().push(label);
        }
        let sessions: Vec<Session> = meetings
            .iter()
            .map(|m| {
                let _ = (m.committee_id, m.org_id);
                Session {
                    meeting_id: m.id,
                    held_on: m.held_on,
                    topic: m.topic.clone(),
                    expected: m.expected_count,
                    present: m.present_count,
                    observers: by_meeting.get(&m.id).cloned().unwrap_or_default(),
                }
            })
            .collect();
        let mut expected = 0;
        let mut short_cycles = Vec::new();
        for (a, b, _kind, n, label) in &due {
            if u.established_on.is_some_and(|e| e > *a) {
                continue;
            }
            expected += n;
            let held = sessions.iter().filter(|s| s.held_on >= *a && s.held_on <= *b).count() as u32;
            if held < *n {
                short_cycles.push(label.clone());
            }
        }
        lines.push(UnitLine {
            unit_id: u.id,
            unit_name: u.name,
            district: u.district,
            expected,
            held: sessions.len() as u32,
            present: sessions.iter().map(|s| s.present).sum(),
            attendees: sessions.iter().map(|s| s.expected).sum(),
            observers: sessions.iter().map(|s| s.observers.len()).sum(),
            short_cycles,
            sessions,
        });
    }
    Ok(Bulletin { from, to, kind_labels, units: lines })
}
