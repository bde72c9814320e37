//! Issue 16 (security), what a user or a machine sees over HTTP: each test walks one finding
//! against the real router on 127.0.0.1.

mod support;

use jiff::civil::date;
use serde_json::{Value, json};
use support::{Backend, PASSWORD, spawn_app};

fn ticket(content: &str) -> Value {
    json!({"channel": "电话", "caller_name": "张三丰", "caller_phone": "13812345678", "category": "投诉", "address": "望江路128号", "content": content})
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// §1: the case answer carries no unmasked personal data (events' raw input included) unless
/// revealed, and revealing is a POST that is audited and refused to viewers.
#[tokio::test]
async fn api_answers_mask_personal_data_everywhere_and_reveal_is_an_audited_post_on_sqlite() {
    masking_and_reveal(Backend::Sqlite).await;
}

#[tokio::test]
async fn api_answers_mask_personal_data_everywhere_and_reveal_is_an_audited_post_on_postgresql() {
    masking_and_reveal(Backend::Postgres).await;
}

async fn masking_and_reveal(backend: Backend) {
    let t = spawn_app(backend, date(2026, 11, 20)).await;
    let (s, c) = t
        .api("handler")
        .create("hotline_ticket", None, None, ticket("个人信息测试"))
        .await;
    assert_eq!(s, 201, "{c}");
    let id = c["case_id"].as_i64().unwrap();
    for who in ["viewer", "handler", "admin"] {
        let (s, v) = t.api(who).get(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(s, 200);
        let text = v.to_string();
        assert!(
            !text.contains("13812345678") && !text.contains("张三丰"),
            "{who} reads unmasked personal data: {text}"
        );
        assert!(text.contains("138****5678"), "{text}");
    }
    let before = t.audit_count().await;
    let (_, v) = t
        .api("admin")
        .get(&format!("/api/v1/cases/{id}?reveal=true"))
        .await;
    assert!(
        !v.to_string().contains("13812345678"),
        "a GET never reveals"
    );
    assert_eq!(t.audit_count().await, before, "and writes nothing");
    let (s, _) = t
        .api("viewer")
        .post(&format!("/api/v1/cases/{id}/reveal"), json!({}))
        .await;
    assert_eq!(s, 403, "viewers may not reveal");
    let (s, v) = t
        .api("admin")
        .post(&format!("/api/v1/cases/{id}/reveal"), json!({}))
        .await;
    assert_eq!(s, 200);
    assert!(v.to_string().contains("13812345678"));
    assert_eq!(t.audit_count().await, before + 1, "the reveal is audited");
    // The page's reveal is a form POST too.
    let b = t.browser("admin").await;
    let html = b
        .get(t.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("13812345678"));
    assert!(html.contains(&format!("action=\"/cases/{id}/reveal\"")));
    t.stop().await;
}

fn clue(party: &str, facts: &str) -> Value {
    json!({"domain": "城市管理", "discovered_on": "2026-11-02", "act_on": "2026-11-01", "procedure": "普通程序", "party_kind": "自然人",
           "party_name": party, "party_id_number": "360426199101010071", "party_phone": "13912345678", "address": "望江路88号", "facts": facts})
}

/// §2 and §12: every published free text is redacted (facts, legal basis, decision number and
/// title), the clerk sees the redacted text before publishing, and the decision date shows.
#[tokio::test]
async fn published_free_text_is_redacted_and_previewed_and_shows_the_decision_date() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let (o, l) = (t.api("officer"), t.api("leader"));
    let facts =
        "当事人王小明（身份证360426199101010071，手机13912345678）在人行道设摊，王小明称不知情";
    let (s, c) = o
        .create(
            "enforcement_case",
            None,
            Some("2026-11-03"),
            clue("王小明", facts),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let id = c["case_id"].as_i64().unwrap();
    let ok = |r: (u16, Value)| assert_eq!(r.0, 200, "{}", r.1);
    ok(o.step(
        id,
        "file",
        Some("2026-11-04"),
        json!({"officers": ["ZF01", "ZF02"]}),
    )
    .await);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"photo".to_vec())
            .file_name("a.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let r = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/cases/{id}/evidence")))
        .basic_auth("officer", Some(PASSWORD))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    ok(o.step(id, "add_evidence", Some("2026-11-05"), json!({}))
        .await);
    ok(o.step(id, "notify", Some("2026-11-05"), json!({"intended_penalty": "罚款", "intended_amount": "500", "legal_basis": "《城市市容和环境卫生管理条例》，王小明电话0791-86543210"})).await);
    ok(l.step(id, "decide", Some("2026-11-13"), json!({"outcome": "处罚", "penalty": "罚款", "fine_amount": "500", "decision_number": "望综执罚〔2026〕12号（王小明）"})).await);

    let b = t.browser("handler").await;
    let html = b
        .get(t.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("公示预览"), "the clerk sees the preview");
    let preview = html.split("公示预览").nth(1).unwrap();
    let preview = preview.split("</dl>").next().unwrap();
    assert!(
        preview.contains("王**") && preview.contains("2026-11-13"),
        "{preview}"
    );
    assert!(
        !preview.contains("王小明") && !preview.contains("13912345678"),
        "{preview}"
    );

    ok(t.api("handler")
        .step(id, "publish", Some("2026-11-16"), json!({}))
        .await);
    let public = reqwest::get(t.url("/api/v1/public/decisions"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for secret in ["王小明", "360426199101010071", "13912345678", "86543210"] {
        assert!(!public.contains(secret), "{secret} published: {public}");
    }
    let v: Value = serde_json::from_str(&public).unwrap();
    assert_eq!(v[0]["body"]["decided_on"], "2026-11-13", "{public}");
    let html = reqwest::get(t.url(&format!("/public/decisions/{}", v[0]["id"])))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("决定日期") && html.contains("2026-11-13"));
    assert!(!html.contains("王小明"));
    t.stop().await;
}

/// §10: a body's size and shape are bounded before any work; the refusal names the field.
#[tokio::test]
async fn requests_are_bounded_in_size_and_shape_before_any_work() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let h = t.api("handler");
    let mut input = serde_json::Map::new();
    for i in 0..30_000 {
        input.insert(format!("k{i}"), json!("x"));
    }
    let started = std::time::Instant::now();
    let (s, e) = h
        .post(
            "/api/v1/cases",
            json!({"case_type": "hotline_ticket", "input": input}),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    assert_eq!(e["problems"][0]["field"], "input", "{e}");
    assert!(
        started.elapsed().as_millis() < 2_000,
        "refused before any work"
    );
    let mut deep = json!("x");
    for _ in 0..20 {
        deep = json!({"a": deep});
    }
    let (s, e) = h
        .post(
            "/api/v1/cases",
            json!({"case_type": "hotline_ticket", "input": {"content": deep}}),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    assert!(e["message"].as_str().unwrap().contains("嵌套"), "{e}");
    let (s, e) = h
        .post(
            "/api/v1/cases",
            json!({"case_type": "hotline_ticket", "input": {"content": "长".repeat(30_000)}}),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    assert_eq!(e["problems"][0]["field"], "input.content", "{e}");
    let big = "x".repeat(2 * 1024 * 1024);
    let (s, e) = h
        .post(
            "/api/v1/cases",
            json!({"case_type": "hotline_ticket", "input": {"content": big}}),
        )
        .await;
    assert_eq!(s, 413, "{e}");
    // A caller without the role is refused before the input is looked at: one refusal.
    let (_, c) = h
        .create("hotline_ticket", None, None, ticket("角色检查"))
        .await;
    let id = c["case_id"].as_i64().unwrap();
    let many: serde_json::Map<String, Value> =
        (0..150).map(|i| (format!("k{i}"), json!("x"))).collect();
    let (s, e) = t
        .api("viewer")
        .step(id, "dispatch", None, Value::Object(many))
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["problems"].as_array().unwrap().len(), 1, "{e}");
    assert_eq!(e["problems"][0]["code"], "common.role_not_allowed", "{e}");
    t.stop().await;
}

/// §7: HTTP Basic is throttled per address and audited like the form; API tokens act as their
/// user, are stored hashed and can be revoked.
#[tokio::test]
async fn basic_auth_is_throttled_and_audited_and_tokens_act_as_their_user() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let c = reqwest::Client::new();
    let before = t.audit_count().await;
    for _ in 0..5 {
        let r = c
            .get(t.url("/api/v1/me"))
            .basic_auth("leader", Some("wrong-password"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    assert_eq!(t.audit_count().await, before + 5, "failures are audited");
    let r = c
        .get(t.url("/api/v1/me"))
        .basic_auth("leader", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "this address backs off");
    let e: Value = r.json().await.unwrap();
    assert!(
        e["message"].as_str().unwrap().contains("登录失败次数过多"),
        "{e}"
    );
    // Unknown logins do the same work (a real hash is verified): timing is comparable.
    let time = |login: &'static str| {
        let c = c.clone();
        let url = t.url("/api/v1/me");
        async move {
            let s = std::time::Instant::now();
            let _ = c.get(url).basic_auth(login, Some("wrong")).send().await;
            s.elapsed().as_secs_f64()
        }
    };
    let known = time("officer").await;
    let unknown = time("nobody-such").await;
    assert!(
        unknown > known / 4.0,
        "unknown {unknown}s vs known {known}s"
    );

    // Tokens: created by the user, shown once, act as the user, revocable, audited.
    let h = t.api("handler");
    let (s, tok) = h.post("/api/v1/tokens", json!({"name": "数据对接"})).await;
    assert_eq!(s, 201, "{tok}");
    let token = tok["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("fzt_"));
    use sqlx::Row;
    let stored: String = sqlx::query("SELECT token_hash FROM api_tokens")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_ne!(stored, token, "only the hash is stored");
    let me: Value = c
        .get(t.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["login"], "handler");
    let r = c
        .post(t.url("/api/v1/cases"))
        .bearer_auth(&token)
        .json(&json!({"case_type": "hotline_ticket", "input": ticket("令牌登记")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "a token needs no CSRF header");
    let r = c
        .delete(t.url(&format!("/api/v1/tokens/{}", tok["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(t.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a revoked token no longer works");
    let (_, a) = t.api("admin").get("/api/v1/audit?entity=user").await;
    let actions: Vec<&str> = a
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"create_token") && actions.contains(&"revoke_token"),
        "{actions:?}"
    );
    // The web page creates one too.
    let b = t.browser("officer").await;
    let html = b
        .get(t.url("/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let html = b
        .post(t.url("/tokens"))
        .form(&[("name", "报表工具"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("fzt_") && html.contains("报表工具"), "{html}");
    t.stop().await;
}

/// §6: `next` after login stays on this site; control characters never give a 500.
#[tokio::test]
async fn next_after_login_stays_on_this_site() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let b = t.browser("handler").await;
    for (next, want) in [
        ("/\\evil.example", "/"),
        ("/\\/evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/%0d%0aSet-Cookie:%20x=1", "/%0d%0aSet-Cookie:%20x=1"),
        ("/cases?type=hotline_ticket", "/cases?type=hotline_ticket"),
    ] {
        let r = b
            .get(t.url("/login"))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(r.headers()["location"], want, "{next}");
    }
    // Decoded control characters in the form's next.
    let c = no_redirects();
    let html = c
        .get(t.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    for next in ["/\r\nSet-Cookie: x=1", "/\tx", "/\\evil.example"] {
        let r = c
            .post(t.url("/login"))
            .form(&[
                ("login", "handler"),
                ("password", PASSWORD),
                ("next", next),
                ("_csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/", "{next:?}");
    }
    t.stop().await;
}

/// §12: the framework's own rejections answer JSON in the documented shape; `page` out of range
/// is a 400 naming it; unknown API paths answer JSON.
#[tokio::test]
async fn framework_rejections_answer_json_in_the_error_shape() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let c = reqwest::Client::new();
    let check = |r: reqwest::Response, status: u16| async move {
        assert_eq!(r.status(), status);
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("application/json"), "{ct}");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["error"].is_string() && v["message"].is_string() && v["problems"].is_array(),
            "{v}"
        );
        v
    };
    let post = |body: &'static str, ct: Option<&'static str>| {
        let mut r = c
            .post(t.url("/api/v1/cases"))
            .basic_auth("handler", Some(PASSWORD))
            .body(body);
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        r.send()
    };
    check(
        post("{not json", Some("application/json")).await.unwrap(),
        400,
    )
    .await;
    let v = check(
        post(r#"{"case_type": 5, "input": {}}"#, Some("application/json"))
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(v["problems"][0]["field"], "case_type", "{v}");
    let v = check(
        post(r#"{"input": {}}"#, Some("application/json"))
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(v["problems"][0]["field"], "case_type", "{v}");
    check(
        post(r#"{"case_type": "hotline_ticket", "input": {}}"#, None)
            .await
            .unwrap(),
        415,
    )
    .await;
    let r = c
        .get(t.url("/api/v1/cases/abc"))
        .basic_auth("handler", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    check(r, 400).await;
    for q in ["page=0", "page=abc", "per_page=1000"] {
        let r = c
            .get(t.url(&format!("/api/v1/cases?{q}")))
            .basic_auth("handler", Some(PASSWORD))
            .send()
            .await
            .unwrap();
        let v = check(r, 400).await;
        let field = q.split('=').next().unwrap();
        assert_eq!(v["problems"][0]["field"], field, "{v}");
    }
    let r = c
        .get(t.url("/api/v1/public/decisions?page=-1"))
        .send()
        .await
        .unwrap();
    check(r, 400).await;
    let r = c
        .get(t.url("/api/v1/no-such-thing"))
        .basic_auth("handler", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    check(r, 404).await;
    // The OpenAPI document lists the rejections and gives formats.
    let doc: Value = c
        .get(t.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post_cases = &doc["paths"]["/api/v1/cases"]["post"]["responses"];
    for code in ["400", "401", "415", "422"] {
        assert!(
            post_cases.get(code).is_some(),
            "POST /cases lacks {code}: {post_cases}"
        );
    }
    assert!(
        doc["paths"]["/api/v1/cases/{id}"]["get"]["responses"]
            .get("404")
            .is_some()
    );
    t.stop().await;
}

/// §8: the smaller findings.
#[tokio::test]
async fn the_smaller_findings_hold() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    // Same "not found" for a missing and an out-of-scope case.
    let (_, c) = t
        .api("c1handler")
        .create("hotline_ticket", Some("C1"), None, ticket("望湖社区"))
        .await;
    let id = c["case_id"].as_i64().unwrap();
    let (s1, hidden) = t.api("c2handler").get(&format!("/api/v1/cases/{id}")).await;
    let (s2, missing) = t.api("c2handler").get("/api/v1/cases/999999").await;
    assert_eq!((s1, s2), (404, 404));
    assert_eq!(
        hidden, missing,
        "no difference between missing and out of scope"
    );

    // Security headers on pages, API answers and errors.
    let c = no_redirects();
    for path in [
        "/login",
        "/api/v1/me",
        "/public/decisions",
        "/api/v1/nothing",
    ] {
        let r = c.get(t.url(path)).send().await.unwrap();
        let h = r.headers();
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }

    // The login form needs its CSRF token.
    let r = c
        .post(t.url("/login"))
        .form(&[("login", "handler"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        403,
        "a login without the form's token is refused"
    );

    // Session ids are stored as a hash.
    let b = t.browser("handler").await;
    let _ = b;
    use sqlx::Row;
    let stored: Vec<String> = sqlx::query("SELECT id FROM sessions")
        .fetch_all(t.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let r = t.login_with(&c, "leader", PASSWORD).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let sid = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    assert!(!stored.contains(&sid));
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM sessions WHERE id = $1")
        .bind(&sid)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "the cookie's id is not in the table");

    // Five failures from one address do not lock the account for another address.
    let attacker = no_redirects();
    for _ in 0..6 {
        let _ = t.login_with(&attacker, "officer", "wrong-password").await;
    }
    assert_eq!(
        t.login_with(&attacker, "officer", PASSWORD).await.status(),
        401
    );
    let elsewhere = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    assert_eq!(
        t.login_with(&elsewhere, "officer", PASSWORD).await.status(),
        303,
        "the owner logs in from another address"
    );

    // Evidence up to the advertised 20 MB is accepted (not cut at the default 2 MB).
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![b'a'; 5 * 1024 * 1024])
            .file_name("记录.txt")
            .mime_str("text/plain")
            .unwrap(),
    );
    let (_, c2) = t
        .api("handler")
        .create("hotline_ticket", None, None, ticket("证据"))
        .await;
    let r = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/cases/{}/evidence", c2["case_id"])))
        .basic_auth("handler", Some(PASSWORD))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    t.stop().await;
}

/// The session's CSRF token, read from a page's forms.
async fn page_csrf(c: &reqwest::Client, url: String) -> String {
    let html = c.get(url).send().await.unwrap().text().await.unwrap();
    html.split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the page carries the session's CSRF token")
        .to_string()
}

/// §3: a certificate entered in the app is 待复核; the officers page offers its reviewer (an admin
/// or leader other than who entered it) a 复核通过 button, which approves it through the same use
/// case as `POST /api/v1/certificates/{number}/approve`.
#[tokio::test]
async fn officers_page_approves_a_pending_certificate() {
    let t = spawn_app(Backend::Sqlite, date(2026, 3, 2)).await;
    let (s, v) = t
        .api("admin")
        .post(
            "/api/v1/officers/ZF03/certificates",
            json!({"number": "浙执B0000009", "domain": "城市管理", "valid_from": "2026-01-01", "valid_to": "2028-12-31"}),
        )
        .await;
    assert!(s == 200 || s == 201, "{s} {v}");
    let number = "浙执B0000009";
    let button = "action=\"/officers/certificates/approve\"";

    // Who entered it sees the status but no button that would work for them: the approval is
    // refused for them.
    let admin = t.browser("admin").await;
    let csrf = page_csrf(&admin, t.url("/officers")).await;
    let r = admin
        .post(t.url("/officers/certificates/approve"))
        .form(&[("_csrf", csrf.as_str()), ("number", number)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // A viewer sees no button and is refused.
    let viewer = t.browser("viewer").await;
    let html = viewer
        .get(t.url("/officers"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("待复核") && !html.contains(button), "{html}");
    let vcsrf = page_csrf(&viewer, t.url("/officers")).await;
    let r = viewer
        .post(t.url("/officers/certificates/approve"))
        .form(&[("_csrf", vcsrf.as_str()), ("number", number)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The leader sees the button and approves.
    let leader = t.browser("leader").await;
    let html = leader
        .get(t.url("/officers"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(button), "no approve button: {html}");
    let lcsrf = page_csrf(&leader, t.url("/officers")).await;
    // Without the CSRF token: refused.
    let r = leader
        .post(t.url("/officers/certificates/approve"))
        .form(&[("number", number)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let audit_before = t.audit_count().await;
    let r = leader
        .post(t.url("/officers/certificates/approve"))
        .form(&[("_csrf", lcsrf.as_str()), ("number", number)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("已复核通过"), "{html}");
    assert!(!html.contains(button), "the button stays after approval");
    assert_eq!(t.audit_count().await, audit_before + 1);
    // Approved once only.
    let r = leader
        .post(t.url("/officers/certificates/approve"))
        .form(&[("_csrf", lcsrf.as_str()), ("number", number)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    t.stop().await;
}

/// §12: an upload without a multipart boundary answers the JSON error shape naming the field,
/// not the framework's plain text (found by schemathesis).
#[tokio::test]
async fn malformed_multipart_answers_the_error_shape() {
    let t = spawn_app(Backend::Sqlite, date(2026, 3, 2)).await;
    let (s, c) = t
        .api("handler")
        .create("hotline_ticket", None, None, ticket("咨询"))
        .await;
    assert_eq!(s, 201, "{c}");
    let id = c["case_id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/cases/{id}/evidence"),
        "/api/v1/imports".into(),
    ] {
        let r = reqwest::Client::new()
            .post(t.url(&path))
            .basic_auth("handler", Some(PASSWORD))
            .header("content-type", "multipart/form-data")
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["problems"][0]["field"], "file", "{path}: {v}");
    }
    t.stop().await;
}
