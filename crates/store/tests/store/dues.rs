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

/// Records a payment by WeChat of [amount, paid on, reason] for a member's month.
async fn pay(
    store: &xianfeng_store::Store,
    scope: &xianfeng_core::auth::MemberScope,
    who: &xianfeng_store::Who,
    member: i64,
    month: chrono::NaiveDate,
    [amount, on, reason]: [&str; 3],
) -> xianfeng_store::Result<dues::ChargeRow> {
    let input = dues::PaymentInput {
        amount: amount.into(),
        paid_on: on.into(),
        method: "wechat".into(),
        reason: reason.into(),
    };
    dues::record_payment(store, &scope.writer().map_err(|_| StoreError::Forbidden)?, who, member, month, &input).await
}

#[tokio::test]
async fn settings_are_versioned_by_month_and_the_roster_computes_each_due() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = p.branch_secretary(&p.branch_a1);
        let scope = testkit::member_scope(&store, &sec).await.unwrap();
        let who = testkit::who(&sec);
        let zhang = p.member("张伟").id();
        dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input("salaried", "8,000.00", "2025-01"))
            .await
            .unwrap();
        dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input("salaried", "3000.01", "2025-07"))
            .await
            .unwrap();
        let li = p.member("李娜").id();
        dues::set_base(&store, &scope.writer().unwrap(), &who, li, &input("retired", "5000", "2025-01")).await.unwrap();
        let wang = p.member("王芳").id();
        let farmer = BaseInput {
            member_type: "farmer".into(),
            fixed: "0.50".into(),
            effective_month: "2025-01".into(),
            ..Default::default()
        };
        dues::set_base(&store, &scope.writer().unwrap(), &who, wang, &farmer).await.unwrap();

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
        assert_eq!(before.items.len(), 4, "{backend}");
        // Only those without a setting, and a page at a time in the roster's order.
        let missing = dues::roster(&store, &scope, None, m(2025, 6), true, 1, 50).await.unwrap();
        let ids: Vec<i64> = missing.items.iter().map(|l| l.member_id).collect();
        assert_eq!((missing.total, ids.len()), (1, 1), "{backend}");
        assert!(missing.items.iter().all(|l| l.member_type.is_none()), "{backend}");
        let second = dues::roster(&store, &scope, None, m(2025, 6), false, 2, 2).await.unwrap();
        let page2: Vec<i64> = second.items.iter().map(|l| l.member_id).collect();
        let all: Vec<i64> = r.items.iter().map(|l| l.member_id).collect();
        assert_eq!(page2, all[2..4].to_vec(), "{backend}: page 2 of 2");
        assert_eq!(
            (second.total, second.total_due),
            (4, r.total_due),
            "{backend}: totals over the roster, not the page"
        );
        assert_eq!(dues::bases_of(&store, &scope, zhang).await.unwrap().len(), 2, "{backend}");

        // Bad input names the field and writes nothing.
        let r =
            dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input("salaried", "八千", "2025-08")).await;
        assert!(invalid_on(r, "base").contains("税后月工资"), "{backend}");
        let r =
            dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input("salaried", "1.234", "2025-08")).await;
        invalid_on(r, "base");
        let r = dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input("nobody", "1", "2025-08")).await;
        invalid_on(r, "member_type");
        let r =
            dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input("salaried", "1", "2025年8月")).await;
        invalid_on(r, "effective_month");
        let bad_farmer = BaseInput { fixed: "2.00".into(), ..farmer.clone() };
        assert!(
            invalid_on(dues::set_base(&store, &scope.writer().unwrap(), &who, wang, &bad_farmer).await, "fixed")
                .contains("¥1.00"),
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
        let r = dues::set_base(
            &store,
            &ub_scope.writer().unwrap(),
            &testkit::who(&ub),
            zhang,
            &input("salaried", "1", "2025-08"),
        )
        .await;
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
        // A read-only scope cannot even hold the write capability.
        let r = match my.writer() {
            Ok(w) => dues::set_base(&store, &w, &testkit::who(&me), zhang, &input("salaried", "1", "2025-08")).await,
            Err(e) => Err(StoreError::from(e)),
        };
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
        dues::set_base(
            &store,
            &scope.writer().unwrap(),
            &testkit::who(&admin),
            zhang,
            &input("salaried", "8000", "2025-01"),
        )
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

#[tokio::test]
async fn a_monthly_cycle_is_opened_paid_settled_and_arrears_are_flagged() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let ua = p.unit_admin(&p.unit_a);
        let scope = testkit::member_scope(&store, &ua).await.unwrap();
        let who = testkit::who(&ua);
        let (zhang, li) = (p.member("张伟").id(), p.member("李娜").id());
        dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input("salaried", "8000", "2025-01"))
            .await
            .unwrap();
        dues::set_base(&store, &scope.writer().unwrap(), &who, li, &input("student", "", "2025-01")).await.unwrap();
        // Nothing to pay before the month is opened.
        let r = pay(&store, &scope, &who, zhang, m(2025, 1), ["120", "2025-01-10", ""]).await;
        assert!(matches!(r, Err(StoreError::Rule(ref s)) if s.contains("尚未开启")), "{backend}: {r:?}");
        for month in 1..=4 {
            let rep = dues::open_cycle(&store, &scope, &who, m(2025, month)).await.unwrap();
            assert_eq!(
                (rep.units_opened, rep.charges, rep.without_setting),
                (1, 2, 3),
                "{backend}: unit A only; 赵敏 王芳 刘洋 have no setting"
            );
            assert_eq!(rep.expected, Fen(12_000 + 20), "{backend}");
        }
        let again = dues::open_cycle(&store, &scope, &who, m(2025, 1)).await.unwrap();
        assert_eq!(
            (again.units_opened, again.units_already_open, again.charges),
            (0, 1, 0),
            "{backend}: opening twice is harmless"
        );

        // Payments: checked, recorded once.
        let r = pay(&store, &scope, &who, zhang, m(2025, 1), ["119.99", "2025-01-10", ""]).await;
        invalid_on(r, "amount");
        pay(&store, &scope, &who, zhang, m(2025, 1), ["120.00", "2025-01-10", ""]).await.unwrap();
        let r = pay(&store, &scope, &who, zhang, m(2025, 1), ["120.00", "2025-01-10", ""]).await;
        assert!(matches!(r, Err(StoreError::Rule(ref s)) if s.contains("已登记")), "{backend}");
        // A back payment more than six months later needs a reason.
        let r = pay(&store, &scope, &who, zhang, m(2025, 2), ["120", "2025-09-01", ""]).await;
        assert!(invalid_on(r, "reason").contains("补交"), "{backend}");
        pay(&store, &scope, &who, zhang, m(2025, 2), ["120", "2025-09-01", "援外归来补交"]).await.unwrap();

        let cycles = dues::cycles(&store, &scope, m(2025, 1)).await.unwrap();
        assert_eq!(cycles.len(), 1, "{backend}");
        assert_eq!(
            (cycles[0].expected_fen, cycles[0].paid_fen, cycles[0].paid_members),
            (12_020, 12_000, 1),
            "{backend}"
        );
        assert_eq!(dues::settle(&store, &scope, &who, m(2025, 1)).await.unwrap(), 1, "{backend}");
        assert_eq!(dues::cycles(&store, &scope, m(2025, 1)).await.unwrap()[0].status.as_str(), "settled", "{backend}");

        // Arrears: 李娜 unpaid Jan–Apr (4 in a row: warned); 张伟 unpaid Mar–Apr.
        let a = dues::arrears(&store, &scope, None, false, 1, 500).await.unwrap().lines.items;
        let li_line = a.iter().find(|l| l.member_id == li).unwrap();
        assert_eq!(
            (li_line.unpaid.len(), li_line.consecutive, li_line.flag, li_line.owed),
            (4, 4, "warn", Fen(80)),
            "{backend}"
        );
        let z = a.iter().find(|l| l.member_id == zhang).unwrap();
        assert_eq!((z.consecutive, z.flag), (2, ""), "{backend}");
        assert_eq!(a[0].member_id, li, "{backend}: most months first");
        for month in 5..=6 {
            dues::open_cycle(&store, &scope, &who, m(2025, month)).await.unwrap();
        }
        let a = dues::arrears(&store, &scope, None, false, 1, 500).await.unwrap().lines.items;
        assert_eq!(a.iter().find(|l| l.member_id == li).unwrap().flag, "lapse", "{backend}: six months in a row");

        // Scope: unit B sees no cycles or charges of unit A and cannot record.
        let ub = p.unit_admin(&p.unit_b);
        let ubs = testkit::member_scope(&store, &ub).await.unwrap();
        assert!(dues::cycles(&store, &ubs, m(2025, 1)).await.unwrap().is_empty(), "{backend}");
        assert!(
            dues::charges(&store, &ubs, m(2025, 1), &Default::default(), 1, 50).await.unwrap().items.is_empty(),
            "{backend}"
        );
        let r = pay(&store, &ubs, &testkit::who(&ub), li, m(2025, 3), ["0.2", "2025-03-05", ""]).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}");
        // A branch secretary records payments but does not open or settle the unit's month.
        let sec = p.branch_secretary(&p.branch_a1);
        let ss = testkit::member_scope(&store, &sec).await.unwrap();
        assert!(
            matches!(dues::open_cycle(&store, &ss, &testkit::who(&sec), m(2025, 8)).await, Err(StoreError::Forbidden)),
            "{backend}"
        );
        assert!(
            matches!(dues::settle(&store, &ss, &testkit::who(&sec), m(2025, 2)).await, Err(StoreError::Forbidden)),
            "{backend}"
        );
        // The committee admin opens a month for the whole province: both units.
        let gw = p.committee_admin();
        let gws = testkit::member_scope(&store, &gw).await.unwrap();
        let rep = dues::open_cycle(&store, &gws, &testkit::who(&gw), m(2025, 7)).await.unwrap();
        assert_eq!(rep.units_opened, 2, "{backend}");
    }
}

/// 更正: a registered payment is put right or taken back, with its reason,
/// audited with the old and the new; a correction made from a page that
/// showed another payment is refused, never applied over it.
#[tokio::test]
async fn a_payment_is_corrected_or_taken_back_with_its_reason() {
    use dues::{CorrectionAction, PaymentCorrection};
    use xianfeng_core::auth::operator;
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let ua = p.unit_admin(&p.unit_a);
        let scope = testkit::member_scope(&store, &ua).await.unwrap();
        let who = testkit::who(&ua);
        let zhang = p.member("张伟").id();
        dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input("salaried", "8000", "2025-01"))
            .await
            .unwrap();
        dues::open_cycle(&store, &scope, &who, m(2025, 3)).await.unwrap();
        let fix = |c: PaymentCorrection| {
            let (store, scope, who) = (store.clone(), scope.clone(), who.clone());
            async move { dues::correct_payment(&store, &scope.writer().unwrap(), &who, zhang, m(2025, 3), &c).await }
        };
        let amend = |amount: &str, on: &str, reason: &str, seen: (i64, &str)| PaymentCorrection {
            action: CorrectionAction::Amend,
            amount: amount.into(),
            paid_on: on.into(),
            method: "cash".into(),
            reason: reason.into(),
            seen_paid_fen: Some(seen.0),
            seen_paid_on: seen.1.into(),
        };
        // Nothing to correct before a payment is registered.
        let r = fix(amend("120", "2025-03-10", "录错", (12_000, "2025-03-10"))).await;
        assert!(matches!(r, Err(StoreError::Rule(ref s)) if s.contains("无需更正")), "{backend}: {r:?}");
        pay(&store, &scope, &who, zhang, m(2025, 3), ["200.00", "2025-03-10", ""]).await.unwrap();
        // A reason is required; the same values again are no correction.
        invalid_on(fix(amend("120", "2025-03-10", "", (20_000, "2025-03-10"))).await, "reason");
        let same = PaymentCorrection {
            method: "wechat".into(),
            ..amend("200", "2025-03-10", "核对", (20_000, "2025-03-10"))
        };
        invalid_on(fix(same).await, "amount");
        // The rules of a payment hold for its correction too.
        invalid_on(fix(amend("100", "2025-03-10", "录错", (20_000, "2025-03-10"))).await, "amount");
        // From a page that showed another payment: refused.
        let r = fix(amend("120", "2025-03-12", "录错", (12_000, "2025-03-10"))).await;
        assert!(matches!(r, Err(StoreError::Stale)), "{backend}: {r:?}");
        let c = fix(amend("120", "2025-03-12", "金额录错", (20_000, "2025-03-10"))).await.unwrap();
        assert_eq!(
            (c.paid_fen, c.paid_on, c.method.as_str()),
            (Some(12_000), NaiveDate::from_ymd_opt(2025, 3, 12), "cash"),
            "{backend}"
        );
        assert!(c.note.contains("金额录错"), "{backend}: the reason shows on the charge");
        // Taken back: unpaid again, and can be registered afresh.
        let void = PaymentCorrection {
            action: CorrectionAction::Void,
            reason: "登记错了人".into(),
            seen_paid_fen: Some(12_000),
            seen_paid_on: "2025-03-12".into(),
            ..Default::default()
        };
        let c = fix(void.clone()).await.unwrap();
        assert!(!c.paid() && c.paid_fen.is_none(), "{backend}");
        let r = fix(void).await;
        assert!(matches!(r, Err(StoreError::Rule(_))), "{backend}: nothing left to take back");
        pay(&store, &scope, &who, zhang, m(2025, 3), ["120.00", "2025-03-15", ""]).await.unwrap();
        // Audited with the old and the new and the reason (a business detail:
        // the audit administrator sees that it happened, not the amounts).
        let f = xianfeng_store::audit::AuditFilter { action: "correct_payment".into(), ..Default::default() };
        let rows = xianfeng_store::audit::list(&store, operator::audit_reader(), &f, 1, 10).await.unwrap();
        assert_eq!(rows.total, 2, "{backend}");
        let stored: Vec<(String,)> = store
            .db
            .r()
            .fetch_all(q!("SELECT detail FROM audit_log WHERE action = $1 ORDER BY seq", "correct_payment"))
            .await
            .unwrap();
        let details: Vec<&str> = stored.iter().map(|r| r.0.as_str()).collect();
        assert!(
            details.iter().any(|d| d.contains("¥200.00 2025-03-10")
                && d.contains("→ ¥120.00 2025-03-12")
                && d.contains("金额录错")),
            "{backend}: {details:?}"
        );
        assert!(details.iter().any(|d| d.contains("撤销") && d.contains("登记错了人")), "{backend}: {details:?}");
        // Another unit cannot reach it.
        let ub = p.unit_admin(&p.unit_b);
        let other = testkit::member_scope(&store, &ub).await.unwrap();
        let r = dues::correct_payment(
            &store,
            &other.writer().unwrap(),
            &testkit::who(&ub),
            zhang,
            m(2025, 3),
            &amend("130", "2025-03-15", "x", (12_000, "2025-03-15")),
        )
        .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}: {r:?}");
    }
}
