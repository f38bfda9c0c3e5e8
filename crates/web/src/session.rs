//! Sessions, CSRF and security headers.
//!
//! `session_layer` resolves the session cookie once per request and checks the
//! CSRF token of every state-changing request; handlers take [`Ctx`].

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use xianfeng_core::auth::{Actor, MemberScope, OrgScope, RevealPolicy};
use xianfeng_store::Who;
use xianfeng_store::auth::Session;

use crate::AppState;
use crate::error::{AppError, Result};

pub const COOKIE: &str = "xf_session";

/// The signed-in caller of a request.
#[derive(Clone)]
pub struct Ctx {
    pub session: Session,
    pub token: String,
    pub ip: String,
}

/// What the session layer found, stored in request extensions.
#[derive(Clone)]
struct Resolved {
    session: Option<Session>,
    token: String,
    ip: String,
}

impl Ctx {
    pub fn actor(&self) -> Result<&Actor> {
        self.session.actor.as_ref().ok_or(AppError::Forbidden)
    }
    pub fn who(&self) -> Who {
        match &self.session.actor {
            Some(a) => Who::of(a, &self.ip),
            None => Who {
                user_id: Some(self.session.user.id),
                username: self.session.user.username.clone(),
                role: String::new(),
                ip: self.ip.clone(),
            },
        }
    }
    pub fn csrf(&self) -> &str {
        &self.session.row.csrf_token
    }
    pub fn org_scope(&self) -> Result<OrgScope> {
        Ok(self.actor()?.org_scope()?)
    }
    pub async fn member_scope(&self, state: &AppState) -> Result<MemberScope> {
        let policy: RevealPolicy = state.store.rule().await?;
        Ok(self.actor()?.member_scope(&policy)?)
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|kv| {
            let (k, val) = kv.trim().split_once('=')?;
            (k == name).then(|| val.to_string())
        })
    })
}

fn secure_cookie(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("{text}; Secure")).ok()
}

/// The Set-Cookie value for a session token (empty token clears it). Over
/// TLS the security-header layer adds `Secure` whatever `secure` says.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let max_age = if token.is_empty() { "; Max-Age=0" } else { "" };
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}{max_age}"))
        .expect("cookie is ASCII")
}

/// Where a request came from, as far as this server can tell.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The client's address: the peer's, or — when the peer is a trusted
    /// proxy — the nearest address in X-Forwarded-For that is not a proxy.
    pub ip: String,
    /// The client reached the site over TLS (the operator says so, or a
    /// trusted proxy's X-Forwarded-Proto does).
    pub https: bool,
}

/// The client's address and scheme. Forwarded headers count only from a
/// trusted proxy: anyone else could write them.
pub fn origin_of(req: &Request, state: &AppState) -> Origin {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let trusted = |ip: &std::net::IpAddr| state.trusted_proxies.contains(ip);
    let Some(peer) = peer else {
        return Origin { ip: "unknown".into(), https: state.secure_cookies };
    };
    if !trusted(&peer) {
        return Origin { ip: peer.to_string(), https: state.secure_cookies };
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let client = forwarded.iter().rev().find(|ip| !trusted(ip)).copied().unwrap_or(peer);
    let proto_https = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').next().unwrap_or("").trim().eq_ignore_ascii_case("https"))
        .unwrap_or(false);
    Origin { ip: client.to_string(), https: state.secure_cookies || proto_https }
}

/// Paths that may be posted without a session (they start one, or set the
/// password an account starts with).
fn is_login(path: &str) -> bool {
    matches!(path, "/login" | "/api/v1/auth/login" | "/activate" | "/api/v1/auth/activate")
}

/// Resolves the session and enforces CSRF on state-changing requests.
pub async fn session_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match resolve(&state, req).await {
        Ok(req) => {
            xianfeng_store::timing::session_resolved();
            next.run(req).await
        }
        Err(e) => axum::response::IntoResponse::into_response(e),
    }
}

async fn resolve(state: &AppState, mut req: Request) -> Result<Request> {
    let ip = origin_of(&req, state).ip;
    let token = cookie_value(req.headers(), COOKIE).unwrap_or_default();
    let session = if token.is_empty() || token.len() > 128 {
        None
    } else {
        xianfeng_store::auth::session(&state.store, &token).await?
    };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        // A cross-site form post carries a foreign Origin: refuse it outright.
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
            let same = match host {
                Some(host) => origin.split_once("://").map(|(_, h)| h == host).unwrap_or(false),
                None => true,
            };
            // "null" comes from sandboxed frames and data: pages; no form of
            // ours posts from one, and a login form must never be posted so.
            let foreign = if origin == "null" { is_login(req.uri().path()) } else { !same };
            if foreign {
                return Err(AppError::Csrf);
            }
        }
        // Login CSRF: a browser says when a post comes from another site.
        let cross_site = req.headers().get("sec-fetch-site").map(|v| v.as_bytes() == b"cross-site").unwrap_or(false);
        if cross_site && is_login(req.uri().path()) {
            return Err(AppError::Csrf);
        }
        if !is_login(req.uri().path()) {
            let Some(s) = &session else { return Err(AppError::Unauthenticated) };
            let (r, ok) = check_csrf(req, &s.row.csrf_token).await?;
            req = r;
            if !ok {
                return Err(AppError::Csrf);
            }
        }
    }
    if let Some(s) = &session {
        crate::trace::record_user(s.user.id);
    }
    req.extensions_mut().insert(Resolved { session, token, ip });
    Ok(req)
}

/// Accepts the token from the X-CSRF-Token header, the `csrf` query parameter
/// (multipart uploads) or the `csrf` field of a urlencoded form.
async fn check_csrf(req: Request, expected: &str) -> Result<(Request, bool)> {
    let eq = |t: &str| constant_eq(t.as_bytes(), expected.as_bytes());
    if let Some(h) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        let ok = eq(h);
        return Ok((req, ok));
    }
    if let Some(q) = req.uri().query() {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
        if let Some((_, t)) = pairs.iter().find(|(k, _)| k == "csrf") {
            let ok = eq(t);
            return Ok((req, ok));
        }
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.starts_with("application/x-www-form-urlencoded"))
        .unwrap_or(false);
    if !is_form {
        return Ok((req, false));
    }
    let (parts, body) = req.into_parts();
    let bytes =
        axum::body::to_bytes(body, 2 * 1024 * 1024).await.map_err(|_| AppError::TooLarge("表单内容过大".into()))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let ok = pairs.iter().any(|(k, v)| k == "csrf" && eq(v));
    Ok((Request::from_parts(parts, Body::from(bytes)), ok))
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Paths a user who must change the password may still reach.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/password"
            | "/logout"
            | "/api/v1/me/password"
            | "/api/v1/auth/logout"
            | "/api/v1/me"
            | "/me/notice"
            | "/api/v1/me/notice"
    )
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let r = parts.extensions.get::<Resolved>().cloned().ok_or(AppError::Unauthenticated)?;
        let session = r.session.ok_or(AppError::Unauthenticated)?;
        // The path as sent: a nested router (/api/v1) sees its own suffix only.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|u| u.0.path().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        if (session.user.must_change_password || session.password_expired) && !allowed_before_password_change(&path) {
            return Err(AppError::PasswordChange);
        }
        Ok(Ctx { session, token: r.token, ip: r.ip })
    }
}

/// The signed-in context of a request, if any (for pages drawn outside a
/// handler: the error page keeps the header and the role's menu).
pub(crate) fn ctx_of(ext: &axum::http::Extensions) -> Option<Ctx> {
    let r = ext.get::<Resolved>()?.clone();
    Some(Ctx { session: r.session?, token: r.token, ip: r.ip })
}

/// The client address for handlers that run without a session (login).
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<Resolved>().map(|r| r.ip.clone()).unwrap_or_else(|| "unknown".into())))
    }
}

/// Security headers on every response; no caching of anything but assets.
/// Over TLS: HSTS, and every cookie set is marked Secure.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let https = origin_of(&req, &state).https;
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
        let cookies: Vec<HeaderValue> = h.get_all(header::SET_COOKIE).iter().cloned().collect();
        if !cookies.is_empty() {
            h.remove(header::SET_COOKIE);
            for c in cookies {
                let text = c.to_str().unwrap_or("");
                let secure = if text.contains("; Secure") { c.clone() } else { secure_cookie(text).unwrap_or(c) };
                h.append(header::SET_COOKIE, secure);
            }
        }
    }
    // A handler may set a stricter policy (downloads are sandboxed).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                 connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
            ),
        );
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    } else {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    res
}
