//! The DOCX laid out by LibreOffice: A4, GB/T 9704 margins, 22 lines of 28 characters, page
//! numbers `— n —` odd right / even left. Renders with `soffice --headless` to PDF, measures with
//! poppler (`pdfinfo`, `pdftotext -bbox`), renders page 1 to PNG with `pdftoppm`.
//!
//! Needs `soffice` (Debian: libreoffice-writer-nogui), poppler-utils and a CJK font
//! (fonts-noto-cjk). Missing tools fail the test unless FAZHI_SKIP_LIBREOFFICE=1, which skips it
//! loudly. FAZHI_REPORTS_KEEP=DIR keeps the DOCX, PDF and PNG files in DIR for a look.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fazhi_reports::{Block, ReportDoc, Section, Signature, cn_date, fill, render_docx, sample};

const PT_PER_MM: f64 = 72.0 / 25.4;
const PAGE_W: f64 = 210.0 * PT_PER_MM; // 595.28
const PAGE_H: f64 = 297.0 * PT_PER_MM; // 841.89
const LEFT: f64 = 28.0 * PT_PER_MM; // 79.37
const RIGHT_EDGE: f64 = PAGE_W - 26.0 * PT_PER_MM; // 521.57
const TOP: f64 = 37.0 * PT_PER_MM; // 104.88
const AREA_BOTTOM: f64 = PAGE_H - 35.0 * PT_PER_MM; // 742.68
const ONE_MM: f64 = PT_PER_MM;

fn tool_ok(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// `None` (after a loud banner) when the tools are missing and skipping is allowed.
fn tools_or_skip() -> Option<()> {
    let missing: Vec<&str> = [
        ("soffice", "--version"),
        ("pdfinfo", "-v"),
        ("pdftotext", "-v"),
        ("pdftoppm", "-v"),
    ]
    .iter()
    .filter(|(c, a)| !tool_ok(c, a))
    .map(|(c, _)| *c)
    .collect();
    if missing.is_empty() {
        return Some(());
    }
    if std::env::var("FAZHI_SKIP_LIBREOFFICE").as_deref() == Ok("1") {
        eprintln!(
            "\n################################################################################\n\
             ## SKIPPED: DOCX layout test — missing {missing:?}\n\
             ## FAZHI_SKIP_LIBREOFFICE=1 is set, so this passes WITHOUT checking the layout.\n\
             ## apt-get install -y libreoffice-writer-nogui poppler-utils fonts-noto-cjk\n\
             ################################################################################\n"
        );
        return None;
    }
    panic!(
        "DOCX layout test needs {missing:?}: apt-get install -y libreoffice-writer-nogui \
         poppler-utils fonts-noto-cjk (or set FAZHI_SKIP_LIBREOFFICE=1 to skip loudly)"
    );
}

/// fontconfig file that maps the official font names to the free CJK fonts present here, so
/// LibreOffice renders serif body text, a sans 黑体 and (when installed) a Kai 楷体.
fn fonts_conf(dir: &Path) -> PathBuf {
    let alias = |name: &str, prefer: &[&str]| {
        let fams: String = prefer
            .iter()
            .map(|f| format!("<family>{f}</family>"))
            .collect();
        format!("<alias binding=\"same\"><family>{name}</family><prefer>{fams}</prefer></alias>\n")
    };
    let serif = ["Noto Serif CJK SC", "Noto Sans CJK SC"];
    let mut conf = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n",
    );
    conf += &alias("仿宋_GB2312", &serif);
    conf += &alias("仿宋", &serif);
    conf += &alias("宋体", &serif);
    conf += &alias("方正小标宋简体", &serif);
    conf += &alias("黑体", &["Noto Sans CJK SC"]);
    conf += &alias(
        "楷体_GB2312",
        &["AR PL UKai CN", "Noto Serif CJK SC", "Noto Sans CJK SC"],
    );
    conf += "</fontconfig>\n";
    let path = dir.join("fonts.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

fn run_with_timeout(cmd: &mut Command, limit: Duration) -> std::process::Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "{cmd:?} timed out after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn to_pdf(dir: &Path, docs: &[&Path]) {
    let profile = dir.join("lo-profile");
    let mut cmd = Command::new("soffice");
    cmd.arg(format!(
        "-env:UserInstallation=file://{}",
        profile.display()
    ))
    .args([
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
    ])
    .arg(dir)
    .args(docs)
    .env("FONTCONFIG_FILE", fonts_conf(dir));
    let out = run_with_timeout(&mut cmd, Duration::from_secs(300));
    assert!(
        out.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[derive(Debug, Clone)]
struct Word {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

#[derive(Debug)]
struct Line {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

#[derive(Debug)]
struct Page {
    width: f64,
    height: f64,
    words: Vec<Word>,
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let start = tag.find(&key).unwrap_or_else(|| panic!("{name} in {tag}")) + key.len();
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Pages and words of `pdftotext -bbox`.
fn bbox(pdf: &Path) -> Vec<Page> {
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    let mut pages = Vec::new();
    for chunk in html.split("<page ").skip(1) {
        let tag_end = chunk.find('>').unwrap();
        let tag = &chunk[..tag_end];
        let mut page = Page {
            width: attr(tag, "width"),
            height: attr(tag, "height"),
            words: vec![],
        };
        for w in chunk.split("<word ").skip(1) {
            let te = w.find('>').unwrap();
            let tag = &w[..te];
            let text_end = w.find("</word>").unwrap();
            page.words.push(Word {
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                y1: attr(tag, "yMax"),
                text: unescape(&w[te + 1..text_end]),
            });
        }
        pages.push(page);
    }
    pages
}

/// Words grouped into lines by their bottom edge (3 pt tolerance), top to bottom.
fn lines(words: &[Word]) -> Vec<Line> {
    let mut ws = words.to_vec();
    ws.sort_by(|a, b| a.y1.total_cmp(&b.y1).then(a.x0.total_cmp(&b.x0)));
    let mut groups: Vec<Vec<Word>> = vec![];
    for w in ws {
        match groups.last_mut() {
            Some(g) if (g[0].y1 - w.y1).abs() < 3.0 => g.push(w),
            _ => groups.push(vec![w]),
        }
    }
    groups
        .into_iter()
        .map(|mut g| {
            g.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            Line {
                x0: g.iter().map(|w| w.x0).fold(f64::MAX, f64::min),
                y0: g.iter().map(|w| w.y0).fold(f64::MAX, f64::min),
                x1: g.iter().map(|w| w.x1).fold(f64::MIN, f64::max),
                y1: g.iter().map(|w| w.y1).fold(f64::MIN, f64::max),
                text: g.iter().map(|w| w.text.as_str()).collect(),
            }
        })
        .collect()
}

/// Body lines (inside or just below the type area) and footer lines of a page.
fn split_page(p: &Page) -> (Vec<Line>, Vec<Line>) {
    let all = lines(&p.words);
    let (body, footer): (Vec<Line>, Vec<Line>) =
        all.into_iter().partition(|l| l.y0 < AREA_BOTTOM + 5.0);
    (body, footer)
}

/// Seed-like body text: only Chinese characters and full-width punctuation, no digits, so every
/// full line holds exactly the grid's 28 characters.
const PARAGRAPHS: &[&str] = &[
    "街道深入学习贯彻习近平法治思想，紧密围绕法治政府建设各项部署，强化党对基层法治建设的引领，着力从公正文明执法、推进基层治理、坚持多元化普法等方面发力，营造办事依法、遇事找法、解决问题用法、化解矛盾靠法的法治环境。",
    "加强组织领导。把党的领导贯彻到法治政府建设全过程，将法治建设与经济社会发展一体谋划、协调推进，纳入优化发展环境、基层社会治理、保障改善民生等重点工作中，使其成为街道发展的核心竞争力。",
    "完善制约机制。修订议事规则，提高重大事项议事决策质量，督促党员干部严格自我管理、提升工作效率，强化三重一大事项监督，坚持抓早抓小，营造创先争优的浓郁氛围。",
    "深入推进放管服改革。按照一窗式受理、一站式办理要求，与企业、群众关联度高的政务高频事项全部进驻街道便民服务中心集中办理，实现政务事项线上线下无差别受理、同标准办理。",
    "严格落实重大行政决策程序。加强行政规范性文件制发管理，对现行有效的规章制度进行动态清理，根据下位法不得与上位法相抵触的原则严格把关，及时修订或废止相关规定。",
];

fn long_doc() -> ReportDoc {
    let mut blocks = vec![];
    for i in 0..8 {
        blocks.push(Block::Paragraph(
            PARAGRAPHS[i % PARAGRAPHS.len()].to_owned(),
        ));
    }
    ReportDoc {
        title: "某某区人民政府某某街道办事处关于二〇二四年度法治政府建设情况的报告".to_owned(),
        unit_name: "某某区人民政府某某街道办事处".to_owned(),
        year: 2024,
        opening: blocks.clone(),
        sections: vec![Section {
            heading: "主要举措和成效".to_owned(),
            children: vec![],
            blocks,
            run_in: false,
        }],
        closing: vec![],
        signature: Signature {
            unit_name: String::new(),
            date: Some(cn_date(2025, 1, 15)),
        },
    }
}

fn is_cjk_only(s: &str) -> bool {
    s.chars().all(|c| !c.is_ascii())
}

#[test]
fn docx_layout_in_libreoffice() {
    if tools_or_skip().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    let long = fill(&long_doc(), &BTreeMap::new());
    let mut t = fazhi_reports::template("广州市海珠区人民政府海幢街道办事处", 2024);
    t.signature.date = Some(cn_date(2025, 1, 15));
    let report = fill(&t, &sample::figures());
    assert!(report.is_complete(), "{:?}", report.diagnostics);
    let long_docx = dir.join("long.docx");
    let report_docx = dir.join("report.docx");
    std::fs::write(&long_docx, render_docx(&long)).unwrap();
    std::fs::write(&report_docx, render_docx(&report)).unwrap();
    to_pdf(dir, &[&long_docx, &report_docx]);
    let long_pdf = dir.join("long.pdf");
    let report_pdf = dir.join("report.pdf");

    // --- page size (pdfinfo) ---
    let info = String::from_utf8(
        Command::new("pdfinfo")
            .arg(&long_pdf)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let size_line = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .expect("Page size in pdfinfo");
    let nums: Vec<f64> = size_line
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    eprintln!("pdfinfo: {size_line}");
    assert!(
        (nums[0] - PAGE_W).abs() < 1.0 && (nums[1] - PAGE_H).abs() < 1.0,
        "not A4: {size_line}"
    );

    let pages = bbox(&long_pdf);
    assert!(
        pages.len() >= 3,
        "expected at least 3 pages, got {}",
        pages.len()
    );
    for p in &pages {
        assert!((p.width - PAGE_W).abs() < 1.0 && (p.height - PAGE_H).abs() < 1.0);
    }

    // --- a full body page: page 2 ---
    let (body, footer) = split_page(&pages[1]);
    for l in &body {
        eprintln!(
            "p2 y0={:7.2} y1={:7.2} x0={:7.2} x1={:7.2} n={:2} {}",
            l.y0,
            l.y1,
            l.x0,
            l.x1,
            l.text.chars().count(),
            l.text
        );
    }
    assert_eq!(body.len(), 22, "lines on a full body page");
    let pitches: Vec<f64> = body.windows(2).map(|w| w[1].y1 - w[0].y1).collect();
    for p in &pitches {
        assert!((p - 28.95).abs() < 0.3, "line pitch {p} (want 28.95 pt)");
    }
    let pitch = pitches.iter().sum::<f64>() / pitches.len() as f64;
    // Left margin: the unindented lines start at 28 mm.
    let left = body.iter().map(|l| l.x0).fold(f64::MAX, f64::min);
    // Top margin: with exact line spacing the glyph box of line 1 ends at the bottom of the
    // first line box, whose top is one pitch higher.
    let top = body[0].y1 - pitch;
    let last_bottom = body.last().unwrap().y1;
    // Right edge: justified full lines end at the type area's right edge.
    let full: Vec<&Line> = body
        .iter()
        .filter(|l| l.text.chars().count() >= 27 && (l.x0 - LEFT).abs() < ONE_MM)
        .collect();
    let mut rights: Vec<f64> = full.iter().map(|l| l.x1).collect();
    rights.sort_by(f64::total_cmp);
    let right = rights[rights.len() / 2];
    eprintln!(
        "measured: left {:.2} mm, top {:.2} mm, right {:.2} mm, last line bottom {:.2} mm from the top \
         (type area ends at 262 mm), pitch {pitch:.2} pt, {} lines",
        left / PT_PER_MM,
        top / PT_PER_MM,
        (PAGE_W - right) / PT_PER_MM,
        last_bottom / PT_PER_MM,
        body.len()
    );
    assert!((left - LEFT).abs() < ONE_MM, "left margin {left} pt");
    assert!((top - TOP).abs() < ONE_MM, "top margin {top} pt");
    assert!((right - RIGHT_EDGE).abs() < ONE_MM, "right edge {right} pt");
    assert!(last_bottom <= AREA_BOTTOM + 1.0, "text below the type area");

    // --- characters per line: full lines of pure Chinese text hold 28 ---
    let counts: Vec<usize> = full
        .iter()
        .filter(|l| is_cjk_only(&l.text))
        .map(|l| l.text.chars().count())
        .collect();
    eprintln!("characters on full unindented lines: {counts:?}");
    assert!(counts.len() >= 10, "too few full lines: {counts:?}");
    let n28 = counts.iter().filter(|&&c| c == 28).count();
    assert!(n28 * 2 > counts.len(), "28 per line expected: {counts:?}");
    // 27: a line-start rule (kinsoku) pulled a character down; 29: a hanging full stop/comma.
    assert!(counts.iter().all(|c| (27..=29).contains(c)), "{counts:?}");
    let indented: Vec<usize> = body
        .iter()
        .filter(|l| (l.x0 - LEFT - 2.0 * 15.7).abs() < ONE_MM && is_cjk_only(&l.text))
        .map(|l| l.text.chars().count())
        .filter(|&c| c > 20)
        .collect();
    eprintln!("characters on first lines (two-character indent): {indented:?}");
    assert!(
        indented.iter().all(|c| (25..=27).contains(c)),
        "{indented:?}"
    );

    // --- page numbers: "— 2 —" left on even pages, "— 3 —" right on odd pages ---
    let check_footer = |page: usize, footer: &[Line]| {
        assert_eq!(
            footer.len(),
            1,
            "one footer line on page {page}: {footer:?}"
        );
        let f = &footer[0];
        let text: String = f.text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(text, format!("—{page}—"), "page number text");
        // 7 mm below the type area
        let below = (f.y0 - AREA_BOTTOM) / PT_PER_MM;
        eprintln!(
            "page {page} number: x0 {:.1} x1 {:.1} top {:.1} pt ({below:.1} mm below the type area)",
            f.x0, f.x1, f.y0
        );
        assert!(
            (below - 7.0).abs() < 1.5,
            "page number {below} mm below type area"
        );
        let indent = 14.0; // one 4号 character
        if page.is_multiple_of(2) {
            assert!(
                (f.x0 - (LEFT + indent)).abs() < 3.0,
                "even page number left: {}",
                f.x0
            );
        } else {
            assert!(
                (f.x1 - (RIGHT_EDGE - indent)).abs() < 3.0,
                "odd page number right: {}",
                f.x1
            );
        }
    };
    check_footer(2, &footer);
    let (_, footer3) = split_page(&pages[2]);
    check_footer(3, &footer3);

    // --- page 1: title centred, on two balanced lines, body starts after one blank line ---
    let (p1, _) = split_page(&pages[0]);
    let centre = (LEFT + RIGHT_EDGE) / 2.0;
    for l in &p1[..2] {
        let mid = (l.x0 + l.x1) / 2.0;
        assert!((mid - centre).abs() < 3.0, "title line not centred: {l:?}");
    }
    assert!(
        p1[1].text.starts_with("关于"),
        "title break before 关于: {:?}",
        p1[1].text
    );

    // --- the generated report: texts, appendix, figures ---
    let text = String::from_utf8(
        Command::new("pdftotext")
            .arg("-layout")
            .arg(&report_pdf)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for needle in [
        "广州市海珠区人民政府海幢街道办事处",
        "一、2024年主要举措和成效",
        "（一）依法全面履行政府职能",
        "二、党政主要负责人履行推进法治建设第一责任人职责情况",
        "三、存在的不足和原因",
        "四、2025年工作计划",
        "全年受理12345工单5620件，同比增长12.5%，办结5571件，办结率99.1%",
        "不满意率8.7%",
        "罚没款337.1857万元",
        "附件：数据来源",
        "2025年1月15日",
        "数据来源",
        "hotline.received",
        "—1—",
    ] {
        assert!(flat.contains(needle), "report PDF lacks {needle:?}");
    }
    assert!(!flat.contains("【缺数"));
    let report_pages = bbox(&report_pdf);
    // The signature date never stands alone on a page.
    for p in &report_pages {
        let (body, _) = split_page(p);
        if body.len() == 1 {
            panic!("page with a single line: {:?}", body[0].text);
        }
    }

    // --- PNG of page 1 for a human look ---
    let png_prefix = dir.join("page");
    let st = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "2"])
        .arg(&report_pdf)
        .arg(&png_prefix)
        .status()
        .unwrap();
    assert!(st.success());
    let pngs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert_eq!(pngs.len(), 2, "{pngs:?}");
    for p in &pngs {
        let len = std::fs::metadata(p).unwrap().len();
        assert!(len > 5_000, "{} is suspiciously small", p.display());
    }
    if let Ok(keep) = std::env::var("FAZHI_REPORTS_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_file() {
                std::fs::copy(&p, keep.join(p.file_name().unwrap())).unwrap();
            }
        }
        eprintln!("kept DOCX/PDF/PNG in {}", keep.display());
    }
}

/// The 政府信息公开工作年度报告 DOCX through LibreOffice: A4, the six section headings in order,
/// the rows of table 三 with the computed figures in the table and the manual gaps of tables 二
/// and 四 printed as 【缺数】, and every table inside the type area.
#[test]
fn disclosure_docx_in_libreoffice() {
    use fazhi_reports::{DisclosureReport, Narrative, Request, render_disclosure_docx};
    if tools_or_skip().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let req = |n: &str, on: &str, who: &str, outcome: Option<&str>, closed: Option<&str>| Request {
        case_id: 1,
        number: n.into(),
        received_on: on.into(),
        applicant: who.into(),
        outcome: outcome.map(Into::into),
        closed_on: closed.map(Into::into),
    };
    let requests = [
        req(
            "GK20250051",
            "2025-12-22",
            "自然人",
            Some("部分公开"),
            Some("2026-01-16"),
        ),
        req(
            "GK20260001",
            "2026-02-05",
            "自然人",
            Some("予以公开"),
            Some("2026-03-04"),
        ),
        req(
            "GK20260002",
            "2026-03-02",
            "商业企业",
            Some("重复申请"),
            Some("2026-03-19"),
        ),
        req("GK20260005", "2026-12-28", "社会公益组织", None, None),
    ];
    let mut narrative = Narrative {
        overview: Some("本街道认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息，依法办理政府信息公开申请。".into()),
        problems: Some("主动公开的及时性有待提高。".into()),
        other: Some("本年度未收取信息处理费。".into()),
        ..Narrative::default()
    };
    narrative.table2.insert("normative.1".into(), 3.0);
    narrative.table4.insert("1.5".into(), 0.0);
    let r = DisclosureReport::build(
        "广州市海珠区人民政府海幢街道办事处",
        2026,
        &requests,
        vec!["disclosure_request".into()],
        &narrative,
    );
    assert!(r.check().is_empty(), "{:?}", r.check());
    let docx = dir.join("disclosure.docx");
    std::fs::write(&docx, render_disclosure_docx(&r)).unwrap();
    to_pdf(dir, &[&docx]);
    let pdf = dir.join("disclosure.pdf");
    let pages = bbox(&pdf);
    assert!(!pages.is_empty());
    for p in &pages {
        assert!(
            (p.width - PAGE_W).abs() < 1.0 && (p.height - PAGE_H).abs() < 1.0,
            "not A4"
        );
        for w in &p.words {
            // A closing full stop or comma may hang past the edge (as in the report's test).
            let hangs = w.text.ends_with(['。', '，', '、', '；', '：', '）']);
            let limit = RIGHT_EDGE + if hangs { 17.0 } else { ONE_MM };
            assert!(
                w.x0 >= LEFT - ONE_MM && w.x1 <= limit,
                "outside the type area: {w:?}"
            );
        }
    }
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    if let Ok(keep) = std::env::var("FAZHI_REPORTS_KEEP") {
        let _ = std::fs::copy(&docx, Path::new(&keep).join("disclosure.docx"));
        let _ = std::fs::copy(&pdf, Path::new(&keep).join("disclosure.pdf"));
    }
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut at = 0;
    for h in [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ] {
        let pos = flat[at..]
            .find(h)
            .unwrap_or_else(|| panic!("heading {h} missing or out of order:\n{text}"));
        at += pos + h.len();
    }
    for label in [
        "本年新收政府信息公开申请数量",
        "上年结转政府信息公开申请数量",
        "予以公开",
        "重复申请",
        "结转下年度继续办理",
        "【缺数】",
    ] {
        assert!(flat.contains(label), "{label} missing:\n{text}");
    }
    // The row 一、本年新收 of the year 2026: 1 自然人, 1 商业企业, 0 科研机构, 1 社会公益组织,
    // 0 法律服务机构, 0 其他, 总计 3 (the 2025 request is carried over, not new) — read off its
    // line of the layout.
    let new_line = text
        .lines()
        .find(|l| l.contains("本年新收"))
        .unwrap_or_else(|| panic!("no 本年新收 line:\n{text}"));
    let nums: Vec<&str> = new_line
        .split_whitespace()
        .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
        .collect();
    eprintln!("本年新收 line: {new_line}");
    assert_eq!(nums, ["1", "1", "0", "1", "0", "0", "3"], "{new_line}");
}

/// A case document (the enforcement 行政处罚决定书 and an approval form) laid out by
/// LibreOffice: A4, the GB/T 9704 margins and line pitch, unit and name centred, the number flush
/// right, and every sentence of the rights notice on the page.
#[test]
fn document_layout_in_libreoffice() {
    use fazhi_reports::documents::{
        DocContext, case_type_documents, fill_document, render_document_docx,
    };
    if tools_or_skip().is_none() {
        return;
    }
    let registry = fazhi_workflow::Registry::embedded();
    let docs = case_type_documents(&registry, "enforcement_case")
        .unwrap()
        .unwrap();
    let mut c = DocContext::default();
    c.text("unit.name", "滨江区望江街道办事处");
    c.text("unit.reconsideration_body", "滨江区人民政府");
    c.text("unit.court", "滨江区人民法院");
    c.text("document.number", "望江执罚决字〔2026〕第12号");
    c.date("document.date", "2026-04-08");
    c.text("case.number", "ZF20260042");
    c.text(
        "officers",
        "王建国（执法证号：33019900101）、李敏（执法证号：33019900102）",
    );
    c.text("field.party_name", "张某某");
    c.text("field.party_kind", "自然人");
    c.text("field.address", "望江路128号");
    c.date("field.discovered_on", "2026-03-01");
    c.date("step.file", "2026-03-02");
    c.date("step.notify", "2026-03-16");
    c.text(
        "field.facts",
        "当事人于2026年3月1日在望江路128号人行道上擅自摆摊设点经营，占用人行道约六平方米，经责令改正后仍未改正。",
    );
    c.text(
        "field.legal_basis",
        "《城市市容和环境卫生管理条例》第三十六条",
    );
    c.text("field.penalty", "罚款");
    c.text("field.outcome", "处罚");
    c.text("field.intended_penalty", "罚款");
    c.money("field.fine_amount", 50_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let decision = fill_document(docs.template("行政处罚决定书").unwrap(), &docs.periods, &c);
    assert!(decision.missing.is_empty(), "{:?}", decision.missing);
    let form = fill_document(docs.template("立案审批表").unwrap(), &docs.periods, &c);
    let decision_docx = dir.join("decision.docx");
    let form_docx = dir.join("form.docx");
    std::fs::write(&decision_docx, render_document_docx(&decision)).unwrap();
    std::fs::write(&form_docx, render_document_docx(&form)).unwrap();
    to_pdf(dir, &[&decision_docx, &form_docx]);
    for pdf in ["decision.pdf", "form.pdf"] {
        let pages = bbox(&dir.join(pdf));
        assert!(!pages.is_empty());
        for p in &pages {
            assert!(
                (p.width - PAGE_W).abs() < 1.0 && (p.height - PAGE_H).abs() < 1.0,
                "{pdf} not A4"
            );
        }
    }
    let pages = bbox(&dir.join("decision.pdf"));
    let (body, _) = split_page(&pages[0]);
    for l in &body {
        eprintln!(
            "decision y1={:7.2} x0={:7.2} x1={:7.2} {}",
            l.y1, l.x0, l.x1, l.text
        );
    }
    let centre = (LEFT + RIGHT_EDGE) / 2.0;
    // Unit and name centred on the first two lines, the top line at the 37 mm margin.
    for l in &body[..2] {
        assert!(
            ((l.x0 + l.x1) / 2.0 - centre).abs() < 3.0,
            "not centred: {l:?}"
        );
    }
    assert_eq!(body[0].text, "滨江区望江街道办事处");
    assert_eq!(body[1].text, "行政处罚决定书");
    assert!(
        body[0].y0 >= TOP - ONE_MM,
        "above the top margin: {:?}",
        body[0]
    );
    // The number line ends at the type area's right edge.
    let number = body
        .iter()
        .find(|l| l.text.contains("执罚决字"))
        .expect("number line");
    assert!(
        (number.x1 - RIGHT_EDGE).abs() < 2.0 * ONE_MM,
        "number not flush right: {number:?}"
    );
    // Body lines at the left margin (unindented continuation lines) and inside the type area.
    let left = body[3..].iter().map(|l| l.x0).fold(f64::MAX, f64::min);
    assert!((left - LEFT).abs() < ONE_MM, "left margin {left}");
    for p in &pages {
        let (b, _) = split_page(p);
        for l in &b {
            // A closing full stop or comma may hang past the edge (as in the report's test).
            let hangs = l.text.ends_with(['。', '，', '、', '；', '：', '）']);
            let limit = RIGHT_EDGE + if hangs { 17.0 } else { ONE_MM };
            assert!(l.x1 <= limit, "past the right edge: {l:?}");
            assert!(l.y1 <= AREA_BOTTOM + 1.0, "below the type area: {l:?}");
        }
    }
    let text = String::from_utf8(
        Command::new("pdftotext")
            .arg(dir.join("decision.pdf"))
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for needle in [
        "罚款人民币伍佰元整（¥500.00）",
        "自收到本决定书之日起十五日内",
        "六十日内向滨江区人民政府申请行政复议",
        // (crosses the page break here: the page number stands between)
        "也可以在六个月内依法向滨江区",
        "人民法院提起行政诉讼",
        "滨江区望江街道办事处（印章）",
        "2026年4月8日",
    ] {
        assert!(flat.contains(needle), "decision PDF lacks {needle:?}");
    }
    let form_text = String::from_utf8(
        Command::new("pdftotext")
            .arg(dir.join("form.pdf"))
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let flat: String = form_text.chars().filter(|c| !c.is_whitespace()).collect();
    for needle in [
        "立案审批表",
        "案件编号",
        "ZF20260042",
        "承办人意见",
        "分管领导意见",
    ] {
        assert!(flat.contains(needle), "form PDF lacks {needle:?}");
    }
    if let Ok(keep) = std::env::var("FAZHI_REPORTS_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for f in ["decision.docx", "decision.pdf", "form.docx", "form.pdf"] {
            std::fs::copy(dir.join(f), keep.join(f)).unwrap();
        }
    }
}
