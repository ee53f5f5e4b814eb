//! Adapters for clerk-app's `intake` services.

use clerk_app::intake as svc;
use clerk_app::{AppCore, CmdResult};
#[allow(unused_imports)]
use clerk_ipc::*;
use tauri::State;

#[tauri::command]
pub async fn list_matters(
    core: State<'_, AppCore>,
    query: String,
) -> CmdResult<Vec<MatterSummary>> {
    svc::list_matters(&core, query).await
}

#[tauri::command]
pub async fn matter_detail(
    core: State<'_, AppCore>,
    code: String,
    version: Option<u32>,
) -> CmdResult<MatterDetail> {
    svc::matter_detail(&core, code, version).await
}

#[tauri::command]
pub async fn check_applicant(
    core: State<'_, AppCore>,
    applicant: ApplicantForm,
) -> CmdResult<Vec<FieldProblem>> {
    svc::check_applicant(&core, applicant).await
}

#[tauri::command]
pub async fn known_applicant(
    core: State<'_, AppCore>,
    id_no: String,
) -> CmdResult<Option<ApplicantForm>> {
    svc::known_applicant(&core, id_no).await
}

#[tauri::command]
pub async fn save_draft(core: State<'_, AppCore>, body: String) -> CmdResult<()> {
    svc::save_draft(&core, body).await
}

#[tauri::command]
pub async fn load_draft(core: State<'_, AppCore>) -> CmdResult<Option<Draft>> {
    svc::load_draft(&core).await
}

#[tauri::command]
pub async fn discard_draft(core: State<'_, AppCore>) -> CmdResult<()> {
    svc::discard_draft(&core).await
}

#[tauri::command]
pub async fn take_in(core: State<'_, AppCore>, form: IntakeForm) -> CmdResult<TakeInOutcome> {
    svc::take_in(&core, form).await
}

#[tauri::command]
pub async fn missing_materials(
    core: State<'_, AppCore>,
    form: IntakeForm,
) -> CmdResult<Vec<MissingMaterial>> {
    svc::missing_materials(&core, form).await
}

#[tauri::command]
pub async fn catalogue_drift(
    core: State<'_, AppCore>,
    code: String,
    version: u32,
) -> CmdResult<Option<clerk_ipc::CatalogueDrift>> {
    svc::catalogue_drift(&core, code, version).await
}
