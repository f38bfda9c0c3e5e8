//! Correcting a registered payment from the list where it is shown (更正):
//! a form with the payment as it stands, the reason asked for, and the list
//! returned to as it was.

use super::*;
use store_dues::{CorrectionAction, PaymentCorrection};

#[derive(Template)]
#[template(path = "dues_correct.html")]
pub(crate) struct CorrectPage {
    l: Layout,
    c: store_dues::ChargeRow,
    month: String,
    form: PaymentCorrection,
    methods: Vec<(&'static str, &'static str)>,
    /// The charge list's query: where the form returns.
    list_query: String,
    errors: Errors,
}

impl CorrectPage {
    fn voiding(&self) -> bool {
        self.form.action == CorrectionAction::Void
    }
}

/// The list's filter and page, as a query string (the month included).
fn list_query(q: &CycleQ, month: chrono::NaiveDate) -> String {
    serde_urlencoded::to_string([
        ("month", month.format("%Y-%m").to_string()),
        ("org_id", q.org_id.clone()),
        ("name", q.name.clone()),
        ("unpaid", q.unpaid.clone()),
        ("page", q.page.clone()),
        ("per_page", q.per_page.clone()),
    ])
    .unwrap_or_default()
}

async fn correct_view(
    state: &AppState,
    ctx: &Ctx,
    member_id: i64,
    month: chrono::NaiveDate,
    q: &CycleQ,
    form: Option<PaymentCorrection>,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.member_scope(state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let c = store_dues::charge(&state.store, &scope, member_id, month).await?;
    if !c.paid() {
        return Err(AppError::Rule(format!("{}{}的党费尚未登记缴纳，无需更正", c.name, month.format("%Y年%m月"))));
    }
    // The form starts from the payment as it stands; the seen values always
    // carry what is shown now, so a stale refusal shows the new state.
    let shown = PaymentCorrection {
        action: CorrectionAction::Amend,
        amount: c.paid_fen.map(|f| xianfeng_core::dues::Fen(f).plain()).unwrap_or_default(),
        paid_on: c.paid_on.map(|d| d.to_string()).unwrap_or_default(),
        method: c.method.clone(),
        reason: String::new(),
        seen_paid_fen: c.paid_fen,
        seen_paid_on: c.paid_on.map(|d| d.to_string()).unwrap_or_default(),
    };
    let form = match form {
        Some(f) => {
            PaymentCorrection { seen_paid_fen: shown.seen_paid_fen, seen_paid_on: shown.seen_paid_on.clone(), ..f }
        }
        None => shown,
    };
    render(&CorrectPage {
        l: Layout::new(ctx, format!("更正缴费登记：{}", c.name), "/dues/cycles")
            .crumb("党费管理", "/dues")
            .crumb("党费收缴", format!("/dues/cycles?{}", list_query(q, month)))
            .crumb("更正缴费登记", ""),
        month: month.format("%Y-%m").to_string(),
        c,
        form,
        methods: xianfeng_core::dues::PAYMENT_METHODS.to_vec(),
        list_query: list_query(q, month),
        errors,
    })
}

fn month_of(month: &str) -> Result<chrono::NaiveDate> {
    store_dues::parse_month(month).ok_or_else(|| AppError::BadRequest("月份请按 2025-07 的格式填写".into()))
}

pub(crate) async fn correct_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((member_id, month)): Path<(i64, String)>,
    Query(q): Query<CycleQ>,
) -> Result<Response> {
    correct_view(&state, &ctx, member_id, month_of(&month)?, &q, None, Errors::default()).await
}

pub(crate) async fn correct_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((member_id, month)): Path<(i64, String)>,
    Query(q): Query<CycleQ>,
    Form(f): Form<PaymentCorrection>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let m = month_of(&month)?;
    match store_dues::correct_payment(&state.store, &scope.writer()?, &ctx.who(), member_id, m, &f).await {
        Ok(_) => Ok(Redirect::to(&format!("/dues/cycles?{}&ok=corrected&member={member_id}", list_query(&q, m)))
            .into_response()),
        Err(StoreError::Invalid(errs)) => correct_view(&state, &ctx, member_id, m, &q, Some(f), Errors(errs)).await,
        Err(StoreError::Stale) => {
            let errs = vec![xianfeng_core::FieldError::new(
                "version",
                "这笔缴费登记已被他人改动，以下为最新情况，请核对后重新更正",
            )];
            correct_view(&state, &ctx, member_id, m, &q, None, Errors(errs)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn api_correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((member_id, month)): Path<(i64, String)>,
    Json(f): Json<PaymentCorrection>,
) -> Result<Json<store_dues::ChargeRow>> {
    let scope = ctx.member_scope(&state).await?;
    let m = month_of(&month)?;
    Ok(Json(store_dues::correct_payment(&state.store, &scope.writer()?, &ctx.who(), member_id, m, &f).await?))
}
