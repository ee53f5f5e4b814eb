//! Adapters for clerk-app's `documents` services.

use clerk_app::documents as svc;
use clerk_app::{AppCore, CmdResult};
#[allow(unused_imports)]
use clerk_ipc::*;
use tauri::State;

#[tauri::command]
pub async fn case_documents(
    core: State<'_, AppCore>,
    case_id: String,
) -> CmdResult<Vec<DocumentInfo>> {
    svc::case_documents(&core, case_id).await
}

#[tauri::command]
pub async fn print_document(core: State<'_, AppCore>, id: String) -> CmdResult<PrintResult> {
    svc::print_document(&core, id).await
}

#[tauri::command]
pub async fn printers(core: State<'_, AppCore>) -> CmdResult<Vec<String>> {
    svc::printers(&core).await
}

/// Raw PDF bytes of a withheld document's preview.
#[tauri::command]
pub async fn withheld_preview(
    core: State<'_, AppCore>,
    case_id: String,
    kind: String,
) -> CmdResult<tauri::ipc::Response> {
    svc::withheld_preview(&core, case_id, kind)
        .await
        .map(tauri::ipc::Response::new)
}

/// Raw PDF bytes, not a JSON array of numbers.
#[tauri::command]
pub async fn document_preview(
    core: State<'_, AppCore>,
    id: String,
) -> CmdResult<tauri::ipc::Response> {
    svc::document_preview(&core, id)
        .await
        .map(tauri::ipc::Response::new)
}
