//! One case: its steps, the next step form, recording a step (page and API).

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct StepForm {
    pub(crate) version: String,
    pub(crate) step: String,
    pub(crate) action: String,
    pub(crate) on: String,
    pub(crate) responsible: String,
    pub(crate) note: String,
    pub(crate) people: String,
    pub(crate) hours: String,
    pub(crate) notice_from: String,
    pub(crate) notice_to: String,
    pub(crate) entitled: String,
    pub(crate) present: String,
    pub(crate) votes_for: String,
    pub(crate) against: String,
    pub(crate) abstain: String,
    pub(crate) outcome: String,
    pub(crate) extend_months: String,
    pub(crate) return_to: String,
}

impl StepForm {
    /// The event the form describes; malformed fields are named.
    pub(crate) fn event(&self) -> std::result::Result<Event, Vec<FieldError>> {
        let mut errs = Vec::new();
        let step = self.step.trim().parse::<u8>().ok().filter(|s| core_rec::step(*s).is_some());
        if step.is_none() {
            errs.push(FieldError::new("step", "步骤无效"));
        }
        let action = Action::parse(self.action.trim());
        if action.is_none() {
            errs.push(FieldError::new("action", "操作无效"));
        }
        let on = parse_date(&self.on);
        if on.is_none() {
            errs.push(FieldError::new("on", "请按 2025-07-01 的格式填写日期"));
        }
        let mut num = |field: &str, label: &str, v: &str| -> Option<u32> {
            if v.trim().is_empty() {
                return None;
            }
            let n = v.trim().parse::<u32>().ok();
            if n.is_none() {
                errs.push(FieldError::new(field, format!("{label}应为整数")));
            }
            n
        };
        let hours = num("hours", "学时", &self.hours);
        let extend_months = num("extend_months", "延长月数", &self.extend_months);
        let return_to = num("return_to", "打回步骤", &self.return_to).map(|n| n as u8);
        let counts = [
            num("entitled", "应到人数", &self.entitled),
            num("present", "实到人数", &self.present),
            num("votes_for", "赞成人数", &self.votes_for),
            num("against", "反对人数", &self.against),
            num("abstain", "弃权人数", &self.abstain),
        ];
        let votes = counts.iter().any(Option::is_some).then(|| Votes {
            entitled: counts[0].unwrap_or(0),
            present: counts[1].unwrap_or(0),
            for_: counts[2].unwrap_or(0),
            against: counts[3].unwrap_or(0),
            abstain: counts[4].unwrap_or(0),
        });
        let mut date = |field: &str, v: &str| -> Option<NaiveDate> {
            if v.trim().is_empty() {
                return None;
            }
            let d = parse_date(v);
            if d.is_none() {
                errs.push(FieldError::new(field, "请按 2025-07-01 的格式填写日期"));
            }
            d
        };
        let notice_from = date("notice_from", &self.notice_from);
        let notice_to = date("notice_to", &self.notice_to);
        let outcome = match self.outcome.trim() {
            "" => None,
            o => {
                let x = Outcome::parse(o);
                if x.is_none() {
                    errs.push(FieldError::new("outcome", "审批结果无效"));
                }
                x
            }
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Event {
            step: step.unwrap_or(1),
            action: action.unwrap_or(Action::Record),
            on: on.unwrap_or_default(),
            data: StepData {
                responsible: self.responsible.trim().into(),
                note: self.note.trim().into(),
                people: self.people.trim().into(),
                hours,
                notice_from,
                notice_to,
                votes,
                outcome,
                extend_months,
                return_to,
            },
        })
    }
}

/// A step's line on the case page.
pub(crate) struct StepLine {
    pub(crate) no: u8,
    pub(crate) stage: &'static str,
    pub(crate) stage_start: bool,
    pub(crate) label: &'static str,
    pub(crate) by_higher: bool,
    pub(crate) done: String,
    pub(crate) mark: StepMark,
}

/// How a step's line is marked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepMark {
    Done,
    /// Waiting for the higher committee's approval.
    Pending,
    Next,
    Later,
}

#[derive(Template)]
#[template(path = "recruitment_case.html")]
pub(crate) struct CasePage {
    pub(crate) l: Layout,
    pub(crate) d: CaseDetail,
    pub(crate) steps: Vec<StepLine>,
    /// The next step's form, when the caller may act on it.
    pub(crate) next: Option<NextForm>,
    /// The pending approval the caller may decide.
    pub(crate) decide: Option<(u8, &'static str, Vec<u8>)>,
    pub(crate) form: StepForm,
    pub(crate) errors: Errors,
    pub(crate) message: String,
    pub(crate) today: String,
}

pub(crate) struct NextForm {
    pub(crate) no: u8,
    pub(crate) label: &'static str,
    pub(crate) action: &'static str,
    pub(crate) action_label: &'static str,
    pub(crate) needs: &'static str,
    pub(crate) earliest: String,
}

pub(crate) fn needs_name(n: Needs) -> &'static str {
    match n {
        Needs::Nothing => "",
        Needs::Mentors => "mentors",
        Needs::Sponsors => "sponsors",
        Needs::Hours => "hours",
        Needs::Notice => "notice",
        Needs::Votes => "votes",
        Needs::Outcome => "outcome",
    }
}

pub(crate) async fn case_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    ok: &str,
    form: StepForm,
    errors: Errors,
    message: String,
) -> Result<Response> {
    let ms = ctx.member_scope(state).await?;
    if !ms.can_write() {
        return Err(AppError::Forbidden);
    }
    let higher = ctx.actor()?.higher_committee();
    let d = store_rec::get(&state.store, &ms, higher.as_ref(), id).await?;
    let c = &d.case;
    let open = c.state == CaseStanding::Open;
    let mut steps = Vec::new();
    for s in core_rec::STEPS.iter() {
        let done = d.done_on(&s.no);
        let mark = if done.is_some() {
            StepMark::Done
        } else if open && c.pending_step == Some(i64::from(s.no)) {
            StepMark::Pending
        } else if open && c.next_step == i64::from(s.no) {
            StepMark::Next
        } else {
            StepMark::Later
        };
        steps.push(StepLine {
            no: s.no,
            stage: core_rec::STAGES[usize::from(s.stage) - 1],
            stage_start: core_rec::stage_start(s.stage) == s.no,
            label: s.label,
            by_higher: s.by_higher || s.approval,
            done: done.map(|x| x.to_string()).unwrap_or_default(),
            mark,
        });
    }
    let next = match (open, c.pending_step, core_rec::step(c.next_step as u8)) {
        (true, None, Some(s)) if !s.by_higher || d.higher => Some(NextForm {
            no: s.no,
            label: s.label,
            action: if s.approval { "submit" } else { "record" },
            action_label: if s.approval { "报上级党委" } else { "办理" },
            needs: if s.approval && s.needs == Needs::Outcome { "" } else { needs_name(s.needs) },
            earliest: c.earliest_text(),
        }),
        _ => None,
    };
    let decide = match (open, c.pending_step) {
        (true, Some(p)) if d.higher => {
            let p = p as u8;
            let def = core_rec::step(p).ok_or(AppError::NotFound)?;
            let lowest = core_rec::stage_start(def.stage);
            Some((p, def.label, (lowest..=p).collect()))
        }
        _ => None,
    };
    let title = format!("发展党员档案 — {}", c.name);
    render(&CasePage {
        l: Layout::new(ctx, title, "/recruitment/cases")
            .crumb("发展党员", "/recruitment")
            .crumb("发展党员名册", "/recruitment/cases")
            .crumb(c.name.clone(), "")
            .flash(flash(ok)),
        steps,
        next,
        decide,
        form,
        errors,
        message,
        today: today_cn().to_string(),
        d,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OkQ {
    pub(crate) ok: String,
}

pub(crate) async fn case_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQ>,
) -> Result<Response> {
    case_view(&state, &ctx, id, &q.ok, StepForm::default(), Errors::default(), String::new()).await
}

pub(crate) async fn step_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let higher = ctx.actor()?.higher_committee();
    let e = match f.event() {
        Ok(e) => e,
        Err(errs) => return case_view(&state, &ctx, id, "", f, Errors(errs), String::new()).await,
    };
    let ok = match e.action {
        Action::Record => "done",
        Action::Submit => "submitted",
        Action::Approve => "approved",
        Action::Return => "returned",
    };
    let Ok(version) = f.version.trim().parse::<i64>() else {
        let why = "缺少档案的版本号，请刷新页面后重试".to_string();
        return case_view(&state, &ctx, id, "", f, Errors::default(), why).await;
    };
    match store_rec::act(&state.store, &ms.writer()?, higher.as_ref(), &ctx.who(), id, e, Some(version)).await {
        Ok(_) => Ok(Redirect::to(&format!("/recruitment/cases/{id}?ok={ok}")).into_response()),
        Err(StoreError::Rule(m)) => case_view(&state, &ctx, id, "", f, Errors::default(), m).await,
        Err(StoreError::Invalid(errs)) => case_view(&state, &ctx, id, "", f, Errors(errs), String::new()).await,
        Err(StoreError::Stale) => {
            case_view(&state, &ctx, id, "", f, Errors::default(), "该档案已被他人更新，请核对后重试".into()).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn api_case(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<CaseDetail>> {
    let ms = ctx.member_scope(&state).await?;
    let higher = ctx.actor()?.higher_committee();
    Ok(Json(store_rec::get(&state.store, &ms, higher.as_ref(), id).await?))
}

/// A step as the API takes it, with the version of the case it acts on.
#[derive(Deserialize)]
pub(crate) struct EventJson {
    #[serde(flatten)]
    pub(crate) event: Event,
    pub(crate) version: i64,
}

pub(crate) async fn api_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<EventJson>,
) -> Result<Response> {
    let ms = ctx.member_scope(&state).await?;
    let higher = ctx.actor()?.higher_committee();
    let d =
        store_rec::act(&state.store, &ms.writer()?, higher.as_ref(), &ctx.who(), id, b.event, Some(b.version)).await?;
    Ok((axum::http::StatusCode::CREATED, Json(d)).into_response())
}

pub(crate) async fn api_steps(
    _signed_in: Ctx,
    Query(p): Query<crate::form::Paging>,
) -> Result<Json<xianfeng_store::Page<serde_json::Value>>> {
    let steps: Vec<_> = core_rec::STEPS
        .iter()
        .map(|s| {
            serde_json::json!({
                "no": s.no, "stage": s.stage, "stage_label": core_rec::STAGES[usize::from(s.stage) - 1],
                "label": s.label, "by_higher": s.by_higher, "approval": s.approval, "needs": needs_name(s.needs),
            })
        })
        .collect();
    Ok(Json(crate::form::page_of(steps, &p)?))
}

// ----- documents -----
