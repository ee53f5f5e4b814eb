//! The shell: what this app is and where it runs, the UI's ready mark
//! and its log lines.

use crate::errors::*;
use crate::state::AppCore;
use clerk_ipc::{
    AppInfo, CatalogueInfo, CmdError, CodeName, ConfigSource, ErrorKind, RunMode, UiLogLevel,
};
use std::sync::atomic::Ordering;

pub(crate) fn mode(core: &AppCore) -> RunMode {
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

pub async fn app_info(core: &AppCore) -> CmdResult<AppInfo> {
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
        mode: mode(core),
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

/// The UI calls this once when the shell is mounted and interactive.
pub async fn ui_ready(core: &AppCore) -> CmdResult<()> {
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
pub async fn log_ui(core: &AppCore, level: UiLogLevel, message: String) -> CmdResult<()> {
    core.gate("log_ui")?;
    let message: String = message.chars().take(500).collect();
    match level {
        UiLogLevel::Error => tracing::error!(target: "ui", "{message}"),
        UiLogLevel::Warn => tracing::warn!(target: "ui", "{message}"),
        UiLogLevel::Info => tracing::info!(target: "ui", "{message}"),
    }
    Ok(())
}

/// What runs once while the window loads: the encrypted store opens, the
/// lookups a crash left behind are derived, and sync starts by itself when
/// a platform is configured (enrolling the PC first when IT passed a
/// one-time code: silent provisioning).
pub async fn on_start(core: &AppCore) {
    let Ok(store) = core.store().await else {
        return;
    };
    // Lookups not derived yet (the last run ended right after an intake, or
    // the database was just upgraded and derives them all once) are brought
    // up to date now, not on the clerk's first search.
    tokio::task::spawn_blocking(move || match store.index_pending() {
        Ok(0) => {}
        Ok(n) => tracing::info!(cases = n, "derived lookups brought up to date at start"),
        Err(e) => {
            tracing::warn!(error = %e, "derived lookups not brought up to date at start (the next read retries)")
        }
    });
    let Some(h) = core.sync().await else {
        return;
    };
    // Silent provisioning: IT passes a one-time code (installer switch, or
    // `cargo xtask run --platform`).
    if let Ok(code) = std::env::var(crate::state::ENROL_CODE_ENV) {
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

/// Whether the webview may show `scheme://host`: the app's own origin
/// only (`tauri://localhost` on Linux and macOS, `http(s)://tauri.localhost`
/// on Windows), so no link, redirect or injected script takes the clerk's
/// window, its IPC and its session to another site. The Vite dev server
/// (`devUrl`) only in a debug build.
pub fn own_origin(scheme: &str, host: Option<&str>, port: Option<u16>) -> bool {
    match (scheme, host) {
        ("tauri", Some("localhost")) => true,
        ("http" | "https", Some("tauri.localhost")) => true,
        ("http", Some("localhost")) => cfg!(debug_assertions) && port == Some(5173),
        _ => false,
    }
}

/// The main window's size on a screen whose work area (the screen less
/// the task bar) is `work` logical pixels: the configured size when it
/// fits, else the whole work area, maximised (issue #14: a 1366×768 office
/// screen cut the status bar off a 1280×800 window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowFit {
    pub width: f64,
    pub height: f64,
    pub maximise: bool,
}

pub fn fit_window(work: (f64, f64), wanted: (f64, f64)) -> WindowFit {
    if wanted.0 <= work.0 && wanted.1 <= work.1 {
        WindowFit {
            width: wanted.0,
            height: wanted.1,
            maximise: false,
        }
    } else {
        WindowFit {
            width: work.0,
            height: work.1,
            maximise: true,
        }
    }
}

#[cfg(test)]
mod fit_tests {
    use super::{fit_window, WindowFit};

    #[test]
    fn the_window_fits_the_work_area() {
        let fit = |w, h| fit_window((w, h), (1280.0, 800.0));
        assert_eq!(
            fit(1920.0, 1040.0),
            WindowFit {
                width: 1280.0,
                height: 800.0,
                maximise: false
            }
        );
        // 1366×768 less a 40 px task bar.
        assert_eq!(
            fit(1366.0, 728.0),
            WindowFit {
                width: 1366.0,
                height: 728.0,
                maximise: true
            }
        );
        assert_eq!(
            fit(1280.0, 800.0),
            WindowFit {
                width: 1280.0,
                height: 800.0,
                maximise: false
            }
        );
        assert_eq!(
            fit(1024.0, 600.0),
            WindowFit {
                width: 1024.0,
                height: 600.0,
                maximise: true
            }
        );
    }
}

#[cfg(test)]
mod origin_tests {
    use super::own_origin;

    #[test]
    fn the_window_shows_the_app_and_nothing_else() {
        assert!(own_origin("tauri", Some("localhost"), None));
        assert!(own_origin("http", Some("tauri.localhost"), None));
        assert!(own_origin("https", Some("tauri.localhost"), None));
        for (scheme, host, port) in [
            ("https", Some("example.org"), None),
            ("http", Some("127.0.0.1"), Some(8080)),
            ("http", Some("localhost"), Some(8080)),
            ("tauri", Some("evil.example"), None),
            ("file", None, None),
            ("data", None, None),
            ("javascript", None, None),
            ("https", Some("tauri.localhost.evil.example"), None),
        ] {
            assert!(
                !own_origin(scheme, host, port),
                "{scheme}://{host:?}:{port:?}"
            );
        }
        // The dev server, in a debug build (tests are).
        assert!(own_origin("http", Some("localhost"), Some(5173)));
    }
}
