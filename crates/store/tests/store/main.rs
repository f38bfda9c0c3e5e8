//! Integration tests of the store, each run on SQLite and on a throwaway
//! PostgreSQL (see `xianfeng_store::testkit`).

mod audit;
mod auth;
mod campaigns;
mod capabilities;
mod discipline;
mod dues;
mod import;
mod keys;
mod meetings;
mod members;
mod migrations;
mod orgs;
mod ranking;
mod recruitment;
mod rollups;
mod scope;
mod transfers;

use std::fmt::Debug;

use xianfeng_store::{Store, StoreError, q};

/// The message of the validation error on `field`; panics on any other outcome.
#[track_caller]
pub fn invalid_on<T: Debug>(r: Result<T, StoreError>, field: &str) -> String {
    match r {
        Err(StoreError::Invalid(errs)) => match errs.iter().find(|e| e.field == field) {
            Some(e) => e.message.clone(),
            None => panic!("expected an error on field {field}, got {errs:?}"),
        },
        other => panic!("expected Invalid on field {field}, got {other:?}"),
    }
}

/// Rows in the audit log.
pub async fn audit_rows(store: &Store) -> i64 {
    store.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM audit_log")).await.expect("count audit rows")
}

/// Runs one statement in a write transaction (for setting up or tampering).
pub async fn exec(store: &Store, sql: &str) -> Result<u64, StoreError> {
    let mut tx = store.db.begin().await?;
    let n = tx.c().execute(q!(sql)).await?;
    tx.commit().await?;
    Ok(n)
}
