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

mod api;
mod correct;
mod cycles;
mod deductions;
mod month;
mod rule;

pub(crate) use self::api::*;
pub(crate) use self::correct::*;
pub(crate) use self::cycles::*;
pub(crate) use self::deductions::*;
pub(crate) use self::month::*;
pub(crate) use self::rule::*;

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
        .route("/dues/cycles/payroll", axum::routing::post(payroll_submit))
        .route("/dues/charges/{member_id}/{month}", axum::routing::post(pay_submit))
        .route("/dues/charges/{member_id}/{month}/correct", get(correct_page).post(correct_submit))
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
        .route("/dues/cycles/payroll", axum::routing::post(api_payroll))
        .route("/dues/cycles.xlsx", get(cycles_xlsx))
        .route("/dues/charges", get(api_charges))
        .route("/dues/charges/{member_id}/{month}/payment", axum::routing::post(api_pay))
        .route("/dues/charges/{member_id}/{month}/correction", axum::routing::post(api_correct))
        .route("/dues/arrears", get(api_arrears))
        .route("/dues/summary", get(api_summary))
}

pub(crate) fn this_month() -> chrono::NaiveDate {
    let t = today_cn();
    chrono::NaiveDate::from_ymd_opt(t.year(), t.month(), 1).expect("valid")
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct RosterQ {
    pub(crate) org_id: String,
    pub(crate) month: String,
    pub(crate) missing: String,
    pub(crate) page: String,
    pub(crate) per_page: String,
    pub(crate) ok: String,
}

impl RosterQ {
    pub(crate) fn month(&self) -> Result<chrono::NaiveDate> {
        if self.month.trim().is_empty() {
            return Ok(this_month());
        }
        store_dues::parse_month(&self.month).ok_or_else(|| AppError::BadRequest("月份请按 2025-07 的格式填写".into()))
    }
    pub(crate) fn org(&self) -> Result<Option<i64>> {
        match self.org_id.trim() {
            "" => Ok(None),
            s => s.parse().map(Some).map_err(|_| AppError::BadRequest("org_id应为数字".into())),
        }
    }
}

#[derive(Template)]
#[template(path = "dues_roster.html")]
pub(crate) struct RosterPage {
    pub(crate) l: Layout,
    pub(crate) r: Roster,
    pub(crate) q: RosterQ,
    pub(crate) month: String,
    pub(crate) offset: usize,
    pub(crate) pager: Pager,
    pub(crate) can_write: bool,
    pub(crate) rule_text: String,
}

pub(crate) fn rule_summary(r: &DuesRules) -> String {
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

pub(crate) async fn roster_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RosterQ>) -> Result<Response> {
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
pub(crate) struct MemberPage {
    pub(crate) l: Layout,
    pub(crate) items: Vec<(String, String)>,
    pub(crate) member_id: i64,
    pub(crate) name: String,
    pub(crate) org_name: String,
    pub(crate) history: Vec<(BaseRow, String)>,
    pub(crate) form: BaseInput,
    pub(crate) types: Vec<(&'static str, &'static str, bool)>,
    pub(crate) errors: Errors,
    pub(crate) can_write: bool,
}

pub(crate) async fn member_view(
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
    let items = store_dues::items_of(&state.store, &scope, m.committee_id)
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

pub(crate) async fn member_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    member_view(&state, &ctx, id, None, Errors::default()).await
}

/// The settings form: fixed fields, and `d:<item>` for each deduction item.
pub(crate) fn base_input(pairs: &[(String, String)]) -> BaseInput {
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

pub(crate) async fn member_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let f = base_input(&pairs);
    let scope = ctx.member_scope(&state).await?;
    match store_dues::set_base(&state.store, &scope.writer()?, &ctx.who(), id, &f).await {
        Ok(_) => Ok(Redirect::to(&format!("/dues/members/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errs)) => member_view(&state, &ctx, id, Some(f), Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "dues_me.html")]
pub(crate) struct MyPage {
    pub(crate) l: Layout,
    pub(crate) current: Option<(BaseRow, String)>,
    pub(crate) history: Vec<(BaseRow, String)>,
    pub(crate) charges: Vec<store_dues::ChargeRow>,
    pub(crate) pager: Pager,
    pub(crate) unpaid: i64,
}

/// Months on a page of a member's own payments.
pub(crate) const MY_CHARGES_PER_PAGE: i64 = 24;

pub(crate) async fn my_history(state: &AppState, ctx: &Ctx) -> Result<Vec<(BaseRow, String)>> {
    let actor = ctx.actor()?;
    let id = actor.member_id.ok_or(AppError::Forbidden)?;
    let scope = ctx.member_scope(state).await?;
    let set = state.store.rules().await?;
    Ok(store_dues::bases_of(&state.store, &scope, id).await?.into_iter().map(|b| explained(&set, b)).collect())
}

pub(crate) async fn my_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<crate::form::Paging>,
) -> Result<Response> {
    let (page, per_page) = q.get(MY_CHARGES_PER_PAGE, MY_CHARGES_PER_PAGE)?;
    let history = my_history(&state, &ctx).await?;
    let now = this_month();
    let current = history.iter().find(|(b, _)| b.effective_from <= now).cloned();
    let id = ctx.actor()?.member_id.ok_or(AppError::Forbidden)?;
    let scope = ctx.member_scope(&state).await?;
    let mine = store_dues::my_charges(&state.store, &scope, id, page, per_page).await?;
    render(&MyPage {
        l: Layout::new(&ctx, "我的党费", "/me/dues").crumb("我的党费", ""),
        current,
        history,
        pager: Pager::new(page, per_page, mine.charges.total, String::new()),
        charges: mine.charges.items,
        unpaid: mine.unpaid,
    })
}

/// A setting with how its due is computed under the rule in force from its month.
pub(crate) fn explained(set: &xianfeng_core::rules::RuleSet, b: BaseRow) -> (BaseRow, String) {
    let rules: DuesRules = set.get::<DuesRules>(b.effective_from);
    let due = xianfeng_core::dues::monthly_due(&rules, &b.base()).map(|d| d.explanation).unwrap_or_else(|e| e);
    (b, due)
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
            MenuEntry::new(Section::Dues, 50, "扣除项目", "/dues/deductions", COMMITTEE_AND_UNITS),
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
                "DuesRoster",
            ),
            ("get", "/members/{id}/dues-bases", "dues", "党员党费基数的历次设置", "", 200, "Page<DuesBaseRow>"),
            (
                "post",
                "/members/{id}/dues-bases",
                "dues",
                "设置党费基数（类别、基数、起始月份）",
                "DuesBase",
                201,
                "DuesBaseRow",
            ),
            ("get", "/me/dues", "dues", "我的党费基数与应缴（党员本人）", "", 200, "MyDues"),
            ("get", "/dues/cycles", "dues", "某月各单位党费收缴情况（month）", "", 200, "Page<DuesCycle>"),
            (
                "post",
                "/dues/cycles",
                "dues",
                "开启某月党费收缴（范围内各单位；重复开启无影响）",
                "Month",
                201,
                "DuesCyclesOpened",
            ),
            ("post", "/dues/cycles/settle", "dues", "结算某月", "Month", 200, "DuesCyclesSettled"),
            (
                "post",
                "/dues/cycles/payroll",
                "dues",
                "工资代扣：某月 org_id 之下（缺省为范围内全部）未缴的党员按应缴金额一次登记",
                "Payroll",
                200,
                "PayrollReport",
            ),
            ("get", "/dues/cycles.xlsx", "dues", "某月党费收缴明细 .xlsx（财务）", "", 200, "Xlsx"),
            ("get", "/dues/charges", "dues", "某月每名党员的应缴与缴费（month、org_id）", "", 200, "Page<Charge>"),
            (
                "post",
                "/dues/charges/{member_id}/{month}/payment",
                "dues",
                "登记缴费（金额、日期、方式；超过规定月数的补交须说明原因）",
                "Payment",
                200,
                "Charge",
            ),
            (
                "post",
                "/dues/charges/{member_id}/{month}/correction",
                "dues",
                "更正或撤销已登记的缴费（须说明原因，带更正前的金额 seen_paid_fen 与日期 seen_paid_on；记入审计）",
                "PaymentCorrection",
                200,
                "Charge",
            ),
            ("get", "/dues/arrears", "dues", "欠缴党费与连续未缴标记", "", 200, "Page<Arrear>"),
            ("get", "/dues/summary", "dues", "某月党费收缴汇总，按下级组织（org_id、month）", "", 200, "DuesSummary"),
        ],
    }
};
