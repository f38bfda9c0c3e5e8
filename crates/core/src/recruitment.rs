//! Recruitment (发展党员) timers as versioned rule data (《中国共产党发展党员工作细则》, 2014).
//! The 25-step pipeline builds on these; for now the probation end is used by
//! the secretary's month page.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::rules::Rule;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecruitmentRules {
    /// Talk with an applicant within this many months of the application.
    pub talk_within_months: u32,
    /// Local practice: an applicant becomes an activist at the earliest this many months after applying.
    pub applicant_to_activist_months: u32,
    /// At least this long as an activist before becoming a candidate.
    pub activist_min_months: u32,
    /// Higher-committee approval within this many months.
    pub approval_within_months: u32,
    /// Probation.
    pub probation_months: u32,
    /// Extension of probation: from … to … months.
    pub extension_min_months: u32,
    pub extension_max_months: u32,
    /// Warn this many days ahead of a deadline.
    pub warn_days: i64,
}

impl Default for RecruitmentRules {
    fn default() -> Self {
        RecruitmentRules {
            talk_within_months: 1,
            applicant_to_activist_months: 6,
            activist_min_months: 12,
            approval_within_months: 3,
            probation_months: 12,
            extension_min_months: 6,
            extension_max_months: 12,
            warn_days: 30,
        }
    }
}

impl Rule for RecruitmentRules {
    const KEY: &'static str = "recruitment";
    const LABEL: &'static str = "发展党员时限";
    const SOURCE: &'static str = "《中国共产党发展党员工作细则》（2014）；入党申请人转为积极分子的最短时间为本地实践";
    const DEFAULT_FROM: (i32, u32, u32) = (2014, 5, 28);
    fn check(&self) -> Result<(), String> {
        if self.probation_months != 12 {
            return Err("预备期为一年（党章第七条），不能修改".into());
        }
        if self.extension_min_months > self.extension_max_months || self.extension_max_months > 12 {
            return Err("延长预备期应在半年至一年之间".into());
        }
        if self.talk_within_months == 0 || self.approval_within_months == 0 || self.warn_days < 0 {
            return Err("时限须为正数".into());
        }
        Ok(())
    }
}

impl RecruitmentRules {
    /// The day probation ends for someone admitted on `admitted`.
    pub fn probation_end(&self, admitted: NaiveDate) -> NaiveDate {
        admitted.checked_add_months(Months::new(self.probation_months)).unwrap_or(admitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probation_ends_a_year_after_admission() {
        let r = RecruitmentRules::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(r.probation_end(d("2025-07-01")), d("2026-07-01"));
        assert_eq!(r.probation_end(d("2024-02-29")), d("2025-02-28"), "a leap day ends on the last day of February");
        r.check().unwrap();
        let bad = RecruitmentRules { probation_months: 6, ..r.clone() };
        assert!(bad.check().unwrap_err().contains("一年"));
        let bad = RecruitmentRules { extension_max_months: 18, ..r };
        assert!(bad.check().is_err());
    }
}
