//! Monthly cycles, payments and arrears.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct CycleQ {
    pub(crate) month: String,
    pub(crate) org_id: String,
    /// Part of a member's name.
    pub(crate) name: String,
    /// "1": only the charges not paid yet.
    pub(crate) unpaid: String,
    pub(crate) page: String,
    pub(crate) per_page: String,
    pub(crate) ok: String,
    /// With ok=paid: whose payment was just registered.
    pub(crate) member: String,
    /// With ok=payroll: how many were registered, and their sum in fen.
    pub(crate) paid: String,
    pub(crate) sum: String,
}

impl CycleQ {
    pub(crate) fn month(&self) -> Result<chrono::NaiveDate> {
        RosterQ { month: self.month.clone(), ..Default::default() }.month()
    }
    pub(crate) fn org(&self) -> Result<Option<i64>> {
        RosterQ { org_id: self.org_id.clone(), ..Default::default() }.org()
    }
    pub(crate) fn filter(&self) -> Result<store_dues::ChargeFilter> {
        Ok(store_dues::ChargeFilter {
            org_id: self.org()?,
            name: self.name.trim().to_string(),
            unpaid: self.unpaid == "1" || self.unpaid == "true",
        })
    }
}

#[derive(Template)]
#[template(path = "dues_cycles.html")]
pub(crate) struct CyclesPage {
    pub(crate) l: Layout,
    pub(crate) month: String,
    pub(crate) cycles: Vec<store_dues::CycleRow>,
    pub(crate) charges: Vec<store_dues::ChargeRow>,
    /// The charge list's filter as typed, and its pager.
    pub(crate) q: CycleQ,
    pub(crate) pager: Pager,
    /// The list's query with its page: a payment form returns to it.
    pub(crate) list_query: String,
    pub(crate) methods: Vec<(&'static str, &'static str)>,
    pub(crate) today: String,
    pub(crate) can_write: bool,
    pub(crate) can_run: bool,
    pub(crate) errors: Errors,
    pub(crate) error_member: i64,
    pub(crate) query: String,
    /// Unpaid charges under the chosen org (all of the scope without one):
    /// what payroll registration would register.
    pub(crate) unpaid_count: i64,
}

pub(crate) fn dues_flash(code: &str) -> &'static str {
    match code {
        "opened" => "已开启本月党费收缴",
        "settled" => "已结算",
        "paid" => "缴费已登记",
        "corrected" => "缴费登记已更正",
        other => flash_text(other),
    }
}

pub(crate) async fn cycles_view(
    state: &AppState,
    ctx: &Ctx,
    q: &CycleQ,
    errors: Errors,
    error_member: i64,
) -> Result<Response> {
    let scope = ctx.member_scope(state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let month = q.month()?;
    let cycles = store_dues::cycles(&state.store, &scope, month).await?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 500)?;
    let charges = store_dues::charges(&state.store, &scope, month, &q.filter()?, page, per_page).await?;
    let base = serde_urlencoded::to_string([
        ("month", month.format("%Y-%m").to_string()),
        ("org_id", q.org_id.clone()),
        ("name", q.name.clone()),
        ("unpaid", q.unpaid.clone()),
        ("per_page", per_page.to_string()),
    ])
    .unwrap_or_default();
    // A payment just registered is named: whose, which month, how much.
    let flash = match (q.ok.as_str(), q.member.trim().parse::<i64>()) {
        ("paid", Ok(id)) => match store_dues::charge(&state.store, &scope, id, month).await {
            Ok(c) => {
                format!("已登记{}{}的党费 {}（{}）", c.name, month.format("%Y年%m月"), c.paid_text(), c.method_label())
            }
            Err(_) => dues_flash("paid").to_string(),
        },
        ("corrected", Ok(id)) => match store_dues::charge(&state.store, &scope, id, month).await {
            Ok(c) if c.paid() => format!(
                "已更正{}{}的缴费登记：{} {}（{}）",
                c.name,
                month.format("%Y年%m月"),
                c.paid_text(),
                c.paid_on.map(|d| d.to_string()).unwrap_or_default(),
                c.method_label()
            ),
            Ok(c) => format!("已撤销{}{}的缴费登记，现为未缴", c.name, month.format("%Y年%m月")),
            Err(_) => dues_flash("corrected").to_string(),
        },
        ("payroll", _) => format!(
            "已按工资代扣登记{}党费 {} 人，合计 {}",
            month.format("%Y年%m月"),
            q.paid.trim().parse::<i64>().unwrap_or(0),
            xianfeng_core::dues::Fen(q.sum.trim().parse::<i64>().unwrap_or(0))
        ),
        (code, _) => dues_flash(code).to_string(),
    };
    let unpaid_filter = store_dues::ChargeFilter { org_id: q.org()?, unpaid: true, ..Default::default() };
    let unpaid_count = if scope.can_write() {
        store_dues::charges(&state.store, &scope, month, &unpaid_filter, 1, 1).await?.total
    } else {
        0
    };
    let list_query = format!("{base}&page={}", charges.page);
    render(&CyclesPage {
        l: Layout::new(ctx, "党费收缴", "/dues/cycles").crumb("党费管理", "/dues").crumb("党费收缴", "").flash(flash),
        list_query,
        month: month.format("%Y-%m").to_string(),
        cycles,
        pager: Pager::new(charges.page, charges.per_page, charges.total, base),
        charges: charges.items,
        q: q.clone(),
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
        unpaid_count,
    })
}

pub(crate) async fn cycles_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CycleQ>) -> Result<Response> {
    cycles_view(&state, &ctx, &q, Errors::default(), 0).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MonthForm {
    pub(crate) month: String,
}

pub(crate) async fn open_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<MonthForm>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month.clone(), ..Default::default() }.month()?;
    store_dues::open_cycle(&state.store, &scope, &ctx.who(), month).await?;
    Ok(Redirect::to(&format!("/dues/cycles?month={}&ok=opened", month.format("%Y-%m"))).into_response())
}

pub(crate) async fn settle_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<MonthForm>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month.clone(), ..Default::default() }.month()?;
    store_dues::settle(&state.store, &scope, &ctx.who(), month).await?;
    Ok(Redirect::to(&format!("/dues/cycles?month={}&ok=settled", month.format("%Y-%m"))).into_response())
}

pub(crate) async fn pay_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((member_id, month)): Path<(i64, String)>,
    Query(list): Query<CycleQ>,
    Form(f): Form<store_dues::PaymentInput>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let m =
        store_dues::parse_month(&month).ok_or_else(|| AppError::BadRequest("月份请按 2025-07 的格式填写".into()))?;
    // Back to the list as it was (its filter and page), for this month.
    let q = CycleQ { month: m.format("%Y-%m").to_string(), ok: String::new(), member: String::new(), ..list };
    match store_dues::record_payment(&state.store, &scope.writer()?, &ctx.who(), member_id, m, &f).await {
        Ok(_) => {
            let back = serde_urlencoded::to_string([
                ("month", q.month.as_str()),
                ("org_id", q.org_id.as_str()),
                ("name", q.name.as_str()),
                ("unpaid", q.unpaid.as_str()),
                ("page", q.page.as_str()),
                ("per_page", q.per_page.as_str()),
            ])
            .unwrap_or_default();
            Ok(Redirect::to(&format!("/dues/cycles?{back}&ok=paid&member={member_id}")).into_response())
        }
        Err(StoreError::Invalid(errs)) => cycles_view(&state, &ctx, &q, Errors(errs), member_id).await,
        Err(e) => Err(e.into()),
    }
}

/// Payroll deduction for everyone unpaid under an org (or the whole scope).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PayrollForm {
    pub(crate) month: String,
    pub(crate) org_id: String,
    pub(crate) paid_on: String,
}

pub(crate) async fn payroll_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PayrollForm>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let mut q = CycleQ { month: f.month.clone(), org_id: f.org_id.clone(), ..Default::default() };
    let month = q.month()?;
    match store_dues::record_payroll(&state.store, &scope.writer()?, &ctx.who(), q.org()?, month, &f.paid_on).await {
        Ok(r) => {
            let (paid, sum) = (r.paid.to_string(), r.total.0.to_string());
            if r.skipped.is_empty() {
                let back = serde_urlencoded::to_string([
                    ("month", month.format("%Y-%m").to_string()),
                    ("org_id", q.org_id.clone()),
                    ("ok", "payroll".into()),
                    ("paid", paid),
                    ("sum", sum),
                ])
                .unwrap_or_default();
                return Ok(Redirect::to(&format!("/dues/cycles?{back}")).into_response());
            }
            q = CycleQ { ok: "payroll".into(), paid, sum, unpaid: "1".into(), ..q };
            let e = xianfeng_core::FieldError::new(
                "_",
                format!("以下 {} 人未代扣，请逐一登记：{}", r.skipped.len(), r.skipped.join("；")),
            );
            cycles_view(&state, &ctx, &q, Errors(vec![e]), 0).await
        }
        Err(StoreError::Invalid(errs)) => cycles_view(&state, &ctx, &q, Errors(errs), 0).await,
        Err(StoreError::Rule(m)) => {
            cycles_view(&state, &ctx, &q, Errors(vec![xianfeng_core::FieldError::new("_", m)]), 0).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct PayrollJson {
    pub(crate) month: String,
    #[serde(default)]
    pub(crate) org_id: Option<i64>,
    pub(crate) paid_on: String,
}

pub(crate) async fn api_payroll(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<PayrollJson>,
) -> Result<Json<store_dues::PayrollReport>> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month, ..Default::default() }.month()?;
    Ok(Json(store_dues::record_payroll(&state.store, &scope.writer()?, &ctx.who(), f.org_id, month, &f.paid_on).await?))
}

#[derive(Template)]
#[template(path = "dues_arrears.html")]
pub(crate) struct ArrearsPage {
    pub(crate) l: Layout,
    /// This page's lines.
    pub(crate) lines: Vec<store_dues::ArrearLine>,
    pub(crate) offset: usize,
    /// Members in arrears in scope, and of them those flagged.
    pub(crate) members: usize,
    pub(crate) flagged: usize,
    pub(crate) q: ArrearsQ,
    pub(crate) pager: Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ArrearsQ {
    pub(crate) org_id: String,
    /// "1": only the members flagged for a reminder or a lapse.
    pub(crate) flagged: String,
    pub(crate) page: String,
    pub(crate) per_page: String,
}

/// Members in arrears, longest run of unpaid months first, a page at a time
/// (a province has tens of thousands).
pub(crate) async fn arrears_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ArrearsQ>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let org = RosterQ { org_id: q.org_id.clone(), ..Default::default() }.org()?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 100, 500)?;
    let a = store_dues::arrears(&state.store, &scope, org, q.flagged == "1", page, per_page).await?;
    let (members, flagged) = (a.members as usize, a.flagged as usize);
    let (total, lines) = (a.lines.total, a.lines.items);
    let offset = ((page - 1) * per_page) as usize;
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
pub(crate) async fn cycles_xlsx(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CycleQ>) -> Result<Response> {
    use rust_xlsxwriter::Workbook;
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let month = q.month()?;
    let charges =
        store_dues::charges(&state.store, &scope, month, &q.filter()?, 1, xianfeng_store::EVERY_ROW).await?.items;
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

pub(crate) async fn api_cycles(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CycleQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<xianfeng_store::dues::CycleRow>>> {
    let scope = ctx.member_scope(&state).await?;
    let items = store_dues::cycles(&state.store, &scope, q.month()?).await?;
    Ok(Json(crate::form::page_of(items, &p)?))
}

pub(crate) async fn api_open(State(state): State<AppState>, ctx: Ctx, Json(f): Json<MonthForm>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month, ..Default::default() }.month()?;
    let r = store_dues::open_cycle(&state.store, &scope, &ctx.who(), month).await?;
    Ok((axum::http::StatusCode::CREATED, Json(r)).into_response())
}

pub(crate) async fn api_settle(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(f): Json<MonthForm>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let month = CycleQ { month: f.month, ..Default::default() }.month()?;
    let n = store_dues::settle(&state.store, &scope, &ctx.who(), month).await?;
    Ok(Json(serde_json::json!({ "settled": n })))
}

pub(crate) async fn api_charges(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CycleQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<store_dues::ChargeRow>>> {
    let scope = ctx.member_scope(&state).await?;
    let (page, per_page) = p.api()?;
    Ok(Json(store_dues::charges(&state.store, &scope, q.month()?, &q.filter()?, page, per_page).await?))
}

pub(crate) async fn api_pay(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((member_id, month)): Path<(i64, String)>,
    Json(f): Json<store_dues::PaymentInput>,
) -> Result<Json<store_dues::ChargeRow>> {
    let scope = ctx.member_scope(&state).await?;
    let m =
        store_dues::parse_month(&month).ok_or_else(|| AppError::BadRequest("月份请按 2025-07 的格式填写".into()))?;
    Ok(Json(store_dues::record_payment(&state.store, &scope.writer()?, &ctx.who(), member_id, m, &f).await?))
}

pub(crate) async fn api_arrears(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CycleQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<xianfeng_store::dues::ArrearLine>>> {
    let scope = ctx.member_scope(&state).await?;
    let (page, per_page) = p.api()?;
    Ok(Json(store_dues::arrears(&state.store, &scope, q.org()?, false, page, per_page).await?.lines))
}
