//! Accounts: sign-in, lockout, password policy and history, sessions, the
//! separation of the three administrators.

use xianfeng_core::auth::{Role, operator};
use xianfeng_core::text::now_ms;
use xianfeng_store::auth::{self, LoginOutcome};
use xianfeng_store::member::{self, MemberFilter};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{Store, StoreError, Who, q};

use crate::{exec, invalid_on};

const PASSWORD: &str = "Dangjian#2025";

/// A new account; without a password it waits for its owner and the first
/// half of its activation code comes back.
async fn new_user(store: &Store, username: &str, password: Option<&str>) -> (auth::UserRow, Option<String>) {
    let (u, opened) =
        auth::create_user(store, operator::user_admin(), &Who::operator("test"), username, "测试用户", password)
            .await
            .unwrap();
    (u, opened.map(|o| o.part_a))
}

async fn login_token(store: &Store, username: &str, password: &str) -> String {
    match auth::login(store, username, password, "127.0.0.1").await.unwrap() {
        LoginOutcome::Ok { token, .. } => token,
        other => panic!("login of {username} failed: {other:?}"),
    }
}

#[tokio::test]
async fn login_counts_failures_and_locks_for_fifteen_minutes() {
    for (backend, store) in testkit::all_stores().await {
        let (user, temp) = new_user(&store, "zhangwei", Some(PASSWORD)).await;
        assert!(temp.is_none() && !user.must_change_password, "{backend}");

        match auth::login(&store, "zhangwei", PASSWORD, "10.0.0.1").await.unwrap() {
            LoginOutcome::Ok { token, csrf, user: u, must_change, expired } => {
                assert_eq!(u.id, user.id, "{backend}");
                assert!(!must_change && !expired, "{backend}");
                assert_eq!((token.len(), csrf.is_empty()), (64, false), "{backend}");
                let s = auth::session(&store, &token).await.unwrap().expect("session");
                assert_eq!((s.user.id, s.row.ip.as_str()), (user.id, "10.0.0.1"), "{backend}");
                assert!(s.actor.is_none(), "{backend}: no role yet, no actor");
                // Only the token's hash is stored.
                let raw = store
                    .db
                    .r()
                    .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM sessions WHERE token_hash = $1", token.clone()))
                    .await
                    .unwrap();
                assert_eq!(raw, 0, "{backend}");
            }
            other => panic!("{backend}: {other:?}"),
        }
        // Unknown user and wrong password answer alike.
        assert!(
            matches!(
                auth::login(&store, "nobody", PASSWORD, "ip").await.unwrap(),
                LoginOutcome::Failed { remaining: 5 }
            ),
            "{backend}"
        );

        for remaining in (1..=4).rev() {
            let r = auth::login(&store, "zhangwei", "Wrong#2025x", "ip").await.unwrap();
            assert!(matches!(r, LoginOutcome::Failed { remaining: n } if n == remaining), "{backend}: {r:?}");
        }
        assert_eq!(auth::user_by_id(&store, user.id).await.unwrap().failed_logins, 4, "{backend}");
        let before = now_ms();
        let r = auth::login(&store, "zhangwei", "Wrong#2025x", "ip").await.unwrap();
        let LoginOutcome::Locked { until_ms } = r else { panic!("{backend}: fifth failure must lock: {r:?}") };
        let stored = auth::user_by_id(&store, user.id).await.unwrap();
        assert_eq!(stored.locked_until, until_ms, "{backend}");
        let fifteen = 15 * 60_000;
        assert!(until_ms >= before + fifteen && until_ms <= now_ms() + fifteen, "{backend}: locked for 15 minutes");
        assert!(stored.is_locked(now_ms()), "{backend}");
        // Locked: even the right password is refused.
        assert!(
            matches!(auth::login(&store, "zhangwei", PASSWORD, "ip").await.unwrap(), LoginOutcome::Locked { .. }),
            "{backend}"
        );
        let lockouts = store
            .db
            .r()
            .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM audit_log WHERE action = 'lockout'"))
            .await
            .unwrap();
        assert_eq!(lockouts, 1, "{backend}");

        // Fifteen minutes later the right password works again and the count starts over.
        exec(&store, &format!("UPDATE users SET locked_until = {} WHERE id = {}", now_ms() - 1, user.id))
            .await
            .unwrap();
        login_token(&store, "zhangwei", PASSWORD).await;
        assert_eq!(auth::user_by_id(&store, user.id).await.unwrap().failed_logins, 0, "{backend}");
        // A disabled account cannot sign in.
        auth::set_active(&store, operator::user_admin(), &Who::operator("test"), user.id, false).await.unwrap();
        assert!(
            matches!(auth::login(&store, "zhangwei", PASSWORD, "ip").await.unwrap(), LoginOutcome::Disabled),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn password_policy_and_history() {
    for (backend, store) in testkit::all_stores().await {
        let who = Who::operator("test");
        for (weak, why) in [("Ab1!", "至少8位"), ("abcdefgh", "至少3类"), ("Liming2025!", "用户名")] {
            let r = auth::create_user(&store, operator::user_admin(), &who, "liming", "李明", Some(weak)).await;
            assert!(invalid_on(r, "password").contains(why), "{backend}: {weak}");
        }
        // The password the account starts with.
        let temp = "Initial#Pass1".to_string();
        let (user, _) = new_user(&store, "liming", Some(&temp)).await;
        let token = login_token(&store, "liming", &temp).await;
        let me = Who { user_id: Some(user.id), username: "liming".into(), ..Who::default() };

        let r = auth::change_password(&store, &me, user.id, "Not-the-old-1", PASSWORD).await;
        assert!(invalid_on(r, "old_password").contains("原密码"), "{backend}");
        let r = auth::change_password(&store, &me, user.id, &temp, "short").await;
        invalid_on(r, "password");
        let r = auth::change_password(&store, &me, user.id, &temp, &temp).await;
        assert!(invalid_on(r, "password").contains("最近5次"), "{backend}: the current password is not a new one");
        assert!(auth::session(&store, &token).await.unwrap().is_some(), "{backend}: refusals end no session");

        auth::change_password(&store, &me, user.id, &temp, PASSWORD).await.unwrap();
        assert!(
            auth::session(&store, &token).await.unwrap().is_none(),
            "{backend}: a password change ends every session"
        );
        let left = store
            .db
            .r()
            .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM sessions WHERE user_id = $1", user.id))
            .await
            .unwrap();
        assert_eq!(left, 0, "{backend}");
        // The old password no longer works, the new one does.
        assert!(
            matches!(auth::login(&store, "liming", &temp, "ip").await.unwrap(), LoginOutcome::Failed { .. }),
            "{backend}"
        );
        login_token(&store, "liming", PASSWORD).await;

        // Going back to a recent password is refused.
        auth::change_password(&store, &me, user.id, PASSWORD, "Second#2025").await.unwrap();
        let r = auth::change_password(&store, &me, user.id, "Second#2025", PASSWORD).await;
        assert!(invalid_on(r, "password").contains("最近5次"), "{backend}");
        let r = auth::change_password(&store, &me, user.id, "Second#2025", &temp).await;
        assert!(invalid_on(r, "password").contains("最近5次"), "{backend}: the first password counts too");
    }
}

#[tokio::test]
async fn idle_sessions_end_after_thirty_minutes() {
    for (backend, store) in testkit::all_stores().await {
        let (user, _) = new_user(&store, "wangfang", Some(PASSWORD)).await;
        let token = login_token(&store, "wangfang", PASSWORD).await;
        let set_idle = |minutes: i64| {
            format!("UPDATE sessions SET last_seen = {} WHERE user_id = {}", now_ms() - minutes * 60_000, user.id)
        };

        exec(&store, &set_idle(29)).await.unwrap();
        let s = auth::session(&store, &token).await.unwrap().expect("29 idle minutes are fine");
        assert!(s.row.last_seen > now_ms() - 60_000, "{backend}: activity refreshes last_seen");

        exec(&store, &set_idle(31)).await.unwrap();
        assert!(auth::session(&store, &token).await.unwrap().is_none(), "{backend}: 31 idle minutes end the session");
        let left = store
            .db
            .r()
            .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM sessions WHERE user_id = $1", user.id))
            .await
            .unwrap();
        assert_eq!(left, 0, "{backend}: the ended session is deleted");
        assert!(auth::session(&store, "not-a-token").await.unwrap().is_none(), "{backend}");

        // Logging out ends the session at once.
        let (token, _) = auth::open_session(&store, user.id, None, "ip").await.unwrap();
        assert!(auth::session(&store, &token).await.unwrap().is_some(), "{backend}");
        let who = Who { user_id: Some(user.id), username: "wangfang".into(), ..Who::default() };
        auth::logout(&store, &token, &who).await.unwrap();
        assert!(auth::session(&store, &token).await.unwrap().is_none(), "{backend}");
    }
}

#[tokio::test]
async fn the_three_administrators_stay_separate() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sa = operator::security_admin();
        let who = Who::operator("test");
        let (admin, _) = new_user(&store, "sysadmin", None).await;
        let (clerk, _) = new_user(&store, "clerk", None).await;

        auth::grant_role(&store, sa, &who, admin.id, Role::SystemAdmin, None, None).await.unwrap();
        for (role, org) in
            [(Role::AuditAdmin, None), (Role::SecurityAdmin, None), (Role::CommitteeAdmin, Some(p.root.id))]
        {
            let r = auth::grant_role(&store, sa, &who, admin.id, role, org, None).await;
            match r {
                Err(StoreError::Rule(m)) => assert!(m.contains("三员分立"), "{backend}: {m}"),
                other => panic!("{backend}: {role:?} on a system administrator: {other:?}"),
            }
        }
        let r = auth::grant_role(&store, sa, &who, admin.id, Role::SystemAdmin, None, None).await;
        assert!(matches!(r, Err(StoreError::Rule(_))), "{backend}: {r:?}");

        // A business account may hold several business roles, but no triad role.
        auth::grant_role(&store, sa, &who, clerk.id, Role::UnitAdmin, Some(p.unit_a.id), None).await.unwrap();
        auth::grant_role(&store, sa, &who, clerk.id, Role::BranchSecretary, Some(p.branch_b1.id), None).await.unwrap();
        let r = auth::grant_role(&store, sa, &who, clerk.id, Role::SecurityAdmin, None, None).await;
        assert!(matches!(r, Err(StoreError::Rule(_))), "{backend}: {r:?}");
        // Roles bind to the right kind of org.
        let r = auth::grant_role(&store, sa, &who, clerk.id, Role::UnitAdmin, Some(p.branch_a1.id), None).await;
        assert!(invalid_on(r, "org_id").contains("省直单位"), "{backend}");
        let r = auth::grant_role(&store, sa, &who, clerk.id, Role::Member, None, None).await;
        invalid_on(r, "member_id");
        let roles = auth::roles_of(&store, clerk.id).await.unwrap();
        assert_eq!(
            roles.iter().map(|r| r.role.as_str()).collect::<Vec<_>>(),
            ["unit_admin", "branch_secretary"],
            "{backend}"
        );

        // A binding yields an actor scoped to its org.
        let actor = auth::actor_for(&store, &clerk, &roles[0]).await.unwrap();
        let ms = testkit::member_scope(&store, &actor).await.unwrap();
        assert_eq!(
            member::count(&store, &ms, &MemberFilter::default()).await.unwrap(),
            5,
            "{backend}: unit A's members"
        );
        let actor = auth::actor_for(&store, &clerk, &roles[1]).await.unwrap();
        let ms = testkit::member_scope(&store, &actor).await.unwrap();
        assert_eq!(
            member::count(&store, &ms, &MemberFilter::default()).await.unwrap(),
            2,
            "{backend}: branch B1's members"
        );
        // The member role binds to the person's own record and branch.
        let li = p.member("李娜").id();
        let (person, _) = new_user(&store, "lina", None).await;
        let binding = auth::grant_role(&store, sa, &who, person.id, Role::Member, None, Some(li)).await.unwrap();
        assert_eq!(binding.org_id, Some(p.branch_a1.id), "{backend}");
        let actor = auth::actor_for(&store, &person, &binding).await.unwrap();
        let ms = testkit::member_scope(&store, &actor).await.unwrap();
        let page = member::list(&store, &ms, &MemberFilter::default(), 1, 10).await.unwrap();
        assert_eq!(page.items.iter().map(|m| m.id).collect::<Vec<_>>(), [li], "{backend}");
        // Revoking a role ends the sessions acting under it.
        let (token, _) = auth::open_session(&store, person.id, Some(binding.id), "ip").await.unwrap();
        auth::revoke_role(&store, sa, &who, binding.id).await.unwrap();
        assert!(auth::session(&store, &token).await.unwrap().is_none(), "{backend}");
    }
}
