//! Transfers of membership (组织关系转接). The sending side asks and approves
//! (issuing the introduction letter, with dues paid up); the receiving side
//! approves and the member's record moves: within a unit only the branch
//! changes; between units every member-scoped row moves to the new unit's
//! shard key in the same transaction (insert under the new key, delete the
//! old: a distribution column is never updated in place); out of the province
//! the record stays as 已转出; into the province a new record is created.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use xianfeng_core::auth::{MemberScope, OrgScope};
use xianfeng_core::member::{MemberInput, MemberStatus};
use xianfeng_core::text::{now_ms, today_cn};
use xianfeng_core::transfer::{self as core_tr, TransferKind, TransferRules, TransferState};

use crate::audit::{Event, append};
use crate::db::{Q, Tx};
use crate::member::add_history;
use crate::org::{OrgRow, scope_where};
use crate::{Result, Store, StoreError, Who, q};

mod approve;
mod request;

pub use self::approve::*;
pub use self::request::*;
use xianfeng_core::org::OrgKind;
use xianfeng_core::states::sql;
use xianfeng_core::states::sql_in;

pub(crate) const COLS: &str = "t.committee_id, t.id, t.kind, t.state, t.member_id, t.member_name, t.from_org_id, t.from_org_name, \
    t.to_committee_id, t.to_org_id, t.to_org_name, t.letter_no, t.issued_on, t.valid_until, t.reason, t.requested_on, \
    t.dues_paid_through, t.out_by, t.out_on, t.in_by, t.in_on, t.rejected_reason, t.created_by, t.created_at, t.version";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TransferRow {
    pub committee_id: i64,
    pub id: i64,
    pub kind: TransferKind,
    pub state: TransferState,
    pub member_id: Option<i64>,
    pub member_name: String,
    pub from_org_id: Option<i64>,
    pub from_org_name: String,
    pub to_committee_id: Option<i64>,
    pub to_org_id: Option<i64>,
    pub to_org_name: String,
    pub letter_no: String,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub reason: String,
    pub requested_on: NaiveDate,
    /// The last month the member's dues were paid for, carried to the receiving side.
    pub dues_paid_through: Option<NaiveDate>,
    pub out_by: String,
    pub out_on: Option<NaiveDate>,
    pub in_by: String,
    pub in_on: Option<NaiveDate>,
    pub rejected_reason: String,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

impl TransferRow {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::Transfer> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

impl TransferRow {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }
    /// Waiting for the sending side (pages ask this instead of comparing codes).
    pub fn awaits_sender(&self) -> bool {
        self.state == TransferState::PendingOut
    }
    /// Waiting for the receiving side.
    pub fn awaits_receiver(&self) -> bool {
        self.state == TransferState::PendingIn
    }
    pub fn is_done(&self) -> bool {
        self.state == TransferState::Done
    }
    /// Leaving the province with a letter.
    pub fn leaves_province(&self) -> bool {
        self.kind == TransferKind::OutOfProvince
    }
    /// Arriving from outside the province.
    pub fn enters_province(&self) -> bool {
        self.kind == TransferKind::IntoProvince
    }
    pub fn paid_through_text(&self) -> String {
        self.dues_paid_through.map(|d| d.format("%Y-%m").to_string()).unwrap_or_else(|| "—".into())
    }
    pub fn validity_text(&self) -> String {
        match (self.issued_on, self.valid_until) {
            (Some(i), Some(v)) => format!("{i} 至 {v}"),
            (None, Some(v)) => format!("至 {v}"),
            _ => "—".into(),
        }
    }
}

/// Which side of a transfer the caller stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Sending,
    Receiving,
}

/// A transfer with the caller's sides.
#[derive(Debug, Clone, Serialize)]
pub struct TransferView {
    pub t: TransferRow,
    pub sending: bool,
    pub receiving: bool,
}

impl TransferView {
    /// Whether the caller may decide the transfer now.
    pub fn can_decide(&self) -> bool {
        match self.t.state {
            TransferState::PendingOut => self.sending,
            TransferState::PendingIn => self.receiving,
            _ => false,
        }
    }
}

/// A branch a transfer can go to: the province's directory of branches (names only).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Destination {
    pub id: i64,
    pub name: String,
    pub unit_name: String,
}

/// Active branches of the whole province whose name or unit contains `name`:
/// a deliberate province-wide lookup of public names, for choosing where a
/// member goes. It returns no member data.
#[tracing::instrument(skip_all)]
pub async fn destinations(store: &Store, name: &str, page: i64, per_page: i64) -> Result<crate::Page<Destination>> {
    let mut q = Q::new(format!(
        "SELECT o.id, o.name, u.name AS unit_name FROM orgs o JOIN orgs u ON u.committee_id = o.committee_id AND u.id = o.committee_id \
         WHERE o.kind = {branch} AND o.active = TRUE",
        branch = sql(OrgKind::Branch)
    ));
    if !name.trim().is_empty() {
        let like = format!("%{}%", crate::db::like_escape(name.trim()));
        q.push(" AND (o.name LIKE ")
            .bind(like.clone())
            .push(" ESCAPE '\\' OR u.name LIKE ")
            .bind(like)
            .push(" ESCAPE '\\')");
    }
    crate::fetch_page(store, q, "u.name, o.path", page, per_page).await
}

/// Destinations as the transfer form's picker offers them: active branches of
/// the whole province by their name, their unit's name or their number.
#[tracing::instrument(skip_all)]
pub async fn destination_picks(
    store: &Store,
    text: &str,
    page: i64,
    per_page: i64,
) -> Result<crate::Page<crate::org::OrgPick>> {
    crate::org::pick_in(store, None, &[OrgKind::Branch], text, page, per_page).await
}

/// The destination branch by id, active and a branch (province-wide, like `destinations`).
pub(crate) async fn destination(c: crate::db::Conn<'_>, id: i64) -> Result<OrgRow> {
    let o: OrgRow = match crate::org::anchor_of(c, id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return Err(StoreError::invalid("to_org_id", "接收党组织不存在")),
        Err(e) => return Err(e),
    };
    if o.kind() != xianfeng_core::org::OrgKind::Branch || !o.active {
        return Err(StoreError::invalid("to_org_id", "组织关系须转入一个现有的党支部"));
    }
    Ok(o)
}

/// A transfer's row in the caller's view (either side), or NotFound.
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &OrgScope, id: i64) -> Result<TransferView> {
    let t: TransferRow = store
        .db
        .r()
        .fetch_optional(q!(format!("SELECT {COLS} FROM transfers t WHERE t.id = $1"), id))
        .await?
        .ok_or(StoreError::NotFound)?;
    let v = view(store, scope, t).await?;
    if !v.sending && !v.receiving {
        return Err(StoreError::NotFound);
    }
    Ok(v)
}

pub(crate) async fn view(store: &Store, scope: &OrgScope, t: TransferRow) -> Result<TransferView> {
    let inside = |org: Option<i64>, committee: Option<i64>| {
        let store = store.clone();
        let scope = scope.clone();
        async move {
            match (org, committee) {
                (Some(o), Some(c)) => {
                    let mut q = Q::new("SELECT COUNT(*) AS v FROM orgs o WHERE o.committee_id = ");
                    q.bind(c).push(" AND o.id = ").bind(o);
                    scope_where(&mut q, &scope, "o");
                    Ok::<bool, StoreError>(store.db.r().fetch_scalar_i64(q).await? > 0)
                }
                _ => Ok(false),
            }
        }
    };
    let kind = t.kind;
    let sending = kind.has_sender() && inside(t.from_org_id, Some(t.committee_id)).await?;
    let receiving = kind.has_receiver() && inside(t.to_org_id, t.to_committee_id).await?;
    Ok(TransferView { t, sending, receiving })
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TransferFilter {
    /// "" = open ones; pending_out | pending_in | done | rejected | cancelled | all
    pub state: String,
    /// Only the transfers waiting for the caller's decision.
    pub mine: bool,
    /// Part of the member's name.
    pub name: String,
    /// Only transfers from or to an org under this one (inside the scope).
    pub org_id: Option<i64>,
}

/// Transfers whose sending or receiving org lies in the scope, newest first:
/// one page of those the filter selects, and how many it selects in all.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &OrgScope,
    f: &TransferFilter,
    page: i64,
    per_page: i64,
) -> Result<crate::Page<TransferView>> {
    // Either side may be outside the province (no org); a side inside the
    // scope makes the transfer the caller's.
    let mut q = Q::new(format!(
        "SELECT {COLS} FROM transfers t \
         LEFT JOIN orgs fo ON fo.committee_id = t.committee_id AND fo.id = t.from_org_id \
         LEFT JOIN orgs tor ON tor.committee_id = t.to_committee_id AND tor.id = t.to_org_id WHERE 1 = 1"
    ));
    let either_under = |q: &mut Q, path: &str| {
        let prefix = format!("{path}%");
        q.push(" AND (fo.path LIKE ").bind(prefix.clone()).push(" OR tor.path LIKE ").bind(prefix).push(")");
    };
    if !scope.is_whole_tree() {
        either_under(&mut q, scope.path_prefix());
    }
    if let Some(id) = f.org_id {
        let under = crate::org::get(store.db.r(), scope, id).await?;
        either_under(&mut q, &under.path);
    }
    match f.state.as_str() {
        "" => {
            q.push(&format!(
                " AND t.state IN {in_flight}",
                in_flight = sql_in(&[TransferState::PendingOut, TransferState::PendingIn])
            ));
        }
        "all" => {}
        s => {
            let st = TransferState::parse(s).ok_or_else(|| StoreError::invalid("state", "状态无效"))?;
            q.push(" AND t.state = ").bind(st.as_str());
        }
    }
    let name = f.name.trim();
    if !name.is_empty() {
        q.push(" AND t.member_name LIKE ").bind(format!("%{}%", crate::db::like_escape(name))).push(" ESCAPE '\\'");
    }
    if !f.mine {
        let rows: crate::Page<TransferRow> =
            crate::fetch_page(store, q, "t.created_at DESC, t.id DESC", page, per_page).await?;
        let mut items = Vec::with_capacity(rows.items.len());
        for t in rows.items {
            items.push(view(store, scope, t).await?);
        }
        return Ok(crate::Page { items, total: rows.total, page: rows.page, per_page: rows.per_page });
    }
    // Waiting for the caller: decided from each transfer's state and sides,
    // among those in flight (few at any time).
    q.push(" ORDER BY t.created_at DESC, t.id DESC");
    let mut mine = Vec::new();
    for t in store.db.r().fetch_all::<TransferRow>(q).await? {
        let v = view(store, scope, t).await?;
        if v.can_decide() {
            mine.push(v);
        }
    }
    let total = mine.len() as i64;
    let skip = usize::try_from((page - 1).max(0).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let items = mine.into_iter().skip(skip).take(usize::try_from(per_page).unwrap_or(usize::MAX)).collect();
    Ok(crate::Page { items, total, page, per_page })
}
