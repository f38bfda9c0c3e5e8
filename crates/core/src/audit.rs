//! The audit log's chain: each entry's MAC covers the previous MAC and every
//! field of the entry, so an edited, inserted or deleted row breaks the chain.

use serde::{Deserialize, Serialize};

use crate::crypto;

crate::state_enum! {
    /// How an audited action ended.
    pub enum Outcome ("审计结果") {
        Success = ("success", "成功"),
        Failure = ("failure", "失败"),
        Denied = ("denied", "拒绝"),
    }
}

/// One audit entry as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct AuditEntry {
    pub seq: i64,
    pub ts_ms: i64,
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// success / failure / denied. Kept as stored, not as an `Outcome`: the
    /// chain's MAC covers the exact text, and a row someone tampered with
    /// must still be listed and shown.
    pub outcome: String,
    pub detail: String,
    pub prev_mac: String,
    pub mac: String,
}

/// The MAC of the chain's start (before the first row).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn canonical(e: &AuditEntry) -> Vec<u8> {
    // Length-prefixed fields: no separator ambiguity.
    let fields: [String; 12] = [
        e.seq.to_string(),
        e.ts_ms.to_string(),
        e.user_id.map(|u| u.to_string()).unwrap_or_default(),
        e.username.clone(),
        e.role.clone(),
        e.ip.clone(),
        e.action.clone(),
        e.object_type.clone(),
        e.object_id.clone(),
        e.outcome.clone(),
        e.detail.clone(),
        e.prev_mac.clone(),
    ];
    let mut out = Vec::new();
    for f in fields {
        out.extend_from_slice(&(f.len() as u64).to_be_bytes());
        out.extend_from_slice(f.as_bytes());
    }
    out
}

/// Computes the MAC of an entry (its `mac` field is ignored).
pub fn mac(key: &[u8], e: &AuditEntry) -> String {
    crypto::hmac_sm3_hex(key, &canonical(e))
}

/// A break found while verifying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

/// Streaming verifier: feed rows in sequence order.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: Vec<u8>,
    prev_mac: String,
    prev_seq: Option<i64>,
    pub checked: u64,
    pub breaks: Vec<ChainBreak>,
}

impl Verifier {
    /// Starts from the anchor (the MAC and sequence before the first kept row).
    pub fn new(key: &[u8], anchor_mac: &str, anchor_seq: i64) -> Self {
        Self {
            key: key.to_vec(),
            prev_mac: anchor_mac.to_string(),
            prev_seq: Some(anchor_seq),
            checked: 0,
            breaks: Vec::new(),
        }
    }

    pub fn push(&mut self, e: &AuditEntry) {
        self.checked += 1;
        if let Some(p) = self.prev_seq
            && e.seq != p + 1
        {
            self.breaks.push(ChainBreak {
                seq: e.seq,
                reason: format!("序号不连续：{} 之后应为 {}，实为 {}（记录被删除或插入）", p, p + 1, e.seq),
            });
        }
        if e.prev_mac != self.prev_mac {
            self.breaks
                .push(ChainBreak {
                    seq: e.seq, reason: "与前一条记录的链接不一致（记录被删除、插入或修改）".into()
                });
        }
        if !crypto::hmac_sm3_verify(&self.key, &canonical(e), &e.mac) {
            self.breaks
                .push(ChainBreak { seq: e.seq, reason: "记录内容与校验码不符（记录被修改）".into() });
        }
        self.prev_mac = e.mac.clone();
        self.prev_seq = Some(e.seq);
    }

    /// Checks that the chain ends where the head says it does (no rows cut off the end).
    pub fn finish(mut self, head_seq: i64, head_mac: &str) -> Self {
        if self.prev_seq != Some(head_seq) || self.prev_mac != head_mac {
            self.breaks.push(ChainBreak {
                seq: head_seq, reason: "日志末尾与链头记录不一致（末尾记录被删除）".into()
            });
        }
        self
    }
}

/// Chinese label of an audit action.
/// A checkpoint of the chain's head written outside the database (the witness
/// file, and the server log): a database whose newest rows were cut, or whose
/// head was rewound, no longer holds what was witnessed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub mac: String,
    pub ts_ms: i64,
    /// HMAC-SM3 over the three fields with the audit key: a line cannot be
    /// forged or edited without it.
    pub sig: String,
}

impl Checkpoint {
    fn message(seq: i64, mac: &str, ts_ms: i64) -> Vec<u8> {
        format!("witness|{seq}|{mac}|{ts_ms}").into_bytes()
    }
    pub fn new(key: &[u8], seq: i64, mac: &str, ts_ms: i64) -> Checkpoint {
        let sig = crypto::hmac_sm3_hex(key, &Self::message(seq, mac, ts_ms));
        Checkpoint { seq, mac: mac.to_string(), ts_ms, sig }
    }
    pub fn signed(&self, key: &[u8]) -> bool {
        crypto::hmac_sm3_verify(key, &Self::message(self.seq, &self.mac, self.ts_ms), &self.sig)
    }
}

/// Checks witnessed checkpoints against the database: each must be signed,
/// must not lie beyond the database's head, and the row it names must carry
/// the witnessed MAC. `mac_of` gives a row's stored MAC by sequence.
pub fn check_witness(
    key: &[u8],
    checkpoints: &[Checkpoint],
    head_seq: i64,
    mac_of: impl Fn(i64) -> Option<String>,
) -> Vec<ChainBreak> {
    let mut breaks = Vec::new();
    for (i, c) in checkpoints.iter().enumerate() {
        if !c.signed(key) {
            breaks.push(ChainBreak {
                seq: c.seq, reason: format!("见证文件第{}行签名无效（见证文件被改动）", i + 1)
            });
            continue;
        }
        if c.seq > head_seq {
            breaks.push(ChainBreak {
                seq: c.seq,
                reason: format!(
                    "数据库中的审计日志止于第{head_seq}条，但见证文件已记录到第{}条（最新记录被截断或链头被回滚）",
                    c.seq
                ),
            });
            continue;
        }
        match mac_of(c.seq) {
            Some(m) if m == c.mac => {}
            Some(_) => breaks
                .push(ChainBreak {
                    seq: c.seq, reason: "与见证文件记录的校验码不一致（记录被改写或回滚）".into()
                }),
            None => breaks.push(ChainBreak {
                seq: c.seq, reason: "见证文件记录的这一条在数据库中已不存在".into()
            }),
        }
    }
    breaks
}

/// Whether the audit administrator reads an action's detail. Accounts,
/// roles, security settings and the platform's own operations are the
/// auditor's domain; every other action is business, and the auditor sees
/// who did what to which object but never the content (member names,
/// reasons, case kinds): the detail is kept (it is chained) and withheld.
pub fn detail_for_auditor(action: &str) -> bool {
    matches!(
        action,
        "login"
            | "logout"
            | "lockout"
            | "password_change"
            | "password_reset"
            | "account_open"
            | "account_activate"
            | "credential_approve"
            | "role_grant"
            | "role_revoke"
            | "user_create"
            | "user_update"
            | "config_change"
            | "audit_verify"
            | "backup"
            | "restore"
            | "download"
    )
}

/// What the auditor is shown in place of a business action's detail.
pub const DETAIL_WITHHELD: &str = "（业务内容，不向审计管理员显示）";

pub fn action_label(action: &str) -> &'static str {
    match action {
        "login" => "登录",
        "logout" => "退出",
        "lockout" => "账号锁定",
        "password_change" => "修改密码",
        "create" => "新增",
        "update" => "修改",
        "move" => "迁移",
        "dissolve" => "撤销",
        "status_change" => "党籍状态变更",
        "import" => "导入",
        "export" => "导出",
        "reveal" => "查看敏感字段",
        "role_grant" => "授予角色",
        "role_revoke" => "撤销角色",
        "user_create" => "创建账号",
        "user_update" => "修改账号",
        "config_change" => "配置变更",
        "audit_verify" => "审计校验",
        "backup" => "备份",
        "restore" => "恢复",
        "download" => "下载导出",
        "read" => "查阅",
        "password_reset" => "重置密码",
        "account_open" => "新建账号待启用",
        "account_activate" => "启用账号",
        "credential_approve" => "批准启用或重置",
        "campaign_apply" => "评选申报",
        "check_in" => "扫码签到",
        _ => "其他",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_witness_catches_a_cut_or_rewound_log() {
        let key = b"k";
        let rows = chain(key, 10);
        let cp = |n: usize| Checkpoint::new(key, rows[n - 1].seq, &rows[n - 1].mac, 1);
        let rows_ref = &rows;
        let mac_of =
            |upto: i64| move |seq: i64| rows_ref.iter().find(|r| r.seq == seq && seq <= upto).map(|r| r.mac.clone());
        assert!(check_witness(key, &[cp(5), cp(10)], 10, mac_of(10)).is_empty());
        // The newest rows cut and the head rewound to row 8: the chain alone is consistent, the witness is not.
        let b = check_witness(key, &[cp(5), cp(10)], 8, mac_of(8));
        assert_eq!(b.len(), 1);
        assert!(b[0].reason.contains("截断"), "{b:?}");
        // A witnessed row rewritten.
        let b = check_witness(key, &[cp(5)], 10, |seq| Some(if seq == 5 { "x".into() } else { String::new() }));
        assert!(b[0].reason.contains("不一致"), "{b:?}");
        // A forged line.
        let mut forged = cp(5);
        forged.seq = 3;
        assert!(check_witness(key, &[forged], 10, mac_of(10))[0].reason.contains("签名无效"));
    }

    use super::*;

    fn chain(key: &[u8], n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    ts_ms: 1000 + seq,
                    user_id: Some(1),
                    username: "u".into(),
                    role: "unit_admin".into(),
                    ip: "127.0.0.1".into(),
                    action: "update".into(),
                    object_type: "member".into(),
                    object_id: seq.to_string(),
                    outcome: "success".into(),
                    detail: String::new(),
                    prev_mac: prev.clone(),
                    mac: String::new(),
                };
                e.mac = mac(key, &e);
                prev = e.mac.clone();
                e
            })
            .collect()
    }

    fn verify(key: &[u8], rows: &[AuditEntry], head: &AuditEntry) -> Vec<ChainBreak> {
        let mut v = Verifier::new(key, GENESIS, 0);
        rows.iter().for_each(|r| v.push(r));
        v.finish(head.seq, &head.mac).breaks
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(b"k", 5);
        assert!(verify(b"k", &rows, &rows[4]).is_empty());
    }

    #[test]
    fn edit_insert_delete_are_detected() {
        let rows = chain(b"k", 5);
        let mut edited = rows.clone();
        edited[2].detail = "changed".into();
        assert!(!verify(b"k", &edited, &rows[4]).is_empty());

        let mut deleted = rows.clone();
        deleted.remove(2);
        assert!(!verify(b"k", &deleted, &rows[4]).is_empty());

        let mut inserted = rows.clone();
        let mut fake = rows[1].clone();
        fake.object_id = "x".into();
        inserted.insert(2, fake);
        assert!(!verify(b"k", &inserted, &rows[4]).is_empty());

        let truncated = &rows[..4];
        assert!(!verify(b"k", truncated, &rows[4]).is_empty());
    }

    #[test]
    fn wrong_key_fails() {
        let rows = chain(b"k", 3);
        assert!(!verify(b"other", &rows, &rows[2]).is_empty());
    }
}
