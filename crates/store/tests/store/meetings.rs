//! Meetings, attendance, check-in and compliance, on both engines.

use chrono::NaiveDate;
use xianfeng_core::meeting::{MeetingKinds, MeetingStatus, PlanInput};
use xianfeng_core::rules::Rule;
use xianfeng_core::text::today_cn;
use xianfeng_store::compliance;
use xianfeng_store::meeting::{self, AttendanceMark, CheckinOutcome, MeetingFilter, MeetingRow, RecordInput};
use xianfeng_store::org::OrgRow;
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{Store, StoreError, q};

use crate::invalid_on;

fn plan_input(kind: &str, day: &str) -> PlanInput {
    PlanInput {
        kind: kind.into(),
        planned_on: day.into(),
        start_time: "09:30".into(),
        place: "三楼会议室".into(),
        topic: "学习贯彻党的二十届四中全会精神".into(),
        host: "张伟".into(),
        recorder: "李娜".into(),
    }
}

/// A meeting today whose check-in is open at any hour the suite runs: without a
/// start time check-in opens at midnight (with one it opens half an hour before
/// the start, so a 09:30 meeting refuses a scan at 00:10).
fn open_for_checkin(kind: &str, day: &str) -> PlanInput {
    PlanInput { start_time: String::new(), ..plan_input(kind, day) }
}

fn mark(p: &Province, name: &str, presence: &str) -> AttendanceMark {
    AttendanceMark {
        member_id: p.member(name).id(),
        presence: presence.into(),
        reason: if presence == "leave" { "出差".into() } else { String::new() },
    }
}

fn record_input(day: &str, marks: Vec<AttendanceMark>, version: i64) -> RecordInput {
    RecordInput {
        version,
        held_on: day.into(),
        topic: "学习贯彻党的二十届四中全会精神".into(),
        minutes: "传达学习全会精神，结合工作实际交流发言。".into(),
        attendance: marks,
        ..Default::default()
    }
}

/// Plans and records a meeting as the committee admin; returns the recorded row.
async fn held(
    store: &Store,
    p: &Province,
    org: &OrgRow,
    kind: &str,
    day: &str,
    marks: Vec<AttendanceMark>,
) -> MeetingRow {
    let admin = p.committee_admin();
    let (os, who) = (admin.org_scope().unwrap(), testkit::who(&admin));
    let m = meeting::plan(store, &os.writer().unwrap(), &who, org.id, &plan_input(kind, day)).await.unwrap();
    meeting::record(store, &os.writer().unwrap(), &who, m.id, &record_input(day, marks, m.version)).await.unwrap()
}

#[tokio::test]
async fn planning_prefills_attendees_and_quorum_decides_whether_a_meeting_counts() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = p.branch_secretary(&p.branch_a1);
        let (os, who) = (sec.org_scope().unwrap(), testkit::who(&sec));

        let m = meeting::plan(
            &store,
            &os.writer().unwrap(),
            &who,
            p.branch_a1.id,
            &plan_input("branch_general_meeting", "2025-03-10"),
        )
        .await
        .unwrap();
        assert_eq!((m.status.as_str(), m.expected_count), ("planned", 4), "{backend}");
        let people = meeting::attendees(&store, &m).await.unwrap();
        let voting: Vec<&str> = people.iter().filter(|a| a.voting).map(|a| a.name.as_str()).collect();
        assert_eq!(voting.len(), 3, "{backend}: probationary 王芳 has no vote");
        assert!(!voting.contains(&"王芳"), "{backend}");

        // Only one of three voting members present: recorded, flagged, not counted.
        let r = meeting::record(
            &store,
            &os.writer().unwrap(),
            &who,
            m.id,
            &record_input(
                "2025-03-10",
                vec![mark(&p, "张伟", "present"), mark(&p, "李娜", "leave"), mark(&p, "王芳", "present")],
                m.version,
            ),
        )
        .await
        .unwrap();
        assert_eq!((r.status.as_str(), r.present_count, r.leave_count, r.absent_count), ("held", 2, 1, 1), "{backend}");
        assert_eq!((r.voting_total, r.voting_present, r.quorum_met, r.counted), (3, 1, false, false), "{backend}");
        assert!(r.quorum_note().contains("不计入"), "{backend}: {}", r.quorum_note());

        // Correcting 李娜 to present reaches the quorum (2 of 3) and the meeting counts.
        let stale = meeting::correct_attendance(
            &store,
            &os.writer().unwrap(),
            &who,
            m.id,
            &mark(&p, "李娜", "present"),
            r.version - 1,
        )
        .await;
        assert!(matches!(stale, Err(StoreError::Stale)), "{backend}: a correction of an older version");
        let c = meeting::correct_attendance(
            &store,
            &os.writer().unwrap(),
            &who,
            m.id,
            &mark(&p, "李娜", "present"),
            r.version,
        )
        .await
        .unwrap();
        assert_eq!((c.voting_present, c.quorum_met, c.counted), (2, true, true), "{backend}");
        let audit: i64 = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                "SELECT COUNT(*) AS v FROM audit_log WHERE action = 'correct_attendance' AND object_id = $1",
                m.id.to_string()
            ))
            .await
            .unwrap();
        assert_eq!(audit, 1, "{backend}: the correction is audited");
        // A status or presence the program does not know is an error on
        // reading, never read as "planned" or "pending".
        store.db.run_script(&format!("UPDATE meetings SET status = 'postponed' WHERE id = {}", m.id)).await.unwrap();
        let e = meeting::get(&store, &os, m.id).await.map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("未知的会议状态：“postponed”"), "{backend}: {e}");
        store.db.run_script(&format!("UPDATE meetings SET status = 'held' WHERE id = {}", m.id)).await.unwrap();
        let held = meeting::get(&store, &os, m.id).await.unwrap();
        store
            .db
            .run_script(&format!(
                "UPDATE meeting_attendees SET presence = 'late' WHERE meeting_id = {} AND member_id = {}",
                m.id,
                p.member("李娜").id()
            ))
            .await
            .unwrap();
        let e = meeting::attendees(&store, &held).await.map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("未知的出勤状态：“late”"), "{backend}: {e}");
        store
            .db
            .run_script(&format!(
                "UPDATE meeting_attendees SET presence = 'present' WHERE meeting_id = {} AND member_id = {}",
                m.id,
                p.member("李娜").id()
            ))
            .await
            .unwrap();

        let v = compliance::view(&store, &os, p.branch_a1.id, 2025, false).await.unwrap();
        let general = &v.total.kinds["branch_general_meeting"];
        assert_eq!((general.expected, general.met), (4, 1), "{backend}");

        // Leave without a reason, a future date and empty minutes are refused by field.
        let m2 = meeting::plan(
            &store,
            &os.writer().unwrap(),
            &who,
            p.branch_a1.id,
            &plan_input("party_lecture", "2025-05-10"),
        )
        .await
        .unwrap();
        let mut bad = record_input(
            "2099-01-01",
            vec![AttendanceMark { reason: String::new(), ..mark(&p, "张伟", "leave") }],
            m2.version,
        );
        bad.minutes = " ".into();
        let r = meeting::record(&store, &os.writer().unwrap(), &who, m2.id, &bad).await;
        let Err(StoreError::Invalid(errs)) = r else { panic!("{backend}: {r:?}") };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["held_on", "minutes", "attendance"], "{backend}");
        assert_eq!(
            meeting::get(&store, &os, m2.id).await.unwrap().status.as_str(),
            "planned",
            "{backend}: nothing written"
        );

        // A branch cannot plan a unit's central-group session.
        let r = meeting::plan(
            &store,
            &os.writer().unwrap(),
            &who,
            p.branch_a1.id,
            &plan_input("central_group", "2025-05-10"),
        )
        .await;
        assert!(invalid_on(r, "kind").contains("单位党组"), "{backend}");
    }
}

#[tokio::test]
async fn compliance_rolls_up_against_a_hand_checked_fixture() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let all =
            |p: &Province| vec![mark(p, "张伟", "present"), mark(p, "李娜", "present"), mark(p, "赵敏", "present")];
        held(&store, &p, &p.branch_a1, "branch_general_meeting", "2025-02-20", all(&p)).await;
        held(&store, &p, &p.branch_a1, "theme_day", "2025-01-05", all(&p)).await;
        held(&store, &p, &p.branch_a1, "theme_day", "2025-02-05", all(&p)).await;
        // A second theme day in February does not make up for March.
        held(&store, &p, &p.branch_a1, "theme_day", "2025-02-25", all(&p)).await;
        held(&store, &p, &p.branch_a2, "life_meeting", "2025-12-20", vec![]).await;
        held(&store, &p, &p.group_a1, "group_meeting", "2025-03-02", vec![]).await;
        held(&store, &p, &p.unit_a, "central_group", "2025-05-08", vec![]).await;
        // A 2024 meeting does not count for 2025.
        held(&store, &p, &p.branch_b1, "theme_day", "2024-12-05", vec![]).await;

        let admin = p.committee_admin();
        let os = admin.org_scope().unwrap();
        // By hand, for 2025 (every cycle has ended):
        // branch: 4 general + 4 lectures + 12 theme days + life + review + talk = 23; group: 12;
        // party committee: 1 secretary lecture; unit: 4 central group + 12 first agenda = 16.
        // Unit A = 16 + 1 + 2×23 + 2×12 = 87, met 1 + 2 + 1 + 1 + 1 = 6; unit B = 16 + 1 + 23 + 12 = 52, met 0.
        let v = compliance::view(&store, &os, p.root.id, 2025, false).await.unwrap();
        assert_eq!((v.total.all.expected, v.total.all.met, v.total.all.held), (139, 6, 7), "{backend}");
        assert_eq!(v.rows.len(), 2, "{backend}");
        let row = |name: &str| v.rows.iter().find(|r| r.name == name).unwrap();
        let a = &row("省工业和信息化厅").totals;
        assert_eq!((a.all.expected, a.all.met, a.orgs_expected, a.orgs_complete), (87, 6, 6, 0), "{backend}");
        assert_eq!((row("省教育厅").totals.all.expected, row("省教育厅").totals.all.met), (52, 0), "{backend}");
        assert_eq!(row("省工业和信息化厅").cell("theme_day"), "2/24", "{backend}");

        // By district: both fixture units are in 贵阳市.
        let d = compliance::view(&store, &os, p.root.id, 2025, true).await.unwrap();
        assert_eq!(d.rows.len(), 1, "{backend}");
        assert_eq!((d.rows[0].name.as_str(), d.rows[0].totals.all.met), ("贵阳市", 6), "{backend}");

        // Drill-down into unit A's committee: one row per child branch, then the missing meetings of branch a1.
        let c = compliance::view(&store, &os, p.committee_a.id, 2025, false).await.unwrap();
        let names: Vec<&str> = c.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["省工业和信息化厅机关党委（本级）", "办公室党支部", "规划处党支部"], "{backend}");
        let miss = compliance::missing(&store, &os, p.branch_a1.id, 2025, "branch_general_meeting").await.unwrap();
        let periods: Vec<&str> = miss.iter().map(|m| m.missing.period.as_str()).collect();
        assert_eq!(periods, ["2025年第2季度", "2025年第3季度", "2025年第4季度"], "{backend}");
        let theme = compliance::missing(&store, &os, p.branch_a1.id, 2025, "theme_day").await.unwrap();
        assert_eq!(theme.len(), 10, "{backend}: March to December");

        // A unit admin sees only their unit; its numbers are the same as in the province view.
        let ua = p.unit_admin(&p.unit_b);
        let r = compliance::view(&store, &ua.org_scope().unwrap(), p.unit_a.id, 2025, false).await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}");
        let b = compliance::view(&store, &ua.org_scope().unwrap(), p.unit_b.id, 2025, false).await.unwrap();
        assert_eq!((b.total.all.expected, b.total.all.met), (52, 0), "{backend}");

        // The maintained tallies equal a rebuild from the meetings.
        let before: Vec<(i64, i64, String)> = tallies(&store).await;
        // Only the console's province-wide scope rebuilds every tally.
        let unit_admin = p.unit_admin(&p.unit_b).org_scope().unwrap();
        assert!(
            matches!(meeting::rebuild_tallies(&store, &unit_admin.writer().unwrap()).await, Err(StoreError::Forbidden)),
            "{backend}"
        );
        let console = xianfeng_core::auth::operator::province_org_scope(&p.root.path);
        meeting::rebuild_tallies(&store, &console.writer().unwrap()).await.unwrap();
        assert_eq!(tallies(&store).await, before, "{backend}");
    }
}

async fn tallies(store: &Store) -> Vec<(i64, i64, String)> {
    #[derive(sqlx::FromRow)]
    struct T {
        org_id: i64,
        year: i64,
        tally: String,
    }
    let rows: Vec<T> = store
        .db
        .r()
        .fetch_all(q!("SELECT org_id, year, tally FROM meeting_tallies ORDER BY org_id, year"))
        .await
        .unwrap();
    rows.into_iter().map(|t| (t.org_id, t.year, t.tally)).collect()
}

#[tokio::test]
async fn a_frequency_changed_mid_year_applies_from_its_date() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let admin = p.committee_admin();
        let os = admin.org_scope().unwrap();
        let theme = |v: &compliance::View| v.total.kinds["theme_day"].expected;
        let before = compliance::view(&store, &os, p.branch_a1.id, 2025, false).await.unwrap();
        assert_eq!(theme(&before), 12, "{backend}");

        let mut kinds = MeetingKinds::default();
        kinds.kinds.iter_mut().find(|k| k.id == "theme_day").unwrap().cycle = xianfeng_core::meeting::Cycle::Quarter;
        let value = serde_json::to_value(&kinds).unwrap();
        let who = testkit::who(&admin);
        // Not on the 1st of a month: refused.
        let r = xianfeng_store::rules::add_version(
            &store,
            &admin,
            &who,
            MeetingKinds::KEY,
            NaiveDate::from_ymd_opt(2025, 7, 15).unwrap(),
            &value,
            "",
        )
        .await;
        assert!(invalid_on(r, "value").contains("1日"), "{backend}");
        xianfeng_store::rules::add_version(
            &store,
            &admin,
            &who,
            MeetingKinds::KEY,
            NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            &value,
            "工委会议决定",
        )
        .await
        .unwrap();
        let after = compliance::view(&store, &os, p.branch_a1.id, 2025, false).await.unwrap();
        assert_eq!(theme(&after), 6 + 2, "{backend}: monthly to June, then quarterly");
        let y2024 = compliance::view(&store, &os, p.branch_a1.id, 2024, false).await.unwrap();
        assert_eq!(theme(&y2024), 12, "{backend}: earlier years keep the old rule");
        // Only the working committee changes it.
        let ua = p.unit_admin(&p.unit_a);
        let r = xianfeng_store::rules::add_version(
            &store,
            &ua,
            &testkit::who(&ua),
            MeetingKinds::KEY,
            NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
            &value,
            "",
        )
        .await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{backend}");
    }
}

#[tokio::test]
async fn check_in_is_idempotent_under_concurrency_and_scoped() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = p.branch_secretary(&p.branch_a1);
        let (os, who) = (sec.org_scope().unwrap(), testkit::who(&sec));
        let today = today_cn().to_string();
        let m =
            meeting::plan(&store, &os.writer().unwrap(), &who, p.branch_a1.id, &open_for_checkin("theme_day", &today))
                .await
                .unwrap();

        let zhang = p.member_actor("张伟");
        let me = zhang.attendee().unwrap();
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let (store, me, who, token) = (store.clone(), me.clone(), testkit::who(&zhang), meeting::current_code(&m));
            tasks.push(tokio::spawn(async move { meeting::checkin(&store, &me, &who, m.id, &token).await }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap().unwrap());
        }
        assert_eq!(outcomes.iter().filter(|o| **o == CheckinOutcome::CheckedIn).count(), 1, "{backend}: {outcomes:?}");
        assert_eq!(meeting::checked_in_count(&store, &m).await.unwrap(), 1, "{backend}");
        let audits: i64 = store
            .db
            .r()
            .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM audit_log WHERE action = 'check_in'"))
            .await
            .unwrap();
        assert_eq!(audits, 1, "{backend}: one record, one audit row");

        // A wrong code, or the code of a minute long gone (a photo sent home), is refused and
        // counted for the organizer; the meeting secret itself is no code.
        let refused_before = meeting::get(&store, &os, m.id).await.unwrap().checkin_refused;
        for code in ["0000".to_string(), m.checkin_token.clone()] {
            let r = meeting::checkin(&store, &me, &testkit::who(&zhang), m.id, &code).await;
            assert!(matches!(r, Err(StoreError::Rule(ref s)) if s.contains("签到码不正确")), "{backend}: {r:?}");
        }
        let old = xianfeng_core::meeting::checkin_code(
            &m.checkin_token,
            xianfeng_core::meeting::checkin_period(xianfeng_core::text::now_ms()) - 5,
        );
        let r = meeting::checkin(&store, &me, &testkit::who(&zhang), m.id, &old).await;
        assert!(matches!(r, Err(StoreError::Rule(ref s)) if s.contains("已过期")), "{backend}: {r:?}");
        let refused = meeting::get(&store, &os, m.id).await.unwrap().checkin_refused;
        assert_eq!(refused, refused_before + 3, "{backend}: refusals counted for the organizer");
        // A meeting of another unit looks like no meeting.
        let chen = p.member_actor("陈静");
        let r =
            meeting::checkin(&store, &chen.attendee().unwrap(), &testkit::who(&chen), m.id, &meeting::current_code(&m))
                .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}");
        // A member of the same unit but another branch is not expected here.
        let liu = p.member_actor("刘洋");
        let r =
            meeting::checkin(&store, &liu.attendee().unwrap(), &testkit::who(&liu), m.id, &meeting::current_code(&m))
                .await;
        assert!(matches!(r, Err(StoreError::Rule(ref s)) if s.contains("不在本次会议")), "{backend}: {r:?}");
        // Only members check in.
        assert!(sec.attendee().is_err(), "{backend}");

        // A unit-wide lecture planned at the committee: any member below may join by scanning.
        let lecture = meeting::plan(
            &store,
            &os_admin(&p).writer().unwrap(),
            &who,
            p.committee_a.id,
            &open_for_checkin("secretary_lecture", &today),
        )
        .await
        .unwrap();
        assert_eq!(lecture.expected_count, 0, "{backend}");
        let r = meeting::checkin(
            &store,
            &liu.attendee().unwrap(),
            &testkit::who(&liu),
            lecture.id,
            &meeting::current_code(&lecture),
        )
        .await
        .unwrap();
        assert_eq!(r, CheckinOutcome::CheckedIn, "{backend}");
        assert_eq!(meeting::get(&store, &os_admin(&p), lecture.id).await.unwrap().expected_count, 1, "{backend}");

        // A future meeting cannot be checked in yet; a recorded one no longer.
        let future = meeting::plan(
            &store,
            &os.writer().unwrap(),
            &who,
            p.branch_a1.id,
            &plan_input("party_lecture", "2099-01-01"),
        )
        .await
        .unwrap();
        let r = meeting::checkin(&store, &me, &testkit::who(&zhang), future.id, &meeting::current_code(&future)).await;
        assert!(matches!(r, Err(StoreError::Rule(ref s)) if s.contains("届时")), "{backend}: {r:?}");
        let version = meeting::get(&store, &os, m.id).await.unwrap().version;
        let rec = meeting::record(&store, &os.writer().unwrap(), &who, m.id, &record_input(&today, vec![], version))
            .await
            .unwrap();
        assert_eq!((rec.present_count, rec.absent_count), (1, 3), "{backend}: check-in kept, the rest absent");
        let li = p.member_actor("李娜");
        let r = meeting::checkin(&store, &li.attendee().unwrap(), &testkit::who(&li), m.id, &meeting::current_code(&m))
            .await;
        assert!(matches!(r, Err(StoreError::Rule(ref s)) if s.contains("结束签到")), "{backend}: {r:?}");

        // The member's own page lists the meeting with their mark.
        let mine = meeting::my_meetings(&store, &me, 1, 10).await.unwrap().items;
        assert!(mine.iter().any(|x| x.id == m.id && x.presence.as_str() == "present"), "{backend}");
    }
}

fn os_admin(p: &Province) -> xianfeng_core::auth::OrgScope {
    p.unit_admin(&p.unit_a).org_scope().unwrap()
}

#[tokio::test]
async fn meetings_are_scoped_and_cancelling_stops_counting() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let m = held(
            &store,
            &p,
            &p.branch_a1,
            "theme_day",
            "2025-04-05",
            vec![mark(&p, "张伟", "present"), mark(&p, "李娜", "present")],
        )
        .await;
        for (who_is, actor) in [
            ("unit B admin", p.unit_admin(&p.unit_b)),
            ("branch a2 secretary", p.branch_secretary(&p.branch_a2)),
            ("branch b1 secretary", p.branch_secretary(&p.branch_b1)),
        ] {
            let os = actor.org_scope().unwrap();
            assert!(matches!(meeting::get(&store, &os, m.id).await, Err(StoreError::NotFound)), "{backend} {who_is}");
            let r = meeting::cancel(&store, &os.writer().unwrap(), &testkit::who(&actor), m.id, "误录", None).await;
            assert!(matches!(r, Err(StoreError::NotFound)), "{backend} {who_is}");
            let list = meeting::list(&store, &os, &MeetingFilter::default(), 1, 50).await.unwrap();
            assert_eq!(list.total, 0, "{backend} {who_is}");
        }
        for actor in [p.unit_admin(&p.unit_a), p.branch_secretary(&p.branch_a1), p.committee_admin()] {
            let list =
                meeting::list(&store, &actor.org_scope().unwrap(), &MeetingFilter::default(), 1, 50).await.unwrap();
            assert_eq!(list.total, 1, "{backend} {:?}", actor.role);
        }
        // A member has no org scope: the branch's meetings are not theirs to read or plan
        // (their own attendance comes through their own capability); even their branch card
        // is read-only.
        let zhang = p.member_actor("张伟");
        assert!(zhang.org_scope().is_err(), "{backend}");
        // A read-only scope cannot even hold the write capability.
        let r = match zhang.own_branch().unwrap().writer() {
            Ok(w) => {
                meeting::plan(&store, &w, &testkit::who(&zhang), p.branch_a1.id, &plan_input("theme_day", "2025-05-05"))
                    .await
            }
            Err(e) => Err(StoreError::from(e)),
        };
        assert!(matches!(r, Err(StoreError::Forbidden)), "{backend}");

        let sec = p.branch_secretary(&p.branch_a1);
        let os = sec.org_scope().unwrap();
        let before = compliance::view(&store, &os, p.branch_a1.id, 2025, false).await.unwrap();
        assert_eq!(before.total.kinds["theme_day"].met, 1, "{backend}");
        let r = meeting::cancel(&store, &os.writer().unwrap(), &testkit::who(&sec), m.id, " ", None).await;
        assert_eq!(invalid_on(r, "reason"), "请填写取消原因", "{backend}");
        // A cancel made from a page that showed an older version is refused:
        // someone saved the meeting since, and the canceller must look again.
        let seen = meeting::get(&store, &os, m.id).await.unwrap().version;
        meeting::add_attendees(&store, &os.writer().unwrap(), &testkit::who(&sec), m.id, &[], Some(seen))
            .await
            .unwrap();
        let r = meeting::add_attendees(&store, &os.writer().unwrap(), &testkit::who(&sec), m.id, &[], Some(seen)).await;
        assert!(matches!(r, Err(StoreError::Stale)), "{backend}: {r:?}");
        let r = meeting::cancel(&store, &os.writer().unwrap(), &testkit::who(&sec), m.id, "误录", Some(seen)).await;
        assert!(matches!(r, Err(StoreError::Stale)), "{backend}: {r:?}");
        assert_eq!(meeting::get(&store, &os, m.id).await.unwrap().status, MeetingStatus::Held, "{backend}");
        meeting::cancel(&store, &os.writer().unwrap(), &testkit::who(&sec), m.id, "误录，实际未召开", Some(seen + 1))
            .await
            .unwrap();
        let after = compliance::view(&store, &os, p.branch_a1.id, 2025, false).await.unwrap();
        assert_eq!(after.total.kinds["theme_day"].met, 0, "{backend}");
    }
}
