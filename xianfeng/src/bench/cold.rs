//! Cold start: the first request of each page the committee opens first in the
//! morning, each after the server was restarted and the database's pages were
//! dropped from the OS page cache, beside the engine alone answering its first
//! query on the database cold. The server restarted has run once before (an
//! earlier life that visited each page), as a server in use has.

use super::*;

/// Asks the OS to forget the cached pages of the SQLite database behind `url`
/// (its main file, WAL and shared memory), as after a reboot.
fn drop_page_cache(url: &str) -> Result<(), String> {
    use std::os::fd::AsRawFd;
    let Some(path) = url.strip_prefix("sqlite://") else {
        return Ok(()); // PostgreSQL keeps its own buffers; not measured here
    };
    for ext in ["", "-wal", "-shm"] {
        let Ok(f) = std::fs::File::open(format!("{path}{ext}")) else { continue };
        f.sync_all().map_err(|e| e.to_string())?;
        // SAFETY: a valid open descriptor; advice only, no memory is touched.
        let rc = unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        if rc != 0 {
            return Err(format!("posix_fadvise: {rc}"));
        }
    }
    Ok(())
}

/// The pages the committee opens first, as (label, address).
fn pages(summary: &demo::DemoSummary) -> Vec<(&'static str, String)> {
    vec![
        ("home", "/".into()),
        ("ranking", "/ranking".into()),
        ("ranking_branch", format!("/ranking/{}", summary.sample_branch_id)),
        ("compliance", "/compliance".into()),
        ("meetings", "/meetings".into()),
        ("dues", "/dues".into()),
        ("dues_arrears", "/dues/arrears".into()),
        ("members", "/members".into()),
        ("central_group", "/reports/central-group".into()),
        ("recruitment", "/recruitment".into()),
        ("campaigns", "/campaigns".into()),
    ]
}

/// The engine alone, cold: open the database and count the members.
async fn raw_cold_ms(url: &str) -> Result<f64, String> {
    use sqlx::Connection;
    drop_page_cache(url)?;
    let t = Instant::now();
    let mut c = sqlx::SqliteConnection::connect(url).await.map_err(|e| e.to_string())?;
    let _: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM members").fetch_one(&mut c).await.map_err(|e| e.to_string())?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let _ = c.close().await;
    Ok(ms)
}

pub(super) async fn bench_cold(
    opts: &BenchOptions,
    url: &str,
    token: &str,
    summary: &demo::DemoSummary,
) -> Result<(), String> {
    let mut worst = (0.0f64, String::new());
    let mut all = serde_json::Map::new();
    // A restart is of a server that has run: one earlier life visits every
    // page once (what it keeps in the database, such as the places of the
    // years gone by, is there after the restart; what it kept in memory is not).
    {
        let (mut child, addr) = start_server(opts, url).await?;
        for (_, path) in pages(summary) {
            http_get(&addr, &path, token).await?;
        }
        let _ = child.kill().await;
    }
    for (label, path) in pages(summary) {
        drop_page_cache(url)?;
        let (mut child, addr) = start_server(opts, url).await?;
        let t = Instant::now();
        let code = http_get(&addr, &path, token).await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        // The same page again, warm, for comparison.
        let t = Instant::now();
        http_get(&addr, &path, token).await?;
        let warm = t.elapsed().as_secs_f64() * 1000.0;
        let _ = child.kill().await;
        if !(200..400).contains(&code) {
            return Err(format!("GET {path}: {code}"));
        }
        if ms > worst.0 {
            worst = (ms, path.clone());
        }
        all.insert(label.into(), json!(ms.round()));
        emit(&format!("cold.{label}_ms"), ms, "ms", json!({ "path": path, "warm_ms": warm, "target_ms": 300 }));
    }
    let raw = raw_cold_ms(url).await?;
    emit(
        "cold.slowest_first_request_ms",
        worst.0,
        "ms",
        json!({ "path": worst.1, "pages": all, "target_ms": 300,
                "baseline_raw_engine_cold_open_and_count_ms": raw }),
    );
    Ok(())
}
