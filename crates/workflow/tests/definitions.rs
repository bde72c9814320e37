//! The embedded definitions and configuration validate clean.

use std::path::Path;

use fazhi_workflow::{Registry, WorkflowConfig, check_definition};

#[test]
fn embedded_definitions_validate_without_diagnostics() {
    for (name, text) in [
        (
            "hotline_ticket.toml",
            include_str!("../case_types/hotline_ticket.toml"),
        ),
        (
            "enforcement_case.toml",
            include_str!("../case_types/enforcement_case.toml"),
        ),
    ] {
        let (ct, diags) = check_definition(Path::new(name), text);
        assert!(diags.is_empty(), "{name}: {diags:#?}");
        assert!(ct.is_some(), "{name}");
    }
    let reg = Registry::embedded();
    let codes: Vec<&str> = reg.types().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, vec!["enforcement_case", "hotline_ticket"]);
}

#[test]
fn embedded_configuration_has_the_documented_defaults() {
    let cfg = WorkflowConfig::embedded();
    let n = |c: &str| cfg.hotline_limits[c].n;
    assert_eq!(
        (
            n("咨询"),
            n("求助"),
            n("投诉"),
            n("举报"),
            n("建议"),
            n("表扬")
        ),
        (3, 5, 10, 15, 10, 3)
    );
    assert_eq!(
        cfg.hotline_limits["投诉"].basis,
        "本市12345热线工单办理规定（可配置）"
    );
    assert_eq!(cfg.publicity_limit().n, 7);
    assert_eq!(cfg.publicity_limit().basis, "国办发〔2018〕118号");
    assert!(cfg.roll.roll_weekends);
}
