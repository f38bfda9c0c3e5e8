//! The home page: what needs my attention now, then key numbers for my scope.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_core::auth::Role;
use xianfeng_core::ranking::RectificationState;
use xianfeng_store::org::{self as store_org, ScopeStats};

use crate::AppState;
use crate::error::Result;
use crate::layout::{Layout, flash_text, render};
use crate::session::Ctx;

pub fn pages() -> Router<AppState> {
    Router::new().route("/", get(home))
}

pub struct Attention {
    pub class: &'static str,
    pub text: String,
    pub href: String,
    /// A second way to act on it (label, address): 补录 beside 安排.
    pub also: Option<(&'static str, String)>,
}

pub struct Panel {
    pub title: String,
    pub text: String,
    pub href: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    business: bool,
    scope_name: String,
    stats: ScopeStats,
    attention: Vec<Attention>,
    panels: Vec<Panel>,
}

#[derive(Deserialize, Default)]
struct Flash {
    #[serde(default)]
    ok: String,
}

async fn home(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> Result<Response> {
    let l = Layout::new(&ctx, "首页", "/").flash(flash_text(&f.ok));
    let Some(actor) = ctx.session.actor.clone() else {
        let page = HomePage {
            l,
            business: false,
            scope_name: String::new(),
            stats: ScopeStats::default(),
            attention: Vec::new(),
            panels: vec![Panel {
                title: "尚未授权".into(),
                text: "您的账号还没有被授予任何角色，请联系安全管理员授权。".into(),
                href: String::new(),
                link: String::new(),
            }],
        };
        return render(&page);
    };
    let mut page = HomePage {
        l,
        business: false,
        scope_name: actor.org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        stats: ScopeStats::default(),
        attention: Vec::new(),
        panels: Vec::new(),
    };
    match actor.role {
        Role::CommitteeAdmin | Role::UnitAdmin | Role::BranchSecretary => {
            let scope = actor.org_scope()?;
            page.business = true;
            page.stats = store_org::stats(&state.store, &scope).await?;
            let elections = store_org::election_counts(&state.store, &scope).await?;
            if elections.overdue > 0 {
                page.attention.push(Attention {
                    class: "alert",
                    text: format!("{}个党组织任期已届满未换届", elections.overdue),
                    href: "/orgs/elections".into(),
                    also: None,
                });
            }
            if elections.soon > 0 {
                page.attention.push(Attention {
                    class: "warn",
                    text: format!("{}个党组织任期即将届满，请准备换届", elections.soon),
                    href: "/orgs/elections".into(),
                    also: None,
                });
            }
            if actor.role == Role::BranchSecretary {
                let mut due = crate::compliance::due_for_home(&state, &ctx).await?;
                // What is due now comes first (it can still be done), then what was missed, latest first.
                due.sort_by_key(|(_, i)| (i.overdue, std::cmp::Reverse(i.due_by)));
                for (org_name, item) in due.iter().take(12) {
                    let held = if item.held > 0 { format!("，已开{}次", item.held) } else { String::new() };
                    // Already planned: the reminder leads to recording it, not to planning another.
                    let planned =
                        xianfeng_store::meeting::planned(&state.store, &scope, item.org_id, &item.kind, item.due_by)
                            .await?;
                    let (what, href, also) = match &planned {
                        Some(m) => (
                            format!("，已安排在{}，待填写记录", m.planned_on),
                            format!("/meetings/{}/record", m.id),
                            None,
                        ),
                        // Not planned: plan it, or record it if it was held already.
                        None => (
                            String::new(),
                            format!("/meetings/new?org_id={}&kind={}", item.org_id, item.kind),
                            Some(("已召开，补录", format!("/meetings/held?org_id={}&kind={}", item.org_id, item.kind))),
                        ),
                    };
                    page.attention.push(Attention {
                        class: if item.overdue { "alert" } else { "warn" },
                        text: if item.overdue {
                            format!(
                                "逾期：{org_name}{}{}应开{}次{held}{what}",
                                item.period, item.kind_label, item.expected
                            )
                        } else {
                            format!(
                                "本期待开：{org_name}{}{}（{}前，应开{}次{held}）{what}",
                                item.period, item.kind_label, item.due_by, item.expected
                            )
                        },
                        href,
                        also,
                    });
                }
                if due.len() > 12 {
                    page.attention.push(Attention {
                        class: "warn",
                        text: format!("另有{}项会议待开或逾期", due.len() - 12),
                        href: "/compliance".into(),
                        also: None,
                    });
                }
            } else {
                let org_id = actor.org.as_ref().map(|o| o.id).unwrap_or(0);
                if let Some((text, href)) = compliance_line(&state, &scope, org_id).await? {
                    page.attention.push(Attention { class: "warn", text, href, also: None });
                }
            }
            let mine = xianfeng_store::first_agenda::mine(&state.store, &actor.myself(), 1, xianfeng_store::EVERY_ROW)
                .await?
                .items;
            let mine_overdue = mine.iter().filter(|t| t.overdue()).count();
            if mine_overdue > 0 {
                page.attention.push(Attention {
                    class: "alert",
                    text: format!("您负责的{mine_overdue}项第一议题落实任务已逾期"),
                    href: "/first-agenda".into(),
                    also: None,
                });
            } else if !mine.is_empty() {
                page.attention.push(Attention {
                    class: "warn",
                    text: format!("您负责的{}项第一议题落实任务正在进行", mine.len()),
                    href: "/first-agenda".into(),
                    also: None,
                });
            }
            if actor.role != Role::BranchSecretary {
                let s = xianfeng_store::first_agenda::summary(&state.store, &scope, &Default::default(), 1, 1).await?;
                if s.overdue > 0 {
                    page.attention.push(Attention {
                        class: "warn",
                        text: format!("本范围内{}项第一议题落实任务已逾期", s.overdue),
                        href: "/first-agenda?status=overdue".into(),
                        also: None,
                    });
                }
            }
            let mscope = actor.member_scope(&state.store.rule().await?)?;
            let today = xianfeng_core::text::today_cn();
            let month = chrono::NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
            if actor.role == Role::BranchSecretary {
                let charges = xianfeng_store::dues::charges(
                    &state.store,
                    &mscope,
                    month,
                    &Default::default(),
                    1,
                    xianfeng_store::EVERY_ROW,
                )
                .await?
                .items;
                let unpaid = charges.iter().filter(|c| !c.paid()).count();
                if unpaid > 0 {
                    page.attention.push(Attention {
                        class: "warn",
                        text: format!("本月{unpaid}名党员尚未缴纳党费"),
                        href: "/dues/cycles".into(),
                        also: None,
                    });
                }
                let flagged = xianfeng_store::dues::arrears(&state.store, &mscope, None, true, 1, 1).await?.flagged;
                if flagged > 0 {
                    page.attention.push(Attention {
                        class: "alert",
                        text: format!("{flagged}名党员连续未缴党费，需提醒或研究处理"),
                        href: "/dues/arrears".into(),
                        also: None,
                    });
                }
            }
            rectification_attention(&state, &scope, actor.role, today, &mut page.attention).await?;
            let (n, _) = store_org::branch_alerts(&state.store, &scope, 0).await?;
            if n > 0 {
                page.attention.push(Attention {
                    class: "warn",
                    text: format!("{n}个党支部设置不符合规定（正式党员不足、应设支委未设或人数过多）"),
                    href: "/orgs/alerts".into(),
                    also: None,
                });
            }
        }
        Role::Member => return Ok(Redirect::to("/me").into_response()),
        Role::SystemAdmin => page.panels.push(Panel {
            title: "用户管理".into(),
            text: "创建账号、停用账号、重置密码。角色由安全管理员授权，系统管理员不接触党员数据。".into(),
            href: "/admin/users".into(),
            link: "进入用户管理".into(),
        }),
        Role::SecurityAdmin => page.panels.push(Panel {
            title: "角色与安全策略".into(),
            text: "为账号授予或撤销角色及其管理范围；调整密码、锁定、会话超时和敏感字段查看策略。".into(),
            href: "/admin/roles".into(),
            link: "进入角色授权".into(),
        }),
        Role::AuditAdmin => {
            page.panels.push(Panel {
                title: "审计日志".into(),
                text: "查看登录、修改、导入导出、敏感字段查看、授权与配置变更记录；校验日志链完整性。".into(),
                href: "/audit".into(),
                link: "查看审计日志".into(),
            });
        }
        Role::DisciplineStaff => page.panels.push(Panel {
            title: "纪检监察".into(),
            text: "登记本范围内的党纪处分、政务处分和组织处理，按年度、类别和职级统计。纪检记录仅纪检专员可见。".into(),
            href: "/discipline".into(),
            link: "进入案件登记".into(),
        }),
    }
    render(&page)
}

/// 排队抓尾 rectifications still open in scope: the branch's own plan and its
/// deadline for a secretary; for the units and the committee, plans waiting
/// for verification (销号 is the unit's to give) and plans past their deadline.
async fn rectification_attention(
    state: &AppState,
    scope: &xianfeng_core::auth::OrgScope,
    role: Role,
    today: chrono::NaiveDate,
    out: &mut Vec<Attention>,
) -> Result<()> {
    let every = xianfeng_store::rectification::Filter::default();
    let plans =
        xianfeng_store::rectification::list(&state.store, scope, &every, 1, xianfeng_store::EVERY_ROW).await?.items;
    let pending: Vec<_> = plans.iter().filter(|r| r.state != RectificationState::Lifted).collect();
    if role == Role::BranchSecretary {
        for r in pending.iter().take(3) {
            let (class, text) = match r.state {
                RectificationState::Submitted => {
                    ("warn", format!("{}{}年排队抓尾整改已申请验收，等待单位销号", r.org_name, r.year))
                }
                _ if r.overdue_on(today) => {
                    ("alert", format!("{}{}年排队抓尾整改已超过时限（{}）", r.org_name, r.year, r.deadline))
                }
                _ => ("warn", format!("{}{}年排队抓尾整改进行中，时限{}", r.org_name, r.year, r.deadline)),
            };
            out.push(Attention { class, text, href: format!("/rectifications/{}", r.id), also: None });
        }
        return Ok(());
    }
    let submitted: Vec<_> = pending.iter().filter(|r| r.state == RectificationState::Submitted).collect();
    if let Some(first) = submitted.first() {
        out.push(Attention {
            class: "warn",
            text: format!("{}项排队抓尾整改已申请验收，待销号", submitted.len()),
            href: format!("/rectifications?year={}&state={}", first.year, RectificationState::Submitted.as_str()),
            also: None,
        });
    }
    let overdue: Vec<_> = pending.iter().filter(|r| r.overdue_on(today)).collect();
    if let Some(first) = overdue.first() {
        out.push(Attention {
            class: "alert",
            text: format!("{}项排队抓尾整改已超过时限未销号", overdue.len()),
            href: format!("/rectifications?year={}&state=open", first.year),
            also: None,
        });
    }
    Ok(())
}

/// The area's one registration: routes, menu entries, API documentation
/// (listed in `crate::AREAS`; docs/adding-an-area.md).
pub const AREA: crate::area::Area = {
    use crate::area::*;
    Area {
        name: "home",
        pages,
        api: axum::Router::new,
        menu: &[MenuEntry::new(Section::Desk, 10, "首页", "/", Audience::Everyone)],
        operations: &[],
    }
};

/// The year's meeting compliance of a unit or the committee in words, when
/// some org lags: "2026年会议按期召开率92.5%，6个组织有未按期召开的会议",
/// with where it is shown. The home page and the month's page say the same.
pub(crate) async fn compliance_line(
    state: &AppState,
    scope: &xianfeng_core::auth::OrgScope,
    org_id: i64,
) -> Result<Option<(String, String)>> {
    let year = xianfeng_core::text::today_cn().year();
    let v = xianfeng_store::compliance::view(&state.store, scope, org_id, year, false).await?;
    let lagging = v.total.orgs_expected - v.total.orgs_complete;
    Ok((lagging > 0).then(|| {
        (
            format!("{year}年会议按期召开率{:.1}%，{lagging}个组织有未按期召开的会议", v.total.rate()),
            format!("/compliance?org_id={org_id}&year={year}"),
        )
    }))
}
