//! Objections during publicity and their findings.

use super::*;
use xianfeng_core::key::{Key, kinds};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ObjectionRow {
    pub committee_id: i64,
    pub id: i64,
    pub application_id: i64,
    pub text: String,
    pub filed_by: String,
    pub filed_at: i64,
    pub state: ObjectionState,
    pub finding: String,
}

impl ObjectionRow {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::Objection> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

/// Anyone whose scope holds the subject's unit objects during the notice period.
#[tracing::instrument(skip_all)]
pub async fn object(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    application: Key<kinds::Application>,
    text: &str,
) -> Result<ObjectionRow> {
    let committee_id = application.committee_id;
    if scope.committee_id().is_some_and(|c| c != committee_id) {
        return Err(StoreError::NotFound);
    }
    let a = super::apply::application(store, application).await?;
    let c = row(store, a.campaign_id).await?;
    let today = today_cn();
    let open = c.state == core_c::CampaignState::Publicity
        && c.notice_from.is_some_and(|f| f <= today)
        && c.notice_to.is_some_and(|t| today <= t);
    if !open {
        return Err(StoreError::Rule("不在公示期内".into()));
    }
    if text.trim().is_empty() {
        return Err(StoreError::invalid("text", "请写明异议的事实和理由"));
    }
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO campaign_objections (committee_id, id, campaign_id, application_id, text, filed_by, filed_at, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            committee_id, id, c.id, a.id, text.trim(), who.username.clone(), now_ms(), ObjectionState::Open.as_str()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("campaign_objection", "campaign", c.id).detail(a.subject_name.clone()),
    )
    .await?;
    tx.commit().await?;
    all_objections(store, c.id).await?.into_iter().find(|o| o.id == id).ok_or(StoreError::NotFound)
}

/// The objections of a campaign, for the working committee that investigates them.
#[tracing::instrument(skip_all)]
pub async fn objections(store: &Store, access: &Access, campaign_id: i64) -> Result<Vec<ObjectionRow>> {
    if !access.is_committee() {
        return Err(StoreError::Forbidden);
    }
    all_objections(store, campaign_id).await
}

pub(crate) async fn all_objections(store: &Store, campaign_id: i64) -> Result<Vec<ObjectionRow>> {
    store
        .db
        .r()
        .fetch_all(q!(
            "SELECT committee_id, id, application_id, text, filed_by, filed_at, state, finding FROM campaign_objections \
             WHERE campaign_id = $1 ORDER BY filed_at",
            campaign_id
        ))
        .await
}

/// The working committee closes an objection with its finding; upheld
/// disqualifies the application (the quota passes to the next in line).
#[tracing::instrument(skip_all)]
pub async fn close_objection(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    objection: Key<kinds::Objection>,
    upheld: bool,
    finding: &str,
) -> Result<()> {
    let (committee_id, objection_id) = (objection.committee_id, objection.id);
    committee(scope)?;
    if finding.trim().is_empty() {
        return Err(StoreError::invalid("finding", "请填写核查结论"));
    }
    let mut tx = store.db.begin().await?;
    let o: ObjectionRow = tx
        .c()
        .fetch_one(q!(
            "SELECT committee_id, id, application_id, text, filed_by, filed_at, state, finding FROM campaign_objections WHERE committee_id = $1 AND id = $2",
            committee_id,
            objection_id
        ))
        .await?;
    if o.state != ObjectionState::Open {
        return Err(StoreError::Rule("该异议已办结".into()));
    }
    tx.c()
        .execute(q!(
            "UPDATE campaign_objections SET state = $1, finding = $2, closed_by = $3, closed_at = $4 WHERE committee_id = $5 AND id = $6",
            if upheld { ObjectionState::Upheld } else { ObjectionState::Dismissed }.as_str(), finding.trim(), who.username.clone(), now_ms(), committee_id, objection_id
        ))
        .await?;
    if upheld {
        tx.c()
            .execute(q!(
                "UPDATE campaign_applications SET disqualified = $1 WHERE committee_id = $2 AND id = $3",
                finding.trim(),
                committee_id,
                o.application_id
            ))
            .await?;
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("campaign_objection_close", "campaign", o.application_id).detail(finding.trim().to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
