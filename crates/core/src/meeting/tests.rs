//! Meeting kinds, quorum, tallies and check-in codes.

#[test]
fn check_in_codes_rotate_and_expire() {
    let secret = "0123456789abcdef0123456789abcdef";
    let t = 1_800_000_000_000i64;
    let now = checkin_code(secret, checkin_period(t));
    assert_eq!(now.len(), 6);
    assert_eq!(check_code(secret, &now, t), CodeCheck::Valid);
    assert_eq!(check_code(secret, &now.to_lowercase(), t + 59_000), CodeCheck::Valid, "typed in lower case");
    assert_eq!(check_code(secret, &now, t + 3 * 60_000), CodeCheck::Expired, "a photo of the screen, minutes later");
    assert_eq!(check_code(secret, "AAAAAA", t), CodeCheck::Wrong);
    assert_eq!(check_code("another-secret-of-another-meeting", &now, t), CodeCheck::Wrong);
    assert_ne!(checkin_code(secret, 1), checkin_code(secret, 2), "the code changes every period");
}

#[test]
fn check_in_opens_half_an_hour_before_the_start() {
    let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let (from, to) = checkin_hours(d, "14:30");
    let at = |h: u32, m: u32| d.and_hms_opt(h, m, 0).unwrap().and_utc().timestamp_millis() - 8 * 3_600_000;
    assert_eq!(from, at(14, 0));
    assert_eq!(to, at(0, 0) + 26 * 3_600_000);
    let (from, _) = checkin_hours(d, "");
    assert_eq!(from, at(0, 0), "no start time: from the morning");
    let (from, _) = checkin_hours(d, "00:10");
    assert_eq!(from, at(0, 0), "never the day before");
}

use super::*;

fn facts(voting: bool, committee: bool, presence: Presence) -> AttendeeFacts {
    AttendeeFacts { voting, committee, presence }
}

#[test]
fn defaults_cover_the_national_kinds_and_pass_their_own_check() {
    let k = MeetingKinds::default();
    for id in [
        "branch_general_meeting",
        "branch_committee_meeting",
        "group_meeting",
        "party_lecture",
        "theme_day",
        "life_meeting",
        "member_review",
        "heart_to_heart_talk",
        "central_group",
        "first_agenda",
    ] {
        assert!(k.find(id).is_some(), "{id}");
    }
    assert_eq!(k.find("branch_general_meeting").unwrap().cycle, Cycle::Quarter);
    assert_eq!(k.find("branch_committee_meeting").unwrap().quorum, Quorum::CommitteeMembers);
    k.check().unwrap();
    assert!(k.check_date(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()).is_ok());
    assert!(k.check_date(NaiveDate::from_ymd_opt(2025, 7, 15).unwrap()).is_err());
}

#[test]
fn bad_kind_lists_are_refused_in_chinese() {
    let mut k = MeetingKinds::default();
    k.kinds[1].id = k.kinds[0].id.clone();
    assert!(k.check().unwrap_err().contains("重复"));
    let mut k = MeetingKinds::default();
    k.kinds[0].times = 0;
    assert!(k.check().unwrap_err().contains("次数"));
    let mut k = MeetingKinds::default();
    k.kinds[0].id = "Bad Id".into();
    assert!(k.check().is_err());
}

#[test]
fn quorum_needs_more_than_half() {
    // 4 voting members: 2 present is not more than half, 3 is.
    let mut a = vec![
        facts(true, false, Presence::Present),
        facts(true, false, Presence::Present),
        facts(true, false, Presence::Leave),
        facts(true, false, Presence::Absent),
        facts(false, false, Presence::Present), // probationary: no vote
    ];
    let h = headcount(&a);
    assert_eq!((h.voting_total, h.voting_present, h.present, h.leave, h.absent), (4, 2, 3, 1, 1));
    assert!(!quorum_met(Quorum::VotingMembers, &h));
    assert!(quorum_note(Quorum::VotingMembers, &h).contains("不计入"));
    a[2].presence = Presence::Present;
    assert!(quorum_met(Quorum::VotingMembers, &headcount(&a)));
    // Committee of 3: 2 present is enough.
    let c = vec![
        facts(true, true, Presence::Present),
        facts(true, true, Presence::Present),
        facts(true, true, Presence::Absent),
    ];
    assert!(quorum_met(Quorum::CommitteeMembers, &headcount(&c)));
    assert!(!quorum_met(Quorum::CommitteeMembers, &headcount(&c[2..])));
    assert!(quorum_met(Quorum::None, &headcount(&[])));
    assert!(!quorum_met(Quorum::VotingMembers, &headcount(&[])));
}

#[test]
fn plan_validation_names_fields() {
    let kinds = MeetingKinds::default();
    let input = PlanInput { kind: "central_group".into(), planned_on: "2025-13-01".into(), ..Default::default() };
    let Err(Error::Invalid(errs)) = validate_plan(&input, &kinds, OrgKind::Branch) else { panic!() };
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["kind", "planned_on", "topic"]);
    assert!(errs[0].message.contains("单位党组"));
    let ok = PlanInput {
        kind: "branch_general_meeting".into(),
        planned_on: "2025-07-01".into(),
        start_time: "09:30".into(),
        topic: "学习贯彻党的二十届四中全会精神".into(),
        ..Default::default()
    };
    let p = validate_plan(&ok, &kinds, OrgKind::Branch).unwrap();
    assert_eq!(p.planned_on, NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
    let bad_time = PlanInput { start_time: "9点".into(), ..ok };
    assert!(validate_plan(&bad_time, &kinds, OrgKind::Branch).is_err());
}

#[test]
fn observers_parse_one_per_line() {
    let o = parse_observers("张三，省委宣传部，处长\n\n李四,省委组织部\n王五").unwrap();
    assert_eq!(o.len(), 3);
    assert_eq!(o[0], Observer { name: "张三".into(), org_name: "省委宣传部".into(), position: "处长".into() });
    assert_eq!(o[1].position, "");
    assert_eq!(o[2].org_name, "");
    assert!(parse_observers("，省委").is_err());
}

#[test]
fn held_on_is_not_in_the_future_nor_before_the_org() {
    let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert!(check_held_on(d("2025-07-01"), d("2025-07-01"), None).is_ok());
    assert!(check_held_on(d("2025-07-02"), d("2025-07-01"), None).is_err());
    assert!(check_held_on(d("2020-01-01"), d("2025-07-01"), Some(d("2021-01-01"))).is_err());
}

#[test]
fn tally_round_trips() {
    let mut t = Tally::default();
    t.add("theme_day", 1, 1, 10, 12);
    t.add("theme_day", 12, 2, 20, 24);
    t.add("branch_general_meeting", 3, 1, 9, 12);
    let s = t.encode();
    assert_eq!(s, "branch_general_meeting=0.0.1.0.0.0.0.0.0.0.0.0/9/12;theme_day=1.0.0.0.0.0.0.0.0.0.0.2/30/36");
    assert_eq!(Tally::decode(&s), t);
    assert_eq!(t.counted("theme_day", 1, 12), 3);
    assert_eq!(t.counted("theme_day", 2, 11), 0);
    assert_eq!(t.counted("nothing", 1, 12), 0);
    assert_eq!(Tally::decode(""), Tally::default());
}

#[test]
fn cycles_know_their_bounds() {
    assert_eq!(Cycle::Quarter.start_month(8), 7);
    assert!(Cycle::Quarter.ends_at(9) && !Cycle::Quarter.ends_at(8));
    assert!(Cycle::Year.ends_at(12) && !Cycle::Year.ends_at(11));
    assert!(AppliesTo::BranchWithCommittee.matches(OrgKind::Branch, true));
    assert!(!AppliesTo::BranchWithCommittee.matches(OrgKind::Branch, false));
    assert!(AppliesTo::PartyCommittee.matches(OrgKind::GeneralBranch, false));
}
