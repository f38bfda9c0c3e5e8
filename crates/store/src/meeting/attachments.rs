//! A meeting's attachments (minutes, photos, sign-in sheets).

use super::*;

/// An attachment's metadata (the bytes are read only for download).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub meeting_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

impl AttachmentRow {
    pub fn size_text(&self) -> String {
        if self.size >= 1024 * 1024 {
            format!("{:.1} MB", self.size as f64 / 1024.0 / 1024.0)
        } else {
            format!("{} KB", (self.size + 1023) / 1024)
        }
    }
    pub fn uploaded_text(&self) -> String {
        xianfeng_core::text::datetime_ms(self.uploaded_at)
    }
}

pub async fn attachments(store: &Store, m: &MeetingRow) -> Result<Vec<AttachmentRow>> {
    store
        .db
        .r()
        .fetch_all(q!(
            "SELECT id, meeting_id, file_name, content_type, size, uploaded_by, uploaded_at FROM meeting_attachments \
             WHERE committee_id = $1 AND meeting_id = $2 ORDER BY id",
            m.committee_id,
            m.id
        ))
        .await
}

/// Stores an attachment after checking its type by content and its size.
pub async fn add_attachment(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    meeting_id: i64,
    file_name: &str,
    data: Vec<u8>,
) -> Result<AttachmentRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = get(store, scope, meeting_id).await?;
    let name = core_meeting::clean_file_name(file_name);
    let t = core_meeting::sniff_attachment(&name, &data).map_err(|msg| StoreError::invalid("file", msg))?;
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM meeting_attachments WHERE committee_id = $1 AND meeting_id = $2",
            m.committee_id,
            m.id
        ))
        .await?;
    if n >= core_meeting::ATTACHMENTS_PER_MEETING {
        return Err(StoreError::invalid(
            "file",
            format!("每次会议最多{}个附件，请先删除不需要的附件", core_meeting::ATTACHMENTS_PER_MEETING),
        ));
    }
    let id = tx.alloc_id().await?;
    let size = data.len() as i64;
    tx.c()
        .execute(q!(
            "INSERT INTO meeting_attachments (committee_id, id, meeting_id, file_name, content_type, size, data, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            m.committee_id, id, m.id, name.clone(), t.content_type, size, data, who.username.clone(), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("upload", "meeting", m.id).detail(format!("附件 {name}（{}，{size} 字节）", t.label)),
    )
    .await?;
    tx.commit().await?;
    Ok(AttachmentRow {
        id,
        meeting_id: m.id,
        file_name: name,
        content_type: t.content_type.to_string(),
        size,
        uploaded_by: who.username.clone(),
        uploaded_at: now_ms(),
    })
}

/// An attachment with its bytes, for download (in scope only).
pub async fn attachment(store: &Store, scope: &OrgScope, meeting_id: i64, id: i64) -> Result<(AttachmentRow, Vec<u8>)> {
    #[derive(sqlx::FromRow)]
    struct Full {
        id: i64,
        meeting_id: i64,
        file_name: String,
        content_type: String,
        size: i64,
        uploaded_by: String,
        uploaded_at: i64,
        data: Vec<u8>,
    }
    let m = get(store, scope, meeting_id).await?;
    let f: Full = store
        .db
        .r()
        .fetch_one(q!(
            "SELECT id, meeting_id, file_name, content_type, size, uploaded_by, uploaded_at, data FROM meeting_attachments \
             WHERE committee_id = $1 AND meeting_id = $2 AND id = $3",
            m.committee_id,
            m.id,
            id
        ))
        .await?;
    Ok((
        AttachmentRow {
            id: f.id,
            meeting_id: f.meeting_id,
            file_name: f.file_name,
            content_type: f.content_type,
            size: f.size,
            uploaded_by: f.uploaded_by,
            uploaded_at: f.uploaded_at,
        },
        f.data,
    ))
}

pub async fn delete_attachment(store: &Store, scope: &OrgScope, who: &Who, meeting_id: i64, id: i64) -> Result<()> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let m = get(store, scope, meeting_id).await?;
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "DELETE FROM meeting_attachments WHERE committee_id = $1 AND meeting_id = $2 AND id = $3",
            m.committee_id,
            m.id,
            id
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("delete", "meeting_attachment", id).detail(format!("会议 {}", m.id)),
    )
    .await?;
    tx.commit().await
}
