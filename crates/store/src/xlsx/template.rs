//! The import template and synthetic workbooks for tests and benchmarks.

use super::*;

pub(crate) const TEMPLATE_SHEET: &str = "党员信息";
pub(crate) const TEMPLATE_TITLE: &str = "党员信息导入模板";
/// Rows (0-based, inclusive) that get drop-downs and input hints in the template.
pub(crate) const TEMPLATE_FIRST_DATA_ROW: u32 = 2;
pub(crate) const TEMPLATE_LAST_DATA_ROW: u32 = 100_001;

pub(crate) fn template_width(field: &str) -> f64 {
    match field {
        "id_card" => 22.0,
        "address" => 30.0,
        "org_id" => 26.0,
        "position" | "community" | "category" | "group_id" => 20.0,
        "education" | "phone" | "birth_date" | "join_date" | "full_date" | "status" | "native_place" => 14.0,
        _ => 10.0,
    }
}

pub(crate) fn template_help(field: &str) -> &'static str {
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
pub(crate) fn template_choices(field: &str) -> Option<Vec<&'static str>> {
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
pub(crate) fn write_import_header(ws: &mut Worksheet, styled: bool) -> Result<(), rust_xlsxwriter::XlsxError> {
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

pub(crate) fn build_template() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
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
            "8. 也可以直接导入本支部现有的党员花名册：标题行、填报单位行、合计行和填表人、审核人等落款行会被跳过；合并的单元格（如一个党支部名称合并了多行）按每行都填写了该值读取；出生日期可只写年月（如 1985.03，须与身份证号码一致）。所在党支部的名称在您的范围内有重名的，请写成“单位名称/党支部名称”。".to_string(),
            format!(
                "9. 表头也可以使用花名册中常用的列名：{}。",
                xianfeng_core::member::HEADER_ALIASES
                    .iter()
                    .map(|(alias, key)| format!("“{alias}”即“{}”", field_label(key)))
                    .collect::<Vec<_>>()
                    .join("，")
            ),
        ];
        for (i, n) in notes.iter().enumerate() {
            ws.merge_range(1 + i as u32, 0, 1 + i as u32, 2, n, &Format::new().set_text_wrap())?;
            // About 60 characters a line in the merged width.
            ws.set_row_height(1 + i as u32, (16 * n.chars().count().div_ceil(60)).max(32) as f64)?;
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
