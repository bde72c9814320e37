//! Render the template with the sample figures into a folder:
//! `cargo run -p fazhi-reports --example render -- OUT_DIR [UNIT [YEAR [DROP,IDS]]]`
//! writes report.html, report.md, report.docx and filled.json. Figures named in DROP,IDS are
//! left out, to see the missing markers.

use fazhi_reports::{cn_date, fill, render_docx, render_html, render_markdown, sample, template};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "report-out".to_owned()));
    let unit = args
        .next()
        .unwrap_or_else(|| "广州市海珠区人民政府海幢街道办事处".to_owned());
    let year: i32 = args.next().and_then(|y| y.parse().ok()).unwrap_or(2024);
    let drop = args.next().unwrap_or_default();
    let mut doc = template(&unit, year);
    doc.signature.date = Some(cn_date(year + 1, 1, 15));
    let mut figures = sample::figures();
    for id in drop.split(',').filter(|s| !s.is_empty()) {
        figures.remove(id);
    }
    let filled = fill(&doc, &figures);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("report.html"), render_html(&filled))?;
    std::fs::write(dir.join("report.md"), render_markdown(&filled))?;
    std::fs::write(dir.join("report.docx"), render_docx(&filled))?;
    std::fs::write(
        dir.join("filled.json"),
        serde_json::to_string_pretty(&filled).expect("serialisable"),
    )?;
    eprintln!(
        "wrote {} (missing: {:?}, diagnostics: {})",
        dir.display(),
        filled.missing,
        filled.diagnostics.len()
    );
    Ok(())
}
