//! An in-process HTTP client for the router, with a cookie jar and the CSRF token.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use xianfeng_core::auth::{Role, operator};
use xianfeng_store::testkit::Province;
use xianfeng_store::{Store, Who};
use xianfeng_web::AppState;

pub const PASSWORD: &str = "Test-Passw0rd";

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
}

#[derive(Clone)]
pub struct Client {
    pub app: Router,
    pub cookie: Option<String>,
    pub csrf: String,
}

fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// Every API exchange a test makes is checked against the API document
/// (`openapi::conformance`): a test fails when a handler accepts or answers
/// something the document does not describe. With `XF_API_SAMPLES=<file>`
/// the exchanges are also appended to that file (one JSON line each), to
/// write a new operation's schema from what it really answers.
fn conforms(method: &str, path: &str, sent_type: &str, sent: &[u8], resp: &Resp) {
    use xianfeng_web::openapi::conformance;
    static SPEC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let spec = SPEC.get_or_init(xianfeng_web::openapi::spec);
    let answer_type = content_type(&resp.headers);
    if let Ok(file) = std::env::var("XF_API_SAMPLES")
        && let Some(op) = path.strip_prefix("/api/v1").and_then(|p| conformance::operation_for(method, p))
    {
        use std::io::Write;
        let line = serde_json::json!({
            "method": method, "path": op.1, "status": resp.status.as_u16(), "type": answer_type,
            "request": serde_json::from_slice::<serde_json::Value>(sent).ok(),
            "body": serde_json::from_slice::<serde_json::Value>(&resp.body).ok(),
        });
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(file).expect("samples file");
        writeln!(f, "{line}").expect("sample written");
    }
    let exchange = conformance::Exchange {
        method,
        path,
        request_type: sent_type,
        request: sent,
        status: resp.status.as_u16(),
        response_type: &answer_type,
        response: &resp.body,
    };
    if let Err(e) = conformance::check(spec, &exchange)
        && std::env::var("XF_API_SAMPLES").is_err()
    {
        panic!("the API document does not describe this exchange: {e}");
    }
}

impl Client {
    pub fn new(store: &Store) -> Client {
        Client { app: xianfeng_web::router(AppState::new(store.clone())), cookie: None, csrf: String::new() }
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(header::COOKIE, format!("xf_session={c}").parse().unwrap());
        }
        let (parts, body) = req.into_parts();
        let sent = body.collect().await.unwrap().to_bytes();
        let (method, path) = (parts.method.as_str().to_lowercase(), parts.uri.path().to_string());
        let sent_type = content_type(&parts.headers);
        let req = Request::from_parts(parts, Body::from(sent.clone()));
        let res = self.app.clone().oneshot(req).await.expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        if let Some(sc) = headers.get(header::SET_COOKIE) {
            let v = sc.to_str().unwrap();
            let token = v.split(';').next().unwrap().trim_start_matches("xf_session=").to_string();
            self.cookie = if token.is_empty() || v.contains("Max-Age=0") { None } else { Some(token) };
        }
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let resp = Resp { status, headers, body };
        conforms(&method, &path, &sent_type, &sent, &resp);
        if let Some(t) = find_csrf(&resp.text()) {
            self.csrf = t;
        }
        resp
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// Posts a urlencoded form, adding the CSRF token.
    pub async fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            pairs.push(("csrf", &csrf));
        }
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Sends JSON with the CSRF header.
    pub async fn json(&mut self, method: &str, path: &str, body: serde_json::Value) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", self.csrf.clone())
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn bytes(&mut self, path: &str, data: Vec<u8>) -> Resp {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .header("x-csrf-token", self.csrf.clone())
            .body(Body::from(data))
            .unwrap();
        self.send(req).await
    }

    /// Signs in through the JSON API and keeps the session and token.
    pub async fn api_login(&mut self, username: &str, password: &str) -> Resp {
        let r = self
            .json("POST", "/api/v1/auth/login", serde_json::json!({ "username": username, "password": password }))
            .await;
        if r.status == StatusCode::OK {
            self.csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
        }
        r
    }

    /// Signs in through the login form.
    pub async fn page_login(&mut self, username: &str, password: &str) -> Resp {
        self.form("/login", &[("username", username), ("password", password)]).await
    }
}

fn find_csrf(html: &str) -> Option<String> {
    let key = "name=\"csrf\" value=\"";
    let i = html.find(key)? + key.len();
    let end = html[i..].find('"')?;
    Some(html[i..i + end].to_string())
}

/// Creates an account with one role binding and the shared test password.
pub async fn account(store: &Store, username: &str, role: Role, org: Option<i64>, member: Option<i64>) {
    let who = Who::operator("test");
    let (u, _) =
        xianfeng_store::auth::create_user(store, operator::user_admin(), &who, username, username, Some(PASSWORD))
            .await
            .expect("create user");
    xianfeng_store::auth::grant_role(store, operator::security_admin(), &who, u.id, role, org, member)
        .await
        .expect("grant");
}

/// The fixture province plus one account per role:
/// gw (committee), ua (unit A), ub (unit B), sa1 (branch A1), sa2 (branch A2),
/// m (member 张伟 in A1), js (discipline), sys, sec, aud.
pub async fn province_with_accounts(store: &Store) -> Province {
    let p = Province::build(store).await.expect("fixture");
    account(store, "gwadmin", Role::CommitteeAdmin, Some(p.root.id), None).await;
    account(store, "unita", Role::UnitAdmin, Some(p.unit_a.id), None).await;
    account(store, "unitb", Role::UnitAdmin, Some(p.unit_b.id), None).await;
    account(store, "seca1", Role::BranchSecretary, Some(p.branch_a1.id), None).await;
    account(store, "seca2", Role::BranchSecretary, Some(p.branch_a2.id), None).await;
    account(store, "member1", Role::Member, None, Some(p.member("张伟").id())).await;
    account(store, "jijian", Role::DisciplineStaff, Some(p.root.id), None).await;
    account(store, "sysadm", Role::SystemAdmin, None, None).await;
    account(store, "secadm", Role::SecurityAdmin, None, None).await;
    account(store, "audadm", Role::AuditAdmin, None, None).await;
    p
}

/// Data rows of an exported roster (rows after the header row that starts with 序号).
pub fn export_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).expect("first sheet");
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let header = rows.iter().position(|r| r.first().map(|c| c == "序号").unwrap_or(false)).expect("header row");
    rows[header + 1..].iter().filter(|r| r.iter().any(|c| !c.is_empty())).cloned().collect()
}

/// Every row of the first sheet of an xlsx file, cells as text.
pub fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).expect("first sheet");
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// The code shown once in an element with this id (`code-part-a`, `code-part-b`).
pub fn code_in(html: &str, id: &str) -> String {
    let key = format!("id=\"{id}\">");
    let i = html.find(&key).unwrap_or_else(|| panic!("{id} shown: {html}")) + key.len();
    html[i..i + html[i..].find('<').unwrap()].to_string()
}

/// The second administrator approves the open ticket of `username` through
/// the page (security administrator `secadm`), and the owner sets `password`
/// on the activation page with both halves.
pub async fn approve_and_activate(store: &Store, username: &str, part_a: &str, password: &str) {
    let mut sec = Client::new(store);
    sec.page_login("secadm", PASSWORD).await;
    let tickets = sec.get("/api/v1/credential-tickets").await.json();
    let id = tickets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["username"] == username)
        .unwrap_or_else(|| panic!("a ticket for {username}: {tickets}"))["id"]
        .as_i64()
        .unwrap();
    sec.get("/admin/credentials").await;
    let html = sec.form(&format!("/admin/credentials/{id}/approve"), &[]).await.text();
    let part_b = code_in(&html, "code-part-b");
    let mut owner = Client::new(store);
    let r = owner
        .form(
            "/activate",
            &[
                ("username", username),
                ("part_a", part_a),
                ("part_b", &part_b),
                ("password", password),
                ("password2", password),
            ],
        )
        .await;
    assert!(r.text().contains("账号已启用"), "activation of {username}: {}", r.text());
}
