//! The org tree: a materialized path per org ('/1/5/23/'), a subtree is a
//! prefix match, and the shard key (committee_id) is the unit the org sits in.

use chrono::NaiveDate;
use serde::Serialize;
use xianfeng_core::auth::OrgScope;
use xianfeng_core::member::MemberStatus;
use xianfeng_core::org::{self as core_org, BranchCounts, OrgKind, OrgWarning, Post, TermStatus};
use xianfeng_core::rules::OrgRules;
use xianfeng_core::states::{sql, sql_in};
use xianfeng_core::text::now_ms;

use crate::audit::{Event, append};
use crate::db::{Conn, Q, Tx};
use crate::{Page, Result, Store, StoreError, Who, q};

mod health;
mod pick;
mod posts;
mod write;

pub use self::health::*;
pub use self::pick::*;
pub use self::posts::*;
pub use self::write::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct OrgRow {
    pub committee_id: i64,
    pub id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub depth: i64,
    pub kind: OrgKind,
    pub name: String,
    pub district: String,
    pub code: String,
    pub sort_order: i64,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    pub dissolved_reason: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl OrgRow {
    pub fn kind(&self) -> OrgKind {
        self.kind
    }
    pub fn kind_label(&self) -> &'static str {
        self.kind().label()
    }
    pub fn anchor(&self) -> xianfeng_core::auth::OrgAnchor {
        xianfeng_core::auth::OrgAnchor {
            id: self.id,
            committee_id: self.committee_id,
            path: self.path.clone(),
            kind: self.kind,
            name: self.name.clone(),
        }
    }
}

pub const COLS: &str = "o.committee_id, o.id, o.parent_id, o.path, o.depth, o.kind, o.name, o.district, o.code, o.sort_order, \
    o.established_on, o.term_start, o.term_end, o.dissolved_on, o.dissolved_reason, o.active, o.created_at, o.updated_at";

/// Appends the scope condition on the orgs alias `a` (which must be joined).
pub fn scope_where(q: &mut Q, scope: &OrgScope, a: &str) {
    if scope.is_whole_tree() {
        return;
    }
    if let Some(c) = scope.committee_id() {
        q.push(&format!(" AND {a}.committee_id = ")).bind(c);
    }
    q.push(&format!(" AND {a}.path LIKE ")).bind(format!("{}%", scope.path_prefix()));
}

/// The org with this id inside the scope, or NotFound.
#[tracing::instrument(skip_all)]
pub async fn get(c: Conn<'_>, scope: &OrgScope, id: i64) -> Result<OrgRow> {
    let mut q = Q::new(format!("SELECT {COLS} FROM orgs o WHERE o.id = "));
    q.bind(id);
    scope_where(&mut q, scope, "o");
    c.fetch_one(q).await
}

/// Looks up an org by id without a scope: for resolving a user's own role
/// binding at sign-in, never for serving data.
#[tracing::instrument(skip_all)]
pub async fn anchor_of(c: Conn<'_>, id: i64) -> Result<OrgRow> {
    c.fetch_one(q!(format!("SELECT {COLS} FROM orgs o WHERE o.id = $1"), id)).await
}

/// The root (the working committee).
#[tracing::instrument(skip_all)]
pub async fn root(c: Conn<'_>) -> Result<Option<OrgRow>> {
    c.fetch_optional(q!(format!(
        "SELECT {COLS} FROM orgs o WHERE o.kind = {root} AND o.depth = 0 ORDER BY o.id LIMIT 1",
        root = sql(OrgKind::WorkingCommittee)
    )))
    .await
}

/// Direct children of an org, active first then by sort order.
#[tracing::instrument(skip_all)]
pub async fn children(c: Conn<'_>, scope: &OrgScope, parent: &OrgRow, include_dissolved: bool) -> Result<Vec<OrgRow>> {
    let mut q = Q::new(format!("SELECT {COLS} FROM orgs o WHERE o.parent_id = "));
    q.bind(parent.id);
    if parent.kind() != OrgKind::WorkingCommittee {
        q.push(" AND o.committee_id = ").bind(parent.committee_id);
    }
    if !include_dissolved {
        q.push(" AND o.active = TRUE");
    }
    scope_where(&mut q, scope, "o");
    q.push(" ORDER BY o.active DESC, o.sort_order, o.id");
    c.fetch_all(q).await
}

/// The orgs on the path from the scope root down to `org` (breadcrumbs).
#[tracing::instrument(skip_all)]
pub async fn lineage(c: Conn<'_>, scope: &OrgScope, org: &OrgRow) -> Result<Vec<OrgRow>> {
    let ids = core_org::path_ids(&org.path);
    let mut q = Q::new(format!("SELECT {COLS} FROM orgs o WHERE o.id IN ("));
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(*id);
    }
    q.push(")");
    scope_where(&mut q, scope, "o");
    q.push(" ORDER BY o.depth");
    c.fetch_all(q).await
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OrgFilter {
    pub name: String,
    pub kind: String,
    pub district: String,
    /// Restrict to the subtree of this org (inside the scope).
    pub under: Option<i64>,
    pub include_dissolved: bool,
}

#[tracing::instrument(skip_all)]
pub async fn search(store: &Store, scope: &OrgScope, f: &OrgFilter, page: i64, per_page: i64) -> Result<Page<OrgRow>> {
    let mut w = Q::new(" WHERE 1=1");
    scope_where(&mut w, scope, "o");
    if !f.include_dissolved {
        w.push(" AND o.active = TRUE");
    }
    if !f.name.trim().is_empty() {
        w.push(" AND o.name LIKE ").bind(format!("%{}%", crate::db::like_escape(f.name.trim()))).push(" ESCAPE '\\'");
    }
    if !f.kind.is_empty() {
        w.push(" AND o.kind = ").bind(f.kind.clone());
    }
    if !f.district.is_empty() {
        w.push(" AND o.district = ").bind(f.district.clone());
    }
    if let Some(under) = f.under {
        let root = get(store.db.r(), scope, under).await?;
        w.push(" AND o.path LIKE ").bind(format!("{}%", root.path));
    }
    let mut cq = Q::new(format!("SELECT COUNT(*) AS v FROM orgs o{}", w.sql));
    cq.args = w.args.clone();
    let total = store.db.r().fetch_scalar_i64(cq).await?;
    let mut q = Q::new(format!("SELECT {COLS} FROM orgs o{} ORDER BY o.path LIMIT ", w.sql));
    q.args = w.args;
    q.bind(per_page).push(" OFFSET ").bind((page - 1).max(0) * per_page);
    let items = store.db.r().fetch_all(q).await?;
    Ok(Page { items, total, page, per_page })
}
