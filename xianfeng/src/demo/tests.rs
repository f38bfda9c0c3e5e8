//! The demo province: shape, determinism, warnings on purpose, scale.

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
    let arrears = xianfeng_store::dues::arrears(&store, &scope, None, false, 1, xianfeng_store::EVERY_ROW)
        .await
        .expect("arrears");
    let arrears = arrears.lines.items;
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
    let p =
        xianfeng_store::recruitment::pipeline(&store, &os, chrono::Datelike::year(&o.today)).await.expect("pipeline");
    assert!(p.total.applicants > 0 && p.total.activists > 0 && p.total.candidates > 0, "{:?}", p.total);
    assert_eq!(p.total.probationary as usize, s.probationary, "{:?}", p.total);
    assert!(p.total.planned.unwrap_or(0) > 0 && p.total.admitted > 0, "{:?}", p.total);
    let after =
        count(&store, "SELECT COUNT(*) AS v FROM meetings WHERE status = 'held' AND held_on > '2025-07-01'").await;
    assert_eq!(after, 0, "nothing is held after today");
    let planned = count(&store, "SELECT COUNT(*) AS v FROM meetings WHERE status = 'planned'").await;
    assert!(planned >= 1 && s.sample_meeting_id > 0, "{planned}");
    let failed = count(&store, "SELECT COUNT(*) AS v FROM meetings WHERE status = 'held' AND counted = FALSE").await;
    assert!(failed > 0, "some meetings miss their quorum");
    let observed = count(&store, "SELECT COUNT(DISTINCT meeting_id) AS v FROM meeting_observers").await;
    assert!(observed > 0, "central-group sessions have observers");
    let first =
        count(&store, "SELECT COUNT(*) AS v FROM meetings WHERE kind = 'first_agenda' AND first_agenda <> ''").await;
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
        rows(&store, "SELECT term_end FROM orgs WHERE kind IN ('party_committee', 'general_branch', 'branch')").await;
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
        count(&store, "SELECT COUNT(*) AS v FROM member_history WHERE change = 'create' AND reason = '演示数据'").await;
    assert_eq!(creates as usize, people.len());
    let left = count(&store, "SELECT COUNT(*) AS v FROM members WHERE status IN ('transferred_out', 'deceased')").await;
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
        rows(&store, "SELECT term_end FROM orgs WHERE kind IN ('party_committee', 'general_branch', 'branch')").await;
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
