//! `cargo xtask test`: the whole suite, ending with one summary line.

use crate::{cargo, deps, root, sh, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    skipped: u64,
    failures: Vec<String>,
}

impl Tally {
    /// The failures, then the one summary line; an error when any failed.
    fn summary(&self) -> Result {
        for f in &self.failures {
            println!("FAILED: {f}");
        }
        println!(
            "summary: {} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        );
        if self.failed > 0 {
            Err(format!("{} failed", self.failed))
        } else {
            Ok(())
        }
    }

    /// A check that is pass/fail as a whole (type check, clippy) counts as one test.
    fn check(&mut self, name: &str, r: Result) {
        match r {
            Ok(()) => self.passed += 1,
            Err(e) => {
                self.failed += 1;
                self.failures.push(format!("{name}: {e}"));
            }
        }
    }
}

fn step(name: &str) -> Instant {
    println!("\n==== xtask test: {name} ====");
    Instant::now()
}

fn done(name: &str, t: Instant) {
    println!("==== {name}: {:.0} s ====", t.elapsed().as_secs_f64());
}

pub fn run(e2e: bool) -> Result {
    let all = Instant::now();
    let mut tally = Tally::default();

    let t = step("set-up");
    deps::setup(deps::Profile::Test)?;
    deps::ui_install()?;
    // The app crate embeds ui/dist at compile time, so the UI is built first.
    deps::ui_build()?;
    done("set-up", t);

    let t = step("UI type check");
    tally.check(
        "UI type check (vue-tsc)",
        sh::run(
            sh::cmd("npm")
                .args(["run", "--silent", "typecheck"])
                .current_dir(root().join("ui")),
        ),
    );
    done("UI type check", t);

    let t = step("UI unit tests (Vitest)");
    vitest(&mut tally);
    done("UI unit tests", t);

    let t = step("clippy");
    tally.check(
        "clippy",
        sh::run(
            sh::cmd(&cargo())
                .args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--locked",
                    "--",
                    "-D",
                    "warnings",
                ])
                .current_dir(root()),
        ),
    );
    done("clippy", t);

    let t = step("supply chain (cargo deny: licenses, bans, sources)");
    // cargo deny reads `cargo metadata` for every platform (the Windows
    // crates too) and runs offline: fetch what the lock file names first
    // (crates.io only), or a fresh machine's registry lacks them.
    let fetched = sh::run(
        sh::cmd(&cargo())
            .args(["fetch", "--locked"])
            .current_dir(root()),
    );
    if let Err(e) = &fetched {
        println!("xtask: cargo fetch failed ({e}); cargo deny runs on what is there");
    }
    tally.check(
        "cargo deny",
        sh::run(
            sh::cmd(&cargo())
                .args(["deny", "--offline", "check", "licenses", "bans", "sources"])
                .current_dir(root()),
        ),
    );
    done("supply chain", t);

    let t = step("Rust tests (incl. bindings freshness)");
    // Inside a session bus with an unlocked gnome-keyring, so the OS keyring
    // tests run against the real Secret Service.
    cargo_tests(
        &mut tally,
        "Rust tests",
        sh::desktop_session(false)
            .arg(cargo())
            // Every test binary runs even when one fails: the summary counts all.
            .args([
                "test",
                "--workspace",
                "--exclude",
                "e2e",
                "--locked",
                "--no-fail-fast",
            ])
            // Built by this same command (platform-server's own tests need
            // it); the sync crash scenario runs it as a separate process.
            .env(
                "PLATFORM_SERVER_BIN",
                root().join("target/debug/platform-server"),
            )
            .current_dir(root()),
    );
    // The private PostgreSQL cluster the tests started (pg-harness).
    let _ = pg_harness::stop(&root().join("target/pg-harness"));
    done("Rust tests", t);

    let t = step("API checks (schemathesis on the platform's OpenAPI)");
    tally.check("schemathesis", crate::apicheck::run());
    done("API checks", t);

    if e2e {
        let t = step("end-to-end tests in the real window");
        match build_for_e2e() {
            Ok(()) => e2e_tests(&mut tally, &[]),
            Err(e) => tally.check("build the app for end-to-end tests", Err(e)),
        }
        done("end-to-end tests", t);
    } else {
        println!("xtask: end-to-end tests skipped (--no-e2e)");
    }

    println!(
        "\n==== xtask test: {:.0} s in all ====",
        all.elapsed().as_secs_f64()
    );
    tally.summary()
}

fn vitest(tally: &mut Tally) {
    let report = root().join("target/vitest-report.json");
    let _ = std::fs::create_dir_all(root().join("target"));
    let _ = std::fs::remove_file(&report);
    let status = sh::run(
        sh::cmd("npx")
            .args([
                "vitest",
                "run",
                "--reporter=default",
                "--reporter=json",
                "--outputFile.json",
            ])
            .arg(&report)
            .current_dir(root().join("ui")),
    );
    let parsed = std::fs::read_to_string(&report)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
    match parsed {
        Some(v) => {
            let n = |k: &str| v[k].as_u64().unwrap_or(0);
            tally.passed += n("numPassedTests");
            tally.failed += n("numFailedTests");
            tally.skipped += n("numPendingTests") + n("numTodoTests");
            if n("numFailedTests") > 0 {
                tally
                    .failures
                    .push(format!("Vitest: {} failed", n("numFailedTests")));
            }
            if status.is_err() && n("numFailedTests") == 0 {
                tally.check("Vitest", status);
            }
        }
        None => tally.check(
            "Vitest (no report)",
            status.and(Err("no JSON report written".into())),
        ),
    }
}

/// Run a `cargo test` command, echoing its output and adding up the
/// `test result:` lines. A failed build counts as one failure.
fn cargo_tests(tally: &mut Tally, name: &str, c: &mut Command) {
    println!("$ {c:?}");
    let child = c.stdout(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(ch) => ch,
        Err(e) => return tally.check(name, Err(e.to_string())),
    };
    let mut seen_failed = 0;
    let mut failed_names = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(std::result::Result::ok)
    {
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            let num = |label: &str| {
                rest.split(';')
                    .find_map(|part| {
                        part.trim().strip_suffix(label).map(|n| {
                            n.trim()
                                .rsplit(' ')
                                .next()
                                .unwrap_or("0")
                                .parse::<u64>()
                                .unwrap_or(0)
                        })
                    })
                    .unwrap_or(0)
            };
            tally.passed += num("passed");
            tally.failed += num("failed");
            seen_failed += num("failed");
            tally.skipped += num("ignored");
        } else if line.starts_with("test ") && line.ends_with("... FAILED") {
            failed_names.push(
                line.trim_start_matches("test ")
                    .trim_end_matches(" ... FAILED")
                    .to_owned(),
            );
        }
    }
    let status = child.wait();
    for f in failed_names {
        tally.failures.push(format!("{name}: {f}"));
    }
    match status {
        Ok(s) if s.success() => {}
        Ok(s) if seen_failed == 0 => tally.check(
            name,
            Err(format!("cargo test failed ({s}) before running its tests")),
        ),
        Ok(_) => {}
        Err(e) => tally.check(name, Err(e.to_string())),
    }
}

/// The app and the platform server the end-to-end tests start.
fn build_for_e2e() -> Result {
    sh::run(
        sh::cmd(&cargo())
            .args([
                "build",
                "-p",
                "window-clerk",
                "-p",
                "platform-server",
                "--locked",
            ])
            .current_dir(root()),
    )
}

/// `cargo xtask e2e [file…]`: only the end-to-end tests (of these files
/// of `tests/e2e/tests`, or all), after building the UI and the binaries;
/// the tools installed as for `test`.
pub fn e2e_only(files: &[&str]) -> Result {
    deps::setup(deps::Profile::Test)?;
    deps::ui_install()?;
    deps::ui_build()?;
    build_for_e2e()?;
    let mut tally = Tally::default();
    e2e_tests(&mut tally, files);
    tally.summary()
}

fn e2e_tests(tally: &mut Tally, files: &[&str]) {
    let shots = root().join("target/e2e-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let bin = root().join("target/debug/window-clerk");
    let mut c = sh::desktop_session(true);
    c.arg(cargo())
        .args(["test", "-p", "e2e", "--locked", "--no-fail-fast"])
        .args(files.iter().flat_map(|f| ["--test", f]))
        .args(["--", "--test-threads=1"])
        .env("NO_AT_BRIDGE", "1")
        .env("WINDOW_CLERK_BIN", &bin)
        .env("TAURI_DRIVER", deps::tauri_driver_path())
        .env("E2E_SCREENSHOTS", &shots)
        .env(
            "PLATFORM_SERVER_BIN",
            root().join("target/debug/platform-server"),
        )
        .current_dir(root());
    cargo_tests(tally, "end-to-end", &mut c);
    let _ = pg_harness::stop(&root().join("target/pg-harness"));
    println!("xtask: screenshots in {}", shots.display());
}
