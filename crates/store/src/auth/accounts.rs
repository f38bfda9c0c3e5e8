//! Accounts: creating users, granting and revoking roles, the list, (de)activation.

use super::*;
use xianfeng_core::audit::Outcome;

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

/// All accounts (system and security administrators' lists).
#[tracing::instrument(skip_all)]
pub async fn list_users(
    store: &Store,
    _reader: &impl xianfeng_core::auth::ReadsAccounts,
) -> Result<Vec<(UserRow, Vec<RoleRow>)>> {
    let users: Vec<UserRow> = store.db.r().fetch_all(q!(format!("SELECT {USER_COLS} FROM users ORDER BY id"))).await?;
    let roles: Vec<RoleRow> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT id, user_id, role, org_id, member_id, granted_by, granted_at FROM user_roles ORDER BY id"
        ))
        .await?;
    Ok(users
        .into_iter()
        .map(|u| {
            let r = roles.iter().filter(|r| r.user_id == u.id).cloned().collect();
            (u, r)
        })
        .collect())
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
