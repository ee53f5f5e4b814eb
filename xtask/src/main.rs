//! `cargo xtask <command>`: the project's set-up, build, test and benchmark
//! driver. It installs what a fresh Debian/Ubuntu machine is missing, so the
//! README's two commands are the only set-up.

mod apicheck;
mod bench;
mod deps;
mod fuzz;
mod pinned_day;
mod platform;
mod sh;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  run [--release] [--platform]
                      install what is missing, build the UI and the app, start Window Clerk;
                      --platform: also a private PostgreSQL, the reference platform server on
                      127.0.0.1:8787, and the app enrolled to it (log in as clerk / clerk-demo-1)
  test [--no-e2e]     the whole suite: Rust tests, clippy, UI type check and unit tests,
                      bindings freshness, end-to-end tests in the real window
  e2e [file…]         only the end-to-end tests (e.g. `e2e after_intake intake`), built first
  bench [startup|search|store|sync]
                      start-up time (release); matter search over 5,000 matters; durable commit and
                      search over 1,000,000 cases; sync: 10,000 offline cases pushed, server
                      throughput, 1,000 pollers (real server and PostgreSQL). No argument: all
  bundle              build the .deb and .rpm installers (release)
  bindings            regenerate ui/src/bindings.ts from crates/clerk-ipc
  deny-advisories     cargo deny check advisories (needs GitHub: a connected machine)
  fuzz [seconds]      cargo-fuzz on the input parsers, each target that long (nightly; not in CI)
  api-check           schemathesis against the platform server's OpenAPI (also in test)
  setup [--test]      only install system packages (and test tools with --test)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(rest.contains(&"--release"), rest.contains(&"--platform")),
        Some("test") => test::run(!rest.contains(&"--no-e2e")),
        Some("e2e") => test::e2e_only(&rest),
        Some("bench") => bench::run(&rest),
        Some("bundle") => bundle(),
        Some("bindings") => bindings(),
        Some("api-check") => deps::setup(deps::Profile::Test).and_then(|()| apicheck::run()),
        Some("fuzz") => fuzz::run(&rest),
        // The RustSec advisory database is fetched from GitHub: a connected
        // machine only (these build machines reach crates.io, not GitHub).
        Some("deny-advisories") => deps::ensure_cargo_deny().and_then(|()| {
            sh::run(
                sh::cmd(&cargo())
                    .args(["deny", "check", "advisories"])
                    .current_dir(root()),
            )
        }),
        Some("setup") => deps::setup(if rest.contains(&"--test") {
            deps::Profile::Test
        } else {
            deps::Profile::Run
        }),
        Some("__startup-inner") => bench::startup_inner(&rest),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run(release: bool, with_platform: bool) -> Result {
    deps::setup(if with_platform {
        deps::Profile::Platform
    } else {
        deps::Profile::Run
    })?;
    deps::ui_install()?;
    deps::ui_build()?;
    let mut args = vec!["build", "-p", "window-clerk"];
    if release {
        // The demo users need the demo switch, which a release build
        // ignores unless it is built in.
        args.extend(["--release", "--features", "test-switches"]);
    }
    sh::run(sh::cmd(&cargo()).args(&args).current_dir(root()))?;
    let bin = root()
        .join("target")
        .join(if release { "release" } else { "debug" })
        .join("window-clerk");
    let mut app = std::process::Command::new(&bin);
    // Kept alive while the app runs; stopped (server and cluster) after.
    let _platform = if with_platform {
        let dir = root().join("target/platform-demo");
        let (p, code) = platform::start(&dir)?;
        app.env("WINDOW_CLERK_CONFIG", platform::demo_config(&dir, &p.url)?)
            .env("WINDOW_CLERK_DATA_DIR", dir.join("app-data"))
            .env("WINDOW_CLERK_ENROL_CODE", code);
        println!(
            "xtask: the app enrols itself; sign in online as {} / {} (a platform clerk)",
            platform::DEMO_USER,
            platform::DEMO_PASSWORD
        );
        println!(
            "xtask: act as a department: target/debug/platform-server admin --database-url {} decide <case_id> 市场监管局 approve",
            p.db_url
        );
        Some(p)
    } else {
        println!(
            "xtask: machine config: {} (absent = embedded default, standalone)",
            config_path_hint()
        );
        None
    };
    // A newcomer gets in at once: the demo users (crates/clerk-app/src/state.rs
    // DEMO_USERS) are made on a PC that has none.
    app.env("WINDOW_CLERK_DEMO_USERS", "1");
    println!("xtask: demo users (工号 / 密码) on a PC without users:");
    for (id, name, role, pw) in DEMO_USERS {
        println!("xtask:   {id:<8} {pw:<14} {name}（{role}）");
    }
    println!("xtask: starting {}", bin.display());
    sh::run(&mut app)
}

/// The demo users the app makes with `WINDOW_CLERK_DEMO_USERS` — the same
/// list as `crates/clerk-app/src/state.rs` (a test keeps them equal).
pub const DEMO_USERS: &[(&str, &str, &str, &str)] = &[
    ("admin", "信息管理员", "信息管理员", "demo-admin-1"),
    ("clerk01", "张三", "窗口人员", "demo-clerk-1"),
    ("clerk02", "李四", "窗口人员", "demo-clerk-2"),
    ("lead01", "王主任", "窗口负责人", "demo-lead-1"),
    ("audit01", "赵审计", "审计员", "demo-audit-1"),
];

fn config_path_hint() -> String {
    std::env::var("WINDOW_CLERK_CONFIG").unwrap_or_else(|_| "/etc/window-clerk/clerk.toml".into())
}

fn bundle() -> Result {
    deps::setup(deps::Profile::Bundle)?;
    deps::ui_install()?;
    deps::ui_build()?;
    let tauri = root().join("ui/node_modules/.bin/tauri");
    sh::run(
        sh::cmd(tauri.to_str().unwrap())
            .args(["build", "--bundles", "deb,rpm"])
            .current_dir(root().join("src-tauri")),
    )?;
    println!("xtask: installers are in target/release/bundle/{{deb,rpm}}");
    Ok(())
}

fn bindings() -> Result {
    sh::run(
        sh::cmd(&cargo())
            .args([
                "test",
                "-p",
                "clerk-ipc",
                "--",
                "typescript_bindings_are_fresh",
            ])
            .env("UPDATE_BINDINGS", "1")
            .current_dir(root()),
    )?;
    println!("xtask: wrote ui/src/bindings.ts");
    Ok(())
}
