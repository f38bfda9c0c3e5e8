//! Org health: warnings, elections due, branch alerts, statistics; the root.
//! Head counts come from the member count rollup (`member::counts`), never a
//! count over the members themselves.

use super::*;

/// An org's head counts, rule warnings and election status.
#[derive(Debug, Clone, Serialize)]
pub struct OrgHealth {
    pub counts: BranchCounts,
    pub warnings: Vec<OrgWarning>,
    pub term: TermStatus,
    pub term_label: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StatusCount {
    pub(crate) status: MemberStatus,
    pub(crate) n: i64,
}

#[tracing::instrument(skip_all)]
pub async fn health(store: &Store, org: &OrgRow) -> Result<OrgHealth> {
    // The working committee spans every member; any other org lives in one shard.
    let q = if org.kind() == OrgKind::WorkingCommittee {
        q!("SELECT m.status, CAST(SUM(m.n) AS BIGINT) AS n FROM member_unit_counts m GROUP BY m.status")
    } else {
        q!(
            "SELECT m.status, CAST(SUM(m.n) AS BIGINT) AS n FROM member_counts m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
             WHERE o.path LIKE $1 AND m.committee_id = $2 GROUP BY m.status",
            format!("{}%", org.path),
            org.committee_id
        )
    };
    let rows: Vec<StatusCount> = store.db.r().fetch_all(q).await?;
    let get = |s: MemberStatus| rows.iter().find(|r| r.status == s).map(|r| r.n).unwrap_or(0);
    let committee_members = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            format!(
                "SELECT COUNT(*) AS v FROM org_posts WHERE committee_id = $1 AND org_id = $2 AND post NOT IN {}",
                sql_in(&Post::OFF_COMMITTEE)
            ),
            org.committee_id,
            org.id
        ))
        .await?;
    let counts = BranchCounts {
        full: get(MemberStatus::Full),
        probationary: get(MemberStatus::Probationary),
        members: get(MemberStatus::Full) + get(MemberStatus::Probationary),
        committee_members,
    };
    let rules: OrgRules = store.rule().await?;
    let warnings = if org.kind() == OrgKind::Branch && org.active {
        core_org::branch_warnings(counts, &rules)
    } else {
        Vec::new()
    };
    let term = if org.kind().has_term() && org.active {
        core_org::term_status(org.term_end, xianfeng_core::text::today_cn(), &rules)
    } else {
        TermStatus::Unknown
    };
    let term_label = term.label();
    Ok(OrgHealth { counts, warnings, term, term_label })
}

/// Orgs in scope whose term ends within the warning window or has ended,
/// the soonest first: one page and how many there are.
#[tracing::instrument(skip_all)]
pub async fn elections_due(store: &Store, scope: &OrgScope, page: i64, per_page: i64) -> Result<crate::Page<OrgRow>> {
    let rules: OrgRules = store.rule().await?;
    let horizon = xianfeng_core::text::today_cn() + chrono::Days::new(rules.election_due_soon_days as u64);
    let mut q = Q::new(format!(
        "SELECT {COLS} FROM orgs o WHERE o.active = TRUE AND o.term_end IS NOT NULL AND o.term_end <= "
    ));
    q.bind(horizon);
    scope_where(&mut q, scope, "o");
    crate::fetch_page(store, q, "term_end, id", page, per_page).await
}

/// How many orgs in scope are past their term (换届逾期) and how many come to
/// the end of it within the warning window: the home page and the month's
/// page say the same.
#[derive(Debug, Clone, Copy, Default, Serialize, sqlx::FromRow)]
pub struct ElectionCounts {
    pub overdue: i64,
    pub soon: i64,
}

#[tracing::instrument(skip_all)]
pub async fn election_counts(store: &Store, scope: &OrgScope) -> Result<ElectionCounts> {
    let rules: OrgRules = store.rule().await?;
    let today = xianfeng_core::text::today_cn();
    let horizon = today + chrono::Days::new(rules.election_due_soon_days as u64);
    let mut q = Q::new(
        "SELECT CAST(COALESCE(SUM(CASE WHEN o.term_end < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
         CAST(COALESCE(SUM(CASE WHEN o.term_end >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS soon \
         FROM orgs o WHERE o.active = TRUE AND o.term_end IS NOT NULL AND o.term_end <= $2",
    )
    .arg(today)
    .arg(horizon);
    scope_where(&mut q, scope, "o");
    store.db.r().fetch_one(q).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BranchCountRow {
    pub id: i64,
    pub name: String,
    pub full: i64,
    pub members: i64,
}

/// Branches in scope breaking the organization rules: too few full members,
/// a committee missing, too many members. Returns the total and the first `limit`.
/// How many branches in scope have a warning, and the first of them with theirs.
pub type BranchAlerts = (i64, Vec<(BranchCountRow, Vec<OrgWarning>)>);

#[tracing::instrument(skip_all)]
pub async fn branch_alerts(store: &Store, scope: &OrgScope, limit: i64) -> Result<BranchAlerts> {
    let rules: OrgRules = store.rule().await?;
    // Branches in scope, then member counts per org straight from the members
    // index (no join), merged here: one pass over each table.
    #[derive(sqlx::FromRow)]
    struct Branch {
        id: i64,
        name: String,
    }
    let mut q = Q::new(format!(
        "SELECT o.id, o.name FROM orgs o WHERE o.kind = {branch} AND o.active = TRUE",
        branch = sql(OrgKind::Branch)
    ));
    scope_where(&mut q, scope, "o");
    q.push(" ORDER BY o.id");
    let branches: Vec<Branch> = store.db.r().fetch_all(q).await?;
    #[derive(sqlx::FromRow)]
    struct Counts {
        org_id: i64,
        full: i64,
        members: i64,
    }
    let mut q = Q::new(format!(
        "SELECT m.org_id, CAST(SUM(CASE WHEN m.status = {} THEN m.n ELSE 0 END) AS BIGINT) AS full, \
         CAST(SUM(m.n) AS BIGINT) AS members FROM member_counts m WHERE m.status IN {}",
        sql(MemberStatus::Full),
        sql_in(&MemberStatus::MEMBERS)
    ));
    if let Some(c) = scope.committee_id() {
        q.push(" AND m.committee_id = ").bind(c);
    }
    q.push(" GROUP BY m.committee_id, m.org_id");
    let counts: std::collections::HashMap<i64, (i64, i64)> =
        store.db.r().fetch_all::<Counts>(q).await?.into_iter().map(|c| (c.org_id, (c.full, c.members))).collect();
    let rows: Vec<BranchCountRow> = branches
        .into_iter()
        .map(|b| {
            let (full, members) = counts.get(&b.id).copied().unwrap_or((0, 0));
            BranchCountRow { id: b.id, name: b.name, full, members }
        })
        .collect();
    // Committee members (posts other than the secretary and group leaders) per branch.
    #[derive(sqlx::FromRow)]
    struct PostCount {
        org_id: i64,
        n: i64,
    }
    // Posts of other orgs in the shard are counted too but never looked up.
    let mut q = Q::new(format!(
        "SELECT p.org_id, COUNT(*) AS n FROM org_posts p WHERE p.post NOT IN {}",
        sql_in(&Post::OFF_COMMITTEE)
    ));
    if let Some(c) = scope.committee_id() {
        q.push(" AND p.committee_id = ").bind(c);
    }
    q.push(" GROUP BY p.committee_id, p.org_id");
    let posts: std::collections::HashMap<i64, i64> =
        store.db.r().fetch_all::<PostCount>(q).await?.into_iter().map(|p| (p.org_id, p.n)).collect();
    let flagged: Vec<(BranchCountRow, Vec<OrgWarning>)> = rows
        .into_iter()
        .filter_map(|r| {
            let counts = BranchCounts {
                full: r.full,
                probationary: r.members - r.full,
                members: r.members,
                committee_members: posts.get(&r.id).copied().unwrap_or(0),
            };
            let w = core_org::branch_warnings(counts, &rules);
            (!w.is_empty()).then_some((r, w))
        })
        .collect();
    let total = flagged.len() as i64;
    Ok((total, flagged.into_iter().take(limit.max(0) as usize).collect()))
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ScopeStats {
    pub units: i64,
    pub branches: i64,
    pub members: i64,
    pub full: i64,
    pub probationary: i64,
    pub pipeline: i64,
}

/// Key numbers for a scope (home pages).
#[tracing::instrument(skip_all)]
pub async fn stats(store: &Store, scope: &OrgScope) -> Result<ScopeStats> {
    #[derive(sqlx::FromRow)]
    struct KindCount {
        kind: OrgKind,
        n: i64,
    }
    let mut q = Q::new("SELECT o.kind, COUNT(*) AS n FROM orgs o WHERE o.active = TRUE");
    scope_where(&mut q, scope, "o");
    q.push(" GROUP BY o.kind");
    let kinds: Vec<KindCount> = store.db.r().fetch_all(q).await?;
    let mut q = if scope.is_whole_tree() {
        Q::new("SELECT m.status, CAST(SUM(m.n) AS BIGINT) AS n FROM member_unit_counts m WHERE 1=1")
    } else {
        Q::new(
            "SELECT m.status, CAST(SUM(m.n) AS BIGINT) AS n FROM member_counts m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id WHERE 1=1",
        )
    };
    scope_where(&mut q, scope, "o");
    q.push(" GROUP BY m.status");
    let statuses: Vec<StatusCount> = store.db.r().fetch_all(q).await?;
    let k = |x: OrgKind| kinds.iter().find(|r| r.kind == x).map(|r| r.n).unwrap_or(0);
    let s = |x: MemberStatus| statuses.iter().find(|r| r.status == x).map(|r| r.n).unwrap_or(0);
    use MemberStatus::*;
    Ok(ScopeStats {
        units: k(OrgKind::Unit),
        branches: k(OrgKind::Branch),
        members: s(Full) + s(Probationary),
        full: s(Full),
        probationary: s(Probationary),
        pipeline: s(Applicant) + s(Activist) + s(Candidate),
    })
}

/// Creates the root (working committee) when the database is empty. Operator only.
#[tracing::instrument(skip_all)]
pub async fn ensure_root(store: &Store, name: &str) -> Result<OrgRow> {
    if let Some(r) = root(store.db.r()).await? {
        return Ok(r);
    }
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO orgs (committee_id, id, parent_id, path, depth, kind, name, district, code, sort_order, active, created_at, updated_at) \
             VALUES ($1, $1, NULL, $2, 0, 'working_committee', $3, '', '', 0, TRUE, $4, $4)",
            id, format!("/{id}/"), name, now
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        &Who::operator("init"),
        Event::ok("create", "org", id).detail(name.to_string()),
    )
    .await?;
    crate::generation::bump_orgs(&mut tx, id).await?;
    tx.commit().await?;
    anchor_of(store.db.r(), id).await
}

/// Active members in each child's subtree, in one query.
#[tracing::instrument(skip_all)]
pub async fn child_member_counts(store: &Store, parent: &OrgRow, kids: &[OrgRow]) -> Result<Vec<i64>> {
    #[derive(sqlx::FromRow)]
    struct PathCount {
        path: String,
        n: i64,
    }
    if parent.kind() == OrgKind::WorkingCommittee {
        // The root's children are units, and a unit's id is its members' shard key.
        #[derive(sqlx::FromRow)]
        struct UnitCount {
            committee_id: i64,
            n: i64,
        }
        let rows: Vec<UnitCount> = store
            .db
            .r()
            .fetch_all(q!(
                format!("SELECT m.committee_id, CAST(SUM(m.n) AS BIGINT) AS n FROM member_unit_counts m WHERE m.status IN {members} GROUP BY m.committee_id", members = sql_in(&MemberStatus::MEMBERS))
            ))
            .await?;
        let by_unit: std::collections::HashMap<i64, i64> = rows.into_iter().map(|r| (r.committee_id, r.n)).collect();
        return Ok(kids.iter().map(|k| by_unit.get(&k.id).copied().unwrap_or(0)).collect());
    }
    let mut q = Q::new(format!(
        "SELECT o.path, CAST(SUM(m.n) AS BIGINT) AS n FROM member_counts m JOIN orgs o ON o.committee_id = m.committee_id AND o.id = m.org_id \
         WHERE m.status IN {members} AND o.path LIKE ",
        members = sql_in(&MemberStatus::MEMBERS)
    ));
    q.bind(format!("{}%", parent.path));
    q.push(" AND m.committee_id = ").bind(parent.committee_id);
    q.push(" GROUP BY o.path");
    let rows: Vec<PathCount> = store.db.r().fetch_all(q).await?;
    Ok(kids.iter().map(|k| rows.iter().filter(|r| r.path.starts_with(&k.path)).map(|r| r.n).sum()).collect())
}
