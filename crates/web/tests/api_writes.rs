//! The API's writes that the other suites reach only through the pages, done
//! through the API alone and checked by what a user would see next: accounts
//! and roles, rule versions, the org tree, a member's record, a cancelled
//! meeting, recruitment materials and transfers coming in, sent back and
//! withdrawn. Every exchange is also checked against the API document (see
//! `common::conforms`), so together with the other suites every documented
//! operation is answered once with its documented success.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Client, PASSWORD, province_with_accounts};
use serde_json::json;
use xianfeng_store::testkit;

#[tokio::test]
async fn accounts_and_roles_through_the_api() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut sys = Client::new(&store);
        sys.api_login("sysadm", PASSWORD).await;
        let r = sys.json("POST", "/api/v1/users", json!({ "username": "wangli", "display_name": "王丽" })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let opened = r.json();
        let uid = opened["user"]["id"].as_i64().unwrap();
        assert!(
            opened["activation_code_part_a"].as_str().is_some_and(|c| !c.is_empty()),
            "{backend}: the first half of the code"
        );
        let r = sys.json("POST", &format!("/api/v1/users/{uid}/active"), json!({ "active": false })).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let users = sys.get("/api/v1/users?per_page=200").await.json();
        let row = users["items"].as_array().unwrap().iter().find(|u| u["id"] == uid).cloned().unwrap();
        assert_eq!(row["active"], false, "{backend}: the list shows the account stopped");

        // The security administrator grants the committee's administrator a
        // second role; the administrator switches to it; the grant is revoked.
        let mut sec = Client::new(&store);
        sec.api_login("secadm", PASSWORD).await;
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        let me = gw.get("/api/v1/me").await.json();
        let gw_id = me["id"].as_i64().unwrap();
        let unit_a = p.unit_a.id;
        let r = sec
            .json("POST", &format!("/api/v1/users/{gw_id}/roles"), json!({ "role": "unit_admin", "org_id": unit_a }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let binding = r.json();
        assert_eq!(binding["role"], "unit_admin", "{backend}");
        let r = gw.json("PUT", "/api/v1/me/role", json!({ "role_id": binding["id"] })).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(gw.get("/api/v1/me").await.json()["current_role"], "unit_admin", "{backend}");
        let r = sec.send(delete(&format!("/api/v1/roles/{}", binding["id"]), &sec.csrf)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let after = gw.get("/api/v1/me").await;
        assert_eq!(
            after.status,
            StatusCode::UNAUTHORIZED,
            "{backend}: a session in the revoked role ends: {}",
            after.text()
        );
        gw.api_login("gwadmin", PASSWORD).await;
        let me = gw.get("/api/v1/me").await.json();
        assert_eq!(
            (me["roles"].as_array().map(Vec::len), me["current_role"].as_str()),
            (Some(1), Some("committee_admin")),
            "{backend}: the grant is gone"
        );

        // Acknowledging the notice, then signing out ends the session.
        let r = gw.json("POST", "/api/v1/me/notice", json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let r = gw.json("POST", "/api/v1/auth/logout", json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(gw.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "{backend}");
    }
}

#[tokio::test]
async fn the_org_tree_a_member_and_the_rules_through_the_api() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        let a1 = p.branch_a1.id;
        // A unit's district is set on the unit (by the committee) and carried by every org in it.
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        let r = gw.json("PATCH", &format!("/api/v1/orgs/{}", p.unit_a.id), json!({ "district": "观山湖区" })).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(
            (r.json()["district"].as_str(), r.json()["name"].as_str()),
            (Some("观山湖区"), Some(p.unit_a.name.as_str())),
            "{backend}: only the field sent changes"
        );
        assert_eq!(
            ua.get(&format!("/api/v1/orgs/{a1}")).await.json()["district"],
            "观山湖区",
            "{backend}: the branch follows"
        );
        let history = ua.get(&format!("/api/v1/orgs/{}/history", p.unit_a.id)).await.json();
        assert!(history["total"].as_i64().unwrap() >= 1, "{backend}: {history}");
        let children = ua.get(&format!("/api/v1/orgs/{}/children?per_page=1", p.committee_a.id)).await.json();
        assert_eq!(children["items"].as_array().map(Vec::len), Some(1), "{backend}: {children}");
        assert!(children["total"].as_i64().unwrap() >= 2, "{backend}: a page of the children says how many there are");

        // A new branch under the unit, moved under the unit's committee, then dissolved.
        let body = json!({ "parent_id": p.unit_a.id, "name": "临时党支部", "kind": "branch" });
        let r = ua.json("POST", "/api/v1/orgs", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let tmp = r.json()["id"].as_i64().unwrap();
        let r = ua
            .json(
                "POST",
                &format!("/api/v1/orgs/{tmp}/move"),
                json!({ "parent_id": p.committee_a.id, "reason": "归口管理" }),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["parent_id"].as_i64()),
            (StatusCode::OK, Some(p.committee_a.id)),
            "{backend}: {}",
            r.text()
        );
        let r = ua
            .json(
                "POST",
                &format!("/api/v1/orgs/{tmp}/dissolve"),
                json!({ "date": today().to_string(), "reason": "任务完成" }),
            )
            .await;
        assert_eq!((r.status, r.json()["active"].as_bool()), (StatusCode::OK, Some(false)), "{backend}: {}", r.text());

        // A secretary appointed and relieved.
        let zhang = p.member("张伟").id();
        let r = ua
            .json("POST", &format!("/api/v1/orgs/{a1}/posts"), json!({ "member_id": zhang, "post": "propaganda" }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let posts = ua.get(&format!("/api/v1/orgs/{a1}")).await.json()["posts"].clone();
        let post =
            posts.as_array().unwrap().iter().find(|x| x["member_id"] == zhang && x["post"] == "propaganda").cloned();
        let post_id = post.unwrap_or_else(|| panic!("{backend}: appointed: {posts}"))["id"].as_i64().unwrap();
        let r = ua.send(delete(&format!("/api/v1/orgs/{a1}/posts/{post_id}"), &ua.csrf)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let posts = ua.get(&format!("/api/v1/orgs/{a1}")).await.json()["posts"].clone();
        assert!(!posts.as_array().unwrap().iter().any(|x| x["id"] == post_id), "{backend}: relieved");

        // A member's record corrected with the version read; a stale version is refused.
        let m = ua.get(&format!("/api/v1/members/{zhang}")).await.json();
        let mut input = json!({
            "name": m["name"], "gender": m["gender"], "ethnicity": m["ethnicity"], "birth_date": m["birth_date"],
            "education": m["education"], "category": m["category"], "position": "科长", "status": "正式党员",
            "join_date": m["join_date"], "full_date": m["full_date"], "org_id": a1.to_string(), "version": m["version"],
        });
        let r = ua.json("PUT", &format!("/api/v1/members/{zhang}"), input.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(r.json()["position"], "科长", "{backend}");
        input["position"] = json!("处长");
        let r = ua.json("PUT", &format!("/api/v1/members/{zhang}"), input).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: the version read is no longer current");

        // The committee adds a rule version with its effective date.
        let from = (today() + chrono::Days::new(30)).to_string();
        let body = json!({ "key": "transfer", "effective_from": from, "value": { "letter_valid_days": 60, "dues_must_be_paid": true }, "source": "组织部通知" });
        let r = gw.json("POST", "/api/v1/rules", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let rules = gw.get("/api/v1/rules?per_page=200").await.json();
        let added = rules["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["key"] == "transfer" && r["effective_from"] == from.as_str());
        assert!(added, "{backend}: {rules}");
    }
}

#[tokio::test]
async fn a_meeting_cancelled_materials_filed_and_transfers_sent_back_through_the_api() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut sec = Client::new(&store);
        sec.api_login("seca1", PASSWORD).await;
        let a1 = p.branch_a1.id;
        let plan = json!({ "org_id": a1, "kind": "party_lecture", "planned_on": (today() + chrono::Days::new(10)).to_string(), "topic": "学习党章" });
        let m = sec.json("POST", "/api/v1/meetings", plan).await.json();
        let r = sec
            .json(
                "POST",
                &format!("/api/v1/meetings/{}/cancel", m["id"]),
                json!({ "reason": "与全省会议冲突", "version": m["version"] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(
            (r.json()["status"].as_str(), r.json()["cancel_reason"].as_str()),
            (Some("cancelled"), Some("与全省会议冲突")),
            "{backend}"
        );

        // Recruitment: a material uploaded to a step and read back.
        let zhao = p
            .members_under(&p.branch_a1)
            .into_iter()
            .find(|m| m.detail.status == xianfeng_core::member::MemberStatus::Applicant)
            .map(|m| m.id());
        let applicant = match zhao {
            Some(id) => id,
            None => {
                let (id_card, gender) = testkit::id_card(chrono::NaiveDate::from_ymd_opt(2000, 5, 1).unwrap(), 7);
                let body = json!({ "name": "赵敏", "gender": gender, "ethnicity": "汉族", "birth_date": "2000-05-01",
                    "id_card": id_card,
                    "status": "入党申请人", "org_id": a1.to_string() });
                let r = sec.json("POST", "/api/v1/members", body).await;
                assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
                r.json()["id"].as_i64().unwrap()
            }
        };
        let r = sec
            .json(
                "POST",
                "/api/v1/recruitment/cases",
                json!({ "member_id": applicant, "applied_on": (today() - chrono::Days::new(30)).to_string() }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let case = r.json()["id"].as_i64().unwrap();
        let boundary = "XFTOUR";
        let pdf = "%PDF-1.7\n1 0 obj\n";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"入党申请书.pdf\"\r\nContent-Type: application/pdf\r\n\r\n{pdf}\r\n--{boundary}--\r\n"
        );
        let req = Request::post(format!("/api/v1/recruitment/cases/{case}/documents?step=1"))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .header("x-csrf-token", sec.csrf.clone())
            .body(Body::from(body))
            .unwrap();
        let r = sec.send(req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let doc = r.json()["id"].as_i64().unwrap();
        let r = sec.get(&format!("/api/v1/recruitment/cases/{case}/documents/{doc}")).await;
        assert_eq!((r.status, r.body.as_slice()), (StatusCode::OK, pdf.as_bytes()), "{backend}");

        // A member coming in from outside the province, and two transfers: one sent back, one withdrawn.
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        let (id_card, gender) = testkit::id_card(chrono::NaiveDate::from_ymd_opt(1990, 3, 4).unwrap(), 11);
        let member = json!({ "name": "钱进", "gender": gender, "ethnicity": "汉族", "birth_date": "1990-03-04",
            "id_card": id_card,
            "status": "正式党员", "join_date": "2015-07-01", "full_date": "2016-07-01", "org_id": a1.to_string() });
        let body = json!({ "member": member, "from_org_name": "外省某机关党支部", "letter_no": "外组转〔2026〕8号", "valid_until": (today() + chrono::Days::new(60)).to_string(), "reason": "调入" });
        let r = ua.json("POST", "/api/v1/transfers/incoming", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let incoming = r.json();
        assert_eq!(
            (incoming["kind"].as_str(), incoming["member_name"].as_str()),
            (Some("into_province"), Some("钱进")),
            "{backend}: {incoming}"
        );
        let r = ua
            .json(
                "POST",
                &format!("/api/v1/transfers/{}/reject", incoming["id"]),
                json!({ "reason": "介绍信抬头有误", "version": incoming["version"] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(r.json()["t"]["rejected_reason"], "介绍信抬头有误", "{backend}");

        let zhang = p.member("张伟").id();
        let body = json!({ "member_id": zhang, "to_org_id": p.branch_b1.id, "reason": "工作调动" });
        let t = sec.json("POST", "/api/v1/transfers", body).await.json();
        let r = sec
            .json("POST", &format!("/api/v1/transfers/{}/cancel", t["id"]), json!({ "version": t["version"] }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(r.json()["t"]["state"], "cancelled", "{backend}");
        let open = sec.get("/api/v1/transfers").await.json();
        assert!(
            !open["items"].as_array().unwrap().iter().any(|x| x["t"]["id"] == t["id"]),
            "{backend}: withdrawn, no longer waiting"
        );
    }
}

/// Today by the clock the tests set (`XIANFENG_TODAY`): the dates here move with it.
fn today() -> chrono::NaiveDate {
    xianfeng_core::text::today_cn()
}

fn delete(path: &str, csrf: &str) -> Request<Body> {
    Request::delete(path).header("x-csrf-token", csrf).body(Body::empty()).unwrap()
}
