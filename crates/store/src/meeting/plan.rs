//! Planning a meeting: expected attendees prefilled from the kind's invitees.

use super::*;
use xianfeng_core::auth::OrgWrite;

/// Plans a meeting; expected attendees are prefilled from the org's members.
#[tracing::instrument(skip_all)]
pub async fn plan(store: &Store, scope: &OrgWrite, who: &Who, org_id: i64, input: &PlanInput) -> Result<MeetingRow> {
    let o = org::get(store.db.r(), scope, org_id).await?;
    if !o.active {
        return Err(StoreError::Rule("该组织已撤销，不能安排会议".into()));
    }
    let day = core_meeting::parse_day(&input.planned_on).unwrap_or_else(today_cn);
    let kinds = kinds_on(store, day).await?;
    let p = core_meeting::validate_plan(input, &kinds, o.kind())?;
    let mut tx = store.db.begin().await?;
    let id = tx.alloc_id().await?;
    let now = now_ms();
    tx.c()
        .execute(q!(
            "INSERT INTO meetings (committee_id, id, org_id, kind, status, planned_on, start_time, place, topic, host, recorder, quorum, checkin_token, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'planned', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
            o.committee_id, id, o.id, p.kind.id.clone(), p.planned_on, p.start_time, p.place, p.topic.clone(), p.host,
            p.recorder, p.kind.quorum.as_str(), core_meeting::checkin_token(), who.username.clone(), now
        ))
        .await?;
    let people = invitees(&mut tx, &o, &p.kind).await?;
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
                (m.status == MemberStatus::Full.as_str()).into(),
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
        &mut tx,
        &store.keys.audit_key,
        who,
        Event::ok("create", "meeting", id).detail(format!("{}：{}（{}）", p.kind.label, p.topic, p.planned_on)),
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}
