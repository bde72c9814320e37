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
//! SQLite keeps the index in an FTS5 table (`cases_search`, contentless, rowid = case id),
//! PostgreSQL in a `tsvector` column of `cases_search` with a GIN index; both are written in the
//! case's own transaction. Migration 0006 adds the table and a flag that [`backfill`] clears
//! after indexing the cases that existed before it; migration 0008 empties the index written
//! without separators and sets the flag again, so that [`backfill`] rebuilds it.

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
    (!phrases.is_empty()).then_some(IndexQuery { phrases, check })
}

impl IndexQuery {
    /// The FTS5 `MATCH` expression: quoted phrases, implicitly AND-ed. Tokens are CJK pairs
    /// only, so nothing in them needs escaping.
    pub fn fts5(&self) -> String {
        self.phrases
            .iter()
            .map(|p| format!("\"{}\"", p.join(" ")))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The PostgreSQL `to_tsquery('simple', …)` text: `<->` within a phrase, `&` between.
    pub fn tsquery(&self) -> String {
        self.phrases
            .iter()
            .map(|p| {
                let terms: Vec<String> = p.iter().map(|t| format!("'{t}'")).collect();
                format!("({})", terms.join(" <-> "))
            })
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
pub async fn insert(tx: &mut Tx, id: CaseId, search_text: &str) -> Result<()> {
    let Some(SearchOp::Insert(id, tokens)) =
        tx.defer_search(SearchOp::Insert(id.0, index_tokens(search_text)))
    else {
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
pub async fn replace(tx: &mut Tx, id: CaseId, search_text: &str) -> Result<()> {
    if let Some(SearchOp::Delete(id)) = tx.defer_search(SearchOp::Delete(id.0)) {
        tx.execute(
            "DELETE FROM cases_search WHERE case_id = $1",
            vec![id.into()],
        )
        .await?;
    }
    insert(tx, id, search_text).await
}

/// Cases indexed per backfill transaction.
const BACKFILL_BATCH: i64 = 5_000;

/// Indexes every case while `search_backfill.pending` is set (by migration 0006 for the cases
/// written before it, by 0008 after emptying the index); a no-op afterwards. Returns how many
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
            sqlx::query("SELECT id, search_text FROM cases WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(BACKFILL_BATCH)
                .fetch_all(db.pool())
                .await?;
        let Some(last) = rows.last() else { break };
        after = last.col(0)?;
        let mut tx = db.begin().await?;
        for r in &rows {
            let id = CaseId(r.col(0)?);
            let text: String = r.col(1)?;
            replace(&mut tx, id, &text).await?;
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
