//! The lists that are small by nature are paged too, with their total: an
//! org's child orgs and members, the campaigns, the secretaries' reviews and
//! their reports, the yearly recruitment plans, a member's own meetings and
//! payments. None is cut at a fixed number without saying so, and a form on
//! a paged list comes back to the same rows.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_core::member::MemberStatus;
use xianfeng_store::Store;
use xianfeng_store::testkit::{self, Province};

/// Adds `n` full members named 测试员k to `branch`.
async fn many_members(store: &Store, p: &Province, branch: i64, n: u32) {
    let admin = p.committee_admin();
    let ms = testkit::member_scope(store, &admin).await.unwrap();
    for i in 0..n {
        let birth = NaiveDate::from_ymd_opt(1970 + (i as i32 % 25), 1 + i % 12, 10).unwrap();
        let input = testkit::member_input(&format!("测试员{i:02}"), branch, birth, 400 + i, MemberStatus::Full);
        xianfeng_store::member::create(store, &ms.writer().unwrap(), &testkit::who(&admin), &input).await.unwrap();
    }
}

/// The table rows of the table with `id` (or of the first table after `marker`).
fn rows_after(html: &str, marker: &str) -> usize {
    let from = html.find(marker).unwrap_or_else(|| panic!("{marker} in the page"));
    let table = &html[from..];
    let end = table.find("</table>").expect("a table");
    table[..end].matches("<tr><td").count()
}

#[tokio::test]
async fn an_org_page_pages_its_child_orgs_and_members_and_finds_a_post_holder_by_name() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        p.add_orgs(&store, p.committee_b.id, "branch", 55, |k| format!("测试第{k:02}")).await.unwrap();
        many_members(&store, &p, p.branch_b1.id, 60).await;
        let mut ub = Client::new(&store);
        ub.page_login("unitb", PASSWORD).await;

        // 56 child orgs: 50 on the first page, the total said, page 2 by its own parameter.
        let html = ub.get(&format!("/orgs/{}", p.committee_b.id)).await.text();
        assert!(html.contains("共 56 条，每页 50 条"), "{backend}: {html}");
        assert_eq!(rows_after(&html, "<h2>下级组织</h2>"), 50, "{backend}");
        assert!(html.contains("?children_page=2"), "{backend}: the child list's own page parameter");
        let second = ub.get(&format!("/orgs/{}?children_page=2", p.committee_b.id)).await.text();
        assert_eq!(rows_after(&second, "<h2>下级组织</h2>"), 6, "{backend}");
        assert!(second.contains(">51</td>"), "{backend}: numbered on from the first page");

        // The branch's 62 members: the total in the heading, 50 on a page, the rest on page 2.
        let html = ub.get(&format!("/orgs/{}", p.branch_b1.id)).await.text();
        let on_roll = 60 + p.members_under(&p.branch_b1).len();
        assert!(html.contains(&format!("<h2>党员（{on_roll}）</h2>")), "{backend}: {html}");
        assert_eq!(rows_after(&html, "<h2>党员（"), 50, "{backend}");
        let second = ub.get(&format!("/orgs/{}?page=2", p.branch_b1.id)).await.text();
        assert_eq!(rows_after(&second, "<h2>党员（"), on_roll - 50, "{backend}");

        // More than a select shows: the post picker asks for a name and narrows to it.
        assert!(html.contains("name=\"post_q\""), "{backend}: a search for the post holder");
        let found = ub.get(&format!("/orgs/{}?post_q=测试员5", p.branch_b1.id)).await.text();
        assert!(found.contains("姓名含“测试员5”的党员 10 人"), "{backend}: {found}");
        let select = found.split("id=\"post-member\"").nth(1).unwrap().split("</select>").next().unwrap();
        assert_eq!(select.matches("<option value=\"").count() - 1, 10, "{backend}: only the matches, and 选择党员");
        assert!(!select.contains("测试员49"), "{backend}");
    }
}

#[tokio::test]
async fn the_secretary_review_finds_the_unit_by_name_and_keeps_what_was_typed() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        p.add_orgs(&store, p.root.id, "unit", 55, |k| format!("测试厅{k:02}")).await.unwrap();
        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;
        gw.get("/secretary-reviews").await;
        let r = gw.form("/secretary-reviews", &[("year", "2025")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let page = r.location();
        let html = gw.get(&page).await.text();
        assert!(html.contains("name=\"unit_id_q\""), "{backend}: 57 units are searched for, not listed");
        assert!(!html.contains("<select id=\"f-unit_id\""), "{backend}");
        let action = page.split('?').next().unwrap().to_string() + "/reports";
        let report = "一年来坚持第一议题制度，抓实三会一课，支部标准化建设全面达标。";
        let typed = |q: &'static str, unit: &'static str| {
            vec![("unit_id_q", q), ("unit_id", unit), ("secretary", "王书记"), ("mode", "written"), ("report", report)]
        };
        // A search saves nothing and keeps the secretary and the report.
        let html = gw.form(&action, &typed("测试厅5", "")).await.text();
        assert!(html.contains("含“测试厅5”的单位共 6 个"), "{backend}: {html}");
        assert!(html.contains("value=\"王书记\"") && html.contains(report), "{backend}: what was typed is kept");
        let html = gw.form(&action, &typed("测试厅５５", "")).await.text();
        assert!(html.contains("只有这一个，已选定"), "{backend}: {html}");
        let chosen = html.split("name=\"unit_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let mut save = typed("", "");
        save[1] = ("unit_id", &chosen);
        assert_eq!(gw.form(&action, &save).await.status, StatusCode::SEE_OTHER, "{backend}");
        // A second report for the unit is refused with its name, and nothing typed is lost.
        let again = gw.form(&action, &save).await.text();
        assert!(again.contains("测试厅55已提交述职报告"), "{backend}: {again}");
        assert!(again.contains("value=\"王书记\""), "{backend}");
        let html = gw.get(&page).await.text();
        assert!(html.contains("共 1 条"), "{backend}: the reports say their total");

        // The list of reviews and the campaigns list page with their totals.
        assert!(gw.get("/secretary-reviews").await.text().contains("共 1 条"), "{backend}");
        assert!(gw.get("/campaigns").await.status == StatusCode::OK, "{backend}");
        assert_eq!(gw.get("/secretary-reviews?page=0").await.status, StatusCode::BAD_REQUEST, "{backend}");
    }
}

#[tokio::test]
async fn the_recruitment_plans_page_filter_and_a_save_returns_to_the_same_rows() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        p.add_orgs(&store, p.root.id, "unit", 55, |k| format!("测试厅{k:02}")).await.unwrap();
        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;
        // This year by the platform's clock (plans are made for this year on).
        let year = chrono::Datelike::year(&xianfeng_core::text::today_cn()).to_string();
        let html = gw.get(&format!("/recruitment/plans?year={year}")).await.text();
        assert!(html.contains("共 57 条，每页 50 条"), "{backend}: {html}");
        assert_eq!(rows_after(&html, "id=\"plans\""), 50, "{backend}");
        let html = gw.get(&format!("/recruitment/plans?year={year}&name=测试厅5&page=1")).await.text();
        assert!(html.contains("共 6 条"), "{backend}: 测试厅05 and 测试厅50–55");
        let unit = html.split("name=\"unit_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = gw
            .form(
                "/recruitment/plans",
                &[("unit_id", &unit), ("year", &year), ("planned", "3"), ("name", "测试厅5"), ("page", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let back = r.location();
        assert!(back.contains("name=%E6%B5%8B%E8%AF%95%E5%8E%855") && back.contains("page=1"), "{backend}: {back}");
        let html = gw.get(&back).await.text();
        assert!(html.contains("共 6 条") && html.contains("value=\"3\""), "{backend}: the same rows, the plan saved");
        let none = gw.get(&format!("/recruitment/plans?year={year}&name=没有这个")).await.text();
        assert!(none.contains("没有名称含“没有这个”的单位"), "{backend}");
        // A tampered page to come back to is refused before anything is saved.
        let r = gw
            .form(
                "/recruitment/plans",
                &[("unit_id", &unit), ("year", &year), ("planned", "9"), ("name", "测试厅5"), ("page", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}: {}", r.text());
        let html = gw.get(&back).await.text();
        assert!(html.contains("value=\"3\"") && !html.contains("value=\"9\""), "{backend}: the plan is as it was");
    }
}

#[tokio::test]
async fn a_members_own_payments_are_paged_and_every_unpaid_month_is_counted() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let zhang = p.member("张伟").id();
        let mut api = Client::new(&store);
        api.api_login("unita", PASSWORD).await;
        let base = serde_json::json!({ "member_type": "salaried", "base": "8000", "effective_month": "2024-01" });
        let r = api.json("POST", &format!("/api/v1/members/{zhang}/dues-bases"), base).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        // 26 months collected, 2024-01 to 2026-02; 2026-02 paid.
        let unita = p.unit_admin(&p.unit_a);
        let ms = testkit::member_scope(&store, &unita).await.unwrap();
        for k in 0..26u32 {
            let month = NaiveDate::from_ymd_opt(2024 + (k / 12) as i32, 1 + k % 12, 1).unwrap();
            xianfeng_store::dues::open_cycle(&store, &ms, &testkit::who(&unita), month).await.unwrap();
        }
        let r = api
            .json(
                "POST",
                &format!("/api/v1/dues/charges/{zhang}/2026-02/payment"),
                serde_json::json!({ "amount": "120", "paid_on": "2026-02-10", "method": "cash" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());

        let mut member = Client::new(&store);
        member.page_login("member1", PASSWORD).await;
        let html = member.get("/me/dues").await.text();
        assert!(html.contains("共 26 条，每页 24 条"), "{backend}: {html}");
        assert!(html.contains("您有25个月的党费尚未缴纳"), "{backend}: counted over every page");
        assert_eq!(rows_after(&html, "id=\"my-charges\""), 24, "{backend}");
        let second = member.get("/me/dues?page=2").await.text();
        assert_eq!(rows_after(&second, "id=\"my-charges\""), 2, "{backend}");
        assert!(second.contains("2024-01") && !second.contains("2026-02"), "{backend}: oldest last");

        let mut mapi = Client::new(&store);
        mapi.api_login("member1", PASSWORD).await;
        let j = mapi.get("/api/v1/me/dues?charges_per_page=1&charges_page=26").await.json();
        assert_eq!((j["charges"]["total"].as_i64(), j["unpaid"].as_i64()), (Some(26), Some(25)), "{backend}");
        assert_eq!(j["charges"]["items"][0]["month"], "2024-01-01", "{backend}");
        assert_eq!(j["charges"]["items"].as_array().map(|a| a.len()), Some(1), "{backend}");
        let bad = mapi.get("/api/v1/me/dues?charges_per_page=201").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{backend}");
        assert_eq!(member.get("/me/meetings?page=x").await.status, StatusCode::BAD_REQUEST, "{backend}");
    }
}
