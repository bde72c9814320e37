//! The case search index: substring search over Chinese text that does not read every row.
//!
//! Chinese has no spaces between words and many search terms are two characters (电梯, 漏水,
//! 油烟), which word segmenters split inconsistently and trigram indexes cannot answer. The
//! index therefore holds every pair of adjacent CJK characters of a case's search text (a lone
//! CJK character as itself): a run `电梯门口` is indexed as `电梯 梯门 门口`. Consecutive runs
//! of two or more characters are kept apart by a separator token that no query holds
//! (`电梯，梯门` is `电梯 x 梯门`), so a phrase of pairs never spans two runs. A query's CJK run
//! of two or more characters becomes the phrase of its pairs, which a text holds exactly when
//! the run is a substring of it. A query is whitespace-separated terms, all of which a match
//! contains. A term that is one CJK run (`电梯`, `电梯门`) is therefore decided by the index
//! alone; a term mixing CJK with other characters (`望江路128号`, `漏水3`) is then checked
//! against the text with `LIKE`, because its other characters are not indexed. Queries without
//! a two-character CJK run (case numbers, digits, one character) have no index to use and are
//! answered by `LIKE` alone.
//!
//! Each case's entry also holds one *scope token* per unit on its unit's path, for its case type
//! ([`scope_token`]): a search within a unit subtree adds the subtree's token to the query, so
//! the index yields only that subtree's matches of that case type, and a list filtered by
//! nothing else is counted by the index alone (`cases::list_cases`). A case's unit and type
//! never change after it is filed, so the tokens are written once, with its text.
//!
//! SQLite keeps the index in an FTS5 table (`cases_search`, contentless, rowid = case id),
//! PostgreSQL in a `tsvector` column of `cases_search` with a GIN index; both are written in the
//! case's own transaction. Migration 0006 adds the table and a flag that [`backfill`] clears
//! after indexing the cases that existed before it; migration 0008 empties the index written
//! without separators and sets the flag again, so that [`backfill`] rebuilds it; migration 0012
//! does the same for the scope tokens.

use crate::DbRow;

use fazhi_domain::CaseId;

use crate::writer::SearchOp;
use crate::{Backend, Db, Result, Tx};

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'   // Extension A
        | '\u{4E00}'..='\u{9FFF}' // Unified Ideographs
        | '\u{F900}'..='\u{FAFF}' // Compatibility Ideographs
        | '\u{20000}'..='\u{2FA1F}' // Extensions B–F and supplement
        | '\u{3007}') // 〇
}

/// The maximal runs of CJK characters in `text`.
fn cjk_runs(text: &str) -> impl Iterator<Item = Vec<char>> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        while chars.peek().is_some_and(|c| !is_cjk(*c)) {
            chars.next();
        }
        let mut run = Vec::new();
        while let Some(c) = chars.next_if(|c| is_cjk(*c)) {
            run.push(c);
        }
        (!run.is_empty()).then_some(run)
    })
}

/// The token between two consecutive CJK runs of two or more characters. Queries hold CJK pairs
/// only, so no phrase contains it, and both tokenizers (FTS5 `unicode61`, PostgreSQL `simple`)
/// keep it as a token of its own with a position: a phrase cannot span it. A lone character's
/// token between two runs separates them as well.
const RUN_SEPARATOR: char = 'x';

/// The space-separated tokens the index holds for `text`: each CJK run as its overlapping
/// character pairs, a one-character run as itself, [`RUN_SEPARATOR`] between two runs of pairs.
/// Other characters are not indexed.
pub fn index_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut after_pairs = false;
    for run in cjk_runs(text) {
        if run.len() == 1 {
            push_token(&mut out, &run[..]);
            after_pairs = false;
            continue;
        }
        if after_pairs {
            push_token(&mut out, &[RUN_SEPARATOR]);
        }
        for pair in run.windows(2) {
            push_token(&mut out, pair);
        }
        after_pairs = true;
    }
    out
}

/// The token of the subtree of unit `unit_id` within case type `case_type`: ASCII letters and
/// digits only (a query's own tokens are CJK, so it never holds one by accident), `s`, the
/// unit's id, `k`, and the case type's code in hex (codes may hold `_`, which the tokenizers
/// split on).
pub fn scope_token(case_type: &str, unit_id: i64) -> String {
    token_of(unit_id, &type_hex(case_type))
}

/// [`scope_token`] with the case type already in hex.
fn token_of(unit_id: i64, type_hex: &str) -> String {
    format!("s{unit_id}k{type_hex}")
}

/// A case type's code in lowercase hex.
fn type_hex(case_type: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(case_type.len() * 2);
    for b in case_type.bytes() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// The ids of the units on a materialised path (`/1/2/11/` → 1, 2, 11); `None` if a segment is
/// not an id.
pub fn path_unit_ids(unit_path: &str) -> Option<Vec<i64>> {
    unit_path
        .trim_matches('/')
        .split('/')
        .map(|s| s.parse().ok())
        .collect()
}

/// The index entry of a case: the tokens of its text, then its scope tokens.
pub fn document(case_type: &str, unit_path: &str, search_text: &str) -> String {
    let mut out = index_tokens(search_text);
    let hex = type_hex(case_type);
    for id in path_unit_ids(unit_path).unwrap_or_default() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&token_of(id, &hex));
    }
    out
}

fn push_token(out: &mut String, chars: &[char]) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.extend(chars);
}

/// How a search query uses the index. A query is whitespace-separated terms, each of which a
/// matching case's text contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexQuery {
    /// One phrase per CJK run of two or more characters of any term, each the run's pairs in
    /// order; a candidate holds every phrase.
    pub phrases: Vec<Vec<String>>,
    /// The terms the index does not decide alone (all but the terms that are one CJK run of two
    /// or more characters), checked against the candidates' text.
    pub check: Vec<String>,
    /// The scope token ([`scope_token`]) a candidate also holds, when the search is within a
    /// unit subtree and one case type.
    pub scope: Option<String>,
}

/// The terms of a search query.
pub fn terms(q: &str) -> Vec<&str> {
    q.split_whitespace().collect()
}

/// The index query for a user's search text, or `None` when no term has a CJK run of two or
/// more characters (the query is answered by a scan).
pub fn index_query(q: &str) -> Option<IndexQuery> {
    let mut phrases = Vec::new();
    let mut check = Vec::new();
    for term in terms(q) {
        phrases.extend(
            cjk_runs(term)
                .filter(|r| r.len() >= 2)
                .map(|r| r.windows(2).map(|p| p.iter().collect()).collect()),
        );
        // One run: its phrase holds exactly the texts containing it.
        let exact = term.chars().count() >= 2 && term.chars().all(is_cjk);
        if !exact {
            check.push(term.to_string());
        }
    }
    (!phrases.is_empty()).then_some(IndexQuery {
        phrases,
        check,
        scope: None,
    })
}

impl IndexQuery {
    /// The FTS5 `MATCH` expression: quoted phrases, implicitly AND-ed. Tokens are CJK pairs
    /// only, so nothing in them needs escaping.
    pub fn fts5(&self) -> String {
        self.phrases
            .iter()
            .map(|p| format!("\"{}\"", p.join(" ")))
            .chain(self.scope.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The same query within the subtree of `unit_path` for `case_type`.
    pub fn within(mut self, case_type: &str, unit_path: &str) -> Self {
        self.scope = path_unit_ids(unit_path)
            .and_then(|ids| ids.last().copied())
            .map(|id| scope_token(case_type, id));
        self
    }

    /// The PostgreSQL `to_tsquery('simple', …)` text: `<->` within a phrase, `&` between.
    pub fn tsquery(&self) -> String {
        self.phrases
            .iter()
            .map(|p| {
                let terms: Vec<String> = p.iter().map(|t| format!("'{t}'")).collect();
                format!("({})", terms.join(" <-> "))
            })
            .chain(self.scope.as_ref().map(|t| format!("'{t}'")))
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// The statement yielding the ids of candidate cases; `param` is the placeholder bound to
    /// [`IndexQuery::bind_text`].
    pub fn ids_sql(backend: Backend, param: &str) -> String {
        match backend {
            Backend::Sqlite => {
                format!("SELECT rowid FROM cases_search WHERE cases_search MATCH {param}")
            }
            Backend::Postgres => format!(
                "SELECT case_id FROM cases_search WHERE tokens @@ to_tsquery('simple', {param})"
            ),
        }
    }

    pub fn bind_text(&self, backend: Backend) -> String {
        match backend {
            Backend::Sqlite => self.fts5(),
            Backend::Postgres => self.tsquery(),
        }
    }
}

/// Indexes a new case (in its creating transaction; on SQLite at the commit of its group, see
/// [`crate::writer`]).
pub async fn insert(
    tx: &mut Tx,
    id: CaseId,
    case_type: &str,
    unit_path: &str,
    search_text: &str,
) -> Result<()> {
    let Some(SearchOp::Insert(id, tokens)) = tx.defer_search(SearchOp::Insert(
        id.0,
        document(case_type, unit_path, search_text),
    )) else {
        return Ok(());
    };
    tx.execute(
        "INSERT INTO cases_search (case_id, tokens) VALUES ($1, to_tsvector('simple', $2))",
        vec![id.into(), tokens.into()],
    )
    .await?;
    Ok(())
}

/// Re-indexes a case whose search text changed.
pub async fn replace(
    tx: &mut Tx,
    id: CaseId,
    case_type: &str,
    unit_path: &str,
    search_text: &str,
) -> Result<()> {
    if let Some(SearchOp::Delete(id)) = tx.defer_search(SearchOp::Delete(id.0)) {
        tx.execute(
            "DELETE FROM cases_search WHERE case_id = $1",
            vec![id.into()],
        )
        .await?;
    }
    insert(tx, id, case_type, unit_path, search_text).await
}

/// Cases indexed per backfill transaction.
const BACKFILL_BATCH: i64 = 5_000;

/// Indexes every case while `search_backfill.pending` is set (by migration 0006 for the cases
/// written before it, by 0008 and 0012 after emptying the index); a no-op afterwards. Returns how many
/// cases it indexed. Each case is replaced rather than inserted, so cases indexed meanwhile by
/// their own transactions, or by an interrupted earlier run, are not indexed twice (on an
/// emptied index the delete finds nothing).
pub async fn backfill(db: &Db) -> Result<u64> {
    let pending: i64 = sqlx::query("SELECT COUNT(*) FROM search_backfill WHERE pending = 1")
        .fetch_one(db.pool())
        .await?
        .col(0)?;
    if pending == 0 {
        return Ok(0);
    }
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let rows =
            sqlx::query("SELECT id, case_type, unit_path, search_text FROM cases WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(BACKFILL_BATCH)
                .fetch_all(db.pool())
                .await?;
        let Some(last) = rows.last() else { break };
        after = last.col(0)?;
        let mut tx = db.begin().await?;
        for r in &rows {
            let id = CaseId(r.col(0)?);
            let (case_type, unit_path, text): (String, String, String) =
                (r.col(1)?, r.col(2)?, r.col(3)?);
            replace(&mut tx, id, &case_type, &unit_path, &text).await?;
        }
        tx.commit().await?;
        done += rows.len() as u64;
    }
    db.execute_write("UPDATE search_backfill SET pending = 0", Vec::new())
        .await?;
    if done > 0 {
        tracing::info!(cases = done, "search index built for existing cases");
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_runs_become_pairs_and_lone_characters_stay() {
        assert_eq!(
            index_tokens("RX2025000001 电梯门口 噪音，扰民 A栋3号"),
            "电梯 梯门 门口 x 噪音 x 扰民 栋 号"
        );
        assert_eq!(index_tokens("abc 123"), "");
        assert_eq!(index_tokens("〇号"), "〇号");
    }

    #[test]
    fn runs_of_pairs_are_separated_and_lone_characters_separate_by_themselves() {
        assert_eq!(index_tokens("电梯，梯门"), "电梯 x 梯门");
        assert_eq!(index_tokens("电梯a梯门b门口"), "电梯 x 梯门 x 门口");
        assert_eq!(index_tokens("电梯 A栋 梯门"), "电梯 栋 梯门");
        assert_eq!(index_tokens("栋 号"), "栋 号");
        assert_eq!(
            index_tokens("x电梯x"),
            "电梯",
            "text's own letters are not indexed"
        );
    }

    #[test]
    fn a_document_places_its_case_in_every_subtree_of_its_unit() {
        assert_eq!(
            scope_token("hotline_ticket", 11),
            "s11k686f746c696e655f7469636b6574"
        );
        assert_eq!(
            document("ab", "/1/2/11/", "电梯门"),
            "电梯 梯门 s1k6162 s2k6162 s11k6162"
        );
        assert_eq!(document("ab", "/7/", ""), "s7k6162");
        assert_eq!(path_unit_ids("/1/2/x/"), None);
        let q = index_query("电梯").unwrap().within("ab", "/1/2/");
        assert_eq!(q.fts5(), "\"电梯\" s2k6162");
        assert_eq!(q.tsquery(), "('电梯') & 's2k6162'");
        assert!(q.check.is_empty());
    }

    #[test]
    fn one_run_terms_are_exact_and_others_are_checked() {
        let q = index_query(" 电梯 ").unwrap();
        assert_eq!(q.phrases, vec![vec!["电梯".to_string()]]);
        assert!(q.check.is_empty());
        assert_eq!(q.fts5(), "\"电梯\"");
        assert_eq!(q.tsquery(), "('电梯')");

        let q = index_query("电梯门 望江路128号 漏水").unwrap();
        assert_eq!(q.check, ["望江路128号"]);
        assert_eq!(q.fts5(), "\"电梯 梯门\" \"望江 江路\" \"漏水\"");
        assert_eq!(
            q.tsquery(),
            "('电梯' <-> '梯门') & ('望江' <-> '江路') & ('漏水')"
        );

        let q = index_query("电梯门口堆放").unwrap();
        assert!(q.check.is_empty());
        assert_eq!(q.fts5(), "\"电梯 梯门 门口 口堆 堆放\"");
        // Two runs in one term: the phrases do not say they are adjacent.
        let q = index_query("电梯，梯门").unwrap();
        assert_eq!(q.fts5(), "\"电梯\" \"梯门\"");
        assert_eq!(q.check, ["电梯，梯门"]);
        // A run and a lone character: the character is not indexed alone.
        assert_eq!(index_query("A栋漏水").unwrap().check, ["A栋漏水"]);
        assert_eq!(index_query("栋漏水").unwrap().check, Vec::<String>::new());

        assert_eq!(index_query("漏水3").unwrap().check, ["漏水3"]);
        assert_eq!(index_query("漏水 3").unwrap().check, ["3"]);
        assert_eq!(index_query("RX2025000001"), None);
        assert_eq!(index_query("水"), None);
        assert_eq!(index_query("水 3 电"), None);
        assert_eq!(terms(" 楼道　漏水 "), ["楼道", "漏水"]);
    }
}
