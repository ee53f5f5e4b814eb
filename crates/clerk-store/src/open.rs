use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clerk_secrets::{DbKey, SecretError, SecretStore, Suite};
use rusqlite::{Connection, OptionalExtension};

use crate::Store;

/// The database file in the data folder.
pub const DB_FILE: &str = "clerk.db";
const LOCK_FILE: &str = "clerk.lock";
/// The receipt counter's high-water mark, mirrored outside the database
/// (sync-protocol §8) so a restored older copy cannot reuse a number.
pub(crate) const MIRROR_FILE: &str = "receipt.hwm";

/// Append-only: (name, SQL). The position is the schema version.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_intake", include_str!("../migrations/0001_intake.sql")),
    (
        "0002_documents",
        include_str!("../migrations/0002_documents.sql"),
    ),
    ("0003_sync", include_str!("../migrations/0003_sync.sql")),
    (
        "0004_catalogue",
        include_str!("../migrations/0004_catalogue.sql"),
    ),
    (
        "0005_attachments",
        include_str!("../migrations/0005_attachments.sql"),
    ),
    (
        "0006_lean_intake",
        include_str!("../migrations/0006_lean_intake.sql"),
    ),
    (
        "0007_calendar",
        include_str!("../migrations/0007_calendar.sql"),
    ),
    ("0008_users", include_str!("../migrations/0008_users.sql")),
    (
        "0009_outbox_requeued",
        include_str!("../migrations/0009_outbox_requeued.sql"),
    ),
    (
        "0010_print_outcome",
        include_str!("../migrations/0010_print_outcome.sql"),
    ),
    (
        "0011_cases_by_clerk",
        include_str!("../migrations/0011_cases_by_clerk.sql"),
    ),
    (
        "0012_audit_chain",
        include_str!("../migrations/0012_audit_chain.sql"),
    ),
];

/// Who this installation is, for receipt numbers and the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Office (hall) code, the first part of a receipt number.
    pub office_code: String,
    /// 4-character device code. Until the device is enrolled it is a local
    /// code starting with `0`, a prefix the platform never issues.
    pub device_code: String,
    /// UUID made when the file was created: detects a swapped or restored file.
    pub db_instance_id: String,
}

impl Identity {
    /// A provisional identity for a device that is not enrolled yet.
    pub fn provisional(office_code: &str) -> Result<Identity, SecretError> {
        const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let r = Suite::CURRENT.random_bytes()?;
        let code: String = std::iter::once('0')
            .chain(
                r[..3]
                    .iter()
                    .map(|b| CROCKFORD[usize::from(b % 32)] as char),
            )
            .collect();
        Ok(Identity {
            office_code: office_code.to_owned(),
            device_code: code,
            db_instance_id: uuid::Uuid::now_v7().to_string(),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the database {path} exists but its key is not in the system keyring ({key_name}); it was not opened and not replaced")]
    KeyMissing { path: PathBuf, key_name: String },
    #[error("the key in the system keyring does not open {path} (wrong key or damaged file); nothing was changed")]
    WrongKey { path: PathBuf },
    #[error("another Window Clerk is using the data directory {0}")]
    Busy(PathBuf),
    #[error("system keyring: {0}")]
    Keyring(#[from] SecretError),
    #[error(
        "the database was written by a newer version (schema {found}, this build knows {known})"
    )]
    TooNew { found: usize, known: usize },
    #[error("the shipped migration {name} differs from the one applied to this database")]
    MigrationChanged { name: String },
    #[error("file system: {0}")]
    Io(String),
    #[error("database: {0}")]
    Sqlite(String),
}

impl OpenError {
    pub fn zh(&self) -> String {
        match self {
            OpenError::KeyMissing { .. } => {
                "本机数据库已存在，但系统密钥环中找不到它的密钥。为保护数据，未打开也未新建数据库。请联系信息科恢复密钥环或数据。".into()
            }
            OpenError::WrongKey { .. } => "系统密钥环中的密钥打不开本机数据库（密钥不符或文件损坏）。未做任何改动，请联系信息科。".into(),
            OpenError::Busy(_) => "另一个窗口受理客户端正在使用本机数据目录".into(),
            OpenError::Keyring(e) => e.zh(),
            OpenError::TooNew { .. } => "数据库由更新版本的客户端写入，请升级本客户端".into(),
            OpenError::MigrationChanged { name } => format!("数据库结构 {name} 与本版本不一致，请联系信息科"),
            OpenError::Io(_) => "本机数据目录无法读写，未打开数据库；请联系信息科".into(),
            OpenError::Sqlite(_) => "本机数据库无法打开，未做任何改动；请联系信息科".into(),
        }
    }
}

impl OpenError {
    /// The English message for the window: like `Display`, without paths
    /// (those go to the log).
    pub fn en(&self) -> String {
        match self {
            OpenError::KeyMissing { .. } => "The local database exists but its key is not in the system keyring. To protect the data it was neither opened nor replaced. Please contact IT to restore the keyring or the data.".into(),
            OpenError::WrongKey { .. } => "The key in the system keyring does not open the local database (wrong key or damaged file). Nothing was changed; please contact IT.".into(),
            OpenError::Busy(_) => "Another Window Clerk is using the local data directory.".into(),
            OpenError::Keyring(_) => "The system keyring cannot be reached: make sure you are signed in to the desktop and the keyring is unlocked.".into(),
            OpenError::TooNew { .. } => "The database was written by a newer version of Window Clerk: please update this one.".into(),
            OpenError::MigrationChanged { name } => format!("The database structure {name} does not match this version; please contact IT."),
            OpenError::Io(_) => "The local data folder cannot be read or written; the database was not opened. Please contact IT.".into(),
            OpenError::Sqlite(_) => "The local database cannot be opened; nothing was changed. Please contact IT.".into(),
        }
    }
}

impl From<rusqlite::Error> for OpenError {
    fn from(e: rusqlite::Error) -> Self {
        OpenError::Sqlite(e.to_string())
    }
}

/// Finish SQLite's (and SQLCipher's) process-wide set-up once, before any
/// database is opened. SQLite marks itself initialised before SQLCipher's
/// own set-up has run, so a second thread opening its first database at
/// that moment found the codec "not initialised" and its `PRAGMA key`
/// failed (seen as a rare test failure with two stores opening at once).
fn sqlite_ready() {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        if let Ok(c) = Connection::open_in_memory() {
            let _ = c.execute_batch("PRAGMA key = 'warm-up'; SELECT count(*) FROM sqlite_master;");
        }
    });
}

/// The keyring entry holding the key of the database in `dir`: one per data
/// directory, so two installations for two windows never share a key.
pub fn key_name(dir: &Path) -> String {
    let canonical = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let h = Suite::CURRENT.hash(canonical.to_string_lossy().as_bytes());
    let hex: String = h
        .to_string()
        .split(':')
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take(16)
        .collect();
    format!("db-key:{hex}")
}

fn io(e: std::io::Error) -> OpenError {
    OpenError::Io(e.to_string())
}

impl Store {
    /// Open the store in `dir`, creating it (and its key) on first run.
    ///
    /// * file and key present: open; a key that does not fit is `WrongKey`.
    /// * file present, key absent: `KeyMissing` — never a fresh empty file.
    /// * no file: a new key (unless one is already kept) and a new file.
    pub fn open(
        dir: &Path,
        secrets: &dyn SecretStore,
        new_identity: impl FnOnce() -> Result<Identity, SecretError>,
    ) -> Result<Store, OpenError> {
        Self::open_to(dir, secrets, new_identity, MIGRATIONS.len())
    }

    /// `open`, with the schema brought only as far as the first
    /// `migrations` (upgrade tests build an older database this way).
    pub(crate) fn open_to(
        dir: &Path,
        secrets: &dyn SecretStore,
        new_identity: impl FnOnce() -> Result<Identity, SecretError>,
        migrations: usize,
    ) -> Result<Store, OpenError> {
        fs::create_dir_all(dir).map_err(io)?;
        // The folder is the user's alone (issue #13): the database is
        // encrypted, but its lock, journal and scans' names are not for
        // other accounts on the PC to list.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io)?;
        }
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(OpenError::Busy(dir.to_path_buf()))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let path = dir.join(DB_FILE);
        let name = key_name(dir);
        let exists = path.exists() && fs::metadata(&path).map(|m| m.len() > 0).unwrap_or(false);
        let key = match secrets.get(&name) {
            Ok(stored) => DbKey::from_stored(&name, &stored)?,
            Err(SecretError::NotFound(_)) if exists => {
                return Err(OpenError::KeyMissing {
                    path,
                    key_name: name,
                })
            }
            Err(SecretError::NotFound(_)) => {
                let k = Suite::CURRENT.new_db_key()?;
                secrets.set(&name, &k.to_stored())?;
                // Read it back: a keyring that accepts but does not keep
                // would strand the data at the next start.
                let back = DbKey::from_stored(&name, &secrets.get(&name)?)?;
                if back != k {
                    return Err(OpenError::Keyring(SecretError::Unavailable(
                        "the keyring did not keep the key".into(),
                    )));
                }
                tracing::info!(key = %name, fingerprint = %k.fingerprint(), "generated a new database key");
                k
            }
            Err(e) => return Err(e.into()),
        };
        sqlite_ready();
        let conn = Connection::open(&path)?;
        // SQLCipher logs a failed key to stderr; we report it ourselves.
        let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
        conn.execute_batch(&key.sqlcipher_pragma())?;
        // The first real read proves the key.
        if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            tracing::error!(error = %e, "database key rejected");
            return Err(OpenError::WrongKey { path });
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Checkpoints run between intakes (`derived.rs`), not inside an
        // intake's commit; this is only the backstop.
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            crate::derived::CHECKPOINT_BACKSTOP,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut conn = conn;
        migrate(&mut conn, migrations)?;
        if migrations >= 12 {
            let n = crate::audit::backfill(&mut conn)?;
            if n > 0 {
                tracing::info!(rows = n, "audit rows from before the chain: chained");
            }
        }
        let identity = match load_identity(&conn)? {
            Some(i) => i,
            None => {
                let i = new_identity()?;
                let tx = conn.transaction()?;
                for (k, v) in [
                    ("office_code", i.office_code.as_str()),
                    ("device_code", &i.device_code),
                    ("db_instance_id", &i.db_instance_id),
                    ("crypto_suite", Suite::CURRENT.id.as_str()),
                    ("lookup_key", &hex::encode(Suite::CURRENT.random_bytes()?)),
                ] {
                    tx.execute("INSERT INTO meta(key, value) VALUES (?1, ?2)", (k, v))?;
                }
                tx.execute("INSERT INTO counters(name, value) VALUES ('receipt', 0), ('seq', 0), ('hlc', 0)", [])?;
                tx.commit()?;
                i
            }
        };
        let lookup_hex: String =
            conn.query_row("SELECT value FROM meta WHERE key = 'lookup_key'", [], |r| {
                r.get(0)
            })?;
        let lookup_secret = hex::decode(lookup_hex)
            .map_err(|e| OpenError::Sqlite(format!("meta.lookup_key: {e}")))?;
        let mirror = Mirror::open(dir).map_err(io)?;
        let store = Store {
            conn: Mutex::new(conn),
            mirror: Mutex::new(mirror),
            stale: std::sync::atomic::AtomicBool::new(true),
            since_checkpoint: Default::default(),
            dir: dir.to_path_buf(),
            identity: std::sync::RwLock::new(identity),
            lookup_secret,
            catalogue_gen: Default::default(),
            calendar_gen: Default::default(),
            _lock: lock,
        };
        store.reconcile_mirror()?;
        Ok(store)
    }

    /// Bring the counter up to the mirrored high-water mark (a restored
    /// older database must not hand out a number again).
    fn reconcile_mirror(&self) -> Result<(), OpenError> {
        let mirror = read_mirror(&self.dir);
        let mut conn = self.conn.lock().unwrap();
        let db = crate::numbers::last_receipt(&conn)?;
        if mirror > db {
            // Either the database was restored or copied (numbers up to the
            // mirror may be on receipts already) or the process died between
            // writing the mirror and committing: skip, and say so.
            tracing::warn!(db, mirror, "receipt counter behind its mirror; moving up");
            let now = crate::time::iso_utc(crate::time::now_millis());
            let detail = format!("{{\"from\":{},\"to\":{mirror},\"why\":\"counter behind its mirror (no clean close: crash or power cut with numbers reserved, or a restored or copied database)\"}}", db + 1);
            // The floor and its audit row together.
            let tx = conn.transaction()?;
            tx.execute(
                "UPDATE counters SET value = ?1 WHERE name = 'receipt'",
                [mirror],
            )?;
            crate::audit::append(&tx, &now, "system", "receipt.skip", None, &detail)?;
            tx.commit()?;
        }
        Ok(())
    }
}

pub(crate) fn read_mirror(dir: &Path) -> i64 {
    fs::read(dir.join(MIRROR_FILE))
        .ok()
        .and_then(|b| {
            std::str::from_utf8(&b)
                .ok()
                .map(|s| s.trim_end_matches(['\0', ' ', '\n']).to_owned())
        })
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Numbers the mirror covers ahead of the counter. Writing the mirror is an
/// `fdatasync` of its own (about as dear as the intake's commit on this
/// class of disk), so it is written once per `RESERVE / 2` numbers or
/// more, not per intake, and between intakes rather than inside one. A
/// clean close trims it back to the counter; after a crash or a power cut
/// the next open moves the counter up to the mirror, skipping at most
/// `RESERVE` numbers, audited as `receipt.skip` (sync-protocol §8: numbers
/// are never reused; a gap is allowed and audited).
pub const RESERVE: i64 = 16;

/// The receipt counter's mirror file, kept open, and what it says.
pub(crate) struct Mirror {
    file: File,
    covers: i64,
}

impl Mirror {
    pub(crate) fn open(dir: &Path) -> std::io::Result<Mirror> {
        let covers = read_mirror(dir);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(dir.join(MIRROR_FILE))?;
        Ok(Mirror { file, covers })
    }

    /// Make sure the mirror covers every number up to `last` before any of
    /// them is committed: the mirror may run ahead of the database, never
    /// behind it.
    pub(crate) fn cover(&mut self, last: i64) -> std::io::Result<()> {
        if last > self.covers {
            let to = last + RESERVE - 1;
            write_mirror(&mut self.file, to)?;
            self.covers = to;
        }
        Ok(())
    }

    /// Between intakes: reserve ahead while at most half a block is left,
    /// so `cover` seldom has to write during an intake's commit.
    pub(crate) fn top_up(&mut self, counter: i64) -> std::io::Result<()> {
        if self.covers < counter + RESERVE / 2 {
            let to = counter + RESERVE;
            write_mirror(&mut self.file, to)?;
            self.covers = to;
        }
        Ok(())
    }

    /// A clean close: give back the numbers reserved and not used, so the
    /// next start continues without a gap.
    pub(crate) fn trim(&mut self, counter: i64) -> std::io::Result<()> {
        if self.covers != counter {
            write_mirror(&mut self.file, counter)?;
            self.covers = counter;
        }
        Ok(())
    }
}

pub(crate) fn write_mirror(f: &mut File, value: i64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let text = format!("{value:<20}");
    f.seek(SeekFrom::Start(0))?;
    f.write_all(text.as_bytes())?;
    f.sync_data()
}

fn load_identity(conn: &Connection) -> Result<Option<Identity>, OpenError> {
    let get = |k: &str| -> Result<Option<String>, OpenError> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
            .optional()?)
    };
    Ok(
        match (
            get("office_code")?,
            get("device_code")?,
            get("db_instance_id")?,
        ) {
            (Some(office_code), Some(device_code), Some(db_instance_id)) => Some(Identity {
                office_code,
                device_code,
                db_instance_id,
            }),
            _ => None,
        },
    )
}

fn migrate(conn: &mut Connection, upto: usize) -> Result<(), OpenError> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT")?;
    let applied: Vec<(usize, String, String)> = {
        let mut st =
            conn.prepare("SELECT version, name, sha256 FROM schema_migrations ORDER BY version")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, i64>(0)? as usize, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    if applied.len() > MIGRATIONS.len() {
        return Err(OpenError::TooNew {
            found: applied.len(),
            known: MIGRATIONS.len(),
        });
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().take(upto) {
        let hash = Suite::CURRENT.hash(sql.as_bytes()).to_string();
        if let Some((_, n, h)) = applied.get(i) {
            if n != name || *h != hash {
                return Err(OpenError::MigrationChanged {
                    name: (*name).to_owned(),
                });
            }
            continue;
        }
        // Foreign keys off while a migration runs (a table rebuild drops
        // and renames a parent table), checked before it commits.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let applied = apply(conn, i, name, sql, &hash);
        conn.pragma_update(None, "foreign_keys", "ON")?;
        applied?;
        tracing::info!(migration = name, "applied");
    }
    Ok(())
}

fn apply(
    conn: &mut Connection,
    i: usize,
    name: &str,
    sql: &str,
    hash: &str,
) -> Result<(), OpenError> {
    let tx = conn.transaction()?;
    tx.execute_batch(sql)?;
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        return Err(OpenError::Sqlite(format!(
            "migration {name} would leave {broken} rows pointing at nothing"
        )));
    }
    tx.execute(
        "INSERT INTO schema_migrations(version, name, sha256, applied_at) VALUES (?1, ?2, ?3, ?4)",
        (
            i as i64 + 1,
            name,
            hash,
            crate::time::iso_utc(crate::time::now_millis()),
        ),
    )?;
    tx.commit()?;
    Ok(())
}
