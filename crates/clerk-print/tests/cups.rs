//! A real print through CUPS to the cups-pdf virtual printer that
//! `cargo xtask test` sets up (queue WC-PDF): the job id comes back and the
//! printed PDF, found in cups-pdf's output folder, has the document's text.

use std::path::PathBuf;
use std::process::Command;

use clerk_print::{load_template, printing, render, sample_values, testing, Font, Marking};

const PRINTER: &str = "WC-PDF";

#[test]
fn prints_through_cups_and_the_printed_pdf_has_the_text() {
    if !testing::queues_present(&[PRINTER]) {
        return;
    }
    let t = load_template("receipt", None).unwrap();
    let mut v = sample_values("receipt");
    let stamp = format!("{}", std::process::id());
    v.set("doc_no", format!("收字〔2026〕第{stamp}号"));
    let pdf = render(&t, &v, &Font::default_font().unwrap(), Marking::Original).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("receipt.pdf");
    std::fs::write(&file, pdf).unwrap();

    let job = printing::lp(&file, PRINTER, "收件凭证").expect("the job is accepted");
    assert!(job.starts_with(&format!("{PRINTER}-")), "{job}");
    let printed = testing::wait_printed_file(&job);
    let text = Command::new("pdftotext")
        .arg(&printed)
        .arg("-")
        .output()
        .unwrap();
    let text: String = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for want in ["收件凭证", "李四", "3205-K7QM-000123-H", &stamp] {
        assert!(
            text.contains(want),
            "{want:?} not in the printed PDF {}: {text}",
            printed.display()
        );
    }
    // Keep a picture of the printed page for people to look at.
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/printed");
    std::fs::create_dir_all(&shots).unwrap();
    let _ = Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-singlefile"])
        .arg(&printed)
        .arg(shots.join("receipt"))
        .status();

    assert!(matches!(
        printing::lp(&file, "NO-SUCH-PRINTER", "x"),
        Err(printing::PrintJobError::UnknownPrinter(_))
    ));
}

/// A stopped queue (as after "paper out"): CUPS accepts the job and holds
/// it; the queue's state names the problem so the window can say so, and
/// the job is seen waiting until it is cancelled (here) or printed.
#[test]
fn a_stopped_queue_holds_the_job_and_says_why() {
    const STOPPED: &str = "WC-STOPPED";
    if !testing::queues_present(&[STOPPED]) {
        return;
    }
    let state = printing::queue_state(STOPPED).unwrap();
    assert!(!state.enabled && state.accepting, "{state:?}");
    let problem = state.problem().unwrap();
    assert_eq!(
        problem,
        printing::QueueProblem::Stopped("Paper tray empty".into())
    );
    assert!(problem.zh().contains("打印队列已暂停"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    let t = load_template("receipt", None).unwrap();
    let pdf = render(
        &t,
        &sample_values("receipt"),
        &Font::default_font().unwrap(),
        Marking::Original,
    )
    .unwrap();
    std::fs::write(&file, pdf).unwrap();
    let job = printing::lp(&file, STOPPED, "收件凭证").unwrap();
    assert_eq!(
        printing::job_state(STOPPED, &job),
        printing::JobState::Pending
    );
    let _ = Command::new("cancel").arg(&job).status();
    assert_ne!(
        printing::job_state(STOPPED, &job),
        printing::JobState::Pending
    );
    // A healthy queue has no problem.
    assert_eq!(printing::queue_state(PRINTER).unwrap().problem(), None);
    assert_eq!(printing::queue_state("no-such-queue"), None);
}
