//! Point 3, writes: every write of the API aimed at records outside the
//! actor's subtree is refused, whoever tries it.

use super::*;

/// A small valid PDF, as an attachment would be.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

/// The records an attack aims at: a subtree's org, one of its members, a
/// meeting, a pending transfer and a recruitment case. `None` where the
/// subtree has no such record (the ops that need it are not tried there).
#[derive(Clone, Copy)]
struct Targets {
    org: i64,
    member: Option<i64>,
    meeting: i64,
    transfer: Option<i64>,
    case: Option<i64>,
}

/// A plausible body for each write schema, aimed at `t`: what the owner would
/// send, so that only the scope can refuse it.
fn body_for(schema: &str, t: &Targets, versions: &serde_json::Value) -> serde_json::Value {
    let member = t.member.unwrap_or(0);
    let v = |k: &str| versions[k].clone();
    match schema {
        "OrgCreate" => serde_json::json!({ "parent_id": t.org, "name": "新设党支部", "kind": "branch" }),
        "OrgMove" => serde_json::json!({ "parent_id": t.org, "reason": "调整" }),
        "OrgDissolve" => serde_json::json!({ "date": "2025-01-01", "reason": "撤销" }),
        "Post" => serde_json::json!({ "member_id": member, "post": "secretary", "since": "2025-01-01" }),
        "MemberInput" => member_json("外来人", &new_id(), t.org),
        "TransferIncoming" => serde_json::json!({ "member": member_json("外来人", &new_id(), t.org),
            "from_org_name": "外省某党支部", "letter_no": "外002", "valid_until": "2099-01-01", "reason": "调入" }),
        "RectificationStep" => serde_json::json!({ "step": "submit", "note": "已整改", "version": 1 }),
        "MemberUpdate" => {
            let mut b = member_json("改名", &new_id(), t.org);
            b["version"] = v("member");
            b
        }
        "StatusChange" => {
            serde_json::json!({ "to": "left", "date": "2025-01-01", "reason": "调离", "version": v("member") })
        }
        "Reveal" => serde_json::json!({ "field": "id_card" }),
        "NewUser" => serde_json::json!({ "username": "takeover", "display_name": "接管" }),
        "Active" => serde_json::json!({ "active": false }),
        "Grant" => serde_json::json!({ "role": "committee_admin", "org_id": t.org }),
        "RuleVersion" => serde_json::json!({ "key": "meeting_kinds", "effective_from": "2025-01-01", "value": {} }),
        "Checkin" => serde_json::json!({ "token": "ABCDEF" }),
        "TaskUpdate" => serde_json::json!({ "status": "done", "evidence": "x" }),
        "Month" => serde_json::json!({ "month": "2025-03" }),
        "PaymentCorrection" => {
            serde_json::json!({ "action": "void", "reason": "外来更正", "seen_paid_fen": 100, "seen_paid_on": "2025-03-10" })
        }
        "Payroll" => serde_json::json!({ "month": "2025-03", "org_id": t.org, "paid_on": "2025-03-10" }),
        "MeetingPlan" => {
            serde_json::json!({ "org_id": t.org, "kind": "branch_general_meeting", "planned_on": "2025-04-01", "topic": "外来安排" })
        }
        "MeetingHeld" => {
            serde_json::json!({ "org_id": t.org, "kind": "branch_general_meeting", "held_on": "2025-03-05",
            "topic": "外来补录", "minutes": "外来补录" })
        }
        "MeetingRecord" => {
            serde_json::json!({ "held_on": "2025-03-05", "topic": "改写", "minutes": "改写", "version": v("meeting") })
        }
        "MeetingCancel" => serde_json::json!({ "reason": "误录", "version": v("meeting") }),
        "AttendanceCorrection" => {
            serde_json::json!({ "member_id": member, "presence": "absent", "reason": "", "version": v("meeting") })
        }
        "MemberIds" => serde_json::json!({ "member_ids": [member], "version": v("meeting") }),
        "TaskInput" => serde_json::json!({ "title": "外来任务", "due_on": "2025-12-01" }),
        "DuesBase" => serde_json::json!({ "member_type": "salaried", "base": "8000", "effective_month": "2025-01" }),
        "Payment" => serde_json::json!({ "amount": "10", "paid_on": "2025-03-01", "method": "cash" }),
        "RecruitmentStart" => serde_json::json!({ "member_id": member, "applied_on": "2025-03-10" }),
        "RecruitmentEvent" => serde_json::json!({ "step": 2, "action": "record", "on": "2025-03-20",
            "data": { "responsible": "王强" }, "version": v("case") }),
        "RecruitmentPlan" => serde_json::json!({ "unit_id": t.org, "year": 2025, "planned": 9 }),
        "TransferRequest" => {
            serde_json::json!({ "member_id": member, "to_org_name": "外省某单位", "letter_no": "外001", "reason": "调动" })
        }
        "TransferDecision" => serde_json::json!({ "letter_no": "收001", "reason": "不符", "version": v("transfer") }),
        "RectificationPlan" => {
            serde_json::json!({ "org_id": t.org, "year": 2025, "problems": "x", "measures": "x", "owner": "x", "deadline": "2026-01-01" })
        }
        // Campaigns, secretaries' reviews, honours: the committee's own acts.
        _ => serde_json::json!({ "org_id": t.org, "member_id": member, "reason": "x", "version": 1,
            "year": 2025, "honor": "model_organ", "apply_until": "2099-01-01" }),
    }
}

/// A valid ID number nobody in the fixture has.
fn new_id() -> String {
    xianfeng_core::idcard::compose(520103, chrono::NaiveDate::from_ymd_opt(1991, 1, 1).unwrap(), 411)
}

/// Operations whose scope is the actor's own subtree, with no target to aim
/// elsewhere: opening or settling a month's dues covers the units of the
/// actor's own range (dues.rs shows a unit opens only its own).
const OWN_SCOPE: &[&str] = &["/dues/cycles", "/dues/cycles/settle"];

/// Fills a write's path with the target's ids; `None` when the target has no
/// record of that kind.
fn path_for(path: &str, t: &Targets) -> Option<String> {
    let id = if path.starts_with("/orgs/") {
        Some(t.org)
    } else if path.starts_with("/members/") || path.starts_with("/dues/charges/") {
        t.member
    } else if path.starts_with("/meetings/") {
        Some(t.meeting)
    } else if path.starts_with("/transfers/") && path != "/transfers/incoming" {
        t.transfer
    } else if path.starts_with("/recruitment/cases/") {
        t.case
    } else {
        Some(1)
    }?;
    let filled = path
        .replace("{id}", &id.to_string())
        .replace("{member_id}", &id.to_string())
        .replace("{month}", "2025-03")
        .replace("{post_id}", "1")
        .replace("{aid}", "1")
        .replace("{committee_id}", &t.org.to_string())
        .replace("{action}", "close");
    Some(format!("/api/v1{filled}"))
}

/// What a subtree's owners see of their records, to compare before and after.
async fn snapshot(owner: &mut Client, t: &Targets) -> Vec<serde_json::Value> {
    let mut paths = vec![
        format!("/api/v1/orgs/{}", t.org),
        format!("/api/v1/meetings/{}", t.meeting),
        "/api/v1/meetings?per_page=200".to_string(),
        "/api/v1/members/count".to_string(),
        "/api/v1/orgs?per_page=200".to_string(),
        "/api/v1/transfers".to_string(),
        "/api/v1/recruitment/cases?state=all".to_string(),
    ];
    if let Some(m) = t.member {
        paths.push(format!("/api/v1/members/{m}"));
        paths.push(format!("/api/v1/members/{m}/dues-bases"));
    }
    if let Some(c) = t.case {
        paths.push(format!("/api/v1/recruitment/cases/{c}"));
    }
    let mut out = Vec::new();
    for p in paths {
        let r = owner.get(&p).await;
        assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.text());
        let mut v = r.json();
        // The check-in link carries the code of the minute: it rotates, the record does not.
        if let Some(o) = v.as_object_mut() {
            o.remove("checkin_url");
        }
        out.push(v);
    }
    out
}

/// Every POST, PUT, PATCH and DELETE of the API (from the OpenAPI table, the
/// account and session operations aside), with bodies the owner would send,
/// aimed at branch A1's org, member, recorded meeting, pending transfer and
/// recruitment case — by a plain member of A1, the secretary of sibling
/// branch A2 and the administrator of unit B — and at unit A itself (its org
/// and its central-group meeting) by unit B and by A1's own secretary, a
/// child reaching up. About 210 attempts per engine; each is refused (403,
/// 404, or a 422 that names the record as outside the scope). Afterwards the
/// audit log holds not one successful write by them and the owners read
/// their records exactly as before. `SHOW_MATRIX=1` prints every answer.
#[tokio::test]
async fn no_role_writes_outside_its_subtree() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut gw = Client::new(&store);
        gw.api_login("gwadmin", PASSWORD).await;
        let mut sec = Client::new(&store);
        sec.api_login("seca1", PASSWORD).await;
        let mut ua = Client::new(&store);
        ua.api_login("unita", PASSWORD).await;

        // Branch A1's records.
        let li = p.member("李娜").id();
        let meeting = super::reads::recorded_meeting_with_a_leave(&store, &p).await;
        let r = sec
            .json(
                "POST",
                "/api/v1/transfers",
                serde_json::json!({ "member_id": p.member("赵敏").id(), "to_org_name": "外省某单位", "letter_no": "外001", "reason": "调动" }),
            )
            .await;
        assert!(r.status.is_success(), "{backend}: {}", r.text());
        let transfer = r.json()["id"].as_i64().unwrap();
        let admin = p.committee_admin();
        let scope = testkit::member_scope(&store, &admin).await.unwrap();
        let birth = chrono::NaiveDate::from_ymd_opt(1999, 2, 3).unwrap();
        let input =
            testkit::member_input("孙悦", p.branch_a1.id, birth, 81, xianfeng_core::member::MemberStatus::Applicant);
        let applicant = xianfeng_store::member::create(&store, &scope.writer().unwrap(), &testkit::who(&admin), &input)
            .await
            .unwrap()
            .id;
        let r = sec
            .json(
                "POST",
                "/api/v1/recruitment/cases",
                serde_json::json!({ "member_id": applicant, "applied_on": "2025-03-10" }),
            )
            .await;
        assert!(r.status.is_success(), "{backend}: {}", r.text());
        let case = r.json()["id"].as_i64().or_else(|| r.json()["case"]["id"].as_i64()).unwrap();
        let a1 = Targets { org: p.branch_a1.id, member: Some(li), meeting, transfer: Some(transfer), case: Some(case) };

        // Unit A's own central-group meeting.
        let r = ua
            .json(
                "POST",
                "/api/v1/meetings",
                serde_json::json!({ "org_id": p.unit_a.id, "kind": "central_group", "planned_on": "2025-04-10", "topic": "专题学习" }),
            )
            .await;
        assert!(r.status.is_success(), "{backend}: {}", r.text());
        let unit = Targets {
            org: p.unit_a.id,
            member: None,
            meeting: r.json()["id"].as_i64().unwrap(),
            transfer: None,
            case: None,
        };

        let versions = |gw: &mut Client, t: Targets| {
            let mut gw = gw.clone();
            async move {
                let mut v = serde_json::json!({});
                v["meeting"] = gw.get(&format!("/api/v1/meetings/{}", t.meeting)).await.json()["version"].clone();
                if let Some(m) = t.member {
                    v["member"] = gw.get(&format!("/api/v1/members/{m}")).await.json()["version"].clone();
                }
                if let Some(x) = t.transfer {
                    v["transfer"] = gw.get(&format!("/api/v1/transfers/{x}")).await.json()["t"]["version"].clone();
                }
                if let Some(c) = t.case {
                    v["case"] =
                        gw.get(&format!("/api/v1/recruitment/cases/{c}")).await.json()["case"]["version"].clone();
                }
                v
            }
        };
        let before_a1 = snapshot(&mut gw, &a1).await;
        let before_unit = snapshot(&mut gw, &unit).await;

        let (last_seq,): (i64,) =
            store.db.r().fetch_one(xianfeng_store::q!("SELECT MAX(seq) FROM audit_log")).await.unwrap();
        let attacks = [("member1", a1), ("seca2", a1), ("unitb", a1), ("unitb", unit), ("seca1", unit)];
        let mut tried = 0;
        for (user, t) in attacks {
            let mut c = Client::new(&store);
            c.api_login(user, PASSWORD).await;
            let versions = versions(&mut gw, t).await;
            for (method, path, _, _, schema, _, _) in xianfeng_web::openapi::operations().iter() {
                if *method == "get" || path.starts_with("/auth/") || path.starts_with("/me/") {
                    continue;
                }
                // A member checking in to their own branch's meeting is their
                // own act (the window and the code are check-in's tests).
                if (user == "member1" && path.ends_with("/checkins")) || OWN_SCOPE.contains(path) {
                    continue;
                }
                let Some(url) = path_for(path, &t) else { continue };
                let r = match *schema {
                    "Xlsx" => {
                        // A workbook whose one row names branch A1.
                        let row = xianfeng_core::member::MemberInput {
                            name: "外来人".into(),
                            gender: "男".into(),
                            ethnicity: "汉族".into(),
                            id_card: new_id(),
                            status: "正式党员".into(),
                            join_date: "2015-01-01".into(),
                            full_date: "2016-01-01".into(),
                            org_id: "办公室党支部".into(),
                            ..Default::default()
                        };
                        c.bytes(&url, xianfeng_web::xlsx::synth_members_file(&[row])).await
                    }
                    "File" | "Multipart" => {
                        // A multipart upload, as the pages send it.
                        let boundary = "xfboundary";
                        let mut body = format!(
                            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\
                             Content-Type: application/pdf\r\n\r\n"
                        )
                        .into_bytes();
                        body.extend_from_slice(PDF);
                        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
                        let ct = format!("multipart/form-data; boundary={boundary}");
                        raw(&mut c, "POST", &format!("{url}?step=2"), Some(&ct), body).await
                    }
                    _ => c.json(&method.to_uppercase(), &url, body_for(schema, &t, &versions)).await,
                };
                tried += 1;
                if std::env::var("SHOW_MATRIX").is_ok() {
                    eprintln!(
                        "MATRIX {user} {method} {url} {} {}",
                        r.status,
                        r.text().chars().take(80).collect::<String>()
                    );
                }
                let what = format!("{backend}: {user} {method} {url}");
                assert!(matches!(r.status.as_u16(), 403 | 404 | 422), "{what} → {}: {}", r.status, r.text());
                assert_envelope(&r, r.status, &what);
                if r.status == StatusCode::UNPROCESSABLE_ENTITY {
                    // Only the scope may refuse: the body is what the owner would send.
                    assert!(r.text().contains("管理范围"), "{what}: refused for another reason: {}", r.text());
                }
            }
        }
        assert!(tried > 150, "{backend}: {tried} attempts");

        // Not one write by them took effect.
        let wrote: Vec<(String, String, String, String)> = store
            .db
            .r()
            .fetch_all(xianfeng_store::q!(
                "SELECT username, action, object_type, object_id FROM audit_log \
                 WHERE username IN ('member1', 'seca2', 'unitb', 'seca1') AND outcome = 'success' \
                 AND action NOT IN ('login', 'logout') AND seq > $1 ORDER BY seq",
                last_seq
            ))
            .await
            .unwrap();
        assert!(wrote.is_empty(), "{backend}: writes that went through: {wrote:?}");
        assert_eq!(snapshot(&mut gw, &a1).await, before_a1, "{backend}: branch A1 unchanged");
        assert_eq!(snapshot(&mut gw, &unit).await, before_unit, "{backend}: unit A unchanged");
    }
}
