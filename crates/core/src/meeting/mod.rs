//! Organizational life (组织生活): meeting kinds and their frequencies as rule
//! data, the checks on planning and recording a meeting, quorum, and the
//! per-org monthly tally that compliance is computed from.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError};
use crate::org::OrgKind;
use crate::rules::Rule;

mod checkin;

pub use self::checkin::*;

crate::state_enum! {
    /// How often a kind of meeting is due.
    pub enum Cycle ("周期") {
        Month = ("month", "每月"),
        Quarter = ("quarter", "每季度"),
        Year = ("year", "每年"),
    }
}

impl Cycle {
    /// First month (1-based) of the cycle that contains `month`.
    pub fn start_month(self, month: u32) -> u32 {
        match self {
            Cycle::Month => month,
            Cycle::Quarter => (month - 1) / 3 * 3 + 1,
            Cycle::Year => 1,
        }
    }
    /// Whether a cycle of this kind ends with `month`.
    pub fn ends_at(self, month: u32) -> bool {
        match self {
            Cycle::Month => true,
            Cycle::Quarter => month.is_multiple_of(3),
            Cycle::Year => month == 12,
        }
    }
}

crate::state_enum! {
    /// Which orgs a kind of meeting is expected of.
    pub enum AppliesTo ("适用组织") {
        /// Every branch (党支部).
        Branch = ("branch", "党支部"),
        /// Branches that have elected a committee (支部委员会).
        BranchWithCommittee = ("branch_with_committee", "设委员会的党支部"),
        /// Party groups (党小组).
        Group = ("group", "党小组"),
        /// Party committees and general branches (机关党委、党总支).
        PartyCommittee = ("party_committee", "机关党委、党总支"),
        /// The unit's leadership (党组/党委 of the 单位), e.g. central-group study.
        Unit = ("unit", "单位党组（党委）"),
    }
}

impl AppliesTo {
    /// Whether an org of this kind (with or without a committee) is expected to hold the meeting.
    pub fn matches(self, kind: OrgKind, has_committee: bool) -> bool {
        match self {
            AppliesTo::Branch => kind == OrgKind::Branch,
            AppliesTo::BranchWithCommittee => kind == OrgKind::Branch && has_committee,
            AppliesTo::Group => kind == OrgKind::Group,
            AppliesTo::PartyCommittee => matches!(kind, OrgKind::PartyCommittee | OrgKind::GeneralBranch),
            AppliesTo::Unit => kind == OrgKind::Unit,
        }
    }
    /// Orgs that may hold (plan) the meeting at all: a branch without a
    /// committee may still hold a committee-style meeting of its secretary.
    pub fn may_hold(self, kind: OrgKind) -> bool {
        self.matches(kind, true)
    }
}

crate::state_enum! {
    /// Who must be present for a meeting to count.
    #[derive(Default)]
    pub enum Quorum ("法定人数规则") {
        #[default]
        None = ("none", "不设法定人数"),
        /// More than half of the members with a vote (full members).
        VotingMembers = ("voting_members", "有表决权的党员过半数"),
        /// More than half of the committee members.
        CommitteeMembers = ("committee_members", "委员过半数"),
    }
}

crate::state_enum! {
    /// Who is expected at a meeting, prefilled when it is planned.
    #[derive(Default)]
    pub enum Invitees ("应到人员") {
        /// Every member (full and probationary) of the org.
        #[default]
        AllMembers = ("all_members", "全体党员"),
        /// The org's committee (post holders other than group leaders).
        Committee = ("committee", "委员会成员"),
        /// Nobody prefilled: the secretary lists attendees (e.g. a unit's central group).
        Listed = ("listed", "逐一指定"),
    }
}

/// One kind of meeting and how often it is due.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MeetingKind {
    /// Identifier from the glossary, e.g. `branch_general_meeting`.
    pub id: String,
    pub label: String,
    pub applies_to: AppliesTo,
    pub cycle: Cycle,
    /// At least this many per cycle.
    pub times: i64,
    #[serde(default)]
    pub quorum: Quorum,
    #[serde(default)]
    pub invitees: Invitees,
    /// Observers from other units or levels may attend (列席旁听).
    #[serde(default)]
    pub observers: bool,
    /// The meeting opens with the 第一议题 and records its follow-up tasks.
    #[serde(default)]
    pub first_agenda: bool,
    /// Whether it counts towards 三会一课.
    #[serde(default)]
    pub three_meetings: bool,
}

impl MeetingKind {
    fn new(id: &str, label: &str, applies_to: AppliesTo, cycle: Cycle, times: i64) -> Self {
        MeetingKind {
            id: id.into(),
            label: label.into(),
            applies_to,
            cycle,
            times,
            quorum: Quorum::None,
            invitees: Invitees::AllMembers,
            observers: false,
            first_agenda: false,
            three_meetings: false,
        }
    }
    /// "每季度至少1次"
    pub fn frequency_label(&self) -> String {
        format!("{}至少{}次", self.cycle.label(), self.times)
    }
}

/// The meeting kinds in force, with their frequencies (会议类型与频次).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct MeetingKinds {
    pub kinds: Vec<MeetingKind>,
}

impl Default for MeetingKinds {
    fn default() -> Self {
        use AppliesTo::*;
        use Cycle::*;
        let mut general = MeetingKind::new("branch_general_meeting", "支部党员大会", Branch, Quarter, 1);
        general.quorum = Quorum::VotingMembers;
        general.three_meetings = true;
        let mut committee = MeetingKind::new("branch_committee_meeting", "支部委员会", BranchWithCommittee, Month, 1);
        committee.quorum = Quorum::CommitteeMembers;
        committee.invitees = Invitees::Committee;
        committee.three_meetings = true;
        let mut group = MeetingKind::new("group_meeting", "党小组会", Group, Month, 1);
        group.three_meetings = true;
        let mut lecture = MeetingKind::new("party_lecture", "党课", Branch, Quarter, 1);
        lecture.three_meetings = true;
        let mut secretary_lecture =
            MeetingKind::new("secretary_lecture", "党委（党总支）书记讲党课", PartyCommittee, Year, 1);
        secretary_lecture.observers = true;
        let theme_day = MeetingKind::new("theme_day", "主题党日", Branch, Month, 1);
        let life = MeetingKind::new("life_meeting", "组织生活会", Branch, Year, 1);
        let review = MeetingKind::new("member_review", "民主评议党员", Branch, Year, 1);
        let talk = MeetingKind::new("heart_to_heart_talk", "谈心谈话", Branch, Year, 1);
        let mut central = MeetingKind::new("central_group", "理论学习中心组学习", Unit, Quarter, 1);
        central.invitees = Invitees::Listed;
        central.observers = true;
        let mut first = MeetingKind::new("first_agenda", "党组（党委）会议第一议题学习", Unit, Month, 1);
        first.invitees = Invitees::Listed;
        first.first_agenda = true;
        MeetingKinds {
            kinds: vec![
                general,
                committee,
                group,
                lecture,
                secretary_lecture,
                theme_day,
                life,
                review,
                talk,
                central,
                first,
            ],
        }
    }
}

impl Rule for MeetingKinds {
    const KEY: &'static str = "meeting_kinds";
    const LABEL: &'static str = "会议类型与频次";
    const SOURCE: &'static str =
        "《中国共产党支部工作条例（试行）》（2018）；《中国共产党党委（党组）理论学习中心组学习规则》";
    const DEFAULT_FROM: (i32, u32, u32) = (2018, 10, 1);
    fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for k in &self.kinds {
            if k.id.is_empty() || !k.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
                return Err(format!("会议类型标识“{}”只能由小写英文字母、数字和下划线组成", k.id));
            }
            if !seen.insert(k.id.as_str()) {
                return Err(format!("会议类型标识“{}”重复", k.id));
            }
            let label = k.label.trim();
            if label.is_empty() || label.chars().count() > 30 {
                return Err(format!("会议类型“{}”的名称须为1至30个字", k.id));
            }
            if !(1..=31).contains(&k.times) {
                return Err(format!("“{}”的次数应在1至31之间", k.label));
            }
        }
        if self.kinds.is_empty() {
            return Err("至少保留一种会议类型".into());
        }
        Ok(())
    }
    fn check_date(&self, effective_from: NaiveDate) -> Result<(), String> {
        if effective_from.day() != 1 {
            return Err("会议类型与频次按月考核，生效日期须为某月1日".into());
        }
        Ok(())
    }
}

impl MeetingKinds {
    pub fn find(&self, id: &str) -> Option<&MeetingKind> {
        self.kinds.iter().find(|k| k.id == id)
    }
    /// Kinds an org of this kind may plan.
    pub fn for_org(&self, kind: OrgKind) -> Vec<&MeetingKind> {
        self.kinds.iter().filter(|k| k.applies_to.may_hold(kind)).collect()
    }
}

crate::state_enum! {
    /// Life cycle of a meeting record.
    pub enum MeetingStatus ("会议状态") {
        Planned = ("planned", "已计划"),
        Held = ("held", "已召开"),
        Cancelled = ("cancelled", "已取消"),
    }
}

crate::state_enum! {
    /// Attendance of one person at one meeting.
    pub enum Presence ("出勤状态") {
        /// Expected, not yet checked in.
        Pending = ("pending", "未签到"),
        Present = ("present", "出席"),
        Leave = ("leave", "请假"),
        Absent = ("absent", "缺席"),
    }
}

/// What quorum needs to know of one attendee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttendeeFacts {
    pub voting: bool,
    pub committee: bool,
    pub presence: Presence,
}

/// Headcounts of a recorded meeting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Headcount {
    pub expected: i64,
    pub present: i64,
    pub leave: i64,
    pub absent: i64,
    pub voting_total: i64,
    pub voting_present: i64,
    pub committee_total: i64,
    pub committee_present: i64,
}

pub fn headcount(attendees: &[AttendeeFacts]) -> Headcount {
    let mut h = Headcount { expected: attendees.len() as i64, ..Default::default() };
    for a in attendees {
        let present = a.presence == Presence::Present;
        match a.presence {
            Presence::Present => h.present += 1,
            Presence::Leave => h.leave += 1,
            Presence::Absent | Presence::Pending => h.absent += 1,
        }
        if a.voting {
            h.voting_total += 1;
            h.voting_present += present as i64;
        }
        if a.committee {
            h.committee_total += 1;
            h.committee_present += present as i64;
        }
    }
    h
}

/// Whether a meeting reached its quorum: more than half of those who count.
pub fn quorum_met(quorum: Quorum, h: &Headcount) -> bool {
    match quorum {
        Quorum::None => true,
        Quorum::VotingMembers => h.voting_total > 0 && h.voting_present * 2 > h.voting_total,
        Quorum::CommitteeMembers => h.committee_total > 0 && h.committee_present * 2 > h.committee_total,
    }
}

/// The Chinese explanation of a missed quorum.
pub fn quorum_note(quorum: Quorum, h: &Headcount) -> String {
    match quorum {
        Quorum::None => String::new(),
        Quorum::VotingMembers => format!(
            "有表决权的党员{}人，实到{}人，{}",
            h.voting_total,
            h.voting_present,
            if quorum_met(quorum, h) { "超过半数" } else { "未超过半数，会议不计入" }
        ),
        Quorum::CommitteeMembers => format!(
            "委员{}人，实到{}人，{}",
            h.committee_total,
            h.committee_present,
            if quorum_met(quorum, h) { "超过半数" } else { "未超过半数，会议不计入" }
        ),
    }
}

/// A meeting being planned, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanInput {
    pub kind: String,
    pub planned_on: String,
    pub start_time: String,
    pub place: String,
    pub topic: String,
    pub host: String,
    pub recorder: String,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPlan {
    pub kind: MeetingKind,
    pub planned_on: NaiveDate,
    pub start_time: String,
    pub place: String,
    pub topic: String,
    pub host: String,
    pub recorder: String,
}

fn text_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errors.push(FieldError::new(field, format!("请填写{label}")));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(field, format!("{label}不能超过{max}个字")));
    }
    v.to_string()
}

/// Parses a date typed as 2025-07-01 (also 2025/7/1).
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    crate::member::parse_date(s.trim())
}

/// Checks a meeting plan for an org of `org_kind`.
pub fn validate_plan(input: &PlanInput, kinds: &MeetingKinds, org_kind: OrgKind) -> Result<ValidPlan, Error> {
    let mut errors = Vec::new();
    let kind = match kinds.find(input.kind.trim()) {
        None => {
            errors.push(FieldError::new("kind", "请选择会议类型"));
            None
        }
        Some(k) if !k.applies_to.may_hold(org_kind) => {
            errors.push(FieldError::new(
                "kind",
                format!("“{}”由{}召开，{}不能召开", k.label, k.applies_to.label(), org_kind.label()),
            ));
            None
        }
        Some(k) => Some(k.clone()),
    };
    let planned_on = match parse_day(&input.planned_on) {
        Some(d) => Some(d),
        None => {
            errors.push(FieldError::new("planned_on", "请按 2025-07-01 的格式填写会议日期"));
            None
        }
    };
    let start_time = input.start_time.trim().to_string();
    if !start_time.is_empty() && chrono::NaiveTime::parse_from_str(&start_time, "%H:%M").is_err() {
        errors.push(FieldError::new("start_time", "开始时间请按 09:30 的格式填写"));
    }
    let place = text_field(&mut errors, "place", "会议地点", &input.place, false, 100);
    let topic = text_field(&mut errors, "topic", "会议主题", &input.topic, true, 200);
    let host = text_field(&mut errors, "host", "主持人", &input.host, false, 30);
    let recorder = text_field(&mut errors, "recorder", "记录人", &input.recorder, false, 30);
    match (kind, planned_on) {
        (Some(kind), Some(planned_on)) if errors.is_empty() => {
            Ok(ValidPlan { kind, planned_on, start_time, place, topic, host, recorder })
        }
        _ => Err(Error::Invalid(errors)),
    }
}

/// An observer (列席旁听) at a meeting: a person from another unit or level.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Observer {
    pub name: String,
    pub org_name: String,
    pub position: String,
}

/// Parses observers typed one per line as "姓名，单位，职务" (commas of either width).
pub fn parse_observers(text: &str) -> Result<Vec<Observer>, Error> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split([',', '，', '、']).map(str::trim).collect();
        let name = parts[0];
        if name.is_empty() || name.chars().count() > 30 {
            return Err(Error::invalid("observers", format!("列席人员第{}行：请按“姓名，单位，职务”填写", i + 1)));
        }
        out.push(Observer {
            name: name.to_string(),
            org_name: parts.get(1).map(|s| s.to_string()).unwrap_or_default(),
            position: parts.get(2..).map(|s| s.join("，")).unwrap_or_default(),
        });
    }
    if out.len() > 500 {
        return Err(Error::invalid("observers", "列席人员不能超过500人"));
    }
    Ok(out)
}

/// Checks the date a meeting was held on.
pub fn check_held_on(held_on: NaiveDate, today: NaiveDate, established_on: Option<NaiveDate>) -> Result<(), Error> {
    if held_on > today {
        return Err(Error::invalid("held_on", "召开日期不能晚于今天；尚未召开的会议请保存为计划"));
    }
    if let Some(e) = established_on
        && held_on < e
    {
        return Err(Error::invalid("held_on", format!("召开日期早于本组织成立日期（{e}）")));
    }
    Ok(())
}

/// Counted meetings per kind and month of one org in one year, with the
/// attendance sums of those meetings. Maintained by the store whenever a
/// meeting is recorded, corrected or cancelled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub kinds: BTreeMap<String, KindTally>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindTally {
    /// Meetings that count (held, quorum met) in months 1..=12.
    pub months: [u32; 12],
    /// Attendees present and expected, summed over the counted meetings.
    pub present: i64,
    pub expected: i64,
}

impl Tally {
    pub fn add(&mut self, kind: &str, month: u32, meetings: u32, present: i64, expected: i64) {
        let k = self.kinds.entry(kind.to_string()).or_default();
        if (1..=12).contains(&month) {
            k.months[month as usize - 1] += meetings;
        }
        k.present += present;
        k.expected += expected;
    }
    /// Compact text form stored in one row per org and year:
    /// `kind=m1.m2.….m12/present/expected;…`
    pub fn encode(&self) -> String {
        let mut s = String::new();
        for (i, (kind, t)) in self.kinds.iter().enumerate() {
            if i > 0 {
                s.push(';');
            }
            s.push_str(kind);
            s.push('=');
            for (m, n) in t.months.iter().enumerate() {
                if m > 0 {
                    s.push('.');
                }
                s.push_str(&n.to_string());
            }
            s.push_str(&format!("/{}/{}", t.present, t.expected));
        }
        s
    }
    pub fn decode(s: &str) -> Tally {
        let mut tally = Tally::default();
        for part in s.split(';').filter(|p| !p.is_empty()) {
            let Some((kind, rest)) = part.split_once('=') else { continue };
            let mut fields = rest.split('/');
            let mut k = KindTally::default();
            if let Some(months) = fields.next() {
                for (i, n) in months.split('.').take(12).enumerate() {
                    k.months[i] = n.parse().unwrap_or(0);
                }
            }
            k.present = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            k.expected = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            tally.kinds.insert(kind.to_string(), k);
        }
        tally
    }
    pub fn counted(&self, kind: &str, from_month: u32, to_month: u32) -> u32 {
        self.kinds.get(kind).map(|k| (from_month..=to_month).map(|m| k.months[m as usize - 1]).sum()).unwrap_or(0)
    }
}

/// Month of a date as 1..=12 and its year.
pub fn year_month(d: NaiveDate) -> (i32, u32) {
    (d.year(), d.month())
}

/// How many attachments a meeting may carry.
pub const ATTACHMENTS_PER_MEETING: i64 = 20;

#[cfg(test)]
mod tests;
