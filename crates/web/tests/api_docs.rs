//! The API document and the served API are the same set of operations, in
//! both directions: every route an area's `api()` serves is documented in
//! the areas' registrations (`openapi::operations()`), and every documented operation is served.

use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// (method, path) of every route declared in the `api()` functions of the
/// web crate's sources (the router the API is nested from).
fn served() -> BTreeSet<(String, String)> {
    served_by().into_iter().map(|(_, route)| route).collect()
}

/// (area, (method, path)) of every route in an `api()` function; the area is
/// the module the function is in (`src/<area>.rs` or `src/<area>/…`).
fn served_by() -> BTreeSet<(String, (String, String))> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeSet::new();
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("src readable") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f).expect("source readable");
        let rel = f.strip_prefix(&src).expect("under src");
        let area = rel.iter().next().and_then(|c| c.to_str()).unwrap_or_default().trim_end_matches(".rs").to_string();
        let Some(start) = text.find("pub fn api() -> Router<AppState> {") else { continue };
        let body = &text[start..];
        let body = &body[..body.find("\n}").expect("the function ends")];
        for chunk in body.split(".route(").skip(1) {
            let path = chunk.split('"').nth(1).expect("a route path").to_string();
            let rest = &chunk[chunk.find(',').expect("a handler")..];
            for m in METHODS {
                let call = format!("{m}(");
                for (i, _) in rest.match_indices(&call) {
                    let before = rest[..i].chars().last().unwrap_or(' ');
                    if !(before.is_alphanumeric() || before == '_') {
                        out.insert((area.clone(), (m.to_string(), path.clone())));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_served_route_is_documented_and_every_documented_route_is_served() {
    let served = served();
    assert!(served.len() > 100, "the parser finds the routes: {served:?}");
    let documented: BTreeSet<(String, String)> =
        xianfeng_web::openapi::operations().iter().map(|op| (op.0.to_string(), op.1.to_string())).collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(undocumented.is_empty(), "served but not documented in its area: {undocumented:?}");
    assert!(unserved.is_empty(), "documented but not served: {unserved:?}");
}

/// One registration per area: each area documents exactly the routes its own
/// `api()` serves — the documentation sits beside the routes it describes.
#[test]
fn each_area_documents_its_own_routes() {
    let served = served_by();
    let mut names = BTreeSet::new();
    for area in xianfeng_web::AREAS {
        assert!(names.insert(area.name), "{} is listed once in AREAS", area.name);
        let own: BTreeSet<(String, String)> =
            served.iter().filter(|(a, _)| a == area.name).map(|(_, route)| route.clone()).collect();
        let documented: BTreeSet<(String, String)> =
            area.operations.iter().map(|op| (op.0.to_string(), op.1.to_string())).collect();
        assert_eq!(documented, own, "{}: its operations are the routes its api() serves", area.name);
    }
    let areas_serving: BTreeSet<&str> = served.iter().map(|(a, _)| a.as_str()).collect();
    for a in areas_serving {
        assert!(names.contains(a), "{a} serves API routes but is not listed in AREAS");
    }
}
