//! Applications: eligibility checked against the records, self-scores, closing.

use super::*;
use xianfeng_core::audit::Outcome;
use xianfeng_core::auth::MemberWrite;
use xianfeng_core::key::{Key, kinds};
use xianfeng_core::states::sql;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApplicationRow {
    pub committee_id: i64,
    pub id: i64,
    pub campaign_id: i64,
    pub subject_id: i64,
    pub subject_name: String,
    pub self_points: String,
    pub self_total: i64,
    pub evidence: String,
    pub applied_by: String,
    pub applied_at: i64,
    pub disqualified: String,
    /// The org path of the subject (the unit or branch, or the member's branch),
    /// read through the tree at query time; None once a member has moved away.
    pub subject_path: Option<String>,
    /// The unit the subject belongs to (the unit itself for a unit subject).
    pub unit_name: String,
}

impl ApplicationRow {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::Application> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

/// Applications with their subject's place in the tree: a member subject's
/// branch, else the subject org itself (ids are unique across the tree and members).
pub(crate) const APP_FROM: &str = "SELECT a.committee_id, a.id, a.campaign_id, a.subject_id, a.subject_name, a.self_points, a.self_total, \
    a.evidence, a.applied_by, a.applied_at, a.disqualified, o.path AS subject_path, COALESCE(u.name, '') AS unit_name \
    FROM campaign_applications a \
    LEFT JOIN members m ON m.committee_id = a.committee_id AND m.id = a.subject_id \
    LEFT JOIN orgs o ON o.committee_id = a.committee_id AND o.id = COALESCE(m.org_id, a.subject_id) \
    LEFT JOIN orgs u ON u.committee_id = a.committee_id AND u.id = a.committee_id";

/// What a caller may see of one campaign, decided once from the records:
/// the working committee and the campaign's reviewers see every application;
/// anyone else sees the applications of subjects inside their own subtree,
/// and scores only once the results are public (公示 and after). Only the
/// store makes one, so a page cannot widen it.
#[derive(Debug, Clone)]
pub struct Access {
    pub(crate) committee: bool,
    /// For a member of the panel: their own unit, which they may not score.
    pub(crate) reviewer: Option<Option<i64>>,
    pub(crate) scope: OrgScope,
}

impl Access {
    pub fn is_committee(&self) -> bool {
        self.committee
    }
    /// For a reviewer of the campaign: their own unit (which they may not score).
    pub fn reviewer_unit(&self) -> Option<Option<i64>> {
        self.reviewer
    }
    pub(crate) fn sees_all(&self) -> bool {
        self.committee || self.reviewer.is_some()
    }
    pub(crate) fn covers(&self, a: &ApplicationRow) -> bool {
        self.sees_all()
            || (self.scope.committee_id().is_none_or(|c| c == a.committee_id)
                && a.subject_path.as_deref().is_some_and(|p| self.scope.contains(p)))
    }
}

/// The campaign and the caller's access to it (reviewers are the campaign's panel).
#[tracing::instrument(skip_all)]
pub async fn access(store: &Store, scope: &OrgScope, user_id: i64, campaign_id: i64) -> Result<(CampaignRow, Access)> {
    let c = row(store, campaign_id).await?;
    let reviewer = panel(store, campaign_id).await?.into_iter().find(|r| r.0 == user_id).map(|r| r.1);
    Ok((c, Access { committee: committee(scope).is_ok(), reviewer, scope: scope.clone() }))
}

/// A subject's unit applies with a self-assessment per criterion and evidence.
#[tracing::instrument(skip_all)]
pub async fn apply(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    campaign_id: i64,
    subject_id: i64,
    points: &[u32],
    evidence: &str,
) -> Result<ApplicationRow> {
    let org = scope.orgs();
    let c = row(store, campaign_id).await?;
    if c.state != core_c::CampaignState::Applying || today_cn() > c.apply_until {
        return Err(StoreError::Rule(format!("{}已截止申报（{}）", c.title, c.apply_until)));
    }
    let honor = c.honor;
    let (committee_id, name, path) = match honor.subject() {
        Subject::Member => {
            let m = crate::member::get(store, scope, subject_id).await?;
            if !m.status.is_member() {
                return Err(StoreError::Rule(format!("{}不是党员，不能申报{}", m.name, honor.label())));
            }
            (m.committee_id, m.name, m.org_path)
        }
        kind => {
            let o = crate::org::get(store.db.r(), org, subject_id).await?;
            let ok = match kind {
                Subject::Unit => o.kind() == OrgKind::Unit,
                _ => o.kind() == OrgKind::Branch,
            };
            if !ok {
                return Err(StoreError::invalid(
                    "subject_id",
                    format!("{}的申报对象应为{}", honor.label(), if kind == Subject::Unit { "单位" } else { "党支部" }),
                ));
            }
            (o.committee_id, o.name, o.path)
        }
    };
    guarded_eligibility(store, who, &c, committee_id, subject_id, &name, &path).await?;
    let total = core_c::total(&c.criteria()?, points).map_err(|m| StoreError::invalid("points", m))?;
    if evidence.trim().is_empty() {
        return Err(StoreError::invalid("evidence", "请填写事迹材料或佐证"));
    }
    let mut tx = store.db.begin().await?;
    let dup = tx
        .c()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM campaign_applications WHERE committee_id = $1 AND campaign_id = $2 AND subject_id = $3",
            committee_id,
            campaign_id,
            subject_id
        ))
        .await?;
    if dup > 0 {
        return Err(StoreError::Rule(format!("{}已申报", name)));
    }
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO campaign_applications (committee_id, id, campaign_id, subject_id, subject_name, self_points, self_total, evidence, applied_by, applied_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            committee_id, id, campaign_id, subject_id, name.clone(), serde_json::to_string(points).unwrap_or_default(),
            i64::from(total), evidence.trim(), who.username.clone(), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("campaign_apply", "campaign", campaign_id).detail(format!("{name} 自评{total}分")),
    )
    .await?;
    tx.commit().await?;
    application(store, Key::new(committee_id, id)).await
}

/// The eligibility check as a business role meets it. Where the campaign
/// carries the no-sanction condition, a refusal never says which condition
/// failed (a sanction must not be told apart from unpaid dues or the ranking
/// tail), every refusal is audited, and probing is limited to a few
/// refusals a day per person and campaign. Elsewhere the refusal says why.
pub(crate) async fn guarded_eligibility(
    store: &Store,
    who: &Who,
    c: &CampaignRow,
    committee_id: i64,
    subject_id: i64,
    name: &str,
    path: &str,
) -> Result<()> {
    let guarded = c.eligibility()?.contains(&Eligibility::NoSanction);
    if guarded {
        let day_start = today_cn().and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis() - 8 * 3_600_000;
        let refused = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                format!("SELECT COUNT(*) AS v FROM audit_log WHERE username = $1 AND ts_ms >= $2 AND action = 'campaign_apply' \
                 AND outcome = {denied} AND object_type = 'campaign' AND object_id = $3", denied = sql(Outcome::Denied)),
                who.username.clone(),
                day_start,
                c.id.to_string()
            ))
            .await?;
        // The daily limit is security-policy data (`campaign_refusals_per_day`, default 3).
        let limit = store.rule::<xianfeng_core::rules::SecurityPolicy>().await?.campaign_refusals_per_day;
        if refused >= limit {
            store
                .audit(
                    who,
                    Event::ok("campaign_apply", "campaign", c.id)
                        .outcome(Outcome::Denied)
                        .detail("申报受限（当日未通过次数已满）"),
                )
                .await?;
            return Err(StoreError::Rule(format!(
                "今天已有{limit}次申报未通过本次评选的资格检查，请明天再试或联系工委"
            )));
        }
    }
    match check_eligibility(store, c, committee_id, subject_id, name, path).await {
        Err(StoreError::Rule(why)) => {
            store
                .audit(
                    who,
                    Event::ok("campaign_apply", "campaign", c.id).outcome(Outcome::Denied).detail("不符合申报条件"),
                )
                .await?;
            if guarded {
                Err(StoreError::Rule(format!(
                    "{name}不符合本次评选的申报条件（{}），不能申报；如有疑问请联系工委",
                    c.eligibility_text()
                )))
            } else {
                Err(StoreError::Rule(why))
            }
        }
        other => other,
    }
}

/// Checks the campaign's conditions against the records; the refusal says which and why.
pub(crate) async fn check_eligibility(
    store: &Store,
    c: &CampaignRow,
    committee_id: i64,
    subject_id: i64,
    name: &str,
    path: &str,
) -> Result<()> {
    let year = c.year as i32;
    for e in c.eligibility()? {
        match e {
            Eligibility::NotInRankingTail => {
                let root = crate::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
                let (_, rows) = crate::ranking::compute(store, &root, year).await?;
                if let Some(r) = rows.iter().find(|r| r.org_id == subject_id && r.tail) {
                    return Err(StoreError::Rule(format!(
                        "{name}在{year}年排队抓尾中列为末位（第{}名，{:.2}分），不符合申报条件：{}",
                        r.rank,
                        r.score,
                        e.label()
                    )));
                }
            }
            Eligibility::DuesPaidUp => {
                let (from, to) = crate::year_bounds(year)?;
                let unpaid = store
                    .db
                    .r()
                    .fetch_scalar_i64(q!(
                        "SELECT COUNT(*) AS v FROM dues_charges WHERE committee_id = $1 AND member_id = $2 AND month >= $3 AND month < $4 AND paid_fen IS NULL",
                        committee_id,
                        subject_id,
                        from,
                        to
                    ))
                    .await?;
                if unpaid > 0 {
                    return Err(StoreError::Rule(format!(
                        "{name}在{year}年有{unpaid}个月党费未缴，不符合申报条件：{}",
                        e.label()
                    )));
                }
            }
            Eligibility::NoSanction => {
                use crate::discipline::{Subject as S, sanctioned};
                let subject = match c.honor.subject() {
                    Subject::Unit => S::Unit(committee_id),
                    Subject::Member => S::Member(subject_id),
                    Subject::Branch => S::Branch(committee_id, path),
                };
                if sanctioned(store, subject, year).await? {
                    return Err(StoreError::Rule(format!(
                        "{name}在{year}年有党纪政务处分记录，不符合申报条件：{}",
                        e.label()
                    )));
                }
            }
        }
    }
    Ok(())
}

pub(crate) async fn application(store: &Store, key: Key<kinds::Application>) -> Result<ApplicationRow> {
    let (committee_id, id) = (key.committee_id, key.id);
    store.db.r().fetch_one(q!(format!("{APP_FROM} WHERE a.committee_id = $1 AND a.id = $2"), committee_id, id)).await
}

/// The applications of a campaign the caller may see: all of them for the
/// working committee and the panel, else those of subjects in their subtree.
#[tracing::instrument(skip_all)]
pub async fn applications(store: &Store, access: &Access, campaign_id: i64) -> Result<Vec<ApplicationRow>> {
    let mut q = Q::new(format!("{APP_FROM} WHERE a.campaign_id = "));
    q.bind(campaign_id);
    if !access.sees_all() {
        let scope = &access.scope;
        if let Some(c) = scope.committee_id() {
            q.push(" AND a.committee_id = ").bind(c);
        }
        q.push(" AND o.path LIKE ").bind(format!("{}%", scope.path_prefix()));
    }
    q.push(" ORDER BY a.committee_id, a.id");
    store.db.r().fetch_all(q).await
}

/// Every application of a campaign, for computing its results.
pub(crate) async fn all_applications(store: &Store, campaign_id: i64) -> Result<Vec<ApplicationRow>> {
    store
        .db
        .r()
        .fetch_all(q!(format!("{APP_FROM} WHERE a.campaign_id = $1 ORDER BY a.committee_id, a.id"), campaign_id))
        .await
}

/// The working committee closes the applications and the panel starts scoring.
#[tracing::instrument(skip_all)]
pub async fn close_applications(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    campaign_id: i64,
    version: Option<i64>,
) -> Result<CampaignRow> {
    committee(scope)?;
    move_state(
        store,
        who,
        campaign_id,
        core_c::CampaignState::Applying,
        core_c::CampaignState::Reviewing,
        None,
        version,
    )
    .await
}
