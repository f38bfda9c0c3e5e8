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
        assert_eq!(api.get("/api/v1/dues/roster?month=2025-13").await.status, StatusCode::BAD_REQUEST, "{backend}");
    }
}

#[tokio::test]
async fn a_unit_opens_a_month_secretaries_record_payments_and_finance_gets_the_sheet() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let (zhang, li) = (p.member("张伟").id(), p.member("李娜").id());
        let mut api = Client::new(&store);
        api.api_login("unita", PASSWORD).await;
        for (id, t, base) in [(zhang, "salaried", "8000"), (li, "retired", "4000")] {
            let r = api
                .json(
                    "POST",
                    &format!("/api/v1/members/{id}/dues-bases"),
                    serde_json::json!({ "member_type": t, "base": base, "effective_month": "2025-01" }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        }
        // Open March through the page.
        let mut ua = Client::new(&store);
        ua.page_login("unita", PASSWORD).await;
        let html = ua.get("/dues/cycles?month=2025-03").await.text();
        assert!(html.contains("尚未开启"), "{backend}");
        let r = ua.form("/dues/cycles/open", &[("month", "2025-03")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let html = ua.get("/dues/cycles?month=2025-03").await.text();
        assert!(html.contains("收缴中") && html.contains("¥120.00") && html.contains("¥20.00"), "{backend}");

        // The secretary records 张伟's payment; a short amount is refused.
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let home = sec.get("/").await;
        assert!(home.text().contains("党费收缴"), "{backend}: the menu offers dues: {} {}", home.status, home.text());
        sec.get("/dues/cycles?month=2025-03").await;
        let r = sec
            .form(
                &format!("/dues/charges/{zhang}/2025-03"),
                &[("amount", "100"), ("paid_on", "2025-03-10"), ("method", "wechat")],
            )
            .await;
        assert!(r.text().contains("缴费金额少于应缴的¥120.00"), "{backend}");
        let r = sec
            .form(
                &format!("/dues/charges/{zhang}/2025-03"),
                &[("amount", "120.00"), ("paid_on", "2025-03-10"), ("method", "wechat")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let mut sapi = Client::new(&store);
        sapi.api_login("seca1", PASSWORD).await;
        let r = sapi
            .json(
                "POST",
                &format!("/api/v1/dues/charges/{li}/2025-03/payment"),
                serde_json::json!({ "amount": "20", "paid_on": "2025-12-01", "method": "cash" }),
            )
            .await;
        assert_eq!(r.json()["error"]["fields"][0]["field"], "reason", "{backend}: nine months back needs a reason");
        let cycles = api.get("/api/v1/dues/cycles?month=2025-03").await.json();
        assert_eq!(
            (cycles["items"][0]["expected_fen"].as_i64(), cycles["items"][0]["paid_fen"].as_i64()),
            (Some(14_000), Some(12_000)),
            "{backend}"
        );

        // Finance sheet.
        let r = ua.get("/dues/cycles.xlsx?month=2025-03").await;
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.body.clone())).unwrap();
        let sheet = wb.worksheet_range("党费收缴").unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert!(rows[0][0].contains("2025年03月党费收缴明细"), "{backend}: {:?}", rows[0]);
        assert!(rows[1][0].contains("应缴合计：¥140.00") && rows[1][0].contains("实缴合计：¥120.00"), "{backend}");
        let zr = rows.iter().find(|r| r.get(1).map(|s| s == "张伟").unwrap_or(false)).unwrap();
        assert_eq!((zr[4].as_str(), zr[5].as_str(), zr[7].as_str()), ("120", "120", "微信"), "{backend}");

        // Roll-up: the province sees unit A's month; the unit sees its branches.
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        let sum = gw.get("/api/v1/dues/summary?month=2025-03").await.json();
        assert_eq!(
            (sum["sum"]["members"].as_i64(), sum["sum"]["paid_members"].as_i64()),
            (Some(2), Some(1)),
            "{backend}"
        );
        assert_eq!(sum["items"][0]["name"], "省工业和信息化厅", "{backend}");
        assert_eq!(sum["items"][0]["paid"], 12_000, "{backend}");
        let html = ua.get("/dues/summary?month=2025-03").await.text();
        assert!(html.contains("省工业和信息化厅机关党委") && html.contains("50.0%"), "{backend}");
        // The member's own page: the payment and the unpaid month.
        let mut me = Client::new(&store);
        me.page_login("member1", PASSWORD).await;
        let mine = me.get("/me/dues").await.text();
        assert!(mine.contains("2025-03") && mine.contains("微信"), "{backend}");
        let mut mapi = Client::new(&store);
        mapi.api_login("member1", PASSWORD).await;
        assert_eq!(mapi.get("/api/v1/me/dues").await.json()["charges"]["items"][0]["paid_fen"], 12_000, "{backend}");

        // The payment list pages and filters: by name, unpaid only; a payment form returns to the list as it was.
        let by_name = ua.get("/dues/cycles?month=2025-03&name=李").await.text();
        assert!(by_name.contains("李娜") && !by_name.contains(">张伟<"), "{backend}");
        let unpaid = ua.get("/dues/cycles?month=2025-03&unpaid=1").await.text();
        assert!(unpaid.contains("李娜") && !unpaid.contains(">张伟<") && unpaid.contains("checked"), "{backend}");
        let one = ua.get("/dues/cycles?month=2025-03&per_page=1").await.text();
        assert!(one.contains("共 2 条，每页 1 条"), "{backend}");
        let action = one
            .split("action=\"/dues/charges/")
            .nth(1)
            .unwrap_or_default()
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(
            action.replace("&#38;", "&").ends_with("per_page=1&page=1"),
            "{backend}: a payment form returns to its page: {action}"
        );

        // Arrears and scope.
        let a = api.get("/api/v1/dues/arrears").await.json();
        assert_eq!(a["items"][0]["member_id"], li, "{backend}");
        assert!(ua.get("/dues/arrears").await.text().contains("李娜"), "{backend}");
        // A page at a time, longest run first; the flagged filter keeps its box ticked.
        let n = a["items"].as_array().unwrap().len();
        let first = ua.get("/dues/arrears?per_page=1").await.text();
        assert!(first.contains(&format!("共 {n} 条，每页 1 条")) && first.contains("李娜"), "{backend}");
        if n > 1 {
            assert!(!ua.get("/dues/arrears?per_page=1&page=2").await.text().contains("李娜"), "{backend}");
        }
        let flagged = ua.get("/dues/arrears?flagged=1").await.text();
        assert!(flagged.contains("value=\"1\" checked"), "{backend}");
        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        assert_eq!(ub.get("/api/v1/dues/charges?month=2025-03").await.json()["total"], 0, "{backend}");
        let r = ub
            .json(
                "POST",
                &format!("/api/v1/dues/charges/{li}/2025-03/payment"),
                serde_json::json!({ "amount": "20", "paid_on": "2025-03-01", "method": "cash" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");

        // The back payment with its reason goes through the API; then the unit settles the month.
        let body = serde_json::json!({ "amount": "20", "paid_on": "2025-12-01", "method": "cash", "reason": "外出学习返岗后补交" });
        let r = sapi.json("POST", &format!("/api/v1/dues/charges/{li}/2025-03/payment"), body).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let c = r.json();
        assert_eq!(
            (c["member_id"].as_i64(), c["paid_fen"].as_i64(), c["name"].as_str()),
            (Some(li), Some(2_000), Some("李娜")),
            "{backend}"
        );
        let r = api.json("POST", "/api/v1/dues/cycles/settle", serde_json::json!({ "month": "2025-03" })).await;
        assert_eq!((r.status, r.json()["settled"].as_i64()), (StatusCode::OK, Some(1)), "{backend}: {}", r.text());
        let cycles = api.get("/api/v1/dues/cycles?month=2025-03").await.json();
        assert_eq!(
            (cycles["items"][0]["status"].as_str(), cycles["items"][0]["paid_fen"].as_i64()),
            (Some("settled"), Some(14_000)),
            "{backend}: {cycles}"
        );
        let again = api.json("POST", "/api/v1/dues/cycles/settle", serde_json::json!({ "month": "2025-03" })).await;
        assert_eq!(again.json()["settled"], 0, "{backend}: settling twice changes nothing");
    }
}

#[tokio::test]
async fn a_unit_sets_its_deduction_items_and_the_base_is_computed_from_the_wage() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let zhang = p.member("张伟").id();
        let mut ua = Client::new(&store);
        ua.page_login("unita", PASSWORD).await;
        let html = ua.get("/dues/deductions").await.text();
        assert!(html.contains("暂按国家规定的六项") && html.contains("住房公积金"), "{backend}");
        let r = ua
            .form(
                "/dues/deductions",
                &[("unit_id", &p.unit_a.id.to_string()), ("items", "养老保险\n住房公积金\n个人所得税\n工会会费")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let html = ua.get(&format!("/dues/members/{zhang}")).await.text();
        assert!(
            html.contains("扣除：工会会费（元）") && !html.contains("扣除：职业年金"),
            "{backend}: the unit's own items"
        );
        // Deductions above the wage are refused; a good set computes the base.
        let r = ua
            .form(
                &format!("/dues/members/{zhang}"),
                &[
                    ("member_type", "salaried"),
                    ("gross", "1000"),
                    ("d:住房公积金", "1200"),
                    ("effective_month", "2025-01"),
                ],
            )
            .await;
        assert!(r.text().contains("超过了应发工资"), "{backend}: {}", html);
        let r = ua
            .form(
                &format!("/dues/members/{zhang}"),
                &[
                    ("member_type", "salaried"),
                    ("gross", "12,000"),
                    ("d:养老保险", "960"),
                    ("d:住房公积金", "1440"),
                    ("d:个人所得税", "1600"),
                    ("effective_month", "2025-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let html = ua.get(&format!("/dues/members/{zhang}")).await.text();
        assert!(html.contains("¥8,000.00 × 1.5% = ¥120.00"), "{backend}");
        assert!(
            html.contains("应发¥12,000.00，扣除养老保险¥960.00、住房公积金¥1,440.00、个人所得税¥1,600.00"),
            "{backend}: {}",
            html
        );
        // An item the unit does not use is refused through the API; another unit cannot change A's items.
        let mut api = Client::new(&store);
        api.api_login("unita", PASSWORD).await;
        let r = api
            .json("POST", &format!("/api/v1/members/{zhang}/dues-bases"), serde_json::json!({ "member_type": "salaried", "gross": "9000", "deductions": { "职业年金": "100" }, "effective_month": "2025-02" }))
            .await;
        assert!(
            r.json()["error"]["fields"][0]["message"].as_str().unwrap().contains("不是本单位设置的扣除项目"),
            "{backend}"
        );
        let mut ub = Client::new(&store);
        ub.page_login("unitb", PASSWORD).await;
        ub.get("/dues/deductions").await;
        let r = ub.form("/dues/deductions", &[("unit_id", &p.unit_a.id.to_string()), ("items", "x")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
    }
}

#[tokio::test]
async fn the_secretarys_month_on_one_page() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let zhang = p.member("张伟").id();
        let today = xianfeng_core::text::today_cn();
        let month = today.format("%Y-%m").to_string();
        // 王芳 was admitted as probationary almost a year ago.
        let admitted = today - chrono::Days::new(350);
        let mut tx = store.db.begin().await.unwrap();
        tx.c()
            .execute(xianfeng_store::q!(
                "UPDATE members SET join_date = $1 WHERE id = $2",
                admitted,
                p.member("王芳").id()
            ))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        ua.json(
            "POST",
            &format!("/api/v1/members/{zhang}/dues-bases"),
            serde_json::json!({ "member_type": "salaried", "base": "6000", "effective_month": "2020-01" }),
        )
        .await;
        let r = ua.json("POST", "/api/v1/dues/cycles", serde_json::json!({ "month": month })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let html = sec.get("/month").await.text();
        assert!(html.contains("1名党员尚未缴纳") && html.contains("张伟（¥90.00）"), "{backend}: {html}");
        assert!(html.contains("王芳") && html.contains("至 "), "{backend}: the probation ending within 30 days");
        assert!(html.contains("组织生活") && html.contains("换届提醒"), "{backend}");
        assert!(html.contains("已召开，补录"), "{backend}: a due meeting can be recorded as held from here");
        // A unit's month says about its meetings what its home page says.
        let mut unit = Client::new(&store);
        unit.page_login("unita", PASSWORD).await;
        let home = unit.get("/").await.text();
        let month_page = unit.get("/month").await.text();
        let line = |h: &str| {
            let i = h.find("年会议按期召开率").map(|i| i.saturating_sub(4))?;
            let end = i + h[i..].find("的会议")?;
            Some(h[i..end].to_string())
        };
        // (On New Year's Day no cycle of the year has ended: neither page has a line.)
        let (on_home, on_month) = (line(&home), line(&month_page));
        assert_eq!(on_home, on_month, "{backend}");
        assert_eq!(on_month.is_some(), month_page.contains("id=\"compliance-line\""), "{backend}");
        let mut me = Client::new(&store);
        me.api_login("member1", PASSWORD).await;
        assert_eq!(me.get("/month").await.status, StatusCode::FORBIDDEN, "{backend}");
    }
}

/// 工资代扣: a branch registers the month's dues of everyone unpaid in one
/// step, each at the amount due and audited; a date ahead of today is refused
/// for all; a back payment that needs its reason is left for one-by-one
/// registration and named; another unit cannot reach the branch.
#[tokio::test]
async fn a_branch_registers_the_months_payroll_deduction_in_one_step() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = xianfeng_core::text::today_cn();
        let month = today.format("%Y-%m").to_string();
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        for (name, t, base) in [("张伟", "salaried", "8000"), ("李娜", "retired", "4000"), ("赵敏", "salaried", "6000")]
        {
            let r = ua
                .json(
                    "POST",
                    &format!("/api/v1/members/{}/dues-bases", p.member(name).id()),
                    serde_json::json!({ "member_type": t, "base": base, "effective_month": "2024-01" }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        }
        let r = ua.json("POST", "/api/v1/dues/cycles", serde_json::json!({ "month": month })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());

        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let html = sec.get(&format!("/dues/cycles?month={month}")).await.text();
        assert!(html.contains("工资代扣：未缴的 3 人按应缴金额一次登记"), "{backend}: {html}");
        let later = (today + chrono::Days::new(1)).to_string();
        let r = sec.form("/dues/cycles/payroll", &[("month", &month), ("org_id", ""), ("paid_on", &later)]).await;
        assert!(r.text().contains("缴费日期不能晚于今天"), "{backend}: {}", r.text());
        assert!(r.text().contains("未缴的 3 人"), "{backend}: nothing was registered");
        let r = sec
            .form("/dues/cycles/payroll", &[("month", &month), ("org_id", ""), ("paid_on", &today.to_string())])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let html = sec.get(&r.location()).await.text();
        let words = format!("已按工资代扣登记{}党费 3 人，合计 ¥230.00", today.format("%Y年%m月"));
        assert!(html.contains(&words), "{backend}: 120 + 20 + 90: {html}");
        assert!(!html.contains("id=\"payroll-form\""), "{backend}: nobody is left unpaid");
        let mut sapi = Client::new(&store);
        sapi.api_login("seca1", PASSWORD).await;
        let charges = sapi.get(&format!("/api/v1/dues/charges?month={month}")).await.json();
        assert_eq!(charges["total"], 3, "{backend}");
        for c in charges["items"].as_array().unwrap() {
            assert_eq!(
                (c["method"].as_str(), c["paid_fen"].clone()),
                (Some("payroll"), c["due_fen"].clone()),
                "{backend}"
            );
        }
        let r = sapi
            .json("POST", "/api/v1/dues/cycles/payroll", serde_json::json!({ "month": month, "paid_on": today }))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.text());
        assert!(r.text().contains("没有未缴党费的党员"), "{backend}");

        // A month far back: the rule wants a reason, so each is left to be registered alone.
        let old = (today - chrono::Months::new(12)).format("%Y-%m").to_string();
        let r = ua.json("POST", "/api/v1/dues/cycles", serde_json::json!({ "month": old })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}");
        let r = sapi
            .json("POST", "/api/v1/dues/cycles/payroll", serde_json::json!({ "month": old, "paid_on": today }))
            .await;
        let rep = r.json();
        assert_eq!(
            (rep["paid"].as_i64(), rep["skipped"].as_array().map(Vec::len)),
            (Some(0), Some(3)),
            "{backend}: {rep}"
        );
        assert!(rep["skipped"][0].as_str().unwrap().contains("须说明原因"), "{backend}");

        // Unit B cannot register A1's dues; a member cannot register any.
        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        let body = serde_json::json!({ "month": month, "org_id": p.branch_a1.id, "paid_on": today });
        assert_eq!(
            ub.json("POST", "/api/v1/dues/cycles/payroll", body).await.status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );
        let mut me = Client::new(&store);
        me.api_login("member1", PASSWORD).await;
        let body = serde_json::json!({ "month": month, "paid_on": today });
        assert_eq!(
            me.json("POST", "/api/v1/dues/cycles/payroll", body).await.status,
            StatusCode::FORBIDDEN,
            "{backend}"
        );
    }
}

/// 更正 from the list where a payment is shown: the form says what stands,
/// asks why, keeps what was typed when refused, returns to the list as it was
/// and names the correction; the API refuses a correction of a payment
/// changed since it was read.
#[tokio::test]
async fn a_payment_is_corrected_from_the_list() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = xianfeng_core::text::today_cn();
        let month = today.format("%Y-%m").to_string();
        let zhang = p.member("张伟").id();
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        let base = serde_json::json!({ "member_type": "salaried", "base": "8000", "effective_month": "2024-01" });
        ua.json("POST", &format!("/api/v1/members/{zhang}/dues-bases"), base).await;
        ua.json("POST", "/api/v1/dues/cycles", serde_json::json!({ "month": month })).await;
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let on = today.to_string();
        let before = sec.get(&format!("/dues/cycles?month={month}&name=%E5%BC%A0")).await.text();
        assert!(!before.contains("/correct?"), "{backend}: nothing paid, nothing to correct");
        let r = sec
            .form(
                &format!("/dues/charges/{zhang}/{month}?month={month}&name=%E5%BC%A0"),
                &[("amount", "150.00"), ("paid_on", &on), ("method", "wechat"), ("reason", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let list = sec.get(&format!("/dues/cycles?month={month}&name=%E5%BC%A0")).await.text();
        let link = format!("/dues/charges/{zhang}/{month}/correct?");
        assert!(list.contains(&link), "{backend}: a paid row links to its correction");
        let form_url = format!("/dues/charges/{zhang}/{month}/correct?month={month}&name=%E5%BC%A0");
        let page = sec.get(&form_url).await.text();
        assert!(page.contains("已缴 ¥150.00") && page.contains("name=\"seen_paid_fen\" value=\"15000\""), "{backend}");
        let fields = |reason: &str| {
            vec![
                ("action".to_string(), "amend".to_string()),
                ("amount".into(), "120.00".into()),
                ("paid_on".into(), on.clone()),
                ("method".into(), "cash".into()),
                ("reason".into(), reason.to_string()),
                ("seen_paid_fen".into(), "15000".into()),
                ("seen_paid_on".into(), on.clone()),
            ]
        };
        let no_reason = fields("");
        let refs: Vec<(&str, &str)> = no_reason.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = sec.form(&form_url, &refs).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.text().contains("请填写更正原因") && r.text().contains("value=\"120.00\""), "{backend}: kept");
        let ok = fields("多录了30元");
        let refs: Vec<(&str, &str)> = ok.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = sec.form(&form_url, &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        assert!(
            r.location().contains("name=%E5%BC%A0") && r.location().contains("ok=corrected"),
            "{backend}: {}",
            r.location()
        );
        let list = sec.get(&r.location()).await.text();
        assert!(list.contains("已更正张伟") && list.contains("¥120.00"), "{backend}: the flash names whose and what");
        // The API: a correction from a stale read is refused (409), a current one goes through.
        let mut api = Client::new(&store);
        api.api_login("seca1", PASSWORD).await;
        let path = format!("/api/v1/dues/charges/{zhang}/{month}/correction");
        let stale =
            serde_json::json!({ "action": "void", "reason": "误登", "seen_paid_fen": 15000, "seen_paid_on": on });
        assert_eq!(api.json("POST", &path, stale).await.status, StatusCode::CONFLICT, "{backend}");
        let void =
            serde_json::json!({ "action": "void", "reason": "误登", "seen_paid_fen": 12000, "seen_paid_on": on });
        let r = api.json("POST", &path, void).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert!(r.json()["paid_on"].is_null(), "{backend}: unpaid again");
    }
}
