//! Transfers on both engines: between units every member-scoped row moves to
//! the new shard key and the member's own meetings and dues stay readable;
//! within a unit only the branch changes; out of and into the province; the
//! two sides approve in turn; dues must be paid; refusals and scope.

use chrono::{Datelike, NaiveDate};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::transfer::TransferState;
use xianfeng_store::dues::{self, BaseInput, PaymentInput};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::transfer::{self as tr, IncomingRequest, TransferFilter, TransferRequest};
use xianfeng_store::{StoreError, q};

fn rule_msg<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Rule(m)) => m,
        other => panic!("expected a rule refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn between_units_every_record_moves_and_stays_readable() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let ua = p.unit_admin(&p.unit_a);
        let ua_scope = testkit::member_scope(&store, &ua).await.unwrap();
        let ua_who = testkit::who(&ua);
        let sec = p.branch_secretary(&p.branch_a1);
        let sec_ms = testkit::member_scope(&store, &sec).await.unwrap();
        let sec_os = testkit::org_scope(&sec).unwrap();
        let sec_who = testkit::who(&sec);
        let zhang = p.member("张伟").id();
        let before = xianfeng_store::member::get(&store, &ua_scope, zhang).await.unwrap();
        let base = BaseInput {
            member_type: "salaried".into(),
            base: "8000".into(),
            effective_month: "2024-01".into(),
            ..Default::default()
        };
        dues::set_base(&store, &ua_scope.writer().unwrap(), &ua_who, zhang, &base).await.unwrap();
        let today = xianfeng_core::text::today_cn();
        let month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap();
        dues::open_cycle(&store, &ua_scope, &ua_who, month).await.unwrap();
        let plan = xianfeng_core::meeting::PlanInput {
            kind: "theme_day".into(),
            planned_on: today.to_string(),
            topic: "主题党日".into(),
            ..Default::default()
        };
        xianfeng_store::meeting::plan(&store, &sec_os.writer().unwrap(), &sec_who, p.branch_a1.id, &plan)
            .await
            .unwrap();

        let req = TransferRequest {
            member_id: zhang,
            to_org_id: Some(p.branch_b1.id),
            reason: "工作调动".into(),
            ..Default::default()
        };
        let t = tr::request(&store, &sec_ms.writer().unwrap(), &sec_who, &req).await.unwrap();
        assert_eq!((t.kind.as_str(), t.state.as_str()), ("between_units", "pending_out"), "{backend}");
        let again = tr::request(&store, &sec_ms.writer().unwrap(), &sec_who, &req).await;
        assert!(rule_msg(again).contains("已有办理中"), "{backend}");
        // Another branch of the sending unit does not see it; the receiving unit does, but may not approve yet.
        let a2 = testkit::org_scope(&p.branch_secretary(&p.branch_a2)).unwrap();
        assert!(matches!(tr::get(&store, &a2, t.id).await, Err(StoreError::NotFound)), "{backend}");
        let ub = p.unit_admin(&p.unit_b);
        let ub_os = testkit::org_scope(&ub).unwrap();
        let ub_who = testkit::who(&ub);
        let v = tr::get(&store, &ub_os, t.id).await.unwrap();
        assert!(v.receiving && !v.sending && !v.can_decide(), "{backend}");
        assert!(
            rule_msg(tr::approve(&store, &ub_os.writer().unwrap(), &ub_who, t.id, "", None).await).contains("另一方"),
            "{backend}"
        );

        // Dues must be paid before the letter is issued.
        let e = rule_msg(tr::approve(&store, &sec_os.writer().unwrap(), &sec_who, t.id, "", None).await);
        assert!(e.contains("1个月党费未缴") && e.contains(&month.format("%Y-%m").to_string()), "{backend}: {e}");
        let pay = PaymentInput {
            amount: "120.00".into(),
            paid_on: today.to_string(),
            method: "cash".into(),
            ..Default::default()
        };
        dues::record_payment(&store, &sec_ms.writer().unwrap(), &sec_who, zhang, month, &pay).await.unwrap();
        let v = tr::approve(&store, &sec_os.writer().unwrap(), &sec_who, t.id, "", None).await.unwrap();
        assert_eq!(v.t.state, TransferState::PendingIn, "{backend}");
        assert_eq!(v.t.dues_paid_through, Some(month), "{backend}: the paid-through month travels");
        assert!(v.t.letter_no.starts_with("省直机关转〔"), "{backend}");
        assert_eq!(v.t.valid_until, Some(today + chrono::Duration::days(90)), "{backend}");
        let mine = tr::list(&store, &ub_os, &TransferFilter { mine: true, ..Default::default() }, 1, 20).await.unwrap();
        assert_eq!((mine.items.len(), mine.total), (1, 1), "{backend}: waiting for unit B");
        // Unit A sees it as the sending side; by name, by org, and not under another branch.
        let ua_os = testkit::org_scope(&p.unit_admin(&p.unit_a)).unwrap();
        let by = |f: TransferFilter| {
            let (store, os) = (store.clone(), ua_os.clone());
            async move { tr::list(&store, &os, &f, 1, 20).await.unwrap().total }
        };
        assert_eq!(by(TransferFilter { name: "张".into(), ..Default::default() }).await, 1, "{backend}");
        assert_eq!(by(TransferFilter { name: "李".into(), ..Default::default() }).await, 0, "{backend}");
        assert_eq!(by(TransferFilter { org_id: Some(p.branch_a1.id), ..Default::default() }).await, 1, "{backend}");
        assert_eq!(by(TransferFilter { org_id: Some(p.branch_a2.id), ..Default::default() }).await, 0, "{backend}");
        let page = tr::list(&store, &ua_os, &TransferFilter { state: "all".into(), ..Default::default() }, 1, 1)
            .await
            .unwrap();
        assert_eq!((page.items.len(), page.total), (1, 1), "{backend}");
        let v = tr::approve(&store, &ub_os.writer().unwrap(), &ub_who, t.id, "", None).await.unwrap();
        assert_eq!(v.t.state, TransferState::Done, "{backend}");

        // The record now lives with unit B under its shard key, every field intact.
        let ub_ms = testkit::member_scope(&store, &ub).await.unwrap();
        let after = xianfeng_store::member::get(&store, &ub_ms, zhang).await.unwrap();
        assert_eq!(after.committee_id, p.unit_b.id, "{backend}");
        assert_eq!(after.org_id, p.branch_b1.id, "{backend}");
        assert_eq!(
            (
                &after.name,
                &after.id_card_masked,
                &after.phone_masked,
                after.birth_date,
                after.join_date,
                after.full_date,
                &after.status
            ),
            (
                &before.name,
                &before.id_card_masked,
                &before.phone_masked,
                before.birth_date,
                before.join_date,
                before.full_date,
                &before.status
            ),
            "{backend}"
        );
        assert!(
            matches!(xianfeng_store::member::get(&store, &ua_scope, zhang).await, Err(StoreError::NotFound)),
            "{backend}"
        );
        let left =
            store.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM members WHERE id = $1", zhang)).await.unwrap();
        assert_eq!(left, 1, "{backend}: one record, not a copy");
        for table in ["dues_bases", "member_history"] {
            let old = store
                .db
                .r()
                .fetch_scalar_i64(q!(
                    format!("SELECT COUNT(*) AS v FROM {table} WHERE committee_id = $1 AND member_id = $2"),
                    p.unit_a.id,
                    zhang
                ))
                .await
                .unwrap();
            assert_eq!(old, 0, "{backend}: {table} left nothing behind");
        }
        assert_eq!(dues::bases_of(&store, &ub_ms, zhang).await.unwrap().len(), 1, "{backend}: the dues setting moved");
        let hist = xianfeng_store::member::history(&store, &ub_ms, zhang).await.unwrap();
        assert!(hist.iter().any(|h| h.change == "transfer"), "{backend}");
        assert!(hist.iter().any(|h| h.change == "create"), "{backend}: the earlier history came along");
        // The member's own pages still show the dues paid to unit A and the meeting of branch A1.
        let me = testkit::member_actor(zhang, &p.branch_b1);
        let me_ms = testkit::member_scope(&store, &me).await.unwrap();
        let charges = dues::my_charges(&store, &me_ms, zhang, 1, 50).await.unwrap().charges.items;
        assert!(charges.iter().any(|c| c.month == month && c.paid_fen == Some(12_000)), "{backend}");
        let meetings =
            xianfeng_store::meeting::my_meetings(&store, &me.attendee().unwrap(), 1, 20).await.unwrap().items;
        assert_eq!(meetings.len(), 1, "{backend}");
        let history = tr::of_member(&store, &ub_ms, zhang).await.unwrap();
        assert_eq!(history.len(), 1, "{backend}");
        // A finished transfer cannot be decided again.
        assert!(
            rule_msg(tr::approve(&store, &ub_os.writer().unwrap(), &ub_who, t.id, "", None).await).contains("已完成"),
            "{backend}"
        );

        if backend == "sqlite" {
            // Every table with member rows is either moved or deliberately left with its unit.
            let tables: Vec<(String,)> = store
                .db
                .r()
                .fetch_all(q!("SELECT DISTINCT m.name FROM sqlite_master m, pragma_table_info(m.name) c \
                     WHERE m.type = 'table' AND c.name = 'member_id'"))
                .await
                .unwrap();
            for (t,) in tables {
                let handled = tr::MOVED.iter().any(|m| m.0 == t) || tr::STAYS.contains(&t.as_str());
                assert!(handled, "table {t} holds member rows: add it to transfer::MOVED or STAYS");
            }
            // And every column of a moved table is carried.
            for (table, cols, _) in tr::MOVED {
                let n = store
                    .db
                    .r()
                    .fetch_scalar_i64(q!(format!("SELECT COUNT(*) AS v FROM pragma_table_info('{table}')")))
                    .await
                    .unwrap();
                assert_eq!(n as usize, cols.split(',').count(), "{table}: every column is listed in transfer::MOVED");
            }
        }
    }
}

#[tokio::test]
async fn within_unit_out_of_and_into_the_province() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = p.branch_secretary(&p.branch_a1);
        let sec_ms = testkit::member_scope(&store, &sec).await.unwrap();
        let sec_os = testkit::org_scope(&sec).unwrap();
        let who = testkit::who(&sec);
        // Within the unit: branch a1 → a2, approved by each branch.
        let li = p.member("李娜").id();
        let req = TransferRequest {
            member_id: li,
            to_org_id: Some(p.branch_a2.id),
            reason: "处室调整".into(),
            ..Default::default()
        };
        let t = tr::request(&store, &sec_ms.writer().unwrap(), &who, &req).await.unwrap();
        assert_eq!(t.kind, xianfeng_core::transfer::TransferKind::WithinUnit, "{backend}");
        // A state the program does not know is an error on reading, never a default.
        store.db.run_script(&format!("UPDATE transfers SET state = 'lost' WHERE id = {}", t.id)).await.unwrap();
        let e = tr::get(&store, &sec_os, t.id).await.map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("未知的转接状态：“lost”"), "{backend}: {e}");
        store.db.run_script(&format!("UPDATE transfers SET state = 'pending_out' WHERE id = {}", t.id)).await.unwrap();
        tr::approve(&store, &sec_os.writer().unwrap(), &who, t.id, "", None).await.unwrap();
        let a2 = p.branch_secretary(&p.branch_a2);
        let a2_os = testkit::org_scope(&a2).unwrap();
        tr::approve(&store, &a2_os.writer().unwrap(), &testkit::who(&a2), t.id, "", None).await.unwrap();
        let a2_ms = testkit::member_scope(&store, &a2).await.unwrap();
        let m = xianfeng_store::member::get(&store, &a2_ms, li).await.unwrap();
        assert_eq!((m.org_id, m.committee_id), (p.branch_a2.id, p.unit_a.id), "{backend}");

        // Out of the province: needs the letter's number; the record stays as 已转出.
        let zhao = p.member("赵敏").id();
        let out = TransferRequest {
            member_id: zhao,
            to_org_name: "中共北京市某区委组织部".into(),
            reason: "调往外省".into(),
            ..Default::default()
        };
        let r = tr::request(&store, &sec_ms.writer().unwrap(), &who, &out).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{backend}: no letter number");
        let out = TransferRequest { letter_no: "黔直转字0012号".into(), ..out };
        let t = tr::request(&store, &sec_ms.writer().unwrap(), &who, &out).await.unwrap();
        let v = tr::approve(&store, &sec_os.writer().unwrap(), &who, t.id, "", None).await.unwrap();
        assert_eq!((v.t.state.as_str(), v.t.letter_no.as_str()), ("done", "黔直转字0012号"), "{backend}");
        let m = xianfeng_store::member::get(&store, &sec_ms, zhao).await.unwrap();
        assert_eq!(m.status, MemberStatus::TransferredOut, "{backend}");

        // Reject and cancel.
        let wang = p.member("王芳").id();
        let req = TransferRequest {
            member_id: wang,
            to_org_id: Some(p.branch_b1.id),
            reason: "借调".into(),
            ..Default::default()
        };
        let t = tr::request(&store, &sec_ms.writer().unwrap(), &who, &req).await.unwrap();
        let r = tr::reject(&store, &sec_os.writer().unwrap(), &who, t.id, "", t.version).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{backend}");
        let r = tr::reject(&store, &sec_os.writer().unwrap(), &who, t.id, "借调未获批准", t.version - 1).await;
        assert!(matches!(r, Err(StoreError::Stale)), "{backend}: a decision on an older version");
        let v = tr::reject(&store, &sec_os.writer().unwrap(), &who, t.id, "借调未获批准", t.version).await.unwrap();
        assert_eq!(v.t.state, TransferState::Rejected, "{backend}");
        let t = tr::request(&store, &sec_ms.writer().unwrap(), &who, &req).await.unwrap();
        assert!(matches!(
            tr::cancel(&store, &sec_os.writer().unwrap(), &who, t.id, t.version + 1).await,
            Err(StoreError::Stale)
        ));
        let v = tr::cancel(&store, &sec_os.writer().unwrap(), &who, t.id, t.version).await.unwrap();
        assert_eq!(v.t.state, TransferState::Cancelled, "{backend}");

        // Into the province: an expired letter is refused; a valid one creates the record on acceptance.
        let b1 = p.branch_secretary(&p.branch_b1);
        let b1_ms = testkit::member_scope(&store, &b1).await.unwrap();
        let b1_os = testkit::org_scope(&b1).unwrap();
        let b1_who = testkit::who(&b1);
        let today = xianfeng_core::text::today_cn();
        let birth = NaiveDate::from_ymd_opt(1988, 6, 1).unwrap();
        let input = testkit::member_input("林涛", p.branch_b1.id, birth, 91, MemberStatus::Full);
        let mut inc = IncomingRequest {
            member: input,
            from_org_name: "中共遵义市某局机关委员会".into(),
            letter_no: "遵机转0031号".into(),
            valid_until: Some(today - chrono::Duration::days(1)),
            reason: "调入".into(),
        };
        let r = tr::register_incoming(&store, &b1_ms.writer().unwrap(), &b1_who, &inc).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{backend}: an expired letter");
        inc.valid_until = Some(today + chrono::Duration::days(30));
        let t = tr::register_incoming(&store, &b1_ms.writer().unwrap(), &b1_who, &inc).await.unwrap();
        assert_eq!(
            (t.kind.as_str(), t.state.as_str(), t.member_id),
            ("into_province", "pending_in", None),
            "{backend}"
        );
        let sealed = store
            .db
            .r()
            .fetch_one::<(String,)>(q!("SELECT payload FROM transfers WHERE id = $1", t.id))
            .await
            .unwrap()
            .0;
        assert!(!sealed.contains(&inc.member.id_card), "{backend}: the waiting record is encrypted");
        let v = tr::approve(&store, &b1_os.writer().unwrap(), &b1_who, t.id, "", None).await.unwrap();
        let new_id = v.t.member_id.unwrap();
        let m = xianfeng_store::member::get(&store, &b1_ms, new_id).await.unwrap();
        assert_eq!((m.name.as_str(), m.org_id, m.status.as_str()), ("林涛", p.branch_b1.id, "full"), "{backend}");
        let hist = xianfeng_store::member::history(&store, &b1_ms, new_id).await.unwrap();
        assert!(hist[0].reason.contains("遵机转0031号"), "{backend}");
        // Unit A sees nothing of unit B's arrival.
        let ua = testkit::org_scope(&p.unit_admin(&p.unit_a)).unwrap();
        assert!(matches!(tr::get(&store, &ua, t.id).await, Err(StoreError::NotFound)), "{backend}");
    }
}
