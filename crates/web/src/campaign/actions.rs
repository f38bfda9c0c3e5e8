//! The campaign steps: apply, close, reviewers, score, publish, object, name.

use super::*;
use xianfeng_core::key::Key;

/// Every form on the campaign page posts here; fields by action.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub(crate) struct ActionForm {
    /// "committee_id:application_id" (the objection form's choice).
    pub(crate) app: String,
    /// The campaign's version the page showed (state changes name it).
    pub(crate) version: String,
    pub(crate) subject_id: String,
    /// The subject picker's search text: the form searches instead of applying.
    pub(crate) subject_id_q: String,
    pub(crate) evidence: String,
    pub(crate) committee_id: String,
    pub(crate) application_id: String,
    pub(crate) reviewers: String,
    pub(crate) notice_from: String,
    pub(crate) notice_to: String,
    pub(crate) text: String,
    pub(crate) objection_id: String,
    pub(crate) upheld: String,
    pub(crate) finding: String,
    pub(crate) p0: String,
    pub(crate) p1: String,
    pub(crate) p2: String,
    pub(crate) p3: String,
    pub(crate) p4: String,
    pub(crate) p5: String,
}

impl ActionForm {
    /// The version a state change names; refused when missing.
    pub(crate) fn version(&self) -> std::result::Result<i64, String> {
        self.version.trim().parse().map_err(|_| "缺少评选的版本号（version），请刷新页面后重试".to_string())
    }
    pub(crate) fn points(&self, n: usize) -> std::result::Result<Vec<u32>, String> {
        [&self.p0, &self.p1, &self.p2, &self.p3, &self.p4, &self.p5]
            .iter()
            .take(n)
            .map(|p| p.trim().parse::<u32>().map_err(|_| "每项分值应为不小于0的整数".to_string()))
            .collect()
    }
    /// What was typed for criterion `i` (kept when the form comes back with a refusal).
    pub(crate) fn point(&self, i: &usize) -> &str {
        [&self.p0, &self.p1, &self.p2, &self.p3, &self.p4, &self.p5].get(*i).map_or("", |s| s.as_str())
    }
    pub(crate) fn num(s: &str, what: &str) -> std::result::Result<i64, String> {
        s.trim().parse().map_err(|_| format!("{what}无效"))
    }
}

pub(crate) async fn run_action(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    action: &str,
    f: &ActionForm,
) -> std::result::Result<&'static str, Result<String>> {
    let scope = ctx.org_scope().map_err(Err)?;
    let who = ctx.who();
    let store = &state.store;
    let fail = |m: String| Ok(m);
    let r: std::result::Result<&'static str, StoreError> = match action {
        "apply" => {
            let c = camp::get(store, &scope, id).await.map_err(|e| Err(e.into()))?;
            let n = c.criteria().map_err(|e| Err(e.into()))?.len();
            let points = f.points(n).map_err(fail)?;
            let subject = ActionForm::num(&f.subject_id, "申报对象").map_err(fail)?;
            let ms = ctx.member_scope(state).await.map_err(Err)?;
            camp::apply(store, &ms.writer().map_err(|e| Err(e.into()))?, &who, id, subject, &points, &f.evidence)
                .await
                .map(|_| "applied")
        }
        "close" => {
            let v = f.version().map_err(fail)?;
            camp::close_applications(store, &scope, &who, id, Some(v)).await.map(|_| "closed")
        }
        "reviewers" => {
            let names: Vec<String> =
                f.reviewers.split([',', '，', '、', ' ', '\n']).map(|s| s.trim().to_string()).collect();
            match camp::resolve_reviewers(store, &scope, &names).await {
                Ok(list) => camp::set_reviewers(store, &scope, &who, id, &list).await.map(|_| "reviewers"),
                Err(e) => Err(e),
            }
        }
        "score" => {
            let c = camp::get(store, &scope, id).await.map_err(|e| Err(e.into()))?;
            let n = c.criteria().map_err(|e| Err(e.into()))?.len();
            let points = f.points(n).map_err(fail)?;
            let committee_id = ActionForm::num(&f.committee_id, "单位").map_err(fail)?;
            let app = ActionForm::num(&f.application_id, "申报").map_err(fail)?;
            let me = ctx.actor().map_err(Err)?.myself();
            camp::score(store, &who, &me, Key::new(committee_id, app), &points).await.map(|_| "scored")
        }
        "publish" => match (parse_date(&f.notice_from), parse_date(&f.notice_to)) {
            (Some(a), Some(b)) => {
                let v = f.version().map_err(fail)?;
                camp::publish(store, &scope, &who, id, a, b, Some(v)).await.map(|_| "published")
            }
            _ => return Err(Ok("请按 2025-07-01 的格式填写公示起止日期".into())),
        },
        "object" => {
            let (c, a) = f.app.split_once(':').unwrap_or((&f.committee_id, &f.application_id));
            let committee_id = ActionForm::num(c, "单位").map_err(fail)?;
            let app = ActionForm::num(a, "申报").map_err(fail)?;
            camp::object(store, &scope, &who, Key::new(committee_id, app), &f.text).await.map(|_| "objected")
        }
        "objection" => {
            let committee_id = ActionForm::num(&f.committee_id, "单位").map_err(fail)?;
            let oid = ActionForm::num(&f.objection_id, "异议").map_err(fail)?;
            camp::close_objection(store, &scope, &who, Key::new(committee_id, oid), f.upheld == "1", &f.finding)
                .await
                .map(|_| "objection")
        }
        "name" => {
            let v = f.version().map_err(fail)?;
            camp::name(store, &scope, &who, id, Some(v)).await.map(|_| "named")
        }
        _ => return Err(Err(AppError::NotFound)),
    };
    match r {
        Ok(code) => Ok(code),
        Err(StoreError::Rule(m)) => Err(Ok(m)),
        Err(StoreError::Invalid(e)) => Err(Ok(crate::form::messages(e))),
        Err(StoreError::Stale) => Err(Ok("评选已被他人更新，请刷新页面后重试".into())),
        Err(e) => Err(Err(e.into())),
    }
}

pub(crate) async fn action_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Result<Response> {
    if action == "apply" && crate::picker::searching(&[&f.subject_id_q]) {
        return detail_view(&state, &ctx, id, "", String::new(), f, ViewQ::default()).await;
    }
    match run_action(&state, &ctx, id, &action, &f).await {
        Ok(code) => Ok(Redirect::to(&format!("/campaigns/{id}?ok={code}")).into_response()),
        Err(Ok(message)) => {
            // A refused objection comes back with its form open.
            let v =
                ViewQ { object: if action == "object" { f.app.clone() } else { String::new() }, ..Default::default() };
            detail_view(&state, &ctx, id, "", message, f, v).await
        }
        Err(Err(e)) => Err(e),
    }
}

pub(crate) async fn api_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Json(f): Json<serde_json::Value>,
) -> Result<Response> {
    // The JSON body carries the same fields as the form; numbers may be given as numbers.
    let text = |k: &str| match &f[k] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        v => v.to_string(),
    };
    let points: Vec<String> =
        f["points"].as_array().map(|a| a.iter().map(|v| v.to_string()).collect()).unwrap_or_default();
    let p = |i: usize| points.get(i).cloned().unwrap_or_default();
    let form = ActionForm {
        app: String::new(),
        version: text("version"),
        subject_id: text("subject_id"),
        subject_id_q: String::new(),
        evidence: text("evidence"),
        committee_id: text("committee_id"),
        application_id: text("application_id"),
        reviewers: text("reviewers"),
        notice_from: text("notice_from"),
        notice_to: text("notice_to"),
        text: text("text"),
        objection_id: text("objection_id"),
        upheld: if f["upheld"].as_bool() == Some(true) { "1".into() } else { text("upheld") },
        finding: text("finding"),
        p0: p(0),
        p1: p(1),
        p2: p(2),
        p3: p(3),
        p4: p(4),
        p5: p(5),
    };
    match run_action(&state, &ctx, id, &action, &form).await {
        Ok(code) => Ok(Json(serde_json::json!({ "ok": true, "done": code })).into_response()),
        Err(Ok(message)) => Err(AppError::Rule(message)),
        Err(Err(e)) => Err(e),
    }
}

pub(crate) async fn api_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let (c, access) = camp::access(&state.store, &scope, ctx.actor()?.user_id, id).await?;
    let results = camp::results(&state.store, &access, id).await?;
    Ok(Json(serde_json::json!({ "campaign": c, "tie_rule": TIE_RULE, "results": results })))
}

// ----- honors register -----
