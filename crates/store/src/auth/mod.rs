//! Accounts, role bindings and server-side sessions.

use serde::Serialize;
use xianfeng_core::auth::{Actor, Role, SecurityAdmin, UserAdmin, check_password, check_role_combination};
use xianfeng_core::crypto::{hash_password, random_hex, sm3_hex, verify_password};
use xianfeng_core::org::OrgKind;
use xianfeng_core::rules::SecurityPolicy;
use xianfeng_core::text::now_ms;

use crate::audit::{Event, append};
use crate::{Result, Store, StoreError, Who, q};

mod accounts;
mod login;
mod session;

pub use self::accounts::*;
pub use self::login::*;
pub use self::session::*;

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
    pub role: Role,
    pub org_id: Option<i64>,
    pub member_id: Option<i64>,
    pub granted_by: String,
    pub granted_at: i64,
}

impl RoleRow {
    pub fn label(&self) -> &'static str {
        self.role.label()
    }
}

#[tracing::instrument(skip_all)]
pub async fn user_by_name(store: &Store, username: &str) -> Result<Option<UserRow>> {
    store.db.r().fetch_optional(q!(format!("SELECT {USER_COLS} FROM users WHERE username = $1"), username)).await
}

#[tracing::instrument(skip_all)]
pub async fn user_by_id(store: &Store, id: i64) -> Result<UserRow> {
    store.db.r().fetch_one(q!(format!("SELECT {USER_COLS} FROM users WHERE id = $1"), id)).await
}

#[tracing::instrument(skip_all)]
pub async fn roles_of(store: &Store, user_id: i64) -> Result<Vec<RoleRow>> {
    store
        .db
        .r()
        .fetch_all(q!("SELECT id, user_id, role, org_id, member_id, granted_by, granted_at FROM user_roles WHERE user_id = $1 ORDER BY id", user_id))
        .await
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
