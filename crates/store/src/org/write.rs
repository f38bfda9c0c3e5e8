//! Creating, changing, moving and dissolving orgs, with history.

use super::*;
use xianfeng_core::auth::OrgWrite;

/// What a user submits to create or edit an org.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct OrgInput {
    pub name: String,
    pub kind: String,
    pub district: String,
    pub code: String,
    pub established_on: String,
    pub term_start: String,
}

pub(crate) fn parse_opt_date(
    field: &str,
    label: &str,
    s: &str,
    errs: &mut Vec<xianfeng_core::FieldError>,
) -> Option<NaiveDate> {
    if s.trim().is_empty() {
        return None;
    }
    let d = xianfeng_core::member::parse_date(s);
    if d.is_none() {
        errs.push(xianfeng_core::FieldError::new(field, format!("{label}格式应为 2025-07-01")));
    }
    d
}

pub(crate) struct CheckedOrg {
    pub(crate) name: String,
    pub(crate) district: String,
    pub(crate) code: String,
    pub(crate) established_on: Option<NaiveDate>,
    pub(crate) term_start: Option<NaiveDate>,
}

pub(crate) fn check_input(input: &OrgInput) -> Result<CheckedOrg> {
    let mut errs = Vec::new();
    let name = input.name.trim().to_string();
    if name.is_empty() {
        errs.push(xianfeng_core::FieldError::new("name", "组织名称为必填项"));
    } else if name.chars().count() > 100 {
        errs.push(xianfeng_core::FieldError::new("name", "组织名称不能超过100个字"));
    }
    let established_on = parse_opt_date("established_on", "成立日期", &input.established_on, &mut errs);
    let term_start = parse_opt_date("term_start", "本届任期开始日期", &input.term_start, &mut errs);
    if let Some(t) = term_start
        && t > xianfeng_core::text::today_cn()
    {
        errs.push(xianfeng_core::FieldError::new("term_start", "本届任期开始日期不能晚于今天"));
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(CheckedOrg {
        name,
        district: input.district.trim().to_string(),
        code: input.code.trim().to_string(),
        established_on,
        term_start,
    })
}

pub(crate) async fn history(
    tx: &mut Tx,
    committee_id: i64,
    org_id: i64,
    who: &Who,
    change: &str,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<()> {
    let id = tx.alloc_id().await?;
    tx.c()
        .execute(q!(
            "INSERT INTO org_history (committee_id, id, org_id, ts_ms, user_id, username, change, from_value, to_value, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            committee_id, id, org_id, now_ms(), who.user_id, who.username.clone(), change, from, to, reason
        ))
        .await?;
    Ok(())
}

/// Creates an org under `parent_id` (which must be inside the scope).
#[tracing::instrument(skip_all)]
pub async fn create(store: &Store, scope: &OrgWrite, who: &Who, parent_id: i64, input: &OrgInput) -> Result<OrgRow> {
    let parent = get(store.db.r(), scope, parent_id).await?;
    if !parent.active {
        return Err(StoreError::Rule("上级组织已撤销，不能在其下设立组织".into()));
    }
    let kind = OrgKind::parse(&input.kind).ok_or_else(|| StoreError::invalid("kind", "请选择组织类别"))?;
    core_org::check_placement(parent.kind(), kind).map_err(|m| StoreError::invalid("kind", m))?;
    let c = check_input(input)?;
    let rules: OrgRules = store.rule().await?;
    let term_end = c.term_start.and_then(|s| core_org::term_end(kind, s, &rules));
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let committee_id = if kind == OrgKind::Unit { id } else { parent.committee_id };
    let path = core_org::child_path(&parent.path, id);
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO orgs (committee_id, id, parent_id, path, depth, kind, name, district, code, sort_order, established_on, term_start, term_end, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, TRUE, $14, $14)",
            committee_id, id, parent.id, path.clone(), parent.depth + 1, kind.as_str(), c.name.clone(),
            if kind == OrgKind::Unit { c.district.clone() } else { parent.district.clone() },
            c.code, id, c.established_on, c.term_start, term_end, now
        ))
        .await?;
    history(&mut tx, committee_id, id, who, "create", "", &c.name, "").await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("create", "org", id).detail(format!("{}：{}", kind.label(), c.name)),
    )
    .await?;
    crate::generation::bump_orgs(&mut tx, committee_id).await?;
    tx.commit().await?;
    get(store.db.r(), scope, id).await
}

/// Orgs the actor may change: strictly below the scope root.
pub(crate) fn check_modifiable(scope: &OrgWrite, org: &OrgRow) -> Result<()> {
    if org.path == scope.path_prefix() {
        return Err(StoreError::Rule("不能修改本级组织，请联系上级党组织".into()));
    }
    Ok(())
}

/// Renames an org and updates its details; the old name stays in history.
#[tracing::instrument(skip_all)]
pub async fn update(store: &Store, scope: &OrgWrite, who: &Who, id: i64, input: &OrgInput) -> Result<OrgRow> {
    let org = get(store.db.r(), scope, id).await?;
    check_modifiable(scope, &org)?;
    let c = check_input(input)?;
    let rules: OrgRules = store.rule().await?;
    let term_end = c.term_start.and_then(|s| core_org::term_end(org.kind(), s, &rules));
    let mut tx = store.db.begin().await?;
    tx.c()
        .execute(q!(
            "UPDATE orgs SET name = $1, district = $2, code = $3, established_on = $4, term_start = $5, term_end = $6, updated_at = $7 WHERE committee_id = $8 AND id = $9",
            c.name.clone(), if org.kind() == OrgKind::Unit { c.district.clone() } else { org.district.clone() }, c.code,
            c.established_on, c.term_start, term_end, now_ms(), org.committee_id, org.id
        ))
        .await?;
    if org.kind() == OrgKind::Unit && c.district != org.district {
        // Every org of the unit carries its district for roll-ups.
        tx.c()
            .execute(q!("UPDATE orgs SET district = $1 WHERE committee_id = $2", c.district.clone(), org.committee_id))
            .await?;
    }
    if c.name != org.name {
        history(&mut tx, org.committee_id, org.id, who, "rename", &org.name, &c.name, "").await?;
    }
    if c.term_start != org.term_start {
        let fmt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        history(&mut tx, org.committee_id, org.id, who, "term", &fmt(org.term_start), &fmt(c.term_start), "换届")
            .await?;
    }
    append(&mut tx, &store.keys.audit_key, who, Event::ok("update", "org", id).detail(c.name.clone())).await?;
    crate::generation::bump_orgs(&mut tx, org.committee_id).await?;
    tx.commit().await?;
    get(store.db.r(), scope, id).await
}

/// Moves an org (and its whole subtree, members and history) under a new parent.
#[tracing::instrument(skip_all)]
pub async fn move_to(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    id: i64,
    new_parent_id: i64,
    reason: &str,
) -> Result<OrgRow> {
    let org = get(store.db.r(), scope, id).await?;
    check_modifiable(scope, &org)?;
    let parent = get(store.db.r(), scope, new_parent_id).await?;
    if parent.path.starts_with(&org.path) {
        return Err(StoreError::invalid("parent_id", "不能把组织迁移到它自己或它的下级组织之下"));
    }
    if parent.id == org.parent_id.unwrap_or(0) {
        return Err(StoreError::invalid("parent_id", "新的上级组织与原上级组织相同"));
    }
    if !parent.active {
        return Err(StoreError::invalid("parent_id", "新的上级组织已撤销"));
    }
    core_org::check_placement(parent.kind(), org.kind()).map_err(|m| StoreError::invalid("parent_id", m))?;
    let new_path = core_org::child_path(&parent.path, org.id);
    let new_committee = if org.kind() == OrgKind::Unit { org.committee_id } else { parent.committee_id };
    let old_prefix_len = org.path.chars().count() as i64;
    let mut tx = store.db.begin().await?;
    // Ids of the subtree, to move their shard key and dependent rows along.
    #[derive(sqlx::FromRow)]
    struct Id {
        id: i64,
    }
    let sub: Vec<Id> = tx
        .c()
        .fetch_all(q!(
            "SELECT id FROM orgs WHERE committee_id = $1 AND path LIKE $2",
            org.committee_id,
            format!("{}%", org.path)
        ))
        .await?;
    tx.c()
        .execute(q!(
            "UPDATE orgs SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3, committee_id = $4, updated_at = $5 WHERE committee_id = $6 AND path LIKE $7",
            new_path.clone(), old_prefix_len + 1, parent.depth + 1 - org.depth, new_committee, now_ms(), org.committee_id, format!("{}%", org.path)
        ))
        .await?;
    tx.c()
        .execute(q!(
            "UPDATE orgs SET parent_id = $1 WHERE committee_id = $2 AND id = $3",
            parent.id,
            new_committee,
            org.id
        ))
        .await?;
    if new_committee != org.committee_id {
        for chunk in sub.chunks(500) {
            let mut list = String::new();
            for (i, s) in chunk.iter().enumerate() {
                if i > 0 {
                    list.push(',');
                }
                list.push_str(&s.id.to_string());
            }
            // Meeting rows hang off the meeting; move them before the meetings themselves.
            for table in ["meeting_attendees", "meeting_observers"] {
                tx.c()
                    .execute(q!(
                        format!("UPDATE {table} SET committee_id = $1 WHERE committee_id = $2 AND meeting_id IN (SELECT id FROM meetings WHERE committee_id = $2 AND org_id IN ({list}))"),
                        new_committee,
                        org.committee_id
                    ))
                    .await?;
            }
            tx.c()
                .execute(q!(
                    format!("UPDATE attachments SET committee_id = $1 WHERE committee_id = $2 AND owner_kind = $3 AND owner_id IN (SELECT id FROM meetings WHERE committee_id = $2 AND org_id IN ({list}))"),
                    new_committee,
                    org.committee_id,
                    xianfeng_core::attachment::Owner::Meeting.as_str()
                ))
                .await?;
            for (table, col) in [
                ("org_history", "org_id"),
                ("org_posts", "org_id"),
                ("members", "org_id"),
                ("meetings", "org_id"),
                ("meeting_tallies", "org_id"),
                ("meeting_counts", "org_id"),
                ("member_counts", "org_id"),
                ("first_agenda_tasks", "org_id"),
            ] {
                tx.c()
                    .execute(q!(
                        format!("UPDATE {table} SET committee_id = $1 WHERE committee_id = $2 AND {col} IN ({list})"),
                        new_committee,
                        org.committee_id
                    ))
                    .await?;
            }
            tx.c()
                .execute(q!(
                    format!("UPDATE member_history SET committee_id = $1 WHERE committee_id = $2 AND member_id IN (SELECT id FROM members WHERE committee_id = $1 AND org_id IN ({list}))"),
                    new_committee, org.committee_id
                ))
                .await?;
        }
    }
    let from = org.parent_id.unwrap_or(0).to_string();
    history(&mut tx, new_committee, org.id, who, "move", &from, &parent.id.to_string(), reason).await?;
    append(
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("move", "org", id).detail(format!("迁移至 {}（{}）", parent.name, parent.id)),
    )
    .await?;
    if new_committee != org.committee_id {
        crate::member::counts::recount_unit(&mut tx, org.committee_id).await?;
        crate::member::counts::recount_unit(&mut tx, new_committee).await?;
    }
    crate::generation::bump_orgs(&mut tx, org.committee_id).await?;
    crate::generation::bump_orgs(&mut tx, new_committee).await?;
    crate::generation::bump_meetings(&mut tx, org.committee_id).await?;
    crate::generation::bump_meetings(&mut tx, new_committee).await?;
    tx.commit().await?;
    get(store.db.r(), scope, id).await
}

/// Dissolves an org: kept in history, no longer active. It must be empty.
#[tracing::instrument(skip_all)]
pub async fn dissolve(
    store: &Store,
    scope: &OrgWrite,
    who: &Who,
    id: i64,
    on: NaiveDate,
    reason: &str,
) -> Result<OrgRow> {
    let org = get(store.db.r(), scope, id).await?;
    check_modifiable(scope, &org)?;
    if !org.active {
        return Err(StoreError::Rule("该组织已撤销".into()));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::invalid("reason", "请填写撤销原因"));
    }
    let kids = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            "SELECT COUNT(*) AS v FROM orgs WHERE committee_id = $1 AND parent_id = $2 AND active = TRUE",
            org.committee_id,
            org.id
        ))
        .await?;
    if kids > 0 {
        return Err(StoreError::Rule(format!("该组织下还有{kids}个下级组织，请先迁移或撤销")));
    }
    let members = store
        .db
        .r()
        .fetch_scalar_i64(q!(
            format!("SELECT COUNT(*) AS v FROM members WHERE committee_id = $1 AND (org_id = $2 OR group_id = $2) AND status IN {on_roll}", on_roll = sql_in(&MemberStatus::ON_ROLL)),
            org.committee_id, org.id
        ))
        .await?;
    if members > 0 && org.kind() != OrgKind::Group {
        return Err(StoreError::Rule(format!("该组织还有{members}名党员，请先转移组织关系")));
    }
    let mut tx = store.db.begin().await?;
    if org.kind() == OrgKind::Group {
        tx.c()
            .execute(q!(
                "UPDATE members SET group_id = NULL WHERE committee_id = $1 AND group_id = $2",
                org.committee_id,
                org.id
            ))
            .await?;
    }
    tx.c()
        .execute(q!(
            "UPDATE orgs SET active = FALSE, dissolved_on = $1, dissolved_reason = $2, updated_at = $3 WHERE committee_id = $4 AND id = $5",
            on, reason.trim(), now_ms(), org.committee_id, org.id
        ))
        .await?;
    history(&mut tx, org.committee_id, org.id, who, "dissolve", "", "", reason.trim()).await?;
    append(&mut tx, &store.keys.audit_key, who, Event::ok("dissolve", "org", id).detail(reason.trim().to_string()))
        .await?;
    crate::generation::bump_orgs(&mut tx, org.committee_id).await?;
    tx.commit().await?;
    get(store.db.r(), scope, id).await
}
