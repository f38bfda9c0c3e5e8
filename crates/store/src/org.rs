//! The org tree: a materialized path per org ('/1/5/23/'), a subtree is a
//! prefix match, and the shard key (committee_id) is the unit the org sits in.

use chrono::NaiveDate;
use serde::Serialize;
use xianfeng_core::auth::OrgScope;
use xianfeng_core::org::{self as core_org, BranchCounts, OrgKind, OrgWarning, TermStatus};
use xianfeng_core::rules::OrgRules;
use xianfeng_core::text::now_ms;

use crate::audit::{Event, append};
use crate::db::{Conn, Q, Tx};
use crate::{Page, Result, Store, StoreError, Who, q};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct OrgRow {
    pub committee_id: i64,
    pub id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub depth: i64,
    pub kind: String,
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
        OrgKind::parse(&self.kind).unwrap_or(OrgKind::Branch)
    }
    pub fn kind_label(&self) -> &'static str {
        self.kind().label()
    }
    pub fn anchor(&self) -> xianfeng_core::auth::OrgAnchor {
        xianfeng_core::auth::OrgAnchor {
            id: self.id,
            committee_id: self.committee_id,
            path: self.path.clone(),
            kind: self.kind.clone(),
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
pub async fn get(c: Conn<'_>, scope: &OrgScope, id: i64) -> Result<OrgRow> {
    let mut q = Q::new(format!("SELECT {COLS} FROM orgs o WHERE o.id = "));
    q.bind(id);
    scope_where(&mut q, scope, "o");
    c.fetch_one(q).await
}

/// Looks up an org by id without a scope: for resolving a user's own role
/// binding at sign-in, never for serving data.
pub async fn anchor_of(c: Conn<'_>, id: i64) -> Result<OrgRow> {
    c.fetch_one(q!(format!("SELECT {COLS} FROM orgs o WHERE o.id = $1"), id)).await
}

/// The root (the working committee).
pub async fn root(c: Conn<'_>) -> Result<Option<OrgRow>> {
    c.fetch_optional(q!(format!(
        "SELECT {COLS} FROM orgs o WHERE o.kind = 'working_committee' AND o.depth = 0 ORDER BY o.id LIMIT 1"
    )))
    .await
}

/// Direct children of an org, active first then by sort order.
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

/// What a user submits to create or edit an org.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct OrgInput {
    pub name: String,
    pub kind: String,
    pub district: String,
    pub code: String,
    pub established_on: String,
    pub term_start: String,
}

fn parse_opt_date(field: &str, label: &str, s: &str, errs: &mut Vec<xianfeng_core::FieldError>) -> Option<NaiveDate> {
    if s.trim().is_empty() {
        return None;
    }
    let d = xianfeng_core::member::parse_date(s);
    if d.is_none() {
        errs.push(xianfeng_core::FieldError::new(field, format!("{label}格式应为 2025-07-01")));
    }
    d
}

struct CheckedOrg {
    name: String,
    district: String,
    code: String,
    established_on: Option<NaiveDate>,
    term_start: Option<NaiveDate>,
}

fn check_input(input: &OrgInput) -> Result<CheckedOrg> {
    let mut errs = Vec::new();
    let name = input.name.trim().to_string();
    if name.is_empty() {
        errs.push(xianfeng_core::FieldError::new("name", "组织名称为必填项"));
    } else if name.chars().count() > 100 {
        errs.push(xianfeng_core::FieldError::new("name", "组织名称不能超过100个字"));
    }
    let established_on = parse_opt_date("established_on", "成立日期", &input.established_on, &mut errs);
    let term_start = parse_opt_date("term_start", "本届任期开始日期", &input.term_start, &mut errs);
    if let Some(t) = term_start
        && t > xianfeng_core::text::today_cn()
    {
        errs.push(xianfeng_core::FieldError::new("term_start", "本届任期开始日期不能晚于今天"));
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(CheckedOrg {
        name,
        district: input.district.trim().to_string(),
        code: input.code.trim().to_string(),
        established_on,
        term_start,
    })
}

async fn history(
    tx: &mut Tx,
    committee_id: i64,
    org_id: i64,
    who: &Who,
    change: &str,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<()> {
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO org_history (committee_id, id, org_id, ts_ms, user_id, username, change, from_value, to_value, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            committee_id, id, org_id, now_ms(), who.user_id, who.username.clone(), change, from, to, reason
        ))
        .await?;
    Ok(())
}

/// Creates an org under `parent_id` (which must be inside the scope).
pub async fn create(store: &Store, scope: &OrgScope, who: &Who, parent_id: i64, input: &OrgInput) -> Result<OrgRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let parent = get(store.db.r(), scope, parent_id).await?;
    if !parent.active {
        return Err(StoreError::Rule("上级组织已撤销，不能在其下设立组织".into()));
    }
    let kind = OrgKind::parse(&input.kind).ok_or_else(|| StoreError::invalid("kind", "请选择组织类别"))?;
    core_org::check_placement(parent.kind(), kind).map_err(|m| StoreError::invalid("kind", m))?;
    let c = check_input(input)?;
    let rules: OrgRules = store.rule().await?;
    let term_end = c.term_start.and_then(|s| core_org::term_end(kind, s, &rules));
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let committee_id = if kind == OrgKind::Unit { id } else { parent.committee_id };
    let path = core_org::child_path(&parent.path, id);
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO orgs (committee_id, id, parent_id, path, depth, kind, name, district, code, sort_order, established_on, term_start, term_end, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, TRUE, $14, $14)",
            committee_id, id, parent.id, path.clone(), parent.depth + 1, kind.as_str(), c.name.clone(),
            if kind == OrgKind::Unit { c.district.clone() } else { parent.district.clone() },
            c.code, id, c.established_on, c.term_start, term_end, now
        ))
        .await?;
    history(&mut tx, committee_id, id, who, "create", "", &c.name, "").await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("create", "org", id).detail(format!("{}：{}", kind.label(), c.name)),
    )
    .await?;
    crate::generation::bump_orgs(&mut tx, committee_id).await?;
    tx.commit().await?;
    get(store.db.r(), scope, id).await
}

/// Orgs the actor may change: strictly below the scope root.
fn check_modifiable(scope: &OrgScope, org: &OrgRow) -> Result<()> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    if org.path == scope.path_prefix() {
        return Err(StoreError::Rule("不能修改本级组织，请联系上级党组织".into()));
    }
    Ok(())
}

/// Renames an org and updates its details; the old name stays in history.
pub async fn update(store: &Store, scope: &OrgScope, who: &Who, id: i64, input: &OrgInput) -> Result<OrgRow> {
    let org = get(store.db.r(), scope, id).await?;
    check_modifiable(scope, &org)?;
    let c = check_input(input)?;
    let rules: OrgRules = store.rule().await?;
    let term_end = c.term_start.and_then(|s| core_org::term_end(org.kind(), s, &rules));
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "UPDATE orgs SET name = $1, district = $2, code = $3, established_on = $4, term_start = $5, term_end = $6, updated_at = $7 WHERE committee_id = $8 AND id = $9",
            c.name.clone(), if org.kind() == OrgKind::Unit { c.district.clone() } else { org.district.clone() }, c.code,
            c.established_on, c.term_start, term_end, now_ms(), org.committee_id, org.id
        ))
        .await?;
    if org.kind() == OrgKind::Unit && c.district != org.district {
        // Every org of the unit carries its district for roll-ups.
        tx.c()
            .execute(q!("UPDATE orgs SET district = $1 WHERE committee_id = $2", c.district.clone(), org.committee_id))
            .await?;
    }
    if c.name != org.name {
        history(&mut tx, org.committee_id, org.id, who, "rename", &org.name, &c.name, "").await?;
    }
    if c.term_start != org.term_start {
        let fmt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        history(&mut tx, org.committee_id, org.id, who, "term", &fmt(org.term_start), &fmt(c.term_start), "换届")
            .await?;
    }
    append(&mut tx, &store.keys.audit_key, who, Event::ok("update", "org", id).detail(c.name.clone())).await?;
    crate::generation::bump_orgs(&mut tx, org.committee_id).await?;
    tx.commit().await?;
    get(store.db.r(), scope, id).await
}

/// Moves an org (and its whole subtree, members and history) under a new parent.
pub async fn move_to(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    id: i64,
    new_parent_id: i64,
    reason: &str,
) -> Result<OrgRow> {
    let org = get(store.db.r(), scope, id).await?;
    check_modifiable(scope, &org)?;
    let parent = get(store.db.r(), scope, new_parent_id).await?;
    if parent.path.starts_with(&org.path) {
        return Err(StoreError::invalid("parent_id", "不能把组织迁移到它自己或它的下级组织之下"));
    }
    if parent.id == org.parent_id.unwrap_or(0) {
        return Err(StoreError::invalid("parent_id", "新的上级组织与原上级组织相同"));
    }
    if !parent.active {
        return Err(StoreError::invalid("parent_id", "新的上级组织已撤销"));
    }
    core_org::check_placement(parent.kind(), org.kind()).map_err(|m| StoreError::invalid("parent_id", m))?;
    let new_path = core_org::child_path(&parent.path, org.id);
    let new_committee = if org.kind() == OrgKind::Unit { org.committee_id } else { parent.committee_id };
    let old_prefix_len = org.path.chars().count() as i64;
    let mut tx = store.db.begin().await?;
    // Ids of the subtree, to move their shard key and dependent rows along.
    #[derive(sqlx::FromRow)]
    struct Id {
        id: i64,
    }
    let sub: Vec<Id> = tx
        .c()
        .fetch_all(q!(
            "SELECT id FROM orgs WHERE committee_id = $1 AND path LIKE $2",
            org.committee_id,
            format!("{}%", org.path)
        ))
        .await?;
    tx.c()
        .execute(q!(
            "UPDATE orgs SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3, committee_id = $4, updated_at = $5 WHERE committee_id = $6 AND path LIKE $7",
            new_path.clone(), old_prefix_len + 1, parent.depth + 1 - org.depth, new_committee, now_ms(), org.committee_id, format!("{}%", org.path)
        ))
        .await?;
    tx.c()
        .execute(q!(
            "UPDATE orgs SET parent_id = $1 WHERE committee_id = $2 AND id = $3",
            parent.id,
            new_committee,
            org.id
        ))
        .await?;
    if new_committee != org.committee_id {
        for chunk in sub.chunks(500) {
            let mut list = String::new();
            for (i, s) in chunk.iter().enumerate() {
                if i > 0 {
                    list.push(',');
                }
                list.push_str(&s.id.to_string());
            }
            // Meeting rows hang off the meeting; move them before the meetings themselves.
            for table in ["meeting_attendees", "meeting_observers"] {
                tx.c()
                    .execute(q!(
                        format!("UPDATE {table} SET committee_id = $1 WHERE committee_id = $2 AND meeting_id IN (SELECT id FROM meetings WHERE committee_id = $2 AND org_id IN ({list}))"),
                        new_committee,
                        org.committee_id
                    ))
                    .await?;
            }
            tx.c()
                .execute(q!(
                    format!("UPDATE attachments SET committee_id = $1 WHERE committee_id = $2 AND owner_kind = $3 AND owner_id IN (SELECT id FROM meetings WHERE committee_id = $2 AND org_id IN ({list}))"),
                    new_committee,
                    org.committee_id,
                    xianfeng_core::attachment::Owner::Meeting.as_str()
                ))
                .await?;
            for (table, col) in [
                ("org_history", "org_id"),
                ("org_posts", "org_id"),
                ("members", "org_id"),
                ("meetings", "org_id"),
                ("meeting_tallies", "org_id"),
                ("first_agenda_tasks", "org_id"),
            ] {
                tx.c()
                    .execute(q!(
                        format!("UPDATE {table} SET committee_id = $1 WHERE committee_id = $2 AND {col} IN ({list})"),
                        new_committee,
                        org.committee_id
                    ))
                    .await?;
            }
            tx.c()
                .execute(q!(
                    format!("UPDATE member_history SET committee_id = $1 WHERE committee_id = $2 AND member_id IN (SELECT id FROM members WHERE committee_id = $1 AND org_id IN ({list}))"),
                    new_committee, org.committee_id
                ))
                .await?;
        }
    }
    let from = org.parent_id.unwrap_or(0).to_string();
    history(&mut tx, new_committee, org.id, who, "move", &from, &parent.id.to_string(), reason).await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("move", "org", id).detail(format!("迁移至 {}（{}）", parent.name, parent.id)),
    )
    .await?;
    crate::generation::bump_orgs(&mut tx, org.committee_id).await?;
    crate::generation::bump_orgs(&mut tx, new_committee).await?;
    crate::generation::bump_meetings(&mut tx, org.committee_id).await?;
    crate::generation::bump_meetings(&mut tx, new_committee).await?;
    tx.commit().await?;
    get(store.db.r(), scope, id).await
}

/// Dissolves an org: kept in history, no longer active. It must be empty.
pub async fn dissolve(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    id: i64,
    on: NaiveDate,
    reason: &str,
) -> Result<OrgRow> {
    let org = get(store.db.r(), scope, id).await?;
    check_modifiable(scope, &org)?;
    if !org.active {
        return Err(StoreError::Rule("该组织已撤销".into()));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::invalid("reason", "请填写撤销原因"));
    }
    let kids = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM orgs WHERE committee_id = $1 AND parent_id = $2 AND active = TRUE",
            org.committee_id,
            org.id
        ))
        .await?;
    if kids > 0 {
        return Err(StoreError::Rule(format!("该组织下还有{kids}个下级组织，请先迁移或撤销")));
    }
    let members = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM members WHERE committee_id = $1 AND (org_id = $2 OR group_id = $2) AND status IN ('applicant','activist','candidate','probationary','full')",
            org.committee_id, org.id
        ))
        .await?;
    if members > 0 && org.kind() != OrgKind::Group {
        return Err(StoreError::Rule(format!("该组织还有{members}名党员，请先转移组织关系")));
    }
    let mut tx = store.db.begin().await?;
    if org.kind() == OrgKind::Group {
        tx.c()
            .execute(q!(
                "UPDATE members SET group_id = NULL WHERE committee_id = $1 AND group_id = $2",
                org.committee_id,
                org.id
            ))
            .await?;
    }
    tx.c()
        .execute(q!(
            "UPDATE orgs SET active = FALSE, dissolved_on = $1, dissolved_reason = $2, updated_at = $3 WHERE committee_id = $4 AND id = $5",
            on, reason.trim(), now_ms(), org.committee_id, org.id
        ))
        .await?;
    history(&mut tx, org.committee_id, org.id, who, "dissolve", "", "", reason.trim()).await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("dissolve", "org", id).detail(reason.trim().to_string()))
        .await?;
    crate::generation::bump_orgs(&mut tx, org.committee_id).await?;
    tx.commit().await?;
    get(store.db.r(), scope, id).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OrgHistoryRow {
    pub ts_ms: i64,
    pub username: String,
    pub change: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
}

pub async fn history_of(store: &Store, scope: &OrgScope, id: i64) -> Result<Vec<OrgHistoryRow>> {
    let org = get(store.db.r(), scope, id).await?;
    store
        .db
        .r()
        .fetch_all(q!(
            "SELECT ts_ms, username, change, from_value, to_value, reason FROM org_history WHERE committee_id = $1 AND org_id = $2 ORDER BY ts_ms DESC, id DESC",
            org.committee_id, org.id
        ))
        .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PostRow {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub post: String,
    pub since: Option<NaiveDate>,
}

impl PostRow {
    pub fn label(&self) -> &'static str {
        core_org::post_label(&self.post)
    }
}

pub async fn posts(c: Conn<'_>, org: &OrgRow) -> Result<Vec<PostRow>> {
    c.fetch_all(q!(
        "SELECT p.id, p.member_id, m.name AS member_name, p.post, p.since FROM org_posts p JOIN members m ON m.committee_id = p.committee_id AND m.id = p.member_id \
         WHERE p.committee_id = $1 AND p.org_id = $2 ORDER BY CASE p.post WHEN 'secretary' THEN 0 WHEN 'deputy_secretary' THEN 1 ELSE 2 END, p.id",
        org.committee_id, org.id
    ))
    .await
}

/// Appoints a member of the org to a post (书记, 委员…).
pub async fn set_post(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    org_id: i64,
    member_id: i64,
    post: &str,
    since: Option<NaiveDate>,
) -> Result<()> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let org = get(store.db.r(), scope, org_id).await?;
    if !core_org::POSTS.iter().any(|(k, _)| *k == post) {
        return Err(StoreError::invalid("post", "职务无效"));
    }
    // The member must be registered inside the org's subtree.
    let found = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
             WHERE m.committee_id = $1 AND m.id = $2 AND o.path LIKE $3 AND m.status IN ('probationary','full')",
            org.committee_id,
            member_id,
            format!("{}%", org.path)
        ))
        .await?;
    if found == 0 {
        return Err(StoreError::invalid("member_id", "只能任命本组织的党员"));
    }
    let mut tx = store.db.begin().await?;
    if post == "secretary" {
        tx.c()
            .execute(q!(
                "DELETE FROM org_posts WHERE committee_id = $1 AND org_id = $2 AND post = 'secretary'",
                org.committee_id,
                org.id
            ))
            .await?;
    }
    tx.c()
        .execute(q!(
            "DELETE FROM org_posts WHERE committee_id = $1 AND org_id = $2 AND member_id = $3",
            org.committee_id,
            org.id,
            member_id
        ))
        .await?;
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO org_posts (committee_id, id, org_id, member_id, post, since) VALUES ($1, $2, $3, $4, $5, $6)",
            org.committee_id,
            id,
            org.id,
            member_id,
            post,
            since
        ))
        .await?;
    history(
        &mut tx,
        org.committee_id,
        org.id,
        who,
        "post",
        "",
        &format!("{}：{}", core_org::post_label(post), member_id),
        "",
    )
    .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("update", "org_post", org.id).detail(format!("{post} {member_id}")),
    )
    .await?;
    crate::generation::bump_orgs(&mut tx, org.committee_id).await?;
    tx.commit().await
}

pub async fn remove_post(store: &Store, scope: &OrgScope, who: &Who, org_id: i64, post_id: i64) -> Result<()> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let org = get(store.db.r(), scope, org_id).await?;
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "DELETE FROM org_posts WHERE committee_id = $1 AND org_id = $2 AND id = $3",
            org.committee_id,
            org.id,
            post_id
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("update", "org_post", org.id).detail(format!("remove {post_id}")),
    )
    .await?;
    crate::generation::bump_orgs(&mut tx, org.committee_id).await?;
    tx.commit().await
}

/// An org's head counts, rule warnings and election status.
#[derive(Debug, Clone, Serialize)]
pub struct OrgHealth {
    pub counts: BranchCounts,
    pub warnings: Vec<OrgWarning>,
    pub term: TermStatus,
    pub term_label: String,
}

#[derive(sqlx::FromRow)]
struct StatusCount {
    status: String,
    n: i64,
}

pub async fn health(store: &Store, org: &OrgRow) -> Result<OrgHealth> {
    // The working committee spans every member; any other org lives in one shard.
    let q = if org.kind() == OrgKind::WorkingCommittee {
        q!("SELECT m.status, COUNT(*) AS n FROM members m GROUP BY m.status")
    } else {
        q!(
            "SELECT m.status, COUNT(*) AS n FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
             WHERE o.path LIKE $1 AND m.committee_id = $2 GROUP BY m.status",
            format!("{}%", org.path),
            org.committee_id
        )
    };
    let rows: Vec<StatusCount> = store.db.r().fetch_all(q).await?;
    let get = |s: &str| rows.iter().find(|r| r.status == s).map(|r| r.n).unwrap_or(0);
    let committee_members = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM org_posts WHERE committee_id = $1 AND org_id = $2 AND post NOT IN ('secretary', 'group_leader')",
            org.committee_id, org.id
        ))
        .await?;
    let counts = BranchCounts {
        full: get("full"),
        probationary: get("probationary"),
        members: get("full") + get("probationary"),
        committee_members,
    };
    let rules: OrgRules = store.rule().await?;
    let warnings = if org.kind() == OrgKind::Branch && org.active {
        core_org::branch_warnings(counts, &rules)
    } else {
        Vec::new()
    };
    let term = if org.kind().has_term() && org.active {
        core_org::term_status(org.term_end, xianfeng_core::text::today_cn(), &rules)
    } else {
        TermStatus::Unknown
    };
    let term_label = term.label();
    Ok(OrgHealth { counts, warnings, term, term_label })
}

/// Branches in scope whose term ends within the warning window or has ended.
pub async fn elections_due(store: &Store, scope: &OrgScope, limit: i64) -> Result<Vec<OrgRow>> {
    let rules: OrgRules = store.rule().await?;
    let horizon = xianfeng_core::text::today_cn() + chrono::Days::new(rules.election_due_soon_days as u64);
    let mut q = Q::new(format!(
        "SELECT {COLS} FROM orgs o WHERE o.active = TRUE AND o.term_end IS NOT NULL AND o.term_end <= "
    ));
    q.bind(horizon);
    scope_where(&mut q, scope, "o");
    q.push(" ORDER BY o.term_end LIMIT ").bind(limit);
    store.db.r().fetch_all(q).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BranchCountRow {
    pub id: i64,
    pub name: String,
    pub full: i64,
    pub members: i64,
}

/// Branches in scope breaking the organization rules: too few full members,
/// a committee missing, too many members. Returns the total and the first `limit`.
pub async fn branch_alerts(
    store: &Store,
    scope: &OrgScope,
    limit: i64,
) -> Result<(i64, Vec<(BranchCountRow, Vec<OrgWarning>)>)> {
    let rules: OrgRules = store.rule().await?;
    // Branches in scope, then member counts per org straight from the members
    // index (no join), merged here: one pass over each table.
    #[derive(sqlx::FromRow)]
    struct Branch {
        id: i64,
        name: String,
    }
    let mut q = Q::new("SELECT o.id, o.name FROM orgs o WHERE o.kind = 'branch' AND o.active = TRUE");
    scope_where(&mut q, scope, "o");
    q.push(" ORDER BY o.id");
    let branches: Vec<Branch> = store.db.r().fetch_all(q).await?;
    #[derive(sqlx::FromRow)]
    struct Counts {
        org_id: i64,
        full: i64,
        members: i64,
    }
    let mut q = Q::new(
        "SELECT m.org_id, CAST(SUM(CASE WHEN m.status = 'full' THEN 1 ELSE 0 END) AS BIGINT) AS full, \
         CAST(COUNT(*) AS BIGINT) AS members FROM members m WHERE m.status IN ('full', 'probationary')",
    );
    if let Some(c) = scope.committee_id() {
        q.push(" AND m.committee_id = ").bind(c);
    }
    q.push(" GROUP BY m.committee_id, m.org_id");
    let counts: std::collections::HashMap<i64, (i64, i64)> =
        store.db.r().fetch_all::<Counts>(q).await?.into_iter().map(|c| (c.org_id, (c.full, c.members))).collect();
    let rows: Vec<BranchCountRow> = branches
        .into_iter()
        .map(|b| {
            let (full, members) = counts.get(&b.id).copied().unwrap_or((0, 0));
            BranchCountRow { id: b.id, name: b.name, full, members }
        })
        .collect();
    // Committee members (posts other than the secretary and group leaders) per branch.
    #[derive(sqlx::FromRow)]
    struct PostCount {
        org_id: i64,
        n: i64,
    }
    // Posts of other orgs in the shard are counted too but never looked up.
    let mut q =
        Q::new("SELECT p.org_id, COUNT(*) AS n FROM org_posts p WHERE p.post NOT IN ('secretary', 'group_leader')");
    if let Some(c) = scope.committee_id() {
        q.push(" AND p.committee_id = ").bind(c);
    }
    q.push(" GROUP BY p.committee_id, p.org_id");
    let posts: std::collections::HashMap<i64, i64> =
        store.db.r().fetch_all::<PostCount>(q).await?.into_iter().map(|p| (p.org_id, p.n)).collect();
    let flagged: Vec<(BranchCountRow, Vec<OrgWarning>)> = rows
        .into_iter()
        .filter_map(|r| {
            let counts = BranchCounts {
                full: r.full,
                probationary: r.members - r.full,
                members: r.members,
                committee_members: posts.get(&r.id).copied().unwrap_or(0),
            };
            let w = core_org::branch_warnings(counts, &rules);
            (!w.is_empty()).then_some((r, w))
        })
        .collect();
    let total = flagged.len() as i64;
    Ok((total, flagged.into_iter().take(limit.max(0) as usize).collect()))
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ScopeStats {
    pub units: i64,
    pub branches: i64,
    pub members: i64,
    pub full: i64,
    pub probationary: i64,
    pub pipeline: i64,
}

/// Key numbers for a scope (home pages).
pub async fn stats(store: &Store, scope: &OrgScope) -> Result<ScopeStats> {
    #[derive(sqlx::FromRow)]
    struct KindCount {
        kind: String,
        n: i64,
    }
    let mut q = Q::new("SELECT o.kind, COUNT(*) AS n FROM orgs o WHERE o.active = TRUE");
    scope_where(&mut q, scope, "o");
    q.push(" GROUP BY o.kind");
    let kinds: Vec<KindCount> = store.db.r().fetch_all(q).await?;
    let mut q = if scope.is_whole_tree() {
        Q::new("SELECT m.status, COUNT(*) AS n FROM members m WHERE 1=1")
    } else {
        Q::new(
            "SELECT m.status, COUNT(*) AS n FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id WHERE 1=1",
        )
    };
    scope_where(&mut q, scope, "o");
    q.push(" GROUP BY m.status");
    let statuses: Vec<StatusCount> = store.db.r().fetch_all(q).await?;
    let k = |s: &str| kinds.iter().find(|r| r.kind == s).map(|r| r.n).unwrap_or(0);
    let s = |x: &str| statuses.iter().find(|r| r.status == x).map(|r| r.n).unwrap_or(0);
    Ok(ScopeStats {
        units: k("unit"),
        branches: k("branch"),
        members: s("full") + s("probationary"),
        full: s("full"),
        probationary: s("probationary"),
        pipeline: s("applicant") + s("activist") + s("candidate"),
    })
}

/// Creates the root (working committee) when the database is empty. Operator only.
pub async fn ensure_root(store: &Store, name: &str) -> Result<OrgRow> {
    if let Some(r) = root(store.db.r()).await? {
        return Ok(r);
    }
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO orgs (committee_id, id, parent_id, path, depth, kind, name, district, code, sort_order, active, created_at, updated_at) \
             VALUES ($1, $1, NULL, $2, 0, 'working_committee', $3, '', '', 0, TRUE, $4, $4)",
            id, format!("/{id}/"), name, now
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        &Who::operator("init"),
        Event::ok("create", "org", id).detail(name.to_string()),
    )
    .await?;
    crate::generation::bump_orgs(&mut tx, id).await?;
    tx.commit().await?;
    anchor_of(store.db.r(), id).await
}

/// Active members in each child's subtree, in one query.
pub async fn child_member_counts(store: &Store, parent: &OrgRow, kids: &[OrgRow]) -> Result<Vec<i64>> {
    #[derive(sqlx::FromRow)]
    struct PathCount {
        path: String,
        n: i64,
    }
    if parent.kind() == OrgKind::WorkingCommittee {
        // The root's children are units, and a unit's id is its members' shard key.
        #[derive(sqlx::FromRow)]
        struct UnitCount {
            committee_id: i64,
            n: i64,
        }
        let rows: Vec<UnitCount> = store
            .db
            .r()
            .fetch_all(q!(
                "SELECT m.committee_id, COUNT(*) AS n FROM members m WHERE m.status IN ('probationary','full') GROUP BY m.committee_id"
            ))
            .await?;
        let by_unit: std::collections::HashMap<i64, i64> = rows.into_iter().map(|r| (r.committee_id, r.n)).collect();
        return Ok(kids.iter().map(|k| by_unit.get(&k.id).copied().unwrap_or(0)).collect());
    }
    let mut q = Q::new(
        "SELECT o.path, COUNT(*) AS n FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
         WHERE m.status IN ('probationary','full') AND o.path LIKE ",
    );
    q.bind(format!("{}%", parent.path));
    q.push(" AND m.committee_id = ").bind(parent.committee_id);
    q.push(" GROUP BY o.path");
    let rows: Vec<PathCount> = store.db.r().fetch_all(q).await?;
    Ok(kids.iter().map(|k| rows.iter().filter(|r| r.path.starts_with(&k.path)).map(|r| r.n).sum()).collect())
}
