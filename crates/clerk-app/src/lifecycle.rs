//! The case after intake at the same window (issue #14): supplements
//! brought back, 容缺 items supplied or the case terminated, withdrawal,
//! the result handed over. Rust says what may be done now
//! (`case_progress`); an action is checked by clerk-core's `lifecycle` and
//! recorded with its outbox row (`progress_case`), offline too. The notice
//! it needs is made by `case_documents` like every other.

use crate::errors::*;
use crate::state::AppCore;
use clerk_core::lifecycle::{self as lc, Event, Recorded};
use clerk_ipc::{
    CaseListItem, CaseProgress, CaseQueue, CaseStatus, CmdError, DeliveryMethod, ErrorKind,
    OwedMaterial, ProgressAction, ProgressEntry, ProgressInput, QueueCount, Text,
};

fn not_found() -> CmdError {
    CmdError::new(
        ErrorKind::NotFound,
        "没有该办件，或该办件不是本机受理的（请在受理该件的窗口办理）",
        "No such case, or not one taken in at this PC (act at the window that took it in)",
    )
}

fn action_of(code: &str) -> Option<ProgressAction> {
    Some(match code {
        "supplied" => ProgressAction::Supplied,
        "terminate" => ProgressAction::Terminate,
        "withdraw" => ProgressAction::Withdraw,
        "extend" => ProgressAction::Extend,
        "pause" => ProgressAction::Pause,
        "resume" => ProgressAction::Resume,
        "deliver" => ProgressAction::Deliver,
        _ => return None,
    })
}

/// The event of an action; an extension names the supervisor who approved
/// it (already checked by `session::approve_as`).
fn event_of(input: &ProgressInput, approver: Option<&crate::gate::User>) -> Event {
    match input.action {
        ProgressAction::Extend => Event::Extend {
            days: input.days,
            reason: input.reason.clone(),
            approved_by: approver.map(|a| a.user_id.clone()).unwrap_or_default(),
            approver_name: approver.map(|a| a.display_name.clone()).unwrap_or_default(),
        },
        ProgressAction::Supplied => Event::Supplied {
            material_ids: input.material_ids.clone(),
        },
        ProgressAction::Terminate => Event::Terminate,
        ProgressAction::Pause => Event::Pause {
            // The same names on both sides (a test in clerk-ipc keeps them so).
            procedure: serde_json::from_value(
                serde_json::to_value(input.procedure).expect("a name"),
            )
            .expect("the same names"),
            reason: input.reason.clone(),
            expected_days: input.days,
        },
        ProgressAction::Resume => Event::Resume,
        ProgressAction::Withdraw => Event::Withdraw {
            reason: input.reason.clone(),
        },
        ProgressAction::Deliver => Event::Deliver {
            method: match input.method {
                DeliveryMethod::Window => lc::DeliveryMethod::Window,
                DeliveryMethod::Post => lc::DeliveryMethod::Post,
                DeliveryMethod::ELicence => lc::DeliveryMethod::ELicence,
            },
            recipient: input.recipient.clone(),
            tracking_no: input.tracking_no.clone(),
            granted: false,
        },
    }
}

/// A rule's refusal, on its field, materials by name.
fn lifecycle_error(e: &lc::LifecycleError, matter: &clerk_core::catalogue::Matter) -> CmdError {
    let name = |id: &str| {
        matter
            .material_name(id)
            .map(|n| format!("「{n}」"))
            .unwrap_or_else(|| id.to_owned())
    };
    CmdError::new(ErrorKind::Validation, e.zh_with(&name), e.to_string()).on_field(e.field())
}

/// One line of the case's history after intake.
fn entry(r: &Recorded, matter: &clerk_core::catalogue::Matter) -> ProgressEntry {
    let (zh, en) = match &r.event {
        Event::Supplied { material_ids } => {
            let names: Vec<&str> = material_ids
                .iter()
                .map(|id| matter.material_name(id).unwrap_or(id))
                .collect();
            (
                format!("补交材料：{}", names.join("、")),
                format!("Supplied: {}", names.join(", ")),
            )
        }
        Event::Withdraw { reason } => (
            format!("撤回申请：{reason}"),
            format!("Withdrawn: {reason}"),
        ),
        Event::Extend {
            days,
            reason,
            approver_name,
            ..
        } => (
            format!("延长办理期限 {days} 个工作日（{approver_name} 批准）：{reason}"),
            format!("Extended by {days} working days (approved by {approver_name}): {reason}"),
        ),
        Event::Deliver {
            method,
            recipient,
            tracking_no,
            ..
        } => {
            let post = if tracking_no.is_empty() {
                String::new()
            } else {
                format!("（{tracking_no}）")
            };
            (
                format!("出件送达：{}{post}，签收人 {recipient}", method.zh()),
                format!("Delivered: {}{post}, received by {recipient}", method.en()),
            )
        }
        Event::Pause {
            procedure,
            reason,
            expected_days,
        } => (
            format!(
                "特别程序开始：{}，预计 {expected_days} 个工作日（{reason}），期间不计入办理期限",
                procedure.zh()
            ),
            format!(
                "Special procedure: {}, about {expected_days} working days ({reason}); not counted",
                procedure.en()
            ),
        ),
        e => (e.zh().to_owned(), e.en().to_owned()),
    };
    ProgressEntry {
        on: r.on.to_string(),
        text: Text { zh, en },
    }
}

fn view(
    st: &clerk_store::CaseState,
    matter: &clerk_core::catalogue::Matter,
    today: clerk_core::date::Date,
    case_id: String,
) -> CaseProgress {
    let c = &st.case;
    CaseProgress {
        case_id,
        receipt_no: st.receipt_no.clone(),
        applicant_name: c.applicant.name.clone(),
        status: CaseStatus::from_code(&st.status),
        status_text: crate::words::status_text(&st.status),
        actions: lc::allowed(c, &st.status, matter, today)
            .into_iter()
            .filter_map(action_of)
            .collect(),
        owed: lc::owed_ids(c, matter)
            .into_iter()
            .map(|id| OwedMaterial {
                name: matter.material_name(&id).unwrap_or(&id).to_owned(),
                material_id: id,
            })
            .collect(),
        supply_by: c.supply_by.map(|d| d.to_string()),
        accepted_on: c.accepted_on.map(|d| d.to_string()),
        promised_due: c.promised_due.map(|d| d.to_string()),
        today: today.to_string(),
        history: c.events.iter().map(|r| entry(r, matter)).collect(),
    }
}

/// Read the case and its pinned matter.
async fn load(
    core: &AppCore,
    case_id: &str,
) -> CmdResult<(clerk_store::CaseState, clerk_core::catalogue::Matter)> {
    let store = core.store().await?;
    let id = case_id.to_owned();
    let st = blocking(move || store.case_state(&id).map_err(storage))
        .await?
        .ok_or_else(not_found)?;
    let pinned = core.catalogue_pinned(st.case.matter_version).await;
    let matter = pinned
        .matter(&st.case.matter_code)
        .cloned()
        .ok_or_else(|| {
            CmdError::new(
                ErrorKind::NotFound,
                "目录中没有该事项",
                "The matter is not in the catalogue",
            )
        })?;
    Ok((st, matter))
}

/// Where a case of this PC stands after intake and what may be done now.
pub async fn case_progress(core: &AppCore, case_id: String) -> CmdResult<CaseProgress> {
    core.user("case_progress")?;
    let (st, matter) = load(core, &case_id).await?;
    Ok(view(&st, &matter, core.today(), case_id))
}

/// Take an action on a case after intake, on today's date: checked by
/// clerk-core (the platform checks it again), recorded with its audit and
/// outbox rows in one transaction; works offline.
pub async fn progress_case(
    core: &AppCore,
    case_id: String,
    input: ProgressInput,
) -> CmdResult<CaseProgress> {
    let me = core.user("progress_case")?;
    let (st, matter) = load(core, &case_id).await?;
    let today = core.today();
    let calendar = core.calendar().await;
    // An extension is approved by a supervisor at this window (art. 42:
    // approved by the agency's head); the clerk's session stays theirs.
    // The rules are asked first, so a refused extension costs no password.
    let approver = if input.action == ProgressAction::Extend {
        let mut probe = st.case.clone();
        let trial = Recorded {
            on: today,
            event: event_of(&input, None),
        };
        match lc::apply(
            &mut probe,
            &st.status,
            &trial,
            &lc::Context {
                matter: &matter,
                calendar: &calendar,
                start_day: core.start_day(),
            },
        ) {
            // Everything but the approval holds (an empty approver is the
            // last rule asked).
            Err(lc::LifecycleError::ApproverMissing) | Ok(_) => {}
            Err(e) => return Err(lifecycle_error(&e, &matter)),
        }
        let password = zeroize::Zeroizing::new(input.approver_password.clone());
        Some(
            crate::session::approve_as(
                core,
                &input.approver_id,
                password,
                clerk_core::access::Role::Supervisor,
                "extend",
            )
            .await?,
        )
    } else {
        None
    };
    let rec = Recorded {
        on: today,
        event: event_of(&input, approver.as_ref()),
    };
    let mut case = st.case.clone();
    let status = lc::apply(
        &mut case,
        &st.status,
        &rec,
        &lc::Context {
            matter: &matter,
            calendar: &calendar,
            start_day: core.start_day(),
        },
    )
    .map_err(|e| lifecycle_error(&e, &matter))?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let id = case_id.clone();
    let from = st.status.clone();
    let saved = blocking(move || {
        store
            .record_progress(
                &clerk_store::Progress {
                    case_id: &id,
                    from: &from,
                    event: &rec,
                    case: &case,
                    status: status.as_str(),
                },
                &actor,
                clerk_store::time::now_millis(),
            )
            .map_err(storage)?;
        store.case_state(&id).map_err(storage)
    })
    .await?
    .ok_or_else(not_found)?;
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    Ok(view(&saved, &matter, today, case_id))
}

fn queue_of(q: CaseQueue) -> lc::Queue {
    match q {
        CaseQueue::SupplementWaiting => lc::Queue::SupplementWaiting,
        CaseQueue::GapsOwed => lc::Queue::GapsOwed,
        CaseQueue::InReview => lc::Queue::InReview,
        CaseQueue::ForPickup => lc::Queue::ForPickup,
        CaseQueue::DueSoon => lc::Queue::DueSoon,
    }
}

/// The cases of a queue, soonest promised date first; "due soon" keeps the
/// running cases whose light is yellow or red, or that are overdue. A clerk
/// sees their own; a supervisor the PC's (as "my cases").
async fn queue_rows(
    core: &AppCore,
    me: &crate::gate::User,
    q: lc::Queue,
) -> CmdResult<Vec<CaseListItem>> {
    let store = core.store().await?;
    let clerk = (!me.sees_all_cases()).then(|| me.user_id.clone());
    let statuses: Vec<&'static str> = q.statuses().iter().map(|s| s.as_str()).collect();
    let limit = if q == lc::Queue::DueSoon { 2000 } else { 500 };
    let rows = blocking(move || {
        store
            .cases_with_status(&statuses, clerk.as_deref(), limit)
            .map_err(storage)
    })
    .await?;
    let today = core.today();
    let calendar = core.calendar().await;
    let items = rows
        .into_iter()
        .map(|r| crate::queue::list_item(core, &calendar, today, r));
    Ok(if q == lc::Queue::DueSoon {
        items
            .filter(|i| matches!(i.light.as_deref(), Some("yellow" | "red" | "overdue")))
            .collect()
    } else {
        items.collect()
    })
}

/// One of the clerk's queues after intake.
pub async fn queue_cases(core: &AppCore, queue: CaseQueue) -> CmdResult<Vec<CaseListItem>> {
    let me = core.user("queue_cases")?;
    queue_rows(core, &me, queue_of(queue)).await
}

/// How many cases each queue holds now.
pub async fn queue_counts(core: &AppCore) -> CmdResult<Vec<QueueCount>> {
    let me = core.user("queue_counts")?;
    let store = core.store().await?;
    let clerk = (!me.sees_all_cases()).then(|| me.user_id.clone());
    let counts = blocking(move || store.status_counts(clerk.as_deref()).map_err(storage)).await?;
    let due_soon = queue_rows(core, &me, lc::Queue::DueSoon).await?.len() as u32;
    Ok([
        CaseQueue::SupplementWaiting,
        CaseQueue::GapsOwed,
        CaseQueue::InReview,
        CaseQueue::ForPickup,
        CaseQueue::DueSoon,
    ]
    .into_iter()
    .map(|queue| {
        let q = queue_of(queue);
        let count = if q == lc::Queue::DueSoon {
            due_soon
        } else {
            counts
                .iter()
                .filter(|(s, _)| q.statuses().iter().any(|p| p.as_str() == s))
                .map(|(_, n)| *n as u32)
                .sum()
        };
        QueueCount {
            queue,
            text: Text {
                zh: q.zh().into(),
                en: q.en().into(),
            },
            count,
        }
    })
    .collect())
}
