//! Recruitment (发展党员): the 5 stages and 25 steps of 《中国共产党发展党员工作细则》
//! (2014) with the statutory timers as versioned rule data.
//!
//! A case is an append-only list of events (record a step, submit a step for
//! the higher committee's decision, approve, send back). The case's state is
//! the replay of its events, so a send-back never loses what happened before
//! it: the history keeps every event, and the state forgets the steps that
//! must be done again. Every check here is a pure function of the state, the
//! rules in force and today's date.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::member::MemberStatus;
use crate::rules::Rule;

mod check;

pub use self::check::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecruitmentRules {
    /// Talk with an applicant within this many months of the application.
    pub talk_within_months: u32,
    /// Local practice: an applicant becomes an activist at the earliest this many months after applying.
    pub applicant_to_activist_months: u32,
    /// At least this long as an activist before becoming a candidate.
    pub activist_min_months: u32,
    /// Higher-committee approval within this many months.
    pub approval_within_months: u32,
    /// Probation.
    pub probation_months: u32,
    /// Extension of probation: from … to … months.
    pub extension_min_months: u32,
    pub extension_max_months: u32,
    /// Warn this many days ahead of a deadline.
    pub warn_days: i64,
    /// Minimum age on the day of application.
    pub min_age: u32,
    /// Centralized training for candidates: at least this many class hours.
    pub training_min_hours: u32,
    /// Public notice before the higher committee's pre-review: at least this many days.
    pub notice_min_days: i64,
}

impl Default for RecruitmentRules {
    fn default() -> Self {
        RecruitmentRules {
            talk_within_months: 1,
            applicant_to_activist_months: 6,
            activist_min_months: 12,
            approval_within_months: 3,
            probation_months: 12,
            extension_min_months: 6,
            extension_max_months: 12,
            warn_days: 30,
            min_age: 18,
            training_min_hours: 24,
            notice_min_days: 5,
        }
    }
}

impl Rule for RecruitmentRules {
    const KEY: &'static str = "recruitment";
    const LABEL: &'static str = "发展党员时限";
    const SOURCE: &'static str =
        "《中国共产党发展党员工作细则》（2014）；入党申请人转为积极分子的最短时间、集中培训学时、公示天数为本地实践";
    const DEFAULT_FROM: (i32, u32, u32) = (2014, 5, 28);
    fn check(&self) -> Result<(), String> {
        if self.probation_months != 12 {
            return Err("预备期为一年（党章第七条），不能修改".into());
        }
        if self.extension_min_months > self.extension_max_months || self.extension_max_months > 12 {
            return Err("延长预备期应在半年至一年之间".into());
        }
        if self.talk_within_months == 0 || self.approval_within_months == 0 || self.warn_days < 0 {
            return Err("时限须为正数".into());
        }
        if self.min_age < 18 {
            return Err("入党年龄不得低于十八周岁（党章第一条）".into());
        }
        if self.activist_min_months < 12 {
            return Err("入党积极分子须经过一年以上培养教育和考察（细则第十三条），不能少于12个月".into());
        }
        if self.approval_within_months > 3 {
            return Err("上级党委应在三个月内审批（细则第二十八条），不能超过3个月".into());
        }
        Ok(())
    }
}

impl RecruitmentRules {
    /// The day probation ends for someone admitted on `admitted`.
    pub fn probation_end(&self, admitted: NaiveDate) -> NaiveDate {
        add_months(admitted, self.probation_months)
    }
}

pub fn add_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(d)
}

/// The five stages.
/// At most this many documents (materials) per case.
pub const DOCUMENTS_PER_CASE: i64 = 60;

pub const STAGES: [&str; 5] = [
    "申请入党",
    "入党积极分子的确定和培养教育",
    "发展对象的确定和考察",
    "预备党员的接收",
    "预备党员的教育、考察和转正",
];

/// What a step records besides its date and responsible person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// Names of 1–2 mentors (培养联系人).
    Mentors,
    /// Names of two sponsors (入党介绍人).
    Sponsors,
    /// Class hours of the centralized training.
    Hours,
    /// The public notice period (公示), on submission.
    Notice,
    /// Vote counts at the branch general meeting.
    Votes,
    /// The decision on full membership.
    Outcome,
}

/// One of the 25 steps.
#[derive(Debug, Clone, Copy)]
pub struct StepDef {
    pub no: u8,
    /// 1..=5
    pub stage: u8,
    pub label: &'static str,
    /// Done by the higher committee (a unit or the working committee), never by the branch.
    pub by_higher: bool,
    /// The branch submits; the higher committee approves or sends back.
    pub approval: bool,
    pub needs: Needs,
}

const fn s(no: u8, stage: u8, label: &'static str, by_higher: bool, approval: bool, needs: Needs) -> StepDef {
    StepDef { no, stage, label, by_higher, approval, needs }
}

pub const STEPS: [StepDef; 25] = [
    s(1, 1, "递交入党申请书", false, false, Needs::Nothing),
    s(2, 1, "党组织派人谈话", false, false, Needs::Nothing),
    s(3, 2, "推荐和确定入党积极分子", false, false, Needs::Nothing),
    s(4, 2, "报上级党委备案", true, false, Needs::Nothing),
    s(5, 2, "指定培养联系人", false, false, Needs::Mentors),
    s(6, 2, "培养教育考察", false, false, Needs::Nothing),
    s(7, 3, "确定发展对象", false, false, Needs::Nothing),
    s(8, 3, "报上级党委备案", true, false, Needs::Nothing),
    s(9, 3, "确定入党介绍人", false, false, Needs::Sponsors),
    s(10, 3, "进行政治审查", false, false, Needs::Nothing),
    s(11, 3, "开展集中培训", false, false, Needs::Hours),
    s(12, 4, "支部委员会审查", false, false, Needs::Nothing),
    s(13, 4, "上级党委预审（含公示）", false, true, Needs::Notice),
    s(14, 4, "填写入党志愿书", false, false, Needs::Nothing),
    s(15, 4, "支部大会讨论", false, false, Needs::Votes),
    s(16, 4, "上级党委派人谈话", true, false, Needs::Nothing),
    s(17, 4, "上级党委审批", false, true, Needs::Nothing),
    s(18, 4, "再上一级党委组织部门备案", true, false, Needs::Nothing),
    s(19, 5, "编入党支部和党小组", false, false, Needs::Nothing),
    s(20, 5, "入党宣誓", false, false, Needs::Nothing),
    s(21, 5, "继续教育考察", false, false, Needs::Nothing),
    s(22, 5, "提出转正申请", false, false, Needs::Nothing),
    s(23, 5, "支部大会讨论转正", false, false, Needs::Votes),
    s(24, 5, "上级党委审批转正", false, true, Needs::Outcome),
    s(25, 5, "材料归档", false, false, Needs::Nothing),
];

/// The step with this number (1..=25).
pub fn step(no: u8) -> Option<&'static StepDef> {
    STEPS.get(usize::from(no).checked_sub(1)?)
}

pub fn step_label(no: u8) -> &'static str {
    step(no).map(|s| s.label).unwrap_or("")
}

/// The first step of a stage.
pub fn stage_start(stage: u8) -> u8 {
    STEPS.iter().find(|s| s.stage == stage).map(|s| s.no).unwrap_or(1)
}

crate::state_enum! {
    /// Where a case's file (发展档案) stands: open while the person goes
    /// through the steps, completed when they become a full member, closed
    /// when it ended otherwise.
    pub enum CaseStanding ("档案状态") {
        Open = ("open", "进行中"),
        Completed = ("completed", "已归档"),
        Closed = ("closed", "已终止"),
    }
}

impl CaseState {
    /// Where the case's file stands.
    pub fn standing(&self) -> CaseStanding {
        if self.completed() {
            CaseStanding::Completed
        } else if self.ended() {
            CaseStanding::Closed
        } else {
            CaseStanding::Open
        }
    }
}

crate::state_enum! {
    pub enum Action ("发展步骤操作") {
        /// The branch (or the higher committee, for its own steps) records a step as done.
        Record = ("record", "办理"),
        /// The branch submits an approval step to the higher committee.
        Submit = ("submit", "报上级党委"),
        /// The higher committee approves the submitted step.
        Approve = ("approve", "审批通过"),
        /// The higher committee sends the case back (打回) to an earlier step.
        Return = ("return", "打回"),
    }
}

/// Vote counts at a branch general meeting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Votes {
    /// Full members entitled to vote (应到有表决权的正式党员).
    pub entitled: u32,
    /// Of them, present.
    pub present: u32,
    #[serde(rename = "for")]
    pub for_: u32,
    pub against: u32,
    pub abstain: u32,
}

/// The decision on full membership (step 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 按期转为正式党员
    Full,
    /// 延长预备期
    Extend,
    /// 取消预备党员资格
    Disqualify,
}

impl Outcome {
    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "full" => Some(Outcome::Full),
            "extend" => Some(Outcome::Extend),
            "disqualify" => Some(Outcome::Disqualify),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Full => "按期转为正式党员",
            Outcome::Extend => "延长预备期",
            Outcome::Disqualify => "取消预备党员资格",
        }
    }
}

/// Everything an event may carry besides its step, action and date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepData {
    pub responsible: String,
    pub note: String,
    /// Mentors or sponsors, separated by 、 or commas.
    pub people: String,
    pub hours: Option<u32>,
    pub notice_from: Option<NaiveDate>,
    pub notice_to: Option<NaiveDate>,
    pub votes: Option<Votes>,
    pub outcome: Option<Outcome>,
    pub extend_months: Option<u32>,
    /// For a send-back: the step to redo.
    pub return_to: Option<u8>,
}

/// One event of a case, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub step: u8,
    pub action: Action,
    pub on: NaiveDate,
    pub data: StepData,
}

/// Splits a list of names.
pub fn names(s: &str) -> Vec<&str> {
    s.split(['、', ',', '，', ';', '；', ' ']).map(str::trim).filter(|n| !n.is_empty()).collect()
}

/// The state of a case: the replay of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseState {
    pub birth_date: NaiveDate,
    /// Effective date of each done step (index = step number; 0 unused).
    pub done: [Option<NaiveDate>; 26],
    /// An approval step submitted and waiting: (step, submitted on).
    pub pending: Option<(u8, NaiveDate)>,
    /// The next step to do (26 when the case has ended).
    pub next_step: u8,
    pub notice_to: Option<NaiveDate>,
    /// Admitted as probationary member (the branch vote's date, once approved).
    pub admitted_on: Option<NaiveDate>,
    pub probation_end: Option<NaiveDate>,
    pub extended_months: u32,
    pub full_on: Option<NaiveDate>,
    pub disqualified_on: Option<NaiveDate>,
    /// The date of the latest effective event.
    pub last_on: Option<NaiveDate>,
}

impl CaseState {
    pub fn new(birth_date: NaiveDate) -> Self {
        CaseState {
            birth_date,
            done: [None; 26],
            pending: None,
            next_step: 1,
            notice_to: None,
            admitted_on: None,
            probation_end: None,
            extended_months: 0,
            full_on: None,
            disqualified_on: None,
            last_on: None,
        }
    }

    /// Replays events that were checked when they were stored.
    pub fn replay(birth_date: NaiveDate, events: &[Event], rules: &RecruitmentRules) -> Self {
        let mut st = CaseState::new(birth_date);
        for e in events {
            st.apply(e, rules);
        }
        st
    }

    pub fn ended(&self) -> bool {
        self.next_step > 25 || self.disqualified_on.is_some()
    }

    pub fn completed(&self) -> bool {
        self.done[25].is_some()
    }

    pub fn applied_on(&self) -> Option<NaiveDate> {
        self.done[1]
    }

    /// Where the person stands.
    pub fn person_status(&self) -> MemberStatus {
        if self.disqualified_on.is_some() {
            MemberStatus::Left
        } else if self.full_on.is_some() {
            MemberStatus::Full
        } else if self.admitted_on.is_some() {
            MemberStatus::Probationary
        } else if self.done[7].is_some() {
            MemberStatus::Candidate
        } else if self.done[3].is_some() {
            MemberStatus::Activist
        } else {
            MemberStatus::Applicant
        }
    }

    /// The stage of the next step (5 once ended).
    pub fn stage(&self) -> u8 {
        step(self.next_step).map(|s| s.stage).unwrap_or(5)
    }

    fn clear_from(&mut self, from: u8) {
        for i in usize::from(from)..26 {
            self.done[i] = None;
        }
        if from <= 13 {
            self.notice_to = None;
        }
    }

    /// Applies one event (assumed checked).
    pub fn apply(&mut self, e: &Event, rules: &RecruitmentRules) {
        let n = usize::from(e.step);
        if n == 0 || n > 25 {
            return;
        }
        match e.action {
            Action::Record => {
                self.done[n] = Some(e.on);
                self.next_step = e.step + 1;
            }
            Action::Submit => {
                self.pending = Some((e.step, e.on));
                if e.step == 13 {
                    self.notice_to = e.data.notice_to;
                }
            }
            Action::Approve => {
                self.pending = None;
                self.done[n] = Some(e.on);
                self.next_step = e.step + 1;
                match e.step {
                    17 => {
                        self.admitted_on = self.done[15].or(Some(e.on));
                        self.probation_end = self.admitted_on.map(|a| rules.probation_end(a));
                    }
                    24 => match e.data.outcome.unwrap_or(Outcome::Full) {
                        Outcome::Full => self.full_on = self.probation_end.or(Some(e.on)),
                        Outcome::Extend => {
                            let m = e.data.extend_months.unwrap_or(rules.extension_min_months);
                            self.extended_months += m;
                            self.probation_end = self.probation_end.map(|p| add_months(p, m));
                            self.clear_from(22);
                            self.next_step = 22;
                        }
                        Outcome::Disqualify => {
                            self.disqualified_on = Some(e.on);
                            self.next_step = 26;
                        }
                    },
                    _ => {}
                }
            }
            Action::Return => {
                self.pending = None;
                let to = e.data.return_to.unwrap_or(e.step);
                self.clear_from(to);
                self.next_step = to;
            }
        }
        self.last_on = Some(e.on);
    }

    /// The date of the latest effective step before `step` (what the next date may not precede).
    fn floor(&self) -> Option<NaiveDate> {
        let last_done = (1..usize::from(self.next_step).min(26)).rev().find_map(|i| self.done[i]);
        match (last_done, self.pending) {
            (_, Some((_, d))) => Some(d),
            (d, None) => d,
        }
    }

    /// The earliest date the next step may be taken under the rules, with the
    /// rule that sets it (None when only the order of steps matters).
    pub fn earliest(&self, rules: &RecruitmentRules) -> Option<(NaiveDate, String)> {
        let d = |i: usize| self.done[i];
        match self.next_step {
            1 => Some((
                add_months(self.birth_date, rules.min_age * 12),
                format!("年满{}周岁方可申请入党（党章第一条）", rules.min_age),
            )),
            3 => d(1).map(|a| {
                (
                    add_months(a, rules.applicant_to_activist_months),
                    format!("递交入党申请书{}个月后方可确定为入党积极分子", rules.applicant_to_activist_months),
                )
            }),
            7 => d(3).map(|a| {
                (
                    add_months(a, rules.activist_min_months),
                    format!(
                        "经过{}个月以上培养教育和考察方可确定为发展对象（细则第十三条）",
                        rules.activist_min_months
                    ),
                )
            }),
            22 | 23 => self.probation_end.map(|p| (p, "预备期满方可讨论转正（党章第七条）".to_string())),
            _ => None,
        }
    }

    /// The deadline of the next step, if a rule sets one: (step, date, rule).
    pub fn deadline(&self, rules: &RecruitmentRules) -> Option<(u8, NaiveDate, String)> {
        if self.ended() {
            return None;
        }
        let d = |i: usize| self.done[i];
        let n = self.next_step;
        match n {
            2 => d(1).map(|a| {
                (2, add_months(a, rules.talk_within_months), format!("{}个月内派人谈话", rules.talk_within_months))
            }),
            16 | 17 => d(15).map(|v| {
                (
                    17,
                    add_months(v, rules.approval_within_months),
                    format!("支部大会讨论后{}个月内审批", rules.approval_within_months),
                )
            }),
            19..=23 => self.probation_end.map(|p| (23, p, "预备期满应及时讨论转正".to_string())),
            24 => d(23).map(|v| {
                (
                    24,
                    add_months(v, rules.approval_within_months),
                    format!("支部大会讨论转正后{}个月内审批", rules.approval_within_months),
                )
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
