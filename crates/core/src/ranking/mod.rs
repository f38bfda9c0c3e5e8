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

mod rectification;
pub use rectification::*;

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
mod tests;
