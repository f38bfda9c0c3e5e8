//! Reading members from an uploaded workbook, defensively (size, magic bytes, zip entries, row cap).

use super::*;

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

pub(crate) const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

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

pub(crate) fn parse_members_with(
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
pub(crate) fn check_container(bytes: &[u8], limits: &ImportLimits) -> Result<(), XlsxError> {
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
pub(crate) enum Val {
    Text(String),
    /// A number, date or time; the text is how we would read it.
    Number(String),
    /// An Excel error value such as #N/A.
    Error(String),
}

impl Val {
    pub(crate) fn text(&self) -> &str {
        match self {
            Val::Text(s) | Val::Number(s) | Val::Error(s) => s,
        }
    }
}

pub(crate) fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

pub(crate) fn cell_value(v: &DataRef<'_>) -> Option<Val> {
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

/// Rows a roster has below its header that are not members: totals (合计,
/// 总计, 小计), the signatures and dates of who filled and checked it
/// (填表人, 制表人, 审核人, 填报日期 …), notes, and the header repeated on a
/// printed page's top. Recognised by what stands in the 姓名 column.
pub(crate) fn is_not_a_member(name: &str) -> bool {
    const MARKS: [&str; 12] =
        ["合计", "总计", "小计", "共计", "填表", "制表", "审核", "填报", "负责人", "备注", "说明", "注："];
    let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    // "共46人": a count, never a name.
    let count = name.starts_with('共') && name.chars().any(|c| c.is_ascii_digit());
    name == "姓名" || count || MARKS.iter().any(|m| name.starts_with(m))
}

/// The input field a FIELD_LABELS index fills.
pub(crate) fn slot(m: &mut MemberInput, field: usize) -> Option<&mut String> {
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

pub(crate) fn field_index(key: &str) -> Option<usize> {
    FIELD_LABELS.iter().position(|(k, _)| *k == key)
}

/// A header cell without spaces, a required-marker `*` or a “（必填）” suffix.
pub(crate) fn header_key(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊')).collect();
    let s = s.strip_suffix("（必填）").or_else(|| s.strip_suffix("(必填)")).unwrap_or(&s);
    s.to_string()
}

/// Column → FIELD_LABELS index, from the header row.
pub(crate) struct Header {
    pub(crate) cols: Vec<Option<usize>>,
}

impl Header {
    pub(crate) fn field(&self, col: u32) -> Option<usize> {
        self.cols.get(col as usize).copied().flatten()
    }
}

pub(crate) struct RowReader<'a, 's> {
    pub(crate) limits: &'a ImportLimits,
    pub(crate) header: Option<Header>,
    pub(crate) id_field: Option<usize>,
    pub(crate) data_rows: usize,
    pub(crate) out: ParsedMembers,
    pub(crate) sink: Option<(usize, RowSink<'s>)>,
}

impl RowReader<'_, '_> {
    /// Hands the rows read so far to the sink: a full chunk, or (at the end) the rest.
    pub(crate) fn flush(&mut self, at_end: bool) {
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
    pub(crate) fn row(&mut self, row: u32, cells: &mut Vec<(u32, Val)>) -> Result<(), XlsxError> {
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
        if !any || is_not_a_member(&input.name) {
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

    pub(crate) fn header(cells: &[(u32, Val)]) -> Result<Header, XlsxError> {
        let width = cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
        let mut cols = vec![None; width];
        let mut seen = [false; FIELD_LABELS.len()];
        for (col, val) in cells {
            let key = header_key(val.text());
            if let Some(field) = xianfeng_core::member::field_of_header(&key).and_then(field_index)
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

/// The sheet a roster is read from (and marked up in when refused): the
/// first visible worksheet, else the first worksheet.
pub(crate) fn roster_sheet<R: std::io::Read + std::io::Seek>(wb: &Xlsx<R>) -> Result<String, XlsxError> {
    let sheets = wb.sheets_metadata();
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    Ok(worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .ok_or(XlsxError::NoWorksheet)?
        .name
        .clone())
}

pub(crate) fn read_members(
    bytes: &[u8],
    limits: &ImportLimits,
    sink: Option<(usize, RowSink<'_>)>,
) -> Result<ParsedMembers, XlsxError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(XlsxError::parse)?;
    let sheet = roster_sheet(&wb)?;
    // Cells merged down several rows (a branch written once for all its
    // members) are read as their value on every row they cover.
    let mut merged = MergedDown::new(wb.worksheet_merge_cells(&sheet).transpose().map_err(XlsxError::parse)?);
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
                merged.fill(r, &mut row_cells);
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
            merged.remember(row, col, &v);
            row_cells.push((col, v));
        }
    }
    if let Some(r) = current {
        merged.fill(r, &mut row_cells);
        reader.row(r, &mut row_cells)?;
    }
    if reader.header.is_none() {
        return Err(XlsxError::NoHeader);
    }
    reader.flush(true);
    Ok(reader.out)
}

/// Regions merged down more than one row, and the values at their tops, so
/// that the rows below read the value too. Rows arrive in order, so only the
/// regions covering the current row are looked at.
pub(crate) struct MergedDown {
    /// (top row, bottom row, column), by top row.
    regions: Vec<(u32, u32, u32)>,
    next: usize,
    active: Vec<(u32, u32, u32)>,
    tops: std::collections::HashSet<(u32, u32)>,
    values: std::collections::HashMap<(u32, u32), String>,
}

impl MergedDown {
    pub(crate) fn new(regions: Option<Vec<calamine::Dimensions>>) -> MergedDown {
        let mut regions: Vec<(u32, u32, u32)> = regions
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d.end.0 > d.start.0)
            .map(|d| (d.start.0, d.end.0, d.start.1))
            .collect();
        regions.sort_unstable();
        let tops = regions.iter().map(|r| (r.0, r.2)).collect();
        MergedDown { regions, next: 0, active: Vec::new(), tops, values: Default::default() }
    }

    /// Keeps the value of a cell at the top of a region.
    pub(crate) fn remember(&mut self, row: u32, col: u32, v: &Val) {
        if self.tops.contains(&(row, col)) {
            self.values.insert((row, col), v.text().to_string());
        }
    }

    /// Adds the merged value to a row below a region's top that has none there.
    pub(crate) fn fill(&mut self, row: u32, cells: &mut Vec<(u32, Val)>) {
        while let Some(r) = self.regions.get(self.next)
            && r.0 < row
        {
            self.active.push(*r);
            self.next += 1;
        }
        self.active.retain(|r| r.1 >= row);
        for (top, _, col) in &self.active {
            if *top < row
                && !cells.iter().any(|(c, _)| c == col)
                && let Some(v) = self.values.get(&(*top, *col))
            {
                cells.push((*col, Val::Text(v.clone())));
            }
        }
    }
}
