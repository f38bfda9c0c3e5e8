//! Transfers over HTTP: a branch asks and approves out, the other unit approves
//! in through the API, the member's own account follows them, refusals are
//! shown in Chinese, and the month pages list what waits.

mod common;

use axum::http::StatusCode;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::testkit;

#[tokio::test]
async fn a_transfer_between_units_is_approved_on_both_sides_and_the_member_follows() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let zhang = p.member("张伟").id();
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let page = sec.get("/transfers/new?to_org_id_q=教育厅").await.text();
        assert!(
            page.contains("省教育厅 — ") && page.contains("张伟"),
            "{backend}: the directory finds unit B's branch"
        );
        let r = sec
            .form("/transfers/new", &[("member_id", &zhang.to_string()), ("to_org_id", &p.branch_b1.id.to_string())])
            .await;
        assert!(r.text().contains("请填写转接原因"), "{backend}");
        let r = sec
            .form(
                "/transfers/new",
                &[
                    ("member_id", &zhang.to_string()),
                    ("to_org_id", &p.branch_b1.id.to_string()),
                    ("reason", "工作调动"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let url = r.location().split('?').next().unwrap().to_string();
        let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
        assert!(sec.get("/month").await.text().contains("组织关系转接待审批"), "{backend}");
        assert!(sec.get("/transfers?mine=1").await.text().contains("张伟"), "{backend}: waiting for the sending side");
        let html = sec.get(&url).await.text();
        let version = html.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = sec.form(&format!("{url}/approve"), &[("version", &version)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let html = sec.get(&url).await.text();
        assert!(html.contains("待接收方审批") && html.contains("省直机关转〔"), "{backend}");
        // The sending side cannot approve the receiving side's turn; an approval names its version.
        let r = sec.form(&format!("{url}/approve"), &[]).await;
        assert!(r.text().contains("版本号"), "{backend}");
        let version = sec.get(&format!("/api/v1/transfers/{id}")).await.json()["t"]["version"].to_string();
        let r = sec.form(&format!("{url}/approve"), &[("version", &version)]).await;
        assert!(r.text().contains("另一方审批"), "{backend}");

        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        let j = ub.get("/api/v1/transfers?mine=1").await.json();
        assert_eq!(j["total"], 1, "{backend}");
        let r = ub.json("POST", &format!("/api/v1/transfers/{id}/approve"), serde_json::json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: an approval without its version");
        let v = ub.get(&format!("/api/v1/transfers/{id}")).await.json()["t"]["version"].as_i64().unwrap();
        let r =
            ub.json("POST", &format!("/api/v1/transfers/{id}/approve"), serde_json::json!({ "version": v - 1 })).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: a stale version");
        let r = ub.json("POST", &format!("/api/v1/transfers/{id}/approve"), serde_json::json!({ "version": v })).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(r.json()["t"]["state"], "done", "{backend}");
        let j = ub.get(&format!("/api/v1/members/{zhang}")).await.json();
        assert_eq!(j["org_id"], p.branch_b1.id, "{backend}");
        assert_eq!(
            sec.get(&format!("/members/{zhang}")).await.status,
            StatusCode::NOT_FOUND,
            "{backend}: gone from unit A"
        );

        // The member signs in and finds themself in the new branch.
        let mut me = Client::new(&store);
        me.page_login("member1", PASSWORD).await;
        let html = me.get("/me").await.text();
        assert!(html.contains(&p.branch_b1.name), "{backend}: {html}");

        // Scope: another branch of unit A never saw it.
        let mut a2 = Client::new(&store);
        a2.api_login("seca2", PASSWORD).await;
        assert_eq!(a2.get(&format!("/api/v1/transfers/{id}")).await.status, StatusCode::NOT_FOUND, "{backend}");
    }
}
