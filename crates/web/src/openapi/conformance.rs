//! Whether an API exchange is the one the document describes. The HTTP test
//! suites pass every request they make through [`check`], so the documented
//! schemas are checked against what the handlers really accept and return, on
//! both databases: a response field the document does not name, a missing
//! required field, a number documented as a string, a success status or a
//! content type other than the documented one, or an error outside the
//! `{"error": {"code", "message"}}` envelope fails the test that made the
//! request.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::area::Operation;

/// One request and its answer, as the client saw them.
pub struct Exchange<'a> {
    pub method: &'a str,
    /// The URI path, with the `/api/v1` prefix and without the query.
    pub path: &'a str,
    pub request_type: &'a str,
    pub request: &'a [u8],
    pub status: u16,
    pub response_type: &'a str,
    pub response: &'a [u8],
}

/// The documented operation serving `method` and `path` (under /api/v1): a
/// literal segment wins over a parameter (`/members/count` over `/members/{id}`).
pub fn operation_for(method: &str, path: &str) -> Option<Operation> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    super::operations()
        .into_iter()
        .filter(|op| op.0.eq_ignore_ascii_case(method))
        .filter_map(|op| {
            let t: Vec<&str> = op.1.split('/').collect();
            if t.len() != segments.len() {
                return None;
            }
            let mut params = 0;
            for (a, b) in t.iter().zip(&segments) {
                if a.starts_with('{') && !b.is_empty() {
                    params += 1;
                } else if a != b {
                    return None;
                }
            }
            Some((params, op))
        })
        .min_by_key(|(params, _)| *params)
        .map(|(_, op)| op)
}

/// The content type a binary response or request body is documented with.
pub fn binary_type(schema: &str) -> Option<&'static str> {
    match schema {
        "Xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "Docx" => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "File" => Some("*/*"),
        "Multipart" => Some("multipart/form-data"),
        _ => None,
    }
}

/// Checks one exchange against the document `spec` (`super::spec()`).
/// Requests outside /api/v1 and the document itself are not API operations.
pub fn check(spec: &Value, ex: &Exchange) -> Result<(), String> {
    let Some(path) = ex.path.strip_prefix("/api/v1") else { return Ok(()) };
    if path == "/openapi.json" {
        return Ok(());
    }
    let success = (200..300).contains(&ex.status);
    let json_answer = ex.response_type.starts_with("application/json");
    if !success {
        if !json_answer {
            return Err(format!(
                "{} {}: {} answered {} instead of the error envelope",
                ex.method, ex.path, ex.status, ex.response_type
            ));
        }
        let body: Value = serde_json::from_slice(ex.response).map_err(|e| format!("error body is not JSON: {e}"))?;
        return validate(spec, &json_ref("Error"), &body, true)
            .map_err(|e| format!("{} {} → {}: error envelope: {e}", ex.method, ex.path, ex.status));
    }
    let Some(op) = operation_for(ex.method, path) else {
        return Err(format!("{} {} answered {} but is not documented", ex.method, ex.path, ex.status));
    };
    let (_, template, _, _, request, status, response) = op;
    let name = format!("{} {template}", ex.method);
    if ex.status != status {
        return Err(format!("{name}: answered {} but the document says {status}", ex.status));
    }
    if let Some(wanted) = binary_type(response) {
        if wanted != "*/*" && !ex.response_type.starts_with(wanted) {
            return Err(format!("{name}: answered {} but the document says {wanted}", ex.response_type));
        }
    } else {
        if !json_answer {
            return Err(format!("{name}: answered {} but the document says JSON ({response})", ex.response_type));
        }
        let body: Value =
            serde_json::from_slice(ex.response).map_err(|e| format!("{name}: the answer is not JSON: {e}"))?;
        validate(spec, &response_schema(response), &body, true)
            .map_err(|e| format!("{name} answered outside {response}: {e}"))?;
    }
    if ex.request_type.starts_with("application/json") {
        if request.is_empty() {
            let empty = matches!(serde_json::from_slice::<Value>(ex.request), Ok(Value::Null) | Err(_))
                || serde_json::from_slice::<Value>(ex.request)
                    .is_ok_and(|v| v.as_object().is_some_and(|m| m.is_empty()));
            if !ex.request.is_empty() && !empty {
                return Err(format!("{name}: accepted a JSON body the document does not describe"));
            }
        } else {
            let body: Value = serde_json::from_slice(ex.request)
                .map_err(|e| format!("{name}: accepted a body that is not JSON: {e}"))?;
            validate(spec, &json_ref(request), &body, false)
                .map_err(|e| format!("{name} accepted a body outside {request}: {e}"))?;
        }
    } else if !request.is_empty() && binary_type(request).is_none() && !ex.request.is_empty() {
        return Err(format!("{name}: accepted {} but the document says JSON ({request})", ex.request_type));
    }
    Ok(())
}

fn json_ref(name: &str) -> Value {
    serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The schema a response name stands for: `Page<X>` is the list envelope of
/// X, `X[]` an array of X, anything else a named schema.
pub fn response_schema(name: &str) -> Value {
    if let Some(inner) = name.strip_prefix("Page<").and_then(|n| n.strip_suffix('>')) {
        return serde_json::json!({ "allOf": [json_ref("Page"), { "type": "object", "properties": { "items": { "type": "array", "items": response_schema(inner) } } }] });
    }
    if let Some(inner) = name.strip_suffix("[]") {
        return serde_json::json!({ "type": "array", "items": response_schema(inner) });
    }
    json_ref(name)
}

/// Validates `v` against `schema` (the OpenAPI 3.0 subset the document
/// uses). With `closed`, an object may carry only the properties its schema
/// names (responses must be fully documented; requests may carry more).
pub fn validate(spec: &Value, schema: &Value, v: &Value, closed: bool) -> Result<(), String> {
    let mut errors = Vec::new();
    walk(spec, schema, v, closed, true, "$", &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            let target = &spec["components"]["schemas"][name];
            if target.is_null() { schema } else { resolve(spec, target) }
        }
        None => schema,
    }
}

/// The property names an object schema allows, or None when it is open.
fn allowed(spec: &Value, schema: &Value) -> Option<BTreeSet<String>> {
    let schema = resolve(spec, schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut all = BTreeSet::new();
        for p in parts {
            all.extend(allowed(spec, p)?);
        }
        return Some(all);
    }
    if schema.get("additionalProperties").is_some_and(|a| a != &Value::Bool(false)) {
        return None;
    }
    schema.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect())
}

/// `closed` holds for the whole value; `own` says whether this schema alone
/// decides which properties this object may have (not one part of an allOf).
fn walk(spec: &Value, schema: &Value, v: &Value, closed: bool, own: bool, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = resolve(spec, schema);
        if std::ptr::eq(target, schema) {
            errors.push(format!("{at}: {r} is not among the schemas"));
            return;
        }
        return walk(spec, target, v, closed, own, at, errors);
    }
    if v.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for p in parts {
            walk(spec, p, v, closed, false, at, errors);
        }
        if closed && own {
            check_closed(spec, schema, v, at, errors);
        }
        return;
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = options.iter().any(|o| {
            let mut e = Vec::new();
            walk(spec, o, v, closed, own, at, &mut e);
            e.is_empty()
        });
        if !fits {
            errors.push(format!("{at}: {v} fits none of the forms"));
        }
        return;
    }
    let ok = match schema.get("type").and_then(Value::as_str) {
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        Some("array") => v.is_array(),
        Some("object") => v.is_object(),
        Some(other) => {
            errors.push(format!("{at}: unknown type {other}"));
            return;
        }
        None => true,
    };
    if !ok {
        let t = schema["type"].as_str().unwrap_or_default();
        errors.push(format!("{at}: {v} is not {t}{}", if v.is_null() { " (null, not nullable)" } else { "" }));
        return;
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(v)
    {
        errors.push(format!("{at}: {v} is not one of {}", Value::Array(options.clone())));
    }
    if let (Some("date"), Some(s)) = (schema.get("format").and_then(Value::as_str), v.as_str())
        && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err()
    {
        errors.push(format!("{at}: {s:?} is not a date"));
    }
    if let (Some(items), Some(list)) = (schema.get("items"), v.as_array()) {
        for (i, item) in list.iter().enumerate() {
            walk(spec, items, item, closed, true, &format!("{at}[{i}]"), errors);
        }
    }
    if let Some(obj) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    errors.push(format!("{at}: required {r} is missing"));
                }
            }
        }
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => walk(spec, s, val, closed, true, &format!("{at}.{k}"), errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{at}: {k} is not documented")),
                    Some(Value::Bool(true)) | None => {}
                    Some(extra) => walk(spec, extra, val, closed, true, &format!("{at}.{k}"), errors),
                },
            }
        }
        if closed && own && schema.get("additionalProperties").is_none() && props.is_some() {
            check_closed(spec, schema, v, at, errors);
        }
    }
}

fn check_closed(spec: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let (Some(names), Some(obj)) = (allowed(spec, schema), v.as_object()) else { return };
    for k in obj.keys() {
        if !names.contains(k) {
            errors.push(format!("{at}: {k} is not documented"));
        }
    }
}

/// Every schema a document names: `$ref` targets that are not among its
/// components, and the operations whose success answer has no schema.
pub fn unresolved(spec: &Value) -> Vec<String> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(spec, &mut all);
    let mut out: Vec<String> = all
        .into_iter()
        .filter(|r| {
            let name = r.trim_start_matches("#/components/schemas/");
            !r.starts_with("#/components/schemas/") || spec["components"]["schemas"][name].is_null()
        })
        .collect();
    for (path, ops) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            let answers = op["responses"].as_object().cloned().unwrap_or_default();
            let success = answers.iter().find(|(code, _)| code.starts_with('2'));
            let has_schema = success
                .and_then(|(_, a)| a["content"].as_object())
                .is_some_and(|c| c.values().all(|t| t["schema"].is_object()));
            if !has_schema {
                out.push(format!("{method} {path}: no success schema"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec() -> Value {
        json!({ "components": { "schemas": {
            "Row": { "type": "object", "required": ["id"], "properties": { "id": { "type": "integer" }, "on": { "type": "string", "format": "date", "nullable": true }, "state": { "type": "string", "enum": ["open", "done"] } } },
            "Page": { "type": "object", "required": ["items", "total", "page", "per_page"], "properties": { "items": { "type": "array" }, "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } }
        } } })
    }

    #[test]
    fn a_response_must_match_its_schema_exactly() {
        let s = spec();
        let page = response_schema("Page<Row>");
        let good =
            json!({ "items": [{ "id": 1, "on": null, "state": "open" }], "total": 1, "page": 1, "per_page": 20 });
        assert_eq!(validate(&s, &page, &good, true), Ok(()));
        let extra = json!({ "items": [{ "id": 1, "secret": "x" }], "total": 1, "page": 1, "per_page": 20 });
        assert!(validate(&s, &page, &extra, true).unwrap_err().contains("secret is not documented"));
        assert_eq!(validate(&s, &page, &extra, false), Ok(()), "a request may carry more");
        let wrong = json!({ "items": [{ "id": "1", "on": "2026-13-01", "state": "lost" }], "total": 1, "page": 1 });
        let e = validate(&s, &page, &wrong, true).unwrap_err();
        for part in ["\"1\" is not integer", "is not a date", "is not one of", "required per_page is missing"] {
            assert!(e.contains(part), "{part} in {e}");
        }
        assert!(validate(&s, &json_ref("Nope"), &good, true).unwrap_err().contains("not among the schemas"));
    }

    #[test]
    fn every_success_has_a_schema_and_every_name_resolves() {
        let spec = super::super::spec();
        assert_eq!(unresolved(&spec), Vec::<String>::new());
        let mut broken = spec.clone();
        broken["components"]["schemas"].as_object_mut().unwrap().remove("Meeting");
        assert!(unresolved(&broken).iter().any(|r| r.ends_with("/Meeting")), "a missing schema is found");
    }

    #[test]
    fn a_movement_is_one_of_its_forms() {
        let spec = super::super::spec();
        let row = &spec["components"]["schemas"]["RankRow"]["properties"]["movement"];
        for ok in [json!("new"), json!({ "up": 3 })] {
            assert_eq!(validate(&spec, row, &ok, true), Ok(()));
        }
        for bad in [json!("sideways"), json!({ "up": "3" }), json!({ "up": 3, "x": 1 })] {
            assert!(validate(&spec, row, &bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter() {
        assert_eq!(operation_for("get", "/members/count").map(|o| o.1), Some("/members/count"));
        assert_eq!(operation_for("get", "/members/12").map(|o| o.1), Some("/members/{id}"));
        assert_eq!(operation_for("get", "/nothing/here"), None);
    }
}
