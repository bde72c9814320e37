//! 居民身份证号码 — GB 11643-1999 《公民身份号码》 (law file §14.1).

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{FieldError, Mask, mask::mask_id_number, text::to_halfwidth};

/// ISO 7064 MOD 11-2 weights of the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for remainders 0…10.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Valid first two digits (province-level division). 71/81/82/83: Taiwan, Hong Kong, Macau
/// residents' numbers (law file §14.1, marked [U] there).
fn is_province_code(code: u32) -> bool {
    matches!(
        code,
        11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82 | 83
    )
}

code_enum!(
    /// Sex as encoded in the ID number's sequence digit (odd = male, even = female).
    Sex, what = "性别" {
        /// 男
        Male = ("male", "男"),
        /// 女
        Female = ("female", "女"),
    }
);

/// A validated 18-character citizen identity number, normalised (upper-case `X`).
///
/// `Debug`/`Display` mask it (`3604**********0071`); [`IdNumber::reveal`] gives the real value,
/// serde stores the real value.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses and validates an ID number.
    ///
    /// Accepts surrounding/inner spaces, full-width digits and a lower-case `x`. Checks length,
    /// characters, the province code, that the birth date is a real date between 1900-01-01 and
    /// `today`, and the check character. Old 15-digit numbers are rejected with their own code.
    pub fn parse(input: &str, today: Date) -> Result<Self, FieldError> {
        let s: String = input
            .chars()
            .map(to_halfwidth)
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let n = s.chars().count();
        if n == 0 {
            return Err(FieldError::new("id_number.empty", "身份证号码不能为空"));
        }
        if n == 15 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                "id_number.old_format",
                "不支持15位旧版身份证号码，请填写18位身份证号码",
            ));
        }
        if n != 18 {
            return Err(FieldError::with_message(
                "id_number.length",
                format!("身份证号码应为18位，当前为{n}位"),
            ));
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(FieldError::new(
                "id_number.charset",
                "身份证号码前17位应为数字，末位应为数字或X",
            ));
        }
        let province = u32::from(bytes[0] - b'0') * 10 + u32::from(bytes[1] - b'0');
        if !is_province_code(province) {
            return Err(FieldError::with_message(
                "id_number.region",
                format!("前两位“{}”不是有效的省级行政区划代码", &s[..2]),
            ));
        }
        let birth = birth_date_of(&s[6..14]).ok_or_else(|| {
            FieldError::with_message(
                "id_number.birth_date",
                format!("出生日期“{}”不是有效日期", &s[6..14]),
            )
        })?;
        if birth.year() < 1900 {
            return Err(FieldError::new(
                "id_number.birth_date",
                "出生日期早于1900年，请核对号码",
            ));
        }
        if birth > today {
            return Err(FieldError::with_message(
                "id_number.birth_in_future",
                format!("出生日期{birth}晚于今天"),
            ));
        }
        let expected = Self::compute_check_char(&s[..17]).expect("17 ASCII digits checked above");
        if char::from(bytes[17]) != expected {
            return Err(FieldError::new(
                "id_number.checksum",
                "校验位不正确，请核对号码",
            ));
        }
        Ok(Self(s))
    }

    /// The check character (ISO 7064 MOD 11-2) for the first 17 digits, or `None` if the input
    /// is not exactly 17 ASCII digits. Used by generators and by [`IdNumber::parse`].
    pub fn compute_check_char(first17: &str) -> Option<char> {
        let digits = first17.as_bytes();
        if digits.len() != 17 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sum: u32 = digits
            .iter()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        Some(char::from(CHECK_CHARS[(sum % 11) as usize]))
    }

    /// The real, normalised number. Call sites are the places to audit for data leaks.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// The six-digit address code (行政区划代码 of the household registration).
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// The two-digit province code.
    pub fn province_code(&self) -> &str {
        &self.0[..2]
    }

    /// The birth date encoded in positions 7–14.
    pub fn birth_date(&self) -> Date {
        birth_date_of(&self.0[6..14]).expect("validated at parse time")
    }

    /// Sex from the sequence code's last digit (position 17): odd = male, even = female.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: Date) -> i16 {
        let birth = self.birth_date();
        let mut age = on.year() - birth.year();
        if (on.month(), on.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        age
    }
}

fn birth_date_of(yyyymmdd: &str) -> Option<Date> {
    let year: i16 = yyyymmdd.get(..4)?.parse().ok()?;
    let month: i8 = yyyymmdd.get(4..6)?.parse().ok()?;
    let day: i8 = yyyymmdd.get(6..8)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

impl Mask for IdNumber {
    fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

impl<'de> Deserialize<'de> for IdNumber {
    /// Re-validates stored values; without a "today" the birth date is only checked to be
    /// real (not against the current date).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw, Date::MAX).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const TODAY: Date = date(2026, 11, 22);

    fn code(input: &str) -> &'static str {
        IdNumber::parse(input, TODAY).unwrap_err().code
    }

    #[test]
    fn the_documented_example_is_valid() {
        let id = IdNumber::parse("360426199101010071", TODAY).unwrap();
        assert_eq!(id.reveal(), "360426199101010071");
        assert_eq!(id.birth_date(), date(1991, 1, 1));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.region_code(), "360426");
        assert_eq!(id.province_code(), "36");
        assert_eq!(id.age_on(TODAY), 35);
        assert_eq!(id.age_on(date(2025, 12, 31)), 34);
    }

    #[test]
    fn lower_case_x_full_width_digits_and_spaces_are_normalised() {
        // 11010519491231002X is the widely used GB 11643 sample number.
        let id = IdNumber::parse(" 110105 19491231 002x ", TODAY).unwrap();
        assert_eq!(id.reveal(), "11010519491231002X");
        assert_eq!(id.sex(), Sex::Female);
        let full = IdNumber::parse("３６０４２６１９９１０１０１００７１", TODAY).unwrap();
        assert_eq!(full.reveal(), "360426199101010071");
    }

    #[test]
    fn bad_numbers_are_rejected_with_specific_reasons() {
        assert_eq!(code(""), "id_number.empty");
        assert_eq!(code("360426910101007"), "id_number.old_format");
        assert_eq!(code("36042619910101007"), "id_number.length");
        assert_eq!(code("3604261991010100711"), "id_number.length");
        assert_eq!(code("36042619910101007Y"), "id_number.charset");
        assert_eq!(code("3604261991010X0071"), "id_number.charset");
        assert_eq!(code("360426199101010072"), "id_number.checksum");
        // 99 is no province; 19 neither.
        assert_eq!(code("990426199101010071"), "id_number.region");
        assert_eq!(code("190426199101010071"), "id_number.region");
        // 1991-02-30 does not exist.
        assert_eq!(code("360426199102300071"), "id_number.birth_date");
        assert_eq!(code("360426189901010071"), "id_number.birth_date");
    }

    #[test]
    fn a_birth_date_after_today_is_rejected() {
        let first17 = "36042620270101007";
        let full = format!(
            "{first17}{}",
            IdNumber::compute_check_char(first17).unwrap()
        );
        assert_eq!(code(&full), "id_number.birth_in_future");
        // Born today is fine.
        let first17 = "36042620261122007";
        let full = format!(
            "{first17}{}",
            IdNumber::compute_check_char(first17).unwrap()
        );
        assert!(IdNumber::parse(&full, TODAY).is_ok());
    }

    #[test]
    fn messages_name_the_reason_in_chinese() {
        let err = IdNumber::parse("360426199101010072", TODAY).unwrap_err();
        assert_eq!(
            err.for_field("身份证号"),
            "身份证号：校验位不正确，请核对号码"
        );
        let err = IdNumber::parse("123", TODAY).unwrap_err();
        assert_eq!(err.to_string(), "身份证号码应为18位，当前为3位");
    }

    #[test]
    fn debug_and_display_are_masked_serde_is_not() {
        let id = IdNumber::parse("360426199101010071", TODAY).unwrap();
        assert_eq!(id.to_string(), "3604**********0071");
        assert_eq!(format!("{id:?}"), "IdNumber(\"3604**********0071\")");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"360426199101010071\"");
        assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id);
        assert!(serde_json::from_str::<IdNumber>("\"360426199101010072\"").is_err());
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        let provinces = prop::sample::select(vec![
            11u32, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
            50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
        ]);
        (
            provinces,
            0u32..10_000,
            1900i16..=2026,
            1i8..=12,
            1i8..=28,
            0u32..1000,
        )
            .prop_map(|(p, area, y, m, d, seq)| {
                format!("{p:02}{area:04}{y:04}{m:02}{d:02}{seq:03}")
            })
    }

    proptest! {
        #[test]
        fn generated_valid_numbers_parse(first17 in valid_first17()) {
            let check = IdNumber::compute_check_char(&first17).unwrap();
            let full = format!("{first17}{check}");
            let birth = birth_date_of(&full[6..14]).unwrap();
            let id = IdNumber::parse(&full, date(2026, 12, 31)).unwrap();
            prop_assert_eq!(id.reveal(), full.as_str());
            prop_assert_eq!(id.birth_date(), birth);
            prop_assert_eq!(id.masked().len(), 18);
        }

        #[test]
        fn changing_any_one_digit_is_detected(
            first17 in valid_first17(),
            pos in 0usize..18,
            delta in 1u8..10,
        ) {
            let check = IdNumber::compute_check_char(&first17).unwrap();
            let mut bytes = format!("{first17}{check}").into_bytes();
            if bytes[pos] == b'X' {
                bytes[pos] = b'0' + delta;
            } else {
                let d = bytes[pos] - b'0';
                bytes[pos] = b'0' + (d + delta) % 10;
            }
            let tampered = String::from_utf8(bytes).unwrap();
            // A single substitution is always caught: by the checksum, or earlier by the
            // province/date checks.
            prop_assert!(IdNumber::parse(&tampered, date(2026, 12, 31)).is_err(), "{}", tampered);
        }
    }
}
