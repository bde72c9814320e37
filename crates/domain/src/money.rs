//! Money amounts (fines, fees): integer fen in storage, 元 on screen.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{FieldError, text::halfwidth_trimmed};

/// A non-negative amount of money in fen (分), at most [`Money::MAX`].
///
/// Parsed from 元 strings (`200`, `200.5`, `1,200.50`, `１２００`, `￥200元`); displayed as
/// `1200.50元`. Serde stores the integer fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);
    /// Largest accepted amount: 100亿元 (10,000,000,000 yuan).
    pub const MAX: Money = Money(10_000_000_000 * 100);

    /// From fen; rejects negative amounts and amounts over [`Money::MAX`].
    pub fn from_fen(fen: i64) -> Result<Self, FieldError> {
        if fen < 0 {
            Err(negative())
        } else if fen > Self::MAX.0 {
            Err(too_large())
        } else {
            Ok(Self(fen))
        }
    }

    /// From whole yuan.
    pub fn from_yuan(yuan: i64) -> Result<Self, FieldError> {
        yuan.checked_mul(100)
            .ok_or_else(too_large)
            .and_then(Self::from_fen)
    }

    /// Parses a 元 amount with at most two decimals.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = halfwidth_trimmed(input);
        let s = s
            .strip_prefix('¥')
            .or_else(|| s.strip_prefix('￥'))
            .unwrap_or(&s)
            .trim_start();
        let s = s.strip_suffix('元').unwrap_or(s).trim_end();
        if s.is_empty() {
            return Err(FieldError::new("money.empty", "金额不能为空"));
        }
        if s.starts_with('-') {
            return Err(negative());
        }
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        let format_error =
            || FieldError::new("money.format", "金额格式不正确，应为如1200或1,200.50的数字");
        if int_part.is_empty() || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format_error());
        }
        let int_digits: String = if int_part.contains(',') {
            let groups: Vec<&str> = int_part.split(',').collect();
            let first_ok = (1..=3).contains(&groups[0].len());
            let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
            if !first_ok || !rest_ok {
                return Err(FieldError::new(
                    "money.grouping",
                    "千分位逗号位置不正确，应每三位一组，如1,200.50",
                ));
            }
            groups.concat()
        } else {
            int_part.to_owned()
        };
        if !int_digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format_error());
        }
        if frac_part.len() > 2 {
            return Err(FieldError::new("money.decimals", "金额最多保留两位小数"));
        }
        let significant = int_digits.trim_start_matches('0');
        if significant.len() > 12 {
            return Err(too_large());
        }
        let yuan: i64 = if significant.is_empty() {
            0
        } else {
            significant.parse().map_err(|_| format_error())?
        };
        let mut fen_digits = frac_part.to_owned();
        while fen_digits.len() < 2 {
            fen_digits.push('0');
        }
        let fen: i64 = fen_digits.parse().map_err(|_| format_error())?;
        Self::from_fen(yuan * 100 + fen)
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// The amount in 元 with two decimals and no unit: `1200.50`.
    pub fn yuan_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// Sum, or `None` above [`Money::MAX`].
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0
            .checked_add(other.0)
            .filter(|fen| *fen <= Self::MAX.0)
            .map(Money)
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

fn negative() -> FieldError {
    FieldError::new("money.negative", "金额不能为负数")
}

fn too_large() -> FieldError {
    FieldError::new("money.too_large", "金额超过上限100亿元")
}

impl fmt::Display for Money {
    /// `1200.50元`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}元", self.yuan_string())
    }
}

impl std::str::FromStr for Money {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fen = i64::deserialize(deserializer)?;
        Self::from_fen(fen).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fen(input: &str) -> i64 {
        Money::parse(input).unwrap().fen()
    }

    fn code(input: &str) -> &'static str {
        Money::parse(input).unwrap_err().code
    }

    #[test]
    fn yuan_strings_parse_to_fen() {
        assert_eq!(fen("200"), 20_000);
        assert_eq!(fen("200.5"), 20_050);
        assert_eq!(fen("200.05"), 20_005);
        assert_eq!(fen("1,200.50"), 120_050);
        assert_eq!(fen("１２００"), 120_000);
        assert_eq!(fen("１，２００．５"), 120_050);
        assert_eq!(fen(" ￥200元 "), 20_000);
        assert_eq!(fen("¥ 3000"), 300_000);
        assert_eq!(fen("0"), 0);
        assert_eq!(fen("0.01"), 1);
        assert_eq!(fen("007"), 700);
        assert_eq!(fen("200."), 20_000);
        assert_eq!(fen("10000000000"), Money::MAX.fen());
        assert_eq!(fen("1,234,567.89"), 123_456_789);
    }

    #[test]
    fn bad_amounts_are_rejected_with_reasons() {
        assert_eq!(code(""), "money.empty");
        assert_eq!(code("元"), "money.empty");
        assert_eq!(code("-5"), "money.negative");
        assert_eq!(code("200.555"), "money.decimals");
        assert_eq!(code("1,20.50"), "money.grouping");
        assert_eq!(code("12,0000"), "money.grouping");
        assert_eq!(code(",200"), "money.grouping");
        assert_eq!(code("2e3"), "money.format");
        assert_eq!(code(".5"), "money.format");
        assert_eq!(code("1.2.3"), "money.format");
        assert_eq!(code("两百"), "money.format");
        assert_eq!(code("10000000000.01"), "money.too_large");
        assert_eq!(code("99999999999999999999999"), "money.too_large");
        assert_eq!(Money::from_fen(-1).unwrap_err().code, "money.negative");
        assert_eq!(
            Money::from_yuan(i64::MAX).unwrap_err().code,
            "money.too_large"
        );
    }

    #[test]
    fn display_uses_two_decimals_and_the_yuan_sign() {
        let m = Money::parse("1,200.5").unwrap();
        assert_eq!(m.to_string(), "1200.50元");
        assert_eq!(m.yuan_string(), "1200.50");
        assert_eq!(Money::from_yuan(200).unwrap().to_string(), "200.00元");
        assert_eq!(Money::ZERO.yuan_string(), "0.00");
        assert_eq!(Money::from_fen(5).unwrap().yuan_string(), "0.05");
    }

    #[test]
    fn serde_stores_fen_and_rejects_negative() {
        let m = Money::from_fen(120_050).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "120050");
        assert_eq!(serde_json::from_str::<Money>("120050").unwrap(), m);
        assert!(serde_json::from_str::<Money>("-1").is_err());
    }

    #[test]
    fn addition_is_bounded() {
        let a = Money::from_yuan(100).unwrap();
        assert_eq!(a.checked_add(a).unwrap().fen(), 20_000);
        assert_eq!(Money::MAX.checked_add(Money::from_fen(1).unwrap()), None);
    }

    proptest! {
        #[test]
        fn yuan_string_round_trips(fen in 0i64..=Money::MAX.fen()) {
            let m = Money::from_fen(fen).unwrap();
            prop_assert_eq!(Money::parse(&m.yuan_string()).unwrap(), m);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
        }
    }
}
