//! Campaigns (评选): one engine for 模范机关 (units), 四强党支部 (branches),
//! 四好党员 (members), 清廉机关 (units) and later honors. A campaign defines
//! its criteria with weights (maximum points) and guides, its tiers with
//! quotas, and its eligibility; the panel's scores are combined by a trimmed
//! mean and tiers are assigned under the quotas by a stated tie rule. Every
//! result can be recomputed from the stored scores with these functions.

use serde::{Deserialize, Serialize};

crate::state_enum! {
    /// What a campaign honors.
    pub enum Honor ("荣誉") {
        ModelOrgan = ("model_organ", "模范机关"),
        FourStrongBranch = ("four_strong_branch", "四强党支部"),
        FourGoodMember = ("four_good_member", "四好党员"),
        CleanOrgan = ("clean_organ", "清廉机关"),
    }
}

/// Who can be a subject of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Unit,
    Branch,
    Member,
}

impl Honor {
    pub fn subject(self) -> Subject {
        match self {
            Honor::ModelOrgan | Honor::CleanOrgan => Subject::Unit,
            Honor::FourStrongBranch => Subject::Branch,
            Honor::FourGoodMember => Subject::Member,
        }
    }
    /// The criteria a new campaign of this honor starts from.
    pub fn default_criteria(self) -> Vec<Criterion> {
        let c = |name: &str, weight: u32, guide: &str| Criterion { name: name.into(), weight, guide: guide.into() };
        match self {
            Honor::ModelOrgan => vec![
                c("讲政治", 30, "第一议题制度落实，理论学习中心组学习规范"),
                c("守纪律", 25, "无违纪违法案件，作风建设成效明显"),
                c("负责任", 25, "履行管党治党责任，基层党组织建设扎实"),
                c("有效率", 20, "服务群众、推动发展成效显著"),
            ],
            Honor::FourStrongBranch => vec![
                c("政治功能强", 30, "三会一课、主题党日落实，政治学习常态化"),
                c("支部班子强", 25, "班子健全，书记抓党建能力强"),
                c("党员队伍强", 25, "党员教育管理规范，发展党员按期"),
                c("作用发挥强", 20, "服务中心工作和群众成效明显"),
            ],
            Honor::FourGoodMember => vec![
                c("政治素质好", 30, "理想信念坚定，学习积极"),
                c("岗位履职好", 30, "业务精湛，工作实绩突出"),
                c("服务群众好", 20, "密切联系群众，志愿服务"),
                c("遵纪守法好", 20, "遵守党纪国法，按期交纳党费"),
            ],
            Honor::CleanOrgan => vec![
                c("廉洁制度", 30, "权力运行制度健全"),
                c("廉洁文化", 20, "廉洁文化建设常态化"),
                c("监督执纪", 30, "监督有力，问题整改到位"),
                c("作风建设", 20, "无违反中央八项规定精神问题"),
            ],
        }
    }
    /// Eligibility conditions a new campaign of this honor starts from.
    pub fn default_eligibility(self) -> Vec<Eligibility> {
        match self {
            Honor::FourStrongBranch => vec![Eligibility::NotInRankingTail],
            Honor::FourGoodMember => vec![Eligibility::DuesPaidUp],
            Honor::CleanOrgan => vec![Eligibility::NoSanction],
            Honor::ModelOrgan => Vec::new(),
        }
    }
    /// Tiers a new campaign of this honor starts from.
    pub fn default_tiers(self) -> Vec<Tier> {
        match self {
            Honor::ModelOrgan => {
                vec![Tier { name: "标兵单位".into(), quota: 20 }, Tier { name: "先进单位".into(), quota: 80 }]
            }
            Honor::FourStrongBranch => vec![Tier { name: "四强党支部".into(), quota: 300 }],
            Honor::FourGoodMember => vec![Tier { name: "四好党员".into(), quota: 200 }],
            Honor::CleanOrgan => vec![Tier { name: "清廉机关".into(), quota: 30 }],
        }
    }
}

crate::state_enum! {
    /// Who may apply, checked against the platform's records when applying.
    pub enum Eligibility ("资格条件") {
        /// A branch in the tail of the campaign year's 排队抓尾 may not apply.
        NotInRankingTail = ("not_in_ranking_tail", "当年排队抓尾未列为末位"),
        /// A member with an unpaid dues month in the campaign year may not apply.
        DuesPaidUp = ("dues_paid_up", "当年党费按月交清"),
        /// No party or government sanction (处分) decided in the campaign year on the
        /// member, on anyone of the branch, or on anyone of the unit.
        NoSanction = ("no_sanction", "当年无党纪政务处分"),
    }
}

impl Eligibility {
    /// Whether the condition can be checked for this kind of subject.
    pub fn applies_to(self, subject: Subject) -> bool {
        match self {
            Eligibility::NotInRankingTail => subject == Subject::Branch,
            Eligibility::DuesPaidUp => subject == Subject::Member,
            Eligibility::NoSanction => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// Maximum points; the weights of a campaign sum to 100.
    pub weight: u32,
    /// What earns the points (评分细则).
    pub guide: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub name: String,
    pub quota: u32,
}

/// The rule that orders equal totals; shown with every result.
pub const TIE_RULE: &str = "总分相同时，依次比较自评分（高者在前）、申报时间（早者在前）";

/// Checks criteria and tiers of a campaign; messages in Chinese.
pub fn check(criteria: &[Criterion], tiers: &[Tier]) -> Result<(), String> {
    if criteria.is_empty() {
        return Err("至少设置一项评选标准".into());
    }
    if criteria.iter().map(|c| c.weight).sum::<u32>() != 100 {
        return Err("各项评选标准的分值之和应为100".into());
    }
    for (i, c) in criteria.iter().enumerate() {
        if c.name.trim().is_empty() || c.weight == 0 {
            return Err("每项评选标准须有名称和分值".into());
        }
        if criteria[..i].iter().any(|d| d.name == c.name) {
            return Err(format!("评选标准“{}”重复", c.name));
        }
    }
    if tiers.is_empty() || tiers.iter().any(|t| t.name.trim().is_empty() || t.quota == 0) {
        return Err("至少设置一个等次，且每个等次须有名称和名额".into());
    }
    Ok(())
}

/// A reviewer's (or the applicant's own) points per criterion, checked against the maxima.
pub fn total(criteria: &[Criterion], points: &[u32]) -> Result<u32, String> {
    if points.len() != criteria.len() {
        return Err(format!("应对{}项标准逐项打分", criteria.len()));
    }
    for (c, p) in criteria.iter().zip(points) {
        if *p > c.weight {
            return Err(format!("“{}”最高{}分", c.name, c.weight));
        }
    }
    Ok(points.iter().sum())
}

/// The panel's score: the mean of the reviewers' totals; with five or more
/// reviewers the highest and the lowest are dropped first. Two decimals.
pub fn trimmed_mean(totals: &[u32]) -> Option<f64> {
    if totals.is_empty() {
        return None;
    }
    let mut v: Vec<u32> = totals.to_vec();
    v.sort_unstable();
    let kept = if v.len() >= 5 { &v[1..v.len() - 1] } else { &v[..] };
    let mean = kept.iter().map(|x| f64::from(*x)).sum::<f64>() / kept.len() as f64;
    Some((mean * 100.0).round() / 100.0)
}

/// An application as the ranking sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub score: f64,
    pub self_total: u32,
    /// When it was submitted (ms), earlier first on equal totals and self-assessment.
    pub applied_at: i64,
}

/// An application's place and tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    pub id: i64,
    pub score: f64,
    /// 1-based place after the tie rule.
    pub place: u32,
    /// Index into the campaign's tiers, or None when outside every quota.
    pub tier: Option<usize>,
    /// Set when the tie rule decided between this entry and a neighbour with the same total.
    pub tie_note: String,
}

/// Orders entries by score and the tie rule, then fills the tiers in order under their quotas.
pub fn assign(tiers: &[Tier], entries: &[Entry]) -> Vec<Placed> {
    let mut v: Vec<&Entry> = entries.iter().collect();
    v.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.self_total.cmp(&a.self_total))
            .then(a.applied_at.cmp(&b.applied_at))
            .then(a.id.cmp(&b.id))
    });
    let mut bounds = Vec::new();
    let mut acc = 0usize;
    for t in tiers {
        acc += t.quota as usize;
        bounds.push(acc);
    }
    let mut out: Vec<Placed> = v
        .iter()
        .enumerate()
        .map(|(i, e)| Placed {
            id: e.id,
            score: e.score,
            place: i as u32 + 1,
            tier: bounds.iter().position(|b| i < *b),
            tie_note: String::new(),
        })
        .collect();
    for i in 1..out.len() {
        if out[i].score == out[i - 1].score {
            let (a, b) = (v[i - 1], v[i]);
            let why = if a.self_total != b.self_total { "自评分" } else { "申报时间" };
            let note = format!("与第{}名总分相同，按{}排序", out[i - 1].place, why);
            if out[i].tier != out[i - 1].tier {
                // At a quota boundary, the one let in is told why too.
                let back = format!("与第{}名总分相同，按{}排序", out[i].place, why);
                let prev = &mut out[i - 1].tie_note;
                if !prev.is_empty() {
                    prev.push('；');
                }
                prev.push_str(&back);
            }
            out[i].tie_note = note;
        }
    }
    out
}

crate::state_enum! {
    /// Where a campaign stands: applying → reviewing → publicity (公示) → named.
    pub enum CampaignState ("评选状态") {
        Applying = ("applying", "申报中"),
        Reviewing = ("reviewing", "评审中"),
        Publicity = ("publicity", "公示中"),
        Named = ("named", "已命名"),
    }
}

crate::state_enum! {
    /// An objection (异议) filed during a campaign's publicity: open until the
    /// committee finds it upheld (the subject loses the honor) or dismissed.
    pub enum ObjectionState ("异议状态") {
        Open = ("open", "待核查"),
        Upheld = ("upheld", "属实"),
        Dismissed = ("dismissed", "不属实"),
    }
}

crate::state_enum! {
    /// A year's secretaries' review (书记述职评议): open for reports and
    /// ratings, then closed by the committee (counts shown to units).
    pub enum ReviewState ("述职评议状态") {
        Open = ("open", "进行中"),
        Closed = ("closed", "已结束"),
    }
}

crate::state_enum! {
    /// How a secretary reports (述职方式).
    pub enum ReportMode ("述职方式") {
        Written = ("written", "书面述职"),
        InPerson = ("in_person", "现场述职"),
    }
}

crate::state_enum! {
    /// One participant's rating of a secretary's report (测评等次).
    pub enum Rating ("测评等次") {
        Good = ("good", "好"),
        FairlyGood = ("fairly_good", "较好"),
        Average = ("average", "一般"),
        Poor = ("poor", "差"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn campaign_states_read_back_and_refuse_the_unknown() {
        use super::CampaignState as S;
        for st in [S::Applying, S::Reviewing, S::Publicity, S::Named] {
            assert_eq!(S::parse(st.as_str()), Some(st));
        }
        assert_eq!(S::parse("Applying"), None);
    }

    use super::*;

    #[test]
    fn default_campaigns_are_valid() {
        for h in Honor::ALL {
            check(&h.default_criteria(), &h.default_tiers()).unwrap();
            assert_eq!(Honor::parse(h.as_str()), Some(h));
        }
        let tiers = Honor::ModelOrgan.default_tiers();
        assert_eq!((tiers[0].quota, tiers[1].quota), (20, 80), "20 标兵 and 80 先进, as in the article");
        let mut c = Honor::ModelOrgan.default_criteria();
        c[0].weight = 10;
        assert!(check(&c, &tiers).unwrap_err().contains("100"));
    }

    #[test]
    fn points_are_capped_per_criterion() {
        let c = Honor::ModelOrgan.default_criteria();
        assert_eq!(total(&c, &[30, 25, 20, 15]), Ok(90));
        assert!(total(&c, &[31, 25, 20, 15]).unwrap_err().contains("“讲政治”最高30分"));
        assert!(total(&c, &[30, 25]).is_err());
    }

    #[test]
    fn five_or_more_reviewers_drop_the_highest_and_lowest() {
        assert_eq!(trimmed_mean(&[]), None);
        assert_eq!(trimmed_mean(&[80, 90]), Some(85.0));
        assert_eq!(trimmed_mean(&[60, 80, 90, 85]), Some(78.75), "four reviewers: plain mean");
        assert_eq!(trimmed_mean(&[60, 80, 90, 85, 100]), Some(85.0), "60 and 100 dropped");
        assert_eq!(trimmed_mean(&[70, 71, 72]), Some(71.0));
        assert_eq!(trimmed_mean(&[70, 70, 71]), Some(70.33));
    }

    #[test]
    fn quotas_fill_in_order_and_ties_follow_the_stated_rule() {
        let tiers = vec![Tier { name: "标兵".into(), quota: 1 }, Tier { name: "先进".into(), quota: 2 }];
        let e = |id: i64, score: f64, self_total: u32, applied_at: i64| Entry { id, score, self_total, applied_at };
        let entries =
            vec![e(1, 90.0, 80, 5), e(2, 95.0, 90, 9), e(3, 90.0, 85, 7), e(4, 88.0, 99, 1), e(5, 90.0, 85, 3)];
        let p = assign(&tiers, &entries);
        let ids: Vec<i64> = p.iter().map(|x| x.id).collect();
        // 95 first; the three 90s by self-assessment (85, 85, 80), the two 85s by time (3 before 7).
        assert_eq!(ids, vec![2, 5, 3, 1, 4]);
        let tier: Vec<Option<usize>> = p.iter().map(|x| x.tier).collect();
        assert_eq!(tier, vec![Some(0), Some(1), Some(1), None, None]);
        assert!(p[2].tie_note.contains("申报时间"), "{:?}", p[2]);
        assert!(p[3].tie_note.contains("自评分"), "{:?}", p[3]);
        assert!(p[2].tie_note.contains("第2名"));
        assert!(!p[2].tie_note.is_empty() && p[0].tie_note.is_empty());
        // The one left out at the boundary is told why, and so is the one let in.
        assert!(p[2].tie_note.contains("与第2名"));
    }
}
