//! The attachment lane (sync-protocol §11): beside the ordered queue,
//! never in front of it. Per blob: `HEAD /v1/blobs/{sha}` (already
//! there?), create the upload once and save its URL before any byte, then
//! `HEAD` for the offset and `PATCH` chunks with `Upload-Checksum`,
//! saving the offset after each one the platform accepted.

use base64::Engine;
use clerk_store::PendingBlob;
use platform_api::tus;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::{store_err, SyncClient, SyncError};

/// What one pass of the lane did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadReport {
    /// Blobs the platform now holds (uploaded, or found there already).
    pub stored: usize,
    /// Of those, found there already (no byte sent).
    pub already_there: usize,
    /// Blobs still pending after a failure (retried on the next pass).
    pub failed: usize,
    /// Body bytes sent in PATCH requests.
    pub bytes_sent: u64,
}

/// At most this many uploads at once (§11.7).
pub const LANES: usize = 2;

fn header_i64(r: &reqwest::Response, name: &str) -> Option<i64> {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

fn unexpected(r: &reqwest::Response, what: &str) -> SyncError {
    SyncError::Server {
        status: r.status().as_u16(),
        code: format!("http_{}", r.status().as_u16()),
        message: format!("{what}: unexpected answer"),
        retry_after: None,
        last_applied_seq: None,
    }
}

enum Step {
    /// Start again from `HEAD /v1/blobs` (expired or discarded upload).
    Restart,
    Done,
}

impl SyncClient {
    /// A path on the platform, or an absolute upload address on its own
    /// origin. Any other (stored before the origin check) is replaced by a
    /// path on the platform that does not exist: the token stays home, the
    /// answer is 404 and the upload starts again.
    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            self.same_origin(path)
                .unwrap_or_else(|_| format!("{}/v1/uploads/refused-foreign-origin", self.base))
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// One pass over the blobs the platform does not hold yet, two at a
    /// time. A failure leaves the blob pending (its offset saved) and is
    /// retried on the next pass; it never holds up the case queue.
    pub async fn upload_pending(&self) -> Result<UploadReport, SyncError> {
        let _one = self.upload_lock.lock().await;
        let mut report = UploadReport::default();
        let pending = self.store.pending_blobs(100).map_err(store_err)?;
        let mut first_err = None;
        for pair in pending.chunks(LANES) {
            let results = match pair {
                [a, b] => {
                    let (x, y) = tokio::join!(self.upload_blob(a), self.upload_blob(b));
                    vec![x, y]
                }
                _ => vec![self.upload_blob(&pair[0]).await],
            };
            for (b, r) in pair.iter().zip(results) {
                match r {
                    Ok((sent, already)) => {
                        report.stored += 1;
                        report.already_there += usize::from(already);
                        report.bytes_sent += sent;
                    }
                    Err(e) => {
                        tracing::warn!(sha = %b.sha256, error = %e, "upload failed; will retry");
                        // Kept for the clerk (in Chinese); the log has the detail.
                        let _ = self.store.blob_failed(&b.sha256, &e.zh());
                        report.failed += 1;
                        first_err.get_or_insert(e);
                    }
                }
            }
        }
        match first_err {
            Some(e) if report.stored == 0 => Err(e),
            _ => Ok(report),
        }
    }

    /// Deliver one blob; returns (bytes sent, already on the platform).
    pub async fn upload_blob(&self, b: &PendingBlob) -> Result<(u64, bool), SyncError> {
        let mut sent = 0u64;
        let mut url = b.upload_url.clone();
        // A restart (expired, or the assembled file was wrong) goes back to
        // the dedup check; three in a row is a fault a person must see.
        for _ in 0..3 {
            if url.is_none() {
                let head = self
                    .raw(|t| {
                        self.http
                            .head(self.url(&format!("/v1/blobs/{}", b.sha256)))
                            .bearer_auth(t)
                    })
                    .await?;
                match head.status() {
                    StatusCode::OK => {
                        self.store
                            .blob_stored(&b.sha256, clerk_store::time::now_millis())
                            .map_err(store_err)?;
                        return Ok((sent, true));
                    }
                    StatusCode::NOT_FOUND => {}
                    _ => return Err(unexpected(&head, "HEAD /v1/blobs")),
                }
                url = Some(self.create_upload(b).await?);
            }
            let u = url.clone().unwrap_or_default();
            match self.send_chunks(b, &u, &mut sent).await? {
                Step::Done => {
                    self.store
                        .blob_stored(&b.sha256, clerk_store::time::now_millis())
                        .map_err(store_err)?;
                    return Ok((sent, false));
                }
                Step::Restart => {
                    self.store
                        .blob_set_upload(&b.sha256, None, 0)
                        .map_err(store_err)?;
                    url = None;
                }
            }
        }
        Err(SyncError::Corrupt(format!(
            "blob {} could not be delivered after 3 fresh uploads",
            b.sha256
        )))
    }

    /// `POST /v1/uploads`: the platform keys it on (device, sha256), so a
    /// retry after a lost 201 gets the same URL. Saved before any byte.
    async fn create_upload(&self, b: &PendingBlob) -> Result<String, SyncError> {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let meta = format!("sha256 {},mime {}", b64(&b.sha256), b64(&b.mime));
        let r = self
            .raw(|t| {
                self.http
                    .post(self.url("/v1/uploads"))
                    .bearer_auth(t)
                    .header("tus-resumable", tus::VERSION)
                    .header("upload-length", b.size)
                    .header("upload-metadata", &meta)
            })
            .await?;
        if r.status() != StatusCode::CREATED {
            return Err(crate::error_of(r).await);
        }
        let loc = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| unexpected(&r, "POST /v1/uploads without Location"))?;
        // Kept as the platform gave it, once it is known to be ours.
        self.same_origin(&loc)?;
        self.store
            .blob_set_upload(&b.sha256, Some(&loc), 0)
            .map_err(store_err)?;
        Ok(loc)
    }

    /// HEAD for the offset, then PATCH chunk by chunk.
    async fn send_chunks(
        &self,
        b: &PendingBlob,
        url: &str,
        sent: &mut u64,
    ) -> Result<Step, SyncError> {
        let head = self
            .raw(|t| {
                self.http
                    .head(self.url(url))
                    .bearer_auth(t)
                    .header("tus-resumable", tus::VERSION)
            })
            .await?;
        let mut offset = match head.status() {
            StatusCode::OK => header_i64(&head, "upload-offset")
                .ok_or_else(|| unexpected(&head, "HEAD upload without Upload-Offset"))?,
            StatusCode::NOT_FOUND | StatusCode::GONE => return Ok(Step::Restart),
            _ => return Err(crate::error_of(head).await),
        };
        self.store
            .blob_set_offset(&b.sha256, offset)
            .map_err(store_err)?;
        let mut bad_checksums = 0;
        loop {
            if offset >= b.size {
                // Everything was sent before (the last answer was lost):
                // the platform finished it, or HEAD /blobs will say so.
                return Ok(Step::Restart);
            }
            let chunk = self
                .store
                .blob_read(&b.sha256, offset, self.upload_chunk)
                .map_err(store_err)?;
            if chunk.is_empty() {
                return Err(SyncError::Store(format!(
                    "blob {} is truncated locally",
                    b.sha256
                )));
            }
            let sum = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&chunk));
            let len = chunk.len() as u64;
            let body = chunk;
            let r = self
                .raw(|t| {
                    self.http
                        .patch(self.url(url))
                        .bearer_auth(t)
                        .header("tus-resumable", tus::VERSION)
                        .header("content-type", tus::OFFSET_CONTENT_TYPE)
                        .header("upload-offset", offset)
                        .header("upload-checksum", format!("sha256 {sum}"))
                        .body(body.clone())
                })
                .await?;
            *sent += len;
            match r.status().as_u16() {
                204 => {
                    offset = header_i64(&r, "upload-offset")
                        .ok_or_else(|| unexpected(&r, "PATCH without Upload-Offset"))?;
                    self.store
                        .blob_set_offset(&b.sha256, offset)
                        .map_err(store_err)?;
                    if offset >= b.size {
                        return Ok(Step::Done);
                    }
                }
                409 => {
                    // Another offset on the platform (an earlier request
                    // landed after all): ask where it is and go on from there.
                    return Box::pin(self.send_chunks(b, url, sent)).await;
                }
                460 => {
                    bad_checksums += 1;
                    if bad_checksums >= 3 {
                        let _ = self
                            .raw(|t| {
                                self.http
                                    .delete(self.url(url))
                                    .bearer_auth(t)
                                    .header("tus-resumable", tus::VERSION)
                            })
                            .await;
                        return Ok(Step::Restart);
                    }
                }
                404 | 410 => return Ok(Step::Restart),
                422 => {
                    // The platform assembled something else: local disk
                    // corruption, or a transfer fault the checksums missed.
                    if !self.store.blob_verify(&b.sha256).map_err(store_err)? {
                        return Err(SyncError::Store(format!(
                            "the stored copy of attachment {} is damaged; attach the scan again",
                            b.sha256
                        )));
                    }
                    return Ok(Step::Restart);
                }
                _ => return Err(crate::error_of(r).await),
            }
        }
    }
}
