//! Tests of the real binary: the demo, the administrative commands and their error messages.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fazhi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fazhi"));
    c.env("FAZHI_LOG", "warn");
    c
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = fazhi().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn calendar_due_prints_the_date_and_how_it_was_computed() {
    let (ok, out, _) = run(&[
        "calendar",
        "due",
        "--from",
        "2024-09-27",
        "--days",
        "5",
        "--unit",
        "working",
        "--json",
    ]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // 09-29 (Sunday) is an adjusted working day; 10-01..10-07 are off: 09-29, 09-30, 10-08, 10-09, 10-10.
    assert_eq!(v["due"], "2024-10-10");
    let (ok, out, _) = run(&[
        "calendar",
        "due",
        "--from",
        "2026-09-23",
        "--days",
        "10",
        "--unit",
        "natural",
    ]);
    assert!(ok);
    assert!(
        out.contains("期满日：2026-10-08"),
        "day 10 is 2026-10-03 (National Day) and rolls to 10-08: {out}"
    );
    // Past the embedded calendar: provisional (weekends only) unless a binding date is asked for.
    let past = [
        "calendar",
        "due",
        "--from",
        "2026-12-20",
        "--days",
        "20",
        "--unit",
        "working",
    ];
    let (ok, out, err) = run(&[&past[..], &["--json"]].concat());
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["provisional"], true);
    assert_eq!(v["due"], "2027-01-15");
    let (ok, _, err) = run(&[&past[..], &["--binding"]].concat());
    assert!(!ok);
    assert!(err.contains("--binding") && err.contains("2026"), "{err}");
    let (ok, _, err) = run(&[
        "calendar",
        "due",
        "--from",
        "2026-02-30",
        "--days",
        "1",
        "--unit",
        "working",
    ]);
    assert!(!ok && err.contains("--from"), "{err}");
}

/// `fazhi calendar import` (issue 22): a bad file is refused naming the entry, the 2027 file (a
/// test fixture, not the official notice) is loaded and audited, and `calendar due` with the
/// database answers a binding date that the holidays moved.
#[test]
fn calendar_import_loads_the_next_year_and_due_dates_become_binding() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cal.db").display());
    let (ok, out, err) = init(&url, "110101001", "东华门街道办事处");
    assert!(ok, "{out}{err}");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../calendar/tests/data/cn-2027-test.json"
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        std::fs::read_to_string(fixture)
            .unwrap()
            .replace("2027-02-20", "2027-02-19"),
    )
    .unwrap();
    let (ok, out, err) = run(&[
        "calendar",
        "import",
        bad.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(
        !ok && err.contains("2027-02-19不是周六或周日"),
        "{out}{err}"
    );
    // 5 working days from 2026-12-29: provisionally 2027-01-05; with 元旦 01-01–03, 01-06.
    let due = [
        "calendar",
        "due",
        "--from",
        "2026-12-29",
        "--days",
        "5",
        "--unit",
        "working",
    ];
    let with_db = [&due[..], &["--database-url", &url, "--binding", "--json"]].concat();
    let (ok, _, _) = run(&with_db);
    assert!(!ok, "not yet imported: no binding date");
    let (ok, out, err) = run(&["calendar", "import", fixture, "--database-url", &url]);
    assert!(ok && out.contains("已导入2027年节假日安排"), "{out}{err}");
    let (ok, out, err) = run(&with_db);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["due"].as_str(), v["provisional"].as_bool()),
        (Some("2027-01-06"), Some(false))
    );
    assert!(
        v["calendar_version"]
            .as_str()
            .unwrap()
            .contains("+2027:sha256:")
    );
    let (ok, out, _) = run(&["calendar", "import", fixture, "--database-url", &url]);
    assert!(ok && out.contains("未作更改"), "{out}");
    let (ok, out, _) = run(&["audit", "verify", "--database-url", &url]);
    assert!(ok && out.contains("哈希链完整"), "{out}");
}

#[test]
fn workflow_check_names_file_line_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        "code = \"broken\"\nname_zh = \"坏定义\"\n\n[[states]]\ncode = \"a\"\nlabel_zh = \"甲\"\n\n[[transitions]]\ncode = \"create\"\nlabel_zh = \"创建\"\nfrom = []\nto = \"nowhere\"\nroles = [\"handler\"]\n",
    )
    .unwrap();
    let (ok, out, _) = run(&["workflow", "check", dir.path().to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("broken.toml:12"),
        "the bad `to` is on line 12: {out}"
    );
    let good = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(&["workflow", "check", good.path().to_str().unwrap()]);
    assert!(ok, "{out}{err}");
}

/// A case-type folder is checked as a whole: its definition, and the files other crates read
/// (report paragraphs, demo script, …), each problem with its file and line.
#[test]
fn workflow_check_validates_every_file_of_a_case_type_folder() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../case_types");
    for entry in std::fs::read_dir(&root).unwrap() {
        let folder = entry.unwrap().path();
        if folder.is_dir() {
            let (ok, out, err) = run(&["workflow", "check", folder.to_str().unwrap()]);
            assert!(ok, "{}: {out}{err}", folder.display());
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("mediation_case");
    std::fs::create_dir(&copy).unwrap();
    for f in std::fs::read_dir(root.join("mediation_case")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, copy.join(f.file_name().unwrap())).unwrap();
    }
    let report = std::fs::read_to_string(copy.join("report.toml")).unwrap();
    let line = report
        .lines()
        .position(|l| l.contains("{mediation.cases}"))
        .expect("the mediation paragraph prints mediation.cases")
        + 1;
    std::fs::write(
        copy.join("report.toml"),
        report.replace("{mediation.cases}", "{mediation.no_such_figure}"),
    )
    .unwrap();
    let demo = std::fs::read_to_string(copy.join("demo.toml")).unwrap();
    std::fs::write(
        copy.join("demo.toml"),
        demo.replacen("step = \"accept\"", "step = \"no_such_step\"", 1),
    )
    .unwrap();
    let (ok, out, _) = run(&["workflow", "check", copy.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("report.toml:{line}:")) && out.contains("mediation.no_such_figure"),
        "{out}"
    );
    assert!(
        out.contains("demo.toml:") && out.contains("no_such_step"),
        "{out}"
    );
}

#[test]
fn indicator_overrides_in_the_config_folder_are_checked_and_refused_when_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let ind = dir.path().join("indicators");
    std::fs::create_dir(&ind).unwrap();
    // Line 7 counts a field the hotline ticket does not have.
    std::fs::write(
        ind.join("local.toml"),
        "version = \"local.1\"\n\n[[indicator]]\nid = \"local.complaints\"\nlabel_zh = \"投诉工单数\"\nunit = \"件\"\nformula = \"sum\"\nfield = \"no_such_field\"\ncase_type = \"hotline_ticket\"\nperiod = \"created\"\n",
    )
    .unwrap();
    let (ok, out, _) = run(&["workflow", "check", dir.path().to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains("local.toml:"), "names the file: {out}");
    assert!(out.contains("no_such_field"), "names the field: {out}");
    // `serve` refuses to start on it, naming the definitions, before touching any database.
    let db = dir.path().join("none.db");
    let url = format!("sqlite://{}", db.display());
    let cfg = dir.path().to_str().unwrap();
    let (ok, _, err) = run(&[
        "serve",
        "--database-url",
        &url,
        "--config",
        cfg,
        "--port",
        "0",
    ]);
    assert!(!ok);
    assert!(
        err.contains("指标定义有误") && err.contains("local.toml"),
        "{err}"
    );
    // A valid override passes the check.
    std::fs::write(
        ind.join("local.toml"),
        "version = \"local.1\"\n\n[[indicator]]\nid = \"local.complaints\"\nlabel_zh = \"投诉工单数\"\nunit = \"件\"\nformula = \"count\"\ncase_type = \"hotline_ticket\"\nperiod = \"created\"\nfilters = [{ subject = \"category\", in = [\"投诉\"] }]\n",
    )
    .unwrap();
    let (ok, out, err) = run(&["workflow", "check", dir.path().to_str().unwrap()]);
    assert!(ok, "{out}{err}");
}

#[test]
fn serve_refuses_a_mistyped_sqlite_path() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("typo.db").display());
    let (ok, _, err) = run(&["serve", "--database-url", &url, "--port", "0"]);
    assert!(!ok);
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        !dir.path().join("typo.db").exists(),
        "no empty database was created"
    );
}

#[test]
fn the_demo_loads_serves_and_is_reused_and_the_admin_commands_work_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, _, err) = run(&["demo", "--data", data.to_str().unwrap(), "--no-serve"]);
    assert!(ok, "{err}");
    assert!(err.contains("已载入"), "{err}");
    let url = format!("sqlite://{}", data.join("fazhi.db").display());

    let (ok, out, _) = run(&["audit", "verify", "--database-url", &url]);
    assert!(ok && out.contains("哈希链完整"), "{out}");

    let md = dir.path().join("report.md");
    let (ok, out, err) = run(&[
        "report",
        "render",
        "--database-url",
        &url,
        "--unit",
        "330199001",
        "--year",
        "2026",
        "--format",
        "md",
        "-o",
        md.to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("年度法治政府建设情况的报告") && text.contains("数据来源"),
        "{text}"
    );
    assert!(
        text.contains("【缺数：officers.posts】"),
        "a manual figure nobody entered is shown as missing, not 0"
    );
    let (ok, _, err) = run(&[
        "report",
        "render",
        "--database-url",
        &url,
        "--unit",
        "nope",
        "--year",
        "2026",
        "--format",
        "pdf",
        "-o",
        md.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("--format"), "{err}");

    let backup = dir.path().join("backup.db");
    let (ok, out, err) = run(&[
        "backup",
        "--database-url",
        &url,
        "--out",
        backup.to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
    let (ok, out, _) = run(&[
        "audit",
        "verify",
        "--database-url",
        &format!("sqlite://{}", backup.display()),
    ]);
    assert!(ok, "the backup is a consistent copy: {out}");

    let add = |pw: &str| {
        fazhi()
            .args([
                "user",
                "add",
                "--database-url",
                &url,
                "--login",
                "clerk",
                "--name",
                "新文员",
                "--unit",
                "330199001",
                "--role",
                "handler",
            ])
            .env("FAZHI_PASSWORD", pw)
            .output()
            .unwrap()
    };
    let o = add("short");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("至少10个字符"));
    assert!(add("Clerk-password-1").status.success());

    // Second run reuses the data and serves; healthcheck answers.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = fazhi()
        .args([
            "demo",
            "--data",
            data.to_str().unwrap(),
            "--port",
            &port.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let start = Instant::now();
    let mut healthy = false;
    while start.elapsed() < Duration::from_secs(30) {
        if fazhi()
            .args(["healthcheck", "--addr", &addr])
            .output()
            .unwrap()
            .status
            .success()
        {
            healthy = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(healthy, "server did not become healthy: {stdout}{stderr}");
    assert!(stderr.contains("沿用已有的演示数据"), "{stderr}");
    assert!(
        stdout.contains(&format!("http://{addr}/")) && stdout.contains("fazhi-demo-2026"),
        "{stdout}"
    );
}

#[test]
fn report_extract_prints_the_documented_json_shape() {
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../importer/tests/seeds/000_40cb9ad96189bd44.txt"
    );
    let (ok, out, err) = run(&["report", "extract", seed, "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["year"], 2023);
    assert_eq!(v["level"], "street");
    let text: Vec<char> = std::fs::read_to_string(seed).unwrap().chars().collect();
    let closed = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["indicator"] == "hotline.closed")
        .expect("办结12345平台工单5571条")
        .clone();
    assert_eq!(closed["value"], 5571.0);
    let (s, e) = (
        closed["start"].as_u64().unwrap() as usize,
        closed["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        text[s..e].iter().collect::<String>(),
        closed["text"].as_str().unwrap(),
        "offsets are characters of the file's text"
    );
    for key in ["title", "unit", "level", "year", "sections", "figures"] {
        assert!(v.get(key).is_some(), "{key}");
    }
    for key in ["level", "heading", "part", "start", "end"] {
        assert!(v["sections"][0].get(key).is_some(), "section.{key}");
    }
}

#[test]
fn report_import_stores_each_file_once_and_names_what_it_could_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    let (ok, _, err) = run(&["migrate", "--database-url", &url, "--create"]);
    assert!(ok, "{err}");
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../importer/tests/seeds/000_40cb9ad96189bd44.txt"
    );
    let (ok, out, err) = run(&["report", "import", seed, "--database-url", &url]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("已导入") && out.contains("海幢街道办事处 2023年度"),
        "{out}"
    );

    // The same file again fails and writes nothing; a report without a year is refused naming
    // the field, and the exit code says something was refused.
    let bare = dir.path().join("无年度.txt");
    std::fs::write(
        &bare,
        "法治政府建设工作情况\n一、主要工作\n全年办结群众诉求工单12件。\n",
    )
    .unwrap();
    let (ok, out, _) = run(&[
        "report",
        "import",
        seed,
        bare.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(!ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "one line per file: {out}");
    assert!(
        lines[0].starts_with("未导入") && lines[0].contains("重复导入"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("未导入") && lines[1].contains("年度：无法从报告中识别，请指定"),
        "{out}"
    );

    // Given the unit and the year, it is stored; the audit chain holds.
    let (ok, out, err) = run(&[
        "report",
        "import",
        bare.to_str().unwrap(),
        "--unit",
        "测试街道办事处",
        "--year",
        "2024",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("测试街道办事处 2024年度"), "{out}");
    let (ok, out, _) = run(&["audit", "verify", "--database-url", &url]);
    assert!(ok && out.contains("共2条记录"), "{out}");
}

#[test]
fn workflow_clocks_prints_every_clock_of_a_timeline_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.json");
    std::fs::write(
        &events,
        r#"[
          {"transition": "create", "date": "2026-01-05", "input": {"source": "法院（诉调）", "dispute_type": "邻里", "content": "漏水"}},
          {"transition": "accept", "date": "2026-01-06", "input": {"mediation_body": "人民调解工作室", "mediation_body_name": "某工作室"}},
          {"transition": "assign_mediators", "date": "2026-01-06", "input": {"mediators": [1]}},
          {"transition": "reach_agreement", "date": "2026-01-20", "input": {"agreement_form": "口头", "agreement_content": "赔偿", "agreement_effective_on": "2026-01-16"}}
        ]"#,
    )
    .unwrap();
    let path = events.to_str().unwrap();
    let (ok, out, err) = run(&[
        "workflow",
        "clocks",
        "mediation_case",
        "--events",
        path,
        "--today",
        "2026-02-01",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let window = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "confirmation_window")
        .unwrap();
    // 2026-01-16 + 30 days = Sunday 2026-02-15 in the Spring Festival → Tuesday 2026-02-24.
    assert_eq!(window["due"], "2026-02-24");
    assert_eq!(window["status"], "running");
    assert_eq!(window["basis"], "《中华人民共和国人民调解法》第三十三条");
    let (ok, out, _) = run(&[
        "workflow",
        "clocks",
        "mediation_case",
        "--events",
        path,
        "--today",
        "2026-02-01",
    ]);
    assert!(ok);
    assert!(
        out.contains("confirmation_window 司法确认申请期：期满日 2026-02-24"),
        "{out}"
    );

    std::fs::write(
        &events,
        r#"[{"transition": "accept", "date": "2026-01-05"}]"#,
    )
    .unwrap();
    let (ok, _, err) = run(&["workflow", "clocks", "mediation_case", "--events", path]);
    assert!(!ok);
    assert!(err.contains("第1个事件（accept）：案件尚未创建"), "{err}");
    let (ok, _, err) = run(&["workflow", "clocks", "no_such_type", "--events", path]);
    assert!(!ok);
    assert!(err.contains("未知的案件类型“no_such_type”"), "{err}");
}

#[test]
fn workflow_doc_writes_the_committed_contract() {
    let (ok, out, err) = run(&["workflow", "doc", "--out", "-"]);
    assert!(ok, "{err}");
    let committed = include_str!("../../../docs/case-types.md");
    assert_eq!(out, committed);
}

/// `fazhi init` with the password on stdin.
fn init(url: &str, code: &str, name: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = fazhi()
        .args([
            "init",
            "--database-url",
            url,
            "--unit-name",
            name,
            "--level",
            "街道",
            "--division-code",
            code,
            "--admin-login",
            "admin",
            "--case-types",
            "hotline_ticket,enforcement_case",
        ])
        .env_remove("FAZHI_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Street-admin-2026\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The first run from an empty database: init, again (nothing changes), refused for another
/// unit, then the administrative commands work (issue 17: before, `user add` answered
/// "数据库中还没有任何单位").
fn first_run_on(url: &str) {
    let (ok, out, err) = init(url, "420106001", "望江街道办事处");
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("已初始化：望江街道办事处（420106001，街道），管理员 admin")
            && out.contains("全国日历及省级调整（42）"),
        "{out}"
    );
    let (ok, out, err) = init(url, "420106001", "望江街道办事处");
    assert!(ok && out.contains("未作更改"), "{out}{err}");
    let (ok, _, err) = init(url, "420106002", "望湖街道办事处");
    assert!(!ok && err.contains("数据库已经初始化"), "{err}");
    let (ok, _, err) = init(url, "4201", "望湖街道办事处");
    assert!(
        !ok && err.contains("行政区划代码：应为6位、9位或12位数字"),
        "{err}"
    );

    let out = fazhi()
        .args([
            "user",
            "add",
            "--database-url",
            url,
            "--login",
            "handler",
            "--name",
            "承办人",
            "--unit",
            "420106001",
            "--role",
            "handler",
        ])
        .env("FAZHI_PASSWORD", "Handler-pass-2026")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, out, _) = run(&["audit", "verify", "--database-url", url]);
    assert!(ok && out.contains("哈希链完整"), "{out}");
}

#[test]
fn init_sets_up_an_empty_sqlite_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("new.db").display());
    first_run_on(&url);
}

#[test]
fn init_sets_up_an_empty_postgres_database_once() {
    let name = format!("fazhi_cli_init_{}", std::process::id());
    let psql = |sql: &str| {
        Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                sql,
            ])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if !psql(&format!("CREATE DATABASE {name}")) {
        if std::env::var("FAZHI_TEST_POSTGRES").as_deref() == Ok("skip") {
            eprintln!("!!! PostgreSQL NOT REACHABLE; test SKIPPED by FAZHI_TEST_POSTGRES=skip");
            return;
        }
        panic!("PostgreSQL is not reachable on 127.0.0.1:5432 (psql CREATE DATABASE failed)");
    }
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let result = std::panic::catch_unwind(|| first_run_on(&url));
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
