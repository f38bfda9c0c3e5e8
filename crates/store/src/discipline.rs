//! Discipline cases (纪检监察) in the store. Every function takes the
//! discipline capability, which only discipline staff hold; the business areas
//! cannot read these rows. Campaign eligibility asks one yes/no question
//! through `sanctioned` and learns nothing else.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use xianfeng_core::auth::DisciplineScope;
use xianfeng_core::discipline::CaseInput;
pub use xianfeng_core::discipline::{CadreRank, CaseKind, Category};
use xianfeng_core::key::{Key, kinds};
use xianfeng_core::org::OrgKind;
use xianfeng_core::text::{now_ms, today_cn};

use crate::audit::{Event, append};
use crate::db::Q;
use crate::org::scope_where;
use crate::{Result, Store, StoreError, Who, year_bounds};
use xianfeng_core::member::MemberStatus;
use xianfeng_core::states::sql;
use xianfeng_core::states::sql_in;

const COLS: &str = "d.committee_id, d.id, d.org_id, o.name AS org_name, COALESCE(u.name, '') AS unit_name, d.member_id, \
    d.person_name, d.cadre_rank, d.kind, d.category, d.decided_on, d.decided_by, d.document_no, d.summary, d.recorded_by, d.recorded_at";
const FROM: &str = " FROM discipline_cases d JOIN orgs o ON o.committee_id = d.committee_id AND o.id = d.org_id \
    LEFT JOIN orgs u ON u.committee_id = d.committee_id AND u.id = d.committee_id";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub committee_id: i64,
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub unit_name: String,
    pub member_id: Option<i64>,
    pub person_name: String,
    pub cadre_rank: CadreRank,
    pub kind: CaseKind,
    pub category: Category,
    pub decided_on: NaiveDate,
    pub decided_by: String,
    pub document_no: String,
    pub summary: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

impl CaseRow {
    /// The row's key: its committee and its id there.
    pub fn key(&self) -> xianfeng_core::key::Key<xianfeng_core::key::kinds::DisciplineCase> {
        xianfeng_core::key::Key::new(self.committee_id, self.id)
    }
}

impl CaseRow {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
    pub fn category_label(&self) -> &'static str {
        self.category.label()
    }
    pub fn rank_label(&self) -> &'static str {
        self.cadre_rank.label()
    }
}

/// Filters of the case list.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CaseFilter {
    pub year: Option<i32>,
    /// A category identifier, or empty for all.
    pub category: String,
    /// Restrict to this unit (its shard key).
    pub unit_id: Option<i64>,
    /// Substring of the person's name.
    pub name: String,
}

fn where_scope(q: &mut Q, scope: &DisciplineScope, f: &CaseFilter) -> Result<()> {
    scope_where(q, scope.orgs(), "o");
    if let Some(y) = f.year {
        let (from, to) = year_bounds(y)?;
        q.push(" AND d.decided_on >= ").bind(from).push(" AND d.decided_on < ").bind(to);
    }
    if !f.category.is_empty() {
        let c = Category::parse(&f.category).ok_or_else(|| StoreError::invalid("category", "类别无效"))?;
        q.push(" AND d.category = ").bind(c.as_str());
    }
    if let Some(u) = f.unit_id {
        q.push(" AND d.committee_id = ").bind(u);
    }
    let name = f.name.trim();
    if !name.is_empty() {
        q.push(" AND d.person_name LIKE ").bind(format!("%{}%", crate::db::like_escape(name))).push(" ESCAPE '\\'");
    }
    Ok(())
}

/// Cases in the staff's subtree, newest decision first, with the total.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &DisciplineScope,
    f: &CaseFilter,
    page: i64,
    per_page: i64,
) -> Result<(Vec<CaseRow>, i64)> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE 1 = 1"));
    where_scope(&mut q, scope, f)?;
    q.push(" ORDER BY d.decided_on DESC, d.id DESC LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
    let rows = store.db.r().fetch_all(q).await?;
    let mut c = Q::new(format!("SELECT COUNT(*) AS v{FROM} WHERE 1 = 1"));
    where_scope(&mut c, scope, f)?;
    let total = store.db.r().fetch_scalar_i64(c).await?;
    Ok((rows, total))
}

/// One case in the staff's subtree; NotFound outside it.
/// One case; every read is audited (who read which case, never its content).
#[tracing::instrument(skip_all)]
pub async fn get(
    store: &Store,
    scope: &DisciplineScope,
    who: &Who,
    key: Key<kinds::DisciplineCase>,
) -> Result<CaseRow> {
    let (committee_id, id) = (key.committee_id, key.id);
    let row = fetch(store, scope, committee_id, id).await?;
    store.audit(who, Event::ok("read", "discipline_case", format!("{committee_id}/{id}"))).await?;
    Ok(row)
}

async fn fetch(store: &Store, scope: &DisciplineScope, committee_id: i64, id: i64) -> Result<CaseRow> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE d.committee_id = "));
    q.bind(committee_id).push(" AND d.id = ").bind(id);
    scope_where(&mut q, scope.orgs(), "o");
    store.db.r().fetch_one(q).await
}

/// A party member the case may concern: (member id, name, branch, birth year).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    /// The member's branch (a case about them is filed there).
    pub org_id: i64,
    pub name: String,
    pub org_name: String,
    pub birth_year: i64,
}

/// Members of that name under the org (inside the staff's subtree), to link a case to.
#[tracing::instrument(skip_all)]
pub async fn candidates(store: &Store, scope: &DisciplineScope, org_id: i64, name: &str) -> Result<Vec<Candidate>> {
    let org = crate::org::get(store.db.r(), scope.orgs(), org_id).await?;
    #[derive(sqlx::FromRow)]
    struct M {
        id: i64,
        org_id: i64,
        name: String,
        org_name: String,
        birth_date: NaiveDate,
    }
    let mut q = Q::new(
        "SELECT m.id, m.org_id, m.name, o.name AS org_name, m.birth_date FROM members m \
         JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id WHERE m.committee_id = ",
    );
    q.bind(org.committee_id)
        .push(" AND o.path LIKE ")
        .bind(format!("{}%", org.path))
        .push(" AND m.name = ")
        .bind(name.trim().to_string())
        .push(&format!(" AND m.status IN {members} ORDER BY o.path, m.id", members = sql_in(&MemberStatus::MEMBERS)));
    let rows: Vec<M> = store.db.r().fetch_all(q).await?;
    use chrono::Datelike;
    Ok(rows
        .into_iter()
        .map(|m| Candidate {
            id: m.id,
            org_id: m.org_id,
            name: m.name,
            org_name: m.org_name,
            birth_year: i64::from(m.birth_date.year()),
        })
        .collect())
}

/// Records a case. With no member chosen, a party member of that name under
/// the org is linked when there is exactly one; with several, the caller is
/// asked to choose (`Invalid` on `member_id`); with none, the person is
/// recorded as a non-member (a public servant).
#[tracing::instrument(skip_all)]
pub async fn create(store: &Store, scope: &DisciplineScope, who: &Who, input: &CaseInput) -> Result<CaseRow> {
    let mut v = input.validate(today_cn())?;
    let org = crate::org::get(store.db.r(), scope.orgs(), v.org_id).await?;
    if org.kind() == OrgKind::WorkingCommittee {
        return Err(StoreError::invalid("org_id", "请选择具体单位或党支部"));
    }
    let found = candidates(store, scope, org.id, &v.person_name).await?;
    let member = match v.member_id {
        Some(id) => Some(
            found
                .iter()
                .find(|c| c.id == id)
                .ok_or_else(|| StoreError::invalid("member_id", "所选党员不在该单位（支部）或姓名不符"))?,
        ),
        None if found.len() == 1 => found.first(),
        None if found.len() > 1 => {
            return Err(StoreError::invalid(
                "member_id",
                format!("{}有{}名党员名为{}，请选择是哪一位", org.name, found.len(), v.person_name),
            ));
        }
        None => None,
    };
    v.member_id = member.map(|m| m.id);
    // A member's case is filed under their own branch.
    let org_id = member.map_or(org.id, |m| m.org_id);
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(crate::q!(
            "INSERT INTO discipline_cases (committee_id, id, org_id, member_id, person_name, cadre_rank, kind, category, decided_on, \
             decided_by, document_no, summary, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            org.committee_id, id, org_id, v.member_id, v.person_name.clone(), v.cadre_rank.as_str(), v.kind.as_str(),
            v.category.as_str(), v.decided_on, v.decided_by.clone(), v.document_no.clone(), v.summary.clone(),
            who.username.clone(), now_ms()
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("discipline_case_create", "discipline_case", id).detail(v.kind.as_str()),
    )
    .await?;
    tx.commit().await?;
    fetch(store, scope, org.committee_id, id).await
}

/// One line of the statistics: a year, a category and a cadre rank with the
/// number of people (a person with two outcomes in a year counts twice, as the
/// statistics count decisions).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StatRow {
    pub year: i64,
    pub category: Category,
    pub cadre_rank: CadreRank,
    pub cases: i64,
}

/// Cases per year, category and cadre rank in the staff's subtree, for the years given.
#[tracing::instrument(skip_all)]
pub async fn stats(store: &Store, scope: &DisciplineScope, from_year: i32, to_year: i32) -> Result<Vec<StatRow>> {
    let (from, _) = year_bounds(from_year)?;
    let (_, to) = year_bounds(to_year)?;
    #[derive(sqlx::FromRow)]
    struct Decided {
        decided_on: NaiveDate,
        category: Category,
        cadre_rank: CadreRank,
    }
    // Years are bucketed here rather than with an engine-specific date function.
    let mut q = Q::new(format!("SELECT d.decided_on, d.category, d.cadre_rank{FROM} WHERE d.decided_on >= "));
    q.bind(from).push(" AND d.decided_on < ").bind(to);
    scope_where(&mut q, scope.orgs(), "o");
    let rows: Vec<Decided> = store.db.r().fetch_all(q).await?;
    let mut counts: std::collections::BTreeMap<(i64, Category, CadreRank), i64> = Default::default();
    for r in rows {
        use chrono::Datelike;
        *counts.entry((i64::from(r.decided_on.year()), r.category, r.cadre_rank)).or_default() += 1;
    }
    Ok(counts
        .into_iter()
        .map(|((year, category, cadre_rank), cases)| StatRow { year, category, cadre_rank, cases })
        .collect())
}

/// Whom a campaign condition asks about.
pub(crate) enum Subject<'a> {
    Unit(i64),
    /// A branch by its unit and path.
    Branch(i64, &'a str),
    Member(i64),
}

/// Whether a party or government sanction (not a handling) was decided in the
/// year on the subject. A member is asked across units (a case stays with the
/// unit that decided it, the member may have moved since).
pub(crate) async fn sanctioned(store: &Store, subject: Subject<'_>, year: i32) -> Result<bool> {
    let (from, to) = year_bounds(year)?;
    let mut q = Q::new(format!("SELECT COUNT(*) AS v{FROM} WHERE d.category <> 'handling' AND d.decided_on >= "));
    q.bind(from).push(" AND d.decided_on < ").bind(to);
    match subject {
        Subject::Unit(c) => {
            q.push(" AND d.committee_id = ").bind(c);
        }
        Subject::Branch(c, path) => {
            q.push(" AND d.committee_id = ").bind(c).push(" AND o.path LIKE ").bind(format!("{path}%"));
        }
        Subject::Member(m) => {
            q.push(" AND d.member_id = ").bind(m);
        }
    }
    Ok(store.db.r().fetch_scalar_i64(q).await? > 0)
}

/// The orgs a case can be filed under: the units of the staff's subtree, or,
/// for staff of one unit, that unit and its branches. (id, name)
#[tracing::instrument(skip_all)]
pub async fn orgs(store: &Store, scope: &DisciplineScope) -> Result<Vec<(i64, String)>> {
    let mut q = Q::new("SELECT o.id, o.name FROM orgs o WHERE o.active = TRUE");
    scope_where(&mut q, scope.orgs(), "o");
    if scope.orgs().committee_id().is_none() {
        q.push(&format!(" AND o.kind = {unit}", unit = sql(OrgKind::Unit)));
    } else {
        q.push(&format!(" AND o.kind <> {group}", group = sql(OrgKind::Group)));
    }
    q.push(" ORDER BY o.path");
    store.db.r().fetch_all(q).await
}
