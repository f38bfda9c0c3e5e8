//! A throwaway PostgreSQL cluster for the tests: found on the machine, started once per process, removed at exit.

use super::*;

/// A running cluster: only plain data, usable from any test's runtime.
pub(crate) struct PgCluster {
    /// Holds `data/`, the server log and the unix socket.
    pub(crate) dir: PathBuf,
    pub(crate) port: u16,
}

impl PgCluster {
    pub(crate) fn url(&self, db: &str) -> String {
        format!("postgres://postgres@localhost/{db}?host={}&port={}", self.dir.display(), self.port)
    }
}

pub(crate) fn ci() -> bool {
    std::env::var("CI").map(|v| !v.is_empty() && v != "0" && v != "false").unwrap_or(false)
}

pub(crate) fn pg_cluster() -> Option<&'static PgCluster> {
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
pub(crate) fn find_pg_bin() -> Option<PathBuf> {
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

pub(crate) fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// Starts initdb and postgres synchronously (no async runtime involved).
pub(crate) fn start_cluster(bin: &Path) -> PgCluster {
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
