//! Field-key rotation: new values under the new key, old ones still readable,
//! re-encryption moves every ciphertext to the current key.

use std::collections::BTreeMap;

use xianfeng_core::crypto::FieldCipher;
use xianfeng_store::member::{self, Protected};
use xianfeng_store::testkit::{self, Province};
use xianfeng_store::{Keys, Store, Who, q};

fn keys(ids: &[(&str, u8)], current: &str) -> Keys {
    let map: BTreeMap<String, [u8; 16]> = ids.iter().map(|(id, b)| (id.to_string(), [*b; 16])).collect();
    Keys { cipher: FieldCipher::new(map, current, [0x22; 16]).unwrap(), audit_key: vec![0x33; 32] }
}

#[tokio::test]
async fn rotation_and_reencryption() {
    for (backend, url) in testkit::all_urls().await {
        let old = Store::open(&url, keys(&[("k1", 1)], "k1")).await.unwrap();
        let p = Province::build(&old).await.unwrap();
        let m = p.member("李娜");
        old.db.close().await;

        // The new key is current; the old one still decrypts.
        let store = Store::open(&url, keys(&[("k1", 1), ("k2", 2)], "k2")).await.unwrap();
        let admin = p.committee_admin();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        let who = testkit::who(&admin);
        assert_eq!(member::reveal(&store, &ms, &who, m.id(), Protected::IdCard).await.unwrap(), m.id_card, "{backend}");
        let n = member::reencrypt_all(
            &store,
            &xianfeng_core::auth::operator::security_admin(),
            &Who::operator("test"),
            &mut |_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(n as usize, p.members.len(), "{backend}: every member re-encrypted");
        let stale = store
            .db
            .r()
            .fetch_scalar_i64(q!("SELECT COUNT(*) AS v FROM members WHERE id_card_enc NOT LIKE 'k2:%'"))
            .await
            .unwrap();
        assert_eq!(stale, 0, "{backend}");
        assert_eq!(
            member::reencrypt_all(
                &store,
                &xianfeng_core::auth::operator::security_admin(),
                &Who::operator("test"),
                &mut |_, _| {}
            )
            .await
            .unwrap(),
            0,
            "{backend}: nothing left"
        );
        store.db.close().await;

        // Without the old key the data still reads: it is all under k2 now.
        let store = Store::open(&url, keys(&[("k2", 2)], "k2")).await.unwrap();
        let ms = testkit::member_scope(&store, &admin).await.unwrap();
        assert_eq!(member::reveal(&store, &ms, &who, m.id(), Protected::Phone).await.unwrap(), m.phone, "{backend}");
        // A wrong key is detected, never silently decrypted.
        store.db.close().await;
        let wrong = Store::open(&url, keys(&[("k2", 9)], "k2")).await.unwrap();
        let ms = testkit::member_scope(&wrong, &admin).await.unwrap();
        assert!(member::reveal(&wrong, &ms, &who, m.id(), Protected::IdCard).await.is_err(), "{backend}");
        wrong.db.close().await;
    }
}
