//! 排队抓尾 on both engines: facts from dues and recruitment records, scores
//! that the explanation adds up to, province-wide ranks seen through each
//! caller's scope, the tail, and the cache following writes.

use chrono::{Datelike, NaiveDate};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::ranking::Source;
use xianfeng_core::recruitment::StepData;
use xianfeng_store::dues::{self, BaseInput, PaymentInput};
use xianfeng_store::ranking::{self as rank, RankFilter};
use xianfeng_store::testkit::{self, Province};

#[tokio::test]
async fn branches_are_ranked_from_their_records_and_explained() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let who = testkit::who(&admin);
        let today = xianfeng_core::text::today_cn();
        let year = today.year();
        let jan = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let base = BaseInput {
            member_type: "salaried".into(),
            base: "5000".into(),
            effective_month: format!("{year}-01"),
            ..Default::default()
        };
        for m in &p.members {
            let detail = xianfeng_store::member::get(&store, &ms, m.id()).await.unwrap();
            if MemberStatus::parse(&detail.status).is_some_and(|s| s.is_member()) {
                dues::set_base(&store, &ms, &who, m.id(), &base).await.unwrap();
            }
        }
        dues::open_cycle(&store, &ms, &who, jan).await.unwrap();
        // The model is data: this year, dues 80 and recruitment 20 (the fixture holds no meetings).
        let model = serde_json::json!({
            "indicators": [
                { "source": "dues_on_time", "weight": 80, "target": 1.0 },
                { "source": "recruitment_timely", "weight": 20, "target": 1.0 }
            ],
            "tail_percent": 5,
            "tail_below": 60.0
        });
        xianfeng_store::rules::add_version(&store, &admin, &who, "ranking", jan, &model, "").await.unwrap();
        // Branch a1 pays January within the month; branch a2 a month late; b1 not at all.
        let pay = |on: NaiveDate| PaymentInput {
            amount: "50.00".into(),
            paid_on: on.to_string(),
            method: "cash".into(),
            ..Default::default()
        };
        let in_branch =
            |b: &xianfeng_store::org::OrgRow| p.members_under(b).into_iter().map(|m| m.id()).collect::<Vec<_>>();
        let mut a1_paid = 0;
        for id in in_branch(&p.branch_a1) {
            if dues::record_payment(&store, &ms, &who, id, jan, &pay(jan + chrono::Days::new(9))).await.is_ok() {
                a1_paid += 1;
            }
        }
        assert!(a1_paid >= 3, "{backend}");
        for id in in_branch(&p.branch_a2) {
            let _ = dues::record_payment(&store, &ms, &who, id, jan, &pay(jan + chrono::Days::new(40))).await;
        }
        let os = testkit::org_scope(&admin).unwrap();
        let r = rank::ranking(&store, &os, year, &RankFilter::default()).await.unwrap();
        let row = |id: i64| r.rows.iter().find(|x| x.org_id == id).cloned();
        let a1 = row(p.branch_a1.id).expect("a1 ranked");
        let a2 = row(p.branch_a2.id).expect("a2 ranked");
        let b1 = row(p.branch_b1.id).expect("b1 ranked");
        assert_eq!(a1.facts.dues_on_time, a1.facts.dues_charges, "{backend}");
        assert_eq!(a2.facts.dues_on_time, 0, "{backend}: paid, but not within the month");
        assert_eq!((a1.score, a1.rank), (100.0, 1), "{backend}");
        assert_eq!(b1.score, 0.0, "{backend}");
        assert!(b1.tail && !a1.tail, "{backend}: the bottom and anything below the line is the tail");
        assert_eq!(r.ranked, 3, "{backend}");

        // The explanation adds up to the score.
        let e = rank::explain(&store, &os, p.branch_a2.id, year).await.unwrap();
        let sum: f64 = e.score.parts.iter().map(|x| x.points).sum();
        assert!((xianfeng_core::ranking::round2(sum) - e.score.score).abs() < 1e-9, "{backend}");
        let dues_part = e.score.parts.iter().find(|x| x.source == Source::DuesOnTime).unwrap();
        assert_eq!((dues_part.numerator, dues_part.denominator), (0, a2.facts.dues_charges), "{backend}");

        // Scope: a branch sees itself with its province-wide rank; another unit sees its own.
        let sec = testkit::org_scope(&p.branch_secretary(&p.branch_a1)).unwrap();
        let mine = rank::ranking(&store, &sec, year, &RankFilter::default()).await.unwrap();
        assert_eq!(mine.rows.len(), 1, "{backend}");
        assert_eq!((mine.rows[0].org_id, mine.ranked), (p.branch_a1.id, 3), "{backend}");
        let ub = testkit::org_scope(&p.unit_admin(&p.unit_b)).unwrap();
        assert!(rank::explain(&store, &ub, p.branch_a1.id, year).await.is_err(), "{backend}: outside unit B's scope");
        let tail =
            rank::ranking(&store, &os, year, &RankFilter { tail_only: true, ..Default::default() }).await.unwrap();
        assert!(tail.rows.iter().all(|x| x.tail) && tail.rows.iter().any(|x| x.org_id == p.branch_b1.id), "{backend}");

        // A recruitment case with an overdue talk brings that indicator in for a1.
        let input = testkit::member_input(
            "冯雪",
            p.branch_a1.id,
            NaiveDate::from_ymd_opt(1999, 1, 1).unwrap(),
            77,
            MemberStatus::Applicant,
        );
        let applicant = xianfeng_store::member::create(&store, &ms, &who, &input).await.unwrap().id;
        let applied = today - chrono::Days::new(60);
        xianfeng_store::recruitment::start(&store, &ms, &who, applicant, applied, StepData::default()).await.unwrap();
        let r = rank::ranking(&store, &os, year, &RankFilter::default()).await.unwrap();
        let a1 = r.rows.iter().find(|x| x.org_id == p.branch_a1.id).unwrap();
        assert_eq!((a1.facts.cases_open, a1.facts.cases_timely), (1, 0), "{backend}: the cache saw the write");
        assert!(a1.score < 100.0, "{backend}");

        // b1 pays: its facts change on the next read (the cache follows the write).
        for id in in_branch(&p.branch_b1) {
            let _ = dues::record_payment(&store, &ms, &who, id, jan, &pay(jan + chrono::Days::new(5))).await;
        }
        let r = rank::ranking(&store, &os, year, &RankFilter::default()).await.unwrap();
        assert_eq!(r.rows.iter().find(|x| x.org_id == p.branch_b1.id).unwrap().score, 100.0, "{backend}");
    }
}
