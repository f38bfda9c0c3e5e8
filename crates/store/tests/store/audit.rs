//! The audit log: every write appends, the chain verifies, tampering shows.

use xianfeng_core::auth::operator;
use xianfeng_core::member::MemberStatus;
use xianfeng_core::text::today_cn;
use xianfeng_store::audit::{self, AuditFilter};
use xianfeng_store::member::{self, Protected};
use xianfeng_store::org;
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{Backend, Store, q};

use crate::{audit_rows, exec};

#[tokio::test]
async fn every_write_appends_and_the_chain_verifies() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        // The fixture's writes: root, 10 orgs, 7 members.
        assert_eq!(audit_rows(&store).await, 18, "{backend}");
        let admin = p.committee_admin();
        let (os, ms, who) =
            (admin.org_scope().unwrap(), testkit::member_scope(&store, &admin).await.unwrap(), testkit::who(&admin));
        let li = p.member("李娜").id();

        let mut expect = audit_rows(&store).await;
        let mut step = async |what: &str, store: &Store| {
            expect += 1;
            assert_eq!(audit_rows(store).await, expect, "{backend}: {what} appends one row");
        };
        let b = org::create(
            &store,
            &os.writer().unwrap(),
            &who,
            p.committee_a.id,
            &testkit::org_input("新支部", "branch", None),
        )
        .await
        .unwrap();
        step("org create", &store).await;
        org::update(&store, &os.writer().unwrap(), &who, b.id, &testkit::org_input("新建党支部", "branch", None))
            .await
            .unwrap();
        step("org rename", &store).await;
        let m = member::get(&store, &ms, li).await.unwrap();
        let mut input = m.to_input();
        input.position = "处长".into();
        member::update(&store, &ms.writer().unwrap(), &who, li, &input, m.version).await.unwrap();
        step("member update", &store).await;
        member::change_status(
            &store,
            &ms.writer().unwrap(),
            &who,
            p.member("王芳").id(),
            MemberStatus::Full,
            today_cn(),
            "转正",
            None,
        )
        .await
        .unwrap();
        step("status change", &store).await;
        member::reveal(&store, &ms, &who, li, Protected::IdCard).await.unwrap();
        step("reveal", &store).await;
        org::set_post(&store, &os.writer().unwrap(), &who, p.branch_a1.id, li, "secretary", None).await.unwrap();
        step("post", &store).await;
        org::dissolve(&store, &os.writer().unwrap(), &who, b.id, today_cn(), "合并").await.unwrap();
        step("dissolve", &store).await;
        // A refused write appends nothing.
        let _ =
            org::create(&store, &os.writer().unwrap(), &who, p.group_a1.id, &testkit::org_input("x", "branch", None))
                .await
                .unwrap_err();
        assert_eq!(audit_rows(&store).await, expect, "{backend}");

        let report = audit::verify(&store, operator::audit_reader()).await.unwrap();
        assert!(report.ok, "{backend}: {:?}", report.breaks);
        assert_eq!((report.checked as i64, report.head_seq), (expect, expect), "{backend}");

        // The log reads back newest first, with who did what.
        let f = AuditFilter { action: "status_change".into(), ..Default::default() };
        let page = audit::list(&store, operator::audit_reader(), &f, 1, 10).await.unwrap();
        assert_eq!(page.total, 1, "{backend}");
        let row = &page.items[0];
        assert_eq!(
            (row.username.as_str(), row.role.as_str(), row.object_id.clone()),
            (admin.username.as_str(), "committee_admin", p.member("王芳").id().to_string())
        );
        let all = audit::list(&store, operator::audit_reader(), &AuditFilter::default(), 1, 5).await.unwrap();
        assert_eq!(all.total, expect, "{backend}");
        assert!(all.items.windows(2).all(|w| w[0].seq > w[1].seq), "{backend}");
        assert!(all.items.windows(2).all(|w| w[0].prev_mac == w[1].mac), "{backend}: each row links to the one before");
    }
}

/// Removes the append-only guard, as someone with direct database access could.
async fn drop_guard(store: &Store) {
    match store.backend() {
        Backend::Sqlite => {
            exec(store, "DROP TRIGGER audit_log_no_update").await.unwrap();
            exec(store, "DROP TRIGGER audit_log_keep_young").await.unwrap();
        }
        Backend::Postgres => {
            exec(store, "DROP TRIGGER audit_log_guard_rows ON audit_log").await.unwrap();
        }
    }
}

#[tokio::test]
async fn an_edited_row_breaks_the_chain() {
    for (backend, store) in testkit::all_stores().await {
        Province::build(&store).await.unwrap();
        assert!(audit::verify(&store, operator::audit_reader()).await.unwrap().ok, "{backend}");
        drop_guard(&store).await;
        assert_eq!(
            exec(&store, "UPDATE audit_log SET detail = '无事发生' WHERE seq = 5").await.unwrap(),
            1,
            "{backend}"
        );
        let report = audit::verify(&store, operator::audit_reader()).await.unwrap();
        assert!(!report.ok, "{backend}");
        assert_eq!(report.breaks.len(), 1, "{backend}: {:?}", report.breaks);
        assert_eq!(report.breaks[0].seq, 5, "{backend}");
        assert!(report.breaks[0].reason.contains("被修改"), "{backend}: {}", report.breaks[0].reason);
    }
}

#[tokio::test]
async fn a_deleted_row_breaks_the_chain() {
    for (backend, store) in testkit::all_stores().await {
        Province::build(&store).await.unwrap();
        drop_guard(&store).await;
        assert_eq!(exec(&store, "DELETE FROM audit_log WHERE seq = 7").await.unwrap(), 1, "{backend}");
        let report = audit::verify(&store, operator::audit_reader()).await.unwrap();
        assert!(!report.ok, "{backend}");
        assert!(
            report.breaks.iter().all(|b| b.seq == 8),
            "{backend}: the break shows right after the gap: {:?}",
            report.breaks
        );
        assert!(report.breaks.iter().any(|b| b.reason.contains("不连续")), "{backend}: {:?}", report.breaks);

        // Cutting rows off the end shows too.
        exec(&store, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").await.unwrap();
        let report = audit::verify(&store, operator::audit_reader()).await.unwrap();
        assert!(report.breaks.iter().any(|b| b.reason.contains("末尾")), "{backend}: {:?}", report.breaks);
    }
}

#[tokio::test]
async fn young_rows_cannot_be_changed_or_deleted() {
    for (backend, store) in testkit::all_stores().await {
        Province::build(&store).await.unwrap();
        let n = audit_rows(&store).await;
        let e = exec(&store, "UPDATE audit_log SET detail = 'x' WHERE seq = 3").await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{backend}: {e}");
        let e = exec(&store, "DELETE FROM audit_log WHERE seq = 3").await.unwrap_err();
        assert!(e.to_string().contains("184 days"), "{backend}: {e}");
        let e = exec(&store, "DELETE FROM audit_log").await.unwrap_err();
        assert!(e.to_string().contains("184 days"), "{backend}: {e}");
        if store.backend() == Backend::Postgres {
            let e = exec(&store, "TRUNCATE audit_log").await.unwrap_err();
            assert!(e.to_string().contains("append-only"), "{backend}: {e}");
        }
        assert_eq!(audit_rows(&store).await, n, "{backend}");
        assert!(audit::verify(&store, operator::audit_reader()).await.unwrap().ok, "{backend}");

        // Rows past the retention period (184 days) may be deleted.
        // Ages as the database's own clock sees them: its trigger reads the
        // real time, which a moved platform clock (XIANFENG_TODAY) does not move.
        let db_now = chrono::Utc::now().timestamp_millis();
        let old = db_now - 200 * 86_400_000;
        exec(
            &store,
            &format!(
                "INSERT INTO audit_log (seq, ts_ms, user_id, username, role, ip, action, object_type, object_id, outcome, detail, prev_mac, mac) \
                 VALUES (1000000, {old}, NULL, 'old', '', '', 'login', 'user', '', 'success', '', '', '')"
            ),
        )
        .await
        .unwrap();
        assert_eq!(exec(&store, "DELETE FROM audit_log WHERE seq = 1000000").await.unwrap(), 1, "{backend}");
        let young = db_now - 150 * 86_400_000;
        exec(
            &store,
            &format!(
                "INSERT INTO audit_log (seq, ts_ms, user_id, username, role, ip, action, object_type, object_id, outcome, detail, prev_mac, mac) \
                 VALUES (1000001, {young}, NULL, 'old', '', '', 'login', 'user', '', 'success', '', '', '')"
            ),
        )
        .await
        .unwrap();
        assert!(
            exec(&store, "DELETE FROM audit_log WHERE seq = 1000001").await.is_err(),
            "{backend}: 150 days is too young"
        );
    }
}

/// The chain's head is witnessed outside the database: cutting the newest
/// rows and rewinding the head inside the database — consistent for the chain
/// alone — no longer matches the witness, and neither does a rewritten
/// witnessed row or a forged witness line.
#[tokio::test]
async fn a_witness_outside_the_database_catches_a_cut_and_a_rewind() {
    for (backend, mut store) in testkit::all_stores().await {
        let dir = testkit::temp_dir("witness");
        store.witness = Some(std::sync::Arc::new(dir.path().to_path_buf()));
        let who = xianfeng_store::Who::operator("test");
        for i in 0..5 {
            store.audit(&who, audit::Event::ok("config_change", "rule", i)).await.unwrap();
        }
        let first = audit::checkpoint(&store).await.unwrap().expect("a checkpoint");
        assert!(audit::checkpoint(&store).await.unwrap().is_none(), "{backend}: nothing new, no new line");
        for i in 0..5 {
            store.audit(&who, audit::Event::ok("config_change", "rule", i)).await.unwrap();
        }
        let second = audit::checkpoint(&store).await.unwrap().expect("a checkpoint");
        assert_eq!(second.seq, first.seq + 5, "{backend}");
        assert!(audit::verify(&store, operator::audit_reader()).await.unwrap().ok, "{backend}");

        // As the database's owner: drop the guard, cut the newest three rows, rewind the head.
        match store.backend() {
            Backend::Sqlite => {
                exec(&store, "DROP TRIGGER audit_log_keep_young").await.unwrap();
            }
            Backend::Postgres => {
                exec(&store, "ALTER TABLE audit_log DISABLE TRIGGER USER").await.unwrap();
            }
        }
        let keep = second.seq - 3;
        exec(&store, &format!("DELETE FROM audit_log WHERE seq > {keep}")).await.unwrap();
        let mac: String =
            store.db.r().fetch_one::<(String,)>(q!("SELECT mac FROM audit_log WHERE seq = $1", keep)).await.unwrap().0;
        exec(&store, &format!("UPDATE audit_head SET seq = {keep}, mac = '{mac}' WHERE id = 1")).await.unwrap();
        let mut without = store.clone();
        without.witness = None;
        assert!(
            audit::verify(&without, operator::audit_reader()).await.unwrap().ok,
            "{backend}: the chain alone cannot tell"
        );
        let r = audit::verify(&store, operator::audit_reader()).await.unwrap();
        assert!(!r.ok, "{backend}");
        assert!(r.breaks.iter().any(|b| b.reason.contains("截断")), "{backend}: {:?}", r.breaks);

        // A forged witness line (signed with another key) is itself a break.
        let file = audit::witness_file(dir.path());
        let forged = xianfeng_core::audit::Checkpoint::new(b"not the key", 1, "x", 0);
        let mut text = std::fs::read_to_string(&file).unwrap();
        text.push_str(&serde_json::to_string(&forged).unwrap());
        text.push('\n');
        std::fs::write(&file, text).unwrap();
        let r = audit::verify(&store, operator::audit_reader()).await.unwrap();
        assert!(r.breaks.iter().any(|b| b.reason.contains("签名无效")), "{backend}: {:?}", r.breaks);
    }
}
