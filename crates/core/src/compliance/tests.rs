//! Compliance periods, slots and due items.

use super::*;
use crate::meeting::{AppliesTo, MeetingKind};
use crate::rules::{Rule, RuleRow};

fn map<const N: usize>(items: [(i64, Tally); N]) -> std::collections::HashMap<i64, Tally> {
    items.into_iter().collect()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn branch(id: i64) -> OrgFacts {
    OrgFacts {
        id,
        committee_id: 2,
        parent_id: Some(2),
        path: format!("/1/2/{id}/"),
        kind: OrgKind::Branch,
        name: format!("第{id}支部"),
        district: "一片区".into(),
        has_committee: false,
        established_on: Some(d("2019-01-01")),
        dissolved_on: None,
    }
}

fn only(kinds: Vec<MeetingKind>, from: &str) -> RuleRow {
    RuleRow {
        key: MeetingKinds::KEY.into(),
        effective_from: d(from),
        value: serde_json::to_value(MeetingKinds { kinds }).unwrap(),
        source: "test".into(),
    }
}

fn kind(id: &str, cycle: Cycle, times: i64) -> MeetingKind {
    let mut k = MeetingKinds::default().kinds.into_iter().find(|k| k.id == "theme_day").unwrap();
    k.id = id.into();
    k.label = id.into();
    k.cycle = cycle;
    k.times = times;
    k.applies_to = AppliesTo::Branch;
    k
}

#[test]
fn default_rules_expect_the_national_frequencies_of_a_branch() {
    let rules = RuleSet::new(crate::rules::national_defaults());
    let org = branch(7);
    let mut tally = Tally::default();
    // Q1 general meeting held, Q2 missed; theme days Jan–Jun all held, one extra in March.
    tally.add("branch_general_meeting", 2, 1, 10, 12);
    for m in 1..=6 {
        tally.add("theme_day", m, 1, 10, 12);
    }
    tally.add("theme_day", 3, 1, 10, 12);
    let r = compute(std::slice::from_ref(&org), &map([(7, tally.clone())]), &rules, 2025, d("2025-07-15"));
    let t = &r.per_org[0].1;
    let general = &t.kinds["branch_general_meeting"];
    assert_eq!((general.expected, general.met, general.missed_cycles, general.open_expected), (2, 1, 1, 1));
    let theme = &t.kinds["theme_day"];
    assert_eq!((theme.expected, theme.met, theme.held, theme.missed_cycles), (6, 6, 7, 0));
    // No committee: no committee meetings expected; groups' meetings not the branch's.
    assert!(!t.kinds.contains_key("branch_committee_meeting"));
    assert!(!t.kinds.contains_key("group_meeting"));
    // Yearly kinds are in progress, not missing, in July.
    assert_eq!(t.kinds["life_meeting"].expected, 0);
    assert_eq!(t.kinds["life_meeting"].open_expected, 1);
    assert_eq!(t.orgs_expected, 1);
    assert_eq!(t.orgs_complete, 0);
    let miss = missing(std::slice::from_ref(&org), &map([(7, tally)]), &rules, 2025, d("2025-07-15"));
    let kinds: Vec<(&str, &str)> = miss.iter().map(|m| (m.kind.as_str(), m.period.as_str())).collect();
    assert!(kinds.contains(&("branch_general_meeting", "2025年第2季度")));
    assert!(kinds.contains(&("party_lecture", "2025年第1季度")));
    assert!(!kinds.iter().any(|k| k.0 == "theme_day"));
}

#[test]
fn a_rule_changed_mid_year_applies_from_its_month() {
    // Monthly until June; from July a quarterly kind (only Jul–Sep count for Q3).
    let rules = RuleSet::new(vec![
        only(vec![kind("talk", Cycle::Month, 1)], "2018-10-01"),
        only(vec![kind("talk", Cycle::Quarter, 2)], "2025-07-01"),
    ]);
    let s = slots(&rules, 2025);
    assert_eq!(s.len(), 6 + 2);
    assert!(s[..6].iter().all(|x| x.cycle == Cycle::Month && x.expected == 1));
    assert_eq!((s[6].from_month, s[6].to_month, s[6].expected), (7, 9, 2));
    // A change inside a quarter: Aug → Q3 counts Aug–Sep only, July was monthly.
    let rules = RuleSet::new(vec![
        only(vec![kind("talk", Cycle::Month, 1)], "2018-10-01"),
        only(vec![kind("talk", Cycle::Quarter, 1)], "2025-08-01"),
    ]);
    let s = slots(&rules, 2025);
    assert_eq!(s.len(), 7 + 2);
    assert_eq!((s[7].from_month, s[7].to_month), (8, 9));
    // Frequency changed within the same cycle type: the whole cycle follows the new rule.
    let rules = RuleSet::new(vec![
        only(vec![kind("talk", Cycle::Year, 1)], "2018-10-01"),
        only(vec![kind("talk", Cycle::Year, 2)], "2025-07-01"),
    ]);
    let s = slots(&rules, 2025);
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].from_month, s[0].expected), (1, 2));
    // A kind added mid-year counts only from its month; removed kinds stop.
    let rules = RuleSet::new(vec![
        only(vec![kind("a", Cycle::Month, 1)], "2018-10-01"),
        only(vec![kind("b", Cycle::Year, 1)], "2025-10-01"),
    ]);
    let s = slots(&rules, 2025);
    assert_eq!(s.iter().filter(|x| x.kind == "a").count(), 9);
    let b: Vec<&Slot> = s.iter().filter(|x| x.kind == "b").collect();
    assert_eq!((b.len(), b[0].from_month), (1, 10));
}

#[test]
fn a_quarter_or_a_month_counts_only_the_cycles_inside_it() {
    let rules = RuleSet::new(crate::rules::national_defaults());
    let org = branch(7);
    let mut tally = Tally::default();
    tally.add("branch_general_meeting", 8, 1, 10, 12);
    tally.add("theme_day", 7, 1, 10, 12);
    let t = map([(7, tally)]);
    let q3 = compute(std::slice::from_ref(&org), &t, &rules, Period::quarter(2025, 3), d("2026-01-01"));
    let k = &q3.per_org[0].1.kinds;
    assert_eq!((k["branch_general_meeting"].expected, k["branch_general_meeting"].met), (1, 1));
    assert_eq!((k["theme_day"].expected, k["theme_day"].met), (3, 1));
    assert!(!k.contains_key("life_meeting"), "a yearly cycle is not inside a quarter");
    let aug = compute(std::slice::from_ref(&org), &t, &rules, Period::month(2025, 8), d("2026-01-01"));
    let k = &aug.per_org[0].1.kinds;
    assert_eq!(k.keys().map(|s| s.as_str()).collect::<Vec<_>>(), ["theme_day"]);
    assert_eq!(k["theme_day"].met, 0);
    assert_eq!(Period::parse(2025, "q3"), Some(Period::quarter(2025, 3)));
    assert_eq!(Period::parse(2025, "m12").map(|p| p.label()), Some("2025年12月".into()));
    assert_eq!(Period::parse(2025, ""), Some(Period::year(2025)));
    assert_eq!(Period::parse(2025, "q5"), None);
    assert_eq!(Period::quarter(2025, 2).code(), "q2");
}

#[test]
fn orgs_count_only_for_cycles_they_existed_through() {
    let rules = RuleSet::new(vec![only(vec![kind("talk", Cycle::Month, 1)], "2018-10-01")]);
    let mut org = branch(3);
    org.established_on = Some(d("2025-03-10"));
    org.dissolved_on = Some(d("2025-09-15"));
    let r = compute(std::slice::from_ref(&org), &map([]), &rules, 2025, d("2026-01-01"));
    // April–August: five full months.
    assert_eq!(r.per_org[0].1.kinds["talk"].expected, 5);
}

#[test]
fn roll_up_sums_orgs_into_groups() {
    let rules = RuleSet::new(vec![only(vec![kind("talk", Cycle::Quarter, 1)], "2018-10-01")]);
    let orgs = vec![branch(10), branch(11), branch(12)];
    let mut full = Tally::default();
    for m in [1, 4, 7, 10] {
        full.add("talk", m, 1, 5, 5);
    }
    let mut half = Tally::default();
    half.add("talk", 2, 1, 5, 5);
    half.add("talk", 8, 1, 5, 5);
    let tallies = map([(10, full), (11, half)]);
    let r = compute(&orgs, &tallies, &rules, 2025, d("2026-01-01"));
    let groups = roll_up(&r, &orgs, |o| Some(if o.id == 12 { "b" } else { "a" }));
    let a = &groups["a"];
    assert_eq!((a.all.expected, a.all.met, a.orgs_expected, a.orgs_complete), (8, 6, 2, 1));
    assert_eq!(a.rate(), 75.0);
    assert_eq!(groups["b"].all.met, 0);
    assert_eq!(groups["b"].rate(), 0.0);
}

#[test]
fn due_items_list_the_open_cycle_and_the_overdue_ones() {
    let rules =
        RuleSet::new(vec![only(vec![kind("talk", Cycle::Month, 1), kind("life", Cycle::Year, 1)], "2018-10-01")]);
    let org = branch(5);
    let mut t = Tally::default();
    t.add("talk", 1, 1, 1, 1);
    let items = due_items(&org, &t, &rules, d("2025-03-05"));
    let got: Vec<(&str, &str, bool)> = items.iter().map(|i| (i.kind.as_str(), i.period.as_str(), i.overdue)).collect();
    assert_eq!(got, [("talk", "2025年2月", true), ("talk", "2025年3月", false), ("life", "2025年度", false)]);
}
