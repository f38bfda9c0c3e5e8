//! Campaign pages and API (评选): the list, a new campaign, one campaign's
//! applications, panel scoring, results under quotas with the tie rule,
//! publicity and objections, naming; and the honors register with revocation.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_core::auth::Role;
use xianfeng_core::campaign::{Criterion, Eligibility, Honor, Subject, TIE_RULE, Tier};
use xianfeng_core::member::parse_date;
use xianfeng_core::text::today_cn;
use xianfeng_store::StoreError;
use xianfeng_store::campaign::{
    self as camp, ApplicationRow, CampaignInput, CampaignRow, HonorRow, ObjectionRow, ResultRow,
};

use crate::AppState;
use crate::error::{AppError, Result};
use crate::layout::{Layout, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list_page).post(create_submit))
        .route("/campaigns/{id}", get(detail_page))
        .route("/campaigns/{id}/notice.docx", get(notice_docx))
        .route("/campaigns/{id}/{action}", post(action_submit))
        .route("/honors", get(honors_page))
        .route("/honors/{committee_id}/{id}/revoke", post(revoke_submit))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(api_list).post(api_create))
        .route("/campaigns/{id}", get(api_get))
        .route("/campaigns/{id}/notice.docx", get(notice_docx))
        .route("/campaigns/{id}/{action}", post(api_action))
        .route("/honors", get(api_honors))
        .route("/honors/{committee_id}/{id}/revoke", post(api_revoke))
}

fn flash(code: &str) -> &'static str {
    match code {
        "created" => "评选已建立",
        "applied" => "已申报",
        "closed" => "已截止申报，进入评审",
        "reviewers" => "评审组已设置",
        "scored" => "评分已保存",
        "published" => "结果已公示",
        "objected" => "异议已提交",
        "objection" => "异议已办结",
        "named" => "已命名",
        "revoked" => "已摘牌",
        _ => "",
    }
}

fn is_committee(ctx: &Ctx) -> bool {
    ctx.actor().is_ok_and(|a| a.role == Role::CommitteeAdmin)
}

// ----- list and create -----

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    l: Layout,
    items: Vec<CampaignRow>,
    committee: bool,
    honors: Vec<(&'static str, &'static str)>,
    message: String,
    year: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OkQ {
    ok: String,
}

async fn list_view(state: &AppState, ctx: &Ctx, ok: &str, message: String) -> Result<Response> {
    ctx.org_scope()?;
    let items = camp::list(&state.store).await?;
    render(&ListPage {
        l: Layout::new(ctx, "评选表彰", "/campaigns").crumb("评选表彰", "").flash(flash(ok)),
        items,
        committee: is_committee(ctx),
        honors: Honor::ALL.iter().map(|h| (h.as_str(), h.label())).collect(),
        message,
        year: today_cn().year(),
    })
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OkQ>) -> Result<Response> {
    list_view(&state, &ctx, &q.ok, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    /// "none": no eligibility conditions; otherwise the honor's defaults.
    conditions: String,
    /// One criterion per line: 名称｜分值｜评分细则 (empty: the honor's).
    criteria: String,
    honor: String,
    year: String,
    title: String,
    apply_until: String,
    tier0: String,
    quota0: String,
    tier1: String,
    quota1: String,
}

/// Criteria typed one per line as 名称｜分值｜评分细则 (| or ｜); none typed: the honor's.
fn parse_criteria(text: &str) -> std::result::Result<Vec<Criterion>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            match parts.as_slice() {
                [name, weight, guide @ ..] if !name.is_empty() => Ok(Criterion {
                    name: name.to_string(),
                    weight: weight.parse().map_err(|_| format!("评选标准第{}行的分值应为整数：{line}", i + 1))?,
                    guide: guide.join("｜"),
                }),
                _ => Err(format!("评选标准第{}行应写作“名称｜分值｜评分细则”：{line}", i + 1)),
            }
        })
        .collect()
}

/// The eligibility chosen on the form: None = the honor's defaults.
fn conditions(choice: &str, honor: &str) -> Option<Vec<String>> {
    let sanction = || Eligibility::NoSanction.as_str().to_string();
    match choice {
        "none" => Some(Vec::new()),
        "no_sanction" => Some(vec![sanction()]),
        "default_no_sanction" => {
            let mut v: Vec<String> = Honor::parse(honor)
                .map(|h| h.default_eligibility().iter().map(|e| e.as_str().to_string()).collect())
                .unwrap_or_default();
            if !v.contains(&sanction()) {
                v.push(sanction());
            }
            Some(v)
        }
        _ => None,
    }
}

async fn create_submit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<CreateForm>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let mut tiers = Vec::new();
    for (n, q) in [(&f.tier0, &f.quota0), (&f.tier1, &f.quota1)] {
        if !n.trim().is_empty() {
            match q.trim().parse::<u32>() {
                Ok(quota) => tiers.push(Tier { name: n.trim().into(), quota }),
                Err(_) => return list_view(&state, &ctx, "", format!("“{}”的名额应为整数", n.trim())).await,
            }
        }
    }
    let criteria = match parse_criteria(&f.criteria) {
        Ok(c) => c,
        Err(m) => return list_view(&state, &ctx, "", m).await,
    };
    let input = CampaignInput {
        honor: f.honor.clone(),
        year: f.year.trim().parse().unwrap_or_else(|_| today_cn().year()),
        title: f.title.clone(),
        criteria,
        tiers,
        eligibility: conditions(&f.conditions, &f.honor),
        apply_until: parse_date(&f.apply_until),
    };
    match camp::create(&state.store, &scope, &ctx.who(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/campaigns/{}?ok=created", c.id)).into_response()),
        Err(StoreError::Invalid(e)) => list_view(&state, &ctx, "", crate::form::messages(e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn api_list(State(state): State<AppState>, ctx: Ctx) -> Result<Json<serde_json::Value>> {
    ctx.org_scope()?;
    let items = camp::list(&state.store).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(b): Json<CampaignInput>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let c = camp::create(&state.store, &scope, &ctx.who(), &b).await?;
    Ok((axum::http::StatusCode::CREATED, Json(c)).into_response())
}

// ----- one campaign -----

#[derive(Template)]
#[template(path = "campaign.html")]
struct DetailPage {
    l: Layout,
    kept: ActionForm,
    c: CampaignRow,
    honor: &'static str,
    criteria: Vec<Criterion>,
    tiers: Vec<Tier>,
    committee: bool,
    /// Applications the caller may see (all for the committee and reviewers).
    apps: Vec<ApplicationRow>,
    subjects: Vec<(String, String)>,
    /// For a reviewer: the applications they may score, with their own total so far.
    to_score: Vec<(ApplicationRow, String)>,
    results: Vec<ResultRow>,
    objections: Vec<ObjectionRow>,
    reviewers: String,
    tie_rule: &'static str,
    message: String,
    today: String,
}

async fn detail_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    ok: &str,
    message: String,
    kept: ActionForm,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let actor = ctx.actor()?.clone();
    let (c, access) = camp::access(&state.store, &scope, actor.user_id, id).await?;
    let honor = c.honor()?;
    let committee = access.is_committee();
    let reviewers = camp::reviewers(&state.store, id).await?;
    let apps = camp::applications(&state.store, &access, id).await?;
    let subjects =
        if c.state == "applying" && scope.can_write() { subjects_of(state, ctx, honor).await? } else { Vec::new() };
    let to_score = match (access.reviewer_unit(), c.state.as_str()) {
        (Some(unit), "reviewing") => {
            let mine = camp::my_scores(&state.store, id, actor.user_id).await?;
            apps.iter()
                .filter(|a| Some(a.committee_id) != unit)
                .map(|a| (a.clone(), mine.get(&(a.committee_id, a.id)).map(|t| t.to_string()).unwrap_or_default()))
                .collect()
        }
        _ => Vec::new(),
    };
    let show_results = committee || matches!(c.state.as_str(), "publicity" | "named");
    let results = if show_results { camp::results(&state.store, &access, id).await? } else { Vec::new() };
    let objections = if committee { camp::objections(&state.store, &access, id).await? } else { Vec::new() };
    render(&DetailPage {
        l: Layout::new(ctx, c.title.clone(), "/campaigns")
            .crumb("评选表彰", "/campaigns")
            .crumb(c.title.clone(), "")
            .flash(flash(ok)),
        honor: honor.label(),
        criteria: c.criteria()?,
        tiers: c.tiers()?,
        committee,
        apps,
        subjects,
        to_score,
        results,
        objections,
        reviewers: reviewers.iter().map(|r| r.2.clone()).collect::<Vec<_>>().join("、"),
        tie_rule: TIE_RULE,
        message,
        kept,
        today: today_cn().to_string(),
        c,
    })
}

/// What the caller may apply for: their units, branches or members.
async fn subjects_of(state: &AppState, ctx: &Ctx, honor: Honor) -> Result<Vec<(String, String)>> {
    let scope = ctx.org_scope()?;
    Ok(match honor.subject() {
        Subject::Unit => {
            let f = xianfeng_store::org::OrgFilter { kind: "unit".into(), ..Default::default() };
            xianfeng_store::org::search(&state.store, &scope, &f, 1, 1000)
                .await?
                .items
                .into_iter()
                .map(|o| (o.id.to_string(), o.name))
                .collect()
        }
        Subject::Branch => xianfeng_store::member::branch_lookup(&state.store, &scope)
            .await?
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect(),
        Subject::Member => {
            let ms = ctx.member_scope(state).await?;
            let f = xianfeng_store::member::MemberFilter { status: "members".into(), ..Default::default() };
            xianfeng_store::member::list_all(&state.store, &ms, &f, 3000)
                .await?
                .into_iter()
                .map(|m| (m.id.to_string(), format!("{}（{}）", m.name, m.org_name)))
                .collect()
        }
    })
}

/// The 公示 notice of a campaign's proposed honorees as a .docx official
/// document (GB/T 9704 layout), for the working committee to post: the
/// tiers with their subjects, units and scores, the notice period and how
/// to object. Only once the results are public.
async fn notice_docx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let (c, access) = camp::access(&state.store, &scope, ctx.actor()?.user_id, id).await?;
    if !access.is_committee() {
        return Err(AppError::Forbidden);
    }
    if !matches!(c.state.as_str(), "publicity" | "named") {
        return Err(AppError::Rule("评选结果公示后才能生成公示文件".into()));
    }
    let results = camp::results(&state.store, &access, id).await?;
    let root = xianfeng_store::org::root(state.store.db.r()).await?.ok_or(AppError::NotFound)?;
    let doc = notice_doc(&c, &results, &root.name, today_cn())?;
    let name = crate::xlsx::safe_file_name(&format!("{}.docx", doc.title));
    crate::layout::download(
        &state,
        &ctx,
        "campaign_notice",
        id,
        &name,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        crate::docx::render(&doc),
    )
    .await
}

fn notice_doc(
    c: &camp::CampaignRow,
    results: &[camp::ResultRow],
    issuer: &str,
    today: chrono::NaiveDate,
) -> Result<crate::docx::OfficialDoc> {
    use crate::docx::{Block, OfficialDoc};
    use xianfeng_core::text::date_zh;
    let honor = c.honor()?;
    let tiers = c.tiers()?;
    let (noun, measure) = match honor.subject() {
        Subject::Unit => ("单位", "个"),
        Subject::Branch => ("党支部", "个"),
        Subject::Member => ("党员", "名"),
    };
    let named: Vec<&camp::ResultRow> = results.iter().filter(|r| r.tier.is_some()).collect();
    let tier_list = tiers
        .iter()
        .map(|t| {
            let n = named.iter().filter(|r| r.tier.as_deref() == Some(t.name.as_str())).count();
            format!("“{}”{n}{measure}", t.name)
        })
        .collect::<Vec<_>>()
        .join("、");
    let period = match (c.notice_from, c.notice_to) {
        (Some(f), Some(t)) => format!("{}至{}", date_zh(f), date_zh(t)),
        _ => "自发布之日起".into(),
    };
    let mut body = vec![
        Block::Paragraph(format!(
            "按照{}年度“{}”评选工作安排，经{noun}申报、资格审核、评审组评审，拟确定{tier_list}，共{}{measure}{noun}。现将拟命名对象予以公示。",
            c.year,
            honor.label(),
            named.len()
        )),
        Block::Paragraph(format!(
            "公示时间：{period}。公示期间，对公示对象有异议的，可在先锋党建平台“评选表彰”中提出，或以书面形式向{issuer}反映。反映问题应实事求是、具体详实；以单位名义反映的须加盖公章，以个人名义反映的须署真实姓名。"
        )),
    ];
    let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    for (i, t) in tiers.iter().enumerate() {
        let rows: Vec<Vec<String>> = named
            .iter()
            .filter(|r| r.tier.as_deref() == Some(t.name.as_str()))
            .enumerate()
            .map(|(k, r)| {
                let mut row = vec![(k + 1).to_string(), r.application.subject_name.clone()];
                if honor.subject() != Subject::Unit {
                    row.push(r.application.unit_name.clone());
                }
                row.push(r.score.map(|s| format!("{s:.2}")).unwrap_or_default());
                row
            })
            .collect();
        body.push(Block::Heading1(format!(
            "{}、{}（{}{measure}）",
            numerals.get(i).copied().unwrap_or("十"),
            t.name,
            rows.len()
        )));
        let mut header = vec!["序号".to_string(), format!("{noun}名称")];
        if honor.subject() != Subject::Unit {
            header.push("所属单位".into());
        }
        header.push("评审得分".into());
        body.push(Block::Table { header, rows });
    }
    let date = date_zh(c.notice_from.unwrap_or(today));
    Ok(OfficialDoc {
        issuer_mark: issuer.to_string(),
        doc_number: String::new(),
        title: format!("关于{}年度“{}”拟命名对象的公示", c.year, honor.label()),
        addressee: "各单位党委（党组）：".into(),
        body,
        signature: issuer.to_string(),
        printed_by: format!("{issuer}办公室"),
        printed_on: format!("{date}印发"),
        date,
    })
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQ>,
) -> Result<Response> {
    detail_view(&state, &ctx, id, &q.ok, String::new(), ActionForm::default()).await
}

/// Every form on the campaign page posts here; fields by action.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct ActionForm {
    /// "committee_id:application_id" (the objection form's choice).
    app: String,
    /// The campaign's version the page showed (state changes name it).
    version: String,
    subject_id: String,
    evidence: String,
    committee_id: String,
    application_id: String,
    reviewers: String,
    notice_from: String,
    notice_to: String,
    text: String,
    objection_id: String,
    upheld: String,
    finding: String,
    p0: String,
    p1: String,
    p2: String,
    p3: String,
    p4: String,
    p5: String,
}

impl ActionForm {
    /// The version a state change names; refused when missing.
    fn version(&self) -> std::result::Result<i64, String> {
        self.version.trim().parse().map_err(|_| "缺少评选的版本号（version），请刷新页面后重试".to_string())
    }
    fn points(&self, n: usize) -> std::result::Result<Vec<u32>, String> {
        [&self.p0, &self.p1, &self.p2, &self.p3, &self.p4, &self.p5]
            .iter()
            .take(n)
            .map(|p| p.trim().parse::<u32>().map_err(|_| "每项分值应为不小于0的整数".to_string()))
            .collect()
    }
    /// What was typed for criterion `i` (kept when the form comes back with a refusal).
    fn point(&self, i: &usize) -> &str {
        [&self.p0, &self.p1, &self.p2, &self.p3, &self.p4, &self.p5].get(*i).map_or("", |s| s.as_str())
    }
    fn num(s: &str, what: &str) -> std::result::Result<i64, String> {
        s.trim().parse().map_err(|_| format!("{what}无效"))
    }
}

async fn run_action(
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
            let c = camp::get(store, id).await.map_err(|e| Err(e.into()))?;
            let n = c.criteria().map_err(|e| Err(e.into()))?.len();
            let points = f.points(n).map_err(fail)?;
            let subject = ActionForm::num(&f.subject_id, "申报对象").map_err(fail)?;
            let ms = ctx.member_scope(state).await.map_err(Err)?;
            camp::apply(store, &ms, &who, id, subject, &points, &f.evidence).await.map(|_| "applied")
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
            let c = camp::get(store, id).await.map_err(|e| Err(e.into()))?;
            let n = c.criteria().map_err(|e| Err(e.into()))?.len();
            let points = f.points(n).map_err(fail)?;
            let committee_id = ActionForm::num(&f.committee_id, "单位").map_err(fail)?;
            let app = ActionForm::num(&f.application_id, "申报").map_err(fail)?;
            let user = ctx.actor().map_err(Err)?.user_id;
            camp::score(store, &who, user, committee_id, app, &points).await.map(|_| "scored")
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
            camp::object(store, &scope, &who, committee_id, app, &f.text).await.map(|_| "objected")
        }
        "objection" => {
            let committee_id = ActionForm::num(&f.committee_id, "单位").map_err(fail)?;
            let oid = ActionForm::num(&f.objection_id, "异议").map_err(fail)?;
            camp::close_objection(store, &scope, &who, committee_id, oid, f.upheld == "1", &f.finding)
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

async fn action_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Result<Response> {
    match run_action(&state, &ctx, id, &action, &f).await {
        Ok(code) => Ok(Redirect::to(&format!("/campaigns/{id}?ok={code}")).into_response()),
        Err(Ok(message)) => detail_view(&state, &ctx, id, "", message, f).await,
        Err(Err(e)) => Err(e),
    }
}

async fn api_action(
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
        Ok(code) => Ok(Json(serde_json::json!({ "ok": code })).into_response()),
        Err(Ok(message)) => Err(AppError::Rule(message)),
        Err(Err(e)) => Err(e),
    }
}

async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let (c, access) = camp::access(&state.store, &scope, ctx.actor()?.user_id, id).await?;
    let results = camp::results(&state.store, &access, id).await?;
    Ok(Json(serde_json::json!({ "campaign": c, "tie_rule": TIE_RULE, "results": results })))
}

// ----- honors register -----

#[derive(Template)]
#[template(path = "honors.html")]
struct HonorsPage {
    l: Layout,
    items: Vec<HonorRow>,
    labels: HashMap<String, &'static str>,
    committee: bool,
    message: String,
}

async fn honors_view(state: &AppState, ctx: &Ctx, ok: &str, message: String) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let items = camp::honors(&state.store, &scope, None).await?;
    render(&HonorsPage {
        l: Layout::new(ctx, "荣誉名录", "/honors").crumb("荣誉名录", "").flash(flash(ok)),
        items,
        labels: Honor::ALL.iter().map(|h| (h.as_str().to_string(), h.label())).collect(),
        committee: is_committee(ctx),
        message,
    })
}

async fn honors_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OkQ>) -> Result<Response> {
    honors_view(&state, &ctx, &q.ok, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    reason: String,
}

async fn revoke_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((c, id)): Path<(i64, i64)>,
    Form(f): Form<RevokeForm>,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    match camp::revoke(&state.store, &scope, &ctx.who(), c, id, &f.reason).await {
        Ok(()) => Ok(Redirect::to("/honors?ok=revoked").into_response()),
        Err(StoreError::Rule(m)) => honors_view(&state, &ctx, "", m).await,
        Err(StoreError::Invalid(e)) => honors_view(&state, &ctx, "", crate::form::messages(e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn api_honors(State(state): State<AppState>, ctx: Ctx) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    let items = camp::honors(&state.store, &scope, None).await?;
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })))
}

async fn api_revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((c, id)): Path<(i64, i64)>,
    Json(b): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>> {
    let scope = ctx.org_scope()?;
    camp::revoke(&state.store, &scope, &ctx.who(), c, id, b["reason"].as_str().unwrap_or("")).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "campaign",
        pages,
        api,
        menu: &[
            MenuEntry::new(Section::Evaluation, 30, "评选表彰", "/campaigns", STAFF),
            MenuEntry::new(Section::Evaluation, 40, "荣誉名录", "/honors", STAFF),
        ],
        operations: &[
            ("get", "/campaigns", "campaign", "评选列表", "", 200),
            (
                "post",
                "/campaigns",
                "campaign",
                "新建评选（工委；honor、year、apply_until，标准与等次默认按荣誉）",
                "",
                201,
            ),
            ("get", "/campaigns/{id}", "campaign", "评选、结果（得分、名次、等次、同分说明）与同分规则", "", 200),
            ("get", "/campaigns/{id}/notice.docx", "campaign", "拟命名对象公示文件 .docx（公示后，工委）", "", 200),
            (
                "post",
                "/campaigns/{id}/{action}",
                "campaign",
                "评选操作 action=apply（subject_id、points、evidence）/close（version）/reviewers（reviewers）/score（committee_id、application_id、points）/publish（notice_from、notice_to、version）/object（committee_id、application_id、text）/objection（committee_id、objection_id、upheld、finding）/name（version）",
                "",
                200,
            ),
            ("get", "/honors", "campaign", "荣誉名录（范围内）", "", 200),
            ("post", "/honors/{committee_id}/{id}/revoke", "campaign", "摘牌（reason）", "", 200),
        ],
    }
};
