//! Choosing an org by what people know of it — its name, its unit's name, or
//! its number — for the forms' searchable pickers. A picker never lists more
//! than a page, and always says how many matched.

use serde::Serialize;
use xianfeng_core::auth::{OrgScope, SecurityAdmin};
use xianfeng_core::org::OrgKind;
use xianfeng_core::states::sql_in;
use xianfeng_core::text::to_halfwidth;

use super::scope_where;
use crate::db::{Q, like_escape};
use crate::{Page, Result, Store};

/// An org as a picker lists it: its name and the unit (shard) it lies in.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct OrgPick {
    pub committee_id: i64,
    pub id: i64,
    pub kind: OrgKind,
    pub name: String,
    pub unit_name: String,
}

impl OrgPick {
    /// "单位 — 党支部", or the name alone for a unit itself or the root.
    pub fn label(&self) -> String {
        if self.name == self.unit_name || self.unit_name.is_empty() {
            self.name.clone()
        } else {
            format!("{} — {}", self.unit_name, self.name)
        }
    }
}

const PICK_FROM: &str = "SELECT o.committee_id, o.id, o.kind, o.name, COALESCE(u.name, o.name) AS unit_name FROM orgs o \
     LEFT JOIN orgs u ON u.committee_id = o.committee_id AND u.id = o.committee_id WHERE o.active = TRUE";

/// Narrows `q` to orgs of `kinds` matching `text`: a substring of the org's
/// or its unit's name, or the org's number or code exactly (full-width
/// digits read as digits). Empty text matches every org.
fn matching(q: &mut Q, kinds: &[OrgKind], text: &str) {
    if !kinds.is_empty() {
        q.push(&format!(" AND o.kind IN {}", sql_in(kinds)));
    }
    let text = to_halfwidth(text.trim());
    if text.is_empty() {
        return;
    }
    let like = format!("%{}%", like_escape(&text));
    q.push(" AND (o.name LIKE ").bind(like.clone()).push(" ESCAPE '\\' OR u.name LIKE ").bind(like);
    q.push(" ESCAPE '\\' OR o.code = ").bind(text.clone());
    if let Ok(id) = text.parse::<i64>() {
        q.push(" OR o.id = ").bind(id);
    }
    q.push(")");
}

/// One page of the active orgs of `kinds` inside the scope that match
/// `text`, in tree order, with the total.
#[tracing::instrument(skip_all)]
pub async fn pick(
    store: &Store,
    scope: &OrgScope,
    kinds: &[OrgKind],
    text: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<OrgPick>> {
    pick_in(store, Some(scope), kinds, text, page, per_page).await
}

/// Every active org of `kinds` in scope when there are fewer than `n`, in tree
/// order with their total; otherwise no rows and a total of `n`, known
/// without counting them all (a province holds 9,000 orgs; a picker only
/// asks whether they fit a select).
#[tracing::instrument(skip_all)]
pub async fn pick_few(store: &Store, scope: &OrgScope, kinds: &[OrgKind], n: i64) -> Result<Page<OrgPick>> {
    let mut q = Q::new(PICK_FROM);
    scope_where(&mut q, scope, "o");
    matching(&mut q, kinds, "");
    let capped = Q { sql: format!("SELECT COUNT(*) AS v FROM ({} LIMIT {n}) capped", q.sql), args: q.args.clone() };
    let total = store.db.r().fetch_scalar_i64(capped).await?;
    if total >= n {
        return Ok(Page { items: Vec::new(), total, page: 1, per_page: n });
    }
    crate::fetch_page(store, q, "o.path", 1, n).await
}

/// The active org of `kinds` with this id in scope (none when out of reach),
/// looked up by its key alone: a chosen value, not a search.
#[tracing::instrument(skip_all)]
pub async fn pick_id(store: &Store, scope: &OrgScope, kinds: &[OrgKind], id: i64) -> Result<Page<OrgPick>> {
    let mut q = Q::new(PICK_FROM);
    scope_where(&mut q, scope, "o");
    matching(&mut q, kinds, "");
    q.push(" AND o.id = ").bind(id);
    let items: Vec<OrgPick> = store.db.r().fetch_all(q).await?;
    Ok(Page { total: items.len() as i64, items, page: 1, per_page: 1 })
}

/// The same lookup across the whole tree for the security administrator, who
/// binds roles to orgs but holds no scope over their data: names only.
#[tracing::instrument(skip_all)]
pub async fn pick_for_binding(
    store: &Store,
    _admin: &SecurityAdmin,
    kinds: &[OrgKind],
    text: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<OrgPick>> {
    pick_in(store, None, kinds, text, page, per_page).await
}

/// The lookup inside a scope, or (None) across the whole tree for the
/// callers above and [`crate::transfer::destination_picks`] that may make it.
pub(crate) async fn pick_in(
    store: &Store,
    scope: Option<&OrgScope>,
    kinds: &[OrgKind],
    text: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<OrgPick>> {
    let mut q = Q::new(PICK_FROM);
    if let Some(scope) = scope {
        scope_where(&mut q, scope, "o");
    }
    matching(&mut q, kinds, text);
    crate::fetch_page(store, q, "o.path", page, per_page).await
}
