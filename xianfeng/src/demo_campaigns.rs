//! Demo campaigns through the same calls the pages make: 模范机关 for 2023
//! and 2024 (every unit applies, a panel of seven scores, 10 标兵 and 40 先进
//! a year under the quotas: 20 and 80 since 2023, as the report says), and 四强党支部 for 2024 and 2025 from the branches that
//! ranked best in those years' 排队抓尾; 四好党员 2025; and 清廉机关 for last
//! year, for which every unit applies and those with a sanction that year are
//! refused by the campaign's condition (run after the discipline demo).

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use xianfeng_core::auth::operator;
use xianfeng_core::campaign::Tier;
use xianfeng_core::member::MemberStatus;
use xianfeng_core::states::sql;
use xianfeng_store::campaign::{self as camp, CampaignInput};
use xianfeng_store::{Store, StoreError, Who};

#[derive(Debug, Clone, Default)]
pub struct CampaignSummary {
    pub campaigns: usize,
    pub applications: usize,
    /// Applications refused by a campaign's eligibility condition.
    pub refused: usize,
    pub honors: usize,
}

/// Reviewer ids for the demo panels (panel members need no account to be scored as).
const PANEL: [i64; 7] = [-1, -2, -3, -4, -5, -6, -7];

pub async fn generate(store: &Store, seed: u64, today: NaiveDate) -> Result<CampaignSummary, StoreError> {
    let root = xianfeng_store::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    let os = operator::province_org_scope(&root.path);
    let ms = operator::province_member_scope(&root.path);
    let who = Who::operator("demo");
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6361_6d70);
    let mut s = CampaignSummary::default();
    let units = xianfeng_store::org::children(store.db.r(), &os, &root, false).await?;
    // 模范机关 in 2023 and 2024: every unit applies each year; 10 标兵 and 40 先进 a year,
    // so "2023年以来 标兵单位20个、先进单位80个" comes out of the honors register
    // (quotas shrink with a smaller demo).
    let quota = |n: usize, share: f64| ((n as f64 * share).round() as u32).max(1);
    let subjects: Vec<i64> = units.iter().map(|u| u.id).collect();
    for year in [2023, 2024] {
        let tiers = vec![
            Tier { name: "标兵单位".into(), quota: quota(units.len(), 10.0 / 83.0) },
            Tier { name: "先进单位".into(), quota: quota(units.len(), 40.0 / 83.0) },
        ];
        s.honors += run(store, &os, &ms, &who, &mut rng, today, "model_organ", year, tiers, &subjects, &mut s).await?;
    }
    // 四强党支部 for 2024 and 2025: the best-ranked fifth of branches apply.
    for year in [2024, 2025] {
        let (_, rows) = xianfeng_store::ranking::compute(store, &root, year).await?;
        let best: Vec<i64> = rows.iter().take(rows.len() / 5).map(|r| r.org_id).collect();
        if best.is_empty() {
            continue;
        }
        let tiers = vec![Tier { name: "四强党支部".into(), quota: quota(best.len(), 0.6) }];
        s.honors +=
            run(store, &os, &ms, &who, &mut rng, today, "four_strong_branch", year, tiers, &best, &mut s).await?;
    }
    // 四好党员 for 2025: a few full members of every unit with the year's dues paid up apply.
    let unpaid: std::collections::HashSet<(i64, i64)> = store
        .db
        .r()
        .fetch_all::<(i64, i64)>(xianfeng_store::q!(
            "SELECT DISTINCT committee_id, member_id FROM dues_charges WHERE paid_fen IS NULL"
        ))
        .await?
        .into_iter()
        .collect();
    let members: Vec<(i64, i64)> = store
        .db
        .r()
        .fetch_all::<(i64, i64)>(xianfeng_store::q!(format!(
            "SELECT committee_id, id FROM members WHERE status = {full} ORDER BY committee_id, id",
            full = sql(MemberStatus::Full)
        )))
        .await?;
    let mut per_unit: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    let picked: Vec<i64> = members
        .into_iter()
        .filter(|m| !unpaid.contains(m))
        .filter(|m| {
            let n = per_unit.entry(m.0).or_default();
            *n += 1;
            (*n).is_multiple_of(97) && *n <= 97 * 4
        })
        .map(|m| m.1)
        .collect();
    if !picked.is_empty() {
        let tiers = vec![Tier { name: "四好党员".into(), quota: quota(picked.len(), 0.6) }];
        s.honors +=
            run(store, &os, &ms, &who, &mut rng, today, "four_good_member", 2025, tiers, &picked, &mut s).await?;
    }
    // 清廉机关 for last year: every unit applies; the condition refuses units with a sanction that year.
    let last_year = chrono::Datelike::year(&today) - 1;
    let tiers = vec![Tier { name: "清廉机关".into(), quota: quota(units.len(), 30.0 / 83.0) }];
    s.honors += run(store, &os, &ms, &who, &mut rng, today, "clean_organ", last_year, tiers, &subjects, &mut s).await?;
    Ok(s)
}

#[allow(clippy::too_many_arguments)]
async fn run(
    store: &Store,
    os: &xianfeng_core::auth::OrgScope,
    ms: &xianfeng_core::auth::MemberScope,
    who: &Who,
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    honor: &str,
    year: i32,
    tiers: Vec<Tier>,
    subjects: &[i64],
    s: &mut CampaignSummary,
) -> Result<usize, StoreError> {
    let c = camp::create(
        store,
        os,
        who,
        &CampaignInput {
            honor: honor.into(),
            year,
            tiers,
            apply_until: Some(xianfeng_core::text::today_cn()),
            ..Default::default()
        },
    )
    .await?;
    s.campaigns += 1;
    let criteria = c.criteria()?;
    let mut apps = Vec::new();
    for id in subjects {
        let quality: f64 = rng.gen_range(0.6..1.0);
        let points: Vec<u32> =
            criteria.iter().map(|k| ((f64::from(k.weight) * quality).round() as u32).min(k.weight)).collect();
        match camp::apply(store, &ms.writer()?, who, c.id, *id, &points, "按评选标准对照自评，佐证材料齐全").await
        {
            Ok(a) => apps.push(a),
            Err(StoreError::Rule(_)) => s.refused += 1,
            Err(e) => return Err(e),
        }
    }
    s.applications += apps.len();
    let panel: Vec<(i64, Option<i64>, String)> =
        PANEL.iter().map(|id| (*id, None, format!("评审专家{}", -id))).collect();
    camp::set_reviewers(store, os, who, c.id, &panel).await?;
    camp::close_applications(store, os, who, c.id, None).await?;
    for a in &apps {
        let base = a.self_total as f64 / 100.0;
        for r in PANEL {
            let q = (base + rng.gen_range(-0.12..0.08)).clamp(0.3, 1.0);
            let points: Vec<u32> =
                criteria.iter().map(|k| ((f64::from(k.weight) * q).round() as u32).min(k.weight)).collect();
            camp::score(store, who, &operator::as_user(r), a.key(), &points).await?;
        }
    }
    // Publicity in December of the campaign's year, or last week when that is still to come.
    let (mut from, mut to) =
        (NaiveDate::from_ymd_opt(year, 12, 1).unwrap_or(today), NaiveDate::from_ymd_opt(year, 12, 7).unwrap_or(today));
    let now = xianfeng_core::text::today_cn();
    if to >= now {
        from = now - chrono::Days::new(8);
        to = now - chrono::Days::new(1);
    }
    camp::publish(store, os, who, c.id, from, to, None).await?;
    Ok(camp::name(store, os, who, c.id, None).await?.len())
}
