//! Planning a meeting: expected attendees prefilled from the kind's invitees.

use super::*;

/// Plans a meeting; expected attendees are prefilled from the org's members.
#[tracing::instrument(skip_all)]
pub async fn plan(store: &Store, scope: &OrgWrite, who: &Who, org_id: i64, input: &PlanInput) -> Result<MeetingRow> {
    let (o, p) = checked_plan(store, scope, org_id, input).await?;
    let mut tx = store.db.begin().await?;
    let id = insert_plan(&mut tx, store, who, &o, &p).await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// The org and the plan, checked under the meeting kinds of the plan's day.
pub(crate) async fn checked_plan(
    store: &Store,
    scope: &OrgWrite,
    org_id: i64,
    input: &PlanInput,
) -> Result<(OrgRow, core_meeting::ValidPlan)> {
    let o = org::get(store.db.r(), scope, org_id).await?;
    if !o.active {
        return Err(StoreError::Rule("该组织已撤销，不能安排会议".into()));
    }
    let day = core_meeting::parse_day(&input.planned_on).unwrap_or_else(today_cn);
    let kinds = kinds_on(store, day).await?;
    let p = core_meeting::validate_plan(input, &kinds, o.kind())?;
    Ok((o, p))
}

/// Writes a checked plan and its expected attendees; returns the meeting's id.
pub(crate) async fn insert_plan(
    tx: &mut Tx,
    store: &Store,
    who: &Who,
    o: &OrgRow,
    p: &core_meeting::ValidPlan,
) -> Result<i64> {
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            format!("INSERT INTO meetings (committee_id, id, org_id, kind, status, planned_on, start_time, place, topic, host, recorder, quorum, checkin_token, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, {planned}, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)", planned = xianfeng_core::states::sql(MeetingStatus::Planned)),
            o.committee_id, id, o.id, p.kind.id.clone(), p.planned_on, p.start_time.clone(), p.place.clone(), p.topic.clone(), p.host.clone(),
            p.recorder.clone(), p.kind.quorum.as_str(), core_meeting::checkin_token(), who.username.clone(), now
        ))
        .await?;
    super::counts::recount(tx, o.committee_id, o.id, p.planned_on.year()).await?;
    let people = invitees(tx.c(), o, &p.kind).await?;
    for chunk in people.chunks(200) {
        let mut q = Q::new(
            "INSERT INTO meeting_attendees (committee_id, meeting_id, member_id, voting, committee_member, presence, source) VALUES ",
        );
        for (i, m) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push_row(vec![
                o.committee_id.into(),
                id.into(),
                m.id.into(),
                (m.status == MemberStatus::Full).into(),
                m.committee_post.into(),
                Presence::Pending.as_str().into(),
                "plan".into(),
            ]);
        }
        tx.c().execute(q).await?;
    }
    tx.c()
        .execute(q!(
            "UPDATE meetings SET expected_count = $1 WHERE committee_id = $2 AND id = $3",
            people.len() as i64,
            o.committee_id,
            id
        ))
        .await?;
    append(
        tx,
        &store.keys.audit_key,
        who,
        Event::ok("create", "meeting", id).detail(format!("{}：{}（{}）", p.kind.label, p.topic, p.planned_on)),
    )
    .await?;
    Ok(id)
}
