//! The platform's own side: offices, enrolment codes, users, catalogue
//! publishing, online applications (网上申报) and department decisions
//! (并联审批). Behind the admin token; results reach the windows by pull.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use platform_api::{
    codes, CaseRef, EnrolmentCode, NewEnrolmentCode, NewUser, NodeAction, NodeDecision,
    OnlineApplication, PublishCatalogue, Route,
};
use serde_json::json;

use crate::db::{case_payload, log_change, sha256_hex, CASE_COLS};
use crate::{auth, ApiError, ApiResult, AppState};

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct NewOffice {
    pub office_id: String,
    pub name: String,
}

#[utoipa::path(post, path = "/v1/admin/offices", request_body = NewOffice,
    responses((status = 200, body = NewOffice)), security(("admin" = [])))]
pub async fn add_office(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(o): Json<NewOffice>,
) -> ApiResult<NewOffice> {
    auth::admin(&state, &headers)?;
    let c = state.pool.get().await?;
    c.execute(
        "INSERT INTO offices VALUES ($1, $2) ON CONFLICT (office_id) DO UPDATE SET name = excluded.name",
        &[&o.office_id, &o.name],
    )
    .await?;
    Ok(Json(o))
}

#[utoipa::path(post, path = "/v1/admin/enrolment-codes", request_body = NewEnrolmentCode,
    responses((status = 200, body = EnrolmentCode)), security(("admin" = [])))]
pub async fn enrolment_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<NewEnrolmentCode>,
) -> ApiResult<EnrolmentCode> {
    auth::admin(&state, &headers)?;
    let c = state.pool.get().await?;
    let code = auth::new_enrolment_code()?;
    let r = c
        .query_opt(
            "INSERT INTO enrolment_codes(code, office_id, window_code, expires_at, allow_move) \
             SELECT $1, office_id, $3, now() + interval '7 days', $4 FROM offices WHERE office_id = $2 \
             RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            &[&auth::canonical_code(&code), &req.office_id, &req.window_code, &req.allow_move],
        )
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such office"))?;
    if req.allow_move {
        c.execute(
            "INSERT INTO security_events(kind, detail) VALUES ('enrolment_code.allow_move', $1)",
            &[&serde_json::json!({"office": req.office_id, "window": req.window_code})],
        )
        .await?;
    }
    Ok(Json(EnrolmentCode {
        code,
        expires_at: r.get(0),
    }))
}

#[utoipa::path(post, path = "/v1/admin/users", request_body = NewUser,
    responses((status = 200, description = "created")), security(("admin" = [])))]
pub async fn add_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(u): Json<NewUser>,
) -> ApiResult<serde_json::Value> {
    auth::admin(&state, &headers)?;
    if u.password.len() < 8 {
        return Err(ApiError::bad("password: at least 8 characters"));
    }
    if let Err((_, en)) = clerk_core::access::check_user_id(&u.user_id) {
        return Err(ApiError::bad(format!("user_id: {en}")));
    }
    if let Err((_, en)) = clerk_core::access::check_display_name(&u.name) {
        return Err(ApiError::bad(format!("name: {en}")));
    }
    let roles = if u.roles.is_empty() {
        vec![clerk_core::access::Role::Clerk]
    } else {
        clerk_core::access::Role::parse_list(&u.roles.join(",")).map_err(|bad| {
            ApiError::bad(format!(
                "roles: unknown role {bad} (clerk, supervisor, admin, auditor)"
            ))
        })?
    };
    let roles = clerk_core::access::Role::join(&roles);
    let verifier = auth::make_verifier(u.password.clone()).await?;
    let c = state.pool.get().await?;
    c.execute(
        "INSERT INTO users(user_id, name, office_id, password_hash, roles) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, office_id = excluded.office_id, \
           password_hash = excluded.password_hash, roles = excluded.roles",
        &[&u.user_id, &u.name, &u.office_id, &verifier, &roles],
    )
    .await?;
    Ok(Json(json!({"user_id": u.user_id, "roles": roles})))
}

/// Disable (or enable again) a user: refused at login, at refresh and on
/// every call at once; windows refuse them offline after their next sync.
#[utoipa::path(post, path = "/v1/admin/users/{user_id}/disabled", request_body = platform_api::SetDisabled,
    params(("user_id" = String, Path, description = "the user")),
    responses((status = 200, description = "changed"), (status = 404, body = platform_api::ErrorBody)), security(("admin" = [])))]
pub async fn set_user_disabled(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(user_id): axum::extract::Path<String>,
    Json(d): Json<platform_api::SetDisabled>,
) -> ApiResult<serde_json::Value> {
    auth::admin(&state, &headers)?;
    let c = state.pool.get().await?;
    let n = c
        .execute(
            "UPDATE users SET disabled = $2 WHERE user_id = $1",
            &[&user_id, &d.disabled],
        )
        .await?;
    if n == 0 {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "no such user",
        ));
    }
    if d.disabled {
        c.execute("DELETE FROM access_tokens WHERE user_id = $1", &[&user_id])
            .await?;
    }
    Ok(Json(json!({"user_id": user_id, "disabled": d.disabled})))
}

/// Lift a user's sign-in lock (five failed sign-ins): a security event.
#[utoipa::path(post, path = "/v1/admin/users/{user_id}/unlock", params(("user_id" = String, Path, description = "the user")),
    responses((status = 200, description = "unlocked"), (status = 404, body = platform_api::ErrorBody)), security(("admin" = [])))]
pub async fn unlock_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(user_id): axum::extract::Path<String>,
) -> ApiResult<serde_json::Value> {
    auth::admin(&state, &headers)?;
    unlock(&state, "users", "user_id", &user_id, &user_id).await
}

/// Lift a PC's sign-in lock (five wrong device secrets or passwords).
#[utoipa::path(post, path = "/v1/admin/devices/{device_id}/unlock", params(("device_id" = String, Path, description = "the device")),
    responses((status = 200, description = "unlocked"), (status = 404, body = platform_api::ErrorBody)), security(("admin" = [])))]
pub async fn unlock_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(device_id): axum::extract::Path<String>,
) -> ApiResult<serde_json::Value> {
    auth::admin(&state, &headers)?;
    let id: uuid::Uuid = device_id
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such device"))?;
    unlock(&state, "devices", "device_id", &id, &device_id).await
}

async fn unlock(
    state: &AppState,
    table: &str,
    col: &str,
    key: &(dyn tokio_postgres::types::ToSql + Sync),
    label: &str,
) -> ApiResult<serde_json::Value> {
    let c = state.pool.get().await?;
    let n = c
        .execute(
            &format!("UPDATE {table} SET failed_logins = 0, locked_until = NULL WHERE {col} = $1"),
            &[key],
        )
        .await?;
    if n == 0 {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "not found",
        ));
    }
    auth::security_event(
        state,
        "login.unlocked",
        json!({"table": table, "who": label}),
    )
    .await?;
    Ok(Json(json!({"unlocked": label})))
}

/// The bundled sample catalogue is version 1 of a fresh platform.
pub async fn seed_catalogue(pool: &deadpool_postgres::Pool) -> Result<(), String> {
    let c = pool.get().await.map_err(|e| e.to_string())?;
    let body = clerk_core::SAMPLE_CATALOGUE_JSON.as_bytes().to_vec();
    c.execute(
        "INSERT INTO catalogue_versions(version, effective_from, sha256, body) VALUES (1, '2025-01-01', $1, $2) ON CONFLICT DO NOTHING",
        &[&sha256_hex(&body), &body],
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

#[utoipa::path(post, path = "/v1/admin/catalogue/versions", request_body = PublishCatalogue,
    responses((status = 200, body = platform_api::CatalogueVersionInfo)), security(("admin" = [])))]
pub async fn publish_catalogue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(p): Json<PublishCatalogue>,
) -> ApiResult<platform_api::CatalogueVersionInfo> {
    auth::admin(&state, &headers)?;
    let text = serde_json::to_string(&p.body).map_err(|e| ApiError::bad(e.to_string()))?;
    let cat = clerk_core::catalogue::Catalogue::parse(&text)
        .map_err(|e| ApiError::bad(format!("catalogue: {e}")))?;
    let effective = clerk_core::date::Date::parse_iso(&p.effective_from)
        .ok_or_else(|| ApiError::bad("effective_from: YYYY-MM-DD"))?;
    let sha = sha256_hex(text.as_bytes());
    let c = state.pool.get().await?;
    let r = c
        .query_opt(
            "INSERT INTO catalogue_versions(version, effective_from, sha256, body) VALUES ($1, $2::text::date, $3, $4) \
             ON CONFLICT DO NOTHING RETURNING to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            &[&(cat.version as i32), &effective.to_string(), &sha, &text.as_bytes()],
        )
        .await?
        .ok_or_else(|| {
            ApiError::new(StatusCode::CONFLICT, "version_exists", "versions are immutable: publish a new number")
        })?;
    Ok(Json(platform_api::CatalogueVersionInfo {
        version: cat.version,
        published_at: r.get(0),
        effective_from: effective.to_string(),
        withdrawn: false,
        sha256: sha,
        size: text.len() as i64,
    }))
}

#[utoipa::path(post, path = "/v1/admin/catalogue/versions/{v}/withdraw",
    params(("v" = u32, Path, description = "version")),
    responses((status = 200, description = "withdrawn")), security(("admin" = [])))]
pub async fn withdraw_catalogue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(v): Path<i32>,
) -> ApiResult<serde_json::Value> {
    auth::admin(&state, &headers)?;
    let c = state.pool.get().await?;
    let n = c
        .execute(
            "UPDATE catalogue_versions SET withdrawn = true WHERE version = $1",
            &[&v],
        )
        .await?;
    if n == 0 {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "no such catalogue version",
        ));
    }
    Ok(Json(json!({"version": v, "withdrawn": true})))
}

/// Publish one year of the State Council's schedule (the one-year file):
/// checked with clerk-core's rules (the law's days must all be holidays), kept
/// immutable with its hash. The same file again is the same revision; a
/// different one for a year already published is the next revision.
#[utoipa::path(post, path = "/v1/admin/calendar/years", request_body(content = Object, description = "the one-year schedule file"),
    responses((status = 200, body = platform_api::CalendarYearInfo), (status = 422, body = platform_api::ErrorBody)), security(("admin" = [])))]
pub async fn publish_calendar(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<platform_api::CalendarYearInfo> {
    auth::admin(&state, &headers)?;
    let text = serde_json::to_string(&body).map_err(|e| ApiError::bad(e.to_string()))?;
    let y = clerk_core::calendar::YearSchedule::parse(&text)
        .map_err(|e| ApiError::bad(format!("calendar: {e}")))?;
    let sha = sha256_hex(text.as_bytes());
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('calendar_years'), $1)",
        &[&y.year],
    )
    .await?;
    let latest = tx
        .query_opt(
            "SELECT revision, sha256 FROM calendar_years WHERE year = $1 ORDER BY revision DESC LIMIT 1",
            &[&y.year],
        )
        .await?;
    let revision = match latest {
        Some(r) if r.get::<_, String>(1) == sha => r.get::<_, i32>(0),
        Some(r) => {
            let next = r.get::<_, i32>(0) + 1;
            insert_calendar(&tx, y.year, next, &sha, &text, &y.source).await?;
            next
        }
        None => {
            insert_calendar(&tx, y.year, 1, &sha, &text, &y.source).await?;
            1
        }
    };
    let published_at: String = tx
        .query_one(
            "SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM calendar_years WHERE year = $1 AND revision = $2",
            &[&y.year, &revision],
        )
        .await?
        .get(0);
    tx.commit().await?;
    tracing::info!(year = y.year, revision, sha = %sha, "holiday schedule published");
    Ok(Json(platform_api::CalendarYearInfo {
        year: y.year,
        revision: i64::from(revision),
        sha256: sha,
        size: text.len() as i64,
        source: y.source,
        published_at,
    }))
}

async fn insert_calendar(
    tx: &deadpool_postgres::Transaction<'_>,
    year: i32,
    revision: i32,
    sha: &str,
    text: &str,
    source: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO calendar_years(year, revision, sha256, body, source) VALUES ($1, $2, $3, $4, $5)",
        &[&year, &revision, &sha, &text.as_bytes(), &source],
    )
    .await?;
    Ok(())
}

/// Online applications are numbered in the platform's own series
/// (`<office>-WEB0-<n>-<check>`); device codes never start with W.
pub const ONLINE_DEVICE_CODE: &str = "WEB0";

#[utoipa::path(post, path = "/v1/admin/online-applications", request_body = OnlineApplication,
    responses((status = 200, body = CaseRef)), security(("admin" = [])))]
pub async fn online_application(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(a): Json<OnlineApplication>,
) -> ApiResult<CaseRef> {
    auth::admin(&state, &headers)?;
    let submitted = match a.submitted_on.as_deref() {
        None => crate::deem::today_cst(),
        Some(d) => clerk_core::date::Date::parse_iso(d)
            .ok_or_else(|| ApiError::bad("submitted_on: not a date (YYYY-MM-DD)"))?,
    };
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let n: i64 = tx
        .query_one(
            "UPDATE counters SET value = value + 1 WHERE name = 'online_receipt' RETURNING value",
            &[],
        )
        .await?
        .get(0);
    let receipt = clerk_core::receipt::ReceiptNo::new(
        &clerk_core::receipt::office_code(&a.office_id),
        ONLINE_DEVICE_CODE,
        n as u64,
    )
    .map_err(|e| ApiError::bad(e.to_string()))?
    .to_string();
    let case_id = uuid::Uuid::now_v7().to_string();
    let data = json!({
        "case": {
            "matter_code": a.matter_code, "matter_version": a.matter_version, "matter_name": a.matter_name,
            "status": "online_submitted",
            "received_on": submitted.to_string(),
            "applicant": {"name": a.applicant_name, "id_no": a.applicant_id_no, "phone": a.applicant_phone},
        },
        "form": a.form,
        "channel": "online",
    });
    let row = tx
        .query_opt(
            &format!(
                "INSERT INTO cases(case_id, office_id, device_id, receipt_no, version, status, matter_code, matter_version, data) \
                 SELECT $1, office_id, NULL, $3, 1, 'online_submitted', $4, $5, $6 FROM offices WHERE office_id = $2 RETURNING {CASE_COLS}"
            ),
            &[&case_id, &a.office_id, &receipt, &a.matter_code, &(a.matter_version as i32), &data],
        )
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such office"))?;
    log_change(&tx, &a.office_id, "case", &case_id, 1, &case_payload(&row)).await?;
    tx.commit().await?;
    Ok(Json(CaseRef {
        case_id,
        receipt_no: receipt,
        version: 1,
        status: "online_submitted".into(),
    }))
}

#[utoipa::path(post, path = "/v1/admin/cases/{id}/route", request_body = Route,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseRef)), security(("admin" = [])))]
pub async fn route_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(r): Json<Route>,
) -> ApiResult<CaseRef> {
    auth::admin(&state, &headers)?;
    if r.departments.is_empty() {
        return Err(ApiError::bad("departments: at least one"));
    }
    // A case whose scans are still on their way can be received, not reviewed.
    let pending: i64 = state
        .pool
        .get()
        .await?
        .query_one(
            "SELECT count(*) FROM case_attachments a WHERE a.case_id = $1 AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = a.sha256)",
            &[&id],
        )
        .await?
        .get(0);
    if pending > 0 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::INVALID_STATE,
            format!("{pending} attachment(s) of the case are not uploaded yet (pending_blob): it cannot go to department review"),
        ));
    }
    let nodes: serde_json::Map<String, serde_json::Value> = r
        .departments
        .iter()
        .map(|d| (d.clone(), json!("pending")))
        .collect();
    update_case(&state, &id, |status, _| {
        matches!(status, "accepted" | "accepted_with_gaps" | "in_review").then(|| {
            (
                "in_review".to_owned(),
                serde_json::Value::Object(nodes.clone()),
            )
        })
    })
    .await
}

#[utoipa::path(post, path = "/v1/admin/cases/{id}/nodes", request_body = NodeDecision,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseRef), (status = 409, body = platform_api::ErrorBody)), security(("admin" = [])))]
pub async fn node_decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(d): Json<NodeDecision>,
) -> ApiResult<CaseRef> {
    auth::admin(&state, &headers)?;
    update_case(&state, &id, |status, nodes| {
        if !matches!(status, "accepted" | "accepted_with_gaps" | "in_review") {
            return None;
        }
        let mut nodes = nodes.as_object().cloned().unwrap_or_default();
        if nodes.is_empty() {
            // Not routed: the deciding department is the only node.
            nodes.insert(d.department.clone(), json!("pending"));
        }
        if !nodes.contains_key(&d.department) {
            return None;
        }
        let v = match d.action {
            NodeAction::Approve => "approved",
            NodeAction::Return => "returned",
            NodeAction::Refuse => "refused",
        };
        nodes.insert(d.department.clone(), json!(v));
        let all = |s: &str| nodes.values().all(|x| x == s);
        let any = |s: &str| nodes.values().any(|x| x == s);
        let status = if any("refused") {
            "refused"
        } else if any("returned") {
            "returned_for_supplement"
        } else if all("approved") {
            "approved"
        } else {
            "in_review"
        };
        Some((status.to_owned(), serde_json::Value::Object(nodes)))
    })
    .await
}

async fn update_case(
    state: &AppState,
    id: &str,
    f: impl Fn(&str, &serde_json::Value) -> Option<(String, serde_json::Value)>,
) -> ApiResult<CaseRef> {
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let r = tx
        .query_opt(
            "SELECT status, nodes, version, office_id, receipt_no FROM cases WHERE case_id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such case"))?;
    let (status, nodes, version, office): (String, serde_json::Value, i64, String) =
        (r.get(0), r.get(1), r.get(2), r.get(3));
    let Some((new_status, new_nodes)) = f(&status, &nodes) else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::INVALID_STATE,
            format!("the case is {status}: not possible now"),
        ));
    };
    let row = tx
        .query_one(
            &format!("UPDATE cases SET status = $2, nodes = $3, version = version + 1 WHERE case_id = $1 RETURNING {CASE_COLS}"),
            &[&id, &new_status, &new_nodes],
        )
        .await?;
    log_change(&tx, &office, "case", id, version + 1, &case_payload(&row)).await?;
    tx.commit().await?;
    Ok(Json(CaseRef {
        case_id: id.to_owned(),
        receipt_no: r.get(4),
        version: version + 1,
        status: new_status,
    }))
}

#[utoipa::path(get, path = "/v1/admin/cases/{id}", params(("id" = String, Path, description = "case id")),
    responses((status = 200, description = "the case as the change log carries it")), security(("admin" = [])))]
pub async fn get_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<serde_json::Value> {
    auth::admin(&state, &headers)?;
    let c = state.pool.get().await?;
    let r = c
        .query_opt(
            &format!("SELECT {CASE_COLS} FROM cases WHERE case_id = $1"),
            &[&id],
        )
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such case"))?;
    Ok(Json(case_payload(&r)))
}
