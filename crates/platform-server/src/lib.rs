//! The reference platform server: counter-sync v1 (../shared/sync-protocol.md)
//! on PostgreSQL, plus the platform's own side of a case (departments,
//! online applications, catalogue publishing) behind an admin token.
//!
//! Every acknowledged effect is committed with its ledger row, change-log
//! row and device cursor in one transaction before the response is sent.

pub mod admin;
pub mod auth;
pub mod blobs;
pub mod db;
pub mod deem;
pub mod openapi;
pub mod pull;
pub mod push;
pub mod rules;
pub mod tls;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use platform_api::{codes, ErrorBody};

/// Server settings: from the command line and the environment, never a
/// secret in the code.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    /// Bearer token for `/v1/admin/*` (departments, enrolment codes).
    pub admin_token: String,
    /// Seconds an access token lives.
    pub access_ttl: i64,
    /// Seconds a rotated refresh token still returns its successor.
    pub refresh_grace: i64,
    /// Lock wait before answering 409 push_in_progress, in ms.
    pub push_lock_ms: u64,
    /// Where blob bytes live (`PLATFORM_BLOB_DIR`, `--blob-dir`).
    pub blob_dir: std::path::PathBuf,
    /// How long after an online sign-in a window may let the user sign in
    /// offline (told at login; the window may allow less, never more).
    pub offline_valid_secs: i64,
    /// How a deadline's start day counts: the windows' `[deadlines]
    /// start_day`, so the platform's re-check gives the same dates.
    pub start_day: clerk_core::calendar::StartDay,
    /// Seconds a session lives from its password sign-in, however often
    /// it is refreshed (then the user signs in again).
    pub session_max_secs: i64,
    /// Requests served at once across both listeners' routes; the rest
    /// wait their turn (`--max-in-flight`).
    pub max_in_flight: usize,
    /// Seconds one request may take, its body included, before a 408
    /// (uploads of a chunk get ten times as long).
    pub request_secs: u64,
}

impl Settings {
    pub fn new(database_url: &str, admin_token: &str) -> Settings {
        Settings {
            database_url: database_url.to_owned(),
            admin_token: admin_token.to_owned(),
            access_ttl: 900,
            refresh_grace: 60,
            push_lock_ms: 5000,
            offline_valid_secs: 7 * 24 * 3600,
            start_day: clerk_core::calendar::StartDay::DayZero,
            session_max_secs: 7 * 24 * 3600,
            max_in_flight: 512,
            request_secs: 30,
            // A fresh folder per server unless one is configured: tests and
            // demos never share bytes.
            blob_dir: std::env::var_os("PLATFORM_BLOB_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| {
                    std::env::temp_dir()
                        .join(format!("platform-blobs-{}", uuid::Uuid::new_v4().simple()))
                }),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub pool: deadpool_postgres::Pool,
    pub settings: Arc<Settings>,
    /// Parsed catalogue versions, for the re-check of every intake.
    pub catalogues: Arc<rules::Catalogues>,
}

/// An error answer with its status and protocol code.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after: Option<u64>,
    /// A database error that the same input would raise again (SQLSTATE
    /// classes 22 data, 23 integrity, 42 and 54 statement limits): the
    /// push rejects that one mutation instead of answering 503.
    pub deterministic: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: code.to_owned(),
                message: message.into(),
                last_applied_seq: None,
            },
            retry_after: None,
            deterministic: None,
        }
    }

    pub fn unavailable(e: impl std::fmt::Display) -> ApiError {
        tracing::warn!(error = %e, "transient failure");
        let mut a = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::UNAVAILABLE,
            "the platform is temporarily unavailable; retry later",
        );
        a.retry_after = Some(2);
        a
    }

    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, codes::MALFORMED, message)
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        let class = e.code().map(|c| c.code().get(..2).unwrap_or("").to_owned());
        let why = |e: &tokio_postgres::Error| {
            format!(
                "the platform's database cannot store this ({})",
                e.code().map(|c| c.code()).unwrap_or_default()
            )
        };
        match class.as_deref() {
            // The data (text it cannot store, a value out of range, a
            // constraint): the caller's to correct, never "retry later".
            Some("22" | "23") => {
                tracing::warn!(error = %e, "refused by the database");
                let mut a = ApiError::bad(why(&e));
                a.deterministic = Some(why(&e));
                a
            }
            Some("42" | "54") => {
                let mut a = ApiError::unavailable(&e);
                a.deterministic = Some(why(&e));
                a
            }
            _ => ApiError::unavailable(&e),
        }
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        ApiError::unavailable(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(s) = self.retry_after {
            headers.insert("retry-after", HeaderValue::from(s));
        }
        (self.status, headers, Json(self.body)).into_response()
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

/// UTC now, ISO 8601 with milliseconds.
pub fn now_iso() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let millis = d.as_millis() as i64;
    let days = millis.div_euclid(86_400_000);
    let ms = millis.rem_euclid(86_400_000);
    let date = clerk_core::date::Date::from_days_since_epoch(days);
    format!(
        "{date}T{:02}:{:02}:{:02}.{:03}Z",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// A named failpoint (`PLATFORM_FAILPOINT=push.after_effects` …): the
/// fault-injection tests kill the server there, as `kill -9` would.
pub fn failpoint(name: &str) {
    if std::env::var("PLATFORM_FAILPOINT").is_ok_and(|f| f == name) {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
}

/// The windows' API. It does not route `/v1/admin`: that is
/// [`admin_router`], served on its own listener (loopback by default).
pub fn router(state: AppState) -> Router {
    let (n, t) = (state.settings.max_in_flight, state.settings.request_secs);
    harden(windows_routes(t).with_state(state), n)
}

/// The admin API (`/v1/admin/*`), for IT staff and the platform's own
/// tools, behind the admin token.
pub fn admin_router(state: AppState) -> Router {
    let (n, t) = (state.settings.max_in_flight, state.settings.request_secs);
    // Its own document (the combined test router serves the windows' one).
    let doc = Router::new().route("/openapi.json", get(openapi::serve_admin));
    harden(admin_routes(t).merge(doc).with_state(state), n)
}

/// Both on one listener: in-process tests and demos only (`spawn_local`);
/// `serve` never does this.
pub fn combined_router(state: AppState) -> Router {
    let (n, t) = (state.settings.max_in_flight, state.settings.request_secs);
    harden(
        windows_routes(t).merge(admin_routes(t)).with_state(state),
        n,
    )
}

/// Largest body of a sign-in, enrolment, refresh or other small request.
pub const SMALL_BODY: usize = 64 * 1024;
/// Largest push body: a batch is at most `MAX_BATCH_BYTES` of mutations,
/// with room for the JSON around them.
pub const PUSH_BODY: usize = 4 * platform_api::MAX_BATCH_BYTES;
/// Largest admin body (a catalogue version, a calendar year).
pub const ADMIN_BODY: usize = 16 * 1024 * 1024;

/// A body limit checked on `Content-Length` before anything is read (413)
/// and again while reading, and a time limit for the whole request.
fn limits<S: Clone + Send + Sync + 'static>(r: Router<S>, body: usize, secs: u64) -> Router<S> {
    r.layer(DefaultBodyLimit::max(body))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            std::time::Duration::from_secs(secs),
        ))
}

/// The answers the framework and tower-http make themselves (a body over
/// the limit, a request past its time, JSON that does not parse, a method
/// not served) come as plain text; every error of this API is an
/// [`platform_api::ErrorBody`], so they are turned into one, their text
/// kept as the message.
async fn json_errors(r: Response) -> Response {
    let status = r.status();
    let plain = r
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return r;
    }
    let (parts, body) = r.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let (code, fallback) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            codes::MALFORMED,
            "the request body is larger than this route takes",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            codes::UNAVAILABLE,
            "the request took longer than the server allows: send it again",
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            (codes::NOT_FOUND, "this route does not take that method")
        }
        s if s.is_server_error() => (codes::UNAVAILABLE, "the server could not answer"),
        _ => (codes::MALFORMED, "the request is malformed"),
    };
    let message = if text.is_empty() {
        fallback.to_owned()
    } else {
        format!("{fallback}: {text}")
    };
    let mut out = ApiError::new(status, code, message).into_response();
    for (k, v) in parts.headers.iter() {
        if k != axum::http::header::CONTENT_TYPE && k != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

/// What every listener gets: a request id (`x-request-id`, kept if the
/// caller sent one, echoed in the answer), one tracing span per request
/// with its method, route pattern (never the path with its ids or the
/// query) and id, and a limit on requests in flight.
fn harden(r: Router, max_in_flight: usize) -> Router {
    // A route nobody serves answers like every other error: JSON, 404.
    let r = r.fallback(|| async {
        ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such route")
    });
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    let trace = tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
            let route = req
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "-".to_owned());
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_owned();
            tracing::info_span!("request", method = %req.method(), route, id)
        })
        .on_response(
            tower_http::trace::DefaultOnResponse::new()
                .level(tracing::Level::INFO)
                .latency_unit(tower_http::LatencyUnit::Millis),
        );
    r.layer(axum::middleware::map_response(json_errors)).layer(
        tower::ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(trace)
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
                max_in_flight,
            )),
    )
}

fn windows_routes(secs: u64) -> Router<AppState> {
    let small = Router::new()
        .route("/openapi.json", get(openapi::serve))
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/devices/enroll", post(auth::enroll))
        .route("/v1/devices/me", get(auth::me))
        .route("/v1/auth/login", post(auth::login))
        .route("/v1/auth/refresh", post(auth::refresh))
        .route("/v1/sync/pull", get(pull::pull))
        .route("/v1/sync/snapshot", get(pull::snapshot))
        .route("/v1/catalogue/manifest", get(pull::manifest))
        .route("/v1/catalogue/versions/{v}", get(pull::catalogue_version))
        .route("/v1/calendar/manifest", get(pull::calendar_manifest))
        .route("/v1/calendar/years/{year}", get(pull::calendar_year))
        .route("/v1/users", get(auth::office_users))
        .route(
            "/v1/uploads",
            post(blobs::create_upload).options(blobs::options),
        );
    let push = Router::new().route("/v1/sync/push", post(push::push));
    // A blob download streams for as long as it takes: no time limit.
    let blobs = Router::new()
        .route(
            "/v1/blobs/{sha256}",
            get(blobs::get_blob).head(blobs::head_blob),
        )
        .layer(tower_http::limit::RequestBodyLimitLayer::new(0));
    let uploads = Router::new().route(
        "/v1/uploads/{id}",
        axum::routing::head(blobs::head_upload)
            .patch(blobs::patch_upload)
            .delete(blobs::delete_upload),
    );
    limits(small, SMALL_BODY, secs)
        .merge(limits(push, PUSH_BODY, secs))
        .merge(blobs)
        .merge(limits(
            uploads,
            platform_api::tus::MAX_CHUNK + 1024,
            10 * secs,
        ))
}

fn admin_routes(secs: u64) -> Router<AppState> {
    let r = Router::new()
        .route("/v1/admin/offices", post(admin::add_office))
        .route("/v1/admin/enrolment-codes", post(admin::enrolment_code))
        .route("/v1/admin/users", post(admin::add_user))
        .route(
            "/v1/admin/users/{user_id}/disabled",
            post(admin::set_user_disabled),
        )
        .route("/v1/admin/users/{user_id}/unlock", post(admin::unlock_user))
        .route(
            "/v1/admin/devices/{device_id}/unlock",
            post(admin::unlock_device),
        )
        .route("/v1/admin/calendar/years", post(admin::publish_calendar))
        .route(
            "/v1/admin/catalogue/versions",
            post(admin::publish_catalogue),
        )
        .route(
            "/v1/admin/catalogue/versions/{v}/withdraw",
            post(admin::withdraw_catalogue),
        )
        .route(
            "/v1/admin/online-applications",
            post(admin::online_application),
        )
        .route("/v1/admin/cases/{id}/route", post(admin::route_case))
        .route("/v1/admin/cases/{id}/nodes", post(admin::node_decision))
        .route("/v1/admin/cases/{id}", get(admin::get_case));
    limits(r, ADMIN_BODY, secs)
}

/// Connect, migrate, seed the bundled catalogue as version 1 when there is none.
pub async fn prepare(settings: Settings) -> Result<AppState, String> {
    let pool = db::pool(&settings.database_url, settings.push_lock_ms)?;
    db::migrate(&pool).await?;
    admin::seed_catalogue(&pool).await?;
    Ok(AppState {
        pool,
        settings: Arc::new(settings),
        catalogues: Arc::default(),
    })
}

/// Serve the windows' API on `listener` and the admin API on `admin`
/// until the future resolves; both over TLS when `tls` is given.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    admin: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let windows = serve_one(listener, router(state.clone()), tls.clone(), rx.clone())?;
    let admins = serve_one(admin, admin_router(state), tls, rx)?;
    tokio::spawn(async move {
        shutdown.await;
        let _ = tx.send(true);
    });
    let (a, b) = tokio::join!(windows, admins);
    a.and(b)
}

type Served = std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send>>;

fn serve_one(
    listener: tokio::net::TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<Served> {
    use axum::serve::ListenerExt;
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    Ok(match tls {
        None => Box::pin(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
        }),
        // `tap_io` makes the peer's SocketAddr the connect info, as for TCP.
        Some(cfg) => {
            let l = tls::TlsListener::new(listener, cfg)?.tap_io(|_| {});
            Box::pin(async move { axum::serve(l, app).with_graceful_shutdown(stopped).await })
        }
    })
}

/// Start a server on a free loopback port in this process, both APIs on
/// one listener (tests, demos); returns its base URL.
pub async fn spawn_local(
    settings: Settings,
) -> Result<(String, tokio::task::JoinHandle<()>), String> {
    let state = prepare(settings).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let h = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            combined_router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    Ok((format!("http://{addr}"), h))
}

/// Start a server as `serve` runs it, in this process: the windows' URL
/// and the admin URL.
pub async fn spawn_split(settings: Settings) -> Result<(String, String), String> {
    spawn_split_tls(settings, None).await
}

/// The same over HTTPS when `tls` is given (`https://127.0.0.1:…`).
pub async fn spawn_split_tls(
    settings: Settings,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Result<(String, String), String> {
    let state = prepare(settings).await?;
    let bind = || async {
        tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())
    };
    let (w, a) = (bind().await?, bind().await?);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let urls = (
        format!("{scheme}://{}", w.local_addr().map_err(|e| e.to_string())?),
        format!("{scheme}://{}", a.local_addr().map_err(|e| e.to_string())?),
    );
    tokio::spawn(serve(state, w, a, tls, std::future::pending()));
    Ok(urls)
}
