//! The organization tree: kinds, which kind may sit under which, warnings from
//! the organization rules and election (换届) reminders.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::rules::OrgRules;

crate::state_enum! {
    pub enum OrgKind ("组织类型") {
        WorkingCommittee = ("working_committee", "省直机关工委"),
        Unit = ("unit", "省直单位"),
        PartyCommittee = ("party_committee", "机关党委"),
        GeneralBranch = ("general_branch", "党总支"),
        Branch = ("branch", "党支部"),
        Group = ("group", "党小组"),
    }
}

impl OrgKind {
    /// Kinds that may be created directly under this kind.
    pub fn allowed_children(self) -> &'static [OrgKind] {
        match self {
            OrgKind::WorkingCommittee => &[OrgKind::Unit],
            OrgKind::Unit => &[OrgKind::PartyCommittee, OrgKind::GeneralBranch, OrgKind::Branch],
            OrgKind::PartyCommittee => &[OrgKind::GeneralBranch, OrgKind::Branch],
            OrgKind::GeneralBranch => &[OrgKind::Branch],
            OrgKind::Branch => &[OrgKind::Group],
            OrgKind::Group => &[],
        }
    }

    /// Whether members are registered directly in orgs of this kind.
    pub fn holds_members(self) -> bool {
        matches!(self, OrgKind::Branch)
    }

    /// Whether the org is elected for a term.
    pub fn has_term(self) -> bool {
        matches!(self, OrgKind::PartyCommittee | OrgKind::GeneralBranch | OrgKind::Branch)
    }

    pub fn term_years(self, rules: &OrgRules) -> Option<i64> {
        match self {
            OrgKind::PartyCommittee => Some(rules.party_committee_term_years),
            OrgKind::GeneralBranch => Some(rules.general_branch_term_years),
            OrgKind::Branch => Some(rules.branch_term_years),
            _ => None,
        }
    }
}

/// Checks that `child` may be placed under `parent`.
pub fn check_placement(parent: OrgKind, child: OrgKind) -> Result<(), String> {
    if parent.allowed_children().contains(&child) {
        Ok(())
    } else {
        Err(format!("{}下不能设立{}", parent.label(), child.label()))
    }
}

/// The end of a term that starts on `start`.
pub fn term_end(kind: OrgKind, start: NaiveDate, rules: &OrgRules) -> Option<NaiveDate> {
    let years = kind.term_years(rules)?;
    start.checked_add_months(Months::new(12 * years as u32))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TermStatus {
    /// No term recorded.
    Unknown,
    Current {
        days_left: i64,
    },
    DueSoon {
        days_left: i64,
    },
    Overdue {
        days_over: i64,
    },
}

impl TermStatus {
    pub fn label(&self) -> String {
        match self {
            TermStatus::Unknown => "未录入任期".into(),
            TermStatus::Current { .. } => "任期内".into(),
            TermStatus::DueSoon { days_left } => format!("{days_left}天后届满，请准备换届"),
            TermStatus::Overdue { days_over } => format!("已超期{days_over}天未换届"),
        }
    }
    pub fn is_alert(&self) -> bool {
        matches!(self, TermStatus::DueSoon { .. } | TermStatus::Overdue { .. })
    }
}

pub fn term_status(term_end: Option<NaiveDate>, today: NaiveDate, rules: &OrgRules) -> TermStatus {
    let Some(end) = term_end else { return TermStatus::Unknown };
    let days = (end - today).num_days();
    if days < 0 {
        TermStatus::Overdue { days_over: -days }
    } else if days <= rules.election_due_soon_days {
        TermStatus::DueSoon { days_left: days }
    } else {
        TermStatus::Current { days_left: days }
    }
}

/// Head counts of one branch, used for warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchCounts {
    pub full: i64,
    pub probationary: i64,
    /// Everyone registered (full + probationary).
    pub members: i64,
    /// Elected committee members recorded for the branch.
    pub committee_members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgWarning {
    pub code: &'static str,
    pub message: String,
}

/// Warnings the organization rules raise for a branch.
pub fn branch_warnings(counts: BranchCounts, rules: &OrgRules) -> Vec<OrgWarning> {
    let mut out = Vec::new();
    if counts.full < rules.branch_min_full_members {
        out.push(OrgWarning {
            code: "too_few_full_members",
            message: format!(
                "正式党员{}人，少于{}人，不符合设立党支部的条件",
                counts.full, rules.branch_min_full_members
            ),
        });
    }
    if counts.full >= rules.committee_threshold_full_members && counts.committee_members == 0 {
        out.push(OrgWarning {
            code: "committee_missing",
            message: format!(
                "正式党员{}人，达到{}人应设立支部委员会，尚未录入支委",
                counts.full, rules.committee_threshold_full_members
            ),
        });
    }
    if counts.members > rules.branch_max_members {
        out.push(OrgWarning {
            code: "too_many_members",
            message: format!("党员{}人，超过{}人，建议分设党支部", counts.members, rules.branch_max_members),
        });
    }
    out
}

/// Builds the materialized path of a child.
pub fn child_path(parent_path: &str, child_id: i64) -> String {
    format!("{parent_path}{child_id}/")
}

/// Org ids along a path, root first.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

crate::state_enum! {
    /// Posts in an org's leadership (书记、副书记、委员…).
    pub enum Post ("职务") {
        Secretary = ("secretary", "书记"),
        DeputySecretary = ("deputy_secretary", "副书记"),
        Organization = ("organization", "组织委员"),
        Propaganda = ("propaganda", "宣传委员"),
        Discipline = ("discipline", "纪检委员"),
        Member = ("member", "委员"),
        GroupLeader = ("group_leader", "党小组组长"),
    }
}

impl Post {
    /// A committee member's post (委员), not the secretary's or a group leader's.
    pub fn on_committee(self) -> bool {
        !matches!(self, Post::Secretary | Post::GroupLeader)
    }
    /// The posts that are not committee members' (for SQL lists).
    pub const OFF_COMMITTEE: [Post; 2] = [Post::Secretary, Post::GroupLeader];
}

/// A stored post's label; a post this version does not know reads "委员".
pub fn post_label(post: &str) -> &'static str {
    Post::parse(post).map(Post::label).unwrap_or("委员")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn placement_follows_the_tree() {
        assert!(check_placement(OrgKind::Unit, OrgKind::PartyCommittee).is_ok());
        assert!(check_placement(OrgKind::Branch, OrgKind::Group).is_ok());
        let err = check_placement(OrgKind::Group, OrgKind::Branch).unwrap_err();
        assert_eq!(err, "党小组下不能设立党支部");
    }

    #[test]
    fn branch_terms_are_three_years() {
        let r = OrgRules::default();
        assert_eq!(term_end(OrgKind::Branch, d(2023, 3, 1), &r), Some(d(2026, 3, 1)));
        assert_eq!(term_end(OrgKind::PartyCommittee, d(2023, 3, 1), &r), Some(d(2028, 3, 1)));
        assert_eq!(term_end(OrgKind::Group, d(2023, 3, 1), &r), None);
    }

    #[test]
    fn election_reminders() {
        let r = OrgRules::default();
        let end = d(2026, 3, 1);
        assert!(matches!(term_status(Some(end), d(2025, 11, 1), &r), TermStatus::Current { .. }));
        assert_eq!(term_status(Some(end), d(2025, 12, 1), &r), TermStatus::DueSoon { days_left: 90 });
        assert_eq!(term_status(Some(end), d(2026, 3, 2), &r), TermStatus::Overdue { days_over: 1 });
        assert_eq!(term_status(None, end, &r), TermStatus::Unknown);
    }

    #[test]
    fn branch_warnings_follow_rules() {
        let r = OrgRules::default();
        let w = branch_warnings(BranchCounts { full: 2, probationary: 1, members: 3, committee_members: 0 }, &r);
        assert_eq!(w.iter().map(|w| w.code).collect::<Vec<_>>(), ["too_few_full_members"]);
        let w = branch_warnings(BranchCounts { full: 7, probationary: 0, members: 7, committee_members: 0 }, &r);
        assert_eq!(w.iter().map(|w| w.code).collect::<Vec<_>>(), ["committee_missing"]);
        let w = branch_warnings(BranchCounts { full: 6, probationary: 0, members: 6, committee_members: 0 }, &r);
        assert!(w.is_empty());
        let w = branch_warnings(BranchCounts { full: 51, probationary: 0, members: 51, committee_members: 3 }, &r);
        assert_eq!(w.iter().map(|w| w.code).collect::<Vec<_>>(), ["too_many_members"]);
        let w = branch_warnings(BranchCounts { full: 50, probationary: 0, members: 50, committee_members: 3 }, &r);
        assert!(w.is_empty());
    }

    #[test]
    fn paths() {
        assert_eq!(child_path("/1/5/", 23), "/1/5/23/");
        assert_eq!(path_ids("/1/5/23/"), vec![1, 5, 23]);
    }
}
