//! Adapters for clerk-app's `session` services.

use clerk_app::session as svc;
use clerk_app::{AppCore, CmdResult};
#[allow(unused_imports)]
use clerk_ipc::*;
use tauri::State;

#[tauri::command]
pub async fn session_state(core: State<'_, AppCore>) -> CmdResult<SessionState> {
    svc::session_state(&core).await
}

#[tauri::command]
pub async fn sign_in(
    core: State<'_, AppCore>,
    user_id: String,
    password: String,
) -> CmdResult<SessionState> {
    svc::sign_in(&core, user_id, password).await
}

#[tauri::command]
pub async fn unlock(core: State<'_, AppCore>, password: String) -> CmdResult<SessionState> {
    svc::unlock(&core, password).await
}

#[tauri::command]
pub async fn sign_out(core: State<'_, AppCore>) -> CmdResult<SessionState> {
    svc::sign_out(&core).await
}

#[tauri::command]
pub async fn session_touch(core: State<'_, AppCore>) -> CmdResult<()> {
    svc::session_touch(&core).await
}

#[tauri::command]
pub async fn create_first_admin(
    core: State<'_, AppCore>,
    user_id: String,
    display_name: String,
    password: String,
) -> CmdResult<SessionState> {
    svc::create_first_admin(&core, user_id, display_name, password).await
}
