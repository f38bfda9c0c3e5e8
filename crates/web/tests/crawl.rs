//! Every page every role can reach, by following what it is shown: from the
//! home page, each role follows every link of its menu and pages (one of each
//! kind of address, ids taken as they come) and the crawl fails on a link or
//! menu entry that answers 403, 404 or 5xx, on a page over 300 KB or 3,000
//! elements, and on a `<select>` with more than 200 options (a picker must
//! search, not list). The largest page and the largest select are printed.
//! This runs on the test province in CI; `xianfeng bench --only crawl`
//! measures the same on the demo province at scale.

mod common;

use axum::http::StatusCode;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::testkit;
use xianfeng_web::crawl::{Limits, Report, crawl};

const ROLES: [&str; 8] = ["gwadmin", "unita", "seca1", "member1", "jijian", "sysadm", "secadm", "audadm"];

#[tokio::test]
async fn every_role_reaches_only_pages_it_may_open_and_none_is_too_big() {
    for (backend, store) in testkit::all_stores().await {
        province_with_accounts(&store).await;
        let mut all = Report::default();
        for role in ROLES {
            let mut c = Client::new(&store);
            let r = c.page_login(role, PASSWORD).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {role} signs in");
            let token = c.cookie.clone().expect("a session");
            let report = crawl(&c.app, &token, role, Limits::default()).await;
            assert!(report.pages > 2, "{backend}: {role} reaches more than its home page ({})", report.pages);
            all.merge(&report);
        }
        println!(
            "{backend}: {} pages; largest {} bytes ({}); most elements {} ({}); widest select {} options ({})",
            all.pages,
            all.largest_bytes.value,
            all.largest_bytes.at,
            all.most_elements.value,
            all.most_elements.at,
            all.widest_select.value,
            all.widest_select.at
        );
        assert!(all.pages > 150, "{backend}: the crawl reaches the application ({} pages)", all.pages);
        assert!(all.problems.is_empty(), "{backend}:\n{}", all.problems.join("\n"));
    }
}

/// The crawl notices what it is there to notice: a page of a thousand options
/// and a link that answers 404 are reported, with where they were.
#[tokio::test]
async fn the_crawl_reports_a_long_select_and_a_dead_link() {
    use axum::response::Html;
    use axum::routing::get;
    let options: String = (0..1000).map(|i| format!("<option>{i}</option>")).collect();
    let app = axum::Router::new()
        .route("/", get(|| async { Html(r#"<a href="/big">big</a><a href="/gone">gone</a>"#) }))
        .route("/big", get(move || async move { Html(format!("<select>{options}</select>")) }));
    let report = crawl(&app, "t", "someone", Limits::default()).await;
    assert_eq!(report.pages, 3);
    assert_eq!((report.widest_select.value, report.widest_select.at.as_str()), (1000, "someone /big"));
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(report.problems.iter().any(|p| p.contains("/gone") && p.contains("404")), "{:?}", report.problems);
}
