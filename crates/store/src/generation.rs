//! Per-committee generation numbers. Every transaction that changes a
//! committee's orgs (tree, posts) or its meeting tallies bumps the number in
//! the same transaction; readers that keep derived data in memory (the
//! compliance cache) compare numbers with one small query and reload only the
//! committees that changed. Correct across processes and restarts.

use crate::db::Tx;
use crate::{Result, q};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Generation {
    pub committee_id: i64,
    pub orgs: i64,
    pub meetings: i64,
}

/// The committee's orgs or posts changed.
#[tracing::instrument(skip_all)]
pub async fn bump_orgs(tx: &mut Tx, committee_id: i64) -> Result<()> {
    tx.c()
        .execute(q!(
            "INSERT INTO committee_generations (committee_id, orgs, meetings) VALUES ($1, 1, 1) \
             ON CONFLICT (committee_id) DO UPDATE SET orgs = committee_generations.orgs + 1",
            committee_id
        ))
        .await?;
    Ok(())
}

/// The committee's meeting tallies changed.
#[tracing::instrument(skip_all)]
pub async fn bump_meetings(tx: &mut Tx, committee_id: i64) -> Result<()> {
    tx.c()
        .execute(q!(
            "INSERT INTO committee_generations (committee_id, orgs, meetings) VALUES ($1, 1, 1) \
             ON CONFLICT (committee_id) DO UPDATE SET meetings = committee_generations.meetings + 1",
            committee_id
        ))
        .await?;
    Ok(())
}

/// The committee's dues charges or payments, or its recruitment cases, changed.
#[tracing::instrument(skip_all)]
pub async fn bump_facts(tx: &mut Tx, committee_id: i64) -> Result<()> {
    tx.c()
        .execute(q!(
            "INSERT INTO committee_generations (committee_id, orgs, meetings, facts) VALUES ($1, 1, 1, 1) \
             ON CONFLICT (committee_id) DO UPDATE SET facts = committee_generations.facts + 1",
            committee_id
        ))
        .await?;
    Ok(())
}

/// After bulk loads: every committee that has orgs gets a row, and all numbers move on.
#[tracing::instrument(skip_all)]
pub async fn bump_all(tx: &mut Tx) -> Result<()> {
    tx.c()
        .execute(q!("INSERT INTO committee_generations (committee_id, orgs, meetings) \
             SELECT DISTINCT o.committee_id, 0, 0 FROM orgs o \
             WHERE NOT EXISTS (SELECT 1 FROM committee_generations g WHERE g.committee_id = o.committee_id)"))
        .await?;
    tx.c()
        .execute(q!("UPDATE committee_generations SET orgs = orgs + 1, meetings = meetings + 1, facts = facts + 1"))
        .await?;
    Ok(())
}
