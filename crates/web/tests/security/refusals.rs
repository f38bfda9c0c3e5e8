//! Point 7: a refusal does not tell a sanction apart.

use super::*;

/// Point 7: discipline data stays behind its label. A branch secretary who
/// applies members to a campaign with the "no sanction this year" condition
/// learns only "does not meet the campaign's conditions" — the same words
/// for any condition — after three refusals a day is stopped, and every
/// refusal is audited without its reason.
#[tokio::test]
async fn a_refusal_does_not_tell_a_sanction_apart() {
    use chrono::Datelike;
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let today = xianfeng_core::text::today_cn();
        let js = p.discipline_staff(&p.root);
        let case = xianfeng_core::discipline::CaseInput {
            person_name: "李娜".into(),
            member_id: Some(p.member("李娜").id()),
            org_id: Some(p.branch_a1.id),
            cadre_rank: "section_level_or_below".into(),
            kind: "party_warning".into(),
            decided_on: Some(today),
            decided_by: "省直机关纪检监察工委".into(),
            summary: "违反中央八项规定精神".into(),
            ..Default::default()
        };
        xianfeng_store::discipline::create(&store, &js.discipline_scope().unwrap(), &testkit::who(&js), &case)
            .await
            .unwrap();
        let gw = p.committee_admin();
        let input = xianfeng_store::campaign::CampaignInput {
            honor: "four_good_member".into(),
            year: today.year(),
            eligibility: Some(vec!["no_sanction".into()]),
            apply_until: Some(today + chrono::Days::new(5)),
            ..Default::default()
        };
        let c = xianfeng_store::campaign::create(&store, &testkit::org_scope(&gw).unwrap(), &testkit::who(&gw), &input)
            .await
            .unwrap();

        let mut sec = Client::new(&store);
        sec.api_login("seca1", PASSWORD).await;
        let apply = |member: i64| serde_json::json!({ "subject_id": member, "points": [25, 25, 18, 18], "evidence": "履职尽责" });
        let path = format!("/api/v1/campaigns/{}/apply", c.id);
        let r = sec.json("POST", &path, apply(p.member("李娜").id())).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: the sanctioned member is refused"));
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("不符合本次评选的申报条件") && !message.contains("处分记录"), "{backend}: {message}");
        // Probing more names: two more refusals (the same one, or another), then the brake.
        for _ in 0..2 {
            let r = sec.json("POST", &path, apply(p.member("李娜").id())).await;
            assert_envelope(&r, StatusCode::CONFLICT, backend);
        }
        let r = sec.json("POST", &path, apply(p.member("赵敏").id())).await;
        assert_envelope(&r, StatusCode::CONFLICT, &format!("{backend}: a fourth try the same day is stopped"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("明天再试"), "{backend}: {}", r.text());
        // The audit administrator sees each refusal, not its reason nor the person.
        let mut aud = Client::new(&store);
        aud.api_login("audadm", PASSWORD).await;
        let log = aud.get("/api/v1/audit?action=campaign_apply&per_page=50").await.json();
        let denied: Vec<&serde_json::Value> =
            log["items"].as_array().unwrap().iter().filter(|r| r["outcome"] == "denied").collect();
        assert_eq!(denied.len(), 4, "{backend}: {log}");
        for d in denied {
            let detail = d["detail"].as_str().unwrap_or("");
            assert!(!detail.contains("李娜") && !detail.contains("处分"), "{backend}: {detail}");
        }
    }
}
