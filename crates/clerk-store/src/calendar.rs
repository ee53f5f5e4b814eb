//! The official holiday schedule kept on this PC, and the cases whose
//! dates were provisional (issue #11).
//!
//! A year arrives from the platform (`calendar.years` of the manifest) or
//! is imported by IT in 设置; it is kept as the one-year file clerk-core
//! checks. When it arrives, every case of this PC whose dates were worked
//! out for that year from the law alone is recomputed by the app (the
//! rules are clerk-core's); [`Store::apply_recomputed`] writes the new
//! body, an audit row and the moves the clerk is shown. Printed documents
//! are not touched: the print journal keeps what was printed.

use clerk_core::date::Date;
use clerk_core::intake::PreparedCase;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::ops::{audit, data_err, Actor, StoreError};
use crate::time::iso_utc;
use crate::Store;

/// `[2027, 2028]` → `"2027,2028"`; empty → NULL.
pub(crate) fn years_text(years: &[i32]) -> Option<String> {
    (!years.is_empty()).then(|| {
        years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

pub(crate) fn parse_years(text: Option<&str>) -> Vec<i32> {
    text.map(|t| t.split(',').filter_map(|y| y.trim().parse().ok()).collect())
        .unwrap_or_default()
}

/// One kept year of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptYear {
    pub year: i32,
    pub revision: i64,
    pub sha256: String,
    /// "platform" or "import".
    pub origin: String,
    pub body: String,
    pub kept_at: String,
}

/// A date of a case that moved when its year's schedule arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineMove {
    pub id: i64,
    pub case_id: String,
    pub receipt_no: String,
    pub applicant: String,
    /// "promised_due" | "statutory_due" | "notice_deadline".
    pub field: String,
    pub old: String,
    pub new: String,
    pub year: i32,
    pub at: String,
    pub seen: bool,
}

impl Store {
    /// Keep one year (already checked by clerk-core). A (year, revision,
    /// origin) is immutable: keeping it again changes nothing. Returns
    /// whether it was new.
    pub fn keep_calendar_year(
        &self,
        year: i32,
        revision: i64,
        sha256: &str,
        origin: &str,
        body: &str,
        now_millis: i64,
    ) -> Result<bool, StoreError> {
        let conn = self.conn.lock().unwrap();
        let n = conn.execute(
            "INSERT INTO calendar_years(year, revision, sha256, origin, body, kept_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT DO NOTHING",
            params![year, revision, sha256, origin, body, iso_utc(now_millis)],
        )?;
        if n > 0 {
            self.calendar_gen
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(n > 0)
    }

    /// A year imported by IT in 设置 (already checked by clerk-core), with
    /// its audit row. Kept like a platform year, with origin "import" and
    /// the time of import as its order.
    pub fn import_calendar_year(
        &self,
        year: i32,
        body: &str,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<bool, StoreError> {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(body.as_bytes()));
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "INSERT INTO calendar_years(year, revision, sha256, origin, body, kept_at) VALUES (?1, 0, ?2, 'import', ?3, ?4) \
             ON CONFLICT(year, revision, origin) DO UPDATE SET sha256 = excluded.sha256, body = excluded.body, kept_at = excluded.kept_at \
             WHERE calendar_years.sha256 != excluded.sha256",
            params![year, sha, body, at],
        )?;
        audit(
            &tx,
            &at,
            actor,
            "calendar.import",
            None,
            &serde_json::json!({"year": year, "sha256": sha, "changed": n > 0}),
        )?;
        tx.commit()?;
        if n > 0 {
            self.calendar_gen
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(n > 0)
    }

    /// The years kept, in the order they apply: a later one for the same
    /// year replaces an earlier one (platform revisions rise; an import is
    /// applied in the order it was made).
    pub fn calendar_years(&self) -> Result<Vec<KeptYear>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT year, revision, sha256, origin, body, kept_at FROM calendar_years ORDER BY kept_at, revision",
        )?;
        let rows = st.query_map([], |r| {
            Ok(KeptYear {
                year: r.get(0)?,
                revision: r.get(1)?,
                sha256: r.get(2)?,
                origin: r.get(3)?,
                body: r.get(4)?,
                kept_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest platform revision kept for `year` (what the client asks
    /// the manifest against).
    pub fn calendar_revision(&self, year: i32) -> Result<Option<i64>, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn
            .query_row(
                "SELECT max(revision) FROM calendar_years WHERE year = ?1 AND origin = 'platform'",
                [year],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Changes whenever a calendar year is kept (cheap: no query).
    pub fn calendar_generation(&self) -> u64 {
        self.calendar_gen.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// This PC's cases whose dates were provisional for `year`.
    pub fn provisional_cases(&self, year: i32) -> Result<Vec<(String, PreparedCase)>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT case_id, body, provisional_years FROM cases WHERE provisional_years IS NOT NULL",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body, years) = row?;
            if !parse_years(Some(&years)).contains(&year) {
                continue;
            }
            match serde_json::from_str::<PreparedCase>(&body) {
                Ok(c) => out.push((id, c)),
                // One odd body never stops the others; it stays provisional.
                Err(e) => {
                    tracing::error!(case = %id, error = %e, "case body unreadable: dates not recomputed")
                }
            }
        }
        Ok(out)
    }

    /// Write a case whose dates were worked out again for `year`: the body,
    /// the list columns, one audit row (old → new of each date) and a move
    /// for each date that changed, in one transaction.
    pub fn apply_recomputed(
        &self,
        case_id: &str,
        case: &PreparedCase,
        moved: &[(&str, Date, Date)],
        year: i32,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(case).map_err(data_err)?;
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        let receipt: String = tx.query_row(
            "UPDATE cases SET body = ?2, promised_due = ?3, provisional_years = ?4 WHERE case_id = ?1 RETURNING receipt_no",
            params![
                case_id,
                body,
                case.promised_due.map(|d| d.to_string()),
                years_text(&case.provisional_years)
            ],
            |r| r.get(0),
        )?;
        let moves: Vec<serde_json::Value> = moved
            .iter()
            .map(|(f, old, new)| serde_json::json!({"field": f, "old": old.to_string(), "new": new.to_string()}))
            .collect();
        audit(
            &tx,
            &at,
            actor,
            "case.deadlines_recomputed",
            Some(case_id),
            &serde_json::json!({"year": year, "moved": moves, "still_provisional": case.provisional_years}),
        )?;
        for (field, old, new) in moved {
            tx.execute(
                "INSERT INTO deadline_moves(case_id, receipt_no, applicant, field, old, new, year, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![case_id, receipt, case.applicant.name, field, old.to_string(), new.to_string(), year, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Dates that moved, newest first (the ones not yet seen first).
    pub fn deadline_moves(&self, limit: i64) -> Result<Vec<DeadlineMove>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT id, case_id, receipt_no, applicant, field, old, new, year, at, seen_at IS NOT NULL \
             FROM deadline_moves ORDER BY seen_at IS NOT NULL, id DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(DeadlineMove {
                id: r.get(0)?,
                case_id: r.get(1)?,
                receipt_no: r.get(2)?,
                applicant: r.get(3)?,
                field: r.get(4)?,
                old: r.get(5)?,
                new: r.get(6)?,
                year: r.get(7)?,
                at: r.get(8)?,
                seen: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The clerk has told the applicants (or noted it): the moves leave the
    /// to-do list; the audit rows stay.
    pub fn mark_moves_seen(&self, actor: &Actor, now_millis: i64) -> Result<usize, StoreError> {
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE deadline_moves SET seen_at = ?1 WHERE seen_at IS NULL",
            [&at],
        )?;
        if n > 0 {
            audit(
                &tx,
                &at,
                actor,
                "deadline_moves.seen",
                None,
                &serde_json::json!({"count": n}),
            )?;
        }
        tx.commit()?;
        Ok(n)
    }
}
