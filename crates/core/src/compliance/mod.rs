//! Compliance (组织生活落实情况): expected versus actual meetings for every org,
//! kind and cycle, derived from the meeting tallies and the meeting-kind rules.
//! Nothing here is typed in by anyone.
//!
//! The rules, stated once:
//! - Each cycle (month, quarter, year) is judged by the version of the meeting
//!   kinds in force in its last month. Versions take effect on the 1st of a month.
//! - When a kind is new, or its cycle changed, within a cycle, only the months
//!   from the change on count towards that cycle.
//! - An org is expected to hold a kind's meetings for a cycle if the kind applies
//!   to it and the org existed for the whole cycle (established on or before the
//!   cycle's first day, not dissolved before its last day).
//! - A meeting counts when it was held and, where a quorum applies, reached it.
//!   Extra meetings in one cycle do not make up for a missed cycle.
//! - A cycle that has not ended yet is "due" (in progress), not missing.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::meeting::{Cycle, MeetingKinds, Tally};
use crate::org::OrgKind;
use crate::rules::RuleSet;

/// What compliance needs to know of an org.
#[derive(Debug, Clone, Serialize)]
pub struct OrgFacts {
    pub id: i64,
    pub committee_id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub kind: OrgKind,
    pub name: String,
    pub district: String,
    pub has_committee: bool,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
}

/// The span a compliance view covers: a year, or a quarter or month of it.
/// Only cycles that lie wholly inside it count (a quarter shows its months and
/// the quarter itself; a year shows everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub year: i32,
    pub from_month: u32,
    pub to_month: u32,
}

impl Period {
    pub fn year(year: i32) -> Period {
        Period { year, from_month: 1, to_month: 12 }
    }
    pub fn quarter(year: i32, q: u32) -> Period {
        let q = q.clamp(1, 4);
        Period { year, from_month: q * 3 - 2, to_month: q * 3 }
    }
    pub fn month(year: i32, m: u32) -> Period {
        let m = m.clamp(1, 12);
        Period { year, from_month: m, to_month: m }
    }
    /// "" (the year), "q1".."q4", "m1".."m12".
    pub fn parse(year: i32, s: &str) -> Option<Period> {
        let s = s.trim();
        if s.is_empty() || s == "year" {
            return Some(Period::year(year));
        }
        let n: u32 = s.get(1..)?.parse().ok()?;
        match s.as_bytes()[0] {
            b'q' if (1..=4).contains(&n) => Some(Period::quarter(year, n)),
            b'm' if (1..=12).contains(&n) => Some(Period::month(year, n)),
            _ => None,
        }
    }
    /// The query-string form ("", "q3", "m8").
    pub fn code(&self) -> String {
        match (self.from_month, self.to_month) {
            (1, 12) => String::new(),
            (a, b) if a == b => format!("m{a}"),
            (_, b) => format!("q{}", b / 3),
        }
    }
    pub fn label(&self) -> String {
        match (self.from_month, self.to_month) {
            (1, 12) => format!("{}年", self.year),
            (a, b) if a == b => format!("{}年{}月", self.year, a),
            (_, b) => format!("{}年第{}季度", self.year, b / 3),
        }
    }
    fn covers(&self, slot: &Slot) -> bool {
        slot.from_month >= self.from_month && slot.to_month <= self.to_month
    }
}

impl From<i32> for Period {
    fn from(year: i32) -> Period {
        Period::year(year)
    }
}

/// Where compliance finds each org's tally for the year.
pub trait Tallies {
    fn tally_of(&self, org: &OrgFacts) -> Option<&Tally>;
}

impl Tallies for std::collections::HashMap<i64, Tally> {
    fn tally_of(&self, org: &OrgFacts) -> Option<&Tally> {
        self.get(&org.id)
    }
}

/// One cycle of one kind in the year, as the rules define it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub kind: String,
    pub kind_label: String,
    pub cycle: Cycle,
    /// Months counted, 1..=12, inclusive.
    pub from_month: u32,
    pub to_month: u32,
    pub expected: u32,
    pub applies_to: crate::meeting::AppliesTo,
}

impl Slot {
    /// "2025年第3季度", "2025年7月", "2025年度".
    pub fn label(&self, year: i32) -> String {
        match self.cycle {
            Cycle::Month => format!("{year}年{}月", self.to_month),
            Cycle::Quarter => format!("{year}年第{}季度", self.to_month.div_ceil(3)),
            Cycle::Year => format!("{year}年度"),
        }
    }
    pub fn first_day(&self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.from_month, 1).expect("valid month")
    }
    pub fn last_day(&self, year: i32) -> NaiveDate {
        last_day_of(year, self.to_month)
    }
}

pub fn last_day_of(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid month").pred_opt().expect("has a previous day")
}

/// Every cycle of every kind in `year` under the rules in force month by month.
pub fn slots(rules: &RuleSet, year: i32) -> Vec<Slot> {
    let by_month: Vec<MeetingKinds> =
        (1..=12).map(|m| rules.get::<MeetingKinds>(NaiveDate::from_ymd_opt(year, m, 1).expect("valid"))).collect();
    let mut out = Vec::new();
    let mut ids: Vec<&str> = Vec::new();
    for v in &by_month {
        for k in &v.kinds {
            if !ids.contains(&k.id.as_str()) {
                ids.push(&k.id);
            }
        }
    }
    for id in ids {
        for m in 1..=12u32 {
            let Some(k) = by_month[m as usize - 1].find(id) else { continue };
            if !k.cycle.ends_at(m) {
                continue;
            }
            let start = k.cycle.start_month(m);
            let mut from = m;
            while from > start {
                match by_month[from as usize - 2].find(id) {
                    Some(prev) if prev.cycle == k.cycle => from -= 1,
                    _ => break,
                }
            }
            out.push(Slot {
                kind: k.id.clone(),
                kind_label: k.label.clone(),
                cycle: k.cycle,
                from_month: from,
                to_month: m,
                expected: k.times as u32,
                applies_to: k.applies_to,
            });
        }
    }
    out
}

/// Expected versus actual for one kind at one org over the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Meetings due in cycles that have ended.
    pub expected: u32,
    /// Of those, how many were held (at most the number due per cycle).
    pub met: u32,
    /// All counted meetings in ended cycles, extras included.
    pub held: u32,
    /// Cycles ended with fewer meetings than due.
    pub missed_cycles: u32,
    /// The cycle in progress: due and held so far.
    pub open_expected: u32,
    pub open_held: u32,
}

impl Cell {
    fn add(&mut self, o: &Cell) {
        self.expected += o.expected;
        self.met += o.met;
        self.held += o.held;
        self.missed_cycles += o.missed_cycles;
        self.open_expected += o.open_expected;
        self.open_held += o.open_held;
    }
}

/// A cycle that ended short: the drill-down's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub org_id: i64,
    pub kind: String,
    pub kind_label: String,
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub expected: u32,
    pub held: u32,
}

/// Whether the org is expected to hold meetings for the whole slot.
fn org_expected(org: &OrgFacts, slot: &Slot, year: i32) -> bool {
    if !slot.applies_to.matches(org.kind, org.has_committee) {
        return false;
    }
    if org.established_on.is_some_and(|e| e > slot.first_day(year)) {
        return false;
    }
    org.dissolved_on.is_none_or(|d| d >= slot.last_day(year))
}

/// Judges one org for the year, as of a date; calls `missing` for each ended cycle that fell short.
pub fn judge_org(
    org: &OrgFacts,
    tally: &Tally,
    slots: &[Slot],
    year: i32,
    as_of: NaiveDate,
    mut missing: impl FnMut(&Slot, u32),
) -> BTreeMap<String, Cell> {
    let mut cells: BTreeMap<String, Cell> = BTreeMap::new();
    for slot in slots {
        if !org_expected(org, slot, year) {
            continue;
        }
        if slot.first_day(year) > as_of {
            continue;
        }
        let held = tally.counted(&slot.kind, slot.from_month, slot.to_month);
        let cell = cells.entry(slot.kind.clone()).or_default();
        if slot.last_day(year) < as_of {
            cell.expected += slot.expected;
            cell.met += held.min(slot.expected);
            cell.held += held;
            if held < slot.expected {
                cell.missed_cycles += 1;
                missing(slot, held);
            }
        } else {
            cell.open_expected += slot.expected;
            cell.open_held += held;
        }
    }
    cells
}

/// Totals over kinds (or over orgs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub kinds: BTreeMap<String, Cell>,
    pub all: Cell,
    /// Orgs with at least one expected meeting in ended cycles.
    pub orgs_expected: u32,
    /// Of those, orgs that missed nothing.
    pub orgs_complete: u32,
}

impl Totals {
    pub fn add_org(&mut self, cells: &BTreeMap<String, Cell>) {
        let mut any = false;
        let mut missed = false;
        for (k, c) in cells {
            self.kinds.entry(k.clone()).or_default().add(c);
            self.all.add(c);
            any |= c.expected > 0;
            missed |= c.missed_cycles > 0;
        }
        if any {
            self.orgs_expected += 1;
            self.orgs_complete += (!missed) as u32;
        }
    }
    pub fn add(&mut self, o: &Totals) {
        for (k, c) in &o.kinds {
            self.kinds.entry(k.clone()).or_default().add(c);
        }
        self.all.add(&o.all);
        self.orgs_expected += o.orgs_expected;
        self.orgs_complete += o.orgs_complete;
    }
    /// Share of due meetings held, in per cent (100 when nothing was due).
    pub fn rate(&self) -> f64 {
        rate(&self.all)
    }
}

pub fn rate(c: &Cell) -> f64 {
    if c.expected == 0 { 100.0 } else { (c.met as f64) * 100.0 / (c.expected as f64) }
}

/// Compliance of every org given, for a year as of a date.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub year: i32,
    pub as_of: NaiveDate,
    pub per_org: Vec<(i64, Totals)>,
}

/// Computes every org's compliance. `tallies` maps org id to its tally for the year.
pub fn compute(
    orgs: &[OrgFacts],
    tallies: &impl Tallies,
    rules: &RuleSet,
    period: impl Into<Period>,
    as_of: NaiveDate,
) -> Report {
    let period = period.into();
    let year = period.year;
    let slots: Vec<Slot> = slots(rules, year).into_iter().filter(|s| period.covers(s)).collect();
    let empty = Tally::default();
    let per_org = orgs
        .iter()
        .map(|o| {
            let cells = judge_org(o, tallies.tally_of(o).unwrap_or(&empty), &slots, year, as_of, |_, _| {});
            let mut t = Totals::default();
            t.add_org(&cells);
            (o.id, t)
        })
        .collect();
    Report { year, as_of, per_org }
}

/// The ended cycles that fell short for the orgs given (drill-down).
pub fn missing(
    orgs: &[OrgFacts],
    tallies: &impl Tallies,
    rules: &RuleSet,
    period: impl Into<Period>,
    as_of: NaiveDate,
) -> Vec<Missing> {
    let period = period.into();
    let year = period.year;
    let slots: Vec<Slot> = slots(rules, year).into_iter().filter(|s| period.covers(s)).collect();
    let empty = Tally::default();
    let mut out = Vec::new();
    for o in orgs {
        judge_org(o, tallies.tally_of(o).unwrap_or(&empty), &slots, year, as_of, |slot, held| {
            out.push(Missing {
                org_id: o.id,
                kind: slot.kind.clone(),
                kind_label: slot.kind_label.clone(),
                period: slot.label(year),
                from: slot.first_day(year),
                to: slot.last_day(year),
                expected: slot.expected,
                held,
            })
        });
    }
    out
}

/// Sums each org's totals into the groups `group_of` names (e.g. the child
/// of the viewed org whose subtree holds it, or the org's district).
pub fn roll_up<K: Ord + Clone>(
    report: &Report,
    orgs: &[OrgFacts],
    mut group_of: impl FnMut(&OrgFacts) -> Option<K>,
) -> BTreeMap<K, Totals> {
    let mut out: BTreeMap<K, Totals> = BTreeMap::new();
    for (o, (id, t)) in orgs.iter().zip(&report.per_org) {
        debug_assert_eq!(o.id, *id);
        if let Some(k) = group_of(o) {
            out.entry(k).or_default().add(t);
        }
    }
    out
}

/// What is due this cycle and what is overdue, for a secretary's home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub org_id: i64,
    pub kind: String,
    pub kind_label: String,
    pub period: String,
    pub due_by: NaiveDate,
    pub expected: u32,
    pub held: u32,
    pub overdue: bool,
}

/// Items due in the cycle containing `today` (not yet held) and cycles of
/// this year already ended short (overdue).
pub fn due_items(org: &OrgFacts, tally: &Tally, rules: &RuleSet, today: NaiveDate) -> Vec<DueItem> {
    let year = today.year();
    let slots = slots(rules, year);
    let mut out = Vec::new();
    for slot in &slots {
        if !org_expected(org, slot, year) || slot.first_day(year) > today {
            continue;
        }
        let held = tally.counted(&slot.kind, slot.from_month, slot.to_month);
        if held >= slot.expected {
            continue;
        }
        out.push(DueItem {
            org_id: org.id,
            kind: slot.kind.clone(),
            kind_label: slot.kind_label.clone(),
            period: slot.label(year),
            due_by: slot.last_day(year),
            expected: slot.expected,
            held,
            overdue: slot.last_day(year) < today,
        });
    }
    out.sort_by(|a, b| (!a.overdue, a.due_by, &a.kind).cmp(&(!b.overdue, b.due_by, &b.kind)));
    out
}

pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests;
