//! Indicators: turns the query plans of `fazhi-indicators` into SQL for SQLite and PostgreSQL,
//! keeps the `case_facts` rows those plans scan, and stores manual figures.
//!
//! Every aggregate runs in the database: one conditional-aggregation scan over `case_facts` per
//! case type (`SUM(CASE WHEN … THEN 1 ELSE 0 END)`), restricted to the clustered range
//! `(case_type, unit_path)`; the JSON fields, events and clocks of a case are read only for
//! filters that have no fact slot. SQL text is built from constants, `$n` placeholders and
//! integers only; every value is bound.
//!
//! The month rollup of the facts (`case_facts_rollup`, kept by triggers generated from the
//! facts layouts, module [`schema`]) answers
//! what it can decide exactly — every built-in measure of a year, quarter or month — and the
//! facts the rest ([`run`], module `rollup`, `fazhi_indicators::months`).
//!
//! The text columns of `case_facts` (state, category, `txtN`, `clkN_status`) hold integer codes
//! of the `fact_values` dictionary. A statement compares them with the codes of its values,
//! looked up when it is built ([`query_codes`]: a value absent from the dictionary is held by
//! no row); writes turn values into codes with [`TxCodes`], whose cache only ever holds
//! committed codes.

use crate::DbRow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, PoisonError, RwLock};

use fazhi_domain::{CaseId, OfficerId, UnitId};
use fazhi_indicators::facts;
use fazhi_indicators::plan::{
    CaseRecords, CaseScan, Col, Cond, ManualQuery, Measure, OfficerCond, OfficerRecords, Operand,
    Param, PercentileQuery, RecordValue,
};
use fazhi_indicators::{CmpOp, ManualEntry, Plan, RawResults};
use serde::Serialize;

use crate::cases::CaseWrite;
use crate::org::subtree_upper;
use crate::{Backend, ClockRow, Db, Result, StoreError, Tx};

mod rollup;
pub mod schema;

// ------------------------------------------------------------------ SQL building

/// Value → code of the `fact_values` dictionary, for the values a statement compares coded
/// columns with; a value that is not in it has no code.
type Codes = Arc<HashMap<String, i64>>;

/// SQL text under construction with its bound parameters.
struct Sql {
    backend: Backend,
    text: String,
    binds: Vec<Param>,
    codes: Codes,
}

impl Sql {
    fn new(backend: Backend) -> Sql {
        Sql::with_codes(backend, Codes::default())
    }

    /// A statement whose conditions may compare coded columns with the values of `codes`.
    fn with_codes(backend: Backend, codes: Codes) -> Sql {
        Sql {
            backend,
            text: String::new(),
            binds: Vec::new(),
            codes,
        }
    }

    fn param(&mut self, p: Param) -> String {
        self.binds.push(p);
        format!("${}", self.binds.len())
    }

    fn text(&mut self, s: &str) -> String {
        self.param(Param::Text(s.to_string()))
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.as_str()));
        for b in &self.binds {
            q = match b {
                Param::Text(s) => q.bind(s.as_str()),
                Param::Int(i) => q.bind(*i),
                Param::Real(r) => q.bind(*r),
            };
        }
        q
    }

    /// `f.case_type = $a AND f.unit_path >= $b AND f.unit_path < $c`
    fn case_range(&mut self, case_type: &str, unit_path: &str) -> String {
        let t = self.text(case_type);
        let lo = self.text(unit_path);
        let hi = self.text(&subtree_upper(unit_path));
        format!("f.case_type = {t} AND f.unit_path >= {lo} AND f.unit_path < {hi}")
    }

    fn col(c: Col) -> String {
        match c {
            Col::State => "f.state".into(),
            Col::Category => "f.category".into(),
            Col::Published => "f.published".into(),
            Col::CreatedOn => "f.created_day".into(),
            Col::ClosedOn => "f.closed_day".into(),
            Col::Text(n) => format!("f.txt{n}"),
            Col::Num(n) => format!("f.num{n}"),
            Col::Event(n) => format!("f.ev{n}_day"),
            Col::ClockStatus(n) => format!("f.clk{n}_status"),
            Col::ClockDue(n) => format!("f.clk{n}_due_day"),
        }
    }

    fn is_numeric(o: &Operand) -> bool {
        matches!(
            o,
            Operand::Col(Col::Num(_) | Col::Published) | Operand::FieldNum(_)
        ) || o.is_day()
    }

    /// Columns that are never NULL or empty.
    fn always_set(o: &Operand) -> bool {
        matches!(
            o,
            Operand::Col(Col::State | Col::Published | Col::CreatedOn)
        )
    }

    /// A rough cost rank of a condition, cheapest and most selective first: equality on a
    /// discrete column usually rules a row out with one comparison, dates rarely do.
    fn rank(c: &Cond) -> u8 {
        let direct = c.operands().iter().all(|o| matches!(o, Operand::Col(_)));
        let base = match c {
            Cond::In(Operand::Col(col), _) if !col.is_day() => 0,
            Cond::IsSet(_) | Cond::NotSet(_) | Cond::NotIn(..) | Cond::In(..) => 1,
            Cond::Cmp(..) => 2,
            Cond::And(_) | Cond::Or(_) | Cond::True => 3,
        };
        if direct { base } else { base + 4 }
    }

    /// A coded column compared as codes, or `None` for any other operand.
    fn coded(o: &Operand) -> Option<String> {
        match o {
            Operand::Col(c) if c.is_coded() => Some(Sql::col(*c)),
            _ => None,
        }
    }

    /// An operand as a value: a coded column reads the text of its code.
    fn operand(&mut self, o: &Operand) -> String {
        match (o, self.backend) {
            (Operand::Col(c), _) if c.is_coded() => format!(
                "(SELECT d.value FROM fact_values d WHERE d.code = {})",
                Sql::col(*c)
            ),
            (Operand::Col(c), _) => Sql::col(*c),
            (Operand::FieldText(f), Backend::Sqlite) => {
                let p = self.text(&format!("$.{f}"));
                format!(
                    "(CASE WHEN json_type(c.fields, {p}) = 'text' THEN json_extract(c.fields, {p}) END)"
                )
            }
            (Operand::FieldText(f), Backend::Postgres) => {
                let p = self.text(f);
                format!(
                    "(CASE WHEN jsonb_typeof(c.fields::jsonb -> {p}) = 'string' THEN c.fields::jsonb ->> {p} END)"
                )
            }
            (Operand::FieldNum(f), Backend::Sqlite) => {
                let p = self.text(&format!("$.{f}"));
                format!(
                    "(CASE WHEN json_type(c.fields, {p}) IN ('integer', 'real') THEN json_extract(c.fields, {p}) END)"
                )
            }
            (Operand::FieldNum(f), Backend::Postgres) => {
                let p = self.text(f);
                format!(
                    "(CASE WHEN jsonb_typeof(c.fields::jsonb -> {p}) = 'number' THEN CAST(c.fields::jsonb ->> {p} AS DOUBLE PRECISION) END)"
                )
            }
            (Operand::FirstEvent(ts), _) => {
                let list = self.list(ts);
                format!(
                    "(SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = f.case_id AND e.transition IN ({list}))"
                )
            }
            (Operand::ClockStatus(code), _) => {
                let p = self.text(code);
                format!(
                    "(SELECT k.status FROM case_clocks k WHERE k.case_id = f.case_id AND k.code = {p})"
                )
            }
            (Operand::ClockDue(code), _) => {
                let p = self.text(code);
                format!(
                    "(SELECT k.due_on FROM case_clocks k WHERE k.case_id = f.case_id AND k.code = {p})"
                )
            }
        }
    }

    /// Whether a list of values is tested with `CASE` arms instead of `IN`. SQLite compiles an
    /// `IN` list of three or more constants into a probe of a temporary b-tree on every row
    /// (measured: about 160 ns per row and measure over 900 000 facts rows, `CASE` 30 ns); up to
    /// two values it compares in line, as PostgreSQL always does with its arrays.
    fn case_list(&self, values: &[Param]) -> bool {
        self.backend == Backend::Sqlite && values.len() >= 3
    }

    /// ` WHEN $a THEN {then} WHEN $b THEN {then} …`
    fn arms(&mut self, values: &[Param], then: &str) -> String {
        values
            .iter()
            .map(|v| {
                let p = self.param(v.clone());
                format!(" WHEN {p} THEN {then}")
            })
            .collect()
    }

    fn list(&mut self, values: &[String]) -> String {
        values
            .iter()
            .map(|v| self.text(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn params(&mut self, values: &[Param]) -> String {
        values
            .iter()
            .map(|v| self.param(v.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The values of a list as parameters compared with the operand's SQL: codes for a coded
    /// column (values without a code dropped: no row holds them), else the texts.
    fn list_params(&self, o: &Operand, values: &[String]) -> Vec<Param> {
        if Sql::coded(o).is_some() {
            values
                .iter()
                .filter_map(|v| self.codes.get(v))
                .map(|c| Param::Int(*c))
                .collect()
        } else {
            values.iter().map(|v| Param::Text(v.clone())).collect()
        }
    }

    /// The operand's SQL for comparisons with [`Sql::list_params`]: a coded column's codes.
    fn compared(&mut self, o: &Operand) -> String {
        Sql::coded(o).unwrap_or_else(|| self.operand(o))
    }

    fn cond(&mut self, c: &Cond) -> String {
        match c {
            Cond::True => "1 = 1".into(),
            Cond::And(parts) if parts.is_empty() => "1 = 1".into(),
            Cond::Or(parts) if parts.is_empty() => "1 = 0".into(),
            Cond::And(parts) => {
                let mut ordered: Vec<&Cond> = parts.iter().collect();
                ordered.sort_by_key(|p| Sql::rank(p));
                let mut s: Vec<String> = Vec::new();
                let mut merged = vec![false; ordered.len()];
                for (i, p) in ordered.iter().enumerate() {
                    if merged[i] {
                        continue;
                    }
                    // `o >= a AND o <= b` (a period window) as `o BETWEEN a AND b`, which
                    // reads `o` once: SQLite evaluates it into a register for both comparisons
                    // (measured: about a fifth less CPU for the annual report scans).
                    if let Cond::Cmp(o, CmpOp::Ge, lo) = p {
                        let le = ordered.iter().enumerate().position(|(j, q)| {
                            !merged[j] && matches!(q, Cond::Cmp(o2, CmpOp::Le, _) if o2 == o)
                        });
                        if let Some(j) = le
                            && let Cond::Cmp(_, _, hi) = ordered[j]
                        {
                            merged[j] = true;
                            let a = self.operand(o);
                            let lo = self.param(lo.clone());
                            let hi = self.param(hi.clone());
                            s.push(format!("{a} BETWEEN {lo} AND {hi}"));
                            continue;
                        }
                    }
                    let c = self.cond(p);
                    if c != "1 = 1" {
                        s.push(c);
                    }
                }
                if s.is_empty() {
                    "1 = 1".into()
                } else {
                    format!("({})", s.join(" AND "))
                }
            }
            Cond::Or(parts) => {
                let s: Vec<String> = parts.iter().map(|p| self.cond(p)).collect();
                format!("({})", s.join(" OR "))
            }
            Cond::In(o, values) => {
                let values = self.list_params(o, values);
                if values.is_empty() {
                    // No value (or none in the dictionary): no row matches.
                    return "1 = 0".into();
                }
                let o = self.compared(o);
                if let [one] = values.as_slice() {
                    let p = self.param(one.clone());
                    format!("{o} = {p}")
                } else if self.case_list(&values) {
                    let arms = self.arms(&values, "1");
                    format!("(CASE {o}{arms} ELSE 0 END)")
                } else {
                    let list = self.params(&values);
                    format!("{o} IN ({list})")
                }
            }
            Cond::NotIn(o, values) => {
                let values = self.list_params(o, values);
                if values.is_empty() {
                    // NULL or none of no values: every row.
                    return "1 = 1".into();
                }
                let a = self.compared(o);
                if self.case_list(&values) {
                    // NULL matches no arm: "NULL or none of the values" in one expression.
                    let arms = self.arms(&values, "0");
                    format!("(CASE {a}{arms} ELSE 1 END)")
                } else {
                    let list = self.params(&values);
                    format!("({a} IS NULL OR {a} NOT IN ({list}))")
                }
            }
            Cond::IsSet(o) if Sql::always_set(o) => "1 = 1".into(),
            Cond::IsSet(o) => {
                if let Some(a) = Sql::coded(o) {
                    format!("({a} IS NOT NULL AND {a} <> {})", facts::EMPTY_CODE)
                } else if Sql::is_numeric(o) {
                    let a = self.operand(o);
                    format!("{a} IS NOT NULL")
                } else {
                    let a = self.operand(o);
                    format!("({a} IS NOT NULL AND {a} <> '')")
                }
            }
            Cond::NotSet(o) if Sql::always_set(o) => "1 = 0".into(),
            Cond::NotSet(o) => {
                if let Some(a) = Sql::coded(o) {
                    format!("({a} IS NULL OR {a} = {})", facts::EMPTY_CODE)
                } else if Sql::is_numeric(o) {
                    let a = self.operand(o);
                    format!("{a} IS NULL")
                } else {
                    let a = self.operand(o);
                    format!("({a} IS NULL OR {a} = '')")
                }
            }
            Cond::Cmp(o, CmpOp::Eq, Param::Text(v)) if Sql::coded(o).is_some() => {
                // Equality with a text is equality of codes (none: no row is equal); other
                // comparisons read the text of the code (`operand`).
                self.cond(&Cond::In(o.clone(), vec![v.clone()]))
            }
            Cond::Cmp(o, op, p) => {
                let a = self.operand(o);
                let p = self.param(p.clone());
                format!("{a} {} {p}", op.symbol())
            }
        }
    }

    /// A date operand as a day number: fact columns already are; text dates are converted.
    fn day(&mut self, o: &Operand) -> String {
        let a = self.operand(o);
        if o.is_day() {
            return a;
        }
        match self.backend {
            Backend::Sqlite => format!("CAST(julianday({a}) - 2440587.5 AS INTEGER)"),
            Backend::Postgres => format!("(CAST({a} AS DATE) - DATE '1970-01-01')"),
        }
    }

    /// Natural days from one date to another, as an integer.
    fn days(&mut self, from: &Operand, to: &Operand) -> String {
        let f = self.day(from);
        let t = self.day(to);
        format!("({t} - {f})")
    }

    /// One aggregate. `FILTER (WHERE …)` is conditional aggregation that both SQLite (3.30+)
    /// and PostgreSQL run markedly faster than `SUM(CASE WHEN … THEN 1 ELSE 0 END)`. With
    /// `except`, over the cases meeting the measure's condition but not `except` (NULL counts as
    /// not met): the remainder of a measure whose `except` part the rollup holds.
    fn measure(&mut self, m: &Measure, except: Option<&Cond>) -> String {
        let filter = |sql: &mut Sql, c: &Cond| {
            let c = sql.cond(c);
            match except {
                None => c,
                Some(e) => {
                    let e = sql.cond(e);
                    format!("{c} AND ({e}) IS NOT TRUE")
                }
            }
        };
        match m {
            Measure::Count(c) => {
                let c = filter(self, c);
                format!("COUNT(*) FILTER (WHERE {c})")
            }
            Measure::Sum(c, o) => {
                let o = self.operand(o);
                let c = filter(self, c);
                format!("CAST(SUM({o}) FILTER (WHERE {c}) AS DOUBLE PRECISION)")
            }
            Measure::SumDays { cond, from, to } => {
                let d = self.days(from, to);
                let c = filter(self, cond);
                format!("CAST(SUM({d}) FILTER (WHERE {c}) AS DOUBLE PRECISION)")
            }
        }
    }

    fn push_from_facts(&mut self, join_case: bool) {
        self.push(" FROM case_facts f");
        if join_case {
            self.push(" JOIN cases c ON c.id = f.case_id");
        }
    }
}

fn get_f64(r: &impl DbRow, i: usize) -> Result<Option<f64>> {
    // Counts come back as integers, sums and averages as doubles (NULL when nothing matched).
    if let Ok(v) = r.col::<Option<f64>>(i) {
        return Ok(v);
    }
    Ok(r.col::<Option<i64>>(i)?.map(|v| v as f64))
}

// ------------------------------------------------------------------ computing a plan

/// Runs a plan: the scans, then the percentiles, the officer counts and the manual figures.
///
/// A scan's measures are read from the month rollup of the facts (`case_facts_rollup`, see
/// the module `rollup`) where it can decide them — every built-in measure of a year, quarter or month —
/// and from `case_facts` otherwise, or for the cases of the months it cannot decide (a period
/// or a computation day that cuts a month): the figures are those of [`run_facts`]. Facts are
/// scanned with one statement per case type, split over ranges of the unit subtree and run in
/// parallel on the pool's connections.
pub async fn run(db: &Db, plan: &Plan) -> Result<RawResults> {
    Ok(run_with(db, plan, true).await?.0)
}

/// Runs a plan reading `case_facts` alone, not the rollup: the reference [`run`] must equal.
pub async fn run_facts(db: &Db, plan: &Plan) -> Result<RawResults> {
    Ok(run_with(db, plan, false).await?.0)
}

/// How the scan measures of a run were computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Measures read from the rollup alone.
    pub rollup: usize,
    /// Measures read from the rollup plus a remainder from the facts.
    pub rollup_and_facts: usize,
    /// Measures read from the facts alone.
    pub facts: usize,
    /// Statements over the rollup.
    pub rollup_statements: usize,
    /// Statements over `case_facts` (each range of a split scan counts).
    pub facts_statements: usize,
}

/// What a scan measure still needs from the facts after the rollup.
#[derive(Debug, Clone)]
enum FactsPart {
    /// Nothing: the rollup gave it all.
    None,
    /// The whole measure.
    Whole,
    /// The cases meeting its condition but not `sure` (which the rollup counted), all of them
    /// in these (date column, month) pairs.
    Except(Cond, Vec<(Col, i64)>),
}

/// [`run`] (`use_rollup`) or [`run_facts`], and how the scans were computed.
pub async fn run_with(db: &Db, plan: &Plan, use_rollup: bool) -> Result<(RawResults, ScanStats)> {
    let mut out = RawResults::default();
    let mut stats = ScanStats::default();
    let mut conds: Vec<&Cond> = Vec::new();
    for scan in &plan.scans {
        conds.push(&scan.window);
        conds.extend(scan.measures.iter().map(|(_, m)| m.cond()));
    }
    conds.extend(plan.percentiles.iter().map(|p| &p.cond));
    let codes = query_codes(db, &conds).await?;
    let mut sums: Vec<Vec<Option<f64>>> = plan
        .scans
        .iter()
        .map(|s| vec![None; s.measures.len()])
        .collect();
    let add = |acc: &mut Option<f64>, v: Option<f64>| {
        *acc = match (*acc, v) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    };

    // The rollup: one statement per scan with measures it holds.
    let routes: Vec<Vec<rollup::Route>> = plan
        .scans
        .iter()
        .map(|s| {
            s.measures
                .iter()
                .map(|(_, m)| rollup::route(db.layouts(), &s.case_type, m, use_rollup))
                .collect()
        })
        .collect();
    let mut parts: Vec<Vec<FactsPart>> = routes
        .iter()
        .map(|r| {
            r.iter()
                .map(|r| match r {
                    rollup::Route::Rollup(_) => FactsPart::None,
                    rollup::Route::Facts => FactsPart::Whole,
                })
                .collect()
        })
        .collect();
    // One range per core: a rollup is much smaller than its facts, but not always small (facts
    // whose slots vary independently give up to a third as many groups as cases).
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, scan) in plan.scans.iter().enumerate() {
        if !routes[i]
            .iter()
            .any(|r| matches!(r, rollup::Route::Rollup(_)))
        {
            continue;
        }
        for (lo, hi) in partitions(db, &scan.unit_path, cores).await? {
            let (sql, cols) = rollup::rollup_sql(
                db.layouts(),
                db.backend(),
                &codes,
                scan,
                &routes[i],
                (&lo, &hi),
            )?;
            stats.rollup_statements += 1;
            let db = db.clone();
            tasks.spawn(async move {
                let values = row_values(&sql.query().fetch_one(db.pool()).await?)?;
                Ok::<_, StoreError>((i, cols, values))
            });
        }
    }
    let mut ambiguous: Vec<Vec<f64>> = plan
        .scans
        .iter()
        .map(|s| vec![0.0; s.measures.len()])
        .collect();
    while let Some(done) = tasks.join_next().await {
        let (i, cols, values) =
            done.map_err(|e| StoreError::Corrupt(format!("indicator rollup task failed: {e}")))??;
        for c in cols {
            add(&mut sums[i][c.measure], values[c.value]);
            ambiguous[i][c.measure] += c.ambiguous.and_then(|a| values[a]).unwrap_or(0.0);
        }
    }
    for (i, scan_routes) in routes.iter().enumerate() {
        for (j, r) in scan_routes.iter().enumerate() {
            if let rollup::Route::Rollup(b) = r
                && ambiguous[i][j] > 0.0
            {
                parts[i][j] = FactsPart::Except(b.sure.clone(), b.ambiguous.clone());
            }
        }
    }
    for p in parts.iter().flatten() {
        match p {
            FactsPart::None => stats.rollup += 1,
            FactsPart::Whole => stats.facts += 1,
            FactsPart::Except(..) => stats.rollup_and_facts += 1,
        }
    }

    // The facts: what the rollup left, split over ranges of the subtree.
    // More ranges than cores: the ranges differ in size (a scan per case type, communities of
    // different sizes), and small pieces queued for the pool's connections keep every core busy
    // to the end (measured: 1 M cases on 2 cores, 2 ranges per scan 432 ms, 8 ranges 379–408 ms).
    let parallel = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .saturating_mul(RANGES_PER_CORE)
        .min(MAX_RANGES);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, scan) in plan.scans.iter().enumerate() {
        if parts[i].iter().all(|p| matches!(p, FactsPart::None)) {
            continue;
        }
        for (lo, hi) in partitions(db, &scan.unit_path, parallel).await? {
            let (sql, measures) = facts_sql(db.backend(), &codes, scan, &parts[i], &lo, &hi);
            stats.facts_statements += 1;
            let db = db.clone();
            tasks.spawn(async move {
                let values = row_values(&sql.query().fetch_one(db.pool()).await?)?;
                Ok::<_, StoreError>((i, measures, values))
            });
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (i, measures, values) =
            done.map_err(|e| StoreError::Corrupt(format!("indicator scan task failed: {e}")))??;
        for (j, v) in measures.into_iter().zip(values) {
            add(&mut sums[i][j], v);
        }
    }
    for (scan, values) in plan.scans.iter().zip(sums) {
        for ((key, m), v) in scan.measures.iter().zip(values) {
            // A count over nothing is 0; a sum over nothing stays NULL.
            let v = match m {
                Measure::Count(_) => Some(v.unwrap_or(0.0)),
                _ => v,
            };
            out.values.insert(key.clone(), v);
        }
    }
    for p in &plan.percentiles {
        let v = p.pick(&histogram(db, &codes, p).await?);
        out.values.insert(p.key.clone(), v);
    }
    for o in &plan.officers {
        let n = count_officers(db, &o.cond).await?;
        out.values.insert(o.key.clone(), Some(n as f64));
    }
    // Manual figures: one query per (unit, period).
    let mut groups: BTreeMap<(i64, &str, &str), Vec<&ManualQuery>> = BTreeMap::new();
    for m in &plan.manual {
        groups
            .entry((m.unit_id, m.start.as_str(), m.end.as_str()))
            .or_default()
            .push(m);
    }
    for ((unit, start, end), queries) in groups {
        let latest = latest_manual(db, UnitId(unit), start, end).await?;
        for q in queries {
            if let Some(e) = latest.get(&q.indicator) {
                out.manual.insert(q.indicator.clone(), e.clone());
            }
        }
    }
    Ok((out, stats))
}

/// Every column of a one-row result as a number (NULL: `None`).
fn row_values(row: &sqlx::any::AnyRow) -> Result<Vec<Option<f64>>> {
    (0..sqlx::Row::columns(row).len())
        .map(|c| get_f64(row, c))
        .collect()
}

/// A scan is split into up to this many path ranges per core, and at most `MAX_RANGES`; the
/// statements queue for the pool's connections (four on SQLite by default).
const RANGES_PER_CORE: usize = 4;
const MAX_RANGES: usize = 16;

/// Splits the subtree of `unit_path` into at most `parts` contiguous path ranges `[lo, hi)` at
/// the boundaries of its child units (the first range also holds the unit's own cases).
async fn partitions(db: &Db, unit_path: &str, parts: usize) -> Result<Vec<(String, String)>> {
    let upper = subtree_upper(unit_path);
    if parts <= 1 {
        return Ok(vec![(unit_path.to_string(), upper)]);
    }
    let children: Vec<String> = sqlx::query(
        "SELECT u.path FROM units u JOIN units p ON p.id = u.parent_id WHERE p.path = $1 ORDER BY u.path",
    )
    .bind(unit_path)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| r.col(0))
    .collect::<std::result::Result<_, _>>()?;
    if children.len() < 2 {
        return Ok(vec![(unit_path.to_string(), upper)]);
    }
    let k = parts.min(children.len());
    let mut bounds = vec![unit_path.to_string()];
    for g in 1..k {
        bounds.push(children[g * children.len() / k].clone());
    }
    bounds.push(upper);
    Ok(bounds
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect())
}

/// The statement of one scan over the unit path range `[lo, hi)`.
fn scan_sql(backend: Backend, codes: &Codes, scan: &CaseScan, lo: &str, hi: &str) -> Sql {
    let whole = vec![FactsPart::Whole; scan.measures.len()];
    facts_sql(backend, codes, scan, &whole, lo, hi).0
}

/// The statement over `case_facts` of what a scan needs from the facts over the unit path range
/// `[lo, hi)`, and the measure each of its columns is. When every measure in it is a remainder
/// of the rollup, it reads only the cases of the months the rollup could not decide.
fn facts_sql(
    backend: Backend,
    codes: &Codes,
    scan: &CaseScan,
    parts: &[FactsPart],
    lo: &str,
    hi: &str,
) -> (Sql, Vec<usize>) {
    let mut sql = Sql::with_codes(backend, codes.clone());
    let mut cols = Vec::new();
    let mut measures = Vec::new();
    let mut join = scan.window.needs_case_row();
    let mut months: Option<Vec<(Col, i64)>> = Some(Vec::new());
    for (j, ((_, m), p)) in scan.measures.iter().zip(parts).enumerate() {
        let except = match p {
            FactsPart::None => continue,
            FactsPart::Whole => {
                months = None;
                None
            }
            FactsPart::Except(sure, ambiguous) => {
                if let Some(v) = months.as_mut() {
                    for a in ambiguous {
                        if !v.contains(a) {
                            v.push(*a);
                        }
                    }
                }
                Some(sure)
            }
        };
        cols.push(sql.measure(m, except));
        measures.push(j);
        join |= m.needs_case_row();
    }
    sql.push(&format!("SELECT {}", cols.join(", ")));
    sql.push_from_facts(join);
    let t = sql.text(&scan.case_type);
    let lo = sql.text(lo);
    let hi = sql.text(hi);
    let window = sql.cond(&scan.window);
    sql.push(&format!(
        " WHERE f.case_type = {t} AND f.unit_path >= {lo} AND f.unit_path < {hi} AND {window}"
    ));
    if let Some(c) = months
        .as_deref()
        .and_then(fazhi_indicators::months::months_cond)
    {
        let c = sql.cond(&c);
        sql.push(&format!(" AND {c}"));
    }
    (sql, measures)
}

/// The SQL of the scans of a plan (whole subtree) in the dialect of `backend`, with their
/// parameters (the codes of the values from `db`'s dictionary), for display and for running
/// elsewhere.
pub async fn scan_statements(
    db: &Db,
    backend: Backend,
    plan: &Plan,
) -> Result<Vec<(String, Vec<Param>)>> {
    let mut conds: Vec<&Cond> = Vec::new();
    for scan in &plan.scans {
        conds.push(&scan.window);
        conds.extend(scan.measures.iter().map(|(_, m)| m.cond()));
    }
    let codes = query_codes(db, &conds).await?;
    Ok(plan
        .scans
        .iter()
        .map(|s| {
            let sql = scan_sql(
                backend,
                &codes,
                s,
                &s.unit_path,
                &subtree_upper(&s.unit_path),
            );
            (sql.text, sql.binds)
        })
        .collect())
}

/// The SQL of the rollup statements [`run`] sends for the scans of a plan, in the dialect of
/// `backend`, with their parameters (for display).
pub async fn rollup_statements(
    db: &Db,
    backend: Backend,
    plan: &Plan,
) -> Result<Vec<(String, Vec<Param>)>> {
    let mut conds: Vec<&Cond> = Vec::new();
    for scan in &plan.scans {
        conds.push(&scan.window);
        conds.extend(scan.measures.iter().map(|(_, m)| m.cond()));
    }
    let codes = query_codes(db, &conds).await?;
    let mut out = Vec::new();
    for s in &plan.scans {
        let routes: Vec<rollup::Route> = s
            .measures
            .iter()
            .map(|(_, m)| rollup::route(db.layouts(), &s.case_type, m, true))
            .collect();
        if routes.iter().any(|r| matches!(r, rollup::Route::Rollup(_))) {
            let upper = subtree_upper(&s.unit_path);
            let (sql, _) = rollup::rollup_sql(
                db.layouts(),
                backend,
                &codes,
                s,
                &routes,
                (&s.unit_path, &upper),
            )?;
            out.push((sql.text, sql.binds));
        }
    }
    Ok(out)
}

/// Days → number of cases, for a percentile.
async fn histogram(db: &Db, codes: &Codes, p: &PercentileQuery) -> Result<Vec<(f64, i64)>> {
    let mut sql = Sql::with_codes(db.backend(), codes.clone());
    let days = sql.days(&p.from, &p.to);
    let join = p.cond.needs_case_row() || p.from.needs_case_row() || p.to.needs_case_row();
    sql.push(&format!(
        "SELECT CAST({days} AS DOUBLE PRECISION) AS d, COUNT(*)"
    ));
    sql.push_from_facts(join);
    let range = sql.case_range(&p.case_type, &p.unit_path);
    let cond = sql.cond(&p.cond);
    sql.push(&format!(" WHERE {range} AND {cond} GROUP BY d"));
    sql.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((get_f64(r, 0)?.unwrap_or(0.0), r.col::<i64>(1)?)))
        .collect()
}

/// `WHERE` conditions selecting officers (alias `o`, units `u`).
fn officer_where(sql: &mut Sql, c: &OfficerCond) -> String {
    let lo = sql.text(&c.unit_path);
    let hi = sql.text(&subtree_upper(&c.unit_path));
    let mut parts = vec![format!("o.active = 1 AND u.path >= {lo} AND u.path < {hi}")];
    parts.extend(officer_extra(sql, c));
    parts.join(" AND ")
}

/// The conditions beyond the unit: legal reviewer flag, a valid certificate.
fn officer_extra(sql: &mut Sql, c: &OfficerCond) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(lr) = c.legal_reviewer {
        let p = sql.param(Param::Int(i64::from(lr)));
        parts.push(format!("o.legal_reviewer = {p}"));
    }
    if c.certified_on.is_some() || c.domain.is_some() {
        parts.push(format!("EXISTS (SELECT 1 {})", certificate_from(sql, c)));
    }
    parts
}

/// `FROM certificates k WHERE …` for a certificate of officer `o` that qualifies.
fn certificate_from(sql: &mut Sql, c: &OfficerCond) -> String {
    let mut w = vec!["k.officer_id = o.id".to_string()];
    if let Some(on) = &c.certified_on {
        let d = sql.text(on);
        w.push(format!(
            "k.revoked = 0 AND k.valid_from <= {d} AND k.valid_to >= {d}"
        ));
        if let (Some(from), Some(year)) = (c.annual_check_from(), c.annual_check_year()) {
            let f = sql.text(&from);
            let y = sql.param(Param::Int(year));
            w.push(format!(
                "(k.valid_from >= {f} OR (k.annual_check_year IS NOT NULL AND k.annual_check_year >= {y}))"
            ));
        }
    }
    if let Some(dom) = &c.domain {
        let p = sql.text(dom);
        w.push(format!("k.domain = {p}"));
    }
    format!("FROM certificates k WHERE {}", w.join(" AND "))
}

async fn count_officers(db: &Db, c: &OfficerCond) -> Result<i64> {
    let mut sql = Sql::new(db.backend());
    let w = officer_where(&mut sql, c);
    sql.push(&format!(
        "SELECT COUNT(*) FROM officers o JOIN units u ON u.id = o.unit_id WHERE {w}"
    ));
    sql.query().fetch_one(db.pool()).await?.col(0)
}

// ------------------------------------------------------------------ lineage records

/// Narrows record lists to what an actor may see (mirrors `cases::CaseFilter`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Restrict {
    pub department_id: Option<i64>,
    pub owner_id: Option<i64>,
    /// department OR owner instead of AND
    pub department_or_owner: bool,
}

/// One case behind a figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseRecord {
    pub case_id: CaseId,
    pub number: String,
    pub title: String,
    pub unit_name: String,
    pub state: String,
    /// The date that placed the case in the period.
    pub date: Option<String>,
    /// The amount or number of days the case contributes, when the figure sums or measures.
    pub value: Option<f64>,
    /// For ratios: also in the numerator; for on-time shares: the clock was met.
    pub marked: Option<bool>,
}

/// One officer behind a figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OfficerRecord {
    pub officer_id: OfficerId,
    pub code: String,
    pub name: String,
    pub unit_name: String,
    /// The certificate that qualifies (when the figure counts certified officers).
    pub certificate: Option<String>,
    pub marked: Option<bool>,
}

/// A date column that is either a day number (facts) or text (events, clocks).
fn date_text(r: &impl DbRow, i: usize) -> Result<Option<String>> {
    if let Ok(v) = r.col::<Option<i64>>(i) {
        return Ok(v.and_then(facts::date_of_day));
    }
    r.col::<Option<String>>(i)
}

fn restrict_sql(r: &Restrict) -> String {
    match (r.department_id, r.owner_id) {
        (Some(d), Some(o)) if r.department_or_owner => {
            format!(" AND (c.department_id = {d} OR c.owner_id = {o})")
        }
        (d, o) => {
            let mut s = String::new();
            if let Some(d) = d {
                s += &format!(" AND c.department_id = {d}");
            }
            if let Some(o) = o {
                s += &format!(" AND c.owner_id = {o}");
            }
            s
        }
    }
}

/// One page of the cases behind a figure, ordered by the date that placed them in the period,
/// and their total number.
pub async fn case_records(
    db: &Db,
    q: &CaseRecords,
    restrict: &Restrict,
    offset: i64,
    limit: i64,
) -> Result<(Vec<CaseRecord>, i64)> {
    let mut conds = vec![&q.cond];
    conds.extend(&q.mark);
    let codes = query_codes(db, &conds).await?;
    let mut sql = Sql::with_codes(db.backend(), codes.clone());
    let date = sql.operand(&q.date);
    let value = match &q.value {
        None => "NULL".to_string(),
        Some(RecordValue::Field(o, _)) => {
            let o = sql.operand(o);
            format!("CAST({o} AS DOUBLE PRECISION)")
        }
        Some(RecordValue::Days(f, t)) => {
            let d = sql.days(f, t);
            format!("CAST({d} AS DOUBLE PRECISION)")
        }
    };
    let mark = match &q.mark {
        None => "NULL".to_string(),
        Some(m) => {
            let m = sql.cond(m);
            format!("CASE WHEN {m} THEN 1 ELSE 0 END")
        }
    };
    // The state as text: from the case row, which the records read anyway.
    let select = format!(
        "SELECT f.case_id, c.number, c.title, u.name, c.state, {date} AS d, {value}, {mark}"
    );
    let range = sql.case_range(&q.case_type, &q.unit_path);
    let cond = sql.cond(&q.cond);
    let wh = format!(
        " FROM case_facts f JOIN cases c ON c.id = f.case_id JOIN units u ON u.id = c.unit_id \
         WHERE {range} AND {cond}{}",
        restrict_sql(restrict)
    );
    sql.push(&format!(
        "{select}{wh} ORDER BY d, f.case_id LIMIT {} OFFSET {}",
        limit.clamp(1, 500),
        offset.max(0)
    ));
    let divisor = match &q.value {
        Some(RecordValue::Field(_, d)) => *d,
        _ => 1.0,
    };
    let rows = sql
        .query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(CaseRecord {
                case_id: CaseId(r.col(0)?),
                number: r.col(1)?,
                title: r.col(2)?,
                unit_name: r.col(3)?,
                state: r.col(4)?,
                date: date_text(r, 5)?,
                value: get_f64(r, 6)?.map(|v| v / divisor),
                marked: r.col::<Option<i64>>(7)?.map(|m| m != 0),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // The same statement text up to WHERE, counted.
    let mut count = Sql::with_codes(db.backend(), codes);
    let range = count.case_range(&q.case_type, &q.unit_path);
    let cond = count.cond(&q.cond);
    count.push(&format!(
        "SELECT COUNT(*) FROM case_facts f JOIN cases c ON c.id = f.case_id WHERE {range} AND {cond}{}",
        restrict_sql(restrict)
    ));
    let total: i64 = count.query().fetch_one(db.pool()).await?.col(0)?;
    Ok((rows, total))
}

/// The calendar versions stored on the given clock of the cases behind a figure.
pub async fn clock_calendar_versions(db: &Db, q: &CaseRecords, clock: &str) -> Result<Vec<String>> {
    let codes = query_codes(db, &[&q.cond]).await?;
    let mut sql = Sql::with_codes(db.backend(), codes);
    let code = sql.text(clock);
    let range = sql.case_range(&q.case_type, &q.unit_path);
    let cond = sql.cond(&q.cond);
    let join = if q.cond.needs_case_row() {
        " JOIN cases c ON c.id = f.case_id"
    } else {
        ""
    };
    sql.push(&format!(
        "SELECT DISTINCT k.calendar_version FROM case_facts f{join} \
         JOIN case_clocks k ON k.case_id = f.case_id AND k.code = {code} \
         WHERE {range} AND {cond} ORDER BY k.calendar_version"
    ));
    sql.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.col(0))
        .collect()
}

/// One page of the officers behind a figure, by code, and their total number.
pub async fn officer_records(
    db: &Db,
    q: &OfficerRecords,
    offset: i64,
    limit: i64,
) -> Result<(Vec<OfficerRecord>, i64)> {
    let mut sql = Sql::new(db.backend());
    let certificate = if q.cond.certified_on.is_some() || q.cond.domain.is_some() {
        format!(
            "(SELECT MIN(k.number) {})",
            certificate_from(&mut sql, &q.cond)
        )
    } else {
        "NULL".to_string()
    };
    let mark = match &q.mark {
        None => "NULL".to_string(),
        Some(m) => {
            let extra = officer_extra(&mut sql, m);
            if extra.is_empty() {
                "1".to_string()
            } else {
                format!("CASE WHEN {} THEN 1 ELSE 0 END", extra.join(" AND "))
            }
        }
    };
    let w = officer_where(&mut sql, &q.cond);
    sql.push(&format!(
        "SELECT o.id, o.code, o.name, u.name, {certificate}, {mark} \
         FROM officers o JOIN units u ON u.id = o.unit_id WHERE {w} ORDER BY o.code LIMIT {} OFFSET {}",
        limit.clamp(1, 500),
        offset.max(0)
    ));
    let rows = sql
        .query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(OfficerRecord {
                officer_id: OfficerId(r.col(0)?),
                code: r.col(1)?,
                name: r.col(2)?,
                unit_name: r.col(3)?,
                certificate: r.col(4)?,
                marked: r.col::<Option<i64>>(5)?.map(|m| m != 0),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let total = count_officers(db, &q.cond).await?;
    Ok((rows, total))
}

// ------------------------------------------------------------------ manual figures

/// A manual figure to store.
#[derive(Debug, Clone)]
pub struct NewManualFigure<'a> {
    pub unit_id: UnitId,
    pub indicator: &'a str,
    pub period_start: &'a str,
    pub period_end: &'a str,
    pub value: f64,
    pub unit_label: &'a str,
    pub source: &'a str,
    pub note: &'a str,
    pub entered_by: i64,
    pub at: i64,
}

const MANUAL_COLS: &str = "m.id, m.indicator, m.unit_id, m.period_start, m.period_end, m.value, m.unit_label, \
     m.source, m.note, m.entered_by, m.at";

fn manual_row(r: &impl DbRow) -> Result<ManualEntry> {
    Ok(ManualEntry {
        id: r.col(0)?,
        indicator: r.col(1)?,
        unit_id: r.col(2)?,
        period_start: r.col(3)?,
        period_end: r.col(4)?,
        value: get_f64(r, 5)?
            .ok_or_else(|| StoreError::Corrupt("manual figure without value".into()))?,
        unit_label: r.col(6)?,
        source: r.col(7)?,
        note: r.col(8)?,
        entered_by: r.col(9)?,
        at: r.col(10)?,
    })
}

/// Stores a manual figure (a correction is a new row; the latest one is in force).
pub async fn insert_manual_figure(tx: &mut Tx, m: &NewManualFigure<'_>) -> Result<i64> {
    let r = tx.fetch_one(
        "INSERT INTO manual_figures (unit_id, indicator, period_start, period_end, value, unit_label, source, note, entered_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        vec![m.unit_id.0.into(), m.indicator.into(), m.period_start.into(), m.period_end.into(), m.value.into(), m.unit_label.into(), m.source.into(), m.note.into(), m.entered_by.into(), m.at.into()],
    )
    .await?;
    r.col(0)
}

/// The figure in force of one indicator for exactly this unit and period, read inside a write
/// transaction (for the audit entry's "before").
pub async fn manual_in_force(
    tx: &mut Tx,
    unit: UnitId,
    indicator: &str,
    start: &str,
    end: &str,
) -> Result<Option<ManualEntry>> {
    tx.fetch_optional(
        &format!(
            "SELECT {MANUAL_COLS} FROM manual_figures m WHERE m.unit_id = $1 AND m.indicator = $2 \
         AND m.period_start = $3 AND m.period_end = $4 ORDER BY m.id DESC LIMIT 1"
        ),
        vec![unit.0.into(), indicator.into(), start.into(), end.into()],
    )
    .await?
    .as_ref()
    .map(manual_row)
    .transpose()
}

/// The figures in force (latest entry per indicator) for exactly this unit and period.
pub async fn latest_manual(
    db: &Db,
    unit: UnitId,
    start: &str,
    end: &str,
) -> Result<BTreeMap<String, ManualEntry>> {
    let rows = sqlx::query(dynsql!(
        "SELECT {MANUAL_COLS} FROM manual_figures m WHERE m.unit_id = $1 AND m.period_start = $2 \
         AND m.period_end = $3 ORDER BY m.id"
    ))
    .bind(unit.0)
    .bind(start)
    .bind(end)
    .fetch_all(db.pool())
    .await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let e = manual_row(r)?;
        out.insert(e.indicator.clone(), e);
    }
    Ok(out)
}

/// A list query over manual figures.
#[derive(Debug, Clone, Default)]
pub struct ManualFilter {
    /// Units whose path starts with this (a subtree).
    pub unit_path: Option<String>,
    pub unit_id: Option<UnitId>,
    pub indicator: Option<String>,
    /// Only figures whose period overlaps [from, to].
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only the latest entry of each (unit, indicator, period).
    pub in_force_only: bool,
    pub offset: i64,
    pub limit: i64,
}

/// A stored manual figure with names for display.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ManualFigureRow {
    pub entry: ManualEntry,
    pub unit_name: String,
    pub entered_by_name: Option<String>,
    /// Whether this entry is the one in force for its unit, indicator and period.
    pub in_force: bool,
}

/// Manual figures, newest first.
pub async fn manual_figures(db: &Db, f: &ManualFilter) -> Result<Vec<ManualFigureRow>> {
    let mut sql = Sql::new(db.backend());
    let mut wh = String::from(" WHERE 1 = 1");
    if let Some(p) = &f.unit_path {
        let lo = sql.text(p);
        let hi = sql.text(&subtree_upper(p));
        wh += &format!(" AND u.path >= {lo} AND u.path < {hi}");
    }
    if let Some(u) = f.unit_id {
        wh += &format!(" AND m.unit_id = {}", u.0);
    }
    if let Some(i) = &f.indicator {
        let p = sql.text(i);
        wh += &format!(" AND m.indicator = {p}");
    }
    if let Some(d) = &f.from {
        let p = sql.text(d);
        wh += &format!(" AND m.period_end >= {p}");
    }
    if let Some(d) = &f.to {
        let p = sql.text(d);
        wh += &format!(" AND m.period_start <= {p}");
    }
    let in_force = "NOT EXISTS (SELECT 1 FROM manual_figures n WHERE n.unit_id = m.unit_id \
         AND n.indicator = m.indicator AND n.period_start = m.period_start \
         AND n.period_end = m.period_end AND n.id > m.id)";
    if f.in_force_only {
        wh += &format!(" AND {in_force}");
    }
    sql.push(&format!(
        "SELECT {MANUAL_COLS}, u.name, us.display_name, CASE WHEN {in_force} THEN 1 ELSE 0 END \
         FROM manual_figures m JOIN units u ON u.id = m.unit_id LEFT JOIN users us ON us.id = m.entered_by\
         {wh} ORDER BY m.id DESC LIMIT {} OFFSET {}",
        f.limit.clamp(1, 500),
        f.offset.max(0)
    ));
    sql.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ManualFigureRow {
                entry: manual_row(r)?,
                unit_name: r.col(11)?,
                entered_by_name: r.col(12)?,
                in_force: r.col::<i64>(13)? != 0,
            })
        })
        .collect()
}

// ------------------------------------------------------------------ value codes

/// Value → code of the `fact_values` dictionary, as far as this process knows it to be
/// committed; one per database, shared by the clones of a [`Db`] and their transactions.
///
/// Codes never change once committed (the database refuses updates and deletes of
/// `fact_values`), so a cached code stays right for the life of the process, whatever other
/// processes write. A code enters the cache only from committed state: read outside any write
/// transaction ([`query_codes`]), or found or assigned inside a write transaction and published
/// once that transaction has committed ([`TxCodes::publish`], called by `Tx::commit`). A code
/// assigned in a transaction that rolls back — alone (an SQLite savepoint), with its SQLite group,
/// or on PostgreSQL — is never cached; SQLite may give the same number to another value later.
#[derive(Debug, Default)]
pub(crate) struct FactCodes {
    known: RwLock<HashMap<String, i64>>,
}

impl FactCodes {
    fn get(&self, value: &str) -> Option<i64> {
        self.known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(value)
            .copied()
    }

    fn extend(&self, codes: impl IntoIterator<Item = (String, i64)>) {
        self.known
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(codes);
    }
}

/// The codes one write transaction found or assigned inside itself: used by its later writes,
/// and published to the shared [`FactCodes`] only when it commits (a dropped or rolled-back
/// transaction takes them with it).
#[derive(Debug)]
pub(crate) struct TxCodes {
    shared: Arc<FactCodes>,
    local: HashMap<String, i64>,
    /// The dictionary as this transaction sees it has been read into `local`.
    loaded: bool,
}

impl TxCodes {
    pub(crate) fn new(shared: Arc<FactCodes>) -> TxCodes {
        TxCodes {
            shared,
            local: HashMap::new(),
            loaded: false,
        }
    }

    fn get(&self, value: &str) -> Option<i64> {
        self.shared
            .get(value)
            .or_else(|| self.local.get(value).copied())
    }

    /// The transaction has committed: everything it saw of the dictionary is committed too (on
    /// SQLite, rows of earlier members of its group commit with it or not at all).
    pub(crate) fn publish(self) {
        if !self.local.is_empty() {
            self.shared.extend(self.local);
        }
    }
}

/// The code of `value` inside a write transaction. A known value costs no statement. An unknown
/// one reads the dictionary as the transaction sees it (once per transaction) and, if it is not
/// there, adds it with `INSERT … ON CONFLICT (value) DO NOTHING` — on PostgreSQL another process
/// may be adding the same value: the insert waits for it and then finds its row.
async fn tx_code(tx: &mut Tx, value: &str) -> Result<i64> {
    if value.is_empty() {
        return Ok(facts::EMPTY_CODE);
    }
    if let Some(c) = tx.fact_codes.get(value) {
        return Ok(c);
    }
    if !tx.fact_codes.loaded {
        let rows = tx
            .fetch_all("SELECT code, value FROM fact_values", vec![])
            .await?;
        for r in &rows {
            tx.fact_codes.local.insert(r.col(1)?, r.col(0)?);
        }
        tx.fact_codes.loaded = true;
        if let Some(c) = tx.fact_codes.local.get(value) {
            return Ok(*c);
        }
    }
    let inserted = tx.fetch_optional(
        "INSERT INTO fact_values (value) VALUES ($1) ON CONFLICT (value) DO NOTHING RETURNING code",
        vec![value.into()],
    )
    .await?;
    let code: i64 = match inserted {
        Some(r) => r.col(0)?,
        None => tx
            .fetch_optional(
                "SELECT code FROM fact_values WHERE value = $1",
                vec![value.into()],
            )
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "fact_values: value “{value}” neither inserted nor found"
                ))
            })?
            .col(0)?,
    };
    tx.fact_codes.local.insert(value.to_string(), code);
    Ok(code)
}

async fn tx_code_opt(tx: &mut Tx, value: Option<&str>) -> Result<Option<i64>> {
    match value {
        Some(v) => Ok(Some(tx_code(tx, v).await?)),
        None => Ok(None),
    }
}

/// The codes of the values that `conds` compare coded columns with, from committed state: the
/// shared cache, then one query for the values it does not hold. A value that is not in the
/// dictionary gets no code (no committed row holds it).
async fn query_codes(db: &Db, conds: &[&Cond]) -> Result<Codes> {
    let values: BTreeSet<&str> = conds.iter().flat_map(|c| c.coded_values()).collect();
    let shared = db.fact_codes();
    let mut out = HashMap::new();
    let mut missing = Vec::new();
    for v in values {
        if v.is_empty() {
            out.insert(String::new(), facts::EMPTY_CODE);
        } else if let Some(c) = shared.get(v) {
            out.insert(v.to_string(), c);
        } else {
            missing.push(v);
        }
    }
    for chunk in missing.chunks(500) {
        let mut sql = Sql::new(db.backend());
        let list = sql.list(&chunk.iter().map(|v| v.to_string()).collect::<Vec<_>>());
        sql.push(&format!(
            "SELECT code, value FROM fact_values WHERE value IN ({list})"
        ));
        let found = sql
            .query()
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| Ok((r.col::<String>(1)?, r.col::<i64>(0)?)))
            .collect::<Result<Vec<_>>>()?;
        shared.extend(found.iter().cloned());
        out.extend(found);
    }
    Ok(Arc::new(out))
}

// ------------------------------------------------------------------ case facts

/// Writes the facts row of a new case (called by `cases::insert_case` and
/// `cases::insert_new_case`), with the event slots of its creating transition and its clocks
/// when they are known at insert.
pub(crate) async fn insert_facts(
    tx: &mut Tx,
    id: CaseId,
    c: &CaseWrite<'_>,
    first_event: Option<(&str, &str)>,
    clocks: &[ClockRow],
) -> Result<()> {
    let layouts = tx.layouts.clone();
    let layout = layouts.get(c.case_type);
    let mut ev: [Option<i64>; facts::EVENT_SLOTS] = [None; facts::EVENT_SLOTS];
    if let (Some(l), Some((transition, on_date))) = (layout, first_event) {
        for slot in l.event_slots_of(transition) {
            ev[usize::from(slot) - 1] = facts::day_number(on_date);
        }
    }
    let created = facts::day_number(c.created_on).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "case {id}: created_on “{}” is not a date",
            c.created_on
        ))
    })?;
    let changing = changing_facts(tx, c).await?;
    let (clk_status, clk_due) = clock_codes(tx, layout, clocks).await?;
    let mut args = vec![
        id.0.into(),
        c.case_type.into(),
        c.unit_path.into(),
        created.into(),
    ];
    args.extend(changing);
    args.extend(ev.iter().map(|d| crate::Arg::from(*d)));
    for (status, due) in clk_status.iter().zip(&clk_due) {
        args.push((*status).into());
        args.push((*due).into());
    }
    tx.execute(&INSERT_FACTS, args).await?;
    Ok(())
}

static INSERT_FACTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(insert_facts_sql);
static UPDATE_FACTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(update_facts_sql);

/// The statement of [`insert_facts`]: the case columns, then [`facts::slot_columns`].
fn insert_facts_sql() -> String {
    let mut cols: Vec<String> = [
        "case_id",
        "case_type",
        "unit_path",
        "created_day",
        "closed_day",
        "state",
        "category",
        "published",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    cols.extend(facts::slot_columns());
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO case_facts ({}) VALUES ({})",
        cols.join(", "),
        params.join(", ")
    )
}

/// The statement of [`update_facts`]: the columns of [`changing_facts`], then the case id.
fn update_facts_sql() -> String {
    let mut cols: Vec<String> = ["closed_day", "state", "category", "published"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    cols.extend((1..=facts::TEXT_SLOTS).map(|i| format!("txt{i}")));
    cols.extend((1..=facts::NUM_SLOTS).map(|i| format!("num{i}")));
    let set: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    format!(
        "UPDATE case_facts SET {} WHERE case_id = ${}",
        set.join(", "),
        cols.len() + 1
    )
}

/// The facts a case update changes, in the order `insert_facts` and `update_facts` bind them:
/// closed day, state, category, published, `txt1`‥ (codes), `num1`‥.
async fn changing_facts(tx: &mut Tx, c: &CaseWrite<'_>) -> Result<Vec<crate::Arg<'static>>> {
    let layouts = tx.layouts.clone();
    let layout = layouts.get(c.case_type);
    let texts = layout.map(|l| l.text_values(c.fields)).unwrap_or_default();
    let num = layout.map(|l| l.num_values(c.fields)).unwrap_or_default();
    let mut out: Vec<crate::Arg<'static>> = vec![
        c.closed_on.and_then(facts::day_number).into(),
        tx_code(tx, c.state).await?.into(),
        tx_code_opt(tx, c.category).await?.into(),
        c.published.into(),
    ];
    for v in &texts {
        out.push(tx_code_opt(tx, v.as_deref()).await?.into());
    }
    out.extend(num.iter().map(|n| crate::Arg::from(*n)));
    Ok(out)
}

/// Updates the facts row after a case update (called by `cases::update_case`).
pub(crate) async fn update_facts(tx: &mut Tx, id: CaseId, c: &CaseWrite<'_>) -> Result<()> {
    let mut args = changing_facts(tx, c).await?;
    args.push(id.0.into());
    tx.execute(&UPDATE_FACTS, args).await?;
    Ok(())
}

/// Records the first day of a transition in the event slots of the case's type that track it
/// (called by `cases::insert_event`): one statement when a slot tracks it, none otherwise.
pub(crate) async fn event_facts(
    tx: &mut Tx,
    id: CaseId,
    case_type: &str,
    transition: &str,
    on_date: &str,
) -> Result<()> {
    let Some(slots) = tx
        .layouts
        .get(case_type)
        .map(|l| l.event_slots_of(transition))
    else {
        return Ok(());
    };
    if slots.is_empty() {
        return Ok(());
    }
    let set = slots
        .iter()
        .map(|s| format!("ev{s}_day = COALESCE(ev{s}_day, $1)"))
        .collect::<Vec<_>>()
        .join(", ");
    tx.execute(
        &format!("UPDATE case_facts SET {set} WHERE case_id = $2"),
        vec![facts::day_number(on_date).into(), id.0.into()],
    )
    .await?;
    Ok(())
}

/// Status codes and due days of the clocks a layout tracks, slot by slot (all NULL without a
/// layout).
type ClockSlots = (
    [Option<i64>; facts::CLOCK_SLOTS],
    [Option<i64>; facts::CLOCK_SLOTS],
);

async fn clock_codes(
    tx: &mut Tx,
    layout: Option<&facts::FactLayout>,
    clocks: &[ClockRow],
) -> Result<ClockSlots> {
    let mut out: ClockSlots = Default::default();
    let Some(l) = layout else {
        return Ok(out);
    };
    for (i, code) in l.clocks.iter().enumerate().take(facts::CLOCK_SLOTS) {
        if let Some(c) = clocks.iter().find(|c| c.code == *code) {
            out.0[i] = Some(tx_code(tx, &c.status).await?);
            out.1[i] = c.due_on.as_deref().and_then(facts::day_number);
        }
    }
    Ok(out)
}

/// Copies the status and due date of the clocks the case's type tracks (called by
/// `cases::replace_clocks`): one statement when its type tracks clocks, none otherwise.
pub(crate) async fn clock_facts(
    tx: &mut Tx,
    id: CaseId,
    case_type: &str,
    clocks: &[ClockRow],
) -> Result<()> {
    let layouts = tx.layouts.clone();
    let Some(l) = layouts.get(case_type).filter(|l| !l.clocks.is_empty()) else {
        return Ok(());
    };
    let (status, due) = clock_codes(tx, Some(l), clocks).await?;
    let mut set = Vec::new();
    let mut args: Vec<crate::Arg<'static>> = Vec::new();
    for (i, (status, due)) in status.iter().zip(&due).enumerate() {
        set.push(format!(
            "clk{0}_status = ${1}, clk{0}_due_day = ${2}",
            i + 1,
            2 * i + 1,
            2 * i + 2
        ));
        args.push((*status).into());
        args.push((*due).into());
    }
    args.push(id.0.into());
    tx.execute(
        &format!(
            "UPDATE case_facts SET {} WHERE case_id = ${}",
            set.join(", "),
            args.len()
        ),
        args,
    )
    .await?;
    Ok(())
}
