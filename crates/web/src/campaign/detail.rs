//! One campaign: applications, scores, results, objections, the publicity notice.

use super::*;

#[derive(Template)]
#[template(path = "campaign.html")]
pub(crate) struct DetailPage {
    pub(crate) l: Layout,
    pub(crate) kept: ActionForm,
    pub(crate) c: CampaignRow,
    pub(crate) honor: &'static str,
    pub(crate) criteria: Vec<Criterion>,
    pub(crate) tiers: Vec<Tier>,
    pub(crate) committee: bool,
    /// Applications the caller may see (all for the committee and reviewers).
    pub(crate) apps: Vec<ApplicationRow>,
    /// Whom the caller may apply for, chosen by name (applying campaigns,
    /// writers only).
    pub(crate) subject: Option<crate::picker::Picker>,
    /// The picker's field errors (none: a refusal comes as `message`).
    pub(crate) errors: crate::form::Errors,
    /// For a reviewer: the applications they may score, with their own total so far.
    pub(crate) to_score: Vec<(ApplicationRow, String)>,
    pub(crate) results: Vec<ResultRow>,
    pub(crate) objections: Vec<ObjectionRow>,
    pub(crate) objections_pager: crate::layout::Pager,
    pub(crate) reviewers: String,
    pub(crate) tie_rule: &'static str,
    pub(crate) message: String,
    pub(crate) today: String,
    /// The name filter and page of the scoring and results lists.
    pub(crate) v: ViewQ,
    pub(crate) pager: crate::layout::Pager,
    /// How many applications the lists hold before paging (name filter applied).
    pub(crate) listed: usize,
    /// The application an objection is being made to, chosen on its row.
    pub(crate) objecting: Option<ResultRow>,
}

/// How the campaign page is viewed: its lists narrowed by the subject's
/// name and paged; the application chosen for an objection.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct ViewQ {
    pub(crate) ok: String,
    pub(crate) name: String,
    pub(crate) page: String,
    /// The page of the objections (open ones first).
    pub(crate) objections_page: String,
    /// "committee_id:application_id" of the row whose 提出异议 was followed.
    pub(crate) object: String,
}

/// Rows on a page of the scoring and results lists.
const PER_PAGE: i64 = 50;

/// One page of `rows`, and the page number asked, kept in range.
fn page_of<T>(rows: Vec<T>, page: i64) -> Vec<T> {
    let skip = usize::try_from((page - 1).max(0).saturating_mul(PER_PAGE)).unwrap_or(usize::MAX);
    rows.into_iter().skip(skip).take(PER_PAGE as usize).collect()
}

pub(crate) async fn detail_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    ok: &str,
    message: String,
    kept: ActionForm,
    v: ViewQ,
) -> Result<Response> {
    let scope = ctx.org_scope()?;
    let actor = ctx.actor()?.clone();
    let (page, _) = crate::form::paging(&v.page, "", PER_PAGE, PER_PAGE)?;
    let name = v.name.trim().to_string();
    let named = |subject: &str| name.is_empty() || subject.contains(name.as_str());
    let (c, access) = camp::access(&state.store, &scope, actor.user_id, id).await?;
    let honor = c.honor;
    let committee = access.is_committee();
    let reviewers = camp::reviewers(&state.store, &access, id).await?;
    let apps = camp::applications(&state.store, &access, id).await?;
    let subject = if c.state == CampaignState::Applying && scope.can_write() {
        Some(subject_picker(state, ctx, honor, &kept.subject_id, &kept.subject_id_q).await?)
    } else {
        None
    };
    let to_score: Vec<(ApplicationRow, String)> = match (access.reviewer_unit(), c.state) {
        (Some(unit), CampaignState::Reviewing) => {
            let mine = camp::my_scores(&state.store, &actor.myself(), id).await?;
            apps.iter()
                .filter(|a| Some(a.committee_id) != unit && named(&a.subject_name))
                .map(|a| (a.clone(), mine.get(&(a.committee_id, a.id)).map(|t| t.to_string()).unwrap_or_default()))
                .collect()
        }
        _ => Vec::new(),
    };
    let show_results = committee || matches!(c.state.as_str(), "publicity" | "named");
    let results = if show_results { camp::results(&state.store, &access, id).await? } else { Vec::new() };
    let objecting = match (c.state, v.object.split_once(':')) {
        (CampaignState::Publicity, Some((cid, aid))) => results
            .iter()
            .find(|r| r.application.committee_id.to_string() == cid && r.application.id.to_string() == aid)
            .cloned(),
        _ => None,
    };
    let results: Vec<ResultRow> = results.into_iter().filter(|r| named(&r.application.subject_name)).collect();
    let listed = results.len().max(to_score.len());
    let base = serde_urlencoded::to_string([("name", name.as_str())]).unwrap_or_default();
    let pager = crate::layout::Pager::new(page, PER_PAGE, listed as i64, base);
    let mut objections = if committee { camp::objections(&state.store, &access, id).await? } else { Vec::new() };
    // Those still to be settled first, each group in the order filed.
    objections.sort_by_key(|o| o.state != ObjectionState::Open);
    let keep = serde_urlencoded::to_string([("name", name.as_str()), ("page", v.page.as_str())]).unwrap_or_default();
    let (objections, objections_pager) = crate::layout::Pager::slice(objections, &v.objections_page, PER_PAGE, keep)?;
    let objections_pager = objections_pager.param("objections_page");
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
        subject,
        errors: Default::default(),
        to_score: page_of(to_score, page),
        results: page_of(results, page),
        objections,
        objections_pager,
        pager,
        listed,
        objecting,
        reviewers: reviewers.iter().map(|r| r.2.clone()).collect::<Vec<_>>().join("、"),
        tie_rule: TIE_RULE,
        message,
        kept,
        today: today_cn().to_string(),
        v,
        c,
    })
}

/// What the caller may apply for — their units, branches or members — as a
/// picker that searches by name (a unit has thousands of members).
pub(crate) async fn subject_picker(
    state: &AppState,
    ctx: &Ctx,
    honor: Honor,
    value: &str,
    text: &str,
) -> Result<crate::picker::Picker> {
    use crate::picker::{self, OrgSource, Picker};
    use xianfeng_core::org::OrgKind;
    let scope = ctx.org_scope()?;
    let p = |noun| Picker::new("subject_id", "申报对象", noun).required();
    Ok(match honor.subject() {
        Subject::Unit => {
            let p = p("单位").placeholder("单位名称中的几个字");
            picker::orgs(&state.store, OrgSource::Scope(&scope), &[OrgKind::Unit], p, value, text).await?
        }
        Subject::Branch => {
            let p = p("党支部").placeholder("党支部名称中的几个字");
            picker::orgs(&state.store, OrgSource::Scope(&scope), &[OrgKind::Branch], p, value, text).await?
        }
        Subject::Member => {
            let ms = ctx.member_scope(state).await?;
            let p = p("党员").placeholder("输入姓名");
            picker::members(&state.store, &ms, "members", p, value, text).await?
        }
    })
}

/// The 公示 notice of a campaign's proposed honorees as a .docx official
/// document (GB/T 9704 layout), for the working committee to post: the
/// tiers with their subjects, units and scores, the notice period and how
/// to object. Only once the results are public.
pub(crate) async fn notice_docx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response> {
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

pub(crate) fn notice_doc(
    c: &camp::CampaignRow,
    results: &[camp::ResultRow],
    issuer: &str,
    today: chrono::NaiveDate,
) -> Result<crate::docx::OfficialDoc> {
    use crate::docx::{Block, OfficialDoc};
    use xianfeng_core::text::date_zh;
    let honor = c.honor;
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

pub(crate) async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ViewQ>,
) -> Result<Response> {
    detail_view(&state, &ctx, id, &q.ok.clone(), String::new(), ActionForm::default(), q).await
}
