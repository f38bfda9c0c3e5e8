//! Signing in: password checks off the async threads, lockout, password changes.

use super::*;
use xianfeng_core::audit::Outcome;

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

pub(crate) fn anon(username: &str, ip: &str) -> Who {
    Who { user_id: None, username: username.to_string(), role: String::new(), ip: ip.to_string() }
}

/// Argon2 runs on the blocking pool, at most two hashes at a time: a flood of
/// sign-ins neither stalls the async workers (every other request) nor takes
/// more than the hashing share of the machine.
pub(crate) fn hashing() -> &'static tokio::sync::Semaphore {
    static SEM: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SEM.get_or_init(|| tokio::sync::Semaphore::new(2))
}

/// Checks a password against a PHC hash off the async workers.
#[tracing::instrument(skip_all)]
pub async fn verify_password_off_thread(password: &str, phc: &str) -> bool {
    let Ok(_permit) = hashing().acquire().await else { return false };
    let (p, h) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify_password(&p, &h)).await.unwrap_or(false)
}

/// Hashes a password off the async workers.
#[tracing::instrument(skip_all)]
pub async fn hash_password_off_thread(password: &str) -> String {
    let permit = hashing().acquire().await;
    let p = password.to_string();
    let h = tokio::task::spawn_blocking(move || hash_password(&p)).await.unwrap_or_default();
    drop(permit);
    h
}

/// A hash of a throwaway password: refusals that need no check still take
/// as long as a check, so timing tells nothing either.
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$XvyV8J7qGGrK3Ko0GBZ6nE3mlPX9s1BDPZ1UI6Qd9Zk";

/// Checks a password, counts failures, locks after too many, and on success
/// opens a session under the user's first role.
///
/// Failures are counted in one statement (`failed_logins + 1`) inside the
/// write transaction, so parallel attempts all count and the lock holds under
/// any concurrency. The outcome tells the caller why (for the audit and the
/// tests); what a person is shown is the same for every refusal.
#[tracing::instrument(skip_all)]
pub async fn login(store: &Store, username: &str, password: &str, ip: &str) -> Result<LoginOutcome> {
    let policy: SecurityPolicy = store.rule().await?;
    let username = username.trim();
    let Some(user) = user_by_name(store, username).await? else {
        let _ = verify_password_off_thread(password, DUMMY_HASH).await;
        store
            .audit(&anon(username, ip), Event::ok("login", "user", "").outcome(Outcome::Failure).detail("用户不存在"))
            .await?;
        return Ok(LoginOutcome::Failed { remaining: policy.lock_after_failures });
    };
    let who = Who { user_id: Some(user.id), username: user.username.clone(), role: String::new(), ip: ip.to_string() };
    if !user.active {
        let _ = verify_password_off_thread(password, DUMMY_HASH).await;
        store.audit(&who, Event::ok("login", "user", user.id).outcome(Outcome::Failure).detail("账号已停用")).await?;
        return Ok(LoginOutcome::Disabled);
    }
    if user.is_locked(now_ms()) {
        let _ = verify_password_off_thread(password, DUMMY_HASH).await;
        store.audit(&who, Event::ok("login", "user", user.id).outcome(Outcome::Failure).detail("账号锁定中")).await?;
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
            Event::ok("login", "user", user.id).outcome(Outcome::Failure).detail("账号锁定中"),
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
            Event::ok("login", "user", user.id).outcome(Outcome::Failure).detail("密码错误"),
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
    let who = Who { role: roles.first().map(|r| r.role.as_str().to_string()).unwrap_or_default(), ..who };
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

/// Changes a password after checking the old one, the policy and the history.
/// Every session of the user ends; the caller signs in again.
#[tracing::instrument(skip_all)]
pub async fn change_password(store: &Store, who: &Who, user_id: i64, old: &str, new: &str) -> Result<()> {
    let user = user_by_id(store, user_id).await?;
    if !verify_password_off_thread(old, &user.password_hash).await {
        store
            .audit(who, Event::ok("password_change", "user", user.id).outcome(Outcome::Failure).detail("原密码错误"))
            .await?;
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
