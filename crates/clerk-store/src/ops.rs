use clerk_core::intake::{ApplicantForm, PreparedCase};
use clerk_core::receipt::ReceiptNo;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::time::iso_utc;
use crate::Store;

/// A draft `d` that a case taken in from its slot has superseded.
pub(crate) const SUPERSEDED: &str = "EXISTS (SELECT 1 FROM cases c \
     WHERE c.receipt_counter > d.generation AND c.draft_slot = d.slot)";

/// Who does an action, at which window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub window_code: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored data is malformed: {0}")]
    Data(String),
    #[error("receipt number: {0}")]
    Receipt(#[from] clerk_core::receipt::ReceiptError),
    /// Input a rule refuses (the field and the rule, in both languages).
    #[error("{}: {}", .0.field, .0.en)]
    Invalid(clerk_core::intake::FieldError),
    #[error("file: {0}")]
    Io(String),
}

impl StoreError {
    pub fn zh(&self) -> String {
        match self {
            StoreError::Sqlite(e) => {
                format!("数据库写入失败（{e}），本次操作未保存，已填写的内容仍在草稿中")
            }
            StoreError::Data(e) => format!("本地数据有误：{e}"),
            StoreError::Receipt(e) => format!("受理编号无法生成：{}", e.zh()),
            StoreError::Invalid(e) => e.zh.clone(),
            StoreError::Io(e) => format!("文件读写失败（{e}），未保存"),
        }
    }
}

pub(crate) fn data_err(e: serde_json::Error) -> StoreError {
    StoreError::Data(e.to_string())
}

/// The outcome of a committed intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Committed {
    pub case_id: String,
    pub receipt_no: String,
    pub seq: i64,
    pub created_at: String,
    pub case: PreparedCase,
}

/// One line of the case list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    pub case_id: String,
    pub receipt_no: String,
    pub matter_code: String,
    pub matter_name: String,
    pub status: String,
    pub applicant_name: String,
    pub applicant_id_no: String,
    pub applicant_phone: String,
    pub received_on: String,
    pub promised_due: Option<String>,
    pub created_at: String,
    pub window_code: String,
    /// The years the dates were provisional for (暂定); empty when final.
    pub provisional_years: Vec<i32>,
    /// Who took the case in (the signed-in user).
    pub clerk_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub seq: i64,
    pub mutation_id: String,
    pub kind: String,
    pub case_id: Option<String>,
    pub state: String,
    pub wall_time: String,
}

pub(crate) const CASE_COLUMNS: &str = "c.case_id, c.receipt_no, c.matter_code, c.matter_name, c.status, c.applicant_name, \
     c.applicant_id_no, c.applicant_phone, c.received_on, c.promised_due, c.created_at, c.window_code, c.provisional_years, c.clerk_id";

pub(crate) fn case_row(r: &rusqlite::Row) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        case_id: r.get(0)?,
        receipt_no: r.get(1)?,
        matter_code: r.get(2)?,
        matter_name: r.get(3)?,
        status: r.get(4)?,
        applicant_name: r.get(5)?,
        applicant_id_no: r.get(6)?,
        applicant_phone: r.get(7)?,
        received_on: r.get(8)?,
        promised_due: r.get(9)?,
        created_at: r.get(10)?,
        window_code: r.get(11)?,
        provisional_years: crate::calendar::parse_years(r.get::<_, Option<String>>(12)?.as_deref()),
        clerk_id: r.get(13)?,
    })
}

/// A statement run through the connection's statement cache: the write
/// path parses each statement once, not on every intake.
fn exec(tx: &Transaction, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql)?.execute(params)
}

pub(crate) fn audit(
    tx: &Transaction,
    at: &str,
    actor: &Actor,
    action: &str,
    case_id: Option<&str>,
    detail: &serde_json::Value,
) -> rusqlite::Result<()> {
    crate::audit::append(tx, at, &actor.user_id, action, case_id, &detail.to_string())
}

impl Store {
    /// The applicant index key: a keyed hash of the normalised ID number,
    /// so the number is never an index key in clear (domain.md §5.3).
    pub(crate) fn lookup_key(&self, id_no: &str) -> String {
        clerk_secrets::Suite::CURRENT
            .mac(&self.lookup_secret, id_no.trim().to_uppercase().as_bytes())
            .to_string()
    }

    /// Take in a case: the case (with its receipt counter and the draft
    /// slot it supersedes), an audit row and the `case.create` outbox row
    /// with its seq — one transaction. The receipt may be printed only after
    /// this returns.
    /// The derived lookups (search terms, applicant memory, list by day)
    /// follow in their own transaction before the next read that uses them
    /// (`derived.rs`).
    pub fn take_in(
        &self,
        case: &PreparedCase,
        actor: &Actor,
        now_millis: i64,
        draft_slot: Option<&str>,
    ) -> Result<Committed, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let c = self.insert_case(&tx, case, actor, now_millis, 1, draft_slot)?;
        tx.commit()?;
        self.mark_stale();
        Ok(c)
    }

    /// Many intakes in one transaction (imports, benchmarks): the same rows
    /// as `take_in` for each case, one durable commit for all.
    pub fn take_in_batch(
        &self,
        cases: &[PreparedCase],
        actor: &Actor,
        now_millis: i64,
    ) -> Result<Vec<Committed>, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = cases.len() as i64;
        let mut out = Vec::with_capacity(cases.len());
        for (i, case) in cases.iter().enumerate() {
            // The mirror is covered once, ahead, for the whole batch.
            out.push(self.insert_case(
                &tx,
                case,
                actor,
                now_millis,
                if i == 0 { n } else { 0 },
                None,
            )?);
        }
        tx.commit()?;
        self.mark_stale();
        Ok(out)
    }

    /// Insert one case with its audit and outbox rows. `numbers` > 0: first
    /// make sure the counter mirror covers this many numbers from here.
    /// `draft_slot`: the form's draft slot, whose draft this case supersedes.
    fn insert_case(
        &self,
        tx: &Transaction,
        case: &PreparedCase,
        actor: &Actor,
        now_millis: i64,
        numbers: i64,
        draft_slot: Option<&str>,
    ) -> Result<Committed, StoreError> {
        // The receipt counter, the outbox seq and the HLC, read from the
        // rows that carry them (`numbers.rs`): the counters page is not
        // written by an intake.
        let (counter, seq, last_hlc): (i64, i64, i64) = tx
            .prepare_cached(&format!(
                "SELECT {} + 1, {} + 1, {}",
                crate::numbers::LAST_RECEIPT,
                crate::numbers::LAST_SEQ,
                crate::numbers::LAST_HLC
            ))?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let hlc = crate::time::hlc_text(crate::numbers::next_hlc_value(last_hlc, now_millis));
        let receipt = {
            let identity = self.identity.read().unwrap();
            ReceiptNo::new(&identity.office_code, &identity.device_code, counter as u64)?
                .to_string()
        };
        // The mirror goes first: it may run ahead of the database (a crash
        // before COMMIT skips numbers) but never behind it. Usually the
        // after-commit pass has already reserved ahead and this writes
        // nothing.
        if numbers > 0 {
            self.mirror
                .lock()
                .unwrap()
                .cover(counter + numbers - 1)
                .map_err(|e| StoreError::Data(format!("receipt counter mirror: {e}")))?;
        }
        let case_id = uuid::Uuid::now_v7().to_string();
        let mutation_id = uuid::Uuid::now_v7().to_string();
        let at = iso_utc(now_millis);

        // The case is serialised once: the outbox payload embeds the same
        // text (keys in serde_json's order, as `json!` would write them).
        let body = serde_json::to_string(case).map_err(data_err)?;
        let payload = format!(
            "{{\"case\":{body},\"catalogue_ref\":{{\"matter\":{},\"version\":{}}},\"receipt_no\":{}}}",
            serde_json::Value::from(case.matter_code.as_str()),
            case.matter_version,
            serde_json::Value::from(receipt.as_str()),
        );
        exec(
            tx,
            "INSERT INTO cases(case_id, receipt_no, receipt_counter, matter_code, matter_version, matter_name, status, \
             applicant_name, applicant_id_no, applicant_phone, received_on, promised_due, created_at, clerk_id, window_code, version, body, draft_slot, provisional_years) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, ?16, ?17, ?18)",
            params![
                case_id,
                receipt,
                counter,
                case.matter_code,
                case.matter_version,
                case.matter_name,
                case.status.as_str(),
                case.applicant.name,
                case.applicant.id_no,
                case.applicant.phone,
                case.received_on.to_string(),
                case.promised_due.map(|d| d.to_string()),
                at,
                actor.user_id,
                actor.window_code,
                body,
                draft_slot,
                crate::calendar::years_text(&case.provisional_years),
            ],
        )?;
        audit(
            tx,
            &at,
            actor,
            "case.take_in",
            Some(&case_id),
            &serde_json::json!({"receipt_no": receipt, "status": case.status.as_str(), "window": actor.window_code, "matter": case.matter_code}),
        )?;
        exec(
            tx,
            "INSERT INTO outbox(seq, mutation_id, type, type_version, case_id, base_version, payload, actor_user_id, hlc, wall_time) \
             VALUES (?1, ?2, 'case.create', 1, ?3, NULL, ?4, ?5, ?6, ?7)",
            params![seq, mutation_id, case_id, payload, actor.user_id, hlc, at],
        )?;
        Ok(Committed {
            case_id,
            receipt_no: receipt,
            seq,
            created_at: at,
            case: case.clone(),
        })
    }

    /// Save the form as typed (the UI debounces). Drafts are plain JSON: the
    /// form may be half-filled and invalid. A draft records the last receipt
    /// counter when it was saved (`generation`); a case taken in from its
    /// slot after that (`cases.draft_slot`, a higher counter) supersedes it,
    /// in the intake's own commit, without touching the drafts table.
    pub fn save_draft(&self, slot: &str, body: &str, now_millis: i64) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap();
        conn.prepare_cached(&format!(
            "INSERT INTO drafts(slot, body, updated_at, generation) \
             VALUES (?1, ?2, ?3, {}) \
             ON CONFLICT(slot) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, \
             generation = excluded.generation",
            crate::numbers::LAST_RECEIPT
        ))?
        .execute(params![slot, body, iso_utc(now_millis)])?;
        Ok(())
    }

    pub fn load_draft(&self, slot: &str) -> Result<Option<(String, String)>, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn
            .query_row(
                &format!(
                    "SELECT body, updated_at FROM drafts d WHERE slot = ?1 AND NOT {SUPERSEDED}"
                ),
                [slot],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn discard_draft(&self, slot: &str) -> Result<(), StoreError> {
        self.conn
            .lock()
            .unwrap()
            .execute("DELETE FROM drafts WHERE slot = ?1", [slot])?;
        Ok(())
    }

    /// What we know of the applicant with this ID number from earlier cases.
    pub fn applicant(&self, id_no: &str) -> Result<Option<ApplicantForm>, StoreError> {
        self.applicant_for(id_no, None)
    }

    /// The same, as one clerk may see it (issue #12: the applicant memory is
    /// per user): only when the applicant's latest case here is that
    /// clerk's. `None`: any clerk's (a supervisor).
    pub fn applicant_for(
        &self,
        id_no: &str,
        clerk: Option<&str>,
    ) -> Result<Option<ApplicantForm>, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        self.catch_up(&mut conn)?;
        let body: Option<String> = conn
            .query_row(
                "SELECT a.body FROM applicants a LEFT JOIN cases c ON c.case_id = a.last_case_id \
                 WHERE a.id_no = ?1 AND (?2 IS NULL OR c.clerk_id = ?2)",
                params![self.lookup_key(id_no), clerk],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| serde_json::from_str(&b).map_err(data_err))
            .transpose()
    }

    pub fn case(&self, case_id: &str) -> Result<Option<(CaseRow, PreparedCase)>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let r = conn
            .query_row(
                &format!("SELECT {CASE_COLUMNS}, c.body FROM cases c WHERE c.case_id = ?1"),
                [case_id],
                |r| Ok((case_row(r)?, r.get::<_, String>(14)?)),
            )
            .optional()?;
        r.map(|(row, body)| Ok((row, serde_json::from_str(&body).map_err(data_err)?)))
            .transpose()
    }

    /// Cases received on a local date, newest first.
    pub fn cases_on(&self, day: &str, limit: u32) -> Result<Vec<CaseRow>, StoreError> {
        self.cases_on_by(day, None, limit)
    }

    /// The cases of a day, newest first; with `clerk`, only the ones that
    /// clerk took in ("my cases": the limit counts theirs, not the PC's).
    pub fn cases_on_by(
        &self,
        day: &str,
        clerk: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        self.catch_up(&mut conn)?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM case_days d JOIN cases c ON c.receipt_counter = d.counter \
             WHERE d.received_on = ?1 AND (?3 IS NULL OR c.clerk_id = ?3) ORDER BY d.counter DESC LIMIT ?2"
        ))?;
        let rows = st.query_map(params![day, limit, clerk], case_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The matters `clerk` took cases in for last, newest first, each once
    /// (the intake's matter list starts with them: per user).
    pub fn recent_matters(&self, clerk: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare_cached(
            "SELECT matter_code FROM cases WHERE clerk_id = ?1 ORDER BY receipt_counter DESC LIMIT 500",
        )?;
        let mut out: Vec<String> = Vec::new();
        for code in st.query_map([clerk], |r| r.get::<_, String>(0))? {
            let code = code?;
            if !out.contains(&code) {
                out.push(code);
                if out.len() == limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    pub fn unsent_count(&self) -> Result<i64, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn outbox(&self, limit: u32) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare("SELECT seq, mutation_id, type, case_id, state, wall_time FROM outbox ORDER BY seq LIMIT ?1")?;
        let rows = st.query_map([limit], |r| {
            Ok(OutboxRow {
                seq: r.get(0)?,
                mutation_id: r.get(1)?,
                kind: r.get(2)?,
                case_id: r.get(3)?,
                state: r.get(4)?,
                wall_time: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Integrity report for tests and support: every case has its audit
    /// and outbox rows, numbers are unique and the outbox gapless.
    pub fn check_integrity(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut problems = Vec::new();
        let q = |sql: &str| -> rusqlite::Result<i64> { conn.query_row(sql, [], |r| r.get(0)) };
        let checks = [
            ("cases without an audit row", "SELECT count(*) FROM cases WHERE case_id NOT IN (SELECT case_id FROM audit WHERE action = 'case.take_in' AND case_id IS NOT NULL)"),
            ("cases without an outbox row", "SELECT count(*) FROM cases WHERE case_id NOT IN (SELECT case_id FROM outbox WHERE type = 'case.create' AND case_id IS NOT NULL)"),
            ("audit rows of missing cases", "SELECT count(*) FROM audit WHERE case_id IS NOT NULL AND case_id NOT IN (SELECT case_id FROM cases)"),
            ("receipt numbers used twice", "SELECT count(*) - count(DISTINCT receipt_counter) FROM cases"),
            // The seq floor is only ever a seq some outbox row has (outbox
            // rows are never deleted): beyond the queue, a row is missing.
            ("outbox seq floor beyond the queue", "SELECT count(*) FROM counters WHERE name = 'seq' AND value > coalesce((SELECT max(seq) FROM outbox), 0)"),
            ("derived lookups ahead of the cases", "SELECT count(*) FROM counters WHERE name = 'indexed' AND value > coalesce((SELECT max(receipt_counter) FROM cases), 0)"),
            ("list-by-day rows of missing cases", "SELECT count(*) FROM case_days WHERE counter NOT IN (SELECT receipt_counter FROM cases)"),
        ];
        for (what, sql) in checks {
            let n = q(sql)?;
            if n > 0 {
                problems.push(format!("{what}: {n}"));
            }
        }
        let seq_gaps = q("SELECT (SELECT count(*) FROM outbox) - (SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM outbox)")?;
        if seq_gaps != 0 {
            problems.push(format!("outbox seq not gapless: {seq_gaps}"));
        }
        let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if ok != "ok" {
            problems.push(format!("integrity_check: {ok}"));
        }
        Ok(problems)
    }
}
