//! Planning one unit (no database): its orgs, members and posts.

use super::*;

#[derive(Debug, Clone)]
pub(crate) struct OrgPlan {
    /// Index of the parent in the unit's plan; None: the root.
    pub(crate) parent: Option<usize>,
    pub(crate) kind: OrgKind,
    pub(crate) name: String,
    pub(crate) established_on: Option<NaiveDate>,
    pub(crate) term_start: Option<NaiveDate>,
    pub(crate) term_end: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub(crate) struct PersonPlan {
    /// org_id and group_id are set from `branch` and `group` when written.
    pub(crate) v: ValidMember,
    pub(crate) branch: usize,
    pub(crate) group: Option<usize>,
    pub(crate) seniority: i64,
    /// For records no longer on the roll: when and why they left.
    pub(crate) left: Option<(NaiveDate, &'static str)>,
}

#[derive(Debug, Clone)]
pub(crate) struct PostPlan {
    pub(crate) org: usize,
    pub(crate) person: usize,
    pub(crate) post: &'static str,
    pub(crate) since: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub(crate) struct UnitPlan {
    pub(crate) district: String,
    /// The unit first, then its party committee, then the rest in tree order.
    pub(crate) orgs: Vec<OrgPlan>,
    pub(crate) people: Vec<PersonPlan>,
    pub(crate) posts: Vec<PostPlan>,
    /// A rule-abiding branch with a committee and groups, and its secretary.
    pub(crate) sample: Option<(usize, usize)>,
    /// The first branch and its secretary, when no branch qualifies as sample.
    pub(crate) fallback: Option<(usize, usize)>,
}

/// A block of branches under one parent: a 党总支 when `general` is set,
/// else the party committee.
pub(crate) struct Section {
    pub(crate) general: Option<String>,
    pub(crate) branches: Vec<(String, usize, Kind)>,
}

/// Groups branches of one department: `{dept}党支部` alone, else
/// `{dept}第一党支部`… under `{dept}党总支` when they hold 50 or more members.
pub(crate) fn dept_section(dept: &str, sizes: &[usize], kind: Kind) -> Section {
    if sizes.len() == 1 {
        return Section { general: None, branches: vec![(format!("{dept}党支部"), sizes[0], kind)] };
    }
    let total: usize = sizes.iter().sum();
    Section {
        general: (total >= 50).then(|| format!("{dept}党总支")),
        branches: sizes
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("{dept}第{}党支部", cn_number(i + 1)), *s, kind))
            .collect(),
    }
}

/// Lays out a unit of `size` members: sections of branches with their sizes.
pub(crate) fn layout(g: &mut Gen, unit: &UnitDef, size: usize, plant: bool) -> Vec<Section> {
    let profile = unit_profile(unit.name);
    let retirees = {
        let n = (size as f64 * g.rng.gen_range(0.10..0.16)).round() as usize;
        if n < 3 { 0 } else { n }
    };
    let serving = size - retirees;

    let mut sizes: Vec<usize> = Vec::new();
    let mut sum = 0;
    while sum < serving {
        let s = g.branch_size().min(serving - sum);
        sizes.push(s);
        sum += s;
    }
    if sizes.len() > 1 && sizes[sizes.len() - 1] < 3 {
        // Fold a remainder too small for a branch into an earlier one.
        let tail = sizes.pop().unwrap_or(0);
        if let Some(s) = sizes.iter_mut().rev().find(|s| **s + tail <= 50) {
            *s += tail;
        } else {
            sizes.push(tail);
        }
    }
    if plant {
        // One branch below the minimum and one above the usual maximum, at any scale.
        sizes.push(2);
        sizes.push(g.rng.gen_range(52..=56));
    }

    let n = sizes.len();
    let (special, special_profile) = departments(unit.name);
    let mut offices: Vec<&str> = DATA.offices.clone();
    offices.shuffle(&mut g.rng);
    let n_inst = if special.is_empty() && n >= 16 { (n / 8).min(DATA.institutions.len()) } else { 0 };
    let n_office = if special.is_empty() { (n - n_inst).min(offices.len()) } else { (n / 3).clamp(4, 28).min(n) };

    let mut sections = Vec::new();
    let mut next = 0;
    for office in offices.iter().take(n_office) {
        sections.push(dept_section(office, &sizes[next..next + 1], Kind::Serving(profile)));
        next += 1;
    }
    if next < n && !special.is_empty() {
        let max_span = ((n - next) / 8).clamp(3, 12);
        for dept in special {
            if next >= n {
                break;
            }
            let span = g.rng.gen_range(2..=max_span).min(n - next);
            sections.push(dept_section(dept, &sizes[next..next + span], Kind::Serving(special_profile)));
            next += span;
        }
    }
    if next < n {
        // Subordinate institutions, one branch each, under 直属单位党总支 when large enough.
        let mut institutions: Vec<&str> = DATA.institutions.iter().copied().filter(|i| !special.contains(i)).collect();
        institutions.shuffle(&mut g.rng);
        let take = if n_inst > 0 { n_inst } else { ((n - next) / 6).max(1) };
        let branches: Vec<(String, usize, Kind)> = institutions
            .iter()
            .take(take.min(n - next))
            .enumerate()
            .map(|(i, inst)| (format!("{inst}党支部"), sizes[next + i], Kind::Serving(Profile::Institution)))
            .collect();
        next += branches.len();
        let total: usize = branches.iter().map(|b| b.1).sum();
        if branches.len() >= 3 && total >= 50 {
            sections.push(Section { general: Some("直属单位党总支".into()), branches });
        } else {
            sections.extend(branches.into_iter().map(|b| Section { general: None, branches: vec![b] }));
        }
    }
    if next < n {
        // Whatever is left: 机关第N党支部, under 机关第N党总支 in groups of 5–8 when there are many.
        let rest: Vec<usize> = sizes[next..].to_vec();
        let grouped = rest.len() >= 10;
        let mut k = 0;
        let mut gb = 0;
        while k < rest.len() {
            let span = if grouped { g.rng.gen_range(5..=8).min(rest.len() - k) } else { 1 };
            let chunk = &rest[k..k + span];
            let total: usize = chunk.iter().sum();
            let general = if grouped && span >= 2 && total >= 50 {
                gb += 1;
                Some(format!("机关第{}党总支", cn_number(gb)))
            } else {
                None
            };
            let branches = chunk
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("机关第{}党支部", cn_number(k + i + 1)), *s, Kind::Serving(profile)))
                .collect();
            sections.push(Section { general, branches });
            k += span;
        }
    }

    if retirees > 0 {
        // Retirees' branches are larger: 20–35 on average, never above 35.
        let k = retirees.div_ceil(g.rng.gen_range(20..=35));
        let sizes: Vec<usize> = (0..k).map(|i| retirees / k + usize::from(i < retirees % k)).collect();
        if sizes.len() == 1 {
            sections
                .push(Section {
                    general: None, branches: vec![("离退休干部党支部".into(), sizes[0], Kind::Retired)]
                });
        } else {
            sections.push(Section {
                general: (retirees >= 50).then(|| "离退休干部党总支".to_string()),
                branches: sizes
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("离退休干部第{}党支部", cn_number(i + 1)), *s, Kind::Retired))
                    .collect(),
            });
        }
    }
    sections
}

/// Plans a unit: its orgs, people and posts, with indices instead of ids.
pub(crate) fn plan_unit(g: &mut Gen, unit: &UnitDef, size: usize, plant: bool, rules: &OrgRules) -> UnitPlan {
    let sections = layout(g, unit, size, plant);
    let mut plan = UnitPlan {
        district: unit.district.to_string(),
        orgs: Vec::new(),
        people: Vec::new(),
        posts: Vec::new(),
        sample: None,
        fallback: None,
    };
    plan.orgs.push(OrgPlan {
        parent: None,
        kind: OrgKind::Unit,
        name: unit.name.to_string(),
        established_on: None,
        term_start: None,
        term_end: None,
    });
    let committee = push_org(g, &mut plan, Some(0), OrgKind::PartyCommittee, format!("{}机关党委", unit.name), rules);
    for section in sections {
        let parent = match section.general {
            Some(name) => push_org(g, &mut plan, Some(committee), OrgKind::GeneralBranch, name, rules),
            None => committee,
        };
        let first_person = plan.people.len();
        for (name, members, kind) in section.branches {
            plan_branch(g, &mut plan, parent, name, members, kind, rules);
        }
        if parent != committee {
            let candidates: Vec<usize> = (first_person..plan.people.len()).collect();
            leadership(g, &mut plan, parent, &candidates, &["secretary", "organization", "propaganda"]);
        }
    }
    let serving: Vec<usize> =
        (0..plan.people.len()).filter(|&i| !plan.people[i].v.category.starts_with("离退休")).collect();
    leadership(
        g,
        &mut plan,
        committee,
        &serving,
        &["secretary", "deputy_secretary", "organization", "propaganda", "discipline"],
    );
    plan
}

pub(crate) fn push_org(
    g: &mut Gen,
    plan: &mut UnitPlan,
    parent: Option<usize>,
    kind: OrgKind,
    name: String,
    rules: &OrgRules,
) -> usize {
    let (established_on, term_start, term_end) = g.term(kind, rules);
    plan.orgs.push(OrgPlan { parent, kind, name, established_on, term_start, term_end });
    plan.orgs.len() - 1
}

/// Posts of a party committee or general branch: the most senior full member
/// among `candidates` as secretary, the next ones for the other posts.
pub(crate) fn leadership(g: &mut Gen, plan: &mut UnitPlan, org: usize, candidates: &[usize], posts: &[&'static str]) {
    let mut full: Vec<usize> =
        candidates.iter().copied().filter(|&i| plan.people[i].v.status == MemberStatus::Full).collect();
    // Stable: ties keep plan order, so the choice is deterministic.
    full.sort_by_key(|&i| std::cmp::Reverse(plan.people[i].seniority));
    let mut rest: Vec<usize> = full.iter().copied().skip(1).take(12).collect();
    rest.shuffle(&mut g.rng);
    let since = plan.orgs[org].term_start;
    for (&post, &person) in posts.iter().zip(full.first().into_iter().chain(rest.iter())) {
        plan.posts.push(PostPlan { org, person, post, since });
    }
}

/// Plans a branch: its members (first one always full), a few applicants and
/// past members, groups when it has 10 or more members, secretary, committee
/// and group leaders.
pub(crate) fn plan_branch(
    g: &mut Gen,
    plan: &mut UnitPlan,
    parent: usize,
    name: String,
    members: usize,
    kind: Kind,
    rules: &OrgRules,
) {
    let branch = push_org(g, plan, Some(parent), OrgKind::Branch, name, rules);
    let start = plan.people.len();
    for i in 0..members {
        let status = if kind != Kind::Retired && i > 0 && g.rng.gen_bool(0.034) {
            MemberStatus::Probationary
        } else {
            MemberStatus::Full
        };
        let (v, seniority) = g.person(kind, status);
        plan.people.push(PersonPlan { v, branch, group: None, seniority, left: None });
    }
    let roll: Vec<usize> = (start..plan.people.len()).collect();

    // The pipeline (发展党员) and a handful of past members, kept for history.
    if kind != Kind::Retired && g.rng.gen_bool(0.10) {
        for _ in 0..g.rng.gen_range(1..=2) {
            let status = weighted(
                &mut g.rng,
                &[(MemberStatus::Applicant, 40), (MemberStatus::Activist, 35), (MemberStatus::Candidate, 25)],
            );
            let (v, seniority) = g.person(kind, status);
            plan.people.push(PersonPlan { v, branch, group: None, seniority, left: None });
        }
    }
    let (leave_rate, leave_status, reasons): (f64, MemberStatus, &[&'static str]) = if kind == Kind::Retired {
        (0.004, MemberStatus::Deceased, &["病故"])
    } else {
        (0.0015, MemberStatus::TransferredOut, &["调往中央和国家机关工作", "调往市州工作", "组织关系转往省外"])
    };
    if g.rng.gen_bool((members as f64 * leave_rate).min(1.0)) {
        let (mut v, seniority) = g.person(kind, MemberStatus::Full);
        let full = v.full_date.unwrap_or(g.today);
        let on = (g.today - Days::new(g.rng.gen_range(30..=1000))).max(full + Days::new(30)).min(g.today);
        v.status = leave_status;
        let why = pick(&mut g.rng, reasons);
        plan.people.push(PersonPlan { v, branch, group: None, seniority, left: Some((on, why)) });
    }

    // Groups: 2 from 10 members, 3 from 20, 4 from 35.
    let since = plan.orgs[branch].term_start;
    let mut groups = Vec::new();
    if members >= 10 {
        let k = if members < 20 {
            2
        } else if members < 35 {
            3
        } else {
            4
        };
        for i in 0..k {
            plan.orgs.push(OrgPlan {
                parent: Some(branch),
                kind: OrgKind::Group,
                name: format!("第{}党小组", cn_number(i + 1)),
                established_on: since,
                term_start: None,
                term_end: None,
            });
            groups.push(plan.orgs.len() - 1);
        }
        let mut order = roll.clone();
        order.shuffle(&mut g.rng);
        for (i, p) in order.into_iter().enumerate() {
            plan.people[p].group = Some(groups[i % k]);
        }
    }

    // Secretary: the most senior full member; a committee from 7 full members
    // (about 2 % left without one); a leader per group.
    let full: Vec<usize> = roll.iter().copied().filter(|&i| plan.people[i].v.status == MemberStatus::Full).collect();
    let secretary = *full
        .iter()
        .max_by_key(|&&i| (plan.people[i].seniority, std::cmp::Reverse(i)))
        .expect("a branch's first member is full");
    plan.posts.push(PostPlan { org: branch, person: secretary, post: "secretary", since });
    let mut others: Vec<usize> = full.iter().copied().filter(|&i| i != secretary).collect();
    others.shuffle(&mut g.rng);
    let with_committee = full.len() as i64 >= rules.committee_threshold_full_members && !g.rng.gen_bool(0.02);
    if with_committee {
        let mut posts = vec!["organization", "propaganda", "discipline"];
        if full.len() >= 25 {
            posts.insert(0, "deputy_secretary");
        }
        for (post, person) in posts.into_iter().zip(others.iter()) {
            plan.posts.push(PostPlan { org: branch, person: *person, post, since });
        }
    }
    for &group in &groups {
        let leader = others
            .iter()
            .copied()
            .find(|&i| plan.people[i].group == Some(group))
            .or_else(|| full.iter().copied().find(|&i| plan.people[i].group == Some(group)));
        if let Some(person) = leader {
            plan.posts.push(PostPlan { org: group, person, post: "group_leader", since });
        }
    }

    let counted = roll.len();
    if plan.fallback.is_none() {
        plan.fallback = Some((branch, secretary));
    }
    if plan.sample.is_none()
        && kind != Kind::Retired
        && with_committee
        && (10..=rules.branch_max_members as usize).contains(&counted)
        && plan.orgs[branch].term_end.is_some_and(|end| (end - g.today).num_days() > rules.election_due_soon_days)
    {
        plan.sample = Some((branch, secretary));
    }
}
