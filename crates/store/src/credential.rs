//! Activation and password resets that no single administrator can complete.
//!
//! The system administrator opens a ticket (a new account, or a reset) and is
//! shown the first half of an activation code; the account's password stops
//! working at once. A security administrator — or, for a security
//! administrator's own account, an audit administrator — approves it and is
//! shown the second half. The owner, given both halves (in person or sealed),
//! sets a password at /activate. Neither administrator alone can sign in as
//! the account, and none can approve a ticket for their own account. Every
//! step, and the first sign-in after it, is audited; the owner sees a notice
//! until they acknowledge it.

use serde::Serialize;
use xianfeng_core::auth::{CredentialApprover, Role, UserAdmin};
use xianfeng_core::crypto::{activation_code, normalize_code, sm3_hex};
use xianfeng_core::text::now_ms;

use crate::audit::{Event, append};
use crate::auth::{hash_password_off_thread, roles_of, user_by_id, user_by_name};
use crate::db::Tx;
use crate::{Result, Store, StoreError, Who, q};

/// How long a ticket waits for its approval and its use.
pub const TICKET_HOURS: i64 = 72;
/// Wrong codes a ticket takes before it is void.
pub const TICKET_TRIES: i64 = 5;
/// What a password hash reads while an account waits for its owner: no
/// password verifies against it.
pub const NO_PASSWORD: &str = "!awaiting-activation";

use xianfeng_core::audit::Outcome;
pub use xianfeng_core::auth::{Purpose, TicketState};
use xianfeng_core::states::sql;
use xianfeng_core::states::sql_in;

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: i64,
    user_id: i64,
    purpose: Purpose,
    state: TicketState,
    requested_by: String,
    requested_by_id: Option<i64>,
    part_a_hash: String,
    part_b_hash: String,
    expires_at: i64,
}

/// A ticket as the administrators' lists show it (never the codes).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Ticket {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub purpose: Purpose,
    pub state: TicketState,
    pub requested_by: String,
    pub requested_at: i64,
    pub approved_by: String,
    pub expires_at: i64,
}

/// What the opening administrator is shown once.
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    pub ticket_id: i64,
    pub user_id: i64,
    /// The first half of the activation code.
    pub part_a: String,
}

fn code_hash(ticket_id: i64, part: &str) -> String {
    sm3_hex(format!("{ticket_id}:{}", normalize_code(part)).as_bytes())
}

/// Opens a ticket inside the caller's transaction: voids the account's open
/// tickets, makes its password unusable, ends its sessions.
pub(crate) async fn open_in(tx: &mut Tx, store: &Store, who: &Who, user_id: i64, purpose: Purpose) -> Result<Opened> {
    let now = now_ms();
    tx.c()
        .execute(q!(
            format!(
                "UPDATE credential_tickets SET state = {void} WHERE user_id = $1 AND state IN {waiting}",
                waiting = sql_in(&[TicketState::Pending, TicketState::Approved]),
                void = sql(TicketState::Void)
            ),
            user_id
        ))
        .await?;
    tx.c()
        .execute(q!(
            "UPDATE users SET password_hash = $1, must_change_password = FALSE, failed_logins = 0, locked_until = 0 WHERE id = $2",
            NO_PASSWORD,
            user_id
        ))
        .await?;
    tx.c().execute(q!("DELETE FROM sessions WHERE user_id = $1", user_id)).await?;
    let id = tx.alloc_id().await?;
    let part_a = activation_code();
    tx.c()
        .execute(q!(
            "INSERT INTO credential_tickets (id, user_id, purpose, state, requested_by, requested_by_id, requested_at, part_a_hash, expires_at) \
             VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8)",
            id, user_id, purpose.as_str(), who.username.clone(), who.user_id, now, code_hash(id, &part_a),
            now + TICKET_HOURS * 3_600_000
        ))
        .await?;
    let action = match purpose {
        Purpose::Create => "account_open",
        Purpose::Reset => "password_reset",
    };
    append(
        tx,
        &store.keys.audit_key,
        who,
        Event::ok(action, "user", user_id).detail(format!("{}：发起，待批准（启用单{id}）", purpose.label())),
    )
    .await?;
    Ok(Opened { ticket_id: id, user_id, part_a })
}

/// Resets an account's password (system administrator): the old password
/// stops working, and the owner sets a new one with both halves of the code.
/// An administrator resets no password of their own here.
#[tracing::instrument(skip_all)]
pub async fn reset_password(store: &Store, _cap: UserAdmin, who: &Who, user_id: i64) -> Result<Opened> {
    let u = user_by_id(store, user_id).await?;
    if who.user_id == Some(u.id) {
        return Err(StoreError::Rule("不能重置本人的密码；请在“修改密码”中修改".into()));
    }
    let mut tx = store.db.begin().await?;
    let opened = open_in(&mut tx, store, who, u.id, Purpose::Reset).await?;
    tx.commit().await?;
    Ok(opened)
}

async fn ticket_row(store: &Store, id: i64) -> Result<Row> {
    store
        .db
        .r()
        .fetch_one(q!(
            "SELECT id, user_id, purpose, state, requested_by, requested_by_id, part_a_hash, part_b_hash, expires_at \
             FROM credential_tickets WHERE id = $1",
            id
        ))
        .await
}

/// Open tickets (waiting for approval or for their owner), newest first.
#[tracing::instrument(skip_all)]
pub async fn open_tickets(store: &Store, _cap: &CredentialApprover) -> Result<Vec<Ticket>> {
    store
        .db
        .r()
        .fetch_all(q!(
            format!(
                "SELECT t.id, t.user_id, u.username, u.display_name, t.purpose, t.state, t.requested_by, t.requested_at, t.approved_by, t.expires_at \
                 FROM credential_tickets t JOIN users u ON u.id = t.user_id \
                 WHERE t.state IN {} AND t.expires_at > $1 ORDER BY t.requested_at DESC",
                sql_in(&[TicketState::Pending, TicketState::Approved])
            ),
            now_ms()
        ))
        .await
}

/// Approves a ticket and returns the second half of the code (shown once).
#[tracing::instrument(skip_all)]
pub async fn approve(store: &Store, cap: &CredentialApprover, who: &Who, ticket_id: i64) -> Result<String> {
    let t = ticket_row(store, ticket_id).await?;
    let roles: Vec<Role> = roles_of(store, t.user_id).await?.iter().map(|r| r.role).collect();
    let refusal = match t.state {
        TicketState::Pending if t.expires_at <= now_ms() => Some("启用单已过期，请系统管理员重新发起".to_string()),
        TicketState::Pending => cap.may_approve(t.user_id, &roles, t.requested_by_id).err().map(|e| e.to_string()),
        other => Some(format!("启用单{}，不能再批准", other.label())),
    };
    if let Some(why) = refusal {
        store
            .audit(who, Event::ok("credential_approve", "user", t.user_id).outcome(Outcome::Denied).detail(why.clone()))
            .await?;
        return Err(StoreError::Rule(why));
    }
    let part_b = activation_code();
    let now = now_ms();
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            format!("UPDATE credential_tickets SET state = {approved}, approved_by = $1, approved_by_id = $2, approved_at = $3, part_b_hash = $4 \
             WHERE id = $5 AND state = {pending}", approved = sql(TicketState::Approved), pending = sql(TicketState::Pending)),
            who.username.clone(), who.user_id, now, code_hash(t.id, &part_b), t.id
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Stale);
    }
    let purpose = t.purpose;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("credential_approve", "user", t.user_id).detail(format!(
            "{}：批准（启用单{}，发起人 {}）",
            purpose.label(),
            t.id,
            t.requested_by
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(part_b)
}

/// The owner sets a password with both halves of the code. Wrong codes count
/// against the ticket (void after five); the answer does not say which half
/// was wrong, nor whether the account exists.
#[tracing::instrument(skip_all)]
pub async fn activate(
    store: &Store,
    username: &str,
    part_a: &str,
    part_b: &str,
    password: &str,
    ip: &str,
) -> Result<()> {
    let refused = || StoreError::Rule("用户名或启用码不正确，或启用单已失效（请联系系统管理员）".into());
    let who_anon =
        Who { user_id: None, username: username.trim().to_string(), role: String::new(), ip: ip.to_string() };
    let Some(user) = user_by_name(store, username.trim()).await? else {
        store
            .audit(&who_anon, Event::ok("account_activate", "user", "").outcome(Outcome::Failure).detail("用户不存在"))
            .await?;
        return Err(refused());
    };
    let who = Who { user_id: Some(user.id), ..who_anon };
    let row: Option<Row> = store
        .db
        .r()
        .fetch_optional(q!(
            format!("SELECT id, user_id, purpose, state, requested_by, requested_by_id, part_a_hash, part_b_hash, expires_at \
             FROM credential_tickets WHERE user_id = $1 AND state = {approved} AND expires_at > $2 ORDER BY id DESC LIMIT 1", approved = sql(TicketState::Approved)),
            user.id,
            now_ms()
        ))
        .await?;
    let Some(t) = row else {
        store
            .audit(
                &who,
                Event::ok("account_activate", "user", user.id).outcome(Outcome::Failure).detail("无可用的启用单"),
            )
            .await?;
        return Err(refused());
    };
    let ok_a = constant_eq(&code_hash(t.id, part_a), &t.part_a_hash);
    let ok_b = constant_eq(&code_hash(t.id, part_b), &t.part_b_hash);
    if !(ok_a && ok_b) {
        let mut tx = store.db.begin().await?;
        let failures = tx
            .c()
            .fetch_scalar_i64(q!(
                "UPDATE credential_tickets SET failures = failures + 1 WHERE id = $1 RETURNING failures AS v",
                t.id
            ))
            .await?;
        if failures >= TICKET_TRIES {
            tx.c()
                .execute(q!(
                    format!(
                        "UPDATE credential_tickets SET state = {void} WHERE id = $1",
                        void = sql(TicketState::Void)
                    ),
                    t.id
                ))
                .await?;
        }
        let detail = if failures >= TICKET_TRIES { "启用码错误，启用单作废" } else { "启用码错误" };
        append(
            &mut tx,
            &store.keys.audit_key,
            &who,
            Event::ok("account_activate", "user", user.id).outcome(Outcome::Failure).detail(detail),
        )
        .await?;
        tx.commit().await?;
        return Err(refused());
    }
    crate::auth::check_new_password(store, &user, password).await?;
    let hash = hash_password_off_thread(password).await;
    let now = now_ms();
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            format!(
                "UPDATE credential_tickets SET state = {used}, used_at = $1 WHERE id = $2 AND state = {approved}",
                approved = sql(TicketState::Approved),
                used = sql(TicketState::Used)
            ),
            now,
            t.id
        ))
        .await?;
    if n != 1 {
        return Err(refused());
    }
    crate::auth::set_password(&mut tx, user.id, &hash, now, true).await?;
    let purpose = t.purpose;
    append(
        &mut tx,
        &store.keys.audit_key,
        &who,
        Event::ok("account_activate", "user", user.id).detail(format!(
            "{}：本人设置密码（启用单{}）",
            purpose.label(),
            t.id
        )),
    )
    .await?;
    tx.commit().await
}

/// The owner has read the notice that their account was (re)activated.
#[tracing::instrument(skip_all)]
pub async fn acknowledge_notice(store: &Store, user_id: i64) -> Result<()> {
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("UPDATE users SET reset_notice_at = 0 WHERE id = $1", user_id)).await?;
    tx.commit().await
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_purposes_read_back_and_refuse_the_unknown() {
        for s in [TicketState::Pending, TicketState::Approved, TicketState::Used, TicketState::Void] {
            assert_eq!(TicketState::read(s.as_str()).unwrap(), s);
        }
        for p in [Purpose::Create, Purpose::Reset] {
            assert_eq!(Purpose::read(p.as_str()).unwrap(), p);
        }
        assert!(TicketState::read("approvedd").is_err());
        assert!(Purpose::read("").is_err());
    }

    #[test]
    fn a_code_hash_is_bound_to_its_ticket() {
        assert_eq!(code_hash(7, "ab12-cd34"), code_hash(7, "AB12CD34"));
        assert_ne!(code_hash(7, "AB12CD34"), code_hash(8, "AB12CD34"));
    }
}
