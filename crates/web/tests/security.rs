//! The security suite: what an insider and a fuzzer tried against the demo
//! province, each as the request that used to work and must now fail. One
//! test per point of the hardening issue, on SQLite and PostgreSQL, through
//! the API and the pages. Read top to bottom.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Client, PASSWORD, Resp, province_with_accounts};
use xianfeng_store::testkit;

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The answer is the envelope: JSON `{"error": {"code", "message"}}` with a Chinese message.
fn assert_envelope(r: &Resp, status: StatusCode, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    let ct = r.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{what}: content type {ct:?}, body {}", r.text());
    let j = r.json();
    let code = j["error"]["code"].as_str().unwrap_or("");
    let message = j["error"]["message"].as_str().unwrap_or("");
    assert!(!code.is_empty(), "{what}: no code in {j}");
    assert!(has_chinese(message), "{what}: message not in Chinese: {j}");
}

async fn raw(c: &mut Client, method: &str, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Resp {
    let mut b = Request::builder().method(method).uri(path).header("x-csrf-token", c.csrf.clone());
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    c.send(b.body(Body::from(body)).unwrap()).await
}

fn member_json(name: &str, id_card: &str, org_id: i64) -> serde_json::Value {
    serde_json::json!({
        "name": name, "gender": "男", "ethnicity": "汉族", "id_card": id_card, "status": "正式党员",
        "join_date": "2010-07-01", "full_date": "2011-07-01", "org_id": org_id.to_string(), "phone": "13800000000",
    })
}

/// Point 10: every API refusal — malformed JSON, wrong types, missing fields,
/// wrong content type, bad path and query values, duplicated fields, bodies
/// over the limit, unknown routes and wrong methods — answers the envelope.
#[tokio::test]
async fn every_api_refusal_is_in_the_envelope() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let r = Client::new(&store).get("/api/v1/recruitment/steps").await;
        assert_envelope(&r, StatusCode::UNAUTHORIZED, &format!("{backend}: no operation answers without a session"));
        let mut c = Client::new(&store);
        c.api_login("gwadmin", PASSWORD).await;
        let zhang = p.member("张伟").id();
        let json = Some("application/json");

        let r = raw(&mut c, "POST", "/api/v1/members", json, b"{\"name\": ".to_vec()).await;
        assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: malformed JSON"));
        let r = raw(&mut c, "POST", "/api/v1/members", json, b"{\"name\": 5}".to_vec()).await;
        assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: wrong type"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("name"), "{backend}: the field is named");
        let r = c.json("PUT", &format!("/api/v1/members/{zhang}"), serde_json::json!({ "name": "张伟" })).await;
        assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: missing field"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("version"), "{backend}: {}", r.text());
        let r = raw(&mut c, "POST", "/api/v1/members", Some("text/plain"), b"name=x".to_vec()).await;
        assert_envelope(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("{backend}: wrong content type"));
        let r = raw(&mut c, "POST", "/api/v1/members", None, b"{}".to_vec()).await;
        assert_envelope(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("{backend}: no content type"));
        let r = c.get("/api/v1/members/abc").await;
        assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: bad path value"));
        let r = c.get("/api/v1/members/99999999999999999999999").await;
        assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: path value out of range"));
        let r = c.get("/api/v1/members?name=a&name=b").await;
        assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: duplicated query field"));
        let big = format!("{{\"name\": \"{}\"}}", "x".repeat(5 * 1024 * 1024));
        let r = raw(&mut c, "POST", "/api/v1/members", json, big.into_bytes()).await;
        assert_envelope(&r, StatusCode::PAYLOAD_TOO_LARGE, &format!("{backend}: body over the limit"));
        let r = c.get("/api/v1/no-such-thing").await;
        assert_envelope(&r, StatusCode::NOT_FOUND, &format!("{backend}: unknown route"));
        let r = raw(&mut c, "DELETE", "/api/v1/members", None, Vec::new()).await;
        assert_envelope(&r, StatusCode::METHOD_NOT_ALLOWED, &format!("{backend}: wrong method"));
        assert!(r.headers.get(header::ALLOW).is_some(), "{backend}: 405 says which methods are allowed");
        // A page answers a page, not English text.
        let r = c.get("/members/abc").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(r.text().contains("<html") && has_chinese(&r.text()), "{backend}: {}", r.text());
    }
}

/// Point 11: full-width digits are read as digits; other characters in an ID
/// number, control characters in any text, and page numbers out of range are
/// refused with the field named — never a panic or a 5xx.
#[tokio::test]
async fn bad_input_never_crashes_a_request() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.api_login("gwadmin", PASSWORD).await;
        let branch = p.branch_a1.id;

        // 11010519491231002X typed with a Chinese input method.
        let mut wide = member_json("全角号", "１１０１０５１９４９１２３１００２Ｘ", branch);
        wide["gender"] = "女".into();
        let r = c.json("POST", "/api/v1/members", wide).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        assert_eq!(r.json()["birth_date"], "1949-12-31", "{backend}: read as the ASCII number");
        // A non-digit among the first 17 characters: refused by field, no panic.
        for bad in ["11010５19491231002é", "1101051949123100é2", "张1010519491231002X"] {
            let r = c.json("POST", "/api/v1/members", member_json("坏号码", bad, branch)).await;
            assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: {bad}"));
            assert_eq!(r.json()["error"]["fields"][0]["field"], "id_card", "{backend}: {}", r.text());
        }
        // A control character in an org's name (POST /orgs answered 201).
        let r = c
            .json(
                "POST",
                "/api/v1/orgs",
                serde_json::json!({ "parent_id": p.committee_a.id, "name": "坏\u{0}支部", "kind": "branch" }),
            )
            .await;
        assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: NUL in a name"));
        assert_eq!(r.json()["error"]["fields"][0]["field"], "name", "{backend}");
        let r =
            c.form(&format!("/orgs/{}/new", p.committee_a.id), &[("name", "坏\u{1}支部"), ("kind", "branch")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: the page refuses it too");
        // Paging out of range is refused, not coerced or echoed.
        for q in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=4611686018427387904",
            "per_page=0",
            "per_page=100000",
            "per_page=-5",
        ] {
            let r = c.get(&format!("/api/v1/members?{q}")).await;
            assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: {q}"));
            let r = c.get(&format!("/members?{q}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}: page {q}");
        }
        assert_eq!(c.get("/api/v1/members?page=２").await.status, StatusCode::OK, "{backend}: a full-width 2 is 2");

        // A fuzz over every string field of a member and an org: no 5xx, always the envelope.
        let payloads = [
            "１２３４５６７８９０",
            "e\u{301}\u{302}\u{303}",
            "😀👨‍👩‍👧‍👦",
            "\u{0}\u{1}\u{1b}[31m",
            "'; DROP TABLE members; --",
            "<script>alert(1)</script>",
        ];
        let long = "长".repeat(10_000);
        let fields = [
            "name",
            "gender",
            "ethnicity",
            "id_card",
            "phone",
            "education",
            "category",
            "position",
            "cadre_rank",
            "native_place",
            "address",
            "community",
            "join_date",
            "full_date",
            "birth_date",
            "status",
            "org_id",
            "group_id",
        ];
        let birth = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
        let mut seq = 0;
        for field in fields {
            for payload in payloads.iter().copied().chain([long.as_str()]) {
                seq += 1;
                // Odd sequence numbers: men, as member_json says.
                let id = xianfeng_core::idcard::compose(520102, birth, seq * 2 + 1);
                let mut body = member_json("模糊", &id, branch);
                body[field] = serde_json::Value::String(payload.to_string());
                let r = c.json("POST", "/api/v1/members", body).await;
                assert!(
                    r.status.is_client_error() || r.status == StatusCode::CREATED,
                    "{backend} {field}: {}",
                    r.status
                );
                if r.status.is_client_error() {
                    assert_envelope(&r, r.status, &format!("{backend}: {field}={payload:.20}"));
                }
            }
        }
        for payload in payloads.iter().copied().chain([long.as_str()]) {
            let body = serde_json::json!({ "parent_id": p.committee_a.id, "name": payload, "kind": "branch", "district": payload });
            let r = c.json("POST", "/api/v1/orgs", body).await;
            assert!(r.status.as_u16() < 500, "{backend} org name {payload:.20}: {}", r.status);
        }
    }
}

/// Point 12: two secretaries save the same meeting from the same version;
/// exactly one wins, the other is told to reload (409), and a save without a
/// version is refused.
#[tokio::test]
async fn concurrent_records_of_one_meeting_have_one_winner() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        let mut sec = Client::new(&store);
        sec.api_login("seca1", PASSWORD).await;
        let r = gw
            .json(
                "POST",
                "/api/v1/meetings",
                serde_json::json!({ "org_id": p.branch_a1.id, "kind": "branch_committee_meeting", "planned_on": "2025-03-05", "topic": "支委会" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        let body = |v: Option<i64>, topic: &str| {
            let mut b = serde_json::json!({ "held_on": "2025-03-05", "topic": topic, "minutes": "研究工作。" });
            if let Some(v) = v {
                b["version"] = v.into();
            }
            b
        };
        let r = sec.json("POST", &format!("/api/v1/meetings/{id}/record"), body(None, "无版本")).await;
        assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: no version"));
        for round in 0..10 {
            let v = gw.get(&format!("/api/v1/meetings/{id}")).await.json()["version"].as_i64().unwrap();
            let path = format!("/api/v1/meetings/{id}/record");
            let (mut a, mut b) = (gw.clone(), sec.clone());
            let (ra, rb) = tokio::join!(
                a.json("POST", &path, body(Some(v), &format!("甲{round}"))),
                b.json("POST", &path, body(Some(v), &format!("乙{round}")))
            );
            let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
            statuses.sort();
            assert_eq!(statuses, [200, 409], "{backend} round {round}: {} / {}", ra.text(), rb.text());
            let winner = if ra.status == StatusCode::OK { format!("甲{round}") } else { format!("乙{round}") };
            let now = gw.get(&format!("/api/v1/meetings/{id}")).await.json();
            assert_eq!(now["topic"], winner.as_str(), "{backend}: the winner's save stands, nothing mixed");
            assert_eq!(now["version"].as_i64().unwrap(), v + 1, "{backend}");
        }
        // The audit says what changed, not "改动出勤19人" for a save that changed nothing.
        let v = gw.get(&format!("/api/v1/meetings/{id}")).await.json()["version"].as_i64().unwrap();
        let topic = gw.get(&format!("/api/v1/meetings/{id}")).await.json()["topic"].as_str().unwrap().to_string();
        let r = gw.json("POST", &format!("/api/v1/meetings/{id}/record"), body(Some(v), &topic)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let detail: String = store
            .db
            .r()
            .fetch_one::<(String,)>(xianfeng_store::q!(
                "SELECT detail FROM audit_log WHERE object_type = 'meeting' AND object_id = $1 ORDER BY seq DESC LIMIT 1",
                id.to_string()
            ))
            .await
            .unwrap()
            .0;
        assert!(detail.contains("内容未改动") && detail.contains("出勤未改动"), "{backend}: {detail}");
    }
}

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

/// Runs of `len` characters from `alphabet`, bounded by anything else.
fn runs(text: &str, len: usize, alphabet: impl Fn(char) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if alphabet(c) {
            cur.push(c);
        } else {
            if cur.chars().count() == len {
                out.push(cur.clone());
            }
            cur.clear();
        }
    }
    out
}

/// How many numbers remain for someone who knows everything about the person
/// but the number (region code, birth date, gender: the worst case) and has
/// read `tokens`: the characters of every token that agrees with the number
/// are known to them. One candidate left means the number is rebuilt.
fn id_candidates(id: &str, tokens: &[String]) -> usize {
    let id: Vec<char> = id.chars().collect();
    let mut known = [false; 18];
    for t in tokens {
        let t: Vec<char> = t.chars().collect();
        if t.iter().zip(&id).all(|(a, b)| *a == '*' || a == b) {
            for (i, c) in t.iter().enumerate() {
                known[i] |= *c != '*';
            }
        }
    }
    let body: String = id[..14].iter().collect();
    let gender_odd = id[16].to_digit(10).unwrap() % 2;
    (0..1000u32)
        .filter(|seq| seq % 2 == gender_odd)
        .filter(|seq| {
            let first17 = format!("{body}{seq:03}");
            let cand: Vec<char> =
                format!("{first17}{}", xianfeng_core::idcard::check_char(&first17).unwrap()).chars().collect();
            (14..18).all(|i| !known[i] || cand[i] == id[i])
        })
        .count()
}

/// Point 1: masked means unrecoverable. Everything a role without reveal
/// permission reads — the roster API page by page, every member's API item
/// and page, the roster page, the "masked" export — and, on SQLite, the whole
/// database file outside the ciphertexts, leaves fewer than 1 in 1,000 ID and
/// phone numbers rebuildable (here: none). The old mask (520102********1234)
/// beside the birth date rebuilt every one.
#[tokio::test]
async fn masked_numbers_cannot_be_rebuilt() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.page_login("seca1", PASSWORD).await; // a secretary may not reveal by default
        let mut seen = String::new();
        let list = c.get("/api/v1/members?per_page=200").await;
        assert_eq!(list.status, StatusCode::OK, "{backend}");
        seen.push_str(&list.text());
        for m in list.json()["items"].as_array().unwrap() {
            let id = m["id"].as_i64().unwrap();
            seen.push_str(&c.get(&format!("/api/v1/members/{id}")).await.text());
            seen.push_str(&c.get(&format!("/members/{id}")).await.text());
            seen.push_str(&c.get(&format!("/api/v1/members/{id}/history")).await.text());
        }
        seen.push_str(&c.get("/members?per_page=200").await.text());
        let x = c.get("/members/export.xlsx").await;
        assert_eq!(x.status, StatusCode::OK, "{backend}");
        for row in common::export_rows(&x.body) {
            seen.push_str(&row.join(" "));
            seen.push('\n');
        }
        if store.backend() == xianfeng_store::Backend::Sqlite {
            let files: Vec<(i64, String, String)> =
                store.db.r().fetch_all(xianfeng_store::q!("PRAGMA database_list")).await.unwrap();
            let file = &files.iter().find(|f| f.1 == "main").unwrap().2;
            let dump = std::process::Command::new("python3")
                .arg("-c")
                .arg(format!(
                    "import sqlite3\nfor l in sqlite3.connect('file:{file}?mode=ro', uri=True).iterdump(): print(l)"
                ))
                .output()
                .expect("python3 reads the database file");
            assert!(dump.status.success(), "{backend}: {}", String::from_utf8_lossy(&dump.stderr));
            let text = String::from_utf8_lossy(&dump.stdout).to_string();
            assert!(text.contains("INSERT INTO \"members\""), "{backend}: the dump holds the members");
            seen.push_str(&text);
        }

        let id_tokens = runs(&seen, 18, |c| c.is_ascii_digit() || c == 'X' || c == '*');
        let phone_tokens = runs(&seen, 11, |c| c.is_ascii_digit() || c == '*');
        let members: Vec<_> = p.members.iter().filter(|m| m.id_card.len() == 18).collect();
        let mut rebuilt_ids = 0;
        let mut fewest = usize::MAX;
        for m in &members {
            assert!(!seen.contains(&m.id_card), "{backend}: {}'s number in the clear", m.name());
            let n = id_candidates(&m.id_card, &id_tokens);
            fewest = fewest.min(n);
            if n <= 1 {
                rebuilt_ids += 1;
            }
        }
        let mut rebuilt_phones = 0;
        for m in members.iter().filter(|m| m.phone.len() == 11) {
            assert!(!seen.contains(&m.phone), "{backend}: {}'s phone in the clear", m.name());
            let phone: Vec<char> = m.phone.chars().collect();
            let mut known = [false; 11];
            for t in &phone_tokens {
                let t: Vec<char> = t.chars().collect();
                if t.iter().zip(&phone).all(|(a, b)| *a == '*' || a == b) {
                    for (i, ch) in t.iter().enumerate() {
                        known[i] |= *ch != '*';
                    }
                }
            }
            if known.iter().all(|k| *k) {
                rebuilt_phones += 1;
            }
        }
        assert!(members.len() >= 5, "{backend}: the fixture has members to try");
        assert!(rebuilt_ids * 1000 < members.len(), "{backend}: {rebuilt_ids} of {} ID numbers rebuilt", members.len());
        assert!(rebuilt_phones * 1000 < members.len(), "{backend}: {rebuilt_phones} phones rebuilt");
        assert!(fewest >= 100, "{backend}: at least 100 candidates for every number, fewest {fewest}");
        // The old mask beside the birth date: one candidate, the number itself.
        let old = format!("{}********{}", &members[0].id_card[..6], &members[0].id_card[14..]);
        assert_eq!(id_candidates(&members[0].id_card, &[old]), 1, "{backend}: the check itself can fail");
    }
}

/// Point 4: check-in only at the meeting. A member of the branch reads no
/// code from the meeting page, its QR image or the API; the code changes
/// every minute and an old one (a photo sent home) is refused and counted
/// for the organizer, who projects the current code on a page that renews
/// itself.
#[tokio::test]
async fn check_in_only_at_the_meeting() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = xianfeng_core::text::today_cn().to_string();
        let mut sec = Client::new(&store);
        sec.api_login("seca1", PASSWORD).await;
        let r = sec
            .json(
                "POST",
                "/api/v1/meetings",
                serde_json::json!({ "org_id": p.branch_a1.id, "kind": "theme_day", "planned_on": today, "topic": "主题党日" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();

        let mut member = Client::new(&store);
        member.page_login("member1", PASSWORD).await;
        let page = member.get(&format!("/meetings/{id}")).await;
        if page.status == StatusCode::OK {
            let html = page.text();
            assert!(
                !html.contains("checkin-qr") && !html.contains("/checkin/"),
                "{backend}: no code on a member's page"
            );
        }
        assert_ne!(member.get(&format!("/meetings/{id}/qr.svg")).await.status, StatusCode::OK, "{backend}: no QR");
        assert_ne!(member.get(&format!("/meetings/{id}/checkin-screen")).await.status, StatusCode::OK, "{backend}");
        let api = member.get(&format!("/api/v1/meetings/{id}")).await;
        assert!(api.status != StatusCode::OK || api.json()["checkin_url"].is_null(), "{backend}: {}", api.text());

        // The organizer's screen: the current code, renewed before it changes.
        let mut org = Client::new(&store);
        org.page_login("seca1", PASSWORD).await;
        let screen = org.get(&format!("/meetings/{id}/checkin-screen")).await;
        assert_eq!(screen.status, StatusCode::OK, "{backend}");
        let html = screen.text();
        assert!(html.contains("http-equiv=\"refresh\"") && html.contains("<svg"), "{backend}");
        let key = "id=\"screen-code\">";
        let i = html.find(key).unwrap() + key.len();
        let code = html[i..i + 6].to_string();

        // A code from five minutes ago is refused and counted; the current one checks in.
        let secret: String = store
            .db
            .r()
            .fetch_one::<(String,)>(xianfeng_store::q!("SELECT checkin_token FROM meetings WHERE id = $1", id))
            .await
            .unwrap()
            .0;
        let period = xianfeng_core::meeting::checkin_period(xianfeng_core::text::now_ms());
        let stale = xianfeng_core::meeting::checkin_code(&secret, period - 5);
        let mut phone = Client::new(&store);
        phone.api_login("member1", PASSWORD).await;
        let r =
            phone.json("POST", &format!("/api/v1/meetings/{id}/checkins"), serde_json::json!({ "token": stale })).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: a photographed code"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("已过期"), "{backend}");
        let r = phone
            .json("POST", &format!("/api/v1/meetings/{id}/checkins"), serde_json::json!({ "token": secret }))
            .await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: the secret is no code"));
        let r =
            phone.json("POST", &format!("/api/v1/meetings/{id}/checkins"), serde_json::json!({ "token": code })).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let html = org.get(&format!("/meetings/{id}")).await.text();
        assert!(html.contains("已拒绝过期或无效的签到 2 次"), "{backend}: the organizer sees the refusals");

        // Tomorrow's meeting takes no check-in today, whatever the code.
        let tomorrow = (xianfeng_core::text::today_cn() + chrono::Days::new(1)).to_string();
        let r = sec
            .json(
                "POST",
                "/api/v1/meetings",
                serde_json::json!({ "org_id": p.branch_a1.id, "kind": "party_lecture", "planned_on": tomorrow, "topic": "党课" }),
            )
            .await;
        let later = r.json()["id"].as_i64().unwrap();
        let url =
            sec.get(&format!("/api/v1/meetings/{later}")).await.json()["checkin_url"].as_str().unwrap().to_string();
        let code = url.rsplit("t=").next().unwrap().to_string();
        let r = phone
            .json("POST", &format!("/api/v1/meetings/{later}/checkins"), serde_json::json!({ "token": code }))
            .await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: before the check-in hours"));
    }
}

/// Every GET operation of the API (from the OpenAPI table, plus the lists it
/// does not yet document) with ids of the member's own branch filled in.
fn member_probe_paths(p: &xianfeng_store::testkit::Province, meeting: i64) -> Vec<String> {
    let colleague = p.member("李娜").id();
    let mut paths: Vec<String> = xianfeng_web::openapi::OPERATIONS
        .iter()
        .filter(|op| op.0 == "get")
        .map(|op| op.1.to_string())
        .chain(
            [
                "/transfers",
                "/ranking",
                "/ranking/{id}",
                "/recruitment/cases",
                "/recruitment/cases/{id}",
                "/discipline-cases",
                "/meetings/{id}/attendees",
            ]
            .map(String::from),
        )
        .collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            let id = if path.starts_with("/orgs/") || path.starts_with("/ranking/") {
                p.branch_a1.id
            } else if path.starts_with("/members/") {
                colleague
            } else if path.starts_with("/meetings/") {
                meeting
            } else {
                1
            };
            let filled = path
                .replace("{id}", &id.to_string())
                .replace("{committee_id}", &p.unit_a.id.to_string())
                .replace("{aid}", "1")
                .replace("{doc}", "1");
            format!("/api/v1{filled}")
        })
        .collect()
}

/// A recorded general meeting of branch A1 in which 李娜 was on leave "外出就医".
async fn recorded_meeting_with_a_leave(store: &xianfeng_store::Store, p: &xianfeng_store::testkit::Province) -> i64 {
    let mut sec = Client::new(store);
    sec.api_login("seca1", PASSWORD).await;
    let r = sec
        .json(
            "POST",
            "/api/v1/meetings",
            serde_json::json!({ "org_id": p.branch_a1.id, "kind": "branch_general_meeting", "planned_on": "2025-03-05", "topic": "党员大会" }),
        )
        .await;
    let meeting = r.json()["id"].as_i64().unwrap();
    let v = r.json()["version"].as_i64().unwrap();
    let attendance =
        serde_json::json!([{ "member_id": p.member("李娜").id(), "presence": "leave", "reason": "外出就医" }]);
    let r = sec
        .json(
            "POST",
            &format!("/api/v1/meetings/{meeting}/record"),
            serde_json::json!({ "version": v, "held_on": "2025-03-05", "topic": "党员大会", "minutes": "研究发展党员工作。", "attendance": attendance }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    meeting
}

/// Point 3: a member reads only their own records. Through every GET of the
/// API and the pages of every area, a plain member of branch A1 gets either a
/// refusal or their own records: never a colleague's name, the branch's
/// meetings and minutes (with colleagues' leave reasons), transfers, plans,
/// rankings, honours across the unit, or anything discipline.
#[tokio::test]
async fn a_member_reads_only_their_own_records() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let meeting = recorded_meeting_with_a_leave(&store, &p).await;

        let mut me = Client::new(&store);
        me.api_login("member1", PASSWORD).await; // 张伟, branch A1
        let others = ["李娜", "赵敏", "王芳", "刘洋", "陈静", "杨磊", "外出就医"];
        // What a member may read: their own records and the published rules.
        let own = [
            "/api/v1/me",
            "/api/v1/me/member",
            "/api/v1/me/meetings",
            "/api/v1/me/tasks",
            "/api/v1/me/dues",
            "/api/v1/members",
            "/api/v1/members/count",
            "/api/v1/dues/arrears",
            "/api/v1/dues/charges",
            "/api/v1/recruitment/cases",
            "/api/v1/members/import/template",
            "/api/v1/rules",
            "/api/v1/meeting-kinds",
            "/api/v1/recruitment/steps",
            "/api/v1/openapi.json",
        ];
        let mut opened = Vec::new();
        for path in member_probe_paths(&p, meeting) {
            let r = me.get(&path).await;
            assert!(r.status.as_u16() < 500, "{backend}: {path} → {}", r.status);
            if r.status.is_success() {
                opened.push(path.clone());
                assert!(own.contains(&path.as_str()), "{backend}: a member reads {path}: {}", r.text());
                let body = r.text();
                for name in others {
                    assert!(!body.contains(name), "{backend}: {path} shows {name}");
                }
            }
        }
        assert!(opened.contains(&"/api/v1/me/member".to_string()), "{backend}: the member's own record opens");
        let roll = me.get("/api/v1/members").await.json();
        assert_eq!(roll["total"], 1, "{backend}: the roll is the member alone");

        // The pages of every area.
        for path in [
            "/orgs",
            &format!("/orgs/{}", p.branch_a1.id),
            "/members",
            &format!("/members/{}", p.member("李娜").id()),
            "/members/export.xlsx",
            "/meetings",
            &format!("/meetings/{meeting}"),
            "/compliance",
            "/first-agenda",
            "/reports/central-group",
            "/dues",
            "/dues/arrears",
            "/dues/cycles",
            "/recruitment",
            "/transfers",
            "/ranking",
            &format!("/ranking/{}", p.branch_a1.id),
            "/rectifications",
            "/campaigns",
            "/honors",
            "/secretary-reviews",
            "/discipline",
            "/month",
        ] {
            let r = me.get(path).await;
            assert!(r.status.as_u16() < 500, "{backend}: {path} → {}", r.status);
            let body = r.text();
            for name in others {
                assert!(!body.contains(name), "{backend}: page {path} ({}) shows {name}", r.status);
            }
        }
        // The member's own pages open.
        for path in ["/me", "/me/meetings", "/me/dues"] {
            assert_eq!(me.get(path).await.status, StatusCode::OK, "{backend}: {path}");
        }
    }
}

/// Point 7: discipline data stays behind its label. A branch secretary who
/// applies members to a campaign with the "no sanction this year" condition
/// learns only "does not meet the campaign's conditions" — the same words
/// for any condition — after three refusals a day is stopped, and every
/// refusal is audited without its reason.
#[tokio::test]
async fn a_refusal_does_not_tell_a_sanction_apart() {
    use chrono::Datelike;
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = xianfeng_core::text::today_cn();
        let js = p.discipline_staff(&p.root);
        let case = xianfeng_core::discipline::CaseInput {
            person_name: "李娜".into(),
            member_id: Some(p.member("李娜").id()),
            org_id: Some(p.branch_a1.id),
            cadre_rank: "section_level_or_below".into(),
            kind: "party_warning".into(),
            decided_on: Some(today),
            decided_by: "省直机关纪检监察工委".into(),
            summary: "违反中央八项规定精神".into(),
            ..Default::default()
        };
        xianfeng_store::discipline::create(&store, &js.discipline_scope().unwrap(), &testkit::who(&js), &case)
            .await
            .unwrap();
        let gw = p.committee_admin();
        let input = xianfeng_store::campaign::CampaignInput {
            honor: "four_good_member".into(),
            year: today.year(),
            eligibility: Some(vec!["no_sanction".into()]),
            apply_until: Some(today + chrono::Days::new(5)),
            ..Default::default()
        };
        let c = xianfeng_store::campaign::create(&store, &testkit::org_scope(&gw).unwrap(), &testkit::who(&gw), &input)
            .await
            .unwrap();

        let mut sec = Client::new(&store);
        sec.api_login("seca1", PASSWORD).await;
        let apply = |member: i64| serde_json::json!({ "subject_id": member, "points": [25, 25, 18, 18], "evidence": "履职尽责" });
        let path = format!("/api/v1/campaigns/{}/apply", c.id);
        let r = sec.json("POST", &path, apply(p.member("李娜").id())).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: the sanctioned member is refused"));
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("不符合本次评选的申报条件") && !message.contains("处分记录"), "{backend}: {message}");
        // Probing more names: two more refusals (the same one, or another), then the brake.
        for _ in 0..2 {
            let r = sec.json("POST", &path, apply(p.member("李娜").id())).await;
            assert_envelope(&r, StatusCode::CONFLICT, backend);
        }
        let r = sec.json("POST", &path, apply(p.member("赵敏").id())).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: a fourth try the same day is stopped"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("明天再试"), "{backend}: {}", r.text());
        // The audit administrator sees each refusal, not its reason nor the person.
        let mut aud = Client::new(&store);
        aud.api_login("audadm", PASSWORD).await;
        let log = aud.get("/api/v1/audit?action=campaign_apply&per_page=50").await.json();
        let denied: Vec<&serde_json::Value> =
            log["items"].as_array().unwrap().iter().filter(|r| r["outcome"] == "denied").collect();
        assert_eq!(denied.len(), 4, "{backend}: {log}");
        for d in denied {
            let detail = d["detail"].as_str().unwrap_or("");
            assert!(!detail.contains("李娜") && !detail.contains("处分"), "{backend}: {detail}");
        }
    }
}

/// Point 8: every read of a discipline case and every download is audited;
/// the audit administrator sees who did what to which object, never the
/// business content (names, reasons, case kinds).
#[tokio::test]
async fn the_audit_sees_every_read_and_download_but_no_business_content() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut js = Client::new(&store);
        js.api_login("jijian", PASSWORD).await;
        let case = serde_json::json!({ "person_name": "李娜", "member_id": p.member("李娜").id(), "org_id": p.branch_a1.id,
            "cadre_rank": "section_level_or_below", "kind": "party_warning", "decided_on": "2025-06-01",
            "decided_by": "省直机关纪检监察工委", "summary": "违反中央八项规定精神" });
        let r = js.json("POST", "/api/v1/discipline-cases", case).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let (committee, id) = (r.json()["committee_id"].as_i64().unwrap(), r.json()["id"].as_i64().unwrap());
        assert_eq!(js.get(&format!("/api/v1/discipline-cases/{committee}/{id}")).await.status, StatusCode::OK);
        let mut page = Client::new(&store);
        page.page_login("jijian", PASSWORD).await;
        assert_eq!(page.get(&format!("/discipline/{committee}/{id}")).await.status, StatusCode::OK, "{backend}");

        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;
        for path in ["/members/export.xlsx", "/ranking/export.xlsx", "/members/import/template.xlsx"] {
            assert_eq!(gw.get(path).await.status, StatusCode::OK, "{backend}: {path}");
        }

        let mut aud = Client::new(&store);
        aud.api_login("audadm", PASSWORD).await;
        let reads = aud.get("/api/v1/audit?action=read&object_type=discipline_case").await.json();
        assert_eq!(reads["total"], 2, "{backend}: the API read and the page read: {reads}");
        assert_eq!(reads["items"][0]["object_id"], format!("{committee}/{id}"), "{backend}");
        let downloads = aud.get("/api/v1/audit?action=download&per_page=50").await.json();
        let kinds: Vec<&str> =
            downloads["items"].as_array().unwrap().iter().map(|r| r["object_type"].as_str().unwrap()).collect();
        for k in ["member_export", "ranking_export", "member_template"] {
            assert!(kinds.contains(&k), "{backend}: {k} in {kinds:?}");
        }
        let everything = aud.get("/api/v1/audit?per_page=500").await.text();
        for secret in ["李娜", "违反中央八项规定", "party_warning", "警告"] {
            assert!(!everything.contains(secret), "{backend}: the auditor reads {secret}");
        }
        let page = {
            let mut a = Client::new(&store);
            a.page_login("audadm", PASSWORD).await;
            a.get("/audit?per_page=500").await.text()
        };
        assert!(!page.contains("违反中央八项规定") && page.contains("业务内容"), "{backend}");
    }
}

/// Point 3, the other roles: a secretary of the sibling branch A2 and the
/// unit administrator of unit B probe every GET of the API with the ids of
/// branch A1's records (its members, its recorded meeting, the branch, its
/// unit). Whatever they are answered holds nothing of branch A1: no name of its
/// members, not the leave reason in its minutes.
#[tokio::test]
async fn siblings_and_other_units_read_nothing_of_a_branch() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let meeting = recorded_meeting_with_a_leave(&store, &p).await;
        // Branch A1's people (王芳 is probationary there, 张伟 in its group).
        let a1 = ["张伟", "李娜", "赵敏", "王芳", "外出就医"];
        for user in ["seca2", "unitb"] {
            let mut c = Client::new(&store);
            c.api_login(user, PASSWORD).await;
            let mut answered = 0;
            for path in member_probe_paths(&p, meeting) {
                let r = c.get(&path).await;
                assert!(r.status.as_u16() < 500, "{backend} {user}: {path} → {}", r.status);
                if r.status.is_success() {
                    answered += 1;
                    let body = r.text();
                    for name in a1 {
                        assert!(!body.contains(name), "{backend} {user}: {path} shows {name}");
                    }
                }
            }
            assert!(answered > 5, "{backend} {user}: their own lists answer ({answered})");
            for path in [
                format!("/meetings/{meeting}"),
                format!("/members/{}", p.member("李娜").id()),
                format!("/orgs/{}", p.branch_a1.id),
                format!("/ranking/{}", p.branch_a1.id),
                "/members".to_string(),
                "/meetings".to_string(),
            ] {
                let mut page = Client::new(&store);
                page.page_login(user, PASSWORD).await;
                let r = page.get(&path).await;
                let body = r.text();
                for name in a1 {
                    assert!(!body.contains(name), "{backend} {user}: page {path} ({}) shows {name}", r.status);
                }
            }
        }
    }
}

/// Point 11, the import: a full-width digit in an ID number (which panicked
/// the request) is read as a digit; a letter among the first 17 characters is
/// one row's error with its row and column, and nothing is written.
#[tokio::test]
async fn an_import_with_foreign_characters_names_the_row() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.api_login("unita", PASSWORD).await;
        let birth = chrono::NaiveDate::from_ymd_opt(1991, 1, 1).unwrap();
        let wide = |s: &str| -> String {
            s.chars()
                .map(|ch| if ch.is_ascii_digit() { char::from_u32(ch as u32 + 0xFEE0).unwrap() } else { ch })
                .collect()
        };
        let mk = |name: &str, seq: u32, id: String| xianfeng_core::member::MemberInput {
            name: name.into(),
            gender: if seq % 2 == 1 { "男".into() } else { "女".into() },
            ethnicity: "汉族".into(),
            id_card: id,
            status: "正式党员".into(),
            join_date: "2015-01-01".into(),
            full_date: "2016-01-01".into(),
            org_id: "办公室党支部".into(),
            ..Default::default()
        };
        let good = xianfeng_core::idcard::compose(520103, birth, 401);
        let mut rows = vec![mk("全角一", 401, wide(&good))];
        for i in 0..48 {
            rows.push(mk(&format!("批量{i}"), 403 + 2 * i, xianfeng_core::idcard::compose(520103, birth, 403 + 2 * i)));
        }
        let mut bad = xianfeng_core::idcard::compose(520103, birth, 501);
        bad.replace_range(8..9, "é");
        rows.push(mk("坏号码", 501, bad));
        let r = c.bytes("/api/v1/members/import", xianfeng_web::xlsx::synth_members_file(&rows)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", r.text());
        let errs = r.json()["errors"].as_array().unwrap().clone();
        assert_eq!(errs.len(), 1, "{backend}: only the row with é: {errs:?}");
        assert_eq!(errs[0]["column"], "公民身份号码", "{backend}");
        assert_eq!(errs[0]["row"], 52, "{backend}: the 50th data row (the template has a note row and a header)");
        assert_eq!(c.get("/api/v1/members/count").await.json()["total"], 5, "{backend}: nothing written");
        rows.pop();
        let r = c.bytes("/api/v1/members/import", xianfeng_web::xlsx::synth_members_file(&rows)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: the full-width number reads as digits: {}", r.text());
    }
}
