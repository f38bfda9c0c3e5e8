//! The page frame every screen shares: top bar, role switcher, left menu by
//! area (only what the role may use), breadcrumbs, flash message.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use xianfeng_core::auth::Role;

use crate::error::Result;
use crate::session::Ctx;

pub struct MenuItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

pub struct MenuGroup {
    pub label: &'static str,
    pub items: Vec<MenuItem>,
}

pub struct RoleChoice {
    pub id: i64,
    pub label: String,
    pub current: bool,
}

pub struct Crumb {
    pub label: String,
    pub href: String,
}

/// Everything the frame needs.
pub struct Layout {
    pub title: String,
    pub user_name: String,
    pub role_label: String,
    pub org_name: String,
    pub csrf: String,
    pub menu: Vec<MenuGroup>,
    pub crumbs: Vec<Crumb>,
    pub roles: Vec<RoleChoice>,
    pub flash: String,
    /// Shown until the owner acknowledges it: the account was (re)activated.
    pub account_notice: String,
}

/// The left menu of a role: every area's entries it may see (`crate::AREAS`),
/// grouped by section.
fn menu_for(role: Option<Role>, path: &str) -> Vec<MenuGroup> {
    let mut groups: Vec<MenuGroup> = Vec::new();
    let mut last = None;
    for e in crate::area::menu_entries(crate::AREAS, role) {
        let item = MenuItem { label: e.label, href: e.href, active: false };
        match groups.last_mut() {
            Some(g) if last == Some(e.section) => g.items.push(item),
            _ => groups.push(MenuGroup { label: e.section.label(), items: vec![item] }),
        }
        last = Some(e.section);
    }
    // The most specific item whose link the path starts with is the current one.
    let matches = |href: &str| path == href || (href != "/" && path.starts_with(&format!("{href}/")));
    let best = groups.iter().flat_map(|g| g.items.iter()).filter(|i| matches(i.href)).map(|i| i.href.len()).max();
    for g in &mut groups {
        for i in &mut g.items {
            i.active = Some(i.href.len()) == best && matches(i.href);
        }
    }
    groups
}

impl Layout {
    pub fn new(ctx: &Ctx, title: impl Into<String>, path: &str) -> Layout {
        let s = &ctx.session;
        let actor = s.actor.as_ref();
        let current_role = actor.map(|a| a.role);
        let roles = s
            .roles
            .iter()
            .map(|r| RoleChoice {
                id: r.id,
                label: r.label().to_string(),
                current: Some(r.id) == s.row.role_id
                    || (s.row.role_id.is_none() && Some(r.id) == s.roles.first().map(|x| x.id)),
            })
            .collect();
        Layout {
            title: title.into(),
            user_name: s.user.display_name.clone(),
            role_label: current_role.map(|r| r.label()).unwrap_or("未授权").to_string(),
            org_name: actor.and_then(|a| a.org.as_ref()).map(|o| o.name.clone()).unwrap_or_default(),
            csrf: s.row.csrf_token.clone(),
            menu: menu_for(current_role, path),
            crumbs: Vec::new(),
            roles,
            flash: String::new(),
            account_notice: match s.user.reset_notice_at {
                0 => String::new(),
                at => format!(
                    "您的账号于 {} 通过启用码设置了新密码。如非本人操作，请立即联系安全管理员。",
                    crate::layout::fmt_ms(&at.abs())
                ),
            },
        }
    }

    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push(Crumb { label: label.into(), href: href.into() });
        self
    }

    pub fn flash(mut self, msg: impl Into<String>) -> Self {
        self.flash = msg.into();
        self
    }
}

/// The .xlsx content type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file sent as a download, audited first: every export and every stored
/// file that leaves the server is one audit row (who, which kind, which
/// object, how large; never the file's name or content).
#[allow(clippy::too_many_arguments)]
pub async fn download(
    state: &crate::AppState,
    ctx: &crate::session::Ctx,
    what: &str,
    object_id: impl ToString,
    file_name: &str,
    content_type: &str,
    data: Vec<u8>,
) -> Result<Response> {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e).filter(|e| e.is_ascii()).unwrap_or("bin");
    state
        .store
        .audit(
            &ctx.who(),
            xianfeng_store::audit::Event::ok("download", what, object_id).detail(format!("{ext}，{}字节", data.len())),
        )
        .await?;
    Ok(download_response(file_name, content_type, data))
}

/// A file sent as a download under its (Chinese) name, with an ASCII name
/// for old clients, under a sandbox CSP: never rendered inline, never run as
/// HTML (stored uploads and generated exports alike).
fn download_response(file_name: &str, content_type: &str, data: Vec<u8>) -> Response {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e).filter(|e| e.is_ascii()).unwrap_or("bin");
    let disposition =
        format!("attachment; filename=\"download.{ext}\"; filename*=UTF-8''{}", urlencoding::encode(file_name));
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::HeaderName::from_static("content-security-policy"), "sandbox; default-src 'none'".to_string()),
        ],
        data,
    )
        .into_response()
}

/// Renders a template into an HTML response.
pub fn render<T: Template>(t: &T) -> Result<Response> {
    Ok(Html(t.render()?).into_response())
}

/// Flash messages passed as ?ok=… after a redirect.
pub fn flash_text(code: &str) -> &'static str {
    match code {
        "saved" => "已保存",
        "created" => "已新增",
        "moved" => "已迁移",
        "dissolved" => "已撤销",
        "status" => "党籍状态已变更",
        "imported" => "导入完成",
        "password" => "密码已修改",
        "granted" => "已授权",
        "revoked" => "已撤销授权",
        "user" => "账号已创建",
        "rule" => "规则已保存",
        _ => "",
    }
}

/// Formats dates for tables and forms.
pub fn fmt_date(d: &Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

pub fn fmt_ms(ms: &i64) -> String {
    xianfeng_core::text::datetime_ms(*ms)
}

/// Page numbers to show around the current page.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub per_page: i64,
    /// The query string without page, to which &page=N is appended.
    pub base: String,
    /// The name of the page parameter: `page` unless a page holds two lists.
    pub param: &'static str,
}

impl Pager {
    pub fn new(page: i64, per_page: i64, total: i64, base: String) -> Pager {
        let pages = if per_page <= 0 { 1 } else { ((total + per_page - 1) / per_page).max(1) };
        Pager { page, pages, total, per_page, base, param: "page" }
    }
    /// The same pager, its page number sent as `param` (a second list on a page).
    pub fn param(mut self, param: &'static str) -> Pager {
        self.param = param;
        self
    }
    pub fn window(&self) -> Vec<i64> {
        let from = (self.page - 3).max(1);
        let to = (self.page + 3).min(self.pages);
        (from..=to).collect()
    }
    pub fn href(&self, p: impl std::borrow::Borrow<i64>) -> String {
        let p = *p.borrow();
        let name = self.param;
        if self.base.is_empty() { format!("?{name}={p}") } else { format!("?{}&{name}={p}", self.base) }
    }

    /// One page of a list the store answers whole because it is small by
    /// nature (the campaigns, the open activation tickets, a unit's plans),
    /// with its pager: `page` as typed (checked like every list's page).
    pub fn slice<T>(items: Vec<T>, page: &str, per_page: i64, base: String) -> Result<(Vec<T>, Pager)> {
        let (page, per_page) = crate::form::paging(page, "", per_page, per_page)?;
        let total = items.len() as i64;
        let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let items = items.into_iter().skip(skip).take(per_page as usize).collect();
        Ok((items, Pager::new(page, per_page, total, base)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(role: Option<Role>) -> String {
        menu_for(role, "/")
            .iter()
            .map(|g| {
                let items: Vec<String> = g.items.iter().map(|i| format!("{} {}", i.label, i.href)).collect();
                format!("{}: {}", g.label, items.join(", "))
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Each role's left menu, entry by entry, in order: built from the areas'
    /// registrations, it must stay exactly what each role uses.
    #[test]
    fn each_role_sees_its_menu() {
        const DESK: &str = "工作台: 首页 /";
        const DESK_MONTH: &str = "工作台: 首页 /, 本月工作 /month";
        const ACCOUNT: &str = "账号: 修改密码 /password";
        const BUSINESS: &str = "组织管理: 组织架构 /orgs | 党员管理: 党员名册 /members, 新增党员 /members/new, 批量导入 /members/import \
            | 组织生活: 会议活动 /meetings, 安排会议 /meetings/new, 补录会议 /meetings/held, 落实情况 /compliance, 第一议题落实 /first-agenda";
        const EVALUATION: &str = "考核评价: 排队抓尾 /ranking, 整改台账 /rectifications, 评选表彰 /campaigns, 荣誉名录 /honors, 书记述职评议 /secretary-reviews \
            | 组织关系转接: 转接办理 /transfers, 申请转出 /transfers/new, 省外转入登记 /transfers/incoming \
            | 党费管理: 党费基数与应缴 /dues, 党费收缴 /dues/cycles, 欠缴党费 /dues/arrears, 收缴汇总 /dues/summary";
        // A unit keeps its own list of wage deductions; a branch uses it.
        const DEDUCTIONS: &str = ", 扣除项目 /dues/deductions";
        const RECRUITMENT: &str =
            "发展党员: 发展党员总览 /recruitment, 发展党员名册 /recruitment/cases, 建立发展档案 /recruitment/new";
        let expected = [
            (
                Some(Role::CommitteeAdmin),
                format!(
                    "{DESK} | {BUSINESS} | {RECRUITMENT}, 年度发展计划 /recruitment/plans | {EVALUATION}{DEDUCTIONS} \
                     | 统计报表: 中心组学习通报 /reports/central-group | 系统管理: 业务规则 /rules | {ACCOUNT}"
                ),
            ),
            (
                Some(Role::UnitAdmin),
                format!(
                    "{DESK_MONTH} | {BUSINESS} | {RECRUITMENT}, 年度发展计划 /recruitment/plans | {EVALUATION}{DEDUCTIONS} \
                     | 统计报表: 中心组学习通报 /reports/central-group | {ACCOUNT}"
                ),
            ),
            (
                Some(Role::BranchSecretary),
                format!("{DESK_MONTH} | {BUSINESS} | {RECRUITMENT} | {EVALUATION} | {ACCOUNT}"),
            ),
            (
                Some(Role::Member),
                format!("{DESK} | 我的: 我的档案 /me, 我的组织生活 /me/meetings, 我的党费 /me/dues | {ACCOUNT}"),
            ),
            (Some(Role::SystemAdmin), format!("{DESK} | 系统管理: 用户管理 /admin/users | {ACCOUNT}")),
            (
                Some(Role::SecurityAdmin),
                format!(
                    "{DESK} | 安全管理: 角色授权 /admin/roles, 启用与重置审批 /admin/credentials, 安全策略 /rules | {ACCOUNT}"
                ),
            ),
            (
                Some(Role::AuditAdmin),
                format!(
                    "{DESK} | 安全审计: 审计日志 /audit, 完整性校验 /audit/verify, 启用与重置审批 /admin/credentials | {ACCOUNT}"
                ),
            ),
            (
                Some(Role::DisciplineStaff),
                format!("{DESK} | 纪检监察: 案件登记 /discipline, 纪检统计 /discipline/stats | {ACCOUNT}"),
            ),
            (None, format!("{DESK} | {ACCOUNT}")),
        ];
        for (role, want) in expected {
            let want = want.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(shown(role), want, "{role:?}");
        }
    }

    #[test]
    fn the_current_page_marks_the_most_specific_entry() {
        let menu = menu_for(Some(Role::CommitteeAdmin), "/meetings/new");
        let active: Vec<&str> = menu.iter().flat_map(|g| g.items.iter()).filter(|i| i.active).map(|i| i.href).collect();
        assert_eq!(active, ["/meetings/new"]);
        let menu = menu_for(Some(Role::CommitteeAdmin), "/meetings/42/record");
        let active: Vec<&str> = menu.iter().flat_map(|g| g.items.iter()).filter(|i| i.active).map(|i| i.href).collect();
        assert_eq!(active, ["/meetings"]);
    }
}
