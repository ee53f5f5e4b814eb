//! Window Clerk, the app crate.
//!
//! Architecture Invariant: nothing here holds a business rule. This crate
//! wires the clerk-* crates to Tauri: it builds [`state::AppCore`] at start,
//! maps commands to core calls and core errors to [`clerk_ipc::CmdError`].

mod commands;
mod logging;
pub mod paths;
mod session;
pub mod state;

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
            commands::app_info,
            commands::sync_status,
            commands::list_matters,
            commands::ui_ready,
            commands::log_ui,
            commands::matter_detail,
            commands::check_applicant,
            commands::known_applicant,
            commands::save_draft,
            commands::load_draft,
            commands::discard_draft,
            commands::take_in,
            commands::list_cases,
            commands::case_documents,
            commands::print_document,
            commands::printers,
            commands::document_preview,
            commands::enroll_device,
            commands::sync_now,
            commands::hall_cases,
            commands::accept_online,
            commands::case_attachments,
            commands::attach_scan,
            commands::catalogue_drift,
            commands::calendar_status,
            commands::import_calendar,
            commands::mark_deadline_moves_seen,
            commands::case_contact,
            commands::edit_case_fields,
            commands::outbox_items,
            commands::retry_outbox_item,
            commands::session::session_state,
            commands::session::sign_in,
            commands::session::unlock,
            commands::session::sign_out,
            commands::session::session_touch,
            commands::session::create_first_admin,
            commands::session::list_users,
            commands::session::add_user,
            commands::session::set_user_disabled,
            commands::session::audit_trail,
        ])
        .setup(|app| {
            // Open the encrypted store while the window loads.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let core = handle.state::<state::AppCore>();
                if let Ok(store) = core.store().await {
                    // Lookups not derived yet (the last run ended right
                    // after an intake, or the database was just upgraded
                    // and derives them all once) are brought up to date now,
                    // not on the clerk's first search.
                    tauri::async_runtime::spawn_blocking(move || {
                        match store.index_pending() {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(cases = n, "derived lookups brought up to date at start"),
                            Err(e) => tracing::warn!(error = %e, "derived lookups not brought up to date at start (the next read retries)"),
                        }
                    });
                    // Sync starts by itself when a platform is configured.
                    if let Some(h) = core.sync().await {
                        // Silent provisioning: IT passes a one-time code
                        // (installer switch, or `cargo xtask run --platform`).
                        if let Ok(code) = std::env::var(state::ENROL_CODE_ENV) {
                            if !h.client.enrolled() {
                                let actor = clerk_store::Actor {
                                    user_id: "provisioning".into(),
                                    window_code: core.config.config.window.code.clone(),
                                };
                                match h.client.enroll(code.trim(), &actor).await {
                                    Ok(r) => tracing::info!(device = %r.device_code, "enrolled with the platform"),
                                    Err(e) => tracing::error!(error = %e, "enrolment failed"),
                                }
                                h.worker.poke_all();
                            }
                        }
                    }
                }
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
    if std::env::var_os(state::MULTI_INSTANCE_ENV).is_some() {
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
