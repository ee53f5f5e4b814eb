//! Pool and append-only migrations (hash-checked, like the client's).

use sha2::{Digest, Sha256};

pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../migrations/0001_init.sql")),
    ("0002_blobs", include_str!("../migrations/0002_blobs.sql")),
    (
        "0003_conflicts",
        include_str!("../migrations/0003_conflicts.sql"),
    ),
    (
        "0004_calendar",
        include_str!("../migrations/0004_calendar.sql"),
    ),
    ("0005_roles", include_str!("../migrations/0005_roles.sql")),
    ("0006_trust", include_str!("../migrations/0006_trust.sql")),
    (
        "0007_blob_holders",
        include_str!("../migrations/0007_blob_holders.sql"),
    ),
    (
        "0008_audit_chain",
        include_str!("../migrations/0008_audit_chain.sql"),
    ),
    (
        "0009_device_history",
        include_str!("../migrations/0009_device_history.sql"),
    ),
];

/// The pool. Every session waits at most `lock_ms` for a row lock (a second
/// push from one device then answers 409 push_in_progress).
pub fn pool(url: &str, lock_ms: u64) -> Result<deadpool_postgres::Pool, String> {
    let mut cfg: tokio_postgres::Config = url.parse().map_err(|e| format!("database URL: {e}"))?;
    cfg.options(format!("-c lock_timeout={lock_ms}"));
    let mgr = deadpool_postgres::Manager::from_config(
        cfg,
        tokio_postgres::NoTls,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    deadpool_postgres::Pool::builder(mgr)
        .max_size(32)
        .build()
        .map_err(|e| e.to_string())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub async fn migrate(pool: &deadpool_postgres::Pool) -> Result<(), String> {
    let mut c = pool.get().await.map_err(|e| format!("database: {e}"))?;
    c.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await
    .map_err(|e| e.to_string())?;
    for (name, sql) in MIGRATIONS {
        let tx = c.transaction().await.map_err(|e| e.to_string())?;
        tx.batch_execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
            .await
            .map_err(|e| e.to_string())?;
        let hash = sha256_hex(sql.as_bytes());
        let have = tx
            .q_opt(
                "SELECT sha256 FROM schema_migrations WHERE name = $1",
                &[name],
            )
            .await
            .map_err(|e| e.to_string())?;
        match have {
            Some(r) => {
                let h: String = r.get(0);
                if h != hash {
                    return Err(format!(
                        "migration {name} was changed after it ran (append-only)"
                    ));
                }
            }
            None => {
                tx.batch_execute(sql)
                    .await
                    .map_err(|e| format!("{name}: {e}"))?;
                tx.q_exec(
                    "INSERT INTO schema_migrations(name, sha256) VALUES ($1, $2)",
                    &[name, &hash],
                )
                .await
                .map_err(|e| e.to_string())?;
                tx.q_exec(
                    "INSERT INTO meta VALUES ('log_epoch', $1) ON CONFLICT DO NOTHING",
                    &[&uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()],
                )
                .await
                .map_err(|e| e.to_string())?;
            }
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Take the next change_seq and write one change-log row. Call last in the
/// transaction: the counter row stays locked until commit.
pub async fn log_change(
    tx: &deadpool_postgres::Transaction<'_>,
    office_id: &str,
    entity_type: &str,
    entity_id: &str,
    version: i64,
    payload: &serde_json::Value,
) -> Result<i64, tokio_postgres::Error> {
    let seq: i64 = tx
        .q_one(
            "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value",
            &[],
        )
        .await?
        .get(0);
    tx.q_exec(
        "INSERT INTO change_log(change_seq, office_id, entity_type, entity_id, entity_version, op, payload) VALUES ($1, $2, $3, $4, $5, 'put', $6)",
        &[&seq, &office_id, &entity_type, &entity_id, &version, payload],
    )
    .await?;
    Ok(seq)
}

/// The case as the change log and the snapshot carry it.
pub fn case_payload(row: &tokio_postgres::Row) -> serde_json::Value {
    serde_json::json!({
        "case_id": row.get::<_, String>("case_id"),
        "receipt_no": row.get::<_, String>("receipt_no"),
        "status": row.get::<_, String>("status"),
        "version": row.get::<_, i64>("version"),
        "matter_code": row.get::<_, String>("matter_code"),
        "matter_version": row.get::<_, i32>("matter_version"),
        "needs_review": row.get::<_, bool>("needs_review"),
        "online": row.get::<_, Option<uuid::Uuid>>("device_id").is_none(),
        "nodes": row.get::<_, serde_json::Value>("nodes"),
        "data": row.get::<_, serde_json::Value>("data"),
        "attachments": row.get::<_, serde_json::Value>("attachments"),
        "conflicts": row.get::<_, serde_json::Value>("conflicts"),
    })
}

/// `case_payload` in SQL, over a `cases` row aliased `c` (the same keys:
/// a window reads both).
/// A case's attachments as JSON, over the `cases` row named `$t`; a
/// reference is `pending_blob` until the platform holds the bytes.
macro_rules! attachments_sql {
    ($t:literal) => {
        concat!(
            "coalesce((SELECT jsonb_agg(jsonb_build_object('sha256', a.sha256, 'role', a.role, 'mime', a.mime, 'size', a.size, \
             'state', CASE WHEN b.sha256 IS NULL THEN 'pending_blob' ELSE 'stored' END) ORDER BY a.added_at, a.sha256, a.role) \
             FROM case_attachments a LEFT JOIN blobs b ON b.sha256 = a.sha256 WHERE a.case_id = ",
            $t,
            ".case_id), '[]'::jsonb)"
        )
    };
}

/// A case's open field conflicts as JSON, over the `cases` row named `$t`.
macro_rules! conflicts_sql {
    ($t:literal) => {
        concat!(
            "coalesce((SELECT jsonb_agg(jsonb_build_object('field', f.field, 'platform_value', f.platform_value, \
             'window_value', f.window_value, 'window', f.window_code, 'at', to_char(f.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ORDER BY f.id) \
             FROM conflicts f WHERE f.case_id = ",
            $t,
            ".case_id AND NOT f.resolved), '[]'::jsonb)"
        )
    };
}

pub const CASE_JSON_SQL: &str = concat!(
    "jsonb_build_object('case_id', c.case_id, 'receipt_no', c.receipt_no, 'status', c.status, \
     'version', c.version, 'matter_code', c.matter_code, 'matter_version', c.matter_version, 'needs_review', c.needs_review, \
     'online', c.device_id IS NULL, 'nodes', c.nodes, 'data', c.data, 'attachments', ",
    attachments_sql!("c"),
    ", 'conflicts', ",
    conflicts_sql!("c"),
    ")"
);

pub const CASE_COLS: &str = concat!(
    "case_id, receipt_no, status, version, matter_code, matter_version, needs_review, device_id, nodes, data, office_id, ",
    attachments_sql!("cases"),
    " AS attachments, ",
    conflicts_sql!("cases"),
    " AS conflicts"
);

/// A new change-log epoch (after a restore): every cursor given out before
/// is refused with `must_resync`.
pub async fn new_log_epoch(c: &tokio_postgres::Client) -> Result<String, tokio_postgres::Error> {
    let epoch = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    c.execute(
        "INSERT INTO meta VALUES ('log_epoch', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&epoch],
    )
    .await?;
    Ok(epoch)
}

/// Queries through the connection's statement cache: each statement is
/// parsed once per connection, not on every call (a push runs a dozen per
/// mutation; re-preparing doubled its round trips).
#[allow(async_fn_in_trait)]
pub trait Cached {
    async fn q_one(
        &self,
        sql: &str,
        p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<tokio_postgres::Row, tokio_postgres::Error>;
    async fn q_opt(
        &self,
        sql: &str,
        p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Option<tokio_postgres::Row>, tokio_postgres::Error>;
    async fn q_exec(
        &self,
        sql: &str,
        p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, tokio_postgres::Error>;
}

impl Cached for deadpool_postgres::Transaction<'_> {
    async fn q_one(
        &self,
        sql: &str,
        p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<tokio_postgres::Row, tokio_postgres::Error> {
        let st = self.prepare_cached(sql).await?;
        self.query_one(&st, p).await
    }
    async fn q_opt(
        &self,
        sql: &str,
        p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Option<tokio_postgres::Row>, tokio_postgres::Error> {
        let st = self.prepare_cached(sql).await?;
        self.query_opt(&st, p).await
    }
    async fn q_exec(
        &self,
        sql: &str,
        p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, tokio_postgres::Error> {
        let st = self.prepare_cached(sql).await?;
        self.execute(&st, p).await
    }
}

/// One change-log row per case (its payload as it is now), numbered in
/// order. Call it last in the transaction: the counter row stays locked
/// only from here to the commit, so a pull cursor never skips a change.
pub async fn log_case_changes(
    tx: &deadpool_postgres::Transaction<'_>,
    ids: &[String],
    versions: &[i64],
) -> Result<(), tokio_postgres::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let n = ids.len() as i64;
    tx.q_exec(
        &format!(
            "WITH s AS (UPDATE counters SET value = value + $3 WHERE name = 'change_seq' RETURNING value), \
                  t AS (SELECT * FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS t(case_id, version, i)) \
             INSERT INTO change_log(change_seq, office_id, entity_type, entity_id, entity_version, op, payload) \
             SELECT s.value - $3 + t.i, c.office_id, 'case', c.case_id, t.version, 'put', {CASE_JSON_SQL} \
             FROM s, t JOIN cases c ON c.case_id = t.case_id"
        ),
        &[&ids, &versions, &n],
    )
    .await?;
    Ok(())
}
