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

pub struct BenchOptions {
    pub scale: f64,
    pub iterations: usize,
    pub dir: PathBuf,
    pub exe: PathBuf,
    /// Benchmark groups to run; empty means all.
    pub only: Vec<String>,
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
    let groups = ["list", "import", "compliance", "dues", "checkin", "ranking", "recruitment", "memory"];
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
            &scope,
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
    bar.finish();
    Ok(())
}

/// Province-wide compliance for a year, all orgs and kinds, from the store;
/// beside the raw aggregate over the meetings table in the same run.
async fn bench_compliance(store: &Store, url: &str, admin: &str, iterations: usize) -> Result<(), String> {
    let root = xianfeng_store::org::root(store.db.r()).await.map_err(|e| e.to_string())?.ok_or("no root")?;
    let year = 2025;
    let n = iterations.clamp(10, 100);
    let mut ms = Vec::new();
    let mut orgs = 0;
    for i in 0..n + 5 {
        let t = Instant::now();
        let (loaded, report) =
            xianfeng_store::compliance::report(store, &root, year).await.map_err(|e| e.to_string())?;
        let el = t.elapsed().as_secs_f64() * 1000.0;
        orgs = loaded.orgs.len();
        std::hint::black_box(report);
        if i >= 5 {
            ms.push(el);
        }
    }
    // After a write: one unit's tallies changed, so that unit is read again.
    let units = xianfeng_store::org::children(store.db.r(), &operator::province_org_scope(&root.path), &root, false)
        .await
        .map_err(|e| e.to_string())?;
    let mut after_write = Vec::new();
    for i in 0..n {
        let unit = &units[i % units.len()];
        let mut tx = store.db.begin().await.map_err(|e| e.to_string())?;
        xianfeng_store::generation::bump_meetings(&mut tx, unit.committee_id).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        let t = Instant::now();
        let r = xianfeng_store::compliance::report(store, &root, year).await.map_err(|e| e.to_string())?;
        after_write.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(r);
    }
    let app = xianfeng_web::router(xianfeng_web::AppState::new(store.clone()));
    let path = format!("/compliance?org_id={}&year={year}", root.id);
    let mut page = Vec::new();
    for i in 0..n + 3 {
        let el = request_ms(&app, &path, admin).await?;
        if i >= 3 {
            page.push(el);
        }
    }
    // The raw engine: the same year's counted meetings grouped by org and kind.
    let pool = sqlx::SqlitePool::connect(url).await.map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    for i in 0..n + 3 {
        let t = Instant::now();
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT org_id, kind, COUNT(*) FROM meetings WHERE counted = 1 AND held_on BETWEEN ? AND ? GROUP BY org_id, kind",
        )
        .bind(chrono::NaiveDate::from_ymd_opt(year, 1, 1))
        .bind(chrono::NaiveDate::from_ymd_opt(year, 12, 31))
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())?;
        std::hint::black_box(rows);
        if i >= 3 {
            raw.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    pool.close().await;
    let (m50, m99) = stats(ms);
    let (p50, p99) = stats(page);
    let (r50, _) = stats(raw);
    let (w50, w99) = stats(after_write);
    emit(
        "compliance.province_year_ms",
        m50,
        "ms",
        json!({ "year": year, "orgs": orgs, "p99_ms": m99, "target_ms": 50, "page_median_ms": p50, "page_p99_ms": p99,
                "after_one_unit_changed_median_ms": w50, "after_one_unit_changed_p99_ms": w99,
                "baseline_raw_aggregate_median_ms": r50 }),
    );
    Ok(())
}

/// 排队抓尾 for the whole province: every branch's facts, scores, ranks and
/// tail flags for last year (a full year of records), from the facts kept per
/// unit; after one unit's records changed; and recomputed with every cache
/// dropped (orgs, tallies, dues and recruitment facts read again). Beside the
/// raw engine aggregating the year's dues charges and meetings per branch.
async fn bench_ranking(store: &Store, url: &str, admin: &str, iterations: usize) -> Result<(), String> {
    let err = |e: xianfeng_store::StoreError| e.to_string();
    let root = xianfeng_store::org::root(store.db.r()).await.map_err(err)?.ok_or("no root")?;
    let year = chrono::Datelike::year(&xianfeng_core::text::today_cn()) - 1;
    let n = iterations.clamp(10, 100);
    let mut branches = 0;
    let mut tail = 0;
    let mut cached = Vec::new();
    for i in 0..n + 3 {
        let t = Instant::now();
        let (_, rows) = xianfeng_store::ranking::compute(store, &root, year).await.map_err(err)?;
        let el = t.elapsed().as_secs_f64() * 1000.0;
        branches = rows.len();
        tail = rows.iter().filter(|r| r.tail).count();
        if i >= 3 {
            cached.push(el);
        }
    }
    let units = xianfeng_store::org::children(store.db.r(), &operator::province_org_scope(&root.path), &root, false)
        .await
        .map_err(err)?;
    let mut after_write = Vec::new();
    for i in 0..n {
        let unit = &units[i % units.len()];
        let mut tx = store.db.begin().await.map_err(err)?;
        xianfeng_store::generation::bump_facts(&mut tx, unit.committee_id).await.map_err(err)?;
        tx.commit().await.map_err(err)?;
        let t = Instant::now();
        let r = xianfeng_store::ranking::compute(store, &root, year).await.map_err(err)?;
        after_write.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(r);
    }
    let mut raw_recompute = Vec::new();
    for _ in 0..n.min(15) {
        xianfeng_store::ranking::clear_cache(store);
        xianfeng_store::compliance::clear_cache(store);
        let t = Instant::now();
        let r = xianfeng_store::ranking::compute(store, &root, year).await.map_err(err)?;
        raw_recompute.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(r);
    }
    let app = xianfeng_web::router(xianfeng_web::AppState::new(store.clone()));
    let mut page = Vec::new();
    for i in 0..n + 2 {
        let el = request_ms(&app, &format!("/ranking?year={year}"), admin).await?;
        if i >= 2 {
            page.push(el);
        }
    }
    let pool = sqlx::SqlitePool::connect(url).await.map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    for _ in 0..n.min(15) {
        let t = Instant::now();
        let d: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT org_id, COUNT(*), SUM(CASE WHEN paid_on IS NOT NULL THEN 1 ELSE 0 END) FROM dues_charges              WHERE month >= ? AND month < ? GROUP BY org_id",
        )
        .bind(chrono::NaiveDate::from_ymd_opt(year, 1, 1))
        .bind(chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1))
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())?;
        let m: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT org_id, COUNT(*) FROM meetings WHERE counted = 1 AND held_on BETWEEN ? AND ? GROUP BY org_id",
        )
        .bind(chrono::NaiveDate::from_ymd_opt(year, 1, 1))
        .bind(chrono::NaiveDate::from_ymd_opt(year, 12, 31))
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())?;
        raw.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box((d, m));
    }
    // The engine's best for the dues half: the same month-by-month walk of
    // `dues_charges_by_month` the store makes, alone on one connection.
    let by_month = (1..=12)
        .map(|m| {
            format!(
                "SELECT committee_id, org_id, COUNT(*) AS c, SUM(on_time) AS t FROM dues_charges \
                 WHERE month = '{year}-{m:02}-01' GROUP BY committee_id, org_id"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let by_month =
        format!("SELECT committee_id, org_id, SUM(c), SUM(t) FROM ({by_month}) GROUP BY committee_id, org_id");
    let mut raw_by_month = Vec::new();
    for _ in 0..n.min(15) {
        let t = Instant::now();
        let d: Vec<(i64, i64, i64, i64)> =
            sqlx::query_as(&by_month).fetch_all(&pool).await.map_err(|e| e.to_string())?;
        raw_by_month.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(d);
    }
    pool.close().await;
    let (c50, c99) = stats(cached);
    let (w50, _) = stats(after_write);
    let (r50, r99) = stats(raw_recompute);
    let (p50, _) = stats(page);
    let (b50, _) = stats(raw);
    let (bb50, _) = stats(raw_by_month);
    emit(
        "ranking.province_ms",
        c50,
        "ms",
        json!({ "year": year, "branches": branches, "tail": tail, "p99_ms": c99, "target_ms": 20,
                "after_one_unit_changed_median_ms": w50, "page_median_ms": p50,
                "baseline_raw_sql_aggregate_median_ms": b50 }),
    );
    emit(
        "ranking.recomputed_from_records_ms",
        r50,
        "ms",
        json!({ "year": year, "p99_ms": r99, "target_ms": 300, "baseline_raw_sql_aggregate_median_ms": b50,
                "baseline_raw_sql_dues_by_month_median_ms": bb50 }),
    );
    Ok(())
}

/// The recruitment pipeline dashboard for the whole province (every unit's
/// people per stage, admissions against plan, due and overdue steps), from
/// the store and as the page; beside the raw engine's grouping of the cases.
async fn bench_recruitment(store: &Store, url: &str, admin: &str, iterations: usize) -> Result<(), String> {
    let root = xianfeng_store::org::root(store.db.r()).await.map_err(|e| e.to_string())?.ok_or("no root")?;
    let scope = operator::province_org_scope(&root.path);
    let year = chrono::Datelike::year(&xianfeng_core::text::today_cn());
    let n = iterations.clamp(20, 200);
    let mut ms = Vec::new();
    let mut cases = 0;
    for i in 0..n + 5 {
        let t = Instant::now();
        let p = xianfeng_store::recruitment::pipeline(store, &scope, year).await.map_err(|e| e.to_string())?;
        let el = t.elapsed().as_secs_f64() * 1000.0;
        cases = p.total.in_pipeline();
        std::hint::black_box(p);
        if i >= 5 {
            ms.push(el);
        }
    }
    let app = xianfeng_web::router(xianfeng_web::AppState::new(store.clone()));
    let mut page = Vec::new();
    for i in 0..n + 3 {
        let el = request_ms(&app, &format!("/recruitment?year={year}"), admin).await?;
        if i >= 3 {
            page.push(el);
        }
    }
    let pool = sqlx::SqlitePool::connect(url).await.map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    for i in 0..n + 3 {
        let t = Instant::now();
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT committee_id, person_status, COUNT(*) FROM recruitment_cases WHERE state = 'open' GROUP BY committee_id, person_status",
        )
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())?;
        std::hint::black_box(rows);
        if i >= 3 {
            raw.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    pool.close().await;
    let (m50, m99) = stats(ms);
    let (p50, p99) = stats(page);
    let (r50, _) = stats(raw);
    emit(
        "recruitment.pipeline_ms",
        m50,
        "ms",
        json!({ "cases_in_pipeline": cases, "p99_ms": m99, "target_ms": 20, "page_median_ms": p50, "page_p99_ms": p99,
                "baseline_raw_group_by_median_ms": r50 }),
    );
    Ok(())
}

/// A monthly dues cycle for the whole province: every member's charge computed
/// from their setting and the rule, written in one transaction.
async fn bench_dues(store: &Store, dir: &Path) -> Result<(), String> {
    let err = |e: xianfeng_store::StoreError| e.to_string();
    let root = xianfeng_store::org::root(store.db.r()).await.map_err(err)?.ok_or("no root")?;
    let scope = operator::province_member_scope(&root.path);
    let who = Who::operator("bench");
    let mut times = Vec::new();
    let mut charges = 0;
    // Three separate months, each opened once for the whole province.
    for (i, month) in [(2030, 1), (2030, 2), (2030, 3)].iter().enumerate() {
        let m = chrono::NaiveDate::from_ymd_opt(month.0, month.1, 1).expect("date");
        let t = Instant::now();
        let r = xianfeng_store::dues::open_cycle(store, &scope, &who, m).await.map_err(err)?;
        times.push(t.elapsed().as_secs_f64());
        charges = r.charges;
        if i == 0 && r.units_opened < 80 {
            return Err(format!("dues bench opened only {} units", r.units_opened));
        }
    }
    let raw = raw_insert_baseline(dir, charges).await?;
    let (median, _) = stats(times);
    emit(
        "dues.monthly_cycle_s",
        median,
        "s",
        json!({ "charges": charges, "target_s": 1.0, "baseline_raw_insert_same_rows_s": raw }),
    );
    Ok(())
}

/// 10,000 members check in to one meeting through the HTTP API (in-process,
/// 32 at a time); every acknowledged check-in must be stored.
async fn bench_checkin(store: &Store, dir: &Path) -> Result<(), String> {
    use tower::ServiceExt;
    use xianfeng_core::member::{MemberStatus, ValidMember};
    const N: usize = 10_000;
    let err = |e: xianfeng_store::StoreError| e.to_string();
    let root = xianfeng_store::org::root(store.db.r()).await.map_err(err)?.ok_or("no root")?;
    let scope = operator::province_org_scope(&root.path);
    let who = Who::operator("bench");
    let input = |name: &str, kind: &str| xianfeng_store::org::OrgInput {
        name: name.into(),
        kind: kind.into(),
        district: "压测片区".into(),
        ..Default::default()
    };
    let unit =
        xianfeng_store::org::create(store, &scope, &who, root.id, &input("压测单位", "unit")).await.map_err(err)?;
    let pc = xianfeng_store::org::create(store, &scope, &who, unit.id, &input("压测单位机关党委", "party_committee"))
        .await
        .map_err(err)?;
    let branch =
        xianfeng_store::org::create(store, &scope, &who, pc.id, &input("压测党支部", "branch")).await.map_err(err)?;
    let mut tx = store.db.begin().await.map_err(err)?;
    let ids = tx.alloc_ids(N as i64).await.map_err(err)?;
    let birth = chrono::NaiveDate::from_ymd_opt(1985, 6, 1).expect("date");
    let members: Vec<xianfeng_store::bulk::NewMember> = (0..N)
        .map(|i| xianfeng_store::bulk::NewMember {
            committee_id: unit.committee_id,
            id: ids.start + i as i64,
            member: ValidMember {
                name: format!("压测党员{i}"),
                gender: "男".into(),
                ethnicity: "汉族".into(),
                birth_date: birth + chrono::Days::new((i % 3000) as u64),
                id_card: xianfeng_core::idcard::compose(
                    520199,
                    birth + chrono::Days::new((i % 3000) as u64),
                    (i / 3000) as u32 * 2 + 1,
                ),
                education: "大学".into(),
                category: String::new(),
                phone: String::new(),
                position: String::new(),
                cadre_rank: String::new(),
                native_place: String::new(),
                address: String::new(),
                community: String::new(),
                join_date: Some(chrono::NaiveDate::from_ymd_opt(2010, 7, 1).expect("date")),
                full_date: Some(chrono::NaiveDate::from_ymd_opt(2011, 7, 1).expect("date")),
                status: MemberStatus::Full,
                org_id: branch.id,
                group_id: None,
            },
        })
        .collect();
    xianfeng_store::bulk::insert_members(&mut tx, store, &members, xianfeng_core::text::now_ms()).await.map_err(err)?;
    let pairs: Vec<(i64, i64)> = members.iter().map(|m| (m.id, branch.id)).collect();
    let sessions = xianfeng_store::bulk::member_sessions(&mut tx, &pairs, "bench_m").await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    let plan = xianfeng_core::meeting::PlanInput {
        kind: "party_lecture".into(),
        planned_on: xianfeng_core::text::today_cn().to_string(),
        topic: "万人党课".into(),
        ..Default::default()
    };
    let m = xianfeng_store::meeting::plan(store, &scope, &who, branch.id, &plan).await.map_err(err)?;
    let app = xianfeng_web::router(xianfeng_web::AppState::new(store.clone()));
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    let t = Instant::now();
    let mut tasks = Vec::with_capacity(N);
    for (token, csrf) in sessions {
        let app = app.clone();
        let sem = sem.clone();
        let path = format!("/api/v1/meetings/{}/checkins", m.id);
        let m = m.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.ok()?;
            // The code on the screen when this member scans it (it changes every minute).
            let body = json!({ "token": xianfeng_store::meeting::current_code(&m) }).to_string();
            let req = axum::http::Request::post(path)
                .header("cookie", format!("xf_session={token}"))
                .header("x-csrf-token", csrf)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body))
                .ok()?;
            let res = app.oneshot(req).await.ok()?;
            let ok = res.status().is_success();
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.ok()?;
            Some(ok && String::from_utf8_lossy(&bytes).contains("checked_in"))
        }));
    }
    let mut acknowledged = 0;
    for t in tasks {
        if t.await.map_err(|e| e.to_string())? == Some(true) {
            acknowledged += 1;
        }
    }
    let total_s = t.elapsed().as_secs_f64();
    let stored = xianfeng_store::meeting::checked_in_count(store, &m).await.map_err(err)?;
    if stored != acknowledged as i64 {
        return Err(format!("check-in bench: {acknowledged} acknowledged but {stored} stored"));
    }
    let raw_s = raw_single_commits_baseline(dir, N).await?;
    emit(
        "checkin.10k_s",
        total_s,
        "s",
        json!({ "checkins": N, "acknowledged": acknowledged, "stored": stored, "target_s": 60, "per_s": acknowledged as f64 / total_s,
                "concurrency": 32, "baseline_raw_single_row_commits_s": raw_s }),
    );
    Ok(())
}

/// The raw engine: N single-row committed inserts with the store's pragmas (WAL, synchronous=FULL).
async fn raw_single_commits_baseline(dir: &Path, n: usize) -> Result<f64, String> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let path = dir.join("raw-commits.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    let o = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let pool =
        sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(o).await.map_err(|e| e.to_string())?;
    sqlx::query("CREATE TABLE t (a INTEGER PRIMARY KEY, b INTEGER NOT NULL, c TEXT NOT NULL)")
        .execute(&pool)
        .await
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    for i in 0..n as i64 {
        sqlx::query("INSERT INTO t (a, b, c) VALUES (?, ?, 'present')")
            .bind(i)
            .bind(i)
            .execute(&pool)
            .await
            .map_err(|e| e.to_string())?;
    }
    let s = t.elapsed().as_secs_f64();
    pool.close().await;
    Ok(s)
}

/// A committee-admin session token for the bench.
async fn bench_admin(store: &Store, root_id: i64) -> Result<String, String> {
    let who = Who::operator("bench");
    let pw = xianfeng_core::crypto::temporary_password();
    let (u, _) =
        xianfeng_store::auth::create_user(store, operator::user_admin(), &who, "benchadmin", "bench", Some(&pw))
            .await
            .map_err(|e| e.to_string())?;
    let role = xianfeng_store::auth::grant_role(
        store,
        operator::security_admin(),
        &who,
        u.id,
        Role::CommitteeAdmin,
        Some(root_id),
        None,
    )
    .await
    .map_err(|e| e.to_string())?;
    let (token, _) =
        xianfeng_store::auth::open_session(store, u.id, Some(role.id), "127.0.0.1").await.map_err(|e| e.to_string())?;
    Ok(token)
}

async fn request_ms(app: &axum::Router, path: &str, token: &str) -> Result<f64, String> {
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

/// The same list query written by hand on a bare sqlx pool: count + page 1.
async fn raw_list_baseline(url: &str, unit: i64, iterations: usize) -> Result<Vec<f64>, String> {
    use sqlx::Row;
    let pool = sqlx::SqlitePool::connect(url).await.map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for i in 0..iterations + 20 {
        let t = Instant::now();
        let prefix: String = sqlx::query("SELECT path FROM orgs WHERE id = ?")
            .bind(unit)
            .fetch_one(&pool)
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        let like = format!("{prefix}%");
        let _: i64 = sqlx::query(
            "SELECT COUNT(*) FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
             WHERE m.committee_id = ? AND o.path LIKE ? AND m.status IN ('applicant','activist','candidate','probationary','full')",
        )
        .bind(unit)
        .bind(&like)
        .fetch_one(&pool)
        .await
        .map_err(|e| e.to_string())?
        .get(0);
        let _rows = sqlx::query(
            "SELECT m.id, m.name, m.gender, m.ethnicity, m.birth_date, m.id_card_masked, m.education, m.join_date, m.status, o.name \
             FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
             WHERE m.committee_id = ? AND o.path LIKE ? AND m.status IN ('applicant','activist','candidate','probationary','full') \
             ORDER BY o.path, m.id LIMIT 20 OFFSET 0",
        )
        .bind(unit)
        .bind(&like)
        .fetch_all(&pool)
        .await
        .map_err(|e| e.to_string())?;
        if i >= 20 {
            out.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    pool.close().await;
    Ok(out)
}

/// Raw engine speed: n rows of 26 columns in 400-row multi-VALUES batches, one transaction.
async fn raw_insert_baseline(dir: &Path, n: usize) -> Result<f64, String> {
    let path = dir.join("baseline.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|e| e.to_string())?;
    let cols: Vec<String> = (0..26).map(|i| format!("c{i} TEXT")).collect();
    sqlx::query(&format!("CREATE TABLE t (id INTEGER PRIMARY KEY, {})", cols.join(", ")))
        .execute(&pool)
        .await
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let mut i = 0usize;
    while i < n {
        let batch = (n - i).min(400);
        let sql = format!("INSERT INTO t VALUES {}", placeholders(batch, 27));
        let mut q = sqlx::query(&sql);
        for r in 0..batch {
            q = q.bind((i + r) as i64);
            for c in 0..26 {
                q = q.bind(format!("value-{c}-{}", i + r));
            }
        }
        q.execute(&mut *tx).await.map_err(|e| e.to_string())?;
        i += batch;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    let s = t.elapsed().as_secs_f64();
    pool.close().await;
    Ok(s)
}

/// Builds n valid new members spread over the demo's branches.
async fn import_rows(store: &Store, n: usize) -> Result<Vec<MemberInput>, String> {
    let root = xianfeng_store::org::root(store.db.r()).await.map_err(|e| e.to_string())?.ok_or("no root")?;
    let scope = operator::province_member_scope(&root.path);
    let xianfeng_core::auth::MemberScope::Subtree { org, .. } = &scope else { return Err("scope".into()) };
    let branches: Vec<i64> = xianfeng_store::member::branch_lookup(store, org)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|o| o.kind == xianfeng_core::org::OrgKind::Branch.as_str())
        .map(|o| o.id)
        .collect();
    let surnames = ["赵", "钱", "孙", "李", "周", "吴", "郑", "王", "冯", "陈"];
    let given = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "军", "杰", "涛", "明"];
    Ok((0..n)
        .map(|i| {
            let birth =
                chrono::NaiveDate::from_ymd_opt(1960 + (i % 40) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
                    .expect("date");
            // Region 522731 is not used by the demo, so the numbers are new.
            let seq = (i / 480) as u32 * 2 + 1;
            let region = 522731 + (i % 480 / 40) as u32;
            MemberInput {
                name: format!("{}{}{}", surnames[i % 10], given[i % 12], given[(i / 12) % 12]),
                gender: "男".into(),
                ethnicity: "汉族".into(),
                id_card: xianfeng_core::idcard::compose(region, birth, seq),
                birth_date: String::new(),
                education: "大学本科".into(),
                phone: format!("139{:08}", i),
                status: "full".into(),
                join_date: format!("{}-07-01", 1960 + (i % 40) + 25),
                full_date: format!("{}-07-01", 1960 + (i % 40) + 26),
                org_id: branches[i % branches.len()].to_string(),
                ..Default::default()
            }
        })
        .collect())
}

fn rss_mb(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

async fn http_get(addr: &str, path: &str, token: &str) -> Result<u16, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: xf_session={token}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(20)]).to_string();
    head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or(format!("bad response to {path}"))
}

async fn serve_memory(opts: &BenchOptions, url: &str, token: &str) -> Result<(f64, f64, f64), String> {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        l.local_addr().map_err(|e| e.to_string())?.port()
    };
    let addr = format!("127.0.0.1:{port}");
    let keys = Keys::for_tests();
    let _ = keys;
    // The child uses the bench database with the same test keys (written to a key file).
    let data = opts.dir.join("serve");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let kf = crate::config::KeyFile {
        field_keys: [("t1".to_string(), "11".repeat(16))].into_iter().collect(),
        current: "t1".into(),
        index_key: "22".repeat(16),
        audit_key: "33".repeat(32),
    };
    crate::config::write_key_file(&crate::config::key_file_path(&data), &kf)?;
    let mut child = tokio::process::Command::new(&opts.exe)
        .args(["serve", "--listen", &addr, "--data-dir"])
        .arg(&data)
        .args(["--database-url", url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| e.to_string())?;
    let pid = child.id().ok_or("no pid")?;
    let start = Instant::now();
    while http_get(&addr, "/healthz", token).await.is_err() {
        if start.elapsed() > Duration::from_secs(30) {
            return Err("server did not start".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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

/// The engine floor for this schema: n pre-sealed member rows written with bare
/// sqlx into the real `members` table (all its indexes), one transaction,
/// 1,000-row statements with positional parameters.
async fn raw_members_schema_baseline(dir: &Path, n: usize) -> Result<f64, String> {
    let (store, url) = fresh_store(dir, "baseline-members.db").await?;
    store.db.close().await;
    let pool = sqlx::SqlitePool::connect(&url).await.map_err(|e| e.to_string())?;
    sqlx::query("PRAGMA synchronous=FULL").execute(&pool).await.map_err(|e| e.to_string())?;
    let cols = "committee_id, id, org_id, group_id, name, gender, ethnicity, birth_date, id_card_enc, id_card_masked, id_card_index, \
        phone_enc, phone_masked, education, category, position, cadre_rank, native_place, address, community, join_date, full_date, status, version, created_at, updated_at";
    let keys = Keys::for_tests();
    let t = Instant::now();
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let mut i = 0usize;
    while i < n {
        let batch = (n - i).min(1000);
        let sql = format!("INSERT INTO members ({cols}) VALUES {}", placeholders(batch, 26));
        let mut q = sqlx::query(&sql);
        for r in 0..batch {
            let k = (i + r) as i64;
            q = q
                .bind(1 + k % 83)
                .bind(1_000_000 + k)
                .bind(10 + k % 4000)
                .bind(None::<i64>)
                .bind(format!("党员{k}"))
                .bind("男")
                .bind("汉族")
                .bind("1980-01-01")
                .bind(keys.cipher.encrypt("52010219800101001X"))
                .bind("52****************")
                .bind(keys.cipher.blind_index(&k.to_string()))
                .bind(keys.cipher.encrypt("13900000000"))
                .bind("139****0000")
                .bind("大学本科")
                .bind("公务员")
                .bind("")
                .bind("科员")
                .bind("")
                .bind("")
                .bind("")
                .bind("2005-07-01")
                .bind("2006-07-01")
                .bind("full")
                .bind(1i64)
                .bind(0i64)
                .bind(0i64);
        }
        q.execute(&mut *tx).await.map_err(|e| e.to_string())?;
        i += batch;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    let s = t.elapsed().as_secs_f64();
    pool.close().await;
    Ok(s)
}

/// `(?, …, ?), (…)`: `rows` rows of `cols` positional placeholders (raw baselines).
fn placeholders(rows: usize, cols: usize) -> String {
    let row = format!("({})", vec!["?"; cols].join(","));
    vec![row; rows].join(",")
}
