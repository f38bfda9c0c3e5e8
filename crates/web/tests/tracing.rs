//! Request tracing: every request leaves one event with its method, route
//! pattern, status, latency, request id and user id, and no personal data; a
//! slow query is a warning that names the route and request that caused it.

mod common;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Client, PASSWORD, province_with_accounts};
use tracing_subscriber::fmt::MakeWriter;
use xianfeng_store::testkit;

/// The log as the subscriber writes it.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Log {
    type Writer = Log;
    fn make_writer(&'a self) -> Log {
        self.clone()
    }
}

impl Log {
    /// The JSON lines written since the last take.
    fn take(&self) -> (String, Vec<serde_json::Value>) {
        let bytes = std::mem::take(&mut *self.0.lock().unwrap());
        let text = String::from_utf8(bytes).unwrap();
        let lines = text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
        (text, lines)
    }
}

#[tokio::test]
async fn requests_are_traced_by_route_without_personal_data() {
    let log = Log::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_max_level(tracing::Level::INFO)
        .with_writer(log.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Every query counts as slow here, so each one's warning must name its route.
    xianfeng_store::db::SLOW_QUERY.store(0, Ordering::Relaxed);
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.api_login("seca1", PASSWORD).await;
        let (user_id,): (i64,) = store
            .db
            .r()
            .fetch_one(xianfeng_store::q!("SELECT id FROM users WHERE username = $1", "seca1"))
            .await
            .unwrap();
        let li = p.member("李娜");
        log.take();

        let req = Request::get(format!("/api/v1/members/{}", li.id()))
            .header("x-request-id", "trace-me-1")
            .body(Body::empty())
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert_eq!(r.headers.get("x-request-id").unwrap(), "trace-me-1", "{backend}: the id comes back");
        // Where its time went: the session, the page's queries (how many), the rest, all of it.
        let timing = r.headers.get("server-timing").unwrap().to_str().unwrap().to_string();
        let dur = |name: &str| -> f64 {
            let part =
                timing.split(", ").find(|p| p.starts_with(&format!("{name};"))).unwrap_or_else(|| panic!("{timing}"));
            part.split(';').find_map(|f| f.strip_prefix("dur=")).unwrap().parse().unwrap()
        };
        let (session, db, app, total) = (dur("session"), dur("db"), dur("app"), dur("total"));
        assert!(session > 0.0 && db > 0.0 && app >= 0.0, "{backend}: {timing}");
        assert!((session + db + app - total).abs() < 0.05, "{backend}: the parts add up to the whole: {timing}");
        let queries: u32 = timing.split("desc=\"").nth(1).and_then(|d| d.split(' ').next()).unwrap().parse().unwrap();
        assert!(queries >= 1, "{backend}: the member's read ran queries: {timing}");
        let r = c.get(&format!("/api/v1/members?name={}", urlencode("李娜"))).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let generated = r.headers.get("x-request-id").unwrap().to_str().unwrap().to_string();
        assert!(!generated.is_empty(), "{backend}: a request without an id gets one");
        let r = c.get("/api/v1/no-such-thing").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let (text, lines) = log.take();

        let done = |route: &str, id: &str| {
            lines.iter().find(|l| {
                l["fields"]["message"] == "request" && l["span"]["route"] == route && l["span"]["request_id"] == id
            })
        };
        let one = done("/api/v1/members/{id}", "trace-me-1").unwrap_or_else(|| panic!("{backend}: no event: {text}"));
        assert_eq!(one["span"]["method"], "GET", "{backend}");
        assert_eq!(one["fields"]["status"], 200, "{backend}");
        assert!(one["fields"]["latency_ms"].is_number(), "{backend}");
        assert!(one["fields"]["db_ms"].is_number() && one["fields"]["queries"].as_u64() >= Some(1), "{backend}: {one}");
        assert_eq!(one["span"]["user"], user_id, "{backend}: the user's id, not their name");
        assert!(done("/api/v1/members", &generated).is_some(), "{backend}: {text}");
        assert!(
            lines.iter().any(|l| l["fields"]["status"] == 404 && l["span"]["route"] == "(no route)"),
            "{backend}: an unknown path is logged without its text: {text}"
        );
        // A query runs inside its store operation's span, inside the request's.
        let request_of = |l: &serde_json::Value| {
            l["spans"].as_array().and_then(|s| s.iter().find(|x| x["name"] == "request")).cloned().unwrap_or_default()
        };
        let slow: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["fields"]["message"] == "slow query" && request_of(l)["request_id"] == "trace-me-1")
            .collect();
        let first = slow.first().unwrap_or_else(|| panic!("{backend}: no slow-query warning: {text}"));
        assert_eq!(first["level"], "WARN", "{backend}");
        assert_eq!(request_of(first)["route"], "/api/v1/members/{id}", "{backend}: the warning names the route");
        assert!(first["fields"]["sql"].as_str().unwrap().contains('$'), "{backend}: placeholders, not values");
        assert!(
            slow.iter().any(|l| l["span"]["name"] == "get"),
            "{backend}: the member's read runs in the store operation's span (member::get): {text}"
        );

        // Nothing personal: not the name searched for or read, not the ID
        // number or the phone, not the concrete path with the member's id.
        for secret in ["李娜", &urlencode("李娜"), &li.id_card, &li.phone, &format!("/members/{}", li.id())] {
            assert!(!text.contains(secret), "{backend}: the log holds {secret}: {text}");
        }
    }
    xianfeng_store::db::SLOW_QUERY.store(xianfeng_store::db::SLOW_QUERY_MS, Ordering::Relaxed);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
