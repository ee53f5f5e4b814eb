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

/// Salted, iterated SHA-256 (`s1:<salt>:<hash>`). A reference server's
/// choice; a production platform uses its own identity provider.
pub fn hash_password(password: &str, salt: &str) -> String {
    let mut h = Sha256::digest(format!("{salt}:{password}").as_bytes()).to_vec();
    for _ in 0..10_000 {
        h = Sha256::digest(&h).to_vec();
    }
    format!("s1:{salt}:{}", hex(&h))
}

fn check_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.splitn(3, ':');
    match (parts.next(), parts.next()) {
        (Some("s1"), Some(salt)) => hash_password(password, salt) == stored,
        _ => false,
    }
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
    headers: HeaderMap,
) -> ApiResult<Vec<platform_api::OfficeUser>> {
    let s = session(&state, &headers).await?;
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

pub fn admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    match bearer(headers) {
        Some(t) if !state.settings.admin_token.is_empty() && t == state.settings.admin_token => {
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

#[utoipa::path(post, path = "/v1/devices/enroll", request_body = EnrollRequest,
    responses((status = 200, body = EnrollResponse), (status = 403, body = platform_api::ErrorBody)))]
pub async fn enroll(
    State(state): State<AppState>,
    Json(req): Json<EnrollRequest>,
) -> ApiResult<EnrollResponse> {
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let code = tx
        .query_opt(
            "SELECT e.office_id, e.window_code, o.name FROM enrolment_codes e JOIN offices o USING (office_id) \
             WHERE e.code = $1 AND e.expires_at > now() AND e.used_by IS NULL FOR UPDATE",
            &[&req.code.trim().to_uppercase()],
        )
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                codes::BAD_CODE,
                "the enrolment code is unknown, used or expired",
            )
        })?;
    let (office_id, window_code, office_name): (String, String, String) =
        (code.get(0), code.get(1), code.get(2));
    // A re-enrolment of the same database: next epoch, counter floor above
    // everything that database ever pushed (§8).
    let prev = tx
        .query_one(
            "SELECT count(*), coalesce(max(max_receipt_counter), 0) FROM devices WHERE db_instance_id = $1",
            &[&req.db_instance_id],
        )
        .await?;
    let epoch: i64 = prev.get::<_, i64>(0) + 1;
    let floor = prev.get::<_, i64>(1).max(req.max_receipt_counter) + 1;
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
    tx.execute(
        "INSERT INTO devices(device_id, device_code, device_epoch, office_id, window_code, db_instance_id, secret_hash, max_receipt_counter) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[&device_id, &code_str, &epoch, &office_id, &window_code, &req.db_instance_id, &sha256_hex(secret.as_bytes()), &(floor - 1)],
    )
    .await?;
    tx.execute(
        "UPDATE enrolment_codes SET used_by = $1 WHERE code = $2",
        &[&device_id, &req.code.trim().to_uppercase()],
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
    }))
}

#[utoipa::path(get, path = "/v1/devices/me", responses((status = 200, body = DeviceInfo)), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<DeviceInfo> {
    let s = session(&state, &headers).await?;
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
    // Refresh tokens outlive the longest supported offline period (14 days).
    tx.execute(
        "INSERT INTO refresh_tokens(token_hash, user_id, device_id, expires_at) VALUES ($1, $2, $3, now() + interval '30 days')",
        &[&sha256_hex(refresh.as_bytes()), &user_id, device_id],
    )
    .await?;
    Ok((access, refresh))
}

#[utoipa::path(post, path = "/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = platform_api::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<TokenResponse> {
    let device_id: uuid::Uuid = req
        .device_id
        .parse()
        .map_err(|_| unauthorized("unknown device"))?;
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let dev = tx
        .query_opt(
            "SELECT secret_hash, office_id, quarantined FROM devices WHERE device_id = $1",
            &[&device_id],
        )
        .await?
        .ok_or_else(|| unauthorized("unknown device"))?;
    if dev.get::<_, String>(0) != sha256_hex(req.device_secret.as_bytes()) {
        return Err(unauthorized("device credential does not match"));
    }
    let user = tx
        .query_opt(
            "SELECT password_hash, office_id, name, roles, disabled FROM users WHERE user_id = $1",
            &[&req.user_id],
        )
        .await?
        .ok_or_else(|| unauthorized("user or password is wrong"))?;
    if !check_password(&req.password, &user.get::<_, String>(0)) {
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
    let (access, refresh) = issue(&tx, &state, &req.user_id, &device_id).await?;
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
            "SELECT t.user_id, t.device_id, t.revoked, t.expires_at > now(), t.successor, t.successor_access, \
                    t.rotated_at IS NOT NULL AND t.rotated_at > now() - make_interval(secs => $2), \
                    u.disabled, u.name, u.roles \
             FROM refresh_tokens t JOIN users u ON u.user_id = t.user_id WHERE t.token_hash = $1 FOR UPDATE OF t",
            &[&hash, &(state.settings.refresh_grace as f64)],
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
    let (display_name, roles): (String, String) = (row.get(8), row.get(9));
    let successor: Option<String> = row.get(4);
    let (access, refresh) = match successor {
        None => {
            let (a, r) = issue(&tx, &state, &user_id, &device_id).await?;
            tx.execute(
                "UPDATE refresh_tokens SET rotated_at = now(), successor = $2, successor_access = $3 WHERE token_hash = $1",
                &[&hash, &r, &a],
            )
            .await?;
            (a, r)
        }
        Some(r) if row.get::<_, bool>(6) => {
            (row.get::<_, Option<String>>(5).unwrap_or_default(), r)
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
