//! GB/T 9704 document layout: parts, geometry, fonts, escaping.

use super::*;

fn sample() -> OfficialDoc {
    OfficialDoc {
        issuer_mark: "中共贵州省直属机关工作委员会文件".into(),
        doc_number: "黔直工通〔2025〕3号".into(),
        title: "关于开展A&B<试点>工作的\"通知\"".into(),
        addressee: "各单位党委（党组）：".into(),
        body: vec![
            Block::Heading1("一、总体要求".into()),
            Block::Paragraph("坚持问题导向，R&D投入<不低于>5%，'稳中求进'。".into()),
            Block::Heading2("（一）工作目标".into()),
            Block::Paragraph("第二段正文。".into()),
            Block::Table {
                header: vec!["序号".into(), "单位".into(), "人数".into()],
                rows: vec![vec!["1".into(), "机关党委".into(), "12".into()], vec!["2".into(), "A&B支部".into()]],
            },
        ],
        signature: "中共贵州省直属机关工作委员会".into(),
        date: "2025年12月31日".into(),
        printed_by: "中共贵州省直属机关工作委员会办公室".into(),
        printed_on: "2025年12月31日印发".into(),
    }
}

const PARTS: [&str; 11] = [
    "[Content_Types].xml",
    "_rels/.rels",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "word/styles.xml",
    "word/settings.xml",
    "word/fontTable.xml",
    "word/footer1.xml",
    "word/footer2.xml",
    "docProps/core.xml",
    "docProps/app.xml",
];

fn part(docx: &[u8], name: &str) -> String {
    let mut archive = ZipArchive::new(Cursor::new(docx)).unwrap();
    let mut s = String::new();
    archive.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}")).read_to_string(&mut s).unwrap();
    s
}

/// The `<w:r>…</w:r>` element whose `w:t` contains exactly `text` (given unescaped).
fn run_with<'a>(xml: &'a str, text: &str) -> &'a str {
    let needle = format!(">{}</w:t>", esc(text));
    let pos = xml.find(&needle).unwrap_or_else(|| panic!("no run with text {text:?}"));
    let start = xml[..pos].rfind("<w:r>").unwrap();
    let end = pos + xml[pos..].find("</w:r>").unwrap() + "</w:r>".len();
    &xml[start..end]
}

fn assert_font(run: &str, font: &str, sz: u32) {
    for attr in ["w:eastAsia", "w:ascii", "w:hAnsi"] {
        assert!(run.contains(&format!("{attr}=\"{font}\"")), "{attr} {font} missing in {run}");
    }
    assert!(run.contains(&format!("<w:sz w:val=\"{sz}\"/>")), "sz {sz} missing in {run}");
}

/// Minimal well-formedness check: tags balance, attribute values are quoted and every `&`
/// starts an entity.
fn check_balanced(xml: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt])?;
        rest = &rest[lt..];
        let end = tag_end(rest).ok_or("unterminated tag")?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') {
            if !tag.ends_with('?') {
                return Err(format!("bad declaration <{tag}>"));
            }
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let body = tag.strip_suffix('/').unwrap_or(tag);
        let name = body.split_whitespace().next().ok_or("empty tag")?;
        check_attributes(&body[name.len()..])?;
        if !tag.ends_with('/') {
            stack.push(name);
        }
    }
    check_text(rest)?;
    if stack.is_empty() { Ok(()) } else { Err(format!("unclosed tags: {stack:?}")) }
}

fn check_text(text: &str) -> Result<(), String> {
    if text.contains('>') {
        return Err(format!("raw '>' in text {text:?}"));
    }
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..];
        let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"].iter().any(|e| entity.starts_with(e));
        if !ok {
            return Err(format!("raw '&' in {text:?}"));
        }
    }
    Ok(())
}

fn check_attributes(mut attrs: &str) -> Result<(), String> {
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return Ok(());
        }
        let eq = attrs.find('=').ok_or_else(|| format!("attribute without value: {attrs}"))?;
        let quote = attrs[eq + 1..].chars().next().filter(|c| *c == '"' || *c == '\'');
        let quote = quote.ok_or_else(|| format!("unquoted attribute: {attrs}"))?;
        let value_len = attrs[eq + 2..].find(quote).ok_or("unterminated attribute value")?;
        let value = &attrs[eq + 2..eq + 2 + value_len];
        if value.contains('<') {
            return Err(format!("raw '<' in attribute value {value:?}"));
        }
        check_text(value)?;
        attrs = &attrs[eq + 2 + value_len + 1..];
    }
}

#[test]
fn geometry_constants() {
    assert_eq!((MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT), (2098, 1985, 1588, 1474));
    assert_eq!(TEXT_WIDTH, 8844);
    assert!(TEXT_WIDTH.abs_diff(mm(156)) <= 1);
    assert!((PAGE_H - MARGIN_TOP - MARGIN_BOTTOM).abs_diff(mm(225)) <= 3);
    const { assert!(22 * LINE_PITCH <= PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) };
    const { assert!(23 * LINE_PITCH > PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) };
    // 28 characters of (16 pt + charSpace) fill the text width.
    let pitch_twips = (16.0 + CHAR_SPACE as f64 / 4096.0) * 20.0;
    assert!((pitch_twips * 28.0 - TEXT_WIDTH as f64).abs() < 1.0, "{CHAR_SPACE}");
    assert_eq!(CHAR_SPACE, -848);
}

#[test]
fn all_parts_present_and_balanced() {
    let docx = render(&sample());
    let mut archive = ZipArchive::new(Cursor::new(&docx)).unwrap();
    let names: Vec<String> = archive.file_names().map(String::from).collect();
    for name in PARTS {
        assert!(names.iter().any(|n| n == name), "missing part {name}");
        let mut xml = String::new();
        archive.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        assert!(xml.starts_with("<?xml"), "{name}");
        check_balanced(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(names.first().map(String::as_str), Some("[Content_Types].xml"));
}

#[test]
fn balance_checker_rejects_bad_xml() {
    assert!(check_balanced("<a><b></a></b>").is_err());
    assert!(check_balanced("<a>").is_err());
    assert!(check_balanced("<a>x & y</a>").is_err());
    assert!(check_balanced("<a>x < y</a>").is_err());
    assert!(check_balanced("<a b=c/>").is_err());
    assert!(check_balanced("<?xml version=\"1.0\"?><a b=\"&lt;\"><c/>&amp;</a>").is_ok());
}

#[test]
fn page_setup() {
    let xml = part(&render(&sample()), "word/document.xml");
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(
        xml.contains("<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1985\" w:left=\"1588\" w:header=\"851\"")
    );
    assert!(xml.contains("<w:docGrid w:type=\"linesAndChars\" w:linePitch=\"579\" w:charSpace=\"-848\"/>"));
    assert!(xml.contains("<w:footerReference w:type=\"default\" r:id=\"rId3\"/>"));
    let sect = &xml[xml.find("<w:sectPr>").unwrap()..];
    let order = ["<w:footerReference", "<w:pgSz", "<w:pgMar", "<w:cols", "<w:docGrid"];
    let positions: Vec<usize> = order.iter().map(|t| sect.find(t).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "sectPr order");
    let styles = part(&render(&sample()), "word/styles.xml");
    assert!(styles.contains("w:eastAsia=\"仿宋_GB2312\"") && styles.contains("<w:sz w:val=\"32\"/>"));
}

#[test]
fn fonts_sizes_and_colors() {
    let doc = sample();
    let xml = part(&render(&doc), "word/document.xml");

    let mark = run_with(&xml, &doc.issuer_mark);
    assert!(mark.contains("<w:color w:val=\"FF0000\"/>"));
    assert_font(mark, "方正小标宋简体", 52);

    assert_font(run_with(&xml, &doc.doc_number), "仿宋_GB2312", 32);
    assert_font(run_with(&xml, &doc.title), "方正小标宋简体", 44);
    assert_font(run_with(&xml, &doc.addressee), "仿宋_GB2312", 32);
    assert_font(run_with(&xml, "一、总体要求"), "黑体", 32);
    assert_font(run_with(&xml, "（一）工作目标"), "楷体_GB2312", 32);
    assert_font(run_with(&xml, "第二段正文。"), "仿宋_GB2312", 32);
    assert_font(run_with(&xml, &doc.signature), "仿宋_GB2312", 32);
    assert_font(run_with(&xml, &doc.date), "仿宋_GB2312", 32);

    // Red separator line under the document number.
    let number_para_start = xml[..xml.find(&esc(&doc.doc_number)).unwrap()].rfind("<w:p>").unwrap();
    let number_para = &xml[number_para_start..];
    assert!(number_para[..number_para.find("</w:pPr>").unwrap()].contains("w:color=\"FF0000\""));

    // Body paragraphs: first-line indent two characters, justified, exact grid line.
    assert!(xml.contains(
        "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"579\" w:lineRule=\"exact\"/>\
         <w:ind w:firstLine=\"640\" w:firstLineChars=\"200\"/><w:jc w:val=\"both\"/>"
    ));
    // Date 右空四字.
    assert!(xml.contains("<w:ind w:right=\"1280\" w:rightChars=\"400\"/><w:jc w:val=\"right\"/>"));

    // 版记: 4号仿宋 with a right tab, between black lines.
    let imprint = run_with(&xml, &doc.printed_by);
    assert_font(imprint, "仿宋_GB2312", 28);
    assert!(imprint.contains("<w:tab/>"));
    assert!(xml.contains(&format!("<w:tab w:val=\"right\" w:pos=\"{}\"/>", TEXT_WIDTH - 280)));

    // Footers: page field in 4号宋体.
    for footer in ["word/footer1.xml", "word/footer2.xml"] {
        let f = part(&render(&doc), footer);
        assert!(f.contains(" PAGE ") && f.contains("w:fldCharType=\"begin\"") && f.contains("— "));
        assert_font(run_with(&f, "— "), "宋体", 28);
    }
}

#[test]
fn table_layout() {
    let xml = part(&render(&sample()), "word/document.xml");
    let table = &xml[xml.find("<w:tbl>").unwrap()..xml.find("</w:tbl>").unwrap()];
    assert!(table.contains("<w:tblW w:w=\"8844\" w:type=\"dxa\"/>"));
    assert_eq!(table.matches("<w:gridCol w:w=\"2948\"/>").count(), 3);
    assert_eq!(table.matches("<w:tr>").count(), 3);
    assert_eq!(table.matches("<w:tc>").count(), 9, "short rows are padded");
    assert!(run_with(table, "序号").contains("<w:b/>"));
    assert!(!run_with(table, "机关党委").contains("<w:b/>"));
    assert_font(run_with(table, "机关党委"), "仿宋_GB2312", 28);
    assert!(table.contains(">A&amp;B支部</w:t>"));
    assert!(table.contains("w:val=\"single\""));
}

#[test]
fn special_characters_are_escaped() {
    let xml = part(&render(&sample()), "word/document.xml");
    assert!(xml.contains(">关于开展A&amp;B&lt;试点&gt;工作的&quot;通知&quot;</w:t>"));
    assert!(xml.contains("R&amp;D投入&lt;不低于&gt;5%，&apos;稳中求进&apos;。"));
    assert!(!xml.contains("A&B"));
    let core = part(&render(&sample()), "docProps/core.xml");
    assert!(core.contains("<dc:title>关于开展A&amp;B&lt;试点&gt;"));
    assert_eq!(esc("a\u{1}b\u{FFFF}c"), "abc");
    assert_eq!(unesc("&lt;&#x4E2D;&#25991;&amp;x&bogus"), "<中文&x&bogus");
}

#[test]
fn text_extraction_round_trip() {
    let doc = sample();
    let text = document_text(&render(&doc)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        doc.issuer_mark.as_str(),
        &doc.doc_number,
        &doc.title,
        &doc.addressee,
        "一、总体要求",
        "坚持问题导向，R&D投入<不低于>5%，'稳中求进'。",
        "（一）工作目标",
        "序号",
        "A&B支部",
        &doc.signature,
        &doc.date,
        "中共贵州省直属机关工作委员会办公室\t2025年12月31日印发",
    ] {
        assert!(lines.contains(&expected), "{expected:?} not a line of {text:?}");
    }
    let order = [&doc.issuer_mark, &doc.doc_number, &doc.title, &doc.addressee, &doc.signature, &doc.date];
    let positions: Vec<usize> = order.iter().map(|s| lines.iter().position(|l| l == s).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(document_text(b"not a zip").is_err());
}

#[test]
fn optional_parts_and_line_breaks() {
    let doc = OfficialDoc {
        issuer_mark: "某某机关文件".into(),
        title: "第一行\n第二行".into(),
        body: vec![Block::Paragraph("正文".into()), Block::Table { header: vec![], rows: vec![] }],
        ..OfficialDoc::default()
    };
    let docx = render(&doc);
    let xml = part(&docx, "word/document.xml");
    check_balanced(&xml).unwrap();
    assert!(xml.contains(">第一行</w:t><w:br/><w:t xml:space=\"preserve\">第二行</w:t>"));
    assert!(!xml.contains("<w:tbl>"), "empty table is skipped");
    assert!(!xml.contains("w:tab w:val=\"right\""), "no 版记 without content");
    let text = document_text(&docx).unwrap();
    assert!(text.contains("第一行\n第二行") && text.contains("正文"));
    // Short marks are capped at 26 pt; long ones shrink to fit the line.
    assert_font(run_with(&xml, "某某机关文件"), "方正小标宋简体", 52);
    let long = OfficialDoc { issuer_mark: "中".repeat(20), ..OfficialDoc::default() };
    assert_font(run_with(&part(&render(&long), "word/document.xml"), &"中".repeat(20)), "方正小标宋简体", 44);
}

#[test]
fn signature_is_centered_over_date() {
    let doc = sample();
    let xml = part(&render(&doc), "word/document.xml");
    // Date: 4 CJK + 6 ASCII = 14 half units; signature: 14 CJK = 28 half units → 4 - 3.5 chars.
    let sig_para_start = xml[..xml.find(&format!(">{}</w:t>", doc.signature)).unwrap()].rfind("<w:p>").unwrap();
    assert!(xml[sig_para_start..].starts_with("<w:p><w:pPr><w:spacing"));
    assert!(xml[sig_para_start..].contains("<w:ind w:right=\"160\" w:rightChars=\"50\"/>"));
    let now = now_w3cdtf();
    assert_eq!(now.len(), 20);
    assert!(now.starts_with("20") && now.ends_with('Z'));
}
