//! The test province: two units, their branches and groups, members and accounts, built through the store's own operations.

use super::*;

/// A member created by the fixture, with the plain protected fields it was
/// created with (`detail` is the record as it was right after creation).
#[derive(Debug, Clone)]
pub struct SeedMember {
    pub detail: MemberDetail,
    pub id_card: String,
    pub phone: String,
}

impl SeedMember {
    pub fn id(&self) -> i64 {
        self.detail.id
    }
    pub fn name(&self) -> &str {
        &self.detail.name
    }
}

/// A small province built through the public store API:
///
/// ```text
/// 省直机关工委 (root)
/// ├── 省工业和信息化厅 (unit_a)
/// │   └── 省工业和信息化厅机关党委 (committee_a)
/// │       ├── 办公室党支部 (branch_a1): 张伟 (full, in group_a1), 李娜 (full), 赵敏 (full), 王芳 (probationary)
/// │       │   └── 第一党小组 (group_a1)
/// │       └── 规划处党支部 (branch_a2): 刘洋 (full, in group_a2)
/// │           └── 第一党小组 (group_a2)
/// └── 省教育厅 (unit_b)
///     └── 省教育厅机关党委 (committee_b)
///         └── 人事处党支部 (branch_b1): 陈静 (full, in group_b1), 杨磊 (full)
///             └── 第一党小组 (group_b1)
/// ```
///
/// Branches have a term starting 2024-01-15. Member names are unique, so a
/// name search finds exactly one record.
#[derive(Debug, Clone)]
pub struct Province {
    pub root: OrgRow,
    pub unit_a: OrgRow,
    pub committee_a: OrgRow,
    pub branch_a1: OrgRow,
    pub group_a1: OrgRow,
    pub branch_a2: OrgRow,
    pub group_a2: OrgRow,
    pub unit_b: OrgRow,
    pub committee_b: OrgRow,
    pub branch_b1: OrgRow,
    pub group_b1: OrgRow,
    pub members: Vec<SeedMember>,
}

/// The start of the fixture branches' current term.
pub fn fixture_term_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 15).expect("date")
}

impl Province {
    /// Builds the province in an empty store (the root is created if missing).
    pub async fn build(store: &Store) -> Result<Province> {
        let root = crate::org::ensure_root(store, "省直机关工委").await?;
        let admin = actor(Role::CommitteeAdmin, Some(&root));
        let os = admin.org_scope()?;
        let w = who(&admin);
        let term = Some(fixture_term_start());
        let mk = |parent: i64, name: &'static str, kind: &'static str| {
            let os = os.clone();
            let w = w.clone();
            let t = if matches!(kind, "branch" | "party_committee") { term } else { None };
            async move { crate::org::create(store, &os.writer()?, &w, parent, &org_input(name, kind, t)).await }
        };
        let unit_a = mk(root.id, "省工业和信息化厅", "unit").await?;
        let committee_a = mk(unit_a.id, "省工业和信息化厅机关党委", "party_committee").await?;
        let branch_a1 = mk(committee_a.id, "办公室党支部", "branch").await?;
        let group_a1 = mk(branch_a1.id, "第一党小组", "group").await?;
        let branch_a2 = mk(committee_a.id, "规划处党支部", "branch").await?;
        let group_a2 = mk(branch_a2.id, "第一党小组", "group").await?;
        let unit_b = mk(root.id, "省教育厅", "unit").await?;
        let committee_b = mk(unit_b.id, "省教育厅机关党委", "party_committee").await?;
        let branch_b1 = mk(committee_b.id, "人事处党支部", "branch").await?;
        let group_b1 = mk(branch_b1.id, "第一党小组", "group").await?;

        let ms = member_scope(store, &admin).await?;
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let people: [(&str, &OrgRow, Option<&OrgRow>, NaiveDate, MemberStatus); 7] = [
            ("张伟", &branch_a1, Some(&group_a1), d(1980, 3, 12), MemberStatus::Full),
            ("李娜", &branch_a1, None, d(1985, 7, 1), MemberStatus::Full),
            ("赵敏", &branch_a1, None, d(1990, 11, 20), MemberStatus::Full),
            ("王芳", &branch_a1, None, d(1998, 5, 5), MemberStatus::Probationary),
            ("刘洋", &branch_a2, Some(&group_a2), d(1975, 1, 30), MemberStatus::Full),
            ("陈静", &branch_b1, Some(&group_b1), d(1988, 9, 9), MemberStatus::Full),
            ("杨磊", &branch_b1, None, d(1970, 12, 31), MemberStatus::Full),
        ];
        let mut members = Vec::new();
        for (i, (name, branch, group, birth, status)) in people.into_iter().enumerate() {
            let mut input = member_input(name, branch.id, birth, 100 + i as u32, status);
            if let Some(g) = group {
                input.group_id = g.id.to_string();
            }
            let detail = crate::member::create(store, &ms.writer()?, &w, &input).await?;
            members.push(SeedMember { detail, id_card: input.id_card.clone(), phone: input.phone.clone() });
        }
        Ok(Province {
            root,
            unit_a,
            committee_a,
            branch_a1,
            group_a1,
            branch_a2,
            group_a2,
            unit_b,
            committee_b,
            branch_b1,
            group_b1,
            members,
        })
    }

    /// The fixture member with this name; panics if there is none.
    pub fn member(&self, name: &str) -> &SeedMember {
        self.members.iter().find(|m| m.detail.name == name).unwrap_or_else(|| panic!("no fixture member named {name}"))
    }

    /// Members registered in the subtree of `org`.
    pub fn members_under(&self, org: &OrgRow) -> Vec<&SeedMember> {
        self.members.iter().filter(|m| m.detail.org_path.starts_with(&org.path)).collect()
    }

    /// Adds `n` orgs of `kind` under `parent` as the committee's admin, the
    /// k-th (from 1) named `name(k)`: lists and pickers past their page or
    /// their few choices.
    pub async fn add_orgs(
        &self,
        store: &Store,
        parent: i64,
        kind: &str,
        n: usize,
        name: impl Fn(usize) -> String,
    ) -> Result<Vec<OrgRow>> {
        let me = self.committee_admin();
        let w = me.org_scope()?.writer()?;
        let mut out = Vec::with_capacity(n);
        for k in 1..=n {
            out.push(crate::org::create(store, &w, &who(&me), parent, &org_input(&name(k), kind, None)).await?);
        }
        Ok(out)
    }

    /// 工委管理员, bound to the root.
    pub fn committee_admin(&self) -> Actor {
        actor(Role::CommitteeAdmin, Some(&self.root))
    }
    /// 单位党务管理员 of `unit`.
    pub fn unit_admin(&self, unit: &OrgRow) -> Actor {
        actor(Role::UnitAdmin, Some(unit))
    }
    /// 支部书记 of `branch`.
    pub fn branch_secretary(&self, branch: &OrgRow) -> Actor {
        actor(Role::BranchSecretary, Some(branch))
    }
    /// The member role for the fixture member `name`, anchored at their branch.
    pub fn member_actor(&self, name: &str) -> Actor {
        let m = self.member(name);
        let branch = [&self.branch_a1, &self.branch_a2, &self.branch_b1]
            .into_iter()
            .find(|b| b.id == m.detail.org_id)
            .expect("fixture members sit in fixture branches");
        member_actor(m.id(), branch)
    }
    /// 纪检专员 bound to `org` (a unit or the root).
    pub fn discipline_staff(&self, org: &OrgRow) -> Actor {
        actor(Role::DisciplineStaff, Some(org))
    }
    pub fn system_admin(&self) -> Actor {
        actor(Role::SystemAdmin, None)
    }
    pub fn security_admin(&self) -> Actor {
        actor(Role::SecurityAdmin, None)
    }
    pub fn audit_admin(&self) -> Actor {
        actor(Role::AuditAdmin, None)
    }
}
