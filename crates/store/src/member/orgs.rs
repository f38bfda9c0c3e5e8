//! The branches and groups an import may place members in, read once and
//! indexed so each row's 所在党支部 and 所在党小组 cells resolve in constant time.

use super::*;

/// What an import needs to know of a branch or group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ImportOrg {
    pub(crate) committee_id: i64,
    pub(crate) id: i64,
    pub(crate) parent_id: Option<i64>,
    pub(crate) kind: OrgKind,
    pub(crate) name: String,
    /// The unit (shard) the org lies in: a branch name two units share is
    /// told apart by it ("省教育厅/办公室党支部").
    pub(crate) unit_name: String,
}

/// The active branches and groups in scope, with only the columns an import
/// reads (a province has about 9,000; the full rows took 0.1 s to load).
pub(crate) async fn import_orgs(store: &Store, scope: &OrgScope) -> Result<Vec<ImportOrg>> {
    let mut q = Q::new(format!(
        "SELECT o.committee_id, o.id, o.parent_id, o.kind, o.name, COALESCE(u.name, '') AS unit_name FROM orgs o \
         LEFT JOIN orgs u ON u.committee_id = o.committee_id AND u.id = o.committee_id \
         WHERE o.kind IN {branch_or_group} AND o.active = TRUE",
        branch_or_group = sql_in(&[OrgKind::Branch, OrgKind::Group])
    ));
    scope_where(&mut q, scope, "o");
    store.db.r().fetch_all(q).await
}

/// The branches and groups an import may place members in, indexed so each
/// row's cells resolve in constant time (a province has thousands of orgs).
pub(crate) struct OrgIndex {
    orgs: Vec<ImportOrg>,
    by_id: std::collections::HashMap<i64, usize>,
    branches_by_name: std::collections::HashMap<String, Vec<usize>>,
    /// (branch id, group name) → group.
    groups_by_name: std::collections::HashMap<(i64, String), usize>,
}

impl OrgIndex {
    pub(crate) fn new(orgs: Vec<ImportOrg>) -> OrgIndex {
        let mut ix = OrgIndex {
            by_id: Default::default(),
            branches_by_name: Default::default(),
            groups_by_name: Default::default(),
            orgs: Vec::new(),
        };
        for (i, o) in orgs.iter().enumerate() {
            ix.by_id.insert(o.id, i);
            match (o.kind, o.parent_id) {
                (OrgKind::Branch, _) => ix.branches_by_name.entry(o.name.clone()).or_default().push(i),
                (OrgKind::Group, Some(parent)) => {
                    ix.groups_by_name.entry((parent, o.name.clone())).or_insert(i);
                }
                _ => {}
            }
        }
        ix.orgs = orgs;
        ix
    }
    /// The branches a cell names: by id, else by name, or as "单位/党支部"
    /// (also with ／, \\ or —) when two units have a branch of that name.
    pub(crate) fn branches(&self, cell: &str) -> Vec<&ImportOrg> {
        let by_id = cell.parse::<i64>().ok().and_then(|id| self.by_id.get(&id)).map(|i| &self.orgs[*i]);
        let named = |name: &str| -> Vec<&ImportOrg> {
            self.branches_by_name.get(name).map(|v| v.iter().map(|i| &self.orgs[*i]).collect()).unwrap_or_default()
        };
        match by_id.filter(|o| o.kind == OrgKind::Branch) {
            Some(o) => vec![o],
            None => {
                let found = named(cell);
                if !found.is_empty() {
                    return found;
                }
                match cell.rsplit_once(['/', '／', '\\', '—']) {
                    Some((unit, branch)) => {
                        named(branch.trim()).into_iter().filter(|o| o.unit_name == unit.trim()).collect()
                    }
                    None => Vec::new(),
                }
            }
        }
    }
    /// The group of the branch a cell names, by name or id.
    pub(crate) fn group(&self, branch: i64, cell: &str) -> Option<&ImportOrg> {
        let by_name = self.groups_by_name.get(&(branch, cell.to_string())).map(|i| &self.orgs[*i]);
        by_name.or_else(|| {
            cell.parse::<i64>()
                .ok()
                .and_then(|id| self.by_id.get(&id))
                .map(|i| &self.orgs[*i])
                .filter(|o| o.kind == OrgKind::Group && o.parent_id == Some(branch))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: i64, parent: Option<i64>, kind: &str, name: &str) -> ImportOrg {
        let unit = if parent == Some(6) { "省教育厅" } else { "省工业和信息化厅" };
        let kind = OrgKind::parse(kind).expect("a kind");
        ImportOrg { committee_id: 5, id, parent_id: parent, kind, name: name.into(), unit_name: unit.into() }
    }

    #[test]
    fn import_cells_resolve_by_id_or_name_and_groups_stay_in_their_branch() {
        let ix = OrgIndex::new(vec![
            org(10, Some(5), "branch", "办公室党支部"),
            org(11, Some(6), "branch", "办公室党支部"),
            org(12, Some(5), "branch", "规划处党支部"),
            org(20, Some(10), "group", "第一党小组"),
            org(21, Some(12), "group", "第一党小组"),
        ]);
        let ids = |v: Vec<&ImportOrg>| v.iter().map(|o| o.id).collect::<Vec<_>>();
        assert_eq!(ids(ix.branches("12")), vec![12]);
        assert_eq!(ids(ix.branches("规划处党支部")), vec![12]);
        assert_eq!(ids(ix.branches("办公室党支部")), vec![10, 11], "an ambiguous name finds both");
        assert_eq!(ids(ix.branches("省教育厅/办公室党支部")), vec![11], "the unit tells them apart");
        assert_eq!(ids(ix.branches("省工业和信息化厅／办公室党支部")), vec![10], "full-width slash too");
        assert!(ix.branches("省财政厅/办公室党支部").is_empty(), "a unit that has none");
        assert!(ix.branches("20").is_empty(), "a group's id is not a branch");
        assert!(ix.branches("人事处党支部").is_empty());
        assert_eq!(ix.group(10, "第一党小组").map(|o| o.id), Some(20));
        assert_eq!(ix.group(12, "21").map(|o| o.id), Some(21));
        assert_eq!(ix.group(10, "21").map(|o| o.id), None, "another branch's group");
    }
}
