//! Transfers of membership (组织关系转接): within a unit, between units of the
//! province, out of the province and into it. The sending side approves the
//! transfer out (issuing the introduction letter), the receiving side approves
//! the transfer in; the letter's validity is rule data.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::Rule;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransferRules {
    /// An introduction letter is valid for this many days from issue.
    pub letter_valid_days: i64,
    /// A transfer out is issued only when the member has no unpaid dues charge.
    pub dues_must_be_paid: bool,
}

impl Default for TransferRules {
    fn default() -> Self {
        TransferRules { letter_valid_days: 90, dues_must_be_paid: true }
    }
}

impl Rule for TransferRules {
    const KEY: &'static str = "transfer";
    const LABEL: &'static str = "组织关系转接";
    const SOURCE: &'static str = "中组部关于党员组织关系转接的规定（介绍信有效期一般不超过3个月，常见做法）";
    const DEFAULT_FROM: (i32, u32, u32) = (2014, 1, 1);
    fn check(&self) -> Result<(), String> {
        if !(1..=180).contains(&self.letter_valid_days) {
            return Err("介绍信有效期应在1至180天之间".into());
        }
        Ok(())
    }
}

crate::state_enum! {
    pub enum TransferKind ("转接类型") {
        /// Between branches of one unit (the shard key stays).
        WithinUnit = ("within_unit", "单位内转接"),
        /// To a branch of another unit of the province (the shard key moves).
        BetweenUnits = ("between_units", "省直单位间转接"),
        /// Out of the province: the record leaves with a letter.
        OutOfProvince = ("out_of_province", "转出省直机关"),
        /// Into the province: a record arrives with a letter.
        IntoProvince = ("into_province", "从外单位转入"),
    }
}

impl TransferKind {
    /// Between two orgs of the province, by their shard keys.
    pub fn between(from_committee: i64, to_committee: i64) -> TransferKind {
        if from_committee == to_committee { TransferKind::WithinUnit } else { TransferKind::BetweenUnits }
    }
    /// Whether the sending side is in the province (and approves in the platform).
    pub fn has_sender(self) -> bool {
        self != TransferKind::IntoProvince
    }
    /// Whether the receiving side is in the province.
    pub fn has_receiver(self) -> bool {
        self != TransferKind::OutOfProvince
    }
}

crate::state_enum! {
    pub enum TransferState ("转接状态") {
        /// Waiting for the sending side to issue the letter.
        PendingOut = ("pending_out", "待转出方审批"),
        /// Waiting for the receiving side to accept.
        PendingIn = ("pending_in", "待接收方审批"),
        Done = ("done", "已完成"),
        Rejected = ("rejected", "已退回"),
        Cancelled = ("cancelled", "已撤销"),
    }
}

impl TransferState {
    pub fn is_open(self) -> bool {
        matches!(self, TransferState::PendingOut | TransferState::PendingIn)
    }
}

/// The state a new transfer starts in.
pub fn initial_state(kind: TransferKind) -> TransferState {
    if kind.has_sender() { TransferState::PendingOut } else { TransferState::PendingIn }
}

/// What approving does next: the sending side's approval leads to the
/// receiving side, or ends the transfer out of the province.
pub fn after_approval(kind: TransferKind, state: TransferState) -> Result<TransferState, String> {
    match state {
        TransferState::PendingOut if kind.has_receiver() => Ok(TransferState::PendingIn),
        TransferState::PendingOut => Ok(TransferState::Done),
        TransferState::PendingIn => Ok(TransferState::Done),
        s => Err(format!("该转接{}，不能再审批", s.label())),
    }
}

/// The letter's last valid day for one issued on `issued`.
pub fn valid_until(rules: &TransferRules, issued: NaiveDate) -> NaiveDate {
    issued + chrono::Duration::days(rules.letter_valid_days)
}

/// Checks that a letter is still valid on `today`.
pub fn check_letter(valid_until: Option<NaiveDate>, today: NaiveDate) -> Result<(), String> {
    match valid_until {
        Some(v) if today > v => Err(format!("介绍信已于 {v} 过期，请转出方重新开具后再接收")),
        _ => Ok(()),
    }
}

/// A generated letter number for a transfer inside the province.
pub fn letter_number(year: i32, id: i64) -> String {
    format!("省直机关转〔{year}〕{id}号")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn each_kind_passes_its_sides_in_order() {
        use TransferKind::*;
        use TransferState::*;
        assert_eq!(TransferKind::between(5, 5), WithinUnit);
        assert_eq!(TransferKind::between(5, 6), BetweenUnits);
        assert_eq!(initial_state(BetweenUnits), PendingOut);
        assert_eq!(after_approval(BetweenUnits, PendingOut), Ok(PendingIn));
        assert_eq!(after_approval(BetweenUnits, PendingIn), Ok(Done));
        assert_eq!(after_approval(OutOfProvince, PendingOut), Ok(Done), "nobody in the platform receives");
        assert_eq!(initial_state(IntoProvince), PendingIn, "nobody in the platform sends");
        assert!(after_approval(WithinUnit, Done).unwrap_err().contains("已完成"));
        assert!(after_approval(WithinUnit, Rejected).is_err());
        for k in TransferKind::ALL {
            assert_eq!(TransferKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn letters_expire_after_the_validity() {
        let r = TransferRules::default();
        let until = valid_until(&r, d("2026-01-10"));
        assert_eq!(until, d("2026-04-10"));
        check_letter(Some(until), d("2026-04-10")).unwrap();
        assert!(check_letter(Some(until), d("2026-04-11")).unwrap_err().contains("2026-04-10 过期"));
        assert!(TransferRules { letter_valid_days: 0, ..r }.check().is_err());
    }
}
