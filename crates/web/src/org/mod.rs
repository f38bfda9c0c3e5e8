//! Org tree pages and API: browse, create, edit, move, dissolve, posts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use xianfeng_core::org::{OrgKind, Post, TermStatus, post_label};
use xianfeng_store::org::{self as store_org, OrgFilter, OrgInput, OrgRow};
use xianfeng_store::{StoreError, member as store_member};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::Errors;
use crate::layout::{Layout, flash_text, render};
use crate::session::Ctx;

mod api;
mod changes;
mod lists;

pub(crate) use self::api::*;
pub(crate) use self::changes::*;
pub(crate) use self::lists::*;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(root_page))
        .route("/orgs/elections", get(elections_page))
        .route("/orgs/alerts", get(alerts_page))
        .route("/orgs/{id}", get(org_page))
        .route("/orgs/{id}/edit", get(edit_page).post(edit_submit))
        .route("/orgs/{id}/new", get(new_page).post(new_submit))
        .route("/orgs/{id}/move", get(move_page).post(move_submit))
        .route("/orgs/{id}/dissolve", post(dissolve_submit))
        .route("/orgs/{id}/posts", post(post_submit))
        .route("/orgs/{id}/posts/{post_id}/remove", post(post_remove))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(api_list).post(api_create))
        .route("/orgs/{id}", get(api_get).patch(api_update))
        .route("/orgs/{id}/children", get(api_children))
        .route("/orgs/{id}/history", get(api_history))
        .route("/orgs/{id}/move", post(api_move))
        .route("/orgs/{id}/dissolve", post(api_dissolve))
        .route("/orgs/{id}/posts", post(api_add_post))
        .route("/orgs/{id}/posts/{post_id}", delete(api_remove_post))
}

/// Breadcrumbs from the scope root down to the org.
pub(crate) async fn crumbs(
    state: &AppState,
    ctx: &Ctx,
    org: &OrgRow,
    mut l: Layout,
    last_link: bool,
) -> Result<Layout> {
    let scope = ctx.org_scope()?;
    l = l.crumb("组织架构", "/orgs");
    for o in store_org::lineage(state.store.db.r(), &scope, org).await? {
        let href = if o.id == org.id && !last_link { String::new() } else { format!("/orgs/{}", o.id) };
        l = l.crumb(o.name, href);
    }
    Ok(l)
}

pub(crate) async fn root_page(ctx: Ctx) -> Result<Response> {
    let a = ctx.actor()?;
    let org = a.org.as_ref().ok_or(AppError::Forbidden)?;
    Ok(Redirect::to(&format!("/orgs/{}", org.id)).into_response())
}

pub(crate) struct ChildView {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) district: String,
    pub(crate) members: i64,
    pub(crate) active: bool,
}

#[derive(Template)]
#[template(path = "org.html")]
pub(crate) struct OrgPage {
    pub(crate) l: Layout,
    pub(crate) org: OrgRow,
    pub(crate) health: store_org::OrgHealth,
    pub(crate) overdue: bool,
    pub(crate) has_term: bool,
    pub(crate) term_start: String,
    pub(crate) term_end: String,
    pub(crate) established_on: String,
    pub(crate) dissolved_on: String,
    pub(crate) can_write: bool,
    pub(crate) can_modify: bool,
    pub(crate) holds_members: bool,
    pub(crate) child_kinds: Vec<(&'static str, &'static str)>,
    pub(crate) children: Vec<ChildView>,
    pub(crate) children_pager: crate::layout::Pager,
    pub(crate) show_district: bool,
    pub(crate) posts: Vec<store_org::PostRow>,
    pub(crate) post_candidates: Vec<(i64, String)>,
    /// Members matching the post picker's search (all when it is empty),
    /// of which `post_candidates` lists the first [`POST_SHOWN`].
    pub(crate) post_matched: i64,
    pub(crate) post_q: String,
    pub(crate) post_shown: i64,
    /// More members than a select offers (or a search made): a search box.
    pub(crate) post_search: bool,
    pub(crate) post_options: Vec<(&'static str, &'static str)>,
    pub(crate) members: Vec<store_member::MemberRow>,
    pub(crate) members_pager: crate::layout::Pager,
    pub(crate) history: Vec<(String, String, String, String)>,
    pub(crate) errors: Errors,
    pub(crate) today: String,
    /// Honors named to this unit or branch.
    pub(crate) honors: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct FlashQ {
    pub(crate) ok: String,
    /// The page of the member list, of the child orgs, and the post picker's search.
    pub(crate) page: String,
    pub(crate) children_page: String,
    pub(crate) post_q: String,
}

/// Members on a page of an org's roll on its page.
const MEMBERS_PER_PAGE: i64 = 50;
/// Child orgs on a page of an org's page.
const CHILDREN_PER_PAGE: i64 = 50;
/// Members the post picker lists at once; more ask for a name.
pub(crate) const POST_SHOWN: i64 = 200;

pub(crate) fn history_text(h: &store_org::OrgHistoryRow) -> String {
    match h.change.as_str() {
        "create" => format!("设立：{}", h.to_value),
        "rename" => format!("更名：{} → {}", h.from_value, h.to_value),
        "move" => format!("迁移：上级组织 {} → {}", h.from_value, h.to_value),
        "dissolve" => "撤销".into(),
        "term" => format!("换届：任期开始 {} → {}", h.from_value, h.to_value),
        "post" => format!("任命 {}", h.to_value),
        _ => h.change.clone(),
    }
}

pub(crate) async fn org_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    q: &FlashQ,
    errors: Errors,
    flash: &str,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    let health = store_org::health(&state.store, &org).await?;
    let base = |skip: &str| {
        let keep: Vec<(&str, &str)> =
            [("page", q.page.as_str()), ("children_page", q.children_page.as_str()), ("post_q", q.post_q.as_str())]
                .into_iter()
                .filter(|(k, v)| *k != skip && !v.is_empty())
                .collect();
        serde_urlencoded::to_string(keep).unwrap_or_default()
    };
    let (kids, children_pager) = crate::layout::Pager::slice(
        store_org::children(state.store.db.r(), &scope, &org, true).await?,
        &q.children_page,
        CHILDREN_PER_PAGE,
        base("children_page"),
    )?;
    let children_pager = children_pager.param("children_page");
    let counts = store_org::child_member_counts(&state.store, &org, &kids).await?;
    let children = kids
        .iter()
        .zip(counts)
        .map(|(k, n)| ChildView {
            id: k.id,
            name: k.name.clone(),
            kind: k.kind_label(),
            district: k.district.clone(),
            members: n,
            active: k.active,
        })
        .collect();
    let posts = store_org::posts(state.store.db.r(), &org).await?;
    let holds_members = matches!(org.kind(), OrgKind::Branch | OrgKind::Group);
    let (page, _) = crate::form::paging(&q.page, "", MEMBERS_PER_PAGE, MEMBERS_PER_PAGE)?;
    let (members, members_pager, post_candidates, post_matched) = if holds_members {
        let found = store_member::of_org(&state.store, &scope, &org, "", page, MEMBERS_PER_PAGE).await?;
        let pager = crate::layout::Pager::new(page, MEMBERS_PER_PAGE, found.total, base("page"));
        let matched = store_member::of_org(&state.store, &scope, &org, &q.post_q, 1, POST_SHOWN).await?;
        let candidates =
            matched.items.iter().filter(|m| m.status.is_member()).map(|m| (m.id, m.name.clone())).collect();
        (found.items, pager, candidates, matched.total)
    } else {
        (Vec::new(), crate::layout::Pager::new(1, MEMBERS_PER_PAGE, 0, String::new()), Vec::new(), 0)
    };
    let history = store_org::history_of(&state.store, &scope, id)
        .await?
        .iter()
        .map(|h| (xianfeng_core::text::datetime_ms(h.ts_ms), h.username.clone(), history_text(h), h.reason.clone()))
        .collect();
    let fmt = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let can_write = scope.can_write() && org.active && ctx.actor()?.can_manage_orgs();
    let can_modify = can_write && org.path != scope.path_prefix();
    let l = crumbs(state, ctx, &org, Layout::new(ctx, org.name.clone(), "/orgs").flash(flash), false).await?;
    let page = OrgPage {
        l,
        overdue: matches!(health.term, TermStatus::Overdue { .. }),
        has_term: org.kind().has_term(),
        term_start: org.term_start.map(|d| d.to_string()).unwrap_or_default(),
        term_end: fmt(org.term_end),
        established_on: fmt(org.established_on),
        dissolved_on: fmt(org.dissolved_on),
        can_write,
        can_modify,
        holds_members: org.kind() == OrgKind::Branch,
        child_kinds: org.kind().allowed_children().iter().map(|k| (k.as_str(), k.label())).collect(),
        show_district: org.kind() == OrgKind::WorkingCommittee,
        children,
        children_pager,
        posts,
        post_candidates,
        post_matched,
        post_q: q.post_q.trim().to_string(),
        post_shown: POST_SHOWN,
        post_search: post_matched > crate::picker::SELECT_MAX || !q.post_q.trim().is_empty(),
        post_options: Post::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
        members,
        members_pager,
        history,
        errors,
        today: xianfeng_core::text::today_cn().to_string(),
        honors: xianfeng_store::campaign::honors_of(&state.store, &scope, org.committee_id, org.id).await?,
        health,
        org,
    };
    render(&page)
}

pub(crate) async fn org_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(f): Query<FlashQ>,
) -> Result<Response> {
    org_view(&state, &ctx, id, &f, Errors::default(), flash_text(&f.ok)).await
}

#[derive(Template)]
#[template(path = "org_form.html")]
pub(crate) struct OrgFormPage {
    pub(crate) l: Layout,
    pub(crate) form: OrgInput,
    pub(crate) errors: Errors,
    pub(crate) creating: bool,
    pub(crate) kind_options: Vec<(String, String)>,
    pub(crate) show_district: bool,
    pub(crate) action: String,
    pub(crate) back: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct KindQ {
    #[serde(default)]
    pub(crate) kind: String,
}

pub(crate) async fn new_view(
    state: &AppState,
    ctx: &Ctx,
    parent_id: i64,
    form: OrgInput,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let parent = store_org::get(state.store.db.r(), &scope, parent_id).await?;
    let l =
        crumbs(state, ctx, &parent, Layout::new(ctx, format!("在“{}”下新增组织", parent.name), "/orgs"), true).await?;
    render(&OrgFormPage {
        l: l.crumb("新增", ""),
        show_district: form.kind == xianfeng_core::org::OrgKind::Unit.as_str(),
        kind_options: parent
            .kind()
            .allowed_children()
            .iter()
            .map(|k| (k.as_str().to_string(), k.label().to_string()))
            .collect(),
        form,
        errors,
        creating: true,
        action: format!("/orgs/{parent_id}/new"),
        back: format!("/orgs/{parent_id}"),
    })
}

pub(crate) async fn new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(k): Query<KindQ>,
) -> Result<Response> {
    new_view(&state, &ctx, id, OrgInput { kind: k.kind, ..Default::default() }, Errors::default()).await
}

#[derive(Deserialize, Default)]
pub(crate) struct OrgForm {
    #[serde(flatten)]
    pub(crate) input: OrgInput,
}

pub(crate) async fn new_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    match store_org::create(&state.store, &scope.writer()?, &ctx.who(), id, &f.input).await {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?ok=created", o.id)).into_response()),
        Err(StoreError::Invalid(e)) => new_view(&state, &ctx, id, f.input, Errors(e)).await,
        Err(StoreError::Rule(m)) => {
            new_view(&state, &ctx, id, f.input, Errors(vec![xianfeng_core::FieldError::new("_", m)])).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn input_of(o: &OrgRow) -> OrgInput {
    OrgInput {
        name: o.name.clone(),
        kind: o.kind.as_str().to_string(),
        district: o.district.clone(),
        code: o.code.clone(),
        established_on: o.established_on.map(|d| d.to_string()).unwrap_or_default(),
        term_start: o.term_start.map(|d| d.to_string()).unwrap_or_default(),
    }
}

pub(crate) async fn edit_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: Option<OrgInput>,
    errors: Errors,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    let l = crumbs(state, ctx, &org, Layout::new(ctx, format!("编辑 {}", org.name), "/orgs"), true).await?;
    render(&OrgFormPage {
        l: l.crumb("编辑", ""),
        show_district: org.kind() == OrgKind::Unit,
        form: form.unwrap_or_else(|| input_of(&org)),
        errors,
        creating: false,
        kind_options: Vec::new(),
        action: format!("/orgs/{id}/edit"),
        back: format!("/orgs/{id}"),
    })
}

pub(crate) async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    edit_view(&state, &ctx, id, None, Errors::default()).await
}

pub(crate) async fn edit_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    match store_org::update(&state.store, &scope.writer()?, &ctx.who(), id, &f.input).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => edit_view(&state, &ctx, id, Some(f.input), Errors(e)).await,
        Err(StoreError::Rule(m)) => {
            edit_view(&state, &ctx, id, Some(f.input), Errors(vec![xianfeng_core::FieldError::new("_", m)])).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "org",
        pages,
        api,
        menu: &[MenuEntry::new(Section::Orgs, 10, "组织架构", "/orgs", STAFF)],
        operations: &[
            ("get", "/orgs", "org", "组织检索（范围内，分页）", "", 200, "Page<Org>"),
            ("post", "/orgs", "org", "新建组织", "OrgCreate", 201, "Org"),
            ("get", "/orgs/{id}", "org", "组织详情、人数、预警、换届状态、书记和委员", "", 200, "OrgDetail"),
            ("patch", "/orgs/{id}", "org", "修改组织（更名、任期等）", "OrgInput", 200, "Org"),
            ("get", "/orgs/{id}/children", "org", "下级组织", "", 200, "Page<Org>"),
            ("get", "/orgs/{id}/history", "org", "组织变更记录", "", 200, "Page<OrgChange>"),
            ("post", "/orgs/{id}/move", "org", "迁移组织（下级组织、党员、历史随迁）", "OrgMove", 200, "Org"),
            ("post", "/orgs/{id}/dissolve", "org", "撤销组织（保留历史）", "OrgDissolve", 200, "Org"),
            ("post", "/orgs/{id}/posts", "org", "任命书记或委员", "Post", 201, "Ok"),
            ("delete", "/orgs/{id}/posts/{post_id}", "org", "免去职务", "", 200, "Ok"),
        ],
    }
};
