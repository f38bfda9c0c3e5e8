//! WordprocessingML building blocks: escaping, run and paragraph properties, runs, paragraphs, tables.

use super::*;

/// Escapes text for XML content and attribute values; drops characters not allowed in XML 1.0.
pub(crate) fn esc(s: &str) -> String {
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
pub(crate) fn unesc(s: &str) -> String {
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
pub(crate) fn half_units(s: &str) -> u32 {
    s.chars().map(|c| if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) { 1 } else { 2 }).sum()
}

/// Run formatting.
#[derive(Clone, Copy)]
pub(crate) struct RFmt {
    pub(crate) font: &'static str,
    pub(crate) sz: u32,
    pub(crate) bold: bool,
    pub(crate) color: Option<&'static str>,
}

impl RFmt {
    pub(crate) const fn new(font: &'static str, sz: u32) -> Self {
        RFmt { font, sz, bold: false, color: None }
    }

    pub(crate) fn xml(&self) -> String {
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

/// Paragraph properties; [`PPr::xml`] emits them in schema order.
#[derive(Default)]
pub(crate) struct PPr {
    pub(crate) keep_next: bool,
    pub(crate) top_border: Option<Border>,
    pub(crate) bottom_border: Option<Border>,
    pub(crate) right_tab: Option<u32>,
    pub(crate) no_grid: bool,
    pub(crate) before: u32,
    /// Exact line height in twips (0 = not specified).
    pub(crate) line: u32,
    pub(crate) ind_left: u32,
    pub(crate) ind_right: u32,
    pub(crate) ind_right_chars: u32,
    pub(crate) first_line_chars: u32,
    pub(crate) first_line: u32,
    pub(crate) jc: Option<&'static str>,
    pub(crate) outline: Option<u8>,
}

impl PPr {
    pub(crate) fn xml(&self, mark: &RFmt) -> String {
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
pub(crate) fn push_run(out: &mut String, fmt: &RFmt, text: &str) {
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
pub(crate) fn push_para(out: &mut String, ppr: &PPr, fmt: &RFmt, text: &str) {
    out.push_str("<w:p>");
    out.push_str(&ppr.xml(fmt));
    if !text.is_empty() {
        push_run(out, fmt, text);
    }
    out.push_str("</w:p>");
}

/// Paragraph properties of ordinary 3号 lines on the document grid.
pub(crate) fn body_ppr() -> PPr {
    PPr { line: LINE_PITCH, jc: Some("both"), ..PPr::default() }
}

/// Writes `n` empty 3号 lines.
pub(crate) fn push_blank_lines(out: &mut String, n: usize) {
    for _ in 0..n {
        push_para(out, &body_ppr(), &RFmt::new(FONT_FS, SZ_3), "");
    }
}

/// Writes an indented body-type paragraph (正文 and headings).
pub(crate) fn push_indented(out: &mut String, fmt: &RFmt, text: &str, keep_next: bool, outline: Option<u8>) {
    let ppr = PPr { keep_next, first_line: 2 * CHAR_3, first_line_chars: 200, outline, ..body_ppr() };
    push_para(out, &ppr, fmt, text);
}

pub(crate) fn push_table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
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
