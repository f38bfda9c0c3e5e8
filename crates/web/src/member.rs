//! Member pages and API: roster with filters, detail, create, edit, status
//! changes, protected-field reveal, Excel import and export, my record.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use xianfeng_core::auth::MemberScope;
use xianfeng_core::member::{self as core_member, MemberInput, MemberStatus};
use xianfeng_core::org::OrgKind;
use xianfeng_store::member::{self as store_member, ImportReport, MemberDetail, MemberFilter, MemberRow, Protected};
use xianfeng_store::org::{self as store_org, OrgFilter};
use xianfeng_store::{Page, StoreError};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::form::{Errors, opt_num, options};
use crate::layout::{Layout, Pager, flash_text, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/members", get(list_page))
        .route("/members/new", get(new_page).post(new_submit))
        .route("/members/export.xlsx", get(export))
        .route("/members/import", get(import_page).post(import_submit))
        .route("/members/import/template.xlsx", get(template))
        .route("/members/{id}", get(detail_page))
        .route("/members/{id}/edit", get(edit_page).post(edit_submit))
        .route("/members/{id}/status", post(status_submit))
        .route("/members/{id}/reveal", post(reveal_submit))
        .route("/me", get(me_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/members", get(api_list).post(api_create))
        .route("/members/count", get(api_count))
        .route("/members/export", get(export))
        .route("/members/import", post(api_import))
        .route("/members/import/template", get(template))
        .route("/members/{id}", get(api_get).put(api_update))
        .route("/members/{id}/history", get(api_history))
        .route("/members/{id}/status", post(api_status))
        .route("/members/{id}/reveal", post(api_reveal))
        .route("/me/member", get(api_me_member))
}

/// The list filter as typed into the form (numbers as text, so bad input
/// re-renders with a message instead of a 400).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub name: String,
    pub status: String,
    pub org_id: String,
    pub min_age: String,
    pub max_age: String,
    pub join_year: String,
    pub gender: String,
    pub ethnicity: String,
    pub sort: String,
    pub order: String,
    pub page: String,
    pub per_page: String,
}

impl ListQuery {
    fn filter(&self) -> std::result::Result<MemberFilter, String> {
        let num = |s: &str, label: &str| -> std::result::Result<Option<i32>, String> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                s.trim().parse::<i32>().map(Some).map_err(|_| format!("{label}应为数字"))
            }
        };
        Ok(MemberFilter {
            name: self.name.clone(),
            status: self.status.clone(),
            org_id: if self.org_id.trim().is_empty() {
                None
            } else {
                Some(self.org_id.trim().parse().map_err(|_| "组织编号应为数字".to_string())?)
            },
            min_age: num(&self.min_age, "最小年龄")?,
            max_age: num(&self.max_age, "最大年龄")?,
            join_year: num(&self.join_year, "入党年份")?,
            gender: self.gender.clone(),
            ethnicity: self.ethnicity.clone(),
            sort: self.sort.clone(),
            order: self.order.clone(),
        })
    }
    fn paging(&self) -> Result<(i64, i64)> {
        crate::form::paging(&self.page, &self.per_page, 20, 200)
    }
    /// The query string without page (for pager and export links).
    fn base(&self, sort: Option<(&str, &str)>) -> String {
        let (s, o) = sort.unwrap_or((&self.sort, &self.order));
        let pairs = [
            ("name", self.name.as_str()),
            ("status", self.status.as_str()),
            ("org_id", self.org_id.as_str()),
            ("min_age", self.min_age.as_str()),
            ("max_age", self.max_age.as_str()),
            ("join_year", self.join_year.as_str()),
            ("gender", self.gender.as_str()),
            ("ethnicity", self.ethnicity.as_str()),
            ("sort", s),
            ("order", o),
            ("per_page", self.per_page.as_str()),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_urlencoded::to_string(kept).unwrap_or_default()
    }
}

fn status_options(with_all: bool) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if with_all {
        v.push((String::new(), "在册（含发展对象等）".to_string()));
        v.push(("members".into(), "党员（正式+预备）".into()));
    }
    v.extend(MemberStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())));
    if with_all {
        v.push(("inactive".into(), "已转出/去世/出党".into()));
        v.push(("all".into(), "全部".into()));
    }
    v
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    l: Layout,
    f: MemberFilter,
    q: ListQuery,
    org_id: String,
    min_age: String,
    max_age: String,
    join_year: String,
    status_options: Vec<(String, String)>,
    unit_options: Vec<(String, String)>,
    show_org_filter: bool,
    show_unit: bool,
    genders: Vec<&'static str>,
    under_name: String,
    filter_error: String,
    page: Page<MemberRow>,
    pager: Pager,
    offset: usize,
    query: String,
    can_write: bool,
}

impl MembersPage {
    fn sort_href(&self, key: &str) -> String {
        let order = if self.f.sort == key && self.f.order != "desc" { "desc" } else { "asc" };
        format!("/members?{}", self.q.base(Some((key, order))))
    }
    fn sort_mark(&self, key: &str) -> &'static str {
        let current = if self.f.sort.is_empty() { "org" } else { self.f.sort.as_str() };
        match (current == key, self.f.order == "desc") {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        }
    }
}

async fn scope_name(state: &AppState, scope: &MemberScope, f: &MemberFilter, ctx: &Ctx) -> Result<String> {
    if let (MemberScope::Subtree { org, .. }, Some(id)) = (scope, f.org_id) {
        return Ok(store_org::get(state.store.db.r(), org, id).await?.name);
    }
    Ok(ctx.actor()?.org.as_ref().map(|o| o.name.clone()).unwrap_or_default())
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let actor = ctx.actor()?;
    let (page_no, per_page) = q.paging()?;
    let (f, filter_error) = match q.filter() {
        Ok(f) => (f, String::new()),
        Err(e) => (MemberFilter { name: q.name.clone(), ..Default::default() }, e),
    };
    let (page, filter_error) = match store_member::list(&state.store, &scope, &f, page_no, per_page).await {
        Ok(p) => (p, filter_error),
        Err(StoreError::Invalid(e)) => {
            (Page { items: Vec::new(), total: 0, page: 1, per_page }, crate::form::messages(e))
        }
        Err(e) => return Err(e.into()),
    };
    // The org filter: units for the committee, the unit's orgs for a unit
    // administrator; a branch secretary's scope is one branch (no filter).
    let org_kinds = match actor.role {
        xianfeng_core::auth::Role::CommitteeAdmin => vec!["unit"],
        xianfeng_core::auth::Role::UnitAdmin => vec!["party_committee", "general_branch", "branch"],
        _ => Vec::new(),
    };
    let mut unit_options: Vec<(String, String)> = Vec::new();
    if !org_kinds.is_empty() {
        let scope = ctx.org_scope()?;
        for kind in org_kinds {
            let page =
                store_org::search(&state.store, &scope, &OrgFilter { kind: kind.into(), ..Default::default() }, 1, 500)
                    .await?;
            unit_options.extend(page.items.into_iter().map(|u| (u.id.to_string(), u.name)));
        }
        if let Some(id) = f.org_id
            && !unit_options.iter().any(|(k, _)| *k == id.to_string())
        {
            unit_options.push((id.to_string(), format!("组织编号 {id}")));
        }
    }
    let show_org_filter = !unit_options.is_empty();
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
        unit_options,
        show_org_filter,
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

#[derive(Template)]
#[template(path = "member_form.html")]
struct MemberFormPage {
    l: Layout,
    f: MemberInput,
    errors: Errors,
    creating: bool,
    version: i64,
    action: String,
    back: String,
    shown: Vec<&'static str>,
    id_hint: &'static str,
    phone_hint: &'static str,
    branch_hint: String,
    gender_options: Vec<(String, String)>,
    ethnicity_options: Vec<(String, String)>,
    education_options: Vec<(String, String)>,
    category_options: Vec<(String, String)>,
    rank_options: Vec<(String, String)>,
    status_options: Vec<(String, String)>,
    branch_options: Vec<(String, String)>,
    group_options: Vec<(String, String)>,
}

const SHOWN: [&str; 18] = [
    "name",
    "gender",
    "ethnicity",
    "id_card",
    "birth_date",
    "education",
    "category",
    "phone",
    "position",
    "cadre_rank",
    "native_place",
    "address",
    "community",
    "status",
    "join_date",
    "full_date",
    "org_id",
    "group_id",
];

async fn form_view(
    state: &AppState,
    ctx: &Ctx,
    f: MemberInput,
    errors: Errors,
    edit: Option<&MemberDetail>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let orgs = store_member::branch_lookup(&state.store, &scope).await?;
    let branches: Vec<_> = orgs.iter().filter(|o| o.kind() == OrgKind::Branch).collect();
    let branch_options = if branches.len() <= 600 {
        let mut v: Vec<(String, String)> = branches.iter().map(|b| (b.id.to_string(), b.name.clone())).collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    } else {
        Vec::new()
    };
    let chosen_branch = opt_num::<i64>(&f.org_id);
    let group_options = orgs
        .iter()
        .filter(|o| o.kind() == OrgKind::Group && (chosen_branch.is_none() || o.parent_id == chosen_branch))
        .take(600)
        .map(|g| {
            let parent = orgs.iter().find(|b| Some(b.id) == g.parent_id).map(|b| b.name.as_str()).unwrap_or("");
            (g.id.to_string(), format!("{parent} / {}", g.name))
        })
        .collect();
    let branch_hint = match chosen_branch.and_then(|id| branches.iter().find(|b| b.id == id)) {
        Some(b) => b.name.clone(),
        None => "填写党支部的组织编号（可在组织架构中查看）".into(),
    };
    let (title, action, back, creating, version) = match edit {
        Some(m) => (
            format!("编辑 {}", m.name),
            format!("/members/{}/edit", m.id),
            format!("/members/{}", m.id),
            false,
            m.version,
        ),
        None => ("新增党员".to_string(), "/members/new".to_string(), "/members".to_string(), true, 0),
    };
    let mut l = Layout::new(ctx, title, "/members").crumb("党员管理", "").crumb("党员名册", "/members");
    if let Some(m) = edit {
        l = l.crumb(m.name.clone(), format!("/members/{}", m.id));
    }
    let mut res = render(&MemberFormPage {
        l: l.crumb(if creating { "新增" } else { "编辑" }, ""),
        f,
        creating,
        version,
        action,
        back,
        shown: SHOWN.to_vec(),
        id_hint: if creating {
            "18位，末位可为X；保存后加密存储"
        } else {
            "不修改请留空；保存后加密存储"
        },
        phone_hint: if creating { "" } else { "不修改请留空" },
        branch_hint,
        gender_options: options(&core_member::GENDERS),
        ethnicity_options: options(&core_member::ETHNICITIES),
        education_options: options(&core_member::EDUCATIONS),
        category_options: options(&core_member::CATEGORIES),
        rank_options: options(&core_member::CADRE_RANKS),
        status_options: status_options(false),
        branch_options,
        group_options,
        errors: errors.clone(),
    })?;
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
struct NewQ {
    #[serde(default)]
    org_id: String,
}

async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewQ>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let f = MemberInput { org_id: q.org_id, status: "full".into(), ..Default::default() };
    form_view(&state, &ctx, f, Errors::default(), None).await
}

#[derive(Deserialize)]
struct MemberForm {
    #[serde(flatten)]
    input: MemberInput,
    #[serde(default)]
    version: String,
}

async fn new_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<MemberForm>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    match store_member::create(&state.store, &scope, &ctx.who(), &f.input).await {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}?ok=created", m.id)).into_response()),
        Err(StoreError::Invalid(e)) => form_view(&state, &ctx, f.input, Errors(e), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let m = store_member::get(&state.store, &scope, id).await?;
    form_view(&state, &ctx, m.to_input(), Errors::default(), Some(&m)).await
}

async fn edit_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let version = opt_num::<i64>(&f.version).unwrap_or(0);
    match store_member::update(&state.store, &scope, &ctx.who(), id, &f.input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let m = store_member::get(&state.store, &scope, id).await?;
            form_view(&state, &ctx, f.input, Errors(e), Some(&m)).await
        }
        Err(StoreError::Stale) => {
            let m = store_member::get(&state.store, &scope, id).await?;
            let e = vec![xianfeng_core::FieldError::new(
                "_",
                "该党员信息已被他人修改，请核对后重新保存（下方显示的是您填写的内容）",
            )];
            let mut detail = m.clone();
            detail.version = m.version;
            form_view(&state, &ctx, f.input, Errors(e), Some(&detail)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    l: Layout,
    p: MemberDetail,
    join_date: String,
    full_date: String,
    group_name: String,
    can_write: bool,
    can_reveal_id: bool,
    can_reveal_phone: bool,
    revealed_id: String,
    revealed_phone: String,
    next_statuses: Vec<(String, String)>,
    status_form: StatusForm,
    errors: Errors,
    problem: String,
    history: Vec<(String, String, String, String, String)>,
    /// The person's recruitment case, if any.
    case_id: Option<i64>,
    /// Honors named to the person (四好党员 …).
    honors: Vec<String>,
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub struct StatusForm {
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub reason: String,
}

struct DetailExtras {
    revealed: (String, String),
    status_form: StatusForm,
    errors: Errors,
    problem: String,
    flash: String,
}

async fn detail_view(state: &AppState, ctx: &Ctx, id: i64, x: DetailExtras) -> Result<Response> {
    let scope = ctx.member_scope(state).await?;
    let p = store_member::get(&state.store, &scope, id).await?;
    let history = store_member::history(&state.store, &scope, id)
        .await?
        .iter()
        .map(|h| {
            (
                xianfeng_core::text::datetime_ms(h.ts_ms),
                h.username.clone(),
                h.describe(),
                h.effective_date.map(|d| d.to_string()).unwrap_or_default(),
                h.reason.clone(),
            )
        })
        .collect();
    let group_name = match (p.group_id, &scope) {
        (Some(g), MemberScope::Subtree { org, .. }) => {
            store_org::get(state.store.db.r(), org, g).await.map(|o| o.name).unwrap_or_default()
        }
        _ => String::new(),
    };
    let case_id = xianfeng_store::recruitment::case_of_member(&state.store, &scope, p.id).await?.map(|c| c.id);
    let status = MemberStatus::parse(&p.status);
    let next_statuses = status
        .map(|s| s.next().iter().map(|n| (n.as_str().to_string(), n.label().to_string())).collect())
        .unwrap_or_default();
    let fmt = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let l = Layout::new(ctx, p.name.clone(), "/members")
        .crumb("党员管理", "")
        .crumb("党员名册", "/members")
        .crumb(p.name.clone(), "")
        .flash(x.flash);
    let mut res = render(&MemberPage {
        l,
        join_date: fmt(p.join_date),
        full_date: fmt(p.full_date),
        group_name,
        can_write: scope.can_write(),
        can_reveal_id: scope.can_reveal_id_card(),
        can_reveal_phone: scope.can_reveal_phone(),
        revealed_id: x.revealed.0,
        revealed_phone: x.revealed.1,
        next_statuses,
        status_form: StatusForm {
            date: if x.status_form.date.is_empty() {
                xianfeng_core::text::today_cn().to_string()
            } else {
                x.status_form.date.clone()
            },
            ..x.status_form
        },
        errors: x.errors.clone(),
        problem: x.problem,
        history,
        case_id,
        honors: xianfeng_store::campaign::honors_of(&state.store, p.committee_id, p.id).await?,
        p,
    })?;
    if !x.errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
struct FlashQ {
    #[serde(default)]
    ok: String,
}

fn extras() -> DetailExtras {
    DetailExtras {
        revealed: Default::default(),
        status_form: StatusForm::default(),
        errors: Errors::default(),
        problem: String::new(),
        flash: String::new(),
    }
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<FlashQ>,
) -> Result<Response> {
    detail_view(&state, &ctx, id, DetailExtras { flash: flash_text(&q.ok).to_string(), ..extras() }).await
}

fn parse_status(f: &StatusForm) -> Result<(MemberStatus, chrono::NaiveDate)> {
    let mut errs = Vec::new();
    let to = MemberStatus::parse(&f.to);
    if to.is_none() {
        errs.push(xianfeng_core::FieldError::new("to", "请选择变更后的党籍状态"));
    }
    let date = core_member::parse_date(&f.date);
    if date.is_none() {
        errs.push(xianfeng_core::FieldError::new("date", "变更日期格式应为 2025-07-01"));
    }
    if f.reason.trim().is_empty() {
        errs.push(xianfeng_core::FieldError::new("reason", "请填写变更原因"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok((to.expect("checked"), date.expect("checked")))
}

async fn status_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(post): Form<StatusPost>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let f = post.form;
    let version = match crate::form::form_version(&post.version, "党员信息") {
        Ok(v) => v,
        Err(e) => {
            let x = DetailExtras { status_form: f, problem: e.message, ..extras() };
            return detail_view(&state, &ctx, id, x).await;
        }
    };
    let result = match parse_status(&f) {
        Ok((to, date)) => {
            store_member::change_status(&state.store, &scope, &ctx.who(), id, to, date, &f.reason, Some(version))
                .await
                .map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}?ok=status")).into_response()),
        Err(AppError::Stale) => {
            let problem = "党员信息已被他人修改，以下为最新情况，请核对后重新提交".to_string();
            detail_view(&state, &ctx, id, DetailExtras { status_form: f, problem, ..extras() }).await
        }
        Err(AppError::Invalid(e)) => {
            let e = e.into_iter().map(|mut e| {
                if e.field == "status" {
                    e.field = "to".into();
                }
                e
            });
            detail_view(&state, &ctx, id, DetailExtras { status_form: f, errors: Errors(e.collect()), ..extras() })
                .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct RevealForm {
    field: String,
}

async fn reveal_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RevealForm>,
) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let field = Protected::parse(&f.field).ok_or_else(|| AppError::BadRequest("字段无效".into()))?;
    let value = store_member::reveal(&state.store, &scope, &ctx.who(), id, field).await?;
    let revealed = match field {
        Protected::IdCard => (value, String::new()),
        Protected::Phone => (String::new(), value),
    };
    detail_view(&state, &ctx, id, DetailExtras { revealed, ..extras() }).await
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    l: Layout,
    p: MemberDetail,
    join_date: String,
    full_date: String,
}

async fn me_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let actor = ctx.actor()?;
    let id = actor.member_id.ok_or(AppError::NotFound)?;
    let scope = ctx.member_scope(&state).await?;
    let p = store_member::get(&state.store, &scope, id).await?;
    let fmt = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    render(&MePage {
        l: Layout::new(&ctx, "我的档案", "/me").crumb("我的档案", ""),
        join_date: fmt(p.join_date),
        full_date: fmt(p.full_date),
        p,
    })
}

// ----- Excel -----

const EXPORT_CAP: i64 = 200_000;

fn describe_filter(f: &MemberFilter) -> String {
    let mut parts = Vec::new();
    if !f.name.is_empty() {
        parts.push(format!("姓名含“{}”", f.name));
    }
    let status = status_options(true).into_iter().find(|(k, _)| *k == f.status).map(|(_, v)| v).unwrap_or_default();
    if !status.is_empty() {
        parts.push(status);
    }
    if let Some(a) = f.min_age {
        parts.push(format!("{a}岁以上"));
    }
    if let Some(a) = f.max_age {
        parts.push(format!("{a}岁以下"));
    }
    if let Some(y) = f.join_year {
        parts.push(format!("{y}年入党"));
    }
    if !f.gender.is_empty() {
        parts.push(f.gender.clone());
    }
    if parts.is_empty() { "无".into() } else { parts.join("，") }
}

/// Exports exactly what the filters show, masked; audited.
async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_export() {
        return Err(AppError::Forbidden);
    }
    let f = q.filter().map_err(AppError::BadRequest)?;
    let rows = store_member::list_all(&state.store, &scope, &f, EXPORT_CAP).await?;
    let name = scope_name(&state, &scope, &f, &ctx).await?;
    let today = xianfeng_core::text::today_cn();
    let bytes = crate::xlsx::members_export(&rows, &name, &describe_filter(&f), today)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let file = crate::xlsx::export_file_name(&name, today);
    crate::layout::download(
        &state,
        &ctx,
        "member_export",
        format!("{}条", rows.len()),
        &file,
        crate::layout::XLSX,
        bytes,
    )
    .await
}

async fn template(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    ctx.actor()?;
    crate::layout::download(
        &state,
        &ctx,
        "member_template",
        "",
        "党员信息导入模板.xlsx",
        crate::layout::XLSX,
        crate::xlsx::members_template(),
    )
    .await
}

#[derive(Template)]
#[template(path = "member_import.html")]
struct ImportPage {
    l: Layout,
    report: Option<ImportReport>,
    file_error: String,
    max_mb: usize,
    max_rows: usize,
}

fn import_page_of(state: &AppState, ctx: &Ctx, report: Option<ImportReport>, file_error: String) -> Result<Response> {
    let ok = report.as_ref().map(|r| r.errors.is_empty()).unwrap_or(true) && file_error.is_empty();
    let mut res = render(&ImportPage {
        l: Layout::new(ctx, "批量导入党员", "/members/import").crumb("党员管理", "").crumb("批量导入", ""),
        report,
        file_error,
        max_mb: state.import_limits.max_file_bytes / (1024 * 1024),
        max_rows: state.import_limits.max_rows,
    })?;
    if !ok {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn import_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    import_page_of(&state, &ctx, None, String::new())
}

/// Parses and imports one uploaded file: all rows or none.
async fn run_import(state: &AppState, ctx: &Ctx, bytes: &[u8], file_name: &str) -> Result<ImportReport> {
    let scope = ctx.member_scope(state).await?;
    if !scope.can_write() {
        return Err(AppError::Forbidden);
    }
    let limits = *state.import_limits;
    let who = ctx.who();
    Ok(store_member::import_file(&state.store, &scope, &who, bytes.to_vec(), file_name, limits, &mut |_| {}).await?)
}

async fn import_submit(State(state): State<AppState>, ctx: Ctx, mut multipart: Multipart) -> Result<Response> {
    let mut file: Option<(String, Bytes)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload.xlsx").to_string();
            let limit = state.import_limits.max_file_bytes;
            let data =
                field.bytes().await.map_err(|_| AppError::TooLarge(format!("文件超过{}MB", limit / 1024 / 1024)))?;
            if data.len() > limit {
                return import_page_of(
                    &state,
                    &ctx,
                    None,
                    format!("文件超过{}MB，请拆分后分批导入", limit / 1024 / 1024),
                );
            }
            file = Some((name, data));
        }
    }
    let Some((name, data)) = file else {
        return import_page_of(&state, &ctx, None, "请选择要上传的 .xlsx 文件".into());
    };
    if data.is_empty() {
        return import_page_of(&state, &ctx, None, "上传的文件是空的".into());
    }
    match run_import(&state, &ctx, &data, &name).await {
        Ok(report) => import_page_of(&state, &ctx, Some(report), String::new()),
        Err(AppError::BadRequest(m)) | Err(AppError::TooLarge(m)) => import_page_of(&state, &ctx, None, m),
        Err(e) => Err(e),
    }
}

// ----- API -----

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<MemberRow>>> {
    let scope = ctx.member_scope(&state).await?;
    let f = q.filter().map_err(AppError::BadRequest)?;
    let (page, per_page) = q.paging()?;
    Ok(Json(store_member::list(&state.store, &scope, &f, page, per_page).await?))
}

async fn api_count(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let f = q.filter().map_err(AppError::BadRequest)?;
    Ok(Json(serde_json::json!({ "total": store_member::count(&state.store, &scope, &f).await? })))
}

async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<MemberDetail>> {
    let scope = ctx.member_scope(&state).await?;
    Ok(Json(store_member::get(&state.store, &scope, id).await?))
}

async fn api_me_member(State(state): State<AppState>, ctx: Ctx) -> Result<Json<MemberDetail>> {
    let id = ctx.actor()?.member_id.ok_or(AppError::NotFound)?;
    let scope = ctx.member_scope(&state).await?;
    Ok(Json(store_member::get(&state.store, &scope, id).await?))
}

async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(f): Json<MemberInput>) -> Result<Response> {
    let scope = ctx.member_scope(&state).await?;
    let m = store_member::create(&state.store, &scope, &ctx.who(), &f).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

#[derive(Deserialize)]
struct UpdateJson {
    #[serde(flatten)]
    input: MemberInput,
    version: i64,
}

async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<UpdateJson>,
) -> Result<Json<MemberDetail>> {
    let scope = ctx.member_scope(&state).await?;
    Ok(Json(store_member::update(&state.store, &scope, &ctx.who(), id, &f.input, f.version).await?))
}

async fn api_history(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let items = store_member::history(&state.store, &scope, id).await?;
    let total = items.len();
    Ok(Json(serde_json::json!({ "items": items, "total": total, "page": 1, "per_page": total.max(1) })))
}

async fn api_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ApiStatus>,
) -> Result<Json<MemberDetail>> {
    let scope = ctx.member_scope(&state).await?;
    let version = crate::form::api_version(b.version, "党员信息").map_err(|e| AppError::Invalid(vec![e]))?;
    let (to, date) = parse_status(&b.form)?;
    let d = store_member::change_status(&state.store, &scope, &ctx.who(), id, to, date, &b.form.reason, Some(version))
        .await?;
    Ok(Json(d))
}

/// A status change from the page, with the member version the page showed.
#[derive(Deserialize, Default)]
struct StatusPost {
    #[serde(flatten)]
    form: StatusForm,
    #[serde(default)]
    version: String,
}

/// A status change through the API names the member version the client read.
#[derive(Deserialize)]
struct ApiStatus {
    #[serde(flatten)]
    form: StatusForm,
    version: Option<i64>,
}

async fn api_reveal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(f): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.member_scope(&state).await?;
    let name = f.get("field").and_then(|v| v.as_str()).unwrap_or("");
    let field = Protected::parse(name).ok_or_else(|| AppError::BadRequest("field 应为 id_card 或 phone".into()))?;
    let value = store_member::reveal(&state.store, &scope, &ctx.who(), id, field).await?;
    Ok(Json(serde_json::json!({ "field": field.as_str(), "value": value })))
}

/// Upload the .xlsx as the raw request body (or as multipart field "file").
async fn api_import(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response> {
    if body.len() > state.import_limits.max_file_bytes {
        return Err(AppError::TooLarge(format!("文件超过{}MB", state.import_limits.max_file_bytes / 1024 / 1024)));
    }
    let name = headers.get("x-file-name").and_then(|v| v.to_str().ok()).unwrap_or("api-upload.xlsx").to_string();
    let report = run_import(&state, &ctx, &body, &name).await?;
    if report.errors.is_empty() {
        return Ok((StatusCode::CREATED, Json(report)).into_response());
    }
    // Refused rows: the error envelope every client reads, with the report
    // (each row and column) beside it.
    let first = &report.errors[0];
    let message =
        format!("未导入：共{}处错误，例如第{}行“{}”：{}", report.errors.len(), first.row, first.column, first.reason);
    let mut body = serde_json::to_value(&report).map_err(|e| AppError::Internal(e.to_string()))?;
    body["error"] = serde_json::json!({ "code": "invalid", "message": message });
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "member",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::Members, 10, "党员名册", "/members", STAFF),
            MenuEntry::new(Section::Members, 20, "新增党员", "/members/new", STAFF),
            MenuEntry::new(Section::Members, 30, "批量导入", "/members/import", STAFF),
            MenuEntry::new(Section::Mine, 10, "我的档案", "/me", MEMBER),
        ],
        operations: &[
            ("get", "/me/member", "member", "我的党员档案（党员角色）", "", 200),
            ("get", "/members", "member", "党员检索（姓名、状态、组织、年龄、入党年份；排序、分页）", "", 200),
            ("post", "/members", "member", "新增党员", "MemberInput", 201),
            ("get", "/members/count", "member", "按条件计数", "", 200),
            ("get", "/members/export", "member", "按当前条件导出 .xlsx（脱敏）", "", 200),
            ("post", "/members/import", "member", "导入 .xlsx（请求体为文件；全部成功或全部不写入）", "Xlsx", 201),
            ("get", "/members/import/template", "member", "下载导入模板", "", 200),
            ("get", "/members/{id}", "member", "党员详情（敏感字段脱敏）", "", 200),
            ("put", "/members/{id}", "member", "修改党员（带 version 乐观锁）", "MemberUpdate", 200),
            ("get", "/members/{id}/history", "member", "党员变更记录", "", 200),
            ("post", "/members/{id}/status", "member", "变更党籍状态（日期、原因；须带 version）", "StatusChange", 200),
            ("post", "/members/{id}/reveal", "member", "查看完整敏感字段（按策略授权，记入审计）", "Reveal", 200),
        ],
    }
};
