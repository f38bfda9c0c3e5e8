//! Arrears, a member's own charges, and the monthly summary.

use super::*;
use crate::Page;

/// A member in arrears.
#[derive(Debug, Clone, Serialize)]
pub struct ArrearLine {
    pub member_id: i64,
    pub name: String,
    pub org_name: String,
    pub unpaid: Vec<NaiveDate>,
    pub owed: Fen,
    pub consecutive: i64,
    /// "" | "warn" (≥ warn months) | "lapse" (≥ lapse months: possible 自行脱党, people decide).
    pub flag: &'static str,
}

impl ArrearLine {
    pub fn months_text(&self) -> String {
        self.unpaid.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>().join("、")
    }
    pub fn flag_label(&self) -> &'static str {
        match self.flag {
            "lapse" => "连续未缴已达标记月数（按规定应视为自行脱党，由党组织研究认定）",
            "warn" => "连续未缴，需提醒",
            _ => "",
        }
    }
}

/// A page of the members in arrears, with how many there are in all and how
/// many of them are flagged.
#[derive(Debug, Clone, Serialize)]
pub struct Arrears {
    pub lines: Page<ArrearLine>,
    /// Members in arrears in scope (under the org), flagged or not.
    pub members: i64,
    /// Of them, those flagged (warned or lapsed).
    pub flagged: i64,
}

/// Members with unpaid charges in scope, the longest run of unpaid months
/// first (then by unit and branch), a page at a time: read from the arrears
/// rollup (`dues::owed`), and only the page's unpaid months from the charges.
#[tracing::instrument(skip_all)]
pub async fn arrears(
    store: &Store,
    scope: &MemberScope,
    org_id: Option<i64>,
    flagged_only: bool,
    page: i64,
    per_page: i64,
) -> Result<Arrears> {
    #[derive(sqlx::FromRow)]
    struct Row {
        committee_id: i64,
        member_id: i64,
        name: String,
        org_name: String,
        owed_fen: i64,
        consecutive: i64,
    }
    #[derive(sqlx::FromRow)]
    struct Counts {
        members: i64,
        flagged: i64,
    }
    #[derive(sqlx::FromRow)]
    struct Month {
        member_id: i64,
        month: NaiveDate,
    }
    let (page, per_page) = (page.max(1), per_page.max(1));
    let rules: DuesRules = store.rules().await?.get::<DuesRules>(xianfeng_core::text::today_cn());
    let threshold = rules.warn_unpaid_months.min(rules.lapse_unpaid_months);
    let mut w = Q::new(
        " FROM dues_arrears a JOIN members m ON m.committee_id = a.committee_id AND m.id = a.member_id \
         JOIN orgs o ON o.committee_id = a.committee_id AND o.id = a.org_id WHERE 1=1",
    );
    member_scope_where(&mut w, scope);
    under_org(store, scope, &mut w, org_id).await?;
    let mut cq = Q::new(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS members, \
         CAST(COALESCE(SUM(CASE WHEN a.consecutive >= {threshold} THEN 1 ELSE 0 END), 0) AS BIGINT) AS flagged{}",
        w.sql
    ));
    cq.args = w.args.clone();
    let counts: Counts = store.db.r().fetch_one(cq).await?;
    let mut q = Q::new(format!(
        "SELECT a.committee_id, a.member_id, m.name, o.name AS org_name, a.owed_fen, a.consecutive{}",
        w.sql
    ));
    q.args = w.args;
    if flagged_only {
        q.push(" AND a.consecutive >= ").bind(threshold);
    }
    q.push(" ORDER BY a.consecutive DESC, a.committee_id, a.org_id, a.member_id LIMIT ")
        .bind(per_page)
        .push(" OFFSET ")
        .bind((page - 1).saturating_mul(per_page));
    let rows: Vec<Row> = store.db.r().fetch_all(q).await?;
    // The page's unpaid months, one query per unit on the page.
    let mut months: std::collections::HashMap<(i64, i64), Vec<NaiveDate>> = std::collections::HashMap::new();
    let mut units: Vec<i64> = rows.iter().map(|r| r.committee_id).collect();
    units.sort_unstable();
    units.dedup();
    for c in units {
        let ids: Vec<String> = rows.iter().filter(|r| r.committee_id == c).map(|r| r.member_id.to_string()).collect();
        let found: Vec<Month> = store
            .db
            .r()
            .fetch_all(q!(
                format!(
                    "SELECT member_id, month FROM dues_charges WHERE committee_id = $1 AND paid_on IS NULL \
                     AND member_id IN ({}) ORDER BY member_id, month",
                    ids.join(",")
                ),
                c
            ))
            .await?;
        for f in found {
            months.entry((c, f.member_id)).or_default().push(f.month);
        }
    }
    let items = rows
        .into_iter()
        .map(|r| ArrearLine {
            unpaid: months.remove(&(r.committee_id, r.member_id)).unwrap_or_default(),
            member_id: r.member_id,
            name: r.name,
            org_name: r.org_name,
            owed: Fen(r.owed_fen),
            consecutive: r.consecutive,
            flag: if r.consecutive >= rules.lapse_unpaid_months {
                "lapse"
            } else if r.consecutive >= rules.warn_unpaid_months {
                "warn"
            } else {
                ""
            },
        })
        .collect();
    let total = if flagged_only { counts.flagged } else { counts.members };
    Ok(Arrears { lines: Page { items, total, page, per_page }, members: counts.members, flagged: counts.flagged })
}

/// A member's own charges and payments, newest first (self-service).
#[tracing::instrument(skip_all)]
pub async fn my_charges(
    store: &Store,
    scope: &MemberScope,
    member_id: i64,
    page: i64,
    per_page: i64,
) -> Result<MyCharges> {
    let m = crate::member::get(store, scope, member_id).await?;
    // Charges stay with the unit that collected them; a member who moved reads them all.
    let prior = crate::transfer::prior_of(store, m.committee_id, m.id).await?;
    let committees: Vec<crate::db::Arg> =
        crate::transfer::committees_of(m.committee_id, &prior).iter().map(|c| (*c).into()).collect();
    let mut unpaid = Q::new("SELECT COUNT(*) AS v FROM dues_charges c WHERE c.paid_on IS NULL AND c.member_id = ");
    unpaid.bind(m.id).push(" AND c.committee_id IN ");
    unpaid.push_row(committees.clone());
    let unpaid = store.db.r().fetch_scalar_i64(unpaid).await?;
    let mut q = Q::new(
        "SELECT c.member_id, '' AS name, o.name AS org_name, c.month, c.due_fen, c.paid_fen, c.paid_on, c.method, c.note \
         FROM dues_charges c JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE c.member_id = ",
    );
    q.bind(m.id).push(" AND c.committee_id IN ");
    q.push_row(committees);
    let mut charges: crate::Page<ChargeRow> = crate::fetch_page(store, q, "c.month DESC", page, per_page).await?;
    for r in &mut charges.items {
        r.name = m.name.clone();
    }
    Ok(MyCharges { charges, unpaid })
}

/// A page of one member's charges, newest first, and how many months in all
/// are unpaid.
#[derive(Debug, Clone, Serialize)]
pub struct MyCharges {
    pub charges: crate::Page<ChargeRow>,
    pub unpaid: i64,
}

/// One row of the monthly summary: a child org of the viewed org (or the org itself).
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub org_id: i64,
    pub name: String,
    pub members: i64,
    pub paid_members: i64,
    pub expected: Fen,
    pub paid: Fen,
}

impl SummaryRow {
    pub fn rate_text(&self) -> String {
        if self.members == 0 {
            "—".into()
        } else {
            format!("{:.1}%", self.paid_members as f64 * 100.0 / self.members as f64)
        }
    }
}

/// The month's dues rolled up to the children of `org_id` (branch → unit → province).
#[tracing::instrument(skip_all)]
pub async fn summary(
    store: &Store,
    scope: &MemberScope,
    org_id: i64,
    month: NaiveDate,
) -> Result<(SummaryRow, Vec<SummaryRow>)> {
    let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::Forbidden) };
    let root = crate::org::get(store.db.r(), org, org_id).await?;
    #[derive(sqlx::FromRow)]
    struct Agg {
        path: String,
        members: i64,
        paid_members: i64,
        expected: i64,
        paid: i64,
    }
    let mut q = Q::new(
        "SELECT o.path, COUNT(*) AS members, CAST(SUM(CASE WHEN c.paid_on IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS paid_members, \
         CAST(SUM(c.due_fen) AS BIGINT) AS expected, CAST(COALESCE(SUM(c.paid_fen), 0) AS BIGINT) AS paid \
         FROM dues_charges c JOIN orgs o ON o.committee_id = c.committee_id AND o.id = c.org_id WHERE c.month = ",
    );
    q.bind(month);
    crate::org::scope_where(&mut q, org, "o");
    if root.kind() != xianfeng_core::org::OrgKind::WorkingCommittee {
        q.push(" AND o.committee_id = ").bind(root.committee_id);
    }
    q.push(" AND o.path LIKE ").bind(format!("{}%", root.path)).push(" GROUP BY o.path");
    let aggs: Vec<Agg> = store.db.r().fetch_all(q).await?;
    let kids = crate::org::children(store.db.r(), org, &root, false).await?;
    let mut total = SummaryRow {
        org_id: root.id,
        name: root.name.clone(),
        members: 0,
        paid_members: 0,
        expected: Fen(0),
        paid: Fen(0),
    };
    let mut rows: Vec<SummaryRow> = kids
        .iter()
        .map(|k| SummaryRow {
            org_id: k.id,
            name: k.name.clone(),
            members: 0,
            paid_members: 0,
            expected: Fen(0),
            paid: Fen(0),
        })
        .collect();
    let mut own = SummaryRow {
        org_id: root.id,
        name: format!("{}（本级）", root.name),
        members: 0,
        paid_members: 0,
        expected: Fen(0),
        paid: Fen(0),
    };
    for a in aggs {
        let add = |r: &mut SummaryRow| {
            r.members += a.members;
            r.paid_members += a.paid_members;
            r.expected = Fen(r.expected.0 + a.expected);
            r.paid = Fen(r.paid.0 + a.paid);
        };
        add(&mut total);
        match kids.iter().position(|k| a.path.starts_with(&k.path)) {
            Some(i) => add(&mut rows[i]),
            None => add(&mut own),
        }
    }
    if own.members > 0 {
        rows.insert(0, own);
    }
    rows.retain(|r| r.members > 0);
    Ok((total, rows))
}
