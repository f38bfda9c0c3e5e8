//! Campaigns (评选) in the store: the working committee defines a campaign;
//! the subjects' units apply with a self-assessment and evidence; reviewers
//! score each criterion (never their own unit); results are the trimmed means
//! under the quotas and the stated tie rule; publicity takes objections, each
//! closed with a finding; naming writes the honors register; an honor can be
//! revoked. Results are recomputed from the stored scores at every step.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use xianfeng_core::auth::{Myself, OrgScope};
use xianfeng_core::campaign::{self as core_c, Criterion, Eligibility, Entry, Honor, Subject, Tier};
pub use xianfeng_core::campaign::{CampaignState, ObjectionState};
use xianfeng_core::org::OrgKind;
use xianfeng_core::text::{now_ms, today_cn};

use crate::audit::{Event, append};
use crate::db::Q;
use crate::{Result, Store, StoreError, Who, q};

mod apply;
mod honors;
mod objection;
mod review;

pub use self::apply::*;
pub use self::honors::*;
pub use self::objection::*;
pub use self::review::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub honor: Honor,
    pub year: i64,
    pub title: String,
    pub criteria: String,
    pub tiers: String,
    pub eligibility: String,
    pub state: core_c::CampaignState,
    pub apply_until: NaiveDate,
    pub notice_from: Option<NaiveDate>,
    pub notice_to: Option<NaiveDate>,
    pub version: i64,
}

impl CampaignRow {
    pub fn criteria(&self) -> Result<Vec<Criterion>> {
        serde_json::from_str(&self.criteria).map_err(|e| StoreError::Rule(e.to_string()))
    }
    pub fn tiers(&self) -> Result<Vec<Tier>> {
        serde_json::from_str(&self.tiers).map_err(|e| StoreError::Rule(e.to_string()))
    }
    /// The eligibility conditions; a stored condition this version does not
    /// know is an error, never silently dropped.
    pub fn eligibility(&self) -> Result<Vec<Eligibility>> {
        let codes: Vec<String> =
            serde_json::from_str(&self.eligibility).map_err(|e| StoreError::Rule(format!("资格条件无法读取：{e}")))?;
        codes.iter().map(|e| Eligibility::read(e).map_err(StoreError::from)).collect()
    }
    pub fn eligibility_text(&self) -> String {
        match self.eligibility() {
            Ok(v) if v.is_empty() => "无".into(),
            Ok(v) => v.iter().map(|e| e.label()).collect::<Vec<_>>().join("；"),
            Err(e) => e.to_string(),
        }
    }
    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }
    /// Applications may be closed (the committee's next step).
    pub fn can_close(&self) -> bool {
        self.state == core_c::CampaignState::Applying
    }
    /// Results may be put to 公示.
    pub fn can_publish(&self) -> bool {
        self.state == core_c::CampaignState::Reviewing
    }
    /// Honors may be named once 公示 has run.
    pub fn can_name(&self) -> bool {
        self.state == core_c::CampaignState::Publicity
    }
}

pub(crate) const CAMPAIGN_COLS: &str =
    "id, honor, year, title, criteria, tiers, eligibility, state, apply_until, notice_from, notice_to, version";

/// The working committee's capability over campaigns: its whole-tree scope.
pub(crate) fn committee(scope: &OrgScope) -> Result<()> {
    if scope.is_whole_tree() && scope.can_write() { Ok(()) } else { Err(StoreError::Forbidden) }
}

/// One campaign (campaigns are province-wide; any business role reads them).
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, _reader: &OrgScope, id: i64) -> Result<CampaignRow> {
    row(store, id).await
}

/// The row behind an operation that has already checked its capability.
pub(crate) async fn row(store: &Store, id: i64) -> Result<CampaignRow> {
    store.db.r().fetch_one(q!(format!("SELECT {CAMPAIGN_COLS} FROM campaigns WHERE id = $1"), id)).await
}

/// Every campaign, newest year first (any business role).
#[tracing::instrument(skip_all)]
pub async fn list(store: &Store, _reader: &OrgScope) -> Result<Vec<CampaignRow>> {
    store.db.r().fetch_all(q!(format!("SELECT {CAMPAIGN_COLS} FROM campaigns ORDER BY year DESC, id DESC"))).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CampaignInput {
    pub honor: String,
    pub year: i32,
    pub title: String,
    /// Empty: the honor's defaults.
    pub criteria: Vec<Criterion>,
    pub tiers: Vec<Tier>,
    /// Condition names; None: the honor's defaults.
    pub eligibility: Option<Vec<String>>,
    pub apply_until: Option<NaiveDate>,
}

/// The working committee defines a campaign (criteria and tiers default to the honor's).
#[tracing::instrument(skip_all)]
pub async fn create(store: &Store, scope: &OrgScope, who: &Who, input: &CampaignInput) -> Result<CampaignRow> {
    committee(scope)?;
    let honor = Honor::parse(&input.honor).ok_or_else(|| StoreError::invalid("honor", "请选择荣誉类型"))?;
    let criteria = if input.criteria.is_empty() { honor.default_criteria() } else { input.criteria.clone() };
    let tiers = if input.tiers.is_empty() { honor.default_tiers() } else { input.tiers.clone() };
    core_c::check(&criteria, &tiers).map_err(|m| StoreError::invalid("criteria", m))?;
    let apply_until = input.apply_until.ok_or_else(|| StoreError::invalid("apply_until", "请填写申报截止日期"))?;
    let eligibility: Vec<Eligibility> = match &input.eligibility {
        None => honor.default_eligibility(),
        Some(names) => names
            .iter()
            .map(|n| {
                Eligibility::parse(n).ok_or_else(|| StoreError::invalid("eligibility", format!("未知的申报条件：{n}")))
            })
            .collect::<Result<_>>()?,
    };
    if let Some(e) = eligibility.iter().find(|e| !e.applies_to(honor.subject())) {
        return Err(StoreError::invalid("eligibility", format!("“{}”不适用于{}", e.label(), honor.label())));
    }
    let eligibility_json =
        serde_json::to_string(&eligibility.iter().map(|e| e.as_str()).collect::<Vec<_>>()).unwrap_or_default();
    let title = if input.title.trim().is_empty() {
        format!("{}年{}评选", input.year, honor.label())
    } else {
        input.title.trim().to_string()
    };
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO campaigns (id, honor, year, title, criteria, tiers, eligibility, state, apply_until, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            id, honor.as_str(), i64::from(input.year), title.clone(),
            serde_json::to_string(&criteria).unwrap_or_default(), serde_json::to_string(&tiers).unwrap_or_default(),
            eligibility_json, core_c::CampaignState::Applying.as_str(), apply_until, who.username.clone(), now, now
        ))
        .await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("campaign_create", "campaign", id).detail(title)).await?;
    tx.commit().await?;
    row(store, id).await
}

/// Names the panel: (user id, the reviewer's own unit, name).
#[tracing::instrument(skip_all)]
pub async fn set_reviewers(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    campaign_id: i64,
    reviewers: &[(i64, Option<i64>, String)],
) -> Result<()> {
    committee(scope)?;
    let c = row(store, campaign_id).await?;
    if c.state == core_c::CampaignState::Named {
        return Err(StoreError::Rule("评选已命名，不能调整评审组".into()));
    }
    let mut tx = store.db.begin().await?;
    tx.c().execute(q!("DELETE FROM campaign_reviewers WHERE campaign_id = $1", campaign_id)).await?;
    for (user, unit, name) in reviewers {
        tx.c()
            .execute(q!(
                "INSERT INTO campaign_reviewers (campaign_id, user_id, unit_id, name) VALUES ($1, $2, $3, $4)",
                campaign_id,
                *user,
                *unit,
                name.clone()
            ))
            .await?;
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("campaign_panel", "campaign", campaign_id).detail(format!("{}名评审", reviewers.len())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
