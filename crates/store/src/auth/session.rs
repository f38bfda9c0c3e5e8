//! Sessions: the cookie's row, the actor it carries, switching roles, signing out.

use super::*;

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
#[tracing::instrument(skip_all)]
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
    // The account and its roles at once, over two connections.
    let (user, roles) = tokio::join!(user_by_id(store, row.user_id), roles_of(store, row.user_id));
    let (user, roles) = (user?, roles?);
    if !user.active {
        return Ok(None);
    }
    if now - row.last_seen > 30_000 {
        let mut tx = store.db.begin().await?;
        tx.c().execute(q!("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2", now, hash)).await?;
        tx.commit().await?;
        row.last_seen = now;
    }
    let binding = row.role_id.and_then(|id| roles.iter().find(|r| r.id == id)).or(roles.first());
    let actor = match binding {
        Some(b) => Some(actor_for(store, &user, b).await?),
        None => None,
    };
    let password_expired = now - user.password_changed_at > policy.password_expiry_days * 86_400_000;
    Ok(Some(Session { row, user, roles, actor, password_expired }))
}

/// Builds the actor for a role binding.
#[tracing::instrument(skip_all)]
pub async fn actor_for(store: &Store, user: &UserRow, b: &RoleRow) -> Result<Actor> {
    let role = b.role;
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
#[tracing::instrument(skip_all)]
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

#[tracing::instrument(skip_all)]
pub async fn logout(store: &Store, token: &str, who: &Who) -> Result<()> {
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("DELETE FROM sessions WHERE token_hash = $1", sm3_hex(token.as_bytes()))).await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("logout", "user", who.user_id.unwrap_or(0))).await?;
    tx.commit().await
}

/// Opens a session directly (after a password change, for the same browser).
#[tracing::instrument(skip_all)]
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
