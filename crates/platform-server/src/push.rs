//! `POST /v1/sync/push`: ordered, exactly-once command application
//! (sync-protocol §3). One transaction per mutation: domain effects, ledger
//! row, change-log row and `last_applied_seq` together.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use platform_api::{
    codes, Mutation, MutationResult, PushRequest, PushResponse, ResultStatus, PROTOCOL,
};
use serde_json::json;

use crate::db::Cached;
use crate::{auth, failpoint, now_iso, ApiError, ApiResult, AppState};

enum Outcome {
    Applied {
        case_version: Option<i64>,
    },
    Rejected {
        code: &'static str,
        message: String,
        zh: Option<String>,
    },
    /// Applied in part: the named fields kept the platform's value.
    Conflict {
        case_version: i64,
        message: String,
    },
}

#[utoipa::path(post, path = "/v1/sync/push", request_body = PushRequest,
    responses((status = 200, body = PushResponse),
              (status = 409, description = "push_in_progress or gap", body = platform_api::ErrorBody),
              (status = 410, description = "reenroll_required", body = platform_api::ErrorBody),
              (status = 503, body = platform_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn push(
    State(state): State<AppState>,
    s: auth::Session,
    Json(req): Json<PushRequest>,
) -> ApiResult<PushResponse> {
    if req.protocol != PROTOCOL {
        return Err(ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            codes::UPGRADE_REQUIRED,
            format!("protocol {} is not served; update the client", req.protocol),
        ));
    }
    if req.device_id != s.device_id.to_string() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "the batch is for another device",
        ));
    }
    // A mutation the database refuses deterministically (text it cannot
    // store, a constraint) is rejected on its own: the batch is run again
    // without its effects, so one bad command never wedges the queue and
    // nothing of it is half kept. Transient failures stay 503.
    let mut poisoned: Vec<(i64, String)> = Vec::new();
    loop {
        match attempt(&state, &s, &req, &poisoned).await {
            Err(e) if e.deterministic.is_some() => {
                let Some(seq) = e.body.last_applied_seq else {
                    return Err(e);
                };
                if poisoned.iter().any(|(q, _)| *q == seq) || poisoned.len() > req.mutations.len() {
                    let mut e = e;
                    e.body.last_applied_seq = None;
                    return Err(e);
                }
                tracing::warn!(device = %s.device_id, seq, why = ?e.deterministic, "mutation refused by the database: rejected");
                poisoned.push((seq, e.deterministic.unwrap_or_default()));
            }
            other => return other,
        }
    }
}

/// One run of a batch in one transaction.
async fn attempt(
    state: &AppState,
    s: &auth::Session,
    req: &PushRequest,
    poisoned: &[(i64, String)],
) -> ApiResult<PushResponse> {
    let s = s.clone();
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    // The device row lock serialises pushes from one device; a second one
    // waits at most lock_timeout, then 409.
    let dev = match tx
        .q_one(
            "SELECT last_applied_seq, device_epoch, db_instance_id, office_id, device_code, window_code, former_codes FROM devices WHERE device_id = $1 FOR UPDATE",
            &[&s.device_id],
        )
        .await
    {
        Ok(r) => r,
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {
            let mut a = ApiError::new(
                StatusCode::CONFLICT,
                codes::PUSH_IN_PROGRESS,
                "another push from this device is running",
            );
            a.retry_after = Some(1);
            return Err(a);
        }
        Err(e) => return Err(e.into()),
    };
    let (mut last, epoch, instance, office, device_code, window_code): (
        i64,
        i64,
        String,
        String,
        String,
        String,
    ) = (
        dev.get(0),
        dev.get(1),
        dev.get(2),
        dev.get(3),
        dev.get(4),
        dev.get(5),
    );
    let former_codes: Vec<String> = dev.get(6);
    if epoch != req.device_epoch || instance != req.db_instance_id {
        return quarantined(state, tx, &s, last, "epoch or database instance mismatch").await;
    }
    // A re-enrolled database (epoch > 1) carries its history: the ledgers
    // of its earlier device rows answer for what they applied.
    let history: Vec<uuid::Uuid> = if epoch > 1 {
        tx.query(
            "SELECT device_id FROM devices WHERE db_instance_id = $1 AND device_id <> $2",
            &[&instance, &s.device_id],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect()
    } else {
        Vec::new()
    };
    let replays = earlier_results(&tx, &history, &req.mutations, last).await?;
    let mut ledger_devices = vec![s.device_id];
    ledger_devices.extend(&history);
    let device = Device {
        office: &office,
        device_code: &device_code,
        former_codes: &former_codes,
        window_code: &window_code,
    };
    let mut results = Vec::new();
    // The ledger rows of this batch, written together before the commit.
    let (mut l_seq, mut l_id, mut l_outcome, mut l_result) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut batch = Batch::default();
    for m in &req.mutations {
        if m.seq <= last {
            // Duplicate: never re-executed; the ledger answers. The same seq
            // with another mutation id means this database was restored or
            // copied: quarantine, never a silent "duplicate" (§10).
            let r = tx
                .q_opt(
                    "SELECT result, mutation_id FROM mutation_ledger WHERE device_id = ANY($1) AND seq = $2 \
                     ORDER BY applied_at DESC LIMIT 1",
                    &[&ledger_devices, &m.seq],
                )
                .await?;
            match r {
                Some(r) if r.get::<_, String>(1) != m.id => {
                    return quarantined(state, tx, &s, last, "seq reused with another mutation")
                        .await;
                }
                Some(r) => {
                    if let Ok(res) = serde_json::from_value::<MutationResult>(r.get(0)) {
                        results.push(res);
                    }
                }
                None => {}
            }
            continue;
        }
        if m.seq > last + 1 {
            if results.is_empty() {
                tx.commit().await?;
                let mut a = ApiError::new(
                    StatusCode::CONFLICT,
                    codes::GAP,
                    format!("expected seq {}, got {}", last + 1, m.seq),
                );
                a.body.last_applied_seq = Some(last);
                return Err(a);
            }
            break;
        }
        if let Some((outcome, res)) = replays
            .iter()
            .find(|r| r.0 == m.seq && r.1 == m.id)
            .map(|r| (&r.2, &r.3))
        {
            // Applied under an earlier enrolment of this database: the
            // earlier answer, never a second effect.
            l_seq.push(m.seq);
            l_id.push(m.id.clone());
            l_outcome.push(outcome.clone());
            l_result.push(serde_json::to_value(res).unwrap_or_default());
            last = m.seq;
            results.push(res.clone());
            continue;
        }
        failpoint("push.before_effects");
        let outcome = match poisoned.iter().find(|(q, _)| *q == m.seq) {
            Some((_, why)) => rejected_zh(
                codes::VALIDATION,
                "平台数据库无法保存这条记录（其中有不能保存的内容），请核对后重新提交".into(),
                why.clone(),
            ),
            None => match apply(&tx, state, &s, &device, m, &mut batch).await {
                Ok(o) => o,
                Err(mut e) => {
                    // Which mutation it was: the caller retries without it.
                    if e.deterministic.is_some() {
                        e.body.last_applied_seq = Some(m.seq);
                    }
                    return Err(e);
                }
            },
        };
        failpoint("push.after_effects");
        let res = match outcome {
            Outcome::Applied { case_version } => MutationResult {
                seq: m.seq,
                status: ResultStatus::Applied,
                case_version,
                code: None,
                message: None,
                message_zh: None,
            },
            Outcome::Rejected { code, message, zh } => MutationResult {
                seq: m.seq,
                status: ResultStatus::Rejected,
                case_version: None,
                code: Some(code.to_owned()),
                message: Some(message),
                message_zh: zh,
            },
            Outcome::Conflict {
                case_version,
                message,
            } => MutationResult {
                seq: m.seq,
                status: ResultStatus::Conflict,
                case_version: Some(case_version),
                code: Some(codes::CONFLICT.to_owned()),
                message: Some(message),
                message_zh: None,
            },
        };
        l_seq.push(m.seq);
        l_id.push(m.id.clone());
        l_outcome.push(
            match res.status {
                ResultStatus::Applied => "applied",
                ResultStatus::Rejected => "rejected",
                ResultStatus::Conflict => "conflict",
            }
            .to_owned(),
        );
        l_result.push(serde_json::to_value(&res).unwrap_or_default());
        // Rejected commands advance too: one bad command never wedges the queue.
        last = m.seq;
        results.push(res);
    }
    if !l_seq.is_empty() {
        tx.q_exec(
            "INSERT INTO mutation_ledger(device_id, seq, mutation_id, outcome, result) \
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::jsonb[])",
            &[&s.device_id, &l_seq, &l_id, &l_outcome, &l_result],
        )
        .await?;
        failpoint("push.after_ledger");
    }
    // The PC's audit chain must continue what the platform holds.
    let audit_head = match &req.audit {
        None => None,
        Some(chain) => match audit_chain(&tx, &s.device_id, chain).await? {
            Ok(head) => Some(head),
            Err(ChainFault::Broken(why)) => return chain_broken(state, tx, &s, why).await,
            // An intact chain that left the platform's before its head: this
            // database is an older copy (restored from a backup) of the one
            // the platform knows, as a reused seq would show.
            Err(ChainFault::Behind(why)) => return quarantined(state, tx, &s, last, &why).await,
        },
    };
    tx.q_exec(
        "UPDATE devices SET last_applied_seq = $2, outbox_depth = $3, max_receipt_counter = greatest(max_receipt_counter, $4) WHERE device_id = $1",
        &[&s.device_id, &last, &req.outbox_depth, &batch.max_counter],
    )
    .await?;
    // The change numbers last: the counter row stays locked only from here
    // to the commit, so other devices' batches are not held up (and a pull
    // cursor still never skips a change: numbers are taken in commit order).
    if !batch.touched.is_empty() {
        // One row per case, at its last version in this batch (a create
        // and an attach of one case in one batch log the case once).
        let mut last_of: Vec<(String, i64)> = Vec::new();
        for (id, v) in &batch.touched {
            last_of.retain(|(i, _)| i != id);
            last_of.push((id.clone(), *v));
        }
        let (ids, versions): (Vec<String>, Vec<i64>) = last_of.into_iter().unzip();
        crate::db::log_case_changes(&tx, &ids, &versions).await?;
    }
    // Effects, ledger, change log and the device cursor commit together. The
    // protocol's unit is the mutation; a batch keeps each mutation's
    // guarantee (all of it commits, or none) with a fraction of the round
    // trips (ARCHITECTURE.md, platform-server).
    tx.commit().await?;
    failpoint("push.after_commit");
    Ok(Json(PushResponse {
        last_applied_seq: last,
        results,
        server_time: now_iso(),
        audit_head,
    }))
}

/// The answers the earlier device rows of a re-enrolled database gave to
/// the mutations of this batch that are new to this row: `(seq, id,
/// outcome, result)`, matched on seq and mutation id both.
async fn earlier_results(
    tx: &deadpool_postgres::Transaction<'_>,
    history: &[uuid::Uuid],
    mutations: &[Mutation],
    last: i64,
) -> Result<Vec<(i64, String, String, MutationResult)>, ApiError> {
    let seqs: Vec<i64> = mutations
        .iter()
        .map(|m| m.seq)
        .filter(|q| *q > last)
        .collect();
    if history.is_empty() || seqs.is_empty() {
        return Ok(Vec::new());
    }
    let rows = tx
        .query(
            "SELECT seq, mutation_id, outcome, result FROM mutation_ledger WHERE device_id = ANY($1) AND seq = ANY($2)",
            &[&history, &seqs],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let res = serde_json::from_value::<MutationResult>(r.get(3)).ok()?;
            Some((r.get(0), r.get(1), r.get(2), res))
        })
        .collect())
}

/// Why a run of the PC's audit chain does not continue the platform's.
enum ChainFault {
    /// At the platform's head, or after it: a row edited or deleted.
    Broken(String),
    /// Before the platform's head: the PC no longer has what the platform
    /// acknowledged to it (an older copy of its database).
    Behind(String),
}

/// Check a run of the PC's audit chain against the links held for it and
/// keep the new ones: `Ok(Ok(head))`, or `Ok(Err(fault))` when it does not
/// continue them. A run that starts past the platform's head (a restored
/// platform, a re-enrolled PC) is not judged: the answer's head tells the
/// PC where to start again.
async fn audit_chain(
    tx: &deadpool_postgres::Transaction<'_>,
    device: &uuid::Uuid,
    chain: &platform_api::AuditChain,
) -> Result<Result<i64, ChainFault>, ApiError> {
    use clerk_secrets::chain as c;
    let head: (i64, String) = tx
        .q_opt(
            "SELECT id, link FROM audit_links WHERE device_id = $1 ORDER BY id DESC LIMIT 1",
            &[device],
        )
        .await?
        .map(|r| (r.get(0), r.get(1)))
        .unwrap_or((0, c::to_hex(&c::GENESIS)));
    if chain.rows.len() > platform_api::MAX_AUDIT_ROWS || chain.after < 0 {
        return Err(ApiError::bad(format!(
            "audit: at most {} rows after a row number ≥ 0",
            platform_api::MAX_AUDIT_ROWS
        )));
    }
    if chain.after > head.0 || chain.rows.is_empty() {
        return Ok(Ok(head.0));
    }
    let held_prev = if chain.after == 0 {
        c::to_hex(&c::GENESIS)
    } else if chain.after == head.0 {
        head.1.clone()
    } else {
        tx.q_one(
            "SELECT link FROM audit_links WHERE device_id = $1 AND id = $2",
            &[device, &chain.after],
        )
        .await?
        .get(0)
    };
    let fault = |why: String| {
        if chain.after < head.0 {
            ChainFault::Behind(format!(
                "an older copy of this database: its audit chain leaves the platform's at row {} (the platform holds {})",
                chain.after, head.0
            ))
        } else {
            ChainFault::Broken(why)
        }
    };
    if chain.prev_link != held_prev {
        return Ok(Err(fault(format!(
            "audit row {} is not the one the platform holds (edited, or the rows before it)",
            chain.after
        ))));
    }
    let held: Vec<String> = tx
        .query(
            "SELECT link FROM audit_links WHERE device_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[device, &chain.after, &(chain.rows.len() as i64)],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let Some(mut link) = c::from_hex(&chain.prev_link) else {
        return Err(ApiError::bad("audit: prev_link is 64 hex digits"));
    };
    let (mut ids, mut links) = (Vec::new(), Vec::new());
    for (k, row) in chain.rows.iter().enumerate() {
        let want_id = chain.after + 1 + k as i64;
        if row.id != want_id {
            return Ok(Err(fault(format!(
                "audit row {want_id} is missing (deleted) before row {}",
                row.id
            ))));
        }
        let Some(d) = c::from_hex(&row.digest) else {
            return Err(ApiError::bad("audit: a digest is 64 hex digits"));
        };
        link = c::next(&link, &d);
        let hex = c::to_hex(&link);
        match held.get(k) {
            Some(h) if *h != hex => {
                return Ok(Err(fault(format!(
                    "audit row {} was changed after the platform saw it",
                    row.id
                ))))
            }
            Some(_) => {}
            None => {
                ids.push(row.id);
                links.push(hex);
            }
        }
    }
    if !ids.is_empty() {
        tx.q_exec(
            "INSERT INTO audit_links(device_id, id, link) SELECT $1, * FROM unnest($2::bigint[], $3::text[])",
            &[device, &ids, &links],
        )
        .await?;
    }
    Ok(Ok(head.0.max(chain.after + chain.rows.len() as i64)))
}

/// Refuse the push: nothing of the batch is kept, the queue waits on the
/// PC, and the break is a security event for the platform's staff.
async fn chain_broken(
    state: &AppState,
    tx: deadpool_postgres::Transaction<'_>,
    s: &auth::Session,
    why: String,
) -> ApiResult<PushResponse> {
    tx.rollback().await?;
    let c = state.pool.get().await?;
    c.execute(
        "INSERT INTO security_events(kind, detail) VALUES ('audit.chain_broken', $1)",
        &[&json!({"device": s.device_id.to_string(), "user": s.user_id, "why": why})],
    )
    .await?;
    tracing::error!(device = %s.device_id, why, "audit chain broken: push refused");
    Err(ApiError::new(
        StatusCode::CONFLICT,
        codes::AUDIT_CHAIN_BROKEN,
        format!("this PC's audit trail does not continue the one the platform holds: {why}; run `clerkctl audit verify` on the PC"),
    ))
}

/// Quarantine the device. Nothing of the batch so far is kept: its
/// transaction is rolled back first, and the flag is set in its own.
async fn quarantined(
    state: &AppState,
    tx: deadpool_postgres::Transaction<'_>,
    s: &auth::Session,
    last: i64,
    why: &str,
) -> ApiResult<PushResponse> {
    tx.rollback().await?;
    let c = state.pool.get().await?;
    c.execute(
        "UPDATE devices SET quarantined = true WHERE device_id = $1",
        &[&s.device_id],
    )
    .await?;
    c.execute(
        "INSERT INTO security_events(kind, detail) VALUES ('device.quarantined', $1)",
        &[&json!({"device": s.device_id.to_string(), "why": why})],
    )
    .await?;
    tracing::error!(device = %s.device_id, why, "database restored or copied: device quarantined");
    let mut a = ApiError::new(
        StatusCode::GONE,
        codes::REENROLL_REQUIRED,
        "this database is not the one the platform knows from this PC (restored or copied): an administrator must re-enrol it; nothing on this PC is deleted",
    );
    a.body.last_applied_seq = Some(last);
    Err(a)
}

/// What a batch collects for its last statements.
#[derive(Default)]
struct Batch {
    /// Highest receipt counter seen (devices.max_receipt_counter).
    max_counter: i64,
    /// Cases changed, with their new version, in order: one change-log row each.
    touched: Vec<(String, i64)>,
    /// The working-day calendar, read once per batch at its first create.
    calendar: Option<clerk_core::calendar::WorkCalendar>,
}

/// A rejection for the rules' field errors: every field named, each with
/// its rule in English (the Chinese travels in the window's own check).
fn invalid(errs: &[clerk_core::intake::FieldError]) -> Outcome {
    let join = |f: &dyn Fn(&clerk_core::intake::FieldError) -> String, sep| {
        errs.iter().map(f).collect::<Vec<_>>().join(sep)
    };
    Outcome::Rejected {
        code: codes::VALIDATION,
        message: join(&|e| format!("{}: {}", e.field, e.en), "; "),
        zh: Some(join(&|e| e.zh.clone(), "；")),
    }
}

fn rejected(code: &'static str, message: impl Into<String>) -> Outcome {
    Outcome::Rejected {
        code,
        message: message.into(),
        zh: None,
    }
}

fn rejected_zh(code: &'static str, zh: String, en: String) -> Outcome {
    Outcome::Rejected {
        code,
        message: en,
        zh: Some(zh),
    }
}

/// The pushing device as the platform knows it.
struct Device<'a> {
    office: &'a str,
    device_code: &'a str,
    /// Codes this database used before this enrolment.
    former_codes: &'a [String],
    window_code: &'a str,
}

async fn apply(
    tx: &deadpool_postgres::Transaction<'_>,
    state: &AppState,
    s: &auth::Session,
    d: &Device<'_>,
    m: &Mutation,
    batch: &mut Batch,
) -> Result<Outcome, ApiError> {
    let (office, window_code) = (d.office, d.window_code);
    // Every action is somebody's (issue #12): the session's own user, with
    // a role that may send this kind.
    if m.actor_user_id != s.user_id {
        return Ok(rejected(
            codes::FORBIDDEN,
            format!(
                "the mutation's actor {} is not the signed-in user {}",
                m.actor_user_id, s.user_id
            ),
        ));
    }
    let may = clerk_core::access::mutation_roles(&m.kind);
    if !may.is_empty() && !may.iter().any(|r| s.roles.contains(r)) {
        return Ok(rejected(
            codes::FORBIDDEN,
            format!(
                "the user {} has no role that may send {} (needs {})",
                s.user_id,
                m.kind,
                clerk_core::access::Role::join(may)
            ),
        ));
    }
    use clerk_core::mutation::MutationKind as K;
    match (K::parse(&m.kind), m.type_version) {
        (Some(K::CaseUpdateFields), 1) => update_fields(tx, s, office, window_code, m, batch).await,
        (Some(K::CaseCreate), 1) => create(tx, state, s, d, m, batch).await,
        (Some(K::CaseAcceptOnline), 1) => accept_online(tx, office, m, batch).await,
        (Some(K::CaseAttach), 1) => attach(tx, office, m, batch).await,
        (Some(K::CaseProgress), 1) => progress(tx, state, office, m, batch).await,
        (_, v) => Ok(rejected(
            codes::UNKNOWN_TYPE,
            format!("mutation type {} v{v} is not known to this server", m.kind),
        )),
    }
}

async fn create(
    tx: &deadpool_postgres::Transaction<'_>,
    state: &AppState,
    s: &auth::Session,
    d: &Device<'_>,
    m: &Mutation,
    batch: &mut Batch,
) -> Result<Outcome, ApiError> {
    let p = &m.payload;
    let (Some(case_id), Some(receipt_no), Some(case)) = (
        m.case_id.as_deref(),
        p["receipt_no"].as_str(),
        p.get("case"),
    ) else {
        return Ok(rejected(
            codes::VALIDATION,
            "case.create needs case_id, receipt_no and case",
        ));
    };
    let prepared = match serde_json::from_value::<clerk_core::intake::PreparedCase>(case.clone()) {
        Ok(c) => c,
        Err(e) => {
            return Ok(rejected(
                codes::VALIDATION,
                format!("case: not a case record ({e})"),
            ))
        }
    };
    // The receipt number is this device's: its office, and the code the
    // platform issued it (or its own provisional one from before).
    let receipt = match clerk_core::receipt::ReceiptNo::parse(receipt_no) {
        Ok(r) if r.to_string() == receipt_no => r,
        Ok(_) => {
            return Ok(rejected(
                codes::VALIDATION,
                "receipt_no: not in its printed form (upper case, no spaces)",
            ))
        }
        Err(e) => return Ok(rejected(codes::VALIDATION, format!("receipt_no: {e}"))),
    };
    let office_part = clerk_core::receipt::office_code(d.office);
    if receipt.office() != office_part
        || (receipt.device() != d.device_code
            && !d.former_codes.iter().any(|c| c == receipt.device()))
    {
        return Ok(rejected_zh(
            codes::FORBIDDEN,
            format!(
                "受理编号 {receipt_no} 不是本机的编号段（{office_part}-{}-…）",
                d.device_code
            ),
            format!(
                "receipt_no: {receipt_no} is not of this device's series ({office_part}-{}-…)",
                d.device_code
            ),
        ));
    }
    let matter_code = p["catalogue_ref"]["matter"].as_str().unwrap_or_default();
    let matter_version = p["catalogue_ref"]["version"].as_i64().unwrap_or(0) as i32;
    if matter_code != prepared.matter_code
        || matter_version as i64 != prepared.matter_version as i64
    {
        return Ok(rejected(
            codes::VALIDATION,
            "catalogue_ref: names another matter or version than the case",
        ));
    }
    // Not received in the future (one day of slack for time zones).
    let today = clerk_core::date::Date::parse_iso(&crate::now_iso()[..10]);
    if today.is_some_and(|t| prepared.received_on > t.add_days(1)) {
        return Ok(rejected(
            codes::VALIDATION,
            format!(
                "case.received_on: {} is in the future",
                prepared.received_on
            ),
        ));
    }
    // The same rules as the window's, on the catalogue version it names.
    // A version this platform does not have cannot be checked in full: the
    // case is kept for review (the citizen holds a receipt), never refused
    // for its version.
    let catalogue = state.catalogues.get(tx, matter_version).await?;
    let checked = match catalogue.as_deref() {
        Some(cat) if cat.matter(matter_code).is_some() => {
            if batch.calendar.is_none() {
                batch.calendar = Some(crate::rules::calendar(tx).await?);
            }
            let calendar = batch.calendar.as_ref().expect("just read");
            clerk_core::intake::recheck(
                &prepared,
                &clerk_core::intake::IntakeContext {
                    catalogue: cat,
                    calendar,
                    today: prepared.received_on,
                    start_day: state.settings.start_day,
                },
            )
            .map(|()| false)
        }
        _ => clerk_core::intake::recheck_without_catalogue(&prepared).map(|()| true),
    };
    let unknown_version = match checked {
        Ok(u) => u,
        Err(errs) => return Ok(invalid(&errs)),
    };
    let status = prepared.status.as_str();
    let counter = receipt.counter() as i64;
    let data = json!({
        "case": case,
        "window": p.get("window").cloned().unwrap_or_default(),
        "actor": m.actor_user_id,
        "wall_time": m.wall_time,
        "hlc": m.hlc,
        "device_code": d.device_code,
    });
    // The common case in one round trip: insert unless the case id or the
    // receipt number is taken. A withdrawn or unknown version is flagged
    // for review.
    let inserted = tx
        .q_opt(
            "INSERT INTO cases(case_id, office_id, device_id, receipt_no, version, status, matter_code, matter_version, needs_review, data) \
             SELECT $1, $2, $3, $4, 1, $5, $6, $7, $9 OR coalesce((SELECT withdrawn FROM catalogue_versions WHERE version = $7), true), $8 \
             ON CONFLICT DO NOTHING RETURNING needs_review",
            &[&case_id, &d.office, &s.device_id, &receipt_no, &status, &matter_code, &matter_version, &data, &unknown_version],
        )
        .await?;
    if inserted.is_none() {
        let probe = tx
            .q_one(
                "SELECT (SELECT device_id FROM cases WHERE case_id = $1), (SELECT version FROM cases WHERE case_id = $1)",
                &[&case_id],
            )
            .await?;
        // Same case from the same device: a duplicate create, answered as applied.
        if let Some(version) = probe.get::<_, Option<i64>>(1) {
            if probe.get::<_, Option<uuid::Uuid>>(0) == Some(s.device_id) {
                return Ok(Outcome::Applied {
                    case_version: Some(version),
                });
            }
            return clash(tx, s, m, "case_id already used by another device".into()).await;
        }
        return clash(
            tx,
            s,
            m,
            format!("receipt number {receipt_no} is already used"),
        )
        .await;
    }
    batch.max_counter = batch.max_counter.max(counter);
    batch.touched.push((case_id.to_owned(), 1));
    Ok(Outcome::Applied {
        case_version: Some(1),
    })
}

/// A window accepts an online application after pre-review (预审).
async fn accept_online(
    tx: &deadpool_postgres::Transaction<'_>,
    office: &str,
    m: &Mutation,
    batch: &mut Batch,
) -> Result<Outcome, ApiError> {
    let c = match lock_case(tx, m).await? {
        Ok(c) => c,
        Err(no) => return Ok(no),
    };
    let (case_id, status, version) = (c.case_id.as_str(), c.status, c.version);
    if c.office != office {
        return Ok(rejected(
            codes::INVALID_STATE,
            "the case is not of this hall: it cannot be accepted here",
        ));
    }
    if let Err((_, en)) = clerk_core::case::may_accept_online(&status) {
        return Ok(rejected(codes::INVALID_STATE, en));
    }
    let new_status = m.payload["status"].as_str().unwrap_or("accepted");
    if !matches!(
        new_status,
        "accepted" | "supplement_requested" | "not_accepted"
    ) {
        return Ok(rejected(
            codes::VALIDATION,
            format!("status {new_status} is not a pre-review outcome"),
        ));
    }
    tx.q_exec(
        "UPDATE cases SET status = $2, version = version + 1, \
         data = jsonb_set(data, '{accepted}', $3) WHERE case_id = $1",
        &[
            &case_id,
            &new_status,
            &json!({"by": m.actor_user_id, "at": m.wall_time, "decision": m.payload}),
        ],
    )
    .await?;
    batch.touched.push((case_id.to_owned(), version + 1));
    Ok(Outcome::Applied {
        case_version: Some(version + 1),
    })
}

/// An identifier clash (a security or operations incident): the command
/// is kept in quarantine, logged, and answered DUPLICATE_ID; never lost.
async fn clash(
    tx: &deadpool_postgres::Transaction<'_>,
    s: &auth::Session,
    m: &Mutation,
    reason: String,
) -> Result<Outcome, ApiError> {
    tracing::error!(device = %s.device_id, seq = m.seq, reason = %reason, "identifier clash: quarantined");
    quarantine(tx, s, m, &reason).await?;
    Ok(rejected(codes::DUPLICATE_ID, reason))
}

async fn quarantine(
    tx: &deadpool_postgres::Transaction<'_>,
    s: &auth::Session,
    m: &Mutation,
    reason: &str,
) -> Result<(), ApiError> {
    tx.q_exec(
        "INSERT INTO quarantine(device_id, seq, reason, mutation) VALUES ($1, $2, $3, $4)",
        &[
            &s.device_id,
            &m.seq,
            &reason,
            &serde_json::to_value(m).unwrap_or_default(),
        ],
    )
    .await?;
    Ok(())
}

/// Metadata first (sync-protocol §11): the reference is recorded now and
/// reads `pending_blob` until the upload lane has delivered the bytes.
/// Add-wins by `(sha256, role)`: attaching again changes nothing.
async fn attach(
    tx: &deadpool_postgres::Transaction<'_>,
    office: &str,
    m: &Mutation,
    batch: &mut Batch,
) -> Result<Outcome, ApiError> {
    let Ok(a) = serde_json::from_value::<platform_api::AttachPayload>(m.payload.clone()) else {
        return Ok(rejected(
            codes::VALIDATION,
            "case.attach needs sha256, size, mime and role",
        ));
    };
    if !clerk_core::attachment::is_sha256_hex(&a.sha256)
        || clerk_core::attachment::Kind::from_mime(&a.mime).is_none()
        || a.size <= 0
        || a.size as u64 > clerk_core::attachment::MAX_BYTES
        || a.role.trim().is_empty()
    {
        return Ok(rejected(
            codes::VALIDATION,
            "case.attach: sha256 must be lower-case hex, mime PDF/JPEG/PNG, size 1 B–100 MB, role not empty",
        ));
    }
    let c = match lock_case(tx, m).await? {
        Ok(c) => c,
        Err(no) => return Ok(no),
    };
    let (case_id, status, version) = (c.case_id.as_str(), c.status.clone(), c.version);
    if c.office != office {
        return Ok(rejected(
            codes::FORBIDDEN,
            "the case belongs to another hall",
        ));
    }
    if matches!(
        status.as_str(),
        "completed" | "not_accepted" | "refused" | "withdrawn"
    ) {
        return Ok(rejected(
            codes::INVALID_STATE,
            format!("the case is {status}: nothing can be attached any more"),
        ));
    }
    let added = tx
        .q_opt(
            "INSERT INTO case_attachments(case_id, sha256, role, mime, size) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT DO NOTHING RETURNING 1",
            &[&case_id, &a.sha256, &a.role, &a.mime, &a.size],
        )
        .await?
        .is_some();
    if !added {
        return Ok(Outcome::Applied {
            case_version: Some(version),
        });
    }
    tx.q_exec(
        "UPDATE cases SET version = version + 1 WHERE case_id = $1",
        &[&case_id],
    )
    .await?;
    batch.touched.push((case_id.to_owned(), version + 1));
    Ok(Outcome::Applied {
        case_version: Some(version + 1),
    })
}

/// Field-level optimistic edit (sync-protocol §6). Per field: unchanged
/// since the window saw it → the new value; already the new value →
/// nothing; changed meanwhile to something else → the platform's value
/// stays and the window's is kept in `conflicts`. No last-writer-wins by
/// timestamp. Department decisions win: after review starts, no edits.
async fn update_fields(
    tx: &deadpool_postgres::Transaction<'_>,
    s: &auth::Session,
    office: &str,
    window_code: &str,
    m: &Mutation,
    batch: &mut Batch,
) -> Result<Outcome, ApiError> {
    let Ok(p) = serde_json::from_value::<platform_api::UpdateFieldsPayload>(m.payload.clone())
    else {
        return Ok(rejected(
            codes::VALIDATION,
            "case.update_fields needs changes: [{field, old, new}]",
        ));
    };
    let mut changes = Vec::new();
    for c in &p.changes {
        match clerk_core::edit::normalise(&c.field, &c.new) {
            Ok(v) => changes.push((c, v)),
            Err(e) => {
                return Ok(rejected(
                    codes::VALIDATION,
                    format!("{}: {}", e.field, e.en),
                ))
            }
        }
    }
    let c = match lock_case(tx, m).await? {
        Ok(c) => c,
        Err(no) => return Ok(no),
    };
    let (case_id, status, version, mut data) = (
        c.case_id.as_str(),
        c.status.clone(),
        c.version,
        c.data.clone(),
    );
    if c.office != office {
        return Ok(rejected(
            codes::FORBIDDEN,
            "the case belongs to another hall",
        ));
    }
    if !clerk_core::edit::editable_in(&status) {
        return Ok(rejected(
            codes::INVALID_STATE,
            format!("the case is {status}: its intake fields can no longer be changed here"),
        ));
    }
    let mut applied = false;
    let mut conflicted = Vec::new();
    for (c, new) in changes {
        let current = clerk_core::edit::get(&data["case"], &c.field).map(str::to_owned);
        if current.as_deref() == Some(new.as_str()) {
            continue;
        }
        if current == c.old {
            clerk_core::edit::set(&mut data["case"], &c.field, &new);
            applied = true;
        } else {
            tx.q_exec(
                "INSERT INTO conflicts(case_id, field, platform_value, window_value, base_version, device_id, seq, window_code) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&case_id, &c.field, &current, &new, &m.base_version, &s.device_id, &m.seq, &window_code],
            )
            .await?;
            conflicted.push(c.field.clone());
        }
    }
    if !applied && conflicted.is_empty() {
        return Ok(Outcome::Applied {
            case_version: Some(version),
        });
    }
    tx.q_exec(
        "UPDATE cases SET version = version + 1, data = $2 WHERE case_id = $1",
        &[&case_id, &data],
    )
    .await?;
    batch.touched.push((case_id.to_owned(), version + 1));
    if conflicted.is_empty() {
        Ok(Outcome::Applied {
            case_version: Some(version + 1),
        })
    } else {
        Ok(Outcome::Conflict {
            case_version: version + 1,
            message: format!(
                "changed meanwhile at another window, the platform's value was kept: {}",
                conflicted.join(", ")
            ),
        })
    }
}

/// The case after intake (issue #14): supplements, termination,
/// withdrawal, delivery. The event is applied again here with clerk-core's
/// `lifecycle::apply`, on the platform's copy of the case and its status,
/// the catalogue version the case pinned and the windows' calendar: what
/// the rules refuse is `rejected` with the rule's words, nothing is taken
/// on the window's word.
async fn progress(
    tx: &deadpool_postgres::Transaction<'_>,
    state: &AppState,
    office: &str,
    m: &Mutation,
    batch: &mut Batch,
) -> Result<Outcome, ApiError> {
    let Ok(rec) =
        serde_json::from_value::<clerk_core::lifecycle::Recorded>(m.payload["event"].clone())
    else {
        return Ok(rejected(
            codes::VALIDATION,
            "case.progress needs event: {on, kind, …}",
        ));
    };
    let today = clerk_core::date::Date::parse_iso(&crate::now_iso()[..10]);
    if today.is_some_and(|t| rec.on > t.add_days(1)) {
        return Ok(rejected(
            codes::VALIDATION,
            format!("event.on: {} is in the future", rec.on),
        ));
    }
    // An extension is approved by a supervisor of this hall (art. 42:
    // the agency head's approval, recorded at the window): the platform's
    // own user list says who that may be.
    if let clerk_core::lifecycle::Event::Extend { approved_by, .. } = &rec.event {
        let roles = tx
            .q_opt(
                "SELECT roles FROM users WHERE user_id = $1 AND office_id = $2 AND NOT disabled",
                &[approved_by, &office],
            )
            .await?
            .map(|r| crate::auth::roles_of(&r.get::<_, String>(0)))
            .unwrap_or_default();
        if !roles.contains(&clerk_core::access::Role::Supervisor) {
            return Ok(rejected_zh(
                codes::FORBIDDEN,
                format!("批准延期的 {approved_by} 不是本厅的窗口负责人"),
                format!("event.approver: {approved_by} is not a supervisor of this hall"),
            ));
        }
    }
    let c = match lock_case(tx, m).await? {
        Ok(c) => c,
        Err(no) => return Ok(no),
    };
    if c.office != office {
        return Ok(rejected(
            codes::FORBIDDEN,
            "the case belongs to another hall",
        ));
    }
    let Ok(mut case) =
        serde_json::from_value::<clerk_core::intake::PreparedCase>(c.data["case"].clone())
    else {
        return Ok(rejected(
            codes::INVALID_STATE,
            "the case has no window intake record here (an online application): nothing to progress",
        ));
    };
    let catalogue = state.catalogues.get(tx, case.matter_version as i32).await?;
    let Some(matter) = catalogue
        .as_deref()
        .and_then(|cat| cat.matter(&case.matter_code))
    else {
        return Ok(rejected(
            codes::VALIDATION,
            format!(
                "the case's catalogue version {} is not known here: the event cannot be checked",
                case.matter_version
            ),
        ));
    };
    if batch.calendar.is_none() {
        batch.calendar = Some(crate::rules::calendar(tx).await?);
    }
    let calendar = batch.calendar.as_ref().expect("just read");
    let cx = clerk_core::lifecycle::Context {
        matter,
        calendar,
        start_day: state.settings.start_day,
    };
    let status = match clerk_core::lifecycle::apply(&mut case, &c.status, &rec, &cx) {
        Ok(s) => s,
        Err(e) => {
            let code = match e {
                clerk_core::lifecycle::LifecycleError::InvalidState { .. } => codes::INVALID_STATE,
                _ => codes::VALIDATION,
            };
            let name = |id: &str| matter.material_name(id).unwrap_or(id).to_owned();
            return Ok(rejected_zh(
                code,
                e.zh_with(&name),
                format!("{}: {e}", e.field()),
            ));
        }
    };
    let mut data = c.data.clone();
    data["case"] = serde_json::to_value(&case).expect("a case record serialises");
    tx.q_exec(
        "UPDATE cases SET status = $2, version = version + 1, data = $3 WHERE case_id = $1",
        &[&c.case_id, &status.as_str(), &data],
    )
    .await?;
    batch.touched.push((c.case_id.clone(), c.version + 1));
    Ok(Outcome::Applied {
        case_version: Some(c.version + 1),
    })
}

/// The case a command is about, locked until the batch commits.
struct LockedCase {
    case_id: String,
    status: String,
    version: i64,
    office: String,
    data: serde_json::Value,
}

/// Lock the command's case, or the rejection when it names none or an
/// unknown one.
async fn lock_case(
    tx: &deadpool_postgres::Transaction<'_>,
    m: &Mutation,
) -> Result<Result<LockedCase, Outcome>, ApiError> {
    let Some(case_id) = m.case_id.as_deref() else {
        return Ok(Err(rejected(
            codes::VALIDATION,
            format!("{} needs case_id", m.kind),
        )));
    };
    let Some(r) = tx
        .q_opt(
            "SELECT status, version, office_id, data FROM cases WHERE case_id = $1 FOR UPDATE",
            &[&case_id],
        )
        .await?
    else {
        return Ok(Err(rejected(codes::VALIDATION, "no such case")));
    };
    Ok(Ok(LockedCase {
        case_id: case_id.to_owned(),
        status: r.get(0),
        version: r.get(1),
        office: r.get(2),
        data: r.get(3),
    }))
}
