//! `GET /v1/sync/pull`, `GET /v1/sync/snapshot` and the catalogue
//! (sync-protocol §4, §5).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use platform_api::{codes, CatalogueManifest, CatalogueVersionInfo, Change, PullResponse};

use crate::db::{case_payload, CASE_COLS};
use crate::{auth, now_iso, ApiError, ApiResult, AppState};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct PullParams {
    /// Opaque cursor from the last page; empty for the start.
    #[serde(default)]
    pub cursor: String,
    /// Page size, at most 1000 (default 500).
    pub limit: Option<i64>,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

/// `base64(c1:<log_epoch>:<change_seq>:<office>)` (platform-api `cursor`).
pub fn cursor(epoch: &str, seq: i64, office: &str) -> String {
    platform_api::cursor::make(epoch, seq, office)
}

fn parse_cursor(c: &str) -> Option<(String, i64, String)> {
    platform_api::cursor::parse(c)
}

fn must_resync(why: &str) -> ApiError {
    ApiError::new(StatusCode::GONE, codes::MUST_RESYNC, why)
}

/// A pull page as it goes out: each change's payload as PostgreSQL keeps
/// it (jsonb read as text), checked as JSON but never parsed into a tree
/// and printed again. The shape is [`PullResponse`]'s.
#[derive(serde::Serialize)]
struct RawPage<'a> {
    changes: Vec<RawChange<'a>>,
    next_cursor: String,
    has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_seq: Option<i64>,
    catalogue_current: u32,
    server_time: String,
}

#[derive(serde::Serialize)]
struct RawChange<'a> {
    change_seq: i64,
    #[serde(rename = "type")]
    kind: &'a str,
    id: &'a str,
    version: i64,
    op: &'a str,
    data: &'a serde_json::value::RawValue,
}

fn raw_change(r: &tokio_postgres::Row) -> Result<RawChange<'_>, ApiError> {
    Ok(RawChange {
        change_seq: r.get(0),
        kind: r.get(1),
        id: r.get(2),
        version: r.get(3),
        op: r.get(4),
        data: serde_json::from_str(r.get(5))
            .map_err(|e| ApiError::unavailable(format!("change payload: {e}")))?,
    })
}

async fn meta(tx: &tokio_postgres::Transaction<'_>, key: &str) -> Result<Option<String>, ApiError> {
    Ok(tx
        .query_opt("SELECT value FROM meta WHERE key = $1", &[&key])
        .await?
        .map(|r| r.get(0)))
}

async fn current_catalogue(tx: &tokio_postgres::Transaction<'_>) -> Result<u32, ApiError> {
    Ok(tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM catalogue_versions WHERE NOT withdrawn AND effective_from <= current_date",
            &[],
        )
        .await?
        .get::<_, i32>(0) as u32)
}

/// A read-only transaction seeing one snapshot: a page and the counter
/// it is cut at agree, whatever commits meanwhile.
async fn snapshot_tx(
    c: &mut deadpool_postgres::Object,
) -> Result<deadpool_postgres::Transaction<'_>, tokio_postgres::Error> {
    c.build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
}

#[utoipa::path(get, path = "/v1/sync/pull", params(PullParams),
    responses((status = 200, body = PullResponse), (status = 410, description = "must_resync", body = platform_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn pull(
    State(state): State<AppState>,
    s: auth::Session,
    Query(q): Query<PullParams>,
) -> Result<Response, ApiError> {
    let limit = q.limit.unwrap_or(500).clamp(1, 1000);
    let mut c = state.pool.get().await?;
    let tx = snapshot_tx(&mut c).await?;
    let epoch = meta(&tx, "log_epoch").await?.unwrap_or_default();
    let floor: i64 = meta(&tx, "log_floor")
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let high: i64 = tx
        .query_one("SELECT value FROM counters WHERE name = 'change_seq'", &[])
        .await?
        .get(0);
    let from = if q.cursor.is_empty() {
        if floor > 0 {
            return Err(must_resync("the change log starts later: fetch a snapshot"));
        }
        0
    } else {
        let (e, seq, office) =
            parse_cursor(&q.cursor).ok_or_else(|| must_resync("unknown cursor"))?;
        if e != epoch || office != s.office_id {
            return Err(must_resync("the cursor is from another log or scope"));
        }
        if seq > high {
            return Err(must_resync(
                "the cursor is from the future (server restored)",
            ));
        }
        if seq < floor {
            return Err(must_resync("the cursor is older than the change log kept"));
        }
        seq
    };
    let rows = tx
        .query(
            "SELECT change_seq, entity_type, entity_id, entity_version, op, payload::text FROM change_log \
             WHERE office_id = $1 AND change_seq > $2 ORDER BY change_seq LIMIT $3",
            &[&s.office_id, &from, &(limit + 1)],
        )
        .await?;
    let has_more = rows.len() as i64 > limit;
    let changes = rows
        .iter()
        .take(limit as usize)
        .map(raw_change)
        .collect::<Result<Vec<_>, _>>()?;
    let next = if has_more {
        changes.last().map_or(from, |c| c.change_seq)
    } else {
        // Everything up to the high-water mark of this snapshot is seen.
        high.max(from)
    };
    let confirmed_seq = if has_more {
        None
    } else {
        Some(
            tx.query_one(
                "SELECT last_applied_seq FROM devices WHERE device_id = $1",
                &[&s.device_id],
            )
            .await?
            .get(0),
        )
    };
    let catalogue_current = current_catalogue(&tx).await?;
    tx.commit().await?;
    let page = RawPage {
        changes,
        next_cursor: cursor(&epoch, next, &s.office_id),
        has_more,
        confirmed_seq,
        catalogue_current,
        server_time: now_iso(),
    };
    let body = serde_json::to_vec(&page).map_err(ApiError::unavailable)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct SnapshotParams {
    /// From the previous snapshot page; empty for the first.
    #[serde(default)]
    pub cursor: String,
    pub limit: Option<i64>,
}

/// The whole office scope, paged by case id; the last page ends with a
/// pull cursor at the high-water mark read on the first page.
#[utoipa::path(get, path = "/v1/sync/snapshot", params(SnapshotParams),
    responses((status = 200, body = PullResponse)), security(("bearer" = [])))]
pub async fn snapshot(
    State(state): State<AppState>,
    s: auth::Session,
    Query(q): Query<SnapshotParams>,
) -> ApiResult<PullResponse> {
    let limit = q.limit.unwrap_or(500).clamp(1, 1000);
    let mut c = state.pool.get().await?;
    let tx = snapshot_tx(&mut c).await?;
    let epoch = meta(&tx, "log_epoch").await?.unwrap_or_default();
    let (high, after) = if q.cursor.is_empty() {
        let h: i64 = tx
            .query_one("SELECT value FROM counters WHERE name = 'change_seq'", &[])
            .await?
            .get(0);
        (h, String::new())
    } else {
        let raw =
            String::from_utf8(b64().decode(&q.cursor).unwrap_or_default()).unwrap_or_default();
        let mut it = raw.splitn(3, ':');
        match (it.next(), it.next().and_then(|h| h.parse().ok()), it.next()) {
            (Some("s1"), Some(h), Some(a)) => (h, a.to_owned()),
            _ => return Err(ApiError::bad("unknown snapshot cursor")),
        }
    };
    let rows = tx
        .query(
            &format!("SELECT {CASE_COLS} FROM cases WHERE office_id = $1 AND case_id > $2 ORDER BY case_id LIMIT $3"),
            &[&s.office_id, &after, &(limit + 1)],
        )
        .await?;
    let has_more = rows.len() as i64 > limit;
    let changes: Vec<Change> = rows
        .iter()
        .take(limit as usize)
        .map(|r| Change {
            change_seq: 0,
            kind: "case".into(),
            id: r.get("case_id"),
            version: r.get("version"),
            op: "put".into(),
            data: case_payload(r),
        })
        .collect();
    let (next_cursor, confirmed_seq) = if has_more {
        let last = changes.last().map(|c| c.id.clone()).unwrap_or_default();
        (b64().encode(format!("s1:{high}:{last}")), None)
    } else {
        let seq: i64 = tx
            .query_one(
                "SELECT last_applied_seq FROM devices WHERE device_id = $1",
                &[&s.device_id],
            )
            .await?
            .get(0);
        (cursor(&epoch, high, &s.office_id), Some(seq))
    };
    let catalogue_current = current_catalogue(&tx).await?;
    tx.commit().await?;
    Ok(Json(PullResponse {
        changes,
        next_cursor,
        has_more,
        confirmed_seq,
        catalogue_current,
        server_time: now_iso(),
    }))
}

#[utoipa::path(get, path = "/v1/catalogue/manifest", responses((status = 200, body = CatalogueManifest)))]
pub async fn manifest(State(state): State<AppState>) -> ApiResult<CatalogueManifest> {
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let current = current_catalogue(&tx).await?;
    let rows = tx
        .query(
            "SELECT version, to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                    to_char(effective_from, 'YYYY-MM-DD'), withdrawn, sha256, length(body)::bigint \
             FROM catalogue_versions ORDER BY version",
            &[],
        )
        .await?;
    tx.commit().await?;
    Ok(Json(CatalogueManifest {
        current,
        versions: rows
            .iter()
            .map(|r| CatalogueVersionInfo {
                version: r.get::<_, i32>(0) as u32,
                published_at: r.get(1),
                effective_from: r.get(2),
                withdrawn: r.get(3),
                sha256: r.get(4),
                size: r.get(5),
            })
            .collect(),
    }))
}

/// An immutable catalogue version, with its SHA-256 as the ETag.
#[utoipa::path(get, path = "/v1/catalogue/versions/{v}", params(("v" = u32, Path, description = "version")),
    responses((status = 200, description = "the catalogue document (JSON)"), (status = 404, body = platform_api::ErrorBody)))]
pub async fn catalogue_version(
    State(state): State<AppState>,
    Path(v): Path<i32>,
) -> Result<Response, ApiError> {
    let c = state.pool.get().await?;
    let r = c
        .query_opt(
            "SELECT body, sha256 FROM catalogue_versions WHERE version = $1",
            &[&v],
        )
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                codes::NOT_FOUND,
                "no such catalogue version",
            )
        })?;
    let body: Vec<u8> = r.get(0);
    let sha: String = r.get(1);
    Ok((
        [
            ("content-type", "application/json".to_owned()),
            ("etag", format!("\"{sha}\"")),
            (
                "cache-control",
                "public, max-age=31536000, immutable".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

#[utoipa::path(get, path = "/v1/calendar/manifest", responses((status = 200, body = platform_api::CalendarManifest)))]
pub async fn calendar_manifest(
    State(state): State<AppState>,
) -> ApiResult<platform_api::CalendarManifest> {
    let c = state.pool.get().await?;
    let rows = c
        .query(
            "SELECT DISTINCT ON (year) year, revision, sha256, length(body)::bigint, source, \
                    to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
             FROM calendar_years ORDER BY year, revision DESC",
            &[],
        )
        .await?;
    Ok(Json(platform_api::CalendarManifest {
        years: rows
            .iter()
            .map(|r| platform_api::CalendarYearInfo {
                year: r.get(0),
                revision: i64::from(r.get::<_, i32>(1)),
                sha256: r.get(2),
                size: r.get(3),
                source: r.get(4),
                published_at: r.get(5),
            })
            .collect(),
    }))
}

/// The newest revision of a year's schedule (the one-year file clerk-core
/// reads), with its SHA-256 as the ETag and its revision in a header.
#[utoipa::path(get, path = "/v1/calendar/years/{year}", params(("year" = i32, Path, description = "year")),
    responses((status = 200, description = "the one-year schedule file (JSON)"), (status = 404, body = platform_api::ErrorBody)))]
pub async fn calendar_year(
    State(state): State<AppState>,
    Path(year): Path<i32>,
) -> Result<Response, ApiError> {
    let c = state.pool.get().await?;
    let r = c
        .query_opt(
            "SELECT body, sha256, revision FROM calendar_years WHERE year = $1 ORDER BY revision DESC LIMIT 1",
            &[&year],
        )
        .await?
        .ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no schedule published for this year")
        })?;
    let body: Vec<u8> = r.get(0);
    let sha: String = r.get(1);
    let revision: i32 = r.get(2);
    Ok((
        [
            ("content-type", "application/json".to_owned()),
            ("etag", format!("\"{sha}\"")),
            ("x-calendar-revision", revision.to_string()),
        ],
        body,
    )
        .into_response())
}
