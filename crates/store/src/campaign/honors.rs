//! Naming honors, the honor roll, revoking; the review panel.

use super::*;
use xianfeng_core::key::{Key, kinds};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HonorRow {
    pub committee_id: i64,
    pub id: i64,
    pub campaign_id: i64,
    pub honor: String,
    pub tier_name: String,
    pub year: i64,
    pub subject_id: i64,
    pub subject_name: String,
    /// The unit the honor belongs to.
    pub unit_name: String,
    pub named_on: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
    pub revoked_reason: String,
}

impl HonorRow {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::Honor> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

/// After the notice period, with every objection closed, the working committee
/// names the results: each application within a tier enters the honors register.
#[tracing::instrument(skip_all)]
pub async fn name(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    campaign_id: i64,
    version: Option<i64>,
) -> Result<Vec<HonorRow>> {
    committee(scope)?;
    let c = row(store, campaign_id).await?;
    expect_version(&c, version)?;
    if c.state != core_c::CampaignState::Publicity {
        return Err(StoreError::Rule(format!("评选当前{}，公示后方可命名", c.state_label())));
    }
    let today = today_cn();
    if c.notice_to.is_some_and(|t| today <= t) {
        return Err(StoreError::Rule(format!(
            "公示期至 {}，期满后方可命名",
            c.notice_to.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    if all_objections(store, campaign_id).await?.iter().any(|o| o.state == ObjectionState::Open) {
        return Err(StoreError::Rule("还有未办结的异议".into()));
    }
    let results = compute_results(store, &c).await?;
    let mut tx = store.db.begin().await?;
    tx.update_versioned(q!(
        "UPDATE campaigns SET state = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        core_c::CampaignState::Named.as_str(),
        now_ms(),
        campaign_id,
        c.version
    ))
    .await?;
    let mut named = 0;
    for r in results.iter().filter(|r| r.tier.is_some()) {
        let id = tx.alloc_id().await?;
        let a = &r.application;
        tx.c()
            .execute(q!(
                "INSERT INTO honors (committee_id, id, campaign_id, application_id, honor, tier_name, year, subject_id, subject_name, named_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                a.committee_id, id, campaign_id, a.id, c.honor.as_str(), r.tier.clone().unwrap_or_default(), c.year,
                a.subject_id, a.subject_name.clone(), today
            ))
            .await?;
        named += 1;
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("campaign_name", "campaign", campaign_id).detail(format!("命名{named}个")),
    )
    .await?;
    tx.commit().await?;
    honors(store, scope, Some(campaign_id)).await
}

const HONOR_COLS: &str = "SELECT h.committee_id, h.id, h.campaign_id, h.honor, h.tier_name, h.year, h.subject_id, \
    h.subject_name, u.name AS unit_name, h.named_on, h.revoked_on, h.revoked_reason \
    FROM honors h JOIN orgs u ON u.committee_id = h.committee_id AND u.id = h.committee_id WHERE 1 = 1";

/// The honors one campaign named in scope.
#[tracing::instrument(skip_all)]
pub async fn honors(store: &Store, scope: &OrgScope, campaign_id: Option<i64>) -> Result<Vec<HonorRow>> {
    let f = HonorFilter { campaign_id, ..Default::default() };
    Ok(register(store, scope, &f, 1, crate::EVERY_ROW).await?.items)
}

/// Which honors the register shows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HonorFilter {
    pub campaign_id: Option<i64>,
    pub year: Option<i32>,
    /// The honor's code (model_organ, four_strong_branch, …); "" for all.
    pub honor: String,
    /// Only honors of this unit (inside the scope).
    pub unit_id: Option<i64>,
    /// Part of the holder's name.
    pub name: String,
}

/// The honors register in scope: one page of the honors `f` selects, the
/// latest year first, and how many it selects in all.
#[tracing::instrument(skip_all)]
pub async fn register(
    store: &Store,
    scope: &OrgScope,
    f: &HonorFilter,
    page: i64,
    per_page: i64,
) -> Result<crate::Page<HonorRow>> {
    let mut q = Q::new(HONOR_COLS);
    if let Some(c) = scope.committee_id() {
        q.push(" AND h.committee_id = ").bind(c);
    }
    if let Some(id) = f.unit_id {
        let unit = crate::org::get(store.db.r(), scope, id).await?;
        q.push(" AND h.committee_id = ").bind(unit.committee_id);
    }
    if let Some(id) = f.campaign_id {
        q.push(" AND h.campaign_id = ").bind(id);
    }
    if let Some(y) = f.year {
        q.push(" AND h.year = ").bind(i64::from(y));
    }
    if !f.honor.is_empty() {
        let h = Honor::parse(&f.honor).ok_or_else(|| StoreError::invalid("honor", "荣誉类别无效"))?;
        q.push(" AND h.honor = ").bind(h.as_str());
    }
    let name = f.name.trim();
    if !name.is_empty() {
        q.push(" AND h.subject_name LIKE ").bind(format!("%{}%", crate::db::like_escape(name))).push(" ESCAPE '\\'");
    }
    crate::fetch_page(store, q, "h.year DESC, h.campaign_id, h.tier_name, h.subject_name, h.id", page, per_page).await
}

/// Revokes an honor (摘牌) with a reason; the register keeps it, marked.
#[tracing::instrument(skip_all)]
pub async fn revoke(store: &Store, scope: &OrgScope, who: &Who, honor: Key<kinds::Honor>, reason: &str) -> Result<()> {
    let (committee_id, honor_id) = (honor.committee_id, honor.id);
    committee(scope)?;
    if reason.trim().is_empty() {
        return Err(StoreError::invalid("reason", "请填写摘牌原因"));
    }
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "UPDATE honors SET revoked_on = $1, revoked_reason = $2 WHERE committee_id = $3 AND id = $4 AND revoked_on IS NULL",
            today_cn(), reason.trim(), committee_id, honor_id
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Rule("该荣誉不存在或已摘牌".into()));
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("honor_revoke", "honor", honor_id).detail(reason.trim().to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves reviewer accounts by user name: (user id, their own unit, display name).
/// A reviewer's unit is the unit of their first org-bound role below the working committee.
#[tracing::instrument(skip_all)]
pub async fn resolve_reviewers(
    store: &Store,
    scope: &OrgScope,
    usernames: &[String],
) -> Result<Vec<(i64, Option<i64>, String)>> {
    committee(scope)?;
    let mut out = Vec::new();
    for name in usernames.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let u = crate::auth::user_by_name(store, name)
            .await?
            .ok_or_else(|| StoreError::invalid("reviewers", format!("账号“{name}”不存在")))?;
        let mut unit = None;
        for r in crate::auth::roles_of(store, u.id).await? {
            if let Some(o) = r.org_id {
                let org = crate::org::anchor_of(store.db.r(), o).await?;
                if org.kind() != OrgKind::WorkingCommittee {
                    unit = Some(org.committee_id);
                    break;
                }
            }
        }
        out.push((u.id, unit, u.display_name.clone()));
    }
    if out.is_empty() {
        return Err(StoreError::invalid("reviewers", "请填写评审账号"));
    }
    Ok(out)
}

/// The reviewers of a campaign: (user id, unit, name), for anyone who may see the campaign.
#[tracing::instrument(skip_all)]
pub async fn reviewers(store: &Store, _access: &Access, campaign_id: i64) -> Result<Vec<(i64, Option<i64>, String)>> {
    panel(store, campaign_id).await
}

pub(crate) async fn panel(store: &Store, campaign_id: i64) -> Result<Vec<(i64, Option<i64>, String)>> {
    store
        .db
        .r()
        .fetch_all(q!(
            "SELECT user_id, unit_id, name FROM campaign_reviewers WHERE campaign_id = $1 ORDER BY name",
            campaign_id
        ))
        .await
}

/// A reviewer's own scores in a campaign: (committee, application) → total.
#[tracing::instrument(skip_all)]
pub async fn my_scores(store: &Store, me: &Myself, campaign_id: i64) -> Result<HashMap<(i64, i64), i64>> {
    let rows: Vec<(i64, i64, i64)> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT s.committee_id, s.application_id, s.total FROM campaign_scores s JOIN campaign_applications a \
             ON a.committee_id = s.committee_id AND a.id = s.application_id WHERE a.campaign_id = $1 AND s.reviewer_id = $2",
            campaign_id,
            me.user_id()
        ))
        .await?;
    Ok(rows.into_iter().map(|(c, a, t)| ((c, a), t)).collect())
}

/// The honors of one subject (a unit, branch or member the caller has already
/// loaded in scope), newest first, as "2023年模范机关（标兵单位）".
#[tracing::instrument(skip_all)]
pub async fn honors_of(
    store: &Store,
    scope: &impl xianfeng_core::auth::ReadScope,
    committee_id: i64,
    subject_id: i64,
) -> Result<Vec<String>> {
    if !scope.reads_shard(committee_id) {
        return Err(StoreError::NotFound);
    }
    let mut q = Q::new(HONOR_COLS);
    q.push(" AND h.committee_id = ").bind(committee_id).push(" AND h.subject_id = ").bind(subject_id);
    q.push(" ORDER BY h.year DESC, h.id DESC");
    let rows: Vec<HonorRow> = store.db.r().fetch_all(q).await?;
    Ok(rows
        .into_iter()
        .map(|h| {
            let label = Honor::parse(&h.honor).map(|x| x.label()).unwrap_or("");
            let base = if h.tier_name == label {
                format!("{}年{}", h.year, label)
            } else {
                format!("{}年{}（{}）", h.year, label, h.tier_name)
            };
            match h.revoked_on {
                Some(d) => format!("{base}，{d} 摘牌：{}", h.revoked_reason),
                None => base,
            }
        })
        .collect())
}
