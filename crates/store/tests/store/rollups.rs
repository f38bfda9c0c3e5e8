//! The rollups stay what a recount from the records gives, after any sequence
//! of the writes that change them: months of charges opened, payments
//! recorded one by one and by payroll deduction, payments amended and taken
//! back, meetings recorded. Checked after every step, on both engines.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xianfeng_core::auth::operator;
use xianfeng_store::dues::{self, BaseInput, CorrectionAction, PaymentCorrection, PaymentInput};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{Store, rollups};

/// Every rollup agrees with its records (the differences named when not).
pub(crate) async fn agrees(store: &Store, p: &Province, what: &str) {
    let console = operator::province_org_scope(&p.root.path).writer().unwrap();
    for c in rollups::verify(store, &console).await.unwrap() {
        assert!(c.differences.is_empty(), "{what}: {} differs from a recount: {:?}", c.table, c.differences);
    }
}

#[tokio::test]
async fn random_dues_writes_keep_the_rollup_equal_to_a_recount() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.unit_admin(&p.unit_a);
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let w = ms.writer().unwrap();
        let who = testkit::who(&admin);
        let people: Vec<i64> = p.members_under(&p.unit_a).iter().map(|m| m.id()).collect();
        for (i, id) in people.iter().enumerate() {
            let base = BaseInput {
                member_type: "salaried".into(),
                base: format!("{}", 3000 + 1000 * i),
                effective_month: "2025-01".into(),
                ..Default::default()
            };
            dues::set_base(&store, &w, &who, *id, &base).await.unwrap();
        }
        let month = |k: u32| NaiveDate::from_ymd_opt(2025, k, 1).unwrap();
        let branches = [p.branch_a1.id, p.branch_a2.id];
        let mut rng = StdRng::seed_from_u64(20261203);
        let mut done = [0usize; 5];
        for step in 0..60 {
            let k = rng.gen_range(1..=4u32);
            let id = people[rng.gen_range(0..people.len())];
            let day = format!("2025-{k:02}-{:02}", rng.gen_range(1..=28));
            let op = rng.gen_range(0..5usize);
            let ok = match op {
                0 => dues::open_cycle(&store, &ms, &who, month(k)).await.is_ok(),
                1 => {
                    let pay = PaymentInput {
                        amount: "1000".into(),
                        paid_on: day,
                        method: "wechat".into(),
                        reason: "补缴".into(),
                    };
                    dues::record_payment(&store, &w, &who, id, month(k), &pay).await.is_ok()
                }
                2 => {
                    let org = Some(branches[rng.gen_range(0..2)]);
                    dues::record_payroll(&store, &w, &who, org, month(k), &day).await.is_ok()
                }
                _ => match dues::charge(&store, &ms, id, month(k)).await {
                    Ok(c) if c.paid_on.is_some() => {
                        let fix = PaymentCorrection {
                            action: if op == 3 { CorrectionAction::Void } else { CorrectionAction::Amend },
                            amount: "2000".into(),
                            paid_on: format!("2025-{k:02}-28"),
                            method: "cash".into(),
                            reason: "登记有误".into(),
                            seen_paid_fen: c.paid_fen,
                            seen_paid_on: c.paid_on.map(|d| d.to_string()).unwrap_or_default(),
                        };
                        dues::correct_payment(&store, &w, &who, id, month(k), &fix).await.is_ok()
                    }
                    _ => false,
                },
            };
            if ok {
                done[op] += 1;
            }
            agrees(&store, &p, &format!("{backend} step {step} (operation {op}, done {ok})")).await;
        }
        // The sequence exercised every kind of write, not only refusals.
        assert!(done.iter().all(|n| *n > 0), "{backend}: writes done by kind {done:?}");

        // The arrears an existing database gets from its migration are the
        // ones the writes keep.
        for k in 5..=6 {
            dues::open_cycle(&store, &ms, &who, month(k)).await.unwrap();
            agrees(&store, &p, &format!("{backend}: month {k} opened")).await;
        }
        let migration = include_str!("../../migrations/0021_dues_arrears.sql");
        let insert = &migration[migration.find("INSERT INTO dues_arrears").unwrap()..];
        let kept_owed: Vec<dues::owed::OwedRow> = store
            .db
            .r()
            .fetch_all(xianfeng_store::q!("SELECT committee_id, member_id, org_id, months, owed_fen, consecutive FROM dues_arrears ORDER BY committee_id, member_id"))
            .await
            .unwrap();
        assert!(kept_owed.iter().any(|r| r.consecutive > 1), "{backend}: a run of unpaid months: {kept_owed:?}");
        store.db.run_script(&format!("DELETE FROM dues_arrears; {insert}")).await.unwrap();
        agrees(&store, &p, &format!("{backend}: the migration's arrears")).await;

        // A rebuild gives the same rows, and a rollup row changed behind the
        // writes' back is found.
        let console = operator::province_org_scope(&p.root.path).writer().unwrap();
        let before: Vec<dues::tally::TallyRow> = store
            .db
            .r()
            .fetch_all(xianfeng_store::q!("SELECT committee_id, month, org_id, charges, paid, on_time, due_fen, paid_fen FROM dues_tallies ORDER BY committee_id, month, org_id"))
            .await
            .unwrap();
        assert!(!before.is_empty(), "{backend}");
        let mut tx = store.db.begin().await.unwrap();
        tx.c().execute(xianfeng_store::q!("UPDATE dues_tallies SET paid = paid + 1")).await.unwrap();
        tx.commit().await.unwrap();
        let found = rollups::verify(&store, &console).await.unwrap();
        let dues_check = found.iter().find(|c| c.table == "dues_tallies").unwrap();
        assert_eq!(dues_check.differences.len(), before.len(), "{backend}: every changed row is named");
        dues::tally::rebuild(&store, &console).await.unwrap();
        agrees(&store, &p, backend).await;
        let after: Vec<dues::tally::TallyRow> = store
            .db
            .r()
            .fetch_all(xianfeng_store::q!("SELECT committee_id, month, org_id, charges, paid, on_time, due_fen, paid_fen FROM dues_tallies ORDER BY committee_id, month, org_id"))
            .await
            .unwrap();
        assert_eq!(before, after, "{backend}: the rebuild gives what the writes kept");
        // Only the province-wide console rebuilds.
        let unit = testkit::org_scope(&admin).unwrap().writer().unwrap();
        assert!(dues::tally::rebuild(&store, &unit).await.is_err(), "{backend}");
    }
}

#[tokio::test]
async fn random_meeting_writes_keep_the_counts_and_tallies_equal_to_a_recount() {
    use xianfeng_core::meeting::PlanInput;
    use xianfeng_store::meeting::{self, MeetingFilter, RecordInput};
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let os = testkit::org_scope(&admin).unwrap();
        let w = os.writer().unwrap();
        let who = testkit::who(&admin);
        let branches = [&p.branch_a1, &p.branch_a2, &p.branch_b1];
        let kinds = ["theme_day", "branch_committee", "party_lecture"];
        let mut rng = StdRng::seed_from_u64(7);
        let mut planned = Vec::new();
        let mut done = [0usize; 3];
        for step in 0..40 {
            let op = if planned.is_empty() { 0 } else { rng.gen_range(0..3usize) };
            let ok = match op {
                0 => {
                    let org = branches[rng.gen_range(0..branches.len())];
                    let day = format!(
                        "{}-{:02}-{:02}",
                        rng.gen_range(2024..=2025),
                        rng.gen_range(1..=12),
                        rng.gen_range(1..=28)
                    );
                    let input = PlanInput {
                        kind: kinds[rng.gen_range(0..kinds.len())].into(),
                        planned_on: day,
                        topic: "学习贯彻党的二十届四中全会精神".into(),
                        ..Default::default()
                    };
                    match meeting::plan(&store, &w, &who, org.id, &input).await {
                        Ok(m) => {
                            planned.push(m.id);
                            true
                        }
                        Err(_) => false,
                    }
                }
                1 => {
                    let id = planned[rng.gen_range(0..planned.len())];
                    let m = meeting::get(&store, &os, id).await.unwrap();
                    let input = RecordInput {
                        version: m.version,
                        held_on: m.planned_on.to_string(),
                        topic: m.topic.clone(),
                        minutes: "传达学习全会精神，结合工作实际交流发言。".into(),
                        ..Default::default()
                    };
                    meeting::record(&store, &w, &who, id, &input).await.is_ok()
                }
                _ => {
                    let id = planned[rng.gen_range(0..planned.len())];
                    meeting::cancel(&store, &w, &who, id, "时间冲突，另行安排", None).await.is_ok()
                }
            };
            if ok {
                done[op] += 1;
            }
            agrees(&store, &p, &format!("{backend} step {step} (operation {op}, done {ok})")).await;
        }
        assert!(done.iter().all(|n| *n > 0), "{backend}: writes done by kind {done:?}");

        // A list's total from the rollup is the count of the meetings it lists.
        for f in [
            MeetingFilter { year: Some(2025), ..Default::default() },
            MeetingFilter { year: Some(2024), kind: "theme_day".into(), ..Default::default() },
            MeetingFilter { org_id: Some(p.unit_a.id), status: "held".into(), ..Default::default() },
            MeetingFilter::default(),
        ] {
            let all = meeting::list(&store, &os, &f, 1, 1000).await.unwrap();
            assert_eq!(all.total, all.items.len() as i64, "{backend}: {f:?}");
            let unit = p.unit_admin(&p.unit_a);
            let uos = testkit::org_scope(&unit).unwrap();
            let mine = meeting::list(&store, &uos, &f, 1, 1000).await.unwrap();
            assert_eq!(mine.total, mine.items.len() as i64, "{backend}: unit A's {f:?}");
        }
    }
}

#[tokio::test]
async fn random_member_writes_keep_the_member_counts_equal_to_a_recount() {
    use xianfeng_core::member::MemberStatus;
    use xianfeng_store::member::{self, MemberFilter};
    use xianfeng_store::transfer::{self as tr, TransferRequest};
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let w = ms.writer().unwrap();
        let os = testkit::org_scope(&admin).unwrap();
        let who = testkit::who(&admin);
        let branches = [&p.branch_a1, &p.branch_a2, &p.branch_b1];
        let statuses =
            [MemberStatus::Full, MemberStatus::Probationary, MemberStatus::Activist, MemberStatus::Applicant];
        let mut rng = StdRng::seed_from_u64(1203);
        // (id, birth, seq) of the members created here, whose ID numbers are known.
        let mut made: Vec<(i64, NaiveDate, u32)> = Vec::new();
        let mut done = [0usize; 4];
        for step in 0..40u32 {
            let op = if made.is_empty() { 0 } else { rng.gen_range(0..4usize) };
            let ok = match op {
                0 => {
                    let birth = NaiveDate::from_ymd_opt(rng.gen_range(1970..=1998), rng.gen_range(1..=12), 1).unwrap();
                    let branch = branches[rng.gen_range(0..branches.len())];
                    let status = statuses[rng.gen_range(0..statuses.len())];
                    let input = testkit::member_input(&format!("随机{step}"), branch.id, birth, 500 + step, status);
                    match member::create(&store, &w, &who, &input).await {
                        Ok(m) => {
                            made.push((m.id, birth, 500 + step));
                            true
                        }
                        Err(_) => false,
                    }
                }
                1 => {
                    let (id, ..) = made[rng.gen_range(0..made.len())];
                    let to = [MemberStatus::Full, MemberStatus::Deceased, MemberStatus::Left][rng.gen_range(0..3)];
                    let on = xianfeng_core::text::today_cn();
                    member::change_status(&store, &w, &who, id, to, on, "核对档案", None).await.is_ok()
                }
                2 => {
                    // Moved to another branch by editing the record.
                    let (id, birth, seq) = made[rng.gen_range(0..made.len())];
                    let m = member::get(&store, &ms, id).await.unwrap();
                    let branch = branches[rng.gen_range(0..branches.len())];
                    let mut input = testkit::member_input(&m.name, branch.id, birth, seq, m.status);
                    input.join_date = m.join_date.map(|d| d.to_string()).unwrap_or_default();
                    input.full_date = m.full_date.map(|d| d.to_string()).unwrap_or_default();
                    member::update(&store, &w, &who, id, &input, m.version).await.is_ok()
                }
                _ => {
                    // A transfer, within the unit or to the other one, approved by both sides.
                    let (id, ..) = made[rng.gen_range(0..made.len())];
                    let to = branches[rng.gen_range(0..branches.len())];
                    let req = TransferRequest {
                        member_id: id,
                        to_org_id: Some(to.id),
                        reason: "工作调动".into(),
                        ..Default::default()
                    };
                    match tr::request(&store, &w, &who, &req).await {
                        Ok(t) => {
                            let ow = os.writer().unwrap();
                            let mut ok = false;
                            for _ in 0..2 {
                                if tr::approve(&store, &ow, &who, t.id, "", None).await.is_ok() {
                                    ok = true;
                                }
                            }
                            ok
                        }
                        Err(_) => false,
                    }
                }
            };
            if ok {
                done[op] += 1;
            }
            agrees(&store, &p, &format!("{backend} step {step} (operation {op}, done {ok})")).await;
        }
        assert!(done.iter().all(|n| *n > 0), "{backend}: writes done by kind {done:?}");

        // A branch moved to the other unit takes its counts along.
        let ow = os.writer().unwrap();
        xianfeng_store::org::move_to(&store, &ow, &who, p.branch_a2.id, p.committee_b.id, "机构调整").await.unwrap();
        agrees(&store, &p, &format!("{backend} after a branch moved to another unit")).await;

        // A roster's total from the rollup is the number of members it lists,
        // for every scope, place and status.
        let unit = p.unit_admin(&p.unit_b);
        let unit_ms = testkit::member_scope(&store, &unit).await.unwrap();
        for scope in [&ms, &unit_ms] {
            for org_id in [None, Some(p.unit_b.id), Some(p.committee_b.id), Some(p.branch_a2.id), Some(p.branch_b1.id)]
            {
                for status in ["", "members", "inactive", "all", "full", "activist"] {
                    let f = MemberFilter { org_id, status: status.into(), ..Default::default() };
                    let Ok(page) = member::list(&store, scope, &f, 1, 500).await else { continue };
                    assert_eq!(page.total, page.items.len() as i64, "{backend}: {f:?}");
                    assert_eq!(member::count(&store, scope, &f).await.unwrap(), page.total, "{backend}: {f:?}");
                }
            }
        }
    }
}
