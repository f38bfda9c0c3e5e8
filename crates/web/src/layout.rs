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

fn menu_for(role: Option<Role>, path: &str) -> Vec<MenuGroup> {
    let item = |label, href: &'static str| MenuItem { label, href, active: false };
    let mut groups = vec![MenuGroup { label: "工作台", items: vec![item("首页", "/")] }];
    if matches!(role, Some(Role::UnitAdmin) | Some(Role::BranchSecretary)) {
        groups[0].items.push(item("本月工作", "/month"));
    }
    match role {
        Some(Role::CommitteeAdmin) | Some(Role::UnitAdmin) | Some(Role::BranchSecretary) => {
            groups.push(MenuGroup { label: "组织管理", items: vec![item("组织架构", "/orgs")] });
            groups.push(MenuGroup {
                label: "党员管理",
                items: vec![
                    item("党员名册", "/members"),
                    item("新增党员", "/members/new"),
                    item("批量导入", "/members/import"),
                ],
            });
            groups.push(MenuGroup {
                label: "组织生活",
                items: vec![
                    item("会议活动", "/meetings"),
                    item("安排会议", "/meetings/new"),
                    item("落实情况", "/compliance"),
                    item("第一议题落实", "/first-agenda"),
                ],
            });
            let mut rec = vec![item("发展党员总览", "/recruitment"), item("发展党员名册", "/recruitment/cases")];
            rec.push(item("建立发展档案", "/recruitment/new"));
            if role != Some(Role::BranchSecretary) {
                rec.push(item("年度发展计划", "/recruitment/plans"));
            }
            groups.push(MenuGroup { label: "发展党员", items: rec });
            groups.push(MenuGroup {
                label: "考核评价",
                items: vec![
                    item("排队抓尾", "/ranking"),
                    item("整改台账", "/rectifications"),
                    item("评选表彰", "/campaigns"),
                    item("荣誉名录", "/honors"),
                    item("书记述职评议", "/secretary-reviews"),
                ],
            });
            groups.push(MenuGroup {
                label: "组织关系转接",
                items: vec![
                    item("转接办理", "/transfers"),
                    item("申请转出", "/transfers/new"),
                    item("省外转入登记", "/transfers/incoming"),
                ],
            });
            groups.push(MenuGroup {
                label: "党费管理",
                items: vec![
                    item("党费基数与应缴", "/dues"),
                    item("党费收缴", "/dues/cycles"),
                    item("欠缴党费", "/dues/arrears"),
                    item("收缴汇总", "/dues/summary"),
                    item("扣除项目", "/dues/deductions"),
                ],
            });
            if role != Some(Role::BranchSecretary) {
                groups.push(MenuGroup {
                    label: "统计报表",
                    items: vec![item("中心组学习通报", "/reports/central-group")],
                });
            }
            if role == Some(Role::CommitteeAdmin) {
                groups.push(MenuGroup { label: "系统管理", items: vec![item("业务规则", "/rules")] });
            }
        }
        Some(Role::Member) => {
            groups.push(MenuGroup {
                label: "我的",
                items: vec![
                    item("我的档案", "/me"),
                    item("我的组织生活", "/me/meetings"),
                    item("我的党费", "/me/dues"),
                ],
            });
        }
        Some(Role::SystemAdmin) => {
            groups.push(MenuGroup { label: "系统管理", items: vec![item("用户管理", "/admin/users")] });
        }
        Some(Role::SecurityAdmin) => {
            groups.push(MenuGroup {
                label: "安全管理",
                items: vec![
                    item("角色授权", "/admin/roles"),
                    item("启用与重置审批", "/admin/credentials"),
                    item("安全策略", "/rules"),
                ],
            });
        }
        Some(Role::AuditAdmin) => {
            groups.push(MenuGroup {
                label: "安全审计",
                items: vec![
                    item("审计日志", "/audit"),
                    item("完整性校验", "/audit/verify"),
                    item("启用与重置审批", "/admin/credentials"),
                ],
            });
        }
        Some(Role::DisciplineStaff) => {
            groups.push(MenuGroup {
                label: "纪检监察",
                items: vec![item("案件登记", "/discipline"), item("纪检统计", "/discipline/stats")],
            });
        }
        None => {}
    }
    groups.push(MenuGroup { label: "账号", items: vec![item("修改密码", "/password")] });
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
}

impl Pager {
    pub fn new(page: i64, per_page: i64, total: i64, base: String) -> Pager {
        let pages = if per_page <= 0 { 1 } else { ((total + per_page - 1) / per_page).max(1) };
        Pager { page, pages, total, per_page, base }
    }
    pub fn window(&self) -> Vec<i64> {
        let from = (self.page - 3).max(1);
        let to = (self.page + 3).min(self.pages);
        (from..=to).collect()
    }
    pub fn href(&self, p: impl std::borrow::Borrow<i64>) -> String {
        let p = *p.borrow();
        if self.base.is_empty() { format!("?page={p}") } else { format!("?{}&page={p}", self.base) }
    }
}
