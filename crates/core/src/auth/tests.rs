//! Tests of roles, scopes and capabilities.

use super::*;

fn actor(role: Role, path: &str) -> Actor {
    Actor {
        user_id: 1,
        username: "u".into(),
        display_name: "u".into(),
        role,
        org: Some(OrgAnchor {
            id: 5,
            committee_id: 5,
            path: path.into(),
            kind: crate::org::OrgKind::Unit,
            name: "x".into(),
        }),
        member_id: Some(9),
    }
}

#[test]
fn only_a_writable_scope_gives_the_write_capability() {
    let unit = actor(Role::UnitAdmin, "/1/5/");
    let w = unit.org_scope().unwrap().writer().expect("a unit administrator writes in the unit");
    assert_eq!(w.path_prefix(), "/1/5/", "the writer reads as its scope");
    assert!(unit.member_scope(&RevealPolicy::default()).unwrap().writer().is_ok());
    let member = actor(Role::Member, "/1/5/7/");
    let own = member.member_scope(&RevealPolicy::default()).unwrap();
    assert!(matches!(own.writer(), Err(Error::Forbidden)), "a member's own scope never writes");
    let read_only = OrgScope { committee_id: Some(5), path: "/1/5/".into(), writable: false };
    assert!(matches!(read_only.writer(), Err(Error::Forbidden)));
    let mw = unit.member_scope(&RevealPolicy::default()).unwrap().writer().unwrap();
    assert_eq!(mw.orgs().path_prefix(), "/1/5/");
    assert_eq!(mw.org_writer().path_prefix(), "/1/5/");
}

#[test]
fn admins_of_the_triad_see_no_business_data() {
    for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin, Role::DisciplineStaff] {
        let a = actor(role, "/1/5/");
        assert!(a.member_scope(&RevealPolicy::default()).is_err(), "{role:?}");
        assert!(a.org_scope().is_err(), "{role:?}");
    }
    assert!(actor(Role::SystemAdmin, "/1/").user_admin().is_ok());
    assert!(actor(Role::SystemAdmin, "/1/").audit_reader().is_err());
    assert!(actor(Role::AuditAdmin, "/1/").audit_reader().is_ok());
    assert!(actor(Role::AuditAdmin, "/1/").security_admin().is_err());
    assert!(actor(Role::CommitteeAdmin, "/1/").user_admin().is_err());
}

#[test]
fn discipline_scope_only_for_discipline_staff() {
    assert!(actor(Role::DisciplineStaff, "/1/5/").discipline_scope().is_ok());
    assert!(actor(Role::CommitteeAdmin, "/1/").discipline_scope().is_err());
}

#[test]
fn unit_scope_is_its_subtree() {
    let s = actor(Role::UnitAdmin, "/1/5/").org_scope().unwrap();
    assert!(!s.is_whole_tree());
    assert!(actor(Role::CommitteeAdmin, "/1/").org_scope().unwrap().is_whole_tree());
    assert!(s.contains("/1/5/23/"));
    assert!(!s.contains("/1/6/"));
    assert!(!s.contains("/1/"));
    assert_eq!(s.committee_id(), Some(5));
}

#[test]
fn member_sees_self_only() {
    let s = actor(Role::Member, "/1/5/23/").member_scope(&RevealPolicy::default()).unwrap();
    assert!(matches!(s, MemberScope::SelfOnly { member_id: 9, .. }));
    assert!(!s.can_write());
    assert!(!s.can_export());
}

#[test]
fn reveal_follows_policy() {
    let p = RevealPolicy::default();
    assert!(actor(Role::UnitAdmin, "/1/5/").member_scope(&p).unwrap().can_reveal_id_card());
    assert!(!actor(Role::BranchSecretary, "/1/5/9/").member_scope(&p).unwrap().can_reveal_id_card());
    assert!(actor(Role::BranchSecretary, "/1/5/9/").member_scope(&p).unwrap().can_reveal_phone());
}

#[test]
fn triad_roles_do_not_combine() {
    assert!(check_role_combination(&[Role::SystemAdmin]).is_ok());
    assert!(check_role_combination(&[Role::UnitAdmin, Role::BranchSecretary]).is_ok());
    assert!(check_role_combination(&[Role::SystemAdmin, Role::AuditAdmin]).is_err());
    assert!(check_role_combination(&[Role::SecurityAdmin, Role::CommitteeAdmin]).is_err());
}

#[test]
fn password_policy() {
    let p = SecurityPolicy::default();
    assert!(check_password(&p, "zhang", "Abcdef12").is_ok());
    assert!(check_password(&p, "zhang", "abcdefgh").is_err());
    assert!(check_password(&p, "zhang", "Ab1!").is_err());
    assert!(check_password(&p, "zhang", "Zhang123!").is_err());
    let err = check_password(&p, "x", "abcdefgh").unwrap_err().to_string();
    assert!(err.contains("至少3类"), "{err}");
}
