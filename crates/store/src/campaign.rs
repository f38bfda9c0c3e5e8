//! Campaigns (评选) in the store: the working committee defines a campaign;
//! the subjects' units apply with a self-assessment and evidence; reviewers
//! score each criterion (never their own unit); results are the trimmed means
//! under the quotas and the stated tie rule; publicity takes objections, each
//! closed with a finding; naming writes the honors register; an honor can be
//! revoked. Results are recomputed from the stored scores at every step.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use xianfeng_core::auth::{MemberScope, OrgScope};
use xianfeng_core::campaign::{self as core_c, Criterion, Eligibility, Entry, Honor, Subject, Tier};
use xianfeng_core::org::OrgKind;
use xianfeng_core::text::{now_ms, today_cn};

use crate::audit::{Event, append};
use crate::db::Q;
use crate::{Result, Store, StoreError, Who, q};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub honor: String,
    pub year: i64,
    pub title: String,
    pub criteria: String,
    pub tiers: String,
    pub eligibility: String,
    pub state: String,
    pub apply_until: NaiveDate,
    pub notice_from: Option<NaiveDate>,
    pub notice_to: Option<NaiveDate>,
    pub version: i64,
}

impl CampaignRow {
    pub fn honor(&self) -> Result<Honor> {
        Honor::parse(&self.honor).ok_or_else(|| StoreError::Rule("荣誉类型无效".into()))
    }
    pub fn criteria(&self) -> Result<Vec<Criterion>> {
        serde_json::from_str(&self.criteria).map_err(|e| StoreError::Rule(e.to_string()))
    }
    pub fn tiers(&self) -> Result<Vec<Tier>> {
        serde_json::from_str(&self.tiers).map_err(|e| StoreError::Rule(e.to_string()))
    }
    pub fn eligibility(&self) -> Vec<Eligibility> {
        serde_json::from_str::<Vec<String>>(&self.eligibility)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Eligibility::parse(e))
            .collect()
    }
    pub fn eligibility_text(&self) -> String {
        let v: Vec<&str> = self.eligibility().iter().map(|e| e.label()).collect();
        if v.is_empty() { "无".into() } else { v.join("；") }
    }
    /// The campaign's state, None for a value no version of the platform wrote.
    pub fn phase(&self) -> Option<core_c::CampaignState> {
        core_c::CampaignState::parse(&self.state)
    }
    pub fn state_label(&self) -> &'static str {
        self.phase().map(|s| s.label()).unwrap_or("状态未知")
    }
    /// Applications may be closed (the committee's next step).
    pub fn can_close(&self) -> bool {
        self.phase() == Some(core_c::CampaignState::Applying)
    }
    /// Results may be put to 公示.
    pub fn can_publish(&self) -> bool {
        self.phase() == Some(core_c::CampaignState::Reviewing)
    }
    /// Honors may be named once 公示 has run.
    pub fn can_name(&self) -> bool {
        self.phase() == Some(core_c::CampaignState::Publicity)
    }
}

const CAMPAIGN_COLS: &str =
    "id, honor, year, title, criteria, tiers, eligibility, state, apply_until, notice_from, notice_to, version";

/// The working committee's capability over campaigns: its whole-tree scope.
fn committee(scope: &OrgScope) -> Result<()> {
    if scope.is_whole_tree() && scope.can_write() { Ok(()) } else { Err(StoreError::Forbidden) }
}

pub async fn get(store: &Store, id: i64) -> Result<CampaignRow> {
    store.db.r().fetch_one(q!(format!("SELECT {CAMPAIGN_COLS} FROM campaigns WHERE id = $1"), id)).await
}

pub async fn list(store: &Store) -> Result<Vec<CampaignRow>> {
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'applying', $8, $9, $10, $11)",
            id, honor.as_str(), i64::from(input.year), title.clone(),
            serde_json::to_string(&criteria).unwrap_or_default(), serde_json::to_string(&tiers).unwrap_or_default(),
            eligibility_json, apply_until, who.username.clone(), now, now
        ))
        .await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("campaign_create", "campaign", id).detail(title)).await?;
    tx.commit().await?;
    get(store, id).await
}

/// Names the panel: (user id, the reviewer's own unit, name).
pub async fn set_reviewers(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    campaign_id: i64,
    reviewers: &[(i64, Option<i64>, String)],
) -> Result<()> {
    committee(scope)?;
    let c = get(store, campaign_id).await?;
    if c.state == "named" {
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

/// Applications with their subject's place in the tree: a member subject's
/// branch, else the subject org itself (ids are unique across the tree and members).
const APP_FROM: &str = "SELECT a.committee_id, a.id, a.campaign_id, a.subject_id, a.subject_name, a.self_points, a.self_total, \
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
    committee: bool,
    /// For a member of the panel: their own unit, which they may not score.
    reviewer: Option<Option<i64>>,
    scope: OrgScope,
}

impl Access {
    pub fn is_committee(&self) -> bool {
        self.committee
    }
    /// For a reviewer of the campaign: their own unit (which they may not score).
    pub fn reviewer_unit(&self) -> Option<Option<i64>> {
        self.reviewer
    }
    fn sees_all(&self) -> bool {
        self.committee || self.reviewer.is_some()
    }
    fn covers(&self, a: &ApplicationRow) -> bool {
        self.sees_all()
            || (self.scope.committee_id().is_none_or(|c| c == a.committee_id)
                && a.subject_path.as_deref().is_some_and(|p| self.scope.contains(p)))
    }
}

/// The campaign and the caller's access to it (reviewers are the campaign's panel).
pub async fn access(store: &Store, scope: &OrgScope, user_id: i64, campaign_id: i64) -> Result<(CampaignRow, Access)> {
    let c = get(store, campaign_id).await?;
    let reviewer = reviewers(store, campaign_id).await?.into_iter().find(|r| r.0 == user_id).map(|r| r.1);
    Ok((c, Access { committee: committee(scope).is_ok(), reviewer, scope: scope.clone() }))
}

/// A subject's unit applies with a self-assessment per criterion and evidence.
pub async fn apply(
    store: &Store,
    scope: &MemberScope,
    who: &Who,
    campaign_id: i64,
    subject_id: i64,
    points: &[u32],
    evidence: &str,
) -> Result<ApplicationRow> {
    if !scope.can_write() {
        return Err(StoreError::Forbidden);
    }
    let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::Forbidden) };
    let c = get(store, campaign_id).await?;
    if c.state != "applying" || today_cn() > c.apply_until {
        return Err(StoreError::Rule(format!("{}已截止申报（{}）", c.title, c.apply_until)));
    }
    let honor = c.honor()?;
    let (committee_id, name, path) = match honor.subject() {
        Subject::Member => {
            let m = crate::member::get(store, scope, subject_id).await?;
            if m.status != "full" && m.status != "probationary" {
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
    application(store, committee_id, id).await
}

/// The eligibility check as a business role meets it. Where the campaign
/// carries the no-sanction condition, a refusal never says which condition
/// failed (a sanction must not be told apart from unpaid dues or the ranking
/// tail), every refusal is audited, and probing is limited to a few
/// refusals a day per person and campaign. Elsewhere the refusal says why.
async fn guarded_eligibility(
    store: &Store,
    who: &Who,
    c: &CampaignRow,
    committee_id: i64,
    subject_id: i64,
    name: &str,
    path: &str,
) -> Result<()> {
    let guarded = c.eligibility().contains(&Eligibility::NoSanction);
    if guarded {
        let day_start = today_cn().and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis() - 8 * 3_600_000;
        let refused = store
            .db
            .r()
            .fetch_scalar_i64(q!(
                "SELECT COUNT(*) AS v FROM audit_log WHERE username = $1 AND ts_ms >= $2 AND action = 'campaign_apply' \
                 AND outcome = 'denied' AND object_type = 'campaign' AND object_id = $3",
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
                        .outcome("denied")
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
                .audit(who, Event::ok("campaign_apply", "campaign", c.id).outcome("denied").detail("不符合申报条件"))
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
async fn check_eligibility(
    store: &Store,
    c: &CampaignRow,
    committee_id: i64,
    subject_id: i64,
    name: &str,
    path: &str,
) -> Result<()> {
    let year = c.year as i32;
    for e in c.eligibility() {
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
                let subject = match c.honor()?.subject() {
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

async fn application(store: &Store, committee_id: i64, id: i64) -> Result<ApplicationRow> {
    store.db.r().fetch_one(q!(format!("{APP_FROM} WHERE a.committee_id = $1 AND a.id = $2"), committee_id, id)).await
}

/// The applications of a campaign the caller may see: all of them for the
/// working committee and the panel, else those of subjects in their subtree.
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
async fn all_applications(store: &Store, campaign_id: i64) -> Result<Vec<ApplicationRow>> {
    store
        .db
        .r()
        .fetch_all(q!(format!("{APP_FROM} WHERE a.campaign_id = $1 ORDER BY a.committee_id, a.id"), campaign_id))
        .await
}

/// The working committee closes the applications and the panel starts scoring.
pub async fn close_applications(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    campaign_id: i64,
    version: Option<i64>,
) -> Result<CampaignRow> {
    committee(scope)?;
    move_state(store, who, campaign_id, "applying", "reviewing", None, version).await
}

/// Refuses a change made on another version than the one the person saw
/// (pages and the API always say which); the write takes the version again
/// inside its transaction.
fn expect_version(c: &CampaignRow, version: Option<i64>) -> Result<()> {
    if version.is_some_and(|v| v != c.version) { Err(StoreError::Stale) } else { Ok(()) }
}

async fn move_state(
    store: &Store,
    who: &Who,
    id: i64,
    from: &str,
    to: &str,
    notice: Option<(NaiveDate, NaiveDate)>,
    version: Option<i64>,
) -> Result<CampaignRow> {
    let c = get(store, id).await?;
    expect_version(&c, version)?;
    if c.state != from {
        return Err(StoreError::Rule(format!("评选当前{}，不能进行此操作", c.state_label())));
    }
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "UPDATE campaigns SET state = $1, notice_from = COALESCE($2, notice_from), notice_to = COALESCE($3, notice_to), \
             updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6",
            to, notice.map(|n| n.0), notice.map(|n| n.1), now_ms(), id, c.version
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Stale);
    }
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("campaign_state", "campaign", id).detail(format!("{from} → {to}")),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

/// A reviewer scores every criterion of one application; never their own unit's.
pub async fn score(
    store: &Store,
    who: &Who,
    reviewer_id: i64,
    committee_id: i64,
    application_id: i64,
    points: &[u32],
) -> Result<u32> {
    let a = application(store, committee_id, application_id).await?;
    let c = get(store, a.campaign_id).await?;
    if c.state != "reviewing" {
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
            reviewer_id
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
            a.committee_id, a.id, reviewer_id, serde_json::to_string(points).unwrap_or_default(), i64::from(total), now_ms()
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
pub async fn results(store: &Store, access: &Access, campaign_id: i64) -> Result<Vec<ResultRow>> {
    let c = get(store, campaign_id).await?;
    let public = matches!(c.state.as_str(), "publicity" | "named");
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
async fn compute_results(store: &Store, c: &CampaignRow) -> Result<Vec<ResultRow>> {
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
    if compute_results(store, &get(store, campaign_id).await?).await?.iter().all(|r| r.score.is_none()) {
        return Err(StoreError::Rule("还没有评分，不能公示".into()));
    }
    move_state(store, who, campaign_id, "reviewing", "publicity", Some((from, to)), version).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ObjectionRow {
    pub committee_id: i64,
    pub id: i64,
    pub application_id: i64,
    pub text: String,
    pub filed_by: String,
    pub filed_at: i64,
    pub state: String,
    pub finding: String,
}

/// Anyone whose scope holds the subject's unit objects during the notice period.
pub async fn object(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    committee_id: i64,
    application_id: i64,
    text: &str,
) -> Result<ObjectionRow> {
    if scope.committee_id().is_some_and(|c| c != committee_id) {
        return Err(StoreError::NotFound);
    }
    let a = application(store, committee_id, application_id).await?;
    let c = get(store, a.campaign_id).await?;
    let today = today_cn();
    let open =
        c.state == "publicity" && c.notice_from.is_some_and(|f| f <= today) && c.notice_to.is_some_and(|t| today <= t);
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open')",
            committee_id, id, c.id, a.id, text.trim(), who.username.clone(), now_ms()
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
pub async fn objections(store: &Store, access: &Access, campaign_id: i64) -> Result<Vec<ObjectionRow>> {
    if !access.is_committee() {
        return Err(StoreError::Forbidden);
    }
    all_objections(store, campaign_id).await
}

async fn all_objections(store: &Store, campaign_id: i64) -> Result<Vec<ObjectionRow>> {
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
pub async fn close_objection(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    committee_id: i64,
    objection_id: i64,
    upheld: bool,
    finding: &str,
) -> Result<()> {
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
    if o.state != "open" {
        return Err(StoreError::Rule("该异议已办结".into()));
    }
    tx.c()
        .execute(q!(
            "UPDATE campaign_objections SET state = $1, finding = $2, closed_by = $3, closed_at = $4 WHERE committee_id = $5 AND id = $6",
            if upheld { "upheld" } else { "dismissed" }, finding.trim(), who.username.clone(), now_ms(), committee_id, objection_id
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
    pub named_on: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
    pub revoked_reason: String,
}

/// After the notice period, with every objection closed, the working committee
/// names the results: each application within a tier enters the honors register.
pub async fn name(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    campaign_id: i64,
    version: Option<i64>,
) -> Result<Vec<HonorRow>> {
    committee(scope)?;
    let c = get(store, campaign_id).await?;
    expect_version(&c, version)?;
    if c.state != "publicity" {
        return Err(StoreError::Rule(format!("评选当前{}，公示后方可命名", c.state_label())));
    }
    let today = today_cn();
    if c.notice_to.is_some_and(|t| today <= t) {
        return Err(StoreError::Rule(format!(
            "公示期至 {}，期满后方可命名",
            c.notice_to.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    if all_objections(store, campaign_id).await?.iter().any(|o| o.state == "open") {
        return Err(StoreError::Rule("还有未办结的异议".into()));
    }
    let results = compute_results(store, &c).await?;
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "UPDATE campaigns SET state = 'named', updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3",
            now_ms(), campaign_id, c.version
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Stale);
    }
    let mut named = 0;
    for r in results.iter().filter(|r| r.tier.is_some()) {
        let id = tx.alloc_id().await?;
        let a = &r.application;
        tx.c()
            .execute(q!(
                "INSERT INTO honors (committee_id, id, campaign_id, application_id, honor, tier_name, year, subject_id, subject_name, named_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                a.committee_id, id, campaign_id, a.id, c.honor.clone(), r.tier.clone().unwrap_or_default(), c.year,
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

/// The honors register in scope (one campaign, or all).
pub async fn honors(store: &Store, scope: &OrgScope, campaign_id: Option<i64>) -> Result<Vec<HonorRow>> {
    let mut q = Q::new(
        "SELECT committee_id, id, campaign_id, honor, tier_name, year, subject_id, subject_name, named_on, revoked_on, revoked_reason \
         FROM honors WHERE 1 = 1",
    );
    if let Some(c) = scope.committee_id() {
        q.push(" AND committee_id = ").bind(c);
    }
    if let Some(id) = campaign_id {
        q.push(" AND campaign_id = ").bind(id);
    }
    q.push(" ORDER BY year DESC, campaign_id, tier_name, subject_name");
    store.db.r().fetch_all(q).await
}

/// Revokes an honor (摘牌) with a reason; the register keeps it, marked.
pub async fn revoke(
    store: &Store,
    scope: &OrgScope,
    who: &Who,
    committee_id: i64,
    honor_id: i64,
    reason: &str,
) -> Result<()> {
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

/// The reviewers of a campaign: (user id, unit, name).
pub async fn reviewers(store: &Store, campaign_id: i64) -> Result<Vec<(i64, Option<i64>, String)>> {
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
pub async fn my_scores(store: &Store, campaign_id: i64, reviewer_id: i64) -> Result<HashMap<(i64, i64), i64>> {
    let rows: Vec<(i64, i64, i64)> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT s.committee_id, s.application_id, s.total FROM campaign_scores s JOIN campaign_applications a \
             ON a.committee_id = s.committee_id AND a.id = s.application_id WHERE a.campaign_id = $1 AND s.reviewer_id = $2",
            campaign_id,
            reviewer_id
        ))
        .await?;
    Ok(rows.into_iter().map(|(c, a, t)| ((c, a), t)).collect())
}

/// The honors of one subject (a unit, branch or member the caller has already
/// loaded in scope), newest first, as "2023年模范机关（标兵单位）".
pub async fn honors_of(store: &Store, committee_id: i64, subject_id: i64) -> Result<Vec<String>> {
    let rows: Vec<HonorRow> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT committee_id, id, campaign_id, honor, tier_name, year, subject_id, subject_name, named_on, revoked_on, revoked_reason \
             FROM honors WHERE committee_id = $1 AND subject_id = $2 ORDER BY year DESC, id DESC",
            committee_id,
            subject_id
        ))
        .await?;
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
