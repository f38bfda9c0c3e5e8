//! An org history and its posts (secretary, committee members).

use super::*;
use xianfeng_core::auth::OrgWrite;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OrgHistoryRow {
    pub ts_ms: i64,
    pub username: String,
    pub change: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
}

#[tracing::instrument(skip_all)]
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

#[tracing::instrument(skip_all)]
pub async fn posts(c: Conn<'_>, org: &OrgRow) -> Result<Vec<PostRow>> {
    c.fetch_all(q!(
        "SELECT p.id, p.member_id, m.name AS member_name, p.post, p.since FROM org_posts p JOIN members m ON m.committee_id = p.committee_id AND m.id = p.member_id \
         WHERE p.committee_id = $1 AND p.org_id = $2 ORDER BY CASE p.post WHEN 'secretary' THEN 0 WHEN 'deputy_secretary' THEN 1 ELSE 2 END, p.id",
        org.committee_id, org.id
    ))
    .await
}

/// Appoints a member of the org to a post (书记, 委员…).
#[tracing::instrument(skip_all)]
pub async fn set_post(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    org_id: i64,
    member_id: i64,
    post: &str,
    since: Option<NaiveDate>,
) -> Result<()> {
    let org = get(store.db.r(), scope, org_id).await?;
    if core_org::Post::parse(post).is_none() {
        return Err(StoreError::invalid("post", "职务无效"));
    }
    // The member must be registered inside the org's subtree.
    let found = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            format!("SELECT COUNT(*) AS v FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
             WHERE m.committee_id = $1 AND m.id = $2 AND o.path LIKE $3 AND m.status IN {members}", members = sql_in(&MemberStatus::MEMBERS)),
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
                format!(
                    "DELETE FROM org_posts WHERE committee_id = $1 AND org_id = $2 AND post = {secretary}",
                    secretary = sql(Post::Secretary)
                ),
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

#[tracing::instrument(skip_all)]
pub async fn remove_post(store: &Store, scope: &OrgWrite, who: &Who, org_id: i64, post_id: i64) -> Result<()> {
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
