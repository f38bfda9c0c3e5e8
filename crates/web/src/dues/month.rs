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
    /// A secretary's meetings due and overdue (every one).
    pub(crate) meetings: Vec<(String, xianfeng_core::compliance::DueItem)>,
    /// For a unit or the committee: the year's compliance in the home page's words, and where it is shown.
    pub(crate) compliance: Option<(String, String)>,
    /// The first of the orgs due to elect, and how many there are.
    pub(crate) elections: xianfeng_store::Page<xianfeng_store::org::OrgRow>,
    /// Cases overdue, then due soon (the first of each), and how many of each there are.
    pub(crate) recruitment: Vec<xianfeng_store::recruitment::CaseRow>,
    pub(crate) recruitment_overdue: i64,
    pub(crate) recruitment_soon: i64,
    pub(crate) ready: xianfeng_store::Page<xianfeng_store::recruitment::CaseRow>,
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
        store_dues::arrears(&state.store, &scope, None, true, 1, xianfeng_store::EVERY_ROW).await?.lines.items;
    let rules: xianfeng_core::recruitment::RecruitmentRules = state.store.rule().await?;
    let filter = xianfeng_store::member::MemberFilter { status: "probationary".into(), ..Default::default() };
    let probationary =
        xianfeng_store::member::list(&state.store, &scope, &filter, 1, xianfeng_store::EVERY_ROW).await?;
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
    let (meetings, compliance) = match actor.org.as_ref() {
        Some(o) if actor.role == xianfeng_core::auth::Role::BranchSecretary => {
            (xianfeng_store::compliance::due(&state.store, &org_scope, o.id).await?, None)
        }
        // A unit or the committee: the same words as its home page.
        Some(o) => (Vec::new(), crate::home::compliance_line(&state, &org_scope, o.id).await?),
        None => (Vec::new(), None),
    };
    const SHOWN: i64 = 20;
    let elections = xianfeng_store::org::elections_due(&state.store, &org_scope, 1, SHOWN).await?;
    use xianfeng_store::recruitment::{self as rec, CaseFilter};
    let overdue =
        rec::cases(&state.store, &scope, &CaseFilter { overdue: true, ..Default::default() }, 1, SHOWN).await?;
    let soon = rec::cases(&state.store, &scope, &CaseFilter { due_soon: true, ..Default::default() }, 1, SHOWN).await?;
    let (recruitment_overdue, recruitment_soon) = (overdue.total, soon.total);
    let mut recruitment = overdue.items;
    recruitment.extend(soon.items);
    let ready = rec::cases(&state.store, &scope, &CaseFilter { ready: true, ..Default::default() }, 1, SHOWN).await?;
    let transfers = xianfeng_store::transfer::list(
        &state.store,
        &org_scope,
        &xianfeng_store::transfer::TransferFilter { mine: true, ..Default::default() },
        1,
        xianfeng_store::EVERY_ROW,
    )
    .await?
    .items;
    render(&MonthPage {
        l: Layout::new(&ctx, format!("本月工作 — {}", month.format("%Y年%m月")), "/month").crumb("本月工作", ""),
        month: month.format("%Y-%m").to_string(),
        cycle_open,
        unpaid,
        flagged,
        probations,
        meetings,
        compliance,
        elections,
        recruitment,
        recruitment_overdue,
        recruitment_soon,
        ready,
        transfers,
        today,
    })
}
