//! First run over HTTP (issue 17): an empty database, the one-time setup page, then the
//! administrator builds the organisation and a handler files a case — on SQLite and PostgreSQL.

use std::net::SocketAddr;
use std::sync::Arc;

use fazhi_app::{App, FixedClock};
use fazhi_store::testing::TestDb;
use fazhi_workflow::{Registry, WorkflowConfig};
use serde_json::{Value, json};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const ADMIN_PASSWORD: &str = "Street-admin-2026";

async fn spawn(db: &fazhi_store::Db) -> SocketAddr {
    // 2026-02-14 is a Saturday and an adjusted working day (Spring Festival 2026).
    let clock = Arc::new(FixedClock::at(jiff::civil::date(2026, 2, 14)));
    let app = App::new(
        db.clone(),
        Registry::embedded(),
        WorkflowConfig::embedded(),
        clock,
    );
    let router = fazhi_web::router(
        app,
        fazhi_web::WebConfig {
            secure_cookies: false,
            setup_token: Some(fazhi_web::SetupToken::new(TOKEN)),
            trusted_proxies: Vec::new(),
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn setup_form(password2: &str) -> Vec<(&'static str, String)> {
    vec![
        ("unit_name", "望江街道办事处".into()),
        ("level", "街道".into()),
        ("division_code", "420106001".into()),
        ("province", String::new()),
        ("case_types", "hotline_ticket".into()),
        ("case_types", "enforcement_case".into()),
        ("admin_login", "admin".into()),
        ("admin_name", "系统管理员".into()),
        ("admin_password", ADMIN_PASSWORD.into()),
        ("admin_password2", password2.into()),
    ]
}

async fn first_run_walk(db: &fazhi_store::Db) {
    let addr = spawn(db).await;
    let base = format!("http://{addr}");
    let c = client();

    // Readiness: migrated, so ready even before the first run.
    let r = c.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // A request that came through a reverse proxy is not "this machine": it needs the token.
    let r = c
        .get(format!("{base}/setup"))
        .header("X-Forwarded-For", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("一次性口令"));
    let r = c
        .get(format!("{base}/setup?token=wrong"))
        .header("X-Forwarded-For", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .get(format!("{base}/setup?token={TOKEN}"))
        .header("X-Forwarded-For", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("行政区划代码") && page.contains("12345"),
        "{page}"
    );

    // Bad input: every problem named by its field, nothing written.
    let mut bad = setup_form("Another-password-1");
    bad[2].1 = "4201".into();
    let r = c
        .post(format!("{base}/setup"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("行政区划代码：应为6位、9位或12位数字"),
        "{page}"
    );
    assert!(page.contains("确认密码：两次输入的密码不一致"), "{page}");
    assert_eq!(fazhi_store::settings::unit_count(db).await.unwrap(), 0);

    // From this machine (loopback, no proxy header) without the token.
    let r = c
        .post(format!("{base}/setup"))
        .form(&setup_form(ADMIN_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("初始化完成"));

    // The page is gone, with or without the token.
    let r = c
        .get(format!("{base}/setup?token={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .post(format!("{base}/setup"))
        .form(&setup_form(ADMIN_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let top = fazhi_store::org::unit_by_code(db, "420106001")
        .await
        .unwrap()
        .unwrap();
    let s = fazhi_store::settings::get(db, top.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.province.as_deref(), Some("42"));
    assert_eq!(s.case_types, ["enforcement_case", "hotline_ticket"]);
    let audit = fazhi_store::verify_chain(db).await.unwrap();
    assert!(matches!(audit, Ok(n) if n >= 1), "{audit:?}");

    // The administrator builds the organisation over the API.
    let admin = |m: reqwest::RequestBuilder| m.basic_auth("admin", Some(ADMIN_PASSWORD));
    let r = admin(c.post(format!("{base}/api/v1/units")))
        .json(&json!({"parent_code": "420106001", "code": "420106001001", "name": "望湖社区", "kind": "community"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = admin(c.post(format!("{base}/api/v1/users")))
        .json(
            &json!({"login": "handler", "display_name": "承办人", "password": "Handler-pass-2026",
            "unit_code": "420106001", "roles": ["handler"], "scope": "unit_subtree"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    // The handler files a ticket in the community.
    let r = c
        .post(format!("{base}/api/v1/cases"))
        .basic_auth("handler", Some("Handler-pass-2026"))
        .json(&json!({"case_type": "hotline_ticket", "unit_code": "420106001001",
            "input": {"channel": "电话", "caller_name": "张三", "caller_phone": "13812345678",
                      "category": "投诉", "address": "望江路128号", "content": "夜间施工噪音扰民"}}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    assert!(
        body["number"].as_str().unwrap().starts_with("RX2026-"),
        "{body}"
    );

    // Case types per unit: the list chosen at setup holds; an administrator narrows it for the
    // community; the handler's menu shows only the types of its unit.
    let ticket = json!({"case_type": "hotline_ticket", "unit_code": "420106001001",
        "input": {"channel": "电话", "caller_name": "张三", "caller_phone": "13812345678",
                  "category": "投诉", "address": "望江路128号", "content": "夜间施工噪音扰民"}});
    let handler = |m: reqwest::RequestBuilder| m.basic_auth("handler", Some("Handler-pass-2026"));
    let mut petition = ticket.clone();
    petition["case_type"] = "petition".into();
    let r = handler(c.post(format!("{base}/api/v1/cases")))
        .json(&petition)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["problems"][0]["field"], "case_type", "{body}");
    let r = admin(c.put(format!("{base}/api/v1/units/420106001001/case-types")))
        .json(&json!({"case_types": ["enforcement_case"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = handler(c.get(format!("{base}/api/v1/units/420106001001/case-types")))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"unit_code": "420106001001", "case_types": ["enforcement_case"], "from_unit": "420106001001"})
    );
    let r = handler(c.post(format!("{base}/api/v1/cases")))
        .json(&ticket)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the community no longer takes tickets");
    let r = handler(c.put(format!("{base}/api/v1/units/420106001/case-types")))
        .json(&json!({"case_types": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "only administrators");

    // Rename and close over the API; a closed unit takes no new case.
    let r = admin(c.patch(format!("{base}/api/v1/units/420106001001")))
        .json(&json!({"name": "望湖新社区"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["name"], "望湖新社区", "{body}");
    let r = admin(c.post(format!("{base}/api/v1/units/420106001001/close")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(body["closed_at"].is_i64(), "{body}");
    let mut enforcement = ticket.clone();
    enforcement["case_type"] = "enforcement_case".into();
    let r = handler(c.post(format!("{base}/api/v1/cases")))
        .json(&enforcement)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["problems"][0]["field"], "unit_code", "{body}");
    let r = admin(c.post(format!("{base}/api/v1/units/420106001/close")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the top unit stays open");

    // The pages: the unit page with its forms, the menu of the handler's unit.
    let b = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login_page = b
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = login_page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = b
        .post(format!("{base}/login"))
        .form(&[
            ("login", "admin"),
            ("password", ADMIN_PASSWORD),
            ("next", "/"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = b
        .get(format!("{base}/org/units/420106001001"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("望湖新社区") && page.contains("已撤销") && page.contains("本单位设置"),
        "{page}"
    );
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = b
        .post(format!("{base}/org/units/420106001/rename"))
        .form(&[("_csrf", csrf.as_str()), ("name", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("单位名称：必填"));
    let r = b
        .post(format!("{base}/org/units/420106001/rename"))
        .form(&[("_csrf", csrf.as_str()), ("name", "望江街道")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("单位名称已修改"), "{page}");
    // The district's menu: the two types chosen at setup, not the others.
    assert!(page.contains("/cases?type=hotline_ticket"), "{page}");
    assert!(!page.contains("/cases?type=petition"), "{page}");
}

#[tokio::test]
async fn first_run_on_an_empty_sqlite_database_through_the_setup_page() {
    let t = TestDb::sqlite().await;
    first_run_walk(&t.db).await;
    t.cleanup().await;
}

#[tokio::test]
async fn first_run_on_an_empty_postgres_database_through_the_setup_page() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    first_run_walk(&t.db).await;
    t.cleanup().await;
}
