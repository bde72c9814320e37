//! `spawn_app`: a real server on 127.0.0.1 with its own database (a temp SQLite file, or a fresh
//! PostgreSQL database), a small organisation, and a fixed clock.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use fazhi_app::{App, FixedClock};
use fazhi_domain::OfficerId;
use fazhi_store::org::{self, NewCertificate, NewOfficer, NewUser};
use fazhi_store::{ConnectOptions, Db, UnitRow};
use fazhi_workflow::{Registry, WorkflowConfig};

pub const PASSWORD: &str = "Test-password-2026";
const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
    server: tokio::task::JoinHandle<()>,
}

pub fn password_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| fazhi_app::auth::hash_password(PASSWORD).unwrap())
}

pub enum Backend {
    Sqlite,
    Postgres,
}

/// Spawns the app on `today`. Organisation: district D > street S > communities C1, C2;
/// departments hotline, enforcement; users for each role; officers ZF01/ZF02 (valid 城市管理
/// certificates) and ZF03 (expired certificate).
pub async fn spawn_app(backend: Backend, today: jiff::civil::Date) -> TestApp {
    spawn_app_with(backend, today, Registry::embedded()).await
}

/// [`spawn_app`] with the case types of `registry` (e.g. a fixture folder's).
pub async fn spawn_app_with(
    backend: Backend,
    today: jiff::civil::Date,
    registry: Registry,
) -> TestApp {
    let (url, dir, pg_name) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            (
                format!("sqlite://{}", dir.path().join("t.db").display()),
                Some(dir),
                None,
            )
        }
        Backend::Postgres => {
            let admin = Db::connect(PG_ADMIN, ConnectOptions::default())
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is not reachable on 127.0.0.1:5432 ({e}); these tests need it"
                    )
                });
            let name = format!("fazhi_web_{}", uuid::Uuid::new_v4().simple());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(admin.pool())
                .await
                .unwrap();
            admin.close().await;
            (
                format!("postgres://postgres@127.0.0.1:5432/{name}"),
                None,
                Some(name),
            )
        }
    };
    let db = Db::connect(
        &url,
        ConnectOptions {
            create_if_missing: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    db.migrate().await.unwrap();
    seed(&db).await;
    let clock = Arc::new(FixedClock::at(today));
    let app = App::new(
        db.clone(),
        registry,
        WorkflowConfig::embedded(),
        clock.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = fazhi_web::router(
        app.clone(),
        fazhi_web::WebConfig {
            secure_cookies: false,
            setup_token: None,
            trusted_proxies: Vec::new(),
        },
    );
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    TestApp {
        addr,
        db,
        pg_name,
        _dir: dir,
        server,
    }
}

async fn seed(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    let d = org::insert_unit(&mut tx, None, "D", "滨江区", "district")
        .await
        .unwrap();
    let s = org::insert_unit(&mut tx, Some(&d), "S", "望江街道", "street")
        .await
        .unwrap();
    let c1 = org::insert_unit(&mut tx, Some(&s), "C1", "望湖社区", "community")
        .await
        .unwrap();
    let c2 = org::insert_unit(&mut tx, Some(&s), "C2", "江滨社区", "community")
        .await
        .unwrap();
    let hotline = org::insert_department(&mut tx, s.id, "hotline", "12345热线办")
        .await
        .unwrap();
    let enforcement = org::insert_department(&mut tx, s.id, "enforcement", "综合行政执法队")
        .await
        .unwrap();
    let user = |login: &'static str, unit: &UnitRow, roles: &[&str], scope: &'static str, dept| {
        (
            login,
            unit.id,
            roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            scope,
            dept,
        )
    };
    let users = vec![
        user("admin", &s, &["admin"], "unit_subtree", None),
        user("leader", &s, &["leader"], "unit_subtree", None),
        user(
            "handler",
            &s,
            &["handler"],
            "unit_subtree",
            Some(hotline.id),
        ),
        user(
            "officer",
            &s,
            &["officer"],
            "unit_subtree",
            Some(enforcement.id),
        ),
        user("legal", &s, &["legal_reviewer"], "unit_subtree", None),
        user("viewer", &s, &["viewer"], "unit_subtree", None),
        user("c1handler", &c1, &["handler"], "unit_subtree", None),
        user("c2handler", &c2, &["handler"], "unit_subtree", None),
    ];
    for (login, unit_id, roles, scope, dept) in &users {
        org::insert_user(
            &mut tx,
            &NewUser {
                login,
                display_name: &format!("测试{login}"),
                password_hash: password_hash(),
                unit_id: *unit_id,
                department_id: *dept,
                scope,
                roles,
                created_at: 0,
            },
        )
        .await
        .unwrap();
    }
    let officer = |code: &'static str, name: &'static str| NewOfficer {
        code,
        name,
        user_id: None,
        unit_id: s.id,
        department_id: Some(enforcement.id),
        legal_reviewer: false,
    };
    let certs: [(&str, &str, &str, &str, &str); 3] = [
        ("ZF01", "张执法", "浙执A0000001", "2024-01-01", "2028-12-31"),
        ("ZF02", "李执法", "浙执A0000002", "2024-01-01", "2028-12-31"),
        ("ZF03", "王执法", "浙执A0000003", "2020-01-01", "2026-06-30"),
    ];
    for (code, name, number, from, to) in certs {
        let id: OfficerId = org::insert_officer(&mut tx, &officer(code, name))
            .await
            .unwrap();
        org::insert_certificate(
            &mut tx,
            &NewCertificate {
                officer_id: id,
                number,
                domain: "城市管理",
                valid_from: from,
                valid_to: to,
                annual_check_year: Some(2025),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let _ = c2;
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// An API client authenticating with HTTP Basic as `login`.
    pub fn api(&self, login: &str) -> Api {
        Api {
            base: format!("http://{}", self.addr),
            login: login.into(),
            client: reqwest::Client::new(),
        }
    }

    /// A browser-like client (cookie store, no redirects followed) logged in as `login`.
    pub async fn browser(&self, login: &str) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = self.login_with(&c, login, PASSWORD).await;
        assert_eq!(r.status(), 303, "login as {login} should redirect");
        c
    }

    /// The login form as a browser sends it: the page first (for its CSRF token and cookie), then
    /// the form. `c` must keep cookies.
    pub async fn login_with(
        &self,
        c: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        let html = c
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = html
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the login form carries a CSRF token")
            .to_string();
        c.post(self.url("/login"))
            .form(&[
                ("login", login),
                ("password", password),
                ("next", "/"),
                ("_csrf", &token),
            ])
            .send()
            .await
            .unwrap()
    }

    pub async fn audit_count(&self) -> i64 {
        use sqlx::Row;
        sqlx::query("SELECT COUNT(*) FROM audit_log")
            .fetch_one(self.db.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap()
    }

    pub async fn stop(self) {
        self.server.abort();
        self.db.close().await;
        if let Some(name) = self.pg_name {
            let admin = Db::connect(PG_ADMIN, ConnectOptions::default())
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(admin.pool())
            .await
            .unwrap();
            admin.close().await;
        }
    }
}

pub struct Api {
    base: String,
    login: String,
    client: reqwest::Client,
}

impl Api {
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .basic_auth(&self.login, Some(PASSWORD))
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .basic_auth(&self.login, Some(PASSWORD))
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn create(
        &self,
        case_type: &str,
        unit: Option<&str>,
        on: Option<&str>,
        input: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        // A dated request carries a reason, as a user recording a late step gives one (needed
        // beyond `backdate_reason_days`; crates/app/tests/backdating.rs tests the rule).
        let reason = on.map(|_| "测试补录");
        self.post("/api/v1/cases", serde_json::json!({"case_type": case_type, "unit_code": unit, "on": on, "on_reason": reason, "input": input})).await
    }

    pub async fn step(
        &self,
        id: i64,
        transition: &str,
        on: Option<&str>,
        input: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.post(
            &format!("/api/v1/cases/{id}/transitions"),
            serde_json::json!({"transition": transition, "on": on, "on_reason": on.map(|_| "测试补录"), "input": input}),
        )
        .await
    }
}
