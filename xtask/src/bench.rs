//! `cargo xtask bench startup`: time from process start to the shell being
//! interactive (the UI calls `ui_ready` once mounted; the app writes the
//! elapsed time to the file named by WINDOW_CLERK_STARTUP_MARKER).

use crate::{cargo, deps, root, sh, Result};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 11;

pub fn run(args: &[&str]) -> Result {
    match args.first().copied() {
        Some("startup") => startup(),
        Some("search") => sh::run(
            sh::cmd(&cargo())
                .args(["bench", "-p", "clerk-core", "--bench", "search", "--locked"])
                .current_dir(root()),
        ),
        // Durable commit vs bare insert+fsync; case search over 1,000,000 cases.
        Some("store") => {
            sh::run(
                sh::cmd(&cargo())
                    .args([
                        "bench",
                        "-p",
                        "clerk-store",
                        "--bench",
                        "commit",
                        "--locked",
                    ])
                    .current_dir(root()),
            )?;
            sh::run(
                sh::cmd(&cargo())
                    .args([
                        "bench",
                        "-p",
                        "clerk-store",
                        "--bench",
                        "search_1m",
                        "--locked",
                    ])
                    .current_dir(root()),
            )
        }
        // Push 10,000 offline cases; server throughput; 1,000 pollers.
        // Twice: on the tests' cluster (fsync=off: the protocol and the
        // code) and on one that writes as a real platform does (fsync=on,
        // synchronous_commit=on: the disk too).
        Some("sync") => {
            let bench = || {
                let mut c = sh::cmd(&cargo());
                c.args(["bench", "-p", "clerk-sync", "--bench", "sync", "--locked"])
                    .current_dir(root());
                c
            };
            // Each on a cluster of its own, made afresh: the tests' cluster
            // holds hundreds of databases, and autovacuum visiting them
            // all took the CPU the benchmark measures.
            for (name, durability, label) in [
                ("pg-bench-test", pg_harness::Durability::Test, "fsync=off"),
                (
                    "pg-bench-durable",
                    pg_harness::Durability::Durable,
                    "fsync=on, synchronous_commit=on",
                ),
            ] {
                let dir = root().join("target").join(name);
                let _ = pg_harness::stop(&dir);
                let _ = std::fs::remove_dir_all(&dir);
                let c = pg_harness::start_as(&dir, durability)?;
                let r = sh::run(
                    bench()
                        .env("SYNC_BENCH_LABEL", label)
                        .env(pg_harness::URL_ENV, &c.base_url),
                );
                let _ = pg_harness::stop(&dir);
                r?;
            }
            Ok(())
        }
        None => {
            startup()?;
            run(&["search"])?;
            run(&["store"])?;
            run(&["sync"])
        }
        Some(other) => Err(format!(
            "unknown benchmark {other:?}; known: startup, search, store, sync"
        )),
    }
}

fn startup() -> Result {
    deps::setup(deps::Profile::Test)?;
    deps::ui_install()?;
    deps::ui_build()?;
    sh::run(
        sh::cmd(&cargo())
            .args(["build", "--release", "-p", "window-clerk", "--locked"])
            .current_dir(root()),
    )?;
    let bin = root().join("target/release/window-clerk");
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    // A display and a session bus, as on a clerk's desktop.
    sh::run(
        sh::desktop_session(true)
            .arg(me)
            .arg("__startup-inner")
            .arg(bin)
            .env("NO_AT_BRIDGE", "1"),
    )
}

/// Runs inside the display: start the app RUNS times and time each start.
pub fn startup_inner(args: &[&str]) -> Result {
    let bin = args.first().ok_or("missing binary")?;
    let dir = std::env::temp_dir().join(format!("wc-startup-{}", std::process::id()));
    let mut wall = Vec::new();
    let mut inside = Vec::new();
    for i in 0..RUNS {
        let run_dir = dir.join(i.to_string());
        std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
        let marker = run_dir.join("ready");
        let t0 = Instant::now();
        let mut child = Command::new(bin)
            .env("WINDOW_CLERK_DATA_DIR", run_dir.join("data"))
            .env("WINDOW_CLERK_CONFIG", run_dir.join("absent.toml"))
            .env("WINDOW_CLERK_STARTUP_MARKER", &marker)
            .env("HOME", &run_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let ok = loop {
            if std::fs::read_to_string(&marker).is_ok_and(|s| s.ends_with('\n')) {
                break true;
            }
            if t0.elapsed() > Duration::from_secs(30) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let elapsed = t0.elapsed().as_secs_f64() * 1000.0;
        let _ = child.kill();
        let _ = child.wait();
        if !ok {
            return Err(format!(
                "run {i}: the shell did not report ready within 30 s"
            ));
        }
        let own: f64 = std::fs::read_to_string(&marker)
            .unwrap_or_default()
            .trim()
            .parse()
            .unwrap_or(f64::NAN);
        println!("run {i:2}: {elapsed:7.1} ms to interactive (app's own clock {own:7.1} ms)");
        wall.push(elapsed);
        inside.push(own);
    }
    let _ = std::fs::remove_dir_all(&dir);
    // The first run warms the page cache and WebKit's caches; report it apart.
    let first = wall[0];
    let mut rest = wall[1..].to_vec();
    rest.sort_by(f64::total_cmp);
    let median = rest[rest.len() / 2];
    println!(
        "startup: median {median:.0} ms, min {:.0} ms, max {:.0} ms over {} warm runs; first (cold) run {first:.0} ms",
        rest[0],
        rest[rest.len() - 1],
        rest.len()
    );
    println!(
        "startup goal: median ≤ 1000 ms — {}",
        if median <= 1000.0 { "met" } else { "NOT met" }
    );
    Ok(())
}
