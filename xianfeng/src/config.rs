//! Configuration: where the data lives, which database, and the keys.
//!
//! Keys come from the environment (XIANFENG_FIELD_KEYS="k1=HEX,k2=HEX",
//! XIANFENG_FIELD_KEY_ID, XIANFENG_INDEX_KEY, XIANFENG_AUDIT_KEY) or from
//! `<data-dir>/keys.json`, which is created with random keys on first use
//! (file mode 0600). There is no built-in key and no default password.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xianfeng_core::crypto::{FieldCipher, parse_key, random_hex};
use xianfeng_store::Keys;

#[derive(Debug, Serialize, Deserialize)]
pub struct KeyFile {
    /// Field-encryption keys by id (32 hex characters each).
    pub field_keys: BTreeMap<String, String>,
    /// The id that encrypts new values.
    pub current: String,
    /// Blind-index key (never rotated: it only finds duplicates).
    pub index_key: String,
    /// Audit-chain HMAC key (64 hex characters).
    pub audit_key: String,
}

impl KeyFile {
    pub fn generate() -> KeyFile {
        let mut field_keys = BTreeMap::new();
        field_keys.insert("k1".to_string(), random_hex(16));
        KeyFile { field_keys, current: "k1".into(), index_key: random_hex(16), audit_key: random_hex(32) }
    }

    pub fn to_keys(&self) -> Result<Keys, String> {
        let mut map = BTreeMap::new();
        for (id, hex) in &self.field_keys {
            map.insert(id.clone(), parse_key(hex).map_err(|e| format!("密钥 {id}：{e}"))?);
        }
        let index = parse_key(&self.index_key).map_err(|e| format!("索引密钥：{e}"))?;
        let audit = hex_bytes(&self.audit_key).ok_or("审计密钥应为十六进制字符")?;
        if audit.len() < 16 {
            return Err("审计密钥至少16字节".into());
        }
        let cipher = FieldCipher::new(map, &self.current, index).map_err(|e| e.to_string())?;
        Ok(Keys { cipher, audit_key: audit })
    }
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// The key file: `XIANFENG_KEY_FILE` when set (keep it apart from the
/// database: whoever holds both holds everything), else DATA_DIR/keys.json.
pub fn key_file_path(data_dir: &Path) -> PathBuf {
    match std::env::var_os("XIANFENG_KEY_FILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => data_dir.join("keys.json"),
    }
}

/// Creates a file readable and writable by its owner only, from the first
/// byte (no window in which it is world-readable), failing if it exists.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Writes the key file with owner-only permissions: written whole to a
/// private temporary file, synced, then renamed over the old one.
pub fn write_key_file(path: &Path, k: &KeyFile) -> Result<(), String> {
    use std::io::Write as _;
    let text = serde_json::to_string_pretty(k).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut f = create_private(&tmp).map_err(|e| format!("写入 {} 失败：{e}", tmp.display()))?;
    f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| format!("写入 {} 失败：{e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("写入 {} 失败：{e}", path.display()))
}

/// Creates the SQLite file owner-only before SQLite opens it (its -wal and
/// -shm files take the same permissions); an existing file is narrowed to
/// owner-only too.
pub fn private_database_file(db: &Path) -> Result<(), String> {
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("无法创建数据目录 {}：{e}", dir.display()))?;
    }
    match create_private(db) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(db, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| format!("无法设置 {} 的权限：{e}", db.display()))?;
            }
            Ok(())
        }
        Err(e) => Err(format!("无法创建 {}：{e}", db.display())),
    }
}

/// Loads keys from the environment, else from the key file (created if missing).
pub fn load_keys(data_dir: &Path) -> Result<Keys, String> {
    if let Ok(list) = std::env::var("XIANFENG_FIELD_KEYS") {
        let mut field_keys = BTreeMap::new();
        for part in list.split(',').filter(|p| !p.trim().is_empty()) {
            let (id, hex) = part.split_once('=').ok_or("XIANFENG_FIELD_KEYS 格式应为 k1=HEX,k2=HEX")?;
            field_keys.insert(id.trim().to_string(), hex.trim().to_string());
        }
        let current = std::env::var("XIANFENG_FIELD_KEY_ID")
            .ok()
            .or_else(|| field_keys.keys().next_back().cloned())
            .ok_or("XIANFENG_FIELD_KEYS 为空")?;
        let kf = KeyFile {
            field_keys,
            current,
            index_key: std::env::var("XIANFENG_INDEX_KEY").map_err(|_| "缺少 XIANFENG_INDEX_KEY")?,
            audit_key: std::env::var("XIANFENG_AUDIT_KEY").map_err(|_| "缺少 XIANFENG_AUDIT_KEY")?,
        };
        return kf.to_keys();
    }
    let path = key_file_path(data_dir);
    if !path.exists() {
        std::fs::create_dir_all(data_dir).map_err(|e| format!("无法创建数据目录 {}：{e}", data_dir.display()))?;
        write_key_file(&path, &KeyFile::generate())?;
        eprintln!("已生成密钥文件 {}（请妥善备份：丢失后加密字段无法解密）", path.display());
    }
    read_key_file(&path)?.to_keys()
}

/// Loads keys from the environment or an existing key file; never creates
/// one (restore must not leave a fresh key file behind when it refuses).
pub fn load_existing_keys(data_dir: &Path) -> Result<Keys, String> {
    if std::env::var("XIANFENG_FIELD_KEYS").is_ok() {
        return load_keys(data_dir);
    }
    let path = key_file_path(data_dir);
    if !path.exists() {
        return Err(format!(
            "密钥文件 {} 不存在：恢复需要与备份相同的密钥（放回密钥文件或设置 XIANFENG_FIELD_KEYS 等环境变量）",
            path.display()
        ));
    }
    read_key_file(&path)?.to_keys()
}

/// The lock a server (and a demo build) holds on its data directory for as
/// long as it runs; restore refuses while anyone holds it.
pub fn lock_path(data_dir: &Path) -> PathBuf {
    data_dir.join("xianfeng.lock")
}

/// Takes the data directory's lock, or says who is in the way. The lock is
/// the operating system's (flock): it ends with the process, however it ends.
pub fn lock_data_dir(data_dir: &Path) -> Result<std::fs::File, String> {
    std::fs::create_dir_all(data_dir).map_err(|e| format!("无法创建数据目录 {}：{e}", data_dir.display()))?;
    let path = lock_path(data_dir);
    let f = match create_private(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| format!("无法打开 {}：{e}", path.display()))?,
        Err(e) => return Err(format!("无法创建 {}：{e}", path.display())),
    };
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(format!("数据目录 {} 正由另一个先锋进程（服务或演示）使用：请先停止它", data_dir.display()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(format!("无法锁定 {}：{e}", path.display())),
    }
}

pub fn read_key_file(path: &Path) -> Result<KeyFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("读取 {} 失败：{e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} 格式错误：{e}", path.display()))
}

/// The database URL: explicit, else SQLite in the data directory.
pub fn database_url(data_dir: &Path, explicit: Option<&str>) -> String {
    match explicit {
        Some(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => format!("sqlite://{}", data_dir.join("xianfeng.db").display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_load() {
        let k = KeyFile::generate();
        let keys = k.to_keys().unwrap();
        let ct = keys.cipher.encrypt("x");
        assert_eq!(keys.cipher.decrypt(&ct).unwrap(), "x");
        assert_ne!(KeyFile::generate().audit_key, k.audit_key);
    }

    #[test]
    fn bad_keys_are_refused() {
        let mut k = KeyFile::generate();
        k.current = "nope".into();
        assert!(k.to_keys().is_err());
        let mut k = KeyFile::generate();
        k.audit_key = "zz".into();
        assert!(k.to_keys().is_err());
    }
}
