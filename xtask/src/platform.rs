//! `cargo xtask run --platform`: a private PostgreSQL cluster under
//! target/, the reference platform server on loopback, a demo hall with a
//! clerk, and the app enrolled to it — sync with one command.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{cargo, root, sh, Result};

pub const DEMO_USER: &str = "clerk";
pub const DEMO_PASSWORD: &str = "clerk-demo-1";
pub const DEMO_PORT: u16 = 8787;

pub struct Platform {
    pub url: String,
    /// The admin listener (its own port, loopback).
    pub admin_url: String,
    /// The admin API's bearer token.
    pub admin_token: String,
    pub db_url: String,
    pub dir: PathBuf,
    server: Child,
}

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = pg_harness::stop(&self.dir.join("pg"));
    }
}

fn bin() -> PathBuf {
    root().join("target/debug/platform-server")
}

fn admin(db_url: &str, args: &[&str]) -> Result<serde_json::Value> {
    let out = Command::new(bin())
        .args(["admin", "--database-url", db_url])
        .args(args)
        .env("PLATFORM_USER_PASSWORD", DEMO_PASSWORD)
        .env("PLATFORM_LOG", "warn")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "platform-server admin {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// A token nobody typed: 32 hex characters from the OS.
fn random_hex() -> Result<String> {
    let mut b = [0u8; 16];
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(|e| e.to_string())?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Start everything; returns the platform and a fresh enrolment code.
pub fn start(dir: &Path) -> Result<(Platform, String)> {
    sh::run(
        sh::cmd(&cargo())
            .args(["build", "-p", "platform-server"])
            .current_dir(root()),
    )?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let cluster = pg_harness::start(&dir.join("pg"))?;
    let db_url = cluster.url("postgres");
    let token_file = dir.join("admin-token");
    if !token_file.exists() {
        std::fs::write(&token_file, random_hex()?).map_err(|e| e.to_string())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600));
        }
    }
    admin(&db_url, &["add-office", "SAMPLE", "示例政务服务中心"])?;
    admin(&db_url, &["add-user", DEMO_USER, "演示窗口人员", "SAMPLE"])?;
    let code = admin(&db_url, &["enrolment-code", "SAMPLE", "00"])?["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut server = Command::new(bin())
        .args(["serve", "--database-url", &db_url, "--listen"])
        .arg(format!("127.0.0.1:{DEMO_PORT}"))
        .args(["--admin-listen", "127.0.0.1:0"])
        .arg("--admin-token-file")
        .arg(&token_file)
        .arg("--blob-dir")
        .arg(dir.join("blobs"))
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    if let Some(out) = server.stdout.take() {
        let _ = std::io::BufReader::new(out).read_line(&mut line);
    }
    if !line.starts_with("listening on") {
        let _ = server.kill();
        return Err(format!(
            "the platform server did not start (port {DEMO_PORT} in use?): {line}"
        ));
    }
    let url = format!("http://127.0.0.1:{DEMO_PORT}");
    // "listening on http://a (admin API on http://b)"
    let admin_url = line
        .split("(admin API on ")
        .nth(1)
        .map(|r| r.trim().trim_end_matches(')').to_owned())
        .unwrap_or_default();
    let admin_token = std::fs::read_to_string(&token_file)
        .map_err(|e| e.to_string())?
        .trim()
        .to_owned();
    println!(
        "xtask: platform server at {url} (PostgreSQL in {}, admin token in {})",
        dir.join("pg").display(),
        token_file.display()
    );
    Ok((
        Platform {
            url,
            admin_url,
            admin_token,
            db_url,
            dir: dir.to_owned(),
            server,
        },
        code,
    ))
}

/// The app's machine config for the demo hall.
pub fn demo_config(dir: &Path, url: &str) -> Result<PathBuf> {
    let p = dir.join("clerk.toml");
    std::fs::write(
        &p,
        format!(
            "[hall]\ncode = \"SAMPLE\"\nname = \"示例政务服务中心（演示平台）\"\n\n[window]\ncode = \"00\"\nname = \"演示窗口\"\n\n[platform]\nserver_url = \"{url}\"\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    Ok(p)
}
