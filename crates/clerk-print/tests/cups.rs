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
    let job = printing::lp(&pdf, PRINTER, "收件凭证").expect("the job is accepted");
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
        printing::lp(&pdf, "NO-SUCH-PRINTER", "x"),
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
    let t = load_template("receipt", None).unwrap();
    let pdf = render(
        &t,
        &sample_values("receipt"),
        &Font::default_font().unwrap(),
        Marking::Original,
    )
    .unwrap();
    let job = printing::lp(&pdf, STOPPED, "收件凭证").unwrap();
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

/// `print()` routes by kind, journals every attempt before it returns, and
/// says how it ended as a code: sent on a ready queue, held on a stopped
/// one (with why, in both languages), failed with no printer or an
/// unknown one — and a failed journal write is the caller's error.
#[test]
fn print_routes_journals_and_says_how_it_ended() {
    use printing::{Job, PrintOutcome, Route};
    let dir = tempfile::tempdir().unwrap();
    // issue #13: on Linux a notice goes to CUPS on standard input, so the
    // spool folder is never even made (no personal data in a plain file).
    let spool_path = dir.path().join("spool");
    struct Spool(std::path::PathBuf);
    impl Spool {
        fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    let spool = Spool(spool_path);
    let pdf = render(
        &load_template("receipt", None).unwrap(),
        &sample_values("receipt"),
        &Font::default_font().unwrap(),
        Marking::Original,
    )
    .unwrap();
    let job = |kind| Job {
        id: "d1",
        kind,
        pdf: &pdf,
        copy: false,
    };
    let journal = std::cell::RefCell::new(Vec::new());
    let run = |kind, route: &Route| {
        printing::print(&job(kind), route, spool.path(), |p| {
            journal.borrow_mut().push(p.clone());
            Ok::<_, ()>(())
        })
        .unwrap()
    };
    // No printer for A4 (the receipt printer does not print notices).
    let only_receipt = Route {
        a4: None,
        receipt: Some("nowhere".into()),
    };
    let none = run("acceptance_notice", &only_receipt);
    assert_eq!(
        (none.outcome, none.printer.as_deref()),
        (PrintOutcome::Failed, None)
    );
    let (zh, en) = none.reason.clone().unwrap();
    assert!(
        zh.contains("未配置打印机") && en.contains("No printer"),
        "{zh} / {en}"
    );
    assert!(!none.outcome.counts_as_printed());
    assert_eq!(journal.borrow().len(), 1, "a failure is journalled too");
    assert!(
        !spool.path().exists(),
        "no spool file was written for any of these prints"
    );

    // A journal that cannot be written fails the print for the caller.
    let r = printing::print(&job("receipt"), &Route::default(), spool.path(), |_| {
        Err("journal full")
    });
    assert_eq!(r.unwrap_err(), "journal full");

    if !testing::queues_present(&[PRINTER, "WC-STOPPED"]) {
        return;
    }
    let route = Route {
        a4: Some("WC-STOPPED".into()),
        receipt: Some(PRINTER.into()),
    };
    let sent = run("receipt_80mm", &route);
    assert_eq!(sent.outcome, PrintOutcome::Sent, "{sent:?}");
    assert_eq!(sent.printer.as_deref(), Some(PRINTER));
    assert!(sent.reason.is_none());
    let held = run("acceptance_notice", &route);
    assert_eq!(held.outcome, PrintOutcome::Held, "{held:?}");
    assert!(held.outcome.counts_as_printed());
    let (zh, en) = held.reason.clone().unwrap();
    assert!(
        zh.starts_with("打印队列已暂停") && en.starts_with("the print queue is stopped"),
        "{zh} / {en}"
    );
    let _ = Command::new("cancel").arg(held.job_id.unwrap()).status();
    let unknown = run(
        "receipt",
        &Route {
            a4: Some("WC-NO-SUCH-QUEUE".into()),
            receipt: None,
        },
    );
    assert_eq!(unknown.outcome, PrintOutcome::Failed);
    assert!(unknown.reason.unwrap().0.contains("WC-NO-SUCH-QUEUE"));
    assert_eq!(journal.borrow().len(), 4);
    assert!(
        !spool.path().exists(),
        "sent and held prints went to CUPS on standard input, not through a file"
    );
}
