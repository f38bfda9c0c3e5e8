//! The areas' benchmarks: compliance, ranking, recruitment, dues and check-in,
//! each beside its raw-engine baseline.

use super::*;

/// Province-wide compliance for a year, all orgs and kinds, from the store;
/// beside the raw aggregate over the meetings table in the same run.
pub(super) async fn bench_compliance(store: &Store, url: &str, admin: &str, iterations: usize) -> Result<(), String> {
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

/// How well the ranking separates: branches sharing first place and distinct
/// scores under the rules in force, beside the same facts scored with every
/// indicator saturating at its target (the model before scoring was a choice).
fn ties(rules: &xianfeng_core::ranking::RankingRules, rows: &[xianfeng_store::ranking::RankRow]) -> serde_json::Value {
    use xianfeng_core::ranking::{self as core_rank, Scoring};
    let distinct = |scores: &mut Vec<f64>| {
        scores.sort_by(f64::total_cmp);
        scores.dedup();
        scores.len()
    };
    let first = |placed: &[core_rank::Placed]| placed.iter().filter(|p| p.rank == 1).count();
    let now: Vec<(i64, i64, f64)> = rows.iter().map(|r| (r.org_id, r.committee_id, r.score)).collect();
    let mut saturating = rules.clone();
    for i in &mut saturating.indicators {
        i.scoring = Scoring::Saturating;
    }
    let before: Vec<(i64, i64, f64)> =
        rows.iter().map(|r| (r.org_id, r.committee_id, core_rank::score(&saturating, &r.facts).score)).collect();
    json!({
        "tied_at_first": first(&core_rank::rank(rules, &now)),
        "distinct_scores": distinct(&mut now.iter().map(|x| x.2).collect()),
        "branches": rows.len(),
        "baseline_all_saturating_tied_at_first": first(&core_rank::rank(&saturating, &before)),
        "baseline_all_saturating_distinct_scores": distinct(&mut before.iter().map(|x| x.2).collect()),
    })
}

/// 排队抓尾 for the whole province: every branch's facts, scores, ranks and
/// tail flags for last year (a full year of records), from the facts kept per
/// unit; after one unit's records changed; and recomputed with every cache
/// dropped (orgs, tallies, dues and recruitment facts read again). Beside the
/// raw engine aggregating the year's dues charges and meetings per branch.
pub(super) async fn bench_ranking(store: &Store, url: &str, admin: &str, iterations: usize) -> Result<(), String> {
    let err = |e: xianfeng_store::StoreError| e.to_string();
    let root = xianfeng_store::org::root(store.db.r()).await.map_err(err)?.ok_or("no root")?;
    let year = chrono::Datelike::year(&xianfeng_core::text::today_cn()) - 1;
    let n = iterations.clamp(10, 100);
    let mut branches = 0;
    let mut tail = 0;
    let mut cached = Vec::new();
    let mut separation = json!({});
    for i in 0..n + 3 {
        let t = Instant::now();
        let (rules, rows) = xianfeng_store::ranking::compute(store, &root, year).await.map_err(err)?;
        let el = t.elapsed().as_secs_f64() * 1000.0;
        branches = rows.len();
        tail = rows.iter().filter(|r| r.tail).count();
        if i >= 3 {
            cached.push(el);
        } else if i == 0 {
            separation = ties(&rules, &rows);
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
    emit("ranking.tied_at_first", separation["tied_at_first"].as_f64().unwrap_or(0.0), "branches", separation);
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
pub(super) async fn bench_recruitment(store: &Store, url: &str, admin: &str, iterations: usize) -> Result<(), String> {
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
pub(super) async fn bench_dues(store: &Store, dir: &Path) -> Result<(), String> {
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
pub(super) async fn bench_checkin(store: &Store, dir: &Path) -> Result<(), String> {
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
    let unit = xianfeng_store::org::create(
        store,
        &scope.writer().map_err(|e| e.to_string())?,
        &who,
        root.id,
        &input("压测单位", "unit"),
    )
    .await
    .map_err(err)?;
    let pc = xianfeng_store::org::create(
        store,
        &scope.writer().map_err(|e| e.to_string())?,
        &who,
        unit.id,
        &input("压测单位机关党委", "party_committee"),
    )
    .await
    .map_err(err)?;
    let branch = xianfeng_store::org::create(
        store,
        &scope.writer().map_err(|e| e.to_string())?,
        &who,
        pc.id,
        &input("压测党支部", "branch"),
    )
    .await
    .map_err(err)?;
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
    let m = xianfeng_store::meeting::plan(store, &scope.writer().map_err(|e| e.to_string())?, &who, branch.id, &plan)
        .await
        .map_err(err)?;
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
