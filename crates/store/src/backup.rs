//! Consistent online backups (SQLite: VACUUM INTO) and restore.

use crate::db::{Backend, Db};
use crate::{Result, StoreError};

/// Writes a consistent copy of a live SQLite database to `to`.
#[tracing::instrument(skip_all)]
pub async fn backup_sqlite(db: &Db, to: &std::path::Path) -> Result<()> {
    if db.backend() != Backend::Sqlite {
        return Err(StoreError::Config(
            "PostgreSQL 请使用 pg_dump 备份（例如：pg_dump -Fc -f xianfeng.dump 数据库名）".into(),
        ));
    }
    if to.exists() {
        return Err(StoreError::Config(format!("目标文件已存在：{}", to.display())));
    }
    // The copy holds what the database holds: owner-only from its first byte
    // (VACUUM INTO accepts an empty file and keeps its permissions).
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(to).map_err(|e| StoreError::Config(format!("无法创建备份文件 {}：{e}", to.display())))?;
    let path = to.to_string_lossy().replace('\'', "''");
    // VACUUM INTO reads one snapshot: writers may continue meanwhile.
    if let Db::Sqlite { read, .. } = db {
        let mut conn = read.acquire().await?;
        if let Err(e) = sqlx::query(&format!("VACUUM INTO '{path}'")).execute(&mut *conn).await {
            let _ = std::fs::remove_file(to);
            return Err(e.into());
        }
    }
    Ok(())
}
