//! Organizational life over HTTP: pages and API, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_core::text::today_cn;
use xianfeng_store::testkit;

/// The meeting's current version, as the record form and the API carry it.
async fn version(c: &mut Client, id: impl std::fmt::Display) -> String {
    c.get(&format!("/api/v1/meetings/{id}")).await.json()["version"].as_i64().unwrap().to_string()
}

#[tokio::test]
async fn a_secretary_plans_a_member_checks_in_and_the_record_feeds_compliance() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = today_cn().to_string();
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;

        // The plan form: a bad date keeps the input and names the field.
        let r = sec.get(&format!("/meetings/new?org_id={}", p.branch_a1.id)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.text().contains("支部党员大会"), "{backend}");
        assert!(!r.text().contains("理论学习中心组学习（"), "{backend}: a branch is not offered unit kinds");
        let org = p.branch_a1.id.to_string();
        let fields = |day: &'static str| {
            vec![
                ("org_id", org.clone()),
                ("kind", "theme_day".to_string()),
                ("planned_on", day.to_string()),
                ("topic", "重温入党誓词".to_string()),
                ("place", "党员活动室".to_string()),
            ]
        };
        let bad: Vec<(&str, String)> = fields("2025-02-30");
        let bad_ref: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = sec.form("/meetings", &bad_ref).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.text().contains("请按 2025-07-01 的格式填写会议日期"), "{backend}");
        assert!(r.text().contains("value=\"重温入党誓词\""), "{backend}: input kept");

        let mut good = fields("2025-02-30");
        good[2].1 = today.clone();
        let good_ref: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = sec.form("/meetings", &good_ref).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let loc = r.location();
        let id: i64 = loc.trim_start_matches("/meetings/").split('?').next().unwrap().parse().unwrap();
        let r = sec.get(&loc).await;
        let html = r.text();
        assert!(html.contains("会议已安排") && html.contains("checkin-qr"), "{backend}");
        assert!(html.contains("应到 4 人"), "{backend}");
        let qr = sec.get(&format!("/meetings/{id}/qr.svg")).await;
        assert_eq!(qr.headers.get("content-type").unwrap(), "image/svg+xml", "{backend}");
        assert!(qr.text().starts_with("<?xml") && qr.text().contains("<svg"), "{backend}");

        // The check-in link from the API (what the QR code carries).
        let mut api = Client::new(&store);
        api.api_login("seca1", PASSWORD).await;
        let d = api.get(&format!("/api/v1/meetings/{id}")).await.json();
        let url = d["checkin_url"].as_str().unwrap().to_string();
        let path = url.split_once("//").unwrap().1.split_once('/').map(|x| format!("/{}", x.1)).unwrap();
        assert!(path.starts_with(&format!("/checkin/{id}?t=")), "{backend}: {path}");

        // A member not signed in is sent to log in and comes back to the check-in page.
        let mut phone = Client::new(&store);
        let r = phone.get(&path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        assert!(r.location().starts_with("/login?next=%2Fcheckin%2F"), "{backend}: {}", r.location());
        let r = phone.form("/login", &[("username", "member1"), ("password", PASSWORD), ("next", &path)]).await;
        assert_eq!(r.location(), path, "{backend}");
        let r = phone.get(&path).await;
        assert!(r.text().contains("确认签到"), "{backend}");
        let token = path.split("t=").nth(1).unwrap().to_string();
        let r = phone.form(&format!("/checkin/{id}"), &[("t", &token)]).await;
        assert!(r.text().contains("签到成功"), "{backend}: {}", r.text());
        let r = phone.form(&format!("/checkin/{id}"), &[("t", &token)]).await;
        assert!(r.text().contains("此前已签到"), "{backend}: idempotent");
        let mut mapi = Client::new(&store);
        mapi.api_login("member1", PASSWORD).await;
        let r =
            mapi.json("POST", &format!("/api/v1/meetings/{id}/checkins"), serde_json::json!({ "token": token })).await;
        assert_eq!(r.json()["outcome"], "already", "{backend}");
        let r =
            mapi.json("POST", &format!("/api/v1/meetings/{id}/checkins"), serde_json::json!({ "token": "x" })).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: not a code of this meeting");
        let mine = mapi.get("/api/v1/me/meetings").await.json();
        assert_eq!(mine["items"][0]["presence"], "present", "{backend}");
        assert!(phone.get("/me/meetings").await.text().contains("重温入党誓词"), "{backend}");

        // Compliance before and after recording.
        let year = &today[..4];
        let before = api.get(&format!("/api/v1/compliance?org_id={}&year={year}", p.branch_a1.id)).await.json();
        let open_before = before["total"]["all"]["open_held"].as_u64().unwrap();
        // Record: 李娜 on leave without a reason is refused, the marks are kept.
        let li = p.member("李娜").id();
        let v = version(&mut sec, id).await;
        let r = sec
            .form(
                &format!("/meetings/{id}/record"),
                &[
                    ("version", &v),
                    ("held_on", &today),
                    ("topic", "重温入党誓词"),
                    ("minutes", "全体党员重温入党誓词。"),
                    (&format!("p_{li}"), "leave"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.text().contains("请假须填写原因"), "{backend}");
        let r = sec
            .form(
                &format!("/meetings/{id}/record"),
                &[
                    ("version", &v),
                    ("held_on", &today),
                    ("topic", "重温入党誓词"),
                    ("minutes", "全体党员重温入党誓词。"),
                    (&format!("p_{li}"), "leave"),
                    (&format!("r_{li}"), "外出培训"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let r = sec.get(&format!("/meetings/{id}")).await;
        assert!(r.text().contains("实到 1 人，请假 1 人，缺席 2 人"), "{backend}: {}", r.text());
        let after = api.get(&format!("/api/v1/compliance?org_id={}&year={year}", p.branch_a1.id)).await.json();
        assert_eq!(after["total"]["all"]["open_held"].as_u64().unwrap(), open_before + 1, "{backend}");
        let page = sec.get(&format!("/compliance?org_id={}&year={year}", p.branch_a1.id)).await;
        assert!(page.text().contains("会议按期召开率"), "{backend}");

        // Correction through the API is audited and changes the counts; it names the version it corrects.
        let path = format!("/api/v1/meetings/{id}/attendance");
        let r = api.json("POST", &path, serde_json::json!({ "member_id": li, "presence": "present" })).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: no version");
        let v = api.get(&format!("/api/v1/meetings/{id}")).await.json()["version"].as_i64().unwrap();
        let r = api
            .json("POST", &path, serde_json::json!({ "member_id": li, "presence": "present", "version": v - 1 }))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: a stale version");
        let r =
            api.json("POST", &path, serde_json::json!({ "member_id": li, "presence": "present", "version": v })).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(r.json()["present_count"], 2, "{backend}");

        // Scope: unit B's admin and branch A2's secretary get 404 for the meeting, its QR and its record form.
        for user in ["unitb", "seca2"] {
            let mut other = Client::new(&store);
            other.api_login(user, PASSWORD).await;
            for path in [format!("/api/v1/meetings/{id}"), format!("/meetings/{id}"), format!("/meetings/{id}/qr.svg")]
            {
                assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "{backend} {user} {path}");
            }
            let r = other
                .json(
                    "POST",
                    &format!("/api/v1/meetings/{id}/cancel"),
                    serde_json::json!({ "reason": "x", "version": 1 }),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend} {user}");
            let list = other.get("/api/v1/meetings").await.json();
            assert_eq!(list["total"], 0, "{backend} {user}");
        }
        // The discipline staff and the triad have no business scope.
        let mut js = Client::new(&store);
        js.api_login("jijian", PASSWORD).await;
        assert_eq!(js.get("/api/v1/meetings").await.status, StatusCode::FORBIDDEN, "{backend}");

        // Secretary's home page lists due and overdue meetings.
        let home = sec.get("/").await.text();
        assert!(home.contains("本期待开") || home.contains("逾期"), "{backend}");
    }
}

/// A meeting that is due and already planned: the reminder leads to its
/// record form, not to planning a second one.
#[tokio::test]
async fn a_due_meeting_already_planned_leads_to_its_record() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let home = sec.get("/").await.text().replace("&#38;", "&");
        let to_plan = format!("/meetings/new?org_id={}&kind=theme_day", p.branch_a1.id);
        let before = home.matches(&to_plan).count();
        assert!(home.contains("本期待开") && before > 0, "{backend}: {home}");
        let mut api = Client::new(&store);
        api.api_login("seca1", PASSWORD).await;
        let today = xianfeng_core::text::today_cn().to_string();
        let m = api
            .json("POST", "/api/v1/meetings", serde_json::json!({ "org_id": p.branch_a1.id, "kind": "theme_day", "planned_on": today, "topic": "主题党日" }))
            .await
            .json();
        let home = sec.get("/").await.text().replace("&#38;", "&");
        assert!(
            home.contains(&format!("href=\"/meetings/{}/record\"", m["id"])) && home.contains("待填写记录"),
            "{backend}: {home}"
        );
        assert_eq!(
            home.matches(&to_plan).count(),
            before - 1,
            "{backend}: this month's reminder no longer plans another"
        );
    }
}

#[tokio::test]
async fn the_api_plans_records_and_rolls_up_like_the_pages() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        let r = gw
            .json(
                "POST",
                "/api/v1/meetings",
                serde_json::json!({ "org_id": p.branch_a1.id, "kind": "branch_general_meeting", "planned_on": "2025-03-05", "topic": "" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(r.json()["error"]["fields"][0]["field"], "topic", "{backend}");
        let r = gw
            .json(
                "POST",
                "/api/v1/meetings",
                serde_json::json!({ "org_id": p.branch_a1.id, "kind": "branch_general_meeting", "planned_on": "2025-03-05", "topic": "一季度党员大会" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        let marks: Vec<serde_json::Value> = ["张伟", "李娜", "赵敏"]
            .iter()
            .map(|n| serde_json::json!({ "member_id": p.member(n).id(), "presence": "present" }))
            .collect();
        let v: i64 = version(&mut gw, id).await.parse().unwrap();
        let r = gw
            .json(
                "POST",
                &format!("/api/v1/meetings/{id}/record"),
                serde_json::json!({ "version": v, "held_on": "2025-03-05", "topic": "一季度党员大会", "minutes": "讨论通过年度工作要点。", "attendance": marks }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        assert_eq!(
            (r.json()["counted"].as_bool(), r.json()["voting_present"].as_i64()),
            (Some(true), Some(3)),
            "{backend}"
        );

        let v = gw.get(&format!("/api/v1/compliance?org_id={}&year=2025", p.root.id)).await.json();
        assert_eq!(v["total"]["kinds"]["branch_general_meeting"]["met"], 1, "{backend}");
        let d = gw.get(&format!("/api/v1/compliance?org_id={}&year=2025&by=district", p.root.id)).await.json();
        assert_eq!(d["rows"][0]["name"], "贵阳市", "{backend}");
        let miss = gw
            .get(&format!("/api/v1/compliance/missing?org_id={}&year=2025&kind=branch_general_meeting", p.branch_a1.id))
            .await
            .json();
        assert_eq!(miss["total"], 3, "{backend}");
        let page = gw.get(&format!("/compliance/missing?org_id={}&year=2025", p.branch_a1.id)).await.text();
        assert!(page.contains("2025年第2季度"), "{backend}");
        // Paged with its total, and narrowed by the org's name.
        let all = gw.get(&format!("/api/v1/compliance/missing?org_id={}&year=2025", p.root.id)).await.json();
        let total = all["total"].as_i64().unwrap();
        assert!(total > 3, "{backend}: {total}");
        let page = gw.get(&format!("/compliance/missing?org_id={}&year=2025&per_page=2", p.root.id)).await.text();
        assert!(page.contains(&format!("共 {total} 条，每页 2 条")) && page.contains("下一页"), "{backend}");
        let name = urlencoding::encode(&p.branch_a1.name).to_string();
        let only =
            gw.get(&format!("/api/v1/compliance/missing?org_id={}&year=2025&name={name}", p.root.id)).await.json();
        let items = only["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.iter().all(|r| r["org_name"] == p.branch_a1.name.as_str()), "{backend}");
        let kinds = gw.get("/api/v1/meeting-kinds").await.json();
        assert!(kinds["items"].as_array().unwrap().iter().any(|k| k["id"] == "central_group"), "{backend}");
        let q1 = gw.get(&format!("/api/v1/compliance?org_id={}&year=2025&period=q1", p.branch_a1.id)).await.json();
        assert_eq!(q1["total"]["kinds"]["branch_general_meeting"]["expected"], 1, "{backend}");
        assert_eq!(q1["total"]["kinds"]["branch_general_meeting"]["met"], 1, "{backend}");
        assert_eq!(q1["period_label"], "2025年第1季度", "{backend}");
        let page = gw.get(&format!("/compliance?org_id={}&year=2025&period=m3", p.branch_a1.id)).await.text();
        assert!(page.contains("2025年3月"), "{backend}");
        assert_eq!(gw.get("/api/v1/compliance?period=q9").await.status, StatusCode::BAD_REQUEST, "{backend}");
        let r = gw.get("/api/v1/compliance?year=abc").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");

        // Listed kinds: the unit adds its central-group members by name.
        let mut ua = Client::new(&store);
        ua.page_login("unita", PASSWORD).await;
        ua.get("/meetings/new").await;
        let r = ua
            .form(
                "/meetings",
                &[
                    ("org_id", &p.unit_a.id.to_string()),
                    ("kind", "central_group"),
                    ("planned_on", "2025-04-10"),
                    ("topic", "专题学习"),
                ],
            )
            .await;
        let loc = r.location();
        let mid = loc.trim_start_matches("/meetings/").split('?').next().unwrap().to_string();
        let seen = version(&mut ua, &mid).await;
        let r = ua
            .form(&format!("/meetings/{mid}/attendees"), &[("names", "张伟，刘洋，无此人"), ("version", &seen)])
            .await;
        assert!(r.text().contains("未在省工业和信息化厅找到党员“无此人”"), "{backend}: {}", r.text());
        // A form without the version it was shown (an old page, a script) adds nobody.
        let r = ua.form(&format!("/meetings/{mid}/attendees"), &[("names", "张伟，刘洋")]).await;
        assert!(r.text().contains("缺少会议的版本号"), "{backend}: {}", r.text());
        let r = ua.form(&format!("/meetings/{mid}/attendees"), &[("names", "张伟，刘洋"), ("version", &seen)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}");
        // The same page submitted again is stale: the meeting changed since it was shown.
        let r = ua.form(&format!("/meetings/{mid}/attendees"), &[("names", "张伟"), ("version", &seen)]).await;
        assert!(r.text().contains("会议已被他人修改"), "{backend}: {}", r.text());
        let html = ua.get(&format!("/meetings/{mid}")).await.text();
        assert!(html.contains("应到 2 人"), "{backend}");
        let v = version(&mut ua, &mid).await;
        let r = ua
            .form(
                &format!("/meetings/{mid}/record"),
                &[
                    ("version", &v),
                    ("held_on", "2025-04-10"),
                    ("topic", "专题学习"),
                    ("minutes", "集体学习研讨。"),
                    ("observers", "王列席，省委宣传部，处长"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let d = ua.get(&format!("/api/v1/meetings/{mid}")).await;
        assert_eq!(d.status, StatusCode::OK, "{backend}");
        assert_eq!(d.json()["observers"][0]["org_name"], "省委宣传部", "{backend}");
        assert!(gw.get("/api/v1/openapi.json").await.text().contains("/meetings/{id}/checkins"), "{backend}");
    }
}

#[tokio::test]
async fn the_working_committee_changes_a_frequency_and_adds_a_kind_without_code() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut gw = Client::new(&store);
        gw.page_login("gwadmin", PASSWORD).await;
        let page = gw.get("/rules/meeting-kinds").await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        let html = page.text();
        assert!(html.contains("支部党员大会（党支部）每季度至少1次"), "{backend}");
        // Rebuild the form as the browser would send it: every row, theme days made quarterly, a new kind.
        let kinds = xianfeng_core::meeting::MeetingKinds::default().kinds;
        let mut fields: Vec<(String, String)> = Vec::new();
        for (i, k) in kinds.iter().enumerate() {
            fields.push((format!("id_{i}"), k.id.clone()));
            fields.push((format!("label_{i}"), k.label.clone()));
            fields.push((format!("applies_to_{i}"), k.applies_to.as_str().into()));
            let cycle = if k.id == "theme_day" { "quarter" } else { k.cycle.as_str() };
            fields.push((format!("cycle_{i}"), cycle.into()));
            fields.push((format!("times_{i}"), k.times.to_string()));
            fields.push((format!("quorum_{i}"), k.quorum.as_str().into()));
            fields.push((format!("invitees_{i}"), k.invitees.as_str().into()));
        }
        let n = kinds.len();
        fields.push((format!("id_{n}"), "youth_study".into()));
        fields.push((format!("label_{n}"), "青年理论学习小组学习".into()));
        fields.push((format!("applies_to_{n}"), "branch".into()));
        fields.push((format!("cycle_{n}"), "year".into()));
        fields.push((format!("times_{n}"), "2".into()));
        fields.push(("rows".into(), (n + 1).to_string()));
        fields.push(("source".into(), "工委会议纪要".into()));
        // Mid-month: refused with the reason, nothing saved.
        let mut bad = fields.clone();
        bad.push(("effective_from".into(), "2025-07-15".into()));
        let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = gw.form("/rules/meeting-kinds", &refs).await;
        assert!(r.text().contains("生效日期须为某月1日"), "{backend}");
        assert!(r.text().contains("value=\"青年理论学习小组学习\""), "{backend}: input kept");
        fields.push(("effective_from".into(), "2025-07-01".into()));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = gw.form("/rules/meeting-kinds", &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let html = gw.get("/rules/meeting-kinds?ok=rule").await.text();
        assert!(html.contains("规则已保存") && html.contains("青年理论学习小组学习（党支部）每年至少2次"), "{backend}");

        let v = gw.get(&format!("/api/v1/compliance?org_id={}&year=2025", p.branch_a1.id)).await.json();
        assert_eq!(v["total"]["kinds"]["theme_day"]["expected"], 6 + 2, "{backend}");
        assert_eq!(
            v["total"]["kinds"]["youth_study"]["expected"], 2,
            "{backend}: a yearly kind added in July counts for 2025"
        );
        // The unit admin may not change it.
        let mut ua = Client::new(&store);
        ua.page_login("unita", PASSWORD).await;
        assert_eq!(ua.get("/rules/meeting-kinds").await.status, StatusCode::FORBIDDEN, "{backend}");
    }
}

#[tokio::test]
async fn first_agenda_tasks_are_followed_up_and_overdue_ones_surface() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;
        let r = ua
            .json(
                "POST",
                "/api/v1/meetings",
                serde_json::json!({ "org_id": p.unit_a.id, "kind": "first_agenda", "planned_on": "2025-03-03", "topic": "党组会议" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        // Recording a first-agenda meeting requires what was studied.
        let v: i64 = version(&mut ua, id).await.parse().unwrap();
        let r = ua
            .json(
                "POST",
                &format!("/api/v1/meetings/{id}/record"),
                serde_json::json!({ "version": v, "held_on": "2025-03-03", "topic": "党组会议", "minutes": "研究部署。" }),
            )
            .await;
        assert_eq!(r.json()["error"]["fields"][0]["field"], "first_agenda", "{backend}");
        let r = ua
            .json(
                "POST",
                &format!("/api/v1/meetings/{id}/record"),
                serde_json::json!({ "version": v, "held_on": "2025-03-03", "topic": "党组会议", "minutes": "研究部署。", "first_agenda": "学习习近平总书记关于作风建设的重要论述" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
        // Owner: the branch secretary account of A1 (an account of the unit).
        let users = ua.get(&format!("/meetings/{id}")).await.text();
        assert!(users.contains("seca1"), "{backend}: owner options list the unit's accounts");
        let sec_id: i64 = store
            .db
            .r()
            .fetch_scalar_i64(xianfeng_store::q!("SELECT id AS v FROM users WHERE username = 'seca1'"))
            .await
            .unwrap();
        let r = ua
            .json(
                "POST",
                &format!("/api/v1/meetings/{id}/tasks"),
                serde_json::json!({ "title": "修订机关作风建设制度", "owner_user_id": sec_id, "due_on": "2025-04-30" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let task = r.json()["id"].as_i64().unwrap();
        let r = ua
            .json(
                "POST",
                &format!("/api/v1/meetings/{id}/tasks"),
                serde_json::json!({ "title": "x", "owner_user_id": 1, "due_on": "2025-04-30" }),
            )
            .await;
        assert_eq!(r.json()["error"]["fields"][0]["field"], "owner_user_id", "{backend}: only the unit's accounts");
        // The task counts for the owner's branch in 排队抓尾 (due, and not done by its date).
        let e = ua.get(&format!("/api/v1/ranking/{}?year=2025", p.branch_a1.id)).await.json();
        assert_eq!(
            (e["facts"]["tasks_due"].as_i64(), e["facts"]["tasks_done"].as_i64()),
            (Some(1), Some(0)),
            "{backend}: {e}"
        );
        // A task on a meeting that is not a first-agenda meeting is refused.
        let other = ua
            .json("POST", "/api/v1/meetings", serde_json::json!({ "org_id": p.unit_a.id, "kind": "central_group", "planned_on": "2025-03-03", "topic": "学习" }))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let r = ua
            .json(
                "POST",
                &format!("/api/v1/meetings/{other}/tasks"),
                serde_json::json!({ "title": "x", "owner_name": "办公室", "due_on": "2025-04-30" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}");

        // Overdue: on the owner's home page and in the unit's summary.
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let home = sec.get("/").await.text();
        assert!(home.contains("您负责的1项第一议题落实任务已逾期"), "{backend}");
        let s = ua.get("/api/v1/first-agenda-tasks?status=overdue").await.json();
        assert_eq!(
            (s["overdue"].as_i64(), s["items"][0]["title"].as_str()),
            (Some(1), Some("修订机关作风建设制度")),
            "{backend}"
        );
        let mut ua_page = Client::new(&store);
        ua_page.page_login("unita", PASSWORD).await;
        assert!(ua_page.get("/").await.text().contains("本范围内1项第一议题落实任务已逾期"), "{backend}");
        // The overview narrows by name (org, owner or title) and says how many it found.
        let found = ua_page.get(&format!("/first-agenda?name={}", urlencoding::encode("作风建设"))).await.text();
        assert!(found.contains("修订机关作风建设制度") && found.contains("共 1 条"), "{backend}: {found}");
        let none = ua_page.get(&format!("/first-agenda?name={}", urlencoding::encode("不存在的任务"))).await.text();
        assert!(none.contains("没有符合条件的任务") && none.contains("id=\"overdue-count\">0<"), "{backend}");
        let s = ua.get(&format!("/api/v1/first-agenda-tasks?name={}", urlencoding::encode("作风"))).await.json();
        assert_eq!(s["total"], 1, "{backend}: {s}");
        assert_eq!(
            ua.get(&format!("/api/v1/first-agenda-tasks?org_id={}", p.unit_b.id)).await.status,
            StatusCode::NOT_FOUND,
            "{backend}: not narrowed to another unit"
        );
        // Unit B does not see it; the owner closes it with evidence.
        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        assert_eq!(ub.get("/api/v1/first-agenda-tasks").await.json()["total"], 0, "{backend}");
        let r = ub
            .json(
                "PATCH",
                &format!("/api/v1/first-agenda-tasks/{task}"),
                serde_json::json!({ "status": "done", "evidence": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let mut sapi = Client::new(&store);
        sapi.api_login("seca1", PASSWORD).await;
        let r = sapi
            .json("PATCH", &format!("/api/v1/first-agenda-tasks/{task}"), serde_json::json!({ "status": "done" }))
            .await;
        assert_eq!(r.json()["error"]["fields"][0]["field"], "evidence", "{backend}");
        let r = sapi
            .json(
                "PATCH",
                &format!("/api/v1/first-agenda-tasks/{task}"),
                serde_json::json!({ "status": "done", "evidence": "制度已印发（黔直工〔2025〕5号）" }),
            )
            .await;
        assert_eq!(r.json()["status"], "done", "{backend}: {}", r.text());
        assert_eq!(ua.get("/api/v1/first-agenda-tasks?status=overdue").await.json()["overdue"], 0, "{backend}");
        assert!(ua_page.get("/first-agenda").await.text().contains("制度已印发"), "{backend}");
    }
}

#[tokio::test]
async fn attachments_are_typed_by_content_and_never_served_as_html() {
    use axum::body::Body;
    use axum::http::Request;
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut sec = Client::new(&store);
        sec.api_login("seca1", PASSWORD).await;
        let id = sec
            .json("POST", "/api/v1/meetings", serde_json::json!({ "org_id": p.branch_a1.id, "kind": "party_lecture", "planned_on": "2025-05-06", "topic": "专题党课" }))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let upload = |name: &str, data: &[u8]| {
            Request::post(format!("/api/v1/meetings/{id}/attachments?name={}", urlencoding::encode(name)))
                .header("content-type", "application/octet-stream")
                .body(Body::from(data.to_vec()))
                .unwrap()
        };
        let mut req = upload("党课课件.pdf", b"%PDF-1.7\n1 0 obj\n");
        req.headers_mut().insert("x-csrf-token", sec.csrf.parse().unwrap());
        let r = sec.send(req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let aid = r.json()["id"].as_i64().unwrap();
        // HTML dressed as a PDF is refused with a Chinese reason; nothing stored.
        let mut req = upload("evil.pdf", b"<html><script>alert(1)</script></html>");
        req.headers_mut().insert("x-csrf-token", sec.csrf.parse().unwrap());
        let r = sec.send(req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.json()["error"]["fields"][0]["message"].as_str().unwrap().contains("不支持"), "{backend}");
        // Without the CSRF token: refused.
        let r = sec.send(upload("x.pdf", b"%PDF-1.7")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");

        let r = sec.get(&format!("/api/v1/meetings/{id}/attachments/{aid}")).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.headers.get("content-type").unwrap(), "application/pdf", "{backend}");
        let cd = r.headers.get("content-disposition").unwrap().to_str().unwrap().to_string();
        assert!(cd.starts_with("attachment;") && cd.contains("UTF-8''%E5%85%9A"), "{backend}: {cd}");
        assert!(r.headers.get("content-security-policy").unwrap().to_str().unwrap().contains("sandbox"), "{backend}");
        assert_eq!(r.body, b"%PDF-1.7\n1 0 obj\n", "{backend}");

        // The page upload (multipart) reports problems on the meeting page.
        let mut page = Client::new(&store);
        page.page_login("seca1", PASSWORD).await;
        let html = page.get(&format!("/meetings/{id}")).await.text();
        assert!(html.contains("党课课件.pdf"), "{backend}");
        let boundary = "XFBOUNDARY";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.docx\"\r\nContent-Type: application/octet-stream\r\n\r\n%PDF-1.4\r\n--{boundary}--\r\n"
        );
        let req = Request::post(format!("/meetings/{id}/attachments?csrf={}", page.csrf))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        let r = page.send(req).await;
        assert!(r.text().contains("文件内容是PDF，但扩展名是“.docx”"), "{backend}: {}", r.text());

        // Other units cannot see or delete it.
        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        assert_eq!(
            ub.get(&format!("/api/v1/meetings/{id}/attachments/{aid}")).await.status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );
        assert_eq!(
            ub.json("DELETE", &format!("/api/v1/meetings/{id}/attachments/{aid}"), serde_json::json!({})).await.status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );
        let r = sec.json("DELETE", &format!("/api/v1/meetings/{id}/attachments/{aid}"), serde_json::json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(
            sec.get(&format!("/api/v1/meetings/{id}/attachments/{aid}")).await.status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_central_group_bulletin_comes_out_as_page_xlsx_and_official_docx() {
    use std::io::Read;
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        // Unit A studies in February with two observers; unit B does not study.
        let id = gw
            .json("POST", "/api/v1/meetings", serde_json::json!({ "org_id": p.unit_a.id, "kind": "central_group", "planned_on": "2025-02-18", "topic": "学习贯彻党的二十届三中全会精神" }))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        gw.json(
            "POST",
            &format!("/api/v1/meetings/{id}/attendees"),
            serde_json::json!({ "member_ids": [p.member("张伟").id(), p.member("刘洋").id()], "version": 1 }),
        )
        .await;
        let v: i64 = version(&mut gw, id).await.parse().unwrap();
        let r = gw
            .json(
                "POST",
                &format!("/api/v1/meetings/{id}/record"),
                serde_json::json!({ "version": v, "held_on": "2025-02-18", "topic": "学习贯彻党的二十届三中全会精神", "minutes": "集体学习研讨。",
                    "observers": "王列席，省直机关工委，督导组成员\n李旁听，省委宣传部，干部",
                    "attendance": [{ "member_id": p.member("张伟").id(), "presence": "present" }, { "member_id": p.member("刘洋").id(), "presence": "leave", "reason": "出差" }] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());

        let q = "from=2025-01-01&to=2025-03-31&doc_number=%E9%BB%94%E7%9B%B4%E5%B7%A5%E9%80%9A%E3%80%942025%E3%80%953%E5%8F%B7";
        let b = gw.get(&format!("/api/v1/reports/central-group?{q}")).await.json();
        let units = b["units"].as_array().unwrap();
        assert_eq!(units.len(), 2, "{backend}");
        let a = units.iter().find(|u| u["unit_name"] == "省工业和信息化厅").unwrap();
        assert_eq!(
            (a["expected"].as_u64(), a["held"].as_u64(), a["observers"].as_u64()),
            (Some(1), Some(1), Some(2)),
            "{backend}"
        );
        assert_eq!((a["present"].as_i64(), a["attendees"].as_i64()), (Some(1), Some(2)), "{backend}");
        let bu = units.iter().find(|u| u["unit_name"] == "省教育厅").unwrap();
        assert_eq!(bu["short_cycles"][0], "2025年第1季度", "{backend}");

        let mut page = Client::new(&store);
        page.page_login("gwadmin", PASSWORD).await;
        let html = page.get(&format!("/reports/central-group?{q}")).await.text();
        assert!(html.contains("2025年第一季度") && html.contains("王列席（省直机关工委）"), "{backend}");

        // .docx: the official layout, with the numbers.
        let r = page.get(&format!("/reports/central-group.docx?{q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let cd = r.headers.get("content-disposition").unwrap().to_str().unwrap().to_string();
        assert!(
            cd.contains(".docx") && cd.contains(&urlencoding::encode("2025年第一季度").to_string()),
            "{backend}: {cd}"
        );
        let text = xianfeng_web::docx::document_text(&r.body).unwrap();
        assert!(text.contains("省直机关工委文件"), "{backend}: issuer mark");
        assert!(text.contains("黔直工通〔2025〕3号"), "{backend}");
        assert!(text.contains("关于2025年第一季度各单位党委（党组）理论学习中心组学习情况的通报"), "{backend}");
        assert!(text.contains("2个单位共开展中心组集体学习1次，平均出席率50.0%，邀请列席旁听2人次。1个单位按要求完成学习，1个单位未达到要求。"), "{backend}: {text}");
        assert!(text.contains("省教育厅：2025年第1季度未开展中心组集体学习。"), "{backend}");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body.clone())).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        assert!(
            xml.contains("方正小标宋简体") && xml.contains("仿宋_GB2312") && xml.contains("黑体"),
            "{backend}: GB/T 9704 fonts"
        );
        assert!(xml.contains("w:color w:val=\"FF0000\""), "{backend}: red issuer mark");
        assert!(
            xml.contains("w:sz w:val=\"44\"") && xml.contains("w:sz w:val=\"32\""),
            "{backend}: 2号 title, 3号 body"
        );
        assert!(xml.contains("w:w=\"11906\"") && xml.contains("w:h=\"16838\""), "{backend}: A4");

        // .xlsx: title row, period, one row per unit, the sessions sheet.
        let r = page.get(&format!("/reports/central-group.xlsx?{q}")).await;
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.body.clone())).unwrap();
        let names = wb.sheet_names().to_vec();
        assert_eq!(names, ["各单位情况", "学习明细"], "{backend}");
        let sheet = wb.worksheet_range("各单位情况").unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert!(rows[0][0].contains("2025年第一季度中心组学习情况"), "{backend}: {:?}", rows[0]);
        assert!(rows[1][0].contains("2025-01-01") && rows[1][0].contains("共 2 个单位"), "{backend}");
        assert_eq!(rows[2][1], "单位", "{backend}");
        let b_row = rows.iter().find(|r| r.get(1).map(|s| s == "省教育厅").unwrap_or(false)).unwrap();
        assert_eq!((b_row[4].as_str(), b_row[7].as_str()), ("0", "未达标"), "{backend}");
        let detail = wb.worksheet_range("学习明细").unwrap();
        let drows: Vec<Vec<String>> = detail.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert!(drows[3][6].contains("李旁听（省委宣传部）"), "{backend}: {:?}", drows[3]);

        // A chosen set of units (a multiple select sends units=… repeatedly).
        let one = gw.get(&format!("/api/v1/reports/central-group?{q}&units={}", p.unit_b.id)).await.json();
        assert_eq!(one["units"].as_array().unwrap().len(), 1, "{backend}");
        let both = gw
            .get(&format!("/api/v1/reports/central-group?{q}&units={}&units={}", p.unit_a.id, p.unit_b.id))
            .await
            .json();
        assert_eq!(both["units"].as_array().unwrap().len(), 2, "{backend}");
        let html = page.get(&format!("/reports/central-group?{q}&units={}", p.unit_a.id)).await.text();
        assert!(html.contains(&format!("units={}", p.unit_a.id)), "{backend}: the download links keep the choice");
        // A unit admin's bulletin covers their unit only.
        let mut ub = Client::new(&store);
        ub.api_login("unitb", PASSWORD).await;
        let b = ub.get(&format!("/api/v1/reports/central-group?{q}")).await.json();
        assert_eq!(b["units"].as_array().unwrap().len(), 1, "{backend}");
        assert_eq!(b["units"][0]["unit_name"], "省教育厅", "{backend}");
        let r = ub.get("/api/v1/reports/central-group?from=2025-13-01").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
    }
}

/// 全部出席, then the exceptions: with no check-ins the record form starts
/// with everyone present; with check-ins, from them. Host and recorder are
/// offered from the attendees; the date has a native picker; the saved
/// record is confirmed with its topic and its counts.
#[tokio::test]
async fn the_record_form_starts_from_everyone_present_or_from_the_check_ins() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = today_cn().to_string();
        let mut api = Client::new(&store);
        api.api_login("seca1", PASSWORD).await;
        let plan = |topic: &str| serde_json::json!({ "org_id": p.branch_a1.id, "kind": "theme_day", "planned_on": today, "topic": topic });
        let id = api.json("POST", "/api/v1/meetings", plan("重温入党誓词")).await.json()["id"].as_i64().unwrap();
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        let html = sec.get(&format!("/meetings/{id}/record")).await.text();
        assert!(html.contains("全部 4 人先记为出席"), "{backend}: {html}");
        assert_eq!(html.matches("value=\"present\" checked").count(), 4, "{backend}: all four present");
        assert!(!html.contains("未签到"), "{backend}: no state the form does not offer");
        assert!(html.contains("list=\"attendee-names\"") && html.contains("<option value=\"张伟\">"), "{backend}");
        assert!(html.contains(&format!("type=\"date\" value=\"{today}\"")), "{backend}: a native date picker");

        // Saving the form as it came (mark only who was not there) records four present.
        let mut fields: Vec<(String, String)> = vec![
            ("version".into(), version(&mut api, id).await),
            ("held_on".into(), today.replace('-', "")),
            ("topic".into(), "重温入党誓词".into()),
            ("host".into(), "张伟".into()),
            ("recorder".into(), "外单位的王老师".into()),
            ("minutes".into(), "全体党员重温入党誓词。".into()),
        ];
        for name in ["张伟", "李娜", "赵敏", "王芳"] {
            fields.push((format!("p_{}", p.member(name).id()), "present".into()));
        }
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = sec.form(&format!("/meetings/{id}/record"), &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: 20261221-style dates are taken: {}", r.text());
        let html = sec.get(&r.location()).await.text();
        assert!(
            html.contains("“重温入党誓词”会议记录已保存：应到 4 人，出席 4 人，请假 0 人，缺席 0 人"),
            "{backend}: the confirmation names the record: {html}"
        );
        let d = api.get(&format!("/api/v1/meetings/{id}")).await.json();
        assert_eq!((d["host"].as_str(), d["recorder"].as_str()), (Some("张伟"), Some("外单位的王老师")), "{backend}");

        // With a check-in, the form starts from it: the rest absent until marked.
        let id = api.json("POST", "/api/v1/meetings", plan("学习党章")).await.json()["id"].as_i64().unwrap();
        let url = api.get(&format!("/api/v1/meetings/{id}")).await.json()["checkin_url"].as_str().unwrap().to_string();
        let token = url.split("t=").nth(1).unwrap().to_string();
        let mut mapi = Client::new(&store);
        mapi.api_login("member1", PASSWORD).await;
        let r =
            mapi.json("POST", &format!("/api/v1/meetings/{id}/checkins"), serde_json::json!({ "token": token })).await;
        assert!(r.status.is_success(), "{backend}: {}", r.text());
        let html = sec.get(&format!("/meetings/{id}/record")).await.text();
        assert!(html.contains("已扫码签到的 1 人记为出席，其余 3 人先记为缺席"), "{backend}: {html}");
        assert_eq!(html.matches("value=\"present\" checked").count(), 1, "{backend}");
        assert_eq!(html.matches("value=\"absent\" checked").count(), 3, "{backend}");
    }
}

/// A meeting held already is planned and recorded in one go: the plan form's
/// second button leads straight to the record form, everyone present.
#[tokio::test]
async fn a_held_meeting_is_recorded_in_one_form() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = today_cn().to_string();
        let mut sec = Client::new(&store);
        sec.page_login("seca1", PASSWORD).await;
        // The plan form points to 补录 for a meeting already held.
        let html = sec.get(&format!("/meetings/new?org_id={}&kind=theme_day", p.branch_a1.id)).await.text();
        assert!(html.contains(&format!("/meetings/held?org_id={}&kind=theme_day", p.branch_a1.id)), "{backend}");
        // A secretary starts on her own branch: only the kind is asked.
        let html = sec.get("/meetings/held").await.text();
        assert!(html.contains("id=\"held-start\"") && html.contains(&p.branch_a1.name), "{backend}");
        let html = sec.get("/meetings/held?kind=theme_day").await.text();
        assert!(html.contains("全部 4 人先记为出席") && html.contains("id=\"save-held\""), "{backend}");
        assert!(
            html.contains("kind=branch_committee_meeting") || html.contains("kind=party_lecture"),
            "{backend}: other kinds are a link away"
        );
        let ids: Vec<String> = p.members_under(&p.branch_a1).iter().map(|m| m.id().to_string()).collect();
        let os = testkit::org_scope(&p.committee_admin()).unwrap();
        let before = meeting_total(&store, &os).await;
        let org = p.branch_a1.id.to_string();
        let mut fields: Vec<(String, String)> = vec![
            ("org_id".into(), org.clone()),
            ("kind".into(), "theme_day".into()),
            ("held_on".into(), today.clone()),
            ("start_time".into(), "14:30".into()),
            ("topic".into(), "参观红色教育基地".into()),
            ("host".into(), "张伟".into()),
            ("minutes".into(), "".into()),
        ];
        for (i, id) in ids.iter().enumerate() {
            fields.push((format!("p_{id}"), if i == 0 { "leave" } else { "present" }.into()));
            fields.push((format!("r_{id}"), String::new()));
        }
        let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = sec.form("/meetings/held", &refs).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: refused, shown again");
        let html = r.text();
        assert!(html.contains("请填写会议记录") && html.contains("请假须填写原因"), "{backend}: every mistake at once");
        assert!(
            html.contains("参观红色教育基地") && html.contains("value=\"14:30\""),
            "{backend}: nothing typed is lost"
        );
        assert!(
            html.contains(&format!("name=\"p_{}\" value=\"leave\" checked", ids[0])),
            "{backend}: the marks are kept"
        );
        assert_eq!(meeting_total(&store, &os).await, before, "{backend}: nothing half-written");
        // Corrected: saved at once, held, counted, with its attendance.
        fields[6].1 = "学习了红色教育基地的历史。".into();
        fields[8].1 = "出差".into();
        let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = sec.form("/meetings/held", &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        assert!(r.location().ends_with("?ok=recorded"), "{backend}");
        let id: i64 = r.location().trim_start_matches("/meetings/").split('?').next().unwrap().parse().unwrap();
        let mut api = Client::new(&store);
        api.api_login("seca1", PASSWORD).await;
        let m = api.get(&format!("/api/v1/meetings/{id}")).await.json();
        assert_eq!(
            (m["status"].as_str(), m["present_count"].as_i64(), m["leave_count"].as_i64()),
            (Some("held"), Some(3), Some(1)),
            "{backend}"
        );
        assert_eq!(
            (m["start_time"].as_str(), m["host"].as_str(), m["counted"].as_bool()),
            (Some("14:30"), Some("张伟"), Some(true)),
            "{backend}"
        );
        assert_eq!(meeting_total(&store, &os).await, before + 1, "{backend}");
        // 更正 one person's mark from the meeting page: the reason is asked for a leave,
        // a stale form is refused with the meeting as it is now, the change is audited.
        let page = sec.get(&format!("/meetings/{id}")).await.text();
        let form_url = format!("/meetings/{id}/attendance/{}", ids[1]);
        assert!(page.contains(&format!("href=\"{form_url}\"")), "{backend}: each row links to its correction");
        let form = sec.get(&form_url).await.text();
        assert!(form.contains("name=\"presence\" value=\"present\" checked"), "{backend}: starts from the mark");
        let v = m["version"].as_i64().unwrap().to_string();
        let r = sec.form(&form_url, &[("presence", "leave"), ("reason", ""), ("version", &v)]).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.text().contains("请假须填写原因") && r.text().contains("value=\"leave\" checked"), "{backend}: kept");
        let stale = (m["version"].as_i64().unwrap() - 1).to_string();
        let r = sec.form(&form_url, &[("presence", "leave"), ("reason", "病假"), ("version", &stale)]).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(r.text().contains("已被他人修改") && r.text().contains("value=\"病假\""), "{backend}: stale, kept");
        let r = sec.form(&form_url, &[("presence", "leave"), ("reason", "病假"), ("version", &v)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
        let shown = sec.get(&r.location()).await.text();
        let name = p.members_under(&p.branch_a1)[1].name().to_string();
        assert!(shown.contains(&format!("已更正{name}的出勤：请假")), "{backend}: the flash names whom");
        let m2 = api.get(&format!("/api/v1/meetings/{id}")).await.json();
        assert_eq!(
            (m2["present_count"].as_i64(), m2["leave_count"].as_i64()),
            (Some(2), Some(2)),
            "{backend}: the counts follow"
        );
        let mut audit = Client::new(&store);
        audit.api_login("audadm", PASSWORD).await;
        let log = audit.get("/api/v1/audit?action=correct_attendance").await.json();
        assert_eq!(
            (log["total"].as_i64(), log["items"][0]["username"].as_str()),
            (Some(1), Some("seca1")),
            "{backend}"
        );
        let with_before = xianfeng_store::db::Q::new(
            "SELECT COUNT(*) AS v FROM audit_log WHERE action = 'correct_attendance' AND detail LIKE $1",
        )
        .arg("%出席 → 请假（病假）%");
        let n = store.db.r().fetch_scalar_i64(with_before).await.unwrap();
        assert_eq!(n, 1, "{backend}: audited with what it was");
        let mut other = Client::new(&store);
        other.page_login("seca2", PASSWORD).await;
        assert_eq!(other.get(&form_url).await.status, StatusCode::NOT_FOUND, "{backend}: not another branch's");
        // The API: the same in one body; a mark for someone not expected refuses the whole.
        let body = |member: i64| {
            serde_json::json!({ "org_id": p.branch_a1.id, "kind": "theme_day", "held_on": today,
            "topic": "补录的主题党日", "minutes": "内容", "attendance": [{ "member_id": member, "presence": "present" }] })
        };
        let outsider = p.members_under(&p.branch_b1)[0].id();
        let r = api.json("POST", "/api/v1/meetings/held", body(outsider)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", r.text());
        assert_eq!(meeting_total(&store, &os).await, before + 1, "{backend}: the refused one left nothing behind");
        let r = api.json("POST", "/api/v1/meetings/held", body(ids[1].parse().unwrap())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        let j = r.json();
        assert_eq!(
            (j["present_count"].as_i64(), j["absent_count"].as_i64()),
            (Some(1), Some(3)),
            "{backend}: the unlisted are absent"
        );
    }
}

async fn meeting_total(store: &xianfeng_store::Store, os: &xianfeng_core::auth::OrgScope) -> i64 {
    xianfeng_store::meeting::list(store, os, &Default::default(), 1, 1).await.unwrap().total
}

/// Check-in on a phone says what to do at every turn: the login page says it
/// is for checking in; a code of no meeting gets a page that says to scan
/// again (404, with the layout); a meeting not yet open says when, with no
/// button to tap and be refused.
#[tokio::test]
async fn check_in_on_a_phone_says_what_to_do() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut api = Client::new(&store);
        api.api_login("seca1", PASSWORD).await;
        let tomorrow = (today_cn() + chrono::Days::new(1)).to_string();
        let plan = serde_json::json!({ "org_id": p.branch_a1.id, "kind": "theme_day", "planned_on": tomorrow, "topic": "明天的主题党日" });
        let id = api.json("POST", "/api/v1/meetings", plan).await.json()["id"].as_i64().unwrap();
        let url = api.get(&format!("/api/v1/meetings/{id}")).await.json()["checkin_url"].as_str().unwrap().to_string();
        let path = url.split_once("//").unwrap().1.split_once('/').map(|x| format!("/{}", x.1)).unwrap();

        let mut phone = Client::new(&store);
        let r = phone.get(&path).await;
        let login = phone.get(&r.location()).await.text();
        assert!(login.contains("您正在扫码签到"), "{backend}: the login page says why");
        phone.page_login("member1", PASSWORD).await;
        let html = phone.get(&path).await.text();
        assert!(html.contains(&format!("会议定于{tomorrow}召开，届时再签到")), "{backend}: {html}");
        assert!(!html.contains("id=\"checkin-button\""), "{backend}: nothing to tap before it opens");

        let r = phone.get(&format!("/checkin/{id}?t=000000")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let html = r.text();
        assert!(html.contains("签到二维码无效或已更换") && html.contains("class=\"topbar\""), "{backend}: {html}");
    }
}
