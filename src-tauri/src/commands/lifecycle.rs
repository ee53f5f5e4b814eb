//! Adapters for clerk-app's `lifecycle` services (the case after intake).

use clerk_app::lifecycle as svc;
use clerk_app::{AppCore, CmdResult};
use clerk_ipc::{CaseListItem, CaseProgress, CaseQueue, ProgressInput, QueueCount};
use tauri::State;

#[tauri::command]
pub async fn case_progress(core: State<'_, AppCore>, case_id: String) -> CmdResult<CaseProgress> {
    svc::case_progress(&core, case_id).await
}

#[tauri::command]
pub async fn progress_case(
    core: State<'_, AppCore>,
    case_id: String,
    input: ProgressInput,
) -> CmdResult<CaseProgress> {
    svc::progress_case(&core, case_id, input).await
}

#[tauri::command]
pub async fn queue_cases(
    core: State<'_, AppCore>,
    queue: CaseQueue,
) -> CmdResult<Vec<CaseListItem>> {
    svc::queue_cases(&core, queue).await
}

#[tauri::command]
pub async fn queue_counts(core: State<'_, AppCore>) -> CmdResult<Vec<QueueCount>> {
    svc::queue_counts(&core).await
}
