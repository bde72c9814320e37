//! Reading `case_facts_rollup` (table of migration 0010): the facts grouped by case type, unit
//! path, month of each date column and value of each coded column the rollup holds for the case
//! type (`Layouts::rollup_holds` of the database's layouts; the others are -2 on its rows), kept
//! by the triggers generated from those layouts (module `schema`) in the transaction that writes
//! the facts.
//!
//! A measure whose condition has month bounds ([`fazhi_indicators::months`]) is the rollup's
//! aggregate over the groups where the bounds' `sure` condition holds, plus — only if the rollup
//! finds cases in groups where `maybe` holds but `sure` does not — the facts' aggregate over the
//! cases that meet the condition but not `sure`. Both parts come from the same rows a facts scan
//! reads, so the sum is the facts scan's figure. A measure without bounds is read from the facts
//! whole.

use fazhi_indicators::CmpOp;
use fazhi_indicators::facts::Layouts;
use fazhi_indicators::months::{self, MonthBounds};
use fazhi_indicators::plan::{CaseScan, Col, Cond, Measure, Operand, Param};

use super::{Codes, Sql};
use crate::{Backend, Result, StoreError};

/// The rollup's value for "none": a NULL date's month, a NULL code.
const NONE: i64 = -1;

/// The rollup column holding a facts column (as its month for a date), `None` for the integer
/// slots, which the rollup only sums.
fn key_col(c: Col) -> Option<String> {
    Some(match c {
        Col::State => "r.state".into(),
        Col::Category => "r.category".into(),
        Col::Published => "r.published".into(),
        Col::CreatedOn => "r.created_month".into(),
        Col::ClosedOn => "r.closed_month".into(),
        Col::Text(n) => format!("r.txt{n}"),
        Col::Event(n) => format!("r.ev{n}_month"),
        Col::ClockStatus(n) => format!("r.clk{n}_status"),
        Col::ClockDue(n) => format!("r.clk{n}_due_month"),
        Col::Num(_) => return None,
    })
}

/// The rollup columns summing a date's day numbers.
fn day_sum(c: Col) -> Option<String> {
    match c {
        Col::CreatedOn => Some("r.created_sum".into()),
        Col::ClosedOn => Some("r.closed_sum".into()),
        Col::Event(n) => Some(format!("r.ev{n}_sum")),
        _ => None,
    }
}

fn not_decidable(c: &Cond) -> StoreError {
    StoreError::Corrupt(format!("the month rollup cannot decide {c:?}"))
}

impl Sql {
    /// A condition of month bounds (aligned date comparisons, coded values, the published flag)
    /// on a rollup row `r`. Rollup columns are never NULL: "none" is [`NONE`].
    fn rollup_cond(&mut self, c: &Cond) -> Result<String> {
        let col = |o: &Operand| match o {
            Operand::Col(c) => key_col(*c).map(|s| (*c, s)),
            _ => None,
        };
        Ok(match c {
            Cond::True => "1 = 1".into(),
            Cond::And(parts) if parts.is_empty() => "1 = 1".into(),
            Cond::Or(parts) if parts.is_empty() => "1 = 0".into(),
            Cond::And(parts) => {
                // Cheapest and most selective first, as over the facts; a window on a month
                // `m >= a AND m <= b` as one `BETWEEN` (a month, never NONE, is at least `a`).
                let mut ordered: Vec<&Cond> = parts.iter().collect();
                ordered.sort_by_key(|p| Sql::rank(p));
                let mut merged = vec![false; ordered.len()];
                let mut s = Vec::new();
                for (i, p) in ordered.iter().enumerate() {
                    if merged[i] {
                        continue;
                    }
                    if let Cond::Cmp(o @ Operand::Col(k), CmpOp::Ge, Param::Int(lo)) = p
                        && k.is_day()
                        && *lo > NONE
                        && months::month_start(*lo) == Some(*lo)
                    {
                        let le = ordered.iter().enumerate().position(|(j, q)| {
                            !merged[j]
                                && matches!(q, Cond::Cmp(o2, CmpOp::Le, Param::Int(hi))
                                    if o2 == o && months::month_end(*hi) == Some(*hi))
                        });
                        if let Some(j) = le
                            && let Cond::Cmp(_, _, Param::Int(hi)) = ordered[j]
                            && let (Some(a), Some(last)) = (key_col(*k), months::month_start(*hi))
                        {
                            merged[j] = true;
                            let lo = self.param(Param::Int(*lo));
                            let hi = self.param(Param::Int(last));
                            s.push(format!("{a} BETWEEN {lo} AND {hi}"));
                            continue;
                        }
                    }
                    s.push(self.rollup_cond(p)?);
                }
                format!("({})", s.join(" AND "))
            }
            Cond::Or(parts) => {
                let s = parts
                    .iter()
                    .map(|p| self.rollup_cond(p))
                    .collect::<Result<Vec<_>>>()?;
                format!("({})", s.join(" OR "))
            }
            Cond::In(o, values) => match col(o) {
                Some((k, a)) if k.is_coded() => {
                    let values = self.list_params(o, values);
                    if values.is_empty() {
                        "1 = 0".into()
                    } else if let [one] = values.as_slice() {
                        let p = self.param(one.clone());
                        format!("{a} = {p}")
                    } else if self.case_list(&values) {
                        let arms = self.arms(&values, "1");
                        format!("(CASE {a}{arms} ELSE 0 END)")
                    } else {
                        let list = self.params(&values);
                        format!("{a} IN ({list})")
                    }
                }
                _ => return Err(not_decidable(c)),
            },
            Cond::NotIn(o, values) => match col(o) {
                // NONE is in no list: "none of the values" holds, as for NULL in the facts.
                Some((k, a)) if k.is_coded() => {
                    let values = self.list_params(o, values);
                    if values.is_empty() {
                        "1 = 1".into()
                    } else if self.case_list(&values) {
                        let arms = self.arms(&values, "0");
                        format!("(CASE {a}{arms} ELSE 1 END)")
                    } else {
                        let list = self.params(&values);
                        format!("{a} NOT IN ({list})")
                    }
                }
                _ => return Err(not_decidable(c)),
            },
            Cond::IsSet(o) | Cond::NotSet(o) => {
                let set = matches!(c, Cond::IsSet(_));
                match col(o) {
                    _ if Sql::always_set(o) => if set { "1 = 1" } else { "1 = 0" }.into(),
                    Some((k, a)) if k.is_coded() => {
                        let e = fazhi_indicators::facts::EMPTY_CODE;
                        if set {
                            format!("({a} <> {NONE} AND {a} <> {e})")
                        } else {
                            format!("({a} = {NONE} OR {a} = {e})")
                        }
                    }
                    Some((k, a)) if k.is_day() => {
                        if set {
                            format!("{a} <> {NONE}")
                        } else {
                            format!("{a} = {NONE}")
                        }
                    }
                    _ => return Err(not_decidable(c)),
                }
            }
            Cond::Cmp(o, CmpOp::Eq, Param::Text(v))
                if col(o).is_some_and(|(k, _)| k.is_coded()) =>
            {
                self.rollup_cond(&Cond::In(o.clone(), vec![v.clone()]))?
            }
            Cond::Cmp(o, op, p) => match (col(o), p) {
                (Some((Col::Published, a)), Param::Int(_) | Param::Real(_)) => {
                    let p = self.param(p.clone());
                    format!("{a} {} {p}", op.symbol())
                }
                // `date >= first day of a month` is `month >= that day`; `date <= last day of a
                // month` is `month <= first day of that month`. NONE is no month.
                (Some((k, a)), Param::Int(d)) if k.is_day() => match op {
                    CmpOp::Ge if months::month_start(*d) == Some(*d) => {
                        let p = self.param(Param::Int(*d));
                        if *d > NONE {
                            format!("{a} >= {p}")
                        } else {
                            format!("({a} <> {NONE} AND {a} >= {p})")
                        }
                    }
                    CmpOp::Le if months::month_end(*d) == Some(*d) => {
                        let start = months::month_start(*d).ok_or_else(|| not_decidable(c))?;
                        let p = self.param(Param::Int(start));
                        format!("({a} <> {NONE} AND {a} <= {p})")
                    }
                    _ => return Err(not_decidable(c)),
                },
                _ => return Err(not_decidable(c)),
            },
        })
    }

    /// One measure's aggregate over the rollup rows where `sure` holds (a count as BIGINT: SUM of
    /// BIGINT is NUMERIC on PostgreSQL).
    fn rollup_measure(&mut self, m: &Measure, sure: &Cond) -> Result<String> {
        Ok(match m {
            Measure::Count(_) => {
                let c = self.rollup_cond(sure)?;
                format!("CAST(SUM(r.n) FILTER (WHERE {c}) AS BIGINT)")
            }
            Measure::Sum(_, Operand::Col(Col::Num(k))) => {
                let c = self.rollup_cond(sure)?;
                format!(
                    "CAST(SUM(r.num{k}_sum) FILTER (WHERE {c} AND r.num{k}_n > 0) AS DOUBLE PRECISION)"
                )
            }
            Measure::SumDays {
                from: Operand::Col(f),
                to: Operand::Col(t),
                ..
            } => {
                let (Some(fs), Some(ts), Some(fm), Some(tm)) =
                    (day_sum(*f), day_sum(*t), key_col(*f), key_col(*t))
                else {
                    return Err(StoreError::Corrupt(format!(
                        "the month rollup sums no days for {m:?}"
                    )));
                };
                let c = self.rollup_cond(sure)?;
                // Groups where both dates are set (the facts skip a NULL difference).
                format!(
                    "CAST(SUM({ts} - {fs}) FILTER (WHERE {c} AND r.n > 0 AND {fm} <> {NONE} AND {tm} <> {NONE}) AS DOUBLE PRECISION)"
                )
            }
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "the month rollup does not hold {m:?}"
                )));
            }
        })
    }
}

/// How a measure of a scan is computed.
#[derive(Debug, Clone)]
pub(super) enum Route {
    /// From the rollup: exactly when its bounds are exact, else with a remainder from the facts
    /// when the rollup finds cases in ambiguous groups.
    Rollup(MonthBounds),
    /// From the facts alone.
    Facts,
}

pub(super) fn route(layouts: &Layouts, case_type: &str, m: &Measure, use_rollup: bool) -> Route {
    match months::measure_bounds(layouts, case_type, m) {
        Some(b) if use_rollup => Route::Rollup(b),
        _ => Route::Facts,
    }
}

/// What the rollup statement of a scan returns for a measure: its column, and the column
/// counting the cases of its ambiguous groups (when its bounds are not exact).
#[derive(Debug, Clone)]
pub(super) struct RollupCols {
    pub measure: usize,
    pub value: usize,
    pub ambiguous: Option<usize>,
}

/// The rollup statement of a scan over the unit path range `[lo, hi)`, for the measures routed
/// to it.
pub(super) fn rollup_sql(
    layouts: &Layouts,
    backend: Backend,
    codes: &Codes,
    scan: &CaseScan,
    routes: &[Route],
    (lo, hi): (&str, &str),
) -> Result<(Sql, Vec<RollupCols>)> {
    let mut sql = Sql::with_codes(backend, codes.clone());
    let mut cols = Vec::new();
    let mut out = Vec::new();
    for (j, ((_, m), r)) in scan.measures.iter().zip(routes).enumerate() {
        let Route::Rollup(b) = r else { continue };
        let value = cols.len();
        cols.push(sql.rollup_measure(m, &b.sure)?);
        let ambiguous = if b.is_exact() {
            None
        } else {
            let maybe = sql.rollup_cond(&b.maybe)?;
            let sure = sql.rollup_cond(&b.sure)?;
            cols.push(format!(
                "CAST(SUM(r.n) FILTER (WHERE {maybe} AND NOT {sure}) AS BIGINT)"
            ));
            Some(cols.len() - 1)
        };
        out.push(RollupCols {
            measure: j,
            value,
            ambiguous,
        });
    }
    sql.push(&format!("SELECT {}", cols.join(", ")));
    sql.push(" FROM case_facts_rollup r");
    let t = sql.text(&scan.case_type);
    let lo = sql.text(lo);
    let hi = sql.text(hi);
    sql.push(&format!(
        " WHERE r.case_type = {t} AND r.unit_path >= {lo} AND r.unit_path < {hi}"
    ));
    // The groups the period window may hold (when the rollup can tell).
    if let Some(w) = months::bounds(layouts, &scan.case_type, &scan.window) {
        let w = sql.rollup_cond(&w.maybe)?;
        sql.push(&format!(" AND {w}"));
    }
    Ok((sql, out))
}
