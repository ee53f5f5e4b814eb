//! Tauri commands: thin maps from IPC to the core crates.
//!
//! Every command is `async` so it runs on the async runtime, never on the
//! main (UI) thread.

use clerk_core::catalogue as cat;
use clerk_ipc::{
    AppInfo, CaseKind, CatalogueInfo, CmdError, CodeName, ConfigSource, DayUnit, ErrorKind, MatterSummary, RunMode,
    SyncStatus, TimeLimit, UiLogLevel,
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
    let c = &core.config.config;
    let catalogue = &core.catalogue;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        hall: CodeName { code: c.hall.code.clone(), name: c.hall.name.clone() },
        window: CodeName { code: c.window.code.clone(), name: c.window.name.clone() },
        mode: mode(&core),
        server_url: c.platform.server_url.clone(),
        config_source: if core.config.path.is_some() && core.config.problem.is_none() {
            ConfigSource::File
        } else {
            ConfigSource::EmbeddedDefault
        },
        config_problem: core.config.problem.as_ref().map(config_error),
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
    // No outbox yet: nothing can be unsent. The sync worker fills this in.
    Ok(SyncStatus { online: false, mode: mode(&core), unsent: 0, oldest_unsent_secs: None })
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
pub async fn list_matters(core: State<'_, AppCore>, query: String) -> CmdResult<Vec<MatterSummary>> {
    if query.chars().count() > 100 {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "搜索内容过长：最多 100 个字符",
            "Search text too long: at most 100 characters",
        )
        .on_field("query"));
    }
    let catalogue = &core.catalogue;
    Ok(catalogue
        .search(&query)
        .into_iter()
        .map(|m| MatterSummary {
            code: m.code.clone(),
            name: m.name.clone(),
            department: catalogue.department(&m.department).map(|d| d.name.clone()).unwrap_or_default(),
            case_kind: match m.case_kind {
                cat::CaseKind::Instant => CaseKind::Instant,
                cat::CaseKind::Promised => CaseKind::Promised,
            },
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
pub async fn log_ui(level: UiLogLevel, message: String) -> CmdResult<()> {
    let message: String = message.chars().take(500).collect();
    match level {
        UiLogLevel::Error => tracing::error!(target: "ui", "{message}"),
        UiLogLevel::Warn => tracing::warn!(target: "ui", "{message}"),
        UiLogLevel::Info => tracing::info!(target: "ui", "{message}"),
    }
    Ok(())
}
