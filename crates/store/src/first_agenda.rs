//! 第一议题 follow-up (part of the meeting area): the tasks a leadership
//! meeting's first agenda item produced, with owner, due date, status and
//! evidence. Overdue is derived (open and past due), never stored.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use xianfeng_core::FieldError;
use xianfeng_core::auth::{Myself, OrgScope};
pub use xianfeng_core::first_agenda::TaskStatus;
use xianfeng_core::first_agenda::{check_update, status_label};
use xianfeng_core::text::{now_ms, today_cn};

use crate::audit::{Event, append};
use crate::db::Q;
use crate::meeting::{self, MeetingRow};
use crate::org::scope_where;
use crate::{Result, Store, StoreError, Who, q};
use xianfeng_core::auth::OrgWrite;
use xianfeng_core::auth::Role;
use xianfeng_core::states::sql_in;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TaskRow {
    pub committee_id: i64,
    pub id: i64,
    pub meeting_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub meeting_topic: String,
    pub title: String,
    pub owner_user_id: Option<i64>,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub status: TaskStatus,
    pub evidence: String,
    pub done_on: Option<NaiveDate>,
}

impl TaskRow {
    pub fn overdue(&self) -> bool {
        self.status == TaskStatus::Open && self.due_on < today_cn()
    }
    pub fn is_open(&self) -> bool {
        self.status == TaskStatus::Open
    }
    pub fn is_done(&self) -> bool {
        self.status == TaskStatus::Done
    }
    pub fn status_label(&self) -> &'static str {
        status_label(self.status, self.due_on, today_cn())
    }
    pub fn done_text(&self) -> String {
        self.done_on.map(|d| d.to_string()).unwrap_or_default()
    }
}

const COLS: &str = "t.committee_id, t.id, t.meeting_id, t.org_id, o.name AS org_name, m.topic AS meeting_topic, t.title, \
    t.owner_user_id, t.owner_name, t.due_on, t.status, t.evidence, t.done_on";
const FROM: &str = " FROM first_agenda_tasks t JOIN orgs o ON o.committee_id = t.committee_id AND o.id = t.org_id \
    JOIN meetings m ON m.committee_id = t.committee_id AND m.id = t.meeting_id";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaskInput {
    pub title: String,
    /// An account responsible for the task (shown on their home page), or none.
    pub owner_user_id: Option<i64>,
    pub owner_name: String,
    pub due_on: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaskUpdate {
    /// open | done
    pub status: String,
    pub evidence: String,
}

/// Tasks of one meeting.
#[tracing::instrument(skip_all)]
pub async fn of_meeting(store: &Store, m: &MeetingRow) -> Result<Vec<TaskRow>> {
    store
        .db
        .r()
        .fetch_all(q!(
            format!("SELECT {COLS}{FROM} WHERE t.committee_id = $1 AND t.meeting_id = $2 ORDER BY t.due_on, t.id"),
            m.committee_id,
            m.id
        ))
        .await
}

/// Users who may own a task of an org: accounts bound to an org of the same unit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OwnerOption {
    pub user_id: i64,
    pub display_name: String,
}

#[tracing::instrument(skip_all)]
pub async fn owner_options(store: &Store, m: &MeetingRow) -> Result<Vec<OwnerOption>> {
    store
        .db
        .r()
        .fetch_all(q!(
            format!(
                "SELECT DISTINCT u.id AS user_id, u.display_name FROM user_roles r JOIN users u ON u.id = r.user_id \
             JOIN orgs o ON o.id = r.org_id WHERE o.committee_id = $1 AND u.active = TRUE AND r.role IN {secretaries} \
             ORDER BY u.display_name",
                secretaries = sql_in(&[Role::UnitAdmin, Role::BranchSecretary])
            ),
            m.committee_id
        ))
        .await
}

/// Adds a follow-up task to a meeting that carries a first agenda item.
#[tracing::instrument(skip_all)]
pub async fn add(store: &Store, scope: &OrgWrite, who: &Who, meeting_id: i64, input: &TaskInput) -> Result<TaskRow> {
    let m = meeting::get(store, scope, meeting_id).await?;
    let kinds = meeting::kinds_on(store, m.planned_on).await?;
    if !kinds.find(&m.kind).is_some_and(|k| k.first_agenda) {
        return Err(StoreError::Rule("只有学习第一议题的会议才能登记落实任务".into()));
    }
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new("title", "请填写任务内容（200字以内）"));
    }
    let due = xianfeng_core::meeting::parse_day(&input.due_on);
    if due.is_none() {
        errors.push(FieldError::new("due_on", "请按 2025-07-01 的格式填写完成时限"));
    }
    let owners = owner_options(store, &m).await?;
    let (owner_id, owner_name) = match input.owner_user_id {
        Some(id) => match owners.iter().find(|o| o.user_id == id) {
            Some(o) => (Some(id), o.display_name.clone()),
            None => {
                errors.push(FieldError::new("owner_user_id", "责任人须为本单位的党务账号"));
                (None, String::new())
            }
        },
        None => (None, input.owner_name.trim().to_string()),
    };
    if owner_id.is_none() && owner_name.is_empty() && !errors.iter().any(|e| e.field == "owner_user_id") {
        errors.push(FieldError::new("owner_user_id", "请选择或填写责任人"));
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO first_agenda_tasks (committee_id, id, meeting_id, org_id, title, owner_user_id, owner_name, due_on, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            m.committee_id, id, m.id, m.org_id, title, owner_id, owner_name.clone(), due, TaskStatus::Open.as_str(), now
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("create", "first_agenda_task", id).detail(format!("{title}；责任人{owner_name}")),
    )
    .await?;
    crate::generation::bump_facts(&mut tx, m.committee_id).await?;
    tx.commit().await?;
    get_any(store, m.committee_id, id).await
}

async fn get_any(store: &Store, committee_id: i64, id: i64) -> Result<TaskRow> {
    store
        .db
        .r()
        .fetch_one(q!(format!("SELECT {COLS}{FROM} WHERE t.committee_id = $1 AND t.id = $2"), committee_id, id))
        .await
}

/// A task the caller may see: in their org scope, or their own.
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: Option<&OrgScope>, user_id: i64, id: i64) -> Result<TaskRow> {
    let mut q = Q::new(format!("SELECT {COLS}{FROM} WHERE t.id = "));
    q.bind(id);
    match scope {
        Some(s) => {
            q.push(" AND (t.owner_user_id = ").bind(user_id).push(" OR (1 = 1");
            scope_where(&mut q, s, "o");
            q.push("))");
        }
        None => {
            q.push(" AND t.owner_user_id = ").bind(user_id);
        }
    }
    store.db.r().fetch_one(q).await
}

/// Updates status and evidence: by whoever manages the org, or by the owner.
#[tracing::instrument(skip_all)]
pub async fn update(
    store: &Store,
    scope: Option<&OrgScope>,
    user_id: i64,
    who: &Who,
    id: i64,
    input: &TaskUpdate,
) -> Result<TaskRow> {
    let t = get(store, scope, user_id, id).await?;
    let path = crate::org::anchor_of(store.db.r(), t.org_id).await?.path;
    let may = t.owner_user_id == Some(user_id) || scope.is_some_and(|s| s.can_write() && s.contains(&path));
    if !may {
        return Err(StoreError::Forbidden);
    }
    let status =
        TaskStatus::parse(&input.status).ok_or_else(|| StoreError::invalid("status", "状态应为“进行中”或“已完成”"))?;
    let evidence = check_update(status, &input.evidence)?;
    let done_on = (status == TaskStatus::Done).then(today_cn);
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "UPDATE first_agenda_tasks SET status = $1, evidence = $2, done_on = $3, updated_at = $4 WHERE committee_id = $5 AND id = $6",
            status.as_str(), evidence, done_on, now_ms(), t.committee_id, t.id
        ))
        .await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("update", "first_agenda_task", id).detail(format!("{} → {}", t.status.as_str(), status.as_str())),
    )
    .await?;
    // The branch's first-agenda completion feeds the ranking (排队抓尾).
    crate::generation::bump_facts(&mut tx, t.committee_id).await?;
    tx.commit().await?;
    get_any(store, t.committee_id, id).await
}

/// The signed-in user's own open tasks, overdue first.
#[tracing::instrument(skip_all)]
pub async fn mine(store: &Store, me: &Myself, page: i64, per_page: i64) -> Result<crate::Page<TaskRow>> {
    let q = q!(
        format!("SELECT {COLS}{FROM} WHERE t.owner_user_id = $1 AND t.status = $2"),
        me.user_id(),
        TaskStatus::Open.as_str()
    );
    crate::fetch_page(store, q, "t.due_on, t.id", page, per_page).await
}

/// The filter value for open tasks past their due date (not a status).
pub const OVERDUE: &str = "overdue";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaskFilter {
    pub org_id: Option<i64>,
    /// open | done | overdue | "" (all)
    pub status: String,
    /// Part of the org's name, the owner's name or the task's title.
    pub name: String,
}

/// Tasks in scope (the unit's summary), open first by deadline; with the
/// counts of open, overdue and done tasks the org and name select (whatever
/// the status filter).
#[derive(Debug, Clone, Serialize)]
pub struct TaskSummary {
    pub items: Vec<TaskRow>,
    /// Tasks matching the filter (all pages).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub open: i64,
    pub overdue: i64,
    pub done: i64,
}

#[tracing::instrument(skip_all)]
pub async fn summary(store: &Store, scope: &OrgScope, f: &TaskFilter, page: i64, per_page: i64) -> Result<TaskSummary> {
    let sub = match f.org_id {
        Some(id) => Some(crate::org::get(store.db.r(), scope, id).await?.path),
        None => None,
    };
    let base = |cols: &str| {
        let mut q = Q::new(format!("SELECT {cols}{FROM} WHERE 1 = 1"));
        scope_where(&mut q, scope, "o");
        if let Some(p) = &sub {
            q.push(" AND o.path LIKE ").bind(format!("{p}%"));
        }
        let name = f.name.trim();
        if !name.is_empty() {
            let pattern = format!("%{}%", crate::db::like_escape(name));
            q.push(" AND (o.name LIKE ").bind(pattern.clone()).push(" ESCAPE '\\' OR t.owner_name LIKE ");
            q.bind(pattern.clone()).push(" ESCAPE '\\' OR t.title LIKE ").bind(pattern).push(" ESCAPE '\\')");
        }
        q
    };
    let today = today_cn();
    // A status, and for overdue the date it is past.
    let narrow = |q: &mut Q, status: TaskStatus, past: bool| {
        q.push(" AND t.status = ").bind(status.as_str());
        if past {
            q.push(" AND t.due_on < ").bind(today);
        }
    };
    let count = |status: TaskStatus, past: bool| {
        let mut q = base("COUNT(*) AS v");
        narrow(&mut q, status, past);
        q
    };
    let open = store.db.r().fetch_scalar_i64(count(TaskStatus::Open, false)).await?;
    let overdue = store.db.r().fetch_scalar_i64(count(TaskStatus::Open, true)).await?;
    let done = store.db.r().fetch_scalar_i64(count(TaskStatus::Done, false)).await?;
    let mut q = base(COLS);
    match f.status.as_str() {
        OVERDUE => narrow(&mut q, TaskStatus::Open, true),
        code => {
            if let Some(st) = TaskStatus::parse(code) {
                narrow(&mut q, st, false);
            }
        }
    }
    let order = format!(
        "CASE WHEN t.status = {open} THEN 0 ELSE 1 END, t.due_on, t.id",
        open = xianfeng_core::states::sql(TaskStatus::Open)
    );
    let p: crate::Page<TaskRow> = crate::fetch_page(store, q, &order, page, per_page).await?;
    Ok(TaskSummary { items: p.items, total: p.total, page: p.page, per_page: p.per_page, open, overdue, done })
}
