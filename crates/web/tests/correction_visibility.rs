//! A community-correction subject's identity (`visible_to = ["correction_officer"]` in
//! `case_types/correction_subject/case_type.toml`) never reaches a role without the right: every
//! page and API answer is fetched as every role, and none carries the name, ID number, phone or
//! residence — except the case itself shown to the correction officer within scope (masked, or
//! revealed on request), each such view audited. Lists never show them, not even to that role.
//! Besides a fixed list of pages and API answers, every GET of the API (from the OpenAPI
//! document) and every page reachable by links from the home page is fetched for every role.

#[allow(dead_code)]
mod support;

use fazhi_store::org::{self, NewUser};
use jiff::civil::date;
use serde_json::json;
use support::{Backend, PASSWORD, TestApp, password_hash, spawn_app};

const NAME: &str = "欧阳矫正";
const ID_NUMBER: &str = "110101199003074514";
const PHONE: &str = "13912345678";
const RESIDENCE: &str = "望湖社区七幢九号";

async fn add_user(t: &TestApp, login: &str, unit: &str) {
    let u = org::unit_by_code(&t.db, unit).await.unwrap().unwrap();
    let roles = vec!["correction_officer".to_owned()];
    let mut tx = t.db.begin().await.unwrap();
    org::insert_user(
        &mut tx,
        &NewUser {
            login,
            display_name: "测试社区矫正工作人员",
            password_hash: password_hash(),
            unit_id: u.id,
            department_id: None,
            scope: "unit_subtree",
            roles: &roles,
            created_at: 0,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The body of a GET as `login` (HTTP Basic for the API, a logged-in browser for pages).
async fn body(t: &TestApp, client: &reqwest::Client, login: &str, path: &str) -> (u16, String) {
    let mut r = client.get(t.url(path));
    if path.starts_with("/api/") {
        r = r.basic_auth(login, Some(PASSWORD));
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn leaks(text: &str) -> Vec<&'static str> {
    let masked_id = "1101**********4514";
    [
        NAME,
        ID_NUMBER,
        PHONE,
        RESIDENCE,
        "欧阳",
        masked_id,
        "139****5678",
    ]
    .into_iter()
    .filter(|s| text.contains(s))
    .collect()
}

async fn identity_never_reaches_a_role_without_the_right(backend: Backend) {
    let t = spawn_app(backend, date(2026, 3, 31)).await;
    add_user(&t, "correction", "S").await;
    add_user(&t, "c2correction", "C2").await;
    let h = t.api("correction");
    // A handler may not even register one.
    let (s, _) = t
        .api("handler")
        .create(
            "correction_subject",
            Some("C1"),
            Some("2026-03-02"),
            json!({}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, out) = h
        .create(
            "correction_subject",
            Some("C1"),
            Some("2026-03-02"),
            json!({"subject_name": NAME, "subject_id_number": ID_NUMBER, "subject_phone": PHONE,
                   "residence": RESIDENCE, "correction_type": "缓刑", "offence": "危险驾驶罪",
                   "decision_body": "人民法院", "decision_number": "（2026）浙0108刑初12号",
                   "judgment_effective_on": "2026-02-26", "documents_received_on": "2026-03-02",
                   "term_end_on": "2027-02-25"}),
        )
        .await;
    assert_eq!(s, 201, "{out}");
    let id = out["case_id"].as_i64().unwrap();
    let (s, out) = h
        .step(
            id,
            "report",
            Some("2026-03-03"),
            json!({"reported_on": "2026-03-03"}),
        )
        .await;
    assert_eq!(s, 200, "{out}");

    let case = format!("/api/v1/cases/{id}");
    let page = format!("/cases/{id}");
    let paths: Vec<String> = vec![
        "/api/v1/me".into(),
        "/api/v1/case-types".into(),
        "/api/v1/cases".into(),
        "/api/v1/cases?case_type=correction_subject".into(),
        // The API does not echo the query: a hit would show in `total` and `items`.
        format!("/api/v1/cases?q={NAME}"),
        case.clone(),
        format!("{case}?reveal=true"),
        "/api/v1/audit".into(),
        "/api/v1/audit?entity=case".into(),
        "/api/v1/users".into(),
        "/api/v1/officers".into(),
        "/api/v1/units".into(),
        "/api/v1/public/decisions".into(),
        "/".into(),
        "/cases".into(),
        "/cases?case_type=correction_subject".into(),
        page.clone(),
        format!("{page}?reveal=1"),
        "/audit".into(),
        "/dashboard".into(),
        "/reports".into(),
        "/org".into(),
        "/officers".into(),
        "/calendar".into(),
        "/public/decisions".into(),
    ];
    let logins = [
        "admin",
        "leader",
        "handler",
        "officer",
        "legal",
        "viewer",
        "c1handler",
        "c2handler",
        "correction",
        "c2correction",
    ];
    for login in logins {
        let client = t.browser(login).await;
        for path in &paths {
            let (status, text) = body(&t, &client, login, path).await;
            assert!(status < 500, "{login} {path}: {status}");
            let found = leaks(&text);
            let own_case =
                login == "correction" && (path.starts_with(&case) || path.starts_with(&page));
            if !own_case {
                assert!(found.is_empty(), "{login} {path} shows {found:?}");
                continue;
            }
            // The correction officer sees the case with the identity: masked, or revealed.
            assert_eq!(status, 200, "{login} {path}");
            if path.contains("reveal") {
                // A GET never reveals: revealing is an audited POST (below).
                assert!(!text.contains(ID_NUMBER), "{path}: a GET never reveals");
            } else {
                assert!(!text.contains(ID_NUMBER), "{path} masked by default");
                assert!(
                    text.contains("1101**********4514"),
                    "{path} shows the masked number"
                );
            }
        }
    }
    // Revealing is a POST: the correction officer gets the identity, another role does not.
    let (s, v) = t
        .api("correction")
        .post(&format!("{case}/reveal"), json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    let text = v.to_string();
    assert!(
        text.contains(ID_NUMBER) && text.contains(NAME),
        "the correction officer's reveal"
    );
    let (_, v) = t
        .api("admin")
        .post(&format!("{case}/reveal"), json!({}))
        .await;
    assert!(leaks(&v.to_string()).is_empty(), "admin's reveal: {v}");
    // Outside its scope the correction officer of another community does not find the case.
    let (s, _) = t.api("c2correction").get(&case).await;
    assert_eq!(s, 404);
    // Every view of the identity by the correction officer is in the audit log.
    let (_, a) = t
        .api("admin")
        .get(&format!(
            "/api/v1/audit?entity=case&entity_id={id}&limit=500"
        ))
        .await;
    let views = a
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "view_restricted" && e["actor"] == "correction")
        .count();
    assert_eq!(
        views, 5,
        "two API and two page views of the case, and one reveal: {a}"
    );

    // Beyond the list above: every GET of the API (docs/openapi.json, `{id}` = the case) and
    // every page reachable by links from the home page, for every role.
    let spec: serde_json::Value = serde_json::from_str(&fazhi_web::openapi_json()).unwrap();
    let api_paths: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.get("get").is_some())
        .map(|(p, _)| p.replace("{id}", &id.to_string()))
        .collect();
    assert!(api_paths.len() >= 10, "{api_paths:?}");
    let mut crawled = 0;
    for login in logins {
        let client = t.browser(login).await;
        let mut seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        let mut queue: std::collections::VecDeque<String> = std::iter::once("/".to_owned())
            .chain(api_paths.iter().cloned())
            .collect();
        // Bounded: at most 400 distinct pages per role.
        while let Some(path) = queue.pop_front() {
            if seen.len() >= 400 {
                break;
            }
            if !seen.insert(path.clone()) {
                continue;
            }
            let (status, text) = body(&t, &client, login, &path).await;
            assert!(status < 500, "{login} {path}: {status}");
            let own_case = login == "correction"
                && (path.starts_with(&case) || path.starts_with(&page))
                && !path.contains("/download");
            let found = leaks(&text);
            if own_case {
                assert!(
                    !text.contains(ID_NUMBER),
                    "{login} {path}: a GET never reveals"
                );
            } else {
                assert!(found.is_empty(), "{login} {path} shows {found:?}");
            }
            for link in text.split("href=\"").skip(1) {
                let Some(end) = link.find('"') else { continue };
                let href = link[..end].replace("&amp;", "&");
                let href = href.split('#').next().unwrap_or_default().to_owned();
                if href.starts_with('/')
                    && !href.starts_with("//")
                    && !href.starts_with("/logout")
                    && !href.starts_with("/assets/")
                    && !seen.contains(&href)
                {
                    queue.push_back(href);
                }
            }
        }
        // Logged in, the role reaches pages by links beyond the API list.
        assert!(
            seen.len() > api_paths.len() + 3,
            "{login} reached only {seen:?}"
        );
        crawled += seen.len();
    }
    eprintln!(
        "crawled {crawled} pages and API answers over {} roles",
        logins.len()
    );
    t.stop().await;
}

#[tokio::test]
async fn a_correction_subjects_identity_never_reaches_another_role_on_sqlite() {
    identity_never_reaches_a_role_without_the_right(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_correction_subjects_identity_never_reaches_another_role_on_postgresql() {
    identity_never_reaches_a_role_without_the_right(Backend::Postgres).await;
}
