//! Points 10 and 11: every refusal in the envelope, and no input crashes a request.

use super::*;

/// Point 10: every API refusal — malformed JSON, wrong types, missing fields,
/// wrong content type, bad path and query values, duplicated fields, bodies
/// over the limit, unknown routes and wrong methods — answers the envelope.
#[tokio::test]
async fn every_api_refusal_is_in_the_envelope() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let r = Client::new(&store).get("/api/v1/recruitment/steps").await;
        assert_envelope(&r, StatusCode::UNAUTHORIZED, &format!("{backend}: no operation answers without a session"));
        let mut c = Client::new(&store);
        c.api_login("gwadmin", PASSWORD).await;
        let zhang = p.member("张伟").id();
        let json = Some("application/json");

        let r = raw(&mut c, "POST", "/api/v1/members", json, b"{\"name\": ".to_vec()).await;
        assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: malformed JSON"));
        let r = raw(&mut c, "POST", "/api/v1/members", json, b"{\"name\": 5}".to_vec()).await;
        assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: wrong type"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("name"), "{backend}: the field is named");
        let r = c.json("PUT", &format!("/api/v1/members/{zhang}"), serde_json::json!({ "name": "张伟" })).await;
        assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: missing field"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("version"), "{backend}: {}", r.text());
        let r = raw(&mut c, "POST", "/api/v1/members", Some("text/plain"), b"name=x".to_vec()).await;
        assert_envelope(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("{backend}: wrong content type"));
        let r = raw(&mut c, "POST", "/api/v1/members", None, b"{}".to_vec()).await;
        assert_envelope(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("{backend}: no content type"));
        let r = c.get("/api/v1/members/abc").await;
        assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: bad path value"));
        let r = c.get("/api/v1/members/99999999999999999999999").await;
        assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: path value out of range"));
        let r = c.get("/api/v1/members?name=a&name=b").await;
        assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: duplicated query field"));
        let big = format!("{{\"name\": \"{}\"}}", "x".repeat(5 * 1024 * 1024));
        let r = raw(&mut c, "POST", "/api/v1/members", json, big.into_bytes()).await;
        assert_envelope(&r, StatusCode::PAYLOAD_TOO_LARGE, &format!("{backend}: body over the limit"));
        let r = c.get("/api/v1/no-such-thing").await;
        assert_envelope(&r, StatusCode::NOT_FOUND, &format!("{backend}: unknown route"));
        let r = raw(&mut c, "DELETE", "/api/v1/members", None, Vec::new()).await;
        assert_envelope(&r, StatusCode::METHOD_NOT_ALLOWED, &format!("{backend}: wrong method"));
        assert!(r.headers.get(header::ALLOW).is_some(), "{backend}: 405 says which methods are allowed");
        // A page answers a page, not English text.
        let r = c.get("/members/abc").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(r.text().contains("<html") && has_chinese(&r.text()), "{backend}: {}", r.text());
    }
}

/// Point 11: full-width digits are read as digits; other characters in an ID
/// number, control characters in any text, and page numbers out of range are
/// refused with the field named — never a panic or a 5xx.
#[tokio::test]
async fn bad_input_never_crashes_a_request() {
    for (backend, store) in testkit::all_stores().await {
        let p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.api_login("gwadmin", PASSWORD).await;
        let branch = p.branch_a1.id;

        // 11010519491231002X typed with a Chinese input method.
        let mut wide = member_json("全角号", "１１０１０５１９４９１２３１００２Ｘ", branch);
        wide["gender"] = "女".into();
        let r = c.json("POST", "/api/v1/members", wide).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.text());
        assert_eq!(r.json()["birth_date"], "1949-12-31", "{backend}: read as the ASCII number");
        // A non-digit among the first 17 characters: refused by field, no panic.
        for bad in ["11010５19491231002é", "1101051949123100é2", "张1010519491231002X"] {
            let r = c.json("POST", "/api/v1/members", member_json("坏号码", bad, branch)).await;
            assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: {bad}"));
            assert_eq!(r.json()["error"]["fields"][0]["field"], "id_card", "{backend}: {}", r.text());
        }
        // A control character in an org's name (POST /orgs answered 201).
        let r = c
            .json(
                "POST",
                "/api/v1/orgs",
                serde_json::json!({ "parent_id": p.committee_a.id, "name": "坏\u{0}支部", "kind": "branch" }),
            )
            .await;
        assert_envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{backend}: NUL in a name"));
        assert_eq!(r.json()["error"]["fields"][0]["field"], "name", "{backend}");
        let r =
            c.form(&format!("/orgs/{}/new", p.committee_a.id), &[("name", "坏\u{1}支部"), ("kind", "branch")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: the page refuses it too");
        // Paging out of range is refused, not coerced or echoed.
        for q in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=4611686018427387904",
            "per_page=0",
            "per_page=100000",
            "per_page=-5",
        ] {
            let r = c.get(&format!("/api/v1/members?{q}")).await;
            assert_envelope(&r, StatusCode::BAD_REQUEST, &format!("{backend}: {q}"));
            let r = c.get(&format!("/members?{q}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}: page {q}");
        }
        assert_eq!(c.get("/api/v1/members?page=２").await.status, StatusCode::OK, "{backend}: a full-width 2 is 2");

        // A fuzz over every string field of a member and an org: no 5xx, always the envelope.
        let payloads = [
            "１２３４５６７８９０",
            "e\u{301}\u{302}\u{303}",
            "😀👨‍👩‍👧‍👦",
            "\u{0}\u{1}\u{1b}[31m",
            "'; DROP TABLE members; --",
            "<script>alert(1)</script>",
        ];
        let long = "长".repeat(10_000);
        let fields = [
            "name",
            "gender",
            "ethnicity",
            "id_card",
            "phone",
            "education",
            "category",
            "position",
            "cadre_rank",
            "native_place",
            "address",
            "community",
            "join_date",
            "full_date",
            "birth_date",
            "status",
            "org_id",
            "group_id",
        ];
        let birth = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
        let mut seq = 0;
        for field in fields {
            for payload in payloads.iter().copied().chain([long.as_str()]) {
                seq += 1;
                // Odd sequence numbers: men, as member_json says.
                let id = xianfeng_core::idcard::compose(520102, birth, seq * 2 + 1);
                let mut body = member_json("模糊", &id, branch);
                body[field] = serde_json::Value::String(payload.to_string());
                let r = c.json("POST", "/api/v1/members", body).await;
                assert!(
                    r.status.is_client_error() || r.status == StatusCode::CREATED,
                    "{backend} {field}: {}",
                    r.status
                );
                if r.status.is_client_error() {
                    assert_envelope(&r, r.status, &format!("{backend}: {field}={payload:.20}"));
                }
            }
        }
        for payload in payloads.iter().copied().chain([long.as_str()]) {
            let body = serde_json::json!({ "parent_id": p.committee_a.id, "name": payload, "kind": "branch", "district": payload });
            let r = c.json("POST", "/api/v1/orgs", body).await;
            assert!(r.status.as_u16() < 500, "{backend} org name {payload:.20}: {}", r.status);
        }
    }
}

/// Point 11, the import: a full-width digit in an ID number (which panicked
/// the request) is read as a digit; a letter among the first 17 characters is
/// one row's error with its row and column, and nothing is written.
#[tokio::test]
async fn an_import_with_foreign_characters_names_the_row() {
    for (backend, store) in testkit::all_stores().await {
        let _p = province_with_accounts(&store).await;
        let mut c = Client::new(&store);
        c.api_login("unita", PASSWORD).await;
        let birth = chrono::NaiveDate::from_ymd_opt(1991, 1, 1).unwrap();
        let wide = |s: &str| -> String {
            s.chars()
                .map(|ch| if ch.is_ascii_digit() { char::from_u32(ch as u32 + 0xFEE0).unwrap() } else { ch })
                .collect()
        };
        let mk = |name: &str, seq: u32, id: String| xianfeng_core::member::MemberInput {
            name: name.into(),
            gender: if seq % 2 == 1 { "男".into() } else { "女".into() },
            ethnicity: "汉族".into(),
            id_card: id,
            status: "正式党员".into(),
            join_date: "2015-01-01".into(),
            full_date: "2016-01-01".into(),
            org_id: "办公室党支部".into(),
            ..Default::default()
        };
        let good = xianfeng_core::idcard::compose(520103, birth, 401);
        let mut rows = vec![mk("全角一", 401, wide(&good))];
        for i in 0..48 {
            rows.push(mk(&format!("批量{i}"), 403 + 2 * i, xianfeng_core::idcard::compose(520103, birth, 403 + 2 * i)));
        }
        let mut bad = xianfeng_core::idcard::compose(520103, birth, 501);
        bad.replace_range(8..9, "é");
        rows.push(mk("坏号码", 501, bad));
        let r = c.bytes("/api/v1/members/import", xianfeng_web::xlsx::synth_members_file(&rows)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", r.text());
        let errs = r.json()["errors"].as_array().unwrap().clone();
        assert_eq!(errs.len(), 1, "{backend}: only the row with é: {errs:?}");
        assert_eq!(errs[0]["column"], "公民身份号码", "{backend}");
        assert_eq!(errs[0]["row"], 52, "{backend}: the 50th data row (the template has a note row and a header)");
        assert_eq!(c.get("/api/v1/members/count").await.json()["total"], 5, "{backend}: nothing written");
        rows.pop();
        let r = c.bytes("/api/v1/members/import", xianfeng_web::xlsx::synth_members_file(&rows)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: the full-width number reads as digits: {}", r.text());
    }
}
