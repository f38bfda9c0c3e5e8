//! The command line: the binary's commands and their arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xianfeng", version, about = "先锋党建平台")]
pub(crate) struct Cli {
    /// Data directory (SQLite database, key file, uploads).
    #[arg(long, global = true, default_value = "./data", env = "XIANFENG_DATA_DIR")]
    pub(crate) data_dir: PathBuf,
    /// PostgreSQL URL (postgres://…); default is SQLite in the data directory.
    #[arg(long, global = true, env = "XIANFENG_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// Directory of the audit chain's witness file (signed checkpoints of the chain's head).
    /// Put it on other storage than the database: a database whose newest audit rows were
    /// cut or whose head was rewound no longer matches it. Default: DATA_DIR/audit-witness.
    #[arg(long, global = true, env = "XIANFENG_AUDIT_WITNESS")]
    pub(crate) audit_witness: Option<PathBuf>,
    /// Log format: `text` (for people) or `json` (one object per line, for a log collector).
    /// Verbosity by RUST_LOG (default `info,sqlx=warn`). Logs carry ids and routes, never personal data.
    #[arg(long, global = true, default_value = "text", env = "XIANFENG_LOG_FORMAT", value_parser = ["text", "json"])]
    pub(crate) log_format: String,
    /// A database query slower than this (milliseconds) is logged as a warning with its route.
    #[arg(long, global = true, default_value_t = xianfeng_store::db::SLOW_QUERY_MS, env = "XIANFENG_SLOW_QUERY_MS")]
    pub(crate) slow_query_ms: u64,
    #[command(subcommand)]
    pub(crate) cmd: Cmd,
}

#[derive(Subcommand)]
pub(crate) enum Cmd {
    /// Serve the platform.
    Serve(ServeArgs),
    /// Create a demo province (fresh database) and serve it.
    Demo {
        /// Province size: 1.0 ≈ 83 units, 4,000+ branches, 40,000+ members.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        #[arg(long, default_value_t = 20251125)]
        seed: u64,
        /// Only build the database; do not serve.
        #[arg(long)]
        no_serve: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Import records.
    Import {
        #[command(subcommand)]
        cmd: ImportCmd,
    },
    /// Export records.
    Export {
        #[command(subcommand)]
        cmd: ExportCmd,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Consistent online copy of the SQLite database.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup (stop the server first).
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// The rollups kept beside the records (meeting tallies and counts, dues tallies and arrears, member counts).
    Rollups {
        #[command(subcommand)]
        cmd: RollupsCmd,
    },
    /// Field-encryption keys.
    Keys {
        #[command(subcommand)]
        cmd: KeysCmd,
    },
    /// Measure the performance targets; prints JSON lines.
    Bench {
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        #[arg(long, default_value_t = 200)]
        iterations: usize,
        /// Scratch directory for the bench databases.
        #[arg(long, default_value = "./target/bench")]
        dir: PathBuf,
        /// Run only these benchmark groups (comma-separated: demo, list, import, compliance, dues,
        /// checkin, ranking, recruitment, crawl, memory, cold, http).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// How long each HTTP load line runs (the wrk line: 20 s).
        #[arg(long, default_value_t = 20.0)]
        seconds: f64,
    },
}

#[derive(Args, Clone)]
pub(crate) struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080", env = "XIANFENG_LISTEN")]
    pub(crate) listen: String,
    /// The site is served over TLS (e.g. behind a TLS proxy): cookies Secure, HSTS on every response.
    #[arg(long, env = "XIANFENG_SECURE_COOKIES")]
    pub(crate) secure_cookies: bool,
    /// Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    /// (comma-separated). The audit then records the client's address, and a request the
    /// proxy received over TLS gets Secure cookies and HSTS.
    #[arg(long, env = "XIANFENG_TRUSTED_PROXIES", value_delimiter = ',')]
    pub(crate) trusted_proxy: Vec<std::net::IpAddr>,
}

#[derive(Subcommand)]
pub(crate) enum UserCmd {
    /// Create an account with one role; the password is read from standard input.
    Create {
        #[arg(long)]
        role: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
        /// The org the role is bound to (committee, unit, branch).
        #[arg(long)]
        org: Option<i64>,
        /// The member record (for the member role).
        #[arg(long)]
        member: Option<i64>,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum ImportCmd {
    /// Import members from an .xlsx file (all rows or none).
    Members { file: PathBuf },
}

#[derive(Subcommand)]
pub(crate) enum ExportCmd {
    /// Export the member roll (masked) to an .xlsx file.
    Members {
        #[arg(long)]
        out: Option<PathBuf>,
        /// Restrict to an org subtree.
        #[arg(long)]
        org: Option<i64>,
    },
}

#[derive(Subcommand)]
pub(crate) enum AuditCmd {
    /// Verify the hash chain; exits non-zero on any tampering.
    Verify,
}

#[derive(Subcommand)]
pub(crate) enum RollupsCmd {
    /// Recount every rollup from its records and report each difference;
    /// exits non-zero when any differs.
    Verify,
    /// Recompute every rollup from its records.
    Rebuild,
}

#[derive(Subcommand)]
pub(crate) enum KeysCmd {
    /// Add a new field key and make it current.
    Rotate,
    /// Re-encrypt every protected field with the current key.
    Reencrypt,
}
