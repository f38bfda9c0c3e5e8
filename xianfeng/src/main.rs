//! Xianfeng (先锋): the party-building platform of a provincial Working
//! Committee of Provincial Organs. One binary: the web server, the demo
//! province, and the operator's commands.

mod bench;
mod cli;
mod config;
mod demo;
mod demo_campaigns;
mod demo_data;
mod demo_discipline;
mod demo_dues;
mod demo_meetings;
mod demo_recruitment;
mod demo_rectifications;
mod demo_transfers;
mod progress;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::*;
use xianfeng_core::auth::{Role, operator};
use xianfeng_store::{Store, Who};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = || tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    // Logs go to stderr: stdout carries what a command answers (the bench's
    // JSON lines, counts, reports), to be read or piped on its own.
    if cli.log_format == "json" {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter()).with_target(false).with_writer(std::io::stderr).init();
    }
    xianfeng_store::db::SLOW_QUERY.store(cli.slow_query_ms, std::sync::atomic::Ordering::Relaxed);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

async fn open(cli: &Cli) -> Result<Store, String> {
    std::fs::create_dir_all(&cli.data_dir).map_err(|e| format!("无法创建数据目录 {}：{e}", cli.data_dir.display()))?;
    let keys = config::load_keys(&cli.data_dir)?;
    let url = config::database_url(&cli.data_dir, cli.database_url.as_deref());
    if cli.database_url.is_none() {
        config::private_database_file(&cli.data_dir.join("xianfeng.db"))?;
    }
    let mut store = Store::open(&url, keys).await.map_err(|e| e.to_string())?;
    let witness = cli.audit_witness.clone().unwrap_or_else(|| cli.data_dir.join("audit-witness"));
    store.witness = Some(std::sync::Arc::new(witness));
    Ok(store)
}

/// The data directory's lock, for commands that own the SQLite database
/// while they run (serve, demo); PostgreSQL needs none.
fn lock(cli: &Cli) -> Result<Option<std::fs::File>, String> {
    if cli.database_url.is_some() { Ok(None) } else { config::lock_data_dir(&cli.data_dir).map(Some) }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    match &cli.cmd {
        Cmd::Serve(args) => {
            let _lock = lock(&cli)?;
            let store = open(&cli).await?;
            serve(store, args).await?;
        }
        Cmd::Demo { scale, seed, no_serve, serve: args } => {
            let _lock = lock(&cli)?;
            let store = demo_database(&cli, *scale, *seed).await?;
            if !no_serve {
                serve(store, args).await?;
            }
        }
        Cmd::Migrate => {
            let store = open(&cli).await?;
            println!("数据库已是最新结构（{:?}）。", store.backend());
        }
        Cmd::User { cmd: UserCmd::Create { role, username, display_name, org, member, password_stdin } } => {
            let role = Role::parse(role).ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("未知角色 {role}；可用：{}", names.join(", "))
            })?;
            if !password_stdin {
                return Err("请用 --password-stdin 从标准输入提供密码（不在命令行上出现）".into());
            }
            let mut pw = String::new();
            std::io::stdin().read_to_string(&mut pw).map_err(|e| e.to_string())?;
            let pw = pw.trim_end_matches(['\n', '\r']).to_string();
            let store = open(&cli).await?;
            let who = Who::operator("user-create");
            let name = display_name.clone().unwrap_or_else(|| username.clone());
            let (u, _) =
                xianfeng_store::auth::create_user(&store, operator::user_admin(), &who, username, &name, Some(&pw))
                    .await
                    .map_err(|e| describe(&e))?;
            xianfeng_store::auth::grant_role(&store, operator::security_admin(), &who, u.id, role, *org, *member)
                .await
                .map_err(|e| describe(&e))?;
            println!("已创建账号 {}（{}）。", u.username, role.label());
        }
        Cmd::Import { cmd: ImportCmd::Members { file } } => {
            let bytes = std::fs::read(file).map_err(|e| format!("读取 {} 失败：{e}", file.display()))?;
            let store = open(&cli).await?;
            let root = root(&store).await?;
            let scope = operator::province_member_scope(&root.path);
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let mut bar = progress::Progress::new("导入党员：读取、校验并写入", 0, "行");
            let report = xianfeng_store::member::import_file(
                &store,
                &scope.writer().map_err(|e| e.to_string())?,
                &Who::operator("import"),
                bytes.clone(),
                &name,
                Default::default(),
                &mut |rows| bar.advance(rows),
            )
            .await
            .map_err(|e| describe(&e))?;
            bar.finish();
            if !report.errors.is_empty() {
                eprintln!("发现 {} 处错误，未写入任何数据：", report.errors.len());
                for e in report.shown_errors() {
                    eprintln!("  第{}行 {}：{}", e.row, e.column, e.reason);
                }
                for (column, n) in report.not_shown() {
                    eprintln!("  “{column}”列另有 {n} 处（每列只列出前 20 处）");
                }
                // The file back with a 错误说明 column, beside the original.
                let marked = file.with_file_name(xianfeng_store::xlsx::annotated_file_name(&name));
                match xianfeng_store::xlsx::annotate_errors(&bytes, &Default::default(), &report.errors) {
                    Ok(out) => match std::fs::write(&marked, out) {
                        Ok(()) => eprintln!("已把错误标注在原表的最后一列：{}", marked.display()),
                        Err(e) => eprintln!("未能写出标注了错误的原表 {}：{e}", marked.display()),
                    },
                    Err(e) => eprintln!("未能生成标注了错误的原表：{e}"),
                }
                return Ok(ExitCode::from(2));
            }
            println!("已导入 {} 名党员。", report.imported);
        }
        Cmd::Export { cmd: ExportCmd::Members { out, org } } => {
            let store = open(&cli).await?;
            let root = root(&store).await?;
            let scope = operator::province_member_scope(&root.path);
            let f = xianfeng_store::member::MemberFilter { org_id: *org, ..Default::default() };
            let rows =
                xianfeng_store::member::list_all(&store, &scope, &f, 1_000_000).await.map_err(|e| describe(&e))?;
            let today = xianfeng_core::text::today_cn();
            let bytes = xianfeng_store::xlsx::members_export(&rows, &root.name, "全部在册", today)
                .map_err(|e| e.to_string())?;
            let path =
                out.clone().unwrap_or_else(|| PathBuf::from(xianfeng_store::xlsx::export_file_name(&root.name, today)));
            std::fs::write(&path, bytes).map_err(|e| format!("写入 {} 失败：{e}", path.display()))?;
            store
                .audit(
                    &Who::operator("export"),
                    xianfeng_store::audit::Event::ok("export", "member", path.display())
                        .detail(format!("{}条", rows.len())),
                )
                .await
                .map_err(|e| describe(&e))?;
            println!("已导出 {} 条到 {}", rows.len(), path.display());
        }
        Cmd::Audit { cmd: AuditCmd::Verify } => {
            let store = open(&cli).await?;
            let report =
                xianfeng_store::audit::verify(&store, operator::audit_reader()).await.map_err(|e| describe(&e))?;
            if report.ok {
                println!("审计日志完整：已校验 {} 条（至第 {} 条）。", report.checked, report.head_seq);
            } else {
                eprintln!("审计日志异常：发现 {} 处问题。", report.breaks.len());
                for b in &report.breaks {
                    eprintln!("  第{}条：{}", b.seq, b.reason);
                }
                return Ok(ExitCode::from(3));
            }
        }
        Cmd::Backup { to } => {
            let store = open(&cli).await?;
            progress::phase("备份数据库", xianfeng_store::backup::backup_sqlite(&store.db, to))
                .await
                .map_err(|e| describe(&e))?;
            store
                .audit(&Who::operator("backup"), xianfeng_store::audit::Event::ok("backup", "database", to.display()))
                .await
                .map_err(|e| describe(&e))?;
            println!("已备份到 {}", to.display());
        }
        Cmd::Restore { from } => {
            restore(&cli, from).await?;
        }
        Cmd::Bench { scale, iterations, dir, only, seconds } => {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let opts = bench::BenchOptions {
                scale: *scale,
                iterations: *iterations,
                dir: dir.clone(),
                exe,
                only: only.clone(),
                seconds: *seconds,
            };
            bench::run(opts).await?;
        }
        Cmd::Rollups { cmd } => {
            let store = open(&cli).await?;
            let root = xianfeng_store::org::root(store.db.r()).await.map_err(|e| describe(&e))?;
            let Some(root) = root else {
                return Err("数据库中还没有组织，无需核对汇总".into());
            };
            let console = operator::province_org_scope(&root.path).writer().map_err(|e| e.to_string())?;
            match cmd {
                RollupsCmd::Verify => {
                    let checks = progress::phase("核对汇总表", xianfeng_store::rollups::verify(&store, &console))
                        .await
                        .map_err(|e| describe(&e))?;
                    let mut bad = 0;
                    for c in &checks {
                        if c.differences.is_empty() {
                            println!("{}：与原始记录一致。", c.table);
                        } else {
                            bad += c.differences.len();
                            eprintln!(
                                "{}：{} 处与原始记录不一致（保存的, 重新统计的）：",
                                c.table,
                                c.differences.len()
                            );
                            for d in c.differences.iter().take(20) {
                                eprintln!("  {d}");
                            }
                        }
                    }
                    if bad > 0 {
                        eprintln!("运行 `xianfeng rollups rebuild` 按原始记录重建。");
                        return Ok(ExitCode::from(3));
                    }
                }
                RollupsCmd::Rebuild => {
                    let done = progress::phase("重建汇总表", xianfeng_store::rollups::rebuild(&store, &console))
                        .await
                        .map_err(|e| describe(&e))?;
                    for (table, n) in done {
                        println!("{table}：已按原始记录重建 {n} 行。");
                    }
                }
            }
        }
        Cmd::Keys { cmd } => match cmd {
            KeysCmd::Rotate => {
                if std::env::var("XIANFENG_FIELD_KEYS").is_ok() {
                    return Err("密钥来自环境变量：请在环境变量中新增密钥并设置 XIANFENG_FIELD_KEY_ID".into());
                }
                let path = config::key_file_path(&cli.data_dir);
                let mut kf = config::read_key_file(&path)?;
                let next = (1..).map(|n| format!("k{n}")).find(|k| !kf.field_keys.contains_key(k)).expect("a free id");
                kf.field_keys.insert(next.clone(), xianfeng_core::crypto::random_hex(16));
                kf.current = next.clone();
                config::write_key_file(&path, &kf)?;
                println!("已新增密钥 {next} 并设为当前密钥。运行 `xianfeng keys reencrypt` 以新密钥重新加密已有数据。");
            }
            KeysCmd::Reencrypt => {
                let store = open(&cli).await?;
                let mut bar: Option<progress::Progress> = None;
                let n = xianfeng_store::member::reencrypt_all(
                    &store,
                    &operator::security_admin(),
                    &Who::operator("keys"),
                    &mut |checked, total| {
                        let b = bar.get_or_insert_with(|| progress::Progress::new("重新加密敏感字段", total, "名党员"));
                        b.set(checked);
                    },
                )
                .await
                .map_err(|e| describe(&e))?;
                if let Some(b) = bar {
                    b.finish();
                }
                println!("已重新加密 {n} 名党员的敏感字段。");
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(e: &xianfeng_store::StoreError) -> String {
    match e {
        xianfeng_store::StoreError::Invalid(v) => v.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；"),
        other => other.to_string(),
    }
}

async fn root(store: &Store) -> Result<xianfeng_store::org::OrgRow, String> {
    xianfeng_store::org::root(store.db.r())
        .await
        .map_err(|e| describe(&e))?
        .ok_or_else(|| "数据库中还没有组织（先运行 demo，或导入组织）".to_string())
}

async fn serve(store: Store, args: &ServeArgs) -> Result<(), String> {
    let listener =
        tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| format!("无法监听 {}：{e}", args.listen))?;
    let mut state = xianfeng_web::AppState::new(store.clone());
    state.secure_cookies = args.secure_cookies;
    state.trusted_proxies = std::sync::Arc::new(args.trusted_proxy.clone());
    println!("先锋党建平台已启动：http://{}", args.listen);
    // The chain's head, witnessed outside the database every minute it moves and at shutdown.
    xianfeng_store::audit::checkpoint(&store).await.map_err(|e| describe(&e))?;
    let witness_store = store.clone();
    let witness = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = xianfeng_store::audit::checkpoint(&witness_store).await {
                tracing::error!(error = %e, "could not witness the audit chain's head");
            }
        }
    });
    if let Some(d) = xianfeng_core::clock::moved_to() {
        tracing::warn!(today = %d, "the platform clock is moved by {}: every date and deadline reads {d} as today", xianfeng_core::clock::ENV);
    }
    let store = state.store.clone();
    let served = xianfeng_web::serve(listener, state).await.map_err(|e| e.to_string());
    witness.abort();
    xianfeng_store::audit::checkpoint(&store).await.map_err(|e| describe(&e))?;
    served
}

/// Builds a fresh demo database and prints one-time credentials.
async fn demo_database(cli: &Cli, scale: f64, seed: u64) -> Result<Store, String> {
    if !(0.001..=20.0).contains(&scale) {
        return Err("--scale 应在 0.001 到 20 之间".into());
    }
    std::fs::create_dir_all(&cli.data_dir).map_err(|e| e.to_string())?;
    // A fresh demo chain: the witness of the database it replaces goes with it.
    let witness = cli.audit_witness.clone().unwrap_or_else(|| cli.data_dir.join("audit-witness"));
    let witness_file = xianfeng_store::audit::witness_file(&witness);
    if cli.database_url.is_none() {
        let db = cli.data_dir.join("xianfeng.db");
        let marker = cli.data_dir.join("DEMO");
        if witness_file.exists() && (!db.exists() || marker.exists()) {
            std::fs::remove_file(&witness_file).map_err(|e| e.to_string())?;
        }
        if db.exists() && !marker.exists() {
            return Err(format!("{} 已存在且不是演示数据库；请换一个 --data-dir", db.display()));
        }
        for ext in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{ext}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| e.to_string())?;
            }
        }
        std::fs::write(&marker, "demo database: `xianfeng demo` may recreate it\n").map_err(|e| e.to_string())?;
    }
    let store = open(cli).await?;
    if xianfeng_store::org::root(store.db.r()).await.map_err(|e| describe(&e))?.is_some() {
        return Err("目标数据库已有数据；演示数据只能写入空数据库".into());
    }
    let opts = demo::DemoOptions { scale, seed, today: xianfeng_core::text::today_cn(), meetings: true };
    let summary = demo::generate(&store, &opts).await.map_err(|e| describe(&e))?;
    // Transfers last: they move members between the branches generated above.
    use progress::phase;
    let transfers =
        phase("演示数据：组织关系转接", demo_transfers::generate(&store, seed)).await.map_err(|e| describe(&e))?;
    let rect = phase("演示数据：排队抓尾", demo_rectifications::generate(&store, seed, opts.today))
        .await
        .map_err(|e| describe(&e))?;
    let discipline = phase("演示数据：纪检监察", demo_discipline::generate(&store, seed, scale, opts.today))
        .await
        .map_err(|e| describe(&e))?;
    let campaigns = phase("演示数据：评选表彰", demo_campaigns::generate(&store, seed, opts.today))
        .await
        .map_err(|e| describe(&e))?;
    println!(
        "演示省份已生成（{} ms）：{} 个单位，{} 个党支部，{} 名党员（预备党员 {}），{} 名入党申请人/积极分子/发展对象。",
        summary.elapsed_ms, summary.units, summary.branches, summary.members, summary.probationary, summary.pipeline
    );
    println!(
        "组织生活：{} 次会议（其中 {} 次待召开），{} 条出勤记录。",
        summary.meetings, summary.planned_meetings, summary.attendance
    );
    println!(
        "党费：{} 名党员的基数，{} 条月度应缴记录（未缴 {} 条）。",
        summary.dues_settings, summary.dues_charges, summary.dues_unpaid
    );
    println!(
        "发展党员：{} 份发展档案，{} 条办理记录。组织关系转接：已完成 {} 项，待审批 {} 项。",
        summary.recruitment_cases, summary.recruitment_events, transfers.done, transfers.waiting
    );
    println!(
        "排队抓尾：上年末位党支部 {} 个，已制定整改方案 {} 个，已验收销号 {} 个。",
        rect.tail, rect.plans, rect.lifted
    );
    println!(
        "评选表彰：{} 项评选（2023、2024年模范机关，2024、2025年四强党支部，2025年四好党员、清廉机关），{} 个申报（{} 个因申报条件被拒），命名 {} 个。",
        campaigns.campaigns, campaigns.applications, campaigns.refused, campaigns.honors
    );
    println!(
        "纪检监察：{} 件处分处理记录（党纪政务处分 {} 件，涉及本单位党员 {} 人）。",
        discipline.cases, discipline.sanctions, discipline.members
    );
    print_demo_accounts(&store, &summary).await?;
    Ok(store)
}

async fn print_demo_accounts(store: &Store, s: &demo::DemoSummary) -> Result<(), String> {
    let who = Who::operator("demo");
    // (username, label, role, org binding, member binding)
    type Account = (&'static str, &'static str, Role, Option<i64>, Option<i64>);
    let accounts: [Account; 8] = [
        ("gongwei", "工委管理员", Role::CommitteeAdmin, Some(s.root_id), None),
        ("danwei", "单位党务管理员", Role::UnitAdmin, Some(s.sample_unit_id), None),
        ("shuji", "支部书记", Role::BranchSecretary, Some(s.sample_branch_id), None),
        ("dangyuan", "党员", Role::Member, None, Some(s.sample_member_id)),
        ("jijian", "纪检专员", Role::DisciplineStaff, Some(s.root_id), None),
        ("xitong", "系统管理员", Role::SystemAdmin, None, None),
        ("anquan", "安全管理员", Role::SecurityAdmin, None, None),
        ("shenji", "审计管理员", Role::AuditAdmin, None, None),
    ];
    println!("\n演示账号（密码随机生成，仅显示这一次）：");
    for (username, label, role, org, member) in accounts {
        let pw = xianfeng_core::crypto::temporary_password();
        let (u, _) = xianfeng_store::auth::create_user(store, operator::user_admin(), &who, username, label, Some(&pw))
            .await
            .map_err(|e| describe(&e))?;
        xianfeng_store::auth::grant_role(store, operator::security_admin(), &who, u.id, role, org, member)
            .await
            .map_err(|e| describe(&e))?;
        println!("  {label:<10} 用户名 {username:<10} 密码 {pw}");
    }
    println!();
    Ok(())
}

/// Checkpoints a SQLite database's WAL into the file and empties it; refuses
/// when anything is left in the WAL.
async fn checkpoint(db: &Path) -> Result<(), String> {
    use sqlx::Connection as _;
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(5));
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.map_err(|e| format!("无法打开原数据库：{e}"))?;
    let (busy, _log, _done): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| format!("原数据库检查点失败：{e}"))?;
    conn.close().await.map_err(|e| e.to_string())?;
    if busy != 0 {
        return Err("原数据库正被使用，无法完成检查点；请停止所有先锋进程后再恢复".into());
    }
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    if std::fs::metadata(&wal).map(|m| m.len() > 0).unwrap_or(false) {
        return Err("原数据库的预写日志未能并入数据库文件，未恢复".into());
    }
    Ok(())
}

/// Restores a SQLite backup over the database in the data directory.
async fn restore(cli: &Cli, from: &Path) -> Result<(), String> {
    if cli.database_url.is_some() {
        return Err("PostgreSQL 请使用 pg_restore 恢复（例如：pg_restore -d 数据库名 xianfeng.dump）".into());
    }
    if !from.exists() {
        return Err(format!("备份文件不存在：{}", from.display()));
    }
    // Nobody may be writing to the database while it is replaced: a running
    // server would go on writing to the renamed file and its WAL.
    let _lock = config::lock_data_dir(&cli.data_dir)?;
    // Check the backup opens and carries our schema before touching anything.
    let keys = config::load_existing_keys(&cli.data_dir)?;
    let check = Store::open(&format!("sqlite://{}", from.display()), keys)
        .await
        .map_err(|e| format!("备份文件无法打开：{e}"))?;
    let report = xianfeng_store::audit::verify(&check, operator::audit_reader()).await.map_err(|e| describe(&e))?;
    check.db.close().await;
    if !report.ok {
        return Err("备份文件中的审计日志校验失败：密钥不匹配或备份已被篡改，未恢复".into());
    }
    let db = cli.data_dir.join("xianfeng.db");
    if db.exists() {
        // Fold the WAL into the file first: after a kill -9 it holds
        // committed writes the file alone does not.
        checkpoint(&db).await?;
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
        let keep = cli.data_dir.join(format!("xianfeng.db.before-restore-{stamp}"));
        std::fs::rename(&db, &keep).map_err(|e| e.to_string())?;
        for ext in ["-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{ext}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| e.to_string())?;
            }
        }
        println!("原数据库已保留为 {}", keep.display());
    }
    std::fs::copy(from, &db).map_err(|e| e.to_string())?;
    // The copy took the backup's permissions: owner-only again.
    config::private_database_file(&db)?;
    let store = open(cli).await?;
    store
        .audit(&Who::operator("restore"), xianfeng_store::audit::Event::ok("restore", "database", from.display()))
        .await
        .map_err(|e| describe(&e))?;
    println!("已从 {} 恢复。", from.display());
    Ok(())
}
