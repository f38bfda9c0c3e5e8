//! Attachments, stored once for every area (table `attachments`, distributed
//! by `committee_id`). An area checks its own scope and write rights on the
//! owner (a meeting, a recruitment case, …), then calls these inside its
//! transaction; the audit line is the area's. Nothing here is public to web:
//! the owner's area is the capability check.

use xianfeng_core::attachment::{self as core_attachment, Owner};
use xianfeng_core::text::now_ms;

use crate::db::{Conn, Tx};
use crate::{Result, StoreError, Who, q};

/// An attachment's metadata (the bytes are read only for download).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub owner_id: i64,
    /// The owner's sub-place (a recruitment step); 0 when the owner has none.
    pub slot: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// A stored file checked by content, and what the upload's audit line says of it.
pub struct Added {
    pub attachment: Attachment,
    /// "PDF", "图片", "Word" …
    pub type_label: &'static str,
}

const COLS: &str = "id, owner_id, slot, file_name, content_type, size, uploaded_by, uploaded_at";

/// The owner's attachments, by slot then upload order.
pub(crate) async fn list(db: Conn<'_>, committee_id: i64, owner: Owner, owner_id: i64) -> Result<Vec<Attachment>> {
    db.fetch_all(q!(
        format!(
            "SELECT {COLS} FROM attachments WHERE committee_id = $1 AND owner_kind = $2 AND owner_id = $3 ORDER BY slot, id"
        ),
        committee_id,
        owner.as_str(),
        owner_id
    ))
    .await
}

/// Stores a file for an owner after checking its type by content, its size and
/// the owner's limit. The caller has checked scope and write rights.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn add(
    tx: &mut Tx,
    who: &Who,
    committee_id: i64,
    owner: Owner,
    owner_id: i64,
    slot: i64,
    file_name: &str,
    data: Vec<u8>,
) -> Result<Added> {
    let name = core_attachment::clean_file_name(file_name);
    let t = core_attachment::check(&name, &data)?;
    let n = tx
        .c()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM attachments WHERE committee_id = $1 AND owner_kind = $2 AND owner_id = $3",
            committee_id,
            owner.as_str(),
            owner_id
        ))
        .await?;
    let (limit, full) = owner.limit();
    if n >= limit {
        return Err(StoreError::invalid("file", full));
    }
    let id = tx.alloc_id().await?;
    let size = data.len() as i64;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO attachments (committee_id, id, owner_kind, owner_id, slot, file_name, content_type, size, data, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            committee_id, id, owner.as_str(), owner_id, slot, name.clone(), t.content_type, size, data, who.username.clone(), now
        ))
        .await?;
    Ok(Added {
        attachment: Attachment {
            id,
            owner_id,
            slot,
            file_name: name,
            content_type: t.content_type.to_string(),
            size,
            uploaded_by: who.username.clone(),
            uploaded_at: now,
        },
        type_label: t.label,
    })
}

/// One of the owner's attachments with its bytes.
pub(crate) async fn fetch(
    db: Conn<'_>,
    committee_id: i64,
    owner: Owner,
    owner_id: i64,
    id: i64,
) -> Result<(Attachment, Vec<u8>)> {
    #[derive(sqlx::FromRow)]
    struct Full {
        #[sqlx(flatten)]
        a: Attachment,
        data: Vec<u8>,
    }
    let f: Full = db
        .fetch_one(q!(
            format!(
                "SELECT {COLS}, data FROM attachments \
                 WHERE committee_id = $1 AND owner_kind = $2 AND owner_id = $3 AND id = $4"
            ),
            committee_id,
            owner.as_str(),
            owner_id,
            id
        ))
        .await?;
    Ok((f.a, f.data))
}

/// Deletes one of the owner's attachments; `NotFound` when it is not the owner's.
pub(crate) async fn delete(tx: &mut Tx, committee_id: i64, owner: Owner, owner_id: i64, id: i64) -> Result<()> {
    let n = tx
        .c()
        .execute(q!(
            "DELETE FROM attachments WHERE committee_id = $1 AND owner_kind = $2 AND owner_id = $3 AND id = $4",
            committee_id,
            owner.as_str(),
            owner_id,
            id
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
