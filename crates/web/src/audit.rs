//! The audit administrator's pages: the log with filters, chain verification.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use xianfeng_core::audit::{Outcome, action_label};
use xianfeng_store::Page;
use xianfeng_store::audit::{self as store_audit, AuditFilter, AuditRow, VerifyReport};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::layout::{Layout, Pager, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new().route("/audit", get(list_page)).route("/audit/verify", get(verify_page))
}

pub fn api() -> Router<AppState> {
    Router::new().route("/audit", get(api_list)).route("/audit/verify", get(api_verify))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditQuery {
    pub username: String,
    pub action: String,
    pub outcome: String,
    pub object_type: String,
    pub object_id: String,
    pub from: String,
    pub to: String,
    pub page: String,
    pub per_page: String,
}

fn day_start_ms(d: chrono::NaiveDate) -> i64 {
    // Days are China days (UTC+8).
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis() - 8 * 3_600_000
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter> {
        let date = |s: &str, label: &str| -> Result<Option<chrono::NaiveDate>> {
            if s.trim().is_empty() {
                return Ok(None);
            }
            xianfeng_core::member::parse_date(s)
                .map(Some)
                .ok_or_else(|| AppError::BadRequest(format!("{label}格式应为 2025-07-01")))
        };
        Ok(AuditFilter {
            username: self.username.trim().to_string(),
            action: self.action.clone(),
            outcome: self.outcome.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.trim().to_string(),
            from_ms: date(&self.from, "开始日期")?.map(day_start_ms),
            to_ms: date(&self.to, "结束日期")?.map(|d| day_start_ms(d) + 86_400_000),
        })
    }
    fn paging(&self) -> Result<(i64, i64)> {
        crate::form::paging(&self.page, &self.per_page, 50, 500)
    }
}

struct RowView {
    seq: i64,
    time: String,
    username: String,
    role: String,
    ip: String,
    action: String,
    object: String,
    outcome: &'static str,
    ok: bool,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    f: AuditQuery,
    from: String,
    to: String,
    actions: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    page: Page<AuditRow>,
    rows: Vec<RowView>,
    pager: Pager,
}

const ACTIONS: [&str; 20] = [
    "login",
    "logout",
    "lockout",
    "password_change",
    "create",
    "update",
    "move",
    "dissolve",
    "status_change",
    "import",
    "export",
    "reveal",
    "role_grant",
    "role_revoke",
    "user_create",
    "user_update",
    "config_change",
    "audit_verify",
    "backup",
    "restore",
];

fn outcome_label(o: &str) -> &'static str {
    Outcome::parse(o).map(Outcome::label).unwrap_or("其他")
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Response> {
    let cap = ctx.actor()?.audit_reader()?;
    let f = q.filter()?;
    let (page_no, per_page) = q.paging()?;
    let page = store_audit::list(&state.store, cap, &f, page_no, per_page).await?;
    let rows = page
        .items
        .iter()
        .map(|r| RowView {
            seq: r.seq,
            time: xianfeng_core::text::datetime_ms(r.ts_ms),
            username: r.username.clone(),
            role: xianfeng_core::auth::Role::parse(&r.role)
                .map(|x| x.label().to_string())
                .unwrap_or_else(|| r.role.clone()),
            ip: r.ip.clone(),
            action: action_label(&r.action).to_string(),
            object: format!("{} {}", r.object_type, r.object_id),
            outcome: outcome_label(&r.outcome),
            ok: Outcome::parse(&r.outcome) == Some(Outcome::Success),
            detail: r.detail.clone(),
        })
        .collect();
    let base: Vec<(&str, &str)> = [
        ("username", q.username.as_str()),
        ("action", q.action.as_str()),
        ("outcome", q.outcome.as_str()),
        ("object_id", q.object_id.as_str()),
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let pager = Pager::new(page.page, page.per_page, page.total, serde_urlencoded::to_string(base).unwrap_or_default());
    render(&AuditPage {
        l: Layout::new(&ctx, "审计日志", "/audit").crumb("安全审计", "").crumb("审计日志", ""),
        from: q.from.clone(),
        to: q.to.clone(),
        f: q,
        actions: ACTIONS.iter().map(|a| (*a, action_label(a))).collect(),
        outcomes: Outcome::ALL.iter().map(|o| (o.as_str(), o.label())).collect(),
        page,
        rows,
        pager,
    })
}

#[derive(Template)]
#[template(path = "audit_verify.html")]
struct VerifyPage {
    l: Layout,
    report: VerifyReport,
}

async fn run_verify(state: &AppState, ctx: &Ctx) -> Result<VerifyReport> {
    let cap = ctx.actor()?.audit_reader()?;
    let report = store_audit::verify(&state.store, cap).await?;
    let ev = store_audit::Event::ok("audit_verify", "audit_log", report.head_seq)
        .outcome(if report.ok { Outcome::Success } else { Outcome::Failure })
        .detail(format!("校验{}条，异常{}处", report.checked, report.breaks.len()));
    state.store.audit(&ctx.who(), ev).await?;
    Ok(report)
}

async fn verify_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let report = run_verify(&state, &ctx).await?;
    render(&VerifyPage {
        l: Layout::new(&ctx, "审计日志完整性校验", "/audit/verify").crumb("安全审计", "").crumb("完整性校验", ""),
        report,
    })
}

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Page<AuditRow>>> {
    let cap = ctx.actor()?.audit_reader()?;
    let f = q.filter()?;
    let (page, per_page) = q.paging()?;
    Ok(Json(store_audit::list(&state.store, cap, &f, page, per_page).await?))
}

async fn api_verify(State(state): State<AppState>, ctx: Ctx) -> Result<Json<VerifyReport>> {
    Ok(Json(run_verify(&state, &ctx).await?))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "audit",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::Audit, 10, "审计日志", "/audit", Audience::Roles(&[Role::AuditAdmin])),
            MenuEntry::new(Section::Audit, 20, "完整性校验", "/audit/verify", Audience::Roles(&[Role::AuditAdmin])),
        ],
        operations: &[
            ("get", "/audit", "audit", "审计日志（审计管理员）", "", 200, "Page<AuditEntry>"),
            ("get", "/audit/verify", "audit", "校验审计日志链（审计管理员）", "", 200, "AuditVerify"),
        ],
    }
};
