//! Bulk import: all or nothing.

use chrono::{Days, NaiveDate};
use xianfeng_core::member::MemberStatus;
use xianfeng_store::member::{self, MemberFilter, RowError};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{StoreError, q};

use crate::audit_rows;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[tokio::test]
async fn one_bad_row_means_nothing_is_written() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (ms, who) = (testkit::member_scope(&store, &admin).await.unwrap(), testkit::who(&admin));
        let row = |n: usize, name: &str, seq: u32| {
            let mut m = testkit::member_input(name, 0, d(1991, 4, 1) + Days::new(seq as u64), seq, MemberStatus::Full);
            m.org_id = "办公室党支部".into();
            (n, m)
        };
        let mut rows = vec![
            row(2, "甲", 1),
            row(3, "乙", 2),
            row(4, "丙", 3),
            row(5, "丁", 4),
            row(6, "戊", 5),
            row(7, "己", 6),
            row(8, "庚", 7),
        ];
        // Row 4: wrong check character.
        let id = rows[2].1.id_card.clone();
        rows[2].1.id_card = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
        // Row 5: a branch that does not exist.
        rows[3].1.org_id = "不存在党支部".into();
        // Row 6: the same number as row 2.
        rows[4].1.id_card = rows[0].1.id_card.clone();
        rows[4].1.birth_date = rows[0].1.birth_date.clone();
        rows[4].1.gender = rows[0].1.gender.clone();
        // Row 7: a number already on file.
        let li = p.member("李娜");
        rows[5].1.id_card = li.id_card.clone();
        rows[5].1.birth_date = li.detail.birth_date.to_string();
        rows[5].1.gender = li.detail.gender.clone();
        // Row 8: a group that is not in the branch.
        rows[6].1.group_id = "第九党小组".into();

        let members_before =
            member::count(&store, &ms, &MemberFilter { status: "all".into(), ..Default::default() }).await.unwrap();
        let history_before =
            store.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM member_history")).await.unwrap();
        let audit_before = audit_rows(&store).await;
        let report = member::import(&store, &ms.writer().unwrap(), &who, rows, "党员名册.xlsx").await.unwrap();
        assert_eq!((report.rows, report.imported), (7, 0), "{backend}");
        let at = |row: usize| -> Vec<&RowError> { report.errors.iter().filter(|e| e.row == row).collect() };
        assert!(at(2).is_empty() && at(3).is_empty(), "{backend}: good rows carry no error: {:?}", report.errors);
        let e = at(4);
        assert_eq!((e.len(), e[0].column.as_str()), (1, "公民身份号码"), "{backend}: {e:?}");
        assert!(e[0].reason.contains("校验位"), "{backend}: {}", e[0].reason);
        let e = at(5);
        assert_eq!((e.len(), e[0].column.as_str()), (1, "所在党支部"), "{backend}: {e:?}");
        assert!(e[0].reason.contains("不存在党支部"), "{backend}: {}", e[0].reason);
        let e = at(6);
        assert_eq!(e[0].column, "公民身份号码", "{backend}");
        assert!(e[0].reason.contains("第2行"), "{backend}: {}", e[0].reason);
        let e = at(7);
        assert_eq!(e[0].column, "公民身份号码", "{backend}");
        assert!(e[0].reason.contains("已有党员档案"), "{backend}: {}", e[0].reason);
        let e = at(8);
        assert_eq!(e[0].column, "所在党小组", "{backend}");
        assert!(e[0].reason.contains("第九党小组"), "{backend}: {}", e[0].reason);
        assert!(report.errors.windows(2).all(|w| w[0].row <= w[1].row), "{backend}: errors in row order");

        let members_after =
            member::count(&store, &ms, &MemberFilter { status: "all".into(), ..Default::default() }).await.unwrap();
        assert_eq!(members_after, members_before, "{backend}: nothing written");
        let history_after =
            store.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM member_history")).await.unwrap();
        assert_eq!(history_after, history_before, "{backend}");
        // The refused attempt itself is on record.
        assert_eq!(audit_rows(&store).await, audit_before + 1, "{backend}");
        let outcome = store
            .db
            .r()
            .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM audit_log WHERE action = 'import' AND outcome = 'failure' AND object_id = '党员名册.xlsx'"))
            .await
            .unwrap();
        assert_eq!(outcome, 1, "{backend}");

        // Branches outside the caller's scope are "not found", like missing ones.
        let other = p.unit_admin(&p.unit_b);
        let oms = testkit::member_scope(&store, &other).await.unwrap();
        let report =
            member::import(&store, &oms.writer().unwrap(), &testkit::who(&other), vec![row(2, "甲", 1)], "b.xlsx")
                .await
                .unwrap();
        assert_eq!(report.imported, 0, "{backend}");
        assert!(report.errors[0].reason.contains("找不到党支部"), "{backend}: {:?}", report.errors);
        // A member cannot import at all.
        let me = p.member_actor("李娜");
        let mms = testkit::member_scope(&store, &me).await.unwrap();
        // A read-only scope cannot even hold the write capability.
        let r = match mms.writer() {
            Ok(w) => member::import(&store, &w, &testkit::who(&me), vec![row(2, "甲", 1)], "c.xlsx").await,
            Err(e) => Err(StoreError::from(e)),
        };
        assert!(matches!(r, Err(StoreError::Forbidden)), "{backend}: {r:?}");
    }
}

#[tokio::test]
async fn a_valid_batch_of_a_thousand_rows_is_written_whole() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let ua = p.unit_admin(&p.unit_a);
        let (ms, who) = (testkit::member_scope(&store, &ua).await.unwrap(), testkit::who(&ua));
        let rows: Vec<_> = (0..1000usize)
            .map(|i| {
                let birth = d(1960, 1, 1) + Days::new(i as u64 * 7);
                let status = if i % 10 == 0 { MemberStatus::Probationary } else { MemberStatus::Full };
                let mut m = testkit::member_input(&format!("导入党员{i:04}"), 0, birth, (i % 1000) as u32, status);
                if i % 2 == 0 {
                    // By name, with the group by name.
                    m.org_id = "办公室党支部".into();
                    m.group_id = "第一党小组".into();
                } else {
                    m.org_id = p.branch_a2.id.to_string();
                }
                (i + 2, m)
            })
            .collect();
        let audit_before = audit_rows(&store).await;
        let started = std::time::Instant::now();
        let report = member::import(&store, &ms.writer().unwrap(), &who, rows, "全体党员.xlsx").await.unwrap();
        let took = started.elapsed();
        assert!(report.errors.is_empty(), "{backend}: {:?}", &report.errors[..report.errors.len().min(5)]);
        assert_eq!((report.rows, report.imported), (1000, 1000), "{backend}");
        assert!(took.as_secs() < 20, "{backend}: importing 1,000 rows took {took:?}");

        let a1 = MemberFilter { org_id: Some(p.branch_a1.id), ..Default::default() };
        assert_eq!(member::count(&store, &ms, &a1).await.unwrap(), 4 + 500, "{backend}");
        let a2 = MemberFilter { org_id: Some(p.branch_a2.id), ..Default::default() };
        assert_eq!(member::count(&store, &ms, &a2).await.unwrap(), 1 + 500, "{backend}");
        let prob = MemberFilter { status: "probationary".into(), ..Default::default() };
        assert_eq!(member::count(&store, &ms, &prob).await.unwrap(), 1 + 100, "{backend}");
        crate::rollups::agrees(&store, &p, &format!("{backend}: after the import")).await;
        // Group assignment resolved by name within the right branch.
        let in_group = store
            .db
            .r()
            .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM members WHERE group_id = $1", p.group_a1.id))
            .await
            .unwrap();
        assert_eq!(in_group, 1 + 500, "{backend}");
        // Shard key and history for every row; one audit row for the batch.
        let wrong_shard = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                "SELECT COUNT(*) AS v FROM members WHERE name LIKE '导入党员%' AND committee_id <> $1",
                p.unit_a.id
            ))
            .await
            .unwrap();
        assert_eq!(wrong_shard, 0, "{backend}");
        // Provenance is written once: every imported member points at one batch row.
        let linked = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                "SELECT COUNT(*) AS v FROM members m JOIN import_batches b ON b.id = m.import_batch_id \
                 WHERE m.name LIKE '导入党员%' AND b.row_count = 1000 AND b.file_name = '全体党员.xlsx'"
            ))
            .await
            .unwrap();
        assert_eq!(linked, 1000, "{backend}");
        assert_eq!(audit_rows(&store).await, audit_before + 1, "{backend}");
        // Imported records read back like any other, and the other unit sees none of them.
        let page =
            member::list(&store, &ms, &MemberFilter { name: "导入党员0999".into(), ..Default::default() }, 1, 10)
                .await
                .unwrap();
        // The member's history starts with the import (file name as the reason).
        let h = member::history(&store, &ms, page.items[0].id).await.unwrap();
        assert_eq!(h.len(), 1, "{backend}: {h:?}");
        assert_eq!(h[0].change, "import", "{backend}");
        assert_eq!(h[0].reason, "全体党员.xlsx", "{backend}");
        assert!(h[0].describe().contains("批量导入建档"), "{backend}: {}", h[0].describe());
        assert_eq!(page.total, 1, "{backend}");
        let m = member::get(&store, &ms, page.items[0].id).await.unwrap();
        assert_eq!((m.org_id, m.status.as_str()), (p.branch_a2.id, "full"), "{backend}");
        let ub = p.unit_admin(&p.unit_b);
        let bms = testkit::member_scope(&store, &ub).await.unwrap();
        assert_eq!(member::count(&store, &bms, &MemberFilter::default()).await.unwrap(), 2, "{backend}");
        // Importing the same file again is refused whole: every number is already on file.
        let again: Vec<_> = (0..3usize)
            .map(|i| {
                let mut m = testkit::member_input(
                    "重复",
                    0,
                    d(1960, 1, 1) + Days::new(i as u64 * 7),
                    i as u32,
                    MemberStatus::Full,
                );
                m.org_id = p.branch_a2.id.to_string();
                (i + 2, m)
            })
            .collect();
        let report = member::import(&store, &ms.writer().unwrap(), &who, again, "again.xlsx").await.unwrap();
        assert_eq!((report.imported, report.errors.len()), (0, 3), "{backend}");
    }
}
