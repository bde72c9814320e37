//! Figure placeholders inside report text.
//!
//! Grammar: `{ID}` or `{ID:FORMAT}` where `ID` is `[A-Za-z0-9_][A-Za-z0-9_.-]*`
//! (e.g. `hotline.close_rate`) and `FORMAT` one of [`Format`]'s names. Spaces just inside the
//! braces are ignored. `{{` and `}}` are literal braces. Anything else that starts with `{` is
//! reported as a [`Token::Invalid`] (rendered as a visible marker) or, for a `{` that is never
//! closed, kept as literal text with a diagnostic — parsing never fails and never panics.

use serde::{Deserialize, Serialize};

/// How a figure is written. The placeholder never writes the unit: the sentence does
/// (`{enforcement.fines_total:money}元`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// No spec: by the figure's unit — `%` → `Pct1`, `元` → `Money`, otherwise a plain number
    /// (integer when whole, else at most two decimals).
    Auto,
    /// Rounded to an integer, no thousands separator: `5571`.
    Int,
    /// Fraction → percent, no decimals: `0.5` → `50%`.
    Pct0,
    /// Fraction → percent, at most one decimal: `0.087` → `8.7%`, `1` → `100%`.
    Pct1,
    /// Fraction → percent, at most two decimals: `0.4746` → `47.46%`.
    Pct2,
    /// In 万, at most two decimals: `3371857` → `337.19万`.
    Wan,
    /// In 亿, at most two decimals: `335000000` → `3.35亿`.
    Yi,
    /// A sum of money in 元: below 100 000 written in 元 (`40050`, `1234.50`); from 100 000 on in
    /// 万 with up to four decimals, exact to the yuan (`3371857` → `337.1857万`), as the seeds do.
    Money,
    /// At most one decimal: `18953.64` → `18953.6`.
    Dec1,
    /// At most two decimals: `18953.64` → `18953.64`.
    Dec2,
    /// Not the figure but its change against the same period of the previous year
    /// ([`crate::Figure::previous`]), in words: `同比增长12.5%`, `同比减少9%`, `与上年持平`; for a
    /// ratio (unit `%`) in percentage points: `同比提高1.2个百分点`. Without a previous value (or
    /// from a previous 0) a marker, never a made-up change.
    Yoy,
    /// A date (documents): `2026年3月5日`, Arabic numerals as GB/T 9704 writes 成文日期.
    Date,
    /// A date in Chinese numerals (documents): `二〇二六年三月五日`.
    CnDate,
    /// A sum of money in 元 with two decimals (documents): `5000.00`.
    Yuan,
    /// A sum of money in capitals, 大写 (documents): `伍仟元整`.
    Capital,
}

/// Marks a year-on-year use in [`crate::ReportDoc`]'s internal id lists.
pub(crate) const YOY_SUFFIX: &str = ":yoy";

impl Format {
    /// All names accepted after the colon.
    pub const NAMES: &'static [&'static str] = &[
        "int", "pct0", "pct1", "pct2", "pct", "wan", "yi", "money", "dec1", "dec2", "yoy", "date",
        "cn_date", "yuan", "capital",
    ];

    /// The spec name as written in a placeholder (`pct` is an alias of `pct1`).
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "int" => Format::Int,
            "pct0" => Format::Pct0,
            "pct1" | "pct" => Format::Pct1,
            "pct2" => Format::Pct2,
            "wan" => Format::Wan,
            "yi" => Format::Yi,
            "money" => Format::Money,
            "dec1" => Format::Dec1,
            "dec2" => Format::Dec2,
            "yoy" => Format::Yoy,
            "date" => Format::Date,
            "cn_date" => Format::CnDate,
            "yuan" => Format::Yuan,
            "capital" => Format::Capital,
            _ => return None,
        })
    }

    /// Percent formats take a fraction.
    pub fn is_percent(self) -> bool {
        matches!(self, Format::Pct0 | Format::Pct1 | Format::Pct2)
    }
}

/// A piece of parsed text.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Text(String),
    Placeholder {
        id: String,
        format: Format,
        /// The placeholder as written, braces included.
        raw: String,
    },
    /// Something that looks like a placeholder but is not one; rendered as a visible marker.
    Invalid {
        raw: String,
        problem: Problem,
    },
    /// A `{` never closed or a lone `}`: kept as literal text, reported as a diagnostic.
    Stray {
        raw: String,
        problem: Problem,
    },
}

/// What is wrong with a would-be placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    EmptyId,
    BadId(String),
    UnknownFormat(String),
    Unclosed,
    LoneClosingBrace,
}

impl Problem {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::EmptyId => "placeholder_empty_id",
            Problem::BadId(_) => "placeholder_bad_id",
            Problem::UnknownFormat(_) => "placeholder_unknown_format",
            Problem::Unclosed => "placeholder_unclosed",
            Problem::LoneClosingBrace => "placeholder_lone_closing_brace",
        }
    }

    /// Chinese explanation for the clerk.
    pub fn message(&self) -> String {
        match self {
            Problem::EmptyId => "占位符缺少指标编号".to_owned(),
            Problem::BadId(id) => format!(
                "占位符中的指标编号“{id}”不合法（只能用英文字母、数字、下划线、点和连字符）"
            ),
            Problem::UnknownFormat(f) => format!(
                "未知的数字格式“{f}”，可用格式：{}",
                Format::NAMES.join("、")
            ),
            Problem::Unclosed => "“{”没有对应的“}”，已按原文保留".to_owned(),
            Problem::LoneClosingBrace => {
                "单独的“}”，已按原文保留（字面花括号请写作“}}”）".to_owned()
            }
        }
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Split text into literal text and placeholders. Total: every input gives tokens.
pub fn parse(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    fn flush(lit: &mut String, out: &mut Vec<Token>) {
        if !lit.is_empty() {
            out.push(Token::Text(std::mem::take(lit)));
        }
    }
    while let Some(pos) = rest.find(['{', '}']) {
        lit.push_str(&rest[..pos]);
        let after = &rest[pos..];
        if let Some(r) = after.strip_prefix("{{") {
            lit.push('{');
            rest = r;
            continue;
        }
        if let Some(r) = after.strip_prefix("}}") {
            lit.push('}');
            rest = r;
            continue;
        }
        if let Some(r) = after.strip_prefix('}') {
            flush(&mut lit, &mut out);
            out.push(Token::Stray {
                raw: "}".to_owned(),
                problem: Problem::LoneClosingBrace,
            });
            rest = r;
            continue;
        }
        // after starts with a single '{'
        let Some(close) = after.find('}') else {
            flush(&mut lit, &mut out);
            out.push(Token::Stray {
                raw: after.to_owned(),
                problem: Problem::Unclosed,
            });
            rest = "";
            break;
        };
        let raw = &after[..=close];
        let inner = raw[1..raw.len() - 1].trim();
        let (id, spec) = match inner.split_once(':') {
            Some((id, spec)) => (id.trim(), Some(spec.trim())),
            None => (inner, None),
        };
        let problem = if id.is_empty() {
            Some(Problem::EmptyId)
        } else if !valid_id(id) {
            Some(Problem::BadId(id.to_owned()))
        } else {
            None
        };
        flush(&mut lit, &mut out);
        match (problem, spec.map(|s| (s, Format::parse(s)))) {
            (Some(problem), _) => out.push(Token::Invalid {
                raw: raw.to_owned(),
                problem,
            }),
            (None, Some((s, None))) => out.push(Token::Invalid {
                raw: raw.to_owned(),
                problem: Problem::UnknownFormat(s.to_owned()),
            }),
            (None, spec) => out.push(Token::Placeholder {
                id: id.to_owned(),
                format: spec.and_then(|(_, f)| f).unwrap_or(Format::Auto),
                raw: raw.to_owned(),
            }),
        }
        rest = &after[close + 1..];
    }
    lit.push_str(rest);
    flush(&mut lit, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ph(id: &str, format: Format, raw: &str) -> Token {
        Token::Placeholder {
            id: id.into(),
            format,
            raw: raw.into(),
        }
    }

    #[test]
    fn parses_placeholders_and_text() {
        let t = parse("受理{hotline.received}件，办结率{hotline.close_rate:pct1}。");
        assert_eq!(
            t,
            vec![
                Token::Text("受理".into()),
                ph("hotline.received", Format::Auto, "{hotline.received}"),
                Token::Text("件，办结率".into()),
                ph(
                    "hotline.close_rate",
                    Format::Pct1,
                    "{hotline.close_rate:pct1}"
                ),
                Token::Text("。".into()),
            ]
        );
    }

    #[test]
    fn all_format_names_parse() {
        for name in Format::NAMES {
            let t = parse(&format!("{{x:{name}}}"));
            assert!(matches!(t[0], Token::Placeholder { .. }), "{name}: {t:?}");
        }
        assert_eq!(
            parse("{ a.b : wan }"),
            vec![ph("a.b", Format::Wan, "{ a.b : wan }")]
        );
    }

    #[test]
    fn escapes_and_errors() {
        assert_eq!(parse("{{字面}}"), vec![Token::Text("{字面}".into())]);
        assert!(matches!(
            &parse("{x:bogus}")[0],
            Token::Invalid { problem: Problem::UnknownFormat(f), .. } if f == "bogus"
        ));
        assert!(matches!(
            &parse("{}")[0],
            Token::Invalid {
                problem: Problem::EmptyId,
                ..
            }
        ));
        assert!(matches!(
            &parse("{受理量}")[0],
            Token::Invalid {
                problem: Problem::BadId(_),
                ..
            }
        ));
        assert_eq!(
            parse("全年{受理"),
            vec![
                Token::Text("全年".into()),
                Token::Stray {
                    raw: "{受理".into(),
                    problem: Problem::Unclosed
                }
            ]
        );
        assert!(matches!(
            &parse("a}b")[1],
            Token::Stray {
                problem: Problem::LoneClosingBrace,
                ..
            }
        ));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "",
            "{",
            "}",
            "{{",
            "}}",
            "{:}",
            "{a:}",
            "{{{a}}}",
            "{a{b}",
            "【{",
            "{中:文}",
        ] {
            let _ = parse(s);
        }
    }
}
