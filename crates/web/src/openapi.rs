//! The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json.

use axum::Json;
use serde_json::{Value, json};

/// (method, path, tag, summary, request body schema or null, success status)
pub const OPERATIONS: &[(&str, &str, &str, &str, &str, u16)] = &[
    ("post", "/auth/login", "auth", "登录，开始会话（返回 csrf_token）", "Login", 200),
    ("post", "/auth/logout", "auth", "退出登录", "", 200),
    ("get", "/me", "auth", "当前用户、角色与管理范围", "", 200),
    ("post", "/me/password", "auth", "修改密码（所有会话失效，返回新会话）", "PasswordChange", 200),
    ("put", "/me/role", "auth", "切换当前角色", "RoleSwitch", 200),
    ("get", "/me/member", "member", "我的党员档案（党员角色）", "", 200),
    ("get", "/users", "users", "账号列表（系统管理员、安全管理员）", "", 200),
    ("post", "/users", "users", "新建账号，返回启用码前半段；须另一位管理员批准（系统管理员）", "NewUser", 201),
    ("post", "/users/{id}/active", "users", "启用或停用账号（系统管理员）", "Active", 200),
    ("post", "/users/{id}/password-reset", "users", "重置密码：原密码失效，返回启用码前半段（系统管理员）", "", 200),
    ("get", "/credential-tickets", "users", "待批准和待启用的启用单（安全管理员、审计管理员）", "", 200),
    ("post", "/credential-tickets/{id}/approve", "users", "批准启用单，返回启用码后半段（另一位管理员）", "", 200),
    ("post", "/auth/activate", "auth", "本人持两段启用码设置密码（无需会话）", "Activate", 200),
    ("post", "/me/notice", "auth", "确认已知晓账号启用或重置的提示", "", 200),
    ("post", "/users/{id}/roles", "users", "授予角色（安全管理员）", "Grant", 201),
    ("delete", "/roles/{id}", "users", "撤销角色（安全管理员）", "", 200),
    ("get", "/orgs", "org", "组织检索（范围内，分页）", "", 200),
    ("post", "/orgs", "org", "新建组织", "OrgCreate", 201),
    ("get", "/orgs/{id}", "org", "组织详情、人数、预警、换届状态、书记和委员", "", 200),
    ("patch", "/orgs/{id}", "org", "修改组织（更名、任期等）", "OrgInput", 200),
    ("get", "/orgs/{id}/children", "org", "下级组织", "", 200),
    ("get", "/orgs/{id}/history", "org", "组织变更记录", "", 200),
    ("post", "/orgs/{id}/move", "org", "迁移组织（下级组织、党员、历史随迁）", "OrgMove", 200),
    ("post", "/orgs/{id}/dissolve", "org", "撤销组织（保留历史）", "OrgDissolve", 200),
    ("post", "/orgs/{id}/posts", "org", "任命书记或委员", "Post", 201),
    ("delete", "/orgs/{id}/posts/{post_id}", "org", "免去职务", "", 200),
    ("get", "/members", "member", "党员检索（姓名、状态、组织、年龄、入党年份；排序、分页）", "", 200),
    ("post", "/members", "member", "新增党员", "MemberInput", 201),
    ("get", "/members/count", "member", "按条件计数", "", 200),
    ("get", "/members/export", "member", "按当前条件导出 .xlsx（脱敏）", "", 200),
    ("post", "/members/import", "member", "导入 .xlsx（请求体为文件；全部成功或全部不写入）", "Xlsx", 201),
    ("get", "/members/import/template", "member", "下载导入模板", "", 200),
    ("get", "/members/{id}", "member", "党员详情（敏感字段脱敏）", "", 200),
    ("put", "/members/{id}", "member", "修改党员（带 version 乐观锁）", "MemberUpdate", 200),
    ("get", "/members/{id}/history", "member", "党员变更记录", "", 200),
    ("post", "/members/{id}/status", "member", "变更党籍状态（日期、原因；须带 version）", "StatusChange", 200),
    ("post", "/members/{id}/reveal", "member", "查看完整敏感字段（按策略授权，记入审计）", "Reveal", 200),
    ("get", "/audit", "audit", "审计日志（审计管理员）", "", 200),
    ("get", "/audit/verify", "audit", "校验审计日志链（审计管理员）", "", 200),
    ("get", "/rules", "rules", "规则版本（工委管理员：组织规则；安全管理员：安全策略）", "", 200),
    ("post", "/rules", "rules", "新增规则版本（带生效日期）", "RuleVersion", 201),
    ("get", "/meeting-kinds", "meeting", "现行会议类型与频次（规则数据）", "", 200),
    ("get", "/meetings", "meeting", "会议检索（组织子树、类型、状态、年度、主题；分页）", "", 200),
    ("post", "/meetings", "meeting", "安排会议（应到人员按会议类型自动带出）", "MeetingPlan", 201),
    ("get", "/meetings/{id}", "meeting", "会议详情：出勤、列席、法定人数、签到链接", "", 200),
    ("post", "/meetings/{id}/record", "meeting", "填写或更正会议记录与出勤（带 version）", "MeetingRecord", 200),
    ("post", "/meetings/{id}/cancel", "meeting", "取消会议（不再计入；须带 version）", "MeetingCancel", 200),
    (
        "post",
        "/meetings/{id}/attendance",
        "meeting",
        "更正一人出勤（记入审计；须带 version）",
        "AttendanceCorrection",
        200,
    ),
    ("post", "/meetings/{id}/attendees", "meeting", "添加应到人员（本组织范围内党员；须带 version）", "MemberIds", 200),
    ("post", "/meetings/{id}/checkins", "meeting", "扫码签到（党员本人；重复签到只记一次）", "Checkin", 200),
    ("get", "/me/meetings", "meeting", "我的组织生活（党员本人）", "", 200),
    ("get", "/compliance", "compliance", "组织生活落实情况：应开与已开，按下级组织或片区汇总", "", 200),
    ("get", "/compliance/missing", "compliance", "未按要求召开的会议（逐组织、逐周期）", "", 200),
    ("get", "/compliance/due", "compliance", "本期待开与逾期的会议", "", 200),
    ("post", "/meetings/{id}/tasks", "meeting", "登记第一议题落实任务（责任人、完成时限）", "TaskInput", 201),
    ("get", "/first-agenda-tasks", "meeting", "第一议题落实任务汇总（status=open/done/overdue）", "", 200),
    ("patch", "/first-agenda-tasks/{id}", "meeting", "更新落实任务状态与佐证（管理者或责任人）", "TaskUpdate", 200),
    ("get", "/me/tasks", "meeting", "我负责的落实任务", "", 200),
    (
        "post",
        "/meetings/{id}/attachments",
        "meeting",
        "上传附件（multipart 字段 file，或请求体为文件并带 ?name=；按内容识别类型，≤10MB）",
        "File",
        201,
    ),
    ("get", "/meetings/{id}/attachments/{aid}", "meeting", "下载附件（始终作为附件下载）", "", 200),
    ("delete", "/meetings/{id}/attachments/{aid}", "meeting", "删除附件", "", 200),
    ("get", "/dues/roster", "dues", "党费应缴名单（org_id、month=2025-07、missing=1；金额以分为单位）", "", 200),
    ("get", "/members/{id}/dues-bases", "dues", "党员党费基数的历次设置", "", 200),
    ("post", "/members/{id}/dues-bases", "dues", "设置党费基数（类别、基数、起始月份）", "DuesBase", 201),
    ("get", "/me/dues", "dues", "我的党费基数与应缴（党员本人）", "", 200),
    ("get", "/dues/cycles", "dues", "某月各单位党费收缴情况（month）", "", 200),
    ("post", "/dues/cycles", "dues", "开启某月党费收缴（范围内各单位；重复开启无影响）", "Month", 201),
    ("post", "/dues/cycles/settle", "dues", "结算某月", "Month", 200),
    ("get", "/dues/cycles.xlsx", "dues", "某月党费收缴明细 .xlsx（财务）", "", 200),
    ("get", "/dues/charges", "dues", "某月每名党员的应缴与缴费（month、org_id）", "", 200),
    (
        "post",
        "/dues/charges/{member_id}/{month}/payment",
        "dues",
        "登记缴费（金额、日期、方式；超过规定月数的补交须说明原因）",
        "Payment",
        200,
    ),
    ("get", "/dues/arrears", "dues", "欠缴党费与连续未缴标记", "", 200),
    ("get", "/dues/summary", "dues", "某月党费收缴汇总，按下级组织（org_id、month）", "", 200),
    ("get", "/recruitment/steps", "recruitment", "发展党员的5个阶段25个步骤及各步骤需填写的内容", "", 200),
    (
        "get",
        "/recruitment/pipeline",
        "recruitment",
        "发展党员总览：各单位各阶段人数、本年接收与计划、到期与逾期（year）",
        "",
        200,
    ),
    (
        "get",
        "/recruitment/cases",
        "recruitment",
        "发展党员档案（org_id、status、state=open/completed/closed/all、overdue=1、due_soon=1、name）",
        "",
        200,
    ),
    (
        "post",
        "/recruitment/cases",
        "recruitment",
        "为入党申请人建立发展档案（第1步：递交入党申请书）",
        "RecruitmentStart",
        201,
    ),
    (
        "get",
        "/recruitment/cases/{id}",
        "recruitment",
        "发展档案：各步骤、办理记录、材料、下一步最早可办日期与期限",
        "",
        200,
    ),
    (
        "post",
        "/recruitment/cases/{id}/events",
        "recruitment",
        "办理、报批、审批或打回一个步骤（过早办理时以 rule 错误说明依据和最早日期）",
        "RecruitmentEvent",
        201,
    ),
    (
        "post",
        "/recruitment/cases/{id}/documents",
        "recruitment",
        "上传步骤材料（multipart 字段 file；?step=N）",
        "Multipart",
        201,
    ),
    ("get", "/recruitment/cases/{id}/documents/{doc}", "recruitment", "下载材料", "", 200),
    ("get", "/recruitment/plans", "recruitment", "各单位年度发展计划（year）", "", 200),
    ("put", "/recruitment/plans", "recruitment", "设置单位年度发展计划", "RecruitmentPlan", 200),
    (
        "get",
        "/transfers",
        "transfer",
        "组织关系转接（state=pending_out/pending_in/done/rejected/cancelled/all，空为办理中；mine=1 只看待我方审批）",
        "",
        200,
    ),
    (
        "post",
        "/transfers",
        "transfer",
        "申请转出（省直机关内给 to_org_id；转出省直机关给 to_org_name 和 letter_no）",
        "TransferRequest",
        201,
    ),
    ("post", "/transfers/incoming", "transfer", "省外转入登记（凭介绍信，审批接收后建档）", "TransferIncoming", 201),
    ("get", "/transfers/{id}", "transfer", "一项转接及我方是转出方还是接收方", "", 200),
    (
        "post",
        "/transfers/{id}/approve",
        "transfer",
        "转出方或接收方审批（党费须已缴清；介绍信须在有效期内）",
        "TransferDecision",
        200,
    ),
    ("post", "/transfers/{id}/reject", "transfer", "退回（须填写原因）", "TransferDecision", 200),
    ("post", "/transfers/{id}/cancel", "transfer", "发起方撤销尚未审批的转接（须带 version）", "TransferDecision", 200),
    ("get", "/transfer-destinations", "transfer", "可转入的党支部（q=名称）", "", 200),
    (
        "get",
        "/ranking",
        "ranking",
        "排队抓尾：全省党支部排名（year、org_id、tail=1、name、moved=up/down/into_tail/out_of_tail；名次为全省名次，prev_rank、prev_tail、movement 为较上年升降）",
        "",
        200,
    ),
    ("get", "/ranking/export.xlsx", "ranking", "排队抓尾排名表 .xlsx（与 /ranking 相同的筛选）", "", 200),
    (
        "get",
        "/ranking/{org_id}",
        "ranking",
        "一个党支部的得分构成（各指标分子、分母、比率、有效权重、得分）与历年排名",
        "",
        200,
    ),
    ("get", "/rectifications", "ranking", "整改台账（year、state=open/submitted/lifted）", "", 200),
    ("get", "/rectifications/export.xlsx", "ranking", "整改台账 .xlsx（year、state）", "", 200),
    (
        "post",
        "/rectifications",
        "ranking",
        "为末位党支部建立整改方案（org_id、year、problems、measures、owner、deadline）",
        "RectificationPlan",
        201,
    ),
    ("get", "/rectifications/{id}", "ranking", "整改方案及记录", "", 200),
    (
        "post",
        "/rectifications/{id}/steps",
        "ranking",
        "整改进展、申请验收（党支部）；验收销号或退回（上级单位）",
        "RectificationStep",
        200,
    ),
    ("get", "/campaigns", "campaign", "评选列表", "", 200),
    ("post", "/campaigns", "campaign", "新建评选（工委；honor、year、apply_until，标准与等次默认按荣誉）", "", 201),
    ("get", "/campaigns/{id}", "campaign", "评选、结果（得分、名次、等次、同分说明）与同分规则", "", 200),
    ("get", "/campaigns/{id}/notice.docx", "campaign", "拟命名对象公示文件 .docx（公示后，工委）", "", 200),
    (
        "post",
        "/campaigns/{id}/{action}",
        "campaign",
        "评选操作 action=apply（subject_id、points、evidence）/close（version）/reviewers（reviewers）/score（committee_id、application_id、points）/publish（notice_from、notice_to、version）/object（committee_id、application_id、text）/objection（committee_id、objection_id、upheld、finding）/name（version）",
        "",
        200,
    ),
    ("get", "/secretary-reviews", "campaign", "书记述职评议列表", "", 200),
    ("post", "/secretary-reviews", "campaign", "开始一年的述职评议（工委；year）", "", 201),
    ("get", "/secretary-reviews/{id}", "campaign", "述职报告与测评结果（工委随时可见，其他人评议结束后可见）", "", 200),
    (
        "post",
        "/secretary-reviews/{id}/{action}",
        "campaign",
        "action=reports（unit_id、secretary、mode=written/in_person、report）/ratings（committee_id、report_id、rating=good/fairly_good/average/poor）/close",
        "",
        200,
    ),
    ("get", "/honors", "campaign", "荣誉名录（范围内）", "", 200),
    ("post", "/honors/{committee_id}/{id}/revoke", "campaign", "摘牌（reason）", "", 200),
    (
        "get",
        "/discipline-cases",
        "discipline",
        "纪检案件（仅纪检专员；year、category=party_sanction/government_sanction/handling、unit_id、name、page、per_page）",
        "",
        200,
    ),
    ("post", "/discipline-cases", "discipline", "登记纪检案件（仅纪检专员）", "DisciplineCase", 201),
    ("get", "/discipline-cases/{committee_id}/{id}", "discipline", "一件纪检案件（仅纪检专员）", "", 200),
    ("get", "/discipline-stats", "discipline", "纪检统计：按年度、类别、职级的人数（仅纪检专员；from、to）", "", 200),
    ("get", "/reports/central-group", "report", "中心组学习通报数据（from、to、units、doc_number、title）", "", 200),
    ("get", "/reports/central-group.xlsx", "report", "中心组学习通报 .xlsx", "", 200),
    ("get", "/reports/central-group.docx", "report", "中心组学习通报公文 .docx（GB/T 9704 版式）", "", 200),
];

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
    for (method, path, tag, summary, body, status) in OPERATIONS {
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
            let content_type = if *body == "Xlsx" {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            } else if *body == "File" {
                "application/octet-stream"
            } else if *body == "Multipart" {
                "multipart/form-data"
            } else {
                "application/json"
            };
            op["requestBody"] = json!({ "required": true, "content": { content_type: { "schema": { "$ref": format!("#/components/schemas/{body}") } } } });
        }
        if *method != "get" && *path != "/auth/login" {
            op["parameters"].as_array_mut().expect("array").push(json!({
                "name": "X-CSRF-Token", "in": "header", "required": true, "schema": { "type": "string" },
                "description": "登录时返回的 csrf_token"
            }));
        }
        paths.entry(path.to_string()).or_insert_with(|| json!({}))[*method] = op;
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
