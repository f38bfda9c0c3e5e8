//! The meeting-kind rules editor (rules as data).

use super::*;

pub(crate) struct KindRow {
    idx: usize,
    kind: MeetingKind,
    is_new: bool,
}

#[derive(Template)]
#[template(path = "meeting_kinds.html")]
pub(crate) struct KindsPage {
    l: Layout,
    versions: Vec<(String, String, String, bool)>,
    rows: Vec<KindRow>,
    count: usize,
    applies: Vec<(&'static str, &'static str)>,
    cycles: Vec<(&'static str, &'static str)>,
    quorums: Vec<(&'static str, &'static str)>,
    invitees: Vec<(&'static str, &'static str)>,
    effective_from: String,
    source: String,
    errors: Vec<String>,
    editable: bool,
}

pub(crate) fn blank_kind() -> MeetingKind {
    MeetingKind {
        id: String::new(),
        label: String::new(),
        applies_to: xianfeng_core::meeting::AppliesTo::Branch,
        cycle: xianfeng_core::meeting::Cycle::Month,
        times: 1,
        quorum: Default::default(),
        invitees: Default::default(),
        observers: false,
        first_agenda: false,
        three_meetings: false,
    }
}

pub(crate) async fn kinds_view(
    state: &AppState,
    ctx: &Ctx,
    form: Option<(Vec<MeetingKind>, String, String)>,
    errors: Vec<String>,
) -> Result<Response> {
    kinds_view_inner(state, ctx, form, errors, "").await
}

pub(crate) async fn kinds_view_inner(
    state: &AppState,
    ctx: &Ctx,
    form: Option<(Vec<MeetingKind>, String, String)>,
    errors: Vec<String>,
    flash_msg: &str,
) -> Result<Response> {
    use xianfeng_core::meeting::{AppliesTo, Cycle, Invitees, Quorum};
    use xianfeng_core::rules::Rule;
    let actor = ctx.actor()?;
    if actor.role != xianfeng_core::auth::Role::CommitteeAdmin {
        return Err(AppError::Forbidden);
    }
    let set = state.store.reload_rules().await?;
    let today = today_cn();
    let rows: Vec<&xianfeng_core::rules::RuleRow> = set.rows().iter().filter(|r| r.key == MeetingKinds::KEY).collect();
    let current = rows.iter().rfind(|r| r.effective_from <= today).map(|r| r.effective_from);
    let versions = rows
        .iter()
        .rev()
        .map(|r| {
            let k: MeetingKinds = serde_json::from_value(r.value.clone()).unwrap_or_default();
            let text = k
                .kinds
                .iter()
                .map(|k| format!("{}（{}）{}", k.label, k.applies_to.label(), k.frequency_label()))
                .collect::<Vec<_>>()
                .join("；");
            (r.effective_from.to_string(), text, r.source.clone(), Some(r.effective_from) == current)
        })
        .collect();
    let next_month = {
        let (y, m) = if today.month() == 12 { (today.year() + 1, 1) } else { (today.year(), today.month() + 1) };
        chrono::NaiveDate::from_ymd_opt(y, m, 1).expect("valid").to_string()
    };
    let (kinds, effective_from, source) = match form {
        Some(f) => f,
        None => {
            let latest: MeetingKinds =
                rows.last().and_then(|r| serde_json::from_value(r.value.clone()).ok()).unwrap_or_default();
            (latest.kinds, next_month, String::new())
        }
    };
    let mut krows: Vec<KindRow> =
        kinds.into_iter().enumerate().map(|(idx, kind)| KindRow { idx, kind, is_new: false }).collect();
    let n = krows.len();
    krows.push(KindRow { idx: n, kind: blank_kind(), is_new: true });
    render(&KindsPage {
        l: Layout::new(ctx, "会议类型与频次", "/rules")
            .crumb("业务规则", "/rules")
            .crumb("会议类型与频次", "")
            .flash(flash_msg),
        versions,
        count: krows.len(),
        rows: krows,
        applies: AppliesTo::ALL.iter().map(|a| (a.as_str(), a.label())).collect(),
        cycles: Cycle::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        quorums: Quorum::ALL.iter().map(|q| (q.as_str(), q.label())).collect(),
        invitees: Invitees::ALL.iter().map(|q| (q.as_str(), q.label())).collect(),
        effective_from,
        source,
        errors,
        editable: xianfeng_store::rules::may_change(actor, MeetingKinds::KEY),
    })
}

pub(crate) async fn kinds_page(State(state): State<AppState>, ctx: Ctx, Query(fq): Query<FlashQ>) -> Result<Response> {
    kinds_view_inner(&state, &ctx, None, Vec::new(), flash(&fq.ok)).await
}

/// Reads the kinds table of the editor: fields `<name>_<row>`; a row with an
/// empty id is skipped, a row marked `remove_<row>` is dropped.
pub(crate) fn kinds_from_form(pairs: &[(String, String)]) -> (Vec<MeetingKind>, Vec<String>) {
    use xianfeng_core::meeting::{AppliesTo, Cycle, Invitees, Quorum};
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let rows: usize = get("rows").parse().unwrap_or(0).min(200);
    let mut kinds = Vec::new();
    let mut errors = Vec::new();
    for i in 0..rows {
        let id = get(&format!("id_{i}"));
        if id.is_empty() && get(&format!("label_{i}")).is_empty() {
            continue;
        }
        if !get(&format!("remove_{i}")).is_empty() {
            continue;
        }
        let times = get(&format!("times_{i}"));
        let times: i64 = match times.parse() {
            Ok(t) => t,
            Err(_) => {
                errors.push(format!("第{}行：次数应为整数", i + 1));
                1
            }
        };
        kinds.push(MeetingKind {
            id,
            label: get(&format!("label_{i}")),
            applies_to: AppliesTo::parse(&get(&format!("applies_to_{i}"))).unwrap_or(AppliesTo::Branch),
            cycle: Cycle::parse(&get(&format!("cycle_{i}"))).unwrap_or(Cycle::Month),
            times,
            quorum: Quorum::parse(&get(&format!("quorum_{i}"))).unwrap_or_default(),
            invitees: Invitees::parse(&get(&format!("invitees_{i}"))).unwrap_or_default(),
            observers: !get(&format!("observers_{i}")).is_empty(),
            first_agenda: !get(&format!("first_agenda_{i}")).is_empty(),
            three_meetings: !get(&format!("three_meetings_{i}")).is_empty(),
        });
    }
    (kinds, errors)
}

pub(crate) async fn kinds_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    use xianfeng_core::rules::Rule;
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let (kinds, mut errors) = kinds_from_form(&pairs);
    let from_text = get("effective_from");
    let source = get("source");
    let from = xianfeng_core::member::parse_date(&from_text);
    if from.is_none() {
        errors.push("请按 2025-07-01 的格式填写生效日期".into());
    }
    if !errors.is_empty() {
        return kinds_view(&state, &ctx, Some((kinds, from_text, source)), errors).await;
    }
    let value =
        serde_json::to_value(MeetingKinds { kinds: kinds.clone() }).map_err(|e| AppError::Internal(e.to_string()))?;
    let r = xianfeng_store::rules::add_version(
        &state.store,
        ctx.actor()?,
        &ctx.who(),
        MeetingKinds::KEY,
        from.expect("checked"),
        &value,
        &source,
    )
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/rules/meeting-kinds?ok=rule").into_response()),
        Err(StoreError::Invalid(e)) => {
            kinds_view(&state, &ctx, Some((kinds, from_text, source)), e.into_iter().map(|e| e.message).collect()).await
        }
        Err(e) => Err(e.into()),
    }
}
