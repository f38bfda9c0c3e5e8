//! Recruitment cases on both engines: the 25 steps with their timers, the
//! approval chain with send-back, the member status moving with the case,
//! documents, plans, the pipeline, and scope.

use chrono::NaiveDate;
use xianfeng_core::auth::{Actor, HigherCommittee, MemberScope};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::recruitment::{Action, Event, Outcome, StepData, Votes};
use xianfeng_store::recruitment::{self as rec, CaseFilter};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{Store, StoreError, Who};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Hand {
    scope: MemberScope,
    higher: Option<HigherCommittee>,
    who: Who,
}

async fn hand(store: &Store, a: &Actor) -> Hand {
    Hand { scope: testkit::member_scope(store, a).await.unwrap(), higher: a.higher_committee(), who: testkit::who(a) }
}

async fn go(
    store: &Store,
    h: &Hand,
    case: i64,
    step: u8,
    action: Action,
    on: &str,
    data: StepData,
) -> Result<rec::CaseDetail, StoreError> {
    rec::act(
        store,
        &h.scope.writer().unwrap(),
        h.higher.as_ref(),
        &h.who,
        case,
        Event { step, action, on: d(on), data },
        None,
    )
    .await
}

fn rule_msg<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Rule(m)) => m,
        other => panic!("expected a rule refusal, got {other:?}"),
    }
}

fn votes(n: u32) -> StepData {
    StepData { votes: Some(Votes { entitled: n, present: n, for_: n, against: 0, abstain: 0 }), ..Default::default() }
}

/// An applicant in branch a1, born 1998.
async fn applicant(store: &Store, p: &Province, name: &str, seq: u32) -> i64 {
    let admin = p.committee_admin();
    let scope = testkit::member_scope(store, &admin).await.unwrap();
    let input = testkit::member_input(name, p.branch_a1.id, d("1998-05-04"), seq, MemberStatus::Applicant);
    xianfeng_store::member::create(store, &scope.writer().unwrap(), &testkit::who(&admin), &input).await.unwrap().id
}

#[tokio::test]
async fn a_case_runs_all_25_steps_with_timers_send_back_and_status() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = hand(&store, &p.branch_secretary(&p.branch_a1)).await;
        let unit = hand(&store, &p.unit_admin(&p.unit_a)).await;
        let person = applicant(&store, &p, "周强", 71).await;
        let status = |store: &Store| {
            let scope = sec.scope.clone();
            let store = store.clone();
            async move { xianfeng_store::member::get(&store, &scope, person).await.unwrap() }
        };

        let case =
            rec::start(&store, &sec.scope.writer().unwrap(), &sec.who, person, d("2024-03-01"), StepData::default())
                .await
                .unwrap();
        assert_eq!((case.next_step, case.person_status.as_str()), (2, "applicant"), "{backend}");
        assert_eq!(case.due_on, Some(d("2024-04-01")), "{backend}: the talk is due within a month");
        let again =
            rec::start(&store, &sec.scope.writer().unwrap(), &sec.who, person, d("2024-03-01"), StepData::default())
                .await;
        assert!(rule_msg(again).contains("已有进行中"), "{backend}");
        let id = case.id;
        let none = StepData::default;
        // A step on an older version of the case is refused, never applied.
        let talk = Event { step: 2, action: Action::Record, on: d("2024-03-20"), data: none() };
        let stale = rec::act(&store, &sec.scope.writer().unwrap(), None, &sec.who, id, talk, Some(0)).await;
        assert!(matches!(stale, Err(StoreError::Stale)), "{backend}: {stale:?}");
        go(&store, &sec, id, 2, Action::Record, "2024-03-20", none()).await.unwrap();

        // The activist timer: six months after the application, the day before is refused with the date.
        let early = rule_msg(go(&store, &sec, id, 3, Action::Record, "2024-08-31", none()).await);
        assert!(early.contains("最早可于 2024-09-01 办理"), "{backend}: {early}");
        let c = go(&store, &sec, id, 3, Action::Record, "2024-09-01", none()).await.unwrap();
        assert_eq!(c.case.person_status.as_str(), "activist", "{backend}");
        assert_eq!(
            status(&store).await.status.as_str(),
            "activist",
            "{backend}: the member record moved with the case"
        );

        // Filing is the higher committee's step.
        assert!(
            rule_msg(go(&store, &sec, id, 4, Action::Record, "2024-09-05", none()).await).contains("由上级党委办理")
        );
        go(&store, &unit, id, 4, Action::Record, "2024-09-05", none()).await.unwrap();
        let mentors = StepData { people: "张伟、李娜".into(), ..Default::default() };
        go(&store, &sec, id, 5, Action::Record, "2024-09-06", mentors.clone()).await.unwrap();
        go(&store, &sec, id, 6, Action::Record, "2025-03-06", none()).await.unwrap();
        let early = rule_msg(go(&store, &sec, id, 7, Action::Record, "2025-08-31", none()).await);
        assert!(early.contains("2025-09-01"), "{backend}: a year as activist: {early}");
        go(&store, &sec, id, 7, Action::Record, "2025-09-01", none()).await.unwrap();
        go(&store, &unit, id, 8, Action::Record, "2025-09-02", none()).await.unwrap();
        go(&store, &sec, id, 9, Action::Record, "2025-09-03", mentors).await.unwrap();
        go(&store, &sec, id, 10, Action::Record, "2025-09-04", none()).await.unwrap();
        let hours = |h| StepData { hours: Some(h), ..Default::default() };
        assert!(rule_msg(go(&store, &sec, id, 11, Action::Record, "2025-09-10", hours(16)).await).contains("24学时"));
        go(&store, &sec, id, 11, Action::Record, "2025-09-10", hours(24)).await.unwrap();
        go(&store, &sec, id, 12, Action::Record, "2025-09-12", none()).await.unwrap();
        let notice =
            StepData { notice_from: Some(d("2025-09-13")), notice_to: Some(d("2025-09-19")), ..Default::default() };
        go(&store, &sec, id, 13, Action::Submit, "2025-09-15", notice).await.unwrap();
        assert!(rule_msg(go(&store, &sec, id, 13, Action::Approve, "2025-09-20", none()).await).contains("上级党委"));
        let e = rule_msg(go(&store, &unit, id, 13, Action::Approve, "2025-09-18", none()).await);
        assert!(e.contains("公示期至 2025-09-19"), "{backend}: {e}");
        go(&store, &unit, id, 13, Action::Approve, "2025-09-20", none()).await.unwrap();
        go(&store, &sec, id, 14, Action::Record, "2025-09-22", none()).await.unwrap();
        go(&store, &sec, id, 15, Action::Record, "2025-09-25", votes(9)).await.unwrap();
        go(&store, &unit, id, 16, Action::Record, "2025-09-28", none()).await.unwrap();
        go(&store, &sec, id, 17, Action::Submit, "2025-09-29", none()).await.unwrap();
        // Sent back to the vote; the history keeps both votes.
        let back =
            StepData { return_to: Some(15), note: "表决记录缺少弃权人数".into(), ..Default::default() };
        let c = go(&store, &unit, id, 17, Action::Return, "2025-09-30", back).await.unwrap();
        assert_eq!((c.case.next_step, c.case.pending_step), (15, None), "{backend}");
        assert_eq!(c.done_on(&15), None, "{backend}");
        go(&store, &sec, id, 15, Action::Record, "2025-10-09", votes(10)).await.unwrap();
        go(&store, &unit, id, 16, Action::Record, "2025-10-10", none()).await.unwrap();
        go(&store, &sec, id, 17, Action::Submit, "2025-10-11", none()).await.unwrap();
        let c = go(&store, &unit, id, 17, Action::Approve, "2025-10-20", none()).await.unwrap();
        assert_eq!(c.case.person_status.as_str(), "probationary", "{backend}");
        assert_eq!(c.case.admitted_on, Some(d("2025-10-09")), "{backend}: probation counts from the vote");
        assert_eq!(c.case.probation_end, Some(d("2026-10-09")), "{backend}");
        let m = status(&store).await;
        assert_eq!((m.status.as_str(), m.join_date), ("probationary", Some(d("2025-10-09"))), "{backend}");

        go(&store, &unit, id, 18, Action::Record, "2025-10-25", none()).await.unwrap();
        for (s, on) in [(19, "2025-10-26"), (20, "2025-11-01"), (21, "2026-04-01")] {
            go(&store, &sec, id, s, Action::Record, on, none()).await.unwrap();
        }
        let early = rule_msg(go(&store, &sec, id, 22, Action::Record, "2026-10-08", none()).await);
        assert!(early.contains("预备期满") && early.contains("2026-10-09"), "{backend}: {early}");
        go(&store, &sec, id, 22, Action::Record, "2026-10-09", none()).await.unwrap();
        go(&store, &sec, id, 23, Action::Record, "2026-10-15", votes(10)).await.unwrap();
        go(&store, &sec, id, 24, Action::Submit, "2026-10-16", none()).await.unwrap();
        let full = StepData { outcome: Some(Outcome::Full), ..Default::default() };
        go(&store, &unit, id, 24, Action::Approve, "2026-10-20", full).await.unwrap();
        let m = status(&store).await;
        assert_eq!(
            (m.status.as_str(), m.full_date),
            ("full", Some(d("2026-10-09"))),
            "{backend}: full from the end of probation"
        );
        crate::rollups::agrees(&store, &p, &format!("{backend}: after the steps that changed the status")).await;
        let c = go(&store, &sec, id, 25, Action::Record, "2026-10-21", none()).await.unwrap();
        assert_eq!(c.case.state.as_str(), "completed", "{backend}");
        assert_eq!(
            c.events.len(),
            32,
            "{backend}: 25 steps (3 of them submissions), 3 approvals, a send-back, the redone vote, talk and submission"
        );
        assert!(c.events.iter().any(|e| e.action.as_str() == "return" && e.summary.contains("缺少弃权")), "{backend}");
        let hist = xianfeng_store::member::history(&store, &sec.scope, person).await.unwrap();
        let moves = hist.iter().filter(|h| h.change == "status").count();
        assert_eq!(moves, 4, "{backend}: activist, candidate, probationary, full — each kept in the member's history");
        assert!(rule_msg(go(&store, &sec, id, 25, Action::Record, "2026-10-22", none()).await).contains("已经结束"));
    }
}

#[tokio::test]
async fn cases_are_scoped_and_the_pipeline_counts_against_the_plan() {
    for (backend, store) in testkit::all_stores().await {
        let p = Province::build(&store).await.unwrap();
        let sec = hand(&store, &p.branch_secretary(&p.branch_a1)).await;
        let a = applicant(&store, &p, "吴迪", 72).await;
        let b = applicant(&store, &p, "郑爽", 73).await;
        let ca = rec::start(&store, &sec.scope.writer().unwrap(), &sec.who, a, d("2025-01-02"), StepData::default())
            .await
            .unwrap();
        // The newest applicant applied three days ago, whatever today is.
        let recent = xianfeng_core::text::today_cn() - chrono::Days::new(3);
        rec::start(&store, &sec.scope.writer().unwrap(), &sec.who, b, recent, StepData::default()).await.unwrap();
        go(&store, &sec, ca.id, 2, Action::Record, "2025-01-10", StepData::default()).await.unwrap();
        go(&store, &sec, ca.id, 3, Action::Record, "2025-07-02", StepData::default()).await.unwrap();
        // Not an applicant: refused.
        let full = p.member("张伟").id();
        let r = rec::start(&store, &sec.scope.writer().unwrap(), &sec.who, full, d("2025-01-02"), StepData::default())
            .await;
        assert!(rule_msg(r).contains("只有入党申请人"), "{backend}");

        // Another branch and another unit see nothing of it.
        for other in [p.branch_secretary(&p.branch_a2), p.unit_admin(&p.unit_b)] {
            let h = hand(&store, &other).await;
            assert!(matches!(rec::get(&store, &h.scope, None, ca.id).await, Err(StoreError::NotFound)), "{backend}");
            assert!(
                rec::cases(&store, &h.scope, &CaseFilter::default(), 1, 100).await.unwrap().items.is_empty(),
                "{backend}"
            );
            let r = go(&store, &h, ca.id, 4, Action::Record, "2025-07-05", StepData::default()).await;
            assert!(matches!(r, Err(StoreError::NotFound)), "{backend}");
        }
        let listed = rec::cases(&store, &sec.scope, &CaseFilter::default(), 1, 100).await.unwrap().items;
        assert_eq!(listed.len(), 2, "{backend}");
        // Paged: a page of one says there are two, and the second page holds the other.
        let first = rec::cases(&store, &sec.scope, &CaseFilter::default(), 1, 1).await.unwrap();
        let second = rec::cases(&store, &sec.scope, &CaseFilter::default(), 2, 1).await.unwrap();
        assert_eq!((first.total, first.items.len(), second.total, second.items.len()), (2, 1, 2, 1), "{backend}");
        assert_eq!(
            [first.items[0].id, second.items[0].id],
            [listed[0].id, listed[1].id],
            "{backend}: the pages keep the list's order"
        );
        let f = CaseFilter { status: "activist".into(), ..Default::default() };
        assert_eq!(rec::cases(&store, &sec.scope, &f, 1, 100).await.unwrap().items.len(), 1, "{backend}");

        // Plans: a unit sets its own; a branch cannot.
        let ua = p.unit_admin(&p.unit_a);
        let os = testkit::org_scope(&ua).unwrap();
        let year = xianfeng_core::text::today_cn().format("%Y").to_string().parse::<i32>().unwrap();
        rec::set_plan(&store, &os.writer().unwrap(), &testkit::who(&ua), p.unit_a.id, year, 5, "").await.unwrap();
        let bs = testkit::org_scope(&p.branch_secretary(&p.branch_a1)).unwrap();
        let r = rec::set_plan(&store, &bs.writer().unwrap(), &sec.who, p.unit_a.id, year, 9, "").await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{backend}");
        let r = rec::set_plan(&store, &os.writer().unwrap(), &testkit::who(&ua), p.branch_a1.id, year, 9, "").await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{backend}: plans are per unit");

        let admin = p.committee_admin();
        let pl = rec::pipeline(&store, &testkit::org_scope(&admin).unwrap(), year).await.unwrap();
        let row = pl.rows.iter().find(|r| r.committee_id == p.unit_a.id).unwrap();
        assert_eq!((row.applicants, row.activists, row.planned), (1, 1, Some(5)), "{backend}");
        assert_eq!(row.overdue, 0, "{backend}");
        assert_eq!(pl.total.in_pipeline(), 2, "{backend}");
        // The newest applicant's talk is due within a month: it is in the warning window.
        assert_eq!(row.due_soon + row.overdue, 1, "{backend}");
        let pb = rec::pipeline(&store, &testkit::org_scope(&p.unit_admin(&p.unit_b)).unwrap(), year).await.unwrap();
        assert!(pb.rows.is_empty(), "{backend}: unit B sees none of unit A");

        // Documents: a PDF goes on step 1; a disguised file is refused.
        let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF".to_vec();
        let doc =
            rec::add_document(&store, &sec.scope.writer().unwrap(), &sec.who, ca.id, 1, "入党申请书.pdf", pdf.clone())
                .await
                .unwrap();
        let (row, bytes) = rec::document(&store, &sec.scope, ca.id, doc.id).await.unwrap();
        assert_eq!((row.file_name.as_str(), bytes), ("入党申请书.pdf", pdf), "{backend}");
        let bad =
            rec::add_document(&store, &sec.scope.writer().unwrap(), &sec.who, ca.id, 1, "a.pdf", b"<html>".to_vec())
                .await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))), "{backend}");
        let h = hand(&store, &p.branch_secretary(&p.branch_a2)).await;
        assert!(matches!(rec::document(&store, &h.scope, ca.id, doc.id).await, Err(StoreError::NotFound)), "{backend}");
    }
}
