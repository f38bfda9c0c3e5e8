//! Transfers of membership (组织关系转接). The sending side asks and approves
//! (issuing the introduction letter, with dues paid up); the receiving side
//! approves and the member's record moves: within a unit only the branch
//! changes; between units every member-scoped row moves to the new unit's
//! shard key in the same transaction (insert under the new key, delete the
//! old: a distribution column is never updated in place); out of the province
//! the record stays as 已转出; into the province a new record is created.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use xianfeng_core::auth::{MemberScope, OrgScope};
use xianfeng_core::member::{MemberInput, MemberStatus};
use xianfeng_core::text::{now_ms, today_cn};
use xianfeng_core::transfer::{self as core_tr, TransferKind, TransferRules, TransferState};

use crate::audit::{Event, append};
use crate::db::{Q, Tx};
use crate::member::add_history;
use crate::org::{OrgRow, scope_where};
use crate::{Result, Store, StoreError, Who, q};

const COLS: &str = "t.committee_id, t.id, t.kind, t.state, t.member_id, t.member_name, t.from_org_id, t.from_org_name, \
    t.to_committee_id, t.to_org_id, t.to_org_name, t.letter_no, t.issued_on, t.valid_until, t.reason, t.requested_on, \
    t.dues_paid_through, t.out_by, t.out_on, t.in_by, t.in_on, t.rejected_reason, t.created_by, t.created_at, t.version";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TransferRow {
    pub committee_id: i64,
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub member_id: Option<i64>,
    pub member_name: String,
    pub from_org_id: Option<i64>,
    pub from_org_name: String,
    pub to_committee_id: Option<i64>,
    pub to_org_id: Option<i64>,
    pub to_org_name: String,
    pub letter_no: String,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub reason: String,
    pub requested_on: NaiveDate,
    /// The last month the member's dues were paid for, carried to the receiving side.
    pub dues_paid_through: Option<NaiveDate>,
    pub out_by: String,
    pub out_on: Option<NaiveDate>,
    pub in_by: String,
    pub in_on: Option<NaiveDate>,
    pub rejected_reason: String,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

impl TransferRow {
    pub fn kind(&self) -> Option<TransferKind> {
        TransferKind::parse(&self.kind)
    }
    pub fn state(&self) -> Option<TransferState> {
        TransferState::parse(&self.state)
    }
    pub fn kind_label(&self) -> &'static str {
        self.kind().map(|k| k.label()).unwrap_or("")
    }
    pub fn state_label(&self) -> &'static str {
        self.state().map(|s| s.label()).unwrap_or("")
    }
    pub fn paid_through_text(&self) -> String {
        self.dues_paid_through.map(|d| d.format("%Y-%m").to_string()).unwrap_or_else(|| "—".into())
    }
    pub fn validity_text(&self) -> String {
        match (self.issued_on, self.valid_until) {
            (Some(i), Some(v)) => format!("{i} 至 {v}"),
            (None, Some(v)) => format!("至 {v}"),
            _ => "—".into(),
        }
    }
}

/// Which side of a transfer the caller stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Sending,
    Receiving,
}

/// A transfer with the caller's sides.
#[derive(Debug, Clone, Serialize)]
pub struct TransferView {
    pub t: TransferRow,
    pub sending: bool,
    pub receiving: bool,
}

impl TransferView {
    /// Whether the caller may decide the transfer now.
    pub fn can_decide(&self) -> bool {
        match self.t.state() {
            Some(TransferState::PendingOut) => self.sending,
            Some(TransferState::PendingIn) => self.receiving,
            _ => false,
        }
    }
}

/// A branch a transfer can go to: the province's directory of branches (names only).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Destination {
    pub id: i64,
    pub name: String,
    pub unit_name: String,
}

/// Active branches of the whole province whose name or unit contains `name`:
/// a deliberate province-wide lookup of public names, for choosing where a
/// member goes. It returns no member data.
pub async fn destinations(store: &Store, name: &str, limit: i64) -> Result<Vec<Destination>> {
    let mut q = Q::new(
        "SELECT o.id, o.name, u.name AS unit_name FROM orgs o JOIN orgs u ON u.committee_id = o.committee_id AND u.id = o.committee_id \
         WHERE o.kind = 'branch' AND o.active = TRUE",
    );
    if !name.trim().is_empty() {
        let like = format!("%{}%", name.trim());
        q.push(" AND (o.name LIKE ").bind(like.clone()).push(" OR u.name LIKE ").bind(like).push(")");
    }
    q.push(" ORDER BY u.name, o.path LIMIT ").bind(limit.clamp(1, 200));
    store.db.r().fetch_all(q).await
}

/// The destination branch by id, active and a branch (province-wide, like `destinations`).
async fn destination(c: crate::db::Conn<'_>, id: i64) -> Result<OrgRow> {
    let o: OrgRow = match crate::org::anchor_of(c, id).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return Err(StoreError::invalid("to_org_id", "接收党组织不存在")),
        Err(e) => return Err(e),
    };
    if o.kind != "branch" || !o.active {
        return Err(StoreError::invalid("to_org_id", "组织关系须转入一个现有的党支部"));
    }
    Ok(o)
}

/// A transfer's row in the caller's view (either side), or NotFound.
pub async fn get(store: &Store, scope: &OrgScope, id: i64) -> Result<TransferView> {
    let t: TransferRow = store
        .db
        .r()
        .fetch_optional(q!(format!("SELECT {COLS} FROM transfers t WHERE t.id = $1"), id))
        .await?
        .ok_or(StoreError::NotFound)?;
    let v = view(store, scope, t).await?;
    if !v.sending && !v.receiving {
        return Err(StoreError::NotFound);
    }
    Ok(v)
}

async fn view(store: &Store, scope: &OrgScope, t: TransferRow) -> Result<TransferView> {
    let inside = |org: Option<i64>, committee: Option<i64>| {
        let store = store.clone();
        let scope = scope.clone();
        async move {
            match (org, committee) {
                (Some(o), Some(c)) => {
                    let mut q = Q::new("SELECT COUNT(*) AS v FROM orgs o WHERE o.committee_id = ");
                    q.bind(c).push(" AND o.id = ").bind(o);
                    scope_where(&mut q, &scope, "o");
                    Ok::<bool, StoreError>(store.db.r().fetch_scalar_i64(q).await? > 0)
                }
                _ => Ok(false),
            }
        }
    };
    let kind = t.kind().ok_or_else(|| StoreError::Rule("转接类型无效".into()))?;
    let sending = kind.has_sender() && inside(t.from_org_id, Some(t.committee_id)).await?;
    let receiving = kind.has_receiver() && inside(t.to_org_id, t.to_committee_id).await?;
    Ok(TransferView { t, sending, receiving })
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TransferFilter {
    /// "" = open ones; pending_out | pending_in | done | rejected | cancelled | all
    pub state: String,
    /// Only the transfers waiting for the caller's decision.
    pub mine: bool,
}

/// Transfers whose sending or receiving org lies in the scope.
pub async fn list(store: &Store, scope: &OrgScope, f: &TransferFilter, limit: i64) -> Result<Vec<TransferView>> {
    let state_where = |q: &mut Q| -> Result<()> {
        match f.state.as_str() {
            "" => {
                q.push(" AND t.state IN ('pending_out', 'pending_in')");
            }
            "all" => {}
            s => {
                let st = TransferState::parse(s).ok_or_else(|| StoreError::invalid("state", "状态无效"))?;
                q.push(" AND t.state = ").bind(st.as_str());
            }
        }
        Ok(())
    };
    let limit = limit.clamp(1, 1000);
    let mut out_q = Q::new(format!(
        "SELECT {COLS} FROM transfers t JOIN orgs o ON o.committee_id = t.committee_id AND o.id = t.from_org_id WHERE 1 = 1"
    ));
    scope_where(&mut out_q, scope, "o");
    state_where(&mut out_q)?;
    out_q.push(" ORDER BY t.created_at DESC LIMIT ").bind(limit);
    let mut in_q = Q::new(format!(
        "SELECT {COLS} FROM transfers t JOIN orgs o ON o.committee_id = t.to_committee_id AND o.id = t.to_org_id WHERE 1 = 1"
    ));
    scope_where(&mut in_q, scope, "o");
    state_where(&mut in_q)?;
    in_q.push(" ORDER BY t.created_at DESC LIMIT ").bind(limit);
    let mut rows: Vec<TransferRow> = store.db.r().fetch_all(out_q).await?;
    for t in store.db.r().fetch_all::<TransferRow>(in_q).await? {
        if !rows.iter().any(|r| r.committee_id == t.committee_id && r.id == t.id) {
            rows.push(t);
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    rows.truncate(limit as usize);
    let mut views = Vec::with_capacity(rows.len());
    for t in rows {
        let v = view(store, scope, t).await?;
        if !f.mine || v.can_decide() {
            views.push(v);
        }
    }
    Ok(views)
}

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
pub async fn request(store: &Store, scope: &MemberScope, who: &Who, r: &TransferRequest) -> Result<TransferRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = crate::member::get(store, scope, r.member_id).await?;
    let status = MemberStatus::parse(&m.status).ok_or_else(|| StoreError::Rule("党籍状态无效".into()))?;
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
            "SELECT COUNT(*) AS v FROM transfers WHERE committee_id = $1 AND member_id = $2 AND state IN ('pending_out', 'pending_in')",
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
    fetch(store, m.committee_id, id).await
}

/// "省教育厅 人事处党支部": the unit's name before a branch's (public names, for letters).
async fn full_name(store: &Store, o: &OrgRow) -> Result<String> {
    if o.id == o.committee_id {
        return Ok(o.name.clone());
    }
    let unit = crate::org::anchor_of(store.db.r(), o.committee_id).await?;
    Ok(format!("{} {}", unit.name, o.name))
}

async fn fetch(store: &Store, committee_id: i64, id: i64) -> Result<TransferRow> {
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
pub async fn register_incoming(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    r: &IncomingRequest,
) -> Result<TransferRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
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
    fetch(store, to.committee_id, id).await
}

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
    &["meeting_attendees", "dues_charges", "org_posts", "user_roles", "transfers", "discipline_cases"];

/// Moves a member's rows from one unit to another (new branch `to`).
async fn move_member(tx: &mut Tx, member_id: i64, old: i64, to: &OrgRow, prior: &str) -> Result<()> {
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
fn where_member(q: &mut Q, find: &str, old: i64, member: i64) {
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
async fn dues_state(tx: &mut Tx, committee_id: i64, member_id: i64) -> Result<(Option<NaiveDate>, Vec<NaiveDate>)> {
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
pub async fn approve(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    id: i64,
    letter_no: &str,
    version: Option<i64>,
) -> Result<TransferView> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let v = get(store, scope, id).await?;
    if !v.can_decide() {
        return Err(match v.t.state() {
            Some(s) if s.is_open() => StoreError::Rule("该转接正等待另一方审批".into()),
            Some(s) => StoreError::Rule(format!("该转接{}，不能再审批", s.label())),
            None => StoreError::Rule("转接状态无效".into()),
        });
    }
    if version.is_some_and(|ver| ver != v.t.version) {
        return Err(StoreError::Stale);
    }
    let t = v.t;
    let kind = t.kind().ok_or_else(|| StoreError::Rule("转接类型无效".into()))?;
    let state = t.state().ok_or_else(|| StoreError::Rule("转接状态无效".into()))?;
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
        let updated = tx
            .c()
            .execute(q!(
                "UPDATE transfers SET state = $1, letter_no = $2, issued_on = $3, valid_until = $4, dues_paid_through = $5, \
                 out_by = $6, out_on = $7, updated_at = $8, version = version + 1 WHERE committee_id = $9 AND id = $10 AND version = $11",
                next.as_str(), letter.clone(), today, valid, paid, who.username.clone(), today, now_ms(), t.committee_id, t.id, t.version
            ))
            .await?;
        if updated != 1 {
            return Err(StoreError::Stale);
        }
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
                    "UPDATE members SET status = 'transferred_out', version = version + 1, updated_at = $1 WHERE committee_id = $2 AND id = $3",
                    now_ms(), t.committee_id, member_id
                ))
                .await?;
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
                let ms = MemberScope::Subtree { org: scope.clone(), reveal_id_card: false, reveal_phone: false };
                let rec = crate::member::prepare_create(store, &ms, &input).await?;
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
                // The member's own account follows them to the new branch.
                tx.c()
                    .execute(q!(
                        "UPDATE user_roles SET org_id = $1 WHERE member_id = $2 AND role = 'member'",
                        Some(to.id),
                        Some(member_id)
                    ))
                    .await?;
                member_id
            }
        };
        let updated = tx
            .c()
            .execute(q!(
                "UPDATE transfers SET state = $1, member_id = $2, in_by = $3, in_on = $4, payload = '', updated_at = $5, version = version + 1 \
                 WHERE committee_id = $6 AND id = $7 AND version = $8",
                next.as_str(), Some(member_id), who.username.clone(), today, now_ms(), t.committee_id, t.id, t.version
            ))
            .await?;
        if updated != 1 {
            return Err(StoreError::Stale);
        }
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
fn prior_with(prior: &str, old: i64, new: i64) -> String {
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
pub async fn reject(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    id: i64,
    reason: &str,
    version: i64,
) -> Result<TransferView> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
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
pub async fn cancel(store: &Store, scope: &OrgScope, who: &Who, id: i64, version: i64) -> Result<TransferView> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let v = get(store, scope, id).await?;
    if v.t.version != version {
        return Err(StoreError::Stale);
    }
    let initial = v.t.kind().map(core_tr::initial_state);
    let asker = if v.t.kind().is_some_and(|k| k.has_sender()) { v.sending } else { v.receiving };
    if !asker || v.t.state() != initial {
        return Err(StoreError::Rule("只有发起方可以撤销尚未审批的转接".into()));
    }
    finish(store, who, &v.t, TransferState::Cancelled, "").await?;
    get(store, scope, id).await
}

async fn finish(store: &Store, who: &Who, t: &TransferRow, state: TransferState, reason: &str) -> Result<()> {
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "UPDATE transfers SET state = $1, rejected_reason = $2, payload = '', updated_at = $3, version = version + 1 \
             WHERE committee_id = $4 AND id = $5 AND version = $6",
            state.as_str(), reason, now_ms(), t.committee_id, t.id, t.version
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Stale);
    }
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
