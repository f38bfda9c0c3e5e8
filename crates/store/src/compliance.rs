//! Compliance read from the maintained tallies: one query for the orgs, one for
//! their committee sizes and one for the year's tallies, then core computes.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use xianfeng_core::auth::OrgScope;
use xianfeng_core::compliance::{self as core_compliance, DueItem, Missing, OrgFacts, Period, Report, Totals};
use xianfeng_core::meeting::{MeetingKinds, Tally};
use xianfeng_core::org::OrgKind;
use xianfeng_core::rules::OrgRules;
use xianfeng_core::text::today_cn;

use crate::db::Q;
use crate::generation::Generation;
use crate::org::{self, OrgRow};
use crate::{Result, Store};
use xianfeng_core::org::Post;
use xianfeng_core::states::sql;

/// Orgs of a subtree with their tallies for one year (shared with the cache, per committee).
pub struct Loaded {
    pub orgs: Vec<OrgFacts>,
    pub tallies: HashMap<i64, Arc<HashMap<i64, Tally>>>,
}

impl core_compliance::Tallies for Loaded {
    fn tally_of(&self, org: &OrgFacts) -> Option<&Tally> {
        self.tallies.get(&org.committee_id)?.get(&org.id)
    }
}

#[derive(sqlx::FromRow)]
struct OrgDb {
    id: i64,
    committee_id: i64,
    parent_id: Option<i64>,
    path: String,
    kind: String,
    name: String,
    district: String,
    established_on: Option<NaiveDate>,
    dissolved_on: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct CountDb {
    org_id: i64,
    v: i64,
}

/// Orgs and tallies per committee, valid while the committee's generation
/// numbers (see [`crate::generation`]) stay the same.
#[derive(Default)]
pub struct Cache {
    orgs: HashMap<i64, (i64, Arc<CommitteeOrgs>)>,
    tallies: HashMap<(i64, i32), (i64, Arc<OrgTallies>)>,
}

/// One committee's tallies for one year, by org.
type OrgTallies = HashMap<i64, Tally>;

/// One committee's orgs (ordered by path) with their filled committee posts.
struct CommitteeOrgs {
    orgs: Vec<(OrgFacts, i64)>,
}

async fn load_orgs(store: &Store, committees: &[i64]) -> Result<HashMap<i64, CommitteeOrgs>> {
    let mut out: HashMap<i64, CommitteeOrgs> = HashMap::new();
    for chunk in committees.chunks(500) {
        let list = chunk.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
        let orgs: Vec<OrgDb> = store
            .db
            .r()
            .fetch_all(Q::new(format!(
                "SELECT o.id, o.committee_id, o.parent_id, o.path, o.kind, o.name, o.district, o.established_on, o.dissolved_on \
                 FROM orgs o WHERE o.committee_id IN ({list}) ORDER BY o.committee_id, o.path"
            )))
            .await?;
        let posts: HashMap<i64, i64> = store
            .db
            .r()
            .fetch_all::<CountDb>(Q::new(format!(
                "SELECT org_id, COUNT(*) AS v FROM org_posts WHERE committee_id IN ({list}) AND post <> {group_leader} GROUP BY org_id", group_leader = sql(Post::GroupLeader))))
            .await?
            .into_iter()
            .map(|c| (c.org_id, c.v))
            .collect();
        for c in chunk {
            out.insert(*c, CommitteeOrgs { orgs: Vec::new() });
        }
        for o in orgs {
            let n = posts.get(&o.id).copied().unwrap_or(0);
            let facts = OrgFacts {
                has_committee: false,
                kind: OrgKind::parse(&o.kind).unwrap_or(OrgKind::Branch),
                id: o.id,
                committee_id: o.committee_id,
                parent_id: o.parent_id,
                path: o.path,
                name: o.name,
                district: o.district,
                established_on: o.established_on,
                dissolved_on: o.dissolved_on,
            };
            out.entry(o.committee_id).or_insert_with(|| CommitteeOrgs { orgs: Vec::new() }).orgs.push((facts, n));
        }
    }
    Ok(out)
}

async fn load_tallies(store: &Store, committees: &[i64], year: i32) -> Result<HashMap<i64, HashMap<i64, Tally>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        committee_id: i64,
        org_id: i64,
        tally: String,
    }
    let mut out: HashMap<i64, HashMap<i64, Tally>> = committees.iter().map(|c| (*c, HashMap::new())).collect();
    for chunk in committees.chunks(500) {
        let list = chunk.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
        let mut q = Q::new(format!(
            "SELECT committee_id, org_id, tally FROM meeting_tallies WHERE committee_id IN ({list}) AND year = "
        ));
        q.bind(year as i64);
        for r in store.db.r().fetch_all::<Row>(q).await? {
            out.entry(r.committee_id).or_default().insert(r.org_id, Tally::decode(&r.tally));
        }
    }
    Ok(out)
}

/// Loads the subtree under `root` (which the caller got through its scope):
/// one query for the generation numbers, then only what changed since the
/// last call.
#[tracing::instrument(skip_all)]
pub async fn load(store: &Store, root: &OrgRow, year: i32) -> Result<Loaded> {
    let whole = root.kind() == OrgKind::WorkingCommittee;
    let mut q = Q::new("SELECT committee_id, orgs, meetings FROM committee_generations");
    if !whole {
        q.push(" WHERE committee_id = ").bind(root.committee_id);
    }
    q.push(" ORDER BY committee_id");
    let gens: Vec<Generation> = store.db.r().fetch_all(q).await?;
    let (stale_orgs, stale_tallies) = {
        let cache = store.compliance_cache.lock().expect("cache lock");
        let orgs: Vec<i64> = gens
            .iter()
            .filter(|g| cache.orgs.get(&g.committee_id).is_none_or(|(n, _)| *n != g.orgs))
            .map(|g| g.committee_id)
            .collect();
        let tallies: Vec<i64> = gens
            .iter()
            .filter(|g| cache.tallies.get(&(g.committee_id, year)).is_none_or(|(n, _)| *n != g.meetings))
            .map(|g| g.committee_id)
            .collect();
        (orgs, tallies)
    };
    let fresh_orgs = if stale_orgs.is_empty() { HashMap::new() } else { load_orgs(store, &stale_orgs).await? };
    let fresh_tallies =
        if stale_tallies.is_empty() { HashMap::new() } else { load_tallies(store, &stale_tallies, year).await? };
    let rules: OrgRules = store.rule().await?;
    let mut cache = store.compliance_cache.lock().expect("cache lock");
    for (c, o) in fresh_orgs {
        let n = gens.iter().find(|g| g.committee_id == c).map(|g| g.orgs).unwrap_or(0);
        cache.orgs.insert(c, (n, Arc::new(o)));
    }
    for (c, t) in fresh_tallies {
        let n = gens.iter().find(|g| g.committee_id == c).map(|g| g.meetings).unwrap_or(0);
        cache.tallies.insert((c, year), (n, Arc::new(t)));
    }
    let mut orgs = Vec::new();
    let mut tallies = HashMap::new();
    let empty = Arc::new(HashMap::new());
    for g in &gens {
        if let Some((_, co)) = cache.orgs.get(&g.committee_id) {
            for (f, posts) in &co.orgs {
                if whole || f.path.starts_with(&root.path) {
                    let mut f = f.clone();
                    f.has_committee = *posts >= rules.committee_min_size;
                    orgs.push(f);
                }
            }
        }
        let t = cache.tallies.get(&(g.committee_id, year)).map(|(_, t)| t.clone()).unwrap_or_else(|| empty.clone());
        tallies.insert(g.committee_id, t);
    }
    if whole {
        // The root itself sits in its own committee row; orgs outside the root's path never occur.
        orgs.retain(|o| o.path.starts_with(&root.path));
    }
    Ok(Loaded { orgs, tallies })
}

/// The date a year is judged as of: today for the current year, its end for past years.
/// Forgets the cached orgs and tallies (benchmarks measure reloading them).
pub fn clear_cache(store: &Store) {
    let mut c = store.compliance_cache.lock().expect("cache lock");
    c.orgs.clear();
    c.tallies.clear();
}

pub fn as_of_for(year: i32) -> NaiveDate {
    let today = today_cn();
    if year >= today.year() { today } else { NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("valid") }
}

/// Every org's compliance in the subtree.
#[tracing::instrument(skip_all)]
pub async fn report(store: &Store, root: &OrgRow, period: impl Into<Period>) -> Result<(Loaded, Report)> {
    let period = period.into();
    let loaded = load(store, root, period.year).await?;
    let rules = store.rules().await?;
    let r = core_compliance::compute(&loaded.orgs, &loaded, &rules, period, as_of_for(period.year));
    Ok((loaded, r))
}

/// One row of the roll-up table.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    /// The child org (None for a district row or the org's own meetings).
    pub org_id: Option<i64>,
    pub name: String,
    pub kind_label: &'static str,
    pub totals: Totals,
}

impl GroupRow {
    pub fn rate_text(&self) -> String {
        format!("{:.1}%", self.totals.rate())
    }
    pub fn rate(&self) -> f64 {
        self.totals.rate()
    }
    pub fn cell(&self, kind: &str) -> String {
        match self.totals.kinds.get(kind) {
            Some(c) if c.expected > 0 || c.open_expected > 0 => format!("{}/{}", c.met, c.expected),
            _ => "—".into(),
        }
    }
    pub fn cell_short(&self, kind: &str) -> bool {
        self.totals.kinds.get(kind).is_some_and(|c| c.met < c.expected)
    }
}

/// The compliance page: the org's total and one row per child (or per district).
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    pub period: Period,
    pub period_label: String,
    pub as_of: NaiveDate,
    pub total: Totals,
    pub rows: Vec<GroupRow>,
    /// The kinds that occur, in rule order: (id, label).
    pub kinds: Vec<(String, String)>,
    pub by_district: bool,
}

/// Compliance of `org_id`'s subtree for a year, rolled up to its children
/// (or to districts when `by_district` and the org is the root).
#[tracing::instrument(skip_all)]
pub async fn view(
    store: &Store,
    scope: &OrgScope,
    org_id: i64,
    period: impl Into<Period>,
    by_district: bool,
) -> Result<View> {
    let period = period.into();
    let year = period.year;
    let root = org::get(store.db.r(), scope, org_id).await?;
    let (loaded, report) = report(store, &root, period).await?;
    let by_district = by_district && root.kind() == OrgKind::WorkingCommittee;
    let mut total = Totals::default();
    for (_, t) in &report.per_org {
        total.add(t);
    }
    let depth = root.path.matches('/').count();
    let mut names: HashMap<i64, (String, &'static str)> = HashMap::new();
    for o in &loaded.orgs {
        if o.parent_id == Some(root.id) {
            names.insert(o.id, (o.name.clone(), o.kind.label()));
        }
    }
    let rows = if by_district {
        core_compliance::roll_up(&report, &loaded.orgs, |o| {
            if o.id == root.id {
                None
            } else {
                Some(if o.district.is_empty() { "未划片区".to_string() } else { o.district.clone() })
            }
        })
        .into_iter()
        .map(|(d, totals)| GroupRow { org_id: None, name: d, kind_label: "片区", totals })
        .collect()
    } else {
        let grouped = core_compliance::roll_up(&report, &loaded.orgs, |o| {
            if o.id == root.id {
                return Some((0, 0));
            }
            // The child of root on o's path.
            let child = o.path.split('/').filter(|s| !s.is_empty()).nth(depth - 1)?.parse::<i64>().ok()?;
            Some((1, child))
        });
        let mut rows: Vec<GroupRow> = grouped
            .into_iter()
            .filter_map(|((own, id), totals)| {
                if own == 0 {
                    (totals.all.expected > 0 || totals.all.open_expected > 0).then(|| GroupRow {
                        org_id: None,
                        name: format!("{}（本级）", root.name),
                        kind_label: root.kind_label(),
                        totals,
                    })
                } else {
                    let (name, kind) = names.get(&id)?.clone();
                    Some(GroupRow { org_id: Some(id), name, kind_label: kind, totals })
                }
            })
            .collect();
        // The org's own row first, then children in creation order.
        rows.sort_by_key(|r| (r.org_id.is_some(), r.org_id));
        rows
    };
    let rules = store.rules().await?;
    let kinds_in_force =
        rules.get::<MeetingKinds>(report.as_of.min(NaiveDate::from_ymd_opt(year, 12, 1).expect("valid")));
    let mut kinds: Vec<(String, String)> = kinds_in_force
        .kinds
        .iter()
        .filter(|k| total.kinds.contains_key(&k.id))
        .map(|k| (k.id.clone(), k.label.clone()))
        .collect();
    for k in total.kinds.keys() {
        if !kinds.iter().any(|(id, _)| id == k) {
            kinds.push((k.clone(), k.clone()));
        }
    }
    Ok(View {
        org_id: root.id,
        org_name: root.name.clone(),
        year,
        period,
        period_label: period.label(),
        as_of: report.as_of,
        total,
        rows,
        kinds,
        by_district,
    })
}

/// A missing meeting with the org's name.
#[derive(Debug, Clone, Serialize)]
pub struct MissingRow {
    pub org_name: String,
    #[serde(flatten)]
    pub missing: Missing,
}

/// The ended cycles that fell short in the subtree (drill-down), sorted by org then date.
#[tracing::instrument(skip_all)]
pub async fn missing(
    store: &Store,
    scope: &OrgScope,
    org_id: i64,
    period: impl Into<Period>,
    kind: &str,
) -> Result<Vec<MissingRow>> {
    let period = period.into();
    let year = period.year;
    let root = org::get(store.db.r(), scope, org_id).await?;
    let loaded = load(store, &root, year).await?;
    let rules = store.rules().await?;
    let names: HashMap<i64, (String, String)> =
        loaded.orgs.iter().map(|o| (o.id, (o.name.clone(), o.path.clone()))).collect();
    let mut out: Vec<MissingRow> = core_compliance::missing(&loaded.orgs, &loaded, &rules, period, as_of_for(year))
        .into_iter()
        .filter(|m| kind.is_empty() || m.kind == kind)
        .map(|m| MissingRow { org_name: names.get(&m.org_id).map(|n| n.0.clone()).unwrap_or_default(), missing: m })
        .collect();
    out.sort_by(|a, b| {
        let pa = names.get(&a.missing.org_id).map(|n| n.1.as_str()).unwrap_or("");
        let pb = names.get(&b.missing.org_id).map(|n| n.1.as_str()).unwrap_or("");
        (pa, a.missing.from, &a.missing.kind).cmp(&(pb, b.missing.from, &b.missing.kind))
    });
    Ok(out)
}

/// What is due and overdue this year for an org and the orgs below it
/// (a branch and its groups), for the secretary's home page.
#[tracing::instrument(skip_all)]
pub async fn due(store: &Store, scope: &OrgScope, org_id: i64) -> Result<Vec<(String, DueItem)>> {
    let root = org::get(store.db.r(), scope, org_id).await?;
    let today = today_cn();
    let loaded = load(store, &root, today.year()).await?;
    let rules = store.rules().await?;
    let empty = Tally::default();
    let mut out = Vec::new();
    for o in loaded.orgs.iter().filter(|o| o.dissolved_on.is_none()) {
        for item in core_compliance::due_items(
            o,
            core_compliance::Tallies::tally_of(&loaded, o).unwrap_or(&empty),
            &rules,
            today,
        ) {
            out.push((o.name.clone(), item));
        }
    }
    out.sort_by_key(|x| (!x.1.overdue, x.1.due_by));
    Ok(out)
}
