//! Every page every role can reach, by following what it is shown: from the
//! home page, each role follows every link of its menu and pages (one of each
//! kind of address, ids taken as they come) and the crawl fails on a link or
//! menu entry that answers 403, 404 or 5xx, on a page over 300 KB or 3,000
//! elements, and on a `<select>` with more than 200 options (a picker must
//! search, not list). The largest page and the largest select are printed.
//! This runs on the test province in CI; `xianfeng bench` measures the same
//! on the demo province at scale.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use axum::http::StatusCode;
use common::{Client, PASSWORD, province_with_accounts};
use xianfeng_store::testkit;

const MAX_BYTES: usize = 300 * 1024;
const MAX_ELEMENTS: usize = 3_000;
const MAX_OPTIONS: usize = 200;
/// Addresses of one kind (ids replaced) visited per role.
const PER_KIND: usize = 2;

const ROLES: [&str; 8] = ["gwadmin", "unita", "seca1", "member1", "jijian", "sysadm", "secadm", "audadm"];

/// The kind of an address: its path with every number replaced by `{n}`.
fn kind_of(path: &str) -> String {
    let p = path.split(['?', '#']).next().unwrap_or_default();
    p.split('/')
        .map(|s| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { "{n}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The same-site addresses a page links to (`href` of `a`), downloads and
/// sign-out left out.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some(end) = part.find('"') else { continue };
        let href = part[..end].replace("&amp;", "&");
        let href = href.split('#').next().unwrap_or_default().to_string();
        if !href.starts_with('/') || href.starts_with("//") || href.starts_with("/assets/") {
            continue;
        }
        let path = href.split('?').next().unwrap_or_default();
        if path.ends_with(".xlsx") || path.ends_with(".docx") || path.ends_with(".svg") || path.ends_with(".png") {
            continue;
        }
        if path == "/logout" || path.contains("/attachments/") || path.contains("/documents/") {
            continue;
        }
        out.push(href);
    }
    out
}

/// Elements on a page (opening tags).
fn elements(html: &str) -> usize {
    html.as_bytes().windows(2).filter(|w| w[0] == b'<' && w[1].is_ascii_alphabetic()).count()
}

/// The largest number of options in one `<select>` of a page.
fn widest_select(html: &str) -> usize {
    html.split("<select")
        .skip(1)
        .map(|s| s.split("</select>").next().unwrap_or_default().matches("<option").count())
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn every_role_reaches_only_pages_it_may_open_and_none_is_too_big() {
    for (backend, store) in testkit::all_stores().await {
        province_with_accounts(&store).await;
        let mut problems = Vec::new();
        let (mut largest, mut widest) = ((0usize, String::new()), (0usize, String::new()));
        let mut pages_seen = 0;
        for role in ROLES {
            let mut c = Client::new(&store);
            let r = c.page_login(role, PASSWORD).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {role} signs in");
            let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut queue: VecDeque<(String, String)> = VecDeque::from([("/".to_string(), "登录后".to_string())]);
            while let Some((url, from)) = queue.pop_front() {
                if !seen.insert(url.clone()) {
                    continue;
                }
                let kind = kind_of(&url);
                let n = per_kind.entry(kind).or_default();
                if *n >= PER_KIND {
                    continue;
                }
                *n += 1;
                let mut r = c.get(&url).await;
                let mut hops = 0;
                while r.status == StatusCode::SEE_OTHER && hops < 3 {
                    let to = r.location();
                    r = c.get(&to).await;
                    hops += 1;
                }
                pages_seen += 1;
                let status = r.status.as_u16();
                if status != 200 {
                    problems.push(format!("{role}: {url} (linked from {from}) answered {status}"));
                    continue;
                }
                let is_html = r.headers.get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
                if !is_html {
                    continue;
                }
                let html = r.text();
                let (bytes, nodes, options) = (r.body.len(), elements(&html), widest_select(&html));
                if bytes > largest.0 {
                    largest = (bytes, format!("{role} {url}"));
                }
                if options > widest.0 {
                    widest = (options, format!("{role} {url}"));
                }
                if bytes > MAX_BYTES || nodes > MAX_ELEMENTS {
                    problems.push(format!("{role}: {url} is {bytes} bytes, {nodes} elements"));
                }
                if options > MAX_OPTIONS {
                    problems.push(format!("{role}: {url} has a select of {options} options"));
                }
                for link in links(&html) {
                    if !seen.contains(&link) {
                        queue.push_back((link, url.clone()));
                    }
                }
            }
        }
        println!(
            "{backend}: {pages_seen} pages; largest {} bytes ({}); widest select {} options ({})",
            largest.0, largest.1, widest.0, widest.1
        );
        assert!(pages_seen > 150, "{backend}: the crawl reaches the application ({pages_seen} pages)");
        assert!(problems.is_empty(), "{backend}:\n{}", problems.join("\n"));
    }
}

#[test]
fn the_crawler_reads_links_kinds_and_selects() {
    let html = r#"<a href="/members/12?x=1&amp;y=2#top">a</a><a href="https://x.org/">b</a><a href="/dues/cycles.xlsx">c</a>
        <a href="/logout">d</a><select><option>1</option><option>2</option></select><select><option>3</option></select>"#;
    assert_eq!(links(html), vec!["/members/12?x=1&y=2".to_string()]);
    assert_eq!(kind_of("/members/12/edit?x=1"), "/members/{n}/edit");
    assert_eq!(widest_select(html), 2);
    assert_eq!(elements(html), 9);
}
