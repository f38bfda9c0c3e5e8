//! The meeting count rollup (`meeting_counts`): per org, year (of the planned
//! day), kind and state, how many meetings there are. A meeting planned,
//! recorded or cancelled recounts its org's year in the same transaction; a
//! list's total comes from here whenever it is not narrowed by words of the
//! topic. [`rebuild_counts`] recomputes it from the meetings and
//! [`verify_counts`] compares the two.

use super::*;
use xianfeng_core::auth::OrgWrite;

/// The year of a meeting's planned day, in SQL both engines read alike.
const YEAR_OF: &str = "CAST(SUBSTR(CAST(planned_on AS TEXT), 1, 4) AS BIGINT)";

/// Recounts one org's meetings planned in `year`.
pub(crate) async fn recount(tx: &mut Tx, committee_id: i64, org_id: i64, year: i32) -> Result<()> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    tx.c()
        .execute(q!(
            "DELETE FROM meeting_counts WHERE committee_id = $1 AND org_id = $2 AND year = $3",
            committee_id,
            org_id,
            i64::from(year)
        ))
        .await?;
    tx.c()
        .execute(q!(
            "INSERT INTO meeting_counts (committee_id, org_id, year, kind, status, n) \
             SELECT committee_id, org_id, $1, kind, status, COUNT(*) FROM meetings \
             WHERE committee_id = $2 AND org_id = $3 AND planned_on BETWEEN $4 AND $5 \
             GROUP BY committee_id, org_id, kind, status",
            i64::from(year),
            committee_id,
            org_id,
            from,
            to
        ))
        .await?;
    Ok(())
}

/// One rollup row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CountRow {
    pub committee_id: i64,
    pub org_id: i64,
    pub year: i64,
    pub kind: String,
    pub status: String,
    pub n: i64,
}

const COLS: &str = "committee_id, org_id, year, kind, status, n";
const ORDER: &str = " ORDER BY committee_id, org_id, year, kind, status";

fn counted() -> String {
    format!(
        "SELECT committee_id, org_id, {YEAR_OF} AS year, kind, status, COUNT(*) AS n FROM meetings \
         GROUP BY committee_id, org_id, {YEAR_OF}, kind, status"
    )
}

/// Recomputes the whole rollup from the meetings; the rows written.
/// Province-wide console only (demo data, repairs).
#[tracing::instrument(skip_all)]
pub async fn rebuild_counts(store: &Store, scope: &OrgWrite) -> Result<u64> {
    crate::rollups::console_only(scope)?;
    let mut tx = store.db.begin().await?;
    let n = crate::rollups::replace(&mut tx, "meeting_counts", COLS, &counted()).await?;
    tx.commit().await?;
    Ok(n)
}

/// Compares the kept rollup with a fresh count from the meetings; every
/// difference (empty when they agree). Province-wide console only.
#[tracing::instrument(skip_all)]
pub async fn verify_counts(store: &Store, scope: &OrgWrite) -> Result<Vec<crate::rollups::Difference<CountRow>>> {
    crate::rollups::console_only(scope)?;
    let kept = Q::new(format!("SELECT {COLS} FROM meeting_counts{ORDER}"));
    let fresh = Q::new(format!("SELECT {COLS} FROM ({}) c{ORDER}", counted()));
    crate::rollups::compare(store, kept, fresh, |r: &CountRow| {
        (r.committee_id, r.org_id, r.year, r.kind.clone(), r.status.clone())
    })
    .await
}

/// How many meetings in scope a list's filter selects, from the rollup (the
/// filter carries no words of the topic).
pub(crate) async fn total(store: &Store, scope: &OrgScope, f: &MeetingFilter, sub_path: Option<&str>) -> Result<i64> {
    let mut q = if scope.is_whole_tree() && sub_path.is_none() {
        Q::new("SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS v FROM meeting_counts c WHERE 1 = 1")
    } else {
        let mut q = Q::new(
            "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS v FROM meeting_counts c \
             JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE 1 = 1",
        );
        scope_where(&mut q, scope, "o");
        if let Some(p) = sub_path {
            q.push(" AND o.path LIKE ").bind(format!("{p}%"));
        }
        q
    };
    if !f.kind.is_empty() {
        q.push(" AND c.kind = ").bind(f.kind.clone());
    }
    if !f.status.is_empty() {
        q.push(" AND c.status = ").bind(f.status.clone());
    }
    if let Some(y) = f.year {
        q.push(" AND c.year = ").bind(i64::from(y));
    }
    store.db.r().fetch_scalar_i64(q).await
}
