//! Excel (.xlsx) import and export of member records.
//!
//! Import ([`parse_members`]) is defensive: the upload is refused by size, by
//! its magic bytes (legacy .xls, CSV renamed to .xlsx …) and by the zip's
//! entry count and uncompressed size *before* calamine parses anything; every
//! entry is then inflated through a capped reader so an entry whose declared
//! size lies is caught too. Calamine runs inside `catch_unwind`, reads the
//! first worksheet cell by cell (never the declared sheet dimensions, which a
//! crafted file can make huge) and stops once the row cap is passed.
//!
//! Every cell is read as text. A numeric cell in the 公民身份号码 column is
//! refused with a row error: 18 digits do not survive as an Excel number.
//!
//! Export: [`members_template`] (the import template), [`members_export`]
//! (the roster with title, scope, filters and data date) and
//! [`export_file_name`].

use std::io::{self, Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::member::{MemberRow, RowError};
use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::{Color, DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use xianfeng_core::member::{
    CADRE_RANKS, CATEGORIES, EDUCATIONS, ETHNICITIES, FIELD_LABELS, GENDERS, MemberInput, MemberStatus, field_label,
};

const MIB: usize = 1024 * 1024;

/// Upper bounds for an uploaded workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Size of the uploaded file.
    pub max_file_bytes: usize,
    /// Sum of the uncompressed sizes of all zip entries.
    pub max_uncompressed_bytes: u64,
    /// Number of entries in the zip.
    pub max_zip_entries: usize,
    /// Non-empty data rows below the header.
    pub max_rows: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_file_bytes: 20 * MIB,
            max_uncompressed_bytes: 200 * MIB as u64,
            max_zip_entries: 1_000,
            max_rows: 100_000,
        }
    }
}

/// Why a whole file was refused (row problems are [`RowError`]s instead).
/// The `Display` text is a Chinese sentence for the user; `detail` fields are
/// for the log only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsxError {
    #[error("文件过大：导入文件不能超过 {limit_mb} MB。请删除无关的工作表和图片，或拆分为多个文件分批导入")]
    FileTooLarge { limit_mb: usize },
    #[error(
        "这是旧版 Excel 97-2003（.xls）或 WPS 表格（.et）格式的文件，也可能是设置了打开密码的工作簿。\
         请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（*.xlsx）格式（如有打开密码请先取消）再导入"
    )]
    LegacyXls,
    #[error("无法导入：{reason}。请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（*.xlsx）格式再导入")]
    NotXlsx { reason: &'static str },
    #[error("文件解压后的内容超过 {limit_mb} MB，可能已损坏或不是正常的 Excel 文件，已拒绝处理")]
    UncompressedTooLarge { limit_mb: u64 },
    #[error("文件内部的部件超过 {limit} 个，可能已损坏或不是正常的 Excel 文件，已拒绝处理")]
    TooManyEntries { limit: usize },
    #[error("数据超过 {limit} 行的上限，请拆分为多个文件分批导入")]
    TooManyRows { limit: usize },
    #[error("工作簿中没有可读取的工作表")]
    NoWorksheet,
    #[error("第一个工作表中没有找到表头行（应有一行包含“姓名”列）。请下载导入模板，按模板填写后再导入")]
    NoHeader,
    #[error("表头缺少必填列：{}。请使用导入模板，不要修改表头文字", .columns.join("、"))]
    MissingColumns { columns: Vec<String> },
    #[error("无法读取该 Excel 文件，文件可能已损坏。请用 Excel 或 WPS 打开后重新保存为 .xlsx 再导入")]
    Parse { detail: String },
    #[error("生成 Excel 文件失败")]
    Write { detail: String },
}

/// How a refused file is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRefusal {
    TooLarge,
    Fixable,
    Fault,
}

impl XlsxError {
    /// What kind of refusal this is: the file is too large (HTTP 413), the
    /// export could not be written (a fault, 500), or the uploader can fix it (422).
    pub fn kind(&self) -> FileRefusal {
        match self {
            XlsxError::FileTooLarge { .. } => FileRefusal::TooLarge,
            XlsxError::Write { .. } => FileRefusal::Fault,
            _ => FileRefusal::Fixable,
        }
    }

    fn parse(e: impl std::fmt::Display) -> XlsxError {
        XlsxError::Parse { detail: e.to_string() }
    }

    fn write(e: rust_xlsxwriter::XlsxError) -> XlsxError {
        XlsxError::Write { detail: e.to_string() }
    }
}

/// What [`parse_members`] read: the rows (with their 1-based Excel row
/// numbers) and the cells refused while reading. A row with a refused cell is
/// reported in `errors` only, not in `rows`; an import should not proceed
/// while `errors` is non-empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedMembers {
    pub rows: Vec<(usize, MemberInput)>,
    pub errors: Vec<RowError>,
}

/// The columns an import file must have (by field key).
pub const REQUIRED_FIELDS: [&str; 6] = ["name", "gender", "ethnicity", "id_card", "status", "org_id"];

/// Reason given for a numeric cell in the 公民身份号码 column.
pub const NUMERIC_ID_REASON: &str =
    "公民身份号码被Excel存成了数字，18位号码会丢失精度（如5.20102E+17），请将该列设置为文本格式后重新填写";

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads member rows from the first (visible) worksheet of an .xlsx file.
///
/// The header row is the first row with a cell “姓名”; columns are matched by
/// the labels in [`FIELD_LABELS`] in any order (spaces and a `*` marker are
/// tolerated), unknown columns are ignored. Rows whose recognised cells are
/// all empty are skipped. Values are left as typed; validation is the
/// store's job.
pub fn parse_members(bytes: &[u8], limits: &ImportLimits) -> Result<ParsedMembers, XlsxError> {
    parse_members_with(bytes, limits, None)
}

/// A receiver of parsed rows, a chunk at a time.
pub type RowSink<'a> = &'a mut dyn FnMut(Vec<(usize, MemberInput)>);

/// Like [`parse_members`], handing rows to `sink` every `chunk` rows as they
/// are read, so a caller can check and write them while the rest is parsed.
/// Returns the cell-level errors; a file-level error means the rows already
/// handed over must be discarded.
pub fn parse_members_streaming(
    bytes: &[u8],
    limits: &ImportLimits,
    chunk: usize,
    sink: RowSink<'_>,
) -> Result<Vec<RowError>, XlsxError> {
    let out = parse_members_with(bytes, limits, Some((chunk.max(1), sink)))?;
    Ok(out.errors)
}

fn parse_members_with(
    bytes: &[u8],
    limits: &ImportLimits,
    sink: Option<(usize, RowSink<'_>)>,
) -> Result<ParsedMembers, XlsxError> {
    check_container(bytes, limits)?;
    match catch_unwind(AssertUnwindSafe(|| read_members(bytes, limits, sink))) {
        Ok(r) => r,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "calamine panicked".into());
            Err(XlsxError::Parse { detail: format!("panic: {detail}") })
        }
    }
}

/// File-level checks that run before any XML is parsed.
fn check_container(bytes: &[u8], limits: &ImportLimits) -> Result<(), XlsxError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(XlsxError::FileTooLarge { limit_mb: limits.max_file_bytes.div_ceil(MIB) });
    }
    if bytes.starts_with(&OLE_MAGIC) {
        return Err(XlsxError::LegacyXls);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        let reason = if bytes.is_empty() {
            "文件是空的"
        } else {
            "文件内容不是 Excel 工作簿（.xlsx），可能是其他文件改了扩展名"
        };
        return Err(XlsxError::NotXlsx { reason });
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| XlsxError::NotXlsx {
        reason: "文件已损坏，无法作为 Excel 工作簿（.xlsx）打开",
    })?;
    if zip.len() > limits.max_zip_entries {
        return Err(XlsxError::TooManyEntries { limit: limits.max_zip_entries });
    }
    let too_large = || XlsxError::UncompressedTooLarge { limit_mb: limits.max_uncompressed_bytes.div_ceil(MIB as u64) };

    // Declared sizes, from the central directory.
    let mut declared_total: u64 = 0;
    let mut declared = Vec::with_capacity(zip.len());
    let (mut workbook, mut xlsb, mut ods) = (false, false, false);
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(XlsxError::parse)?;
        declared_total = declared_total.saturating_add(f.size());
        if declared_total > limits.max_uncompressed_bytes {
            return Err(too_large());
        }
        declared.push(f.size());
        let name = f.name().replace('\\', "/").to_ascii_lowercase();
        let name = name.trim_start_matches('/');
        workbook |= name == "xl/workbook.xml";
        xlsb |= name == "xl/workbook.bin";
        ods |= name == "content.xml" || name == "mimetype";
    }
    if !workbook {
        let reason = if xlsb {
            "这是 Excel 二进制工作簿（.xlsb）"
        } else if ods {
            "这是 OpenDocument 表格（.ods）"
        } else {
            "文件是压缩包，但不是 Excel 工作簿（.xlsx）"
        };
        return Err(XlsxError::NotXlsx { reason });
    }

    // Actual sizes: inflate each entry, reading at most one byte more than it
    // declares, so calamine (which trusts the stream) never meets a surprise.
    for (i, &size) in declared.iter().enumerate() {
        let mut f = zip.by_index(i).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(_) => {
                XlsxError::NotXlsx { reason: "文件使用了不支持的压缩或加密方式" }
            }
            e => XlsxError::parse(e),
        })?;
        let n = io::copy(&mut (&mut f).take(size.saturating_add(1)), &mut io::sink()).map_err(XlsxError::parse)?;
        if n > size {
            return Err(too_large());
        }
    }
    Ok(())
}

/// A cell's value as text; empty cells are not kept.
enum Val {
    Text(String),
    /// A number, date or time; the text is how we would read it.
    Number(String),
    /// An Excel error value such as #N/A.
    Error(String),
}

impl Val {
    fn text(&self) -> &str {
        match self {
            Val::Text(s) | Val::Number(s) | Val::Error(s) => s,
        }
    }
}

fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

fn cell_value(v: &DataRef<'_>) -> Option<Val> {
    let text = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| Val::Text(t.to_string()))
    };
    match v {
        DataRef::Empty => None,
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(Val::Number(i.to_string())),
        DataRef::Float(f) => Some(Val::Number(number_text(*f))),
        DataRef::Bool(b) => Some(Val::Text(if *b { "TRUE" } else { "FALSE" }.into())),
        DataRef::DateTime(dt) => Some(Val::Number(match dt.as_datetime() {
            Some(d) if dt.is_datetime() => d.date().format("%Y-%m-%d").to_string(),
            _ => number_text(dt.as_f64()),
        })),
        DataRef::DateTimeIso(s) => {
            let date = s.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            Some(Val::Number(date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| s.trim().into())))
        }
        DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => Some(Val::Error(e.to_string())),
    }
}

/// The input field a FIELD_LABELS index fills.
fn slot(m: &mut MemberInput, field: usize) -> Option<&mut String> {
    Some(match FIELD_LABELS.get(field)?.0 {
        "name" => &mut m.name,
        "gender" => &mut m.gender,
        "ethnicity" => &mut m.ethnicity,
        "birth_date" => &mut m.birth_date,
        "id_card" => &mut m.id_card,
        "education" => &mut m.education,
        "category" => &mut m.category,
        "phone" => &mut m.phone,
        "position" => &mut m.position,
        "cadre_rank" => &mut m.cadre_rank,
        "native_place" => &mut m.native_place,
        "address" => &mut m.address,
        "community" => &mut m.community,
        "join_date" => &mut m.join_date,
        "full_date" => &mut m.full_date,
        "status" => &mut m.status,
        "org_id" => &mut m.org_id,
        "group_id" => &mut m.group_id,
        _ => return None,
    })
}

fn field_index(key: &str) -> Option<usize> {
    FIELD_LABELS.iter().position(|(k, _)| *k == key)
}

/// A header cell without spaces, a required-marker `*` or a “（必填）” suffix.
fn header_key(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊')).collect();
    let s = s.strip_suffix("（必填）").or_else(|| s.strip_suffix("(必填)")).unwrap_or(&s);
    s.to_string()
}

/// Column → FIELD_LABELS index, from the header row.
struct Header {
    cols: Vec<Option<usize>>,
}

impl Header {
    fn field(&self, col: u32) -> Option<usize> {
        self.cols.get(col as usize).copied().flatten()
    }
}

struct RowReader<'a, 's> {
    limits: &'a ImportLimits,
    header: Option<Header>,
    id_field: Option<usize>,
    data_rows: usize,
    out: ParsedMembers,
    sink: Option<(usize, RowSink<'s>)>,
}

impl RowReader<'_, '_> {
    /// Hands the rows read so far to the sink: a full chunk, or (at the end) the rest.
    fn flush(&mut self, at_end: bool) {
        if let Some((chunk, sink)) = &mut self.sink {
            let n = self.out.rows.len();
            if n >= *chunk || (at_end && n > 0) {
                sink(std::mem::take(&mut self.out.rows));
            }
        }
    }
}

impl RowReader<'_, '_> {
    /// Takes one sheet row (0-based index) with its non-empty cells.
    fn row(&mut self, row: u32, cells: &mut Vec<(u32, Val)>) -> Result<(), XlsxError> {
        if cells.is_empty() {
            return Ok(());
        }
        let Some(header) = &self.header else {
            if cells.iter().any(|(_, v)| header_key(v.text()) == "姓名") {
                self.header = Some(Self::header(cells)?);
            }
            cells.clear();
            return Ok(());
        };
        let excel_row = row as usize + 1;
        let mut input = MemberInput::default();
        let mut errors = Vec::new();
        let mut any = false;
        for (col, val) in cells.drain(..) {
            let Some(field) = header.field(col) else { continue };
            let Some(slot) = slot(&mut input, field) else { continue };
            let column = FIELD_LABELS[field].1.to_string();
            any = true;
            match val {
                Val::Number(_) if Some(field) == self.id_field => {
                    errors.push(RowError { row: excel_row, column, reason: NUMERIC_ID_REASON.into() });
                }
                Val::Text(s) | Val::Number(s) => *slot = s,
                Val::Error(code) => errors.push(RowError {
                    row: excel_row,
                    column,
                    reason: format!("单元格内容是错误值 {code}，请改为实际内容（不要使用公式）"),
                }),
            }
        }
        if !any {
            return Ok(());
        }
        self.data_rows += 1;
        if self.data_rows > self.limits.max_rows {
            return Err(XlsxError::TooManyRows { limit: self.limits.max_rows });
        }
        if errors.is_empty() {
            self.out.rows.push((excel_row, input));
            self.flush(false);
        } else {
            self.out.errors.extend(errors);
        }
        Ok(())
    }

    fn header(cells: &[(u32, Val)]) -> Result<Header, XlsxError> {
        let width = cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
        let mut cols = vec![None; width];
        let mut seen = [false; FIELD_LABELS.len()];
        for (col, val) in cells {
            let key = header_key(val.text());
            if let Some(field) = FIELD_LABELS.iter().position(|(_, label)| *label == key)
                && !seen[field]
            {
                seen[field] = true;
                cols[*col as usize] = Some(field);
            }
        }
        let missing: Vec<String> = REQUIRED_FIELDS
            .iter()
            .filter(|k| field_index(k).is_none_or(|i| !seen[i]))
            .map(|k| field_label(k).to_string())
            .collect();
        if !missing.is_empty() {
            return Err(XlsxError::MissingColumns { columns: missing });
        }
        Ok(Header { cols })
    }
}

fn read_members(
    bytes: &[u8],
    limits: &ImportLimits,
    sink: Option<(usize, RowSink<'_>)>,
) -> Result<ParsedMembers, XlsxError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(XlsxError::parse)?;
    let sheets = wb.sheets_metadata();
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    let sheet = worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .ok_or(XlsxError::NoWorksheet)?
        .name
        .clone();
    let mut cells = wb.worksheet_cells_reader(&sheet).map_err(XlsxError::parse)?;
    let mut reader = RowReader {
        limits,
        header: None,
        id_field: field_index("id_card"),
        data_rows: 0,
        out: ParsedMembers::default(),
        sink,
    };
    let mut current: Option<u32> = None;
    let mut row_cells: Vec<(u32, Val)> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(XlsxError::parse)? {
        let (row, col) = cell.get_position();
        if current != Some(row) {
            if let Some(r) = current {
                reader.row(r, &mut row_cells)?;
            }
            row_cells.clear();
            current = Some(row);
        }
        // Below the header only the recognised columns matter.
        if let Some(h) = &reader.header
            && h.field(col).is_none()
        {
            continue;
        }
        if let Some(v) = cell_value(cell.get_value()) {
            row_cells.push((col, v));
        }
    }
    if let Some(r) = current {
        reader.row(r, &mut row_cells)?;
    }
    if reader.header.is_none() {
        return Err(XlsxError::NoHeader);
    }
    reader.flush(true);
    Ok(reader.out)
}

// ---------------------------------------------------------------- writing

const TEMPLATE_SHEET: &str = "党员信息";
const TEMPLATE_TITLE: &str = "党员信息导入模板";
/// Rows (0-based, inclusive) that get drop-downs and input hints in the template.
const TEMPLATE_FIRST_DATA_ROW: u32 = 2;
const TEMPLATE_LAST_DATA_ROW: u32 = 100_001;

fn template_width(field: &str) -> f64 {
    match field {
        "id_card" => 22.0,
        "address" => 30.0,
        "org_id" => 26.0,
        "position" | "community" | "category" | "group_id" => 20.0,
        "education" | "phone" | "birth_date" | "join_date" | "full_date" | "status" | "native_place" => 14.0,
        _ => 10.0,
    }
}

fn template_help(field: &str) -> &'static str {
    match field {
        "name" => "不超过50个字",
        "gender" => "从下拉列表选择“男”或“女”，须与公民身份号码一致",
        "ethnicity" => "从下拉列表选择，如“汉族”“苗族”",
        "birth_date" => "格式如 2025-07-01；可不填，不填时按公民身份号码识别，填写时须与号码一致",
        "id_card" => {
            "18位，最后一位可为X。本列已设置为文本格式，请直接输入；不要让Excel把号码存成数字（如5.20102E+17），否则无法导入"
        }
        "education" => "从下拉列表选择",
        "category" => "从下拉列表选择",
        "phone" => "11位手机号，或以0开头的固定电话（如0851-86812345）；本列为文本格式",
        "position" => "不超过100个字",
        "cadre_rank" => "从下拉列表选择",
        "native_place" => "不超过50个字",
        "address" => "不超过200个字",
        "community" => "不超过100个字",
        "join_date" => "格式如 2025-07-01；预备党员、正式党员必填；入党时应年满18周岁",
        "full_date" => "格式如 2025-07-01；正式党员必填，不得早于入党日期；预备党员不填",
        "status" => "从下拉列表选择，如“正式党员”“预备党员”",
        "org_id" => "填写党支部全称（须在您的管理范围内且名称唯一），也可填写系统中的组织编号",
        "group_id" => "填写所在党支部下的党小组名称或编号；没有可不填",
        _ => "",
    }
}

/// Drop-down choices for a field, if it has a fixed list.
fn template_choices(field: &str) -> Option<Vec<&'static str>> {
    Some(match field {
        "gender" => GENDERS.to_vec(),
        "ethnicity" => ETHNICITIES.to_vec(),
        "education" => EDUCATIONS.to_vec(),
        "category" => CATEGORIES.to_vec(),
        "cadre_rank" => CADRE_RANKS.to_vec(),
        "status" => MemberStatus::ALL.iter().map(|s| s.label()).collect(),
        _ => return None,
    })
}

/// Writes the title row and the header row (all FIELD_LABELS) of an import sheet.
fn write_import_header(ws: &mut Worksheet, styled: bool) -> Result<(), rust_xlsxwriter::XlsxError> {
    let last_col = (FIELD_LABELS.len() - 1) as u16;
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xF2F2F2));
    let required = head.clone().set_font_color(Color::RGB(0xC00000));
    if styled {
        ws.merge_range(
            0,
            0,
            0,
            last_col,
            &format!("{TEMPLATE_TITLE}（红色表头为必填列，填写前请阅读“填写说明”工作表）"),
            &title,
        )?;
        ws.set_row_height(0, 30)?;
        ws.set_row_height(1, 22)?;
    } else {
        ws.write_string(0, 0, TEMPLATE_TITLE)?;
    }
    for (i, (key, label)) in FIELD_LABELS.iter().enumerate() {
        let col = i as u16;
        if styled {
            let f = if REQUIRED_FIELDS.contains(key) { &required } else { &head };
            ws.write_string_with_format(1, col, *label, f)?;
            ws.set_column_width(col, template_width(key))?;
        } else {
            ws.write_string(1, col, *label)?;
        }
    }
    Ok(())
}

fn build_template() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    {
        let ws = wb.add_worksheet();
        ws.set_name(TEMPLATE_SHEET)?;
        write_import_header(ws, true)?;
        let (first, last) = (TEMPLATE_FIRST_DATA_ROW, TEMPLATE_LAST_DATA_ROW);
        for (i, (key, label)) in FIELD_LABELS.iter().enumerate() {
            let col = i as u16;
            match *key {
                "id_card" | "phone" => {
                    ws.set_column_format(col, &text)?;
                }
                "birth_date" | "join_date" | "full_date" => {
                    ws.set_column_format(col, &date)?;
                }
                _ => {}
            }
            let help = template_help(key);
            let dv = match template_choices(key) {
                Some(choices) => DataValidation::new()
                    .allow_list_strings(&choices)?
                    .set_error_title("输入有误")?
                    .set_error_message(format!("“{label}”请从下拉列表中选择"))?,
                None => DataValidation::new().allow_any_value(),
            };
            if !help.is_empty() {
                let dv = dv.set_input_title(*label)?.set_input_message(help)?;
                ws.add_data_validation(first, col, last, col, &dv)?;
            }
        }
        ws.set_freeze_panes(2, 1)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填写说明")?;
        let title = Format::new().set_bold().set_font_size(14);
        let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_background_color(Color::RGB(0xF2F2F2));
        let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::VerticalCenter);
        let red = cell.clone().set_font_color(Color::RGB(0xC00000)).set_bold();
        let limits = ImportLimits::default();
        ws.write_string_with_format(0, 0, "党员信息导入填写说明", &title)?;
        let notes = [
            "1. 请在“党员信息”工作表中从第3行开始逐行填写，每行一名党员；不要修改、删除或移动第2行的表头。".to_string(),
            "2. 红色表头为必填列：姓名、性别、民族、公民身份号码、党籍状态、所在党支部。".to_string(),
            "3. 日期一律按 2025-07-01 的格式填写。".to_string(),
            "4. 公民身份号码、联系电话两列已设置为文本格式，请直接输入。号码若被存成数字（显示为5.20102E+17之类），18位号码会丢失精度，该行将无法导入；从其他表格复制时，请确保源数据中的号码也是文本。".to_string(),
            "5. 性别、民族、学历、人员类别、职级、党籍状态请从下拉列表中选择。".to_string(),
            "6. 导入时全部数据一并校验，只要有一行有误就不会导入任何数据；系统会列出出错的行号和原因，修改后重新上传即可。".to_string(),
            format!(
                "7. 单个文件不超过 {} MB、{} 行；数据较多时请拆分为多个文件分批导入。",
                limits.max_file_bytes / MIB,
                limits.max_rows
            ),
        ];
        for (i, n) in notes.iter().enumerate() {
            ws.merge_range(1 + i as u32, 0, 1 + i as u32, 2, n, &Format::new().set_text_wrap())?;
            ws.set_row_height(1 + i as u32, 32)?;
        }
        let start = 2 + notes.len() as u32;
        for (c, h) in ["列名", "是否必填", "填写要求"].iter().enumerate() {
            ws.write_string_with_format(start, c as u16, *h, &head)?;
        }
        for (i, (key, label)) in FIELD_LABELS.iter().enumerate() {
            let r = start + 1 + i as u32;
            let req = REQUIRED_FIELDS.contains(key);
            ws.write_string_with_format(r, 0, *label, if req { &red } else { &cell })?;
            ws.write_string_with_format(r, 1, if req { "必填" } else { "选填" }, &cell)?;
            ws.write_string_with_format(r, 2, template_help(key), &cell)?;
        }
        ws.set_column_width(0, 16)?;
        ws.set_column_width(1, 10)?;
        ws.set_column_width(2, 90)?;
    }
    wb.save_to_buffer()
}

/// The import template: sheet “党员信息” (title row, header row with every
/// label of [`FIELD_LABELS`], required ones in red, ID and phone columns as
/// text, drop-downs for fixed lists, no example row) and sheet “填写说明”.
pub fn members_template() -> Vec<u8> {
    build_template().expect("the import template is fixed and always valid")
}

/// An import file with the template's title and header rows and one row per
/// input, every non-empty value written as a text cell. For tests and
/// benchmarks of [`parse_members`].
///
/// # Panics
/// If rust_xlsxwriter refuses the data (more than 1,048,574 rows, or a cell
/// over 32,767 characters).
pub fn synth_members_file(rows: &[MemberInput]) -> Vec<u8> {
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(TEMPLATE_SHEET)?;
        write_import_header(ws, false)?;
        for (r, input) in rows.iter().enumerate() {
            let mut input = input.clone();
            for field in 0..FIELD_LABELS.len() {
                if let Some(v) = slot(&mut input, field)
                    && !v.is_empty()
                {
                    ws.write_string(TEMPLATE_FIRST_DATA_ROW + r as u32, field as u16, v.as_str())?;
                }
            }
        }
        wb.save_to_buffer()
    };
    build().expect("synthetic member file")
}

const EXPORT_SHEET: &str = "党员名册";
const EXPORT_COLUMNS: [(&str, f64); 16] = [
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

fn build_export(
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

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::ExcelDateTime;
    use std::io::Write;
    use xianfeng_core::idcard;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn id(y: i32, m: u32, day: u32, seq: u32) -> String {
        idcard::compose(520102, d(y, m, day), seq)
    }

    /// A title row, a header in its own order with an unknown column, two
    /// good rows, an empty row and a row with a numeric ID number.
    fn sample_file() -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("导入").unwrap();
        ws.merge_range(0, 0, 0, 9, "某某党委党员信息", &Format::new()).unwrap();
        let header = [
            "序号",
            "姓名",
            " 性别 ",
            "*民族",
            "出生日期",
            "公民身份号码",
            "联系电话",
            "党籍状态",
            "所在党支部",
            "所在党小组",
            "入党日期",
            "转正日期",
            "备注",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
        let cn_date_fmt = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
        // Row 3: good.
        ws.write_number(2, 0, 1).unwrap();
        ws.write_string(2, 1, "张三").unwrap();
        ws.write_string(2, 2, "男").unwrap();
        ws.write_string(2, 3, "汉族").unwrap();
        ws.write_datetime_with_format(2, 4, ExcelDateTime::from_ymd(1990, 1, 1).unwrap(), &date_fmt).unwrap();
        ws.write_string(2, 5, id(1990, 1, 1, 131)).unwrap();
        ws.write_number(2, 6, 13812345678.0).unwrap();
        ws.write_string(2, 7, "正式党员").unwrap();
        ws.write_string(2, 8, "第一党支部").unwrap();
        ws.write_string(2, 10, "2015-07-01").unwrap();
        ws.write_datetime_with_format(2, 11, ExcelDateTime::from_ymd(2016, 7, 1).unwrap(), &cn_date_fmt).unwrap();
        ws.write_string(2, 12, "备注不读").unwrap();
        // Row 4: blank cells, whitespace and a 序号 only: skipped.
        ws.write_number(3, 0, 2).unwrap();
        ws.write_blank(3, 1, &date_fmt).unwrap();
        ws.write_string(3, 2, "   ").unwrap();
        ws.write_blank(3, 5, &date_fmt).unwrap();
        // Row 5: the ID number typed as a number.
        ws.write_string(4, 1, "王五").unwrap();
        ws.write_string(4, 2, "女").unwrap();
        ws.write_string(4, 3, "苗族").unwrap();
        ws.write_number(4, 5, 520102199001011000.0).unwrap();
        ws.write_string(4, 7, "预备党员").unwrap();
        ws.write_string(4, 8, "第一党支部").unwrap();
        // Row 6: good, status as identifier, branch and group as numbers.
        ws.write_string(5, 1, "  李四 ").unwrap();
        ws.write_string(5, 2, "女").unwrap();
        ws.write_string(5, 3, "苗族").unwrap();
        ws.write_string(5, 4, "1985/3/2").unwrap();
        ws.write_string(5, 5, id(1985, 3, 2, 122)).unwrap();
        ws.write_string(5, 6, "0851-86812345").unwrap();
        ws.write_string(5, 7, "probationary").unwrap();
        ws.write_number(5, 8, 12).unwrap();
        ws.write_number(5, 9, 15).unwrap();
        ws.write_datetime_with_format(5, 10, ExcelDateTime::from_ymd(2024, 12, 31).unwrap(), &date_fmt).unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn round_trip_reads_text_dates_numbers_and_refuses_numeric_ids() {
        let parsed = parse_members(&sample_file(), &ImportLimits::default()).unwrap();
        let zhang = MemberInput {
            name: "张三".into(),
            gender: "男".into(),
            ethnicity: "汉族".into(),
            birth_date: "1990-01-01".into(),
            id_card: id(1990, 1, 1, 131),
            phone: "13812345678".into(),
            status: "正式党员".into(),
            org_id: "第一党支部".into(),
            join_date: "2015-07-01".into(),
            full_date: "2016-07-01".into(),
            ..Default::default()
        };
        let li = MemberInput {
            name: "李四".into(),
            gender: "女".into(),
            ethnicity: "苗族".into(),
            birth_date: "1985/3/2".into(),
            id_card: id(1985, 3, 2, 122),
            phone: "0851-86812345".into(),
            status: "probationary".into(),
            org_id: "12".into(),
            group_id: "15".into(),
            join_date: "2024-12-31".into(),
            ..Default::default()
        };
        assert_eq!(parsed.rows, vec![(3, zhang), (6, li)]);
        assert_eq!(
            parsed.errors,
            vec![RowError { row: 5, column: "公民身份号码".into(), reason: NUMERIC_ID_REASON.into() }]
        );
    }

    #[test]
    fn every_field_has_a_slot() {
        let mut m = MemberInput::default();
        for (i, (key, _)) in FIELD_LABELS.iter().enumerate() {
            assert!(slot(&mut m, i).is_some(), "{key}");
        }
        for k in REQUIRED_FIELDS {
            assert!(field_index(k).is_some());
        }
    }

    #[test]
    fn template_parses_to_nothing_and_has_every_label() {
        let t = members_template();
        let parsed = parse_members(&t, &ImportLimits::default()).unwrap();
        assert_eq!(parsed, ParsedMembers::default());
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(t)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["党员信息".to_string(), "填写说明".to_string()]);
        let range = wb.worksheet_range("党员信息").unwrap();
        let header: Vec<String> = (0..FIELD_LABELS.len() as u32)
            .map(|c| range.get_value((1, c)).map(|v| v.to_string()).unwrap_or_default())
            .collect();
        let labels: Vec<String> = FIELD_LABELS.iter().map(|(_, l)| l.to_string()).collect();
        assert_eq!(header, labels);
        assert!(range.get_value((0, 0)).unwrap().to_string().starts_with(TEMPLATE_TITLE));
    }

    #[test]
    fn synthetic_file_round_trips() {
        let inputs: Vec<MemberInput> = (0..5)
            .map(|i| MemberInput {
                name: format!("党员{i}"),
                gender: "男".into(),
                ethnicity: "汉族".into(),
                id_card: id(1980, 1, 1 + i, 1),
                status: "正式党员".into(),
                org_id: "第二党支部".into(),
                join_date: "2010-07-01".into(),
                ..Default::default()
            })
            .collect();
        let parsed = parse_members(&synth_members_file(&inputs), &ImportLimits::default()).unwrap();
        let expected: Vec<(usize, MemberInput)> = inputs.iter().cloned().enumerate().map(|(i, m)| (i + 3, m)).collect();
        assert_eq!(parsed.rows, expected);
        assert!(parsed.errors.is_empty());

        let small = ImportLimits { max_rows: 3, ..Default::default() };
        let err = parse_members(&synth_members_file(&inputs), &small).unwrap_err();
        assert_eq!(err, XlsxError::TooManyRows { limit: 3 });
        assert!(err.to_string().contains('3'), "{err}");
    }

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn zip_bomb_is_refused_before_parsing() {
        // 2 MB of zeros deflates to a few KB; the limit is 1 MB.
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/workbook.xml", opts).unwrap();
        let zeros = vec![0u8; 64 * 1024];
        for _ in 0..32 {
            w.write_all(&zeros).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        assert!(bytes.len() < 64 * 1024, "{}", bytes.len());
        let limits = ImportLimits { max_uncompressed_bytes: MIB as u64, ..Default::default() };
        let err = parse_members(&bytes, &limits).unwrap_err();
        assert_eq!(err, XlsxError::UncompressedTooLarge { limit_mb: 1 });
        assert!(err.to_string().contains("1 MB"), "{err}");
    }

    #[test]
    fn an_entry_that_understates_its_size_is_caught() {
        let payload = vec![b'a'; 10_000];
        let mut bytes = zip_with(&[("xl/workbook.xml", &payload)]);
        // Claim 100 bytes in both the local header and the central directory.
        let patch = |bytes: &mut Vec<u8>, sig: &[u8; 4], at: usize| {
            let pos = bytes.windows(4).position(|w| w == sig).unwrap();
            bytes[pos + at..pos + at + 4].copy_from_slice(&100u32.to_le_bytes());
        };
        patch(&mut bytes, b"PK\x03\x04", 22);
        patch(&mut bytes, b"PK\x01\x02", 24);
        let limits = ImportLimits { max_uncompressed_bytes: 1_000, ..Default::default() };
        assert!(matches!(parse_members(&bytes, &limits), Err(XlsxError::UncompressedTooLarge { .. })));
    }

    #[test]
    fn too_many_entries_is_refused() {
        let limits = ImportLimits { max_zip_entries: 3, ..Default::default() };
        let err = parse_members(&members_template(), &limits).unwrap_err();
        assert_eq!(err, XlsxError::TooManyEntries { limit: 3 });
    }

    #[test]
    fn files_that_are_not_xlsx() {
        let limits = ImportLimits::default();
        let junk: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert!(matches!(parse_members(&junk, &limits), Err(XlsxError::NotXlsx { .. })));
        assert!(matches!(parse_members("姓名,性别\n张三,男\n".as_bytes(), &limits), Err(XlsxError::NotXlsx { .. })));
        assert!(matches!(parse_members(&[], &limits), Err(XlsxError::NotXlsx { .. })));

        let mut xls = OLE_MAGIC.to_vec();
        xls.resize(4096, 0);
        let err = parse_members(&xls, &limits).unwrap_err();
        assert_eq!(err, XlsxError::LegacyXls);
        assert!(err.to_string().contains(".xlsx"), "{err}");

        let err = parse_members(&zip_with(&[("hello.txt", b"hi")]), &limits).unwrap_err();
        assert!(matches!(err, XlsxError::NotXlsx { .. }));
        let err = parse_members(&zip_with(&[("xl/workbook.bin", b"\x00")]), &limits).unwrap_err();
        assert!(err.to_string().contains(".xlsb"), "{err}");

        // A zip that claims to be a workbook but has no valid XML.
        let err = parse_members(&zip_with(&[("xl/workbook.xml", b"<not-xml")]), &limits).unwrap_err();
        assert!(matches!(err, XlsxError::Parse { .. }), "{err:?}");

        // A truncated workbook.
        let t = members_template();
        let err = parse_members(&t[..t.len() / 2], &limits).unwrap_err();
        assert!(matches!(err, XlsxError::NotXlsx { .. }), "{err:?}");
    }

    #[test]
    fn oversize_file_is_refused_by_size() {
        let limits = ImportLimits { max_file_bytes: MIB, ..Default::default() };
        let big = vec![0u8; MIB + 1];
        let err = parse_members(&big, &limits).unwrap_err();
        assert_eq!(err, XlsxError::FileTooLarge { limit_mb: 1 });
        assert!(err.to_string().contains("1 MB"));
        let d = ImportLimits::default();
        assert_eq!(
            (d.max_file_bytes, d.max_uncompressed_bytes, d.max_zip_entries, d.max_rows),
            (20 << 20, 200 << 20, 1000, 100_000)
        );
    }

    #[test]
    fn header_problems() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "姓名").unwrap();
        ws.write_string(0, 1, "性别").unwrap();
        ws.write_string(1, 0, "张三").unwrap();
        let err = parse_members(&wb.save_to_buffer().unwrap(), &ImportLimits::default()).unwrap_err();
        assert_eq!(
            err,
            XlsxError::MissingColumns {
                columns: ["民族", "公民身份号码", "党籍状态", "所在党支部"].map(String::from).to_vec()
            }
        );
        assert!(err.to_string().contains("民族、公民身份号码"), "{err}");

        let mut wb = Workbook::new();
        wb.add_worksheet().write_string(0, 0, "名单").unwrap();
        assert_eq!(parse_members(&wb.save_to_buffer().unwrap(), &ImportLimits::default()), Err(XlsxError::NoHeader));
    }

    fn member_row(id: i64, name: &str, status: &str) -> MemberRow {
        MemberRow {
            committee_id: 1,
            id,
            org_id: 7,
            org_name: "第一党支部".into(),
            unit_name: "省直单位".into(),
            group_id: None,
            name: name.into(),
            gender: "男".into(),
            ethnicity: "汉族".into(),
            birth_date: d(1990, 1, 1),
            id_card_masked: "52****************".into(),
            phone_masked: "138****5678".into(),
            education: "大学本科".into(),
            category: "公务员".into(),
            position: "科员".into(),
            cadre_rank: "科员".into(),
            join_date: Some(d(2015, 7, 1)),
            full_date: if status == "full" { Some(d(2016, 7, 1)) } else { None },
            status: status.into(),
        }
    }

    #[test]
    fn export_has_title_header_and_masked_values() {
        let rows = [member_row(1, "张三", "full"), member_row(2, "李四", "probationary")];
        let bytes = members_export(&rows, "省工业和信息化厅", "党籍状态：党员", d(2025, 11, 25)).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["党员名册".to_string()]);
        let range = wb.worksheet_range("党员名册").unwrap();
        let text = |r: u32, c: u32| range.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(text(0, 0), "党员名册 — 省工业和信息化厅");
        assert_eq!(text(1, 0), "筛选条件：党籍状态：党员\u{3000}数据日期：2025-11-25\u{3000}共 2 人");
        let header: Vec<String> = (0..16).map(|c| text(2, c)).collect();
        assert_eq!(header, EXPORT_COLUMNS.map(|(l, _)| l.to_string()).to_vec());
        let first: Vec<String> = (0..16).map(|c| text(3, c)).collect();
        assert_eq!(
            first,
            [
                "1",
                "张三",
                "男",
                "汉族",
                "1990-01-01",
                "52****************",
                "大学本科",
                "公务员",
                "科员",
                "科员",
                "138****5678",
                "2015-07-01",
                "2016-07-01",
                "正式党员",
                "第一党支部",
                "省直单位",
            ]
            .map(String::from)
            .to_vec()
        );
        assert_eq!(text(4, 1), "李四");
        assert_eq!(text(4, 12), "");
        assert_eq!(text(4, 13), "预备党员");
        assert_eq!(range.height(), 5);
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(export_file_name("省工业和信息化厅", d(2025, 11, 25)), "党员名册_省工业和信息化厅_20251125.xlsx");
        assert_eq!(export_file_name("机关/第一:党支部*?", d(2025, 1, 2)), "党员名册_机关第一党支部_20250102.xlsx");
        assert_eq!(export_file_name(" .. ", d(2025, 1, 2)), "党员名册_20250102.xlsx");
    }
}
