//! Documents and printing: the notices the law requires are made once
//! (clerk-print), kept in the journal (clerk-store), previewed and printed.

use crate::errors::*;
use crate::state::AppCore;
use clerk_ipc::{CmdError, ErrorKind};
use clerk_ipc::{DocumentInfo, PrintResult};

fn doc_info(d: clerk_store::DocumentRow, journal: &[clerk_store::JournalRow]) -> DocumentInfo {
    DocumentInfo {
        history: journal
            .iter()
            .filter(|j| j.document_id == d.id)
            .map(|j| clerk_ipc::PrintEntry {
                at: clerk_store::time::local_datetime(&j.at).unwrap_or_else(|| j.at.clone()),
                by: j.actor.clone(),
                copy: j.record.copy,
                printer: j.record.printer.clone(),
                job_id: j.record.job_id.clone(),
                outcome: j.record.outcome.clone(),
            })
            .collect(),
        title: clerk_print::kind_title(&d.kind).to_owned(),
        id: d.id,
        kind: d.kind,
        doc_no: d.doc_no,
        issued_at: d.issued_at,
        prints: d.prints as u32,
        last_outcome: d.last_outcome,
    }
}

/// The documents of a case: the ones the law requires are made (once) and
/// saved in the journal, then listed.
pub async fn case_documents(core: &AppCore, case_id: String) -> CmdResult<Vec<DocumentInfo>> {
    let me = core.user("case_documents")?;
    let store = core.store().await?;
    let issuer = core.issuer().await?;
    let cfg = core.config.config.clone();
    let found = {
        let s2 = store.clone();
        let id = case_id.clone();
        blocking(move || s2.case(&id).map_err(storage)).await?
    };
    let Some((row, case)) = found else {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            "没有该办件",
            "No such case",
        ));
    };
    let pinned = match core.catalogue_version(case.matter_version).await {
        Some(c) => c,
        None => core.catalogue().await,
    };
    let Some(matter) = pinned.matter(&case.matter_code).cloned() else {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            "目录中没有该事项",
            "The matter is not in the catalogue",
        ));
    };
    let actor = core.actor_of(&me);
    blocking(move || {
        let counter = clerk_core::receipt::ReceiptNo::parse(&row.receipt_no)
            .map(|r| r.counter())
            .unwrap_or(0);
        let unset = |v: &Option<String>, what: &str| {
            v.clone()
                .unwrap_or_else(|| format!("（本机配置未填写{what}）"))
        };
        let local = clerk_store::time::local_hhmm(&row.created_at);
        let input = clerk_print::CaseDocInput {
            receipt_no: row.receipt_no.clone(),
            doc_no: String::new(),
            hall_name: cfg.hall.name.clone(),
            window: cfg.window.name.clone(),
            // 经办人: whoever took the case in, by name (issue #12).
            clerk: store
                .user(&row.clerk_id)
                .map_err(storage)?
                .map(|u| u.display_name)
                .unwrap_or_else(|| row.clerk_id.clone()),
            received_at: format!("{} {}", case.received_on, local.unwrap_or_default()),
            reconsideration_body: unset(&cfg.notices.reconsideration_body, "行政复议机关"),
            court: unset(&cfg.notices.court, "人民法院"),
            supervision_phone: unset(&cfg.notices.supervision_phone, "监督电话"),
            query_url: unset(&cfg.notices.query_url, "查询网址"),
            verify_code: store.verify_code(&row.receipt_no),
        };
        let have: Vec<String> = store
            .documents(&row.case_id)
            .map_err(storage)?
            .into_iter()
            .map(|d| d.kind)
            .collect();
        let made = issuer
            .make(&case, &matter, &input, counter, &have)
            .map_err(|e| print_error(&e))?;
        for d in made {
            store
                .issue_document(
                    clerk_store::NewDocument {
                        case_id: row.case_id.clone(),
                        kind: d.kind.clone(),
                        doc_no: d.doc_no,
                        pdf: d.pdf,
                        copy_pdf: d.copy_pdf,
                        values_json: d.values.to_json(),
                    },
                    &actor,
                    clerk_store::time::now_millis(),
                )
                .map_err(storage)?;
            tracing::info!(receipt = %row.receipt_no, kind = %d.kind, "document issued");
        }
        let journal = store.print_journal(&row.case_id).map_err(storage)?;
        Ok(store
            .documents(&row.case_id)
            .map_err(storage)?
            .into_iter()
            .map(|d| doc_info(d, &journal))
            .collect())
    })
    .await
}

/// Print a saved document on its configured printer (A4, or the thermal
/// printer for an 80 mm receipt), without a dialog.
/// The first successful print is the original; every later one prints the
/// saved 副本. Failures are journalled and leave the document for later.
pub async fn print_document(core: &AppCore, id: String) -> CmdResult<PrintResult> {
    let me = core.user("print_document")?;
    let store = core.store().await?;
    let cfg = core.config.config.clone();
    let spool = core.data_dir.join("spool");
    let actor = core.actor_of(&me);
    blocking(move || {
        let copy = store.original_printed(&id).map_err(storage)?;
        let Some((pdf, _, kind)) = store.document_pdf(&id, copy).map_err(storage)? else {
            return Err(CmdError::new(
                ErrorKind::NotFound,
                "没有该文书",
                "No such document",
            ));
        };
        let fail = |e: clerk_print::printing::PrintJobError, printer: Option<String>| {
            let rec = clerk_store::PrintRecord {
                copy,
                printer,
                job_id: None,
                outcome: e.to_string(),
            };
            let _ = store.journal_print(&id, &rec, &actor, clerk_store::time::now_millis());
            tracing::warn!(error = %e, "print failed");
            CmdError::new(
                ErrorKind::Config,
                e.zh(),
                format!("{e}. The document is saved; print it later."),
            )
        };
        // The 80 mm receipt goes to the thermal printer, the rest to A4.
        let printer = if kind == "receipt_80mm" {
            cfg.printer.receipt.clone()
        } else {
            cfg.printer.a4.clone()
        };
        std::fs::create_dir_all(&spool).map_err(|_| CmdError::internal())?;
        let file = spool.join(format!("{id}.pdf"));
        let Some(printer) = printer else {
            // Windows without a configured printer: the default viewer, where
            // the clerk prints by hand. Journalled as such, never as printed.
            #[cfg(windows)]
            {
                std::fs::write(&file, &pdf).map_err(|_| CmdError::internal())?;
                let opened = clerk_print::printing::open_in_viewer(&file);
                let rec = clerk_store::PrintRecord {
                    copy,
                    printer: None,
                    job_id: None,
                    outcome: match &opened {
                        Ok(()) => "opened in the default viewer".into(),
                        Err(e) => e.to_string(),
                    },
                };
                let _ = store.journal_print(&id, &rec, &actor, clerk_store::time::now_millis());
                return Err(CmdError::new(
                    ErrorKind::Config,
                    "本机未配置打印机，文书已在默认阅读器中打开，请从阅读器打印",
                    "No printer is configured: the document is open in the default viewer; print it from there",
                ));
            }
            #[cfg(not(windows))]
            return Err(fail(clerk_print::printing::PrintJobError::NoPrinter, None));
        };
        std::fs::write(&file, &pdf).map_err(|_| CmdError::internal())?;
        let title = format!(
            "{}{}",
            clerk_print::kind_title(&kind),
            if copy { "（副本）" } else { "" }
        );
        let sent = clerk_print::printing::send(&file, &printer, &title);
        let _ = std::fs::remove_file(&file);
        match sent {
            Ok(job_id) => {
                // Accepted by CUPS; does the printer say it cannot print now?
                let held = clerk_print::printing::queue_state(&printer).and_then(|s| s.problem());
                let rec = clerk_store::PrintRecord {
                    copy,
                    printer: Some(printer.clone()),
                    job_id: Some(job_id.clone()),
                    outcome: match &held {
                        Some(p) => format!("held: {}", p.en()),
                        None => "sent".into(),
                    },
                };
                if let Some(p) = &held {
                    tracing::warn!(job = %job_id, printer = %printer, problem = %p.en(), "print job held");
                }
                store
                    .journal_print(&id, &rec, &actor, clerk_store::time::now_millis())
                    .map_err(storage)?;
                tracing::info!(job = %job_id, printer = %printer, copy, "document printed");
                Ok(PrintResult {
                    held_zh: held.as_ref().map(|p| {
                        format!("已送入打印队列，但{}：排除后将自动打印；文书已保存，也可稍后重打", p.zh())
                    }),
                    held_en: held.as_ref().map(|p| {
                        format!("Queued, but {}: it prints once that is fixed; the document is saved", p.en())
                    }),
                    printer,
                    job_id,
                    copy,
                })
            }
            Err(e) => Err(fail(e, Some(printer))),
        }
    })
    .await
}

/// Printer queues the printing system knows, for the settings page.
pub async fn printers(core: &AppCore) -> CmdResult<Vec<String>> {
    core.user("printers")?;
    blocking(|| Ok(clerk_print::printing::printers())).await
}

/// The on-screen preview of a document: made again from the values it was
/// issued with and marked 预览 无效 on every page, so it can never pass for
/// the original. Raw PDF bytes.
pub async fn document_preview(core: &AppCore, id: String) -> CmdResult<Vec<u8>> {
    core.user("document_preview")?;
    let store = core.store().await?;
    let issuer = core.issuer().await?;
    let pdf = blocking(move || {
        let Some((_, values_json, kind)) = store.document_pdf(&id, false).map_err(storage)? else {
            return Err(CmdError::new(
                ErrorKind::NotFound,
                "没有该文书",
                "No such document",
            ));
        };
        issuer
            .preview(&kind, &values_json)
            .map_err(|e| print_error(&e))
    })
    .await?;
    Ok(pdf)
}
