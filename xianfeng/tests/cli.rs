//! The operator's command line, end to end on a small demo province (SQLite).

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_xianfeng")
}

fn run(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(exe());
    cmd.args(args).arg("--data-dir").arg(dir).env_remove("XIANFENG_DATABASE_URL").env_remove("XIANFENG_FIELD_KEYS");
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("xianfeng runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("xianfeng finishes")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("xianfeng-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn demo_audit_backup_restore_export_import() {
    let dir = temp_dir("journey");
    let o = run(&dir, &["demo", "--scale", "0.02", "--no-serve"], None);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("演示省份已生成"), "{out}");
    // The demo says what it is doing on standard error, phase by phase, with times.
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    for phase in ["演示数据：单位、组织与党员", "演示数据：组织生活", "演示数据：发展党员", "演示数据：评选表彰"]
    {
        assert!(err.contains(&format!("{phase}：开始")), "{phase}: {err}");
        assert!(err.contains(&format!("{phase}：完成")), "{phase}: {err}");
    }
    assert!(err.contains("个单位（") && err.contains(" 秒）"), "counts and times: {err}");
    // One line per role, each with a random password.
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("用户名") && l.contains("密码")).collect();
    assert_eq!(lines.len(), 8, "{out}");
    let again = run(&temp_dir("journey2"), &["demo", "--scale", "0.02", "--no-serve"], None);
    let other: Vec<String> = text(&again).lines().filter(|l| l.contains("密码")).map(|l| l.to_string()).collect();
    assert_ne!(lines[0], other[0], "passwords differ between runs");
    assert!(dir.join("keys.json").exists());

    let o = run(&dir, &["audit", "verify"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("审计日志完整"));

    // The rollups agree with the demo's records; one changed behind the writes' back is
    // named, and a rebuild puts it right.
    let o = run(&dir, &["rollups", "verify"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("dues_tallies：与原始记录一致")
            && text(&o).contains("meeting_tallies：与原始记录一致")
            && text(&o).contains("member_counts：与原始记录一致")
    );
    let st = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c=sqlite3.connect('{}'); n=c.execute('UPDATE dues_tallies SET paid = paid + 1 WHERE rowid = (SELECT MIN(rowid) FROM dues_tallies)').rowcount; c.commit(); assert n == 1",
            dir.join("xianfeng.db").display()
        ))
        .status()
        .expect("python3");
    assert!(st.success());
    let o = run(&dir, &["rollups", "verify"], None);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("dues_tallies：1 处与原始记录不一致"), "{}", text(&o));
    let o = run(&dir, &["rollups", "rebuild"], None);
    assert!(o.status.success() && text(&o).contains("dues_tallies：已按原始记录重建"), "{}", text(&o));
    assert!(run(&dir, &["rollups", "verify"], None).status.success());

    // Operator provisioning: password from stdin, policy enforced.
    let o = run(
        &dir,
        &["user", "create", "--role", "audit_admin", "--username", "cliaudit", "--password-stdin"],
        Some("weak\n"),
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("密码"), "{}", text(&o));
    let o = run(
        &dir,
        &["user", "create", "--role", "audit_admin", "--username", "cliaudit", "--password-stdin"],
        Some("Strong-Pass-2025\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        &dir,
        &["user", "create", "--role", "nobody", "--username", "x1x", "--password-stdin"],
        Some("Strong-Pass-2025\n"),
    );
    assert!(!o.status.success() && text(&o).contains("未知角色"), "{}", text(&o));

    let xlsx = dir.join("roster.xlsx");
    let o = run(&dir, &["export", "members", "--out", xlsx.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx (zip) file");

    // Importing the export back fails as a whole: those people are already registered.
    let o = run(&dir, &["import", "members", xlsx.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("未写入任何数据"), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("导入党员：读取、校验并写入：开始") && err.contains("行"), "import shows progress: {err}");

    // A key rotation, then re-encryption with progress; a second run has nothing left.
    let o = run(&dir, &["keys", "rotate"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&dir, &["keys", "reencrypt"], None);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("重新加密敏感字段：开始（共") && err.contains("重新加密敏感字段：完成"), "{err}");
    assert!(!text(&o).contains("重新加密 0 名"), "{}", text(&o));
    let o = run(&dir, &["keys", "reencrypt"], None);
    assert!(text(&o).contains("重新加密 0 名"), "{}", text(&o));

    let backup = dir.join("copy.db");
    let o = run(&dir, &["backup", "--to", backup.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("备份数据库：开始") && err.contains("备份数据库：完成"), "{err}");
    let o = run(&dir, &["restore", "--from", backup.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&dir, &["audit", "verify"], None);
    assert!(o.status.success(), "{}", text(&o));

    // Tampering with an audit row (after dropping the guard trigger) is detected.
    let db = dir.join("xianfeng.db");
    let st = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c=sqlite3.connect('{}'); c.execute('DROP TRIGGER audit_log_no_update'); c.execute(\"UPDATE audit_log SET detail='x' WHERE seq=2\"); c.commit()",
            db.display()
        ))
        .status()
        .expect("python3");
    assert!(st.success());
    let o = run(&dir, &["audit", "verify"], None);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("第2条"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_refuses_to_overwrite_a_real_database() {
    let dir = temp_dir("refuse");
    let o = run(&dir, &["migrate"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&dir, &["demo", "--scale", "0.02", "--no-serve"], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("不是演示数据库"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same commands against PostgreSQL (`--database-url`).
#[test]
fn demo_audit_export_on_postgres() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(url) = rt.block_on(xianfeng_store::testkit::pg_url()) else { return };
    let dir = temp_dir("pg");
    let with_url = |args: &[&str]| {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--database-url", url.as_str()]);
        run(&dir, &a, None)
    };
    let o = with_url(&["demo", "--scale", "0.02", "--no-serve"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("演示省份已生成"), "{}", text(&o));
    // A second demo into the same database is refused: it is not empty any more.
    let o = with_url(&["demo", "--scale", "0.02", "--no-serve"]);
    assert!(!o.status.success() && text(&o).contains("已有数据"), "{}", text(&o));
    let o = with_url(&["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    let xlsx = dir.join("pg.xlsx");
    let o = with_url(&["export", "members", "--out", xlsx.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    let o = with_url(&["backup", "--to", dir.join("x.db").to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("pg_dump"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A port free on the loopback interface right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One HTTP/1.1 request over a plain socket; the status code of the answer.
fn http_status(addr: &str, method: &str, path: &str, json: &str) -> u16 {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Restore refuses while a server holds the data directory; after a kill -9
/// it folds the WAL into the copy it keeps, so no acknowledged write is lost;
/// a refusal for missing keys leaves no key file behind. The database, the
/// key file and backups are owner-only.
#[test]
#[cfg(unix)]
fn restore_is_refused_while_serving_and_keeps_what_a_killed_server_wrote() {
    let dir = temp_dir("restore");
    let o = run(&dir, &["demo", "--scale", "0.01", "--no-serve"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&dir.join("keys.json")), 0o600, "the key file is owner-only");
    assert_eq!(mode(&dir.join("xianfeng.db")), 0o600, "the database is owner-only");
    let backup = dir.join("copy.db");
    let o = run(&dir, &["backup", "--to", backup.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("备份数据库：开始") && err.contains("备份数据库：完成"), "{err}");
    assert_eq!(mode(&backup), 0o600, "the backup is owner-only");

    let addr = format!("127.0.0.1:{}", free_port());
    let mut server = Command::new(exe())
        .args(["serve", "--listen", &addr])
        .arg("--data-dir")
        .arg(&dir)
        .env_remove("XIANFENG_DATABASE_URL")
        .env_remove("XIANFENG_FIELD_KEYS")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(started.elapsed().as_secs() < 60, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let o = run(&dir, &["restore", "--from", backup.to_str().unwrap()], None);
    assert!(!o.status.success(), "restore must refuse while a server runs: {}", text(&o));
    assert!(text(&o).contains("正由另一个先锋进程"), "{}", text(&o));
    // An acknowledged write: a refused sign-in, audited in the same transaction.
    let status = http_status(&addr, "POST", "/api/v1/auth/login", r#"{"username":"probe-before-kill","password":"x"}"#);
    assert_eq!(status, 401);
    server.kill().unwrap(); // SIGKILL: no checkpoint, the write sits in the WAL
    server.wait().unwrap();

    let o = run(&dir, &["restore", "--from", backup.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let kept = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("xianfeng.db.before-restore-"))
        .expect("the old database is kept");
    let count = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c=sqlite3.connect('file:{}?mode=ro', uri=True); print(c.execute(\"SELECT COUNT(*) FROM audit_log WHERE username='probe-before-kill'\").fetchone()[0])",
            kept.display()
        ))
        .output()
        .expect("python3");
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "1", "the kept copy holds the acknowledged write");
    assert_eq!(mode(&dir.join("xianfeng.db")), 0o600, "the restored database is owner-only");

    // No keys, no restore — and no new key file left behind.
    let bare = temp_dir("restore-bare");
    let o = run(&bare, &["restore", "--from", backup.to_str().unwrap()], None);
    assert!(!o.status.success() && text(&o).contains("密钥文件"), "{}", text(&o));
    assert!(!bare.join("keys.json").exists(), "a refused restore leaves no key file");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&bare);
}

/// The binary wires the web crate (its state, router and server) and nothing
/// more: every business operation the CLI runs (import, export, keys, backup,
/// demo) is a store operation, the same one the web handlers call.
#[test]
fn the_binary_calls_web_only_to_serve() {
    const WIRING: [&str; 3] = ["AppState", "router", "serve"];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let needle = concat!("xianfeng", "_web");
        assert!(!text.contains(&format!("use {needle}")), "{}: import web items by full path", path.display());
        for (at, _) in text.match_indices(&format!("{needle}::")) {
            let rest = &text[at + needle.len() + 2..];
            let item: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            assert!(
                WIRING.contains(&item.as_str()),
                "{}: the binary calls web's {item}; make it a store operation both call",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "the server is wired through web ({checked} uses found)");
}

/// The benchmark runs (a small province, short lines) so it cannot rot: each
/// group asked for prints its JSON lines, every value a number beside its
/// baseline from the same run.
#[test]
fn the_benchmark_runs_on_a_small_province() {
    let dir = temp_dir("bench");
    let scratch = dir.join("scratch");
    let o = Command::new(exe())
        .args([
            "bench",
            "--scale",
            "0.02",
            "--iterations",
            "3",
            "--seconds",
            "0.3",
            "--only",
            "ranking,cold,http,crawl",
        ])
        .arg("--dir")
        .arg(&scratch)
        .env_remove("XIANFENG_DATABASE_URL")
        .output()
        .expect("xianfeng bench runs");
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a JSON line: {l}: {e}")))
        .collect();
    let named = |n: &str| lines.iter().find(|l| l["name"] == n).unwrap_or_else(|| panic!("{n} in {lines:?}"));
    for n in [
        "ranking.province_ms",
        "ranking.recomputed_from_records_ms",
        "cold.ranking_ms",
        "cold.slowest_first_request_ms",
        "http.members_json_branch",
        "http.members_html_province",
        "crawl.largest_page_bytes",
    ] {
        let l = named(n);
        assert!(l["value"].as_f64().is_some_and(|v| v > 0.0), "{n}: {l}");
        assert!(l["unit"].is_string(), "{n}: {l}");
    }
    assert!(named("http.members_json_province")["baseline_raw_engine_rps"].as_f64().is_some_and(|v| v > 0.0));
    assert!(named("cold.slowest_first_request_ms")["baseline_raw_engine_cold_open_and_count_ms"].as_f64().is_some());
    let _ = std::fs::remove_dir_all(&dir);
}
