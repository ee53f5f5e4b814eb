//! Issued documents and the print journal.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use clerk_core::printing::PrintOutcome;

use crate::ops::{Actor, StoreError};
use crate::time::iso_utc;
use crate::Store;

pub struct NewDocument {
    pub case_id: String,
    pub kind: String,
    pub doc_no: String,
    pub pdf: Vec<u8>,
    pub copy_pdf: Vec<u8>,
    pub values_json: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentRow {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub doc_no: String,
    pub sha256: String,
    pub issued_at: String,
    /// Prints that reached a queue (the first was the original).
    pub prints: i64,
    pub last_outcome: Option<PrintOutcome>,
}

/// One line of the print journal, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalRow {
    pub document_id: String,
    pub at: String,
    pub actor: String,
    pub record: PrintRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintRecord {
    pub copy: bool,
    pub printer: Option<String>,
    pub job_id: Option<String>,
    pub outcome: PrintOutcome,
    /// Why it was held or failed, as the clerk was told (Chinese, English).
    pub reason: Option<(String, String)>,
}

impl Store {
    /// Save an issued document with an audit row, in one transaction. Issuing
    /// the same kind twice for a case returns the first one.
    pub fn issue_document(
        &self,
        d: NewDocument,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<DocumentRow, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT id FROM documents WHERE case_id = ?1 AND kind = ?2",
                params![d.case_id, d.kind],
                |r| r.get(0),
            )
            .optional()?;
        if existing.is_none() {
            let id = uuid::Uuid::now_v7().to_string();
            let at = iso_utc(now_millis);
            let sha = clerk_secrets::Suite::CURRENT.hash(&d.pdf).to_string();
            tx.execute(
                "INSERT INTO documents(id, case_id, kind, doc_no, sha256, pdf, copy_pdf, values_json, issued_at, issued_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![id, d.case_id, d.kind, d.doc_no, sha, d.pdf, d.copy_pdf, d.values_json, at, actor.user_id],
            )?;
            let detail = serde_json::json!({"document": id, "kind": d.kind, "doc_no": d.doc_no, "sha256": sha}).to_string();
            crate::audit::append(
                &tx,
                &at,
                &actor.user_id,
                "document.issue",
                Some(&d.case_id),
                &detail,
            )?;
        }
        tx.commit()?;
        drop(conn);
        Ok(self
            .documents(&d.case_id)?
            .into_iter()
            .find(|x| x.kind == d.kind)
            .expect("just saved"))
    }

    pub fn documents(&self, case_id: &str) -> Result<Vec<DocumentRow>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT d.id, d.case_id, d.kind, d.doc_no, d.sha256, d.issued_at, \
               (SELECT count(*) FROM print_journal p WHERE p.document_id = d.id AND p.outcome IN ('sent', 'held')), \
               (SELECT p.outcome FROM print_journal p WHERE p.document_id = d.id ORDER BY p.id DESC LIMIT 1) \
             FROM documents d WHERE d.case_id = ?1 ORDER BY d.rowid",
        )?;
        let rows = st.query_map([case_id], |r| {
            Ok(DocumentRow {
                id: r.get(0)?,
                case_id: r.get(1)?,
                kind: r.get(2)?,
                doc_no: r.get(3)?,
                sha256: r.get(4)?,
                issued_at: r.get(5)?,
                prints: r.get(6)?,
                last_outcome: r.get::<_, Option<String>>(7)?.as_deref().map(outcome),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The print journal of a case's documents, oldest first.
    pub fn print_journal(&self, case_id: &str) -> Result<Vec<JournalRow>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT p.document_id, p.at, p.actor, p.copy, p.printer, p.job_id, p.outcome, p.reason_zh, p.reason_en \
             FROM print_journal p JOIN documents d ON d.id = p.document_id \
             WHERE d.case_id = ?1 ORDER BY p.id",
        )?;
        let rows = st.query_map([case_id], |r| {
            Ok(JournalRow {
                document_id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                record: PrintRecord {
                    copy: r.get(3)?,
                    printer: r.get(4)?,
                    job_id: r.get(5)?,
                    outcome: outcome(&r.get::<_, String>(6)?),
                    reason: match (r.get(7)?, r.get(8)?) {
                        (Some(zh), Some(en)) => Some((zh, en)),
                        (None, Some(en)) => Some((String::new(), en)),
                        (Some(zh), None) => Some((zh, String::new())),
                        (None, None) => None,
                    },
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The saved PDF: the original or its 副本 variant, plus the values it was filled with.
    pub fn document_pdf(
        &self,
        id: &str,
        copy: bool,
    ) -> Result<Option<(Vec<u8>, String, String)>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let col = if copy { "copy_pdf" } else { "pdf" };
        Ok(conn
            .query_row(
                &format!("SELECT {col}, values_json, kind FROM documents WHERE id = ?1"),
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Has the original of this document already been printed?
    pub fn original_printed(&self, id: &str) -> Result<bool, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn.query_row(
            "SELECT count(*) FROM print_journal WHERE document_id = ?1 AND copy = 0 AND outcome IN ('sent', 'held')",
            [id],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    pub fn journal_print(
        &self,
        document_id: &str,
        rec: &PrintRecord,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap();
        conn.execute(
            "INSERT INTO print_journal(document_id, at, actor, copy, printer, job_id, outcome, reason_zh, reason_en) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                document_id,
                iso_utc(now_millis),
                actor.user_id,
                rec.copy,
                rec.printer,
                rec.job_id,
                rec.outcome.as_str(),
                rec.reason.as_ref().map(|r| &r.0),
                rec.reason.as_ref().map(|r| &r.1),
            ],
        )?;
        Ok(())
    }

    /// A short code printed under the QR code: a keyed hash of the receipt
    /// number, so a counter can tell a real receipt from a made-up one.
    pub fn verify_code(&self, receipt_no: &str) -> String {
        const ALPHA: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
        let t = clerk_secrets::Suite::CURRENT.mac(
            &self.lookup_secret,
            format!("verify:{receipt_no}").as_bytes(),
        );
        t.bytes
            .iter()
            .take(6)
            .map(|b| ALPHA[usize::from(*b) % ALPHA.len()] as char)
            .collect()
    }
}

/// A journal code as kept; a code no version wrote reads as failed (the
/// journal never says printed when it cannot tell).
fn outcome(code: &str) -> PrintOutcome {
    PrintOutcome::parse(code).unwrap_or(PrintOutcome::Failed)
}
