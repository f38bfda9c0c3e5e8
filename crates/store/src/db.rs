//! One code path for SQLite and PostgreSQL.
//!
//! Queries are written once as SQL with `$1, $2, …` placeholders (both engines
//! accept them) and a list of [`Arg`]s; [`Conn`] runs them on whichever engine
//! the store was opened with. Rows decode into `sqlx::FromRow` structs whose
//! field types both engines support (i64, String, bool, NaiveDate, Option).

use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{FromRow, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};

use crate::error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I64(Option<i64>),
    Text(Option<String>),
    Date(Option<NaiveDate>),
    Bool(bool),
    Bytes(Vec<u8>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::I64(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<NaiveDate> for Arg {
    fn from(v: NaiveDate) -> Self {
        Arg::Date(Some(v))
    }
}
impl From<Option<NaiveDate>> for Arg {
    fn from(v: Option<NaiveDate>) -> Self {
        Arg::Date(v)
    }
}
impl From<Vec<u8>> for Arg {
    fn from(v: Vec<u8>) -> Self {
        Arg::Bytes(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

/// A query under construction: SQL text and its arguments.
#[derive(Debug, Clone, Default)]
pub struct Q {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Q {
    pub fn new(sql: impl Into<String>) -> Self {
        Self { sql: sql.into(), args: Vec::new() }
    }
    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }
    /// Appends a placeholder for `v`.
    pub fn bind(&mut self, v: impl Into<Arg>) -> &mut Self {
        use std::fmt::Write as _;
        self.args.push(v.into());
        // Writing the number in place: a bulk insert binds a million of these.
        let _ = write!(self.sql, "${}", self.args.len());
        self
    }
    /// Adds an argument for a `$n` the SQL text already contains.
    pub fn arg(mut self, v: impl Into<Arg>) -> Self {
        self.args.push(v.into());
        self
    }
    /// Appends `(v1, v2, …)` placeholders for a row of a multi-row insert.
    pub fn push_row(&mut self, values: Vec<Arg>) -> &mut Self {
        self.sql.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind(v);
        }
        self.sql.push(')');
        self
    }
}

/// `q!("SELECT … WHERE a = $1 AND b = $2", a, b)`
#[macro_export]
macro_rules! q {
    ($sql:expr $(, $arg:expr)* $(,)?) => {{
        #[allow(unused_mut)]
        let mut q = $crate::db::Q::new($sql);
        $( q.args.push($crate::db::Arg::from($arg)); )*
        q
    }};
}

macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for a in $args {
            query = match a {
                Arg::I64(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::Date(v) => query.bind(v),
                Arg::Bool(v) => query.bind(v),
                Arg::Bytes(v) => query.bind(v),
            };
        }
        query
    }};
}

/// Rows that decode on both engines.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Connection pools. SQLite has one writer connection (all writes serialize
/// through it, each transaction opened with BEGIN IMMEDIATE) and a few readers.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

impl Db {
    /// Opens `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let base = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // FULL: an acknowledged write or audit row survives power loss.
                .synchronous(SqliteSynchronous::Full)
                .pragma("cache_size", "-8000")
                .pragma("temp_store", "memory");
            // The single writer keeps a larger page cache: bulk imports touch
            // every index of a growing table.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(base.clone().pragma("cache_size", "-32000"))
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(base.read_only(true))
                .await?;
            Ok(Db::Sqlite { read, write })
        } else {
            Err(StoreError::Config(format!("不支持的数据库地址：{url}（应以 sqlite: 或 postgres:// 开头）")))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// A connection handle for reads outside a transaction.
    pub fn r(&self) -> Conn<'_> {
        match self {
            Db::Sqlite { read, .. } => Conn::SqlitePool(read),
            Db::Postgres(p) => Conn::PgPool(p),
        }
    }

    /// Starts a write transaction (BEGIN IMMEDIATE on SQLite).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Runs a multi-statement script (migrations).
    pub async fn run_script(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite { write, .. } => {
                sqlx::raw_sql(sql).execute(write).await?;
            }
            Db::Postgres(p) => {
                sqlx::raw_sql(sql).execute(p).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        self.r().fetch_scalar_i64(q!("SELECT CAST(1 AS BIGINT) AS v")).await.is_ok()
    }
}

/// A write transaction on either engine. Dropped without commit, it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub fn c(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Pg(t),
        }
    }
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// Optimistic locking, the one way every versioned row is saved: `q` is
    /// an UPDATE that sets `version = version + 1` and whose WHERE names the
    /// version the caller read (`AND version = $n`). It runs inside this
    /// transaction; when it changes no row, someone saved first (or the row
    /// is gone) and the whole transaction is abandoned with
    /// [`StoreError::Stale`], so nothing half-written remains.
    pub async fn update_versioned(&mut self, q: Q) -> Result<()> {
        debug_assert!(
            q.sql.contains("version = version + 1") && q.sql.contains("version = $"),
            "a versioned update bumps the version and names the one it read: {}",
            q.sql
        );
        match self.c().execute(q).await? {
            1 => Ok(()),
            _ => Err(crate::StoreError::Stale),
        }
    }

    /// Reserves `n` fresh ids (one statement). Ids are unique across all
    /// tables and never reused, so they can serve as keys on every shard.
    pub async fn alloc_ids(&mut self, n: i64) -> Result<std::ops::Range<i64>> {
        assert!(n > 0, "allocate at least one id");
        let end = self
            .c()
            .fetch_scalar_i64(q!(
                "UPDATE id_blocks SET next_id = next_id + $1 WHERE name = 'global' RETURNING next_id AS v",
                n
            ))
            .await?;
        Ok(end - n..end)
    }

    pub async fn alloc_id(&mut self) -> Result<i64> {
        Ok(self.alloc_ids(1).await?.start)
    }
}

/// A place to run a query: a pool (reads) or a transaction's connection.
pub enum Conn<'a> {
    SqlitePool(&'a SqlitePool),
    Sqlite(&'a mut SqliteConnection),
    PgPool(&'a PgPool),
    Pg(&'a mut PgConnection),
}

#[derive(FromRow)]
struct Scalar {
    v: i64,
}

#[derive(FromRow)]
struct OptScalar {
    v: Option<i64>,
}

/// SQLite binds named parameters (`$1`) by looking each name up in a list, which
/// grows quadratically with the parameter count (a 500-row insert has 13,000).
/// When the placeholders run `$1, $2, … $n` in order, each once, they become
/// anonymous `?` placeholders, which bind by position. Otherwise the text is
/// kept as it is (SQLite accepts `$n` too).
pub fn sqlite_positional(sql: &str) -> std::borrow::Cow<'_, str> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut expected = 1u64;
    let mut in_string = false;
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\'' {
            in_string = !in_string;
        } else if b == b'$' && !in_string {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if end > start {
                let n: u64 = sql[start..end].parse().unwrap_or(0);
                if n != expected {
                    return std::borrow::Cow::Borrowed(sql);
                }
                expected += 1;
                out.push_str(&sql[last..i]);
                out.push('?');
                last = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&sql[last..]);
    std::borrow::Cow::Owned(out)
}

/// A query slower than [`SLOW_QUERY`] milliseconds is logged as a warning.
/// The warning carries the SQL text with its placeholders (never the bound
/// values, which may be personal data) and, because queries run inside the
/// request's span, the route and request id that caused it.
pub const SLOW_QUERY_MS: u64 = 200;

/// The slow-query threshold in force (the binary sets it from
/// `--slow-query-ms` / `XIANFENG_SLOW_QUERY_MS`).
pub static SLOW_QUERY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(SLOW_QUERY_MS);

fn slow_query_ms() -> u64 {
    SLOW_QUERY.load(std::sync::atomic::Ordering::Relaxed)
}

/// Warns when a query took longer than the threshold.
fn after_query(sql: &str, started: std::time::Instant) {
    let took = started.elapsed();
    crate::timing::query_ran(took);
    let ms = took.as_millis() as u64;
    if ms >= slow_query_ms() {
        let text: String = sql.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(160).collect();
        tracing::warn!(target: "xianfeng::slow_query", elapsed_ms = ms, sql = %text, "slow query");
    }
}

impl Conn<'_> {
    /// The SQL text as this engine runs it fastest.
    fn sql_for<'s>(&self, sql: &'s str) -> std::borrow::Cow<'s, str> {
        match self {
            Conn::SqlitePool(_) | Conn::Sqlite(_) => sqlite_positional(sql),
            _ => std::borrow::Cow::Borrowed(sql),
        }
    }

    pub async fn fetch_all<T: Row>(self, q: Q) -> Result<Vec<T>> {
        let lite = self.sql_for(&q.sql);
        let started = std::time::Instant::now();
        let out = match self {
            Conn::SqlitePool(p) => bind_args!(sqlx::query_as::<Sqlite, T>(&lite), q.args).fetch_all(p).await?,
            Conn::Sqlite(c) => bind_args!(sqlx::query_as::<Sqlite, T>(&lite), q.args).fetch_all(c).await?,
            Conn::PgPool(p) => bind_args!(sqlx::query_as::<Postgres, T>(&q.sql), q.args).fetch_all(p).await?,
            Conn::Pg(c) => bind_args!(sqlx::query_as::<Postgres, T>(&q.sql), q.args).fetch_all(c).await?,
        };
        after_query(&q.sql, started);
        Ok(out)
    }

    pub async fn fetch_optional<T: Row>(self, q: Q) -> Result<Option<T>> {
        let lite = self.sql_for(&q.sql);
        let started = std::time::Instant::now();
        let out = match self {
            Conn::SqlitePool(p) => bind_args!(sqlx::query_as::<Sqlite, T>(&lite), q.args).fetch_optional(p).await?,
            Conn::Sqlite(c) => bind_args!(sqlx::query_as::<Sqlite, T>(&lite), q.args).fetch_optional(c).await?,
            Conn::PgPool(p) => bind_args!(sqlx::query_as::<Postgres, T>(&q.sql), q.args).fetch_optional(p).await?,
            Conn::Pg(c) => bind_args!(sqlx::query_as::<Postgres, T>(&q.sql), q.args).fetch_optional(c).await?,
        };
        after_query(&q.sql, started);
        Ok(out)
    }

    pub async fn fetch_one<T: Row>(self, q: Q) -> Result<T> {
        self.fetch_optional(q).await?.ok_or(StoreError::NotFound)
    }

    /// Runs a statement; returns the number of rows affected.
    pub async fn execute(self, q: Q) -> Result<u64> {
        let lite = self.sql_for(&q.sql);
        let started = std::time::Instant::now();
        let out = match self {
            Conn::SqlitePool(p) => bind_args!(sqlx::query::<Sqlite>(&lite), q.args).execute(p).await?.rows_affected(),
            Conn::Sqlite(c) => bind_args!(sqlx::query::<Sqlite>(&lite), q.args).execute(c).await?.rows_affected(),
            Conn::PgPool(p) => bind_args!(sqlx::query::<Postgres>(&q.sql), q.args).execute(p).await?.rows_affected(),
            Conn::Pg(c) => bind_args!(sqlx::query::<Postgres>(&q.sql), q.args).execute(c).await?.rows_affected(),
        };
        after_query(&q.sql, started);
        Ok(out)
    }

    /// A query returning one BIGINT column aliased `v` (cast literals and
    /// SUMs to BIGINT: PostgreSQL decodes strictly).
    pub async fn fetch_scalar_i64(self, q: Q) -> Result<i64> {
        Ok(self.fetch_one::<Scalar>(q).await?.v)
    }

    /// `SELECT COUNT(*) AS v …` and similar: an optional integer.
    pub async fn fetch_opt_i64(self, q: Q) -> Result<Option<i64>> {
        Ok(self.fetch_optional::<OptScalar>(q).await?.and_then(|r| r.v))
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sqlite_positional;

    #[test]
    fn sequential_placeholders_become_positional() {
        assert_eq!(
            sqlite_positional("SELECT a FROM t WHERE x = $1 AND y LIKE $2"),
            "SELECT a FROM t WHERE x = ? AND y LIKE ?"
        );
        assert_eq!(sqlite_positional("INSERT INTO t VALUES ($1, $2), ($3, $4)"), "INSERT INTO t VALUES (?, ?), (?, ?)");
        // Reused or out-of-order placeholders keep their names.
        assert_eq!(sqlite_positional("VALUES ($1, $1)"), "VALUES ($1, $1)");
        assert_eq!(sqlite_positional("WHERE a = $2 AND b = $1"), "WHERE a = $2 AND b = $1");
        // A dollar sign inside a string literal is text.
        assert_eq!(sqlite_positional("SELECT '$9' WHERE a = $1"), "SELECT '$9' WHERE a = ?");
    }
}
