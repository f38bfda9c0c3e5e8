//! The ranking model's rules, scores, places and movements.

use super::*;

#[test]
fn a_source_code_is_its_stored_name() {
    for s in Source::ALL {
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
    }
}

#[test]
fn a_rectification_moves_only_along_its_steps() {
    use RectificationState as S;
    use RectificationStep as T;
    assert_eq!(T::Progress.next(S::Open, false), Ok(S::Open));
    assert_eq!(T::Submit.next(S::Open, false), Ok(S::Submitted));
    assert_eq!(T::Lift.next(S::Submitted, true), Ok(S::Lifted));
    assert_eq!(T::Return.next(S::Submitted, true), Ok(S::Open));
    assert_eq!(T::Lift.next(S::Submitted, false), Err("整改验收由党支部的上级单位办理"));
    assert_eq!(T::Lift.next(S::Open, true), Err("尚未申请验收"));
    assert_eq!(T::Submit.next(S::Submitted, false), Err("已申请验收，请等待单位验收"));
    for t in T::ALL {
        assert_eq!(t.next(S::Lifted, true), Err("该整改已销号"), "{t:?}");
        assert_eq!(t.entry().as_str(), t.as_str(), "a step writes the entry of its own name");
    }
}

fn saturating_rules() -> RankingRules {
    let mut r = RankingRules::default();
    for i in &mut r.indicators {
        i.scoring = Scoring::Saturating;
    }
    r
}

#[test]
fn the_explanation_adds_up_to_the_score() {
    let f = Facts {
        meetings_met: 30,
        meetings_expected: 40,
        present: 270,
        attendance_expected: 300,
        dues_on_time: 100,
        dues_charges: 120,
        cases_timely: 1,
        cases_open: 2,
        tasks_done: 3,
        tasks_due: 4,
    };
    let r = saturating_rules();
    r.check().unwrap();
    let s = score(&r, &f);
    // 35 × 0.75 + 25 × min(1, 0.9/0.9) + 20 × (0.8333/0.95) + 10 × 0.5 + 10 × 0.75
    let expected = 35.0 * 0.75 + 25.0 + 20.0 * ((100.0 / 120.0) / 0.95) + 5.0 + 7.5;
    assert!((s.score - round2(expected)).abs() < 1e-9, "{} vs {expected}", s.score);
    let sum: f64 = s.parts.iter().map(|p| p.points).sum();
    assert!((round2(sum) - s.score).abs() < 1e-9);
    assert!(s.ranked);
    // The national default scores in proportion: 25 × 0.9 and 20 × 0.8333.
    let p = score(&RankingRules::default(), &f);
    let expected = 35.0 * 0.75 + 25.0 * 0.9 + 20.0 * (100.0 / 120.0) + 5.0 + 7.5;
    assert!((p.score - round2(expected)).abs() < 1e-9, "{} vs {expected}", p.score);
    let sum: f64 = p.parts.iter().map(|p| p.points).sum();
    assert!((round2(sum) - p.score).abs() < 1e-9);
    let att = p.parts.iter().find(|x| x.source == Source::Attendance).unwrap();
    assert_eq!(att.met(), Some(true), "90 % of a 90 % target is met");
    let dues = p.parts.iter().find(|x| x.source == Source::DuesOnTime).unwrap();
    assert_eq!(dues.met(), Some(false));
}

#[test]
fn proportional_scoring_separates_what_saturating_ties() {
    let at = |present| Facts {
        meetings_met: 12,
        meetings_expected: 12,
        present,
        attendance_expected: 100,
        dues_on_time: 100,
        dues_charges: 100,
        ..Default::default()
    };
    let (a, b) = (at(91), at(100));
    let sat = saturating_rules();
    assert_eq!(score(&sat, &a).score, score(&sat, &b).score, "both over the 90 % target: full points");
    let prop = RankingRules::default();
    assert!(score(&prop, &a).score < score(&prop, &b).score);
    assert_eq!(score(&prop, &b).score, 100.0);
    // A version stored before scoring was a choice reads as saturating.
    let stored = serde_json::json!({"indicators": [{"source": "attendance", "weight": 100, "target": 0.9}],
        "tail_percent": 5, "tail_below": 60.0});
    let old: RankingRules = serde_json::from_value(stored).unwrap();
    assert_eq!(old.indicators[0].scoring, Scoring::Saturating);
    assert_eq!(
        prop.in_words(),
        "组织生活落实率35分（按实际比例，目标100%）、组织生活出勤率25分（按实际比例，目标90%）、\
         党费按月交纳率20分（按实际比例，目标95%）、发展党员按期办理率10分（按实际比例，目标100%）、\
         第一议题任务落实率10分（按实际比例，目标100%）；末位：得分低于60分或排名后5%"
    );
    assert_eq!(tail_in_words(0.0, 5), "末位：排名后5%");
    assert_eq!(tail_in_words(0.0, 0), "不设末位");
}

#[test]
fn indicators_that_do_not_apply_share_out_their_weight() {
    let r = saturating_rules();
    // No recruitment case and no first-agenda task: their 20 points go to the other three in proportion.
    let f = Facts {
        meetings_met: 10,
        meetings_expected: 10,
        present: 90,
        attendance_expected: 100,
        dues_on_time: 95,
        dues_charges: 100,
        ..Default::default()
    };
    let s = score(&r, &f);
    assert_eq!(s.score, 100.0);
    let rec = s.parts.iter().find(|p| p.source == Source::RecruitmentTimely).unwrap();
    assert_eq!((rec.rate, rec.points), (None, 0.0));
    let m = s.parts.iter().find(|p| p.source == Source::MeetingCompliance).unwrap();
    assert!((m.effective_weight - 35.0 * 100.0 / 80.0).abs() < 1e-9);
    // In proportion: (35 + 25 × 0.9 + 20 × 0.95) out of 80.
    assert_eq!(score(&RankingRules::default(), &f).score, round2((35.0 + 22.5 + 19.0) * 100.0 / 80.0));
    let none = score(&r, &Facts::default());
    assert!(!none.ranked);
}

#[test]
fn ties_share_a_rank_and_the_tail_takes_the_bottom_share_and_the_low_scores() {
    let r = RankingRules { tail_percent: 20, tail_below: 50.0, ..Default::default() };
    let scored =
        vec![(1, 10, 90.0), (2, 10, 80.0), (3, 20, 80.0), (4, 20, 70.0), (5, 20, 65.0), (6, 10, 40.0), (7, 20, 65.0)];
    let p = rank(&r, &scored);
    let by = |id: i64| p.iter().find(|x| x.org_id == id).unwrap().clone();
    assert_eq!((by(1).rank, by(2).rank, by(3).rank, by(4).rank), (1, 2, 2, 4));
    assert_eq!((by(5).rank, by(7).rank, by(6).rank), (5, 5, 7));
    // 20 % of 7 rounds up to 2: the bottom two are 6 (40) and one of the 65s; both 65s are tied, so both.
    let tail: Vec<i64> = p.iter().filter(|x| x.tail).map(|x| x.org_id).collect();
    assert_eq!(tail, vec![5, 7, 6]);
    assert_eq!((by(3).unit_rank, by(4).unit_rank, by(6).unit_rank), (1, 2, 3));
    assert_eq!((by(5).unit_rank, by(7).unit_rank), (3, 3), "ties share a rank within the unit too");
    assert_eq!((by(1).tied, by(2).tied, by(3).tied, by(5).tied, by(6).tied), (1, 2, 2, 2, 1));
    assert_eq!(place_in_words(by(2).rank, by(2).tied), "并列第2名（共2个）");
    assert_eq!(place_in_words(by(1).rank, by(1).tied), "第1名");
    let none = rank(&RankingRules { tail_percent: 0, tail_below: 0.0, ..Default::default() }, &scored);
    assert!(none.iter().all(|x| !x.tail));
}

#[test]
fn rules_are_checked() {
    let mut r = RankingRules::default();
    r.indicators[0].weight = 30;
    assert!(r.check().unwrap_err().contains("100"));
    let mut r = RankingRules::default();
    r.indicators[1].source = Source::MeetingCompliance;
    assert!(r.check().unwrap_err().contains("重复"));
}

#[test]
fn movement_against_the_year_before_and_its_filter() {
    assert_eq!(Movement::between(Some((40, 80.0)), (28, 85.5)), Movement::Up(12));
    assert_eq!(Movement::between(Some((5, 90.0)), (8, 88.0)), Movement::Down(3));
    assert_eq!(Movement::between(Some((7, 70.0)), (7, 71.0)), Movement::Same);
    assert_eq!(Movement::between(None, (1, 100.0)), Movement::New);
    // The same score: 持平 even though others moved around it.
    assert_eq!(Movement::between(Some((869, 100.0)), (1, 100.0)), Movement::Same);
    assert_eq!(Movement::between(Some((3, 92.5)), (9, 92.5)), Movement::Same);
    assert_eq!(Movement::Up(12).label(), "↑12");
    assert_eq!(Movement::Down(3).label(), "↓3");
    assert_eq!(MoveFilter::parse("into_tail"), Some(MoveFilter::IntoTail));
    assert_eq!(MoveFilter::parse("sideways"), None);
    assert!(MoveFilter::Up.admits(Movement::Up(1), false, Some(false)));
    assert!(!MoveFilter::Up.admits(Movement::Same, false, Some(false)));
    assert!(MoveFilter::Down.admits(Movement::Down(2), true, Some(true)));
    // New to the tail: this year's tail that was not there, even if not ranked before.
    assert!(MoveFilter::IntoTail.admits(Movement::Down(9), true, Some(false)));
    assert!(MoveFilter::IntoTail.admits(Movement::New, true, None));
    assert!(!MoveFilter::IntoTail.admits(Movement::Same, true, Some(true)));
    assert!(MoveFilter::OutOfTail.admits(Movement::Up(30), false, Some(true)));
    assert!(!MoveFilter::OutOfTail.admits(Movement::Up(30), true, Some(true)));
    assert!(!MoveFilter::OutOfTail.admits(Movement::New, false, None));
    assert!(!has_records([0.0, 0.0]) && !has_records([]) && has_records([0.0, 12.5]));
}
