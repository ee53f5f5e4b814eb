//! Intake: the matter (catalogue, pinned version, drift), the applicant
//! check, the per-user draft, and taking a case in (clerk-core decides,
//! clerk-store commits case, audit and outbox in one transaction).

use crate::errors::*;
use crate::state::AppCore;
use clerk_core::catalogue as cat;
use clerk_core::intake as core_intake;
use clerk_ipc::{
    ApplicantForm, ApplicantKind, CaseConfirmation, DecisionKind, Draft, FieldProblem, IntakeForm,
    MaterialItem, MatterDetail, MissingMaterial, TakeInOutcome, Text,
};
use clerk_ipc::{CaseKind, CaseStatus, CmdError, DayUnit, ErrorKind, MatterSummary, TimeLimit};

fn limit(l: cat::TimeLimit) -> TimeLimit {
    TimeLimit {
        value: l.value,
        unit: match l.unit {
            cat::DayUnit::Working => DayUnit::Working,
            cat::DayUnit::Calendar => DayUnit::Calendar,
        },
    }
}

/// The matters for a search. With no search, the ones this user took
/// cases in for last come first (marked `recent`): per user, from their
/// own cases.
pub async fn list_matters(core: &AppCore, query: String) -> CmdResult<Vec<MatterSummary>> {
    let me = core.user("list_matters")?;
    search_text(&query)?;
    let catalogue = core.catalogue().await;
    let recent: Vec<String> = match (query.trim().is_empty(), core.store().await) {
        (true, Ok(store)) => {
            let user = me.user_id.clone();
            // A store that cannot answer only means no recent matters.
            blocking(move || Ok(store.recent_matters(&user, 5)))
                .await?
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "recent matters not read");
                    Vec::new()
                })
        }
        _ => Vec::new(),
    };
    let mut found = catalogue.search(&query);
    // Stable: the recent ones in the order used, then the rest as found.
    found.sort_by_key(|m| {
        recent
            .iter()
            .position(|c| *c == m.code)
            .unwrap_or(usize::MAX)
    });
    Ok(found
        .into_iter()
        .map(|m| MatterSummary {
            recent: recent.contains(&m.code),
            code: m.code.clone(),
            name: m.name.clone(),
            department: catalogue
                .department(&m.department)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            case_kind: case_kind(m.case_kind),
            statutory_limit: limit(m.statutory_limit),
            promised_limit: limit(m.promised_limit),
            fee_charged: m.fee.charged(),
            material_count: m.materials.len() as u32,
        })
        .collect())
}

const DRAFT_SLOT: &str = "intake";

/// The intake draft's slot: one per user (issue #12), so a second clerk
/// on the PC never sees the first one's form.
fn draft_slot(user: &crate::gate::User) -> String {
    format!("{DRAFT_SLOT}:{}", user.user_id)
}

fn problems(errs: Vec<core_intake::FieldError>) -> Vec<FieldProblem> {
    errs.into_iter()
        .map(|e| FieldProblem {
            field: e.field,
            message: e.zh,
            message_en: e.en,
        })
        .collect()
}

/// A matter as the catalogue in effect has it, or as version `version`
/// had it (a restored draft keeps the version it pinned).
pub async fn matter_detail(
    core: &AppCore,
    code: String,
    version: Option<u32>,
) -> CmdResult<MatterDetail> {
    core.user("matter_detail")?;
    let c = match version {
        Some(v) => core.catalogue_version(v).await.ok_or_else(|| {
            CmdError::new(
                ErrorKind::NotFound,
                format!("本机没有第 {v} 版事项目录，请重新选择事项"),
                format!("Catalogue version {v} is not on this PC; choose the matter again"),
            )
            .on_field("matter")
        })?,
        None => core.catalogue().await,
    };
    let m = c.matter(&code).ok_or_else(|| {
        CmdError::new(
            ErrorKind::NotFound,
            "目录中没有该事项",
            "The matter is not in the catalogue",
        )
        .on_field("matter")
    })?;
    let calendar = core.calendar().await;
    let latest = clerk_core::case::latest_supply_by(m, &calendar, core.today(), core.start_day())
        .and_then(Result::ok)
        .map(|d| d.to_string());
    Ok(MatterDetail {
        code: m.code.clone(),
        name: m.name.clone(),
        version: c.version,
        department: c
            .department(&m.department)
            .map(|d| d.name.clone())
            .unwrap_or_default(),
        case_kind: case_kind(m.case_kind),
        statutory_limit: limit(m.statutory_limit),
        promised_limit: limit(m.promised_limit),
        applicant_kinds: m
            .service_objects
            .iter()
            .map(|o| match o {
                cat::ServiceObject::NaturalPerson => ApplicantKind::Person,
                cat::ServiceObject::LegalPerson => ApplicantKind::Organisation,
            })
            .collect(),
        materials: m
            .materials
            .iter()
            .map(|x| MaterialItem {
                id: x.id.clone(),
                name: x.name.clone(),
                required: x.required,
                may_be_missing: x.may_be_missing,
                form: Text {
                    zh: x.form.zh().into(),
                    en: x.form.en().into(),
                },
                copies: x.copies,
                note: x.note.clone(),
            })
            .collect(),
        legal_basis: m.legal_basis.clone(),
        fee_charged: m.fee.charged(),
        latest_supply_by: latest,
        decisions: core_intake::allowed_decisions(m)
            .into_iter()
            .map(decision_kind)
            .collect(),
    })
}

/// Check the applicant part of the form as the clerk leaves a field: the
/// same rules as at submission, so the window can show errors early.
pub async fn check_applicant(
    core: &AppCore,
    applicant: ApplicantForm,
) -> CmdResult<Vec<FieldProblem>> {
    core.user("check_applicant")?;
    let a: core_intake::ApplicantForm = convert(&applicant)?;
    let (_, errs) = core_intake::check_applicant(&a, None, core.today());
    Ok(problems(errs))
}

/// An applicant seen in an earlier case, by ID number (fills the form).
pub async fn known_applicant(core: &AppCore, id_no: String) -> CmdResult<Option<ApplicantForm>> {
    let me = core.user("known_applicant")?;
    let store = core.store().await?;
    // Per user (issue #12): a clerk is reminded only of their own
    // applicants; a supervisor of the hall's.
    let clerk = (!me.sees_all_cases()).then(|| me.user_id.clone());
    let found = blocking(move || {
        store
            .applicant_for(&id_no, clerk.as_deref())
            .map_err(storage)
    })
    .await?;
    found.map(|a| convert(&a)).transpose()
}

pub async fn save_draft(core: &AppCore, body: String) -> CmdResult<()> {
    let me = core.user("save_draft")?;
    if body.len() > 256 * 1024 {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "草稿过大（最多 256 KB）",
            "Draft too large (at most 256 KB)",
        ));
    }
    let store = core.store().await?;
    let slot = draft_slot(&me);
    blocking(move || {
        store
            .save_draft(&slot, &body, clerk_store::time::now_millis())
            .map_err(storage)
    })
    .await
}

pub async fn load_draft(core: &AppCore) -> CmdResult<Option<Draft>> {
    let me = core.user("load_draft")?;
    let store = core.store().await?;
    let slot = draft_slot(&me);
    let d = blocking(move || store.load_draft(&slot).map_err(storage)).await?;
    Ok(d.map(|(body, updated_at)| Draft { body, updated_at }))
}

pub async fn discard_draft(core: &AppCore) -> CmdResult<()> {
    let me = core.user("discard_draft")?;
    let store = core.store().await?;
    let slot = draft_slot(&me);
    blocking(move || store.discard_draft(&slot).map_err(storage)).await
}

/// Take in a case: check every field (clerk-core), then commit case, audit
/// and outbox in one transaction (clerk-store). Invalid forms save nothing
/// but the draft, which the UI keeps saving anyway.
pub async fn take_in(core: &AppCore, form: IntakeForm) -> CmdResult<TakeInOutcome> {
    let me = core.user("take_in")?;
    let domain_form: core_intake::IntakeForm = convert(&form)?;
    // The version the form was filled on: a draft keeps the version it
    // pinned even after a newer one is in effect (sync-protocol §5).
    let catalogue = core.catalogue_pinned(form.matter_version).await;
    let calendar = core.calendar().await;
    let prepared = {
        let cx = core_intake::IntakeContext {
            catalogue: &catalogue,
            calendar: &calendar,
            today: core.today(),
            start_day: core.start_day(),
        };
        match core_intake::prepare(&domain_form, &cx) {
            Ok(p) => p,
            Err(errs) => {
                return Ok(TakeInOutcome::Invalid {
                    problems: problems(errs),
                })
            }
        }
    };
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let slot = draft_slot(&me);
    let writer = store.clone();
    let c = blocking(move || {
        writer
            .take_in(
                &prepared,
                &actor,
                clerk_store::time::now_millis(),
                Some(&slot),
            )
            .map_err(storage)
    })
    .await?;
    tracing::info!(receipt = %c.receipt_no, status = c.case.status.as_str(), seq = c.seq, "case taken in");
    // The derived lookups (search terms, applicant memory, list by day),
    // the numbers reserved ahead and the WAL checkpoint follow the commit,
    // off the receipt's path; a read would do them first anyway.
    tokio::task::spawn_blocking(move || {
        if let Err(e) = store.index_pending() {
            tracing::warn!(error = %e, "derived lookups not brought up to date (the next read retries)");
        }
    });
    // A new case in the outbox: try to send it now (the timer stays the
    // guarantee; this only saves the wait).
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    let p = &c.case;
    let s = |d: Option<clerk_core::date::Date>| d.map(|d| d.to_string());
    Ok(TakeInOutcome::Committed {
        confirmation: Box::new(CaseConfirmation {
            case_id: c.case_id.clone(),
            receipt_no: c.receipt_no.clone(),
            status: CaseStatus::from_code(p.status.as_str()),
            status_text: crate::words::status_text(p.status.as_str()),
            matter_name: p.matter_name.clone(),
            applicant_name: p.applicant.name.clone(),
            applicant_id_masked: clerk_core::ids::mask_id(&p.applicant.id_no),
            received_on: p.received_on.to_string(),
            accepted_on: s(p.accepted_on),
            promised_due: s(p.promised_due),
            statutory_due: s(p.statutory_due),
            supply_by: s(p.supply_by),
            owed: p.owed.clone(),
            notice_deadline: p.notice_deadline.to_string(),
            provisional_fields: provisional_fields(p),
        }),
    })
}

/// The dates of a case that are provisional (暂定).
fn provisional_fields(p: &core_intake::PreparedCase) -> Vec<String> {
    [
        ("notice_deadline", Some(p.notice_deadline)),
        ("promised_due", p.promised_due),
        ("statutory_due", p.statutory_due),
    ]
    .into_iter()
    .filter(|(_, d)| d.is_some_and(|d| p.is_provisional(d)))
    .map(|(f, _)| f.to_owned())
    .collect()
}

fn case_kind(k: cat::CaseKind) -> CaseKind {
    match k {
        cat::CaseKind::Instant => CaseKind::Instant,
        cat::CaseKind::Promised => CaseKind::Promised,
    }
}

/// What changed for a matter since the catalogue version a draft pinned,
/// when a newer version is in effect (the banner over the form). None when
/// the pinned version is the one in effect or nothing a clerk checks
/// changed.
pub async fn catalogue_drift(
    core: &AppCore,
    code: String,
    version: u32,
) -> CmdResult<Option<clerk_ipc::CatalogueDrift>> {
    core.user("catalogue_drift")?;
    let now = core.catalogue().await;
    if now.version <= version {
        return Ok(None);
    }
    let Some(pinned) = core.catalogue_version(version).await else {
        return Ok(None);
    };
    let Some(old) = pinned.matter(&code) else {
        return Ok(None);
    };
    let changes = clerk_core::drift::matter_changes(old, now.matter(&code));
    if changes.is_empty() {
        return Ok(None);
    }
    Ok(Some(clerk_ipc::CatalogueDrift {
        from: version,
        to: now.version,
        matter_still_offered: now.matter(&code).is_some(),
        changes: changes
            .into_iter()
            .map(|c| Text { zh: c.zh, en: c.en })
            .collect(),
    }))
}

fn decision_kind(k: core_intake::DecisionKind) -> DecisionKind {
    use core_intake::DecisionKind as K;
    match k {
        K::Accept => DecisionKind::Accept,
        K::AcceptWithGaps => DecisionKind::AcceptWithGaps,
        K::RequestSupplement => DecisionKind::RequestSupplement,
        K::NotAccept => DecisionKind::NotAccept,
        K::CompleteOnTheSpot => DecisionKind::CompleteOnTheSpot,
    }
}

/// The required materials the form does not tick as received, in the
/// matter's order (clerk-core's `missing_materials`), for the catalogue
/// version the form pinned: the supplement notice's list and the 容缺 list.
pub async fn missing_materials(
    core: &AppCore,
    form: IntakeForm,
) -> CmdResult<Vec<MissingMaterial>> {
    core.user("missing_materials")?;
    let c = core.catalogue_pinned(form.matter_version).await;
    let Some(m) = c.matter(&form.matter_code) else {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            "目录中没有该事项",
            "The matter is not in the catalogue",
        )
        .on_field("matter"));
    };
    let domain: core_intake::IntakeForm = convert(&form)?;
    Ok(core_intake::missing_materials(m, &domain.materials)
        .into_iter()
        .map(|x| MissingMaterial {
            material_id: x.id.clone(),
            name: x.name.clone(),
            may_be_missing: x.may_be_missing,
        })
        .collect())
}
