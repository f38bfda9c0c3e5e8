//! The user's own roster back with its problems marked: the sheet that was
//! read, cell for cell (text as text, numbers and dates as they were), with a
//! 错误说明 column after the last one, filled and highlighted on every row
//! with a problem — to correct in place and upload again.

use super::*;
use std::collections::BTreeMap;

/// The name the marked roster goes by: "花名册.xlsx" → "花名册（错误标注）.xlsx".
pub fn annotated_file_name(uploaded: &str) -> String {
    let base = uploaded.rsplit(['/', '\\']).next().unwrap_or(uploaded);
    let stem = base.rsplit_once('.').map(|(s, _)| s).filter(|s| !s.is_empty()).unwrap_or(base);
    format!("{stem}（错误标注）.xlsx")
}

/// The first (visible) worksheet of `bytes` with a 错误说明 column for `errors`.
pub fn annotate_errors(bytes: &[u8], limits: &ImportLimits, errors: &[RowError]) -> Result<Vec<u8>, XlsxError> {
    check_container(bytes, limits)?;
    match catch_unwind(AssertUnwindSafe(|| annotate(bytes, errors))) {
        Ok(r) => r,
        Err(_) => Err(XlsxError::Parse { detail: "panic while copying the sheet".into() }),
    }
}

fn annotate(bytes: &[u8], errors: &[RowError]) -> Result<Vec<u8>, XlsxError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(XlsxError::parse)?;
    let sheet = super::read::roster_sheet(&wb)?;
    let merges = wb.worksheet_merge_cells(&sheet).transpose().map_err(XlsxError::parse)?.unwrap_or_default();
    let mut out = Workbook::new();
    let ws = out.add_worksheet();
    if ws.set_name(&sheet).is_err() {
        let _ = ws.set_name("党员名册");
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let xerr = |e: rust_xlsxwriter::XlsxError| XlsxError::Parse { detail: e.to_string() };
    let mut cells = wb.worksheet_cells_reader(&sheet).map_err(XlsxError::parse)?;
    let (mut last_col, mut header_row) = (0u16, None);
    while let Some(cell) = cells.next_cell().map_err(XlsxError::parse)? {
        let (row, col) = cell.get_position();
        let Ok(col) = u16::try_from(col) else { continue };
        if col >= 16_383 || row >= 1_048_575 {
            continue;
        }
        let value = cell.get_value();
        let written = match value {
            DataRef::Empty => continue,
            DataRef::Int(i) => ws.write_number(row, col, *i as f64).map(|_| ()),
            DataRef::Float(f) if f.is_finite() => ws.write_number(row, col, *f).map(|_| ()),
            DataRef::Bool(b) => ws.write_boolean(row, col, *b).map(|_| ()),
            DataRef::DateTime(dt) => ws.write_number_with_format(row, col, dt.as_f64(), &date).map(|_| ()),
            other => {
                let text = cell_value(other).map(|v| v.text().to_string()).unwrap_or_default();
                if header_row.is_none() && header_key(&text) == "姓名" {
                    header_row = Some(row);
                }
                ws.write_string(row, col, text).map(|_| ())
            }
        };
        written.map_err(xerr)?;
        last_col = last_col.max(col);
    }
    for m in merges {
        let ((r1, c1), (r2, c2)) = (m.start, m.end);
        if (r1, c1) != (r2, c2) && c2 < 16_383 {
            // The value stays in the top-left cell, as it was.
            let _ = ws.merge_range(r1, c1 as u16, r2, c2 as u16, "", &Format::new());
        }
    }
    let column = last_col + 1;
    let heading = Format::new().set_bold().set_font_color(Color::RGB(0x9B_1C_1C));
    let marked = Format::new().set_background_color(Color::RGB(0xFD_E2_E1)).set_text_wrap();
    ws.write_string_with_format(header_row.unwrap_or(0), column, "错误说明", &heading).map_err(xerr)?;
    let mut by_row: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for e in errors {
        by_row.entry(e.row).or_default().push(format!("{}：{}", e.column, e.reason));
    }
    for (row, problems) in by_row {
        let Some(row) = row.checked_sub(1).and_then(|r| u32::try_from(r).ok()) else { continue };
        ws.write_string_with_format(row, column, problems.join("；"), &marked).map_err(xerr)?;
    }
    ws.set_column_width(column, 60).map_err(xerr)?;
    out.save_to_buffer().map_err(xerr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roster_comes_back_with_its_problems_beside_each_row() {
        let mut m = MemberInput { name: "张伟".into(), id_card: "52010219800312001X".into(), ..Default::default() };
        m.gender = "男".into();
        let file = synth_members_file(&[m.clone(), MemberInput { name: "李娜".into(), ..m }]);
        // 李娜 is on the second data row; errors name rows as Excel numbers them (from 1).
        let li_row = TEMPLATE_FIRST_DATA_ROW as usize + 2;
        let errors = vec![
            RowError { row: li_row, column: "公民身份号码".into(), reason: "校验位不正确".into() },
            RowError { row: li_row, column: "民族".into(), reason: "请填写民族".into() },
        ];
        let out = annotate_errors(&file, &ImportLimits::default(), &errors).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(out)).unwrap();
        let name = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&name).unwrap();
        let top = range.start().map(|s| s.0 as usize).unwrap_or(0);
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        let header = rows.iter().position(|r| r.iter().any(|c| c == "姓名")).expect("the header is kept");
        let col = rows[header].iter().position(|c| c == "错误说明").expect("an error column");
        assert_eq!(col, rows[header].iter().rposition(|c| !c.is_empty()).unwrap(), "after the last column");
        let li = rows.iter().position(|r| r.iter().any(|c| c == "李娜")).unwrap();
        assert_eq!(rows[li][col], "公民身份号码：校验位不正确；民族：请填写民族");
        let zhang = rows.iter().position(|r| r.iter().any(|c| c == "张伟")).unwrap();
        assert_eq!(rows[zhang].get(col).map(String::as_str).unwrap_or(""), "", "a good row has no remark");
        assert_eq!(top + li + 1, li_row, "the remark stands on the row the error names");
        assert!(annotate_errors(b"not a workbook", &ImportLimits::default(), &errors).is_err());
        assert_eq!(annotated_file_name("C:\\docs\\党员花名册.xlsx"), "党员花名册（错误标注）.xlsx");
        assert_eq!(annotated_file_name("roster"), "roster（错误标注）.xlsx");
    }
}
