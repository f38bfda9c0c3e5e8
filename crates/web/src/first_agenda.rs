//! 第一议题 follow-up tasks (第一议题落实): tasks registered on a meeting, the
//! committee's overview and each owner's own tasks.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, patch, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use xianfeng_store::StoreError;
use xianfeng_store::first_agenda::{self as store_tasks, TaskFilter, TaskInput, TaskStatus, TaskUpdate};

use crate::AppState;
use crate::error::Result;
use crate::form::Errors;
use crate::layout::{Layout, render};
use crate::meeting::{detail_view_with, flash};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/tasks", post(task_add_submit))
        .route("/first-agenda", get(tasks_page))
        .route("/first-agenda/tasks/{id}", post(task_update_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/tasks", post(api_task_add))
        .route("/first-agenda-tasks", get(api_tasks))
        .route("/first-agenda-tasks/{id}", patch(api_task_update))
        .route("/me/tasks", get(api_my_tasks))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TaskForm {
    title: String,
    owner_user_id: String,
    owner_name: String,
    due_on: String,
}

impl TaskForm {
    fn input(&self) -> TaskInput {
        TaskInput {
            title: self.title.clone(),
            owner_user_id: self.owner_user_id.trim().parse().ok(),
            owner_name: self.owner_name.clone(),
            due_on: self.due_on.clone(),
        }
    }
}

async fn task_add_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<TaskForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    match store_tasks::add(&state.store, &scope.writer()?, &ctx.who(), id, &f.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?ok=task#tasks")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            detail_view_with(&state, &ctx, &headers, id, "", Errors(errs), f.input()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TaskUpdateForm {
    status: String,
    evidence: String,
    back: String,
}

async fn task_update_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TaskUpdateForm>,
) -> Result<Response> {
    let actor = ctx.actor()?;
    let scope = ctx.org_scope().ok();
    let input = TaskUpdate { status: f.status.clone(), evidence: f.evidence.clone() };
    let back =
        if f.back.starts_with('/') && !f.back.starts_with("//") { f.back.clone() } else { "/first-agenda".into() };
    match store_tasks::update(&state.store, scope.as_ref(), actor.user_id, &ctx.who(), id, &input).await {
        Ok(_) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(Redirect::to(&format!("{back}{sep}ok=task_updated")).into_response())
        }
        Err(StoreError::Invalid(errs)) => tasks_view(&state, &ctx, TasksQ::default(), Errors(errs)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "first_agenda.html")]
struct TasksPage {
    l: Layout,
    summary: store_tasks::TaskSummary,
    mine: Vec<store_tasks::TaskRow>,
    q: TasksQ,
    /// The unit or org the list is narrowed to, chosen by name (none for a
    /// caller without an org scope).
    org: Option<crate::picker::Picker>,
    pager: crate::layout::Pager,
    errors: Errors,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct TasksQ {
    org_id: String,
    /// The org picker's search text.
    org_id_q: String,
    status: String,
    /// Part of the org's name, the owner's name or the task's title.
    name: String,
    ok: String,
    page: String,
    per_page: String,
}

impl TasksQ {
    /// Whether only the overdue tasks are asked for (a filter of its own,
    /// not a task status).
    fn overdue_only(&self) -> bool {
        self.status == store_tasks::OVERDUE
    }
    fn filter(&self) -> Result<TaskFilter> {
        Ok(TaskFilter {
            org_id: match self.org_id.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| crate::error::AppError::BadRequest("org_id应为数字".into()))?),
            },
            status: self.status.clone(),
            name: self.name.clone(),
        })
    }
}

async fn tasks_view(state: &AppState, ctx: &Ctx, q: TasksQ, errors: Errors) -> Result<Response> {
    let actor = ctx.actor()?;
    let (page, per_page) = crate::form::paging(&q.page, &q.per_page, 50, 500)?;
    let mut f = q.filter()?;
    let (summary, org) = match ctx.org_scope() {
        Ok(scope) => {
            let org =
                crate::picker::list_filter(&state.store, &scope, "单位或组织", &q.org_id, &q.org_id_q, &mut f.org_id)
                    .await?;
            (store_tasks::summary(&state.store, &scope, &f, page, per_page).await?, Some(org))
        }
        Err(_) => (
            store_tasks::TaskSummary { items: Vec::new(), total: 0, page, per_page, open: 0, overdue: 0, done: 0 },
            None,
        ),
    };
    // One's own open tasks are few by nature: all of them.
    let mine = store_tasks::mine(&state.store, &actor.myself(), 1, xianfeng_store::EVERY_ROW).await?.items;
    let base = serde_urlencoded::to_string([
        ("status", q.status.as_str()),
        ("org_id", org.as_ref().map(|o| o.value()).unwrap_or_default()),
        ("name", q.name.as_str()),
        ("per_page", per_page.to_string().as_str()),
    ])
    .unwrap_or_default();
    render(&TasksPage {
        l: Layout::new(ctx, "第一议题落实", "/first-agenda")
            .crumb("组织生活", "/meetings")
            .crumb("第一议题落实", "")
            .flash(flash(&q.ok)),
        pager: crate::layout::Pager::new(page, per_page, summary.total, base),
        summary,
        mine,
        org,
        q,
        errors,
    })
}

async fn tasks_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<TasksQ>) -> Result<Response> {
    tasks_view(&state, &ctx, q, Errors::default()).await
}

async fn api_task_add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<TaskInput>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let t = store_tasks::add(&state.store, &scope.writer()?, &ctx.who(), id, &b).await?;
    Ok((axum::http::StatusCode::CREATED, Json(t)).into_response())
}

async fn api_task_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<TaskUpdate>,
) -> Result<Json<store_tasks::TaskRow>> {
    let actor = ctx.actor()?;
    let scope = ctx.org_scope().ok();
    Ok(Json(store_tasks::update(&state.store, scope.as_ref(), actor.user_id, &ctx.who(), id, &b).await?))
}

async fn api_tasks(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TasksQ>,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<store_tasks::TaskSummary>> {
    let scope = ctx.org_scope()?;
    let f = q.filter()?;
    let (page, per_page) = p.api()?;
    Ok(Json(store_tasks::summary(&state.store, &scope, &f, page, per_page).await?))
}

async fn api_my_tasks(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<store_tasks::TaskRow>>> {
    let actor = ctx.actor()?;
    let (page, per_page) = p.api()?;
    Ok(Json(store_tasks::mine(&state.store, &actor.myself(), page, per_page).await?))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "first_agenda",
        pages,
        api,
        menu: &[MenuEntry::new(Section::OrgLife, 40, "第一议题落实", "/first-agenda", STAFF)],
        operations: &[
            (
                "post",
                "/meetings/{id}/tasks",
                "meeting",
                "登记第一议题落实任务（责任人、完成时限）",
                "TaskInput",
                201,
                "Task",
            ),
            (
                "get",
                "/first-agenda-tasks",
                "meeting",
                "第一议题落实任务汇总（status=open/done/overdue、org_id、name：组织、责任人或任务中的字、page、per_page）",
                "",
                200,
                "TaskSummary",
            ),
            (
                "patch",
                "/first-agenda-tasks/{id}",
                "meeting",
                "更新落实任务状态与佐证（管理者或责任人）",
                "TaskUpdate",
                200,
                "Task",
            ),
            ("get", "/me/tasks", "meeting", "我负责的落实任务", "", 200, "Page<Task>"),
        ],
    }
};
