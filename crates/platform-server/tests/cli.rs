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

fn serve_cmd(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_platform-server"));
    c.arg("serve")
        .args(args)
        .env("PLATFORM_ADMIN_TOKEN", "cli-admin-token-0123456789")
        .env("PLATFORM_LOG", "warn");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_plain_http_off_loopback_and_serves_https_from_its_files() {
    let db = pg_harness::fresh_database("cli_tls").await;
    let out = serve_cmd(&["--database-url", &db, "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--tls-cert") && err.contains("not a loopback"),
        "{err}"
    );
    let out = serve_cmd(&["--database-url", &db, "--tls-cert", "x.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a certificate without its key");

    let dir = tempfile::tempdir().unwrap();
    let ca = pg_harness::certs::TestCa::new("测试根证书");
    let (cert, key) = ca.server(&["127.0.0.1"]);
    let (cert_file, key_file) = (dir.path().join("server.pem"), dir.path().join("server.key"));
    std::fs::write(&cert_file, cert).unwrap();
    std::fs::write(&key_file, "not a key").unwrap();
    let args = |k: &std::path::Path| {
        vec![
            "--database-url".to_owned(),
            db.clone(),
            "--listen".into(),
            "0.0.0.0:0".into(),
            "--admin-listen".into(),
            "127.0.0.1:0".into(),
            "--blob-dir".into(),
            dir.path().join("blobs").display().to_string(),
            "--tls-cert".into(),
            cert_file.display().to_string(),
            "--tls-key".into(),
            k.display().to_string(),
        ]
    };
    let a = args(&key_file);
    let out = serve_cmd(&a.iter().map(String::as_str).collect::<Vec<_>>())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("TLS key file"), "{err}");

    std::fs::write(&key_file, key).unwrap();
    let a = args(&key_file);
    let mut child = serve_cmd(&a.iter().map(String::as_str).collect::<Vec<_>>())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert!(line.starts_with("listening on https://0.0.0.0:"), "{line}");
    let port = line
        .split_whitespace()
        .nth(2)
        .and_then(|u| u.rsplit(':').next())
        .unwrap()
        .to_owned();
    let http = reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(ca.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let r = http
        .get(format!("https://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(r.unwrap().text().await.unwrap(), "ok");
}
