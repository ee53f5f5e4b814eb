//! Window Clerk, the app crate.
//!
//! Architecture Invariant: nothing here holds a business rule. This crate
//! wires clerk-app's services to Tauri: it builds [`state::AppCore`] at
//! start, registers the commands (`commands/`, one adapter of a few lines
//! per service) and runs the window.

mod commands;
mod logging;
pub use clerk_app::{paths, state};

use tauri::Manager;

/// Register plugins, state and commands on a builder. Shared by [`run`] and
/// the `tauri::test` command tests.
pub fn build<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    core: state::AppCore,
) -> tauri::Builder<R> {
    builder
        .manage(core)
        .invoke_handler(tauri::generate_handler![
            commands::shell::app_info,
            commands::shell::ui_ready,
            commands::shell::log_ui,
            commands::session::session_state,
            commands::session::sign_in,
            commands::session::unlock,
            commands::session::sign_out,
            commands::session::session_touch,
            commands::session::create_first_admin,
            commands::intake::list_matters,
            commands::intake::matter_detail,
            commands::intake::check_applicant,
            commands::intake::known_applicant,
            commands::intake::save_draft,
            commands::intake::load_draft,
            commands::intake::discard_draft,
            commands::intake::take_in,
            commands::intake::catalogue_drift,
            commands::intake::missing_materials,
            commands::queue::hall_cases,
            commands::queue::accept_online,
            commands::queue::list_cases,
            commands::queue::case_attachments,
            commands::queue::attach_scan,
            commands::queue::case_contact,
            commands::queue::edit_case_fields,
            commands::lifecycle::case_progress,
            commands::lifecycle::progress_case,
            commands::lifecycle::queue_cases,
            commands::lifecycle::queue_counts,
            commands::documents::case_documents,
            commands::documents::print_document,
            commands::documents::printers,
            commands::documents::document_preview,
            commands::documents::withheld_preview,
            commands::sync::sync_status,
            commands::sync::enroll_device,
            commands::sync::sync_now,
            commands::sync::outbox_items,
            commands::sync::retry_outbox_item,
            commands::settings::calendar_status,
            commands::settings::import_calendar,
            commands::settings::mark_deadline_moves_seen,
            commands::settings::list_users,
            commands::settings::add_user,
            commands::settings::set_user_disabled,
            commands::settings::audit_trail,
        ])
        .setup(|app| {
            // Open the encrypted store while the window loads.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                clerk_app::shell::on_start(&handle.state::<state::AppCore>()).await;
            });
            Ok(())
        })
}

/// SIGTERM (logoff, shutdown, `systemctl stop`), SIGINT and SIGHUP end the
/// app through the event loop like closing its window, so the exit still
/// runs [`state::AppCore::close`] (receipt numbers reserved ahead are given
/// back) instead of the process just dying.
fn stop_on_signals<R: tauri::Runtime>(handle: tauri::AppHandle<R>) {
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) else {
            tracing::warn!(
                "signal handlers not installed: a SIGTERM ends the app without a clean close"
            );
            return;
        };
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
            _ = hup.recv() => "SIGHUP",
        };
        tracing::info!(signal = name, "asked to stop: closing cleanly");
        handle.exit(0);
    });
    #[cfg(not(unix))]
    let _ = handle;
}

/// The main window from `tauri.conf.json` (`"create": false` there), locked
/// to the app's own origin: a navigation elsewhere is cancelled and
/// `window.open` opens nothing (both logged, without the address's query).
fn main_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<()> {
    let Some(cfg) = app.config().app.windows.iter().find(|w| w.label == "main") else {
        return Err(tauri::Error::WindowNotFound);
    };
    let window = tauri::WebviewWindowBuilder::from_config(app, cfg)?
        // Shown once it has its size (below), so it never opens cut off.
        .visible(false)
        .on_navigation(|url| {
            let ok = clerk_app::shell::own_origin(url.scheme(), url.host_str(), url.port());
            if !ok {
                tracing::warn!(
                    scheme = url.scheme(),
                    host = url.host_str().unwrap_or(""),
                    "navigation away from the app refused"
                );
            }
            ok
        })
        .on_new_window(|url, _features| {
            tracing::warn!(
                scheme = url.scheme(),
                host = url.host_str().unwrap_or(""),
                "window.open refused"
            );
            tauri::webview::NewWindowResponse::Deny
        })
        .build()?;
    // Within the screen's work area: on a 1366×768 office screen the
    // configured 1280×800 would hide the status bar below the task bar.
    if let Ok(Some(m)) = window.current_monitor() {
        let scale = m.scale_factor();
        let area = m.work_area();
        let fit = clerk_app::shell::fit_window(
            (
                f64::from(area.size.width) / scale,
                f64::from(area.size.height) / scale,
            ),
            (cfg.width, cfg.height),
        );
        if fit.maximise {
            let _ = window.set_size(tauri::LogicalSize::new(fit.width, fit.height));
            let _ = window.set_position(area.position);
            let _ = window.maximize();
        }
    }
    window.show()?;
    Ok(())
}

pub fn run() {
    let started = std::time::Instant::now();
    let paths = paths::Paths::resolve();
    let core = state::AppCore::load(&paths, started);
    let _log_guard = logging::init(&paths.log_dir, &core.config.config.log);
    core.log_start(&paths);

    // Single instance first: a second launch focuses the running window
    // instead of opening a second writer on the same database and printer.
    let mut builder = tauri::Builder::default();
    // Two windows of one hall on one test machine need two instances, each
    // with its own data dir; the data dir's file lock still allows one
    // process per database. Testing only, and logged.
    if state::test_switch(state::MULTI_INSTANCE_ENV).is_some() {
        tracing::warn!(
            "{} is set: no single-instance check (testing only)",
            state::MULTI_INSTANCE_ENV
        );
    } else {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("second launch: focusing the running window");
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }));
    }

    let result = build(builder, core)
        .build(tauri::generate_context!())
        .and_then(|app| main_window(app.handle()).map(|()| app))
        .map(|app| {
            stop_on_signals(app.handle().clone());
            app.run(|handle, event| {
                if let tauri::RunEvent::Exit = event {
                    handle.state::<state::AppCore>().close();
                }
            })
        });
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        eprintln!("窗口受理客户端无法启动 / Window Clerk could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_access;
#[cfg(test)]
mod tests_lifecycle;
