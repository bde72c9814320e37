//! Numbers written the way the seed reports write them: no thousands separators (`5571`),
//! percents with at most the asked decimals and no trailing zeros (`8.7%`, `100%`), 万 / 亿 for
//! large sums (`337.19万`). Rounding is decimal half-up on the shortest decimal representation
//! of the value, so `2.675` with two decimals is `2.68`, not the binary `2.67`.

use crate::placeholder::Format;

/// Round `v` to at most `decimals` decimals, half away from zero, and write it without
/// thousands separators. With `trim`, trailing zeros (and a bare point) are dropped.
pub fn decimal(v: f64, decimals: usize, trim: bool) -> String {
    decimal_shifted(v, 0, decimals, trim)
}

/// Like [`decimal`] for `v × 10^shift`, the shift done on the decimal digits (so `0.0285` as a
/// percent with one decimal is `2.9`, where the binary `0.0285 * 100.0` would give `2.8`).
pub fn decimal_shifted(v: f64, shift: i32, decimals: usize, trim: bool) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    // Rust's `Display` for f64 is the shortest round-trip decimal and never uses an exponent.
    let s = format!("{}", v.abs());
    let (int_part, frac_part) = s.split_once('.').unwrap_or((&s, ""));
    let mut all: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes())
        .map(|b| b - b'0')
        .collect();
    let mut point = int_part.len() as i64 + i64::from(shift);
    if point < 0 {
        let pad = (-point) as usize;
        all.splice(0..0, std::iter::repeat_n(0, pad));
        point = 0;
    }
    let point = point as usize;
    if all.len() < point + decimals + 1 {
        all.resize(point + decimals + 1, 0);
    }
    let round_up = all[point + decimals] >= 5;
    let mut digits: Vec<u8> = all[..point + decimals].to_vec();
    if round_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - decimals;
    let int_s: String = digits[..split].iter().map(|d| (d + b'0') as char).collect();
    let int_s = match int_s.trim_start_matches('0') {
        "" => "0".to_owned(),
        t => t.to_owned(),
    };
    let mut frac_s: String = digits[split..].iter().map(|d| (d + b'0') as char).collect();
    if trim {
        while frac_s.ends_with('0') {
            frac_s.pop();
        }
    }
    let is_zero = int_s == "0" && frac_s.bytes().all(|b| b == b'0');
    let sign = if v < 0.0 && !is_zero { "-" } else { "" };
    if frac_s.is_empty() {
        format!("{sign}{int_s}")
    } else {
        format!("{sign}{int_s}.{frac_s}")
    }
}

/// Write `v` by `format`; `unit` decides [`Format::Auto`]. The unit itself is not written,
/// except the `%` of percent formats and the `万`/`亿` of the scaled ones.
pub fn format_value(v: f64, format: Format, unit: &str) -> String {
    match format {
        Format::Auto => match unit.trim() {
            "%" => format_value(v, Format::Pct1, unit),
            "元" => format_value(v, Format::Money, unit),
            _ => decimal(v, 2, true),
        },
        Format::Int => decimal(v, 0, true),
        Format::Pct0 => format!("{}%", decimal_shifted(v, 2, 0, true)),
        Format::Pct1 => format!("{}%", decimal_shifted(v, 2, 1, true)),
        Format::Pct2 => format!("{}%", decimal_shifted(v, 2, 2, true)),
        Format::Wan => format!("{}万", decimal_shifted(v, -4, 2, true)),
        Format::Yi => format!("{}亿", decimal_shifted(v, -8, 2, true)),
        Format::Money => {
            if v.abs() >= 100_000.0 {
                format!("{}万", decimal_shifted(v, -4, 4, true))
            } else if (v - v.round()).abs() < 1e-9 {
                decimal(v, 0, true)
            } else {
                decimal(v, 2, false)
            }
        }
        Format::Dec1 => decimal(v, 1, true),
        Format::Dec2 => decimal(v, 2, true),
        // The change needs the previous value: [`yoy_text`]. Alone, the value as written plainly.
        Format::Yoy => format_value(v, Format::Auto, unit),
        // Dates are document values; a figure is written plainly.
        Format::Date | Format::CnDate => format_value(v, Format::Auto, unit),
        Format::Yuan => decimal(v, 2, false),
        Format::Capital => crate::documents::capital_amount((v * 100.0).round() as i64),
    }
}

/// The change of `v` against `previous` (the same period of the previous year) as the seeds
/// write it, or `None` when there is no base to compare with (a previous 0 of a count or a
/// sum). Ratios (unit `%`, fractions) change in percentage points with one decimal
/// (`同比提高1.2个百分点`, `同比下降0.5个百分点`); anything else in percent of the previous value
/// with one decimal (`同比增长12.5%`, `同比减少9%`). A change that rounds to zero is
/// `与上年持平`.
pub fn yoy_text(v: f64, previous: f64, unit: &str) -> Option<String> {
    if unit.trim() == "%" {
        let points = decimal_shifted((v - previous).abs(), 2, 1, true);
        return Some(if points == "0" {
            "与上年持平".to_owned()
        } else if v > previous {
            format!("同比提高{points}个百分点")
        } else {
            format!("同比下降{points}个百分点")
        });
    }
    if previous == 0.0 {
        return (v == 0.0).then(|| "与上年持平".to_owned());
    }
    let change = (v - previous) / previous.abs();
    let pct = decimal_shifted(change.abs(), 2, 1, true);
    Some(if pct == "0" {
        "与上年持平".to_owned()
    } else if change > 0.0 {
        format!("同比增长{pct}%")
    } else {
        format!("同比减少{pct}%")
    })
}

/// The number as the appendix writes it, exact and without the unit (the appendix has a unit
/// column): percent (`%` unit) × 100 with up to two decimals, money in 元 (two decimals when
/// not whole), anything else with up to four decimals. `0.087` `%` → `8.7`; `3371857` `元` →
/// `3371857`.
pub fn appendix_value(v: f64, unit: &str) -> String {
    match unit.trim() {
        "%" => decimal_shifted(v, 2, 2, true),
        "元" => {
            if (v - v.round()).abs() < 1e-9 {
                decimal(v, 0, true)
            } else {
                decimal(v, 2, false)
            }
        }
        _ => decimal(v, 4, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_style() {
        assert_eq!(format_value(5571.0, Format::Auto, "件"), "5571");
        assert_eq!(format_value(5571.0, Format::Int, "件"), "5571");
        assert_eq!(format_value(0.087, Format::Pct1, "%"), "8.7%");
        assert_eq!(format_value(0.087, Format::Auto, "%"), "8.7%");
        assert_eq!(format_value(0.4746, Format::Pct2, "%"), "47.46%");
        assert_eq!(format_value(1.0, Format::Pct1, "%"), "100%");
        assert_eq!(format_value(0.999, Format::Pct1, "%"), "99.9%");
        assert_eq!(format_value(0.985, Format::Pct1, "%"), "98.5%");
        assert_eq!(format_value(3_371_857.0, Format::Wan, "元"), "337.19万");
        assert_eq!(format_value(3_371_857.0, Format::Money, "元"), "337.1857万");
        assert_eq!(format_value(3_371_857.0, Format::Auto, "元"), "337.1857万");
        assert_eq!(format_value(40_050.0, Format::Money, "元"), "40050");
        assert_eq!(format_value(1234.5, Format::Money, "元"), "1234.50");
        assert_eq!(format_value(335_000_000.0, Format::Yi, "元"), "3.35亿");
        assert_eq!(format_value(18953.64, Format::Dec2, "平方米"), "18953.64");
        assert_eq!(format_value(18953.64, Format::Auto, "平方米"), "18953.64");
        assert_eq!(format_value(131.0, Format::Auto, "次"), "131");
    }

    #[test]
    fn rounding_is_decimal_half_up() {
        assert_eq!(decimal(2.675, 2, true), "2.68");
        assert_eq!(decimal(0.125, 2, true), "0.13");
        assert_eq!(decimal(9.995, 2, true), "10");
        assert_eq!(decimal(99.95, 1, false), "100.0");
        assert_eq!(decimal(0.4, 0, true), "0");
        assert_eq!(decimal(-0.4, 0, true), "0");
        assert_eq!(decimal(-2.5, 0, true), "-3");
        assert_eq!(decimal(1e20, 0, true), "100000000000000000000");
        assert_eq!(decimal(0.000_001, 2, true), "0");
        assert_eq!(decimal(5571.0, 2, false), "5571.00");
        assert_eq!(decimal_shifted(0.0285, 2, 1, true), "2.9");
        assert_eq!(decimal_shifted(0.087, 2, 1, true), "8.7");
        assert_eq!(decimal_shifted(5.0, -4, 4, true), "0.0005");
        assert_eq!(decimal_shifted(0.00004, -4, 2, true), "0");
        assert_eq!(decimal_shifted(1.0, 2, 1, true), "100");
    }

    #[test]
    fn year_on_year_in_words() {
        assert_eq!(yoy_text(5620.0, 4995.0, "件").unwrap(), "同比增长12.5%");
        assert_eq!(yoy_text(91.0, 100.0, "件").unwrap(), "同比减少9%");
        assert_eq!(yoy_text(75.0, 100.0, "宗").unwrap(), "同比减少25%");
        assert_eq!(yoy_text(100.0, 100.0, "件").unwrap(), "与上年持平");
        assert_eq!(yoy_text(10000.0, 10001.0, "件").unwrap(), "与上年持平");
        assert_eq!(yoy_text(0.0, 0.0, "件").unwrap(), "与上年持平");
        assert_eq!(
            yoy_text(12.0, 0.0, "件"),
            None,
            "no base: never a made-up change"
        );
        assert_eq!(yoy_text(0.987, 0.975, "%").unwrap(), "同比提高1.2个百分点");
        assert_eq!(yoy_text(0.087, 0.092, "%").unwrap(), "同比下降0.5个百分点");
        assert_eq!(yoy_text(0.5, 0.0, "%").unwrap(), "同比提高50个百分点");
        assert_eq!(yoy_text(0.9, 0.9, "%").unwrap(), "与上年持平");
        assert_eq!(yoy_text(300_000.0, 200_000.0, "元").unwrap(), "同比增长50%");
    }

    #[test]
    fn appendix_values() {
        assert_eq!(appendix_value(0.087, "%"), "8.7");
        assert_eq!(appendix_value(0.4746, "%"), "47.46");
        assert_eq!(appendix_value(5571.0, "件"), "5571");
        assert_eq!(appendix_value(3_371_857.0, "元"), "3371857");
        assert_eq!(appendix_value(12.5, "元"), "12.50");
    }
}
