//! Writing member records: create, update and status changes with history,
//! placement and duplicate checks, protected fields sealed.

use super::*;
use xianfeng_core::auth::MemberWrite;
use xianfeng_core::states::sql;

/// Resolves and checks the branch and group of a validated member inside the scope.
pub(crate) async fn check_placement(store: &Store, scope: &OrgScope, v: &ValidMember) -> Result<OrgRow> {
    let branch = match org::get(store.db.r(), scope, v.org_id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return Err(StoreError::invalid("org_id", "所在党支部不存在或不在您的管理范围内")),
        Err(e) => return Err(e),
    };
    if branch.kind() != OrgKind::Branch {
        return Err(StoreError::invalid("org_id", "党员须编入党支部"));
    }
    if !branch.active {
        return Err(StoreError::invalid("org_id", "所选党支部已撤销"));
    }
    if let Some(g) = v.group_id {
        let ok = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                format!("SELECT COUNT(*) AS v FROM orgs WHERE committee_id = $1 AND id = $2 AND parent_id = $3 AND kind = {group} AND active = TRUE", group = sql(OrgKind::Group)),
                branch.committee_id, g, branch.id
            ))
            .await?;
        if ok == 0 {
            return Err(StoreError::invalid("group_id", "所选党小组不属于该党支部"));
        }
    }
    Ok(branch)
}

pub(crate) async fn check_duplicate(store: &Store, index: &str, except: Option<i64>) -> Result<()> {
    let n = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            format!(
                "SELECT COUNT(*) AS v FROM members WHERE id_card_index = $1 AND id <> $2 AND status <> {deceased}",
                deceased = sql(MemberStatus::Deceased)
            ),
            index,
            except.unwrap_or(0)
        ))
        .await?;
    if n > 0 {
        return Err(StoreError::invalid(
            "id_card",
            "该公民身份号码已有党员档案，不能重复登记（如需接收，请办理组织关系转接）",
        ));
    }
    Ok(())
}

pub(crate) fn org_scope(scope: &MemberWrite) -> Result<&OrgScope> {
    Ok(scope.orgs())
}

/// Seals many records on all cores (SM4 and SM3 dominate a large import).
pub(crate) fn seal_all(cipher: &xianfeng_core::crypto::FieldCipher, rows: Vec<&ValidMember>) -> Vec<Sealed> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if rows.len() < 2000 || threads < 2 {
        return rows.into_iter().map(|v| seal_with(cipher, v)).collect();
    }
    let chunk = rows.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|v| seal_with(cipher, v)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("sealing thread")).collect()
    })
}

pub(crate) struct Sealed {
    pub(crate) id_card_enc: String,
    pub(crate) id_card_masked: String,
    pub(crate) id_card_index: String,
    pub(crate) phone_enc: String,
    pub(crate) phone_masked: String,
}

pub(crate) fn seal(store: &Store, v: &ValidMember) -> Sealed {
    seal_with(&store.keys.cipher, v)
}

pub(crate) fn seal_with(c: &xianfeng_core::crypto::FieldCipher, v: &ValidMember) -> Sealed {
    Sealed {
        id_card_enc: c.encrypt(&v.id_card),
        id_card_masked: mask_id_card(&v.id_card),
        id_card_index: c.blind_index(&v.id_card),
        phone_enc: if v.phone.is_empty() { String::new() } else { c.encrypt(&v.phone) },
        phone_masked: if v.phone.is_empty() { String::new() } else { mask_phone(&v.phone) },
    }
}

pub(crate) const INSERT_COLS: &str = "committee_id, id, org_id, group_id, name, gender, ethnicity, birth_date, id_card_enc, id_card_masked, id_card_index, \
    phone_enc, phone_masked, education, category, position, cadre_rank, native_place, address, community, join_date, full_date, status, version, created_at, updated_at";

pub(crate) fn insert_values(committee_id: i64, id: i64, v: &ValidMember, s: Sealed, now: i64) -> Vec<Arg> {
    insert_values_owned(committee_id, id, v.clone(), s, now)
}

/// The insert row for a member, taking the record by value (bulk paths: no copies).
pub(crate) fn insert_values_owned(committee_id: i64, id: i64, v: ValidMember, s: Sealed, now: i64) -> Vec<Arg> {
    vec![
        committee_id.into(),
        id.into(),
        v.org_id.into(),
        v.group_id.into(),
        v.name.into(),
        v.gender.into(),
        v.ethnicity.into(),
        v.birth_date.into(),
        s.id_card_enc.into(),
        s.id_card_masked.into(),
        s.id_card_index.into(),
        s.phone_enc.into(),
        s.phone_masked.into(),
        v.education.into(),
        v.category.into(),
        v.position.into(),
        v.cadre_rank.into(),
        v.native_place.into(),
        v.address.into(),
        v.community.into(),
        v.join_date.into(),
        v.full_date.into(),
        v.status.as_str().into(),
        1i64.into(),
        now.into(),
        now.into(),
    ]
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn add_history(
    tx: &mut Tx,
    committee_id: i64,
    member_id: i64,
    who: &Who,
    change: &str,
    field: &str,
    from: &str,
    to: &str,
    effective: Option<NaiveDate>,
    reason: &str,
) -> Result<()> {
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO member_history (committee_id, id, member_id, ts_ms, user_id, username, change, field, from_value, to_value, effective_date, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            committee_id, id, member_id, now_ms(), who.user_id, who.username.clone(), change, field, from, to, effective, reason
        ))
        .await?;
    Ok(())
}

/// A validated, sealed record ready to be written into its branch.
pub(crate) struct NewRecord {
    pub branch: OrgRow,
    pub v: ValidMember,
    sealed: Sealed,
}

/// Validates a new record for a branch inside the scope, and checks its ID number is not registered.
pub(crate) async fn prepare_create(store: &Store, scope: &MemberWrite, input: &MemberInput) -> Result<NewRecord> {
    let os = org_scope(scope)?;
    let v = core_member::validate(input, today_cn())?;
    let branch = check_placement(store, os, &v).await?;
    let sealed = seal(store, &v);
    check_duplicate(store, &sealed.id_card_index, None).await?;
    Ok(NewRecord { branch, v, sealed })
}

/// Writes a prepared record with its first history row; returns its id.
pub(crate) async fn insert_record(tx: &mut Tx, who: &Who, rec: NewRecord, change: &str, reason: &str) -> Result<i64> {
    let id = tx.alloc_id().await?;
    let mut q = Q::new(format!("INSERT INTO members ({INSERT_COLS}) VALUES "));
    let (committee_id, status, join) = (rec.branch.committee_id, rec.v.status, rec.v.join_date);
    q.push_row(insert_values(committee_id, id, &rec.v, rec.sealed, now_ms()));
    tx.c().execute(q).await?;
    super::counts::recount(tx, committee_id, rec.branch.id).await?;
    add_history(tx, committee_id, id, who, change, "status", "", status.as_str(), join, reason).await?;
    Ok(id)
}

/// Creates a member in a branch inside the scope.
#[tracing::instrument(skip_all)]
pub async fn create(store: &Store, scope: &MemberWrite, who: &Who, input: &MemberInput) -> Result<MemberDetail> {
    let rec = prepare_create(store, scope, input).await?;
    let detail = format!("{}（{}）", rec.v.name, rec.branch.name);
    let mut tx = store.db.begin().await?;
    let id = insert_record(&mut tx, who, rec, "create", "新建档案").await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("create", "member", id).detail(detail)).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Updates a member. Protected fields left empty keep their stored value.
/// `version` guards against overwriting someone else's change.
#[tracing::instrument(skip_all)]
pub async fn update(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    id: i64,
    input: &MemberInput,
    version: i64,
) -> Result<MemberDetail> {
    let os = org_scope(scope)?;
    let current = get(store, scope, id).await?;
    if current.version != version {
        return Err(StoreError::Stale);
    }
    let secret: Secret = store
        .db
        .r()
        .fetch_one(q!(
            "SELECT id_card_enc, phone_enc FROM members WHERE committee_id = $1 AND id = $2",
            current.committee_id,
            id
        ))
        .await?;
    let mut full = input.clone();
    let id_card_kept = full.id_card.trim().is_empty();
    if id_card_kept {
        full.id_card = store.keys.cipher.decrypt(&secret.id_card_enc)?;
    }
    let phone_kept = full.phone.trim().is_empty() && !secret.phone_enc.is_empty();
    if phone_kept {
        full.phone = store.keys.cipher.decrypt(&secret.phone_enc)?;
    }
    // Status changes go through change_status (they need a date and a reason).
    if full.status.trim().is_empty() {
        full.status = current.status.as_str().to_string();
    }
    let v = core_member::validate(&full, today_cn())?;
    if v.status != current.status {
        return Err(StoreError::invalid("status", "党籍状态变更请使用“变更党籍状态”，并填写日期和原因"));
    }
    if v.org_id != current.org_id {
        // Moving between branches of the caller's scope; a transfer elsewhere is a transfer.
        let b = check_placement(store, os, &v).await?;
        if b.committee_id != current.committee_id {
            return Err(StoreError::invalid("org_id", "跨单位调整请办理组织关系转接"));
        }
    } else {
        check_placement(store, os, &v).await?;
    }
    let sealed = seal(store, &v);
    if !id_card_kept {
        check_duplicate(store, &sealed.id_card_index, Some(id)).await?;
    }
    let mut changes: Vec<(&str, String, String)> = Vec::new();
    let fmt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for (field, old, new) in [
        ("name", current.name.clone(), v.name.clone()),
        ("gender", current.gender.clone(), v.gender.clone()),
        ("ethnicity", current.ethnicity.clone(), v.ethnicity.clone()),
        ("birth_date", current.birth_date.to_string(), v.birth_date.to_string()),
        ("education", current.education.clone(), v.education.clone()),
        ("category", current.category.clone(), v.category.clone()),
        ("position", current.position.clone(), v.position.clone()),
        ("cadre_rank", current.cadre_rank.clone(), v.cadre_rank.clone()),
        ("native_place", current.native_place.clone(), v.native_place.clone()),
        ("address", current.address.clone(), v.address.clone()),
        ("community", current.community.clone(), v.community.clone()),
        ("join_date", fmt(current.join_date), fmt(v.join_date)),
        ("full_date", fmt(current.full_date), fmt(v.full_date)),
        ("org_id", current.org_id.to_string(), v.org_id.to_string()),
        (
            "group_id",
            current.group_id.map(|g| g.to_string()).unwrap_or_default(),
            v.group_id.map(|g| g.to_string()).unwrap_or_default(),
        ),
        ("id_card", current.id_card_masked.clone(), sealed.id_card_masked.clone()),
        ("phone", current.phone_masked.clone(), sealed.phone_masked.clone()),
    ] {
        if old != new {
            changes.push((field, old, new));
        }
    }
    if !id_card_kept && !changes.iter().any(|c| c.0 == "id_card") {
        changes.push(("id_card", current.id_card_masked.clone(), sealed.id_card_masked.clone()));
    }
    let mut tx = store.db.begin().await?;
    tx.update_versioned(q!(
            "UPDATE members SET org_id = $1, group_id = $2, name = $3, gender = $4, ethnicity = $5, birth_date = $6, id_card_enc = $7, id_card_masked = $8, id_card_index = $9, \
             phone_enc = $10, phone_masked = $11, education = $12, category = $13, position = $14, cadre_rank = $15, native_place = $16, address = $17, community = $18, \
             join_date = $19, full_date = $20, version = version + 1, updated_at = $21 WHERE committee_id = $22 AND id = $23 AND version = $24",
            v.org_id, v.group_id, v.name.clone(), v.gender.clone(), v.ethnicity.clone(), v.birth_date,
            if id_card_kept { secret.id_card_enc.clone() } else { sealed.id_card_enc.clone() },
            sealed.id_card_masked.clone(), sealed.id_card_index.clone(),
            if phone_kept { secret.phone_enc.clone() } else { sealed.phone_enc.clone() },
            sealed.phone_masked.clone(), v.education.clone(), v.category.clone(), v.position.clone(), v.cadre_rank.clone(),
            v.native_place.clone(), v.address.clone(), v.community.clone(), v.join_date, v.full_date, now_ms(),
            current.committee_id, id, version
        )).await?;
    super::counts::recount(&mut tx, current.committee_id, current.org_id).await?;
    if v.org_id != current.org_id {
        super::counts::recount(&mut tx, current.committee_id, v.org_id).await?;
    }
    for (field, old, new) in &changes {
        add_history(&mut tx, current.committee_id, id, who, "update", field, old, new, None, "").await?;
    }
    let fields: Vec<&str> = changes.iter().map(|c| c.0).collect();
    append(&mut tx, &store.keys.audit_key, who, Event::ok("update", "member", id).detail(fields.join(","))).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Changes a member's status (e.g. probationary → full), kept as history.
///
/// `version` is the member version the page or client showed (required at
/// the web boundary); `None` is for the console and demo, which act on the
/// version they just read. A stale version is refused inside the transaction.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn change_status(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    id: i64,
    to: MemberStatus,
    on: NaiveDate,
    reason: &str,
    version: Option<i64>,
) -> Result<MemberDetail> {
    org_scope(scope)?;
    let current = get(store, scope, id).await?;
    let from = current.status;
    core_member::check_transition(from, to)?;
    if reason.trim().is_empty() {
        return Err(StoreError::invalid("reason", "请填写变更原因"));
    }
    if on > today_cn() {
        return Err(StoreError::invalid("date", "变更日期不能晚于今天"));
    }
    let mut tx = store.db.begin().await?;
    let (join_date, full_date) = match to {
        MemberStatus::Probationary if current.join_date.is_none() => (Some(on), current.full_date),
        MemberStatus::Full if current.full_date.is_none() => (current.join_date.or(Some(on)), Some(on)),
        _ => (current.join_date, current.full_date),
    };
    tx.update_versioned(q!(
        "UPDATE members SET status = $1, join_date = $2, full_date = $3, version = version + 1, updated_at = $4 \
             WHERE committee_id = $5 AND id = $6 AND version = $7",
        to.as_str(),
        join_date,
        full_date,
        now_ms(),
        current.committee_id,
        id,
        version.unwrap_or(current.version)
    ))
    .await?;
    super::counts::recount(&mut tx, current.committee_id, current.org_id).await?;
    add_history(
        &mut tx,
        current.committee_id,
        id,
        who,
        "status",
        "status",
        from.as_str(),
        to.as_str(),
        Some(on),
        reason.trim(),
    )
    .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("status_change", "member", id).detail(format!(
            "{} → {}：{}",
            from.as_str(),
            to.as_str(),
            reason.trim()
        )),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub ts_ms: i64,
    pub username: String,
    pub change: String,
    pub field: String,
    pub from_value: String,
    pub to_value: String,
    pub effective_date: Option<NaiveDate>,
    pub reason: String,
}

impl HistoryRow {
    /// A Chinese sentence for the history list.
    pub fn describe(&self) -> String {
        let label = |v: &str| MemberStatus::parse(v).map(|s| s.label().to_string()).unwrap_or_else(|| v.to_string());
        match self.change.as_str() {
            "create" => format!("建立档案（{}）", label(&self.to_value)),
            "import" => format!("批量导入建档（{}）", label(&self.to_value)),
            "status" => format!("党籍状态：{} → {}", label(&self.from_value), label(&self.to_value)),
            "transfer" => format!("组织关系转接：{} → {}", self.from_value, self.to_value),
            "transfer_in" => format!("转入建档（{}）", label(&self.to_value)),
            _ => format!("{}：{} → {}", core_member::field_label(&self.field), self.from_value, self.to_value),
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn history(store: &Store, scope: &MemberScope, id: i64) -> Result<Vec<HistoryRow>> {
    let m = get(store, scope, id).await?;
    let mut rows: Vec<HistoryRow> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT ts_ms, username, change, field, from_value, to_value, effective_date, reason FROM member_history WHERE committee_id = $1 AND member_id = $2 ORDER BY ts_ms DESC, id DESC",
            m.committee_id, id
        ))
        .await?;
    // A record created by a spreadsheet import starts with that import.
    let created: Option<HistoryRow> = store
        .db
        .r()
        .fetch_optional(q!(
            "SELECT b.ts_ms, b.username, 'import' AS change, 'status' AS field, '' AS from_value, m.status AS to_value, \
             m.join_date AS effective_date, b.file_name AS reason \
             FROM members m JOIN import_batches b ON b.id = m.import_batch_id WHERE m.committee_id = $1 AND m.id = $2",
            m.committee_id, id
        ))
        .await?;
    if let Some(mut c) = created {
        // The status at import is the oldest status in the history, if it changed since.
        if let Some(first) = rows.iter().rev().find(|r| r.change == "status") {
            c.to_value = first.from_value.clone();
        }
        rows.push(c);
    }
    Ok(rows)
}
