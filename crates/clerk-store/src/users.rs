//! Users of this PC and their sign-in standing (migration 0008, issue #12).
//! The rules (lockout, offline period) are clerk-core's `access`; this
//! keeps the rows and audits every change of them.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::ops::{audit, Actor, StoreError};
use crate::time::iso_utc;
use crate::Store;
use clerk_core::access::{Role, Standing};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserOrigin {
    /// Made on this PC (单机模式).
    Local,
    /// The platform's user, remembered from an online sign-in here.
    Platform,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub origin: UserOrigin,
    pub verifier: Option<String>,
    pub online_at: Option<i64>,
    pub offline_valid_secs: Option<i64>,
    pub disabled: bool,
    pub failures: u32,
    pub locked_until: Option<i64>,
    pub created_at: String,
}

impl UserRow {
    pub fn standing(&self) -> Standing {
        Standing {
            failures: self.failures,
            locked_until: self.locked_until,
            disabled: self.disabled,
            online_at: self.online_at,
            offline_valid_secs: self.offline_valid_secs,
            local: self.origin == UserOrigin::Local,
        }
    }
}

/// One row of the audit trail, for the auditor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: String,
}

impl AuditEntry {
    /// From a row whose first columns are `id, at, actor, action, case_id,
    /// detail` (the audit trail's own read and the chain's).
    pub(crate) fn from_row(r: &rusqlite::Row) -> rusqlite::Result<AuditEntry> {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            case_id: r.get(4)?,
            detail: r.get(5)?,
        })
    }
}

const USER_COLUMNS: &str = "user_id, display_name, roles, origin, verifier, online_at, offline_valid_secs, disabled, failures, locked_until, created_at";

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<UserRow> {
    let roles: String = r.get(2)?;
    Ok(UserRow {
        user_id: r.get(0)?,
        display_name: r.get(1)?,
        // Written by this module from `Role::join`; an unknown name (a
        // newer version's role) is skipped, never granted.
        roles: roles.split(',').filter_map(Role::parse).collect(),
        origin: if r.get::<_, String>(3)? == "local" {
            UserOrigin::Local
        } else {
            UserOrigin::Platform
        },
        verifier: r.get(4)?,
        online_at: r.get(5)?,
        offline_valid_secs: r.get(6)?,
        disabled: r.get::<_, i64>(7)? != 0,
        failures: r.get::<_, i64>(8)? as u32,
        locked_until: r.get(9)?,
        created_at: r.get(10)?,
    })
}

fn invalid(field: &str, zh: &str, en: &str) -> StoreError {
    StoreError::Invalid(clerk_core::intake::FieldError {
        field: field.into(),
        zh: zh.into(),
        en: en.into(),
    })
}

impl Store {
    pub fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY user_id"
        ))?;
        let rows = st.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn user(&self, user_id: &str) -> Result<Option<UserRow>, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE user_id = ?1"),
                [user_id],
                user_row,
            )
            .optional()?)
    }

    pub fn user_count(&self) -> Result<i64, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
    }

    /// A local user (checked by the caller with clerk-core), audited as
    /// `user.add` by `actor`. An existing user ID is refused.
    pub fn add_local_user(
        &self,
        user_id: &str,
        display_name: &str,
        roles: &[Role],
        verifier: &str,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "INSERT INTO users(user_id, display_name, roles, origin, verifier, created_at) VALUES (?1, ?2, ?3, 'local', ?4, ?5) \
             ON CONFLICT DO NOTHING",
            params![user_id, display_name.trim(), Role::join(roles), verifier, at],
        )?;
        if n == 0 {
            return Err(invalid(
                "user_id",
                "该工号已存在",
                "This user ID exists already",
            ));
        }
        audit(
            &tx,
            &at,
            actor,
            "user.add",
            None,
            &serde_json::json!({"user_id": user_id, "roles": Role::join(roles)}),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A successful sign-in: failures cleared, audited. Online, the
    /// platform's user is remembered (name, roles, offline period) with a
    /// fresh verifier of the password just checked by the platform.
    pub fn record_sign_in(
        &self,
        user_id: &str,
        online: Option<OnlineSignIn<'_>>,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(o) = &online {
            tx.execute(
                "INSERT INTO users(user_id, display_name, roles, origin, verifier, online_at, offline_valid_secs, created_at) \
                 VALUES (?1, ?2, ?3, 'platform', ?4, ?5, ?6, ?7) \
                 ON CONFLICT(user_id) DO UPDATE SET display_name = excluded.display_name, roles = excluded.roles, \
                   origin = 'platform', verifier = excluded.verifier, online_at = excluded.online_at, \
                   offline_valid_secs = excluded.offline_valid_secs, disabled = 0",
                params![
                    user_id,
                    o.display_name,
                    Role::join(o.roles),
                    o.verifier,
                    now_millis,
                    o.offline_valid_secs,
                    at
                ],
            )?;
        }
        tx.execute(
            "UPDATE users SET failures = 0, locked_until = NULL WHERE user_id = ?1",
            [user_id],
        )?;
        audit(
            &tx,
            &at,
            actor,
            "session.sign_in",
            None,
            &serde_json::json!({"online": online.is_some()}),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A wrong password: the new count, and the lockout when it reached the
    /// limit (audited as `session.locked_out`). Unknown users leave no row.
    pub fn record_failure(
        &self,
        user_id: &str,
        failures: u32,
        locked_until: Option<i64>,
        window_code: &str,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE users SET failures = ?2, locked_until = coalesce(?3, locked_until) WHERE user_id = ?1",
            params![user_id, failures, locked_until],
        )?;
        let actor = Actor {
            user_id: user_id.into(),
            window_code: window_code.into(),
        };
        match locked_until {
            Some(until) => audit(
                &tx,
                &at,
                &actor,
                "session.locked_out",
                None,
                &serde_json::json!({"until": iso_utc(until)}),
            )?,
            None => audit(
                &tx,
                &at,
                &actor,
                "session.sign_in_failed",
                None,
                &serde_json::json!({"failures": failures}),
            )?,
        }
        tx.commit()?;
        Ok(())
    }

    /// An audit row of a session event without other rows (sign-out, the
    /// idle lock, an unlock).
    pub fn audit_session(
        &self,
        action: &str,
        actor: &Actor,
        detail: serde_json::Value,
        now_millis: i64,
    ) -> Result<(), StoreError> {
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        audit(&tx, &at, actor, action, None, &detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Disable or enable a user on this PC (admin), audited.
    pub fn set_user_disabled(
        &self,
        user_id: &str,
        disabled: bool,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<bool, StoreError> {
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE users SET disabled = ?2 WHERE user_id = ?1",
            params![user_id, disabled as i64],
        )?;
        if n > 0 {
            audit(
                &tx,
                &at,
                actor,
                if disabled {
                    "user.disable"
                } else {
                    "user.enable"
                },
                None,
                &serde_json::json!({"user_id": user_id}),
            )?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// The platform's word on its users, from a sync: a disabled user or a
    /// role removed there is refused offline from now on. Only users known
    /// here are touched; each change is audited (actor `platform`).
    pub fn apply_platform_users(
        &self,
        users: &[(String, String, Vec<Role>, bool)],
        window_code: &str,
        now_millis: i64,
    ) -> Result<usize, StoreError> {
        let at = iso_utc(now_millis);
        let actor = Actor {
            user_id: "platform".into(),
            window_code: window_code.into(),
        };
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut changed = 0;
        for (id, name, roles, disabled) in users {
            let n = tx.execute(
                "UPDATE users SET display_name = ?2, roles = ?3, disabled = ?4 \
                 WHERE user_id = ?1 AND origin = 'platform' \
                   AND (display_name != ?2 OR roles != ?3 OR disabled != ?4)",
                params![id, name, Role::join(roles), *disabled as i64],
            )?;
            if n > 0 {
                changed += 1;
                audit(
                    &tx,
                    &at,
                    &actor,
                    "user.platform_update",
                    None,
                    &serde_json::json!({"user_id": id, "roles": Role::join(roles), "disabled": disabled}),
                )?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// The newest audit rows, newest first (the auditor's view).
    pub fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare(
            "SELECT id, at, actor, action, case_id, detail FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit], AuditEntry::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// What an online sign-in brings from the platform.
#[derive(Debug, Clone, Copy)]
pub struct OnlineSignIn<'a> {
    pub display_name: &'a str,
    pub roles: &'a [Role],
    pub verifier: &'a str,
    pub offline_valid_secs: i64,
}
