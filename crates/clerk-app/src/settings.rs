//! 设置: the holiday calendar (import, moved deadlines), users, and the
//! audit trail.

use crate::errors::*;
use crate::session::{bad, local_time, new_verifier, role_name, role_of};
use crate::state::AppCore;
use clerk_core::access::{self, Role};
use clerk_ipc::{AuditItem, RoleName, UserInfo};
use clerk_ipc::{CalendarImported, CalendarStatus, CalendarYear, DeadlineMoveItem};
use clerk_ipc::{CmdError, ErrorKind};
use zeroize::Zeroizing;

/// Which years are official, what is missing, the moved dates.
pub async fn calendar_status(core: &AppCore) -> CmdResult<CalendarStatus> {
    let me = core.user("calendar_status")?;
    // The administrator sees how many dates moved, not whose (no case
    // contents beyond counts).
    let desk = clerk_core::access::DESK.iter().any(|r| me.has(*r));
    use clerk_core::calendar::{YearBasis, LAW_FROM_YEAR};
    let cal = core.calendar().await;
    let store = core.store().await?;
    let moves = blocking(move || store.deadline_moves(500).map_err(storage)).await?;
    let today = core.today();
    // The years a clerk can meet: from the law's first year to next year.
    let years = (LAW_FROM_YEAR.min(today.year())..=today.year() + 1)
        .map(|y| CalendarYear {
            year: y,
            basis: match cal.basis(y) {
                YearBasis::Official => "official",
                YearBasis::LawOnly => "law_only",
                YearBasis::Unknown => "unknown",
            }
            .to_owned(),
            source: cal.source(y).map(str::to_owned),
        })
        .collect();
    Ok(CalendarStatus {
        today: today.to_string(),
        years,
        missing_year: cal.missing_schedule(today),
        moves: moves
            .into_iter()
            .map(|m| DeadlineMoveItem {
                case_id: m.case_id,
                receipt_no: if desk { m.receipt_no } else { "—".into() },
                applicant_name: if desk { m.applicant } else { "—".into() },
                field: m.field,
                old: m.old,
                new: m.new,
                year: m.year,
                seen: m.seen,
            })
            .collect(),
        problems: core.calendar_problems.clone(),
    })
}

/// IT loads a year's State Council schedule without the platform (设置):
/// checked by clerk-core, kept in the store, and the cases whose dates were
/// provisional for that year are worked out again at once.
pub async fn import_calendar(core: &AppCore, body: String) -> CmdResult<CalendarImported> {
    let me = core.user("import_calendar")?;
    let y = clerk_core::calendar::YearSchedule::parse(&body).map_err(|e| {
        CmdError::new(
            ErrorKind::Validation,
            format!("节假日安排文件不能使用：{}", e.zh()),
            format!("The holiday schedule file cannot be used: {e}"),
        )
        .on_field("calendar_file")
    })?;
    let year = y.year;
    let canonical = y.to_json();
    let store = core.store().await?;
    let writer = store.clone();
    let actor = core.actor_of(&me);
    blocking(move || {
        writer
            .import_calendar_year(year, &canonical, &actor, clerk_store::time::now_millis())
            .map_err(storage)
    })
    .await?;
    // Rebuilding the calendar works the provisional cases out again.
    let before = count_moves(&store).await?;
    core.calendar().await;
    let after = count_moves(&store).await?;
    tracing::info!(year, "holiday schedule imported in settings");
    Ok(CalendarImported {
        year,
        cases_recomputed: after.0 - before.0,
        dates_moved: after.1 - before.1,
    })
}

async fn count_moves(store: &std::sync::Arc<clerk_store::Store>) -> CmdResult<(u32, u32)> {
    let s = store.clone();
    blocking(move || {
        let m = s.deadline_moves(100_000).map_err(storage)?;
        let cases: std::collections::BTreeSet<_> = m.iter().map(|m| m.case_id.clone()).collect();
        Ok((cases.len() as u32, m.len() as u32))
    })
    .await
}

/// The clerk has told the applicants whose dates moved.
pub async fn mark_deadline_moves_seen(core: &AppCore) -> CmdResult<u32> {
    let me = core.user("mark_deadline_moves_seen")?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    blocking(move || {
        store
            .mark_moves_seen(&actor, clerk_store::time::now_millis())
            .map(|n| n as u32)
            .map_err(storage)
    })
    .await
}

fn user_info(r: clerk_store::UserRow, now: i64) -> UserInfo {
    UserInfo {
        user_id: r.user_id,
        display_name: r.display_name,
        roles: r.roles.into_iter().map(role_name).collect(),
        origin: match r.origin {
            clerk_store::UserOrigin::Local => "local".into(),
            clerk_store::UserOrigin::Platform => "platform".into(),
        },
        disabled: r.disabled,
        locked_until: r.locked_until.filter(|&t| t > now).map(local_time),
        online_at: r.online_at.map(local_time),
    }
}

/// The users of this PC (admin).
pub async fn list_users(core: &AppCore) -> CmdResult<Vec<UserInfo>> {
    core.user("list_users")?;
    let store = core.store().await?;
    let rows = blocking(move || store.users().map_err(storage)).await?;
    let now = clerk_store::time::now_millis();
    Ok(rows.into_iter().map(|r| user_info(r, now)).collect())
}

/// Add a local user (admin): clerks and supervisors of a standalone PC.
pub async fn add_user(
    core: &AppCore,
    user_id: String,
    display_name: String,
    roles: Vec<RoleName>,
    password: String,
) -> CmdResult<Vec<UserInfo>> {
    let me = core.user("add_user")?;
    let password = Zeroizing::new(password);
    let user_id = user_id.trim().to_owned();
    access::check_user_id(&user_id).map_err(|e| bad("user_id", e))?;
    access::check_display_name(&display_name).map_err(|e| bad("display_name", e))?;
    access::check_new_password(&user_id, &password).map_err(|e| bad("password", e))?;
    let mut roles: Vec<Role> = roles.into_iter().map(role_of).collect();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "请至少选择一个角色",
            "Choose at least one role",
        )
        .on_field("roles"));
    }
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let name = display_name.trim().to_owned();
    blocking(move || {
        let v = new_verifier(&password)?;
        store
            .add_local_user(
                &user_id,
                &name,
                &roles,
                &v,
                &actor,
                clerk_store::time::now_millis(),
            )
            .map_err(storage)
    })
    .await?;
    list_users(core).await
}

/// Disable (or enable) a user on this PC (admin). Not oneself.
pub async fn set_user_disabled(
    core: &AppCore,
    user_id: String,
    disabled: bool,
) -> CmdResult<Vec<UserInfo>> {
    let me = core.user("set_user_disabled")?;
    if me.user_id == user_id && disabled {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "不能停用自己",
            "You cannot disable yourself",
        ));
    }
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let found = blocking(move || {
        store
            .set_user_disabled(&user_id, disabled, &actor, clerk_store::time::now_millis())
            .map_err(storage)
    })
    .await?;
    if !found {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            "没有该用户",
            "No such user",
        ));
    }
    list_users(core).await
}

/// The audit trail, newest first (auditor; read-only).
pub async fn audit_trail(core: &AppCore) -> CmdResult<Vec<AuditItem>> {
    core.user("audit_trail")?;
    let store = core.store().await?;
    blocking(move || {
        let rows = store.audit_entries(500).map_err(storage)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let receipt_no = match &r.case_id {
                Some(id) => store
                    .case(id)
                    .map_err(storage)?
                    .map(|(row, _)| row.receipt_no),
                None => None,
            };
            out.push(AuditItem {
                id: r.id,
                at: clerk_store::time::local_datetime(&r.at).unwrap_or(r.at),
                actor: r.actor,
                action: r.action,
                receipt_no,
                detail: r.detail,
            });
        }
        Ok(out)
    })
    .await
}
