//! Party dues pages and API: the dues rule (brackets as versioned data), each
//! member's dues setting, the monthly roster, and the member's own dues.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_core::dues::{Bracket, DuesRules, Fen, MemberType, rate_text};
use xianfeng_core::rules::Rule;
use xianfeng_core::text::today_cn;
use xianfeng_store::StoreError;
use xianfeng_store::dues::{self as store_dues, BaseInput, BaseRow, Roster};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::Errors;
use crate::layout::{Layout, Pager, flash_text, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dues", get(roster_page))
        .route("/dues/members/{id}", get(member_page).post(member_submit))
        .route("/me/dues", get(my_page))
        .route("/rules/dues", get(rules_page).post(rules_submit))
        .route("/dues/cycles", get(cycles_page))
        .route("/dues/cycles.xlsx", get(cycles_xlsx))
        .route("/dues/cycles/open", axum::routing::post(open_submit))
        .route("/dues/cycles/settle", axum::routing::post(settle_submit))
        .route("/dues/charges/{member_id}/{month}", axum::routing::post(pay_submit))
        .route("/dues/arrears", get(arrears_page))
        .route("/dues/summary", get(summary_page))
        .route("/dues/deductions", get(items_page).post(items_submit))
        .route("/month", get(month_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/dues/roster", get(api_roster))
        .route("/members/{id}/dues-bases", get(api_bases).post(api_set_base))
        .route("/me/dues", get(api_mine))
        .route("/dues/cycles", get(api_cycles).post(api_open))
        .route("/dues/cycles/settle", axum::routing::post(api_settle))
        .route("/dues/cycles.xlsx", get(cycles_xlsx))
        .route("/dues/charges", get(api_charges))
        .route("/dues/charges/{member_id}/{month}/payment", axum::routing::post(api_pay))
        .route("/dues/arrears", get(api_arrears))
        .route("/dues/summary", get(api_summary))
}

fn this_month() -> chrono::NaiveDate {
    let t = today_cn();
    chrono::NaiveDate::from_ymd_opt(t.year(), t.month(), 1).expect("valid")
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RosterQ {
    org_id: String,
    month: String,
    missing: String,
    page: String,
    per_page: String,
    ok: String,
}

impl RosterQ {
    fn month(&self) -> Result<chrono::NaiveDate> {
        if self.month.trim().is_empty() {
            return Ok(this_month());
        }
        store_dues::parse_month(&self.month).ok_or_else(|| AppError::BadRequest("月份请按 2025-07 的格式填写".into()))
    }
    fn org(&self) -> Result<Option<i64>> {
        match self.org_id.trim() {
            "" => Ok(None),
            s => s.parse().map(Some).map_err(|_| AppError::BadRequest("org_id应为数字".into())),
        }
    }
}

#[derive(Template)]
#[template(path = "dues_roster.html")]
struct RosterPage {
    l: Layout,
    r: Roster,
    q: RosterQ,
    month: String,
    offset: usize,
    pager: Pager,
    can_write: bool,
    rule_text: String,
}

fn rule_summary(r: &DuesRules) -> String {
    let brackets = |b: &[Bracket]| {
        b.iter()
            .map(|x| match x.up_to {
                Some(u) => format!("{}及以下{}", u, rate_text(x.rate_bp)),
                None => format!("以上{}", rate_text(x.rate_bp)),
            })
            .collect::<Vec<_>>()
            .join("，")
    };
    format!(
        "在职：{}；离退休：{}；学生、下岗失业、低保：每月{}、{}、{}；农民：每月{}至{}",
        brackets(&r.salaried),
        brackets(&r.retired),
        r.student,
        r.laid_off,
        r.relief,
        r.farmer_min,
        r.farmer_max
    )
}

async fn roster_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RosterQ>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let month = q.month()?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 200)?;
    let r = store_dues::roster(&state.store, &scope, q.org()?, month, q.missing == "1", page, per_page).await?;
    let rules: DuesRules = state.store.rules().await?.get::<DuesRules>(month);
    let base = serde_urlencoded::to_string([
        ("org_id", q.org_id.as_str()),
        ("month", &month.format("%Y-%m").to_string()),
        ("missing", q.missing.as_str()),
    ])
    .unwrap_or_default();
    render(&RosterPage {
        l: Layout::new(&ctx, "党费基数与应缴", "/dues")
            .crumb("党费管理", "/dues")
            .crumb("党费基数与应缴", "")
            .flash(flash_text(&q.ok)),
        month: month.format("%Y-%m").to_string(),
        offset: ((page - 1) * per_page) as usize,
        pager: Pager::new(page, per_page, r.total, base),
        can_write: scope.can_write(),
        rule_text: rule_summary(&rules),
        r,
        q,
    })
}

#[derive(Template)]
#[template(path = "dues_member.html")]
struct MemberPage {
    l: Layout,
    items: Vec<(String, String)>,
    member_id: i64,
    name: String,
    org_name: String,
    history: Vec<(BaseRow, String)>,
    form: BaseInput,
    types: Vec<(&'static str, &'static str, bool)>,
    errors: Errors,
    can_write: bool,
}

async fn member_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: Option<BaseInput>,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.member_scope(state).await?;
    let m = xianfeng_store::member::get(&state.store, &scope, id).await?;
    let bases = store_dues::bases_of(&state.store, &scope, id).await?;
    let set = state.store.rules().await?;
    let history = bases.into_iter().map(|b| explained(&set, b)).collect::<Vec<_>>();
    let form = form.unwrap_or_else(|| match history.first() {
        Some((b, _)) => BaseInput {
            member_type: b.member_type.clone(),
            base: Fen(b.base_fen).plain(),
            fixed: Fen(b.fixed_fen).plain(),
            effective_month: this_month().format("%Y-%m").to_string(),
            note: String::new(),
            gross: if b.gross_fen > 0 { Fen(b.gross_fen).plain() } else { String::new() },
            deductions: b
                .deductions
                .split(';')
                .filter_map(|p| p.split_once(':'))
                .map(|(n, a)| (n.to_string(), a.to_string()))
                .collect(),
        },
        None => BaseInput { effective_month: this_month().format("%Y-%m").to_string(), ..Default::default() },
    });
    let types = MemberType::ALL.iter().map(|t| (t.as_str(), t.label(), form.member_type == t.as_str())).collect();
    let items = store_dues::items_of(&state.store, m.committee_id)
        .await?
        .into_iter()
        .map(|i| {
            let v = form.deductions.get(&i.name).cloned().unwrap_or_default();
            (i.name, v)
        })
        .collect();
    render(&MemberPage {
        l: Layout::new(ctx, format!("党费基数 — {}", m.name), "/dues")
            .crumb("党费管理", "/dues")
            .crumb(m.name.clone(), format!("/members/{id}"))
            .crumb("党费基数", ""),
        items,
        member_id: id,
        name: m.name,
        org_name: m.org_name,
        history,
        form,
        types,
        errors,
        can_write: scope.can_write(),
    })
}

async fn member_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    member_view(&state, &ctx, id, None, Errors::default()).await
}

/// The settings form: fixed fields, and `d:<item>` for each deduction item.
fn base_input(pairs: &[(String, String)]) -> BaseInput {
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
    BaseInput {
        member_type: get("member_type"),
        base: get("base"),
        fixed: get("fixed"),
        effective_month: get("effective_month"),
        note: get("note"),
        gross: get("gross"),
        deductions: pairs
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("d:").map(|n| (n.to_string(), v.clone())))
            .collect(),
    }
}

async fn member_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let f = base_input(&pairs);
    let scope = ctx.member_scope(&state).await?;
    match store_dues::set_base(&state.store, &scope, &ctx.who(), id, &f).await {
        Ok(_) => Ok(Redirect::to(&format!("/dues/members/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errs)) => member_view(&state, &ctx, id, Some(f), Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "dues_me.html")]
struct MyPage {
    l: Layout,
    current: Option<(BaseRow, String)>,
    history: Vec<(BaseRow, String)>,
    charges: Vec<store_dues::ChargeRow>,
    unpaid: usize,
}

async fn my_history(state: &AppState, ctx: &Ctx) -> Result<Vec<(BaseRow, String)>> {
    let actor = ctx.actor()?;
    let id = actor.member_id.ok_or(AppError::Forbidden)?;
    let scope = ctx.member_scope(state).await?;
    let set = state.store.rules().await?;
    Ok(store_dues::bases_of(&state.store, &scope, id).await?.into_iter().map(|b| explained(&set, b)).collect())
}

async fn my_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let history = my_history(&state, &ctx).await?;
    let now = this_month();
    let current = history.iter().find(|(b, _)| b.effective_from <= now).cloned();
    let id = ctx.actor()?.member_id.ok_or(AppError::Forbidden)?;
    let scope = ctx.member_scope(&state).await?;
    let charges = store_dues::my_charges(&state.store, &scope, id).await?;
    let unpaid = charges.iter().filter(|c| !c.paid()).count();
    render(&MyPage {
        l: Layout::new(&ctx, "我的党费", "/me/dues").crumb("我的党费", ""),
        current,
        history,
        charges,
        unpaid,
    })
}

/// A setting with how its due is computed under the rule in force from its month.
fn explained(set: &xianfeng_core::rules::RuleSet, b: BaseRow) -> (BaseRow, String) {
    let rules: DuesRules = set.get::<DuesRules>(b.effective_from);
    let due = xianfeng_core::dues::monthly_due(&rules, &b.base()).map(|d| d.explanation).unwrap_or_else(|e| e);
    (b, due)
}

// ----- the rule -----

#[derive(Template)]
#[template(path = "dues_rules.html")]
struct RulesPage {
    l: Layout,
    versions: Vec<(String, String, String, bool)>,
    salaried: Vec<(usize, String, String)>,
    retired: Vec<(usize, String, String)>,
    r: DuesRules,
    effective_from: String,
    errors: Vec<String>,
    editable: bool,
}

fn bracket_rows(b: &[Bracket], n: usize) -> Vec<(usize, String, String)> {
    (0..n)
        .map(|i| match b.get(i) {
            Some(x) => (
                i,
                x.up_to.map(|u| u.plain()).unwrap_or_default(),
                rate_text(x.rate_bp).trim_end_matches('%').to_string(),
            ),
            None => (i, String::new(), String::new()),
        })
        .collect()
}

async fn rules_view(state: &AppState, ctx: &Ctx, errors: Vec<String>, flash: &str) -> Result<Response> {
    let actor = ctx.actor()?;
    if actor.role != xianfeng_core::auth::Role::CommitteeAdmin {
        return Err(AppError::Forbidden);
    }
    let set = state.store.reload_rules().await?;
    let today = today_cn();
    let rows: Vec<&xianfeng_core::rules::RuleRow> = set.rows().iter().filter(|r| r.key == DuesRules::KEY).collect();
    let current = rows.iter().rfind(|r| r.effective_from <= today).map(|r| r.effective_from);
    let versions = rows
        .iter()
        .rev()
        .map(|r| {
            let v: DuesRules = serde_json::from_value(r.value.clone()).unwrap_or_default();
            (r.effective_from.to_string(), rule_summary(&v), r.source.clone(), Some(r.effective_from) == current)
        })
        .collect();
    let latest: DuesRules = rows.last().and_then(|r| serde_json::from_value(r.value.clone()).ok()).unwrap_or_default();
    let next = {
        let m = this_month();
        let (y, mo) = if m.month() == 12 { (m.year() + 1, 1) } else { (m.year(), m.month() + 1) };
        chrono::NaiveDate::from_ymd_opt(y, mo, 1).expect("valid").to_string()
    };
    render(&RulesPage {
        l: Layout::new(ctx, "党费收缴标准", "/rules")
            .crumb("业务规则", "/rules")
            .crumb("党费收缴标准", "")
            .flash(flash),
        versions,
        salaried: bracket_rows(&latest.salaried, 6),
        retired: bracket_rows(&latest.retired, 4),
        r: latest,
        effective_from: next,
        errors,
        editable: xianfeng_store::rules::may_change(actor, DuesRules::KEY),
    })
}

async fn rules_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RosterQ>) -> Result<Response> {
    rules_view(&state, &ctx, Vec::new(), flash_text(&q.ok)).await
}

/// Percent as typed ("1.5") to basis points (150), at most two decimals.
fn percent_bp(s: &str) -> Option<i64> {
    let f = Fen::parse(s)?; // same grammar: digits with up to two decimals
    Some(f.0)
}

fn brackets_from(pairs: &[(String, String)], prefix: &str, label: &str, errors: &mut Vec<String>) -> Vec<Bracket> {
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let mut out = Vec::new();
    for i in 0..8 {
        let (up, rate) = (get(&format!("{prefix}_up_{i}")), get(&format!("{prefix}_rate_{i}")));
        if up.is_empty() && rate.is_empty() {
            continue;
        }
        let Some(rate_bp) = percent_bp(&rate) else {
            errors.push(format!("{label}第{}档：比例请填写百分数，如 1.5", i + 1));
            continue;
        };
        let up_to = if up.is_empty() {
            None
        } else {
            match Fen::parse(&up) {
                Some(f) => Some(f),
                None => {
                    errors.push(format!("{label}第{}档：上限请填写金额（元）", i + 1));
                    continue;
                }
            }
        };
        out.push(Bracket { up_to, rate_bp });
    }
    out
}

async fn rules_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let mut errors = Vec::new();
    let salaried = brackets_from(&pairs, "s", "在职党员", &mut errors);
    let retired = brackets_from(&pairs, "r", "离退休党员", &mut errors);
    let money = |n: &str, label: &str, errors: &mut Vec<String>| {
        Fen::parse(&get(n)).unwrap_or_else(|| {
            errors.push(format!("{label}请填写金额（元）"));
            Fen(0)
        })
    };
    let months = |n: &str, label: &str, errors: &mut Vec<String>| {
        get(n).parse::<i64>().unwrap_or_else(|_| {
            errors.push(format!("{label}请填写整数"));
            0
        })
    };
    let value = DuesRules {
        salaried,
        retired,
        student: money("student", "学生党员党费", &mut errors),
        laid_off: money("laid_off", "下岗失业党员党费", &mut errors),
        relief: money("relief", "低保党员党费", &mut errors),
        farmer_min: money("farmer_min", "农民党员党费下限", &mut errors),
        farmer_max: money("farmer_max", "农民党员党费上限", &mut errors),
        back_pay_months: months("back_pay_months", "补交月数", &mut errors),
        warn_unpaid_months: months("warn_unpaid_months", "未缴提醒月数", &mut errors),
        lapse_unpaid_months: months("lapse_unpaid_months", "连续未缴标记月数", &mut errors),
    };
    let from = xianfeng_core::member::parse_date(&get("effective_from"));
    if from.is_none() {
        errors.push("请按 2025-07-01 的格式填写生效日期".into());
    }
    if !errors.is_empty() {
        return rules_view(&state, &ctx, errors, "").await;
    }
    let json = serde_json::to_value(&value).map_err(|e| AppError::Internal(e.to_string()))?;
    match xianfeng_store::rules::add_version(
        &state.store,
        ctx.actor()?,
        &ctx.who(),
        DuesRules::KEY,
        from.expect("checked"),
        &json,
        &get("source"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/rules/dues?ok=rule").into_response()),
        Err(StoreError::Invalid(e)) => rules_view(&state, &ctx, e.into_iter().map(|e| e.message).collect(), "").await,
        Err(e) => Err(e.into()),
    }
}

// ----- API -----

async fn api_roster(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RosterQ>) -> Result<Json<Roster>> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 200)?;
    Ok(Json(store_dues::roster(&state.store, &scope, q.org()?, q.month()?, q.missing == "1", page, per_page).await?))
}

async fn api_bases(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let items = store_dues::bases_of(&state.store, &scope, id).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

async fn api_set_base(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<BaseInput>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let row = store_dues::set_base(&state.store, &scope, &ctx.who(), id, &b).await?;
    Ok((axum::http::StatusCode::CREATED, Json(row)).into_response())
}

async fn api_mine(State(state): State<AppState>, ctx: Ctx) -> Result<Json<serde_json::Value>> {
    let history = my_history(&state, &ctx).await?;
    let items: Vec<serde_json::Value> =
        history.into_iter().map(|(b, due)| serde_json::json!({ "setting": b, "due": due })).collect();
    let id = ctx.actor()?.member_id.ok_or(AppError::Forbidden)?;
    let scope = ctx.member_scope(&state).await?;
    let charges = store_dues::my_charges(&state.store, &scope, id).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items, "charges": charges })))
}

#[derive(Template)]
#[template(path = "dues_summary.html")]
struct SummaryPage {
    l: Layout,
    month: String,
    total: store_dues::SummaryRow,
    rows: Vec<store_dues::SummaryRow>,
    org_id: i64,
}

fn summary_args(ctx: &Ctx, q: &CycleQ) -> Result<(i64, chrono::NaiveDate)> {
    let month = q.month()?;
    let org_id = match q.org()? {
        Some(id) => id,
        None => ctx.actor()?.org.as_ref().map(|o| o.id).ok_or(AppError::Forbidden)?,
    };
    Ok((org_id, month))
}

async fn summary_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CycleQ>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let (org_id, month) = summary_args(&ctx, &q)?;
    let (total, rows) = store_dues::summary(&state.store, &scope, org_id, month).await?;
    render(&SummaryPage {
        l: Layout::new(&ctx, format!("党费收缴汇总 — {}", total.name), "/dues/summary")
            .crumb("党费管理", "/dues")
            .crumb("收缴汇总", ""),
        month: month.format("%Y-%m").to_string(),
        total,
        rows,
        org_id,
    })
}

async fn api_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CycleQ>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let (org_id, month) = summary_args(&ctx, &q)?;
    let (total, rows) = store_dues::summary(&state.store, &scope, org_id, month).await?;
    Ok(Json(serde_json::json!({ "total": total, "items": rows })))
}

// ----- monthly cycles, payments, arrears -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CycleQ {
    month: String,
    org_id: String,
    ok: String,
}

impl CycleQ {
    fn month(&self) -> Result<chrono::NaiveDate> {
        RosterQ { month: self.month.clone(), ..Default::default() }.month()
    }
    fn org(&self) -> Result<Option<i64>> {
        RosterQ { org_id: self.org_id.clone(), ..Default::default() }.org()
    }
}

#[derive(Template)]
#[template(path = "dues_cycles.html")]
struct CyclesPage {
    l: Layout,
    month: String,
    cycles: Vec<store_dues::CycleRow>,
    charges: Vec<store_dues::ChargeRow>,
    methods: Vec<(&'static str, &'static str)>,
    today: String,
    can_write: bool,
    can_run: bool,
    errors: Errors,
    error_member: i64,
    query: String,
}

fn dues_flash(code: &str) -> &'static str {
    match code {
        "opened" => "已开启本月党费收缴",
        "settled" => "已结算",
        "paid" => "缴费已登记",
        other => flash_text(other),
    }
}

async fn cycles_view(state: &AppState, ctx: &Ctx, q: &CycleQ, errors: Errors, error_member: i64) -> Result<Response> {
    let scope = ctx.member_scope(state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let month = q.month()?;
    let cycles = store_dues::cycles(&state.store, &scope, month).await?;
    let charges = store_dues::charges(&state.store, &scope, q.org()?, month).await?;
    render(&CyclesPage {
        l: Layout::new(ctx, "党费收缴", "/dues/cycles")
            .crumb("党费管理", "/dues")
            .crumb("党费收缴", "")
            .flash(dues_flash(&q.ok)),
        month: month.format("%Y-%m").to_string(),
        cycles,
        charges,
        methods: xianfeng_core::dues::PAYMENT_METHODS.to_vec(),
        today: today_cn().to_string(),
        can_write: scope.can_write(),
        can_run: store_dues::may_run_cycles(&scope),
        errors,
        error_member,
        query: serde_urlencoded::to_string([
            ("month", month.format("%Y-%m").to_string()),
            ("org_id", q.org_id.clone()),
        ])
        .unwrap_or_default(),
    })
}

async fn cycles_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CycleQ>) -> Result<Response> {
    cycles_view(&state, &ctx, &q, Errors::default(), 0).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MonthForm {
    month: String,
}

async fn open_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<MonthForm>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month.clone(), ..Default::default() }.month()?;
    store_dues::open_cycle(&state.store, &scope, &ctx.who(), month).await?;
    Ok(Redirect::to(&format!("/dues/cycles?month={}&ok=opened", month.format("%Y-%m"))).into_response())
}

async fn settle_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<MonthForm>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month.clone(), ..Default::default() }.month()?;
    store_dues::settle(&state.store, &scope, &ctx.who(), month).await?;
    Ok(Redirect::to(&format!("/dues/cycles?month={}&ok=settled", month.format("%Y-%m"))).into_response())
}

async fn pay_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((member_id, month)): Path<(i64, String)>,
    Form(f): Form<store_dues::PaymentInput>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let m =
        store_dues::parse_month(&month).ok_or_else(|| AppError::BadRequest("月份请按 2025-07 的格式填写".into()))?;
    let q = CycleQ { month: m.format("%Y-%m").to_string(), ..Default::default() };
    match store_dues::record_payment(&state.store, &scope, &ctx.who(), member_id, m, &f).await {
        Ok(_) => Ok(Redirect::to(&format!("/dues/cycles?month={}&ok=paid", m.format("%Y-%m"))).into_response()),
        Err(StoreError::Invalid(errs)) => cycles_view(&state, &ctx, &q, Errors(errs), member_id).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "dues_arrears.html")]
struct ArrearsPage {
    l: Layout,
    /// This page's lines.
    lines: Vec<store_dues::ArrearLine>,
    offset: usize,
    /// Members in arrears in scope, and of them those flagged.
    members: usize,
    flagged: usize,
    q: ArrearsQ,
    pager: Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ArrearsQ {
    org_id: String,
    /// "1": only the members flagged for a reminder or a lapse.
    flagged: String,
    page: String,
    per_page: String,
}

/// Members in arrears, longest run of unpaid months first, a page at a time
/// (a province has tens of thousands).
async fn arrears_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ArrearsQ>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let org = RosterQ { org_id: q.org_id.clone(), ..Default::default() }.org()?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 100, 500)?;
    let mut lines = store_dues::arrears(&state.store, &scope, org).await?;
    let members = lines.len();
    let flagged = lines.iter().filter(|l| !l.flag.is_empty()).count();
    if q.flagged == "1" {
        lines.retain(|l| !l.flag.is_empty());
    }
    let total = lines.len() as i64;
    let offset = ((page - 1) * per_page) as usize;
    let lines = lines.into_iter().skip(offset).take(per_page as usize).collect();
    let base = serde_urlencoded::to_string([
        ("org_id", q.org_id.as_str()),
        ("flagged", q.flagged.as_str()),
        ("per_page", &per_page.to_string()),
    ])
    .unwrap_or_default();
    render(&ArrearsPage {
        l: Layout::new(&ctx, "欠缴党费", "/dues/arrears").crumb("党费管理", "/dues").crumb("欠缴党费", ""),
        lines,
        offset,
        members,
        flagged,
        pager: Pager::new(page, per_page, total, base),
        q,
    })
}

/// The month's charges for finance: title, scope, month and date rows, then one row per member.
async fn cycles_xlsx(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CycleQ>) -> Result<Response> {
    use rust_xlsxwriter::Workbook;
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let month = q.month()?;
    let charges = store_dues::charges(&state.store, &scope, q.org()?, month).await?;
    let scope_name = ctx.actor()?.org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let build = || -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        const COLUMNS: [(&str, f64); 9] = [
            ("序号", 6.0),
            ("姓名", 12.0),
            ("党支部", 24.0),
            ("月份", 9.0),
            ("应缴", 10.0),
            ("实缴", 10.0),
            ("缴费日期", 11.0),
            ("方式", 9.0),
            ("备注", 20.0),
        ];
        let f = crate::xlsx::TableFormats::default();
        let (cell, money) = (&f.cell, &f.num.clone().set_num_format("#,##0.00"));
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("党费收缴")?;
        let paid: i64 = charges.iter().filter_map(|c| c.paid_fen).sum();
        let due: i64 = charges.iter().map(|c| c.due_fen).sum();
        let info =
            [format!("数据日期：{}　应缴合计：{}　实缴合计：{}（金额单位：元）", today_cn(), Fen(due), Fen(paid))];
        let title = format!("{}党费收缴明细 — {scope_name}", month.format("%Y年%m月"));
        let header = crate::xlsx::table_top(ws, &f, &title, &info, &COLUMNS)?;
        for (i, c) in charges.iter().enumerate() {
            let r = header + 1 + i as u32;
            ws.write_number_with_format(r, 0, (i + 1) as f64, cell)?;
            ws.write_string_with_format(r, 1, &c.name, cell)?;
            ws.write_string_with_format(r, 2, &c.org_name, cell)?;
            ws.write_string_with_format(r, 3, c.month.format("%Y-%m").to_string(), cell)?;
            // Fen to yuan for the spreadsheet: exact for any amount below 2^53 fen.
            ws.write_number_with_format(r, 4, c.due_fen as f64 / 100.0, money)?;
            match c.paid_fen {
                Some(p) => ws.write_number_with_format(r, 5, p as f64 / 100.0, money)?,
                None => ws.write_string_with_format(r, 5, "", cell)?,
            };
            ws.write_string_with_format(r, 6, c.paid_on.map(|d| d.to_string()).unwrap_or_default(), cell)?;
            ws.write_string_with_format(r, 7, c.method_label(), cell)?;
            ws.write_string_with_format(r, 8, &c.note, cell)?;
        }
        crate::xlsx::table_print(ws, header, charges.len(), (COLUMNS.len() - 1) as u16, 2)?;
        wb.save_to_buffer()
    };
    let bytes = build().map_err(|e| AppError::Internal(e.to_string()))?;
    let name = crate::xlsx::safe_file_name(&format!("党费收缴_{}_{}.xlsx", scope_name, month.format("%Y%m")));
    crate::layout::download(&state, &ctx, "dues_finance", month.format("%Y-%m"), &name, crate::layout::XLSX, bytes)
        .await
}

async fn api_cycles(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CycleQ>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let items = store_dues::cycles(&state.store, &scope, q.month()?).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

async fn api_open(State(state): State<AppState>, ctx: Ctx, Json(f): Json<MonthForm>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month, ..Default::default() }.month()?;
    let r = store_dues::open_cycle(&state.store, &scope, &ctx.who(), month).await?;
    Ok((axum::http::StatusCode::CREATED, Json(r)).into_response())
}

async fn api_settle(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<MonthForm>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month, ..Default::default() }.month()?;
    let n = store_dues::settle(&state.store, &scope, &ctx.who(), month).await?;
    Ok(Json(serde_json::json!({ "settled": n })))
}

async fn api_charges(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CycleQ>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let items = store_dues::charges(&state.store, &scope, q.org()?, q.month()?).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

async fn api_pay(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((member_id, month)): Path<(i64, String)>,
    Json(f): Json<store_dues::PaymentInput>,
) -> Result<Json<store_dues::ChargeRow>> {
    let scope = ctx.member_scope(&state).await?;
    let m =
        store_dues::parse_month(&month).ok_or_else(|| AppError::BadRequest("月份请按 2025-07 的格式填写".into()))?;
    Ok(Json(store_dues::record_payment(&state.store, &scope, &ctx.who(), member_id, m, &f).await?))
}

async fn api_arrears(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CycleQ>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let items = store_dues::arrears(&state.store, &scope, q.org()?).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

// ----- deduction items per unit -----

#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemsQ {
    unit_id: String,
    ok: String,
}

#[derive(Template)]
#[template(path = "dues_deductions.html")]
struct ItemsPage {
    l: Layout,
    unit_id: i64,
    unit_name: String,
    units: Vec<(i64, String)>,
    text: String,
    configured: bool,
    errors: Errors,
}

async fn items_view(
    state: &AppState,
    ctx: &Ctx,
    unit_id: Option<i64>,
    text: Option<String>,
    errors: Errors,
    flash: &str,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let units: Vec<(i64, String)> = xianfeng_store::org::search(
        &state.store,
        &scope,
        &xianfeng_store::org::OrgFilter { kind: "unit".into(), ..Default::default() },
        1,
        500,
    )
    .await?
    .items
    .into_iter()
    .map(|o| (o.id, o.name))
    .collect();
    let own = ctx.actor()?.org.as_ref().map(|o| o.committee_id);
    let unit_id = unit_id.or(own.filter(|c| units.iter().any(|u| u.0 == *c))).or(units.first().map(|u| u.0));
    let Some(unit_id) = unit_id else { return Err(AppError::Forbidden) };
    let (unit, rows) = store_dues::all_items(&state.store, &scope, unit_id).await?;
    let active = store_dues::items_of(&state.store, unit.committee_id).await?;
    render(&ItemsPage {
        l: Layout::new(ctx, format!("党费扣除项目 — {}", unit.name), "/dues/deductions")
            .crumb("党费管理", "/dues")
            .crumb("扣除项目", "")
            .flash(flash),
        unit_id: unit.id,
        unit_name: unit.name,
        units,
        text: text.unwrap_or_else(|| active.iter().map(|i| i.name.clone()).collect::<Vec<_>>().join("\n")),
        configured: !rows.is_empty(),
        errors,
    })
}

async fn items_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ItemsQ>) -> Result<Response> {
    items_view(&state, &ctx, q.unit_id.trim().parse().ok(), None, Errors::default(), flash_text(&q.ok)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemsForm {
    unit_id: String,
    items: String,
}

async fn items_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<ItemsForm>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let unit_id: i64 = f.unit_id.trim().parse().map_err(|_| AppError::BadRequest("unit_id应为数字".into()))?;
    let names: Vec<String> = f.items.lines().map(|l| l.trim().to_string()).collect();
    match store_dues::set_items(&state.store, &scope, &ctx.who(), unit_id, &names).await {
        Ok(_) => Ok(Redirect::to(&format!("/dues/deductions?unit_id={unit_id}&ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => items_view(&state, &ctx, Some(unit_id), Some(f.items), Errors(e), "").await,
        Err(e) => Err(e.into()),
    }
}

// ----- the secretary's month on one page -----

struct Probation {
    member_id: i64,
    name: String,
    org_name: String,
    admitted: String,
    ends: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "month.html")]
struct MonthPage {
    l: Layout,
    month: String,
    cycle_open: bool,
    unpaid: Vec<store_dues::ChargeRow>,
    flagged: Vec<store_dues::ArrearLine>,
    probations: Vec<Probation>,
    meetings: Vec<(String, xianfeng_core::compliance::DueItem)>,
    elections: Vec<xianfeng_store::org::OrgRow>,
    recruitment: Vec<xianfeng_store::recruitment::CaseRow>,
    ready: Vec<xianfeng_store::recruitment::CaseRow>,
    transfers: Vec<xianfeng_store::transfer::TransferView>,
    today: chrono::NaiveDate,
}

async fn month_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let actor = ctx.actor()?.clone();
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let org_scope = ctx.org_scope()?;
    let month = this_month();
    let today = today_cn();
    let charges = store_dues::charges(&state.store, &scope, None, month).await?;
    let cycle_open = !charges.is_empty();
    let unpaid: Vec<_> = charges.into_iter().filter(|c| !c.paid()).collect();
    let flagged: Vec<_> =
        store_dues::arrears(&state.store, &scope, None).await?.into_iter().filter(|a| !a.flag.is_empty()).collect();
    let rules: xianfeng_core::recruitment::RecruitmentRules = state.store.rule().await?;
    let filter = xianfeng_store::member::MemberFilter { status: "probationary".into(), ..Default::default() };
    let probationary = xianfeng_store::member::list(&state.store, &scope, &filter, 1, 200).await?;
    let mut probations: Vec<Probation> = probationary
        .items
        .into_iter()
        .filter_map(|m| {
            let admitted = m.join_date?;
            let ends = rules.probation_end(admitted);
            ((ends - today).num_days() <= rules.warn_days).then(|| Probation {
                member_id: m.id,
                name: m.name.clone(),
                org_name: m.org_name.clone(),
                admitted: admitted.to_string(),
                ends: ends.to_string(),
                overdue: ends < today,
            })
        })
        .collect();
    probations.sort_by(|a, b| a.ends.cmp(&b.ends));
    let meetings = match actor.org.as_ref() {
        Some(o) if actor.role == xianfeng_core::auth::Role::BranchSecretary => {
            xianfeng_store::compliance::due(&state.store, &org_scope, o.id).await?
        }
        _ => Vec::new(),
    };
    let elections = xianfeng_store::org::elections_due(&state.store, &org_scope, 20).await?;
    use xianfeng_store::recruitment::{self as rec, CaseFilter};
    let mut recruitment =
        rec::cases(&state.store, &scope, &CaseFilter { overdue: true, ..Default::default() }, 30).await?;
    recruitment
        .extend(rec::cases(&state.store, &scope, &CaseFilter { due_soon: true, ..Default::default() }, 30).await?);
    let ready = rec::cases(&state.store, &scope, &CaseFilter { ready: true, ..Default::default() }, 30).await?;
    let transfers = xianfeng_store::transfer::list(
        &state.store,
        &org_scope,
        &xianfeng_store::transfer::TransferFilter { mine: true, ..Default::default() },
        50,
    )
    .await?;
    render(&MonthPage {
        l: Layout::new(&ctx, format!("本月工作 — {}", month.format("%Y年%m月")), "/month").crumb("本月工作", ""),
        month: month.format("%Y-%m").to_string(),
        cycle_open,
        unpaid,
        flagged,
        probations,
        meetings,
        elections,
        recruitment,
        ready,
        transfers,
        today,
    })
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "dues",
        pages,
        api,
        menu: &[
            MenuEntry::new(
                Section::Desk,
                20,
                "本月工作",
                "/month",
                Audience::Roles(&[Role::UnitAdmin, Role::BranchSecretary]),
            ),
            MenuEntry::new(Section::Dues, 10, "党费基数与应缴", "/dues", STAFF),
            MenuEntry::new(Section::Dues, 20, "党费收缴", "/dues/cycles", STAFF),
            MenuEntry::new(Section::Dues, 30, "欠缴党费", "/dues/arrears", STAFF),
            MenuEntry::new(Section::Dues, 40, "收缴汇总", "/dues/summary", STAFF),
            MenuEntry::new(Section::Dues, 50, "扣除项目", "/dues/deductions", STAFF),
            MenuEntry::new(Section::Mine, 30, "我的党费", "/me/dues", MEMBER),
        ],
        operations: &[
            (
                "get",
                "/dues/roster",
                "dues",
                "党费应缴名单（org_id、month=2025-07、missing=1；金额以分为单位）",
                "",
                200,
            ),
            ("get", "/members/{id}/dues-bases", "dues", "党员党费基数的历次设置", "", 200),
            ("post", "/members/{id}/dues-bases", "dues", "设置党费基数（类别、基数、起始月份）", "DuesBase", 201),
            ("get", "/me/dues", "dues", "我的党费基数与应缴（党员本人）", "", 200),
            ("get", "/dues/cycles", "dues", "某月各单位党费收缴情况（month）", "", 200),
            ("post", "/dues/cycles", "dues", "开启某月党费收缴（范围内各单位；重复开启无影响）", "Month", 201),
            ("post", "/dues/cycles/settle", "dues", "结算某月", "Month", 200),
            ("get", "/dues/cycles.xlsx", "dues", "某月党费收缴明细 .xlsx（财务）", "", 200),
            ("get", "/dues/charges", "dues", "某月每名党员的应缴与缴费（month、org_id）", "", 200),
            (
                "post",
                "/dues/charges/{member_id}/{month}/payment",
                "dues",
                "登记缴费（金额、日期、方式；超过规定月数的补交须说明原因）",
                "Payment",
                200,
            ),
            ("get", "/dues/arrears", "dues", "欠缴党费与连续未缴标记", "", 200),
            ("get", "/dues/summary", "dues", "某月党费收缴汇总，按下级组织（org_id、month）", "", 200),
        ],
    }
};
