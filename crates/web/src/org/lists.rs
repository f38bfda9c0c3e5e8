//! Elections due and branch alerts.

use super::*;
use crate::layout::Pager;

#[derive(Template)]
#[template(path = "org_list.html")]
pub(crate) struct OrgListPage {
    pub(crate) l: Layout,
    pub(crate) intro: String,
    pub(crate) rows: Vec<(i64, String, &'static str, String)>,
    /// The number of the first row on this page, less one.
    pub(crate) offset: i64,
    pub(crate) pager: Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PageQ {
    page: String,
    per_page: String,
}

impl PageQ {
    fn paging(&self) -> Result<(i64, i64)> {
        crate::form::paging(&self.page, &self.per_page, 50, 500)
    }
    fn pager(&self, page: i64, per_page: i64, total: i64) -> Pager {
        Pager::new(page, per_page, total, format!("per_page={per_page}"))
    }
}

pub(crate) async fn elections_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQ>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let rules: xianfeng_core::rules::OrgRules = state.store.rule().await?;
    let today = xianfeng_core::text::today_cn();
    let (page, per_page) = q.paging()?;
    let found = store_org::elections_due(&state.store, &scope, page, per_page).await?;
    let pager = q.pager(page, per_page, found.total);
    let rows = found
        .items
        .into_iter()
        .map(|o| {
            let s = xianfeng_core::org::term_status(o.term_end, today, &rules);
            (
                o.id,
                o.name.clone(),
                o.kind_label(),
                format!("任期至 {}，{}", o.term_end.map(|d| d.to_string()).unwrap_or_default(), s.label()),
            )
        })
        .collect();
    render(&OrgListPage {
        l: Layout::new(&ctx, "换届提醒", "/orgs").crumb("组织架构", "/orgs").crumb("换届提醒", ""),
        intro: format!("任期已届满或将在{}天内届满的党组织。", rules.election_due_soon_days),
        rows,
        offset: (page - 1) * per_page,
        pager,
    })
}

pub(crate) async fn alerts_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PageQ>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (page, per_page) = q.paging()?;
    let (total, list) = store_org::branch_alerts(&state.store, &scope, xianfeng_store::EVERY_ROW).await?;
    let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
    let rows = list
        .into_iter()
        .skip(skip)
        .take(per_page as usize)
        .map(|(b, w)| {
            (b.id, b.name, OrgKind::Branch.label(), w.iter().map(|w| w.message.clone()).collect::<Vec<_>>().join("；"))
        })
        .collect();
    render(&OrgListPage {
        l: Layout::new(&ctx, "党支部设置预警", "/orgs").crumb("组织架构", "/orgs").crumb("设置预警", ""),
        intro: "正式党员少于规定人数、达到人数应设支部委员会而未设、或党员人数超过规定上限的党支部。".into(),
        rows,
        offset: (page - 1) * per_page,
        pager: q.pager(page, per_page, total),
    })
}

// ----- API -----
