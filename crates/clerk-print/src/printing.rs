//! Printing without a dialog: CUPS `lp` on Linux (the job id is recorded).
//! On Windows the SumatraPDF sidecar (`-print-to <printer> -silent`) takes
//! this place; it is configured in the installer and built on a Windows host.

use std::process::Command;

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
}

impl PrintJobError {
    pub fn zh(&self) -> String {
        match self {
            PrintJobError::NoPrinter => {
                "本机未配置打印机（配置文件 [printer]），文书已保存，可稍后打印".into()
            }
            PrintJobError::UnknownPrinter(p) => {
                format!("打印机「{p}」不存在，文书已保存，可稍后打印")
            }
            PrintJobError::Cups(m) => format!("打印失败：{m}。文书已保存，可稍后重新打印"),
            PrintJobError::NoLp(_) => "本机没有打印服务（CUPS），文书已保存".into(),
        }
    }
}

/// Send a PDF file to a CUPS queue; returns the job id (`A4-12`).
pub fn lp(file: &std::path::Path, printer: &str, title: &str) -> Result<String, PrintJobError> {
    let out = Command::new("lp")
        .args(["-d", printer, "-t", title, "--"])
        .arg(file)
        .output()
        .map_err(|e| PrintJobError::NoLp(e.to_string()))?;
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
