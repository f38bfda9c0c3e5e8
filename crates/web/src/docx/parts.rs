//! The package parts: the document body, footers, styles, settings, fonts, content types, relationships and properties.

use super::*;

pub(crate) fn document_xml(doc: &OfficialDoc) -> String {
    let mut b = String::new();
    let fs3 = RFmt::new(FONT_FS, SZ_3);

    // 发文机关标志: shrink the font so that the mark fits on one line when possible.
    let units = half_units(&doc.issuer_mark).max(1);
    let mark_sz = (TEXT_WIDTH * 2 / (10 * units)).clamp(SZ_MARK_MIN, SZ_MARK_MAX);
    let mark_line = mark_sz * 12;
    let mark_fmt = RFmt { color: Some(RED), ..RFmt::new(FONT_XBS, mark_sz) };
    let mark_ppr = PPr {
        no_grid: true,
        before: mm(35) - (mark_line - mark_sz * 10) / 2,
        line: mark_line,
        jc: Some("center"),
        ..PPr::default()
    };
    push_para(&mut b, &mark_ppr, &mark_fmt, &doc.issuer_mark);
    push_blank_lines(&mut b, BLANK_LINES_AFTER_MARK);

    // 发文字号 with the red separator line 4 mm (≈ 11 pt) below it.
    let number_ppr = PPr { bottom_border: Some((RED, 12, 11)), jc: Some("center"), ..body_ppr() };
    push_para(&mut b, &number_ppr, &fs3, &doc.doc_number);
    push_blank_lines(&mut b, BLANK_LINES_BEFORE_TITLE);

    // 标题.
    let title_ppr = PPr { no_grid: true, line: LINE_PITCH, jc: Some("center"), ..PPr::default() };
    push_para(&mut b, &title_ppr, &RFmt::new(FONT_XBS, SZ_2), &doc.title);
    push_blank_lines(&mut b, 1);

    // 主送机关: flush left.
    if !doc.addressee.is_empty() {
        push_para(&mut b, &body_ppr(), &fs3, &doc.addressee);
    }

    for block in &doc.body {
        match block {
            Block::Heading1(text) => push_indented(&mut b, &RFmt::new(FONT_HT, SZ_3), text, true, Some(0)),
            Block::Heading2(text) => push_indented(&mut b, &RFmt::new(FONT_KT, SZ_3), text, true, Some(1)),
            Block::Paragraph(text) => push_indented(&mut b, &fs3, text, false, None),
            Block::Table { header, rows } => push_table(&mut b, header, rows),
        }
    }

    // 发文机关署名 and 成文日期: date 右空四字, signature centered over the date.
    if !doc.signature.is_empty() || !doc.date.is_empty() {
        push_blank_lines(&mut b, 1);
        let diff = i64::from(half_units(&doc.date)) - i64::from(half_units(&doc.signature));
        let sig_chars = (400 + diff * 25).max(0); // hundredths of a character
        let date_chars = 400;
        for (text, chars) in [(&doc.signature, sig_chars), (&doc.date, date_chars)] {
            if text.is_empty() {
                continue;
            }
            let chars = chars as u32;
            let ppr = PPr { ind_right: chars * CHAR_3 / 100, ind_right_chars: chars, jc: Some("right"), ..body_ppr() };
            push_para(&mut b, &ppr, &fs3, text);
        }
    }

    // 版记: 印发机关 (左空一字) and 印发日期 (右空一字) between two 0.35 mm lines.
    if !doc.printed_by.is_empty() || !doc.printed_on.is_empty() {
        push_blank_lines(&mut b, 1);
        let line = (BLACK, 8, 1);
        let ppr = PPr {
            top_border: Some(line),
            bottom_border: Some(line),
            right_tab: Some(TEXT_WIDTH - CHAR_4),
            no_grid: true,
            line: LINE_PITCH,
            ind_left: CHAR_4,
            ..PPr::default()
        };
        push_para(&mut b, &ppr, &RFmt::new(FONT_FS, SZ_4), &format!("{}\t{}", doc.printed_by, doc.printed_on));
    }

    format!(
        "{XML_DECL}<w:document xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\"><w:body>{b}<w:sectPr>\
         <w:footerReference w:type=\"default\" r:id=\"rId3\"/><w:footerReference w:type=\"even\" r:id=\"rId4\"/>\
         <w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/>\
         <w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" \
         w:left=\"{MARGIN_LEFT}\" w:header=\"851\" w:footer=\"{FOOTER_DISTANCE}\" w:gutter=\"0\"/>\
         <w:cols w:space=\"425\"/>\
         <w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{LINE_PITCH}\" w:charSpace=\"{CHAR_SPACE}\"/>\
         </w:sectPr></w:body></w:document>"
    )
}

/// Footer with a "— N —" page number; odd pages 右空一字, even pages 左空一字 (§7.5).
pub(crate) fn footer_xml(odd: bool) -> String {
    let fmt = RFmt::new(FONT_ST, SZ_4);
    let ppr = PPr {
        no_grid: true,
        line: FOOTER_LINE,
        ind_left: if odd { 0 } else { CHAR_4 },
        ind_right: if odd { CHAR_4 } else { 0 },
        jc: Some(if odd { "right" } else { "left" }),
        ..PPr::default()
    };
    let rpr = fmt.xml();
    let mut p = String::from("<w:p>");
    p.push_str(&ppr.xml(&fmt));
    push_run(&mut p, &fmt, "— ");
    for (kind, inner) in [
        ("begin", String::new()),
        ("", "<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>".to_string()),
        ("separate", String::new()),
        ("", "<w:t>1</w:t>".to_string()),
        ("end", String::new()),
    ] {
        if kind.is_empty() {
            p.push_str(&format!("<w:r>{rpr}{inner}</w:r>"));
        } else {
            p.push_str(&format!("<w:r>{rpr}<w:fldChar w:fldCharType=\"{kind}\"/></w:r>"));
        }
    }
    push_run(&mut p, &fmt, " —");
    p.push_str("</w:p>");
    format!("{XML_DECL}<w:ftr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">{p}</w:ftr>")
}

pub(crate) fn styles_xml() -> String {
    let f = FONT_FS;
    format!(
        "{XML_DECL}<w:styles xmlns:w=\"{NS_W}\">\
         <w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"{f}\" w:eastAsia=\"{f}\" w:hAnsi=\"{f}\" w:cs=\"{f}\"/>\
         <w:sz w:val=\"{SZ_3}\"/><w:szCs w:val=\"{SZ_3}\"/>\
         <w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/>\
         </w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>\
         <w:spacing w:after=\"0\" w:line=\"{LINE_PITCH}\" w:lineRule=\"exact\"/><w:jc w:val=\"both\"/>\
         </w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
         <w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
         <w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
         <w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>\
         <w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
         </w:styles>"
    )
}

pub(crate) fn settings_xml() -> String {
    format!(
        "{XML_DECL}<w:settings xmlns:w=\"{NS_W}\"><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/>\
         <w:evenAndOddHeaders/><w:characterSpacingControl w:val=\"doNotCompress\"/>\
         <w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" \
         w:val=\"15\"/></w:compat></w:settings>"
    )
}

/// Font table so that Word can pick a substitute (by charset/family) when a GB/T 9704 font is missing.
pub(crate) fn font_table_xml() -> String {
    let mut s = format!("{XML_DECL}<w:fonts xmlns:w=\"{NS_W}\">");
    for (name, alt, family, pitch) in [
        (FONT_XBS, "宋体", "auto", "variable"),
        (FONT_FS, "仿宋", "modern", "fixed"),
        (FONT_HT, "SimHei", "modern", "fixed"),
        (FONT_KT, "楷体", "modern", "fixed"),
        (FONT_ST, "SimSun", "auto", "variable"),
    ] {
        s.push_str(&format!(
            "<w:font w:name=\"{name}\"><w:altName w:val=\"{alt}\"/><w:charset w:val=\"86\"/>\
             <w:family w:val=\"{family}\"/><w:pitch w:val=\"{pitch}\"/></w:font>"
        ));
    }
    s.push_str("</w:fonts>");
    s
}

pub(crate) fn content_types_xml() -> String {
    const WML: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"{WML}.document.main+xml\"/>\
         <Override PartName=\"/word/styles.xml\" ContentType=\"{WML}.styles+xml\"/>\
         <Override PartName=\"/word/settings.xml\" ContentType=\"{WML}.settings+xml\"/>\
         <Override PartName=\"/word/fontTable.xml\" ContentType=\"{WML}.fontTable+xml\"/>\
         <Override PartName=\"/word/footer1.xml\" ContentType=\"{WML}.footer+xml\"/>\
         <Override PartName=\"/word/footer2.xml\" ContentType=\"{WML}.footer+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         </Types>"
    )
}

pub(crate) fn root_rels_xml() -> String {
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{NS_R}/officeDocument\" Target=\"word/document.xml\"/>\
         <Relationship Id=\"rId2\" \
         Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" \
         Target=\"docProps/core.xml\"/>\
         <Relationship Id=\"rId3\" Type=\"{NS_R}/extended-properties\" Target=\"docProps/app.xml\"/>\
         </Relationships>"
    )
}

pub(crate) fn document_rels_xml() -> String {
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{NS_R}/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"{NS_R}/settings\" Target=\"settings.xml\"/>\
         <Relationship Id=\"rId3\" Type=\"{NS_R}/footer\" Target=\"footer1.xml\"/>\
         <Relationship Id=\"rId4\" Type=\"{NS_R}/footer\" Target=\"footer2.xml\"/>\
         <Relationship Id=\"rId5\" Type=\"{NS_R}/fontTable\" Target=\"fontTable.xml\"/>\
         </Relationships>"
    )
}

/// Current UTC time as W3CDTF (`YYYY-MM-DDThh:mm:ssZ`).
pub(crate) fn now_w3cdtf() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

pub(crate) fn core_xml(doc: &OfficialDoc) -> String {
    let now = now_w3cdtf();
    format!(
        "{XML_DECL}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:creator>{}</dc:creator>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{now}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{now}</dcterms:modified>\
         </cp:coreProperties>",
        esc(&doc.title.replace('\n', "")),
        esc(&doc.signature)
    )
}

pub(crate) fn app_xml() -> String {
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>OfficialDoc</Application><DocSecurity>0</DocSecurity></Properties>"
    )
}
