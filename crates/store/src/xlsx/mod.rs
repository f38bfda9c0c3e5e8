//! Excel (.xlsx) import and export of member records.
//!
//! Import ([`parse_members`]) is defensive: the upload is refused by size, by
//! its magic bytes (legacy .xls, CSV renamed to .xlsx …) and by the zip's
//! entry count and uncompressed size *before* calamine parses anything; every
//! entry is then inflated through a capped reader so an entry whose declared
//! size lies is caught too. Calamine runs inside `catch_unwind`, reads the
//! first worksheet cell by cell (never the declared sheet dimensions, which a
//! crafted file can make huge) and stops once the row cap is passed.
//!
//! Every cell is read as text. A numeric cell in the 公民身份号码 column is
//! refused with a row error: 18 digits do not survive as an Excel number.
//!
//! Export: [`members_template`] (the import template), [`members_export`]
//! (the roster with title, scope, filters and data date) and
//! [`export_file_name`].

use std::io::{self, Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::member::{MemberRow, RowError};
use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::{Color, DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use xianfeng_core::member::{
    CADRE_RANKS, CATEGORIES, EDUCATIONS, ETHNICITIES, FIELD_LABELS, GENDERS, MemberInput, MemberStatus, field_label,
};

mod annotate;
mod export;
mod read;
mod template;

pub use self::annotate::*;
pub use self::export::*;
pub use self::read::*;
pub use self::template::*;

pub(crate) const MIB: usize = 1024 * 1024;

/// Upper bounds for an uploaded workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Size of the uploaded file.
    pub max_file_bytes: usize,
    /// Sum of the uncompressed sizes of all zip entries.
    pub max_uncompressed_bytes: u64,
    /// Number of entries in the zip.
    pub max_zip_entries: usize,
    /// Non-empty data rows below the header.
    pub max_rows: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_file_bytes: 20 * MIB,
            max_uncompressed_bytes: 200 * MIB as u64,
            max_zip_entries: 1_000,
            max_rows: 100_000,
        }
    }
}

/// Why a whole file was refused (row problems are [`RowError`]s instead).
/// The `Display` text is a Chinese sentence for the user; `detail` fields are
/// for the log only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsxError {
    #[error("文件过大：导入文件不能超过 {limit_mb} MB。请删除无关的工作表和图片，或拆分为多个文件分批导入")]
    FileTooLarge { limit_mb: usize },
    #[error(
        "这是旧版 Excel 97-2003（.xls）或 WPS 表格（.et）格式的文件，也可能是设置了打开密码的工作簿。\
         请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（*.xlsx）格式（如有打开密码请先取消）再导入"
    )]
    LegacyXls,
    #[error("无法导入：{reason}。请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（*.xlsx）格式再导入")]
    NotXlsx { reason: &'static str },
    #[error("文件解压后的内容超过 {limit_mb} MB，可能已损坏或不是正常的 Excel 文件，已拒绝处理")]
    UncompressedTooLarge { limit_mb: u64 },
    #[error("文件内部的部件超过 {limit} 个，可能已损坏或不是正常的 Excel 文件，已拒绝处理")]
    TooManyEntries { limit: usize },
    #[error("数据超过 {limit} 行的上限，请拆分为多个文件分批导入")]
    TooManyRows { limit: usize },
    #[error("工作簿中没有可读取的工作表")]
    NoWorksheet,
    #[error("第一个工作表中没有找到表头行（应有一行包含“姓名”列）。请下载导入模板，按模板填写后再导入")]
    NoHeader,
    #[error("表头缺少必填列：{}。请使用导入模板，不要修改表头文字", .columns.join("、"))]
    MissingColumns { columns: Vec<String> },
    #[error("无法读取该 Excel 文件，文件可能已损坏。请用 Excel 或 WPS 打开后重新保存为 .xlsx 再导入")]
    Parse { detail: String },
    #[error("生成 Excel 文件失败")]
    Write { detail: String },
}

/// How a refused file is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRefusal {
    TooLarge,
    Fixable,
    Fault,
}

impl XlsxError {
    /// What kind of refusal this is: the file is too large (HTTP 413), the
    /// export could not be written (a fault, 500), or the uploader can fix it (422).
    pub fn kind(&self) -> FileRefusal {
        match self {
            XlsxError::FileTooLarge { .. } => FileRefusal::TooLarge,
            XlsxError::Write { .. } => FileRefusal::Fault,
            _ => FileRefusal::Fixable,
        }
    }

    pub(crate) fn parse(e: impl std::fmt::Display) -> XlsxError {
        XlsxError::Parse { detail: e.to_string() }
    }

    pub(crate) fn write(e: rust_xlsxwriter::XlsxError) -> XlsxError {
        XlsxError::Write { detail: e.to_string() }
    }
}

#[cfg(test)]
mod tests;
