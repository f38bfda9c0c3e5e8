//! A meeting's attachments (minutes, photos, sign-in sheets).

use super::*;
use crate::attachment;
use xianfeng_core::attachment::Owner;
use xianfeng_core::auth::OrgWrite;

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

impl From<crate::attachment::Attachment> for AttachmentRow {
    fn from(a: crate::attachment::Attachment) -> Self {
        AttachmentRow {
            id: a.id,
            meeting_id: a.owner_id,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            uploaded_by: a.uploaded_by,
            uploaded_at: a.uploaded_at,
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn attachments(store: &Store, m: &MeetingRow) -> Result<Vec<AttachmentRow>> {
    let list = attachment::list(store.db.r(), m.committee_id, Owner::Meeting, m.id).await?;
    Ok(list.into_iter().map(AttachmentRow::from).collect())
}

/// Stores an attachment after checking its type by content and its size.
#[tracing::instrument(skip_all)]
pub async fn add_attachment(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    meeting_id: i64,
    file_name: &str,
    data: Vec<u8>,
) -> Result<AttachmentRow> {
    let m = get(store, scope, meeting_id).await?;
    let mut tx = store.db.begin().await?;
    let added = attachment::add(&mut tx, who, m.committee_id, Owner::Meeting, m.id, 0, file_name, data).await?;
    let a = added.attachment;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("upload", "meeting", m.id)
            .detail(format!("附件 {}（{}，{} 字节）", a.file_name, added.type_label, a.size)),
    )
    .await?;
    tx.commit().await?;
    Ok(a.into())
}

/// An attachment with its bytes, for download (in scope only).
#[tracing::instrument(skip_all)]
pub async fn attachment(store: &Store, scope: &OrgScope, meeting_id: i64, id: i64) -> Result<(AttachmentRow, Vec<u8>)> {
    let m = get(store, scope, meeting_id).await?;
    let (a, data) = attachment::fetch(store.db.r(), m.committee_id, Owner::Meeting, m.id, id).await?;
    Ok((a.into(), data))
}

#[tracing::instrument(skip_all)]
pub async fn delete_attachment(store: &Store, scope: &OrgWrite, who: &Who, meeting_id: i64, id: i64) -> Result<()> {
    let m = get(store, scope, meeting_id).await?;
    let mut tx = store.db.begin().await?;
    attachment::delete(&mut tx, m.committee_id, Owner::Meeting, m.id, id).await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("delete", "meeting_attachment", id).detail(format!("会议 {}", m.id)),
    )
    .await?;
    tx.commit().await
}
