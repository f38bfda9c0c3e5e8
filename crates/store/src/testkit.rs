//! Test harness: throwaway stores on SQLite and PostgreSQL, and a small
//! province to test against. Compiled only with the `testkit` feature; never
//! part of a release build.
//!
//! ```no_run
//! use xianfeng_store::member::{self, MemberFilter};
//! use xianfeng_store::testkit::{self, Province};
//!
//! // #[tokio::test]
//! async fn unit_admins_see_their_unit() {
//!     for (backend, store) in testkit::all_stores().await {
//!         let p = Province::build(&store).await.expect("fixture");
//!         let scope = testkit::member_scope(&store, &p.unit_admin(&p.unit_a)).await.unwrap();
//!         let n = member::count(&store, &scope, &MemberFilter::default()).await.unwrap();
//!         assert_eq!(n, 5, "{backend}");
//!     }
//! }
//! ```
//!
//! Other crates' tests enable the harness with
//! `xianfeng-store = { workspace = true, features = ["testkit"] }` under
//! `[dev-dependencies]`.
//!
//! **SQLite** stores live in a fresh file under a per-process temporary
//! directory. **PostgreSQL** stores live in a fresh database of a throwaway
//! cluster that is started once per test process (initdb + postgres on a unix
//! socket, no TCP, no fsync) and stopped by a watchdog when the process exits.
//! The PostgreSQL binaries are looked up on `PATH`, then in
//! `/usr/lib/postgresql/<version>/bin`; when run as root the cluster runs as the
//! `postgres` user through `runuser`. Without the binaries the PostgreSQL half
//! is skipped with a note on stderr, unless the environment variable `CI` is
//! set, where their absence fails the run. `XIANFENG_TEST_BACKENDS=sqlite` (or
//! `postgres`) runs one engine only.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, OnceLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sqlx::Connection as _;
use xianfeng_core::auth::{Actor, MemberScope, OrgScope, RevealPolicy, Role};
use xianfeng_core::member::{MemberInput, MemberStatus};

use crate::member::MemberDetail;
use crate::org::{OrgInput, OrgRow};
use crate::{Keys, Result, Store, Who};

// ---------------------------------------------------------------------------
// Temporary directories

/// A temporary directory removed when dropped.
#[derive(Debug)]
pub struct TempDirGuard {
    path: PathBuf,
}

impl TempDirGuard {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDirGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// This process's scratch directory. A watchdog started with it stops the
/// PostgreSQL cluster (if one was started) and removes the directory once the
/// test process has exited, however it exits.
fn process_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let pid = std::process::id();
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("xianfeng-test-{pid}-{nanos:x}"));
        std::fs::create_dir_all(&dir).expect("create the test scratch directory");
        set_mode(&dir, 0o755);
        let script = r#"
while kill -0 "$0" 2>/dev/null; do sleep 1; done
f="$1/pg/data/postmaster.pid"
if [ -f "$f" ]; then
    p=$(head -n 1 "$f")
    kill -INT "$p" 2>/dev/null
    i=0
    while kill -0 "$p" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$p" 2>/dev/null
fi
rm -rf "$1"
"#;
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script).arg(pid.to_string()).arg(&dir);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        // Its own process group: a Ctrl-C on the test run does not kill the cleaner.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        if let Err(e) = cmd.spawn() {
            let _ = writeln!(
                std::io::stderr(),
                "testkit: could not start the cleanup watchdog ({e}); {} stays behind",
                dir.display()
            );
        }
        dir
    })
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

/// A fresh empty directory inside the process's scratch directory.
pub fn temp_dir(prefix: &str) -> TempDirGuard {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = process_root().join(format!("{prefix}-{n}"));
    std::fs::create_dir_all(&path).expect("create a temporary directory");
    TempDirGuard { path }
}

// ---------------------------------------------------------------------------
// Stores

/// The URL of a fresh SQLite database file (created on first open) and the
/// directory that holds it.
pub fn sqlite_url() -> (String, TempDirGuard) {
    let dir = temp_dir("sqlite");
    let url = format!("sqlite://{}", dir.path().join("xianfeng.db").display());
    (url, dir)
}

/// A migrated store on a fresh SQLite file. Keep the guard alive as long as the store.
pub async fn sqlite_store() -> (Store, TempDirGuard) {
    let (url, dir) = sqlite_url();
    let store = Store::open(&url, Keys::for_tests()).await.expect("open a SQLite test store");
    (store, dir)
}

/// The URL of a fresh, empty database in this process's throwaway PostgreSQL
/// cluster, or None when PostgreSQL is not installed (see the module docs).
pub async fn pg_url() -> Option<String> {
    let cluster = pg_cluster()?;
    let name = format!("t_{}", COUNTER.fetch_add(1, Ordering::Relaxed));
    let mut admin = sqlx::PgConnection::connect(&cluster.url("postgres"))
        .await
        .unwrap_or_else(|e| panic!("connect to the test PostgreSQL cluster in {}: {e}", cluster.dir.display()));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create a test database");
    let _ = admin.close().await;
    Some(cluster.url(&name))
}

/// A migrated store on a fresh PostgreSQL database, or None when PostgreSQL
/// is not installed (see the module docs).
pub async fn pg_store() -> Option<Store> {
    let url = pg_url().await?;
    Some(Store::open(&url, Keys::for_tests()).await.expect("open a PostgreSQL test store"))
}

/// Fresh database URLs on every available engine: `("sqlite", url)` and, when
/// PostgreSQL is available, `("postgres", url)`. SQLite files stay until the
/// test process exits.
///
/// `XIANFENG_TEST_BACKENDS=sqlite` (or `postgres`) restricts the run to one
/// engine; asking for `postgres` where it is not installed fails.
pub async fn all_urls() -> Vec<(&'static str, String)> {
    let wanted = std::env::var("XIANFENG_TEST_BACKENDS").unwrap_or_default();
    let wants = |name: &str| wanted.trim().is_empty() || wanted.split(',').any(|w| w.trim() == name);
    let mut out = Vec::new();
    if wants("sqlite") {
        let (url, dir) = sqlite_url();
        // The directory must outlive every store opened on it; the process
        // watchdog removes it at exit.
        std::mem::forget(dir);
        out.push(("sqlite", url));
    }
    if wants("postgres") {
        match pg_url().await {
            Some(url) => out.push(("postgres", url)),
            None if !wanted.trim().is_empty() => {
                panic!("XIANFENG_TEST_BACKENDS asks for postgres, but PostgreSQL was not found")
            }
            None => {}
        }
    }
    assert!(!out.is_empty(), "XIANFENG_TEST_BACKENDS={wanted:?} names no known engine (sqlite, postgres)");
    out
}

/// One fresh, migrated store per available engine, named "sqlite" and
/// "postgres". Run a test body once for each. SQLite files stay until the
/// test process exits.
pub async fn all_stores() -> Vec<(&'static str, Store)> {
    let mut out = Vec::new();
    for (name, url) in all_urls().await {
        let store =
            Store::open(&url, Keys::for_tests()).await.unwrap_or_else(|e| panic!("open the {name} test store: {e}"));
        out.push((name, store));
    }
    out
}

// ---------------------------------------------------------------------------
// The throwaway PostgreSQL cluster

/// A running cluster: only plain data, usable from any test's runtime.
struct PgCluster {
    /// Holds `data/`, the server log and the unix socket.
    dir: PathBuf,
    port: u16,
}

impl PgCluster {
    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@localhost/{db}?host={}&port={}", self.dir.display(), self.port)
    }
}

fn ci() -> bool {
    std::env::var("CI").map(|v| !v.is_empty() && v != "0" && v != "false").unwrap_or(false)
}

fn pg_cluster() -> Option<&'static PgCluster> {
    static CLUSTER: OnceLock<Option<PgCluster>> = OnceLock::new();
    let cluster = CLUSTER.get_or_init(|| {
        let Some(bin) = find_pg_bin() else {
            if ci() {
                panic!("PostgreSQL not found (initdb and postgres on PATH or in /usr/lib/postgresql/*/bin): under CI the PostgreSQL tests must run");
            }
            return None;
        };
        Some(start_cluster(&bin))
    });
    if cluster.is_none() {
        static NOTE: Once = Once::new();
        // Straight to stderr: the test harness would swallow an eprintln! of a passing test.
        NOTE.call_once(|| {
            let _ = writeln!(std::io::stderr(), "PostgreSQL not found: skipping PostgreSQL tests");
        });
    }
    cluster.as_ref()
}

/// The directory holding initdb and postgres.
fn find_pg_bin() -> Option<PathBuf> {
    let has_both = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has_both(&d) {
                return Some(d);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            has_both(&bin).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// Starts initdb and postgres synchronously (no async runtime involved).
fn start_cluster(bin: &Path) -> PgCluster {
    let root = running_as_root();
    let dir = process_root().join("pg");
    std::fs::create_dir_all(&dir).expect("create the PostgreSQL directory");
    set_mode(&dir, 0o700);
    if root {
        // PostgreSQL refuses to run as root: hand the directory to its own user.
        let ok = Command::new("chown").arg("postgres").arg(&dir).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "chown {} to the postgres user failed: is there a `postgres` user?", dir.display());
    }
    let as_pg = |program: &str| {
        let exe = bin.join(program);
        if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    };
    let data = dir.join("data");
    let out = as_pg("initdb")
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
        .stdin(Stdio::null())
        .output()
        .expect("run initdb");
    assert!(
        out.status.success(),
        "initdb failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    // Only names the socket file inside our own directory: no clash with other servers.
    let port = 20_000 + (nanos % 40_000) as u16;
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path).expect("create the PostgreSQL log");
    let mut child = as_pg("postgres")
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(&dir)
        .args(["-p", &port.to_string()])
        .args(["-c", "listen_addresses="])
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
        .args(["-c", "max_connections=200", "-c", "shared_buffers=32MB"])
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .expect("start postgres");
    // postmaster.pid's 8th line says "ready" once connections are accepted.
    let pid_file = data.join("postmaster.pid");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(s) = std::fs::read_to_string(&pid_file)
            && s.lines().nth(7).map(|l| l.trim() == "ready").unwrap_or(false)
        {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "postgres exited during start-up ({status}):\n{}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
        }
        if Instant::now() > deadline {
            panic!(
                "postgres did not become ready in 30 s:\n{}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    PgCluster { dir, port }
}

// ---------------------------------------------------------------------------
// Actors

/// An actor for `role`, bound to `org` (None for the triad administrators).
/// `user_id` and names are made up: the actor does not need a user row.
pub fn actor(role: Role, org: Option<&OrgRow>) -> Actor {
    let user_id = 900_000 + Role::ALL.iter().position(|r| *r == role).unwrap_or(0) as i64;
    Actor {
        user_id,
        username: format!("test_{}", role.as_str()),
        display_name: format!("测试{}", role.label()),
        role,
        org: org.map(|o| o.anchor()),
        member_id: None,
    }
}

/// The member-role actor for a member record in `branch`.
pub fn member_actor(member_id: i64, branch: &OrgRow) -> Actor {
    Actor { member_id: Some(member_id), ..actor(Role::Member, Some(branch)) }
}

/// Who an actor is, for audit and history rows.
pub fn who(actor: &Actor) -> Who {
    Who::of(actor, "127.0.0.1")
}

/// The actor's member scope under the reveal policy in force in `store`.
pub async fn member_scope(store: &Store, actor: &Actor) -> Result<MemberScope> {
    let policy: RevealPolicy = store.rule().await?;
    Ok(actor.member_scope(&policy)?)
}

/// The actor's org scope.
pub fn org_scope(actor: &Actor) -> Result<OrgScope> {
    Ok(actor.org_scope()?)
}

// ---------------------------------------------------------------------------
// Input builders

/// A valid ID number (region 520102, Guiyang) and the gender it encodes.
pub fn id_card(birth: NaiveDate, seq: u32) -> (String, &'static str) {
    let n = xianfeng_core::idcard::compose(520102, birth, seq);
    let gender = xianfeng_core::idcard::parse(&n).expect("composed ID numbers are valid").gender;
    (n, gender)
}

/// Input for a valid member of `branch_id`: ID number from `birth` and `seq`
/// (unique per pair), gender to match, 汉族, joined at 25 (probationary
/// members: 100 days ago), full a year later, and a mobile number.
pub fn member_input(name: &str, branch_id: i64, birth: NaiveDate, seq: u32, status: MemberStatus) -> MemberInput {
    let (id, gender) = id_card(birth, seq);
    let today = xianfeng_core::text::today_cn();
    let at25 = birth.checked_add_months(chrono::Months::new(25 * 12)).expect("date");
    let (join, full) = match status {
        MemberStatus::Probationary => (Some(today - chrono::Days::new(100)), None),
        MemberStatus::Full | MemberStatus::TransferredOut | MemberStatus::Deceased | MemberStatus::Left => {
            (Some(at25), Some(at25.checked_add_months(chrono::Months::new(12)).expect("date")))
        }
        _ => (None, None),
    };
    let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    MemberInput {
        name: name.to_string(),
        gender: gender.to_string(),
        ethnicity: "汉族".into(),
        birth_date: birth.to_string(),
        id_card: id,
        education: "大学本科".into(),
        phone: format!(
            "139{:08}",
            (birth.to_string().replace('-', "").parse::<u64>().unwrap_or(0) + seq as u64) % 100_000_000
        ),
        join_date: d(join),
        full_date: d(full),
        status: status.as_str().into(),
        org_id: branch_id.to_string(),
        ..Default::default()
    }
}

/// Input for an org of `kind` ("unit", "party_committee", "branch", "group", …).
pub fn org_input(name: &str, kind: &str, term_start: Option<NaiveDate>) -> OrgInput {
    OrgInput {
        name: name.to_string(),
        kind: kind.to_string(),
        district: if kind == "unit" { "贵阳市".into() } else { String::new() },
        term_start: term_start.map(|d| d.to_string()).unwrap_or_default(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// The province fixture

/// A member created by the fixture, with the plain protected fields it was
/// created with (`detail` is the record as it was right after creation).
#[derive(Debug, Clone)]
pub struct SeedMember {
    pub detail: MemberDetail,
    pub id_card: String,
    pub phone: String,
}

impl SeedMember {
    pub fn id(&self) -> i64 {
        self.detail.id
    }
    pub fn name(&self) -> &str {
        &self.detail.name
    }
}

/// A small province built through the public store API:
///
/// ```text
/// 省直机关工委 (root)
/// ├── 省工业和信息化厅 (unit_a)
/// │   └── 省工业和信息化厅机关党委 (committee_a)
/// │       ├── 办公室党支部 (branch_a1): 张伟 (full, in group_a1), 李娜 (full), 赵敏 (full), 王芳 (probationary)
/// │       │   └── 第一党小组 (group_a1)
/// │       └── 规划处党支部 (branch_a2): 刘洋 (full, in group_a2)
/// │           └── 第一党小组 (group_a2)
/// └── 省教育厅 (unit_b)
///     └── 省教育厅机关党委 (committee_b)
///         └── 人事处党支部 (branch_b1): 陈静 (full, in group_b1), 杨磊 (full)
///             └── 第一党小组 (group_b1)
/// ```
///
/// Branches have a term starting 2024-01-15. Member names are unique, so a
/// name search finds exactly one record.
#[derive(Debug, Clone)]
pub struct Province {
    pub root: OrgRow,
    pub unit_a: OrgRow,
    pub committee_a: OrgRow,
    pub branch_a1: OrgRow,
    pub group_a1: OrgRow,
    pub branch_a2: OrgRow,
    pub group_a2: OrgRow,
    pub unit_b: OrgRow,
    pub committee_b: OrgRow,
    pub branch_b1: OrgRow,
    pub group_b1: OrgRow,
    pub members: Vec<SeedMember>,
}

/// The start of the fixture branches' current term.
pub fn fixture_term_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 15).expect("date")
}

impl Province {
    /// Builds the province in an empty store (the root is created if missing).
    pub async fn build(store: &Store) -> Result<Province> {
        let root = crate::org::ensure_root(store, "省直机关工委").await?;
        let admin = actor(Role::CommitteeAdmin, Some(&root));
        let os = admin.org_scope()?;
        let w = who(&admin);
        let term = Some(fixture_term_start());
        let mk = |parent: i64, name: &'static str, kind: &'static str| {
            let os = os.clone();
            let w = w.clone();
            let t = if matches!(kind, "branch" | "party_committee") { term } else { None };
            async move { crate::org::create(store, &os.writer()?, &w, parent, &org_input(name, kind, t)).await }
        };
        let unit_a = mk(root.id, "省工业和信息化厅", "unit").await?;
        let committee_a = mk(unit_a.id, "省工业和信息化厅机关党委", "party_committee").await?;
        let branch_a1 = mk(committee_a.id, "办公室党支部", "branch").await?;
        let group_a1 = mk(branch_a1.id, "第一党小组", "group").await?;
        let branch_a2 = mk(committee_a.id, "规划处党支部", "branch").await?;
        let group_a2 = mk(branch_a2.id, "第一党小组", "group").await?;
        let unit_b = mk(root.id, "省教育厅", "unit").await?;
        let committee_b = mk(unit_b.id, "省教育厅机关党委", "party_committee").await?;
        let branch_b1 = mk(committee_b.id, "人事处党支部", "branch").await?;
        let group_b1 = mk(branch_b1.id, "第一党小组", "group").await?;

        let ms = member_scope(store, &admin).await?;
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let people: [(&str, &OrgRow, Option<&OrgRow>, NaiveDate, MemberStatus); 7] = [
            ("张伟", &branch_a1, Some(&group_a1), d(1980, 3, 12), MemberStatus::Full),
            ("李娜", &branch_a1, None, d(1985, 7, 1), MemberStatus::Full),
            ("赵敏", &branch_a1, None, d(1990, 11, 20), MemberStatus::Full),
            ("王芳", &branch_a1, None, d(1998, 5, 5), MemberStatus::Probationary),
            ("刘洋", &branch_a2, Some(&group_a2), d(1975, 1, 30), MemberStatus::Full),
            ("陈静", &branch_b1, Some(&group_b1), d(1988, 9, 9), MemberStatus::Full),
            ("杨磊", &branch_b1, None, d(1970, 12, 31), MemberStatus::Full),
        ];
        let mut members = Vec::new();
        for (i, (name, branch, group, birth, status)) in people.into_iter().enumerate() {
            let mut input = member_input(name, branch.id, birth, 100 + i as u32, status);
            if let Some(g) = group {
                input.group_id = g.id.to_string();
            }
            let detail = crate::member::create(store, &ms.writer()?, &w, &input).await?;
            members.push(SeedMember { detail, id_card: input.id_card.clone(), phone: input.phone.clone() });
        }
        Ok(Province {
            root,
            unit_a,
            committee_a,
            branch_a1,
            group_a1,
            branch_a2,
            group_a2,
            unit_b,
            committee_b,
            branch_b1,
            group_b1,
            members,
        })
    }

    /// The fixture member with this name; panics if there is none.
    pub fn member(&self, name: &str) -> &SeedMember {
        self.members.iter().find(|m| m.detail.name == name).unwrap_or_else(|| panic!("no fixture member named {name}"))
    }

    /// Members registered in the subtree of `org`.
    pub fn members_under(&self, org: &OrgRow) -> Vec<&SeedMember> {
        self.members.iter().filter(|m| m.detail.org_path.starts_with(&org.path)).collect()
    }

    /// 工委管理员, bound to the root.
    pub fn committee_admin(&self) -> Actor {
        actor(Role::CommitteeAdmin, Some(&self.root))
    }
    /// 单位党务管理员 of `unit`.
    pub fn unit_admin(&self, unit: &OrgRow) -> Actor {
        actor(Role::UnitAdmin, Some(unit))
    }
    /// 支部书记 of `branch`.
    pub fn branch_secretary(&self, branch: &OrgRow) -> Actor {
        actor(Role::BranchSecretary, Some(branch))
    }
    /// The member role for the fixture member `name`, anchored at their branch.
    pub fn member_actor(&self, name: &str) -> Actor {
        let m = self.member(name);
        let branch = [&self.branch_a1, &self.branch_a2, &self.branch_b1]
            .into_iter()
            .find(|b| b.id == m.detail.org_id)
            .expect("fixture members sit in fixture branches");
        member_actor(m.id(), branch)
    }
    /// 纪检专员 bound to `org` (a unit or the root).
    pub fn discipline_staff(&self, org: &OrgRow) -> Actor {
        actor(Role::DisciplineStaff, Some(org))
    }
    pub fn system_admin(&self) -> Actor {
        actor(Role::SystemAdmin, None)
    }
    pub fn security_admin(&self) -> Actor {
        actor(Role::SecurityAdmin, None)
    }
    pub fn audit_admin(&self) -> Actor {
        actor(Role::AuditAdmin, None)
    }
}
