//! Secretaries' annual review over HTTP on both engines: the committee opens a
//! year, units submit their secretary's report (once, in scope), participants
//! rate once each (a second rating replaces the first), results with rates,
//! and nothing more after closing.

mod common;

use axum::http::StatusCode;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::testkit;

#[tokio::test]
async fn units_report_participants_rate_and_results_count() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        assert_eq!(
            ua.json("POST", "/api/v1/secretary-reviews", serde_json::json!({ "year": 2025 })).await.status,
            StatusCode::FORBIDDEN,
            "{backend}"
        );
        let r = gw.json("POST", "/api/v1/secretary-reviews", serde_json::json!({ "year": 2025 })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        let base = format!("/api/v1/secretary-reviews/{id}");
        let report = serde_json::json!({ "unit_id": p.unit_a.id, "secretary": "王书记", "mode": "in_person", "report": "一年来坚持第一议题制度，抓实三会一课，支部标准化建设全面达标。" });
        let short =
            serde_json::json!({ "unit_id": p.unit_a.id, "secretary": "王书记", "mode": "written", "report": "很好" });
        assert_eq!(
            ua.json("POST", &format!("{base}/reports"), short).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert_eq!(
            ua.json("POST", &format!("{base}/reports"), report.clone()).await.status,
            StatusCode::OK,
            "{backend}"
        );
        assert_eq!(
            ua.json("POST", &format!("{base}/reports"), report).await.status,
            StatusCode::CONFLICT,
            "{backend}: once per unit"
        );
        let other = serde_json::json!({ "unit_id": p.unit_b.id, "secretary": "李书记", "mode": "written", "report": "一年来坚持第一议题制度，抓实三会一课，支部标准化建设全面达标。" });
        assert_eq!(
            ua.json("POST", &format!("{base}/reports"), other).await.status,
            StatusCode::NOT_FOUND,
            "{backend}: not unit A's"
        );
        let j = gw.get(&base).await.json();
        let rep = &j["reports"][0];
        let (c, rid) = (rep["committee_id"].as_i64().unwrap(), rep["id"].as_i64().unwrap());
        let rate = |g: &str| serde_json::json!({ "committee_id": c, "report_id": rid, "rating": g });
        let mut clients = Vec::new();
        for (user, g) in [("gwadmin", "good"), ("unitb", "good"), ("seca1", "fairly_good"), ("seca2", "poor")] {
            let mut x = Client::new(&store);
            x.api_login(user, PASSWORD).await;
            assert_eq!(
                x.json("POST", &format!("{base}/ratings"), rate(g)).await.status,
                StatusCode::OK,
                "{backend}: {user}"
            );
            clients.push(x);
        }
        // seca2 changes their mind: one rating per participant.
        clients[3].json("POST", &format!("{base}/ratings"), rate("average")).await;
        assert_eq!(
            clients[3].json("POST", &format!("{base}/ratings"), rate("excellent")).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        // Before closing only the committee sees the counts.
        assert_eq!(ua.get(&base).await.json()["reports"][0]["total"], 0, "{backend}");
        let j = gw.get(&base).await.json();
        assert_eq!(j["reports"][0]["counts"], serde_json::json!([2, 1, 1, 0]), "{backend}");
        let mut page = Client::new(&store);
        page.page_login("gwadmin", PASSWORD).await;
        let html = page.get(&format!("/secretary-reviews/{id}")).await.text();
        assert!(html.contains("50.0%") && html.contains("75.0%"), "{backend}: good rate 2/4, satisfied 3/4");
        assert_eq!(
            gw.json("POST", &format!("{base}/close"), serde_json::json!({})).await.status,
            StatusCode::OK,
            "{backend}"
        );
        assert_eq!(
            clients[2].json("POST", &format!("{base}/ratings"), rate("good")).await.status,
            StatusCode::CONFLICT,
            "{backend}: closed"
        );
        assert_eq!(ua.get(&base).await.json()["reports"][0]["total"], 4, "{backend}: results open to all once closed");
    }
}
