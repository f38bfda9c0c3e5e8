//! The places of a year gone by, kept in the database (`ranking_placings`):
//! a branch's history and the 升降 against last year read a few thousand
//! rows after a restart instead of the province's records of those years.
//! A year's rows stand while its key — the as-of day, the rule in force and
//! every committee's generation numbers — is what it was when they were
//! written; otherwise the year is computed again and kept anew. The year
//! still running is always computed (it depends on today).

use super::*;

/// A ranked branch's place in a year.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Placing {
    pub org_id: i64,
    pub score_x100: i64,
    pub rank: i64,
    pub tail: bool,
}

impl Placing {
    pub fn score(&self) -> f64 {
        self.score_x100 as f64 / 100.0
    }
    pub fn rank(&self) -> u32 {
        u32::try_from(self.rank).unwrap_or(u32::MAX)
    }
}

/// What a year's places depend on besides its records' contents.
async fn key_of(store: &Store, year: i32) -> Result<String> {
    let as_of = crate::compliance::as_of_for(year);
    let rules: RankingRules = store.rules().await?.get(as_of);
    let gens: Vec<Gen> = store
        .db
        .r()
        .fetch_all(q!("SELECT committee_id, orgs, meetings, facts FROM committee_generations ORDER BY committee_id"))
        .await?;
    let mut text = format!("{as_of}|{}|", serde_json::to_string(&rules).unwrap_or_default());
    for g in gens {
        text.push_str(&format!("{}:{}.{}.{};", g.committee_id, g.orgs, g.meetings, g.facts));
    }
    Ok(xianfeng_core::crypto::sm3_hex(text.as_bytes()))
}

/// Every ranked branch's place in `year`: kept rows for a year gone by whose
/// key still holds, else computed (and kept, for a year gone by).
#[tracing::instrument(skip_all)]
pub async fn placings(store: &Store, root: &OrgRow, year: i32) -> Result<Vec<Placing>> {
    let running = year >= today_cn().year();
    if running {
        return Ok(from_rows(&compute(store, root, year).await?.1));
    }
    let key = key_of(store, year).await?;
    let kept: Option<(String,)> = store
        .db
        .r()
        .fetch_optional(q!("SELECT key FROM ranking_placing_keys WHERE year = $1", i64::from(year)))
        .await?;
    if kept.is_some_and(|(k,)| k == key) {
        return store
            .db
            .r()
            .fetch_all(q!(
                "SELECT org_id, score_x100, rank, tail FROM ranking_placings WHERE year = $1 ORDER BY rank, org_id",
                i64::from(year)
            ))
            .await;
    }
    let rows = compute(store, root, year).await?.1;
    let out = from_rows(&rows);
    // Keeping them is a saving, not a duty: a concurrent request keeping the
    // same year may win the race, and this answer is right either way.
    if let Err(e) = keep(store, year, &key, &rows).await {
        tracing::warn!(year, error = %e, "ranking places not kept");
    }
    Ok(out)
}

fn from_rows(rows: &[RankRow]) -> Vec<Placing> {
    rows.iter()
        .map(|r| Placing {
            org_id: r.org_id,
            score_x100: (r.score * 100.0).round() as i64,
            rank: i64::from(r.rank),
            tail: r.tail,
        })
        .collect()
}

async fn keep(store: &Store, year: i32, key: &str, rows: &[RankRow]) -> Result<()> {
    let y = i64::from(year);
    let values: Vec<Vec<crate::db::Arg>> = rows
        .iter()
        .map(|r| {
            vec![
                r.committee_id.into(),
                y.into(),
                r.org_id.into(),
                ((r.score * 100.0).round() as i64).into(),
                i64::from(r.rank).into(),
                crate::db::Arg::Bool(r.tail),
            ]
        })
        .collect();
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("DELETE FROM ranking_placings WHERE year = $1", y)).await?;
    tx.c().execute(q!("DELETE FROM ranking_placing_keys WHERE year = $1", y)).await?;
    crate::bulk::insert_rows(&mut tx, "ranking_placings", "committee_id, year, org_id, score_x100, rank, tail", values)
        .await?;
    tx.c().execute(q!("INSERT INTO ranking_placing_keys (year, key) VALUES ($1, $2)", y, key.to_string())).await?;
    tx.commit().await
}
