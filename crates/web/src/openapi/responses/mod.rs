//! Schemas of what the API answers. Each names the Rust type it describes;
//! the HTTP test suites check every answer against them
//! (`conformance`), so a field added to a row without its line here fails a
//! test. State fields list the codes of their state enum.

use serde_json::{Map, Value, json};

pub(super) fn int() -> Value {
    json!({ "type": "integer" })
}
pub(super) fn num() -> Value {
    json!({ "type": "number" })
}
pub(super) fn text() -> Value {
    json!({ "type": "string" })
}
pub(super) fn boolean() -> Value {
    json!({ "type": "boolean" })
}
pub(super) fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}
/// Money in fen (分), an integer.
pub(super) fn fen() -> Value {
    json!({ "type": "integer", "description": "分" })
}
/// Milliseconds since 1970 (UTC).
pub(super) fn ms() -> Value {
    json!({ "type": "integer", "description": "毫秒时间戳（UTC）" })
}
pub(super) fn null(mut v: Value) -> Value {
    if v.get("$ref").is_some() {
        return json!({ "allOf": [v], "nullable": true });
    }
    v["nullable"] = Value::Bool(true);
    v
}
pub(super) fn list(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}
pub(super) fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}
/// A map from names to values of one schema.
pub(super) fn map(values: Value) -> Value {
    json!({ "type": "object", "additionalProperties": values })
}
pub(super) fn described(mut v: Value, d: &str) -> Value {
    v["description"] = Value::String(d.to_string());
    v
}
/// An object with these properties, all required except those whose name
/// ends in `?`.
pub(super) fn obj(props: &[(&str, Value)]) -> Value {
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
pub(super) fn with(base: &str, props: &[(&str, Value)]) -> Value {
    json!({ "allOf": [r(base), obj(props)] })
}
/// A paged list of `item` with more properties beside it.
pub(super) fn page_with(item: &str, props: &[(&str, Value)]) -> Value {
    json!({ "allOf": [super::conformance::response_schema(&format!("Page<{item}>")), obj(props)] })
}

/// The codes of a state enum, with its name as the description.
macro_rules! state {
    ($t:ty) => {
        json!({ "type": "string", "enum": <$t>::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(), "description": <$t>::WHAT })
    };
}

// After the macro: the area files use it.
mod common;
mod dues;
mod evaluation;
mod org_life;
mod people;
mod recruitment;

/// Every response schema, by name.
pub fn schemas() -> Value {
    let mut all = Map::new();
    for part in [
        common::schemas(),
        people::schemas(),
        org_life::schemas(),
        evaluation::schemas(),
        recruitment::schemas(),
        dues::schemas(),
    ] {
        if let Value::Object(m) = part {
            all.extend(m);
        }
    }
    Value::Object(all)
}
