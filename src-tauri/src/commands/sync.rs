//! Adapters for clerk-app's `sync` services.

use clerk_app::sync as svc;
use clerk_app::{AppCore, CmdResult};
#[allow(unused_imports)]
use clerk_ipc::*;
use tauri::State;

#[tauri::command]
pub async fn sync_status(core: State<'_, AppCore>) -> CmdResult<SyncStatus> {
    svc::sync_status(&core).await
}

#[tauri::command]
pub async fn enroll_device(core: State<'_, AppCore>, code: String) -> CmdResult<String> {
    svc::enroll_device(&core, code).await
}

#[tauri::command]
pub async fn sync_now(core: State<'_, AppCore>) -> CmdResult<SyncStatus> {
    svc::sync_now(&core).await
}

#[tauri::command]
pub async fn outbox_items(core: State<'_, AppCore>) -> CmdResult<Vec<OutboxItem>> {
    svc::outbox_items(&core).await
}

#[tauri::command]
pub async fn retry_outbox_item(core: State<'_, AppCore>, seq: i64) -> CmdResult<()> {
    svc::retry_outbox_item(&core, seq).await
}
