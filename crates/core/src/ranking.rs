//! 排队抓尾: ranking every branch from the platform's own records with an
//! indicator model kept as versioned rule data, and flagging the tail.
//!
//! Each indicator turns a branch's facts into a rate (numerator over
//! denominator), scored by the indicator's scoring (rule data): proportionally
//! (the rate itself: 91 % earns 91 % of the points) or saturating at its target
//! (min(1, rate / target): 91 % against a 90 % target earns full points, which
//! leaves many branches tied at the top). An indicator whose
//! denominator is zero does not apply to that branch and its weight is shared
//! out among the others (stated on the page). The score is 100 × the weighted
//! mean; the explanation lists every indicator's numbers and its points, which
//! add up to the score.

use serde::{Deserialize, Serialize};

use crate::rules::Rule;

crate::state_enum! {
    /// A tail branch's rectification (整改): open while the branch works on
    /// it, submitted for its unit's verification, lifted (销号) when verified.
    pub enum RectificationState ("整改状态") {
        Open = ("open", "整改中"),
        Submitted = ("submitted", "待单位验收"),
        Lifted = ("lifted", "已销号"),
    }
}

crate::state_enum! {
    /// One entry in a rectification's record: the plan, then steps.
    pub enum RectificationEntry ("整改记录类型") {
        Plan = ("plan", "制定整改方案"),
        Progress = ("progress", "整改进展"),
        Submit = ("submit", "申请验收"),
        Lift = ("lift", "验收销号"),
        Return = ("return", "退回继续整改"),
    }
}

crate::state_enum! {
    /// What a step in a rectification's life does: progress and submission by
    /// the branch, lifting (销号) or returning by the unit above it.
    pub enum RectificationStep ("整改步骤") {
        Progress = ("progress", "整改进展"),
        Submit = ("submit", "申请验收"),
        Lift = ("lift", "验收销号"),
        Return = ("return", "退回继续整改"),
    }
}

impl RectificationStep {
    /// The state a rectification in `from` moves to, or why it cannot.
    /// `verifier`: the caller is the unit above the branch.
    pub fn next(self, from: RectificationState, verifier: bool) -> Result<RectificationState, &'static str> {
        use RectificationState as S;
        use RectificationStep as T;
        match (self, from) {
            (T::Progress, S::Open) => Ok(S::Open),
            (T::Submit, S::Open) => Ok(S::Submitted),
            (T::Lift | T::Return, S::Submitted) if !verifier => Err("整改验收由党支部的上级单位办理"),
            (T::Lift, S::Submitted) => Ok(S::Lifted),
            (T::Return, S::Submitted) => Ok(S::Open),
            (_, S::Lifted) => Err("该整改已销号"),
            (T::Progress | T::Submit, S::Submitted) => Err("已申请验收，请等待单位验收"),
            (T::Lift | T::Return, S::Open) => Err("尚未申请验收"),
        }
    }
    /// The record entry this step writes.
    pub fn entry(self) -> RectificationEntry {
        match self {
            RectificationStep::Progress => RectificationEntry::Progress,
            RectificationStep::Submit => RectificationEntry::Submit,
            RectificationStep::Lift => RectificationEntry::Lift,
            RectificationStep::Return => RectificationEntry::Return,
        }
    }
}

crate::state_enum! {
    /// How an indicator's rate becomes points.
    pub enum Scoring ("计分方式") {
        /// Points in proportion to the rate: 91 % earns 91 % of the weight.
        Proportional = ("proportional", "按实际比例"),
        /// Full points once the rate reaches the target, in proportion below it.
        Saturating = ("saturating", "达标即满分"),
    }
}

impl Scoring {
    /// The share of an indicator's weight a rate earns.
    pub fn share(self, rate: f64, target: f64) -> f64 {
        match self {
            Scoring::Proportional => rate.clamp(0.0, 1.0),
            Scoring::Saturating => (rate / target).min(1.0),
        }
    }
}

/// Versions stored before scoring was a choice saturated at their targets.
fn saturating() -> Scoring {
    Scoring::Saturating
}

/// Where an indicator's numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Meetings due in the ended cycles of the year that were held (#3 compliance).
    MeetingCompliance,
    /// Attendance at the counted meetings: present over expected (#3).
    Attendance,
    /// Monthly dues charges paid within their month (#4).
    DuesOnTime,
    /// Recruitment cases of the branch with no overdue step (#4).
    RecruitmentTimely,
    /// First-agenda (第一议题) tasks of the branch due in the year, done by their date (#3).
    FirstAgendaTasks,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::MeetingCompliance,
        Source::Attendance,
        Source::DuesOnTime,
        Source::RecruitmentTimely,
        Source::FirstAgendaTasks,
    ];
    /// The code stored in the rule (its serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::MeetingCompliance => "meeting_compliance",
            Source::Attendance => "attendance",
            Source::DuesOnTime => "dues_on_time",
            Source::RecruitmentTimely => "recruitment_timely",
            Source::FirstAgendaTasks => "first_agenda_tasks",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Source::MeetingCompliance => "组织生活落实率",
            Source::Attendance => "组织生活出勤率",
            Source::DuesOnTime => "党费按月交纳率",
            Source::RecruitmentTimely => "发展党员按期办理率",
            Source::FirstAgendaTasks => "第一议题任务落实率",
        }
    }
    /// What the numerator and denominator count.
    pub fn units(self) -> (&'static str, &'static str) {
        match self {
            Source::MeetingCompliance => ("按期召开", "应开会议"),
            Source::Attendance => ("实到人次", "应到人次"),
            Source::DuesOnTime => ("当月交纳", "应缴人月"),
            Source::RecruitmentTimely => ("未逾期", "发展档案"),
            Source::FirstAgendaTasks => ("按期完成", "到期任务"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub source: Source,
    /// Points out of the total weight.
    pub weight: u32,
    /// The rate expected of a branch (e.g. 0.95): under saturating scoring
    /// it earns full points; under proportional scoring it is the line shown
    /// as 达标 on the branch's explanation.
    pub target: f64,
    #[serde(default = "saturating")]
    pub scoring: Scoring,
}

impl Indicator {
    /// "组织生活出勤率25分（按实际比例，目标90%）".
    pub fn in_words(&self) -> String {
        format!("{}{}分（{}，目标{}%）", self.source.label(), self.weight, self.scoring.label(), percent(self.target))
    }
}

/// A share as a percentage without needless decimals: 0.9 → "90", 0.925 → "92.5".
fn percent(x: f64) -> String {
    let p = (x * 1000.0).round() / 10.0;
    if p.fract() == 0.0 { format!("{p:.0}") } else { format!("{p}") }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RankingRules {
    pub indicators: Vec<Indicator>,
    /// The bottom share of ranked branches flagged as the tail (percent).
    pub tail_percent: u32,
    /// Branches scoring below this are flagged too.
    pub tail_below: f64,
}

impl Default for RankingRules {
    /// Every indicator scored in proportion, so that branches separate: a
    /// branch with 91 % attendance does not tie with one at 100 %.
    fn default() -> Self {
        let i = |source, weight, target| Indicator { source, weight, target, scoring: Scoring::Proportional };
        RankingRules {
            indicators: vec![
                i(Source::MeetingCompliance, 35, 1.0),
                i(Source::Attendance, 25, 0.9),
                i(Source::DuesOnTime, 20, 0.95),
                i(Source::RecruitmentTimely, 10, 1.0),
                i(Source::FirstAgendaTasks, 10, 1.0),
            ],
            tail_percent: 5,
            tail_below: 60.0,
        }
    }
}

impl RankingRules {
    /// The model in words, as the rules page and the ranking show it:
    /// "组织生活落实率35分（按实际比例，目标100%）、…；末位：得分低于60分或排名后5%".
    pub fn in_words(&self) -> String {
        let parts: Vec<String> = self.indicators.iter().map(Indicator::in_words).collect();
        format!("{}；{}", parts.join("、"), tail_in_words(self.tail_below, self.tail_percent))
    }
}

/// "末位：得分低于60分或排名后5%" (either part left out when it is zero).
pub fn tail_in_words(below: f64, percent: u32) -> String {
    let below = (below > 0.0).then(|| format!("得分低于{}分", below));
    let share = (percent > 0).then(|| format!("排名后{percent}%"));
    match (below, share) {
        (Some(b), Some(s)) => format!("末位：{b}或{s}"),
        (Some(x), None) | (None, Some(x)) => format!("末位：{x}"),
        (None, None) => "不设末位".to_string(),
    }
}

impl Rule for RankingRules {
    const KEY: &'static str = "ranking";
    const LABEL: &'static str = "排队抓尾指标";
    const SOURCE: &'static str = "省直机关工委排队抓尾工作办法（指标与权重为本地实践，可调整）";
    const DEFAULT_FROM: (i32, u32, u32) = (2020, 1, 1);
    fn check(&self) -> Result<(), String> {
        if self.indicators.is_empty() {
            return Err("至少设置一项指标".into());
        }
        if self.indicators.iter().map(|i| i.weight).sum::<u32>() != 100 {
            return Err("各项指标权重之和应为100".into());
        }
        for (i, a) in self.indicators.iter().enumerate() {
            if !(a.target > 0.0 && a.target <= 1.0) {
                return Err(format!("“{}”的满分标准应在0至1之间", a.source.label()));
            }
            if self.indicators[..i].iter().any(|b| b.source == a.source) {
                return Err(format!("指标“{}”重复", a.source.label()));
            }
        }
        if self.tail_percent > 50 {
            return Err("末位比例不能超过50%".into());
        }
        if !(0.0..=100.0).contains(&self.tail_below) {
            return Err("末位分数线应在0至100之间".into());
        }
        Ok(())
    }
}

/// A branch's facts for a period: numerator and denominator per source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub meetings_met: i64,
    pub meetings_expected: i64,
    pub present: i64,
    pub attendance_expected: i64,
    pub dues_on_time: i64,
    pub dues_charges: i64,
    pub cases_timely: i64,
    pub cases_open: i64,
    #[serde(default)]
    pub tasks_done: i64,
    #[serde(default)]
    pub tasks_due: i64,
}

impl Facts {
    pub fn get(&self, s: Source) -> (i64, i64) {
        match s {
            Source::MeetingCompliance => (self.meetings_met, self.meetings_expected),
            Source::Attendance => (self.present, self.attendance_expected),
            Source::DuesOnTime => (self.dues_on_time, self.dues_charges),
            Source::RecruitmentTimely => (self.cases_timely, self.cases_open),
            Source::FirstAgendaTasks => (self.tasks_done, self.tasks_due),
        }
    }
    pub fn add(&mut self, o: &Facts) {
        self.meetings_met += o.meetings_met;
        self.meetings_expected += o.meetings_expected;
        self.present += o.present;
        self.attendance_expected += o.attendance_expected;
        self.dues_on_time += o.dues_on_time;
        self.dues_charges += o.dues_charges;
        self.cases_timely += o.cases_timely;
        self.cases_open += o.cases_open;
        self.tasks_done += o.tasks_done;
        self.tasks_due += o.tasks_due;
    }
}

/// One indicator's part of a branch's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub source: Source,
    pub label: &'static str,
    pub numerator: i64,
    pub denominator: i64,
    /// numerator / denominator (None when the indicator does not apply).
    pub rate: Option<f64>,
    pub weight: u32,
    /// The weight after sharing out the weights of indicators that do not apply.
    pub effective_weight: f64,
    /// Points earned: effective weight × the share the scoring gives the rate.
    pub points: f64,
    pub scoring: Scoring,
    pub target: f64,
}

impl Part {
    /// Whether the rate reached the indicator's target (None: does not apply).
    pub fn met(&self) -> Option<bool> {
        self.rate.map(|r| r + 1e-9 >= self.target)
    }
}

/// A branch's score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub score: f64,
    pub parts: Vec<Part>,
    /// Whether any indicator applied (otherwise the branch is not ranked).
    pub ranked: bool,
}

/// Scores facts under the rules.
pub fn score(rules: &RankingRules, f: &Facts) -> Score {
    let applies = |i: &Indicator| f.get(i.source).1 > 0;
    let applicable: u32 = rules.indicators.iter().filter(|i| applies(i)).map(|i| i.weight).sum();
    let total: u32 = rules.indicators.iter().map(|i| i.weight).sum();
    let mut parts = Vec::with_capacity(rules.indicators.len());
    let mut sum = 0.0;
    for i in &rules.indicators {
        let (n, d) = f.get(i.source);
        let (rate, eff, points) = if d > 0 && applicable > 0 {
            let rate = n as f64 / d as f64;
            let eff = f64::from(i.weight) * f64::from(total) / f64::from(applicable);
            let p = eff * i.scoring.share(rate, i.target);
            (Some(rate), eff, p)
        } else {
            (None, 0.0, 0.0)
        };
        sum += points;
        parts.push(Part {
            source: i.source,
            label: i.source.label(),
            numerator: n,
            denominator: d,
            rate,
            weight: i.weight,
            effective_weight: eff,
            points,
            scoring: i.scoring,
            target: i.target,
        });
    }
    let score = if total > 0 { sum * 100.0 / f64::from(total) } else { 0.0 };
    Score { score: round2(score), parts, ranked: applicable > 0 }
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A branch's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    pub org_id: i64,
    pub committee_id: i64,
    pub score: f64,
    /// 1-based rank in the province; equal scores share a rank (1, 2, 2, 4).
    pub rank: u32,
    /// How many branches share this rank (1: none besides this one; 并列).
    pub tied: u32,
    /// Rank within the branch's unit.
    pub unit_rank: u32,
    pub tail: bool,
}

/// Ranks scored branches: by score descending, ties sharing a rank; the tail
/// is the bottom `tail_percent` (rounded up, at least one when the percent is
/// above zero) plus any branch below `tail_below`. Branches tied with the last
/// one in the tail are in the tail too.
pub fn rank(rules: &RankingRules, scored: &[(i64, i64, f64)]) -> Vec<Placed> {
    let mut v: Vec<(i64, i64, f64)> = scored.to_vec();
    v.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    let n = v.len();
    let tail_n = if rules.tail_percent == 0 || n == 0 {
        0
    } else {
        ((n as u64 * u64::from(rules.tail_percent)).div_ceil(100)).max(1) as usize
    };
    let cut = if tail_n > 0 { Some(v[n - tail_n].2) } else { None };
    let mut out = Vec::with_capacity(n);
    let mut unit_seen: std::collections::HashMap<i64, (u32, f64, u32)> = std::collections::HashMap::new();
    let mut rank = 0u32;
    let mut prev: Option<f64> = None;
    for (i, (org, unit, s)) in v.iter().enumerate() {
        if prev != Some(*s) {
            rank = i as u32 + 1;
            prev = Some(*s);
        }
        let e = unit_seen.entry(*unit).or_insert((0, f64::NAN, 0));
        e.0 += 1;
        if e.1 != *s {
            e.2 = e.0;
            e.1 = *s;
        }
        let tail = cut.is_some_and(|c| *s <= c) || *s < rules.tail_below;
        out.push(Placed { org_id: *org, committee_id: *unit, score: *s, rank, tied: 1, unit_rank: e.2, tail });
    }
    // Sizes of the groups sharing a rank (the rows are in rank order).
    let mut start = 0;
    while start < out.len() {
        let end = start + out[start..].iter().take_while(|p| p.rank == out[start].rank).count();
        let size = (end - start) as u32;
        for p in &mut out[start..end] {
            p.tied = size;
        }
        start = end;
    }
    out
}

/// "第3名", or "并列第1名（共869个）" when others share the rank.
pub fn place_in_words(rank: u32, tied: u32) -> String {
    if tied > 1 { format!("并列第{rank}名（共{tied}个）") } else { format!("第{rank}名") }
}

/// Whether a year's ranking rests on records: a year in which no branch
/// scored anything (before the platform was in use) has nothing to compare
/// with, so 升降 and the history treat it as not ranked.
pub fn has_records(scores: impl IntoIterator<Item = f64>) -> bool {
    scores.into_iter().any(|s| s > 0.0)
}

/// How a branch moved against the year before (升降): places up or down in
/// the province, or new to the ranking (not ranked the year before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    New,
    Same,
    Up(u32),
    Down(u32),
}

impl Movement {
    /// The movement from the year before's (rank, score) to this year's. A
    /// branch whose score did not move is 持平 whatever others did: its rank
    /// changes only because other branches' scores did, which is not news
    /// about this branch.
    pub fn between(before: Option<(u32, f64)>, now: (u32, f64)) -> Movement {
        match before {
            None => Movement::New,
            Some((_, score)) if round2(score) == round2(now.1) => Movement::Same,
            Some((b, _)) if b > now.0 => Movement::Up(b - now.0),
            Some((b, _)) if b < now.0 => Movement::Down(now.0 - b),
            Some(_) => Movement::Same,
        }
    }

    /// The page's class: a drop shows in red, a rise in green.
    pub fn class(self) -> &'static str {
        match self {
            Movement::Up(_) => "up",
            Movement::Down(_) => "bad",
            _ => "",
        }
    }

    /// "↑12", "↓3", "持平", "新参排".
    pub fn label(self) -> String {
        match self {
            Movement::New => "新参排".into(),
            Movement::Same => "持平".into(),
            Movement::Up(n) => format!("↑{n}"),
            Movement::Down(n) => format!("↓{n}"),
        }
    }
}

/// The ranking table's 升降 filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveFilter {
    /// Higher in the province than the year before.
    Up,
    /// Lower than the year before.
    Down,
    /// In the tail now, not the year before (including branches new to the ranking).
    IntoTail,
    /// In the tail the year before, not now.
    OutOfTail,
}

impl MoveFilter {
    pub const ALL: [MoveFilter; 4] = [MoveFilter::Up, MoveFilter::Down, MoveFilter::IntoTail, MoveFilter::OutOfTail];

    pub fn as_str(self) -> &'static str {
        match self {
            MoveFilter::Up => "up",
            MoveFilter::Down => "down",
            MoveFilter::IntoTail => "into_tail",
            MoveFilter::OutOfTail => "out_of_tail",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MoveFilter::Up => "名次上升",
            MoveFilter::Down => "名次下降",
            MoveFilter::IntoTail => "新列末位",
            MoveFilter::OutOfTail => "摆脱末位",
        }
    }

    pub fn parse(s: &str) -> Option<MoveFilter> {
        MoveFilter::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// Whether a branch (ranked now, with its movement and whether it is in
    /// the tail now and was the year before) passes the filter.
    pub fn admits(self, movement: Movement, tail: bool, tail_before: Option<bool>) -> bool {
        match self {
            MoveFilter::Up => matches!(movement, Movement::Up(_)),
            MoveFilter::Down => matches!(movement, Movement::Down(_)),
            MoveFilter::IntoTail => tail && tail_before != Some(true),
            MoveFilter::OutOfTail => !tail && tail_before == Some(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_code_is_its_stored_name() {
        for s in Source::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn a_rectification_moves_only_along_its_steps() {
        use RectificationState as S;
        use RectificationStep as T;
        assert_eq!(T::Progress.next(S::Open, false), Ok(S::Open));
        assert_eq!(T::Submit.next(S::Open, false), Ok(S::Submitted));
        assert_eq!(T::Lift.next(S::Submitted, true), Ok(S::Lifted));
        assert_eq!(T::Return.next(S::Submitted, true), Ok(S::Open));
        assert_eq!(T::Lift.next(S::Submitted, false), Err("整改验收由党支部的上级单位办理"));
        assert_eq!(T::Lift.next(S::Open, true), Err("尚未申请验收"));
        assert_eq!(T::Submit.next(S::Submitted, false), Err("已申请验收，请等待单位验收"));
        for t in T::ALL {
            assert_eq!(t.next(S::Lifted, true), Err("该整改已销号"), "{t:?}");
            assert_eq!(t.entry().as_str(), t.as_str(), "a step writes the entry of its own name");
        }
    }

    fn saturating_rules() -> RankingRules {
        let mut r = RankingRules::default();
        for i in &mut r.indicators {
            i.scoring = Scoring::Saturating;
        }
        r
    }

    #[test]
    fn the_explanation_adds_up_to_the_score() {
        let f = Facts {
            meetings_met: 30,
            meetings_expected: 40,
            present: 270,
            attendance_expected: 300,
            dues_on_time: 100,
            dues_charges: 120,
            cases_timely: 1,
            cases_open: 2,
            tasks_done: 3,
            tasks_due: 4,
        };
        let r = saturating_rules();
        r.check().unwrap();
        let s = score(&r, &f);
        // 35 × 0.75 + 25 × min(1, 0.9/0.9) + 20 × (0.8333/0.95) + 10 × 0.5 + 10 × 0.75
        let expected = 35.0 * 0.75 + 25.0 + 20.0 * ((100.0 / 120.0) / 0.95) + 5.0 + 7.5;
        assert!((s.score - round2(expected)).abs() < 1e-9, "{} vs {expected}", s.score);
        let sum: f64 = s.parts.iter().map(|p| p.points).sum();
        assert!((round2(sum) - s.score).abs() < 1e-9);
        assert!(s.ranked);
        // The national default scores in proportion: 25 × 0.9 and 20 × 0.8333.
        let p = score(&RankingRules::default(), &f);
        let expected = 35.0 * 0.75 + 25.0 * 0.9 + 20.0 * (100.0 / 120.0) + 5.0 + 7.5;
        assert!((p.score - round2(expected)).abs() < 1e-9, "{} vs {expected}", p.score);
        let sum: f64 = p.parts.iter().map(|p| p.points).sum();
        assert!((round2(sum) - p.score).abs() < 1e-9);
        let att = p.parts.iter().find(|x| x.source == Source::Attendance).unwrap();
        assert_eq!(att.met(), Some(true), "90 % of a 90 % target is met");
        let dues = p.parts.iter().find(|x| x.source == Source::DuesOnTime).unwrap();
        assert_eq!(dues.met(), Some(false));
    }

    #[test]
    fn proportional_scoring_separates_what_saturating_ties() {
        let at = |present| Facts {
            meetings_met: 12,
            meetings_expected: 12,
            present,
            attendance_expected: 100,
            dues_on_time: 100,
            dues_charges: 100,
            ..Default::default()
        };
        let (a, b) = (at(91), at(100));
        let sat = saturating_rules();
        assert_eq!(score(&sat, &a).score, score(&sat, &b).score, "both over the 90 % target: full points");
        let prop = RankingRules::default();
        assert!(score(&prop, &a).score < score(&prop, &b).score);
        assert_eq!(score(&prop, &b).score, 100.0);
        // A version stored before scoring was a choice reads as saturating.
        let stored = serde_json::json!({"indicators": [{"source": "attendance", "weight": 100, "target": 0.9}],
            "tail_percent": 5, "tail_below": 60.0});
        let old: RankingRules = serde_json::from_value(stored).unwrap();
        assert_eq!(old.indicators[0].scoring, Scoring::Saturating);
        assert_eq!(
            prop.in_words(),
            "组织生活落实率35分（按实际比例，目标100%）、组织生活出勤率25分（按实际比例，目标90%）、\
             党费按月交纳率20分（按实际比例，目标95%）、发展党员按期办理率10分（按实际比例，目标100%）、\
             第一议题任务落实率10分（按实际比例，目标100%）；末位：得分低于60分或排名后5%"
        );
        assert_eq!(tail_in_words(0.0, 5), "末位：排名后5%");
        assert_eq!(tail_in_words(0.0, 0), "不设末位");
    }

    #[test]
    fn indicators_that_do_not_apply_share_out_their_weight() {
        let r = saturating_rules();
        // No recruitment case and no first-agenda task: their 20 points go to the other three in proportion.
        let f = Facts {
            meetings_met: 10,
            meetings_expected: 10,
            present: 90,
            attendance_expected: 100,
            dues_on_time: 95,
            dues_charges: 100,
            ..Default::default()
        };
        let s = score(&r, &f);
        assert_eq!(s.score, 100.0);
        let rec = s.parts.iter().find(|p| p.source == Source::RecruitmentTimely).unwrap();
        assert_eq!((rec.rate, rec.points), (None, 0.0));
        let m = s.parts.iter().find(|p| p.source == Source::MeetingCompliance).unwrap();
        assert!((m.effective_weight - 35.0 * 100.0 / 80.0).abs() < 1e-9);
        // In proportion: (35 + 25 × 0.9 + 20 × 0.95) out of 80.
        assert_eq!(score(&RankingRules::default(), &f).score, round2((35.0 + 22.5 + 19.0) * 100.0 / 80.0));
        let none = score(&r, &Facts::default());
        assert!(!none.ranked);
    }

    #[test]
    fn ties_share_a_rank_and_the_tail_takes_the_bottom_share_and_the_low_scores() {
        let r = RankingRules { tail_percent: 20, tail_below: 50.0, ..Default::default() };
        let scored = vec![
            (1, 10, 90.0),
            (2, 10, 80.0),
            (3, 20, 80.0),
            (4, 20, 70.0),
            (5, 20, 65.0),
            (6, 10, 40.0),
            (7, 20, 65.0),
        ];
        let p = rank(&r, &scored);
        let by = |id: i64| p.iter().find(|x| x.org_id == id).unwrap().clone();
        assert_eq!((by(1).rank, by(2).rank, by(3).rank, by(4).rank), (1, 2, 2, 4));
        assert_eq!((by(5).rank, by(7).rank, by(6).rank), (5, 5, 7));
        // 20 % of 7 rounds up to 2: the bottom two are 6 (40) and one of the 65s; both 65s are tied, so both.
        let tail: Vec<i64> = p.iter().filter(|x| x.tail).map(|x| x.org_id).collect();
        assert_eq!(tail, vec![5, 7, 6]);
        assert_eq!((by(3).unit_rank, by(4).unit_rank, by(6).unit_rank), (1, 2, 3));
        assert_eq!((by(5).unit_rank, by(7).unit_rank), (3, 3), "ties share a rank within the unit too");
        assert_eq!((by(1).tied, by(2).tied, by(3).tied, by(5).tied, by(6).tied), (1, 2, 2, 2, 1));
        assert_eq!(place_in_words(by(2).rank, by(2).tied), "并列第2名（共2个）");
        assert_eq!(place_in_words(by(1).rank, by(1).tied), "第1名");
        let none = rank(&RankingRules { tail_percent: 0, tail_below: 0.0, ..Default::default() }, &scored);
        assert!(none.iter().all(|x| !x.tail));
    }

    #[test]
    fn rules_are_checked() {
        let mut r = RankingRules::default();
        r.indicators[0].weight = 30;
        assert!(r.check().unwrap_err().contains("100"));
        let mut r = RankingRules::default();
        r.indicators[1].source = Source::MeetingCompliance;
        assert!(r.check().unwrap_err().contains("重复"));
    }

    #[test]
    fn movement_against_the_year_before_and_its_filter() {
        assert_eq!(Movement::between(Some((40, 80.0)), (28, 85.5)), Movement::Up(12));
        assert_eq!(Movement::between(Some((5, 90.0)), (8, 88.0)), Movement::Down(3));
        assert_eq!(Movement::between(Some((7, 70.0)), (7, 71.0)), Movement::Same);
        assert_eq!(Movement::between(None, (1, 100.0)), Movement::New);
        // The same score: 持平 even though others moved around it.
        assert_eq!(Movement::between(Some((869, 100.0)), (1, 100.0)), Movement::Same);
        assert_eq!(Movement::between(Some((3, 92.5)), (9, 92.5)), Movement::Same);
        assert_eq!(Movement::Up(12).label(), "↑12");
        assert_eq!(Movement::Down(3).label(), "↓3");
        assert_eq!(MoveFilter::parse("into_tail"), Some(MoveFilter::IntoTail));
        assert_eq!(MoveFilter::parse("sideways"), None);
        assert!(MoveFilter::Up.admits(Movement::Up(1), false, Some(false)));
        assert!(!MoveFilter::Up.admits(Movement::Same, false, Some(false)));
        assert!(MoveFilter::Down.admits(Movement::Down(2), true, Some(true)));
        // New to the tail: this year's tail that was not there, even if not ranked before.
        assert!(MoveFilter::IntoTail.admits(Movement::Down(9), true, Some(false)));
        assert!(MoveFilter::IntoTail.admits(Movement::New, true, None));
        assert!(!MoveFilter::IntoTail.admits(Movement::Same, true, Some(true)));
        assert!(MoveFilter::OutOfTail.admits(Movement::Up(30), false, Some(true)));
        assert!(!MoveFilter::OutOfTail.admits(Movement::Up(30), true, Some(true)));
        assert!(!MoveFilter::OutOfTail.admits(Movement::New, false, None));
        assert!(!has_records([0.0, 0.0]) && !has_records([]) && has_records([0.0, 12.5]));
    }
}
