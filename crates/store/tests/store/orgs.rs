//! The org tree: placement, rename, move, dissolve, terms, health.

use chrono::{Days, NaiveDate};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::text::today_cn;
use xianfeng_store::member::{self, MemberFilter};
use xianfeng_store::org::{self, OrgFilter};
use xianfeng_store::testkit::{self, Province, org_input};
use xianfeng_store::{StoreError, q};

use crate::invalid_on;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[tokio::test]
async fn placement_rules_refuse_a_branch_under_a_group() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (os, who) = (admin.org_scope().unwrap(), testkit::who(&admin));

        let r =
            org::create(&store, &os.writer().unwrap(), &who, p.group_a1.id, &org_input("新支部", "branch", None)).await;
        assert_eq!(invalid_on(r, "kind"), "党小组下不能设立党支部", "{backend}");
        let r =
            org::create(&store, &os.writer().unwrap(), &who, p.branch_a1.id, &org_input("新单位", "unit", None)).await;
        assert_eq!(invalid_on(r, "kind"), "党支部下不能设立省直单位", "{backend}");
        let r =
            org::create(&store, &os.writer().unwrap(), &who, p.root.id, &org_input("直属支部", "branch", None)).await;
        assert_eq!(invalid_on(r, "kind"), "省直机关工委下不能设立党支部", "{backend}");
        let r = org::create(&store, &os.writer().unwrap(), &who, p.branch_a1.id, &org_input("  ", "group", None)).await;
        assert!(invalid_on(r, "name").contains("必填"), "{backend}");

        // Nothing was written by the refusals.
        let all = org::search(&store, &os, &OrgFilter::default(), 1, 100).await.unwrap();
        assert_eq!(all.total, 11, "{backend}: root, 2 units, 2 committees, 3 branches, 3 groups");

        // Allowed placements work, under the right committee.
        let g =
            org::create(&store, &os.writer().unwrap(), &who, p.branch_a1.id, &org_input("第二党小组", "group", None))
                .await
                .unwrap();
        assert_eq!(
            (g.committee_id, g.parent_id, g.depth),
            (p.unit_a.id, Some(p.branch_a1.id), p.branch_a1.depth + 1),
            "{backend}"
        );
        assert_eq!(g.path, format!("{}{}/", p.branch_a1.path, g.id), "{backend}");
        let direct =
            org::create(&store, &os.writer().unwrap(), &who, p.unit_b.id, &org_input("直属党支部", "branch", None))
                .await
                .unwrap();
        assert_eq!(direct.committee_id, p.unit_b.id, "{backend}");
        // A new unit is its own shard.
        let u = org::create(&store, &os.writer().unwrap(), &who, p.root.id, &org_input("省财政厅", "unit", None))
            .await
            .unwrap();
        assert_eq!(u.committee_id, u.id, "{backend}");

        // A unit administrator cannot create outside the unit (the root is not even visible).
        let ua = p.unit_admin(&p.unit_a);
        let r = org::create(
            &store,
            &ua.org_scope().unwrap().writer().unwrap(),
            &testkit::who(&ua),
            p.root.id,
            &org_input("x", "unit", None),
        )
        .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}: {r:?}");
        let r = org::create(
            &store,
            &ua.org_scope().unwrap().writer().unwrap(),
            &testkit::who(&ua),
            p.branch_b1.id,
            &org_input("x", "group", None),
        )
        .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}: {r:?}");
    }
}

#[tokio::test]
async fn rename_keeps_the_old_name_in_history() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (os, who) = (admin.org_scope().unwrap(), testkit::who(&admin));
        let mut input = org_input("综合处党支部", "branch", Some(testkit::fixture_term_start()));
        input.code = "A1".into();
        let renamed = org::update(&store, &os.writer().unwrap(), &who, p.branch_a1.id, &input).await.unwrap();
        assert_eq!((renamed.name.as_str(), renamed.code.as_str()), ("综合处党支部", "A1"), "{backend}");
        assert_eq!(renamed.path, p.branch_a1.path, "{backend}: a rename does not move");

        let history = org::history_of(&store, &os, p.branch_a1.id).await.unwrap();
        let rename = history.iter().find(|h| h.change == "rename").expect("rename recorded");
        assert_eq!(
            (rename.from_value.as_str(), rename.to_value.as_str()),
            ("办公室党支部", "综合处党支部"),
            "{backend}"
        );
        assert_eq!(rename.username, admin.username, "{backend}");
        assert!(history.iter().any(|h| h.change == "create"), "{backend}: creation still in history");

        let by_old = OrgFilter { name: "办公室".into(), ..Default::default() };
        assert_eq!(org::search(&store, &os, &by_old, 1, 10).await.unwrap().total, 0, "{backend}");
        let by_new = OrgFilter { name: "综合处".into(), ..Default::default() };
        let found = org::search(&store, &os, &by_new, 1, 10).await.unwrap();
        assert_eq!(found.items.iter().map(|o| o.id).collect::<Vec<_>>(), [p.branch_a1.id], "{backend}");
        // Members' list shows the new branch name.
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let m = member::get(&store, &ms, p.member("李娜").id()).await.unwrap();
        assert_eq!(m.org_name, "综合处党支部", "{backend}");

        // The branch's secretary may not rename the branch itself, only what is below it.
        let sec = p.branch_secretary(&p.branch_a1);
        let r = org::update(
            &store,
            &sec.org_scope().unwrap().writer().unwrap(),
            &testkit::who(&sec),
            p.branch_a1.id,
            &org_input("x", "branch", None),
        )
        .await;
        assert!(matches!(r, Err(StoreError::Rule(_))), "{backend}: {r:?}");
        let g = org::update(
            &store,
            &sec.org_scope().unwrap().writer().unwrap(),
            &testkit::who(&sec),
            p.group_a1.id,
            &org_input("学习小组", "group", None),
        )
        .await;
        assert_eq!(g.unwrap().name, "学习小组", "{backend}");
    }
}

#[tokio::test]
async fn moving_a_branch_to_another_unit_carries_its_subtree_members_and_history() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (os, who) = (admin.org_scope().unwrap(), testkit::who(&admin));
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let liu = p.member("刘洋").id();
        // Some history on the member and the branch before the move.
        let m = member::get(&store, &ms, liu).await.unwrap();
        let mut input = m.to_input();
        input.position = "处长".into();
        member::update(&store, &ms.writer().unwrap(), &who, liu, &input, m.version).await.unwrap();

        let moved = org::move_to(&store, &os.writer().unwrap(), &who, p.branch_a2.id, p.committee_b.id, "机构改革")
            .await
            .unwrap();
        assert_eq!(moved.committee_id, p.unit_b.id, "{backend}: the shard key follows the unit");
        assert_eq!(moved.parent_id, Some(p.committee_b.id), "{backend}");
        assert_eq!(moved.path, format!("{}{}/", p.committee_b.path, p.branch_a2.id), "{backend}");
        assert_eq!(moved.depth, p.committee_b.depth + 1, "{backend}");
        let group = org::get(store.db.r(), &os, p.group_a2.id).await.unwrap();
        assert_eq!(group.path, format!("{}{}/", moved.path, p.group_a2.id), "{backend}: the whole subtree moves");
        assert_eq!(group.committee_id, p.unit_b.id, "{backend}");
        assert_eq!(group.depth, moved.depth + 1, "{backend}");

        let m = member::get(&store, &ms, liu).await.unwrap();
        assert_eq!(m.committee_id, p.unit_b.id, "{backend}");
        assert_eq!(m.org_path, moved.path, "{backend}");
        assert_eq!(m.group_id, Some(p.group_a2.id), "{backend}");
        let history = member::history(&store, &ms, liu).await.unwrap();
        assert!(
            history.iter().any(|h| h.change == "create"),
            "{backend}: member history moved with the member: {history:?}"
        );
        assert!(history.iter().any(|h| h.field == "position" && h.to_value == "处长"), "{backend}");
        let stray = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                "SELECT COUNT(*) AS v FROM member_history WHERE member_id = $1 AND committee_id <> $2",
                liu,
                p.unit_b.id
            ))
            .await
            .unwrap();
        assert_eq!(stray, 0, "{backend}: no history row left under the old shard");
        let org_history = org::history_of(&store, &os, p.branch_a2.id).await.unwrap();
        assert!(org_history.iter().any(|h| h.change == "create"), "{backend}: org history moved: {org_history:?}");
        let mv = org_history.iter().find(|h| h.change == "move").expect("move recorded");
        assert_eq!(
            (mv.from_value.clone(), mv.to_value.clone(), mv.reason.as_str()),
            (p.committee_a.id.to_string(), p.committee_b.id.to_string(), "机构改革")
        );

        // Scopes follow: unit A no longer sees the branch or its member, unit B does.
        let ua = p.unit_admin(&p.unit_a);
        let ub = p.unit_admin(&p.unit_b);
        let msa = testkit::member_scope(&store, &ua).await.unwrap();
        let msb = testkit::member_scope(&store, &ub).await.unwrap();
        assert!(matches!(member::get(&store, &msa, liu).await, Err(StoreError::NotFound)), "{backend}");
        assert!(
            matches!(org::get(store.db.r(), &ua.org_scope().unwrap(), p.branch_a2.id).await, Err(StoreError::NotFound)),
            "{backend}"
        );
        assert_eq!(member::get(&store, &msb, liu).await.unwrap().name, "刘洋", "{backend}");
        assert_eq!(member::count(&store, &msa, &MemberFilter::default()).await.unwrap(), 4, "{backend}");
        assert_eq!(member::count(&store, &msb, &MemberFilter::default()).await.unwrap(), 3, "{backend}");
        let under_b = MemberFilter { org_id: Some(p.committee_b.id), ..Default::default() };
        assert_eq!(member::count(&store, &msb, &under_b).await.unwrap(), 3, "{backend}");
        // The unit B admin can now edit the moved member.
        let m = member::get(&store, &msb, liu).await.unwrap();
        let mut input = m.to_input();
        input.position = "副处长".into();
        assert_eq!(
            member::update(&store, &msb.writer().unwrap(), &testkit::who(&ub), liu, &input, m.version)
                .await
                .unwrap()
                .position,
            "副处长"
        );

        // Refused moves.
        let r = org::move_to(&store, &os.writer().unwrap(), &who, p.branch_b1.id, p.group_a1.id, "").await;
        assert!(invalid_on(r, "parent_id").contains("党小组下不能设立党支部"), "{backend}");
        let r = org::move_to(&store, &os.writer().unwrap(), &who, p.committee_b.id, p.branch_a2.id, "").await;
        assert!(invalid_on(r, "parent_id").contains("下级"), "{backend}: not under its own subtree");
        // Unit A's admin cannot move its branch out of the unit (the target is out of scope).
        let r = org::move_to(
            &store,
            &ua.org_scope().unwrap().writer().unwrap(),
            &testkit::who(&ua),
            p.branch_a1.id,
            p.committee_b.id,
            "",
        )
        .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}: {r:?}");
    }
}

#[tokio::test]
async fn dissolve_refuses_a_non_empty_org_and_keeps_a_dissolved_one() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (os, who) = (admin.org_scope().unwrap(), testkit::who(&admin));
        let today = today_cn();

        let r = org::dissolve(&store, &os.writer().unwrap(), &who, p.branch_a1.id, today, "合并").await;
        match r {
            Err(StoreError::Rule(m)) => assert!(m.contains("下级组织"), "{backend}: {m}"),
            other => panic!("{backend}: {other:?}"),
        }
        let r = org::dissolve(&store, &os.writer().unwrap(), &who, p.committee_b.id, today, "合并").await;
        assert!(matches!(r, Err(StoreError::Rule(_))), "{backend}: {r:?}");
        // Dissolving a group with members is allowed: they leave the group, not the branch.
        org::dissolve(&store, &os.writer().unwrap(), &who, p.group_a2.id, today, "调整").await.unwrap();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let liu = member::get(&store, &ms, p.member("刘洋").id()).await.unwrap();
        assert_eq!((liu.group_id, liu.org_id), (None, p.branch_a2.id), "{backend}");
        // Now the branch has no sub-org but still a member.
        match org::dissolve(&store, &os.writer().unwrap(), &who, p.branch_a2.id, today, "合并").await {
            Err(StoreError::Rule(m)) => assert!(m.contains("1名党员"), "{backend}: {m}"),
            other => panic!("{backend}: {other:?}"),
        }
        let r = org::dissolve(&store, &os.writer().unwrap(), &who, p.branch_a2.id, today, " ").await;
        assert!(invalid_on(r, "reason").contains("原因"), "{backend}");
        assert!(
            org::get(store.db.r(), &os, p.branch_a2.id).await.unwrap().active,
            "{backend}: refusals change nothing"
        );

        // An empty branch dissolves and stays on record.
        let b = org::create(
            &store,
            &os.writer().unwrap(),
            &who,
            p.committee_a.id,
            &org_input("临时党支部", "branch", None),
        )
        .await
        .unwrap();
        let on = d(2025, 6, 30);
        let gone = org::dissolve(&store, &os.writer().unwrap(), &who, b.id, on, "任务完成").await.unwrap();
        assert!(!gone.active, "{backend}");
        assert_eq!((gone.dissolved_on, gone.dissolved_reason.as_str()), (Some(on), "任务完成"), "{backend}");
        let history = org::history_of(&store, &os, b.id).await.unwrap();
        assert!(history.iter().any(|h| h.change == "dissolve" && h.reason == "任务完成"), "{backend}");
        let kids = org::children(store.db.r(), &os, &p.committee_a, false).await.unwrap();
        assert!(!kids.iter().any(|k| k.id == b.id), "{backend}: hidden from the live tree");
        let kids = org::children(store.db.r(), &os, &p.committee_a, true).await.unwrap();
        assert!(kids.iter().any(|k| k.id == b.id), "{backend}: shown when dissolved orgs are asked for");
        let f = OrgFilter { name: "临时".into(), ..Default::default() };
        assert_eq!(org::search(&store, &os, &f, 1, 10).await.unwrap().total, 0, "{backend}");
        let f = OrgFilter { name: "临时".into(), include_dissolved: true, ..Default::default() };
        assert_eq!(org::search(&store, &os, &f, 1, 10).await.unwrap().total, 1, "{backend}");
        // No new members in a dissolved branch, and it cannot be dissolved twice.
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let input = testkit::member_input("孙丽", b.id, d(1992, 2, 2), 7, MemberStatus::Full);
        assert!(
            invalid_on(member::create(&store, &ms.writer().unwrap(), &who, &input).await, "org_id").contains("撤销"),
            "{backend}"
        );
        assert!(
            matches!(org::dissolve(&store, &os.writer().unwrap(), &who, b.id, on, "x").await, Err(StoreError::Rule(_))),
            "{backend}"
        );
        let r = org::create(&store, &os.writer().unwrap(), &who, b.id, &org_input("小组", "group", None)).await;
        assert!(matches!(r, Err(StoreError::Rule(_))), "{backend}: nothing new under a dissolved org: {r:?}");
    }
}

#[tokio::test]
async fn term_end_follows_the_term_rules() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (os, who) = (admin.org_scope().unwrap(), testkit::who(&admin));
        let start = d(2024, 3, 15);
        let b = org::create(
            &store,
            &os.writer().unwrap(),
            &who,
            p.committee_a.id,
            &org_input("机关第三党支部", "branch", Some(start)),
        )
        .await
        .unwrap();
        assert_eq!(
            (b.term_start, b.term_end),
            (Some(start), Some(d(2027, 3, 15))),
            "{backend}: a branch serves 3 years"
        );
        let c = org::create(
            &store,
            &os.writer().unwrap(),
            &who,
            p.unit_b.id,
            &org_input("省教育厅党委", "party_committee", Some(start)),
        )
        .await
        .unwrap();
        assert_eq!(c.term_end, Some(d(2029, 3, 15)), "{backend}: a committee serves 5 years");
        let g = org::create(&store, &os.writer().unwrap(), &who, b.id, &org_input("党小组", "group", Some(start)))
            .await
            .unwrap();
        assert_eq!(g.term_end, None, "{backend}: groups are not elected");
        assert_eq!(p.branch_a1.term_end, Some(d(2027, 1, 15)), "{backend}");

        // A new election (换届) moves the end and is kept in history.
        let mut input = org_input("机关第三党支部", "branch", Some(d(2025, 1, 10)));
        input.code = "3".into();
        let b = org::update(&store, &os.writer().unwrap(), &who, b.id, &input).await.unwrap();
        assert_eq!(b.term_end, Some(d(2028, 1, 10)), "{backend}");
        let history = org::history_of(&store, &os, b.id).await.unwrap();
        assert!(
            history.iter().any(|h| h.change == "term" && h.from_value == "2024-03-15" && h.to_value == "2025-01-10"),
            "{backend}"
        );

        // Branches whose term ended long ago show as elections due.
        let old = org::create(
            &store,
            &os.writer().unwrap(),
            &who,
            p.committee_b.id,
            &org_input("老干部党支部", "branch", Some(d(2020, 1, 1))),
        )
        .await
        .unwrap();
        let due = org::elections_due(&store, &os, 1, 50).await.unwrap().items;
        assert!(due.iter().any(|o| o.id == old.id), "{backend}");
        let counts = org::election_counts(&store, &os).await.unwrap();
        assert!(counts.overdue >= 1, "{backend}: the old branch is past its term");
        let all = org::elections_due(&store, &os, 1, 50).await.unwrap().total;
        assert_eq!(counts.overdue + counts.soon, all, "{backend}: the counts and the list agree");
        let one = org::elections_due(&store, &os, 1, 1).await.unwrap();
        assert_eq!((one.items.len(), one.total), (1, all), "{backend}: a page of one says how many there are");
        // A branch elected a month ago is years from its next election, whatever today is.
        let month_ago = xianfeng_core::text::today_cn() - chrono::Days::new(30);
        let fresh = org::create(
            &store,
            &os.writer().unwrap(),
            &who,
            p.committee_b.id,
            &org_input("新任期党支部", "branch", Some(month_ago)),
        )
        .await
        .unwrap();
        let due = org::elections_due(&store, &os, 1, 50).await.unwrap().items;
        assert!(due.iter().any(|o| o.id == old.id), "{backend}");
        assert!(!due.iter().any(|o| o.id == fresh.id), "{backend}: a term three years away is not due");
        let h = org::health(&store, &old).await.unwrap();
        assert!(h.term.is_alert() && h.term_label.contains("超期"), "{backend}: {}", h.term_label);
        // A start in the future is refused.
        let r = org::create(
            &store,
            &os.writer().unwrap(),
            &who,
            p.committee_b.id,
            &org_input("x", "branch", Some(today_cn() + Days::new(2))),
        )
        .await;
        assert!(invalid_on(r, "term_start").contains("晚于今天"), "{backend}");
    }
}

/// Imports `n` full members into `branch_id`, with ID numbers from `seq_base`.
async fn add_full_members(store: &xianfeng_store::Store, p: &Province, branch_id: i64, n: usize, seq_base: u32) {
    let admin = p.committee_admin();
    let ms = testkit::member_scope(store, &admin).await.unwrap();
    let rows = (0..n)
        .map(|i| {
            let birth = d(1980, 1, 1) + Days::new(i as u64 * 3);
            (
                i + 2,
                testkit::member_input(
                    &format!("党员{}", seq_base as usize + i),
                    branch_id,
                    birth,
                    seq_base + i as u32,
                    MemberStatus::Full,
                ),
            )
        })
        .collect();
    let report =
        member::import(store, &ms.writer().unwrap(), &testkit::who(&admin), rows, "health.xlsx").await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[tokio::test]
async fn health_warns_about_branch_size_and_missing_committee() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (os, who) = (admin.org_scope().unwrap(), testkit::who(&admin));
        let codes = |h: &org::OrgHealth| h.warnings.iter().map(|w| w.code).collect::<Vec<_>>();

        let a1 = org::health(&store, &p.branch_a1).await.unwrap();
        assert_eq!((a1.counts.full, a1.counts.probationary, a1.counts.members), (3, 1, 4), "{backend}");
        assert!(a1.warnings.is_empty(), "{backend}: {:?}", a1.warnings);
        let b1 = org::health(&store, &p.branch_b1).await.unwrap();
        assert_eq!(codes(&b1), ["too_few_full_members"], "{backend}");
        assert!(b1.warnings[0].message.contains("正式党员2人"), "{backend}: {}", b1.warnings[0].message);

        // Seven full members and no committee recorded.
        let b = org::create(
            &store,
            &os.writer().unwrap(),
            &who,
            p.committee_b.id,
            &org_input("信息中心党支部", "branch", None),
        )
        .await
        .unwrap();
        add_full_members(&store, &p, b.id, 7, 200).await;
        let h = org::health(&store, &b).await.unwrap();
        assert_eq!(codes(&h), ["committee_missing"], "{backend}");
        // Recording a committee member clears it.
        let someone = member::of_org(&store, &os, &b, "", 1, 1).await.unwrap().items.remove(0);
        org::set_post(&store, &os.writer().unwrap(), &who, b.id, someone.id, "organization", None).await.unwrap();
        assert!(org::health(&store, &b).await.unwrap().warnings.is_empty(), "{backend}");
        // More than 50 members.
        add_full_members(&store, &p, b.id, 44, 300).await;
        let h = org::health(&store, &b).await.unwrap();
        assert_eq!(h.counts.members, 51, "{backend}");
        assert_eq!(codes(&h), ["too_many_members"], "{backend}");
        assert!(h.warnings[0].message.contains("51"), "{backend}");
        let (n, alerts) = org::branch_alerts(&store, &os, 10).await.unwrap();
        let ids: Vec<i64> = alerts.iter().map(|(r, _)| r.id).collect();
        assert!(
            ids.contains(&b.id) && ids.contains(&p.branch_b1.id) && !ids.contains(&p.branch_a1.id),
            "{backend}: {ids:?}"
        );
        assert_eq!(n, 3, "{backend}: B1 and A2 (too few) and the new one (too many)");
        // A unit administrator's alerts stay within the unit.
        let ua = p.unit_admin(&p.unit_a);
        let (n, alerts) = org::branch_alerts(&store, &ua.org_scope().unwrap(), 10).await.unwrap();
        assert_eq!((n, alerts[0].0.id), (1, p.branch_a2.id), "{backend}");
    }
}

/// Whether a scope's orgs fit a select is known without counting them all:
/// fewer than asked come whole, in tree order, with their total; as many or
/// more come as none, with the number asked as the total.
#[tokio::test]
async fn a_picker_learns_whether_the_orgs_are_few_without_counting_them_all() {
    use xianfeng_core::org::OrgKind;
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let os = testkit::org_scope(&p.committee_admin()).unwrap();
        let few = org::pick_few(&store, &os, &[OrgKind::Branch], 4).await.unwrap();
        assert_eq!(few.total, 3, "{backend}");
        let listed = org::pick(&store, &os, &[OrgKind::Branch], "", 1, 10).await.unwrap();
        assert_eq!(few.items, listed.items, "{backend}: the same orgs in the same (tree) order as the picker's list");
        let many = org::pick_few(&store, &os, &[OrgKind::Branch], 3).await.unwrap();
        assert_eq!((many.total, many.items.len()), (3, 0), "{backend}: three is not fewer than three");
        let unit_b = testkit::org_scope(&p.unit_admin(&p.unit_b)).unwrap();
        let mine = org::pick_few(&store, &unit_b, &[OrgKind::Branch], 51).await.unwrap();
        assert_eq!(
            mine.items.iter().map(|o| o.id).collect::<Vec<_>>(),
            vec![p.branch_b1.id],
            "{backend}: in scope only"
        );
        // A chosen org by its id alone: in scope and of the kinds asked, or nothing.
        let one = org::pick_id(&store, &unit_b, &[OrgKind::Branch], p.branch_b1.id).await.unwrap();
        assert_eq!((one.total, one.items[0].id), (1, p.branch_b1.id), "{backend}");
        let out = org::pick_id(&store, &unit_b, &[OrgKind::Branch], p.branch_a1.id).await.unwrap();
        assert_eq!((out.total, out.items.len()), (0, 0), "{backend}: unit A's branch is out of reach");
        let kind = org::pick_id(&store, &os, &[OrgKind::Unit], p.branch_a1.id).await.unwrap();
        assert_eq!(kind.total, 0, "{backend}: not of the kinds asked");
    }
}

/// A branch's members are read by its id (its groups' members included), a
/// group's by the group's id: the same people its subtree holds.
#[tokio::test]
async fn the_roster_of_a_branch_or_a_group_is_its_subtree() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let ms = testkit::member_scope(&store, &p.committee_admin()).await.unwrap();
        let all = MemberFilter { status: "all".into(), ..Default::default() };
        let everyone = member::list(&store, &ms, &all, 1, 500).await.unwrap().items;
        for o in [&p.branch_a1, &p.group_a1, &p.branch_b1, &p.group_b1, &p.committee_a, &p.unit_b] {
            let f = MemberFilter { org_id: Some(o.id), ..all.clone() };
            let listed = member::list(&store, &ms, &f, 1, 100).await.unwrap();
            let mut got: Vec<i64> = listed.items.iter().map(|m| m.id).collect();
            // A group's members are those its branch assigned to it.
            let mut want: Vec<i64> = if o.kind() == xianfeng_core::org::OrgKind::Group {
                everyone.iter().filter(|m| m.group_id == Some(o.id)).map(|m| m.id).collect()
            } else {
                p.members_under(o).iter().map(|m| m.id()).collect()
            };
            got.sort_unstable();
            want.sort_unstable();
            assert!(!want.is_empty(), "{backend}: {} holds members", o.name);
            assert_eq!((got, listed.total), (want.clone(), want.len() as i64), "{backend}: {}", o.name);
        }
    }
}
