//! Adapters for clerk-app's `shell` services.

use clerk_app::shell as svc;
use clerk_app::{AppCore, CmdResult};
#[allow(unused_imports)]
use clerk_ipc::*;
use tauri::State;

#[tauri::command]
pub async fn app_info(core: State<'_, AppCore>) -> CmdResult<AppInfo> {
    svc::app_info(&core).await
}

#[tauri::command]
pub async fn ui_ready(core: State<'_, AppCore>) -> CmdResult<()> {
    svc::ui_ready(&core).await
}

#[tauri::command]
pub async fn log_ui(core: State<'_, AppCore>, level: UiLogLevel, message: String) -> CmdResult<()> {
    svc::log_ui(&core, level, message).await
}
