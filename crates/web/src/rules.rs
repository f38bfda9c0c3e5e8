//! Rules as data: every version with its effective date, and a form to add one.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use xianfeng_core::auth::Role;
use xianfeng_core::ranking::{Indicator, Scoring, Source};
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

/// How a rule parameter is shown, typed and checked.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A whole number, in this unit.
    Count(&'static str),
    /// A number with decimals, in this unit.
    Decimal(&'static str),
    /// Yes or no (a switch).
    Switch,
    /// The roles allowed to do something.
    Roles,
    /// The ranking's indicators: weights that sum to 100 and targets.
    Indicators,
}

/// A rule parameter: its Chinese label, its kind and what it means.
#[derive(Debug, Clone, Copy)]
struct Spec {
    label: &'static str,
    kind: Kind,
    help: &'static str,
}

const fn spec(label: &'static str, kind: Kind, help: &'static str) -> Option<Spec> {
    Some(Spec { label, kind, help })
}

/// Every parameter of every rule edited on this page (a test checks that each
/// rule's parameters all have one, so none is shown as a bare name).
fn spec_of(name: &str) -> Option<Spec> {
    use Kind::*;
    match name {
        "branch_min_full_members" => spec("党支部最少正式党员数", Count("人"), "少于此数不能成立党支部"),
        "committee_threshold_full_members" => {
            spec("设立支部委员会的正式党员数", Count("人"), "达到此数的党支部应设立支部委员会")
        }
        "branch_max_members" => spec("党支部党员人数上限", Count("人"), "超过时提示分设党支部"),
        "committee_min_size" => spec("支部委员会最少委员数", Count("人"), ""),
        "branch_term_years" => spec("党支部任期", Count("年"), ""),
        "general_branch_term_years" => spec("党总支任期", Count("年"), ""),
        "party_committee_term_years" => spec("基层党委任期", Count("年"), ""),
        "election_due_soon_days" => spec("换届提前提醒", Count("天"), "任期届满前多少天提示换届"),
        "talk_within_months" => spec("收到入党申请后谈话时限", Count("个月"), ""),
        "applicant_to_activist_months" => spec("申请人转为积极分子最短时间", Count("个月"), ""),
        "activist_min_months" => spec("积极分子培养最短时间", Count("个月"), "一年以上"),
        "approval_within_months" => spec("上级党委审批时限", Count("个月"), ""),
        "probation_months" => spec("预备期", Count("个月"), ""),
        "extension_min_months" => spec("延长预备期下限", Count("个月"), ""),
        "extension_max_months" => spec("延长预备期上限", Count("个月"), ""),
        "warn_days" => spec("到期前提醒", Count("天"), "办理时限到期前多少天提示"),
        "min_age" => spec("申请入党最低年龄", Count("周岁"), "年满十八周岁"),
        "notice_min_days" => spec("发展公示最短天数", Count("天"), "接收预备党员、预备党员转正前的公示"),
        "training_min_hours" => spec("发展对象集中培训最少学时", Count("学时"), ""),
        "letter_valid_days" => spec("介绍信有效期", Count("天"), "自开具之日起计算"),
        "dues_must_be_paid" => spec("转出前须缴清党费", Switch, "有未缴党费时不开具介绍信"),
        "indicators" => spec(
            "排名指标与权重",
            Indicators,
            "权重合计100分。按实际比例：比率乘以权重（出勤91%得91%的分），党支部之间拉得开；达标即满分：达到目标值即得满分，未达到按比例得分，达标的党支部并列",
        ),
        "tail_percent" => spec("末位比例", Count("%"), "全省排名在后百分之几的党支部列为末位"),
        "tail_below" => spec("末位得分线", Decimal("分"), "得分低于此分的党支部也列为末位"),
        "password_min_length" => spec("密码最小长度", Count("位"), ""),
        "password_min_classes" => spec("密码最少字符类别数", Count("类"), "大写、小写、数字、符号"),
        "password_expiry_days" => spec("密码有效期", Count("天"), ""),
        "password_history" => spec("不得重复使用的历史密码数", Count("个"), ""),
        "lock_after_failures" => spec("连续失败锁定次数", Count("次"), ""),
        "lock_minutes" => spec("锁定时长", Count("分钟"), ""),
        "idle_timeout_minutes" => spec("会话空闲超时", Count("分钟"), ""),
        "session_max_hours" => spec("会话最长有效期", Count("小时"), "无论是否活动"),
        "address_failures" => spec("同一网络地址允许的失败登录次数", Count("次"), "在锁定时长内"),
        "campaign_refusals_per_day" => spec("评选申报每人每日允许未通过次数", Count("次"), "含“无处分”条件的评选"),
        "audit_retention_days" => spec("审计日志保存期", Count("天"), ""),
        "id_card" => spec("可查看完整公民身份号码的角色", Roles, ""),
        "phone" => spec("可查看完整联系电话的角色", Roles, ""),
        _ => None,
    }
}

/// A parameter's value in words: "60分", "是", "工委管理员、单位党务管理员",
/// "组织生活落实率30分（目标90%）、…".
fn value_text(kind: Kind, v: &serde_json::Value) -> String {
    match kind {
        Kind::Count(unit) | Kind::Decimal(unit) => match v.as_f64() {
            Some(n) if n.fract() == 0.0 => format!("{n:.0}{unit}"),
            Some(n) => format!("{n}{unit}"),
            None => v.to_string(),
        },
        Kind::Switch => if v.as_bool() == Some(true) { "是" } else { "否" }.to_string(),
        Kind::Roles => {
            let names: Vec<&str> = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(|r| Role::parse(r).map(|r| r.label()).unwrap_or(r))
                        .collect()
                })
                .unwrap_or_default();
            if names.is_empty() { "无".to_string() } else { names.join("、") }
        }
        Kind::Indicators => indicators_of(v).iter().map(Indicator::in_words).collect::<Vec<_>>().join("、"),
    }
}

fn indicators_of(v: &serde_json::Value) -> Vec<Indicator> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

fn describe(value: &serde_json::Value) -> String {
    let Some(o) = value.as_object() else { return value.to_string() };
    // The tail's two settings read as one sentence: "末位：得分低于60分或排名后5%".
    let tail = match (o.get("tail_below").and_then(|v| v.as_f64()), o.get("tail_percent").and_then(|v| v.as_u64())) {
        (Some(below), Some(percent)) => Some(xianfeng_core::ranking::tail_in_words(below, percent as u32)),
        _ => None,
    };
    let merged = tail.is_some();
    o.iter()
        .filter(|(k, _)| !merged || !matches!(k.as_str(), "tail_below" | "tail_percent"))
        .map(|(k, v)| match spec_of(k) {
            Some(s) => format!("{}：{}", s.label, value_text(s.kind, v)),
            None => format!("{k}：{v}"),
        })
        .chain(tail)
        .collect::<Vec<_>>()
        .join("；")
}

/// One row of the indicators table on the form.
struct IndicatorRow {
    source: &'static str,
    label: &'static str,
    weight: u32,
    /// The target in percent.
    target: String,
    /// The scoring's code, and every scoring (code, label) for the choice.
    scoring: &'static str,
    scorings: [(&'static str, &'static str); 2],
}

struct Param {
    name: String,
    label: &'static str,
    help: &'static str,
    unit: &'static str,
    kind: Kind,
    value: String,
    on: bool,
    role_options: Vec<(String, &'static str, bool)>,
    indicators: Vec<IndicatorRow>,
}

impl Param {
    fn is_roles(&self) -> bool {
        self.kind == Kind::Roles
    }
    fn is_switch(&self) -> bool {
        self.kind == Kind::Switch
    }
    fn is_indicators(&self) -> bool {
        self.kind == Kind::Indicators
    }
    fn is_decimal(&self) -> bool {
        matches!(self.kind, Kind::Decimal(_))
    }
}

fn param(name: &str, v: &serde_json::Value) -> Param {
    let s = spec_of(name).unwrap_or(Spec { label: "（未说明的参数）", kind: Kind::Count(""), help: "" });
    let chosen: Vec<&str> = v.as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
    let indicators = if s.kind == Kind::Indicators {
        let set = indicators_of(v);
        Source::ALL
            .iter()
            .map(|src| {
                let i = set.iter().find(|i| i.source == *src);
                IndicatorRow {
                    source: src.as_str(),
                    label: src.label(),
                    weight: i.map(|i| i.weight).unwrap_or(0),
                    target: format!("{:.0}", i.map(|i| i.target).unwrap_or(1.0) * 100.0),
                    scoring: i.map(|i| i.scoring).unwrap_or(Scoring::Proportional).as_str(),
                    scorings: Scoring::ALL.map(|s| (s.as_str(), s.label())),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Param {
        name: name.to_string(),
        label: s.label,
        help: s.help,
        unit: match s.kind {
            Kind::Count(u) | Kind::Decimal(u) => u,
            _ => "",
        },
        kind: s.kind,
        value: match s.kind {
            Kind::Count(_) | Kind::Decimal(_) => v.to_string(),
            _ => String::new(),
        },
        on: v.as_bool() == Some(true),
        role_options: [Role::CommitteeAdmin, Role::UnitAdmin, Role::BranchSecretary]
            .iter()
            .map(|r| (r.as_str().to_string(), r.label(), chosen.contains(&r.as_str())))
            .collect(),
        indicators,
    }
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
        let params = latest.as_object().map(|o| o.iter().map(|(k, v)| param(k, v)).collect()).unwrap_or_default();
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
    let typed = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| xianfeng_core::text::to_halfwidth(v).trim().to_string())
            .unwrap_or_default()
    };
    let mut out = serde_json::Map::new();
    for k in current.as_object().ok_or("规则格式错误")?.keys() {
        let s = spec_of(k).ok_or_else(|| format!("参数“{k}”没有说明，不能在此修改"))?;
        let value = match s.kind {
            Kind::Roles => serde_json::Value::Array(
                pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| serde_json::Value::String(v.clone())).collect(),
            ),
            Kind::Switch => serde_json::Value::Bool(matches!(typed(k).as_str(), "1" | "on" | "true")),
            Kind::Count(unit) => {
                let n: i64 = typed(k).parse().map_err(|_| format!("“{}”应为整数（{unit}）", s.label))?;
                if n < 0 {
                    return Err(format!("“{}”不能为负数", s.label));
                }
                serde_json::Value::from(n)
            }
            Kind::Decimal(unit) => {
                let n: f64 = typed(k)
                    .parse()
                    .ok()
                    .filter(|n: &f64| n.is_finite() && *n >= 0.0)
                    .ok_or_else(|| format!("“{}”应为不小于0的数（{unit}）", s.label))?;
                serde_json::Value::from(n)
            }
            Kind::Indicators => {
                let mut list = Vec::new();
                for src in Source::ALL {
                    let w = typed(&format!("weight_{}", src.as_str()));
                    let w: u32 = if w.is_empty() {
                        0
                    } else {
                        w.parse().map_err(|_| format!("“{}”的权重应为整数", src.label()))?
                    };
                    let t = typed(&format!("target_{}", src.as_str()));
                    let t: f64 = t
                        .parse()
                        .ok()
                        .filter(|t: &f64| *t > 0.0 && *t <= 100.0)
                        .ok_or_else(|| format!("“{}”的目标值应为1至100之间的百分数", src.label()))?;
                    let scoring = match typed(&format!("scoring_{}", src.as_str())).as_str() {
                        "" => indicators_of(&current["indicators"])
                            .iter()
                            .find(|i| i.source == src)
                            .map(|i| i.scoring)
                            .unwrap_or(Scoring::Proportional),
                        code => Scoring::parse(code).ok_or_else(|| format!("“{}”的计分方式无效", src.label()))?,
                    };
                    if w > 0 {
                        list.push(Indicator { source: src, weight: w, target: t / 100.0, scoring });
                    }
                }
                let sum: u32 = list.iter().map(|i| i.weight).sum();
                if sum != 100 {
                    return Err(format!("排名指标的权重合计应为100分，现为{sum}分"));
                }
                serde_json::to_value(list).map_err(|e| e.to_string())?
            }
        };
        out.insert(k.clone(), value);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every parameter of every rule this page edits has its label, kind and unit.
    #[test]
    fn every_parameter_is_described() {
        let edited = [visible_keys(Role::CommitteeAdmin), visible_keys(Role::SecurityAdmin)].concat();
        for row in core_rules::national_defaults().iter().filter(|r| edited.contains(&r.key.as_str())) {
            if row.key == xianfeng_core::meeting::MeetingKinds::KEY || row.key == xianfeng_core::dues::DuesRules::KEY {
                continue;
            }
            for k in row.value.as_object().expect("an object").keys() {
                assert!(spec_of(k).is_some(), "{}.{k} has no label", row.key);
            }
        }
    }

    #[test]
    fn the_ranking_rule_reads_in_words_and_its_form_is_checked() {
        let set = core_rules::RuleSet::new(core_rules::national_defaults());
        let ranking = set.rows().iter().find(|r| r.key == "ranking").unwrap();
        let words = describe(&ranking.value);
        assert!(
            words.contains("末位：得分低于60分或排名后5%")
                && words.contains("组织生活出勤率25分（按实际比例，目标90%）")
                && !words.contains("参数"),
            "{words}"
        );
        let mut pairs: Vec<(String, String)> =
            vec![("tail_percent".into(), "5".into()), ("tail_below".into(), "59.5".into())];
        for (i, src) in Source::ALL.iter().enumerate() {
            pairs.push((format!("weight_{}", src.as_str()), if i == 0 { "60" } else { "10" }.into()));
            pairs.push((format!("target_{}", src.as_str()), "９０".into()));
        }
        let v = value_from_form(&set, "ranking", &pairs).unwrap();
        assert_eq!(v["tail_below"], 59.5);
        assert_eq!(v["indicators"].as_array().map(Vec::len), Some(5));
        assert_eq!(v["indicators"][0]["target"], 0.9, "full-width digits read as digits");
        assert_eq!(v["indicators"][0]["scoring"], "proportional", "a scoring not sent keeps the current one");
        pairs.push(("scoring_attendance".into(), "saturating".into()));
        let v = value_from_form(&set, "ranking", &pairs).unwrap();
        assert_eq!(
            (v["indicators"][1]["source"].as_str(), v["indicators"][1]["scoring"].as_str()),
            (Some("attendance"), Some("saturating"))
        );
        pairs.push(("scoring_dues_on_time".into(), "capped".into()));
        assert_eq!(value_from_form(&set, "ranking", &pairs).unwrap_err(), "“党费按月交纳率”的计分方式无效");
        pairs.pop();
        pairs[2].1 = "70".into();
        assert_eq!(value_from_form(&set, "ranking", &pairs).unwrap_err(), "排名指标的权重合计应为100分，现为110分");
        let transfer = value_from_form(&set, "transfer", &[("letter_valid_days".into(), "45".into())]).unwrap();
        assert_eq!(transfer["dues_must_be_paid"], false, "an unticked switch is no");
    }
}
