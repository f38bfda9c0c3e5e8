//! Xianfeng's store: schema, migrations and scoped queries for SQLite and
//! PostgreSQL through one code path.
//!
//! Every function that reads or writes business data takes a scope from
//! `xianfeng_core::auth` (an [`OrgScope`](xianfeng_core::auth::OrgScope) or
//! [`MemberScope`](xianfeng_core::auth::MemberScope)); rows outside it are
//! reported as [`StoreError::NotFound`], exactly like rows that do not exist.

pub mod attachment;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bulk;
pub mod campaign;
pub mod compliance;
pub mod credential;
pub mod db;
pub mod discipline;
pub mod dues;
pub mod error;
pub mod first_agenda;
pub mod generation;
pub mod meeting;
pub mod member;
pub mod migrate;
pub mod org;
pub mod ranking;
pub mod recruitment;
pub mod rectification;
pub mod report;
pub mod rollups;
pub mod rules;
pub mod secretary_review;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod timing;
pub mod transfer;
pub mod xlsx;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

pub use db::{Backend, Db, Tx};
pub use error::StoreError;
use xianfeng_core::crypto::FieldCipher;
use xianfeng_core::rules::RuleSet;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The first day of a year and of the next: a year as a half-open date range.
pub fn year_bounds(year: i32) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
    let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(|| StoreError::invalid("year", "年份无效"));
    Ok((day(year)?, day(year + 1)?))
}

/// A page of results: {"items": [...], "total": N} with the page asked for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The `per_page` that reads every row a filter selects: for an export, or
/// a count over a scope that is small by nature (one branch's month).
pub const EVERY_ROW: i64 = i64::MAX;

/// One page of the rows `q` selects, in the order `order_by` gives, and how
/// many it selects in all: the count is the same query wrapped, so the page
/// and its total can never disagree about the filter.
pub(crate) async fn fetch_page<T: db::Row>(
    store: &Store,
    mut q: db::Q,
    order_by: &str,
    page: i64,
    per_page: i64,
) -> Result<Page<T>> {
    let count = db::Q { sql: format!("SELECT COUNT(*) AS v FROM ({}) counted", q.sql), args: q.args.clone() };
    let total = store.db.r().fetch_scalar_i64(count).await?;
    q.push(" ORDER BY ")
        .push(order_by)
        .push(" LIMIT ")
        .bind(per_page)
        .push(" OFFSET ")
        .bind((page - 1).max(0) * per_page);
    let items = store.db.r().fetch_all(q).await?;
    Ok(Page { items, total, page, per_page })
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 { 1 } else { ((self.total + self.per_page - 1) / self.per_page).max(1) }
    }
}

/// Keys the store needs: field encryption and the audit chain.
#[derive(Clone)]
pub struct Keys {
    pub cipher: FieldCipher,
    pub audit_key: Vec<u8>,
}

impl Keys {
    /// Keys for tests and throwaway databases (never for real data).
    pub fn for_tests() -> Keys {
        let mut map = BTreeMap::new();
        map.insert("t1".to_string(), [0x11u8; 16]);
        Keys { cipher: FieldCipher::new(map, "t1", [0x22u8; 16]).expect("test key"), audit_key: vec![0x33u8; 32] }
    }
}

/// Who did something, for audit and history rows.
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub ip: String,
}

impl Who {
    pub fn of(actor: &xianfeng_core::auth::Actor, ip: &str) -> Who {
        Who {
            user_id: Some(actor.user_id),
            username: actor.username.clone(),
            role: actor.role.as_str().to_string(),
            ip: ip.to_string(),
        }
    }
    /// The operator at the server console (CLI commands).
    pub fn operator(what: &str) -> Who {
        Who { user_id: None, username: format!("cli:{what}"), role: "operator".into(), ip: "local".into() }
    }
}

/// The store: pools, keys and a cache of the rules in force.
#[derive(Clone)]
pub struct Store {
    pub db: Db,
    pub keys: Arc<Keys>,
    rules: Arc<RwLock<(i64, RuleSet)>>,
    /// Orgs and tallies per committee, kept while their generation holds.
    pub(crate) compliance_cache: Arc<std::sync::Mutex<compliance::Cache>>,
    pub(crate) ranking_cache: Arc<std::sync::Mutex<ranking::Cache>>,
    /// The directory of the audit chain's witness file, outside the database
    /// (see [`audit::checkpoint`]); None: no witness.
    pub witness: Option<Arc<std::path::PathBuf>>,
}

impl Store {
    /// Connects and migrates.
    pub async fn open(url: &str, keys: Keys) -> Result<Store> {
        let db = Db::connect(url).await?;
        migrate::migrate(&db).await?;
        let store = Store {
            db,
            keys: Arc::new(keys),
            rules: Arc::new(RwLock::new((0, RuleSet::default()))),
            compliance_cache: Default::default(),
            ranking_cache: Default::default(),
            witness: None,
        };
        rules::seed_defaults(&store).await?;
        store.reload_rules().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The rules, reloaded from the database at most every 30 seconds.
    pub async fn rules(&self) -> Result<RuleSet> {
        let now = xianfeng_core::text::now_ms();
        {
            let guard = self.rules.read().expect("rules lock");
            if now - guard.0 < 30_000 {
                return Ok(guard.1.clone());
            }
        }
        self.reload_rules().await
    }

    pub async fn reload_rules(&self) -> Result<RuleSet> {
        let set = match rules::load(&self.db).await {
            Ok(set) => set,
            Err(e) => {
                // Not the last good set: every later read asks the database
                // again and says what is wrong until it is corrected.
                self.rules.write().expect("rules lock").0 = 0;
                return Err(e);
            }
        };
        *self.rules.write().expect("rules lock") = (xianfeng_core::text::now_ms(), set.clone());
        Ok(set)
    }

    /// A rule in force today.
    pub async fn rule<R: xianfeng_core::rules::Rule>(&self) -> Result<R> {
        Ok(self.rules().await?.get::<R>(xianfeng_core::text::today_cn()))
    }
}
