//! Attachments: the one mechanism every area uses for files (meeting minutes
//! and photos, recruitment materials, and every later area). A file is
//! accepted by its content, never by its name alone; what owns it is a typed
//! [`Owner`], stored as its code.

use crate::Error;

crate::state_enum! {
    /// What an attachment belongs to (its `owner_kind` column).
    pub enum Owner ("附件归属") {
        /// A meeting's minutes, photos, sign-in sheets.
        Meeting = ("meeting", "会议"),
        /// A recruitment case's materials, filed under one of its steps.
        RecruitmentCase = ("recruitment_case", "发展档案"),
    }
}

impl Owner {
    /// How many attachments one owner may carry, and the refusal when full.
    pub fn limit(self) -> (i64, String) {
        match self {
            Owner::Meeting => {
                let n = crate::meeting::ATTACHMENTS_PER_MEETING;
                (n, format!("每次会议最多{n}个附件，请先删除不需要的附件"))
            }
            Owner::RecruitmentCase => {
                let n = crate::recruitment::DOCUMENTS_PER_CASE;
                (n, format!("每份发展档案最多{n}个材料"))
            }
        }
    }
}

/// Refuses a file that is not one of the accepted types.
pub fn check(name: &str, data: &[u8]) -> Result<AttachmentType, Error> {
    sniff(name, data).map_err(|m| Error::invalid("file", m))
}

/// Largest attachment accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// What an uploaded file is, decided from its content (and its name must agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentType {
    pub content_type: &'static str,
    pub label: &'static str,
}

/// Checks an attachment by its bytes: PDF, PNG/JPEG/GIF images, and Office
/// documents (OOXML .docx/.xlsx/.pptx, legacy .doc/.xls/.ppt, WPS .wps/.et/.dps).
/// A file whose name claims another type is refused; nothing else is accepted,
/// so nothing uploaded can come back as HTML or script.
pub fn sniff(name: &str, data: &[u8]) -> Result<AttachmentType, String> {
    const ALLOWED: &str = "仅支持PDF、图片（PNG、JPEG、GIF）和Office文档（Word、Excel、PowerPoint、WPS）";
    if data.is_empty() {
        return Err("上传的文件是空的".into());
    }
    if data.len() > MAX_BYTES {
        return Err(format!("附件不能超过{}MB", MAX_BYTES / 1024 / 1024));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let t = |content_type, label| AttachmentType { content_type, label };
    let (found, exts): (AttachmentType, &[&str]) = if data.starts_with(b"%PDF-") {
        (t("application/pdf", "PDF"), &["pdf"])
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        (t("image/png", "图片"), &["png"])
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        (t("image/jpeg", "图片"), &["jpg", "jpeg"])
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        (t("image/gif", "图片"), &["gif"])
    } else if data.starts_with(b"PK\x03\x04") {
        let has = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
        if !has(b"[Content_Types].xml") {
            return Err(format!("无法识别的压缩文件。{ALLOWED}"));
        }
        match ext.as_str() {
            "docx" if has(b"word/") => {
                (t("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"), &["docx"])
            }
            "xlsx" if has(b"xl/") => {
                (t("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"), &["xlsx"])
            }
            "pptx" if has(b"ppt/") => (
                t("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"),
                &["pptx"],
            ),
            _ => return Err(format!("文件内容与扩展名“.{ext}”不符。{ALLOWED}")),
        }
    } else if data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        match ext.as_str() {
            "doc" | "wps" => (t("application/msword", "Word"), &["doc", "wps"]),
            "xls" | "et" => (t("application/vnd.ms-excel", "Excel"), &["xls", "et"]),
            "ppt" | "dps" => (t("application/vnd.ms-powerpoint", "PowerPoint"), &["ppt", "dps"]),
            _ => return Err(format!("文件内容与扩展名“.{ext}”不符。{ALLOWED}")),
        }
    } else {
        return Err(format!("不支持的文件类型。{ALLOWED}"));
    };
    if !exts.contains(&ext.as_str()) {
        return Err(format!("文件内容是{}，但扩展名是“.{ext}”，请核对后重新上传", found.label));
    }
    Ok(found)
}

/// A file name safe to store and send back: no path, no control characters, at most 100 characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':')).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    let n = cleaned.chars().count();
    if n > 100 {
        cleaned.chars().skip(n - 100).collect()
    } else if cleaned.is_empty() {
        "附件".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_checked_by_content() {
        assert_eq!(sniff("纪要.pdf", b"%PDF-1.7 ...").unwrap().content_type, "application/pdf");
        assert_eq!(sniff("photo.JPG", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap().content_type, "image/jpeg");
        let png = b"\x89PNG\r\n\x1a\n....";
        assert!(sniff("a.png", png).is_ok());
        // A PDF renamed to .docx, HTML renamed to .pdf, and an empty file are refused.
        assert!(sniff("a.docx", b"%PDF-1.4").unwrap_err().contains("扩展名"));
        assert!(sniff("a.pdf", b"<html><script>alert(1)</script>").unwrap_err().contains("不支持"));
        assert!(sniff("a.pdf", b"").is_err());
        let mut docx = b"PK\x03\x04".to_vec();
        docx.extend_from_slice(b"....[Content_Types].xml....word/document.xml");
        assert!(sniff("记录.docx", &docx).is_ok());
        assert!(sniff("记录.xlsx", &docx).is_err());
        assert!(sniff("x.zip", b"PK\x03\x04 plain zip").is_err());
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(sniff("老文件.doc", &ole).unwrap().label, "Word");
        assert!(sniff("老文件.exe", &ole).is_err());
        let big = vec![b'%'; MAX_BYTES + 1];
        assert!(sniff("big.pdf", &big).unwrap_err().contains("10MB"));
        assert_eq!(clean_file_name("../../etc/会议\"纪要\".pdf"), "会议纪要.pdf");
        assert_eq!(clean_file_name("C:\\Users\\x\\a.pdf"), "a.pdf");
        assert_eq!(clean_file_name(".."), "附件");
    }
}
