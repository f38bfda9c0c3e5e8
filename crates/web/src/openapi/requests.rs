//! Schemas of the request bodies the API accepts.

use serde_json::{Value, json};

pub fn schemas() -> Value {
    let mut all = base_schemas();
    if let (Some(m), Value::Object(extra)) = (all.as_object_mut(), recruitment_schemas()) {
        m.extend(extra);
    }
    all
}

fn recruitment_schemas() -> Value {
    json!({
        "RecruitmentData": { "type": "object", "properties": {
            "responsible": { "type": "string" }, "note": { "type": "string" }, "people": { "type": "string", "description": "培养联系人或入党介绍人，顿号分隔" },
            "hours": { "type": "integer" }, "notice_from": { "type": "string", "format": "date" }, "notice_to": { "type": "string", "format": "date" },
            "votes": { "type": "object", "properties": { "entitled": { "type": "integer" }, "present": { "type": "integer" }, "for": { "type": "integer" }, "against": { "type": "integer" }, "abstain": { "type": "integer" } } },
            "outcome": { "type": "string", "enum": ["full", "extend", "disqualify"] }, "extend_months": { "type": "integer" }, "return_to": { "type": "integer" } } },
        "TransferRequest": { "type": "object", "required": ["member_id", "reason"], "properties": { "member_id": { "type": "integer" }, "to_org_id": { "type": "integer" }, "to_org_name": { "type": "string" }, "letter_no": { "type": "string" }, "reason": { "type": "string" }, "requested_on": { "type": "string", "format": "date" } } },
        "TransferIncoming": { "type": "object", "required": ["member", "from_org_name", "letter_no", "valid_until"], "properties": { "member": { "$ref": "#/components/schemas/MemberInput" }, "from_org_name": { "type": "string" }, "letter_no": { "type": "string" }, "valid_until": { "type": "string", "format": "date" }, "reason": { "type": "string" } } },
        "TransferDecision": { "type": "object", "required": ["version"], "properties": { "letter_no": { "type": "string" }, "reason": { "type": "string" }, "version": { "type": "integer" } } },
        "RectificationPlan": { "type": "object", "required": ["org_id", "year", "problems", "measures", "owner", "deadline"], "properties": { "org_id": { "type": "integer" }, "year": { "type": "integer" }, "problems": { "type": "string" }, "measures": { "type": "string" }, "owner": { "type": "string" }, "deadline": { "type": "string", "format": "date" } } },
        "RectificationStep": { "type": "object", "required": ["step", "note", "version"], "properties": { "step": { "type": "string", "enum": ["progress", "submit", "lift", "return"] }, "note": { "type": "string" }, "version": { "type": "integer" } } },
        "RecruitmentStart": { "type": "object", "required": ["member_id", "applied_on"], "properties": { "member_id": { "type": "integer" }, "applied_on": { "type": "string", "format": "date" }, "data": { "$ref": "#/components/schemas/RecruitmentData" } } },
        "RecruitmentEvent": { "type": "object", "required": ["step", "action", "on", "data", "version"], "properties": { "version": { "type": "integer" }, "step": { "type": "integer", "minimum": 1, "maximum": 25 }, "action": { "type": "string", "enum": ["record", "submit", "approve", "return"] }, "on": { "type": "string", "format": "date" }, "data": { "$ref": "#/components/schemas/RecruitmentData" } } },
        "DisciplineCase": { "type": "object", "required": ["person_name", "org_id", "cadre_rank", "kind", "decided_on", "decided_by", "summary"], "properties": {
            "person_name": { "type": "string" }, "member_id": { "type": "integer", "description": "同名党员多于一人时必填" }, "org_id": { "type": "integer" },
            "cadre_rank": { "type": "string", "enum": ["department_level", "division_level", "section_level_or_below"] },
            "kind": { "type": "string", "description": "party_warning/party_serious_warning/party_post_removal/party_probation/party_expulsion/gov_warning/gov_demerit/gov_major_demerit/gov_demotion/gov_dismissal/gov_expulsion/talk_reminder/criticism/ordered_review/admonition/suspension/post_adjustment/ordered_resignation/removal/downgrade" },
            "decided_on": { "type": "string", "format": "date" }, "decided_by": { "type": "string" }, "document_no": { "type": "string" }, "summary": { "type": "string" } } },
        "CampaignInput": { "type": "object", "required": ["honor", "year", "title"], "properties": {
            "honor": { "type": "string", "enum": ["model_organ", "four_strong_branch", "four_good_member", "clean_organ"] }, "year": { "type": "integer" }, "title": { "type": "string" },
            "criteria": { "type": "array", "description": "空为该荣誉的默认标准", "items": { "type": "object", "required": ["name", "weight"], "properties": { "name": { "type": "string" }, "weight": { "type": "integer" }, "guide": { "type": "string" } } } },
            "tiers": { "type": "array", "items": { "type": "object", "required": ["name", "quota"], "properties": { "name": { "type": "string" }, "quota": { "type": "integer" } } } },
            "eligibility": { "type": "array", "items": { "type": "string" }, "nullable": true, "description": "资格条件；空为该荣誉的默认条件" },
            "apply_until": { "type": "string", "format": "date", "nullable": true } } },
        "CampaignAction": { "type": "object", "description": "各 action 所需字段见操作说明；数字可写作数字或字符串", "properties": {
            "version": {}, "subject_id": {}, "points": { "type": "array", "items": {} }, "evidence": { "type": "string" },
            "committee_id": {}, "application_id": {}, "reviewers": {}, "notice_from": { "type": "string", "format": "date" }, "notice_to": { "type": "string", "format": "date" },
            "text": { "type": "string" }, "objection_id": {}, "upheld": {}, "finding": { "type": "string" } } },
        "Revoke": { "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string" } } },
        "SecretaryReviewOpen": { "type": "object", "required": ["year"], "properties": { "year": { "type": "integer" } } },
        "SecretaryReviewAction": { "type": "object", "description": "各 action 所需字段见操作说明；数字可写作数字或字符串", "properties": {
            "unit_id": {}, "secretary": { "type": "string" }, "mode": { "type": "string", "enum": ["written", "in_person"] }, "report": { "type": "string" },
            "committee_id": {}, "report_id": {}, "rating": { "type": "string", "enum": ["good", "fairly_good", "average", "poor"] } } },
        "RecruitmentPlan": { "type": "object", "required": ["unit_id", "year", "planned"], "properties": { "unit_id": { "type": "integer" }, "year": { "type": "integer" }, "planned": { "type": "integer" }, "note": { "type": "string" } } }
    })
}

fn base_schemas() -> Value {
    let s = |props: &[&str]| {
        let map: serde_json::Map<String, Value> =
            props.iter().map(|p| (p.to_string(), json!({ "type": "string" }))).collect();
        json!({ "type": "object", "properties": map })
    };
    // A write to a versioned record names the version its client read (409 when stale).
    let versioned = json!({ "type": "object", "required": ["version"], "properties": { "version": { "type": "integer", "description": "读取时的版本号；已被他人修改时答 409" } } });
    json!({
        "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
            "code": { "type": "string", "enum": ["unauthenticated", "invalid_credentials", "password_change_required", "forbidden", "not_found", "invalid", "rule", "stale", "bad_request", "csrf", "too_large", "throttled", "method_not_allowed", "unsupported_media_type", "internal"] },
            "message": { "type": "string", "description": "中文说明" },
            "fields": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } } } },
            "rows": { "type": "integer", "description": "导入未成功时：文件的数据行数" }, "imported": { "type": "integer", "description": "导入未成功时为 0" },
            "errors": { "type": "array", "description": "导入未成功时：逐行错误", "items": { "$ref": "#/components/schemas/ImportRowError" } } } },
        "Page": { "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
            "items": { "type": "array", "items": {} }, "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } },
        "Login": s(&["username", "password"]),
        "Activate": s(&["username", "part_a", "part_b", "password", "password2"]),
        "PasswordChange": s(&["old_password", "password"]),
        "RoleSwitch": { "type": "object", "properties": { "role_id": { "type": "integer" } } },
        "NewUser": s(&["username", "display_name"]),
        "Active": { "type": "object", "properties": { "active": { "type": "boolean" } } },
        "Grant": { "type": "object", "properties": { "role": { "type": "string", "enum": ["committee_admin", "unit_admin", "branch_secretary", "member", "discipline_staff", "system_admin", "security_admin", "audit_admin"] }, "org_id": { "type": "integer" }, "member_id": { "type": "integer" } } },
        "OrgInput": s(&["name", "kind", "district", "code", "established_on", "term_start"]),
        "OrgCreate": { "allOf": [ { "$ref": "#/components/schemas/OrgInput" }, { "type": "object", "required": ["parent_id"], "properties": { "parent_id": { "type": "integer" } } } ] },
        "OrgMove": { "type": "object", "required": ["parent_id"], "properties": { "parent_id": { "type": "integer" }, "reason": { "type": "string" } } },
        "OrgDissolve": s(&["date", "reason"]),
        "Post": { "type": "object", "required": ["member_id", "post"], "properties": { "member_id": { "type": "integer" }, "post": { "type": "string", "enum": ["secretary", "deputy_secretary", "organization", "propaganda", "discipline", "member", "group_leader"] }, "since": { "type": "string", "format": "date" } } },
        "MemberInput": s(&["name", "gender", "ethnicity", "birth_date", "id_card", "education", "category", "phone", "position", "cadre_rank", "native_place", "address", "community", "join_date", "full_date", "status", "org_id", "group_id"]),
        "MemberUpdate": { "allOf": [ { "$ref": "#/components/schemas/MemberInput" }, { "type": "object", "required": ["version"], "properties": { "version": { "type": "integer" } } } ] },
        "StatusChange": { "allOf": [ s(&["to", "date", "reason"]), versioned.clone() ] },
        "Reveal": { "type": "object", "properties": { "field": { "type": "string", "enum": ["id_card", "phone"] } } },
        "RuleVersion": { "type": "object", "required": ["key", "effective_from", "value"], "properties": { "key": { "type": "string" }, "effective_from": { "type": "string", "format": "date" }, "value": { "type": "object" }, "source": { "type": "string" } } },
        "MeetingPlan": { "allOf": [ s(&["kind", "planned_on", "start_time", "place", "topic", "host", "recorder"]), { "type": "object", "required": ["org_id", "kind", "planned_on", "topic"], "properties": { "org_id": { "type": "integer" } } } ] },
        "AttendanceMark": { "type": "object", "required": ["member_id", "presence"], "properties": { "member_id": { "type": "integer" }, "presence": { "type": "string", "enum": ["present", "leave", "absent"] }, "reason": { "type": "string" } } },
        "MeetingRecord": { "allOf": [ s(&["held_on", "topic", "place", "host", "recorder", "minutes", "decisions", "first_agenda", "observers"]), { "type": "object", "properties": {
            "attendance": { "type": "array", "items": { "$ref": "#/components/schemas/AttendanceMark" } }, "version": { "type": "integer" } } } ] },
        "MeetingHeld": { "allOf": [ s(&["kind", "start_time", "held_on", "topic", "place", "host", "recorder", "minutes", "decisions", "first_agenda", "observers"]), { "type": "object", "required": ["org_id", "kind", "held_on", "topic", "minutes"], "properties": {
            "org_id": { "type": "integer" }, "attendance": { "type": "array", "items": { "$ref": "#/components/schemas/AttendanceMark" } } } } ] },
        "MeetingCancel": { "allOf": [ s(&["reason"]), versioned.clone() ] },
        "AttendanceCorrection": { "allOf": [ { "$ref": "#/components/schemas/AttendanceMark" }, versioned.clone() ] },
        "MemberIds": { "type": "object", "required": ["member_ids", "version"], "properties": { "member_ids": { "type": "array", "items": { "type": "integer" } }, "version": { "type": "integer" } } },
        "Checkin": s(&["token"]),
        "Month": { "type": "object", "required": ["month"], "properties": { "month": { "type": "string", "example": "2025-07" } } },
        "Payroll": { "type": "object", "required": ["month", "paid_on"], "properties": { "month": { "type": "string", "example": "2025-07" }, "org_id": { "type": "integer", "description": "缺省为范围内全部" }, "paid_on": { "type": "string", "format": "date" } } },
        "PaymentCorrection": { "type": "object", "required": ["reason", "seen_paid_fen", "seen_paid_on"], "properties": {
            "action": { "type": "string", "enum": ["amend", "void"], "description": "amend（缺省）：改正金额、日期或方式；void：撤销登记，改为未缴" },
            "amount": { "type": "string", "description": "元（amend）" }, "paid_on": { "type": "string", "format": "date" }, "method": { "type": "string" },
            "reason": { "type": "string" }, "seen_paid_fen": { "type": "integer", "description": "更正前的缴费金额（分）" }, "seen_paid_on": { "type": "string", "format": "date" } } },
        "Payment": { "type": "object", "required": ["amount", "paid_on", "method"], "properties": { "amount": { "type": "string", "description": "元" }, "paid_on": { "type": "string", "format": "date" },
            "method": { "type": "string", "enum": ["cash", "transfer", "wechat", "alipay", "payroll"] }, "reason": { "type": "string" } } },
        "DuesBase": { "type": "object", "required": ["member_type", "effective_month"], "properties": {
            "member_type": { "type": "string", "enum": ["salaried", "annual_salary", "retired", "student", "laid_off", "relief", "farmer"] },
            "base": { "type": "string", "description": "元，最多两位小数" }, "fixed": { "type": "string", "description": "农民党员每月金额（元）" },
            "effective_month": { "type": "string", "example": "2025-07" }, "note": { "type": "string" },
            "gross": { "type": "string", "description": "应发月工资（元）；填写后基数 = 应发工资 − 扣除项目" },
            "deductions": { "type": "object", "additionalProperties": { "type": "string" }, "description": "本单位扣除项目名称 → 金额（元）" } } },
        "TaskInput": { "type": "object", "required": ["title", "due_on"], "properties": { "title": { "type": "string" }, "owner_user_id": { "type": "integer" }, "owner_name": { "type": "string" }, "due_on": { "type": "string", "format": "date" } } },
        "TaskUpdate": { "type": "object", "required": ["status"], "properties": { "status": { "type": "string", "enum": ["open", "done"] }, "evidence": { "type": "string" } } },
        "File": { "type": "string", "format": "binary" },
        "Multipart": { "type": "object", "required": ["file"], "properties": { "file": { "type": "string", "format": "binary" } } },
        "Xlsx": { "type": "string", "format": "binary" }
    })
}
