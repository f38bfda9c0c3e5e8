//! Response schemas: meetings, compliance and first-agenda tasks.

use serde_json::{Value, json};
use xianfeng_core::first_agenda::TaskStatus;
use xianfeng_core::meeting::{AppliesTo, Cycle, Invitees, MeetingStatus, Presence, Quorum};
use xianfeng_core::member::MemberStatus;

use super::*;

pub(super) fn schemas() -> Value {
    let meeting = obj(&[
        ("id", int()),
        ("committee_id", int()),
        ("org_id", int()),
        ("org_name", text()),
        ("kind", described(text(), "会议类型（规则数据，见 /meeting-kinds）")),
        ("status", state!(MeetingStatus)),
        ("planned_on", date()),
        ("start_time", text()),
        ("held_on", null(date())),
        ("topic", text()),
        ("place", text()),
        ("host", text()),
        ("recorder", text()),
        ("minutes", text()),
        ("decisions", text()),
        ("first_agenda", text()),
        ("cancel_reason", text()),
        ("quorum", state!(Quorum)),
        ("quorum_met", boolean()),
        ("counted", boolean()),
        ("expected_count", int()),
        ("present_count", int()),
        ("leave_count", int()),
        ("absent_count", int()),
        ("observer_count", int()),
        ("voting_total", int()),
        ("voting_present", int()),
        ("committee_total", int()),
        ("committee_present", int()),
        ("checkin_open", boolean()),
        ("checkin_refused", int()),
        ("version", int()),
        ("created_by", text()),
        ("created_at", ms()),
        ("updated_at", ms()),
    ]);
    let attendee = obj(&[
        ("member_id", int()),
        ("name", text()),
        ("member_status", state!(MemberStatus)),
        ("presence", state!(Presence)),
        ("reason", text()),
        ("source", text()),
        ("voting", boolean()),
        ("committee_member", boolean()),
        ("checked_in_at", null(ms())),
    ]);
    let kind = obj(&[
        ("id", text()),
        ("label", text()),
        ("cycle", state!(Cycle)),
        ("times", int()),
        ("applies_to", state!(AppliesTo)),
        ("invitees", state!(Invitees)),
        ("quorum", state!(Quorum)),
        ("observers", boolean()),
        ("first_agenda", boolean()),
        ("three_meetings", boolean()),
    ]);
    let cell = obj(&[
        ("expected", int()),
        ("held", int()),
        ("met", int()),
        ("missed_cycles", int()),
        ("open_expected", int()),
        ("open_held", int()),
    ]);
    let totals = obj(&[
        ("all", r("ComplianceCell")),
        ("kinds", described(map(r("ComplianceCell")), "按会议类型代码")),
        ("orgs_expected", described(int(), "已结束周期内应开会议的组织数")),
        ("orgs_complete", described(int(), "其中没有漏开的组织数")),
    ]);
    let period = [
        ("kind", text()),
        ("kind_label", text()),
        ("org_id", int()),
        ("org_name", text()),
        ("period", text()),
        ("expected", int()),
        ("held", int()),
    ];
    let mut due = period.to_vec();
    due.extend([("due_by", date()), ("overdue", boolean())]);
    let mut missing = period.to_vec();
    missing.extend([("from", date()), ("to", date())]);
    let task = obj(&[
        ("id", int()),
        ("committee_id", int()),
        ("meeting_id", int()),
        ("meeting_topic", text()),
        ("org_id", int()),
        ("org_name", text()),
        ("title", text()),
        ("owner_user_id", described(null(int()), "责任人没有账号时为空（见 owner_name）")),
        ("owner_name", text()),
        ("due_on", date()),
        ("status", state!(TaskStatus)),
        ("done_on", null(date())),
        ("evidence", text()),
    ]);
    json!({
        "Meeting": meeting,
        "MeetingDetail": with("Meeting", &[
            ("kind_label", text()),
            ("attendees", list(attendee)),
            ("observers", list(obj(&[("name", text()), ("org_name", text()), ("position", text())]))),
            ("quorum_note", text()),
            ("checkin_url", text()),
        ]),
        "MeetingKind": kind,
        "MyMeeting": obj(&[
            ("id", int()),
            ("kind", text()),
            ("org_name", text()),
            ("topic", text()),
            ("planned_on", date()),
            ("held_on", null(date())),
            ("status", state!(MeetingStatus)),
            ("presence", state!(Presence)),
            ("checked_in_at", null(ms())),
        ]),
        "Attachment": obj(&[
            ("id", int()),
            ("meeting_id", int()),
            ("file_name", text()),
            ("content_type", text()),
            ("size", int()),
            ("uploaded_by", text()),
            ("uploaded_at", ms()),
        ]),
        "AttendeesAdded": obj(&[("added", int())]),
        "CheckinResult": obj(&[("meeting_id", int()), ("outcome", json!({ "type": "string", "enum": ["checked_in", "already"] }))]),
        "ComplianceCell": cell,
        "Compliance": obj(&[
            ("org_id", int()),
            ("org_name", text()),
            ("year", int()),
            ("period", obj(&[("year", int()), ("from_month", int()), ("to_month", int())])),
            ("period_label", text()),
            ("as_of", date()),
            ("by_district", boolean()),
            ("kinds", described(list(list(text())), "[类型代码, 名称]")),
            ("rows", list(obj(&[("org_id", null(int())), ("name", text()), ("kind_label", text()), ("totals", totals.clone())]))),
            ("total", totals),
        ]),
        "ComplianceDue": obj(&due),
        "ComplianceMissing": obj(&missing),
        "Task": task,
        "TaskSummary": page_with("Task", &[("open", int()), ("done", int()), ("overdue", int())]),
    })
}
