//! Accounts: creating users, granting and revoking roles, the list, (de)activation.

use super::*;
use xianfeng_core::audit::Outcome;

use crate::Page;
use crate::db::Q;

pub(crate) fn check_username(username: &str) -> Result<()> {
    let ok = (3..=32).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid("username", "用户名应为3至32位字母、数字、下划线、点或连字符"))
    }
}

/// Creates an account. With a password (the operator at the console) it is
/// ready to use. Without one (the system administrator's page) it waits for
/// its owner: a ticket is opened, the administrator is shown the first half
/// of the activation code, and a second administrator's approval gives the
/// second (see [`crate::credential`]).
#[tracing::instrument(skip_all)]
pub async fn create_user(
    store: &Store,
    _cap: UserAdmin,
    who: &Who,
    username: &str,
    display_name: &str,
    password: Option<&str>,
) -> Result<(UserRow, Option<crate::credential::Opened>)> {
    let username = username.trim();
    check_username(username)?;
    let display_name = display_name.trim();
    if display_name.is_empty() {
        return Err(StoreError::invalid("display_name", "姓名为必填项"));
    }
    if user_by_name(store, username).await?.is_some() {
        return Err(StoreError::invalid("username", "用户名已存在"));
    }
    let policy: SecurityPolicy = store.rule().await?;
    let hash = match password {
        Some(p) => {
            check_password(&policy, username, p)?;
            Some(hash_password_off_thread(p).await)
        }
        None => None,
    };
    let now = now_ms();
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO users (id, username, display_name, password_hash, must_change_password, password_changed_at, failed_logins, locked_until, active, created_at, created_by) \
             VALUES ($1, $2, $3, $4, FALSE, $5, 0, 0, TRUE, $5, $6)",
            id, username, display_name, hash.clone().unwrap_or_else(|| crate::credential::NO_PASSWORD.to_string()), now, who.username.clone()
        ))
        .await?;
    if let Some(hash) = hash {
        tx.c()
            .execute(q!(
                "INSERT INTO password_history (user_id, created_at, password_hash) VALUES ($1, $2, $3)",
                id,
                now,
                hash
            ))
            .await?;
    }
    append(&mut tx, &store.keys.audit_key, who, Event::ok("user_create", "user", id).detail(username.to_string()))
        .await?;
    let opened = match password {
        Some(_) => None,
        None => Some(crate::credential::open_in(&mut tx, store, who, id, crate::credential::Purpose::Create).await?),
    };
    tx.commit().await?;
    Ok((user_by_id(store, id).await?, opened))
}

/// Grants a role bound to an org (or, for the member role, to a member record).
#[tracing::instrument(skip_all)]
pub async fn grant_role(
    store: &Store,
    cap: SecurityAdmin,
    who: &Who,
    user_id: i64,
    role: Role,
    org_id: Option<i64>,
    member_id: Option<i64>,
) -> Result<RoleRow> {
    let result = grant_role_checked(store, cap, who, user_id, role, org_id, member_id).await;
    // A refused grant is a security event too.
    if let Err(e @ (StoreError::Rule(_) | StoreError::Invalid(_) | StoreError::NotFound)) = &result {
        let reason = match e {
            StoreError::Invalid(v) => v.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；"),
            other => other.to_string(),
        };
        store
            .audit(
                who,
                Event::ok("role_grant", "user", user_id)
                    .outcome(Outcome::Failure)
                    .detail(format!("{} org={org_id:?} member={member_id:?}：{reason}", role.as_str())),
            )
            .await?;
    }
    result
}

pub(crate) async fn grant_role_checked(
    store: &Store,
    _cap: SecurityAdmin,
    who: &Who,
    user_id: i64,
    role: Role,
    org_id: Option<i64>,
    member_id: Option<i64>,
) -> Result<RoleRow> {
    let user = user_by_id(store, user_id).await?;
    let existing = roles_of(store, user.id).await?;
    let mut all: Vec<Role> = existing.iter().map(|r| r.role).collect();
    if all.contains(&role) && existing.iter().any(|r| r.role == role && r.org_id == org_id && r.member_id == member_id)
    {
        return Err(StoreError::Rule("该账号已有此角色".into()));
    }
    all.push(role);
    check_role_combination(&all)?;
    let (org_id, member_id) = if role.needs_org() {
        let oid = org_id.ok_or_else(|| StoreError::invalid("org_id", "该角色须指定所属组织"))?;
        let org =
            crate::org::anchor_of(store.db.r(), oid).await.map_err(|_| StoreError::invalid("org_id", "组织不存在"))?;
        let want: &[OrgKind] = match role {
            Role::CommitteeAdmin => &[OrgKind::WorkingCommittee],
            Role::UnitAdmin => &[OrgKind::Unit],
            Role::BranchSecretary => &[OrgKind::Branch],
            _ => &[OrgKind::WorkingCommittee, OrgKind::Unit],
        };
        if !want.contains(&org.kind()) {
            let names: Vec<&str> = want.iter().map(|k| k.label()).collect();
            return Err(StoreError::invalid("org_id", format!("{}须绑定到{}", role.label(), names.join("或"))));
        }
        (Some(oid), None)
    } else if role.needs_member() {
        let mid = member_id.ok_or_else(|| StoreError::invalid("member_id", "党员角色须绑定党员档案"))?;
        #[derive(sqlx::FromRow)]
        struct M {
            org_id: i64,
        }
        let m: M = store
            .db
            .r()
            .fetch_optional(q!("SELECT org_id FROM members WHERE id = $1", mid))
            .await?
            .ok_or_else(|| StoreError::invalid("member_id", "党员档案不存在"))?;
        (Some(m.org_id), Some(mid))
    } else {
        (None, None)
    };
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO user_roles (id, user_id, role, org_id, member_id, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id, user.id, role.as_str(), org_id, member_id, who.username.clone(), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("role_grant", "user", user.id).detail(format!(
            "{} {} org={:?} member={:?}",
            user.username,
            role.as_str(),
            org_id,
            member_id
        )),
    )
    .await?;
    tx.commit().await?;
    store
        .db
        .r()
        .fetch_one(q!(
            "SELECT id, user_id, role, org_id, member_id, granted_by, granted_at FROM user_roles WHERE id = $1",
            id
        ))
        .await
}

#[tracing::instrument(skip_all)]
pub async fn revoke_role(store: &Store, _cap: SecurityAdmin, who: &Who, role_id: i64) -> Result<()> {
    let mut tx = store.db.begin().await?;
    let row: Option<RoleRow> = tx
        .c()
        .fetch_optional(q!(
            "SELECT id, user_id, role, org_id, member_id, granted_by, granted_at FROM user_roles WHERE id = $1",
            role_id
        ))
        .await?;
    let row = row.ok_or(StoreError::NotFound)?;
    tx.c().execute(q!("DELETE FROM user_roles WHERE id = $1", role_id)).await?;
    // Sessions acting under the revoked role end.
    tx.c().execute(q!("DELETE FROM sessions WHERE role_id = $1", role_id)).await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("role_revoke", "user", row.user_id).detail(row.role.as_str()),
    )
    .await?;
    tx.commit().await
}

/// One page of the accounts whose user name or name contains `text`, with
/// their roles and the total, in the order they were made.
#[tracing::instrument(skip_all)]
pub async fn users(
    store: &Store,
    _reader: &impl xianfeng_core::auth::ReadsAccounts,
    text: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<(UserRow, Vec<RoleRow>)>> {
    let mut q = Q::new(format!("SELECT {USER_COLS} FROM users WHERE 1=1"));
    let text = xianfeng_core::text::to_halfwidth(text.trim());
    if !text.is_empty() {
        let like = format!("%{}%", crate::db::like_escape(&text));
        q.push(" AND (username LIKE ").bind(like.clone()).push(" ESCAPE '\\' OR display_name LIKE ").bind(like);
        q.push(" ESCAPE '\\'");
        if let Ok(id) = text.parse::<i64>() {
            q.push(" OR id = ").bind(id);
        }
        q.push(")");
    }
    let found: Page<UserRow> = crate::fetch_page(store, q, "id", page, per_page).await?;
    let mut roles: Vec<RoleRow> = Vec::new();
    if let (Some(first), Some(last)) = (found.items.first(), found.items.last()) {
        roles = store
            .db
            .r()
            .fetch_all(q!(
                "SELECT id, user_id, role, org_id, member_id, granted_by, granted_at FROM user_roles \
                 WHERE user_id >= $1 AND user_id <= $2 ORDER BY id",
                first.id,
                last.id
            ))
            .await?;
    }
    let items = found
        .items
        .into_iter()
        .map(|u| {
            let r = roles.iter().filter(|r| r.user_id == u.id).cloned().collect();
            (u, r)
        })
        .collect();
    Ok(Page { items, total: found.total, page: found.page, per_page: found.per_page })
}

/// A role as the security administrator's list shows it: whose, and bound to
/// which org or member record, by name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RoleListRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub member_id: Option<i64>,
    pub member_name: Option<String>,
    pub granted_by: String,
    pub granted_at: i64,
}

impl RoleListRow {
    pub fn label(&self) -> &'static str {
        self.role.label()
    }
    /// What the role is bound to, in words.
    pub fn binding(&self) -> String {
        match (self.org_id, &self.org_name, self.member_id, &self.member_name) {
            (_, _, Some(_), Some(name)) => format!("党员 {name}"),
            (_, _, Some(m), None) => format!("党员档案 {m}（已不存在）"),
            (Some(_), Some(name), None, _) => name.clone(),
            (Some(o), None, None, _) => format!("组织 {o}（已不存在）"),
            _ => "全局".into(),
        }
    }
}

/// One page of the roles granted, newest last, of accounts whose user name or
/// name contains `text`, with the total.
#[tracing::instrument(skip_all)]
pub async fn role_list(
    store: &Store,
    _reader: &impl xianfeng_core::auth::ReadsAccounts,
    text: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<RoleListRow>> {
    let mut q = Q::new(
        "SELECT r.id, r.user_id, u.username, u.display_name, r.role, r.org_id, o.name AS org_name, r.member_id, \
         m.name AS member_name, r.granted_by, r.granted_at FROM user_roles r JOIN users u ON u.id = r.user_id \
         LEFT JOIN orgs o ON o.id = r.org_id LEFT JOIN members m ON m.id = r.member_id WHERE 1=1",
    );
    let text = xianfeng_core::text::to_halfwidth(text.trim());
    if !text.is_empty() {
        let like = format!("%{}%", crate::db::like_escape(&text));
        q.push(" AND (u.username LIKE ").bind(like.clone()).push(" ESCAPE '\\' OR u.display_name LIKE ").bind(like);
        q.push(" ESCAPE '\\')");
    }
    crate::fetch_page(store, q, "r.id", page, per_page).await
}

/// Enables or disables an account; disabling ends its sessions.
#[tracing::instrument(skip_all)]
pub async fn set_active(store: &Store, _cap: UserAdmin, who: &Who, user_id: i64, active: bool) -> Result<()> {
    let u = user_by_id(store, user_id).await?;
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!("UPDATE users SET active = $1, failed_logins = 0, locked_until = 0 WHERE id = $2", active, u.id))
        .await?;
    if !active {
        tx.c().execute(q!("DELETE FROM sessions WHERE user_id = $1", u.id)).await?;
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("user_update", "user", u.id).detail(if active { "启用" } else { "停用" }),
    )
    .await?;
    tx.commit().await
}
