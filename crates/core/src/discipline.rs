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

/// One outcome: (identifier, label, category), lightest first within each family.
pub const KINDS: &[(&str, &str, Category)] = &[
    ("party_warning", "警告", Category::PartySanction),
    ("party_serious_warning", "严重警告", Category::PartySanction),
    ("party_post_removal", "撤销党内职务", Category::PartySanction),
    ("party_probation", "留党察看", Category::PartySanction),
    ("party_expulsion", "开除党籍", Category::PartySanction),
    ("gov_warning", "警告（政务）", Category::GovernmentSanction),
    ("gov_demerit", "记过", Category::GovernmentSanction),
    ("gov_major_demerit", "记大过", Category::GovernmentSanction),
    ("gov_demotion", "降级", Category::GovernmentSanction),
    ("gov_dismissal", "撤职", Category::GovernmentSanction),
    ("gov_expulsion", "开除", Category::GovernmentSanction),
    ("talk_reminder", "谈话提醒", Category::Handling),
    ("criticism", "批评教育", Category::Handling),
    ("ordered_review", "责令检查", Category::Handling),
    ("admonition", "诫勉", Category::Handling),
    ("suspension", "停职检查", Category::Handling),
    ("post_adjustment", "调整职务", Category::Handling),
    ("ordered_resignation", "责令辞职", Category::Handling),
    ("removal", "免职", Category::Handling),
    ("downgrade", "降职", Category::Handling),
];

/// The kind's label and category, if the identifier is known.
pub fn kind(id: &str) -> Option<(&'static str, Category)> {
    KINDS.iter().find(|k| k.0 == id).map(|k| (k.1, k.2))
}

/// Cadre ranks the statistics are broken down by.
pub const RANKS: &[(&str, &str)] =
    &[("department_level", "厅级"), ("division_level", "处级"), ("section_level_or_below", "科级及以下")];

pub fn rank_label(id: &str) -> &'static str {
    RANKS.iter().find(|r| r.0 == id).map(|r| r.1).unwrap_or("")
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
    pub cadre_rank: String,
    pub kind: String,
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
        if !RANKS.iter().any(|r| r.0 == self.cadre_rank) {
            errs.push(FieldError::new("cadre_rank", "请选择职级（厅级、处级、科级及以下）"));
        }
        let k = kind(&self.kind);
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
        let (Some((_, category)), Some(org_id), Some(decided_on)) = (k, self.org_id, self.decided_on) else {
            return Err(Error::invalid("kind", "请选择处分或处理种类"));
        };
        Ok(ValidCase {
            person_name: name.to_string(),
            member_id: self.member_id,
            org_id,
            cadre_rank: self.cadre_rank.clone(),
            kind: self.kind.clone(),
            category,
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
pub fn stats_table<'a>(
    counts: impl IntoIterator<Item = (i32, &'a str, &'a str, i64)>,
    from: i32,
    to: i32,
) -> StatsTable {
    let columns: Vec<(Category, &str)> =
        Category::ALL.iter().flat_map(|c| RANKS.iter().map(move |r| (*c, r.0))).collect();
    let years: Vec<i32> = (from..=to).collect();
    let mut grid = vec![vec![0i64; columns.len()]; years.len()];
    let (mut section_total, mut division_total) = (0, 0);
    for (year, category, rank, cases) in counts {
        let (Some(y), Some(c)) = (
            years.iter().position(|x| *x == year),
            columns.iter().position(|(c, r)| c.as_str() == category && *r == rank),
        ) else {
            continue;
        };
        grid[y][c] += cases;
        match rank {
            "section_level_or_below" => section_total += cases,
            "division_level" => division_total += cases,
            _ => {}
        }
    }
    let totals: Vec<i64> = (0..columns.len()).map(|c| grid.iter().map(|l| l[c]).sum()).collect();
    StatsTable {
        columns: columns.iter().map(|(c, r)| (c.label(), rank_label(r))).collect(),
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
                (2021, "handling", "section_level_or_below", 3),
                (2022, "party_sanction", "division_level", 2),
                (2022, "party_sanction", "section_level_or_below", 1),
                (2030, "handling", "section_level_or_below", 9),
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
