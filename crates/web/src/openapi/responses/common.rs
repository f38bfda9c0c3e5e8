//! Response schemas: accounts, sessions, credentials, audit and rules.

use serde_json::{Value, json};
use xianfeng_core::auth::{Purpose, Role, TicketState};
use xianfeng_core::org::OrgKind;

use super::*;

pub(super) fn schemas() -> Value {
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
