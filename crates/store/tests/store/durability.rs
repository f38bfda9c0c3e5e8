//! Commits wait for the disk on every server; only a bulk load (the demo
//! province) relaxes that, and restores it when done.

use xianfeng_store::testkit;

#[tokio::test]
async fn a_bulk_load_relaxes_durability_and_gives_it_back() {
    for (backend, store) in testkit::all_stores().await {
        let level = store.db.sync_level().await.unwrap();
        match backend {
            "sqlite" => {
                assert_eq!(level, Some(2), "a store opens with synchronous = FULL");
                store.db.bulk_loading(true).await.unwrap();
                assert_eq!(store.db.sync_level().await.unwrap(), Some(1), "NORMAL while loading");
                store.db.bulk_loading(false).await.unwrap();
                assert_eq!(store.db.sync_level().await.unwrap(), Some(2), "FULL again");
            }
            _ => {
                assert_eq!(level, None, "{backend}");
                store.db.bulk_loading(true).await.unwrap();
                store.db.bulk_loading(false).await.unwrap();
            }
        }
    }
}
