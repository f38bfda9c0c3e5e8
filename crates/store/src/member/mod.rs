//! Member records: scoped reads, validated writes with history, protected
//! fields encrypted at rest, all-or-nothing bulk import.

use chrono::NaiveDate;
use serde::Serialize;
use xianfeng_core::FieldError;
use xianfeng_core::auth::{MemberScope, OrgScope};
use xianfeng_core::member::{self as core_member, MemberInput, MemberStatus, ValidMember};
use xianfeng_core::org::OrgKind;
use xianfeng_core::text::{mask_id_card, mask_phone, now_ms, today_cn};

use crate::audit::{Event, append};
use crate::db::{Arg, Q, Tx};
use crate::org::{self, OrgRow, scope_where};
use crate::{Page, Result, Store, StoreError, Who, q};

pub mod counts;
mod import;
mod keys;
mod orgs;
mod write;

pub use self::import::*;
pub use self::keys::*;
pub(crate) use self::orgs::*;
pub use self::write::*;
use xianfeng_core::audit::Outcome;
use xianfeng_core::states::sql_in;

/// A row of the member list (protected fields masked).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MemberRow {
    pub committee_id: i64,
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// The unit (shard) the member belongs to.
    pub unit_name: String,
    pub group_id: Option<i64>,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_card_masked: String,
    pub phone_masked: String,
    pub education: String,
    pub category: String,
    pub position: String,
    pub cadre_rank: String,
    pub join_date: Option<NaiveDate>,
    pub full_date: Option<NaiveDate>,
    pub status: MemberStatus,
}

impl MemberRow {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::Member> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

impl MemberRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn age(&self) -> i32 {
        age(self.birth_date)
    }
    pub fn join_date_text(&self) -> String {
        self.join_date.map(|d| d.to_string()).unwrap_or_default()
    }
    pub fn full_date_text(&self) -> String {
        self.full_date.map(|d| d.to_string()).unwrap_or_default()
    }
}

fn age(birth: NaiveDate) -> i32 {
    use chrono::Datelike;
    let t = today_cn();
    let mut a = t.year() - birth.year();
    if (t.month(), t.day()) < (birth.month(), birth.day()) {
        a -= 1;
    }
    a
}

/// One member in full (protected fields still masked; see [`reveal`]).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MemberDetail {
    pub committee_id: i64,
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub group_id: Option<i64>,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_card_masked: String,
    pub phone_masked: String,
    pub education: String,
    pub category: String,
    pub position: String,
    pub cadre_rank: String,
    pub native_place: String,
    pub address: String,
    pub community: String,
    pub join_date: Option<NaiveDate>,
    pub full_date: Option<NaiveDate>,
    pub status: MemberStatus,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MemberDetail {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::Member> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

impl MemberDetail {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn age(&self) -> i32 {
        age(self.birth_date)
    }
    /// The record as form input (protected fields left empty: unchanged unless retyped).
    pub fn to_input(&self) -> MemberInput {
        let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        MemberInput {
            name: self.name.clone(),
            gender: self.gender.clone(),
            ethnicity: self.ethnicity.clone(),
            birth_date: self.birth_date.to_string(),
            id_card: String::new(),
            education: self.education.clone(),
            category: self.category.clone(),
            phone: String::new(),
            position: self.position.clone(),
            cadre_rank: self.cadre_rank.clone(),
            native_place: self.native_place.clone(),
            address: self.address.clone(),
            community: self.community.clone(),
            join_date: d(self.join_date),
            full_date: d(self.full_date),
            status: self.status.as_str().to_string(),
            org_id: self.org_id.to_string(),
            group_id: self.group_id.map(|g| g.to_string()).unwrap_or_default(),
        }
    }
}

const ROW_COLS: &str = "m.committee_id, m.id, m.org_id, o.name AS org_name, COALESCE(u.name, '') AS unit_name, m.group_id, m.name, m.gender, m.ethnicity, m.birth_date, \
    m.id_card_masked, m.phone_masked, m.education, m.category, m.position, m.cadre_rank, m.join_date, m.full_date, m.status";
const DETAIL_COLS: &str = "m.committee_id, m.id, m.org_id, o.name AS org_name, o.path AS org_path, m.group_id, m.name, m.gender, m.ethnicity, m.birth_date, \
    m.id_card_masked, m.phone_masked, m.education, m.category, m.position, m.cadre_rank, m.native_place, m.address, m.community, \
    m.join_date, m.full_date, m.status, m.version, m.created_at, m.updated_at";
const FROM: &str = " FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id";
/// FROM for list rows: also the unit (the org whose id is the shard key).
const ROW_FROM: &str = " FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
    LEFT JOIN orgs u ON u.committee_id = m.committee_id AND u.id = m.committee_id";

/// Appends the member-scope condition (members alias `m`, orgs alias `o`).
pub fn member_scope_where(q: &mut Q, scope: &MemberScope) {
    match scope {
        MemberScope::Subtree { org, .. } => scope_where(q, org, "o"),
        MemberScope::SelfOnly { member_id, committee_id } => {
            q.push(" AND m.committee_id = ").bind(*committee_id).push(" AND m.id = ").bind(*member_id);
        }
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct MemberFilter {
    /// Substring of the name.
    pub name: String,
    /// A status identifier; "members" = full and probationary; "inactive" =
    /// transferred out, deceased, left; empty = everyone still on a roll.
    pub status: String,
    /// Restrict to this org's subtree (inside the caller's scope).
    pub org_id: Option<i64>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub join_year: Option<i32>,
    pub gender: String,
    pub ethnicity: String,
    /// name | birth_date | join_date | org (default)
    pub sort: String,
    /// asc | desc
    pub order: String,
    /// Only those with no recruitment case still open (whom a case may be
    /// opened for).
    pub without_open_case: bool,
}

impl MemberFilter {
    fn apply(&self, q: &mut Q, under: Option<&OrgRow>) -> Result<()> {
        if let Some(o) = under {
            match o.kind() {
                // The root's subtree spans every committee: only the path narrows it.
                OrgKind::WorkingCommittee => {
                    q.push(" AND o.path LIKE ").bind(format!("{}%", o.path));
                }
                // A branch's members (those of its groups too) carry its id:
                // the members' own index answers, no walk of the unit's orgs.
                OrgKind::Branch => {
                    q.push(" AND m.committee_id = ").bind(o.committee_id).push(" AND m.org_id = ").bind(o.id);
                }
                OrgKind::Group => {
                    q.push(" AND m.committee_id = ").bind(o.committee_id).push(" AND m.group_id = ").bind(o.id);
                }
                _ => {
                    q.push(" AND m.committee_id = ").bind(o.committee_id);
                    q.push(" AND o.path LIKE ").bind(format!("{}%", o.path));
                }
            }
        }
        let name = self.name.trim();
        if !name.is_empty() {
            q.push(" AND m.name LIKE ").bind(format!("%{}%", crate::db::like_escape(name))).push(" ESCAPE '\\'");
        }
        match self.status.as_str() {
            "" => {
                q.push(&format!(" AND m.status IN {on_roll}", on_roll = sql_in(&MemberStatus::ON_ROLL)));
            }
            "members" => {
                q.push(&format!(" AND m.status IN {members}", members = sql_in(&MemberStatus::MEMBERS)));
            }
            "inactive" => {
                q.push(&format!(" AND m.status IN {off_roll}", off_roll = sql_in(&MemberStatus::OFF_ROLL)));
            }
            "all" => {}
            s => {
                let st = MemberStatus::parse(s).ok_or_else(|| StoreError::invalid("status", "党籍状态无效"))?;
                q.push(" AND m.status = ").bind(st.as_str());
            }
        }
        if self.without_open_case {
            q.push(
                " AND NOT EXISTS (SELECT 1 FROM recruitment_cases rc \
                 WHERE rc.committee_id = m.committee_id AND rc.member_id = m.id AND rc.state = ",
            )
            .bind(xianfeng_core::recruitment::CaseStanding::Open.as_str())
            .push(")");
        }
        if !self.gender.is_empty() {
            q.push(" AND m.gender = ").bind(self.gender.clone());
        }
        if !self.ethnicity.is_empty() {
            q.push(" AND m.ethnicity = ").bind(self.ethnicity.clone());
        }
        if let (Some(a), Some(b)) = (self.min_age, self.max_age)
            && a > b
        {
            return Err(StoreError::invalid("min_age", "最小年龄不能大于最大年龄"));
        }
        let (earliest, latest) = core_member::birth_bounds(self.min_age, self.max_age, today_cn());
        if let Some(d) = earliest {
            q.push(" AND m.birth_date >= ").bind(d);
        }
        if let Some(d) = latest {
            q.push(" AND m.birth_date <= ").bind(d);
        }
        if let Some(y) = self.join_year {
            let from =
                NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(|| StoreError::invalid("join_year", "入党年份无效"))?;
            let to =
                NaiveDate::from_ymd_opt(y + 1, 1, 1).ok_or_else(|| StoreError::invalid("join_year", "入党年份无效"))?;
            q.push(" AND m.join_date >= ").bind(from).push(" AND m.join_date < ").bind(to);
        }
        Ok(())
    }

    fn order_by(&self) -> String {
        let dir = if self.order == "desc" { "DESC" } else { "ASC" };
        match self.sort.as_str() {
            "name" => format!(" ORDER BY m.name {dir}, m.id"),
            "birth_date" => format!(" ORDER BY m.birth_date {dir}, m.id"),
            "join_date" => format!(" ORDER BY m.join_date {dir}, m.id"),
            // By unit, then branch, then record: the roster's natural order, served by members_by_org.
            _ => format!(" ORDER BY m.committee_id {dir}, m.org_id {dir}, m.id"),
        }
    }
}

async fn resolve_under(store: &Store, scope: &MemberScope, f: &MemberFilter) -> Result<Option<OrgRow>> {
    match (scope, f.org_id) {
        (MemberScope::Subtree { org: os, .. }, Some(id)) => Ok(Some(org::get(store.db.r(), os, id).await?)),
        _ => Ok(None),
    }
}

fn where_clause(scope: &MemberScope, f: &MemberFilter, under: Option<&OrgRow>) -> Result<Q> {
    let mut w = Q::new(" WHERE 1=1");
    member_scope_where(&mut w, scope);
    f.apply(&mut w, under)?;
    Ok(w)
}

/// Counts members matching the filter inside the scope.
#[tracing::instrument(skip_all)]
pub async fn count(store: &Store, scope: &MemberScope, f: &MemberFilter) -> Result<i64> {
    let under = resolve_under(store, scope, f).await?;
    let w = where_clause(scope, f, under.as_ref())?;
    counted(store, scope, f, under.as_ref(), &w).await
}

/// The filter's total: from the rollup when it selects by place and status
/// only, otherwise counted over the members.
async fn counted(store: &Store, scope: &MemberScope, f: &MemberFilter, under: Option<&OrgRow>, w: &Q) -> Result<i64> {
    if let Some(n) = counts::total(store, scope, f, under).await? {
        return Ok(n);
    }
    let mut q = Q::new(format!("SELECT COUNT(*) AS v{}{}", count_from(scope, under), w.sql));
    q.args = w.args.clone();
    store.db.r().fetch_scalar_i64(q).await
}

/// Counting over the whole tree needs no join with the orgs.
fn count_from(scope: &MemberScope, under: Option<&OrgRow>) -> &'static str {
    match scope {
        MemberScope::Subtree { org, .. } if org.is_whole_tree() && under.is_none() => " FROM members m",
        _ => FROM,
    }
}

/// One page of members matching the filter inside the scope, with the total.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &MemberScope,
    f: &MemberFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<MemberRow>> {
    let page = page.max(1);
    let per_page = per_page.clamp(1, 500);
    let under = resolve_under(store, scope, f).await?;
    let w = where_clause(scope, f, under.as_ref())?;
    let total = counted(store, scope, f, under.as_ref(), &w).await?;
    let mut q = Q::new(format!("SELECT {ROW_COLS}{ROW_FROM}{}{}", w.sql, f.order_by()));
    q.args = w.args;
    q.push(" LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
    let items = store.db.r().fetch_all(q).await?;
    Ok(Page { items, total, page, per_page })
}

/// Every member matching the filter (exports), at most `cap` rows.
#[tracing::instrument(skip_all)]
pub async fn list_all(store: &Store, scope: &MemberScope, f: &MemberFilter, cap: i64) -> Result<Vec<MemberRow>> {
    if !scope.can_export() {
        return Err(StoreError::Forbidden);
    }
    let under = resolve_under(store, scope, f).await?;
    let w = where_clause(scope, f, under.as_ref())?;
    let mut q = Q::new(format!("SELECT {ROW_COLS}{ROW_FROM}{}{}", w.sql, f.order_by()));
    q.args = w.args;
    q.push(" LIMIT ").bind(cap);
    store.db.r().fetch_all(q).await
}

/// One member inside the scope, or NotFound.
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &MemberScope, id: i64) -> Result<MemberDetail> {
    let mut q = Q::new(format!("SELECT {DETAIL_COLS}{FROM} WHERE m.id = "));
    q.bind(id);
    member_scope_where(&mut q, scope);
    store.db.r().fetch_one(q).await
}

#[derive(sqlx::FromRow)]
struct Secret {
    id_card_enc: String,
    phone_enc: String,
}

/// Which protected field to reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protected {
    IdCard,
    Phone,
}

impl Protected {
    pub fn parse(s: &str) -> Option<Protected> {
        match s {
            "id_card" => Some(Protected::IdCard),
            "phone" => Some(Protected::Phone),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Protected::IdCard => "id_card",
            Protected::Phone => "phone",
        }
    }
}

/// Decrypts a protected field for a role the reveal policy allows; audited.
#[tracing::instrument(skip_all)]
pub async fn reveal(store: &Store, scope: &MemberScope, who: &Who, id: i64, field: Protected) -> Result<String> {
    let allowed = match field {
        Protected::IdCard => scope.can_reveal_id_card(),
        Protected::Phone => scope.can_reveal_phone(),
    };
    let m = get(store, scope, id).await?;
    if !allowed {
        store.audit(who, Event::ok("reveal", "member", id).outcome(Outcome::Denied).detail(field.as_str())).await?;
        return Err(StoreError::Forbidden);
    }
    let s: Secret = store
        .db
        .r()
        .fetch_one(q!(
            "SELECT id_card_enc, phone_enc FROM members WHERE committee_id = $1 AND id = $2",
            m.committee_id,
            m.id
        ))
        .await?;
    let enc = match field {
        Protected::IdCard => s.id_card_enc,
        Protected::Phone => s.phone_enc,
    };
    let plain = if enc.is_empty() { String::new() } else { store.keys.cipher.decrypt(&enc)? };
    store.audit(who, Event::ok("reveal", "member", id).detail(field.as_str())).await?;
    Ok(plain)
}

/// A page of the members on an org's roll whose name contains `name` (all when
/// empty): the org page's list and its post picker.
#[tracing::instrument(skip_all)]
pub async fn of_org(
    store: &Store,
    scope: &OrgScope,
    org: &OrgRow,
    name: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<MemberRow>> {
    let mut q = Q::new(format!("SELECT {ROW_COLS}{ROW_FROM} WHERE m.committee_id = "));
    q.bind(org.committee_id).push(" AND (m.org_id = ").bind(org.id).push(" OR m.group_id = ").bind(org.id).push(")");
    q.push(&format!(" AND m.status IN {on_roll}", on_roll = sql_in(&MemberStatus::ON_ROLL)));
    let name = name.trim();
    if !name.is_empty() {
        q.push(" AND m.name LIKE ").bind(format!("%{}%", crate::db::like_escape(name))).push(" ESCAPE '\\'");
    }
    scope_where(&mut q, scope, "o");
    crate::fetch_page(
        store,
        q,
        "CASE m.status WHEN 'full' THEN 0 WHEN 'probationary' THEN 1 ELSE 2 END, m.id",
        page,
        per_page,
    )
    .await
}

/// A member as the security administrator's role picker lists them: name,
/// branch and unit only — no personal data.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MemberPick {
    pub committee_id: i64,
    pub id: i64,
    pub name: String,
    pub org_name: String,
    pub unit_name: String,
    pub status: MemberStatus,
}

/// One page of members on a roll, across the whole tree, whose name contains
/// `text` (or whose record number is `text`), with the total: for binding the
/// member role to its record. Made by the security administrator, who holds
/// no scope over member data, so it answers names only.
#[tracing::instrument(skip_all)]
pub async fn pick_for_binding(
    store: &Store,
    _admin: &xianfeng_core::auth::SecurityAdmin,
    text: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<MemberPick>> {
    let mut q = Q::new(format!(
        "SELECT m.committee_id, m.id, m.name, o.name AS org_name, COALESCE(u.name, o.name) AS unit_name, m.status \
         FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
         LEFT JOIN orgs u ON u.committee_id = m.committee_id AND u.id = m.committee_id WHERE m.status IN {}",
        sql_in(&MemberStatus::MEMBERS)
    ));
    let text = xianfeng_core::text::to_halfwidth(text.trim());
    if !text.is_empty() {
        let like = format!("%{}%", crate::db::like_escape(&text));
        q.push(" AND (m.name LIKE ").bind(like).push(" ESCAPE '\\'");
        if let Ok(id) = text.parse::<i64>() {
            q.push(" OR m.id = ").bind(id);
        }
        q.push(")");
    }
    crate::fetch_page(store, q, "m.committee_id, m.id", page, per_page).await
}
