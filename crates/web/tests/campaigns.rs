//! Campaigns over HTTP: the working committee sets one up, branches apply on
//! the page and through the API, two reviewers score (one of them refused for
//! not being on the panel), results are published, an objection is filed and
//! closed, the campaign is named and the honor shows in the register.

mod common;

use axum::http::StatusCode;
use chrono::Days;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::{q, testkit};

#[tokio::test]
async fn apply_score_publish_object_and_name() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = xianfeng_core::text::today_cn();
        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;
        assert!(gw.get("/campaigns").await.text().contains("新建评选"), "{backend}");
        let until = (today + Days::new(10)).to_string();
        // Criteria typed on the form: a bad line is named; weights must sum to 100.
        let mk = |criteria: &'static str| {
            vec![
                ("honor", "clean_organ"),
                ("conditions", "default"),
                ("year", "2024"),
                ("apply_until", until.as_str()),
                ("criteria", criteria),
            ]
        };
        let bad = gw.form("/campaigns", &mk("廉洁制度｜三十｜制度健全")).await.text();
        assert!(bad.contains("评选标准第1行的分值应为整数"), "{backend}");
        let short = gw.form("/campaigns", &mk("廉洁制度｜60｜制度健全\n廉洁文化｜30｜常态化")).await.text();
        assert!(short.contains("100"), "{backend}: the weights must sum to 100");
        let r = gw.form("/campaigns", &mk("廉洁制度｜60｜制度健全\n廉洁文化｜40｜文化建设常态化")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        let typed = gw.get(&r.location()).await.text();
        assert!(typed.contains("廉洁文化") && typed.contains("文化建设常态化") && typed.contains(">40<"), "{backend}");
        let r = gw
            .form(
                "/campaigns",
                &[
                    ("honor", "four_strong_branch"),
                    ("conditions", "none"),
                    ("year", "2019"),
                    ("apply_until", &until),
                    ("tier0", "四强党支部"),
                    ("quota0", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let url = r.location().split('?').next().unwrap().to_string();
        let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();

        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let page = sec.get(&url).await.text();
        assert!(page.contains("政治功能强（最高30分）") && page.contains(&p.branch_a1.name), "{backend}");
        let a1 = p.branch_a1.id.to_string();
        let r = sec
            .form(
                &format!("{url}/apply"),
                &[
                    ("subject_id", &a1),
                    ("p0", "35"),
                    ("p1", "20"),
                    ("p2", "20"),
                    ("p3", "15"),
                    ("evidence", "三会一课全部落实"),
                ],
            )
            .await;
        assert!(r.text().contains("“政治功能强”最高30分"), "{backend}: the cap is explained");
        // The subject is found by name: a search comes back with what was typed, nothing applied.
        let r = sec
            .form(
                &format!("{url}/apply"),
                &[("subject_id_q", p.branch_a1.name.as_str()), ("p0", "28"), ("evidence", "三会一课全部落实")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: a search is not an application");
        let html = r.text();
        assert!(
            html.contains(&format!("value=\"{a1}\""))
                && html.contains("value=\"28\"")
                && html.contains("三会一课全部落实"),
            "{backend}: the branch is offered and the scores kept"
        );
        let r = sec
            .form(
                &format!("{url}/apply"),
                &[
                    ("subject_id", &a1),
                    ("p0", "28"),
                    ("p1", "20"),
                    ("p2", "20"),
                    ("p3", "15"),
                    ("evidence", "三会一课全部落实"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let mut sa2 = Client::new(&store);
        sa2.api_login("seca2", PASSWORD).await;
        let r = sa2
            .json(
                "POST",
                &format!("/api/v1/campaigns/{id}/apply"),
                serde_json::json!({ "subject_id": p.branch_a2.id, "points": [25, 20, 20, 15], "evidence": "服务群众" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());

        // The panel: unit B's administrator and the committee's own; then scoring.
        let r = gw.form(&format!("{url}/reviewers"), &[("reviewers", "unitb, gwadmin")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let r = gw.form(&format!("{url}/close"), &[]).await;
        assert!(r.text().contains("缺少评选的版本号"), "{backend}: a state change names its version");
        let v = gw.get(&format!("/api/v1/campaigns/{id}")).await.json()["campaign"]["version"].to_string();
        let stale = (v.parse::<i64>().unwrap() - 1).to_string();
        let r = gw.form(&format!("{url}/close"), &[("version", &stale)]).await;
        assert!(r.text().contains("已被他人更新"), "{backend}: a stale version");
        gw.form(&format!("{url}/close"), &[("version", &v)]).await;
        let j = gw.get(&format!("/api/v1/campaigns/{id}")).await.json();
        let apps: Vec<(i64, i64, i64)> = j["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["application"]["committee_id"].as_i64().unwrap(),
                    r["application"]["id"].as_i64().unwrap(),
                    r["application"]["subject_id"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(apps.len(), 2, "{backend}");
        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        for (c, a, subject) in &apps {
            let pts = if *subject == p.branch_a1.id { [28, 24, 22, 18] } else { [22, 20, 18, 15] };
            let body = serde_json::json!({ "committee_id": c, "application_id": a, "points": pts });
            let r = ub.json("POST", &format!("/api/v1/campaigns/{id}/score"), body.clone()).await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
            assert_eq!(
                ua.json("POST", &format!("/api/v1/campaigns/{id}/score"), body).await.status,
                StatusCode::FORBIDDEN,
                "{backend}: not on the panel"
            );
            let r = gw
                .form(
                    &format!("{url}/score"),
                    &[
                        ("committee_id", &c.to_string()),
                        ("application_id", &a.to_string()),
                        ("p0", &pts[0].to_string()),
                        ("p1", "20"),
                        ("p2", "20"),
                        ("p3", "15"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        }
        let early = gw.get(&format!("{url}/notice.docx")).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{backend}: no notice before the results are public");
        let v = gw.get(&format!("/api/v1/campaigns/{id}")).await.json()["campaign"]["version"].to_string();
        let r = gw
            .form(
                &format!("{url}/publish"),
                &[("version", &v), ("notice_from", &today.to_string()), ("notice_to", &today.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let html = sec.get(&url).await.text();
        assert!(html.contains("公示中") && html.contains("四强党支部"), "{backend}");
        assert!(!html.contains("notice-docx"), "{backend}: the notice is the committee's to issue");
        assert_eq!(sec.get(&format!("{url}/notice.docx")).await.status, StatusCode::FORBIDDEN, "{backend}");

        // The 公示 notice as a Word document: the tier, the branch with its unit and score, the period.
        assert!(gw.get(&url).await.text().contains("id=\"notice-docx\""), "{backend}");
        let doc = gw.get(&format!("{url}/notice.docx")).await;
        assert_eq!(doc.status, StatusCode::OK, "{backend}");
        let text = xianfeng_web::docx::document_text(&doc.body).unwrap();
        assert!(text.contains("拟命名对象的公示") && text.contains("四强党支部"), "{backend}: {text}");
        assert!(text.contains(&p.branch_a1.name) && text.contains(&p.unit_a.name), "{backend}: {text}");
        assert!(text.contains("公示时间") && text.contains("共1个党支部"), "{backend}: {text}");
        let api_doc = gw.get(&format!("/api/v1/campaigns/{id}/notice.docx")).await;
        assert_eq!(api_doc.status, StatusCode::OK, "{backend}");
        assert_eq!(
            xianfeng_web::docx::document_text(&api_doc.body).unwrap(),
            text,
            "{backend}: the API serves the same notice"
        );

        // An objection from the other branch, closed as unfounded; naming waits for the notice to end.
        let (c1, a1_app, _) = apps.iter().find(|x| x.2 == p.branch_a1.id).unwrap();
        // On the page the objection starts from the row it is about: no list of every subject to choose from.
        let mut sa2_page = Client::new(&store);
        sa2_page.page_login("seca2", PASSWORD).await;
        let page = sa2_page.get(&url).await.text();
        let row_link = format!("{url}?object={c1}:{a1_app}#object-form");
        assert!(page.contains(&row_link) && !page.contains("id=\"object-form\""), "{backend}");
        let page = sa2_page.get(&format!("{url}?object={c1}:{a1_app}")).await.text();
        assert!(
            page.contains("id=\"object-form\"") && page.contains(&format!("name=\"app\" value=\"{c1}:{a1_app}\"")),
            "{backend}: the form names the application"
        );
        let none = sa2_page.get(&format!("{url}?name=%E4%B8%8D%E5%AD%98%E5%9C%A8")).await.text();
        assert!(none.contains("共 0 条") && !none.contains(&row_link), "{backend}: the results narrow by name");
        let r = sa2
            .json(
                "POST",
                &format!("/api/v1/campaigns/{id}/object"),
                serde_json::json!({ "committee_id": c1, "application_id": a1_app, "text": "反映会议记录不全" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let v = gw.get(&format!("/api/v1/campaigns/{id}")).await.json()["campaign"]["version"].to_string();
        let r = gw.form(&format!("{url}/name"), &[("version", &v)]).await;
        assert!(r.text().contains("期满后方可命名") || r.text().contains("未办结"), "{backend}");
        let html = gw.get(&url).await.text();
        let oid = html.split("name=\"objection_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = gw
            .form(
                &format!("{url}/objection"),
                &[("committee_id", &c1.to_string()), ("objection_id", &oid), ("finding", "经核查，会议记录齐全")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let mut tx = store.db.begin().await.unwrap();
        tx.c()
            .execute(q!("UPDATE campaigns SET notice_to = $1 WHERE id = $2", today - Days::new(1), id))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let v = gw.get(&format!("/api/v1/campaigns/{id}")).await.json()["campaign"]["version"].to_string();
        let r = gw.form(&format!("{url}/name"), &[("version", &v)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let reg = sec.get("/honors").await.text();
        assert!(reg.contains(&p.branch_a1.name) && reg.contains("有效"), "{backend}: the honor is in the register");
        assert!(!reg.contains(&p.branch_a2.name), "{backend}: one place only");
        let org = sec.get(&format!("/orgs/{}", p.branch_a1.id)).await.text();
        assert!(org.contains("2019年四强党支部"), "{backend}: the honor shows on the branch's own page");
        let j = ub.get("/api/v1/honors").await.json();
        assert_eq!(j["total"], 0, "{backend}: unit B sees none of unit A's honors");
        let r = ub.get(&format!("/api/v1/honors?unit_id={}", p.unit_a.id)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: nor by naming unit A");
        // The committee's register narrows by unit, honor and holder's name, with its total.
        let name = urlencoding::encode(&p.branch_a1.name).to_string();
        let j = gw.get(&format!("/api/v1/honors?unit_id={}&name={name}", p.unit_a.id)).await.json();
        assert_eq!(
            (j["total"].as_i64(), j["items"][0]["unit_name"].as_str()),
            (Some(1), Some(p.unit_a.name.as_str())),
            "{backend}: {j}"
        );
        assert_eq!(gw.get(&format!("/api/v1/honors?unit_id={}", p.unit_b.id)).await.json()["total"], 0, "{backend}");
        let page = gw.get(&format!("/honors?year=2019&name={name}")).await.text();
        assert!(page.contains("共 1 条") && page.contains(&p.unit_a.name), "{backend}");
        let page = gw.get("/honors?name=%E4%B8%8D%E5%AD%98%E5%9C%A8").await.text();
        assert!(page.contains("没有符合条件的荣誉"), "{backend}");

        // Through the API: the register pages, and the committee revokes an honor with its reason.
        let j = gw.get("/api/v1/honors?per_page=1").await.json();
        assert_eq!((j["total"].as_i64(), j["per_page"].as_i64()), (Some(1), Some(1)), "{backend}: {j}");
        let h = &j["items"][0];
        let revoke = format!("/api/v1/honors/{}/{}/revoke", h["committee_id"], h["id"]);
        let r = gw.json("POST", &revoke, serde_json::json!({ "reason": "经复核不符合条件" })).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        let reg = sec.get("/honors").await.text();
        assert!(reg.contains("经复核不符合条件"), "{backend}: the register shows the revocation and why");
    }
}

#[tokio::test]
async fn the_committee_creates_a_campaign_through_the_api_with_the_honors_defaults() {
    for (backend, store) in testkit::all_stores().await {
        province_with_accounts(&store).await;
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        let until = (xianfeng_core::text::today_cn() + Days::new(20)).to_string();
        let body = serde_json::json!({ "honor": "model_organ", "year": 2026, "title": "2026年模范机关", "apply_until": until });
        let r = gw.json("POST", "/api/v1/campaigns", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let c = r.json();
        assert_eq!(
            (c["honor"].as_str(), c["state"].as_str()),
            (Some("model_organ"), Some("applying")),
            "{backend}: {c}"
        );
        assert!(
            c["criteria"].as_str().unwrap_or_default().contains("政治"),
            "{backend}: the honor's default criteria: {c}"
        );
        let j = gw.get("/api/v1/campaigns").await.json();
        assert_eq!(j["total"], 1, "{backend}");
        let mut sec = Client::new(&store);
        sec.api_login("seca1", PASSWORD).await;
        let r = sec
            .json(
                "POST",
                "/api/v1/campaigns",
                serde_json::json!({ "honor": "model_organ", "year": 2026, "title": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: only the committee defines a campaign");
    }
}
