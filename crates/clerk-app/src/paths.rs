//! Where the app keeps its files. Resolved without Tauri so the same rules
//! hold before the window exists (logging starts first).

use std::path::PathBuf;

/// Overrides the data directory (tests, several instances on one PC).
pub const DATA_DIR_ENV: &str = "WINDOW_CLERK_DATA_DIR";
/// Overrides the log directory.
pub const LOG_DIR_ENV: &str = "WINDOW_CLERK_LOG_DIR";
/// When set, the app writes the milliseconds from process start to the
/// shell being interactive into this file (startup benchmark).
pub const STARTUP_MARKER_ENV: &str = "WINDOW_CLERK_STARTUP_MARKER";

/// Same as `identifier` in tauri.conf.json, so these are the folders Tauri's
/// `app_data_dir()` / `app_log_dir()` would pick.
const IDENTIFIER: &str = "cn.baoshan.windowclerk";

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    pub fn resolve() -> Self {
        let data_dir = std::env::var_os(DATA_DIR_ENV).map(PathBuf::from);
        let log_dir = std::env::var_os(LOG_DIR_ENV).map(PathBuf::from);
        let (data_dir, log_dir) = match (data_dir, log_dir) {
            (Some(d), Some(l)) => (d, l),
            // An overridden data dir keeps its logs beside it, so a test's
            // files stay in its own temporary folder.
            (Some(d), None) => (d.clone(), d.join("logs")),
            (None, l) => (os_data_dir(), l.unwrap_or_else(os_log_dir)),
        };
        Self {
            config_file: clerk_config::default_path(),
            data_dir,
            log_dir,
        }
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(target_os = "windows")]
fn os_data_dir() -> PathBuf {
    let base = std::env::var_os("APPDATA")
        .map(PathBuf::from)
        .unwrap_or_else(home);
    base.join(IDENTIFIER)
}
#[cfg(target_os = "windows")]
fn os_log_dir() -> PathBuf {
    let base = std::env::var_os("LOCALAPPDATA")
        .map(PathBuf::from)
        .unwrap_or_else(home);
    base.join(IDENTIFIER).join("logs")
}

#[cfg(target_os = "macos")]
fn os_data_dir() -> PathBuf {
    home().join("Library/Application Support").join(IDENTIFIER)
}
#[cfg(target_os = "macos")]
fn os_log_dir() -> PathBuf {
    home().join("Library/Logs").join(IDENTIFIER)
}

#[cfg(not(any(target_os = "windows", target_os = "macos")))]
fn os_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".local/share"))
        .join(IDENTIFIER)
}
#[cfg(not(any(target_os = "windows", target_os = "macos")))]
fn os_log_dir() -> PathBuf {
    // Tauri's app_log_dir() on Linux is the data dir's logs folder.
    os_data_dir().join("logs")
}
