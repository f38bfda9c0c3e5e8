//! Correcting a registered payment (更正): a wrong amount, date or method is
//! put right, or a payment registered by mistake is taken back, from the
//! list where it is shown — with the reason, audited with the old and the
//! new, and refused when the payment changed since the page was shown.

use super::*;
use xianfeng_core::auth::MemberWrite;

/// What a correction does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionAction {
    /// The payment stands with the amount, date and method given.
    #[default]
    Amend,
    /// The payment is taken back: the month is unpaid again.
    Void,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PaymentCorrection {
    pub action: CorrectionAction,
    /// Yuan, as typed (amend).
    pub amount: String,
    pub paid_on: String,
    pub method: String,
    /// Why: required, kept in the audit trail and on the charge.
    pub reason: String,
    /// The payment as the page showed it (amount in fen, date): a correction
    /// of a payment changed since is refused rather than applied over it.
    pub seen_paid_fen: Option<i64>,
    pub seen_paid_on: String,
}

/// Corrects or takes back the payment of `member_id` for `month`.
#[tracing::instrument(skip_all)]
pub async fn correct_payment(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    member_id: i64,
    month: NaiveDate,
    input: &PaymentCorrection,
) -> Result<ChargeRow> {
    let m = crate::member::get(store, scope, member_id).await?;
    let month = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("valid");
    let before = charge_of(store, m.committee_id, m.id, month).await?;
    let (Some(old_fen), Some(old_on)) = (before.paid_fen, before.paid_on) else {
        return Err(StoreError::Rule(format!("{}{}的党费尚未登记缴纳，无需更正", m.name, month.format("%Y年%m月"))));
    };
    let (Some(seen_fen), Some(seen_on)) =
        (input.seen_paid_fen, xianfeng_core::member::parse_date(input.seen_paid_on.trim()))
    else {
        return Err(StoreError::invalid("seen_paid_fen", "缺少更正前的缴费金额和日期，请刷新页面后重试"));
    };
    if (seen_fen, seen_on) != (old_fen, old_on) {
        return Err(StoreError::Stale);
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid("reason", "请填写更正原因"));
    }
    if reason.chars().count() > 200 {
        return Err(StoreError::invalid("reason", "更正原因不能超过200个字"));
    }
    let was = format!("{} {}（{}）", Fen(old_fen), old_on, before.method_label());
    let mut tx = store.db.begin().await?;
    let (n, now) = match input.action {
        CorrectionAction::Void => {
            let n = tx
                .c()
                .execute(q!(
                    "UPDATE dues_charges SET paid_fen = NULL, paid_on = NULL, method = '', note = $1, recorded_by = $2, recorded_at = $3, on_time = 0 \
                     WHERE committee_id = $4 AND member_id = $5 AND month = $6 AND paid_fen = $7 AND paid_on = $8",
                    format!("撤销缴费登记：{reason}"), who.username.clone(), now_ms(), m.committee_id, m.id, month, old_fen, old_on
                ))
                .await?;
            (n, "撤销，改为未缴".to_string())
        }
        CorrectionAction::Amend => {
            let (amount, paid_on) = super::cycles::amount_and_date(&input.amount, &input.paid_on)?;
            let method = input.method.trim();
            let rules: DuesRules = store.rules().await?.get::<DuesRules>(month);
            core_dues::check_payment(
                &rules,
                month,
                Fen(before.due_fen),
                amount,
                paid_on,
                xianfeng_core::text::today_cn(),
                method,
                reason,
            )?;
            if (amount.0, paid_on, method) == (old_fen, old_on, before.method.as_str()) {
                return Err(StoreError::invalid(
                    "amount",
                    "金额、日期和方式都没有改动；要撤销这笔登记，请选择“撤销缴费登记”",
                ));
            }
            let n = tx
                .c()
                .execute(q!(
                    "UPDATE dues_charges SET paid_fen = $1, paid_on = $2, method = $3, note = $4, recorded_by = $5, recorded_at = $6, on_time = $7 \
                     WHERE committee_id = $8 AND member_id = $9 AND month = $10 AND paid_fen = $11 AND paid_on = $12",
                    amount.0, paid_on, method, format!("更正：{reason}"), who.username.clone(), now_ms(),
                    i64::from(core_dues::paid_on_time(month, paid_on)), m.committee_id, m.id, month, old_fen, old_on
                ))
                .await?;
            (n, format!("{amount} {paid_on}（{}）", core_dues::method_label(method)))
        }
    };
    if n == 0 {
        return Err(StoreError::Stale);
    }
    super::tally::recount_charge(&mut tx, m.committee_id, month, m.id).await?;
    super::owed::recount_member(&mut tx, m.committee_id, m.id).await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("correct_payment", "dues_charge", m.id)
            .detail(format!("{} {was} → {now}；原因：{reason}", month.format("%Y-%m"))),
    )
    .await?;
    crate::generation::bump_facts(&mut tx, m.committee_id).await?;
    tx.commit().await?;
    charge_of(store, m.committee_id, member_id, month).await
}
