//! Field edits after intake (sync-protocol §6): the window records what it
//! saw (`old`) and what it wants (`new`) per field, against the platform's
//! version it knew; the platform merges field by field.

use rusqlite::{params, OptionalExtension};

use crate::ops::{Actor, StoreError};
use crate::sync::{enqueue_in, NewMutation};
use crate::Store;

impl Store {
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
        // What this window sees: the platform's copy when it has one (with
        // its version as the base), else its own intake record.
        let server: Option<(String, i64, String)> = tx
            .query_row(
                "SELECT data, version, status FROM case_server WHERE case_id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (mut view, base) = match server {
            Some((data, version, status)) => {
                if !clerk_core::edit::editable_in(&status) {
                    return Err(StoreError::Invalid(clerk_core::intake::FieldError {
                        field: "case".into(),
                        zh: format!(
                            "该办件当前为「{}」，受理信息不能再修改",
                            clerk_core::case::platform_status_zh(&status)
                        ),
                        en: format!(
                            "The case is {status}: its intake fields can no longer be changed"
                        ),
                    }));
                }
                let v: serde_json::Value =
                    serde_json::from_str(&data).map_err(|e| StoreError::Data(e.to_string()))?;
                (v["data"]["case"].clone(), Some(version))
            }
            None => {
                let body: Option<String> = tx
                    .query_row(
                        "SELECT body FROM cases WHERE case_id = ?1",
                        [case_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(body) = body else {
                    return Err(StoreError::Invalid(clerk_core::intake::FieldError {
                        field: "case".into(),
                        zh: "没有该办件".into(),
                        en: "No such case".into(),
                    }));
                };
                (
                    serde_json::from_str(&body).map_err(|e| StoreError::Data(e.to_string()))?,
                    None,
                )
            }
        };
        // Edits the platform's copy does not show yet: still queued, or
        // applied after the version this window pulled.
        {
            let mut st = tx.prepare(
                "SELECT payload FROM outbox WHERE type = 'case.update_fields' \
                 AND (case_id = ?1 OR json_extract(payload, '$.case_id') = ?1) \
                 AND (state = 'pending' OR (state = 'acked' AND coalesce(json_extract(result, '$.case_version'), 0) > ?2)) \
                 ORDER BY seq",
            )?;
            let mut rows = st.query(params![case_id, base.unwrap_or(0)])?;
            while let Some(r) = rows.next()? {
                let p: serde_json::Value = serde_json::from_str(&r.get::<_, String>(0)?)
                    .map_err(|e| StoreError::Data(e.to_string()))?;
                for c in p["changes"].as_array().into_iter().flatten() {
                    if let (Some(f), Some(n)) = (c["field"].as_str(), c["new"].as_str()) {
                        clerk_core::edit::set(&mut view, f, n);
                    }
                }
            }
        }
        let changes: Vec<platform_api::FieldChange> = wanted
            .into_iter()
            .filter_map(|(field, new)| {
                let old = clerk_core::edit::get(&view, &field).map(str::to_owned);
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
            .map_err(|e| StoreError::Data(e.to_string()))?;
        let seq = enqueue_in(
            &tx,
            &NewMutation {
                kind: "case.update_fields".into(),
                type_version: 1,
                case_id: Some(case_id.to_owned()),
                base_version: base,
                payload,
            },
            actor,
            now_millis,
        )?;
        tx.commit()?;
        Ok(Some(seq))
    }
}
