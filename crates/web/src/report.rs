//! Reports: the central-group study bulletin (定期通报) as a page, as .xlsx
//! and as a .docx official document (GB/T 9704), from the meeting records.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::Workbook;
use serde::Deserialize;
use xianfeng_core::text::{date_zh, today_cn};
use xianfeng_store::org::{self as store_org, OrgFilter};
use xianfeng_store::report::{self as store_report, Bulletin};

use crate::AppState;
use crate::docx::{Block, OfficialDoc};
use crate::error::{AppError, Result};
use crate::layout::{Layout, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/reports/central-group", get(page))
        .route("/reports/central-group.xlsx", get(xlsx))
        .route("/reports/central-group.docx", get(docx))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/reports/central-group", get(api_json))
        .route("/reports/central-group.xlsx", get(xlsx))
        .route("/reports/central-group.docx", get(docx))
}

/// The bulletin's parameters, as typed in the form or the query string.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BulletinQ {
    pub from: String,
    pub to: String,
    /// Comma-separated unit ids; empty means every unit in scope.
    pub units: String,
    pub doc_number: String,
    pub title: String,
}

struct Args {
    from: NaiveDate,
    to: NaiveDate,
    units: Vec<i64>,
}

fn args(q: &BulletinQ) -> Result<Args> {
    let today = today_cn();
    // Default: the last quarter that has ended.
    let q_start = NaiveDate::from_ymd_opt(today.year(), (today.month() - 1) / 3 * 3 + 1, 1).expect("valid");
    let last_q_end = q_start.pred_opt().expect("valid");
    let last_q_start =
        NaiveDate::from_ymd_opt(last_q_end.year(), (last_q_end.month() - 1) / 3 * 3 + 1, 1).expect("valid");
    let date = |s: &str, default: NaiveDate, label: &str| -> Result<NaiveDate> {
        if s.trim().is_empty() {
            Ok(default)
        } else {
            xianfeng_core::member::parse_date(s.trim())
                .ok_or_else(|| AppError::BadRequest(format!("{label}请按 2025-07-01 的格式填写")))
        }
    };
    let from = date(&q.from, last_q_start, "开始日期")?;
    let to = date(&q.to, last_q_end, "结束日期")?;
    let mut units = Vec::new();
    for part in q.units.split([',', '，']).map(str::trim).filter(|s| !s.is_empty()) {
        units.push(part.parse::<i64>().map_err(|_| AppError::BadRequest("units 应为逗号分隔的单位编号".into()))?);
    }
    Ok(Args { from, to, units })
}

/// Reads the query, joining repeated `units` (a multiple select) into one list.
fn read_query(pairs: Vec<(String, String)>) -> BulletinQ {
    let mut q = BulletinQ::default();
    let mut units = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "from" => q.from = v,
            "to" => q.to = v,
            "units" if !v.trim().is_empty() => units.push(v),
            "doc_number" => q.doc_number = v,
            "title" => q.title = v,
            _ => {}
        }
    }
    q.units = units.join(",");
    q
}

async fn bulletin(state: &AppState, ctx: &Ctx, q: &BulletinQ) -> Result<Bulletin> {
    let scope = ctx.org_scope()?;
    let a = args(q)?;
    Ok(store_report::central_group_bulletin(&state.store, &scope, a.from, a.to, &a.units).await?)
}

fn default_title(b: &Bulletin) -> String {
    format!("关于{}各单位党委（党组）理论学习中心组学习情况的通报", b.period_label())
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    l: Layout,
    b: Bulletin,
    q: BulletinQ,
    from: String,
    to: String,
    unit_options: Vec<(i64, String, bool)>,
    title: String,
    query: String,
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(pairs): Query<Vec<(String, String)>>) -> Result<Response> {
    let q = read_query(pairs);
    let scope = ctx.org_scope()?;
    let b = bulletin(&state, &ctx, &q).await?;
    let filter = OrgFilter { kind: "unit".into(), ..Default::default() };
    let chosen = args(&q)?.units;
    let unit_options = store_org::search(&state.store, &scope, &filter, 1, xianfeng_store::EVERY_ROW)
        .await?
        .items
        .into_iter()
        .map(|o| (o.id, o.name, chosen.contains(&o.id)))
        .collect();
    let query = serde_urlencoded::to_string([
        ("from", b.from.to_string()),
        ("to", b.to.to_string()),
        ("units", q.units.clone()),
        ("doc_number", q.doc_number.clone()),
        ("title", q.title.clone()),
    ])
    .unwrap_or_default();
    render(&BulletinPage {
        l: Layout::new(&ctx, "中心组学习通报", "/reports/central-group")
            .crumb("统计报表", "/reports/central-group")
            .crumb("中心组学习通报", ""),
        from: b.from.to_string(),
        to: b.to.to_string(),
        title: if q.title.trim().is_empty() { default_title(&b) } else { q.title.clone() },
        unit_options,
        query,
        q,
        b,
    })
}

async fn api_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<Bulletin>> {
    let q = read_query(pairs);
    Ok(Json(bulletin(&state, &ctx, &q).await?))
}

/// File names name the scope and the period.
fn file_name(ctx: &Ctx, b: &Bulletin, ext: &str) -> String {
    let scope = ctx.actor().ok().and_then(|a| a.org.as_ref().map(|o| o.name.clone())).unwrap_or_default();
    let cleaned = crate::xlsx::safe_file_name(&format!("中心组学习通报_{scope}_{}", b.period_label()));
    format!("{cleaned}.{ext}")
}

async fn xlsx(State(state): State<AppState>, ctx: Ctx, Query(pairs): Query<Vec<(String, String)>>) -> Result<Response> {
    let q = read_query(pairs);
    let b = bulletin(&state, &ctx, &q).await?;
    let scope = ctx.actor()?.org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let bytes = bulletin_xlsx(&b, &scope, today_cn()).map_err(|e| AppError::Internal(e.to_string()))?;
    let name = file_name(&ctx, &b, "xlsx");
    crate::layout::download(&state, &ctx, "central_group_bulletin", b.period_label(), &name, crate::layout::XLSX, bytes)
        .await
}

async fn docx(State(state): State<AppState>, ctx: Ctx, Query(pairs): Query<Vec<(String, String)>>) -> Result<Response> {
    let q = read_query(pairs);
    let b = bulletin(&state, &ctx, &q).await?;
    let issuer = ctx.actor()?.org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let doc = official_doc(&b, &issuer, &q, today_cn());
    let name = file_name(&ctx, &b, "docx");
    crate::layout::download(
        &state,
        &ctx,
        "central_group_bulletin",
        b.period_label(),
        &name,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        crate::docx::render(&doc),
    )
    .await
}

/// The bulletin as an official document.
pub fn official_doc(b: &Bulletin, issuer: &str, q: &BulletinQ, today: NaiveDate) -> OfficialDoc {
    let short = b.short_units();
    let met = b.units.len() - short.len();
    let mut body = vec![
        Block::Paragraph(format!(
            "为落实理论学习中心组学习列席旁听和定期通报制度，现将{}各单位党委（党组）理论学习中心组学习情况通报如下。",
            b.period_label()
        )),
        Block::Heading1("一、总体情况".into()),
        Block::Paragraph(format!(
            "{}个单位共开展中心组集体学习{}次，平均出席率{:.1}%，邀请列席旁听{}人次。{}个单位按要求完成学习，{}个单位未达到要求。",
            b.units.len(),
            b.sessions(),
            b.attendance_rate(),
            b.observers(),
            met,
            short.len()
        )),
        Block::Heading1("二、各单位学习情况".into()),
        Block::Table {
            header: ["序号", "单位", "应学次数", "实学次数", "出席率", "列席人次", "是否达标"]
                .map(String::from)
                .to_vec(),
            rows: b
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    vec![
                        (i + 1).to_string(),
                        u.unit_name.clone(),
                        u.expected.to_string(),
                        u.held.to_string(),
                        u.rate_text(),
                        u.observers.to_string(),
                        if u.fell_short() { "未达标".into() } else { "达标".into() },
                    ]
                })
                .collect(),
        },
        Block::Heading1("三、未按要求开展学习的单位".into()),
    ];
    if short.is_empty() {
        body.push(Block::Paragraph("本期各单位均按要求开展了中心组集体学习。".into()));
    } else {
        for u in &short {
            body.push(Block::Paragraph(format!(
                "{}：{}未开展中心组集体学习。",
                u.unit_name,
                u.short_cycles.join("、")
            )));
        }
    }
    body.push(Block::Heading1("四、有关要求".into()));
    body.push(Block::Paragraph(
        "各单位党委（党组）要坚持把学习贯彻习近平新时代中国特色社会主义思想作为中心组学习的首要任务，严格落实学习制度，认真制定学习计划；未达到要求的单位要认真查找原因，及时补学，并于下期通报前将整改情况报省直机关工委。".into(),
    ));
    OfficialDoc {
        issuer_mark: format!("{issuer}文件"),
        doc_number: q.doc_number.trim().to_string(),
        title: if q.title.trim().is_empty() { default_title(b) } else { q.title.trim().to_string() },
        addressee: "各单位党委（党组）：".into(),
        body,
        signature: issuer.to_string(),
        date: date_zh(today),
        printed_by: format!("{issuer}办公室"),
        printed_on: format!("{}印发", date_zh(today)),
    }
}

/// The bulletin as a workbook: the units sheet (title, scope and date rows) and the sessions sheet.
pub fn bulletin_xlsx(
    b: &Bulletin,
    scope: &str,
    today: NaiveDate,
) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::xlsx::{table_print, table_top};
    const UNITS: [(&str, f64); 9] = [
        ("序号", 6.0),
        ("单位", 30.0),
        ("片区", 11.0),
        ("应学次数", 11.0),
        ("实学次数", 11.0),
        ("出席率", 11.0),
        ("列席人次", 11.0),
        ("是否达标", 11.0),
        ("未学周期", 36.0),
    ];
    const SESSIONS: [(&str, f64); 7] = [
        ("序号", 6.0),
        ("单位", 30.0),
        ("日期", 12.0),
        ("学习专题", 40.0),
        ("应到", 8.0),
        ("实到", 8.0),
        ("列席旁听人员", 40.0),
    ];
    let f = crate::xlsx::TableFormats::default();
    let cell = &f.cell;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("各单位情况")?;
    let info = [format!("期间：{} 至 {}\u{3000}数据日期：{}\u{3000}共 {} 个单位", b.from, b.to, today, b.units.len())];
    let header = table_top(ws, &f, &format!("{}中心组学习情况 — {scope}", b.period_label()), &info, &UNITS)?;
    for (i, u) in b.units.iter().enumerate() {
        let r = header + 1 + i as u32;
        ws.write_number_with_format(r, 0, (i + 1) as f64, cell)?;
        ws.write_string_with_format(r, 1, &u.unit_name, cell)?;
        ws.write_string_with_format(r, 2, &u.district, cell)?;
        ws.write_number_with_format(r, 3, u.expected as f64, cell)?;
        ws.write_number_with_format(r, 4, u.held as f64, cell)?;
        ws.write_string_with_format(r, 5, u.rate_text(), cell)?;
        ws.write_number_with_format(r, 6, u.observers as f64, cell)?;
        ws.write_string_with_format(r, 7, if u.fell_short() { "未达标" } else { "达标" }, cell)?;
        ws.write_string_with_format(r, 8, u.short_cycles.join("、"), cell)?;
    }
    table_print(ws, header, b.units.len(), (UNITS.len() - 1) as u16, 0)?;
    let ws2 = wb.add_worksheet();
    ws2.set_name("学习明细")?;
    let info = [format!("期间：{} 至 {}\u{3000}数据日期：{}", b.from, b.to, today)];
    let header = table_top(ws2, &f, &format!("{}中心组学习明细 — {scope}", b.period_label()), &info, &SESSIONS)?;
    let mut r = header + 1;
    for u in &b.units {
        for s in &u.sessions {
            ws2.write_number_with_format(r, 0, (r - header) as f64, cell)?;
            ws2.write_string_with_format(r, 1, &u.unit_name, cell)?;
            ws2.write_string_with_format(r, 2, s.held_on.to_string(), cell)?;
            ws2.write_string_with_format(r, 3, &s.topic, cell)?;
            ws2.write_number_with_format(r, 4, s.expected as f64, cell)?;
            ws2.write_number_with_format(r, 5, s.present as f64, cell)?;
            ws2.write_string_with_format(r, 6, s.observers.join("、"), cell)?;
            r += 1;
        }
    }
    table_print(ws2, header, (r - header - 1) as usize, (SESSIONS.len() - 1) as u16, 0)?;
    wb.save_to_buffer()
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "report",
        pages,
        api,
        menu: &[MenuEntry::new(Section::Reports, 10, "中心组学习通报", "/reports/central-group", COMMITTEE_AND_UNITS)],
        operations: &[
            (
                "get",
                "/reports/central-group",
                "report",
                "中心组学习通报数据（from、to、units、doc_number、title）",
                "",
                200,
                "CentralGroupReport",
            ),
            ("get", "/reports/central-group.xlsx", "report", "中心组学习通报 .xlsx", "", 200, "Xlsx"),
            (
                "get",
                "/reports/central-group.docx",
                "report",
                "中心组学习通报公文 .docx（GB/T 9704 版式）",
                "",
                200,
                "Docx",
            ),
        ],
    }
};
