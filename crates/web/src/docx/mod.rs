//! Minimal `.docx` (Office Open XML, WordprocessingML) writer that lays out a Chinese official
//! document (党政机关公文) following GB/T 9704-2012 《党政机关公文格式》.
//!
//! The XML is written by hand; the only dependency is the `zip` crate used for the package.
//!
//! Layout summary (all lengths in twips, 1 mm = 56.7 twips):
//! * A4 page, margins top 37 mm / bottom 35 mm / left (订口) 28 mm / right 26 mm,
//!   text area 156 mm x 225 mm, document grid of 22 lines x 28 characters.
//! * 发文机关标志: 方正小标宋简体, red, centered, 35 mm below the top of the text area.
//! * 发文字号: 3号仿宋, centered two lines below the mark, red separator line 4 mm below it.
//! * 标题: 2号方正小标宋简体, centered two lines below the red line.
//! * 主送机关 / 正文 / 一级标题 (黑体) / 二级标题 (楷体): 3号, exact line pitch of the grid.
//! * 发文机关署名 / 成文日期: right aligned, date 右空四字, signature centered over the date.
//! * 版记: 4号仿宋 between two 0.35 mm black lines; page numbers "— 1 —" in 4号宋体.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// A Chinese official document (公文) to be rendered as `.docx`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficialDoc {
    /// 发文机关标志, e.g. "中共贵州省直属机关工作委员会文件" (red, centered).
    pub issuer_mark: String,
    /// 发文字号, e.g. "黔直工通〔2025〕3号" (centered under the mark).
    pub doc_number: String,
    /// 标题. A `'\n'` forces a line break inside the title.
    pub title: String,
    /// 主送机关, e.g. "各单位党委（党组）：". Omitted when empty.
    pub addressee: String,
    /// 正文 blocks.
    pub body: Vec<Block>,
    /// 发文机关署名.
    pub signature: String,
    /// 成文日期, already formatted like "2025年12月31日".
    pub date: String,
    /// 版记: 印发机关.
    pub printed_by: String,
    /// 版记: 印发日期, like "2025年12月31日印发".
    pub printed_on: String,
}

/// A block of the document body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// 一级标题 "一、…" (3号黑体).
    Heading1(String),
    /// 二级标题 "（一）…" (3号楷体).
    Heading2(String),
    /// 正文 paragraph (3号仿宋, first-line indent of two characters, justified).
    Paragraph(String),
    /// Simple bordered table; the header row is bold and repeated on every page.
    Table {
        /// Header cells.
        header: Vec<String>,
        /// Data rows; short rows are padded with empty cells.
        rows: Vec<Vec<String>>,
    },
}

// ---------------------------------------------------------------------------------------------
// Page geometry (GB/T 9704-2012 §5.2).
// ---------------------------------------------------------------------------------------------

/// Converts millimetres to twips (1 mm = 56.7 twips), rounded to the nearest twip.
const fn mm(mm: u32) -> u32 {
    (mm * 567 + 5) / 10
}

const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = mm(37);
const MARGIN_BOTTOM: u32 = mm(35);
const MARGIN_LEFT: u32 = mm(28);
const MARGIN_RIGHT: u32 = mm(26);
/// Width of the text area: what is left between the margins (≈ 156 mm).
const TEXT_WIDTH: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
/// 22 lines in 225 mm (12757.5 twips / 22 ≈ 579.9, rounded down so 22 lines always fit).
const LINE_PITCH: u32 = 579;
const CHARS_PER_LINE: u32 = 28;
/// `w:charSpace` of the document grid: the difference between the character pitch
/// (text width / 28) and the default 3号 (16 pt) font size, in 1/4096 pt.
const CHAR_SPACE: i64 = {
    let delta = TEXT_WIDTH as i64 * 4096 - 16 * 4096 * 20 * CHARS_PER_LINE as i64;
    let div = 20 * CHARS_PER_LINE as i64;
    if delta < 0 { -((-delta + div / 2) / div) } else { (delta + div / 2) / div }
};
/// Distance from the bottom edge of the page to the bottom of the footer, chosen so that the
/// page number dashes sit about 7 mm below the text area (§7.5).
const FOOTER_DISTANCE: u32 = mm(28) - FOOTER_LINE / 2;
const FOOTER_LINE: u32 = 360;

// Font sizes in half-points.
const SZ_2: u32 = 44; // 2号 = 22 pt
const SZ_3: u32 = 32; // 3号 = 16 pt
const SZ_4: u32 = 28; // 4号 = 14 pt
const SZ_XIAO4: u32 = 24; // 小4号 = 12 pt
const SZ_5: u32 = 21; // 5号 = 10.5 pt
const SZ_MARK_MAX: u32 = 52; // 26 pt
const SZ_MARK_MIN: u32 = 36; // 18 pt

/// One character of 3号 text in twips.
const CHAR_3: u32 = SZ_3 * 10;
/// One character of 4号 text in twips.
const CHAR_4: u32 = SZ_4 * 10;

const FONT_XBS: &str = "方正小标宋简体";
const FONT_FS: &str = "仿宋_GB2312";
const FONT_HT: &str = "黑体";
const FONT_KT: &str = "楷体_GB2312";
const FONT_ST: &str = "宋体";

const RED: &str = "FF0000";
const BLACK: &str = "000000";

/// Blank lines between 发文机关标志 and 发文字号 (§7.2.4: "下空二行").
const BLANK_LINES_AFTER_MARK: usize = 2;
/// Blank lines between the red separator line and 标题 (§7.3.1: "红色分隔线下空二行").
const BLANK_LINES_BEFORE_TITLE: usize = 2;

const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

// ---------------------------------------------------------------------------------------------
// XML helpers.
// ---------------------------------------------------------------------------------------------

/// Escapes text for XML content and attribute values; drops characters not allowed in XML 1.0.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`esc`] (also handles numeric character references).
fn unesc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(|dec| dec.parse::<u32>()))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Width of a string in half-character units (ASCII counts as half a character).
fn half_units(s: &str) -> u32 {
    s.chars().map(|c| if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) { 1 } else { 2 }).sum()
}

/// Run formatting.
#[derive(Clone, Copy)]
struct RFmt {
    font: &'static str,
    sz: u32,
    bold: bool,
    color: Option<&'static str>,
}

impl RFmt {
    const fn new(font: &'static str, sz: u32) -> Self {
        RFmt { font, sz, bold: false, color: None }
    }

    fn xml(&self) -> String {
        let f = self.font;
        let mut s = format!("<w:rPr><w:rFonts w:ascii=\"{f}\" w:eastAsia=\"{f}\" w:hAnsi=\"{f}\" w:cs=\"{f}\"/>");
        if self.bold {
            s.push_str("<w:b/><w:bCs/>");
        }
        if let Some(color) = self.color {
            s.push_str(&format!("<w:color w:val=\"{color}\"/>"));
        }
        s.push_str(&format!("<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/></w:rPr>", self.sz));
        s
    }
}

/// A paragraph border: (color, width in eighths of a point, spacing in points).
type Border = (&'static str, u32, u32);

/// Paragraph properties; [`PPr::xml`] emits them in schema order.
#[derive(Default)]
struct PPr {
    keep_next: bool,
    top_border: Option<Border>,
    bottom_border: Option<Border>,
    right_tab: Option<u32>,
    no_grid: bool,
    before: u32,
    /// Exact line height in twips (0 = not specified).
    line: u32,
    ind_left: u32,
    ind_right: u32,
    ind_right_chars: u32,
    first_line_chars: u32,
    first_line: u32,
    jc: Option<&'static str>,
    outline: Option<u8>,
}

impl PPr {
    fn xml(&self, mark: &RFmt) -> String {
        let mut s = String::from("<w:pPr>");
        if self.keep_next {
            s.push_str("<w:keepNext/>");
        }
        if self.top_border.is_some() || self.bottom_border.is_some() {
            s.push_str("<w:pBdr>");
            for (tag, b) in [("top", self.top_border), ("bottom", self.bottom_border)] {
                if let Some((color, sz, space)) = b {
                    s.push_str(&format!(
                        "<w:{tag} w:val=\"single\" w:sz=\"{sz}\" w:space=\"{space}\" w:color=\"{color}\"/>"
                    ));
                }
            }
            s.push_str("</w:pBdr>");
        }
        if let Some(pos) = self.right_tab {
            s.push_str(&format!("<w:tabs><w:tab w:val=\"right\" w:pos=\"{pos}\"/></w:tabs>"));
        }
        if self.no_grid {
            s.push_str("<w:snapToGrid w:val=\"0\"/>");
        }
        if self.before > 0 || self.line > 0 {
            s.push_str("<w:spacing w:before=\"");
            s.push_str(&self.before.to_string());
            s.push_str("\" w:after=\"0\"");
            if self.line > 0 {
                s.push_str(&format!(" w:line=\"{}\" w:lineRule=\"exact\"", self.line));
            }
            s.push_str("/>");
        }
        let mut ind = String::new();
        if self.ind_left > 0 {
            ind.push_str(&format!(" w:left=\"{}\"", self.ind_left));
        }
        if self.ind_right > 0 {
            ind.push_str(&format!(" w:right=\"{}\"", self.ind_right));
        }
        if self.ind_right_chars > 0 {
            ind.push_str(&format!(" w:rightChars=\"{}\"", self.ind_right_chars));
        }
        if self.first_line > 0 {
            ind.push_str(&format!(" w:firstLine=\"{}\"", self.first_line));
        }
        if self.first_line_chars > 0 {
            ind.push_str(&format!(" w:firstLineChars=\"{}\"", self.first_line_chars));
        }
        if !ind.is_empty() {
            s.push_str(&format!("<w:ind{ind}/>"));
        }
        if let Some(jc) = self.jc {
            s.push_str(&format!("<w:jc w:val=\"{jc}\"/>"));
        }
        if let Some(level) = self.outline {
            s.push_str(&format!("<w:outlineLvl w:val=\"{level}\"/>"));
        }
        s.push_str(&mark.xml());
        s.push_str("</w:pPr>");
        s
    }
}

/// Writes one run; `'\n'` becomes a line break and `'\t'` a tab.
fn push_run(out: &mut String, fmt: &RFmt, text: &str) {
    out.push_str("<w:r>");
    out.push_str(&fmt.xml());
    let mut segment = String::new();
    let flush = |out: &mut String, segment: &mut String| {
        if !segment.is_empty() {
            out.push_str("<w:t xml:space=\"preserve\">");
            out.push_str(&esc(segment));
            out.push_str("</w:t>");
            segment.clear();
        }
    };
    for c in text.chars() {
        match c {
            '\n' => {
                flush(out, &mut segment);
                out.push_str("<w:br/>");
            }
            '\t' => {
                flush(out, &mut segment);
                out.push_str("<w:tab/>");
            }
            '\r' => {}
            c => segment.push(c),
        }
    }
    flush(out, &mut segment);
    out.push_str("</w:r>");
}

/// Writes a paragraph with a single run (no run at all when `text` is empty).
fn push_para(out: &mut String, ppr: &PPr, fmt: &RFmt, text: &str) {
    out.push_str("<w:p>");
    out.push_str(&ppr.xml(fmt));
    if !text.is_empty() {
        push_run(out, fmt, text);
    }
    out.push_str("</w:p>");
}

/// Paragraph properties of ordinary 3号 lines on the document grid.
fn body_ppr() -> PPr {
    PPr { line: LINE_PITCH, jc: Some("both"), ..PPr::default() }
}

/// Writes `n` empty 3号 lines.
fn push_blank_lines(out: &mut String, n: usize) {
    for _ in 0..n {
        push_para(out, &body_ppr(), &RFmt::new(FONT_FS, SZ_3), "");
    }
}

/// Writes an indented body-type paragraph (正文 and headings).
fn push_indented(out: &mut String, fmt: &RFmt, text: &str, keep_next: bool, outline: Option<u8>) {
    let ppr = PPr { keep_next, first_line: 2 * CHAR_3, first_line_chars: 200, outline, ..body_ppr() };
    push_para(out, &ppr, fmt, text);
}

fn push_table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).chain(std::iter::once(header.len())).max().unwrap_or(0);
    if cols == 0 {
        return;
    }
    let sz = match cols {
        0..=5 => SZ_4,
        6..=7 => SZ_XIAO4,
        _ => SZ_5,
    };
    let col_w = TEXT_WIDTH / cols as u32;
    let widths: Vec<u32> =
        (0..cols).map(|i| if i + 1 == cols { TEXT_WIDTH - col_w * (cols as u32 - 1) } else { col_w }).collect();

    out.push_str("<w:tbl><w:tblPr>");
    out.push_str(&format!("<w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>"));
    for tag in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        out.push_str(&format!("<w:{tag} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"{BLACK}\"/>"));
    }
    out.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
    out.push_str(
        "<w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar>",
    );
    out.push_str("</w:tblPr><w:tblGrid>");
    for w in &widths {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");

    let empty = String::new();
    let mut push_row = |cells: &[String], is_header: bool| {
        out.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if is_header {
            out.push_str("<w:tblHeader/>");
        }
        out.push_str("</w:trPr>");
        for (i, w) in widths.iter().enumerate() {
            let text = cells.get(i).unwrap_or(&empty);
            out.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
            ));
            let fmt = RFmt { bold: is_header, ..RFmt::new(FONT_FS, sz) };
            let ppr = PPr {
                no_grid: true,
                line: sz * 13,
                jc: Some(if is_header { "center" } else { "left" }),
                ..PPr::default()
            };
            push_para(out, &ppr, &fmt, text);
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    };
    if !header.is_empty() {
        push_row(header, true);
    }
    for row in rows {
        push_row(row, false);
    }
    out.push_str("</w:tbl>");
}

fn document_xml(doc: &OfficialDoc) -> String {
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
fn footer_xml(odd: bool) -> String {
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

fn styles_xml() -> String {
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

fn settings_xml() -> String {
    format!(
        "{XML_DECL}<w:settings xmlns:w=\"{NS_W}\"><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/>\
         <w:evenAndOddHeaders/><w:characterSpacingControl w:val=\"doNotCompress\"/>\
         <w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" \
         w:val=\"15\"/></w:compat></w:settings>"
    )
}

/// Font table so that Word can pick a substitute (by charset/family) when a GB/T 9704 font is missing.
fn font_table_xml() -> String {
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

fn content_types_xml() -> String {
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

fn root_rels_xml() -> String {
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

fn document_rels_xml() -> String {
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
fn now_w3cdtf() -> String {
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

fn core_xml(doc: &OfficialDoc) -> String {
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

fn app_xml() -> String {
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>OfficialDoc</Application><DocSecurity>0</DocSecurity></Properties>"
    )
}

fn try_render(doc: &OfficialDoc) -> zip::result::ZipResult<Vec<u8>> {
    let parts = [
        ("[Content_Types].xml", content_types_xml()),
        ("_rels/.rels", root_rels_xml()),
        ("word/document.xml", document_xml(doc)),
        ("word/_rels/document.xml.rels", document_rels_xml()),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", settings_xml()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/footer1.xml", footer_xml(true)),
        ("word/footer2.xml", footer_xml(false)),
        ("docProps/core.xml", core_xml(doc)),
        ("docProps/app.xml", app_xml()),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(name, options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Renders the document as `.docx` bytes.
pub fn render(doc: &OfficialDoc) -> Vec<u8> {
    // Writing into an in-memory buffer with unique part names cannot fail.
    try_render(doc).expect("writing an in-memory zip archive")
}

/// Returns the text of all `w:t` elements of `word/document.xml`, unescaped, with paragraphs
/// separated by `'\n'` (`w:tab` inside runs becomes `'\t'`, `w:br` becomes `'\n'`).
pub fn document_text(docx: &[u8]) -> Result<String, String> {
    let mut archive = ZipArchive::new(Cursor::new(docx)).map_err(|e| format!("not a zip archive: {e}"))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|e| format!("word/document.xml: {e}"))?
        .read_to_string(&mut xml)
        .map_err(|e| format!("word/document.xml: {e}"))?;

    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut in_text = false;
    let mut run_depth = 0usize;
    let mut rest = xml.as_str();
    while let Some(lt) = rest.find('<') {
        if in_text {
            current.push_str(&unesc(&rest[..lt]));
        }
        rest = &rest[lt..];
        let end = tag_end(rest).ok_or("unterminated tag in word/document.xml")?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        let closing = tag.starts_with('/');
        let self_closing = tag.ends_with('/');
        let name = tag.trim_start_matches('/').split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        match (name, closing, self_closing) {
            ("w:p", false, true) => paragraphs.push(String::new()),
            ("w:p", false, false) => current.clear(),
            ("w:p", true, _) => paragraphs.push(std::mem::take(&mut current)),
            ("w:r", false, false) => run_depth += 1,
            ("w:r", true, _) => run_depth = run_depth.saturating_sub(1),
            ("w:t", false, false) => in_text = true,
            ("w:t", true, _) => in_text = false,
            ("w:tab", false, _) if run_depth > 0 => current.push('\t'),
            ("w:br" | "w:cr", false, _) if run_depth > 0 => current.push('\n'),
            _ => {}
        }
    }
    Ok(paragraphs.join("\n"))
}

/// Index of the `>` closing the tag that starts at `s[0] == '<'`, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;
