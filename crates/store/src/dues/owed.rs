//! The arrears rollup (`dues_arrears`): per member with unpaid charges, the
//! months unpaid, the sum owed and the run of unpaid months up to the unit's
//! latest cycle. Opening a month recounts its units, a payment or correction
//! its member, a payroll deduction the units it touched — each in the write's
//! transaction. [`rebuild`] recomputes it from the charges and [`verify`]
//! compares the two.

use super::*;
use crate::db::Tx;
use std::collections::BTreeMap;
use xianfeng_core::auth::OrgWrite;

/// One rollup row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct OwedRow {
    pub committee_id: i64,
    pub member_id: i64,
    pub org_id: i64,
    pub months: i64,
    pub owed_fen: i64,
    pub consecutive: i64,
}

const COLS: &str = "committee_id, member_id, org_id, months, owed_fen, consecutive";

#[derive(sqlx::FromRow)]
struct Unpaid {
    committee_id: i64,
    member_id: i64,
    org_id: i64,
    month: NaiveDate,
    due_fen: i64,
}

#[derive(sqlx::FromRow)]
struct Latest {
    committee_id: i64,
    month: NaiveDate,
}

/// The rows counted from unpaid charges (sorted by committee, member, month)
/// and each unit's latest cycle.
fn counted(unpaid: Vec<Unpaid>, latest: &std::collections::HashMap<i64, NaiveDate>) -> Vec<OwedRow> {
    let mut by_member: BTreeMap<(i64, i64), (i64, Vec<NaiveDate>, i64)> = BTreeMap::new();
    for u in unpaid {
        let e = by_member.entry((u.committee_id, u.member_id)).or_insert((u.org_id, Vec::new(), 0));
        if e.1.last().is_none_or(|m| *m <= u.month) {
            e.0 = u.org_id;
        }
        e.1.push(u.month);
        e.2 += u.due_fen;
    }
    by_member
        .into_iter()
        .map(|((committee_id, member_id), (org_id, months, owed_fen))| OwedRow {
            committee_id,
            member_id,
            org_id,
            months: months.len() as i64,
            owed_fen,
            consecutive: latest.get(&committee_id).map(|l| core_dues::consecutive_unpaid_to(&months, *l)).unwrap_or(0),
        })
        .collect()
}

const UNPAID: &str = "SELECT committee_id, member_id, org_id, month, due_fen FROM dues_charges WHERE paid_on IS NULL";
const LATEST: &str = "SELECT committee_id, MAX(month) AS month FROM dues_cycles";

/// Recounts a unit's members: all of them, or only `member`.
async fn recount(tx: &mut Tx, committee_id: i64, member: Option<i64>) -> Result<()> {
    let mut read = Q::new(format!("{UNPAID} AND committee_id = "));
    read.bind(committee_id);
    let mut del = Q::new("DELETE FROM dues_arrears WHERE committee_id = ");
    del.bind(committee_id);
    if let Some(m) = member {
        read.push(" AND member_id = ").bind(m);
        del.push(" AND member_id = ").bind(m);
    }
    read.push(" ORDER BY committee_id, member_id, month");
    let unpaid: Vec<Unpaid> = tx.c().fetch_all(read).await?;
    let latest: Vec<Latest> =
        tx.c().fetch_all(q!(format!("{LATEST} WHERE committee_id = $1 GROUP BY committee_id"), committee_id)).await?;
    let latest = latest.into_iter().map(|l| (l.committee_id, l.month)).collect();
    tx.c().execute(del).await?;
    write(tx, counted(unpaid, &latest)).await
}

async fn write(tx: &mut Tx, rows: Vec<OwedRow>) -> Result<()> {
    let values: Vec<Vec<crate::db::Arg>> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.committee_id.into(),
                r.member_id.into(),
                r.org_id.into(),
                r.months.into(),
                r.owed_fen.into(),
                r.consecutive.into(),
            ]
        })
        .collect();
    crate::bulk::insert_rows(tx, "dues_arrears", COLS, values).await?;
    Ok(())
}

/// After a unit's month was opened or its payments changed in bulk.
pub(crate) async fn recount_unit(tx: &mut Tx, committee_id: i64) -> Result<()> {
    recount(tx, committee_id, None).await
}

/// After one member's charge changed.
pub(crate) async fn recount_member(tx: &mut Tx, committee_id: i64, member_id: i64) -> Result<()> {
    recount(tx, committee_id, Some(member_id)).await
}

async fn fresh(store: &Store) -> Result<Vec<OwedRow>> {
    let unpaid: Vec<Unpaid> =
        store.db.r().fetch_all(Q::new(format!("{UNPAID} ORDER BY committee_id, member_id, month"))).await?;
    let latest: Vec<Latest> = store.db.r().fetch_all(Q::new(format!("{LATEST} GROUP BY committee_id"))).await?;
    let latest = latest.into_iter().map(|l| (l.committee_id, l.month)).collect();
    Ok(counted(unpaid, &latest))
}

/// Recomputes the whole rollup from the charges; the rows written.
/// Province-wide console only (demo data, repairs).
#[tracing::instrument(skip_all)]
pub async fn rebuild(store: &Store, scope: &OrgWrite) -> Result<u64> {
    crate::rollups::console_only(scope)?;
    let rows = fresh(store).await?;
    let n = rows.len() as u64;
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("DELETE FROM dues_arrears")).await?;
    write(&mut tx, rows).await?;
    tx.commit().await?;
    Ok(n)
}

/// Compares the kept rollup with a fresh count from the charges; every
/// difference (empty when they agree). Province-wide console only.
#[tracing::instrument(skip_all)]
pub async fn verify(store: &Store, scope: &OrgWrite) -> Result<Vec<crate::rollups::Difference<OwedRow>>> {
    crate::rollups::console_only(scope)?;
    let kept: Vec<OwedRow> = store
        .db
        .r()
        .fetch_all(Q::new(format!("SELECT {COLS} FROM dues_arrears ORDER BY committee_id, member_id")))
        .await?;
    Ok(crate::rollups::differences(kept, fresh(store).await?, |r| (r.committee_id, r.member_id)))
}
