//! 第一议题 follow-up: the tasks a leadership meeting's first agenda item
//! produced. A task is open or done; overdue is derived (open and past its
//! due date), never stored.

use chrono::NaiveDate;

use crate::Error;
use crate::error::Result;

crate::state_enum! {
    /// Whether a first-agenda task has been carried out.
    pub enum TaskStatus ("任务状态") {
        Open = ("open", "进行中"),
        Done = ("done", "已完成"),
    }
}

/// The longest account of how a task was carried out (落实情况).
pub const EVIDENCE_MAX_CHARS: usize = 2000;

/// Checks an update of a task: marking it done needs evidence, and the
/// evidence has a length limit. Returns the trimmed evidence.
pub fn check_update(status: TaskStatus, evidence: &str) -> Result<&str> {
    let evidence = evidence.trim();
    if status == TaskStatus::Done && evidence.is_empty() {
        return Err(Error::invalid("evidence", "标记完成须填写落实情况（佐证）"));
    }
    if evidence.chars().count() > EVIDENCE_MAX_CHARS {
        return Err(Error::invalid("evidence", format!("落实情况不能超过{EVIDENCE_MAX_CHARS}字")));
    }
    Ok(evidence)
}

/// What a task shows: done, overdue (open past its date) or in progress.
pub fn status_label(status: TaskStatus, due_on: NaiveDate, today: NaiveDate) -> &'static str {
    match status {
        TaskStatus::Done => "已完成",
        TaskStatus::Open if due_on < today => "已逾期",
        TaskStatus::Open => "进行中",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_needs_evidence_and_evidence_has_a_limit() {
        assert!(check_update(TaskStatus::Done, "  ").is_err());
        assert_eq!(check_update(TaskStatus::Done, " 已传达学习 ").unwrap(), "已传达学习");
        assert_eq!(check_update(TaskStatus::Open, "").unwrap(), "");
        let long = "字".repeat(EVIDENCE_MAX_CHARS + 1);
        let e = check_update(TaskStatus::Open, &long).unwrap_err();
        assert!(e.to_string().contains("2000"), "{e}");
        assert!(check_update(TaskStatus::Open, &"字".repeat(EVIDENCE_MAX_CHARS)).is_ok());
        assert!(TaskStatus::read("overdue").is_err(), "overdue is derived, never stored");
    }

    #[test]
    fn overdue_is_open_past_the_due_date() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(status_label(TaskStatus::Open, d("2026-11-30"), d("2026-12-01")), "已逾期");
        assert_eq!(status_label(TaskStatus::Open, d("2026-12-01"), d("2026-12-01")), "进行中");
        assert_eq!(status_label(TaskStatus::Done, d("2026-11-30"), d("2026-12-01")), "已完成");
    }
}
