//! Small text helpers shared by the parsers.

/// Maps full-width ASCII variants (`０`–`９`, `Ｘ`, `．`, `，`, `－`, `＋`, …) and the ideographic
/// space to their ASCII counterparts; other characters are kept.
pub(crate) fn to_halfwidth(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// [`to_halfwidth`] over a whole string, trimmed.
pub(crate) fn halfwidth_trimmed(input: &str) -> String {
    input
        .chars()
        .map(to_halfwidth)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_punctuation_become_ascii() {
        assert_eq!(halfwidth_trimmed("　１２００．５０　"), "1200.50");
        assert_eq!(halfwidth_trimmed("＋８６－１３８"), "+86-138");
        assert_eq!(halfwidth_trimmed("张三"), "张三");
    }
}
