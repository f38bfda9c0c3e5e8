//! HTTP behaviour of pages and API, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::testkit;

/// A browser that asks for gzip gets pages and JSON compressed (the same
/// bytes once inflated); spreadsheets, already zip files, go as they are.
#[tokio::test]
async fn pages_and_json_are_compressed_for_a_client_that_asks() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use std::io::Read;
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.page_login("gwadmin", PASSWORD).await;
        let plain = c.get("/members").await;
        let gz =
            |path: &str| Request::get(path).header(header::ACCEPT_ENCODING, "gzip, br").body(Body::empty()).unwrap();
        let packed = c.send(gz("/members")).await;
        assert_eq!(packed.headers.get(header::CONTENT_ENCODING).map(|v| v.as_bytes()), Some(&b"gzip"[..]), "{backend}");
        let mut inflated = String::new();
        flate2::read::GzDecoder::new(packed.body.as_slice()).read_to_string(&mut inflated).unwrap();
        assert!(
            packed.body.len() * 3 < plain.body.len(),
            "{backend}: {} → {} bytes",
            plain.body.len(),
            packed.body.len()
        );
        // The page is the same once inflated, but for its per-request CSRF token.
        let strip = |t: &str| {
            t.split("name=\"csrf\" value=\"").map(|p| p.split_once('"').map(|x| x.1).unwrap_or(p)).collect::<String>()
        };
        assert_eq!(strip(&inflated), strip(&plain.text()), "{backend}");
        let spec = c.send(gz("/api/v1/openapi.json")).await;
        assert_eq!(spec.headers.get(header::CONTENT_ENCODING).map(|v| v.as_bytes()), Some(&b"gzip"[..]), "{backend}");
        let sheet = c.send(gz("/members/export.xlsx")).await;
        assert_eq!(sheet.status, StatusCode::OK, "{backend}");
        assert!(sheet.headers.get(header::CONTENT_ENCODING).is_none(), "{backend}: an .xlsx is sent as it is");
        assert!(sheet.body.starts_with(b"PK"), "{backend}");
    }
}

/// An error page keeps the signed-in user's header and menu and says what to do.
#[tokio::test]
async fn error_pages_keep_the_layout_and_say_what_to_do() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        for (path, status, advice) in [
            ("/no-such-page", StatusCode::NOT_FOUND, "请从左侧菜单或首页重新进入"),
            (
                &format!("/members/{}", p.member("陈静").id()) as &str,
                StatusCode::NOT_FOUND,
                "请从左侧菜单或首页重新进入",
            ),
            ("/rules", StatusCode::FORBIDDEN, "请在右上角切换"),
        ] {
            let r = sec.get(path).await;
            assert_eq!(r.status, status, "{backend}: {path}");
            let html = r.text();
            assert!(
                html.contains("href=\"/meetings\"") && html.contains(advice),
                "{backend}: {path} keeps the menu: {html}"
            );
        }
        let anonymous = Client::new(&store).get("/no-such-page").await;
        assert_eq!(anonymous.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(
            anonymous.text().contains("页面不存在") && !anonymous.text().contains("href=\"/meetings\""),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn login_page_session_and_logout() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        let r = c.get("/").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: anonymous home redirects");
        assert_eq!(r.location(), "/login");
        let r = c.get("/login").await;
        assert!(r.text().contains("先锋党建平台"), "{backend}");
        let r = c.page_login("gwadmin", "wrong-Passw0rd").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert!(r.text().contains("用户名或密码错误"), "{backend}: {}", r.text());
        assert!(r.text().contains("value=\"gwadmin\""), "{backend}: the username is kept");
        let r = c.page_login("gwadmin", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let set_cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
        let r = c.get("/").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let html = r.text();
        assert!(html.contains("待办提醒") && html.contains("党支部"), "{backend}: home shows attention and numbers");
        assert!(r.headers.get("content-security-policy").unwrap().to_str().unwrap().contains("script-src 'self'"));
        assert_eq!(r.headers.get("cache-control").unwrap(), "no-store");
        assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
        let r = c.form("/logout", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let r = c.get("/members").await;
        assert_eq!(
            r.location(),
            "/login?next=%2Fmembers",
            "{backend}: logged out, and back to the page after signing in"
        );
    }
}

#[tokio::test]
async fn csrf_is_required_for_state_changes() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.api_login("seca1", PASSWORD).await;
        let m = p.member("李娜").id();
        let body = serde_json::json!({ "to": "left", "date": "2025-01-01", "reason": "x" });
        let good = c.csrf.clone();
        c.csrf = "forged".into();
        let r = c.json("POST", &format!("/api/v1/members/{m}/status"), body.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(r.json()["error"]["code"], "csrf", "{backend}");
        // A form post without the token fails as well.
        let r = c
            .form(
                &format!("/members/{m}/status"),
                &[("csrf", ""), ("to", "left"), ("date", "2025-01-01"), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        // A foreign Origin is refused even with the right token.
        c.csrf = good.clone();
        let req = axum::http::Request::post(format!("/api/v1/members/{m}/status"))
            .header("content-type", "application/json")
            .header("x-csrf-token", good.clone())
            .header("origin", "http://evil.example")
            .header("host", "127.0.0.1:8080")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let detail = c.get(&format!("/api/v1/members/{m}")).await.json();
        assert_eq!(detail["status"], "full", "{backend}: nothing changed");
    }
}

#[tokio::test]
async fn api_conventions() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        let r = c.get("/api/v1/members").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert_eq!(r.json()["error"]["code"], "unauthenticated");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("登录"));
        let r = c.api_login("gwadmin", "nope-Passw0rd").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert_eq!(r.json()["error"]["code"], "invalid_credentials");
        let r = c.api_login("gwadmin", PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.json()["user"]["current_role"], "committee_admin");
        let r = c.get("/api/v1/members?per_page=2&page=1&sort=name").await;
        let j = r.json();
        assert_eq!(j["total"], 7, "{backend}: {j}");
        assert_eq!(j["items"].as_array().unwrap().len(), 2);
        assert_eq!(j["per_page"], 2);
        let r = c.get("/api/v1/members?min_age=abc").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("年龄"), "{backend}");
        let r = c.get("/api/v1/members/999999999").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["error"]["code"], "not_found");
        let r = c.get("/healthz").await;
        assert_eq!(r.status, StatusCode::OK);
        let spec = c.get("/api/v1/openapi.json").await.json();
        assert_eq!(spec["openapi"], "3.0.3");
        for (_, path, ..) in xianfeng_web::openapi::operations() {
            assert!(spec["paths"][path].is_object(), "{path} documented");
        }
        // Every documented GET without path parameters answers (not 404/405) for the committee admin.
        for (method, path, ..) in xianfeng_web::openapi::operations() {
            // /me/member is the member role's own record: 404 for an administrator.
            if method == "get" && !path.contains('{') && path != "/me/member" {
                let r = c.get(&format!("/api/v1{path}")).await;
                assert!(
                    r.status != StatusCode::NOT_FOUND && r.status != StatusCode::METHOD_NOT_ALLOWED,
                    "{backend} GET {path}: {}",
                    r.status
                );
            }
        }
    }
}

/// Roles × targets × operations through the API: out-of-scope ids answer 404
/// exactly like missing ids, lists never include them.
#[tokio::test]
async fn api_scope_matrix() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let own_a1 = p.member("李娜").id(); // branch A1 (unit A)
        let sibling_a2 = p.member("刘洋").id(); // branch A2 (unit A)
        let other_b = p.member("陈静").id(); // unit B
        // (user, ids visible, ids hidden, total visible)
        let cases: [(&str, Vec<i64>, Vec<i64>, i64); 5] = [
            ("gwadmin", vec![own_a1, sibling_a2, other_b], vec![], 7),
            ("unita", vec![own_a1, sibling_a2], vec![other_b], 5),
            ("unitb", vec![other_b], vec![own_a1, sibling_a2], 2),
            ("seca1", vec![own_a1], vec![sibling_a2, other_b], 4),
            ("member1", vec![p.member("张伟").id()], vec![own_a1, sibling_a2, other_b], 1),
        ];
        for (user, visible, hidden, total) in cases {
            let mut c = Client::new(&store);
            assert_eq!(c.api_login(user, PASSWORD).await.status, StatusCode::OK, "{backend} {user}");
            let list = c.get("/api/v1/members?per_page=100").await.json();
            assert_eq!(list["total"], total, "{backend} {user} list total");
            let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
            assert_eq!(c.get("/api/v1/members/count").await.json()["total"], total, "{backend} {user} count");
            for id in &visible {
                assert!(ids.contains(id), "{backend} {user} sees {id} in the list");
                assert_eq!(
                    c.get(&format!("/api/v1/members/{id}")).await.status,
                    StatusCode::OK,
                    "{backend} {user} detail {id}"
                );
            }
            for id in &hidden {
                assert!(!ids.contains(id), "{backend} {user} must not list {id}");
                let r = c.get(&format!("/api/v1/members/{id}")).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend} {user} detail {id}");
                let r = c
                    .json(
                        "POST",
                        &format!("/api/v1/members/{id}/status"),
                        serde_json::json!({ "to": "left", "date": "2025-01-01", "reason": "x", "version": 1 }),
                    )
                    .await;
                assert!(
                    matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                    "{backend} {user} update {id}: {}",
                    r.status
                );
                let name = p.members.iter().find(|m| m.id() == *id).unwrap().name().to_string();
                let found = c.get(&format!("/api/v1/members?name={}", urlencoding::encode(&name))).await.json();
                assert_eq!(found["total"], 0, "{backend} {user} search {name}");
            }
            // Export contains exactly the visible scope (the member role exports nothing).
            let r = c.get("/api/v1/members/export").await;
            if user == "member1" {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend} member export");
            } else {
                assert_eq!(r.status, StatusCode::OK, "{backend} {user} export");
                let rows = common::export_rows(&r.body);
                assert_eq!(rows.len() as i64, total, "{backend} {user} export rows");
            }
        }
        // Administrators of the triad and discipline staff see no member data at all.
        for user in ["sysadm", "secadm", "audadm", "jijian"] {
            let mut c = Client::new(&store);
            c.api_login(user, PASSWORD).await;
            let r = c.get("/api/v1/members").await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend} {user} members");
            let r = c.get(&format!("/api/v1/members/{own_a1}")).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend} {user} detail");
            let r = c.get("/api/v1/orgs").await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend} {user} orgs");
        }
        // Only the audit administrator reads the audit log.
        for (user, ok) in [("audadm", true), ("sysadm", false), ("secadm", false), ("gwadmin", false)] {
            let mut c = Client::new(&store);
            c.api_login(user, PASSWORD).await;
            let r = c.get("/api/v1/audit").await;
            assert_eq!(r.status == StatusCode::OK, ok, "{backend} {user} audit: {}", r.status);
        }
        // Orgs: the unit admin of B cannot see unit A's branch.
        let mut c = Client::new(&store);
        c.api_login("unitb", PASSWORD).await;
        assert_eq!(c.get(&format!("/api/v1/orgs/{}", p.branch_a1.id)).await.status, StatusCode::NOT_FOUND, "{backend}");
        assert_eq!(c.get(&format!("/api/v1/orgs/{}", p.branch_b1.id)).await.status, StatusCode::OK, "{backend}");
        let list = c.get("/api/v1/orgs?per_page=200").await.json();
        assert!(
            list["items"].as_array().unwrap().iter().all(|o| o["committee_id"] == p.unit_b.id),
            "{backend}: {list}"
        );
    }
}

#[tokio::test]
async fn member_form_keeps_input_and_shows_chinese_errors() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.page_login("seca1", PASSWORD).await;
        let r = c.get("/members/new").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let branch = p.branch_a1.id.to_string();
        let birth = chrono::NaiveDate::from_ymd_opt(1992, 4, 5).unwrap();
        let good_id = xianfeng_core::idcard::compose(520102, birth, 211);
        let mut bad_id = good_id.clone();
        bad_id.pop();
        bad_id.push(if good_id.ends_with('1') { '2' } else { '1' });
        let mut fields = vec![
            ("name", "孙丽"),
            ("gender", "男"),
            ("ethnicity", "布依族"),
            ("id_card", bad_id.as_str()),
            ("status", "full"),
            ("join_date", "2016-06-01"),
            ("full_date", "2017-06-01"),
            ("org_id", branch.as_str()),
            ("phone", "13912345678"),
        ];
        let r = c.form("/members/new", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let html = r.text();
        assert!(html.contains("公民身份号码校验位不正确"), "{backend}: {html}");
        assert!(html.contains("value=\"孙丽\""), "{backend}: input kept");
        assert!(html.contains(&format!("value=\"{bad_id}\"")), "{backend}: bad value kept for correction");
        fields[3] = ("id_card", good_id.as_str());
        let r = c.form("/members/new", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let loc = r.location();
        let r = c.get(&loc).await;
        let html = r.text();
        assert!(html.contains("孙丽") && html.contains("已新增"), "{backend}");
        let masked = xianfeng_core::text::mask_id_card(&good_id);
        assert!(html.contains(&masked) && !html.contains(&good_id), "{backend}: ID masked on the page");
        // The branch secretary may see phones but not ID numbers in full (default policy).
        assert!(!html.contains("id_card\"><button"), "{backend}");
        // Searching finds the new member.
        let r = c.get(&format!("/members?name={}", urlencoding::encode("孙"))).await;
        assert!(r.text().contains("孙丽"), "{backend}");
    }
}

#[tokio::test]
async fn reveal_is_audited_and_policy_bound() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let m = p.member("李娜");
        let mut c = Client::new(&store);
        c.api_login("unita", PASSWORD).await;
        let r = c
            .json("POST", &format!("/api/v1/members/{}/reveal", m.id()), serde_json::json!({ "field": "id_card" }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.json()["value"], m.id_card.as_str());
        let mut s = Client::new(&store);
        s.api_login("seca1", PASSWORD).await;
        let r = s
            .json("POST", &format!("/api/v1/members/{}/reveal", m.id()), serde_json::json!({ "field": "id_card" }))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: secretaries do not see ID numbers by default");
        let mut a = Client::new(&store);
        a.api_login("audadm", PASSWORD).await;
        let log = a.get("/api/v1/audit?action=reveal&per_page=50").await.json();
        let outcomes: Vec<&str> =
            log["items"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
        assert!(outcomes.contains(&"success") && outcomes.contains(&"denied"), "{backend}: {log}");
        let v = a.get("/api/v1/audit/verify").await.json();
        assert_eq!(v["ok"], true, "{backend}: {v}");
    }
}

#[tokio::test]
async fn lockout_and_forced_password_change() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        // An unknown name, a wrong password, a locked account: the same words.
        let same = "用户名或密码错误，或账号暂不可用。连续输错5次，账号将锁定15分钟";
        let r = c.page_login("no-such-user", "Wrong-Passw0rd").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert!(r.text().contains(same), "{backend}: {}", r.text());
        for _ in 0..5 {
            let r = c.page_login("gwadmin", "Wrong-Passw0rd").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
            assert!(r.text().contains(same) && !r.text().contains("再错"), "{backend}: {}", r.text());
        }
        let r = c.page_login("gwadmin", PASSWORD).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: even the right password is refused while locked");
        assert!(r.text().contains(same) && !r.text().contains("锁定至"), "{backend}");

        // The system administrator creates an account: half a code, no password; the owner sets it.
        let mut sys = Client::new(&store);
        sys.page_login("sysadm", PASSWORD).await;
        sys.get("/admin/users").await;
        let r = sys.form("/admin/users", &[("username", "newbie"), ("display_name", "新同志")]).await;
        let part_a = common::code_in(&r.text(), "code-part-a");
        let mut n = Client::new(&store);
        let r = n.page_login("newbie", &part_a).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}: the account waits for its owner");
        let r = n
            .form(
                "/activate",
                &[
                    ("username", "newbie"),
                    ("part_a", &part_a),
                    ("part_b", "XXXX-XXXX"),
                    ("password", "Brand-New-9"),
                    ("password2", "Brand-New-9"),
                ],
            )
            .await;
        assert!(r.text().contains("启用码不正确"), "{backend}: not before the approval: {}", r.text());
        let mut sec = Client::new(&store);
        sec.page_login("secadm", PASSWORD).await;
        let html = sec.get("/admin/credentials").await.text();
        assert!(html.contains("newbie") && html.contains("新账号启用"), "{backend}: {html}");
        let r = n
            .form(
                "/activate",
                &[
                    ("username", "newbie"),
                    ("part_a", &part_a),
                    ("part_b", "x"),
                    ("password", "short"),
                    ("password2", "short"),
                ],
            )
            .await;
        assert!(r.text().contains("启用码不正确"), "{backend}");
        common::approve_and_activate(&store, "newbie", &part_a, "Brand-New-9").await;
        let r = n.page_login("newbie", "Brand-New-9").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let r = n.get("/").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.text().contains("尚未授权"), "{backend}: no role yet");
    }
}

#[tokio::test]
async fn org_pages_and_rules() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.page_login("unita", PASSWORD).await;
        let r = c.get("/orgs").await;
        assert_eq!(r.location(), format!("/orgs/{}", p.unit_a.id), "{backend}");
        let r = c.get(&format!("/orgs/{}", p.branch_a2.id)).await;
        let html = r.text();
        assert!(html.contains("规划处党支部"), "{backend}");
        assert!(html.contains("正式党员1人，少于3人"), "{backend}: rule warning shown");
        // Create a branch, rename it, dissolve it.
        let r = c
            .form(
                &format!("/orgs/{}/new", p.committee_a.id),
                &[("kind", "branch"), ("name", "新设党支部"), ("term_start", "2025-01-10")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let loc = r.location();
        let id: i64 = loc.trim_start_matches("/orgs/").split('?').next().unwrap().parse().unwrap();
        let html = c.get(&loc).await.text();
        assert!(html.contains("2028-01-10"), "{backend}: term end computed from the rule");
        let r = c.form(&format!("/orgs/{id}/new"), &[("kind", "branch"), ("name", "不该出现")]).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.text().contains("党支部下不能设立党支部"), "{backend}: {}", r.text());
        let r =
            c.form(&format!("/orgs/{}/dissolve", p.branch_a1.id), &[("date", "2025-06-01"), ("reason", "合并")]).await;
        assert!(
            r.text().contains("撤销未完成：该组织下还有1个下级组织"),
            "{backend}: a branch with a group cannot be dissolved: {}",
            r.text()
        );
        let r = c.form(&format!("/orgs/{id}/dissolve"), &[("date", "2025-06-01"), ("reason", "机构调整")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert!(c.get(&format!("/orgs/{id}")).await.text().contains("已于 2025-06-01 撤销"), "{backend}");
        // The unit admin cannot reach unit B's pages.
        assert_eq!(c.get(&format!("/orgs/{}", p.branch_b1.id)).await.status, StatusCode::NOT_FOUND, "{backend}");
        // Rules: committee admin adds a version; unit admin may not.
        assert_eq!(c.get("/rules").await.status, StatusCode::FORBIDDEN, "{backend}");
        let mut g = Client::new(&store);
        g.page_login("gwadmin", PASSWORD).await;
        let html = g.get("/rules").await.text();
        assert!(html.contains("党支部党员人数上限"), "{backend}");
        let r = g
            .form(
                "/rules",
                &[
                    ("rule_key", "org"),
                    ("branch_min_full_members", "3"),
                    ("committee_threshold_full_members", "7"),
                    ("branch_max_members", "40"),
                    ("committee_min_size", "3"),
                    ("branch_term_years", "3"),
                    ("general_branch_term_years", "3"),
                    ("party_committee_term_years", "5"),
                    ("election_due_soon_days", "90"),
                    ("effective_from", "2020-01-01"),
                    ("source", "测试"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        assert!(g.get("/rules").await.text().contains("党支部党员人数上限：40"), "{backend}");
    }
}

#[tokio::test]
async fn import_is_all_or_nothing_over_http() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.api_login("unita", PASSWORD).await;
        let birth = chrono::NaiveDate::from_ymd_opt(1991, 1, 1).unwrap();
        let mk = |name: &str, seq: u32, branch: &str| xianfeng_core::member::MemberInput {
            name: name.into(),
            gender: if seq % 2 == 1 { "男".into() } else { "女".into() },
            ethnicity: "汉族".into(),
            id_card: xianfeng_core::idcard::compose(520103, birth, seq),
            status: "正式党员".into(),
            join_date: "2015-01-01".into(),
            full_date: "2016-01-01".into(),
            org_id: branch.into(),
            ..Default::default()
        };
        let mut rows = vec![mk("甲一", 301, "办公室党支部"), mk("乙二", 302, "规划处党支部")];
        rows.push(mk("丙三", 303, "人事处党支部")); // unit B: outside the scope
        let file = xianfeng_web::xlsx::synth_members_file(&rows);
        let r = c.bytes("/api/v1/members/import", file.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", r.text());
        let errs = r.json()["errors"].as_array().unwrap().clone();
        assert_eq!(errs.len(), 1, "{backend}: {errs:?}");
        // Through the page: the refusal offers the roster back with its problems marked, to its uploader only.
        let mut page = Client::new(&store);
        page.page_login("unita", PASSWORD).await;
        assert_eq!(page.get("/members/import").await.status, StatusCode::OK, "{backend}");
        let boundary = "XFBOUNDARY";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"花名册.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = axum::http::Request::post(format!("/members/import?csrf={}", page.csrf))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(axum::body::Body::from(body))
            .unwrap();
        let html = page.send(req).await.text();
        let start = html.find("/members/import/errors/").expect("a link to the marked roster");
        let link = html[start..start + html[start..].find('"').unwrap()].to_string();
        let marked = page.get(&link).await;
        assert_eq!(marked.status, StatusCode::OK, "{backend}");
        let disposition = marked.headers.get("content-disposition").unwrap().to_str().unwrap().to_string();
        assert!(
            disposition.contains(&urlencoding::encode("花名册（错误标注）.xlsx").to_string()),
            "{backend}: {disposition}"
        );
        let marked_rows = common::sheet_rows(&marked.body);
        let header = marked_rows.iter().find(|r| r.iter().any(|c| c == "姓名")).expect("the header is kept");
        assert!(header.last().is_some_and(|c| c == "错误说明"), "{backend}: {header:?}");
        let bad = marked_rows.iter().find(|r| r.iter().any(|c| c == "丙三")).expect("the row is there");
        assert!(bad.last().is_some_and(|c| c.contains("所在党支部")), "{backend}: {bad:?}");
        // Another account on the same server.
        let mut other = Client { app: page.app.clone(), cookie: None, csrf: String::new() };
        other.page_login("unitb", PASSWORD).await;
        assert_eq!(other.get(&link).await.status, StatusCode::NOT_FOUND, "{backend}: not for another account");
        assert_eq!(errs[0]["column"], "所在党支部");
        assert_eq!(c.get("/api/v1/members/count").await.json()["total"], 5, "{backend}: nothing written");
        rows.pop();
        let r = c.bytes("/api/v1/members/import", xianfeng_web::xlsx::synth_members_file(&rows)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        assert_eq!(r.json()["imported"], 2);
        assert_eq!(c.get("/api/v1/members/count").await.json()["total"], 7, "{backend}");
        // A numeric ID cell in one row stops the whole file, valid rows included.
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (i, h) in ["姓名", "性别", "民族", "公民身份号码", "党籍状态", "入党日期", "转正日期", "所在党支部"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, i as u16, *h).unwrap();
        }
        let good = mk("丁四", 305, "办公室党支部");
        for (i, v) in [
            &good.name,
            &good.gender,
            &good.ethnicity,
            &good.id_card,
            &good.status,
            &good.join_date,
            &good.full_date,
            &good.org_id,
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(1, i as u16, v.as_str()).unwrap();
        }
        let bad = mk("戊五", 307, "办公室党支部");
        for (i, v) in [&bad.name, &bad.gender, &bad.ethnicity].iter().enumerate() {
            ws.write_string(2, i as u16, v.as_str()).unwrap();
        }
        ws.write_number(2, 3, bad.id_card[..17].parse::<f64>().unwrap()).unwrap();
        for (i, v) in [&bad.status, &bad.join_date, &bad.full_date, &bad.org_id].iter().enumerate() {
            ws.write_string(2, 4 + i as u16, v.as_str()).unwrap();
        }
        let r = c.bytes("/api/v1/members/import", wb.save_to_buffer().unwrap()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", r.text());
        assert!(r.text().contains("公民身份号码被Excel存成了数字"), "{backend}: {}", r.text());
        assert_eq!(
            c.get("/api/v1/members/count").await.json()["total"],
            7,
            "{backend}: the valid row was not written either"
        );
        // A file read in several chunks: the first chunks are written inside the
        // transaction, a bad row near the end rolls all of them back.
        let many: Vec<_> = (0..2500u32)
            .map(|i| {
                let birth = chrono::NaiveDate::from_ymd_opt(1960 + (i % 30) as i32, 1 + i % 12, 1 + i % 28).unwrap();
                let mut m = mk("批量", 1 + (i / 360) * 2, "办公室党支部");
                m.name = format!("批量{i:04}");
                m.id_card = xianfeng_core::idcard::compose(522601 + i % 360, birth, 1 + (i / 360) * 2);
                if i == 2400 {
                    m.ethnicity = "火星族".into();
                }
                m
            })
            .collect();
        let r = c.bytes("/api/v1/members/import", xianfeng_web::xlsx::synth_members_file(&many)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", &r.text()[..r.text().len().min(400)]);
        let errs = r.json()["errors"].as_array().unwrap().clone();
        assert_eq!(errs.len(), 1, "{backend}: {errs:?}");
        assert_eq!(errs[0]["column"], "民族", "{backend}");
        assert_eq!(r.json()["imported"], 0, "{backend}");
        assert_eq!(c.get("/api/v1/members/count").await.json()["total"], 7, "{backend}: earlier chunks rolled back");
        let r = c.bytes("/api/v1/members/import", b"not a spreadsheet".to_vec()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("xlsx"), "{backend}: {}", r.text());
        let _ = p;
    }
}

#[tokio::test]
async fn both_backends_run_under_ci() {
    let names: Vec<&str> = testkit::all_stores().await.into_iter().map(|(n, _)| n).collect();
    eprintln!("backends under test: {names:?}");
    assert!(names.contains(&"sqlite"));
    if std::env::var("CI").is_ok() {
        assert!(names.contains(&"postgres"), "under CI the PostgreSQL suite must run: {names:?}");
    }
}

#[tokio::test]
async fn roles_granted_switched_and_separated() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        // The system administrator creates the account; the security administrator grants roles.
        let mut sys = Client::new(&store);
        sys.page_login("sysadm", PASSWORD).await;
        sys.get("/admin/users").await;
        sys.form("/admin/users", &[("username", "twohats"), ("display_name", "双岗干部")]).await;
        let users = sys.get("/api/v1/users").await.json();
        let id = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "twohats").unwrap()["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            sys.get("/admin/roles").await.status,
            StatusCode::FORBIDDEN,
            "{backend}: not the system administrator's duty"
        );

        let mut sec = Client::new(&store);
        sec.page_login("secadm", PASSWORD).await;
        sec.get("/admin/roles").await;
        let uid = id.to_string();
        let unit = p.unit_a.id.to_string();
        let branch = p.branch_b1.id.to_string();
        let r = sec.form("/admin/roles", &[("user_id", &uid), ("role", "unit_admin"), ("org_id", &unit)]).await;
        assert!(r.text().contains("已授权"), "{backend}: {}", r.text());
        sec.form("/admin/roles", &[("user_id", &uid), ("role", "branch_secretary"), ("org_id", &branch)]).await;
        // A unit admin must be bound to a unit, and the triad never combines with business roles.
        let r = sec.form("/admin/roles", &[("user_id", &uid), ("role", "unit_admin"), ("org_id", &branch)]).await;
        assert!(r.text().contains("单位党务管理员须绑定到省直单位"), "{backend}: {}", r.text());
        let r = sec.form("/admin/roles", &[("user_id", &uid), ("role", "audit_admin")]).await;
        assert!(r.text().contains("三员分立"), "{backend}: {}", r.text());

        // The account's password is reset by the system administrator; the owner sets the new one.
        let r = sys.form(&format!("/admin/users/{id}/reset"), &[]).await;
        let part_a = common::code_in(&r.text(), "code-part-a");
        common::approve_and_activate(&store, "twohats", &part_a, "Two-Hats-2025").await;
        let mut u = Client::new(&store);
        u.page_login("twohats", "Two-Hats-2025").await;
        let me = u.get("/api/v1/me").await.json();
        assert_eq!(me["current_role"], "unit_admin", "{backend}: {me}");
        assert_eq!(u.get("/api/v1/members/count").await.json()["total"], 5, "{backend}: unit A");
        // Switch to the branch-secretary role: a different scope, same account.
        let role_id = me["roles"].as_array().unwrap().iter().find(|r| r["role"] == "branch_secretary").unwrap()["id"]
            .as_i64()
            .unwrap();
        u.get("/").await; // the page carries the new session's CSRF token
        let r = u.form("/role", &[("role_id", &role_id.to_string())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(u.get("/api/v1/me").await.json()["current_role"], "branch_secretary", "{backend}");
        assert_eq!(u.get("/api/v1/members/count").await.json()["total"], 2, "{backend}: branch B1 only");
        assert!(u.get("/").await.text().contains("role-switch"), "{backend}: the top bar offers the switch");

        // Revoking the role ends the sessions acting under it.
        let rid = role_id.to_string();
        sec.form(&format!("/admin/roles/{rid}/revoke"), &[]).await;
        assert_eq!(u.get("/api/v1/members/count").await.status, StatusCode::UNAUTHORIZED, "{backend}");

        // The audit administrator sees all of it, and the chain is intact.
        let mut aud = Client::new(&store);
        aud.page_login("audadm", PASSWORD).await;
        let html = aud.get("/audit?action=role_grant").await.text();
        assert!(html.contains("授予角色") && html.contains("secadm"), "{backend}");
        let html = aud.get("/audit?action=role_grant&outcome=failure").await.text();
        assert!(
            html.contains("三员分立") && html.contains("须绑定到省直单位"),
            "{backend}: refused grants are audited"
        );
        assert!(aud.get("/audit/verify").await.text().contains("日志链完整"), "{backend}");
    }
}

#[tokio::test]
async fn expired_password_must_be_changed() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let long_ago = xianfeng_core::text::now_ms() - 91 * 86_400_000;
        let mut tx = store.db.begin().await.unwrap();
        tx.c()
            .execute(xianfeng_store::q!("UPDATE users SET password_changed_at = $1 WHERE username = 'unita'", long_ago))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut c = Client::new(&store);
        let r = c.page_login("unita", PASSWORD).await;
        assert_eq!(r.location(), "/password", "{backend}");
        let html = c.get("/password").await.text();
        assert!(html.contains("密码已超过90天未修改"), "{backend}: {html}");
        let r = c.get("/api/v1/members").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(r.json()["error"]["code"], "password_change_required", "{backend}");
    }
}
