//! Documents and printing: the notices the law requires are made once
//! (clerk-print), kept in the journal (clerk-store), previewed and printed.

use crate::errors::*;
use crate::state::AppCore;
use clerk_ipc::{CmdError, ErrorKind};
use clerk_ipc::{DocumentInfo, PrintOutcome, PrintResult, Text};

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
                outcome: print_outcome(j.record.outcome),
                reason: j.record.reason.clone().map(|(zh, en)| Text { zh, en }),
            })
            .collect(),
        title: clerk_print::kind_title(&d.kind).to_owned(),
        id: d.id,
        kind: d.kind,
        doc_no: d.doc_no,
        issued_at: d.issued_at,
        prints: d.prints as u32,
        last_outcome: d.last_outcome.map(print_outcome),
        withheld: None,
    }
}

fn print_outcome(o: clerk_core::printing::PrintOutcome) -> PrintOutcome {
    use clerk_core::printing::PrintOutcome as P;
    match o {
        P::Sent => PrintOutcome::Sent,
        P::Held => PrintOutcome::Held,
        P::Failed => PrintOutcome::Failed,
        P::InViewer => PrintOutcome::InViewer,
    }
}

/// A case of this PC with what its documents are made from: the record,
/// its matter at the pinned catalogue version, and the deciding
/// department (name and reconsideration body) from that catalogue.
struct ForDocs {
    row: clerk_store::CaseRow,
    case: clerk_core::intake::PreparedCase,
    matter: clerk_core::catalogue::Matter,
    department: Option<clerk_core::catalogue::Department>,
}

async fn for_docs(core: &AppCore, case_id: &str) -> CmdResult<ForDocs> {
    let store = core.store().await?;
    let id = case_id.to_owned();
    let Some((row, case)) = blocking(move || store.case(&id).map_err(storage)).await? else {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            "没有该办件",
            "No such case",
        ));
    };
    let pinned = core.catalogue_pinned(case.matter_version).await;
    let Some(matter) = pinned.matter(&case.matter_code).cloned() else {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            "目录中没有该事项",
            "The matter is not in the catalogue",
        ));
    };
    let department = pinned.department(&matter.department).cloned();
    Ok(ForDocs {
        row,
        case,
        matter,
        department,
    })
}

/// Everything besides the case a document prints (blocking: reads users).
fn doc_input(
    cfg: &clerk_config::Config,
    today: clerk_core::date::Date,
    store: &clerk_store::Store,
    d: &ForDocs,
) -> CmdResult<clerk_print::CaseDocInput> {
    let unset = |v: &Option<String>, what: &str| {
        v.clone()
            .unwrap_or_else(|| format!("（本机配置未填写{what}）"))
    };
    let local = clerk_store::time::local_hhmm(&d.row.created_at);
    Ok(clerk_print::CaseDocInput {
        receipt_no: d.row.receipt_no.clone(),
        doc_no: String::new(),
        hall_name: cfg.hall.name.clone(),
        // The deciding agency and where to apply against it: the
        // department's, from the catalogue the case pinned (issue #14).
        agency: d
            .department
            .as_ref()
            .map(|x| x.name.clone())
            .unwrap_or_else(|| d.matter.department.clone()),
        window: cfg.window.name.clone(),
        // 经办人: whoever took the case in, by name (issue #12).
        clerk: store
            .user(&d.row.clerk_id)
            .map_err(storage)?
            .map(|u| u.display_name)
            .unwrap_or_else(|| d.row.clerk_id.clone()),
        received_at: format!("{} {}", d.case.received_on, local.unwrap_or_default()),
        reconsideration_body: d
            .department
            .as_ref()
            .and_then(|x| x.review_body.clone())
            .unwrap_or_default(),
        court: unset(&cfg.notices.court, "人民法院"),
        supervision_phone: unset(&cfg.notices.supervision_phone, "监督电话"),
        query_url: unset(&cfg.notices.query_url, "查询网址"),
        verify_code: store.verify_code(&d.row.receipt_no),
        // A document is dated the day it is issued, not the day of receipt.
        issued_on: today,
    })
}

/// A document the case needs that is withheld: listed with why, so the
/// clerk can preview it and knows what IT must configure.
fn withheld_info(kind: &str, department: &str) -> DocumentInfo {
    DocumentInfo {
        id: String::new(),
        kind: kind.to_owned(),
        title: clerk_print::kind_title(kind).to_owned(),
        doc_no: String::new(),
        issued_at: String::new(),
        prints: 0,
        last_outcome: None,
        history: Vec::new(),
        withheld: Some(Text {
            zh: format!(
                "未出具：事项目录未写明「{department}」的行政复议机关（部门的 review_body），告知救济权利的文书不能作为正本打印；请信息科在平台发布的目录中补充后再出具。可先预览。"
            ),
            en: format!(
                "Not issued: the catalogue names no reconsideration body for {department} (the department's review_body), so a notice stating the remedies cannot print as an original. IT adds it to the catalogue the platform publishes; preview meanwhile."
            ),
        }),
    }
}

/// The documents of a case: the ones the law requires are made (once) and
/// saved in the journal, then listed; those that cannot be originals yet
/// (no reconsideration body for the department) are listed as withheld.
pub async fn case_documents(core: &AppCore, case_id: String) -> CmdResult<Vec<DocumentInfo>> {
    let me = core.user("case_documents")?;
    let d = for_docs(core, &case_id).await?;
    let store = core.store().await?;
    let issuer = core.issuer().await?;
    let actor = core.actor_of(&me);
    let (cfg, today) = (core.config.config.clone(), core.today());
    blocking(move || {
        let input = doc_input(&cfg, today, &store, &d)?;
        let have: Vec<String> = store
            .documents(&d.row.case_id)
            .map_err(storage)?
            .into_iter()
            .map(|x| x.kind)
            .collect();
        let made = issuer
            .make(&d.case, &d.matter, &input, &have)
            .map_err(|e| print_error(&e))?;
        let withheld = issuer
            .withheld(&d.case, &d.matter, &input, &have)
            .map_err(|e| print_error(&e))?;
        for m in made {
            store
                .issue_document(
                    clerk_store::NewDocument {
                        case_id: d.row.case_id.clone(),
                        kind: m.kind.clone(),
                        doc_no: m.doc_no,
                        pdf: m.pdf,
                        copy_pdf: m.copy_pdf,
                        values_json: m.values.to_json(),
                    },
                    &actor,
                    clerk_store::time::now_millis(),
                )
                .map_err(storage)?;
            tracing::info!(receipt = %d.row.receipt_no, kind = %m.kind, "document issued");
        }
        if !withheld.is_empty() {
            tracing::warn!(receipt = %d.row.receipt_no, department = %d.matter.department, "documents withheld: no reconsideration body in the catalogue");
        }
        let journal = store.print_journal(&d.row.case_id).map_err(storage)?;
        let mut list: Vec<DocumentInfo> = store
            .documents(&d.row.case_id)
            .map_err(storage)?
            .into_iter()
            .map(|x| doc_info(x, &journal))
            .collect();
        list.extend(withheld.into_iter().map(|k| withheld_info(k, &input.agency)));
        Ok(list)
    })
    .await
}

/// The preview of a withheld document (marked 预览 无效, not journalled):
/// made from the case now. Raw PDF bytes.
pub async fn withheld_preview(core: &AppCore, case_id: String, kind: String) -> CmdResult<Vec<u8>> {
    core.user("withheld_preview")?;
    let d = for_docs(core, &case_id).await?;
    let store = core.store().await?;
    let issuer = core.issuer().await?;
    let (cfg, today) = (core.config.config.clone(), core.today());
    blocking(move || {
        let input = doc_input(&cfg, today, &store, &d)?;
        if !issuer
            .withheld(&d.case, &d.matter, &input, &[])
            .map_err(|e| print_error(&e))?
            .contains(&kind.as_str())
        {
            return Err(CmdError::new(
                ErrorKind::NotFound,
                "该文书没有被暂缓出具",
                "This document is not withheld",
            ));
        }
        issuer
            .preview_withheld(&kind, &d.case, &d.matter, &input)
            .map_err(|e| print_error(&e))
    })
    .await
}

/// Print a saved document on its configured printer (A4, or the thermal
/// printer for an 80 mm receipt), without a dialog: clerk-print's
/// `print()` routes, sends and journals. The first print that reaches a
/// queue is the original; every later one prints the saved 副本. A print
/// that did not reach a queue is an error for the clerk and stays in the
/// journal; the document is kept for later.
pub async fn print_document(core: &AppCore, id: String) -> CmdResult<PrintResult> {
    let me = core.user("print_document")?;
    let store = core.store().await?;
    let route = clerk_print::printing::Route {
        a4: core.config.config.printer.a4.clone(),
        receipt: core.config.config.printer.receipt.clone(),
    };
    let spool = core.data_dir.join("spool");
    let actor = core.actor_of(&me);
    let printed = blocking(move || {
        let copy = store.original_printed(&id).map_err(storage)?;
        let Some((pdf, _, kind)) = store.document_pdf(&id, copy).map_err(storage)? else {
            return Err(CmdError::new(
                ErrorKind::NotFound,
                "没有该文书",
                "No such document",
            ));
        };
        let job = clerk_print::printing::Job {
            id: &id,
            kind: &kind,
            pdf: &pdf,
            copy,
        };
        clerk_print::printing::print(&job, &route, &spool, |p| {
            let rec = clerk_store::PrintRecord {
                copy: p.copy,
                printer: p.printer.clone(),
                job_id: p.job_id.clone(),
                outcome: p.outcome,
                reason: p.reason.clone(),
            };
            store
                .journal_print(&id, &rec, &actor, clerk_store::time::now_millis())
                .map_err(storage)
        })
    })
    .await?;
    let reason = printed.reason.clone().unwrap_or_default();
    match (printed.outcome, printed.printer, printed.job_id) {
        (o, Some(printer), Some(job_id)) if o.counts_as_printed() => {
            if let Some((_, en)) = &printed.reason {
                tracing::warn!(job = %job_id, printer = %printer, problem = %en, "print job held");
            }
            tracing::info!(job = %job_id, printer = %printer, copy = printed.copy, "document printed");
            Ok(PrintResult {
                outcome: print_outcome(o),
                held: printed.reason.map(|(zh, en)| Text {
                    zh: format!(
                        "已送入打印队列，但{zh}：排除后将自动打印；文书已保存，也可稍后重打"
                    ),
                    en: format!(
                        "Queued, but {en}: it prints once that is fixed; the document is saved"
                    ),
                }),
                printer,
                job_id,
                copy: printed.copy,
            })
        }
        (o, ..) => {
            tracing::warn!(
                outcome = o.as_str(),
                detail = printed.detail.as_deref().unwrap_or(""),
                "not printed"
            );
            Err(CmdError::new(ErrorKind::Config, reason.0, reason.1))
        }
    }
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
