//! Fuzzing on stable (issue 16): cargo-fuzz needs nightly, which this build cannot fetch, so the
//! case-type folder parser — what an administrator feeds through `fazhi workflow check` and a
//! config folder — is driven here by proptest with a bounded number of cases: random text, and
//! the shipped definitions cut, spliced and byte-flipped. It must answer with diagnostics, never
//! panic. Runs in `cargo test` (and so in scripts/test-all.sh); PROPTEST_CASES raises the bound.

use std::path::Path;

use fazhi_workflow::check_definition;
use proptest::prelude::*;

const SHIPPED: &[&str] = &[
    include_str!("../../../case_types/enforcement_case/case_type.toml"),
    include_str!("../../../case_types/hotline_ticket/case_type.toml"),
    include_str!("../../../case_types/mediation_case/case_type.toml"),
    include_str!("../../../case_types/petition/case_type.toml"),
];

fn check(text: &str) {
    let (ct, diags) = check_definition(Path::new("case_type.toml"), text);
    // Either a definition or at least one diagnostic explaining why not.
    assert!(ct.is_some() || !diags.is_empty());
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check(&text);
    }

    #[test]
    fn cut_shipped_definitions_never_panic(which in 0..SHIPPED.len(), at in any::<prop::sample::Index>()) {
        let src = SHIPPED[which];
        let mut cut = at.index(src.len());
        while !src.is_char_boundary(cut) {
            cut -= 1;
        }
        check(&src[..cut]);
    }

    #[test]
    fn mutated_shipped_definitions_never_panic(
        which in 0..SHIPPED.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = SHIPPED[which].as_bytes().to_vec();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        // The loader takes text: non-UTF-8 is refused before parsing, so fuzz what survives.
        let text = String::from_utf8_lossy(&bytes);
        check(&text);
    }

    #[test]
    fn spliced_lines_never_panic(
        a in 0..SHIPPED.len(),
        b in 0..SHIPPED.len(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..60),
    ) {
        let la: Vec<&str> = SHIPPED[a].lines().collect();
        let lb: Vec<&str> = SHIPPED[b].lines().collect();
        let mut text = String::new();
        for (i, p) in picks.iter().enumerate() {
            let src = if i % 2 == 0 { &la } else { &lb };
            text.push_str(src[p.index(src.len())]);
            text.push('\n');
        }
        check(&text);
    }
}
