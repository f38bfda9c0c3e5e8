//! The security suite: what an insider and a fuzzer tried against the demo
//! province, each as the request that used to work and must now fail. One
//! test per point of the hardening issue, on SQLite and PostgreSQL, through
//! the API and the pages. Read top to bottom.

#[path = "../common/mod.rs"]
mod common;

mod admins;
mod audit;
mod checkin;
mod input;
mod login;
mod masking;
mod reads;
mod refusals;
mod versions;
mod writes;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Client, PASSWORD, Resp, province_with_accounts};
use xianfeng_store::testkit;

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The answer is the envelope: JSON `{"error": {"code", "message"}}` with a Chinese message.
fn assert_envelope(r: &Resp, status: StatusCode, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    let ct = r.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{what}: content type {ct:?}, body {}", r.text());
    let j = r.json();
    let code = j["error"]["code"].as_str().unwrap_or("");
    let message = j["error"]["message"].as_str().unwrap_or("");
    assert!(!code.is_empty(), "{what}: no code in {j}");
    assert!(has_chinese(message), "{what}: message not in Chinese: {j}");
}

async fn raw(c: &mut Client, method: &str, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Resp {
    let mut b = Request::builder().method(method).uri(path).header("x-csrf-token", c.csrf.clone());
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    c.send(b.body(Body::from(body)).unwrap()).await
}

fn member_json(name: &str, id_card: &str, org_id: i64) -> serde_json::Value {
    serde_json::json!({
        "name": name, "gender": "男", "ethnicity": "汉族", "id_card": id_card, "status": "正式党员",
        "join_date": "2010-07-01", "full_date": "2011-07-01", "org_id": org_id.to_string(), "phone": "13800000000",
    })
}
