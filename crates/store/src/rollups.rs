//! The rollups: figures over many records kept in tables beside them, each
//! maintained in the transaction of every write that changes it — the meeting
//! tallies (`meeting::tally`), the meeting counts (`meeting::counts`), the
//! dues tallies (`dues::tally`), the arrears (`dues::owed`) and the member
//! counts (`member::counts`). Here they
//! are rebuilt from the records and checked against them, as
//! `xianfeng rollups verify` and `xianfeng rollups rebuild` do.

use serde::Serialize;
use xianfeng_core::auth::OrgWrite;

use crate::{Result, Store};

/// Where a kept row and a fresh count differ: (kept, counted), either missing.
pub type Difference<T> = (Option<T>, Option<T>);

/// The differences between two lists sorted by `key`: rows missing on either
/// side and rows whose values differ.
pub fn differences<T: PartialEq, K: Ord>(kept: Vec<T>, counted: Vec<T>, key: impl Fn(&T) -> K) -> Vec<Difference<T>> {
    let mut out = Vec::new();
    let mut kept = kept.into_iter().peekable();
    let mut counted = counted.into_iter().peekable();
    loop {
        let order = match (kept.peek(), counted.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(a), Some(b)) => key(a).cmp(&key(b)),
        };
        match order {
            std::cmp::Ordering::Less => out.push((kept.next(), None)),
            std::cmp::Ordering::Greater => out.push((None, counted.next())),
            std::cmp::Ordering::Equal => {
                let (a, b) = (kept.next(), counted.next());
                if a != b {
                    out.push((a, b));
                }
            }
        }
    }
    out
}

/// Rebuilding and checking rollups is for the province-wide console only
/// (demo data, repairs): any other scope is refused.
pub(crate) fn console_only(scope: &OrgWrite) -> Result<()> {
    if scope.is_whole_tree() { Ok(()) } else { Err(crate::StoreError::Forbidden) }
}

/// Replaces every row of a rollup `table` with `counted` (a SELECT of its
/// `cols` from the records), inside the caller's transaction; the rows written.
pub(crate) async fn replace(tx: &mut crate::db::Tx, table: &str, cols: &str, counted: &str) -> Result<u64> {
    tx.c().execute(crate::db::Q::new(format!("DELETE FROM {table}"))).await?;
    tx.c().execute(crate::db::Q::new(format!("INSERT INTO {table} ({cols}) {counted}"))).await
}

/// The kept rows beside a fresh count (both queries ordered by `key`): every
/// difference, empty when they agree.
pub(crate) async fn compare<T: crate::db::Row + PartialEq, K: Ord>(
    store: &Store,
    kept: crate::db::Q,
    fresh: crate::db::Q,
    key: impl Fn(&T) -> K,
) -> Result<Vec<Difference<T>>> {
    let kept: Vec<T> = store.db.r().fetch_all(kept).await?;
    let fresh: Vec<T> = store.db.r().fetch_all(fresh).await?;
    Ok(differences(kept, fresh, key))
}

/// What a check found in one rollup.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The rollup's table.
    pub table: &'static str,
    /// Rows that differ from a fresh count, as text for people.
    pub differences: Vec<String>,
}

/// Checks every rollup against its records.
#[tracing::instrument(skip_all)]
pub async fn verify(store: &Store, scope: &OrgWrite) -> Result<Vec<Check>> {
    let show = |d: &dyn std::fmt::Debug| format!("{d:?}");
    let meetings = crate::meeting::verify_tallies(store, scope).await?;
    let counts = crate::meeting::verify_counts(store, scope).await?;
    let dues = crate::dues::tally::verify(store, scope).await?;
    let members = crate::member::counts::verify(store, scope).await?;
    let owed = crate::dues::owed::verify(store, scope).await?;
    Ok(vec![
        Check { table: "meeting_tallies", differences: meetings.iter().map(|d| show(d)).collect() },
        Check { table: "meeting_counts", differences: counts.iter().map(|d| show(d)).collect() },
        Check { table: "dues_tallies", differences: dues.iter().map(|d| show(d)).collect() },
        Check { table: "member_counts", differences: members.iter().map(|d| show(d)).collect() },
        Check { table: "dues_arrears", differences: owed.iter().map(|d| show(d)).collect() },
    ])
}

/// Rebuilds every rollup from its records: (table, rows written).
#[tracing::instrument(skip_all)]
pub async fn rebuild(store: &Store, scope: &OrgWrite) -> Result<Vec<(&'static str, u64)>> {
    let meetings = crate::meeting::rebuild_tallies(store, scope).await?;
    let counts = crate::meeting::rebuild_counts(store, scope).await?;
    let dues = crate::dues::tally::rebuild(store, scope).await?;
    let members = crate::member::counts::rebuild(store, scope).await?;
    let owed = crate::dues::owed::rebuild(store, scope).await?;
    Ok(vec![
        ("meeting_tallies", meetings as u64),
        ("meeting_counts", counts),
        ("dues_tallies", dues),
        ("member_counts", members),
        ("dues_arrears", owed),
    ])
}

#[cfg(test)]
mod tests {
    use super::differences;

    #[test]
    fn differences_name_the_missing_and_the_changed_rows() {
        let kept = vec![(1, "a"), (2, "b"), (4, "d")];
        let counted = vec![(1, "a"), (2, "B"), (3, "c")];
        let d = differences(kept, counted, |r| r.0);
        assert_eq!(d, vec![(Some((2, "b")), Some((2, "B"))), (None, Some((3, "c"))), (Some((4, "d")), None)]);
        assert!(differences(vec![(1, 1)], vec![(1, 1)], |r| r.0).is_empty());
    }
}
