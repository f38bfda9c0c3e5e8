//! The audit log's chain: each entry's MAC covers the previous MAC and every
//! field of the entry, so an edited, inserted or deleted row breaks the chain.

use serde::{Deserialize, Serialize};

use crate::crypto;

/// One audit entry as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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
    /// success / failure / denied
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
        _ => "其他",
    }
}

#[cfg(test)]
mod tests {
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
