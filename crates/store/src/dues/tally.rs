//! The dues rollup (`dues_tallies`): per branch and month, the charges, those
//! paid and paid on time, and their sums. Every write to `dues_charges`
//! recounts the rows it touched in the same transaction, so a count read from
//! the rollup is always the count of the charges; [`rebuild`] recomputes the
//! whole table from the charges (bulk loads, `xianfeng rollups rebuild`) and
//! [`verify`] compares the two.

use super::*;
use crate::db::Tx;
use xianfeng_core::auth::OrgWrite;

/// The rollup's columns, and how each is counted from `dues_charges`: one
/// text for the maintained recount, the rebuild and the check.
const COLS: &str = "committee_id, month, org_id, charges, paid, on_time, due_fen, paid_fen";
const COUNTED: &str = "SELECT committee_id, month, org_id, COUNT(*) AS charges, \
     CAST(SUM(CASE WHEN paid_on IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS paid, CAST(SUM(on_time) AS BIGINT) AS on_time, \
     CAST(SUM(due_fen) AS BIGINT) AS due_fen, CAST(SUM(COALESCE(paid_fen, 0)) AS BIGINT) AS paid_fen FROM dues_charges";
const GROUPED: &str = " GROUP BY committee_id, month, org_id";

/// Recounts the rollup rows of a unit's month: every branch, or only `org`.
async fn recount(tx: &mut Tx, committee_id: i64, month: NaiveDate, org: Option<i64>) -> Result<()> {
    let mut del = Q::new("DELETE FROM dues_tallies WHERE committee_id = ");
    del.bind(committee_id).push(" AND month = ").bind(month);
    let mut ins = Q::new(format!("INSERT INTO dues_tallies ({COLS}) {COUNTED} WHERE committee_id = "));
    ins.bind(committee_id).push(" AND month = ").bind(month);
    if let Some(org) = org {
        del.push(" AND org_id = ").bind(org);
        ins.push(" AND org_id = ").bind(org);
    }
    ins.push(GROUPED);
    tx.c().execute(del).await?;
    tx.c().execute(ins).await?;
    Ok(())
}

/// After a unit's month of charges was created: its whole month.
pub(crate) async fn recount_month(tx: &mut Tx, committee_id: i64, month: NaiveDate) -> Result<()> {
    recount(tx, committee_id, month, None).await
}

/// After payments of one branch's month changed.
pub(crate) async fn recount_org(tx: &mut Tx, committee_id: i64, month: NaiveDate, org_id: i64) -> Result<()> {
    recount(tx, committee_id, month, Some(org_id)).await
}

/// After one member's charge of a month changed: the branch it was charged to.
pub(crate) async fn recount_charge(tx: &mut Tx, committee_id: i64, month: NaiveDate, member_id: i64) -> Result<()> {
    let org = tx
        .c()
        .fetch_opt_i64(q!(
            "SELECT org_id AS v FROM dues_charges WHERE committee_id = $1 AND month = $2 AND member_id = $3",
            committee_id,
            month,
            member_id
        ))
        .await?;
    match org {
        Some(org) => recount(tx, committee_id, month, Some(org)).await,
        None => Ok(()),
    }
}

/// One rollup row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TallyRow {
    pub committee_id: i64,
    pub month: NaiveDate,
    pub org_id: i64,
    pub charges: i64,
    pub paid: i64,
    pub on_time: i64,
    pub due_fen: i64,
    pub paid_fen: i64,
}

/// Recomputes the whole rollup from the charges, in one transaction; the
/// number of rows written. Only the province-wide, writable scope (the CLI's
/// console: demo data, repairs).
#[tracing::instrument(skip_all)]
pub async fn rebuild(store: &Store, scope: &OrgWrite) -> Result<u64> {
    crate::rollups::console_only(scope)?;
    let mut tx = store.db.begin().await?;
    let n = crate::rollups::replace(&mut tx, "dues_tallies", COLS, &format!("{COUNTED}{GROUPED}")).await?;
    crate::generation::bump_all(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// Compares the kept rollup with a fresh count from the charges, row by row;
/// every difference (empty when they agree).
#[tracing::instrument(skip_all)]
pub async fn verify(store: &Store, scope: &OrgWrite) -> Result<Vec<crate::rollups::Difference<TallyRow>>> {
    crate::rollups::console_only(scope)?;
    let order = " ORDER BY committee_id, month, org_id";
    let kept = Q::new(format!("SELECT {COLS} FROM dues_tallies{order}"));
    let fresh = Q::new(format!("{COUNTED}{GROUPED}{order}"));
    crate::rollups::compare(store, kept, fresh, |r: &TallyRow| (r.committee_id, r.month, r.org_id)).await
}
