//! The demo province (演示数据): the 83 provincial units of `data/units.txt`
//! with their party committees, general branches, branches, groups and some
//! 45,000 members, generated from a seed for demonstrations, load tests and
//! screenshots. Only for an empty database; never next to real data.
//!
//! - **Deterministic**: the same seed, scale and date give the same province
//!   (names, ID numbers, phones, tree, posts, terms). Ids come from the
//!   allocator, so they match too on a fresh database.
//! - **Scale** multiplies members, and with them branches. From 0.1 up every
//!   unit is generated at `scale` times its size. Below 0.1 only the first
//!   `max(3, round(83 × scale × 5))` units of the roster are generated,
//!   enlarged alike so that together they hold `scale` times the province's
//!   members: units keep a realistic shape (0.02: the first 8 units with
//!   about 1,000 members). No unit gets fewer than 12 members.
//! - **Shape** follows the organ rules: every unit has its 机关党委; 处室 get a
//!   branch each; bureaus, institutes and other subordinate bodies with 50 or
//!   more members group their branches under a 党总支; retirees (10–15 %) sit
//!   in 离退休干部 branches, under a 党总支 when they number 50 or more.
//! - **Warnings on purpose**: a few branches have fewer than 3 full members or
//!   more than 50 members (the first unit always has one of each), about 2 %
//!   of branches with 7 or more full members have only a secretary and no
//!   委员, about 5 % of terms end within the reminder window and 3 % are over.
//! - **Writes** go through [`xianfeng_store::bulk`]: batched multi-row
//!   INSERTs in one transaction, protected fields sealed like every member
//!   record, a history row per org and member, one audit row for the run.

use std::collections::HashSet;
use std::time::Instant;

use chrono::{Days, Months, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use xianfeng_core::idcard;
use xianfeng_core::member::{MemberStatus, ValidMember};
use xianfeng_core::org::{self as core_org, OrgKind};
use xianfeng_core::rules::OrgRules;
use xianfeng_store::audit::{Event, append};
use xianfeng_store::bulk::{self, NewMember, NewMemberHistory, NewOrg, NewOrgHistory, NewPost};
use xianfeng_store::org::OrgRow;
use xianfeng_store::{Store, StoreError, Tx, Who, q};

/// The roster: `district<TAB>unit name` per line, `#` comments.
use crate::demo_data::DATA;

mod people;
mod plan;
mod roster;
mod write;

use self::people::*;
use self::plan::*;
use self::roster::*;
use self::write::*;
use xianfeng_core::states::sql;
use xianfeng_core::states::sql_in;

const UNITS_TXT: &str = include_str!("../../data/units.txt");

/// The root org the demo hangs under.
pub const ROOT_NAME: &str = "中共贵州省直属机关工作委员会";

/// The largest scale accepted (about 900,000 members).
pub const MAX_SCALE: f64 = 20.0;

/// Reason written on every history row of the demo.
const REASON: &str = "演示数据";

/// Members buffered before a batch of INSERTs is sent.
const FLUSH_AT: usize = 2_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    /// 1.0 is the whole province: 83 units, 4,000+ branches, 40,000+ members.
    pub scale: f64,
    pub seed: u64,
    /// The day the province is generated as of: ages, probation, terms.
    pub today: NaiveDate,
    /// Also generate organizational life since 2021 (meetings and attendance).
    pub meetings: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { scale: 1.0, seed: 2025, today: xianfeng_core::text::today_cn(), meetings: true }
    }
}

/// What was generated. `members` counts full and probationary members;
/// `pipeline` counts applicants, activists and candidates; neither counts the
/// few transferred-out and deceased records kept for history.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub units: usize,
    pub party_committees: usize,
    pub general_branches: usize,
    pub branches: usize,
    pub groups: usize,
    pub members: usize,
    pub probationary: usize,
    pub pipeline: usize,
    pub root_id: i64,
    /// 省工业和信息化厅 when generated, else the first unit.
    pub sample_unit_id: i64,
    /// A rule-abiding branch of the sample unit with a committee and groups.
    pub sample_branch_id: i64,
    /// The sample branch's secretary (a full member).
    pub sample_member_id: i64,
    /// Meetings written (held and planned), attendance rows and meetings still planned.
    pub meetings: usize,
    pub attendance: usize,
    pub planned_meetings: usize,
    /// A meeting of the sample branch planned for today (0 without meetings).
    pub sample_meeting_id: i64,
    /// Members given a dues setting (type and base) from January 2021.
    pub dues_settings: usize,
    /// Monthly dues charges since January 2021, and how many are unpaid.
    pub dues_charges: usize,
    pub dues_unpaid: usize,
    /// Recruitment cases (one per person in the pipeline or on probation), their events, and people left without one.
    pub recruitment_cases: usize,
    pub recruitment_events: usize,
    pub recruitment_skipped: usize,
    /// Time for the province alone (orgs and members), and in all.
    pub province_ms: u128,
    pub elapsed_ms: u128,
}

/// Generates the demo province into an empty, migrated store: creates the
/// root if missing, refuses a store that already has units.
pub async fn generate(store: &Store, opts: &DemoOptions) -> Result<DemoSummary, StoreError> {
    use crate::progress::phase;
    let started = Instant::now();
    if !(opts.scale > 0.0 && opts.scale <= MAX_SCALE) {
        return Err(StoreError::invalid("scale", format!("规模系数应大于0且不超过{MAX_SCALE}")));
    }
    let root = xianfeng_store::org::ensure_root(store, ROOT_NAME).await?;
    let rules: OrgRules = store.rules().await?.get::<OrgRules>(opts.today);
    let roster = roster();
    let (count, factor) = selection(&roster, opts.scale);
    let units = &roster[..count];
    let sample_pos = units.iter().position(|u| u.name == "省工业和信息化厅").unwrap_or(0);

    let who = Who::operator("demo");
    let now = xianfeng_core::text::now_ms();
    let mut g = Gen::new(opts.seed, opts.today);
    let mut summary = DemoSummary {
        units: 0,
        party_committees: 0,
        general_branches: 0,
        branches: 0,
        groups: 0,
        members: 0,
        probationary: 0,
        pipeline: 0,
        root_id: root.id,
        sample_unit_id: 0,
        sample_branch_id: 0,
        sample_member_id: 0,
        meetings: 0,
        attendance: 0,
        planned_meetings: 0,
        sample_meeting_id: 0,
        dues_settings: 0,
        dues_charges: 0,
        dues_unpaid: 0,
        recruitment_cases: 0,
        recruitment_events: 0,
        recruitment_skipped: 0,
        province_ms: 0,
        elapsed_ms: 0,
    };

    let mut tx = store.db.begin().await?;
    let existing = tx
        .c()
        .fetch_scalar_i64(q!(format!("SELECT COUNT(*) AS v FROM orgs WHERE kind = {unit}", unit = sql(OrgKind::Unit))))
        .await?;
    if existing > 0 {
        return Err(StoreError::Rule(format!("数据库中已有{existing}个单位，演示数据只能生成在空库中")));
    }
    let mut buf = Buffers::default();
    let mut bar = crate::progress::Progress::new("演示数据：单位、组织与党员", units.len() as u64, "个单位");
    for (pos, unit) in units.iter().enumerate() {
        let jitter = g.rng.gen_range(0.92..1.08);
        let size = ((unit.base as f64 * jitter * factor).round() as usize).max(12);
        let plan = plan_unit(&mut g, unit, size, pos == 0, &rules);
        summary.units += 1;
        for o in &plan.orgs {
            match o.kind {
                OrgKind::PartyCommittee => summary.party_committees += 1,
                OrgKind::GeneralBranch => summary.general_branches += 1,
                OrgKind::Branch => summary.branches += 1,
                OrgKind::Group => summary.groups += 1,
                _ => {}
            }
        }
        for p in &plan.people {
            match p.v.status {
                MemberStatus::Full => summary.members += 1,
                MemberStatus::Probationary => {
                    summary.members += 1;
                    summary.probationary += 1;
                }
                MemberStatus::Applicant | MemberStatus::Activist | MemberStatus::Candidate => summary.pipeline += 1,
                _ => {}
            }
        }
        let written = write_unit(&mut tx, &root, plan, &mut buf).await?;
        if pos == sample_pos {
            summary.sample_unit_id = written.unit_id;
            summary.sample_branch_id = written.sample_branch_id;
            summary.sample_member_id = written.sample_member_id;
        }
        if buf.members.len() >= FLUSH_AT {
            buf.flush(&mut tx, store, &who, now).await?;
        }
        bar.advance(1);
    }
    buf.flush(&mut tx, store, &who, now).await?;
    bar.finish();
    let detail = format!(
        "生成演示数据：{}个单位，{}个党支部，{}名党员（规模{}，种子{}）",
        summary.units, summary.branches, summary.members, opts.scale, opts.seed
    );
    append(&mut tx, &store.keys.audit_key, &who, Event::ok("import", "demo", root.id).detail(detail)).await?;
    tx.commit().await?;
    summary.province_ms = started.elapsed().as_millis();
    if opts.meetings {
        let m = phase("演示数据：组织生活", crate::demo_meetings::generate(store, opts.seed, opts.today)).await?;
        summary.meetings = m.meetings;
        summary.attendance = m.attendance;
        summary.planned_meetings = m.planned;
        // Today's theme day of the sample branch, ready for check-in.
        let scope = xianfeng_core::auth::operator::province_org_scope(&root.path);
        let plan = xianfeng_core::meeting::PlanInput {
            kind: "theme_day".into(),
            planned_on: opts.today.to_string(),
            start_time: "15:00".into(),
            place: "党员活动室".into(),
            topic: "主题党日：学习贯彻党的二十届四中全会精神".into(),
            ..Default::default()
        };
        let m = xianfeng_store::meeting::plan(store, &scope.writer()?, &who, summary.sample_branch_id, &plan).await?;
        summary.sample_meeting_id = m.id;
    }
    summary.dues_settings = phase("演示数据：党费基数", dues_settings(store, opts.seed)).await?;
    if opts.meetings {
        let d = phase("演示数据：党费收缴", crate::demo_dues::generate(store, opts.seed, opts.today)).await?;
        summary.dues_charges = d.charges;
        summary.dues_unpaid = d.unpaid;
    }
    let r = phase("演示数据：发展党员", crate::demo_recruitment::generate(store, opts.seed, opts.today)).await?;
    summary.recruitment_cases = r.cases;
    summary.recruitment_events = r.events;
    summary.recruitment_skipped = r.skipped;
    summary.elapsed_ms = started.elapsed().as_millis();
    Ok(summary)
}

/// Every full or probationary member gets a dues setting from January 2021:
/// retirees a pension, everyone else an after-tax wage, spread like a
/// provincial organ's pay scale.
async fn dues_settings(store: &Store, seed: u64) -> Result<usize, StoreError> {
    #[derive(sqlx::FromRow)]
    struct M {
        committee_id: i64,
        id: i64,
        category: String,
        cadre_rank: String,
    }
    let members: Vec<M> = store
        .db
        .r()
        .fetch_all(q!(
            format!("SELECT committee_id, id, category, cadre_rank FROM members WHERE status IN {members} ORDER BY committee_id, id", members = sql_in(&MemberStatus::MEMBERS))
        ))
        .await?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6475_6573);
    let from = NaiveDate::from_ymd_opt(2021, 1, 1).expect("date");
    let now = xianfeng_core::text::now_ms();
    let rows: Vec<Vec<xianfeng_store::db::Arg>> = members
        .iter()
        .map(|m| {
            let retired = m.category == "离退休人员";
            let senior = m.cadre_rank.contains("厅") || m.cadre_rank.contains("处");
            let yuan: i64 = if retired {
                rng.gen_range(3_500..9_000)
            } else if senior {
                rng.gen_range(8_000..16_000)
            } else {
                rng.gen_range(3_800..9_500)
            };
            let fen = yuan * 100 + rng.gen_range(0..100);
            vec![
                m.committee_id.into(),
                m.id.into(),
                from.into(),
                if retired { "retired" } else { "salaried" }.into(),
                fen.into(),
                0i64.into(),
                "cli:demo".into(),
                now.into(),
            ]
        })
        .collect();
    let n = rows.len();
    let mut tx = store.db.begin().await?;
    bulk::insert_rows(
        &mut tx,
        "dues_bases",
        "committee_id, member_id, effective_from, member_type, base_fen, fixed_fen, set_by, set_at",
        rows,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// How many units of the roster to generate and the factor on their sizes:
/// all at `scale` from 0.1 up; below, the first `max(3, round(83 × scale × 5))`
/// enlarged so that together they hold `scale` times the province.
fn selection(roster: &[UnitDef], scale: f64) -> (usize, f64) {
    if scale >= 0.1 {
        return (roster.len(), scale);
    }
    let n = ((roster.len() as f64 * scale * 5.0).round() as usize).clamp(3, roster.len());
    let all: usize = roster.iter().map(|u| u.base).sum();
    let chosen: usize = roster[..n].iter().map(|u| u.base).sum();
    (n, scale * all as f64 / chosen as f64)
}

#[cfg(test)]
mod tests;
