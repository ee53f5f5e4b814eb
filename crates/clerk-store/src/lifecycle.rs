//! The case after intake (clerk-core `lifecycle`): what the window acts
//! from, and an event recorded in one transaction with its case row, its
//! audit row and its `case.progress` outbox row.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use clerk_core::intake::PreparedCase;
use clerk_core::lifecycle::Recorded;

use crate::ops::{Actor, StoreError};
use crate::sync::{enqueue_audited, NewMutation};
use crate::Store;

/// A case of this PC as the window acts on it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseState {
    /// The case record (this PC's, with the events it recorded).
    pub case: PreparedCase,
    /// The status to act from: the platform's when its copy is the newer
    /// word (a department's decision), else this window's own.
    pub status: String,
    /// The platform's version the window knows (None: not pulled yet).
    pub base_version: Option<i64>,
    pub receipt_no: String,
}

/// An event the rules allowed, to record.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub case_id: &'a str,
    /// The status the window acted from (the record is refused if the case
    /// stands elsewhere by now).
    pub from: &'a str,
    pub event: &'a Recorded,
    /// The case record after the event.
    pub case: &'a PreparedCase,
    /// The new status (the platform's code).
    pub status: &'a str,
}

fn data_err(e: serde_json::Error) -> StoreError {
    StoreError::Data(e.to_string())
}

/// Whether this window said something about the case that the platform's
/// copy at `version` does not show yet: a create or an event still queued,
/// or applied at a later version than the one pulled.
fn own_word_newer(conn: &Connection, case_id: &str, version: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM outbox WHERE case_id = ?1 \
         AND type IN ('case.create', 'case.progress') \
         AND (state = 'pending' OR (state = 'acked' AND coalesce(json_extract(result, '$.case_version'), 0) > ?2)))",
        params![case_id, version],
        |r| r.get::<_, bool>(0),
    )
}

/// A pulled page: the status column of this PC's cases in it follows the
/// platform (审批中, a department's result…) unless the window's own word
/// about a case is newer (`own_word_newer`, for the whole page at once: one
/// pass over the outbox, never one per case) — so "my cases" and the queues
/// show where a case stands.
pub(crate) fn follow_platform(
    tx: &rusqlite::Transaction<'_>,
    page: &[&crate::PulledCase],
) -> Result<(), StoreError> {
    if page.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = page.iter().map(|c| c.case_id.as_str()).collect();
    let ids = serde_json::to_string(&ids).map_err(data_err)?;
    let mut st = tx.prepare_cached(
        "SELECT case_id FROM cases WHERE case_id IN (SELECT value FROM json_each(?1))",
    )?;
    let local: std::collections::HashSet<String> = st
        .query_map([&ids], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    if local.is_empty() {
        return Ok(());
    }
    let local_ids = serde_json::to_string(&local.iter().collect::<Vec<_>>()).map_err(data_err)?;
    let mut st = tx.prepare_cached(
        "SELECT case_id, max(state = 'pending'), max(CASE WHEN state = 'acked' \
         THEN coalesce(json_extract(result, '$.case_version'), 0) ELSE 0 END) \
         FROM outbox WHERE case_id IN (SELECT value FROM json_each(?1)) \
         AND type IN ('case.create', 'case.progress') GROUP BY case_id",
    )?;
    let own: std::collections::HashMap<String, (bool, i64)> = st
        .query_map([&local_ids], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<Result<_, _>>()?;
    for c in page.iter().filter(|c| local.contains(&c.case_id)) {
        let newer = own
            .get(&c.case_id)
            .is_some_and(|(pending, acked)| *pending || *acked > c.version);
        if !newer {
            tx.execute(
                "UPDATE cases SET status = ?2 WHERE case_id = ?1 AND status <> ?2",
                params![c.case_id, c.status],
            )?;
        }
    }
    Ok(())
}

fn state_of(conn: &Connection, case_id: &str) -> Result<Option<CaseState>, StoreError> {
    let local: Option<(String, String, String)> = conn
        .query_row(
            "SELECT body, status, receipt_no FROM cases WHERE case_id = ?1",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((body, local_status, receipt_no)) = local else {
        return Ok(None);
    };
    let server: Option<(String, i64)> = conn
        .query_row(
            "SELECT status, version FROM case_server WHERE case_id = ?1",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let own_newer = match &server {
        None => true,
        Some((_, version)) => own_word_newer(conn, case_id, *version)?,
    };
    let (status, base_version) = match server {
        Some((s, v)) if !own_newer => (s, Some(v)),
        Some((_, v)) => (local_status, Some(v)),
        None => (local_status, None),
    };
    Ok(Some(CaseState {
        case: serde_json::from_str(&body).map_err(data_err)?,
        status,
        base_version,
        receipt_no,
    }))
}

impl Store {
    /// This PC's cases in one of `statuses` (the platform's codes, which
    /// the status column follows), soonest promised date first; with
    /// `clerk`, only the ones that clerk took in.
    pub fn cases_with_status(
        &self,
        statuses: &[&str],
        clerk: Option<&str>,
        limit: u32,
    ) -> Result<Vec<crate::CaseRow>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let list = serde_json::to_string(statuses).map_err(data_err)?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {} FROM cases c WHERE c.status IN (SELECT value FROM json_each(?1)) \
             AND (?2 IS NULL OR c.clerk_id = ?2) \
             ORDER BY c.promised_due IS NULL, c.promised_due, c.receipt_counter DESC LIMIT ?3",
            crate::ops::CASE_COLUMNS
        ))?;
        let rows = st.query_map(params![list, clerk, limit], crate::ops::case_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many of this PC's cases (or `clerk`'s) are in each status.
    pub fn status_counts(&self, clerk: Option<&str>) -> Result<Vec<(String, i64)>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT status, count(*) FROM cases WHERE (?1 IS NULL OR clerk_id = ?1) GROUP BY status",
        )?;
        let rows = st.query_map(params![clerk], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A case of this PC with the status to act from (None: not a case
    /// taken in here).
    pub fn case_state(&self, case_id: &str) -> Result<Option<CaseState>, StoreError> {
        state_of(&self.conn.lock().unwrap(), case_id)
    }

    /// Record an event the rules allowed, if the case still stands where
    /// the window saw it: the case row, the audit row and the `case.progress`
    /// outbox row commit together. Returns the command's seq.
    pub fn record_progress(
        &self,
        p: &Progress,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<i64, StoreError> {
        let Progress {
            case_id,
            from,
            event,
            case,
            status,
        } = *p;
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = state_of(&tx, case_id)?.ok_or_else(|| {
            StoreError::Invalid(clerk_core::intake::FieldError {
                field: "case".into(),
                zh: "没有该办件".into(),
                en: "No such case".into(),
            })
        })?;
        if now.status != from {
            return Err(StoreError::Invalid(clerk_core::intake::FieldError {
                field: "case".into(),
                zh: "该办件的状态刚刚发生了变化，请重新打开后再办理".into(),
                en: "The case changed meanwhile: open it again".into(),
            }));
        }
        let body = serde_json::to_string(case).map_err(data_err)?;
        tx.execute(
            "UPDATE cases SET status = ?2, body = ?3, promised_due = ?4, provisional_years = ?5 WHERE case_id = ?1",
            params![
                case_id,
                status,
                body,
                case.promised_due.map(|d| d.to_string()),
                crate::calendar::years_text(&case.provisional_years),
            ],
        )?;
        let payload = serde_json::json!({ "event": event });
        let seq = enqueue_audited(
            &tx,
            &NewMutation {
                kind: clerk_core::mutation::MutationKind::CaseProgress
                    .as_str()
                    .into(),
                type_version: 1,
                case_id: Some(case_id.to_owned()),
                base_version: now.base_version,
                payload,
            },
            actor,
            now_millis,
            serde_json::json!({"event": event.event.code(), "on": event.on, "from": from, "to": status}),
        )?;
        tx.commit()?;
        Ok(seq)
    }
}
