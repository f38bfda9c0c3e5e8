//! Request tracing: one span per request with its method, route (the matched
//! pattern such as `/api/v1/members/{id}`, never the concrete path, so ids and
//! search words stay out of the log) and request id; the session layer adds
//! the user id once known. On the response, one event with the status and the
//! latency (and its page's queries: how many, how long) — a warning when it
//! is slow, an error for a 5xx. The response's `Server-Timing` header splits
//! the time: the session, the page's queries, the rest of the page's work. Queries run inside
//! the span, so a slow-query warning from the store names the route and the
//! request that caused it. Personal data (names, ID numbers, phones, form
//! fields) never enters a span or an event.
//!
//! The request id is the client's `X-Request-Id` when it is a short token, else
//! a new one; it is returned in the response's `X-Request-Id`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// A request slower than this is logged as a warning.
pub const SLOW_REQUEST_MS: f64 = 1000.0;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The client's request id if it is a short plain token; otherwise a new one
/// (process start in seconds, then a counter: unique per process, sortable).
fn request_id(req: &Request) -> String {
    let given = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !given.is_empty()
        && given.len() <= 64
        && given.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return given.to_string();
    }
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    });
    format!("{start:x}-{:x}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// The middleware (outermost layer).
pub async fn request(req: Request, next: Next) -> Response {
    let id = request_id(&req);
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let route = route.as_deref().unwrap_or("(no route)").to_string();
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        route = %route,
        request_id = %id,
        user = tracing::field::Empty,
    );
    let started = Instant::now();
    let (mut res, split) = xianfeng_store::timing::scope(next.run(req).instrument(span.clone())).await;
    let latency_ms = (started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
    let status = res.status().as_u16();
    let db_ms = (split.queries.as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
    let queries = split.query_count;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, latency_ms, db_ms, queries, "request failed");
        } else if latency_ms >= SLOW_REQUEST_MS {
            tracing::warn!(status, latency_ms, db_ms, queries, "slow request");
        } else {
            tracing::info!(status, latency_ms, db_ms, queries, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&split.header()) {
        res.headers_mut().insert("server-timing", v);
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Records the signed-in user's id (a number, never a name) on the request's span.
pub fn record_user(user_id: i64) {
    tracing::Span::current().record("user", user_id);
}
