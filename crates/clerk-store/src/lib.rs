//! Window Clerk's local store: one SQLCipher-encrypted SQLite file per
//! installation.
//!
//! Rules (sync-protocol §2): WAL, `synchronous=FULL`, foreign keys, one
//! writer connection with `BEGIN IMMEDIATE`, append-only migrations. Every
//! clerk action is one transaction holding the domain rows, an audit row and
//! an outbox row; the receipt counter and the outbox `seq` are bumped inside
//! that same transaction. The database key lives in the OS keyring
//! (clerk-secrets); without it the file is never opened, and never replaced.

mod attach;
mod audit;
mod calendar;
mod derived;
mod docs;
mod edit;
mod lifecycle;
mod numbers;
mod open;
mod ops;
mod search;
mod sync;
pub mod testing;
pub mod time;
mod users;

pub use attach::{Attached, AttachmentRow, PendingBlob, CHUNK};
pub use audit::{AuditCheck, AuditSegment};
pub use calendar::{DeadlineMove, KeptYear};
pub use docs::{DocumentRow, JournalRow, NewDocument, PrintRecord};
pub use edit::CaseView;
pub use lifecycle::{CaseState, Progress};
pub use open::{key_name, Identity, OpenError, DB_FILE, MIGRATIONS, RESERVE as RECEIPT_RESERVE};
pub use ops::{Actor, CaseRow, Committed, OutboxRow, StoreError};
pub use search::fts_query;
pub use sync::{NewMutation, OutboxEntry, PulledCase, PushOutcome, QueueState, QueuedMutation};
pub use users::{AuditEntry, OnlineSignIn, UserOrigin, UserRow};

use std::fs::File;
use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::Connection;

/// The open store. Cheap to share behind an `Arc`; all writes go through
/// the one connection, serialised by the mutex.
pub struct Store {
    conn: Mutex<Connection>,
    /// The receipt counter's mirror (locked after `conn`, never before).
    mirror: Mutex<open::Mirror>,
    /// Cases were committed that the derived lookups do not have yet
    /// (`derived.rs`); true at open, so the first read checks.
    stale: std::sync::atomic::AtomicBool,
    /// Commits since the after-commit pass last checkpointed the WAL.
    since_checkpoint: std::sync::atomic::AtomicU32,
    dir: PathBuf,
    identity: std::sync::RwLock<Identity>,
    /// Key of the applicant index's keyed hash (kept in the encrypted file).
    lookup_secret: Vec<u8>,
    /// Bumped whenever the held catalogue versions change (a download, a
    /// withdrawal): readers cache what they derive from them.
    catalogue_gen: std::sync::atomic::AtomicU64,
    /// Bumped whenever a calendar year is kept: the app rebuilds its
    /// working-day calendar then.
    calendar_gen: std::sync::atomic::AtomicU64,
    /// Held for the life of the store: one process per data directory.
    _lock: File,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("identity", &self.identity)
            .finish()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.release_numbers();
    }
}

impl Store {
    /// A clean close: trim the receipt counter's mirror back to the counter,
    /// so the next start continues without a gap. The app calls it when it
    /// exits (its state is never dropped); `Drop` calls it too.
    pub fn release_numbers(&self) {
        let (Ok(conn), Ok(mut mirror)) = (self.conn.lock(), self.mirror.lock()) else {
            return;
        };
        let counter = numbers::last_receipt(&conn);
        match counter.map(|c| mirror.trim(c)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "receipt counter mirror not trimmed"),
            Err(e) => tracing::warn!(error = %e, "receipt counter not read at close"),
        }
    }

    pub fn identity(&self) -> Identity {
        self.identity.read().unwrap().clone()
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.join(open::DB_FILE)
    }
}

impl Store {
    /// (journal_mode, synchronous, foreign_keys) as SQLite reports them.
    pub fn settings(&self) -> rusqlite::Result<(String, i64, i64)> {
        let c = self.conn.lock().unwrap();
        Ok((
            c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
            c.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
            c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
        ))
    }
}
