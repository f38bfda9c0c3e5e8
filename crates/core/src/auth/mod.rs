//! Roles, actors and the capabilities they grant.
//!
//! Every store query that touches business data takes a scope value from this
//! module. The scope types have private fields and can only be obtained from an
//! [`Actor`] whose role allows it, so an unscoped query cannot be written by
//! accident: there is no constructor for "everything" other than a committee
//! administrator's actor.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::rules::SecurityPolicy;

crate::state_enum! {
    pub enum Role ("角色") {
        CommitteeAdmin = ("committee_admin", "工委管理员"),
        UnitAdmin = ("unit_admin", "单位党务管理员"),
        BranchSecretary = ("branch_secretary", "支部书记"),
        Member = ("member", "党员"),
        DisciplineStaff = ("discipline_staff", "纪检专员"),
        SystemAdmin = ("system_admin", "系统管理员"),
        SecurityAdmin = ("security_admin", "安全管理员"),
        AuditAdmin = ("audit_admin", "审计管理员"),
    }
}

impl Role {
    /// One of the three separated administrators (三员).
    pub fn is_admin_triad(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }

    /// Whether a binding of this role names an org (its scope root).
    pub fn needs_org(self) -> bool {
        matches!(self, Role::CommitteeAdmin | Role::UnitAdmin | Role::BranchSecretary | Role::DisciplineStaff)
    }

    /// Whether a binding of this role names a member record (the person themself).
    pub fn needs_member(self) -> bool {
        matches!(self, Role::Member)
    }
}

/// Checks that a set of role bindings may be held by one account: an
/// administrator of the triad holds that one role and nothing else.
pub fn check_role_combination(roles: &[Role]) -> Result<(), Error> {
    let triad = roles.iter().filter(|r| r.is_admin_triad()).count();
    if triad > 0 && roles.len() > 1 {
        return Err(Error::Rule(
            "系统管理员、安全管理员、审计管理员三员分立：管理员账号只能持有其中一个角色，且不能兼任业务角色".into(),
        ));
    }
    Ok(())
}

crate::state_enum! {
    /// What a credential ticket (启用单) is for.
    pub enum Purpose ("启用单类型") {
        Create = ("create", "新账号启用"),
        Reset = ("reset", "密码重置"),
    }
}

crate::state_enum! {
    /// A credential ticket's life: requested, approved by a second
    /// administrator, used by its owner, or void.
    pub enum TicketState ("启用单状态") {
        Pending = ("pending", "待批准"),
        Approved = ("approved", "已批准，待本人启用"),
        Used = ("used", "已启用"),
        Void = ("void", "已作废"),
    }
}

/// Where an org sits: enough to scope a query without touching the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAnchor {
    pub id: i64,
    /// The shard key: the unit-level org this org belongs to.
    pub committee_id: i64,
    /// Materialized path, e.g. "/1/5/23/".
    pub path: String,
    /// The org's kind.
    pub kind: crate::org::OrgKind,
    pub name: String,
}

/// The signed-in person acting under one role binding.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The scope root for org-bound roles; for members, their branch.
    pub org: Option<OrgAnchor>,
    /// For the member role: the member record that is the user.
    pub member_id: Option<i64>,
}

/// Write access to a subtree of the org tree: made only from a writable
/// [`OrgScope`] ([`OrgScope::writer`]), so a store operation that changes
/// data takes this type and a read-only scope cannot reach it. It reads as
/// the scope it came from.
#[derive(Debug, Clone)]
pub struct OrgWrite(OrgScope);

impl std::ops::Deref for OrgWrite {
    type Target = OrgScope;
    fn deref(&self) -> &OrgScope {
        &self.0
    }
}

/// Write access to the members of a subtree: made only from a writable
/// [`MemberScope`] ([`MemberScope::writer`]); a member's own scope never is.
#[derive(Debug, Clone)]
pub struct MemberWrite(MemberScope);

impl std::ops::Deref for MemberWrite {
    type Target = MemberScope;
    fn deref(&self) -> &MemberScope {
        &self.0
    }
}

impl MemberWrite {
    /// The org subtree the members live in.
    pub fn orgs(&self) -> &OrgScope {
        match &self.0 {
            MemberScope::Subtree { org, .. } => org,
            MemberScope::SelfOnly { .. } => unreachable!("a member's own scope is never writable"),
        }
    }
    /// Write access to that subtree's orgs.
    pub fn org_writer(&self) -> OrgWrite {
        OrgWrite(self.orgs().clone())
    }
}

/// The signed-in person acting for themself: their own first-agenda tasks,
/// their own scores as a campaign reviewer, their own ratings in a
/// secretaries' review. Made only from an [`Actor`] (or by the CLI's operator
/// for demo data), so no handler can act for another user by passing an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Myself {
    user_id: i64,
}

impl Myself {
    pub fn user_id(&self) -> i64 {
        self.user_id
    }
}

/// Read access to a subtree of the org tree.
#[derive(Debug, Clone)]
pub struct OrgScope {
    committee_id: Option<i64>,
    path: String,
    writable: bool,
}

impl OrgScope {
    /// The shard key every row in scope shares, or None for province-wide scope.
    pub fn committee_id(&self) -> Option<i64> {
        self.committee_id
    }
    /// Materialized-path prefix of the subtree.
    pub fn path_prefix(&self) -> &str {
        &self.path
    }
    /// Whether the scope is the whole tree (bound to the root): queries then
    /// need no scope condition at all.
    pub fn is_whole_tree(&self) -> bool {
        self.committee_id.is_none() && self.path.matches('/').count() == 2
    }
    /// Whether an org with this path lies inside the scope.
    pub fn contains(&self, path: &str) -> bool {
        path.starts_with(&self.path)
    }
    pub fn can_write(&self) -> bool {
        self.writable
    }
    /// The write capability, when this scope may write.
    pub fn writer(&self) -> Result<OrgWrite, Error> {
        if self.writable { Ok(OrgWrite(self.clone())) } else { Err(Error::Forbidden) }
    }
}

/// Access to member records: a subtree, or one's own record only.
#[derive(Debug, Clone)]
pub enum MemberScope {
    Subtree { org: OrgScope, reveal_id_card: bool, reveal_phone: bool },
    SelfOnly { member_id: i64, committee_id: i64 },
}

impl MemberScope {
    pub fn can_write(&self) -> bool {
        match self {
            MemberScope::Subtree { org, .. } => org.writable,
            MemberScope::SelfOnly { .. } => false,
        }
    }
    pub fn can_reveal_id_card(&self) -> bool {
        matches!(self, MemberScope::Subtree { reveal_id_card: true, .. })
    }
    pub fn can_reveal_phone(&self) -> bool {
        matches!(self, MemberScope::Subtree { reveal_phone: true, .. })
    }
    /// Whether the caller may export lists (a member exports nothing).
    pub fn can_export(&self) -> bool {
        matches!(self, MemberScope::Subtree { .. })
    }
    /// The write capability, when this scope may write (a subtree scope that
    /// is writable; never a member's own).
    pub fn writer(&self) -> Result<MemberWrite, Error> {
        if self.can_write() { Ok(MemberWrite(self.clone())) } else { Err(Error::Forbidden) }
    }
}

/// What every scope that lets its holder read a shard's rows has in common:
/// the shard (committee) it is confined to, or None for the whole province.
/// A function that only reads rows of an object the caller already loaded
/// takes `&impl ReadScope`, so an org page and a member's own page can both
/// call it and neither can reach another unit's rows.
pub trait ReadScope {
    fn shard(&self) -> Option<i64>;
    /// Whether rows of this committee (shard) may be read.
    fn reads_shard(&self, committee_id: i64) -> bool {
        self.shard().is_none_or(|c| c == committee_id)
    }
}

impl ReadScope for OrgScope {
    fn shard(&self) -> Option<i64> {
        self.committee_id
    }
}

impl ReadScope for MemberScope {
    fn shard(&self) -> Option<i64> {
        match self {
            MemberScope::Subtree { org, .. } => org.committee_id,
            MemberScope::SelfOnly { committee_id, .. } => Some(*committee_id),
        }
    }
}

/// Capability to read and record discipline cases in a subtree. Only
/// discipline staff hold it, and it is not an `OrgScope`, so it cannot be
/// passed to the business areas, nor theirs to the discipline area.
#[derive(Debug, Clone)]
pub struct DisciplineScope(OrgScope);

impl DisciplineScope {
    /// The subtree the discipline staff oversee (for org lookups and filters).
    pub fn orgs(&self) -> &OrgScope {
        &self.0
    }
}

/// Capability to check oneself in to a meeting: a member acting as themselves.
#[derive(Debug, Clone)]
pub struct Attendee {
    member_id: i64,
    committee_id: i64,
}

impl Attendee {
    pub fn member_id(&self) -> i64 {
        self.member_id
    }
    pub fn committee_id(&self) -> i64 {
        self.committee_id
    }
}

/// Capability to act as the higher party committee (上级党委) in recruitment:
/// file, talk, approve and send back, for orgs strictly below its root. Held
/// by unit and working-committee staff, never by a branch.
#[derive(Debug, Clone)]
pub struct HigherCommittee {
    path: String,
}

impl HigherCommittee {
    /// Whether an org with this path lies strictly below this committee.
    pub fn covers(&self, org_path: &str) -> bool {
        org_path.starts_with(&self.path) && org_path != self.path
    }
}

/// Capability to administer user accounts (system administrator).
#[derive(Debug, Clone, Copy)]
pub struct UserAdmin(());
/// Capability to grant roles and change security policy (security administrator).
#[derive(Debug, Clone, Copy)]
pub struct SecurityAdmin(());

/// The capabilities that may read the account list: the system administrator
/// (who opens accounts) and the security administrator (who grants roles).
pub trait ReadsAccounts {}
impl ReadsAccounts for UserAdmin {}
impl ReadsAccounts for SecurityAdmin {}
/// Capability to read the audit log (audit administrator).
#[derive(Debug, Clone, Copy)]
pub struct AuditReader(());

/// Capability to approve an account activation or a password reset opened by
/// the system administrator: a security administrator, or an audit
/// administrator (only for a security administrator's own account). The
/// approver is shown the second half of the activation code, so no single
/// administrator can sign in as the account.
#[derive(Debug, Clone, Copy)]
pub struct CredentialApprover {
    pub user_id: i64,
    pub role: Role,
}

impl CredentialApprover {
    /// Whether this approver may approve a ticket for `target` (with its
    /// roles) opened by `requester`. The refusal is a Chinese sentence.
    pub fn may_approve(&self, target: i64, target_roles: &[Role], requester: Option<i64>) -> Result<(), Error> {
        if target == self.user_id {
            return Err(Error::Rule("不能批准本人账号的启用或重置，须由另一位管理员批准".into()));
        }
        if requester == Some(self.user_id) {
            return Err(Error::Rule("发起人不能批准自己发起的重置".into()));
        }
        if self.role == Role::AuditAdmin && !target_roles.contains(&Role::SecurityAdmin) {
            return Err(Error::Rule("审计管理员只批准安全管理员账号的重置；其他账号由安全管理员批准".into()));
        }
        Ok(())
    }
}

/// Which roles may see protected fields in full; security policy data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RevealPolicy {
    pub id_card: Vec<Role>,
    pub phone: Vec<Role>,
}

impl Default for RevealPolicy {
    fn default() -> Self {
        Self {
            id_card: vec![Role::CommitteeAdmin, Role::UnitAdmin],
            phone: vec![Role::CommitteeAdmin, Role::UnitAdmin, Role::BranchSecretary],
        }
    }
}

impl Actor {
    fn anchor(&self) -> Result<&OrgAnchor, Error> {
        self.org.as_ref().ok_or(Error::Forbidden)
    }

    /// The org subtree this actor may see, if any.
    pub fn org_scope(&self) -> Result<OrgScope, Error> {
        match self.role {
            Role::CommitteeAdmin => {
                let a = self.anchor()?;
                Ok(OrgScope { committee_id: None, path: a.path.clone(), writable: true })
            }
            Role::UnitAdmin | Role::BranchSecretary => {
                let a = self.anchor()?;
                Ok(OrgScope { committee_id: Some(a.committee_id), path: a.path.clone(), writable: true })
            }
            // A member reads only their own records, through their own
            // capabilities (MemberScope::SelfOnly, Attendee, own_branch):
            // never the branch's meetings, transfers, plans or rankings.
            _ => Err(Error::Forbidden),
        }
    }

    /// A member's own branch, read-only: its card (name, secretary, contact)
    /// and nothing below it.
    pub fn own_branch(&self) -> Result<OrgScope, Error> {
        match self.role {
            Role::Member => {
                let a = self.anchor()?;
                Ok(OrgScope { committee_id: Some(a.committee_id), path: a.path.clone(), writable: false })
            }
            _ => Err(Error::Forbidden),
        }
    }

    /// Whether this actor may create, move and dissolve orgs in its scope.
    /// A branch secretary manages only the groups inside the branch.
    pub fn can_manage_orgs(&self) -> bool {
        matches!(self.role, Role::CommitteeAdmin | Role::UnitAdmin | Role::BranchSecretary)
    }

    pub fn member_scope(&self, policy: &RevealPolicy) -> Result<MemberScope, Error> {
        match self.role {
            Role::CommitteeAdmin | Role::UnitAdmin | Role::BranchSecretary => {
                let org = self.org_scope()?;
                Ok(MemberScope::Subtree {
                    org,
                    reveal_id_card: policy.id_card.contains(&self.role),
                    reveal_phone: policy.phone.contains(&self.role),
                })
            }
            Role::Member => {
                let member_id = self.member_id.ok_or(Error::Forbidden)?;
                let committee_id = self.anchor()?.committee_id;
                Ok(MemberScope::SelfOnly { member_id, committee_id })
            }
            _ => Err(Error::Forbidden),
        }
    }

    /// A member checking themselves in (签到).
    pub fn attendee(&self) -> Result<Attendee, Error> {
        match (self.role, self.member_id) {
            (Role::Member, Some(member_id)) => Ok(Attendee { member_id, committee_id: self.anchor()?.committee_id }),
            _ => Err(Error::Forbidden),
        }
    }

    /// The higher-committee capability (unit and working-committee staff).
    pub fn higher_committee(&self) -> Option<HigherCommittee> {
        match self.role {
            Role::CommitteeAdmin | Role::UnitAdmin => {
                self.org.as_ref().map(|a| HigherCommittee { path: a.path.clone() })
            }
            _ => None,
        }
    }

    /// The signed-in person acting for themself.
    pub fn myself(&self) -> Myself {
        Myself { user_id: self.user_id }
    }
    pub fn user_admin(&self) -> Result<UserAdmin, Error> {
        if self.role == Role::SystemAdmin { Ok(UserAdmin(())) } else { Err(Error::Forbidden) }
    }
    pub fn security_admin(&self) -> Result<SecurityAdmin, Error> {
        if self.role == Role::SecurityAdmin { Ok(SecurityAdmin(())) } else { Err(Error::Forbidden) }
    }
    pub fn audit_reader(&self) -> Result<AuditReader, Error> {
        if self.role == Role::AuditAdmin { Ok(AuditReader(())) } else { Err(Error::Forbidden) }
    }
    pub fn credential_approver(&self) -> Result<CredentialApprover, Error> {
        match self.role {
            Role::SecurityAdmin | Role::AuditAdmin => Ok(CredentialApprover { user_id: self.user_id, role: self.role }),
            _ => Err(Error::Forbidden),
        }
    }

    /// Discipline records are visible only to discipline staff, within their subtree.
    pub fn discipline_scope(&self) -> Result<DisciplineScope, Error> {
        if self.role != Role::DisciplineStaff {
            return Err(Error::Forbidden);
        }
        let a = self.anchor()?;
        let committee_id = if a.kind == crate::org::OrgKind::WorkingCommittee { None } else { Some(a.committee_id) };
        Ok(DisciplineScope(OrgScope { committee_id, path: a.path.clone(), writable: true }))
    }
}

/// Operator-level capabilities for the command line (the person at the server's
/// console, authenticated by the operating system). Kept apart from web actors.
pub mod operator {
    use super::*;

    /// The CLI's province-wide scope, e.g. for `xianfeng export members`.
    pub fn province_member_scope(root_path: &str) -> MemberScope {
        MemberScope::Subtree {
            org: OrgScope { committee_id: None, path: root_path.to_string(), writable: true },
            reveal_id_card: false,
            reveal_phone: false,
        }
    }
    /// The CLI's province-wide org scope (demo data, benchmarks), writable.
    pub fn province_org_scope(root_path: &str) -> OrgScope {
        OrgScope { committee_id: None, path: root_path.to_string(), writable: true }
    }
    /// The working committee acting as the higher committee (demo data).
    /// The CLI's province-wide discipline capability (demo data, statistics).
    pub fn province_discipline_scope(root_path: &str) -> DisciplineScope {
        DisciplineScope(province_org_scope(root_path))
    }
    pub fn province_higher_committee(root_path: &str) -> HigherCommittee {
        HigherCommittee { path: root_path.to_string() }
    }
    /// A user acting for themself (demo data: reviewers scoring, raters rating).
    pub fn as_user(user_id: i64) -> Myself {
        Myself { user_id }
    }
    pub fn user_admin() -> UserAdmin {
        UserAdmin(())
    }
    pub fn security_admin() -> SecurityAdmin {
        SecurityAdmin(())
    }
    pub fn audit_reader() -> AuditReader {
        AuditReader(())
    }
}

/// Checks a new password against the policy. Messages are Chinese.
pub fn check_password(policy: &SecurityPolicy, username: &str, password: &str) -> Result<(), Error> {
    let mut problems = Vec::new();
    let len = password.chars().count();
    if len < policy.password_min_length as usize {
        problems.push(format!("密码长度至少{}位", policy.password_min_length));
    }
    if len > 128 {
        problems.push("密码长度不能超过128位".to_string());
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < policy.password_min_classes as usize {
        problems.push(format!("密码须包含大写字母、小写字母、数字、特殊字符中的至少{}类", policy.password_min_classes));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        problems.push("密码不能包含用户名".to_string());
    }
    if problems.is_empty() { Ok(()) } else { Err(Error::invalid("password", problems.join("；"))) }
}

#[cfg(test)]
mod tests;
