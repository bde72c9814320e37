//! Prints what the extractor finds in a report: `cargo run -p fazhi-importer --example dump -- FILE [--json]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: dump FILE [--json]");
        std::process::exit(2);
    };
    let json = args.any(|a| a == "--json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let ex = fazhi_importer::extract(&bytes, None);
    if json {
        let mut v = serde_json::to_value(&ex).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("decoded_text");
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return;
    }
    println!(
        "title={:?} unit={:?} level={:?} year={:?} region={:?} format={:?} encoding={:?}",
        ex.title, ex.unit, ex.level, ex.year, ex.region, ex.format, ex.encoding
    );
    for s in &ex.sections {
        println!(
            "S {}{} [{:?}] {}..{} {}",
            "  ".repeat(usize::from(s.level.saturating_sub(1))),
            s.level,
            s.part,
            s.start,
            s.end,
            s.heading
        );
    }
    for f in &ex.figures {
        println!(
            "F {:>6}..{:<6} {:<16} = {} {}{}{} | {} -> {:?} ({:.2})",
            f.start,
            f.end,
            f.text,
            f.value,
            f.unit,
            if f.approx { " ~" } else { "" },
            if f.change { " Δ" } else { "" },
            f.metric,
            f.indicator,
            f.confidence
        );
    }
    for w in &ex.warnings {
        println!("W {w}");
    }
}
