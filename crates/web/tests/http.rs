//! Black-box HTTP tests: every test starts the real router on 127.0.0.1 with its own database.

mod support;

use jiff::civil::date;
use serde_json::{Value, json};
use support::{Backend, spawn_app};

fn ticket(content: &str) -> Value {
    json!({"channel": "电话", "caller_name": "张三", "caller_phone": "13812345678", "category": "投诉", "address": "望江路128号", "content": content})
}

async fn hotline_ticket_goes_from_intake_to_closed(backend: Backend) {
    // 2026-09-28 is a Monday; National Day 2026 (10-01..10-07) and the adjusted working Saturday
    // 10-10 fall inside the 10-working-day limit of a complaint.
    let t = spawn_app(backend, date(2026, 9, 28)).await;
    let h = t.api("handler");
    let (s, created) = h
        .create(
            "hotline_ticket",
            Some("C1"),
            None,
            ticket("夜间施工噪音扰民 token-7f3a"),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let id = created["case_id"].as_i64().unwrap();
    assert!(created["number"].as_str().unwrap().starts_with("RX2026-"));

    let (_, case) = h.get(&format!("/api/v1/cases/{id}")).await;
    let clock = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "handling_limit")
        .expect("handling clock")
        .clone();
    assert_eq!(
        clock["due_on"], "2026-10-16",
        "10 working days from 2026-09-28 skip National Day and count Saturday 10-10"
    );
    assert!(
        clock["calendar_version"]
            .as_str()
            .unwrap()
            .starts_with("cn-2020-2026")
    );

    for (tr, input, state) in [
        (
            "dispatch",
            json!({"assignee_department": "hotline"}),
            "dispatched",
        ),
        ("accept", json!({}), "handling"),
        (
            "reply",
            json!({"reply": "已联系施工单位，夜间停止施工。"}),
            "replied",
        ),
        ("revisit", json!({"satisfaction": "满意"}), "closed"),
    ] {
        let (s, out) = h.step(id, tr, None, input).await;
        assert_eq!(s, 200, "{tr}: {out}");
        assert_eq!(out["state"], state, "{tr}");
    }
    let (_, list) = h
        .get("/api/v1/cases?type=hotline_ticket&q=token-7f3a")
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["state"], "closed");
    assert_eq!(
        items[0]["fields"]["caller_phone"], "138****5678",
        "lists mask personal data"
    );
    assert_eq!(items[0]["fields"]["caller_name"], "张*");

    let (_, v) = t.api("admin").get("/api/v1/audit/verify").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["entries"], 5, "one audit entry per step");
    t.stop().await;
}

#[tokio::test]
async fn a_hotline_ticket_goes_from_intake_to_closed_on_sqlite() {
    hotline_ticket_goes_from_intake_to_closed(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_hotline_ticket_goes_from_intake_to_closed_on_postgresql() {
    hotline_ticket_goes_from_intake_to_closed(Backend::Postgres).await;
}

#[tokio::test]
async fn bad_input_names_the_field_in_chinese_and_writes_nothing() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let before = t.audit_count().await;
    let mut input = ticket("测试");
    input["caller_phone"] = json!("12345");
    input["category"] = json!("闲聊");
    let (s, body) = t
        .api("handler")
        .create("hotline_ticket", None, None, input)
        .await;
    assert_eq!(s, 422);
    assert_eq!(body["error"], "refused");
    let problems = body["problems"].as_array().unwrap();
    let fields: Vec<&str> = problems
        .iter()
        .filter_map(|p| p["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"caller_phone") && fields.contains(&"category"),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("联系电话"),
        "{body}"
    );
    assert_eq!(t.audit_count().await, before, "nothing written");
    let (_, list) = t.api("admin").get("/api/v1/cases").await;
    assert_eq!(list["total"], 0);
    // A date in the future is refused with the field named.
    let (s, body) = t
        .api("handler")
        .create("hotline_ticket", None, Some("2026-12-01"), ticket("x"))
        .await;
    assert_eq!(
        (s, body["problems"][0]["field"].as_str()),
        (422, Some("on")),
        "{body}"
    );
    t.stop().await;
}

fn clue(party: &str) -> Value {
    json!({"domain": "城市管理", "discovered_on": "2026-11-02", "act_on": "2026-11-01", "procedure": "普通程序", "party_kind": "自然人",
           "party_name": party, "party_id_number": "360426199101010071", "party_phone": "13912345678", "address": "望江路88号", "facts": "当事人未经批准在人行道上擅自设摊经营"})
}

#[tokio::test]
async fn filing_with_an_expired_certificate_is_refused_citing_article_42() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let o = t.api("officer");
    let (s, c) = o
        .create("enforcement_case", None, Some("2026-11-03"), clue("李四"))
        .await;
    assert_eq!(s, 201, "{c}");
    let id = c["case_id"].as_i64().unwrap();
    // ZF03's certificate expired on 2026-06-30: only one certified officer remains.
    let (s, body) = o
        .step(
            id,
            "file",
            Some("2026-11-04"),
            json!({"officers": ["ZF01", "ZF03"]}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let r = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "enforcement.min_certified_officers")
        .expect("art. 42 refusal")
        .clone();
    assert_eq!(r["article"], "第四十二条");
    assert!(r["statute"].as_str().unwrap().contains("行政处罚法"));
    let (s, body) = o
        .step(
            id,
            "file",
            Some("2026-11-04"),
            json!({"officers": ["ZF01", "ZF02"]}),
        )
        .await;
    assert_eq!(
        (s, body["state"].as_str()),
        (200, Some("investigating")),
        "{body}"
    );
    // 90 natural days from 2026-11-04 end in 2027, for which no official holiday calendar exists
    // yet: the deadline is not guessed, and the explanation says why.
    let (_, case) = o.get(&format!("/api/v1/cases/{id}")).await;
    let decision = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "decision_limit")
        .unwrap()
        .clone();
    assert!(decision["due_on"].is_null(), "{decision}");
    assert!(
        decision["detail"]["explanation_zh"]
            .to_string()
            .contains("2027"),
        "{decision}"
    );

    // Filed on 2026-08-03: day 90 is Sunday 2026-11-01, which rolls to Monday 2026-11-02 (art. 60).
    let mut early = clue("周七");
    early["discovered_on"] = json!("2026-07-30");
    early["act_on"] = json!("2026-07-29");
    let (_, c) = o
        .create("enforcement_case", None, Some("2026-07-31"), early)
        .await;
    let id = c["case_id"].as_i64().unwrap();
    assert_eq!(
        o.step(
            id,
            "file",
            Some("2026-08-03"),
            json!({"officers": ["ZF01", "ZF02"]})
        )
        .await
        .0,
        200
    );
    let (_, case) = o.get(&format!("/api/v1/cases/{id}")).await;
    let decision = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "decision_limit")
        .unwrap()
        .clone();
    assert_eq!(decision["due_on"], "2026-11-02", "{decision}");
    assert_eq!(decision["status"], "overdue", "not decided by 2026-11-20");
    t.stop().await;
}

#[tokio::test]
async fn a_published_decision_is_public_with_personal_data_redacted_and_can_be_withdrawn() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let (o, l) = (t.api("officer"), t.api("leader"));
    let (_, c) = o
        .create("enforcement_case", None, Some("2026-11-03"), clue("王小明"))
        .await;
    let id = c["case_id"].as_i64().unwrap();
    assert_eq!(
        o.step(
            id,
            "file",
            Some("2026-11-04"),
            json!({"officers": ["ZF01", "ZF02"]})
        )
        .await
        .0,
        200
    );
    // Notice needs an evidence record first (art. 47).
    let (s, body) = o.step(id, "notify", Some("2026-11-05"), json!({"intended_penalty": "罚款", "intended_amount": "500", "legal_basis": "《城市市容和环境卫生管理条例》"})).await;
    assert_eq!(s, 422, "{body}");
    let form = reqwest::multipart::Form::new()
        .text("description", "现场照片")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"photo-bytes".to_vec())
                .file_name("现场.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let r = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/cases/{id}/evidence")))
        .basic_auth("officer", Some(support::PASSWORD))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let ev: Value = r.json().await.unwrap();
    assert_eq!(ev["sha256"], sha256_hex(b"photo-bytes"));
    assert_eq!(
        o.step(id, "add_evidence", Some("2026-11-05"), json!({}))
            .await
            .0,
        200
    );
    assert_eq!(o.step(id, "notify", Some("2026-11-05"), json!({"intended_penalty": "罚款", "intended_amount": "500", "legal_basis": "《城市市容和环境卫生管理条例》"})).await.0, 200);
    // Deciding inside the 5-working-day statement window is refused (arts. 44, 45, 62).
    let decide = json!({"outcome": "处罚", "penalty": "罚款", "fine_amount": "500", "decision_number": "望综执罚〔2026〕12号"});
    let (s, body) = l
        .step(id, "decide", Some("2026-11-06"), decide.clone())
        .await;
    assert_eq!(s, 422, "{body}");
    let (s, body) = l.step(id, "decide", Some("2026-11-13"), decide).await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = t
        .api("handler")
        .step(id, "publish", Some("2026-11-16"), json!({}))
        .await;
    assert_eq!(s, 200, "{body}");

    let public = reqwest::get(t.url("/api/v1/public/decisions"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let p = &public[0];
    assert_eq!(p["body"]["party"], "王**");
    let text = public.to_string();
    assert!(
        !text.contains("王小明")
            && !text.contains("360426199101010071")
            && !text.contains("13912345678"),
        "no personal data in public: {text}"
    );
    let html = reqwest::get(t.url(&format!("/public/decisions/{}", p["id"])))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("望综执罚〔2026〕12号") && html.contains("王**"));

    assert_eq!(
        l.step(
            id,
            "revoke_decision",
            Some("2026-11-18"),
            json!({"reason": "复议撤销"})
        )
        .await
        .0,
        200
    );
    let (_, case) = l.get(&format!("/api/v1/cases/{id}")).await;
    let w = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "withdrawal_limit")
        .expect("withdrawal clock")
        .clone();
    assert_eq!(
        w["due_on"], "2026-11-23",
        "3 working days (art. 48, art. 85)"
    );
    assert_eq!(
        l.step(
            id,
            "withdraw_publication",
            Some("2026-11-19"),
            json!({"reason": "决定已被撤销"})
        )
        .await
        .0,
        200
    );
    let public = reqwest::get(t.url("/api/v1/public/decisions"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(public.as_array().unwrap().len(), 0);
    t.stop().await;
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

#[tokio::test]
async fn data_scope_hides_other_communities_cases() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let (s, c) = t
        .api("c1handler")
        .create("hotline_ticket", Some("C1"), None, ticket("望湖社区的诉求"))
        .await;
    assert_eq!(s, 201, "{c}");
    let id = c["case_id"].as_i64().unwrap();
    let (s, _) = t.api("c2handler").get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        s, 404,
        "another community's case does not exist for this user"
    );
    let (_, l) = t.api("c2handler").get("/api/v1/cases").await;
    assert_eq!(l["total"], 0);
    let (s, _) = t
        .api("c2handler")
        .step(
            id,
            "dispatch",
            None,
            json!({"assignee_department": "hotline"}),
        )
        .await;
    assert_eq!(s, 404, "nor can it be changed");
    let (s, _) = t
        .api("c2handler")
        .create("hotline_ticket", Some("C1"), None, ticket("越权登记"))
        .await;
    assert_eq!(s, 403);
    let (_, l) = t.api("handler").get("/api/v1/cases").await;
    assert_eq!(l["total"], 1, "the street sees its communities");
    t.stop().await;
}

#[tokio::test]
async fn personal_data_is_masked_and_revealing_it_is_audited() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let (_, c) = t
        .api("handler")
        .create("hotline_ticket", None, None, ticket("个人信息测试"))
        .await;
    let id = c["case_id"].as_i64().unwrap();
    let phone = |v: &Value| {
        v["display_fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "caller_phone")
            .unwrap()["value"]
            .clone()
    };
    let (_, v) = t
        .api("viewer")
        .get(&format!("/api/v1/cases/{id}?reveal=true"))
        .await;
    assert_eq!(phone(&v), "138****5678", "a viewer may not reveal");
    assert!(
        v["case"].get("fields").is_none(),
        "raw fields are not exposed"
    );
    let before = t.audit_count().await;
    let (_, v) = t
        .api("admin")
        .get(&format!("/api/v1/cases/{id}?reveal=true"))
        .await;
    assert_eq!(phone(&v), "13812345678");
    assert_eq!(t.audit_count().await, before + 1);
    let (_, a) = t.api("admin").get("/api/v1/audit?entity=case").await;
    assert_eq!(a[0]["action"], "reveal_personal");
    t.stop().await;
}

#[tokio::test]
async fn pages_need_login_forms_need_the_csrf_token_and_logins_are_throttled() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let anon = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = anon
        .get(t.url("/cases?type=hotline_ticket"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=/cases")
    );
    let r = anon.get(t.url("/api/v1/cases")).send().await.unwrap();
    assert_eq!(r.status(), 401);

    let b = t.browser("handler").await;
    let r = b
        .get(t.url("/cases/new?type=hotline_ticket"))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("新建12345工单"), "page in Chinese");
    let token = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let form = [
        ("channel", "电话"),
        ("category", "咨询"),
        ("content", "询问办事时间"),
    ];
    let r = b
        .post(t.url("/cases/new?type=hotline_ticket"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no token");
    let mut with = form.to_vec();
    with.push(("_csrf", &token));
    let r = b
        .post(t.url("/cases/new?type=hotline_ticket"))
        .form(&with)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "with the token it is created");
    let r = b
        .post(t.url("/cases/new?type=hotline_ticket"))
        .header("origin", "http://evil.example")
        .form(&with)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a foreign Origin is refused");
    let r = b
        .post(t.url("/api/v1/cases"))
        .json(&json!({"case_type": "hotline_ticket", "input": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "cookie API calls need X-CSRF-Token");
    // A form with a bad field re-renders with the field's message, status 422.
    let bad = [
        ("channel", "电话"),
        ("category", "咨询"),
        ("content", "x"),
        ("caller_phone", "555"),
        ("_csrf", token.as_str()),
    ];
    let r = b
        .post(t.url("/cases/new?type=hotline_ticket"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("class=\"msg\""));

    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..5 {
        let r = c
            .post(t.url("/login"))
            .form(&[("login", "leader"), ("password", "wrong-password")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = c
        .post(t.url("/login"))
        .form(&[("login", "leader"), ("password", support::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "locked for 15 minutes after five failures");
    assert!(r.text().await.unwrap().contains("登录失败次数过多"));
    t.stop().await;
}

#[tokio::test]
async fn evidence_is_content_addressed_and_limits_are_named() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let (_, c) = t
        .api("officer")
        .create("enforcement_case", None, None, clue("赵六"))
        .await;
    let id = c["case_id"].as_i64().unwrap();
    let upload = |name: &'static str, mime: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str(mime)
                .unwrap(),
        );
        reqwest::Client::new()
            .post(t.url(&format!("/api/v1/cases/{id}/evidence")))
            .basic_auth("officer", Some(support::PASSWORD))
            .multipart(form)
            .send()
    };
    let r = upload("a.exe", "application/x-msdownload", b"MZ".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["problems"][0]["field"], "file");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("不支持的文件类型")
    );
    let r = upload(
        "询问笔录.txt",
        "text/plain",
        "询问笔录内容".as_bytes().to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["sha256"], sha256_hex("询问笔录内容".as_bytes()));
    let (_, a) = t
        .api("admin")
        .get(&format!("/api/v1/audit?entity=case&entity_id={id}"))
        .await;
    assert!(
        a.to_string().contains(e["sha256"].as_str().unwrap()),
        "the hash is in the audit log"
    );
    t.stop().await;
}

#[tokio::test]
async fn the_calendar_endpoint_explains_a_due_date_and_refuses_years_without_data() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let h = t.api("handler");
    let (s, d) = h
        .get("/api/v1/calendar/due?from=2026-02-13&days=5&unit=working")
        .await;
    assert_eq!(s, 200);
    // 2026-02-14 (Saturday) is an adjusted working day; Spring Festival 02-15..02-23 is off.
    // 02-14 is day 1, then 02-24, 02-25, 02-26 and 02-27.
    assert_eq!(d["due"], "2026-02-27", "{d}");
    let (s, d) = h
        .get("/api/v1/calendar/due?from=2026-12-20&days=30&unit=working")
        .await;
    assert_eq!(s, 422, "{d}");
    assert!(d["message"].as_str().unwrap().contains("2026"), "{d}");
    t.stop().await;
}

#[tokio::test]
async fn the_committed_openapi_document_matches_the_generated_one() {
    let generated = fazhi_web::openapi_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var("FAZHI_UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path)
        .expect("docs/openapi.json (run with FAZHI_UPDATE_OPENAPI=1 to write it)");
    assert_eq!(
        committed, generated,
        "docs/openapi.json is stale: rerun this test with FAZHI_UPDATE_OPENAPI=1 and commit it"
    );
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let served = reqwest::get(t.url("/api/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(served, generated);
    t.stop().await;
}
