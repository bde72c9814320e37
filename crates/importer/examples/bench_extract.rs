//! Throughput of the extractor on one core.
//!
//! Builds a corpus of about 100 MB by repeating the five seed reports (each copy is extracted
//! as its own document, through `extract(bytes, None)`: format and encoding detection, lines,
//! sections, figures, indicator mapping, JSON-ready output), and measures in the same run two
//! baselines over the same documents: UTF-8 validation plus a character count, and a `regex`
//! `\d+` `find_iter` count. Then checks that time grows linearly on single-document inputs.
//!
//! Run: `CARGO_TARGET_DIR=/tmp/target-imp cargo run --release -p fazhi-importer --example bench_extract [MB] [--corpus-only]`

use std::time::Instant;

fn main() {
    let target_mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seeds");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("tests/seeds")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| std::fs::read(p).expect("seed"))
        .collect();
    seeds.sort();
    let mut docs: Vec<&[u8]> = Vec::new();
    let mut total = 0usize;
    while total < target_mb * 1_000_000 {
        for s in &seeds {
            docs.push(s);
            total += s.len();
        }
    }
    let mb = total as f64 / 1e6;
    println!(
        "corpus: {} documents, {:.1} MB (the 5 seeds repeated)",
        docs.len(),
        mb
    );

    // Baseline 1: decode UTF-8 and count characters.
    let t = Instant::now();
    let mut chars = 0usize;
    for d in &docs {
        chars += std::str::from_utf8(d).map_or(0, |s| s.chars().count());
    }
    let base1 = t.elapsed().as_secs_f64();
    // Baseline 2: regex find_iter of digit runs.
    let re = regex::Regex::new(r"\d+").expect("regex");
    let t = Instant::now();
    let mut digits = 0usize;
    for d in &docs {
        if let Ok(s) = std::str::from_utf8(d) {
            digits += re.find_iter(s).count();
        }
    }
    let base2 = t.elapsed().as_secs_f64();
    // The extractor.
    let t = Instant::now();
    let (mut figures, mut sections) = (0usize, 0usize);
    for d in &docs {
        let ex = fazhi_importer::extract(d, None);
        figures += ex.figures.len();
        sections += ex.sections.len();
    }
    let full = t.elapsed().as_secs_f64();
    println!(
        "baseline utf8+chars : {:>8.1} MB/s ({chars} chars)",
        mb / base1
    );
    println!(
        "baseline regex \\d+  : {:>8.1} MB/s ({digits} matches)",
        mb / base2
    );
    println!(
        "extract             : {:>8.1} MB/s ({figures} figures, {sections} sections) — {:.0}x the utf8 baseline, {:.1}x the regex baseline",
        mb / full,
        full / base1,
        full / base2
    );

    if std::env::args().any(|a| a == "--corpus-only") {
        return;
    }
    // Linearity: single documents of growing size, one report repeated inside one text, and
    // one pathological single line.
    let one: String = seeds
        .iter()
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    for (name, unit) in [
        ("seeds concatenated", one.as_str()),
        ("one line of 1次", "1次"),
    ] {
        let mut prev: Option<f64> = None;
        for k in [1usize, 2, 4] {
            let reps = (k * 8_000_000) / unit.len().max(1);
            let text = unit.repeat(reps.max(1));
            let t = Instant::now();
            let ex = fazhi_importer::extract_text(&text);
            let dt = t.elapsed().as_secs_f64();
            let ratio = prev.map_or(String::new(), |p| format!(" (x{:.2} for x2 input)", dt / p));
            println!(
                "linearity {name:<20} {:>5.1} MB: {:>7.3} s, {:>7.1} MB/s, {} figures{ratio}",
                text.len() as f64 / 1e6,
                dt,
                text.len() as f64 / 1e6 / dt,
                ex.figures.len()
            );
            prev = Some(dt);
        }
    }
}
