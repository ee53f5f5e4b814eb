//! End-to-end harness: the real Window Clerk binary in a real window under
//! Xvfb, driven through tauri-driver and WebKitWebDriver with fantoccini.
//!
//! `cargo xtask test` provides the display, the session bus and these
//! environment variables:
//! - `WINDOW_CLERK_BIN`: the app binary (built with the embedded UI);
//! - `TAURI_DRIVER`: the tauri-driver binary;
//! - `E2E_SCREENSHOTS`: where each test saves its PNG.
//!
//! Each app gets its own temporary HOME, data dir and machine config, so
//! tests share nothing (WebKit storage included).

pub mod platform;
// The CUPS helpers shared with clerk-print's tests (std only: the harness
// does not build clerk-print's PDF stack).
#[path = "../../../crates/clerk-print/src/testing.rs"]
mod cups;

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use fantoccini::key::Key;

fn env_path(name: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(v) => PathBuf::from(v),
        None => panic!(
            "{name} is not set: run the end-to-end tests through `cargo xtask test`, which provides the display, \
             the session bus, tauri-driver and the app binary"
        ),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A test's private folder: HOME, data dir and config for one or more app starts.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    env: Vec<(&'static str, PathBuf)>,
    /// Who `App::start` signs in (issue #12); None: the test signs in.
    user: Option<(String, String)>,
}

/// The demo clerk the app seeds with `WINDOW_CLERK_DEMO_USERS` (see
/// `crates/clerk-app/src/state.rs`).
pub const DEMO_CLERK: (&str, &str) = ("clerk01", "demo-clerk-1");

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("wc-e2e-")
                .tempdir()
                .unwrap(),
            // The demo users (admin, clerk01, clerk02, lead01, audit01),
            // and 张三 signed in at start.
            env: vec![("WINDOW_CLERK_DEMO_USERS", PathBuf::from("1"))],
            user: Some((DEMO_CLERK.0.into(), DEMO_CLERK.1.into())),
        }
    }

    /// Start on the sign-in screen: the test signs in itself.
    pub fn signed_out(mut self) -> Self {
        self.user = None;
        self
    }

    /// Sign this user in at start.
    pub fn as_user(mut self, user: &str, password: &str) -> Self {
        self.user = Some((user.into(), password.into()));
        self
    }

    /// No demo users: the first start asks for the local administrator.
    pub fn without_demo_users(mut self) -> Self {
        self.env.retain(|(k, _)| *k != "WINDOW_CLERK_DEMO_USERS");
        self.user = None;
        self
    }

    /// Pretend today is `date` (YYYY-MM-DD), so deadlines are the same on
    /// every run.
    pub fn on_day(mut self, date: &str) -> Self {
        self.env.push(("WINDOW_CLERK_TODAY", PathBuf::from(date)));
        self
    }

    /// Move the pinned day on: the next `App::start` in this sandbox runs
    /// on `date` (the applicant comes back days later).
    pub fn move_to_day(&mut self, date: &str) {
        self.env.retain(|(k, _)| *k != "WINDOW_CLERK_TODAY");
        self.env.push(("WINDOW_CLERK_TODAY", PathBuf::from(date)));
    }

    /// One more environment variable for the app.
    pub fn with_env(mut self, key: &'static str, value: &str) -> Self {
        self.env.push((key, PathBuf::from(value)));
        self
    }

    /// Write the machine config file the app will read.
    pub fn with_config(self, toml: &str) -> Self {
        std::fs::write(self.config_path(), toml).unwrap();
        self
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("clerk.toml")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The environment an app started in this sandbox gets: its own HOME
    /// (so WebKit's storage is private too), data dir and config file.
    pub fn app_env(&self) -> Vec<(&'static str, PathBuf)> {
        let home = self.dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        vec![
            ("XDG_DATA_HOME", home.join(".local/share")),
            ("XDG_CONFIG_HOME", home.join(".config")),
            ("XDG_CACHE_HOME", home.join(".cache")),
            ("HOME", home),
            ("WINDOW_CLERK_DATA_DIR", self.data_dir()),
            ("WINDOW_CLERK_CONFIG", self.config_path()),
        ]
        .into_iter()
        .chain(self.env.iter().cloned())
        .collect()
    }

    /// The app binary under test.
    pub fn app_binary() -> PathBuf {
        env_path("WINDOW_CLERK_BIN")
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

/// Citizens' personal data the tests typed (names, ID and phone numbers):
/// no log file may hold any of it (issue #12). Registered by
/// [`personal`], [`citizen_id`] and every ID or phone number [`App::keys`]
/// types; checked when a sandbox ends.
static PERSONAL: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Note a citizen's name (or other personal text) the test types.
pub fn personal(s: &str) {
    let mut v = PERSONAL.lock().unwrap();
    if !v.iter().any(|x| x == s) {
        v.push(s.to_owned());
    }
}

/// An 18-character ID number or an 11-digit mobile number in typed text.
fn note_numbers(typed: &str) {
    let mut run = String::new();
    for c in typed.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == 'X' && run.len() == 17) {
            run.push(c);
            continue;
        }
        if run.len() == 18 || (run.len() == 11 && run.starts_with('1')) {
            personal(&run);
        }
        run.clear();
    }
}

/// Every log file in `dir` (the app's logs, the driver's log with the
/// app's stderr), searched for the personal data typed so far.
pub fn logs_with_personal_data(dir: &Path) -> Vec<String> {
    let wanted = PERSONAL.lock().unwrap().clone();
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let is_log = name.ends_with(".log")
                || name.contains(".log.")
                || p.parent().is_some_and(|x| x.ends_with("logs"));
            if !is_log {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).to_string();
            for w in &wanted {
                if text.contains(w.as_str()) {
                    found.push(format!("{}: {w}", p.display()));
                }
            }
        }
    }
    found
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let found = logs_with_personal_data(self.dir.path());
        assert!(
            found.is_empty(),
            "citizens' personal data in log files: {found:?}"
        );
    }
}

pub struct App {
    pub client: Client,
    driver: Child,
    name: String,
    data_dir: PathBuf,
}

/// The app processes started with this sandbox's data directory.
fn apps_of(data_dir: &Path) -> Vec<i32> {
    let needle = format!("WINDOW_CLERK_DATA_DIR={}", data_dir.display());
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    procs
        .flatten()
        .filter_map(|p| {
            let pid = p.file_name().to_string_lossy().parse::<i32>().ok()?;
            if pid == std::process::id() as i32 {
                return None;
            }
            let env = std::fs::read(p.path().join("environ")).ok()?;
            let exe = std::fs::read_link(p.path().join("exe")).ok()?;
            (env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes())
                && exe
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("window-clerk")))
            .then_some(pid)
        })
        .collect()
}

/// Kill every process started with this sandbox's data directory: after a
/// failed test the app may outlive tauri-driver, and its single-instance
/// lock would then swallow the next test's app.
fn kill_apps_of(data_dir: &Path) {
    for pid in apps_of(data_dir) {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
}

impl App {
    /// Start the app in `sandbox` and wait until the shell is interactive.
    pub async fn start(name: &str, sandbox: &Sandbox) -> App {
        // issue #11: no test depends on the date it runs on.
        assert!(
            sandbox.env.iter().any(|(k, _)| *k == "WINDOW_CLERK_TODAY"),
            "{name}: the app would run on today's date: pin the day with Sandbox::on_day"
        );
        let bin = env_path("WINDOW_CLERK_BIN");
        let driver_bin = env_path("TAURI_DRIVER");
        let port = free_port();
        let native = free_port();
        let log =
            std::fs::File::create(sandbox.dir.path().join(format!("driver-{name}.log"))).unwrap();
        // The app inherits tauri-driver's environment.
        let driver = Command::new(&driver_bin)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .envs(sandbox.app_env())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_bin.display()));

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": bin }),
        );
        // tauri-driver answers before WebKitWebDriver listens: retry a while.
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            // One attempt may hang when the driver accepts the connection
            // but never starts the app (seen once on a loaded machine): a
            // failure with a reason, not a suite that never ends.
            let mut builder = ClientBuilder::rustls().expect("rustls");
            builder.capabilities(caps.clone());
            let url = format!("http://127.0.0.1:{port}");
            let Ok(attempt) =
                tokio::time::timeout(Duration::from_secs(120), builder.connect(&url)).await
            else {
                panic!("{name}: the WebDriver session was not created within 120 s (tauri-driver hung)");
            };
            match attempt {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("no WebDriver session within 30 s: {e}"),
            }
        };
        let app = App {
            client,
            driver,
            name: name.to_owned(),
            data_dir: sandbox.data_dir(),
        };
        let ready = app
            .client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("body[data-ready='1']"))
            .await;
        if let Err(e) = ready {
            let shot = app.screenshot("not-ready").await;
            let html = app.client.source().await.unwrap_or_default();
            panic!("{name}: the shell did not become ready within 30 s ({e}); screenshot {}; page: {html}", shot.display());
        }
        if let Some((user, password)) = &sandbox.user {
            app.sign_in(user, password).await;
        }
        app
    }

    /// Sign out from the top bar; the webview reloads onto the sign-in
    /// screen (nothing of the user stays).
    pub async fn sign_out(&self) {
        self.click("[data-testid=sign-out]").await;
        self.wait_css("body[data-ready='1'] [data-testid=signin-user]")
            .await;
    }

    /// Sign in on the sign-in screen (keyboard: user, Tab, password,
    /// Enter) and wait for the shell. A PC enrolling at its first start
    /// may answer "not enrolled yet" for a moment: tried again then.
    pub async fn sign_in(&self, user: &str, password: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.wait_css("[data-testid=signin-user]").await;
            self.js("document.querySelector('[data-testid=signin-user]').value = ''; document.querySelector('[data-testid=signin-user]').dispatchEvent(new Event('input'))").await;
            self.click("[data-testid=signin-user]").await;
            self.keys(user).await;
            self.keys(&k(Key::Tab)).await;
            self.keys(password).await;
            self.keys(&k(Key::Enter)).await;
            let t = Instant::now() + Duration::from_secs(10);
            loop {
                if self
                    .exists("body[data-phase=active] [data-testid=who]")
                    .await
                {
                    return;
                }
                if self.exists("[data-testid=signin-error]").await || Instant::now() > t {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let why = if self.exists("[data-testid=signin-error]").await {
                self.text("[data-testid=signin-error]").await
            } else {
                "no answer".into()
            };
            if Instant::now() > deadline {
                let shot = self.screenshot("sign-in-failed").await;
                panic!(
                    "{}: {user} could not sign in: {why}; screenshot {}",
                    self.name,
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Scroll an element to the middle of the window (clear of sticky bars)
    /// and click it.
    pub async fn click(&self, css: &str) {
        let el = self.wait_css(css).await;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'}); return 1",
                vec![serde_json::to_value(&el).unwrap()],
            )
            .await
            .unwrap();
        el.click().await.unwrap();
    }

    pub async fn wait_css(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{}: no element {css:?} within 20 s: {e}", self.name))
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_css(css).await.text().await.unwrap()
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Wait until `css`'s text contains `want`.
    pub async fn wait_text(&self, css: &str, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.text(css).await;
            if got.contains(want) {
                return got;
            }
            if Instant::now() > deadline {
                panic!(
                    "{}: {css:?} shows {got:?}, expected it to contain {want:?}",
                    self.name
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Type into whatever has the keyboard focus, like a clerk would.
    /// Modifier keys in `keys` stay down until the end of the call.
    pub async fn keys(&self, keys: &str) {
        note_numbers(keys);
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(keys)
            .await
            .unwrap();
    }

    /// `data-testid` of the focused element or of its nearest marked ancestor.
    pub async fn focused_testid(&self) -> String {
        let v = self
            .client
            .execute(
                "const el = document.activeElement; const m = el && el.closest('[data-testid]'); \
                 return m ? m.getAttribute('data-testid') : (el ? el.tagName : '');",
                vec![],
            )
            .await
            .unwrap();
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Wait (up to 5 s) until the focused element is `testid`.
    pub async fn wait_focus(&self, testid: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let got = self.focused_testid().await;
            if got == testid {
                return;
            }
            if Instant::now() > deadline {
                panic!("{}: focus is on {got:?}, expected {testid:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Save a PNG of the window under `$E2E_SCREENSHOTS/<name>.png`.
    pub async fn screenshot(&self, suffix: &str) -> PathBuf {
        let dir = env_path("E2E_SCREENSHOTS");
        std::fs::create_dir_all(&dir).unwrap();
        let file = if suffix.is_empty() {
            format!("{}.png", self.name)
        } else {
            format!("{}-{suffix}.png", self.name)
        };
        let path = dir.join(file);
        // Let WebKit paint the last change before the capture.
        let _ = self.client.execute("return await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))", vec![]).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Stop the app the way a logoff or shutdown does (SIGTERM) and wait
    /// for it to end by itself. False if it was still running after 10 s
    /// (it is killed then).
    pub async fn stop_with_sigterm(self) -> bool {
        for pid in apps_of(&self.data_dir) {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        let mut ended = false;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if !app_running(&self.data_dir) {
                ended = true;
                break;
            }
        }
        self.close().await;
        ended
    }

    /// End the session (tauri-driver stops the app) and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Give the app a moment to end with its session, then make sure.
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if !app_running(&self.data_dir) {
                return;
            }
        }
        kill_apps_of(&self.data_dir);
    }
}

fn app_running(data_dir: &Path) -> bool {
    !apps_of(data_dir).is_empty()
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        kill_apps_of(&self.data_dir);
    }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The key as the string `App::keys` sends.
pub fn k(key: Key) -> String {
    char::from(key).to_string()
}

/// A valid citizen ID for an ID body of 17 digits (GB 11643 check digit
/// computed here, independently of the app's code).
pub fn citizen_id(body: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    let id = format!("{body}{check}");
    personal(&id);
    id
}

/// The cups-pdf queues are set up (under CI, missing ones fail the test).
pub fn have_printers(queues: &[&str]) -> bool {
    cups::queues_present(queues)
}

/// The PDF cups-pdf wrote for a CUPS job, waited for up to a minute.
/// The text layer of a PDF (pdftotext), whitespace left out.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The PDF's first page as `<name>.png` beside the screenshots, for people
/// to look at.
pub fn pdf_png(pdf: &Path, name: &str) {
    let shots = PathBuf::from(std::env::var_os("E2E_SCREENSHOTS").unwrap());
    let _ = Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-singlefile"])
        .arg(pdf)
        .arg(shots.join(name))
        .status();
}

pub async fn printed_pdf(job: &str) -> PathBuf {
    let job = job.to_owned();
    tokio::task::spawn_blocking(move || cups::wait_printed_file(&job))
        .await
        .unwrap()
}

/// From the intake view's search: type `spjyxk`, open 食品经营许可, wait for
/// its form (the focus is then on the applicant kind).
pub async fn pick_food_licence(app: &App) {
    app.wait_focus("matter-search").await;
    app.keys("spjyxk").await;
    app.wait_text("[data-testid=matter-list]", "食品经营许可")
        .await;
    app.keys(&k(Key::Down)).await;
    app.keys(&k(Key::Enter)).await;
    app.wait_text("[data-testid=matter-detail]", "食品经营许可")
        .await;
    app.wait_css("[data-testid=intake-form]").await;
}

/// Take in 食品经营许可 with every material received (plain accept), by
/// keyboard; the receipt number shown.
pub async fn accept_food_licence(app: &App, id_body: &str, name: &str) -> String {
    personal(name);
    pick_food_licence(app).await;
    app.wait_focus("kind-person").await;
    app.keys(&k(Key::Enter)).await;
    app.keys(&citizen_id(id_body)).await;
    app.keys(&k(Key::Enter)).await;
    app.keys(name).await;
    app.keys(&k(Key::Enter)).await;
    app.keys("13808720001").await;
    app.keys(&k(Key::Enter)).await;
    app.keys("保山市隆阳区保岫东路 1 号").await;
    app.keys(&k(Key::Enter)).await;
    for m in ["m1", "m2", "m3", "m4", "m5", "m6"] {
        app.click(&format!("[data-testid='recv-{m}']")).await;
    }
    app.keys(&format!("{}{}", k(Key::Control), k(Key::Enter)))
        .await;
    app.wait_css("[data-testid=receipt-no]").await;
    app.text("[data-testid=receipt-no]").await
}

/// A page on another origin (a loopback port of its own) and how many
/// connections it got: what the window must never be taken to.
pub async fn elsewhere() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/elsewhere", l.local_addr().unwrap());
    let knocks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let k = knocks.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            k.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf).await;
            let body = "<html><head><title>elsewhere</title></head><body>elsewhere</body></html>";
            let _ = s
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await;
        }
    });
    (url, knocks)
}
