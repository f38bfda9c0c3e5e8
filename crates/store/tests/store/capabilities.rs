//! Capabilities all the way down: every public store function that reads or
//! writes through the database takes a capability (`OrgScope`, `MemberScope`,
//! `DisciplineScope`, `Attendee`, the admin triad's `UserAdmin` /
//! `SecurityAdmin` / `AuditReader`, …), runs inside a transaction the caller
//! opened with one (`&mut Tx`), or is named below with the reason it needs
//! none. A new function without a capability fails here until it takes one.

use std::collections::BTreeSet;

/// Parameter types that prove the caller's right (minted from a session by
/// `Actor`, or by the CLI's console), or an object made only with one.
const CAPABILITIES: [&str; 18] = [
    "OrgWrite",
    "MemberWrite",
    "Myself",
    "ReadScope",
    "ReadsAccounts",
    "OrgScope",
    "MemberScope",
    "DisciplineScope",
    "Attendee",
    "UserAdmin",
    "SecurityAdmin",
    "AuditReader",
    "CredentialApprover",
    "HigherCommittee",
    "Actor",
    "Importer",
    "Preparer",
    "Access",
];

/// (area, function, why it takes no capability).
const WITHOUT: &[(&str, &str, &str)] = &[
    // Signing in: there is no session yet, or the call is the session itself.
    ("auth", "login", "signing in"),
    ("auth", "session", "the session layer reading its own cookie"),
    ("auth", "open_session", "after a checked sign-in or activation"),
    ("auth", "actor_for", "builds the capability from a checked session"),
    ("auth", "switch_role", "the session's own roles"),
    ("auth", "logout", "the session's own token"),
    ("auth", "change_password", "the signed-in user's own password"),
    ("auth", "user_by_name", "sign-in lookup"),
    ("auth", "user_by_id", "the session's own user"),
    ("auth", "roles_of", "the session's own roles"),
    ("credential", "activate", "the owner with both halves of the code, before any session"),
    ("credential", "acknowledge_notice", "the signed-in user's own notice"),
    // Platform upkeep: schema, rules, audit chain, backups, caches.
    ("migrate", "migrate", "schema, no business data"),
    ("rules", "load", "rules are province-wide data every role reads"),
    ("rules", "seed_defaults", "national defaults at start-up"),
    ("audit", "checkpoint", "the server's witness of the chain head"),
    ("backup", "backup_sqlite", "the CLI's copy of the whole file"),
    ("org", "ensure_root", "start-up: the working committee's own org"),
    ("org", "root", "the root's id and path, no member data"),
    ("org", "anchor_of", "builds an actor's anchor at sign-in"),
    ("compliance", "clear_cache", "memory only"),
    ("ranking", "clear_cache", "memory only"),
    ("meeting", "kinds_on", "rules as data, the same for every role"),
    // Province-wide aggregates behind caches, reached only through scoped views.
    ("compliance", "load", "the cache under compliance::view"),
    ("compliance", "report", "the cache under compliance::view and the bulletin"),
    ("ranking", "compute", "the cache under ranking::table"),
    ("ranking", "placings", "the places kept under ranking::ranking and ranking::explain"),
    // Read-outs of a row the caller already read through its capability.
    ("meeting", "attendees", "of a MeetingRow read with a scope"),
    ("meeting", "observers", "of a MeetingRow read with a scope"),
    ("meeting", "attachments", "of a MeetingRow read with a scope"),
    ("meeting", "checked_in_count", "of a MeetingRow read with a scope"),
    ("first_agenda", "of_meeting", "of a MeetingRow read with a scope"),
    ("first_agenda", "owner_options", "of a MeetingRow read with a scope"),
    ("org", "posts", "of an OrgRow read with a scope"),
    ("org", "health", "of an OrgRow read with a scope"),
    ("org", "child_member_counts", "of OrgRows read with a scope"),
    ("member", "existing_ids", "of a chunk an Importer prepared"),
    ("transfer", "destinations", "the province's directory of branch names (no members)"),
    (
        "transfer",
        "destination_picks",
        "the same directory of branch names, for the transfer form's picker (no members)",
    ),
    ("transfer", "prior_of", "the member's own earlier units, for their own pages"),
];

/// (area, function, parameters) of every `pub fn` / `pub async fn` in the
/// store's sources, the area being the top-level module.
fn public_functions() -> Vec<(String, String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("src readable") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(&src).expect("under src");
            let area = rel.iter().next().and_then(|c| c.to_str()).unwrap_or_default().trim_end_matches(".rs");
            if area == "testkit" {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("source readable");
            for start in ["\npub fn ", "\npub async fn "] {
                for (at, _) in text.match_indices(start) {
                    let rest = &text[at + start.len()..];
                    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    let open = rest.find('(').expect("parameters");
                    let mut depth = 0;
                    let mut end = open;
                    for (i, c) in rest[open..].char_indices() {
                        match c {
                            '(' => depth += 1,
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    end = open + i;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    out.push((area.to_string(), name, rest[open + 1..end].to_string()));
                }
            }
        }
    }
    out
}

fn touches_data(params: &str) -> bool {
    ["store:", "db:", "c:", "conn:"].iter().any(|p| params.split(',').any(|x| x.trim().starts_with(p)))
}

#[test]
fn every_public_store_function_takes_a_capability_or_says_why_not() {
    let all = public_functions();
    assert!(all.len() > 150, "the parser finds the store's functions ({})", all.len());
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    for (area, name, params) in &all {
        if !touches_data(params) || params.contains("&mut Tx") || CAPABILITIES.iter().any(|c| params.contains(c)) {
            continue;
        }
        seen.insert((area.as_str(), name.as_str()));
        if !WITHOUT.iter().any(|(a, n, _)| a == area && n == name) {
            missing.push(format!("{area}::{name}({})", params.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
    }
    assert!(missing.is_empty(), "public store functions without a capability:\n{}", missing.join("\n"));
    let stale: Vec<_> = WITHOUT.iter().filter(|(a, n, _)| !seen.contains(&(*a, *n))).collect();
    assert!(stale.is_empty(), "listed as taking no capability but now taking one (remove them): {stale:?}");
}

/// Observable: every public async store operation opens a span (named after
/// the function, its target the area's module), so a slow query's warning and
/// a failure's error sit inside the operation and the request that ran it.
/// `skip_all`: no argument (names, ID numbers, form fields) enters the span.
#[test]
fn every_public_store_operation_opens_a_span() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    let mut seen = 0;
    let mut dirs = vec![src.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("src readable") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") || p.strip_prefix(&src).is_ok_and(|r| r.starts_with("testkit")) {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("source readable");
            let lines: Vec<&str> = text.lines().collect();
            for (i, l) in lines.iter().enumerate() {
                if let Some(rest) = l.strip_prefix("pub async fn ") {
                    seen += 1;
                    let above = if i > 0 { lines[i - 1] } else { "" };
                    if !above.starts_with("#[tracing::instrument(") || !above.contains("skip_all") {
                        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        missing.push(format!("{}: {name}", p.strip_prefix(&src).unwrap_or(&p).display()));
                    }
                }
            }
        }
    }
    assert!(seen > 150, "the scan finds the store's operations ({seen})");
    assert!(
        missing.is_empty(),
        "public store operations without a span (#[tracing::instrument(skip_all)]):\n{}",
        missing.join("\n")
    );
}
