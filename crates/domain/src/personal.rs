//! Personal data: types whose `Debug` and `Display` never show the full value.
//!
//! Serde serialises the real value (this is what goes to storage); screens, logs and exports
//! show [`Mask::masked`]; the real value is reachable only through an explicit `reveal()`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{FieldError, mask::mask_name};

/// A value that has a masked rendering.
pub trait Mask {
    /// The rendering safe for screens and logs (`张*`, `138****5678`, `3604**********0071`).
    fn masked(&self) -> String;
}

/// Wraps any [`Mask`] value so that `Debug`/`Display` show only the masked form.
///
/// ```
/// use fazhi_domain::{Personal, PersonName};
/// let name = Personal::new(PersonName::parse("欧阳娜娜").unwrap());
/// assert_eq!(format!("{name}"), "欧阳**");
/// assert_eq!(format!("{name:?}"), "Personal(\"欧阳**\")");
/// assert_eq!(name.reveal().as_str(), "欧阳娜娜");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The real value. Call sites of `reveal` are the places to audit for data leaks.
    pub fn reveal(&self) -> &T {
        &self.0
    }

    /// Unwraps the real value.
    pub fn into_revealed(self) -> T {
        self.0
    }
}

impl<T: Mask> Mask for Personal<T> {
    fn masked(&self) -> String {
        self.0.masked()
    }
}

impl<T: Mask> Personal<T> {
    /// The masked rendering (same as `Display`).
    pub fn masked(&self) -> String {
        self.0.masked()
    }
}

impl<T: Mask> fmt::Display for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.masked())
    }
}

impl<T: Mask> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Personal").field(&self.0.masked()).finish()
    }
}

impl<T> From<T> for Personal<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

/// A natural person's name (来电人, 当事人). `Debug`/`Display` show only the surname.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    /// Longest accepted name, in characters.
    pub const MAX_CHARS: usize = 50;

    /// Trims and validates a name: not empty, at most [`Self::MAX_CHARS`] characters, no
    /// control characters and no digits.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(FieldError::new("name.empty", "姓名不能为空"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::with_message(
                "name.too_long",
                format!("姓名不能超过{}个字", Self::MAX_CHARS),
            ));
        }
        if name.chars().any(|c| c.is_control()) {
            return Err(FieldError::new(
                "name.control_char",
                "姓名含有不可见的控制字符",
            ));
        }
        if name.chars().any(|c| c.is_numeric()) {
            return Err(FieldError::new("name.digit", "姓名不能含有数字"));
        }
        Ok(Self(name.to_owned()))
    }

    /// The real name.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// The real name (alias of [`Self::reveal`] for generic code).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Mask for PersonName {
    fn masked(&self) -> String {
        mask_name(&self.0)
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PersonName").field(&self.masked()).finish()
    }
}

impl<'de> Deserialize<'de> for PersonName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_masked_everywhere_except_serde_and_reveal() {
        let name = PersonName::parse(" 张三 ").unwrap();
        assert_eq!(name.to_string(), "张*");
        assert_eq!(format!("{name:?}"), "PersonName(\"张*\")");
        assert_eq!(name.reveal(), "张三");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"张三\"");
        let back: PersonName = serde_json::from_str("\"张三\"").unwrap();
        assert_eq!(back, name);
    }

    #[test]
    fn personal_wrapper_masks_debug_and_display_but_stores_the_value() {
        let p = Personal::new(PersonName::parse("欧阳娜娜").unwrap());
        assert_eq!(p.to_string(), "欧阳**");
        assert!(!format!("{p:?}").contains("娜"));
        assert_eq!(p.masked(), "欧阳**");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"欧阳娜娜\"");
        let back: Personal<PersonName> = serde_json::from_str("\"欧阳娜娜\"").unwrap();
        assert_eq!(back.into_revealed().as_str(), "欧阳娜娜");
    }

    #[test]
    fn bad_names_are_rejected_with_reasons() {
        assert_eq!(PersonName::parse("  ").unwrap_err().code, "name.empty");
        assert_eq!(PersonName::parse("张3").unwrap_err().code, "name.digit");
        assert_eq!(
            PersonName::parse(&"张".repeat(51)).unwrap_err().code,
            "name.too_long"
        );
        assert_eq!(
            PersonName::parse("张\u{0007}三").unwrap_err().code,
            "name.control_char"
        );
        assert!(serde_json::from_str::<PersonName>("\"\"").is_err());
        // Ethnic-minority names with the middle dot are fine.
        assert!(PersonName::parse("阿卜杜拉·艾买提").is_ok());
    }
}
