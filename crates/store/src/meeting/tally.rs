//! The per-org, per-year tallies compliance reads, kept in the write's
//! transaction; a full rebuild for bulk loads.

use super::*;
use xianfeng_core::auth::OrgWrite;

/// Rebuilds one org's tally for a year from its counted meetings.
#[tracing::instrument(skip_all)]
pub async fn retally(tx: &mut Tx, committee_id: i64, org_id: i64, year: i32) -> Result<()> {
    #[derive(sqlx::FromRow)]
    struct TallySource {
        kind: String,
        held_on: NaiveDate,
        present_count: i64,
        expected_count: i64,
    }
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let rows: Vec<TallySource> = tx
        .c()
        .fetch_all(q!(
            "SELECT kind, held_on, present_count, expected_count FROM meetings WHERE committee_id = $1 AND org_id = $2 AND counted = TRUE AND held_on BETWEEN $3 AND $4",
            committee_id, org_id, from, to
        ))
        .await?;
    let mut t = Tally::default();
    for r in rows {
        t.add(&r.kind, r.held_on.month(), 1, r.present_count, r.expected_count);
    }
    crate::generation::bump_meetings(tx, committee_id).await?;
    tx.c()
        .execute(q!(
            "DELETE FROM meeting_tallies WHERE committee_id = $1 AND org_id = $2 AND year = $3",
            committee_id,
            org_id,
            year as i64
        ))
        .await?;
    if !t.kinds.is_empty() {
        tx.c()
            .execute(q!(
                "INSERT INTO meeting_tallies (committee_id, org_id, year, tally) VALUES ($1, $2, $3, $4)",
                committee_id,
                org_id,
                year as i64,
                t.encode()
            ))
            .await?;
    }
    Ok(())
}

/// Rebuilds every tally from the meetings (after bulk loads, or on purpose).
/// Reads the meetings once, one committee at a time.
///
/// Only the province-wide, writable scope (the CLI's console: demo data,
/// repairs) may rebuild every tally.
#[tracing::instrument(skip_all)]
pub async fn rebuild_tallies(store: &Store, scope: &OrgWrite) -> Result<usize> {
    crate::rollups::console_only(scope)?;
    let committees = meeting_committees(store).await?;
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("DELETE FROM meeting_tallies")).await?;
    let mut written = 0;
    for c in committees {
        let items = counted(tx.c(), c).await?;
        for chunk in items.chunks(500) {
            let mut q = Q::new("INSERT INTO meeting_tallies (committee_id, org_id, year, tally) VALUES ");
            for (i, ((org_id, year), t)) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push_row(vec![c.into(), (*org_id).into(), (*year as i64).into(), t.encode().into()]);
            }
            tx.c().execute(q).await?;
            written += chunk.len();
        }
    }
    crate::generation::bump_all(&mut tx).await?;
    tx.commit().await?;
    Ok(written)
}

/// The committees that have meetings.
async fn meeting_committees(store: &Store) -> Result<Vec<i64>> {
    #[derive(sqlx::FromRow)]
    struct C {
        committee_id: i64,
    }
    let rows: Vec<C> =
        store.db.r().fetch_all(q!("SELECT DISTINCT committee_id FROM meetings ORDER BY committee_id")).await?;
    Ok(rows.into_iter().map(|c| c.committee_id).collect())
}

/// A committee's tallies counted from its meetings, by (org, year) in order.
async fn counted(c: crate::db::Conn<'_>, committee_id: i64) -> Result<Vec<((i64, i32), Tally)>> {
    #[derive(sqlx::FromRow)]
    struct TallySource {
        org_id: i64,
        kind: String,
        held_on: NaiveDate,
        present_count: i64,
        expected_count: i64,
    }
    let rows: Vec<TallySource> = c
        .fetch_all(q!(
            "SELECT org_id, kind, held_on, present_count, expected_count FROM meetings WHERE committee_id = $1 AND counted = TRUE AND held_on IS NOT NULL",
            committee_id
        ))
        .await?;
    let mut by: HashMap<(i64, i32), Tally> = HashMap::new();
    for r in rows {
        by.entry((r.org_id, r.held_on.year())).or_default().add(
            &r.kind,
            r.held_on.month(),
            1,
            r.present_count,
            r.expected_count,
        );
    }
    let mut items: Vec<((i64, i32), Tally)> = by.into_iter().collect();
    items.sort_by_key(|(k, _)| *k);
    Ok(items)
}

/// One kept tally: (committee, org, year) and its encoded counts.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TallyText {
    pub committee_id: i64,
    pub org_id: i64,
    pub year: i64,
    pub tally: String,
}

/// Compares the kept meeting tallies with a fresh count from the meetings;
/// every difference (empty when they agree). Province-wide console only.
#[tracing::instrument(skip_all)]
pub async fn verify_tallies(store: &Store, scope: &OrgWrite) -> Result<Vec<crate::rollups::Difference<TallyText>>> {
    crate::rollups::console_only(scope)?;
    let kept: Vec<TallyText> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT committee_id, org_id, year, tally FROM meeting_tallies ORDER BY committee_id, org_id, year"
        ))
        .await?;
    // Committees with tallies but no meetings left count as empty.
    let mut committees = meeting_committees(store).await?;
    committees.extend(kept.iter().map(|t| t.committee_id));
    committees.sort_unstable();
    committees.dedup();
    let mut fresh = Vec::new();
    for c in committees {
        for ((org_id, year), t) in counted(store.db.r(), c).await? {
            fresh.push(TallyText { committee_id: c, org_id, year: i64::from(year), tally: t.encode() });
        }
    }
    Ok(crate::rollups::differences(kept, fresh, |t| (t.committee_id, t.org_id, t.year)))
}
