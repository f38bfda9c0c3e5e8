//! Approving (moving the member rows to the new unit), rejecting, cancelling.

use super::*;
use xianfeng_core::auth::OrgWrite;
use xianfeng_core::auth::Role;
use xianfeng_core::states::sql;

/// The tables that hold a member's own rows, moved to the new unit's shard
/// key when a member transfers between units: (table, its columns, how its
/// rows are found). Meeting attendance and dues charges stay with the unit
/// that held the meeting or collected the dues; the member's own pages read
/// them through `prior_committees`.
pub const MOVED: &[(&str, &str, &str)] = &[
    (
        "recruitment_events",
        "committee_id, case_id, seq, step, action, on_date, responsible, data, summary, actor, actor_level, created_at",
        "case_id IN (SELECT c.id FROM recruitment_cases c WHERE c.committee_id = {old} AND c.member_id = {member})",
    ),
    (
        "attachments",
        "committee_id, id, owner_kind, owner_id, slot, file_name, content_type, size, data, uploaded_by, uploaded_at",
        "owner_kind = {case_owner} AND owner_id IN (SELECT c.id FROM recruitment_cases c WHERE c.committee_id = {old} AND c.member_id = {member})",
    ),
    (
        "recruitment_cases",
        "committee_id, id, member_id, org_id, state, person_status, next_step, pending_step, applied_on, activist_on, candidate_on, \
         admitted_on, probation_end, full_on, last_on, earliest_on, due_step, due_on, events, version, created_at, updated_at",
        "member_id = {member}",
    ),
    (
        "dues_bases",
        "committee_id, member_id, effective_from, member_type, base_fen, fixed_fen, note, set_by, set_at, gross_fen, deductions",
        "member_id = {member}",
    ),
    (
        "member_history",
        "committee_id, id, member_id, ts_ms, user_id, username, change, field, from_value, to_value, effective_date, reason",
        "member_id = {member}",
    ),
    (
        "members",
        "committee_id, id, org_id, group_id, name, gender, ethnicity, birth_date, id_card_enc, id_card_masked, id_card_index, \
         phone_enc, phone_masked, education, category, position, cadre_rank, native_place, address, community, join_date, full_date, \
         status, import_batch_id, version, created_at, updated_at, prior_committees",
        "id = {member}",
    ),
];

/// Tables with member rows that deliberately stay with their unit.
pub const STAYS: &[&str] =
    &["meeting_attendees", "dues_charges", "dues_arrears", "org_posts", "user_roles", "transfers", "discipline_cases"];

/// Moves a member's rows from one unit to another (new branch `to`).
pub(crate) async fn move_member(tx: &mut Tx, member_id: i64, old: i64, to: &OrgRow, prior: &str) -> Result<()> {
    for (table, cols, find) in MOVED {
        let mut ins = Q::new(format!("INSERT INTO {table} ({cols}) SELECT "));
        for (i, col) in cols.split(',').map(str::trim).enumerate() {
            if i > 0 {
                ins.push(", ");
            }
            match (*table, col) {
                (_, "committee_id") => {
                    ins.bind(to.committee_id);
                }
                ("members", "org_id") | ("recruitment_cases", "org_id") => {
                    ins.bind(to.id);
                }
                ("members", "group_id") => {
                    ins.push("NULL");
                }
                ("members", "prior_committees") => {
                    ins.bind(prior.to_string());
                }
                _ => {
                    ins.push(col);
                }
            }
        }
        ins.push(&format!(" FROM {table} WHERE committee_id = ")).bind(old).push(" AND ");
        where_member(&mut ins, find, old, member_id);
        tx.c().execute(ins).await?;
        let mut del = Q::new(format!("DELETE FROM {table} WHERE committee_id = "));
        del.bind(old).push(" AND ");
        where_member(&mut del, find, old, member_id);
        tx.c().execute(del).await?;
    }
    Ok(())
}

/// Appends a "find" template, binding {old}, {member} and {case_owner} (the
/// attachment owner code of a recruitment case) in order of appearance.
pub(crate) fn where_member(q: &mut Q, find: &str, old: i64, member: i64) {
    let mut rest = find;
    while let Some(i) = rest.find('{') {
        q.push(&rest[..i]);
        let end = rest[i..].find('}').map(|e| i + e + 1).unwrap_or(rest.len());
        match &rest[i..end] {
            "{old}" => {
                q.bind(old);
            }
            "{case_owner}" => {
                q.bind(xianfeng_core::attachment::Owner::RecruitmentCase.as_str());
            }
            _ => {
                q.bind(member);
            }
        }
        rest = &rest[end..];
    }
    q.push(rest);
}

/// The last month with a paid charge and the months still unpaid.
pub(crate) async fn dues_state(
    tx: &mut Tx,
    committee_id: i64,
    member_id: i64,
) -> Result<(Option<NaiveDate>, Vec<NaiveDate>)> {
    #[derive(sqlx::FromRow)]
    struct C {
        month: NaiveDate,
        paid_fen: Option<i64>,
    }
    let rows: Vec<C> = tx
        .c()
        .fetch_all(q!(
            "SELECT month, paid_fen FROM dues_charges WHERE committee_id = $1 AND member_id = $2 ORDER BY month",
            committee_id,
            member_id
        ))
        .await?;
    let paid = rows.iter().filter(|c| c.paid_fen.is_some()).map(|c| c.month).max();
    let unpaid = rows.iter().filter(|c| c.paid_fen.is_none()).map(|c| c.month).collect();
    Ok((paid, unpaid))
}

/// The sending or receiving side approves; the member's record moves when the last side approves.
#[tracing::instrument(skip_all)]
pub async fn approve(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    id: i64,
    letter_no: &str,
    version: Option<i64>,
) -> Result<TransferView> {
    let v = get(store, scope, id).await?;
    if !v.can_decide() {
        let s = v.t.state;
        return Err(if s.is_open() {
            StoreError::Rule("该转接正等待另一方审批".into())
        } else {
            StoreError::Rule(format!("该转接{}，不能再审批", s.label()))
        });
    }
    if version.is_some_and(|ver| ver != v.t.version) {
        return Err(StoreError::Stale);
    }
    let t = v.t;
    let (kind, state) = (t.kind, t.state);
    let next = core_tr::after_approval(kind, state).map_err(StoreError::Rule)?;
    let today = today_cn();
    let rules: TransferRules = store.rule().await?;
    let mut tx = store.db.begin().await?;
    let mut bumps = vec![t.committee_id];
    if state == TransferState::PendingOut {
        let member_id = t.member_id.ok_or_else(|| StoreError::Rule("转接缺少党员".into()))?;
        let (paid, unpaid) = dues_state(&mut tx, t.committee_id, member_id).await?;
        if rules.dues_must_be_paid && !unpaid.is_empty() {
            let months: Vec<String> = unpaid.iter().map(|m| m.format("%Y-%m").to_string()).collect();
            return Err(StoreError::Rule(format!(
                "{}有{}个月党费未缴（{}），请先缴清党费再开具介绍信",
                t.member_name,
                unpaid.len(),
                months.join("、")
            )));
        }
        let letter = match (kind, letter_no.trim(), t.letter_no.trim()) {
            (TransferKind::OutOfProvince, "", "") => {
                return Err(StoreError::invalid("letter_no", "转出省直机关须填写介绍信编号"));
            }
            (TransferKind::OutOfProvince, "", old) => old.to_string(),
            (TransferKind::OutOfProvince, new, _) => new.to_string(),
            _ => core_tr::letter_number(today.year(), t.id),
        };
        let valid = core_tr::valid_until(&rules, today);
        tx.update_versioned(q!(
                "UPDATE transfers SET state = $1, letter_no = $2, issued_on = $3, valid_until = $4, dues_paid_through = $5, \
                 out_by = $6, out_on = $7, updated_at = $8, version = version + 1 WHERE committee_id = $9 AND id = $10 AND version = $11",
                next.as_str(), letter.clone(), today, valid, paid, who.username.clone(), today, now_ms(), t.committee_id, t.id, t.version
            )).await?;
        if kind == TransferKind::OutOfProvince {
            // The record stays with the unit as 已转出, kept in history.
            let from = MemberStatus::parse(
                &tx.c()
                    .fetch_one::<(String,)>(q!(
                        "SELECT status FROM members WHERE committee_id = $1 AND id = $2",
                        t.committee_id,
                        member_id
                    ))
                    .await?
                    .0,
            )
            .unwrap_or(MemberStatus::Full);
            tx.c()
                .execute(q!(
                    format!("UPDATE members SET status = {transferred_out}, version = version + 1, updated_at = $1 WHERE committee_id = $2 AND id = $3", transferred_out = sql(MemberStatus::TransferredOut)),
                    now_ms(), t.committee_id, member_id
                ))
                .await?;
            crate::member::counts::recount_member(&mut tx, t.committee_id, member_id).await?;
            let reason = format!("转往{}（介绍信{}）", t.to_org_name, letter);
            add_history(
                &mut tx,
                t.committee_id,
                member_id,
                who,
                "status",
                "status",
                from.as_str(),
                "transferred_out",
                Some(today),
                &reason,
            )
            .await?;
        }
        append(
            &mut tx,
            &store.keys.audit_key,
            who,
            Event::ok("transfer_out", "transfer", t.id).detail(format!("{} 开具介绍信 {letter}", t.member_name)),
        )
        .await?;
    } else {
        // The receiving side: the letter must still be valid.
        core_tr::check_letter(t.valid_until, today).map_err(StoreError::Rule)?;
        let to_id = t.to_org_id.ok_or_else(|| StoreError::Rule("转接缺少接收党支部".into()))?;
        let to: OrgRow = crate::org::get(tx.c(), scope, to_id).await?;
        let member_id = match kind {
            TransferKind::IntoProvince => {
                let plain = store.keys.cipher.decrypt(
                    &tx.c()
                        .fetch_one::<(String,)>(q!(
                            "SELECT payload FROM transfers WHERE committee_id = $1 AND id = $2",
                            t.committee_id,
                            t.id
                        ))
                        .await?
                        .0,
                )?;
                let input: MemberInput = serde_json::from_str(&plain).map_err(|e| StoreError::Rule(e.to_string()))?;
                let ms = MemberScope::Subtree { org: (**scope).clone(), reveal_id_card: false, reveal_phone: false };
                let rec = crate::member::prepare_create(store, &ms.writer()?, &input).await?;
                let reason = format!("从{}转入（介绍信{}）", t.from_org_name, t.letter_no);
                crate::member::insert_record(&mut tx, who, rec, "transfer_in", &reason).await?
            }
            _ => {
                let member_id = t.member_id.ok_or_else(|| StoreError::Rule("转接缺少党员".into()))?;
                let reason = format!("{} → {}（介绍信{}）", t.from_org_name, to.name, t.letter_no);
                add_history(
                    &mut tx,
                    t.committee_id,
                    member_id,
                    who,
                    "transfer",
                    "org_id",
                    &t.from_org_name,
                    &to.name,
                    Some(today),
                    &reason,
                )
                .await?;
                let (old_org,): (i64,) = tx
                    .c()
                    .fetch_one(q!(
                        "SELECT org_id FROM members WHERE committee_id = $1 AND id = $2",
                        t.committee_id,
                        member_id
                    ))
                    .await?;
                if kind == TransferKind::WithinUnit {
                    tx.c()
                        .execute(q!(
                            "UPDATE members SET org_id = $1, group_id = NULL, version = version + 1, updated_at = $2 WHERE committee_id = $3 AND id = $4",
                            to.id, now_ms(), t.committee_id, member_id
                        ))
                        .await?;
                    tx.c()
                        .execute(q!(
                            "UPDATE recruitment_cases SET org_id = $1 WHERE committee_id = $2 AND member_id = $3",
                            to.id,
                            t.committee_id,
                            member_id
                        ))
                        .await?;
                } else {
                    let prior: String = tx
                        .c()
                        .fetch_one::<(String,)>(q!(
                            "SELECT prior_committees FROM members WHERE committee_id = $1 AND id = $2",
                            t.committee_id,
                            member_id
                        ))
                        .await?
                        .0;
                    let prior = prior_with(&prior, t.committee_id, to.committee_id);
                    move_member(&mut tx, member_id, t.committee_id, &to, &prior).await?;
                    tx.c()
                        .execute(q!(
                            "UPDATE members SET version = version + 1, updated_at = $1 WHERE committee_id = $2 AND id = $3",
                            now_ms(),
                            to.committee_id,
                            member_id
                        ))
                        .await?;
                    bumps.push(to.committee_id);
                }
                crate::member::counts::recount(&mut tx, t.committee_id, old_org).await?;
                crate::member::counts::recount(&mut tx, to.committee_id, to.id).await?;
                // The member's own account follows them to the new branch.
                tx.c()
                    .execute(q!(
                        format!(
                            "UPDATE user_roles SET org_id = $1 WHERE member_id = $2 AND role = {member}",
                            member = sql(Role::Member)
                        ),
                        Some(to.id),
                        Some(member_id)
                    ))
                    .await?;
                member_id
            }
        };
        tx.update_versioned(q!(
                "UPDATE transfers SET state = $1, member_id = $2, in_by = $3, in_on = $4, payload = '', updated_at = $5, version = version + 1 \
                 WHERE committee_id = $6 AND id = $7 AND version = $8",
                next.as_str(), Some(member_id), who.username.clone(), today, now_ms(), t.committee_id, t.id, t.version
            )).await?;
        if let Some(c) = t.to_committee_id {
            bumps.push(c);
        }
        append(
            &mut tx,
            &store.keys.audit_key,
            who,
            Event::ok("transfer_in", "member", member_id).detail(format!("{} 转入 {}", t.member_name, to.name)),
        )
        .await?;
    }
    bumps.sort_unstable();
    bumps.dedup();
    for c in bumps {
        crate::generation::bump_orgs(&mut tx, c).await?;
        crate::generation::bump_facts(&mut tx, c).await?;
    }
    tx.commit().await?;
    get(store, scope, id).await
}

/// The prior units list after leaving `old` for `new` ("3,17").
pub(crate) fn prior_with(prior: &str, old: i64, new: i64) -> String {
    let mut ids: Vec<i64> = prior.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    ids.push(old);
    ids.retain(|c| *c != new);
    ids.sort_unstable();
    ids.dedup();
    ids.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",")
}

/// The units a member's older rows live in, with the current one first.
pub fn committees_of(current: i64, prior: &str) -> Vec<i64> {
    let mut ids = vec![current];
    ids.extend(prior.split(',').filter_map(|s| s.trim().parse::<i64>().ok()).filter(|c| *c != current));
    ids
}

/// The side whose turn it is refuses (退回) with a reason; the member stays where they are.
#[tracing::instrument(skip_all)]
pub async fn reject(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    id: i64,
    reason: &str,
    version: i64,
) -> Result<TransferView> {
    if reason.trim().is_empty() {
        return Err(StoreError::invalid("reason", "请填写退回原因"));
    }
    let v = get(store, scope, id).await?;
    if !v.can_decide() {
        return Err(StoreError::Rule("现在不是您方审批该转接".into()));
    }
    if v.t.version != version {
        return Err(StoreError::Stale);
    }
    finish(store, who, &v.t, TransferState::Rejected, reason.trim()).await?;
    get(store, scope, id).await
}

/// The side that asked withdraws a transfer nobody has approved yet.
#[tracing::instrument(skip_all)]
pub async fn cancel(store: &Store, scope: &OrgWrite, who: &Who, id: i64, version: i64) -> Result<TransferView> {
    let v = get(store, scope, id).await?;
    if v.t.version != version {
        return Err(StoreError::Stale);
    }
    let initial = core_tr::initial_state(v.t.kind);
    let asker = if v.t.kind.has_sender() { v.sending } else { v.receiving };
    if !asker || v.t.state != initial {
        return Err(StoreError::Rule("只有发起方可以撤销尚未审批的转接".into()));
    }
    finish(store, who, &v.t, TransferState::Cancelled, "").await?;
    get(store, scope, id).await
}

pub(crate) async fn finish(
    store: &Store,
    who: &Who,
    t: &TransferRow,
    state: TransferState,
    reason: &str,
) -> Result<()> {
    let mut tx = store.db.begin().await?;
    tx.update_versioned(q!(
        "UPDATE transfers SET state = $1, rejected_reason = $2, payload = '', updated_at = $3, version = version + 1 \
             WHERE committee_id = $4 AND id = $5 AND version = $6",
        state.as_str(),
        reason,
        now_ms(),
        t.committee_id,
        t.id,
        t.version
    ))
    .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok(
            if state == TransferState::Rejected { "transfer_reject" } else { "transfer_cancel" },
            "transfer",
            t.id,
        )
        .detail(format!("{}：{}", t.member_name, reason)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A member's transfers (their own record's history of moves), newest first.
#[tracing::instrument(skip_all)]
pub async fn of_member(store: &Store, scope: &MemberScope, member_id: i64) -> Result<Vec<TransferRow>> {
    let m = crate::member::get(store, scope, member_id).await?;
    let mut q = Q::new(format!("SELECT {COLS} FROM transfers t WHERE t.member_id = "));
    q.bind(Some(m.id)).push(" AND t.committee_id IN ");
    q.push_row(
        committees_of(m.committee_id, &prior_of(store, m.committee_id, m.id).await?)
            .iter()
            .map(|c| (*c).into())
            .collect(),
    );
    q.push(" ORDER BY t.created_at DESC");
    store.db.r().fetch_all(q).await
}

/// A member's prior units, as stored on their record.
#[tracing::instrument(skip_all)]
pub async fn prior_of(store: &Store, committee_id: i64, member_id: i64) -> Result<String> {
    Ok(store
        .db
        .r()
        .fetch_optional::<(String,)>(q!(
            "SELECT prior_committees FROM members WHERE committee_id = $1 AND id = $2",
            committee_id,
            member_id
        ))
        .await?
        .map(|r| r.0)
        .unwrap_or_default())
}
