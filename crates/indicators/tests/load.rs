//! Definition loading: the built-in catalogue is valid and complete; broken fixtures are reported
//! with file and line; folders override and extend the built-in definitions.

use std::path::{Path, PathBuf};

use fazhi_indicators::{Catalog, Formula, Subject};
use fazhi_workflow::Registry;

fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// (file name, 1-based line, expected text) for every `# expect: <text>` marker in a directory.
fn markers(dir: &Path) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            if let Some((_, expect)) = line.split_once("# expect: ") {
                out.push((name.clone(), i + 1, expect.trim().to_owned()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_built_in_catalogue_is_valid_and_has_the_ids_the_report_uses() {
    let c = Catalog::embedded();
    assert!(c.warnings().is_empty(), "{:#?}", c.warnings());
    for id in [
        "hotline.received",
        "hotline.closed",
        "hotline.close_rate",
        "hotline.on_time_rate",
        "hotline.dissatisfied",
        "hotline.dissatisfaction_rate",
        "hotline.by_category.咨询",
        "hotline.by_category.投诉",
        "hotline.by_category.求助",
        "hotline.by_category.举报",
        "hotline.by_category.建议",
        "hotline.by_category.表扬",
        "enforcement.filed",
        "enforcement.filed_by_domain.城市管理",
        "enforcement.filed_by_domain.消防",
        "enforcement.fines_total",
        "enforcement.no_penalty",
        "enforcement.legal_reviews",
        "enforcement.published",
        "enforcement.published_on_time_rate",
        "officers.certified",
        "officers.posts",
        "officers.certified_share",
        "officers.legal_reviewers",
        "officers.legal_reviewer_share",
        "legality_review.reviews",
        "legality_review.opinions",
        "study.sessions",
        "service_rating.score",
    ] {
        assert!(c.get(id).is_some(), "{id} missing");
    }
    assert_eq!(
        c.resolve("officers.establishment"),
        Some("officers.posts"),
        "the importer's id is an alias"
    );
    let cats: Vec<&str> = c
        .group("hotline.by_category")
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(cats.len(), 6);
    assert_eq!(
        c.get("hotline.by_category.投诉").unwrap().label_zh,
        "12345工单受理数（投诉）"
    );
    assert!(matches!(
        c.get("enforcement.fines_total").unwrap().formula,
        Formula::Sum { divisor, .. } if divisor == 100.0
    ));
    assert_eq!(
        c.get("officers.legal_reviewer_share")
            .unwrap()
            .target
            .unwrap()
            .value,
        5.0
    );
    assert!(c.version().starts_with("builtin-"));
}

#[test]
fn every_id_of_the_report_importer_is_in_the_catalogue() {
    // The importer maps seed figures to these ids; each must be computable or enterable.
    let map = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../importer/data/indicator_map.toml"),
    )
    .unwrap();
    let c = Catalog::embedded();
    let mut n = 0;
    for line in map.lines() {
        if let Some(id) = line.trim().strip_prefix("id = \"") {
            let id = id.trim_end_matches('"');
            assert!(c.get(id).is_some(), "{id} from the importer map is missing");
            n += 1;
        }
    }
    assert!(n > 50, "{n}");
}

#[test]
fn broken_definitions_are_reported_with_file_and_line() {
    let dir = fixtures("broken");
    let reg = Registry::embedded();
    let diags = Catalog::check_dir(&dir, &reg);
    let expected = markers(&dir);
    assert!(expected.len() >= 25, "{expected:#?}");
    let listing = diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for (file, line, text) in &expected {
        assert!(
            diags
                .iter()
                .any(|d| d.file.file_name().unwrap().to_str() == Some(file)
                    && d.line == Some(*line)
                    && d.message.contains(text.as_str())),
            "no diagnostic `{text}` at {file}:{line}; got:\n{listing}"
        );
    }
    for d in diags.iter().filter(|d| d.is_error()) {
        let file = d.file.file_name().unwrap().to_str().unwrap();
        assert!(
            expected
                .iter()
                .any(|(f, l, _)| f == file && Some(*l) == d.line),
            "unexpected diagnostic {d}\nall:\n{listing}"
        );
        assert!(!d.message_zh.is_empty(), "{d}");
    }
    assert!(Catalog::load_dir(&dir, &reg).is_err());
}

#[test]
fn a_folder_overrides_and_extends_the_built_in_definitions() {
    let dir = tempfile_dir();
    std::fs::write(
        dir.join("local.toml"),
        r#"version = "local-1"

[[indicator]]
id = "hotline.dissatisfied"
label_zh = "不满意工单数（含基本满意）"
unit = "件"
formula = "count"
case_type = "hotline_ticket"
period = "closed"
filters = [{ subject = "field.satisfaction", in = ["不满意", "基本满意"] }]

[[indicator]]
id = "hotline.by_category"
label_zh = "工单受理数"
unit = "件"
formula = "count"
case_type = "hotline_ticket"
period = "created"
expand = { subject = "category", values = ["投诉", "举报"] }

[[indicator]]
id = "street.night_patrols"
label_zh = "夜间巡查次数"
unit = "次"
formula = "manual"
"#,
    )
    .unwrap();
    let c = Catalog::load_dir(&dir, &Registry::embedded()).unwrap();
    let d = c.get("hotline.dissatisfied").unwrap();
    assert_eq!(d.version, "local-1");
    let Formula::Count(sel) = &d.formula else {
        panic!()
    };
    assert_eq!(
        sel.filters[0].subject,
        Subject::Field("satisfaction".into())
    );
    assert_eq!(
        c.group("hotline.by_category").len(),
        2,
        "the group is replaced"
    );
    assert!(c.get("hotline.by_category.咨询").is_none());
    assert!(c.get("street.night_patrols").unwrap().is_manual());
    assert!(c.version().contains("+local-"));
    // The ratio built on the overridden indicator still resolves.
    assert!(c.get("hotline.dissatisfaction_rate").is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "fazhi-ind-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
