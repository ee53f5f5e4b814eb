//! Adapters for clerk-app's `queue` services.

use clerk_app::queue as svc;
use clerk_app::{AppCore, CmdResult};
#[allow(unused_imports)]
use clerk_ipc::*;
use tauri::State;

#[tauri::command]
pub async fn hall_cases(core: State<'_, AppCore>) -> CmdResult<Vec<HallCase>> {
    svc::hall_cases(&core).await
}

#[tauri::command]
pub async fn accept_online(core: State<'_, AppCore>, case_id: String) -> CmdResult<()> {
    svc::accept_online(&core, case_id).await
}

#[tauri::command]
pub async fn list_cases(core: State<'_, AppCore>, query: String) -> CmdResult<Vec<CaseListItem>> {
    svc::list_cases(&core, query).await
}

#[tauri::command]
pub async fn case_attachments(
    core: State<'_, AppCore>,
    case_id: String,
) -> CmdResult<clerk_ipc::CaseAttachments> {
    svc::case_attachments(&core, case_id).await
}

/// The scan's bytes are the request body, its case, material and file
/// name are headers (`x-case-id`, `x-role`, `x-file-name`).
#[tauri::command]
pub async fn attach_scan(
    core: State<'_, AppCore>,
    request: tauri::ipc::Request<'_>,
) -> CmdResult<CaseAttachments> {
    let header = |n: &str| {
        request
            .headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let scan = svc::Scan {
        case_id: header("x-case-id"),
        role: header("x-role"),
        file_name: header("x-file-name"),
        bytes: match request.body() {
            tauri::ipc::InvokeBody::Raw(b) => Some(b.clone()),
            tauri::ipc::InvokeBody::Json(_) => None,
        },
    };
    svc::attach_scan(&core, scan).await
}

#[tauri::command]
pub async fn case_contact(
    core: State<'_, AppCore>,
    case_id: String,
) -> CmdResult<clerk_ipc::CaseContact> {
    svc::case_contact(&core, case_id).await
}

#[tauri::command]
pub async fn edit_case_fields(
    core: State<'_, AppCore>,
    case_id: String,
    edits: Vec<clerk_ipc::FieldEdit>,
) -> CmdResult<clerk_ipc::CaseContact> {
    svc::edit_case_fields(&core, case_id, edits).await
}
