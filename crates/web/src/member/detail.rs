//! A member's record: details, history, status changes, revealing protected fields, and the member's own page.

use super::*;

#[derive(Template)]
#[template(path = "member.html")]
pub(crate) struct MemberPage {
    pub(crate) l: Layout,
    pub(crate) p: MemberDetail,
    pub(crate) join_date: String,
    pub(crate) full_date: String,
    pub(crate) group_name: String,
    pub(crate) can_write: bool,
    pub(crate) can_reveal_id: bool,
    pub(crate) can_reveal_phone: bool,
    pub(crate) revealed_id: String,
    pub(crate) revealed_phone: String,
    pub(crate) next_statuses: Vec<(String, String)>,
    pub(crate) status_form: StatusForm,
    pub(crate) errors: Errors,
    pub(crate) problem: String,
    pub(crate) history: Vec<(String, String, String, String, String)>,
    /// The person's recruitment case, if any.
    pub(crate) case_id: Option<i64>,
    /// Honors named to the person (四好党员 …).
    pub(crate) honors: Vec<String>,
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

pub(crate) struct DetailExtras {
    pub(crate) revealed: (String, String),
    pub(crate) status_form: StatusForm,
    pub(crate) errors: Errors,
    pub(crate) problem: String,
    pub(crate) flash: String,
}

pub(crate) async fn detail_view(state: &AppState, ctx: &Ctx, id: i64, x: DetailExtras) -> Result<Response> {
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
    let status = Some(p.status);
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
        honors: xianfeng_store::campaign::honors_of(&state.store, &scope, p.committee_id, p.id).await?,
        p,
    })?;
    if !x.errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
pub(crate) struct FlashQ {
    #[serde(default)]
    pub(crate) ok: String,
}

pub(crate) fn extras() -> DetailExtras {
    DetailExtras {
        revealed: Default::default(),
        status_form: StatusForm::default(),
        errors: Errors::default(),
        problem: String::new(),
        flash: String::new(),
    }
}

pub(crate) async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<FlashQ>,
) -> Result<Response> {
    detail_view(&state, &ctx, id, DetailExtras { flash: flash_text(&q.ok).to_string(), ..extras() }).await
}

pub(crate) fn parse_status(f: &StatusForm) -> Result<(MemberStatus, chrono::NaiveDate)> {
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

pub(crate) async fn status_submit(
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
        Ok((to, date)) => store_member::change_status(
            &state.store,
            &scope.writer()?,
            &ctx.who(),
            id,
            to,
            date,
            &f.reason,
            Some(version),
        )
        .await
        .map_err(AppError::from),
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
pub(crate) struct RevealForm {
    pub(crate) field: String,
}

pub(crate) async fn reveal_submit(
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
pub(crate) struct MePage {
    pub(crate) l: Layout,
    pub(crate) p: MemberDetail,
    pub(crate) join_date: String,
    pub(crate) full_date: String,
}

pub(crate) async fn me_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
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
