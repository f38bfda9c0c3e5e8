//! Point 2: no administrator becomes another.

use super::*;

/// The id of an account by username.
async fn user_id(store: &xianfeng_store::Store, username: &str) -> i64 {
    xianfeng_store::auth::user_by_name(store, username).await.unwrap().unwrap().id
}

/// Point 2: no administrator becomes another. The system administrator
/// resets the security administrator's password and a business account's,
/// and tries every way from there to a session of either: all fail. Each
/// reset needs a second administrator, the owner sets the password, and the
/// audit administrator sees every step and the first sign-in after it.
#[tokio::test]
async fn no_administrator_becomes_another() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let (secadm, seca1, sysadm) =
            (user_id(&store, "secadm").await, user_id(&store, "seca1").await, user_id(&store, "sysadm").await);
        let mut sys = Client::new(&store);
        sys.api_login("sysadm", PASSWORD).await;

        // The reset: the old password stops working, the administrator holds half a code.
        let r = sys.json("POST", &format!("/api/v1/users/{secadm}/password-reset"), serde_json::json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let ticket = r.json()["ticket_id"].as_i64().unwrap();
        let part_a = r.json()["activation_code_part_a"].as_str().unwrap().to_string();
        assert!(r.json().get("temporary_password").is_none(), "{backend}: no password is handed out");
        let mut c = Client::new(&store);
        assert_eq!(c.api_login("secadm", PASSWORD).await.status, StatusCode::UNAUTHORIZED, "{backend}: old password");
        assert_eq!(c.api_login("secadm", &part_a).await.status, StatusCode::UNAUTHORIZED, "{backend}: half a code");
        // Every other path from the system administrator's chair fails.
        let r = sys.json("POST", &format!("/api/v1/credential-tickets/{ticket}/approve"), serde_json::json!({})).await;
        assert_envelope(&r, StatusCode::FORBIDDEN, &format!("{backend}: approving one's own reset"));
        assert_eq!(sys.get("/api/v1/credential-tickets").await.status, StatusCode::FORBIDDEN, "{backend}");
        let guess = serde_json::json!({ "username": "secadm", "part_a": part_a, "part_b": "AAAA-AAAA",
            "password": "Taken-Over-2025", "password2": "Taken-Over-2025" });
        let r = c.json("POST", "/api/v1/auth/activate", guess).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: activation before approval"));
        let r = sys
            .json("POST", &format!("/api/v1/users/{sysadm}/roles"), serde_json::json!({ "role": "security_admin" }))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: granting roles is not the system administrator's");
        let r = sys.json("POST", &format!("/api/v1/users/{sysadm}/password-reset"), serde_json::json!({})).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: resetting one's own password here"));
        for path in ["/api/v1/members", "/api/v1/orgs", "/api/v1/audit", "/api/v1/discipline-cases"] {
            assert_eq!(sys.get(path).await.status, StatusCode::FORBIDDEN, "{backend}: {path}");
        }

        // The security administrator's own reset is approved by the audit administrator.
        let mut aud = Client::new(&store);
        aud.api_login("audadm", PASSWORD).await;
        let listed = aud.get("/api/v1/credential-tickets").await.json();
        assert_eq!(listed["items"][0]["username"], "secadm", "{backend}: {listed}");
        let r = aud.json("POST", &format!("/api/v1/credential-tickets/{ticket}/approve"), serde_json::json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let part_b = r.json()["activation_code_part_b"].as_str().unwrap().to_string();
        let r = aud.json("POST", &format!("/api/v1/credential-tickets/{ticket}/approve"), serde_json::json!({})).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: approved once"));
        // The owner, given both halves, sets the password (typed loosely: lower case, no dash).
        let typed_b = part_b.to_lowercase().replace('-', "");
        let body = serde_json::json!({ "username": "secadm", "part_a": part_a, "part_b": typed_b,
            "password": "Sec-Admin-2026", "password2": "Sec-Admin-2026" });
        let r = c.json("POST", "/api/v1/auth/activate", body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let r = c.json("POST", "/api/v1/auth/activate", body).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: a code works once"));
        let mut sec = Client::new(&store);
        assert_eq!(sec.api_login("secadm", "Sec-Admin-2026").await.status, StatusCode::OK, "{backend}");
        let html = {
            let mut page = Client::new(&store);
            page.page_login("secadm", "Sec-Admin-2026").await;
            page.get("/admin/roles").await.text()
        };
        assert!(html.contains("通过启用码设置了新密码"), "{backend}: the owner is told");

        // A business account: the audit administrator may not approve it; the security administrator does.
        let r = sys.json("POST", &format!("/api/v1/users/{seca1}/password-reset"), serde_json::json!({})).await;
        let (ticket, part_a) =
            (r.json()["ticket_id"].as_i64().unwrap(), r.json()["activation_code_part_a"].as_str().unwrap().to_string());
        let r = aud.json("POST", &format!("/api/v1/credential-tickets/{ticket}/approve"), serde_json::json!({})).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: the auditor approves only security admins"));
        let r = sec.json("POST", &format!("/api/v1/credential-tickets/{ticket}/approve"), serde_json::json!({})).await;
        let part_b = r.json()["activation_code_part_b"].as_str().unwrap().to_string();
        // Five wrong codes void the ticket, even for whoever holds one real half.
        for _ in 0..5 {
            let wrong = serde_json::json!({ "username": "seca1", "part_a": part_a, "part_b": "BBBB-BBBB",
                "password": "Branch-Sec-2026", "password2": "Branch-Sec-2026" });
            let r = Client::new(&store).json("POST", "/api/v1/auth/activate", wrong).await;
            assert_envelope(&r, StatusCode::CONFLICT, backend);
        }
        let right = serde_json::json!({ "username": "seca1", "part_a": part_a, "part_b": part_b,
            "password": "Branch-Sec-2026", "password2": "Branch-Sec-2026" });
        let r = Client::new(&store).json("POST", "/api/v1/auth/activate", right).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: the ticket is void after five wrong codes"));
        assert_eq!(
            Client::new(&store).api_login("seca1", "Branch-Sec-2026").await.status,
            StatusCode::UNAUTHORIZED,
            "{backend}"
        );

        // The audit administrator sees each step, and the first sign-in after the reset, without business content.
        let log = aud.get("/api/v1/audit?per_page=200").await.json();
        let rows = log["items"].as_array().unwrap();
        let has = |action: &str, needle: &str| {
            rows.iter().any(|r| r["action"] == action && r["detail"].as_str().unwrap_or("").contains(needle))
        };
        assert!(has("password_reset", "发起"), "{backend}");
        assert!(has("credential_approve", "批准"), "{backend}");
        assert!(has("account_activate", "本人设置密码"), "{backend}");
        assert!(has("account_activate", "作废"), "{backend}");
        assert!(has("login", "首次登录"), "{backend}");
        let _ = p;
    }
}
