//! The cases after intake: my cases and search, the hall's cases from the
//! platform, pre-review of online applications, contact edits and scans.

use crate::errors::*;
use crate::state::AppCore;
use clerk_core::catalogue as cat;
use clerk_ipc::{CaseListItem, CaseStatus, Text};
use clerk_ipc::{CmdError, CodeName, ErrorKind, HallCase, NodeStatus};

/// The hall's cases as the platform knows them: the other windows', the
/// departments' progress, online applications waiting for pre-review.
pub async fn hall_cases(core: &AppCore) -> CmdResult<Vec<HallCase>> {
    core.user("hall_cases")?;
    let store = core.store().await?;
    let rows = blocking(move || store.server_cases(2000).map_err(storage)).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let d = &c.data["data"];
            let case = &d["case"];
            HallCase {
                status_text: crate::words::platform_status_text(&c.status),
                matter_name: case["matter_name"].as_str().unwrap_or_default().to_owned(),
                applicant_name: case["applicant"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                online: c.data["online"].as_bool().unwrap_or(false),
                deemed_accepted_from: d["deemed_accepted"]["from"].as_str().map(str::to_owned),
                nodes: c.data["nodes"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| NodeStatus {
                                department: k.clone(),
                                status: v.as_str().unwrap_or_default().to_owned(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                case_id: c.case_id,
                receipt_no: c.receipt_no,
                status: CaseStatus::from_code(&c.status),
                version: c.version,
            }
        })
        .collect())
}

/// Accept an online application after pre-review at this window: queued
/// for the platform like every clerk action (works offline, syncs later).
pub async fn accept_online(core: &AppCore, case_id: String) -> CmdResult<()> {
    let me = core.user("accept_online")?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let id = case_id.clone();
    blocking(move || {
        let Some(c) = store.server_case(&id).map_err(storage)? else {
            return Err(CmdError::new(
                ErrorKind::NotFound,
                "没有该办件",
                "No such case",
            ));
        };
        clerk_core::case::may_accept_online(&c.status)
            .map_err(|(zh, en)| CmdError::new(ErrorKind::Validation, zh, en))?;
        store
            .enqueue_mutation(
                &clerk_store::NewMutation {
                    kind: clerk_core::mutation::MutationKind::CaseAcceptOnline
                        .as_str()
                        .into(),
                    type_version: 1,
                    case_id: Some(id.clone()),
                    base_version: Some(c.version),
                    payload: serde_json::json!({"status": "accepted"}),
                },
                &actor,
                clerk_store::time::now_millis(),
            )
            .map_err(storage)
    })
    .await?;
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    Ok(())
}

pub(crate) fn list_item(
    core: &AppCore,
    calendar: &clerk_core::calendar::WorkCalendar,
    today: clerk_core::date::Date,
    r: clerk_store::CaseRow,
) -> CaseListItem {
    let d = &core.config.config.deadlines;
    let running = matches!(r.status.as_str(), "accepted" | "accepted_with_gaps");
    let clock = r
        .promised_due
        .as_deref()
        .and_then(clerk_core::date::Date::parse_iso)
        .filter(|_| running)
        .and_then(|due| {
            let t = clerk_core::clock::Thresholds {
                yellow: d.yellow_days,
                red: d.red_days,
            };
            clerk_core::clock::light_for_due(calendar, today, due, t).ok()
        });
    // created_at is UTC; the hall works in China Standard Time.
    let time = clerk_store::time::local_hhmm(&r.created_at).unwrap_or_default();
    CaseListItem {
        case_id: r.case_id,
        receipt_no: r.receipt_no,
        matter_name: r.matter_name,
        status: CaseStatus::from_code(&r.status),
        status_text: crate::words::status_text(&r.status),
        applicant_name: r.applicant_name,
        applicant_id_masked: clerk_core::ids::mask_id(&r.applicant_id_no),
        phone_masked: clerk_core::ids::mask_phone(&r.applicant_phone),
        due_provisional: r
            .promised_due
            .as_deref()
            .and_then(clerk_core::date::Date::parse_iso)
            .is_some_and(|due| {
                let from = clerk_core::date::Date::parse_iso(&r.received_on)
                    .map_or(due.year(), |d| d.year());
                r.provisional_years
                    .iter()
                    .any(|y| (from..=due.year()).contains(y))
            }),
        received_on: r.received_on,
        promised_due: r.promised_due,
        light: clock.map(|(l, _)| l.as_str().to_owned()),
        days_left: clock.map(|(_, n)| n),
        time,
        window_code: r.window_code,
    }
}

/// Today's cases at this PC, newest first; with a query, a search over all
/// cached cases (number, name, ID, phone, matter).
pub async fn list_cases(core: &AppCore, query: String) -> CmdResult<Vec<CaseListItem>> {
    let me = core.user("list_cases")?;
    search_text(&query)?;
    let store = core.store().await?;
    let today = core.today().to_string();
    // "My cases" (issue #12): a clerk lists their own; a supervisor the
    // PC's. The store filters, so the limit counts the clerk's own cases.
    let clerk = (!me.sees_all_cases()).then(|| me.user_id.clone());
    let rows = blocking(move || {
        if query.trim().is_empty() {
            store.cases_on_by(&today, clerk.as_deref(), 200)
        } else {
            store.search_by(&query, clerk.as_deref(), 200)
        }
        .map_err(storage)
    })
    .await?;
    let today = core.today();
    let calendar = core.calendar().await;
    Ok(rows
        .into_iter()
        .map(|r| list_item(core, &calendar, today, r))
        .collect())
}

/// The scans attached to a case, with their upload state.
pub async fn case_attachments(
    core: &AppCore,
    case_id: String,
) -> CmdResult<clerk_ipc::CaseAttachments> {
    core.user("case_attachments")?;
    let store = core.store().await?;
    let (rows, matter) = blocking(move || attachment_rows(&store, &case_id)).await?;
    let catalogue = core.catalogue().await;
    Ok(attachment_items(
        rows,
        matter.and_then(|m| catalogue.matter(&m)),
    ))
}

/// The rows, and the case's matter code when it is a case of this window.
fn attachment_rows(
    store: &clerk_store::Store,
    case_id: &str,
) -> CmdResult<(Vec<clerk_store::AttachmentRow>, Option<String>)> {
    let matter = store
        .case(case_id)
        .map_err(storage)?
        .map(|(_, c)| c.matter_code);
    Ok((store.attachments_of(case_id).map_err(storage)?, matter))
}

fn attachment_items(
    rows: Vec<clerk_store::AttachmentRow>,
    matter: Option<&cat::Matter>,
) -> clerk_ipc::CaseAttachments {
    let materials = matter
        .map(|m| {
            m.materials
                .iter()
                .map(|x| CodeName {
                    code: x.id.clone(),
                    name: x.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let items = rows
        .into_iter()
        .map(|a| clerk_ipc::AttachmentItem {
            role_name: matter
                .and_then(|m| m.material_name(&a.role))
                .map(str::to_owned),
            added_at: clerk_store::time::local_datetime(&a.added_at).unwrap_or(a.added_at),
            sha256: a.sha256,
            role: a.role,
            name: a.name,
            mime: a.mime,
            size: a.size,
            state: a.state,
            last_error: a.last_error,
        })
        .collect();
    clerk_ipc::CaseAttachments { items, materials }
}

/// A scan as the webview sent it: the file's bytes are the request body,
/// with `x-case-id`, `x-role` and the URI-encoded `x-file-name` headers.
/// Absent parts are None; [`attach_scan`] says which is missing.
pub struct Scan {
    pub case_id: Option<String>,
    pub role: Option<String>,
    /// As sent (`encodeURIComponent`): file names may be Chinese.
    pub file_name: Option<String>,
    pub bytes: Option<Vec<u8>>,
}

/// Attach a scan the clerk picked. It is checked by content, kept
/// encrypted, queued as `case.attach`, and uploaded by the attachment lane
/// when the platform can be reached.
pub async fn attach_scan(core: &AppCore, scan: Scan) -> CmdResult<clerk_ipc::CaseAttachments> {
    let me = core.user("attach_scan")?;
    let (Some(case_id), Some(role)) = (scan.case_id, scan.role) else {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "请选择办件和材料后再添加扫描件",
            "Choose the case and the material first",
        )
        .on_field("attachment"));
    };
    let name = scan
        .file_name
        .map(|n| percent_decode(&n))
        .unwrap_or_else(|| "scan".into());
    let Some(bytes) = scan.bytes else {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "没有收到文件内容，请重新选择扫描件",
            "No file content arrived; pick the scan again",
        )
        .on_field("attachment"));
    };
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let (rows, matter) = blocking(move || {
        store
            .attach_bytes(
                &case_id,
                &name,
                &bytes,
                &role,
                &actor,
                clerk_store::time::now_millis(),
            )
            .map_err(storage)?;
        attachment_rows(&store, &case_id)
    })
    .await?;
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    let catalogue = core.catalogue().await;
    Ok(attachment_items(
        rows,
        matter.and_then(|m| catalogue.matter(&m)),
    ))
}

/// `encodeURIComponent` undone (file names may be Chinese).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn contact_of(view: clerk_store::CaseView) -> clerk_ipc::CaseContact {
    let get = |f: &str| {
        clerk_core::edit::get(&view.case, f)
            .unwrap_or_default()
            .to_owned()
    };
    let editable = view
        .status
        .as_deref()
        .is_none_or(clerk_core::edit::editable_in);
    let reason = match view.status.as_deref() {
        Some(s) if !editable => Some(Text {
            zh: format!(
                "该办件当前为「{}」，受理信息不能再修改",
                clerk_core::case::platform_status_zh(s)
            ),
            en: format!(
                "The case is {}: its intake fields can no longer be changed",
                clerk_core::case::platform_status_en(s).to_lowercase()
            ),
        }),
        _ => None,
    };
    clerk_ipc::CaseContact {
        phone: get("applicant.phone"),
        address: get("applicant.address"),
        agent_name: get("applicant.agent_name"),
        editable,
        reason,
        conflicts: view
            .conflicts
            .into_iter()
            .map(|c| clerk_ipc::ConflictItem {
                field_text: Text {
                    zh: clerk_core::edit::label_zh(&c.field)
                        .unwrap_or(&c.field)
                        .to_owned(),
                    en: clerk_core::edit::label_en(&c.field)
                        .unwrap_or(&c.field)
                        .to_owned(),
                },
                field: c.field,
                platform_value: c.platform_value,
                window_value: c.window_value,
                window: c.window,
            })
            .collect(),
    }
}

/// A case's contact fields as this window sees them (its own edits not
/// yet on the platform included), and the platform's conflicts.
pub async fn case_contact(core: &AppCore, case_id: String) -> CmdResult<clerk_ipc::CaseContact> {
    core.user("case_contact")?;
    let store = core.store().await?;
    blocking(move || {
        store
            .case_view(&case_id)
            .map_err(storage)?
            .map(contact_of)
            .ok_or_else(|| CmdError::new(ErrorKind::NotFound, "没有该办件", "No such case"))
    })
    .await
}

/// Change contact fields after intake: checked by clerk-core, queued as
/// `case.update_fields` (field-level merge on the platform), works offline.
pub async fn edit_case_fields(
    core: &AppCore,
    case_id: String,
    edits: Vec<clerk_ipc::FieldEdit>,
) -> CmdResult<clerk_ipc::CaseContact> {
    let me = core.user("edit_case_fields")?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let contact = blocking(move || {
        let edits: Vec<(String, String)> = edits.into_iter().map(|e| (e.field, e.value)).collect();
        store
            .edit_fields(&case_id, &edits, &actor, clerk_store::time::now_millis())
            .map_err(storage)?;
        store
            .case_view(&case_id)
            .map_err(storage)?
            .map(contact_of)
            .ok_or_else(|| CmdError::new(ErrorKind::NotFound, "没有该办件", "No such case"))
    })
    .await?;
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    Ok(contact)
}
