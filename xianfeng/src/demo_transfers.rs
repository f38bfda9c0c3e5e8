//! Demo transfers: members of the demo province moving between units (some
//! done, some waiting for the sending or the receiving side), within units,
//! and out of the province — each through the same store calls a user's
//! clicks make, so every rule (dues paid, no posts held) applies.

use std::collections::HashSet;

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use xianfeng_core::auth::operator;
use xianfeng_core::member::MemberStatus;
use xianfeng_core::org::OrgKind;
use xianfeng_core::states::sql;
use xianfeng_core::transfer::TransferKind;
use xianfeng_store::transfer::{self as tr, TransferRequest};
use xianfeng_store::{Store, StoreError, Who, q};

#[derive(Debug, Clone, Default)]
pub struct TransferSummary {
    pub done: usize,
    pub waiting: usize,
    /// Of the done ones, members who left the province (now 已转出).
    pub out_of_province: usize,
}

const REASONS: [&str; 5] = ["工作调动", "交流任职", "处室调整", "借调期满", "挂职结束"];

pub async fn generate(store: &Store, seed: u64) -> Result<TransferSummary, StoreError> {
    let root = xianfeng_store::org::root(store.db.r()).await?.ok_or(StoreError::NotFound)?;
    let ms = operator::province_member_scope(&root.path);
    let os = operator::province_org_scope(&root.path);
    let who = Who::operator("demo");
    #[derive(sqlx::FromRow)]
    struct P {
        committee_id: i64,
        id: i64,
        org_id: i64,
    }
    // Full members with dues paid up and no post: the unpaid and the post holders
    // are read once each (the unpaid through their partial index) and left out.
    let people: Vec<P> = store
        .db
        .r()
        .fetch_all(q!(
            format!("SELECT m.committee_id, m.id, m.org_id FROM members m WHERE m.status = {full} ORDER BY m.committee_id, m.id", full = sql(MemberStatus::Full))
        ))
        .await?;
    let unpaid: HashSet<(i64, i64)> = store
        .db
        .r()
        .fetch_all::<(i64, i64)>(q!("SELECT DISTINCT committee_id, member_id FROM dues_charges WHERE paid_fen IS NULL"))
        .await?
        .into_iter()
        .collect();
    let posts: HashSet<(i64, i64)> = store
        .db
        .r()
        .fetch_all::<(i64, i64)>(q!("SELECT DISTINCT committee_id, member_id FROM org_posts"))
        .await?
        .into_iter()
        .collect();
    let people: Vec<P> = people
        .into_iter()
        .filter(|p| !unpaid.contains(&(p.committee_id, p.id)) && !posts.contains(&(p.committee_id, p.id)))
        .collect();
    #[derive(sqlx::FromRow)]
    struct B {
        committee_id: i64,
        id: i64,
    }
    let branches: Vec<B> = store
        .db
        .r()
        .fetch_all(q!(format!(
            "SELECT committee_id, id FROM orgs WHERE kind = {branch} AND active = TRUE ORDER BY id",
            branch = sql(OrgKind::Branch)
        )))
        .await?;
    if people.len() < 100 || branches.len() < 4 {
        return Ok(TransferSummary::default());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7472_616e);
    let mut picks: Vec<&P> = people.iter().collect();
    picks.shuffle(&mut rng);
    let mut s = TransferSummary::default();
    // (kind, count, approvals): 0 = waiting for the sender, 1 = for the receiver, 2 = done.
    use TransferKind::{BetweenUnits, OutOfProvince, WithinUnit};
    let plan: [(TransferKind, usize, usize); 5] = [
        (BetweenUnits, 20, 2),
        (BetweenUnits, 10, 1),
        (BetweenUnits, 10, 0),
        (WithinUnit, 10, 2),
        (OutOfProvince, 5, 1),
    ];
    let mut next = picks.into_iter();
    for (kind, count, approvals) in plan {
        for _ in 0..count {
            let Some(p) = next.next() else { break };
            let to = match kind {
                OutOfProvince => None,
                WithinUnit => branches.iter().find(|b| b.committee_id == p.committee_id && b.id != p.org_id),
                _ => {
                    let others: Vec<&B> = branches.iter().filter(|b| b.committee_id != p.committee_id).collect();
                    others.get(rng.gen_range(0..others.len())).copied()
                }
            };
            if kind != OutOfProvince && to.is_none() {
                continue;
            }
            let req = TransferRequest {
                member_id: p.id,
                to_org_id: to.map(|b| b.id),
                to_org_name: if kind == OutOfProvince {
                    "中共北京市西城区委组织部".into()
                } else {
                    String::new()
                },
                letter_no: if kind == OutOfProvince {
                    format!("京西组转{:04}号", rng.gen_range(1..9999))
                } else {
                    String::new()
                },
                reason: REASONS[rng.gen_range(0..REASONS.len())].into(),
                requested_on: None,
            };
            let t = tr::request(store, &ms.writer()?, &who, &req).await?;
            for _ in 0..approvals {
                tr::approve(store, &os.writer()?, &who, t.id, "", None).await?;
            }
            let v = tr::get(store, &os, t.id).await?;
            if v.t.is_done() {
                s.done += 1;
                s.out_of_province += usize::from(kind == OutOfProvince);
            } else {
                s.waiting += 1;
            }
        }
    }
    Ok(s)
}
