//! Attachments (sync-protocol §11): a scan is copied into the store,
//! hashed while copying, and referenced by a `case.attach` command in the
//! same transaction as its bytes. The upload lane reads it back by offset.

use std::io::Read;
use std::path::Path;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ops::{Actor, StoreError};
use crate::sync::{enqueue_in, NewMutation};
use crate::time::iso_utc;
use crate::Store;

/// Bytes per stored chunk.
pub const CHUNK: usize = 1024 * 1024;

/// What attaching a file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attached {
    pub sha256: String,
    pub size: i64,
    pub mime: String,
    /// The `case.attach` command (the existing one when already attached).
    pub seq: i64,
    /// The same bytes were already in the store (scanned twice, or for
    /// another case): nothing was copied again.
    pub deduplicated: bool,
}

/// A blob the upload lane still has to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingBlob {
    pub sha256: String,
    pub size: i64,
    pub mime: String,
    pub upload_url: Option<String>,
    pub offset: i64,
    pub attempts: i64,
}

/// An attachment as the clerk sees it on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRow {
    pub sha256: String,
    pub role: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    /// `pending` (still to upload) or `stored` (the platform holds it).
    pub state: String,
    pub added_at: String,
    pub last_error: Option<String>,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

/// Where a scan's bytes come from: read twice (hashed, then copied and
/// hashed again under the lock), never copied to a plaintext file.
type Source<'a> = &'a dyn Fn() -> std::io::Result<Box<dyn Read + 'a>>;

/// Hash the bytes (first pass, no lock held); returns (hex, size, first bytes).
fn hash_file(src: Source<'_>) -> Result<(String, u64, Vec<u8>), StoreError> {
    let mut f = src().map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut head = Vec::new();
    let mut size = 0u64;
    loop {
        let n = read_full(&mut f, &mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        if head.is_empty() {
            head = buf[..n.min(16)].to_vec();
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(h.finalize()), size, head))
}

/// Fill `buf` unless the file ends first.
fn read_full(f: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

impl Store {
    /// Attach the file at `src` to a case (a local one or one the platform
    /// sent, such as an online application). Checked by content and size
    /// (clerk-core), stored once per content, referenced once per
    /// `(case, sha256, role)`.
    pub fn attach_file(
        &self,
        case_id: &str,
        src: &Path,
        role: &str,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<Attached, StoreError> {
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scan".into());
        // Too large is said before a byte is read.
        let size = std::fs::metadata(src).map_err(io)?.len();
        clerk_core::attachment::check_size(size).map_err(StoreError::Invalid)?;
        let open = || std::fs::File::open(src).map(|f| Box::new(f) as Box<dyn Read>);
        self.attach_named(case_id, &open, &name, role, actor, now_millis)
    }

    /// Attach bytes the window was handed (a file picked in the UI): read
    /// straight into the encrypted store, never through a plaintext file.
    pub fn attach_bytes(
        &self,
        case_id: &str,
        name: &str,
        bytes: &[u8],
        role: &str,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<Attached, StoreError> {
        clerk_core::attachment::check_size(bytes.len() as u64).map_err(StoreError::Invalid)?;
        let open = || Ok(Box::new(std::io::Cursor::new(bytes)) as Box<dyn Read>);
        self.attach_named(case_id, &open, name, role, actor, now_millis)
    }

    fn attach_named(
        &self,
        case_id: &str,
        src: Source<'_>,
        name: &str,
        role: &str,
        actor: &Actor,
        now_millis: i64,
    ) -> Result<Attached, StoreError> {
        let (sha, size, head) = hash_file(src)?;
        let kind = clerk_core::attachment::check(&head, size).map_err(StoreError::Invalid)?;
        let at = iso_utc(now_millis);
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(seq) = tx
            .query_row(
                "SELECT seq FROM case_attachments WHERE case_id = ?1 AND sha256 = ?2 AND role = ?3",
                params![case_id, sha, role],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
        {
            return Ok(Attached {
                sha256: sha,
                size: size as i64,
                mime: kind.mime().into(),
                seq,
                deduplicated: true,
            });
        }
        let have: bool = tx
            .query_row("SELECT 1 FROM blobs WHERE sha256 = ?1", [&sha], |_| Ok(()))
            .optional()?
            .is_some();
        if !have {
            // Second pass under the lock: copy and hash again, so a file
            // changed since the first pass is never stored under a wrong key.
            let mut f = src().map_err(io)?;
            let mut h = Sha256::new();
            let mut buf = vec![0u8; CHUNK];
            let mut idx = 0i64;
            let mut ins =
                tx.prepare("INSERT INTO blob_chunks(sha256, idx, data) VALUES (?1, ?2, ?3)")?;
            loop {
                let n = read_full(&mut f, &mut buf).map_err(io)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
                ins.execute(params![sha, idx, &buf[..n]])?;
                idx += 1;
            }
            drop(ins);
            if hex::encode(h.finalize()) != sha {
                return Err(StoreError::Io(
                    "the file changed while it was being attached; please attach it again".into(),
                ));
            }
            tx.execute(
                "INSERT INTO blobs(sha256, size, mime, imported_at) VALUES (?1, ?2, ?3, ?4)",
                params![sha, size as i64, kind.mime(), at],
            )?;
        }
        let payload = platform_api::AttachPayload {
            sha256: sha.clone(),
            size: size as i64,
            mime: kind.mime().into(),
            role: role.into(),
        };
        let seq = enqueue_in(
            &tx,
            &NewMutation {
                kind: clerk_core::mutation::MutationKind::CaseAttach
                    .as_str()
                    .into(),
                type_version: 1,
                case_id: Some(case_id.into()),
                base_version: None,
                payload: serde_json::to_value(&payload)
                    .map_err(|e| StoreError::Data(e.to_string()))?,
            },
            actor,
            now_millis,
        )?;
        tx.execute(
            "INSERT INTO case_attachments(case_id, sha256, role, name, added_at, added_by, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![case_id, sha, role, name, at, actor.user_id, seq],
        )?;
        tx.commit()?;
        Ok(Attached {
            sha256: sha,
            size: size as i64,
            mime: kind.mime().into(),
            seq,
            deduplicated: have,
        })
    }

    /// The attachments of a case, oldest first.
    pub fn attachments_of(&self, case_id: &str) -> Result<Vec<AttachmentRow>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare(
            "SELECT a.sha256, a.role, a.name, b.mime, b.size, b.state, a.added_at, b.last_error \
             FROM case_attachments a JOIN blobs b USING (sha256) WHERE a.case_id = ?1 ORDER BY a.seq",
        )?;
        let rows = st
            .query_map([case_id], |r| {
                Ok(AttachmentRow {
                    sha256: r.get(0)?,
                    role: r.get(1)?,
                    name: r.get(2)?,
                    mime: r.get(3)?,
                    size: r.get(4)?,
                    state: r.get(5)?,
                    added_at: r.get(6)?,
                    last_error: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Blobs the platform does not hold yet, oldest first.
    pub fn pending_blobs(&self, limit: usize) -> Result<Vec<PendingBlob>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare(
            "SELECT sha256, size, mime, upload_url, upload_offset, attempts FROM blobs \
             WHERE state = 'pending' ORDER BY imported_at, sha256 LIMIT ?1",
        )?;
        let rows = st
            .query_map([limit as i64], |r| {
                Ok(PendingBlob {
                    sha256: r.get(0)?,
                    size: r.get(1)?,
                    mime: r.get(2)?,
                    upload_url: r.get(3)?,
                    offset: r.get(4)?,
                    attempts: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// `len` bytes of a blob from `offset` (fewer at its end).
    pub fn blob_read(&self, sha256: &str, offset: i64, len: usize) -> Result<Vec<u8>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let first = offset / CHUNK as i64;
        let last = (offset + len as i64 - 1).max(offset) / CHUNK as i64;
        let mut st = conn.prepare(
            "SELECT idx, data FROM blob_chunks WHERE sha256 = ?1 AND idx BETWEEN ?2 AND ?3 ORDER BY idx",
        )?;
        let mut out = Vec::with_capacity(len);
        let mut rows = st.query(params![sha256, first, last])?;
        while let Some(r) = rows.next()? {
            let idx: i64 = r.get(0)?;
            let data = r
                .get_ref(1)?
                .as_blob()
                .map_err(|e| StoreError::Data(e.to_string()))?;
            let start = (offset - idx * CHUNK as i64).max(0) as usize;
            if start < data.len() {
                let take = (len - out.len()).min(data.len() - start);
                out.extend_from_slice(&data[start..start + take]);
            }
        }
        Ok(out)
    }

    /// Hash the stored bytes again (after the platform found them wrong:
    /// local corruption is told apart from a transfer fault).
    pub fn blob_verify(&self, sha256: &str) -> Result<bool, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare("SELECT data FROM blob_chunks WHERE sha256 = ?1 ORDER BY idx")?;
        let mut h = Sha256::new();
        let mut rows = st.query([sha256])?;
        while let Some(r) = rows.next()? {
            h.update(
                r.get_ref(0)?
                    .as_blob()
                    .map_err(|e| StoreError::Data(e.to_string()))?,
            );
        }
        Ok(hex::encode(h.finalize()) == sha256)
    }

    /// The upload URL, saved before any byte is sent.
    pub fn blob_set_upload(
        &self,
        sha256: &str,
        url: Option<&str>,
        offset: i64,
    ) -> Result<(), StoreError> {
        self.conn.lock().unwrap().execute(
            "UPDATE blobs SET upload_url = ?2, upload_offset = ?3 WHERE sha256 = ?1",
            params![sha256, url, offset],
        )?;
        Ok(())
    }

    /// The offset the platform confirmed.
    pub fn blob_set_offset(&self, sha256: &str, offset: i64) -> Result<(), StoreError> {
        self.conn.lock().unwrap().execute(
            "UPDATE blobs SET upload_offset = ?2 WHERE sha256 = ?1",
            params![sha256, offset],
        )?;
        Ok(())
    }

    /// The platform holds the blob.
    pub fn blob_stored(&self, sha256: &str, now_millis: i64) -> Result<(), StoreError> {
        self.conn.lock().unwrap().execute(
            "UPDATE blobs SET state = 'stored', stored_at = ?2, upload_url = NULL, last_error = NULL WHERE sha256 = ?1",
            params![sha256, iso_utc(now_millis)],
        )?;
        Ok(())
    }

    /// A failed attempt, kept for the sync panel.
    pub fn blob_failed(&self, sha256: &str, error: &str) -> Result<(), StoreError> {
        self.conn.lock().unwrap().execute(
            "UPDATE blobs SET attempts = attempts + 1, last_error = ?2 WHERE sha256 = ?1",
            params![sha256, error],
        )?;
        Ok(())
    }
}
