//! Workbooks good, hostile and odd: reading, template and export.

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

/// A branch's own 党员花名册 as people keep it: a merged title, a 填报单位
/// row, the headers rosters use (身份证号码, 出生年月, 入党时间, 转正时间,
/// 党员类别, 所在支部), the branch written once in a cell merged down its
/// members, the birth month only, and a 合计 row and signatures at the foot.
#[test]
fn a_branchs_own_roster_is_read_as_it_is() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 8, "办公室党支部党员花名册", &Format::new()).unwrap();
    ws.write_string(1, 0, "填报单位：省工业和信息化厅机关党委").unwrap();
    let header =
        ["序号", "姓名", "性别", "民族", "出生年月", "身份证号码", "党员类别", "入党时间", "转正时间", "所在支部"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let people = [("王一", "男", 1985, 3, 11), ("王二", "女", 1990, 6, 2), ("王三", "男", 1979, 12, 30)];
    for (i, (name, gender, y, m, day)) in people.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_number(r, 0, i as f64 + 1.0).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_string(r, 2, *gender).unwrap();
        ws.write_string(r, 3, "汉族").unwrap();
        ws.write_string(r, 4, format!("{y}.{m:02}")).unwrap();
        ws.write_string(r, 5, id(*y, *m, *day, if *gender == "男" { 131 } else { 122 })).unwrap();
        ws.write_string(r, 6, "正式党员").unwrap();
        ws.write_string(r, 7, "2010-07-01").unwrap();
        ws.write_string(r, 8, "2011-07-01").unwrap();
    }
    ws.merge_range(3, 9, 5, 9, "办公室党支部", &Format::new()).unwrap();
    ws.write_string(6, 0, "合计").unwrap();
    ws.write_string(6, 1, "共3人").unwrap();
    ws.write_string(7, 1, "填表人：李明").unwrap();
    ws.write_string(7, 5, "审核人：赵强").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let parsed = parse_members(&bytes, &ImportLimits::default()).unwrap();
    assert_eq!(parsed.errors, vec![], "nothing is refused");
    assert_eq!(parsed.rows.len(), 3, "three members, no 合计 or signature rows: {:?}", parsed.rows);
    for (row, m) in &parsed.rows {
        assert_eq!(m.org_id, "办公室党支部", "row {row}: the merged branch is read on every row");
        assert_eq!(
            (m.status.as_str(), m.join_date.as_str(), m.full_date.as_str()),
            ("正式党员", "2010-07-01", "2011-07-01")
        );
        let v = xianfeng_core::member::validate(&MemberInput { org_id: "1".into(), ..m.clone() }, d(2026, 1, 1));
        assert!(v.is_ok(), "row {row}: 出生年月 agrees with the ID number: {v:?}");
    }
    assert_eq!(parsed.rows[0].1.birth_date, "1985.03");
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
        status: xianfeng_core::member::MemberStatus::read(status).expect("a status code"),
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
