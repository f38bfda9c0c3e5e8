//! 排队抓尾: every branch's facts for a year from the platform's records
//! (meeting compliance and attendance from the tallies, dues paid within their
//! month, recruitment cases without an overdue step), scored and ranked
//! province-wide under the ranking rule in force.
//!
//! Facts are kept in memory per committee and year, keyed by the committee's
//! generation numbers (orgs, meetings, facts) and the day: a write in one unit
//! recomputes only that unit's facts; everything else is read from memory.
//! The places of the years gone by are also kept in the database
//! ([`placings`]), so a restart does not recompute them.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use xianfeng_core::auth::OrgScope;
use xianfeng_core::compliance::{self as core_compliance, Tallies};
use xianfeng_core::org::OrgKind;
use xianfeng_core::ranking::{self as core_rank, Facts, MoveFilter, Movement, RankingRules, Score};
use xianfeng_core::text::today_cn;

use crate::db::Q;
use crate::org::OrgRow;
use crate::{Result, Store, StoreError, q};
use xianfeng_core::auth::Role;
use xianfeng_core::first_agenda::TaskStatus;
use xianfeng_core::recruitment::CaseStanding;
use xianfeng_core::states::sql;

mod placings;
pub use placings::{Placing, placings};

/// Cached facts: (committee, year) → (generation key, facts by branch).
#[derive(Default)]
pub struct Cache {
    facts: HashMap<(i64, i32), (GenKey, BranchFacts)>,
}

/// One unit's facts by branch.
type BranchFacts = Arc<HashMap<i64, Facts>>;

type GenKey = (i64, i64, i64, NaiveDate);

#[derive(sqlx::FromRow)]
struct Gen {
    committee_id: i64,
    orgs: i64,
    meetings: i64,
    facts: i64,
}

/// One branch's line in the ranking.
#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub org_id: i64,
    pub committee_id: i64,
    pub name: String,
    pub unit_name: String,
    #[serde(skip)]
    pub path: String,
    pub score: f64,
    pub rank: u32,
    /// How many branches share this rank (并列; 1 when none besides this one).
    pub tied: u32,
    pub unit_rank: u32,
    pub tail: bool,
    pub facts: Facts,
    /// The province-wide rank the year before (None: not ranked then).
    pub prev_rank: Option<u32>,
    /// Whether it was in the tail the year before (None: not ranked then).
    pub prev_tail: Option<bool>,
    /// Its score the year before (None: not ranked then).
    pub prev_score: Option<f64>,
    /// Places up or down against the year before (持平 when its score did not move).
    pub movement: Movement,
}

impl RankRow {
    pub fn score_text(&self) -> String {
        format!("{:.2}", self.score)
    }
    /// "第3名" or "并列第1名（共869个）".
    pub fn place(&self) -> String {
        core_rank::place_in_words(self.rank, self.tied)
    }
    /// A rate as a percentage for the table ("—" when it does not apply).
    pub fn rate(&self, source: &str) -> String {
        let s = match source {
            "meeting" => self.facts.get(core_rank::Source::MeetingCompliance),
            "attendance" => self.facts.get(core_rank::Source::Attendance),
            "dues" => self.facts.get(core_rank::Source::DuesOnTime),
            "tasks" => self.facts.get(core_rank::Source::FirstAgendaTasks),
            _ => self.facts.get(core_rank::Source::RecruitmentTimely),
        };
        if s.1 == 0 { "—".into() } else { format!("{:.1}%", s.0 as f64 * 100.0 / s.1 as f64) }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub year: i32,
    pub as_of: NaiveDate,
    /// Branches ranked in the province (the ranks below are out of this).
    pub ranked: usize,
    /// Of them, in the tail.
    pub tail: usize,
    /// Of the rows in the caller's scope (before the name, tail and 升降
    /// filters): higher and lower than the year before, and new to the tail.
    pub moved_up: usize,
    pub moved_down: usize,
    pub into_tail: usize,
    pub rules: RankingRules,
    /// The rows in the caller's scope, best first.
    pub rows: Vec<RankRow>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct RankFilter {
    /// Only branches under this org (inside the scope).
    pub org_id: Option<i64>,
    pub tail_only: bool,
    /// Substring of the branch's or unit's name.
    pub name: String,
    /// 升降 against the year before.
    pub moved: Option<MoveFilter>,
}

/// The whole province's ranking for a year, showing the caller's branches,
/// each with its place the year before and how it moved.
#[tracing::instrument(skip_all)]
pub async fn ranking(store: &Store, scope: &OrgScope, year: i32, f: &RankFilter) -> Result<Ranking> {
    let root = crate::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    // Both years at once: their records are read over separate connections.
    let (now, before) = tokio::join!(compute(store, &root, year), placings(store, &root, year - 1));
    let ((rules, all), before) = (now?, before?);
    let before: HashMap<i64, (u32, bool, f64)> = if core_rank::has_records(before.iter().map(Placing::score)) {
        before.into_iter().map(|r| (r.org_id, (r.rank(), r.tail, r.score()))).collect()
    } else {
        HashMap::new()
    };
    let under = match f.org_id {
        Some(id) => Some(crate::org::get(store.db.r(), scope, id).await?.path),
        None => None,
    };
    let ranked = all.len();
    let tail = all.iter().filter(|r| r.tail).count();
    let name = f.name.trim();
    let mine: Vec<RankRow> = all
        .into_iter()
        .filter(|r| scope.contains(&r.path))
        .filter(|r| under.as_ref().is_none_or(|p| r.path.starts_with(p.as_str())))
        .map(|mut r| {
            let b = before.get(&r.org_id);
            r.prev_rank = b.map(|b| b.0);
            r.prev_tail = b.map(|b| b.1);
            r.prev_score = b.map(|b| b.2);
            r.movement = Movement::between(b.map(|b| (b.0, b.2)), (r.rank, r.score));
            r
        })
        .collect();
    let moved_up = mine.iter().filter(|r| matches!(r.movement, Movement::Up(_))).count();
    let moved_down = mine.iter().filter(|r| matches!(r.movement, Movement::Down(_))).count();
    let into_tail = mine.iter().filter(|r| MoveFilter::IntoTail.admits(r.movement, r.tail, r.prev_tail)).count();
    let rows = mine
        .into_iter()
        .filter(|r| !f.tail_only || r.tail)
        .filter(|r| name.is_empty() || r.name.contains(name) || r.unit_name.contains(name))
        .filter(|r| f.moved.is_none_or(|m| m.admits(r.movement, r.tail, r.prev_tail)))
        .collect();
    Ok(Ranking {
        year,
        as_of: crate::compliance::as_of_for(year),
        ranked,
        tail,
        moved_up,
        moved_down,
        into_tail,
        rules,
        rows,
    })
}

/// Scores and ranks every branch of the province for a year.
#[tracing::instrument(skip_all)]
pub async fn compute(store: &Store, root: &OrgRow, year: i32) -> Result<(RankingRules, Vec<RankRow>)> {
    let rule_set = store.rules().await?;
    let as_of = crate::compliance::as_of_for(year);
    let rules: RankingRules = rule_set.get(as_of);
    let (loaded, facts) = facts(store, root, year).await?;
    let unit_names: HashMap<i64, &str> =
        loaded.orgs.iter().filter(|o| o.kind == OrgKind::Unit).map(|o| (o.id, o.name.as_str())).collect();
    let mut scored = Vec::new();
    let mut rows: HashMap<i64, RankRow> = HashMap::new();
    for o in loaded.orgs.iter().filter(|o| o.kind == OrgKind::Branch && o.dissolved_on.is_none()) {
        let f = facts.get(&o.committee_id).and_then(|m| m.get(&o.id)).cloned().unwrap_or_default();
        let s = core_rank::score(&rules, &f);
        if !s.ranked {
            continue;
        }
        scored.push((o.id, o.committee_id, s.score));
        rows.insert(
            o.id,
            RankRow {
                org_id: o.id,
                committee_id: o.committee_id,
                name: o.name.clone(),
                unit_name: unit_names.get(&o.committee_id).copied().unwrap_or("").to_string(),
                path: o.path.clone(),
                score: s.score,
                rank: 0,
                tied: 1,
                unit_rank: 0,
                tail: false,
                facts: f,
                prev_rank: None,
                prev_tail: None,
                prev_score: None,
                movement: Movement::New,
            },
        );
    }
    let placed = core_rank::rank(&rules, &scored);
    let mut out = Vec::with_capacity(placed.len());
    for p in placed {
        if let Some(mut r) = rows.remove(&p.org_id) {
            r.rank = p.rank;
            r.tied = p.tied;
            r.unit_rank = p.unit_rank;
            r.tail = p.tail;
            out.push(r);
        }
    }
    Ok((rules, out))
}

type UnitFacts = HashMap<i64, BranchFacts>;

/// The orgs and tallies, and every committee's branch facts for the year,
/// from the cache where the generation numbers allow. What must be read again
/// is read at once: the orgs and tallies, the dues in two halves, the cases.
async fn facts(store: &Store, root: &OrgRow, year: i32) -> Result<(crate::compliance::Loaded, UnitFacts)> {
    let gens: Vec<Gen> = store
        .db
        .r()
        .fetch_all(q!("SELECT committee_id, orgs, meetings, facts FROM committee_generations ORDER BY committee_id"))
        .await?;
    let today = today_cn();
    let key = |g: &Gen| (g.orgs, g.meetings, g.facts, today);
    let stale: Vec<&Gen> = {
        let cache = store.ranking_cache.lock().expect("cache lock");
        gens.iter().filter(|g| cache.facts.get(&(g.committee_id, year)).is_none_or(|(k, _)| *k != key(g))).collect()
    };
    let loaded = if stale.is_empty() {
        crate::compliance::load(store, root, year).await?
    } else {
        let ids: Vec<i64> = stale.iter().map(|g| g.committee_id).collect();
        let (y0, y1) = crate::year_bounds(year)?;
        let until = crate::compliance::as_of_for(year).min(y1);
        let (first, second) = ids.split_at(ids.len().div_ceil(2));
        let (loaded, d1, d2, cases, tasks) = tokio::join!(
            crate::compliance::load(store, root, year),
            dues_rows(store, first, y0, until),
            dues_rows(store, second, y0, until),
            case_rows(store, &ids, year),
            task_rows(store, &ids, y0, until),
        );
        let loaded = loaded?;
        let mut fresh = meeting_facts(store, &loaded, &ids, year).await?;
        for d in d1?.into_iter().chain(d2?) {
            let f = fresh.entry(d.committee_id).or_default().entry(d.org_id).or_default();
            f.dues_charges = d.charges;
            f.dues_on_time = d.on_time;
        }
        for c in cases? {
            let f = fresh.entry(c.committee_id).or_default().entry(c.org_id).or_default();
            f.cases_open = c.open;
            f.cases_timely = c.timely;
        }
        for t in tasks? {
            let f = fresh.entry(t.committee_id).or_default().entry(t.org_id).or_default();
            f.tasks_due = t.due;
            f.tasks_done = t.done;
        }
        let mut cache = store.ranking_cache.lock().expect("cache lock");
        for g in stale {
            let f = fresh.remove(&g.committee_id).unwrap_or_default();
            cache.facts.insert((g.committee_id, year), (key(g), Arc::new(f)));
        }
        loaded
    };
    let cache = store.ranking_cache.lock().expect("cache lock");
    let facts = gens
        .iter()
        .filter_map(|g| cache.facts.get(&(g.committee_id, year)).map(|(_, f)| (g.committee_id, f.clone())))
        .collect();
    Ok((loaded, facts))
}

/// Forgets the cached facts (benchmarks measure the recomputation from the records).
pub fn clear_cache(store: &Store) {
    store.ranking_cache.lock().expect("cache lock").facts.clear();
}

/// Meeting compliance and attendance of these committees' branches, from the tallies in memory.
async fn meeting_facts(
    store: &Store,
    loaded: &crate::compliance::Loaded,
    committees: &[i64],
    year: i32,
) -> Result<HashMap<i64, HashMap<i64, Facts>>> {
    let mut out: HashMap<i64, HashMap<i64, Facts>> = HashMap::new();
    let rules = store.rules().await?;
    let as_of = crate::compliance::as_of_for(year);
    let wanted: std::collections::HashSet<i64> = committees.iter().copied().collect();
    let orgs: Vec<core_compliance::OrgFacts> =
        loaded.orgs.iter().filter(|o| wanted.contains(&o.committee_id)).cloned().collect();
    let report = core_compliance::compute(&orgs, loaded, &rules, year, as_of);
    let by_id: HashMap<i64, &core_compliance::OrgFacts> = orgs.iter().map(|o| (o.id, o)).collect();
    for (org_id, totals) in &report.per_org {
        let Some(o) = by_id.get(org_id).filter(|o| o.kind == OrgKind::Branch) else { continue };
        let f = out.entry(o.committee_id).or_default().entry(*org_id).or_default();
        f.meetings_met = i64::from(totals.all.met);
        f.meetings_expected = i64::from(totals.all.expected);
        if let Some(t) = loaded.tally_of(o) {
            for k in t.kinds.values() {
                f.present += k.present;
                f.attendance_expected += k.expected;
            }
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct CaseCount {
    committee_id: i64,
    org_id: i64,
    open: i64,
    timely: i64,
}

/// Open recruitment cases per branch and those without an overdue step; this
/// year only (a past year has no "now" to be overdue against).
async fn case_rows(store: &Store, committees: &[i64], year: i32) -> Result<Vec<CaseCount>> {
    let today = today_cn();
    let mut out = Vec::new();
    if year != today.year() {
        return Ok(out);
    }
    for chunk in committees.chunks(200) {
        let mut q = Q::new("SELECT committee_id, org_id, COUNT(*) AS open, SUM(CASE WHEN due_on IS NULL OR due_on >= ");
        q.bind(today).push(&format!(
            " THEN 1 ELSE 0 END) AS timely FROM recruitment_cases WHERE state = {open} AND committee_id IN ",
            open = sql(CaseStanding::Open)
        ));
        q.push_row(chunk.iter().map(|c| (*c).into()).collect());
        q.push(" GROUP BY committee_id, org_id");
        out.extend(store.db.r().fetch_all::<CaseCount>(q).await?);
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct TaskCount {
    committee_id: i64,
    org_id: i64,
    due: i64,
    done: i64,
}

/// First-agenda (第一议题) tasks due in [from, until) and those done by their
/// due date, per branch: a task counts for the branch whose secretary account
/// owns it (the party group's decisions are carried out by the branches),
/// else for the org whose meeting set it.
async fn task_rows(store: &Store, committees: &[i64], from: NaiveDate, until: NaiveDate) -> Result<Vec<TaskCount>> {
    let mut out = Vec::new();
    for chunk in committees.chunks(200) {
        let mut q = Q::new(format!(
            "SELECT t.committee_id, COALESCE(r.org_id, t.org_id) AS org_id, COUNT(*) AS due, \
             SUM(CASE WHEN t.status = {done} AND t.done_on <= t.due_on THEN 1 ELSE 0 END) AS done \
             FROM first_agenda_tasks t LEFT JOIN user_roles r ON r.user_id = t.owner_user_id AND r.role = {branch_secretary} \
             WHERE t.committee_id IN ",
            branch_secretary = sql(Role::BranchSecretary),
            done = sql(TaskStatus::Done)
        ));
        q.push_row(chunk.iter().map(|c| (*c).into()).collect());
        q.push(" AND t.due_on >= ").bind(from).push(" AND t.due_on < ").bind(until);
        q.push(" GROUP BY t.committee_id, COALESCE(r.org_id, t.org_id)");
        out.extend(store.db.r().fetch_all::<TaskCount>(q).await?);
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct DuesRow {
    committee_id: i64,
    org_id: i64,
    charges: i64,
    on_time: i64,
}

/// Charges of these committees' months in [from, until) per branch, and those
/// paid on time: from the dues rollup (`dues::tally`), twelve rows a branch.
async fn dues_rows(store: &Store, committees: &[i64], from: NaiveDate, until: NaiveDate) -> Result<Vec<DuesRow>> {
    let mut out = Vec::new();
    for chunk in committees.chunks(200) {
        let mut q = Q::new(
            "SELECT committee_id, org_id, CAST(SUM(charges) AS BIGINT) AS charges, CAST(SUM(on_time) AS BIGINT) AS on_time \
             FROM dues_tallies WHERE committee_id IN ",
        );
        q.push_row(chunk.iter().map(|c| (*c).into()).collect());
        q.push(" AND month >= ").bind(from).push(" AND month < ").bind(until);
        q.push(" GROUP BY committee_id, org_id");
        out.extend(store.db.r().fetch_all::<DuesRow>(q).await?);
    }
    Ok(out)
}

/// One branch's score explained, with its place and its history across years.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub row: Option<RankRow>,
    pub name: String,
    pub unit_name: String,
    pub score: Score,
    pub facts: Facts,
    /// (year, score, rank, tail) for the years before, newest first.
    pub history: Vec<(i32, f64, u32, bool)>,
    pub ranked: usize,
}

/// Explains a branch's score for a year (in scope), with the years before.
#[tracing::instrument(skip_all)]
pub async fn explain(store: &Store, scope: &OrgScope, org_id: i64, year: i32) -> Result<Explanation> {
    let org = crate::org::get(store.db.r(), scope, org_id).await?;
    if org.kind() != OrgKind::Branch {
        return Err(StoreError::invalid("org_id", "排队抓尾按党支部排名，请选择党支部"));
    }
    let root = crate::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    let (rules, all) = compute(store, &root, year).await?;
    let ranked = all.len();
    let row = all.into_iter().find(|r| r.org_id == org_id);
    let facts = row.as_ref().map(|r| r.facts.clone()).unwrap_or_default();
    let score = core_rank::score(&rules, &facts);
    let unit = crate::org::anchor_of(store.db.r(), org.committee_id).await?;
    let mut history = Vec::new();
    // The four years before at once (a cold start reads each year's records).
    let years = tokio::join!(
        placings(store, &root, year - 1),
        placings(store, &root, year - 2),
        placings(store, &root, year - 3),
        placings(store, &root, year - 4),
    );
    for (y, computed) in [(year - 1, years.0), (year - 2, years.1), (year - 3, years.2), (year - 4, years.3)] {
        let prev = computed?;
        if !core_rank::has_records(prev.iter().map(Placing::score)) {
            continue;
        }
        if let Some(r) = prev.into_iter().find(|r| r.org_id == org_id) {
            history.push((y, r.score(), r.rank(), r.tail));
        }
    }
    Ok(Explanation { row, name: org.name, unit_name: unit.name, score, facts, history, ranked })
}
