//! Writing a planned unit through the bulk loader.

use super::*;

/// Rows waiting for the next batch of INSERTs.
#[derive(Default)]
pub(crate) struct Buffers {
    pub(crate) orgs: Vec<NewOrg>,
    pub(crate) org_history: Vec<NewOrgHistory>,
    pub(crate) members: Vec<NewMember>,
    pub(crate) member_history: Vec<NewMemberHistory>,
    pub(crate) posts: Vec<NewPost>,
}

impl Buffers {
    pub(crate) async fn flush(&mut self, tx: &mut Tx, store: &Store, who: &Who, now: i64) -> Result<(), StoreError> {
        bulk::insert_orgs(tx, &self.orgs, now).await?;
        bulk::insert_org_history(tx, who, now, &self.org_history).await?;
        bulk::insert_members(tx, store, &self.members, now).await?;
        bulk::insert_member_history(tx, who, now, &self.member_history).await?;
        bulk::insert_posts(tx, &self.posts).await?;
        self.orgs.clear();
        self.org_history.clear();
        self.members.clear();
        self.member_history.clear();
        self.posts.clear();
        Ok(())
    }
}

pub(crate) struct Written {
    pub(crate) unit_id: i64,
    pub(crate) sample_branch_id: i64,
    pub(crate) sample_member_id: i64,
}

/// Gives a unit's plan its ids (allocated now) and buffers its rows.
pub(crate) async fn write_unit(
    tx: &mut Tx,
    root: &OrgRow,
    plan: UnitPlan,
    buf: &mut Buffers,
) -> Result<Written, StoreError> {
    let org_ids = tx.alloc_ids(plan.orgs.len() as i64).await?;
    let person_ids = tx.alloc_ids(plan.people.len().max(1) as i64).await?;
    let org_id = |i: usize| org_ids.start + i as i64;
    let person_id = |i: usize| person_ids.start + i as i64;
    let unit_id = org_id(0);

    let mut paths: Vec<(String, i64)> = Vec::with_capacity(plan.orgs.len());
    for (i, o) in plan.orgs.into_iter().enumerate() {
        let id = org_id(i);
        let (parent_id, parent_path, parent_depth) = match o.parent {
            None => (root.id, root.path.as_str(), root.depth),
            Some(p) => (org_id(p), paths[p].0.as_str(), paths[p].1),
        };
        let path = core_org::child_path(parent_path, id);
        paths.push((path.clone(), parent_depth + 1));
        buf.org_history.push(NewOrgHistory {
            committee_id: unit_id,
            org_id: id,
            change: "create",
            from_value: String::new(),
            to_value: o.name.clone(),
            reason: REASON.to_string(),
        });
        buf.orgs.push(NewOrg {
            committee_id: unit_id,
            id,
            parent_id: Some(parent_id),
            path,
            depth: parent_depth + 1,
            kind: o.kind,
            name: o.name,
            district: plan.district.clone(),
            code: String::new(),
            sort_order: id,
            established_on: o.established_on,
            term_start: o.term_start,
            term_end: o.term_end,
        });
    }

    for (i, p) in plan.people.into_iter().enumerate() {
        let id = person_id(i);
        let mut v = p.v;
        v.org_id = org_id(p.branch);
        v.group_id = p.group.map(org_id);
        let created = if p.left.is_some() { MemberStatus::Full } else { v.status };
        buf.member_history.push(NewMemberHistory {
            committee_id: unit_id,
            member_id: id,
            change: "create",
            field: "status",
            from_value: String::new(),
            to_value: created.as_str().to_string(),
            effective_date: v.join_date,
            reason: REASON.to_string(),
        });
        if let Some((on, why)) = p.left {
            buf.member_history.push(NewMemberHistory {
                committee_id: unit_id,
                member_id: id,
                change: "status",
                field: "status",
                from_value: MemberStatus::Full.as_str().to_string(),
                to_value: v.status.as_str().to_string(),
                effective_date: Some(on),
                reason: format!("{why}（{REASON}）"),
            });
        }
        buf.members.push(NewMember { committee_id: unit_id, id, member: v });
    }

    for p in plan.posts {
        buf.posts.push(NewPost {
            committee_id: unit_id,
            org_id: org_id(p.org),
            member_id: person_id(p.person),
            post: p.post,
            since: p.since,
        });
    }

    let (branch, person) = plan.sample.or(plan.fallback).unwrap_or((0, 0));
    Ok(Written { unit_id, sample_branch_id: org_id(branch), sample_member_id: person_id(person) })
}
