//! Dues over HTTP: the rule editor, a member's setting, the roster, the member's own page.

mod common;

use axum::http::StatusCode;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::testkit;

#[tokio::test]
async fn a_secretary_sets_dues_bases_and_the_roster_and_the_member_see_the_due() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let zhang = p.member("张伟").id();
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let page = sec.get(&format!("/dues/members/{zhang}")).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        // A bad base keeps the input and names the field.
        let r = sec
            .form(
                &format!("/dues/members/{zhang}"),
                &[("member_type", "salaried"), ("base", "8千"), ("effective_month", "2025-01")],
            )
            .await;
        assert!(r.text().contains("请填写税后月工资收入") && r.text().contains("value=\"8千\""), "{backend}");
        let r = sec
            .form(
                &format!("/dues/members/{zhang}"),
                &[("member_type", "salaried"), ("base", "8,000.00"), ("effective_month", "2025-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let html = sec.get(&format!("/dues/members/{zhang}")).await.text();
        assert!(html.contains("¥8,000.00 × 1.5% = ¥120.00"), "{backend}");
        let roster = sec.get("/dues?month=2025-03").await.text();
        assert!(roster.contains("¥120.00") && roster.contains("未设置"), "{backend}");
        let mut api = Client::new(&store);
        api.api_login("seca1", PASSWORD).await;
        let r = api
            .json(
                "POST",
                &format!("/api/v1/members/{}/dues-bases", p.member("李娜").id()),
                serde_json::json!({ "member_type": "retired", "base": "5000.01", "effective_month": "2025-01" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let j = api.get("/api/v1/dues/roster?month=2025-03").await.json();
        assert_eq!(j["total_due"], 12_000 + 5_000, "{backend}: fen, exact");
        assert_eq!(j["without_setting"], 2, "{backend}");
        // The member sees their own due; another unit sees nothing of it.
        let mut me = Client::new(&store);
        me.page_login("member1", PASSWORD).await;
        let html = me.get("/me/dues").await.text();
        assert!(html.contains("¥120.00"), "{backend}");
        assert_eq!(me.get("/dues").await.status, StatusCode::FORBIDDEN, "{backend}: members have no roster");
        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        assert_eq!(
            ub.get(&format!("/api/v1/members/{zhang}/dues-bases")).await.status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );

        // The working committee edits the brackets: a new version from a month's first day.
        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;
        let html = gw.get("/rules/dues").await.text();
        assert!(html.contains("在职：¥3,000.00及以下0.5%"), "{backend}");
        let mut fields = vec![
            ("s_up_0", "3000"),
            ("s_rate_0", "0.5"),
            ("s_up_1", "5000"),
            ("s_rate_1", "1"),
            ("s_up_2", "10000"),
            ("s_rate_2", "1.6"),
            ("s_up_3", ""),
            ("s_rate_3", "2"),
            ("r_up_0", "5000"),
            ("r_rate_0", "0.5"),
            ("r_up_1", ""),
            ("r_rate_1", "1"),
            ("student", "0.20"),
            ("laid_off", "0.20"),
            ("relief", "0.20"),
            ("farmer_min", "0.20"),
            ("farmer_max", "1.00"),
            ("back_pay_months", "6"),
            ("warn_unpaid_months", "3"),
            ("lapse_unpaid_months", "6"),
            ("source", "测试"),
        ];
        fields.push(("effective_from", "2026-01-01"));
        let r = gw.form("/rules/dues", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let j = api.get("/api/v1/dues/roster?month=2026-01").await.json();
        let z = j["items"].as_array().unwrap().iter().find(|x| x["member_id"] == zhang).unwrap().clone();
        assert_eq!(z["due"], 12_800, "{backend}: 8000 × 1.6% from January 2026");
        let j = api.get("/api/v1/dues/roster?month=2025-12").await.json();
        let z = j["items"].as_array().unwrap().iter().find(|x| x["member_id"] == zhang).unwrap().clone();
        assert_eq!(z["due"], 12_000, "{backend}: earlier months keep the old rule");
        assert_eq!(
            api.get("/api/v1/dues/roster?month=2025-13").await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
    }
}
