//! Party dues: each member's dues setting (type and base) as versioned rows by
//! month, and the roster of monthly dues computed from them under the dues
//! rule in force for that month. (Cycles and payments build on this.)

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use xianfeng_core::FieldError;
use xianfeng_core::auth::MemberScope;
use xianfeng_core::dues::{self as core_dues, DuesBase, DuesRules, Fen, MemberType};
use xianfeng_core::text::now_ms;

use crate::audit::{Event, append};
use crate::db::Q;
use crate::member::member_scope_where;
use crate::{Result, Store, StoreError, Who, q};

mod arrears;
mod bases;
mod correct;
mod cycles;
mod items;
pub mod owed;
mod payroll;
pub mod tally;

pub use self::arrears::*;
pub use self::bases::*;
pub use self::correct::*;
pub use self::cycles::*;
pub use self::items::*;
pub use self::payroll::*;

/// Restricts a query over orgs alias `o` to the subtree of `org_id` (an org
/// inside the caller's scope), when one is given.
pub(crate) async fn under_org(store: &Store, scope: &MemberScope, q: &mut Q, org_id: Option<i64>) -> Result<()> {
    if let Some(id) = org_id {
        let MemberScope::Subtree { org, .. } = scope else { return Err(StoreError::NotFound) };
        let under = crate::org::get(store.db.r(), org, id).await?;
        q.push(" AND o.path LIKE ").bind(format!("{}%", under.path));
    }
    Ok(())
}

/// Joins each member `m` to the dues setting `b` in force in a month: push
/// this, bind the month, then close with ")".
pub(crate) const SETTING_IN_FORCE: &str = " LEFT JOIN dues_bases b ON b.committee_id = m.committee_id AND b.member_id = m.id AND b.effective_from = \
    (SELECT MAX(b2.effective_from) FROM dues_bases b2 WHERE b2.committee_id = m.committee_id AND b2.member_id = m.id AND b2.effective_from <= ";

/// The due of a stored setting under the rules (None when there is no setting).
pub(crate) fn due_of(
    rules: &DuesRules,
    member_type: Option<&str>,
    base_fen: Option<i64>,
    fixed_fen: Option<i64>,
) -> Option<Result<core_dues::Due, String>> {
    let t = member_type.and_then(MemberType::parse)?;
    Some(core_dues::monthly_due(
        rules,
        &DuesBase { member_type: t, base: Fen(base_fen.unwrap_or(0)), fixed: Fen(fixed_fen.unwrap_or(0)) },
    ))
}

/// One version of a member's dues setting.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BaseRow {
    pub member_id: i64,
    pub effective_from: NaiveDate,
    pub member_type: String,
    pub base_fen: i64,
    pub fixed_fen: i64,
    /// The gross wage and "item:amount;…" deductions the base came from (0 / "" when typed directly).
    pub gross_fen: i64,
    pub deductions: String,
    pub note: String,
    pub set_by: String,
    pub set_at: i64,
}

impl BaseRow {
    pub fn member_type(&self) -> Option<MemberType> {
        MemberType::parse(&self.member_type)
    }
    pub fn type_label(&self) -> &'static str {
        self.member_type().map(|t| t.label()).unwrap_or("")
    }
    pub fn base(&self) -> DuesBase {
        DuesBase {
            member_type: self.member_type().unwrap_or(MemberType::Salaried),
            base: Fen(self.base_fen),
            fixed: Fen(self.fixed_fen),
        }
    }
    pub fn base_text(&self) -> String {
        if self.member_type().is_some_and(|t| t.has_base()) { Fen(self.base_fen).to_string() } else { "—".into() }
    }
    pub fn month(&self) -> String {
        self.effective_from.format("%Y-%m").to_string()
    }
    /// "应发¥12,000.00，扣除养老保险¥960.00、…" or "".
    pub fn derivation(&self) -> String {
        if self.gross_fen == 0 {
            return String::new();
        }
        let parts: Vec<String> = self
            .deductions
            .split(';')
            .filter_map(|p| p.split_once(':'))
            .map(|(n, a)| format!("{n}{}", Fen::parse(a).unwrap_or_default()))
            .collect();
        format!("应发{}，扣除{}", Fen(self.gross_fen), if parts.is_empty() { "无".into() } else { parts.join("、") })
    }
}
