//! Property tests: the numeral parser against rendered numbers, and the extractor against
//! random, garbage and truncated input (no panic, invariants hold, bounded time).

use fazhi_importer::numeral::{Decimal, chinese_value, parse_arabic, to_chinese};
use fazhi_importer::{Extraction, Format, extract, extract_text};
use proptest::prelude::*;

fn check_invariants(ex: &Extraction) {
    let chars: Vec<char> = ex.decoded_text.chars().collect();
    for f in &ex.figures {
        assert!(f.start <= f.end && f.end <= chars.len());
        let slice: String = chars[f.start..f.end].iter().collect();
        assert_eq!(slice, f.text);
        assert!(f.value.is_finite() && f.value >= 0.0);
        assert_eq!(f.approx, f.qualifier.is_some());
        assert!((0.0..=1.0).contains(&f.confidence));
    }
    for s in &ex.sections {
        assert!(s.start <= s.end && s.end <= chars.len(), "{s:?}");
        assert!(s.level >= 1);
    }
    // Serialises to the documented shape.
    let v = serde_json::to_value(ex).unwrap();
    for k in ["title", "unit", "level", "year", "sections", "figures"] {
        assert!(v.get(k).is_some(), "{k}");
    }
}

/// Characters that exercise every branch of the scanners.
const ALPHABET: &[&str] = &[
    "一",
    "二",
    "两",
    "三",
    "十",
    "百",
    "千",
    "万",
    "亿",
    "零",
    "〇",
    "0",
    "1",
    "2",
    "5",
    "9",
    ".",
    ",",
    "，",
    "、",
    "。",
    "：",
    ":",
    ";",
    "(",
    ")",
    "（",
    "）",
    "“",
    "”",
    "\"",
    "《",
    "》",
    "〔",
    "〕",
    "%",
    "％",
    "次",
    "件",
    "宗",
    "人次",
    "元",
    "万元",
    "平方米",
    "个百分点",
    "余",
    "多",
    "近",
    "约",
    "超过",
    "以上",
    "以内",
    "是",
    "第",
    "年",
    "月",
    "日",
    "号",
    "每",
    "同比",
    "下降",
    "增长",
    "-",
    "至",
    "\n",
    "\r\n",
    "\r",
    " ",
    "　",
    "合法性审查",
    "12345",
    "信访",
    "办结率",
    "存在的问题",
    "下一步计划",
    "一、",
    "(一)",
    "1.",
    "(1)",
    "一是",
    "二是",
    "①",
    "街道",
    "镇人民政府",
    "广州市海珠区",
    "报告",
    "法治政府建设",
    "G",
    "+",
    "#",
    "百分之",
    "小时",
    "内",
    "不低于",
    "x",
];

fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..300).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn chinese_numerals_round_trip(n in 0u64..1_000_000_000_000u64) {
        prop_assert_eq!(chinese_value(&to_chinese(n)), Some(u128::from(n)));
    }

    #[test]
    fn chinese_numerals_with_liang_round_trip(n in 1u64..100_000u64) {
        // 两 is written for a leading 2 before a unit: 两万, 两千.
        let s = to_chinese(n);
        let liang = if s.starts_with("二") && s.chars().count() > 1 {
            s.replacen('二', "两", 1)
        } else {
            s
        };
        prop_assert_eq!(chinese_value(&liang), Some(u128::from(n)));
    }

    #[test]
    fn chinese_numerals_in_text_are_figures(n in 11u64..100_000_000u64) {
        let t = format!("开展活动{}次。", to_chinese(n));
        let ex = extract_text(&t);
        prop_assert_eq!(ex.figures.len(), 1);
        prop_assert_eq!(ex.figures[0].value, n as f64);
        prop_assert_eq!(ex.figures[0].unit.as_str(), "次");
    }

    #[test]
    fn arabic_decimals_parse_exactly(int in 0u64..10_000_000u64, frac in 0u32..10_000u32, digits in 1usize..5) {
        let frac_s = format!("{:0width$}", frac % 10u32.pow(digits as u32), width = digits);
        let s = format!("{int}.{frac_s}");
        let p = parse_arabic(&s, 0).unwrap();
        let expect: f64 = s.parse().unwrap();
        prop_assert_eq!(p.value.to_f64(), expect);
        prop_assert_eq!(p.end, s.len());
    }

    #[test]
    fn wan_and_yi_expand_exactly(int in 0u64..100_000u64, frac in 0u32..10_000u32, yi in any::<bool>()) {
        let frac_s = format!("{frac:04}");
        let (mult, pow) = if yi { ("亿", 8) } else { ("万", 4) };
        let t = format!("涉及金额{int}.{frac_s}{mult}元。");
        let ex = extract_text(&t);
        prop_assert_eq!(ex.figures.len(), 1);
        let f = &ex.figures[0];
        prop_assert_eq!(f.unit.as_str(), "元");
        let mantissa = u128::from(int) * 10_000 + u128::from(frac);
        let expect = Decimal { mantissa, exp: pow - 4 }.to_f64();
        prop_assert_eq!(f.value, expect);
        prop_assert_eq!(f.text.clone(), format!("{int}.{frac_s}{mult}元"));
    }

    #[test]
    fn approximate_qualifiers(n in 1u64..1_000_000u64, q in 0usize..6) {
        let (pre, mid, post) = [("近", "", ""), ("约", "", ""), ("超", "", ""), ("", "余", ""), ("", "多", ""), ("", "", "以上")][q];
        let t = format!("累计检查{pre}{n}{mid}家{post}。");
        let ex = extract_text(&t);
        prop_assert_eq!(ex.figures.len(), 1);
        prop_assert!(ex.figures[0].approx);
        prop_assert_eq!(ex.figures[0].value, n as f64);
    }

    #[test]
    fn years_dates_and_ordinals_are_never_figures(y in 1990u32..2100u32, m in 1u32..13u32, d in 1u32..29u32, k in 1u64..100u64) {
        let t = format!("{y}年{m}月{d}日召开第{}次会议,印发〔{y}〕{k}号文件。", to_chinese(k));
        prop_assert!(extract_text(&t).figures.is_empty(), "{}", t);
    }

    #[test]
    fn tricky_text_never_panics(t in tricky_text()) {
        check_invariants(&extract_text(&t));
        check_invariants(&extract(t.as_bytes(), None));
    }

    #[test]
    fn random_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..2000), fmt in 0usize..4) {
        let hint = [None, Some(Format::Text), Some(Format::Html), Some(Format::Docx)][fmt];
        check_invariants(&extract(&b, hint));
    }

    #[test]
    fn truncated_seeds_never_panic(seed in 0usize..5, cut in 0.0f64..1.0, gb in any::<bool>()) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seeds");
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let bytes = std::fs::read(&files[seed]).unwrap();
        let bytes = if gb {
            encoding_rs::GB18030.encode(std::str::from_utf8(&bytes).unwrap()).0.into_owned()
        } else {
            bytes
        };
        // Cut anywhere, even inside a multi-byte character.
        let at = (bytes.len() as f64 * cut) as usize;
        check_invariants(&extract(&bytes[..at], None));
        check_invariants(&extract(&bytes[at..], Some(Format::Html)));
    }
}

#[test]
fn pathological_inputs_stay_linear() {
    // Each of these is about 200 KB on one line: a quadratic scan would need ~10^10 steps and
    // take many minutes; a linear one takes well under a second (debug build, busy machine).
    let cases = [
        "1次".repeat(50_000),
        "一".repeat(70_000),
        "“1”".repeat(30_000),
        "《".repeat(70_000),
        "每1次".repeat(30_000),
        "，一是".repeat(30_000),
        "(1)".repeat(60_000),
        "9".repeat(200_000),
        "街道".repeat(35_000),
        "超过".repeat(35_000),
        "一、x\n".repeat(25_000),
    ];
    for c in &cases {
        let t0 = std::time::Instant::now();
        let ex = extract_text(c);
        let dt = t0.elapsed();
        check_invariants(&ex);
        println!(
            "{:>12}… {} bytes: {dt:?}",
            c.chars().take(4).collect::<String>(),
            c.len()
        );
        // Generous bound for unoptimised builds on a shared machine.
        assert!(dt.as_secs() < 60, "{} took {dt:?}", &c[..12]);
    }
    // Many lines too.
    let many = "一、主要工作\n(一)合法性审查131次。\n".repeat(20_000);
    let t0 = std::time::Instant::now();
    let ex = extract_text(&many);
    assert!(t0.elapsed().as_secs() < 60);
    assert_eq!(ex.figures.len(), 20_000);
}
