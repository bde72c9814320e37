//! List pages against a reference computed here: the same cases filtered, ordered and paged in
//! Rust. `list_cases` picks indexes and query shapes by filter (a unit subtree as its units on
//! SQLite, a count index per filter, due-date order read in two parts); every shape must give
//! the reference's ids and total. Runs on SQLite and on PostgreSQL (see `store.rs`).

use fazhi_domain::CaseId;
use fazhi_store::cases::{self, CaseFilter, CaseWrite, Sort};
use fazhi_store::testing::seed_units;
use fazhi_store::{Db, UnitRow, on_both};

#[derive(Debug, Clone)]
struct Case {
    id: i64,
    case_type: &'static str,
    text: &'static str,
    path: String,
    state: &'static str,
    category: Option<&'static str>,
    created_on: String,
    due_on: Option<String>,
}

const STATES: [&str; 3] = ["received", "dispatched", "closed"];
const CATEGORIES: [Option<&str>; 4] = [Some("咨询"), Some("投诉"), Some("表扬"), None];

async fn seed(db: &Db) -> (Vec<UnitRow>, Vec<Case>) {
    let (_, s, c) = seed_units(db).await;
    let mut tx = db.begin().await.unwrap();
    let c2 = fazhi_store::org::insert_unit(&mut tx, Some(&s), "C2", "望山社区", "community")
        .await
        .unwrap();
    let g = fazhi_store::org::insert_unit(&mut tx, Some(&c), "G1", "望湖社区第一网格", "grid")
        .await
        .unwrap();
    let units = vec![s, c, c2, g];
    let fields = serde_json::Map::new();
    let mut out = Vec::new();
    let mut x: u64 = 7;
    for i in 0..200 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (x >> 33) as usize;
        let unit = &units[r % units.len()];
        let state = STATES[(r / 4) % STATES.len()];
        let category = CATEGORIES[(r / 12) % CATEGORIES.len()];
        let created_on = format!("2026-0{}-{:02}", 1 + (r / 48) % 4, 1 + (r / 192) % 28);
        // Closed cases have no open deadline; several open ones share a due date (ties by id).
        let due_on = (state != "closed").then(|| format!("2026-05-{:02}", 1 + (r / 7) % 9));
        let number = format!("N-{i:03}");
        // Another case type in the same units, with the same texts: a search or count within
        // one type must not see it.
        let case_type = if i % 5 == 4 {
            "enforcement_case"
        } else {
            "hotline_ticket"
        };
        let text = ["噪音扰民", "电梯故障", "电梯噪音"][(r / 3) % 3];
        let id = cases::insert_case(
            &mut tx,
            &CaseWrite {
                case_type,
                number: &number,
                unit_id: unit.id,
                unit_path: &unit.path,
                department_id: None,
                owner_id: None,
                state,
                title: "噪音扰民",
                category,
                created_on: &created_on,
                closed_on: None,
                due_on: due_on.as_deref(),
                due_level: 0,
                published: false,
                fields: &fields,
                search_text: text,
                at: 1,
            },
        )
        .await
        .unwrap();
        out.push(Case {
            id: id.0,
            case_type,
            text,
            path: unit.path.clone(),
            state,
            category,
            created_on,
            due_on,
        });
    }
    tx.commit().await.unwrap();
    (units, out)
}

/// The reference: filter, order, page and count in Rust.
fn reference(all: &[Case], f: &CaseFilter) -> (Vec<i64>, i64) {
    let mut hits: Vec<&Case> = all
        .iter()
        .filter(|c| f.case_type.as_deref().is_none_or(|t| c.case_type == t))
        .filter(|c| f.query.as_deref().is_none_or(|q| c.text.contains(q)))
        .filter(|c| {
            f.unit_path
                .as_ref()
                .is_none_or(|p| c.path.starts_with(p.as_str()))
        })
        .filter(|c| f.state.as_deref().is_none_or(|s| c.state == s))
        .filter(|c| f.category.is_none() || c.category == f.category.as_deref())
        .filter(|c| f.created_from.as_ref().is_none_or(|d| &c.created_on >= d))
        .filter(|c| f.created_to.as_ref().is_none_or(|d| &c.created_on <= d))
        .filter(|c| {
            f.due_by
                .as_ref()
                .is_none_or(|d| c.due_on.as_ref().is_some_and(|due| due <= d))
        })
        .collect();
    match f.sort {
        Sort::CreatedDesc => hits.sort_by(|a, b| (&b.created_on, b.id).cmp(&(&a.created_on, a.id))),
        Sort::CreatedAsc => hits.sort_by(|a, b| (&a.created_on, a.id).cmp(&(&b.created_on, b.id))),
        Sort::DueAsc => hits.sort_by(|a, b| {
            (a.due_on.is_none(), &a.due_on, a.id).cmp(&(b.due_on.is_none(), &b.due_on, b.id))
        }),
    }
    let total = hits.len() as i64;
    let page = hits
        .iter()
        .skip(f.offset as usize)
        .take(f.limit as usize)
        .map(|c| c.id)
        .collect();
    (page, total)
}

async fn list_pages_match_the_reference(db: &Db) {
    let (units, all) = seed(db).await;
    let scopes = [
        None,
        Some(&units[0]),
        Some(&units[1]),
        Some(&units[2]),
        Some(&units[3]),
    ];
    let mut filters = Vec::new();
    for scope in scopes {
        let base = CaseFilter {
            case_type: Some("hotline_ticket".into()),
            unit_path: scope.map(|u| u.path.clone()),
            limit: 7,
            ..Default::default()
        };
        for sort in [Sort::CreatedDesc, Sort::CreatedAsc, Sort::DueAsc] {
            for offset in [0, 5, 30, 60, 200] {
                filters.push(CaseFilter {
                    sort,
                    offset,
                    ..base.clone()
                });
            }
        }
        for category in ["咨询", "投诉", "表扬"] {
            filters.push(CaseFilter {
                category: Some(category.into()),
                ..base.clone()
            });
            for state in STATES {
                filters.push(CaseFilter {
                    category: Some(category.into()),
                    state: Some(state.into()),
                    ..base.clone()
                });
            }
        }
        for state in STATES {
            filters.push(CaseFilter {
                state: Some(state.into()),
                sort: Sort::DueAsc,
                ..base.clone()
            });
        }
        for month in 1..=4 {
            filters.push(CaseFilter {
                created_from: Some(format!("2026-0{month}-01")),
                created_to: Some(format!("2026-0{month}-28")),
                ..base.clone()
            });
        }
        // Searches: counted by the index within a subtree (nothing else filtering), by the
        // list index otherwise; pages of several sizes, so that some are full.
        for q in ["噪音", "电梯", "电梯故障", "扰民"] {
            for (limit, offset) in [(7, 0), (7, 14), (50, 0), (3, 200)] {
                filters.push(CaseFilter {
                    query: Some(q.into()),
                    limit,
                    offset,
                    ..base.clone()
                });
            }
            filters.push(CaseFilter {
                query: Some(q.into()),
                category: Some("投诉".into()),
                ..base.clone()
            });
            filters.push(CaseFilter {
                query: Some(q.into()),
                state: Some("received".into()),
                ..base.clone()
            });
        }
        for sort in [Sort::DueAsc, Sort::CreatedDesc] {
            filters.push(CaseFilter {
                due_by: Some("2026-05-04".into()),
                open_only: true,
                sort,
                ..base.clone()
            });
        }
    }
    for f in &filters {
        let (rows, total) = cases::list_cases(db, f).await.unwrap();
        let got: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
        let want = reference(&all, f);
        assert_eq!((got, total), want, "{f:?}");
    }
    // The due-date order really spans both parts: a page that starts among the cases with a
    // due date and ends among those without.
    let open = all
        .iter()
        .filter(|c| c.due_on.is_some() && c.case_type == "hotline_ticket")
        .count() as i64;
    let f = CaseFilter {
        case_type: Some("hotline_ticket".into()),
        sort: Sort::DueAsc,
        offset: open - 3,
        limit: 7,
        ..Default::default()
    };
    let (rows, _) = cases::list_cases(db, &f).await.unwrap();
    let dues: Vec<bool> = rows.iter().map(|r| r.due_on.is_some()).collect();
    assert_eq!(dues, [true, true, true, false, false, false, false]);
    assert!(rows.iter().all(|r| r.id != CaseId(0)));
}

#[tokio::test]
async fn list_pages_and_counts_match_a_reference_on_every_query_shape() {
    on_both!(list_pages_match_the_reference);
}
