//! Org tree pages and API: browse, create, edit, move, dissolve, posts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use xianfeng_core::org::{OrgKind, POSTS, TermStatus, post_label};
use xianfeng_store::org::{self as store_org, OrgFilter, OrgInput, OrgRow};
use xianfeng_store::{StoreError, member as store_member};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::Errors;
use crate::layout::{Layout, flash_text, render};
use crate::session::Ctx;

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
async fn crumbs(state: &AppState, ctx: &Ctx, org: &OrgRow, mut l: Layout, last_link: bool) -> Result<Layout> {
    let scope = ctx.org_scope()?;
    l = l.crumb("组织架构", "/orgs");
    for o in store_org::lineage(state.store.db.r(), &scope, org).await? {
        let href = if o.id == org.id && !last_link { String::new() } else { format!("/orgs/{}", o.id) };
        l = l.crumb(o.name, href);
    }
    Ok(l)
}

async fn root_page(ctx: Ctx) -> Result<Response> {
    let a = ctx.actor()?;
    let org = a.org.as_ref().ok_or(AppError::Forbidden)?;
    Ok(Redirect::to(&format!("/orgs/{}", org.id)).into_response())
}

struct ChildView {
    id: i64,
    name: String,
    kind: &'static str,
    district: String,
    members: i64,
    active: bool,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    l: Layout,
    org: OrgRow,
    health: store_org::OrgHealth,
    overdue: bool,
    has_term: bool,
    term_start: String,
    term_end: String,
    established_on: String,
    dissolved_on: String,
    can_write: bool,
    can_modify: bool,
    holds_members: bool,
    child_kinds: Vec<(&'static str, &'static str)>,
    children: Vec<ChildView>,
    show_district: bool,
    posts: Vec<store_org::PostRow>,
    post_candidates: Vec<(i64, String)>,
    post_options: Vec<(&'static str, &'static str)>,
    members: Vec<store_member::MemberRow>,
    members_more: bool,
    history: Vec<(String, String, String, String)>,
    errors: Errors,
    today: String,
    /// Honors named to this unit or branch.
    honors: Vec<String>,
}

#[derive(Deserialize, Default)]
struct FlashQ {
    #[serde(default)]
    ok: String,
}

fn history_text(h: &store_org::OrgHistoryRow) -> String {
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

async fn org_view(state: &AppState, ctx: &Ctx, id: i64, errors: Errors, flash: &str) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    let health = store_org::health(&state.store, &org).await?;
    let kids = store_org::children(state.store.db.r(), &scope, &org, true).await?;
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
    let members = if holds_members { store_member::of_org(&state.store, &scope, &org, 201).await? } else { Vec::new() };
    let members_more = members.len() > 200;
    let members: Vec<_> = members.into_iter().take(200).collect();
    let post_candidates = if matches!(org.kind(), OrgKind::Branch | OrgKind::Group) {
        members
            .iter()
            .filter(|m| m.status == "full" || m.status == "probationary")
            .map(|m| (m.id, m.name.clone()))
            .collect()
    } else {
        Vec::new()
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
        posts,
        post_candidates,
        post_options: POSTS.iter().map(|(k, v)| (*k, *v)).collect(),
        members,
        members_more,
        history,
        errors,
        today: xianfeng_core::text::today_cn().to_string(),
        honors: xianfeng_store::campaign::honors_of(&state.store, org.committee_id, org.id).await?,
        health,
        org,
    };
    render(&page)
}

async fn org_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(f): Query<FlashQ>,
) -> Result<Response> {
    org_view(&state, &ctx, id, Errors::default(), flash_text(&f.ok)).await
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    l: Layout,
    form: OrgInput,
    errors: Errors,
    creating: bool,
    kind_options: Vec<(String, String)>,
    show_district: bool,
    action: String,
    back: String,
}

#[derive(Deserialize, Default)]
struct KindQ {
    #[serde(default)]
    kind: String,
}

async fn new_view(state: &AppState, ctx: &Ctx, parent_id: i64, form: OrgInput, errors: Errors) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let parent = store_org::get(state.store.db.r(), &scope, parent_id).await?;
    let l =
        crumbs(state, ctx, &parent, Layout::new(ctx, format!("在“{}”下新增组织", parent.name), "/orgs"), true).await?;
    render(&OrgFormPage {
        l: l.crumb("新增", ""),
        show_district: form.kind == "unit",
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

async fn new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(k): Query<KindQ>,
) -> Result<Response> {
    new_view(&state, &ctx, id, OrgInput { kind: k.kind, ..Default::default() }, Errors::default()).await
}

#[derive(Deserialize, Default)]
struct OrgForm {
    #[serde(flatten)]
    input: OrgInput,
}

async fn new_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    match store_org::create(&state.store, &scope, &ctx.who(), id, &f.input).await {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?ok=created", o.id)).into_response()),
        Err(StoreError::Invalid(e)) => new_view(&state, &ctx, id, f.input, Errors(e)).await,
        Err(StoreError::Rule(m)) => {
            new_view(&state, &ctx, id, f.input, Errors(vec![xianfeng_core::FieldError::new("_", m)])).await
        }
        Err(e) => Err(e.into()),
    }
}

fn input_of(o: &OrgRow) -> OrgInput {
    OrgInput {
        name: o.name.clone(),
        kind: o.kind.clone(),
        district: o.district.clone(),
        code: o.code.clone(),
        established_on: o.established_on.map(|d| d.to_string()).unwrap_or_default(),
        term_start: o.term_start.map(|d| d.to_string()).unwrap_or_default(),
    }
}

async fn edit_view(state: &AppState, ctx: &Ctx, id: i64, form: Option<OrgInput>, errors: Errors) -> Result<Response> {
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

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    edit_view(&state, &ctx, id, None, Errors::default()).await
}

async fn edit_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    match store_org::update(&state.store, &scope, &ctx.who(), id, &f.input).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => edit_view(&state, &ctx, id, Some(f.input), Errors(e)).await,
        Err(StoreError::Rule(m)) => {
            edit_view(&state, &ctx, id, Some(f.input), Errors(vec![xianfeng_core::FieldError::new("_", m)])).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "org_move.html")]
struct MovePage {
    l: Layout,
    org_id: i64,
    org_name: String,
    parent_id: String,
    reason: String,
    parent_options: Vec<(String, String)>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
struct MoveForm {
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    reason: String,
}

async fn move_view(state: &AppState, ctx: &Ctx, id: i64, form: MoveForm, errors: Errors) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    // Possible new parents: orgs in scope of a kind that may hold this kind.
    let kinds: Vec<&str> =
        OrgKind::ALL.iter().filter(|k| k.allowed_children().contains(&org.kind())).map(|k| k.as_str()).collect();
    let mut options = Vec::new();
    for k in kinds {
        let f = OrgFilter { kind: k.to_string(), ..Default::default() };
        let page = store_org::search(&state.store, &scope, &f, 1, 2000).await?;
        for o in page.items {
            if !o.path.starts_with(&org.path) && Some(o.id) != org.parent_id {
                options.push((o.id.to_string(), format!("{}（{}）", o.name, o.kind_label())));
            }
        }
    }
    let l = crumbs(state, ctx, &org, Layout::new(ctx, format!("迁移 {}", org.name), "/orgs"), true).await?;
    render(&MovePage {
        l: l.crumb("迁移", ""),
        org_id: org.id,
        org_name: org.name,
        parent_id: form.parent_id,
        reason: form.reason,
        parent_options: options,
        errors,
    })
}

async fn move_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    move_view(&state, &ctx, id, MoveForm::default(), Errors::default()).await
}

async fn move_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let Ok(parent) = f.parent_id.trim().parse::<i64>() else {
        return move_view(
            &state,
            &ctx,
            id,
            f,
            Errors(vec![xianfeng_core::FieldError::new("parent_id", "请选择新的上级组织")]),
        )
        .await;
    };
    match store_org::move_to(&state.store, &scope, &ctx.who(), id, parent, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?ok=moved")).into_response()),
        Err(StoreError::Invalid(e)) => move_view(&state, &ctx, id, f, Errors(e)).await,
        Err(StoreError::Rule(m)) => {
            move_view(&state, &ctx, id, f, Errors(vec![xianfeng_core::FieldError::new("_", m)])).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Serialize, Default)]
pub struct DissolveForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub reason: String,
}

fn dissolve_date(s: &str) -> Result<chrono::NaiveDate> {
    if s.trim().is_empty() {
        return Ok(xianfeng_core::text::today_cn());
    }
    xianfeng_core::member::parse_date(s)
        .ok_or_else(|| AppError::Invalid(vec![xianfeng_core::FieldError::new("date", "撤销日期格式应为 2025-07-01")]))
}

async fn dissolve_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DissolveForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let result = match dissolve_date(&f.date) {
        Ok(d) => store_org::dissolve(&state.store, &scope, &ctx.who(), id, d, &f.reason).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?ok=dissolved")).into_response()),
        Err(AppError::Invalid(e)) => org_view(&state, &ctx, id, Errors(e), "").await,
        Err(AppError::Rule(m)) => {
            org_view(
                &state,
                &ctx,
                id,
                Errors(vec![xianfeng_core::FieldError::new("_", format!("撤销未完成：{m}"))]),
                "",
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Serialize)]
pub struct PostForm {
    pub member_id: i64,
    pub post: String,
    #[serde(default)]
    pub since: Option<chrono::NaiveDate>,
}

async fn post_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PostForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    store_org::set_post(&state.store, &scope, &ctx.who(), id, f.member_id, &f.post, f.since).await?;
    Ok(Redirect::to(&format!("/orgs/{id}?ok=saved")).into_response())
}

async fn post_remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, post_id)): Path<(i64, i64)>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    store_org::remove_post(&state.store, &scope, &ctx.who(), id, post_id).await?;
    Ok(Redirect::to(&format!("/orgs/{id}?ok=saved")).into_response())
}

#[derive(Template)]
#[template(path = "org_list.html")]
struct OrgListPage {
    l: Layout,
    intro: String,
    rows: Vec<(i64, String, &'static str, String)>,
}

async fn elections_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let rules: xianfeng_core::rules::OrgRules = state.store.rule().await?;
    let today = xianfeng_core::text::today_cn();
    let rows = store_org::elections_due(&state.store, &scope, 2000)
        .await?
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
    })
}

async fn alerts_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (_, list) = store_org::branch_alerts(&state.store, &scope, 2000).await?;
    let rows = list
        .into_iter()
        .map(|(b, w)| {
            (b.id, b.name, OrgKind::Branch.label(), w.iter().map(|w| w.message.clone()).collect::<Vec<_>>().join("；"))
        })
        .collect();
    render(&OrgListPage {
        l: Layout::new(&ctx, "党支部设置预警", "/orgs").crumb("组织架构", "/orgs").crumb("设置预警", ""),
        intro: "正式党员少于规定人数、达到人数应设支部委员会而未设、或党员人数超过规定上限的党支部。".into(),
        rows,
    })
}

// ----- API -----

/// Query parameters arrive as text; numbers are parsed here so a bad value
/// gets a clear message.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQ {
    name: String,
    kind: String,
    district: String,
    under: String,
    include_dissolved: String,
    page: String,
    per_page: String,
}

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQ>,
) -> Result<Json<xianfeng_store::Page<OrgRow>>> {
    let scope = ctx.org_scope()?;
    let num = |s: &str, label: &str| -> Result<Option<i64>> {
        if s.trim().is_empty() {
            Ok(None)
        } else {
            s.trim().parse().map(Some).map_err(|_| AppError::BadRequest(format!("{label}应为数字")))
        }
    };
    let filter = OrgFilter {
        name: q.name.clone(),
        kind: q.kind.clone(),
        district: q.district.clone(),
        under: num(&q.under, "under")?,
        include_dissolved: q.include_dissolved == "true",
    };
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 20, 200)?;
    Ok(Json(store_org::search(&state.store, &scope, &filter, page, per_page).await?))
}

#[derive(Serialize)]
struct OrgDetail {
    #[serde(flatten)]
    org: OrgRow,
    health: store_org::OrgHealth,
    posts: Vec<PostJson>,
}

#[derive(Serialize)]
struct PostJson {
    id: i64,
    member_id: i64,
    member_name: String,
    post: String,
    post_label: &'static str,
}

async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<OrgDetail>> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    let health = store_org::health(&state.store, &org).await?;
    let posts = store_org::posts(state.store.db.r(), &org)
        .await?
        .into_iter()
        .map(|p| PostJson {
            id: p.id,
            member_id: p.member_id,
            member_name: p.member_name.clone(),
            post_label: post_label(&p.post),
            post: p.post,
        })
        .collect();
    Ok(Json(OrgDetail { org, health, posts }))
}

async fn api_children(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<xianfeng_store::Page<OrgRow>>> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    let items = store_org::children(state.store.db.r(), &scope, &org, false).await?;
    let total = items.len() as i64;
    Ok(Json(xianfeng_store::Page { items, total, page: 1, per_page: total.max(1) }))
}

async fn api_history(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let items = store_org::history_of(&state.store, &scope, id).await?;
    let total = items.len();
    Ok(Json(serde_json::json!({ "items": items, "total": total, "page": 1, "per_page": total.max(1) })))
}

#[derive(Deserialize)]
struct CreateJson {
    parent_id: i64,
    #[serde(flatten)]
    input: OrgInput,
}

async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(f): Json<CreateJson>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let o = store_org::create(&state.store, &scope, &ctx.who(), f.parent_id, &f.input).await?;
    Ok((StatusCode::CREATED, Json(o)).into_response())
}

async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<serde_json::Value>,
) -> Result<Json<OrgRow>> {
    let scope = ctx.org_scope()?;
    let org = store_org::get(state.store.db.r(), &scope, id).await?;
    // PATCH: start from the stored values, apply the fields sent.
    let mut input = serde_json::to_value(input_of(&org)).map_err(|e| AppError::Internal(e.to_string()))?;
    if let (Some(obj), Some(patch)) = (input.as_object_mut(), f.as_object()) {
        for (k, v) in patch {
            if obj.contains_key(k) {
                obj.insert(k.clone(), v.clone());
            }
        }
    }
    let input: OrgInput =
        serde_json::from_value(input).map_err(|e| AppError::BadRequest(format!("请求格式错误：{e}")))?;
    Ok(Json(store_org::update(&state.store, &scope, &ctx.who(), id, &input).await?))
}

#[derive(Deserialize)]
struct MoveJson {
    parent_id: i64,
    #[serde(default)]
    reason: String,
}

async fn api_move(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<MoveJson>,
) -> Result<Json<OrgRow>> {
    let scope = ctx.org_scope()?;
    Ok(Json(store_org::move_to(&state.store, &scope, &ctx.who(), id, f.parent_id, &f.reason).await?))
}

async fn api_dissolve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<DissolveForm>,
) -> Result<Json<OrgRow>> {
    let scope = ctx.org_scope()?;
    let d = dissolve_date(&f.date)?;
    Ok(Json(store_org::dissolve(&state.store, &scope, &ctx.who(), id, d, &f.reason).await?))
}

async fn api_add_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<PostForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    store_org::set_post(&state.store, &scope, &ctx.who(), id, f.member_id, &f.post, f.since).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "ok": true }))).into_response())
}

async fn api_remove_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, post_id)): Path<(i64, i64)>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    store_org::remove_post(&state.store, &scope, &ctx.who(), id, post_id).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
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
            ("get", "/orgs", "org", "组织检索（范围内，分页）", "", 200),
            ("post", "/orgs", "org", "新建组织", "OrgCreate", 201),
            ("get", "/orgs/{id}", "org", "组织详情、人数、预警、换届状态、书记和委员", "", 200),
            ("patch", "/orgs/{id}", "org", "修改组织（更名、任期等）", "OrgInput", 200),
            ("get", "/orgs/{id}/children", "org", "下级组织", "", 200),
            ("get", "/orgs/{id}/history", "org", "组织变更记录", "", 200),
            ("post", "/orgs/{id}/move", "org", "迁移组织（下级组织、党员、历史随迁）", "OrgMove", 200),
            ("post", "/orgs/{id}/dissolve", "org", "撤销组织（保留历史）", "OrgDissolve", 200),
            ("post", "/orgs/{id}/posts", "org", "任命书记或委员", "Post", 201),
            ("delete", "/orgs/{id}/posts/{post_id}", "org", "免去职务", "", 200),
        ],
    }
};
