//! `check_dir` / `Registry::load_dir` on fixture directories: diagnostics carry file and line.

use std::path::{Path, PathBuf};

use fazhi_workflow::{Registry, Severity, WorkflowConfig, check_dir};

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
fn broken_definitions_are_reported_with_file_and_line() {
    let dir = fixtures("broken");
    let diags = check_dir(&dir);
    let expected = markers(&dir);
    assert!(expected.len() >= 18, "{expected:#?}");
    for (file, line, text) in &expected {
        assert!(
            diags
                .iter()
                .any(|d| d.file.file_name().unwrap().to_str() == Some(file)
                    && d.line == Some(*line)
                    && d.message.contains(text.as_str())),
            "no diagnostic `{text}` at {file}:{line}; got:\n{}",
            diags
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    for d in diags.iter().filter(|d| d.is_error()) {
        let file = d.file.file_name().unwrap().to_str().unwrap();
        assert!(
            expected
                .iter()
                .any(|(f, l, _)| f == file && Some(*l) == d.line),
            "unexpected diagnostic {d}"
        );
        assert!(d.column.is_some(), "{d}");
        assert!(!d.message_zh.is_empty(), "{d}");
    }
    // The Display form is `file:line:column: severity: message`.
    let shown = diags
        .iter()
        .find(|d| d.message.contains("unknown guard"))
        .unwrap()
        .to_string();
    assert!(
        shown.contains("bad_refs.toml:54:3: error: transition `close`: unknown guard `teleport`"),
        "{shown}"
    );
    assert!(Registry::load_dir(&dir).is_err());
}

#[test]
fn the_embedded_definitions_pass_check_dir() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(check_dir(&dir.join("../../case_types")), vec![]);
    assert_eq!(check_dir(&dir.join("config")), vec![]);
}

#[test]
fn a_directory_overrides_and_extends_the_embedded_definitions() {
    let dir = fixtures("override");
    let registry = Registry::load_dir(&dir).expect("override fixtures are valid");
    let codes: Vec<&str> = registry.types().map(|t| t.code.as_str()).collect();
    // Every built-in type stays, and the fixture adds one.
    let mut expected: Vec<String> = fazhi_workflow::folders::embedded_folders()
        .into_keys()
        .collect();
    expected.push("noise_complaint".to_owned());
    expected.sort();
    assert_eq!(codes, expected);
    assert_eq!(
        registry.get("hotline_ticket").unwrap().name_zh,
        "12345工单（本市版）"
    );
    assert!(
        registry
            .get("hotline_ticket")
            .unwrap()
            .source
            .ends_with("hotline_ticket.toml")
    );
    assert_eq!(
        registry.get("enforcement_case").unwrap().name_zh,
        "行政执法案件"
    );
    // `min` on a text field is a warning, kept but not fatal.
    let w = registry.warnings();
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(w[0].severity, Severity::Warning);
    assert!(w[0].file.ends_with("noise_complaint.toml"));
    assert_eq!(w[0].line, Some(6));

    let config = WorkflowConfig::load_dir(&dir).unwrap();
    assert_eq!(config.hotline_limits["投诉"].n, 7);
    assert_eq!(
        config.hotline_limits["投诉"].basis,
        "某市12345热线工单办理规定"
    );
    assert!(!config.hotline_limits.contains_key("举报"));
    // Files absent from the directory keep their embedded values.
    assert_eq!(config.publicity_limit().n, 7);
}

#[test]
fn publicity_limit_is_configurable_per_province() {
    let config = WorkflowConfig::embedded();
    assert!(config.publicity_by_province.contains_key("44"));
    let mut custom = config.clone();
    custom.publicity_by_province.insert(
        "33".to_owned(),
        fazhi_workflow::PeriodLimit {
            n: 20,
            unit: fazhi_workflow::PeriodUnit::WorkingDays,
            basis: "某省规定".to_owned(),
        },
    );
    assert_eq!(
        custom.clone().with_province(Some("33")).publicity_limit().n,
        20
    );
    assert_eq!(custom.with_province(Some("11")).publicity_limit().n, 7);
}

#[test]
fn presentation_capabilities_and_links_name_only_what_exists() {
    let shown_of = |name: &str| -> Vec<String> {
        match Registry::load_dir(&fixtures(name)) {
            Ok(_) => panic!("the broken fixture {name} must not load"),
            Err(d) => {
                assert!(d.iter().all(|d| !d.message_zh.is_empty()));
                d.iter().map(ToString::to_string).collect()
            }
        }
    };
    let shown = [shown_of("presentation_bad"), shown_of("links_bad")].concat();
    let expect = [
        "case_type.toml:45:17: error: number_prefix `rx` must be 1-8 ASCII capital letters or digits",
        "case_type.toml:46:16: error: home_states names unknown state `nowhere`",
        "case_type.toml:47:18: error: category_field `note` must be an enum field",
        "case_type.toml:48:27: error: list column `colour` is neither a built-in column",
        "case_type.toml:51:20: error: dispatch department_field `note` must be of kind department",
        "case_type.toml:52:16: error: capabilities.dispatch.transitions names unknown transition `teleport`",
        "case_type.toml:55:11: error: publication.publish `refer` must be declared `published = true`",
        "case_type.toml:56:9: error: publication title names unknown field `{missing}`",
        "case_type.toml:60:10: error: published item `a`: source `ghost` is neither a field nor one of",
        "case_type.toml:42:9: error: transition `refer`: opens carries unknown field `ghost`",
        "case_type.toml:42: error: transition `refer` opens unknown case type `no_such_type`",
        "case_type.toml:42: error: transition `refer` sets unknown field `nothing` of `hotline_ticket`",
        "case_type.toml:42: error: transition `refer` carries `amount` (money) into `hotline_ticket.category` (enum): incompatible kinds",
        "case_type.toml:42: error: transition `refer` carries `note` into unknown field `no_such_field` of `hotline_ticket`",
        "error: number_prefix `RX` is used by both `bad_links` and `hotline_ticket`",
    ];
    for e in expect {
        assert!(
            shown.iter().any(|s| s.contains(e)),
            "expected `{e}` in:\n{}",
            shown.join("\n")
        );
    }
}

#[test]
fn the_built_in_types_declare_their_presentation_and_capabilities() {
    let r = Registry::embedded();
    let menu: Vec<(&str, &str)> = r
        .in_menu_order()
        .iter()
        .map(|t| {
            (
                t.presentation.number_prefix.as_str(),
                t.presentation.menu_label.as_str(),
            )
        })
        .collect();
    assert_eq!(menu[..2], [("RX", "12345工单"), ("ZF", "行政执法案件")]);
    // The officer register's certificate domains: the union of what the case types declare
    // (the enforcement domains, and the mediators' qualification).
    let domains = r.register_dictionary(fazhi_workflow::presentation::OFFICER_CERTIFICATE_DOMAIN);
    assert!(domains.iter().any(|d| d.value == "城市管理"));
    assert!(domains.iter().any(|d| d.value == "人民调解员"));
    let with_dispatch = r
        .types()
        .filter(|t| t.capabilities.dispatch.is_some())
        .count();
    let with_publication = r
        .types()
        .filter(|t| t.capabilities.publication.is_some())
        .count();
    // Tickets are dispatched, petitions routed (转送交办); enforcement decisions are published.
    assert_eq!((with_dispatch, with_publication), (2, 1));
}
