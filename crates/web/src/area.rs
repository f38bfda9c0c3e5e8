//! How an area registers itself with the web application, once: its page
//! routes, its API routes, its menu entries and the documentation of its API
//! operations. `crate::AREAS` lists the areas; the router, the left menu and
//! the OpenAPI document are built from that list (docs/adding-an-area.md).

use axum::Router;
pub use xianfeng_core::auth::Role;

use crate::AppState;

/// One area of the application.
pub struct Area {
    /// The area's name, the same in every crate (shared/DOMAIN.md).
    pub name: &'static str,
    /// Its pages (server-rendered HTML).
    pub pages: fn() -> Router<AppState>,
    /// Its JSON API, nested under `/api/v1`.
    pub api: fn() -> Router<AppState>,
    /// Its entries in the left menu.
    pub menu: &'static [MenuEntry],
    /// The documentation of every route `api` serves.
    pub operations: &'static [Operation],
}

/// A documented API operation: method, path (under /api/v1), tag, summary,
/// request body schema name ("" for none), success status and the schema of
/// the success response (`Page<X>` for a paged list of X, `X[]` for an array,
/// `Xlsx`/`Docx`/`File` for a download). `openapi::conformance` checks every
/// exchange of the HTTP test suites against them.
pub type Operation = (&'static str, &'static str, &'static str, &'static str, &'static str, u16, &'static str);

/// The sections of the left menu, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Desk,
    Orgs,
    Members,
    OrgLife,
    Recruitment,
    Evaluation,
    Transfers,
    Dues,
    Reports,
    System,
    Mine,
    Security,
    Audit,
    Discipline,
    Account,
}

impl Section {
    pub fn label(self) -> &'static str {
        match self {
            Section::Desk => "工作台",
            Section::Orgs => "组织管理",
            Section::Members => "党员管理",
            Section::OrgLife => "组织生活",
            Section::Recruitment => "发展党员",
            Section::Evaluation => "考核评价",
            Section::Transfers => "组织关系转接",
            Section::Dues => "党费管理",
            Section::Reports => "统计报表",
            Section::System => "系统管理",
            Section::Mine => "我的",
            Section::Security => "安全管理",
            Section::Audit => "安全审计",
            Section::Discipline => "纪检监察",
            Section::Account => "账号",
        }
    }
}

/// Who sees a menu entry.
#[derive(Debug, Clone, Copy)]
pub enum Audience {
    /// Everyone with a session (and the signed-out frame).
    Everyone,
    /// Those whose current role is one of these.
    Roles(&'static [Role]),
}

/// Committee, unit and branch staff: the roles that run the business areas.
pub const STAFF: Audience = Audience::Roles(&[Role::CommitteeAdmin, Role::UnitAdmin, Role::BranchSecretary]);
/// The committee and unit staff (not branch secretaries).
pub const COMMITTEE_AND_UNITS: Audience = Audience::Roles(&[Role::CommitteeAdmin, Role::UnitAdmin]);
/// A member acting for themselves.
pub const MEMBER: Audience = Audience::Roles(&[Role::Member]);

/// One entry of the left menu.
#[derive(Debug, Clone, Copy)]
pub struct MenuEntry {
    pub section: Section,
    /// Position within the section (entries of several areas interleave by rank).
    pub rank: u16,
    pub label: &'static str,
    pub href: &'static str,
    pub audience: Audience,
}

impl MenuEntry {
    pub const fn new(
        section: Section,
        rank: u16,
        label: &'static str,
        href: &'static str,
        audience: Audience,
    ) -> MenuEntry {
        MenuEntry { section, rank, label, href, audience }
    }

    /// Whether a session in this role sees the entry.
    pub fn shown_to(&self, role: Option<Role>) -> bool {
        match self.audience {
            Audience::Everyone => true,
            Audience::Roles(roles) => role.is_some_and(|r| roles.contains(&r)),
        }
    }
}

/// The menu of a role: every area's entries it may see, by section then rank.
pub fn menu_entries(areas: &[Area], role: Option<Role>) -> Vec<&'static MenuEntry> {
    let mut out: Vec<&'static MenuEntry> =
        areas.iter().flat_map(|a| a.menu.iter()).filter(|e| e.shown_to(role)).collect();
    out.sort_by_key(|e| (e.section, e.rank));
    out
}
