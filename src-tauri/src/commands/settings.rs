//! Adapters for clerk-app's `settings` services.

use clerk_app::settings as svc;
use clerk_app::{AppCore, CmdResult};
#[allow(unused_imports)]
use clerk_ipc::*;
use tauri::State;

#[tauri::command]
pub async fn calendar_status(core: State<'_, AppCore>) -> CmdResult<CalendarStatus> {
    svc::calendar_status(&core).await
}

#[tauri::command]
pub async fn import_calendar(
    core: State<'_, AppCore>,
    body: String,
) -> CmdResult<CalendarImported> {
    svc::import_calendar(&core, body).await
}

#[tauri::command]
pub async fn mark_deadline_moves_seen(core: State<'_, AppCore>) -> CmdResult<u32> {
    svc::mark_deadline_moves_seen(&core).await
}

#[tauri::command]
pub async fn list_users(core: State<'_, AppCore>) -> CmdResult<Vec<UserInfo>> {
    svc::list_users(&core).await
}

#[tauri::command]
pub async fn add_user(
    core: State<'_, AppCore>,
    user_id: String,
    display_name: String,
    roles: Vec<RoleName>,
    password: String,
) -> CmdResult<Vec<UserInfo>> {
    svc::add_user(&core, user_id, display_name, roles, password).await
}

#[tauri::command]
pub async fn set_user_disabled(
    core: State<'_, AppCore>,
    user_id: String,
    disabled: bool,
) -> CmdResult<Vec<UserInfo>> {
    svc::set_user_disabled(&core, user_id, disabled).await
}

#[tauri::command]
pub async fn audit_trail(core: State<'_, AppCore>) -> CmdResult<Vec<AuditItem>> {
    svc::audit_trail(&core).await
}
