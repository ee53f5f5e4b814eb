//! Enrolment, device credentials and user sessions (sync-protocol §1, §9).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use platform_api::{
    codes, DeviceInfo, EnrollRequest, EnrollResponse, LoginRequest, RefreshRequest, TokenResponse,
};
use sha2::{Digest, Sha256};

use crate::db::{hex, sha256_hex};
use crate::{now_iso, ApiError, ApiResult, AppState};

/// 32 random bytes (two v4 UUIDs from the OS RNG), hex.
pub fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The legacy verifier (`s1:<salt>:<hash>`, salted and iterated SHA-256):
/// still read, and replaced by Argon2id at the user's next sign-in.
fn legacy_hash(password: &str, salt: &str) -> String {
    let mut h = Sha256::digest(format!("{salt}:{password}").as_bytes()).to_vec();
    for _ in 0..10_000 {
        h = Sha256::digest(&h).to_vec();
    }
    format!("s1:{salt}:{}", hex(&h))
}

/// An Argon2id verifier (clerk-secrets' parameters), made off the async
/// threads.
pub async fn make_verifier(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || clerk_secrets::password::make_verifier(&password))
        .await
        .map_err(ApiError::unavailable)?
        .map_err(ApiError::unavailable)
}

/// Whether the password fits; and whether the verifier is a legacy one.
async fn check_password(password: String, stored: String) -> Result<(bool, bool), ApiError> {
    tokio::task::spawn_blocking(move || {
        use subtle::ConstantTimeEq;
        let mut parts = stored.splitn(3, ':');
        match (parts.next(), parts.next()) {
            (Some("s1"), Some(salt)) => (
                bool::from(
                    legacy_hash(&password, salt)
                        .as_bytes()
                        .ct_eq(stored.as_bytes()),
                ),
                true,
            ),
            _ => (clerk_secrets::password::verify(&password, &stored), false),
        }
    })
    .await
    .map_err(ApiError::unavailable)
}

/// Wrong passwords (or device secrets) in a row before a lock.
pub const LOGIN_FAILURES: i32 = 5;

fn locked(what: &str) -> ApiError {
    let mut a = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        codes::LOCKED,
        format!("{what} is locked for 15 minutes after {LOGIN_FAILURES} failed sign-ins; an administrator can lift it"),
    );
    a.retry_after = Some(900);
    a
}

fn unauthorized(msg: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, codes::UNAUTHORIZED, msg)
}

/// Who is calling: the user and the device of a valid access token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub device_id: uuid::Uuid,
    pub office_id: String,
    /// The user's roles now (a role removed takes effect at once).
    pub roles: Vec<clerk_core::access::Role>,
}

/// Roles as kept (`clerk,supervisor`); unknown names are never granted.
pub fn roles_of(s: &str) -> Vec<clerk_core::access::Role> {
    s.split(',')
        .filter_map(clerk_core::access::Role::parse)
        .collect()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The session as an extractor: it reads only the request's head, so a
/// handler that takes it before its body (`Json`, `Bytes`) checks the
/// bearer token before a byte of the body is read.
impl axum::extract::FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Session, ApiError> {
        if let Some(s) = parts.extensions.get::<Session>() {
            return Ok(s.clone());
        }
        let s = session(state, &parts.headers).await?;
        parts.extensions.insert(s.clone());
        Ok(s)
    }
}

pub async fn session(state: &AppState, headers: &HeaderMap) -> Result<Session, ApiError> {
    let token = bearer(headers).ok_or_else(|| unauthorized("no access token"))?;
    let c = state.pool.get().await?;
    let row = c
        .query_opt(
            "SELECT t.user_id, t.device_id, d.office_id, d.quarantined, u.roles FROM access_tokens t JOIN devices d USING (device_id) \
             JOIN users u ON u.user_id = t.user_id \
             WHERE t.token_hash = $1 AND t.expires_at > now() AND NOT u.disabled",
            &[&sha256_hex(token.as_bytes())],
        )
        .await?
        .ok_or_else(|| unauthorized("access token expired or unknown"))?;
    if row.get::<_, bool>(3) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "this device is quarantined; an administrator must re-enrol it",
        ));
    }
    Ok(Session {
        user_id: row.get(0),
        device_id: row.get(1),
        office_id: row.get(2),
        roles: roles_of(&row.get::<_, String>(4)),
    })
}

/// The users of the caller's office (name, roles, disabled), for the
/// window's offline sign-in.
#[utoipa::path(get, path = "/v1/users", responses((status = 200, body = Vec<platform_api::OfficeUser>)), security(("bearer" = [])))]
pub async fn office_users(
    State(state): State<AppState>,
    s: Session,
) -> ApiResult<Vec<platform_api::OfficeUser>> {
    let c = state.pool.get().await?;
    let rows = c
        .query(
            "SELECT user_id, name, roles, disabled FROM users WHERE office_id = $1 ORDER BY user_id",
            &[&s.office_id],
        )
        .await?;
    Ok(Json(
        rows.iter()
            .map(|r| platform_api::OfficeUser {
                user_id: r.get(0),
                display_name: r.get(1),
                roles: roles_of(&r.get::<_, String>(2))
                    .iter()
                    .map(|r| r.as_str().to_owned())
                    .collect(),
                disabled: r.get(3),
            })
            .collect(),
    ))
}

/// The admin token, compared in constant time (over SHA-256 digests, so
/// neither its content nor its length leaks through timing).
pub fn admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    use subtle::ConstantTimeEq;
    let want = &state.settings.admin_token;
    match bearer(headers) {
        Some(t)
            if !want.is_empty()
                && bool::from(
                    Sha256::digest(t.as_bytes()).ct_eq(&Sha256::digest(want.as_bytes())),
                ) =>
        {
            Ok(())
        }
        _ => Err(unauthorized("admin token required")),
    }
}

fn device_code() -> String {
    const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let b = uuid::Uuid::new_v4().into_bytes();
    // The first character is never '0' (a device's provisional, not yet
    // enrolled receipts) nor 'W' (the platform's online series, WEB0).
    const FIRST: &[u8] = b"123456789ABCDEFGHJKMNPQRSTVXYZ";
    std::iter::once(FIRST[usize::from(b[0]) % FIRST.len()] as char)
        .chain(
            b[1..4]
                .iter()
                .map(|x| CROCKFORD[usize::from(*x) % 32] as char),
        )
        .collect()
}

const CODE_ALPHABET: &[u8; 32] = platform_api::ENROLMENT_CODE_ALPHABET;

/// A one-time enrolment code: 75 bits from the OS random generator, typed
/// in three groups of five (`K7QMZ-4H2NP-XR8TB`), read out over the phone.
pub fn new_enrolment_code() -> Result<String, ApiError> {
    let mut b = [0u8; 10];
    getrandom::fill(&mut b).map_err(|e| ApiError::unavailable(format!("random: {e}")))?;
    let bits = b.iter().fold(0u128, |acc, x| acc << 8 | u128::from(*x));
    let chars: Vec<char> = (0..platform_api::ENROLMENT_CODE_LEN)
        .map(|i| CODE_ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect();
    Ok(chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// A code as typed, in the form it is kept (see
/// [`platform_api::enrolment_code`]); a malformed one is kept as typed and
/// matches nothing.
pub fn canonical_code(typed: &str) -> String {
    platform_api::enrolment_code(typed).unwrap_or_else(|_| typed.to_owned())
}

/// Failed enrolment attempts one source address may make in 15 minutes.
pub const ENROL_FAILURES_PER_SOURCE: i64 = 10;

fn source_of(ext: &axum::http::Extensions) -> String {
    ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub async fn security_event(
    state: &AppState,
    kind: &str,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    let c = state.pool.get().await?;
    c.execute(
        "INSERT INTO security_events(kind, detail) VALUES ($1, $2)",
        &[&kind, &detail],
    )
    .await?;
    Ok(())
}

#[utoipa::path(post, path = "/v1/devices/enroll", request_body = EnrollRequest,
    responses((status = 200, body = EnrollResponse), (status = 403, body = platform_api::ErrorBody),
              (status = 429, description = "too many failed attempts from this address", body = platform_api::ErrorBody)))]
pub async fn enroll(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Json(req): Json<EnrollRequest>,
) -> ApiResult<EnrollResponse> {
    let source = source_of(&ext);
    {
        let c = state.pool.get().await?;
        let failures: i64 = c
            .query_one(
                "SELECT count(*) FROM enrol_attempts WHERE source = $1 AND NOT ok AND at > now() - interval '15 minutes'",
                &[&source],
            )
            .await?
            .get(0);
        if failures >= ENROL_FAILURES_PER_SOURCE {
            let mut a = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                codes::THROTTLED,
                "too many wrong enrolment codes from this address: wait 15 minutes",
            );
            a.retry_after = Some(900);
            return Err(a);
        }
    }
    let code_text = canonical_code(&req.code);
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let code = tx
        .query_opt(
            "SELECT e.office_id, e.window_code, o.name, e.allow_move FROM enrolment_codes e JOIN offices o USING (office_id) \
             WHERE e.code = $1 AND e.expires_at > now() AND e.used_by IS NULL FOR UPDATE",
            &[&code_text],
        )
        .await?;
    let Some(code) = code else {
        drop(tx);
        c.execute(
            "INSERT INTO enrol_attempts(source, ok) VALUES ($1, false)",
            &[&source],
        )
        .await?;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::BAD_CODE,
            "the enrolment code is unknown, used or expired",
        ));
    };
    let (office_id, window_code, office_name, allow_move): (String, String, String, bool) =
        (code.get(0), code.get(1), code.get(2), code.get(3));
    // A re-enrolment of the same database: next epoch, counter floor above
    // everything that database ever pushed (§8), the codes it numbered
    // receipts with before, and its hall.
    let prev = tx
        .query(
            "SELECT device_code, former_codes, office_id, max_receipt_counter, device_id, last_applied_seq, \
                    (SELECT coalesce(max(id), 0) FROM audit_links a WHERE a.device_id = d.device_id) \
             FROM devices d WHERE db_instance_id = $1 ORDER BY enrolled_at",
            &[&req.db_instance_id],
        )
        .await?;
    let epoch: i64 = prev.len() as i64 + 1;
    let floor = prev
        .iter()
        .map(|r| r.get::<_, i64>(3))
        .max()
        .unwrap_or(0)
        .max(req.max_receipt_counter)
        + 1;
    let mut former: Vec<String> = Vec::new();
    for r in &prev {
        former.push(r.get(0));
        former.extend(r.get::<_, Vec<String>>(1));
    }
    // The database's own provisional code (a prefix the platform never
    // issues); any other code it names must be one of its own rows'.
    for f in &req.former_codes {
        let provisional =
            f.len() == 4 && f.starts_with('0') && f.bytes().all(|b| CODE_ALPHABET.contains(&b));
        if provisional && !former.contains(f) {
            former.push(f.clone());
        }
    }
    if let Some(moved_from) = prev
        .last()
        .map(|r| r.get::<_, String>(2))
        .filter(|o| *o != office_id)
    {
        if !allow_move {
            drop(tx);
            security_event(
                &state,
                "device.move_refused",
                serde_json::json!({"db_instance_id": req.db_instance_id, "from": moved_from, "to": office_id}),
            )
            .await?;
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                codes::FORBIDDEN,
                format!("this PC is enrolled to the hall {moved_from}; moving it to {office_id} takes an enrolment code made for a move (allow_move)"),
            ));
        }
        tx.execute(
            "INSERT INTO security_events(kind, detail) VALUES ('device.moved', $1)",
            &[&serde_json::json!({"db_instance_id": req.db_instance_id, "from": moved_from, "to": office_id})],
        )
        .await?;
    }
    let device_id = uuid::Uuid::new_v4();
    let secret = random_token();
    let mut code_str = device_code();
    for _ in 0..20 {
        let taken = tx
            .query_opt("SELECT 1 FROM devices WHERE device_code = $1", &[&code_str])
            .await?
            .is_some();
        if !taken {
            break;
        }
        code_str = device_code();
    }
    // The device history (sync-protocol.md §10): the new row goes on from
    // what both sides agree was pushed, the earlier rows are retired, and
    // the audit chain is carried as far as the PC says the platform held it.
    let pushed_through = prev
        .iter()
        .map(|r| r.get::<_, i64>(5))
        .max()
        .map_or(0, |held| held.min(req.pushed_through.max(0)));
    let audit_head = prev
        .last()
        .map_or(0, |r| r.get::<_, i64>(6).min(req.audit_acked.max(0)));
    tx.execute(
        "INSERT INTO devices(device_id, device_code, device_epoch, office_id, window_code, db_instance_id, secret_hash, max_receipt_counter, former_codes, last_applied_seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[&device_id, &code_str, &epoch, &office_id, &window_code, &req.db_instance_id, &sha256_hex(secret.as_bytes()), &(floor - 1), &former, &pushed_through],
    )
    .await?;
    if let Some(last) = prev.last() {
        let earlier: Vec<uuid::Uuid> = prev.iter().map(|r| r.get(4)).collect();
        tx.execute(
            "UPDATE devices SET superseded_by = $1, quarantined = true WHERE device_id = ANY($2) AND superseded_by IS NULL",
            &[&device_id, &earlier],
        )
        .await?;
        tx.execute(
            "DELETE FROM access_tokens WHERE device_id = ANY($1)",
            &[&earlier],
        )
        .await?;
        tx.execute(
            "UPDATE refresh_tokens SET revoked = true WHERE device_id = ANY($1)",
            &[&earlier],
        )
        .await?;
        tx.execute(
            "INSERT INTO audit_links(device_id, id, link) SELECT $1, id, link FROM audit_links WHERE device_id = $2 AND id <= $3",
            &[&device_id, &last.get::<_, uuid::Uuid>(4), &audit_head],
        )
        .await?;
        tx.execute(
            "INSERT INTO security_events(kind, detail) VALUES ('device.superseded', $1)",
            &[&serde_json::json!({
                "db_instance_id": req.db_instance_id, "by": device_id.to_string(),
                "superseded": earlier.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                "pushed_through": pushed_through, "audit_head": audit_head,
            })],
        )
        .await?;
    }
    tx.execute(
        "UPDATE enrolment_codes SET used_by = $1 WHERE code = $2",
        &[&device_id, &code_text],
    )
    .await?;
    tx.execute(
        "INSERT INTO enrol_attempts(source, ok) VALUES ($1, true)",
        &[&source],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(device = %code_str, office = %office_id, window = %window_code, epoch, "device enrolled");
    Ok(Json(EnrollResponse {
        device_id: device_id.to_string(),
        device_code: code_str,
        device_epoch: epoch,
        office_id,
        office_name,
        window_code,
        device_secret: secret,
        receipt_counter_floor: floor,
        server_time: now_iso(),
        pushed_through,
        audit_head,
    }))
}

#[utoipa::path(get, path = "/v1/devices/me", responses((status = 200, body = DeviceInfo)), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, s: Session) -> ApiResult<DeviceInfo> {
    let c = state.pool.get().await?;
    let r = c
        .query_one(
            "SELECT device_code, device_epoch, office_id, last_applied_seq, max_receipt_counter, outbox_depth FROM devices WHERE device_id = $1",
            &[&s.device_id],
        )
        .await?;
    Ok(Json(DeviceInfo {
        device_id: s.device_id.to_string(),
        device_code: r.get(0),
        device_epoch: r.get(1),
        office_id: r.get(2),
        last_applied_seq: r.get(3),
        max_receipt_counter: r.get(4),
        outbox_depth: r.get(5),
    }))
}

async fn issue(
    tx: &tokio_postgres::Transaction<'_>,
    state: &AppState,
    user_id: &str,
    device_id: &uuid::Uuid,
    session_started: Option<std::time::SystemTime>,
) -> Result<(String, String), tokio_postgres::Error> {
    let access = random_token();
    let refresh = random_token();
    tx.execute(
        "INSERT INTO access_tokens VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
        &[
            &sha256_hex(access.as_bytes()),
            &user_id,
            device_id,
            &(state.settings.access_ttl as f64),
        ],
    )
    .await?;
    // Refresh tokens outlive the longest supported offline period (14
    // days); the session itself ends `session_max_secs` after the password
    // sign-in, however often it was refreshed.
    tx.execute(
        "INSERT INTO refresh_tokens(token_hash, user_id, device_id, expires_at, session_started) \
         VALUES ($1, $2, $3, now() + interval '30 days', coalesce($4, now()))",
        &[
            &sha256_hex(refresh.as_bytes()),
            &user_id,
            device_id,
            &session_started,
        ],
    )
    .await?;
    Ok((access, refresh))
}

/// One failed sign-in on `table`'s row (`users` or `devices`): the
/// fifth in a row locks it for 15 minutes (a security event).
async fn count_failure(
    state: &AppState,
    table: &str,
    key: &(dyn tokio_postgres::types::ToSql + Sync),
    label: String,
) -> Result<(), ApiError> {
    let c = state.pool.get().await?;
    let id_col = if table == "users" {
        "user_id"
    } else {
        "device_id"
    };
    let locked_now = c
        .query_opt(
            &format!(
                "UPDATE {table} SET failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END, \
                 locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + interval '15 minutes' ELSE locked_until END \
                 WHERE {id_col} = $1 RETURNING locked_until > now()"
            ),
            &[key, &LOGIN_FAILURES],
        )
        .await?
        .is_some_and(|r| r.get::<_, Option<bool>>(0) == Some(true));
    if locked_now {
        tracing::warn!(who = %label, "locked after repeated failed sign-ins");
        security_event(
            state,
            "login.locked",
            serde_json::json!({"table": table, "who": label}),
        )
        .await?;
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = platform_api::ErrorBody),
              (status = 429, description = "user or device locked after failed sign-ins", body = platform_api::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<TokenResponse> {
    let device_id: uuid::Uuid = req
        .device_id
        .parse()
        .map_err(|_| unauthorized("unknown device"))?;
    let c = state.pool.get().await?;
    let dev = c
        .query_opt(
            "SELECT secret_hash, office_id, coalesce(locked_until > now(), false), superseded_by IS NOT NULL FROM devices WHERE device_id = $1",
            &[&device_id],
        )
        .await?
        .ok_or_else(|| unauthorized("unknown device"))?;
    if dev.get::<_, bool>(2) {
        return Err(locked("this PC"));
    }
    if dev.get::<_, bool>(3) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "this PC's database was enrolled again: this device credential is retired",
        ));
    }
    {
        use subtle::ConstantTimeEq;
        let given = sha256_hex(req.device_secret.as_bytes());
        if !bool::from(given.as_bytes().ct_eq(dev.get::<_, String>(0).as_bytes())) {
            count_failure(&state, "devices", &device_id, device_id.to_string()).await?;
            return Err(unauthorized("device credential does not match"));
        }
    }
    let Some(user) = c
        .query_opt(
            "SELECT password_hash, office_id, name, roles, disabled, coalesce(locked_until > now(), false) FROM users WHERE user_id = $1",
            &[&req.user_id],
        )
        .await?
    else {
        count_failure(&state, "devices", &device_id, device_id.to_string()).await?;
        return Err(unauthorized("user or password is wrong"));
    };
    drop(c);
    if user.get::<_, bool>(5) {
        return Err(locked("this user"));
    }
    let (ok, legacy) = check_password(req.password.clone(), user.get(0)).await?;
    if !ok {
        count_failure(&state, "users", &req.user_id, req.user_id.clone()).await?;
        count_failure(&state, "devices", &device_id, device_id.to_string()).await?;
        return Err(unauthorized("user or password is wrong"));
    }
    if user.get::<_, String>(1) != dev.get::<_, String>(1) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "this user is not assigned to this device's office",
        ));
    }
    if user.get::<_, bool>(4) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::USER_DISABLED,
            "this user is disabled",
        ));
    }
    let upgraded = if legacy {
        Some(make_verifier(req.password.clone()).await?)
    } else {
        None
    };
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    tx.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, password_hash = coalesce($2, password_hash) WHERE user_id = $1",
        &[&req.user_id, &upgraded],
    )
    .await?;
    tx.execute(
        "UPDATE devices SET failed_logins = 0 WHERE device_id = $1",
        &[&device_id],
    )
    .await?;
    let (access, refresh) = issue(&tx, &state, &req.user_id, &device_id, None).await?;
    tx.commit().await?;
    Ok(Json(TokenResponse {
        access_token: access,
        refresh_token: refresh,
        expires_in: state.settings.access_ttl as u64,
        user_id: req.user_id,
        server_time: now_iso(),
        display_name: user.get(2),
        roles: roles_of(&user.get::<_, String>(3))
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        offline_valid_secs: state.settings.offline_valid_secs,
    }))
}

/// A rotated token's successor, sealed with a key only the old token
/// gives: the database keeps hashes of tokens, and this, never a token.
fn seal(old: &str, plain: &[u8]) -> Vec<u8> {
    plain
        .chunks(32)
        .enumerate()
        .flat_map(|(i, chunk)| {
            let pad = Sha256::digest(format!("window-clerk-seal-1|{old}|{i}").as_bytes());
            chunk
                .iter()
                .zip(pad)
                .map(|(a, b)| a ^ b)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Rotation in one statement-level critical section (`FOR UPDATE`): the
/// first use spends the token and records its successor; a replay within
/// the grace window gets the same successor (a lost response must not end
/// the session); a replay after it revokes the device's sessions (theft).
#[utoipa::path(post, path = "/v1/auth/refresh", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = platform_api::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> ApiResult<TokenResponse> {
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let hash = sha256_hex(req.refresh_token.as_bytes());
    let row = tx
        .query_opt(
            "SELECT t.user_id, t.device_id, t.revoked, t.expires_at > now(), t.successor_sealed, NULL, \
                    t.rotated_at IS NOT NULL AND t.rotated_at > now() - make_interval(secs => $2), \
                    u.disabled, u.name, u.roles, \
                    t.session_started > now() - make_interval(secs => $3), t.session_started \
             FROM refresh_tokens t JOIN users u ON u.user_id = t.user_id WHERE t.token_hash = $1 FOR UPDATE OF t",
            &[&hash, &(state.settings.refresh_grace as f64), &(state.settings.session_max_secs as f64)],
        )
        .await?
        .ok_or_else(|| unauthorized("refresh token unknown"))?;
    let (user_id, device_id): (String, uuid::Uuid) = (row.get(0), row.get(1));
    if row.get::<_, bool>(2) || !row.get::<_, bool>(3) {
        return Err(unauthorized(
            "refresh token revoked or expired: log in again",
        ));
    }
    if row.get::<_, bool>(7) {
        return Err(unauthorized("this user is disabled"));
    }
    if !row.get::<_, bool>(10) {
        return Err(unauthorized(
            "the session has reached its absolute lifetime: sign in again",
        ));
    }
    let started: std::time::SystemTime = row.get(11);
    let (display_name, roles): (String, String) = (row.get(8), row.get(9));
    let successor: Option<Vec<u8>> = row.get(4);
    let (access, refresh) = match successor {
        None => {
            let (a, r) = issue(&tx, &state, &user_id, &device_id, Some(started)).await?;
            tx.execute(
                "UPDATE refresh_tokens SET rotated_at = now(), successor_sealed = $2 WHERE token_hash = $1",
                &[&hash, &seal(&req.refresh_token, format!("{r}:{a}").as_bytes())],
            )
            .await?;
            (a, r)
        }
        Some(sealed) if row.get::<_, bool>(6) => {
            let plain = String::from_utf8(seal(&req.refresh_token, &sealed)).unwrap_or_default();
            let (r, a) = plain.split_once(':').unwrap_or_default();
            (a.to_owned(), r.to_owned())
        }
        Some(_) => {
            tx.execute(
                "UPDATE refresh_tokens SET revoked = true WHERE user_id = $1 AND device_id = $2",
                &[&user_id, &device_id],
            )
            .await?;
            tx.execute(
                "DELETE FROM access_tokens WHERE user_id = $1 AND device_id = $2",
                &[&user_id, &device_id],
            )
            .await?;
            tx.commit().await?;
            tracing::warn!(user = %user_id, device = %device_id, "refresh token replayed after the grace window: sessions revoked");
            return Err(unauthorized("refresh token already used: log in again"));
        }
    };
    tx.commit().await?;
    Ok(Json(TokenResponse {
        access_token: access,
        refresh_token: refresh,
        expires_in: state.settings.access_ttl as u64,
        user_id,
        server_time: now_iso(),
        display_name,
        roles: roles_of(&roles)
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        offline_valid_secs: state.settings.offline_valid_secs,
    }))
}
