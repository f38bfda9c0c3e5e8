//! The member count rollup (`member_counts`): per org and status, how many
//! members the org holds directly. Every write that adds a member, moves one
//! to another org or changes a status recounts the orgs it touched in the
//! same transaction; a roster's total comes from here whenever its filter is
//! by place and status only. Above it, `member_unit_counts` holds each unit's
//! totals (recomputed from the unit's rows in the same transaction), so the
//! province's total sums a few hundred rows. [`rebuild`] recomputes both from
//! the members and [`verify`] compares them.

use super::*;
use xianfeng_core::auth::OrgWrite;

/// Recounts one org's members by status.
pub(crate) async fn recount(tx: &mut Tx, committee_id: i64, org_id: i64) -> Result<()> {
    tx.c()
        .execute(q!("DELETE FROM member_counts WHERE committee_id = $1 AND org_id = $2", committee_id, org_id))
        .await?;
    tx.c()
        .execute(q!(
            "INSERT INTO member_counts (committee_id, org_id, status, n) \
             SELECT committee_id, org_id, status, COUNT(*) FROM members \
             WHERE committee_id = $1 AND org_id = $2 GROUP BY committee_id, org_id, status",
            committee_id,
            org_id
        ))
        .await?;
    recount_unit(tx, committee_id).await
}

/// Recomputes a unit's totals from its orgs' counts (after a recount, or a
/// branch moved to another unit).
pub(crate) async fn recount_unit(tx: &mut Tx, committee_id: i64) -> Result<()> {
    tx.c().execute(q!("DELETE FROM member_unit_counts WHERE committee_id = $1", committee_id)).await?;
    tx.c()
        .execute(q!(
            "INSERT INTO member_unit_counts (committee_id, status, n) \
             SELECT committee_id, status, CAST(SUM(n) AS BIGINT) FROM member_counts WHERE committee_id = $1 \
             GROUP BY committee_id, status",
            committee_id
        ))
        .await?;
    Ok(())
}

/// Recounts the org a member belongs to now (after a change of status).
pub(crate) async fn recount_member(tx: &mut Tx, committee_id: i64, member_id: i64) -> Result<()> {
    let org: Option<(i64,)> = tx
        .c()
        .fetch_optional(q!("SELECT org_id FROM members WHERE committee_id = $1 AND id = $2", committee_id, member_id))
        .await?;
    match org {
        Some((org_id,)) => recount(tx, committee_id, org_id).await,
        None => Ok(()),
    }
}

/// One rollup row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CountRow {
    pub committee_id: i64,
    pub org_id: i64,
    pub status: String,
    pub n: i64,
}

const COLS: &str = "committee_id, org_id, status, n";
const ORDER: &str = " ORDER BY committee_id, org_id, status";
const COUNTED: &str =
    "SELECT committee_id, org_id, status, COUNT(*) AS n FROM members GROUP BY committee_id, org_id, status";
const UNIT_COUNTED: &str = "SELECT committee_id, status, COUNT(*) AS n FROM members GROUP BY committee_id, status";

/// Recomputes the whole rollup from the members; the rows written.
/// Province-wide console only (demo data, repairs).
#[tracing::instrument(skip_all)]
pub async fn rebuild(store: &Store, scope: &OrgWrite) -> Result<u64> {
    crate::rollups::console_only(scope)?;
    let mut tx = store.db.begin().await?;
    let n = crate::rollups::replace(&mut tx, "member_counts", COLS, COUNTED).await?;
    crate::rollups::replace(&mut tx, "member_unit_counts", "committee_id, status, n", UNIT_COUNTED).await?;
    tx.commit().await?;
    Ok(n)
}

/// Compares the kept rollup with a fresh count from the members; every
/// difference (empty when they agree). Province-wide console only.
#[tracing::instrument(skip_all)]
pub async fn verify(store: &Store, scope: &OrgWrite) -> Result<Vec<crate::rollups::Difference<CountRow>>> {
    crate::rollups::console_only(scope)?;
    let key = |r: &CountRow| (r.committee_id, r.org_id, r.status.clone());
    let kept = Q::new(format!("SELECT {COLS} FROM member_counts{ORDER}"));
    let fresh = Q::new(format!("SELECT {COLS} FROM ({COUNTED}) c{ORDER}"));
    let mut out = crate::rollups::compare(store, kept, fresh, key).await?;
    // The units' totals, as rows of org 0.
    let unit = |from: &str| {
        Q::new(format!(
            "SELECT committee_id, CAST(0 AS BIGINT) AS org_id, status, n FROM {from} ORDER BY committee_id, status"
        ))
    };
    let fresh_units = unit(&format!("({UNIT_COUNTED}) c"));
    out.extend(crate::rollups::compare(store, unit("member_unit_counts"), fresh_units, key).await?);
    Ok(out)
}

impl MemberFilter {
    /// Whether the filter selects by place and status only, so that the
    /// rollup can answer its count.
    fn by_place_and_status(&self, under: Option<&OrgRow>) -> bool {
        self.name.trim().is_empty()
            && self.min_age.is_none()
            && self.max_age.is_none()
            && self.join_year.is_none()
            && self.gender.is_empty()
            && self.ethnicity.is_empty()
            && !self.without_open_case
            && !matches!(under.map(OrgRow::kind), Some(OrgKind::Group))
    }
}

/// How many members in scope the filter selects, from the rollup; `None` when
/// the filter needs the members themselves (words of a name, ages, a group…).
pub(super) async fn total(
    store: &Store,
    scope: &MemberScope,
    f: &MemberFilter,
    under: Option<&OrgRow>,
) -> Result<Option<i64>> {
    let MemberScope::Subtree { org: os, .. } = scope else {
        return Ok(None);
    };
    if !f.by_place_and_status(under) {
        return Ok(None);
    }
    let mut q = if os.is_whole_tree() && under.is_none() {
        Q::new("SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS v FROM member_unit_counts c WHERE 1 = 1")
    } else {
        let mut q = Q::new(
            "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) AS v FROM member_counts c \
             JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE 1 = 1",
        );
        scope_where(&mut q, os, "o");
        q
    };
    if let Some(o) = under {
        match o.kind() {
            OrgKind::WorkingCommittee => {
                q.push(" AND o.path LIKE ").bind(format!("{}%", o.path));
            }
            OrgKind::Branch => {
                q.push(" AND c.committee_id = ").bind(o.committee_id).push(" AND c.org_id = ").bind(o.id);
            }
            _ => {
                q.push(" AND c.committee_id = ").bind(o.committee_id);
                q.push(" AND o.path LIKE ").bind(format!("{}%", o.path));
            }
        }
    }
    match f.status.as_str() {
        "" => {
            q.push(&format!(" AND c.status IN {}", sql_in(&MemberStatus::ON_ROLL)));
        }
        "members" => {
            q.push(&format!(" AND c.status IN {}", sql_in(&MemberStatus::MEMBERS)));
        }
        "inactive" => {
            q.push(&format!(" AND c.status IN {}", sql_in(&MemberStatus::OFF_ROLL)));
        }
        "all" => {}
        s => {
            let st = MemberStatus::parse(s).ok_or_else(|| StoreError::invalid("status", "党籍状态无效"))?;
            q.push(" AND c.status = ").bind(st.as_str());
        }
    }
    Ok(Some(store.db.r().fetch_scalar_i64(q).await?))
}
