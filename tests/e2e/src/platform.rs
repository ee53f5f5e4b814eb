//! A real platform server for the end-to-end tests: the `platform-server`
//! binary on a private PostgreSQL database, driven by its
//! admin CLI as a department or an administrator would; and the window's
//! steps that talk to it (log in, sync now).

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{k, App, Key};

pub const PASSWORD: &str = "clerk-e2e-pass";

pub fn server_bin() -> std::path::PathBuf {
    std::env::var_os("PLATFORM_SERVER_BIN")
        .map(Into::into)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/debug/platform-server")
        })
}

pub fn admin(db: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(server_bin())
        .args(["admin", "--database-url", db])
        .args(args)
        .env("PLATFORM_USER_PASSWORD", PASSWORD)
        .env("PLATFORM_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "admin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub struct Server(Child);

impl Server {
    pub fn start(db: &str, port: u16, blobs: &std::path::Path) -> Server {
        let mut c = Command::new(server_bin())
            .args([
                "serve",
                "--database-url",
                db,
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--admin-listen",
                "127.0.0.1:0",
            ])
            .arg("--blob-dir")
            .arg(blobs)
            .env("PLATFORM_ADMIN_TOKEN", "e2e-admin-token-0123456789")
            .env("PLATFORM_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(c.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("listening on"), "{line}");
        Server(c)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn config(window: &str, port: u16) -> String {
    format!(
        "[hall]\ncode = \"SAMPLE\"\nname = \"保山市隆阳区政务服务中心\"\n[window]\ncode = \"{window}\"\nname = \"综合受理{window}号窗口\"\n[platform]\nserver_url = \"http://127.0.0.1:{port}\"\n"
    )
}

/// Wait up to `secs` for `css` to contain `want` (the worker's own timer).
pub async fn wait_long(app: &App, css: &str, want: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let t = if app.exists(css).await {
            app.text(css).await
        } else {
            String::new()
        };
        if t.contains(want) {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "{css}: {want:?} not there within {secs} s; it says {t:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// 王芳 signed in online at start (the sandbox's user): her name is in
/// the top bar.
pub async fn login(app: &App) {
    app.wait_text("[data-testid=who]", "王芳").await;
}

pub async fn sync_now(app: &App) {
    app.keys(&format!("{}4", k(Key::Alt))).await;
    app.click("[data-testid=sync-now]").await;
    wait_long(app, "[data-testid=sync-message]", "同步完成", 20).await;
}

pub async fn hall_tab(app: &App) {
    app.keys(&format!("{}2", k(Key::Alt))).await;
    app.click("[data-testid=tab-hall]").await;
}

/// Put a file in the drawer's file picker, as a clerk choosing one would.
pub async fn pick_file(app: &App, name: &str, head: &str) {
    app.js(&format!(
        r#"const input = document.querySelector('[data-testid=case-detail] [data-testid=att-file]');
        const body = new TextEncoder().encode({head:?} + 'scan '.repeat(4000));
        const dt = new DataTransfer();
        dt.items.add(new File([body], {name:?}, {{ type: 'application/pdf' }}));
        input.files = dt.files;
        input.dispatchEvent(new Event('change'));
        return true;"#
    ))
    .await;
}

/// A hall on a fresh platform: the office SAMPLE and the clerk user on a new
/// database, the server running on a free loopback port with its own blob
/// folder.
pub struct Hall {
    pub db: String,
    pub port: u16,
    pub blobs: tempfile::TempDir,
    /// None while the platform is "down" (`stop`, then `start`).
    pub server: Option<Server>,
}

impl Hall {
    pub async fn start() -> Hall {
        let db = pg_harness::fresh_database("e2e").await;
        admin(&db, &["add-office", "SAMPLE", "保山市隆阳区政务服务中心"]);
        admin(&db, &["add-user", "clerk", "王芳", "SAMPLE"]);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let blobs = tempfile::tempdir().unwrap();
        let server = Some(Server::start(&db, port, blobs.path()));
        Hall {
            db,
            port,
            blobs,
            server,
        }
    }

    pub fn stop(&mut self) {
        self.server = None;
    }

    pub fn restart(&mut self) {
        self.server = Some(Server::start(&self.db, self.port, self.blobs.path()));
    }

    /// A window of this hall, enrolled with a fresh code at its first
    /// start. The test pins the day (`.on_day`).
    pub fn sandbox(&self, window: &str) -> crate::Sandbox {
        self.sandbox_with(window, "")
    }

    /// The same, with more of the machine config (e.g. `[session]`).
    pub fn sandbox_with(&self, window: &str, more_config: &str) -> crate::Sandbox {
        let code = admin(&self.db, &["enrolment-code", "SAMPLE", window])["code"]
            .as_str()
            .unwrap()
            .to_owned();
        // Enrolled silently at start (IT's one-time code); 王芳 signs in
        // online on the sign-in screen.
        crate::Sandbox::new()
            .with_config(&format!("{}{more_config}", config(window, self.port)))
            .with_env("WINDOW_CLERK_ENROL_CODE", &code)
            .as_user("clerk", PASSWORD)
    }
}
