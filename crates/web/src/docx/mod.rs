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

mod parts;
mod xml;

use self::parts::*;
use self::xml::*;

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

/// A paragraph border: (color, width in eighths of a point, spacing in points).
type Border = (&'static str, u32, u32);

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
