//! Migrations and versioned rules.

use chrono::{Days, NaiveDate};
use xianfeng_core::auth::{RevealPolicy, Role};
use xianfeng_core::rules::{OrgRules, SecurityPolicy, national_defaults};
use xianfeng_core::text::today_cn;
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{Keys, Store, StoreError, migrate, org, q, rules};

use crate::invalid_on;

#[tokio::test]
async fn migrations_apply_once_and_reopening_changes_nothing() {
    for (backend, url) in testkit::all_urls().await {
        let first = Store::open(&url, Keys::for_tests()).await.unwrap();
        assert_eq!(migrate::migrate(&first.db).await.unwrap(), Vec::<i64>::new(), "{backend}: nothing left to apply");
        first.db.close().await;

        // A restart opens the same database: migrations and seeding must be no-ops.
        let store = Store::open(&url, Keys::for_tests()).await.unwrap();
        assert_eq!(migrate::migrate(&store.db).await.unwrap(), Vec::<i64>::new(), "{backend}");
        let applied = store.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM schema_migrations")).await.unwrap();
        assert_eq!(applied, migrate::MIGRATIONS.len() as i64, "{backend}: each migration recorded once");
        let rule_rows = store.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM rules")).await.unwrap();
        assert_eq!(rule_rows, national_defaults().len() as i64, "{backend}: defaults seeded once");
        // The schema works after the second open.
        let root = org::ensure_root(&store, "省直机关工委").await.unwrap();
        assert_eq!(root.path, format!("/{}/", root.id), "{backend}");
    }
}

#[tokio::test]
async fn rules_start_from_the_national_defaults() {
    for (backend, store) in testkit::all_stores().await {
        let set = rules::load(&store.db).await.unwrap();
        let mut keys: Vec<&str> = set.rows().iter().map(|r| r.key.as_str()).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["dues", "meeting_kinds", "org", "ranking", "recruitment", "reveal", "security", "transfer"],
            "{backend}"
        );
        for row in national_defaults() {
            let stored = set.rows().iter().find(|r| r.key == row.key).unwrap();
            assert_eq!(stored.effective_from, row.effective_from, "{backend}: {}", row.key);
            assert_eq!(stored.value, row.value, "{backend}: {}", row.key);
            assert!(!stored.source.is_empty(), "{backend}: {} names its source", row.key);
        }
        let org: OrgRules = store.rule().await.unwrap();
        assert_eq!(
            (org.branch_min_full_members, org.committee_threshold_full_members, org.branch_max_members),
            (3, 7, 50)
        );
        assert_eq!(org.branch_term_years, 3, "{backend}");
        let sec: SecurityPolicy = store.rule().await.unwrap();
        assert_eq!(
            (sec.password_min_length, sec.lock_after_failures, sec.lock_minutes, sec.idle_timeout_minutes),
            (8, 5, 15, 30)
        );
        let reveal: RevealPolicy = store.rule().await.unwrap();
        assert_eq!(reveal, RevealPolicy::default(), "{backend}");
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[tokio::test]
async fn a_new_rule_version_applies_from_its_date() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let who = testkit::who(&admin);

        // Stricter branch rule from 2025-07-01: 4 full members at least.
        let mut v = OrgRules { branch_min_full_members: 4, branch_max_members: 40, ..Default::default() };
        let value = serde_json::to_value(&v).unwrap();
        rules::add_version(&store, &admin, &who, "org", d(2025, 7, 1), &value, "工委〔2025〕1号").await.unwrap();
        let set = store.rules().await.unwrap();
        assert_eq!(
            set.get::<OrgRules>(d(2025, 6, 30)).branch_max_members,
            50,
            "{backend}: the old rule before the date"
        );
        assert_eq!(set.get::<OrgRules>(d(2025, 7, 1)).branch_max_members, 40, "{backend}: the new rule from the date");
        assert_eq!(store.rule::<OrgRules>().await.unwrap().branch_max_members, 40, "{backend}: in force today");
        // Branch A1 has 3 full members: fine under the old rule, flagged under the new one.
        let health = org::health(&store, &p.branch_a1).await.unwrap();
        let codes: Vec<&str> = health.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["too_few_full_members"], "{backend}");
        assert!(health.warnings[0].message.contains("少于4人"), "{backend}: {}", health.warnings[0].message);

        // A version that starts tomorrow does not change today's rule.
        let tomorrow = today_cn() + Days::new(1);
        v.branch_max_members = 30;
        rules::add_version(&store, &admin, &who, "org", tomorrow, &serde_json::to_value(&v).unwrap(), "")
            .await
            .unwrap();
        assert_eq!(store.rule::<OrgRules>().await.unwrap().branch_max_members, 40, "{backend}");
        assert_eq!(store.rules().await.unwrap().get::<OrgRules>(tomorrow).branch_max_members, 30, "{backend}");

        // Each change is audited with its date.
        let n = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                "SELECT COUNT(*) AS v FROM audit_log WHERE action = 'config_change' AND object_id = 'org'"
            ))
            .await
            .unwrap();
        assert_eq!(n, 2, "{backend}");

        // Security rules belong to the security administrator, business rules to the working committee;
        // anyone else is refused.
        let refused = |r: &Result<(), StoreError>| matches!(r, Err(StoreError::Forbidden | StoreError::NotFound));
        let sec = serde_json::to_value(SecurityPolicy::default()).unwrap();
        let r = rules::add_version(&store, &admin, &who, "security", d(2025, 1, 1), &sec, "").await;
        assert!(refused(&r), "{backend}: {r:?}");
        let security = p.security_admin();
        let r = rules::add_version(&store, &security, &testkit::who(&security), "org", d(2025, 1, 1), &value, "").await;
        assert!(refused(&r), "{backend}: {r:?}");
        let unit_admin = testkit::actor(Role::UnitAdmin, Some(&p.unit_a));
        let r =
            rules::add_version(&store, &unit_admin, &testkit::who(&unit_admin), "org", d(2025, 1, 1), &value, "").await;
        assert!(refused(&r), "{backend}: {r:?}");

        // Unreasonable values are refused with a reason.
        let bad = OrgRules { branch_term_years: 0, ..Default::default() };
        let r =
            rules::add_version(&store, &admin, &who, "org", d(2025, 1, 1), &serde_json::to_value(&bad).unwrap(), "")
                .await;
        assert!(invalid_on(r, "value").contains("任期"), "{backend}");
        let weak = SecurityPolicy { audit_retention_days: 30, ..Default::default() };
        let r = rules::add_version(
            &store,
            &security,
            &testkit::who(&security),
            "security",
            d(2025, 1, 1),
            &serde_json::to_value(&weak).unwrap(),
            "",
        )
        .await;
        assert!(invalid_on(r, "value").contains("184"), "{backend}");
    }
}
