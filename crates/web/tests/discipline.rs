//! Discipline cases over HTTP on both engines: only discipline staff reach the
//! pages and the API; a case typed with a mistake comes back with the field
//! named in Chinese and what was typed kept; the case, the list and the
//! statistics show it; business roles get 403 on every discipline path.

mod common;

use axum::http::StatusCode;
use chrono::Datelike;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::testkit;

#[tokio::test]
async fn only_discipline_staff_record_and_read_cases() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = xianfeng_core::text::today_cn();
        let mut js = Client::new(&store);
        js.page_login("jijian", PASSWORD).await;
        let home = js.get("/").await.text();
        assert!(home.contains("进入案件登记"), "{backend}");
        // A bad form: the date is in the future; the name stays typed.
        let unit_a = p.unit_a.id.to_string();
        let tomorrow = (today + chrono::Days::new(1)).to_string();
        let mut fields = vec![
            ("person_name", "张伟"),
            ("org_id", unit_a.as_str()),
            ("cadre_rank", "division_level"),
            ("kind", "party_serious_warning"),
            ("decided_on", tomorrow.as_str()),
            ("decided_by", "省直机关纪检监察工委"),
            ("document_no", "黔直纪〔2025〕12号"),
            ("summary", "违规收受礼金"),
        ];
        let r = js.form("/discipline/new", &fields).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let t = r.text();
        assert!(t.contains("决定日期不能晚于今天") && t.contains("value=\"张伟\""), "{backend}");
        let today_s = today.to_string();
        fields[4] = ("decided_on", today_s.as_str());
        let r = js.form("/discipline/new", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let case = js.get(&r.location()).await.text();
        assert!(case.contains("严重警告（党纪处分）") && case.contains("（党员）"), "{backend}");
        // The API: a case for a public servant, the list and the statistics.
        let body = serde_json::json!({ "person_name": "周某", "org_id": p.unit_b.id, "cadre_rank": "section_level_or_below",
            "kind": "admonition", "decided_on": today_s, "decided_by": "省教育厅党组", "summary": "工作作风漂浮" });
        let r = js.json("POST", "/api/v1/discipline-cases", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        assert_eq!(r.json()["member_id"], serde_json::Value::Null, "{backend}");
        let j = js.get("/api/v1/discipline-cases?category=party_sanction").await.json();
        assert_eq!(j["total"], 1, "{backend}");
        assert_eq!(j["items"][0]["person_name"], "张伟", "{backend}");
        let list = js.get(&format!("/discipline?unit_id={}", p.unit_b.id)).await.text();
        assert!(list.contains("周某") && !list.contains(">张伟<"), "{backend}");
        let y = today.year();
        let stats = js.get(&format!("/discipline/stats?from={y}&to={y}")).await.text();
        assert!(
            stats.contains("科级及以下党员干部和公职人员 <strong>1</strong> 人，处级干部 <strong>1</strong> 人"),
            "{backend}"
        );
        let j = js.get(&format!("/api/v1/discipline-stats?from={y}&to={y}")).await.json();
        assert_eq!(j["total"], 2, "{backend}: {j}");
        // Every business role and administrator is refused.
        for user in ["gwadmin", "unita", "seca1", "member1", "audadm"] {
            let mut c = Client::new(&store);
            c.api_login(user, PASSWORD).await;
            for path in ["/api/v1/discipline-cases", "/api/v1/discipline-stats"] {
                assert_eq!(c.get(path).await.status, StatusCode::FORBIDDEN, "{backend}: {user} {path}");
            }
            let mut pg = Client::new(&store);
            pg.page_login(user, PASSWORD).await;
            assert_eq!(pg.get("/discipline").await.status, StatusCode::FORBIDDEN, "{backend}: {user}");
        }
    }
}
