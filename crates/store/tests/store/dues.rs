//! Dues settings and the monthly roster, on both engines.

use chrono::NaiveDate;
use xianfeng_core::dues::{DuesRules, Fen};
use xianfeng_core::rules::Rule;
use xianfeng_store::dues::{self, BaseInput};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{StoreError, q};

use crate::invalid_on;

fn input(t: &str, base: &str, month: &str) -> BaseInput {
    BaseInput { member_type: t.into(), base: base.into(), effective_month: month.into(), ..Default::default() }
}

fn m(y: i32, mo: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, 1).unwrap()
}

#[tokio::test]
async fn settings_are_versioned_by_month_and_the_roster_computes_each_due() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = p.branch_secretary(&p.branch_a1);
        let scope = testkit::member_scope(&store, &sec).await.unwrap();
        let who = testkit::who(&sec);
        let zhang = p.member("张伟").id();
        dues::set_base(&store, &scope, &who, zhang, &input("salaried", "8,000.00", "2025-01")).await.unwrap();
        dues::set_base(&store, &scope, &who, zhang, &input("salaried", "3000.01", "2025-07")).await.unwrap();
        let li = p.member("李娜").id();
        dues::set_base(&store, &scope, &who, li, &input("retired", "5000", "2025-01")).await.unwrap();
        let wang = p.member("王芳").id();
        let farmer = BaseInput {
            member_type: "farmer".into(),
            fixed: "0.50".into(),
            effective_month: "2025-01".into(),
            ..Default::default()
        };
        dues::set_base(&store, &scope, &who, wang, &farmer).await.unwrap();

        let r = dues::roster(&store, &scope, None, m(2025, 6), false, 1, 50).await.unwrap();
        let due = |r: &dues::Roster, id: i64| r.items.iter().find(|l| l.member_id == id).unwrap().due;
        assert_eq!(r.members, 4, "{backend}: full and probationary members of the branch");
        assert_eq!(due(&r, zhang), Some(Fen(12_000)), "{backend}: 8000 × 1.5% in June");
        assert_eq!(due(&r, li), Some(Fen(2_500)), "{backend}: retired 5000 × 0.5%");
        assert_eq!(due(&r, wang), Some(Fen(50)), "{backend}");
        assert_eq!(r.without_setting, 1, "{backend}: 赵敏 has no setting");
        assert_eq!(r.total_due, Fen(12_000 + 2_500 + 50), "{backend}");
        let july = dues::roster(&store, &scope, None, m(2025, 7), false, 1, 50).await.unwrap();
        assert_eq!(due(&july, zhang), Some(Fen(3_000)), "{backend}: from July 3000.01 × 1% = 30.00");
        let before = dues::roster(&store, &scope, None, m(2024, 12), true, 1, 50).await.unwrap();
        assert_eq!((before.without_setting, before.total), (4, 4), "{backend}: nothing set before January");
        assert_eq!(dues::bases_of(&store, &scope, zhang).await.unwrap().len(), 2, "{backend}");

        // Bad input names the field and writes nothing.
        let r = dues::set_base(&store, &scope, &who, zhang, &input("salaried", "八千", "2025-08")).await;
        assert!(invalid_on(r, "base").contains("税后月工资"), "{backend}");
        let r = dues::set_base(&store, &scope, &who, zhang, &input("salaried", "1.234", "2025-08")).await;
        invalid_on(r, "base");
        let r = dues::set_base(&store, &scope, &who, zhang, &input("nobody", "1", "2025-08")).await;
        invalid_on(r, "member_type");
        let r = dues::set_base(&store, &scope, &who, zhang, &input("salaried", "1", "2025年8月")).await;
        invalid_on(r, "effective_month");
        let bad_farmer = BaseInput { fixed: "2.00".into(), ..farmer.clone() };
        assert!(
            invalid_on(dues::set_base(&store, &scope, &who, wang, &bad_farmer).await, "fixed").contains("¥1.00"),
            "{backend}"
        );
        assert_eq!(dues::bases_of(&store, &scope, zhang).await.unwrap().len(), 2, "{backend}: nothing written");
        let audits = store
            .db
            .r()
            .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM audit_log WHERE object_type = 'dues_base'"))
            .await
            .unwrap();
        assert_eq!(audits, 4, "{backend}: each setting audited");

        // Scope: another unit cannot see or set; a member reads only their own.
        let ub = p.unit_admin(&p.unit_b);
        let ub_scope = testkit::member_scope(&store, &ub).await.unwrap();
        let r = dues::set_base(&store, &ub_scope, &testkit::who(&ub), zhang, &input("salaried", "1", "2025-08")).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}");
        assert_eq!(
            dues::roster(&store, &ub_scope, None, m(2025, 6), false, 1, 50)
                .await
                .unwrap()
                .items
                .iter()
                .filter(|l| l.member_id == zhang)
                .count(),
            0,
            "{backend}"
        );
        let me = p.member_actor("张伟");
        let my = testkit::member_scope(&store, &me).await.unwrap();
        assert_eq!(dues::bases_of(&store, &my, zhang).await.unwrap().len(), 2, "{backend}");
        assert!(matches!(dues::bases_of(&store, &my, li).await, Err(StoreError::NotFound)), "{backend}");
        let r = dues::set_base(&store, &my, &testkit::who(&me), zhang, &input("salaried", "1", "2025-08")).await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{backend}");
    }
}

#[tokio::test]
async fn a_new_dues_rule_applies_from_its_month_only() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let scope = testkit::member_scope(&store, &admin).await.unwrap();
        let zhang = p.member("张伟").id();
        dues::set_base(&store, &scope, &testkit::who(&admin), zhang, &input("salaried", "8000", "2025-01"))
            .await
            .unwrap();
        let mut rules = DuesRules::default();
        rules.salaried[2].rate_bp = 160;
        let value = serde_json::to_value(&rules).unwrap();
        let r = xianfeng_store::rules::add_version(
            &store,
            &admin,
            &testkit::who(&admin),
            DuesRules::KEY,
            NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
            &value,
            "",
        )
        .await;
        assert!(invalid_on(r, "value").contains("1日"), "{backend}");
        xianfeng_store::rules::add_version(
            &store,
            &admin,
            &testkit::who(&admin),
            DuesRules::KEY,
            m(2026, 1),
            &value,
            "测试",
        )
        .await
        .unwrap();
        let due = |month| {
            let store = store.clone();
            let scope = scope.clone();
            async move {
                dues::roster(&store, &scope, Some(p_branch(&store).await), month, false, 1, 50)
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .find(|l| l.member_id == zhang)
                    .unwrap()
                    .due
            }
        };
        assert_eq!(due(m(2025, 12)).await, Some(Fen(12_000)), "{backend}");
        assert_eq!(due(m(2026, 1)).await, Some(Fen(12_800)), "{backend}: 8000 × 1.6% from January");
        let mut bad = DuesRules::default();
        bad.salaried[1].up_to = Some(Fen::yuan(1000));
        let r = xianfeng_store::rules::add_version(
            &store,
            &admin,
            &testkit::who(&admin),
            DuesRules::KEY,
            m(2026, 2),
            &serde_json::to_value(&bad).unwrap(),
            "",
        )
        .await;
        assert!(invalid_on(r, "value").contains("递增"), "{backend}");
    }
}

async fn p_branch(store: &xianfeng_store::Store) -> i64 {
    store.db.r().fetch_scalar_i64(q!("SELECT id AS v FROM orgs WHERE name = '办公室党支部'")).await.unwrap()
}
