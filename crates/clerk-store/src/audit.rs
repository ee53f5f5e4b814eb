//! The tamper-evident audit trail (issue #13). Each row's `link` is
//! `SM3(previous link ‖ SM3(row))` (clerk-secrets `chain`), written in the
//! row's own transaction; `verify_audit` recomputes the whole chain and
//! names the first row that does not fit. A push carries the digests of
//! the rows the platform has not seen, with the link before them, so the
//! platform can keep each PC's head and refuse a chain that does not
//! continue it.

use clerk_secrets::chain;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::ops::StoreError;
use crate::Store;

/// A row's canonical bytes: its fields as a JSON array, in column order.
fn row_bytes(
    id: i64,
    at: &str,
    actor: &str,
    action: &str,
    case_id: Option<&str>,
    detail: &str,
) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([id, at, actor, action, case_id, detail]))
        .unwrap_or_default()
}

fn link_of(s: Option<String>) -> Option<[u8; 32]> {
    s.as_deref().and_then(chain::from_hex)
}

/// Append one audit row, chained to the last one.
pub(crate) fn append(
    tx: &Transaction,
    at: &str,
    actor: &str,
    action: &str,
    case_id: Option<&str>,
    detail: &str,
) -> rusqlite::Result<()> {
    let last: Option<(i64, Option<String>)> = tx
        .prepare_cached("SELECT id, link FROM audit ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (id, prev) = match last {
        Some((id, link)) => (id + 1, link_of(link).unwrap_or(chain::GENESIS)),
        None => (1, chain::GENESIS),
    };
    let link = chain::next(
        &prev,
        &chain::digest(&row_bytes(id, at, actor, action, case_id, detail)),
    );
    tx.prepare_cached(
        "INSERT INTO audit(id, at, actor, action, case_id, detail, link) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![id, at, actor, action, case_id, detail, chain::to_hex(&link)])?;
    Ok(())
}

/// Chain the rows written before the chain existed: only when no row has
/// a link yet (the upgrade). A row without a link after chained ones is
/// left alone, for `verify_audit` to report.
pub(crate) fn backfill(conn: &mut rusqlite::Connection) -> rusqlite::Result<usize> {
    let chained: i64 = conn.query_row(
        "SELECT count(*) FROM audit WHERE link IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    if chained > 0 {
        return Ok(0);
    }
    let tx = conn.transaction()?;
    let rows = read_rows(&tx, 0, i64::MAX)?;
    let mut prev = chain::GENESIS;
    for r in &rows {
        prev = chain::next(&prev, &chain::digest(&r.bytes()));
        tx.execute(
            "UPDATE audit SET link = ?2 WHERE id = ?1",
            params![r.entry.id, chain::to_hex(&prev)],
        )?;
    }
    tx.commit()?;
    Ok(rows.len())
}

struct Row {
    entry: crate::AuditEntry,
    link: Option<String>,
}

impl Row {
    fn bytes(&self) -> Vec<u8> {
        let e = &self.entry;
        row_bytes(
            e.id,
            &e.at,
            &e.actor,
            &e.action,
            e.case_id.as_deref(),
            &e.detail,
        )
    }
}

fn read_rows(conn: &rusqlite::Connection, after: i64, limit: i64) -> rusqlite::Result<Vec<Row>> {
    let mut st = conn.prepare(
        "SELECT id, at, actor, action, case_id, detail, link FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = st.query_map(params![after, limit], |r| {
        Ok(Row {
            entry: crate::AuditEntry::from_row(r)?,
            link: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// What `verify_audit` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCheck {
    /// Every row fits: how many, and the head (last id, its link).
    Intact {
        rows: usize,
        head: Option<(i64, String)>,
    },
    /// The first row that does not fit, and why.
    Broken { id: i64, why: &'static str },
}

/// The rows the platform has not acknowledged, as a push carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSegment {
    /// The link before the first row (genesis: 64 zeros).
    pub prev_link: String,
    /// (id, SM3 of the row) in order.
    pub rows: Vec<(i64, String)>,
}

impl Store {
    /// Recompute the whole chain from its first row.
    pub fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        let conn = self.conn.lock().unwrap();
        let rows = read_rows(&conn, 0, i64::MAX)?;
        let mut prev = chain::GENESIS;
        for (expect_id, r) in (1i64..).zip(rows.iter()) {
            if r.entry.id != expect_id {
                return Ok(AuditCheck::Broken {
                    id: expect_id,
                    why:
                        "missing: the rows are not numbered one after the other (a row was deleted)",
                });
            }
            let want = chain::next(&prev, &chain::digest(&r.bytes()));
            match link_of(r.link.clone()) {
                Some(l) if l == want => prev = l,
                Some(_) => {
                    return Ok(AuditCheck::Broken {
                        id: r.entry.id,
                        why: "its link does not match its contents and the row before (edited)",
                    })
                }
                None => {
                    return Ok(AuditCheck::Broken {
                        id: r.entry.id,
                        why: "it has no link (written past the chain)",
                    })
                }
            }
        }
        Ok(AuditCheck::Intact {
            rows: rows.len(),
            head: rows.last().map(|r| (r.entry.id, chain::to_hex(&prev))),
        })
    }

    /// Up to `limit` rows after `after` (the platform's acknowledged head),
    /// with the link stored before them. Digests are of the rows as they
    /// are now: an edited row the platform already holds shows up at the
    /// platform as a link it does not know.
    pub fn audit_segment(&self, after: i64, limit: usize) -> Result<AuditSegment, StoreError> {
        let conn = self.conn.lock().unwrap();
        let prev_link = if after == 0 {
            chain::to_hex(&chain::GENESIS)
        } else {
            conn.query_row("SELECT link FROM audit WHERE id = ?1", [after], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten()
            .unwrap_or_default()
        };
        let rows = read_rows(&conn, after, limit as i64)?
            .into_iter()
            .map(|r| (r.entry.id, chain::to_hex(&chain::digest(&r.bytes()))))
            .collect();
        Ok(AuditSegment { prev_link, rows })
    }
}
