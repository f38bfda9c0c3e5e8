//! Rules as data: every version with its effective date, and a form to add one.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use xianfeng_core::auth::Role;
use xianfeng_core::rules::{self as core_rules, Rule, RuleRow};
use xianfeng_store::rules as store_rules;

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::Errors;
use crate::layout::{Layout, flash_text, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new().route("/rules", get(page).post(submit))
}

pub fn api() -> Router<AppState> {
    Router::new().route("/rules", get(api_list).post(api_add))
}

/// Chinese labels of rule parameters.
fn param_label(name: &str) -> &'static str {
    match name {
        "branch_min_full_members" => "党支部最少正式党员数",
        "committee_threshold_full_members" => "设立支部委员会的正式党员数",
        "branch_max_members" => "党支部党员人数上限",
        "committee_min_size" => "支部委员会最少委员数",
        "talk_within_months" => "收到入党申请后谈话时限（月）",
        "applicant_to_activist_months" => "申请人转为积极分子最短时间（月）",
        "activist_min_months" => "积极分子培养最短时间（月）",
        "approval_within_months" => "上级党委审批时限（月）",
        "probation_months" => "预备期（月）",
        "extension_min_months" => "延长预备期下限（月）",
        "extension_max_months" => "延长预备期上限（月）",
        "warn_days" => "到期前提醒天数",
        "branch_term_years" => "党支部任期（年）",
        "general_branch_term_years" => "党总支任期（年）",
        "party_committee_term_years" => "基层党委任期（年）",
        "election_due_soon_days" => "换届提前提醒天数",
        "password_min_length" => "密码最小长度",
        "password_min_classes" => "密码最少字符类别数",
        "password_expiry_days" => "密码有效期（天）",
        "password_history" => "不得重复使用的历史密码数",
        "lock_after_failures" => "连续失败锁定次数",
        "lock_minutes" => "锁定时长（分钟）",
        "idle_timeout_minutes" => "会话空闲超时（分钟）",
        "session_max_hours" => "会话最长有效期（小时，无论是否活动）",
        "address_failures" => "同一网络地址在锁定时长内允许的失败登录次数",
        "campaign_refusals_per_day" => "含“无处分”条件的评选每人每日允许的申报未通过次数",
        "audit_retention_days" => "审计日志保存期（天）",
        "id_card" => "可查看完整公民身份号码的角色",
        "phone" => "可查看完整联系电话的角色",
        _ => "参数",
    }
}

struct Param {
    name: String,
    label: &'static str,
    value: String,
    is_roles: bool,
    role_options: Vec<(String, &'static str, bool)>,
}

struct RuleView {
    key: String,
    label: &'static str,
    versions: Vec<(String, String, String, bool)>,
    editable: bool,
    params: Vec<Param>,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    l: Layout,
    meeting_kinds: bool,
    rules: Vec<RuleView>,
    errors: Errors,
    error_key: String,
    today: String,
}

fn describe(value: &serde_json::Value) -> String {
    match value.as_object() {
        Some(o) => o
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::Array(a) => a
                        .iter()
                        .filter_map(|x| x.as_str())
                        .map(|r| Role::parse(r).map(|r| r.label()).unwrap_or(r))
                        .collect::<Vec<_>>()
                        .join("、"),
                    other => other.to_string(),
                };
                format!("{}：{}", param_label(k), v)
            })
            .collect::<Vec<_>>()
            .join("；"),
        None => value.to_string(),
    }
}

/// The rule keys a role sees on this page.
fn visible_keys(role: Role) -> &'static [&'static str] {
    match role {
        Role::CommitteeAdmin => &["org", "meeting_kinds", "dues", "recruitment", "transfer", "ranking"],
        Role::SecurityAdmin => &["security", "reveal"],
        _ => &[],
    }
}

async fn view(state: &AppState, ctx: &Ctx, errors: Errors, error_key: &str, flash: &str) -> Result<Response> {
    let actor = ctx.actor()?;
    let keys = visible_keys(actor.role);
    if keys.is_empty() {
        return Err(AppError::Forbidden);
    }
    let set = state.store.reload_rules().await?;
    let today = xianfeng_core::text::today_cn();
    let mut rules = Vec::new();
    // Meeting kinds have their own editor (a table of kinds).
    for key in keys
        .iter()
        .filter(|k| **k != xianfeng_core::meeting::MeetingKinds::KEY && **k != xianfeng_core::dues::DuesRules::KEY)
    {
        let rows: Vec<&RuleRow> = set.rows().iter().filter(|r| r.key == *key).collect();
        let current = rows.iter().rfind(|r| r.effective_from <= today).map(|r| r.effective_from);
        let latest = rows.last().map(|r| r.value.clone()).unwrap_or_default();
        let params = latest
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let is_roles = v.is_array();
                        let chosen: Vec<&str> =
                            v.as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
                        Param {
                            name: k.clone(),
                            label: param_label(k),
                            value: if is_roles { String::new() } else { v.to_string() },
                            is_roles,
                            role_options: [Role::CommitteeAdmin, Role::UnitAdmin, Role::BranchSecretary]
                                .iter()
                                .map(|r| (r.as_str().to_string(), r.label(), chosen.contains(&r.as_str())))
                                .collect(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        rules.push(RuleView {
            key: key.to_string(),
            label: core_rules::label(key),
            versions: rows
                .iter()
                .rev()
                .map(|r| {
                    (
                        r.effective_from.to_string(),
                        describe(&r.value),
                        r.source.clone(),
                        Some(r.effective_from) == current,
                    )
                })
                .collect(),
            editable: store_rules::may_change(actor, key),
            params,
        });
    }
    let title = if actor.role == Role::SecurityAdmin { "安全策略" } else { "业务规则" };
    let meeting_kinds = keys.contains(&xianfeng_core::meeting::MeetingKinds::KEY);
    render(&RulesPage {
        meeting_kinds,
        l: Layout::new(ctx, title, "/rules").crumb(title, "").flash(flash),
        rules,
        errors,
        error_key: error_key.to_string(),
        today: today.to_string(),
    })
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response> {
    view(&state, &ctx, Errors::default(), "", flash_text(q.get("ok").map(|s| s.as_str()).unwrap_or(""))).await
}

/// Builds a rule value from form pairs, using the current value as the shape.
fn value_from_form(
    set: &core_rules::RuleSet,
    key: &str,
    pairs: &[(String, String)],
) -> std::result::Result<serde_json::Value, String> {
    let current = set.rows().iter().rfind(|r| r.key == key).map(|r| r.value.clone()).ok_or("未知的规则")?;
    let mut out = serde_json::Map::new();
    for (k, v) in current.as_object().ok_or("规则格式错误")? {
        if v.is_array() {
            let chosen: Vec<serde_json::Value> =
                pairs.iter().filter(|(n, _)| n == k).map(|(_, val)| serde_json::Value::String(val.clone())).collect();
            out.insert(k.clone(), serde_json::Value::Array(chosen));
        } else {
            let typed = pairs.iter().find(|(n, _)| n == k).map(|(_, val)| val.trim().to_string()).unwrap_or_default();
            let n: i64 = typed.parse().map_err(|_| format!("“{}”应为整数", param_label(k)))?;
            out.insert(k.clone(), serde_json::Value::from(n));
        }
    }
    Ok(serde_json::Value::Object(out))
}

async fn submit(State(state): State<AppState>, ctx: Ctx, body: axum::body::Bytes) -> Result<Response> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest("表单格式错误".into()))?;
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
    let key = get("rule_key");
    let fail = |m: String| Errors(vec![xianfeng_core::FieldError::new("value", m)]);
    let set = state.store.rules().await?;
    let value = match value_from_form(&set, &key, &pairs) {
        Ok(v) => v,
        Err(m) => return view(&state, &ctx, fail(m), &key, "").await,
    };
    let Some(from) = xianfeng_core::member::parse_date(&get("effective_from")) else {
        return view(&state, &ctx, fail("请填写生效日期".into()), &key, "").await;
    };
    match store_rules::add_version(&state.store, ctx.actor()?, &ctx.who(), &key, from, &value, &get("source")).await {
        Ok(()) => Ok(Redirect::to("/rules?ok=rule").into_response()),
        Err(xianfeng_store::StoreError::Invalid(e)) => view(&state, &ctx, Errors(e), &key, "").await,
        Err(e) => Err(e.into()),
    }
}

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(p): axum::extract::Query<crate::form::Paging>,
) -> Result<Json<serde_json::Value>> {
    let keys = visible_keys(ctx.actor()?.role);
    if keys.is_empty() {
        return Err(AppError::Forbidden);
    }
    let set = state.store.reload_rules().await?;
    let items: Vec<&RuleRow> = set.rows().iter().filter(|r| keys.contains(&r.key.as_str())).collect();
    Ok(Json(serde_json::to_value(crate::form::page_of(items, &p)?).map_err(|e| AppError::Internal(e.to_string()))?))
}

#[derive(Deserialize)]
struct AddJson {
    key: String,
    effective_from: chrono::NaiveDate,
    value: serde_json::Value,
    #[serde(default)]
    source: String,
}

async fn api_add(State(state): State<AppState>, ctx: Ctx, Json(f): Json<AddJson>) -> Result<Response> {
    store_rules::add_version(&state.store, ctx.actor()?, &ctx.who(), &f.key, f.effective_from, &f.value, &f.source)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(serde_json::json!({ "ok": true }))).into_response())
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "rules",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::System, 10, "业务规则", "/rules", Audience::Roles(&[Role::CommitteeAdmin])),
            MenuEntry::new(Section::Security, 30, "安全策略", "/rules", Audience::Roles(&[Role::SecurityAdmin])),
        ],
        operations: &[
            (
                "get",
                "/rules",
                "rules",
                "规则版本（工委管理员：组织规则；安全管理员：安全策略）",
                "",
                200,
                "Page<RuleRow>",
            ),
            ("post", "/rules", "rules", "新增规则版本（带生效日期）", "RuleVersion", 201, "Ok"),
        ],
    }
};
