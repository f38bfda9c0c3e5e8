//! The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json.

use axum::Json;
use serde_json::{Value, json};

/// Every documented operation, from the areas' registrations (`crate::AREAS`):
/// (method, path, tag, summary, request body schema or "", success status).
pub fn operations() -> Vec<crate::area::Operation> {
    crate::AREAS.iter().flat_map(|a| a.operations.iter().copied()).collect()
}

fn params(path: &str) -> Vec<Value> {
    let mut out: Vec<Value> = path
        .split('/')
        .filter(|s| s.starts_with('{'))
        .map(|s| {
            let name = s.trim_matches(|c| c == '{' || c == '}');
            if name == "action" {
                return json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } });
            }
            json!({ "name": name, "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } })
        })
        .collect();
    if path == "/members" || path == "/members/count" || path == "/members/export" {
        for (n, d) in [
            ("name", "姓名包含"),
            (
                "status",
                "党籍状态：applicant/activist/candidate/probationary/full/transferred_out/deceased/left，或 members、inactive、all；空为在册",
            ),
            ("org_id", "组织子树"),
            ("min_age", "最小年龄"),
            ("max_age", "最大年龄"),
            ("join_year", "入党年份"),
            ("gender", "性别"),
            ("sort", "name/birth_date/join_date/org"),
            ("order", "asc/desc"),
        ] {
            out.push(json!({ "name": n, "in": "query", "required": false, "description": d, "schema": { "type": "string" } }));
        }
    }
    if path == "/orgs" {
        for n in ["name", "kind", "district", "under"] {
            out.push(json!({ "name": n, "in": "query", "required": false, "schema": { "type": "string" } }));
        }
    }
    if path == "/audit" {
        for n in ["username", "action", "outcome", "object_type", "object_id", "from", "to"] {
            out.push(json!({ "name": n, "in": "query", "required": false, "schema": { "type": "string" } }));
        }
    }
    if path == "/meetings" {
        for n in ["org_id", "kind", "status", "year", "q"] {
            out.push(json!({ "name": n, "in": "query", "required": false, "schema": { "type": "string" } }));
        }
    }
    if path.starts_with("/reports/central-group") {
        for (n, d) in [
            ("from", "开始日期"),
            ("to", "结束日期"),
            ("units", "单位编号，逗号分隔；空为全部"),
            ("doc_number", "发文字号"),
            ("title", "标题"),
        ] {
            out.push(json!({ "name": n, "in": "query", "required": false, "description": d, "schema": { "type": "string" } }));
        }
    }
    if path.starts_with("/compliance") {
        for (n, d) in [
            ("org_id", "组织（默认本级）"),
            ("year", "年度（默认今年）"),
            ("by", "district：按片区汇总"),
            ("kind", "会议类型"),
        ] {
            out.push(json!({ "name": n, "in": "query", "required": false, "description": d, "schema": { "type": "string" } }));
        }
    }
    if ["/members", "/orgs", "/audit", "/meetings"].contains(&path) {
        out.push(
            json!({ "name": "page", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1 } }),
        );
        out.push(json!({ "name": "per_page", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 200 } }));
    }
    out
}

fn schemas() -> Value {
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
        "Error": { "type": "object", "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
            "code": { "type": "string", "enum": ["unauthenticated", "invalid_credentials", "password_change_required", "forbidden", "not_found", "invalid", "rule", "stale", "bad_request", "csrf", "too_large", "throttled", "method_not_allowed", "unsupported_media_type", "internal"] },
            "message": { "type": "string", "description": "中文说明" },
            "fields": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } } } } } },
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
        "MeetingCancel": { "allOf": [ s(&["reason"]), versioned.clone() ] },
        "AttendanceCorrection": { "allOf": [ { "$ref": "#/components/schemas/AttendanceMark" }, versioned.clone() ] },
        "MemberIds": { "type": "object", "required": ["member_ids", "version"], "properties": { "member_ids": { "type": "array", "items": { "type": "integer" } }, "version": { "type": "integer" } } },
        "Checkin": s(&["token"]),
        "Month": { "type": "object", "required": ["month"], "properties": { "month": { "type": "string", "example": "2025-07" } } },
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

/// Builds the document.
pub fn spec() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, tag, summary, body, status) in operations() {
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "operationId": format!("{}_{}", method, path.replace(['/', '{', '}', '-'], "_").trim_matches('_')),
            "parameters": params(path),
            "responses": {
                status.to_string(): { "description": "成功" },
                "default": { "description": "错误", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        if !body.is_empty() {
            let content_type = if body == "Xlsx" {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            } else if body == "File" {
                "application/octet-stream"
            } else if body == "Multipart" {
                "multipart/form-data"
            } else {
                "application/json"
            };
            op["requestBody"] = json!({ "required": true, "content": { content_type: { "schema": { "$ref": format!("#/components/schemas/{body}") } } } });
        }
        if method != "get" && path != "/auth/login" {
            op["parameters"].as_array_mut().expect("array").push(json!({
                "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" },
                "description": "登录时返回的 csrf_token"
            }));
        }
        paths.entry(path.to_string()).or_insert_with(|| json!({}))[method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "先锋党建平台 API", "version": env!("CARGO_PKG_VERSION"),
            "description": "列表返回 {items, total, page, per_page}；错误返回 {error: {code, message}}。会话由 POST /auth/login 开始（Cookie xf_session）；改变状态的请求须带 X-CSRF-Token。所有查询限定在调用者的组织范围内，范围外的编号与不存在的编号一样返回 404。" },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": { "schemas": schemas(), "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": "xf_session" } } },
        "security": [{ "session": [] }]
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
