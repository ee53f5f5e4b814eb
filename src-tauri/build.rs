// Every app command must be listed here: Tauri then generates an
// `allow-<command>` permission for it, and the webview may call only the
// commands its capability (capabilities/main.json) names.
const COMMANDS: &[&str] = &[
    "app_info",
    "sync_status",
    "list_matters",
    "ui_ready",
    "log_ui",
    "matter_detail",
    "check_applicant",
    "known_applicant",
    "save_draft",
    "load_draft",
    "discard_draft",
    "take_in",
    "list_cases",
    "case_documents",
    "print_document",
    "printers",
    "document_preview",
    "withheld_preview",
    "enroll_device",
    "sync_now",
    "hall_cases",
    "accept_online",
    "outbox_items",
    "retry_outbox_item",
    "case_attachments",
    "attach_scan",
    "catalogue_drift",
    "missing_materials",
    "calendar_status",
    "import_calendar",
    "mark_deadline_moves_seen",
    "case_contact",
    "edit_case_fields",
    "case_progress",
    "progress_case",
    "queue_cases",
    "queue_counts",
    "session_state",
    "sign_in",
    "unlock",
    "sign_out",
    "session_touch",
    "create_first_admin",
    "list_users",
    "add_user",
    "set_user_disabled",
    "audit_trail",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
