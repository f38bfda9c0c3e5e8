//! Accounts, role bindings and server-side sessions.

use serde::Serialize;
use xianfeng_core::auth::{Actor, Role, SecurityAdmin, UserAdmin, check_password, check_role_combination};
use xianfeng_core::crypto::{hash_password, random_hex, sm3_hex, verify_password};
use xianfeng_core::org::OrgKind;
use xianfeng_core::rules::SecurityPolicy;
use xianfeng_core::text::now_ms;

use crate::audit::{Event, append};
use crate::{Result, Store, StoreError, Who, q};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub password_changed_at: i64,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub active: bool,
    pub created_at: i64,
    pub created_by: String,
    /// When the account was last (re)activated through a ticket: positive
    /// until the first sign-in after it, negative until the owner acknowledges
    /// the notice, 0 otherwise.
    pub reset_notice_at: i64,
}

impl UserRow {
    pub fn is_locked(&self, now: i64) -> bool {
        self.locked_until > now
    }
}

const USER_COLS: &str = "id, username, display_name, password_hash, must_change_password, password_changed_at, failed_logins, locked_until, active, created_at, created_by, reset_notice_at";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RoleRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub org_id: Option<i64>,
    pub member_id: Option<i64>,
    pub granted_by: String,
    pub granted_at: i64,
}

impl RoleRow {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
    pub fn label(&self) -> &'static str {
        self.role().map(|r| r.label()).unwrap_or("未知角色")
    }
}

pub async fn user_by_name(store: &Store, username: &str) -> Result<Option<UserRow>> {
    store.db.r().fetch_optional(q!(format!("SELECT {USER_COLS} FROM users WHERE username = $1"), username)).await
}

pub async fn user_by_id(store: &Store, id: i64) -> Result<UserRow> {
    store.db.r().fetch_one(q!(format!("SELECT {USER_COLS} FROM users WHERE id = $1"), id)).await
}

pub async fn roles_of(store: &Store, user_id: i64) -> Result<Vec<RoleRow>> {
    store
        .db
        .r()
        .fetch_all(q!("SELECT id, user_id, role, org_id, member_id, granted_by, granted_at FROM user_roles WHERE user_id = $1 ORDER BY id", user_id))
        .await
}

fn check_username(username: &str) -> Result<()> {
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
                    .outcome("failure")
                    .detail(format!("{} org={org_id:?} member={member_id:?}：{reason}", role.as_str())),
            )
            .await?;
    }
    result
}

async fn grant_role_checked(
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
    let mut all: Vec<Role> = existing.iter().filter_map(|r| r.role()).collect();
    if all.contains(&role)
        && existing.iter().any(|r| r.role() == Some(role) && r.org_id == org_id && r.member_id == member_id)
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
    append(&mut tx, &store.keys.audit_key, who, Event::ok("role_revoke", "user", row.user_id).detail(row.role.clone()))
        .await?;
    tx.commit().await
}

/// All accounts (system and security administrators' lists).
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

/// The result of a sign-in attempt.
#[derive(Debug)]
pub enum LoginOutcome {
    Ok {
        token: String,
        csrf: String,
        user: UserRow,
        must_change: bool,
        expired: bool,
    },
    /// Wrong username or password (the same answer for both).
    Failed {
        remaining: i64,
    },
    Locked {
        until_ms: i64,
    },
    Disabled,
}

fn anon(username: &str, ip: &str) -> Who {
    Who { user_id: None, username: username.to_string(), role: String::new(), ip: ip.to_string() }
}

/// Argon2 runs on the blocking pool, at most two hashes at a time: a flood of
/// sign-ins neither stalls the async workers (every other request) nor takes
/// more than the hashing share of the machine.
fn hashing() -> &'static tokio::sync::Semaphore {
    static SEM: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SEM.get_or_init(|| tokio::sync::Semaphore::new(2))
}

/// Checks a password against a PHC hash off the async workers.
pub async fn verify_password_off_thread(password: &str, phc: &str) -> bool {
    let Ok(_permit) = hashing().acquire().await else { return false };
    let (p, h) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify_password(&p, &h)).await.unwrap_or(false)
}

/// Hashes a password off the async workers.
pub async fn hash_password_off_thread(password: &str) -> String {
    let permit = hashing().acquire().await;
    let p = password.to_string();
    let h = tokio::task::spawn_blocking(move || hash_password(&p)).await.unwrap_or_default();
    drop(permit);
    h
}

/// A hash of a throwaway password: refusals that need no check still take
/// as long as a check, so timing tells nothing either.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$XvyV8J7qGGrK3Ko0GBZ6nE3mlPX9s1BDPZ1UI6Qd9Zk";

/// Checks a password, counts failures, locks after too many, and on success
/// opens a session under the user's first role.
///
/// Failures are counted in one statement (`failed_logins + 1`) inside the
/// write transaction, so parallel attempts all count and the lock holds under
/// any concurrency. The outcome tells the caller why (for the audit and the
/// tests); what a person is shown is the same for every refusal.
pub async fn login(store: &Store, username: &str, password: &str, ip: &str) -> Result<LoginOutcome> {
    let policy: SecurityPolicy = store.rule().await?;
    let username = username.trim();
    let Some(user) = user_by_name(store, username).await? else {
        let _ = verify_password_off_thread(password, DUMMY_HASH).await;
        store
            .audit(&anon(username, ip), Event::ok("login", "user", "").outcome("failure").detail("用户不存在"))
            .await?;
        return Ok(LoginOutcome::Failed { remaining: policy.lock_after_failures });
    };
    let who = Who { user_id: Some(user.id), username: user.username.clone(), role: String::new(), ip: ip.to_string() };
    if !user.active {
        let _ = verify_password_off_thread(password, DUMMY_HASH).await;
        store.audit(&who, Event::ok("login", "user", user.id).outcome("failure").detail("账号已停用")).await?;
        return Ok(LoginOutcome::Disabled);
    }
    if user.is_locked(now_ms()) {
        let _ = verify_password_off_thread(password, DUMMY_HASH).await;
        store.audit(&who, Event::ok("login", "user", user.id).outcome("failure").detail("账号锁定中")).await?;
        return Ok(LoginOutcome::Locked { until_ms: user.locked_until });
    }
    let ok = verify_password_off_thread(password, &user.password_hash).await;
    let now = now_ms();
    let mut tx = store.db.begin().await?;
    // Read again inside the write transaction: a lock set meanwhile holds.
    let locked_until =
        tx.c().fetch_scalar_i64(q!("SELECT locked_until AS v FROM users WHERE id = $1", user.id)).await?;
    if locked_until > now {
        append(
            &mut tx,
            &store.keys.audit_key,
            &who,
            Event::ok("login", "user", user.id).outcome("failure").detail("账号锁定中"),
        )
        .await?;
        tx.commit().await?;
        return Ok(LoginOutcome::Locked { until_ms: locked_until });
    }
    if !ok {
        let failures = tx
            .c()
            .fetch_scalar_i64(q!(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins AS v",
                user.id
            ))
            .await?;
        append(
            &mut tx,
            &store.keys.audit_key,
            &who,
            Event::ok("login", "user", user.id).outcome("failure").detail("密码错误"),
        )
        .await?;
        if failures >= policy.lock_after_failures {
            let until = now + policy.lock_minutes * 60_000;
            tx.c()
                .execute(q!("UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2", until, user.id))
                .await?;
            append(
                &mut tx,
                &store.keys.audit_key,
                &who,
                Event::ok("lockout", "user", user.id)
                    .detail(format!("连续{failures}次失败，锁定{}分钟", policy.lock_minutes)),
            )
            .await?;
            tx.commit().await?;
            return Ok(LoginOutcome::Locked { until_ms: until });
        }
        tx.commit().await?;
        return Ok(LoginOutcome::Failed { remaining: policy.lock_after_failures - failures });
    }
    let roles = roles_of(store, user.id).await?;
    let token = random_hex(32);
    let csrf = random_hex(16);
    let expired = now - user.password_changed_at > policy.password_expiry_days * 86_400_000;
    tx.c().execute(q!("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1", user.id)).await?;
    tx.c()
        .execute(q!(
            "INSERT INTO sessions (token_hash, user_id, role_id, csrf_token, created_at, last_seen, ip) VALUES ($1, $2, $3, $4, $5, $5, $6)",
            sm3_hex(token.as_bytes()), user.id, roles.first().map(|r| r.id), csrf.clone(), now, ip
        ))
        .await?;
    let who = Who { role: roles.first().map(|r| r.role.clone()).unwrap_or_default(), ..who };
    let mut event = Event::ok("login", "user", user.id);
    if user.reset_notice_at > 0 {
        // The first sign-in after an activation or reset, said so to the auditor.
        tx.c().execute(q!("UPDATE users SET reset_notice_at = -reset_notice_at WHERE id = $1", user.id)).await?;
        event = event.detail("启用或重置密码后首次登录");
    }
    append(&mut tx, &store.keys.audit_key, &who, event).await?;
    tx.commit().await?;
    let must_change = user.must_change_password;
    Ok(LoginOutcome::Ok { token, csrf, user, must_change, expired })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: i64,
    pub role_id: Option<i64>,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub ip: String,
}

/// A live session with the actor it acts as.
#[derive(Debug, Clone)]
pub struct Session {
    pub row: SessionRow,
    pub user: UserRow,
    pub roles: Vec<RoleRow>,
    /// None when the user has no role yet (or only must change the password).
    pub actor: Option<Actor>,
    pub password_expired: bool,
}

/// Resolves a session token; a session idle past the timeout, or older than
/// the absolute lifetime however active, ends here.
pub async fn session(store: &Store, token: &str) -> Result<Option<Session>> {
    let policy: SecurityPolicy = store.rule().await?;
    let hash = sm3_hex(token.as_bytes());
    let row: Option<SessionRow> = store
        .db
        .r()
        .fetch_optional(q!("SELECT token_hash, user_id, role_id, csrf_token, created_at, last_seen, ip FROM sessions WHERE token_hash = $1", hash.clone()))
        .await?;
    let Some(mut row) = row else { return Ok(None) };
    let now = now_ms();
    let idle = now - row.last_seen > policy.idle_timeout_minutes * 60_000;
    let too_old = now - row.created_at > policy.session_max_hours * 3_600_000;
    if idle || too_old {
        let mut tx = store.db.begin().await?;
        tx.c().execute(q!("DELETE FROM sessions WHERE token_hash = $1", hash)).await?;
        tx.commit().await?;
        return Ok(None);
    }
    let user = user_by_id(store, row.user_id).await?;
    if !user.active {
        return Ok(None);
    }
    if now - row.last_seen > 30_000 {
        let mut tx = store.db.begin().await?;
        tx.c().execute(q!("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2", now, hash)).await?;
        tx.commit().await?;
        row.last_seen = now;
    }
    let roles = roles_of(store, user.id).await?;
    let binding = row.role_id.and_then(|id| roles.iter().find(|r| r.id == id)).or(roles.first());
    let actor = match binding {
        Some(b) => Some(actor_for(store, &user, b).await?),
        None => None,
    };
    let password_expired = now - user.password_changed_at > policy.password_expiry_days * 86_400_000;
    Ok(Some(Session { row, user, roles, actor, password_expired }))
}

/// Builds the actor for a role binding.
pub async fn actor_for(store: &Store, user: &UserRow, b: &RoleRow) -> Result<Actor> {
    let role = b.role().ok_or_else(|| StoreError::Rule("未知角色".into()))?;
    let org = match b.org_id {
        Some(id) => Some(crate::org::anchor_of(store.db.r(), id).await?.anchor()),
        None => None,
    };
    Ok(Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role,
        org,
        member_id: b.member_id,
    })
}

/// Switches the role a session acts under.
pub async fn switch_role(store: &Store, token: &str, user_id: i64, role_id: i64) -> Result<()> {
    let roles = roles_of(store, user_id).await?;
    if !roles.iter().any(|r| r.id == role_id) {
        return Err(StoreError::NotFound);
    }
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "UPDATE sessions SET role_id = $1 WHERE token_hash = $2 AND user_id = $3",
            role_id,
            sm3_hex(token.as_bytes()),
            user_id
        ))
        .await?;
    tx.commit().await
}

pub async fn logout(store: &Store, token: &str, who: &Who) -> Result<()> {
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("DELETE FROM sessions WHERE token_hash = $1", sm3_hex(token.as_bytes()))).await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("logout", "user", who.user_id.unwrap_or(0))).await?;
    tx.commit().await
}

/// Checks a new password against the policy and the account's recent ones
/// (the current one included).
pub(crate) async fn check_new_password(store: &Store, user: &UserRow, new: &str) -> Result<()> {
    let policy: SecurityPolicy = store.rule().await?;
    check_password(&policy, &user.username, new)?;
    #[derive(sqlx::FromRow)]
    struct H {
        password_hash: String,
    }
    let recent: Vec<H> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2",
            user.id,
            policy.password_history
        ))
        .await?;
    let mut reused = verify_password_off_thread(new, &user.password_hash).await;
    for h in &recent {
        reused = reused || verify_password_off_thread(new, &h.password_hash).await;
    }
    if reused {
        return Err(StoreError::invalid(
            "password",
            format!("新密码不能与最近{}次使用过的密码相同", policy.password_history),
        ));
    }
    Ok(())
}

/// Stores a new password hash and keeps it in the history; `activated` also
/// unlocks the account and starts the owner's notice of the (re)activation.
pub(crate) async fn set_password(
    tx: &mut crate::db::Tx,
    user_id: i64,
    hash: &str,
    now: i64,
    activated: bool,
) -> Result<()> {
    let sql = if activated {
        "UPDATE users SET password_hash = $1, must_change_password = FALSE, password_changed_at = $2, failed_logins = 0, \
         locked_until = 0, reset_notice_at = $2 WHERE id = $3"
    } else {
        "UPDATE users SET password_hash = $1, must_change_password = FALSE, password_changed_at = $2 WHERE id = $3"
    };
    tx.c().execute(q!(sql, hash, now, user_id)).await?;
    tx.c()
        .execute(q!(
            "INSERT INTO password_history (user_id, created_at, password_hash) VALUES ($1, $2, $3)",
            user_id,
            now,
            hash
        ))
        .await?;
    Ok(())
}

/// Changes a password after checking the old one, the policy and the history.
/// Every session of the user ends; the caller signs in again.
pub async fn change_password(store: &Store, who: &Who, user_id: i64, old: &str, new: &str) -> Result<()> {
    let user = user_by_id(store, user_id).await?;
    if !verify_password_off_thread(old, &user.password_hash).await {
        store.audit(who, Event::ok("password_change", "user", user.id).outcome("failure").detail("原密码错误")).await?;
        return Err(StoreError::invalid("old_password", "原密码不正确"));
    }
    check_new_password(store, &user, new).await?;
    let hash = hash_password_off_thread(new).await;
    let mut tx = store.db.begin().await?;
    set_password(&mut tx, user.id, &hash, now_ms(), false).await?;
    tx.c().execute(q!("DELETE FROM sessions WHERE user_id = $1", user.id)).await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("password_change", "user", user.id)).await?;
    tx.commit().await
}

/// Opens a session directly (after a password change, for the same browser).
pub async fn open_session(store: &Store, user_id: i64, role_id: Option<i64>, ip: &str) -> Result<(String, String)> {
    let token = random_hex(32);
    let csrf = random_hex(16);
    let now = now_ms();
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO sessions (token_hash, user_id, role_id, csrf_token, created_at, last_seen, ip) VALUES ($1, $2, $3, $4, $5, $5, $6)",
            sm3_hex(token.as_bytes()), user_id, role_id, csrf.clone(), now, ip
        ))
        .await?;
    tx.commit().await?;
    Ok((token, csrf))
}
