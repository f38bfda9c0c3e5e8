//! Demo rectifications: for last year's ranking (computed from the demo's own
//! records), most tail branches have a plan; some are lifted, some wait for
//! their unit's verification, some are still being worked on.

use chrono::Datelike;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use xianfeng_core::auth::operator;
use xianfeng_store::rectification::{self as rect, PlanInput, Step};
use xianfeng_store::{Store, StoreError, Who};

#[derive(Debug, Clone, Default)]
pub struct RectificationSummary {
    pub tail: usize,
    pub plans: usize,
    pub lifted: usize,
}

const PROBLEMS: [(&str, &str); 3] = [
    ("组织生活会议未按期召开", "制定全年会议计划，每月主题党日固定日期，支部委员分工督促"),
    ("党员出勤率偏低", "会前逐人通知，请假报备，缺席人员会后补学"),
    ("党费未按月交纳", "逐人提醒，按月收缴，工资代扣"),
];

pub async fn generate(store: &Store, seed: u64, today: chrono::NaiveDate) -> Result<RectificationSummary, StoreError> {
    let root = xianfeng_store::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    let os = operator::province_org_scope(&root.path);
    let higher = operator::province_higher_committee(&root.path);
    let who = Who::operator("demo");
    let year = today.year() - 1;
    let (_, rows) = xianfeng_store::ranking::compute(store, &root, year).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7265_6374);
    let mut s = RectificationSummary { tail: rows.iter().filter(|r| r.tail).count(), ..Default::default() };
    for r in rows.iter().filter(|r| r.tail) {
        if !rng.gen_bool(0.85) {
            continue;
        }
        let (problems, measures) = PROBLEMS[rng.gen_range(0..PROBLEMS.len())];
        let plan = PlanInput {
            org_id: r.org_id,
            year,
            problems: problems.into(),
            measures: measures.into(),
            owner: "支部书记".into(),
            deadline: Some(xianfeng_core::text::today_cn() + chrono::Days::new(rng.gen_range(15..120))),
        };
        let p = rect::open(store, &os.writer()?, &who, &plan).await?;
        s.plans += 1;
        let stage: f64 = rng.r#gen();
        if stage < 0.3 {
            continue;
        }
        rect::step(store, &os.writer()?, None, &who, p.id, Step::Progress, "已召开支部委员会研究整改", None).await?;
        rect::step(store, &os.writer()?, None, &who, p.id, Step::Submit, "整改措施已落实", None).await?;
        if stage > 0.55 {
            rect::step(store, &os.writer()?, Some(&higher), &who, p.id, Step::Lift, "经核查，整改到位", None).await?;
            s.lifted += 1;
        }
    }
    Ok(s)
}
