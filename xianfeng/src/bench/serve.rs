//! The served application: an administrator's session, timed requests and
//! the server's memory under load.

use super::*;

/// A committee-admin session token for the bench.
pub(super) async fn bench_admin(store: &Store, root_id: i64) -> Result<String, String> {
    bench_session(store, "benchadmin", Role::CommitteeAdmin, Some(root_id), None).await
}

/// A new account `username` holding `role` (bound to an org or a member) and
/// a session token for it.
pub(super) async fn bench_session(
    store: &Store,
    username: &str,
    role: Role,
    org_id: Option<i64>,
    member_id: Option<i64>,
) -> Result<String, String> {
    let who = Who::operator("bench");
    let pw = xianfeng_core::crypto::temporary_password();
    let (u, _) = xianfeng_store::auth::create_user(store, operator::user_admin(), &who, username, "bench", Some(&pw))
        .await
        .map_err(|e| e.to_string())?;
    let role = xianfeng_store::auth::grant_role(store, operator::security_admin(), &who, u.id, role, org_id, member_id)
        .await
        .map_err(|e| e.to_string())?;
    let (token, _) =
        xianfeng_store::auth::open_session(store, u.id, Some(role.id), "127.0.0.1").await.map_err(|e| e.to_string())?;
    Ok(token)
}

/// Every role crawls what it is shown on the demo province (the crawl test's
/// measure at scale): the largest page, the most elements, the widest
/// select and the slowest page, beside the limits and the sizes the issue
/// measured before pickers and pagers (1.93 MB, 34,688 elements, 3,000
/// options on the committee's pages).
pub(super) async fn bench_crawl(store: &Store, summary: &demo::DemoSummary) -> Result<(), String> {
    use xianfeng_web::crawl::{Limits, Report, crawl};
    let (root, unit, branch, member) =
        (summary.root_id, summary.sample_unit_id, summary.sample_branch_id, summary.sample_member_id);
    let accounts = [
        ("crawl_committee", Role::CommitteeAdmin, Some(root), None),
        ("crawl_unit", Role::UnitAdmin, Some(unit), None),
        ("crawl_secretary", Role::BranchSecretary, Some(branch), None),
        ("crawl_member", Role::Member, None, Some(member)),
        ("crawl_discipline", Role::DisciplineStaff, Some(root), None),
        ("crawl_system", Role::SystemAdmin, None, None),
        ("crawl_security", Role::SecurityAdmin, None, None),
        ("crawl_audit", Role::AuditAdmin, None, None),
    ];
    let app = xianfeng_web::router(xianfeng_web::AppState::new(store.clone()));
    let mut all = Report::default();
    let t = Instant::now();
    for (name, role, org, member) in accounts {
        let token = bench_session(store, name, role, org, member).await?;
        all.merge(&crawl(&app, &token, role.label(), Limits::default()).await);
    }
    let secs = t.elapsed().as_secs_f64();
    for p in &all.problems {
        eprintln!("crawl: {p}");
    }
    let limits = Limits::default();
    emit(
        "crawl.largest_page_bytes",
        all.largest_bytes.value as f64,
        "B",
        json!({ "at": all.largest_bytes.at, "target_max": limits.max_bytes, "before_issue_14": 1_930_000 }),
    );
    emit(
        "crawl.most_elements",
        all.most_elements.value as f64,
        "elements",
        json!({ "at": all.most_elements.at, "target_max": limits.max_elements, "before_issue_14": 34_688 }),
    );
    emit(
        "crawl.widest_select",
        all.widest_select.value as f64,
        "options",
        json!({ "at": all.widest_select.at, "target_max": limits.max_options, "before_issue_14": 3_000 }),
    );
    emit(
        "crawl.slowest_page_ms",
        all.slowest_ms.value,
        "ms",
        json!({ "at": all.slowest_ms.at, "pages": all.pages, "crawl_s": secs }),
    );
    emit("crawl.problems", all.problems.len() as f64, "count", json!({ "target": 0, "pages": all.pages }));
    Ok(())
}

pub(super) async fn request_ms(app: &axum::Router, path: &str, token: &str) -> Result<f64, String> {
    use tower::ServiceExt;
    let req = axum::http::Request::get(path)
        .header("cookie", format!("xf_session={token}"))
        .body(axum::body::Body::empty())
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    let res = app.clone().oneshot(req).await.map_err(|e| e.to_string())?;
    let status = res.status();
    let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("GET {path}: {status}"));
    }
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

pub(super) fn rss_mb(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

pub(super) async fn http_get(addr: &str, path: &str, token: &str) -> Result<u16, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: xf_session={token}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(20)]).to_string();
    head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or(format!("bad response to {path}"))
}

/// `xianfeng serve` started on the bench database (with the bench's test
/// keys in a key file) and answering: the child and its address.
pub(super) async fn start_server(opts: &BenchOptions, url: &str) -> Result<(tokio::process::Child, String), String> {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        l.local_addr().map_err(|e| e.to_string())?.port()
    };
    let addr = format!("127.0.0.1:{port}");
    let data = opts.dir.join("serve");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let kf = crate::config::KeyFile {
        field_keys: [("t1".to_string(), "11".repeat(16))].into_iter().collect(),
        current: "t1".into(),
        index_key: "22".repeat(16),
        audit_key: "33".repeat(32),
    };
    crate::config::write_key_file(&crate::config::key_file_path(&data), &kf)?;
    let child = tokio::process::Command::new(&opts.exe)
        .args(["serve", "--listen", &addr, "--data-dir"])
        .arg(&data)
        .args(["--database-url", url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    while http_get(&addr, "/healthz", "").await.is_err() {
        if start.elapsed() > Duration::from_secs(30) {
            return Err("server did not start".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((child, addr))
}

pub(super) async fn serve_memory(opts: &BenchOptions, url: &str, token: &str) -> Result<(f64, f64, f64), String> {
    let (mut child, addr) = start_server(opts, url).await?;
    let pid = child.id().ok_or("no pid")?;
    let idle = rss_mb(pid, "VmRSS:");
    let paths = [
        "/",
        "/members",
        "/members?page=50",
        "/orgs",
        "/members?status=members&sort=name",
        "/api/v1/members?per_page=200",
        "/orgs/elections",
        "/orgs/alerts",
    ];
    for _ in 0..20 {
        for p in paths {
            let code = http_get(&addr, p, token).await?;
            if !(200..400).contains(&code) {
                return Err(format!("GET {p}: {code}"));
            }
        }
    }
    let served = rss_mb(pid, "VmRSS:");
    let hwm = rss_mb(pid, "VmHWM:");
    let _ = child.kill().await;
    Ok((idle, served, hwm))
}
