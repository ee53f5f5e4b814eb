//! `cargo xtask fuzz [seconds]`: each cargo-fuzz target in `fuzz/` for a
//! few minutes (default 60 s each), its corpus kept in `fuzz/corpus`.
//! Needs the nightly toolchain (libFuzzer's sanitizer flags); not in CI.
//! A crash is saved under `fuzz/artifacts/<target>/`: turn it into a table
//! test next to the parser, then fix it.

use crate::{root, sh, Result};

pub const TARGETS: &[&str] = &["ids", "receipt", "wire", "catalogue", "calendar"];

pub fn run(rest: &[&str]) -> Result {
    let secs: u64 = rest.first().and_then(|s| s.parse().ok()).unwrap_or(60);
    if !sh::exists("cargo-fuzz") {
        println!("xtask: installing cargo-fuzz");
        sh::run(sh::cmd(&crate::cargo()).args(["install", "cargo-fuzz", "--locked"]))?;
    }
    for t in TARGETS {
        println!("xtask: fuzzing {t} for {secs} s");
        sh::run(
            sh::cmd("cargo")
                .args(["+nightly", "fuzz", "run", t])
                .arg(format!("fuzz/corpus/{t}"))
                .args(["--", &format!("-max_total_time={secs}"), "-max_len=65536"])
                .current_dir(root()),
        )?;
    }
    Ok(())
}
