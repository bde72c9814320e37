//! Numerals as they occur in Chinese government reports.
//!
//! * Arabic digits, half-width (`0-9`) or full-width (`０-９`), with an optional decimal part
//!   (`.` or `．`) and optional ASCII thousands separators (`12,345`).
//! * Chinese numerals in the ordinary counting form: `两`, `三十`, `一百二十`, `一万零一`,
//!   `十五`, `三亿四千万`, financial forms (`贰拾`) included.
//! * Multipliers after an Arabic number: `5万`, `0.5万`, `13.82亿`, `1000余万` (see
//!   [`parse_multiplier`]).
//!
//! Values are kept as an exact [`Decimal`] (mantissa × 10^exp) so that `337.1857万` becomes
//! exactly `3371857`, and only converted to `f64` at the end.

/// An exact decimal number: `mantissa × 10^exp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    /// The digits, without sign.
    pub mantissa: u128,
    /// The power of ten the mantissa is scaled by.
    pub exp: i32,
}

/// Largest number of significant digits we accept; longer digit runs are codes, not quantities.
const MAX_DIGITS: usize = 30;

impl Decimal {
    /// An integer.
    pub const fn int(n: u128) -> Self {
        Decimal {
            mantissa: n,
            exp: 0,
        }
    }

    /// Multiplies by `10^k`; exact, never overflows (only the exponent changes).
    pub fn scale(self, k: i32) -> Self {
        Decimal {
            mantissa: self.mantissa,
            exp: self.exp.saturating_add(k),
        }
        .normalized()
    }

    /// Removes trailing zeros of the mantissa while the exponent is negative.
    pub fn normalized(mut self) -> Self {
        while self.exp < 0 && self.mantissa != 0 && self.mantissa.is_multiple_of(10) {
            self.mantissa /= 10;
            self.exp += 1;
        }
        if self.mantissa == 0 {
            self.exp = 0;
        }
        self
    }

    /// The nearest `f64`.
    pub fn to_f64(self) -> f64 {
        let d = self.normalized();
        const EXACT: u128 = 1 << 53;
        if d.mantissa < EXACT && (-22..=22).contains(&d.exp) {
            let m = d.mantissa as f64;
            let p = 10f64.powi(d.exp.abs());
            // Both operands are exact, so one IEEE operation gives the correctly rounded result.
            return if d.exp >= 0 { m * p } else { m / p };
        }
        format!("{}e{}", d.mantissa, d.exp)
            .parse::<f64>()
            .unwrap_or(f64::MAX)
    }

    /// True when the value has no fractional part.
    pub fn is_integer(self) -> bool {
        self.normalized().exp >= 0
    }
}

/// Returns the digit value of a half- or full-width Arabic digit.
#[inline]
pub fn arabic_digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// True for the characters that may form a Chinese numeral.
#[inline]
pub fn is_chinese_numeral_char(c: char) -> bool {
    chinese_digit(c).is_some() || chinese_unit(c).is_some() || matches!(c, '零' | '〇')
}

fn chinese_digit(c: char) -> Option<u128> {
    Some(match c {
        '一' | '壹' => 1,
        '二' | '贰' | '两' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn chinese_unit(c: char) -> Option<u128> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        '万' => 10_000,
        '亿' => 100_000_000,
        _ => return None,
    })
}

/// An Arabic number parsed from text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// Its value.
    pub value: Decimal,
    /// Byte offset just past the number.
    pub end: usize,
    /// Number of characters the numeral spans.
    pub chars: usize,
    /// True when it had a decimal point.
    pub fractional: bool,
}

/// Parses an Arabic number starting at byte `start` of `s`. Returns `None` when there is no
/// digit there or the digit run is too long to be a quantity.
pub fn parse_arabic(s: &str, start: usize) -> Option<Parsed> {
    let rest = s.get(start..)?;
    let mut mantissa: u128 = 0;
    let mut digits = 0usize;
    let mut chars = 0usize;
    let mut end = start;
    let mut it = rest.char_indices().peekable();
    // Integer part, with optional ASCII thousands separators (`12,345`): a separator is taken
    // only after a first group of at most three digits and before exactly three digits.
    let mut group_len = 0usize;
    let mut seen_sep = false;
    while let Some(&(i, c)) = it.peek() {
        if let Some(d) = arabic_digit(c) {
            digits += 1;
            group_len += 1;
            if digits > MAX_DIGITS {
                return None;
            }
            mantissa = mantissa * 10 + u128::from(d);
            chars += 1;
            end = start + i + c.len_utf8();
            it.next();
        } else if c == ',' && digits > 0 {
            if (!seen_sep && group_len > 3) || (seen_sep && group_len != 3) {
                break;
            }
            let b = s.as_bytes();
            let at = end + 1;
            let three = b.len() >= at + 3 && b[at..at + 3].iter().all(u8::is_ascii_digit);
            let fourth_ok = b.get(at + 3).is_none_or(|x| !x.is_ascii_digit());
            if !(three && fourth_ok) {
                break;
            }
            seen_sep = true;
            group_len = 0;
            it.next();
            chars += 1;
            end += 1;
        } else {
            break;
        }
    }
    if digits == 0 {
        return None;
    }
    let mut exp = 0i32;
    let mut fractional = false;
    // Decimal part.
    let tail = &s[end..];
    let mut tc = tail.chars();
    if let Some(p @ ('.' | '．')) = tc.next()
        && tc.next().and_then(arabic_digit).is_some()
    {
        fractional = true;
        end += p.len_utf8();
        chars += 1;
        for c in s[end..].chars() {
            let Some(d) = arabic_digit(c) else { break };
            digits += 1;
            if digits > MAX_DIGITS {
                return None;
            }
            mantissa = mantissa * 10 + u128::from(d);
            exp -= 1;
            chars += 1;
            end += c.len_utf8();
        }
    }
    Some(Parsed {
        value: Decimal { mantissa, exp }.normalized(),
        end,
        chars,
        fractional,
    })
}

/// Parses a Chinese numeral starting at byte `start`: the longest run of numeral characters,
/// which must form a well-formed number (`一百二十`, `两万`, `十五`); `None` otherwise
/// (`一一`, `万`, `八五`).
pub fn parse_chinese(s: &str, start: usize) -> Option<Parsed> {
    let rest = s.get(start..)?;
    let mut end = start;
    let mut chars = 0usize;
    for c in rest.chars() {
        if !is_chinese_numeral_char(c) || chars >= 40 {
            break;
        }
        chars += 1;
        end += c.len_utf8();
    }
    if chars == 0 {
        return None;
    }
    let value = chinese_value(&s[start..end])?;
    Some(Parsed {
        value: Decimal::int(value),
        end,
        chars,
        fractional: false,
    })
}

/// The value of a whole Chinese numeral string, or `None` when it is not well formed.
pub fn chinese_value(text: &str) -> Option<u128> {
    let mut total: u128 = 0; // completed 亿 groups
    let mut wan: u128 = 0; // completed 万 group inside the current 亿 group
    let mut sec: u128 = 0; // current group below 10000
    let mut digit: Option<u128> = None;
    let mut last_small = 10_000u128;
    let mut any = false;
    let mut after_zero = false;
    for c in text.chars() {
        if let Some(d) = chinese_digit(c) {
            if digit.is_some() {
                return None;
            }
            digit = Some(d);
            any = true;
            continue;
        }
        match c {
            '零' | '〇' => {
                if digit.is_some() {
                    return None;
                }
                after_zero = true;
                any = true;
                continue;
            }
            _ => {}
        }
        let u = chinese_unit(c)?;
        match u {
            10 | 100 | 1000 => {
                if u >= last_small {
                    return None;
                }
                let d = match digit.take() {
                    Some(d) => d,
                    // A bare 十 stands for 一十 (十五, 三百十 is not used, but 一万十 is rare).
                    None if u == 10 && (!any || after_zero) => 1,
                    None if u == 10 && sec == 0 => 1,
                    None => return None,
                };
                sec = sec.checked_add(d.checked_mul(u)?)?;
                last_small = u;
                any = true;
            }
            10_000 => {
                sec = sec.checked_add(digit.take().unwrap_or(0))?;
                if sec == 0 || wan != 0 {
                    return None;
                }
                wan = sec.checked_mul(10_000)?;
                sec = 0;
                last_small = 10_000;
            }
            _ => {
                // 亿
                sec = sec.checked_add(digit.take().unwrap_or(0))?;
                let group = wan.checked_add(sec)?;
                if group == 0 && total == 0 {
                    return None;
                }
                total = total.checked_add(group)?.checked_mul(100_000_000)?;
                wan = 0;
                sec = 0;
                last_small = 10_000;
            }
        }
        after_zero = false;
    }
    if !any {
        return None;
    }
    sec = sec.checked_add(digit.unwrap_or(0))?;
    total.checked_add(wan)?.checked_add(sec)
}

/// Multipliers that may follow an Arabic number (`5万`, `13.82亿`, `3千万`), longest first.
const MULTIPLIERS: &[(&str, i32)] = &[
    ("万亿", 12),
    ("千亿", 11),
    ("百亿", 10),
    ("十亿", 9),
    ("千万", 7),
    ("百万", 6),
    ("十万", 5),
    ("亿", 8),
    ("万", 4),
    ("千", 3),
];

/// Matches a multiplier at the start of `rest`; returns its power of ten and its byte length.
/// `千` is not a multiplier in front of `米`, `克`, `瓦` (千米, 千克, 千瓦 are units).
pub fn parse_multiplier(rest: &str) -> Option<(i32, usize)> {
    for (m, p) in MULTIPLIERS {
        if let Some(after) = rest.strip_prefix(m) {
            if *m == "千" && after.starts_with(['米', '克', '瓦']) {
                return None;
            }
            return Some((*p, m.len()));
        }
    }
    None
}

const CN_DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Renders a non-negative integer as an ordinary Chinese numeral (`120` → `一百二十`,
/// `10001` → `一万零一`, `15` → `十五`). Used by tests and by report rendering.
pub fn to_chinese(n: u64) -> String {
    if n == 0 {
        return "零".to_string();
    }
    let mut out = String::new();
    render_groups(n, &mut out, true);
    out
}

fn render_groups(n: u64, out: &mut String, leading: bool) {
    const YI: u64 = 100_000_000;
    if n >= YI {
        render_groups(n / YI, out, leading);
        out.push('亿');
        let rest = n % YI;
        if rest > 0 {
            if rest < 10_000_000 {
                out.push('零');
            }
            render_groups(rest, out, false);
        }
        return;
    }
    if n >= 10_000 {
        render_section((n / 10_000) as u32, out, leading);
        out.push('万');
        let rest = (n % 10_000) as u32;
        if rest > 0 {
            if rest < 1000 {
                out.push('零');
            }
            render_section(rest, out, false);
        }
        return;
    }
    render_section(n as u32, out, leading);
}

fn render_section(n: u32, out: &mut String, leading: bool) {
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let units = ["千", "百", "十", ""];
    let mut started = false;
    let mut pending_zero = false;
    for (i, d) in digits.iter().enumerate() {
        if *d == 0 {
            if started {
                pending_zero = true;
            }
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        // 十五 rather than 一十五 at the very start of a number.
        if !(i == 2 && *d == 1 && !started && leading) {
            out.push_str(CN_DIGITS[*d as usize]);
        }
        out.push_str(units[i]);
        started = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cn(s: &str) -> Option<u128> {
        chinese_value(s)
    }

    #[test]
    fn chinese_numerals_in_common_forms() {
        assert_eq!(cn("两"), Some(2));
        assert_eq!(cn("十"), Some(10));
        assert_eq!(cn("十五"), Some(15));
        assert_eq!(cn("三十"), Some(30));
        assert_eq!(cn("一百二十"), Some(120));
        assert_eq!(cn("一百零五"), Some(105));
        assert_eq!(cn("一万零一"), Some(10_001));
        assert_eq!(cn("十万"), Some(100_000));
        assert_eq!(cn("两万"), Some(20_000));
        assert_eq!(cn("三亿四千万"), Some(340_000_000));
        assert_eq!(cn("一万亿"), Some(1_000_000_000_000));
        assert_eq!(cn("贰拾"), Some(20));
    }

    #[test]
    fn malformed_chinese_numerals_are_rejected() {
        for s in [
            "一一",
            "万",
            "八五",
            "百",
            "千",
            "二二二",
            "十十",
            "一万二万",
            "亿",
        ] {
            assert_eq!(cn(s), None, "{s}");
        }
    }

    #[test]
    fn arabic_numbers_with_decimals_and_separators() {
        let p = parse_arabic("共337.1857万元", 3).unwrap();
        assert_eq!(
            p.value,
            Decimal {
                mantissa: 3371857,
                exp: -4
            }
        );
        assert_eq!(p.value.scale(4).to_f64(), 3_371_857.0);
        let p = parse_arabic("１２３件", 0).unwrap();
        assert_eq!(p.value, Decimal::int(123));
        let p = parse_arabic("12,345件", 0).unwrap();
        assert_eq!(p.value, Decimal::int(12345));
        // A comma between clauses is not a thousands separator.
        let p = parse_arabic("60,处理", 0).unwrap();
        assert_eq!(p.value, Decimal::int(60));
        // `1.` as a heading marker is not a decimal.
        let p = parse_arabic("1.依法", 0).unwrap();
        assert_eq!((p.value, p.fractional), (Decimal::int(1), false));
        assert!(parse_arabic(&"9".repeat(40), 0).is_none());
    }

    #[test]
    fn multipliers_and_units_that_look_like_them() {
        assert_eq!(parse_multiplier("万元"), Some((4, 3)));
        assert_eq!(parse_multiplier("千米"), None);
        assert_eq!(parse_multiplier("亿元"), Some((8, 3)));
    }

    #[test]
    fn rendering_examples() {
        assert_eq!(to_chinese(120), "一百二十");
        assert_eq!(to_chinese(10_001), "一万零一");
        assert_eq!(to_chinese(15), "十五");
        assert_eq!(to_chinese(100_010), "十万零一十");
        assert_eq!(to_chinese(200_000_000), "二亿");
        assert_eq!(to_chinese(100_000_001), "一亿零一");
    }
}
