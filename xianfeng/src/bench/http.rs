//! HTTP load: `xianfeng serve` on the bench database driven by an in-process
//! load generator (the wrk line: 2 connections kept alive, one
//! logged-in session, a fixed duration), requests per second with p50 and p99
//! per endpoint, beside the engine alone running the endpoint's queries as
//! fast as it can over as many connections for as long; and where one
//! request's time goes, from the server's `Server-Timing` header.

use super::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// One kept-alive connection: sends `GET path` and reads one response;
/// returns its status and its `Server-Timing` header.
async fn get_once(
    conn: &mut tokio::io::BufStream<tokio::net::TcpStream>,
    addr: &str,
    path: &str,
    token: &str,
) -> Result<(u16, String), String> {
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: xf_session={token}\r\n\r\n");
    conn.write_all(req.as_bytes()).await.map_err(|e| e.to_string())?;
    conn.flush().await.map_err(|e| e.to_string())?;
    let mut line = String::new();
    conn.read_line(&mut line).await.map_err(|e| e.to_string())?;
    let status: u16 = line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or("bad status line")?;
    let mut length = None;
    let mut chunked = false;
    let mut timing = String::new();
    loop {
        line.clear();
        conn.read_line(&mut line).await.map_err(|e| e.to_string())?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
        if let Some(v) = lower.strip_prefix("server-timing:") {
            timing = v.trim().to_string();
        }
    }
    if chunked {
        loop {
            line.clear();
            conn.read_line(&mut line).await.map_err(|e| e.to_string())?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(|e| e.to_string())?;
            let mut body = vec![0u8; size + 2];
            conn.read_exact(&mut body).await.map_err(|e| e.to_string())?;
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0u8; length.ok_or("no content-length")?];
        conn.read_exact(&mut body).await.map_err(|e| e.to_string())?;
    }
    Ok((status, timing))
}

/// Where a request's time goes, from the server's own `Server-Timing`
/// (session, the page's queries, the rest of its work, all of it): the
/// medians over `n` requests on one connection, in milliseconds.
async fn time_split(addr: &str, path: &str, token: &str, n: usize) -> Result<serde_json::Value, String> {
    let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let mut conn = tokio::io::BufStream::new(stream);
    let names = ["session", "db", "app", "total"];
    let mut seen: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut queries = Vec::new();
    for _ in 0..n {
        let (_, timing) = get_once(&mut conn, addr, path, token).await?;
        for part in timing.split(',') {
            let mut fields = part.trim().split(';');
            let name = fields.next().unwrap_or("");
            for f in fields {
                if let Some(v) = f.strip_prefix("dur=").and_then(|v| v.parse::<f64>().ok())
                    && let Some(i) = names.iter().position(|x| *x == name)
                {
                    seen[i].push(v);
                }
                if let Some(q) =
                    f.strip_prefix("desc=\"").and_then(|d| d.split(' ').next()).and_then(|d| d.parse::<f64>().ok())
                {
                    queries.push(q);
                }
            }
        }
    }
    let mut out = json!({ "queries": median(&mut queries) });
    for (name, mut v) in names.iter().zip(seen) {
        out[format!("{name}_ms")] = json!(median(&mut v));
    }
    Ok(out)
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Drives `path` over `connections` kept-alive connections for `seconds`:
/// (requests per second, p50 ms, p99 ms).
async fn load(
    addr: &str,
    path: &str,
    token: &str,
    connections: usize,
    seconds: f64,
) -> Result<(f64, f64, f64), String> {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (addr, path, token) = (addr.to_string(), path.to_string(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let s = tokio::net::TcpStream::connect(&addr).await.map_err(|e| e.to_string())?;
            s.set_nodelay(true).map_err(|e| e.to_string())?;
            let mut conn = tokio::io::BufStream::new(s);
            let mut ms = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                let (status, _) = get_once(&mut conn, &addr, &path, &token).await?;
                if status != 200 {
                    return Err(format!("GET {path}: {status}"));
                }
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<Vec<f64>, String>(ms)
        }));
    }
    let start = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())??);
    }
    let elapsed = start.elapsed().as_secs_f64().max(seconds);
    let n = all.len() as f64;
    let (p50, p99) = stats(all);
    Ok((n / elapsed, p50, p99))
}

/// The engine alone: the member list's count and first page for the org's
/// subtree, as fast as `connections` connections go for `seconds`.
async fn raw_load(url: &str, org: i64, connections: usize, seconds: f64) -> Result<f64, String> {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(connections as u32)
        .connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < until {
                raw_list_query(&pool, org).await?;
                n += 1;
            }
            Ok::<u64, String>(n)
        }));
    }
    let start = Instant::now();
    let mut n = 0;
    for t in tasks {
        n += t.await.map_err(|e| e.to_string())??;
    }
    let elapsed = start.elapsed().as_secs_f64().max(seconds);
    pool.close().await;
    Ok(n as f64 / elapsed)
}

pub(super) async fn bench_http(
    opts: &BenchOptions,
    url: &str,
    token: &str,
    summary: &demo::DemoSummary,
) -> Result<(), String> {
    let (connections, seconds) = (2, opts.seconds);
    let (mut child, addr) = start_server(opts, url).await?;
    let branch = summary.sample_branch_id;
    let root = summary.root_id;
    let lines = [
        ("http.members_json_branch", format!("/api/v1/members?org_id={branch}"), Some(branch), 1830.0),
        ("http.members_json_province", "/api/v1/members".to_string(), Some(root), 1410.0),
        ("http.members_html_branch", format!("/members?org_id={branch}"), None, 0.0),
        ("http.members_html_province", "/members".to_string(), None, 0.0),
    ];
    let mut json_rps = std::collections::HashMap::new();
    for (name, path, raw_org, target) in lines {
        // A short warm-up, then the measured run.
        load(&addr, &path, token, connections, seconds.min(2.0)).await?;
        let (rps, p50, p99) = load(&addr, &path, token, connections, seconds).await?;
        let mut extra =
            json!({ "path": path, "connections": connections, "seconds": seconds, "p50_ms": p50, "p99_ms": p99 });
        extra["server_time_split"] = time_split(&addr, &path, token, 200).await?;
        if let Some(org) = raw_org {
            extra["baseline_raw_engine_rps"] = json!(raw_load(url, org, connections, seconds).await?);
            extra["target_rps"] = json!(target);
            json_rps.insert(name.replace("json", "html"), rps);
        } else if let Some(j) = json_rps.get(name) {
            extra["json_rps"] = json!(j);
            extra["html_to_json"] = json!(rps / j);
        }
        emit(name, rps, "req/s", extra);
    }
    let _ = child.kill().await;
    Ok(())
}
