//! List search through the CJK pair index (`fazhi_store::search`), on SQLite and PostgreSQL:
//! the same answers as a plain substring test, whichever way the index is used.

use fazhi_store::cases::{self, CaseFilter, CaseWrite};
use fazhi_store::{Db, UnitRow, on_both, org, search};

async fn seed_units(db: &Db) -> (UnitRow, UnitRow) {
    let mut tx = db.begin().await.unwrap();
    let s = org::insert_unit(&mut tx, None, "S", "望江街道", "street")
        .await
        .unwrap();
    let c = org::insert_unit(&mut tx, Some(&s), "C1", "望湖社区", "community")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (s, c)
}

fn write<'a>(
    unit: &'a UnitRow,
    number: &'a str,
    text: &'a str,
    on: &'a str,
    fields: &'a serde_json::Map<String, serde_json::Value>,
) -> CaseWrite<'a> {
    CaseWrite {
        case_type: "hotline_ticket",
        number,
        unit_id: unit.id,
        unit_path: &unit.path,
        department_id: None,
        owner_id: None,
        state: "received",
        title: "工单",
        category: Some("投诉"),
        created_on: on,
        closed_on: None,
        due_on: None,
        due_level: 0,
        published: false,
        fields,
        search_text: text,
        at: 1,
    }
}

async fn insert(db: &Db, unit: &UnitRow, rows: &[(String, String, &str)]) -> Vec<i64> {
    let fields = serde_json::Map::new();
    let mut tx = db.begin().await.unwrap();
    let mut ids = Vec::new();
    for (number, text, on) in rows {
        let w = write(unit, number, text, on, &fields);
        ids.push(cases::insert_case(&mut tx, &w).await.unwrap().0);
    }
    tx.commit().await.unwrap();
    ids
}

async fn numbers(db: &Db, q: &str, unit: Option<&UnitRow>) -> (Vec<String>, i64) {
    let f = CaseFilter {
        case_type: Some("hotline_ticket".into()),
        unit_path: unit.map(|u| u.path.clone()),
        query: Some(q.into()),
        limit: 50,
        ..Default::default()
    };
    let (rows, total) = cases::list_cases(db, &f).await.unwrap();
    (rows.into_iter().map(|r| r.number).collect(), total)
}

fn n(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

async fn search_matches_substrings(db: &Db) {
    let (s, c) = seed_units(db).await;
    let texts = [
        ("N1", "N1 电梯门口堆放杂物 望江路128号", "2026-03-01"),
        ("N2", "N2 电梯，梯门损坏", "2026-03-02"),
        ("N3", "N3 楼道漏水 A栋", "2026-03-03"),
        ("N4", "N4 小区停车难", "2026-03-04"),
    ];
    let rows: Vec<(String, String, &str)> = texts
        .iter()
        .map(|(n, t, on)| (n.to_string(), t.to_string(), *on))
        .collect();
    let ids = insert(db, &c, &rows[..3]).await;
    insert(db, &s, &rows[3..]).await;

    // Two characters: the index alone.
    assert_eq!(numbers(db, "电梯", None).await, (n(&["N2", "N1"]), 2));
    assert_eq!(numbers(db, "梯门", None).await, (n(&["N2", "N1"]), 2));
    // Three: the phrase 电梯+梯门 also matches N2 across the comma; the text check drops it.
    assert_eq!(numbers(db, "电梯门", None).await, (n(&["N1"]), 1));
    // Mixed with digits, and two runs (both required).
    assert_eq!(numbers(db, "望江路128", None).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "楼道 漏水", None).await, (n(&["N3"]), 1));
    assert_eq!(numbers(db, "漏水 停车", None).await, (vec![], 0));
    // No two-character CJK run: the text scan.
    assert_eq!(numbers(db, "128号", None).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "水", None).await, (n(&["N3"]), 1));
    assert_eq!(numbers(db, "N4", None).await, (n(&["N4"]), 1));
    // Scope: N4 is the street's own, outside the community.
    assert_eq!(numbers(db, "停车", Some(&c)).await, (vec![], 0));
    assert_eq!(numbers(db, "停车", Some(&s)).await, (n(&["N4"]), 1));

    // A changed text is re-indexed by the caller of update_case.
    let fields = serde_json::Map::new();
    let mut tx = db.begin().await.unwrap();
    let w = CaseWrite {
        at: 2,
        ..write(&c, "N3", "N3 楼道渗水 A栋", "2026-03-03", &fields)
    };
    let id = fazhi_domain::CaseId(ids[2]);
    cases::update_case(&mut tx, id, 1, &w).await.unwrap();
    search::replace(&mut tx, id, w.search_text).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(numbers(db, "漏水", None).await, (vec![], 0));
    assert_eq!(numbers(db, "渗水", None).await, (n(&["N3"]), 1));

    // Cases written before the index existed are indexed by the backfill after migrating.
    sqlx::query("DELETE FROM cases_search")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE search_backfill SET pending = 1")
        .execute(db.pool())
        .await
        .unwrap();
    assert_eq!(numbers(db, "电梯", None).await.1, 0);
    db.migrate().await.unwrap();
    assert_eq!(numbers(db, "电梯", None).await, (n(&["N2", "N1"]), 2));
    assert_eq!(search::backfill(db).await.unwrap(), 0, "only once");
}

/// More candidates than the by-id path takes: the list index is walked instead, with the same
/// page, order and total.
async fn common_words_walk_the_list_index(db: &Db) {
    let (s, c) = seed_units(db).await;
    let many: Vec<(String, String, &str)> = (0..2_100)
        .map(|i| {
            let text = if i % 3 == 0 {
                "电梯故障"
            } else {
                "电梯噪音"
            };
            (format!("M{i:05}"), format!("M{i:05} {text}"), "2026-04-01")
        })
        .collect();
    insert(db, &c, &many).await;
    insert(db, &s, &many[..0]).await;
    let (page, total) = numbers(db, "电梯", Some(&c)).await;
    assert_eq!(total, 2_100);
    let expected: Vec<String> = (0..2_100)
        .rev()
        .take(50)
        .map(|i| format!("M{i:05}"))
        .collect();
    assert_eq!(page, expected, "newest first (same day: by id)");
    let (page, total) = numbers(db, "电梯故障", Some(&c)).await;
    assert_eq!(total, 700);
    assert_eq!(page[0], "M02097");
    assert_eq!(numbers(db, "故障", Some(&s)).await.1, 700);
}

#[tokio::test]
async fn search_answers_like_a_substring_test() {
    on_both!(search_matches_substrings);
}

#[tokio::test]
async fn searches_for_common_words_walk_the_list_index() {
    on_both!(common_words_walk_the_list_index);
}
