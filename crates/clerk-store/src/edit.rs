//! Field edits after intake (sync-protocol §6): the window records what it
//! saw (`old`) and what it wants (`new`) per field, against the platform's
//! version it knew; the platform merges field by field.

use rusqlite::{params, Connection, OptionalExtension};

use crate::ops::{Actor, StoreError};
use crate::sync::{enqueue_in, NewMutation};
use crate::Store;

/// A case as this window sees it for editing.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    /// The case (the intake record's shape: `applicant.phone` …) with the
    /// window's own edits that the platform's copy does not show yet.
    pub case: serde_json::Value,
    /// The platform's version this view builds on (None: not pulled yet).
    pub base_version: Option<i64>,
    /// The platform's status (None: not pulled yet).
    pub status: Option<String>,
    /// Open field conflicts, as the platform lists them.
    pub conflicts: Vec<platform_api::FieldConflict>,
}

fn data_err(e: serde_json::Error) -> StoreError {
    StoreError::Data(e.to_string())
}

fn not_found() -> StoreError {
    StoreError::Invalid(clerk_core::intake::FieldError {
        field: "case".into(),
        zh: "没有该办件".into(),
        en: "No such case".into(),
    })
}

/// What the window sees: the platform's copy when it has one, else its own
/// intake record; plus its edits not yet shown by that copy (still queued,
/// or applied after the version it pulled).
fn view_of(conn: &Connection, case_id: &str) -> Result<Option<CaseView>, StoreError> {
    let server: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT data, version, status FROM case_server WHERE case_id = ?1",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let mut view = match server {
        Some((data, version, status)) => {
            let v: serde_json::Value = serde_json::from_str(&data).map_err(data_err)?;
            CaseView {
                case: v["data"]["case"].clone(),
                base_version: Some(version),
                status: Some(status),
                conflicts: serde_json::from_value(v["conflicts"].clone()).unwrap_or_default(),
            }
        }
        None => {
            let body: Option<String> = conn
                .query_row(
                    "SELECT body FROM cases WHERE case_id = ?1",
                    [case_id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(body) = body else {
                return Ok(None);
            };
            CaseView {
                case: serde_json::from_str(&body).map_err(data_err)?,
                base_version: None,
                status: None,
                conflicts: Vec::new(),
            }
        }
    };
    let mut st = conn.prepare_cached(
        "SELECT payload FROM outbox WHERE type = 'case.update_fields' \
         AND (case_id = ?1 OR json_extract(payload, '$.case_id') = ?1) \
         AND (state = 'pending' OR (state = 'acked' AND coalesce(json_extract(result, '$.case_version'), 0) > ?2)) \
         ORDER BY seq",
    )?;
    let mut rows = st.query(params![case_id, view.base_version.unwrap_or(0)])?;
    while let Some(r) = rows.next()? {
        let p: serde_json::Value =
            serde_json::from_str(&r.get::<_, String>(0)?).map_err(data_err)?;
        for c in p["changes"].as_array().into_iter().flatten() {
            if let (Some(f), Some(n)) = (c["field"].as_str(), c["new"].as_str()) {
                clerk_core::edit::set(&mut view.case, f, n);
            }
        }
    }
    Ok(Some(view))
}

impl Store {
    /// A case as this window sees it for editing (None: no such case).
    pub fn case_view(&self, case_id: &str) -> Result<Option<CaseView>, StoreError> {
        view_of(&self.conn.lock().unwrap(), case_id)
    }

    /// Change intake fields of a case (this window's or another window's
    /// of the hall). Checked by clerk-core's rules; a value equal to what
    /// the window already sees is no change. Returns the queued command's
    /// seq, or None when nothing changed.
    pub fn edit_fields(
        &self,
        case_id: &str,
        edits: &[(String, String)],
        actor: &Actor,
        now_millis: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut wanted = Vec::new();
        for (field, value) in edits {
            let v = clerk_core::edit::normalise(field, value).map_err(StoreError::Invalid)?;
            wanted.push((field.clone(), v));
        }
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let view = view_of(&tx, case_id)?.ok_or_else(not_found)?;
        if let Some(status) = view
            .status
            .as_deref()
            .filter(|s| !clerk_core::edit::editable_in(s))
        {
            return Err(StoreError::Invalid(clerk_core::intake::FieldError {
                field: "case".into(),
                zh: format!(
                    "该办件当前为「{}」，受理信息不能再修改",
                    clerk_core::case::platform_status_zh(status)
                ),
                en: format!("The case is {status}: its intake fields can no longer be changed"),
            }));
        }
        let changes: Vec<platform_api::FieldChange> = wanted
            .into_iter()
            .filter_map(|(field, new)| {
                let old = clerk_core::edit::get(&view.case, &field).map(str::to_owned);
                (old.as_deref() != Some(new.as_str())).then_some(platform_api::FieldChange {
                    field,
                    old,
                    new,
                })
            })
            .collect();
        if changes.is_empty() {
            return Ok(None);
        }
        let payload = serde_json::to_value(platform_api::UpdateFieldsPayload { changes })
            .map_err(data_err)?;
        let seq = enqueue_in(
            &tx,
            &NewMutation {
                kind: clerk_core::mutation::MutationKind::CaseUpdateFields
                    .as_str()
                    .into(),
                type_version: 1,
                case_id: Some(case_id.to_owned()),
                base_version: view.base_version,
                payload,
            },
            actor,
            now_millis,
        )?;
        tx.commit()?;
        Ok(Some(seq))
    }
}
