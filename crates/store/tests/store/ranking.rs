//! 排队抓尾 on both engines: facts from dues and recruitment records, scores
//! that the explanation adds up to, province-wide ranks seen through each
//! caller's scope, the tail, and the cache following writes.

use chrono::{Datelike, NaiveDate};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::ranking::{MoveFilter, Movement, Source};
use xianfeng_core::recruitment::StepData;
use xianfeng_store::dues::{self, BaseInput, PaymentInput};
use xianfeng_store::ranking::{self as rank, RankFilter};
use xianfeng_store::testkit::{self, Province};

/// Every member of the province on a salaried base of 5,000 from `month` (YYYY-MM).
async fn salaried_5000(store: &xianfeng_store::Store, p: &Province, month: &str) {
    let admin = p.committee_admin();
    let ms = testkit::member_scope(store, &admin).await.unwrap();
    let who = testkit::who(&admin);
    let base = BaseInput {
        member_type: "salaried".into(),
        base: "5000".into(),
        effective_month: month.into(),
        ..Default::default()
    };
    for m in &p.members {
        if xianfeng_store::member::get(store, &ms, m.id()).await.unwrap().status.is_member() {
            dues::set_base(store, &ms.writer().unwrap(), &who, m.id(), &base).await.unwrap();
        }
    }
}

#[tokio::test]
async fn branches_are_ranked_from_their_records_and_explained() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let who = testkit::who(&admin);
        let today = xianfeng_core::text::today_cn();
        // Last year, a year wholly behind us whatever today is: every month's
        // dues have fallen due (this January has not on New Year's Day).
        let year = today.year() - 1;
        let jan = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        salaried_5000(&store, &p, &format!("{}-12", year - 1)).await;
        // Last December: only b1 pays within the month, so last year b1 led and a1, a2 trailed.
        let dec = NaiveDate::from_ymd_opt(year - 1, 12, 1).unwrap();
        dues::open_cycle(&store, &ms, &who, dec).await.unwrap();
        for m in p.members_under(&p.branch_b1) {
            let pay = PaymentInput {
                amount: "50.00".into(),
                paid_on: (dec + chrono::Days::new(3)).to_string(),
                method: "cash".into(),
                ..Default::default()
            };
            let _ = dues::record_payment(&store, &ms.writer().unwrap(), &who, m.id(), dec, &pay).await;
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
        // Paid on that day, or today if that day has not come yet (early January).
        let pay = |on: NaiveDate| PaymentInput {
            amount: "50.00".into(),
            paid_on: on.min(today).to_string(),
            method: "cash".into(),
            ..Default::default()
        };
        let in_branch =
            |b: &xianfeng_store::org::OrgRow| p.members_under(b).into_iter().map(|m| m.id()).collect::<Vec<_>>();
        let mut a1_paid = 0;
        for id in in_branch(&p.branch_a1) {
            if dues::record_payment(&store, &ms.writer().unwrap(), &who, id, jan, &pay(jan + chrono::Days::new(9)))
                .await
                .is_ok()
            {
                a1_paid += 1;
            }
        }
        assert!(a1_paid >= 3, "{backend}");
        // A second month when the calendar allows: the year's facts add its months up.
        let feb = jan + chrono::Months::new(1);
        let months = if today > feb + chrono::Days::new(9) {
            dues::open_cycle(&store, &ms, &who, feb).await.unwrap();
            for id in in_branch(&p.branch_a1) {
                dues::record_payment(&store, &ms.writer().unwrap(), &who, id, feb, &pay(feb + chrono::Days::new(9)))
                    .await
                    .unwrap();
            }
            2
        } else {
            1
        };
        // a2 pays January a month late once the calendar is there; until then it has not paid.
        let late = jan + chrono::Days::new(40);
        if late <= today {
            for id in in_branch(&p.branch_a2) {
                let _ = dues::record_payment(&store, &ms.writer().unwrap(), &who, id, jan, &pay(late)).await;
            }
        }
        let os = testkit::org_scope(&admin).unwrap();
        let r = rank::ranking(&store, &os, year, &RankFilter::default()).await.unwrap();
        let row = |id: i64| r.rows.iter().find(|x| x.org_id == id).cloned();
        let a1 = row(p.branch_a1.id).expect("a1 ranked");
        let a2 = row(p.branch_a2.id).expect("a2 ranked");
        let b1 = row(p.branch_b1.id).expect("b1 ranked");
        assert_eq!(a1.facts.dues_charges, a1_paid * months, "{backend}: every member's charge of every month");
        assert_eq!(a1.facts.dues_on_time, a1.facts.dues_charges, "{backend}");
        assert_eq!(a2.facts.dues_on_time, 0, "{backend}: paid, but not within the month");
        assert_eq!((a1.score, a1.rank), (100.0, 1), "{backend}");
        assert_eq!(b1.score, 0.0, "{backend}");
        assert!(b1.tail && !a1.tail, "{backend}: the bottom and anything below the line is the tail");
        assert_eq!(r.ranked, 3, "{backend}");
        // 升降 against last year: a1 rose from the shared second place, b1 fell from first.
        assert_eq!((a1.prev_rank, a1.movement), (Some(2), Movement::Up(1)), "{backend}");
        assert_eq!((b1.prev_rank, b1.prev_tail, b1.movement), (Some(1), Some(false), Movement::Down(1)), "{backend}");
        assert_eq!(a2.movement, Movement::Same, "{backend}");
        // a2 and b1 both score nothing this year: they share second place, and the rows say so.
        assert_eq!((a2.score, a2.rank, a2.tied, b1.rank, b1.tied, a1.tied), (0.0, 2, 2, 2, 2, 1), "{backend}");
        assert_eq!((a2.place(), a1.place()), ("并列第2名（共2个）".to_string(), "第1名".to_string()), "{backend}");
        assert_eq!((a2.prev_score, b1.prev_score.is_some_and(|s| s > 0.0)), (Some(0.0), true), "{backend}");
        assert_eq!((r.moved_up, r.moved_down, r.into_tail), (1, 1, 1), "{backend}: b1 is new to the tail");
        let down = RankFilter { moved: Some(MoveFilter::Down), ..Default::default() };
        let fell = rank::ranking(&store, &os, year, &down).await.unwrap();
        assert_eq!(fell.rows.iter().map(|x| x.org_id).collect::<Vec<_>>(), vec![p.branch_b1.id], "{backend}");
        let out = RankFilter { moved: Some(MoveFilter::OutOfTail), ..Default::default() };
        let left = rank::ranking(&store, &os, year, &out).await.unwrap();
        assert_eq!(left.rows.iter().map(|x| x.org_id).collect::<Vec<_>>(), vec![p.branch_a1.id], "{backend}");

        // The explanation adds up to the score.
        let e = rank::explain(&store, &os, p.branch_a2.id, year).await.unwrap();
        let sum: f64 = e.score.parts.iter().map(|x| x.points).sum();
        assert!((xianfeng_core::ranking::round2(sum) - e.score.score).abs() < 1e-9, "{backend}");
        let dues_part = e.score.parts.iter().find(|x| x.source == Source::DuesOnTime).unwrap();
        assert_eq!((dues_part.numerator, dues_part.denominator), (0, a2.facts.dues_charges), "{backend}");
        // Its history: last year, shared second and in the tail; the years before hold no records.
        assert_eq!(e.history, vec![(year - 1, 0.0, 2, true)], "{backend}");

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
        let applicant = xianfeng_store::member::create(&store, &ms.writer().unwrap(), &who, &input).await.unwrap().id;
        // Overdue is measured against today, so this indicator counts in this year's ranking only.
        let applied = today - chrono::Days::new(60);
        xianfeng_store::recruitment::start(
            &store,
            &ms.writer().unwrap(),
            &who,
            applicant,
            applied,
            StepData::default(),
        )
        .await
        .unwrap();
        let r = rank::ranking(&store, &os, today.year(), &RankFilter::default()).await.unwrap();
        let a1 = r.rows.iter().find(|x| x.org_id == p.branch_a1.id).unwrap();
        assert_eq!((a1.facts.cases_open, a1.facts.cases_timely), (1, 0), "{backend}: the cache saw the write");
        assert!(a1.score < 100.0, "{backend}");
        let past = rank::ranking(&store, &os, year, &RankFilter::default()).await.unwrap();
        let a1_past = past.rows.iter().find(|x| x.org_id == p.branch_a1.id).unwrap();
        assert_eq!((a1_past.facts.cases_open, a1_past.score), (0, 100.0), "{backend}: a past year has no overdue now");

        // b1 pays: its facts change on the next read (the cache follows the write).
        for id in in_branch(&p.branch_b1) {
            let _ =
                dues::record_payment(&store, &ms.writer().unwrap(), &who, id, jan, &pay(jan + chrono::Days::new(5)))
                    .await;
            if months == 2 {
                let _ = dues::record_payment(
                    &store,
                    &ms.writer().unwrap(),
                    &who,
                    id,
                    feb,
                    &pay(feb + chrono::Days::new(5)),
                )
                .await;
            }
        }
        let r = rank::ranking(&store, &os, year, &RankFilter::default()).await.unwrap();
        assert_eq!(r.rows.iter().find(|x| x.org_id == p.branch_b1.id).unwrap().score, 100.0, "{backend}");
    }
}

#[tokio::test]
async fn a_tail_branch_rectifies_and_its_unit_lifts_it() {
    use xianfeng_store::StoreError;
    use xianfeng_store::rectification::{self as rect, PlanInput, Step};
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let who = testkit::who(&admin);
        let today = xianfeng_core::text::today_cn();
        // Last year, a year wholly behind us whatever today is: every month's
        // dues have fallen due (this January has not on New Year's Day).
        let year = today.year() - 1;
        let jan = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let model = serde_json::json!({ "indicators": [{ "source": "dues_on_time", "weight": 100, "target": 1.0 }], "tail_percent": 20, "tail_below": 0.0 });
        xianfeng_store::rules::add_version(&store, &admin, &who, "ranking", jan, &model, "").await.unwrap();
        salaried_5000(&store, &p, &format!("{year}-01")).await;
        dues::open_cycle(&store, &ms, &who, jan).await.unwrap();
        for b in [&p.branch_a1, &p.branch_a2] {
            for m in p.members_under(b) {
                let pay = PaymentInput {
                    amount: "50.00".into(),
                    paid_on: (jan + chrono::Days::new(2)).min(today).to_string(),
                    method: "cash".into(),
                    ..Default::default()
                };
                let _ = dues::record_payment(&store, &ms.writer().unwrap(), &who, m.id(), jan, &pay).await;
            }
        }
        // b1 paid nothing: it is the tail (20 % of 3 branches rounds up to one).
        let sec_b1 = p.branch_secretary(&p.branch_b1);
        let b1 = testkit::org_scope(&sec_b1).unwrap();
        let b1_who = testkit::who(&sec_b1);
        let deadline = Some(today + chrono::Days::new(30));
        let plan = |org: i64| PlanInput {
            org_id: org,
            year,
            problems: "党费未按月交纳".into(),
            measures: "逐人提醒，按月收缴".into(),
            owner: "支部书记".into(),
            deadline,
        };
        let a1 = testkit::org_scope(&p.branch_secretary(&p.branch_a1)).unwrap();
        let r = rect::open(
            &store,
            &a1.writer().unwrap(),
            &testkit::who(&p.branch_secretary(&p.branch_a1)),
            &plan(p.branch_a1.id),
        )
        .await;
        assert!(matches!(r, Err(StoreError::Rule(ref m)) if m.contains("不在末位")), "{backend}: {r:?}");
        let bad = PlanInput { measures: String::new(), ..plan(p.branch_b1.id) };
        assert!(
            matches!(rect::open(&store, &b1.writer().unwrap(), &b1_who, &bad).await, Err(StoreError::Invalid(_))),
            "{backend}"
        );
        let r = rect::open(&store, &b1.writer().unwrap(), &b1_who, &plan(p.branch_b1.id)).await.unwrap();
        assert_eq!((r.state.as_str(), r.rank_at_flag), ("open", 3), "{backend}");
        assert!(
            rect::open(&store, &b1.writer().unwrap(), &b1_who, &plan(p.branch_b1.id)).await.is_err(),
            "{backend}: one plan a year"
        );
        let stale = rect::step(
            &store,
            &b1.writer().unwrap(),
            None,
            &b1_who,
            r.id,
            Step::Progress,
            "已逐人谈话提醒",
            Some(r.version + 1),
        )
        .await;
        assert!(matches!(stale, Err(StoreError::Stale)), "{backend}: a step on another version: {stale:?}");
        rect::step(
            &store,
            &b1.writer().unwrap(),
            None,
            &b1_who,
            r.id,
            Step::Progress,
            "已逐人谈话提醒",
            Some(r.version),
        )
        .await
        .unwrap();
        // The branch cannot verify itself; its unit can.
        let d = rect::step(&store, &b1.writer().unwrap(), None, &b1_who, r.id, Step::Submit, "已全部补缴", None)
            .await
            .unwrap();
        assert_eq!(d.r.state.as_str(), "submitted", "{backend}");
        let e = rect::step(
            &store,
            &b1.writer().unwrap(),
            sec_b1.higher_committee().as_ref(),
            &b1_who,
            r.id,
            Step::Lift,
            "同意",
            None,
        )
        .await;
        assert!(matches!(e, Err(StoreError::Rule(ref m)) if m.contains("上级单位")), "{backend}");
        let ua = p.unit_admin(&p.unit_a);
        let ua_os = testkit::org_scope(&ua).unwrap();
        assert!(
            matches!(rect::get(&store, &ua_os, ua.higher_committee().as_ref(), r.id).await, Err(StoreError::NotFound)),
            "{backend}"
        );
        let ub = p.unit_admin(&p.unit_b);
        let ub_os = testkit::org_scope(&ub).unwrap();
        let d = rect::step(
            &store,
            &ub_os.writer().unwrap(),
            ub.higher_committee().as_ref(),
            &testkit::who(&ub),
            r.id,
            Step::Return,
            "补缴凭证不全",
            None,
        )
        .await
        .unwrap();
        assert_eq!(d.r.state.as_str(), "open", "{backend}");
        rect::step(&store, &b1.writer().unwrap(), None, &b1_who, r.id, Step::Submit, "已补齐凭证", None).await.unwrap();
        let d = rect::step(
            &store,
            &ub_os.writer().unwrap(),
            ub.higher_committee().as_ref(),
            &testkit::who(&ub),
            r.id,
            Step::Lift,
            "验收合格",
            None,
        )
        .await
        .unwrap();
        assert_eq!((d.r.state.as_str(), d.r.lifted_on), ("lifted", Some(today)), "{backend}");
        assert_eq!(d.entries.len(), 6, "{backend}: plan, progress, submit, return, submit, lift");
        assert!(
            rect::step(&store, &b1.writer().unwrap(), None, &b1_who, r.id, Step::Progress, "x", None).await.is_err(),
            "{backend}: lifted is final"
        );
    }
}

#[tokio::test]
async fn the_places_of_a_year_gone_by_are_kept_until_its_records_or_rules_change() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let who = testkit::who(&admin);
        let today = xianfeng_core::text::today_cn();
        let year = today.year() - 2;
        let march = NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
        salaried_5000(&store, &p, &format!("{}-01", year)).await;
        dues::open_cycle(&store, &ms, &who, march).await.unwrap();
        let pay = PaymentInput {
            amount: "50.00".into(),
            paid_on: (march + chrono::Days::new(5)).to_string(),
            method: "cash".into(),
            ..Default::default()
        };
        for m in p.members_under(&p.branch_b1) {
            let _ = dues::record_payment(&store, &ms.writer().unwrap(), &who, m.id(), march, &pay).await;
        }
        let root = xianfeng_store::org::root(store.db.r()).await.unwrap().unwrap();
        let fresh = |rows: Vec<rank::RankRow>| {
            rows.into_iter().map(|r| (r.org_id, (r.score * 100.0).round() as i64, r.rank, r.tail)).collect::<Vec<_>>()
        };
        let seen = |rows: &[rank::Placing]| {
            let mut v: Vec<_> = rows.iter().map(|r| (r.org_id, r.score_x100, r.rank(), r.tail)).collect();
            v.sort_by_key(|r| (r.2, r.0));
            v
        };
        let kept_rows = |y: i32| {
            let store = store.clone();
            async move {
                store
                    .db
                    .r()
                    .fetch_scalar_i64(xianfeng_store::q!(
                        "SELECT COUNT(*) AS v FROM ranking_placings WHERE year = $1",
                        i64::from(y)
                    ))
                    .await
                    .unwrap()
            }
        };

        // Computed the first time, and kept: what is kept is what a computation gives.
        let first = rank::placings(&store, &root, year).await.unwrap();
        let mut computed = fresh(rank::compute(&store, &root, year).await.unwrap().1);
        computed.sort_by_key(|r| (r.2, r.0));
        assert_eq!(seen(&first), computed, "{backend}");
        assert!(first.iter().any(|r| r.score_x100 > 0), "{backend}: b1 paid, so scores are not all zero");
        assert_eq!(kept_rows(year).await, first.len() as i64, "{backend}");

        // Read back from the database, not recomputed: a kept row altered
        // behind its back shows (the memory cache forgotten, as after a restart).
        let tamper = |y: i32| {
            let store = store.clone();
            async move {
                store
                    .db
                    .run_script(&format!("UPDATE ranking_placings SET score_x100 = 4242 WHERE year = {y}"))
                    .await
                    .unwrap();
            }
        };
        tamper(year).await;
        rank::clear_cache(&store);
        let again = rank::placings(&store, &root, year).await.unwrap();
        assert!(again.iter().all(|r| r.score_x100 == 4242), "{backend}: read from the kept rows");

        // A record of that year changes: the year is computed again.
        for m in p.members_under(&p.branch_a2) {
            let _ = dues::record_payment(&store, &ms.writer().unwrap(), &who, m.id(), march, &pay).await;
        }
        let after_write = rank::placings(&store, &root, year).await.unwrap();
        let mut computed = fresh(rank::compute(&store, &root, year).await.unwrap().1);
        computed.sort_by_key(|r| (r.2, r.0));
        assert_eq!(seen(&after_write), computed, "{backend}: recomputed after a payment of that year");
        assert_ne!(seen(&after_write), seen(&first), "{backend}: a2's payments moved it");

        // The rule in force changes: computed again too.
        tamper(year).await;
        let model = serde_json::json!({
            "indicators": [{ "source": "dues_on_time", "weight": 100, "target": 1.0 }],
            "tail_percent": 5,
            "tail_below": 60.0
        });
        xianfeng_store::rules::add_version(&store, &admin, &who, "ranking", march, &model, "").await.unwrap();
        let after_rule = rank::placings(&store, &root, year).await.unwrap();
        assert!(after_rule.iter().all(|r| r.score_x100 != 4242), "{backend}: recomputed under the new rule");

        // The history on a branch's page reads the same places.
        let os = testkit::org_scope(&admin).unwrap();
        let e = rank::explain(&store, &os, p.branch_b1.id, year + 2).await.unwrap();
        let b1 = after_rule.iter().find(|r| r.org_id == p.branch_b1.id).unwrap();
        assert!(e.history.contains(&(year, b1.score(), b1.rank(), b1.tail)), "{backend}: {:?}", e.history);

        // The year still running is never kept.
        rank::placings(&store, &root, today.year()).await.unwrap();
        assert_eq!(kept_rows(today.year()).await, 0, "{backend}");
    }
}
