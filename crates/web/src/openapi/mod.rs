//! The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json.

use axum::Json;
use serde_json::{Value, json};

pub mod conformance;
mod requests;
mod responses;

/// Every documented operation, from the areas' registrations (`crate::AREAS`):
/// (method, path, tag, summary, request body schema or "", success status).
pub fn operations() -> Vec<crate::area::Operation> {
    crate::AREAS.iter().flat_map(|a| a.operations.iter().copied()).collect()
}

/// The parameters of an operation: its path parameters, and for a GET the
/// query parameters it reads.
fn params(method: &str, path: &str) -> Vec<Value> {
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
    if method != "get" {
        return out;
    }
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

/// Builds the document.
pub fn spec() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, tag, summary, body, status, response) in operations() {
        let success = match conformance::binary_type(response) {
            Some(kind) => {
                json!({ "description": "成功", "content": { kind: { "schema": { "type": "string", "format": "binary" } } } })
            }
            None => {
                json!({ "description": "成功", "content": { "application/json": { "schema": conformance::response_schema(response) } } })
            }
        };
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "operationId": format!("{}_{}", method, path.replace(['/', '{', '}', '-'], "_").trim_matches('_')),
            "parameters": params(method, path),
            "responses": {
                status.to_string(): success,
                "default": { "description": "错误", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        if !body.is_empty() {
            let content_type = conformance::binary_type(body).unwrap_or("application/json");
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

/// Every named schema: request bodies and responses (one name, one schema:
/// a response named like a request would replace it, see the test below).
fn schemas() -> Value {
    let mut all = requests::schemas();
    if let (Some(m), Value::Object(extra)) = (all.as_object_mut(), responses::schemas()) {
        m.extend(extra);
    }
    all
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_and_response_schemas_have_distinct_names() {
        let requests = super::requests::schemas();
        let responses = super::responses::schemas();
        let both: Vec<&String> =
            requests.as_object().unwrap().keys().filter(|k| responses.get(k.as_str()).is_some()).collect();
        assert!(both.is_empty(), "named twice: {both:?}");
    }
}
