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

/// Released migrations are frozen: once released a migration is never edited
/// (a database that applied it would no longer match the program). Their
/// checksums are written down here, so a change to a released file fails this
/// test before it reaches any database. A new migration is released by adding
/// its line; the failure message prints the line to add.
const RELEASED: &[(&str, &str)] = &[
    ("0001_org", "cdf757faf960dab50096b34b0116c951dc7bc81246e6388f04bf78ef32fbc753"),
    ("0002_member", "743fc4d8e1613740ae82de8a85bb4f5cf755a39396f46b0cb25ba4c3992be720"),
    ("0003_auth", "832c7bb2bcaf3afeba6cee38fc07f40f20cc4b6eb4cffdf733b633c71907c23e"),
    ("0004_audit", "2e9964e2df26d6a2d8e08e8441d77ed6a720f28865081e2cc5208e6de6db5ed4"),
    ("0005_rules", "5988404e4ac4b3180be7757eb1c2dc24942dc5a011dad60ff5c766ecf449d917"),
    ("0006_meeting", "e30b64d2d1c68e87cd3d6e6dfd4bced04a523bd40769ff99c353fe6b66e8c7e6"),
    ("0007_compliance", "666390f0057402844fb7895af2abd5d999c79eacad7f8640ffbecdda97641069"),
    ("0008_first_agenda", "c736f4234afe6a6110f968790ef6bba459162df1914e590c6f811ca37f85557a"),
    ("0009_dues", "599b06c386f9bcdc066ed59ee0c3c5ff9d02e5a0494822bcab6d3883e1861266"),
    ("0010_recruitment", "4ea934e98d30ffaafd5bcc142e3287e9f19f1ba0613cfe09c2af05110db597ad"),
    ("0011_transfer", "1dc036d78f9070249c0e5651d605b23e90b4e7a0ef8f3e331ef6f7fcfad60c72"),
    ("0012_ranking", "0b2bdc59fb1e6d766fac8e5221f5272c9844d5a824fed9f863cace273ea57aa6"),
    ("0013_campaign", "e9d7d3ede10a48824c81378ae6ecb08ef3b7b49abe0ad030eb5e8cbdd15b10fd"),
    ("0014_secretary_review", "41de31c56a893619ce4f72bd900894ebe1df22ad10b9b0ae024214d6fbc91885"),
    ("0015_discipline", "2f027ab70825f40e14da27b1a5ee33d517615688b021fdf5e45f2f9b3bc3d64f"),
    ("0016_attachment", "9d1ce9314d5b778e81f378ef3c7a1bd27b6d431ec6d560a803b425af5749befd"),
    ("0017_dues_tallies", "526ce1a59c70f3790de3a09ec9d029e98c8c43b9f695df28061090e96b1523d1"),
    ("0018_meeting_counts", "813c8c25d1722862b1df5b048094c2cc39e2b85834e4f27edf71b80e2b41d0fc"),
    ("0019_member_counts", "733b8711595cee54a307af9f2934d06f12a1fb83df36243942bff4e0aba00788"),
    ("0020_ranking_placings", "bcaba949c050878a02c168aa90f94d606fc15a5e62fdc82775a48f3b1aecdbab"),
    ("0021_dues_arrears", "23c662e000742f053a7e175736f8ba8f9d05f6eec2ec744dd2144aec9d509cd6"),
    ("0022_member_unit_counts", "a08c90482dc00fcc7999ee6d67284de7fd49a54d5c574ccdb35bdfa71aa4b544"),
];

#[test]
fn released_migrations_are_frozen() {
    let mut to_add = Vec::new();
    for (i, m) in migrate::MIGRATIONS.iter().enumerate() {
        assert_eq!(m.version, i as i64 + 1, "migration versions run 1, 2, 3… without gaps");
        match RELEASED.iter().find(|r| r.0 == m.label()) {
            Some((label, sum)) => assert_eq!(
                &m.checksum(),
                sum,
                "{label} was changed after its release: restore it and write the change as a new migration"
            ),
            None => to_add.push(format!("    (\"{}\", \"{}\"),", m.label(), m.checksum())),
        }
    }
    for (label, _) in RELEASED {
        assert!(
            migrate::MIGRATIONS.iter().any(|m| m.label() == *label),
            "{label} was released and must stay in the migration list"
        );
    }
    assert!(to_add.is_empty(), "new migrations to release (add to RELEASED):\n{}", to_add.join("\n"));
}

/// A database that applied a migration the program now has in a different
/// form, or one the program does not know, or a database made by the old
/// (pre-baseline) history: `migrate` — and so `serve`, which opens the store —
/// stops with a message that names the problem, and changes nothing.
#[tokio::test]
async fn a_changed_foreign_or_old_history_stops_migrate() {
    for (backend, url) in testkit::all_urls().await {
        let store = Store::open(&url, Keys::for_tests()).await.unwrap();
        let tables = |s: &Store| {
            let s = s.clone();
            async move { s.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM schema_migrations")).await.unwrap() }
        };
        let before = tables(&store).await;
        store.db.run_script("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 6").await.unwrap();
        let msg = match migrate::migrate(&store.db).await {
            Err(StoreError::Config(m)) => m,
            other => panic!("{backend}: {other:?}"),
        };
        assert!(msg.contains("0006_meeting") && msg.contains("校验和不符"), "{backend}: {msg}");
        assert!(Store::open(&url, Keys::for_tests()).await.is_err(), "{backend}: the server does not start");
        let sum = migrate::MIGRATIONS[5].checksum();
        store
            .db
            .run_script(&format!("UPDATE schema_migrations SET checksum = '{sum}' WHERE version = 6"))
            .await
            .unwrap();
        assert_eq!(migrate::migrate(&store.db).await.unwrap(), Vec::<i64>::new(), "{backend}: restored, it opens");

        store
            .db
            .run_script(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 0)",
            )
            .await
            .unwrap();
        let msg = match migrate::migrate(&store.db).await {
            Err(StoreError::Config(m)) => m,
            other => panic!("{backend}: {other:?}"),
        };
        assert!(msg.contains("0999_future") && msg.contains("更新的版本"), "{backend}: {msg}");
        store.db.run_script("DELETE FROM schema_migrations WHERE version = 999").await.unwrap();
        assert_eq!(tables(&store).await, before, "{backend}: nothing applied meanwhile");
    }
    // The old history recorded versions without checksums.
    for (backend, url) in testkit::all_urls().await {
        let db = xianfeng_store::Db::connect(&url).await.unwrap();
        db.run_script(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL); \
             INSERT INTO schema_migrations VALUES (1, 'foundation', 0)",
        )
        .await
        .unwrap();
        let msg = match migrate::migrate(&db).await {
            Err(StoreError::Config(m)) => m,
            other => panic!("{backend}: {other:?}"),
        };
        assert!(msg.contains("旧的迁移历史"), "{backend}: {msg}");
    }
}

/// A database made before the shared attachments table keeps its files: the
/// migration moves meeting attachments and recruitment materials, bytes and
/// all, into `attachments` under their typed owner, then drops the old tables.
#[tokio::test]
async fn files_of_the_old_tables_move_into_the_shared_attachments() {
    use xianfeng_store::db::Backend;
    for (backend, url) in testkit::all_urls().await {
        let db = xianfeng_store::Db::connect(&url).await.unwrap();
        db.run_script(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await
        .unwrap();
        // The database as the release before 0016 left it.
        for m in migrate::MIGRATIONS.iter().filter(|m| m.version < 16) {
            let specific = match db.backend() {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            db.run_script(&format!(
                "{}\n{}\nINSERT INTO schema_migrations VALUES ({}, '{}', '{}', 0);",
                m.common,
                specific,
                m.version,
                m.name,
                m.checksum()
            ))
            .await
            .unwrap();
        }
        let pdf = b"%PDF-1.7 minutes".to_vec();
        let png = b"\x89PNG\r\n\x1a\n photo".to_vec();
        let mut tx = db.begin().await.unwrap();
        tx.c()
            .execute(q!(
                "INSERT INTO meeting_attachments (committee_id, id, meeting_id, file_name, content_type, size, data, uploaded_by, uploaded_at) \
                 VALUES (7, 70, 700, '纪要.pdf', 'application/pdf', $1, $2, 'sec', 1)",
                pdf.len() as i64,
                pdf.clone()
            ))
            .await
            .unwrap();
        tx.c()
            .execute(q!(
                "INSERT INTO recruitment_documents (committee_id, id, case_id, step, file_name, content_type, size, data, uploaded_by, uploaded_at) \
                 VALUES (8, 80, 800, 3, '谈话记录.png', 'image/png', $1, $2, 'sec', 2)",
                png.len() as i64,
                png.clone()
            ))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // 0016 and every later migration apply; the later ones do not matter here.
        assert_eq!(migrate::migrate(&db).await.unwrap().first(), Some(&16), "{backend}");
        #[derive(sqlx::FromRow)]
        struct Moved {
            committee_id: i64,
            id: i64,
            owner_kind: String,
            owner_id: i64,
            slot: i64,
            file_name: String,
            data: Vec<u8>,
        }
        let rows: Vec<Moved> = db
            .r()
            .fetch_all(q!(
                "SELECT committee_id, id, owner_kind, owner_id, slot, file_name, data FROM attachments ORDER BY id"
            ))
            .await
            .unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.committee_id, r.id, r.owner_kind.as_str(), r.owner_id, r.slot, r.file_name.as_str()))
            .collect();
        assert_eq!(
            got,
            [(7, 70, "meeting", 700, 0, "纪要.pdf"), (8, 80, "recruitment_case", 800, 3, "谈话记录.png")],
            "{backend}"
        );
        assert_eq!((rows[0].data.clone(), rows[1].data.clone()), (pdf, png), "{backend}: the bytes moved intact");
        for owner in xianfeng_core::attachment::Owner::ALL {
            assert!(rows.iter().any(|r| r.owner_kind == owner.as_str()), "{backend}: {owner:?} is a stored code");
        }
        for old in ["meeting_attachments", "recruitment_documents"] {
            assert!(
                db.r().execute(q!(format!("SELECT COUNT(*) FROM {old}"))).await.is_err(),
                "{backend}: {old} is gone"
            );
        }
    }
}

/// A stored rule version that cannot be read is an error that names the rule
/// and its date — for the pages (after the cache's reload) and for a server
/// starting on the database — never silently the national default.
#[tokio::test]
async fn an_unreadable_stored_rule_is_an_error_not_the_default() {
    for (backend, url) in testkit::all_urls().await {
        let store = Store::open(&url, Keys::for_tests()).await.unwrap();
        store
            .db
            .run_script(
                "INSERT INTO rules (rule_key, effective_from, value, source, created_at, created_by) \
                 VALUES ('org', '2025-07-01', '{\"branch_min_full_members\": \"three\"}', 'hand edit', 0, 'x')",
            )
            .await
            .unwrap();
        let msg = match store.reload_rules().await {
            Err(StoreError::Rule(m)) => m,
            other => panic!("{backend}: {other:?}"),
        };
        assert!(msg.contains("2025-07-01") && msg.contains("无法读取"), "{backend}: {msg}");
        assert!(msg.contains(xianfeng_core::rules::label("org")), "{backend}: {msg}");
        assert!(matches!(store.rule::<OrgRules>().await, Err(StoreError::Rule(_))), "{backend}");
        assert!(Store::open(&url, Keys::for_tests()).await.is_err(), "{backend}: not started on a silent default");
        // Not JSON at all: the same.
        store.db.run_script("UPDATE rules SET value = 'not json' WHERE effective_from = '2025-07-01'").await.unwrap();
        assert!(matches!(store.reload_rules().await, Err(StoreError::Rule(_))), "{backend}");
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
