//! Point 3: each role reads only what is theirs.

use super::*;

/// Every GET operation of the API (from the OpenAPI table, plus the lists it
/// does not yet document) with ids of the member's own branch filled in.
fn member_probe_paths(p: &xianfeng_store::testkit::Province, meeting: i64) -> Vec<String> {
    let colleague = p.member("李娜").id();
    let mut paths: Vec<String> = xianfeng_web::openapi::operations()
        .iter()
        .filter(|op| op.0 == "get")
        .map(|op| op.1.to_string())
        .chain(
            [
                "/transfers",
                "/ranking",
                "/ranking/{id}",
                "/recruitment/cases",
                "/recruitment/cases/{id}",
                "/discipline-cases",
                "/meetings/{id}/attendees",
            ]
            .map(String::from),
        )
        .collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            let id = if path.starts_with("/orgs/") || path.starts_with("/ranking/") {
                p.branch_a1.id
            } else if path.starts_with("/members/") {
                colleague
            } else if path.starts_with("/meetings/") {
                meeting
            } else {
                1
            };
            let filled = path
                .replace("{id}", &id.to_string())
                .replace("{committee_id}", &p.unit_a.id.to_string())
                .replace("{aid}", "1")
                .replace("{doc}", "1");
            format!("/api/v1{filled}")
        })
        .collect()
}

/// A recorded general meeting of branch A1 in which 李娜 was on leave "外出就医".
pub(super) async fn recorded_meeting_with_a_leave(
    store: &xianfeng_store::Store,
    p: &xianfeng_store::testkit::Province,
) -> i64 {
    let mut sec = Client::new(store);
    sec.api_login("seca1", PASSWORD).await;
    let r = sec
        .json(
            "POST",
            "/api/v1/meetings",
            serde_json::json!({ "org_id": p.branch_a1.id, "kind": "branch_general_meeting", "planned_on": "2025-03-05", "topic": "党员大会" }),
        )
        .await;
    let meeting = r.json()["id"].as_i64().unwrap();
    let v = r.json()["version"].as_i64().unwrap();
    let attendance =
        serde_json::json!([{ "member_id": p.member("李娜").id(), "presence": "leave", "reason": "外出就医" }]);
    let r = sec
        .json(
            "POST",
            &format!("/api/v1/meetings/{meeting}/record"),
            serde_json::json!({ "version": v, "held_on": "2025-03-05", "topic": "党员大会", "minutes": "研究发展党员工作。", "attendance": attendance }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    meeting
}

/// Point 3: a member reads only their own records. Through every GET of the
/// API and the pages of every area, a plain member of branch A1 gets either a
/// refusal or their own records: never a colleague's name, the branch's
/// meetings and minutes (with colleagues' leave reasons), transfers, plans,
/// rankings, honours across the unit, or anything discipline.
#[tokio::test]
async fn a_member_reads_only_their_own_records() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let meeting = recorded_meeting_with_a_leave(&store, &p).await;

        let mut me = Client::new(&store);
        me.api_login("member1", PASSWORD).await; // 张伟, branch A1
        let others = ["李娜", "赵敏", "王芳", "刘洋", "陈静", "杨磊", "外出就医"];
        // What a member may read: their own records and the published rules.
        let own = [
            "/api/v1/me",
            "/api/v1/me/member",
            "/api/v1/me/meetings",
            "/api/v1/me/tasks",
            "/api/v1/me/dues",
            "/api/v1/members",
            "/api/v1/members/count",
            "/api/v1/dues/arrears",
            "/api/v1/dues/charges",
            "/api/v1/recruitment/cases",
            "/api/v1/members/import/template",
            "/api/v1/rules",
            "/api/v1/meeting-kinds",
            "/api/v1/recruitment/steps",
            "/api/v1/openapi.json",
        ];
        let mut opened = Vec::new();
        for path in member_probe_paths(&p, meeting) {
            let r = me.get(&path).await;
            assert!(r.status.as_u16() < 500, "{backend}: {path} → {}", r.status);
            if r.status.is_success() {
                opened.push(path.clone());
                assert!(own.contains(&path.as_str()), "{backend}: a member reads {path}: {}", r.text());
                let body = r.text();
                for name in others {
                    assert!(!body.contains(name), "{backend}: {path} shows {name}");
                }
            }
        }
        assert!(opened.contains(&"/api/v1/me/member".to_string()), "{backend}: the member's own record opens");
        let roll = me.get("/api/v1/members").await.json();
        assert_eq!(roll["total"], 1, "{backend}: the roll is the member alone");

        // The pages of every area.
        for path in [
            "/orgs",
            &format!("/orgs/{}", p.branch_a1.id),
            "/members",
            &format!("/members/{}", p.member("李娜").id()),
            "/members/export.xlsx",
            "/meetings",
            &format!("/meetings/{meeting}"),
            "/compliance",
            "/first-agenda",
            "/reports/central-group",
            "/dues",
            "/dues/arrears",
            "/dues/cycles",
            "/recruitment",
            "/transfers",
            "/ranking",
            &format!("/ranking/{}", p.branch_a1.id),
            "/rectifications",
            "/campaigns",
            "/honors",
            "/secretary-reviews",
            "/discipline",
            "/month",
        ] {
            let r = me.get(path).await;
            assert!(r.status.as_u16() < 500, "{backend}: {path} → {}", r.status);
            let body = r.text();
            for name in others {
                assert!(!body.contains(name), "{backend}: page {path} ({}) shows {name}", r.status);
            }
        }
        // The member's own pages open.
        for path in ["/me", "/me/meetings", "/me/dues"] {
            assert_eq!(me.get(path).await.status, StatusCode::OK, "{backend}: {path}");
        }
    }
}

/// Point 3, the other roles: a secretary of the sibling branch A2 and the
/// unit administrator of unit B probe every GET of the API with the ids of
/// branch A1's records (its members, its recorded meeting, the branch, its
/// unit). Whatever they are answered holds nothing of branch A1: no name of its
/// members, not the leave reason in its minutes.
#[tokio::test]
async fn siblings_and_other_units_read_nothing_of_a_branch() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let meeting = recorded_meeting_with_a_leave(&store, &p).await;
        // Branch A1's people (王芳 is probationary there, 张伟 in its group).
        let a1 = ["张伟", "李娜", "赵敏", "王芳", "外出就医"];
        for user in ["seca2", "unitb"] {
            let mut c = Client::new(&store);
            c.api_login(user, PASSWORD).await;
            let mut answered = 0;
            for path in member_probe_paths(&p, meeting) {
                let r = c.get(&path).await;
                assert!(r.status.as_u16() < 500, "{backend} {user}: {path} → {}", r.status);
                if r.status.is_success() {
                    answered += 1;
                    let body = r.text();
                    for name in a1 {
                        assert!(!body.contains(name), "{backend} {user}: {path} shows {name}");
                    }
                }
            }
            assert!(answered > 5, "{backend} {user}: their own lists answer ({answered})");
            for path in [
                format!("/meetings/{meeting}"),
                format!("/members/{}", p.member("李娜").id()),
                format!("/orgs/{}", p.branch_a1.id),
                format!("/ranking/{}", p.branch_a1.id),
                "/members".to_string(),
                "/meetings".to_string(),
            ] {
                let mut page = Client::new(&store);
                page.page_login(user, PASSWORD).await;
                let r = page.get(&path).await;
                let body = r.text();
                for name in a1 {
                    assert!(!body.contains(name), "{backend} {user}: page {path} ({}) shows {name}", r.status);
                }
            }
        }
    }
}
