//! List search through the CJK pair index (`fazhi_store::search`), on SQLite and PostgreSQL:
//! the same answers as a plain substring test, whichever way the index is used.

use fazhi_store::cases::{self, CaseFilter, CaseWrite};
use fazhi_store::testing::seed_units;
use fazhi_store::{Backend, Db, UnitRow, on_both, search};
use sqlx::Row;

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

/// The ids the index alone yields for `q` (before any text check).
async fn candidates(db: &Db, q: &str) -> Vec<i64> {
    let iq = search::index_query(q).unwrap();
    let sql = format!(
        "{} ORDER BY 1",
        search::IndexQuery::ids_sql(db.backend(), "$1")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(iq.bind_text(db.backend()))
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get(0).unwrap())
        .collect()
}

/// Writes `tokens` as the index entry of case `id`, bypassing `search::index_tokens`.
async fn set_tokens(db: &Db, id: i64, tokens: &str) {
    let (delete, insert) = match db.backend() {
        Backend::Sqlite => (
            "DELETE FROM cases_search WHERE rowid = $1",
            "INSERT INTO cases_search (rowid, tokens) VALUES ($1, $2)",
        ),
        Backend::Postgres => (
            "DELETE FROM cases_search WHERE case_id = $1",
            "INSERT INTO cases_search (case_id, tokens) VALUES ($1, to_tsvector('simple', $2))",
        ),
    };
    sqlx::query(delete)
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query(insert)
        .bind(id)
        .bind(tokens)
        .execute(db.pool())
        .await
        .unwrap();
}

async fn pending(db: &Db) -> i64 {
    sqlx::query("SELECT pending FROM search_backfill")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

fn n(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

async fn search_matches_substrings(db: &Db) {
    let (_, s, c) = seed_units(db).await;
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
    // Three or more, one run: the index alone. N2 holds 电梯 and 梯门 in two runs (电梯，梯门),
    // which the index separates, so it is not even a candidate.
    assert!(search::index_query("电梯门").unwrap().check.is_empty());
    assert_eq!(candidates(db, "电梯门").await, [ids[0]]);
    assert_eq!(numbers(db, "电梯门", None).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "电梯门口堆放杂物", None).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "梯门损坏", None).await, (n(&["N2"]), 1));
    assert_eq!(numbers(db, "门口损坏", None).await, (vec![], 0));
    // Several runs in one term: both runs are candidates' phrases, the text check decides.
    assert_eq!(candidates(db, "电梯，梯门").await, [ids[0], ids[1]]);
    assert_eq!(numbers(db, "电梯，梯门", None).await, (n(&["N2"]), 1));
    // Mixed with digits or letters, and two runs (both required).
    assert_eq!(numbers(db, "望江路128", None).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "望江路129", None).await, (vec![], 0));
    assert_eq!(numbers(db, "漏水 A栋", None).await, (n(&["N3"]), 1));
    assert_eq!(numbers(db, "N1 电梯", None).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "楼道 漏水", None).await, (n(&["N3"]), 1));
    assert_eq!(numbers(db, "漏水 停车", None).await, (vec![], 0));
    // No two-character CJK run: the text scan.
    assert_eq!(numbers(db, "128号", None).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "水", None).await, (n(&["N3"]), 1));
    assert_eq!(numbers(db, "N4", None).await, (n(&["N4"]), 1));
    // Scope: N4 is the street's own, outside the community.
    assert_eq!(numbers(db, "停车", Some(&c)).await, (vec![], 0));
    assert_eq!(numbers(db, "停车", Some(&s)).await, (n(&["N4"]), 1));
    // Pages: a page that is not full gives the total, one that is full or past the end counts.
    for (offset, page) in [(0, n(&["N2"])), (1, n(&["N1"])), (2, vec![]), (5, vec![])] {
        let f = CaseFilter {
            case_type: Some("hotline_ticket".into()),
            query: Some("电梯".into()),
            limit: 1,
            offset,
            ..Default::default()
        };
        let (rows, total) = cases::list_cases(db, &f).await.unwrap();
        let got: Vec<String> = rows.into_iter().map(|r| r.number).collect();
        assert_eq!((got, total), (page, 2), "offset {offset}");
    }

    // A changed text is re-indexed by the caller of update_case.
    let fields = serde_json::Map::new();
    let mut tx = db.begin().await.unwrap();
    let w = CaseWrite {
        at: 2,
        ..write(&c, "N3", "N3 楼道渗水 A栋", "2026-03-03", &fields)
    };
    let id = fazhi_domain::CaseId(ids[2]);
    cases::update_case(&mut tx, id, 1, &w).await.unwrap();
    search::replace(&mut tx, id, w.case_type, w.unit_path, w.search_text)
        .await
        .unwrap();
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

/// An index written before migration 0008 ran consecutive CJK runs together, so a phrase could
/// match across two runs; 0008 empties it and the backfill rebuilds it with separators.
async fn migration_0008_rebuilds_an_index_without_separators(db: &Db) {
    let (_, _, c) = seed_units(db).await;
    let rows: Vec<(String, String, &str)> = [
        ("N1", "N1 电梯门口", "2026-03-01"),
        ("N2", "N2 电梯，梯门损坏", "2026-03-02"),
    ]
    .iter()
    .map(|(n, t, on)| (n.to_string(), t.to_string(), *on))
    .collect();
    let ids = insert(db, &c, &rows).await;
    // The tokens as written before the separator.
    set_tokens(db, ids[0], "电梯 梯门 门口").await;
    set_tokens(db, ids[1], "电梯 梯门 门损 损坏").await;
    assert_eq!(
        numbers(db, "电梯门", None).await,
        (n(&["N2", "N1"]), 2),
        "without separators the index is not exact"
    );

    // What 0008 does: the index is empty and the backfill pending.
    let migration = match db.backend() {
        Backend::Sqlite => include_str!("../migrations/sqlite/0008_search_run_separator.sql"),
        Backend::Postgres => include_str!("../migrations/postgres/0008_search_run_separator.sql"),
    };
    sqlx::raw_sql(migration).execute(db.pool()).await.unwrap();
    assert_eq!(candidates(db, "电梯").await, Vec::<i64>::new());
    assert_eq!(pending(db).await, 1);
    search::backfill(db).await.unwrap();
    assert_eq!(numbers(db, "电梯门", None).await, (n(&["N1"]), 1));

    // Through the migrator, as on a database migrated before 0008.
    set_tokens(db, ids[0], "电梯 梯门 门口").await;
    set_tokens(db, ids[1], "电梯 梯门 门损 损坏").await;
    assert_eq!(numbers(db, "电梯门", None).await.1, 2);
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 8")
        .execute(db.pool())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    assert_eq!(pending(db).await, 0, "backfill ran after migrating");
    assert_eq!(candidates(db, "电梯门").await, [ids[0]]);
    assert_eq!(numbers(db, "电梯门", None).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "电梯", None).await, (n(&["N2", "N1"]), 2));
    assert_eq!(numbers(db, "梯门损坏", None).await, (n(&["N2"]), 1));
    // Each case is indexed once: re-indexing one changes only its own entry.
    let mut tx = db.begin().await.unwrap();
    search::replace(
        &mut tx,
        fazhi_domain::CaseId(ids[0]),
        "hotline_ticket",
        &c.path,
        "N1 楼道漏水",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(candidates(db, "电梯").await, [ids[1]]);
    assert_eq!(candidates(db, "漏水").await, [ids[0]]);
}

/// An index written before migration 0012 holds no scope tokens, so a search within a subtree
/// finds nothing in it; 0012 empties it and the backfill rebuilds it with them.
async fn migration_0012_adds_scope_tokens(db: &Db) {
    let (_, s, c) = seed_units(db).await;
    let rows: Vec<(String, String, &str)> = [("N1", "N1 电梯门口", "2026-03-01")]
        .iter()
        .map(|(n, t, on)| (n.to_string(), t.to_string(), *on))
        .collect();
    let ids = insert(db, &c, &rows).await;
    assert_eq!(numbers(db, "电梯", Some(&s)).await, (n(&["N1"]), 1));
    set_tokens(db, ids[0], "电梯 梯门 门口").await;
    assert_eq!(numbers(db, "电梯", None).await, (n(&["N1"]), 1));
    assert_eq!(
        numbers(db, "电梯", Some(&s)).await,
        (vec![], 0),
        "without scope tokens a subtree's search finds nothing"
    );
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 12")
        .execute(db.pool())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    assert_eq!(pending(db).await, 0, "backfill ran after migrating");
    assert_eq!(numbers(db, "电梯", Some(&s)).await, (n(&["N1"]), 1));
    assert_eq!(numbers(db, "电梯", Some(&c)).await, (n(&["N1"]), 1));
}

/// More candidates than the by-id path takes: the list index is walked instead, with the same
/// page, order and total.
async fn common_words_walk_the_list_index(db: &Db) {
    let (_, s, c) = seed_units(db).await;
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
async fn migration_0008_rebuilds_the_search_index() {
    on_both!(migration_0008_rebuilds_an_index_without_separators);
}

#[tokio::test]
async fn migration_0012_rebuilds_the_search_index_with_scope_tokens() {
    on_both!(migration_0012_adds_scope_tokens);
}

#[tokio::test]
async fn searches_for_common_words_walk_the_list_index() {
    on_both!(common_words_walk_the_list_index);
}
