//! Phone numbers (law file §14.3): mainland mobiles, landlines, and — only through
//! [`Phone::parse_service`] — short service numbers such as 12345.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{FieldError, Mask, mask::mask_phone, text::to_halfwidth};

/// What kind of number a [`Phone`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// 11-digit mainland mobile, stored as `13812345678`.
    Mobile,
    /// Fixed line with area code, stored as `0571-87654321`.
    Landline,
    /// Short or nationwide service number (`12345`, `95598`, `4001234567`).
    Service,
}

/// A validated, normalised phone number. `Debug`/`Display` mask it (`138****5678`);
/// [`Phone::reveal`] gives the real value; serde stores the real value.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone {
    number: String,
}

fn err(code: &'static str, message: &'static str) -> FieldError {
    FieldError::new(code, message)
}

/// Strips separators and an international prefix. Returns the digits and whether an explicit
/// international prefix (`+86`/`0086`) was present.
fn clean(input: &str) -> Result<(String, bool), FieldError> {
    let s: String = input
        .chars()
        .map(to_halfwidth)
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '\t'))
        .collect();
    if s.is_empty() {
        return Err(err("phone.empty", "电话号码不能为空"));
    }
    let (rest, international) = if let Some(r) = s.strip_prefix("+86") {
        (r.to_owned(), true)
    } else if let Some(r) = s.strip_prefix("0086") {
        (r.to_owned(), true)
    } else if s.len() == 13 && s.starts_with("861") && s.bytes().all(|b| b.is_ascii_digit()) {
        // "86" without plus: only when what follows is a full mobile number.
        (s[2..].to_owned(), true)
    } else {
        (s, false)
    };
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(
            "phone.charset",
            "电话号码只能包含数字、空格、连字符、括号和+86前缀",
        ));
    }
    Ok((rest, international))
}

fn is_service_number(digits: &str) -> bool {
    let n = digits.len();
    ((3..=6).contains(&n) && (digits.starts_with('1') || digits.starts_with('9')))
        || (n == 10 && (digits.starts_with("400") || digits.starts_with("800")))
}

impl Phone {
    /// Parses a mobile or landline number of a person or organisation.
    ///
    /// Mobile: `^1[3-9]\d{9}$` after removing `+86`/`0086`/`86`, spaces and hyphens.
    /// Landline: `0` + area code (2 digits for 010 and 02x, else 3) + 7–8 digits, with or
    /// without separators; after `+86` the leading `0` may be missing. Short service numbers
    /// (12345, 110, 95598, 400-…) are rejected here; use [`Phone::parse_service`] for them.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let (mut digits, international) = clean(input)?;
        // After +86 a landline drops its leading 0 (`+86 571 …`, `+86 10 …`).
        let is_mobile_shape = digits.len() == 11 && digits.starts_with('1');
        if international && !is_mobile_shape && !digits.starts_with('0') {
            digits.insert(0, '0');
        }
        let n = digits.len();
        let first = digits.as_bytes()[0];
        match first {
            b'1' => {
                if n == 11 {
                    if matches!(digits.as_bytes()[1], b'3'..=b'9') {
                        Ok(Self { number: digits })
                    } else {
                        Err(err("phone.mobile_prefix", "手机号码第二位应为3至9"))
                    }
                } else if is_service_number(&digits) {
                    Err(err(
                        "phone.service_number",
                        "不能填写12345等短号码或服务号码，请填写手机号码或固定电话",
                    ))
                } else {
                    Err(FieldError::with_message(
                        "phone.mobile_length",
                        format!("手机号码应为11位，当前为{n}位"),
                    ))
                }
            }
            b'0' => {
                let area_len = match digits.as_bytes().get(1) {
                    Some(b'1' | b'2') => 2,
                    Some(b'3'..=b'9') => 3,
                    _ => return Err(err("phone.area_code", "区号不正确")),
                };
                let local = &digits[1 + area_len..];
                if (7..=8).contains(&local.len()) {
                    Ok(Self {
                        number: format!("{}-{}", &digits[..1 + area_len], local),
                    })
                } else {
                    Err(err(
                        "phone.landline",
                        "固定电话应为区号（0加2至3位）加7至8位号码",
                    ))
                }
            }
            _ if is_service_number(&digits) => Err(err(
                "phone.service_number",
                "不能填写12345等短号码或服务号码，请填写手机号码或固定电话",
            )),
            _ if (7..=8).contains(&n) => Err(err(
                "phone.missing_area_code",
                "固定电话请加区号，如0571-87654321",
            )),
            _ => Err(err("phone.format", "不是有效的手机号码或固定电话")),
        }
    }

    /// Like [`Phone::parse`] but also accepts service numbers: 3–6 digits starting with 1 or 9
    /// (`110`, `12345`, `95598`) and 10-digit `400`/`800` numbers.
    pub fn parse_service(input: &str) -> Result<Self, FieldError> {
        let (digits, international) = clean(input)?;
        if !international && is_service_number(&digits) {
            return Ok(Self { number: digits });
        }
        Self::parse(input)
    }

    /// What kind of number this is.
    pub fn kind(&self) -> PhoneKind {
        if self.number.contains('-') {
            PhoneKind::Landline
        } else if self.number.len() == 11 && self.number.starts_with('1') {
            PhoneKind::Mobile
        } else {
            PhoneKind::Service
        }
    }

    /// The real, normalised number. Call sites are the places to audit for data leaks.
    pub fn reveal(&self) -> &str {
        &self.number
    }
}

impl Mask for Phone {
    fn masked(&self) -> String {
        match self.kind() {
            // Service numbers are public.
            PhoneKind::Service => self.number.clone(),
            PhoneKind::Mobile | PhoneKind::Landline => mask_phone(&self.number),
        }
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Phone").field(&self.masked()).finish()
    }
}

impl Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.number)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse_service(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(input: &str) -> String {
        Phone::parse(input).unwrap().reveal().to_owned()
    }

    fn code(input: &str) -> &'static str {
        Phone::parse(input).unwrap_err().code
    }

    #[test]
    fn mobiles_are_normalised() {
        assert_eq!(ok("13812345678"), "13812345678");
        assert_eq!(ok("+86 138-1234-5678"), "13812345678");
        assert_eq!(ok("0086 13812345678"), "13812345678");
        assert_eq!(ok("8613812345678"), "13812345678");
        assert_eq!(ok("１３８１２３４５６７８"), "13812345678");
        assert_eq!(ok("19912345678"), "19912345678");
        assert_eq!(
            Phone::parse("13812345678").unwrap().kind(),
            PhoneKind::Mobile
        );
    }

    #[test]
    fn landlines_get_area_code_and_hyphen() {
        assert_eq!(ok("0571-87654321"), "0571-87654321");
        assert_eq!(ok("057187654321"), "0571-87654321");
        assert_eq!(ok("(0571) 8765 4321"), "0571-87654321");
        assert_eq!(ok("010-12345678"), "010-12345678");
        assert_eq!(ok("01012345678"), "010-12345678");
        assert_eq!(ok("0791-8765432"), "0791-8765432");
        assert_eq!(ok("+86 571 87654321"), "0571-87654321");
        assert_eq!(ok("+86 10 12345678"), "010-12345678");
        assert_eq!(
            Phone::parse("010-12345678").unwrap().kind(),
            PhoneKind::Landline
        );
    }

    #[test]
    fn bad_numbers_are_rejected_with_reasons() {
        assert_eq!(code(""), "phone.empty");
        assert_eq!(code("   "), "phone.empty");
        assert_eq!(code("1381234567"), "phone.mobile_length");
        assert_eq!(code("138123456789"), "phone.mobile_length");
        assert_eq!(code("12812345678"), "phone.mobile_prefix");
        assert_eq!(code("138a2345678"), "phone.charset");
        assert_eq!(code("0571-876543"), "phone.landline");
        assert_eq!(code("0571-876543210"), "phone.landline");
        assert_eq!(code("0012345678"), "phone.area_code");
        assert_eq!(code("87654321"), "phone.missing_area_code");
        assert_eq!(code("12345"), "phone.service_number");
        assert_eq!(code("95598"), "phone.service_number");
        assert_eq!(code("4001234567"), "phone.service_number");
        assert_eq!(code("2345"), "phone.format");
        let err = Phone::parse("1381234567").unwrap_err();
        assert_eq!(
            err.for_field("联系电话"),
            "联系电话：手机号码应为11位，当前为10位"
        );
    }

    #[test]
    fn service_numbers_need_parse_service() {
        for (input, stored) in [
            ("12345", "12345"),
            ("110", "110"),
            ("95598", "95598"),
            ("400-123-4567", "4001234567"),
        ] {
            let p = Phone::parse_service(input).unwrap();
            assert_eq!(p.reveal(), stored);
            assert_eq!(p.kind(), PhoneKind::Service);
            assert_eq!(p.to_string(), stored, "service numbers are public");
        }
        // parse_service still takes ordinary numbers.
        assert_eq!(
            Phone::parse_service("13812345678").unwrap().kind(),
            PhoneKind::Mobile
        );
        assert!(Phone::parse_service("+8612345").is_err());
    }

    #[test]
    fn debug_and_display_are_masked_serde_is_not() {
        let p = Phone::parse("13812345678").unwrap();
        assert_eq!(p.to_string(), "138****5678");
        assert_eq!(format!("{p:?}"), "Phone(\"138****5678\")");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"13812345678\"");
        let back: Phone = serde_json::from_str("\"13812345678\"").unwrap();
        assert_eq!(back, p);
        let land = Phone::parse("0571-87654321").unwrap();
        assert_eq!(land.to_string(), "057******4321");
    }

    proptest! {
        #[test]
        fn every_pattern_mobile_parses(second in 3u8..=9, rest in "[0-9]{9}") {
            let number = format!("1{second}{rest}");
            let p = Phone::parse(&number).unwrap();
            prop_assert_eq!(p.reveal(), number.as_str());
            let formatted = format!("+86 {} {} {}", &number[..3], &number[3..7], &number[7..]);
            prop_assert_eq!(Phone::parse(&formatted).unwrap(), p);
        }

        #[test]
        fn non_mobile_second_digits_are_rejected(second in 0u8..=2, rest in "[0-9]{9}") {
            let number = format!("1{second}{rest}");
            prop_assert!(Phone::parse(&number).is_err());
        }
    }
}
