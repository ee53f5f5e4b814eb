//! What a fresh Debian 12 / Ubuntu 22.04+ machine needs, and installing it.
//!
//! Every package is listed with the reason we need it; `xtask` prints both
//! before installing (with sudo when not root).

use crate::{root, sh, Result};
use std::process::Command;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Build and run the app.
    Run,
    /// Everything `Run` needs plus the test tools.
    Test,
    /// Everything `Run` needs plus installer tools.
    Bundle,
    /// `run --platform`: `Run` plus PostgreSQL.
    Platform,
}

const RUN: &[(&str, &str)] = &[
    (
        "build-essential",
        "C compiler and linker for Rust crates with C parts",
    ),
    ("pkg-config", "finds the system libraries below"),
    (
        "libwebkit2gtk-4.1-dev",
        "the WebKitGTK web view Tauri 2 uses on Linux",
    ),
    ("librsvg2-dev", "SVG icons in GTK"),
    (
        "libxdo-dev",
        "keyboard shortcuts in native menus (Tauri/muda)",
    ),
    (
        "libssl-dev",
        "OpenSSL for the encrypted local database (SQLCipher)",
    ),
    ("file", "used by the Tauri bundler"),
    ("fonts-noto-cjk", "Chinese fonts for the window"),
];

const TEST: &[(&str, &str)] = &[
    ("xvfb", "a virtual display for the end-to-end tests"),
    ("xauth", "xvfb-run needs it"),
    (
        "webkit2gtk-driver",
        "WebKitWebDriver, which tauri-driver drives",
    ),
    ("dbus", "a session bus (single instance, keyring) in tests"),
    ("dbus-x11", "dbus-launch for the GTK session"),
    ("gnome-keyring", "the real Secret Service for keyring tests"),
    (
        "python3-venv",
        "a private Python for schemathesis (the API checks)",
    ),
    (
        "libsecret-tools",
        "secret-tool, to inspect the keyring in tests",
    ),
    (
        "poppler-utils",
        "pdftotext/pdffonts/pdftoppm to check generated PDFs",
    ),
    ("cups", "the printing system the app prints through (lp)"),
    ("cups-client", "lp and lpstat"),
    (
        "cups-pdf",
        "a virtual printer that writes PDFs, to check real prints",
    ),
];

/// The test printer: a cups-pdf queue. CUPS's default PDF→PostScript path
/// (Ghostscript) turns CID text into Type 3 glyphs; pdftocairo keeps it
/// extractable, so the printed file's text can be checked.
pub const TEST_PRINTER: &str = "WC-PDF";
/// A second cups-pdf queue, kept stopped (as after "paper out"): jobs to it
/// are accepted and held, which is what the app must report.
pub const STOPPED_PRINTER: &str = "WC-STOPPED";

fn as_root(program: &str) -> Command {
    if is_root() {
        sh::cmd(program)
    } else {
        let mut c = sh::cmd("sudo");
        c.arg(program);
        c
    }
}

/// Start CUPS when it is not running (containers have no init) and add the
/// cups-pdf test queue.
fn ensure_test_printer() -> Result {
    let running = Command::new("lpstat")
        .arg("-r")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("is running"));
    if !running {
        println!("xtask: starting the CUPS scheduler (cupsd)");
        let started = Command::new("systemctl")
            .args(["start", "cups"])
            .status()
            .is_ok_and(|s| s.success());
        if !started {
            sh::run(&mut as_root("/usr/sbin/cupsd"))?;
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let queues = Command::new("lpstat")
        .arg("-e")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    for queue in [TEST_PRINTER, STOPPED_PRINTER] {
        if queues.lines().any(|l| l.trim() == queue) {
            continue;
        }
        println!("xtask: adding the cups-pdf test printer {queue}");
        sh::run(as_root("lpadmin").args([
            "-p",
            queue,
            "-v",
            "cups-pdf:/",
            "-E",
            "-P",
            "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd",
            "-o",
            "pdftops-renderer-default=pdftocairo",
        ]))?;
    }
    // Stopped with a reason, every time (a reboot or a test may have
    // started it); accepting, so jobs queue up and wait.
    // (cupsaccept clears the reason: it goes first.)
    sh::run(as_root("cupsaccept").arg(STOPPED_PRINTER))?;
    sh::run(as_root("cupsdisable").args(["-r", "Paper tray empty", STOPPED_PRINTER]))?;
    Ok(())
}

const PLATFORM: &[(&str, &str)] = &[(
    "postgresql",
    "PostgreSQL for the reference platform server (a private cluster under target/)",
)];

const BUNDLE: &[(&str, &str)] = &[("rpm", "rpm tools to check the .rpm installer")];

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}", pkg])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with("ii"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn apt(args: &[&str]) -> Result {
    let mut c = if is_root() {
        sh::cmd("apt-get")
    } else {
        let mut c = sh::cmd("sudo");
        c.arg("apt-get");
        c
    };
    sh::run(c.args(args).env("DEBIAN_FRONTEND", "noninteractive"))
}

pub fn setup(profile: Profile) -> Result {
    let mut wanted: Vec<(&str, &str)> = RUN.to_vec();
    match profile {
        Profile::Run => {}
        Profile::Test => {
            wanted.extend_from_slice(TEST);
            wanted.extend_from_slice(PLATFORM);
        }
        Profile::Bundle => wanted.extend_from_slice(BUNDLE),
        Profile::Platform => wanted.extend_from_slice(PLATFORM),
    }
    let node_ok = node_version().is_some_and(|v| v >= (18, 19));
    if !sh::exists("node") {
        wanted.push(("nodejs", "builds the Vue UI"));
    }
    if !sh::exists("npm") {
        wanted.push(("npm", "installs the UI's packages"));
    }

    if !sh::exists("dpkg-query") {
        println!("xtask: not a Debian-based system; make sure these are installed:");
        for (p, why) in &wanted {
            println!("  {p:24} {why}");
        }
    } else {
        let missing: Vec<_> = wanted.iter().filter(|(p, _)| !installed(p)).collect();
        if !missing.is_empty() {
            println!("xtask: installing missing system packages:");
            for (p, why) in &missing {
                println!("  {p:24} {why}");
            }
            apt(&["update", "-q"])?;
            let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
            args.extend(missing.iter().map(|(p, _)| *p));
            apt(&args)?;
        }
    }
    if !node_ok && node_version().is_none_or(|v| v < (18, 19)) {
        return Err(
            "Node.js 18.19 or newer is needed to build the UI (found older or none)".into(),
        );
    }
    if profile == Profile::Test {
        ensure_tauri_driver()?;
        ensure_cargo_deny()?;
        ensure_test_printer()?;
    }
    Ok(())
}

fn node_version() -> Option<(u32, u32)> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let v = String::from_utf8_lossy(&out.stdout);
    let mut it = v
        .trim()
        .trim_start_matches('v')
        .split('.')
        .map(|x| x.parse::<u32>().ok());
    Some((it.next()??, it.next()??))
}

pub fn tauri_driver_path() -> std::path::PathBuf {
    let home = std::env::var("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin/tauri-driver")
}

/// schemathesis, pinned, in a virtual environment under target/ (Debian's
/// Python is externally managed: nothing is installed into it).
pub const SCHEMATHESIS: &str = "schemathesis==4.32.5";

pub fn schemathesis() -> Result<std::path::PathBuf> {
    let venv = root().join("target/st-venv");
    let st = venv.join("bin/st");
    let stamp = venv.join(SCHEMATHESIS);
    if st.exists() && stamp.exists() {
        return Ok(st);
    }
    println!("xtask: installing {SCHEMATHESIS} into {}", venv.display());
    sh::run(sh::cmd("python3").args(["-m", "venv"]).arg(&venv))?;
    sh::run(
        sh::cmd(venv.join("bin/pip").to_str().unwrap_or("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            SCHEMATHESIS,
        ]),
    )?;
    std::fs::write(&stamp, "").map_err(|e| e.to_string())?;
    Ok(st)
}

/// cargo-deny, for the supply-chain checks (`deny.toml`).
pub fn ensure_cargo_deny() -> Result {
    if sh::exists("cargo-deny") {
        return Ok(());
    }
    println!("xtask: installing cargo-deny (licenses, bans and sources of every dependency)");
    sh::run(sh::cmd(&crate::cargo()).args([
        "install",
        "cargo-deny",
        "--locked",
        "--version",
        "^0.20",
    ]))
}

fn ensure_tauri_driver() -> Result {
    if tauri_driver_path().exists() {
        return Ok(());
    }
    println!("xtask: installing tauri-driver (drives the app window in end-to-end tests)");
    sh::run(sh::cmd(&crate::cargo()).args([
        "install",
        "tauri-driver",
        "--locked",
        "--version",
        "^2",
    ]))
}

/// `npm ci` in ui/ when node_modules is missing or older than the lock file.
pub fn ui_install() -> Result {
    let ui = root().join("ui");
    let lock = ui.join("package-lock.json");
    let stamp = ui.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    sh::run(
        sh::cmd("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&ui),
    )
}

pub fn ui_build() -> Result {
    sh::run(
        sh::cmd("npm")
            .args(["run", "--silent", "build"])
            .current_dir(root().join("ui")),
    )
}
