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

/// A refusal: the message in Chinese, and the first date the step becomes possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub earliest: Option<NaiveDate>,
}

impl Refusal {
    fn new(message: impl Into<String>) -> Self {
        Refusal { message: message.into(), earliest: None }
    }
}

/// Whether the actor proposing an event sits above the branch (a unit or the
/// working committee) or is the branch itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Branch,
    Higher,
}

/// Checks a proposed event against the case, the rules and today.
pub fn check(
    st: &CaseState,
    rules: &RecruitmentRules,
    e: &Event,
    level: Level,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let def = step(e.step).ok_or_else(|| Refusal::new("步骤编号应在1至25之间"))?;
    let label = |n: u8| format!("第{}步“{}”", n, step_label(n));
    if st.ended() {
        return Err(Refusal::new("该发展程序已经结束"));
    }
    if e.on > today {
        return Err(Refusal::new("日期不能晚于今天"));
    }
    match e.action {
        Action::Record | Action::Submit => {
            if let Some((p, _)) = st.pending {
                return Err(Refusal::new(format!("{}已报上级党委，请等待审批或打回", label(p))));
            }
            if e.step != st.next_step {
                return Err(Refusal::new(if e.step < st.next_step {
                    format!("{}已经办理", label(e.step))
                } else {
                    format!("请先办理{}", label(st.next_step))
                }));
            }
            if def.approval && e.action == Action::Record {
                return Err(Refusal::new(format!("{}须报上级党委审批", label(e.step))));
            }
            if !def.approval && e.action == Action::Submit {
                return Err(Refusal::new(format!("{}无需报批，请直接办理", label(e.step))));
            }
            if def.by_higher && level == Level::Branch {
                return Err(Refusal::new(format!("{}由上级党委办理", label(e.step))));
            }
            if let Some(f) = st.floor()
                && e.on < f
            {
                return Err(Refusal::new(format!("日期不能早于上一步的日期（{f}）")));
            }
            if let Some((first, why)) = st.earliest(rules)
                && e.on < first
            {
                return Err(Refusal {
                    message: format!("{}：{}，最早可于 {} 办理", label(e.step), why, first),
                    earliest: Some(first),
                });
            }
            check_data(def, rules, e)?;
        }
        Action::Approve | Action::Return => {
            if level == Level::Branch {
                return Err(Refusal::new("审批和打回由上级党委办理"));
            }
            let Some((p, submitted)) = st.pending.filter(|(p, _)| *p == e.step) else {
                return Err(Refusal::new(format!("{}尚未报上级党委", label(e.step))));
            };
            if e.on < submitted {
                return Err(Refusal::new(format!("日期不能早于报送日期（{submitted}）")));
            }
            if e.action == Action::Return {
                let to = e.data.return_to.unwrap_or(p);
                let lowest = stage_start(def.stage);
                if to < lowest || to > p {
                    return Err(Refusal::new(format!("只能打回到第{}至第{}步", lowest, p)));
                }
                if e.data.note.trim().is_empty() {
                    return Err(Refusal::new("请填写打回原因"));
                }
            } else {
                if p == 13
                    && let Some(end) = st.notice_to
                    && e.on < end
                {
                    return Err(Refusal {
                        message: format!("公示期至 {end}，公示期满后方可预审"),
                        earliest: Some(end),
                    });
                }
                if p == 24 {
                    match e.data.outcome {
                        None => return Err(Refusal::new("请选择审批结果：按期转正、延长预备期或取消预备党员资格")),
                        Some(Outcome::Extend) => {
                            let m = e.data.extend_months.unwrap_or(0);
                            if st.extended_months > 0 {
                                return Err(Refusal::new("预备期只能延长一次"));
                            }
                            if m < rules.extension_min_months || m > rules.extension_max_months {
                                return Err(Refusal::new(format!(
                                    "延长预备期应为{}至{}个月",
                                    rules.extension_min_months, rules.extension_max_months
                                )));
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
    Ok(())
}

fn check_data(def: &StepDef, rules: &RecruitmentRules, e: &Event) -> Result<(), Refusal> {
    let d = &e.data;
    match def.needs {
        Needs::Nothing | Needs::Outcome => {}
        Needs::Mentors => {
            let n = names(&d.people).len();
            if !(1..=2).contains(&n) {
                return Err(Refusal::new("请填写1至2名培养联系人"));
            }
        }
        Needs::Sponsors => {
            if names(&d.people).len() != 2 {
                return Err(Refusal::new("入党介绍人应为2名正式党员"));
            }
        }
        Needs::Hours => match d.hours {
            Some(h) if h >= rules.training_min_hours => {}
            _ => return Err(Refusal::new(format!("集中培训不少于{}学时", rules.training_min_hours))),
        },
        Needs::Notice => {
            let (Some(from), Some(to)) = (d.notice_from, d.notice_to) else {
                return Err(Refusal::new("请填写公示起止日期"));
            };
            if to < from {
                return Err(Refusal::new("公示结束日期不能早于开始日期"));
            }
            if (to - from).num_days() + 1 < rules.notice_min_days {
                return Err(Refusal::new(format!("公示期不少于{}天", rules.notice_min_days)));
            }
            if from > e.on {
                return Err(Refusal::new("应先公示再报上级党委预审：公示开始日期不能晚于报送日期"));
            }
        }
        Needs::Votes => {
            let Some(v) = d.votes else {
                return Err(Refusal::new("请填写表决情况：应到、实到、赞成、反对、弃权人数"));
            };
            if v.entitled == 0 || v.present > v.entitled {
                return Err(Refusal::new("实到人数不能超过应到有表决权的人数"));
            }
            if v.for_ + v.against + v.abstain > v.present {
                return Err(Refusal::new("赞成、反对、弃权人数之和不能超过实到人数"));
            }
            if v.present * 2 <= v.entitled {
                return Err(Refusal::new("到会有表决权的党员未超过应到人数的半数，会议无效"));
            }
            if v.for_ * 2 <= v.entitled {
                return Err(Refusal::new("赞成人数未超过应到会有表决权的正式党员的半数，表决未通过"));
            }
        }
    }
    Ok(())
}

/// A one-line Chinese summary of an event's data, for history lists.
pub fn describe(e: &Event) -> String {
    let d = &e.data;
    let mut parts: Vec<String> = Vec::new();
    match e.action {
        Action::Return => parts.push(format!("打回至第{}步", d.return_to.unwrap_or(e.step))),
        Action::Approve => {
            if let Some(o) = d.outcome {
                parts.push(o.label().to_string());
                if o == Outcome::Extend
                    && let Some(m) = d.extend_months
                {
                    parts.push(format!("延长{m}个月"));
                }
            }
        }
        _ => {}
    }
    if !d.people.is_empty() {
        parts.push(d.people.clone());
    }
    if let Some(h) = d.hours {
        parts.push(format!("{h}学时"));
    }
    if let (Some(f), Some(t)) = (d.notice_from, d.notice_to) {
        parts.push(format!("公示 {f} 至 {t}"));
    }
    if let Some(v) = d.votes {
        parts.push(format!("应到{} 实到{} 赞成{} 反对{} 弃权{}", v.entitled, v.present, v.for_, v.against, v.abstain));
    }
    if !d.note.is_empty() {
        parts.push(d.note.clone());
    }
    parts.join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn ev(step: u8, action: Action, on: &str) -> Event {
        Event { step, action, on: d(on), data: StepData::default() }
    }
    fn with(mut e: Event, f: impl FnOnce(&mut StepData)) -> Event {
        f(&mut e.data);
        e
    }
    const TODAY: &str = "2030-01-01";

    /// Checks then applies, like the store does.
    fn go(st: &mut CaseState, r: &RecruitmentRules, e: Event, level: Level) -> Result<(), Refusal> {
        check(st, r, &e, level, d(TODAY))?;
        st.apply(&e, r);
        Ok(())
    }
    fn rec(st: &mut CaseState, r: &RecruitmentRules, step: u8, on: &str) {
        go(st, r, ev(step, Action::Record, on), if step_def_higher(step) { Level::Higher } else { Level::Branch })
            .unwrap_or_else(|e| panic!("step {step}: {}", e.message));
    }
    fn step_def_higher(n: u8) -> bool {
        step(n).unwrap().by_higher
    }

    #[test]
    fn probation_ends_a_year_after_admission() {
        let r = RecruitmentRules::default();
        assert_eq!(r.probation_end(d("2025-07-01")), d("2026-07-01"));
        assert_eq!(r.probation_end(d("2024-02-29")), d("2025-02-28"), "a leap day ends on the last day of February");
        r.check().unwrap();
        let bad = RecruitmentRules { probation_months: 6, ..r.clone() };
        assert!(bad.check().unwrap_err().contains("一年"));
        let bad = RecruitmentRules { extension_max_months: 18, ..r.clone() };
        assert!(bad.check().is_err());
        let bad = RecruitmentRules { activist_min_months: 6, ..r };
        assert!(bad.check().unwrap_err().contains("一年以上"));
    }

    #[test]
    fn there_are_25_steps_in_5_stages_in_order() {
        assert_eq!(STEPS.len(), 25);
        for (i, s) in STEPS.iter().enumerate() {
            assert_eq!(usize::from(s.no), i + 1);
        }
        assert_eq!([1, 3, 7, 12, 19], [1, 2, 3, 4, 5].map(stage_start));
        assert!(step(0).is_none() && step(26).is_none());
    }

    #[test]
    fn applicants_must_be_18() {
        let r = RecruitmentRules::default();
        let st = CaseState::new(d("2008-03-15"));
        let e = check(&st, &r, &ev(1, Action::Record, "2026-03-14"), Level::Branch, d(TODAY)).unwrap_err();
        assert_eq!(e.earliest, Some(d("2026-03-15")));
        assert!(e.message.contains("年满18周岁"), "{}", e.message);
        check(&st, &r, &ev(1, Action::Record, "2026-03-15"), Level::Branch, d(TODAY)).unwrap();
    }

    #[test]
    fn activist_timer_boundaries_day_before_of_after() {
        let r = RecruitmentRules::default();
        let mut st = CaseState::new(d("1990-01-01"));
        rec(&mut st, &r, 1, "2025-01-10");
        rec(&mut st, &r, 2, "2025-01-20");
        let early = check(&st, &r, &ev(3, Action::Record, "2025-07-09"), Level::Branch, d(TODAY)).unwrap_err();
        assert_eq!(early.earliest, Some(d("2025-07-10")));
        assert!(early.message.contains("最早可于 2025-07-10 办理"), "{}", early.message);
        check(&st, &r, &ev(3, Action::Record, "2025-07-10"), Level::Branch, d(TODAY)).unwrap();
        check(&st, &r, &ev(3, Action::Record, "2025-07-11"), Level::Branch, d(TODAY)).unwrap();
        // The local minimum is data: a committee that sets 3 months allows it earlier.
        let r3 = RecruitmentRules { applicant_to_activist_months: 3, ..r.clone() };
        check(&st, &r3, &ev(3, Action::Record, "2025-04-10"), Level::Branch, d(TODAY)).unwrap();
        rec(&mut st, &r, 3, "2025-07-10");
        assert_eq!(st.person_status(), MemberStatus::Activist);
        // Filing with the higher committee is theirs, not the branch's.
        let e = check(&st, &r, &ev(4, Action::Record, "2025-07-15"), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("由上级党委办理"));
        rec(&mut st, &r, 4, "2025-07-15");
        let e = check(&st, &r, &ev(5, Action::Record, "2025-07-16"), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("培养联系人"));
        go(&mut st, &r, with(ev(5, Action::Record, "2025-07-16"), |x| x.people = "张伟、李娜".into()), Level::Branch)
            .unwrap();
        rec(&mut st, &r, 6, "2026-01-16");
        // A year as activist: 2025-07-10 → 2026-07-10.
        let e = check(&st, &r, &ev(7, Action::Record, "2026-07-09"), Level::Branch, d(TODAY)).unwrap_err();
        assert_eq!(e.earliest, Some(d("2026-07-10")));
        check(&st, &r, &ev(7, Action::Record, "2026-07-10"), Level::Branch, d(TODAY)).unwrap();
        check(&st, &r, &ev(7, Action::Record, "2026-07-11"), Level::Branch, d(TODAY)).unwrap();
    }

    #[test]
    fn steps_go_in_order_and_not_in_the_future() {
        let r = RecruitmentRules::default();
        let mut st = CaseState::new(d("1990-01-01"));
        rec(&mut st, &r, 1, "2025-01-10");
        let e = check(&st, &r, &ev(3, Action::Record, "2025-09-10"), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("请先办理第2步"), "{}", e.message);
        let e = check(&st, &r, &ev(1, Action::Record, "2025-01-10"), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("已经办理"));
        let e = check(&st, &r, &ev(2, Action::Record, "2025-01-09"), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("不能早于上一步"));
        let e = check(&st, &r, &ev(2, Action::Record, "2030-01-02"), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("晚于今天"));
        // The talk deadline: a month after the application.
        assert_eq!(st.deadline(&r), Some((2, d("2025-02-10"), "1个月内派人谈话".into())));
    }

    /// Builds a case up to the step before `upto`.
    fn case_until(r: &RecruitmentRules, upto: u8) -> CaseState {
        let mut st = CaseState::new(d("1990-01-01"));
        let dates = [
            "2024-01-02",
            "2024-01-10",
            "2024-07-02",
            "2024-07-05",
            "2024-07-06",
            "2025-01-06",
            "2025-07-02",
            "2025-07-03",
            "2025-07-04",
            "2025-07-05",
            "2025-07-10",
            "2025-08-01",
            "2025-08-10",
            "2025-08-15",
            "2025-08-20",
            "2025-08-25",
            "2025-09-01",
            "2025-09-05",
            "2025-09-06",
            "2025-09-07",
            "2026-03-01",
            "2026-08-20",
            "2026-08-25",
            "2026-09-01",
            "2026-09-05",
        ];
        for n in 1..upto {
            let on = dates[usize::from(n) - 1];
            let def = step(n).unwrap();
            let mut e = ev(n, if def.approval { Action::Submit } else { Action::Record }, on);
            match def.needs {
                Needs::Mentors | Needs::Sponsors => e.data.people = "张伟、李娜".into(),
                Needs::Hours => e.data.hours = Some(24),
                Needs::Notice => {
                    e.data.notice_from = Some(d("2025-08-02"));
                    e.data.notice_to = Some(d("2025-08-08"));
                }
                Needs::Votes => e.data.votes = Some(Votes { entitled: 9, present: 8, for_: 8, against: 0, abstain: 0 }),
                Needs::Outcome => e.data.outcome = Some(Outcome::Full),
                Needs::Nothing => {}
            }
            let level = if def.by_higher { Level::Higher } else { Level::Branch };
            go(&mut st, r, e.clone(), level).unwrap_or_else(|x| panic!("step {n}: {}", x.message));
            if def.approval {
                let a = Event { action: Action::Approve, ..e };
                go(&mut st, r, a, Level::Higher).unwrap_or_else(|x| panic!("approve {n}: {}", x.message));
            }
        }
        st
    }

    #[test]
    fn training_notice_and_votes_are_checked() {
        let r = RecruitmentRules::default();
        let st = case_until(&r, 11);
        let e = check(
            &st,
            &r,
            &with(ev(11, Action::Record, "2025-07-10"), |x| x.hours = Some(23)),
            Level::Branch,
            d(TODAY),
        )
        .unwrap_err();
        assert!(e.message.contains("24学时"));
        let st = case_until(&r, 13);
        let e = check(&st, &r, &ev(13, Action::Record, "2025-08-10"), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("报上级党委审批"));
        let short = with(ev(13, Action::Submit, "2025-08-10"), |x| {
            x.notice_from = Some(d("2025-08-02"));
            x.notice_to = Some(d("2025-08-05"));
        });
        assert!(check(&st, &r, &short, Level::Branch, d(TODAY)).unwrap_err().message.contains("不少于5天"));
        let st = case_until(&r, 15);
        let vote = |entitled, present, for_| {
            with(ev(15, Action::Record, "2025-08-20"), |x| {
                x.votes = Some(Votes { entitled, present, for_, against: present - for_, abstain: 0 })
            })
        };
        let e = check(&st, &r, &vote(10, 5, 5), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("会议无效"), "{}", e.message);
        let e = check(&st, &r, &vote(10, 6, 5), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("表决未通过"), "{}", e.message);
        check(&st, &r, &vote(10, 6, 6), Level::Branch, d(TODAY)).unwrap();
    }

    #[test]
    fn approval_chain_with_send_back_keeps_going() {
        let r = RecruitmentRules::default();
        let mut st = case_until(&r, 17);
        assert_eq!(st.person_status(), MemberStatus::Candidate);
        // Deadline: three months after the branch vote (2025-08-20).
        assert_eq!(st.deadline(&r).map(|x| x.1), Some(d("2025-11-20")));
        go(&mut st, &r, ev(17, Action::Submit, "2025-09-01"), Level::Branch).unwrap();
        let e = check(&st, &r, &ev(17, Action::Approve, "2025-09-02"), Level::Branch, d(TODAY)).unwrap_err();
        assert!(e.message.contains("上级党委"));
        let e = check(&st, &r, &ev(18, Action::Record, "2025-09-02"), Level::Higher, d(TODAY)).unwrap_err();
        assert!(e.message.contains("等待审批"), "{}", e.message);
        // Send back to the branch vote: the vote and later steps are to be redone.
        let back = with(ev(17, Action::Return, "2025-09-03"), |x| {
            x.return_to = Some(15);
            x.note = "表决票数记录有误".into();
        });
        let no_reason = with(back.clone(), |x| x.note.clear());
        assert!(check(&st, &r, &no_reason, Level::Higher, d(TODAY)).unwrap_err().message.contains("原因"));
        let too_far = with(back.clone(), |x| x.return_to = Some(7));
        assert!(check(&st, &r, &too_far, Level::Higher, d(TODAY)).unwrap_err().message.contains("第12至第17步"));
        go(&mut st, &r, back, Level::Higher).unwrap();
        assert_eq!(st.next_step, 15);
        assert!(st.done[15].is_none() && st.done[14].is_some());
        let vote = with(ev(15, Action::Record, "2025-09-10"), |x| {
            x.votes = Some(Votes { entitled: 9, present: 9, for_: 9, against: 0, abstain: 0 })
        });
        go(&mut st, &r, vote, Level::Branch).unwrap();
        rec(&mut st, &r, 16, "2025-09-12");
        go(&mut st, &r, ev(17, Action::Submit, "2025-09-15"), Level::Branch).unwrap();
        go(&mut st, &r, ev(17, Action::Approve, "2025-09-20"), Level::Higher).unwrap();
        assert_eq!(st.person_status(), MemberStatus::Probationary);
        assert_eq!(st.admitted_on, Some(d("2025-09-10")), "probation counts from the branch vote");
        assert_eq!(st.probation_end, Some(d("2026-09-10")));
    }

    #[test]
    fn full_membership_waits_for_the_end_of_probation() {
        let r = RecruitmentRules::default();
        let st = case_until(&r, 22);
        // Admitted 2025-08-20 (the vote), probation ends 2026-08-20.
        assert_eq!(st.probation_end, Some(d("2026-08-20")));
        let e = check(&st, &r, &ev(22, Action::Record, "2026-08-19"), Level::Branch, d(TODAY)).unwrap_err();
        assert_eq!(e.earliest, Some(d("2026-08-20")));
        assert!(e.message.contains("预备期满"));
        check(&st, &r, &ev(22, Action::Record, "2026-08-20"), Level::Branch, d(TODAY)).unwrap();
        check(&st, &r, &ev(22, Action::Record, "2026-08-21"), Level::Branch, d(TODAY)).unwrap();
        assert_eq!(st.deadline(&r).map(|x| (x.0, x.1)), Some((23, d("2026-08-20"))));
        let mut done = case_until(&r, 26);
        assert!(done.ended() && done.completed());
        assert_eq!(done.full_on, Some(d("2026-08-20")), "full membership dates from the end of probation");
        assert_eq!(done.person_status(), MemberStatus::Full);
        let e = go(&mut done, &r, ev(25, Action::Record, "2026-09-06"), Level::Branch).unwrap_err();
        assert!(e.message.contains("已经结束"));
    }

    #[test]
    fn probation_extends_once_and_disqualification_ends_the_case() {
        let r = RecruitmentRules::default();
        let mut st = case_until(&r, 24);
        go(&mut st, &r, ev(24, Action::Submit, "2026-08-26"), Level::Branch).unwrap();
        let no = check(&st, &r, &ev(24, Action::Approve, "2026-08-27"), Level::Higher, d(TODAY)).unwrap_err();
        assert!(no.message.contains("审批结果"));
        let ext = |m| {
            with(ev(24, Action::Approve, "2026-08-27"), |x| {
                x.outcome = Some(Outcome::Extend);
                x.extend_months = Some(m);
            })
        };
        assert!(check(&st, &r, &ext(5), Level::Higher, d(TODAY)).unwrap_err().message.contains("6至12个月"));
        assert!(check(&st, &r, &ext(13), Level::Higher, d(TODAY)).is_err());
        go(&mut st, &r, ext(6), Level::Higher).unwrap();
        assert_eq!(st.next_step, 22);
        assert_eq!(st.probation_end, Some(d("2027-02-20")));
        assert_eq!(st.person_status(), MemberStatus::Probationary);
        rec(&mut st, &r, 22, "2027-02-20");
        let v = with(ev(23, Action::Record, "2027-02-21"), |x| {
            x.votes = Some(Votes { entitled: 9, present: 8, for_: 8, against: 0, abstain: 0 })
        });
        go(&mut st, &r, v, Level::Branch).unwrap();
        go(&mut st, &r, ev(24, Action::Submit, "2027-02-22"), Level::Branch).unwrap();
        let again = Event { on: d("2027-02-23"), ..ext(6) };
        assert!(check(&st, &r, &again, Level::Higher, d(TODAY)).unwrap_err().message.contains("只能延长一次"));
        let dq = with(ev(24, Action::Approve, "2027-02-23"), |x| x.outcome = Some(Outcome::Disqualify));
        go(&mut st, &r, dq, Level::Higher).unwrap();
        assert!(st.ended() && !st.completed());
        assert_eq!(st.person_status(), MemberStatus::Left);
    }

    #[test]
    fn public_notice_must_end_before_pre_review() {
        let r = RecruitmentRules::default();
        let mut st = case_until(&r, 13);
        let sub = with(ev(13, Action::Submit, "2025-08-03"), |x| {
            x.notice_from = Some(d("2025-08-02"));
            x.notice_to = Some(d("2025-08-08"));
        });
        go(&mut st, &r, sub, Level::Branch).unwrap();
        let e = check(&st, &r, &ev(13, Action::Approve, "2025-08-07"), Level::Higher, d(TODAY)).unwrap_err();
        assert_eq!(e.earliest, Some(d("2025-08-08")));
        check(&st, &r, &ev(13, Action::Approve, "2025-08-08"), Level::Higher, d(TODAY)).unwrap();
    }
}
