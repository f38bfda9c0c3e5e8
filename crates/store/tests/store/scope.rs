//! The scope matrix: every role against targets in its own subtree, a child
//! subtree, a sibling subtree and its parent, for every read and write path.
//! Out-of-scope rows are NotFound (never Forbidden) and never counted.

use xianfeng_core::auth::{Actor, MemberScope, Role};
use xianfeng_store::member::{self, MemberFilter};
use xianfeng_store::org::{self, OrgFilter, OrgRow};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Can {
    See,
    NotSee,
}
use Can::*;

/// One row of the matrix: an actor and what it must and must not see.
struct Row {
    label: &'static str,
    actor: Actor,
    /// Every member on the roll the actor sees, by name.
    roll: &'static [&'static str],
    /// (target kind, member name, expectation)
    members: Vec<(&'static str, &'static str, Can)>,
    /// (target kind, org, expectation)
    orgs: Vec<(&'static str, OrgRow, Can)>,
    /// Whether the role may write member records and export lists.
    writes: bool,
}

fn matrix(p: &Province) -> Vec<Row> {
    let all = &["张伟", "李娜", "赵敏", "王芳", "刘洋", "陈静", "杨磊"];
    vec![
        Row {
            label: "committee_admin@root",
            actor: p.committee_admin(),
            roll: all,
            members: vec![
                ("own subtree", "李娜", See),
                ("child subtree", "张伟", See),
                ("other unit", "陈静", See),
                ("other branch", "刘洋", See),
            ],
            orgs: vec![
                ("own", p.root.clone(), See),
                ("child", p.unit_b.clone(), See),
                ("grandchild", p.group_b1.clone(), See),
            ],
            writes: true,
        },
        Row {
            label: "unit_admin@unit_a",
            actor: p.unit_admin(&p.unit_a),
            roll: &["张伟", "李娜", "赵敏", "王芳", "刘洋"],
            members: vec![
                ("own subtree", "李娜", See),
                ("child subtree", "张伟", See),
                ("child subtree", "刘洋", See),
                ("sibling subtree", "陈静", NotSee),
                ("sibling subtree", "杨磊", NotSee),
            ],
            orgs: vec![
                ("own", p.unit_a.clone(), See),
                ("child", p.branch_a1.clone(), See),
                ("child", p.group_a2.clone(), See),
                ("parent", p.root.clone(), NotSee),
                ("sibling", p.unit_b.clone(), NotSee),
                ("sibling child", p.branch_b1.clone(), NotSee),
            ],
            writes: true,
        },
        Row {
            label: "unit_admin@unit_b",
            actor: p.unit_admin(&p.unit_b),
            roll: &["陈静", "杨磊"],
            members: vec![
                ("own subtree", "杨磊", See),
                ("child subtree", "陈静", See),
                ("sibling subtree", "李娜", NotSee),
                ("sibling subtree", "刘洋", NotSee),
            ],
            orgs: vec![
                ("own", p.unit_b.clone(), See),
                ("parent", p.root.clone(), NotSee),
                ("sibling", p.committee_a.clone(), NotSee),
            ],
            writes: true,
        },
        Row {
            label: "branch_secretary@branch_a1",
            actor: p.branch_secretary(&p.branch_a1),
            roll: &["张伟", "李娜", "赵敏", "王芳"],
            members: vec![
                ("own subtree", "李娜", See),
                ("own subtree", "王芳", See),
                ("child subtree", "张伟", See),
                ("sibling subtree (same unit)", "刘洋", NotSee),
                ("other unit", "陈静", NotSee),
            ],
            orgs: vec![
                ("own", p.branch_a1.clone(), See),
                ("child", p.group_a1.clone(), See),
                ("parent", p.committee_a.clone(), NotSee),
                ("grandparent", p.unit_a.clone(), NotSee),
                ("sibling", p.branch_a2.clone(), NotSee),
                ("sibling child", p.group_a2.clone(), NotSee),
            ],
            writes: true,
        },
        Row {
            label: "member 李娜",
            actor: p.member_actor("李娜"),
            roll: &["李娜"],
            members: vec![
                ("self", "李娜", See),
                ("same branch", "赵敏", NotSee),
                ("same group tree", "张伟", NotSee),
                ("other unit", "陈静", NotSee),
            ],
            orgs: vec![
                ("own branch", p.branch_a1.clone(), See),
                ("parent", p.committee_a.clone(), NotSee),
                ("sibling", p.branch_a2.clone(), NotSee),
            ],
            writes: false,
        },
    ]
}

fn is_not_found<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

/// Runs every operation for one member target and checks the expectation.
async fn check_member(
    store: &Store,
    p: &Province,
    row: &Row,
    ms: &MemberScope,
    target: (&str, &str, Can),
    backend: &str,
) {
    let (kind, name, can) = target;
    let ctx = format!("{backend}: {} → {kind} {name}", row.label);
    let seed = p.member(name);
    let id = seed.id();
    let who = testkit::who(&row.actor);

    // detail
    let got = member::get(store, ms, id).await;
    match can {
        See => assert_eq!(got.as_ref().map(|m| m.name.as_str()).ok(), Some(name), "{ctx}: get"),
        NotSee => assert!(is_not_found(&got), "{ctx}: get must be NotFound, got {got:?}"),
    }
    // list (first page, large enough for the whole roll)
    let list = member::list(store, ms, &MemberFilter::default(), 1, 100).await.unwrap();
    assert_eq!(list.items.iter().any(|m| m.id == id), can == See, "{ctx}: list");
    // search by name
    let by_name = MemberFilter { name: name.to_string(), ..Default::default() };
    let found = member::list(store, ms, &by_name, 1, 100).await.unwrap();
    let expected = if can == See { 1 } else { 0 };
    assert_eq!((found.total, found.items.len() as i64), (expected, expected), "{ctx}: search by name");
    // count
    assert_eq!(member::count(store, ms, &by_name).await.unwrap(), expected, "{ctx}: count by name");
    // history
    let h = member::history(store, ms, id).await;
    match can {
        See => assert!(!h.unwrap().is_empty(), "{ctx}: history"),
        NotSee => assert!(is_not_found(&h), "{ctx}: history must be NotFound"),
    }
    // filtering by the target's branch: a branch out of scope is NotFound, not an empty list that confirms it exists
    let by_branch = MemberFilter { org_id: Some(seed.detail.org_id), ..Default::default() };
    let r = member::list(store, ms, &by_branch, 1, 100).await;
    if let MemberScope::Subtree { org: os, .. } = ms {
        if os.contains(&seed.detail.org_path) {
            assert!(r.unwrap().items.iter().any(|m| m.id == id), "{ctx}: list by branch");
        } else {
            assert!(is_not_found(&r), "{ctx}: list by an out-of-scope branch must be NotFound, got {r:?}");
        }
    }
    // export
    let export = member::list_all(store, ms, &MemberFilter::default(), 10_000).await;
    if row.writes {
        assert_eq!(export.unwrap().iter().any(|m| m.id == id), can == See, "{ctx}: export");
    } else {
        assert!(matches!(export, Err(StoreError::Forbidden)), "{ctx}: a member exports nothing");
    }
    // update (with the record's real current version, so only the scope can refuse)
    let admin = testkit::member_scope(store, &p.committee_admin()).await.unwrap();
    let current = member::get(store, &admin, id).await.unwrap();
    let mut input = current.to_input();
    input.position = format!("{}改", row.label);
    // A read-only role cannot even hold the write capability.
    let r = match ms.writer() {
        Ok(w) => member::update(store, &w, &who, id, &input, current.version).await,
        Err(e) => Err(StoreError::from(e)),
    };
    match (row.writes, can) {
        (true, See) => assert_eq!(r.unwrap().position, input.position, "{ctx}: update"),
        (true, NotSee) => assert!(is_not_found(&r), "{ctx}: update must be NotFound, got {r:?}"),
        (false, _) => assert!(matches!(r, Err(StoreError::Forbidden)), "{ctx}: read-only role, got {r:?}"),
    }
    let after = member::get(store, &admin, id).await.unwrap();
    let written = row.writes && can == See;
    assert_eq!(after.version, current.version + written as i64, "{ctx}: the record changed only when allowed");
}

async fn check_org(store: &Store, row: &Row, kind: &str, target: &OrgRow, can: Can, backend: &str) {
    let ctx = format!("{backend}: {} → {kind} org {}", row.label, target.name);
    // A member has no org scope, only their own branch's card.
    let os = row.actor.org_scope().or_else(|_| row.actor.own_branch()).unwrap();
    let got = org::get(store.db.r(), &os, target.id).await;
    match can {
        See => assert_eq!(got.unwrap().id, target.id, "{ctx}: get"),
        NotSee => assert!(is_not_found(&got), "{ctx}: get must be NotFound, got {got:?}"),
    }
    let all = org::search(store, &os, &OrgFilter::default(), 1, 100).await.unwrap();
    assert_eq!(all.items.iter().any(|o| o.id == target.id), can == See, "{ctx}: search");
    let kids = org::children(store.db.r(), &os, target, true).await.unwrap();
    if can == NotSee {
        assert!(kids.iter().all(|k| os.contains(&k.path)), "{ctx}: children stay in scope");
    }
    let h = org::history_of(store, &os, target.id).await;
    assert_eq!(is_not_found(&h), can == NotSee, "{ctx}: history");
    let under = OrgFilter { under: Some(target.id), ..Default::default() };
    let r = org::search(store, &os, &under, 1, 100).await;
    assert_eq!(is_not_found(&r), can == NotSee, "{ctx}: search under");
}

#[tokio::test]
async fn every_role_sees_exactly_its_scope() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        for row in matrix(&p) {
            let ms = testkit::member_scope(&store, &row.actor).await.unwrap();
            // The whole roll, via every listing path.
            let mut expected: Vec<String> = row.roll.iter().map(|s| s.to_string()).collect();
            expected.sort();
            let list = member::list(&store, &ms, &MemberFilter::default(), 1, 100).await.unwrap();
            let mut names: Vec<String> = list.items.iter().map(|m| m.name.clone()).collect();
            names.sort();
            assert_eq!(names, expected, "{backend}: {} list", row.label);
            assert_eq!(list.total, expected.len() as i64, "{backend}: {} list total", row.label);
            assert_eq!(
                member::count(&store, &ms, &MemberFilter::default()).await.unwrap(),
                expected.len() as i64,
                "{backend}: {}",
                row.label
            );
            // Paging never pulls in rows from outside.
            let small = member::list(&store, &ms, &MemberFilter::default(), 2, 1).await.unwrap();
            assert_eq!(small.total, expected.len() as i64, "{backend}: {} paged total", row.label);
            // A search that matches everyone by a common character still stays inside.
            let everyone =
                member::list(&store, &ms, &MemberFilter { status: "all".into(), ..Default::default() }, 1, 100)
                    .await
                    .unwrap();
            assert_eq!(everyone.total, expected.len() as i64, "{backend}: {}", row.label);

            for (kind, name, can) in &row.members {
                check_member(&store, &p, &row, &ms, (kind, name, *can), backend).await;
            }
            for (kind, target, can) in &row.orgs {
                check_org(&store, &row, kind, target, *can, backend).await;
            }
        }
    }
}

#[tokio::test]
async fn roles_without_business_data_are_refused_outright() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let no_business = [
            ("discipline_staff@root", p.discipline_staff(&p.root)),
            ("discipline_staff@unit_a", p.discipline_staff(&p.unit_a)),
            ("system_admin", p.system_admin()),
            ("security_admin", p.security_admin()),
            ("audit_admin", p.audit_admin()),
        ];
        for (label, actor) in no_business {
            let ms = testkit::member_scope(&store, &actor).await;
            assert!(matches!(ms, Err(StoreError::Forbidden)), "{backend}: {label} member scope: {ms:?}");
            let os = testkit::org_scope(&actor);
            assert!(matches!(os, Err(StoreError::Forbidden)), "{backend}: {label} org scope: {os:?}");
            // Each triad role holds exactly its own capability.
            assert_eq!(actor.user_admin().is_ok(), actor.role == Role::SystemAdmin, "{backend}: {label}");
            assert_eq!(actor.security_admin().is_ok(), actor.role == Role::SecurityAdmin, "{backend}: {label}");
            assert_eq!(actor.audit_reader().is_ok(), actor.role == Role::AuditAdmin, "{backend}: {label}");
        }
        // …and business roles hold none of them.
        for actor in
            [p.committee_admin(), p.unit_admin(&p.unit_a), p.branch_secretary(&p.branch_a1), p.member_actor("李娜")]
        {
            assert!(
                actor.user_admin().is_err() && actor.security_admin().is_err() && actor.audit_reader().is_err(),
                "{backend}: {:?}",
                actor.role
            );
            assert!(actor.discipline_scope().is_err(), "{backend}: {:?}", actor.role);
        }
        // A member bound to no record, or an org role bound to no org, sees nothing.
        let mut orphan = p.member_actor("李娜");
        orphan.member_id = None;
        assert!(testkit::member_scope(&store, &orphan).await.is_err(), "{backend}");
        let mut unbound = p.unit_admin(&p.unit_a);
        unbound.org = None;
        assert!(testkit::member_scope(&store, &unbound).await.is_err(), "{backend}");
    }
}

#[tokio::test]
async fn writes_are_refused_outside_the_scope() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = p.branch_secretary(&p.branch_a1);
        let (ms, os, who) =
            (testkit::member_scope(&store, &sec).await.unwrap(), sec.org_scope().unwrap(), testkit::who(&sec));
        // Creating a member in a sibling branch: refused on the branch field, nothing written.
        let input = testkit::member_input(
            "外人",
            p.branch_a2.id,
            chrono::NaiveDate::from_ymd_opt(1990, 5, 5).unwrap(),
            9,
            xianfeng_core::member::MemberStatus::Full,
        );
        let r = member::create(&store, &ms.writer().unwrap(), &who, &input).await;
        assert!(crate::invalid_on(r, "org_id").contains("不在您的管理范围内"), "{backend}");
        // Moving one's own member into a sibling branch: the same.
        let li = member::get(&store, &ms, p.member("李娜").id()).await.unwrap();
        let mut edit = li.to_input();
        edit.org_id = p.branch_a2.id.to_string();
        let r = member::update(&store, &ms.writer().unwrap(), &who, li.id, &edit, li.version).await;
        assert!(crate::invalid_on(r, "org_id").contains("不在您的管理范围内"), "{backend}");
        // Org writes on a sibling are NotFound.
        let r =
            org::update(&store, &os.writer().unwrap(), &who, p.branch_a2.id, &testkit::org_input("x", "branch", None))
                .await;
        assert!(is_not_found(&r), "{backend}: {r:?}");
        let r = org::dissolve(&store, &os.writer().unwrap(), &who, p.group_a2.id, xianfeng_core::text::today_cn(), "x")
            .await;
        assert!(is_not_found(&r), "{backend}: {r:?}");
        let r = org::set_post(
            &store,
            &os.writer().unwrap(),
            &who,
            p.branch_a2.id,
            p.member("刘洋").id(),
            "secretary",
            None,
        )
        .await;
        assert!(is_not_found(&r), "{backend}: {r:?}");
        // Appointing someone from outside the branch is refused.
        let r = org::set_post(
            &store,
            &os.writer().unwrap(),
            &who,
            p.branch_a1.id,
            p.member("刘洋").id(),
            "secretary",
            None,
        )
        .await;
        assert!(crate::invalid_on(r, "member_id").contains("本组织"), "{backend}");
        let r = member::change_status(
            &store,
            &ms.writer().unwrap(),
            &who,
            p.member("刘洋").id(),
            xianfeng_core::member::MemberStatus::Left,
            xianfeng_core::text::today_cn(),
            "x",
            None,
        )
        .await;
        assert!(is_not_found(&r), "{backend}: {r:?}");
        // A member's own branch card is read-only: no write even inside it.
        let me = p.member_actor("李娜");
        assert!(me.org_scope().is_err(), "{backend}: a member has no org scope");
        // A read-only scope cannot even hold the write capability.
        let r = match me.own_branch().unwrap().writer() {
            Ok(w) => {
                org::create(&store, &w, &testkit::who(&me), p.branch_a1.id, &testkit::org_input("x", "group", None))
                    .await
            }
            Err(e) => Err(StoreError::from(e)),
        };
        assert!(matches!(r, Err(StoreError::Forbidden)), "{backend}: {r:?}");
        let mms = testkit::member_scope(&store, &me).await.unwrap();
        assert!(
            matches!(mms.writer(), Err(xianfeng_core::Error::Forbidden)),
            "{backend}: a member's own scope never writes"
        );
        // Nothing of the above changed the roll.
        let admin = testkit::member_scope(&store, &p.committee_admin()).await.unwrap();
        assert_eq!(member::count(&store, &admin, &MemberFilter::default()).await.unwrap(), 7, "{backend}");
        assert_eq!(member::get(&store, &admin, li.id).await.unwrap().version, li.version, "{backend}");
    }
}
