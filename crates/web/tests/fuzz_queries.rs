//! Fuzzing on stable (issue 16): the query strings every GET route parses, driven by proptest
//! with a bounded number of cases (cargo-fuzz needs nightly, which this build cannot fetch).
//! The routes come from the router's own table (`fazhi_web::route_table()`), so a new route is
//! fuzzed without being listed here. Every answer to an arbitrary query, as the admin and
//! anonymously, is below 500, and an API answer is JSON.

#[allow(dead_code)]
mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::json;
use support::{Backend, spawn_app};

/// Query parameter names the handlers read, plus arbitrary ones.
const KEYS: &[&str] = &[
    "page",
    "per_page",
    "limit",
    "q",
    "state",
    "case_type",
    "category",
    "unit",
    "from",
    "to",
    "on",
    "sort",
    "year",
    "period",
    "due",
    "days",
    "before",
    "actor",
    "entity",
    "entity_id",
    "indicator",
    "value_text",
    "next",
    "notice",
    "error",
    "verify",
    "reveal",
    "token",
    "fmt",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "-?[0-9]{1,25}",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
        "[0-9]{4}(-Q[0-9]|-H[0-9]|-[0-9]{2})?",
        "(asc|desc|created_on|due_on|number|received|closed|true|false|1|0)",
        "(%[0-9A-Fa-f]{2}|%[g-z]{0,2}|[+&=;#?/\\\\])+",
        "\\PC{0,40}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop_oneof![
                prop::sample::select(KEYS).prop_map(str::to_string),
                "\\PC{0,8}"
            ],
            value(),
        ),
        0..6,
    )
    .prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent(k),
                    // Half of the values go raw (stray `%`, `+`, `;`), half encoded.
                    if v.len() % 2 == 0 {
                        utf8_percent(v)
                    } else {
                        v.replace(['&', '#'], "")
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn utf8_percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[tokio::test]
async fn arbitrary_query_strings_never_give_a_server_error() {
    let t = spawn_app(Backend::Sqlite, jiff::civil::date(2026, 3, 2)).await;
    let (s, c) = t
        .api("handler")
        .create(
            "hotline_ticket",
            None,
            Some("2026-03-02"),
            json!({"channel": "电话", "caller_phone": "13800138000", "category": "咨询", "content": "咨询办事流程"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let case_id = c["case_id"].as_i64().unwrap().to_string();
    let (s, tok) = t
        .api("admin")
        .post("/api/v1/tokens", json!({"name": "fuzz"}))
        .await;
    assert_eq!(s, 201, "{tok}");
    let token = tok["token"].as_str().unwrap().to_string();
    let browser = t.browser("admin").await;
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = query();
    let routes: Vec<_> = fazhi_web::route_table()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path != "/setup")
        .collect();
    assert!(routes.len() > 30, "{routes:?}");
    let mut failures = Vec::new();
    let mut sent = 0;
    for r in &routes {
        let path = r.path.replace("{id}", &case_id).replace("{fmt}", "md");
        let api = path.starts_with("/api/");
        for i in 0..16 {
            let q = strategy.new_tree(&mut runner).unwrap().current();
            let url = format!("{}?{q}", t.url(&path));
            let req = match (i % 4 == 3, api) {
                (true, _) => anonymous.get(&url),
                (false, true) => anonymous.get(&url).bearer_auth(&token),
                (false, false) => browser.get(&url),
            };
            let resp = req.send().await.unwrap();
            sent += 1;
            let status = resp.status().as_u16();
            let ctype = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            if status >= 500 {
                failures.push(format!("GET {url}: {status}"));
            } else if api && status != 200 && !ctype.starts_with("application/json") {
                failures.push(format!("GET {url}: {status} answered {ctype}"));
            }
        }
    }
    assert!(sent > 400, "{sent}");
    assert!(
        failures.is_empty(),
        "{} of {sent}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    t.stop().await;
}
