//! Window Clerk's side of counter-sync v1 (../shared/sync-protocol.md).
//!
//! - **Push** (§3): the outbox in seq order, at most 100 mutations a batch,
//!   one push in flight. Any error after sending is an unknown outcome and
//!   is retried with the same seqs (the server dedups by seq). Rejected
//!   items are set aside with the server's reason and never block the rest.
//!   A `gap` is answered from the re-push archive.
//! - **Pull** (§4): pages applied with their cursor in one transaction;
//!   `must_resync` fetches a snapshot and never touches the outbox.
//! - **Auth** (§9): the device secret and the refresh token live in the OS
//!   keyring (written before the new access token is used); one refresh at
//!   a time, other requests wait for it; a 401 refreshes once and retries.
//! - **Worker**: a timer that fires by itself with exponential backoff and
//!   jitter (1 s … 5 min), honouring Retry-After.

use std::sync::Arc;
use std::time::Duration;
use zeroize::{Zeroize, Zeroizing};

use clerk_secrets::SecretStore;
use clerk_store::{PulledCase, PushOutcome, QueuedMutation, Store};
use platform_api::{
    codes, ErrorBody, Mutation, PullResponse, PushRequest, PushResponse, ResultStatus,
};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

pub mod upload;
pub mod worker;

pub use upload::UploadReport;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    /// Sent but no answer (timeout, connection cut): the outcome is unknown.
    #[error("network: {0}")]
    Network(String),
    #[error("server answered {status}: {code}: {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
        retry_after: Option<u64>,
        last_applied_seq: Option<i64>,
    },
    /// The session cannot be renewed: the queue pauses until a clerk logs in.
    #[error("not logged in: {0}")]
    LoginNeeded(String),
    #[error("this PC is not enrolled with the platform")]
    NotEnrolled,
    #[error("local store: {0}")]
    Store(String),
    #[error("keyring: {0}")]
    Secrets(String),
    /// Downloaded data that does not match its hash (kept out; retried).
    #[error("corrupt download: {0}")]
    Corrupt(String),
    /// What this client will not do: plain HTTP off loopback, a CA bundle
    /// that holds no certificate, an upload address on another origin.
    #[error("refused: {0}")]
    Refused(String),
}

impl SyncError {
    /// Seconds the server asked to wait.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            SyncError::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            SyncError::Server { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The platform answered (so the network is up), whatever it said.
    pub fn reached_server(&self) -> bool {
        matches!(self, SyncError::Server { .. } | SyncError::Corrupt(_))
    }

    /// Retrying later may help (vs. a person must act).
    pub fn transient(&self) -> bool {
        match self {
            SyncError::Network(_) | SyncError::Corrupt(_) => true,
            SyncError::Server { status, code, .. } => {
                matches!(status, 409 | 429 | 500..=599)
                    && code != codes::REENROLL_REQUIRED
                    && code != codes::AUDIT_CHAIN_BROKEN
            }
            _ => false,
        }
    }

    pub fn zh(&self) -> String {
        match self {
            SyncError::Network(_) => "无法连接平台服务器，已离线工作，恢复后自动同步".into(),
            SyncError::Server { code, .. } if code == codes::REENROLL_REQUIRED => {
                "本机数据库与登记不符（可能被恢复或复制），同步已暂停，请联系管理员重新登记；本机数据均已保留".into()
            }
            SyncError::Server { code, .. } if code == codes::AUDIT_CHAIN_BROKEN => {
                "本机操作记录与平台保存的不一致（可能被改动或删除），同步已暂停，数据均已保留；请联系信息科（clerkctl audit verify）".into()
            }
            SyncError::Server { status, .. } if *status == 429 || *status >= 500 => {
                format!("平台服务器暂时不可用（{status}），稍后自动重试；数据均已保留在本机")
            }
            SyncError::Server { status: 403, .. } => {
                "平台拒绝了本机或当前用户（403），同步已暂停，数据均已保留；请联系管理员".into()
            }
            SyncError::Server { status: 426, .. } => {
                "本软件版本过旧，平台要求升级；同步已暂停，数据均已保留".into()
            }
            SyncError::Server { status, .. } => {
                format!("平台服务器返回错误（{status}），稍后自动重试")
            }
            SyncError::LoginNeeded(_) => "登录已失效，同步已暂停，数据均已保留；请重新登录".into(),
            SyncError::NotEnrolled => "本机尚未在平台登记，单机工作".into(),
            SyncError::Store(_) => "本地数据库读写失败，同步暂停，数据均已保留；请联系信息科".into(),
            SyncError::Secrets(_) => "系统密钥环不可用，同步暂停；请联系信息科".into(),
            SyncError::Corrupt(_) => "下载的事项目录校验不符，已保留原版本，稍后自动重试".into(),
            SyncError::Refused(_) => "与平台的连接不安全（地址不是 https://，或平台证书不受信任），同步已暂停，数据均已保留；请信息科检查 [platform] server_url 和 ca_bundle".into(),
        }
    }

    /// The same in English. Like [`Self::zh`] it never carries the
    /// underlying text (HTTP, URLs, the server's message, SQLite): that
    /// goes to the log (the error contract).
    pub fn en(&self) -> String {
        match self {
            SyncError::Network(_) => "The platform cannot be reached: working offline, synced when it is back".into(),
            SyncError::Server { code, .. } if code == codes::REENROLL_REQUIRED => {
                "This PC's database does not match its enrolment (restored or copied?): sync is paused, ask the administrator to enrol it again; everything is kept".into()
            }
            SyncError::Server { code, .. } if code == codes::AUDIT_CHAIN_BROKEN => {
                "This PC's audit trail does not match what the platform holds (edited or deleted?): sync is paused, everything is kept; contact IT (clerkctl audit verify)".into()
            }
            SyncError::Server { status, .. } if *status == 429 || *status >= 500 => {
                format!("The platform is unavailable for now ({status}): retried later, everything is kept")
            }
            SyncError::Server { status: 403, .. } => {
                "The platform refused this PC or the signed-in user (403): sync is paused, everything is kept; contact the administrator".into()
            }
            SyncError::Server { status: 426, .. } => {
                "This version is too old for the platform: sync is paused until it is updated; everything is kept".into()
            }
            SyncError::Server { status, .. } => {
                format!("The platform answered with an error ({status}): retried later")
            }
            SyncError::LoginNeeded(_) => "The sign-in has expired: sync is paused, everything is kept; sign in again online".into(),
            SyncError::NotEnrolled => "This PC is not enrolled with the platform: working standalone".into(),
            SyncError::Store(_) => "The local database could not be read or written: sync is paused, everything is kept; contact IT".into(),
            SyncError::Secrets(_) => "The system keyring is not available: sync is paused; contact IT".into(),
            SyncError::Corrupt(_) => "A download did not match its checksum: the old version is kept, retried later".into(),
            SyncError::Refused(_) => "The connection to the platform is not secure (not https://, or its certificate is not trusted): sync is paused, everything is kept; IT should check [platform] server_url and ca_bundle".into(),
        }
    }
}

/// A request that got no answer. A certificate the client does not trust
/// is not the network being down: it is refused, and says so.
pub(crate) fn net(e: reqwest::Error) -> SyncError {
    let mut src: Option<&dyn std::error::Error> = Some(&e);
    while let Some(s) = src {
        let t = s.to_string();
        if t.contains("certificate") || t.contains("UnknownIssuer") {
            return SyncError::Refused(format!(
                "TLS: the platform's certificate is not trusted ({t})"
            ));
        }
        src = s.source();
    }
    SyncError::Network(e.to_string())
}

fn store_err(e: clerk_store::StoreError) -> SyncError {
    SyncError::Store(e.to_string())
}

/// What one push did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    pub sent: usize,
    pub applied: usize,
    pub rejected: usize,
    pub last_applied_seq: i64,
}

/// What one pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullReport {
    pub pages: usize,
    pub changed: usize,
    pub resynced: bool,
}

/// What a catalogue check did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueReport {
    /// Versions downloaded and kept this time.
    pub downloaded: Vec<u32>,
    /// The platform's current version.
    pub current: u32,
}

/// The sync client of one data directory.
pub struct SyncClient {
    http: reqwest::Client,
    base: String,
    store: Arc<Store>,
    secrets: Arc<dyn SecretStore>,
    /// Keyring entry prefix for this data directory.
    key_prefix: String,
    /// Access tokens by user; the lock is held during a refresh (single
    /// flight). Each outbox row goes out under its own actor's session: the
    /// platform refuses a mutation whose actor is not the session's user.
    /// Access tokens by user, wiped from memory when replaced or dropped.
    access: tokio::sync::Mutex<std::collections::HashMap<String, Zeroizing<String>>>,
    /// Whose session the pulls and uploads use: the signed-in user, else
    /// the last one (kept in the store as `sync_user`).
    current: std::sync::Mutex<Option<String>>,
    /// One push in flight.
    push_lock: tokio::sync::Mutex<()>,
    /// One pull in flight (a late page must not move the cursor back).
    pull_lock: tokio::sync::Mutex<()>,
    /// One pass of the attachment lane at a time.
    upload_lock: tokio::sync::Mutex<()>,
    /// Bytes per PATCH (§11: 4–8 MiB).
    pub upload_chunk: usize,
    pub app_version: String,
    /// Batch size (halved on 413).
    pub batch: std::sync::atomic::AtomicUsize,
    /// Refresh calls made (tests count them: single flight).
    pub refreshes: std::sync::atomic::AtomicUsize,
    /// (sent, total) while a push of the whole queue runs (progress bar).
    progress: std::sync::Mutex<Option<(u64, u64)>>,
}

impl std::fmt::Debug for SyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncClient")
            .field("base", &self.base)
            .finish()
    }
}

/// `Ok(true)` for `https://`, `Ok(false)` for `http://` to a loopback
/// host, refused otherwise (clerk-core's rule, shared with the config).
pub fn transport_allowed(base: &str) -> Result<bool, SyncError> {
    clerk_core::transport::platform_url(base)
        .map_err(|r| SyncError::Refused(format!("the platform URL {}", r.en())))
}

/// `sync_meta` key: the last audit row the platform said it holds.
const AUDIT_ACKED: &str = "audit_acked";

/// Keyring entry of a user's refresh token.
fn refresh_key(user: &str) -> String {
    format!("refresh_token:{user}")
}

/// Cut a batch at the first row of another actor: one push, one session.
fn same_actor(rows: &mut Vec<QueuedMutation>) {
    if let Some(first) = rows.first().map(|r| r.actor_user_id.clone()) {
        if let Some(cut) = rows.iter().position(|r| r.actor_user_id != first) {
            rows.truncate(cut);
        }
    }
}

impl SyncClient {
    /// A client for a loopback or public-CA platform (tests, demos); the
    /// app uses [`SyncClient::with_tls`].
    ///
    /// # Panics
    /// When `base_url` is refused (see `with_tls`).
    pub fn new(
        base_url: &str,
        store: Arc<Store>,
        secrets: Arc<dyn SecretStore>,
        key_prefix: &str,
    ) -> SyncClient {
        SyncClient::with_tls(base_url, store, secrets, key_prefix, None)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A client for `base_url`: `https://`, or `http://` to a loopback
    /// address only (the reference server in tests and demos). With
    /// `ca_bundle` (PEM, `[platform] ca_bundle`) only the CAs in it are
    /// trusted (the government CA that signed the platform's
    /// certificate), else the system's. Redirects are never followed:
    /// every request carries a token, and an answer that points elsewhere
    /// is an error, not a hop.
    pub fn with_tls(
        base_url: &str,
        store: Arc<Store>,
        secrets: Arc<dyn SecretStore>,
        key_prefix: &str,
        ca_bundle: Option<&[u8]>,
    ) -> Result<SyncClient, SyncError> {
        let base = base_url.trim_end_matches('/').to_owned();
        let https = transport_allowed(&base)?;
        let mut b = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .https_only(https);
        if let Some(pem) = ca_bundle {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| SyncError::Refused(format!("the CA bundle is not PEM: {e}")))?;
            if certs.is_empty() {
                return Err(SyncError::Refused(
                    "the CA bundle holds no certificate".into(),
                ));
            }
            b = b.tls_certs_only(certs);
        }
        let http = b
            .build()
            .map_err(|e| SyncError::Refused(format!("HTTP client: {e}")))?;
        let sync_user = store.sync_get("sync_user").ok().flatten();
        Ok(SyncClient {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
            store,
            secrets,
            key_prefix: key_prefix.to_owned(),
            access: tokio::sync::Mutex::new(Default::default()),
            current: std::sync::Mutex::new(sync_user),
            push_lock: tokio::sync::Mutex::new(()),
            pull_lock: tokio::sync::Mutex::new(()),
            upload_lock: tokio::sync::Mutex::new(()),
            upload_chunk: 4 * 1024 * 1024,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            batch: std::sync::atomic::AtomicUsize::new(platform_api::MAX_BATCH),
            refreshes: std::sync::atomic::AtomicUsize::new(0),
            progress: std::sync::Mutex::new(None),
        })
    }

    /// `loc` (an upload's `Location`) as a URL on this client's own
    /// origin, or refused: the bearer token never goes anywhere else.
    pub fn same_origin(&self, loc: &str) -> Result<String, SyncError> {
        let base = url::Url::parse(&self.base)
            .map_err(|e| SyncError::Refused(format!("platform URL: {e}")))?;
        let u = base
            .join(loc)
            .map_err(|e| SyncError::Refused(format!("upload address {loc:?}: {e}")))?;
        if u.origin() != base.origin() {
            return Err(SyncError::Refused(format!(
                "the upload address {} is not on the platform's origin {}",
                u.origin().ascii_serialization(),
                base.origin().ascii_serialization()
            )));
        }
        Ok(u.to_string())
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn key(&self, what: &str) -> String {
        format!("{}:{what}", self.key_prefix)
    }

    fn secret(&self, what: &str) -> Option<String> {
        self.secrets
            .get(&self.key(what))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
    }

    fn set_secret(&self, what: &str, v: &str) -> Result<(), SyncError> {
        self.secrets
            .set(&self.key(what), v.as_bytes())
            .map_err(|e| SyncError::Secrets(e.to_string()))
    }

    pub fn enrolled(&self) -> bool {
        self.store.sync_get("device_id").ok().flatten().is_some()
    }

    async fn send<T: DeserializeOwned>(&self, rb: reqwest::RequestBuilder) -> Result<T, SyncError> {
        let resp = rb.send().await.map_err(crate::net)?;
        self.read(resp).await
    }

    /// A response as `T`, or its error body as a `SyncError::Server`.
    async fn read<T: DeserializeOwned>(&self, resp: reqwest::Response) -> Result<T, SyncError> {
        if !resp.status().is_success() {
            return Err(error_of(resp).await);
        }
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(crate::net)?;
        serde_json::from_slice(&bytes).map_err(|e| SyncError::Server {
            status: status.as_u16(),
            code: codes::MALFORMED.into(),
            message: format!("unreadable answer: {e}"),
            retry_after: None,
            last_applied_seq: None,
        })
    }

    /// Enrol this PC with a one-time code from an admin.
    pub async fn enroll(
        &self,
        code: &str,
        actor: &clerk_store::Actor,
    ) -> Result<platform_api::EnrollResponse, SyncError> {
        let identity = self.store.identity();
        let max_counter = self.store.receipt_counter().map_err(store_err)?;
        let req = platform_api::EnrollRequest {
            code: code.to_owned(),
            db_instance_id: identity.db_instance_id,
            max_receipt_counter: max_counter,
            app_version: self.app_version.clone(),
            // Receipts printed before (provisional, or under an earlier
            // enrolment) keep their device code.
            former_codes: vec![identity.device_code],
            // A re-enrolment carries this database's history: how far the
            // platform acknowledged its queue and its audit chain.
            pushed_through: self.meta_i64("push_floor")?,
            audit_acked: self.meta_i64(AUDIT_ACKED)?,
        };
        let r: platform_api::EnrollResponse = self
            .send(
                self.http
                    .post(format!("{}/v1/devices/enroll", self.base))
                    .json(&req),
            )
            .await?;
        // The credential goes to the keyring before the store says "enrolled".
        self.set_secret("device_secret", &r.device_secret)?;
        self.store
            .enrol(
                &r.device_id,
                &r.device_code,
                r.device_epoch,
                r.receipt_counter_floor,
                actor,
                clerk_store::time::now_millis(),
            )
            .map_err(store_err)?;
        // The next audit segment starts where the platform holds the chain.
        self.store
            .sync_set(AUDIT_ACKED, &r.audit_head.to_string())
            .map_err(store_err)?;
        Ok(r)
    }

    fn meta_i64(&self, key: &str) -> Result<i64, SyncError> {
        Ok(self
            .store
            .sync_get(key)
            .map_err(store_err)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    fn device(&self) -> Result<(String, i64), SyncError> {
        let id = self
            .store
            .sync_get("device_id")
            .map_err(store_err)?
            .ok_or(SyncError::NotEnrolled)?;
        let epoch = self
            .store
            .sync_get("device_epoch")
            .map_err(store_err)?
            .and_then(|e| e.parse().ok())
            .unwrap_or(1);
        Ok((id, epoch))
    }

    /// A user's online login on this PC: their tokens for the sync calls
    /// (the refresh token to the keyring, under the user), and the
    /// platform's word on them (name, roles, offline period). They become
    /// the user whose session pulls and uploads use.
    pub async fn login(
        &self,
        user_id: &str,
        password: &str,
    ) -> Result<platform_api::TokenResponse, SyncError> {
        let (device_id, _) = self.device()?;
        let secret = self.secret("device_secret").ok_or(SyncError::NotEnrolled)?;
        let mut access = self.access.lock().await;
        let mut req = platform_api::LoginRequest {
            device_id,
            device_secret: secret,
            user_id: user_id.to_owned(),
            password: password.to_owned(),
        };
        // The body is serialised here; the copies in the request are wiped.
        let call = self
            .http
            .post(format!("{}/v1/auth/login", self.base))
            .json(&req);
        req.password.zeroize();
        req.device_secret.zeroize();
        let t: platform_api::TokenResponse = self.send(call).await?;
        self.set_secret(&refresh_key(user_id), &t.refresh_token)?;
        access.insert(user_id.to_owned(), Zeroizing::new(t.access_token.clone()));
        drop(access);
        self.set_user(Some(user_id));
        Ok(t)
    }

    /// The user whose session pulls and uploads use (the app sets it at
    /// sign-in; a sign-out keeps it, so queued work still goes out).
    pub fn set_user(&self, user_id: Option<&str>) {
        *self.current.lock().unwrap() = user_id.map(str::to_owned);
        if let Some(u) = user_id {
            if let Err(e) = self.store.sync_set("sync_user", u) {
                tracing::warn!(error = %e, "sync user not kept");
            }
        }
    }

    fn current_user(&self) -> Result<String, SyncError> {
        self.current
            .lock()
            .unwrap()
            .clone()
            .ok_or_else(|| SyncError::LoginNeeded("nobody has signed in online on this PC".into()))
    }

    /// Forget the access tokens (tests: as if they expired).
    pub async fn drop_access_token(&self) {
        self.access.lock().await.clear();
    }

    /// `user`'s access token; refreshed when missing or when `stale` is the
    /// one the server refused. Single flight: the lock is held meanwhile,
    /// and a caller that waited finds the new token and does not refresh
    /// again.
    async fn token(&self, user: &str, stale: Option<&str>) -> Result<Zeroizing<String>, SyncError> {
        let mut access = self.access.lock().await;
        if let Some(t) = access.get(user) {
            if Some(t.as_str()) != stale {
                return Ok(t.clone());
            }
        }
        let refresh =
            Zeroizing::new(self.secret(&refresh_key(user)).ok_or_else(|| {
                SyncError::LoginNeeded(format!("{user} has no session on this PC"))
            })?);
        self.refreshes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut req = platform_api::RefreshRequest {
            refresh_token: refresh.to_string(),
        };
        let call = self
            .http
            .post(format!("{}/v1/auth/refresh", self.base))
            .json(&req);
        req.refresh_token.zeroize();
        let r: Result<platform_api::TokenResponse, _> = self.send(call).await;
        match r {
            Ok(mut t) => {
                // The new refresh token is kept before the access token is used.
                self.set_secret(&refresh_key(user), &t.refresh_token)?;
                t.refresh_token.zeroize();
                let access_token = Zeroizing::new(std::mem::take(&mut t.access_token));
                access.insert(user.to_owned(), access_token.clone());
                Ok(access_token)
            }
            Err(SyncError::Server {
                status: 401,
                message,
                ..
            }) => {
                access.remove(user);
                Err(SyncError::LoginNeeded(format!("{user}: {message}")))
            }
            Err(e) => Err(e),
        }
    }

    /// An authorised request whose status the caller reads; a 401 refreshes
    /// the token once and retries.
    pub(crate) async fn raw(
        &self,
        make: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, SyncError> {
        let user = self.current_user()?;
        self.raw_as(&user, make).await
    }

    /// The same, under `user`'s session.
    pub(crate) async fn raw_as(
        &self,
        user: &str,
        make: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, SyncError> {
        let t = self.token(user, None).await?;
        let r = make(&t).send().await.map_err(crate::net)?;
        if r.status() != StatusCode::UNAUTHORIZED {
            return Ok(r);
        }
        let t2 = self.token(user, Some(&t)).await?;
        make(&t2).send().await.map_err(crate::net)
    }

    /// An authorised call; a 401 refreshes once and retries (every sync
    /// call is idempotent).
    async fn authed<T: DeserializeOwned>(
        &self,
        make: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<T, SyncError> {
        let resp = self.raw(make).await?;
        self.read(resp).await
    }

    fn to_wire(m: &QueuedMutation) -> Mutation {
        Mutation {
            seq: m.seq,
            id: m.mutation_id.clone(),
            kind: m.kind.clone(),
            type_version: m.type_version,
            case_id: m.case_id.clone(),
            base_version: m.base_version,
            actor_user_id: m.actor_user_id.clone(),
            wall_time: m.wall_time.clone(),
            hlc: m.hlc.clone(),
            payload: m.payload.clone(),
        }
    }

    /// Push exactly these rows (no bookkeeping), under the session of the
    /// first row's actor: the building block of `push_once`, and the fault
    /// tests' way to replay or reorder a batch.
    pub async fn push_rows(&self, rows: &[QueuedMutation]) -> Result<PushResponse, SyncError> {
        let actor = match rows.first() {
            Some(r) => r.actor_user_id.clone(),
            None => self.current_user()?,
        };
        let (device_id, epoch) = self.device()?;
        let depth = self.store.pending_depth().map_err(store_err)?;
        // The audit rows after the platform's head (issue #13).
        let after = self.meta_i64(AUDIT_ACKED)?;
        let seg = self
            .store
            .audit_segment(after, platform_api::MAX_AUDIT_ROWS)
            .map_err(store_err)?;
        let audit = (!seg.rows.is_empty()).then(|| platform_api::AuditChain {
            after,
            prev_link: seg.prev_link,
            rows: seg
                .rows
                .into_iter()
                .map(|(id, digest)| platform_api::AuditRow { id, digest })
                .collect(),
        });
        let req = PushRequest {
            protocol: platform_api::PROTOCOL,
            device_id,
            device_epoch: epoch,
            db_instance_id: self.store.identity().db_instance_id,
            app_version: self.app_version.clone(),
            outbox_depth: depth,
            mutations: rows.iter().map(Self::to_wire).collect(),
            audit,
        };
        let first = rows.first().map_or(0, |r| r.seq);
        let last = rows.last().map_or(0, |r| r.seq);
        let url = format!("{}/v1/sync/push", self.base);
        let resp = self
            .raw_as(&actor, |t| {
                self.http
                    .post(&url)
                    .bearer_auth(t)
                    .header(
                        "idempotency-key",
                        format!("{}:{first}-{last}", req.device_id),
                    )
                    .json(&req)
            })
            .await?;
        let r: PushResponse = self.read(resp).await?;
        if let Some(head) = r.audit_head {
            self.store
                .sync_set(AUDIT_ACKED, &head.to_string())
                .map_err(store_err)?;
        }
        Ok(r)
    }

    fn record(&self, r: &PushResponse) -> Result<PushReport, SyncError> {
        let outcomes: Vec<PushOutcome> = r
            .results
            .iter()
            .map(|x| PushOutcome {
                seq: x.seq,
                state: match x.status {
                    ResultStatus::Applied => "acked",
                    ResultStatus::Rejected => "rejected",
                    ResultStatus::Conflict => "conflict",
                },
                result: serde_json::to_string(x).unwrap_or_default(),
            })
            .collect();
        // The platform has applied seqs this database never handed out: it
        // is an older copy (restored from a backup). Its own rows are done;
        // the next one would reuse a seq (and its receipt numbers the
        // platform's), so it stops until it is enrolled again (§10).
        let mine = self.store.last_seq().map_err(store_err)?;
        self.store
            .record_push(
                r.last_applied_seq.min(mine),
                &outcomes,
                clerk_store::time::now_millis(),
            )
            .map_err(store_err)?;
        if r.last_applied_seq > mine {
            tracing::error!(
                platform = r.last_applied_seq,
                mine,
                "the platform is ahead of this database: re-enrolment needed"
            );
            return Err(SyncError::Server {
                status: 410,
                code: codes::REENROLL_REQUIRED.into(),
                message: format!(
                    "the platform has applied this PC's changes up to {}, this database only made {mine}: it is an older copy; an administrator must re-enrol this PC (nothing on it is deleted)",
                    r.last_applied_seq
                ),
                retry_after: None,
                last_applied_seq: Some(r.last_applied_seq),
            });
        }
        Ok(PushReport {
            sent: r.results.len(),
            applied: r
                .results
                .iter()
                .filter(|x| x.status == ResultStatus::Applied)
                .count(),
            rejected: r
                .results
                .iter()
                .filter(|x| x.status != ResultStatus::Applied)
                .count(),
            last_applied_seq: r.last_applied_seq,
        })
    }

    /// One batch of the queue. `Ok` with `sent == 0`: nothing to send.
    pub async fn push_once(&self) -> Result<PushReport, SyncError> {
        let _one = self.push_lock.lock().await;
        let n = self.batch.load(std::sync::atomic::Ordering::Relaxed).max(1);
        let mut rows = self.store.pending_batch(n).map_err(store_err)?;
        // Keep a batch under the byte limit.
        let mut bytes = 0;
        if let Some(cut) = rows.iter().position(|r| {
            bytes += r.payload.to_string().len() + 300;
            bytes > platform_api::MAX_BATCH_BYTES
        }) {
            rows.truncate(cut.max(1));
        }
        if rows.is_empty() {
            return Ok(PushReport::default());
        }
        same_actor(&mut rows);
        match self.push_rows(&rows).await {
            Ok(r) => self.record(&r),
            Err(SyncError::Server {
                code,
                last_applied_seq: Some(last),
                ..
            }) if code == codes::GAP => {
                // The server is behind (restored): resend from its position,
                // out of the archive of acked rows.
                tracing::warn!(
                    server_last = last,
                    first = rows[0].seq,
                    "push gap: re-pushing from the archive"
                );
                let mut archive = self.store.outbox_from(last + 1, n).map_err(store_err)?;
                same_actor(&mut archive);
                let r = self.push_rows(&archive).await?;
                self.record(&r)
            }
            Err(SyncError::Server { status: 413, .. }) => {
                self.batch
                    .store((n / 2).max(1), std::sync::atomic::Ordering::Relaxed);
                Err(SyncError::Network("batch too large: halved".into()))
            }
            Err(e) => {
                let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
                let _ = self.store.record_attempt(&seqs, &e.to_string());
                Err(e)
            }
        }
    }

    /// The users of this hall as the platform has them now: a user
    /// disabled, or a role removed, there is refused offline here from now
    /// on. Returns how many users known here changed.
    pub async fn fetch_users(&self) -> Result<usize, SyncError> {
        let url = format!("{}/v1/users", self.base);
        let users: Vec<platform_api::OfficeUser> =
            self.authed(|t| self.http.get(&url).bearer_auth(t)).await?;
        let rows: Vec<_> = users
            .into_iter()
            .map(|u| {
                let roles = u
                    .roles
                    .iter()
                    .filter_map(|r| clerk_core::access::Role::parse(r))
                    .collect();
                (u.user_id, u.display_name, roles, u.disabled)
            })
            .collect();
        self.store
            .apply_platform_users(&rows, "", clerk_store::time::now_millis())
            .map_err(store_err)
    }

    /// Push until the queue is empty (or an error), reporting progress.
    pub async fn push_all(&self) -> Result<PushReport, SyncError> {
        let todo = self.store.pending_depth().map_err(store_err)?.max(0) as u64;
        *self.progress.lock().unwrap() = (todo > 0).then_some((0, todo));
        let r = self.push_loop().await;
        *self.progress.lock().unwrap() = None;
        r
    }

    async fn push_loop(&self) -> Result<PushReport, SyncError> {
        let mut total = PushReport::default();
        loop {
            let r = self.push_once().await?;
            if r.sent == 0 {
                return Ok(total);
            }
            total.sent += r.sent;
            total.applied += r.applied;
            total.rejected += r.rejected;
            total.last_applied_seq = r.last_applied_seq;
            if let Some((done, all)) = self.progress.lock().unwrap().as_mut() {
                *done = (*done + r.sent as u64).min(*all);
            }
        }
    }

    /// (sent, total) while the queue is being pushed; None otherwise.
    pub fn progress(&self) -> Option<(u64, u64)> {
        *self.progress.lock().unwrap()
    }

    fn apply_page(&self, page: &PullResponse) -> Result<usize, SyncError> {
        let cases: Vec<PulledCase> = page
            .changes
            .iter()
            .filter(|c| c.kind == "case" && c.op == "put")
            .map(|c| PulledCase {
                case_id: c.id.clone(),
                version: c.version,
                status: c.data["status"].as_str().unwrap_or_default().to_owned(),
                receipt_no: c.data["receipt_no"].as_str().unwrap_or_default().to_owned(),
                data: c.data.clone(),
                change_seq: c.change_seq,
            })
            .collect();
        self.store
            .apply_pull(&cases, &page.next_cursor, page.confirmed_seq)
            .map_err(store_err)
    }

    /// Pull every page since the saved cursor; after `must_resync`, a
    /// snapshot of the hall, then on from its cursor. The outbox is never
    /// touched here.
    pub async fn pull_all(&self) -> Result<PullReport, SyncError> {
        let _one = self.pull_lock.lock().await;
        let mut report = PullReport::default();
        loop {
            let cursor = self
                .store
                .sync_get("pull_cursor")
                .map_err(store_err)?
                .unwrap_or_default();
            let url = format!("{}/v1/sync/pull", self.base);
            let r: Result<PullResponse, _> = self
                .authed(|t| {
                    self.http
                        .get(&url)
                        .bearer_auth(t)
                        .query(&[("cursor", cursor.as_str()), ("limit", "500")])
                })
                .await;
            let page = match r {
                Ok(p) => p,
                Err(SyncError::Server { code, .. })
                    if code == codes::MUST_RESYNC && !report.resynced =>
                {
                    tracing::warn!("pull: must_resync; fetching a snapshot (the outbox is kept)");
                    report.resynced = true;
                    let mut snap_cursor = String::new();
                    loop {
                        let url = format!("{}/v1/sync/snapshot", self.base);
                        let p: PullResponse = self
                            .authed(|t| {
                                self.http
                                    .get(&url)
                                    .bearer_auth(t)
                                    .query(&[("cursor", snap_cursor.as_str())])
                            })
                            .await?;
                        if p.has_more {
                            // Page applied; the pull cursor is saved only at the end.
                            let saved = cursor.clone();
                            report.changed += self.apply_page(&PullResponse {
                                next_cursor: saved,
                                confirmed_seq: None,
                                ..p.clone()
                            })?;
                            snap_cursor = p.next_cursor.clone();
                        } else {
                            report.changed += self.apply_page(&p)?;
                            report.pages += 1;
                            break;
                        }
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            report.changed += self.apply_page(&page)?;
            report.pages += 1;
            if !page.has_more {
                return Ok(report);
            }
        }
    }

    /// Download the catalogue versions this PC does not hold. Each body is
    /// checked against the manifest's SHA-256 and parsed before it is
    /// kept; a corrupt or cut download keeps what was there and is retried
    /// on the next sync (§5). Versions are immutable: one held is never
    /// fetched again.
    pub async fn fetch_catalogues(&self) -> Result<CatalogueReport, SyncError> {
        let m: platform_api::CatalogueManifest = self
            .send(
                self.http
                    .get(format!("{}/v1/catalogue/manifest", self.base)),
            )
            .await?;
        let held = self.store.catalogue_versions().map_err(store_err)?;
        let mut report = CatalogueReport {
            current: m.current,
            ..Default::default()
        };
        let mut first_error = None;
        for v in &m.versions {
            if let Some(h) = held.iter().find(|h| h.0 == v.version) {
                if h.3 != v.withdrawn {
                    self.store
                        .set_catalogue_withdrawn(v.version, v.withdrawn)
                        .map_err(store_err)?;
                }
                continue;
            }
            let url = format!("{}/v1/catalogue/versions/{}", self.base, v.version);
            let what = format!("catalogue v{}", v.version);
            let checked = self
                .fetch_checked(&url, &what, &v.sha256)
                .await
                .and_then(|text| {
                    clerk_core::catalogue::Catalogue::parse(&text)
                        .map_err(|e| SyncError::Corrupt(format!("{what}: {e}")))?;
                    Ok(text)
                });
            match checked {
                Ok(text) => {
                    self.store
                        .save_catalogue(
                            v.version,
                            &v.sha256,
                            &v.effective_from,
                            &text,
                            clerk_store::time::now_millis(),
                        )
                        .map_err(store_err)?;
                    if v.withdrawn {
                        self.store
                            .set_catalogue_withdrawn(v.version, true)
                            .map_err(store_err)?;
                    }
                    report.downloaded.push(v.version);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "catalogue version not kept; will retry");
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    /// A public, immutable document (catalogue version, calendar year):
    /// downloaded, its SHA-256 checked against the manifest's, UTF-8.
    async fn fetch_checked(
        &self,
        url: &str,
        what: &str,
        want_sha: &str,
    ) -> Result<String, SyncError> {
        use sha2::Digest;
        let r = self.http.get(url).send().await.map_err(crate::net)?;
        if !r.status().is_success() {
            return Err(SyncError::Network(format!("{what}: {}", r.status())));
        }
        let body = r.bytes().await.map_err(crate::net)?;
        let sha: String = sha2::Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if sha != want_sha {
            return Err(SyncError::Corrupt(format!(
                "{what}: SHA-256 {sha} is not the manifest's {want_sha}"
            )));
        }
        String::from_utf8(body.to_vec())
            .map_err(|_| SyncError::Corrupt(format!("{what}: not UTF-8")))
    }

    /// Download the years of the State Council's holiday schedule that this
    /// PC does not hold at their newest revision (issue #11). Each is
    /// checked (hash, then clerk-core's rules) before it is kept; a bad one
    /// keeps what was there and is tried again on the next sync. Returns
    /// the years kept this time; the app then works out again the cases
    /// whose dates were provisional for them.
    pub async fn fetch_calendars(&self) -> Result<Vec<i32>, SyncError> {
        let m: platform_api::CalendarManifest = self
            .send(self.http.get(format!("{}/v1/calendar/manifest", self.base)))
            .await?;
        let mut kept = Vec::new();
        let mut first_error = None;
        for y in &m.years {
            if self.store.calendar_revision(y.year).map_err(store_err)? >= Some(y.revision) {
                continue;
            }
            let url = format!("{}/v1/calendar/years/{}", self.base, y.year);
            let what = format!("calendar {} r{}", y.year, y.revision);
            let checked = self
                .fetch_checked(&url, &what, &y.sha256)
                .await
                .and_then(|text| {
                    let s = clerk_core::calendar::YearSchedule::parse(&text)
                        .map_err(|e| SyncError::Corrupt(format!("{what}: {e}")))?;
                    if s.year != y.year {
                        return Err(SyncError::Corrupt(format!(
                            "{what}: the file is for {}",
                            s.year
                        )));
                    }
                    Ok(text)
                });
            match checked {
                Ok(text) => {
                    self.store
                        .keep_calendar_year(
                            y.year,
                            y.revision,
                            &y.sha256,
                            "platform",
                            &text,
                            clerk_store::time::now_millis(),
                        )
                        .map_err(store_err)?;
                    tracing::info!(
                        year = y.year,
                        revision = y.revision,
                        "holiday schedule downloaded"
                    );
                    kept.push(y.year);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "calendar year not kept; will retry");
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(kept),
        }
    }

    /// Push everything, pull, then check the catalogue and the calendar.
    pub async fn sync_now(&self) -> Result<(PushReport, PullReport), SyncError> {
        let push = self.push_all().await?;
        let pull = self.pull_all().await?;
        self.fetch_catalogues().await?;
        self.fetch_calendars().await?;
        self.fetch_users().await?;
        Ok((push, pull))
    }

    /// Status code helper for tests.
    pub fn is_status(e: &SyncError, s: StatusCode) -> bool {
        matches!(e, SyncError::Server { status, .. } if *status == s.as_u16())
    }
}

/// A non-2xx answer as a `SyncError::Server`, with the platform's error
/// body when it sent one.
pub(crate) async fn error_of(resp: reqwest::Response) -> SyncError {
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        // Cut while the answer came: the outcome is unknown.
        Err(e) => return SyncError::Network(e.to_string()),
    };
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or(ErrorBody {
        error: format!("http_{}", status.as_u16()),
        message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
        last_applied_seq: None,
    });
    SyncError::Server {
        status: status.as_u16(),
        code: body.error,
        message: body.message,
        retry_after,
        last_applied_seq: body.last_applied_seq,
    }
}

#[cfg(test)]
mod error_words {
    use super::*;

    /// What the status bar shows of a failed sync (the worker keeps
    /// `zh()` and `en()`) never carries the error's own text: URLs, the
    /// server's message, SQLite or keyring details go to the log only.
    #[test]
    fn the_words_for_a_failure_never_carry_its_text() {
        let secret = "http://10.0.0.5:8080/v1/sync secret-detail";
        let server = |status| SyncError::Server {
            status,
            code: "some_code".into(),
            message: secret.into(),
            retry_after: None,
            last_applied_seq: None,
        };
        for e in [
            SyncError::Network(secret.into()),
            server(403),
            server(409),
            server(503),
            server(426),
            SyncError::LoginNeeded(secret.into()),
            SyncError::Store(secret.into()),
            SyncError::Secrets(secret.into()),
            SyncError::Corrupt(secret.into()),
        ] {
            for words in [e.zh(), e.en()] {
                assert!(!words.is_empty());
                for bit in ["http", "10.0.0.5", "secret-detail", "some_code"] {
                    assert!(!words.contains(bit), "{bit} in {words:?}");
                }
            }
        }
    }
}
