//! What the sync worker reads and writes (sync-protocol §2–§4): the outbox
//! as a queue, push results, pulled pages with their cursor, enrolment.
//! Every method is one transaction.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::ops::{Actor, StoreError};
use crate::time::iso_utc;
use crate::Store;

/// A command to queue (`Store::enqueue_mutation`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMutation {
    pub kind: String,
    pub type_version: u32,
    pub case_id: Option<String>,
    pub base_version: Option<i64>,
    pub payload: serde_json::Value,
}

/// One outbox row, as pushed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuedMutation {
    pub seq: i64,
    pub mutation_id: String,
    pub kind: String,
    pub type_version: u32,
    pub case_id: Option<String>,
    pub base_version: Option<i64>,
    pub payload: serde_json::Value,
    pub actor_user_id: String,
    pub hlc: String,
    pub wall_time: String,
    pub state: String,
}

/// One outbox row for the sync panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub kind: String,
    pub receipt_no: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The server's result (JSON), for acked and rejected rows.
    pub result: Option<String>,
    pub wall_time: String,
    /// A refused row sent again: the seq it was sent again as.
    pub requeued_as: Option<i64>,
}

/// What the server said about one mutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOutcome {
    pub seq: i64,
    /// `acked`, `rejected` or `conflict`
    pub state: &'static str,
    /// The server's result, JSON.
    pub result: String,
}

/// One pulled change.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledCase {
    pub case_id: String,
    pub version: i64,
    pub status: String,
    pub receipt_no: String,
    pub data: serde_json::Value,
    pub change_seq: i64,
}

/// The queue at a glance (status bar, sync panel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueState {
    pub pending: i64,
    pub rejected: i64,
    /// Wall time of the oldest pending mutation.
    pub oldest_pending: Option<String>,
    pub confirmed_seq: i64,
}

fn pulled(r: &rusqlite::Row) -> rusqlite::Result<PulledCase> {
    let data: String = r.get(4)?;
    Ok(PulledCase {
        case_id: r.get(0)?,
        version: r.get(1)?,
        status: r.get(2)?,
        receipt_no: r.get(3)?,
        data: serde_json::from_str(&data).unwrap_or_default(),
        change_seq: r.get(5)?,
    })
}

fn queued(r: &rusqlite::Row) -> rusqlite::Result<QueuedMutation> {
    let payload: String = r.get(6)?;
    Ok(QueuedMutation {
        seq: r.get(0)?,
        mutation_id: r.get(1)?,
        kind: r.get(2)?,
        type_version: r.get(3)?,
        case_id: r.get::<_, Option<String>>(4)?.or_else(|| {
            serde_json::from_str::<serde_json::Value>(&payload).ok()?["case_id"]
                .as_str()
                .map(str::to_owned)
        }),
        base_version: r.get(5)?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        actor_user_id: r.get(7)?,
        hlc: r.get(8)?,
        wall_time: r.get(9)?,
        state: r.get(10)?,
    })
}

/// The highest seq the platform has answered (sync_meta `push_floor`).
const FLOOR: &str =
    "coalesce((SELECT CAST(value AS INTEGER) FROM sync_meta WHERE key = 'push_floor'), 0)";

const QUEUED_COLS: &str = "seq, mutation_id, type, type_version, case_id, base_version, payload, actor_user_id, hlc, wall_time, state";

impl Store {
    pub fn sync_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn
            .query_row("SELECT value FROM sync_meta WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn sync_set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap();
        conn.execute(
            "INSERT INTO sync_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// The next batch to push: pending rows in seq order, at most `n`.
    pub fn pending_batch(&self, n: usize) -> Result<Vec<QueuedMutation>, StoreError> {
        let conn = self.conn.lock().unwrap();
        // Every seq at or below the push floor has an answer, so the scan
        // starts above it (the archive of acked rows is never walked).
        let mut st = conn.prepare_cached(&format!(
            "SELECT {QUEUED_COLS} FROM outbox WHERE seq > {FLOOR} AND state = 'pending' ORDER BY seq LIMIT ?1"
        ))?;
        let rows = st.query_map([n as i64], queued)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Rows from `seq` on, acked or not: the re-push archive answers a
    /// server that is behind (`gap`, a restored server).
    pub fn outbox_from(&self, seq: i64, n: usize) -> Result<Vec<QueuedMutation>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {QUEUED_COLS} FROM outbox WHERE seq >= ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows = st.query_map(params![seq, n as i64], queued)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The highest seq ever handed out (never below the floor in
    /// `counters`: an archive purged to empty must never restart at 1).
    pub fn last_seq(&self) -> Result<i64, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(crate::numbers::last_seq(&conn)?)
    }

    /// A push answered: every seq up to `last_applied` is done; each result
    /// is stored with its state. Rejected and conflicting rows are set
    /// aside for the clerk, never dropped.
    pub fn record_push(
        &self,
        last_applied: i64,
        outcomes: &[PushOutcome],
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        let at = iso_utc(now_millis);
        {
            let mut one = tx.prepare_cached(
                "UPDATE outbox SET state = ?2, result = ?3, acked_at = ?4, last_error = NULL WHERE seq = ?1 AND state = 'pending'",
            )?;
            for o in outcomes {
                one.execute(params![o.seq, o.state, o.result, at])?;
            }
        }
        tx.execute(
            &format!(
                "UPDATE outbox SET state = 'acked', acked_at = ?2, last_error = NULL WHERE seq > {FLOOR} AND seq <= ?1 AND state = 'pending'"
            ),
            params![last_applied, at],
        )?;
        tx.execute(
            "INSERT INTO sync_meta(key, value) VALUES ('push_floor', ?1) \
             ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
            [last_applied.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Queue a command for the platform (e.g. `case.accept_online` after a
    /// pre-review), with its audit row, in one transaction.
    pub fn enqueue_mutation(
        &self,
        m: &NewMutation,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<i64, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let seq = enqueue_in(&tx, m, actor, now_millis)?;
        tx.commit()?;
        Ok(seq)
    }

    /// The highest receipt counter used (for enrolment).
    pub fn receipt_counter(&self) -> Result<i64, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(crate::numbers::last_receipt(&conn)?)
    }

    /// A failed attempt on the head of the queue (kept for the sync panel).
    pub fn record_attempt(&self, seqs: &[i64], error: &str) -> Result<(), StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        for s in seqs {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
                params![s, error],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A rejected row put back in the queue by the clerk ("retry").
    pub fn retry_rejected(
        &self,
        seq: i64,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let refused: Option<i64> = tx
            .query_row(
                "SELECT seq FROM outbox WHERE seq = ?1 AND state IN ('rejected', 'conflict') \
                 AND requeued_as IS NULL",
                [seq],
                |r| r.get(0),
            )
            .optional()?;
        if refused.is_none() {
            return Ok(false);
        }
        // The platform answers a seq once and for ever (exactly once): a
        // retry is the same command under a new seq. The refused row stays
        // in the archive, marked.
        let new_seq = crate::numbers::bump_seq(&tx)?;
        // The new row carries the old command's HLC: keep the last one
        // issued as the floor, so the clock never goes back.
        let last_hlc = crate::numbers::last_hlc(&tx)?;
        crate::numbers::raise_hlc_floor(&tx, last_hlc)?;
        let at = iso_utc(now_millis);
        tx.execute(
            "INSERT INTO outbox(seq, mutation_id, type, type_version, case_id, base_version, payload, actor_user_id, hlc, wall_time) \
             SELECT ?1, ?2, type, type_version, case_id, base_version, payload, ?3, hlc, ?4 FROM outbox WHERE seq = ?5",
            params![new_seq, uuid::Uuid::now_v7().to_string(), actor.user_id, at, seq],
        )?;
        tx.execute(
            "UPDATE outbox SET requeued_as = ?2 WHERE seq = ?1",
            params![seq, new_seq],
        )?;
        let case_id: Option<String> =
            tx.query_row("SELECT case_id FROM outbox WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })?;
        crate::audit::append(
            &tx,
            &at,
            &actor.user_id,
            "sync.retry",
            case_id.as_deref(),
            &serde_json::json!({"seq": seq, "new_seq": new_seq}).to_string(),
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// One pulled page, applied atomically with its cursor: a case is
    /// replaced only by a newer version, so re-applying a page is a no-op.
    /// A department's result is reflected on the window's own case.
    pub fn apply_pull(
        &self,
        cases: &[PulledCase],
        next_cursor: &str,
        confirmed_seq: Option<i64>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        let mut changed = 0;
        // The copies that are newer than the ones kept: only they may
        // speak for a case's status (a page applied again changes nothing).
        let mut newer: Vec<&PulledCase> = Vec::new();
        for c in cases {
            let n = tx.execute(
                "INSERT INTO case_server(case_id, version, status, receipt_no, data, change_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT(case_id) DO UPDATE SET version = excluded.version, status = excluded.status, \
                   receipt_no = excluded.receipt_no, data = excluded.data, change_seq = excluded.change_seq \
                 WHERE excluded.version > case_server.version",
                params![c.case_id, c.version, c.status, c.receipt_no, c.data.to_string(), c.change_seq],
            )?;
            changed += n;
            if n > 0 {
                newer.push(c);
            }
        }
        crate::lifecycle::follow_platform(&tx, &newer)?;
        tx.execute(
            "INSERT INTO sync_meta(key, value) VALUES ('pull_cursor', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [next_cursor],
        )?;
        if let Some(seq) = confirmed_seq {
            tx.execute(
                "INSERT INTO sync_meta(key, value) VALUES ('confirmed_seq', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [seq.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// The server's view of a case (status, department nodes), if pulled.
    pub fn server_case(&self, case_id: &str) -> Result<Option<PulledCase>, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn
            .query_row(
                "SELECT case_id, version, status, receipt_no, data, change_seq FROM case_server WHERE case_id = ?1",
                [case_id],
                pulled,
            )
            .optional()?)
    }

    /// Every case of the hall the server has sent, newest first.
    pub fn server_cases(&self, limit: usize) -> Result<Vec<PulledCase>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT case_id, version, status, receipt_no, data, change_seq FROM case_server ORDER BY change_seq DESC, case_id LIMIT ?1",
        )?;
        let rows = st.query_map([limit as i64], pulled)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Items waiting to be pushed (cheap: above the push floor only).
    pub fn pending_depth(&self) -> Result<i64, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn.query_row(
            &format!("SELECT count(*) FROM outbox WHERE seq > {FLOOR} AND state = 'pending'"),
            [],
            |r| r.get(0),
        )?)
    }

    pub fn queue_state(&self) -> Result<QueueState, StoreError> {
        let conn = self.conn.lock().unwrap();
        let (pending, rejected, oldest): (i64, i64, Option<String>) = conn.query_row(
            "SELECT count(*) FILTER (WHERE state = 'pending'), \
                    count(*) FILTER (WHERE state IN ('rejected','conflict') AND requeued_as IS NULL), \
                    min(wall_time) FILTER (WHERE state = 'pending') FROM outbox",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let confirmed: Option<String> = conn
            .query_row(
                "SELECT value FROM sync_meta WHERE key = 'confirmed_seq'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(QueueState {
            pending,
            rejected,
            oldest_pending: oldest,
            confirmed_seq: confirmed.and_then(|c| c.parse().ok()).unwrap_or(0),
        })
    }

    /// Every outbox row, newest first, for the sync panel.
    pub fn outbox_rows(&self, limit: usize) -> Result<Vec<QueuedMutation>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {QUEUED_COLS} FROM outbox ORDER BY seq DESC LIMIT ?1"
        ))?;
        let rows = st.query_map([limit as i64], queued)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The queue for the sync panel: pending and refused rows first, then
    /// the most recent acknowledged ones.
    pub fn outbox_entries(&self, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT o.seq, o.type, coalesce(c.receipt_no, json_extract(o.payload, '$.receipt_no')), o.state, o.attempts, o.last_error, o.result, o.wall_time, o.requeued_as \
             FROM outbox o LEFT JOIN cases c ON c.case_id = o.case_id \
             ORDER BY (o.state = 'acked'), o.seq DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit as i64], |r| {
            Ok(OutboxEntry {
                seq: r.get(0)?,
                kind: r.get(1)?,
                receipt_no: r.get(2)?,
                state: r.get(3)?,
                attempts: r.get(4)?,
                last_error: r.get(5)?,
                result: r.get(6)?,
                wall_time: r.get(7)?,
                requeued_as: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Catalogue versions held: (version, sha256, effective_from, withdrawn).
    pub fn catalogue_versions(&self) -> Result<Vec<(u32, String, String, bool)>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT version, sha256, effective_from, withdrawn FROM catalogue_versions ORDER BY version",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Keep a downloaded version (already hash-checked and parsed). A
    /// version is immutable: a second save of the same number is ignored.
    pub fn save_catalogue(
        &self,
        version: u32,
        sha256: &str,
        effective_from: &str,
        body: &str,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap();
        conn.execute(
            "INSERT INTO catalogue_versions(version, sha256, effective_from, body, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            params![version, sha256, effective_from, body, iso_utc(now_millis)],
        )?;
        self.catalogue_changed();
        Ok(())
    }

    pub fn set_catalogue_withdrawn(&self, version: u32, withdrawn: bool) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap();
        conn.execute(
            "UPDATE catalogue_versions SET withdrawn = ?2 WHERE version = ?1",
            params![version, withdrawn],
        )?;
        self.catalogue_changed();
        Ok(())
    }

    fn catalogue_changed(&self) {
        self.catalogue_gen
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Changes whenever the held catalogue versions change (cheap: no query).
    pub fn catalogue_generation(&self) -> u64 {
        self.catalogue_gen.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn catalogue_body(&self, version: u32) -> Result<Option<String>, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn
            .query_row(
                "SELECT body FROM catalogue_versions WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Enrolment: the device code the platform issued numbers every later
    /// receipt; the counter moves up to the server's floor, never down.
    pub fn enrol(
        &self,
        device_id: &str,
        device_code: &str,
        device_epoch: i64,
        counter_floor: i64,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        let at = iso_utc(now_millis);
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'device_code'",
            [device_code],
        )?;
        tx.execute(
            "UPDATE counters SET value = max(value, ?1) WHERE name = 'receipt'",
            [counter_floor - 1],
        )?;
        for (k, v) in [
            ("device_id", device_id.to_owned()),
            ("device_epoch", device_epoch.to_string()),
        ] {
            tx.execute(
                "INSERT INTO sync_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [k, &v],
            )?;
        }
        crate::audit::append(
            &tx,
            &at,
            &actor.user_id,
            "device.enrol",
            None,
            &serde_json::json!({"device_id": device_id, "device_code": device_code, "epoch": device_epoch, "counter_floor": counter_floor}).to_string(),
        )?;
        tx.commit()?;
        drop(conn);
        self.identity.write().unwrap().device_code = device_code.to_owned();
        Ok(())
    }
}

/// Queue one command inside the caller's transaction: next seq, next HLC,
/// the outbox row and its audit row.
pub(crate) fn enqueue_in(
    tx: &rusqlite::Transaction<'_>,
    m: &NewMutation,
    actor: &Actor,
    now_millis: i64,
) -> Result<i64, StoreError> {
    enqueue_audited(tx, m, actor, now_millis, serde_json::Value::Null)
}

/// [`enqueue_in`] with more to say in its audit row (`extra`'s keys are
/// added to the row's detail): what the action decided, not only its seq.
pub(crate) fn enqueue_audited(
    tx: &rusqlite::Transaction<'_>,
    m: &NewMutation,
    actor: &Actor,
    now_millis: i64,
    extra: serde_json::Value,
) -> Result<i64, StoreError> {
    let (kind, type_version, case_id, base_version, payload) = (
        m.kind.as_str(),
        m.type_version,
        m.case_id.as_deref(),
        m.base_version,
        &m.payload,
    );
    let at = iso_utc(now_millis);
    let seq = crate::numbers::bump_seq(tx)?;
    let hlc = crate::time::hlc_text(crate::numbers::bump_hlc(tx, now_millis)?);
    // A command about a case only this platform knows (an online
    // application) has no local case row to reference.
    let local_case: Option<String> = match case_id {
        Some(id) => tx
            .query_row("SELECT case_id FROM cases WHERE case_id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?,
        None => None,
    };
    let mut body = payload.clone();
    if let (Some(id), None) = (case_id, &local_case) {
        body["case_id"] = serde_json::Value::String(id.to_owned());
    }
    tx.execute(
        "INSERT INTO outbox(seq, mutation_id, type, type_version, case_id, base_version, payload, actor_user_id, hlc, wall_time) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![seq, uuid::Uuid::now_v7().to_string(), kind, type_version, local_case, base_version, body.to_string(), actor.user_id, hlc, at],
    )?;
    crate::audit::append(tx, &at, &actor.user_id, kind, local_case.as_deref(), &{
        let mut detail = serde_json::json!({"seq": seq, "case_id": case_id});
        if let serde_json::Value::Object(more) = extra {
            detail.as_object_mut().expect("an object").extend(more);
        }
        detail.to_string()
    })?;
    Ok(seq)
}
