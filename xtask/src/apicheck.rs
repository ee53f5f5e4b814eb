//! `cargo xtask api-check` (and a step of `cargo xtask test`): schemathesis
//! against the real platform server's own OpenAPI on a private PostgreSQL,
//! signed in as a real window, for a bounded number of cases per
//! operation: no 5xx, and every answer matches the schema (issue #13).
//! Then the admin listener, with the admin token, on its own document.

use crate::{deps, platform, root, sh, Result};
use std::process::Command;

/// Cases per operation: enough to walk every route's edges in a minute
/// or two; `API_CHECK_EXAMPLES` asks for more on a machine with time.
const EXAMPLES: &str = "15";
/// A fixed seed, so a failure comes back the same way.
const SEED: &str = "20261202";

fn post(url: &str, body: &serde_json::Value) -> Result<serde_json::Value> {
    let out = Command::new("curl")
        .args([
            "-sS",
            "--fail-with-body",
            "-H",
            "content-type: application/json",
            "-d",
        ])
        .arg(body.to_string())
        .arg(url)
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "POST {url}: {}",
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("POST {url}: {e}"))
}

pub fn run() -> Result {
    let st = deps::schemathesis()?;
    let dir = root().join("target/api-check");
    let _ = std::fs::remove_dir_all(&dir);
    let (p, code) = platform::start(&dir)?;
    // A real window's session: enrolled with the code, the demo clerk
    // signed in.
    let e = post(
        &format!("{}/v1/devices/enroll", p.url),
        &serde_json::json!({"code": code, "db_instance_id": "api-check", "max_receipt_counter": 0, "app_version": "api-check"}),
    )?;
    let t = post(
        &format!("{}/v1/auth/login", p.url),
        &serde_json::json!({"device_id": e["device_id"], "device_secret": e["device_secret"],
                            "user_id": platform::DEMO_USER, "password": platform::DEMO_PASSWORD}),
    )?;
    let token = t["access_token"].as_str().unwrap_or_default().to_owned();
    let examples = std::env::var("API_CHECK_EXAMPLES").unwrap_or_else(|_| EXAMPLES.into());
    let extra: Vec<String> = std::env::var("API_CHECK_ARGS")
        .map(|a| a.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    // A push that names this device with another database is a restored
    // or copied PC: the device is quarantined (as it must be) and every
    // later call is 403. So the push goes last, on its own.
    for (i, only) in [
        ["--exclude-path", "/v1/sync/push"],
        ["--include-path", "/v1/sync/push"],
    ]
    .iter()
    .enumerate()
    {
        sh::run(
            Command::new(&st)
                .arg("run")
                .arg(format!("{}/openapi.json", p.url))
                .args(["--checks", "not_a_server_error,response_schema_conformance"])
                .args(["--max-examples", &examples, "--seed", SEED])
                .args(["--header", &format!("Authorization: Bearer {token}")])
                // A tus chunk (application/offset+octet-stream) is not a
                // body schemathesis can make; the upload lane has its own
                // fault tests (clerk-sync attachments, scenarios 23–28).
                .args(["--exclude-method", "PATCH"])
                .args(only)
                .args(&extra)
                .args(["--report", "junit", "--report-dir"])
                .arg(dir.join(format!("report-{i}")))
                .env("NO_COLOR", "1"),
        )?;
    }
    // The admin listener, with the admin token: its own document, the
    // same checks.
    sh::run(
        Command::new(&st)
            .arg("run")
            .arg(format!("{}/openapi.json", p.admin_url))
            .args(["--checks", "not_a_server_error,response_schema_conformance"])
            .args(["--max-examples", &examples, "--seed", SEED])
            .args([
                "--header",
                &format!("Authorization: Bearer {}", p.admin_token),
            ])
            .args(&extra)
            .args(["--report", "junit", "--report-dir"])
            .arg(dir.join("report-admin"))
            .env("NO_COLOR", "1"),
    )?;
    Ok(())
}
