//! Demo dues history: a monthly cycle for every unit from January 2021 to this
//! month, each member's charge from their setting and the rule, payments as
//! people make them (mostly on time, some late, a few in arrears, a handful
//! long enough to be flagged), past months settled.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use xianfeng_core::dues::{self as core_dues, DuesBase, DuesRules, Fen, MemberType};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::states::sql_in;
use xianfeng_store::bulk;
use xianfeng_store::db::Arg;
use xianfeng_store::{Store, StoreError, q};

#[derive(Debug, Clone, Default)]
pub struct DuesSummary {
    pub charges: usize,
    pub unpaid: usize,
}

const CHARGE_COLS: &str = "committee_id, member_id, month, org_id, due_fen, paid_fen, paid_on, method, note, recorded_by, recorded_at, on_time";

pub async fn generate(store: &Store, seed: u64, today: NaiveDate) -> Result<DuesSummary, StoreError> {
    #[derive(sqlx::FromRow)]
    struct M {
        committee_id: i64,
        id: i64,
        org_id: i64,
        member_type: String,
        base_fen: i64,
        fixed_fen: i64,
    }
    let members: Vec<M> = store
        .db
        .r()
        .fetch_all(q!(format!(
            "SELECT m.committee_id, m.id, m.org_id, b.member_type, b.base_fen, b.fixed_fen FROM members m \
             JOIN dues_bases b ON b.committee_id = m.committee_id AND b.member_id = m.id \
             WHERE m.status IN {members} ORDER BY m.committee_id, m.id",
            members = sql_in(&MemberStatus::MEMBERS)
        )))
        .await?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7061_7973);
    let rules_set = store.rules().await?;
    // Each member's habit: 0 punctual, 1 sometimes late, 2 recent arrears, 3 long arrears.
    let habits: Vec<(u8, i64)> = members
        .iter()
        .map(|_| {
            let r: f64 = rng.r#gen();
            let habit = if r < 0.90 {
                0
            } else if r < 0.97 {
                1
            } else if r < 0.995 {
                2
            } else {
                3
            };
            let streak = match habit {
                2 => rng.gen_range(1..=4),
                3 => rng.gen_range(6..=9),
                _ => 0,
            };
            (habit, streak)
        })
        .collect();
    let methods =
        ["payroll", "payroll", "payroll", "payroll", "wechat", "wechat", "wechat", "transfer", "alipay", "cash"];
    let current = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("valid");
    let mut months = Vec::new();
    let mut m = NaiveDate::from_ymd_opt(2021, 1, 1).expect("valid");
    while m <= current {
        months.push(m);
        m = m.checked_add_months(chrono::Months::new(1)).expect("valid");
    }
    let now = xianfeng_core::text::now_ms();
    let mut summary = DuesSummary::default();
    let mut tx = store.db.begin().await?;
    if tx.backend() == xianfeng_store::Backend::Sqlite {
        tx.c().execute(q!("PRAGMA cache_size = -262144")).await?;
    }
    let mut cycles: Vec<Vec<Arg>> = Vec::new();
    for &month in &months {
        let rules: DuesRules = rules_set.get::<DuesRules>(month);
        let back = core_dues::months_between(month, current);
        let mut per_unit: HashMap<i64, (i64, i64)> = HashMap::new();
        let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(members.len());
        for (mem, (habit, streak)) in members.iter().zip(&habits) {
            let Some(t) = MemberType::parse(&mem.member_type) else { continue };
            let setting = DuesBase { member_type: t, base: Fen(mem.base_fen), fixed: Fen(mem.fixed_fen) };
            let Ok(due) = core_dues::monthly_due(&rules, &setting) else { continue };
            let e = per_unit.entry(mem.committee_id).or_default();
            e.0 += 1;
            e.1 += due.amount.0;
            // Unpaid: the recent streak of members in arrears, and this month for some.
            let unpaid = (*habit >= 2 && back < *streak) || (back == 0 && rng.gen_bool(0.45));
            let paid_on = if unpaid {
                None
            } else {
                let late = if *habit == 1 && rng.gen_bool(0.4) { rng.gen_range(1..=3) } else { 0 };
                let pay_month = month.checked_add_months(chrono::Months::new(late)).unwrap_or(month);
                let last = xianfeng_core::compliance::last_day_of(pay_month.year(), pay_month.month()).day();
                let d = NaiveDate::from_ymd_opt(pay_month.year(), pay_month.month(), rng.gen_range(3..=last.min(28)))
                    .expect("valid");
                Some(d.min(today))
            };
            if paid_on.is_none() {
                summary.unpaid += 1;
            }
            rows.push(vec![
                mem.committee_id.into(),
                mem.id.into(),
                month.into(),
                mem.org_id.into(),
                due.amount.0.into(),
                paid_on.map(|_| due.amount.0).into(),
                paid_on.into(),
                if paid_on.is_some() { methods[rng.gen_range(0..methods.len())] } else { "" }.into(),
                "".into(),
                "cli:demo".into(),
                paid_on.map(|_| now).into(),
                i64::from(paid_on.is_some_and(|d| core_dues::paid_on_time(month, d))).into(),
            ]);
        }
        summary.charges += rows.len();
        bulk::insert_rows(&mut tx, "dues_charges", CHARGE_COLS, rows).await?;
        let mut units: Vec<(i64, (i64, i64))> = per_unit.into_iter().collect();
        units.sort_by_key(|u| u.0);
        for (c, (n, fen)) in units {
            let settled = month < current;
            cycles.push(vec![
                c.into(),
                month.into(),
                if settled { "settled" } else { "collecting" }.into(),
                n.into(),
                fen.into(),
                "cli:demo".into(),
                now.into(),
                if settled { "cli:demo" } else { "" }.into(),
                if settled { Some(now) } else { None }.into(),
            ]);
        }
    }
    bulk::insert_rows(
        &mut tx,
        "dues_cycles",
        "committee_id, month, status, members, expected_fen, opened_by, opened_at, settled_by, settled_at",
        cycles,
    )
    .await?;
    if tx.backend() == xianfeng_store::Backend::Sqlite {
        tx.c().execute(q!("PRAGMA cache_size = -2000")).await?;
    }
    tx.commit().await?;
    // The rollup from the charges, by the same code as `xianfeng rollups rebuild`.
    let root = xianfeng_store::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    let console = xianfeng_core::auth::operator::province_org_scope(&root.path);
    xianfeng_store::dues::tally::rebuild(store, &console.writer()?).await?;
    xianfeng_store::dues::owed::rebuild(store, &console.writer()?).await?;
    Ok(summary)
}
