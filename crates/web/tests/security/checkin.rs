//! Point 4: check-in only at the meeting.

use super::*;

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
