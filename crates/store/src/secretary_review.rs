//! Secretaries' annual review (书记抓党建述职评议): the working committee opens
//! a year's review; each unit submits its party secretary's report (written or
//! in person); participants rate each report 好/较好/一般/差 once; results per
//! secretary with counts and rates. The committee closes the review.

use serde::Serialize;
use xianfeng_core::auth::{Myself, OrgScope};
pub use xianfeng_core::campaign::{Rating, ReportMode, ReviewState};
use xianfeng_core::key::{Key, kinds};
use xianfeng_core::org::OrgKind;
use xianfeng_core::text::now_ms;

use crate::audit::{Event, append};
use crate::{Result, Store, StoreError, Who, q};
use xianfeng_core::auth::OrgWrite;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub state: ReviewState,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportResult {
    pub committee_id: i64,
    pub id: i64,
    pub unit_name: String,
    pub secretary: String,
    pub mode: ReportMode,
    pub report: String,
    /// Ratings 好, 较好, 一般, 差.
    pub counts: [i64; 4],
    pub total: i64,
}

impl ReportResult {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::Report> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

impl ReportResult {
    /// Share rated 好, and rated 好 or 较好 ("—" without ratings).
    pub fn good_rate(&self) -> String {
        if self.total == 0 {
            "—".into()
        } else {
            format!("{:.1}%", self.counts[0] as f64 * 100.0 / self.total as f64)
        }
    }
    pub fn satisfied_rate(&self) -> String {
        if self.total == 0 {
            "—".into()
        } else {
            format!("{:.1}%", (self.counts[0] + self.counts[1]) as f64 * 100.0 / self.total as f64)
        }
    }
    pub fn mode_label(&self) -> &'static str {
        self.mode.label()
    }
}

fn committee(scope: &OrgScope) -> Result<()> {
    if scope.is_whole_tree() && scope.can_write() { Ok(()) } else { Err(StoreError::Forbidden) }
}

/// Every review, newest year first (any business role).
#[tracing::instrument(skip_all)]
pub async fn list(store: &Store, _reader: &OrgScope) -> Result<Vec<ReviewRow>> {
    store.db.r().fetch_all(q!("SELECT id, year, title, state FROM secretary_reviews ORDER BY year DESC, id DESC")).await
}

/// One review (any business role).
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, _reader: &OrgScope, id: i64) -> Result<ReviewRow> {
    row(store, id).await
}

/// The row behind an operation that has already checked its capability.
async fn row(store: &Store, id: i64) -> Result<ReviewRow> {
    store.db.r().fetch_one(q!("SELECT id, year, title, state FROM secretary_reviews WHERE id = $1", id)).await
}

/// The working committee opens a year's review.
#[tracing::instrument(skip_all)]
pub async fn open(store: &Store, scope: &OrgScope, who: &Who, year: i32) -> Result<ReviewRow> {
    committee(scope)?;
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let title = format!("{year}年度书记抓基层党建工作述职评议");
    tx.c()
        .execute(q!(
            "INSERT INTO secretary_reviews (id, year, title, state, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            id, i64::from(year), title.clone(), ReviewState::Open.as_str(), who.username.clone(), now_ms()
        ))
        .await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("secretary_review", "review", id).detail(title)).await?;
    tx.commit().await?;
    row(store, id).await
}

/// A unit (in scope) submits its secretary's report.
#[tracing::instrument(skip_all)]
pub async fn submit(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    review_id: i64,
    unit_id: i64,
    secretary: &str,
    mode: &str,
    report: &str,
) -> Result<()> {
    let r = row(store, review_id).await?;
    if r.state != ReviewState::Open {
        return Err(StoreError::Rule("述职评议已结束".into()));
    }
    let unit = crate::org::get(store.db.r(), scope, unit_id).await?;
    if unit.kind() != OrgKind::Unit {
        return Err(StoreError::invalid("unit_id", "述职以单位为单位"));
    }
    let mut errs = Vec::new();
    if secretary.trim().is_empty() {
        errs.push(xianfeng_core::FieldError::new("secretary", "请填写述职的党组织书记姓名"));
    }
    let parsed_mode = ReportMode::parse(mode);
    if parsed_mode.is_none() {
        errs.push(xianfeng_core::FieldError::new("mode", "请选择书面述职或现场述职"));
    }
    if report.trim().chars().count() < 20 {
        errs.push(xianfeng_core::FieldError::new("report", "述职报告不少于20字"));
    }
    let Some(mode) = parsed_mode.filter(|_| errs.is_empty()) else {
        return Err(StoreError::Invalid(errs));
    };
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM secretary_reports WHERE committee_id = $1 AND review_id = $2",
            unit.committee_id,
            review_id
        ))
        .await?;
    if n > 0 {
        return Err(StoreError::Rule(format!("{}已提交述职报告", unit.name)));
    }
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO secretary_reports (committee_id, id, review_id, secretary, mode, report, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            unit.committee_id, id, review_id, secretary.trim(), mode.as_str(), report.trim(), who.username.clone(), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("secretary_report", "review", review_id).detail(unit.name.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A participant rates a report once (a second rating replaces the first while the review is open).
#[tracing::instrument(skip_all)]
pub async fn rate(
    store: &Store,
    who: &Who,
    me: &Myself,
    review_id: i64,
    report: Key<kinds::Report>,
    rating: &str,
) -> Result<()> {
    let (committee_id, report_id) = (report.committee_id, report.id);
    let r = row(store, review_id).await?;
    if r.state != ReviewState::Open {
        return Err(StoreError::Rule("述职评议已结束".into()));
    }
    let rating = Rating::parse(rating).ok_or_else(|| StoreError::invalid("rating", "请选择好、较好、一般或差"))?;
    let exists = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM secretary_reports WHERE committee_id = $1 AND id = $2 AND review_id = $3",
            committee_id,
            report_id,
            review_id
        ))
        .await?;
    if exists == 0 {
        return Err(StoreError::NotFound);
    }
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO secretary_ratings (committee_id, report_id, rater_id, rating, rated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (committee_id, report_id, rater_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at",
            committee_id, report_id, me.user_id(), rating.as_str(), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("secretary_rating", "review", review_id).detail(rating.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The committee closes the review; ratings stop.
#[tracing::instrument(skip_all)]
pub async fn close(store: &Store, scope: &OrgScope, who: &Who, review_id: i64) -> Result<()> {
    committee(scope)?;
    let mut tx = store.db.begin().await?;
    let n = tx
        .c()
        .execute(q!(
            "UPDATE secretary_reviews SET state = $1 WHERE id = $2 AND state = $3",
            ReviewState::Closed.as_str(),
            review_id,
            ReviewState::Open.as_str()
        ))
        .await?;
    if n != 1 {
        return Err(StoreError::Rule("述职评议已结束".into()));
    }
    append(&mut tx, &store.keys.audit_key, who, Event::ok("secretary_review_close", "review", review_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Every report of a review with its ratings counted.
#[tracing::instrument(skip_all)]
pub async fn results(store: &Store, _reader: &OrgScope, review_id: i64) -> Result<Vec<ReportResult>> {
    #[derive(sqlx::FromRow)]
    struct Rp {
        committee_id: i64,
        id: i64,
        unit_name: String,
        secretary: String,
        mode: ReportMode,
        report: String,
    }
    let reports: Vec<Rp> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT r.committee_id, r.id, u.name AS unit_name, r.secretary, r.mode, r.report FROM secretary_reports r \
             JOIN orgs u ON u.committee_id = r.committee_id AND u.id = r.committee_id WHERE r.review_id = $1 ORDER BY u.name",
            review_id
        ))
        .await?;
    let counts: Vec<(i64, i64, Rating, i64)> = store
        .db
        .r()
        .fetch_all(q!(
            "SELECT g.committee_id, g.report_id, g.rating, COUNT(*) AS n FROM secretary_ratings g JOIN secretary_reports r \
             ON r.committee_id = g.committee_id AND r.id = g.report_id WHERE r.review_id = $1 GROUP BY 1, 2, 3",
            review_id
        ))
        .await?;
    Ok(reports
        .into_iter()
        .map(|r| {
            let mut c = [0i64; 4];
            for (cid, rid, rating, n) in &counts {
                if *cid == r.committee_id
                    && *rid == r.id
                    && let Some(i) = Rating::ALL.iter().position(|k| k == rating)
                {
                    c[i] += n;
                }
            }
            ReportResult {
                committee_id: r.committee_id,
                id: r.id,
                unit_name: r.unit_name,
                secretary: r.secretary,
                mode: r.mode,
                report: r.report,
                total: c.iter().sum(),
                counts: c,
            }
        })
        .collect())
}
