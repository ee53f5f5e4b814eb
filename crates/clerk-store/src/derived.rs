//! The derived lookups: search terms (`cases_fts`), the applicant memory
//! (`applicants`) and the list by day (`case_days`). Each can be rebuilt
//! from `cases` at any time, so none of them is written inside an intake's
//! durable commit (issue #3: every B-tree touched there is a page to
//! encrypt, write and fsync). They follow in a transaction of their own, up
//! to the watermark `counters('indexed')`, committed with
//! `synchronous=NORMAL`: after a power cut the WAL ends at a whole commit,
//! so at worst the watermark is older and the same cases are derived again.
//!
//! The pass also deletes the drafts an intake superseded (the intake only
//! records its draft slot on the case).
//!
//! When: before every read that uses them (search, applicant lookup, the
//! case list), so a read never misses a committed case, or when the app
//! asks (`index_pending`). The same pass does the other work an intake's
//! commit leaves for later: it reserves receipt numbers ahead in the
//! counter's mirror (one fdatasync per several intakes, outside them) and
//! checkpoints the WAL every `CHECKPOINT_EVERY` intakes (SQLite would
//! otherwise do it inside the commit that crosses its threshold).

use std::sync::atomic::Ordering;

use clerk_core::intake::ApplicantForm;
use rusqlite::{params, Connection, TransactionBehavior};

use crate::ops::StoreError;
use crate::search;
use crate::Store;

/// Intakes between two WAL checkpoints made by this pass (~6 frames each:
/// about SQLite's default of 1,000 frames).
const CHECKPOINT_EVERY: u32 = 64;
/// SQLite's own automatic checkpoint, in frames: only if this pass does not
/// run (intakes with no read between them).
pub(crate) const CHECKPOINT_BACKSTOP: i64 = 4_000;

/// Cases derived per transaction (a first run over an upgraded database
/// goes in steps, each one committed).
const STEP: i64 = 2_000;

/// A case row as the derived lookups read it.
struct Source {
    counter: i64,
    receipt: String,
    case_id: String,
    at: String,
    received_on: String,
    matter_name: String,
    name: String,
    id_no: String,
    phone: String,
    body: String,
}

/// The one part of a case body the lookups need.
#[derive(serde::Deserialize)]
struct Applicant {
    applicant: ApplicantForm,
}

impl Store {
    pub(crate) fn mark_stale(&self) {
        self.stale.store(true, Ordering::Release);
        self.since_checkpoint.fetch_add(1, Ordering::Relaxed);
    }

    /// Bring the derived lookups up to date now; how many cases it took.
    pub fn index_pending(&self) -> Result<usize, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        self.catch_up(&mut conn)
    }

    /// Called with the connection held, before a read of derived data.
    pub(crate) fn catch_up(&self, conn: &mut Connection) -> Result<usize, StoreError> {
        if !self.stale.swap(false, Ordering::AcqRel) {
            return Ok(0);
        }
        let mut done = 0;
        let r = conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(StoreError::from)
            .and_then(|()| loop {
                match self.derive_step(conn) {
                    Ok(0) => break Ok(done),
                    Ok(n) => done += n,
                    Err(e) => break Err(e),
                }
            });
        let back = conn.pragma_update(None, "synchronous", "FULL");
        if let Err(e) = &back {
            // Every later intake would commit without its fsync.
            tracing::error!(error = %e, "synchronous=FULL not restored after the derived pass");
        }
        let r = r.and_then(|n| back.map(|()| n).map_err(StoreError::from));
        if r.is_err() {
            // Try again at the next read; the read itself still fails, so
            // nobody is shown a list that silently misses cases.
            self.mark_stale();
        }
        if done > 0 {
            tracing::debug!(cases = done, "derived lookups brought up to date");
        }
        let r = r?;
        self.reserve_numbers(conn)?;
        if self.since_checkpoint.load(Ordering::Relaxed) >= CHECKPOINT_EVERY {
            self.since_checkpoint.store(0, Ordering::Relaxed);
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        }
        Ok(r)
    }

    fn reserve_numbers(&self, conn: &Connection) -> Result<(), StoreError> {
        let counter = crate::numbers::last_receipt(conn)?;
        self.mirror
            .lock()
            .unwrap()
            .top_up(counter)
            .map_err(|e| StoreError::Data(format!("receipt counter mirror: {e}")))
    }

    fn derive_step(&self, conn: &mut Connection) -> Result<usize, StoreError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let from: i64 = tx
            .prepare_cached("SELECT value FROM counters WHERE name = 'indexed'")?
            .query_row([], |r| r.get(0))?;
        let rows: Vec<Source> = {
            let mut st = tx.prepare_cached(
                "SELECT receipt_counter, receipt_no, case_id, created_at, received_on, matter_name, \
                 applicant_name, applicant_id_no, applicant_phone, body FROM cases \
                 WHERE receipt_counter > ?1 ORDER BY receipt_counter LIMIT ?2",
            )?;
            let it = st.query_map(params![from, STEP], |r| {
                Ok(Source {
                    counter: r.get(0)?,
                    receipt: r.get(1)?,
                    case_id: r.get(2)?,
                    at: r.get(3)?,
                    received_on: r.get(4)?,
                    matter_name: r.get(5)?,
                    name: r.get(6)?,
                    id_no: r.get(7)?,
                    phone: r.get(8)?,
                    body: r.get(9)?,
                })
            })?;
            it.collect::<Result<_, _>>()?
        };
        let Some(last) = rows.last().map(|r| r.counter) else {
            return Ok(0);
        };
        {
            let mut fts =
                tx.prepare_cached("INSERT INTO cases_fts(rowid, terms) VALUES (?1, ?2)")?;
            let mut days = tx.prepare_cached(
                "INSERT OR IGNORE INTO case_days(received_on, counter) VALUES (?1, ?2)",
            )?;
            let mut known = tx.prepare_cached(
                "INSERT INTO applicants(id_no, body, last_case_id, updated_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(id_no) DO UPDATE SET body = excluded.body, last_case_id = excluded.last_case_id, updated_at = excluded.updated_at",
            )?;
            for c in &rows {
                // Only the applicant is read from the body. A body this
                // version cannot read still gets its search terms and its
                // day from the columns; only the memory skips it.
                let applicant = match serde_json::from_str::<Applicant>(&c.body) {
                    Ok(a) => Some(a.applicant),
                    Err(e) => {
                        tracing::warn!(case = %c.case_id, error = %e, "case body not readable: searchable by its columns, not remembered");
                        None
                    }
                };
                let for_terms = applicant.clone().unwrap_or_else(|| ApplicantForm {
                    name: c.name.clone(),
                    id_no: c.id_no.clone(),
                    phone: c.phone.clone(),
                    ..Default::default()
                });
                fts.execute(params![
                    c.counter,
                    search::terms(&c.receipt, &for_terms, &c.matter_name)
                ])?;
                days.execute(params![c.received_on, c.counter])?;
                if let Some(a) = applicant {
                    known.execute(params![
                        self.lookup_key(&a.id_no),
                        serde_json::to_string(&a).map_err(|e| StoreError::Data(e.to_string()))?,
                        c.case_id,
                        c.at
                    ])?;
                }
            }
        }
        // Drafts an intake superseded hold an applicant's details: gone
        // now, off the intake's commit.
        tx.prepare_cached(&format!(
            "DELETE FROM drafts AS d WHERE {}",
            crate::ops::SUPERSEDED
        ))?
        .execute([])?;
        tx.prepare_cached("UPDATE counters SET value = ?1 WHERE name = 'indexed'")?
            .execute([last])?;
        tx.commit()?;
        Ok(rows.len())
    }
}
