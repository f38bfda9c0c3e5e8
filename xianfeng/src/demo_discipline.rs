//! Demo discipline cases through the same call as the page: 1,670 people at
//! section level or below and 437 at division level sanctioned or handled from
//! 2021 to 2025 (the report's figures at scale 1.0), and a few this year. Cases
//! fall mostly on the large units; about three in ten are party or government
//! sanctions, the rest organizational handling. Six in ten concern a party
//! member of the unit, linked to the member record.

use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use xianfeng_core::auth::operator;
use xianfeng_core::discipline::{CaseInput, CaseKind, Category};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::states::sql;
use xianfeng_store::discipline as d;
use xianfeng_store::{Store, StoreError, Who};

#[derive(Debug, Clone, Default)]
pub struct DisciplineSummary {
    pub cases: usize,
    pub sanctions: usize,
    pub members: usize,
}

/// The report's figures for 2021–2025 (people, at scale 1.0).
pub const SECTION_2021_2025: usize = 1670;
pub const DIVISION_2021_2025: usize = 437;

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "罗", "龙"];
const SUMMARIES: [&str; 6] = [
    "违反中央八项规定精神，违规收受礼品礼金",
    "工作中不担当不作为，造成不良影响",
    "违规公款吃喝",
    "违反组织纪律，个人有关事项报告不实",
    "利用职务便利为他人谋取利益",
    "政务服务窗口作风漂浮，群众反映强烈",
];

fn kinds_of(c: Category) -> Vec<&'static str> {
    CaseKind::ALL.iter().filter(|k| k.category() == c).map(|k| k.as_str()).collect()
}

pub async fn generate(store: &Store, seed: u64, scale: f64, today: NaiveDate) -> Result<DisciplineSummary, StoreError> {
    let root = xianfeng_store::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    let scope = operator::province_discipline_scope(&root.path);
    let os = operator::province_org_scope(&root.path);
    let who = Who::operator("demo");
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6a69_6a69);
    let units = xianfeng_store::org::children(store.db.r(), &os, &root, false).await?;
    // Full members per unit: (id, name); the case weight grows with the square of the size.
    let rows: Vec<(i64, i64, String)> = store
        .db
        .r()
        .fetch_all(xianfeng_store::q!(format!(
            "SELECT committee_id, id, name FROM members WHERE status = {full} ORDER BY committee_id, id",
            full = sql(MemberStatus::Full)
        )))
        .await?;
    let mut members: std::collections::HashMap<i64, Vec<(i64, String)>> = Default::default();
    for (c, id, name) in rows {
        members.entry(c).or_default().push((id, name));
    }
    let weights: Vec<f64> = units.iter().map(|u| (members.get(&u.id).map_or(1, |v| v.len()) as f64).powi(2)).collect();
    let total_w: f64 = weights.iter().sum();
    let pick_unit = |rng: &mut ChaCha8Rng| {
        let mut x = rng.gen_range(0.0..total_w);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    };
    let n = |k: usize| ((k as f64 * scale).round() as usize).max(1);
    // (rank, how many, sanction share): 2021–2025, then this year up to today.
    let this_year = today.year();
    let mut plan: Vec<(i32, &str, f64)> = Vec::new();
    for (rank, count, share) in
        [("section_level_or_below", n(SECTION_2021_2025), 0.3), ("division_level", n(DIVISION_2021_2025), 0.6)]
    {
        for i in 0..count {
            plan.push((2021 + (i % 5) as i32, rank, share));
        }
    }
    if this_year > 2025 {
        for i in 0..n(300) {
            plan.push((this_year, if i % 5 == 0 { "division_level" } else { "section_level_or_below" }, 0.35));
        }
    }
    let mut s = DisciplineSummary::default();
    for (year, rank, share) in plan {
        let u = &units[pick_unit(&mut rng)];
        let category = if rng.gen_bool(share) {
            if rng.gen_bool(0.7) { Category::PartySanction } else { Category::GovernmentSanction }
        } else {
            Category::Handling
        };
        let ks = kinds_of(category);
        // Lighter outcomes are more common.
        let k = ks[(rng.gen_range(0.0f64..1.0).powi(2) * ks.len() as f64) as usize];
        let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today).min(today);
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
        let on = first + Days::new(rng.gen_range(0..=(last - first).num_days().max(0)) as u64);
        let member = match members.get(&u.id) {
            Some(v) if rng.gen_bool(0.6) => Some(v[rng.gen_range(0..v.len())].clone()),
            _ => None,
        };
        let input = CaseInput {
            person_name: match &member {
                Some((_, name)) => name.clone(),
                None => format!(
                    "{}某{}",
                    SURNAMES[rng.gen_range(0..SURNAMES.len())],
                    if rng.gen_bool(0.5) { "某" } else { "" }
                ),
            },
            member_id: member.as_ref().map(|m| m.0),
            org_id: Some(u.id),
            cadre_rank: rank.into(),
            kind: k.into(),
            decided_on: Some(on),
            decided_by: if rank == "division_level" {
                "省直机关纪检监察工委".into()
            } else {
                format!("{}纪检监察组", u.name)
            },
            document_no: String::new(),
            summary: SUMMARIES[rng.gen_range(0..SUMMARIES.len())].into(),
        };
        d::create(store, &scope, &who, &input).await?;
        s.cases += 1;
        s.sanctions += usize::from(category.is_sanction());
        s.members += usize::from(member.is_some());
    }
    Ok(s)
}
