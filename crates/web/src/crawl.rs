//! The application reading itself as a user would: from the home page, a
//! signed-in account follows every link it is shown (one or two addresses of
//! each kind, ids taken as they come) and reports what a user would trip
//! over — a link or menu entry that answers 403, 404 or 5xx, a page too big
//! to load on a phone, a `<select>` too long to choose from (a picker must
//! search, not list). The crawl test runs it on the test province for every
//! role; `xianfeng bench --only crawl` runs it on the demo province at scale.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

/// What a page may weigh.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_elements: usize,
    pub max_options: usize,
    /// Addresses of one kind (ids replaced) visited per account.
    pub per_kind: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 300 * 1024, max_elements: 3_000, max_options: 200, per_kind: 2 }
    }
}

/// The worst of one measure and where it was seen.
#[derive(Clone, Debug, Default)]
pub struct Worst<T> {
    pub value: T,
    pub at: String,
}

impl<T: PartialOrd + Copy> Worst<T> {
    fn see(&mut self, value: T, at: impl FnOnce() -> String) {
        if value > self.value {
            self.value = value;
            self.at = at();
        }
    }

    fn merge(&mut self, other: &Worst<T>) {
        if other.value > self.value {
            *self = Worst { value: other.value, at: other.at.clone() };
        }
    }
}

/// What one crawl (or several, merged) found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Pages requested (after redirects), HTML or not.
    pub pages: usize,
    pub largest_bytes: Worst<usize>,
    pub most_elements: Worst<usize>,
    pub widest_select: Worst<usize>,
    pub slowest_ms: Worst<f64>,
    /// Each in words: who, which address, linked from where, what went wrong.
    pub problems: Vec<String>,
}

impl Report {
    pub fn merge(&mut self, other: &Report) {
        self.pages += other.pages;
        self.largest_bytes.merge(&other.largest_bytes);
        self.most_elements.merge(&other.most_elements);
        self.widest_select.merge(&other.widest_select);
        self.slowest_ms.merge(&other.slowest_ms);
        self.problems.extend(other.problems.iter().cloned());
    }
}

/// Crawls `app` as the holder of session `token` (the `xf_session` cookie),
/// naming it `who` in the report.
pub async fn crawl(app: &Router, token: &str, who: &str, limits: Limits) -> Report {
    let mut report = Report::default();
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<(String, String)> = VecDeque::from([("/".to_string(), "登录后".to_string())]);
    while let Some((url, from)) = queue.pop_front() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let n = per_kind.entry(kind_of(&url)).or_default();
        if *n >= limits.per_kind {
            continue;
        }
        *n += 1;
        let started = Instant::now();
        let mut page = get(app, &url, token).await;
        let mut hops = 0;
        while let Some(to) = page.as_ref().ok().and_then(|p| p.location.clone()) {
            if hops >= 3 {
                break;
            }
            page = get(app, &to, token).await;
            hops += 1;
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        report.pages += 1;
        report.slowest_ms.see(ms, || format!("{who} {url}"));
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                report.problems.push(format!("{who}: {url}（来自 {from}）无法读取：{e}"));
                continue;
            }
        };
        if page.status != StatusCode::OK {
            report.problems.push(format!("{who}: {url}（来自 {from}）返回 {}", page.status.as_u16()));
            continue;
        }
        if !page.html {
            continue;
        }
        let html = String::from_utf8_lossy(&page.body);
        let (bytes, nodes, options) = (page.body.len(), elements(&html), widest_select(&html));
        report.largest_bytes.see(bytes, || format!("{who} {url}"));
        report.most_elements.see(nodes, || format!("{who} {url}"));
        report.widest_select.see(options, || format!("{who} {url}"));
        if bytes > limits.max_bytes || nodes > limits.max_elements {
            report.problems.push(format!("{who}: {url} 有 {bytes} 字节、{nodes} 个元素"));
        }
        if options > limits.max_options {
            report.problems.push(format!("{who}: {url} 有一个 {options} 项的下拉框"));
        }
        for link in links(&html) {
            if !seen.contains(&link) {
                queue.push_back((link, url.clone()));
            }
        }
    }
    report
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    html: bool,
    body: Vec<u8>,
}

async fn get(app: &Router, path: &str, token: &str) -> Result<Page, String> {
    let req = Request::get(path)
        .header(header::COOKIE, format!("xf_session={token}"))
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let res = app.clone().oneshot(req).await.map_err(|e| e.to_string())?;
    let status = res.status();
    let location = if status.is_redirection() {
        res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string)
    } else {
        None
    };
    let html = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.map_err(|e| e.to_string())?.to_vec();
    Ok(Page { status, location, html, body })
}

/// The kind of an address: its path with every number replaced by `{n}`.
pub fn kind_of(path: &str) -> String {
    let p = path.split(['?', '#']).next().unwrap_or_default();
    p.split('/')
        .map(|s| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { "{n}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The same-site addresses a page links to (`href` of `a`), downloads and
/// sign-out left out.
pub fn links(html: &str) -> Vec<String> {
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
pub fn elements(html: &str) -> usize {
    html.as_bytes().windows(2).filter(|w| w[0] == b'<' && w[1].is_ascii_alphabetic()).count()
}

/// The largest number of options in one `<select>` of a page.
pub fn widest_select(html: &str) -> usize {
    html.split("<select")
        .skip(1)
        .map(|s| s.split("</select>").next().unwrap_or_default().matches("<option").count())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crawler_reads_links_kinds_and_selects() {
        let html = r#"<a href="/members/12?x=1&amp;y=2#top">a</a><a href="https://x.org/">b</a><a href="/dues/cycles.xlsx">c</a>
        <a href="/logout">d</a><select><option>1</option><option>2</option></select><select><option>3</option></select>"#;
        assert_eq!(links(html), vec!["/members/12?x=1&y=2".to_string()]);
        assert_eq!(kind_of("/members/12/edit?x=1"), "/members/{n}/edit");
        assert_eq!(widest_select(html), 2);
        assert_eq!(elements(html), 9);
    }

    #[test]
    fn the_worst_is_kept_with_where_it_was() {
        let mut a = Report::default();
        a.largest_bytes.see(10, || "a /x".into());
        a.largest_bytes.see(5, || "a /y".into());
        let mut b = Report { pages: 3, ..Default::default() };
        b.largest_bytes.see(20, || "b /z".into());
        a.merge(&b);
        assert_eq!((a.pages, a.largest_bytes.value, a.largest_bytes.at.as_str()), (3, 20, "b /z"));
    }
}
