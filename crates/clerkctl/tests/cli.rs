//! Drive the real clerkctl binary, as scripts will.

use std::process::Command;

fn clerkctl(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clerkctl"))
        .args(args)
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
    assert_eq!(c, 1);
    assert!(
        v["due"].is_null()
            && v["error"]
                .as_str()
                .unwrap()
                .contains("calendar missing for 2027"),
        "{v}"
    );
    let (c, _) = clerkctl(&["deadline", "--from", "2026-13-01", "--days", "5"]);
    assert_eq!(c, 2);
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
