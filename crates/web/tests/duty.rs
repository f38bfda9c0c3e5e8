//! The monthly duty, measured (issue #14, point 8): a branch secretary with
//! 30 members does the month's work from the home page in a real browser —
//! records the 主题党日 held last week (27 present, 3 on leave), records the
//! 支部委员会, registers the month's dues for all 30 by payroll deduction,
//! and answers the one overdue reminder — while the browser counts page
//! loads, clicks and form fields touched. Every record made is checked
//! afterwards in the store, so the counts cannot be met by skipping work.
//!
//! Runs on SQLite (the HTTP suites cover PostgreSQL); without Chromium it is
//! skipped with a note, except under CI, where it must run.

#[path = "common/browser.rs"]
mod browser;
mod common;

use browser::{Browser, Effort, Install, Viewport, login, serve};
use chrono::{Datelike, NaiveDate};
use xianfeng_core::meeting::{MeetingStatus, PlanInput};
use xianfeng_core::member::MemberStatus;
use xianfeng_store::meeting::{self as store_meeting, AttendanceMark, RecordInput};
use xianfeng_store::testkit;

/// The most a month's duty may take (the bar).
const MAX_FIELDS: u32 = 60;
const MAX_CLICKS: u32 = 40;

/// The branch as a secretary finds it at the start of a month: 30 members, a
/// committee of four, every meeting of the year's ended cycles held, each
/// member's dues base set and the month's charges open, and one first-agenda
/// task of hers past its date.
async fn a_branch_at_month_start(store: &xianfeng_store::Store, p: &testkit::Province) {
    let admin = p.committee_admin();
    let os = testkit::org_scope(&admin).expect("scope");
    let ms = testkit::member_scope(store, &admin).await.expect("member scope");
    let who = testkit::who(&admin);
    let today = xianfeng_core::text::today_cn();
    // 26 more members: 30 with the fixture's four.
    let surnames = ["周", "吴", "郑", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "梁"];
    for i in 0..26u32 {
        let name = format!("{}{}", surnames[i as usize % 13], if i < 13 { "建华" } else { "秀兰" });
        let birth = NaiveDate::from_ymd_opt(1970 + (i as i32 % 25), 1 + i % 12, 10).expect("date");
        let input = testkit::member_input(&name, p.branch_a1.id, birth, 300 + i, MemberStatus::Full);
        xianfeng_store::member::create(store, &ms.writer().unwrap(), &who, &input).await.expect("member");
    }
    let members = xianfeng_store::member::list(
        store,
        &ms,
        &xianfeng_store::member::MemberFilter { org_id: Some(p.branch_a1.id), ..Default::default() },
        1,
        100,
    )
    .await
    .expect("roster");
    assert_eq!(members.total, 30, "a branch of 30");
    // The branch committee: four posts.
    for (m, post) in members.items.iter().zip(["secretary", "organization", "propaganda", "discipline"]) {
        xianfeng_store::org::set_post(store, &os.writer().unwrap(), &who, p.branch_a1.id, m.id, post, None)
            .await
            .expect("post");
    }
    // Every ended cycle of the year held, on its first day, everyone present.
    let missing =
        xianfeng_store::compliance::missing(store, &os, p.branch_a1.id, today.year(), "").await.expect("missing");
    let kinds = store_meeting::kinds_on(store, today).await.expect("kinds");
    for row in missing {
        let kind = kinds.find(&row.missing.kind).expect("kind").clone();
        for n in row.missing.held..row.missing.expected {
            let invited = store_meeting::would_invite(store, &os.writer().unwrap(), row.missing.org_id, &kind)
                .await
                .expect("invitees");
            let record = RecordInput {
                held_on: row.missing.from.to_string(),
                topic: format!("{}（第{}次）", row.missing.kind_label, n + 1),
                minutes: "按计划召开。".into(),
                attendance: invited
                    .iter()
                    .map(|a| AttendanceMark {
                        member_id: a.member_id,
                        presence: "present".into(),
                        reason: String::new(),
                    })
                    .collect(),
                ..Default::default()
            };
            let plan = PlanInput { kind: kind.id.clone(), topic: record.topic.clone(), ..Default::default() };
            store_meeting::record_held(store, &os.writer().unwrap(), &who, row.missing.org_id, &plan, &record)
                .await
                .expect("history");
        }
    }
    // Dues: a base for everyone, the month's charges open.
    let month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("month");
    let base = xianfeng_store::dues::BaseInput {
        member_type: "salaried".into(),
        base: "6000".into(),
        effective_month: month.format("%Y-%m").to_string(),
        ..Default::default()
    };
    for m in &members.items {
        xianfeng_store::dues::set_base(store, &ms.writer().unwrap(), &who, m.id, &base).await.expect("base");
    }
    xianfeng_store::dues::open_cycle(store, &ms, &who, month).await.expect("open the month");
    // Unit A's 党组 studied the first agenda three weeks ago and gave the secretary a task, due two days ago.
    let unit = testkit::org_scope(&p.unit_admin(&p.unit_a)).expect("unit scope");
    let record = RecordInput {
        held_on: (today - chrono::Days::new(21)).to_string(),
        topic: "党组会议第一议题学习".into(),
        first_agenda: "学习习近平总书记重要讲话精神".into(),
        minutes: "结合实际抓好落实。".into(),
        ..Default::default()
    };
    let plan = PlanInput { kind: "first_agenda".into(), topic: record.topic.clone(), ..Default::default() };
    let m = store_meeting::record_held(store, &unit.writer().unwrap(), &who, p.unit_a.id, &plan, &record)
        .await
        .expect("first agenda meeting");
    let secretary = xianfeng_store::auth::user_by_name(store, "seca1").await.expect("lookup").expect("seca1");
    let task = xianfeng_store::first_agenda::TaskInput {
        title: "把讲话精神传达到每名党员".into(),
        owner_user_id: Some(secretary.id),
        owner_name: String::new(),
        due_on: (today - chrono::Days::new(2)).to_string(),
    };
    xianfeng_store::first_agenda::add(store, &unit.writer().unwrap(), &who, m.id, &task).await.expect("task");
}

/// The attention line on the home page that contains `text`, and its 补录 link if any.
fn reminder(b: &Browser, text: &str) -> browser::El {
    b.xpath(&format!("//section//div[a[contains(normalize-space(), '{text}')]]"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secretarys_monthly_duty() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    a_branch_at_month_start(&store, &p).await;
    let today = xianfeng_core::text::today_cn();
    let last_week = today - chrono::Days::new(7);
    let origin = serve(store.clone()).await;
    let effort = tokio::task::spawn_blocking(move || {
        let b = Browser::launch(&install, &origin, "duty", Viewport::Desktop(1280, 900));
        login(&b, "seca1", None);
        b.wait_path("the home page", |p| p == "/");
        b.wait_text("待办提醒");
        b.screenshot("duty01-home.png");
        b.reset_effort();
        let home = |b: &Browser| {
            b.click(&b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='首页']"));
            b.wait_path("the home page", |p| p == "/");
            b.wait_text("待办提醒");
        };

        // 1. The 主题党日 held last week: from its reminder straight to the 补录 form.
        let due = reminder(&b, "主题党日");
        b.click(&b.find_in(&due, "a.also"));
        b.wait_path("the 补录 form", |p| p.starts_with("/meetings/held"));
        b.wait_text("全部 30 人先记为出席");
        b.set_value(&b.css("#f-held_on"), &last_week.to_string());
        b.type_into(&b.css("#f-topic"), "重温入党誓词");
        b.type_into(&b.css("#f-minutes"), "全体党员重温入党誓词，交流学习体会。");
        // Three on leave: the last three rows.
        let rows = b.count("#attendance-table tbody tr");
        b.check(rows == 30, &format!("30 expected attendees, not {rows}"));
        for (i, reason) in [(28, "出差"), (29, "病假"), (30, "外出培训")] {
            let row = format!("#attendance-table tbody tr:nth-child({i})");
            b.tick(&b.css(&format!("{row} input[value=leave]")));
            b.type_into(&b.css(&format!("{row} input[name^=r_]")), reason);
        }
        b.screenshot("duty02-theme-day.png");
        b.assert_accessible("the 补录 form");
        b.click(&b.css("#save-held"));
        b.wait_path("the meeting", |p| p.contains("ok=recorded"));
        b.wait_text("会议记录已保存");

        // 2. The 支部委员会.
        home(&b);
        let due = reminder(&b, "支部委员会");
        b.click(&b.find_in(&due, "a.also"));
        b.wait_path("the 补录 form", |p| p.starts_with("/meetings/held"));
        b.wait_text("全部 4 人先记为出席");
        b.type_into(&b.css("#f-topic"), "研究本月党建工作");
        b.type_into(&b.css("#f-minutes"), "研究了本月主题党日安排和党费收缴。");
        b.click(&b.css("#save-held"));
        b.wait_path("the meeting", |p| p.contains("ok=recorded"));

        // 3. The month's dues for all 30, by payroll deduction.
        home(&b);
        b.click(&b.find_in(&reminder(&b, "尚未缴纳党费"), "a"));
        b.wait_path("the month's dues", |p| p.starts_with("/dues/cycles"));
        b.wait_text("未缴的 30 人");
        b.accept_confirm();
        b.click(&b.css("#payroll-submit"));
        b.wait_text("工资代扣");
        b.screenshot("duty03-payroll.png");

        // 4. The one overdue reminder: the first-agenda task, answered.
        home(&b);
        b.click(&b.find_in(&reminder(&b, "第一议题落实任务已逾期"), "a"));
        b.wait_path("the tasks", |p| p.starts_with("/first-agenda"));
        b.type_into(&b.css("#my-tasks input[name=evidence]"), "已在主题党日传达到全体党员");
        b.click(&b.css("#my-tasks button[type=submit]"));
        // Already on /first-agenda: wait for the answer, not just the path.
        b.wait_path("back at the tasks", |p| p.contains("ok=task_updated"));
        home(&b);
        let text = b.body_text();
        b.check(!text.contains("第一议题落实任务已逾期"), "the overdue reminder is answered");
        b.check(!text.contains("尚未缴纳党费"), "nobody's dues are left for the month");
        b.screenshot("duty04-home-after.png");
        b.assert_only_local();
        let effort = b.effort();

        // The same month on a phone (for the user guide): the home page, the
        // 补录 form, the month's dues and a payment's 更正 form.
        let phone = Browser::launch(&install, &origin, "duty-phone", Viewport::Phone(360, 740));
        login(&phone, "seca1", None);
        phone.wait_text("待办提醒");
        phone.screenshot("duty-phone01-home.png");
        phone.goto("/meetings/held?kind=party_lecture");
        phone.wait_text("先记为出席");
        phone.screenshot("duty-phone02-held.png");
        phone.goto("/dues/cycles");
        phone.wait_text("缴费登记");
        phone.screenshot("duty-phone03-dues.png");
        phone.click(&phone.css("#charge-table a.correct"));
        phone.wait_path("the 更正 form", |p| p.contains("/correct"));
        phone.wait_text("更正原因");
        phone.assert_accessible("the 更正 form on a phone");
        phone.screenshot("duty-phone04-correct.png");
        effort
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    let Effort { loads, clicks, fields } = effort;
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!("monthly duty: {loads} page loads, {clicks} clicks, {fields} fields touched\n"),
    );
    assert!(fields <= MAX_FIELDS, "{fields} fields touched (at most {MAX_FIELDS})");
    assert!(clicks <= MAX_CLICKS, "{clicks} clicks (at most {MAX_CLICKS})");

    // Every record the journey made, as the store holds it.
    let admin = p.committee_admin();
    let os = testkit::org_scope(&admin).expect("scope");
    let ms = testkit::member_scope(&store, &admin).await.expect("member scope");
    let filter = |kind: &str| store_meeting::MeetingFilter {
        org_id: Some(p.branch_a1.id),
        kind: kind.into(),
        ..Default::default()
    };
    let theme = store_meeting::list(&store, &os, &filter("theme_day"), 1, 100).await.expect("meetings");
    let theme = theme.items.iter().find(|m| m.topic == "重温入党誓词").expect("the theme day is recorded");
    assert_eq!(
        (theme.status, theme.held_on, theme.present_count, theme.leave_count, theme.absent_count, theme.counted),
        (MeetingStatus::Held, Some(last_week), 27, 3, 0, true)
    );
    let reasons: Vec<String> = store_meeting::attendees(&store, theme)
        .await
        .expect("attendees")
        .into_iter()
        .filter(|a| a.presence == xianfeng_core::meeting::Presence::Leave)
        .map(|a| a.reason)
        .collect();
    assert_eq!(reasons.len(), 3);
    assert!(reasons.iter().all(|r| !r.is_empty()), "every leave has its reason: {reasons:?}");
    let committee =
        store_meeting::list(&store, &os, &filter("branch_committee_meeting"), 1, 100).await.expect("meetings");
    let committee = committee.items.iter().find(|m| m.topic == "研究本月党建工作").expect("the committee is recorded");
    assert_eq!((committee.status, committee.held_on, committee.present_count), (MeetingStatus::Held, Some(today), 4));
    let month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("month");
    let charges = xianfeng_store::dues::charges(
        &store,
        &ms,
        month,
        &xianfeng_store::dues::ChargeFilter { org_id: Some(p.branch_a1.id), ..Default::default() },
        1,
        100,
    )
    .await
    .expect("charges");
    assert_eq!(charges.total, 30);
    assert!(charges.items.iter().all(|c| c.paid()), "all 30 paid by payroll deduction");
    let tasks = xianfeng_store::first_agenda::summary(&store, &os, &Default::default(), 1, 10).await.expect("tasks");
    let task = tasks.items.iter().find(|t| t.title == "把讲话精神传达到每名党员").expect("the task");
    assert_eq!((task.is_done(), task.evidence.as_str()), (true, "已在主题党日传达到全体党员"));
}
