//! Campaigns on both engines: define, apply (in scope, capped points, once),
//! panel scoring with the conflict rule and the trimmed mean, tiers under
//! quotas, publicity with an objection upheld, naming, and revoking an honor.

use chrono::Days;
use xianfeng_core::campaign::Tier;
use xianfeng_store::StoreError;
use xianfeng_store::campaign::{self as camp, CampaignInput};
use xianfeng_store::testkit::{self, Province};

use crate::exec;

/// `actor` applies, through its member scope, for `subject` in campaign `c`.
async fn apply(
    store: &xianfeng_store::Store,
    scope: &xianfeng_core::auth::MemberScope,
    actor: &xianfeng_core::auth::Actor,
    c: i64,
    subject: i64,
    points: &[u32],
    evidence: &str,
) -> xianfeng_store::Result<camp::ApplicationRow> {
    let write = scope.writer().map_err(|_| StoreError::Forbidden)?;
    camp::apply(store, &write, &testkit::who(actor), c, subject, points, evidence).await
}

/// Reviewer `user` scores an application.
async fn score(
    store: &xianfeng_store::Store,
    who: &xianfeng_store::Who,
    user: i64,
    application: xianfeng_core::key::Key<xianfeng_core::key::kinds::Application>,
    points: &[u32],
) -> xianfeng_store::Result<u32> {
    camp::score(store, who, &xianfeng_core::auth::operator::as_user(user), application, points).await
}

#[tokio::test]
async fn a_campaign_runs_from_applications_to_the_honors_register() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let gw = p.committee_admin();
        let gw_os = testkit::org_scope(&gw).unwrap();
        let gw_who = testkit::who(&gw);
        let today = xianfeng_core::text::today_cn();
        let input = CampaignInput {
            honor: "model_organ".into(),
            year: 2023,
            tiers: vec![Tier { name: "标兵单位".into(), quota: 1 }, Tier { name: "先进单位".into(), quota: 1 }],
            apply_until: Some(today + Days::new(10)),
            ..Default::default()
        };
        let ua = p.unit_admin(&p.unit_a);
        let ua_os = testkit::org_scope(&ua).unwrap();
        assert!(
            matches!(camp::create(&store, &ua_os, &testkit::who(&ua), &input).await, Err(StoreError::Forbidden)),
            "{backend}"
        );
        let c = camp::create(&store, &gw_os, &gw_who, &input).await.unwrap();
        assert_eq!((c.title.as_str(), c.state.as_str()), ("2023年模范机关评选", "applying"), "{backend}");

        // Each unit applies for itself; points are capped; once only; never for another unit.
        let ua_ms = testkit::member_scope(&store, &ua).await.unwrap();
        let ub = p.unit_admin(&p.unit_b);
        let ub_ms = testkit::member_scope(&store, &ub).await.unwrap();
        let over = apply(&store, &ua_ms, &ua, c.id, p.unit_a.id, &[31, 22, 20, 18], "事迹").await;
        assert!(matches!(over, Err(StoreError::Invalid(_))), "{backend}");
        let a = apply(&store, &ua_ms, &ua, c.id, p.unit_a.id, &[28, 22, 20, 18], "第一议题全年落实").await.unwrap();
        assert_eq!(a.self_total, 88, "{backend}");
        assert!(apply(&store, &ua_ms, &ua, c.id, p.unit_a.id, &[28, 22, 20, 18], "再报").await.is_err(), "{backend}");
        let other = apply(&store, &ua_ms, &ua, c.id, p.unit_b.id, &[28, 22, 20, 18], "x").await;
        assert!(matches!(other, Err(StoreError::NotFound)), "{backend}");
        let b = apply(&store, &ub_ms, &ub, c.id, p.unit_b.id, &[25, 20, 20, 15], "作风建设").await.unwrap();

        // Six reviewers, two of them from the applying units.
        let panel = vec![
            (9001, Some(p.unit_a.id), "评审一".to_string()),
            (9002, Some(p.unit_b.id), "评审二".to_string()),
            (9003, None, "评审三".to_string()),
            (9004, None, "评审四".to_string()),
            (9005, None, "评审五".to_string()),
            (9006, None, "评审六".to_string()),
        ];
        camp::set_reviewers(&store, &gw_os, &gw_who, c.id, &panel).await.unwrap();
        let r = score(&store, &gw_who, 9003, a.key(), &[30, 25, 25, 20]).await;
        assert!(
            matches!(r, Err(StoreError::Rule(ref m)) if m.contains("不能评分")),
            "{backend}: applications are still open"
        );
        let stale = camp::close_applications(&store, &gw_os, &gw_who, c.id, Some(c.version + 1)).await;
        assert!(matches!(stale, Err(StoreError::Stale)), "{backend}: a change of another version: {stale:?}");
        camp::close_applications(&store, &gw_os, &gw_who, c.id, Some(c.version)).await.unwrap();
        let own = score(&store, &gw_who, 9001, a.key(), &[30, 25, 25, 20]).await;
        assert!(matches!(own, Err(StoreError::Rule(ref m)) if m.contains("本单位")), "{backend}");
        assert!(
            matches!(score(&store, &gw_who, 7777, a.key(), &[1, 1, 1, 1]).await, Err(StoreError::Forbidden)),
            "{backend}"
        );
        // A: 60 80 85 90 100 from five reviewers → 60 and 100 dropped → 85.
        for (rv, pts) in [
            (9002, [15, 15, 15, 15]),
            (9003, [25, 20, 20, 15]),
            (9004, [25, 20, 20, 20]),
            (9005, [25, 25, 20, 20]),
            (9006, [30, 25, 25, 20]),
        ] {
            score(&store, &gw_who, rv, a.key(), &pts).await.unwrap();
        }
        // B: 85 from every reviewer who may score it → a tie with A, broken by A's higher self-assessment.
        for rv in [9001, 9003, 9004, 9005, 9006] {
            score(&store, &gw_who, rv, b.key(), &[25, 25, 20, 15]).await.unwrap();
        }
        // What each caller sees before publicity: the working committee and the panel every
        // application, a unit its own, a branch secretary none of a unit's; scores stay hidden.
        let (_, gw_acc) = camp::access(&store, &gw_os, gw.user_id, c.id).await.unwrap();
        let (_, ua_acc) = camp::access(&store, &ua_os, ua.user_id, c.id).await.unwrap();
        let sec = p.branch_secretary(&p.branch_a1);
        let sec_os = testkit::org_scope(&sec).unwrap();
        let (_, sec_acc) = camp::access(&store, &sec_os, sec.user_id, c.id).await.unwrap();
        let (_, rv_acc) = camp::access(&store, &sec_os, 9003, c.id).await.unwrap();
        assert_eq!(rv_acc.reviewer_unit(), Some(None), "{backend}");
        let ids = |v: Vec<camp::ApplicationRow>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(ids(camp::applications(&store, &gw_acc, c.id).await.unwrap()), vec![a.id, b.id], "{backend}");
        assert_eq!(ids(camp::applications(&store, &rv_acc, c.id).await.unwrap()), vec![a.id, b.id], "{backend}");
        assert_eq!(ids(camp::applications(&store, &ua_acc, c.id).await.unwrap()), vec![a.id], "{backend}");
        assert!(camp::applications(&store, &sec_acc, c.id).await.unwrap().is_empty(), "{backend}");
        let ua_res = camp::results(&store, &ua_acc, c.id).await.unwrap();
        assert_eq!(
            ua_res.iter().map(|r| (r.application.id, r.score, r.tier.clone())).collect::<Vec<_>>(),
            vec![(a.id, None, None)],
            "{backend}: a unit sees its own application, without scores before publicity"
        );
        assert!(matches!(camp::objections(&store, &ua_acc, c.id).await, Err(StoreError::Forbidden)), "{backend}");
        let res = camp::results(&store, &gw_acc, c.id).await.unwrap();
        assert_eq!(res[0].application.id, a.id, "{backend}");
        assert_eq!(
            (res[0].score, res[0].reviewers, res[0].tier.as_deref()),
            (Some(85.0), 5, Some("标兵单位")),
            "{backend}"
        );
        assert_eq!((res[1].score, res[1].tier.as_deref()), (Some(85.0), Some("先进单位")), "{backend}");
        assert!(res[1].tie_note.contains("自评分"), "{backend}: {:?}", res[1].tie_note);

        // Publicity: an objection against B is upheld; naming waits for the end of the notice.
        camp::publish(&store, &gw_os, &gw_who, c.id, today, today, None).await.unwrap();
        let ub_os = testkit::org_scope(&ub).unwrap();
        let public = camp::results(&store, &ua_acc, c.id).await.unwrap();
        assert_eq!((public.len(), public[0].score), (2, Some(85.0)), "{backend}: results are public in 公示");
        let ua_obj = camp::object(&store, &ua_os, &testkit::who(&ua), b.key(), "x").await;
        assert!(matches!(ua_obj, Err(StoreError::NotFound)), "{backend}: unit A cannot see unit B's application");
        let o = camp::object(&store, &ub_os, &testkit::who(&ub), b.key(), "反映该单位有违纪案件").await.unwrap();
        let named = camp::name(&store, &gw_os, &gw_who, c.id, None).await;
        assert!(matches!(named, Err(StoreError::Rule(ref m)) if m.contains("期满")), "{backend}");
        camp::close_objection(&store, &gw_os, &gw_who, o.key(), true, "经核查属实，取消评选资格").await.unwrap();
        exec(&store, &format!("UPDATE campaigns SET notice_to = '{}' WHERE id = {}", today - Days::new(1), c.id))
            .await
            .unwrap();
        let honors = camp::name(&store, &gw_os, &gw_who, c.id, None).await.unwrap();
        assert_eq!(honors.len(), 1, "{backend}: B was disqualified");
        assert_eq!((honors[0].subject_id, honors[0].tier_name.as_str()), (p.unit_a.id, "标兵单位"), "{backend}");
        // The register in unit B's scope is empty; an honor is revoked with a reason and stays marked.
        assert!(camp::honors(&store, &ub_os, None).await.unwrap().is_empty(), "{backend}");
        assert!(camp::revoke(&store, &gw_os, &gw_who, honors[0].key(), "").await.is_err(), "{backend}");
        camp::revoke(&store, &gw_os, &gw_who, honors[0].key(), "发生违纪案件").await.unwrap();
        let reg = camp::honors(&store, &ua_os, None).await.unwrap();
        assert_eq!((reg.len(), reg[0].revoked_reason.as_str()), (1, "发生违纪案件"), "{backend}");
    }
}

#[tokio::test]
async fn eligibility_is_checked_against_the_records() {
    use chrono::Datelike;
    use xianfeng_store::dues::{self, BaseInput, PaymentInput};
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let gw = p.committee_admin();
        let gw_os = testkit::org_scope(&gw).unwrap();
        let gw_who = testkit::who(&gw);
        let ms = testkit::member_scope(&store, &gw).await.unwrap();
        let today = xianfeng_core::text::today_cn();
        // Last year's campaigns: a year wholly behind us, whatever today is.
        let year = today.year() - 1;
        let jan = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let zhang = p.member("张伟").id();
        let base = BaseInput {
            member_type: "salaried".into(),
            base: "5000".into(),
            effective_month: format!("{year}-01"),
            ..Default::default()
        };
        dues::set_base(&store, &ms.writer().unwrap(), &gw_who, zhang, &base).await.unwrap();
        dues::open_cycle(&store, &ms, &gw_who, jan).await.unwrap();
        // 四好党员 requires the year's dues paid up by default.
        let input = CampaignInput {
            honor: "four_good_member".into(),
            year,
            apply_until: Some(today + Days::new(5)),
            ..Default::default()
        };
        let c = camp::create(&store, &gw_os, &gw_who, &input).await.unwrap();
        assert!(c.eligibility_text().contains("党费"), "{backend}");
        let sec = p.branch_secretary(&p.branch_a1);
        let sec_ms = testkit::member_scope(&store, &sec).await.unwrap();
        let r = apply(&store, &sec_ms, &sec, c.id, zhang, &[25, 25, 18, 18], "岗位履职突出").await;
        assert!(matches!(r, Err(StoreError::Rule(ref m)) if m.contains("1个月党费未缴")), "{backend}: {r:?}");
        let pay = PaymentInput {
            amount: "50.00".into(),
            paid_on: (jan + Days::new(3)).min(today).to_string(),
            method: "cash".into(),
            ..Default::default()
        };
        dues::record_payment(&store, &ms.writer().unwrap(), &gw_who, zhang, jan, &pay).await.unwrap();
        apply(&store, &sec_ms, &sec, c.id, zhang, &[25, 25, 18, 18], "岗位履职突出").await.unwrap();
        // 四强党支部 by default excludes the tail of the year's ranking: a1 held no meetings this year.
        let input = CampaignInput {
            honor: "four_strong_branch".into(),
            year,
            apply_until: Some(today + Days::new(5)),
            ..Default::default()
        };
        let c = camp::create(&store, &gw_os, &gw_who, &input).await.unwrap();
        let r = apply(&store, &sec_ms, &sec, c.id, p.branch_a1.id, &[25, 20, 20, 15], "支部建设").await;
        assert!(matches!(r, Err(StoreError::Rule(ref m)) if m.contains("列为末位")), "{backend}: {r:?}");
        // A condition that cannot apply to the honor's subjects is refused when defining the campaign.
        let bad = CampaignInput {
            honor: "model_organ".into(),
            year,
            eligibility: Some(vec!["dues_paid_up".into()]),
            apply_until: Some(today),
            ..Default::default()
        };
        assert!(matches!(camp::create(&store, &gw_os, &gw_who, &bad).await, Err(StoreError::Invalid(_))), "{backend}");
    }
}
