//! Discipline cases on both engines: only discipline staff hold the capability,
//! each within their subtree; a case links to the member record by name (asking
//! when two members share it); statistics count by year, category and rank; and
//! a campaign's "no sanction that year" condition refuses the unit, the branch
//! and the member concerned, while a handling (处理) refuses nobody.

use chrono::{Datelike, Days, NaiveDate};
use xianfeng_core::discipline::CaseInput;
use xianfeng_core::member::MemberStatus;
use xianfeng_store::StoreError;
use xianfeng_store::campaign::{self as camp, CampaignInput};
use xianfeng_store::discipline::{self as d, CaseFilter};
use xianfeng_store::member;
use xianfeng_store::testkit::{self, Province};

use crate::invalid_on;

fn case(name: &str, org_id: i64, kind: &str, on: NaiveDate) -> CaseInput {
    CaseInput {
        person_name: name.into(),
        org_id: Some(org_id),
        cadre_rank: "section_level_or_below".into(),
        kind: kind.into(),
        decided_on: Some(on),
        decided_by: "省直机关纪检监察工委".into(),
        summary: "违反中央八项规定精神，违规收受礼金".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn discipline_staff_record_cases_in_their_subtree_only() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let today = xianfeng_core::text::today_cn();
        let js_a = p.discipline_staff(&p.unit_a);
        let sa = js_a.discipline_scope().unwrap();
        let js_root = p.discipline_staff(&p.root);
        let sr = js_root.discipline_scope().unwrap();
        let sb = p.discipline_staff(&p.unit_b).discipline_scope().unwrap();
        // No business role holds the capability.
        for a in [p.committee_admin(), p.unit_admin(&p.unit_a), p.branch_secretary(&p.branch_a1)] {
            assert!(a.discipline_scope().is_err(), "{backend}");
        }
        // Every missing field is named.
        let e = d::create(&store, &sa, &testkit::who(&js_a), &CaseInput::default()).await;
        assert!(invalid_on(e, "person_name").contains("姓名"), "{backend}");
        // A party member of unit A is linked by name and filed under their branch.
        let c = d::create(&store, &sa, &testkit::who(&js_a), &case("张伟", p.unit_a.id, "party_warning", today))
            .await
            .unwrap();
        assert_eq!((c.member_id, c.org_id), (Some(p.member("张伟").id()), p.branch_a1.id), "{backend}");
        // A public servant who is not a member is recorded under the org chosen.
        let n = d::create(&store, &sa, &testkit::who(&js_a), &case("周某", p.unit_a.id, "admonition", today))
            .await
            .unwrap();
        assert_eq!((n.member_id, n.org_id, n.category.as_str()), (None, p.unit_a.id, "handling"), "{backend}");
        // Unit A's staff cannot file under unit B, and unit B's staff cannot read unit A's case.
        let other =
            d::create(&store, &sa, &testkit::who(&js_a), &case("陈静", p.unit_b.id, "party_warning", today)).await;
        assert!(matches!(other, Err(StoreError::NotFound)), "{backend}: {other:?}");
        assert!(
            matches!(
                d::get(&store, &sb, &testkit::who(&p.discipline_staff(&p.unit_b)), c.key()).await,
                Err(StoreError::NotFound)
            ),
            "{backend}"
        );
        let (rows, total) = d::list(&store, &sb, &CaseFilter::default(), 1, 20).await.unwrap();
        assert_eq!((rows.len(), total), (0, 0), "{backend}");
        let (_, total) = d::list(&store, &sr, &CaseFilter::default(), 1, 20).await.unwrap();
        assert_eq!(total, 2, "{backend}: the province's staff see both");
        let f = CaseFilter { category: "party_sanction".into(), ..Default::default() };
        assert_eq!(d::list(&store, &sr, &f, 1, 20).await.unwrap().1, 1, "{backend}");
        // Two members named 张伟: the staff are asked which one.
        let gw = p.committee_admin();
        let ms = testkit::member_scope(&store, &gw).await.unwrap();
        let twin = testkit::member_input(
            "张伟",
            p.branch_a2.id,
            NaiveDate::from_ymd_opt(1990, 1, 2).unwrap(),
            77,
            MemberStatus::Full,
        );
        let twin = member::create(&store, &ms.writer().unwrap(), &testkit::who(&gw), &twin).await.unwrap();
        let again = case("张伟", p.unit_a.id, "criticism", today);
        let m = invalid_on(d::create(&store, &sa, &testkit::who(&js_a), &again).await, "member_id");
        assert!(m.contains("2名党员名为张伟"), "{backend}: {m}");
        assert_eq!(d::candidates(&store, &sa, p.unit_a.id, "张伟").await.unwrap().len(), 2, "{backend}");
        let chosen = d::create(&store, &sa, &testkit::who(&js_a), &CaseInput { member_id: Some(twin.id), ..again })
            .await
            .unwrap();
        assert_eq!((chosen.member_id, chosen.org_id), (Some(twin.id), p.branch_a2.id), "{backend}");
        // Statistics by year, category and rank.
        let y = today.year();
        let s = d::stats(&store, &sr, y, y).await.unwrap();
        let count = |cat: &str| s.iter().filter(|r| r.category.as_str() == cat).map(|r| r.cases).sum::<i64>();
        assert_eq!((count("party_sanction"), count("handling")), (1, 2), "{backend}: {s:?}");
        assert!(d::stats(&store, &sb, y, y).await.unwrap().is_empty(), "{backend}");
    }
}

#[tokio::test]
async fn a_sanction_that_year_makes_unit_branch_and_member_ineligible() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let today = xianfeng_core::text::today_cn();
        let year = today.year();
        let gw = p.committee_admin();
        let gw_os = testkit::org_scope(&gw).unwrap();
        let gw_who = testkit::who(&gw);
        let js = p.discipline_staff(&p.root);
        let sr = js.discipline_scope().unwrap();
        let jw = testkit::who(&js);
        // Unit A: a handling only (refuses nobody); unit B: a sanction on 陈静 in branch b1, this year;
        // a sanction last year on 杨磊 counts only for last year.
        d::create(&store, &sr, &jw, &case("周某", p.unit_a.id, "admonition", today)).await.unwrap();
        d::create(&store, &sr, &jw, &case("陈静", p.unit_b.id, "gov_demerit", today)).await.unwrap();
        let last_year = NaiveDate::from_ymd_opt(year - 1, 6, 1).unwrap();
        d::create(&store, &sr, &jw, &case("杨磊", p.unit_b.id, "party_warning", last_year)).await.unwrap();
        let mk = |honor: &str, eligibility: Vec<String>| CampaignInput {
            honor: honor.into(),
            year,
            eligibility: Some(eligibility),
            apply_until: Some(today + Days::new(5)),
            ..Default::default()
        };
        // 清廉机关 carries the condition by default.
        let clean = CampaignInput { eligibility: None, ..mk("clean_organ", vec![]) };
        let clean = camp::create(&store, &gw_os, &gw_who, &clean).await.unwrap();
        assert!(clean.eligibility_text().contains("无党纪政务处分"), "{backend}");
        let ua = p.unit_admin(&p.unit_a);
        let ub = p.unit_admin(&p.unit_b);
        let ua_ms = testkit::member_scope(&store, &ua).await.unwrap();
        let ub_ms = testkit::member_scope(&store, &ub).await.unwrap();
        let pts = [25, 18, 25, 18];
        camp::apply(&store, &ua_ms.writer().unwrap(), &testkit::who(&ua), clean.id, p.unit_a.id, &pts, "清廉机关建设")
            .await
            .unwrap();
        let r = camp::apply(
            &store,
            &ub_ms.writer().unwrap(),
            &testkit::who(&ub),
            clean.id,
            p.unit_b.id,
            &pts,
            "清廉机关建设",
        )
        .await;
        // The refusal does not say which condition failed: a sanction reads like any other reason.
        assert!(
            matches!(r, Err(StoreError::Rule(ref m)) if m.contains("不符合本次评选的申报条件") && !m.contains("处分记录")),
            "{backend}: {r:?}"
        );
        // 四强党支部 with the condition: b1 is refused.
        let strong =
            camp::create(&store, &gw_os, &gw_who, &mk("four_strong_branch", vec!["no_sanction".into()])).await.unwrap();
        let r = camp::apply(
            &store,
            &ub_ms.writer().unwrap(),
            &testkit::who(&ub),
            strong.id,
            p.branch_b1.id,
            &[25, 20, 20, 15],
            "支部",
        )
        .await;
        assert!(matches!(r, Err(StoreError::Rule(_))), "{backend}: {r:?}");
        // 四好党员: 陈静 is refused, 杨磊 (sanctioned last year) may apply.
        let good =
            camp::create(&store, &gw_os, &gw_who, &mk("four_good_member", vec!["no_sanction".into()])).await.unwrap();
        let pts = [25, 25, 18, 18];
        let r = camp::apply(
            &store,
            &ub_ms.writer().unwrap(),
            &testkit::who(&ub),
            good.id,
            p.member("陈静").id(),
            &pts,
            "履职",
        )
        .await;
        assert!(matches!(r, Err(StoreError::Rule(_))), "{backend}: {r:?}");
        camp::apply(&store, &ub_ms.writer().unwrap(), &testkit::who(&ub), good.id, p.member("杨磊").id(), &pts, "履职")
            .await
            .unwrap();
    }
}
