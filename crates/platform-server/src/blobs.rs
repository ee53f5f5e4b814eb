//! Attachments (sync-protocol §11): content-addressed blobs and the
//! resumable upload lane, tus 1.0 core with the creation, checksum,
//! expiration and termination extensions.
//!
//! Bytes live under `Settings::blob_dir`: unfinished uploads in
//! `uploads/{id}`, finished blobs in `{sha[..2]}/{sha}`. A `blobs` row is
//! written only after the file is complete, hashed, renamed and fsynced;
//! in the same transaction every case referencing it gets a new version,
//! so the windows see its `pending_blob` turn `stored`.

use std::io::{Read, Seek, SeekFrom, Write};

use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use platform_api::{codes, tus};
use sha2::{Digest, Sha256};

use crate::db::Cached;
use crate::{auth, ApiError, AppState};

fn tus_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("tus-resumable", HeaderValue::from_static(tus::VERSION));
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    h
}

fn tus_err(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn need_tus(h: &HeaderMap) -> Result<(), ApiError> {
    match header(h, "tus-resumable") {
        Some(tus::VERSION) => Ok(()),
        _ => Err(tus_err(
            StatusCode::PRECONDITION_FAILED,
            codes::MALFORMED,
            "Tus-Resumable: 1.0.0 is required",
        )),
    }
}

fn blob_path(dir: &Path, sha: &str) -> PathBuf {
    dir.join(&sha[..2]).join(sha)
}

fn upload_path(dir: &Path, id: &uuid::Uuid) -> PathBuf {
    dir.join("uploads").join(id.simple().to_string())
}

fn io_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::unavailable(format!("blob storage: {e}"))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(io_err)?
        .map_err(io_err)
}

fn sha_of_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1024 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// `OPTIONS /v1/uploads`: what this tus server does.
pub async fn options() -> Response {
    let mut h = tus_headers();
    h.insert("tus-version", HeaderValue::from_static(tus::VERSION));
    h.insert("tus-extension", HeaderValue::from_static(tus::EXTENSIONS));
    h.insert(
        "tus-checksum-algorithm",
        HeaderValue::from_static(tus::CHECKSUM_ALGORITHMS),
    );
    h.insert(
        "tus-max-size",
        HeaderValue::from(clerk_core::attachment::MAX_BYTES),
    );
    (StatusCode::NO_CONTENT, h).into_response()
}

/// The blob's size and type if the caller's office holds it: one of its
/// devices uploaded it (the bytes were in that hall already). Any other
/// office gets "not stored", the same answer as for a blob nobody has, so
/// a hash tells nothing about another hall's scans. A `case.attach` alone
/// does not make an office a holder: a hash is easy to attach, the bytes
/// are not.
async fn readable(
    state: &AppState,
    sha: &str,
    office: &str,
) -> Result<Option<(i64, String)>, ApiError> {
    let c = state.pool.get().await?;
    Ok(c.query_opt(
        "SELECT size, mime FROM blobs b JOIN blob_holders h USING (sha256) \
             WHERE b.sha256 = $1 AND h.office_id = $2",
        &[&sha, &office],
    )
    .await?
    .map(|r| (r.get(0), r.get(1))))
}

#[utoipa::path(head, path = "/v1/blobs/{sha256}",
    params(("sha256" = String, Path, description = "lower-case hex SHA-256")),
    responses((status = 200, description = "stored (Content-Length is its size)"),
              (status = 404, description = "not stored: upload it")),
    security(("bearer" = [])))]
pub async fn head_blob(
    State(state): State<AppState>,
    s: auth::Session,
    UrlPath(sha): UrlPath<String>,
) -> Result<Response, ApiError> {
    match readable(&state, &sha, &s.office_id).await? {
        Some((size, mime)) => {
            let mut h = HeaderMap::new();
            h.insert("content-length", HeaderValue::from(size));
            h.insert("accept-ranges", HeaderValue::from_static("bytes"));
            if let Ok(v) = HeaderValue::from_str(&mime) {
                h.insert("content-type", v);
            }
            Ok((StatusCode::OK, h).into_response())
        }
        None => Ok(StatusCode::NOT_FOUND.into_response()),
    }
}

fn parse_range(v: &str, size: u64) -> Option<(u64, u64)> {
    tus::parse_range(v, size)
}

#[utoipa::path(get, path = "/v1/blobs/{sha256}",
    params(("sha256" = String, Path, description = "lower-case hex SHA-256")),
    responses((status = 200, description = "the bytes"), (status = 206, description = "a Range of them"),
              (status = 404, description = "not stored")),
    security(("bearer" = [])))]
pub async fn get_blob(
    State(state): State<AppState>,
    s: auth::Session,
    headers: HeaderMap,
    UrlPath(sha): UrlPath<String>,
) -> Result<Response, ApiError> {
    let Some((size, mime)) = readable(&state, &sha, &s.office_id).await? else {
        return Err(tus_err(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "no such blob",
        ));
    };
    let size = size as u64;
    let range = header(&headers, "range").map(|r| parse_range(r, size));
    if let Some(None) = range {
        let mut a = tus_err(
            StatusCode::RANGE_NOT_SATISFIABLE,
            codes::MALFORMED,
            "unsatisfiable range",
        );
        a.retry_after = None;
        return Err(a);
    }
    let (start, end) = range.flatten().unwrap_or((0, size.saturating_sub(1)));
    let path = blob_path(&state.settings.blob_dir, &sha);
    // Streamed from disk in 64 KiB pieces, never read whole into memory.
    let mut f = tokio::fs::File::open(path).await.map_err(io_err)?;
    f.seek(SeekFrom::Start(start)).await.map_err(io_err)?;
    let len = end + 1 - start;
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        f.take(len),
        64 * 1024,
    ));
    let mut h = HeaderMap::new();
    h.insert("accept-ranges", HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert("content-type", v);
    }
    h.insert(
        "etag",
        HeaderValue::from_str(&format!("\"{sha}\"")).map_err(io_err)?,
    );
    let status = if range.is_some() {
        h.insert(
            "content-range",
            HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")).map_err(io_err)?,
        );
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    h.insert("content-length", HeaderValue::from(len));
    Ok((status, h, body).into_response())
}

/// `Upload-Metadata: sha256 <b64>,mime <b64>`.
fn metadata(h: &HeaderMap) -> Result<(String, String), ApiError> {
    let raw = header(h, "upload-metadata").unwrap_or_default();
    let mut sha = None;
    let mut mime = None;
    for pair in raw.split(',') {
        let mut it = pair.trim().splitn(2, ' ');
        let (Some(k), Some(v)) = (it.next(), it.next()) else {
            continue;
        };
        let v = base64::engine::general_purpose::STANDARD
            .decode(v.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        match k {
            "sha256" => sha = v,
            "mime" => mime = v,
            _ => {}
        }
    }
    let sha = sha
        .filter(|s| clerk_core::attachment::is_sha256_hex(s))
        .ok_or_else(|| {
            tus_err(
                StatusCode::BAD_REQUEST,
                codes::MALFORMED,
                "Upload-Metadata needs sha256 (lower-case hex, base64-encoded)",
            )
        })?;
    let mime = mime
        .filter(|m| clerk_core::attachment::Kind::from_mime(m).is_some())
        .ok_or_else(|| {
            tus_err(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                codes::MALFORMED,
                "Upload-Metadata mime must be application/pdf, image/jpeg or image/png",
            )
        })?;
    Ok((sha, mime))
}

fn expires_header(h: &mut HeaderMap, expires_unix: i64) {
    if let Ok(v) = HeaderValue::from_str(&http_date(expires_unix)) {
        h.insert("upload-expires", v);
    }
}

/// RFC 7231 IMF-fixdate.
fn http_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let d = clerk_core::date::Date::from_days_since_epoch(days);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][d.month() as usize - 1];
    format!(
        "{wd}, {:02} {mon} {} {:02}:{:02}:{:02} GMT",
        d.day(),
        d.year(),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Remove expired uploads (rows and partial files): orphans never last
/// longer than the expiry.
pub async fn collect_expired(state: &AppState) -> Result<usize, ApiError> {
    let c = state.pool.get().await?;
    let rows = c
        .query(
            "DELETE FROM uploads WHERE expires_at < now() RETURNING upload_id",
            &[],
        )
        .await?;
    let dir = state.settings.blob_dir.clone();
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.get(0)).collect();
    let n = ids.len();
    blocking(move || {
        for id in ids {
            let _ = std::fs::remove_file(upload_path(&dir, &id));
        }
        Ok(())
    })
    .await?;
    Ok(n)
}

#[utoipa::path(post, path = "/v1/uploads",
    params(("Upload-Length" = i64, Header, description = "size in bytes"),
           ("Upload-Metadata" = String, Header, description = "sha256 <b64>,mime <b64>"),
           ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses((status = 201, description = "created (or the same upload again): Location, Upload-Expires"),
              (status = 413, description = "larger than Tus-Max-Size")),
    security(("bearer" = [])))]
pub async fn create_upload(
    State(state): State<AppState>,
    s: auth::Session,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    need_tus(&headers)?;
    let length: i64 = header(&headers, "upload-length")
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            tus_err(
                StatusCode::BAD_REQUEST,
                codes::MALFORMED,
                "Upload-Length (a positive number) is required",
            )
        })?;
    if length as u64 > clerk_core::attachment::MAX_BYTES {
        return Err(tus_err(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::MALFORMED,
            "larger than Tus-Max-Size",
        ));
    }
    let (sha, mime) = metadata(&headers)?;
    collect_expired(&state).await?;
    let c = state.pool.get().await?;
    // Keyed on (device, sha256): a retry whose 201 was lost gets the same upload.
    let row = c
        .query_one(
            "WITH ins AS (INSERT INTO uploads(upload_id, device_id, sha256, length, mime, expires_at) \
                          VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6::int)) \
                          ON CONFLICT (device_id, sha256) DO NOTHING RETURNING upload_id, expires_at, length) \
             SELECT upload_id, extract(epoch FROM expires_at)::bigint, length FROM ins \
             UNION ALL SELECT upload_id, extract(epoch FROM expires_at)::bigint, length FROM uploads WHERE device_id = $2 AND sha256 = $3 \
             LIMIT 1",
            &[
                &uuid::Uuid::new_v4() as &(dyn tokio_postgres::types::ToSql + Sync),
                &s.device_id,
                &sha,
                &length,
                &mime,
                &(tus::EXPIRES_DAYS as i32),
            ],
        )
        .await?;
    let (id, expires, have_len): (uuid::Uuid, i64, i64) = (row.get(0), row.get(1), row.get(2));
    if have_len != length {
        return Err(tus_err(
            StatusCode::CONFLICT,
            codes::MALFORMED,
            "an upload of this sha256 with another length exists",
        ));
    }
    let mut h = tus_headers();
    h.insert(
        "location",
        HeaderValue::from_str(&format!("/v1/uploads/{}", id.simple())).map_err(io_err)?,
    );
    expires_header(&mut h, expires);
    Ok((StatusCode::CREATED, h).into_response())
}

fn upload_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map_err(|_| tus_err(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such upload"))
}

struct UploadRow {
    sha: String,
    length: i64,
    mime: String,
    offset: i64,
    expires: i64,
    expired: bool,
}

fn gone() -> ApiError {
    tus_err(
        StatusCode::GONE,
        codes::NOT_FOUND,
        "the upload expired; start again from HEAD /v1/blobs",
    )
}

async fn load(
    c: &deadpool_postgres::Transaction<'_>,
    id: &uuid::Uuid,
    device: &uuid::Uuid,
    lock: bool,
) -> Result<UploadRow, ApiError> {
    let sql = format!(
        "SELECT sha256, length, mime, \"offset\", extract(epoch FROM expires_at)::bigint, expires_at < now() \
         FROM uploads WHERE upload_id = $1 AND device_id = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let r = c
        .q_opt(&sql, &[id, device])
        .await?
        .ok_or_else(|| tus_err(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such upload"))?;
    Ok(UploadRow {
        sha: r.get(0),
        length: r.get(1),
        mime: r.get(2),
        offset: r.get(3),
        expires: r.get(4),
        expired: r.get(5),
    })
}

#[utoipa::path(head, path = "/v1/uploads/{id}",
    params(("id" = String, Path, description = "upload id")),
    responses((status = 200, description = "Upload-Offset, Upload-Length, Upload-Expires"),
              (status = 404, description = "unknown"), (status = 410, description = "expired")),
    security(("bearer" = [])))]
pub async fn head_upload(
    State(state): State<AppState>,
    s: auth::Session,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let id = upload_id(&id)?;
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let u = load(&tx, &id, &s.device_id, false).await?;
    drop(tx);
    if u.expired {
        return Err(gone());
    }
    let mut h = tus_headers();
    h.insert("upload-offset", HeaderValue::from(u.offset));
    h.insert("upload-length", HeaderValue::from(u.length));
    expires_header(&mut h, u.expires);
    Ok((StatusCode::OK, h).into_response())
}

#[utoipa::path(patch, path = "/v1/uploads/{id}",
    params(("id" = String, Path, description = "upload id"),
           ("Upload-Offset" = i64, Header, description = "must equal the server's offset"),
           ("Upload-Checksum" = String, Header, description = "sha256 <b64 of this body>")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = 204, description = "accepted: the new Upload-Offset"),
              (status = 409, description = "offset mismatch: HEAD and continue"),
              (status = 410, description = "expired"),
              (status = 422, description = "complete, but the whole file does not hash to its sha256: start again"),
              (status = 460, description = "checksum mismatch: resend this chunk")),
    security(("bearer" = [])))]
pub async fn patch_upload(
    State(state): State<AppState>,
    s: auth::Session,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    need_tus(&headers)?;
    let id = upload_id(&id)?;
    if header(&headers, "content-type") != Some(tus::OFFSET_CONTENT_TYPE) {
        return Err(tus_err(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::MALFORMED,
            "Content-Type must be application/offset+octet-stream",
        ));
    }
    let offset: i64 = header(&headers, "upload-offset")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            tus_err(
                StatusCode::BAD_REQUEST,
                codes::MALFORMED,
                "Upload-Offset is required",
            )
        })?;
    if let Some(sum) = header(&headers, "upload-checksum") {
        let Some(b64) = sum.strip_prefix("sha256 ") else {
            return Err(tus_err(
                StatusCode::BAD_REQUEST,
                codes::MALFORMED,
                "Upload-Checksum: only sha256 is supported",
            ));
        };
        let want = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .unwrap_or_default();
        if Sha256::digest(&body).as_slice() != want.as_slice() {
            return Err(tus_err(
                StatusCode::from_u16(tus::CHECKSUM_MISMATCH).unwrap_or(StatusCode::BAD_REQUEST),
                "checksum_mismatch",
                "the chunk does not match Upload-Checksum: resend it",
            ));
        }
    }
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let u = load(&tx, &id, &s.device_id, true).await?;
    if u.expired {
        return Err(gone());
    }
    if offset != u.offset {
        let mut a = tus_err(
            StatusCode::CONFLICT,
            "offset_mismatch",
            format!("the upload is at {}, not {offset}", u.offset),
        );
        a.retry_after = None;
        return Err(a);
    }
    let end = offset + body.len() as i64;
    if end > u.length {
        return Err(tus_err(
            StatusCode::BAD_REQUEST,
            codes::MALFORMED,
            "the chunk goes past Upload-Length",
        ));
    }
    let dir = state.settings.blob_dir.clone();
    let part = upload_path(&dir, &id);
    {
        let part = part.clone();
        blocking(move || {
            std::fs::create_dir_all(part.parent().unwrap_or(Path::new(".")))?;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&part)?;
            // Anything past the confirmed offset is from a cut request.
            f.set_len(offset as u64)?;
            f.seek(SeekFrom::Start(offset as u64))?;
            f.write_all(&body)?;
            f.sync_data()?;
            Ok(())
        })
        .await?;
    }
    let mut h = tus_headers();
    h.insert("upload-offset", HeaderValue::from(end));
    expires_header(&mut h, u.expires);
    if end < u.length {
        tx.q_exec(
            "UPDATE uploads SET \"offset\" = $2 WHERE upload_id = $1",
            &[&id, &end],
        )
        .await?;
        tx.commit().await?;
        return Ok((StatusCode::NO_CONTENT, h).into_response());
    }
    // Complete: the whole file must hash to what was declared.
    let (sha, mime, length) = (u.sha.clone(), u.mime.clone(), u.length);
    let target = blob_path(&dir, &sha);
    let ok = {
        let (part, target, sha) = (part.clone(), target.clone(), sha.clone());
        blocking(move || {
            if sha_of_file(&part)? != sha {
                let _ = std::fs::remove_file(&part);
                return Ok(false);
            }
            let parent = target.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(parent)?;
            std::fs::rename(&part, &target)?;
            std::fs::File::open(&target)?.sync_all()?;
            sync_dir(parent)?;
            Ok(true)
        })
        .await?
    };
    tx.q_exec("DELETE FROM uploads WHERE upload_id = $1", &[&id])
        .await?;
    if ok {
        tx.q_exec(
            "INSERT INTO blob_holders(sha256, office_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&sha, &s.office_id],
        )
        .await?;
    }
    if !ok {
        tx.commit().await?;
        tracing::warn!(sha = %sha, "assembled upload does not match its sha256: discarded");
        return Err(tus_err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "blob_hash_mismatch",
            "the assembled file does not hash to its sha256: it was discarded, upload it again",
        ));
    }
    let inserted = tx
        .q_opt(
            "INSERT INTO blobs(sha256, size, mime) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1",
            &[&sha, &length, &mime],
        )
        .await?
        .is_some();
    if inserted {
        // Every case that referenced it now shows it stored.
        let rows = tx
            .query(
                "UPDATE cases SET version = version + 1 WHERE case_id IN (SELECT case_id FROM case_attachments WHERE sha256 = $1) \
                 RETURNING case_id, version",
                &[&sha],
            )
            .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        let versions: Vec<i64> = rows.iter().map(|r| r.get(1)).collect();
        crate::db::log_case_changes(&tx, &ids, &versions).await?;
    }
    tx.commit().await?;
    Ok((StatusCode::NO_CONTENT, h).into_response())
}

#[utoipa::path(delete, path = "/v1/uploads/{id}",
    params(("id" = String, Path, description = "upload id")),
    responses((status = 204, description = "terminated"), (status = 404, description = "unknown")),
    security(("bearer" = [])))]
pub async fn delete_upload(
    State(state): State<AppState>,
    s: auth::Session,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    need_tus(&headers)?;
    let id = upload_id(&id)?;
    let c = state.pool.get().await?;
    let n = c
        .execute(
            "DELETE FROM uploads WHERE upload_id = $1 AND device_id = $2",
            &[&id, &s.device_id],
        )
        .await?;
    if n == 0 {
        return Err(tus_err(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "no such upload",
        ));
    }
    let part = upload_path(&state.settings.blob_dir, &id);
    blocking(move || {
        let _ = std::fs::remove_file(part);
        Ok(())
    })
    .await?;
    Ok((StatusCode::NO_CONTENT, tus_headers()).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_dates() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=95-200", 100), Some((95, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_794_000_000), "Fri, 06 Nov 2026 21:20:00 GMT");
    }
}
