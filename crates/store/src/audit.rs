//! The audit log: appended inside the same transaction as the change it
//! records, chained with HMAC-SM3, readable only with the audit capability.

use serde::Serialize;
pub use xianfeng_core::audit::Outcome;
use xianfeng_core::audit::{self as chain, AuditEntry, Verifier};
use xianfeng_core::auth::AuditReader;

use crate::db::{Q, Tx};
use crate::{Page, Result, Store, Who, q};

/// What happened, for one audit row.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    pub outcome: Outcome,
    pub detail: String,
}

impl<'a> Event<'a> {
    pub fn ok(action: &'a str, object_type: &'a str, object_id: impl ToString) -> Self {
        Event {
            action,
            object_type,
            object_id: object_id.to_string(),
            outcome: Outcome::Success,
            detail: String::new(),
        }
    }
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

#[derive(sqlx::FromRow)]
struct Head {
    seq: i64,
    mac: String,
}

/// Appends one row to the chain inside `tx`.
#[tracing::instrument(skip_all)]
pub async fn append(tx: &mut Tx, key: &[u8], who: &Who, ev: Event<'_>) -> Result<i64> {
    // Taking the head row's lock serializes appenders on PostgreSQL; SQLite has one writer.
    let head: Head =
        tx.c().fetch_one(q!("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, mac")).await?;
    let mut e = AuditEntry {
        seq: head.seq,
        ts_ms: xianfeng_core::text::now_ms(),
        user_id: who.user_id,
        username: who.username.clone(),
        role: who.role.clone(),
        ip: who.ip.clone(),
        action: ev.action.to_string(),
        object_type: ev.object_type.to_string(),
        object_id: ev.object_id,
        outcome: ev.outcome.as_str().to_string(),
        detail: ev.detail,
        prev_mac: head.mac,
        mac: String::new(),
    };
    e.mac = chain::mac(key, &e);
    tx.c().execute(q!("UPDATE audit_head SET mac = $1 WHERE id = 1", e.mac.clone())).await?;
    tx.c()
        .execute(q!(
            "INSERT INTO audit_log (seq, ts_ms, user_id, username, role, ip, action, object_type, object_id, outcome, detail, prev_mac, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            e.seq, e.ts_ms, e.user_id, e.username, e.role, e.ip, e.action, e.object_type, e.object_id, e.outcome, e.detail, e.prev_mac, e.mac
        ))
        .await?;
    Ok(e.seq)
}

impl Store {
    /// Records an event in its own transaction (logins, exports, reveals).
    pub async fn audit(&self, who: &Who, ev: Event<'_>) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let seq = append(&mut tx, &self.keys.audit_key, who, ev).await?;
        tx.commit().await?;
        Ok(seq)
    }
}

/// An audit row as stored: the chain's own entry.
pub type AuditRow = AuditEntry;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    pub username: String,
    pub action: String,
    pub outcome: String,
    pub object_type: String,
    pub object_id: String,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

const COLS: &str =
    "seq, ts_ms, user_id, username, role, ip, action, object_type, object_id, outcome, detail, prev_mac, mac";

/// Lists audit rows, newest first.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    _cap: AuditReader,
    f: &AuditFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<AuditRow>> {
    let mut w = Q::new(" WHERE 1=1");
    for (col, v) in [
        ("username", &f.username),
        ("action", &f.action),
        ("outcome", &f.outcome),
        ("object_type", &f.object_type),
        ("object_id", &f.object_id),
    ] {
        if !v.is_empty() {
            w.push(&format!(" AND {col} = ")).bind(v.clone());
        }
    }
    if let Some(t) = f.from_ms {
        w.push(" AND ts_ms >= ").bind(t);
    }
    if let Some(t) = f.to_ms {
        w.push(" AND ts_ms < ").bind(t);
    }
    let mut count = Q::new(format!("SELECT COUNT(*) AS v FROM audit_log{}", w.sql));
    count.args = w.args.clone();
    let total = store.db.r().fetch_scalar_i64(count).await?;
    let mut q = Q::new(format!("SELECT {COLS} FROM audit_log{} ORDER BY seq DESC LIMIT ", w.sql));
    q.args = w.args;
    q.bind(per_page).push(" OFFSET ").bind((page - 1).max(0) * per_page);
    let mut items: Vec<AuditRow> = store.db.r().fetch_all(q).await?;
    for r in &mut items {
        if !chain::detail_for_auditor(&r.action) && !r.detail.is_empty() {
            r.detail = chain::DETAIL_WITHHELD.to_string();
        }
    }
    Ok(Page { items, total, page, per_page })
}

/// The witness file in a witness directory.
pub fn witness_file(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("audit-witness.log")
}

/// Reads every checkpoint of the witness file (none when it does not exist).
pub fn read_witness(dir: &std::path::Path) -> Result<Vec<chain::Checkpoint>> {
    let path = witness_file(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(crate::StoreError::Config(format!("无法读取见证文件 {}：{e}", path.display()))),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| crate::StoreError::Config(format!("见证文件第{}行无法读取：{e}", i + 1)))
        })
        .collect()
}

/// Writes the chain's head to the witness file (when it moved since the last
/// checkpoint) and to the server log. The file is appended to and synced;
/// created owner-only in a directory of its own.
#[tracing::instrument(skip_all)]
pub async fn checkpoint(store: &Store) -> Result<Option<chain::Checkpoint>> {
    use std::io::Write as _;
    let Some(dir) = store.witness.as_deref() else { return Ok(None) };
    let head: Head = store.db.r().fetch_one(q!("SELECT seq, mac FROM audit_head WHERE id = 1")).await?;
    let last = read_witness(dir)?.pop();
    if last.as_ref().is_some_and(|c| c.seq == head.seq) {
        return Ok(None);
    }
    let cp = chain::Checkpoint::new(&store.keys.audit_key, head.seq, &head.mac, xianfeng_core::text::now_ms());
    let line = serde_json::to_string(&cp).map_err(|e| crate::StoreError::Config(e.to_string()))?;
    let io = |e: std::io::Error| crate::StoreError::Config(format!("无法写入见证文件 {}：{e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(witness_file(dir)).map_err(io)?;
    writeln!(f, "{line}").and_then(|_| f.sync_all()).map_err(io)?;
    tracing::info!(seq = cp.seq, mac = %cp.mac, "audit chain head witnessed");
    Ok(Some(cp))
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub checked: u64,
    pub head_seq: i64,
    pub ok: bool,
    pub breaks: Vec<chain::ChainBreak>,
}

#[derive(sqlx::FromRow)]
struct FullHead {
    seq: i64,
    mac: String,
    anchor_seq: i64,
    anchor_mac: String,
}

/// Walks the whole chain from its anchor to its head.
#[tracing::instrument(skip_all)]
pub async fn verify(store: &Store, _cap: AuditReader) -> Result<VerifyReport> {
    let head: FullHead =
        store.db.r().fetch_one(q!("SELECT seq, mac, anchor_seq, anchor_mac FROM audit_head WHERE id = 1")).await?;
    let witnessed = match store.witness.as_deref() {
        Some(dir) => read_witness(dir)?,
        None => Vec::new(),
    };
    let wanted: std::collections::HashSet<i64> = witnessed.iter().map(|c| c.seq).collect();
    let mut seen: std::collections::HashMap<i64, String> = Default::default();
    let mut v = Verifier::new(&store.keys.audit_key, &head.anchor_mac, head.anchor_seq);
    let mut after = head.anchor_seq;
    loop {
        let batch: Vec<AuditRow> = store
            .db
            .r()
            .fetch_all(q!(format!("SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000"), after))
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for row in batch {
            if wanted.contains(&row.seq) {
                seen.insert(row.seq, row.mac.clone());
            }
            v.push(&row);
        }
    }
    let mut v = v.finish(head.seq, &head.mac);
    // Checkpoints at or before the anchor (rows purged after retention) are not checked against rows.
    let live: Vec<chain::Checkpoint> = witnessed.into_iter().filter(|c| c.seq > head.anchor_seq).collect();
    v.breaks.extend(chain::check_witness(&store.keys.audit_key, &live, head.seq, |seq| seen.get(&seq).cloned()));
    Ok(VerifyReport { checked: v.checked, head_seq: head.seq, ok: v.breaks.is_empty(), breaks: v.breaks })
}
