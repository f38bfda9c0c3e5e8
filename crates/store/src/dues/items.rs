//! A unit's deduction items (扣除项目), subtracted from gross pay for the dues base.

use super::*;
use xianfeng_core::auth::OrgWrite;

/// A unit's deduction item.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub name: String,
    pub sort_order: i64,
    pub active: bool,
}

/// The unit's active deduction items; the national list when it has configured
/// none. The unit must be in the caller's scope.
#[tracing::instrument(skip_all)]
pub async fn items_of(
    store: &Store,
    scope: &impl xianfeng_core::auth::ReadScope,
    committee_id: i64,
) -> Result<Vec<ItemRow>> {
    if !scope.reads_shard(committee_id) {
        return Err(StoreError::NotFound);
    }
    active_items(store, committee_id).await
}

/// The unit's active deduction items, for a unit the caller has already read in scope.
pub(crate) async fn active_items(store: &Store, committee_id: i64) -> Result<Vec<ItemRow>> {
    let rows: Vec<ItemRow> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT id, name, sort_order, active FROM dues_deduction_items WHERE committee_id = $1 ORDER BY sort_order, id",
            committee_id
        ))
        .await?;
    if rows.is_empty() {
        return Ok(core_dues::DEFAULT_DEDUCTIONS
            .iter()
            .enumerate()
            .map(|(i, n)| ItemRow { id: 0, name: n.to_string(), sort_order: i as i64, active: true })
            .collect());
    }
    Ok(rows.into_iter().filter(|r| r.active).collect())
}

/// Every configured item of a unit, active or not (for its settings page).
#[tracing::instrument(skip_all)]
pub async fn all_items(
    store: &Store,
    scope: &xianfeng_core::auth::OrgScope,
    unit_id: i64,
) -> Result<(crate::org::OrgRow, Vec<ItemRow>)> {
    let unit = crate::org::get(store.db.r(), scope, unit_id).await?;
    if unit.kind() != xianfeng_core::org::OrgKind::Unit {
        return Err(StoreError::invalid("unit_id", "扣除项目按单位设置"));
    }
    let rows: Vec<ItemRow> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT id, name, sort_order, active FROM dues_deduction_items WHERE committee_id = $1 ORDER BY sort_order, id",
            unit.committee_id
        ))
        .await?;
    Ok((unit, rows))
}

/// Replaces a unit's deduction items by the list given (names in order); items
/// no longer listed are kept inactive, so old settings still read.
#[tracing::instrument(skip_all)]
pub async fn set_items(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    unit_id: i64,
    names: &[String],
) -> Result<Vec<ItemRow>> {
    let (unit, existing) = all_items(store, scope, unit_id).await?;
    if !scope.contains(&unit.path) {
        return Err(StoreError::Forbidden);
    }
    let mut clean: Vec<String> = Vec::new();
    for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if n.chars().count() > 20 {
            return Err(StoreError::invalid("items", format!("扣除项目“{n}”不能超过20个字")));
        }
        if !clean.iter().any(|c| c == n) {
            clean.push(n.to_string());
        }
    }
    if clean.len() > 20 {
        return Err(StoreError::invalid("items", "扣除项目不能超过20项"));
    }
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!("UPDATE dues_deduction_items SET active = FALSE WHERE committee_id = $1", unit.committee_id))
        .await?;
    for (i, n) in clean.iter().enumerate() {
        match existing.iter().find(|e| &e.name == n) {
            Some(e) => {
                tx.c()
                    .execute(q!(
                        "UPDATE dues_deduction_items SET active = TRUE, sort_order = $1 WHERE committee_id = $2 AND id = $3",
                        i as i64,
                        unit.committee_id,
                        e.id
                    ))
                    .await?;
            }
            None => {
                let id = tx.alloc_id().await?;
                tx.c()
                    .execute(q!(
                        "INSERT INTO dues_deduction_items (committee_id, id, name, sort_order, active) VALUES ($1, $2, $3, $4, TRUE)",
                        unit.committee_id,
                        id,
                        n.clone(),
                        i as i64
                    ))
                    .await?;
            }
        }
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("config_change", "dues_deduction_items", unit.id).detail(clean.join("、")),
    )
    .await?;
    tx.commit().await?;
    active_items(store, unit.committee_id).await
}
