//! Requesting a transfer, and registering one arriving from outside the province.

use super::*;
use xianfeng_core::auth::MemberWrite;
use xianfeng_core::key::{Key, kinds};
use xianfeng_core::states::sql_in;

/// A request to transfer a member out of their branch.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TransferRequest {
    pub member_id: i64,
    /// A branch of the province; None for a transfer out of the province.
    pub to_org_id: Option<i64>,
    /// For a transfer out of the province: the receiving organization.
    pub to_org_name: String,
    /// For a transfer out of the province: the letter's number.
    pub letter_no: String,
    pub reason: String,
    pub requested_on: Option<NaiveDate>,
}

/// The sending side asks to transfer a member in its scope.
#[tracing::instrument(skip_all)]
pub async fn request(store: &Store, scope: &MemberWrite, who: &Who, r: &TransferRequest) -> Result<TransferRow> {
    let m = crate::member::get(store, scope, r.member_id).await?;
    let status = m.status;
    if !status.is_active() {
        return Err(StoreError::Rule(format!("{}的党籍状态是“{}”，不能办理组织关系转接", m.name, status.label())));
    }
    if r.reason.trim().is_empty() {
        return Err(StoreError::invalid("reason", "请填写转接原因，如工作调动"));
    }
    let today = today_cn();
    let requested_on = r.requested_on.unwrap_or(today);
    if requested_on > today {
        return Err(StoreError::invalid("requested_on", "申请日期不能晚于今天"));
    }
    let from: OrgRow = crate::org::anchor_of(store.db.r(), m.org_id).await?;
    let (kind, to) = match r.to_org_id {
        Some(id) => {
            let to = destination(store.db.r(), id).await?;
            if to.id == from.id {
                return Err(StoreError::invalid("to_org_id", "接收党支部与所在党支部相同"));
            }
            (TransferKind::between(from.committee_id, to.committee_id), Some(to))
        }
        None => {
            if r.to_org_name.trim().is_empty() {
                return Err(StoreError::invalid(
                    "to_org_name",
                    "请选择省直机关内的接收党支部，或填写省外接收党组织名称",
                ));
            }
            if r.letter_no.trim().is_empty() {
                return Err(StoreError::invalid("letter_no", "转出省直机关须填写介绍信编号"));
            }
            (TransferKind::OutOfProvince, None)
        }
    };
    let posts = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM org_posts WHERE committee_id = $1 AND member_id = $2",
            m.committee_id,
            m.id
        ))
        .await?;
    if posts > 0 {
        return Err(StoreError::Rule(format!("{}在原党组织担任职务，请先免去职务再办理转接", m.name)));
    }
    let mut tx = store.db.begin().await?;
    let open = tx
        .c()
        .fetch_scalar_i64(q!(
            format!("SELECT COUNT(*) AS v FROM transfers WHERE committee_id = $1 AND member_id = $2 AND state IN {in_flight}", in_flight = sql_in(&[TransferState::PendingOut, TransferState::PendingIn])),
            m.committee_id,
            m.id
        ))
        .await?;
    if open > 0 {
        return Err(StoreError::Rule(format!("{}已有办理中的组织关系转接", m.name)));
    }
    let id = tx.alloc_id().await?;
    let now = now_ms();
    let to_name = match &to {
        Some(o) => full_name(store, o).await?,
        None => r.to_org_name.trim().to_string(),
    };
    let from_name = full_name(store, &from).await?;
    tx.c()
        .execute(q!(
            "INSERT INTO transfers (committee_id, id, kind, state, member_id, member_name, from_org_id, from_org_name, to_committee_id, \
             to_org_id, to_org_name, letter_no, reason, requested_on, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            m.committee_id, id, kind.as_str(), core_tr::initial_state(kind).as_str(), Some(m.id), m.name.clone(),
            Some(from.id), from_name.clone(), to.as_ref().map(|o| o.committee_id), to.as_ref().map(|o| o.id), to_name.clone(),
            r.letter_no.trim(), r.reason.trim(), requested_on, who.username.clone(), now, now
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("transfer_request", "member", m.id).detail(format!("{}：{} → {}", kind.label(), from_name, to_name)),
    )
    .await?;
    tx.commit().await?;
    fetch(store, Key::new(m.committee_id, id)).await
}

/// "省教育厅 人事处党支部": the unit's name before a branch's (public names, for letters).
pub(crate) async fn full_name(store: &Store, o: &OrgRow) -> Result<String> {
    if o.id == o.committee_id {
        return Ok(o.name.clone());
    }
    let unit = crate::org::anchor_of(store.db.r(), o.committee_id).await?;
    Ok(format!("{} {}", unit.name, o.name))
}

pub(crate) async fn fetch(store: &Store, key: Key<kinds::Transfer>) -> Result<TransferRow> {
    let (committee_id, id) = (key.committee_id, key.id);
    store
        .db
        .r()
        .fetch_one(q!(
            format!("SELECT {COLS} FROM transfers t WHERE t.committee_id = $1 AND t.id = $2"),
            committee_id,
            id
        ))
        .await
}

/// A member arriving from outside the province, registered by the receiving branch.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IncomingRequest {
    /// The person's record as it will be created (org_id = the receiving branch).
    pub member: MemberInput,
    pub from_org_name: String,
    pub letter_no: String,
    pub valid_until: Option<NaiveDate>,
    pub reason: String,
}

/// The receiving side registers a transfer into the province from a letter.
#[tracing::instrument(skip_all)]
pub async fn register_incoming(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    r: &IncomingRequest,
) -> Result<TransferRow> {
    let mut errs = Vec::new();
    if r.from_org_name.trim().is_empty() {
        errs.push(xianfeng_core::FieldError::new("from_org_name", "请填写转出党组织名称"));
    }
    if r.letter_no.trim().is_empty() {
        errs.push(xianfeng_core::FieldError::new("letter_no", "请填写介绍信编号"));
    }
    if r.valid_until.is_none() {
        errs.push(xianfeng_core::FieldError::new("valid_until", "请填写介绍信有效期"));
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let today = today_cn();
    core_tr::check_letter(r.valid_until, today).map_err(|m| StoreError::invalid("valid_until", m))?;
    let status = MemberStatus::parse_any(&r.member.status);
    if !status.is_some_and(|s| s.is_member()) {
        return Err(StoreError::invalid("status", "转入的应为正式党员或预备党员"));
    }
    // Validate now, so the receiving side learns of problems before approving.
    let rec = crate::member::prepare_create(store, scope, &r.member).await?;
    let payload = serde_json::to_string(&r.member).map_err(|e| StoreError::Rule(e.to_string()))?;
    let sealed = store.keys.cipher.encrypt(&payload);
    let to = rec.branch;
    let to_name = full_name(store, &to).await?;
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let now = now_ms();
    let kind = TransferKind::IntoProvince;
    tx.c()
        .execute(q!(
            "INSERT INTO transfers (committee_id, id, kind, state, member_name, from_org_name, to_committee_id, to_org_id, to_org_name, \
             letter_no, valid_until, reason, requested_on, payload, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            to.committee_id, id, kind.as_str(), core_tr::initial_state(kind).as_str(), rec.v.name.clone(),
            r.from_org_name.trim(), Some(to.committee_id), Some(to.id), to_name.clone(), r.letter_no.trim(), r.valid_until,
            r.reason.trim(), today, sealed, who.username.clone(), now, now
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("transfer_request", "transfer", id).detail(format!(
            "{}：{} → {}",
            kind.label(),
            r.from_org_name.trim(),
            to.name
        )),
    )
    .await?;
    tx.commit().await?;
    fetch(store, Key::new(to.committee_id, id)).await
}
