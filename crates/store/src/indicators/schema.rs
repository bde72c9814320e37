//! The part of the schema that follows the facts layouts (`case_types/<code>/facts.toml`,
//! [`fazhi_indicators::facts::Layouts`]): the triggers that keep `case_facts_rollup` equal to
//! `case_facts` grouped by month, the backfill of the rollup, and the backfill of the slots of
//! `case_facts` from `cases`, `case_events` and `case_clocks`. Generated per backend from the
//! layouts the database is opened with ([`crate::Db::with_layouts`]) at every
//! [`crate::Db::migrate`] (which `fazhi migrate`, `serve` and `demo` run at start).
//!
//! `facts_schema` (migration 0013) records the fingerprint of the layouts the schema was generated
//! from. [`apply`]: an unchanged fingerprint costs one read; otherwise, in one transaction (which
//! also holds back every writer), the triggers are dropped, the slots are backfilled when what
//! fixes them changed ([`Layouts::slots_fingerprint`]), the rollup is rebuilt from the facts, the
//! triggers are created again and the new fingerprint is recorded.
//!
//! The rollup's key (see migration 0010): `<date>_month` the day number of the first day of the
//! month of the facts' `<date>_day`, -1 for none; the coded columns the facts' code, -1 for NULL;
//! a column the rollup does not hold for the case type ([`Layouts::rollup_holds`]) is -2 on its
//! rows and its day sum 0. Values: `n`, day sums, `numN_sum` and `numN_n`.
//!
//! SQL text is built from constants and from codes checked here to be snake_case identifiers
//! (`[a-z][a-z0-9_]*`), written as SQL string literals; nothing else from the layouts enters it.

use fazhi_indicators::facts::{self, FactLayout, Layouts};
use fazhi_indicators::plan::Col;

use crate::{Backend, Db, DbRow, Result, StoreError};

/// What [`apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The recorded fingerprint is the layouts': nothing was generated.
    Unchanged,
    /// Only the rollup columns changed: rollup and triggers rebuilt, facts untouched.
    RollupRebuilt,
    /// Slots backfilled, rollup and triggers rebuilt.
    Rebuilt,
}

/// A rollup column, the facts column it is computed from, and its [`Col`].
type RollupCol = (String, String, Col);

/// The key columns of the rollup (see migration 0026), from the slot counts of
/// [`fazhi_indicators::facts`].
fn key_cols() -> Vec<RollupCol> {
    let c = |r: String, f: String, col: Col| (r, f, col);
    let mut out = vec![
        c("created_month".into(), "created_day".into(), Col::CreatedOn),
        c("closed_month".into(), "closed_day".into(), Col::ClosedOn),
    ];
    for i in 1..=slot_u8(facts::EVENT_SLOTS) {
        out.push(c(
            format!("ev{i}_month"),
            format!("ev{i}_day"),
            Col::Event(i),
        ));
    }
    for i in 1..=slot_u8(facts::CLOCK_SLOTS) {
        out.push(c(
            format!("clk{i}_due_month"),
            format!("clk{i}_due_day"),
            Col::ClockDue(i),
        ));
    }
    for (n, col) in [
        ("state", Col::State),
        ("category", Col::Category),
        ("published", Col::Published),
    ] {
        out.push(c(n.into(), n.into(), col));
    }
    for i in 1..=slot_u8(facts::TEXT_SLOTS) {
        out.push(c(format!("txt{i}"), format!("txt{i}"), Col::Text(i)));
    }
    for i in 1..=slot_u8(facts::CLOCK_SLOTS) {
        out.push(c(
            format!("clk{i}_status"),
            format!("clk{i}_status"),
            Col::ClockStatus(i),
        ));
    }
    out
}

/// The day sums of the rollup.
fn day_sums() -> Vec<RollupCol> {
    let mut out = vec![
        ("created_sum".into(), "created_day".into(), Col::CreatedOn),
        ("closed_sum".into(), "closed_day".into(), Col::ClosedOn),
    ];
    for i in 1..=slot_u8(facts::EVENT_SLOTS) {
        out.push((format!("ev{i}_sum"), format!("ev{i}_day"), Col::Event(i)));
    }
    out
}

/// The integer slots, which the rollup sums and counts.
fn nums() -> Vec<String> {
    (1..=facts::NUM_SLOTS).map(|i| format!("num{i}")).collect()
}

fn slot_u8(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

fn is_code(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A snake_case code as an SQL string literal.
fn lit(code: &str) -> Result<String> {
    if is_code(code) {
        Ok(format!("'{code}'"))
    } else {
        Err(StoreError::Corrupt(format!(
            "facts layout: `{code}` is not a snake_case code; the schema is not generated from it"
        )))
    }
}

/// Literals of a list of codes, comma-separated.
fn lits<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<String> {
    Ok(codes
        .into_iter()
        .map(lit)
        .collect::<Result<Vec<_>>>()?
        .join(", "))
}

/// The generator for one backend and set of layouts.
struct Gen<'a> {
    backend: Backend,
    layouts: &'a Layouts,
    key: Vec<RollupCol>,
    day_sums: Vec<RollupCol>,
    nums: Vec<String>,
    /// For each key column, the case types that do not hold it (SQL literals; empty: all do).
    not_held: Vec<(Col, String)>,
}

impl<'a> Gen<'a> {
    fn new(backend: Backend, layouts: &'a Layouts) -> Result<Gen<'a>> {
        let mut not_held = Vec::new();
        let key = key_cols();
        for (_, _, col) in &key {
            let col = *col;
            let types = lits(
                layouts
                    .iter()
                    .filter(|l| !l.rollup.contains(&col))
                    .map(|l| l.case_type.as_str()),
            )?;
            not_held.push((col, types));
        }
        Ok(Gen {
            backend,
            layouts,
            key,
            day_sums: day_sums(),
            nums: nums(),
            not_held,
        })
    }

    fn not_held(&self, col: Col) -> &str {
        self.not_held
            .iter()
            .find(|(c, _)| *c == col)
            .map_or("", |(_, t)| t.as_str())
    }

    /// `expr`, or `other` on the rows of the case types that do not hold `col`.
    fn held(&self, row: &str, col: Col, expr: String, other: &str) -> String {
        match self.not_held(col) {
            "" => expr,
            types => format!("CASE WHEN {row}.case_type IN ({types}) THEN {other} ELSE {expr} END"),
        }
    }

    /// The first day of the month of a day number, -1 for NULL.
    fn month(&self, e: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!(
                "COALESCE(CAST(julianday({e} + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1)"
            ),
            Backend::Postgres => format!("fact_month({e})"),
        }
    }

    /// The rollup key value of one key column for a row (`NEW`, `OLD`, `f`).
    fn key(&self, row: &str, (_, fc, col): &RollupCol) -> String {
        let col = *col;
        let e = format!("{row}.{fc}");
        let v = match col {
            c if c.is_day() => self.month(&e),
            Col::State | Col::Published => e,
            _ => format!("COALESCE({e}, -1)"),
        };
        self.held(row, col, v, "-2")
    }

    fn is_set(&self, e: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("({e} IS NOT NULL)"),
            Backend::Postgres => format!("CAST({e} IS NOT NULL AS INTEGER)"),
        }
    }

    fn key_names(&self) -> String {
        self.key
            .iter()
            .map(|k| k.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn columns(&self) -> String {
        let mut c = vec!["case_type".to_string(), "unit_path".into()];
        c.extend(self.key.iter().map(|k| k.0.clone()));
        c.push("n".into());
        c.extend(self.day_sums.iter().map(|s| s.0.clone()));
        for n in &self.nums {
            c.push(format!("{n}_sum"));
            c.push(format!("{n}_n"));
        }
        c.join(", ")
    }

    /// Adds the row `NEW` to its group.
    fn add_new(&self) -> String {
        let mut v = vec!["NEW.case_type".to_string(), "NEW.unit_path".into()];
        v.extend(self.key.iter().map(|k| self.key("NEW", k)));
        v.push("1".into());
        for (_, fc, col) in &self.day_sums {
            v.push(self.held("NEW", *col, format!("COALESCE(NEW.{fc}, 0)"), "0"));
        }
        for n in &self.nums {
            v.push(format!("COALESCE(NEW.{n}, 0)"));
            v.push(self.is_set(&format!("NEW.{n}")));
        }
        let t = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => "case_facts_rollup.",
        };
        let mut sums = vec![format!("n = {t}n + excluded.n")];
        sums.extend(
            self.day_sums
                .iter()
                .map(|s| format!("{0} = {t}{0} + excluded.{0}", s.0)),
        );
        for n in &self.nums {
            for s in ["sum", "n"] {
                sums.push(format!("{n}_{s} = {t}{n}_{s} + excluded.{n}_{s}"));
            }
        }
        format!(
            "INSERT INTO case_facts_rollup ({}) VALUES ({}) ON CONFLICT (case_type, unit_path, {}) DO UPDATE SET {}",
            self.columns(),
            v.join(", "),
            self.key_names(),
            sums.join(", ")
        )
    }

    /// The group of the row `OLD`.
    fn old_group(&self) -> String {
        let mut w = vec![
            "case_type = OLD.case_type".to_string(),
            "unit_path = OLD.unit_path".into(),
        ];
        w.extend(
            self.key
                .iter()
                .map(|k| format!("{} = {}", k.0, self.key("OLD", k))),
        );
        w.join(" AND ")
    }

    /// Removes the row `OLD` from its group (two statements: the group goes with its last
    /// case).
    fn remove_old(&self) -> [String; 2] {
        let group = self.old_group();
        let mut set = vec!["n = n - 1".to_string()];
        for (sc, fc, col) in &self.day_sums {
            let v = self.held("OLD", *col, format!("COALESCE(OLD.{fc}, 0)"), "0");
            set.push(format!("{sc} = {sc} - {v}"));
        }
        for n in &self.nums {
            set.push(format!("{n}_sum = {n}_sum - COALESCE(OLD.{n}, 0)"));
            set.push(format!(
                "{n}_n = {n}_n - {}",
                self.is_set(&format!("OLD.{n}"))
            ));
        }
        [
            format!("DELETE FROM case_facts_rollup WHERE n = 1 AND {group}"),
            format!(
                "UPDATE case_facts_rollup SET {} WHERE {group}",
                set.join(", ")
            ),
        ]
    }

    /// The condition of an update that moves a row between groups: a change of a column the
    /// rollup holds for the case type (`replace_clocks` rewrites the same clock slots on every
    /// step; a column not held never moves a row).
    fn update_when(&self) -> String {
        let ne = match self.backend {
            Backend::Sqlite => "IS NOT",
            Backend::Postgres => "IS DISTINCT FROM",
        };
        let mut parts = vec![
            format!("OLD.case_type {ne} NEW.case_type"),
            format!("OLD.unit_path {ne} NEW.unit_path"),
        ];
        for (_, fc, col) in &self.key {
            let changed = format!("OLD.{fc} {ne} NEW.{fc}");
            parts.push(match self.not_held(*col) {
                "" => changed,
                types => format!("({changed} AND NEW.case_type NOT IN ({types}))"),
            });
        }
        parts.extend(self.nums.iter().map(|n| format!("OLD.{n} {ne} NEW.{n}")));
        parts.join(" OR ")
    }

    /// Statements dropping the generated triggers (whichever exist).
    fn drop_triggers(&self) -> Vec<String> {
        match self.backend {
            Backend::Sqlite => ["insert", "update", "delete"]
                .iter()
                .map(|t| format!("DROP TRIGGER IF EXISTS case_facts_rollup_{t}"))
                .collect(),
            Backend::Postgres => vec![
                "DROP TRIGGER IF EXISTS case_facts_rollup_insert_delete ON case_facts".into(),
                "DROP TRIGGER IF EXISTS case_facts_rollup_update ON case_facts".into(),
                "DROP FUNCTION IF EXISTS case_facts_rollup_apply()".into(),
            ],
        }
    }

    /// Statements creating the triggers.
    fn create_triggers(&self) -> Vec<String> {
        let add = self.add_new();
        let [del, dec] = self.remove_old();
        let when = self.update_when();
        match self.backend {
            Backend::Sqlite => vec![
                format!(
                    "CREATE TRIGGER case_facts_rollup_insert AFTER INSERT ON case_facts BEGIN {add}; END"
                ),
                format!(
                    "CREATE TRIGGER case_facts_rollup_update AFTER UPDATE ON case_facts WHEN {when} \
                     BEGIN {del}; {dec}; {add}; END"
                ),
                format!(
                    "CREATE TRIGGER case_facts_rollup_delete AFTER DELETE ON case_facts BEGIN {del}; {dec}; END"
                ),
            ],
            Backend::Postgres => vec![
                format!(
                    "CREATE FUNCTION case_facts_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN IF TG_OP <> 'INSERT' THEN {del}; {dec}; END IF; \
                     IF TG_OP <> 'DELETE' THEN {add}; END IF; RETURN NULL; END; $$"
                ),
                "CREATE TRIGGER case_facts_rollup_insert_delete AFTER INSERT OR DELETE ON case_facts \
                 FOR EACH ROW EXECUTE FUNCTION case_facts_rollup_apply()"
                    .into(),
                format!(
                    "CREATE TRIGGER case_facts_rollup_update AFTER UPDATE ON case_facts \
                     FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION case_facts_rollup_apply()"
                ),
            ],
        }
    }

    /// The rollup of the facts as they are, into `table`.
    fn rollup_backfill(&self, table: &str) -> String {
        let mut inner = vec![
            "f.case_type AS case_type".to_string(),
            "f.unit_path AS unit_path".into(),
        ];
        inner.extend(
            self.key
                .iter()
                .map(|k| format!("{} AS {}", self.key("f", k), k.0)),
        );
        for (_, fc, col) in &self.day_sums {
            inner.push(format!(
                "{} AS {fc}",
                self.held("f", *col, format!("f.{fc}"), "NULL")
            ));
        }
        inner.extend(self.nums.iter().map(|n| format!("f.{n} AS {n}")));
        let mut outer = vec!["case_type".to_string(), "unit_path".into()];
        outer.extend(self.key.iter().map(|k| k.0.clone()));
        outer.push("COUNT(*)".into());
        outer.extend(
            self.day_sums
                .iter()
                .map(|(_, fc, _)| format!("COALESCE(SUM({fc}), 0)")),
        );
        for n in &self.nums {
            outer.push(format!("COALESCE(SUM({n}), 0)"));
            outer.push(format!("COUNT({n})"));
        }
        format!(
            "INSERT INTO {table} ({}) SELECT {} FROM (SELECT {} FROM case_facts f) x GROUP BY case_type, unit_path, {}",
            self.columns(),
            outer.join(", "),
            inner.join(", "),
            self.key_names()
        )
    }

    /// A string field of a case `c` (NULL when absent or not a string).
    fn json_text(&self, field: &str) -> Result<String> {
        let f = lit(field)?;
        Ok(match self.backend {
            Backend::Sqlite => format!(
                "CASE WHEN json_type(c.fields, '$.{field}') = 'text' THEN json_extract(c.fields, '$.{field}') END"
            ),
            Backend::Postgres => format!(
                "CASE WHEN jsonb_typeof(c.fields::jsonb -> {f}) = 'string' THEN c.fields::jsonb ->> {f} END"
            ),
        })
    }

    /// An integral number field of a case `c` (NULL otherwise).
    fn json_int(&self, field: &str) -> Result<String> {
        let f = lit(field)?;
        Ok(match self.backend {
            Backend::Sqlite => format!(
                "CASE WHEN json_type(c.fields, '$.{field}') = 'integer' THEN json_extract(c.fields, '$.{field}') END"
            ),
            Backend::Postgres => format!(
                "CASE WHEN jsonb_typeof(c.fields::jsonb -> {f}) = 'number' AND (c.fields::jsonb ->> {f}) ~ '^-?[0-9]+$' \
                 THEN (c.fields::jsonb ->> {f})::bigint END"
            ),
        })
    }

    /// The day number of a `YYYY-MM-DD` text expression.
    fn day(&self, e: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("CAST(julianday({e}) - 2440587.5 AS INTEGER)"),
            Backend::Postgres => {
                format!("CAST(CAST({e} AS DATE) - DATE '1970-01-01' AS BIGINT)")
            }
        }
    }

    /// Statements that set the slots of the facts of one case type from its cases, events and
    /// clocks: the dictionary values first, then the codes.
    fn slot_backfill(&self, l: &FactLayout) -> Result<Vec<String>> {
        let t = lit(&l.case_type)?;
        let mut out = Vec::new();
        let mut values: Vec<String> = Vec::new();
        for f in &l.text {
            values.push(format!(
                "SELECT {} AS v FROM cases c WHERE c.case_type = {t}",
                self.json_text(f)?
            ));
        }
        if !l.clocks.is_empty() {
            values.push(format!(
                "SELECT k.status AS v FROM case_clocks k JOIN cases c ON c.id = k.case_id \
                 WHERE c.case_type = {t} AND k.code IN ({})",
                lits(l.clocks.iter().map(String::as_str))?
            ));
        }
        if !values.is_empty() {
            out.push(format!(
                "INSERT INTO fact_values (value) SELECT v FROM ({}) x WHERE v IS NOT NULL \
                 ON CONFLICT (value) DO NOTHING",
                values.join(" UNION ")
            ));
        }
        let null = "CAST(NULL AS BIGINT)".to_string();
        let code = |e: String| format!("(SELECT d.code FROM fact_values d WHERE d.value = ({e}))");
        let mut v: Vec<String> = Vec::new();
        for i in 0..facts::TEXT_SLOTS {
            v.push(match l.text.get(i) {
                Some(f) => code(self.json_text(f)?),
                None => null.clone(),
            });
        }
        for i in 0..facts::NUM_SLOTS {
            v.push(match l.num.get(i) {
                Some(f) => self.json_int(f)?,
                None => null.clone(),
            });
        }
        for i in 0..facts::EVENT_SLOTS {
            v.push(match l.events.get(i) {
                Some(set) => self.day(&format!(
                    "(SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ({}))",
                    lits(set.iter().map(String::as_str))?
                )),
                None => null.clone(),
            });
        }
        for i in 0..facts::CLOCK_SLOTS {
            match l.clocks.get(i) {
                Some(k) => {
                    let k = lit(k)?;
                    v.push(code(format!(
                        "SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = {k}"
                    )));
                    v.push(self.day(&format!(
                        "(SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = {k})"
                    )));
                }
                None => {
                    v.push(null.clone());
                    v.push(null.clone());
                }
            }
        }
        out.push(format!(
            "UPDATE case_facts SET ({}) = (SELECT {} FROM cases c WHERE c.id = case_facts.case_id) \
             WHERE case_type = {t}",
            facts::slot_columns().join(", "),
            v.join(", ")
        ));
        Ok(out)
    }

    /// Every statement of the slot backfill: each layout's, and NULL slots for the case types
    /// without one.
    fn slots_backfill(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for l in self.layouts.iter() {
            out.extend(self.slot_backfill(l)?);
        }
        let types = lits(self.layouts.iter().map(|l| l.case_type.as_str()))?;
        let slots = facts::slot_columns();
        let set: Vec<String> = slots.iter().map(|s| format!("{s} = NULL")).collect();
        let any: Vec<String> = slots.iter().map(|s| format!("{s} IS NOT NULL")).collect();
        let others = if types.is_empty() {
            String::new()
        } else {
            format!("case_type NOT IN ({types}) AND ")
        };
        out.push(format!(
            "UPDATE case_facts SET {} WHERE {others}({})",
            set.join(", "),
            any.join(" OR ")
        ));
        Ok(out)
    }
}

/// The statement that inserts the rollup of the facts as they are into `table` (a table with
/// the columns of `case_facts_rollup`), as [`apply`] rebuilds it; tests compare it with what the
/// triggers keep.
pub fn rollup_backfill_sql(backend: Backend, layouts: &Layouts, table: &str) -> Result<String> {
    if !is_code(table) {
        return Err(StoreError::Corrupt(format!(
            "`{table}` is not a table name"
        )));
    }
    Ok(Gen::new(backend, layouts)?.rollup_backfill(table))
}

/// The statements creating the rollup triggers of `layouts` (for inspection and tests).
pub fn trigger_sql(backend: Backend, layouts: &Layouts) -> Result<Vec<String>> {
    Ok(Gen::new(backend, layouts)?.create_triggers())
}

/// The fingerprints recorded in `facts_schema` (`None` before the first [`apply`]).
pub async fn recorded(db: &Db) -> Result<Option<(String, String)>> {
    let row = sqlx::query("SELECT fingerprint, slots_fingerprint FROM facts_schema WHERE id = 1")
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| Ok((r.col::<String>(0)?, r.col::<String>(1)?)))
        .transpose()
}

/// Brings the generated schema in line with [`Db::layouts`] (see the module documentation).
pub async fn apply(db: &Db) -> Result<Applied> {
    let layouts = db.layouts().clone();
    let fingerprint = layouts.fingerprint();
    let slots = layouts.slots_fingerprint();
    if recorded(db).await?.is_some_and(|(f, _)| f == fingerprint) {
        return Ok(Applied::Unchanged);
    }
    let g = Gen::new(db.backend(), &layouts)?;
    let mut tx = db.begin().await?;
    // Again inside the transaction, which holds back every other writer (and another process
    // applying the same layouts).
    let current = tx
        .fetch_optional(
            "SELECT fingerprint, slots_fingerprint FROM facts_schema WHERE id = 1",
            vec![],
        )
        .await?
        .map(|r| Ok::<_, StoreError>((r.col::<String>(0)?, r.col::<String>(1)?)))
        .transpose()?;
    if current.as_ref().is_some_and(|(f, _)| *f == fingerprint) {
        tx.rollback().await?;
        return Ok(Applied::Unchanged);
    }
    let rebuild_slots = current.as_ref().is_none_or(|(_, s)| *s != slots);
    for s in g.drop_triggers() {
        tx.execute(&s, vec![]).await?;
    }
    if rebuild_slots {
        for s in g.slots_backfill()? {
            tx.execute(&s, vec![]).await?;
        }
    }
    tx.execute("DELETE FROM case_facts_rollup", vec![]).await?;
    tx.execute(&g.rollup_backfill("case_facts_rollup"), vec![])
        .await?;
    for s in g.create_triggers() {
        tx.execute(&s, vec![]).await?;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    tx.execute(
        "INSERT INTO facts_schema (id, fingerprint, slots_fingerprint, layouts, generated_at) \
         VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, \
         slots_fingerprint = excluded.slots_fingerprint, layouts = excluded.layouts, \
         generated_at = excluded.generated_at",
        vec![
            fingerprint.into(),
            slots.into(),
            layouts.canonical().into(),
            now.into(),
        ],
    )
    .await?;
    tx.commit().await?;
    let applied = if rebuild_slots {
        Applied::Rebuilt
    } else {
        Applied::RollupRebuilt
    };
    tracing::info!(
        ?applied,
        "facts schema generated from the case types' facts layouts"
    );
    Ok(applied)
}
