//! Exported tables: the shared formats, the member roster, file names.

use super::*;

pub(crate) const EXPORT_SHEET: &str = "党员名册";
pub(crate) const EXPORT_COLUMNS: [(&str, f64); 16] = [
    ("序号", 6.0),
    ("姓名", 10.0),
    ("性别", 6.0),
    ("民族", 9.0),
    ("出生日期", 12.0),
    ("公民身份号码", 22.0),
    ("学历", 16.0),
    ("人员类别", 22.0),
    ("工作岗位", 20.0),
    ("职级", 8.0),
    ("联系电话", 14.0),
    ("入党日期", 12.0),
    ("转正日期", 12.0),
    ("党籍状态", 12.0),
    ("所在党支部", 30.0),
    ("所在单位", 24.0),
];

/// The formats every exported table shares.
pub struct TableFormats {
    pub title: Format,
    pub info: Format,
    pub head: Format,
    pub cell: Format,
    /// Right-aligned (numbers, rates, ranks).
    pub num: Format,
    /// Long text, wrapped and top-aligned.
    pub wrap: Format,
}

impl Default for TableFormats {
    fn default() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        TableFormats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            info: Format::new().set_align(FormatAlign::Left).set_align(FormatAlign::VerticalCenter).set_text_wrap(),
            head: Format::new()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin)
                .set_text_wrap()
                .set_background_color(Color::RGB(0xF2F2F2)),
            num: cell.clone().set_align(FormatAlign::Right),
            wrap: Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top),
            cell,
        }
    }
}

/// The top of an exported table: the title merged across row 0, each info
/// line merged across a row of its own, then the header with the column
/// widths. Returns the header's row (the data starts below it).
pub fn table_top(
    ws: &mut Worksheet,
    f: &TableFormats,
    title: &str,
    info: &[String],
    columns: &[(&str, f64)],
) -> Result<u32, rust_xlsxwriter::XlsxError> {
    let last = columns.len().saturating_sub(1) as u16;
    ws.merge_range(0, 0, 0, last, title, &f.title)?;
    ws.set_row_height(0, 32)?;
    for (i, line) in info.iter().enumerate() {
        let row = 1 + i as u32;
        ws.merge_range(row, 0, row, last, line, &f.info)?;
        ws.set_row_height(row, if line.chars().count() > 80 { 32 } else { 20 })?;
    }
    let header = 1 + info.len() as u32;
    for (c, (label, width)) in columns.iter().enumerate() {
        ws.write_string_with_format(header, c as u16, *label, &f.head)?;
        ws.set_column_width(c as u16, *width)?;
    }
    Ok(header)
}

/// The bottom of an exported table: a filter on the header, panes frozen
/// below it (and left of `freeze_cols`), printed on A4 landscape one page
/// wide with the header repeated and page numbers in the footer.
pub fn table_print(
    ws: &mut Worksheet,
    header: u32,
    rows: usize,
    last_col: u16,
    freeze_cols: u16,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.autofilter(header, 0, header + rows as u32, last_col)?;
    ws.set_freeze_panes(header + 1, freeze_cols)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(header, header)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

/// The member roster as .xlsx: sheet “党员名册”, a merged title row naming
/// the scope, a row with the filters, the data date and the count, the
/// header, then one row per member (ID and phone masked as in `rows`, dates
/// as YYYY-MM-DD text). Panes are frozen below the header; it prints on A4
/// landscape one page wide with the header repeated.
pub fn members_export(
    rows: &[MemberRow],
    scope_name: &str,
    filters_desc: &str,
    generated_on: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    build_export(rows, scope_name, filters_desc, generated_on).map_err(XlsxError::write)
}

pub(crate) fn build_export(
    rows: &[MemberRow],
    scope_name: &str,
    filters_desc: &str,
    generated_on: NaiveDate,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let f = TableFormats::default();
    let center = f.cell.clone().set_align(FormatAlign::Center);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(EXPORT_SHEET)?;
    let scope = scope_name.trim();
    let title_text = if scope.is_empty() { EXPORT_SHEET.to_string() } else { format!("{EXPORT_SHEET} — {scope}") };
    let filters = match filters_desc.trim() {
        "" => "无",
        f => f,
    };
    let info_text =
        format!("筛选条件：{filters}\u{3000}数据日期：{}\u{3000}共 {} 人", generated_on.format("%Y-%m-%d"), rows.len());
    let header = table_top(ws, &f, &title_text, &[info_text], &EXPORT_COLUMNS)?;
    let cell = &f.cell;
    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    for (i, m) in rows.iter().enumerate() {
        let r = header + 1 + i as u32;
        let values: [(&str, &Format); 15] = [
            (&m.name, cell),
            (&m.gender, &center),
            (&m.ethnicity, &center),
            (&date(Some(m.birth_date)), &center),
            (&m.id_card_masked, cell),
            (&m.education, cell),
            (&m.category, cell),
            (&m.position, cell),
            (&m.cadre_rank, &center),
            (&m.phone_masked, cell),
            (&date(m.join_date), &center),
            (&date(m.full_date), &center),
            (m.status_label(), &center),
            (&m.org_name, cell),
            (&m.unit_name, cell),
        ];
        ws.write_number_with_format(r, 0, (i + 1) as f64, &center)?;
        for (c, (v, fmt)) in values.iter().enumerate() {
            ws.write_string_with_format(r, 1 + c as u16, *v, fmt)?;
        }
    }
    table_print(ws, header, rows.len(), (EXPORT_COLUMNS.len() - 1) as u16, 2)?;
    wb.save_to_buffer()
}

/// A download's name without the characters Windows refuses in file names.
pub fn safe_file_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control() && !matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect()
}

/// “党员名册_{scope}_{YYYYMMDD}.xlsx”, with characters illegal in Windows
/// file names removed and the scope cut to 60 characters.
pub fn export_file_name(scope_name: &str, today: NaiveDate) -> String {
    let cleaned = safe_file_name(scope_name);
    let scope: String = cleaned.trim().trim_matches('.').trim().chars().take(60).collect();
    let day = today.format("%Y%m%d");
    if scope.is_empty() { format!("{EXPORT_SHEET}_{day}.xlsx") } else { format!("{EXPORT_SHEET}_{scope}_{day}.xlsx") }
}
