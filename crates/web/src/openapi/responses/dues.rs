//! Response schemas: dues and the central-group report.

use serde_json::{Value, json};
use xianfeng_core::dues::{CycleStatus, MemberType};
use xianfeng_core::member::MemberStatus;

use super::*;

pub(super) fn schemas() -> Value {
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
        "MyDues": page_with(
            "MyDuesSetting",
            &[
                ("charges", described(crate::openapi::conformance::response_schema("Page<Charge>"), "缴费记录（按 charges_page、charges_per_page 分页，新月份在前）")),
                ("unpaid", described(int(), "未缴月数（全部记录）")),
            ],
        ),
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
        "PayrollReport": obj(&[
            ("paid", described(int(), "登记的人数")),
            ("total", fen()),
            ("skipped", described(list(text()), "未代扣、须逐一登记的党员及原因（超期补交须说明原因）")),
        ]),
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
