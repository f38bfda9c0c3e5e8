//! Point 1: masked means unrecoverable.

use super::*;

/// Runs of `len` characters from `alphabet`, bounded by anything else.
fn runs(text: &str, len: usize, alphabet: impl Fn(char) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if alphabet(c) {
            cur.push(c);
        } else {
            if cur.chars().count() == len {
                out.push(cur.clone());
            }
            cur.clear();
        }
    }
    out
}

/// How many numbers remain for someone who knows everything about the person
/// but the number (region code, birth date, gender: the worst case) and has
/// read `tokens`: the characters of every token that agrees with the number
/// are known to them. One candidate left means the number is rebuilt.
fn id_candidates(id: &str, tokens: &[String]) -> usize {
    let id: Vec<char> = id.chars().collect();
    let mut known = [false; 18];
    for t in tokens {
        let t: Vec<char> = t.chars().collect();
        if t.iter().zip(&id).all(|(a, b)| *a == '*' || a == b) {
            for (i, c) in t.iter().enumerate() {
                known[i] |= *c != '*';
            }
        }
    }
    let body: String = id[..14].iter().collect();
    let gender_odd = id[16].to_digit(10).unwrap() % 2;
    (0..1000u32)
        .filter(|seq| seq % 2 == gender_odd)
        .filter(|seq| {
            let first17 = format!("{body}{seq:03}");
            let cand: Vec<char> =
                format!("{first17}{}", xianfeng_core::idcard::check_char(&first17).unwrap()).chars().collect();
            (14..18).all(|i| !known[i] || cand[i] == id[i])
        })
        .count()
}

/// Point 1: masked means unrecoverable. Everything a role without reveal
/// permission reads — the roster API page by page, every member's API item
/// and page, the roster page, the "masked" export — and, on SQLite, the whole
/// database file outside the ciphertexts, leaves fewer than 1 in 1,000 ID and
/// phone numbers rebuildable (here: none). The old mask (520102********1234)
/// beside the birth date rebuilt every one.
#[tokio::test]
async fn masked_numbers_cannot_be_rebuilt() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.page_login("seca1", PASSWORD).await; // a secretary may not reveal by default
        let mut seen = String::new();
        let list = c.get("/api/v1/members?per_page=200").await;
        assert_eq!(list.status, StatusCode::OK, "{backend}");
        seen.push_str(&list.text());
        for m in list.json()["items"].as_array().unwrap() {
            let id = m["id"].as_i64().unwrap();
            seen.push_str(&c.get(&format!("/api/v1/members/{id}")).await.text());
            seen.push_str(&c.get(&format!("/members/{id}")).await.text());
            seen.push_str(&c.get(&format!("/api/v1/members/{id}/history")).await.text());
        }
        seen.push_str(&c.get("/members?per_page=200").await.text());
        let x = c.get("/members/export.xlsx").await;
        assert_eq!(x.status, StatusCode::OK, "{backend}");
        for row in common::export_rows(&x.body) {
            seen.push_str(&row.join(" "));
            seen.push('\n');
        }
        if store.backend() == xianfeng_store::Backend::Sqlite {
            let files: Vec<(i64, String, String)> =
                store.db.r().fetch_all(xianfeng_store::q!("PRAGMA database_list")).await.unwrap();
            let file = &files.iter().find(|f| f.1 == "main").unwrap().2;
            let dump = std::process::Command::new("python3")
                .arg("-c")
                .arg(format!(
                    "import sqlite3\nfor l in sqlite3.connect('file:{file}?mode=ro', uri=True).iterdump(): print(l)"
                ))
                .output()
                .expect("python3 reads the database file");
            assert!(dump.status.success(), "{backend}: {}", String::from_utf8_lossy(&dump.stderr));
            let text = String::from_utf8_lossy(&dump.stdout).to_string();
            assert!(text.contains("INSERT INTO \"members\""), "{backend}: the dump holds the members");
            seen.push_str(&text);
        }

        let id_tokens = runs(&seen, 18, |c| c.is_ascii_digit() || c == 'X' || c == '*');
        let phone_tokens = runs(&seen, 11, |c| c.is_ascii_digit() || c == '*');
        let members: Vec<_> = p.members.iter().filter(|m| m.id_card.len() == 18).collect();
        let mut rebuilt_ids = 0;
        let mut fewest = usize::MAX;
        for m in &members {
            assert!(!seen.contains(&m.id_card), "{backend}: {}'s number in the clear", m.name());
            let n = id_candidates(&m.id_card, &id_tokens);
            fewest = fewest.min(n);
            if n <= 1 {
                rebuilt_ids += 1;
            }
        }
        let mut rebuilt_phones = 0;
        for m in members.iter().filter(|m| m.phone.len() == 11) {
            assert!(!seen.contains(&m.phone), "{backend}: {}'s phone in the clear", m.name());
            let phone: Vec<char> = m.phone.chars().collect();
            let mut known = [false; 11];
            for t in &phone_tokens {
                let t: Vec<char> = t.chars().collect();
                if t.iter().zip(&phone).all(|(a, b)| *a == '*' || a == b) {
                    for (i, ch) in t.iter().enumerate() {
                        known[i] |= *ch != '*';
                    }
                }
            }
            if known.iter().all(|k| *k) {
                rebuilt_phones += 1;
            }
        }
        assert!(members.len() >= 5, "{backend}: the fixture has members to try");
        assert!(rebuilt_ids * 1000 < members.len(), "{backend}: {rebuilt_ids} of {} ID numbers rebuilt", members.len());
        assert!(rebuilt_phones * 1000 < members.len(), "{backend}: {rebuilt_phones} phones rebuilt");
        assert!(fewest >= 100, "{backend}: at least 100 candidates for every number, fewest {fewest}");
        // The old mask beside the birth date: one candidate, the number itself.
        let old = format!("{}********{}", &members[0].id_card[..6], &members[0].id_card[14..]);
        assert_eq!(id_candidates(&members[0].id_card, &[old]), 1, "{backend}: the check itself can fail");
    }
}
