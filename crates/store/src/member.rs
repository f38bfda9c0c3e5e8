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
    pub status: String,
}

impl MemberRow {
    pub fn status_label(&self) -> &'static str {
        MemberStatus::parse(&self.status).map(|s| s.label()).unwrap_or("")
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
    pub status: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MemberDetail {
    pub fn status_label(&self) -> &'static str {
        MemberStatus::parse(&self.status).map(|s| s.label()).unwrap_or("")
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
            status: self.status.clone(),
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
}

impl MemberFilter {
    fn apply(&self, q: &mut Q, under: Option<&OrgRow>) -> Result<()> {
        if let Some(o) = under {
            // The root's subtree spans every committee: only the path narrows it.
            if o.kind() != OrgKind::WorkingCommittee {
                q.push(" AND m.committee_id = ").bind(o.committee_id);
            }
            q.push(" AND o.path LIKE ").bind(format!("{}%", o.path));
        }
        let name = self.name.trim();
        if !name.is_empty() {
            q.push(" AND m.name LIKE ").bind(format!("%{}%", crate::db::like_escape(name))).push(" ESCAPE '\\'");
        }
        match self.status.as_str() {
            "" => {
                q.push(" AND m.status IN ('applicant','activist','candidate','probationary','full')");
            }
            "members" => {
                q.push(" AND m.status IN ('probationary','full')");
            }
            "inactive" => {
                q.push(" AND m.status IN ('transferred_out','deceased','left')");
            }
            "all" => {}
            s => {
                let st = MemberStatus::parse(s).ok_or_else(|| StoreError::invalid("status", "党籍状态无效"))?;
                q.push(" AND m.status = ").bind(st.as_str());
            }
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
pub async fn count(store: &Store, scope: &MemberScope, f: &MemberFilter) -> Result<i64> {
    let under = resolve_under(store, scope, f).await?;
    let w = where_clause(scope, f, under.as_ref())?;
    let mut q = Q::new(format!("SELECT COUNT(*) AS v{}{}", count_from(scope, under.as_ref()), w.sql));
    q.args = w.args;
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
    let mut cq = Q::new(format!("SELECT COUNT(*) AS v{}{}", count_from(scope, under.as_ref()), w.sql));
    cq.args = w.args.clone();
    let total = store.db.r().fetch_scalar_i64(cq).await?;
    let mut q = Q::new(format!("SELECT {ROW_COLS}{ROW_FROM}{}{}", w.sql, f.order_by()));
    q.args = w.args;
    q.push(" LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
    let items = store.db.r().fetch_all(q).await?;
    Ok(Page { items, total, page, per_page })
}

/// Every member matching the filter (exports), at most `cap` rows.
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
pub async fn reveal(store: &Store, scope: &MemberScope, who: &Who, id: i64, field: Protected) -> Result<String> {
    let allowed = match field {
        Protected::IdCard => scope.can_reveal_id_card(),
        Protected::Phone => scope.can_reveal_phone(),
    };
    let m = get(store, scope, id).await?;
    if !allowed {
        store.audit(who, Event::ok("reveal", "member", id).outcome("denied").detail(field.as_str())).await?;
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

/// Resolves and checks the branch and group of a validated member inside the scope.
async fn check_placement(store: &Store, scope: &OrgScope, v: &ValidMember) -> Result<OrgRow> {
    let branch = match org::get(store.db.r(), scope, v.org_id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return Err(StoreError::invalid("org_id", "所在党支部不存在或不在您的管理范围内")),
        Err(e) => return Err(e),
    };
    if branch.kind() != OrgKind::Branch {
        return Err(StoreError::invalid("org_id", "党员须编入党支部"));
    }
    if !branch.active {
        return Err(StoreError::invalid("org_id", "所选党支部已撤销"));
    }
    if let Some(g) = v.group_id {
        let ok = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                "SELECT COUNT(*) AS v FROM orgs WHERE committee_id = $1 AND id = $2 AND parent_id = $3 AND kind = 'group' AND active = TRUE",
                branch.committee_id, g, branch.id
            ))
            .await?;
        if ok == 0 {
            return Err(StoreError::invalid("group_id", "所选党小组不属于该党支部"));
        }
    }
    Ok(branch)
}

async fn check_duplicate(store: &Store, index: &str, except: Option<i64>) -> Result<()> {
    let n = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM members WHERE id_card_index = $1 AND id <> $2 AND status NOT IN ('deceased')",
            index,
            except.unwrap_or(0)
        ))
        .await?;
    if n > 0 {
        return Err(StoreError::invalid(
            "id_card",
            "该公民身份号码已有党员档案，不能重复登记（如需接收，请办理组织关系转接）",
        ));
    }
    Ok(())
}

fn org_scope(scope: &MemberScope) -> Result<&OrgScope> {
    match scope {
        MemberScope::Subtree { org, .. } if org.can_write() => Ok(org),
        _ => Err(StoreError::Forbidden),
    }
}

/// Seals many records on all cores (SM4 and SM3 dominate a large import).
fn seal_all(cipher: &xianfeng_core::crypto::FieldCipher, rows: Vec<&ValidMember>) -> Vec<Sealed> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if rows.len() < 2000 || threads < 2 {
        return rows.into_iter().map(|v| seal_with(cipher, v)).collect();
    }
    let chunk = rows.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|v| seal_with(cipher, v)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("sealing thread")).collect()
    })
}

pub(crate) struct Sealed {
    id_card_enc: String,
    id_card_masked: String,
    id_card_index: String,
    phone_enc: String,
    phone_masked: String,
}

pub(crate) fn seal(store: &Store, v: &ValidMember) -> Sealed {
    seal_with(&store.keys.cipher, v)
}

fn seal_with(c: &xianfeng_core::crypto::FieldCipher, v: &ValidMember) -> Sealed {
    Sealed {
        id_card_enc: c.encrypt(&v.id_card),
        id_card_masked: mask_id_card(&v.id_card),
        id_card_index: c.blind_index(&v.id_card),
        phone_enc: if v.phone.is_empty() { String::new() } else { c.encrypt(&v.phone) },
        phone_masked: if v.phone.is_empty() { String::new() } else { mask_phone(&v.phone) },
    }
}

pub(crate) const INSERT_COLS: &str = "committee_id, id, org_id, group_id, name, gender, ethnicity, birth_date, id_card_enc, id_card_masked, id_card_index, \
    phone_enc, phone_masked, education, category, position, cadre_rank, native_place, address, community, join_date, full_date, status, version, created_at, updated_at";

pub(crate) fn insert_values(committee_id: i64, id: i64, v: &ValidMember, s: Sealed, now: i64) -> Vec<Arg> {
    insert_values_owned(committee_id, id, v.clone(), s, now)
}

/// The insert row for a member, taking the record by value (bulk paths: no copies).
fn insert_values_owned(committee_id: i64, id: i64, v: ValidMember, s: Sealed, now: i64) -> Vec<Arg> {
    vec![
        committee_id.into(),
        id.into(),
        v.org_id.into(),
        v.group_id.into(),
        v.name.into(),
        v.gender.into(),
        v.ethnicity.into(),
        v.birth_date.into(),
        s.id_card_enc.into(),
        s.id_card_masked.into(),
        s.id_card_index.into(),
        s.phone_enc.into(),
        s.phone_masked.into(),
        v.education.into(),
        v.category.into(),
        v.position.into(),
        v.cadre_rank.into(),
        v.native_place.into(),
        v.address.into(),
        v.community.into(),
        v.join_date.into(),
        v.full_date.into(),
        v.status.as_str().into(),
        1i64.into(),
        now.into(),
        now.into(),
    ]
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn add_history(
    tx: &mut Tx,
    committee_id: i64,
    member_id: i64,
    who: &Who,
    change: &str,
    field: &str,
    from: &str,
    to: &str,
    effective: Option<NaiveDate>,
    reason: &str,
) -> Result<()> {
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO member_history (committee_id, id, member_id, ts_ms, user_id, username, change, field, from_value, to_value, effective_date, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            committee_id, id, member_id, now_ms(), who.user_id, who.username.clone(), change, field, from, to, effective, reason
        ))
        .await?;
    Ok(())
}

/// A validated, sealed record ready to be written into its branch.
pub(crate) struct NewRecord {
    pub branch: OrgRow,
    pub v: ValidMember,
    sealed: Sealed,
}

/// Validates a new record for a branch inside the scope, and checks its ID number is not registered.
pub(crate) async fn prepare_create(store: &Store, scope: &MemberScope, input: &MemberInput) -> Result<NewRecord> {
    let os = org_scope(scope)?;
    let v = core_member::validate(input, today_cn())?;
    let branch = check_placement(store, os, &v).await?;
    let sealed = seal(store, &v);
    check_duplicate(store, &sealed.id_card_index, None).await?;
    Ok(NewRecord { branch, v, sealed })
}

/// Writes a prepared record with its first history row; returns its id.
pub(crate) async fn insert_record(tx: &mut Tx, who: &Who, rec: NewRecord, change: &str, reason: &str) -> Result<i64> {
    let id = tx.alloc_id().await?;
    let mut q = Q::new(format!("INSERT INTO members ({INSERT_COLS}) VALUES "));
    let (committee_id, status, join) = (rec.branch.committee_id, rec.v.status, rec.v.join_date);
    q.push_row(insert_values(committee_id, id, &rec.v, rec.sealed, now_ms()));
    tx.c().execute(q).await?;
    add_history(tx, committee_id, id, who, change, "status", "", status.as_str(), join, reason).await?;
    Ok(id)
}

/// Creates a member in a branch inside the scope.
pub async fn create(store: &Store, scope: &MemberScope, who: &Who, input: &MemberInput) -> Result<MemberDetail> {
    let rec = prepare_create(store, scope, input).await?;
    let detail = format!("{}（{}）", rec.v.name, rec.branch.name);
    let mut tx = store.db.begin().await?;
    let id = insert_record(&mut tx, who, rec, "create", "新建档案").await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("create", "member", id).detail(detail)).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Updates a member. Protected fields left empty keep their stored value.
/// `version` guards against overwriting someone else's change.
pub async fn update(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    id: i64,
    input: &MemberInput,
    version: i64,
) -> Result<MemberDetail> {
    let os = org_scope(scope)?;
    let current = get(store, scope, id).await?;
    if current.version != version {
        return Err(StoreError::Stale);
    }
    let secret: Secret = store
        .db
        .r()
        .fetch_one(q!(
            "SELECT id_card_enc, phone_enc FROM members WHERE committee_id = $1 AND id = $2",
            current.committee_id,
            id
        ))
        .await?;
    let mut full = input.clone();
    let id_card_kept = full.id_card.trim().is_empty();
    if id_card_kept {
        full.id_card = store.keys.cipher.decrypt(&secret.id_card_enc)?;
    }
    let phone_kept = full.phone.trim().is_empty() && !secret.phone_enc.is_empty();
    if phone_kept {
        full.phone = store.keys.cipher.decrypt(&secret.phone_enc)?;
    }
    // Status changes go through change_status (they need a date and a reason).
    if full.status.trim().is_empty() {
        full.status = current.status.clone();
    }
    let v = core_member::validate(&full, today_cn())?;
    if v.status.as_str() != current.status {
        return Err(StoreError::invalid("status", "党籍状态变更请使用“变更党籍状态”，并填写日期和原因"));
    }
    if v.org_id != current.org_id {
        // Moving between branches of the caller's scope; a transfer elsewhere is a transfer.
        let b = check_placement(store, os, &v).await?;
        if b.committee_id != current.committee_id {
            return Err(StoreError::invalid("org_id", "跨单位调整请办理组织关系转接"));
        }
    } else {
        check_placement(store, os, &v).await?;
    }
    let sealed = seal(store, &v);
    if !id_card_kept {
        check_duplicate(store, &sealed.id_card_index, Some(id)).await?;
    }
    let mut changes: Vec<(&str, String, String)> = Vec::new();
    let fmt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for (field, old, new) in [
        ("name", current.name.clone(), v.name.clone()),
        ("gender", current.gender.clone(), v.gender.clone()),
        ("ethnicity", current.ethnicity.clone(), v.ethnicity.clone()),
        ("birth_date", current.birth_date.to_string(), v.birth_date.to_string()),
        ("education", current.education.clone(), v.education.clone()),
        ("category", current.category.clone(), v.category.clone()),
        ("position", current.position.clone(), v.position.clone()),
        ("cadre_rank", current.cadre_rank.clone(), v.cadre_rank.clone()),
        ("native_place", current.native_place.clone(), v.native_place.clone()),
        ("address", current.address.clone(), v.address.clone()),
        ("community", current.community.clone(), v.community.clone()),
        ("join_date", fmt(current.join_date), fmt(v.join_date)),
        ("full_date", fmt(current.full_date), fmt(v.full_date)),
        ("org_id", current.org_id.to_string(), v.org_id.to_string()),
        (
            "group_id",
            current.group_id.map(|g| g.to_string()).unwrap_or_default(),
            v.group_id.map(|g| g.to_string()).unwrap_or_default(),
        ),
        ("id_card", current.id_card_masked.clone(), sealed.id_card_masked.clone()),
        ("phone", current.phone_masked.clone(), sealed.phone_masked.clone()),
    ] {
        if old != new {
            changes.push((field, old, new));
        }
    }
    if !id_card_kept && !changes.iter().any(|c| c.0 == "id_card") {
        changes.push(("id_card", current.id_card_masked.clone(), sealed.id_card_masked.clone()));
    }
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "UPDATE members SET org_id = $1, group_id = $2, name = $3, gender = $4, ethnicity = $5, birth_date = $6, id_card_enc = $7, id_card_masked = $8, id_card_index = $9, \
             phone_enc = $10, phone_masked = $11, education = $12, category = $13, position = $14, cadre_rank = $15, native_place = $16, address = $17, community = $18, \
             join_date = $19, full_date = $20, version = version + 1, updated_at = $21 WHERE committee_id = $22 AND id = $23 AND version = $24",
            v.org_id, v.group_id, v.name.clone(), v.gender.clone(), v.ethnicity.clone(), v.birth_date,
            if id_card_kept { secret.id_card_enc.clone() } else { sealed.id_card_enc.clone() },
            sealed.id_card_masked.clone(), sealed.id_card_index.clone(),
            if phone_kept { secret.phone_enc.clone() } else { sealed.phone_enc.clone() },
            sealed.phone_masked.clone(), v.education.clone(), v.category.clone(), v.position.clone(), v.cadre_rank.clone(),
            v.native_place.clone(), v.address.clone(), v.community.clone(), v.join_date, v.full_date, now_ms(),
            current.committee_id, id, version
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    for (field, old, new) in &changes {
        add_history(&mut tx, current.committee_id, id, who, "update", field, old, new, None, "").await?;
    }
    let fields: Vec<&str> = changes.iter().map(|c| c.0).collect();
    append(&mut tx, &store.keys.audit_key, who, Event::ok("update", "member", id).detail(fields.join(","))).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Changes a member's status (e.g. probationary → full), kept as history.
///
/// `version` is the member version the page or client showed (required at
/// the web boundary); `None` is for the console and demo, which act on the
/// version they just read. A stale version is refused inside the transaction.
#[allow(clippy::too_many_arguments)]
pub async fn change_status(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    id: i64,
    to: MemberStatus,
    on: NaiveDate,
    reason: &str,
    version: Option<i64>,
) -> Result<MemberDetail> {
    org_scope(scope)?;
    let current = get(store, scope, id).await?;
    let from = MemberStatus::parse(&current.status).ok_or_else(|| StoreError::Rule("当前党籍状态无效".into()))?;
    core_member::check_transition(from, to)?;
    if reason.trim().is_empty() {
        return Err(StoreError::invalid("reason", "请填写变更原因"));
    }
    if on > today_cn() {
        return Err(StoreError::invalid("date", "变更日期不能晚于今天"));
    }
    let mut tx = store.db.begin().await?;
    let (join_date, full_date) = match to {
        MemberStatus::Probationary if current.join_date.is_none() => (Some(on), current.full_date),
        MemberStatus::Full if current.full_date.is_none() => (current.join_date.or(Some(on)), Some(on)),
        _ => (current.join_date, current.full_date),
    };
    let n = tx
        .c()
        .execute(q!(
            "UPDATE members SET status = $1, join_date = $2, full_date = $3, version = version + 1, updated_at = $4 \
             WHERE committee_id = $5 AND id = $6 AND version = $7",
            to.as_str(),
            join_date,
            full_date,
            now_ms(),
            current.committee_id,
            id,
            version.unwrap_or(current.version)
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Stale);
    }
    add_history(
        &mut tx,
        current.committee_id,
        id,
        who,
        "status",
        "status",
        from.as_str(),
        to.as_str(),
        Some(on),
        reason.trim(),
    )
    .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("status_change", "member", id).detail(format!(
            "{} → {}：{}",
            from.as_str(),
            to.as_str(),
            reason.trim()
        )),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub ts_ms: i64,
    pub username: String,
    pub change: String,
    pub field: String,
    pub from_value: String,
    pub to_value: String,
    pub effective_date: Option<NaiveDate>,
    pub reason: String,
}

impl HistoryRow {
    /// A Chinese sentence for the history list.
    pub fn describe(&self) -> String {
        let label = |v: &str| MemberStatus::parse(v).map(|s| s.label().to_string()).unwrap_or_else(|| v.to_string());
        match self.change.as_str() {
            "create" => format!("建立档案（{}）", label(&self.to_value)),
            "import" => format!("批量导入建档（{}）", label(&self.to_value)),
            "status" => format!("党籍状态：{} → {}", label(&self.from_value), label(&self.to_value)),
            "transfer" => format!("组织关系转接：{} → {}", self.from_value, self.to_value),
            "transfer_in" => format!("转入建档（{}）", label(&self.to_value)),
            _ => format!("{}：{} → {}", core_member::field_label(&self.field), self.from_value, self.to_value),
        }
    }
}

pub async fn history(store: &Store, scope: &MemberScope, id: i64) -> Result<Vec<HistoryRow>> {
    let m = get(store, scope, id).await?;
    let mut rows: Vec<HistoryRow> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT ts_ms, username, change, field, from_value, to_value, effective_date, reason FROM member_history WHERE committee_id = $1 AND member_id = $2 ORDER BY ts_ms DESC, id DESC",
            m.committee_id, id
        ))
        .await?;
    // A record created by a spreadsheet import starts with that import.
    let created: Option<HistoryRow> = store
        .db
        .r()
        .fetch_optional(q!(
            "SELECT b.ts_ms, b.username, 'import' AS change, 'status' AS field, '' AS from_value, m.status AS to_value, \
             m.join_date AS effective_date, b.file_name AS reason \
             FROM members m JOIN import_batches b ON b.id = m.import_batch_id WHERE m.committee_id = $1 AND m.id = $2",
            m.committee_id, id
        ))
        .await?;
    if let Some(mut c) = created {
        // The status at import is the oldest status in the history, if it changed since.
        if let Some(first) = rows.iter().rev().find(|r| r.change == "status") {
            c.to_value = first.from_value.clone();
        }
        rows.push(c);
    }
    Ok(rows)
}

/// A problem with one spreadsheet row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowError {
    /// 1-based row number as the user sees it in Excel.
    pub row: usize,
    /// The column header.
    pub column: String,
    pub reason: String,
}

/// The outcome of an import.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub errors: Vec<RowError>,
}

/// Branches in scope by id and by name, for resolving spreadsheet cells.
pub async fn branch_lookup(store: &Store, scope: &OrgScope) -> Result<Vec<OrgRow>> {
    let mut q =
        Q::new(format!("SELECT {} FROM orgs o WHERE o.kind IN ('branch','group') AND o.active = TRUE", org::COLS));
    scope_where(&mut q, scope, "o");
    store.db.r().fetch_all(q).await
}

/// Validates every row and writes all of them in one transaction, or none.
/// `rows` carry their spreadsheet row numbers. The branch column may hold an
/// org id or a branch name unique in the scope.
pub async fn import(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    rows: Vec<(usize, MemberInput)>,
    file_name: &str,
) -> Result<ImportReport> {
    import_with(store, scope, who, rows, file_name, Vec::new()).await
}

/// Like [`import`], with problems already found while reading the file
/// (`prior`, e.g. numeric ID cells): they count as errors, so nothing is
/// written, and every row is still checked so the user sees all problems at once.
pub async fn import_with(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    rows: Vec<(usize, MemberInput)>,
    file_name: &str,
    prior: Vec<RowError>,
) -> Result<ImportReport> {
    let mut imp = Importer::begin(store, scope, who, file_name).await?;
    imp.add_errors(prior);
    imp.push(rows).await?;
    imp.finish().await
}

/// An import in progress: rows arrive in chunks (while the file is still being
/// read), are checked, and are written inside one transaction as long as no
/// row so far had a problem. `finish` commits only if the whole file was
/// clean; otherwise nothing is written and every problem is reported.
pub struct Importer<'a> {
    store: &'a Store,
    who: Who,
    file_name: String,
    prep: Preparer,
    report: ImportReport,
    counted_error_rows: std::collections::HashSet<usize>,
    seen: std::collections::HashMap<String, usize>,
    tx: Option<Tx>,
    batch: i64,
    now: i64,
}

impl<'a> Importer<'a> {
    pub async fn begin(store: &'a Store, scope: &MemberScope, who: &Who, file_name: &str) -> Result<Importer<'a>> {
        let os = org_scope(scope)?;
        let orgs = import_orgs(store, os).await?;
        let now = now_ms();
        let mut tx = store.db.begin().await?;
        let batch = tx.alloc_id().await?;
        tx.c()
            .execute(q!(
                "INSERT INTO import_batches (id, kind, file_name, user_id, username, ts_ms, row_count) VALUES ($1, 'members', $2, $3, $4, $5, 0)",
                batch,
                file_name,
                who.user_id,
                who.username.clone(),
                now
            ))
            .await?;
        Ok(Importer {
            store,
            who: who.clone(),
            file_name: file_name.to_string(),
            prep: Preparer {
                orgs: std::sync::Arc::new(OrgIndex::new(orgs)),
                keys: store.keys.clone(),
                today: today_cn(),
            },
            report: ImportReport::default(),
            counted_error_rows: Default::default(),
            seen: Default::default(),
            tx: Some(tx),
            batch,
            now,
        })
    }

    /// Problems found while reading the file (they count as rows with errors).
    pub fn add_errors(&mut self, errors: Vec<RowError>) {
        for e in &errors {
            if self.counted_error_rows.insert(e.row) {
                self.report.rows += 1;
            }
        }
        self.report.errors.extend(errors);
    }

    /// Checks a chunk of rows and, while the file is clean so far, writes them.
    pub async fn push(&mut self, rows: Vec<(usize, MemberInput)>) -> Result<()> {
        let prepared = self.prep.prepare(rows, true);
        self.write(prepared).await
    }

    /// The CPU-only half of `push` (validation and sealing), to run on another
    /// thread while the previous chunk is being written.
    pub fn preparer(&self) -> Preparer {
        self.prep.clone()
    }

    /// The database half of `push`: duplicate checks and the write.
    pub async fn write(&mut self, prepared: Prepared) -> Result<()> {
        let existing = existing_ids(self.store, &prepared).await?;
        self.write_checked(prepared, existing).await
    }

    /// Like `write`, with the chunk's already-registered ID numbers looked up
    /// beforehand (see [`existing_ids`]), e.g. while the previous chunk was written.
    pub async fn write_checked(&mut self, prepared: Prepared, existing: Vec<String>) -> Result<()> {
        let Prepared { rows, valid, sealed, errors } = prepared;
        self.report.rows += rows;
        self.report.errors.extend(errors);
        let col = |f: &str| core_member::field_label(f).to_string();
        // Duplicates inside the file and against the database.
        for ((row_no, _, _), s) in valid.iter().zip(&sealed) {
            if let Some(first) = self.seen.insert(s.id_card_index.clone(), *row_no) {
                self.report.errors.push(RowError {
                    row: *row_no,
                    column: col("id_card"),
                    reason: format!("与第{first}行的公民身份号码重复"),
                });
            }
        }
        let positions: std::collections::HashMap<&str, usize> =
            valid.iter().zip(&sealed).map(|((row_no, _, _), s)| (s.id_card_index.as_str(), *row_no)).collect();
        for v in existing {
            if let Some(row_no) = positions.get(v.as_str()) {
                self.report.errors.push(RowError {
                    row: *row_no,
                    column: col("id_card"),
                    reason: "该公民身份号码已有党员档案".into(),
                });
            }
        }
        if !self.report.errors.is_empty() {
            // Nothing of this file will be kept: stop writing, keep checking.
            self.tx = None;
            return Ok(());
        }
        let Some(tx) = self.tx.as_mut() else { return Ok(()) };
        if valid.is_empty() {
            return Ok(());
        }
        let ids = tx.alloc_ids(valid.len() as i64).await?;
        let (now, batch) = (self.now, self.batch);
        let mut rows: Vec<Vec<Arg>> = valid
            .into_iter()
            .zip(sealed)
            .zip(ids)
            .map(|(((_, v, cid), s), id)| {
                let mut row = insert_values_owned(cid, id, v, s, now);
                row.push(batch.into());
                row
            })
            .collect();
        let written = rows.len();
        for chunk in rows.chunks_mut(1000) {
            let mut q = Q::new(format!("INSERT INTO members ({INSERT_COLS}, import_batch_id) VALUES "));
            for (i, row) in chunk.iter_mut().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push_row(std::mem::take(row));
            }
            tx.c().execute(q).await?;
        }
        self.report.imported += written;
        Ok(())
    }

    /// Commits a clean file (all rows), or writes nothing and reports every problem.
    pub async fn finish(mut self) -> Result<ImportReport> {
        let mut report = std::mem::take(&mut self.report);
        let who = self.who.clone();
        if !report.errors.is_empty() || self.tx.is_none() {
            drop(self.tx.take());
            report.imported = 0;
            report.errors.sort_by_key(|e| e.row);
            self.store
                .audit(
                    &who,
                    Event::ok("import", "member", &self.file_name).outcome("failure").detail(format!(
                        "{}行，{}处错误，未写入",
                        report.rows,
                        report.errors.len()
                    )),
                )
                .await?;
            return Ok(report);
        }
        let mut tx = self.tx.take().expect("a clean import keeps its transaction");
        tx.c()
            .execute(q!("UPDATE import_batches SET row_count = $1 WHERE id = $2", report.imported as i64, self.batch))
            .await?;
        append(
            &mut tx,
            &self.store.keys.audit_key,
            &who,
            Event::ok("import", "member", &self.file_name).detail(format!("导入{}名", report.imported)),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}

/// The blind indexes of a prepared chunk that already belong to a member
/// (read on a reader connection; committed rows only).
pub async fn existing_ids(store: &Store, prepared: &Prepared) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let indexes: Vec<&String> = prepared.sealed.iter().map(|s| &s.id_card_index).collect();
    for chunk in indexes.chunks(4000) {
        let mut q = Q::new("SELECT id_card_index AS v FROM members WHERE status <> 'deceased' AND id_card_index IN (");
        for (i, ix) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(",");
            }
            q.bind((*ix).clone());
        }
        q.push(")");
        #[derive(sqlx::FromRow)]
        struct V {
            v: String,
        }
        out.extend(store.db.r().fetch_all::<V>(q).await?.into_iter().map(|r| r.v));
    }
    Ok(out)
}

/// Validation and sealing of import rows: pure computation, safe to run on
/// any thread.
#[derive(Clone)]
pub struct Preparer {
    orgs: std::sync::Arc<OrgIndex>,
    keys: std::sync::Arc<crate::Keys>,
    today: NaiveDate,
}

/// A chunk of rows after validation and sealing.
pub struct Prepared {
    rows: usize,
    valid: Vec<(usize, ValidMember, i64)>,
    sealed: Vec<Sealed>,
    errors: Vec<RowError>,
}

impl Preparer {
    /// `parallel`: seal on all cores (when nothing else runs beside it).
    pub fn prepare(&self, rows: Vec<(usize, MemberInput)>, parallel: bool) -> Prepared {
        let n = rows.len();
        let (valid, errors) = validate_rows(&self.orgs, rows, self.today);
        let members: Vec<&ValidMember> = valid.iter().map(|(_, v, _)| v).collect();
        let sealed = if parallel {
            seal_all(&self.keys.cipher, members)
        } else {
            members.into_iter().map(|v| seal_with(&self.keys.cipher, v)).collect()
        };
        Prepared { rows: n, valid, sealed, errors }
    }
}

/// What an import needs to know of a branch or group.
#[derive(Debug, Clone, sqlx::FromRow)]
struct ImportOrg {
    committee_id: i64,
    id: i64,
    parent_id: Option<i64>,
    kind: String,
    name: String,
}

/// The active branches and groups in scope, with only the columns an import
/// reads (a province has about 9,000; the full rows took 0.1 s to load).
async fn import_orgs(store: &Store, scope: &OrgScope) -> Result<Vec<ImportOrg>> {
    let mut q = Q::new(
        "SELECT o.committee_id, o.id, o.parent_id, o.kind, o.name FROM orgs o \
         WHERE o.kind IN ('branch','group') AND o.active = TRUE",
    );
    scope_where(&mut q, scope, "o");
    store.db.r().fetch_all(q).await
}

/// The branches and groups an import may place members in, indexed so each
/// row's cells resolve in constant time (a province has thousands of orgs).
struct OrgIndex {
    orgs: Vec<ImportOrg>,
    by_id: std::collections::HashMap<i64, usize>,
    branches_by_name: std::collections::HashMap<String, Vec<usize>>,
    /// (branch id, group name) → group.
    groups_by_name: std::collections::HashMap<(i64, String), usize>,
}

impl OrgIndex {
    fn new(orgs: Vec<ImportOrg>) -> OrgIndex {
        let mut ix = OrgIndex {
            by_id: Default::default(),
            branches_by_name: Default::default(),
            groups_by_name: Default::default(),
            orgs: Vec::new(),
        };
        for (i, o) in orgs.iter().enumerate() {
            ix.by_id.insert(o.id, i);
            match (o.kind.as_str(), o.parent_id) {
                ("branch", _) => ix.branches_by_name.entry(o.name.clone()).or_default().push(i),
                ("group", Some(parent)) => {
                    ix.groups_by_name.entry((parent, o.name.clone())).or_insert(i);
                }
                _ => {}
            }
        }
        ix.orgs = orgs;
        ix
    }
    /// The branches a cell names: by id, else by name.
    fn branches(&self, cell: &str) -> Vec<&ImportOrg> {
        let by_id = cell.parse::<i64>().ok().and_then(|id| self.by_id.get(&id)).map(|i| &self.orgs[*i]);
        match by_id.filter(|o| o.kind == "branch") {
            Some(o) => vec![o],
            None => {
                self.branches_by_name.get(cell).map(|v| v.iter().map(|i| &self.orgs[*i]).collect()).unwrap_or_default()
            }
        }
    }
    /// The group of the branch a cell names, by name or id.
    fn group(&self, branch: i64, cell: &str) -> Option<&ImportOrg> {
        let by_name = self.groups_by_name.get(&(branch, cell.to_string())).map(|i| &self.orgs[*i]);
        by_name.or_else(|| {
            cell.parse::<i64>()
                .ok()
                .and_then(|id| self.by_id.get(&id))
                .map(|i| &self.orgs[*i])
                .filter(|o| o.kind == "group" && o.parent_id == Some(branch))
        })
    }
}

/// Resolves branch and group cells to ids and validates each row.
fn validate_rows(
    orgs: &OrgIndex,
    rows: Vec<(usize, MemberInput)>,
    today: NaiveDate,
) -> (Vec<(usize, ValidMember, i64)>, Vec<RowError>) {
    let col = |f: &str| core_member::field_label(f).to_string();
    let mut valid = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for (row_no, mut input) in rows {
        let mut row_errs: Vec<RowError> = Vec::new();
        let bcell = input.org_id.trim().to_string();
        let branch = if bcell.is_empty() {
            None
        } else {
            let found = orgs.branches(&bcell);
            match found.len() {
                1 => Some(found[0]),
                0 => {
                    row_errs.push(RowError {
                        row: row_no,
                        column: col("org_id"),
                        reason: format!("找不到党支部“{bcell}”（或不在您的管理范围内）"),
                    });
                    None
                }
                _ => {
                    row_errs.push(RowError {
                        row: row_no,
                        column: col("org_id"),
                        reason: format!("党支部名称“{bcell}”不唯一，请填写组织编号"),
                    });
                    None
                }
            }
        };
        if let Some(b) = branch {
            input.org_id = b.id.to_string();
            let g = input.group_id.trim().to_string();
            if !g.is_empty() {
                match orgs.group(b.id, &g) {
                    Some(o) => input.group_id = o.id.to_string(),
                    None => row_errs.push(RowError {
                        row: row_no,
                        column: col("group_id"),
                        reason: format!("党小组“{g}”不属于{}", b.name),
                    }),
                }
            }
        } else if !bcell.is_empty() {
            input.org_id = "0".into();
        }
        match core_member::validate(&input, today) {
            Ok(v) => {
                if row_errs.is_empty() {
                    let cid = branch.map(|b| b.committee_id).unwrap_or(0);
                    valid.push((row_no, v, cid));
                }
            }
            Err(xianfeng_core::Error::Invalid(errs)) => {
                for FieldError { field, message } in errs {
                    if field == "org_id" && !row_errs.is_empty() {
                        continue;
                    }
                    if field == "group_id" && row_errs.iter().any(|e| e.column == col("group_id")) {
                        continue;
                    }
                    row_errs.push(RowError { row: row_no, column: col(&field), reason: message });
                }
            }
            Err(e) => row_errs.push(RowError { row: row_no, column: String::new(), reason: e.to_string() }),
        }
        errors.extend(row_errs);
    }
    (valid, errors)
}

/// Members of a branch (for posts and pickers).
pub async fn of_org(store: &Store, scope: &OrgScope, org: &OrgRow, limit: i64) -> Result<Vec<MemberRow>> {
    let mut q = Q::new(format!("SELECT {ROW_COLS}{ROW_FROM} WHERE m.committee_id = "));
    q.bind(org.committee_id).push(" AND (m.org_id = ").bind(org.id).push(" OR m.group_id = ").bind(org.id).push(")");
    q.push(" AND m.status IN ('applicant','activist','candidate','probationary','full')");
    scope_where(&mut q, scope, "o");
    q.push(" ORDER BY CASE m.status WHEN 'full' THEN 0 WHEN 'probationary' THEN 1 ELSE 2 END, m.id LIMIT ").bind(limit);
    store.db.r().fetch_all(q).await
}

/// Re-encrypts every protected field not yet under the current key (after a
/// key rotation). Returns how many members were rewritten.
pub async fn reencrypt_all(store: &Store, who: &Who) -> Result<u64> {
    #[derive(sqlx::FromRow)]
    struct Enc {
        committee_id: i64,
        id: i64,
        id_card_enc: String,
        phone_enc: String,
    }
    let current = format!("{}:", store.keys.cipher.current_key_id());
    let mut done = 0u64;
    let mut after = 0i64;
    loop {
        let rows: Vec<Enc> = store
            .db
            .r()
            .fetch_all(q!(
                "SELECT committee_id, id, id_card_enc, phone_enc FROM members WHERE id > $1 ORDER BY id LIMIT 1000",
                after
            ))
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let stale: Vec<&Enc> = rows
            .iter()
            .filter(|r| {
                !r.id_card_enc.starts_with(&current) || (!r.phone_enc.is_empty() && !r.phone_enc.starts_with(&current))
            })
            .collect();
        if stale.is_empty() {
            continue;
        }
        let mut tx = store.db.begin().await?;
        for r in stale {
            let c = &store.keys.cipher;
            let id_card = c.encrypt(&c.decrypt(&r.id_card_enc)?);
            let phone = if r.phone_enc.is_empty() { String::new() } else { c.encrypt(&c.decrypt(&r.phone_enc)?) };
            tx.c()
                .execute(q!(
                    "UPDATE members SET id_card_enc = $1, phone_enc = $2 WHERE committee_id = $3 AND id = $4",
                    id_card,
                    phone,
                    r.committee_id,
                    r.id
                ))
                .await?;
            done += 1;
        }
        tx.commit().await?;
    }
    store
        .audit(
            who,
            Event::ok("config_change", "keys", store.keys.cipher.current_key_id())
                .detail(format!("重新加密{done}名党员的敏感字段")),
        )
        .await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: i64, parent: Option<i64>, kind: &str, name: &str) -> ImportOrg {
        ImportOrg { committee_id: 5, id, parent_id: parent, kind: kind.into(), name: name.into() }
    }

    #[test]
    fn import_cells_resolve_by_id_or_name_and_groups_stay_in_their_branch() {
        let ix = OrgIndex::new(vec![
            org(10, Some(5), "branch", "办公室党支部"),
            org(11, Some(6), "branch", "办公室党支部"),
            org(12, Some(5), "branch", "规划处党支部"),
            org(20, Some(10), "group", "第一党小组"),
            org(21, Some(12), "group", "第一党小组"),
        ]);
        let ids = |v: Vec<&ImportOrg>| v.iter().map(|o| o.id).collect::<Vec<_>>();
        assert_eq!(ids(ix.branches("12")), vec![12]);
        assert_eq!(ids(ix.branches("规划处党支部")), vec![12]);
        assert_eq!(ids(ix.branches("办公室党支部")), vec![10, 11], "an ambiguous name finds both");
        assert!(ix.branches("20").is_empty(), "a group's id is not a branch");
        assert!(ix.branches("人事处党支部").is_empty());
        assert_eq!(ix.group(10, "第一党小组").map(|o| o.id), Some(20));
        assert_eq!(ix.group(12, "21").map(|o| o.id), Some(21));
        assert_eq!(ix.group(10, "21").map(|o| o.id), None, "another branch's group");
    }
}
