//! The secretary's month on one page (本月工作).

use super::*;

pub(crate) struct Probation {
    pub(crate) member_id: i64,
    pub(crate) name: String,
    pub(crate) org_name: String,
    pub(crate) admitted: String,
    pub(crate) ends: String,
    pub(crate) overdue: bool,
}

#[derive(Template)]
#[template(path = "month.html")]
pub(crate) struct MonthPage {
    pub(crate) l: Layout,
    pub(crate) month: String,
    pub(crate) cycle_open: bool,
    pub(crate) unpaid: Vec<store_dues::ChargeRow>,
    pub(crate) flagged: Vec<store_dues::ArrearLine>,
    pub(crate) probations: Vec<Probation>,
    pub(crate) meetings: Vec<(String, xianfeng_core::compliance::DueItem)>,
    pub(crate) elections: Vec<xianfeng_store::org::OrgRow>,
    pub(crate) recruitment: Vec<xianfeng_store::recruitment::CaseRow>,
    pub(crate) ready: Vec<xianfeng_store::recruitment::CaseRow>,
    pub(crate) transfers: Vec<xianfeng_store::transfer::TransferView>,
    pub(crate) today: chrono::NaiveDate,
}

pub(crate) async fn month_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let actor = ctx.actor()?.clone();
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let org_scope = ctx.org_scope()?;
    let month = this_month();
    let today = today_cn();
    let charges = store_dues::charges(&state.store, &scope, month, &Default::default(), 1, xianfeng_store::EVERY_ROW)
        .await?
        .items;
    let cycle_open = !charges.is_empty();
    let unpaid: Vec<_> = charges.into_iter().filter(|c| !c.paid()).collect();
    let flagged: Vec<_> =
        store_dues::arrears(&state.store, &scope, None).await?.into_iter().filter(|a| !a.flag.is_empty()).collect();
    let rules: xianfeng_core::recruitment::RecruitmentRules = state.store.rule().await?;
    let filter = xianfeng_store::member::MemberFilter { status: "probationary".into(), ..Default::default() };
    let probationary = xianfeng_store::member::list(&state.store, &scope, &filter, 1, 200).await?;
    let mut probations: Vec<Probation> = probationary
        .items
        .into_iter()
        .filter_map(|m| {
            let admitted = m.join_date?;
            let ends = rules.probation_end(admitted);
            ((ends - today).num_days() <= rules.warn_days).then(|| Probation {
                member_id: m.id,
                name: m.name.clone(),
                org_name: m.org_name.clone(),
                admitted: admitted.to_string(),
                ends: ends.to_string(),
                overdue: ends < today,
            })
        })
        .collect();
    probations.sort_by(|a, b| a.ends.cmp(&b.ends));
    let meetings = match actor.org.as_ref() {
        Some(o) if actor.role == xianfeng_core::auth::Role::BranchSecretary => {
            xianfeng_store::compliance::due(&state.store, &org_scope, o.id).await?
        }
        _ => Vec::new(),
    };
    let elections = xianfeng_store::org::elections_due(&state.store, &org_scope, 20).await?;
    use xianfeng_store::recruitment::{self as rec, CaseFilter};
    let mut recruitment =
        rec::cases(&state.store, &scope, &CaseFilter { overdue: true, ..Default::default() }, 1, 30).await?.items;
    recruitment.extend(
        rec::cases(&state.store, &scope, &CaseFilter { due_soon: true, ..Default::default() }, 1, 30).await?.items,
    );
    let ready = rec::cases(&state.store, &scope, &CaseFilter { ready: true, ..Default::default() }, 1, 30).await?.items;
    let transfers = xianfeng_store::transfer::list(
        &state.store,
        &org_scope,
        &xianfeng_store::transfer::TransferFilter { mine: true, ..Default::default() },
    )
    .await?;
    render(&MonthPage {
        l: Layout::new(&ctx, format!("本月工作 — {}", month.format("%Y年%m月")), "/month").crumb("本月工作", ""),
        month: month.format("%Y-%m").to_string(),
        cycle_open,
        unpaid,
        flagged,
        probations,
        meetings,
        elections,
        recruitment,
        ready,
        transfers,
        today,
    })
}
