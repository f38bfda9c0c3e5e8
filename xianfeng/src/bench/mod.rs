//! `xianfeng bench`: the performance targets, measured on this machine,
//! each printed as a JSON line beside a raw-engine baseline from the same run.
//! Numbers are medians (and p99 where a tail matters).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use xianfeng_core::auth::{Role, operator};
use xianfeng_core::member::MemberInput;
use xianfeng_store::{Keys, Store, Who};

use crate::demo;

mod areas;
mod cold;
mod http;
mod raw;
mod serve;

use self::areas::*;
use self::cold::*;
use self::http::*;
use self::raw::*;
use self::serve::*;

pub struct BenchOptions {
    pub scale: f64,
    pub iterations: usize,
    pub dir: PathBuf,
    pub exe: PathBuf,
    /// Benchmark groups to run; empty means all.
    pub only: Vec<String>,
    /// Seconds each HTTP load line runs.
    pub seconds: f64,
}

impl BenchOptions {
    fn wants(&self, group: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|g| g == group)
    }
}

fn emit(name: &str, value: f64, unit: &str, extra: serde_json::Value) {
    let mut line = json!({ "name": name, "value": (value * 1000.0).round() / 1000.0, "unit": unit });
    if let (Some(obj), Some(more)) = (line.as_object_mut(), extra.as_object()) {
        for (k, v) in more {
            obj.insert(k.clone(), v.clone());
        }
    }
    println!("{line}");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

async fn fresh_store(dir: &Path, name: &str) -> Result<(Store, String), String> {
    let path = dir.join(name);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, Keys::for_tests()).await.map_err(|e| e.to_string())?;
    Ok((store, url))
}

pub async fn run(opts: BenchOptions) -> Result<(), String> {
    std::fs::create_dir_all(&opts.dir).map_err(|e| e.to_string())?;
    // 1. Demo generation, beside raw batched inserts of the same number of rows.
    let (store, url) = fresh_store(&opts.dir, "bench.db").await?;
    let t = Instant::now();
    let summary = demo::generate(
        &store,
        &demo::DemoOptions {
            scale: opts.scale,
            seed: 20251125,
            today: xianfeng_core::text::today_cn(),
            meetings: true,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let gen_s = t.elapsed().as_secs_f64();
    if opts.wants("demo") {
        let raw_s = raw_insert_baseline(&opts.dir, summary.members + summary.pipeline).await?;
        emit(
            "demo.province",
            summary.province_ms as f64 / 1000.0,
            "s",
            json!({ "scale": opts.scale, "members": summary.members, "branches": summary.branches, "target_s": 30, "baseline_raw_insert_same_rows_s": raw_s }),
        );
        let rows = summary.members + summary.pipeline + summary.meetings + summary.attendance + summary.dues_charges;
        let raw_all = raw_insert_baseline(&opts.dir, rows).await?;
        emit(
            "demo.generate",
            gen_s,
            "s",
            json!({ "scale": opts.scale, "meetings": summary.meetings, "attendance_rows": summary.attendance,
                    "dues_charges": summary.dues_charges, "target_s": 60,
                    "baseline_raw_insert_same_rows_s": raw_all }),
        );
    }

    let admin = bench_admin(&store, summary.root_id).await?;
    let groups = [
        "list",
        "import",
        "compliance",
        "dues",
        "checkin",
        "ranking",
        "recruitment",
        "crawl",
        "memory",
        "cold",
        "http",
    ];
    let mut bar =
        crate::progress::Progress::new("基准测试", groups.iter().filter(|g| opts.wants(g)).count() as u64, "项");
    if opts.wants("list") {
        bar.advance(1);
        // 2. Member list, filtered to one unit, page 1, through the router in-process.
        let unit = summary.sample_unit_id;
        let app = xianfeng_web::router(xianfeng_web::AppState::new(store.clone()));
        let path = format!("/members?org_id={unit}");
        let api_path = format!("/api/v1/members?org_id={unit}");
        let mut page_ms = Vec::new();
        let mut api_ms = Vec::new();
        for i in 0..opts.iterations + 20 {
            let a = request_ms(&app, &path, &admin).await?;
            let b = request_ms(&app, &api_path, &admin).await?;
            if i >= 20 {
                page_ms.push(a);
                api_ms.push(b);
            }
        }
        let raw_ms = raw_list_baseline(&url, unit, opts.iterations).await?;
        let (p50, p99) = stats(page_ms);
        let (a50, a99) = stats(api_ms);
        let (r50, r99) = stats(raw_ms);
        emit(
            "member_list.page_p99",
            p99,
            "ms",
            json!({ "median_ms": p50, "target_p99_ms": 10, "baseline_raw_sql_p99_ms": r99, "baseline_raw_sql_median_ms": r50 }),
        );
        emit("member_list.api_p99", a99, "ms", json!({ "median_ms": a50, "baseline_raw_sql_p99_ms": r99 }));
    }
    if opts.wants("import") {
        bar.advance(1);
        // 3. Import of 40,000 members from .xlsx, all-or-nothing.
        let n = ((40_000.0 * opts.scale.max(0.05)) as usize).max(1000);
        let rows = import_rows(&store, n).await?;
        let file = xianfeng_store::xlsx::synth_members_file(&rows);
        let (istore, _) = fresh_store(&opts.dir, "bench-import.db").await?;
        demo::generate(
            &istore,
            &demo::DemoOptions {
                scale: opts.scale,
                seed: 20251125,
                today: xianfeng_core::text::today_cn(),
                meetings: false,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        let root = xianfeng_store::org::root(istore.db.r()).await.map_err(|e| e.to_string())?.ok_or("no root")?;
        let scope = operator::province_member_scope(&root.path);
        // Parse time alone, for the record; the import below parses again, streaming.
        let t = Instant::now();
        xianfeng_store::xlsx::parse_members(&file, &Default::default()).map_err(|e| e.to_string())?;
        let parse_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let report = xianfeng_store::member::import_file(
            &istore,
            &scope.writer().map_err(|e| e.to_string())?,
            &Who::operator("bench"),
            file,
            "bench.xlsx",
            Default::default(),
            &mut |_| {},
        )
        .await
        .map_err(|e| e.to_string())?;
        let total_s = t.elapsed().as_secs_f64();
        if report.imported != n {
            return Err(format!(
                "bench import wrote {} of {n} rows: {:?}",
                report.imported,
                report.errors.iter().take(3).collect::<Vec<_>>()
            ));
        }
        let schema_rps = n as f64 / raw_members_schema_baseline(&opts.dir, n).await?;
        emit(
            "import.members_rows_per_s",
            n as f64 / total_s,
            "rows/s",
            json!({ "rows": n, "total_s": total_s, "parse_s": parse_s, "target_rows_per_s": 50000,
                "baseline_raw_insert_rows_per_s": n as f64 / raw_insert_baseline(&opts.dir, n).await?,
                "baseline_raw_insert_members_schema_rows_per_s": schema_rps }),
        );
        istore.db.close().await;
    }
    if opts.wants("compliance") {
        bar.advance(1);
        bench_compliance(&store, &url, &admin, opts.iterations).await?;
    }
    if opts.wants("dues") {
        bar.advance(1);
        bench_dues(&store, &opts.dir).await?;
    }
    if opts.wants("checkin") {
        bar.advance(1);
        bench_checkin(&store, &opts.dir).await?;
    }
    if opts.wants("ranking") {
        bar.advance(1);
        bench_ranking(&store, &url, &admin, opts.iterations).await?;
    }
    if opts.wants("recruitment") {
        bar.advance(1);
        bench_recruitment(&store, &url, &admin, opts.iterations).await?;
    }
    if opts.wants("crawl") {
        bar.advance(1);
        bench_crawl(&store, &summary).await?;
    }
    store.db.close().await;
    if opts.wants("memory") {
        bar.advance(1);
        // 4. Resident memory of `xianfeng serve` on the province, after a round of pages.
        let (rss_idle, rss_served, hwm) = serve_memory(&opts, &url, &admin).await?;
        emit(
            "serve.rss_mb",
            rss_served,
            "MB",
            json!({ "target_mb": 150, "idle_after_start_mb": rss_idle, "peak_hwm_mb": hwm }),
        );
    }
    if opts.wants("http") {
        bar.advance(1);
        // 6. HTTP load on the member lists, beside the engine alone.
        bench_http(&opts, &url, &admin, &summary).await?;
    }
    if opts.wants("cold") {
        bar.advance(1);
        // 5. The first request of each morning page after a restart, the OS cache dropped.
        bench_cold(&opts, &url, &admin, &summary).await?;
    }
    bar.finish();
    Ok(())
}
