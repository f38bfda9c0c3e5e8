//! 排队抓尾 over HTTP: the ranking page and API, the explanation page, and scope.

mod common;

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::dues::{self, BaseInput, PaymentInput};
use xianfeng_store::testkit;

#[tokio::test]
async fn the_ranking_is_shown_explained_and_scoped() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let admin = p.committee_admin();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let who = testkit::who(&admin);
        // Last year: wholly behind us whatever today is.
        let year = xianfeng_core::text::today_cn().year() - 1;
        let jan = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let zhang = p.member("张伟").id();
        let base = BaseInput {
            member_type: "salaried".into(),
            base: "5000".into(),
            effective_month: format!("{year}-01"),
            ..Default::default()
        };
        dues::set_base(&store, &ms.writer().unwrap(), &who, zhang, &base).await.unwrap();
        dues::open_cycle(&store, &ms, &who, jan).await.unwrap();
        let pay = PaymentInput {
            amount: "50.00".into(),
            paid_on: (jan + chrono::Days::new(3)).min(xianfeng_core::text::today_cn()).to_string(),
            method: "cash".into(),
            ..Default::default()
        };
        dues::record_payment(&store, &ms.writer().unwrap(), &who, zhang, jan, &pay).await.unwrap();

        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;
        let html = gw.get(&format!("/ranking?year={year}")).await.text();
        assert!(html.contains(&p.branch_a1.name) && html.contains("党费按月交纳率"), "{backend}");
        // Nothing was recorded last year (every branch would score 0): no ranking to compare with.
        assert!(
            html.contains("名次较上年上升") && html.contains("新参排") && !html.contains("上年全省第"),
            "{backend}"
        );
        let bad = gw.get(&format!("/ranking?year={year}&moved=sideways")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(bad.text().contains("升降筛选"), "{backend}");
        let html = gw.get(&format!("/ranking?year={year}&moved=into_tail")).await.text();
        assert!(html.contains("selected>新列末位"), "{backend}: the filter stays chosen");
        assert!(html.contains("/ranking/export.xlsx?year="), "{backend}: the export keeps the filters");

        // The same table as .xlsx: title, counts, the weights, a header and one row per branch.
        let x = gw.get(&format!("/ranking/export.xlsx?year={year}&name={}", urlencoding::encode("办公室"))).await;
        assert_eq!(x.status, StatusCode::OK, "{backend}");
        let disposition = x.headers.get("content-disposition").unwrap().to_str().unwrap();
        assert!(disposition.contains("filename*=UTF-8''") && disposition.contains(".xlsx"), "{backend}");
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x.body.clone())).unwrap();
        let sheet = wb.worksheet_range("排队抓尾").unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert!(rows[0][0].contains(&format!("{year}年度党支部排队抓尾")), "{backend}: {:?}", rows[0]);
        assert!(rows[1][0].contains("筛选：名称含“办公室”"), "{backend}: {:?}", rows[1]);
        assert!(rows[2][0].contains("党费按月交纳率"), "{backend}: the weights are stated");
        assert_eq!(
            (rows[3][0].as_str(), rows[3][1].as_str(), rows[3][5].as_str()),
            ("全省名次", "并列", "党支部"),
            "{backend}"
        );
        assert_eq!(rows.len(), 5, "{backend}: one branch's name has 办公室");
        assert_eq!((rows[4][5].as_str(), rows[4][10].as_str()), (p.branch_a1.name.as_str(), "100.0%"), "{backend}");
        let mut seca2 = Client::new(&store);
        seca2.page_login("seca2", PASSWORD).await;
        let x = seca2.get(&format!("/ranking/export.xlsx?year={year}")).await;
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x.body.clone())).unwrap();
        let sheet = wb.worksheet_range("排队抓尾").unwrap();
        let names: Vec<String> = sheet.rows().skip(4).map(|r| r[5].to_string()).collect();
        assert_eq!(names, vec![p.branch_a2.name.clone()], "{backend}: a branch exports only itself");
        // The committee's ranking pages: one branch a page, the total and the other pages linked.
        let first = gw.get(&format!("/ranking?year={year}&per_page=1")).await.text();
        let second = gw.get(&format!("/ranking?year={year}&per_page=1&page=2")).await.text();
        let rows = |h: &str| h.matches("<td data-label=\"全省名次\"").count();
        assert_eq!((rows(&first), rows(&second)), (1, 1), "{backend}");
        assert!(first.contains("每页 1 条") && first.contains("page=2"), "{backend}: the pager links the next page");
        let html = gw.get(&format!("/ranking/{}?year={year}", p.branch_a1.id)).await.text();
        assert!(
            html.contains("得分构成") && html.contains("合计") && html.contains("/compliance/missing?org_id="),
            "{backend}"
        );
        assert!(
            html.contains("<td>按实际比例</td>") && html.contains("id=\"place\">全省"),
            "{backend}: scoring and place are stated"
        );
        let mut api = Client::new(&store);
        api.api_login("seca1", PASSWORD).await;
        let j = api.get(&format!("/api/v1/ranking?year={year}")).await.json();
        let rows = j["items"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{backend}: a branch sees itself");
        assert_eq!(rows[0]["org_id"], p.branch_a1.id, "{backend}");
        assert!(j["ranked"].as_u64().unwrap() >= 1, "{backend}");
        let e = api.get(&format!("/api/v1/ranking/{}?year={year}", p.branch_a1.id)).await.json();
        let sum: f64 = e["score"]["parts"].as_array().unwrap().iter().map(|x| x["points"].as_f64().unwrap()).sum();
        assert!((sum - e["score"]["score"].as_f64().unwrap()).abs() < 0.01, "{backend}: the parts add up");
        assert_eq!(
            api.get(&format!("/api/v1/ranking/{}?year={year}", p.branch_b1.id)).await.status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );
        let board = gw.get(&format!("/rectifications?year={year}")).await;
        assert_eq!(board.status, StatusCode::OK, "{backend}");
        assert!(board.text().contains("尚未制定整改方案的末位党支部"), "{backend}: the tail without plans is listed");
        let j = api.get("/api/v1/rectifications").await.json();
        assert_eq!(j["total"], 0, "{backend}");

        // Unit A plans a2's rectification (a2 is in the tail); the board counts it and exports it.
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        let deadline = (xianfeng_core::text::today_cn() + chrono::Days::new(30)).to_string();
        let plan = serde_json::json!({ "org_id": p.branch_a2.id, "year": year, "problems": "三会一课落实不到位",
            "measures": "每月按时召开支部党员大会", "owner": "王强", "deadline": deadline });
        let r = ua.json("POST", "/api/v1/rectifications", plan).await;
        assert!(r.status.is_success(), "{backend}: {}", r.text());
        let rid = r.json()["id"].as_i64().unwrap();
        // The secretary's home page carries the plan; once verification is asked, the unit's does.
        let mut s2 = Client::new(&store);
        s2.page_login("seca2", PASSWORD).await;
        let home = s2.get("/").await.text();
        assert!(home.contains(&format!("{year}年排队抓尾整改进行中")), "{backend}");
        assert!(!ua.get("/").await.text().contains("待销号"), "{backend}");
        let mut s2api = Client::new(&store);
        s2api.api_login("seca2", PASSWORD).await;
        let path = format!("/api/v1/rectifications/{rid}/steps");
        let r = s2api.json("POST", &path, serde_json::json!({ "step": "submit", "note": "已按月召开" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: a step names its version");
        let v = s2api.get(&format!("/api/v1/rectifications/{rid}")).await.json()["r"]["version"].as_i64().unwrap();
        let r = s2api
            .json("POST", &path, serde_json::json!({ "step": "submit", "note": "已按月召开", "version": v }))
            .await;
        assert!(r.status.is_success(), "{backend}: {}", r.text());
        let home = ua.get("/").await.text();
        assert!(home.contains("1项排队抓尾整改已申请验收，待销号"), "{backend}");
        assert!(home.contains("state=submitted"), "{backend}");
        let home = s2.get("/").await.text();
        assert!(home.contains("等待单位销号"), "{backend}");
        let board = gw.get(&format!("/rectifications?year={year}&state=lifted")).await.text();
        assert!(
            board.contains("id=\"n-submitted\">1<") && board.contains("没有符合条件的整改记录"),
            "{backend}: counts over every state"
        );
        // The board narrows by unit or branch (picked by name) and by name; the counts follow.
        let by_unit = gw.get(&format!("/rectifications?year={year}&org_id={}", p.unit_b.id)).await.text();
        assert!(
            by_unit.contains("id=\"n-submitted\">0<") && by_unit.contains("没有符合条件的整改记录"),
            "{backend}: nothing under unit B"
        );
        let name = urlencoding::encode(&p.branch_a2.name).to_string();
        let by_name = gw.get(&format!("/rectifications?year={year}&name={name}")).await.text();
        assert!(
            by_name.contains("id=\"n-submitted\">1<") && by_name.contains(&format!(">{}</a>", p.branch_a2.name)),
            "{backend}: found by the branch's name"
        );
        assert!(by_name.contains("共 1 条"), "{backend}: the board says how many");
        let found = ua.get(&format!("/api/v1/rectifications?org_id={}", p.unit_a.id)).await.json();
        assert_eq!(found["total"], 1, "{backend}: {found}");
        let found = ua.get(&format!("/api/v1/rectifications?name={name}x")).await.json();
        assert_eq!(found["total"], 0, "{backend}: {found}");
        let r = ua.get(&format!("/api/v1/rectifications?org_id={}", p.unit_b.id)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: unit A cannot narrow to unit B");
        let x = gw.get(&format!("/rectifications/export.xlsx?year={year}")).await;
        assert_eq!(x.status, StatusCode::OK, "{backend}");
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x.body.clone())).unwrap();
        let sheet = wb.worksheet_range("整改台账").unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert!(rows[1][0].contains("共 1 项：整改中 0，待单位验收 1"), "{backend}: {:?}", rows[1]);
        assert_eq!(
            (rows[3][1].as_str(), rows[3][2].as_str(), rows[3][5].as_str(), rows[3][9].as_str()),
            (p.unit_a.name.as_str(), p.branch_a2.name.as_str(), "三会一课落实不到位", "待单位验收"),
            "{backend}"
        );
        let mut ub = Client::new(&store);
        ub.page_login("unitb", PASSWORD).await;
        let x = ub.get(&format!("/rectifications/export.xlsx?year={year}")).await;
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x.body.clone())).unwrap();
        assert_eq!(
            wb.worksheet_range("整改台账").unwrap().rows().count(),
            3,
            "{backend}: unit B sees no plan of unit A"
        );
        let mut me = Client::new(&store);
        me.page_login("member1", PASSWORD).await;
        assert_eq!(me.get("/ranking").await.status, StatusCode::FORBIDDEN, "{backend}");
    }
}
