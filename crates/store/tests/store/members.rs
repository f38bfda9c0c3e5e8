//! Member records: validation, versioned updates, status history, protected
//! fields, list filters.

use chrono::{Datelike, Days, Months, NaiveDate};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::text::today_cn;
use xianfeng_store::member::{self, MemberFilter, Protected};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{StoreError, q};

use crate::{audit_rows, invalid_on};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[tokio::test]
async fn a_bad_id_number_is_refused_on_its_field() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let mut input = testkit::member_input("孙丽", p.branch_a1.id, d(1992, 2, 2), 7, MemberStatus::Full);
        let good = input.id_card.clone();
        // Same number with a wrong check character.
        let wrong = if good.ends_with('0') { format!("{}1", &good[..17]) } else { format!("{}0", &good[..17]) };
        input.id_card = wrong;
        let before = member::count(&store, &ms, &MemberFilter::default()).await.unwrap();
        let r = member::create(&store, &ms.writer().unwrap(), &testkit::who(&admin), &input).await;
        assert!(invalid_on(r, "id_card").contains("校验位"), "{backend}");
        input.id_card = "52010219920202".into();
        let r = member::create(&store, &ms.writer().unwrap(), &testkit::who(&admin), &input).await;
        assert!(invalid_on(r, "id_card").contains("18位"), "{backend}");
        assert_eq!(
            member::count(&store, &ms, &MemberFilter::default()).await.unwrap(),
            before,
            "{backend}: nothing written"
        );
        input.id_card = good;
        member::create(&store, &ms.writer().unwrap(), &testkit::who(&admin), &input).await.unwrap();
        assert_eq!(member::count(&store, &ms, &MemberFilter::default()).await.unwrap(), before + 1, "{backend}");
    }
}

#[tokio::test]
async fn create_get_update_with_a_version_check() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = p.branch_secretary(&p.branch_a1);
        let (ms, who) = (testkit::member_scope(&store, &sec).await.unwrap(), testkit::who(&sec));
        let mut input = testkit::member_input("孙丽", p.branch_a1.id, d(1992, 2, 2), 7, MemberStatus::Full);
        input.group_id = p.group_a1.id.to_string();
        input.position = "科员".into();
        let created = member::create(&store, &ms.writer().unwrap(), &who, &input).await.unwrap();
        assert_eq!(
            (created.committee_id, created.org_id, created.group_id),
            (p.unit_a.id, p.branch_a1.id, Some(p.group_a1.id))
        );
        assert_eq!((created.name.as_str(), created.status.as_str(), created.version), ("孙丽", "full", 1), "{backend}");
        assert_eq!(
            created.id_card_masked,
            format!("{}****************", &input.id_card[..2]),
            "{backend}: the province code only, nothing the birth date could complete"
        );
        assert_eq!(created.birth_date, d(1992, 2, 2), "{backend}");
        let got = member::get(&store, &ms, created.id).await.unwrap();
        assert_eq!(
            (got.id, got.org_name.as_str(), got.position.as_str()),
            (created.id, "办公室党支部", "科员"),
            "{backend}"
        );

        // Two people open the same record; the first save wins, the second is told.
        let mut first = got.to_input();
        first.position = "副科长".into();
        first.address = "贵阳市观山湖区".into();
        let saved = member::update(&store, &ms.writer().unwrap(), &who, created.id, &first, got.version).await.unwrap();
        assert_eq!((saved.position.as_str(), saved.version), ("副科长", 2), "{backend}");
        let mut second = got.to_input();
        second.position = "科长".into();
        let r = member::update(&store, &ms.writer().unwrap(), &who, created.id, &second, got.version).await;
        assert!(matches!(r, Err(StoreError::Stale)), "{backend}: {r:?}");
        assert_eq!(
            member::get(&store, &ms, created.id).await.unwrap().position,
            "副科长",
            "{backend}: the stale save changed nothing"
        );
        // Protected fields left empty keep their values.
        assert_eq!(
            member::reveal(&store, &ms, &who, created.id, Protected::Phone).await.unwrap(),
            input.phone,
            "{backend}"
        );

        let history = member::history(&store, &ms, created.id).await.unwrap();
        let changed: Vec<(&str, &str, &str)> = history
            .iter()
            .filter(|h| h.change == "update")
            .map(|h| (h.field.as_str(), h.from_value.as_str(), h.to_value.as_str()))
            .collect();
        assert_eq!(changed.len(), 2, "{backend}: {changed:?}");
        assert!(changed.contains(&("position", "科员", "副科长")), "{backend}: {changed:?}");
        assert!(changed.contains(&("address", "", "贵阳市观山湖区")), "{backend}: {changed:?}");
        assert!(history.iter().any(|h| h.change == "create" && h.username == sec.username), "{backend}");

        // Validation on update names the field; status changes need their own operation.
        let mut bad = saved.to_input();
        bad.join_date = "2001-01-01".into();
        assert!(
            invalid_on(
                member::update(&store, &ms.writer().unwrap(), &who, created.id, &bad, saved.version).await,
                "join_date"
            )
            .contains("18"),
            "{backend}"
        );
        let mut bad = saved.to_input();
        bad.status = "probationary".into();
        bad.full_date = String::new();
        assert!(
            invalid_on(
                member::update(&store, &ms.writer().unwrap(), &who, created.id, &bad, saved.version).await,
                "status"
            )
            .contains("变更党籍状态")
        );
        // Moving to a branch of another unit is a transfer, not an edit.
        let admin = p.committee_admin();
        let ams = testkit::member_scope(&store, &admin).await.unwrap();
        let mut elsewhere = saved.to_input();
        elsewhere.org_id = p.branch_b1.id.to_string();
        elsewhere.group_id = String::new();
        let r = member::update(
            &store,
            &ams.writer().unwrap(),
            &testkit::who(&admin),
            created.id,
            &elsewhere,
            saved.version,
        )
        .await;
        assert!(invalid_on(r, "org_id").contains("转接"), "{backend}");
        // Within the unit it is an edit.
        let mut within = saved.to_input();
        within.org_id = p.branch_a2.id.to_string();
        within.group_id = String::new();
        let moved =
            member::update(&store, &ams.writer().unwrap(), &testkit::who(&admin), created.id, &within, saved.version)
                .await
                .unwrap();
        assert_eq!((moved.org_id, moved.group_id), (p.branch_a2.id, None), "{backend}");
        // …which takes the member out of the A1 secretary's scope.
        assert!(matches!(member::get(&store, &ms, created.id).await, Err(StoreError::NotFound)), "{backend}");
    }
}

#[tokio::test]
async fn status_changes_are_kept_as_history() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (ms, who) = (testkit::member_scope(&store, &admin).await.unwrap(), testkit::who(&admin));
        let wang = p.member("王芳").id();
        let today = today_cn();

        let r = member::change_status(
            &store,
            &ms.writer().unwrap(),
            &who,
            wang,
            MemberStatus::Full,
            today + Days::new(1),
            "按期转正",
            None,
        )
        .await;
        assert!(invalid_on(r, "date").contains("晚于今天"), "{backend}");
        let r = member::change_status(&store, &ms.writer().unwrap(), &who, wang, MemberStatus::Full, today, "  ", None)
            .await;
        assert!(invalid_on(r, "reason").contains("原因"), "{backend}");
        let r = member::change_status(
            &store,
            &ms.writer().unwrap(),
            &who,
            wang,
            MemberStatus::Applicant,
            today,
            "误操作",
            None,
        )
        .await;
        assert!(invalid_on(r, "status").contains("不能直接变更"), "{backend}");

        let before = member::get(&store, &ms, wang).await.unwrap();
        let full = member::change_status(
            &store,
            &ms.writer().unwrap(),
            &who,
            wang,
            MemberStatus::Full,
            today,
            "支部大会讨论通过，按期转正",
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            (full.status.as_str(), full.full_date, full.join_date),
            ("full", Some(today), before.join_date),
            "{backend}"
        );
        assert_eq!(full.version, before.version + 1, "{backend}");
        // A second change made from the page that showed the old version is
        // refused, not applied over the first.
        let r = member::change_status(
            &store,
            &ms.writer().unwrap(),
            &who,
            wang,
            MemberStatus::Left,
            today,
            "误点",
            Some(before.version),
        )
        .await;
        assert!(matches!(r, Err(StoreError::Stale)), "{backend}: {r:?}");
        assert_eq!(member::get(&store, &ms, wang).await.unwrap().status.as_str(), "full", "{backend}");
        let h = member::history(&store, &ms, wang).await.unwrap();
        let s = h.iter().find(|h| h.change == "status").expect("status history");
        assert_eq!(
            (s.from_value.as_str(), s.to_value.as_str(), s.effective_date),
            ("probationary", "full", Some(today)),
            "{backend}"
        );
        assert_eq!(s.reason, "支部大会讨论通过，按期转正", "{backend}");
        assert_eq!(s.describe(), "党籍状态：预备党员 → 正式党员", "{backend}");
        // Listing by status follows.
        let f = MemberFilter { status: "probationary".into(), ..Default::default() };
        assert_eq!(member::count(&store, &ms, &f).await.unwrap(), 0, "{backend}");

        // Someone who died leaves the roll but not the records.
        member::change_status(
            &store,
            &ms.writer().unwrap(),
            &who,
            p.member("杨磊").id(),
            MemberStatus::Deceased,
            today,
            "病故",
            None,
        )
        .await
        .unwrap();
        assert_eq!(member::count(&store, &ms, &MemberFilter::default()).await.unwrap(), 6, "{backend}");
        let f = MemberFilter { status: "inactive".into(), ..Default::default() };
        assert_eq!(member::count(&store, &ms, &f).await.unwrap(), 1, "{backend}");
        let r = member::change_status(
            &store,
            &ms.writer().unwrap(),
            &who,
            p.member("杨磊").id(),
            MemberStatus::Full,
            today,
            "x",
            None,
        )
        .await;
        assert!(invalid_on(r, "status").contains("不能再变更"), "{backend}");

        // A branch secretary of another unit cannot change it (and cannot tell it exists).
        let other = p.branch_secretary(&p.branch_b1);
        let oms = testkit::member_scope(&store, &other).await.unwrap();
        let r = member::change_status(
            &store,
            &oms.writer().unwrap(),
            &testkit::who(&other),
            p.member("刘洋").id(),
            MemberStatus::Left,
            today,
            "x",
            None,
        )
        .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}: {r:?}");
    }
}

#[tokio::test]
async fn a_duplicate_id_number_is_refused() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (ms, who) = (testkit::member_scope(&store, &admin).await.unwrap(), testkit::who(&admin));
        let li = p.member("李娜");
        let mut input = testkit::member_input("李娜", p.branch_b1.id, li.detail.birth_date, 0, MemberStatus::Full);
        input.id_card = li.id_card.to_lowercase();
        input.gender = li.detail.gender.clone();
        let msg = invalid_on(member::create(&store, &ms.writer().unwrap(), &who, &input).await, "id_card");
        assert!(msg.contains("不能重复登记"), "{backend}: {msg}");
        // Also across units, and when another record is edited to carry the number.
        let chen = member::get(&store, &ms, p.member("陈静").id()).await.unwrap();
        let mut edit = chen.to_input();
        edit.id_card = li.id_card.clone();
        edit.birth_date = li.detail.birth_date.to_string();
        edit.gender = li.detail.gender.clone();
        let msg = invalid_on(
            member::update(&store, &ms.writer().unwrap(), &who, chen.id, &edit, chen.version).await,
            "id_card",
        );
        assert!(msg.contains("不能重复登记"), "{backend}: {msg}");
        // Re-saving a record with its own number is not a duplicate.
        let mut same = chen.to_input();
        same.id_card = p.member("陈静").id_card.clone();
        same.position = "主任".into();
        member::update(&store, &ms.writer().unwrap(), &who, chen.id, &same, chen.version).await.unwrap();
        let n = store.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM members")).await.unwrap();
        assert_eq!(n, 7, "{backend}");
    }
}

#[tokio::test]
async fn reveal_follows_the_role_and_every_attempt_is_audited() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let li = p.member("李娜");
        // (actor, field, expected plain value or None when refused)
        let cases = [
            (p.committee_admin(), Protected::IdCard, Some(li.id_card.clone())),
            (p.unit_admin(&p.unit_a), Protected::IdCard, Some(li.id_card.clone())),
            (p.branch_secretary(&p.branch_a1), Protected::IdCard, None),
            (p.branch_secretary(&p.branch_a1), Protected::Phone, Some(li.phone.clone())),
            (p.member_actor("李娜"), Protected::IdCard, None),
            (p.member_actor("李娜"), Protected::Phone, None),
        ];
        for (actor, field, expected) in cases {
            let ms = testkit::member_scope(&store, &actor).await.unwrap();
            let before = audit_rows(&store).await;
            let r = member::reveal(&store, &ms, &testkit::who(&actor), li.id(), field).await;
            let role = actor.role.as_str();
            match &expected {
                Some(v) => assert_eq!(r.as_ref().ok(), Some(v), "{backend}: {role} {field:?}"),
                None => assert!(matches!(r, Err(StoreError::Forbidden)), "{backend}: {role} {field:?}: {r:?}"),
            }
            assert_eq!(audit_rows(&store).await, before + 1, "{backend}: {role} {field:?} audited");
            #[derive(sqlx::FromRow)]
            struct Last {
                username: String,
                action: String,
                object_id: String,
                outcome: String,
                detail: String,
            }
            let last: Last = store
                .db
                .r()
                .fetch_one(q!(
                    "SELECT username, action, object_id, outcome, detail FROM audit_log ORDER BY seq DESC LIMIT 1"
                ))
                .await
                .unwrap();
            assert_eq!(
                (last.username.as_str(), last.action.as_str(), last.detail.as_str()),
                (actor.username.as_str(), "reveal", field.as_str())
            );
            assert_eq!(last.object_id, li.id().to_string(), "{backend}");
            assert_eq!(last.outcome, if expected.is_some() { "success" } else { "denied" }, "{backend}: {role}");
        }
        // Out of scope: NotFound, exactly as for a record that does not exist.
        let other = p.unit_admin(&p.unit_b);
        let ms = testkit::member_scope(&store, &other).await.unwrap();
        let r = member::reveal(&store, &ms, &testkit::who(&other), li.id(), Protected::IdCard).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}: {r:?}");
        let r = member::reveal(&store, &ms, &testkit::who(&other), 987_654_321, Protected::IdCard).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}: {r:?}");
    }
}

#[tokio::test]
async fn plain_id_numbers_are_never_stored() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (ms, who) = (testkit::member_scope(&store, &admin).await.unwrap(), testkit::who(&admin));
        // Change one number so it also passes through update and history.
        let chen = member::get(&store, &ms, p.member("陈静").id()).await.unwrap();
        let (new_id, gender) = testkit::id_card(chen.birth_date, 555);
        let mut edit = chen.to_input();
        edit.id_card = new_id.clone();
        edit.gender = gender.into();
        member::update(&store, &ms.writer().unwrap(), &who, chen.id, &edit, chen.version).await.unwrap();

        #[derive(sqlx::FromRow)]
        struct Secret {
            id: i64,
            id_card_enc: String,
            id_card_masked: String,
            id_card_index: String,
            phone_enc: String,
            phone_masked: String,
        }
        let rows: Vec<Secret> = store
            .db
            .r()
            .fetch_all(q!(
                "SELECT id, id_card_enc, id_card_masked, id_card_index, phone_enc, phone_masked FROM members"
            ))
            .await
            .unwrap();
        assert_eq!(rows.len(), 7, "{backend}");
        let mut plains: Vec<String> = p.members.iter().map(|m| m.id_card.clone()).collect();
        plains.push(new_id.clone());
        for r in &rows {
            let m = p.members.iter().find(|m| m.id() == r.id).unwrap();
            for stored in [&r.id_card_enc, &r.id_card_masked, &r.id_card_index, &r.phone_enc, &r.phone_masked] {
                for plain in &plains {
                    assert!(
                        !stored.contains(plain.as_str()),
                        "{backend}: a stored column holds the plain number {plain}"
                    );
                    // Not even the birth-date middle part in clear (masked keeps 6 + 4).
                    assert!(!stored.contains(&plain[6..14]), "{backend}: {stored}");
                }
                assert!(!stored.contains(&m.phone), "{backend}: a stored column holds the plain phone");
            }
            assert!(r.id_card_masked.contains("********"), "{backend}: {}", r.id_card_masked);
        }
        // Nor in history or audit rows.
        let leaks = |table: &'static str, cols: &'static str| {
            let store = store.clone();
            let plains = plains.clone();
            async move {
                let mut n = 0;
                for plain in &plains {
                    n += store
                        .db
                        .r()
                        .fetch_scalar_i64(q!(
                            format!("SELECT COUNT(*) AS v FROM {table} WHERE {cols} LIKE $1"),
                            format!("%{plain}%")
                        ))
                        .await
                        .unwrap();
                }
                n
            }
        };
        assert_eq!(leaks("member_history", "from_value || to_value || reason").await, 0, "{backend}");
        assert_eq!(leaks("audit_log", "detail || object_id").await, 0, "{backend}");
        // The stored value still decrypts to the new number for those allowed.
        assert_eq!(member::reveal(&store, &ms, &who, chen.id, Protected::IdCard).await.unwrap(), new_id, "{backend}");
    }
}

fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut a = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        a -= 1;
    }
    a
}

#[tokio::test]
async fn list_filters_sorting_and_paging() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let (ms, who) = (testkit::member_scope(&store, &admin).await.unwrap(), testkit::who(&admin));
        let today = today_cn();
        // Someone whose 40th birthday is today: on the edge of every age range that names 40.
        let forty = today.checked_sub_months(Months::new(480)).unwrap();
        let edge = member::create(
            &store,
            &ms.writer().unwrap(),
            &who,
            &testkit::member_input("周年", p.branch_b1.id, forty, 40, MemberStatus::Full),
        )
        .await
        .unwrap();
        assert_eq!(edge.age(), 40, "{backend}");
        // And someone who turns 41 tomorrow: still 40 today.
        let born = today.checked_sub_months(Months::new(492)).unwrap() + Days::new(1);
        let edge = member::create(
            &store,
            &ms.writer().unwrap(),
            &who,
            &testkit::member_input("明日", p.branch_b1.id, born, 41, MemberStatus::Full),
        )
        .await
        .unwrap();
        assert_eq!(edge.age(), 40, "{backend}");

        let names = |f: MemberFilter| {
            let (store, ms) = (store.clone(), ms.clone());
            async move {
                let page = member::list(&store, &ms, &f, 1, 100).await.unwrap();
                assert_eq!(page.total as usize, page.items.len());
                let mut v: Vec<String> = page.items.into_iter().map(|m| m.name).collect();
                v.sort();
                v
            }
        };
        let sorted = |v: &[&str]| {
            let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        let f = |build: fn(&mut MemberFilter)| {
            let mut f = MemberFilter::default();
            build(&mut f);
            f
        };
        assert_eq!(names(f(|f| f.name = "李".into())).await, sorted(&["李娜"]), "{backend}");
        assert_eq!(names(f(|f| f.name = " 娜 ".into())).await, sorted(&["李娜"]), "{backend}: trimmed");
        assert_eq!(
            names(f(|f| f.name = "%".into())).await,
            Vec::<String>::new(),
            "{backend}: % is a character, not a wildcard"
        );
        assert_eq!(names(f(|f| f.name = "_".into())).await, Vec::<String>::new(), "{backend}: so is _");
        assert_eq!(names(f(|f| f.status = "probationary".into())).await, sorted(&["王芳"]), "{backend}");
        assert_eq!(names(f(|f| f.status = "full".into())).await.len(), 8, "{backend}");
        assert_eq!(names(f(|f| f.status = "members".into())).await.len(), 9, "{backend}");
        let r = member::list(&store, &ms, &f(|f| f.status = "nonsense".into()), 1, 10).await;
        assert!(invalid_on(r, "status").contains("无效"), "{backend}");

        let under = |org: i64| MemberFilter { org_id: Some(org), ..Default::default() };
        assert_eq!(names(under(p.branch_a1.id)).await, sorted(&["张伟", "李娜", "赵敏", "王芳"]), "{backend}");
        assert_eq!(names(under(p.unit_a.id)).await, sorted(&["张伟", "李娜", "赵敏", "王芳", "刘洋"]), "{backend}");
        assert_eq!(names(under(p.committee_b.id)).await, sorted(&["陈静", "杨磊", "周年", "明日"]), "{backend}");
        assert_eq!(names(under(p.root.id)).await.len(), 9, "{backend}");
        assert!(
            matches!(member::list(&store, &ms, &under(987_654_321), 1, 10).await, Err(StoreError::NotFound)),
            "{backend}"
        );

        // Age ranges, checked against ages computed here.
        let everyone: Vec<(String, NaiveDate)> = member::list(&store, &ms, &MemberFilter::default(), 1, 100)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|m| (m.name, m.birth_date))
            .collect();
        for (min, max) in [
            (Some(35), Some(45)),
            (Some(40), None),
            (None, Some(40)),
            (Some(40), Some(40)),
            (None, Some(39)),
            (Some(41), None),
            (Some(50), Some(60)),
        ] {
            let mut expected: Vec<String> = everyone
                .iter()
                .filter(|(_, b)| {
                    min.is_none_or(|a| age_on(*b, today) >= a) && max.is_none_or(|a| age_on(*b, today) <= a)
                })
                .map(|(n, _)| n.clone())
                .collect();
            expected.sort();
            let got = names(MemberFilter { min_age: min, max_age: max, ..Default::default() }).await;
            assert_eq!(got, expected, "{backend}: ages {min:?}..={max:?}");
            let includes_edge = min.is_none_or(|a| a <= 40) && max.is_none_or(|a| a >= 40);
            assert_eq!(got.contains(&"周年".to_string()), includes_edge, "{backend}: ages {min:?}..={max:?}");
            assert_eq!(got.contains(&"明日".to_string()), includes_edge, "{backend}: ages {min:?}..={max:?}");
        }
        let r = member::list(
            &store,
            &ms,
            &MemberFilter { min_age: Some(50), max_age: Some(40), ..Default::default() },
            1,
            10,
        )
        .await;
        assert!(invalid_on(r, "min_age").contains("不能大于"), "{backend}");

        // Join year: the fixture joins at 25 (李娜: 1985 + 25).
        let roll = member::list(&store, &ms, &MemberFilter::default(), 1, 100).await.unwrap().items;
        let mut joined_2010: Vec<String> =
            roll.iter().filter(|m| m.join_date.map(|j| j.year()) == Some(2010)).map(|m| m.name.clone()).collect();
        joined_2010.sort();
        assert!(joined_2010.contains(&"李娜".to_string()) && joined_2010.len() < roll.len(), "{backend}");
        assert_eq!(names(MemberFilter { join_year: Some(2010), ..Default::default() }).await, joined_2010, "{backend}");
        assert_eq!(
            names(MemberFilter { join_year: Some(2000), ..Default::default() }).await,
            sorted(&["刘洋"]),
            "{backend}"
        );
        assert_eq!(
            names(MemberFilter { join_year: Some(1999), ..Default::default() }).await,
            Vec::<String>::new(),
            "{backend}"
        );
        let year = today.checked_sub_days(Days::new(100)).unwrap().year();
        assert!(
            names(MemberFilter { join_year: Some(year), ..Default::default() }).await.contains(&"王芳".to_string()),
            "{backend}"
        );

        // Filters combine.
        let combo =
            MemberFilter { org_id: Some(p.unit_a.id), status: "full".into(), min_age: Some(40), ..Default::default() };
        let mut expected: Vec<String> = ["张伟", "李娜", "赵敏", "刘洋"]
            .iter()
            .filter(|n| age_on(p.member(n).detail.birth_date, today) >= 40)
            .map(|n| n.to_string())
            .collect();
        expected.sort();
        assert_eq!(names(combo.clone()).await, expected, "{backend}");
        assert_eq!(
            member::count(&store, &ms, &combo).await.unwrap(),
            expected.len() as i64,
            "{backend}: count agrees with list"
        );

        // Sorting.
        let order = |sort: &str, dir: &str| {
            let (store, ms) = (store.clone(), ms.clone());
            let f = MemberFilter { sort: sort.into(), order: dir.into(), ..Default::default() };
            async move { member::list(&store, &ms, &f, 1, 100).await.unwrap().items }
        };
        let asc = order("birth_date", "asc").await;
        assert!(asc.windows(2).all(|w| w[0].birth_date <= w[1].birth_date), "{backend}");
        assert_eq!(asc[0].name, "杨磊", "{backend}: the oldest first");
        let desc = order("birth_date", "desc").await;
        assert_eq!(desc[0].name, "王芳", "{backend}: the youngest first");
        let by_name: Vec<String> = order("name", "asc").await.into_iter().map(|m| m.name).collect();
        let mut by_name_desc: Vec<String> = order("name", "desc").await.into_iter().map(|m| m.name).collect();
        by_name_desc.reverse();
        assert_eq!(by_name, by_name_desc, "{backend}");
        assert_ne!(
            by_name,
            order("birth_date", "asc").await.into_iter().map(|m| m.name).collect::<Vec<_>>(),
            "{backend}"
        );
        let joined = order("join_date", "asc").await;
        assert_eq!(joined[0].name, "杨磊", "{backend}: joined in 1995");
        // The default order groups members by org.
        let orgs: Vec<i64> = order("", "").await.iter().map(|m| m.org_id).collect();
        for b in [p.branch_a1.id, p.branch_a2.id, p.branch_b1.id] {
            let at: Vec<usize> = orgs.iter().enumerate().filter(|(_, o)| **o == b).map(|(i, _)| i).collect();
            assert_eq!(at.last().unwrap() - at[0] + 1, at.len(), "{backend}: grouped by org: {orgs:?}");
        }

        // Paging: 9 members, 4 a page.
        let mut seen = Vec::new();
        for page in 1..=3 {
            let pg = member::list(&store, &ms, &MemberFilter { sort: "name".into(), ..Default::default() }, page, 4)
                .await
                .unwrap();
            assert_eq!((pg.total, pg.page, pg.per_page, pg.pages()), (9, page, 4, 3), "{backend}");
            assert_eq!(pg.items.len(), if page < 3 { 4 } else { 1 }, "{backend}: page {page}");
            seen.extend(pg.items.into_iter().map(|m| m.name));
        }
        assert_eq!(seen, by_name, "{backend}: pages follow the sort order without gaps or repeats");
        let beyond = member::list(&store, &ms, &MemberFilter::default(), 9, 3).await.unwrap();
        assert_eq!((beyond.total, beyond.items.len()), (9, 0), "{backend}");
        let filtered =
            member::list(&store, &ms, &MemberFilter { org_id: Some(p.branch_a1.id), ..Default::default() }, 2, 3)
                .await
                .unwrap();
        assert_eq!((filtered.total, filtered.items.len()), (4, 1), "{backend}: totals count the filtered rows");
    }
}
