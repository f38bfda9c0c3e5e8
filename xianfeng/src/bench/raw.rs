//! Raw-engine baselines: the same work in hand-written SQL on a bare
//! connection, so each figure has its floor from the same run.

use super::*;

/// The raw engine: N single-row committed inserts with the store's pragmas (WAL, synchronous=FULL).
pub(super) async fn raw_single_commits_baseline(dir: &Path, n: usize) -> Result<f64, String> {
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

/// The same list query written by hand on a bare sqlx pool: count + page 1.
pub(super) async fn raw_list_baseline(url: &str, unit: i64, iterations: usize) -> Result<Vec<f64>, String> {
    let pool = sqlx::SqlitePool::connect(url).await.map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for i in 0..iterations + 20 {
        let t = Instant::now();
        raw_list_query(&pool, unit).await?;
        if i >= 20 {
            out.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    pool.close().await;
    Ok(out)
}

/// The member list of an org's subtree by hand: its path, the count and page 1.
pub(super) async fn raw_list_query(pool: &sqlx::SqlitePool, org: i64) -> Result<(), String> {
    use sqlx::Row;
    let row = sqlx::query("SELECT committee_id, path FROM orgs WHERE id = ?")
        .bind(org)
        .fetch_one(pool)
        .await
        .map_err(|e| e.to_string())?;
    let (committee, prefix): (i64, String) = (row.get(0), row.get(1));
    let like = format!("{prefix}%");
    // The root's subtree spans every committee: only the path narrows it.
    let unit = if prefix.matches('/').count() <= 2 { "" } else { "m.committee_id = ? AND " };
    let count = format!(
        "SELECT COUNT(*) FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
         WHERE {unit}o.path LIKE ? AND m.status IN ('applicant','activist','candidate','probationary','full')"
    );
    let page = format!(
        "SELECT m.id, m.name, m.gender, m.ethnicity, m.birth_date, m.id_card_masked, m.education, m.join_date, m.status, o.name \
         FROM members m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
         WHERE {unit}o.path LIKE ? AND m.status IN ('applicant','activist','candidate','probationary','full') \
         ORDER BY o.path, m.id LIMIT 20 OFFSET 0"
    );
    for sql in [count, page] {
        let mut q = sqlx::query(&sql);
        if !unit.is_empty() {
            q = q.bind(committee);
        }
        q.bind(&like).fetch_all(pool).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Raw engine speed: n rows of 26 columns in 400-row multi-VALUES batches, one transaction.
pub(super) async fn raw_insert_baseline(dir: &Path, n: usize) -> Result<f64, String> {
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
pub(super) async fn import_rows(store: &Store, n: usize) -> Result<Vec<MemberInput>, String> {
    let root = xianfeng_store::org::root(store.db.r()).await.map_err(|e| e.to_string())?.ok_or("no root")?;
    let scope = operator::province_member_scope(&root.path);
    let xianfeng_core::auth::MemberScope::Subtree { org, .. } = &scope else { return Err("scope".into()) };
    let branches: Vec<i64> = xianfeng_store::member::branch_lookup(store, org)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|o| o.kind == xianfeng_core::org::OrgKind::Branch)
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

/// The engine floor for this schema: n pre-sealed member rows written with bare
/// sqlx into the real `members` table (all its indexes), one transaction,
/// 1,000-row statements with positional parameters.
pub(super) async fn raw_members_schema_baseline(dir: &Path, n: usize) -> Result<f64, String> {
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
pub(super) fn placeholders(rows: usize, cols: usize) -> String {
    let row = format!("({})", vec!["?"; cols].join(","));
    vec![row; rows].join(",")
}
