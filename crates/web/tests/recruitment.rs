//! Recruitment over HTTP: a secretary opens a case and advances it through the
//! pages (a step taken too early is refused with the rule and the date), the
//! unit approves and sends back through the API, the pipeline and plans pages,
//! and scope.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_core::member::MemberStatus;
use xianfeng_store::testkit;

/// The version of a recruitment case, as its page and the API carry it.
async fn case_version(c: &mut Client, id: i64) -> String {
    c.get(&format!("/api/v1/recruitment/cases/{id}")).await.json()["case"]["version"].as_i64().unwrap().to_string()
}

#[tokio::test]
async fn a_case_moves_through_pages_and_api_with_refusals_approval_and_scope() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let admin = p.committee_admin();
        let scope = testkit::member_scope(&store, &admin).await.unwrap();
        let birth = NaiveDate::from_ymd_opt(1999, 2, 3).unwrap();
        let input = testkit::member_input("孙悦", p.branch_a1.id, birth, 81, MemberStatus::Applicant);
        let person = xianfeng_store::member::create(&store, &scope.writer().unwrap(), &testkit::who(&admin), &input)
            .await
            .unwrap()
            .id;

        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let page = sec.get("/recruitment/new").await.text();
        assert!(page.contains("孙悦"), "{backend}: the applicant is offered");
        let r = sec.form("/recruitment/new", &[("member_id", &person.to_string()), ("applied_on", "2025-13-01")]).await;
        assert!(r.text().contains("请按 2025-07-01 的格式填写"), "{backend}");
        let r = sec.form("/recruitment/new", &[("member_id", &person.to_string()), ("applied_on", "2025-03-10")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let case_url = r.location().split('?').next().unwrap().to_string();
        let id: i64 = case_url.rsplit('/').next().unwrap().parse().unwrap();
        // With her case open she is no longer offered, and the page says no one is left.
        let page = sec.get("/recruitment/new").await.text();
        assert!(!page.contains("孙悦") && page.contains("范围内没有尚未建档的入党申请人"), "{backend}: {page}");
        let steps = format!("{case_url}/steps");
        let member_page = sec.get(&format!("/members/{person}")).await.text();
        assert!(member_page.contains(&format!("href=\"{case_url}\"")), "{backend}: the record links to the case");
        let r = sec
            .form(
                &steps,
                &[
                    ("version", &case_version(&mut sec.clone(), id).await),
                    ("step", "2"),
                    ("action", "record"),
                    ("on", "2025-03-20"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        // Too early: the page says why and from when, and keeps the input.
        let html = sec.get(&case_url).await.text();
        assert!(html.contains("最早可于 2025-09-10 办理"), "{backend}: the next step shows its first date");
        let r = sec.form(&steps, &[("step", "3"), ("action", "record"), ("on", "2025-09-10")]).await;
        assert!(r.text().contains("缺少档案的版本号"), "{backend}: a step names the version it acts on");
        let v = case_version(&mut sec.clone(), id).await;
        let r = sec
            .form(
                &steps,
                &[
                    ("version", &v),
                    ("step", "3"),
                    ("action", "record"),
                    ("on", "2025-09-09"),
                    ("responsible", "王书记"),
                ],
            )
            .await;
        let t = r.text();
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(t.contains("递交入党申请书6个月后方可确定为入党积极分子，最早可于 2025-09-10 办理"), "{backend}: {t}");
        assert!(t.contains("value=\"王书记\""), "{backend}: the input is kept");
        let r = sec
            .form(
                &steps,
                &[
                    ("version", &case_version(&mut sec.clone(), id).await),
                    ("step", "3"),
                    ("action", "record"),
                    ("on", "2025-09-10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert!(sec.get(&case_url).await.text().contains("入党积极分子"), "{backend}");
        // The branch cannot file with the higher committee; the page tells it so.
        let t = sec
            .form(
                &steps,
                &[
                    ("version", &case_version(&mut sec.clone(), id).await),
                    ("step", "4"),
                    ("action", "record"),
                    ("on", "2025-09-12"),
                ],
            )
            .await
            .text();
        assert!(t.contains("由上级党委办理"), "{backend}");

        // The unit files through the API; a too-early candidate step is a rule error in JSON.
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        let ev = |step: u8, action: &str, on: &str, data: serde_json::Value, version: &str| serde_json::json!({ "step": step, "action": action, "on": on, "data": data, "version": version.parse::<i64>().unwrap() });
        let events = format!("/api/v1/recruitment/cases/{id}/events");
        let r = ua
            .json(
                "POST",
                &events,
                ev(4, "record", "2025-09-12", serde_json::json!({}), &case_version(&mut ua.clone(), id).await),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let r = ua
            .json(
                "POST",
                &events,
                ev(
                    5,
                    "record",
                    "2025-09-13",
                    serde_json::json!({ "people": "张伟" }),
                    &case_version(&mut ua.clone(), id).await,
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        ua.json(
            "POST",
            &events,
            ev(6, "record", "2026-03-13", serde_json::json!({}), &case_version(&mut ua.clone(), id).await),
        )
        .await;
        let r = ua
            .json(
                "POST",
                &events,
                ev(7, "record", "2026-09-09", serde_json::json!({}), &case_version(&mut ua.clone(), id).await),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}");
        let j = r.json();
        assert_eq!(j["error"]["code"], "rule", "{backend}");
        assert!(j["error"]["message"].as_str().unwrap().contains("最早可于 2026-09-10"), "{backend}");
        let r = ua
            .json(
                "POST",
                &events,
                ev(7, "record", "2026-09-10", serde_json::json!({}), &case_version(&mut ua.clone(), id).await),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        let j = ua.get(&format!("/api/v1/recruitment/cases/{id}")).await.json();
        assert_eq!(j["case"]["person_status"], "candidate", "{backend}");
        assert_eq!(j["events"].as_array().unwrap().len(), 7, "{backend}");

        // Pipeline and plans: the unit sees its numbers and sets a plan; a branch may not plan.
        let year = xianfeng_core::text::today_cn().format("%Y").to_string();
        let r = ua
            .json(
                "PUT",
                "/api/v1/recruitment/plans",
                serde_json::json!({ "unit_id": p.unit_a.id, "year": year.parse::<i32>().unwrap(), "planned": 3 }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let j = ua.get("/api/v1/recruitment/pipeline").await.json();
        assert_eq!(j["sum"]["candidates"], 1, "{backend}");
        assert_eq!(j["sum"]["planned"], 3, "{backend}");
        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;
        let html = gw.get("/recruitment").await.text();
        assert!(html.contains("省工业和信息化厅") && html.contains("0/3（0%）"), "{backend}");
        assert!(gw.get("/recruitment/plans").await.text().contains("省教育厅"), "{backend}");
        assert_eq!(sec.get("/recruitment/plans").await.status, StatusCode::FORBIDDEN, "{backend}");

        // The secretary's month page lists the talk due for a new applicant.
        let input = testkit::member_input("钱锋", p.branch_a1.id, birth, 82, MemberStatus::Applicant);
        let second = xianfeng_store::member::create(&store, &scope.writer().unwrap(), &testkit::who(&admin), &input)
            .await
            .unwrap()
            .id;
        let applied = xianfeng_core::text::today_cn() - chrono::Days::new(10);
        let mut sapi = Client::new(&store);
        sapi.api_login("seca1", PASSWORD).await;
        let r = sapi
            .json(
                "POST",
                "/api/v1/recruitment/cases",
                serde_json::json!({ "member_id": second, "applied_on": applied.to_string() }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let month = sec.get("/month").await.text();
        assert!(month.contains("钱锋") && month.contains("第2步“党组织派人谈话”应于"), "{backend}");

        // Scope: another branch and another unit see nothing.
        let mut sa2 = Client::new(&store);
        sa2.page_login("seca2", PASSWORD).await;
        assert_eq!(sa2.get(&case_url).await.status, StatusCode::NOT_FOUND, "{backend}");
        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        assert_eq!(ub.get(&format!("/api/v1/recruitment/cases/{id}")).await.status, StatusCode::NOT_FOUND, "{backend}");
        assert_eq!(ub.get("/api/v1/recruitment/cases").await.json()["total"], 0, "{backend}");
        let mut me = Client::new(&store);
        me.page_login("member1", PASSWORD).await;
        assert_eq!(me.get("/recruitment").await.status, StatusCode::FORBIDDEN, "{backend}");
    }
}
