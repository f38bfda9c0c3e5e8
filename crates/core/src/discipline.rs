//! Discipline records (纪检监察): the sanctions (处分) and organizational
//! handlings (处理) decided on party members, cadres and public servants of a
//! unit. Only discipline staff read or write them; other areas learn only
//! what a rule needs (e.g. a campaign's "no sanction that year").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Error, FieldError};

crate::state_enum! {
    /// The three families of outcomes counted in the discipline statistics.
    pub enum Category ("案件类别") {
        /// 党纪处分 under the party's disciplinary regulations.
        PartySanction = ("party_sanction", "党纪处分"),
        /// 政务处分 under the law on sanctions of public servants.
        GovernmentSanction = ("government_sanction", "政务处分"),
        /// 组织处理 and the lighter forms (谈话提醒, 批评教育, 诫勉 …).
        Handling = ("handling", "组织处理"),
    }
}

impl Category {
    /// Whether the outcome is a sanction (处分), as opposed to a handling (处理).
    pub fn is_sanction(self) -> bool {
        self != Category::Handling
    }
}

crate::state_enum! {
    /// One outcome (处分 or 处理), lightest first within each family.
    pub enum CaseKind ("处分处理种类") {
        PartyWarning = ("party_warning", "警告"),
        PartySeriousWarning = ("party_serious_warning", "严重警告"),
        PartyPostRemoval = ("party_post_removal", "撤销党内职务"),
        PartyProbation = ("party_probation", "留党察看"),
        PartyExpulsion = ("party_expulsion", "开除党籍"),
        GovWarning = ("gov_warning", "警告（政务）"),
        GovDemerit = ("gov_demerit", "记过"),
        GovMajorDemerit = ("gov_major_demerit", "记大过"),
        GovDemotion = ("gov_demotion", "降级"),
        GovDismissal = ("gov_dismissal", "撤职"),
        GovExpulsion = ("gov_expulsion", "开除"),
        TalkReminder = ("talk_reminder", "谈话提醒"),
        Criticism = ("criticism", "批评教育"),
        OrderedReview = ("ordered_review", "责令检查"),
        Admonition = ("admonition", "诫勉"),
        Suspension = ("suspension", "停职检查"),
        PostAdjustment = ("post_adjustment", "调整职务"),
        OrderedResignation = ("ordered_resignation", "责令辞职"),
        Removal = ("removal", "免职"),
        Downgrade = ("downgrade", "降职"),
    }
}

impl CaseKind {
    /// The family the outcome is counted in.
    pub fn category(self) -> Category {
        match self {
            CaseKind::PartyWarning
            | CaseKind::PartySeriousWarning
            | CaseKind::PartyPostRemoval
            | CaseKind::PartyProbation
            | CaseKind::PartyExpulsion => Category::PartySanction,
            CaseKind::GovWarning
            | CaseKind::GovDemerit
            | CaseKind::GovMajorDemerit
            | CaseKind::GovDemotion
            | CaseKind::GovDismissal
            | CaseKind::GovExpulsion => Category::GovernmentSanction,
            CaseKind::TalkReminder
            | CaseKind::Criticism
            | CaseKind::OrderedReview
            | CaseKind::Admonition
            | CaseKind::Suspension
            | CaseKind::PostAdjustment
            | CaseKind::OrderedResignation
            | CaseKind::Removal
            | CaseKind::Downgrade => Category::Handling,
        }
    }
}

crate::state_enum! {
    /// Cadre ranks the statistics are broken down by.
    pub enum CadreRank ("职级") {
        DepartmentLevel = ("department_level", "厅级"),
        DivisionLevel = ("division_level", "处级"),
        SectionLevelOrBelow = ("section_level_or_below", "科级及以下"),
    }
}

/// A case as typed by discipline staff.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CaseInput {
    pub person_name: String,
    /// The member record, when the person is a party member of the unit.
    pub member_id: Option<i64>,
    /// Where the person works (a unit or a branch).
    pub org_id: Option<i64>,
    pub cadre_rank: String,
    pub kind: String,
    pub decided_on: Option<NaiveDate>,
    pub decided_by: String,
    pub document_no: String,
    pub summary: String,
}

/// A case that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCase {
    pub person_name: String,
    pub member_id: Option<i64>,
    pub org_id: i64,
    pub cadre_rank: CadreRank,
    pub kind: CaseKind,
    pub category: Category,
    pub decided_on: NaiveDate,
    pub decided_by: String,
    pub document_no: String,
    pub summary: String,
}

impl CaseInput {
    /// Every problem at once, each naming its field.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidCase, Error> {
        let mut errs = Vec::new();
        let name = self.person_name.trim();
        if name.is_empty() {
            errs.push(FieldError::new("person_name", "请填写被处分（处理）人姓名"));
        } else if name.chars().count() > 30 {
            errs.push(FieldError::new("person_name", "姓名不能超过30个字"));
        }
        if self.org_id.is_none() {
            errs.push(FieldError::new("org_id", "请选择所在单位或党支部"));
        }
        let rank = CadreRank::parse(&self.cadre_rank);
        if rank.is_none() {
            errs.push(FieldError::new("cadre_rank", "请选择职级（厅级、处级、科级及以下）"));
        }
        let k = CaseKind::parse(&self.kind);
        if k.is_none() {
            errs.push(FieldError::new("kind", "请选择处分或处理种类"));
        }
        match self.decided_on {
            None => errs.push(FieldError::new("decided_on", "请填写决定日期")),
            Some(d) if d > today => errs.push(FieldError::new("decided_on", "决定日期不能晚于今天")),
            Some(_) => {}
        }
        if self.decided_by.trim().is_empty() {
            errs.push(FieldError::new("decided_by", "请填写决定机关"));
        }
        if self.summary.trim().is_empty() {
            errs.push(FieldError::new("summary", "请填写主要问题"));
        } else if self.summary.chars().count() > 2000 {
            errs.push(FieldError::new("summary", "主要问题不能超过2000字"));
        }
        if !errs.is_empty() {
            return Err(Error::Invalid(errs));
        }
        let (Some(kind), Some(cadre_rank), Some(org_id), Some(decided_on)) = (k, rank, self.org_id, self.decided_on)
        else {
            return Err(Error::invalid("kind", "请选择处分或处理种类"));
        };
        Ok(ValidCase {
            person_name: name.to_string(),
            member_id: self.member_id,
            org_id,
            cadre_rank,
            kind,
            category: kind.category(),
            decided_on,
            decided_by: self.decided_by.trim().to_string(),
            document_no: self.document_no.trim().to_string(),
            summary: self.summary.trim().to_string(),
        })
    }
}

/// One year of the statistics: a count per column, and the year's total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearLine {
    pub year: i32,
    pub cells: Vec<i64>,
    pub total: i64,
}

/// The statistics table: one column per category × rank, one line per year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsTable {
    /// (category label, rank label) per column.
    pub columns: Vec<(&'static str, &'static str)>,
    pub lines: Vec<YearLine>,
    pub totals: Vec<i64>,
    pub grand_total: i64,
    /// People at section level or below, and at division level, over the years.
    pub section_total: i64,
    pub division_total: i64,
}

/// Builds the table for the years `from..=to` from counts (year, category, rank, cases).
pub fn stats_table(
    counts: impl IntoIterator<Item = (i32, Category, CadreRank, i64)>,
    from: i32,
    to: i32,
) -> StatsTable {
    let columns: Vec<(Category, CadreRank)> =
        Category::ALL.iter().flat_map(|c| CadreRank::ALL.iter().map(move |r| (*c, *r))).collect();
    let years: Vec<i32> = (from..=to).collect();
    let mut grid = vec![vec![0i64; columns.len()]; years.len()];
    let (mut section_total, mut division_total) = (0, 0);
    for (year, category, rank, cases) in counts {
        let (Some(y), Some(c)) =
            (years.iter().position(|x| *x == year), columns.iter().position(|(c, r)| *c == category && *r == rank))
        else {
            continue;
        };
        grid[y][c] += cases;
        match rank {
            CadreRank::SectionLevelOrBelow => section_total += cases,
            CadreRank::DivisionLevel => division_total += cases,
            CadreRank::DepartmentLevel => {}
        }
    }
    let totals: Vec<i64> = (0..columns.len()).map(|c| grid.iter().map(|l| l[c]).sum()).collect();
    StatsTable {
        columns: columns.iter().map(|(c, r)| (c.label(), r.label())).collect(),
        lines: years
            .iter()
            .zip(grid)
            .map(|(year, cells)| YearLine { year: *year, total: cells.iter().sum(), cells })
            .collect(),
        grand_total: totals.iter().sum(),
        totals,
        section_total,
        division_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_case_names_every_missing_field_in_chinese() {
        let Err(Error::Invalid(errs)) = CaseInput::default().validate(day(2025, 6, 1)) else { panic!() };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["person_name", "org_id", "cadre_rank", "kind", "decided_on", "decided_by", "summary"]);
    }

    #[test]
    fn the_statistics_table_adds_up_by_year_column_and_rank() {
        let t = stats_table(
            [
                (2021, Category::Handling, CadreRank::SectionLevelOrBelow, 3),
                (2022, Category::PartySanction, CadreRank::DivisionLevel, 2),
                (2022, Category::PartySanction, CadreRank::SectionLevelOrBelow, 1),
                (2030, Category::Handling, CadreRank::SectionLevelOrBelow, 9),
            ],
            2021,
            2022,
        );
        assert_eq!(t.columns.len(), 9);
        assert_eq!((t.lines[0].total, t.lines[1].total, t.grand_total), (3, 3, 6));
        assert_eq!((t.section_total, t.division_total), (4, 2), "a year outside the range is left out");
        assert_eq!(t.totals.iter().sum::<i64>(), 6);
    }

    #[test]
    fn a_future_decision_is_refused_and_a_valid_case_keeps_its_category() {
        let mut c = CaseInput {
            person_name: "王某".into(),
            org_id: Some(5),
            cadre_rank: "section_level_or_below".into(),
            kind: "party_serious_warning".into(),
            decided_on: Some(day(2025, 6, 2)),
            decided_by: "省直机关纪检监察工委".into(),
            summary: "违反中央八项规定精神".into(),
            ..Default::default()
        };
        let Err(Error::Invalid(errs)) = c.validate(day(2025, 6, 1)) else { panic!() };
        assert_eq!(errs[0].message, "决定日期不能晚于今天");
        c.decided_on = Some(day(2025, 6, 1));
        let v = c.validate(day(2025, 6, 1)).unwrap();
        assert_eq!(v.category, Category::PartySanction);
        assert!(v.category.is_sanction());
        c.kind = "admonition".into();
        assert!(!c.validate(day(2025, 6, 1)).unwrap().category.is_sanction());
    }
}
