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
    // 90 natural days from 2026-11-04 end in 2027, for which no official holiday calendar is
    // loaded: the due date is provisional (weekends only), labelled so, and still warns.
    let (_, case) = o.get(&format!("/api/v1/cases/{id}")).await;
    let decision = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "decision_limit")
        .unwrap()
        .clone();
    assert_eq!(decision["due_on"], "2027-02-02", "{decision}");
    assert_eq!(decision["detail"]["provisional"], true, "{decision}");
    assert!(
        decision["detail"]["explanation_zh"]
            .to_string()
            .contains("暂定"),
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
        .post(&format!("/api/v1/cases/{id}/reveal"), json!({}))
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
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..5 {
        let r = t.login_with(&c, "leader", "wrong-password").await;
        assert_eq!(r.status(), 401);
    }
    let r = t.login_with(&c, "leader", support::PASSWORD).await;
    assert_eq!(
        r.status(),
        401,
        "this address backs off after five failures"
    );
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
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(generated.lines().count()));
        panic!(
            "docs/openapi.json is stale from line {}: committed {:?}, generated {:?}; rerun this test with FAZHI_UPDATE_OPENAPI=1 and commit it",
            first + 1,
            committed.lines().nth(first),
            generated.lines().nth(first)
        );
    }
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

// ---------- imported annual reports (issue 4) ----------

fn seed_report(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../importer/tests/seeds/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const HAIZHUANG: &str = "000_40cb9ad96189bd44.txt";
const SIJIQING: &str = "004_902e659e2dbe85d6.txt";
const NO_UNIT_NO_YEAR: &str =
    "法治政府建设工作情况\n一、主要工作\n全年办结群众诉求工单12件，开展普法宣传活动3场。\n";

/// POST /api/v1/imports as `login` with `files` and extra form fields.
async fn import_files(
    t: &support::TestApp,
    login: &str,
    files: &[(&str, Vec<u8>)],
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(name.to_string())
                .mime_str("text/plain")
                .unwrap(),
        );
    }
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let r = reqwest::Client::new()
        .post(t.url("/api/v1/imports"))
        .basic_auth(login, Some(support::PASSWORD))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn imported_reports_are_compared_figure_by_figure(backend: Backend) {
    let t = spawn_app(backend, date(2026, 3, 2)).await;
    let (s, out) = import_files(
        &t,
        "handler",
        &[
            (HAIZHUANG, seed_report(HAIZHUANG)),
            (SIJIQING, seed_report(SIJIQING)),
        ],
        &[],
    )
    .await;
    assert_eq!(s, 201, "{out}");
    let imported = out["imported"].as_array().unwrap();
    assert_eq!(imported.len(), 2, "{out}");
    assert_eq!(out["refused"], json!([]));
    assert_eq!(imported[0]["unit_name"], "海幢街道办事处");
    assert_eq!(imported[0]["year"], 2023);
    assert_eq!(imported[1]["unit_name"], "四季青街道");
    assert_eq!(imported[1]["year"], 2023);
    let haizhuang = imported[0]["id"].as_i64().unwrap();

    let (s, list) = t.api("viewer").get("/api/v1/imports").await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");

    // Units side by side for 2023.
    let (s, m) = t
        .api("viewer")
        .get("/api/v1/imports/compare?year=2023")
        .await;
    assert_eq!(s, 200, "{m}");
    let columns: Vec<&str> = m["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["unit_name"].as_str().unwrap())
        .collect();
    assert_eq!(columns.len(), 2, "{m}");
    assert!(
        columns.contains(&"海幢街道办事处") && columns.contains(&"四季青街道"),
        "{columns:?}"
    );
    let col = columns.iter().position(|c| *c == "海幢街道办事处").unwrap();
    let row = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "hotline.closed")
        .expect("hotline.closed row")
        .clone();
    assert_eq!(row["label"], "12345工单办结数");
    assert_eq!(row["cells"].as_array().unwrap().len(), 2);
    let cell = &row["cells"][col];
    assert_eq!(cell["value"], 5571, "{cell}");
    assert_eq!(cell["unit"], "条");
    assert_eq!(cell["approx"], false);
    assert_eq!(cell["import_id"], haizhuang);
    assert!(
        m["unmatched"].as_array().unwrap().len() == 2,
        "unmatched figures are listed per report"
    );

    // The cell links back to the highlighted sentence of the original text.
    let figure = cell["figure"].as_u64().unwrap() as usize;
    let (s, r) = t
        .api("viewer")
        .get(&format!("/api/v1/imports/{haizhuang}"))
        .await;
    assert_eq!(s, 200);
    let f = &r["extraction"]["figures"][figure];
    assert_eq!(f["text"], "5571条");
    let text: Vec<char> = r["extraction"]["decoded_text"]
        .as_str()
        .unwrap()
        .chars()
        .collect();
    let (start, end) = (
        f["start"].as_u64().unwrap() as usize,
        f["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(text[start..end].iter().collect::<String>(), "5571条");

    // A unit's years side by side; 海幢街道 names the same unit.
    let (s, by_unit) = t
        .api("viewer")
        .get(&format!(
            "/api/v1/imports/compare?unit={}",
            "%E6%B5%B7%E5%B9%A2%E8%A1%97%E9%81%93"
        ))
        .await;
    assert_eq!(s, 200, "{by_unit}");
    assert_eq!(by_unit["by"], "unit");
    assert_eq!(by_unit["columns"].as_array().unwrap().len(), 1);
    assert_eq!(by_unit["columns"][0]["year"], 2023);
    let (s, e) = t.api("viewer").get("/api/v1/imports/compare").await;
    assert_eq!(s, 422, "{e}");

    // The same file again: a conflict, nothing written.
    let audits = t.audit_count().await;
    let (s, dup) = import_files(&t, "handler", &[(HAIZHUANG, seed_report(HAIZHUANG))], &[]).await;
    assert_eq!(s, 409, "{dup}");
    assert_eq!(dup["error"], "conflict");
    assert!(
        dup["message"].as_str().unwrap().contains("重复导入"),
        "{dup}"
    );
    assert_eq!(dup["refused"][0]["file"], HAIZHUANG);
    assert_eq!(
        t.audit_count().await,
        audits,
        "a refused file writes nothing"
    );

    // A report that names neither unit nor year: refused naming the fields; given, stored.
    let (s, missing) = import_files(
        &t,
        "handler",
        &[("无年度.txt", NO_UNIT_NO_YEAR.as_bytes().to_vec())],
        &[],
    )
    .await;
    assert_eq!(s, 422, "{missing}");
    let fields: Vec<&str> = missing["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"year") && fields.contains(&"unit"),
        "{missing}"
    );
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("年度：无法从报告中识别，请指定"),
        "{missing}"
    );
    assert_eq!(t.audit_count().await, audits);
    let (s, given) = import_files(
        &t,
        "handler",
        &[("无年度.txt", NO_UNIT_NO_YEAR.as_bytes().to_vec())],
        &[("unit", "望江街道办事处"), ("year", "2025")],
    )
    .await;
    assert_eq!(s, 201, "{given}");
    assert_eq!(given["imported"][0]["year"], 2025);
    assert!(
        given["imported"][0]["unit_id"].is_number(),
        "望江街道办事处 is the org tree's 望江街道: {given}"
    );

    // Viewers read but do not import.
    let (s, _) = import_files(&t, "viewer", &[("x.txt", seed_report(SIJIQING))], &[]).await;
    assert_eq!(s, 403);

    // Every import is audited, and the chain holds.
    let (_, a) = t
        .api("admin")
        .get("/api/v1/audit?entity=imported_report")
        .await;
    assert_eq!(a.as_array().map(Vec::len), Some(3), "{a}");
    assert!(a[0]["after"].as_str().unwrap().contains("figures"), "{a}");
    let (_, v) = t.api("admin").get("/api/v1/audit/verify").await;
    assert_eq!(v["ok"], true, "{v}");
    t.stop().await;
}

#[tokio::test]
async fn imported_reports_are_compared_figure_by_figure_on_sqlite() {
    imported_reports_are_compared_figure_by_figure(Backend::Sqlite).await;
}

#[tokio::test]
async fn imported_reports_are_compared_figure_by_figure_on_postgresql() {
    imported_reports_are_compared_figure_by_figure(Backend::Postgres).await;
}

#[tokio::test]
async fn import_pages_upload_with_the_csrf_token_and_mark_every_figure() {
    let t = spawn_app(Backend::Sqlite, date(2026, 3, 2)).await;
    let b = t.browser("handler").await;
    let html = b
        .get(t.url("/imports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("导入的报告") && html.contains("报告比对"),
        "{html}"
    );
    let token = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let upload = |token: Option<String>| {
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(seed_report(HAIZHUANG))
                .file_name(HAIZHUANG)
                .mime_str("text/plain")
                .unwrap(),
        );
        if let Some(tok) = token {
            form = form.text("_csrf", tok);
        }
        b.post(t.url("/imports")).multipart(form).send()
    };
    let r = upload(None).await.unwrap();
    assert_eq!(r.status(), 403, "no token, no import");
    let r = upload(Some(token.clone())).await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("已导入"), "{html}");
    let r = upload(Some(token)).await.unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("重复导入"));

    let (_, list) = t.api("viewer").get("/api/v1/imports").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let html = b
        .get(t.url(&format!("/imports/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<mark class=\"fig\""), "figures are marked");
    assert!(
        html.contains(">5571条</mark>"),
        "the figure's own text is marked"
    );
    assert!(html.contains("id=\"f0\""));
    assert!(html.contains("第一责任人职责"), "sections show their part");

    let (_, m) = t
        .api("viewer")
        .get("/api/v1/imports/compare?year=2023")
        .await;
    let row = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "hotline.closed")
        .unwrap()
        .clone();
    let link = format!("/imports/{id}#f{}", row["cells"][0]["figure"]);
    let html = b
        .get(t.url("/imports/compare?year=2023"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&link), "each cell links back: {link}");
    assert!(html.contains("12345工单办结数"));
    let r = b
        .get(t.url("/imports/compare?year=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    t.stop().await;
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_frozen_report_keeps_its_figures_and_the_diff_shows_what_changed_since() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    let b = t.browser("leader").await;
    let page = b
        .get(t.url("/reports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_of(&page);
    let street = page
        .split("<option value=\"")
        .skip(1)
        .find(|o| o.contains("望江街道"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = b
        .post(t.url("/reports/open"))
        .form(&[
            ("_csrf", token.as_str()),
            ("unit", &street),
            ("year", "2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        t.api("handler")
            .create("hotline_ticket", None, None, ticket("第一件"))
            .await
            .0,
        201
    );
    let html = b
        .get(t.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let text = html.replace(['<', '>'], "|");
    assert!(text.contains("全年受理12345工单|a class=\"fig\""), "{html}");
    assert!(
        html.contains("data-figure=\"hotline.received\">1</a>"),
        "one ticket so far"
    );
    assert!(
        html.contains("【缺数：officers.posts】"),
        "a manual figure nobody entered is missing, not 0"
    );
    assert!(
        html.contains("【缺上年同期数：hotline.received】"),
        "no tickets last year: the year-on-year change is a marker, never a made-up number"
    );
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = b
        .post(t.url(&format!("{loc}/freeze")))
        .form(&[("_csrf", token.as_str()), ("version", &version)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    assert_eq!(
        t.api("handler")
            .create("hotline_ticket", None, None, ticket("第二件"))
            .await
            .0,
        201
    );
    let html = b
        .get(t.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-figure=\"hotline.received\">1</a>"),
        "the frozen report still says 1"
    );
    assert!(
        html.contains("与当前记录比对") && html.contains("12345工单受理数"),
        "the diff lists the changed figure"
    );
    // Editing a frozen report is refused until it is unfrozen.
    let r = b.get(t.url(&format!("{loc}/edit"))).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let docx = b
        .get(t.url(&format!("{loc}/download/docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(docx.status(), 200);
    assert!(
        docx.bytes().await.unwrap().starts_with(b"PK"),
        "a DOCX is a zip"
    );
    let (_, audit) = t.api("admin").get("/api/v1/audit?entity=report").await;
    assert_eq!(audit[0]["action"], "freeze");
    t.stop().await;
}

#[tokio::test]
async fn the_dashboard_and_every_figure_link_open() {
    let t = spawn_app(Backend::Sqlite, date(2026, 11, 20)).await;
    assert_eq!(
        t.api("handler")
            .create("hotline_ticket", Some("C1"), None, ticket("看板"))
            .await
            .0,
        201
    );
    let b = t.browser("leader").await;
    let r = b.get(t.url("/dashboard")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<svg"), "charts are server-side SVG");
    let links: Vec<String> = html
        .split("href=\"/figures?h=")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .collect();
    assert!(links.len() >= 8, "{}", links.len());
    assert!(
        html.contains("href=\"/cases?type=hotline_ticket\""),
        "a key figure declared with `cases` links its case list"
    );
    assert!(
        html.contains("12345工单受理量（按月）") && html.contains("行政执法立案数（按月）"),
        "the trends the folders declare"
    );
    for l in links.iter().take(10) {
        let r = b
            .get(t.url(&format!("/figures?h={l}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{l}");
    }
    let received = links
        .iter()
        .find(|l| l.starts_with("hotline.received"))
        .unwrap();
    let page = b
        .get(t.url(&format!("/figures?h={received}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("记录清单（1）") && page.contains("RX2026-"),
        "the lineage lists the record behind the figure"
    );
    t.stop().await;
}

fn fixture_registry() -> fazhi_workflow::Registry {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/third_type");
    fazhi_workflow::Registry::load_dir(&dir).expect("the fixture folder is valid")
}

/// A third case type that exists only in a fixture folder: created, transitioned, listed,
/// searched and shown in the menu, over HTTP; a step of it opens a linked 12345 ticket with
/// fields carried over, and both cases show the matter chain.
/// TODO (facts/reports helpers): counted by an indicator, filled into a report placeholder,
/// shown on the dashboard.
async fn a_fixture_case_type_works_end_to_end(backend: Backend) {
    // 2026-11-02 is a Monday.
    let t = support::spawn_app_with(backend, date(2026, 11, 2), fixture_registry()).await;
    let h = t.api("handler");
    let (s, created) = h
        .create(
            "tree_permit",
            Some("C1"),
            None,
            json!({"category": "市容环境", "address": "望江路66号", "content": "楼道堆放杂物 token-grid-9c1",
                   "reporter": "赵小红", "reporter_phone": "13712345678"}),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let id = created["case_id"].as_i64().unwrap();
    assert!(
        created["number"].as_str().unwrap().starts_with("TP2026-"),
        "the declared number prefix: {created}"
    );
    let (_, case) = h.get(&format!("/api/v1/cases/{id}")).await;
    let clock = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "handling_limit")
        .expect("the fixture's clock")
        .clone();
    assert_eq!(
        clock["due_on"], "2026-11-09",
        "5 working days from Monday 11-02"
    );
    assert!(case["matter"].is_null(), "no links yet: {}", case["matter"]);

    let (s, out) = h.step(id, "handle", None, json!({})).await;
    assert_eq!((s, out["state"].as_str()), (200, Some("handling")), "{out}");

    // Listed and searched through the generic list.
    let (_, list) = h
        .get("/api/v1/cases?type=tree_permit&q=token-grid-9c1")
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(
        items[0]["category"], "市容环境",
        "the declared category field"
    );
    assert_eq!(
        items[0]["fields"]["reporter"], "赵**",
        "personal data masked"
    );

    // Shown in the menu (declared order: 12345工单 10, 树木迁移申请 15, 行政执法案件 20), on "my
    // work" and as a list page with its declared columns.
    let b = t.browser("handler").await;
    let home = b
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (p1, p2, p3) = (
        home.find("/cases?type=hotline_ticket\"")
            .expect("ticket menu entry"),
        home.find("/cases?type=tree_permit\"")
            .expect("grid menu entry"),
        home.find("/cases?type=enforcement_case\"")
            .expect("enforcement menu entry"),
    );
    assert!(p1 < p2 && p2 < p3, "declared menu order");
    assert!(home.contains("登记树木迁移申请"), "quick create on my work");
    let page = b
        .get(t.url("/cases?type=tree_permit&q=token-grid-9c1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<th>事发地点</th>") && page.contains("望江路66号"),
        "{page}"
    );
    assert!(
        page.contains("事件类别"),
        "the category filter is labelled by its field"
    );

    // A refused linked create refuses the step and writes nothing.
    let (s, body) = h
        .step(
            id,
            "refer_hotline",
            None,
            json!({"ticket_category": "投诉"}),
        )
        .await;
    assert_eq!(s, 422, "{body}");

    // The step opens a linked 12345 ticket, carrying the fields over.
    let (s, out) = h
        .step(
            id,
            "refer_hotline",
            None,
            json!({"ticket_category": "投诉", "channel": "其他"}),
        )
        .await;
    assert_eq!(s, 200, "{out}");
    let opened = &out["opened"][0];
    assert_eq!(opened["case_type"], "hotline_ticket", "{out}");
    assert!(opened["number"].as_str().unwrap().starts_with("RX2026-"));
    let matter = opened["matter_number"].as_str().unwrap().to_owned();
    assert_eq!(
        matter,
        created["number"].as_str().unwrap(),
        "the matter is numbered after its first case"
    );
    let ticket_id = opened["case_id"].as_i64().unwrap();
    let (s, ticket) = h
        .post(&format!("/api/v1/cases/{ticket_id}/reveal"), json!({}))
        .await;
    assert_eq!(
        (s, &ticket["case"]["state"]),
        (200, &json!("received")),
        "{ticket}"
    );
    assert_eq!(
        ticket["case"]["unit_id"], case["case"]["unit_id"],
        "same unit"
    );
    assert_eq!(ticket["case"]["category"], "投诉");
    let shown: Vec<(String, String)> = ticket["display_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (code, value) in [
        ("content", "楼道堆放杂物 token-grid-9c1"),
        ("address", "望江路66号"),
        ("caller_name", "赵小红"),
        ("caller_phone", "13712345678"),
        ("channel", "其他"),
    ] {
        assert!(
            shown.contains(&(code.to_owned(), value.to_owned())),
            "{code} carried: {shown:?}"
        );
    }
    // Both cases show the chain, each with its state and clocks.
    for cid in [id, ticket_id] {
        let (_, v) = h.get(&format!("/api/v1/cases/{cid}")).await;
        let m = &v["matter"];
        assert_eq!(m["number"], matter.as_str(), "{v}");
        let cases = m["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0]["case_id"], id);
        assert_eq!(cases[0]["state"], "referred");
        assert_eq!(cases[1]["case_id"], ticket_id);
        assert_eq!(cases[1]["opened_by"], "转12345工单");
        assert!(
            cases[1]["clocks"][0]
                .as_str()
                .unwrap()
                .starts_with("办理时限"),
            "{}",
            cases[1]
        );
    }
    let html = b
        .get(t.url(&format!("/cases/{ticket_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("关联事项") && html.contains(&matter),
        "the case page shows the chain"
    );

    // Audited: the browser's login, create, handle, refer, the ticket's create, the link, and
    // the reveal.
    let (_, v) = t.api("admin").get("/api/v1/audit/verify").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["entries"], 7, "{v}");
    t.stop().await;
}

#[tokio::test]
async fn a_fixture_case_type_works_end_to_end_on_sqlite() {
    a_fixture_case_type_works_end_to_end(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_fixture_case_type_works_end_to_end_on_postgresql() {
    a_fixture_case_type_works_end_to_end(Backend::Postgres).await;
}
