//! The 25 steps, their timers and send-backs.

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn ev(step: u8, action: Action, on: &str) -> Event {
    Event { step, action, on: d(on), data: StepData::default() }
}
fn with(mut e: Event, f: impl FnOnce(&mut StepData)) -> Event {
    f(&mut e.data);
    e
}
const TODAY: &str = "2030-01-01";

/// Checks then applies, like the store does.
fn go(st: &mut CaseState, r: &RecruitmentRules, e: Event, level: Level) -> Result<(), Refusal> {
    check(st, r, &e, level, d(TODAY))?;
    st.apply(&e, r);
    Ok(())
}
fn rec(st: &mut CaseState, r: &RecruitmentRules, step: u8, on: &str) {
    go(st, r, ev(step, Action::Record, on), if step_def_higher(step) { Level::Higher } else { Level::Branch })
        .unwrap_or_else(|e| panic!("step {step}: {}", e.message));
}
fn step_def_higher(n: u8) -> bool {
    step(n).unwrap().by_higher
}

#[test]
fn probation_ends_a_year_after_admission() {
    let r = RecruitmentRules::default();
    assert_eq!(r.probation_end(d("2025-07-01")), d("2026-07-01"));
    assert_eq!(r.probation_end(d("2024-02-29")), d("2025-02-28"), "a leap day ends on the last day of February");
    r.check().unwrap();
    let bad = RecruitmentRules { probation_months: 6, ..r.clone() };
    assert!(bad.check().unwrap_err().contains("一年"));
    let bad = RecruitmentRules { extension_max_months: 18, ..r.clone() };
    assert!(bad.check().is_err());
    let bad = RecruitmentRules { activist_min_months: 6, ..r };
    assert!(bad.check().unwrap_err().contains("一年以上"));
}

#[test]
fn there_are_25_steps_in_5_stages_in_order() {
    assert_eq!(STEPS.len(), 25);
    for (i, s) in STEPS.iter().enumerate() {
        assert_eq!(usize::from(s.no), i + 1);
    }
    assert_eq!([1, 3, 7, 12, 19], [1, 2, 3, 4, 5].map(stage_start));
    assert!(step(0).is_none() && step(26).is_none());
}

#[test]
fn applicants_must_be_18() {
    let r = RecruitmentRules::default();
    let st = CaseState::new(d("2008-03-15"));
    let e = check(&st, &r, &ev(1, Action::Record, "2026-03-14"), Level::Branch, d(TODAY)).unwrap_err();
    assert_eq!(e.earliest, Some(d("2026-03-15")));
    assert!(e.message.contains("年满18周岁"), "{}", e.message);
    check(&st, &r, &ev(1, Action::Record, "2026-03-15"), Level::Branch, d(TODAY)).unwrap();
}

#[test]
fn activist_timer_boundaries_day_before_of_after() {
    let r = RecruitmentRules::default();
    let mut st = CaseState::new(d("1990-01-01"));
    rec(&mut st, &r, 1, "2025-01-10");
    rec(&mut st, &r, 2, "2025-01-20");
    let early = check(&st, &r, &ev(3, Action::Record, "2025-07-09"), Level::Branch, d(TODAY)).unwrap_err();
    assert_eq!(early.earliest, Some(d("2025-07-10")));
    assert!(early.message.contains("最早可于 2025-07-10 办理"), "{}", early.message);
    check(&st, &r, &ev(3, Action::Record, "2025-07-10"), Level::Branch, d(TODAY)).unwrap();
    check(&st, &r, &ev(3, Action::Record, "2025-07-11"), Level::Branch, d(TODAY)).unwrap();
    // The local minimum is data: a committee that sets 3 months allows it earlier.
    let r3 = RecruitmentRules { applicant_to_activist_months: 3, ..r.clone() };
    check(&st, &r3, &ev(3, Action::Record, "2025-04-10"), Level::Branch, d(TODAY)).unwrap();
    rec(&mut st, &r, 3, "2025-07-10");
    assert_eq!(st.person_status(), MemberStatus::Activist);
    // Filing with the higher committee is theirs, not the branch's.
    let e = check(&st, &r, &ev(4, Action::Record, "2025-07-15"), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("由上级党委办理"));
    rec(&mut st, &r, 4, "2025-07-15");
    let e = check(&st, &r, &ev(5, Action::Record, "2025-07-16"), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("培养联系人"));
    go(&mut st, &r, with(ev(5, Action::Record, "2025-07-16"), |x| x.people = "张伟、李娜".into()), Level::Branch)
        .unwrap();
    rec(&mut st, &r, 6, "2026-01-16");
    // A year as activist: 2025-07-10 → 2026-07-10.
    let e = check(&st, &r, &ev(7, Action::Record, "2026-07-09"), Level::Branch, d(TODAY)).unwrap_err();
    assert_eq!(e.earliest, Some(d("2026-07-10")));
    check(&st, &r, &ev(7, Action::Record, "2026-07-10"), Level::Branch, d(TODAY)).unwrap();
    check(&st, &r, &ev(7, Action::Record, "2026-07-11"), Level::Branch, d(TODAY)).unwrap();
}

#[test]
fn steps_go_in_order_and_not_in_the_future() {
    let r = RecruitmentRules::default();
    let mut st = CaseState::new(d("1990-01-01"));
    rec(&mut st, &r, 1, "2025-01-10");
    let e = check(&st, &r, &ev(3, Action::Record, "2025-09-10"), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("请先办理第2步"), "{}", e.message);
    let e = check(&st, &r, &ev(1, Action::Record, "2025-01-10"), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("已经办理"));
    let e = check(&st, &r, &ev(2, Action::Record, "2025-01-09"), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("不能早于上一步"));
    let e = check(&st, &r, &ev(2, Action::Record, "2030-01-02"), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("晚于今天"));
    // The talk deadline: a month after the application.
    assert_eq!(st.deadline(&r), Some((2, d("2025-02-10"), "1个月内派人谈话".into())));
}

/// Builds a case up to the step before `upto`.
fn case_until(r: &RecruitmentRules, upto: u8) -> CaseState {
    let mut st = CaseState::new(d("1990-01-01"));
    let dates = [
        "2024-01-02",
        "2024-01-10",
        "2024-07-02",
        "2024-07-05",
        "2024-07-06",
        "2025-01-06",
        "2025-07-02",
        "2025-07-03",
        "2025-07-04",
        "2025-07-05",
        "2025-07-10",
        "2025-08-01",
        "2025-08-10",
        "2025-08-15",
        "2025-08-20",
        "2025-08-25",
        "2025-09-01",
        "2025-09-05",
        "2025-09-06",
        "2025-09-07",
        "2026-03-01",
        "2026-08-20",
        "2026-08-25",
        "2026-09-01",
        "2026-09-05",
    ];
    for n in 1..upto {
        let on = dates[usize::from(n) - 1];
        let def = step(n).unwrap();
        let mut e = ev(n, if def.approval { Action::Submit } else { Action::Record }, on);
        match def.needs {
            Needs::Mentors | Needs::Sponsors => e.data.people = "张伟、李娜".into(),
            Needs::Hours => e.data.hours = Some(24),
            Needs::Notice => {
                e.data.notice_from = Some(d("2025-08-02"));
                e.data.notice_to = Some(d("2025-08-08"));
            }
            Needs::Votes => e.data.votes = Some(Votes { entitled: 9, present: 8, for_: 8, against: 0, abstain: 0 }),
            Needs::Outcome => e.data.outcome = Some(Outcome::Full),
            Needs::Nothing => {}
        }
        let level = if def.by_higher { Level::Higher } else { Level::Branch };
        go(&mut st, r, e.clone(), level).unwrap_or_else(|x| panic!("step {n}: {}", x.message));
        if def.approval {
            let a = Event { action: Action::Approve, ..e };
            go(&mut st, r, a, Level::Higher).unwrap_or_else(|x| panic!("approve {n}: {}", x.message));
        }
    }
    st
}

#[test]
fn training_notice_and_votes_are_checked() {
    let r = RecruitmentRules::default();
    let st = case_until(&r, 11);
    let e =
        check(&st, &r, &with(ev(11, Action::Record, "2025-07-10"), |x| x.hours = Some(23)), Level::Branch, d(TODAY))
            .unwrap_err();
    assert!(e.message.contains("24学时"));
    let st = case_until(&r, 13);
    let e = check(&st, &r, &ev(13, Action::Record, "2025-08-10"), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("报上级党委审批"));
    let short = with(ev(13, Action::Submit, "2025-08-10"), |x| {
        x.notice_from = Some(d("2025-08-02"));
        x.notice_to = Some(d("2025-08-05"));
    });
    assert!(check(&st, &r, &short, Level::Branch, d(TODAY)).unwrap_err().message.contains("不少于5天"));
    let st = case_until(&r, 15);
    let vote = |entitled, present, for_| {
        with(ev(15, Action::Record, "2025-08-20"), |x| {
            x.votes = Some(Votes { entitled, present, for_, against: present - for_, abstain: 0 })
        })
    };
    let e = check(&st, &r, &vote(10, 5, 5), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("会议无效"), "{}", e.message);
    let e = check(&st, &r, &vote(10, 6, 5), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("表决未通过"), "{}", e.message);
    check(&st, &r, &vote(10, 6, 6), Level::Branch, d(TODAY)).unwrap();
}

#[test]
fn approval_chain_with_send_back_keeps_going() {
    let r = RecruitmentRules::default();
    let mut st = case_until(&r, 17);
    assert_eq!(st.person_status(), MemberStatus::Candidate);
    // Deadline: three months after the branch vote (2025-08-20).
    assert_eq!(st.deadline(&r).map(|x| x.1), Some(d("2025-11-20")));
    go(&mut st, &r, ev(17, Action::Submit, "2025-09-01"), Level::Branch).unwrap();
    let e = check(&st, &r, &ev(17, Action::Approve, "2025-09-02"), Level::Branch, d(TODAY)).unwrap_err();
    assert!(e.message.contains("上级党委"));
    let e = check(&st, &r, &ev(18, Action::Record, "2025-09-02"), Level::Higher, d(TODAY)).unwrap_err();
    assert!(e.message.contains("等待审批"), "{}", e.message);
    // Send back to the branch vote: the vote and later steps are to be redone.
    let back = with(ev(17, Action::Return, "2025-09-03"), |x| {
        x.return_to = Some(15);
        x.note = "表决票数记录有误".into();
    });
    let no_reason = with(back.clone(), |x| x.note.clear());
    assert!(check(&st, &r, &no_reason, Level::Higher, d(TODAY)).unwrap_err().message.contains("原因"));
    let too_far = with(back.clone(), |x| x.return_to = Some(7));
    assert!(check(&st, &r, &too_far, Level::Higher, d(TODAY)).unwrap_err().message.contains("第12至第17步"));
    go(&mut st, &r, back, Level::Higher).unwrap();
    assert_eq!(st.next_step, 15);
    assert!(st.done[15].is_none() && st.done[14].is_some());
    let vote = with(ev(15, Action::Record, "2025-09-10"), |x| {
        x.votes = Some(Votes { entitled: 9, present: 9, for_: 9, against: 0, abstain: 0 })
    });
    go(&mut st, &r, vote, Level::Branch).unwrap();
    rec(&mut st, &r, 16, "2025-09-12");
    go(&mut st, &r, ev(17, Action::Submit, "2025-09-15"), Level::Branch).unwrap();
    go(&mut st, &r, ev(17, Action::Approve, "2025-09-20"), Level::Higher).unwrap();
    assert_eq!(st.person_status(), MemberStatus::Probationary);
    assert_eq!(st.admitted_on, Some(d("2025-09-10")), "probation counts from the branch vote");
    assert_eq!(st.probation_end, Some(d("2026-09-10")));
}

#[test]
fn full_membership_waits_for_the_end_of_probation() {
    let r = RecruitmentRules::default();
    let st = case_until(&r, 22);
    // Admitted 2025-08-20 (the vote), probation ends 2026-08-20.
    assert_eq!(st.probation_end, Some(d("2026-08-20")));
    let e = check(&st, &r, &ev(22, Action::Record, "2026-08-19"), Level::Branch, d(TODAY)).unwrap_err();
    assert_eq!(e.earliest, Some(d("2026-08-20")));
    assert!(e.message.contains("预备期满"));
    check(&st, &r, &ev(22, Action::Record, "2026-08-20"), Level::Branch, d(TODAY)).unwrap();
    check(&st, &r, &ev(22, Action::Record, "2026-08-21"), Level::Branch, d(TODAY)).unwrap();
    assert_eq!(st.deadline(&r).map(|x| (x.0, x.1)), Some((23, d("2026-08-20"))));
    let mut done = case_until(&r, 26);
    assert!(done.ended() && done.completed());
    assert_eq!(done.full_on, Some(d("2026-08-20")), "full membership dates from the end of probation");
    assert_eq!(done.person_status(), MemberStatus::Full);
    let e = go(&mut done, &r, ev(25, Action::Record, "2026-09-06"), Level::Branch).unwrap_err();
    assert!(e.message.contains("已经结束"));
}

#[test]
fn probation_extends_once_and_disqualification_ends_the_case() {
    let r = RecruitmentRules::default();
    let mut st = case_until(&r, 24);
    go(&mut st, &r, ev(24, Action::Submit, "2026-08-26"), Level::Branch).unwrap();
    let no = check(&st, &r, &ev(24, Action::Approve, "2026-08-27"), Level::Higher, d(TODAY)).unwrap_err();
    assert!(no.message.contains("审批结果"));
    let ext = |m| {
        with(ev(24, Action::Approve, "2026-08-27"), |x| {
            x.outcome = Some(Outcome::Extend);
            x.extend_months = Some(m);
        })
    };
    assert!(check(&st, &r, &ext(5), Level::Higher, d(TODAY)).unwrap_err().message.contains("6至12个月"));
    assert!(check(&st, &r, &ext(13), Level::Higher, d(TODAY)).is_err());
    go(&mut st, &r, ext(6), Level::Higher).unwrap();
    assert_eq!(st.next_step, 22);
    assert_eq!(st.probation_end, Some(d("2027-02-20")));
    assert_eq!(st.person_status(), MemberStatus::Probationary);
    rec(&mut st, &r, 22, "2027-02-20");
    let v = with(ev(23, Action::Record, "2027-02-21"), |x| {
        x.votes = Some(Votes { entitled: 9, present: 8, for_: 8, against: 0, abstain: 0 })
    });
    go(&mut st, &r, v, Level::Branch).unwrap();
    go(&mut st, &r, ev(24, Action::Submit, "2027-02-22"), Level::Branch).unwrap();
    let again = Event { on: d("2027-02-23"), ..ext(6) };
    assert!(check(&st, &r, &again, Level::Higher, d(TODAY)).unwrap_err().message.contains("只能延长一次"));
    let dq = with(ev(24, Action::Approve, "2027-02-23"), |x| x.outcome = Some(Outcome::Disqualify));
    go(&mut st, &r, dq, Level::Higher).unwrap();
    assert!(st.ended() && !st.completed());
    assert_eq!(st.person_status(), MemberStatus::Left);
}

#[test]
fn public_notice_must_end_before_pre_review() {
    let r = RecruitmentRules::default();
    let mut st = case_until(&r, 13);
    let sub = with(ev(13, Action::Submit, "2025-08-03"), |x| {
        x.notice_from = Some(d("2025-08-02"));
        x.notice_to = Some(d("2025-08-08"));
    });
    go(&mut st, &r, sub, Level::Branch).unwrap();
    let e = check(&st, &r, &ev(13, Action::Approve, "2025-08-07"), Level::Higher, d(TODAY)).unwrap_err();
    assert_eq!(e.earliest, Some(d("2025-08-08")));
    check(&st, &r, &ev(13, Action::Approve, "2025-08-08"), Level::Higher, d(TODAY)).unwrap();
}
