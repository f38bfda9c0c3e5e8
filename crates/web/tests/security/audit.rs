//! Point 8: the audit sees every read and download, and no business content.

use super::*;

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
