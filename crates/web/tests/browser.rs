//! Journeys through the real pages in a real browser (headless Debian
//! Chromium driven by chromedriver), on SQLite: the HTTP suite covers
//! PostgreSQL. Screenshots of each step go to `target/browser-screenshots/`.
//!
//! Without Chromium the tests are skipped with a note, except under CI
//! (`CI` set), where they must run: `.ci/install-browser.sh` installs it.

#[path = "common/browser.rs"]
mod browser;
mod common;

use std::time::Instant;

use browser::{Browser, Install, Viewport, login, run_blocking, serve};
use chrono::NaiveDate;
use serde_json::json;
use xianfeng_store::testkit;

/// Journey A, desktop, as the secretary of 办公室党支部 (seca1): sign in, the
/// home page, the org tree through the menu, a name search in the roster, and a
/// new member whose ID number is first mistyped and then corrected.
#[tokio::test(flavor = "multi_thread")]
async fn branch_secretary_on_desktop() {
    let Some(install) = Install::find() else { return };
    let started = Instant::now();
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let branch = p.branch_a1.name.clone();
    let origin = serve(store).await;
    run_blocking(move || {
        let b = Browser::launch(&install, &origin, "a", Viewport::Desktop(1280, 900));
        let width = b.exec("return window.innerWidth;", vec![]);
        b.check(width.as_u64().is_some_and(|w| w >= 1200), &format!("a desktop viewport, not {width}"));

        // Sign in.
        login(&b, "seca1", Some("a01-login.png"));
        b.wait_path("the home page /", |p| p == "/");
        b.wait_text("待办提醒");
        b.check(b.text(&b.css(".crumbs")).contains("首页"), "the breadcrumbs start at 首页");
        b.check(b.text(&b.css("header.topbar")).contains("支部书记"), "the top bar names the role");
        b.assert_only_local();
        b.screenshot("a02-home.png");

        // 组织架构 through the left menu.
        b.click(&b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='组织架构']"));
        b.wait_path("/orgs", |p| p.starts_with("/orgs"));
        b.wait_text(&branch);
        b.check(b.exists("nav.menu a.active[href='/orgs']"), "the menu marks 组织架构 as the current page");
        b.assert_only_local();
        b.screenshot("a03-orgs.png");

        // 党员名册, filtered by a character of the name.
        b.click(&b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='党员名册']"));
        b.wait_path("/members", |p| p.starts_with("/members"));
        b.css("#member-table");
        b.type_into(&b.css("form.filters input[name=name]"), "李");
        b.click(&b.css("form.filters button[type=submit]"));
        b.wait_path("/members?name=李", |p| p.starts_with("/members?") && p.contains("name=李"));
        let table = b.text(&b.css("#member-table"));
        b.check(table.contains("李娜"), "the search for 李 lists 李娜");
        for other in ["张伟", "赵敏", "王芳", "陈静"] {
            b.check(!table.contains(other), &format!("the search for 李 does not list {other}"));
        }
        b.check(b.value_of("form.filters input[name=name]") == "李", "the filter keeps 李");
        b.check(b.body_text().contains("共 1 条"), "the roster counts 共 1 条");
        b.assert_only_local();
        b.screenshot("a04-members-filtered.png");

        // 新增党员 with a mistyped ID number.
        b.click(&b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='新增党员']"));
        b.wait_path("/members/new", |p| p.starts_with("/members/new"));
        let name = "周晓红";
        let birth = NaiveDate::from_ymd_opt(1992, 4, 5).expect("date");
        // An even sequence number: a woman's ID number.
        let good_id = xianfeng_core::idcard::compose(520102, birth, 212);
        let mut bad_id = good_id.clone();
        let last = bad_id.pop().expect("18 characters");
        bad_id.push(if last == '1' { '2' } else { '1' });
        b.type_into(&b.css("#f-name"), name);
        b.choose("f-gender", "女");
        b.choose("f-ethnicity", "布依族");
        b.type_into(&b.css("#f-id_card"), &bad_id);
        b.choose("f-education", "大学本科");
        b.type_into(&b.css("#f-phone"), "13912345678");
        b.choose("f-status", "正式党员");
        b.set_value(&b.css("#f-join_date"), "2016-06-01");
        b.set_value(&b.css("#f-full_date"), "2017-06-01");
        b.choose("f-org_id", &branch);
        b.assert_only_local();
        b.click(&b.css("#save"));
        let err = b.css("#e-id_card");
        b.wait_text("请修改标红的项目后再保存");
        let message = b.text(&err);
        b.check(message.contains("公民身份号码校验位不正确"), &format!("the ID field says why it is wrong, not {message:?}"));
        // The message sits under its own field, below the input.
        let input = b.css("#f-id_card");
        let under = b.exec(
            "return arguments[0].parentElement.contains(arguments[1]) && arguments[0].getAttribute('aria-describedby') === arguments[1].id;",
            vec![Browser::el_arg(&input), Browser::el_arg(&err)],
        );
        b.check(under == json!(true), "the error belongs to the ID field (same .field, aria-describedby)");
        let (_, input_y, _, input_h) = b.rect(&input);
        let (_, err_y, _, _) = b.rect(&err);
        b.check(err_y >= input_y + input_h - 1.0, &format!("the error is below the input ({err_y} < {input_y} + {input_h})"));
        b.check(b.value_of("#f-name") == name, "the name typed is still in the form");
        b.check(b.value(&input) == bad_id, "the mistyped ID number is kept for correction");
        b.check(b.value_of("#f-join_date") == "2016-06-01", "the join date is kept");
        b.assert_only_local();
        b.screenshot("a05-member-form-error.png");

        // Corrected: the member is created and shown with the ID masked.
        b.type_into(&input, &good_id);
        b.click(&b.css("#save"));
        b.wait_path("the new member's page", |p| p.contains("ok=created"));
        b.wait_text("已新增");
        b.check(b.text(&b.css("#member-name")) == name, "the detail page shows the new member's name");
        let masked = xianfeng_core::text::mask_id_card(&good_id);
        b.check(masked == "52****************", &format!("masked to the province code only: {masked}"));
        let shown = b.text(&b.css("#id-card"));
        b.check(shown.contains(&masked), &format!("the ID is shown masked ({masked}), not {shown:?}"));
        b.check(!b.source().contains(&good_id), "the full ID number is not in the page");
        b.check(b.text(&b.css("h1")).contains(name), "the page title names the member");
        b.assert_only_local();
        b.screenshot("a06-member-created.png");
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("journey A (desktop): browser {:.1?}, whole test {:.1?}\n", b.elapsed(), started.elapsed()),
        );
    })
    .await;
}

/// Journey B, phone, as the member 张伟 (member1): sign in to 我的档案 and
/// open the menu behind the 菜单 button (a CSS checkbox, no script).
#[tokio::test(flavor = "multi_thread")]
async fn member_on_phone() {
    let Some(install) = Install::find() else { return };
    let started = Instant::now();
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let me = p.member("张伟").name().to_string();
    let branch = p.branch_a1.name.clone();
    let origin = serve(store).await;
    run_blocking(move || {
        let b = Browser::launch(&install, &origin, "b", Viewport::Phone(390, 844));
        login(&b, "member1", None);
        b.wait_path("/me", |p| p == "/me");
        let width = b.exec("return window.innerWidth;", vec![]);
        b.check(width == json!(390), &format!("a 390 px wide phone viewport, not {width}"));
        b.wait_text("我的档案");
        let record = b.text(&b.css("dl.kv"));
        b.check(record.contains(&me), &format!("我的档案 shows the member's own name {me}"));
        b.check(record.contains(&branch), "我的档案 shows the member's branch");
        // One column: nothing wider than the phone.
        let overflow = b.exec("return document.documentElement.scrollWidth - window.innerWidth;", vec![]);
        b.check(overflow.as_i64() == Some(0), &format!("the page is {overflow} px wider than the phone"));
        b.assert_only_local();
        b.screenshot("b01-me-phone.png");

        // The menu is folded away behind 菜单 and opens without script.
        let menu = b.css("nav.menu");
        b.check(!b.displayed(&menu), "the menu is folded on a phone");
        let button = b.xpath("//label[@for='nav-toggle' and normalize-space()='菜单']");
        b.check(b.displayed(&button), "the 菜单 button shows on a phone");
        let (_, _, bw, bh) = b.rect(&button);
        b.check(bw >= 32.0 && bh >= 24.0, &format!("the 菜单 button is large enough to tap ({bw}x{bh})"));
        b.click(&button);
        b.wait("the menu to open", || b.displayed(&menu).then_some(()));
        let link = b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='我的档案']");
        b.check(b.displayed(&link), "the open menu offers 我的档案");
        b.screenshot("b02-menu-phone.png");

        // The menu's link works.
        b.click(&link);
        b.wait_path("/me", |p| p == "/me");
        b.wait_text(&me);
        b.assert_only_local();
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("journey B (phone): browser {:.1?}, whole test {:.1?}\n", b.elapsed(), started.elapsed()),
        );
    })
    .await;
}

/// Journey C: the secretary of 办公室党支部 plans today's theme day on a
/// desktop, 张伟 scans the code and checks in on a phone, the secretary records
/// the meeting, and the branch's compliance for this cycle moves by one.
#[tokio::test(flavor = "multi_thread")]
async fn plan_check_in_on_a_phone_record_and_see_compliance_move() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let branch_id = p.branch_a1.id;
    let li = p.member("李娜").id();
    let origin = serve(store).await;
    let year = xianfeng_core::text::today_cn().format("%Y").to_string();
    let today = xianfeng_core::text::today_cn().to_string();
    run_blocking(move || {
        let compliance = format!("/compliance?org_id={branch_id}&year={year}");
        let b = Browser::launch(&install, &origin, "c", Viewport::Desktop(1280, 900));
        login(&b, "seca1", None);
        b.goto(&compliance);
        b.wait_text("会议按期召开率");
        let before = b.text(&b.css("#open-total"));
        b.screenshot("c01-compliance-before.png");

        // Plan today's theme day through the menu.
        b.click(&b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='安排会议']"));
        b.wait_path("/meetings/new", |p| p.starts_with("/meetings/new"));
        b.choose("f-org_id", "办公室党支部");
        b.choose("f-kind", "主题党日（党支部，每月至少1次）");
        b.set_value(&b.css("#f-planned_on"), &today);
        b.type_into(&b.css("#f-topic"), "重温入党誓词");
        b.type_into(&b.css("#f-place"), "党员活动室");
        b.screenshot("c02-plan.png");
        b.click(&b.css("form[action='/meetings'] button[type=submit]"));
        let path = b.wait_path("the new meeting's page", |p| p.starts_with("/meetings/") && p.contains("ok=planned"));
        b.wait_text("会议已安排");
        b.check(b.exists("#checkin-qr"), "the meeting page shows the check-in QR code");
        let qr_ok =
            b.exec("var i = document.getElementById('checkin-qr'); return i.complete && i.naturalWidth > 0;", vec![]);
        b.check(qr_ok == json!(true), "the QR code image loads (served by the platform)");
        let link = b.exec("return document.getElementById('checkin-link').getAttribute('href');", vec![]);
        let link = link.as_str().expect("a check-in link").to_string();
        let checkin_path =
            link.split_once("//").and_then(|x| x.1.split_once('/')).map(|x| format!("/{}", x.1)).expect("a path");
        b.assert_only_local();
        b.screenshot("c03-meeting-with-qr.png");
        let meeting_path = path.split('?').next().expect("path").to_string();
        // The projected screen shows the same code of the minute, large.
        b.click(&b.css("#checkin-screen-link"));
        b.wait_path("the check-in screen", |p| p.ends_with("/checkin-screen"));
        let code = b.text(&b.css("#screen-code"));
        b.check(code.chars().count() == 6, &format!("a six-character code on the screen, not {code:?}"));
        b.check(checkin_path.contains(&format!("t={code}")), "the screen's code is the link's");
        b.check(b.exists("#screen-qr svg"), "the screen shows the QR code");
        b.assert_only_local();
        b.screenshot("c03b-checkin-screen.png");
        drop(b);

        // 张伟 scans the code on a phone: sign in, come back to the check-in, confirm.
        let phone = Browser::launch(&install, &origin, "c-phone", Viewport::Phone(390, 844));
        phone.goto(&checkin_path);
        phone.wait_path("the sign-in page", |p| p.starts_with("/login"));
        phone.type_into(&phone.css("#username"), "member1");
        phone.type_into(&phone.css("#password"), common::PASSWORD);
        phone.click(&phone.css("form[action='/login'] button[type=submit]"));
        phone.wait_path("back to the check-in page", |p| p.starts_with("/checkin/"));
        phone.wait_text("重温入党誓词");
        let button = phone.css("#checkin-button");
        let (_, _, w, h) = phone.rect(&button);
        phone.check(w >= 300.0 && h >= 44.0, &format!("a large tap target on the phone, not {w}x{h}"));
        phone.screenshot("c04-phone-checkin.png");
        phone.click(&button);
        phone.wait_text("签到成功");
        phone.assert_only_local();
        phone.screenshot("c05-phone-done.png");
        drop(phone);

        // The secretary records the meeting: 李娜 was there too.
        let b = Browser::launch(&install, &origin, "c2", Viewport::Desktop(1280, 900));
        login(&b, "seca1", None);
        b.goto(&meeting_path);
        b.wait_text("已签到 1 人");
        b.click(&b.css("#record-link"));
        b.wait_path("the record form", |p| p.ends_with("/record"));
        b.click(&b.css(&format!("input[name='p_{li}'][value='present']")));
        b.type_into(&b.css("#f-minutes"), "全体党员面向党旗重温入党誓词，交流学习体会。");
        b.screenshot("c06-record.png");
        b.click(&b.css("#record-form button[type=submit]"));
        b.wait_path("the meeting page", |p| p.contains("ok=recorded"));
        b.wait_text("实到 2 人");
        b.check(b.text(&b.css("#meeting-status")).contains("计入落实情况"), "the meeting counts");
        b.screenshot("c07-recorded.png");

        b.goto(&compliance);
        b.wait_text("会议按期召开率");
        let after = b.text(&b.css("#open-total"));
        let held = |s: &str| s.split('/').next().and_then(|n| n.trim().parse::<i64>().ok()).unwrap_or(-1);
        b.check(
            held(&after) == held(&before) + 1,
            &format!("this cycle's held meetings went from {before} to {after}"),
        );
        b.screenshot("c08-compliance-after.png");
    })
    .await;
}

/// Journey D: the secretary of 办公室党支部 records 张伟's dues for this month on
/// a desktop after the unit opened the month; a short amount is refused first.
#[tokio::test(flavor = "multi_thread")]
async fn record_a_dues_payment() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let zhang = p.member("张伟").id();
    let admin = p.unit_admin(&p.unit_a);
    let scope = testkit::member_scope(&store, &admin).await.expect("scope");
    let who = testkit::who(&admin);
    let input = xianfeng_store::dues::BaseInput {
        member_type: "salaried".into(),
        base: "8000".into(),
        effective_month: "2020-01".into(),
        ..Default::default()
    };
    xianfeng_store::dues::set_base(&store, &scope.writer().unwrap(), &who, zhang, &input).await.expect("base");
    let today = xianfeng_core::text::today_cn();
    xianfeng_store::dues::open_cycle(&store, &scope, &who, today).await.expect("open");
    let origin = serve(store).await;
    run_blocking(move || {
        let b = Browser::launch(&install, &origin, "d", Viewport::Desktop(1280, 900));
        login(&b, "seca1", None);
        b.click(&b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='党费收缴']"));
        b.wait_path("/dues/cycles", |p| p.starts_with("/dues/cycles"));
        b.wait_text("缴费登记");
        let form = format!("form[action^='/dues/charges/{zhang}/']");
        b.type_into(&b.css(&format!("{form} input[name=amount]")), "100");
        b.screenshot("d01-dues-short.png");
        b.click(&b.css(&format!("{form} button[type=submit]")));
        b.wait_text("缴费金额少于应缴的¥120.00");
        b.screenshot("d02-dues-refused.png");
        b.type_into(&b.css(&format!("{form} input[name=amount]")), "120.00");
        b.click(&b.css(&format!("{form} button[type=submit]")));
        // The confirmation names whose payment, which month and how much.
        b.wait_text("已登记张伟");
        b.check(b.text(&b.css("main")).contains("的党费 ¥120.00"), "the confirmation names the amount");
        b.check(b.text(&b.css("#charge-table")).contains("已缴 ¥120.00"), "the charge shows as paid");
        b.assert_only_local();
        b.screenshot("d03-dues-paid.png");
    })
    .await;
}

/// Journey E, desktop, as the secretary of 办公室党支部: open an applicant's
/// recruitment case from the menu, try to make them an activist a day before
/// the timer allows, read the refusal with the rule and the first date, and
/// advance on that date.
#[tokio::test(flavor = "multi_thread")]
async fn advance_an_activist_too_early_then_on_time() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let admin = p.committee_admin();
    let scope = testkit::member_scope(&store, &admin).await.expect("scope");
    let birth = NaiveDate::from_ymd_opt(1999, 2, 3).expect("date");
    let input =
        testkit::member_input("孙悦", p.branch_a1.id, birth, 81, xianfeng_core::member::MemberStatus::Applicant);
    let person = xianfeng_store::member::create(&store, &scope.writer().unwrap(), &testkit::who(&admin), &input)
        .await
        .expect("applicant")
        .id;
    let sec = p.branch_secretary(&p.branch_a1);
    let ss = testkit::member_scope(&store, &sec).await.expect("scope");
    let who = testkit::who(&sec);
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let case = xianfeng_store::recruitment::start(
        &store,
        &ss.writer().unwrap(),
        &who,
        person,
        d("2025-03-10"),
        Default::default(),
    )
    .await
    .expect("case");
    let talk = xianfeng_core::recruitment::Event {
        step: 2,
        action: xianfeng_core::recruitment::Action::Record,
        on: d("2025-03-20"),
        data: Default::default(),
    };
    xianfeng_store::recruitment::act(&store, &ss.writer().unwrap(), None, &who, case.id, talk, None)
        .await
        .expect("talk");
    let origin = serve(store).await;
    run_blocking(move || {
        let b = Browser::launch(&install, &origin, "e", Viewport::Desktop(1280, 900));
        login(&b, "seca1", None);
        b.click(&b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='发展党员名册']"));
        b.wait_path("/recruitment/cases", |p| p.starts_with("/recruitment/cases"));
        b.click(&b.xpath("//table[@id='cases']//a[normalize-space()='孙悦']"));
        b.wait_text("办理第3步：推荐和确定入党积极分子");
        b.check(b.text(&b.css("#earliest")).contains("最早可于 2025-09-10 办理"), "the first possible date is shown");
        b.type_into(&b.css("#step-form input[name=on]"), "2025-09-09");
        b.type_into(&b.css("#step-form input[name=responsible]"), "王书记");
        b.screenshot("e01-recruitment-too-early.png");
        b.click(&b.css("#step-submit"));
        b.wait_text("递交入党申请书6个月后方可确定为入党积极分子，最早可于 2025-09-10 办理");
        b.check(b.value_of("#step-form input[name=responsible]") == "王书记", "the input is kept");
        b.screenshot("e02-recruitment-refused.png");
        b.type_into(&b.css("#step-form input[name=on]"), "2025-09-10");
        b.click(&b.css("#step-submit"));
        b.wait_text("已办理");
        b.check(b.text(&b.css("#person-status")).contains("入党积极分子"), "the person is now an activist");
        b.check(b.text(&b.css("#history")).contains("推荐和确定入党积极分子"), "the step is in the history");
        b.assert_only_local();
        b.screenshot("e03-recruitment-activist.png");
    })
    .await;
}

/// Journey F, desktop: the secretary of 办公室党支部 asks to transfer 张伟 to a
/// branch of 省教育厅 and approves it as the sending side (the letter is
/// issued); the 省教育厅 administrator finds it on the month page and accepts it.
#[tokio::test(flavor = "multi_thread")]
async fn approve_a_transfer_from_both_sides() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let destination = format!("{} — {}", p.unit_b.name, p.branch_b1.name);
    let b1_name = p.branch_b1.name.clone();
    let origin = serve(store).await;
    run_blocking(move || {
        let b = Browser::launch(&install, &origin, "f", Viewport::Desktop(1280, 900));
        login(&b, "seca1", None);
        b.click(&b.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='申请转出']"));
        b.wait_path("/transfers/new", |p| p.starts_with("/transfers/new"));
        b.type_into(&b.css("#f-reason"), "工作调动");
        b.choose("f-member_id", "张伟（办公室党支部，正式党员）");
        // Few destinations in this province: a select of them (the search of
        // a large one is tested over HTTP in pickers.rs).
        b.choose("f-to_org_id", &destination);
        b.screenshot("f01-transfer-request.png");
        b.click(&b.css("#transfer-submit"));
        b.wait_text("转接申请已提交");
        b.click(&b.css("#approve-submit"));
        b.wait_text("已审批");
        b.check(b.text(&b.css("#transfer-state")).contains("待接收方审批"), "waiting for the receiving side");
        b.check(b.text(&b.css("#transfer-info")).contains("省直机关转〔"), "the letter has a number");
        b.screenshot("f02-transfer-sent.png");
        b.assert_only_local();

        let r = Browser::launch(&install, &origin, "f-receiving", Viewport::Desktop(1280, 900));
        login(&r, "unitb", None);
        r.goto("/month");
        r.wait_text("组织关系转接待审批");
        r.click(&r.xpath("//ul[@id='transfers-waiting']//a[normalize-space()='张伟']"));
        r.wait_text("接收方审批");
        r.screenshot("f03-transfer-to-accept.png");
        r.click(&r.css("#approve-submit"));
        r.wait_text("已审批");
        r.check(r.text(&r.css("#transfer-state")).contains("已完成"), "the transfer is done");
        r.click(&r.xpath("//a[normalize-space()='查看党员档案']"));
        r.wait_text(&b1_name);
        r.assert_only_local();
        r.screenshot("f04-transfer-received.png");
    })
    .await;
}

/// Journey G, desktop: the working committee sets up a 四强党支部 campaign and
/// its panel; a branch applies; two reviewers score; the results are published;
/// another branch objects; the committee closes the objection and names the
/// campaign once the notice period is over; the honor is in the register.
#[tokio::test(flavor = "multi_thread")]
async fn run_a_campaign_from_application_to_naming() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let _p = common::province_with_accounts(&store).await;
    let keep = store.clone();
    let origin = serve(store).await;
    let today = xianfeng_core::text::today_cn();
    let until = (today + chrono::Days::new(10)).to_string();
    let today_s = today.to_string();
    let handle = tokio::runtime::Handle::current();
    run_blocking(move || {
        let gw = Browser::launch(&install, &origin, "g", Viewport::Desktop(1280, 900));
        login(&gw, "gwadmin", None);
        gw.click(&gw.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='评选表彰']"));
        gw.wait_text("新建评选");
        gw.choose("f-honor", "四强党支部");
        gw.choose("f-cond", "不设条件");
        gw.type_into(&gw.css("#f-year"), "2019");
        gw.set_value(&gw.css("#f-until"), &until);
        gw.type_into(&gw.css("#f-tier0"), "四强党支部");
        gw.type_into(&gw.css("input[name=quota0]"), "1");
        gw.click(&gw.css("#campaign-form button[type=submit]"));
        gw.wait_text("评选已建立");
        let url = gw.path().split('?').next().unwrap_or_default().to_string();
        gw.type_into(&gw.css("#f-reviewers"), "unitb, gwadmin");
        gw.click(&gw.css("#reviewers-form button[type=submit]"));
        gw.wait_text("评审组已设置");
        gw.screenshot("g01-campaign-set-up.png");

        let sec = Browser::launch(&install, &origin, "g-branch", Viewport::Desktop(1280, 900));
        login(&sec, "seca1", None);
        sec.goto(&url);
        sec.wait_text("申报并自评");
        for (i, v) in ["28", "22", "22", "18"].iter().enumerate() {
            sec.type_into(&sec.css(&format!("#p{i}")), v);
        }
        sec.type_into(&sec.css("#f-evidence"), "三会一课全部落实，党员教育管理规范");
        sec.click(&sec.css("#apply-submit"));
        sec.wait_text("已申报");
        sec.screenshot("g02-campaign-applied.png");

        gw.goto(&url);
        gw.click(&gw.css("#close-applications"));
        gw.wait_text("已截止申报，进入评审");
        for (i, v) in ["27", "21", "20", "17"].iter().enumerate() {
            gw.type_into(&gw.css(&format!("form.score-form input[name=p{i}]")), v);
        }
        gw.click(&gw.css("form.score-form button[type=submit]"));
        gw.wait_text("评分已保存");
        let ub = Browser::launch(&install, &origin, "g-reviewer", Viewport::Desktop(1280, 900));
        login(&ub, "unitb", None);
        ub.goto(&url);
        ub.wait_text("评审打分");
        for (i, v) in ["29", "23", "21", "18"].iter().enumerate() {
            ub.type_into(&ub.css(&format!("form.score-form input[name=p{i}]")), v);
        }
        ub.click(&ub.css("form.score-form button[type=submit]"));
        ub.wait_text("评分已保存");
        ub.screenshot("g03-campaign-scored.png");

        gw.goto(&url);
        gw.set_value(&gw.css("#f-nt"), &today_s);
        gw.click(&gw.css("#publish"));
        gw.wait_text("结果已公示");
        gw.check(gw.text(&gw.css("#results")).contains("88.00"), "the mean of 85 and 91 is shown");

        let other = Browser::launch(&install, &origin, "g-objector", Viewport::Desktop(1280, 900));
        login(&other, "seca2", None);
        other.goto(&url);
        other.wait_text("提出异议");
        other.click(&other.css("#results a.object"));
        other.wait_text("”提出异议");
        other.type_into(&other.css("#f-text"), "反映该支部会议记录不全");
        other.click(&other.css("#object-form button[type=submit]"));
        other.wait_text("异议已提交");
        other.screenshot("g04-campaign-objection.png");

        gw.goto(&url);
        gw.type_into(&gw.css("#objections input[name=finding]"), "经核查，会议记录齐全，异议不成立");
        gw.click(&gw.css("#objections button[type=submit]"));
        gw.wait_text("异议已办结");
        gw.click(&gw.css("#name"));
        gw.wait_text("期满后方可命名");
        // The notice period ends (the clock moves on).
        let id: i64 = url.rsplit('/').next().and_then(|s| s.parse().ok()).expect("campaign id");
        handle.block_on(async {
            let mut tx = keep.db.begin().await.expect("tx");
            tx.c()
                .execute(xianfeng_store::q!(
                    "UPDATE campaigns SET notice_to = $1 WHERE id = $2",
                    today - chrono::Days::new(1),
                    id
                ))
                .await
                .expect("update");
            tx.commit().await.expect("commit");
        });
        gw.goto(&url);
        gw.click(&gw.css("#name"));
        gw.wait_text("已命名");
        gw.goto("/honors");
        gw.wait_text("办公室党支部");
        gw.assert_only_local();
        gw.screenshot("g05-campaign-named.png");
    })
    .await;
}

/// Journey H, desktop: unit A's administrator opens this year's 排队抓尾, reads
/// 办公室党支部's score explained indicator by indicator, and gives the tail
/// branch a rectification plan; its secretary records progress and asks for
/// verification; the unit verifies and lifts it (销号).
#[tokio::test(flavor = "multi_thread")]
async fn rank_explain_rectify_and_lift_a_tail_branch() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let a1 = p.branch_a1.name.clone();
    let a1_id = p.branch_a1.id;
    let year = chrono::Datelike::year(&xianfeng_core::text::today_cn());
    let deadline = (xianfeng_core::text::today_cn() + chrono::Days::new(30)).to_string();
    let origin = serve(store).await;
    run_blocking(move || {
        let ua = Browser::launch(&install, &origin, "h", Viewport::Desktop(1280, 900));
        login(&ua, "unita", None);
        ua.click(&ua.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='排队抓尾']"));
        ua.wait_path("/ranking", |p| p.starts_with("/ranking"));
        ua.type_into(&ua.css("#f-year"), &year.to_string());
        ua.click(&ua.css("form.filters button[type=submit]"));
        ua.wait("the year's ranking", || ua.url().contains("year=").then_some(()));
        ua.check(ua.text(&ua.css("#tail-count")).trim() != "0", "the tail is flagged");
        ua.screenshot("h01-ranking.png");
        // 升降: nothing was recorded last year, so every tail branch is new to the tail.
        ua.choose("f-moved", "新列末位");
        ua.click(&ua.css("form.filters button[type=submit]"));
        ua.wait("the 升降 filter", || ua.url().contains("moved=into_tail").then_some(()));
        ua.check(ua.text(&ua.css("#ranking")).contains("新参排"), "new to the ranking");
        ua.check(ua.exists("a[href*='/ranking/export.xlsx?year=']"), "the export keeps the filters");
        ua.screenshot("h01b-ranking-new-to-tail.png");
        ua.goto(&format!("/ranking?year={year}"));
        ua.wait_text("较上年");
        ua.click(&ua.xpath(&format!("//table[@id='ranking']//a[normalize-space()='{a1}']")));
        ua.wait_text("得分构成");
        ua.check(ua.text(&ua.css("#explain")).contains("合计"), "the indicators add up to the score");
        ua.screenshot("h02-ranking-explained.png");
        ua.goto(&format!("/rectifications?year={year}"));
        ua.wait_text("尚未制定整改方案的末位党支部");
        ua.click(&ua.xpath(&format!("//ul[@id='without-plan']//a[contains(@href,'org_id={a1_id}&')]")));
        ua.wait_text("制定整改方案");
        ua.type_into(&ua.css("#f-problems"), "三会一课未按期召开");
        ua.type_into(&ua.css("#f-measures"), "制定全年会议计划，每月固定主题党日");
        ua.type_into(&ua.css("#f-owner"), "支部书记");
        ua.set_value(&ua.css("#f-deadline"), &deadline);
        ua.click(&ua.css("#rect-form button[type=submit]"));
        ua.wait_text("整改方案已建立");
        let plan = ua.path().split('?').next().unwrap_or_default().to_string();
        ua.screenshot("h03-rectification-plan.png");

        let sec = Browser::launch(&install, &origin, "h-branch", Viewport::Desktop(1280, 900));
        login(&sec, "seca1", None);
        sec.goto(&plan);
        sec.wait_text("申请验收");
        sec.type_into(&sec.css("#f-note"), "已召开支部委员会研究整改，补开组织生活会");
        sec.click(&sec.xpath("//form[@id='progress-form']//button[@value='progress']"));
        sec.wait_text("已记录整改进展");
        sec.type_into(&sec.css("#f-note"), "整改措施已全部落实");
        sec.click(&sec.css("#submit-verify"));
        sec.wait_text("已申请验收");
        sec.check(sec.text(&sec.css("#rect-state")).contains("待单位验收"), "waiting for the unit");
        sec.check(!sec.exists("#lift"), "a branch cannot verify its own plan");
        sec.screenshot("h04-rectification-submitted.png");

        // The unit's home page says a plan waits for its verification; the link opens the board.
        ua.goto("/");
        ua.wait_text("1项排队抓尾整改已申请验收，待销号");
        ua.click(&ua.xpath("//a[contains(normalize-space(),'整改已申请验收')]"));
        ua.wait_path("the board of plans awaiting verification", |p| p.starts_with("/rectifications"));
        ua.check(ua.text(&ua.css("#n-submitted")).trim() == "1", "one plan awaits verification");
        ua.screenshot("h04b-rectification-board.png");
        ua.goto(&plan);
        ua.wait_text("验收意见");
        ua.type_into(&ua.css("#v-note"), "经核查，整改到位");
        ua.click(&ua.css("#lift"));
        ua.wait_text("已验收销号");
        ua.check(ua.text(&ua.css("#rect-state")).contains("已销号"), "lifted");
        ua.check(ua.text(&ua.css("#entries")).contains("整改措施已全部落实"), "the record keeps every entry");
        ua.assert_only_local();
        ua.screenshot("h05-rectification-lifted.png");
    })
    .await;
}

/// Journey I, desktop: the working committee opens the year's secretaries'
/// review; unit A submits its secretary's report; a branch secretary rates it;
/// the committee closes the review and reads the rates. Then discipline staff
/// record a sanction, and unit A's 清廉机关 application is refused for it.
#[tokio::test(flavor = "multi_thread")]
async fn secretaries_review_and_a_sanction_that_bars_a_campaign() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let unit_a = p.unit_a.name.clone();
    let today = xianfeng_core::text::today_cn();
    let year = chrono::Datelike::year(&today);
    let until = (today + chrono::Days::new(10)).to_string();
    let today_s = today.to_string();
    let origin = serve(store).await;
    run_blocking(move || {
        let gw = Browser::launch(&install, &origin, "i", Viewport::Desktop(1280, 900));
        login(&gw, "gwadmin", None);
        gw.click(&gw.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='书记述职评议']"));
        gw.wait_path("/secretary-reviews", |p| p.starts_with("/secretary-reviews"));
        gw.type_into(&gw.css("#f-year"), &year.to_string());
        gw.click(&gw.css("#review-form button[type=submit]"));
        gw.wait_text("述职评议已开始");
        let review = gw.path().split('?').next().unwrap_or_default().to_string();

        let ua = Browser::launch(&install, &origin, "i-unit", Viewport::Desktop(1280, 900));
        login(&ua, "unita", None);
        ua.goto(&review);
        ua.wait_text("提交述职报告");
        ua.type_into(&ua.css("#f-sec"), "王书记");
        ua.choose("f-mode", "现场述职");
        ua.type_into(&ua.css("#f-report"), "一年来坚持第一议题制度，抓实三会一课，支部标准化建设全面达标。");
        ua.click(&ua.css("#report-form button[type=submit]"));
        ua.wait_text("述职报告已提交");
        ua.screenshot("i01-secretary-report.png");

        let sec = Browser::launch(&install, &origin, "i-rater", Viewport::Desktop(1280, 900));
        login(&sec, "seca1", None);
        sec.goto(&review);
        sec.wait_text("王书记");
        sec.click(&sec.xpath("//table[@id='reports']//input[@value='good']"));
        sec.click(&sec.xpath("//table[@id='reports']//button[normalize-space()='提交']"));
        sec.wait_text("测评已保存");

        gw.goto(&review);
        gw.click(&gw.xpath("//button[normalize-space()='结束述职评议']"));
        gw.wait_text("述职评议已结束");
        gw.check(gw.text(&gw.css("#reports")).contains("100.0%"), "one 好 of one rating: 100% good");
        gw.screenshot("i02-secretary-results.png");

        // Discipline staff record a sanction in unit A.
        let js = Browser::launch(&install, &origin, "i-discipline", Viewport::Desktop(1280, 900));
        login(&js, "jijian", None);
        js.click(&js.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='案件登记']"));
        js.wait_text("登记案件");
        js.click(&js.xpath("//a[normalize-space()='登记案件']"));
        js.wait_text("决定机关");
        js.type_into(&js.css("#f-person_name"), "周某");
        js.choose("f-org_id", &unit_a);
        js.choose("f-cadre_rank", "科级及以下");
        js.choose("f-kind", "警告（党纪处分）");
        js.set_value(&js.css("#f-decided_on"), &today_s);
        js.type_into(&js.css("#f-decided_by"), "省直机关纪检监察工委");
        js.type_into(&js.css("#f-summary"), "违规收受礼金");
        js.click(&js.css("#case-form button[type=submit]"));
        js.wait_text("案件已登记");
        js.check(js.text(&js.css("#case")).contains("非党员公职人员"), "not a member of the unit");
        js.screenshot("i03-discipline-case.png");

        // 清廉机关 this year: unit A applies and is refused, with the reason.
        gw.click(&gw.xpath("//nav[contains(@class,'menu')]//a[normalize-space()='评选表彰']"));
        gw.wait_text("新建评选");
        gw.choose("f-honor", "清廉机关");
        gw.type_into(&gw.css("#f-year"), &year.to_string());
        gw.set_value(&gw.css("#f-until"), &until);
        gw.click(&gw.css("#campaign-form button[type=submit]"));
        gw.wait_text("评选已建立");
        let campaign = gw.path().split('?').next().unwrap_or_default().to_string();
        ua.goto(&campaign);
        ua.wait_text("申报并自评");
        for (i, v) in ["25", "18", "25", "18"].iter().enumerate() {
            ua.type_into(&ua.css(&format!("#p{i}")), v);
        }
        ua.type_into(&ua.css("#f-evidence"), "廉洁文化建设常态化");
        ua.click(&ua.css("#apply-submit"));
        ua.wait_text("不符合本次评选的申报条件（当年无党纪政务处分）");
        ua.check(!ua.source().contains("处分记录"), "the refusal does not tell a sanction apart");
        ua.check(ua.value_of("#f-evidence") == "廉洁文化建设常态化", "what was typed is kept");
        ua.check(ua.value_of("#p2") == "25", "the self-assessment is kept");
        ua.assert_only_local();
        ua.screenshot("i04-clean-organ-refused.png");
    })
    .await;
}

/// Journey J: an account is opened by two administrators and activated by its
/// owner. The system administrator creates it and sees only the first half of
/// the activation code; the security administrator approves it and sees the
/// second half; the owner, from the sign-in page, sets a password with both
/// halves, a wrong half first, and signs in to be told the account was
/// activated.
#[tokio::test(flavor = "multi_thread")]
async fn two_administrators_open_an_account_and_its_owner_activates_it() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    common::province_with_accounts(&store).await;
    let origin = serve(store).await;
    run_blocking(move || {
        let b = Browser::launch(&install, &origin, "j", Viewport::Desktop(1280, 900));
        login(&b, "sysadm", None);
        b.goto("/admin/users");
        b.wait_text("创建账号");
        b.type_into(&b.css("#f-username"), "newsec");
        b.type_into(&b.css("#f-display_name"), "新书记");
        b.click(&b.css("form[action='/admin/users'] button[type=submit]"));
        b.wait_text("启用码前半段");
        let part_a = b.text(&b.css("#code-part-a"));
        b.check(!part_a.is_empty(), "the first half is shown once");
        b.check(!b.body_text().contains("启用码后半段"), "the creator never sees the second half");
        b.screenshot("j01-created.png");
        drop(b);

        let b = Browser::launch(&install, &origin, "j2", Viewport::Desktop(1280, 900));
        login(&b, "secadm", None);
        b.goto("/admin/credentials");
        b.wait_text("newsec");
        b.screenshot("j02-tickets.png");
        // The approve button asks to confirm; the browser's dialog is accepted.
        b.exec("window.confirm = function () { return true; };", vec![]);
        b.click(&b.xpath("//tr[.//td[contains(., 'newsec')]]//button[normalize-space()='批准']"));
        b.wait_text("启用码后半段");
        let part_b = b.text(&b.css("#code-part-b"));
        b.check(!part_b.is_empty() && part_b != part_a, "the approver sees the other half");
        b.screenshot("j03-approved.png");
        drop(b);

        let phone = Browser::launch(&install, &origin, "j3", Viewport::Phone(390, 844));
        phone.goto("/login");
        phone.click(&phone.css("a[href='/activate']"));
        phone.wait_path("the activation page", |p| p.starts_with("/activate"));
        let fill = |half_b: &str| {
            phone.type_into(&phone.css("#username"), "newsec");
            phone.type_into(&phone.css("#part_a"), &part_a);
            phone.type_into(&phone.css("#part_b"), half_b);
            phone.type_into(&phone.css("#password"), "Owner-Chosen9");
            phone.type_into(&phone.css("#password2"), "Owner-Chosen9");
            phone.click(&phone.css("form[action='/activate'] button[type=submit]"));
        };
        fill("WRONG-HALF");
        phone.wait("the refusal", || phone.exists("#activate-error").then_some(()));
        phone.screenshot("j04-wrong-half.png");
        // The form keeps the username; the codes and passwords are typed again.
        phone.set_value(&phone.css("#username"), "");
        fill(&part_b);
        phone.wait("the account is activated", || phone.exists("#activate-done").then_some(()));
        phone.assert_only_local();
        phone.screenshot("j05-activated.png");
        phone.goto("/login");
        phone.type_into(&phone.css("#username"), "newsec");
        phone.type_into(&phone.css("#password"), "Owner-Chosen9");
        phone.click(&phone.css("form[action='/login'] button[type=submit]"));
        phone.wait_path("a page after signing in", |p| !p.starts_with("/login"));
        phone.wait("the notice of the activation", || phone.exists("#account-notice").then_some(()));
        phone.screenshot("j06-notice.png");
        phone.click(&phone.css("form[action='/me/notice'] button[type=submit]"));
        phone.wait("the notice acknowledged", || (!phone.exists("#account-notice")).then_some(()));
    })
    .await;
}

/// Every page type, as the roles that use it, on a desktop and (for the
/// people who use phones) a phone: axe-core finds no serious or critical
/// violation, and a skip link leads past the menu to the content.
#[tokio::test(flavor = "multi_thread")]
async fn every_page_type_is_accessible() {
    let Some(install) = Install::find() else { return };
    let (store, _dir) = testkit::sqlite_store().await;
    let p = common::province_with_accounts(&store).await;
    let secretary = p.branch_secretary(&p.branch_a1);
    let today = xianfeng_core::text::today_cn().to_string();
    let plan = xianfeng_core::meeting::PlanInput {
        kind: "theme_day".into(),
        planned_on: today,
        topic: "重温入党誓词".into(),
        ..Default::default()
    };
    let scope = testkit::org_scope(&secretary).unwrap().writer().unwrap();
    let meeting = xianfeng_store::meeting::plan(&store, &scope, &testkit::who(&secretary), p.branch_a1.id, &plan)
        .await
        .expect("plan a meeting");
    let zhang = p.member("张伟").id();
    let origin = serve(store).await;
    run_blocking(move || {
        let m = meeting.id;
        let secretary_pages: Vec<String> = [
            "/",
            "/orgs",
            "/members",
            "/members/new",
            "/meetings",
            "/meetings/new",
            "/meetings/held?kind=theme_day",
            "/compliance",
            "/month",
            "/dues",
            "/dues/cycles",
            "/transfers",
            "/transfers/new",
            "/recruitment",
            "/first-agenda",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("/members/{zhang}"), format!("/meetings/{m}"), format!("/meetings/{m}/record")])
        .collect();
        let pages = |who: &str| -> Vec<String> {
            let list: &[&str] = match who {
                "gwadmin" => &[
                    "/",
                    "/ranking",
                    "/compliance",
                    "/rules",
                    "/campaigns",
                    "/rectifications",
                    "/dues/summary",
                    "/secretary-reviews",
                ],
                "audadm" => &["/audit"],
                "secadm" => &["/admin/roles"],
                "sysadm" => &["/admin/users"],
                "member1" => &["/", "/me", "/me/meetings", "/me/dues"],
                _ => &[],
            };
            list.iter().map(|s| s.to_string()).collect()
        };
        let anon = Browser::launch(&install, &origin, "axe-login", Viewport::Phone(390, 844));
        anon.goto("/login");
        anon.wait_text("先锋党建平台");
        anon.assert_accessible("/login on a phone");
        for (who, viewport, list) in [
            ("seca1", Viewport::Desktop(1280, 900), secretary_pages.clone()),
            ("seca1", Viewport::Phone(390, 844), secretary_pages),
            ("gwadmin", Viewport::Desktop(1280, 900), pages("gwadmin")),
            ("audadm", Viewport::Desktop(1280, 900), pages("audadm")),
            ("secadm", Viewport::Desktop(1280, 900), pages("secadm")),
            ("sysadm", Viewport::Desktop(1280, 900), pages("sysadm")),
            ("member1", Viewport::Phone(390, 844), pages("member1")),
        ] {
            let b = Browser::launch(&install, &origin, &format!("axe-{who}"), viewport);
            login(&b, who, None);
            for path in &list {
                b.goto(path);
                b.wait("the page", || b.exists("main#content").then_some(()));
                b.assert_accessible(&format!("{path} as {who} ({viewport:?})"));
            }
            // The first Tab stop is the skip link, and it leads to the content.
            b.goto("/");
            b.wait("the page", || b.exists("main#content").then_some(()));
            b.exec("document.activeElement && document.activeElement.blur();", vec![]);
            let first = b.exec("return document.querySelector('a.skip-link').getAttribute('href');", vec![]);
            b.check(first.as_str() == Some("#content"), "the skip link points at the content");
        }
    })
    .await;
}
