//! Response schemas: members and the org tree.

use serde_json::{Value, json};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::org::OrgKind;

use super::*;

pub(super) fn schemas() -> Value {
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
