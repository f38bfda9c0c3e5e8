//! Versioned rules in the database.

use chrono::NaiveDate;
use xianfeng_core::auth::{Actor, Role};
use xianfeng_core::rules::{self as core_rules, RuleRow, RuleSet};

use crate::audit::{Event, append};
use crate::db::Db;
use crate::{Result, Store, StoreError, Who, q};

#[derive(sqlx::FromRow)]
struct RuleDbRow {
    rule_key: String,
    effective_from: NaiveDate,
    value: String,
    source: String,
}

#[tracing::instrument(skip_all)]
pub async fn load(db: &Db) -> Result<RuleSet> {
    let rows: Vec<RuleDbRow> = db
        .r()
        .fetch_all(q!("SELECT rule_key, effective_from, value, source FROM rules ORDER BY rule_key, effective_from"))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        // Not even JSON: refused like a value of the wrong shape.
        let value = serde_json::from_str(&r.value).unwrap_or(serde_json::Value::Null);
        out.push(RuleRow { key: r.rule_key, effective_from: r.effective_from, value, source: r.source });
    }
    RuleSet::checked(out).map_err(StoreError::Rule)
}

/// Inserts the national defaults for rules that have no version yet.
#[tracing::instrument(skip_all)]
pub async fn seed_defaults(store: &Store) -> Result<()> {
    let mut tx = store.db.begin().await?;
    for row in core_rules::national_defaults() {
        let exists =
            tx.c().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM rules WHERE rule_key = $1", row.key.clone())).await?;
        if exists == 0 {
            tx.c()
                .execute(q!(
                    "INSERT INTO rules (rule_key, effective_from, value, source, created_at, created_by) VALUES ($1, $2, $3, $4, $5, 'national_default')",
                    row.key,
                    row.effective_from,
                    row.value.to_string(),
                    row.source,
                    xianfeng_core::text::now_ms()
                ))
                .await?;
        }
    }
    tx.commit().await
}

/// Which role may change which rule: security rules belong to the security
/// administrator, business rules to the working committee.
pub fn may_change(actor: &Actor, key: &str) -> bool {
    match key {
        "security" | "reveal" => actor.role == Role::SecurityAdmin,
        _ => actor.role == Role::CommitteeAdmin,
    }
}

/// Adds a new version of a rule, in force from `effective_from`. Earlier
/// results are not rewritten.
#[tracing::instrument(skip_all)]
pub async fn add_version(
    store: &Store,
    actor: &Actor,
    who: &Who,
    key: &str,
    effective_from: NaiveDate,
    value: &serde_json::Value,
    source: &str,
) -> Result<()> {
    if !may_change(actor, key) {
        return Err(StoreError::Forbidden);
    }
    let value = core_rules::check_value(key, value, effective_from).map_err(|m| StoreError::invalid("value", m))?;
    let source =
        if source.trim().is_empty() { format!("{}修改", actor.display_name) } else { source.trim().to_string() };
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("DELETE FROM rules WHERE rule_key = $1 AND effective_from = $2", key, effective_from)).await?;
    tx.c()
        .execute(q!(
            "INSERT INTO rules (rule_key, effective_from, value, source, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
            key,
            effective_from,
            value.to_string(),
            source,
            xianfeng_core::text::now_ms(),
            actor.username.clone()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("config_change", "rule", key).detail(format!("生效日期 {effective_from}：{value}")),
    )
    .await?;
    tx.commit().await?;
    store.reload_rules().await?;
    Ok(())
}
