//! Bulk writes: batched multi-row INSERTs inside the caller's transaction.
//!
//! For demo data, imports and high-volume tables (meetings, dues, attendance):
//! every helper writes its rows in statements of at most [`MAX_ROWS`] rows and
//! [`MAX_PARAMS`] bind parameters (SQLite allows 32,766 per statement,
//! PostgreSQL 65,535), through the one code path for both engines.
//!
//! On SQLite the statements use anonymous `?` placeholders instead of `$n`:
//! sqlx resolves each `$n` through `sqlite3_bind_parameter_name`, a linear
//! scan of the statement's parameter names, which makes binding quadratic in
//! the parameters of a statement (a 500-row member insert spent 95 % of its
//! time there). Anonymous placeholders bind by position in constant time.
//! PostgreSQL keeps `$n`.
//!
//! The helpers take `&mut Tx` and never commit: the caller decides how many
//! rows share a transaction. They check nothing (scope, validation,
//! duplicates) and write no audit row; callers do that once for the batch.
//! Helpers for tables whose ids nobody needs in advance (history, posts)
//! allocate them with one [`Tx::alloc_ids`] call and return the range, in row
//! order; rows others point at (orgs, members) carry ids the caller allocated.

use std::ops::Range;

use chrono::NaiveDate;
use xianfeng_core::member::ValidMember;
use xianfeng_core::org::OrgKind;

use crate::db::{Arg, Backend, Q, Tx};
use crate::member::{INSERT_COLS, insert_values, seal};
use crate::{Result, Store, Who};

/// At most this many rows per statement.
pub const MAX_ROWS: usize = 500;

/// At most this many bind parameters per statement (under SQLite's 32,766).
pub const MAX_PARAMS: usize = 30_000;

/// Rows per statement for a table with `cols` columns.
pub fn rows_per_statement(cols: usize) -> usize {
    (MAX_PARAMS / cols.max(1)).clamp(1, MAX_ROWS)
}

/// Inserts `rows` into `table` in batched multi-row statements. `cols` is the
/// comma-separated column list; every row holds one [`Arg`] per column, in
/// that order. Returns the number of rows written.
///
/// ```ignore
/// let rows = marks.iter().map(|m| vec![m.committee_id.into(), m.id.into(), m.meeting_id.into(), m.member_id.into()]);
/// bulk::insert_rows(&mut tx, "attendance", "committee_id, id, meeting_id, member_id", rows).await?;
/// ```
#[tracing::instrument(skip_all)]
pub async fn insert_rows<I>(tx: &mut Tx, table: &str, cols: &str, rows: I) -> Result<u64>
where
    I: IntoIterator<Item = Vec<Arg>>,
{
    let ncols = cols.split(',').count();
    let per = rows_per_statement(ncols);
    let anonymous = tx.backend() == Backend::Sqlite;
    let head = format!("INSERT INTO {table} ({cols}) VALUES ");
    let mut q = Q::new(head.as_str());
    let mut in_stmt = 0usize;
    let mut written = 0u64;
    for row in rows {
        debug_assert_eq!(row.len(), ncols, "a row for {table} needs {ncols} values");
        if in_stmt > 0 {
            q.push(", ");
        }
        if anonymous {
            push_anonymous_row(&mut q, row);
        } else {
            q.push_row(row);
        }
        in_stmt += 1;
        if in_stmt == per {
            written += tx.c().execute(std::mem::replace(&mut q, Q::new(head.as_str()))).await?;
            in_stmt = 0;
        }
    }
    if in_stmt > 0 {
        written += tx.c().execute(q).await?;
    }
    Ok(written)
}

/// Appends `(?, ?, …)` for a row: positional placeholders (SQLite only).
fn push_anonymous_row(q: &mut Q, values: Vec<Arg>) {
    q.sql.push('(');
    for (i, v) in values.into_iter().enumerate() {
        q.sql.push_str(if i == 0 { "?" } else { ", ?" });
        q.args.push(v);
    }
    q.sql.push(')');
}

/// Reserves ids for `n` rows; an empty range when there are none.
async fn ids_for(tx: &mut Tx, n: usize) -> Result<Range<i64>> {
    if n == 0 {
        return Ok(0..0);
    }
    tx.alloc_ids(n as i64).await
}

/// An org to insert (active, with the id and path the caller computed).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrg {
    /// The unit's id (a unit's own id; the root's own id for the root).
    pub committee_id: i64,
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Materialized path, see [`xianfeng_core::org::child_path`].
    pub path: String,
    pub depth: i64,
    pub kind: OrgKind,
    pub name: String,
    /// The unit's district (片区), copied onto every org of the unit.
    pub district: String,
    pub code: String,
    pub sort_order: i64,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    /// See [`xianfeng_core::org::term_end`].
    pub term_end: Option<NaiveDate>,
}

const ORG_COLS: &str = "committee_id, id, parent_id, path, depth, kind, name, district, code, sort_order, \
    established_on, term_start, term_end, active, created_at, updated_at";

/// Inserts orgs (active), created and updated at `now_ms`.
#[tracing::instrument(skip_all)]
pub async fn insert_orgs(tx: &mut Tx, orgs: &[NewOrg], now_ms: i64) -> Result<u64> {
    let mut committees: Vec<i64> = orgs.iter().map(|o| o.committee_id).collect();
    committees.sort_unstable();
    committees.dedup();
    for c in committees {
        crate::generation::bump_orgs(tx, c).await?;
    }
    let rows = orgs.iter().map(|o| {
        vec![
            o.committee_id.into(),
            o.id.into(),
            o.parent_id.into(),
            o.path.clone().into(),
            o.depth.into(),
            o.kind.as_str().into(),
            o.name.clone().into(),
            o.district.clone().into(),
            o.code.clone().into(),
            o.sort_order.into(),
            o.established_on.into(),
            o.term_start.into(),
            o.term_end.into(),
            true.into(),
            now_ms.into(),
            now_ms.into(),
        ]
    });
    insert_rows(tx, "orgs", ORG_COLS, rows).await
}

/// A member to insert: a validated record (org_id and group_id set) and the
/// ids the caller allocated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMember {
    pub committee_id: i64,
    pub id: i64,
    pub member: ValidMember,
}

/// Inserts members (version 1, created and updated at `now_ms`). Protected
/// fields are sealed exactly as [`crate::member::create`] seals them: SM4
/// ciphertexts of the ID and phone numbers, their masks, and the ID number's
/// blind index. The member counts of their orgs are recounted in the same
/// transaction.
#[tracing::instrument(skip_all)]
pub async fn insert_members(tx: &mut Tx, store: &Store, members: &[NewMember], now_ms: i64) -> Result<u64> {
    let rows = members.iter().map(|m| insert_values(m.committee_id, m.id, &m.member, seal(store, &m.member), now_ms));
    let n = insert_rows(tx, "members", INSERT_COLS, rows).await?;
    let orgs: std::collections::BTreeSet<(i64, i64)> =
        members.iter().map(|m| (m.committee_id, m.member.org_id)).collect();
    for (committee_id, org_id) in orgs {
        crate::member::counts::recount(tx, committee_id, org_id).await?;
    }
    Ok(n)
}

/// A leadership post (书记, 委员, 党小组组长…) to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPost {
    pub committee_id: i64,
    pub org_id: i64,
    pub member_id: i64,
    /// A key of [`xianfeng_core::org::POSTS`].
    pub post: &'static str,
    pub since: Option<NaiveDate>,
}

/// Inserts posts; returns their ids, in row order.
#[tracing::instrument(skip_all)]
pub async fn insert_posts(tx: &mut Tx, posts: &[NewPost]) -> Result<Range<i64>> {
    let mut committees: Vec<i64> = posts.iter().map(|p| p.committee_id).collect();
    committees.sort_unstable();
    committees.dedup();
    for c in committees {
        crate::generation::bump_orgs(tx, c).await?;
    }
    let ids = ids_for(tx, posts.len()).await?;
    let rows = posts.iter().zip(ids.clone()).map(|(p, id)| {
        vec![p.committee_id.into(), id.into(), p.org_id.into(), p.member_id.into(), p.post.into(), p.since.into()]
    });
    insert_rows(tx, "org_posts", "committee_id, id, org_id, member_id, post, since", rows).await?;
    Ok(ids)
}

/// A row of an org's history (create, rename, move, dissolve, term, post).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrgHistory {
    pub committee_id: i64,
    pub org_id: i64,
    pub change: &'static str,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
}

/// Inserts org history rows by `who` at `ts_ms`; returns their ids, in row order.
#[tracing::instrument(skip_all)]
pub async fn insert_org_history(tx: &mut Tx, who: &Who, ts_ms: i64, rows: &[NewOrgHistory]) -> Result<Range<i64>> {
    let ids = ids_for(tx, rows.len()).await?;
    let values = rows.iter().zip(ids.clone()).map(|(h, id)| {
        vec![
            h.committee_id.into(),
            id.into(),
            h.org_id.into(),
            ts_ms.into(),
            who.user_id.into(),
            who.username.clone().into(),
            h.change.into(),
            h.from_value.clone().into(),
            h.to_value.clone().into(),
            h.reason.clone().into(),
        ]
    });
    insert_rows(
        tx,
        "org_history",
        "committee_id, id, org_id, ts_ms, user_id, username, change, from_value, to_value, reason",
        values,
    )
    .await?;
    Ok(ids)
}

/// A row of a member's history (create, import, status, update).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMemberHistory {
    pub committee_id: i64,
    pub member_id: i64,
    pub change: &'static str,
    pub field: &'static str,
    pub from_value: String,
    pub to_value: String,
    pub effective_date: Option<NaiveDate>,
    pub reason: String,
}

/// Inserts member history rows by `who` at `ts_ms`; returns their ids, in row order.
#[tracing::instrument(skip_all)]
pub async fn insert_member_history(
    tx: &mut Tx,
    who: &Who,
    ts_ms: i64,
    rows: &[NewMemberHistory],
) -> Result<Range<i64>> {
    let ids = ids_for(tx, rows.len()).await?;
    let values = rows.iter().zip(ids.clone()).map(|(h, id)| {
        vec![
            h.committee_id.into(),
            id.into(),
            h.member_id.into(),
            ts_ms.into(),
            who.user_id.into(),
            who.username.clone().into(),
            h.change.into(),
            h.field.into(),
            h.from_value.clone().into(),
            h.to_value.clone().into(),
            h.effective_date.into(),
            h.reason.clone().into(),
        ]
    });
    insert_rows(
        tx,
        "member_history",
        "committee_id, id, member_id, ts_ms, user_id, username, change, field, from_value, to_value, effective_date, reason",
        values,
    )
    .await?;
    Ok(ids)
}

#[cfg(all(test, feature = "testkit"))]
mod tests {
    use chrono::NaiveDate;
    use xianfeng_core::member::{self as core_member, MemberStatus};
    use xianfeng_core::org::{self as core_org, OrgKind};

    use super::*;
    use crate::member::{self, Protected};
    use crate::testkit::{self, Province};
    use crate::{StoreError, q};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn statements_stay_under_the_parameter_limit() {
        assert_eq!(rows_per_statement(1), MAX_ROWS);
        assert_eq!(rows_per_statement(26), MAX_ROWS);
        assert_eq!(rows_per_statement(100), 300);
        assert!(rows_per_statement(40_000) >= 1);
    }

    #[tokio::test]
    async fn rows_cross_statement_boundaries() {
        for (backend, store) in testkit::all_stores().await {
            let p = Province::build(&store).await.unwrap();
            let who = Who::operator("test");
            let rows: Vec<NewOrgHistory> = (0..1234)
                .map(|i| NewOrgHistory {
                    committee_id: p.unit_a.id,
                    org_id: p.branch_a1.id,
                    change: "note",
                    from_value: String::new(),
                    to_value: i.to_string(),
                    reason: "bulk".into(),
                })
                .collect();
            let mut tx = store.db.begin().await.unwrap();
            let ids = insert_org_history(&mut tx, &who, 1, &rows).await.unwrap();
            assert_eq!(ids.end - ids.start, 1234, "{backend}");
            assert_eq!(insert_org_history(&mut tx, &who, 1, &[]).await.unwrap(), 0..0, "{backend}");
            tx.commit().await.unwrap();
            let n = store
                .db
                .r()
                .fetch_scalar_i64(q!(
                    "SELECT COUNT(DISTINCT id) AS v FROM org_history WHERE reason = 'bulk' AND id >= $1 AND id < $2",
                    ids.start,
                    ids.end
                ))
                .await
                .unwrap();
            assert_eq!(n, 1234, "{backend}");
        }
    }

    #[tokio::test]
    async fn members_are_sealed_like_single_records() {
        for (backend, store) in testkit::all_stores().await {
            let p = Province::build(&store).await.unwrap();
            let admin = p.committee_admin();
            let (ms, who) = (testkit::member_scope(&store, &admin).await.unwrap(), testkit::who(&admin));
            let input = testkit::member_input("韦小宝", p.branch_a1.id, d(1990, 2, 3), 777, MemberStatus::Full);
            let v = core_member::validate(&input, d(2025, 1, 1)).unwrap();
            let mut tx = store.db.begin().await.unwrap();
            let id = tx.alloc_id().await.unwrap();
            let members = [NewMember { committee_id: p.unit_a.id, id, member: v.clone() }];
            assert_eq!(insert_members(&mut tx, &store, &members, 1).await.unwrap(), 1, "{backend}");
            let hist = [NewMemberHistory {
                committee_id: p.unit_a.id,
                member_id: id,
                change: "create",
                field: "status",
                from_value: String::new(),
                to_value: "full".into(),
                effective_date: v.join_date,
                reason: "bulk".into(),
            }];
            insert_member_history(&mut tx, &who, 1, &hist).await.unwrap();
            tx.commit().await.unwrap();

            let got = member::get(&store, &ms, id).await.unwrap();
            assert_eq!(got.id_card_masked, xianfeng_core::text::mask_id_card(&input.id_card), "{backend}");
            assert_eq!(got.phone_masked, xianfeng_core::text::mask_phone(&input.phone), "{backend}");
            assert_eq!(
                member::reveal(&store, &ms, &who, id, Protected::IdCard).await.unwrap(),
                input.id_card,
                "{backend}"
            );
            assert_eq!(
                member::reveal(&store, &ms, &who, id, Protected::Phone).await.unwrap(),
                input.phone,
                "{backend}"
            );
            assert_eq!(member::history(&store, &ms, id).await.unwrap().len(), 1, "{backend}");
            // The blind index is the one single records use: the number counts as taken.
            let again = member::create(&store, &ms.writer().unwrap(), &who, &input).await;
            assert!(
                matches!(again, Err(StoreError::Invalid(ref e)) if e[0].field == "id_card"),
                "{backend}: {again:?}"
            );
        }
    }

    #[tokio::test]
    async fn orgs_and_posts() {
        for (backend, store) in testkit::all_stores().await {
            let p = Province::build(&store).await.unwrap();
            let admin = p.committee_admin();
            let os = testkit::org_scope(&admin).unwrap();
            let rules = xianfeng_core::rules::OrgRules::default();
            let start = d(2024, 3, 1);
            let mut tx = store.db.begin().await.unwrap();
            let id = tx.alloc_id().await.unwrap();
            let org = NewOrg {
                committee_id: p.unit_a.id,
                id,
                parent_id: Some(p.committee_a.id),
                path: core_org::child_path(&p.committee_a.path, id),
                depth: p.committee_a.depth + 1,
                kind: OrgKind::Branch,
                name: "批量党支部".into(),
                district: p.unit_a.district.clone(),
                code: String::new(),
                sort_order: id,
                established_on: Some(start),
                term_start: Some(start),
                term_end: core_org::term_end(OrgKind::Branch, start, &rules),
            };
            assert_eq!(insert_orgs(&mut tx, &[org], 1).await.unwrap(), 1, "{backend}");
            let secretary = p.member("张伟").id();
            let post = NewPost {
                committee_id: p.unit_a.id,
                org_id: id,
                member_id: secretary,
                post: "secretary",
                since: Some(start),
            };
            let ids = insert_posts(&mut tx, &[post]).await.unwrap();
            assert_eq!(ids.end - ids.start, 1, "{backend}");
            tx.commit().await.unwrap();

            let row = crate::org::get(store.db.r(), &os, id).await.unwrap();
            assert_eq!(row.name, "批量党支部", "{backend}");
            assert!(row.active, "{backend}");
            assert_eq!(row.term_end, Some(d(2027, 3, 1)), "{backend}");
            let kids = crate::org::children(store.db.r(), &os, &p.committee_a, false).await.unwrap();
            assert!(kids.iter().any(|k| k.id == id), "{backend}");
            let posts = crate::org::posts(store.db.r(), &row).await.unwrap();
            assert_eq!(posts.len(), 1, "{backend}");
            assert_eq!(posts[0].member_name, "张伟", "{backend}");
        }
    }
}

/// Accounts and open sessions for members, in bulk: for load tests of the
/// member-facing pages (check-in). The accounts have no usable password
/// (an empty hash never verifies), so they can only act through the sessions
/// returned here. Returns (session token, CSRF token) per member, in order.
#[tracing::instrument(skip_all)]
pub async fn member_sessions(tx: &mut Tx, members: &[(i64, i64)], prefix: &str) -> Result<Vec<(String, String)>> {
    use xianfeng_core::crypto::{random_hex, sm3_hex};
    let users = ids_for(tx, members.len()).await?;
    let roles = ids_for(tx, members.len()).await?;
    let now = xianfeng_core::text::now_ms();
    let user_rows = members.iter().enumerate().map(|(i, _)| {
        let id = users.start + i as i64;
        vec![
            id.into(),
            format!("{prefix}{i}").into(),
            format!("{prefix}{i}").into(),
            "".into(),
            false.into(),
            now.into(),
            now.into(),
            "bulk".into(),
        ]
    });
    insert_rows(
        tx,
        "users",
        "id, username, display_name, password_hash, must_change_password, password_changed_at, created_at, created_by",
        user_rows,
    )
    .await?;
    let role_rows = members.iter().enumerate().map(|(i, (member_id, branch_id))| {
        vec![
            (roles.start + i as i64).into(),
            (users.start + i as i64).into(),
            "member".into(),
            (*branch_id).into(),
            (*member_id).into(),
            "bulk".into(),
            now.into(),
        ]
    });
    insert_rows(tx, "user_roles", "id, user_id, role, org_id, member_id, granted_by, granted_at", role_rows).await?;
    let tokens: Vec<(String, String)> = members.iter().map(|_| (random_hex(32), random_hex(16))).collect();
    let session_rows = tokens.iter().enumerate().map(|(i, (token, csrf))| {
        vec![
            sm3_hex(token.as_bytes()).into(),
            (users.start + i as i64).into(),
            (roles.start + i as i64).into(),
            csrf.clone().into(),
            now.into(),
            now.into(),
            "bulk".into(),
        ]
    });
    insert_rows(tx, "sessions", "token_hash, user_id, role_id, csrf_token, created_at, last_seen, ip", session_rows)
        .await?;
    Ok(tokens)
}
