//! Payroll deduction (工资代扣): a branch's or a unit's unpaid charges of a
//! month registered as paid in full at once.

use super::*;
use xianfeng_core::auth::MemberWrite;

/// The payment method of payroll deduction (工资代扣), one of
/// [`core_dues::PAYMENT_METHODS`].
const PAYROLL: &str = "payroll";

/// What a payroll registration did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PayrollReport {
    /// Charges registered as paid by payroll deduction.
    pub paid: usize,
    /// Their sum.
    pub total: Fen,
    /// Members left for a single registration, with why (a back payment that
    /// needs its reason).
    pub skipped: Vec<String>,
}

/// Registers every unpaid charge of `month` under `org_id` (or the whole
/// scope) as paid in full by payroll deduction (工资代扣) on `paid_on`, in one
/// transaction, one audit row each. A charge the rules would not take without
/// a reason (a back payment beyond the allowed months) is left for a single
/// registration and named in the report.
#[tracing::instrument(skip_all)]
pub async fn record_payroll(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    org_id: Option<i64>,
    month: NaiveDate,
    paid_on: &str,
) -> Result<PayrollReport> {
    let month = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("valid");
    let Some(paid_on) = xianfeng_core::member::parse_date(paid_on.trim()) else {
        return Err(StoreError::invalid("paid_on", "请按 2025-07-01 的格式填写代扣日期"));
    };
    #[derive(sqlx::FromRow)]
    struct Unpaid {
        committee_id: i64,
        member_id: i64,
        org_id: i64,
        name: String,
        due_fen: i64,
    }
    let mut q = Q::new(
        "SELECT c.committee_id, c.member_id, c.org_id, m.name, c.due_fen FROM dues_charges c \
         JOIN members m ON m.committee_id = c.committee_id AND m.id = c.member_id \
         JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE c.paid_on IS NULL AND c.month = ",
    );
    q.bind(month);
    member_scope_where(&mut q, scope);
    under_org(store, scope, &mut q, org_id).await?;
    q.push(" ORDER BY o.path, m.name, c.member_id");
    let unpaid: Vec<Unpaid> = store.db.r().fetch_all(q).await?;
    if unpaid.is_empty() {
        return Err(StoreError::Rule(format!("{}没有未缴党费的党员", month.format("%Y年%m月"))));
    }
    let rules: DuesRules = store.rules().await?.get::<DuesRules>(month);
    let today = xianfeng_core::text::today_cn();
    let on_time = i64::from(core_dues::paid_on_time(month, paid_on));
    let mut report = PayrollReport::default();
    let mut committees = Vec::new();
    let mut tx = store.db.begin().await?;
    for u in &unpaid {
        let due = Fen(u.due_fen);
        match core_dues::check_payment(&rules, month, due, due, paid_on, today, PAYROLL, "") {
            Ok(()) => {}
            // A date in the future is wrong for all of them: say so once.
            Err(xianfeng_core::Error::Invalid(e)) if e.iter().any(|e| e.field == "paid_on") => {
                return Err(StoreError::Invalid(e));
            }
            Err(xianfeng_core::Error::Invalid(e)) => {
                let why = e.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；");
                report.skipped.push(format!("{}（{}）", u.name, why));
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        let n = tx
            .c()
            .execute(q!(
                "UPDATE dues_charges SET paid_fen = due_fen, paid_on = $1, method = $2, note = '', recorded_by = $3, recorded_at = $4, on_time = $5 \
                 WHERE committee_id = $6 AND member_id = $7 AND month = $8 AND paid_on IS NULL",
                paid_on, PAYROLL, who.username.clone(), now_ms(), on_time, u.committee_id, u.member_id, month
            ))
            .await?;
        if n == 0 {
            continue; // registered meanwhile, by someone else
        }
        append(
            &mut tx,
            &store.keys.audit_key,
            who,
            Event::ok("payment", "dues_charge", u.member_id).detail(format!(
                "{} {} {}（{}）批量",
                month.format("%Y-%m"),
                due,
                paid_on,
                core_dues::method_label(PAYROLL)
            )),
        )
        .await?;
        report.paid += 1;
        report.total = Fen(report.total.0 + due.0);
        if !committees.contains(&(u.committee_id, u.org_id)) {
            committees.push((u.committee_id, u.org_id));
        }
    }
    for (c, org) in &committees {
        super::tally::recount_org(&mut tx, *c, month, *org).await?;
    }
    let mut bumped: Vec<i64> = committees.iter().map(|(c, _)| *c).collect();
    bumped.dedup();
    for c in &bumped {
        super::owed::recount_unit(&mut tx, *c).await?;
    }
    for c in bumped {
        crate::generation::bump_facts(&mut tx, c).await?;
    }
    tx.commit().await?;
    Ok(report)
}
