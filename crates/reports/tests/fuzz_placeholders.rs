//! Fuzzing on stable (issue 16): the report placeholder parser (`{indicator}` in a template a
//! user edits) driven by proptest with a bounded number of cases (cargo-fuzz needs nightly, which
//! this build cannot fetch). It is total: any text gives tokens, without panicking, and the
//! literal text it keeps never invents characters.

use fazhi_reports::placeholder::{Token, parse};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_without_panicking(text in "[{}a-z0-9_.\\-|:：，。 年度\\PC]{0,300}") {
        let tokens = parse(&text);
        for t in &tokens {
            if let Token::Text(s) = t {
                prop_assert!(s.chars().all(|c| text.contains(c)));
            }
        }
    }

    #[test]
    fn arbitrary_unicode_parses(text in "\\PC{0,200}") {
        let _ = parse(&text);
    }
}
