//! The member roster page.

use super::*;

pub(crate) async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let actor = ctx.actor()?;
    let (page_no, per_page) = q.paging()?;
    let (mut f, filter_error) = match q.filter() {
        Ok(f) => (f, String::new()),
        Err(e) => (MemberFilter { name: q.name.clone(), ..Default::default() }, e),
    };
    // The org filter, chosen by name: the committee's or the unit's orgs; a
    // branch secretary's scope is one branch (no filter).
    let org_filter = match actor.role {
        xianfeng_core::auth::Role::CommitteeAdmin | xianfeng_core::auth::Role::UnitAdmin => Some(
            crate::picker::list_filter(
                &state.store,
                &ctx.org_scope()?,
                "所在组织",
                &q.org_id,
                &q.org_id_q,
                &mut f.org_id,
            )
            .await?,
        ),
        _ => None,
    };
    let (page, filter_error) = match store_member::list(&state.store, &scope, &f, page_no, per_page).await {
        Ok(p) => (p, filter_error),
        Err(StoreError::Invalid(e)) => {
            (Page { items: Vec::new(), total: 0, page: 1, per_page }, crate::form::messages(e))
        }
        Err(e) => return Err(e.into()),
    };
    let under_name = match (f.org_id, &scope) {
        (Some(id), MemberScope::Subtree { org, .. }) => {
            store_org::get(state.store.db.r(), org, id).await.map(|o| o.name).unwrap_or_default()
        }
        _ => String::new(),
    };
    let base = q.base(None);
    let title = format!("党员名册 — {}", scope_name(&state, &scope, &f, &ctx).await.unwrap_or_default());
    let pager = Pager::new(page.page, page.per_page, page.total, base.clone());
    render(&MembersPage {
        l: Layout::new(&ctx, title, "/members").crumb("党员管理", "").crumb("党员名册", ""),
        org_id: q.org_id.clone(),
        min_age: q.min_age.clone(),
        max_age: q.max_age.clone(),
        join_year: q.join_year.clone(),
        status_options: status_options(true),
        org_filter,
        errors: Default::default(),
        show_unit: actor.role == xianfeng_core::auth::Role::CommitteeAdmin,
        genders: core_member::GENDERS.to_vec(),
        under_name,
        filter_error,
        offset: ((page.page - 1) * page.per_page) as usize,
        query: base,
        can_write: scope.can_write(),
        pager,
        page,
        f,
        q,
    })
}
