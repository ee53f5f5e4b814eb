//! The `platform-server` command line (clap): help, errors naming what is
//! missing, and the admin actions on a real PostgreSQL — `add-user --role`.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_platform-server"))
        .args(args)
        .env("PLATFORM_USER_PASSWORD", "password-cli-1")
        .env("PLATFORM_LOG", "warn")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_actions_parse_with_clap_and_add_user_takes_roles() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("serve") && out.contains("admin") && out.contains("completions"),
        "{out}"
    );
    let (code, _, err) = run(&["admin", "add-office", "X", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("--database-url"), "{err}");
    let (code, _, err) = run(&[
        "admin",
        "--database-url",
        "postgres://nowhere",
        "decide",
        "c1",
        "dept",
        "maybe",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("approve"), "{err}");

    let db = pg_harness::fresh_database("cli").await;
    let (code, _, err) = run(&[
        "admin",
        "--database-url",
        &db,
        "add-office",
        "530502-ZWZX",
        "隆阳区政务服务中心",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&[
        "admin",
        "--database-url",
        &db,
        "add-user",
        "lead1",
        "王主任",
        "530502-ZWZX",
        "--role",
        "supervisor,clerk",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["roles"], "clerk,supervisor");
    let (code, _, err) = run(&[
        "admin",
        "--database-url",
        &db,
        "add-user",
        "x1",
        "某",
        "530502-ZWZX",
        "--role",
        "root",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("root"), "{err}");
    let (code, out, err) = run(&["admin", "--database-url", &db, "disable-user", "lead1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"disabled\":true"), "{out}");
}
