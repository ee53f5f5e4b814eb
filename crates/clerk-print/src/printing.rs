//! Printing without a dialog: CUPS `lp` on Linux (the job id is recorded).
//! On Windows the SumatraPDF sidecar (`-print-to <printer> -silent`), shipped
//! next to the app by the installer (`src-tauri/tauri.windows.conf.json`,
//! built on a Windows host); with no printer configured there, the document
//! opens in the default PDF viewer instead. [`send`] picks the right one.

use std::path::Path;
use std::process::Command;

pub use clerk_core::printing::PrintOutcome;

/// Where documents print: the queues of `[printer]` in the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    /// A4 notices.
    pub a4: Option<String>,
    /// The 80 mm thermal printer, for the receipt.
    pub receipt: Option<String>,
}

impl Route {
    /// The 80 mm receipt goes to the thermal printer, the rest to A4.
    pub fn printer_for(&self, kind: &str) -> Option<&str> {
        if kind == "receipt_80mm" {
            self.receipt.as_deref()
        } else {
            self.a4.as_deref()
        }
    }
}

/// One document to print: its original or its 副本.
pub struct Job<'a> {
    /// The document's id (names the spool file).
    pub id: &'a str,
    /// Its kind (`acceptance_notice`, `receipt_80mm`, …): the route and the
    /// queue title follow it.
    pub kind: &'a str,
    pub pdf: &'a [u8],
    /// A 副本: the original reached a queue before.
    pub copy: bool,
}

/// How one print ended: what the journal keeps and the clerk is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub outcome: PrintOutcome,
    pub copy: bool,
    pub printer: Option<String>,
    pub job_id: Option<String>,
    /// Why it was held or did not print, in Chinese and English; None when
    /// it was sent.
    pub reason: Option<(String, String)>,
    /// The printing system's own text, for the log only.
    pub detail: Option<String>,
}

/// Print a document without a dialog: route it by kind, spool it, send it,
/// ask the queue whether it will come out, and journal the outcome —
/// every attempt, printed or not, is journalled before this returns (the
/// caller's `journal`, normally clerk-store's `journal_print`). No printer
/// configured: on Windows the document opens in the default viewer
/// (journalled as such, never as printed); elsewhere it fails.
pub fn print<E>(
    job: &Job,
    route: &Route,
    spool: &Path,
    journal: impl FnOnce(&Printed) -> Result<(), E>,
) -> Result<Printed, E> {
    let printed = attempt(job, route, spool);
    journal(&printed)?;
    Ok(printed)
}

fn attempt(job: &Job, route: &Route, spool: &Path) -> Printed {
    let printer = route.printer_for(job.kind).map(str::to_owned);
    let failed = |e: PrintJobError, printer: Option<String>| Printed {
        outcome: PrintOutcome::Failed,
        copy: job.copy,
        printer,
        job_id: None,
        reason: Some((
            e.zh(),
            format!("{}. The document is saved; print it later.", e.en()),
        )),
        detail: Some(e.to_string()),
    };
    // On Windows the viewer and the sidecar read a file, kept in the spool
    // folder only as long as they need it. Elsewhere the notice goes to
    // CUPS on standard input: no personal data in a plaintext file.
    #[cfg(windows)]
    let file = spool.join(format!("{}.pdf", job.id));
    #[cfg(windows)]
    if let Err(e) = std::fs::create_dir_all(spool).and_then(|_| std::fs::write(&file, job.pdf)) {
        return failed(PrintJobError::Spool(e.to_string()), printer);
    }
    #[cfg(not(windows))]
    let _ = spool;
    let Some(printer) = printer else {
        #[cfg(windows)]
        {
            // Left for the viewer to read; the spool is cleared next time.
            return match open_in_viewer(&file) {
                Ok(()) => Printed {
                    outcome: PrintOutcome::InViewer,
                    copy: job.copy,
                    printer: None,
                    job_id: None,
                    reason: Some((
                        "本机未配置打印机，文书已在默认阅读器中打开，请从阅读器打印".into(),
                        "No printer is configured: the document is open in the default viewer; print it from there".into(),
                    )),
                    detail: None,
                },
                Err(e) => failed(e, None),
            };
        }
        #[cfg(not(windows))]
        return failed(PrintJobError::NoPrinter, None);
    };
    let title = format!(
        "{}{}",
        crate::kind_title(job.kind),
        if job.copy { "（副本）" } else { "" }
    );
    #[cfg(windows)]
    let sent = {
        let sent = send(&file, &printer, &title);
        let _ = std::fs::remove_file(&file);
        sent
    };
    #[cfg(not(windows))]
    let sent = lp(job.pdf, &printer, &title);
    match sent {
        Err(e) => failed(e, Some(printer)),
        Ok(job_id) => {
            // Accepted by CUPS; does the printer say it cannot print now?
            let held = queue_state(&printer).and_then(|s| s.problem());
            Printed {
                outcome: if held.is_some() {
                    PrintOutcome::Held
                } else {
                    PrintOutcome::Sent
                },
                copy: job.copy,
                reason: held.as_ref().map(|p| (p.zh(), p.en())),
                detail: None,
                printer: Some(printer),
                job_id: Some(job_id),
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintJobError {
    #[error("no printer is configured for this document")]
    NoPrinter,
    #[error("printer {0} does not exist")]
    UnknownPrinter(String),
    #[error("the printing system reported: {0}")]
    Cups(String),
    #[error("cannot run lp: {0}")]
    NoLp(String),
    #[error("cannot run the SumatraPDF sidecar: {0}")]
    NoSumatra(String),
    #[error("the spool folder cannot be written: {0}")]
    Spool(String),
}

impl PrintJobError {
    /// English, without the printing system's own text (that goes to the
    /// log: the error contract).
    pub fn en(&self) -> String {
        match self {
            PrintJobError::NoPrinter => {
                "No printer is configured for this document ([printer] in the config)".into()
            }
            PrintJobError::UnknownPrinter(p) => format!("The printer {p} does not exist"),
            PrintJobError::Cups(_) => "The printing system refused the job".into(),
            PrintJobError::NoLp(_) => "This PC has no printing service (CUPS)".into(),
            PrintJobError::NoSumatra(_) => {
                "The print component (SumatraPDF) is missing: reinstall the app".into()
            }
            PrintJobError::Spool(_) => {
                "The spool folder cannot be written; please contact IT".into()
            }
        }
    }

    pub fn zh(&self) -> String {
        match self {
            PrintJobError::NoPrinter => {
                "本机未配置打印机（配置文件 [printer]），文书已保存，可稍后打印".into()
            }
            PrintJobError::UnknownPrinter(p) => {
                format!("打印机「{p}」不存在，文书已保存，可稍后打印")
            }
            PrintJobError::Cups(_) => {
                "打印系统拒绝了该打印任务，文书已保存，可稍后重新打印；如反复出现请联系信息科"
                    .into()
            }
            PrintJobError::NoLp(_) => "本机没有打印服务（CUPS），文书已保存".into(),
            PrintJobError::NoSumatra(_) => {
                "打印组件（SumatraPDF）缺失，请重新安装本软件；文书已保存".into()
            }
            PrintJobError::Spool(_) => {
                "本机打印暂存文件夹无法写入，文书已保存，可稍后打印；请联系信息科".into()
            }
        }
    }
}

/// Send a PDF file to `printer` through the SumatraPDF sidecar; returns a
/// local reference (the spooler's id is not reported back).
#[cfg(windows)]
pub fn send(file: &std::path::Path, printer: &str, title: &str) -> Result<String, PrintJobError> {
    let _ = title;
    sumatra(file, printer)
}

/// The SumatraPDF command line that prints `file` on `printer` without any
/// window: at its own size (never scaled to fit: a notice's margins are
/// part of GB/T 9704), then exits.
pub fn sumatra_args(file: &std::path::Path, printer: &str) -> Vec<std::ffi::OsString> {
    let mut a: Vec<std::ffi::OsString> = [
        "-print-to",
        printer,
        "-print-settings",
        "noscale",
        "-silent",
        "-exit-on-print",
    ]
    .iter()
    .map(Into::into)
    .collect();
    a.push(file.as_os_str().to_owned());
    a
}

/// Where the installer puts the sidecar: next to the app's executable.
pub fn sumatra_path() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join("SumatraPDF.exe"))
}

#[cfg_attr(not(windows), allow(dead_code))]
fn sumatra(file: &std::path::Path, printer: &str) -> Result<String, PrintJobError> {
    let exe = sumatra_path()
        .filter(|p| p.exists())
        .ok_or_else(|| PrintJobError::NoSumatra("SumatraPDF.exe is not next to the app".into()))?;
    let out = Command::new(&exe)
        .args(sumatra_args(file, printer))
        .output()
        .map_err(|e| PrintJobError::NoSumatra(e.to_string()))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(PrintJobError::Cups(if why.is_empty() {
            format!("SumatraPDF exited with {}", out.status)
        } else {
            why
        }));
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Ok(format!("{printer}-win{stamp}"))
}

/// No printer configured on Windows: open the document in the default PDF
/// viewer, where the clerk prints it by hand. (On Linux the app reports
/// "no printer" instead: a hall PC there always has CUPS.)
pub fn open_in_viewer(file: &std::path::Path) -> Result<(), PrintJobError> {
    #[cfg(windows)]
    let mut c = {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]).arg(file);
        c
    };
    #[cfg(not(windows))]
    let mut c = {
        let mut c = Command::new("xdg-open");
        c.arg(file);
        c
    };
    c.status()
        .map_err(|e| PrintJobError::Cups(e.to_string()))
        .and_then(|s| {
            s.success()
                .then_some(())
                .ok_or_else(|| PrintJobError::Cups(format!("the viewer exited with {s}")))
        })
}

/// Send a PDF to a CUPS queue on `lp`'s standard input (never through a
/// file); returns the job id (`A4-12`).
pub fn lp(pdf: &[u8], printer: &str, title: &str) -> Result<String, PrintJobError> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new("lp")
        .args(["-d", printer, "-t", title])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| PrintJobError::NoLp(e.to_string()))?;
    let written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(pdf))
        .unwrap_or(Ok(()));
    let out = child
        .wait_with_output()
        .map_err(|e| PrintJobError::NoLp(e.to_string()))?;
    if let Err(e) = written {
        if out.status.success() {
            return Err(PrintJobError::Cups(format!(
                "lp did not read the whole document: {e}"
            )));
        }
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    if !out.status.success() {
        if stderr.contains("does not exist") {
            return Err(PrintJobError::UnknownPrinter(printer.to_owned()));
        }
        return Err(PrintJobError::Cups(stderr));
    }
    // "request id is A4-12 (1 file(s))"
    stdout
        .split_whitespace()
        .skip_while(|w| *w != "is")
        .nth(1)
        .map(str::to_owned)
        .ok_or_else(|| PrintJobError::Cups(format!("unexpected lp output: {stdout}")))
}

/// Printer queues CUPS knows (`lpstat -e`); empty when CUPS is absent.
pub fn printers() -> Vec<String> {
    Command::new("lpstat")
        .arg("-e")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// What CUPS says about a queue (`lpstat -l -p`, `lpstat -a`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueState {
    /// Not stopped (`cupsdisable`, or stopped by the backend after a fault).
    pub enabled: bool,
    pub accepting: bool,
    /// The reason an operator gave when stopping it.
    pub message: String,
    /// IPP printer-state-reasons (`media-empty-error`, `paused`, …).
    pub alerts: Vec<String>,
}

/// Why a job sent to a queue will not come out now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueProblem {
    PaperOut,
    Jam,
    DoorOpen,
    Offline,
    TonerOut,
    /// Stopped, with the reason if one was given.
    Stopped(String),
}

impl QueueProblem {
    pub fn zh(&self) -> String {
        match self {
            QueueProblem::PaperOut => "打印机缺纸".into(),
            QueueProblem::Jam => "打印机卡纸".into(),
            QueueProblem::DoorOpen => "打印机机盖未关".into(),
            QueueProblem::Offline => "打印机脱机".into(),
            QueueProblem::TonerOut => "打印机墨粉（色带）耗尽".into(),
            QueueProblem::Stopped(r) if r.is_empty() => "打印队列已暂停".into(),
            QueueProblem::Stopped(r) => format!("打印队列已暂停（{r}）"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            QueueProblem::PaperOut => "the printer is out of paper".into(),
            QueueProblem::Jam => "the printer has a paper jam".into(),
            QueueProblem::DoorOpen => "a printer door is open".into(),
            QueueProblem::Offline => "the printer is offline".into(),
            QueueProblem::TonerOut => "the printer is out of toner".into(),
            QueueProblem::Stopped(r) if r.is_empty() => "the print queue is stopped".into(),
            QueueProblem::Stopped(r) => format!("the print queue is stopped ({r})"),
        }
    }
}

impl QueueState {
    /// Parse `LC_ALL=C lpstat -l -p <q>` and `lpstat -a <q>` output.
    pub fn parse(printer_text: &str, accepting_text: &str) -> QueueState {
        let mut lines = printer_text.lines();
        let first = lines.next().unwrap_or("");
        let enabled = !first.contains(" disabled ");
        let mut message = String::new();
        let mut alerts = Vec::new();
        for l in lines {
            let t = l.trim();
            if let Some(a) = t.strip_prefix("Alerts:") {
                alerts = a
                    .split_whitespace()
                    .filter(|a| *a != "none")
                    .map(str::to_owned)
                    .collect();
            } else if message.is_empty()
                && !enabled
                && !t.contains(':')
                && !t.is_empty()
                && l.starts_with('\t')
            {
                message = t.to_owned();
            }
        }
        QueueState {
            enabled,
            accepting: accepting_text.contains("accepting requests")
                && !accepting_text.contains("not accepting"),
            message,
            alerts,
        }
    }

    /// The most telling problem, from the device's reasons first.
    pub fn problem(&self) -> Option<QueueProblem> {
        let has = |k: &str| self.alerts.iter().any(|a| a.starts_with(k));
        if has("media-empty") || has("media-needed") {
            Some(QueueProblem::PaperOut)
        } else if has("media-jam") {
            Some(QueueProblem::Jam)
        } else if has("door-open") || has("cover-open") {
            Some(QueueProblem::DoorOpen)
        } else if has("toner-empty") || has("marker-supply-empty") {
            Some(QueueProblem::TonerOut)
        } else if has("offline") {
            Some(QueueProblem::Offline)
        } else if !self.enabled || has("paused") {
            Some(QueueProblem::Stopped(self.message.clone()))
        } else {
            None
        }
    }
}

fn lpstat(args: &[&str]) -> Option<String> {
    Command::new("lpstat")
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The queue's state; None when CUPS does not know it.
pub fn queue_state(printer: &str) -> Option<QueueState> {
    let p = lpstat(&["-l", "-p", printer])?;
    let a = lpstat(&["-a", printer]).unwrap_or_default();
    Some(QueueState::parse(&p, &a))
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting or printing.
    Pending,
    Completed,
    /// Cancelled, purged or unknown to CUPS.
    Gone,
}

pub fn job_state(printer: &str, job_id: &str) -> JobState {
    let listed = |which: &str| {
        lpstat(&["-W", which, "-o", printer]).is_some_and(|t| {
            t.lines()
                .any(|l| l.split_whitespace().next() == Some(job_id))
        })
    };
    if listed("not-completed") {
        JobState::Pending
    } else if listed("completed") {
        JobState::Completed
    } else {
        JobState::Gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_windows_sidecar_prints_silently_at_actual_size() {
        let a = sumatra_args(std::path::Path::new(r"C:\spool\d.pdf"), "HP LaserJet M404");
        let a: Vec<String> = a.iter().map(|x| x.to_string_lossy().into_owned()).collect();
        assert_eq!(
            a,
            [
                "-print-to",
                "HP LaserJet M404",
                "-print-settings",
                "noscale",
                "-silent",
                "-exit-on-print",
                r"C:\spool\d.pdf"
            ]
        );
        assert!(sumatra_path().unwrap().ends_with("SumatraPDF.exe"));
    }

    #[test]
    fn queue_states_are_read_from_lpstat() {
        let idle = "printer A4 is idle.  enabled since Tue Nov 24 22:30:43 2026\n\tForm mounted:\n\tAlerts: none\n\tLocation: \n";
        let s = QueueState::parse(idle, "A4 accepting requests since Tue Nov 24 2026\n");
        assert!(s.enabled && s.accepting && s.alerts.is_empty());
        assert_eq!(s.problem(), None);

        let stopped = "printer A4 disabled since Tue Nov 24 23:58:39 2026 -\n\tPaper tray empty\n\tForm mounted:\n\tAlerts: paused\n";
        let s = QueueState::parse(stopped, "A4 not accepting requests since Tue\n");
        assert!(!s.enabled && !s.accepting);
        assert_eq!(
            s.problem(),
            Some(QueueProblem::Stopped("Paper tray empty".into()))
        );
        assert!(s.problem().unwrap().zh().contains("Paper tray empty"));

        // The device's reasons win over "stopped": the clerk can act on them.
        let out = "printer A4 disabled since Tue -\n\tAlerts: media-empty-error paused\n";
        let s = QueueState::parse(out, "");
        assert_eq!(s.problem(), Some(QueueProblem::PaperOut));
        assert_eq!(s.problem().unwrap().zh(), "打印机缺纸");
        let jam = "printer A4 is processing.  enabled since Tue\n\tAlerts: media-jam-error\n";
        assert_eq!(
            QueueState::parse(jam, "").problem(),
            Some(QueueProblem::Jam)
        );
    }
}
