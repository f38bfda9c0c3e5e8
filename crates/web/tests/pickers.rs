//! Searchable pickers over HTTP, without JavaScript: where there are many
//! choices, a form asks for a few characters instead of a typed number or a
//! select of thousands; a search keeps everything entered and saves nothing;
//! it says how many matched and shows at most 20; it finds nothing outside
//! the user's scope; a single match is chosen at once.

mod common;

use axum::http::StatusCode;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::member::{self, MemberFilter};
use xianfeng_store::org;
use xianfeng_store::testkit;

fn member_fields<'a>(name: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("name", name),
        ("gender", "女"),
        ("ethnicity", "汉族"),
        ("id_card", "110101199003074522"),
        ("birth_date", "1990-03-07"),
        ("status", "full"),
        ("join_date", "2015-07-01"),
        ("full_date", "2016-07-01"),
    ];
    v.extend_from_slice(extra);
    v
}

#[tokio::test]
async fn the_member_form_finds_the_branch_by_name_keeps_every_entry_and_saves_nothing_while_searching() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        p.add_orgs(&store, p.committee_b.id, "branch", 55, |k| format!("测试第{k}党支部")).await.unwrap();
        let mut ub = Client::new(&store);
        ub.page_login("unitb", PASSWORD).await;

        let page = ub.get("/members/new").await.text();
        assert!(page.contains("name=\"org_id_q\""), "{backend}: 56 branches are searched for, not listed");
        assert!(!page.contains("所在党支部编号"), "{backend}: no typed number is asked for");
        assert!(!page.contains("<select id=\"f-org_id\""), "{backend}");

        // Many matches: the first 20, the count, and a request for more characters.
        let r = ub.form("/members/new", &member_fields("周琳", &[("org_id_q", "测试第")])).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: a search is not an error");
        let html = r.text();
        assert!(html.contains("含“测试第”的党支部共 55 个，下面是前 20 个"), "{backend}: {html}");
        assert_eq!(html.matches("type=\"radio\" name=\"org_id\"").count(), 20, "{backend}");
        assert!(html.contains("value=\"周琳\""), "{backend}: the name typed is kept");
        assert!(html.contains("value=\"110101199003074522\""), "{backend}: the id card typed is kept");

        // Full-width digits and a more precise search narrow it to one, chosen at once.
        let html = ub.form("/members/new", &member_fields("周琳", &[("org_id_q", "测试第５５")])).await.text();
        assert!(html.contains("只有这一个，已选定"), "{backend}: {html}");
        let chosen = html.split("name=\"org_id\" value=\"").nth(1).expect("a hidden choice").split('"').next().unwrap();
        let chosen = chosen.to_string();

        // Nothing matched, and nothing outside the unit is found.
        let html = ub.form("/members/new", &member_fields("周琳", &[("org_id_q", "办公室")])).await.text();
        assert!(html.contains("没有找到含“办公室”的党支部"), "{backend}: unit A's branch is out of reach");
        let scope = testkit::member_scope(&store, &p.committee_admin()).await.unwrap();
        let named = MemberFilter { name: "周琳".into(), ..Default::default() };
        let saved = member::list(&store, &scope, &named, 1, 10).await.unwrap().total;
        assert_eq!(saved, 0, "{backend}: searching saved nothing");

        // Saving with the chosen branch creates the member there.
        let r = ub.form("/members/new", &member_fields("周琳", &[("org_id", &chosen)])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let detail = ub.get(&r.location()).await.text();
        assert!(detail.contains("测试第55党支部"), "{backend}: the member is in the branch chosen");

        // A unit with few branches gets a plain select of them.
        let mut ua = Client::new(&store);
        ua.page_login("unita", PASSWORD).await;
        let page = ua.get("/members/new").await.text();
        assert!(page.contains("<select id=\"f-org_id\""), "{backend}: two branches are a select");
        assert!(page.contains("办公室党支部") && page.contains("规划处党支部"), "{backend}");
        assert!(!page.contains("人事处党支部"), "{backend}: unit B's branch is not offered to unit A");
    }
}

#[tokio::test]
async fn the_group_select_offers_only_the_chosen_branchs_groups() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut ua = Client::new(&store);
        ua.page_login("unita", PASSWORD).await;
        let page = ua.get("/members/new").await.text();
        assert!(page.contains("先选定党支部，再选党小组"), "{backend}");
        let page = ua.get(&format!("/members/new?org_id={}", p.branch_a1.id)).await.text();
        assert!(page.contains(&format!("value=\"{}\"", p.group_a1.id)), "{backend}: A1's group");
        assert!(!page.contains(&format!("value=\"{}\"", p.group_a2.id)), "{backend}: not A2's");
    }
}

#[tokio::test]
async fn the_security_administrator_grants_a_role_by_names_not_numbers() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        p.add_orgs(&store, p.committee_b.id, "branch", 55, |k| format!("测试第{k}党支部")).await.unwrap();
        let mut sec = Client::new(&store);
        sec.page_login("secadm", PASSWORD).await;
        let page = sec.get("/admin/roles").await.text();
        assert!(!page.contains("绑定组织编号") && !page.contains("绑定党员编号"), "{backend}");

        // Find the account, the org and the member by name, in one form.
        let html = sec
            .form(
                "/admin/roles",
                &[("role", "branch_secretary"), ("user_id_q", "seca2"), ("org_id_q", "测试第７党支部")],
            )
            .await
            .text();
        assert!(html.contains("含“seca2”的账号只有这一个，已选定"), "{backend}: {html}");
        assert!(html.contains("含“测试第７党支部”的组织只有这一个，已选定"), "{backend}: {html}");
        assert!(html.contains("<option value=\"branch_secretary\" selected"), "{backend}: the role chosen is kept");
        let hidden = |field: &str| {
            html.split(&format!("type=\"hidden\" name=\"{field}\" value=\"")).nth(1).unwrap().split('"').next().unwrap()
        };
        let (user_id, org_id) = (hidden("user_id").to_string(), hidden("org_id").to_string());
        let r =
            sec.form("/admin/roles", &[("role", "branch_secretary"), ("user_id", &user_id), ("org_id", &org_id)]).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let html = r.text();
        assert!(html.contains("已授权"), "{backend}: {html}");
        assert!(html.contains("测试第7党支部"), "{backend}: the list names the org bound");

        // The member picker names branch and unit, and no personal data.
        let html = sec.form("/admin/roles", &[("role", "member"), ("member_id_q", "陈静")]).await.text();
        assert!(html.contains("陈静（省教育厅 — 人事处党支部，正式党员）"), "{backend}: {html}");
        assert!(!html.contains("1101"), "{backend}: no id card number");

        // The role list filters by account and pages with its total.
        let html = sec.get("/admin/roles?q=seca2").await.text();
        assert!(html.contains("共 2 条"), "{backend}: seca2's two roles: {html}");
        assert!(!html.contains("<td data-label=\"账号\">seca1"), "{backend}");
        let r = sec.get("/admin/roles?page=0").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}: a page that does not exist is refused");
    }
}

#[tokio::test]
async fn the_account_list_pages_and_filters() {
    for (backend, store) in testkit::all_stores().await {
        province_with_accounts(&store).await;
        let mut sys = Client::new(&store);
        sys.page_login("sysadm", PASSWORD).await;
        let html = sys.get("/admin/users?q=unit").await.text();
        assert!(html.contains("unita") && html.contains("unitb"), "{backend}");
        assert!(!html.contains(">seca1<"), "{backend}: filtered out");
        assert!(html.contains("共 2 条"), "{backend}: {html}");
        let mut api = Client::new(&store);
        api.api_login("sysadm", PASSWORD).await;
        let v = api.get("/api/v1/users?q=sec&per_page=1").await.json();
        assert_eq!(v["total"], 3, "{backend}: seca1, seca2, secadm: {v}");
        assert_eq!(v["items"].as_array().unwrap().len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn the_transfer_form_finds_member_and_destination_and_keeps_the_reason() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        p.add_orgs(&store, p.committee_b.id, "branch", 55, |k| format!("测试第{k}党支部")).await.unwrap();
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        sec.get("/transfers/new").await;
        let html = sec
            .form("/transfers/new", &[("reason", "工作调动"), ("member_id_q", "张"), ("to_org_id_q", "测试第")])
            .await
            .text();
        assert!(html.contains("只有这一个，已选定"), "{backend}: 张伟 is the one 张 in the branch: {html}");
        assert!(html.contains("含“测试第”的党支部共 55 个"), "{backend}: the destinations are province-wide");
        assert!(html.contains("value=\"工作调动\""), "{backend}: the reason is kept");
        let r = sec
            .form(
                "/transfers/new",
                &[("member_id", &p.member("张伟").id().to_string()), ("reason", "工作调动"), ("to_org_id_q", "人事处")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: searching does not submit");
        assert!(sec.get("/transfers").await.text().contains("没有符合条件的转接"), "{backend}: none was asked for");
    }
}

#[tokio::test]
async fn the_roster_filter_and_the_new_parent_of_a_move_are_found_by_name() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        p.add_orgs(&store, p.root.id, "unit", 55, |k| format!("测试厅{k:02}")).await.unwrap();
        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;

        // The roster's 所在组织: searched, not a select of every unit.
        let html = gw.get("/members").await.text();
        assert!(html.contains("name=\"org_id_q\""), "{backend}: {html}");
        let html = gw.get("/members?org_id_q=工业和信息化").await.text();
        assert!(html.contains("type=\"radio\" name=\"org_id\""), "{backend}: the matches to choose from");
        let r = gw.get(&format!("/members?org_id={}", p.branch_b1.id)).await.text();
        let in_b1 = p.members_under(&p.branch_b1).len();
        assert!(r.contains(&format!("共 {in_b1} 条，")), "{backend}: narrowed to the branch: {r}");
        assert!(!r.contains(">张伟<"), "{backend}: unit A's member is not in branch B1");

        // Moving unit B's branch: the new parent is found by name; a search moves nothing.
        let move_url = format!("/orgs/{}/move", p.branch_b1.id);
        let html = gw.get(&move_url).await.text();
        assert!(html.contains("name=\"parent_id_q\""), "{backend}: {html}");
        let html = gw.form(&move_url, &[("parent_id_q", "测试厅０７"), ("reason", "机构调整")]).await.text();
        assert!(html.contains("只有这一个，已选定") && html.contains("value=\"机构调整\""), "{backend}: {html}");
        let to = html.split("name=\"parent_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let before =
            org::get(store.db.r(), &testkit::org_scope(&p.committee_admin()).unwrap(), p.branch_b1.id).await.unwrap();
        assert_eq!(before.parent_id, Some(p.committee_b.id), "{backend}: searching moved nothing");
        let r = gw.form(&move_url, &[("parent_id", &to), ("reason", "机构调整")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let after =
            org::get(store.db.r(), &testkit::org_scope(&p.committee_admin()).unwrap(), p.branch_b1.id).await.unwrap();
        assert_eq!(after.parent_id.map(|i| i.to_string()), Some(to), "{backend}");
        // Its own subtree is refused with the reason, nothing typed lost.
        let html = gw
            .form(&format!("/orgs/{}/move", p.committee_a.id), &[("parent_id", &p.branch_a1.id.to_string())])
            .await
            .text();
        assert!(html.contains("不能把组织迁移到它自己或它的下级组织之下"), "{backend}: {html}");
    }
}
