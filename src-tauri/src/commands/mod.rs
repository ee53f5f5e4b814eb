//! Tauri commands: thin maps from IPC to the core crates.
//!
//! Every command is `async` so it runs on the async runtime, never on the
//! main (UI) thread, and its first line is the gate (`core.gate` /
//! `core.user`): signed in, not locked, with a role clerk-core's
//! `access::COMMANDS` allows (issue #12).

pub mod session;

use clerk_core::catalogue as cat;
use clerk_ipc::{
    AppInfo, CaseKind, CatalogueInfo, CmdError, CodeName, ConfigSource, DayUnit, ErrorKind,
    HallCase, MatterSummary, NodeStatus, OutboxItem, RunMode, SyncStatus, TimeLimit, UiLogLevel,
};
use std::sync::atomic::Ordering;
use tauri::State;

use crate::state::AppCore;

type CmdResult<T> = Result<T, CmdError>;

fn mode(core: &AppCore) -> RunMode {
    if core.config.config.is_standalone() {
        RunMode::Standalone
    } else {
        RunMode::Platform
    }
}

fn config_error(e: &clerk_config::ConfigError) -> CmdError {
    let err = CmdError::new(
        ErrorKind::Config,
        format!("本机配置无法使用，已按默认配置（单机模式）运行。{}。请联系信息科。", e.zh()),
        format!("The machine configuration cannot be used; running on the default (standalone). {e}. Please contact IT."),
    );
    match e.field() {
        Some(f) => err.on_field(f),
        None => err,
    }
}

#[tauri::command]
pub async fn app_info(core: State<'_, AppCore>) -> CmdResult<AppInfo> {
    core.gate("app_info")?;
    let c = &core.config.config;
    let catalogue = core.catalogue().await;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        hall: CodeName {
            code: c.hall.code.clone(),
            name: c.hall.name.clone(),
        },
        window: CodeName {
            code: c.window.code.clone(),
            name: c.window.name.clone(),
        },
        mode: mode(&core),
        server_url: c.platform.server_url.clone(),
        config_source: if core.config.path.is_some() && core.config.problem.is_none() {
            ConfigSource::File
        } else {
            ConfigSource::EmbeddedDefault
        },
        config_problem: core.config.problem.as_ref().map(config_error),
        store_problem: core.store().await.err(),
        catalogue: CatalogueInfo {
            version: catalogue.version,
            published_at: catalogue.published_at.clone(),
            matter_count: catalogue.matters.len() as u32,
            department_count: catalogue.departments.len() as u32,
            sample: catalogue.sample,
        },
    })
}

#[tauri::command]
pub async fn sync_status(core: State<'_, AppCore>) -> CmdResult<SyncStatus> {
    core.user("sync_status")?;
    let store = core.store().await?;
    let sync = core.sync().await;
    // Also where a year that arrived by sync is noticed (and its cases'
    // dates worked out again): the status bar asks every few seconds.
    let calendar = core.calendar().await;
    let reader = store.clone();
    let (q, unseen) = blocking(move || {
        let q = reader.queue_state().map_err(storage)?;
        let moves = reader.deadline_moves(1000).map_err(storage)?;
        Ok((q, moves.iter().filter(|m| !m.seen).count() as u32))
    })
    .await?;
    let oldest_unsent_secs = q.oldest_pending.as_deref().and_then(|t| {
        let now = clerk_store::time::now_millis();
        clerk_store::time::parse_iso_millis(t).map(|then| ((now - then).max(0) / 1000) as u32)
    });
    let (online, enrolled, needs_login, problem_zh, problem_en) = match &sync {
        Some(h) => {
            let w = h.worker.state();
            (
                w.online,
                h.client.enrolled(),
                w.paused_for_login,
                w.last_error_zh,
                w.last_error,
            )
        }
        None => (false, false, false, None, None),
    };
    let progress = sync.as_ref().and_then(|h| h.client.progress());
    Ok(SyncStatus {
        online,
        mode: mode(&core),
        unsent: q.pending as u32,
        oldest_unsent_secs,
        rejected: q.rejected as u32,
        enrolled,
        needs_login,
        problem_zh,
        problem_en,
        progress_done: progress.map(|p| p.0 as u32),
        progress_total: progress.map(|p| p.1 as u32),
        calendar_missing_year: calendar.missing_schedule(core.today()),
        deadline_moves_unseen: unseen,
    })
}

/// A short reference that ties what the UI shows to the log line with the
/// details (the error contract: internal text — SQLite, HTTP, URLs, a
/// server's own message — goes to the log, never to the UI).
pub(crate) fn error_ref() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
        .unwrap_or(0);
    format!(
        "{:08X}",
        nanos.wrapping_mul(2_654_435_761) ^ N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A safe message for the UI, with the reference of the log line that
/// holds `detail`.
pub(crate) fn with_ref(
    kind: ErrorKind,
    zh: &str,
    en: &str,
    detail: &dyn std::fmt::Display,
) -> CmdError {
    let r = error_ref();
    tracing::error!(error_ref = %r, error = %detail, "{en}");
    CmdError::new(kind, format!("{zh}（编号 {r}）"), format!("{en} (ref {r})"))
}

fn sync_error(e: clerk_sync::SyncError) -> CmdError {
    use clerk_sync::SyncError as S;
    let kind = match e {
        S::Network(_) => ErrorKind::Network,
        S::LoginNeeded(_) => ErrorKind::Permission,
        _ => ErrorKind::Config,
    };
    let (zh, en): (String, &str) = match &e {
        // These say only what the clerk needs (no server text, no URL).
        S::Network(_) => (e.zh(), "The platform cannot be reached: working offline, synced when it is back"),
        S::LoginNeeded(_) => (e.zh(), "The sign-in has expired: sync is paused, everything is kept; sign in again online"),
        S::NotEnrolled => (e.zh(), "This PC is not enrolled with the platform"),
        S::Corrupt(_) => (e.zh(), "A download did not match its checksum: the old version is kept, retried later"),
        S::Server { status, .. } if *status == 429 || *status >= 500 => (
            e.zh(),
            "The platform is unavailable for now: retried later, everything is kept",
        ),
        S::Server { status: 426, .. } => (e.zh(), "This version is too old for the platform: please update"),
        S::Server { code, .. } if code == platform_api::codes::BAD_CODE => (
            "登记码无效、已用过或已过期：请向平台管理员重新申请".into(),
            "The enrolment code is unknown, used or expired: ask the platform's administrator for a new one",
        ),
        S::Server { status, .. } => (
            format!("平台拒绝了本次操作（{status}），数据均已保留；请联系信息科"),
            "The platform refused the call; everything is kept. Please contact IT",
        ),
        S::Store(_) => ("本地数据库读写失败，数据均已保留；请联系信息科".into(), "The local database could not be read or written; please contact IT"),
        S::Secrets(_) => ("系统密钥环不可用；请联系信息科".into(), "The system keyring is not available; please contact IT"),
    };
    with_ref(kind, &zh, en, &e)
}

async fn sync_handle(core: &AppCore) -> Result<std::sync::Arc<crate::state::SyncHandle>, CmdError> {
    core.sync().await.ok_or_else(|| {
        CmdError::new(
            ErrorKind::Config,
            "本机为单机模式：配置文件未填写平台服务器（[platform] server_url）",
            "Standalone: no platform server in the config ([platform] server_url)",
        )
    })
}

/// Enrol this PC with a one-time code from the platform's administrator.
#[tauri::command]
pub async fn enroll_device(core: State<'_, AppCore>, code: String) -> CmdResult<String> {
    let me = core.user("enroll_device")?;
    let code = platform_api::enrolment_code(&code)
        .map_err(|(zh, en)| CmdError::new(ErrorKind::Validation, zh, en).on_field("code"))?;
    let h = sync_handle(&core).await?;
    let r = h
        .client
        .enroll(&code, &core.actor_of(&me))
        .await
        .map_err(sync_error)?;
    h.worker.poke_all();
    Ok(r.device_code)
}

/// Sync now (push everything, then pull), and say how it went.
#[tauri::command]
pub async fn sync_now(core: State<'_, AppCore>) -> CmdResult<SyncStatus> {
    core.user("sync_now")?;
    let h = sync_handle(&core).await?;
    let r = h.client.sync_now().await.map(|_| ());
    h.worker.note(r.as_ref().map(|_| ()));
    r.map_err(sync_error)?;
    sync_status(core).await
}

/// The hall's cases as the platform knows them: the other windows', the
/// departments' progress, online applications waiting for pre-review.
#[tauri::command]
pub async fn hall_cases(core: State<'_, AppCore>) -> CmdResult<Vec<HallCase>> {
    core.user("hall_cases")?;
    let store = core.store().await?;
    let rows = blocking(move || store.server_cases(2000).map_err(storage)).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let d = &c.data["data"];
            let case = &d["case"];
            HallCase {
                status_zh: clerk_core::case::platform_status_zh(&c.status).to_owned(),
                matter_name: case["matter_name"].as_str().unwrap_or_default().to_owned(),
                applicant_name: case["applicant"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                online: c.data["online"].as_bool().unwrap_or(false),
                nodes: c.data["nodes"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| NodeStatus {
                                department: k.clone(),
                                status: v.as_str().unwrap_or_default().to_owned(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                case_id: c.case_id,
                receipt_no: c.receipt_no,
                status: c.status,
                version: c.version,
            }
        })
        .collect())
}

/// The outbox for the sync panel: every item with its state; refused ones
/// show the platform's reason.
#[tauri::command]
pub async fn outbox_items(core: State<'_, AppCore>) -> CmdResult<Vec<OutboxItem>> {
    core.user("outbox_items")?;
    let store = core.store().await?;
    let rows = blocking(move || store.outbox_entries(200).map_err(storage)).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            use clerk_ipc::OutboxState as S;
            let state = match (r.requeued_as, r.state.as_str()) {
                (Some(_), _) => S::Requeued,
                (None, "pending") => S::Pending,
                (None, "acked") => S::Acked,
                (None, "rejected") => S::Rejected,
                (None, _) => S::Conflict,
            };
            let result: Option<serde_json::Value> = r
                .result
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            let refused = result
                .as_ref()
                .and_then(|v| v["message"].as_str().map(str::to_owned));
            OutboxItem {
                kind_zh: match r.kind.as_str() {
                    "case.create" => "收件/受理",
                    "case.accept_online" => "网上申报预审受理",
                    "case.attach" => "添加扫描件",
                    "case.update_fields" => "修改受理信息",
                    _ => "其他操作",
                }
                .to_owned(),
                state_zh: match state {
                    S::Requeued => "已重新排队",
                    S::Pending => "待发送",
                    S::Acked => "已送达",
                    S::Rejected => "被平台退回",
                    S::Conflict => "有冲突（平台保留了另一窗口的修改）",
                }
                .to_owned(),
                // A failed attempt's own text (HTTP, URLs) stays in the log
                // (the error contract); the platform's reason for a refusal
                // is shown.
                reason: match state {
                    S::Pending => r
                        .last_error
                        .as_ref()
                        .map(|_| "上次发送未成功，将自动重试".to_owned()),
                    _ => refused,
                },
                queued_at: clerk_store::time::local_datetime(&r.wall_time).unwrap_or(r.wall_time),
                seq: r.seq,
                kind: r.kind,
                receipt_no: r.receipt_no,
                state,
                attempts: r.attempts,
            }
        })
        .collect())
}

/// Put a refused item back in the queue (after the cause was fixed).
#[tauri::command]
pub async fn retry_outbox_item(core: State<'_, AppCore>, seq: i64) -> CmdResult<()> {
    let me = core.user("retry_outbox_item")?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let done = blocking(move || {
        store
            .retry_rejected(seq, &actor, clerk_store::time::now_millis())
            .map_err(storage)
    })
    .await?;
    if !done {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "只有被平台退回的项目可以重试",
            "Only refused items can be retried",
        ));
    }
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    Ok(())
}

/// Accept an online application after pre-review at this window: queued
/// for the platform like every clerk action (works offline, syncs later).
#[tauri::command]
pub async fn accept_online(core: State<'_, AppCore>, case_id: String) -> CmdResult<()> {
    let me = core.user("accept_online")?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let id = case_id.clone();
    blocking(move || {
        let Some(c) = store.server_case(&id).map_err(storage)? else {
            return Err(CmdError::new(
                ErrorKind::NotFound,
                "没有该办件",
                "No such case",
            ));
        };
        clerk_core::case::may_accept_online(&c.status)
            .map_err(|(zh, en)| CmdError::new(ErrorKind::Validation, zh, en))?;
        store
            .enqueue_mutation(
                &clerk_store::NewMutation {
                    kind: "case.accept_online".into(),
                    type_version: 1,
                    case_id: Some(id.clone()),
                    base_version: Some(c.version),
                    payload: serde_json::json!({"status": "accepted"}),
                },
                &actor,
                clerk_store::time::now_millis(),
            )
            .map_err(storage)
    })
    .await?;
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    Ok(())
}

fn limit(l: cat::TimeLimit) -> TimeLimit {
    TimeLimit {
        value: l.value,
        unit: match l.unit {
            cat::DayUnit::Working => DayUnit::Working,
            cat::DayUnit::Calendar => DayUnit::Calendar,
        },
    }
}

#[tauri::command]
pub async fn list_matters(
    core: State<'_, AppCore>,
    query: String,
) -> CmdResult<Vec<MatterSummary>> {
    core.user("list_matters")?;
    if query.chars().count() > 100 {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "搜索内容过长：最多 100 个字符",
            "Search text too long: at most 100 characters",
        )
        .on_field("query"));
    }
    let catalogue = core.catalogue().await;
    Ok(catalogue
        .search(&query)
        .into_iter()
        .map(|m| MatterSummary {
            code: m.code.clone(),
            name: m.name.clone(),
            department: catalogue
                .department(&m.department)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            case_kind: case_kind(m.case_kind),
            statutory_limit: limit(m.statutory_limit),
            promised_limit: limit(m.promised_limit),
            fee_charged: m.fee.charged(),
            material_count: m.materials.len() as u32,
        })
        .collect())
}

/// The UI calls this once when the shell is mounted and interactive.
#[tauri::command]
pub async fn ui_ready(core: State<'_, AppCore>) -> CmdResult<()> {
    core.gate("ui_ready")?;
    if core.ready_reported.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let ms = core.started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(ms = format!("{ms:.0}"), "shell interactive");
    if let Some(path) = &core.startup_marker {
        if let Err(e) = std::fs::write(path, format!("{ms:.1}\n")) {
            tracing::warn!(error = %e, "cannot write the startup marker");
        }
    }
    Ok(())
}

/// Errors the webview could not handle go to the app log. The UI sends
/// technical messages only, never form contents.
#[tauri::command]
pub async fn log_ui(core: State<'_, AppCore>, level: UiLogLevel, message: String) -> CmdResult<()> {
    core.gate("log_ui")?;
    let message: String = message.chars().take(500).collect();
    match level {
        UiLogLevel::Error => tracing::error!(target: "ui", "{message}"),
        UiLogLevel::Warn => tracing::warn!(target: "ui", "{message}"),
        UiLogLevel::Info => tracing::info!(target: "ui", "{message}"),
    }
    Ok(())
}

// ---- intake ---------------------------------------------------------------

use clerk_core::intake as core_intake;
use clerk_ipc::{
    ApplicantForm, ApplicantKind, CaseConfirmation, CaseListItem, Draft, FieldProblem, IntakeForm,
    MaterialItem, MatterDetail, TakeInOutcome,
};

const DRAFT_SLOT: &str = "intake";

/// Wire ⇄ domain for types whose JSON shapes are the same by design (both
/// sides pin them in tests).
fn convert<A: serde::Serialize, B: serde::de::DeserializeOwned>(a: &A) -> CmdResult<B> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| {
            tracing::error!(error = %e, "wire/domain shape mismatch");
            CmdError::internal()
        })
}

fn storage(e: clerk_store::StoreError) -> CmdError {
    if let clerk_store::StoreError::Invalid(f) = &e {
        return CmdError::new(ErrorKind::Validation, f.zh.clone(), f.en.clone()).on_field(&f.field);
    }
    let (zh, en) = match &e {
        clerk_store::StoreError::Receipt(r) => (
            format!("受理编号无法生成：{}", r.zh()),
            "No receipt number could be made",
        ),
        clerk_store::StoreError::Data(_) => (
            "本地数据有误，本次操作未完成；请联系信息科".to_owned(),
            "Local data could not be read; the action was not done. Please contact IT",
        ),
        _ => (
            "本地数据库读写失败，本次操作未保存，已填写的内容仍在草稿中".to_owned(),
            "The local database could not be written; nothing was saved, the form is kept as a draft",
        ),
    };
    with_ref(ErrorKind::Storage, &zh, en, &e)
}

/// The intake draft's slot: one per user (issue #12), so a second clerk
/// on the PC never sees the first one's form.
fn draft_slot(user: &crate::session::User) -> String {
    format!("{DRAFT_SLOT}:{}", user.user_id)
}

/// Run blocking store work off the async runtime's worker threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "blocking task failed");
        CmdError::internal()
    })?
}

fn problems(errs: Vec<core_intake::FieldError>) -> Vec<FieldProblem> {
    errs.into_iter()
        .map(|e| FieldProblem {
            field: e.field,
            message: e.zh,
            message_en: e.en,
        })
        .collect()
}

fn material_form_zh(f: cat::MaterialForm) -> &'static str {
    match f {
        cat::MaterialForm::Original => "原件",
        cat::MaterialForm::Copy => "复印件",
        cat::MaterialForm::OriginalAndCopy => "原件及复印件",
        cat::MaterialForm::Electronic => "电子件",
    }
}

/// A matter as the catalogue in effect has it, or as version `version`
/// had it (a restored draft keeps the version it pinned).
#[tauri::command]
pub async fn matter_detail(
    core: State<'_, AppCore>,
    code: String,
    version: Option<u32>,
) -> CmdResult<MatterDetail> {
    core.user("matter_detail")?;
    let c = match version {
        Some(v) => core.catalogue_version(v).await.ok_or_else(|| {
            CmdError::new(
                ErrorKind::NotFound,
                format!("本机没有第 {v} 版事项目录，请重新选择事项"),
                format!("Catalogue version {v} is not on this PC; choose the matter again"),
            )
            .on_field("matter")
        })?,
        None => core.catalogue().await,
    };
    let m = c.matter(&code).ok_or_else(|| {
        CmdError::new(
            ErrorKind::NotFound,
            "目录中没有该事项",
            "The matter is not in the catalogue",
        )
        .on_field("matter")
    })?;
    let latest = match m.case_kind {
        cat::CaseKind::Instant => None,
        cat::CaseKind::Promised => core
            .calendar()
            .await
            .due_date(core.today(), m.promised_limit, core.start_day())
            .ok()
            .map(|d| d.to_string()),
    };
    Ok(MatterDetail {
        code: m.code.clone(),
        name: m.name.clone(),
        version: c.version,
        department: c
            .department(&m.department)
            .map(|d| d.name.clone())
            .unwrap_or_default(),
        case_kind: case_kind(m.case_kind),
        statutory_limit: limit(m.statutory_limit),
        promised_limit: limit(m.promised_limit),
        applicant_kinds: m
            .service_objects
            .iter()
            .map(|o| match o {
                cat::ServiceObject::NaturalPerson => ApplicantKind::Person,
                cat::ServiceObject::LegalPerson => ApplicantKind::Organisation,
            })
            .collect(),
        materials: m
            .materials
            .iter()
            .map(|x| MaterialItem {
                id: x.id.clone(),
                name: x.name.clone(),
                required: x.required,
                may_be_missing: x.may_be_missing,
                form_zh: material_form_zh(x.form).to_owned(),
                copies: x.copies,
                note: x.note.clone(),
            })
            .collect(),
        legal_basis: m.legal_basis.clone(),
        fee_charged: m.fee.charged(),
        latest_supply_by: latest,
    })
}

/// Check the applicant part of the form as the clerk leaves a field: the
/// same rules as at submission, so the window can show errors early.
#[tauri::command]
pub async fn check_applicant(
    core: State<'_, AppCore>,
    applicant: ApplicantForm,
) -> CmdResult<Vec<FieldProblem>> {
    core.user("check_applicant")?;
    let a: core_intake::ApplicantForm = convert(&applicant)?;
    let (_, errs) = core_intake::check_applicant(&a, None, core.today());
    Ok(problems(errs))
}

/// An applicant seen in an earlier case, by ID number (fills the form).
#[tauri::command]
pub async fn known_applicant(
    core: State<'_, AppCore>,
    id_no: String,
) -> CmdResult<Option<ApplicantForm>> {
    let me = core.user("known_applicant")?;
    let store = core.store().await?;
    // Per user (issue #12): a clerk is reminded only of their own
    // applicants; a supervisor of the hall's.
    let clerk = (!me.sees_all_cases()).then(|| me.user_id.clone());
    let found = blocking(move || {
        store
            .applicant_for(&id_no, clerk.as_deref())
            .map_err(storage)
    })
    .await?;
    found.map(|a| convert(&a)).transpose()
}

#[tauri::command]
pub async fn save_draft(core: State<'_, AppCore>, body: String) -> CmdResult<()> {
    let me = core.user("save_draft")?;
    if body.len() > 256 * 1024 {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "草稿过大（最多 256 KB）",
            "Draft too large (at most 256 KB)",
        ));
    }
    let store = core.store().await?;
    let slot = draft_slot(&me);
    blocking(move || {
        store
            .save_draft(&slot, &body, clerk_store::time::now_millis())
            .map_err(storage)
    })
    .await
}

#[tauri::command]
pub async fn load_draft(core: State<'_, AppCore>) -> CmdResult<Option<Draft>> {
    let me = core.user("load_draft")?;
    let store = core.store().await?;
    let slot = draft_slot(&me);
    let d = blocking(move || store.load_draft(&slot).map_err(storage)).await?;
    Ok(d.map(|(body, updated_at)| Draft { body, updated_at }))
}

#[tauri::command]
pub async fn discard_draft(core: State<'_, AppCore>) -> CmdResult<()> {
    let me = core.user("discard_draft")?;
    let store = core.store().await?;
    let slot = draft_slot(&me);
    blocking(move || store.discard_draft(&slot).map_err(storage)).await
}

/// Take in a case: check every field (clerk-core), then commit case, audit
/// and outbox in one transaction (clerk-store). Invalid forms save nothing
/// but the draft, which the UI keeps saving anyway.
#[tauri::command]
pub async fn take_in(core: State<'_, AppCore>, form: IntakeForm) -> CmdResult<TakeInOutcome> {
    let me = core.user("take_in")?;
    let domain_form: core_intake::IntakeForm = convert(&form)?;
    // The version the form was filled on: a draft keeps the version it
    // pinned even after a newer one is in effect (sync-protocol §5).
    let catalogue = match core.catalogue_version(form.matter_version).await {
        Some(c) => c,
        None => core.catalogue().await,
    };
    let calendar = core.calendar().await;
    let prepared = {
        let cx = core_intake::IntakeContext {
            catalogue: &catalogue,
            calendar: &calendar,
            today: core.today(),
            start_day: core.start_day(),
        };
        match core_intake::prepare(&domain_form, &cx) {
            Ok(p) => p,
            Err(errs) => {
                return Ok(TakeInOutcome::Invalid {
                    problems: problems(errs),
                })
            }
        }
    };
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let slot = draft_slot(&me);
    let writer = store.clone();
    let c = blocking(move || {
        writer
            .take_in(
                &prepared,
                &actor,
                clerk_store::time::now_millis(),
                Some(&slot),
            )
            .map_err(storage)
    })
    .await?;
    tracing::info!(receipt = %c.receipt_no, status = c.case.status.as_str(), seq = c.seq, "case taken in");
    // The derived lookups (search terms, applicant memory, list by day),
    // the numbers reserved ahead and the WAL checkpoint follow the commit,
    // off the receipt's path; a read would do them first anyway.
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = store.index_pending() {
            tracing::warn!(error = %e, "derived lookups not brought up to date (the next read retries)");
        }
    });
    // A new case in the outbox: try to send it now (the timer stays the
    // guarantee; this only saves the wait).
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    let p = &c.case;
    let s = |d: Option<clerk_core::date::Date>| d.map(|d| d.to_string());
    Ok(TakeInOutcome::Committed {
        confirmation: Box::new(CaseConfirmation {
            case_id: c.case_id.clone(),
            receipt_no: c.receipt_no.clone(),
            status: p.status.as_str().to_owned(),
            status_zh: p.status.zh().to_owned(),
            matter_name: p.matter_name.clone(),
            applicant_name: p.applicant.name.clone(),
            applicant_id_masked: clerk_core::ids::mask_id(&p.applicant.id_no),
            received_on: p.received_on.to_string(),
            accepted_on: s(p.accepted_on),
            promised_due: s(p.promised_due),
            statutory_due: s(p.statutory_due),
            supply_by: s(p.supply_by),
            owed: p.owed.clone(),
            notice_deadline: p.notice_deadline.to_string(),
            provisional_fields: provisional_fields(p),
        }),
    })
}

/// The dates of a case that are provisional (暂定).
fn provisional_fields(p: &core_intake::PreparedCase) -> Vec<String> {
    [
        ("notice_deadline", Some(p.notice_deadline)),
        ("promised_due", p.promised_due),
        ("statutory_due", p.statutory_due),
    ]
    .into_iter()
    .filter(|(_, d)| d.is_some_and(|d| p.is_provisional(d)))
    .map(|(f, _)| f.to_owned())
    .collect()
}

fn list_item(
    core: &AppCore,
    calendar: &clerk_core::calendar::WorkCalendar,
    today: clerk_core::date::Date,
    r: clerk_store::CaseRow,
) -> CaseListItem {
    let d = &core.config.config.deadlines;
    let running = matches!(r.status.as_str(), "accepted" | "accepted_with_gaps");
    let clock = r
        .promised_due
        .as_deref()
        .and_then(clerk_core::date::Date::parse_iso)
        .filter(|_| running)
        .and_then(|due| {
            let t = clerk_core::clock::Thresholds {
                yellow: d.yellow_days,
                red: d.red_days,
            };
            clerk_core::clock::light_for_due(calendar, today, due, t).ok()
        });
    let status_zh = serde_json::from_value::<clerk_core::case::CaseStatus>(
        serde_json::Value::String(r.status.clone()),
    )
    .map(|s| s.zh().to_owned())
    .unwrap_or_else(|_| r.status.clone());
    // created_at is UTC; the hall works in China Standard Time.
    let time = clerk_store::time::local_hhmm(&r.created_at).unwrap_or_default();
    CaseListItem {
        case_id: r.case_id,
        receipt_no: r.receipt_no,
        matter_name: r.matter_name,
        status: r.status,
        status_zh,
        applicant_name: r.applicant_name,
        applicant_id_masked: clerk_core::ids::mask_id(&r.applicant_id_no),
        phone_masked: clerk_core::ids::mask_phone(&r.applicant_phone),
        due_provisional: r
            .promised_due
            .as_deref()
            .and_then(clerk_core::date::Date::parse_iso)
            .is_some_and(|due| {
                let from = clerk_core::date::Date::parse_iso(&r.received_on)
                    .map_or(due.year(), |d| d.year());
                r.provisional_years
                    .iter()
                    .any(|y| (from..=due.year()).contains(y))
            }),
        received_on: r.received_on,
        promised_due: r.promised_due,
        light: clock.map(|(l, _)| l.as_str().to_owned()),
        days_left: clock.map(|(_, n)| n),
        time,
        window_code: r.window_code,
    }
}

/// Today's cases at this PC, newest first; with a query, a search over all
/// cached cases (number, name, ID, phone, matter).
#[tauri::command]
pub async fn list_cases(core: State<'_, AppCore>, query: String) -> CmdResult<Vec<CaseListItem>> {
    let me = core.user("list_cases")?;
    if query.chars().count() > 100 {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "搜索内容过长：最多 100 个字符",
            "Search text too long: at most 100 characters",
        )
        .on_field("query"));
    }
    let store = core.store().await?;
    let today = core.today().to_string();
    let rows = blocking(move || {
        if query.trim().is_empty() {
            store.cases_on(&today, 200)
        } else {
            store.search(&query, 200)
        }
        .map_err(storage)
    })
    .await?;
    let today = core.today();
    let calendar = core.calendar().await;
    // "My cases" (issue #12): a clerk lists their own; a supervisor the PC's.
    Ok(rows
        .into_iter()
        .filter(|r| me.sees_all_cases() || r.clerk_id == me.user_id)
        .map(|r| list_item(&core, &calendar, today, r))
        .collect())
}

// ---- documents and printing ----------------------------------------------

use clerk_ipc::{DocumentInfo, PrintResult};

fn case_kind(k: cat::CaseKind) -> CaseKind {
    match k {
        cat::CaseKind::Instant => CaseKind::Instant,
        cat::CaseKind::Promised => CaseKind::Promised,
    }
}

fn doc_info(d: clerk_store::DocumentRow, journal: &[clerk_store::JournalRow]) -> DocumentInfo {
    DocumentInfo {
        history: journal
            .iter()
            .filter(|j| j.document_id == d.id)
            .map(|j| clerk_ipc::PrintEntry {
                at: clerk_store::time::local_datetime(&j.at).unwrap_or_else(|| j.at.clone()),
                by: j.actor.clone(),
                copy: j.record.copy,
                printer: j.record.printer.clone(),
                job_id: j.record.job_id.clone(),
                outcome: j.record.outcome.clone(),
            })
            .collect(),
        title: clerk_print::kind_title(&d.kind).to_owned(),
        id: d.id,
        kind: d.kind,
        doc_no: d.doc_no,
        issued_at: d.issued_at,
        prints: d.prints as u32,
        last_outcome: d.last_outcome,
    }
}

fn print_error(e: &clerk_print::PrintError) -> CmdError {
    with_ref(
        ErrorKind::Validation,
        &e.zh(),
        "The document could not be made",
        e,
    )
}

/// The documents of a case: the ones the law requires are made (once) and
/// saved in the journal, then listed.
#[tauri::command]
pub async fn case_documents(
    core: State<'_, AppCore>,
    case_id: String,
) -> CmdResult<Vec<DocumentInfo>> {
    let me = core.user("case_documents")?;
    let store = core.store().await?;
    let issuer = core.issuer().await?;
    let cfg = core.config.config.clone();
    let found = {
        let s2 = store.clone();
        let id = case_id.clone();
        blocking(move || s2.case(&id).map_err(storage)).await?
    };
    let Some((row, case)) = found else {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            "没有该办件",
            "No such case",
        ));
    };
    let pinned = match core.catalogue_version(case.matter_version).await {
        Some(c) => c,
        None => core.catalogue().await,
    };
    let Some(matter) = pinned.matter(&case.matter_code).cloned() else {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            "目录中没有该事项",
            "The matter is not in the catalogue",
        ));
    };
    let actor = core.actor_of(&me);
    blocking(move || {
        let counter = clerk_core::receipt::ReceiptNo::parse(&row.receipt_no)
            .map(|r| r.counter())
            .unwrap_or(0);
        let unset = |v: &Option<String>, what: &str| {
            v.clone()
                .unwrap_or_else(|| format!("（本机配置未填写{what}）"))
        };
        let local = clerk_store::time::local_hhmm(&row.created_at);
        let input = clerk_print::CaseDocInput {
            receipt_no: row.receipt_no.clone(),
            doc_no: String::new(),
            hall_name: cfg.hall.name.clone(),
            window: cfg.window.name.clone(),
            // 经办人: whoever took the case in, by name (issue #12).
            clerk: store
                .user(&row.clerk_id)
                .map_err(storage)?
                .map(|u| u.display_name)
                .unwrap_or_else(|| row.clerk_id.clone()),
            received_at: format!("{} {}", case.received_on, local.unwrap_or_default()),
            reconsideration_body: unset(&cfg.notices.reconsideration_body, "行政复议机关"),
            court: unset(&cfg.notices.court, "人民法院"),
            supervision_phone: unset(&cfg.notices.supervision_phone, "监督电话"),
            query_url: unset(&cfg.notices.query_url, "查询网址"),
            verify_code: store.verify_code(&row.receipt_no),
        };
        let have: Vec<String> = store
            .documents(&row.case_id)
            .map_err(storage)?
            .into_iter()
            .map(|d| d.kind)
            .collect();
        let made = issuer
            .make(&case, &matter, &input, counter, &have)
            .map_err(|e| print_error(&e))?;
        for d in made {
            store
                .issue_document(
                    clerk_store::NewDocument {
                        case_id: row.case_id.clone(),
                        kind: d.kind.clone(),
                        doc_no: d.doc_no,
                        pdf: d.pdf,
                        copy_pdf: d.copy_pdf,
                        values_json: d.values.to_json(),
                    },
                    &actor,
                    clerk_store::time::now_millis(),
                )
                .map_err(storage)?;
            tracing::info!(receipt = %row.receipt_no, kind = %d.kind, "document issued");
        }
        let journal = store.print_journal(&row.case_id).map_err(storage)?;
        Ok(store
            .documents(&row.case_id)
            .map_err(storage)?
            .into_iter()
            .map(|d| doc_info(d, &journal))
            .collect())
    })
    .await
}

/// Print a saved document on its configured printer (A4, or the thermal
/// printer for an 80 mm receipt), without a dialog.
/// The first successful print is the original; every later one prints the
/// saved 副本. Failures are journalled and leave the document for later.
#[tauri::command]
pub async fn print_document(core: State<'_, AppCore>, id: String) -> CmdResult<PrintResult> {
    let me = core.user("print_document")?;
    let store = core.store().await?;
    let cfg = core.config.config.clone();
    let spool = core.data_dir.join("spool");
    let actor = core.actor_of(&me);
    blocking(move || {
        let copy = store.original_printed(&id).map_err(storage)?;
        let Some((pdf, _, kind)) = store.document_pdf(&id, copy).map_err(storage)? else {
            return Err(CmdError::new(
                ErrorKind::NotFound,
                "没有该文书",
                "No such document",
            ));
        };
        let fail = |e: clerk_print::printing::PrintJobError, printer: Option<String>| {
            let rec = clerk_store::PrintRecord {
                copy,
                printer,
                job_id: None,
                outcome: e.to_string(),
            };
            let _ = store.journal_print(&id, &rec, &actor, clerk_store::time::now_millis());
            tracing::warn!(error = %e, "print failed");
            CmdError::new(
                ErrorKind::Config,
                e.zh(),
                format!("{e}. The document is saved; print it later."),
            )
        };
        // The 80 mm receipt goes to the thermal printer, the rest to A4.
        let printer = if kind == "receipt_80mm" {
            cfg.printer.receipt.clone()
        } else {
            cfg.printer.a4.clone()
        };
        std::fs::create_dir_all(&spool).map_err(|_| CmdError::internal())?;
        let file = spool.join(format!("{id}.pdf"));
        let Some(printer) = printer else {
            // Windows without a configured printer: the default viewer, where
            // the clerk prints by hand. Journalled as such, never as printed.
            #[cfg(windows)]
            {
                std::fs::write(&file, &pdf).map_err(|_| CmdError::internal())?;
                let opened = clerk_print::printing::open_in_viewer(&file);
                let rec = clerk_store::PrintRecord {
                    copy,
                    printer: None,
                    job_id: None,
                    outcome: match &opened {
                        Ok(()) => "opened in the default viewer".into(),
                        Err(e) => e.to_string(),
                    },
                };
                let _ = store.journal_print(&id, &rec, &actor, clerk_store::time::now_millis());
                return Err(CmdError::new(
                    ErrorKind::Config,
                    "本机未配置打印机，文书已在默认阅读器中打开，请从阅读器打印",
                    "No printer is configured: the document is open in the default viewer; print it from there",
                ));
            }
            #[cfg(not(windows))]
            return Err(fail(clerk_print::printing::PrintJobError::NoPrinter, None));
        };
        std::fs::write(&file, &pdf).map_err(|_| CmdError::internal())?;
        let title = format!(
            "{}{}",
            clerk_print::kind_title(&kind),
            if copy { "（副本）" } else { "" }
        );
        let sent = clerk_print::printing::send(&file, &printer, &title);
        let _ = std::fs::remove_file(&file);
        match sent {
            Ok(job_id) => {
                // Accepted by CUPS; does the printer say it cannot print now?
                let held = clerk_print::printing::queue_state(&printer).and_then(|s| s.problem());
                let rec = clerk_store::PrintRecord {
                    copy,
                    printer: Some(printer.clone()),
                    job_id: Some(job_id.clone()),
                    outcome: match &held {
                        Some(p) => format!("held: {}", p.en()),
                        None => "sent".into(),
                    },
                };
                if let Some(p) = &held {
                    tracing::warn!(job = %job_id, printer = %printer, problem = %p.en(), "print job held");
                }
                store
                    .journal_print(&id, &rec, &actor, clerk_store::time::now_millis())
                    .map_err(storage)?;
                tracing::info!(job = %job_id, printer = %printer, copy, "document printed");
                Ok(PrintResult {
                    held_zh: held.as_ref().map(|p| {
                        format!("已送入打印队列，但{}：排除后将自动打印；文书已保存，也可稍后重打", p.zh())
                    }),
                    held_en: held.as_ref().map(|p| {
                        format!("Queued, but {}: it prints once that is fixed; the document is saved", p.en())
                    }),
                    printer,
                    job_id,
                    copy,
                })
            }
            Err(e) => Err(fail(e, Some(printer))),
        }
    })
    .await
}

/// Printer queues the printing system knows, for the settings page.
#[tauri::command]
pub async fn printers(core: State<'_, AppCore>) -> CmdResult<Vec<String>> {
    core.user("printers")?;
    core.user("printers")?;
    blocking(|| Ok(clerk_print::printing::printers())).await
}

/// The on-screen preview of a document: made again from the values it was
/// issued with and marked 预览 无效 on every page, so it can never pass for
/// the original. Raw PDF bytes.
#[tauri::command]
pub async fn document_preview(
    core: State<'_, AppCore>,
    id: String,
) -> Result<tauri::ipc::Response, CmdError> {
    core.user("document_preview")?;
    let store = core.store().await?;
    let issuer = core.issuer().await?;
    let pdf = blocking(move || {
        let Some((_, values_json, kind)) = store.document_pdf(&id, false).map_err(storage)? else {
            return Err(CmdError::new(
                ErrorKind::NotFound,
                "没有该文书",
                "No such document",
            ));
        };
        issuer
            .preview(&kind, &values_json)
            .map_err(|e| print_error(&e))
    })
    .await?;
    Ok(tauri::ipc::Response::new(pdf))
}

/// The scans attached to a case, with their upload state.
#[tauri::command]
pub async fn case_attachments(
    core: State<'_, AppCore>,
    case_id: String,
) -> CmdResult<clerk_ipc::CaseAttachments> {
    core.user("case_attachments")?;
    let store = core.store().await?;
    let (rows, matter) = blocking(move || attachment_rows(&store, &case_id)).await?;
    let catalogue = core.catalogue().await;
    Ok(attachment_items(
        rows,
        matter.and_then(|m| catalogue.matter(&m)),
    ))
}

/// The rows, and the case's matter code when it is a case of this window.
fn attachment_rows(
    store: &clerk_store::Store,
    case_id: &str,
) -> CmdResult<(Vec<clerk_store::AttachmentRow>, Option<String>)> {
    let matter = store
        .case(case_id)
        .map_err(storage)?
        .map(|(_, c)| c.matter_code);
    Ok((store.attachments_of(case_id).map_err(storage)?, matter))
}

fn attachment_items(
    rows: Vec<clerk_store::AttachmentRow>,
    matter: Option<&cat::Matter>,
) -> clerk_ipc::CaseAttachments {
    let materials = matter
        .map(|m| {
            m.materials
                .iter()
                .map(|x| CodeName {
                    code: x.id.clone(),
                    name: x.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let items = rows
        .into_iter()
        .map(|a| clerk_ipc::AttachmentItem {
            role_name: matter
                .and_then(|m| m.material_name(&a.role))
                .map(str::to_owned),
            added_at: clerk_store::time::local_datetime(&a.added_at).unwrap_or(a.added_at),
            sha256: a.sha256,
            role: a.role,
            name: a.name,
            mime: a.mime,
            size: a.size,
            state: a.state,
            last_error: a.last_error,
        })
        .collect();
    clerk_ipc::CaseAttachments { items, materials }
}

/// Attach a scan the clerk picked: the file's bytes are the request body
/// (`x-case-id`, `x-role`, and the URI-encoded `x-file-name` headers). It
/// is checked by content, kept encrypted, queued as `case.attach`, and
/// uploaded by the attachment lane when the platform can be reached.
#[tauri::command]
pub async fn attach_scan(
    core: State<'_, AppCore>,
    request: tauri::ipc::Request<'_>,
) -> CmdResult<clerk_ipc::CaseAttachments> {
    let me = core.user("attach_scan")?;
    let header = |n: &str| {
        request
            .headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (Some(case_id), Some(role)) = (header("x-case-id"), header("x-role")) else {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "请选择办件和材料后再添加扫描件",
            "Choose the case and the material first",
        )
        .on_field("attachment"));
    };
    let name = header("x-file-name")
        .map(|n| percent_decode(&n))
        .unwrap_or_else(|| "scan".into());
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "没有收到文件内容，请重新选择扫描件",
            "No file content arrived; pick the scan again",
        )
        .on_field("attachment"));
    };
    let bytes = bytes.clone();
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let (rows, matter) = blocking(move || {
        store
            .attach_bytes(
                &case_id,
                &name,
                &bytes,
                &role,
                &actor,
                clerk_store::time::now_millis(),
            )
            .map_err(storage)?;
        attachment_rows(&store, &case_id)
    })
    .await?;
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    let catalogue = core.catalogue().await;
    Ok(attachment_items(
        rows,
        matter.and_then(|m| catalogue.matter(&m)),
    ))
}

/// `encodeURIComponent` undone (file names may be Chinese).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What changed for a matter since the catalogue version a draft pinned,
/// when a newer version is in effect (the banner over the form). None when
/// the pinned version is the one in effect or nothing a clerk checks
/// changed.
#[tauri::command]
pub async fn catalogue_drift(
    core: State<'_, AppCore>,
    code: String,
    version: u32,
) -> CmdResult<Option<clerk_ipc::CatalogueDrift>> {
    core.user("catalogue_drift")?;
    let now = core.catalogue().await;
    if now.version <= version {
        return Ok(None);
    }
    let Some(pinned) = core.catalogue_version(version).await else {
        return Ok(None);
    };
    let Some(old) = pinned.matter(&code) else {
        return Ok(None);
    };
    let changes = clerk_core::drift::matter_changes(old, now.matter(&code));
    if changes.is_empty() {
        return Ok(None);
    }
    Ok(Some(clerk_ipc::CatalogueDrift {
        from: version,
        to: now.version,
        matter_still_offered: now.matter(&code).is_some(),
        changes: changes.iter().map(|c| c.zh.clone()).collect(),
        changes_en: changes.into_iter().map(|c| c.en).collect(),
    }))
}

fn contact_of(view: clerk_store::CaseView) -> clerk_ipc::CaseContact {
    let get = |f: &str| {
        clerk_core::edit::get(&view.case, f)
            .unwrap_or_default()
            .to_owned()
    };
    let editable = view
        .status
        .as_deref()
        .is_none_or(clerk_core::edit::editable_in);
    let (reason, reason_en) = match view.status.as_deref() {
        Some(s) if !editable => (
            Some(format!(
                "该办件当前为「{}」，受理信息不能再修改",
                clerk_core::case::platform_status_zh(s)
            )),
            Some(format!(
                "The case is {s}: its intake fields can no longer be changed"
            )),
        ),
        _ => (None, None),
    };
    clerk_ipc::CaseContact {
        phone: get("applicant.phone"),
        address: get("applicant.address"),
        agent_name: get("applicant.agent_name"),
        editable,
        reason,
        reason_en,
        conflicts: view
            .conflicts
            .into_iter()
            .map(|c| clerk_ipc::ConflictItem {
                field_zh: clerk_core::edit::label_zh(&c.field)
                    .unwrap_or(&c.field)
                    .to_owned(),
                field: c.field,
                platform_value: c.platform_value,
                window_value: c.window_value,
                window: c.window,
            })
            .collect(),
    }
}

/// A case's contact fields as this window sees them (its own edits not
/// yet on the platform included), and the platform's conflicts.
#[tauri::command]
pub async fn case_contact(
    core: State<'_, AppCore>,
    case_id: String,
) -> CmdResult<clerk_ipc::CaseContact> {
    core.user("case_contact")?;
    let store = core.store().await?;
    blocking(move || {
        store
            .case_view(&case_id)
            .map_err(storage)?
            .map(contact_of)
            .ok_or_else(|| CmdError::new(ErrorKind::NotFound, "没有该办件", "No such case"))
    })
    .await
}

/// Change contact fields after intake: checked by clerk-core, queued as
/// `case.update_fields` (field-level merge on the platform), works offline.
#[tauri::command]
pub async fn edit_case_fields(
    core: State<'_, AppCore>,
    case_id: String,
    edits: Vec<clerk_ipc::FieldEdit>,
) -> CmdResult<clerk_ipc::CaseContact> {
    let me = core.user("edit_case_fields")?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let contact = blocking(move || {
        let edits: Vec<(String, String)> = edits.into_iter().map(|e| (e.field, e.value)).collect();
        store
            .edit_fields(&case_id, &edits, &actor, clerk_store::time::now_millis())
            .map_err(storage)?;
        store
            .case_view(&case_id)
            .map_err(storage)?
            .map(contact_of)
            .ok_or_else(|| CmdError::new(ErrorKind::NotFound, "没有该办件", "No such case"))
    })
    .await?;
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    Ok(contact)
}

// ---- the holiday calendar (issue #11) ---------------------------------------

use clerk_ipc::{CalendarImported, CalendarStatus, CalendarYear, DeadlineMoveItem};

/// Which years are official, what is missing, the moved dates.
#[tauri::command]
pub async fn calendar_status(core: State<'_, AppCore>) -> CmdResult<CalendarStatus> {
    let me = core.user("calendar_status")?;
    // The administrator sees how many dates moved, not whose (no case
    // contents beyond counts).
    let desk = clerk_core::access::DESK.iter().any(|r| me.has(*r));
    use clerk_core::calendar::{YearBasis, LAW_FROM_YEAR};
    let cal = core.calendar().await;
    let store = core.store().await?;
    let moves = blocking(move || store.deadline_moves(500).map_err(storage)).await?;
    let today = core.today();
    // The years a clerk can meet: from the law's first year to next year.
    let years = (LAW_FROM_YEAR.min(today.year())..=today.year() + 1)
        .map(|y| CalendarYear {
            year: y,
            basis: match cal.basis(y) {
                YearBasis::Official => "official",
                YearBasis::LawOnly => "law_only",
                YearBasis::Unknown => "unknown",
            }
            .to_owned(),
            source: cal.source(y).map(str::to_owned),
        })
        .collect();
    Ok(CalendarStatus {
        today: today.to_string(),
        years,
        missing_year: cal.missing_schedule(today),
        moves: moves
            .into_iter()
            .map(|m| DeadlineMoveItem {
                case_id: m.case_id,
                receipt_no: if desk { m.receipt_no } else { "—".into() },
                applicant_name: if desk { m.applicant } else { "—".into() },
                field: m.field,
                old: m.old,
                new: m.new,
                year: m.year,
                seen: m.seen,
            })
            .collect(),
        problems: core.calendar_problems.clone(),
    })
}

/// IT loads a year's State Council schedule without the platform (设置):
/// checked by clerk-core, kept in the store, and the cases whose dates were
/// provisional for that year are worked out again at once.
#[tauri::command]
pub async fn import_calendar(
    core: State<'_, AppCore>,
    body: String,
) -> CmdResult<CalendarImported> {
    let me = core.user("import_calendar")?;
    let y = clerk_core::calendar::YearSchedule::parse(&body).map_err(|e| {
        CmdError::new(
            ErrorKind::Validation,
            format!("节假日安排文件不能使用：{}", e.zh()),
            format!("The holiday schedule file cannot be used: {e}"),
        )
        .on_field("calendar_file")
    })?;
    let year = y.year;
    let canonical = y.to_json();
    let store = core.store().await?;
    let writer = store.clone();
    let actor = core.actor_of(&me);
    blocking(move || {
        writer
            .import_calendar_year(year, &canonical, &actor, clerk_store::time::now_millis())
            .map_err(storage)
    })
    .await?;
    // Rebuilding the calendar works the provisional cases out again.
    let before = count_moves(&store).await?;
    core.calendar().await;
    let after = count_moves(&store).await?;
    tracing::info!(year, "holiday schedule imported in settings");
    Ok(CalendarImported {
        year,
        cases_recomputed: after.0 - before.0,
        dates_moved: after.1 - before.1,
    })
}

async fn count_moves(store: &std::sync::Arc<clerk_store::Store>) -> CmdResult<(u32, u32)> {
    let s = store.clone();
    blocking(move || {
        let m = s.deadline_moves(100_000).map_err(storage)?;
        let cases: std::collections::BTreeSet<_> = m.iter().map(|m| m.case_id.clone()).collect();
        Ok((cases.len() as u32, m.len() as u32))
    })
    .await
}

/// The clerk has told the applicants whose dates moved.
#[tauri::command]
pub async fn mark_deadline_moves_seen(core: State<'_, AppCore>) -> CmdResult<u32> {
    let me = core.user("mark_deadline_moves_seen")?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    blocking(move || {
        store
            .mark_moves_seen(&actor, clerk_store::time::now_millis())
            .map(|n| n as u32)
            .map_err(storage)
    })
    .await
}

#[cfg(test)]
mod error_contract {
    use super::*;

    /// An internal error's text (SQLite, HTTP, URLs, the server's own
    /// message) never reaches the UI in either language; the UI gets a
    /// reference to the log line that has it.
    #[test]
    fn internal_text_stays_in_the_log_and_the_ui_gets_a_reference() {
        let cases = [
            sync_error(clerk_sync::SyncError::Network(
                "error sending request for url (http://10.0.0.5:8080/v1/sync/push)".into(),
            )),
            sync_error(clerk_sync::SyncError::Server {
                status: 403,
                code: "forbidden".into(),
                message: "the mutation's actor u2 is not the signed-in user u1".into(),
                retry_after: None,
                last_applied_seq: None,
            }),
            sync_error(clerk_sync::SyncError::Store(
                "database disk image is malformed".into(),
            )),
            storage(clerk_store::StoreError::Io(
                "database is locked: /home/clerk/.local/share/x/clerk.db".into(),
            )),
            storage(clerk_store::StoreError::Data(
                "expected value at line 1 column 1".into(),
            )),
        ];
        for e in cases {
            for text in [&e.message, &e.message_en] {
                for secret in [
                    "http",
                    "10.0.0.5",
                    "u2",
                    "malformed",
                    "disk",
                    "line 1",
                    "SQLITE",
                    "database is locked",
                ] {
                    assert!(!text.contains(secret), "{secret} in {text:?}");
                }
            }
            assert!(e.message.contains("（编号 "), "{}", e.message);
            assert!(e.message_en.contains("(ref "), "{}", e.message_en);
            let zh_ref = e
                .message
                .split("编号 ")
                .nth(1)
                .unwrap()
                .trim_end_matches('）');
            assert!(
                e.message_en.contains(zh_ref),
                "one reference in both languages"
            );
        }
        assert_ne!(error_ref(), error_ref());
    }
}
