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
const UNITS_TXT: &str = include_str!("../data/units.txt");

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
    let existing = tx.c().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM orgs WHERE kind = 'unit'")).await?;
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
        let m = xianfeng_store::meeting::plan(store, &scope, &who, summary.sample_branch_id, &plan).await?;
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
            "SELECT committee_id, id, category, cadre_rank FROM members WHERE status IN ('full', 'probationary') ORDER BY committee_id, id"
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

// ---------------------------------------------------------------------------
// The roster

/// A unit of the roster and its size at scale 1.0 (party members, retirees included).
#[derive(Debug, Clone)]
struct UnitDef {
    district: &'static str,
    name: &'static str,
    base: usize,
}

fn roster() -> Vec<UnitDef> {
    UNITS_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(district, name)| UnitDef { district: district.trim(), name: name.trim(), base: base_size(name.trim()) })
        .collect()
}

/// Party members of a unit at scale 1.0 (demo figures, not statistics).
fn base_size(unit: &str) -> usize {
    match unit {
        "省公安厅" => 2300,
        "省教育厅" => 2100,
        "省财政厅" => 1850,
        "省监狱管理局" => 1680,
        "省农业科学院" => 1560,
        "省交通运输厅" => 1500,
        "省地矿局" => 1440,
        "省自然资源厅" => 1380,
        "省卫生健康委员会" => 1340,
        "省农业农村厅" => 1180,
        "省戒毒管理局" => 1130,
        "省纪委监委机关" => 1060,
        "省高级人民法院" => 1030,
        "省市场监督管理局" => 980,
        "省委党校" => 940,
        "省水利厅" => 910,
        "省人民检察院" => 890,
        "省林业局" => 860,
        "省科学院" => 830,
        "省生态环境厅" => 820,
        "省发展和改革委员会" => 780,
        "省文化和旅游厅" => 770,
        "省人力资源和社会保障厅" => 740,
        "省住房和城乡建设厅" => 700,
        "省政府办公厅" | "省司法厅" => 670,
        "省委办公厅" | "省工业和信息化厅" | "省机关事务管理局" => 620,
        "省民政厅" => 580,
        "省社会科学院" => 550,
        "省委组织部" | "省审计厅" => 520,
        "省人大常委会办公厅" | "省科学技术厅" | "省应急管理厅" => 500,
        "省政协办公厅" | "省广播电视局" => 470,
        "省委宣传部" | "省商务厅" => 430,
        "省体育局" => 400,
        "省粮食和物资储备局" => 370,
        "省统计局" => 360,
        "省药品监督管理局" => 350,
        "省委统战部" | "省总工会" => 340,
        "省退役军人事务厅" | "省大数据发展管理局" | "省供销社" => 310,
        "省乡村振兴局" => 290,
        "省委政法委" => 280,
        "省民族宗教事务委员会" | "省医疗保障局" | "省科协" => 250,
        "省档案馆" | "省能源局" => 230,
        "省委老干部局" => 220,
        "省文联" => 200,
        "省委网信办" | "省人防办" => 190,
        "省委社会工作部" | "省信访局" | "省地方金融管理局" | "省残联" => 180,
        "省委政策研究室" | "省投资促进局" | "省文物局" => 170,
        "省委外办" | "省委金融办" | "省妇联" | "省工商联" | "省公共资源交易中心" => 160,
        "省委编办" | "团省委" | "省中医药管理局" => 140,
        "省委党史研究室" | "省政府研究室" | "省社科联" | "省贸促会" => 130,
        "省委台办" | "省侨联" | "省红十字会" | "省作协" => 120,
        _ => 240,
    }
}

/// Which kinds of staff a body employs (drives 人员类别, 职级 and 岗位).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// Party and government departments: civil servants.
    Admin,
    /// Public security, prisons, drug rehabilitation: police (civil servants).
    Police,
    /// Mass organizations: staff managed like civil servants.
    MassOrg,
    /// Public institutions: managers and professionals.
    Institution,
    /// Academies and the party school: researchers and teachers.
    Academic,
}

fn unit_profile(unit: &str) -> Profile {
    match unit {
        "省委党校" | "省社会科学院" | "省农业科学院" | "省科学院" => Profile::Academic,
        "省公安厅" | "省监狱管理局" | "省戒毒管理局" => Profile::Police,
        "省档案馆" | "省公共资源交易中心" | "省地矿局" => Profile::Institution,
        "省总工会" | "团省委" | "省妇联" | "省科协" | "省文联" | "省社科联" | "省侨联" | "省残联" | "省红十字会"
        | "省作协" | "省贸促会" | "省工商联" | "省供销社" => Profile::MassOrg,
        _ => Profile::Admin,
    }
}

/// Bureaus, courts, institutes and subordinate bodies of the larger units,
/// each holding several branches, and the profile of their staff.
fn departments(unit: &str) -> (&'static [&'static str], Profile) {
    match unit {
        "省公安厅" => (
            &[
                "政治部",
                "指挥中心",
                "治安管理总队",
                "刑事侦查总队",
                "经济犯罪侦查总队",
                "禁毒总队",
                "网络安全保卫总队",
                "交通管理局",
                "出入境管理局",
                "特警总队",
                "反恐怖总队",
                "监所管理总队",
                "科技信息化总队",
                "警务保障部",
                "警务督察总队",
                "食品药品和环境犯罪侦查总队",
                "人口与户政管理总队",
                "技术侦察总队",
                "国内安全保卫总队",
                "警察训练基地",
            ],
            Profile::Police,
        ),
        "省教育厅" => (
            &[
                "教育考试院",
                "教育科学研究所",
                "电化教育馆",
                "学生资助管理中心",
                "教育技术装备中心",
                "高校毕业生就业指导中心",
                "语言文字工作中心",
                "教育国际交流中心",
                "中小学教师发展中心",
                "教育评估院",
                "教材审查中心",
                "基础教育质量监测中心",
                "职业教育发展研究中心",
            ],
            Profile::Institution,
        ),
        "省财政厅" => (
            &[
                "财政科学研究所",
                "国库支付中心",
                "会计服务中心",
                "政府采购中心",
                "财政信息中心",
                "预算评审中心",
                "农业综合开发服务中心",
                "非税收入管理局",
                "财政票据管理中心",
                "国有资产管理中心",
                "金融发展服务中心",
                "财政监督检查局",
            ],
            Profile::Institution,
        ),
        "省监狱管理局" => (
            &[
                "贵阳监狱",
                "羊艾监狱",
                "遵义监狱",
                "凯里监狱",
                "都匀监狱",
                "北斗山监狱",
                "女子监狱",
                "未成年犯管教所",
                "中心医院",
                "瓮安监狱",
                "平坝监狱",
                "兴义监狱",
                "六盘水监狱",
                "毕节监狱",
                "铜仁监狱",
                "德江监狱",
            ],
            Profile::Police,
        ),
        "省农业科学院" => (
            &[
                "水稻研究所",
                "旱粮研究所",
                "油料研究所",
                "园艺研究所",
                "茶叶研究所",
                "畜牧兽医研究所",
                "植物保护研究所",
                "土壤肥料研究所",
                "果树科学研究所",
                "亚热带作物研究所",
                "草业研究所",
                "蚕业研究所",
                "生物技术研究所",
                "农业科技信息研究所",
                "作物品种资源研究所",
                "辣椒研究所",
                "食用菌研究所",
                "农产品加工研究所",
                "农业质量标准研究所",
            ],
            Profile::Academic,
        ),
        "省交通运输厅" => (
            &[
                "公路管理局",
                "道路运输局",
                "交通建设工程质量监督局",
                "综合行政执法局",
                "航务管理局",
                "交通规划勘察设计研究院",
                "交通运输信息中心",
                "公路工程造价站",
                "交通运输应急中心",
                "路网监测中心",
                "高速公路服务中心",
            ],
            Profile::Institution,
        ),
        "省地矿局" => (
            &[
                "一〇一地质大队",
                "一〇二地质大队",
                "一〇三地质大队",
                "一〇四地质大队",
                "一〇五地质大队",
                "一〇六地质大队",
                "一〇九地质大队",
                "一一一地质大队",
                "一一三地质大队",
                "一一四地质大队",
                "一一五地质大队",
                "一一六地质大队",
                "一一七地质大队",
                "地球物理地球化学勘查院",
                "地质矿产中心实验室",
                "区域地质调查研究院",
            ],
            Profile::Institution,
        ),
        "省自然资源厅" => (
            &[
                "不动产登记中心",
                "自然资源调查监测院",
                "国土资源勘测规划研究院",
                "第一测绘院",
                "第二测绘院",
                "第三测绘院",
                "基础地理信息中心",
                "土地整治中心",
                "地质环境监测院",
                "自然资源档案馆",
                "矿产资源储量评审中心",
            ],
            Profile::Institution,
        ),
        "省卫生健康委员会" => (
            &[
                "疾病预防控制中心",
                "卫生健康监督局",
                "人口发展研究中心",
                "医学考试中心",
                "卫生健康信息中心",
                "卫生健康宣传教育中心",
                "血液中心",
                "医疗保健中心",
                "卫生健康事业发展中心",
            ],
            Profile::Institution,
        ),
        "省农业农村厅" => (
            &[
                "农业技术推广总站",
                "植保植检站",
                "农业机械化技术推广总站",
                "农业生态与资源保护站",
                "农产品质量安全监督检验测试中心",
                "水产技术推广站",
                "种子管理站",
                "动物疫病预防控制中心",
                "农业综合行政执法监督局",
                "农业广播电视学校",
            ],
            Profile::Institution,
        ),
        "省戒毒管理局" => (
            &[
                "羊艾强制隔离戒毒所",
                "女子强制隔离戒毒所",
                "福泉强制隔离戒毒所",
                "遵义强制隔离戒毒所",
                "安顺强制隔离戒毒所",
                "毕节强制隔离戒毒所",
                "铜仁强制隔离戒毒所",
                "六盘水强制隔离戒毒所",
                "戒毒康复中心",
                "戒毒医院",
            ],
            Profile::Police,
        ),
        "省纪委监委机关" => (
            &[
                "第一监督检查室",
                "第二监督检查室",
                "第三监督检查室",
                "第四监督检查室",
                "第五监督检查室",
                "第六监督检查室",
                "第七监督检查室",
                "第八监督检查室",
                "第一审查调查室",
                "第二审查调查室",
                "第三审查调查室",
                "第四审查调查室",
                "案件审理室",
                "党风政风监督室",
                "信访室",
                "案件监督管理室",
            ],
            Profile::Admin,
        ),
        "省高级人民法院" => (
            &[
                "立案庭",
                "刑事审判第一庭",
                "刑事审判第二庭",
                "刑事审判第三庭",
                "民事审判第一庭",
                "民事审判第二庭",
                "民事审判第三庭",
                "民事审判第四庭",
                "行政审判庭",
                "审判监督庭",
                "执行局",
                "司法警察总队",
                "审判管理办公室",
            ],
            Profile::Admin,
        ),
        "省人民检察院" => (
            &[
                "第一检察部",
                "第二检察部",
                "第三检察部",
                "第四检察部",
                "第五检察部",
                "第六检察部",
                "第七检察部",
                "第八检察部",
                "控告申诉检察部",
                "案件管理办公室",
                "司法警察总队",
                "检察技术信息中心",
            ],
            Profile::Admin,
        ),
        "省市场监督管理局" => (
            &[
                "产品质量检验检测院",
                "计量测试院",
                "标准化院",
                "特种设备检验检测研究院",
                "食品检验检测院",
                "纤维检验局",
                "知识产权保护中心",
                "市场监管执法总队",
            ],
            Profile::Institution,
        ),
        "省委党校" => (
            &[
                "哲学教研部",
                "经济学教研部",
                "党史党建教研部",
                "政治学教研部",
                "法学教研部",
                "公共管理教研部",
                "文史教研部",
                "科学社会主义教研部",
                "决策咨询研究中心",
                "图书和文化馆",
                "学报编辑部",
                "培训部",
                "教务处",
                "科研处",
                "研究生部",
            ],
            Profile::Academic,
        ),
        "省水利厅" => (
            &[
                "水文水资源局",
                "水利科学研究院",
                "水土保持监测站",
                "河湖保护中心",
                "水利工程建设管理中心",
                "水库管理局",
                "水利工程质量监督站",
            ],
            Profile::Institution,
        ),
        "省林业局" => (
            &[
                "林业科学研究院",
                "林木种苗站",
                "林业调查规划院",
                "野生动植物保护中心",
                "林业有害生物防治检疫站",
                "国有林场管理站",
                "龙里林场",
                "扎佐林场",
                "湄潭林场",
            ],
            Profile::Institution,
        ),
        "省科学院" => (
            &[
                "生物研究所",
                "山地资源研究所",
                "化工研究院",
                "自动化研究所",
                "分析测试研究院",
                "新材料研究所",
                "山地生态研究所",
                "科技信息中心",
            ],
            Profile::Academic,
        ),
        "省生态环境厅" => (
            &[
                "生态环境监测中心",
                "环境科学研究设计院",
                "固体废物管理中心",
                "辐射环境监督站",
                "环境工程评估中心",
                "生态环境执法总队",
            ],
            Profile::Institution,
        ),
        "省社会科学院" => (
            &[
                "哲学研究所",
                "历史研究所",
                "经济研究所",
                "法律研究所",
                "社会研究所",
                "农村发展研究所",
                "文化研究所",
                "城市经济研究所",
                "区域经济研究所",
                "民族研究所",
                "党建研究所",
                "对外经济研究所",
                "期刊编辑部",
            ],
            Profile::Academic,
        ),
        "省文化和旅游厅" => (
            &[
                "省图书馆",
                "省博物馆",
                "省美术馆",
                "省文化馆",
                "省歌舞剧院",
                "省黔剧院",
                "省花灯剧院",
                "旅游发展研究中心",
                "文化市场综合执法监督局",
            ],
            Profile::Institution,
        ),
        "省人力资源和社会保障厅" => (
            &["社会保险事业局", "就业服务中心", "人事考试院", "职业技能鉴定中心", "劳动保障监察总队", "人才服务中心"],
            Profile::Institution,
        ),
        "省民政厅" => {
            (&["社会福利院", "救助管理站", "儿童福利院", "民政事务服务中心", "军休服务中心"], Profile::Institution)
        }
        "省机关事务管理局" => (
            &["公务用车服务中心", "机关幼儿园", "公共机构节能中心", "机关物业管理中心", "机关餐饮服务中心"],
            Profile::Institution,
        ),
        _ => (&[], Profile::Admin),
    }
}

/// Divisions (处室) of a department: one branch each.
const OFFICES: [&str; 48] = [
    "办公室",
    "政策法规处",
    "人事处",
    "计划财务处",
    "机关党委办公室",
    "综合处",
    "发展规划处",
    "法规处",
    "督查室",
    "研究室",
    "审计处",
    "行政审批处",
    "信息化处",
    "科技处",
    "对外合作处",
    "宣传处",
    "安全监管处",
    "监督检查处",
    "统计处",
    "离退休干部处",
    "执法监督处",
    "应急管理处",
    "产业发展处",
    "综合协调处",
    "秘书一处",
    "秘书二处",
    "秘书三处",
    "调研处",
    "信访处",
    "教育培训处",
    "组织处",
    "干部处",
    "财务审计处",
    "规划建设处",
    "市场监管处",
    "项目管理处",
    "资金管理处",
    "运行监测处",
    "标准化处",
    "质量管理处",
    "公共服务处",
    "数据管理处",
    "改革办",
    "行政许可处",
    "考核评价处",
    "社会事务处",
    "区域协调处",
    "投资处",
];

/// Subordinate institutions any department may have: one branch each.
const INSTITUTIONS: [&str; 10] = [
    "信息中心",
    "机关服务中心",
    "宣传教育中心",
    "培训中心",
    "发展研究中心",
    "监测中心",
    "技术服务中心",
    "档案资料中心",
    "评审中心",
    "事务服务中心",
];

// ---------------------------------------------------------------------------
// People

const SURNAMES: [(&str, u32); 66] = [
    ("王", 60),
    ("李", 55),
    ("张", 50),
    ("杨", 55),
    ("刘", 40),
    ("陈", 40),
    ("吴", 30),
    ("黄", 22),
    ("罗", 22),
    ("赵", 20),
    ("周", 20),
    ("胡", 12),
    ("何", 12),
    ("徐", 10),
    ("田", 10),
    ("龙", 10),
    ("孙", 9),
    ("朱", 9),
    ("唐", 9),
    ("潘", 9),
    ("石", 9),
    ("马", 8),
    ("郭", 8),
    ("高", 8),
    ("谢", 8),
    ("邓", 8),
    ("林", 7),
    ("郑", 7),
    ("梁", 7),
    ("彭", 7),
    ("肖", 7),
    ("袁", 7),
    ("韦", 7),
    ("宋", 6),
    ("冯", 6),
    ("曾", 6),
    ("余", 6),
    ("许", 5),
    ("韩", 5),
    ("曹", 5),
    ("董", 5),
    ("蒋", 5),
    ("熊", 5),
    ("蔡", 4),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("魏", 4),
    ("任", 4),
    ("付", 4),
    ("向", 4),
    ("廖", 4),
    ("姚", 3),
    ("陆", 3),
    ("汪", 3),
    ("卢", 3),
    ("邹", 3),
    ("蒙", 3),
    ("秦", 2),
    ("穆", 2),
    ("欧", 2),
    ("令狐", 1),
    ("欧阳", 1),
    ("岑", 2),
    ("安", 2),
    ("班", 1),
];

const MALE: [&str; 62] = [
    "伟", "强", "军", "勇", "杰", "涛", "斌", "磊", "鹏", "波", "辉", "刚", "健", "明", "超", "华", "亮", "平", "林",
    "峰", "俊", "浩", "宇", "飞", "凯", "鑫", "阳", "旭", "东", "海", "龙", "松", "文", "志", "建", "国", "成", "永",
    "德", "兴", "忠", "毅", "江", "洪", "坤", "彬", "睿", "晨", "翔", "昊", "博", "哲", "铭", "轩", "然", "锋", "川",
    "黔", "贵", "荣", "祥", "福",
];

const FEMALE: [&str; 46] = [
    "芳", "娟", "敏", "静", "丽", "艳", "霞", "燕", "玲", "红", "琳", "婷", "颖", "雪", "慧", "梅", "莉", "倩", "洁",
    "琴", "云", "萍", "丹", "蓉", "佳", "欣", "怡", "璐", "晓", "雯", "悦", "瑶", "晶", "英", "秀", "兰", "凤", "媛",
    "蕾", "珊", "露", "薇", "茜", "妍", "莎", "玉",
];

/// First characters of two-character given names, for either gender.
const NEUTRAL: [&str; 24] = [
    "文", "建", "晓", "思", "子", "雨", "春", "秋", "德", "家", "国", "小", "海", "学", "志", "永", "明", "安", "宏",
    "一", "天", "欣", "佳", "俊",
];

/// Ethnic groups in per mille: Guizhou's minorities make up about a third.
const ETHNICITIES: [(&str, u32); 16] = [
    ("汉族", 665),
    ("苗族", 105),
    ("布依族", 72),
    ("侗族", 50),
    ("土家族", 45),
    ("彝族", 20),
    ("仡佬族", 14),
    ("水族", 10),
    ("回族", 6),
    ("白族", 5),
    ("瑶族", 2),
    ("壮族", 2),
    ("满族", 1),
    ("蒙古族", 1),
    ("毛南族", 1),
    ("畲族", 1),
];

/// Region codes of Guizhou (GB/T 2260) opening the ID numbers.
const REGIONS: [(u32, u32); 15] = [
    (520102, 14),
    (520103, 14),
    (520111, 6),
    (520113, 4),
    (520115, 6),
    (520123, 2),
    (520181, 2),
    (520201, 6),
    (520302, 10),
    (520402, 6),
    (520502, 6),
    (520602, 5),
    (522301, 5),
    (522601, 8),
    (522701, 7),
];

const OTHER_PLACES: [&str; 10] = [
    "四川宜宾",
    "湖南怀化",
    "重庆",
    "云南曲靖",
    "湖南邵阳",
    "江西赣州",
    "广西桂林",
    "湖北恩施",
    "四川泸州",
    "河南南阳",
];

/// Guiyang communities: (district, community, street) for 双报到 and addresses.
const COMMUNITIES: [(&str, &str, &str); 24] = [
    ("云岩区", "中华路社区", "中华北路"),
    ("云岩区", "延安路社区", "延安中路"),
    ("云岩区", "市西路社区", "市西路"),
    ("云岩区", "北京路社区", "北京路"),
    ("云岩区", "黔灵东路社区", "黔灵东路"),
    ("云岩区", "威清路社区", "威清路"),
    ("云岩区", "普陀路社区", "普陀路"),
    ("云岩区", "宝山北路社区", "宝山北路"),
    ("南明区", "遵义路社区", "遵义路"),
    ("南明区", "兴关路社区", "兴关路"),
    ("南明区", "花果园社区", "花果园大街"),
    ("南明区", "西湖路社区", "西湖路"),
    ("南明区", "油榨街社区", "油榨街"),
    ("南明区", "太慈桥社区", "太慈路"),
    ("观山湖区", "金阳社区", "金阳南路"),
    ("观山湖区", "世纪城社区", "金源街"),
    ("观山湖区", "宾阳社区", "宾阳大道"),
    ("观山湖区", "碧海社区", "碧海南路"),
    ("观山湖区", "长岭社区", "长岭南路"),
    ("花溪区", "贵筑社区", "贵筑路"),
    ("花溪区", "清溪社区", "清溪路"),
    ("白云区", "大山洞社区", "白云南路"),
    ("乌当区", "新天社区", "新添大道"),
    ("观山湖区", "林城社区", "林城西路"),
];

const PHONE_PREFIXES: [u64; 28] = [
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159, 180, 181, 182, 183,
    185, 186, 187, 188, 189,
];

/// Picks from `(item, weight)` pairs.
fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// 1 → 一, 12 → 十二, 105 → 一百零五 (up to 999).
fn cn_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let ones = if n.is_multiple_of(10) { "" } else { D[n % 10] };
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{ones}"),
        20..=99 => format!("{}十{ones}", D[n / 10]),
        _ => {
            let rest = n % 100;
            let tail = match rest {
                0 => String::new(),
                1..=9 => format!("零{}", D[rest]),
                10..=19 => format!("一{}", cn_number(rest)),
                _ => cn_number(rest),
            };
            format!("{}百{tail}", D[(n / 100) % 10])
        }
    }
}

/// Where a person works: serving staff of a body with a profile, or retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Serving(Profile),
    Retired,
}

/// The random source and the uniqueness of ID and phone numbers.
struct Gen {
    rng: ChaCha8Rng,
    today: NaiveDate,
    ids: HashSet<String>,
    phones: HashSet<u64>,
}

impl Gen {
    fn new(seed: u64, today: NaiveDate) -> Gen {
        Gen { rng: ChaCha8Rng::seed_from_u64(seed), today, ids: HashSet::new(), phones: HashSet::new() }
    }

    fn days_ago(&self, days: u64) -> NaiveDate {
        self.today - Days::new(days)
    }

    /// Members of a serving branch: mostly 7–30, some 3–6, a few 31–60, rarely 2.
    fn branch_size(&mut self) -> usize {
        let r: f64 = self.rng.r#gen();
        let range = if r < 0.002 {
            2..=2
        } else if r < 0.27 {
            3..=6
        } else if r < 0.77 {
            7..=12
        } else if r < 0.915 {
            13..=20
        } else if r < 0.97 {
            21..=30
        } else if r < 0.997 {
            31..=50
        } else {
            51..=60
        };
        self.rng.gen_range(range)
    }

    /// A person: a valid record (org and group left 0/None) and a seniority
    /// score (rank, then age) for choosing secretaries.
    fn person(&mut self, kind: Kind, status: MemberStatus) -> (ValidMember, i64) {
        let young = matches!(
            status,
            MemberStatus::Probationary | MemberStatus::Applicant | MemberStatus::Activist | MemberStatus::Candidate
        );
        let age: u32 = match kind {
            Kind::Retired if self.rng.gen_bool(0.6) => self.rng.gen_range(60..=72),
            Kind::Retired => self.rng.gen_range(73..=85),
            Kind::Serving(_) if young => self.rng.gen_range(23..=35),
            Kind::Serving(_) => {
                let r: f64 = self.rng.r#gen();
                if r < 0.33 {
                    self.rng.gen_range(23..=34)
                } else if r < 0.70 {
                    self.rng.gen_range(35..=46)
                } else {
                    self.rng.gen_range(47..=59)
                }
            }
        };
        let male = self.rng.gen_bool(if kind == Kind::Retired { 0.62 } else { 0.575 });
        let birth = self.today.checked_sub_months(Months::new(12 * age)).expect("a date in range")
            - Days::new(self.rng.gen_range(0..364));

        let region = weighted(&mut self.rng, &REGIONS);
        let id_card = loop {
            // The 17th digit is the sequence's last: odd for men, even for women.
            let seq = self.rng.gen_range(0..500u32) * 2 + u32::from(male);
            let n = idcard::compose(region, birth, seq);
            if self.ids.insert(n.clone()) {
                break n;
            }
        };
        let phone = loop {
            let p = pick(&mut self.rng, &PHONE_PREFIXES) * 100_000_000 + self.rng.gen_range(0..100_000_000u64);
            if self.phones.insert(p) {
                break p.to_string();
            }
        };
        let name = self.name(male);
        let ethnicity = weighted(&mut self.rng, &ETHNICITIES).to_string();
        let (category, cadre_rank, position, rank_score) = self.career(kind, age);
        let education = self.education(kind, category, age).to_string();
        let native_place = self.native_place(region);
        let (district, community, street) = pick(&mut self.rng, &COMMUNITIES);
        let address = format!("贵阳市{district}{street}{}号", self.rng.gen_range(1..=320));
        let (join_date, full_date) = self.party_dates(kind, birth, status);
        let v = ValidMember {
            name,
            gender: if male { "男" } else { "女" }.to_string(),
            ethnicity,
            birth_date: birth,
            id_card,
            education,
            category: category.to_string(),
            phone,
            position,
            cadre_rank: cadre_rank.to_string(),
            native_place,
            address,
            community: format!("{district}{community}"),
            join_date,
            full_date,
            status,
            org_id: 0,
            group_id: None,
        };
        (v, rank_score * 100 + i64::from(age))
    }

    fn name(&mut self, male: bool) -> String {
        let surname = weighted(&mut self.rng, &SURNAMES);
        let pool: &[&str] = if male { &MALE } else { &FEMALE };
        let mut name = surname.to_string();
        if surname.chars().count() == 2 || self.rng.gen_bool(0.3) {
            name.push_str(pick(&mut self.rng, pool));
        } else {
            let first = if self.rng.gen_bool(0.5) { pick(&mut self.rng, &NEUTRAL) } else { pick(&mut self.rng, pool) };
            name.push_str(first);
            name.push_str(pick(&mut self.rng, pool));
        }
        name
    }

    /// 人员类别, 职级, 岗位 and a rank score (厅级 4 … 科员 1).
    fn career(&mut self, kind: Kind, age: u32) -> (&'static str, &'static str, String, i64) {
        let profile = match kind {
            Kind::Retired => {
                let rank = weighted(&mut self.rng, &[("厅级", 4), ("处级", 48), ("科级", 36), ("科员", 12)]);
                return ("离退休人员", rank, "退休干部".to_string(), rank_score(rank));
            }
            Kind::Serving(p) => p,
        };
        let categories: &[(&str, u32)] = match profile {
            Profile::Admin => &[
                ("公务员", 78),
                ("参照公务员法管理人员", 6),
                ("事业单位管理人员", 7),
                ("专业技术人员", 6),
                ("工勤人员", 3),
            ],
            Profile::Police => &[("公务员", 92), ("事业单位管理人员", 3), ("专业技术人员", 3), ("工勤人员", 2)],
            Profile::MassOrg => {
                &[("参照公务员法管理人员", 82), ("事业单位管理人员", 8), ("专业技术人员", 6), ("工勤人员", 4)]
            }
            Profile::Institution => &[("事业单位管理人员", 45), ("专业技术人员", 45), ("工勤人员", 10)],
            Profile::Academic => {
                &[("专业技术人员", 62), ("事业单位管理人员", 30), ("参照公务员法管理人员", 4), ("工勤人员", 4)]
            }
        };
        let category = weighted(&mut self.rng, categories);
        let r: f64 = self.rng.r#gen();
        let (rank, positions): (&str, &[&str]) = match category {
            "公务员" | "参照公务员法管理人员" => {
                if age < 28 {
                    if r < 0.9 {
                        ("科员", &["一级科员", "二级科员"])
                    } else {
                        ("科级", &["四级主任科员"])
                    }
                } else if age < 35 {
                    if r < 0.3 {
                        ("科员", &["一级科员"])
                    } else if r < 0.9 {
                        ("科级", &["三级主任科员", "四级主任科员"])
                    } else {
                        ("处级", &["四级调研员", "副处长"])
                    }
                } else if age < 45 {
                    if r < 0.4 {
                        ("科级", &["一级主任科员", "二级主任科员"])
                    } else if r < 0.995 {
                        ("处级", &["副处长", "处长", "三级调研员", "四级调研员"])
                    } else {
                        ("厅级", &["二级巡视员"])
                    }
                } else if r < 0.2 {
                    ("科级", &["一级主任科员"])
                } else if r < 0.97 {
                    ("处级", &["处长", "副处长", "一级调研员", "二级调研员"])
                } else {
                    ("厅级", &["一级巡视员", "二级巡视员", "厅级领导干部"])
                }
            }
            "事业单位管理人员" => {
                if age < 32 {
                    ("科员", &["职员"])
                } else if age < 45 {
                    if r < 0.7 { ("科级", &["科长", "副科长"]) } else { ("科员", &["职员"]) }
                } else if r < 0.45 {
                    ("处级", &["主任", "副主任", "副院长"])
                } else if r < 0.9 {
                    ("科级", &["科长"])
                } else {
                    ("科员", &["职员"])
                }
            }
            "专业技术人员" => {
                let titles: &[&str] = if age < 30 {
                    &["助理工程师", "研究实习员", "助理馆员"]
                } else if age < 40 {
                    &["工程师", "助理研究员", "馆员", "讲师"]
                } else if age < 50 {
                    &["高级工程师", "副研究员", "副研究馆员", "副教授"]
                } else {
                    &["正高级工程师", "研究员", "研究馆员", "教授"]
                };
                ("无", titles)
            }
            _ => ("无", &["驾驶员", "技术工人", "后勤服务", "档案管理员"]),
        };
        let position = pick(&mut self.rng, positions).to_string();
        let score = if rank == "无" { if age >= 45 { 2 } else { 1 } } else { rank_score(rank) };
        (category, rank, position, score)
    }

    fn education(&mut self, kind: Kind, category: &str, age: u32) -> &'static str {
        let table: &[(&str, u32)] = if kind == Kind::Retired {
            &[("研究生（硕士）", 5), ("大学本科", 45), ("大学专科", 30), ("中等专科", 12), ("高中", 8)]
        } else if category == "工勤人员" {
            &[("大学本科", 25), ("大学专科", 45), ("中等专科", 20), ("高中", 10)]
        } else if kind == Kind::Serving(Profile::Academic) {
            &[("研究生（博士）", 25), ("研究生（硕士）", 45), ("大学本科", 28), ("大学专科", 2)]
        } else if age < 40 {
            &[("研究生（博士）", 4), ("研究生（硕士）", 40), ("大学本科", 52), ("大学专科", 4)]
        } else if age < 50 {
            &[("研究生（博士）", 3), ("研究生（硕士）", 25), ("大学本科", 62), ("大学专科", 9), ("中等专科", 1)]
        } else {
            &[
                ("研究生（博士）", 2),
                ("研究生（硕士）", 14),
                ("大学本科", 62),
                ("大学专科", 18),
                ("中等专科", 3),
                ("高中", 1),
            ]
        };
        weighted(&mut self.rng, table)
    }

    /// 籍贯: mostly the prefecture of the ID's region, some elsewhere in Guizhou or beyond.
    fn native_place(&mut self, region: u32) -> String {
        let r: f64 = self.rng.r#gen();
        let own = match region / 100 {
            5201 => "贵州贵阳",
            5202 => "贵州六盘水",
            5203 => "贵州遵义",
            5204 => "贵州安顺",
            5205 => "贵州毕节",
            5206 => "贵州铜仁",
            5223 => "贵州黔西南",
            5226 => "贵州黔东南",
            _ => "贵州黔南",
        };
        if r < 0.6 {
            own.to_string()
        } else if r < 0.9 {
            pick(
                &mut self.rng,
                &[
                    "贵州贵阳",
                    "贵州遵义",
                    "贵州安顺",
                    "贵州六盘水",
                    "贵州毕节",
                    "贵州铜仁",
                    "贵州黔东南",
                    "贵州黔南",
                    "贵州黔西南",
                ],
            )
            .to_string()
        } else {
            pick(&mut self.rng, &OTHER_PLACES).to_string()
        }
    }

    /// 入党日期 and 转正日期 for a status: joined after 18, full a year later;
    /// probationary members joined within the last year; the pipeline has neither.
    fn party_dates(
        &mut self,
        kind: Kind,
        birth: NaiveDate,
        status: MemberStatus,
    ) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match status {
            MemberStatus::Applicant | MemberStatus::Activist | MemberStatus::Candidate => (None, None),
            MemberStatus::Probationary => {
                let days = self.rng.gen_range(20..=350);
                (Some(self.days_ago(days)), None)
            }
            _ => {
                let join_age = match kind {
                    Kind::Retired => self.rng.gen_range(20..=38),
                    Kind::Serving(_) => {
                        let r: f64 = self.rng.r#gen();
                        if r < 0.6 {
                            self.rng.gen_range(19..=23)
                        } else if r < 0.9 {
                            self.rng.gen_range(24..=32)
                        } else {
                            self.rng.gen_range(33..=45)
                        }
                    }
                };
                let mut join = birth.checked_add_months(Months::new(12 * join_age)).expect("a date in range")
                    + Days::new(self.rng.gen_range(0..365));
                let latest = self.days_ago(420);
                if join > latest {
                    // Everyone serving is 23 or older: 420–800 days ago they were over 20.
                    join = latest - Days::new(self.rng.gen_range(0..380));
                }
                let full = join + Days::new(365 + self.rng.gen_range(0..45));
                (Some(join), Some(full.min(self.days_ago(1))))
            }
        }
    }

    /// Established, term start and term end of an org with a term: most
    /// current, about 5 % due within the reminder window, 3 % overdue.
    fn term(&mut self, kind: OrgKind, rules: &OrgRules) -> (Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>) {
        let Some(years) = kind.term_years(rules) else { return (None, None, None) };
        let months = Months::new(12 * years as u32);
        let due = rules.election_due_soon_days.max(1) as u64;
        let r: f64 = self.rng.r#gen();
        let target_end = if r < 0.03 {
            self.today - Days::new(self.rng.gen_range(1..=400))
        } else if r < 0.08 {
            self.today + Days::new(self.rng.gen_range(0..due))
        } else {
            self.today + Days::new(self.rng.gen_range(due + 1..(years as u64 * 365).max(due + 2)))
        };
        let start = target_end.checked_sub_months(months).expect("a date in range").min(self.today);
        let end = core_org::term_end(kind, start, rules);
        let earlier_terms = self.rng.gen_range(0..=6u32);
        let established =
            start.checked_sub_months(Months::new(12 * years as u32 * earlier_terms)).expect("a date in range");
        (Some(established), Some(start), end)
    }
}

fn rank_score(rank: &str) -> i64 {
    match rank {
        "厅级" => 4,
        "处级" => 3,
        "科级" => 2,
        _ => 1,
    }
}

// ---------------------------------------------------------------------------
// Planning one unit (no database)

#[derive(Debug, Clone)]
struct OrgPlan {
    /// Index of the parent in the unit's plan; None: the root.
    parent: Option<usize>,
    kind: OrgKind,
    name: String,
    established_on: Option<NaiveDate>,
    term_start: Option<NaiveDate>,
    term_end: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
struct PersonPlan {
    /// org_id and group_id are set from `branch` and `group` when written.
    v: ValidMember,
    branch: usize,
    group: Option<usize>,
    seniority: i64,
    /// For records no longer on the roll: when and why they left.
    left: Option<(NaiveDate, &'static str)>,
}

#[derive(Debug, Clone)]
struct PostPlan {
    org: usize,
    person: usize,
    post: &'static str,
    since: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
struct UnitPlan {
    district: String,
    /// The unit first, then its party committee, then the rest in tree order.
    orgs: Vec<OrgPlan>,
    people: Vec<PersonPlan>,
    posts: Vec<PostPlan>,
    /// A rule-abiding branch with a committee and groups, and its secretary.
    sample: Option<(usize, usize)>,
    /// The first branch and its secretary, when no branch qualifies as sample.
    fallback: Option<(usize, usize)>,
}

/// A block of branches under one parent: a 党总支 when `general` is set,
/// else the party committee.
struct Section {
    general: Option<String>,
    branches: Vec<(String, usize, Kind)>,
}

/// Groups branches of one department: `{dept}党支部` alone, else
/// `{dept}第一党支部`… under `{dept}党总支` when they hold 50 or more members.
fn dept_section(dept: &str, sizes: &[usize], kind: Kind) -> Section {
    if sizes.len() == 1 {
        return Section { general: None, branches: vec![(format!("{dept}党支部"), sizes[0], kind)] };
    }
    let total: usize = sizes.iter().sum();
    Section {
        general: (total >= 50).then(|| format!("{dept}党总支")),
        branches: sizes
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("{dept}第{}党支部", cn_number(i + 1)), *s, kind))
            .collect(),
    }
}

/// Lays out a unit of `size` members: sections of branches with their sizes.
fn layout(g: &mut Gen, unit: &UnitDef, size: usize, plant: bool) -> Vec<Section> {
    let profile = unit_profile(unit.name);
    let retirees = {
        let n = (size as f64 * g.rng.gen_range(0.10..0.16)).round() as usize;
        if n < 3 { 0 } else { n }
    };
    let serving = size - retirees;

    let mut sizes: Vec<usize> = Vec::new();
    let mut sum = 0;
    while sum < serving {
        let s = g.branch_size().min(serving - sum);
        sizes.push(s);
        sum += s;
    }
    if sizes.len() > 1 && sizes[sizes.len() - 1] < 3 {
        // Fold a remainder too small for a branch into an earlier one.
        let tail = sizes.pop().unwrap_or(0);
        if let Some(s) = sizes.iter_mut().rev().find(|s| **s + tail <= 50) {
            *s += tail;
        } else {
            sizes.push(tail);
        }
    }
    if plant {
        // One branch below the minimum and one above the usual maximum, at any scale.
        sizes.push(2);
        sizes.push(g.rng.gen_range(52..=56));
    }

    let n = sizes.len();
    let (special, special_profile) = departments(unit.name);
    let mut offices: Vec<&str> = OFFICES.to_vec();
    offices.shuffle(&mut g.rng);
    let n_inst = if special.is_empty() && n >= 16 { (n / 8).min(INSTITUTIONS.len()) } else { 0 };
    let n_office = if special.is_empty() { (n - n_inst).min(offices.len()) } else { (n / 3).clamp(4, 28).min(n) };

    let mut sections = Vec::new();
    let mut next = 0;
    for office in offices.iter().take(n_office) {
        sections.push(dept_section(office, &sizes[next..next + 1], Kind::Serving(profile)));
        next += 1;
    }
    if next < n && !special.is_empty() {
        let max_span = ((n - next) / 8).clamp(3, 12);
        for dept in special {
            if next >= n {
                break;
            }
            let span = g.rng.gen_range(2..=max_span).min(n - next);
            sections.push(dept_section(dept, &sizes[next..next + span], Kind::Serving(special_profile)));
            next += span;
        }
    }
    if next < n {
        // Subordinate institutions, one branch each, under 直属单位党总支 when large enough.
        let mut institutions: Vec<&str> = INSTITUTIONS.iter().copied().filter(|i| !special.contains(i)).collect();
        institutions.shuffle(&mut g.rng);
        let take = if n_inst > 0 { n_inst } else { ((n - next) / 6).max(1) };
        let branches: Vec<(String, usize, Kind)> = institutions
            .iter()
            .take(take.min(n - next))
            .enumerate()
            .map(|(i, inst)| (format!("{inst}党支部"), sizes[next + i], Kind::Serving(Profile::Institution)))
            .collect();
        next += branches.len();
        let total: usize = branches.iter().map(|b| b.1).sum();
        if branches.len() >= 3 && total >= 50 {
            sections.push(Section { general: Some("直属单位党总支".into()), branches });
        } else {
            sections.extend(branches.into_iter().map(|b| Section { general: None, branches: vec![b] }));
        }
    }
    if next < n {
        // Whatever is left: 机关第N党支部, under 机关第N党总支 in groups of 5–8 when there are many.
        let rest: Vec<usize> = sizes[next..].to_vec();
        let grouped = rest.len() >= 10;
        let mut k = 0;
        let mut gb = 0;
        while k < rest.len() {
            let span = if grouped { g.rng.gen_range(5..=8).min(rest.len() - k) } else { 1 };
            let chunk = &rest[k..k + span];
            let total: usize = chunk.iter().sum();
            let general = if grouped && span >= 2 && total >= 50 {
                gb += 1;
                Some(format!("机关第{}党总支", cn_number(gb)))
            } else {
                None
            };
            let branches = chunk
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("机关第{}党支部", cn_number(k + i + 1)), *s, Kind::Serving(profile)))
                .collect();
            sections.push(Section { general, branches });
            k += span;
        }
    }

    if retirees > 0 {
        // Retirees' branches are larger: 20–35 on average, never above 35.
        let k = retirees.div_ceil(g.rng.gen_range(20..=35));
        let sizes: Vec<usize> = (0..k).map(|i| retirees / k + usize::from(i < retirees % k)).collect();
        if sizes.len() == 1 {
            sections
                .push(Section {
                    general: None, branches: vec![("离退休干部党支部".into(), sizes[0], Kind::Retired)]
                });
        } else {
            sections.push(Section {
                general: (retirees >= 50).then(|| "离退休干部党总支".to_string()),
                branches: sizes
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("离退休干部第{}党支部", cn_number(i + 1)), *s, Kind::Retired))
                    .collect(),
            });
        }
    }
    sections
}

/// Plans a unit: its orgs, people and posts, with indices instead of ids.
fn plan_unit(g: &mut Gen, unit: &UnitDef, size: usize, plant: bool, rules: &OrgRules) -> UnitPlan {
    let sections = layout(g, unit, size, plant);
    let mut plan = UnitPlan {
        district: unit.district.to_string(),
        orgs: Vec::new(),
        people: Vec::new(),
        posts: Vec::new(),
        sample: None,
        fallback: None,
    };
    plan.orgs.push(OrgPlan {
        parent: None,
        kind: OrgKind::Unit,
        name: unit.name.to_string(),
        established_on: None,
        term_start: None,
        term_end: None,
    });
    let committee = push_org(g, &mut plan, Some(0), OrgKind::PartyCommittee, format!("{}机关党委", unit.name), rules);
    for section in sections {
        let parent = match section.general {
            Some(name) => push_org(g, &mut plan, Some(committee), OrgKind::GeneralBranch, name, rules),
            None => committee,
        };
        let first_person = plan.people.len();
        for (name, members, kind) in section.branches {
            plan_branch(g, &mut plan, parent, name, members, kind, rules);
        }
        if parent != committee {
            let candidates: Vec<usize> = (first_person..plan.people.len()).collect();
            leadership(g, &mut plan, parent, &candidates, &["secretary", "organization", "propaganda"]);
        }
    }
    let serving: Vec<usize> =
        (0..plan.people.len()).filter(|&i| !plan.people[i].v.category.starts_with("离退休")).collect();
    leadership(
        g,
        &mut plan,
        committee,
        &serving,
        &["secretary", "deputy_secretary", "organization", "propaganda", "discipline"],
    );
    plan
}

fn push_org(
    g: &mut Gen,
    plan: &mut UnitPlan,
    parent: Option<usize>,
    kind: OrgKind,
    name: String,
    rules: &OrgRules,
) -> usize {
    let (established_on, term_start, term_end) = g.term(kind, rules);
    plan.orgs.push(OrgPlan { parent, kind, name, established_on, term_start, term_end });
    plan.orgs.len() - 1
}

/// Posts of a party committee or general branch: the most senior full member
/// among `candidates` as secretary, the next ones for the other posts.
fn leadership(g: &mut Gen, plan: &mut UnitPlan, org: usize, candidates: &[usize], posts: &[&'static str]) {
    let mut full: Vec<usize> =
        candidates.iter().copied().filter(|&i| plan.people[i].v.status == MemberStatus::Full).collect();
    // Stable: ties keep plan order, so the choice is deterministic.
    full.sort_by_key(|&i| std::cmp::Reverse(plan.people[i].seniority));
    let mut rest: Vec<usize> = full.iter().copied().skip(1).take(12).collect();
    rest.shuffle(&mut g.rng);
    let since = plan.orgs[org].term_start;
    for (&post, &person) in posts.iter().zip(full.first().into_iter().chain(rest.iter())) {
        plan.posts.push(PostPlan { org, person, post, since });
    }
}

/// Plans a branch: its members (first one always full), a few applicants and
/// past members, groups when it has 10 or more members, secretary, committee
/// and group leaders.
fn plan_branch(
    g: &mut Gen,
    plan: &mut UnitPlan,
    parent: usize,
    name: String,
    members: usize,
    kind: Kind,
    rules: &OrgRules,
) {
    let branch = push_org(g, plan, Some(parent), OrgKind::Branch, name, rules);
    let start = plan.people.len();
    for i in 0..members {
        let status = if kind != Kind::Retired && i > 0 && g.rng.gen_bool(0.034) {
            MemberStatus::Probationary
        } else {
            MemberStatus::Full
        };
        let (v, seniority) = g.person(kind, status);
        plan.people.push(PersonPlan { v, branch, group: None, seniority, left: None });
    }
    let roll: Vec<usize> = (start..plan.people.len()).collect();

    // The pipeline (发展党员) and a handful of past members, kept for history.
    if kind != Kind::Retired && g.rng.gen_bool(0.10) {
        for _ in 0..g.rng.gen_range(1..=2) {
            let status = weighted(
                &mut g.rng,
                &[(MemberStatus::Applicant, 40), (MemberStatus::Activist, 35), (MemberStatus::Candidate, 25)],
            );
            let (v, seniority) = g.person(kind, status);
            plan.people.push(PersonPlan { v, branch, group: None, seniority, left: None });
        }
    }
    let (leave_rate, leave_status, reasons): (f64, MemberStatus, &[&'static str]) = if kind == Kind::Retired {
        (0.004, MemberStatus::Deceased, &["病故"])
    } else {
        (0.0015, MemberStatus::TransferredOut, &["调往中央和国家机关工作", "调往市州工作", "组织关系转往省外"])
    };
    if g.rng.gen_bool((members as f64 * leave_rate).min(1.0)) {
        let (mut v, seniority) = g.person(kind, MemberStatus::Full);
        let full = v.full_date.unwrap_or(g.today);
        let on = (g.today - Days::new(g.rng.gen_range(30..=1000))).max(full + Days::new(30)).min(g.today);
        v.status = leave_status;
        let why = pick(&mut g.rng, reasons);
        plan.people.push(PersonPlan { v, branch, group: None, seniority, left: Some((on, why)) });
    }

    // Groups: 2 from 10 members, 3 from 20, 4 from 35.
    let since = plan.orgs[branch].term_start;
    let mut groups = Vec::new();
    if members >= 10 {
        let k = if members < 20 {
            2
        } else if members < 35 {
            3
        } else {
            4
        };
        for i in 0..k {
            plan.orgs.push(OrgPlan {
                parent: Some(branch),
                kind: OrgKind::Group,
                name: format!("第{}党小组", cn_number(i + 1)),
                established_on: since,
                term_start: None,
                term_end: None,
            });
            groups.push(plan.orgs.len() - 1);
        }
        let mut order = roll.clone();
        order.shuffle(&mut g.rng);
        for (i, p) in order.into_iter().enumerate() {
            plan.people[p].group = Some(groups[i % k]);
        }
    }

    // Secretary: the most senior full member; a committee from 7 full members
    // (about 2 % left without one); a leader per group.
    let full: Vec<usize> = roll.iter().copied().filter(|&i| plan.people[i].v.status == MemberStatus::Full).collect();
    let secretary = *full
        .iter()
        .max_by_key(|&&i| (plan.people[i].seniority, std::cmp::Reverse(i)))
        .expect("a branch's first member is full");
    plan.posts.push(PostPlan { org: branch, person: secretary, post: "secretary", since });
    let mut others: Vec<usize> = full.iter().copied().filter(|&i| i != secretary).collect();
    others.shuffle(&mut g.rng);
    let with_committee = full.len() as i64 >= rules.committee_threshold_full_members && !g.rng.gen_bool(0.02);
    if with_committee {
        let mut posts = vec!["organization", "propaganda", "discipline"];
        if full.len() >= 25 {
            posts.insert(0, "deputy_secretary");
        }
        for (post, person) in posts.into_iter().zip(others.iter()) {
            plan.posts.push(PostPlan { org: branch, person: *person, post, since });
        }
    }
    for &group in &groups {
        let leader = others
            .iter()
            .copied()
            .find(|&i| plan.people[i].group == Some(group))
            .or_else(|| full.iter().copied().find(|&i| plan.people[i].group == Some(group)));
        if let Some(person) = leader {
            plan.posts.push(PostPlan { org: group, person, post: "group_leader", since });
        }
    }

    let counted = roll.len();
    if plan.fallback.is_none() {
        plan.fallback = Some((branch, secretary));
    }
    if plan.sample.is_none()
        && kind != Kind::Retired
        && with_committee
        && (10..=rules.branch_max_members as usize).contains(&counted)
        && plan.orgs[branch].term_end.is_some_and(|end| (end - g.today).num_days() > rules.election_due_soon_days)
    {
        plan.sample = Some((branch, secretary));
    }
}

// ---------------------------------------------------------------------------
// Writing

/// Rows waiting for the next batch of INSERTs.
#[derive(Default)]
struct Buffers {
    orgs: Vec<NewOrg>,
    org_history: Vec<NewOrgHistory>,
    members: Vec<NewMember>,
    member_history: Vec<NewMemberHistory>,
    posts: Vec<NewPost>,
}

impl Buffers {
    async fn flush(&mut self, tx: &mut Tx, store: &Store, who: &Who, now: i64) -> Result<(), StoreError> {
        bulk::insert_orgs(tx, &self.orgs, now).await?;
        bulk::insert_org_history(tx, who, now, &self.org_history).await?;
        bulk::insert_members(tx, store, &self.members, now).await?;
        bulk::insert_member_history(tx, who, now, &self.member_history).await?;
        bulk::insert_posts(tx, &self.posts).await?;
        self.orgs.clear();
        self.org_history.clear();
        self.members.clear();
        self.member_history.clear();
        self.posts.clear();
        Ok(())
    }
}

struct Written {
    unit_id: i64,
    sample_branch_id: i64,
    sample_member_id: i64,
}

/// Gives a unit's plan its ids (allocated now) and buffers its rows.
async fn write_unit(tx: &mut Tx, root: &OrgRow, plan: UnitPlan, buf: &mut Buffers) -> Result<Written, StoreError> {
    let org_ids = tx.alloc_ids(plan.orgs.len() as i64).await?;
    let person_ids = tx.alloc_ids(plan.people.len().max(1) as i64).await?;
    let org_id = |i: usize| org_ids.start + i as i64;
    let person_id = |i: usize| person_ids.start + i as i64;
    let unit_id = org_id(0);

    let mut paths: Vec<(String, i64)> = Vec::with_capacity(plan.orgs.len());
    for (i, o) in plan.orgs.into_iter().enumerate() {
        let id = org_id(i);
        let (parent_id, parent_path, parent_depth) = match o.parent {
            None => (root.id, root.path.as_str(), root.depth),
            Some(p) => (org_id(p), paths[p].0.as_str(), paths[p].1),
        };
        let path = core_org::child_path(parent_path, id);
        paths.push((path.clone(), parent_depth + 1));
        buf.org_history.push(NewOrgHistory {
            committee_id: unit_id,
            org_id: id,
            change: "create",
            from_value: String::new(),
            to_value: o.name.clone(),
            reason: REASON.to_string(),
        });
        buf.orgs.push(NewOrg {
            committee_id: unit_id,
            id,
            parent_id: Some(parent_id),
            path,
            depth: parent_depth + 1,
            kind: o.kind,
            name: o.name,
            district: plan.district.clone(),
            code: String::new(),
            sort_order: id,
            established_on: o.established_on,
            term_start: o.term_start,
            term_end: o.term_end,
        });
    }

    for (i, p) in plan.people.into_iter().enumerate() {
        let id = person_id(i);
        let mut v = p.v;
        v.org_id = org_id(p.branch);
        v.group_id = p.group.map(org_id);
        let created = if p.left.is_some() { MemberStatus::Full } else { v.status };
        buf.member_history.push(NewMemberHistory {
            committee_id: unit_id,
            member_id: id,
            change: "create",
            field: "status",
            from_value: String::new(),
            to_value: created.as_str().to_string(),
            effective_date: v.join_date,
            reason: REASON.to_string(),
        });
        if let Some((on, why)) = p.left {
            buf.member_history.push(NewMemberHistory {
                committee_id: unit_id,
                member_id: id,
                change: "status",
                field: "status",
                from_value: MemberStatus::Full.as_str().to_string(),
                to_value: v.status.as_str().to_string(),
                effective_date: Some(on),
                reason: format!("{why}（{REASON}）"),
            });
        }
        buf.members.push(NewMember { committee_id: unit_id, id, member: v });
    }

    for p in plan.posts {
        buf.posts.push(NewPost {
            committee_id: unit_id,
            org_id: org_id(p.org),
            member_id: person_id(p.person),
            post: p.post,
            since: p.since,
        });
    }

    let (branch, person) = plan.sample.or(plan.fallback).unwrap_or((0, 0));
    Ok(Written { unit_id, sample_branch_id: org_id(branch), sample_member_id: person_id(person) })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicU64, Ordering};

    use xianfeng_core::member::{MemberInput, check_phone, validate};
    use xianfeng_core::org::{BranchCounts, TermStatus, branch_warnings, term_status};
    use xianfeng_store::Keys;
    use xianfeng_store::db::{Q, Row};

    use super::*;

    /// A scratch directory removed when dropped.
    struct TempDir(PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    async fn temp_store() -> (Store, TempDir) {
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "xianfeng-demo-{}-{}-{nanos:x}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        let store =
            Store::open(&format!("sqlite://{}/d.db", dir.display()), Keys::for_tests()).await.expect("open the store");
        (store, TempDir(dir))
    }

    fn opts(scale: f64, seed: u64) -> DemoOptions {
        DemoOptions { scale, seed, today: NaiveDate::from_ymd_opt(2025, 7, 1).expect("date"), meetings: true }
    }

    async fn rows<T: Row>(store: &Store, sql: &str) -> Vec<T> {
        store.db.r().fetch_all(Q::new(sql)).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn count(store: &Store, sql: &str) -> i64 {
        store.db.r().fetch_scalar_i64(Q::new(sql)).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// (member id, name, masked ID number, branch name) in id order.
    async fn roll(store: &Store) -> Vec<(i64, String, String, String)> {
        rows(
            store,
            "SELECT m.id, m.name, m.id_card_masked, o.name FROM members m \
             JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id ORDER BY m.id",
        )
        .await
    }

    /// Per active branch: id, full, members, secretaries, committee posts
    /// besides the secretary, groups, term start, term end.
    type BranchRow = (i64, i64, i64, i64, i64, i64, Option<NaiveDate>, Option<NaiveDate>);

    const BRANCHES: &str = "SELECT o.id, \
         (SELECT COUNT(*) FROM members m WHERE m.committee_id = o.committee_id AND m.org_id = o.id AND m.status = 'full'), \
         (SELECT COUNT(*) FROM members m WHERE m.committee_id = o.committee_id AND m.org_id = o.id AND m.status IN ('full', 'probationary')), \
         (SELECT COUNT(*) FROM org_posts p WHERE p.committee_id = o.committee_id AND p.org_id = o.id AND p.post = 'secretary'), \
         (SELECT COUNT(*) FROM org_posts p WHERE p.committee_id = o.committee_id AND p.org_id = o.id AND p.post NOT IN ('secretary', 'group_leader')), \
         (SELECT COUNT(*) FROM orgs g WHERE g.committee_id = o.committee_id AND g.parent_id = o.id AND g.kind = 'group'), \
         o.term_start, o.term_end \
         FROM orgs o WHERE o.kind = 'branch' AND o.active = TRUE ORDER BY o.id";

    #[test]
    fn roster_and_selection() {
        let roster = roster();
        assert_eq!(roster.len(), 83);
        assert!(roster.iter().all(|u| u.district.ends_with("片区") && u.name.chars().count() >= 3));
        let base: usize = roster.iter().map(|u| u.base).sum();
        assert!((45_000..52_000).contains(&base), "{base}");
        assert_eq!(selection(&roster, 1.0), (83, 1.0));
        assert_eq!(selection(&roster, 0.1), (83, 0.1));
        let (n, f) = selection(&roster, 0.02);
        assert_eq!(n, 8);
        let chosen: usize = roster[..n].iter().map(|u| u.base).sum();
        assert!((chosen as f64 * f - 0.02 * base as f64).abs() < 1e-6);
        assert_eq!(selection(&roster, 0.001).0, 3);
        assert_eq!(cn_number(1), "一");
        assert_eq!(cn_number(10), "十");
        assert_eq!(cn_number(12), "十二");
        assert_eq!(cn_number(40), "四十");
        assert_eq!(cn_number(105), "一百零五");
        assert_eq!(cn_number(110), "一百一十");
        assert_eq!(cn_number(123), "一百二十三");
    }

    #[tokio::test]
    async fn small_province_has_organizational_life() {
        let (store, _dir) = temp_store().await;
        let o = opts(0.02, 11);
        let s = generate(&store, &o).await.expect("generate");
        assert!(s.meetings > 5_000 && s.attendance > 10_000, "{s:?}");
        assert_eq!(s.dues_settings, s.members, "every member has a dues setting");
        assert!(s.dues_charges > s.members * 50, "{s:?}");
        // Some members are flagged for long arrears, most pay on time.
        let unpaid_share = s.dues_unpaid as f64 / s.dues_charges as f64;
        assert!((0.005..0.05).contains(&unpaid_share), "{unpaid_share}");
        let root = xianfeng_store::org::root(store.db.r()).await.expect("root").expect("root");
        let scope = xianfeng_core::auth::operator::province_member_scope(&root.path);
        let arrears = xianfeng_store::dues::arrears(&store, &scope, None).await.expect("arrears");
        assert!(arrears.iter().any(|a| a.flag == "lapse"), "someone has six months unpaid");
        assert!(arrears.iter().any(|a| a.flag == "warn"), "someone has three months unpaid");
        // Everyone in the pipeline or on probation has a case whose steps bring them to their status.
        assert_eq!(s.recruitment_skipped, 0, "{s:?}");
        // Transfers go through the same calls as users' clicks (after the invariants above were generated).
        let t = crate::demo_transfers::generate(&store, 11).await.expect("transfers");
        assert!(t.done >= 20 && t.waiting >= 10 && t.out_of_province > 0, "{t:?}");
        let moved = count(&store, "SELECT COUNT(*) AS v FROM members WHERE prior_committees <> ''").await;
        assert!(moved >= 10, "members who changed units keep where they came from: {moved}");
        // Last year's ranking comes from the generated records; most of its tail has a plan.
        let r = crate::demo_rectifications::generate(&store, 11, o.today).await.expect("rectifications");
        assert!(r.tail > 0 && r.plans > 0 && r.plans <= r.tail, "{r:?}");
        // Campaigns through the same calls as the pages: every unit applies for 模范机关.
        let dc = crate::demo_discipline::generate(&store, 11, o.scale, o.today).await.expect("discipline");
        assert!(dc.cases > 0 && dc.sanctions > 0 && dc.members > 0 && dc.sanctions < dc.cases, "{dc:?}");
        let c = crate::demo_campaigns::generate(&store, 11, o.today).await.expect("campaigns");
        assert!(c.campaigns >= 4, "{c:?}");
        assert!(c.applications >= s.units && c.honors > 0 && c.honors < c.applications, "{c:?}");
        assert_eq!(s.recruitment_cases, s.pipeline + s.probationary, "{s:?}");
        let mismatched = count(
            &store,
            "SELECT COUNT(*) AS v FROM recruitment_cases c JOIN members m ON m.committee_id = c.committee_id AND m.id = c.member_id \
             WHERE m.status <> c.person_status",
        )
        .await;
        assert_eq!(mismatched, 0);
        let os = xianfeng_core::auth::operator::province_org_scope(&root.path);
        let p = xianfeng_store::recruitment::pipeline(&store, &os, chrono::Datelike::year(&o.today))
            .await
            .expect("pipeline");
        assert!(p.total.applicants > 0 && p.total.activists > 0 && p.total.candidates > 0, "{:?}", p.total);
        assert_eq!(p.total.probationary as usize, s.probationary, "{:?}", p.total);
        assert!(p.total.planned.unwrap_or(0) > 0 && p.total.admitted > 0, "{:?}", p.total);
        let after =
            count(&store, "SELECT COUNT(*) AS v FROM meetings WHERE status = 'held' AND held_on > '2025-07-01'").await;
        assert_eq!(after, 0, "nothing is held after today");
        let planned = count(&store, "SELECT COUNT(*) AS v FROM meetings WHERE status = 'planned'").await;
        assert!(planned >= 1 && s.sample_meeting_id > 0, "{planned}");
        let failed =
            count(&store, "SELECT COUNT(*) AS v FROM meetings WHERE status = 'held' AND counted = FALSE").await;
        assert!(failed > 0, "some meetings miss their quorum");
        let observed = count(&store, "SELECT COUNT(DISTINCT meeting_id) AS v FROM meeting_observers").await;
        assert!(observed > 0, "central-group sessions have observers");
        let first =
            count(&store, "SELECT COUNT(*) AS v FROM meetings WHERE kind = 'first_agenda' AND first_agenda <> ''")
                .await;
        assert!(first > 0);
        // Rows agree with their headcounts.
        let mismatch = count(
            &store,
            "SELECT COUNT(*) AS v FROM meetings m WHERE m.status = 'held' AND m.expected_count > 0 AND EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.committee_id = m.committee_id AND a.meeting_id = m.id) \
             AND m.present_count <> (SELECT COUNT(*) FROM meeting_attendees a WHERE a.committee_id = m.committee_id AND a.meeting_id = m.id AND a.presence = 'present')",
        )
        .await;
        assert_eq!(mismatch, 0);
        // Compliance shows most meetings held and some laggards.
        let root = xianfeng_store::org::root(store.db.r()).await.expect("root").expect("root");
        let (_, r) = xianfeng_store::compliance::report(&store, &root, 2024).await.expect("report");
        let mut total = xianfeng_core::compliance::Totals::default();
        for (_, t) in &r.per_org {
            total.add(t);
        }
        assert!((75.0..99.5).contains(&total.rate()), "{}", total.rate());
        assert!(total.orgs_complete < total.orgs_expected, "{total:?}");
        assert!(total.orgs_complete * 3 > total.orgs_expected, "{total:?}");
    }

    #[tokio::test]
    async fn small_province_follows_the_rules() {
        let (store, _dir) = temp_store().await;
        let o = opts(0.02, 7);
        let s = generate(&store, &o).await.expect("generate");
        assert_eq!(s.units, 8);

        // Counts match the summary.
        let kinds: BTreeMap<String, i64> =
            rows(&store, "SELECT kind, COUNT(*) FROM orgs GROUP BY kind").await.into_iter().collect();
        assert_eq!(kinds["working_committee"], 1);
        assert_eq!(kinds["unit"] as usize, s.units);
        assert_eq!(kinds["party_committee"] as usize, s.party_committees);
        assert_eq!(s.party_committees, s.units);
        assert_eq!(kinds.get("general_branch").copied().unwrap_or(0) as usize, s.general_branches);
        assert_eq!(kinds["branch"] as usize, s.branches);
        assert_eq!(kinds["group"] as usize, s.groups);
        let statuses: BTreeMap<String, i64> =
            rows(&store, "SELECT status, COUNT(*) FROM members GROUP BY status").await.into_iter().collect();
        let st = |k: &str| statuses.get(k).copied().unwrap_or(0) as usize;
        assert_eq!(st("full") + st("probationary"), s.members);
        assert_eq!(st("probationary"), s.probationary);
        assert_eq!(st("applicant") + st("activist") + st("candidate"), s.pipeline);
        assert!((600..1_300).contains(&s.members), "{s:?}");
        assert!(s.probationary > 0 && s.pipeline > 0, "{s:?}");
        let retirees =
            count(&store, "SELECT COUNT(*) AS v FROM members WHERE category = '离退休人员' AND status = 'full'").await;
        let share = retirees as f64 / s.members as f64;
        assert!((0.07..0.18).contains(&share), "retirees {share}");

        // Every record is valid as a user would enter it, with a genuine ID number.
        type Person = (
            String,
            String,
            String,
            NaiveDate,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<NaiveDate>,
            Option<NaiveDate>,
            String,
        );
        let people: Vec<Person> = rows(
            &store,
            "SELECT name, gender, ethnicity, birth_date, id_card_enc, education, category, phone_enc, position, cadre_rank, \
             native_place, address, community, join_date, full_date, status FROM members ORDER BY id",
        )
        .await;
        let cipher = &store.keys.cipher;
        let (mut ids, mut phones) = (BTreeSet::new(), BTreeSet::new());
        let mut men = 0;
        for p in &people {
            let id_card = cipher.decrypt(&p.4).expect("decrypt the ID number");
            let phone = cipher.decrypt(&p.7).expect("decrypt the phone");
            let parsed = idcard::parse(&id_card).expect("a valid ID number");
            assert_eq!(parsed.birth_date, p.3, "{}", p.0);
            assert_eq!(parsed.gender, p.1, "{}", p.0);
            assert!(id_card.starts_with("52"), "{id_card}");
            assert!(ids.insert(id_card.clone()), "duplicate ID number {id_card}");
            assert!(check_phone(&phone) && phone.len() == 11, "{phone}");
            assert!(phones.insert(phone.clone()), "duplicate phone {phone}");
            assert!((2..=3).contains(&p.0.chars().count()), "{}", p.0);
            men += usize::from(p.1 == "男");
            let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            let input = MemberInput {
                name: p.0.clone(),
                gender: p.1.clone(),
                ethnicity: p.2.clone(),
                birth_date: p.3.to_string(),
                id_card,
                education: p.5.clone(),
                category: p.6.clone(),
                phone,
                position: p.8.clone(),
                cadre_rank: p.9.clone(),
                native_place: p.10.clone(),
                address: p.11.clone(),
                community: p.12.clone(),
                join_date: d(p.13),
                full_date: d(p.14),
                status: p.15.clone(),
                org_id: "1".into(),
                group_id: String::new(),
            };
            if let Err(e) = validate(&input, o.today) {
                panic!("{input:?}: {e:?}");
            }
        }
        let male_share = men as f64 / people.len() as f64;
        assert!((0.5..0.66).contains(&male_share), "men {male_share}");

        // The tree: paths, depths, districts, unique names within a unit.
        let bad_paths = count(
            &store,
            "SELECT COUNT(*) AS v FROM orgs c JOIN orgs p ON p.id = c.parent_id \
             WHERE c.path <> p.path || CAST(c.id AS TEXT) || '/' OR c.depth <> p.depth + 1",
        )
        .await;
        assert_eq!(bad_paths, 0);
        let bad_districts = count(
            &store,
            "SELECT COUNT(*) AS v FROM orgs o JOIN orgs u ON u.id = o.committee_id \
             WHERE o.kind <> 'working_committee' AND (u.kind <> 'unit' OR u.district = '' OR o.district <> u.district)",
        )
        .await;
        assert_eq!(bad_districts, 0);
        let dup_names = count(
            &store,
            "SELECT COUNT(*) AS v FROM (SELECT committee_id, name FROM orgs WHERE kind <> 'group' \
             GROUP BY committee_id, name HAVING COUNT(*) > 1) d",
        )
        .await;
        assert_eq!(dup_names, 0);
        let misplaced = count(
            &store,
            "SELECT COUNT(*) AS v FROM members m JOIN orgs b ON b.id = m.org_id LEFT JOIN orgs g ON g.id = m.group_id \
             WHERE b.kind <> 'branch' OR m.committee_id <> b.committee_id OR (m.group_id IS NOT NULL AND (g.kind <> 'group' OR g.parent_id <> b.id))",
        )
        .await;
        assert_eq!(misplaced, 0);
        let outside = count(
            &store,
            "SELECT COUNT(*) AS v FROM org_posts p JOIN orgs o ON o.id = p.org_id JOIN members m ON m.id = p.member_id \
             JOIN orgs b ON b.id = m.org_id WHERE m.status <> 'full' \
             OR (o.kind = 'group' AND COALESCE(m.group_id, 0) <> o.id) OR (o.kind <> 'group' AND b.path NOT LIKE o.path || '%')",
        )
        .await;
        assert_eq!(outside, 0, "posts are held by full members inside the org");

        // Branches: a secretary each, committees from 7 full members, groups from 10 members, warnings.
        let rules = OrgRules::default();
        let branches: Vec<BranchRow> = rows(&store, BRANCHES).await;
        assert_eq!(branches.len(), s.branches);
        let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
        for (id, full, members, secretaries, committee, groups, start, end) in &branches {
            assert_eq!(*secretaries, 1, "branch {id}");
            assert!(*committee == 0 || *full >= 7, "branch {id}");
            if *members >= 10 {
                assert!((2..=4).contains(groups), "branch {id}: {members} members, {groups} groups");
            } else {
                assert_eq!(*groups, 0, "branch {id}");
            }
            assert_eq!(*end, core_org::term_end(OrgKind::Branch, start.expect("term start"), &rules), "branch {id}");
            let counts = BranchCounts {
                full: *full,
                probationary: members - full,
                members: *members,
                committee_members: *committee,
            };
            for w in branch_warnings(counts, &rules) {
                *codes.entry(w.code).or_default() += 1;
            }
        }
        assert!(codes.contains_key("too_few_full_members"), "{codes:?}");
        assert!(codes.contains_key("too_many_members"), "{codes:?}");

        // Terms: a few due and overdue among the orgs with terms.
        let terms: Vec<(Option<NaiveDate>,)> =
            rows(&store, "SELECT term_end FROM orgs WHERE kind IN ('party_committee', 'general_branch', 'branch')")
                .await;
        let (mut due, mut over) = (0, 0);
        for (end,) in &terms {
            assert!(end.is_some());
            match term_status(*end, o.today, &rules) {
                TermStatus::DueSoon { .. } => due += 1,
                TermStatus::Overdue { .. } => over += 1,
                _ => {}
            }
        }
        assert!(due > 0 && over > 0 && due + over < terms.len() / 4, "{due} due, {over} overdue of {}", terms.len());

        // History and audit.
        let creates =
            count(&store, "SELECT COUNT(*) AS v FROM member_history WHERE change = 'create' AND reason = '演示数据'")
                .await;
        assert_eq!(creates as usize, people.len());
        let left =
            count(&store, "SELECT COUNT(*) AS v FROM members WHERE status IN ('transferred_out', 'deceased')").await;
        let changes = count(&store, "SELECT COUNT(*) AS v FROM member_history WHERE change = 'status'").await;
        assert_eq!(changes, left);
        let org_creates = count(&store, "SELECT COUNT(*) AS v FROM org_history WHERE change = 'create'").await;
        assert_eq!(org_creates, kinds.values().sum::<i64>() - 1);
        assert_eq!(
            count(&store, "SELECT COUNT(*) AS v FROM audit_log WHERE action = 'import' AND object_type = 'demo'").await,
            1
        );

        // The samples fit together.
        let sample: Vec<(i64, String, i64)> = store
            .db
            .r()
            .fetch_all(q!(
                "SELECT o.committee_id, p.post, m.org_id FROM org_posts p JOIN orgs o ON o.id = p.org_id \
                 JOIN members m ON m.id = p.member_id WHERE p.org_id = $1 AND p.member_id = $2",
                s.sample_branch_id,
                s.sample_member_id
            ))
            .await
            .expect("sample");
        assert_eq!(sample, vec![(s.sample_unit_id, "secretary".to_string(), s.sample_branch_id)]);
        assert_eq!(
            count(&store, &format!("SELECT COUNT(*) AS v FROM orgs WHERE id = {} AND kind = 'unit'", s.sample_unit_id))
                .await,
            1
        );

        // Only into an empty store.
        assert!(matches!(generate(&store, &o).await, Err(StoreError::Rule(_))));
        store.db.close().await;
    }

    #[tokio::test]
    async fn the_seed_decides_everything() {
        let (a, _da) = temp_store().await;
        let (b, _db) = temp_store().await;
        let (c, _dc) = temp_store().await;
        let sa = generate(&a, &opts(0.02, 42)).await.expect("generate a");
        let sb = generate(&b, &opts(0.02, 42)).await.expect("generate b");
        generate(&c, &opts(0.02, 43)).await.expect("generate c");
        let (ra, rb, rc) = (roll(&a).await, roll(&b).await, roll(&c).await);
        assert!(!ra.is_empty());
        assert_eq!(ra, rb);
        assert_ne!(ra, rc);
        assert_eq!((sa.members, sa.branches, sa.sample_member_id), (sb.members, sb.branches, sb.sample_member_id));
        let posts = "SELECT org_id, member_id, post FROM org_posts ORDER BY id";
        let pa: Vec<(i64, i64, String)> = rows(&a, posts).await;
        let pb: Vec<(i64, i64, String)> = rows(&b, posts).await;
        assert_eq!(pa, pb);
        let orgs = "SELECT id, name, term_start FROM orgs ORDER BY id";
        let oa: Vec<(i64, String, Option<NaiveDate>)> = rows(&a, orgs).await;
        let ob: Vec<(i64, String, Option<NaiveDate>)> = rows(&b, orgs).await;
        assert_eq!(oa, ob);
        for s in [a, b, c] {
            s.db.close().await;
        }
    }

    /// The whole province (about 3 s in a debug build): the article's sizes and
    /// the rule problems a demo should show. `--nocapture` prints the
    /// distributions; XIANFENG_DEMO_URL runs it on another database (e.g. an
    /// empty PostgreSQL database), XIANFENG_DEMO_SCALE at another scale.
    #[tokio::test]
    async fn full_province() {
        let scale: f64 = std::env::var("XIANFENG_DEMO_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
        let (store, _dir) = match std::env::var("XIANFENG_DEMO_URL") {
            Ok(url) => (Store::open(&url, Keys::for_tests()).await.expect("open"), None),
            Err(_) => {
                let (store, dir) = temp_store().await;
                (store, Some(dir))
            }
        };
        // Five years of meetings take ~25 s in release; here only on request.
        let o = DemoOptions { meetings: std::env::var("XIANFENG_DEMO_MEETINGS").is_ok(), ..opts(scale, 2025) };
        let s = generate(&store, &o).await.expect("generate");
        println!("{}", serde_json::to_string_pretty(&s).expect("json"));
        let rules = OrgRules::default();
        let branches: Vec<BranchRow> = rows(&store, BRANCHES).await;
        let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
        let mut no_committee = 0;
        let mut sizes = [0usize; 5];
        for (_, full, members, secretaries, committee, _, _, _) in &branches {
            assert_eq!(*secretaries, 1);
            no_committee += usize::from(*full >= 7 && *committee == 0);
            let counts = BranchCounts {
                full: *full,
                probationary: members - full,
                members: *members,
                committee_members: *committee,
            };
            for w in branch_warnings(counts, &rules) {
                *codes.entry(w.code).or_default() += 1;
            }
            sizes[match members {
                0..=2 => 0,
                3..=6 => 1,
                7..=30 => 2,
                31..=50 => 3,
                _ => 4,
            }] += 1;
        }
        let terms: Vec<(Option<NaiveDate>,)> =
            rows(&store, "SELECT term_end FROM orgs WHERE kind IN ('party_committee', 'general_branch', 'branch')")
                .await;
        let mut states: BTreeMap<&str, usize> = BTreeMap::new();
        for (end,) in &terms {
            let k = match term_status(*end, o.today, &rules) {
                TermStatus::DueSoon { .. } => "due_soon",
                TermStatus::Overdue { .. } => "overdue",
                _ => "current",
            };
            *states.entry(k).or_default() += 1;
        }
        let ethnic: Vec<(String, i64)> =
            rows(&store, "SELECT ethnicity, COUNT(*) FROM members GROUP BY ethnicity ORDER BY COUNT(*) DESC").await;
        let left: Vec<(String, i64)> = rows(
            &store,
            "SELECT status, COUNT(*) FROM members WHERE status IN ('transferred_out', 'deceased') GROUP BY status",
        )
        .await;
        println!("warnings {codes:?}; branches >=7 full without 委员: {no_committee}");
        println!("branch sizes <3 / 3-6 / 7-30 / 31-50 / >50: {sizes:?}");
        println!("terms {states:?}");
        println!("ethnicity {ethnic:?}");
        println!("left {left:?}");
        if scale >= 1.0 {
            assert_eq!(s.units, 83);
            assert!(s.branches >= 4_000 && s.members >= 40_000, "{s:?}");
            assert!(codes.get("too_few_full_members").copied().unwrap_or(0) >= 3, "{codes:?}");
            assert!(codes.get("too_many_members").copied().unwrap_or(0) >= 3, "{codes:?}");
            assert!(no_committee >= 10, "{no_committee}");
        }
        store.db.close().await;
    }
}
