//! Checking a step against the rules and the case so far, and describing an event.

use super::*;

/// A refusal: the message in Chinese, and the first date the step becomes possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub earliest: Option<NaiveDate>,
}

impl Refusal {
    fn new(message: impl Into<String>) -> Self {
        Refusal { message: message.into(), earliest: None }
    }
}

crate::state_enum! {
    /// Whether the actor proposing an event sits above the branch (a unit or
    /// the working committee) or is the branch itself.
    pub enum Level ("办理层级") {
        Branch = ("branch", "党支部"),
        Higher = ("higher", "上级党委"),
    }
}

/// Checks a proposed event against the case, the rules and today.
pub fn check(
    st: &CaseState,
    rules: &RecruitmentRules,
    e: &Event,
    level: Level,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let def = step(e.step).ok_or_else(|| Refusal::new("步骤编号应在1至25之间"))?;
    let label = |n: u8| format!("第{}步“{}”", n, step_label(n));
    if st.ended() {
        return Err(Refusal::new("该发展程序已经结束"));
    }
    if e.on > today {
        return Err(Refusal::new("日期不能晚于今天"));
    }
    match e.action {
        Action::Record | Action::Submit => {
            if let Some((p, _)) = st.pending {
                return Err(Refusal::new(format!("{}已报上级党委，请等待审批或打回", label(p))));
            }
            if e.step != st.next_step {
                return Err(Refusal::new(if e.step < st.next_step {
                    format!("{}已经办理", label(e.step))
                } else {
                    format!("请先办理{}", label(st.next_step))
                }));
            }
            if def.approval && e.action == Action::Record {
                return Err(Refusal::new(format!("{}须报上级党委审批", label(e.step))));
            }
            if !def.approval && e.action == Action::Submit {
                return Err(Refusal::new(format!("{}无需报批，请直接办理", label(e.step))));
            }
            if def.by_higher && level == Level::Branch {
                return Err(Refusal::new(format!("{}由上级党委办理", label(e.step))));
            }
            if let Some(f) = st.floor()
                && e.on < f
            {
                return Err(Refusal::new(format!("日期不能早于上一步的日期（{f}）")));
            }
            if let Some((first, why)) = st.earliest(rules)
                && e.on < first
            {
                return Err(Refusal {
                    message: format!("{}：{}，最早可于 {} 办理", label(e.step), why, first),
                    earliest: Some(first),
                });
            }
            check_data(def, rules, e)?;
        }
        Action::Approve | Action::Return => {
            if level == Level::Branch {
                return Err(Refusal::new("审批和打回由上级党委办理"));
            }
            let Some((p, submitted)) = st.pending.filter(|(p, _)| *p == e.step) else {
                return Err(Refusal::new(format!("{}尚未报上级党委", label(e.step))));
            };
            if e.on < submitted {
                return Err(Refusal::new(format!("日期不能早于报送日期（{submitted}）")));
            }
            if e.action == Action::Return {
                let to = e.data.return_to.unwrap_or(p);
                let lowest = stage_start(def.stage);
                if to < lowest || to > p {
                    return Err(Refusal::new(format!("只能打回到第{}至第{}步", lowest, p)));
                }
                if e.data.note.trim().is_empty() {
                    return Err(Refusal::new("请填写打回原因"));
                }
            } else {
                if p == 13
                    && let Some(end) = st.notice_to
                    && e.on < end
                {
                    return Err(Refusal {
                        message: format!("公示期至 {end}，公示期满后方可预审"),
                        earliest: Some(end),
                    });
                }
                if p == 24 {
                    match e.data.outcome {
                        None => return Err(Refusal::new("请选择审批结果：按期转正、延长预备期或取消预备党员资格")),
                        Some(Outcome::Extend) => {
                            let m = e.data.extend_months.unwrap_or(0);
                            if st.extended_months > 0 {
                                return Err(Refusal::new("预备期只能延长一次"));
                            }
                            if m < rules.extension_min_months || m > rules.extension_max_months {
                                return Err(Refusal::new(format!(
                                    "延长预备期应为{}至{}个月",
                                    rules.extension_min_months, rules.extension_max_months
                                )));
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn check_data(def: &StepDef, rules: &RecruitmentRules, e: &Event) -> Result<(), Refusal> {
    let d = &e.data;
    match def.needs {
        Needs::Nothing | Needs::Outcome => {}
        Needs::Mentors => {
            let n = names(&d.people).len();
            if !(1..=2).contains(&n) {
                return Err(Refusal::new("请填写1至2名培养联系人"));
            }
        }
        Needs::Sponsors => {
            if names(&d.people).len() != 2 {
                return Err(Refusal::new("入党介绍人应为2名正式党员"));
            }
        }
        Needs::Hours => match d.hours {
            Some(h) if h >= rules.training_min_hours => {}
            _ => return Err(Refusal::new(format!("集中培训不少于{}学时", rules.training_min_hours))),
        },
        Needs::Notice => {
            let (Some(from), Some(to)) = (d.notice_from, d.notice_to) else {
                return Err(Refusal::new("请填写公示起止日期"));
            };
            if to < from {
                return Err(Refusal::new("公示结束日期不能早于开始日期"));
            }
            if (to - from).num_days() + 1 < rules.notice_min_days {
                return Err(Refusal::new(format!("公示期不少于{}天", rules.notice_min_days)));
            }
            if from > e.on {
                return Err(Refusal::new("应先公示再报上级党委预审：公示开始日期不能晚于报送日期"));
            }
        }
        Needs::Votes => {
            let Some(v) = d.votes else {
                return Err(Refusal::new("请填写表决情况：应到、实到、赞成、反对、弃权人数"));
            };
            if v.entitled == 0 || v.present > v.entitled {
                return Err(Refusal::new("实到人数不能超过应到有表决权的人数"));
            }
            if v.for_ + v.against + v.abstain > v.present {
                return Err(Refusal::new("赞成、反对、弃权人数之和不能超过实到人数"));
            }
            if v.present * 2 <= v.entitled {
                return Err(Refusal::new("到会有表决权的党员未超过应到人数的半数，会议无效"));
            }
            if v.for_ * 2 <= v.entitled {
                return Err(Refusal::new("赞成人数未超过应到会有表决权的正式党员的半数，表决未通过"));
            }
        }
    }
    Ok(())
}

/// A one-line Chinese summary of an event's data, for history lists.
pub fn describe(e: &Event) -> String {
    let d = &e.data;
    let mut parts: Vec<String> = Vec::new();
    match e.action {
        Action::Return => parts.push(format!("打回至第{}步", d.return_to.unwrap_or(e.step))),
        Action::Approve => {
            if let Some(o) = d.outcome {
                parts.push(o.label().to_string());
                if o == Outcome::Extend
                    && let Some(m) = d.extend_months
                {
                    parts.push(format!("延长{m}个月"));
                }
            }
        }
        _ => {}
    }
    if !d.people.is_empty() {
        parts.push(d.people.clone());
    }
    if let Some(h) = d.hours {
        parts.push(format!("{h}学时"));
    }
    if let (Some(f), Some(t)) = (d.notice_from, d.notice_to) {
        parts.push(format!("公示 {f} 至 {t}"));
    }
    if let Some(v) = d.votes {
        parts.push(format!("应到{} 实到{} 赞成{} 反对{} 弃权{}", v.entitled, v.present, v.for_, v.against, v.abstain));
    }
    if !d.note.is_empty() {
        parts.push(d.note.clone());
    }
    parts.join("；")
}
