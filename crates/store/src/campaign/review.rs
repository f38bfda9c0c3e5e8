//! Review: the panel's scores, results by tier, publicity (公示).

use super::*;
use xianfeng_core::key::{Key, kinds};

/// Refuses a change made on another version than the one the person saw
/// (pages and the API always say which); the write takes the version again
/// inside its transaction.
pub(crate) fn expect_version(c: &CampaignRow, version: Option<i64>) -> Result<()> {
    if version.is_some_and(|v| v != c.version) { Err(StoreError::Stale) } else { Ok(()) }
}

pub(crate) async fn move_state(
    store: &Store,
    who: &Who,
    id: i64,
    from: core_c::CampaignState,
    to: core_c::CampaignState,
    notice: Option<(NaiveDate, NaiveDate)>,
    version: Option<i64>,
) -> Result<CampaignRow> {
    let c = row(store, id).await?;
    expect_version(&c, version)?;
    if c.state != from {
        return Err(StoreError::Rule(format!("评选当前{}，不能进行此操作", c.state_label())));
    }
    let mut tx = store.db.begin().await?;
    tx.update_versioned(q!(
            "UPDATE campaigns SET state = $1, notice_from = COALESCE($2, notice_from), notice_to = COALESCE($3, notice_to), \
             updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6",
            to.as_str(), notice.map(|n| n.0), notice.map(|n| n.1), now_ms(), id, c.version
        )).await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("campaign_state", "campaign", id).detail(format!("{} → {}", from.as_str(), to.as_str())),
    )
    .await?;
    tx.commit().await?;
    row(store, id).await
}

/// A reviewer scores every criterion of one application; never their own unit's.
#[tracing::instrument(skip_all)]
pub async fn score(
    store: &Store,
    who: &Who,
    me: &Myself,
    application: Key<kinds::Application>,
    points: &[u32],
) -> Result<u32> {
    let a = super::apply::application(store, application).await?;
    let c = row(store, a.campaign_id).await?;
    if c.state != core_c::CampaignState::Reviewing {
        return Err(StoreError::Rule(format!("评选当前{}，不能评分", c.state_label())));
    }
    #[derive(sqlx::FromRow)]
    struct Rv {
        unit_id: Option<i64>,
    }
    let rv: Rv = store
        .db
        .r()
        .fetch_optional(q!(
            "SELECT unit_id FROM campaign_reviewers WHERE campaign_id = $1 AND user_id = $2",
            c.id,
            me.user_id()
        ))
        .await?
        .ok_or(StoreError::Forbidden)?;
    if rv.unit_id == Some(a.committee_id) {
        return Err(StoreError::Rule(format!("评审不能为本单位评分（{}）", a.subject_name)));
    }
    let total = core_c::total(&c.criteria()?, points).map_err(|m| StoreError::invalid("points", m))?;
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO campaign_scores (committee_id, application_id, reviewer_id, points, total, scored_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (committee_id, application_id, reviewer_id) DO UPDATE SET points = excluded.points, total = excluded.total, scored_at = excluded.scored_at",
            a.committee_id, a.id, me.user_id(), serde_json::to_string(points).unwrap_or_default(), i64::from(total), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("campaign_score", "campaign", c.id).detail(format!("{} {total}分", a.subject_name)),
    )
    .await?;
    tx.commit().await?;
    Ok(total)
}

/// One application's result.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    pub application: ApplicationRow,
    pub reviewers: usize,
    pub score: Option<f64>,
    pub place: Option<u32>,
    pub tier: Option<String>,
    pub tie_note: String,
}

/// The results as the caller may see them: every row with its score once the
/// results are public (公示 and after) or to the working committee; before
/// that, reviewers and units see their visible applications without scores.
#[tracing::instrument(skip_all)]
pub async fn results(store: &Store, access: &Access, campaign_id: i64) -> Result<Vec<ResultRow>> {
    let c = row(store, campaign_id).await?;
    let public = matches!(c.state, core_c::CampaignState::Publicity | core_c::CampaignState::Named);
    let rows = compute_results(store, &c).await?;
    if access.is_committee() || public {
        return Ok(rows);
    }
    Ok(rows
        .into_iter()
        .filter(|r| access.covers(&r.application))
        .map(|mut r| {
            r.score = None;
            r.place = None;
            r.tier = None;
            r.tie_note.clear();
            r
        })
        .collect())
}

/// Results recomputed from the stored scores: trimmed means, tiers under the
/// quotas, the tie rule; disqualified applications (an upheld objection) are left out.
pub(crate) async fn compute_results(store: &Store, c: &CampaignRow) -> Result<Vec<ResultRow>> {
    let campaign_id = c.id;
    let tiers = c.tiers()?;
    let apps = all_applications(store, campaign_id).await?;
    #[derive(sqlx::FromRow)]
    struct S {
        committee_id: i64,
        application_id: i64,
        total: i64,
    }
    let mut q = Q::new(
        "SELECT s.committee_id, s.application_id, s.total FROM campaign_scores s JOIN campaign_applications a \
        ON a.committee_id = s.committee_id AND a.id = s.application_id WHERE a.campaign_id = ",
    );
    q.bind(campaign_id);
    let scores: Vec<S> = store.db.r().fetch_all(q).await?;
    let mut by_app: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for s in scores {
        by_app.entry((s.committee_id, s.application_id)).or_default().push(s.total as u32);
    }
    let entries: Vec<Entry> = apps
        .iter()
        .filter(|a| a.disqualified.is_empty())
        .filter_map(|a| {
            let totals = by_app.get(&(a.committee_id, a.id))?;
            Some(Entry {
                id: a.id,
                score: core_c::trimmed_mean(totals)?,
                self_total: a.self_total as u32,
                applied_at: a.applied_at,
            })
        })
        .collect();
    let placed = core_c::assign(&tiers, &entries);
    let mut out: Vec<ResultRow> = apps
        .into_iter()
        .map(|a| {
            let p = placed.iter().find(|p| p.id == a.id);
            ResultRow {
                reviewers: by_app.get(&(a.committee_id, a.id)).map(|v| v.len()).unwrap_or(0),
                score: p.map(|p| p.score),
                place: p.map(|p| p.place),
                tier: p.and_then(|p| p.tier).and_then(|t| tiers.get(t)).map(|t| t.name.clone()),
                tie_note: p.map(|p| p.tie_note.clone()).unwrap_or_default(),
                application: a,
            }
        })
        .collect();
    out.sort_by_key(|r| r.place.unwrap_or(u32::MAX));
    Ok(out)
}

/// The working committee publishes the results for public notice (公示).
#[tracing::instrument(skip_all)]
pub async fn publish(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    campaign_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    version: Option<i64>,
) -> Result<CampaignRow> {
    committee(scope)?;
    if to < from {
        return Err(StoreError::invalid("notice_to", "公示结束日期不能早于开始日期"));
    }
    if compute_results(store, &row(store, campaign_id).await?).await?.iter().all(|r| r.score.is_none()) {
        return Err(StoreError::Rule("还没有评分，不能公示".into()));
    }
    move_state(
        store,
        who,
        campaign_id,
        core_c::CampaignState::Reviewing,
        core_c::CampaignState::Publicity,
        Some((from, to)),
        version,
    )
    .await
}
