//! Schemas of what the API answers. Each names the Rust type it describes;
//! the HTTP test suites check every answer against them
//! (`conformance`), so a field added to a row without its line here fails a
//! test. State fields list the codes of their state enum.

use serde_json::{Map, Value, json};
use xianfeng_core::auth::{Purpose, Role, TicketState};
use xianfeng_core::campaign::{CampaignState, Honor, ReportMode, ReviewState};
use xianfeng_core::discipline::{CadreRank, CaseKind, Category};
use xianfeng_core::dues::{CycleStatus, MemberType};
use xianfeng_core::first_agenda::TaskStatus;
use xianfeng_core::meeting::{AppliesTo, Cycle, Invitees, MeetingStatus, Presence, Quorum};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::org::OrgKind;
use xianfeng_core::ranking::{RectificationEntry, RectificationState};
use xianfeng_core::recruitment::{Action, CaseStanding, Level};
use xianfeng_core::transfer::{TransferKind, TransferState};

fn int() -> Value {
    json!({ "type": "integer" })
}
fn num() -> Value {
    json!({ "type": "number" })
}
fn text() -> Value {
    json!({ "type": "string" })
}
fn boolean() -> Value {
    json!({ "type": "boolean" })
}
fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}
/// Money in fen (分), an integer.
fn fen() -> Value {
    json!({ "type": "integer", "description": "分" })
}
/// Milliseconds since 1970 (UTC).
fn ms() -> Value {
    json!({ "type": "integer", "description": "毫秒时间戳（UTC）" })
}
fn null(mut v: Value) -> Value {
    if v.get("$ref").is_some() {
        return json!({ "allOf": [v], "nullable": true });
    }
    v["nullable"] = Value::Bool(true);
    v
}
fn list(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}
fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}
/// A map from names to values of one schema.
fn map(values: Value) -> Value {
    json!({ "type": "object", "additionalProperties": values })
}
fn described(mut v: Value, d: &str) -> Value {
    v["description"] = Value::String(d.to_string());
    v
}
/// An object with these properties, all required except those whose name
/// ends in `?`.
fn obj(props: &[(&str, Value)]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, schema) in props {
        let name = match name.strip_suffix('?') {
            Some(n) => n,
            None => {
                required.push(Value::String(name.to_string()));
                name
            }
        };
        properties.insert(name.to_string(), schema.clone());
    }
    json!({ "type": "object", "required": required, "properties": properties })
}
/// `base` and more properties.
fn with(base: &str, props: &[(&str, Value)]) -> Value {
    json!({ "allOf": [r(base), obj(props)] })
}
/// A paged list of `item` with more properties beside it.
fn page_with(item: &str, props: &[(&str, Value)]) -> Value {
    json!({ "allOf": [super::conformance::response_schema(&format!("Page<{item}>")), obj(props)] })
}

/// The codes of a state enum, with its name as the description.
macro_rules! state {
    ($t:ty) => {
        json!({ "type": "string", "enum": <$t>::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(), "description": <$t>::WHAT })
    };
}

pub fn schemas() -> Value {
    let mut all = Map::new();
    for part in [common(), people(), org_life(), evaluation(), recruitment_and_transfers(), dues_and_reports()] {
        if let Value::Object(m) = part {
            all.extend(m);
        }
    }
    Value::Object(all)
}

fn common() -> Value {
    let role_row = obj(&[
        ("id", int()),
        ("user_id", int()),
        ("role", state!(Role)),
        ("org_id", null(int())),
        ("member_id", null(int())),
        ("granted_by", text()),
        ("granted_at", ms()),
    ]);
    let me = obj(&[
        ("id", int()),
        ("username", text()),
        ("display_name", text()),
        ("current_role", null(state!(Role))),
        ("member_id", null(int())),
        ("must_change_password", boolean()),
        ("password_expired", boolean()),
        ("org", null(r("OrgAnchor"))),
        ("roles", list(r("RoleBinding"))),
    ]);
    json!({
        "Ok": obj(&[("ok", boolean())]),
        "Done": obj(&[("ok", boolean()), ("done", described(text(), "完成的操作"))]),
        "Count": obj(&[("total", int())]),
        "RoleBinding": role_row,
        "OrgAnchor": obj(&[("committee_id", int()), ("id", int()), ("kind", state!(OrgKind)), ("name", text()), ("path", text())]),
        "Me": me,
        "Session": obj(&[("csrf_token", text()), ("user", r("Me"))]),
        "PasswordChanged": obj(&[("ok", boolean()), ("csrf_token", text())]),
        "Account": obj(&[
            ("id", int()),
            ("username", text()),
            ("display_name", text()),
            ("active", boolean()),
            ("must_change_password", boolean()),
            ("failed_logins", int()),
            ("locked_until", ms()),
            ("password_changed_at", ms()),
            ("reset_notice_at", ms()),
            ("created_by", text()),
            ("created_at", ms()),
        ]),
        "User": with("Account", &[("roles", list(r("RoleBinding")))]),
        "NewUserOpened": obj(&[("user", r("Account")), ("ticket_id", int()), ("activation_code_part_a", text())]),
        "ActivationPartA": obj(&[("ticket_id", int()), ("activation_code_part_a", text())]),
        "ActivationPartB": obj(&[("ticket_id", int()), ("activation_code_part_b", text())]),
        "CredentialTicket": obj(&[
            ("id", int()),
            ("user_id", int()),
            ("username", text()),
            ("display_name", text()),
            ("purpose", state!(Purpose)),
            ("state", state!(TicketState)),
            ("requested_by", text()),
            ("requested_at", ms()),
            ("approved_by", text()),
            ("expires_at", ms()),
        ]),
        "AuditEntry": obj(&[
            ("seq", int()),
            ("ts_ms", ms()),
            ("user_id", null(int())),
            ("username", text()),
            ("role", text()),
            ("ip", text()),
            ("action", text()),
            ("object_type", text()),
            ("object_id", text()),
            ("outcome", described(text(), "ok/denied/failed；按存储原样返回（链的校验码覆盖原文）")),
            ("detail", text()),
            ("prev_mac", text()),
            ("mac", text()),
        ]),
        "AuditVerify": obj(&[
            ("checked", int()),
            ("head_seq", int()),
            ("ok", boolean()),
            ("breaks", list(obj(&[("seq", int()), ("reason", text())]))),
        ]),
        "RuleRow": obj(&[
            ("key", text()),
            ("effective_from", date()),
            ("source", text()),
            ("value", described(json!({ "type": "object" }), "规则内容，结构随规则而定")),
        ]),
    })
}

fn people() -> Value {
    let member_row = [
        ("id", int()),
        ("committee_id", int()),
        ("name", text()),
        ("gender", text()),
        ("ethnicity", text()),
        ("birth_date", date()),
        ("id_card_masked", text()),
        ("phone_masked", text()),
        ("education", text()),
        ("category", text()),
        ("position", text()),
        ("cadre_rank", text()),
        ("join_date", null(date())),
        ("full_date", null(date())),
        ("status", state!(MemberStatus)),
        ("org_id", int()),
        ("org_name", text()),
        ("group_id", null(int())),
    ];
    let mut list_row = member_row.to_vec();
    list_row.push(("unit_name", text()));
    let mut detail = member_row.to_vec();
    detail.extend([
        ("org_path", text()),
        ("native_place", text()),
        ("address", text()),
        ("community", text()),
        ("version", int()),
        ("created_at", ms()),
        ("updated_at", ms()),
    ]);
    let org = obj(&[
        ("id", int()),
        ("committee_id", int()),
        ("parent_id", described(null(int()), "工委（根）为空")),
        ("path", text()),
        ("depth", int()),
        ("kind", state!(OrgKind)),
        ("name", text()),
        ("code", text()),
        ("district", text()),
        ("established_on", null(date())),
        ("term_start", null(date())),
        ("term_end", null(date())),
        ("sort_order", int()),
        ("active", boolean()),
        ("dissolved_on", null(date())),
        ("dissolved_reason", text()),
        ("created_at", ms()),
        ("updated_at", ms()),
    ]);
    let health = obj(&[
        ("counts", obj(&[("members", int()), ("full", int()), ("probationary", int()), ("committee_members", int())])),
        ("warnings", list(obj(&[("code", text()), ("message", text())]))),
        (
            "term",
            obj(&[
                ("state", json!({ "type": "string", "enum": ["unknown", "current", "due_soon", "overdue"] })),
                ("days_left?", int()),
                ("days_over?", int()),
            ]),
        ),
        ("term_label", text()),
    ]);
    let post =
        obj(&[("id", int()), ("member_id", int()), ("member_name", text()), ("post", text()), ("post_label", text())]);
    json!({
        "MemberRow": obj(&list_row),
        "Member": obj(&detail),
        "MemberChange": obj(&[
            ("ts_ms", ms()),
            ("username", text()),
            ("change", text()),
            ("field", text()),
            ("from_value", text()),
            ("to_value", text()),
            ("effective_date", null(date())),
            ("reason", text()),
        ]),
        "Revealed": obj(&[("field", text()), ("value", text())]),
        "ImportResult": obj(&[("rows", int()), ("imported", int()), ("errors", list(r("ImportRowError")))]),
        "ImportRowError": obj(&[("row", described(int(), "Excel 中的行号")), ("column", text()), ("reason", text())]),
        "Org": org,
        "OrgDetail": with("Org", &[("health", health), ("posts", list(r("OrgPost")))]),
        "OrgPost": post,
        "OrgChange": obj(&[("ts_ms", ms()), ("username", text()), ("change", text()), ("from_value", text()), ("to_value", text()), ("reason", text())]),
    })
}

fn org_life() -> Value {
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

fn evaluation() -> Value {
    let facts = obj(&[
        ("meetings_expected", int()),
        ("meetings_met", int()),
        ("attendance_expected", int()),
        ("present", int()),
        ("dues_charges", int()),
        ("dues_on_time", int()),
        ("cases_open", int()),
        ("cases_timely", int()),
        ("tasks_due", int()),
        ("tasks_done", int()),
    ]);
    let source = json!({ "type": "string", "enum": ["meeting_compliance", "attendance", "dues_on_time", "recruitment_timely", "first_agenda_tasks"] });
    let movement = json!({ "description": "与上年相比：new（上年未排名）、same，或 {\"up\": 名次}、{\"down\": 名次}", "anyOf": [
        { "type": "string", "enum": ["new", "same"] },
        obj(&[("up", int())]),
        obj(&[("down", int())]),
    ] });
    let rank_row = obj(&[
        ("org_id", int()),
        ("committee_id", int()),
        ("name", text()),
        ("unit_name", text()),
        ("score", num()),
        ("rank", int()),
        ("unit_rank", int()),
        ("tail", boolean()),
        ("facts", r("RankFacts")),
        ("prev_rank", null(int())),
        ("prev_tail", null(boolean())),
        ("movement", movement),
    ]);
    let rules = obj(&[
        ("indicators", list(obj(&[("source", source.clone()), ("weight", int()), ("target", num())]))),
        ("tail_below", num()),
        ("tail_percent", int()),
    ]);
    let application = obj(&[
        ("id", int()),
        ("campaign_id", int()),
        ("committee_id", int()),
        ("subject_id", int()),
        ("subject_name", text()),
        ("subject_path", null(text())),
        ("unit_name", text()),
        ("self_points", text()),
        ("self_total", int()),
        ("evidence", text()),
        ("disqualified", text()),
        ("applied_by", text()),
        ("applied_at", ms()),
    ]);
    let rectification = obj(&[
        ("id", int()),
        ("committee_id", int()),
        ("org_id", int()),
        ("org_name", text()),
        ("unit_name", text()),
        ("year", int()),
        ("rank_at_flag", int()),
        ("score_x100", int()),
        ("problems", text()),
        ("measures", text()),
        ("owner", text()),
        ("deadline", date()),
        ("state", state!(RectificationState)),
        ("lifted_on", null(date())),
        ("version", int()),
        ("created_by", text()),
        ("created_at", ms()),
    ]);
    let review = obj(&[("id", int()), ("year", int()), ("title", text()), ("state", state!(ReviewState))]);
    json!({
        "RankFacts": facts,
        "RankRow": rank_row,
        "Ranking": page_with("RankRow", &[
            ("year", int()),
            ("as_of", date()),
            ("ranked", int()),
            ("tail", int()),
            ("into_tail", int()),
            ("moved_up", int()),
            ("moved_down", int()),
            ("rules", rules),
        ]),
        "RankingDetail": obj(&[
            ("row", null(r("RankRow"))),
            ("name", text()),
            ("unit_name", text()),
            ("score", obj(&[
                ("score", num()),
                ("parts", list(obj(&[
                    ("source", source),
                    ("label", text()),
                    ("weight", int()),
                    ("effective_weight", num()),
                    ("numerator", int()),
                    ("denominator", int()),
                    ("rate", null(num())),
                    ("points", num()),
                ]))),
                ("ranked", boolean()),
            ])),
            ("facts", r("RankFacts")),
            ("history", described(list(list(json!({}))), "往年：[年度, 得分, 名次, 是否排尾]，新的在前")),
            ("ranked", int()),
        ]),
        "Rectification": rectification,
        "RectificationDetail": obj(&[
            ("r", r("Rectification")),
            ("entries", list(obj(&[
                ("seq", int()),
                ("kind", state!(RectificationEntry)),
                ("on_date", date()),
                ("note", text()),
                ("actor", text()),
                ("created_at", ms()),
            ]))),
            ("can_verify", boolean()),
        ]),
        "Campaign": obj(&[
            ("id", int()),
            ("year", int()),
            ("honor", state!(Honor)),
            ("title", text()),
            ("state", state!(CampaignState)),
            ("criteria", text()),
            ("tiers", text()),
            ("eligibility", text()),
            ("apply_until", date()),
            ("notice_from", null(date())),
            ("notice_to", null(date())),
            ("version", int()),
        ]),
        "CampaignDetail": obj(&[
            ("campaign", r("Campaign")),
            ("tie_rule", text()),
            ("results", list(obj(&[
                ("application", application),
                ("reviewers", int()),
                ("score", null(num())),
                ("place", null(int())),
                ("tier", null(text())),
                ("tie_note", text()),
            ]))),
        ]),
        "Honor": obj(&[
            ("id", int()),
            ("committee_id", int()),
            ("campaign_id", int()),
            ("honor", state!(Honor)),
            ("tier_name", text()),
            ("year", int()),
            ("subject_id", int()),
            ("subject_name", text()),
            ("named_on", date()),
            ("revoked_on", null(date())),
            ("revoked_reason", text()),
        ]),
        "SecretaryReview": review,
        "SecretaryReviewDetail": obj(&[
            ("review", r("SecretaryReview")),
            ("reports", list(obj(&[
                ("id", int()),
                ("committee_id", int()),
                ("unit_name", text()),
                ("secretary", text()),
                ("mode", state!(ReportMode)),
                ("report", text()),
                ("counts", described(list(int()), "好、较好、一般、差的票数")),
                ("total", int()),
            ]))),
        ]),
        "DisciplineCaseRow": obj(&[
            ("id", int()),
            ("committee_id", int()),
            ("person_name", text()),
            ("member_id", null(int())),
            ("org_id", int()),
            ("org_name", text()),
            ("unit_name", text()),
            ("cadre_rank", state!(CadreRank)),
            ("kind", state!(CaseKind)),
            ("category", state!(Category)),
            ("decided_on", date()),
            ("decided_by", text()),
            ("document_no", text()),
            ("summary", text()),
            ("recorded_by", text()),
            ("recorded_at", ms()),
        ]),
        "DisciplineStats": page_with("DisciplineStat", &[("from", int()), ("to", int())]),
        "DisciplineStat": obj(&[("year", int()), ("category", state!(Category)), ("cadre_rank", state!(CadreRank)), ("cases", int())]),
    })
}

fn recruitment_and_transfers() -> Value {
    let case = obj(&[
        ("id", int()),
        ("committee_id", int()),
        ("member_id", int()),
        ("name", text()),
        ("gender", text()),
        ("birth_date", date()),
        ("org_id", int()),
        ("org_name", text()),
        ("person_status", state!(MemberStatus)),
        ("state", state!(CaseStanding)),
        ("applied_on", date()),
        ("activist_on", null(date())),
        ("candidate_on", null(date())),
        ("admitted_on", null(date())),
        ("probation_end", null(date())),
        ("full_on", null(date())),
        ("next_step", int()),
        ("pending_step", null(int())),
        ("due_step", null(int())),
        ("due_on", null(date())),
        ("earliest_on", null(date())),
        ("last_on", null(date())),
        ("events", int()),
        ("version", int()),
    ]);
    let pipeline_row = obj(&[
        ("committee_id", int()),
        ("unit_name", text()),
        ("planned", null(int())),
        ("applicants", int()),
        ("activists", int()),
        ("candidates", int()),
        ("probationary", int()),
        ("admitted", int()),
        ("made_full", int()),
        ("due_soon", int()),
        ("overdue", int()),
    ]);
    let transfer = obj(&[
        ("id", int()),
        ("committee_id", int()),
        ("member_id", described(null(int()), "省外转入待接收时为空（接收后建档）")),
        ("member_name", text()),
        ("kind", state!(TransferKind)),
        ("state", state!(TransferState)),
        ("from_org_id", described(null(int()), "省外转入时为空")),
        ("from_org_name", text()),
        ("to_committee_id", null(int())),
        ("to_org_id", null(int())),
        ("to_org_name", text()),
        ("letter_no", text()),
        ("reason", text()),
        ("rejected_reason", text()),
        ("requested_on", date()),
        ("issued_on", null(date())),
        ("valid_until", null(date())),
        ("dues_paid_through", null(date())),
        ("out_by", text()),
        ("out_on", null(date())),
        ("in_by", text()),
        ("in_on", null(date())),
        ("version", int()),
        ("created_by", text()),
        ("created_at", ms()),
    ]);
    json!({
        "RecruitmentCase": case,
        "RecruitmentCaseDetail": obj(&[
            ("case", r("RecruitmentCase")),
            ("events", list(obj(&[
                ("seq", int()),
                ("step", int()),
                ("action", state!(Action)),
                ("on_date", date()),
                ("summary", text()),
                ("responsible", text()),
                ("data", described(text(), "该步骤填写的内容（JSON 文本）")),
                ("actor", text()),
                ("actor_level", state!(Level)),
                ("created_at", ms()),
            ]))),
            ("documents", list(r("RecruitmentDocument"))),
            ("done", described(list(null(date())), "第1至25步各自的完成日期")),
            ("earliest_rule", text()),
            ("due_rule", text()),
            ("higher", boolean()),
        ]),
        "RecruitmentDocument": obj(&[
            ("id", int()),
            ("case_id", int()),
            ("step", int()),
            ("file_name", text()),
            ("content_type", text()),
            ("size", int()),
            ("uploaded_by", text()),
            ("uploaded_at", ms()),
        ]),
        "RecruitmentStep": obj(&[
            ("no", int()),
            ("stage", int()),
            ("stage_label", text()),
            ("label", text()),
            ("needs", text()),
            ("approval", boolean()),
            ("by_higher", boolean()),
        ]),
        "PipelineRow": pipeline_row,
        "Pipeline": page_with("PipelineRow", &[("year", int()), ("sum", r("PipelineRow"))]),
        "RecruitmentPlanRow": obj(&[
            ("committee_id", int()),
            ("unit_name", text()),
            ("year", int()),
            ("planned", int()),
            ("note", text()),
            ("set_by", text()),
            ("set_at", ms()),
        ]),
        "Transfer": transfer,
        "TransferView": obj(&[("t", r("Transfer")), ("sending", boolean()), ("receiving", boolean())]),
        "TransferDestination": obj(&[("id", int()), ("name", text()), ("unit_name", text())]),
    })
}

fn dues_and_reports() -> Value {
    let base = obj(&[
        ("member_id", int()),
        ("member_type", state!(MemberType)),
        ("base_fen", fen()),
        ("fixed_fen", fen()),
        ("gross_fen", fen()),
        ("deductions", described(text(), "扣除项目（JSON 文本）")),
        ("effective_from", date()),
        ("note", text()),
        ("set_by", text()),
        ("set_at", ms()),
    ]);
    let charge = obj(&[
        ("member_id", int()),
        ("name", text()),
        ("org_name", text()),
        ("month", date()),
        ("due_fen", fen()),
        ("paid_fen", null(fen())),
        ("paid_on", null(date())),
        ("method", text()),
        ("note", text()),
    ]);
    json!({
        "DuesBaseRow": base,
        "Charge": charge,
        "MyDues": page_with("MyDuesSetting", &[("charges", list(r("Charge")))]),
        "MyDuesSetting": obj(&[("setting", r("DuesBaseRow")), ("due", described(text(), "每月应缴（元）"))]),
        "DuesCycle": obj(&[
            ("committee_id", int()),
            ("unit_name", text()),
            ("month", date()),
            ("status", state!(CycleStatus)),
            ("members", int()),
            ("paid_members", int()),
            ("expected_fen", fen()),
            ("paid_fen", fen()),
        ]),
        "DuesCyclesSettled": obj(&[("settled", described(int(), "结算的单位数"))]),
        "DuesCyclesOpened": obj(&[
            ("units_opened", int()),
            ("units_already_open", int()),
            ("charges", int()),
            ("expected", fen()),
            ("without_setting", int()),
        ]),
        "DuesRoster": page_with("DuesRosterLine", &[("month", date()), ("members", int()), ("without_setting", int()), ("total_due", fen())]),
        "DuesRosterLine": obj(&[
            ("member_id", int()),
            ("name", text()),
            ("status", state!(MemberStatus)),
            ("org_id", int()),
            ("org_name", text()),
            ("member_type", null(state!(MemberType))),
            ("base", null(fen())),
            ("due", null(fen())),
            ("since", null(date())),
            ("explanation", text()),
        ]),
        "DuesSummary": page_with("DuesSummaryRow", &[("sum", r("DuesSummaryRow"))]),
        "DuesSummaryRow": obj(&[
            ("org_id", int()),
            ("name", text()),
            ("members", int()),
            ("paid_members", int()),
            ("expected", fen()),
            ("paid", fen()),
        ]),
        "Arrear": obj(&[
            ("member_id", int()),
            ("name", text()),
            ("org_name", text()),
            ("unpaid", list(date())),
            ("owed", fen()),
            ("consecutive", int()),
            ("flag", text()),
        ]),
        "CentralGroupReport": obj(&[
            ("from", date()),
            ("to", date()),
            ("kind_labels", list(text())),
            ("units", list(obj(&[
                ("unit_id", int()),
                ("unit_name", text()),
                ("district", text()),
                ("expected", int()),
                ("held", int()),
                ("attendees", int()),
                ("present", int()),
                ("observers", int()),
                ("short_cycles", list(text())),
                ("sessions", list(obj(&[
                    ("meeting_id", int()),
                    ("held_on", date()),
                    ("topic", text()),
                    ("expected", int()),
                    ("present", int()),
                    ("observers", list(text())),
                ]))),
            ]))),
        ]),
    })
}
