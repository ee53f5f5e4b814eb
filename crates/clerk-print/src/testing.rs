//! For tests that print through the real CUPS (`cargo xtask test` sets up
//! the cups-pdf queues WC-PDF and WC-STOPPED): whether the queues are there,
//! and the PDF cups-pdf wrote for a job. Used by clerk-print's and the app's
//! tests, and included by path in the end-to-end harness (which must not
//! build clerk-print's PDF stack), so it uses nothing but `std`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// True when every queue is set up. Under CI a missing queue fails the
/// test (a missing install step must not hide); elsewhere it is skipped.
pub fn queues_present(queues: &[&str]) -> bool {
    let known = std::process::Command::new("lpstat")
        .arg("-e")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let have = queues.iter().all(|q| known.lines().any(|k| k.trim() == *q));
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: `cargo xtask test` sets up the {queues:?} queues"
        );
        eprintln!("skipped: no {queues:?} queues (run `cargo xtask setup --test`)");
    }
    have
}

/// The file cups-pdf wrote for a job (`WC-PDF-12` → `…job_12.pdf` in the
/// job owner's `~/PDF`, or its spool folder for anonymous jobs).
pub fn printed_file(job: &str) -> Option<PathBuf> {
    let n = job.rsplit('-').next()?;
    let suffix = format!("job_{n}.pdf");
    let mut dirs = vec![PathBuf::from("/root/PDF")];
    if let Some(h) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(h).join("PDF"));
    }
    if let Ok(rd) = std::fs::read_dir("/var/spool/cups-pdf") {
        dirs.extend(rd.flatten().map(|e| e.path()));
    }
    dirs.iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().ends_with(&suffix))
        })
}

/// Wait up to a minute for a job's PDF, complete (cups-pdf writes, then
/// closes). Blocking.
pub fn wait_printed_file(job: &str) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(p) = printed_file(job) {
            std::thread::sleep(Duration::from_millis(500));
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "no printed PDF for {job} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}
