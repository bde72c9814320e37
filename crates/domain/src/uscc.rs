//! 统一社会信用代码 — GB 32100-2015 (law file §14.2).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{FieldError, text::to_halfwidth};

/// The 31 symbols, values 0–30 (no I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// Weights 3^i mod 31 for i = 0…16.
const fn weights() -> [u32; 17] {
    let mut w = [0u32; 17];
    let mut i = 0;
    let mut v = 1u32;
    while i < 17 {
        w[i] = v;
        v = v * 3 % 31;
        i += 1;
    }
    w
}
const WEIGHTS: [u32; 17] = weights();

/// Outcome of the check-character test. A mismatch is a warning, not an error: some early
/// pilot-region codes (e.g. Fujian 2014–15, `91350100M0001TGQXM`) are legitimate but fail it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsccCheck {
    /// The check character is right.
    Valid,
    /// The check character differs from the computed one; ask the user to confirm.
    ChecksumMismatch {
        /// The check character the first 17 characters call for.
        expected: char,
    },
}

impl UsccCheck {
    /// The warning to show (stable code `uscc.checksum`), if any.
    pub fn warning(self) -> Option<FieldError> {
        match self {
            UsccCheck::Valid => None,
            UsccCheck::ChecksumMismatch { .. } => Some(FieldError::new(
                "uscc.checksum",
                "校验位与计算结果不一致，请核对；早期试点地区发放的代码可能如此，确认无误后可继续保存",
            )),
        }
    }
}

/// A unified social credit code: 18 characters of the GB 32100 alphabet, normalised to upper
/// case. Not personal data (it identifies organisations), so it displays in full.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Uscc(String);

impl Uscc {
    /// Parses a code. Length, characters and the six-digit division code are hard errors; a
    /// check-character mismatch comes back as [`UsccCheck::ChecksumMismatch`] with a usable
    /// value, so the caller can warn and let the user override.
    pub fn parse(input: &str) -> Result<(Self, UsccCheck), FieldError> {
        let s: String = input
            .chars()
            .map(to_halfwidth)
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let n = s.chars().count();
        if n == 0 {
            return Err(FieldError::new("uscc.empty", "统一社会信用代码不能为空"));
        }
        if n != 18 {
            return Err(FieldError::with_message(
                "uscc.length",
                format!("统一社会信用代码应为18位，当前为{n}位"),
            ));
        }
        if let Some(bad) = s
            .chars()
            .find(|c| !c.is_ascii() || value_of(*c as u8).is_none())
        {
            return Err(FieldError::with_message(
                "uscc.charset",
                format!("含有不允许的字符“{bad}”（只能使用数字和除I、O、S、V、Z以外的大写字母）"),
            ));
        }
        if !s.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(FieldError::new(
                "uscc.division",
                "第3至8位应为6位数字的登记管理机关行政区划码",
            ));
        }
        let expected = Self::compute_check_char(&s[..17]).expect("17 valid symbols checked above");
        let check = if s.as_bytes()[17] == expected as u8 {
            UsccCheck::Valid
        } else {
            UsccCheck::ChecksumMismatch { expected }
        };
        Ok((Self(s), check))
    }

    /// Like [`Uscc::parse`] but a check-character mismatch is an error (`uscc.checksum`).
    pub fn parse_strict(input: &str) -> Result<Self, FieldError> {
        let (code, check) = Self::parse(input)?;
        match check.warning() {
            None => Ok(code),
            Some(err) => Err(err),
        }
    }

    /// The check character (ISO 7064 MOD 31-3) for the first 17 characters, or `None` if the
    /// input is not exactly 17 symbols of the alphabet.
    pub fn compute_check_char(first17: &str) -> Option<char> {
        let bytes = first17.as_bytes();
        if bytes.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (b, w) in bytes.iter().zip(WEIGHTS) {
            sum += value_of(*b)? * w;
        }
        let check = (31 - sum % 31) % 31;
        Some(char::from(ALPHABET[check as usize]))
    }

    /// Recomputes the check: [`UsccCheck::Valid`] or the mismatch.
    pub fn check(&self) -> UsccCheck {
        let expected = Self::compute_check_char(&self.0[..17]).expect("validated at parse time");
        if self.0.as_bytes()[17] == expected as u8 {
            UsccCheck::Valid
        } else {
            UsccCheck::ChecksumMismatch { expected }
        }
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registration-authority code (first character, e.g. `9` = market regulation).
    pub fn authority_code(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// The six-digit administrative division of the registering authority.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uscc {
    /// Accepts stored codes whose checksum failed (the user confirmed them at entry).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw)
            .map(|(code, _)| code)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        assert_eq!(
            WEIGHTS,
            [
                1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
            ]
        );
    }

    #[test]
    fn the_documented_example_is_valid() {
        let (code, check) = Uscc::parse("91110000600037341L").unwrap();
        assert_eq!(check, UsccCheck::Valid);
        assert_eq!(code.as_str(), "91110000600037341L");
        assert_eq!(code.authority_code(), '9');
        assert_eq!(code.division_code(), "110000");
        assert_eq!(Uscc::parse_strict(" 91110000600037341l ").unwrap(), code);
    }

    #[test]
    fn legitimate_pilot_codes_fail_the_checksum_but_stay_usable() {
        for pilot in [
            "91350100M0001TGQXM",
            "91350211M0000XUF46",
            "91350203M0001FUE2P",
        ] {
            let (code, check) = Uscc::parse(pilot).unwrap();
            assert_eq!(code.as_str(), pilot);
            assert!(
                matches!(check, UsccCheck::ChecksumMismatch { .. }),
                "{pilot}"
            );
            assert_eq!(check.warning().unwrap().code, "uscc.checksum");
            assert_eq!(code.check(), check);
            assert_eq!(Uscc::parse_strict(pilot).unwrap_err().code, "uscc.checksum");
            // Stored pilot codes load again.
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), code);
        }
    }

    #[test]
    fn length_and_charset_errors_are_hard() {
        assert_eq!(Uscc::parse("").unwrap_err().code, "uscc.empty");
        assert_eq!(
            Uscc::parse("91110000600037341").unwrap_err().code,
            "uscc.length"
        );
        assert_eq!(
            Uscc::parse("91110000600037341LL").unwrap_err().code,
            "uscc.length"
        );
        let err = Uscc::parse("91110000600037341I").unwrap_err();
        assert_eq!(err.code, "uscc.charset");
        assert!(err.message_zh.contains("“I”"));
        assert_eq!(
            Uscc::parse("9111000060003734１Ｌ").unwrap().1,
            UsccCheck::Valid
        );
        assert_eq!(
            Uscc::parse("91110000600037341中").unwrap_err().code,
            "uscc.charset"
        );
        assert_eq!(
            Uscc::parse("911A0000600037341L").unwrap_err().code,
            "uscc.division"
        );
    }

    #[test]
    fn a_sum_divisible_by_31_gives_check_zero() {
        // Search a first-17 whose weighted sum is 0 mod 31: the final `mod 31` must map it to '0'.
        let base = *b"91330100MA2B00000";
        let mut found = false;
        for c in ALPHABET {
            let mut first = base;
            first[16] = *c;
            let s = std::str::from_utf8(&first).unwrap();
            let sum: u32 = first
                .iter()
                .zip(WEIGHTS)
                .map(|(b, w)| value_of(*b).unwrap() * w)
                .sum();
            if sum.is_multiple_of(31) {
                assert_eq!(Uscc::compute_check_char(s), Some('0'));
                found = true;
            }
        }
        assert!(found, "some last symbol makes the sum divisible by 31");
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        let symbol = prop::sample::select(ALPHABET.to_vec());
        (
            prop::sample::select(b"15789Y".to_vec()),
            prop::sample::select(b"123".to_vec()),
            0u32..1_000_000,
            prop::collection::vec(symbol, 9),
        )
            .prop_map(|(a, t, div, body)| {
                let mut s = String::new();
                s.push(char::from(a));
                s.push(char::from(t));
                s.push_str(&format!("{div:06}"));
                s.extend(body.into_iter().map(char::from));
                s
            })
    }

    proptest! {
        #[test]
        fn generated_valid_codes_parse(first17 in valid_first17()) {
            let check = Uscc::compute_check_char(&first17).unwrap();
            let full = format!("{first17}{check}");
            let (code, result) = Uscc::parse(&full).unwrap();
            prop_assert_eq!(result, UsccCheck::Valid);
            prop_assert_eq!(code.as_str(), full.as_str());
        }

        #[test]
        fn substituting_any_one_symbol_is_detected(
            first17 in valid_first17(),
            pos in 0usize..18,
            delta in 1usize..31,
        ) {
            let check = Uscc::compute_check_char(&first17).unwrap();
            let mut bytes = format!("{first17}{check}").into_bytes();
            let v = value_of(bytes[pos]).unwrap() as usize;
            bytes[pos] = ALPHABET[(v + delta) % 31];
            let tampered = String::from_utf8(bytes).unwrap();
            match Uscc::parse(&tampered) {
                // A letter in the division code is a hard error.
                Err(e) => prop_assert_eq!(e.code, "uscc.division"),
                Ok((_, result)) => {
                    let is_mismatch = matches!(result, UsccCheck::ChecksumMismatch { .. });
                    prop_assert!(is_mismatch, "{}", tampered);
                }
            }
        }
    }
}
