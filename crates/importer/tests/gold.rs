//! Precision and recall of the extractor against the hand-annotated gold fixtures of the five
//! seed reports (tests/gold/*.json, made from tests/gold/src/*.ann by resolve.py).
//!
//! Print the full scores and every disagreement with
//! `cargo test -p fazhi-importer --test gold -- --nocapture`.

use fazhi_importer::{Extraction, Part, extract};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Deserialize)]
struct Gold {
    title: Option<String>,
    unit: Option<String>,
    level: Option<String>,
    year: Option<i32>,
    region: Option<String>,
    sections: Vec<GoldSection>,
    figures: Vec<GoldFigure>,
}

#[derive(Deserialize)]
struct GoldSection {
    level: u8,
    heading: String,
    part: Part,
    start: usize,
}

#[derive(Deserialize)]
struct GoldFigure {
    text: String,
    value: f64,
    unit: String,
    approx: bool,
    change: bool,
    indicator: Option<String>,
    start: usize,
    end: usize,
}

const SEEDS: [&str; 5] = [
    "000_40cb9ad96189bd44",
    "001_f6b00f73915ca3a4",
    "002_7a6b5c0ae8450c85",
    "003_fbd0745f82ad9ee9",
    "004_902e659e2dbe85d6",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn load(stem: &str) -> (Vec<u8>, Gold) {
    let seed = std::fs::read(dir().join("seeds").join(format!("{stem}.txt"))).expect("seed copy");
    let gold = std::fs::read_to_string(dir().join("gold").join(format!("{stem}.json")))
        .expect("gold fixture");
    (seed, serde_json::from_str(&gold).expect("gold json"))
}

fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[derive(Default)]
struct Score {
    gold: usize,
    predicted: usize,
    matched: usize,
    approx_ok: usize,
    change_ok: usize,
    indicator_gold: usize,
    indicator_ok: usize,
    sections_gold: usize,
    sections_ok: usize,
}

fn score(stem: &str, ex: &Extraction, gold: &Gold, s: &mut Score) {
    let text: Vec<char> = ex.decoded_text.chars().collect();
    // Every predicted text is the exact slice its offsets name.
    for f in &ex.figures {
        let slice: String = text[f.start..f.end].iter().collect();
        assert_eq!(slice, f.text, "{stem}: figure offsets");
    }
    let key = |start: usize, end: usize| (start, end);
    let predicted: std::collections::HashMap<(usize, usize), &fazhi_importer::Figure> = ex
        .figures
        .iter()
        .map(|f| (key(f.start, f.end), f))
        .collect();
    let mut hit = HashSet::new();
    println!(
        "== {stem}: {} gold figures, {} predicted",
        gold.figures.len(),
        ex.figures.len()
    );
    for f in &ex.figures {
        println!(
            "  {:>5}..{:<5} {:<14} {:>12} {:<4}{}{} {:<28} {}",
            f.start,
            f.end,
            f.text,
            f.value,
            f.unit,
            if f.approx { " ~" } else { "" },
            if f.change { " Δ" } else { "" },
            f.indicator.as_deref().unwrap_or("-"),
            f.metric
        );
    }
    for g in &gold.figures {
        let slice: String = text[g.start..g.end].iter().collect();
        assert_eq!(slice, g.text, "{stem}: gold offsets");
        match predicted.get(&key(g.start, g.end)) {
            Some(p) if same_value(p.value, g.value) && p.unit == g.unit => {
                s.matched += 1;
                hit.insert(key(g.start, g.end));
                s.approx_ok += usize::from(p.approx == g.approx);
                s.change_ok += usize::from(p.change == g.change);
                if let Some(gi) = &g.indicator {
                    s.indicator_gold += 1;
                    if p.indicator.as_deref() == Some(gi) {
                        s.indicator_ok += 1;
                    } else {
                        println!(
                            "  indicator {} {:?}: got {:?} ({})",
                            g.text, gi, p.indicator, p.metric
                        );
                    }
                }
            }
            Some(p) => println!(
                "  WRONG  {} @{}: gold {} {}, got {} {}",
                g.text, g.start, g.value, g.unit, p.value, p.unit
            ),
            None => println!("  MISSED {} @{} ({} {})", g.text, g.start, g.value, g.unit),
        }
    }
    for f in &ex.figures {
        if !hit.contains(&key(f.start, f.end)) {
            println!(
                "  EXTRA  {} @{} = {} {} | {}",
                f.text, f.start, f.value, f.unit, f.metric
            );
        }
    }
    s.gold += gold.figures.len();
    s.predicted += ex.figures.len();
    // Sections: recognised when a predicted section starts at the same offset with the same
    // level and part.
    for g in &gold.sections {
        s.sections_gold += 1;
        let ok = ex
            .sections
            .iter()
            .any(|p| p.start == g.start && p.level == g.level && p.part == g.part);
        if ok {
            s.sections_ok += 1;
        } else {
            println!(
                "  SECTION {} L{} {:?} @{} not recognised",
                g.heading, g.level, g.part, g.start
            );
        }
    }
    for p in &ex.sections {
        if !gold.sections.iter().any(|g| g.start == p.start) {
            println!(
                "  EXTRA SECTION {} L{} {:?} @{}",
                p.heading, p.level, p.part, p.start
            );
        }
    }
}

#[test]
fn seeds_match_the_gold_annotation() {
    let mut total = Score::default();
    for stem in SEEDS {
        let (bytes, gold) = load(stem);
        let ex = extract(&bytes, None);
        let mut s = Score::default();
        score(stem, &ex, &gold, &mut s);
        println!(
            "  {stem}: precision {:.3} recall {:.3} sections {}/{}",
            s.matched as f64 / s.predicted.max(1) as f64,
            s.matched as f64 / s.gold.max(1) as f64,
            s.sections_ok,
            s.sections_gold
        );
        // Metadata.
        assert_eq!(ex.title, gold.title, "{stem} title");
        assert_eq!(ex.unit, gold.unit, "{stem} unit");
        assert_eq!(ex.level, gold.level, "{stem} level");
        assert_eq!(ex.year, gold.year, "{stem} year");
        assert_eq!(ex.region, gold.region, "{stem} region");
        // Every part the gold has is recognised.
        let gold_parts: HashSet<Part> = gold.sections.iter().map(|g| g.part).collect();
        let got_parts: HashSet<Part> = ex.sections.iter().map(|g| g.part).collect();
        for p in &gold_parts {
            assert!(got_parts.contains(p), "{stem}: part {p:?} not recognised");
        }
        for (k, v) in [
            ("gold", s.gold),
            ("predicted", s.predicted),
            ("matched", s.matched),
            ("approx_ok", s.approx_ok),
            ("change_ok", s.change_ok),
            ("indicator_gold", s.indicator_gold),
            ("indicator_ok", s.indicator_ok),
            ("sections_gold", s.sections_gold),
            ("sections_ok", s.sections_ok),
        ] {
            let t = match k {
                "gold" => &mut total.gold,
                "predicted" => &mut total.predicted,
                "matched" => &mut total.matched,
                "approx_ok" => &mut total.approx_ok,
                "change_ok" => &mut total.change_ok,
                "indicator_gold" => &mut total.indicator_gold,
                "indicator_ok" => &mut total.indicator_ok,
                "sections_gold" => &mut total.sections_gold,
                _ => &mut total.sections_ok,
            };
            *t += v;
        }
    }
    let precision = total.matched as f64 / total.predicted.max(1) as f64;
    let recall = total.matched as f64 / total.gold.max(1) as f64;
    let sections = total.sections_ok as f64 / total.sections_gold.max(1) as f64;
    let approx = total.approx_ok as f64 / total.matched.max(1) as f64;
    let change = total.change_ok as f64 / total.matched.max(1) as f64;
    let indicators = total.indicator_ok as f64 / total.indicator_gold.max(1) as f64;
    println!(
        "TOTAL figures: gold {} predicted {} matched {} -> precision {precision:.4} recall {recall:.4}",
        total.gold, total.predicted, total.matched
    );
    println!(
        "TOTAL sections recognised {}/{} = {sections:.4}; approx agreement {approx:.4}; change agreement {change:.4}; indicator agreement {}/{} = {indicators:.4}",
        total.sections_ok, total.sections_gold, total.indicator_ok, total.indicator_gold
    );
    assert!(precision >= 0.98, "precision {precision}");
    assert!(recall >= 0.98, "recall {recall}");
    assert!(sections >= 0.98, "sections {sections}");
    assert!(approx >= 0.98, "approx {approx}");
    assert!(change >= 0.98, "change {change}");
    assert!(indicators >= 0.85, "indicators {indicators}");
}

#[test]
fn seed_copies_equal_the_shared_seeds_when_present() {
    let shared = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seeds/"
    ));
    if !shared.is_dir() {
        return;
    }
    for stem in SEEDS {
        let a = std::fs::read(shared.join(format!("{stem}.txt"))).expect("shared seed");
        let b = std::fs::read(dir().join("seeds").join(format!("{stem}.txt"))).expect("copy");
        assert_eq!(a, b, "{stem}: tests/seeds copy differs from shared/seeds");
    }
}
