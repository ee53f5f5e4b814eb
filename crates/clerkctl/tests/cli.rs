//! Drive the real clerkctl binary, as scripts will.

use std::process::Command;

fn clerkctl(args: &[&str]) -> (i32, String) {
    // Never the machine's own config or calendar folder.
    let none = std::env::temp_dir().join("clerkctl-tests-no-such-dir/clerk.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_clerkctl"))
        .args(args)
        .env("WINDOW_CLERK_CONFIG", none)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let (code, out) = clerkctl(args);
    (
        code,
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{out:?}: {e}")),
    )
}

#[test]
fn check_id_reports_kind_and_rule() {
    let table: &[(&str, i32, &str, bool)] = &[
        ("530502200503071231", 0, "citizen_id", true),
        ("53058120160824109x", 0, "citizen_id", true),
        ("810000199201150024", 0, "residence_permit", true),
        ("91530502MA6K2R8L31", 0, "uscc", true),
        ("1153050001512345X2", 0, "uscc", true),
        ("01512345-X", 0, "org_code", true),
        ("530502200503071232", 1, "citizen_id", false),
        ("530502200502301234", 1, "citizen_id", false),
        ("91530502MA6K2R8L32", 1, "uscc", false),
        ("123", 1, "unknown", false),
    ];
    for (value, code, kind, valid) in table {
        let (c, v) = json(&["check-id", value, "--json"]);
        assert_eq!(
            (
                c,
                v["kind"].as_str().unwrap(),
                v["valid"].as_bool().unwrap()
            ),
            (*code, *kind, *valid),
            "{value}: {v}"
        );
        assert_eq!(v["error"].is_null(), *valid, "{value}: {v}");
    }
    let (_, v) = json(&["check-id", "530502200502301234", "--json"]);
    assert_eq!(v["error"], "the birth date does not exist");
    let (c, text) = clerkctl(&["check-id", "530502200503071232"]);
    assert_eq!(c, 1);
    assert!(text.contains("校验位错误"), "{text}");
}

#[test]
fn deadline_uses_the_holiday_calendar() {
    let (c, v) = json(&[
        "deadline",
        "--from",
        "2026-09-30",
        "--days",
        "5",
        "--unit",
        "working",
        "--json",
    ]);
    assert_eq!((c, v["due"].as_str()), (0, Some("2026-10-13")));
    let (c, v) = json(&[
        "deadline",
        "--from",
        "2026-02-13",
        "--days",
        "5",
        "--unit",
        "working",
        "--json",
    ]);
    assert_eq!((c, v["due"].as_str()), (0, Some("2026-02-27")));
    let (c, v) = json(&[
        "deadline",
        "--from",
        "2026-03-02",
        "--days",
        "30",
        "--unit",
        "calendar",
        "--json",
    ]);
    assert_eq!((c, v["due"].as_str()), (0, Some("2026-04-01")));
    let (c, v) = json(&[
        "deadline",
        "--from",
        "2026-12-28",
        "--days",
        "10",
        "--unit",
        "working",
        "--json",
    ]);
    // issue #11: no 2027 schedule is loaded: the law alone answers, marked
    // provisional, exit 0 (not "calendar missing").
    assert_eq!(c, 0, "{v}");
    assert_eq!(v["due"], "2027-01-12");
    assert_eq!(v["provisional"], true);
    assert_eq!(v["provisional_years"], serde_json::json!([2027]));
    let (c, v) = json(&[
        "deadline",
        "--from",
        "2026-12-04",
        "--days",
        "20",
        "--unit",
        "working",
        "--json",
    ]);
    assert_eq!(
        (c, v["due"].as_str(), v["provisional"].as_bool()),
        (0, Some("2027-01-04"), Some(true))
    );
    let (c, text) = clerkctl(&[
        "deadline",
        "--from",
        "2026-12-04",
        "--days",
        "20",
        "--unit",
        "working",
    ]);
    assert_eq!(c, 0);
    assert!(text.starts_with("2027-01-04 (暂定"), "{text}");
    // Calendar days never look at holidays.
    let (_, v) = json(&[
        "deadline",
        "--from",
        "2026-12-28",
        "--days",
        "30",
        "--unit",
        "calendar",
        "--json",
    ]);
    assert_eq!(
        (v["due"].as_str(), v["provisional"].as_bool()),
        (Some("2027-01-27"), Some(false))
    );
    // Years the law cannot answer stay an error.
    let (c, v) = json(&[
        "deadline",
        "--from",
        "2050-12-28",
        "--days",
        "10",
        "--unit",
        "working",
        "--json",
    ]);
    assert_eq!(c, 1);
    assert!(
        v["due"].is_null() && v["error"].as_str().unwrap().contains("2051"),
        "{v}"
    );
    let (c, _) = clerkctl(&["deadline", "--from", "2026-13-01", "--days", "5"]);
    assert_eq!(c, 2);
}

/// A made-up 2027 schedule (test data, never the official one): the law's
/// days, 4 January off too, Saturday 6 February a make-up working day.
fn test_schedule_2027() -> String {
    let law = [
        "2027-01-01",
        "2027-02-05",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-04-05",
        "2027-05-01",
        "2027-05-02",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01",
        "2027-10-02",
        "2027-10-03",
    ];
    let mut h: Vec<String> = law
        .iter()
        .map(|d| format!("[\"{d}\", \"{d}\", \"\"]"))
        .collect();
    h.push("[\"2027-01-04\", \"2027-01-04\", \"\"]".into());
    format!(
        "{{\"format\": 1, \"year\": 2027, \"source\": \"测试用安排\", \"holidays\": [{}], \"make_up_workdays\": [\"2027-02-20\"]}}",
        h.join(", ")
    )
}

#[test]
fn a_schedule_file_is_checked_imported_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2027.json");
    std::fs::write(&file, test_schedule_2027()).unwrap();
    let cal_dir = dir.path().join("calendar");
    let cal = cal_dir.to_str().unwrap();
    let f = file.to_str().unwrap();
    let (c, out) = clerkctl(&["calendar", "check", f]);
    assert_eq!(c, 0, "{out}");
    assert!(out.contains("valid schedule for 2027"), "{out}");
    let (_, out) = clerkctl(&["calendar", "status", "--calendar-dir", cal]);
    assert!(out.contains("2027\tlaw-only"), "{out}");
    let (c, out) = clerkctl(&["calendar", "import", f, "--calendar-dir", cal]);
    assert_eq!(c, 0, "{out}");
    assert!(cal_dir.join("2027.json").exists());
    let (_, out) = clerkctl(&["calendar", "status", "--calendar-dir", cal]);
    assert!(out.contains("2027\tofficial\t测试用安排"), "{out}");
    // The deadline now follows the imported year and is final.
    let (c, v) = json(&[
        "deadline",
        "--from",
        "2026-12-28",
        "--days",
        "10",
        "--unit",
        "working",
        "--calendar-dir",
        cal,
        "--json",
    ]);
    assert_eq!(
        (c, v["due"].as_str(), v["provisional"].as_bool()),
        (0, Some("2027-01-13"), Some(false))
    );
    // A file without a day the law fixes is refused and not imported.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        test_schedule_2027().replace("[\"2027-09-15\", \"2027-09-15\", \"\"], ", ""),
    )
    .unwrap();
    let (c, _) = clerkctl(&[
        "calendar",
        "import",
        bad.to_str().unwrap(),
        "--calendar-dir",
        dir.path().join("other").to_str().unwrap(),
    ]);
    assert_eq!(c, 1);
    assert!(!dir.path().join("other/2027.json").exists());
}

#[test]
fn catalogue_search_lists_matches() {
    let (c, out) = clerkctl(&["catalogue", "search", "食品"]);
    assert_eq!(c, 0);
    assert!(out.contains("食品经营许可\t保山市市场监督管理局"), "{out}");
    let (c, out) = clerkctl(&["catalogue", "search", "spjyxk"]);
    assert_eq!((c, out.lines().count()), (0, 1), "{out}");
    let (c, _) = clerkctl(&["catalogue", "search", "没有这个事项"]);
    assert_eq!(c, 1);
}

#[test]
fn render_lists_types_and_renders_a_sample_with_a_hall_template() {
    let (code, out) = clerkctl(&["render", "--list"]);
    assert_eq!(code, 0);
    for kind in [
        "receipt",
        "receipt_80mm",
        "acceptance_notice",
        "non_acceptance_notice",
        "supplement_notice",
        "gap_acceptance_notice",
        "fee_notice",
        "result_notice",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("{kind}\t"))),
            "{out}"
        );
    }
    let dir = std::env::temp_dir().join(format!("clerkctl-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pdf = dir.join("r.pdf");
    let (code, _) = clerkctl(&[
        "render",
        "receipt",
        "--sample",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("收件凭证") && text.contains("3205-K7QM-000123-H"),
        "{text}"
    );

    // A hall's own template wins over the bundled one.
    std::fs::write(
        dir.join("receipt.json"),
        r#"{"format":1,"kind":"receipt","title":"材料接收凭证","blocks":[{"type":"text","text":"{applicant_name}"}]}"#,
    )
    .unwrap();
    let (code, _) = clerkctl(&[
        "render",
        "receipt",
        "--sample",
        "--templates",
        dir.to_str().unwrap(),
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let text = String::from_utf8(
        Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(text.contains("材料接收凭证"), "{text}");

    // Unknown type: usage error.
    assert_eq!(
        clerkctl(&["render", "nope", "--sample", "--out", pdf.to_str().unwrap()]).0,
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn run_err(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clerkctl"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn text_of(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// `--case`: a case file is checked by the window's rules and its own
/// dates and names are printed; the hall's config supplies names,
/// templates and the seal image; a bad case names the field and the rule.
#[test]
fn render_a_given_case_with_the_halls_config() {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/samples/case-food-gap.json"
    );
    let dir = std::env::temp_dir().join(format!("clerkctl-case-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("tpl")).unwrap();
    let pdf = dir.join("n.pdf");
    let (code, _) = clerkctl(&[
        "render",
        "gap_acceptance_notice",
        "--case",
        sample,
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let t = text_of(&pdf);
    // Due dates are worked out by clerk-core from received_on 2026-03-02.
    for want in [
        "李四",
        // The 经办人 is a person (the sample's, as no clerk is named).
        "经办人：王芳",
        "2026年3月9日前补齐",
        "2026年3月16日",
        "食品安全管理制度目录",
    ] {
        assert!(t.contains(want), "{want:?} not in {t}");
    }

    // The hall's config: names and its template folder (relative to the file).
    std::fs::write(
        dir.join("clerk.toml"),
        "[hall]\ncode = \"530502-ZWZX\"\nname = \"保山市隆阳区政务服务中心\"\n[window]\ncode = \"09\"\nname = \"不动产登记9号窗口\"\n[notices]\ntemplates = \"tpl\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tpl/gap_acceptance_notice.json"),
        r#"{"format":1,"kind":"gap_acceptance_notice","title":"容缺受理通知书（本厅版式）","blocks":[{"type":"text","text":"{window} {applicant_name} {supply_by_zh}"}]}"#,
    )
    .unwrap();
    let config = dir.join("clerk.toml");
    let (code, _) = clerkctl(&[
        "render",
        "gap_acceptance_notice",
        "--case",
        sample,
        "--config",
        config.to_str().unwrap(),
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let t = text_of(&pdf);
    assert!(
        t.contains("本厅版式") && t.contains("不动产登记9号窗口李四2026年3月9日"),
        "{t}"
    );

    // A case the window would refuse is refused here too, naming the field.
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        std::fs::read_to_string(sample)
            .unwrap()
            .replace("530502199001011233", "530502199002301233"),
    )
    .unwrap();
    let (code, err) = run_err(&[
        "render",
        "gap_acceptance_notice",
        "--case",
        bad.to_str().unwrap(),
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("applicant.id_no") && err.contains("身份证件号码有误"),
        "{err}"
    );

    // A seal image that is not a PNG is named.
    std::fs::write(dir.join("seal.jpg"), b"not a png").unwrap();
    let (code, err) = run_err(&[
        "render",
        "receipt",
        "--sample",
        "--seal",
        dir.join("seal.jpg").to_str().unwrap(),
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("seal.jpg") && err.contains("印章区图片"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// clap (issue #12): help, errors that name the argument, completions.
#[test]
fn arguments_are_parsed_with_help_errors_and_completions() {
    let (code, out) = clerkctl(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("check-id") && out.contains("deadline") && out.contains("completions"),
        "{out}"
    );
    let (code, err) = run_err(&["deadline", "--from", "2026-03-02"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--days"),
        "the missing argument is named: {err}"
    );
    let (code, err) = run_err(&[
        "deadline",
        "--from",
        "2026-03-02",
        "--days",
        "5",
        "--unit",
        "fortnight",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("working") && err.contains("calendar"), "{err}");
    let (code, out) = clerkctl(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("clerkctl") && out.contains("check-id"),
        "{out}"
    );
}
