//! Demo scripts are checked against their case type with file:line diagnostics, and a case
//! type that exists only as a folder (definition + demo.toml) gets cases without any Rust.

use std::collections::BTreeMap;
use std::path::PathBuf;

use fazhi_demo::{DEMO_FILE, check_demo, generate_for};
use fazhi_workflow::Registry;
use fazhi_workflow::folders::{Folder, FolderFile, embedded_folders};
use jiff::civil::date;

const HOTLINE_TICKET: &str = "hotline_ticket";

#[test]
fn every_built_in_script_passes_the_check_without_warnings() {
    let registry = Registry::embedded();
    let mut checked = 0;
    for ct in registry.types() {
        let folder = registry.folder(&ct.code).unwrap();
        if folder.file(DEMO_FILE).is_none() {
            continue;
        }
        let d = check_demo(&registry, folder, ct);
        assert!(d.is_empty(), "{}: {d:#?}", ct.code);
        checked += 1;
    }
    assert!(checked >= 2, "{checked} demo scripts");
}

/// The hotline folder with its demo script edited by `edit`; returns the diagnostics as
/// `line: message` strings and the edited text.
fn check_edited(edit: impl Fn(&str) -> String) -> (Vec<String>, String) {
    let registry = Registry::embedded();
    let ct = registry.get(HOTLINE_TICKET).unwrap();
    let mut folder = registry.folder(HOTLINE_TICKET).unwrap().clone();
    let file = folder.files.get_mut(DEMO_FILE).unwrap();
    file.text = edit(&file.text);
    file.path = PathBuf::from("cfg/case_types/hotline_ticket/demo.toml");
    let text = file.text.clone();
    let d = check_demo(&registry, &folder, ct);
    for x in &d {
        assert_eq!(
            x.file,
            PathBuf::from("cfg/case_types/hotline_ticket/demo.toml")
        );
        assert!(!x.message_zh.is_empty());
    }
    (
        d.iter()
            .map(|x| format!("{}: {}", x.line.unwrap_or(0), x.message))
            .collect(),
        text,
    )
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in script"));
    text[..at].matches('\n').count() + 1
}

/// The diagnostic points at the item holding `needle` (its `[[block.…]]` header or a line of it).
fn points_at(d: &[String], text: &str, needle: &str, what: &str) {
    let line = line_of(text, needle) + usize::from(needle.starts_with('\n'));
    let hit = d.iter().find(|m| m.contains(what)).unwrap_or_else(|| {
        panic!("no diagnostic mentions {what}: {d:#?}");
    });
    let at: usize = hit.split(':').next().unwrap().parse().unwrap();
    assert!(
        at <= line && line - at <= 10,
        "{hit} should point at line {line}"
    );
}

#[test]
fn an_unknown_transition_is_reported_at_its_item() {
    let (d, text) = check_edited(|t| t.replace("step = \"accept\"", "step = \"acept\""));
    points_at(&d, &text, "step = \"acept\"", "no transition `acept`");
}

#[test]
fn an_input_that_is_not_a_field_of_the_transition_is_reported() {
    let (d, text) = check_edited(|t| {
        t.replace(
            "input = { assignee_department = \"{t.department}\" }",
            "input = { assignee_department = \"{t.department}\", priority = \"高\" }",
        )
    });
    points_at(
        &d,
        &text,
        "priority = \"高\"",
        "`priority` is not an input of `dispatch`",
    );
}

#[test]
fn a_value_missing_from_the_dictionary_is_reported() {
    let (d, text) = check_edited(|t| {
        t.replace(
            "\"建议\" = 10, \"表扬\" = 2 } }",
            "\"建议\" = 10, \"点赞\" = 2 } }",
        )
    });
    // The category is drawn into a variable and used by `create`: the check follows it.
    points_at(
        &d,
        &text,
        "\ncategory = \"{category}\"",
        "`点赞` is not a value of the dictionary of `category`",
    );
    let (d, text) = check_edited(|t| t.replace("\"微信\" = 10", "\"短信\" = 10"));
    points_at(&d, &text, "\"短信\" = 10", "`短信` is not a value");
}

#[test]
fn a_role_that_may_not_take_the_transition_is_reported() {
    let (d, text) = check_edited(|t| {
        t.replace(
            "step = \"approve_extension\"\nactor = \"leader\"",
            "step = \"approve_extension\"\nactor = \"officer\"",
        )
    });
    points_at(
        &d,
        &text,
        "actor = \"officer\"",
        "role `officer` may not take `approve_extension`",
    );
}

#[test]
fn a_missing_required_input_unknown_blocks_lists_and_departments_are_reported() {
    let (d, _) = check_edited(|t| t.replace("input = { satisfaction = \"{satisfaction}\" }\n", ""));
    assert!(
        d.iter()
            .any(|m| m.contains("lacks the required input `satisfaction`")),
        "{d:#?}"
    );
    let (d, _) = check_edited(|t| t.replace("do = \"misroute\"", "do = \"misrout\""));
    assert!(
        d.iter().any(|m| m.contains("unknown block `misrout`")),
        "{d:#?}"
    );
    let (d, _) = check_edited(|t| {
        t.replace(
            "{ pick = \"reopen_reasons\" }",
            "{ pick = \"reopen_reason\" }",
        )
    });
    assert!(
        d.iter().any(|m| m.contains("unknown list `reopen_reason`")),
        "{d:#?}"
    );
    let (d, text) =
        check_edited(|t| t.replace("department = \"hotline\"", "department = \"hotlines\""));
    points_at(
        &d,
        &text,
        "department = \"hotlines\"",
        "unknown department `hotlines`",
    );
}

#[test]
fn syntax_errors_and_bad_generators_name_the_line() {
    let (d, text) = check_edited(|t| t.replace("chance = 0.08", "chance = 0.08 0.1"));
    let line = line_of(&text, "chance = 0.08 0.1");
    assert!(d[0].starts_with(&format!("{line}:")), "{d:#?}");
    let (d, text) = check_edited(|t| {
        t.replace(
            "to = { date = \"created\", workdays = \"{limit}\" }",
            "to = { date = \"created\", weeks = 2 }",
        )
    });
    points_at(&d, &text, "weeks = 2", "unknown key `weeks`");
    let (d, text) =
        check_edited(|t| t.replace("when = \"limit >= 5\"", "when = \"limit >= five\""));
    points_at(&d, &text, "limit >= five", "is not a number");
}

#[test]
fn the_script_must_start_by_creating_the_case() {
    let (d, _) = check_edited(|t| t.replacen("step = \"create\"", "step = \"accept\"", 1));
    assert!(
        d.iter()
            .any(|m| m.contains("must be an unconditional step of a create transition")),
        "{d:#?}"
    );
}

/// A third case type that exists only as a folder: the hotline definition under another code,
/// with its own small demo script (no Rust names it).
fn visit_folder() -> Folder {
    let base = &embedded_folders()[HOTLINE_TICKET];
    let def = base
        .file("case_type.toml")
        .unwrap()
        .text
        .replace("code = \"hotline_ticket\"", "code = \"zz_visit\"")
        .replace("number_prefix = \"RX\"", "number_prefix = \"ZV\"");
    let demo = r#"
department = "office"
reference = "ZV{yyyy}{seq:3}"

[arrivals]
per_workday = 0.5
growth = -0.2

[lists]
topics = ["走访{community}独居老人，了解生活需求。", "走访{estate}物业，了解电梯维修进展。"]

[[block.main]]
set = "topic"
to = { pick = "topics" }

[[block.main]]
step = "create"
actor = "handler"
[block.main.input]
channel = "其他"
category = { weights = { "咨询" = 1, "建议" = 1 } }
content = "{topic}"
address = "{address}"

[[block.main]]
step = "dispatch"
actor = "handler"
after = [0, 2]
input = { assignee_department = "office" }

[[block.main]]
step = "accept"
actor = { role = "handler", department = "office" }
after = [0, 1]

[[block.main]]
step = "reply"
actor = { role = "handler", department = "office" }
after = [1, 3]
input = { reply = "已走访，情况已记录。" }
"#;
    let mut files = BTreeMap::new();
    files.insert(
        "case_type.toml".to_owned(),
        FolderFile {
            path: PathBuf::from("cfg/case_types/zz_visit/case_type.toml"),
            text: def,
        },
    );
    files.insert(
        DEMO_FILE.to_owned(),
        FolderFile {
            path: PathBuf::from("cfg/case_types/zz_visit/demo.toml"),
            text: demo.to_owned(),
        },
    );
    Folder {
        code: "zz_visit".into(),
        files,
    }
}

#[test]
fn a_new_case_type_needs_only_a_folder_with_a_demo_script() {
    let mut folders = embedded_folders();
    folders.insert("zz_visit".into(), visit_folder());
    let registry = Registry::from_folders(folders).unwrap();
    let ct = registry.get("zz_visit").unwrap();
    assert!(check_demo(&registry, registry.folder("zz_visit").unwrap(), ct).is_empty());
    let end = date(2026, 6, 30);
    let street = generate_for(&registry, 4, end).unwrap();
    let visits: Vec<_> = street.cases_of("zz_visit").collect();
    assert!((200..=600).contains(&visits.len()), "{}", visits.len());
    assert!(visits[0].reference.starts_with("ZV2024"));
    assert_eq!(visits[0].department, "office");
    assert!(visits.iter().all(|c| c.steps[0].transition == "create"));
    // Declared decline: fewer visits in 2025 than in 2024.
    let year = |y: i16| visits.iter().filter(|c| c.created_on.year() == y).count();
    assert!(year(2025) < year(2024), "{} {}", year(2024), year(2025));
    // The built-in types are unchanged by the new one (their own random streams).
    let without = fazhi_demo::generate(4, end);
    assert_eq!(
        without.cases_of(HOTLINE_TICKET).collect::<Vec<_>>(),
        street.cases_of(HOTLINE_TICKET).collect::<Vec<_>>()
    );
}

#[test]
fn a_broken_configured_script_fails_generation_with_its_diagnostics() {
    let mut folders = embedded_folders();
    let mut f = visit_folder();
    let demo = f.files.get_mut(DEMO_FILE).unwrap();
    demo.text = demo
        .text
        .replace("step = \"dispatch\"", "step = \"dispach\"");
    folders.insert("zz_visit".into(), f);
    let registry = Registry::from_folders(folders).unwrap();
    let err = generate_for(&registry, 4, date(2026, 6, 30)).unwrap_err();
    assert!(
        err.iter().any(
            |d| d.file == std::path::Path::new("cfg/case_types/zz_visit/demo.toml")
                && d.line.is_some()
                && d.message.contains("dispach")
        ),
        "{err:#?}"
    );
}

#[test]
fn the_steps_of_an_opened_case_are_checked_against_the_opened_case_type() {
    const MAJOR_DECISION: &str = "major_decision";
    let registry = Registry::embedded();
    let ct = registry.get(MAJOR_DECISION).unwrap();
    let check = |edit: &dyn Fn(&str) -> String| {
        let mut folder = registry.folder(MAJOR_DECISION).unwrap().clone();
        let file = folder.files.get_mut(DEMO_FILE).unwrap();
        file.text = edit(&file.text);
        check_demo(&registry, &folder, ct)
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    assert!(check(&|t| t.to_owned()).is_empty());
    // `give_opinion` is a transition of legality_review, not of major_decision: valid in the
    // opened block, refused in the decision's own blocks.
    let d = check(&|t| {
        t.replacen(
            "step = \"expert_argument\"\nactor = \"handler\"\nafter = [2, 8]\ninput = { expert_opinion = { pick = \"experts\" } }",
            "step = \"give_opinion\"\nactor = \"handler\"\nafter = [2, 8]\ninput = { opinion = \"合法\" }",
            1,
        )
    });
    assert!(
        d.iter()
            .any(|m| m.contains("case type `major_decision` has no transition `give_opinion`")),
        "{d:?}"
    );
    // A step of the opened block that legality_review does not have.
    let d = check(&|t| {
        t.replacen(
            "[[block.review]]\nstep = \"accept\"",
            "[[block.review]]\nstep = \"publish\"",
            1,
        )
    });
    assert!(
        d.iter()
            .any(|m| m.contains("case type `legality_review` has no transition `publish`")),
        "{d:?}"
    );
    // A dictionary value of the opened case type is checked against its dictionary.
    let d = check(&|t| t.replacen("opinion = \"不合法\"", "opinion = \"违法\"", 1));
    assert!(
        d.iter().any(|m| m.contains("`违法` is not a value")),
        "{d:?}"
    );
    // `opens` on a transition that opens no case.
    let d = check(&|t| {
        t.replacen(
            "input = { publish_channel = { pick = \"channels\" } }",
            "input = { publish_channel = { pick = \"channels\" } }\nopens = \"review\"",
            1,
        )
    });
    assert!(
        d.iter()
            .any(|m| m.contains("its transition does not open exactly one case")),
        "{d:?}"
    );
}
