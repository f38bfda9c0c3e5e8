//! Re-encrypting protected fields after a key rotation.

use super::*;

/// Re-encrypts every protected field not yet under the current key (after a
/// key rotation). Returns how many members were rewritten.
///
/// Only a security administrator's capability (the CLI's console holds it)
/// may do this; `progress` hears (members checked, members in all) after each
/// batch.
#[tracing::instrument(skip_all)]
pub async fn reencrypt_all(
    store: &Store,
    _admin: &xianfeng_core::auth::SecurityAdmin,
    who: &Who,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<u64> {
    #[derive(sqlx::FromRow)]
    struct Enc {
        committee_id: i64,
        id: i64,
        id_card_enc: String,
        phone_enc: String,
    }
    let current = format!("{}:", store.keys.cipher.current_key_id());
    let mut done = 0u64;
    let mut after = 0i64;
    let total = store.db.r().fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM members")).await?.max(0) as u64;
    let mut checked = 0u64;
    loop {
        let rows: Vec<Enc> = store
            .db
            .r()
            .fetch_all(q!(
                "SELECT committee_id, id, id_card_enc, phone_enc FROM members WHERE id > $1 ORDER BY id LIMIT 1000",
                after
            ))
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        checked += rows.len() as u64;
        progress(checked.min(total), total);
        let stale: Vec<&Enc> = rows
            .iter()
            .filter(|r| {
                !r.id_card_enc.starts_with(&current) || (!r.phone_enc.is_empty() && !r.phone_enc.starts_with(&current))
            })
            .collect();
        if stale.is_empty() {
            continue;
        }
        let mut tx = store.db.begin().await?;
        for r in stale {
            let c = &store.keys.cipher;
            let id_card = c.encrypt(&c.decrypt(&r.id_card_enc)?);
            let phone = if r.phone_enc.is_empty() { String::new() } else { c.encrypt(&c.decrypt(&r.phone_enc)?) };
            tx.c()
                .execute(q!(
                    "UPDATE members SET id_card_enc = $1, phone_enc = $2 WHERE committee_id = $3 AND id = $4",
                    id_card,
                    phone,
                    r.committee_id,
                    r.id
                ))
                .await?;
            done += 1;
        }
        tx.commit().await?;
    }
    store
        .audit(
            who,
            Event::ok("config_change", "keys", store.keys.cipher.current_key_id())
                .detail(format!("重新加密{done}名党员的敏感字段")),
        )
        .await?;
    Ok(done)
}
