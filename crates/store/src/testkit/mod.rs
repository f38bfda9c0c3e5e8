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

mod pg;
mod province;

use self::pg::*;
pub use self::province::*;

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
