//! Xianfeng's web layer: axum routes, server-rendered pages, embedded assets and
//! the JSON API under /api/v1.
//!
//! Each area (org, member, auth, audit, rules) has a module with its page
//! routes and its API routes; handlers stay thin and call the store with the
//! caller's scope.

#![recursion_limit = "256"]

pub mod area;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod campaign;
pub mod compliance;
pub mod crawl;
pub mod credential;
pub mod discipline;
pub mod docx;
pub mod dues;
pub mod error;
pub mod first_agenda;
pub mod form;
pub mod home;
pub mod input;
pub mod layout;
pub mod meeting;
pub mod member;
pub mod openapi;
pub mod org;
pub mod picker;
pub mod ranking;
pub mod recruitment;
pub mod rectification;
pub mod report;
pub mod rules;
pub mod secretary_review;
pub mod session;
pub mod throttle;
pub mod trace;
pub mod transfer;
pub mod upload;
/// The spreadsheet codec lives below web, shared with the CLI.
pub use xianfeng_store::xlsx;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{And, DefaultPredicate, NotForContentType, Predicate};
use xianfeng_store::Store;

pub use error::{AppError, Result};

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The operator says the site is served over TLS (e.g. a TLS proxy in
    /// front): cookies are Secure and HSTS is sent on every response.
    pub secure_cookies: bool,
    /// Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.
    pub trusted_proxies: std::sync::Arc<Vec<std::net::IpAddr>>,
    pub import_limits: std::sync::Arc<xlsx::ImportLimits>,
    /// Sign-in attempts per network address.
    pub login_throttle: std::sync::Arc<throttle::LoginThrottle>,
    /// Refused imports' rosters with their problems marked, for their uploaders.
    pub import_error_files: std::sync::Arc<member::error_files::ErrorFiles>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            secure_cookies: false,
            trusted_proxies: Default::default(),
            import_limits: Default::default(),
            login_throttle: Default::default(),
            import_error_files: Default::default(),
        }
    }
}

/// Every area of the application, once: the router, the left menu and the
/// OpenAPI document are built from this list (docs/adding-an-area.md).
pub const AREAS: &[area::Area] = &[
    home::AREA,
    auth::AREA,
    credential::AREA,
    org::AREA,
    member::AREA,
    audit::AREA,
    rules::AREA,
    meeting::AREA,
    compliance::AREA,
    first_agenda::AREA,
    report::AREA,
    dues::AREA,
    recruitment::AREA,
    transfer::AREA,
    ranking::AREA,
    rectification::AREA,
    discipline::AREA,
    campaign::AREA,
    secretary_review::AREA,
];

/// The whole application.
pub fn router(state: AppState) -> Router {
    let mut pages = Router::new();
    let mut api = Router::new();
    for area in AREAS {
        pages = pages.merge((area.pages)());
        api = api.merge((area.api)());
    }
    let pages = pages.layer(middleware::from_fn(page_errors));
    let api = api.route("/openapi.json", get(openapi::document)).fallback(|| async { AppError::NotFound });
    Router::new()
        .merge(pages)
        .nest("/api/v1", api)
        .route("/healthz", get(healthz))
        .merge(assets::routes())
        .fallback(not_found_page)
        .layer(middleware::from_fn_with_state(state.clone(), session::session_layer))
        .layer(middleware::from_fn(input::guard))
        .layer(middleware::from_fn_with_state(state.clone(), session::security_headers))
        .layer(DefaultBodyLimit::max(32 * 1024 * 1024))
        .layer(compression())
        .layer(middleware::from_fn(trace::request))
        .with_state(state)
}

/// Pages, JSON and assets go gzip-compressed to a client that asks for it (a
/// province-wide page shrinks about tenfold); spreadsheets and Word files are
/// zip archives already and go as they are.
fn compression() -> CompressionLayer<And<DefaultPredicate, NotForContentType>> {
    CompressionLayer::new()
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/vnd.openxmlformats")))
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.store.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

async fn not_found_page(req: Request) -> Response {
    let ctx = session::ctx_of(req.extensions());
    let message = "您访问的页面不存在，或不在您的管理范围内。";
    if req.uri().path().starts_with("/api/") {
        return AppError::NotFound.into_response();
    }
    error_view(ctx.as_ref(), StatusCode::NOT_FOUND, "not_found", "页面不存在", message)
}

/// Turns API-style errors raised by page handlers into pages: sign-in
/// redirects, password-change redirects, and a readable error page.
async fn page_errors(req: Request, next: Next) -> Response {
    // After signing in, a GET page (e.g. a scanned check-in code) opens where the user was going.
    let back = (req.method() == axum::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten()
        .filter(|p| p != "/");
    let ctx = session::ctx_of(req.extensions());
    let res = next.run(req).await;
    let Some(body) = res.extensions().get::<error::ErrorBody>().cloned() else { return res };
    match body.code {
        "unauthenticated" => match back {
            Some(p) => Redirect::to(&format!("/login?next={}", urlencoding::encode(&p))).into_response(),
            None => Redirect::to("/login").into_response(),
        },
        "password_change_required" => Redirect::to("/password").into_response(),
        _ => {
            let title = match body.code {
                "not_found" => "页面不存在",
                "forbidden" => "无权访问",
                "csrf" => "请刷新页面",
                "internal" => "系统繁忙",
                _ => "操作未完成",
            };
            let message = if body.code == "not_found" {
                "您访问的页面或记录不存在，或不在您的管理范围内。".to_string()
            } else {
                body.message
            };
            error_view(ctx.as_ref(), res.status(), body.code, title, &message)
        }
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorView {
    l: layout::Layout,
    message: String,
    advice: &'static str,
}

/// An error as a page: for a signed-in user inside the usual header and
/// menu, saying what happened and what to do; otherwise the bare page.
fn error_view(ctx: Option<&session::Ctx>, status: StatusCode, code: &str, title: &str, message: &str) -> Response {
    let Some(ctx) = ctx else { return error_page(status, title, message) };
    let advice = match code {
        "not_found" => "请从左侧菜单或首页重新进入；如需查看其他单位的记录，请联系上级党组织。",
        "forbidden" => "此页面属于其他角色的工作：如您有该角色，请在右上角切换；否则请联系安全管理员授予。",
        "csrf" => "页面已过期：请返回上一页，刷新后再提交。",
        "internal" => "请稍后重试；如仍不成功，请联系系统管理员（错误已记录）。",
        _ => "请返回修改后再试。",
    };
    let page = ErrorView { l: layout::Layout::new(ctx, title, ""), message: message.to_string(), advice };
    match layout::render(&page) {
        Ok(mut res) => {
            *res.status_mut() = status;
            res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            res
        }
        Err(_) => error_page(status, title, message),
    }
}

pub fn esc_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} - 先锋党建平台</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main style=\"max-width:640px;margin:3rem auto\">\
         <div class=\"card\"><h1>{t}</h1><p>{m}</p><p><a class=\"button\" href=\"javascript:history.back()\">返回</a> <a class=\"button primary\" href=\"/\">回到首页</a></p></div></main></body></html>",
        t = esc_html(title),
        m = esc_html(message)
    );
    let mut res = (status, Html(html)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res
}

/// Serves the application until Ctrl-C / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    /// The console's province-wide capabilities, spelled in pieces so that
    /// this test's own source does not name them.
    const FORBIDDEN: [&str; 4] = [
        concat!("auth::", "operator"),
        concat!("operator::", "province"),
        concat!("operator::", "user_admin"),
        concat!("Who::", "operator"),
    ];

    /// The province-wide capabilities are the console's: every request acts
    /// through the signed-in user's own capability. No web source may mint one.
    #[test]
    fn the_web_never_mints_the_consoles_capabilities() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).expect("src readable") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    walk(&p, found);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).expect("source readable");
                    for (i, line) in text.lines().enumerate() {
                        if FORBIDDEN.iter().any(|f| line.contains(f)) && !line.trim_start().starts_with("//") {
                            found.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found);
        assert!(found.is_empty(), "the web crate mints a console capability:\n{}", found.join("\n"));
    }
}
