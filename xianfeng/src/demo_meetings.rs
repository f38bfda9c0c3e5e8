//! Demo organizational life: meetings of every kind from 2021 up to today,
//! with attendance, realistic gaps (some branches lag behind), quorum
//! failures, central-group sessions with observers and first-agenda studies.
//! Reads the demo province back from the store, writes in batches, then
//! builds the compliance tallies from the meetings like any other write would.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use xianfeng_core::meeting::{self as core_meeting, AttendeeFacts, Cycle, MeetingKind, MeetingKinds, Presence};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::org::OrgKind;
use xianfeng_core::states::sql;
use xianfeng_core::states::sql_in;
use xianfeng_store::bulk;
use xianfeng_store::db::Arg;
use xianfeng_store::{Store, StoreError, q};

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct MeetingSummary {
    pub meetings: usize,
    pub attendance: usize,
    pub observers: usize,
    pub planned: usize,
}

#[derive(sqlx::FromRow)]
struct OrgDb {
    committee_id: i64,
    id: i64,
    kind: String,
    name: String,
}

#[derive(sqlx::FromRow)]
struct PersonDb {
    committee_id: i64,
    id: i64,
    org_id: i64,
    group_id: Option<i64>,
    status: String,
    name: String,
}

#[derive(sqlx::FromRow)]
struct PostDb {
    committee_id: i64,
    org_id: i64,
    member_id: i64,
    post: String,
}

struct Person {
    id: i64,
    voting: bool,
    name: String,
}

const MEETING_COLS: &str = "committee_id, id, org_id, kind, status, planned_on, held_on, start_time, place, topic, host, recorder, \
    minutes, first_agenda, quorum, expected_count, present_count, leave_count, absent_count, voting_total, voting_present, \
    committee_total, committee_present, observer_count, quorum_met, counted, checkin_token, checkin_open, created_by, created_at, updated_at";
const ATTENDEE_COLS: &str = "committee_id, meeting_id, member_id, voting, committee_member, presence, reason, source";
const OBSERVER_COLS: &str = "committee_id, meeting_id, seq, name, org_name, position";

/// Themes by year, as branches actually studied them.
fn themes(year: i32) -> &'static [&'static str] {
    match year {
        2021 => &[
            "党史学习教育专题学习",
            "学习习近平总书记“七一”重要讲话精神",
            "学习贯彻党的十九届六中全会精神",
            "“我为群众办实事”实践活动推进",
        ],
        2022 => &["迎接党的二十大胜利召开", "学习贯彻党的二十大精神", "喜迎二十大 奋进新征程", "模范机关创建推进"],
        2023 => &[
            "学习贯彻习近平新时代中国特色社会主义思想主题教育",
            "调查研究成果交流",
            "学习贯彻党的二十大精神再深化",
            "以学促干 推动高质量发展",
        ],
        2024 => &[
            "党纪学习教育",
            "学习《中国共产党纪律处分条例》",
            "学习贯彻党的二十届三中全会精神",
            "进一步全面深化改革专题研讨",
        ],
        2025 => &[
            "深入贯彻中央八项规定精神学习教育",
            "学习贯彻党的二十届四中全会精神",
            "“十五五”规划编制专题学习",
            "作风建设常态长效",
        ],
        _ => {
            &["学习贯彻党的二十届四中全会精神", "“十五五”开局之年重点任务研讨", "深化模范机关创建", "作风建设常态长效"]
        }
    }
}

const INSTRUCTIONS: [&str; 6] = [
    "习近平总书记在中央政治局集体学习时的重要讲话精神",
    "习近平总书记关于党的建设的重要思想",
    "习近平总书记视察贵州重要讲话精神",
    "习近平总书记关于加强机关党的建设的重要论述",
    "习近平总书记在中央经济工作会议上的重要讲话精神",
    "习近平总书记关于作风建设的重要论述",
];

const OBSERVER_ORGS: [(&str, &str); 4] = [
    ("省直机关工委", "督导组成员"),
    ("省委宣传部", "理论处干部"),
    ("省委组织部", "干部一处干部"),
    ("省直机关工委", "宣传部干部"),
];

fn month_days(year: i32, month: u32) -> u32 {
    xianfeng_core::compliance::last_day_of(year, month).day()
}

struct Writer {
    meetings: Vec<Vec<Arg>>,
    attendees: Vec<Vec<Arg>>,
    observers: Vec<Vec<Arg>>,
    summary: MeetingSummary,
}

impl Writer {
    async fn flush(&mut self, tx: &mut xianfeng_store::Tx) -> Result<(), StoreError> {
        bulk::insert_rows(tx, "meetings", MEETING_COLS, self.meetings.drain(..)).await?;
        bulk::insert_rows(tx, "meeting_attendees", ATTENDEE_COLS, self.attendees.drain(..)).await?;
        bulk::insert_rows(tx, "meeting_observers", OBSERVER_COLS, self.observers.drain(..)).await?;
        Ok(())
    }
}

/// One meeting to write.
struct Draft<'a> {
    committee_id: i64,
    id: i64,
    org_id: i64,
    kind: &'a MeetingKind,
    day: NaiveDate,
    held: bool,
    topic: String,
    host: String,
    recorder: String,
    first_agenda: String,
    /// Attendees with a roster (None: headcount only, e.g. migrated from paper).
    roster: Option<Vec<(&'a Person, bool)>>,
    headcount_only: i64,
    observers: usize,
}

fn write_meeting(w: &mut Writer, rng: &mut ChaCha8Rng, d: Draft<'_>, now: i64) {
    let mut facts = Vec::new();
    let quorum = d.kind.quorum;
    if let Some(roster) = &d.roster {
        // Attendance: usually 85–100 %; a quorum failure now and then.
        let fail = quorum != core_meeting::Quorum::None && rng.gen_bool(0.02);
        for (p, committee) in roster {
            let presence = if !d.held {
                Presence::Pending
            } else if fail && p.voting {
                if rng.gen_bool(0.7) { Presence::Leave } else { Presence::Absent }
            } else {
                let r: f64 = rng.r#gen();
                if r < 0.90 {
                    Presence::Present
                } else if r < 0.97 {
                    Presence::Leave
                } else {
                    Presence::Absent
                }
            };
            facts.push(AttendeeFacts { voting: p.voting, committee: *committee, presence });
            let reason = if presence == Presence::Leave {
                ["出差", "病假", "外出培训", "公务活动"][rng.gen_range(0..4)]
            } else {
                ""
            };
            w.attendees.push(vec![
                d.committee_id.into(),
                d.id.into(),
                p.id.into(),
                p.voting.into(),
                (*committee).into(),
                presence.as_str().into(),
                reason.into(),
                "record".into(),
            ]);
            w.summary.attendance += 1;
        }
    }
    let mut h = core_meeting::headcount(&facts);
    if d.roster.is_none() && d.held {
        h.expected = d.headcount_only;
        h.present = ((d.headcount_only as f64) * rng.gen_range(0.85..1.0)).round() as i64;
        h.leave = d.headcount_only - h.present;
    }
    let met = d.held && core_meeting::quorum_met(quorum, &h);
    for i in 0..d.observers {
        let (org, pos) = OBSERVER_ORGS[rng.gen_range(0..OBSERVER_ORGS.len())];
        let name = format!(
            "{}{}",
            ["王", "李", "张", "刘", "陈", "杨"][rng.gen_range(0..6)],
            ["明", "华", "军", "丽", "静", "涛"][rng.gen_range(0..6)]
        );
        w.observers.push(vec![
            d.committee_id.into(),
            d.id.into(),
            (i as i64 + 1).into(),
            name.into(),
            org.into(),
            pos.into(),
        ]);
        w.summary.observers += 1;
    }
    let minutes = if d.held {
        format!("围绕“{}”学习研讨，交流发言，明确措施。", d.topic)
    } else {
        String::new()
    };
    w.meetings.push(vec![
        d.committee_id.into(),
        d.id.into(),
        d.org_id.into(),
        d.kind.id.as_str().into(),
        if d.held { "held" } else { "planned" }.into(),
        d.day.into(),
        if d.held { Some(d.day) } else { None }.into(),
        "09:00".into(),
        "党员活动室".into(),
        d.topic.into(),
        d.host.into(),
        d.recorder.into(),
        minutes.into(),
        d.first_agenda.into(),
        quorum.as_str().into(),
        h.expected.into(),
        h.present.into(),
        h.leave.into(),
        h.absent.into(),
        h.voting_total.into(),
        h.voting_present.into(),
        h.committee_total.into(),
        h.committee_present.into(),
        (d.observers as i64).into(),
        met.into(),
        met.into(),
        // Held meetings take no more check-ins: no code.
        if d.held { String::new() } else { core_meeting::checkin_token() }.into(),
        (!d.held).into(),
        "cli:demo".into(),
        now.into(),
        now.into(),
    ]);
    w.summary.meetings += 1;
    if !d.held {
        w.summary.planned += 1;
    }
}

/// Ids handed out from blocks reserved in the global allocator.
struct IdPool {
    next: i64,
    end: i64,
}

impl IdPool {
    async fn next(&mut self, tx: &mut xianfeng_store::Tx) -> Result<i64, StoreError> {
        if self.next == self.end {
            let r = tx.alloc_ids(10_000).await?;
            (self.next, self.end) = (r.start, r.end);
        }
        self.next += 1;
        Ok(self.next - 1)
    }
}

/// The months (year, month) from January 2021 up to and including `today`'s month.
fn months(today: NaiveDate) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let (mut y, mut m) = (2021, 1);
    while (y, m) <= (today.year(), today.month()) {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// Generates the meetings of every org of the demo province.
pub async fn generate(store: &Store, seed: u64, today: NaiveDate) -> Result<MeetingSummary, StoreError> {
    let kinds: MeetingKinds = store.rules().await?.get::<MeetingKinds>(today);
    let orgs: Vec<OrgDb> = store
        .db
        .r()
        .fetch_all(q!(format!("SELECT committee_id, id, kind, name FROM orgs WHERE active = TRUE AND kind <> {root} ORDER BY committee_id, id", root = sql(OrgKind::WorkingCommittee))))
        .await?;
    let people: Vec<PersonDb> = store
        .db
        .r()
        .fetch_all(q!(format!("SELECT committee_id, id, org_id, group_id, status, name FROM members WHERE status IN {members} ORDER BY committee_id, id", members = sql_in(&MemberStatus::MEMBERS))))
        .await?;
    let posts: Vec<PostDb> = store
        .db
        .r()
        .fetch_all(q!("SELECT committee_id, org_id, member_id, post FROM org_posts ORDER BY committee_id, id"))
        .await?;
    let rules: xianfeng_core::rules::OrgRules = store.rule().await?;

    let mut by_org: HashMap<i64, Vec<Person>> = HashMap::new();
    let mut by_group: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut names: HashMap<i64, String> = HashMap::new();
    for p in people {
        if let Some(g) = p.group_id {
            by_group.entry(g).or_default().push(p.id);
        }
        names.insert(p.id, p.name.clone());
        by_org.entry(p.org_id).or_default().push(Person {
            id: p.id,
            voting: p.status == xianfeng_core::member::MemberStatus::Full.as_str(),
            name: p.name,
        });
        let _ = p.committee_id;
    }
    let mut committee_of: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for p in posts {
        if p.post != "group_leader" {
            committee_of.entry(p.org_id).or_default().push((p.member_id, p.post));
        }
        let _ = p.committee_id;
    }
    // The unit's leadership for central-group sessions: its party committee's post holders.
    let mut unit_leaders: HashMap<i64, Vec<i64>> = HashMap::new();
    for o in &orgs {
        if o.kind == xianfeng_core::org::OrgKind::PartyCommittee.as_str()
            && let Some(c) = committee_of.get(&o.id)
        {
            unit_leaders.entry(o.committee_id).or_default().extend(c.iter().map(|x| x.0));
        }
    }
    let person_index: HashMap<i64, (i64, usize)> =
        by_org.iter().flat_map(|(org, ps)| ps.iter().enumerate().map(move |(i, p)| (p.id, (*org, i)))).collect();

    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6d65_6574);
    let all_months = months(today);
    let now = xianfeng_core::text::now_ms();
    let mut w = Writer {
        meetings: Vec::new(),
        attendees: Vec::new(),
        observers: Vec::new(),
        summary: MeetingSummary::default(),
    };
    let mut tx = store.db.begin().await?;
    let sqlite = tx.backend() == xianfeng_store::Backend::Sqlite;
    if sqlite {
        // A bigger page cache while a million rows go in, so pages are not spilled mid-transaction.
        tx.c().execute(q!("PRAGMA cache_size = -262144")).await?;
    }
    let mut ids = IdPool { next: 0, end: 0 };
    let mut current_unit = -1;
    // Some units and branches fall behind: their share of meetings held.
    let mut unit_diligence = 1.0;
    for o in &orgs {
        let Some(kind) = OrgKind::parse(&o.kind) else { continue };
        if o.committee_id != current_unit {
            current_unit = o.committee_id;
            unit_diligence = if rng.gen_bool(0.12) { rng.gen_range(0.70..0.88) } else { rng.gen_range(0.975..1.0) };
            if w.meetings.len() >= 20_000 {
                w.flush(&mut tx).await?;
            }
        }
        let diligence: f64 = if rng.gen_bool(0.10) { rng.gen_range(0.55..0.85) } else { unit_diligence };
        let members: &[Person] = match kind {
            OrgKind::Branch => by_org.get(&o.id).map(|v| v.as_slice()).unwrap_or(&[]),
            _ => &[],
        };
        let committee: Vec<(i64, String)> = committee_of.get(&o.id).cloned().unwrap_or_default();
        let has_committee = committee.len() as i64 >= rules.committee_min_size;
        let committee_ids: Vec<i64> = committee.iter().map(|c| c.0).collect();
        let secretary =
            committee.iter().find(|c| c.1 == "secretary").and_then(|c| names.get(&c.0)).cloned().unwrap_or_default();
        let recorder = members.get(1).map(|p| p.name.clone()).unwrap_or_default();
        let group_people: Vec<&Person> = match kind {
            OrgKind::Group => by_group
                .get(&o.id)
                .map(|ids| {
                    ids.iter()
                        .filter_map(|id| person_index.get(id).and_then(|(org, i)| by_org.get(org).map(|v| &v[*i])))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let leaders: Vec<&Person> = match kind {
            OrgKind::Unit => unit_leaders
                .get(&o.committee_id)
                .map(|ids| {
                    ids.iter()
                        .filter_map(|id| person_index.get(id).and_then(|(org, i)| by_org.get(org).map(|v| &v[*i])))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for k in kinds.kinds.iter().filter(|k| k.applies_to.matches(kind, has_committee)) {
            for &(y, m) in &all_months {
                // One slot per cycle, judged in the cycle's last month; cycles still open are left to be held.
                if !k.cycle.ends_at(m) {
                    continue;
                }
                let start = k.cycle.start_month(m);
                let first_month = match k.cycle {
                    Cycle::Year if k.id == "life_meeting" || k.id == "member_review" => {
                        rng.gen_range(10..=12).max(start)
                    }
                    _ => rng.gen_range(start..=m),
                };
                let day_max = month_days(y, first_month);
                let day = NaiveDate::from_ymd_opt(y, first_month, rng.gen_range(1..=day_max)).expect("valid day");
                let in_future = day > today;
                if in_future && (k.cycle != Cycle::Month || kind != OrgKind::Branch || !rng.gen_bool(0.5)) {
                    continue;
                }
                if !in_future && !rng.gen_bool(diligence) {
                    continue;
                }
                for _ in 0..k.times {
                    let id = ids.next(&mut tx).await?;
                    let themes = themes(y);
                    let topic = themes[rng.gen_range(0..themes.len())].to_string();
                    let roster: Option<Vec<(&Person, bool)>> = match k.id.as_str() {
                        "branch_general_meeting" | "life_meeting" | "member_review" => {
                            Some(members.iter().map(|p| (p, committee_ids.contains(&p.id))).collect())
                        }
                        "branch_committee_meeting" => {
                            Some(members.iter().filter(|p| committee_ids.contains(&p.id)).map(|p| (p, true)).collect())
                        }
                        "central_group" | "first_agenda" => Some(leaders.iter().map(|p| (*p, true)).collect()),
                        _ if in_future => Some(members.iter().map(|p| (p, committee_ids.contains(&p.id))).collect()),
                        _ => None,
                    };
                    let headcount_only = match kind {
                        OrgKind::Group => group_people.len() as i64,
                        _ => members.len() as i64,
                    };
                    let first_agenda = if k.first_agenda {
                        format!("学习{}", INSTRUCTIONS[rng.gen_range(0..INSTRUCTIONS.len())])
                    } else {
                        String::new()
                    };
                    let observers =
                        if k.observers && !in_future && k.id == "central_group" { rng.gen_range(1..=3) } else { 0 };
                    write_meeting(
                        &mut w,
                        &mut rng,
                        Draft {
                            committee_id: o.committee_id,
                            id,
                            org_id: o.id,
                            kind: k,
                            day,
                            held: !in_future,
                            topic: if k.id == "central_group" { format!("{}（{}）", topic, o.name) } else { topic },
                            host: secretary.clone(),
                            recorder: recorder.clone(),
                            first_agenda,
                            roster,
                            headcount_only,
                            observers,
                        },
                        now,
                    );
                }
            }
        }
    }
    w.flush(&mut tx).await?;
    if sqlite {
        tx.c().execute(q!("PRAGMA cache_size = -2000")).await?;
    }
    tx.commit().await?;
    let root = xianfeng_store::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    let console = xianfeng_core::auth::operator::province_org_scope(&root.path);
    xianfeng_store::meeting::rebuild_tallies(store, &console.writer()?).await?;
    xianfeng_store::meeting::rebuild_counts(store, &console.writer()?).await?;
    if sqlite {
        store.db.run_script("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    Ok(w.summary)
}
