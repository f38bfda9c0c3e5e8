//! Points 5, 6 and 9: lockout, no enumeration or open redirect, sessions and transport.

use super::*;

/// Point 5: failures are counted atomically — thirty wrong passwords at once
/// lock the account — and a login flood from one address is braked (429)
/// without stalling anything else.
#[tokio::test]
async fn lockout_counts_every_failure_under_concurrency() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut tries = Vec::new();
        for i in 0..30 {
            let store = store.clone();
            tries.push(tokio::spawn(async move {
                xianfeng_store::auth::login(&store, "gwadmin", "Wrong-Passw0rd", &format!("10.1.0.{i}")).await.unwrap()
            }));
        }
        for t in tries {
            t.await.unwrap();
        }
        let r = xianfeng_store::auth::login(&store, "gwadmin", PASSWORD, "10.9.9.9").await.unwrap();
        assert!(
            matches!(r, xianfeng_store::auth::LoginOutcome::Locked { .. }),
            "{backend}: 30 parallel failures lock the account: {r:?}"
        );
        let locks: i64 = store
            .db
            .r()
            .fetch_scalar_i64(xianfeng_store::q!(
                "SELECT COUNT(*) AS v FROM audit_log WHERE action = 'login' AND outcome = 'failure' AND username = 'gwadmin'"
            ))
            .await
            .unwrap();
        assert_eq!(locks, 31, "{backend}: every attempt is audited");

        // Forty parallel bad logins from one address: the address is braked, the server answers on.
        let c = Client::new(&store);
        let mut flood = Vec::new();
        for _ in 0..40 {
            let mut c = c.clone();
            flood.push(tokio::spawn(async move { c.api_login("seca1", "Wrong-Passw0rd").await }));
        }
        let mut h = c.clone();
        let health = h.get("/healthz").await;
        assert_eq!(health.status, StatusCode::OK, "{backend}: the server answers during the flood");
        let mut throttled = 0;
        for f in flood {
            let r = f.await.unwrap();
            assert!(r.status.is_client_error(), "{backend}: {}", r.status);
            assert_envelope(&r, r.status, backend);
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                throttled += 1;
            }
        }
        assert!(throttled > 0, "{backend}: a flood from one address is braked");
    }
}

/// Point 6: the same words for an unknown and a known username; `next=`
/// only ever leads to a page of this site; a login posted from a sandboxed or
/// foreign page is refused.
#[tokio::test]
async fn no_enumeration_no_open_redirect_no_login_csrf() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        let known = c.api_login("gwadmin", "Wrong-Passw0rd").await;
        let unknown = c.api_login("nobody", "Wrong-Passw0rd").await;
        assert_eq!(known.status, unknown.status, "{backend}");
        assert_eq!(known.json()["error"], unknown.json()["error"], "{backend}: the same words");

        for (next, expected) in [
            ("/\t/evil.example", "/"),
            ("/\\evil.example", "/"),
            ("//evil.example", "/"),
            ("https://evil.example/", "/"),
            ("/%09/evil.example", "/%09/evil.example"),
            ("/members?name=张", "/members?name=%E5%BC%A0"),
        ] {
            let mut c = Client::new(&store);
            let r = c.form("/login", &[("username", "seca1"), ("password", PASSWORD), ("next", next)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend} {next:?}");
            assert_eq!(r.location(), expected, "{backend}: next={next:?}");
            // Signed in, the login page sends one on by the same rule.
            let r = c.get(&format!("/login?next={}", urlencoding::encode(next))).await;
            assert_eq!(r.location(), expected, "{backend}: GET next={next:?}");
        }

        for (name, value) in [("origin", "null"), ("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")]
        {
            let mut c = Client::new(&store);
            let body = serde_urlencoded::to_string([("username", "seca1"), ("password", PASSWORD)]).unwrap();
            let req = Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::HOST, "localhost")
                .header(name, value)
                .body(Body::from(body))
                .unwrap();
            let r = c.send(req).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {name}: {value}");
            assert!(c.cookie.is_none(), "{backend}: no session from a {name}: {value} login");
        }
    }
}

/// Point 9: a session ends 12 hours after sign-in however active it is.
#[tokio::test]
async fn sessions_have_an_absolute_lifetime() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.api_login("seca1", PASSWORD).await;
        assert_eq!(c.get("/api/v1/me").await.status, StatusCode::OK, "{backend}");
        let long_ago = xianfeng_core::text::now_ms() - 13 * 3_600_000;
        store
            .db
            .begin()
            .await
            .map(|mut tx| async move {
                tx.c().execute(xianfeng_store::q!("UPDATE sessions SET created_at = $1", long_ago)).await.unwrap();
                tx.commit().await.unwrap();
            })
            .unwrap()
            .await;
        let r = c.get("/api/v1/me").await;
        assert_envelope(&r, StatusCode::UNAUTHORIZED, &format!("{backend}: a 13-hour-old session has ended"));
    }
}

/// Point 9: a user who must change the password can do so through the API
/// (the allow-list compared the nested router's path and answered 403).
#[tokio::test]
async fn a_forced_password_change_works_through_the_api() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let long_ago = xianfeng_core::text::now_ms() - 200 * 86_400_000;
        let mut tx = store.db.begin().await.unwrap();
        tx.c()
            .execute(xianfeng_store::q!("UPDATE users SET password_changed_at = $1 WHERE username = 'seca1'", long_ago))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut c = Client::new(&store);
        c.api_login("seca1", PASSWORD).await;
        let r = c.get("/api/v1/members").await;
        assert_envelope(&r, StatusCode::FORBIDDEN, &format!("{backend}: business first needs a new password"));
        assert_eq!(r.json()["error"]["code"], "password_change_required", "{backend}");
        let r = c
            .json(
                "POST",
                "/api/v1/me/password",
                serde_json::json!({ "old_password": PASSWORD, "password": "Brand-New-Passw0rd", "password2": "Brand-New-Passw0rd" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        c.csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
        assert_eq!(c.get("/api/v1/members").await.status, StatusCode::OK, "{backend}");
    }
}

/// Point 9: behind a trusted TLS proxy the audit records the client's
/// address, cookies are Secure and HSTS is sent; the same headers from
/// anyone else change nothing.
#[tokio::test]
async fn a_trusted_proxy_is_believed_and_nobody_else() {
    use std::net::{IpAddr, SocketAddr};
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut state = xianfeng_web::AppState::new(store.clone());
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        state.trusted_proxies = std::sync::Arc::new(vec![proxy]);
        let app = xianfeng_web::router(state);
        let login = |peer: IpAddr| {
            let body = serde_json::json!({ "username": "seca1", "password": PASSWORD }).to_string();
            let mut req = Request::post("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-forwarded-for", "203.0.113.7")
                .header("x-forwarded-proto", "https")
                .body(Body::from(body))
                .unwrap();
            req.extensions_mut().insert(axum::extract::ConnectInfo(SocketAddr::new(peer, 40000)));
            req
        };
        use tower::ServiceExt;
        let res = app.clone().oneshot(login(proxy)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend}");
        let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
        assert!(cookie.contains("; Secure"), "{backend}: {cookie}");
        assert!(res.headers().get(header::STRICT_TRANSPORT_SECURITY).is_some(), "{backend}: HSTS");
        let res = app.clone().oneshot(login("198.51.100.9".parse().unwrap())).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend}");
        let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
        assert!(!cookie.contains("Secure"), "{backend}: an untrusted peer's X-Forwarded-Proto is ignored");
        assert!(res.headers().get(header::STRICT_TRANSPORT_SECURITY).is_none(), "{backend}");
        let ips: Vec<(String,)> = store
            .db
            .r()
            .fetch_all(xianfeng_store::q!(
                "SELECT ip FROM audit_log WHERE action = 'login' AND username = 'seca1' ORDER BY seq"
            ))
            .await
            .unwrap();
        let ips: Vec<&str> = ips.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(ips, ["203.0.113.7", "198.51.100.9"], "{backend}: the client behind the proxy, the peer otherwise");
    }
}
