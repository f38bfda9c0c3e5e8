//! A tail branch's rectification (整改): its states, the entries of its
//! record, and the steps that move it.

crate::state_enum! {
    /// A tail branch's rectification (整改): open while the branch works on
    /// it, submitted for its unit's verification, lifted (销号) when verified.
    pub enum RectificationState ("整改状态") {
        Open = ("open", "整改中"),
        Submitted = ("submitted", "待单位验收"),
        Lifted = ("lifted", "已销号"),
    }
}

crate::state_enum! {
    /// One entry in a rectification's record: the plan, then steps.
    pub enum RectificationEntry ("整改记录类型") {
        Plan = ("plan", "制定整改方案"),
        Progress = ("progress", "整改进展"),
        Submit = ("submit", "申请验收"),
        Lift = ("lift", "验收销号"),
        Return = ("return", "退回继续整改"),
    }
}

crate::state_enum! {
    /// What a step in a rectification's life does: progress and submission by
    /// the branch, lifting (销号) or returning by the unit above it.
    pub enum RectificationStep ("整改步骤") {
        Progress = ("progress", "整改进展"),
        Submit = ("submit", "申请验收"),
        Lift = ("lift", "验收销号"),
        Return = ("return", "退回继续整改"),
    }
}

impl RectificationStep {
    /// The state a rectification in `from` moves to, or why it cannot.
    /// `verifier`: the caller is the unit above the branch.
    pub fn next(self, from: RectificationState, verifier: bool) -> Result<RectificationState, &'static str> {
        use RectificationState as S;
        use RectificationStep as T;
        match (self, from) {
            (T::Progress, S::Open) => Ok(S::Open),
            (T::Submit, S::Open) => Ok(S::Submitted),
            (T::Lift | T::Return, S::Submitted) if !verifier => Err("整改验收由党支部的上级单位办理"),
            (T::Lift, S::Submitted) => Ok(S::Lifted),
            (T::Return, S::Submitted) => Ok(S::Open),
            (_, S::Lifted) => Err("该整改已销号"),
            (T::Progress | T::Submit, S::Submitted) => Err("已申请验收，请等待单位验收"),
            (T::Lift | T::Return, S::Open) => Err("尚未申请验收"),
        }
    }
    /// The record entry this step writes.
    pub fn entry(self) -> RectificationEntry {
        match self {
            RectificationStep::Progress => RectificationEntry::Progress,
            RectificationStep::Submit => RectificationEntry::Submit,
            RectificationStep::Lift => RectificationEntry::Lift,
            RectificationStep::Return => RectificationEntry::Return,
        }
    }
}
