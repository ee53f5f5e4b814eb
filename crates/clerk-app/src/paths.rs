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

/// Windows: the **local** profile (`%LOCALAPPDATA%`), never the roaming one
/// (issue #13): a roaming profile is copied to the domain's file server at
/// every sign-out, and the database, its key's name and the scans are this
/// PC's alone. A folder an earlier version made in the roaming profile is
/// kept in use while the local one holds no database, so nothing is lost.
#[cfg(target_os = "windows")]
fn os_data_dir() -> PathBuf {
    let var = |k: &str| std::env::var_os(k).map(PathBuf::from);
    windows_data_dir(
        var("LOCALAPPDATA").unwrap_or_else(home),
        var("APPDATA"),
        |p| p.join(clerk_store::DB_FILE).exists(),
    )
}

#[cfg_attr(not(target_os = "windows"), allow(dead_code))]
fn windows_data_dir(
    local: PathBuf,
    roaming: Option<PathBuf>,
    has_db: impl Fn(&std::path::Path) -> bool,
) -> PathBuf {
    let local = local.join(IDENTIFIER);
    match roaming.map(|r| r.join(IDENTIFIER)) {
        Some(old) if !has_db(&local) && has_db(&old) => old,
        _ => local,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_keeps_data_in_the_local_profile() {
        let local = PathBuf::from(r"C:\Users\wf\AppData\Local");
        let roaming = Some(PathBuf::from(r"C:\Users\wf\AppData\Roaming"));
        let want_local = local.join(IDENTIFIER);
        assert_eq!(
            windows_data_dir(local.clone(), roaming.clone(), |_| false),
            want_local
        );
        // Only an earlier version's roaming folder holds a database: kept.
        let old = roaming.clone().unwrap().join(IDENTIFIER);
        let o = old.clone();
        assert_eq!(
            windows_data_dir(local.clone(), roaming.clone(), move |p| p == o),
            old
        );
        // Both: the local one.
        assert_eq!(
            windows_data_dir(local.clone(), roaming, |_| true),
            want_local
        );
        assert_eq!(windows_data_dir(local, None, |_| false), want_local);
    }
}
