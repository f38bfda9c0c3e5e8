//! The dues rule page: brackets and amounts as versioned data.

use super::*;

#[derive(Template)]
#[template(path = "dues_rules.html")]
pub(crate) struct RulesPage {
    pub(crate) l: Layout,
    pub(crate) versions: Vec<(String, String, String, bool)>,
    pub(crate) salaried: Vec<(usize, String, String)>,
    pub(crate) retired: Vec<(usize, String, String)>,
    pub(crate) r: DuesRules,
    pub(crate) effective_from: String,
    pub(crate) errors: Vec<String>,
    pub(crate) editable: bool,
}

pub(crate) fn bracket_rows(b: &[Bracket], n: usize) -> Vec<(usize, String, String)> {
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

pub(crate) async fn rules_view(state: &AppState, ctx: &Ctx, errors: Vec<String>, flash: &str) -> Result<Response> {
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

pub(crate) async fn rules_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<RosterQ>) -> Result<Response> {
    rules_view(&state, &ctx, Vec::new(), flash_text(&q.ok)).await
}

/// Percent as typed ("1.5") to basis points (150), at most two decimals.
pub(crate) fn percent_bp(s: &str) -> Option<i64> {
    let f = Fen::parse(s)?; // same grammar: digits with up to two decimals
    Some(f.0)
}

pub(crate) fn brackets_from(
    pairs: &[(String, String)],
    prefix: &str,
    label: &str,
    errors: &mut Vec<String>,
) -> Vec<Bracket> {
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

pub(crate) async fn rules_submit(
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
